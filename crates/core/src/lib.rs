//! The detection core of shellsentry, shared by every event source.
//!
//! - [`events`]: the one event model, read from Tracee JSON lines or built by
//!   the live sensor, so a signature cannot tell where its event came from.
//! - [`detection`]: the signature API, the engine that dispatches events to
//!   the signatures that selected them, and the signatures themselves.
//! - [`outputs`]: the finding formats (tracee-rules JSON, Tracee event JSON,
//!   text for people).
//! - [`config`]: the TOML configuration and the detection profiles.
//!
//! This crate has no system dependencies, so it builds and tests anywhere.

pub mod config;
pub mod detection;
pub mod events;
pub mod outputs;
