//! Facts that only the live host can tell, added to each exec event as
//! extra arguments, so that the default profile can use them and a recorded
//! stream keeps them for replay:
//! - `known_shell`, `known_shell_match`: the executed file is a hard link
//!   (same device and inode) or a copy (same size and SHA-256) of a known
//!   shell under another name;
//! - `shebang`: the first line of a script run by busybox;
//! - `parent_argv`, `parent_listens_tcp`: the caller's parent command line,
//!   and whether it has a listening TCP socket, for callers whose
//!   web-facing status depends on them (busybox, node, gunicorn...).
//!
//! Files are read through /proc/PID/root, so a containerised process's
//! paths resolve in its own mount namespace. Each read is bounded, and a
//! file or process that is gone leaves the argument out.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use shellsentry_core::detection::web_facing::{basename, SERVING_RUNTIMES};
use shellsentry_core::events::{Argument, Event};

/// Folders searched for the shells of the profile.
const SHELL_FOLDERS: &[&str] = &["/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin"];

/// Content digests remembered, by file identity; the oldest half is dropped
/// when full.
const DIGEST_CACHE_CAPACITY: usize = 4096;

/// Bytes of a script read to find its `#!` line.
const SHEBANG_MAX: usize = 256;

/// A shell binary of this host.
#[derive(Clone, Debug)]
struct KnownShell {
    path: String,
    dev: u64,
    inode: u64,
    size: u64,
    digest: [u8; 32],
}

/// File identity as the content cache keys it; the change time makes a
/// rewritten file miss the cache.
type FileKey = (u64, u64, i64, i64);

/// Adds host facts to exec events. A clone shares nothing and costs no new
/// hashing, so each thread can have its own.
#[derive(Clone, Debug)]
pub struct Enricher {
    shells: Vec<KnownShell>,
    shell_names: Vec<String>,
    digests: HashMap<FileKey, [u8; 32]>,
}

impl Enricher {
    /// Finds the host's files for these shell names (resolving symlinks) and
    /// hashes them once.
    pub fn new(shell_names: &[String]) -> Enricher {
        let mut shells: Vec<KnownShell> = Vec::new();
        for name in shell_names {
            for folder in SHELL_FOLDERS {
                let candidate = Path::new(folder).join(name);
                let Ok(path) = std::fs::canonicalize(&candidate) else {
                    continue;
                };
                let Ok(meta) = std::fs::metadata(&path) else {
                    continue;
                };
                if shells.iter().any(|s| s.dev == meta.dev() && s.inode == meta.ino()) {
                    continue;
                }
                match hash_file(&path) {
                    Ok(digest) => shells.push(KnownShell {
                        path: path.to_string_lossy().into_owned(),
                        dev: meta.dev(),
                        inode: meta.ino(),
                        size: meta.len(),
                        digest,
                    }),
                    Err(err) => tracing::warn!(path = %path.display(), error = %err, "cannot read a shell binary"),
                }
            }
        }
        let found: Vec<&str> = shells.iter().map(|s| s.path.as_str()).collect();
        tracing::info!(shells = ?found, "known shell binaries for hard-link and copy detection");
        Enricher { shells, shell_names: shell_names.to_vec(), digests: HashMap::new() }
    }

    /// Returns the paths of the host's shell binaries, symlinks resolved.
    pub fn shell_paths(&self) -> Vec<PathBuf> {
        self.shells.iter().map(|shell| PathBuf::from(&shell.path)).collect()
    }

    /// Adds the host facts that apply to one event.
    pub fn enrich(&mut self, event: &mut Event) {
        let pathname = event.string_argument("pathname").unwrap_or_default().to_string();
        let pid = event.host_process_id;
        if !pathname.is_empty() && !self.shell_names.iter().any(|name| name == basename(&pathname)) {
            if let Some((known, how)) = self.identify(event, pid, &pathname) {
                event.args.push(Argument::new("known_shell", "const char*", known));
                event.args.push(Argument::new("known_shell_match", "const char*", how));
            }
        }
        if basename(&pathname) == "busybox" {
            let invoked = event.string_argument("invoked_path").unwrap_or_default().to_string();
            let interpreter = event.string_argument("interpreter").unwrap_or_default();
            if !invoked.is_empty() && interpreter != invoked {
                // The kernel recorded the working folder of a relative
                // path, so the script is found after a short-lived process
                // has exited.
                let script = match event.string_argument("cwd") {
                    Ok(cwd) if !invoked.starts_with('/') => format!("{}/{invoked}", cwd.trim_end_matches('/')),
                    _ => invoked.clone(),
                };
                if let Some(line) = read_shebang(&in_process_root(pid, &script)) {
                    event.args.push(Argument::new("shebang", "const char*", line));
                }
            }
        }
        let caller = event.process_name.as_str();
        if caller == "busybox" || SERVING_RUNTIMES.contains(&caller) {
            let parent = event.host_parent_process_id;
            if let Some(argv) = read_cmdline(parent) {
                event.args.push(Argument::new("parent_argv", "const char**", argv));
            }
            event.args.push(Argument::new("parent_listens_tcp", "bool", listens_on_tcp(parent)));
        }
    }

    /// Returns the known shell the executed file is identical to, and how.
    fn identify(&mut self, event: &Event, pid: i64, pathname: &str) -> Option<(String, &'static str)> {
        let dev = event.argument("dev").and_then(|a| a.value.as_u64()).map(kernel_dev_to_user)?;
        let inode = event.argument("inode").and_then(|a| a.value.as_u64())?;
        if let Some(shell) = self.shells.iter().find(|s| s.dev == dev && s.inode == inode) {
            return Some((shell.path.clone(), "hard link"));
        }
        let path = in_process_root(pid, pathname);
        let file = File::open(&path).ok()?;
        let meta = file.metadata().ok()?;
        // The file must still be the one executed, and as large as a shell.
        if meta.dev() != dev || meta.ino() != inode || !self.shells.iter().any(|s| s.size == meta.len()) {
            return None;
        }
        let key = (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec());
        let digest = match self.digests.get(&key) {
            Some(digest) => *digest,
            None => {
                let digest = hash_reader(file).ok()?;
                if self.digests.len() >= DIGEST_CACHE_CAPACITY {
                    let drop: Vec<FileKey> = self.digests.keys().take(DIGEST_CACHE_CAPACITY / 2).copied().collect();
                    for old in drop {
                        self.digests.remove(&old);
                    }
                }
                self.digests.insert(key, digest);
                digest
            }
        };
        let shell = self.shells.iter().find(|s| s.size == meta.len() && s.digest == digest)?;
        Some((shell.path.clone(), "same content"))
    }
}

/// Converts the kernel's internal device number (major << 20 | minor), as
/// the BPF program reads it, to the encoding stat() returns.
fn kernel_dev_to_user(dev: u64) -> u64 {
    libc::makedev((dev >> 20) as u32, (dev & 0xfffff) as u32)
}

/// Returns a path as the process resolves it: an absolute path through
/// /proc/PID/root, a relative one (as busybox httpd runs CGI scripts)
/// through /proc/PID/cwd. Without the process, the path itself.
fn in_process_root(pid: i64, path: &str) -> PathBuf {
    let base = if path.starts_with('/') { "root" } else { "cwd" };
    let folder = PathBuf::from(format!("/proc/{pid}/{base}"));
    if pid > 0 && folder.exists() {
        folder.join(path.trim_start_matches('/'))
    } else {
        PathBuf::from(path)
    }
}

fn hash_file(path: &Path) -> std::io::Result<[u8; 32]> {
    hash_reader(File::open(path)?)
}

fn hash_reader(mut reader: impl Read) -> std::io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buffer[..read]);
    }
}

fn read_shebang(path: &Path) -> Option<String> {
    let mut buffer = [0u8; SHEBANG_MAX];
    let read = File::open(path).ok()?.read(&mut buffer).ok()?;
    let line = buffer[..read].split(|&b| b == b'\n').next()?;
    line.starts_with(b"#!").then(|| String::from_utf8_lossy(line).into_owned())
}

/// Returns a process's command line, or `None` when it is gone or empty.
pub(crate) fn read_cmdline(pid: i64) -> Option<Vec<String>> {
    let bytes = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args: Vec<String> = bytes.split(|&b| b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    (!args.is_empty()).then_some(args)
}

/// Tells whether a process has a TCP socket in the LISTEN state, in its
/// own network namespace.
fn listens_on_tcp(pid: i64) -> bool {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    let sockets: Vec<String> = entries
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter_map(|target| {
            let text = target.to_string_lossy().into_owned();
            text.strip_prefix("socket:[").and_then(|rest| rest.strip_suffix(']')).map(str::to_string)
        })
        .collect();
    if sockets.is_empty() {
        return false;
    }
    for table in ["tcp", "tcp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        // Columns: sl local_address rem_address st ... inode; 0A is LISTEN.
        for line in text.lines().skip(1) {
            let columns: Vec<&str> = line.split_whitespace().collect();
            if columns.len() > 9 && columns[3] == "0A" && sockets.iter().any(|inode| inode == columns[9]) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_dev_converts() {
        // 254:1 in the kernel's encoding is major << 20 | minor.
        let kernel = (254u64 << 20) | 1;
        assert_eq!(kernel_dev_to_user(kernel), libc::makedev(254, 1));
    }

    #[test]
    fn known_shells_found() {
        let enricher = Enricher::new(&["sh".to_string(), "no-such-shell".to_string()]);
        assert!(!enricher.shells.is_empty(), "/bin/sh exists on every test machine");
    }

    #[test]
    fn listening_socket_seen() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        assert!(listens_on_tcp(std::process::id() as i64));
        drop(listener);
    }

    #[test]
    fn shebang_read() {
        let path = std::env::temp_dir().join(format!("shellsentry-shebang-{}", std::process::id()));
        std::fs::write(&path, "#!/bin/busybox sh\necho hi\n").unwrap();
        assert_eq!(read_shebang(&path).as_deref(), Some("#!/bin/busybox sh"));
        std::fs::write(&path, "echo hi\n").unwrap();
        assert_eq!(read_shebang(&path), None);
        std::fs::remove_file(&path).unwrap();
    }
}
