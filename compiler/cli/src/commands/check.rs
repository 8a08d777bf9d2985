//! `ward check [PATH]`: every diagnostic of a project, for people or for tools. PATH may
//! be the project folder, a folder inside it, or one `.ward` file (then only that file's
//! diagnostics are reported, checked in the context of its whole project).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::load::load;
use crate::output::{print_diagnostics, ColorChoice, DiagnosticsFormat, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The project folder, a folder inside it (Ward.toml is looked for upward), or one
    /// `.ward` file.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub format: DiagnosticsFormat,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Treat every warning as an error (after the `[lints]` levels of Ward.toml).
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let loaded = match load(&args.dir, args.deny_warnings) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let reported = loaded.reported();
    if let Err(code) =
        print_diagnostics(&loaded.project.sources, &reported, args.format, args.color)
    {
        return code;
    }
    if reported.iter().any(|d| d.is_error()) {
        ExitCode::from(CONTENT_ERRORS)
    } else {
        ExitCode::from(CLEAN)
    }
}
