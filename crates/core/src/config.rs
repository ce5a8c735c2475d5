//! Configuration: the detection profile and the lists it uses, read from a
//! TOML file and overridden by command-line options.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::Deserialize;

use crate::detection::{AllowedExec, Engine, Extensions, IllegitimateShell, ShellRules, Signature};

/// Web-server process names of Tracee's TRC-1016 rule.
pub const TRACEE_WEB_SERVERS: &[&str] = &["nginx", "httpd", "httpd-foregroun", "http-nio", "lighttpd", "apache", "apache2"];

/// Shell names of Tracee's TRC-1016 rule.
pub const TRACEE_SHELLS: &[&str] = &["ash", "bash", "csh", "ksh", "sh", "tcsh", "zsh", "dash"];

/// Shells the `default` profile adds to Tracee's list.
pub const EXTRA_SHELLS: &[&str] = &["fish", "mksh", "rbash", "yash"];

/// Helpers that Debian's /etc/lighttpd/lighttpd.conf (lighttpd 1.4.69) runs
/// at start through `include_shell`. lighttpd runs them with `$SHELL -c`, or
/// `/bin/sh -c` when SHELL is unset, as under systemd. The port of
/// use-ipv6.pl is the default configuration's.
const LIGHTTPD_HELPERS: &[&str] = &[
    "/usr/share/lighttpd/create-mime.conf.pl",
    "/usr/share/lighttpd/include-conf-enabled.pl",
    "/usr/share/lighttpd/use-ipv6.pl 80",
];

/// PHP's mail() runs its sendmail_path through `sh -c`; this is the
/// default path of Debian's PHP 8.2 packages.
const PHP_MAIL_COMMAND: &str = "/usr/sbin/sendmail -t -i";

/// Processes that run PHP pages.
const PHP_HOSTS: &[&str] = &["apache2", "httpd", "php-fpm*", "php-cgi*"];

/// Returns the execs the `default` profile allows out of the box.
pub fn builtin_allowed() -> Vec<AllowedExec> {
    let mut allowed = Vec::new();
    for host in PHP_HOSTS {
        allowed.push(AllowedExec {
            process_name: host.to_string(),
            argv: vec!["sh".into(), "-c".into(), PHP_MAIL_COMMAND.into()],
        });
    }
    for helper in LIGHTTPD_HELPERS {
        for shell in ["/bin/sh", "/bin/bash"] {
            allowed.push(AllowedExec {
                process_name: "lighttpd".into(),
                argv: vec![shell.into(), "-c".into(), helper.to_string()],
            });
        }
    }
    allowed
}

/// A named set of detection rules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Tracee's rule exactly, for the same verdicts as Tracee.
    Tracee,
    /// Tracee's rule with more shells; the profile that catches the most.
    #[default]
    Default,
}

impl Profile {
    /// Returns the lists of this profile before any configuration applies.
    pub fn shell_rules(self) -> ShellRules {
        let owned = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut shells = owned(TRACEE_SHELLS);
        let mut allowed = Vec::new();
        let mut extensions = Extensions::default();
        if self == Profile::Default {
            shells.extend(owned(EXTRA_SHELLS));
            allowed = builtin_allowed();
            extensions = Extensions::ALL;
        }
        ShellRules { web_servers: owned(TRACEE_WEB_SERVERS), shells, allowed, extensions, explain: self == Profile::Default }
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "tracee" => Ok(Profile::Tracee),
            "default" => Ok(Profile::Default),
            other => Err(format!("unknown profile {other:?}: expected \"default\" or \"tracee\"")),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Tracee => "tracee",
            Profile::Default => "default",
        })
    }
}

/// Action of the live sensor on a flagged exec, taken before the exec runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PreventMode {
    /// Detect only.
    #[default]
    Off,
    /// Report what would be denied; deny nothing.
    Audit,
    /// Deny the exec and report it.
    Deny,
}

impl FromStr for PreventMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "off" => Ok(PreventMode::Off),
            "audit" => Ok(PreventMode::Audit),
            "deny" => Ok(PreventMode::Deny),
            other => Err(format!("unknown prevention mode {other:?}: expected off, audit or deny")),
        }
    }
}

impl fmt::Display for PreventMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PreventMode::Off => "off",
            PreventMode::Audit => "audit",
            PreventMode::Deny => "deny",
        })
    }
}

/// The configuration file, as written by the user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Profile; the command line's `--profile` takes precedence.
    pub profile: Option<Profile>,
    /// Prevention mode of the live sensor; `--prevent` takes precedence.
    pub prevent: Option<PreventMode>,
    #[serde(default)]
    pub illegitimate_shell: ShellConfig,
}

/// Overrides of the TRC-1016 lists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShellConfig {
    /// Replaces the profile's web-server names.
    pub web_servers: Option<Vec<String>>,
    /// Replaces the profile's shell names.
    pub shells: Option<Vec<String>>,
    /// Added to the web-server names.
    #[serde(default)]
    pub extra_web_servers: Vec<String>,
    /// Added to the shell names.
    #[serde(default)]
    pub extra_shells: Vec<String>,
    /// Keep the profile's built-in allowed execs (default true).
    pub builtin_allow: Option<bool>,
    /// Web-facing program families (default: on in the default profile).
    pub families: Option<bool>,
    /// Shells as busybox applets, hard links and copies.
    pub shell_identity: Option<bool>,
    /// Chains through launchers and inline interpreters.
    pub launch_chains: Option<bool>,
    /// Execs allowed in addition to the built-in ones.
    #[serde(default)]
    pub allow: Vec<AllowedExec>,
}

/// Error reading or validating a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    // The I/O error is part of the message and deliberately not a `source`,
    // which anyhow would print a second time.
    #[error("cannot read configuration file {path} (check the path): {error}")]
    Read { path: String, error: std::io::Error },
    #[error("invalid configuration file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| ConfigError::Read { path: path.display().to_string(), error })?;
        Config::parse(&text).map_err(|err| match err {
            ConfigError::Parse { message, .. } => ConfigError::Parse { path: path.display().to_string(), message },
            other => other,
        })
    }

    /// Parses configuration text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config =
            toml::from_str(text).map_err(|err| ConfigError::Parse { path: String::new(), message: err.to_string() })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let section = &self.illegitimate_shell;
        for (key, list) in [("web_servers", &section.web_servers), ("shells", &section.shells)] {
            if list.as_ref().is_some_and(Vec::is_empty) {
                return Err(ConfigError::Invalid(format!(
                    "illegitimate_shell.{key} must not be empty: an empty list turns the detection off \
                     (delete the key to keep the profile's list)"
                )));
            }
        }
        for (key, list) in [("web_servers", section.web_servers.as_deref()), ("extra_web_servers", Some(&section.extra_web_servers[..]))] {
            if let Some(name) = list.into_iter().flatten().find(|name| name.is_empty() || name.len() > 15) {
                return Err(ConfigError::Invalid(format!(
                    "illegitimate_shell.{key}: name {name:?} must be 1 to 15 bytes, because the kernel keeps only \
                     the first 15 bytes of a process name"
                )));
            }
        }
        for (key, list) in [("shells", section.shells.as_deref()), ("extra_shells", Some(&section.extra_shells[..]))] {
            if let Some(name) = list.into_iter().flatten().find(|name| name.is_empty() || name.contains('/')) {
                return Err(ConfigError::Invalid(format!(
                    "illegitimate_shell.{key}: {name:?} must be a program name without a slash, for example \"bash\""
                )));
            }
        }
        for entry in &section.allow {
            if entry.argv.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "illegitimate_shell.allow: the entry for {:?} has an empty argv: list the complete command, argv[0] included",
                    entry.process_name
                )));
            }
        }
        Ok(())
    }

    /// Returns the TRC-1016 lists for a profile with this configuration applied.
    pub fn shell_rules(&self, profile: Profile) -> ShellRules {
        let section = &self.illegitimate_shell;
        let mut rules = profile.shell_rules();
        if let Some(names) = &section.web_servers {
            rules.web_servers = names.clone();
        }
        if let Some(names) = &section.shells {
            rules.shells = names.clone();
        }
        rules.web_servers.extend(section.extra_web_servers.iter().cloned());
        rules.shells.extend(section.extra_shells.iter().cloned());
        if section.builtin_allow == Some(false) {
            rules.allowed.clear();
        }
        let switches = [
            (section.families, &mut rules.extensions.families),
            (section.shell_identity, &mut rules.extensions.shell_identity),
            (section.launch_chains, &mut rules.extensions.launch_chains),
        ];
        for (setting, switch) in switches {
            if let Some(on) = setting {
                *switch = on;
            }
        }
        rules.allowed.extend(section.allow.iter().cloned());
        rules
    }
}

/// Returns a configuration file that spells out the `default` profile:
/// every list and switch with its default value and a comment.
pub fn default_config_toml() -> String {
    let rules = Profile::Default.shell_rules();
    let list = |names: &[String]| {
        let quoted: Vec<String> = names.iter().map(|name| format!("{name:?}")).collect();
        format!("[{}]", quoted.join(", "))
    };

    let mut text = String::new();
    text.push_str("# shellsentry configuration: the default profile, spelled out.\n");
    text.push_str("# The profile sets the starting values: \"tracee\" is Tracee's exact TRC-1016 rule\n");
    text.push_str("# (Tracee's lists, every switch off, nothing allowed). Every key set in this file\n");
    text.push_str("# overrides the profile's value, so delete the keys you do not want to change.\n");
    text.push_str("profile = \"default\"\n");
    text.push_str("# Live sensor only: \"audit\" reports the shell execs it would deny, \"deny\" denies them\n");
    text.push_str("# before they run (fanotify). --prevent on the command line takes precedence.\n");
    text.push_str("prevent = \"off\"\n\n[illegitimate_shell]\n");

    text.push_str("# Process names (comm, at most 15 bytes) of web servers, compared exactly.\n");
    text.push_str(&format!("web_servers = {}\n", list(&rules.web_servers)));
    text.push_str("# Shell program names; an executed path ending in /NAME is a shell.\n");
    text.push_str(&format!("shells = {}\n", list(&rules.shells)));
    text.push_str("# Added to the lists above.\nextra_web_servers = []\nextra_shells = []\n");

    text.push_str("# Web-facing families: php-fpm*, php-cgi*, Tomcat request threads, fcgiwrap, caddy,\n");
    text.push_str("# busybox httpd, and node, gunicorn, uwsgi, uvicorn while they listen on TCP.\n");
    text.push_str(&format!("families = {}\n", rules.extensions.families));
    text.push_str("# Shells run as busybox applets, and hard links or copies of shells (live sensor).\n");
    text.push_str(&format!("shell_identity = {}\n", rules.extensions.shell_identity));
    text.push_str("# Shells reached through env, nice, timeout, nohup, stdbuf, setsid, sudo,\n");
    text.push_str("# jspawnhelper, or an interpreter running an inline command (python -c...).\n");
    text.push_str(&format!("launch_chains = {}\n", rules.extensions.launch_chains));

    text.push_str("# Keep the built-in allowed execs listed below (PHP's mail(), lighttpd's start-up helpers).\n");
    text.push_str("builtin_allow = true\n");
    text.push_str("# Built-in allowed execs, for reference (already in force; do not repeat them):\n");
    for entry in &rules.allowed {
        text.push_str(&format!("#   {} runs {}\n", entry.process_name, list(&entry.argv)));
    }

    text.push_str("\n# More allowed execs: the caller's name and the complete argv must match exactly.\n");
    text.push_str("# [[illegitimate_shell.allow]]\n# process_name = \"nginx\"\n");
    text.push_str("# argv = [\"/bin/sh\", \"-c\", \"/usr/local/bin/rotate-cache\"]\n");
    text
}

/// Everything needed to build an engine: the profile in force and the
/// configuration.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub profile: Profile,
    pub config: Config,
}

impl Settings {
    /// Combines a configuration with the profile named on the command line,
    /// which wins over the file's.
    pub fn new(config: Config, profile_option: Option<Profile>) -> Settings {
        let profile = profile_option.or(config.profile).unwrap_or_default();
        Settings { profile, config }
    }

    /// Returns the TRC-1016 lists in force.
    pub fn shell_rules(&self) -> ShellRules {
        self.config.shell_rules(self.profile)
    }

    /// Builds the signatures of this configuration.
    pub fn signatures(&self) -> Vec<Box<dyn Signature>> {
        vec![Box::new(IllegitimateShell::new(self.shell_rules()))]
    }

    /// Builds an engine with the signatures of this configuration.
    pub fn engine(&self) -> Engine {
        Engine::new(self.signatures())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_profile_and_lists() {
        let config = Config::parse(
            r#"
            profile = "tracee"
            [illegitimate_shell]
            extra_web_servers = ["php-fpm8.2"]
            shells = ["sh"]
            "#,
        )
        .unwrap();
        assert_eq!(config.profile, Some(Profile::Tracee));
        let rules = config.shell_rules(Profile::Tracee);
        assert!(rules.is_web_server("php-fpm8.2"));
        assert!(rules.is_web_server("nginx"));
        assert_eq!(rules.shells, vec!["sh".to_string()]);
    }

    #[test]
    fn parse_rejects_unknown_keys() {
        let err = Config::parse("profil = \"tracee\"").unwrap_err().to_string();
        assert!(err.contains("profil"), "{err}");
        let err = Config::parse("[illegitimate_shell]\nwebservers = []").unwrap_err().to_string();
        assert!(err.contains("webservers"), "{err}");
    }

    #[test]
    fn parse_rejects_bad_values() {
        assert!(Config::parse("profile = \"strict\"").is_err());
        assert!(Config::parse("[illegitimate_shell]\nextra_web_servers = [\"a-name-longer-than-15\"]").is_err());
        assert!(Config::parse("[illegitimate_shell]\nshells = [\"/bin/sh\"]").is_err());
        assert!(Config::parse("[illegitimate_shell]\nweb_servers = []").is_err());
        assert!(Config::parse("[illegitimate_shell]\nshells = []").is_err());
    }

    #[test]
    fn allow_entries_and_switch() {
        let config = Config::parse(
            r#"
            [illegitimate_shell]
            builtin_allow = false
            [[illegitimate_shell.allow]]
            process_name = "nginx"
            argv = ["/bin/sh", "-c", "/usr/local/bin/healthcheck"]
            "#,
        )
        .unwrap();
        let rules = config.shell_rules(Profile::Default);
        assert_eq!(rules.allowed.len(), 1);
        assert_eq!(rules.allowed[0].process_name, "nginx");
        assert_eq!(Config::default().shell_rules(Profile::Default).allowed, builtin_allowed());
        assert!(Config::default().shell_rules(Profile::Tracee).allowed.is_empty());
        assert!(Config::parse("[[illegitimate_shell.allow]]\nprocess_name = \"x\"\nargv = []").is_err());
        assert!(Config::parse("[[illegitimate_shell.allow]]\nprocess_name = \"x\"").is_err());
    }

    #[test]
    fn printed_default_parses_to_default_rules() {
        let config = Config::parse(&default_config_toml()).unwrap();
        assert_eq!(config.profile, Some(Profile::Default));
        assert_eq!(config.shell_rules(Profile::Default), Profile::Default.shell_rules());
    }

    #[test]
    fn switches_turn_extensions_off() {
        let config = Config::parse("[illegitimate_shell]\nfamilies = false\nlaunch_chains = false").unwrap();
        let rules = config.shell_rules(Profile::Default);
        assert!(!rules.extensions.families);
        assert!(!rules.extensions.launch_chains);
        assert!(rules.extensions.shell_identity);
        assert!(Config::parse("[illegitimate_shell]\nfamilies = \"no\"").is_err());
    }

    #[test]
    fn command_line_profile_wins() {
        let config = Config { profile: Some(Profile::Tracee), ..Config::default() };
        assert_eq!(Settings::new(config.clone(), Some(Profile::Default)).profile, Profile::Default);
        assert_eq!(Settings::new(config, None).profile, Profile::Tracee);
        assert_eq!(Settings::new(Config::default(), None).profile, Profile::Default);
    }
}
