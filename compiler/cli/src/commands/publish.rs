//! `ward publish BUILD_DIR --repo REPO`: add a build's channel files to the release
//! repository as targets and write new targets, snapshot and timestamp, all or nothing.
//! A channel whose content version does not go up is refused (exit 1). Each release is
//! signed with its rollout plan (`--plan FILE`, else `REPO.rollout.toml` beside the
//! repository, else the default plan) and starts in the plan's first ring.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use ward_tuf::repo::Repo;
use ward_tuf::Error;

use super::repo::KeysArg;
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
    /// The rollout plan, TOML (default: REPO.rollout.toml beside the repository if it
    /// exists, else the default plan: internal, canary 1%, early 10%, general).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
}

/// The plan `ward publish` signs with the release, and where it came from.
pub fn rollout_plan(
    explicit: Option<&Path>,
    repo: &Path,
) -> Result<(ward_rollout::Plan, String), String> {
    let beside = {
        let mut name = repo.as_os_str().to_owned();
        name.push(".rollout.toml");
        PathBuf::from(name)
    };
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None if beside.exists() => beside,
        None => return Ok((ward_rollout::Plan::default(), "the default plan".into())),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let config: ward_rollout::PlanConfig =
        toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
    let plan = config
        .to_plan()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((plan, path.display().to_string()))
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
    let (plan, source) = match rollout_plan(args.plan.as_deref(), &args.repo) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(CONTENT_ERRORS);
        }
    };
    let now = ward_tuf::time::now();
    let published = Repo::open(&args.repo).and_then(|mut repo| {
        let added =
            repo.publish_with(&args.keys.dir(&args.repo), &channels, Some(&plan), &[], now)?;
        Ok((added, repo))
    });
    match published {
        Ok((added, _)) if added.is_empty() => {
            println!(
                "nothing new: every channel in {} is already published",
                args.build_dir.display()
            );
            ExitCode::from(CLEAN)
        }
        Ok((added, repo)) => {
            println!(
                "published {} as targets version {}, snapshot {}, timestamp {}; rollout plan from {source}, starting in ring `{}`",
                added.join(", "),
                repo.targets.signed.common.version,
                repo.snapshot.signed.common.version,
                repo.timestamp.signed.common.version,
                plan.rings.first().map_or("", |r| r.name.as_str())
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
