//! `shellsentry replay`: checks recorded Tracee JSON event streams.
//!
//! Input is streamed line by line, so memory stays flat whatever the input
//! size, and lines have no length limit. Gzip input is recognised by its
//! content. A line that no signature selected
//! is skipped after a byte-level test (see `LineFilter`) unless
//! `--full-decode` is given.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, Context};
use flate2::read::MultiGzDecoder;
use shellsentry_core::detection::Engine;
use shellsentry_core::events::{decode_event, decode_event_name, LineFilter};

use crate::cli::ReplayArgs;
use crate::findings::FindingSink;
use crate::{settings, Exit};

/// Bad lines reported one by one before the rest are only counted.
const MAX_REPORTED_BAD_LINES: u64 = 100;

/// Size of a read block; it grows for a longer line.
const READ_BUFFER_BYTES: usize = 1 << 20;

/// Counts shown in the closing summary.
#[derive(Debug, Default)]
struct Summary {
    lines: u64,
    blank_lines: u64,
    events_checked: u64,
    malformed_lines: u64,
    signature_errors: u64,
    findings: u64,
}

impl Summary {
    fn bad_lines(&self) -> u64 {
        self.malformed_lines + self.signature_errors
    }
}

/// State of one replay run across its inputs.
struct Replay {
    engine: Engine,
    filter: Arc<LineFilter>,
    sink: FindingSink,
    strict: bool,
    summary: Summary,
}

pub(crate) fn replay(args: &ReplayArgs) -> anyhow::Result<()> {
    let settings = settings::load(args.detection.config.as_deref(), args.detection.profile)?;
    let engine = settings.engine();
    let filter = if args.full_decode { LineFilter::pass_all() } else { engine.line_filter() };
    let mut replay = Replay {
        engine,
        filter: Arc::new(filter),
        sink: FindingSink::new(args.detection.format, false),
        strict: args.strict,
        summary: Summary::default(),
    };
    tracing::debug!(profile = %settings.profile, inputs = args.inputs.len(), "replay started");

    let mut result = Ok(());
    for input in &args.inputs {
        result = replay.read_input(input);
        if result.is_err() || replay.sink.is_closed() {
            break;
        }
    }
    if result.is_ok() {
        let mut emit_error = None;
        let sink = &mut replay.sink;
        replay.engine.finish(&mut |finding| {
            if let Err(err) = sink.write(&finding) {
                emit_error.get_or_insert(err);
            }
        });
        if let Some(err) = emit_error {
            result = Err(anyhow!(err).context("cannot write findings to standard output"));
        }
    }
    let flushed = replay.sink.flush().context("cannot write findings to standard output");
    replay.summary.findings = replay.sink.written();
    report_summary(&replay.summary);
    result.and(flushed)
}

impl Replay {
    /// Reads an input in blocks and checks its lines in place. Only a line
    /// cut by the end of the buffer is moved. The buffer grows for a line
    /// longer than itself, so lines have no length limit.
    fn read_input(&mut self, path: &Path) -> anyhow::Result<()> {
        let name = path.display().to_string();
        let mut reader = open_input(path)?;
        let mut buffer = vec![0u8; READ_BUFFER_BYTES];
        let mut filled = 0;
        let mut line_number = 0u64;
        loop {
            if filled == buffer.len() {
                buffer.resize(buffer.len() * 2, 0);
            }
            let read = match reader.read(&mut buffer[filled..]) {
                Ok(read) => read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(anyhow!(err).context(format!("cannot read {name}"))),
            };
            if read == 0 {
                // The last line may have no line end.
                if filled > 0 {
                    line_number += 1;
                    self.check_line(trim_line_end(&buffer[..filled]), &name, line_number, true)?;
                }
                return Ok(());
            }
            let scanned_from = filled;
            filled += read;
            let Some(last_newline) = memchr::memrchr(b'\n', &buffer[scanned_from..filled]) else {
                continue;
            };
            let block_end = scanned_from + last_newline + 1;
            line_number = self.check_block(&buffer[..block_end], &name, line_number)?;
            if self.sink.is_closed() {
                return Ok(());
            }
            buffer.copy_within(block_end..filled, 0);
            filled -= block_end;
        }
    }

    /// Checks every line of a block that ends with a line end; returns the
    /// number of the block's last line. The filter searches the whole block
    /// for the next candidate, so lines before it are only counted and
    /// checked for their `{...}` framing.
    fn check_block(&mut self, block: &[u8], input: &str, mut line_number: u64) -> anyhow::Result<u64> {
        let mut line_start = 0;
        let filter = Arc::clone(&self.filter);
        let mut candidates = filter.candidates(block);
        let mut candidate = candidates.next_from(0);
        for newline in memchr::memchr_iter(b'\n', block) {
            line_number += 1;
            let is_candidate = candidate.is_some_and(|at| at < newline);
            self.check_line(trim_line_end(&block[line_start..=newline]), input, line_number, is_candidate)?;
            if self.sink.is_closed() {
                break;
            }
            line_start = newline + 1;
            if is_candidate {
                candidate = candidates.next_from(line_start);
            }
        }
        Ok(line_number)
    }

    /// Checks one line. Unless `is_candidate`, the line cannot carry a
    /// selected event and only its framing is checked.
    fn check_line(&mut self, line: &[u8], input: &str, line_number: u64, is_candidate: bool) -> anyhow::Result<()> {
        self.summary.lines += 1;
        if !is_candidate {
            if LineFilter::looks_like_object(line) {
                return Ok(());
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                self.summary.blank_lines += 1;
                return Ok(());
            }
            self.summary.malformed_lines += 1;
            return self.bad_line(input, line_number, "not a JSON object".into());
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            self.summary.blank_lines += 1;
            return Ok(());
        }
        // A literal name or a backslash made the line a candidate; its
        // decoded name decides before the whole event is decoded.
        match decode_event_name(line) {
            Ok(Some(event_name)) if self.engine.selects(&event_name) => {}
            Ok(_) => return Ok(()),
            Err(err) => {
                self.summary.malformed_lines += 1;
                return self.bad_line(input, line_number, err.to_string());
            }
        }
        let event = match decode_event(line) {
            Ok(event) => event,
            Err(err) => {
                self.summary.malformed_lines += 1;
                return self.bad_line(input, line_number, err.to_string());
            }
        };
        if !self.engine.selects(&event.event_name) {
            return Ok(());
        }
        self.summary.events_checked += 1;

        let event = Arc::new(event);
        let mut write_error = None;
        let sink = &mut self.sink;
        let errors = self.engine.process(&event, &mut |finding| {
            if let Err(err) = sink.write(&finding) {
                write_error.get_or_insert(err);
            }
        });
        if let Some(err) = write_error {
            return Err(anyhow!(err).context("cannot write findings to standard output"));
        }
        for err in errors {
            self.summary.signature_errors += 1;
            self.bad_line(input, line_number, err.to_string())?;
        }
        Ok(())
    }

    /// Reports a line that was skipped; with `--strict` it ends the run.
    fn bad_line(&mut self, input: &str, line_number: u64, reason: String) -> anyhow::Result<()> {
        if self.strict {
            return Err(Exit::Strict(anyhow!("{input}:{line_number}: {reason} (stopped by --strict)")).into());
        }
        let count = self.summary.bad_lines();
        if count <= MAX_REPORTED_BAD_LINES {
            tracing::warn!("{input}:{line_number}: skipped: {reason}");
        }
        if count == MAX_REPORTED_BAD_LINES {
            tracing::warn!("further skipped lines are counted in the summary but not shown");
        }
        Ok(())
    }
}

/// The first bytes of every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens an input, decompressing it when its content is gzip, whatever its
/// name, so compressed standard input works too.
fn open_input(path: &Path) -> anyhow::Result<Box<dyn Read>> {
    let raw: Box<dyn Read> = if path == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(path)
            .with_context(|| format!("cannot open input {}: check the path and its permissions", path.display()))?;
        Box::new(file)
    };
    let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, raw);
    let start = reader.fill_buf().with_context(|| format!("cannot read {}", path.display()))?;
    let is_gzip = start.starts_with(&GZIP_MAGIC);
    if !is_gzip && !start.is_empty() && path.extension().is_some_and(|ext| ext == "gz") {
        anyhow::bail!("input {}: the name ends in .gz but the content is not gzip data", path.display());
    }
    if is_gzip {
        Ok(Box::new(MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// Removes one trailing `\n` and one `\r` before it.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn report_summary(summary: &Summary) {
    tracing::info!(
        lines = summary.lines,
        blank_lines = summary.blank_lines,
        events_checked = summary.events_checked,
        findings = summary.findings,
        malformed_lines_skipped = summary.malformed_lines,
        signature_errors = summary.signature_errors,
        "replay finished"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_trimmed() {
        assert_eq!(trim_line_end(b"{}\r\n"), b"{}");
        assert_eq!(trim_line_end(b"{}\n"), b"{}");
        assert_eq!(trim_line_end(b"{}"), b"{}");
        assert_eq!(trim_line_end(b"{}\r\r\n"), b"{}\r");
    }
}
