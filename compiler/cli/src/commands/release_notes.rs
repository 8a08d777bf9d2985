//! `ward release-notes OLD_BUILD NEW_BUILD`: what a release changes across every channel,
//! from the compiled files through the reviewer's diff, as Markdown or JSON, the same
//! bytes for the same builds. `ward publish --notes FILE` signs the result with the
//! release, so a customer reads what reaches their hosts before it does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use ward_compiler::review::notes::{json, markdown, release_notes, Built};
use ward_runtime::DecodedChannel;

use super::disasm::read_decoded;
use crate::output::{fail, print_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotesFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct ReleaseNotesArgs {
    /// The previous build's output directory (its NAME.chan files).
    pub old: PathBuf,
    /// The new build's output directory.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = NotesFormat::Markdown)]
    pub format: NotesFormat,
}

/// A build as the notes read it: each channel and its signers.
fn side(build: &[DecodedChannel]) -> Vec<Built<'_>> {
    build
        .iter()
        .map(|d| (&d.channel, d.signers.as_slice()))
        .collect()
}

/// Every channel file of a build directory, decoded, in file-name order.
fn build(dir: &Path) -> Result<Vec<DecodedChannel>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "chan"))
        .collect();
    files.sort();
    files.iter().map(|p| read_decoded(p)).collect()
}

pub fn run(args: &ReleaseNotesArgs) -> ExitCode {
    let (old, new) = match (build(&args.old), build(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let notes = release_notes(&side(&old), &side(&new));
    let text = match args.format {
        NotesFormat::Markdown => markdown(&notes),
        NotesFormat::Json => serde_json::to_string_pretty(&json(&notes)).unwrap_or_default() + "\n",
    };
    match print_text(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
