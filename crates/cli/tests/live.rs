//! Live tests of `shellsentry run`: the real BPF sensor on this kernel.
//!
//! They need root and fail, not skip, without it, because CI runs them as
//! root and a silent skip would hide a broken sensor. Tests run one at a
//! time because each sensor receives every exec on the machine, and each
//! test checks only the findings for the processes it started.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::sensor::{require_root, Sensor, ONE_SENSOR_AT_A_TIME};
use common::{binary, findings, spawn_named, TempDir};
use serde_json::Value;

/// Runs a program with a chosen process name (comm) and returns its pid.
fn run_named(name: &str, program: &Path, args: &[&str]) -> u32 {
    spawn_named(name, program, args).expect("the trigger program starts").0
}

fn findings_for_pid(stdout: &str, pid: u32) -> Vec<Value> {
    findings(stdout).into_iter().filter(|f| f["Context"]["hostProcessId"] == pid).collect()
}

fn argument<'a>(event: &'a Value, name: &str) -> &'a Value {
    let args = event["args"].as_array().expect("args is an array");
    &args.iter().find(|arg| arg["name"] == name).unwrap_or_else(|| panic!("no {name} in {event}"))["value"]
}

fn real_path(path: &str) -> String {
    std::fs::canonicalize(path).unwrap().to_string_lossy().into_owned()
}

#[test]
fn renamed_nginx_running_sh_is_found() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sensor = Sensor::start(&[]);
    let pid = run_named("nginx", Path::new("/bin/sh"), &["-c", "true"]);
    let (code, stdout, stderr) = sensor.stop();
    assert_eq!(code, Some(0), "{stderr}");

    let found = findings_for_pid(&stdout, pid);
    assert_eq!(found.len(), 1, "exactly one finding for pid {pid}: {stdout}");
    let finding = &found[0];
    let context = &finding["Context"];
    assert_eq!(finding["SigMetadata"]["ID"], "TRC-1016");
    assert_eq!(finding["Data"]["rule"], "listed name", "the default profile explains its findings");
    assert_eq!(context["processName"], "nginx");
    assert_eq!(context["eventName"], "security_bprm_check");
    assert_eq!(context["processId"], pid, "test runs in the host pid namespace");
    assert_eq!(context["parentProcessId"], std::process::id());
    assert_eq!(context["hostParentProcessId"], std::process::id());
    assert_eq!(argument(context, "pathname"), &Value::from(real_path("/bin/sh")));
    assert_eq!(argument(context, "invoked_path"), "/bin/sh");
    assert_eq!(argument(context, "argv"), &serde_json::json!(["sh", "-c", "true"]));
    let now_ns = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as i64;
    let age = now_ns - context["timestamp"].as_i64().unwrap();
    assert!((0..600_000_000_000).contains(&age), "timestamp is Unix time in nanoseconds: age {age} ns");
}

#[test]
fn tracee_trigger_copy_of_bash_named_apache() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::new("apache-zsh");
    let apache = dir.0.join("apache");
    let zsh = dir.0.join("zsh");
    std::fs::copy("/bin/bash", &apache).unwrap();
    std::fs::copy("/bin/ls", &zsh).unwrap();

    let sensor = Sensor::start(&["--profile", "tracee"]);
    let status = Command::new(&apache).arg("-c").arg(&zsh).stdout(Stdio::null()).status().unwrap();
    assert!(status.success());
    let (_, stdout, stderr) = sensor.stop();

    let zsh_path = zsh.to_string_lossy().into_owned();
    let found: Vec<Value> = findings(&stdout)
        .into_iter()
        .filter(|f| argument(&f["Context"], "pathname") == zsh_path.as_str())
        .collect();
    assert_eq!(found.len(), 1, "{stdout}\n{stderr}");
    assert_eq!(found[0]["Context"]["processName"], "apache");
}

#[test]
fn negatives_have_no_finding() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sensor = Sensor::start(&[]);
    let bash_pid = run_named("bash", Path::new("/bin/sh"), &["-c", "true"]);
    let nginx_pid = run_named("nginx", Path::new("/usr/bin/true"), &[]);
    let positive_pid = run_named("nginx", Path::new("/bin/sh"), &["-c", "true"]);
    let (_, stdout, _) = sensor.stop();
    assert!(findings_for_pid(&stdout, bash_pid).is_empty(), "{stdout}");
    assert!(findings_for_pid(&stdout, nginx_pid).is_empty(), "{stdout}");
    // The same run did see a positive, so the negatives are not a blind sensor.
    assert_eq!(findings_for_pid(&stdout, positive_pid).len(), 1, "{stdout}");
}

#[test]
fn script_interpreter_is_found() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::new("script");
    let script = dir.file("handler.cgi", b"#!/bin/sh\nexit 0\n");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();

    let sensor = Sensor::start(&[]);
    let pid = run_named("apache2", &script, &[]);
    let (_, stdout, _) = sensor.stop();
    let found = findings_for_pid(&stdout, pid);
    assert_eq!(found.len(), 1, "{stdout}");
    let context = &found[0]["Context"];
    assert_eq!(argument(context, "pathname"), &Value::from(real_path("/bin/sh")));
    assert_eq!(argument(context, "invoked_path"), &Value::from(script.to_string_lossy().into_owned()));
    assert_eq!(argument(context, "interpreter"), "/bin/sh");
}

#[test]
fn recorded_stream_replays_to_same_findings() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let live = Sensor::start(&[]);
    let recorder = Sensor::start(&["--all-events"]);
    let pids = [
        run_named("nginx", Path::new("/bin/sh"), &["-c", "true"]),
        run_named("bash", Path::new("/bin/sh"), &["-c", "true"]),
        run_named("lighttpd", Path::new("/bin/bash"), &["-c", "true"]),
    ];
    let (_, live_stdout, _) = live.stop();
    let (_, recording, recorder_log) = recorder.stop();

    // Every exec of the machine is recorded, as Tracee event lines.
    for pid in pids {
        assert!(recording.lines().any(|l| l.contains(&format!("\"hostProcessId\":{pid},"))), "{pid} not recorded");
    }
    assert!(recorder_log.contains("signatures were not run"), "{recorder_log}");

    let dir = TempDir::new("recording");
    let file = dir.file("exec.jsonl", recording.as_bytes());
    let replayed = common::run(&["replay", file.to_str().unwrap()], None);
    assert!(replayed.status.success());
    let key = |f: &Value| {
        let c = &f["Context"];
        (c["hostProcessId"].clone(), c["processName"].clone(), argument(c, "pathname").clone())
    };
    for pid in pids {
        let from_live: Vec<_> = findings_for_pid(&live_stdout, pid).iter().map(key).collect();
        let from_replay: Vec<_> = findings_for_pid(&common::stdout(&replayed), pid).iter().map(key).collect();
        assert_eq!(from_live, from_replay, "pid {pid}");
    }
    assert_eq!(findings_for_pid(&live_stdout, pids[1]).len(), 0);
    assert_eq!(findings_for_pid(&live_stdout, pids[2]).len(), 1);
}

/// Runs each trigger under a default-profile sensor and a tracee-profile
/// sensor at once; returns, per trigger, (tracee findings, default findings).
fn verdicts_of(triggers: &[&dyn Fn() -> u32]) -> Vec<(usize, Vec<Value>)> {
    let default = Sensor::start(&[]);
    let tracee = Sensor::start(&["--profile", "tracee"]);
    let pids: Vec<u32> = triggers.iter().map(|trigger| trigger()).collect();
    let (_, default_out, _) = default.stop();
    let (_, tracee_out, _) = tracee.stop();
    pids.iter()
        .map(|&pid| {
            // A chain's shell runs in the trigger's process or in a child of it.
            let related = |stdout: &str| -> Vec<Value> {
                findings(stdout)
                    .into_iter()
                    .filter(|f| f["Context"]["hostProcessId"] == pid || f["Context"]["hostParentProcessId"] == pid)
                    .collect()
            };
            (related(&tracee_out).len(), related(&default_out))
        })
        .collect()
}

#[test]
fn evasions_caught_by_default_profile() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::new("evasions");
    let linked = dir.0.join("innocent-link");
    let copied = dir.0.join("innocent-copy");
    let dash = real_path("/bin/sh");
    std::fs::hard_link(&dash, &linked).unwrap();
    std::fs::copy(&dash, &copied).unwrap();

    let hard_link = || run_named("nginx", &linked, &["-c", "true"]);
    let copy = || run_named("nginx", &copied, &["-c", "true"]);
    let busybox = || run_named("nginx", Path::new("/bin/busybox"), &["sh", "-c", "true"]);
    let env_chain = || run_named("nginx", Path::new("/usr/bin/env"), &["sh", "-c", "true"]);
    let python_chain = || run_named("apache2", Path::new("/usr/bin/python3"), &["-c", "import os; os.system('true')"]);
    let php_fpm = || run_named("php-fpm8.2", Path::new("/bin/sh"), &["-c", "true"]);
    let not_a_shell = || run_named("nginx", Path::new("/bin/busybox"), &["true"]);
    let results = verdicts_of(&[&hard_link, &copy, &busybox, &env_chain, &python_chain, &php_fpm, &not_a_shell]);

    let expected_rules = [
        ("hard link to a known shell", "listed name"),
        ("copy of a known shell", "listed name"),
        ("busybox applet", "listed name"),
        ("path", "launch chain"),
        ("path", "launch chain"),
        ("path", "family prefix"),
    ];
    for (index, (shell_rule, rule)) in expected_rules.iter().enumerate() {
        let (tracee, default) = &results[index];
        assert_eq!(*tracee, 0, "case {index}: Tracee's rule misses it");
        assert_eq!(default.len(), 1, "case {index}: {default:?}");
        assert_eq!(default[0]["Data"]["shell"]["matched_by"], *shell_rule, "case {index}");
        assert_eq!(default[0]["Data"]["rule"], *rule, "case {index}");
    }
    assert_eq!(results[6], (0, Vec::new()), "busybox true is not a shell");
}

#[test]
fn chain_through_launcher_started_before_sensor() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::new("seeded-chain");
    let go = dir.0.join("go");
    // A process named nginx starts `python3 -c` before the sensor; the
    // inline command waits for the test's signal file, then runs a shell.
    let inline = format!(
        "import os, time\nwhile not os.path.exists({go:?}): time.sleep(0.02)\nos.system('true')",
        go = go.to_str().unwrap()
    );
    let launcher = format!(
        "import ctypes, os\nctypes.CDLL(None).prctl(15, b'nginx', 0, 0, 0)\npid = os.fork()\n\
         if pid == 0:\n    os.execv('/usr/bin/python3', ['python3', '-c', {inline:?}])\nos.waitpid(pid, 0)"
    );
    let mut web_server = Command::new("/usr/bin/python3").args(["-c", &launcher]).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(500));

    let sensor = Sensor::start(&[]);
    std::fs::write(&go, b"").unwrap();
    let status = web_server.wait().unwrap();
    assert!(status.success());
    let (_, stdout, _) = sensor.stop();
    let chained: Vec<Value> = findings(&stdout)
        .into_iter()
        .filter(|f| f["Data"]["rule"] == "launch chain" && f["Data"]["web_server"]["name"] == "nginx")
        .collect();
    assert_eq!(chained.len(), 1, "{stdout}");
    assert_eq!(chained[0]["Context"]["processName"], "python3");
}

#[test]
fn non_utf8_path_escaped_reversibly() {
    use std::os::unix::ffi::OsStrExt;
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::new("non-utf8");
    let folder = dir.0.join(std::ffi::OsStr::from_bytes(b"caf\xe9\\x"));
    std::fs::create_dir_all(&folder).unwrap();
    let shell = folder.join("sh");
    std::fs::copy(real_path("/bin/sh"), &shell).unwrap();

    let sensor = Sensor::start(&[]);
    let pid = run_named("nginx", &shell, &["-c", "true"]);
    let (_, stdout, _) = sensor.stop();
    let found = findings_for_pid(&stdout, pid);
    assert_eq!(found.len(), 1, "{stdout}");
    let context = &found[0]["Context"];
    let expected = format!("{}/caf\\xe9\\\\x/sh", dir.0.display());
    assert_eq!(argument(context, "pathname"), &Value::from(expected));
    let notes = argument(context, "capture_notes").as_array().unwrap();
    assert!(notes.contains(&Value::from("pathname_escaped")), "{notes:?}");
}

#[test]
fn exec_storm_loses_nothing() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    const WORKERS: usize = 2;
    const EXECS_PER_WORKER: usize = 1000;
    let sensor = Sensor::start(&[]);
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            std::thread::spawn(|| {
                (0..EXECS_PER_WORKER)
                    .map(|_| run_named("nginx", Path::new("/bin/sh"), &["-c", "true"]))
                    .collect::<Vec<u32>>()
            })
        })
        .collect();
    let pids: std::collections::HashSet<u32> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    let (code, stdout, stderr) = sensor.stop();
    assert_eq!(code, Some(0), "{stderr}");

    let mut found = std::collections::HashMap::new();
    for finding in findings(&stdout) {
        if let Some(pid) = finding["Context"]["hostProcessId"].as_u64() {
            if pids.contains(&(pid as u32)) {
                *found.entry(pid).or_insert(0) += 1;
            }
        }
    }
    assert_eq!(found.len(), WORKERS * EXECS_PER_WORKER, "every exec has a finding");
    assert!(found.values().all(|&count| count == 1), "no exec has two findings");
    assert!(stderr.contains("lost_records=0"), "{stderr}");
}

#[test]
fn fallback_strategy_detects_too() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sensor = Sensor::start(&["--strategy", "sched-process-exec"]);
    let pid = run_named("nginx", Path::new("/bin/sh"), &["-c", "true"]);
    let (_, stdout, stderr) = sensor.stop();
    assert!(stderr.contains("strategy=sched-process-exec"), "{stderr}");
    let found = findings_for_pid(&stdout, pid);
    assert_eq!(found.len(), 1, "{stdout}");
    let context = &found[0]["Context"];
    assert_eq!(context["processName"], "nginx");
    assert_eq!(argument(context, "capture_notes"), &serde_json::json!(["process_name_remembered"]));
    assert_eq!(argument(context, "argv"), &serde_json::json!(["sh", "-c", "true"]));
}

/// Returns the ids of the BPF programs a process has open, read from the
/// `prog_id` lines of its file descriptors' fdinfo.
fn programs_held_by(pid: u32) -> Vec<u64> {
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/fdinfo")).unwrap() {
        let Ok(info) = std::fs::read_to_string(entry.unwrap().path()) else {
            continue;
        };
        for line in info.lines() {
            if let Some(id) = line.strip_prefix("prog_id:") {
                ids.push(id.trim().parse().unwrap());
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Tells whether a BPF program id is still loaded in the kernel.
fn program_loaded(id: u64) -> bool {
    let output = Command::new("bpftool")
        .args(["prog", "show", "id", &id.to_string()])
        .output()
        .expect("bpftool is installed (the CI script installs it)");
    output.status.success()
}

#[test]
fn stop_prints_summary_and_detaches() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let sensor = Sensor::start(&[]);
        let programs = programs_held_by(sensor.child.id());
        assert!(!programs.is_empty(), "the running sensor holds its programs");
        assert!(programs.iter().all(|&id| program_loaded(id)));
        run_named("nginx", Path::new("/bin/sh"), &["-c", "true"]);
        let (code, _, stderr) = sensor.stop_with(signal);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stderr.contains("sensor detached"), "{stderr}");
        assert!(stderr.contains("sensor stopped"), "{stderr}");
        assert!(stderr.contains("lost_records=0"), "{stderr}");
        // The kernel frees a detached program after an RCU grace period.
        let deadline = Instant::now() + Duration::from_secs(10);
        while programs.iter().any(|&id| program_loaded(id)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let left: Vec<u64> = programs.into_iter().filter(|&id| program_loaded(id)).collect();
        assert_eq!(left, Vec::<u64>::new(), "programs left loaded after exit");
    }
}

#[test]
fn non_root_gets_clear_error() {
    require_root();
    let output = Command::new(binary())
        .arg("run")
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("must run as root"), "{stderr}");
}
