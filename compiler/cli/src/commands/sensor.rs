//! `ward sensor export NAME --lang c|rust|json`: a sensor's generated profile, from its
//! `sensor` declaration, for the sensor's own build (C, Rust) or its run time (JSON).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use ward_compiler::profile::Lang;

use crate::atomic;
use crate::host;
use crate::output::{fail, print_text, CLEAN};

#[derive(Debug, Args)]
pub struct SensorArgs {
    #[command(subcommand)]
    pub command: SensorCommand,
}

#[derive(Debug, Subcommand)]
pub enum SensorCommand {
    /// Generate a sensor's profile: every template, version, field number and type it supplies.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The sensor, as declared in the project (or the stdlib).
    pub name: String,
    /// The language of the generated file.
    #[arg(long, value_enum)]
    pub lang: LangArg,
    /// The project that declares the sensor.
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    C,
    Rust,
    Json,
}

pub fn run(args: &SensorArgs) -> ExitCode {
    match &args.command {
        SensorCommand::Export(export) => run_export(export),
    }
}

fn run_export(args: &ExportArgs) -> ExitCode {
    let lang = match args.lang {
        LangArg::C => Lang::C,
        LangArg::Rust => Lang::Rust,
        LangArg::Json => Lang::Json,
    };
    let exported = match host::sensor_export(&args.project, &args.name) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let text = exported.render(lang);
    match &args.out {
        None => match print_text(&text) {
            Ok(()) => ExitCode::from(CLEAN),
            Err(code) => code,
        },
        Some(path) => match atomic::write_all(&[(path.clone(), text.into_bytes(), None)]) {
            Ok(()) => ExitCode::from(CLEAN),
            Err(e) => fail(format!("cannot write {}: {e}", path.display())),
        },
    }
}
