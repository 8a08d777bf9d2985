//! `ward build [DIR]`: check, lower, sign, then verify every channel with the runtime's own
//! verifier against every sensor it targets (DESIGN.md invariant 1). Files are written only
//! when every channel passed, all at once, each by an atomic rename.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use rayon::prelude::*;
use serde_json::{json, Value as Json};
use ward_compiler::hir::{ChannelId, Loc, Program};
use ward_compiler::project::Project;
use ward_compiler::sources::Sources;
use ward_compiler::{lower, render, Diagnostic};
use ward_encode::sign;
use ward_runtime::{decode, key_id, verify, SigningKey, TrustStore};

use crate::atomic::write_all;
use crate::keys::read_secret;
use crate::load::{load, Loaded};
use crate::output::outln;
use crate::output::{
    fail, print_diagnostics, print_text, ColorChoice, DiagnosticsFormat, CLEAN, CONTENT_ERRORS,
};
use crate::progress;

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The project folder, or a folder inside it (Ward.toml is looked for upward).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// A secret key to sign with; give it several times to sign with each (a threshold of
    /// signers, or the old and the new key during a rotation). Default: `[build] key` of
    /// Ward.toml.
    #[arg(long, value_name = "KEYFILE")]
    pub key: Vec<PathBuf>,
    /// Sign with a key file that other users can read (group or world permission bits),
    /// which is otherwise refused as ssh refuses one. Also `[build]
    /// allow_insecure_key_perms = true` in Ward.toml.
    #[arg(long)]
    pub allow_insecure_key_perms: bool,
    /// Where to write channel files (default: `[build] out` of Ward.toml, or `build`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// How to print diagnostics. JSON and SARIF carry the whole result (refusals and the
    /// channels built too) on stdout; prose goes to stderr.
    #[arg(long, value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub format: DiagnosticsFormat,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Treat every warning as an error (after the `[lints]` levels of Ward.toml).
    #[arg(long)]
    pub deny_warnings: bool,
}

/// What a build found besides diagnostics: refusals of whole channels (the verifier's,
/// a lowered version), warnings about them, and the channels it built.
#[derive(Default)]
struct Outcome {
    refusals: Vec<Finding>,
    warnings: Vec<Finding>,
    channels: Vec<Json>,
    signers: Vec<String>,
    written: bool,
}

/// A refusal or warning about one channel, at its declaration.
struct Finding {
    loc: Loc,
    message: String,
}

pub fn run(args: &BuildArgs) -> ExitCode {
    let human = args.format == DiagnosticsFormat::Human;
    let checking = progress::spinner("checking", human);
    let loaded = load(&args.dir, args.deny_warnings).and_then(|l| l.whole_project("build"));
    checking.finish_and_clear();
    let Loaded {
        project,
        checked,
        diagnostics,
        ..
    } = match loaded {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut outcome = Outcome::default();
    let code = build(args, &project, &checked.program, &diagnostics, &mut outcome);
    if human {
        if let Err(code) =
            print_diagnostics(&project.sources, &diagnostics, args.format, args.color)
        {
            return code;
        }
    } else if let Err(code) = print_text(&machine(
        args.format,
        &project.sources,
        &diagnostics,
        &outcome,
    )) {
        return code;
    }
    // Prose: on stderr whatever the format, so machine output stays one document.
    for w in &outcome.warnings {
        eprintln!("warning: {}", w.message);
    }
    for f in &outcome.refusals {
        eprintln!("error: {}", f.message);
    }
    if !outcome.refusals.is_empty() {
        eprintln!("error: nothing was written");
    }
    if human && outcome.written {
        outln!(
            "built {} channel{} signed with key{} {}, verified for every targeted sensor:",
            outcome.channels.len(),
            if outcome.channels.len() == 1 { "" } else { "s" },
            if outcome.signers.len() == 1 { "" } else { "s" },
            outcome.signers.join(", ")
        );
        for c in &outcome.channels {
            outln!("{}", c["summary"].as_str().unwrap_or_default());
        }
    }
    code
}

/// The build itself: sign, verify, and write only when everything passed.
fn build(
    args: &BuildArgs,
    project: &Project,
    program: &Program,
    diagnostics: &[Diagnostic],
    outcome: &mut Outcome,
) -> ExitCode {
    let Some(config) = project
        .config
        .as_ref()
        .filter(|_| !diagnostics.iter().any(|d| d.is_error()))
    else {
        eprintln!("error: the content has errors; nothing was built");
        return ExitCode::from(CONTENT_ERRORS);
    };
    let key_paths: Vec<PathBuf> = match (&args.key[..], &config.build.key[..]) {
        ([], []) => {
            return fail(
                "no signing key: pass `--key FILE`, or set `key = \"...\"` (or a list of keys) under [build] in Ward.toml.\n\
                 Make a key pair with `ward keygen --out keys/release` (keep the .key file secret; \
                 sensors trust the .pub file).",
            )
        }
        ([], named) => named.iter().map(|k| project.root.join(k)).collect(),
        (given, _) => given.to_vec(),
    };
    let keys = match key_paths
        .iter()
        .map(|p| {
            read_secret(
                p,
                args.allow_insecure_key_perms || config.build.allow_insecure_key_perms,
            )
        })
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| project.root.join(&config.build.out));
    // Every signature must verify: the verifier is run with all the keys trusted and a
    // threshold of all of them, so a host that trusts any one of them accepts the file.
    let trust = match TrustStore::new(
        keys.iter().map(SigningKey::verifying_key).collect(),
        keys.len(),
    ) {
        Ok(t) => t,
        Err(e) => return fail(format!("the signing keys cannot be trusted together: {e}")),
    };
    outcome.signers = keys
        .iter()
        .map(|k| key_id(&k.verifying_key()).to_string())
        .collect();
    let key_refs: Vec<&SigningKey> = keys.iter().collect();
    let bar = progress::bar(
        program.channels.len(),
        "building",
        args.format == DiagnosticsFormat::Human,
    );
    // Channels build independently, so they build on every core; results are taken in
    // source order, so the output is the same as a single-threaded run.
    let outputs: Vec<Built> = (0..program.channels.len())
        .into_par_iter()
        .map(|i| {
            let built = build_channel(
                program,
                &project.sources,
                ChannelId(i),
                &key_refs,
                &trust,
                &out_dir,
            );
            bar.inc(1);
            built
        })
        .collect();
    bar.finish_and_clear();
    let mut files = Vec::new();
    for built in outputs {
        outcome.warnings.extend(built.warnings);
        outcome.refusals.extend(built.failures);
        outcome.channels.push(built.summary);
        files.push((built.dest, built.bytes, None));
    }
    if !outcome.refusals.is_empty() {
        return ExitCode::from(CONTENT_ERRORS);
    }
    if let Err(e) = std::fs::create_dir_all(&out_dir).and_then(|()| write_all(&files)) {
        return fail(format!("cannot write to {}: {e}", out_dir.display()));
    }
    outcome.written = true;
    ExitCode::from(CLEAN)
}

/// The whole result as one JSON or SARIF document. JSON: `{"diagnostics", "refusals",
/// "warnings", "channels", "signed_by", "written"}`. SARIF: refusals and warnings are
/// results at the channel's declaration (rule `build`), and the invocation says whether
/// the build succeeded.
fn machine(
    format: DiagnosticsFormat,
    sources: &Sources,
    diagnostics: &[Diagnostic],
    outcome: &Outcome,
) -> String {
    let place = |f: &Finding| {
        let src = sources.get(f.loc.file);
        let (line, column) = src.line_col(f.loc.span.start);
        json!({ "message": f.message, "file": src.name, "line": line, "column": column })
    };
    let doc = if format == DiagnosticsFormat::Sarif {
        let mut doc = render::sarif(sources, diagnostics);
        let result = |f: &Finding, level: &str| {
            let src = sources.get(f.loc.file);
            let (line, column) = render::utf16_line_col(src, f.loc.span.start);
            let uri = src.path.as_ref().map(|p| {
                p.to_string_lossy()
                    .replace('\\', "/")
                    .trim_start_matches("./")
                    .to_string()
            });
            json!({
                "ruleId": "build",
                "level": level,
                "message": { "text": f.message },
                "locations": uri.map(|uri| json!({
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": { "startLine": line, "startColumn": column },
                    }
                })).into_iter().collect::<Vec<_>>(),
            })
        };
        let extra: Vec<Json> = outcome
            .refusals
            .iter()
            .map(|f| result(f, "error"))
            .chain(outcome.warnings.iter().map(|f| result(f, "warning")))
            .collect();
        if let Some(results) = doc["runs"][0]["results"].as_array_mut() {
            results.extend(extra);
        }
        doc["runs"][0]["invocations"] = json!([{ "executionSuccessful": outcome.written }]);
        doc
    } else {
        json!({
            "diagnostics": render::json(sources, diagnostics),
            "refusals": outcome.refusals.iter().map(place).collect::<Vec<_>>(),
            "warnings": outcome.warnings.iter().map(place).collect::<Vec<_>>(),
            "channels": if outcome.written { outcome.channels.clone() } else { Vec::new() },
            "signed_by": outcome.signers,
            "written": outcome.written,
        })
    };
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}

/// One channel, signed and verified, with what went wrong.
struct Built {
    dest: PathBuf,
    bytes: Vec<u8>,
    summary: Json,
    failures: Vec<Finding>,
    warnings: Vec<Finding>,
}

fn build_channel(
    program: &Program,
    sources: &Sources,
    cid: ChannelId,
    keys: &[&SigningKey],
    trust: &TrustStore,
    out_dir: &Path,
) -> Built {
    let ch = program.channel(cid);
    let model = lower::channel(program, sources, cid);
    let dest = out_dir.join(format!("{}.chan", ch.name));
    let mut failures = Vec::new();
    let mut warnings = Vec::new();
    let at = |message: String| Finding {
        loc: ch.loc,
        message,
    };
    let bytes = match sign(&model, keys) {
        Ok(b) => b,
        Err(e) => {
            failures.push(at(format!("channel `{}` cannot be encoded: {e}", ch.name)));
            Vec::new()
        }
    };
    // The one verifier: what the sensor will run, against each sensor targeted.
    for target in ch.targets.iter().filter(|_| !bytes.is_empty()) {
        let profile = lower::sensor_profile(program, target.sensor);
        if let Err(e) = verify(&bytes, trust, &profile) {
            failures.push(at(format!(
                "channel `{}` is rejected by the runtime's verifier for sensor `{}`: {e}",
                ch.name, profile.name
            )));
        }
    }
    match against_previous(&dest, &model) {
        Some(Previous::Lower(problem)) => failures.push(at(problem)),
        Some(Previous::Unbumped(warning)) => warnings.push(at(warning)),
        None => {}
    }
    let targets: Vec<String> = model
        .targets
        .iter()
        .map(|t| format!("{} (1..={})", t.name, t.supplied))
        .collect();
    let summary = json!({
        "summary": format!(
            "  {}: channel {} version {}, {} instances, for {}",
            dest.display(),
            model.id,
            model.content_version,
            model.instances.len(),
            targets.join(", ")
        ),
        "file": dest.display().to_string(),
        "name": ch.name,
        "channel": model.id,
        "version": model.content_version,
        "instances": model.instances.len(),
        "targets": model.targets.iter().map(|t| json!({ "sensor": t.name, "supplied": t.supplied })).collect::<Vec<_>>(),
    });
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
