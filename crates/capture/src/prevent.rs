//! Prevention: deny a shell's execution before it runs, with fanotify
//! permission events (`FAN_OPEN_EXEC_PERM`, Linux 5.0+).
//!
//! The shells' files are marked; every exec of one blocks in the kernel
//! until this process responds. At that moment the caller still has its
//! pre-exec name and memory, so the request is turned into the same
//! `security_bprm_check` event that detection receives (name from
//! /proc/PID/comm, argv from the blocked execve's arguments through
//! /proc/PID/syscall and /proc/PID/mem) and judged by the same code.
//!
//! Safety, so that no exec on the host stays blocked:
//! - one thread answers every request, doing only small /proc reads;
//! - a watchdog answers `FAN_ALLOW` for any request still unanswered after
//!   [`DECISION_DEADLINE`], so a slow or stuck decision delays an exec by at
//!   most that bound;
//! - if the process dies (crash, SIGKILL), the kernel closes the fanotify
//!   descriptor and allows every pending request.
//!
//! NOTE: a process that is stopped (SIGSTOP) as a whole stops its watchdog
//! too, so execs of shells wait until it continues or is killed.

use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use shellsentry_core::config::PreventMode;
use shellsentry_core::events::{Argument, Event, SECURITY_BPRM_CHECK, SECURITY_BPRM_CHECK_ID};

/// Maximum time an exec of a shell waits for a decision before the
/// watchdog allows it.
pub const DECISION_DEADLINE: Duration = Duration::from_millis(250);

const WATCHDOG_INTERVAL: Duration = Duration::from_millis(10);
const ARGV_MAX_COUNT: usize = 64;
const ARG_MAX_LEN: usize = 4096;

/// Error starting prevention.
#[derive(Debug, thiserror::Error)]
pub enum PreventError {
    #[error(
        "fanotify permission events are not available ({0}): the kernel needs \
         CONFIG_FANOTIFY_ACCESS_PERMISSIONS and the process CAP_SYS_ADMIN; run without --prevent, \
         or with --prevent=audit on a kernel that has them"
    )]
    Unavailable(std::io::Error),
    #[error("cannot watch {path} for execs: {error}")]
    Mark { path: String, error: std::io::Error },
    #[error("no shell binary found to protect")]
    NoShells,
}

/// A running prevention thread.
pub struct Prevention {
    fanotify: Arc<OwnedFd>,
    marked: Vec<(PathBuf, u64, u64)>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Prevention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prevention").field("marked", &self.marked).finish_non_exhaustive()
    }
}

/// The request being decided, shared with the watchdog.
#[derive(Debug, Default)]
struct InFlight {
    request: Option<(RawFd, Instant)>,
}

impl Prevention {
    /// Marks the shell files and starts responding to their execs. `judge`
    /// turns each request's event into a finding when the rule flags it.
    /// `report` receives each finding with the action taken (`true` when the
    /// exec was denied).
    pub fn start<T: Send + 'static>(
        mode: PreventMode,
        shell_paths: &[PathBuf],
        mut judge: impl FnMut(Event) -> Option<T> + Send + 'static,
        mut report: impl FnMut(T, bool) + Send + 'static,
    ) -> Result<Prevention, PreventError> {
        // SAFETY: fanotify_init has no memory preconditions.
        let raw = unsafe {
            libc::fanotify_init(libc::FAN_CLASS_CONTENT | libc::FAN_CLOEXEC, (libc::O_RDONLY | libc::O_LARGEFILE) as u32)
        };
        if raw < 0 {
            return Err(PreventError::Unavailable(std::io::Error::last_os_error()));
        }
        // SAFETY: raw is a new descriptor that nothing else owns.
        let fanotify = Arc::new(unsafe { OwnedFd::from_raw_fd(raw) });
        let mut prevention =
            Prevention { fanotify, marked: Vec::new(), stop: Arc::new(AtomicBool::new(false)), threads: Vec::new() };
        for path in shell_paths {
            prevention.mark(path)?;
        }
        if prevention.marked.is_empty() {
            return Err(PreventError::NoShells);
        }

        let in_flight = Arc::new(Mutex::new(InFlight::default()));
        let fanotify = Arc::clone(&prevention.fanotify);
        let stop = Arc::clone(&prevention.stop);
        let shared = Arc::clone(&in_flight);
        prevention.threads.push(std::thread::spawn(move || {
            answer_requests(&fanotify, &stop, &shared, mode, &mut judge, &mut report);
        }));
        let fanotify = Arc::clone(&prevention.fanotify);
        let stop = Arc::clone(&prevention.stop);
        prevention.threads.push(std::thread::spawn(move || watchdog(&fanotify, &stop, &in_flight)));
        let paths: Vec<String> = prevention.marked.iter().map(|(p, _, _)| p.display().to_string()).collect();
        tracing::info!(mode = %mode, mechanism = "fanotify", shells = ?paths, deadline_ms = DECISION_DEADLINE.as_millis() as u64, "prevention started");
        Ok(prevention)
    }

    fn mark(&mut self, path: &Path) -> Result<(), PreventError> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).map_err(|error| PreventError::Mark { path: path.display().to_string(), error })?;
        let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("paths have no NUL");
        // SAFETY: the descriptor is open and c_path is a valid C string.
        let result = unsafe {
            libc::fanotify_mark(self.fanotify.as_raw_fd(), libc::FAN_MARK_ADD, libc::FAN_OPEN_EXEC_PERM, libc::AT_FDCWD, c_path.as_ptr())
        };
        if result < 0 {
            return Err(PreventError::Mark { path: path.display().to_string(), error: std::io::Error::last_os_error() });
        }
        self.marked.retain(|(p, _, _)| p != path);
        self.marked.push((path.to_path_buf(), meta.dev(), meta.ino()));
        Ok(())
    }

    /// Marks a shell file again when it was replaced (a package upgrade
    /// installs a new inode, which carries no mark). Call it periodically.
    pub fn refresh(&mut self) {
        use std::os::unix::fs::MetadataExt;
        let replaced: Vec<PathBuf> = self
            .marked
            .iter()
            .filter(|(path, dev, ino)| std::fs::metadata(path).is_ok_and(|m| m.dev() != *dev || m.ino() != *ino))
            .map(|(path, _, _)| path.clone())
            .collect();
        for path in replaced {
            match self.mark(&path) {
                Ok(()) => tracing::info!(path = %path.display(), "shell binary replaced; marked the new file"),
                Err(err) => tracing::warn!(error = %err, "cannot mark a replaced shell binary"),
            }
        }
    }
}

impl Drop for Prevention {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // The threads notice the flag within one poll interval; closing the
        // descriptor (when the last Arc goes) allows anything still pending.
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        tracing::info!("prevention stopped");
    }
}

fn answer_requests<T>(
    fanotify: &OwnedFd,
    stop: &AtomicBool,
    in_flight: &Mutex<InFlight>,
    mode: PreventMode,
    judge: &mut dyn FnMut(Event) -> Option<T>,
    report: &mut dyn FnMut(T, bool),
) {
    let mut buffer = vec![0u8; 4096 * 4];
    while !stop.load(Ordering::Relaxed) {
        let mut poll = libc::pollfd { fd: fanotify.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: poll gets one valid pollfd.
        if unsafe { libc::poll(&mut poll, 1, 100) } <= 0 {
            continue;
        }
        // SAFETY: the buffer is writable for its length.
        let read = unsafe { libc::read(fanotify.as_raw_fd(), buffer.as_mut_ptr().cast(), buffer.len()) };
        if read <= 0 {
            continue;
        }
        let mut offset = 0usize;
        let header = std::mem::size_of::<libc::fanotify_event_metadata>();
        while offset + header <= read as usize {
            // SAFETY: the kernel wrote a whole metadata record at offset.
            let metadata: libc::fanotify_event_metadata =
                unsafe { std::ptr::read_unaligned(buffer.as_ptr().add(offset).cast()) };
            offset += metadata.event_len.max(header as u32) as usize;
            if metadata.fd < 0 {
                continue;
            }
            // SAFETY: the kernel opened this descriptor for us to own.
            let file = unsafe { OwnedFd::from_raw_fd(metadata.fd) };
            if metadata.mask & libc::FAN_OPEN_EXEC_PERM == 0 {
                continue;
            }
            in_flight.lock().unwrap_or_else(|e| e.into_inner()).request = Some((metadata.fd, Instant::now()));
            let mut finding = judge(request_event(metadata.pid, &file));
            let deny = finding.is_some() && mode == PreventMode::Deny;
            // In audit mode the report goes out before the exec continues, so
            // it is ahead of the detection event that the exec then causes.
            if !deny {
                if let Some(finding) = finding.take() {
                    report(finding, false);
                }
            }
            let answered_here = {
                let mut guard = in_flight.lock().unwrap_or_else(|e| e.into_inner());
                let still_ours = guard.request.is_some_and(|(fd, _)| fd == metadata.fd);
                if still_ours {
                    respond(fanotify, metadata.fd, if deny { libc::FAN_DENY } else { libc::FAN_ALLOW });
                    guard.request = None;
                }
                still_ours
            };
            if let Some(finding) = finding {
                report(finding, deny && answered_here);
            }
            drop(file);
        }
    }
}

/// Allows any request that waited longer than the deadline.
fn watchdog(fanotify: &OwnedFd, stop: &AtomicBool, in_flight: &Mutex<InFlight>) {
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(WATCHDOG_INTERVAL);
        let mut guard = in_flight.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((fd, since)) = guard.request {
            if since.elapsed() >= DECISION_DEADLINE {
                respond(fanotify, fd, libc::FAN_ALLOW);
                guard.request = None;
                tracing::warn!(deadline_ms = DECISION_DEADLINE.as_millis() as u64, "a decision took too long; the exec was allowed");
            }
        }
    }
}

fn respond(fanotify: &OwnedFd, fd: RawFd, response: u32) {
    let reply = libc::fanotify_response { fd, response };
    // SAFETY: the response is a valid fanotify_response for the open descriptor.
    let written = unsafe {
        libc::write(fanotify.as_raw_fd(), (&reply as *const libc::fanotify_response).cast(), std::mem::size_of_val(&reply))
    };
    if written < 0 {
        tracing::warn!(error = %std::io::Error::last_os_error(), "cannot respond to a fanotify permission request");
    }
}

/// Builds the `security_bprm_check` event of a blocked exec from /proc.
fn request_event(pid: i32, file: &OwnedFd) -> Event {
    let pathname = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim_end_matches('\n').to_string();
    let (ppid, uid) = parent_and_uid(pid);
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    let mut event = Event {
        timestamp,
        process_id: i64::from(pid),
        thread_id: i64::from(pid),
        parent_process_id: ppid,
        host_process_id: i64::from(pid),
        host_thread_id: i64::from(pid),
        host_parent_process_id: ppid,
        user_id: uid,
        process_name: comm,
        host_name: std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_string(),
        event_id: SECURITY_BPRM_CHECK_ID.into(),
        event_name: SECURITY_BPRM_CHECK.into(),
        syscall: "execve".into(),
        ..Event::default()
    };
    event.args.push(Argument::new("pathname", "const char*", pathname));
    if let Some(argv) = blocked_exec_argv(pid) {
        event.args.push(Argument::new("argv", "const char**", argv));
    }
    event
}

fn parent_and_uid(pid: i32) -> (i64, i64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| -> i64 {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|value| value.parse().ok())
            .unwrap_or(0)
    };
    (field("PPid:"), field("Uid:"))
}

/// Reads the argv of the execve or execveat a process is blocked in, from
/// its syscall arguments and its memory, which are still the caller's.
fn blocked_exec_argv(pid: i32) -> Option<Vec<String>> {
    // "NR ARG1 ARG2 ... SP PC": the number in decimal, the rest in hex.
    let syscall = std::fs::read_to_string(format!("/proc/{pid}/syscall")).ok()?;
    let mut fields = syscall.split_whitespace();
    let number: u64 = fields.next()?.parse().ok()?;
    let args: Vec<u64> = fields
        .map(|field| u64::from_str_radix(field.trim_start_matches("0x"), 16))
        .collect::<Result<_, _>>()
        .ok()?;
    let argv_pointer = match (std::env::consts::ARCH, number) {
        ("x86_64", 59) | ("aarch64", 221) => *args.get(1)?,
        ("x86_64", 322) | ("aarch64", 281) => *args.get(2)?,
        _ => return None,
    };
    let memory = File::open(format!("/proc/{pid}/mem")).ok()?;
    let mut argv = Vec::new();
    for index in 0..ARGV_MAX_COUNT as u64 {
        let mut pointer = [0u8; 8];
        memory.read_exact_at(&mut pointer, argv_pointer + index * 8).ok()?;
        let address = u64::from_ne_bytes(pointer);
        if address == 0 {
            return Some(argv);
        }
        let mut bytes = vec![0u8; ARG_MAX_LEN];
        let read = memory.read_at(&mut bytes, address).ok()?;
        bytes.truncate(read);
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        argv.push(String::from_utf8_lossy(&bytes[..end]).into_owned());
    }
    Some(argv)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The watchdog allows an exec whose decision stalls. Needs root, like
    /// the live tests: it marks the host's /bin/sh for a moment.
    #[test]
    fn stalled_decision_allowed_within_deadline() {
        assert_eq!(unsafe { libc::geteuid() }, 0, "prevention tests need root");
        let shell = std::fs::canonicalize("/bin/sh").unwrap();
        let prevention = Prevention::start(
            PreventMode::Deny,
            &[shell],
            |_event| {
                std::thread::sleep(Duration::from_secs(3));
                Some(())
            },
            |_, _| {},
        )
        .unwrap();
        let started = Instant::now();
        let status = std::process::Command::new("/bin/sh").args(["-c", "true"]).status().unwrap();
        let waited = started.elapsed();
        assert!(status.success(), "the watchdog allows the exec although the rule would deny it");
        assert!(waited >= DECISION_DEADLINE, "the exec waited for the deadline: {waited:?}");
        assert!(waited < DECISION_DEADLINE + Duration::from_secs(1), "bounded wait: {waited:?}");
        drop(prevention);
    }

    #[test]
    fn own_argv_read_from_memory() {
        // This process is not blocked in execve, so nothing is read.
        assert_eq!(blocked_exec_argv(std::process::id() as i32), None);
    }
}
