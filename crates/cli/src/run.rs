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
use shellsentry_capture::{existing_execs, Enricher, Prevention, Sensor, SensorOptions};
use std::collections::HashMap;
use std::sync::mpsc;

use serde_json::Value;
use shellsentry_core::config::{PreventMode, Settings};
use shellsentry_core::detection::{Engine, Finding};
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
    /// Shell execs prevention denied, or reported in audit mode.
    prevented: u64,
}

/// How long an exec reported by audit-mode prevention keeps its detection
/// finding from being printed a second time.
const AUDIT_DEDUP_WINDOW: Duration = Duration::from_secs(5);

/// Everything an event passes through on its way to standard output.
struct Pipeline {
    engine: Engine,
    sink: FindingSink,
    all_events: bool,
    summary: Summary,
    write_error: Option<std::io::Error>,
    /// Processes whose shell exec audit-mode prevention already reported.
    audited: HashMap<i64, Instant>,
    /// Findings of prevention, with whether the exec was denied.
    prevented: Option<mpsc::Receiver<(Finding, bool)>>,
    prevent_mode: PreventMode,
}

impl Pipeline {
    fn handle(&mut self, event: Event) {
        self.drain_prevented();
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
        self.audited.retain(|_, at| at.elapsed() < AUDIT_DEDUP_WINDOW);
        let already_reported = self.audited.contains_key(&event.host_process_id);
        let sink = &mut self.sink;
        let write_error = &mut self.write_error;
        let errors = self.engine.process(&event, &mut |finding| {
            if already_reported {
                return;
            }
            if let Err(err) = sink.write(&finding) {
                write_error.get_or_insert(err);
            }
        });
        for err in errors {
            self.summary.signature_errors += 1;
            tracing::warn!(error = %err, pid = event.host_process_id, "signature could not evaluate an event");
        }
    }

    /// Writes the findings prevention has sent so far.
    fn drain_prevented(&mut self) {
        let received: Vec<(Finding, bool)> = match &self.prevented {
            Some(receiver) => receiver.try_iter().collect(),
            None => return,
        };
        for (finding, denied) in received {
            self.prevented(finding, denied);
        }
    }

    /// Writes a finding of prevention, with `Data` saying what was done.
    fn prevented(&mut self, mut finding: Finding, denied: bool) {
        let mode = self.prevent_mode;
        self.summary.prevented += 1;
        let action = if denied { "denied" } else { "would deny (audit mode)" };
        let prevention = serde_json::json!({"action": action, "mechanism": "fanotify"});
        match finding.data.as_mut().and_then(Value::as_object_mut) {
            Some(data) => {
                data.insert("prevention".into(), prevention);
            }
            None => finding.data = Some(serde_json::json!({ "prevention": prevention })),
        }
        if mode == PreventMode::Audit {
            self.audited.insert(finding.event.host_process_id, Instant::now());
        }
        if let Err(err) = self.sink.write(&finding) {
            self.write_error.get_or_insert(err);
        }
    }

    /// Tells whether output can no longer be written.
    fn output_ended(&self) -> bool {
        self.write_error.is_some() || self.sink.is_closed()
    }
}

/// Starts prevention with the same signatures and host facts as detection.
fn start_prevention(
    mode: PreventMode,
    settings: &Settings,
    enricher: &Enricher,
    sender: mpsc::Sender<(Finding, bool)>,
) -> anyhow::Result<Prevention> {
    let mut signatures = settings.signatures();
    let mut facts = enricher.clone();
    let judge = move |mut event: shellsentry_core::events::Event| -> Option<Finding> {
        facts.enrich(&mut event);
        let event = Arc::new(event);
        let mut found = None;
        for signature in &mut signatures {
            if let Err(err) = signature.on_event(&event, &mut |finding| {
                found.get_or_insert(finding);
            }) {
                tracing::debug!(error = %err, "signature could not evaluate an exec request");
            }
        }
        found
    };
    let report = move |finding: Finding, denied: bool| {
        // The receiver is gone only during shutdown.
        let _ = sender.send((finding, denied));
    };
    let prevention = Prevention::start(mode, &enricher.shell_paths(), judge, report);
    prevention.context("cannot start prevention")
}

pub(crate) fn run(args: &RunArgs) -> anyhow::Result<()> {
    let settings = settings::load(args.detection.config.as_deref(), args.detection.profile)?;
    let rules = settings.shell_rules();

    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop)).context("cannot install the signal handler")?;
    }

    let (watched_names, watched_prefixes) = rules.watched_names();
    let seed_events = existing_execs(&watched_names, &watched_prefixes);
    let options = SensorOptions { strategy: args.strategy, capture_all: args.all_events, watched_names, watched_prefixes };
    let mut enricher = Enricher::new(&rules.shells);
    let mut sensor = Sensor::start(&options).context("cannot start the live sensor")?;

    let prevent_mode = args.prevent.or(settings.config.prevent).unwrap_or_default();
    let (prevented_sender, prevented) = mpsc::channel::<(Finding, bool)>();
    let mut prevention = match prevent_mode {
        PreventMode::Off => None,
        mode => Some(start_prevention(mode, &settings, &enricher, prevented_sender)?),
    };
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
        audited: HashMap::new(),
        prevented: prevention.as_ref().map(|_| prevented),
        prevent_mode,
    };
    // Processes already running under a web server teach the launch-chain
    // table; they are not new execs, so their findings are dropped.
    for event in &seed_events {
        let _ = pipeline.engine.process(&Arc::new(event.clone()), &mut |_| {});
    }
    tracing::debug!(processes = seed_events.len(), "seeded detection state from running processes");
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
        pipeline.drain_prevented();
        if pipeline.output_ended() {
            break;
        }
        if last_loss_report.elapsed() >= LOSS_REPORT_INTERVAL {
            last_loss_report = Instant::now();
            if let Some(prevention) = prevention.as_mut() {
                prevention.refresh();
            }
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
    // Prevention stops first, so that no exec waits on a closing process.
    drop(prevention);
    pipeline.drain_prevented();
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
            prevention = %prevent_mode,
            prevented = pipeline.summary.prevented,
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
