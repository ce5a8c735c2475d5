//! Per-event cost of decoding, of the engine, and of TRC-1016.
//!
//! Run with `cargo bench -p shellsentry-core`. The anchor is Tracee's own
//! published figure: about 1.3 us per event for its engine with no-op
//! signatures and 0.64 us for one Go signature's OnEvent (i9-9900K, Go 1.16).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use shellsentry_core::config::{Profile, Settings};
use shellsentry_core::detection::{Engine, Finding, SelectedEvent, Signature, SignatureError, SignatureMetadata};
use shellsentry_core::events::{decode_event, Event};

/// A signature that selects exec events and does nothing, to measure the
/// engine's own dispatch cost.
struct NoOp {
    metadata: Arc<SignatureMetadata>,
}

const NO_OP_SELECTED: &[SelectedEvent] = &[SelectedEvent { source: "tracee", name: "security_bprm_check", origin: "*" }];

impl Signature for NoOp {
    fn metadata(&self) -> &Arc<SignatureMetadata> {
        &self.metadata
    }

    fn selected_events(&self) -> &[SelectedEvent] {
        NO_OP_SELECTED
    }

    fn on_event(&mut self, event: &Arc<Event>, _emit: &mut dyn FnMut(Finding)) -> Result<(), SignatureError> {
        black_box(event);
        Ok(())
    }
}

const POSITIVE: &str = r#"{"timestamp":1700000000123456789,"threadStartTime":1700000000000000000,"processorId":1,"processId":4242,"cgroupId":5123,"threadId":4242,"parentProcessId":4200,"hostProcessId":4242,"hostThreadId":4242,"hostParentProcessId":4200,"userId":33,"mountNamespace":4026531840,"pidNamespace":4026531836,"processName":"apache2","executable":{"path":"/usr/sbin/apache2"},"hostName":"web-1","containerId":"","container":{},"kubernetes":{},"eventId":"1019","eventName":"security_bprm_check","matchedPolicies":["default"],"argsNum":4,"returnValue":0,"syscall":"execve","stackAddresses":null,"contextFlags":{"containerStarted":false,"isCompat":false},"args":[{"name":"pathname","type":"const char*","value":"/usr/bin/dash"},{"name":"dev","type":"dev_t","value":2049},{"name":"inode","type":"unsigned long","value":131090},{"name":"argv","type":"const char**","value":["sh","-c","id"]}]}"#;

fn benchmarks(c: &mut Criterion) {
    let positive = Arc::new(decode_event(POSITIVE.as_bytes()).unwrap());
    let mut negative = Event::clone(&positive);
    negative.process_name = "bash".into();
    let negative = Arc::new(negative);

    c.bench_function("decode security_bprm_check line", |b| b.iter(|| decode_event(black_box(POSITIVE.as_bytes()))));

    let mut no_op = Engine::new(vec![Box::new(NoOp {
        metadata: Arc::new(shellsentry_core::detection::IllegitimateShell::trc_1016_metadata()),
    })]);
    c.bench_function("engine with no-op signature", |b| {
        b.iter(|| no_op.process(black_box(&positive), &mut |finding| drop(black_box(finding))))
    });

    let mut trc_1016 = Settings::new(Default::default(), Some(Profile::Tracee)).engine();
    c.bench_function("engine + TRC-1016, finding", |b| {
        b.iter(|| trc_1016.process(black_box(&positive), &mut |finding| drop(black_box(finding))))
    });
    c.bench_function("engine + TRC-1016, no finding", |b| {
        b.iter(|| trc_1016.process(black_box(&negative), &mut |finding| drop(black_box(finding))))
    });
}

criterion_group!(engine, benchmarks);
criterion_main!(engine);
