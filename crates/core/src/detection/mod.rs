//! Detection: the signature API, the engine, and the signatures.
//!
//! A signature declares which events it selects; the [`Engine`] sends each
//! event only to the signatures that selected it and collects their
//! findings. Signatures see [`Event`](crate::events::Event) values and never
//! know whether they came from the live sensor or a recorded stream.

mod engine;
mod illegitimate_shell;
pub mod lineage;
mod signature;
pub mod web_facing;

pub use engine::{Engine, EngineError};
pub use illegitimate_shell::{AllowedExec, Extensions, IllegitimateShell, ShellRules};
pub use signature::{Finding, SelectedEvent, Signature, SignatureError, SignatureMetadata};
