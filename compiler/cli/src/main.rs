//! The `ward` command: one binary, one module per subcommand.

mod commands;
mod disk;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Ward: typed detection content, checked against what every sensor really supplies.
#[derive(Debug, Parser)]
#[command(name = "ward", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a project and report every mistake (exit 0 clean, 1 errors, 2 usage/IO).
    Check(commands::check::CheckArgs),
    /// Explain a diagnostic code, e.g. `ward explain E0300`.
    Explain(commands::explain::ExplainArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are not errors; everything else is a usage error (2).
            let code = if e.use_stderr() {
                output::USAGE
            } else {
                output::CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match &cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Explain(args) => commands::explain::run(args),
    }
}
