//! `ward run FILE --events FILE.jsonl`: evaluates events against a verified channel as a
//! sensor would, printing one JSON line per detection.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use ward_compiler::events::{self, Shape};

use crate::commands::verify::HostArgs;
use crate::output::{fail, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The channel file.
    pub file: PathBuf,
    #[command(flatten)]
    pub host: HostArgs,
    /// Events, one JSON object a line: {"template": NAME, "fields": {NAME: VALUE}}. Events of
    /// other templates are skipped, as a sensor routes them to other channels.
    #[arg(long)]
    pub events: PathBuf,
}

pub fn run(args: &RunArgs) -> ExitCode {
    let verified = match args.host.verify(&args.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let events = match File::open(&args.events) {
        Ok(f) => BufReader::new(f),
        Err(e) => return fail(format!("cannot open {}: {e}", args.events.display())),
    };
    let mut out = std::io::stdout().lock();
    let mut malformed = 0usize;
    for (index, line) in events.lines().enumerate() {
        let number = index + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => return fail(format!("cannot read {}: {e}", args.events.display())),
        };
        if line.trim().is_empty() {
            continue;
        }
        let inputs = serde_json::from_str(&line)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|json| events::from_json(Shape::of_verified(&verified), &json));
        let matches = inputs.and_then(|inputs| match inputs {
            Some(inputs) => verified.evaluate(&inputs).map_err(|e| e.to_string()),
            None => Ok(Vec::new()),
        });
        let matches = match matches {
            Ok(m) => m,
            Err(why) => {
                // A bad line is reported and skipped; the run goes on.
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
    if malformed > 0 {
        eprintln!(
            "{malformed} malformed event line{} skipped",
            if malformed == 1 { "" } else { "s" }
        );
        return ExitCode::from(CONTENT_ERRORS);
    }
    ExitCode::from(CLEAN)
}
