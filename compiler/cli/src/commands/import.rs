//! `ward import sigma PATHS... --out DIR`: Sigma rules to a Ward project (the logic is in
//! ward-sigma); this reads the rule files, writes the project and prints the summary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use ward_sigma::import::MARKER;
use ward_sigma::{summary, RuleFile};

use crate::atomic;
use crate::output::{fail, CLEAN, CONTENT_ERRORS, USAGE};
use crate::output::{out, outln};

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub from: ImportFrom,
}

#[derive(Debug, Subcommand)]
pub enum ImportFrom {
    /// Sigma rules (YAML files, or folders searched for *.yml and *.yaml) to a Ward
    /// project; exit 1 when any rule was refused, each named with its path, line and reason.
    Sigma(SigmaArgs),
}

#[derive(Debug, Args)]
pub struct SigmaArgs {
    /// Rule files and folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The project folder to write (created; an earlier import there is replaced).
    #[arg(long)]
    pub out: PathBuf,
    /// How to print the summary.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Human)]
    pub format: SummaryFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SummaryFormat {
    Human,
    Json,
}

pub fn run(args: &ImportArgs) -> ExitCode {
    match &args.from {
        ImportFrom::Sigma(args) => sigma(args),
    }
}

fn sigma(args: &SigmaArgs) -> ExitCode {
    let mut paths = Vec::new();
    for p in &args.paths {
        if let Err(e) = collect(p, &mut paths) {
            return fail(format!("cannot read {}: {e}", p.display()));
        }
    }
    let mut files = Vec::with_capacity(paths.len());
    for p in paths {
        match crate::bounded::read(&p, crate::bounded::RULE_FILE, "the rule file") {
            Ok(bytes) => files.push(RuleFile {
                path: p.display().to_string(),
                // A file that is not UTF-8 is refused by the YAML reader with its line.
                text: String::from_utf8_lossy(&bytes).into_owned(),
            }),
            Err(e) => return fail(e),
        }
    }
    let imported = match ward_sigma::import(&files) {
        Ok(i) => i,
        Err(e) => return fail(format!("internal error: {e}")),
    };
    if let Err(code) = clear(&args.out) {
        return code;
    }
    let writes: Vec<(PathBuf, Vec<u8>, Option<u32>)> = imported
        .files
        .iter()
        .map(|(name, text)| (args.out.join(name), text.clone().into_bytes(), None))
        .collect();
    for (path, _, _) in &writes {
        if let Some(parent) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(parent) {
                return fail(format!("cannot create {}: {e}", parent.display()));
            }
        }
    }
    if let Err(e) = atomic::write_all(&writes) {
        return fail(format!("cannot write {}: {e}", args.out.display()));
    }
    match args.format {
        SummaryFormat::Human => out!("{}", summary::human(&imported.rules)),
        SummaryFormat::Json => outln!("{}", summary::json(&imported.rules)),
    }
    if summary::counts(&imported.rules).refused > 0 {
        ExitCode::from(CONTENT_ERRORS)
    } else {
        ExitCode::from(CLEAN)
    }
}

/// Rule files under `path`, sorted, so the output does not depend on directory order.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for e in entries {
        let hidden = e
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if e.is_dir() {
            collect(&e, out)?;
        } else if e.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(e);
        }
    }
    Ok(())
}

/// Makes room for the import in `out`: an earlier import's files are removed; any other
/// non-empty folder is refused, since its files are someone's work.
fn clear(out: &Path) -> Result<(), ExitCode> {
    let Ok(mut entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    if entries.next().is_none() {
        return Ok(());
    }
    let manifest = std::fs::read_to_string(out.join("Ward.toml")).unwrap_or_default();
    if !manifest.starts_with(MARKER) {
        eprintln!(
            "error: {} is not empty and holds no earlier `ward import sigma`; choose another --out",
            out.display()
        );
        return Err(ExitCode::from(USAGE));
    }
    let channels = out.join("channels");
    if let Ok(entries) = std::fs::read_dir(&channels) {
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_some_and(|x| x == "ward") {
                if let Err(e) = std::fs::remove_file(&path) {
                    eprintln!("error: cannot remove {}: {e}", path.display());
                    return Err(ExitCode::from(USAGE));
                }
            }
        }
    }
    Ok(())
}
