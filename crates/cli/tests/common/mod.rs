//! Helpers shared by the end-to-end tests: paths and a runner for the
//! binary.

#![allow(dead_code)]

pub mod sensor;

use std::os::unix::process::CommandExt;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_shellsentry")
}

pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/tracee-docs-events.jsonl")
}

/// Runs the binary with arguments and optional standard input.
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(binary())
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the shellsentry binary starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    child.wait_with_output().expect("shellsentry runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("standard output is UTF-8")
}

/// Parses the finding lines a sensor or replay printed.
pub fn findings(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}"))).collect()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Builds a `security_bprm_check` event line for a process name and pathname.
pub fn exec_line(process_name: &str, pathname: &str) -> String {
    serde_json::json!({
        "timestamp": 1_700_000_000_000_000_000u64,
        "processId": 10, "hostProcessId": 10,
        "processName": process_name,
        "eventId": "1019", "eventName": "security_bprm_check",
        "args": [{"name": "pathname", "type": "const char*", "value": pathname}],
    })
    .to_string()
}

/// A temporary folder removed on drop.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("shellsentry-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts a program under a chosen process name (comm, set with prctl
/// before the exec), with argv[0] set to the program's file name as popen()
/// and most servers set it, and waits for it. Returns its pid and exit
/// code; an exec that prevention denies fails with EPERM.
pub fn spawn_named(name: &str, program: &std::path::Path, args: &[&str]) -> std::io::Result<(u32, i32)> {
    let name = std::ffi::CString::new(name).unwrap();
    let mut command = Command::new(program);
    command.arg0(program.file_name().unwrap()).args(args).stdout(Stdio::null()).stderr(Stdio::null());
    // SAFETY: prctl is async-signal-safe and is all that runs between fork and exec.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_NAME, name.as_ptr() as libc::c_ulong, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn()?;
    let pid = child.id();
    let status = child.wait()?;
    Ok((pid, status.code().unwrap_or(-1)))
}
