//! Live tests of `shellsentry run --prevent`, with fanotify on this kernel.
//! They need root, like the other live tests, and fail without it.

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::sensor::{Sensor, ONE_SENSOR_AT_A_TIME};
use common::{findings, spawn_named};
use serde_json::Value;

#[test]
fn deny_blocks_web_shell_only() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sensor = Sensor::start(&["--prevent"]);
    let denied = spawn_named("nginx", Path::new("/bin/sh"), &["-c", "true"]);
    let from_bash = spawn_named("bash", Path::new("/bin/sh"), &["-c", "true"]);
    let not_a_shell = spawn_named("nginx", Path::new("/usr/bin/true"), &[]);
    let (code, stdout, stderr) = sensor.stop();
    assert_eq!(code, Some(0), "{stderr}");

    let err = denied.expect_err("the web server's shell must not run");
    assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{err}");
    assert_eq!(from_bash.unwrap().1, 0, "a shell started by bash runs as before");
    assert_eq!(not_a_shell.unwrap().1, 0);

    let denied_findings: Vec<Value> = findings(&stdout)
        .into_iter()
        .filter(|f| f["Data"]["prevention"]["action"] == "denied")
        .filter(|f| f["Context"]["processName"] == "nginx")
        .collect();
    assert_eq!(denied_findings.len(), 1, "{stdout}");
    assert_eq!(denied_findings[0]["Data"]["prevention"]["mechanism"], "fanotify");
    assert_eq!(denied_findings[0]["SigMetadata"]["ID"], "TRC-1016");
}

#[test]
fn allowed_exact_command_runs_under_deny() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sensor = Sensor::start(&["--prevent"]);
    // PHP's mail() command is allowed exactly; the same with more text is not.
    let mail = spawn_named("php-fpm8.2", Path::new("/bin/sh"), &["-c", "/usr/sbin/sendmail -t -i"]);
    let injected = spawn_named("php-fpm8.2", Path::new("/bin/sh"), &["-c", "/usr/sbin/sendmail -t -i; id"]);
    let (_, stdout, stderr) = sensor.stop();
    // sendmail is not installed, so the shell itself runs and fails with 127.
    assert_eq!(mail.expect("the allowed command is not denied").1, 127, "{stderr}");
    assert_eq!(injected.expect_err("appended text is denied").raw_os_error(), Some(libc::EPERM));
    assert_eq!(findings(&stdout).iter().filter(|f| f["Data"]["prevention"]["action"] == "denied").count(), 1);
}

#[test]
fn audit_denies_nothing_reports_once() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sensor = Sensor::start(&["--prevent=audit"]);
    let (pid, code) = spawn_named("nginx", Path::new("/bin/sh"), &["-c", "true"]).expect("audit mode denies nothing");
    let (_, stdout, _) = sensor.stop();
    assert_eq!(code, 0);
    let mine: Vec<Value> = findings(&stdout).into_iter().filter(|f| f["Context"]["hostProcessId"] == pid).collect();
    assert_eq!(mine.len(), 1, "one finding, not one from prevention and one from detection: {stdout}");
    assert_eq!(mine[0]["Data"]["prevention"]["action"], "would deny (audit mode)");
}

#[test]
fn killed_sensor_leaves_no_exec_blocked() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut sensor = Sensor::start(&["--prevent"]);
    let (done_sender, done) = mpsc::channel();
    for worker in 0..2 {
        let done_sender = done_sender.clone();
        std::thread::spawn(move || {
            let mut finished = 0;
            for i in 0..400 {
                // Alternate a shell that prevention allows and one it denies.
                let name = if (i + worker) % 2 == 0 { "bash" } else { "nginx" };
                let _ = spawn_named(name, Path::new("/bin/sh"), &["-c", "true"]);
                finished += 1;
            }
            done_sender.send(finished).unwrap();
        });
    }
    drop(done_sender);
    std::thread::sleep(Duration::from_millis(300));
    sensor.child.kill().expect("SIGKILL the sensor mid-storm");
    let _ = sensor.child.wait();

    // Every exec finishes: the kernel allows what was pending when the
    // fanotify descriptor closed.
    let mut total = 0;
    for _ in 0..2 {
        total += done.recv_timeout(Duration::from_secs(120)).expect("an exec stayed blocked after the sensor died");
    }
    assert_eq!(total, 800);
    let after = spawn_named("nginx", Path::new("/bin/sh"), &["-c", "true"]).expect("no prevention after exit");
    assert_eq!(after.1, 0);
}

#[test]
fn apache_cgi_gets_http_error() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sensor = Sensor::start(&["--prevent"]);
    let dir = common::TempDir::new("prevent-apache");
    let root = dir.0.clone();
    std::fs::create_dir_all(root.join("cgi-bin")).unwrap();
    let script = root.join("cgi-bin/run.cgi");
    std::fs::write(&script, "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho prevent-ran\n").unwrap();
    for path in [&root, &root.join("cgi-bin"), &script] {
        let status = Command::new("chmod").arg("755").arg(path).status().unwrap();
        assert!(status.success());
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = format!(
        "ServerRoot {root}\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\nPidFile {root}/apache.pid\n\
         DefaultRuntimeDir {root}\nErrorLog {root}/error.log\nUser www-data\nGroup www-data\n\
         LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\n\
         LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n\
         LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n\
         LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so\n\
         ScriptAlias /cgi-bin/ {root}/cgi-bin/\n<Directory {root}/cgi-bin>\n    Require all granted\n</Directory>\n",
        root = root.display()
    );
    std::fs::write(root.join("apache.conf"), config).unwrap();
    let mut apache = Command::new("/usr/sbin/apache2")
        .args(["-DFOREGROUND", "-f"])
        .arg(root.join("apache.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("apache2 is installed (scripts/install-packages)");
    let mut response = String::new();
    for _ in 0..200 {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            stream.write_all(b"GET /cgi-bin/run.cgi HTTP/1.0\r\n\r\n").unwrap();
            let _ = stream.read_to_string(&mut response);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: the group is our own child's.
    unsafe { libc::kill(-(apache.id() as i32), libc::SIGTERM) };
    let _ = apache.wait();
    let (_, stdout, _) = sensor.stop();

    assert!(response.starts_with("HTTP/1.1 500"), "{response}");
    assert!(!response.contains("prevent-ran"));
    assert!(
        findings(&stdout).iter().any(|f| f["Context"]["processName"] == "apache2" && f["Data"]["prevention"]["action"] == "denied"),
        "{stdout}"
    );
}
