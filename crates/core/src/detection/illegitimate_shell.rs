//! TRC-1016 "Web server spawned a shell".
//!
//! The rule, as Tracee v0.22 implements it for `security_bprm_check`: the
//! caller's process name equals one of the web-server names exactly
//! (case-sensitive), and the executed `pathname` ends with `/` followed by a
//! shell name. Tracee v0.23 and later apply the same lists to
//! `sched_process_exec`: the `prev_comm` argument is the web-server name and
//! the new process name equals a shell name. One finding per matching event.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::events::{Event, SCHED_PROCESS_EXEC, SECURITY_BPRM_CHECK};

use super::signature::{Finding, SelectedEvent, Signature, SignatureError, SignatureMetadata};

/// The lists the rule compares against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellRules {
    /// Process names (comm, at most 15 bytes) of web servers, compared exactly.
    pub web_servers: Vec<String>,
    /// Shell program names, without a slash.
    pub shells: Vec<String>,
    /// Execs that are not findings although they match.
    pub allowed: Vec<AllowedExec>,
}

/// A known benign shell exec by a web server. Both fields must match
/// exactly, so an attacker cannot satisfy an entry by appending text to a
/// command, and an event without `argv` matches no entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedExec {
    /// Name (comm) of the process that runs the shell.
    pub process_name: String,
    /// The complete argument list of the shell, `argv[0]` included.
    pub argv: Vec<String>,
}

impl ShellRules {
    /// Tells whether a process name is one of the web-server names.
    pub fn is_web_server(&self, process_name: &str) -> bool {
        self.web_servers.iter().any(|name| name == process_name)
    }

    /// Returns the shell whose name ends the path after a slash, if any.
    pub fn shell_of_path(&self, pathname: &str) -> Option<&str> {
        self.shells.iter().map(String::as_str).find(|shell| {
            pathname.len() > shell.len()
                && pathname.ends_with(shell)
                && pathname.as_bytes()[pathname.len() - shell.len() - 1] == b'/'
        })
    }

    /// Tells whether a process name is one of the shell names.
    pub fn is_shell_name(&self, process_name: &str) -> bool {
        self.shells.iter().any(|name| name == process_name)
    }

    /// Tells whether an exec by `caller` is an allowed one. The event's
    /// `argv` argument must be a list of strings equal to an entry's.
    pub fn is_allowed(&self, caller: &str, event: &Event) -> bool {
        if self.allowed.is_empty() {
            return false;
        }
        let Some(Value::Array(argv)) = event.argument("argv").map(|arg| &arg.value) else {
            return false;
        };
        self.allowed.iter().any(|entry| {
            entry.process_name == caller
                && entry.argv.len() == argv.len()
                && entry.argv.iter().zip(argv).all(|(expected, actual)| actual.as_str() == Some(expected.as_str()))
        })
    }
}

/// The TRC-1016 signature.
#[derive(Debug)]
pub struct IllegitimateShell {
    metadata: Arc<SignatureMetadata>,
    rules: ShellRules,
}

const SELECTED: &[SelectedEvent] = &[
    SelectedEvent { source: "tracee", name: SECURITY_BPRM_CHECK, origin: "*" },
    SelectedEvent { source: "tracee", name: SCHED_PROCESS_EXEC, origin: "*" },
];

impl IllegitimateShell {
    /// Builds the signature with these lists.
    pub fn new(rules: ShellRules) -> Self {
        IllegitimateShell { metadata: Arc::new(Self::trc_1016_metadata()), rules }
    }

    /// Returns the metadata of TRC-1016, exactly as Tracee publishes it.
    pub fn trc_1016_metadata() -> SignatureMetadata {
        let properties: BTreeMap<String, Value> = [
            ("Severity", Value::from(2)),
            ("Category", Value::from("initial-access")),
            ("Technique", Value::from("Exploit Public-Facing Application")),
            ("Kubernetes_Technique", Value::from("")),
            ("id", Value::from("attack-pattern--3f886f2a-874f-4333-b794-aa6075009b1c")),
            ("external_id", Value::from("T1190")),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_string(), value))
        .collect();
        SignatureMetadata {
            id: "TRC-1016".into(),
            version: "1".into(),
            name: "Web server spawned a shell".into(),
            event_name: "illegitimate_shell".into(),
            description: "A web-server program on your server spawned a shell program. Shells are \
                          command-line tools, and it's unconventional for web servers to initiate them. \
                          This alert might point to a malicious actor leveraging a web server to execute \
                          commands on the server."
                .into(),
            tags: None,
            properties,
        }
    }

    /// Returns the lists in use.
    pub fn rules(&self) -> &ShellRules {
        &self.rules
    }

    fn matches(&self, event: &Event) -> Result<bool, SignatureError> {
        match event.event_name.as_str() {
            SECURITY_BPRM_CHECK => {
                // Tracee v0.22 reads the pathname only for a web server, so
                // a missing pathname is an error only there.
                if !self.rules.is_web_server(&event.process_name) {
                    return Ok(false);
                }
                let pathname = event.string_argument("pathname")?;
                Ok(self.rules.shell_of_path(pathname).is_some() && !self.rules.is_allowed(&event.process_name, event))
            }
            SCHED_PROCESS_EXEC => {
                // Tracee v0.23 and later read prev_comm first, on every event.
                let prev_comm = event.string_argument("prev_comm")?;
                Ok(self.rules.is_web_server(prev_comm)
                    && self.rules.is_shell_name(&event.process_name)
                    && !self.rules.is_allowed(prev_comm, event))
            }
            _ => Ok(false),
        }
    }
}

impl Signature for IllegitimateShell {
    fn metadata(&self) -> &Arc<SignatureMetadata> {
        &self.metadata
    }

    fn selected_events(&self) -> &[SelectedEvent] {
        SELECTED
    }

    fn settings(&self) -> Value {
        serde_json::json!({
            "web_servers": self.rules.web_servers,
            "shells": self.rules.shells,
            "allow": self.rules.allowed,
        })
    }

    fn on_event(&mut self, event: &Arc<Event>, emit: &mut dyn FnMut(Finding)) -> Result<(), SignatureError> {
        if self.matches(event)? {
            emit(Finding { metadata: Arc::clone(&self.metadata), event: Arc::clone(event), data: None });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Profile;
    use crate::events::Argument;

    fn bprm_check(process_name: &str, pathname: Option<&str>) -> Arc<Event> {
        let mut event = Event {
            event_name: SECURITY_BPRM_CHECK.into(),
            process_name: process_name.into(),
            ..Event::default()
        };
        if let Some(path) = pathname {
            event.args.push(Argument::new("pathname", "const char*", path));
        }
        Arc::new(event)
    }

    fn process_exec(prev_comm: &str, process_name: &str) -> Arc<Event> {
        let mut event = Event {
            event_name: SCHED_PROCESS_EXEC.into(),
            process_name: process_name.into(),
            ..Event::default()
        };
        event.args.push(Argument::new("prev_comm", "string", prev_comm));
        Arc::new(event)
    }

    fn findings(profile: Profile, event: &Arc<Event>) -> Result<usize, SignatureError> {
        let mut signature = IllegitimateShell::new(profile.shell_rules());
        let mut count = 0;
        signature.on_event(event, &mut |_| count += 1)?;
        Ok(count)
    }

    #[test]
    fn tracee_rule_cases() {
        let cases: &[(&str, &str, usize)] = &[
            // Tracee's own test cases.
            ("apache2", "/bin/dash", 1),
            ("apache2", "/bin/ls", 0),
            ("bash", "/bin/dash", 0),
            // Every listed web server and shell.
            ("nginx", "/bin/sh", 1),
            ("httpd", "/usr/bin/bash", 1),
            ("httpd-foregroun", "/bin/zsh", 1),
            ("http-nio", "/bin/ksh", 1),
            ("lighttpd", "/bin/csh", 1),
            ("apache", "/bin/tcsh", 1),
            ("apache2", "/sbin/ash", 1),
            // Boundaries: exact, case-sensitive names, suffix after a slash.
            ("Nginx", "/bin/sh", 0),
            ("nginx ", "/bin/sh", 0),
            ("nginx2", "/bin/sh", 0),
            ("http-nio-8080-e", "/bin/sh", 0),
            ("php-fpm8.2", "/bin/sh", 0),
            ("nginx", "/bin/fish", 0),
            ("nginx", "/bin/bash5", 0),
            ("nginx", "/usr/bin/nosh", 0),
            ("nginx", "sh", 0),
            ("nginx", "/sh", 1),
            ("nginx", "/bin/SH", 0),
            ("nginx", "/bin/sh/", 0),
            ("nginx", "/tmp/x/bin/dash", 1),
            ("nginx", "/bin/busybox", 0),
            ("nginx", "", 0),
        ];
        for (process_name, pathname, expected) in cases {
            let event = bprm_check(process_name, Some(pathname));
            assert_eq!(findings(Profile::Tracee, &event).unwrap(), *expected, "{process_name} {pathname}");
        }
    }

    #[test]
    fn missing_pathname_is_an_error_for_web_servers() {
        assert!(findings(Profile::Tracee, &bprm_check("nginx", None)).is_err());
        assert_eq!(findings(Profile::Tracee, &bprm_check("bash", None)).unwrap(), 0);
    }

    #[test]
    fn missing_prev_comm_is_an_error() {
        let event = Event { event_name: SCHED_PROCESS_EXEC.into(), process_name: "sh".into(), ..Event::default() };
        assert!(findings(Profile::Tracee, &Arc::new(event)).is_err());
    }

    #[test]
    fn non_string_pathname_is_an_error() {
        let mut event = Event { event_name: SECURITY_BPRM_CHECK.into(), process_name: "nginx".into(), ..Event::default() };
        event.args.push(Argument::new("pathname", "const char*", 5));
        assert!(findings(Profile::Tracee, &Arc::new(event)).is_err());
    }

    #[test]
    fn process_exec_rule_cases() {
        assert_eq!(findings(Profile::Tracee, &process_exec("nginx", "sh")).unwrap(), 1);
        assert_eq!(findings(Profile::Tracee, &process_exec("apache2", "dash")).unwrap(), 1);
        assert_eq!(findings(Profile::Tracee, &process_exec("nginx", "ls")).unwrap(), 0);
        assert_eq!(findings(Profile::Tracee, &process_exec("bash", "sh")).unwrap(), 0);
        assert_eq!(findings(Profile::Tracee, &process_exec("nginx", "/bin/sh")).unwrap(), 0);
    }

    #[test]
    fn default_profile_adds_shells() {
        for shell in ["fish", "mksh", "rbash", "yash"] {
            let event = bprm_check("nginx", Some(&format!("/usr/bin/{shell}")));
            assert_eq!(findings(Profile::Tracee, &event).unwrap(), 0, "{shell}");
            assert_eq!(findings(Profile::Default, &event).unwrap(), 1, "{shell}");
        }
    }

    fn with_argv(event: &Arc<Event>, argv: &[&str]) -> Arc<Event> {
        let mut event = Event::clone(event);
        event.args.push(Argument::new("argv", "const char**", argv.to_vec()));
        Arc::new(event)
    }

    #[test]
    fn allowed_exec_needs_exact_argv() {
        let helper = ["/bin/sh", "-c", "/usr/share/lighttpd/create-mime.conf.pl"];
        let event = bprm_check("lighttpd", Some("/usr/bin/dash"));
        assert_eq!(findings(Profile::Default, &with_argv(&event, &helper)).unwrap(), 0);
        // Tracee's rule has no exceptions.
        assert_eq!(findings(Profile::Tracee, &with_argv(&event, &helper)).unwrap(), 1);
        let appended = ["/bin/sh", "-c", "/usr/share/lighttpd/create-mime.conf.pl # id"];
        assert_eq!(findings(Profile::Default, &with_argv(&event, &appended)).unwrap(), 1);
        let extra = ["/bin/sh", "-c", "/usr/share/lighttpd/create-mime.conf.pl", "x"];
        assert_eq!(findings(Profile::Default, &with_argv(&event, &extra)).unwrap(), 1);
        assert_eq!(findings(Profile::Default, &event).unwrap(), 1, "no argv, no exception");
        let other_server = bprm_check("nginx", Some("/usr/bin/dash"));
        assert_eq!(findings(Profile::Default, &with_argv(&other_server, &helper)).unwrap(), 1);
    }

    #[test]
    fn one_finding_per_event() {
        // "/bash" and "/sh" both could match a path only once.
        assert_eq!(findings(Profile::Default, &bprm_check("nginx", Some("/bin/bash"))).unwrap(), 1);
    }
}
