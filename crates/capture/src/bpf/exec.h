/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Record layout shared by the kernel programs and the Rust decoder in
 * src/record.rs. Every field has a fixed size and offset; the Rust side reads
 * the header with the same layout, so a change here must change both.
 */
#ifndef SHELLSENTRY_EXEC_H
#define SHELLSENTRY_EXEC_H

#define TASK_COMM_LEN 16
#define CGROUP_NAME_LEN 128
#define HOST_NAME_LEN 65

/* Bounds of the variable part. Each string is cut at its bound and the cut is
 * marked in `flags`, so userspace never reports a shortened value as whole. */
#define PATH_MAX_LEN 4096
#define ARGV_MAX_LEN 4096
#define ARGV_MAX_COUNT 64
#define PATH_MAX_COMPONENTS 64

/* Hook that produced a record. */
enum exec_hook {
	HOOK_SCHED_PREPARE_EXEC = 1,
	HOOK_KPROBE_BPRM_CHECK = 2,
	HOOK_LSM_BPRM_CHECK = 3,
	HOOK_SCHED_PROCESS_EXEC = 4,
};

/* Bits of `flags`. */
#define FLAG_PATH_TRUNCATED (1u << 0)   /* deeper than PATH_MAX_COMPONENTS or longer than PATH_MAX_LEN */
#define FLAG_PATH_UNREACHABLE (1u << 1) /* the dentry walk ended outside the mount tree (deleted, memfd) */
#define FLAG_FILENAME_TRUNCATED (1u << 2)
#define FLAG_INTERP_TRUNCATED (1u << 3)
#define FLAG_ARGV_TRUNCATED (1u << 4)
#define FLAG_ARGV_UNAVAILABLE (1u << 5) /* no user argv: an exec started by the kernel */
#define FLAG_COMM_REMEMBERED (1u << 6)  /* processName came from the remembered pre-exec name */
#define FLAG_COMM_UNKNOWN (1u << 7)     /* the pre-exec name was never seen: processName is the new name */
#define FLAG_PATH_DELETED (1u << 8)
#define FLAG_CWD_TRUNCATED (1u << 9)
#define FLAG_CGI_ENVIRONMENT (1u << 10) /* envp has GATEWAY_INTERFACE=: a CGI exec */
#define ENVP_MAX_COUNT 256

struct exec_record {
	__u64 timestamp_boot_ns;
	__u64 thread_start_boot_ns;
	__u64 cgroup_id;
	__u64 inode;
	__u32 dev;
	__u32 mount_ns;
	__u32 pid_ns;
	__u32 host_pid;
	__u32 host_tid;
	__u32 host_ppid;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 processor;
	__u32 flags;
	__s32 syscall_nr;
	__u16 hook;
	__u16 cwd_len;      /* set only when the invoked path is relative */
	__u16 path_len;     /* each length counts the bytes in data, including the NUL */
	__u16 filename_len;
	__u16 interp_len;
	__u16 argv_len;
	char comm[TASK_COMM_LEN];
	char parent_comm[TASK_COMM_LEN];
	char cgroup_name[CGROUP_NAME_LEN];
	char host_name[HOST_NAME_LEN];
	char pad[7];
	/* path, filename, interp, argv (NUL-separated), cwd, in that order. */
	char data[];
};

#endif
