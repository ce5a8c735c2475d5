//! A running `shellsentry run`, for tests that need the live sensor.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::binary;

/// Held by each test that runs a sensor: every sensor receives every exec
/// on the machine, so tests that count findings run one at a time.
pub static ONE_SENSOR_AT_A_TIME: Mutex<()> = Mutex::new(());

const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Fails the test unless it runs as root.
pub fn require_root() {
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(euid, 0, "the live sensor tests need root: run the test command as root (see README)");
}

/// A running `shellsentry run`.
pub struct Sensor {
    pub child: Child,
    stdout: Option<JoinHandle<String>>,
    stderr_lines: Receiver<String>,
    stderr: Vec<String>,
}

impl Sensor {
    /// Starts `shellsentry run` with arguments and waits until it is attached.
    pub fn start(args: &[&str]) -> Sensor {
        require_root();
        let mut child = Command::new(binary())
            .arg("run")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("shellsentry starts");
        let stdout = child.stdout.take().unwrap();
        let stdout = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
        let (sender, stderr_lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut sensor = Sensor { child, stdout: Some(stdout), stderr_lines, stderr: Vec::new() };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match sensor.stderr_lines.recv_timeout(left) {
                Ok(line) => {
                    let ready = line.contains("sensor running");
                    sensor.stderr.push(line);
                    if ready {
                        return sensor;
                    }
                }
                Err(_) => {
                    let _ = sensor.child.kill();
                    panic!("the sensor did not start:\n{}", sensor.stderr.join("\n"));
                }
            }
        }
    }

    /// Sends a signal, waits for the exit and returns (exit code, stdout, stderr).
    pub fn stop_with(mut self, signal: i32) -> (Option<i32>, String, String) {
        // SAFETY: kill is called with the pid of our own child.
        unsafe { libc::kill(self.child.id() as i32, signal) };
        let status = self.child.wait().unwrap();
        let stdout = self.stdout.take().expect("stopped once").join().unwrap();
        while let Ok(line) = self.stderr_lines.recv_timeout(Duration::from_secs(5)) {
            self.stderr.push(line);
        }
        (status.code(), stdout, std::mem::take(&mut self.stderr).join("\n"))
    }

    /// Stops the sensor with SIGTERM; returns (exit code, stdout, stderr).
    pub fn stop(self) -> (Option<i32>, String, String) {
        self.stop_with(libc::SIGTERM)
    }
}


impl Drop for Sensor {
    /// Stops a sensor that a failing test left running, so that no sensor
    /// (and no attached program) outlives its test.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // SAFETY: kill is called with the pid of our own child.
            unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
            let _ = self.child.wait();
        }
    }
}
