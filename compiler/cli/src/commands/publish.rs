//! `ward publish BUILD_DIR --repo REPO`: add a build's channel files to the release
//! repository as targets and write new targets, snapshot and timestamp, all or nothing.
//! A channel whose content version does not go up is refused (exit 1).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use ward_tuf::repo::Repo;
use ward_tuf::Error;

use super::repo::KeysArg;
use crate::output::outln;
use crate::output::{fail, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The build's output directory (`ward build` writes NAME.chan files there).
    pub build_dir: PathBuf,
    /// The release repository (`ward repo init` made it).
    #[arg(long)]
    pub repo: PathBuf,
    #[command(flatten)]
    pub keys: KeysArg,
}

pub fn run(args: &PublishArgs) -> ExitCode {
    let mut files = match std::fs::read_dir(&args.build_dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "chan"))
            .collect::<Vec<_>>(),
        Err(e) => return fail(format!("cannot read {}: {e}", args.build_dir.display())),
    };
    files.sort();
    if files.is_empty() {
        return fail(format!("{} holds no .chan files", args.build_dir.display()));
    }
    let mut channels = Vec::new();
    for path in &files {
        match ward_tuf::repo::read_limited(
            path,
            u64::try_from(ward_runtime::limits::MAX_FILE_SIZE).unwrap_or(u64::MAX),
        ) {
            Ok(bytes) => channels.push((path.display().to_string(), bytes)),
            Err(e) => return fail(e),
        }
    }
    let now = ward_tuf::time::now();
    let published = Repo::open(&args.repo).and_then(|mut repo| {
        let added = repo.publish(&args.keys.dir(&args.repo), &channels, now)?;
        Ok((added, repo))
    });
    match published {
        Ok((added, _)) if added.is_empty() => {
            outln!(
                "nothing new: every channel in {} is already published",
                args.build_dir.display()
            );
            ExitCode::from(CLEAN)
        }
        Ok((added, repo)) => {
            outln!(
                "published {} as targets version {}, snapshot {}, timestamp {}",
                added.join(", "),
                repo.targets.signed.common.version,
                repo.snapshot.signed.common.version,
                repo.timestamp.signed.common.version
            );
            ExitCode::from(CLEAN)
        }
        Err(e @ (Error::Refused { .. } | Error::Invalid { .. })) => {
            eprintln!("error: {e}");
            ExitCode::from(CONTENT_ERRORS)
        }
        Err(e) => fail(e),
    }
}
