//! The `ward` command: one binary, one module per subcommand.
// Standard output goes through output::out!/outln!, which survive a closed pipe.
#![deny(clippy::print_stdout)]

mod atomic;
mod bounded;
mod budget;
mod commands;
mod disk;
mod host;
mod keys;
mod load;
mod measure;
mod output;
mod progress;
mod stdlib_cache;

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
    /// Compile, verify against every targeted sensor, and sign channel files.
    Build(commands::build::BuildArgs),
    /// Make an Ed25519 key pair for signing channels.
    Keygen(commands::keygen::KeygenArgs),
    /// Run the runtime's verifier on a channel file, as a sensor would (exit 0 valid, 1 rejected).
    Verify(commands::verify::VerifyArgs),
    /// Evaluate JSON Lines events against a verified channel, as a sensor would.
    Run(commands::run::RunArgs),
    /// Run the test blocks, the exhaustive field exercise and the budgets through the runtime.
    Test(commands::test::TestArgs),
    /// Rewrite .ward files in the canonical layout (`--check`: only report).
    Fmt(commands::fmt::FmtArgs),
    /// Time evaluation of JSON Lines events against a verified channel; report its cost.
    Bench(commands::bench::BenchArgs),
    /// Explain a diagnostic code, e.g. `ward explain E0300`.
    Explain(commands::explain::ExplainArgs),
    /// Print a channel file as canonical text (usable as a git textconv driver).
    Disasm(commands::disasm::DisasmArgs),
    /// Semantic diff of two channel files (exit 0 identical, 1 different, 2 errors).
    Diff(commands::diff::DiffArgs),
    /// Run the language server over stdin and stdout (for editors).
    Lsp(commands::lsp::LspArgs),
    /// Sensor profiles: `ward sensor export NAME --lang c|rust|json`.
    Sensor(commands::sensor::SensorArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell).
    Completions(commands::completions::CompletionsArgs),
    /// Print the manual page (or write a page per subcommand with `--out DIR`).
    Man(commands::man::ManArgs),
    /// The TUF conformance suite's client CLI (init, refresh, download) over ward-updater.
    TufClient(commands::tuf_client::TufClientArgs),
    /// The release repository (TUF): init, timestamp, rotate, status.
    Repo(commands::repo::RepoArgs),
    /// Add a build's channel files to a release repository as new targets.
    Publish(commands::publish::PublishArgs),
    /// Import detection content from other formats (`ward import sigma PATHS... --out DIR`).
    Import(commands::import::ImportArgs),
    /// Where each release stands in its rings: status, advance, hold, halt, resume.
    Rollout(commands::rollout::RolloutArgs),
    /// The customer's signed host policy: keygen, sign, show.
    Policy(commands::policy::PolicyArgs),
    /// What a release changes across every channel (Markdown or JSON).
    ReleaseNotes(commands::release_notes::ReleaseNotesArgs),
    /// The beacon collector: store hosts' signed health beacons in SQLite, serve aggregates.
    Collect(commands::collect::CollectArgs),
    /// Sign a record reset: the way back for a channel id frozen at the version ceiling.
    ResetRecord(commands::reset_record::ResetRecordArgs),
    /// Simulate a fleet taking a release: how far a bad one goes before it halts.
    Simulate(commands::simulate::SimulateArgs),
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
        Command::Build(args) => commands::build::run(args),
        Command::Keygen(args) => commands::keygen::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Test(args) => commands::test::run(args),
        Command::Fmt(args) => commands::fmt::run(args),
        Command::Bench(args) => commands::bench::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Disasm(args) => commands::disasm::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Lsp(args) => commands::lsp::run(args),
        Command::Sensor(args) => commands::sensor::run(args),
        Command::Completions(args) => commands::completions::run(args),
        Command::Man(args) => commands::man::run(args),
        Command::TufClient(args) => commands::tuf_client::run(args),
        Command::Repo(args) => commands::repo::run(args),
        Command::Publish(args) => commands::publish::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Rollout(args) => commands::rollout::run(args),
        Command::Policy(args) => commands::policy::run(args),
        Command::ReleaseNotes(args) => commands::release_notes::run(args),
        Command::Collect(args) => commands::collect::run(args),
        Command::ResetRecord(args) => commands::reset_record::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
    }
}
