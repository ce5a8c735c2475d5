//! Writing an event as a Tracee JSON event line.

use std::io::{self, Write};

use serde_json::Value;

use super::Event;

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
    use crate::events::{decode_event, Argument};

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
