//! `ward disasm FILE`: the canonical text of a channel file, read without trusting it.
//! It takes a path and writes to stdout, so git can use it as a textconv driver
//! (docs/review.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use ward_compiler::review::disasm::disassemble;
use ward_runtime::{decode, DecodedChannel};

use crate::host;
use crate::output::{fail, print_text, CLEAN};

#[derive(Debug, Args)]
pub struct DisasmArgs {
    /// The channel file.
    pub file: PathBuf,
}

pub fn run(args: &DisasmArgs) -> ExitCode {
    let decoded = match read_decoded(&args.file) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let text = disassemble(&decoded.channel, &decoded.signers).to_string();
    match print_text(&text) {
        Ok(()) => ExitCode::from(CLEAN),
        Err(code) => code,
    }
}

/// Reads and decodes a channel file (structure only: no signature is checked and no host
/// consulted); the error names the file and says why it cannot be read.
pub fn read_decoded(path: &Path) -> Result<DecodedChannel, String> {
    let bytes = host::read_channel(path)?;
    decode(&bytes).map_err(|e| format!("{} is not a readable channel file: {e}", path.display()))
}
