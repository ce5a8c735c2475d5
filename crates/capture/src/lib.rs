//! Live exec capture for shellsentry.
//!
//! A BPF program (src/bpf/exec.bpf.c, compiled by clang at build time and
//! loaded with libbpf-rs, CO-RE) records each exec while the caller still
//! has its pre-exec name, and [`Sensor`] turns each record into a
//! `security_bprm_check` event of the shared model. By default only execs
//! by watched caller names reach userspace, which keeps the cost on a busy
//! host to one map lookup per exec.

mod container;
mod enrich;
mod prevent;
mod record;
mod seed;
mod sensor;
mod strategy;

#[allow(missing_debug_implementations)]
mod skel {
    include!(concat!(env!("OUT_DIR"), "/exec.skel.rs"));
}

pub use container::container_id_from_cgroup;
pub use enrich::Enricher;
pub use prevent::{PreventError, Prevention, DECISION_DEADLINE};
pub use record::bytes_to_text;
pub use seed::existing_execs;
pub use sensor::{Sensor, SensorError, SensorOptions};
pub use strategy::{Strategy, StrategyChoice};
