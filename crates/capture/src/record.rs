//! Decoding of the records the kernel programs send, into events of the
//! shared model.
//!
//! Strings from the kernel are bytes. A value that is valid UTF-8 is used as
//! is. A value that is not is written with each invalid byte as `\xHH` and
//! each backslash doubled, and the `capture_notes` argument names the field
//! with an `_escaped` suffix, so the original bytes can be recovered
//! exactly and valid values are never altered.

use std::fmt::Write as _;

use shellsentry_core::events::{Argument, Event, SECURITY_BPRM_CHECK, SECURITY_BPRM_CHECK_ID};

use crate::container::container_id_from_cgroup;
use crate::skel::types::exec_record;

// Flag bits of exec_record.flags; the values are those of src/bpf/exec.h.
const FLAG_PATH_TRUNCATED: u32 = 1 << 0;
const FLAG_PATH_UNREACHABLE: u32 = 1 << 1;
const FLAG_FILENAME_TRUNCATED: u32 = 1 << 2;
const FLAG_INTERP_TRUNCATED: u32 = 1 << 3;
const FLAG_ARGV_TRUNCATED: u32 = 1 << 4;
const FLAG_ARGV_UNAVAILABLE: u32 = 1 << 5;
const FLAG_COMM_REMEMBERED: u32 = 1 << 6;
const FLAG_COMM_UNKNOWN: u32 = 1 << 7;
const FLAG_PATH_DELETED: u32 = 1 << 8;
const FLAG_CWD_TRUNCATED: u32 = 1 << 9;
const FLAG_CGI_ENVIRONMENT: u32 = 1 << 10;

const NOTES: &[(u32, &str)] = &[
    (FLAG_PATH_TRUNCATED, "pathname_truncated"),
    (FLAG_PATH_UNREACHABLE, "pathname_unreachable"),
    (FLAG_PATH_DELETED, "pathname_deleted"),
    (FLAG_FILENAME_TRUNCATED, "invoked_path_truncated"),
    (FLAG_INTERP_TRUNCATED, "interpreter_truncated"),
    (FLAG_ARGV_TRUNCATED, "argv_truncated"),
    (FLAG_ARGV_UNAVAILABLE, "argv_unavailable"),
    (FLAG_COMM_REMEMBERED, "process_name_remembered"),
    (FLAG_COMM_UNKNOWN, "process_name_unknown"),
    (FLAG_CWD_TRUNCATED, "cwd_truncated"),
];

/// Error decoding a record. It means the kernel and user sides disagree on
/// the layout, which is a bug.
#[derive(Debug, thiserror::Error)]
#[error("malformed exec record: {0}")]
pub struct RecordError(&'static str);

/// Converts one record into a `security_bprm_check` event.
/// `clock_offset_ns` is added to boot-time stamps to make them Unix time.
pub fn decode_record(bytes: &[u8], clock_offset_ns: i64) -> Result<Event, RecordError> {
    let header_len = std::mem::size_of::<exec_record>();
    if bytes.len() < header_len {
        return Err(RecordError("shorter than its header"));
    }
    // SAFETY: exec_record is plain old data generated from the C layout, the
    // slice contains at least its size, and read_unaligned has no alignment
    // requirement.
    let record: exec_record = unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast()) };
    let mut data = &bytes[header_len..];
    let mut take = |len: u16| -> Result<&[u8], RecordError> {
        let len = usize::from(len);
        if data.len() < len {
            return Err(RecordError("field lengths exceed the record"));
        }
        let (field, rest) = data.split_at(len);
        data = rest;
        Ok(field)
    };
    let path = take(record.path_len)?;
    let filename = take(record.filename_len)?;
    let interp = take(record.interp_len)?;
    let argv = take(record.argv_len)?;
    let cwd = take(record.cwd_len)?;

    let mut notes: Vec<String> =
        NOTES.iter().filter(|(bit, _)| record.flags & bit != 0).map(|(_, note)| note.to_string()).collect();
    let mut text = |name: &str, bytes: &[u8]| -> String {
        let (value, escaped) = bytes_to_text(until_nul(bytes));
        if escaped {
            notes.push(format!("{name}_escaped"));
        }
        value
    };

    let process_name = text("processName", &as_bytes(&record.comm));
    let parent_name = text("parent_process_name", &as_bytes(&record.parent_comm));
    let host_name = text("hostName", &as_bytes(&record.host_name));
    let cgroup_name = text("cgroup", &as_bytes(&record.cgroup_name));
    let pathname = text("pathname", path);
    let invoked_path = text("invoked_path", filename);
    let interpreter = text("interpreter", interp);
    let argv: Vec<String> = split_argv(argv).into_iter().map(|arg| text("argv", arg)).collect();
    let cwd = (!cwd.is_empty()).then(|| text("cwd", cwd));
    notes.dedup();

    let to_unix = |boot_ns: u64| i64::try_from(boot_ns).unwrap_or(i64::MAX).saturating_add(clock_offset_ns);
    let mut event = Event {
        timestamp: to_unix(record.timestamp_boot_ns),
        thread_start_time: to_unix(record.thread_start_boot_ns),
        processor_id: i64::from(record.processor),
        process_id: i64::from(record.pid),
        cgroup_id: record.cgroup_id,
        thread_id: i64::from(record.tid),
        parent_process_id: i64::from(record.ppid),
        host_process_id: i64::from(record.host_pid),
        host_thread_id: i64::from(record.host_tid),
        host_parent_process_id: i64::from(record.host_ppid),
        user_id: i64::from(record.uid),
        mount_namespace: i64::from(record.mount_ns),
        pid_namespace: i64::from(record.pid_ns),
        process_name,
        host_name,
        container_id: container_id_from_cgroup(&cgroup_name).unwrap_or_default().to_string(),
        // NOTE: executable_path stays empty: it would need a second dentry
        // walk of the caller's exe_file in the kernel on every exec.
        event_id: SECURITY_BPRM_CHECK_ID.to_string(),
        event_name: SECURITY_BPRM_CHECK.to_string(),
        syscall: syscall_name(record.syscall_nr).to_string(),
        ..Event::default()
    };
    event.args = vec![
        Argument::new("pathname", "const char*", pathname),
        Argument::new("dev", "dev_t", record.dev),
        Argument::new("inode", "unsigned long", record.inode),
        Argument::new("argv", "const char**", argv),
        Argument::new("invoked_path", "const char*", invoked_path),
        Argument::new("interpreter", "const char*", interpreter),
        Argument::new("parent_process_name", "const char*", parent_name),
        Argument::new("capture_notes", "const char**", notes),
    ];
    if let Some(cwd) = cwd {
        // Present only when the invoked path is relative.
        event.args.push(Argument::new("cwd", "const char*", cwd));
    }
    if record.flags & FLAG_CGI_ENVIRONMENT != 0 {
        // Present only when true: the environment has GATEWAY_INTERFACE=.
        event.args.push(Argument::new("cgi_environment", "bool", true));
    }
    Ok(event)
}

fn as_bytes(chars: &[i8]) -> Vec<u8> {
    chars.iter().map(|&c| c as u8).collect()
}

fn until_nul(bytes: &[u8]) -> &[u8] {
    match memchr_nul(bytes) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// Splits NUL-separated arguments; a last argument cut without its NUL is
/// kept as it is.
fn split_argv(bytes: &[u8]) -> Vec<&[u8]> {
    let mut args: Vec<&[u8]> = bytes.split(|&b| b == 0).collect();
    if bytes.last() == Some(&0) || bytes.is_empty() {
        args.pop();
    }
    args
}

/// Returns the bytes as text, escaped as described in the module
/// documentation when they are not valid UTF-8, and whether they were.
pub fn bytes_to_text(bytes: &[u8]) -> (String, bool) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_string(), false);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(&chunk.valid().replace('\\', "\\\\"));
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    (out, true)
}

fn syscall_name(number: i32) -> &'static str {
    #[cfg(target_arch = "x86_64")]
    const NUMBERS: (i32, i32) = (59, 322);
    #[cfg(target_arch = "aarch64")]
    const NUMBERS: (i32, i32) = (221, 281);
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    const NUMBERS: (i32, i32) = (-2, -2);
    match number {
        n if n == NUMBERS.0 => "execve",
        n if n == NUMBERS.1 => "execveat",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_only_invalid_values() {
        assert_eq!(bytes_to_text(b"/bin/sh"), ("/bin/sh".to_string(), false));
        assert_eq!(bytes_to_text(b"a\\b"), ("a\\b".to_string(), false));
        assert_eq!(bytes_to_text(b"a\\b\xff"), ("a\\\\b\\xff".to_string(), true));
    }

    #[test]
    fn argv_split_keeps_cut_last_argument() {
        assert_eq!(split_argv(b"sh\0-c\0true\0"), vec![&b"sh"[..], b"-c", b"true"]);
        assert_eq!(split_argv(b"sh\0-c\0tr"), vec![&b"sh"[..], b"-c", b"tr"]);
        assert!(split_argv(b"").is_empty());
    }

    #[test]
    fn short_record_is_an_error() {
        assert!(decode_record(&[0; 8], 0).is_err());
    }
}
