//! Launch chains from a web-facing process to a shell through a short
//! launcher: `nginx -> env -> sh`, `php-fpm -> python3 -c ... -> sh`,
//! `http-nio thread -> jspawnhelper -> sh`.
//!
//! The table is built from exec events alone, so it works the same live and
//! on a recorded stream. When a web-facing process (or a process already in
//! the table) executes a launcher, or an interpreter with an inline command,
//! the launcher's pid is recorded with the chain so far. A later exec by
//! that pid, or by a child it forked, continues the chain. The table is
//! bounded, and a chain stops after [`MAX_HOPS`] launchers.
//!
//! The live sensor seeds the table at start from the running processes
//! whose parent has a watched name. Entries leave the table only when it is
//! full, oldest first, because a reused pid matters only if it runs a shell
//! and is looked up before its entry ages out.
//!
//! NOTE: a chain where the launcher forks twice before the shell is missed
//! (only the pid and its parent are looked up), and so is, in replay, a
//! chain whose launcher started before the recording began.

use std::collections::{HashMap, VecDeque};

use serde_json::Value;

use crate::events::Event;

use super::web_facing::basename;

/// Programs that run another program, usually unchanged.
pub const LAUNCHERS: &[&str] =
    &["env", "nice", "ionice", "timeout", "nohup", "stdbuf", "setsid", "sudo", "chrt", "taskset", "jspawnhelper"];

/// Interpreters, by program-name prefix, with the options that give them
/// an inline command.
pub const INTERPRETERS: &[(&str, &[&str])] = &[
    ("python", &["-c"]),
    ("perl", &["-e", "-E"]),
    ("ruby", &["-e"]),
    ("php", &["-r"]),
    ("node", &["-e", "--eval", "-p", "--print"]),
    ("lua", &["-e"]),
];

/// Launchers a chain may pass through before the shell.
pub const MAX_HOPS: usize = 4;

/// Processes the table remembers at most; the oldest entry goes first.
pub const TABLE_CAPACITY: usize = 8192;

/// A chain from a web-facing process to a launcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lineage {
    /// Name and host pid of the web-facing process at the chain's start.
    pub web_server: String,
    pub web_server_pid: i64,
    /// Launchers after the web server, as executed paths.
    pub launchers: Vec<String>,
}

/// The bounded process table.
#[derive(Debug, Default)]
pub struct LineageTable {
    entries: HashMap<i64, Lineage>,
    order: VecDeque<i64>,
}

impl LineageTable {
    /// Returns the chain of the calling process or of its parent.
    pub fn lookup(&self, event: &Event) -> Option<&Lineage> {
        self.entries.get(&event.host_process_id).or_else(|| self.entries.get(&event.host_parent_process_id))
    }

    /// Records that the event's process now runs a launcher reached by
    /// `lineage`, unless the chain is already too long.
    pub fn record(&mut self, pid: i64, lineage: Lineage) {
        if lineage.launchers.len() > MAX_HOPS {
            return;
        }
        if self.entries.insert(pid, lineage).is_none() {
            self.order.push_back(pid);
            if self.order.len() > TABLE_CAPACITY {
                if let Some(oldest) = self.order.pop_front() {
                    self.entries.remove(&oldest);
                }
            }
        }
    }

    /// Returns how many processes the table holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Tells whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Tells whether an exec runs a launcher, or an interpreter with an inline
/// command.
pub fn runs_launcher(pathname: &str, event: &Event) -> bool {
    let name = basename(pathname);
    if LAUNCHERS.contains(&name) {
        return true;
    }
    let Some((_, flags)) = INTERPRETERS.iter().find(|(prefix, _)| name.starts_with(prefix)) else {
        return false;
    };
    let Some(Value::Array(argv)) = event.argument("argv").map(|a| &a.value) else {
        return false;
    };
    argv.iter().skip(1).filter_map(Value::as_str).any(|arg| flags.contains(&arg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Argument;

    fn exec(pid: i64, ppid: i64, argv: &[&str]) -> Event {
        Event {
            host_process_id: pid,
            host_parent_process_id: ppid,
            args: vec![Argument::new("argv", "const char**", argv.to_vec())],
            ..Event::default()
        }
    }

    #[test]
    fn launchers_and_inline_interpreters() {
        assert!(runs_launcher("/usr/bin/env", &exec(1, 0, &["env", "sh"])));
        assert!(runs_launcher("/usr/bin/python3.11", &exec(1, 0, &["python3", "-c", "import os"])));
        assert!(runs_launcher("/usr/bin/perl", &exec(1, 0, &["perl", "-e", "system 'id'"])));
        assert!(!runs_launcher("/usr/bin/python3.11", &exec(1, 0, &["python3", "/srv/app.py"])));
        assert!(!runs_launcher("/usr/bin/ls", &exec(1, 0, &["ls"])));
    }

    #[test]
    fn lookup_by_pid_then_parent() {
        let mut table = LineageTable::default();
        let lineage = Lineage { web_server: "nginx".into(), web_server_pid: 5, launchers: vec!["/usr/bin/env".into()] };
        table.record(10, lineage.clone());
        assert_eq!(table.lookup(&exec(10, 5, &[])), Some(&lineage));
        assert_eq!(table.lookup(&exec(11, 10, &[])), Some(&lineage));
        assert_eq!(table.lookup(&exec(12, 11, &[])), None);
    }

    #[test]
    fn table_stays_bounded() {
        let mut table = LineageTable::default();
        let lineage = Lineage { web_server: "nginx".into(), web_server_pid: 5, launchers: vec![] };
        for pid in 0..(TABLE_CAPACITY as i64 + 100) {
            table.record(pid, lineage.clone());
        }
        assert_eq!(table.len(), TABLE_CAPACITY);
        assert!(table.lookup(&exec(0, -1, &[])).is_none(), "the oldest entry went first");
    }

    #[test]
    fn long_chains_stop() {
        let mut table = LineageTable::default();
        let launchers = vec!["/usr/bin/env".to_string(); MAX_HOPS + 1];
        table.record(1, Lineage { web_server: "nginx".into(), web_server_pid: 5, launchers });
        assert!(table.is_empty());
    }
}
