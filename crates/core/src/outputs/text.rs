//! The text format: one line per finding, for a person at a terminal.
//!
//! Every string that an attacker can choose (process names, paths, host and
//! container names) passes through [`escape_for_terminal`], so a crafted
//! path cannot end the line, move the cursor or reorder the text.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::detection::Finding;

pub(super) fn write(out: &mut dyn Write, finding: &Finding) -> io::Result<()> {
    let event = &finding.event;
    let mut line = String::new();
    let _ = write!(line, "{} {} {}: ", format_timestamp(event.timestamp), finding.metadata.id, finding.metadata.name);

    // A sched_process_exec event carries the new name; the caller's name,
    // the web server, is its prev_comm argument.
    let caller = event.string_argument("prev_comm").unwrap_or(&event.process_name);
    let _ = write!(
        line,
        "process {} (pid {}, ppid {}, uid {})",
        escape_for_terminal(caller),
        event.host_process_id,
        event.host_parent_process_id,
        event.user_id
    );

    match event.string_argument("pathname") {
        Ok(path) => {
            let _ = write!(line, " executed {}", escape_for_terminal(path));
        }
        Err(_) => {
            let _ = write!(line, " executed a shell");
        }
    }

    if !event.container_id.is_empty() {
        let _ = write!(line, " in container {}", escape_for_terminal(&event.container_id));
    }
    if !event.host_name.is_empty() {
        let _ = write!(line, " on {}", escape_for_terminal(&event.host_name));
    }
    if let Some(data) = &finding.data {
        let _ = write!(line, " {}", escape_for_terminal(&data.to_string()));
    }
    out.write_all(line.as_bytes())
}

/// Returns the text with control characters, Unicode bidirectional
/// controls and backslashes escaped, so the result is one visible line and
/// the escape can be undone.
pub fn escape_for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Formats nanoseconds since the Unix epoch as RFC 3339 UTC with
/// microseconds, for example `2022-07-08T14:24:05.020855Z`.
pub fn format_timestamp(nanos: i64) -> String {
    let seconds = nanos.div_euclid(1_000_000_000);
    let micros = nanos.rem_euclid(1_000_000_000) / 1000;
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// Converts days since 1970-01-01 to a proleptic Gregorian date (the
/// well-known algorithm by Howard Hinnant).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_one_line() {
        assert_eq!(escape_for_terminal("/bin/sh"), "/bin/sh");
        assert_eq!(escape_for_terminal("a\nFAKE"), "a\\nFAKE");
        assert_eq!(escape_for_terminal("\x1b[2J"), "\\u{1b}[2J");
        assert_eq!(escape_for_terminal("a\\nb"), "a\\\\nb");
        assert_eq!(escape_for_terminal("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(escape_for_terminal("\u{85}"), "\\u{85}");
    }

    #[test]
    fn timestamps_format_as_rfc3339() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(format_timestamp(1_657_290_245_020_855_990), "2022-07-08T14:24:05.020855Z");
        assert_eq!(format_timestamp(951_782_400_000_000_000), "2000-02-29T00:00:00.000000Z");
    }
}
