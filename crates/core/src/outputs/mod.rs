//! Finding formats.
//!
//! - `json`: tracee-rules' `rawjson` line, `{"Data":…,"Context":…,"SigMetadata":…}`,
//!   with the triggering event exactly as it was read.
//! - `tracee-event`: the finding as an event, as Tracee's single binary
//!   (v0.13 to v0.24) prints it.
//! - `text`: one line for people, with control characters escaped.

mod text;
mod tracee_event;

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

use crate::detection::Finding;
use crate::events::write_event_json;

pub use text::{escape_for_terminal, format_timestamp};

/// Output format of findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// tracee-rules' JSON finding line.
    #[default]
    Json,
    /// Tracee's finding event line.
    TraceeEvent,
    /// One readable line per finding.
    Text,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "json" => Ok(Format::Json),
            "tracee-event" => Ok(Format::TraceeEvent),
            "text" => Ok(Format::Text),
            other => Err(format!("unknown format {other:?}: expected json, tracee-event or text")),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "json",
            Format::TraceeEvent => "tracee-event",
            Format::Text => "text",
        })
    }
}

/// Writes one finding as one line, line end included.
pub fn write_finding(out: &mut dyn Write, format: Format, finding: &Finding) -> io::Result<()> {
    match format {
        Format::Json => write_rawjson(out, finding)?,
        Format::TraceeEvent => tracee_event::write(out, finding)?,
        Format::Text => text::write(out, finding)?,
    }
    out.write_all(b"\n")
}

fn write_rawjson(out: &mut dyn Write, finding: &Finding) -> io::Result<()> {
    out.write_all(b"{\"Data\":")?;
    match &finding.data {
        Some(data) => serde_json::to_writer(&mut *out, data)?,
        None => out.write_all(b"null")?,
    }
    out.write_all(b",\"Context\":")?;
    write_event_json(out, &finding.event)?;
    out.write_all(b",\"SigMetadata\":")?;
    serde_json::to_writer(&mut *out, finding.metadata.as_ref())?;
    out.write_all(b"}")
}
