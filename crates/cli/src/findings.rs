//! Writes findings to standard output.

use std::io::{self, BufWriter, Write};

use shellsentry_core::detection::Finding;
use shellsentry_core::outputs::{write_finding, Format};

/// The finding output. A closed pipe (the reader exited, as `head` does)
/// is not an error: the sink marks itself closed and the command stops
/// quietly.
pub(crate) struct FindingSink {
    out: BufWriter<io::Stdout>,
    format: Format,
    flush_each: bool,
    written: u64,
    closed: bool,
}

impl FindingSink {
    /// Creates a sink. With `flush_each`, every finding is flushed at once,
    /// so a pipe into a log shipper receives it without delay.
    pub(crate) fn new(format: Format, flush_each: bool) -> Self {
        FindingSink { out: BufWriter::with_capacity(256 * 1024, io::stdout()), format, flush_each, written: 0, closed: false }
    }

    /// Writes one finding.
    pub(crate) fn write(&mut self, finding: &Finding) -> io::Result<()> {
        let format = self.format;
        self.write_with(|out| write_finding(out, format, finding))?;
        self.written += 1;
        Ok(())
    }

    /// Writes raw output (one line, line end included) through the same
    /// pipe handling.
    pub(crate) fn write_with(&mut self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let mut result = write(&mut self.out);
        if result.is_ok() && self.flush_each {
            result = self.out.flush();
        }
        self.settle(result)
    }

    /// Flushes buffered output.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.out.flush();
        self.settle(result)
    }

    fn settle(&mut self, result: io::Result<()>) -> io::Result<()> {
        match result {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                tracing::info!("standard output was closed; stopping");
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }

    /// Returns how many findings were written.
    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    /// Tells whether the output pipe was closed by its reader.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }
}
