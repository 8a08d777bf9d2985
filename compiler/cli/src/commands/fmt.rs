//! `ward fmt [--check] [PATHS]`: rewrites .ward files in the canonical layout.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use ward_compiler::format::format;
use ward_compiler::io::FileSystem;
use ward_compiler::project::{not_utf8, MAX_SOURCE_FILE};

use crate::atomic::write_all;
use crate::disk::DiskFs;
use crate::output::outln;
use crate::output::{fail, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or folders to format (folders: every .ward file below them).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: &FmtArgs) -> ExitCode {
    let mut files = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            match DiskFs.walk(path) {
                Ok(found) => files.extend(
                    found
                        .into_iter()
                        .filter(|p| p.extension().is_some_and(|e| e == "ward")),
                ),
                Err(e) => return fail(format!("cannot read {}: {e}", path.display())),
            }
        } else {
            files.push(path.clone());
        }
    }
    let mut changed = Vec::new();
    let mut broken = 0usize;
    for path in files {
        let text = match DiskFs.read(&path, MAX_SOURCE_FILE) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    let why = not_utf8(e.as_bytes(), e.utf8_error().valid_up_to());
                    return fail(format!("cannot read {}: {why}", path.display()));
                }
            },
            Err(e) => return fail(format!("cannot read {}: {e}", path.display())),
        };
        match format(&text) {
            Some(formatted) if formatted != text => {
                changed.push((path, formatted.into_bytes(), None))
            }
            Some(_) => {}
            None => {
                eprintln!(
                    "{}: has syntax errors, left as it is (see `ward check`)",
                    path.display()
                );
                broken += 1;
            }
        }
    }
    if args.check {
        for (path, _, _) in &changed {
            outln!("{}", path.display());
        }
    } else if let Err(e) = write_all(&changed) {
        return fail(format!("cannot write: {e}"));
    } else {
        for (path, _, _) in &changed {
            outln!("formatted {}", path.display());
        }
    }
    if broken > 0 || (args.check && !changed.is_empty()) {
        ExitCode::from(CONTENT_ERRORS)
    } else {
        ExitCode::from(CLEAN)
    }
}
