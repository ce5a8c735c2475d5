//! TRC-1016 "Web server spawned a shell".
//!
//! The rule, as Tracee v0.22 implements it for `security_bprm_check`: the
//! caller's process name equals one of the web-server names exactly
//! (case-sensitive), and the executed `pathname` ends with `/` followed by a
//! shell name. Tracee v0.23 and later apply the same lists to
//! `sched_process_exec`: the `prev_comm` argument is the web-server name and
//! the new process name equals a shell name. One finding per matching event.
//!
//! The `default` profile adds the rules of [`super::web_facing`] (more
//! web-facing callers, more ways to recognise a shell) and of
//! [`super::lineage`] (launch chains), each behind a switch of
//! [`Extensions`], and explains each finding in its `Data`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::events::{Event, SCHED_PROCESS_EXEC, SECURITY_BPRM_CHECK};

use super::lineage::{runs_launcher, Lineage, LineageTable, INTERPRETERS, LAUNCHERS};
use super::signature::{Finding, SelectedEvent, Signature, SignatureError, SignatureMetadata};
use super::web_facing::{shell_of_exec, web_facing_family, ShellMatch, WebFacing, FAMILY_NAMES, FAMILY_PREFIXES, SERVING_RUNTIMES};

/// The lists the rule compares against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellRules {
    /// Process names (comm, at most 15 bytes) of web servers, compared exactly.
    pub web_servers: Vec<String>,
    /// Shell program names, without a slash.
    pub shells: Vec<String>,
    /// Execs that are not findings although they match.
    pub allowed: Vec<AllowedExec>,
    /// Rules beyond Tracee's, all off in the `tracee` profile.
    pub extensions: Extensions,
    /// Explain each finding in its `Data` (the `tracee` profile keeps `null`).
    pub explain: bool,
}

/// Switches of the rules beyond Tracee's; see docs/detection.md.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Extensions {
    /// Web-facing program families: name prefixes, serving runtimes, busybox httpd.
    pub families: bool,
    /// Shells as busybox applets, hard links and copies.
    pub shell_identity: bool,
    /// Chains through launchers and inline interpreters.
    pub launch_chains: bool,
}

impl Extensions {
    /// Every extension on.
    pub const ALL: Extensions = Extensions { families: true, shell_identity: true, launch_chains: true };

    fn any(self) -> bool {
        self.families || self.shell_identity || self.launch_chains
    }
}

/// A known benign shell exec by a web server. Both fields must match
/// exactly, so an attacker cannot satisfy an entry by appending text to a
/// command, and an event without `argv` matches no entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedExec {
    /// Name (comm) of the process that runs the shell; a trailing `*`
    /// makes it a prefix (`php-fpm*` for every PHP version).
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

    /// Returns the caller names whose execs the live sensor must see:
    /// exact names and name prefixes.
    pub fn watched_names(&self) -> (Vec<String>, Vec<String>) {
        let mut exact = self.web_servers.clone();
        let mut prefixes = Vec::new();
        if self.extensions.families {
            exact.extend(FAMILY_NAMES.iter().map(|(name, _)| name.to_string()));
            exact.extend(SERVING_RUNTIMES.iter().map(|name| name.to_string()));
            exact.push("busybox".into());
            prefixes.extend(FAMILY_PREFIXES.iter().map(|(prefix, _)| prefix.to_string()));
        }
        if self.extensions.launch_chains {
            exact.extend(LAUNCHERS.iter().map(|name| name.to_string()));
            prefixes.extend(INTERPRETERS.iter().map(|(prefix, _)| prefix.to_string()));
        }
        exact.sort();
        exact.dedup();
        prefixes.sort();
        prefixes.dedup();
        (exact, prefixes)
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
            let name_matches = match entry.process_name.strip_suffix('*') {
                Some(prefix) => caller.starts_with(prefix),
                None => entry.process_name == caller,
            };
            name_matches
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
    lineage: LineageTable,
}

const SELECTED: &[SelectedEvent] = &[
    SelectedEvent { source: "tracee", name: SECURITY_BPRM_CHECK, origin: "*" },
    SelectedEvent { source: "tracee", name: SCHED_PROCESS_EXEC, origin: "*" },
];

impl IllegitimateShell {
    /// Builds the signature with these lists.
    pub fn new(rules: ShellRules) -> Self {
        IllegitimateShell { metadata: Arc::new(Self::trc_1016_metadata()), rules, lineage: LineageTable::default() }
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

    /// Evaluates one event. Returns `Some(data)` for a finding, where `data`
    /// explains it when the rules ask for that.
    ///
    /// With every extension off this is Tracee's rule, in Tracee's order:
    /// for `security_bprm_check` the pathname is read only for a listed web
    /// server, and for `sched_process_exec` `prev_comm` is read first.
    fn evaluate(&mut self, event: &Event) -> Result<Option<Option<Value>>, SignatureError> {
        let is_bprm_check = match event.event_name.as_str() {
            SECURITY_BPRM_CHECK => true,
            SCHED_PROCESS_EXEC => false,
            _ => return Ok(None),
        };
        let caller = if is_bprm_check { event.process_name.as_str() } else { event.string_argument("prev_comm")? };
        let extensions = self.rules.extensions;
        let listed = self.rules.is_web_server(caller);
        if !listed && !extensions.any() {
            return Ok(None);
        }
        let pathname = match event.string_argument("pathname") {
            Ok(path) => Some(path),
            Err(err) if listed && is_bprm_check => return Err(err.into()),
            Err(_) => None,
        };

        let shell = if is_bprm_check {
            pathname.and_then(|path| {
                let by_path = self.rules.shell_of_path(path).map(|shell| ShellMatch { shell: shell.to_string(), rule: "path" });
                by_path.or_else(|| extensions.shell_identity.then(|| shell_of_exec(&self.rules.shells, event, path)).flatten())
            })
        } else if self.rules.is_shell_name(&event.process_name) {
            Some(ShellMatch { shell: event.process_name.clone(), rule: "process name" })
        } else {
            None
        };
        let web = if listed {
            Some(WebFacing { rule: "listed name", description: "a web-server name of Tracee's list".into() })
        } else if extensions.families {
            web_facing_family(caller, event)
        } else {
            None
        };
        let lineage = if web.is_none() && extensions.launch_chains { self.lineage.lookup(event).cloned() } else { None };
        if web.is_none() && lineage.is_none() {
            return Ok(None);
        }

        let Some(shell) = shell else {
            if let (true, Some(path)) = (extensions.launch_chains, pathname) {
                if runs_launcher(path, event) {
                    let mut chain = lineage.unwrap_or_else(|| Lineage {
                        web_server: caller.to_string(),
                        web_server_pid: event.host_process_id,
                        launchers: Vec::new(),
                    });
                    chain.launchers.push(path.to_string());
                    self.lineage.record(event.host_process_id, chain);
                }
            }
            return Ok(None);
        };
        if self.rules.is_allowed(caller, event) {
            return Ok(None);
        }
        if !self.rules.explain {
            return Ok(Some(None));
        }
        Ok(Some(Some(explain(caller, pathname, &shell, web.as_ref(), lineage.as_ref()))))
    }
}

/// Builds the `Data` of a default-profile finding: which rules fired and
/// the chain from the web-facing process to the shell.
fn explain(caller: &str, pathname: Option<&str>, shell: &ShellMatch, web: Option<&WebFacing>, lineage: Option<&Lineage>) -> Value {
    let executed = pathname.unwrap_or(&shell.shell);
    let (web_server, rule, chain) = match (web, lineage) {
        (Some(web), _) => (
            serde_json::json!({"name": caller, "matched_by": web.rule, "description": web.description}),
            web.rule,
            vec![caller.to_string(), executed.to_string()],
        ),
        (None, Some(lineage)) => {
            let mut chain = vec![lineage.web_server.clone()];
            chain.extend(lineage.launchers.iter().cloned());
            chain.push(executed.to_string());
            (
                serde_json::json!({"name": lineage.web_server, "pid": lineage.web_server_pid, "matched_by": "launch chain"}),
                "launch chain",
                chain,
            )
        }
        (None, None) => unreachable!("evaluate returns early without a web-facing caller"),
    };
    serde_json::json!({
        "rule": rule,
        "web_server": web_server,
        "shell": {"name": shell.shell, "matched_by": shell.rule, "path": executed},
        "chain": chain,
    })
}

impl Signature for IllegitimateShell {
    fn metadata(&self) -> &Arc<SignatureMetadata> {
        &self.metadata
    }

    fn selected_events(&self) -> &[SelectedEvent] {
        SELECTED
    }

    fn settings(&self) -> Value {
        let (watched_names, watched_prefixes) = self.rules.watched_names();
        serde_json::json!({
            "web_servers": self.rules.web_servers,
            "shells": self.rules.shells,
            "allow": self.rules.allowed,
            "extensions": self.rules.extensions,
            "watched_names": watched_names,
            "watched_prefixes": watched_prefixes,
        })
    }

    fn on_event(&mut self, event: &Arc<Event>, emit: &mut dyn FnMut(Finding)) -> Result<(), SignatureError> {
        if let Some(data) = self.evaluate(event)? {
            emit(Finding { metadata: Arc::clone(&self.metadata), event: Arc::clone(event), data });
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

    fn exec(pid: i64, ppid: i64, caller: &str, pathname: &str, argv: &[&str]) -> Arc<Event> {
        Arc::new(Event {
            event_name: SECURITY_BPRM_CHECK.into(),
            process_name: caller.into(),
            host_process_id: pid,
            host_parent_process_id: ppid,
            args: vec![
                Argument::new("pathname", "const char*", pathname),
                Argument::new("argv", "const char**", argv.to_vec()),
            ],
            ..Event::default()
        })
    }

    /// Runs events through one signature; returns the Data of each finding.
    fn run(profile: Profile, events: &[Arc<Event>]) -> Vec<Option<Value>> {
        let mut signature = IllegitimateShell::new(profile.shell_rules());
        let mut found = Vec::new();
        for event in events {
            signature.on_event(event, &mut |finding| found.push(finding.data)).unwrap();
        }
        found
    }

    #[test]
    fn families_found_by_default_only() {
        for caller in ["php-fpm8.2", "http-nio-8080-e", "fcgiwrap", "php-cgi8.2", "caddy"] {
            let event = exec(10, 1, caller, "/usr/bin/dash", &["sh", "-c", "id"]);
            assert_eq!(run(Profile::Tracee, &[event.clone()]).len(), 0, "{caller}");
            let found = run(Profile::Default, &[event]);
            assert_eq!(found.len(), 1, "{caller}");
            let data = found[0].as_ref().unwrap();
            assert_eq!(data["web_server"]["name"], caller);
            assert_eq!(data["shell"]["name"], "dash");
        }
    }

    #[test]
    fn default_data_explains_tracee_data_null() {
        let event = exec(10, 1, "nginx", "/usr/bin/dash", &["sh", "-c", "id"]);
        assert_eq!(run(Profile::Tracee, &[event.clone()]), vec![None]);
        let data = run(Profile::Default, &[event]).remove(0).unwrap();
        assert_eq!(data["rule"], "listed name");
        assert_eq!(data["chain"], serde_json::json!(["nginx", "/usr/bin/dash"]));
    }

    #[test]
    fn launch_chain_through_env() {
        let events = [
            exec(20, 1, "nginx", "/usr/bin/env", &["env", "sh", "-c", "id"]),
            exec(20, 1, "env", "/usr/bin/dash", &["sh", "-c", "id"]),
        ];
        assert_eq!(run(Profile::Tracee, &events).len(), 0);
        let found = run(Profile::Default, &events);
        assert_eq!(found.len(), 1);
        let data = found[0].as_ref().unwrap();
        assert_eq!(data["rule"], "launch chain");
        assert_eq!(data["chain"], serde_json::json!(["nginx", "/usr/bin/env", "/usr/bin/dash"]));
    }

    #[test]
    fn launch_chain_through_inline_python_child() {
        let events = [
            exec(30, 1, "php-fpm8.2", "/usr/bin/python3.11", &["python3", "-c", "import os; os.system('id')"]),
            exec(31, 30, "python3", "/usr/bin/dash", &["sh", "-c", "id"]),
        ];
        assert_eq!(run(Profile::Default, &events).len(), 1);
        // A script file is not an inline command, so it starts no chain.
        let script = [
            exec(40, 1, "php-fpm8.2", "/usr/bin/python3.11", &["python3", "/srv/report.py"]),
            exec(41, 40, "python3", "/usr/bin/dash", &["sh", "-c", "id"]),
        ];
        assert_eq!(run(Profile::Default, &script).len(), 0);
    }

    #[test]
    fn jspawnhelper_counts_only_from_web_thread() {
        let from_web = [
            exec(50, 1, "http-nio-8080-e", "/usr/lib/jvm/java-17/lib/jspawnhelper", &["jspawnhelper", "9:10:11"]),
            exec(50, 1, "jspawnhelper", "/usr/bin/dash", &["sh", "-c", "id"]),
        ];
        assert_eq!(run(Profile::Default, &from_web).len(), 1);
        let from_build = [
            exec(60, 1, "java", "/usr/lib/jvm/java-17/lib/jspawnhelper", &["jspawnhelper", "9:10:11"]),
            exec(60, 1, "jspawnhelper", "/usr/bin/dash", &["sh", "-c", "make"]),
        ];
        assert_eq!(run(Profile::Default, &from_build).len(), 0);
    }

    #[test]
    fn shells_started_by_shells_not_found() {
        let events = [
            exec(70, 1, "nginx", "/usr/bin/dash", &["sh", "-c", "ls; sh -c id"]),
            exec(71, 70, "sh", "/usr/bin/dash", &["sh", "-c", "id"]),
            exec(72, 71, "sh", "/usr/bin/bash", &["bash"]),
        ];
        assert_eq!(run(Profile::Default, &events).len(), 1, "only the web server's own shell");
    }

    #[test]
    fn busybox_applets() {
        let shell = exec(80, 1, "nginx", "/usr/bin/busybox", &["busybox", "sh", "-c", "id"]);
        let not_shell = exec(81, 1, "nginx", "/usr/bin/busybox", &["busybox", "true"]);
        let wget = exec(82, 1, "nginx", "/usr/bin/busybox", &["busybox", "wget", "http://127.0.0.1/"]);
        assert_eq!(run(Profile::Tracee, &[shell.clone()]).len(), 0);
        assert_eq!(run(Profile::Default, &[shell]).len(), 1);
        assert_eq!(run(Profile::Default, &[not_shell, wget]).len(), 0);
    }

    #[test]
    fn php_mail_allowed_exactly() {
        let mail = exec(93, 1, "php-fpm8.2", "/usr/bin/dash", &["sh", "-c", "/usr/sbin/sendmail -t -i"]);
        let injected = exec(94, 1, "php-fpm8.2", "/usr/bin/dash", &["sh", "-c", "/usr/sbin/sendmail -t -i; id"]);
        assert_eq!(run(Profile::Default, &[mail]).len(), 0);
        assert_eq!(run(Profile::Default, &[injected]).len(), 1);
    }

    #[test]
    fn comment_does_not_silence_allowed_exec() {
        let allowed = exec(90, 1, "lighttpd", "/usr/bin/dash", &["/bin/sh", "-c", "/usr/share/lighttpd/create-mime.conf.pl"]);
        let commented =
            exec(91, 1, "lighttpd", "/usr/bin/dash", &["/bin/sh", "-c", "id # /usr/share/lighttpd/create-mime.conf.pl"]);
        let healthcheck = exec(92, 1, "nginx", "/usr/bin/dash", &["/bin/sh", "-c", "id # healthcheck"]);
        assert_eq!(run(Profile::Default, &[allowed]).len(), 0);
        assert_eq!(run(Profile::Default, &[commented, healthcheck]).len(), 2);
    }

    #[test]
    fn extensions_switch_off() {
        let mut rules = Profile::Default.shell_rules();
        rules.extensions = Extensions { families: false, ..Extensions::ALL };
        let mut signature = IllegitimateShell::new(rules);
        let mut count = 0;
        let event = exec(95, 1, "php-fpm8.2", "/usr/bin/dash", &["sh"]);
        signature.on_event(&event, &mut |_| count += 1).unwrap();
        assert_eq!(count, 0);
    }

    #[test]
    fn watched_names_follow_extensions() {
        let (exact, prefixes) = Profile::Tracee.shell_rules().watched_names();
        assert!(exact.contains(&"nginx".to_string()));
        assert!(!exact.contains(&"env".to_string()));
        assert!(prefixes.is_empty());
        let (exact, prefixes) = Profile::Default.shell_rules().watched_names();
        assert!(exact.contains(&"env".to_string()));
        assert!(exact.contains(&"busybox".to_string()));
        assert!(prefixes.contains(&"php-fpm".to_string()));
        assert!(prefixes.contains(&"python".to_string()));
    }

    #[test]
    fn one_finding_per_event() {
        // "/bash" and "/sh" both could match a path only once.
        assert_eq!(findings(Profile::Default, &bprm_check("nginx", Some("/bin/bash"))).unwrap(), 1);
    }
}
