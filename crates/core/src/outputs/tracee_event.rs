//! The finding as an event, in the shape Tracee's single binary prints
//! (v0.13 to v0.24): the trigger's context, `eventName` set to the
//! signature's event name, one `triggeredBy` argument describing the
//! trigger, and a `metadata` object.
//!
//! Tracee allocates finding event ids from 6000 upwards in the order it
//! loads signatures. With its built-in signature set TRC-1016 gets 6024,
//! which is the id written here.

use std::borrow::Cow;
use std::io::{self, Write};

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::detection::Finding;
use crate::events::go_json::Members;
use crate::events::write_event_json;

/// Tracee's event id of TRC-1016's finding event with its built-in signatures.
pub const FINDING_EVENT_ID: &str = "6024";

/// Context fields copied from the trigger, in Tracee's order, with the
/// value Go prints when the trigger lacks the field.
const CONTEXT_FIELDS: &[(&str, &str)] = &[
    ("timestamp", "0"),
    ("threadStartTime", "0"),
    ("processorId", "0"),
    ("processId", "0"),
    ("cgroupId", "0"),
    ("threadId", "0"),
    ("parentProcessId", "0"),
    ("hostProcessId", "0"),
    ("hostThreadId", "0"),
    ("hostParentProcessId", "0"),
    ("userId", "0"),
    ("mountNamespace", "0"),
    ("pidNamespace", "0"),
    ("processName", "\"\""),
    ("executable", "{\"path\":\"\"}"),
    ("hostName", "\"\""),
    ("containerId", "\"\""),
    ("container", "{}"),
    ("kubernetes", "{}"),
];

const TAIL_FIELDS: &[(&str, &str)] = &[
    ("syscall", "\"\""),
    ("stackAddresses", "null"),
    ("contextFlags", "{\"containerStarted\":false,\"isCompat\":false}"),
    ("threadEntityId", "0"),
    ("processEntityId", "0"),
    ("parentEntityId", "0"),
];

pub(super) fn write(out: &mut dyn Write, finding: &Finding) -> io::Result<()> {
    let text: Cow<str> = match finding.event.raw_json() {
        Some(raw) => Cow::Borrowed(raw),
        None => {
            let mut buffer = Vec::new();
            write_event_json(&mut buffer, &finding.event)?;
            Cow::Owned(String::from_utf8(buffer).map_err(io::Error::other)?)
        }
    };
    let members: Members = serde_json::from_str(&text).map_err(io::Error::other)?;
    let field = |name: &str, fallback: &'static str| -> String {
        members.get(name).map(|raw| raw.get().to_string()).unwrap_or_else(|| fallback.to_string())
    };

    out.write_all(b"{")?;
    for (index, (name, fallback)) in CONTEXT_FIELDS.iter().enumerate() {
        if index > 0 {
            out.write_all(b",")?;
        }
        write!(out, "\"{name}\":{}", field(name, fallback))?;
    }
    let metadata = &finding.metadata;
    write!(out, ",\"eventId\":\"{FINDING_EVENT_ID}\",\"eventName\":{}", Value::from(metadata.event_name.as_str()))?;
    if let Some(policies) = members.get("matchedPolicies") {
        write!(out, ",\"matchedPolicies\":{}", policies.get())?;
    }

    let trigger_args = members.get("args").filter(|raw| raw.get().starts_with('[') && raw.get() != "[]");
    let mut args = Vec::new();
    if let Some(data) = finding.data.as_ref().and_then(Value::as_object) {
        for (name, value) in data {
            args.push(format!("{{\"name\":{},\"type\":\"unknown\",\"value\":{value}}}", Value::from(name.as_str())));
        }
    }
    if let Some(trigger_args) = trigger_args {
        args.push(triggered_by(&finding.event.event_name, &members, trigger_args));
    }
    write!(out, ",\"argsNum\":{},\"returnValue\":{}", args.len(), field("returnValue", "0"))?;
    for (name, fallback) in TAIL_FIELDS {
        write!(out, ",\"{name}\":{}", field(name, fallback))?;
    }
    write!(out, ",\"args\":[{}]", args.join(","))?;

    let mut properties: Map<String, Value> = metadata.properties.clone().into_iter().collect();
    properties.insert("signatureID".into(), Value::from(metadata.id.as_str()));
    properties.insert("signatureName".into(), Value::from(metadata.name.as_str()));
    let metadata_json = serde_json::json!({
        "Version": metadata.version,
        "Description": metadata.description,
        "Tags": metadata.tags,
        "Properties": properties,
    });
    write!(out, ",\"metadata\":{metadata_json}}}")
}

/// Builds the `triggeredBy` argument; its value's keys are in Go's map
/// order (sorted): args, id, name, returnValue.
fn triggered_by(event_name: &str, members: &Members, trigger_args: &RawValue) -> String {
    let id: i64 = members
        .get("eventId")
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        .and_then(|text| text.parse().ok())
        .unwrap_or(0);
    let return_value = members.get("returnValue").map(|raw| raw.get()).unwrap_or("0");
    format!(
        "{{\"name\":\"triggeredBy\",\"type\":\"unknown\",\"value\":{{\"args\":{},\"id\":{id},\"name\":{},\"returnValue\":{return_value}}}}}",
        trigger_args.get(),
        Value::from(event_name)
    )
}
