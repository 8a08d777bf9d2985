//! Output settings shared by the subcommands: format, colour, and exit codes.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::ValueEnum;
use ward_compiler::sources::Sources;
use ward_compiler::{render, Diagnostic};

/// How `ward test` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// JUnit XML, as CI systems (GitLab, Jenkins, GitHub test reporters) read it.
    Junit,
}

/// How diagnostics are printed: for people, as JSON, or as SARIF 2.1.0 for code scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticsFormat {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// 0: clean (warnings allowed).
pub const CLEAN: u8 = 0;
/// 1: the content has errors.
pub const CONTENT_ERRORS: u8 = 1;
/// 2: usage or I/O errors.
pub const USAGE: u8 = 2;

/// Writes to standard output as `print!` does, except that a reader that stopped early
/// (`| head`, a closed pipe: EPIPE) is no panic: the rest of the output is dropped and the
/// command goes on to its own exit code. Any other write error ends the command (exit 2).
/// Every command prints through [`out!`] and [`outln!`]; clippy's `print_stdout` is
/// denied in this crate so that no `println!` comes back.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to standard output: {e}");
            std::process::exit(USAGE.into());
        }
    }
}

/// `print!` through [`write_stdout`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!($($arg)*))
    };
}

/// `println!` through [`write_stdout`].
macro_rules! outln {
    () => {
        $crate::output::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};

/// Prints a usage or I/O error and returns exit code 2.
pub fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(USAGE)
}

/// Prints diagnostics to stdout in the chosen format. A reader that stopped early
/// (`| head`) is not an error of ours; any other write failure is.
pub fn print_diagnostics(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    format: DiagnosticsFormat,
    color: ColorChoice,
) -> Result<(), ExitCode> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let document = match format {
        DiagnosticsFormat::Human => None,
        DiagnosticsFormat::Json => Some(render::json(sources, diagnostics)),
        DiagnosticsFormat::Sarif => Some(render::sarif(sources, diagnostics)),
    };
    let written = match document {
        None => render::human(&mut out, sources, diagnostics, color.enabled()),
        Some(doc) => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ),
    };
    finish(written.and_then(|()| out.flush()))
}

/// Prints text to stdout, with the same handling of a reader that stopped early.
pub fn print_text(text: &str) -> Result<(), ExitCode> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    finish(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

fn finish(written: std::io::Result<()>) -> Result<(), ExitCode> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(fail(format!("cannot write the report: {e}")))
        }
        _ => Ok(()),
    }
}
