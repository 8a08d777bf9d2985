//! `ward check [DIR]`: every diagnostic of a project, for people or for tools.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use ward_compiler::project;

use crate::disk::DiskFs;
use crate::output::{
    fail, print_diagnostics, ColorChoice, DiagnosticsFormat, CLEAN, CONTENT_ERRORS,
};

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
    let project = match project::load(&DiskFs, &args.dir) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let checked = ward_compiler::check(&project.sources);
    let mut diagnostics = project.diagnostics;
    diagnostics.extend(checked.diagnostics);
    if let Err(code) = print_diagnostics(&project.sources, &diagnostics, args.format, args.color) {
        return code;
    }
    if diagnostics.iter().any(|d| d.is_error()) {
        ExitCode::from(CONTENT_ERRORS)
    } else {
        ExitCode::from(CLEAN)
    }
}
