// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Exec capture: one record per program execution, taken while the calling
 * task still carries its pre-exec name (comm).
 *
 * Four hooks can produce the record; userspace loads exactly one of them
 * (plus the helper program that the last one needs):
 *   - tp_btf/sched_prepare_exec (Linux 6.10+): fires once per successful
 *     exec, in begin_new_exec, with the final binprm (the interpreter for a
 *     script).
 *   - kprobe/security_bprm_check (kprobes): fires once per binary handler
 *     pass, so a `#!` script yields one record for the script and one for its
 *     interpreter, as Tracee's event does.
 *   - lsm/bprm_check_security (Linux 5.7+ with BPF LSM active): same passes
 *     as the kprobe.
 *   - tp_btf/sched_process_exec (Linux 5.5+): fires after the name changed,
 *     so the pre-exec name is remembered at execve entry by raw_tp/sys_enter.
 *
 * The dentry walk and the argv copy run under bpf_loop (Linux 5.17+), which
 * the verifier checks once instead of once per step.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "exec.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by userspace before load. */
const volatile bool capture_all = false;
const volatile __u32 self_tgid = 0;

#define DATA_MAX (PATH_MAX_LEN + PATH_MAX_LEN + PATH_MAX_LEN + ARGV_MAX_LEN)
/* Offsets into data are masked with DATA_MASK before each write, and every
 * write is at most PATH_MAX_LEN bytes, so the buffer must hold both. */
#define DATA_MASK (4 * PATH_MAX_LEN - 1)

struct record_buffer {
	struct exec_record record;
	char data[DATA_MASK + 1 + PATH_MAX_LEN];
};

/* Dentry names are written backwards from the end of the first half, and a
 * name of up to PATH_MAX_LEN bytes may start anywhere in it. */
struct path_buffer {
	char buf[2 * PATH_MAX_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct record_buffer);
} record_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_buffer);
} path_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} records SEC(".maps");

/* Records that did not fit in the ring buffer; index 0, one slot per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost_records SEC(".maps");

/* Caller names worth a record when capture_all is off. The key is an LPM
 * prefix over the comm bytes: an exact name is stored with its NUL (so
 * "nginx" does not match "nginx2"), a family prefix without it. */
struct comm_key {
	__u32 prefixlen;
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct comm_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} watched_comms SEC(".maps");

/* Pre-exec names for the sched_process_exec hook, keyed by pid_tgid at
 * execve entry. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, char[TASK_COMM_LEN]);
} pending_comms SEC(".maps");

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *lost = bpf_map_lookup_elem(&lost_records, &zero);

	if (lost)
		*lost += 1;
}

static __always_inline bool comm_is_watched(const char *comm)
{
	struct comm_key key = { .prefixlen = TASK_COMM_LEN * 8 };

	if (capture_all)
		return true;
	__builtin_memcpy(key.comm, comm, TASK_COMM_LEN);
	return bpf_map_lookup_elem(&watched_comms, &key) != NULL;
}

/* Pid number of a task as seen from a given pid namespace level; 0 when the
 * task is not visible there. */
static __always_inline __u32 pid_at_level(struct pid *pid, unsigned int level)
{
	unsigned int task_level = BPF_CORE_READ(pid, level);

	if (!pid || task_level < level)
		return 0;
	return BPF_CORE_READ(pid, numbers[level].nr);
}

/* State of the dentry walk, shared with each bpf_loop step. */
struct path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct mount *mnt_parent;
	__u32 start;    /* index of the first written byte in path_buffer */
	__u32 flags;
	bool complete;
};

/* One step of the walk: prepends one name, or crosses one mount. Returns 1
 * to stop the loop. */
static long walk_one_component(__u64 index, void *ctx)
{
	struct path_walk *walk = ctx;
	__u32 zero = 0;
	struct path_buffer *pb = bpf_map_lookup_elem(&path_scratch, &zero);
	/* Copies of the walk state: a BPF_CORE_READ on `walk->x` would ask for
	 * a CO-RE relocation of the local struct itself. */
	struct dentry *dentry = walk->dentry;
	struct vfsmount *vfsmnt = walk->vfsmnt;
	struct mount *mnt = walk->mnt;
	struct mount *mnt_parent = walk->mnt_parent;
	struct dentry *mnt_root, *d_parent;
	struct qstr name;
	__u32 len;

	if (!pb)
		return 1;
	mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	d_parent = BPF_CORE_READ(dentry, d_parent);
	if (dentry == mnt_root || dentry == d_parent) {
		if (dentry != mnt_root) {
			/* Its own parent but not a mount root: an anonymous
			 * file (memfd) or a detached tree. Keep its name. */
			walk->flags |= FLAG_PATH_UNREACHABLE;
			walk->complete = true;
		} else if (mnt != mnt_parent) {
			walk->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			walk->mnt = mnt_parent;
			walk->mnt_parent = BPF_CORE_READ(mnt_parent, mnt_parent);
			walk->vfsmnt = &mnt_parent->mnt;
			return 0;
		} else {
			walk->complete = true;
			return 1;
		}
	}

	name = BPF_CORE_READ(dentry, d_name);
	len = name.len;
	if (len >= PATH_MAX_LEN || len + 1 >= walk->start) {
		walk->complete = false;
		return 1;
	}
	walk->start -= len;
	bpf_probe_read_kernel(&pb->buf[walk->start & (PATH_MAX_LEN - 1)], len & (PATH_MAX_LEN - 1), name.name);
	if (walk->complete)
		return 1;
	walk->start -= 1;
	pb->buf[walk->start & (PATH_MAX_LEN - 1)] = '/';
	walk->dentry = d_parent;
	return 0;
}

/*
 * Writes the path of `path` to rb->data at `off`, resolved against the root
 * of the mount tree that contains it (the task's mount namespace root for a
 * containerised task). Names are prepended from the leaf upwards, so a path
 * cut by a bound loses its top directories and keeps its file name. The cut
 * is flagged. Returns the bytes written, including the NUL.
 */
static __always_inline __u32 write_path(struct record_buffer *rb, __u32 off, struct path *path,
					 __u32 truncated_flag, __u32 unreachable_flag)
{
	__u32 zero = 0;
	struct path_buffer *pb = bpf_map_lookup_elem(&path_scratch, &zero);
	struct path_walk walk = {};
	__u32 len;

	if (!pb)
		return 0;
	struct vfsmount *vfsmnt = BPF_CORE_READ(path, mnt);
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);

	walk.dentry = BPF_CORE_READ(path, dentry);
	walk.vfsmnt = vfsmnt;
	walk.mnt = mnt;
	walk.mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
	walk.start = PATH_MAX_LEN - 1;
	pb->buf[PATH_MAX_LEN - 1] = 0;

	bpf_loop(PATH_MAX_COMPONENTS, walk_one_component, &walk, 0);

	if (walk.flags & FLAG_PATH_UNREACHABLE)
		rb->record.flags |= unreachable_flag;
	if (!walk.complete)
		rb->record.flags |= truncated_flag;
	if (walk.start == PATH_MAX_LEN - 1) {
		/* The file is the root of its tree. */
		walk.start -= 1;
		pb->buf[walk.start & (PATH_MAX_LEN - 1)] = '/';
	}
	/* start is below PATH_MAX_LEN; the mask lets the verifier see it. */
	len = PATH_MAX_LEN - (walk.start & (PATH_MAX_LEN - 1));
	bpf_probe_read_kernel(&rb->data[off & DATA_MASK], len, &pb->buf[walk.start & (PATH_MAX_LEN - 1)]);
	return len;
}

/* Writes a kernel string at `off`; returns the bytes written, including the NUL. */
static __always_inline __u32 write_kernel_str(struct record_buffer *rb, __u32 off, const char *src,
					       __u32 truncated_flag)
{
	long n;

	if (!src) {
		rb->data[off & DATA_MASK] = 0;
		return 1;
	}
	n = bpf_probe_read_kernel_str(&rb->data[off & DATA_MASK], PATH_MAX_LEN, src);
	if (n <= 0) {
		rb->data[off & DATA_MASK] = 0;
		return 1;
	}
	if (n == PATH_MAX_LEN)
		rb->record.flags |= truncated_flag;
	return n;
}

/* State of the argv copy, shared with each bpf_loop step. */
struct argv_copy {
	const char *const *argv;
	__u32 off;
	__u32 total;
	__u32 flags;
};

static long copy_one_arg(__u64 index, void *ctx)
{
	struct argv_copy *copy = ctx;
	__u32 zero = 0;
	struct record_buffer *rb = bpf_map_lookup_elem(&record_scratch, &zero);
	const char *arg = NULL;
	__u32 room;
	long n;

	if (!rb)
		return 1;
	if (bpf_probe_read_user(&arg, sizeof(arg), &copy->argv[index]) < 0) {
		if (index == 0)
			copy->flags |= FLAG_ARGV_UNAVAILABLE;
		return 1;
	}
	if (!arg)
		return 1;
	if (copy->total >= ARGV_MAX_LEN) {
		copy->flags |= FLAG_ARGV_TRUNCATED;
		return 1;
	}
	/* total is below ARGV_MAX_LEN; the mask lets the verifier see it. */
	room = ARGV_MAX_LEN - (copy->total & (ARGV_MAX_LEN - 1));
	n = bpf_probe_read_user_str(&rb->data[(copy->off + copy->total) & DATA_MASK], room, arg);
	if (n <= 0)
		return 1;
	copy->total += n;
	if (index == ARGV_MAX_COUNT - 1)
		copy->flags |= FLAG_ARGV_TRUNCATED;
	return 0;
}

/* Writes up to ARGV_MAX_COUNT user strings of `argv` as NUL-separated bytes. */
static __always_inline __u32 write_user_argv(struct record_buffer *rb, __u32 off, const char *const *argv)
{
	struct argv_copy copy = { .argv = argv, .off = off };

	if (!argv) {
		rb->record.flags |= FLAG_ARGV_UNAVAILABLE;
		return 0;
	}
	bpf_loop(ARGV_MAX_COUNT, copy_one_arg, &copy, 0);
	if (copy.total >= ARGV_MAX_LEN) {
		copy.flags |= FLAG_ARGV_TRUNCATED;
		copy.total = ARGV_MAX_LEN;
	}
	rb->record.flags |= copy.flags;
	return copy.total;
}

/* Writes the argument block of the new program image, for hooks that run
 * after the memory map was replaced. */
static __always_inline __u32 write_mm_argv(struct record_buffer *rb, __u32 off, struct task_struct *task)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	__u32 len;

	if (!mm || end <= start) {
		rb->record.flags |= FLAG_ARGV_UNAVAILABLE;
		return 0;
	}
	if (end - start > ARGV_MAX_LEN) {
		len = ARGV_MAX_LEN;
		rb->record.flags |= FLAG_ARGV_TRUNCATED;
	} else {
		len = end - start;
	}
	if (bpf_probe_read_user(&rb->data[off & DATA_MASK], len, (void *)start) < 0) {
		rb->record.flags |= FLAG_ARGV_UNAVAILABLE;
		return 0;
	}
	return len;
}

static const char cgi_marker[] = "GATEWAY_INTERFACE=";
#define CGI_MARKER_LEN (sizeof(cgi_marker) - 1)

struct env_scan {
	const char *const *envp;
	bool found;
};

/* One step of the envp scan: compares one entry's start with the marker. */
static long scan_one_env(__u64 index, void *ctx)
{
	struct env_scan *scan = ctx;
	const char *entry = NULL;
	char start[CGI_MARKER_LEN + 1] = {};

	if (bpf_probe_read_user(&entry, sizeof(entry), &scan->envp[index]) < 0 || !entry)
		return 1;
	if (bpf_probe_read_user_str(start, sizeof(start), entry) < (long)sizeof(start))
		return 0;
	for (int i = 0; i < CGI_MARKER_LEN; i++) {
		if (start[i] != cgi_marker[i])
			return 0;
	}
	scan->found = true;
	return 1;
}

/* Tells whether the exec's environment marks a CGI request, as web servers
 * set it for CGI programs (RFC 3875). Read from the syscall's envp, which
 * is still in the caller's memory. */
static __always_inline bool has_cgi_environment(const char *const *envp)
{
	struct env_scan scan = { .envp = envp };

	if (!envp)
		return false;
	bpf_loop(ENVP_MAX_COUNT, scan_one_env, &scan, 0);
	return scan.found;
}

/* The user envp of the execve or execveat call in progress. */
static __always_inline const char *const *syscall_envp(struct task_struct *task, __s32 nr)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	if (!regs)
		return NULL;
#if defined(__TARGET_ARCH_x86)
	if (nr == 59)
		return (const char *const *)BPF_CORE_READ(regs, dx);
	if (nr == 322)
		return (const char *const *)BPF_CORE_READ(regs, r10);
#elif defined(__TARGET_ARCH_arm64)
	if (nr == 221)
		return (const char *const *)BPF_CORE_READ(regs, regs[2]);
	if (nr == 281)
		return (const char *const *)BPF_CORE_READ(regs, regs[3]);
#endif
	return NULL;
}

/* The user argv of the execve or execveat call in progress, read from the
 * syscall's saved registers. */
static __always_inline const char *const *syscall_argv(struct task_struct *task, __s32 *nr)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	if (!regs)
		return NULL;
#if defined(__TARGET_ARCH_x86)
	*nr = BPF_CORE_READ(regs, orig_ax);
	if (*nr == 59) /* execve */
		return (const char *const *)BPF_CORE_READ(regs, si);
	if (*nr == 322) /* execveat */
		return (const char *const *)BPF_CORE_READ(regs, dx);
#elif defined(__TARGET_ARCH_arm64)
	*nr = BPF_CORE_READ(regs, syscallno);
	if (*nr == 221)
		return (const char *const *)BPF_CORE_READ(regs, regs[1]);
	if (*nr == 281)
		return (const char *const *)BPF_CORE_READ(regs, regs[2]);
#endif
	return NULL;
}

/*
 * Builds and sends one record. `comm` is the caller's pre-exec name.
 * `after_exec` means that the new image is already mapped, so argv comes
 * from it instead of from the syscall arguments.
 */
static __always_inline int emit(struct task_struct *task, struct linux_binprm *bprm, const char *comm,
				__u32 extra_flags, enum exec_hook hook, bool after_exec)
{
	__u32 zero = 0;
	struct record_buffer *rb;
	struct exec_record *rec;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct task_struct *parent;
	struct pid *thread_pid, *parent_pid;
	unsigned int level;
	__u32 off = 0, n;

	if (pid_tgid >> 32 == self_tgid)
		return 0;
	if (!comm_is_watched(comm))
		return 0;

	rb = bpf_map_lookup_elem(&record_scratch, &zero);
	if (!rb)
		return 0;
	rec = &rb->record;

	rec->flags = extra_flags;
	rec->hook = hook;
	rec->syscall_nr = -1;
	rec->timestamp_boot_ns = bpf_ktime_get_boot_ns();
	rec->thread_start_boot_ns = BPF_CORE_READ(task, start_boottime);
	rec->cgroup_id = bpf_get_current_cgroup_id();
	rec->uid = (__u32)bpf_get_current_uid_gid();
	rec->processor = bpf_get_smp_processor_id();
	rec->host_pid = pid_tgid >> 32;
	rec->host_tid = (__u32)pid_tgid;

	parent = BPF_CORE_READ(task, real_parent);
	rec->host_ppid = BPF_CORE_READ(parent, tgid);
	thread_pid = BPF_CORE_READ(task, thread_pid);
	level = BPF_CORE_READ(thread_pid, level);
	rec->tid = pid_at_level(thread_pid, level);
	rec->pid = pid_at_level(BPF_CORE_READ(task, group_leader, thread_pid), level);
	parent_pid = BPF_CORE_READ(parent, group_leader, thread_pid);
	rec->ppid = pid_at_level(parent_pid, level);
	rec->pid_ns = BPF_CORE_READ(thread_pid, numbers[level].ns, ns.inum);
	rec->mount_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);

	__builtin_memcpy(rec->comm, comm, TASK_COMM_LEN);
	BPF_CORE_READ_STR_INTO(&rec->parent_comm, parent, comm);
	BPF_CORE_READ_STR_INTO(&rec->host_name, task, nsproxy, uts_ns, name.nodename);
	/* kernfs_node.name is a pointer, unlike the comm and nodename arrays. */
	bpf_probe_read_kernel_str(&rec->cgroup_name, sizeof(rec->cgroup_name),
				  BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, name));

	struct file *file = BPF_CORE_READ(bprm, file);
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	rec->inode = BPF_CORE_READ(inode, i_ino);
	rec->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	if (BPF_CORE_READ(inode, i_nlink) == 0)
		rec->flags |= FLAG_PATH_DELETED;

	n = write_path(rb, off, &file->f_path, FLAG_PATH_TRUNCATED, FLAG_PATH_UNREACHABLE);
	rec->path_len = n;
	off += n;

	n = write_kernel_str(rb, off, BPF_CORE_READ(bprm, filename), FLAG_FILENAME_TRUNCATED);
	rec->filename_len = n;
	off += n;

	n = write_kernel_str(rb, off, BPF_CORE_READ(bprm, interp), FLAG_INTERP_TRUNCATED);
	rec->interp_len = n;
	off += n;

	__s32 nr = -1;
	const char *const *argv = syscall_argv(task, &nr);

	rec->syscall_nr = nr;
	if (after_exec) {
		n = write_mm_argv(rb, off, task);
	} else {
		n = write_user_argv(rb, off, argv);
		if (has_cgi_environment(syscall_envp(task, nr)))
			rec->flags |= FLAG_CGI_ENVIRONMENT;
	}
	rec->argv_len = n;
	off += n;

	/* A relative path is resolved against the caller's working folder,
	 * which userspace cannot read once a short-lived process is gone. */
	rec->cwd_len = 0;
	char first = 0;

	bpf_probe_read_kernel(&first, 1, BPF_CORE_READ(bprm, filename));
	if (first != '/' && off < DATA_MASK - PATH_MAX_LEN) {
		struct fs_struct *fs = BPF_CORE_READ(task, fs);
		struct path pwd = BPF_CORE_READ(fs, pwd);

		n = write_path(rb, off, &pwd, FLAG_CWD_TRUNCATED, 0);
		rec->cwd_len = n;
		off += n;
	}

	if (off > sizeof(rb->data))
		off = sizeof(rb->data);
	__u64 size = sizeof(struct exec_record) + off;

	if (bpf_ringbuf_output(&records, rb, size, 0) < 0)
		count_lost();
	return 0;
}

SEC("tp_btf/sched_prepare_exec")
int BPF_PROG(on_sched_prepare_exec, struct task_struct *task, struct linux_binprm *bprm)
{
	char comm[TASK_COMM_LEN] = {};

	BPF_CORE_READ_STR_INTO(&comm, task, comm);
	return emit(task, bprm, comm, 0, HOOK_SCHED_PREPARE_EXEC, false);
}

SEC("kprobe/security_bprm_check")
int BPF_KPROBE(on_security_bprm_check, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	char comm[TASK_COMM_LEN] = {};

	bpf_get_current_comm(comm, sizeof(comm));
	return emit(task, bprm, comm, 0, HOOK_KPROBE_BPRM_CHECK, false);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(on_bprm_check_security, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	char comm[TASK_COMM_LEN] = {};

	bpf_get_current_comm(comm, sizeof(comm));
	emit(task, bprm, comm, 0, HOOK_LSM_BPRM_CHECK, false);
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(remember_exec_comm, struct pt_regs *regs, long id)
{
	__u64 pid_tgid;
	char comm[TASK_COMM_LEN] = {};

#if defined(__TARGET_ARCH_x86)
	if (id != 59 && id != 322)
		return 0;
#elif defined(__TARGET_ARCH_arm64)
	if (id != 221 && id != 281)
		return 0;
#endif
	pid_tgid = bpf_get_current_pid_tgid();
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_map_update_elem(&pending_comms, &pid_tgid, comm, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_sched_process_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	/* An exec from a non-leader thread takes over the leader's pid, so the
	 * entry was stored under the old thread id. */
	__u64 key = (bpf_get_current_pid_tgid() & 0xffffffff00000000ULL) | (__u32)old_pid;
	char comm[TASK_COMM_LEN] = {};
	char *remembered = bpf_map_lookup_elem(&pending_comms, &key);
	__u32 flags;

	if (remembered) {
		__builtin_memcpy(comm, remembered, TASK_COMM_LEN);
		bpf_map_delete_elem(&pending_comms, &key);
		flags = FLAG_COMM_REMEMBERED;
	} else {
		BPF_CORE_READ_STR_INTO(&comm, task, comm);
		flags = FLAG_COMM_UNKNOWN;
	}
	return emit(task, bprm, comm, flags, HOOK_SCHED_PROCESS_EXEC, true);
}
