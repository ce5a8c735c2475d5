//! The acceptance harness: real servers on loopback, real HTTP, and the
//! live sensor watching.
//!
//! Every server binds to 127.0.0.1 on a free port and runs in its own
//! process group, which is ended by its id when the server handle drops,
//! also when a test fails.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::sensor::{require_root, Sensor};
use crate::common::{self, TempDir};

/// How long a server may take to accept connections (Tomcat is the slowest).
const SERVER_START_TIMEOUT: Duration = Duration::from_secs(90);

/// Returns a port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().unwrap().port()
}

/// Returns the installed version of a Debian package, failing the test when
/// the package is missing: a scenario never passes by skipping.
pub fn package_version(package: &str) -> String {
    let output = Command::new("dpkg-query").args(["-W", "-f", "${Version}", package]).output().unwrap();
    assert!(
        output.status.success() && !output.stdout.is_empty(),
        "package {package} is not installed: run scripts/install-packages (the test command does)"
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Creates a scenario's working folder, readable by the servers' unprivileged users.
pub fn work_dir(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    set_mode(&dir.0, 0o755);
    dir
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Writes a file, creating its folders (mode 755), with a file mode.
pub fn write_file(path: &Path, contents: &str, mode: u32) {
    let mut folder = path.parent().unwrap().to_path_buf();
    std::fs::create_dir_all(&folder).unwrap();
    while folder.starts_with(std::env::temp_dir()) && folder != std::env::temp_dir() {
        set_mode(&folder, 0o755);
        folder.pop();
    }
    std::fs::write(path, contents).unwrap();
    set_mode(path, mode);
}

/// Gives a path to the www-data user, for servers that write as that user.
pub fn give_to_www_data(path: &Path) {
    let status = Command::new("chown").args(["-R", "www-data:www-data"]).arg(path).status().unwrap();
    assert!(status.success());
}

/// A server process group started by the test.
pub struct Server {
    child: Child,
    log: PathBuf,
    /// Pid files of daemons that leave the process group (php-fpm starts
    /// its own session), stopped by the pid they record.
    pid_files: Vec<PathBuf>,
}

impl Server {
    /// Starts a command in its own process group and waits until the port
    /// accepts connections. Its output goes to a log file in `dir`.
    pub fn start(name: &str, mut command: Command, port: u16, dir: &Path) -> Server {
        let log = dir.join(format!("{name}.out"));
        let log_file = std::fs::File::create(&log).unwrap();
        command.stdin(Stdio::null()).stdout(log_file.try_clone().unwrap()).stderr(log_file).process_group(0);
        let child = command.spawn().unwrap_or_else(|err| panic!("cannot start {name}: {err}"));
        let mut server = Server { child, log, pid_files: Vec::new() };
        let deadline = Instant::now() + SERVER_START_TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("{name} exited with {status} before listening:\n{}", server.output());
            }
            assert!(Instant::now() < deadline, "{name} did not listen on port {port}:\n{}", server.output());
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// Also stops, on stop, the process whose pid this file records.
    pub fn also_stop(&mut self, pid_file: PathBuf) {
        self.pid_files.push(pid_file);
    }

    /// Returns what the server printed so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends a signal to the server's main process.
    pub fn signal(&self, signal: i32) {
        // SAFETY: kill is called with the pid of our own child.
        unsafe { libc::kill(self.child.id() as i32, signal) };
    }

    /// Stops the process group: SIGTERM, then SIGKILL after a grace period.
    /// Processes named by the pid files get the same.
    pub fn stop(&mut self) {
        for pid_file in &self.pid_files {
            if let Some(pid) = std::fs::read_to_string(pid_file).ok().and_then(|text| text.trim().parse::<i32>().ok()) {
                stop_process(pid);
            }
        }
        let group = self.child.id() as i32;
        // SAFETY: the group id is our child's, which leads its own group.
        unsafe { libc::kill(-group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Children that outlive the main process (workers) go with the group.
        // SAFETY: as above.
        unsafe { libc::kill(-group, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Stops one process by pid: SIGTERM, then SIGKILL if it is still there
/// after a grace period.
fn stop_process(pid: i32) {
    // SAFETY: the pid comes from a pid file of a daemon this test started.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(10);
    // SAFETY: signal 0 only checks that the process exists.
    while unsafe { libc::kill(pid, 0) } == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: as above.
    unsafe { libc::kill(pid, libc::SIGKILL) };
}

/// Sends `GET path` over HTTP/1.0 and returns the status code and body.
pub fn http_get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    // CGI scripts may end their headers with a bare "\n\n", which some
    // servers (busybox httpd) pass through.
    let crlf = response.find("\r\n\r\n").map(|at| at + 4);
    let lf = response.find("\n\n").map(|at| at + 2);
    let body_start = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(response.len()),
    };
    let body = response[body_start..].to_string();
    (status, body)
}

/// What the sensors saw during a scenario.
pub struct Observation {
    /// Findings of the live sensor with the default profile.
    pub live_findings: Vec<Value>,
    /// Every exec, recorded with `--all-events`.
    pub recording: String,
    dir: TempDir,
}

/// Runs `act` while a live sensor (default profile) and a recorder run.
pub fn observe(tag: &str, act: impl FnOnce()) -> Observation {
    require_root();
    let live = Sensor::start(&[]);
    let recorder = Sensor::start(&["--all-events"]);
    act();
    let (live_code, live_stdout, live_log) = live.stop();
    let (recorder_code, recording, recorder_log) = recorder.stop();
    assert_eq!(live_code, Some(0), "{live_log}");
    assert_eq!(recorder_code, Some(0), "{recorder_log}");
    let live_findings = common::findings(&live_stdout);
    Observation { live_findings, recording, dir: TempDir::new(&format!("{tag}-recording")) }
}

impl Observation {
    /// Returns the findings a replay of the recording gives with a profile.
    pub fn replay_findings(&self, profile: &str) -> Vec<Value> {
        let file = self.dir.file("exec.jsonl", self.recording.as_bytes());
        let output = common::run(&["replay", "--profile", profile, file.to_str().unwrap()], None);
        assert!(output.status.success(), "{}", common::stderr(&output));
        common::findings(&common::stdout(&output))
    }

    /// Returns the recorded exec events whose argv contains `marker`.
    pub fn execs_with(&self, marker: &str) -> Vec<Value> {
        self.recording
            .lines()
            .filter(|line| line.contains(marker))
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .filter(|event| argv_contains(event, marker))
            .collect()
    }
}

/// Tells whether an event's argv contains `marker` in any argument.
pub fn argv_contains(event: &Value, marker: &str) -> bool {
    argument(event, "argv")
        .and_then(Value::as_array)
        .is_some_and(|argv| argv.iter().any(|arg| arg.as_str().is_some_and(|a| a.contains(marker))))
}

pub fn argument<'a>(event: &'a Value, name: &str) -> Option<&'a Value> {
    event["args"].as_array()?.iter().find(|arg| arg["name"] == name).map(|arg| &arg["value"])
}

/// Findings whose triggering exec ran a command line containing `marker`.
pub fn findings_with(findings: &[Value], marker: &str) -> Vec<Value> {
    findings.iter().filter(|finding| argv_contains(&finding["Context"], marker)).cloned().collect()
}

/// One row of the detection matrix.
#[derive(Debug)]
pub struct Verdicts {
    /// Debian package and version of the server.
    pub package: String,
    pub caller: String,
    pub executed: String,
    pub tracee: bool,
    pub default: bool,
}

/// Works out the verdicts for the shell exec whose argv contains `marker`.
/// The caller and path come from the recording and the tracee verdict from
/// a replay of it. The default verdict comes from the live sensor, and a
/// replay with the default profile must agree with it.
pub fn verdicts(observation: &Observation, marker: &str, package: &str) -> Verdicts {
    let execs = observation.execs_with(marker);
    let shell_exec = execs
        .iter()
        .find(|event| {
            let path = argument(event, "pathname").and_then(Value::as_str).unwrap_or("");
            ["/dash", "/bash", "/sh", "/busybox"].iter().any(|shell| path.ends_with(shell))
        })
        .unwrap_or_else(|| panic!("no shell exec with {marker} was recorded: {execs:?}"));
    let tracee = !findings_with(&observation.replay_findings("tracee"), marker).is_empty();
    let live_default = !findings_with(&observation.live_findings, marker).is_empty();
    let replay_default = !findings_with(&observation.replay_findings("default"), marker).is_empty();
    assert_eq!(live_default, replay_default, "live and replayed verdicts differ for {marker}");
    let verdicts = Verdicts {
        package: format!("{package} {}", package_version(package)),
        caller: shell_exec["processName"].as_str().unwrap().to_string(),
        executed: argument(shell_exec, "pathname").unwrap().as_str().unwrap().to_string(),
        tracee,
        default: live_default,
    };
    record_matrix_row(marker, &verdicts);
    verdicts
}

/// Appends a row to the file named by SHELLSENTRY_MATRIX_OUT, if set;
/// scripts/detection-matrix turns the rows into docs/detection-matrix.md.
fn record_matrix_row(marker: &str, verdicts: &Verdicts) {
    let Some(path) = std::env::var_os("SHELLSENTRY_MATRIX_OUT") else {
        return;
    };
    let row = serde_json::json!({
        "scenario": marker,
        "package": verdicts.package,
        "caller": verdicts.caller,
        "executed": verdicts.executed,
        "tracee": verdicts.tracee,
        "default": verdicts.default,
    });
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    writeln!(file, "{row}").unwrap();
}
