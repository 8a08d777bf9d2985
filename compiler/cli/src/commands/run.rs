//! `ward run FILE --events FILE`: evaluates events (JSON Lines, .evtx or its JSON dump)
//! against a verified channel as a sensor would, printing one JSON line per detection.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use ward_compiler::events::{self, Shape};
use ward_sigma::winlog::{Reader, Record};

use crate::commands::verify::HostArgs;
use crate::output::{fail, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The channel file.
    pub file: PathBuf,
    #[command(flatten)]
    pub host: HostArgs,
    /// Events: JSON Lines of {"template": NAME, "fields": {NAME: VALUE}}, a Windows event
    /// log (.evtx), or its JSON dump ({"Event": {"System": .., "EventData": ..}}), mapped by
    /// provider and event id. Events of other templates are skipped, as a sensor routes
    /// them to other channels; Windows events of no template are counted.
    #[arg(long)]
    pub events: PathBuf,
}

pub fn run(args: &RunArgs) -> ExitCode {
    let verified = match args.host.verify(&args.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let bytes = match std::fs::read(&args.events) {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read {}: {e}", args.events.display())),
    };
    let reader = match Reader::bundled() {
        Ok(r) => r,
        Err(e) => return fail(format!("internal error: {e}")),
    };
    let mut out = std::io::stdout().lock();
    let mut malformed = 0usize;
    let mut unmapped: BTreeMap<(String, u32), usize> = BTreeMap::new();
    for (number, record) in reader.read(bytes) {
        let inputs = match record {
            Record::Event(json) => events::from_json(Shape::of_verified(&verified), &json),
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
