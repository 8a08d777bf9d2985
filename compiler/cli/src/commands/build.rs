//! `ward build [DIR]`: check, lower, sign, then verify every channel with the runtime's own
//! verifier against every sensor it targets (DESIGN.md invariant 1). Files are written only
//! when every channel passed, all at once, each by an atomic rename.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use rayon::prelude::*;
use ward_compiler::hir::{ChannelId, Program};
use ward_compiler::lower;
use ward_compiler::sources::Sources;
use ward_encode::sign;
use ward_runtime::{decode, key_id, verify, SigningKey, TrustStore};

use crate::atomic::write_all;
use crate::keys::read_secret;
use crate::load::{load, Loaded};
use crate::output::{
    fail, print_diagnostics, ColorChoice, DiagnosticsFormat, CLEAN, CONTENT_ERRORS,
};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The project folder (the one holding Ward.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The secret key to sign with (default: `[build] key` of Ward.toml).
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Where to write channel files (default: `[build] out` of Ward.toml, or `build`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub format: DiagnosticsFormat,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

pub fn run(args: &BuildArgs) -> ExitCode {
    let Loaded {
        project,
        checked,
        diagnostics,
    } = match load(&args.dir) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Err(code) = print_diagnostics(&project.sources, &diagnostics, args.format, args.color) {
        return code;
    }
    let Some(config) = project
        .config
        .as_ref()
        .filter(|_| !diagnostics.iter().any(|d| d.is_error()))
    else {
        eprintln!("error: the content has errors; nothing was built");
        return ExitCode::from(CONTENT_ERRORS);
    };
    let key_path = match (&args.key, &config.build.key) {
        (Some(k), _) => k.clone(),
        (None, Some(k)) => args.dir.join(k),
        (None, None) => {
            return fail(
                "no signing key: pass `--key FILE`, or set `key = \"...\"` under [build] in Ward.toml.\n\
                 Make a key pair with `ward keygen --out keys/release` (keep the .key file secret; \
                 sensors trust the .pub file).",
            )
        }
    };
    let key = match read_secret(&key_path) {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| args.dir.join(&config.build.out));
    let program = &checked.program;
    let trust = match TrustStore::with_keys(vec![key.verifying_key()]) {
        Ok(t) => t,
        Err(e) => return fail(format!("the signing key cannot be trusted: {e}")),
    };
    // Channels build independently, so they build on every core; results are taken in
    // source order, so the output is the same as a single-threaded run.
    let outputs: Vec<Built> = (0..program.channels.len())
        .into_par_iter()
        .map(|i| {
            build_channel(
                program,
                &project.sources,
                ChannelId(i),
                &key,
                &trust,
                &out_dir,
            )
        })
        .collect();
    let mut files = Vec::new();
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for built in outputs {
        for w in &built.warnings {
            eprintln!("warning: {w}");
        }
        failures.extend(built.failures);
        summary.push(built.summary);
        files.push((built.dest, built.bytes, None));
    }
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("error: {f}");
        }
        eprintln!("error: nothing was written");
        return ExitCode::from(CONTENT_ERRORS);
    }
    if let Err(e) = std::fs::create_dir_all(&out_dir).and_then(|()| write_all(&files)) {
        return fail(format!("cannot write to {}: {e}", out_dir.display()));
    }
    println!(
        "built {} channel{} signed with key {}, verified for every targeted sensor:",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        key_id(&key.verifying_key())
    );
    for line in summary {
        println!("{line}");
    }
    ExitCode::from(CLEAN)
}

/// One channel, signed and verified, with what went wrong.
struct Built {
    dest: PathBuf,
    bytes: Vec<u8>,
    summary: String,
    failures: Vec<String>,
    warnings: Vec<String>,
}

fn build_channel(
    program: &Program,
    sources: &Sources,
    cid: ChannelId,
    key: &SigningKey,
    trust: &TrustStore,
    out_dir: &Path,
) -> Built {
    let ch = program.channel(cid);
    let model = lower::channel(program, sources, cid);
    let dest = out_dir.join(format!("{}.chan", ch.name));
    let mut failures = Vec::new();
    let mut warnings = Vec::new();
    let bytes = match sign(&model, &[key]) {
        Ok(b) => b,
        Err(e) => {
            failures.push(format!("channel `{}` cannot be encoded: {e}", ch.name));
            Vec::new()
        }
    };
    // The one verifier: what the sensor will run, against each sensor targeted.
    for target in ch.targets.iter().filter(|_| !bytes.is_empty()) {
        let profile = lower::sensor_profile(program, target.sensor);
        if let Err(e) = verify(&bytes, trust, &profile) {
            failures.push(format!(
                "channel `{}` is rejected by the runtime's verifier for sensor `{}`: {e}",
                ch.name, profile.name
            ));
        }
    }
    match against_previous(&dest, &model) {
        Some(Previous::Lower(problem)) => failures.push(problem),
        Some(Previous::Unbumped(warning)) => warnings.push(warning),
        None => {}
    }
    let targets: Vec<String> = model
        .targets
        .iter()
        .map(|t| format!("{} (1..={})", t.name, t.supplied))
        .collect();
    let summary = format!(
        "  {}: channel {} version {}, {} instances, for {}",
        dest.display(),
        model.id,
        model.content_version,
        model.instances.len(),
        targets.join(", ")
    );
    Built {
        dest,
        bytes,
        summary,
        failures,
        warnings,
    }
}

/// How a new build compares with the file it replaces.
enum Previous {
    /// The content version went down: refused.
    Lower(String),
    /// The content changed but its version did not: sensors would ignore it.
    Unbumped(String),
}

/// A build must never lower a channel's content version below the file it replaces, and
/// changed content under an unchanged version would be ignored by every sensor that holds
/// that version (the store treats an equal version as already installed).
fn against_previous(dest: &Path, model: &ward_runtime::model::Channel) -> Option<Previous> {
    let previous = std::fs::read(dest).ok()?;
    let previous = decode(&previous).ok()?.channel;
    if previous.content_version > model.content_version {
        return Some(Previous::Lower(format!(
            "channel `{}`: version {} is below the version {} already built in {}; content versions never go down",
            model.name,
            model.content_version,
            previous.content_version,
            dest.display()
        )));
    }
    let changed = previous.instances != model.instances
        || previous.targets != model.targets
        || previous.template != model.template;
    (previous.content_version == model.content_version && changed).then(|| {
        Previous::Unbumped(format!(
            "channel `{}` changed but its version is still {}: sensors holding version {} will not install it; raise `version`",
            model.name, model.content_version, model.content_version
        ))
    })
}
