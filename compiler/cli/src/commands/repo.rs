//! `ward repo init|timestamp|rotate|status REPO`: the release repository (TUF) on the
//! CI side. The logic is `ward_tuf::repo`; this is the shell. Keys default to the
//! directory `REPO.keys` beside the repository, outside what a web server serves.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use ward_tuf::repo::{default_policy, KeyDir, Repo, RolePolicy};

use crate::output::{fail, CLEAN};

#[derive(Debug, Args)]
pub struct RepoArgs {
    #[command(subcommand)]
    pub command: RepoCommand,
}

/// Where a repository's keys are.
#[derive(Debug, Args)]
pub struct KeysArg {
    /// The key directory (default: REPO.keys beside the repository).
    #[arg(long, value_name = "DIR")]
    pub keys: Option<PathBuf>,
}

impl KeysArg {
    pub fn dir(&self, repo: &Path) -> KeyDir {
        KeyDir::new(self.keys.clone().unwrap_or_else(|| {
            let mut name = repo.as_os_str().to_owned();
            name.push(".keys");
            PathBuf::from(name)
        }))
    }
}

#[derive(Debug, Subcommand)]
pub enum RepoCommand {
    /// Create a repository: metadata/ and targets/, the four roles, fresh Ed25519 keys.
    Init {
        repo: PathBuf,
        #[command(flatten)]
        keys: KeysArg,
        /// Root keys to generate.
        #[arg(long, default_value_t = default_policy("root").keys)]
        root_keys: usize,
        /// Root keys that must sign each new root.
        #[arg(long, default_value_t = default_policy("root").threshold)]
        root_threshold: u64,
    },
    /// Re-sign timestamp.json alone (run on a schedule: hosts refuse an expired one).
    Timestamp {
        repo: PathBuf,
        #[command(flatten)]
        keys: KeysArg,
    },
    /// Replace a role's keys; writes root N+1 signed by the old and new root keys.
    Rotate {
        repo: PathBuf,
        #[command(flatten)]
        keys: KeysArg,
        /// root, targets, snapshot or timestamp.
        #[arg(long)]
        role: String,
    },
    /// Show every role's version, expiry and keys, and what is published.
    Status { repo: PathBuf },
}

pub fn run(args: &RepoArgs) -> ExitCode {
    let now = ward_tuf::time::now();
    let result = match &args.command {
        RepoCommand::Init {
            repo,
            keys,
            root_keys,
            root_threshold,
        } => {
            let policy = RolePolicy {
                keys: *root_keys,
                threshold: *root_threshold,
                ..default_policy("root")
            };
            Repo::init(repo, &keys.dir(repo), policy, now).map(|r| {
                format!(
                    "created {}; keys in {}\n{}",
                    repo.display(),
                    keys.dir(repo).path().display(),
                    r.status(now)
                )
            })
        }
        RepoCommand::Timestamp { repo, keys } => Repo::open(repo).and_then(|mut r| {
            r.timestamp(&keys.dir(repo), now)?;
            Ok(format!(
                "timestamp version {}, expires {}",
                r.timestamp.signed.common.version, r.timestamp.signed.common.expires
            ))
        }),
        RepoCommand::Rotate { repo, keys, role } => Repo::open(repo).and_then(|mut r| {
            let ids = r.rotate(&keys.dir(repo), role, now)?;
            Ok(format!(
                "{role} rotated to key(s) {}; root is now version {}",
                ids.join(", "),
                r.root.signed.common.version
            ))
        }),
        RepoCommand::Status { repo } => Repo::open(repo).map(|r| r.status(now)),
    };
    match result {
        Ok(text) => {
            // A reader that stopped early (`| head`) is not an error of ours.
            let _ = writeln!(std::io::stdout(), "{}", text.trim_end());
            ExitCode::from(CLEAN)
        }
        Err(e) => fail(e),
    }
}
