//! The loader: checks preconditions, loads and attaches one strategy, and
//! reads records from the ring buffer.
//!
//! Detaching is tied to drop: [`Sensor`] owns the links and the BPF object,
//! so dropping it, also while unwinding from a panic, detaches every program
//! and frees every map. The kernel does the same when the process exits.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::mem::MaybeUninit;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::{Link, MapCore, MapFlags, OpenObject, PrintLevel, RingBuffer, RingBufferBuilder};
use shellsentry_core::events::Event;

use crate::record::{decode_record, RecordError};
use crate::skel::{ExecSkel, ExecSkelBuilder, OpenExecSkel};
use crate::strategy::{Strategy, StrategyChoice};

const KERNEL_BTF: &str = "/sys/kernel/btf/vmlinux";
const ACTIVE_LSMS: &str = "/sys/kernel/security/lsm";
const TASK_COMM_LEN: usize = 16;

/// Capture settings of the sensor.
#[derive(Clone, Debug, Default)]
pub struct SensorOptions {
    pub strategy: StrategyChoice,
    /// Send a record for every exec, not only for watched callers.
    pub capture_all: bool,
    /// Caller names (comm) whose execs are sent, compared exactly.
    pub watched_names: Vec<String>,
    /// Caller name prefixes whose execs are sent.
    pub watched_prefixes: Vec<String>,
}

/// Error starting or running the sensor.
#[derive(Debug, thiserror::Error)]
pub enum SensorError {
    #[error("the live sensor must run as root (effective uid is {0}): run it with sudo")]
    NotRoot(u32),
    #[error(
        "kernel BTF is missing ({KERNEL_BTF} not found): the sensor needs a kernel built with \
         CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, Fedora and RHEL kernels have it)"
    )]
    NoKernelBtf,
    #[error("watched name {0:?} is longer than the kernel's 15-byte process names")]
    NameTooLong(String),
    #[error("{}", attempts_text(.0))]
    NoStrategy(Vec<(Strategy, String)>),
    #[error("BPF operation failed: {0}")]
    Bpf(#[from] libbpf_rs::Error),
    #[error(transparent)]
    Record(#[from] RecordError),
}

fn attempts_text(attempts: &[(Strategy, String)]) -> String {
    let mut text = match attempts {
        [(strategy, _)] => format!("the {strategy} attach strategy failed on this kernel:"),
        _ => "no attach strategy worked on this kernel:".to_string(),
    };
    for (strategy, error) in attempts {
        text.push_str(&format!("\n  {strategy} (needs {}): {error}", strategy.requirement()));
    }
    text.push_str("\nrun with --log-level debug to see libbpf's messages, including the verifier log");
    text
}

/// A loaded and attached exec sensor.
pub struct Sensor {
    skel: ExecSkel<'static>,
    _links: Vec<Link>,
    ring: RingBuffer<'static>,
    queue: Rc<RefCell<VecDeque<Vec<u8>>>>,
    strategy: Strategy,
}

impl std::fmt::Debug for Sensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sensor").field("strategy", &self.strategy).finish_non_exhaustive()
    }
}

impl Sensor {
    /// Checks preconditions, then loads and attaches the first strategy that
    /// works. Each failed strategy is logged with its error.
    pub fn start(options: &SensorOptions) -> Result<Sensor, SensorError> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let euid = unsafe { libc::geteuid() };
        if euid != 0 {
            return Err(SensorError::NotRoot(euid));
        }
        if !Path::new(KERNEL_BTF).exists() {
            return Err(SensorError::NoKernelBtf);
        }
        if let Some(name) = options.watched_names.iter().chain(&options.watched_prefixes).find(|n| n.len() >= TASK_COMM_LEN) {
            return Err(SensorError::NameTooLong(name.clone()));
        }
        route_libbpf_messages();
        raise_memlock_limit();

        let mut attempts = Vec::new();
        let candidates = options.strategy.candidates();
        for (index, &strategy) in candidates.iter().enumerate() {
            match Self::start_with(strategy, options) {
                Ok(sensor) => {
                    tracing::info!(strategy = %strategy, "attached exec sensor");
                    return Ok(sensor);
                }
                Err(err) => {
                    if index + 1 < candidates.len() {
                        tracing::warn!(strategy = %strategy, error = %err, "attach strategy failed, trying the next one");
                    }
                    attempts.push((strategy, err.to_string()));
                }
            }
        }
        Err(SensorError::NoStrategy(attempts))
    }

    fn start_with(strategy: Strategy, options: &SensorOptions) -> Result<Sensor, SensorError> {
        if strategy == Strategy::Lsm && !bpf_lsm_active() {
            return Err(SensorError::Bpf(libbpf_rs::Error::from(std::io::Error::other(format!(
                "bpf is not in the active LSM list ({ACTIVE_LSMS}); boot with lsm=...,bpf to enable it"
            )))));
        }
        // The skeleton borrows its object storage for as long as it lives,
        // and a sensor lives until the process exits, so the few hundred
        // bytes of storage are leaked on purpose, once per attempt.
        let storage: &'static mut MaybeUninit<OpenObject> = Box::leak(Box::new(MaybeUninit::uninit()));
        let mut open: OpenExecSkel<'static> = ExecSkelBuilder::default().open(storage)?;

        let rodata = open.maps.rodata_data.as_deref_mut().expect("the BPF object has read-only data");
        rodata.capture_all = options.capture_all;
        rodata.self_tgid = std::process::id();

        let progs = &mut open.progs;
        progs.on_sched_prepare_exec.set_autoload(strategy == Strategy::SchedPrepareExec);
        progs.on_bprm_check_security.set_autoload(strategy == Strategy::Lsm);
        progs.on_security_bprm_check.set_autoload(strategy == Strategy::Kprobe);
        progs.on_sched_process_exec.set_autoload(strategy == Strategy::SchedProcessExec);
        progs.remember_exec_comm.set_autoload(strategy == Strategy::SchedProcessExec);

        let skel = open.load().map_err(|err| {
            if strategy == Strategy::Lsm && err.kind() == libbpf_rs::ErrorKind::PermissionDenied {
                let hint = format!(
                    "{err}: the kernel rejected the BPF LSM program, which needs bpf in the active LSM list \
                     (boot parameter lsm=...,bpf)"
                );
                return SensorError::Bpf(libbpf_rs::Error::from(std::io::Error::other(hint)));
            }
            SensorError::Bpf(err)
        })?;
        // An exact name is matched with its terminating NUL, a prefix without.
        let exact = options.watched_names.iter().map(|name| (name, name.len() + 1));
        let prefixes = options.watched_prefixes.iter().map(|prefix| (prefix, prefix.len()));
        for (name, matched_bytes) in exact.chain(prefixes) {
            let mut key = [0u8; 4 + TASK_COMM_LEN];
            key[..4].copy_from_slice(&((matched_bytes * 8) as u32).to_ne_bytes());
            key[4..4 + name.len()].copy_from_slice(name.as_bytes());
            skel.maps.watched_comms.update(&key, &[1], MapFlags::ANY)?;
        }

        let progs = &skel.progs;
        let links = match strategy {
            Strategy::SchedPrepareExec => vec![progs.on_sched_prepare_exec.attach()?],
            Strategy::Lsm => vec![progs.on_bprm_check_security.attach_lsm()?],
            Strategy::Kprobe => vec![progs.on_security_bprm_check.attach_kprobe(false, "security_bprm_check")?],
            Strategy::SchedProcessExec => {
                vec![progs.remember_exec_comm.attach()?, progs.on_sched_process_exec.attach()?]
            }
        };

        let queue: Rc<RefCell<VecDeque<Vec<u8>>>> = Rc::default();
        let sink = Rc::clone(&queue);
        let mut builder = RingBufferBuilder::new();
        builder.add(&skel.maps.records, move |data: &[u8]| {
            sink.borrow_mut().push_back(data.to_vec());
            0
        })?;
        let ring = builder.build()?;
        Ok(Sensor { skel, _links: links, ring, queue, strategy })
    }

    /// Returns the strategy in use.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Waits up to `timeout` for records and passes each, as an event, to
    /// `handle`. Returns the number of events. An interrupted wait (a
    /// signal) returns normally so the caller can check its stop flag.
    pub fn poll(&mut self, timeout: Duration, handle: &mut dyn FnMut(Event)) -> Result<usize, SensorError> {
        if let Err(err) = self.ring.poll(timeout) {
            if err.kind() != libbpf_rs::ErrorKind::Interrupted {
                return Err(err.into());
            }
        }
        self.drain(handle)
    }

    /// Reads every record already in the ring buffer without waiting.
    pub fn flush(&mut self, handle: &mut dyn FnMut(Event)) -> Result<usize, SensorError> {
        self.ring.consume()?;
        self.drain(handle)
    }

    fn drain(&mut self, handle: &mut dyn FnMut(Event)) -> Result<usize, SensorError> {
        let offset = clock_offset_ns();
        let mut count = 0;
        loop {
            let Some(bytes) = self.queue.borrow_mut().pop_front() else {
                break;
            };
            handle(decode_record(&bytes, offset)?);
            count += 1;
        }
        Ok(count)
    }

    /// Returns how many records the kernel dropped because the ring buffer
    /// was full, summed over CPUs.
    pub fn lost_records(&self) -> Result<u64, SensorError> {
        let values = self.skel.maps.lost_records.lookup_percpu(&0u32.to_ne_bytes(), MapFlags::ANY)?;
        let total = values
            .into_iter()
            .flatten()
            .map(|bytes| bytes.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_ne_bytes).unwrap_or(0))
            .sum();
        Ok(total)
    }
}

/// Returns Unix time minus boot time in nanoseconds, to turn the kernel's
/// boot-time stamps into Unix time. Read per batch, so clock steps apply.
fn clock_offset_ns() -> i64 {
    let read = |clock: libc::clockid_t| -> i64 {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: ts is a valid, writable timespec.
        unsafe { libc::clock_gettime(clock, &mut ts) };
        ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    };
    read(libc::CLOCK_REALTIME) - read(libc::CLOCK_BOOTTIME)
}

fn bpf_lsm_active() -> bool {
    match std::fs::read_to_string(ACTIVE_LSMS) {
        Ok(list) => list.trim().split(',').any(|name| name == "bpf"),
        // Without securityfs the list cannot be read; let the load decide.
        Err(_) => true,
    }
}

/// Kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK, whose default is
/// too small for the ring buffer.
fn raise_memlock_limit() {
    let limit = libc::rlimit { rlim_cur: libc::RLIM_INFINITY, rlim_max: libc::RLIM_INFINITY };
    // SAFETY: limit is a valid rlimit.
    if unsafe { libc::setrlimit(libc::RLIMIT_MEMLOCK, &limit) } != 0 {
        tracing::debug!(error = %std::io::Error::last_os_error(), "could not raise RLIMIT_MEMLOCK");
    }
}

/// Sends libbpf's messages to the log at debug level: they include the
/// verifier log of a strategy that failed, which is long and only useful
/// when debugging, since the failure itself is logged as a warning.
fn route_libbpf_messages() {
    fn forward(level: PrintLevel, message: String) {
        let message = message.trim_end();
        match level {
            PrintLevel::Warn | PrintLevel::Info => tracing::debug!(target: "libbpf", "{message}"),
            PrintLevel::Debug => tracing::trace!(target: "libbpf", "{message}"),
        }
    }
    libbpf_rs::set_print(Some((PrintLevel::Debug, forward)));
}
