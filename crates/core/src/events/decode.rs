//! Decoding a Tracee JSON event line into an [`Event`].
//!
//! Decoding follows Go's `encoding/json` into Tracee's `trace.Event` (v0.22
//! field types), so a line that Tracee rejects is rejected here too, and a
//! line that Tracee accepts decodes to the same values. See `go_json` for
//! the rules that differ from serde_json's.

use serde_json::value::RawValue;
use serde_json::Value;

use super::go_json::{replace_lone_surrogates, to_utf8_like_go, Members};
use super::go_types::{check_value, event_field, field_index, is_integer, type_error, GoType, EVENT_FIELDS};
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

/// Decodes one line (without its line end) into an event that keeps the
/// line's text.
pub fn decode_event(line: &[u8]) -> Result<Event, DecodeError> {
    let text = to_utf8_like_go(line);
    // serde_json rejects a lone surrogate escape where Go decodes U+FFFD, so
    // values are read from a repaired copy; the raw text stays as read.
    let repaired = replace_lone_surrogates(&text);
    let members: Members = parse(repaired.as_deref().unwrap_or(&text))?;
    let fields = Fields::collect(&members)?;
    let mut event = Event::default();
    fill_event(&mut event, &fields, &members)?;
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

/// The index of a `trace.Event` field in [`EVENT_FIELDS`], found at compile time.
macro_rules! field {
    ($name:literal) => {
        const { event_field($name) }
    };
}

/// The members of a line that decode into `trace.Event` fields, in input
/// order, each with its field's index in [`EVENT_FIELDS`]. Collecting them
/// checks each value's type, so this is one pass over the line's members.
struct Fields<'a> {
    found: Vec<(usize, &'a RawValue)>,
    /// Per field, the value Go leaves in it: the last one that is not `null`.
    last: [Option<&'a RawValue>; EVENT_FIELDS.len()],
}

impl<'a> Fields<'a> {
    fn collect(members: &Members<'a>) -> Result<Fields<'a>, DecodeError> {
        let mut fields = Fields { found: Vec::with_capacity(members.0.len()), last: [None; EVENT_FIELDS.len()] };
        for (key, value) in &members.0 {
            if let Some(index) = field_index(EVENT_FIELDS, key) {
                let (name, go_type) = EVENT_FIELDS[index];
                check_value(&[name], value, go_type)?;
                fields.found.push((index, *value));
                if value.get() != "null" {
                    fields.last[index] = Some(*value);
                }
            }
        }
        Ok(fields)
    }

    /// Returns every value decoded into a field, `null` included, in order.
    fn all(&self, index: usize) -> impl Iterator<Item = &'a RawValue> + '_ {
        self.found.iter().filter(move |(i, _)| *i == index).map(|(_, value)| *value)
    }

    fn int(&self, index: usize) -> i64 {
        self.last[index].and_then(|v| v.get().parse().ok()).unwrap_or(0)
    }

    fn string(&self, index: usize) -> String {
        self.last[index].and_then(decode_string).unwrap_or_default()
    }

    /// Returns a string member of an object field. Go merges repeated
    /// objects member by member, so the last non-null member of all wins.
    fn nested_string(&self, index: usize, member: &str) -> String {
        let mut found = String::new();
        for object in self.all(index) {
            if let Ok(inner) = serde_json::from_str::<Members>(object.get()) {
                if let Some(text) = inner.get(member).and_then(decode_string) {
                    found = text;
                }
            }
        }
        found
    }
}

fn fill_event(event: &mut Event, fields: &Fields, members: &Members) -> Result<(), DecodeError> {
    event.timestamp = fields.int(field!("timestamp"));
    event.thread_start_time = fields.int(field!("threadStartTime"));
    event.processor_id = fields.int(field!("processorId"));
    event.process_id = fields.int(field!("processId"));
    event.cgroup_id = fields.last[field!("cgroupId")].and_then(|v| v.get().parse().ok()).unwrap_or(0);
    event.thread_id = fields.int(field!("threadId"));
    event.parent_process_id = fields.int(field!("parentProcessId"));
    event.host_process_id = fields.int(field!("hostProcessId"));
    event.host_thread_id = fields.int(field!("hostThreadId"));
    event.host_parent_process_id = fields.int(field!("hostParentProcessId"));
    event.user_id = fields.int(field!("userId"));
    event.mount_namespace = fields.int(field!("mountNamespace"));
    event.pid_namespace = fields.int(field!("pidNamespace"));
    event.process_name = fields.string(field!("processName"));
    event.host_name = fields.string(field!("hostName"));
    event.event_name = fields.string(field!("eventName"));
    event.syscall = fields.string(field!("syscall"));
    event.return_value = fields.int(field!("returnValue"));
    event.event_id = fields.string(field!("eventId"));
    event.executable_path = fields.nested_string(field!("executable"), "path");

    event.container_id = fields.string(field!("containerId"));
    let nested_id = fields.nested_string(field!("container"), "id");
    if !nested_id.is_empty() {
        event.container_id = nested_id;
    }
    event.container_name = fields.nested_string(field!("container"), "name");
    event.container_image = fields.nested_string(field!("container"), "image");
    event.pod_name = fields.nested_string(field!("kubernetes"), "podName");
    event.pod_namespace = fields.nested_string(field!("kubernetes"), "podNamespace");
    // Older Tracee releases wrote these flat. trace.Event no longer has
    // them, so Go never type-checks them, and they only fill what the
    // nested objects left empty.
    fill_if_empty(&mut event.container_name, members, "containerName");
    fill_if_empty(&mut event.container_image, members, "containerImage");
    fill_if_empty(&mut event.pod_name, members, "podName");
    fill_if_empty(&mut event.pod_namespace, members, "podNamespace");

    event.args = decode_args(fields.all(field!("args")))?;
    Ok(())
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
fn decode_args<'a>(values: impl Iterator<Item = &'a RawValue>) -> Result<Vec<Argument>, DecodeError> {
    let mut storage: Vec<Argument> = Vec::new();
    let mut len = 0;
    for raw in values {
        if raw.get() == "null" {
            storage.clear();
            len = 0;
            continue;
        }
        let items: Vec<&RawValue> =
            serde_json::from_str(raw.get()).map_err(|_| type_error(&["args"], "an array", raw))?;
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
    let members: Members =
        serde_json::from_str(item.get()).map_err(|_| type_error(&["args[]"], "an object", item))?;
    for name in members.all("name") {
        check_value(&["args[]", "name"], name, GoType::String)?;
    }
    for arg_type in members.all("type") {
        check_value(&["args[]", "type"], arg_type, GoType::String)?;
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
}
