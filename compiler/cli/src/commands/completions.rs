//! `ward completions SHELL`: a completion script for bash, zsh, fish or PowerShell,
//! generated from the same clap definitions that parse the command line, so every
//! subcommand and flag (those added later included) completes.

use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::output::{print_text, CLEAN};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut crate::Cli::command(), "ward", &mut script);
    match print_text(&String::from_utf8_lossy(&script)) {
        Ok(()) => ExitCode::from(CLEAN),
        Err(code) => code,
    }
}
