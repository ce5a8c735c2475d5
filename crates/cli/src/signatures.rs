//! `shellsentry signatures`: lists the signatures in force.

use std::io::Write;

use shellsentry_core::detection::Signature;

use crate::cli::SignaturesArgs;
use crate::settings;

pub(crate) fn list(args: &SignaturesArgs) -> anyhow::Result<()> {
    let settings = settings::load(args.config.as_deref(), args.profile)?;
    let signatures = settings.signatures();
    let mut out = std::io::stdout().lock();
    for signature in &signatures {
        let written = if args.json { write_json(&mut out, signature.as_ref()) } else { write_text(&mut out, signature.as_ref()) };
        match written {
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
    Ok(())
}

fn write_json(out: &mut dyn Write, signature: &dyn Signature) -> std::io::Result<()> {
    let selected: Vec<_> = signature
        .selected_events()
        .iter()
        .map(|s| serde_json::json!({"source": s.source, "name": s.name, "origin": s.origin}))
        .collect();
    let line = serde_json::json!({
        "metadata": signature.metadata().as_ref(),
        "selectedEvents": selected,
        "settings": signature.settings(),
    });
    writeln!(out, "{line}")
}

fn write_text(out: &mut dyn Write, signature: &dyn Signature) -> std::io::Result<()> {
    let metadata = signature.metadata();
    writeln!(out, "{}  {} (version {})", metadata.id, metadata.name, metadata.version)?;
    writeln!(out, "  event name:  {}", metadata.event_name)?;
    let selected: Vec<String> = signature.selected_events().iter().map(|s| format!("{}:{} (origin {})", s.source, s.name, s.origin)).collect();
    writeln!(out, "  selects:     {}", selected.join(", "))?;
    for (key, value) in &metadata.properties {
        writeln!(out, "  {key}: {value}")?;
    }
    writeln!(out, "  {}", metadata.description)?;
    if let serde_json::Value::Object(settings) = signature.settings() {
        writeln!(out, "  settings:")?;
        for (key, value) in settings {
            writeln!(out, "    {key}: {value}")?;
        }
    }
    Ok(())
}
