//! The event model: one Tracee-shaped event, whatever produced it.
//!
//! An [`Event`] carries the context fields and arguments that detections and
//! outputs read. An event decoded from a recorded stream also keeps the exact
//! JSON text it was read from, and every output writes that text back
//! unchanged, so no field that this model does not name is ever lost,
//! renamed or reformatted.

mod decode;
mod encode;
pub(crate) mod go_json;
mod go_types;
mod line_filter;

use std::fmt;

use serde_json::Value;

pub use line_filter::LineFilter;
pub use decode::{decode_event, decode_event_name, DecodeError};
pub use encode::write_event_json;

/// Tracee's name for the LSM exec check event.
pub const SECURITY_BPRM_CHECK: &str = "security_bprm_check";
/// Tracee's event id of `security_bprm_check` (a JSON string in Tracee's output).
pub const SECURITY_BPRM_CHECK_ID: &str = "1019";
/// Tracee's name for the scheduler's exec event.
pub const SCHED_PROCESS_EXEC: &str = "sched_process_exec";

/// One event, in the shape of a Tracee event.
///
/// Fields are public because sources fill them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event {
    /// Nanoseconds since the Unix epoch.
    pub timestamp: i64,
    /// Start time of the thread, nanoseconds since the Unix epoch.
    pub thread_start_time: i64,
    pub processor_id: i64,
    /// Process id in the process's own pid namespace.
    pub process_id: i64,
    pub cgroup_id: u64,
    pub thread_id: i64,
    pub parent_process_id: i64,
    pub host_process_id: i64,
    pub host_thread_id: i64,
    pub host_parent_process_id: i64,
    pub user_id: i64,
    pub mount_namespace: i64,
    pub pid_namespace: i64,
    /// Name (comm) of the task, at most 15 bytes in the kernel.
    pub process_name: String,
    /// Path of the task's executable, when the source provides it.
    pub executable_path: String,
    pub host_name: String,
    /// Container id, from the nested `container.id` or the older flat
    /// `containerId`, whichever the stream carries.
    pub container_id: String,
    pub container_name: String,
    pub container_image: String,
    pub pod_name: String,
    pub pod_namespace: String,
    /// Event id; Tracee writes it as a JSON string.
    pub event_id: String,
    pub event_name: String,
    pub syscall: String,
    pub return_value: i64,
    pub args: Vec<Argument>,
    /// The JSON text this event was decoded from. Outputs write it back
    /// verbatim; a source that builds events leaves it `None`.
    pub raw: Option<Box<str>>,
}

/// One event argument. The value is any JSON value, as in Tracee's output.
#[derive(Clone, Debug, PartialEq)]
pub struct Argument {
    pub name: String,
    pub arg_type: String,
    pub value: Value,
}

impl Argument {
    /// Builds an argument from its three parts.
    pub fn new(name: impl Into<String>, arg_type: impl Into<String>, value: impl Into<Value>) -> Self {
        Argument { name: name.into(), arg_type: arg_type.into(), value: value.into() }
    }
}

/// Error reading an argument as the type a signature needs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArgumentError {
    #[error("argument {0:?} is missing")]
    Missing(String),
    #[error("argument {0:?} is null")]
    Null(String),
    #[error("argument {name:?} is not a string (found {found})")]
    NotString { name: String, found: &'static str },
}

impl Event {
    /// Returns the first argument with this name.
    pub fn argument(&self, name: &str) -> Option<&Argument> {
        self.args.iter().find(|arg| arg.name == name)
    }

    /// Returns the string value of the first argument with this name, with
    /// the same errors as Tracee's helper: missing, or not a string.
    pub fn string_argument(&self, name: &str) -> Result<&str, ArgumentError> {
        let arg = self.argument(name).ok_or_else(|| ArgumentError::Missing(name.to_string()))?;
        match &arg.value {
            Value::String(text) => Ok(text),
            Value::Null => Err(ArgumentError::Null(name.to_string())),
            other => Err(ArgumentError::NotString { name: name.to_string(), found: json_type_name(other) }),
        }
    }

    /// Returns the JSON text this event was decoded from, if it came from a
    /// stream. Outputs write this text back verbatim.
    pub fn raw_json(&self) -> Option<&str> {
        self.raw.as_deref()
    }

    /// Tells whether the event comes from a process in a container.
    pub fn origin(&self) -> Origin {
        if self.container_id.is_empty() {
            Origin::Host
        } else {
            Origin::Container
        }
    }
}

/// Place where an event's process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Host,
    Container,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Host => "host",
            Origin::Container => "container",
        })
    }
}

/// Returns the JSON type name of a value, for error messages.
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
