//! Content cost budgets: `[budget]` in Ward.toml gives each channel a 99th-percentile
//! evaluation time per event and a ceiling on the memory it holds once verified, and
//! `ward test` checks every channel on every sensor it targets (time against the
//! project's sample events), so a channel that became too expensive fails CI like a
//! failing test.

use std::path::Path;
use std::time::Duration;

use ward_compiler::config::BudgetSection;
use ward_compiler::events::{self, Shape};
use ward_compiler::hir::{Loc, Program};
use ward_compiler::sources::{Origin, Sources};
use ward_compiler::test_runner::{Built, Case, Outcome};
use ward_compiler::Span;
use ward_runtime::VerifiedChannel;
use ward_sigma::winlog::Record;

use crate::measure::measure;

/// Enough evaluations for a stable 99th percentile of a handful of sample events.
const MIN_TIME: Duration = Duration::from_millis(50);

/// A case per budget, channel and sensor it targets, plus one per budget that names no
/// channel (a typo would otherwise silently budget nothing) and one if time budgets
/// cannot be measured for want of sample events.
pub fn cases(
    budget: &BudgetSection,
    root: &Path,
    program: &Program,
    sources: &Sources,
    built: &[Built],
) -> Vec<Case> {
    let manifest = sources
        .iter()
        .find(|s| s.origin == Origin::Manifest)
        .map(|s| Loc::new(s.id, Span::new(0, 0)));
    let mut cases = Vec::new();
    let mut manifest_case = |name: &str, why: String| {
        if let Some(loc) = manifest {
            cases.push(Case {
                name: name.into(),
                sensor: String::new(),
                loc,
                outcome: Outcome::Failed(why),
            });
        }
    };
    for name in budget.channels.keys() {
        if program.channel_by_name(name).is_none() {
            manifest_case(
                &format!("budget {name}"),
                format!("[budget.channels] names `{name}`, which is not a channel of this project"),
            );
        }
    }
    let timed = program
        .channels
        .iter()
        .any(|ch| budget.of(&ch.name).eval_ns_p99.is_some());
    // `None` when no channel has a time budget, or when the sample events could not be
    // read (one failure for the project, not one per channel).
    let samples = match timed.then(|| read_samples(budget, root)) {
        Some(Ok(samples)) => Some(samples),
        Some(Err(why)) => {
            manifest_case("budget eval_ns_p99", why);
            None
        }
        None => None,
    };
    for (ch, b) in program.channels.iter().zip(built) {
        let limits = budget.of(&ch.name);
        for (sensor, verified) in &b.verified {
            let Ok(verified) = verified else { continue };
            let case = |what: &str, outcome| Case {
                name: format!("budget {what} {}", ch.name),
                sensor: program.sensor(*sensor).name.clone(),
                loc: ch.loc,
                outcome,
            };
            if let Some(limit) = limits.memory_bytes {
                cases.push(case("memory_bytes", memory(verified, limit)));
            }
            if let (Some(limit), Some(samples)) = (limits.eval_ns_p99, &samples) {
                let outcome = time(verified, samples, limit, &b.channel.template.name);
                cases.push(case("eval_ns_p99", outcome));
            }
        }
    }
    cases
}

fn memory(verified: &VerifiedChannel, limit: u64) -> Outcome {
    let held = verified.memory_bytes();
    if u64::try_from(held).unwrap_or(u64::MAX) <= limit {
        return Outcome::Passed;
    }
    let per_instance = held / verified.instances().len().max(1);
    Outcome::Failed(format!(
        "holds {held} bytes once verified ({per_instance} bytes per instance), above the budget of {limit} bytes"
    ))
}

fn time(
    verified: &VerifiedChannel,
    samples: &[serde_json::Value],
    limit: u64,
    template: &str,
) -> Outcome {
    let inputs: Vec<_> = samples
        .iter()
        .filter_map(|e| {
            events::from_json(Shape::of_verified(verified), e)
                .ok()
                .flatten()
        })
        .collect();
    if inputs.is_empty() {
        return Outcome::Failed(format!(
            "no sample event of template `{template}` in [budget] events, so the budget cannot be measured"
        ));
    }
    let m = measure(verified, &inputs, MIN_TIME);
    if m.p99_ns <= limit {
        Outcome::Passed
    } else {
        Outcome::Failed(format!(
            "99th percentile {} ns per event over {} sample events, above the budget of {limit} ns",
            m.p99_ns,
            inputs.len()
        ))
    }
}

/// Every event of the `[budget] events` files, as JSON.
fn read_samples(budget: &BudgetSection, root: &Path) -> Result<Vec<serde_json::Value>, String> {
    if budget.events.is_empty() {
        return Err("[budget] sets budgets but lists no `events` files to measure them on".into());
    }
    let reader = ward_sigma::winlog::Reader::bundled()?;
    let mut out = Vec::new();
    for file in &budget.events {
        let path = root.join(file);
        let bytes = crate::bounded::read(&path, crate::bounded::EVENTS_FILE, "the events file")?;
        // JSON Lines, .evtx or a JSON dump: the reader `ward run` uses.
        for (number, record) in reader.read(bytes) {
            match record {
                Record::Event(event) => out.push(event),
                Record::Unmapped { .. } => {}
                Record::Bad(why) => return Err(format!("{}:{number}: {why}", path.display())),
            }
        }
    }
    Ok(out)
}
