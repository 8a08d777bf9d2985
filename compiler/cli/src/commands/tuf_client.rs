//! `ward tuf-client`: the client-under-test CLI of the TUF conformance suite
//! (tuf-conformance's CLIENT-CLI.md), running the same `ward-updater` code a sensor
//! runs. Exit 0 when the command succeeded fully, 1 otherwise (the suite's protocol).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::output::outln;
use clap::{Args, Subcommand};
use ward_updater::{Http, Limits, Updater};

#[derive(Debug, Args)]
pub struct TufClientArgs {
    /// Where the client keeps the metadata it trusts (root.json, timestamp.json, ...).
    #[arg(long)]
    pub metadata_dir: PathBuf,
    /// Base URL of the repository's metadata.
    #[arg(long)]
    pub metadata_url: Option<String>,
    /// Target path to download (repeatable: processed in order by one updater).
    #[arg(long = "target-name")]
    pub target_names: Vec<String>,
    /// Base URL of the repository's targets.
    #[arg(long)]
    pub target_base_url: Option<String>,
    /// Where downloaded targets are stored.
    #[arg(long)]
    pub target_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: TufCommand,
}

#[derive(Debug, Subcommand)]
pub enum TufCommand {
    /// Trust TRUSTED_ROOT: copy it to the metadata directory (no network).
    Init { trusted_root: PathBuf },
    /// Update the top-level metadata by the TUF client workflow.
    Refresh,
    /// Refresh, then download each --target-name into --target-dir.
    Download,
}

pub fn run(args: &TufClientArgs) -> ExitCode {
    match execute(args) {
        Ok(message) => {
            outln!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn execute(args: &TufClientArgs) -> Result<String, String> {
    let dir = &args.metadata_dir;
    if let TufCommand::Init { trusted_root } = &args.command {
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::copy(trusted_root, dir.join("root.json")))
            .map_err(|e| {
                format!(
                    "cannot copy {} into {}: {e}",
                    trusted_root.display(),
                    dir.display()
                )
            })?;
        return Ok(format!(
            "trusting {} in {}",
            trusted_root.display(),
            dir.display()
        ));
    }
    let url = args
        .metadata_url
        .as_deref()
        .ok_or("--metadata-url is required")?;
    let now = ward_tuf::time::now();
    let mut updater = Updater::new(dir, url, Http::default(), Limits::default(), now)
        .map_err(|e| e.to_string())?;
    match &args.command {
        TufCommand::Refresh => {
            updater.refresh().map_err(|e| e.to_string())?;
            Ok(format!("refreshed {}", dir.display()))
        }
        TufCommand::Download => {
            let base = args
                .target_base_url
                .as_deref()
                .ok_or("--target-base-url is required")?;
            let target_dir = args
                .target_dir
                .as_deref()
                .ok_or("--target-dir is required")?;
            if args.target_names.is_empty() {
                return Err("--target-name is required".into());
            }
            let mut done = Vec::new();
            for name in &args.target_names {
                let path = updater
                    .download_to(name, base, target_dir)
                    .map_err(|e| format!("{name}: {e}"))?;
                done.push(path.display().to_string());
            }
            Ok(format!("downloaded {}", done.join(", ")))
        }
        TufCommand::Init { .. } => Ok(String::new()),
    }
}
