//! `ward check [DIR]`: every diagnostic of a project, for people or for tools.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use ward_compiler::{project, render};

use crate::disk::DiskFs;
use crate::output::{fail, ColorChoice, Format, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The project folder (the one holding Ward.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
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
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Human => render::human(
            &mut out,
            &project.sources,
            &diagnostics,
            args.color.enabled(),
        ),
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&render::json(&project.sources, &diagnostics))
                .unwrap_or_default()
        ),
    };
    match written.and_then(|()| out.flush()) {
        // A reader that stopped early (`| head`) is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return fail(format!("cannot write the report: {e}")),
        Ok(()) => {}
    }
    if diagnostics.iter().any(|d| d.is_error()) {
        ExitCode::from(CONTENT_ERRORS)
    } else {
        ExitCode::from(CLEAN)
    }
}
