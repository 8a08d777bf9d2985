//! Content cost budgets: `[budget]` in Ward.toml gives each channel a 99th-percentile
//! evaluation time per event, and `ward test` measures every channel on every sensor it
//! targets against the project's sample events, so a channel that became too expensive
//! fails CI like a failing test.

use std::path::Path;
use std::time::Duration;

use ward_compiler::config::BudgetSection;
use ward_compiler::events::{self, Shape};
use ward_compiler::hir::{Loc, Program};
use ward_compiler::sources::{Origin, Sources};
use ward_compiler::test_runner::{Built, Case, Outcome};
use ward_compiler::Span;

use crate::measure::measure;

/// Enough evaluations for a stable 99th percentile of a handful of sample events.
const MIN_TIME: Duration = Duration::from_millis(50);

/// A case per channel with a budget and sensor it targets, plus one per budget that names
/// no channel (a typo would otherwise silently budget nothing).
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
    for name in budget.channels.keys() {
        if program.channel_by_name(name).is_none() {
            if let Some(loc) = manifest {
                cases.push(Case {
                    name: format!("budget {name}"),
                    sensor: String::new(),
                    loc,
                    outcome: Outcome::Failed(format!(
                        "[budget.channels] names `{name}`, which is not a channel of this project"
                    )),
                });
            }
        }
    }
    let samples = match read_samples(budget, root) {
        Ok(s) => s,
        Err(why) => {
            if let Some(loc) =
                manifest.filter(|_| budget.eval_ns_p99.is_some() || !budget.channels.is_empty())
            {
                cases.push(Case {
                    name: "budget".into(),
                    sensor: String::new(),
                    loc,
                    outcome: Outcome::Failed(why),
                });
            }
            return cases;
        }
    };
    for (ch, b) in program.channels.iter().zip(built) {
        let Some(limit) = budget.eval_ns_p99(&ch.name) else {
            continue;
        };
        for (sensor, verified) in &b.verified {
            let Ok(verified) = verified else { continue };
            let inputs: Vec<_> = samples
                .iter()
                .filter_map(|e| {
                    events::from_json(Shape::of_verified(verified), e)
                        .ok()
                        .flatten()
                })
                .collect();
            let outcome = if inputs.is_empty() {
                Outcome::Failed(format!(
                    "no sample event of template `{}` in [budget] events, so the budget cannot be measured",
                    b.channel.template.name
                ))
            } else {
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
            };
            cases.push(Case {
                name: format!("budget {}", ch.name),
                sensor: program.sensor(*sensor).name.clone(),
                loc: ch.loc,
                outcome,
            });
        }
    }
    cases
}

/// Every event of the `[budget] events` files, as JSON.
fn read_samples(budget: &BudgetSection, root: &Path) -> Result<Vec<serde_json::Value>, String> {
    if budget.events.is_empty() {
        return Err("[budget] sets budgets but lists no `events` files to measure them on".into());
    }
    let mut out = Vec::new();
    for file in &budget.events {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let event = serde_json::from_str(line)
                .map_err(|e| format!("{}:{}: not JSON: {e}", path.display(), i + 1))?;
            out.push(event);
        }
    }
    Ok(out)
}
