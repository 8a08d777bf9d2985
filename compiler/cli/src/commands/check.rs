//! `ward check [DIR]`: every diagnostic of a project, for people or for tools.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::load::load;
use crate::output::{print_diagnostics, ColorChoice, DiagnosticsFormat, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The project folder (the one holding Ward.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub format: DiagnosticsFormat,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let loaded = match load(&args.dir) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Err(code) = print_diagnostics(
        &loaded.project.sources,
        &loaded.diagnostics,
        args.format,
        args.color,
    ) {
        return code;
    }
    if loaded.has_errors() {
        ExitCode::from(CONTENT_ERRORS)
    } else {
        ExitCode::from(CLEAN)
    }
}
