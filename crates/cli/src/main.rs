//! The `shellsentry` command.
//!
//! Exit status:
//! - 0: the work finished. A replay read all its input, even with skipped
//!   lines, or a live run was stopped by SIGINT, SIGTERM or a closed pipe.
//! - 1: it failed, for example on unreadable input or a sensor that could
//!   not start.
//! - 2: the command line or the configuration is invalid.
//! - 3: `--strict` stopped at a bad line.

mod cli;
mod findings;
mod replay;
mod run;
mod settings;
mod signatures;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// An error with its own exit status; any other error exits with 1.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Exit {
    /// The configuration or an option value is invalid.
    #[error("{0:#}")]
    Usage(anyhow::Error),
    /// `--strict` met a line that is not a usable event.
    #[error("{0:#}")]
    Strict(anyhow::Error),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = init_logging(&cli.log_level) {
        eprintln!("shellsentry: {err:#}");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Some(Command::Run(args)) => run::run(&args),
        None => run::run(&cli.run),
        Some(Command::Replay(args)) => replay::replay(&args),
        Some(Command::Signatures(args)) => signatures::list(&args),
        Some(Command::Config(args)) => config_command(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let (code, err) = match err.downcast::<Exit>() {
                Ok(Exit::Usage(err)) => (2, err),
                Ok(Exit::Strict(err)) => (3, err),
                Err(err) => (1, err),
            };
            eprintln!("shellsentry: error: {err:#}");
            ExitCode::from(code)
        }
    }
}

fn config_command(args: &cli::ConfigArgs) -> anyhow::Result<()> {
    if args.print_default {
        print!("{}", shellsentry_core::config::default_config_toml());
        return Ok(());
    }
    if let Some(path) = &args.check {
        let settings = settings::load(Some(path), None)?;
        println!("{}: valid (profile {})", path.display(), settings.profile);
    }
    Ok(())
}

fn init_logging(level: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .map_err(|err| anyhow::anyhow!("invalid --log-level {level:?}: {err}"))?;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .with_target(false)
        .init();
    Ok(())
}
