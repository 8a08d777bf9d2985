//! The import's summary: rules imported in full, in part (with what was dropped) and
//! refused, by reason, with each refusal's rule path and line.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use crate::import::{Outcome, RuleReport};
use crate::Reason;

/// Counts of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub imported: usize,
    pub partial: usize,
    pub refused: usize,
    pub instances: usize,
    /// Refused rules by the reason of their first refusal.
    pub refused_by: BTreeMap<Reason, usize>,
    /// Partly imported rules by the reason of each kind of drop (a rule counts once per
    /// reason).
    pub dropped_by: BTreeMap<Reason, usize>,
}

pub fn counts(rules: &[RuleReport]) -> Counts {
    let mut c = Counts::default();
    for r in rules {
        match &r.outcome {
            Outcome::Imported { instances } => {
                c.imported += 1;
                c.instances += instances;
            }
            Outcome::Partial { instances, dropped } => {
                c.partial += 1;
                c.instances += instances;
                let mut reasons: Vec<Reason> = dropped.iter().map(|d| d.0).collect();
                reasons.sort();
                reasons.dedup();
                for reason in reasons {
                    *c.dropped_by.entry(reason).or_default() += 1;
                }
            }
            Outcome::Refused(why) => {
                c.refused += 1;
                if let Some((reason, _, _)) = why.first() {
                    *c.refused_by.entry(*reason).or_default() += 1;
                }
            }
        }
    }
    c
}

/// The summary for people: one line per rule not imported in full, then the counts.
pub fn human(rules: &[RuleReport]) -> String {
    let mut out = String::new();
    for r in rules {
        match &r.outcome {
            Outcome::Imported { .. } => {}
            Outcome::Partial { dropped, instances } => {
                for (reason, why, line) in dropped {
                    out.push_str(&format!(
                        "partial: {}:{line}: dropped a branch ({}): {why}; {instances} instance{} kept\n",
                        r.path,
                        reason.key(),
                        if *instances == 1 { "" } else { "s" }
                    ));
                }
            }
            Outcome::Refused(why) => {
                for (reason, why, line) in why {
                    out.push_str(&format!(
                        "refused: {}:{line}: {} ({}): {why}\n",
                        r.path,
                        reason.describe(),
                        reason.key()
                    ));
                }
            }
        }
    }
    let c = counts(rules);
    out.push_str(&format!(
        "\n{} rules: {} imported in full, {} in part, {} refused; {} instances written\n",
        rules.len(),
        c.imported,
        c.partial,
        c.refused,
        c.instances
    ));
    for (title, map) in [
        ("refused", &c.refused_by),
        ("partial, dropped", &c.dropped_by),
    ] {
        for reason in Reason::ALL {
            if let Some(n) = map.get(&reason) {
                out.push_str(&format!("  {title}: {n:>5}  {}\n", reason.describe()));
            }
        }
    }
    out
}

/// The summary for machines.
pub fn json(rules: &[RuleReport]) -> Json {
    let c = counts(rules);
    let by = |map: &BTreeMap<Reason, usize>| -> Json {
        map.iter()
            .map(|(r, n)| (r.key().to_string(), json!(n)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let refusal = |(reason, why, line): &(Reason, String, usize)| json!({"reason": reason.key(), "message": why, "line": line});
    json!({
        "imported": c.imported,
        "partial": c.partial,
        "refused": c.refused,
        "instances": c.instances,
        "refused_by": by(&c.refused_by),
        "dropped_by": by(&c.dropped_by),
        "rules": rules.iter().map(|r| {
            let (outcome, details) = match &r.outcome {
                Outcome::Imported { .. } => ("imported", Vec::new()),
                Outcome::Partial { dropped, .. } => ("partial", dropped.iter().map(refusal).collect()),
                Outcome::Refused(why) => ("refused", why.iter().map(refusal).collect()),
            };
            json!({
                "path": r.path,
                "title": r.title,
                "id": r.id,
                "outcome": outcome,
                "instances": r.instances,
                "reasons": details,
            })
        }).collect::<Vec<_>>(),
    })
}
