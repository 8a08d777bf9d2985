//! `ward run FILE --events FILE`: evaluates events (JSON Lines, .evtx or its JSON dump)
//! against a verified channel as a sensor would, printing one JSON line per detection.
//! `--events -` reads standard input.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use ward_compiler::events::{self, Shape};
use ward_compiler::suggest;
use ward_sigma::winlog::{Reader, Record};

use crate::commands::verify::HostArgs;
use crate::host;
use crate::output::{fail, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The channel file.
    pub file: PathBuf,
    #[command(flatten)]
    pub host: HostArgs,
    /// Events: JSON Lines of {"template": NAME, "fields": {NAME: VALUE}}, a Windows event
    /// log (.evtx), or its JSON dump ({"Event": {"System": .., "EventData": ..}}), mapped by
    /// provider and event id; `-` reads standard input. Events of the project's other
    /// templates are skipped, as a sensor routes them to other channels; a template name
    /// the project does not declare is warned about once; Windows events of no template
    /// are counted.
    #[arg(long)]
    pub events: PathBuf,
}

pub fn run(args: &RunArgs) -> ExitCode {
    let (verified, templates) = match args.host.verify_for(&args.file) {
        Ok(v) => (v.channel, v.templates),
        Err(code) => return code,
    };
    let bytes = match host::read_events(&args.events) {
        Ok(bytes) => bytes,
        Err(e) => return fail(e),
    };
    let reader = match Reader::bundled() {
        Ok(r) => r,
        Err(e) => return fail(format!("internal error: {e}")),
    };
    let mut out = std::io::stdout().lock();
    let mut malformed = 0usize;
    let mut unknown: Vec<String> = Vec::new();
    let mut unmapped: BTreeMap<(String, u32), usize> = BTreeMap::new();
    for (number, record) in reader.read(bytes) {
        let inputs = match record {
            Record::Event(json) => {
                let inputs = events::from_json(Shape::of_verified(&verified), &json);
                if let Ok(None) = inputs {
                    warn_unknown_template(&json, &templates, &mut unknown, &args.events, number);
                }
                inputs
            }
            Record::Unmapped { provider, event_id } => {
                *unmapped.entry((provider, event_id)).or_default() += 1;
                continue;
            }
            Record::Bad(why) => Err(why),
        };
        let matches = inputs.and_then(|inputs| match inputs {
            Some(inputs) => verified.evaluate(&inputs).map_err(|e| e.to_string()),
            None => Ok(Vec::new()),
        });
        let matches = match matches {
            Ok(m) => m,
            Err(why) => {
                // A bad event is reported and skipped; the run goes on.
                eprintln!("{}:{number}: {why}", args.events.display());
                malformed += 1;
                continue;
            }
        };
        for m in matches {
            let instance = verified.instance(m.instance);
            let tags: Vec<&str> = instance.iter().flat_map(|i| i.tags()).collect();
            let line = json!({
                "event": number,
                "channel": verified.id(),
                "instance": m.instance,
                "name": instance.map_or("", |i| i.name()),
                "severity": m.severity.as_str(),
                "action": m.action.as_str(),
                "tags": tags,
            });
            if writeln!(out, "{line}").is_err() {
                return ExitCode::from(CLEAN);
            }
        }
    }
    for ((provider, id), n) in &unmapped {
        eprintln!(
            "{n} event{} of {provider} {id} map to no template (not an error)",
            if *n == 1 { "" } else { "s" }
        );
    }
    if malformed > 0 {
        eprintln!(
            "{malformed} malformed event line{} skipped",
            if malformed == 1 { "" } else { "s" }
        );
        return ExitCode::from(CONTENT_ERRORS);
    }
    ExitCode::from(CLEAN)
}

/// An event skipped for its template is only right when the project has that template; a
/// misspelt name would otherwise skip every such event in silence. Said once per name.
fn warn_unknown_template(
    json: &serde_json::Value,
    templates: &[String],
    warned: &mut Vec<String>,
    events: &std::path::Path,
    number: usize,
) {
    let Some(name) = json.get("template").and_then(|t| t.as_str()) else {
        return;
    };
    if templates.iter().any(|t| t == name) || warned.iter().any(|w| w == name) {
        return;
    }
    let hint = suggest::closest(name, templates.iter().map(String::as_str))
        .map(|t| format!(" (did you mean `{t}`?)"))
        .unwrap_or_default();
    eprintln!(
        "{}:{number}: warning: the project declares no template `{name}`{hint}; its events are skipped",
        events.display()
    );
    warned.push(name.to_string());
}
