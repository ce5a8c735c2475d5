//! Command-line syntax. Raw options are parsed here by clap and turned into
//! validated settings before any work starts, so the commands never see
//! raw strings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use shellsentry_capture::StrategyChoice;
use shellsentry_core::config::{PreventMode, Profile};
use shellsentry_core::outputs::Format;

/// Detects web servers that spawn a shell (Tracee signature TRC-1016), live
/// with eBPF or in recorded Tracee event streams.
///
/// With no command, runs the live sensor (`shellsentry run`).
#[derive(Debug, Parser)]
#[command(name = "shellsentry", version, propagate_version = true, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,

    /// Log level on standard error.
    #[arg(
        long,
        global = true,
        default_value = "info",
        value_name = "LEVEL",
        value_parser = ["error", "warn", "info", "debug", "trace"]
    )]
    pub log_level: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Watch exec events live with eBPF and print findings (needs root).
    Run(RunArgs),
    /// Check recorded Tracee JSON event streams and print findings.
    Replay(ReplayArgs),
    /// List the signatures and their metadata.
    Signatures(SignaturesArgs),
    /// Print the default configuration, or check a configuration file.
    Config(ConfigArgs),
}

#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct ConfigArgs {
    /// Print a configuration file with every list and switch of the default profile.
    #[arg(long)]
    pub print_default: bool,

    /// Check a configuration file: unknown keys and invalid values are
    /// reported with their line and column (exit status 2).
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
}

/// Options shared by every command that detects.
#[derive(Debug, Clone, Args)]
pub struct DetectionArgs {
    /// Detection profile: `default` (catches more) or `tracee` (Tracee's exact
    /// verdicts). Overrides the configuration file's `profile`.
    #[arg(long, value_name = "NAME", value_parser = parse_profile)]
    pub profile: Option<Profile>,

    /// TOML configuration file.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Finding format: json (tracee-rules), tracee-event (Tracee's finding
    /// event) or text.
    #[arg(long, value_name = "FORMAT", default_value = "json", value_parser = parse_format)]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub detection: DetectionArgs,

    /// Kernel hook: auto, sched-prepare-exec, lsm, kprobe or sched-process-exec.
    #[arg(long, value_name = "NAME", default_value = "auto", value_parser = parse_strategy)]
    pub strategy: StrategyChoice,

    /// Print every exec as a Tracee JSON event line instead of findings, for
    /// recording a stream to replay later. Signatures are not run.
    #[arg(long, conflicts_with_all = ["format", "prevent"])]
    pub all_events: bool,

    /// Stop flagged shell execs before they run: `--prevent` or
    /// `--prevent=deny` denies them, `--prevent=audit` only reports what it
    /// would deny. Overrides the configuration's `prevent`.
    #[arg(long, value_name = "MODE", num_args = 0..=1, require_equals = true, default_missing_value = "deny", value_parser = parse_prevent)]
    pub prevent: Option<PreventMode>,
}

#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub detection: DetectionArgs,

    /// Stop with an error at the first line that is not a usable event.
    #[arg(long)]
    pub strict: bool,

    /// Decode every line in full, also lines no signature selected. Slower,
    /// but reports every line that is not valid JSON.
    #[arg(long)]
    pub full_decode: bool,

    /// Event files, in order; `-` reads standard input. Files ending in .gz
    /// are decompressed.
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct SignaturesArgs {
    /// Profile whose lists are shown.
    #[arg(long, value_name = "NAME", value_parser = parse_profile)]
    pub profile: Option<Profile>,

    /// TOML configuration file.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Print one JSON object per signature instead of text.
    #[arg(long)]
    pub json: bool,
}

fn parse_profile(text: &str) -> Result<Profile, String> {
    text.parse()
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

fn parse_prevent(text: &str) -> Result<PreventMode, String> {
    text.parse()
}

fn parse_strategy(text: &str) -> Result<StrategyChoice, String> {
    text.parse()
}
