//! Turns the detection options into validated settings.

use shellsentry_core::config::{Config, Profile, Settings};

use crate::Exit;

/// Reads the configuration file, if any, and applies the profile option.
/// A missing or invalid file is a usage error (exit status 2).
pub(crate) fn load(config_path: Option<&std::path::Path>, profile: Option<Profile>) -> anyhow::Result<Settings> {
    let config = match config_path {
        Some(path) => Config::load(path).map_err(|err| Exit::Usage(err.into()))?,
        None => Config::default(),
    };
    let settings = Settings::new(config, profile);
    tracing::debug!(profile = %settings.profile, "detection settings loaded");
    Ok(settings)
}
