//! Which callers count as web-facing in the `default` profile, and which
//! executed programs count as shells, beyond Tracee's exact lists.
//!
//! Each rule is explicit and named, so a finding can name the one that fired:
//! - families: exact names and name prefixes of web-facing programs whose
//!   process names Tracee's list misses (php-fpm workers, Tomcat request
//!   threads, fcgiwrap, caddy...);
//! - serving runtimes: node, gunicorn, uwsgi and uvicorn count only when
//!   the caller's parent listens on a TCP port, because these programs also
//!   run build scripts and tools that start shells legitimately;
//! - busybox httpd: a `busybox` caller that starts a CGI program (the live
//!   sensor saw GATEWAY_INTERFACE in its environment) or whose parent runs
//!   `busybox httpd`;
//! - shells: by path suffix, as a busybox applet (argv[0], `busybox sh`, or
//!   a `#!/bin/busybox sh` script), or as a hard link or copy of a known
//!   shell, which the live sensor reports in the `known_shell` argument.

use serde_json::Value;

use crate::events::Event;

/// Exact process names of web-facing programs missing from Tracee's list.
pub const FAMILY_NAMES: &[(&str, &str)] = &[
    ("fcgiwrap", "fcgiwrap CGI runner"),
    ("caddy", "Caddy web server"),
];

/// Process-name prefixes of web-facing programs. The kernel cuts process
/// names to 15 bytes, so a thread such as `http-nio-8080-exec-1` shows as
/// `http-nio-8080-e`, and only a prefix can match it.
pub const FAMILY_PREFIXES: &[(&str, &str)] = &[
    ("php-fpm", "PHP FastCGI worker (php-fpm, any version)"),
    ("php-cgi", "PHP CGI (any version)"),
    ("http-nio-", "Tomcat NIO HTTP request thread"),
    ("https-jsse-nio-", "Tomcat NIO HTTPS request thread"),
    ("https-openssl-n", "Tomcat OpenSSL HTTPS request thread"),
    ("ajp-nio-", "Tomcat AJP request thread"),
    ("http-bio-", "Tomcat BIO HTTP request thread"),
];

/// Runtimes that are web-facing only while their process serves: the
/// caller's parent listens on a TCP port.
pub const SERVING_RUNTIMES: &[&str] = &["node", "gunicorn", "uwsgi", "uvicorn"];

/// The reason a caller counts as web-facing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebFacing {
    /// The rule that matched, for the finding's `Data`.
    pub rule: &'static str,
    pub description: String,
}

/// Classifies the caller of an exec event as web-facing, or not.
pub fn web_facing_family(process_name: &str, event: &Event) -> Option<WebFacing> {
    if let Some((_, description)) = FAMILY_NAMES.iter().find(|(name, _)| *name == process_name) {
        return Some(WebFacing { rule: "family name", description: description.to_string() });
    }
    if let Some((prefix, description)) = FAMILY_PREFIXES.iter().find(|(prefix, _)| process_name.starts_with(prefix)) {
        return Some(WebFacing { rule: "family prefix", description: format!("{description} ({prefix}*)") });
    }
    if SERVING_RUNTIMES.contains(&process_name) && event.argument("parent_listens_tcp").map(|a| &a.value) == Some(&Value::Bool(true)) {
        return Some(WebFacing {
            rule: "serving runtime",
            description: format!("{process_name} whose parent listens on a TCP port"),
        });
    }
    if process_name == "busybox" && (has_cgi_environment(event) || parent_runs_busybox_httpd(event)) {
        return Some(WebFacing { rule: "busybox httpd", description: "CGI child of busybox httpd".into() });
    }
    None
}

/// Tells whether the live sensor saw a CGI environment (GATEWAY_INTERFACE)
/// in the exec, which web servers set for the CGI programs they start.
fn has_cgi_environment(event: &Event) -> bool {
    event.argument("cgi_environment").map(|a| &a.value) == Some(&Value::Bool(true))
}

fn parent_runs_busybox_httpd(event: &Event) -> bool {
    let Some(Value::Array(argv)) = event.argument("parent_argv").map(|a| &a.value) else {
        return false;
    };
    let words: Vec<&str> = argv.iter().filter_map(Value::as_str).collect();
    match words.as_slice() {
        [first, second, ..] if basename(first) == "busybox" => *second == "httpd",
        [first, ..] => basename(first) == "httpd" && is_busybox_path(event),
        [] => false,
    }
}

/// Tells whether the executed file is busybox. A busybox httpd started
/// through an `httpd` symlink already matches Tracee's name `httpd`.
fn is_busybox_path(event: &Event) -> bool {
    event.string_argument("pathname").is_ok_and(|path| basename(path) == "busybox")
}

/// The rule that recognised an executed program as a shell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellMatch {
    /// The shell's name, for example `sh`.
    pub shell: String,
    pub rule: &'static str,
}

/// Recognises the executed program of an event as a shell of `shells`.
pub fn shell_of_exec(shells: &[String], event: &Event, pathname: &str) -> Option<ShellMatch> {
    let is_shell = |name: &str| shells.iter().any(|shell| shell == name);
    let name = basename(pathname);
    if is_shell(name) && pathname.len() > name.len() {
        return Some(ShellMatch { shell: name.to_string(), rule: "path" });
    }
    if name == "busybox" {
        if let Some(applet) = busybox_applet(event) {
            if is_shell(&applet) {
                return Some(ShellMatch { shell: applet, rule: "busybox applet" });
            }
        }
    }
    if let Ok(known) = event.string_argument("known_shell") {
        let how = event.string_argument("known_shell_match").unwrap_or("");
        let known_name = basename(known);
        if is_shell(known_name) {
            let rule = if how == "hard link" { "hard link to a known shell" } else { "copy of a known shell" };
            return Some(ShellMatch { shell: known_name.to_string(), rule });
        }
    }
    None
}

/// Returns the applet a busybox exec runs: the script's `#!/bin/busybox
/// APPLET` line, argv[0] when busybox runs through a symlink, or argv[1]
/// after `busybox`.
fn busybox_applet(event: &Event) -> Option<String> {
    if let Ok(shebang) = event.string_argument("shebang") {
        let mut words = shebang.trim_start_matches("#!").split_whitespace();
        if words.next().is_some_and(|interpreter| basename(interpreter) == "busybox") {
            return words.next().map(str::to_string);
        }
    }
    let Some(Value::Array(argv)) = event.argument("argv").map(|a| &a.value) else {
        return None;
    };
    let first = argv.first().and_then(Value::as_str).map(basename)?;
    if first == "busybox" {
        return argv.get(1).and_then(Value::as_str).map(|applet| basename(applet).to_string());
    }
    // A script run by busybox has the script as argv[0]; only an applet
    // symlink names the applet there.
    if event.string_argument("invoked_path").is_ok_and(|invoked| basename(invoked) == first) {
        return Some(first.to_string());
    }
    None
}

/// Returns the last path component.
pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Argument;

    fn event(args: Vec<Argument>) -> Event {
        Event { args, ..Event::default() }
    }

    fn shells() -> Vec<String> {
        ["sh", "bash", "ash", "dash"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn families_by_name_and_prefix() {
        let plain = event(vec![]);
        for name in ["php-fpm8.2", "php-fpm7.4", "php-cgi8.2", "http-nio-8080-e", "https-jsse-nio-", "ajp-nio-8009-e", "fcgiwrap", "caddy"] {
            assert!(web_facing_family(name, &plain).is_some(), "{name}");
        }
        for name in ["php", "bash", "java", "node", "gunicorn", "busybox", "jspawnhelper", "http-ni"] {
            assert!(web_facing_family(name, &plain).is_none(), "{name}");
        }
    }

    #[test]
    fn serving_runtime_needs_listening_parent() {
        let serving = event(vec![Argument::new("parent_listens_tcp", "bool", true)]);
        let idle = event(vec![Argument::new("parent_listens_tcp", "bool", false)]);
        assert_eq!(web_facing_family("node", &serving).unwrap().rule, "serving runtime");
        assert!(web_facing_family("node", &idle).is_none());
        assert!(web_facing_family("node", &event(vec![])).is_none());
    }

    #[test]
    fn busybox_httpd_parent() {
        let httpd = event(vec![Argument::new("parent_argv", "const char**", vec!["busybox", "httpd", "-f"])]);
        let other = event(vec![Argument::new("parent_argv", "const char**", vec!["busybox", "sh"])]);
        assert!(web_facing_family("busybox", &httpd).is_some());
        assert!(web_facing_family("busybox", &other).is_none());
        let cgi = event(vec![Argument::new("cgi_environment", "bool", true)]);
        assert!(web_facing_family("busybox", &cgi).is_some());
    }

    #[test]
    fn shells_by_path_applet_and_identity() {
        let shells = shells();
        let plain = event(vec![]);
        assert_eq!(shell_of_exec(&shells, &plain, "/usr/bin/dash").unwrap().rule, "path");
        assert!(shell_of_exec(&shells, &plain, "/usr/bin/busybox").is_none());

        let applet = event(vec![Argument::new("argv", "const char**", vec!["busybox", "sh", "-c", "id"])]);
        assert_eq!(shell_of_exec(&shells, &applet, "/bin/busybox").unwrap().shell, "sh");
        let not_shell = event(vec![Argument::new("argv", "const char**", vec!["busybox", "wget", "x"])]);
        assert!(shell_of_exec(&shells, &not_shell, "/bin/busybox").is_none());
        let symlink = event(vec![
            Argument::new("argv", "const char**", vec!["sh", "-c", "id"]),
            Argument::new("invoked_path", "const char*", "/bin/sh"),
        ]);
        assert_eq!(shell_of_exec(&shells, &symlink, "/bin/busybox").unwrap().shell, "sh");
        let script = event(vec![
            Argument::new("argv", "const char**", vec!["/srv/cgi/x.cgi"]),
            Argument::new("invoked_path", "const char*", "/srv/cgi/x.cgi"),
            Argument::new("shebang", "const char*", "#!/bin/busybox sh"),
        ]);
        assert_eq!(shell_of_exec(&shells, &script, "/bin/busybox").unwrap().rule, "busybox applet");

        let linked = event(vec![
            Argument::new("known_shell", "const char*", "/usr/bin/dash"),
            Argument::new("known_shell_match", "const char*", "hard link"),
        ]);
        assert_eq!(shell_of_exec(&shells, &linked, "/tmp/x/innocent").unwrap().rule, "hard link to a known shell");
        let copied = event(vec![
            Argument::new("known_shell", "const char*", "/usr/bin/bash"),
            Argument::new("known_shell_match", "const char*", "same content"),
        ]);
        assert_eq!(shell_of_exec(&shells, &copied, "/tmp/x/innocent").unwrap().shell, "bash");
    }
}
