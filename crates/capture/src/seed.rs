//! The processes that were already running when the sensor started, as the
//! exec events that started them, so that state built from exec events
//! (the launch-chain table) includes them.
//!
//! For each process whose parent has a watched name, the event records that a
//! process with the parent's name executed the process's current program:
//! a forked child inherits its parent's name, so that is the name the exec
//! saw. The events are approximations (no exec time, no dev or inode) and
//! only seed state; the caller drops any finding they would give.

use std::path::Path;

use shellsentry_core::events::{Argument, Event, SECURITY_BPRM_CHECK, SECURITY_BPRM_CHECK_ID};

use crate::enrich::read_cmdline;

/// Returns one event per running process whose parent's name is watched.
pub fn existing_execs(watched_names: &[String], watched_prefixes: &[String]) -> Vec<Event> {
    let is_watched = |name: &str| {
        watched_names.iter().any(|watched| watched == name) || watched_prefixes.iter().any(|prefix| name.starts_with(prefix.as_str()))
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut events = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<i64>().ok()) else {
            continue;
        };
        let Some(ppid) = parent_pid(pid) else {
            continue;
        };
        let parent_name = read_trimmed(&format!("/proc/{ppid}/comm"));
        if parent_name.is_empty() || !is_watched(&parent_name) {
            continue;
        }
        let Ok(exe) = std::fs::read_link(format!("/proc/{pid}/exe")) else {
            continue;
        };
        let argv = read_cmdline(pid).unwrap_or_default();
        let mut event = Event {
            process_id: pid,
            thread_id: pid,
            parent_process_id: ppid,
            host_process_id: pid,
            host_thread_id: pid,
            host_parent_process_id: ppid,
            process_name: parent_name,
            event_id: SECURITY_BPRM_CHECK_ID.into(),
            event_name: SECURITY_BPRM_CHECK.into(),
            ..Event::default()
        };
        event.args.push(Argument::new("pathname", "const char*", exe.to_string_lossy().into_owned()));
        event.args.push(Argument::new("argv", "const char**", argv));
        events.push(event);
    }
    events
}

fn parent_pid(pid: i64) -> Option<i64> {
    let stat = std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat")).ok()?;
    // The name in parentheses may hold spaces, so fields count from its end.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default().trim_end_matches('\n').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_children_seen_under_parent_name() {
        let own_name = read_trimmed(&format!("/proc/{}/comm", std::process::id()));
        let mut child = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        let events = existing_execs(&[own_name.clone()], &[]);
        let seen = events.iter().find(|e| e.host_process_id == i64::from(child.id()));
        child.kill().unwrap();
        child.wait().unwrap();
        let seen = seen.expect("the child is listed under this process's name");
        assert_eq!(seen.process_name, own_name);
        assert!(seen.string_argument("pathname").unwrap().ends_with("/sleep"));
    }
}
