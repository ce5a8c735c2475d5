//! Acceptance suite: real web servers from Debian's packages, bound to
//! 127.0.0.1, exploited with real HTTP requests while the live sensor runs.
//!
//! Each scenario records two verdicts for the shell it makes the server
//! run: Tracee's rule (`--profile tracee`) and the default profile. The
//! expected verdicts are asserted, so a change in either is a test failure;
//! the misses of Tracee's rule are the point of recording them. Set
//! SHELLSENTRY_MATRIX_OUT to collect the rows for docs/detection-matrix.md
//! (scripts/detection-matrix does).
//!
//! Needs root and the packages that scripts/install-packages installs; a
//! missing package fails the scenario.

#[path = "../common/mod.rs"]
mod common;
mod harness;
mod servers;

use common::sensor::ONE_SENSOR_AT_A_TIME;
use harness::{findings_with, http_get, observe, verdicts, Verdicts};

/// Requests `path`, checks that the response carries the marker (so the
/// shell really ran), and returns the verdicts for that shell.
fn exploit(server: &servers::Running, path: &str, marker: &str, package: &str) -> Verdicts {
    let observation = observe(marker, || {
        let (status, body) = http_get(server.port, path);
        assert_eq!(status, 200, "{marker}: HTTP {status}: {body}\n{}", server.output());
        assert!(body.contains(&format!("{marker}-ran")), "{marker}: the command did not run: {body}");
    });
    verdicts(&observation, marker, package)
}

fn assert_verdicts(verdicts: &Verdicts, caller: &str, tracee: bool, default: bool) {
    assert_eq!(verdicts.caller, caller, "{verdicts:?}");
    assert_eq!(verdicts.tracee, tracee, "tracee profile: {verdicts:?}");
    assert_eq!(verdicts.default, default, "default profile: {verdicts:?}");
}

#[test]
fn apache_cgi_script() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let marker = "ssmark-apache-cgi";
    let server = servers::apache(marker);
    let verdicts = exploit(&server, &format!("/cgi-bin/{marker}.cgi"), marker, "apache2");
    assert_verdicts(&verdicts, "apache2", true, true);
}

#[test]
fn apache_mod_php_system() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let marker = "ssmark-apache-php";
    let server = servers::apache(marker);
    let verdicts = exploit(&server, "/run.php", marker, "libapache2-mod-php8.2");
    assert_verdicts(&verdicts, "apache2", true, true);
}

#[test]
fn nginx_php_fpm_shell_exec() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let marker = "ssmark-nginx-php-fpm";
    let server = servers::nginx_with_backends(marker);
    let verdicts = exploit(&server, "/run.php", marker, "php8.2-fpm");
    // The php-fpm worker, not nginx, runs the shell.
    assert_verdicts(&verdicts, "php-fpm8.2", false, true);
}

#[test]
fn nginx_fcgiwrap_cgi_script() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let marker = "ssmark-nginx-fcgiwrap";
    let server = servers::nginx_with_backends(marker);
    let verdicts = exploit(&server, &format!("/cgi-bin/{marker}.cgi"), marker, "fcgiwrap");
    assert_verdicts(&verdicts, "fcgiwrap", false, true);
}

#[test]
fn lighttpd_cgi_script() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let marker = "ssmark-lighttpd-cgi";
    let server = servers::lighttpd(marker, false);
    let verdicts = exploit(&server, &format!("/cgi-bin/{marker}.cgi"), marker, "lighttpd");
    assert_verdicts(&verdicts, "lighttpd", true, true);
}

#[test]
fn busybox_httpd_cgi_script() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let marker = "ssmark-busybox-httpd";
    let server = servers::busybox_httpd(marker);
    let verdicts = exploit(&server, &format!("/cgi-bin/{marker}.cgi"), marker, "busybox");
    assert!(verdicts.executed.ends_with("/busybox"), "{verdicts:?}");
    assert_verdicts(&verdicts, "busybox", false, true);
}

#[test]
fn tomcat_jsp_runtime_exec() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let marker = "ssmark-tomcat-jsp";
    let server = servers::tomcat(marker);
    let verdicts = exploit(&server, "/run.jsp", marker, "tomcat10");
    // The JDK starts processes through jspawnhelper, which then runs sh.
    assert_verdicts(&verdicts, "jspawnhelper", false, true);
}

#[test]
fn node_child_process_exec() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let marker = "ssmark-node";
    let server = servers::node(marker);
    let verdicts = exploit(&server, "/run", marker, "nodejs");
    assert_verdicts(&verdicts, "node", false, true);
}

#[test]
fn gunicorn_subprocess_shell() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let marker = "ssmark-gunicorn";
    let server = servers::gunicorn(marker);
    let verdicts = exploit(&server, "/run", marker, "gunicorn");
    assert_verdicts(&verdicts, "gunicorn", false, true);
}

/// Benign traffic: start, static and script pages that run no command,
/// reload and stop. Returns the default profile's live findings.
fn benign(tag: &str, act: impl FnOnce()) -> Vec<serde_json::Value> {
    let observation = observe(tag, act);
    observation.live_findings
}

#[test]
fn benign_apache_and_nginx_traffic() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let findings = benign("benign-apache-nginx", || {
        let apache = servers::apache("ssmark-benign-apache");
        assert_eq!(http_get(apache.port, "/index.html").0, 200);
        assert_eq!(http_get(apache.port, "/hello.php").0, 200);
        assert_eq!(http_get(apache.port, "/mail.php").0, 200);
        apache.server.signal(libc::SIGUSR1);
        std::thread::sleep(std::time::Duration::from_millis(500));
        assert_eq!(http_get(apache.port, "/index.html").0, 200);

        let nginx = servers::nginx_with_backends("ssmark-benign-nginx");
        assert_eq!(http_get(nginx.port, "/index.html").0, 200);
        assert_eq!(http_get(nginx.port, "/hello.php").0, 200);
        assert_eq!(http_get(nginx.port, "/mail.php").0, 200);
        nginx.server.signal(libc::SIGHUP);
        std::thread::sleep(std::time::Duration::from_millis(500));
        assert_eq!(http_get(nginx.port, "/index.html").0, 200);
        servers::rotate_logs(&["apache2", "nginx", "php8.2-fpm"]);

        // php-fpm leaves the process group; stopping the server must end it too.
        let php_fpm = nginx.recorded_pid("run/php-fpm.pid");
        drop(nginx);
        // SAFETY: signal 0 only checks whether the process exists.
        assert_ne!(unsafe { libc::kill(php_fpm, 0) }, 0, "php-fpm {php_fpm} outlived its server");
    });
    assert_eq!(findings, Vec::<serde_json::Value>::new());
}

#[test]
fn benign_node_and_gunicorn_traffic() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let findings = benign("benign-node-gunicorn", || {
        let node = servers::node("ssmark-benign-node");
        assert_eq!(http_get(node.port, "/hello").0, 200);
        let gunicorn = servers::gunicorn("ssmark-benign-gunicorn");
        assert_eq!(http_get(gunicorn.port, "/hello").0, 200);
    });
    assert_eq!(findings, Vec::<serde_json::Value>::new());
}

#[test]
fn lighttpd_debian_config_start() {
    let _guard = ONE_SENSOR_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Debian's lighttpd.conf runs helper scripts through `$SHELL -c` at start.
    let observation = observe("lighttpd-start", || {
        let lighttpd = servers::lighttpd("ssmark-benign-lighttpd", true);
        assert_eq!(http_get(lighttpd.port, "/index.html").0, 200);
    });
    let helper = "/usr/share/lighttpd/create-mime.conf.pl";
    let tracee = findings_with(&observation.replay_findings("tracee"), helper);
    assert!(!tracee.is_empty(), "Tracee's rule flags lighttpd's start-up helper");
    let default = findings_with(&observation.live_findings, helper);
    assert_eq!(default, Vec::<serde_json::Value>::new(), "the default profile allows the exact helper command");
    assert_eq!(observation.live_findings, Vec::<serde_json::Value>::new());
}
