//! The signature API, in the shape of Tracee's: metadata, selected events,
//! initialisation, one call per event, and a call at end of input.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::events::{ArgumentError, Event, Origin};

/// Describes a signature. Field names and order are those of Tracee's
/// `SignatureMetadata`, because findings print it as is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SignatureMetadata {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "EventName")]
    pub event_name: String,
    #[serde(rename = "Description")]
    pub description: String,
    /// `None` prints as JSON `null`, as Tracee prints a signature without tags.
    #[serde(rename = "Tags")]
    pub tags: Option<Vec<String>>,
    /// Printed in key order, as Go prints a map.
    #[serde(rename = "Properties")]
    pub properties: BTreeMap<String, Value>,
}

/// An event a signature wants to see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectedEvent {
    /// Producer of the event; `tracee` for every event of the model.
    pub source: &'static str,
    /// Event name, or `*` for every event.
    pub name: &'static str,
    /// `*` (any), `host` or `container`.
    pub origin: &'static str,
}

impl SelectedEvent {
    /// Tells whether an event of this origin matches the selection's origin.
    pub fn accepts_origin(&self, origin: Origin) -> bool {
        match self.origin {
            "*" => true,
            "host" => origin == Origin::Host,
            "container" => origin == Origin::Container,
            _ => false,
        }
    }
}

/// One detection: the signature that fired, the event that triggered it,
/// and optional data that explains it.
#[derive(Clone, Debug)]
pub struct Finding {
    pub metadata: Arc<SignatureMetadata>,
    pub event: Arc<Event>,
    /// `None` prints as JSON `null`.
    pub data: Option<Value>,
}

/// Error of a signature that could not evaluate an event. The engine reports it with
/// the event's position and goes on.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error(transparent)]
    Argument(#[from] ArgumentError),
    #[error("{0}")]
    Other(String),
}

/// A detection rule.
pub trait Signature: Send {
    /// Returns the metadata printed with each finding.
    fn metadata(&self) -> &Arc<SignatureMetadata>;

    /// Returns the events this signature wants; the engine sends it no other.
    fn selected_events(&self) -> &[SelectedEvent];

    /// Returns the settings in force (lists, switches) as JSON, for
    /// `shellsentry signatures`.
    fn settings(&self) -> Value {
        Value::Null
    }

    /// Evaluates one selected event and sends any finding to `emit`.
    fn on_event(&mut self, event: &Arc<Event>, emit: &mut dyn FnMut(Finding)) -> Result<(), SignatureError>;

    /// Called once when the input ends, so a signature that keeps state can
    /// send what it still holds.
    fn on_end(&mut self, _emit: &mut dyn FnMut(Finding)) {}
}
