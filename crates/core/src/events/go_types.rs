//! The Go types of Tracee's `trace.Event` (v0.22), as far as decoding a
//! line can fail on them, and the check of a JSON value against them.
//!
//! Go's decoder rejects the whole line when a known field has a value of
//! another JSON type, so the `tracee` profile must reject it too.

use serde_json::value::RawValue;
use serde_json::Value;

use super::go_json::{key_matches, Members};
use super::{json_type_name, DecodeError};

/// A Go field type.
#[derive(Clone, Copy, Debug)]
pub(crate) enum GoType {
    Int,
    Uint,
    Uint32,
    Bool,
    String,
    /// An int written as a JSON string (`json:",string"`).
    QuotedInt,
    List(&'static GoType),
    Struct(&'static [(&'static str, GoType)]),
    /// `map[string]interface{}`: any object.
    Map,
    /// `[]trace.Argument`: an array whose elements are checked while they
    /// are decoded.
    Args,
}

const STRING: GoType = GoType::String;
const UINT: GoType = GoType::Uint;

/// Returns the index of a field name in [`EVENT_FIELDS`]; use it in a
/// `const` block so the search runs at compile time.
pub(crate) const fn event_field(name: &str) -> usize {
    let mut index = 0;
    while index < EVENT_FIELDS.len() {
        if const_str_eq(EVENT_FIELDS[index].0, name) {
            return index;
        }
        index += 1;
    }
    panic!("not a trace.Event field name");
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The fields of `trace.Event` that can fail decoding, in Tracee's order.
/// Keys that match none of them are ignored, as Go ignores them.
pub(crate) const EVENT_FIELDS: &[(&str, GoType)] = &[
    ("timestamp", GoType::Int),
    ("threadStartTime", GoType::Int),
    ("processorId", GoType::Int),
    ("processId", GoType::Int),
    ("cgroupId", GoType::Uint),
    ("threadId", GoType::Int),
    ("parentProcessId", GoType::Int),
    ("hostProcessId", GoType::Int),
    ("hostThreadId", GoType::Int),
    ("hostParentProcessId", GoType::Int),
    ("userId", GoType::Int),
    ("mountNamespace", GoType::Int),
    ("pidNamespace", GoType::Int),
    ("processName", GoType::String),
    ("executable", GoType::Struct(&[("path", GoType::String)])),
    ("hostName", GoType::String),
    ("containerId", GoType::String),
    (
        "container",
        GoType::Struct(&[
            ("id", GoType::String),
            ("name", GoType::String),
            ("image", GoType::String),
            ("imageDigest", GoType::String),
        ]),
    ),
    (
        "kubernetes",
        GoType::Struct(&[
            ("podName", GoType::String),
            ("podNamespace", GoType::String),
            ("podUID", GoType::String),
            ("podSandbox", GoType::Bool),
        ]),
    ),
    ("eventId", GoType::QuotedInt),
    ("eventName", GoType::String),
    ("matchedPolicies", GoType::List(&STRING)),
    ("argsNum", GoType::Int),
    ("returnValue", GoType::Int),
    ("syscall", GoType::String),
    ("stackAddresses", GoType::List(&UINT)),
    ("contextFlags", GoType::Struct(&[("containerStarted", GoType::Bool), ("isCompat", GoType::Bool)])),
    ("threadEntityId", GoType::Uint32),
    ("processEntityId", GoType::Uint32),
    ("parentEntityId", GoType::Uint32),
    ("args", GoType::Args),
    (
        "metadata",
        GoType::Struct(&[
            ("Version", GoType::String),
            ("Description", GoType::String),
            ("Tags", GoType::List(&STRING)),
            ("Properties", GoType::Map),
        ]),
    ),
];

/// Returns the index of the field a key decodes into, as Go picks it: an
/// exact match first, then a case-insensitive one.
pub(crate) fn field_index(fields: &[(&str, GoType)], key: &str) -> Option<usize> {
    fields
        .iter()
        .position(|(name, _)| *name == key)
        .or_else(|| fields.iter().position(|(name, _)| key_matches(key, name)))
}

/// Checks a value against a Go type. `null` fits every type, as Go leaves
/// the field unchanged. `path` names the field in an error.
pub(crate) fn check_value(path: &[&str], value: &RawValue, go_type: GoType) -> Result<(), DecodeError> {
    let text = value.get();
    if text == "null" {
        return Ok(());
    }
    let fits = match go_type {
        GoType::Int => is_integer(text) && text.parse::<i64>().is_ok(),
        GoType::Uint => is_integer(text) && text.parse::<u64>().is_ok(),
        GoType::Uint32 => is_integer(text) && text.parse::<u32>().is_ok(),
        GoType::Bool => text == "true" || text == "false",
        GoType::String => text.starts_with('"'),
        GoType::QuotedInt => {
            serde_json::from_str::<String>(text).is_ok_and(|s| is_integer(&s) && s.parse::<i64>().is_ok())
        }
        GoType::List(element) => {
            let items: Vec<&RawValue> =
                serde_json::from_str(text).map_err(|_| type_error(path, "an array", value))?;
            let mut element_path = path.to_vec();
            element_path.push("[]");
            for item in items {
                check_value(&element_path, item, *element)?;
            }
            true
        }
        GoType::Struct(fields) => {
            let members: Members = serde_json::from_str(text).map_err(|_| type_error(path, "an object", value))?;
            for (key, inner) in &members.0 {
                if let Some(index) = field_index(fields, key) {
                    let (name, inner_type) = fields[index];
                    let mut inner_path = path.to_vec();
                    inner_path.push(name);
                    check_value(&inner_path, inner, inner_type)?;
                }
            }
            true
        }
        GoType::Map => text.starts_with('{'),
        GoType::Args => text.starts_with('['),
    };
    if fits {
        Ok(())
    } else {
        Err(type_error(path, go_type.describe(), value))
    }
}

/// Builds the error for a value of the wrong type.
pub(crate) fn type_error(path: &[&str], expected: &'static str, found: &RawValue) -> DecodeError {
    let found = serde_json::from_str::<Value>(found.get())
        .map(|v| match &v {
            Value::Number(n) => format!("number {n}"),
            other => json_type_name(other).to_string(),
        })
        .unwrap_or_else(|_| "an invalid value".to_string());
    DecodeError::FieldType { field: path.join(".").replace(".[]", "[]"), expected, found }
}

/// Tells whether a JSON number literal has no fraction and no exponent, as
/// Go requires for an integer field.
pub(crate) fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

impl GoType {
    fn describe(self) -> &'static str {
        match self {
            GoType::Int => "an integer",
            GoType::Uint => "a non-negative integer",
            GoType::Uint32 => "a 32-bit non-negative integer",
            GoType::Bool => "a boolean",
            GoType::String => "a string",
            GoType::QuotedInt => "an integer inside a string",
            GoType::List(_) | GoType::Args => "an array",
            GoType::Struct(_) | GoType::Map => "an object",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_field_finds_names() {
        assert_eq!(EVENT_FIELDS[event_field("args")].0, "args");
        assert_eq!(event_field("timestamp"), 0);
    }

    #[test]
    fn field_index_prefers_exact_match() {
        let fields = &[("name", GoType::String), ("Name", GoType::Int)];
        assert_eq!(field_index(fields, "Name"), Some(1));
        assert_eq!(field_index(fields, "NAME"), Some(0));
        assert_eq!(field_index(fields, "other"), None);
    }

    #[test]
    fn nested_errors_name_the_path() {
        let value: &RawValue = serde_json::from_str(r#"{"id":"x","ID":1}"#).unwrap();
        let err = check_value(&["container"], value, EVENT_FIELDS[event_field("container")].1).unwrap_err().to_string();
        assert!(err.contains("\"container.id\""), "{err}");
        let value: &RawValue = serde_json::from_str(r#"[1,"x"]"#).unwrap();
        let err = check_value(&["stackAddresses"], value, GoType::List(&UINT)).unwrap_err().to_string();
        assert!(err.contains("\"stackAddresses[]\""), "{err}");
    }
}
