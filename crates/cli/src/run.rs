//! `shellsentry run`: the live sensor.
//!
//! Loads the exec sensor, runs every exec event through the engine, and
//! prints findings as they happen, flushed one by one. SIGINT and SIGTERM
//! stop the loop. The records already sent are then read, the programs
//! detach when the sensor is dropped, and a summary goes to standard error.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use shellsentry_capture::{Enricher, Sensor, SensorOptions};
use shellsentry_core::detection::Engine;
use shellsentry_core::events::{write_event_json, Event};

use crate::cli::RunArgs;
use crate::findings::FindingSink;
use crate::settings;

/// How long one wait for records lasts; bounds the reaction time to a stop
/// signal.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// How often a growing loss count is logged while running.
const LOSS_REPORT_INTERVAL: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
struct Summary {
    events: u64,
    signature_errors: u64,
}

/// Everything an event passes through on its way to standard output.
struct Pipeline {
    engine: Engine,
    sink: FindingSink,
    all_events: bool,
    summary: Summary,
    write_error: Option<std::io::Error>,
}

impl Pipeline {
    fn handle(&mut self, event: Event) {
        self.summary.events += 1;
        if self.all_events {
            let result = self.sink.write_with(|out| {
                write_event_json(out, &event)?;
                out.write_all(b"\n")
            });
            if let Err(err) = result {
                self.write_error.get_or_insert(err);
            }
            return;
        }
        let event = Arc::new(event);
        let sink = &mut self.sink;
        let write_error = &mut self.write_error;
        let errors = self.engine.process(&event, &mut |finding| {
            if let Err(err) = sink.write(&finding) {
                write_error.get_or_insert(err);
            }
        });
        for err in errors {
            self.summary.signature_errors += 1;
            tracing::warn!(error = %err, pid = event.host_process_id, "signature could not evaluate an event");
        }
    }

    /// Tells whether output can no longer be written.
    fn output_ended(&self) -> bool {
        self.write_error.is_some() || self.sink.is_closed()
    }
}

pub(crate) fn run(args: &RunArgs) -> anyhow::Result<()> {
    let settings = settings::load(args.detection.config.as_deref(), args.detection.profile)?;
    let rules = settings.shell_rules();

    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop)).context("cannot install the signal handler")?;
    }

    let (watched_names, watched_prefixes) = rules.watched_names();
    let options = SensorOptions { strategy: args.strategy, capture_all: args.all_events, watched_names, watched_prefixes };
    let mut enricher = Enricher::new(&rules.shells);
    let mut sensor = Sensor::start(&options).context("cannot start the live sensor")?;
    tracing::info!(
        profile = %settings.profile,
        strategy = %sensor.strategy(),
        all_events = args.all_events,
        "sensor running; stop with Ctrl-C or SIGTERM"
    );

    let mut pipeline = Pipeline {
        engine: settings.engine(),
        sink: FindingSink::new(args.detection.format, true),
        all_events: args.all_events,
        summary: Summary::default(),
        write_error: None,
    };
    let mut last_loss_report = Instant::now();
    let mut reported_losses = 0;
    let mut result: anyhow::Result<()> = Ok(());
    while !stop.load(Ordering::Relaxed) {
        if let Err(err) = sensor.poll(POLL_INTERVAL, &mut |mut event| {
            enricher.enrich(&mut event);
            pipeline.handle(event)
        }) {
            result = Err(anyhow!(err).context("reading exec records failed"));
            break;
        }
        if pipeline.output_ended() {
            break;
        }
        if last_loss_report.elapsed() >= LOSS_REPORT_INTERVAL {
            last_loss_report = Instant::now();
            match sensor.lost_records() {
                Ok(lost) if lost > reported_losses => {
                    tracing::warn!(
                        lost_total = lost,
                        lost_since_last_report = lost - reported_losses,
                        "ring buffer full: exec records were lost"
                    );
                    reported_losses = lost;
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "cannot read the lost-record counter"),
            }
        }
    }

    // Records already in the ring buffer when the stop came are still
    // reported.
    if result.is_ok() && !pipeline.output_ended() {
        if let Err(err) = sensor.flush(&mut |mut event| {
            enricher.enrich(&mut event);
            pipeline.handle(event)
        }) {
            result = Err(anyhow!(err).context("reading exec records failed"));
        }
    }
    let lost_records = sensor.lost_records().unwrap_or_else(|err| {
        tracing::warn!(error = %err, "cannot read the lost-record counter");
        0
    });
    let strategy = sensor.strategy();
    drop(sensor);
    tracing::info!(strategy = %strategy, "sensor detached");

    if let Err(err) = pipeline.sink.flush() {
        pipeline.write_error.get_or_insert(err);
    }
    if pipeline.all_events {
        tracing::info!(events_recorded = pipeline.summary.events, lost_records, "sensor stopped; signatures were not run");
    } else {
        tracing::info!(
            events = pipeline.summary.events,
            findings = pipeline.sink.written(),
            signature_errors = pipeline.summary.signature_errors,
            lost_records,
            "sensor stopped"
        );
    }
    if lost_records > 0 {
        tracing::warn!(lost_records, "some exec records were lost: the ring buffer was full");
    }
    if let Some(err) = pipeline.write_error {
        return Err(anyhow!(err).context("cannot write to standard output"));
    }
    result
}
