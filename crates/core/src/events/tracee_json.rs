//! Tracee's JSON event format: decoding a stream line into an [`Event`] and
//! writing an event built by a live source.
//!
//! Decoding follows Go's `encoding/json` into Tracee's `trace.Event` (v0.22
//! field types), so a line that Tracee rejects is rejected here too, and a
//! line that Tracee accepts decodes to the same values. See `go_json` for
//! the rules that differ from serde_json's.

use std::io::{self, Write};

use serde_json::value::RawValue;
use serde_json::Value;

use super::go_json::{replace_lone_surrogates, to_utf8_like_go, Members};
use super::{json_type_name, Argument, Event};

/// Error for a line that is not a usable event.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("invalid JSON at column {column}: {message}")]
    Syntax { column: usize, message: String },
    #[error("expected a JSON object, found {found}")]
    NotObject { found: &'static str },
    #[error("field {field:?} must be {expected}, found {found}")]
    FieldType { field: String, expected: &'static str, found: String },
}

/// Go type of a `trace.Event` field, as far as decoding can fail on it.
#[derive(Clone, Copy)]
enum GoType {
    Int,
    Uint,
    Uint32,
    Bool,
    String,
    /// An int written as a JSON string (`json:",string"`).
    QuotedInt,
    StringList,
    UintList,
    /// A struct whose fields are all strings.
    StringStruct(&'static [&'static str]),
    ContextFlags,
    Kubernetes,
    Metadata,
    Args,
}

/// The fields of `trace.Event` that can fail decoding, with their Go types.
/// Fields not listed here are not part of `trace.Event` and Go ignores them.
const EVENT_FIELDS: &[(&str, GoType)] = &[
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
    ("executable", GoType::StringStruct(&["path"])),
    ("hostName", GoType::String),
    ("containerId", GoType::String),
    ("container", GoType::StringStruct(&["id", "name", "image", "imageDigest"])),
    ("kubernetes", GoType::Kubernetes),
    ("eventId", GoType::QuotedInt),
    ("eventName", GoType::String),
    ("matchedPolicies", GoType::StringList),
    ("argsNum", GoType::Int),
    ("returnValue", GoType::Int),
    ("syscall", GoType::String),
    ("stackAddresses", GoType::UintList),
    ("contextFlags", GoType::ContextFlags),
    ("threadEntityId", GoType::Uint32),
    ("processEntityId", GoType::Uint32),
    ("parentEntityId", GoType::Uint32),
    ("args", GoType::Args),
    ("metadata", GoType::Metadata),
];

/// Decodes one line (without its line end) into an event that keeps the
/// line's text.
pub fn decode_event(line: &[u8]) -> Result<Event, DecodeError> {
    let text = to_utf8_like_go(line);
    // serde_json rejects a lone surrogate escape where Go decodes U+FFFD, so
    // values are read from a repaired copy; the raw text stays as read.
    let repaired = replace_lone_surrogates(&text);
    let members: Members = parse(repaired.as_deref().unwrap_or(&text))?;
    for (field, go_type) in EVENT_FIELDS {
        for value in members.all(field) {
            check_type(field, value, *go_type)?;
        }
    }
    let mut event = Event::default();
    fill_event(&mut event, &members)?;
    // A valid UTF-8 line is kept byte for byte. A line with invalid bytes
    // keeps them as U+FFFD, which is also what Tracee's Go output shows.
    event.raw = Some(text.as_ref().into());
    Ok(event)
}

/// Returns the top-level `eventName` of a line as Go would decode it, without
/// decoding the rest: a cheap test for lines that might carry a selected
/// event. `None` means the line has no usable name. Errors are those of
/// [`decode_event`] for invalid JSON or a non-object line.
pub fn decode_event_name(line: &[u8]) -> Result<Option<String>, DecodeError> {
    let text = to_utf8_like_go(line);
    let repaired = replace_lone_surrogates(&text);
    let members = parse(repaired.as_deref().unwrap_or(&text))?;
    Ok(members.get("eventName").and_then(decode_string))
}

fn parse(text: &str) -> Result<Members<'_>, DecodeError> {
    match serde_json::from_str::<Members>(text) {
        Ok(members) => Ok(members),
        Err(err) if err.classify() == serde_json::error::Category::Data => {
            let found = serde_json::from_str::<Value>(text).map(|v| json_type_name(&v)).unwrap_or("another value");
            Err(DecodeError::NotObject { found })
        }
        Err(err) => Err(DecodeError::Syntax { column: err.column(), message: syntax_message(&err) }),
    }
}

/// Returns serde_json's message without its " at line L column C" suffix,
/// which would be wrong for a stream where the line number is the reader's.
fn syntax_message(err: &serde_json::Error) -> String {
    let full = err.to_string();
    match full.find(" at line ") {
        Some(cut) => full[..cut].to_string(),
        None => full,
    }
}

fn fill_event(event: &mut Event, members: &Members) -> Result<(), DecodeError> {
    event.timestamp = int_field(members, "timestamp");
    event.thread_start_time = int_field(members, "threadStartTime");
    event.processor_id = int_field(members, "processorId");
    event.process_id = int_field(members, "processId");
    event.cgroup_id = members.get("cgroupId").and_then(|v| v.get().parse().ok()).unwrap_or(0);
    event.thread_id = int_field(members, "threadId");
    event.parent_process_id = int_field(members, "parentProcessId");
    event.host_process_id = int_field(members, "hostProcessId");
    event.host_thread_id = int_field(members, "hostThreadId");
    event.host_parent_process_id = int_field(members, "hostParentProcessId");
    event.user_id = int_field(members, "userId");
    event.mount_namespace = int_field(members, "mountNamespace");
    event.pid_namespace = int_field(members, "pidNamespace");
    event.process_name = string_field(members, "processName");
    event.host_name = string_field(members, "hostName");
    event.event_name = string_field(members, "eventName");
    event.syscall = string_field(members, "syscall");
    event.return_value = int_field(members, "returnValue");
    event.event_id = string_field(members, "eventId");
    event.executable_path = nested_string(members, "executable", "path");

    event.container_id = string_field(members, "containerId");
    let nested_id = nested_string(members, "container", "id");
    if !nested_id.is_empty() {
        event.container_id = nested_id;
    }
    event.container_name = nested_string(members, "container", "name");
    event.container_image = nested_string(members, "container", "image");
    event.pod_name = nested_string(members, "kubernetes", "podName");
    event.pod_namespace = nested_string(members, "kubernetes", "podNamespace");
    // Older Tracee releases wrote these flat. trace.Event no longer has
    // them, so Go never type-checks them, and they only fill what the
    // nested objects left empty.
    fill_if_empty(&mut event.container_name, members, "containerName");
    fill_if_empty(&mut event.container_image, members, "containerImage");
    fill_if_empty(&mut event.pod_name, members, "podName");
    fill_if_empty(&mut event.pod_namespace, members, "podNamespace");

    event.args = decode_args(members)?;
    Ok(())
}

fn int_field(members: &Members, field: &str) -> i64 {
    members.get(field).and_then(|v| v.get().parse().ok()).unwrap_or(0)
}

fn string_field(members: &Members, field: &str) -> String {
    members.get(field).and_then(decode_string).unwrap_or_default()
}

/// Returns a string member of an object field. Go merges repeated objects
/// member by member, so the last non-null member across all of them wins.
fn nested_string(members: &Members, field: &str, member: &str) -> String {
    let mut found = String::new();
    for object in members.all(field) {
        if let Ok(inner) = serde_json::from_str::<Members>(object.get()) {
            if let Some(text) = inner.get(member).and_then(decode_string) {
                found = text;
            }
        }
    }
    found
}

fn fill_if_empty(target: &mut String, members: &Members, field: &str) {
    if target.is_empty() {
        if let Some(text) = members.get(field).and_then(decode_string) {
            *target = text;
        }
    }
}

fn decode_string(value: &RawValue) -> Option<String> {
    serde_json::from_str::<String>(value.get()).ok()
}

/// Decodes `args` the way Go fills `[]trace.Argument`. Every `args` member
/// decodes in turn into the same slice, and `null` empties it. An array
/// decodes element by element into the slice's existing storage. So a
/// repeated `args` keeps the earlier names and types that it does not set.
fn decode_args(members: &Members) -> Result<Vec<Argument>, DecodeError> {
    let mut storage: Vec<Argument> = Vec::new();
    let mut len = 0;
    for raw in members.all("args") {
        if raw.get() == "null" {
            storage.clear();
            len = 0;
            continue;
        }
        let items: Vec<&RawValue> =
            serde_json::from_str(raw.get()).map_err(|_| type_error("args", "an array", raw))?;
        for (index, item) in items.iter().enumerate() {
            if index == storage.len() {
                storage.push(Argument::new("", "", Value::Null));
            }
            decode_argument(&mut storage[index], item)?;
        }
        len = items.len();
    }
    storage.truncate(len);
    Ok(storage)
}

/// Decodes one argument object into `arg`, then converts a number or list
/// value by the argument's type, as Tracee's `Argument.UnmarshalJSON` does.
fn decode_argument(arg: &mut Argument, item: &RawValue) -> Result<(), DecodeError> {
    if item.get() == "null" {
        return Ok(());
    }
    let members: Members = serde_json::from_str(item.get()).map_err(|_| type_error("args[]", "an object", item))?;
    for name in members.all("name") {
        check_type("args[].name", name, GoType::String)?;
    }
    for arg_type in members.all("type") {
        check_type("args[].type", arg_type, GoType::String)?;
    }
    if let Some(name) = members.get("name").and_then(decode_string) {
        arg.name = name;
    }
    if let Some(arg_type) = members.get("type").and_then(decode_string) {
        arg.arg_type = arg_type;
    }
    if let Some(value) = members.all("value").last() {
        arg.value = serde_json::from_str(value.get()).unwrap_or(Value::Null);
        if let Value::Number(number) = &arg.value {
            arg.value = convert_number(&arg.name, &arg.arg_type, &number.to_string(), value)?;
        }
    }
    if arg.arg_type == "const char*const*" || arg.arg_type == "const char**" {
        match &arg.value {
            Value::Null => arg.value = Value::Array(Vec::new()),
            Value::Array(items) if items.iter().all(Value::is_string) => {}
            _ => {
                return Err(DecodeError::FieldType {
                    field: format!("args[{}].value", arg.name),
                    expected: "an array of strings",
                    found: json_type_name(&arg.value).to_string(),
                })
            }
        }
    }
    Ok(())
}

/// Converts a number value by its argument type. A type ending in `*` is an
/// address, so the number must be an unsigned integer. Other known C types
/// have their width. A number under any other type fails the whole line, as
/// in Go.
fn convert_number(name: &str, arg_type: &str, literal: &str, raw: &RawValue) -> Result<Value, DecodeError> {
    // serde_json prints a float such as 1e3 as 1000.0, so the check reads
    // the literal as written.
    let written = raw.get();
    let fail = |expected: &'static str| DecodeError::FieldType {
        field: format!("args[{name}].value"),
        expected,
        found: format!("number {written}"),
    };
    let integer = is_integer(written);
    let value = if arg_type.ends_with('*') {
        let parsed = integer.then(|| written.parse::<u64>().ok()).flatten();
        Value::from(parsed.ok_or_else(|| fail("an unsigned 64-bit integer"))?)
    } else {
        match arg_type {
            "int" | "pid_t" | "uid_t" | "gid_t" | "mqd_t" | "clockid_t" | "const clockid_t" | "key_t"
            | "key_serial_t" | "timer_t" | "landlock_rule_type" => {
                Value::from(parse_int::<i32>(integer, written).ok_or_else(|| fail("a 32-bit integer"))?)
            }
            "long" => Value::from(parse_int::<i64>(integer, written).ok_or_else(|| fail("a 64-bit integer"))?),
            "unsigned int" | "u32" | "mode_t" | "dev_t" => {
                Value::from(parse_int::<u32>(integer, written).ok_or_else(|| fail("an unsigned 32-bit integer"))?)
            }
            "unsigned long" | "u64" | "off_t" | "size_t" => {
                Value::from(parse_int::<u64>(integer, written).ok_or_else(|| fail("an unsigned 64-bit integer"))?)
            }
            "unsigned short" | "old_uid_t" | "old_gid_t" | "umode_t" | "u16" | "uint16" => {
                Value::from(parse_int::<u16>(integer, written).ok_or_else(|| fail("an unsigned 16-bit integer"))?)
            }
            "int8" => Value::from(parse_int::<i8>(integer, written).ok_or_else(|| fail("an 8-bit integer"))?),
            "u8" | "uint8" => {
                Value::from(parse_int::<u8>(integer, written).ok_or_else(|| fail("an unsigned 8-bit integer"))?)
            }
            "float" | "float64" | "double" => {
                let parsed: f64 = literal.parse().map_err(|_| fail("a floating-point number"))?;
                Value::from(parsed)
            }
            _ => return Err(fail("a value of a known argument type (numbers need a C type such as \"int\")")),
        }
    };
    Ok(value)
}

fn parse_int<T: std::str::FromStr>(integer: bool, text: &str) -> Option<T> {
    if integer {
        text.parse().ok()
    } else {
        None
    }
}

fn type_error(field: &str, expected: &'static str, found: &RawValue) -> DecodeError {
    let found = serde_json::from_str::<Value>(found.get())
        .map(|v| match &v {
            Value::Number(n) => format!("number {n}"),
            other => json_type_name(other).to_string(),
        })
        .unwrap_or_else(|_| "an invalid value".to_string());
    DecodeError::FieldType { field: field.to_string(), expected, found }
}

/// Checks a value against a Go field type. `null` is accepted for every
/// type, as Go leaves the field unchanged.
fn check_type(field: &str, value: &RawValue, go_type: GoType) -> Result<(), DecodeError> {
    let text = value.get();
    if text == "null" {
        return Ok(());
    }
    let ok = match go_type {
        GoType::Int => is_integer(text) && text.parse::<i64>().is_ok(),
        GoType::Uint => is_integer(text) && text.parse::<u64>().is_ok(),
        GoType::Uint32 => is_integer(text) && text.parse::<u32>().is_ok(),
        GoType::Bool => text == "true" || text == "false",
        GoType::String => text.starts_with('"'),
        GoType::QuotedInt => decode_string(value).is_some_and(|s| is_integer(&s) && s.parse::<i64>().is_ok()),
        GoType::StringList => return check_list(field, value, GoType::String),
        GoType::UintList => return check_list(field, value, GoType::Uint),
        GoType::StringStruct(names) => {
            let members = object(field, value)?;
            for name in names {
                if let Some(inner) = members.get(name) {
                    check_type(&format!("{field}.{name}"), inner, GoType::String)?;
                }
            }
            true
        }
        GoType::ContextFlags => {
            let members = object(field, value)?;
            for name in ["containerStarted", "isCompat"] {
                if let Some(inner) = members.get(name) {
                    check_type(&format!("{field}.{name}"), inner, GoType::Bool)?;
                }
            }
            true
        }
        GoType::Kubernetes => {
            let members = object(field, value)?;
            for name in ["podName", "podNamespace", "podUID"] {
                if let Some(inner) = members.get(name) {
                    check_type(&format!("{field}.{name}"), inner, GoType::String)?;
                }
            }
            if let Some(inner) = members.get("podSandbox") {
                check_type(&format!("{field}.podSandbox"), inner, GoType::Bool)?;
            }
            true
        }
        GoType::Metadata => {
            let members = object(field, value)?;
            for name in ["Version", "Description"] {
                if let Some(inner) = members.get(name) {
                    check_type(&format!("{field}.{name}"), inner, GoType::String)?;
                }
            }
            if let Some(tags) = members.get("Tags") {
                check_list(&format!("{field}.Tags"), tags, GoType::String)?;
            }
            if let Some(properties) = members.get("Properties") {
                object(&format!("{field}.Properties"), properties)?;
            }
            true
        }
        // The elements are checked while they are decoded.
        GoType::Args => text.starts_with('['),
    };
    if ok {
        Ok(())
    } else {
        Err(type_error(field, go_type.describe(), value))
    }
}

fn check_list(field: &str, value: &RawValue, element: GoType) -> Result<(), DecodeError> {
    let items: Vec<&RawValue> =
        serde_json::from_str(value.get()).map_err(|_| type_error(field, "an array", value))?;
    for item in items {
        check_type(&format!("{field}[]"), item, element)?;
    }
    Ok(())
}

fn object<'a>(field: &str, value: &'a RawValue) -> Result<Members<'a>, DecodeError> {
    serde_json::from_str(value.get()).map_err(|_| type_error(field, "an object", value))
}

/// Tells whether a JSON number literal has no fraction and no exponent, as
/// Go requires for an integer field.
fn is_integer(text: &str) -> bool {
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
            GoType::StringList => "an array of strings",
            GoType::UintList => "an array of non-negative integers",
            GoType::StringStruct(_) | GoType::ContextFlags | GoType::Kubernetes | GoType::Metadata => "an object",
            GoType::Args => "an array",
        }
    }
}

/// Writes an event as one Tracee JSON object (no line end). An event read
/// from a stream is written exactly as it was read.
pub fn write_event_json(out: &mut dyn Write, event: &Event) -> io::Result<()> {
    if let Some(raw) = event.raw_json() {
        return out.write_all(raw.as_bytes());
    }
    let container = format!(
        "{{\"id\":{},\"name\":{},\"image\":{},\"imageDigest\":\"\"}}",
        json_string(&event.container_id),
        json_string(&event.container_name),
        json_string(&event.container_image)
    );
    let kubernetes = format!(
        "{{\"podName\":{},\"podNamespace\":{},\"podUID\":\"\",\"podSandbox\":false}}",
        json_string(&event.pod_name),
        json_string(&event.pod_namespace)
    );
    let args: Vec<Value> = event
        .args
        .iter()
        .map(|arg| serde_json::json!({"name": arg.name, "type": arg.arg_type, "value": arg.value}))
        .collect();

    // Field order follows Tracee's own output, so recorded lines from both
    // tools diff cleanly.
    write!(out, "{{\"timestamp\":{},\"threadStartTime\":{}", event.timestamp, event.thread_start_time)?;
    write!(out, ",\"processorId\":{},\"processId\":{}", event.processor_id, event.process_id)?;
    write!(out, ",\"cgroupId\":{},\"threadId\":{}", event.cgroup_id, event.thread_id)?;
    write!(out, ",\"parentProcessId\":{},\"hostProcessId\":{}", event.parent_process_id, event.host_process_id)?;
    write!(out, ",\"hostThreadId\":{},\"hostParentProcessId\":{}", event.host_thread_id, event.host_parent_process_id)?;
    write!(out, ",\"userId\":{},\"mountNamespace\":{}", event.user_id, event.mount_namespace)?;
    write!(out, ",\"pidNamespace\":{}", event.pid_namespace)?;
    write!(out, ",\"processName\":{}", json_string(&event.process_name))?;
    write!(out, ",\"executable\":{{\"path\":{}}}", json_string(&event.executable_path))?;
    write!(out, ",\"hostName\":{}", json_string(&event.host_name))?;
    write!(out, ",\"containerId\":{}", json_string(&event.container_id))?;
    write!(out, ",\"container\":{container},\"kubernetes\":{kubernetes}")?;
    write!(out, ",\"eventId\":{},\"eventName\":{}", json_string(&event.event_id), json_string(&event.event_name))?;
    write!(out, ",\"matchedPolicies\":[\"\"],\"argsNum\":{}", event.args.len())?;
    write!(out, ",\"returnValue\":{}", event.return_value)?;
    write!(out, ",\"syscall\":{}", json_string(&event.syscall))?;
    write!(out, ",\"stackAddresses\":null")?;
    write!(out, ",\"contextFlags\":{{\"containerStarted\":{},\"isCompat\":false}}", !event.container_id.is_empty())?;
    write!(out, ",\"args\":{}}}", Value::Array(args))
}

fn json_string(text: &str) -> String {
    Value::from(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(line: &str) -> Result<Event, DecodeError> {
        decode_event(line.as_bytes())
    }

    #[test]
    fn decode_reads_context_and_args() {
        let event = decode(
            r#"{"processName":"apache2","eventName":"security_bprm_check","eventId":"1019","processId":7,
                "container":{"id":"abc"},"args":[{"name":"pathname","type":"const char*","value":"/bin/dash"}]}"#,
        )
        .unwrap();
        assert_eq!(event.process_name, "apache2");
        assert_eq!(event.event_name, "security_bprm_check");
        assert_eq!(event.event_id, "1019");
        assert_eq!(event.process_id, 7);
        assert_eq!(event.container_id, "abc");
        assert_eq!(event.string_argument("pathname").unwrap(), "/bin/dash");
    }

    #[test]
    fn decode_keeps_raw_text() {
        let line = r#"{"eventName":"x","unknown":{"deep":[1,2.50,"\u0041"]}}"#;
        assert_eq!(decode(line).unwrap().raw_json(), Some(line));
    }

    #[test]
    fn decode_matches_keys_like_go() {
        let event = decode(r#"{"PROCESSNAME":"a","processName":"b","ProcessName":"nginx"}"#).unwrap();
        assert_eq!(event.process_name, "nginx");
    }

    #[test]
    fn decode_unescapes_strings() {
        let event = decode(r#"{"processName":"ngin\u0078","args":[{"name":"pathname","value":"\/bin\/sh"}]}"#).unwrap();
        assert_eq!(event.process_name, "nginx");
        assert_eq!(event.string_argument("pathname").unwrap(), "/bin/sh");
    }

    #[test]
    fn decode_rejects_wrong_field_types() {
        for line in [
            r#"{"processId":"7"}"#,
            r#"{"processId":7.0}"#,
            r#"{"processId":1e3}"#,
            r#"{"processName":7}"#,
            r#"{"eventId":1019}"#,
            r#"{"eventId":"x"}"#,
            r#"{"args":{}}"#,
            r#"{"args":[{"name":5}]}"#,
            r#"{"cgroupId":-1}"#,
            r#"{"container":{"id":1}}"#,
            r#"{"contextFlags":{"isCompat":"no"}}"#,
            r#"{"threadEntityId":4294967296}"#,
        ] {
            assert!(matches!(decode(line), Err(DecodeError::FieldType { .. })), "{line}");
        }
    }

    #[test]
    fn decode_accepts_null_fields() {
        let event = decode(r#"{"processName":null,"args":null,"processId":null}"#).unwrap();
        assert_eq!(event.process_name, "");
        assert!(event.args.is_empty());
    }

    #[test]
    fn decode_rejects_non_objects() {
        assert!(matches!(decode("[1]"), Err(DecodeError::NotObject { found: "array" })));
        assert!(matches!(decode("\"x\""), Err(DecodeError::NotObject { found: "string" })));
        assert!(matches!(decode("{\"a\":"), Err(DecodeError::Syntax { .. })));
        assert!(matches!(decode("{} x"), Err(DecodeError::Syntax { .. })));
    }

    #[test]
    fn decode_repairs_lone_surrogates() {
        let event = decode(r#"{"processName":"nginx","args":[{"name":"pathname","value":"/x\ud800/sh"}]}"#).unwrap();
        assert_eq!(event.string_argument("pathname").unwrap(), "/x\u{FFFD}/sh");
    }

    #[test]
    fn written_event_decodes_back() {
        let mut event = Event {
            process_name: "nginx".into(),
            event_name: "security_bprm_check".into(),
            event_id: "1019".into(),
            host_process_id: 42,
            ..Event::default()
        };
        event.args.push(Argument::new("pathname", "const char*", "/bin/sh"));
        let mut out = Vec::new();
        write_event_json(&mut out, &event).unwrap();
        let back = decode_event(&out).unwrap();
        assert_eq!(back.process_name, "nginx");
        assert_eq!(back.host_process_id, 42);
        assert_eq!(back.string_argument("pathname").unwrap(), "/bin/sh");
    }
}
