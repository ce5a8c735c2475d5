//! The engine: routes each event to the signatures that selected it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::events::{Event, LineFilter};

use super::signature::{Finding, Signature, SignatureError};

/// An error one signature raised on one event.
#[derive(Debug, thiserror::Error)]
#[error("signature {signature} failed on a {event_name} event: {source}")]
pub struct EngineError {
    pub signature: String,
    pub event_name: String,
    #[source]
    pub source: SignatureError,
}

/// Dispatches events to signatures by event name and origin.
pub struct Engine {
    signatures: Vec<Box<dyn Signature>>,
    /// Signature indexes by selected event name.
    by_name: HashMap<&'static str, Vec<usize>>,
    /// Signatures that selected every event name (`*`).
    for_all: Vec<usize>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.signatures.iter().map(|s| s.metadata().id.as_str()).collect();
        f.debug_struct("Engine").field("signatures", &ids).finish()
    }
}

impl Engine {
    /// Builds an engine over these signatures.
    pub fn new(signatures: Vec<Box<dyn Signature>>) -> Self {
        let mut by_name: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut for_all = Vec::new();
        for (index, signature) in signatures.iter().enumerate() {
            for selected in signature.selected_events() {
                let list = if selected.name == "*" { &mut for_all } else { by_name.entry(selected.name).or_default() };
                if !list.contains(&index) {
                    list.push(index);
                }
            }
        }
        Engine { signatures, by_name, for_all }
    }

    /// Returns the signatures, in the order given.
    pub fn signatures(&self) -> impl Iterator<Item = &dyn Signature> {
        self.signatures.iter().map(|s| s.as_ref())
    }

    /// Returns a line filter that passes every line that may carry an
    /// event some signature selected.
    pub fn line_filter(&self) -> LineFilter {
        if !self.for_all.is_empty() {
            return LineFilter::pass_all();
        }
        LineFilter::new(self.by_name.keys().copied())
    }

    /// Tells whether any signature selected events of this name.
    pub fn selects(&self, event_name: &str) -> bool {
        !self.for_all.is_empty() || self.by_name.contains_key(event_name)
    }

    /// Sends one event to the signatures that selected it. Findings go to
    /// `emit`; an error of one signature does not keep the others from
    /// seeing the event, and every error is returned.
    pub fn process(&mut self, event: &Arc<Event>, emit: &mut dyn FnMut(Finding)) -> Vec<EngineError> {
        let mut errors = Vec::new();
        let named = self.by_name.get(event.event_name.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let origin = event.origin();
        for &index in named.iter().chain(self.for_all.iter()) {
            let signature = &mut self.signatures[index];
            let accepted = signature
                .selected_events()
                .iter()
                .any(|s| (s.name == "*" || s.name == event.event_name) && s.accepts_origin(origin));
            if !accepted {
                continue;
            }
            if let Err(source) = signature.on_event(event, emit) {
                errors.push(EngineError {
                    signature: signature.metadata().id.clone(),
                    event_name: event.event_name.clone(),
                    source,
                });
            }
        }
        errors
    }

    /// Tells every signature that the input ended.
    pub fn finish(&mut self, emit: &mut dyn FnMut(Finding)) {
        for signature in &mut self.signatures {
            signature.on_end(emit);
        }
    }
}
