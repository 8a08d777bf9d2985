//! The worst-case cost of evaluating one event, computed by the verifier, and the
//! counter evaluation charges as it works.
//!
//! Cost is counted in steps: one byte examined, one hash table probe, one candidate
//! proposed, one criterion tried. A [`CostBound`] is a linear function of the longest
//! text input of the event, since every matcher is linear in the input (pattern.rs):
//! `fixed + per_byte * longest`. The bound adds up, as the interpreter does the work:
//!
//! - reading the inputs, and for each field the index holds, its probes: one hash of the
//!   text, one probe per literal length that must start or end it, one search of its
//!   literal automaton, which reports at most one occurrence per byte and literal length;
//! - the fan-out: every instance the index proposes. One input meets at most one exact
//!   key, one key per start and end length and CIDR prefix of its field, every literal of
//!   its field and every integer bound, so the fan-out is that many times the largest run
//!   of instances one key sends to confirmation, plus those runs, plus the instances with
//!   no anchor; then the sorting of what was proposed;
//! - confirmation: every criterion of every proposed instance, each at its own bound
//!   (`criterion_cost`), but never more than every instance of the channel once.
//!
//! The interpreter charges a [`Work`] counter at the same points with the real lengths
//! (the regex engines, which are not instrumented, are charged their bound), so for every
//! verified channel and event, `EvalBuffer::work` is at most [`CostBound::at`] the
//! event's longest text input: fuzz/fuzz_targets/cost_bound.rs holds the two together.
//! The verifier refuses a channel whose bound at the host's `max_input_bytes` exceeds its
//! `max_event_cost` (docs/security.md has the defaults and why).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::compiled::{Compiled, CompiledCriterion, Test, TextOp, ValueRef};
use crate::error::VerifyError;
use crate::gates;
use crate::index::{sort_cost, FieldIndex, Index};
use crate::interp::bisect_probes;
use crate::limits::Limits;
use crate::model::{FieldType, Value};
use crate::verify::{Matcher, Patterns};

/// The work one evaluation did, in steps (see the module documentation).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Work(u64);

impl Work {
    pub(crate) fn charge(&mut self, steps: usize) {
        self.charge_u64(steps as u64);
    }

    pub(crate) fn charge_u64(&mut self, steps: u64) {
        self.0 = self.0.saturating_add(steps);
    }

    pub(crate) fn get(self) -> u64 {
        self.0
    }
}

/// The most work one event can take on a channel: `fixed` steps, plus `per_byte` steps
/// for each byte of the event's longest text input.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CostBound {
    pub fixed: u64,
    pub per_byte: u64,
}

impl CostBound {
    pub(crate) const fn new(fixed: u64, per_byte: u64) -> CostBound {
        CostBound { fixed, per_byte }
    }

    /// The bound for an event whose longest text input is `longest` bytes.
    pub fn at(self, longest: usize) -> u64 {
        self.per_byte
            .saturating_mul(longest as u64)
            .saturating_add(self.fixed)
    }

    pub(crate) fn plus(self, other: CostBound) -> CostBound {
        CostBound::new(
            self.fixed.saturating_add(other.fixed),
            self.per_byte.saturating_add(other.per_byte),
        )
    }

    fn times(self, n: u64) -> CostBound {
        CostBound::new(
            self.fixed.saturating_mul(n),
            self.per_byte.saturating_mul(n),
        )
    }

    /// Both components of both bounds of one sum: a bound of it.
    fn min(self, other: CostBound) -> CostBound {
        CostBound::new(
            self.fixed.min(other.fixed),
            self.per_byte.min(other.per_byte),
        )
    }

    pub(crate) fn max(self, other: CostBound) -> CostBound {
        CostBound::new(
            self.fixed.max(other.fixed),
            self.per_byte.max(other.per_byte),
        )
    }
}

/// The length of the longest text input of an event, in bytes: what a [`CostBound`] is
/// a function of.
pub fn longest_text_input<S: AsRef<str>>(inputs: &[Value<S>]) -> usize {
    inputs
        .iter()
        .filter_map(|v| match v {
            Value::Str(s) => Some(s.as_ref().len()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// How many bytes lowercasing may make of one byte of a `path` input: the comparisons of
/// `path` fields run on the lowercased text (a test checks every character).
pub const LOWERCASE_GROWTH: u64 = 2;

/// Steps per input byte of a compiled pattern whose NFA has `states` states: the slowest
/// engine the meta regex may fall back to (the PikeVM) visits each state at most once
/// per byte. The faster engines it prefers (lazy DFA, one-pass, literal search) do less.
pub fn regex_cost_per_byte(states: usize) -> u64 {
    states.max(1) as u64
}

/// The bound of one criterion, as `VerifiedChannel::criterion` charges it.
fn criterion_cost(c: &CompiledCriterion, compiled: &Compiled, patterns: &Patterns) -> CostBound {
    let pool = &compiled.pool;
    let growth = if c.fold { LOWERCASE_GROWTH } else { 1 };
    let (fixed, per_byte) = match c.test {
        Test::Equal { value, .. } => match pool.value(value) {
            Some(ValueRef::Str(s)) => (s.len() as u64, 0),
            _ => (0, 0),
        },
        Test::OneOf { values, .. } => {
            let probes = bisect_probes(values.len()) as u64;
            match c.ty {
                FieldType::String | FieldType::Path => (0, probes.saturating_mul(growth)),
                _ => (probes, 0),
            }
        }
        Test::Text { op, needle, .. } => {
            let m = pool.text(needle).len() as u64;
            match op {
                TextOp::Contains => (m, growth),
                TextOp::StartsWith | TextOp::EndsWith => (m, 0),
            }
        }
        Test::Glob { glob, .. } => (pool.text(glob).len() as u64, 1),
        Test::Pattern { pattern, .. } => match patterns.matchers.get(pattern as usize) {
            Some(Matcher::Literals(set)) => {
                let set = set.cost();
                (set.fixed, set.per_byte)
            }
            Some(Matcher::Regex { states, .. }) => (0, regex_cost_per_byte(*states)),
            None => (0, regex_cost_per_byte(0)),
        },
        Test::Order { .. } | Test::Within { .. } => (0, 0),
    };
    CostBound::new(fixed.saturating_add(1), per_byte)
}

/// One part of the bound that can dominate it, for the refusal to name.
struct Part {
    cost: CostBound,
    /// The instances it proposes: what the candidates' sort is charged for.
    proposals: u64,
    /// Instance positions, in the order the refusal names them.
    instances: Vec<u32>,
    what: String,
}

/// The bound of a channel and its parts.
struct Costing<'a> {
    compiled: &'a Compiled,
    patterns: &'a Patterns,
    /// Per instance position, the bound of confirming it.
    instance: Vec<CostBound>,
    index: &'a Index,
}

impl Costing<'_> {
    fn sum(&self, positions: &[u32]) -> CostBound {
        positions
            .iter()
            .filter_map(|p| self.instance.get(*p as usize))
            .fold(CostBound::default(), |a, b| a.plus(*b))
    }

    fn run(&self, span: (u32, u32)) -> &[u32] {
        self.index
            .postings
            .get(span.0 as usize..span.1 as usize)
            .unwrap_or_default()
    }

    /// The parts of field `f`: its keys, its literals, its integer bounds. Each cost is
    /// the fan-out (`fixed`, one step per proposal) plus confirmation.
    fn field_parts(&self, f: &FieldIndex, out: &mut Vec<Part>) {
        // One input meets at most this many keys of the field's table.
        let hits = 1usize
            .saturating_add(f.blocks.len())
            .saturating_add(f.starts.len())
            .saturating_add(f.ends.len()) as u64;
        let widest = f
            .keys
            .values()
            .max_by_key(|span| span.1.saturating_sub(span.0))
            .map(|span| self.run(*span));
        if let Some(widest) = widest {
            let confirm = f
                .keys
                .values()
                .map(|span| self.sum(self.run(*span)))
                .fold(CostBound::default(), CostBound::max);
            let fan_out = CostBound::new(widest.len() as u64, 0);
            out.push(Part {
                cost: confirm.plus(fan_out).times(hits),
                proposals: fan_out.fixed.saturating_mul(hits),
                instances: widest.to_vec(),
                what: format!(
                    "{} instances share one index key of field {} (the event meets up to {hits} keys there)",
                    widest.len(),
                    f.field
                ),
            });
        }
        if let Some(l) = &f.literals {
            let instances: Vec<u32> = l
                .patterns
                .iter()
                .flat_map(|span| self.run(*span).iter().copied())
                .collect();
            let fan_out = CostBound::new(instances.len() as u64, 0);
            out.push(Part {
                cost: self.sum(&instances).plus(fan_out),
                proposals: fan_out.fixed,
                what: format!(
                    "{} instances are filed under {} literals of field {}, which one input can all contain",
                    instances.len(),
                    l.patterns.len(),
                    f.field
                ),
                instances,
            });
        }
        let bounded: Vec<u32> = f.at_least.iter().chain(&f.at_most).map(|b| b.1).collect();
        if !bounded.is_empty() {
            let fan_out = CostBound::new(bounded.len() as u64, 0);
            out.push(Part {
                cost: self.sum(&bounded).plus(fan_out),
                proposals: fan_out.fixed,
                what: format!(
                    "{} instances are filed under integer bounds of field {}, which one input can all meet",
                    bounded.len(),
                    f.field
                ),
                instances: bounded,
            });
        }
    }
}

/// The index's own work on one event for field `f`, as `Index::candidates` charges it.
fn probe_cost(f: &FieldIndex) -> CostBound {
    let growth = if f.path { LOWERCASE_GROWTH } else { 1 };
    let mut cost = CostBound::new(1u64.saturating_add(f.blocks.len() as u64), growth);
    let affixes: usize = f.starts.iter().chain(&f.ends).sum();
    cost = cost.plus(CostBound::new(affixes as u64, growth));
    if let Some(l) = &f.literals {
        let words = l.patterns.len().div_ceil(64) as u64;
        let occurrences = growth.saturating_mul(l.lengths as u64);
        cost = cost.plus(CostBound::new(words, occurrences));
    }
    cost
}

/// The bound of a verified channel's parts (compiled form, patterns, index and the fields
/// it reads), checked against the host's budget. Past it, the refusal names the part
/// that costs most, at the byte offset of its first instance (`instance_offsets` by
/// position).
pub(crate) fn check(
    compiled: &Compiled,
    patterns: &Patterns,
    index: &Index,
    reads: &[(u16, FieldType)],
    limits: &Limits,
    instance_offsets: &[usize],
) -> Result<CostBound, VerifyError> {
    let instance: Vec<CostBound> = compiled
        .instances
        .iter()
        .map(|inst| {
            compiled
                .criteria(inst)
                .iter()
                .map(|c| criterion_cost(c, compiled, patterns))
                .fold(CostBound::default(), CostBound::plus)
        })
        .collect();
    let costing = Costing {
        compiled,
        patterns,
        instance,
        index,
    };
    // Reading the inputs; lowercasing and mapping each `path` input once.
    let paths = reads.iter().filter(|r| r.1 == FieldType::Path).count() as u64;
    let mut base = CostBound::new(reads.len() as u64, paths.saturating_mul(2));
    for f in &index.fields {
        base = base.plus(probe_cost(f));
    }
    let mut parts = Vec::new();
    if !index.always.is_empty() {
        let fan_out = CostBound::new(index.always.len() as u64, 0);
        parts.push(Part {
            cost: costing.sum(&index.always).plus(fan_out),
            proposals: fan_out.fixed,
            instances: index.always.clone(),
            what: format!(
                "{} instances have no criterion the index can file them under, so every event confirms them",
                index.always.len()
            ),
        });
    }
    for f in &index.fields {
        costing.field_parts(f, &mut parts);
    }
    let proposed = parts
        .iter()
        .fold(CostBound::default(), |a, p| a.plus(p.cost));
    // Confirmation never tries an instance twice: at most the whole channel once, past
    // the gates one input can pass (gates.rs), plus the fan-out.
    let fan_out: u64 = parts
        .iter()
        .map(|p| p.proposals)
        .fold(0, u64::saturating_add);
    let every = gates::confirmation(compiled, |c| criterion_cost(c, compiled, patterns))
        .plus(CostBound::new(fan_out, 0));
    let sort = sort_cost(usize::try_from(fan_out).unwrap_or(usize::MAX)) as u64;
    let bound = base.plus(proposed.min(every)).plus(CostBound::new(sort, 0));
    let found = bound.at(limits.max_input_bytes);
    if found <= limits.max_event_cost {
        return Ok(bound);
    }
    let worst = parts
        .iter()
        .max_by_key(|p| p.cost.at(limits.max_input_bytes));
    Err(over_budget(
        &costing,
        worst,
        found,
        limits,
        instance_offsets,
    ))
}

/// The refusal of a channel over budget, naming its costliest part and, within it, the
/// costliest criterion.
fn over_budget(
    costing: &Costing<'_>,
    worst: Option<&Part>,
    found: u64,
    limits: &Limits,
    instance_offsets: &[usize],
) -> VerifyError {
    let compiled = costing.compiled;
    let (what, positions) = match worst {
        Some(p) => (p.what.clone(), p.instances.as_slice()),
        None => (String::from("the index's probes of the inputs"), &[][..]),
    };
    const NAMED: usize = 5;
    let ids: Vec<String> = positions
        .iter()
        .take(NAMED)
        .filter_map(|p| compiled.instances.get(*p as usize))
        .map(|inst| format!("{}", inst.id))
        .collect();
    let mut reason = what;
    if !ids.is_empty() {
        let more = positions.len().saturating_sub(NAMED);
        let etc = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        reason.push_str(&format!(" (instances {}{etc})", ids.join(", ")));
    }
    let costliest = positions
        .iter()
        .filter_map(|p| compiled.instances.get(*p as usize))
        .flat_map(|inst| compiled.criteria(inst).iter().map(move |c| (inst.id, c)))
        .map(|(id, c)| (id, c, criterion_cost(c, compiled, costing.patterns)))
        .max_by_key(|(_, _, cost)| cost.at(limits.max_input_bytes));
    if let Some((id, c, cost)) = costliest {
        reason.push_str(&format!(
            "; its costliest criterion, on field {} of instance {id}, costs {} steps plus {} per input byte",
            c.field, cost.fixed, cost.per_byte
        ));
    }
    let offset = positions
        .first()
        .and_then(|p| instance_offsets.get(*p as usize))
        .copied()
        .unwrap_or_default();
    let instance = positions
        .first()
        .and_then(|p| compiled.instances.get(*p as usize))
        .map_or(0, |inst| inst.id);
    VerifyError::CostOverBudget {
        offset,
        instance,
        found,
        limit: limits.max_event_cost,
        input_bytes: limits.max_input_bytes,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercasing_grows_no_character_past_the_growth_factor() {
        for c in (0..=0x10_FFFF_u32).filter_map(char::from_u32) {
            let lower: usize = c.to_lowercase().map(char::len_utf8).sum();
            assert!(
                lower as u64 <= LOWERCASE_GROWTH * c.len_utf8() as u64,
                "{c:?} lowercases to {lower} bytes"
            );
        }
    }

    #[test]
    fn a_bound_grows_with_the_input() {
        let b = CostBound::new(10, 3);
        assert_eq!(b.at(0), 10);
        assert_eq!(b.at(100), 310);
        assert_eq!(CostBound::new(u64::MAX, 1).at(5), u64::MAX);
    }
}
