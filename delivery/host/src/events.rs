//! The events the host's sensor sees, and what a channel does with them. Events are
//! JSON Lines as `ward run` reads them, decoded for each channel by the compiler's
//! event reader (`ward_compiler::events`), and evaluated by the runtime.
//!
//! The model of harm: a match whose action is `prevent` on an event of a critical
//! process (one whose string fields name a critical executable, such as csrss.exe) is
//! the content making the sensor kill what the machine cannot live without. The host
//! reports it as [`Harm`]; the loop aborts on it, as the machine would go down.

use std::io::Read as _;
use std::path::Path;

use serde_json::Value as Json;
use ward_compiler::events::{from_json, Shape};
use ward_runtime::{Action, VerifiedChannel};

/// The largest events file read (the same bound as `ward run`'s default).
pub const MAX_EVENTS_BYTES: u64 = 256 * 1024 * 1024;

/// Reads `path` as JSON Lines, every line an event object (blank lines skipped). A line
/// that is not JSON is an error naming the file and line.
pub fn read(path: &Path) -> Result<Vec<Json>, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot open the events {}: {e}", path.display()))?;
    let mut text = String::new();
    file.take(MAX_EVENTS_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the events {}: {e}", path.display()))?;
    if u64::try_from(text.len()).unwrap_or(u64::MAX) > MAX_EVENTS_BYTES {
        return Err(format!(
            "the events {} are larger than {MAX_EVENTS_BYTES} bytes",
            path.display()
        ));
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line)
                .map_err(|e| format!("{}:{}: not a JSON event: {e}", path.display(), i + 1))
        })
        .collect()
}

/// A prevention on a critical process: what the host dies of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Harm {
    /// The 1-based line of the event.
    pub event: usize,
    pub instance: u32,
    /// The critical executable's file name, as the event gave it.
    pub process: String,
}

/// What running one channel on the events did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ran {
    pub detections: usize,
    pub preventions: usize,
    /// Events of the channel's template the runtime could not evaluate.
    pub malformed: usize,
    /// The first prevention on a critical process, if any.
    pub harm: Option<Harm>,
}

/// Runs `channel` on every event of its template. `critical` holds lower-cased file
/// names.
pub fn run(channel: &VerifiedChannel, events: &[Json], critical: &[String]) -> Ran {
    let mut ran = Ran::default();
    let shape = Shape::of_verified(channel);
    for (i, event) in events.iter().enumerate() {
        let matches = match from_json(shape, event) {
            Ok(Some(inputs)) => channel.evaluate(&inputs).map_err(|e| e.to_string()),
            Ok(None) => continue,
            Err(why) => Err(why),
        };
        let Ok(matches) = matches else {
            ran.malformed += 1;
            continue;
        };
        for m in matches {
            ran.detections += 1;
            if m.action != Action::Prevent {
                continue;
            }
            ran.preventions += 1;
            if ran.harm.is_none() {
                ran.harm = critical_process(event, critical).map(|process| Harm {
                    event: i + 1,
                    instance: m.instance,
                    process,
                });
            }
        }
    }
    ran
}

/// The first string field of `event` whose file name (after the last `\` or `/`) is a
/// critical process, ignoring case.
pub fn critical_process(event: &Json, critical: &[String]) -> Option<String> {
    let fields = event.get("fields")?.as_object()?;
    fields.values().filter_map(Json::as_str).find_map(|value| {
        let name = value.rsplit(['\\', '/']).next().unwrap_or(value);
        critical
            .iter()
            .any(|c| c.eq_ignore_ascii_case(name))
            .then(|| name.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_critical_process_is_found_by_file_name_in_any_string_field() {
        let critical = vec!["csrss.exe".to_string()];
        let event = |image: &str| {
            serde_json::json!({"template": "ProcessStart",
                "fields": {"pid": 4, "image": image}})
        };
        assert_eq!(
            critical_process(&event(r"C:\Windows\System32\CSRSS.EXE"), &critical),
            Some("CSRSS.EXE".to_string())
        );
        assert_eq!(
            critical_process(&event("/usr/bin/csrss.exe"), &critical).as_deref(),
            Some("csrss.exe")
        );
        assert_eq!(
            critical_process(&event(r"C:\Tools\csrss.exe.bak"), &critical),
            None
        );
        assert_eq!(
            critical_process(&serde_json::json!({"template": "X"}), &critical),
            None
        );
    }

    #[test]
    fn a_line_that_is_not_json_is_named_by_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, "{\"template\": \"A\"}\n\n{oops\n").unwrap();
        let error = read(&path).unwrap_err();
        assert!(
            error.contains("events.jsonl:3: not a JSON event"),
            "{error}"
        );
        std::fs::write(&path, "{\"template\": \"A\"}\n\n").unwrap();
        assert_eq!(read(&path).unwrap().len(), 1);
    }
}
