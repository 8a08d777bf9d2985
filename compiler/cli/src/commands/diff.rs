//! `ward diff OLD NEW`: the semantic diff of two channel files, as text, as Markdown for a
//! pull-request comment, or as JSON. Exits like diff(1): 0 identical, 1 different,
//! 2 when a file cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use ward_compiler::review::{diff::diff, report};

use super::disasm::read_decoded;
use crate::output::{fail, print_text, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    /// Ready to post as a pull-request comment.
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The channel file before the change.
    pub old: PathBuf,
    /// The channel file after the change.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

pub fn run(args: &DiffArgs) -> ExitCode {
    let (old, new) = match (read_decoded(&args.old), read_decoded(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let d = diff((&old.channel, &old.signers), (&new.channel, &new.signers));
    let text = match args.format {
        DiffFormat::Text => report::text(&d),
        DiffFormat::Markdown => report::markdown(&d),
        DiffFormat::Json => {
            serde_json::to_string_pretty(&report::json(&d)).unwrap_or_default() + "\n"
        }
    };
    if let Err(code) = print_text(&text) {
        return code;
    }
    // diff(1): 1 means "they differ", not "something went wrong".
    ExitCode::from(if d.is_identical() {
        CLEAN
    } else {
        CONTENT_ERRORS
    })
}
