//! Output settings shared by the subcommands: format, colour, and exit codes.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
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

/// Prints a usage or I/O error and returns exit code 2.
pub fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(USAGE)
}
