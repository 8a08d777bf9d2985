//! The confirmation half of the cost bound (cost.rs), tightened by the order evaluation
//! tries criteria in: an instance's criteria are tried in order and the first that fails
//! ends it (`holds`), and some criteria can hold for only a few instances of a channel
//! on one event. Those are the *gates*: `==` and `in` (the input, as compared, is one
//! value), `starts_with` and `ends_with` (the needles one input starts with are prefixes
//! of one another: a chain). Each instance is charged its criteria up to and including
//! its first gate on every event; the criteria after the gate only for the instances
//! whose gates one input can pass together: per field, the heaviest value, the heaviest
//! chain of prefixes and the heaviest chain of suffixes. Content that tests a cheap,
//! exclusive field first (`image ends_with ...`, then a costly test of the command line)
//! is charged the costly test of one chain of instances, not of every instance.
//!
//! Negated tests, `contains`, globs, patterns, address blocks and integer bounds are not
//! gates: one input can pass any number of them.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

use crate::compiled::{Compiled, CompiledCriterion, Pool, Test, TextOp, ValueRef};
use crate::cost::CostBound;

/// What a gate requires of its input, as compared (lowercased where the criterion folds).
enum Gate<'a> {
    /// One of these values (one for `==`, the list for `in`).
    Values(Vec<ValueRef<'a>>),
    Starts(&'a [u8]),
    Ends(&'a [u8]),
}

fn gate<'a>(c: &CompiledCriterion, pool: &'a Pool) -> Option<Gate<'a>> {
    match c.test {
        Test::Equal {
            value,
            negate: false,
        } => Some(Gate::Values(vec![pool.value(value)?])),
        Test::OneOf {
            values,
            negate: false,
        } => {
            let mut list: Vec<ValueRef<'a>> = pool
                .list(values)
                .iter()
                .filter_map(|v| pool.value(*v))
                .collect();
            // One instance passes its gate once, whatever its list repeats.
            list.sort_unstable();
            list.dedup();
            Some(Gate::Values(list))
        }
        Test::Text {
            op,
            needle,
            negate: false,
        } => {
            let needle = pool.text(needle).as_bytes();
            match op {
                TextOp::StartsWith => Some(Gate::Starts(needle)),
                TextOp::EndsWith => Some(Gate::Ends(needle)),
                TextOp::Contains => None,
            }
        }
        _ => None,
    }
}

/// The gates of one field compared one way: what their instances cost past them.
#[derive(Default)]
struct Field<'a> {
    values: BTreeMap<ValueRef<'a>, CostBound>,
    starts: Vec<(&'a [u8], CostBound)>,
    ends: Vec<(&'a [u8], CostBound)>,
}

impl Field<'_> {
    /// The most one input can cost past these gates: it equals one value, starts with
    /// one chain of prefixes and ends with one chain of suffixes.
    fn bound(self) -> CostBound {
        let value = self
            .values
            .into_values()
            .fold(CostBound::default(), CostBound::max);
        let starts = heaviest_chain(self.starts, |a, b| a.cmp(b), <[u8]>::starts_with);
        let ends = heaviest_chain(
            self.ends,
            |a, b| a.iter().rev().cmp(b.iter().rev()),
            <[u8]>::ends_with,
        );
        value.plus(starts).plus(ends)
    }
}

/// The heaviest chain of `needles` under `extends` (one text starts with, or ends with,
/// every needle of a chain: each extends the one before), by the weights summed along
/// it, each component at its own maximum. Sorted by `order` (plain or reversed
/// lexicographic order), every needle of the set that a needle extends precedes it with
/// only its own extensions in between, so a stack holds the chain ending at each needle:
/// linear in the needles' bytes after the sort.
fn heaviest_chain(
    mut needles: Vec<(&[u8], CostBound)>,
    order: fn(&[u8], &[u8]) -> Ordering,
    extends: fn(&[u8], &[u8]) -> bool,
) -> CostBound {
    needles.sort_unstable_by(|a, b| order(a.0, b.0));
    let mut chain: Vec<(&[u8], CostBound)> = Vec::new();
    let mut heaviest = CostBound::default();
    for (needle, weight) in needles {
        while chain.last().is_some_and(|(top, _)| !extends(needle, top)) {
            chain.pop();
        }
        let below = chain.last().map_or(CostBound::default(), |(_, w)| *w);
        let sum = below.plus(weight);
        heaviest = heaviest.max(sum);
        chain.push((needle, sum));
    }
    heaviest
}

/// The most confirming every instance of the channel once can cost on one event: each
/// instance's criteria up to its first gate (all of them if it has none), plus, per field
/// and comparison, the criteria after the gates one input can pass together.
/// `cost` is the bound of one criterion.
pub(crate) fn confirmation(
    compiled: &Compiled,
    cost: impl Fn(&CompiledCriterion) -> CostBound,
) -> CostBound {
    let pool = &compiled.pool;
    let sum = |criteria: &[CompiledCriterion]| {
        criteria
            .iter()
            .map(&cost)
            .fold(CostBound::default(), CostBound::plus)
    };
    let mut before = CostBound::default();
    let mut fields: BTreeMap<(u16, bool), Field<'_>> = BTreeMap::new();
    for inst in &compiled.instances {
        let criteria = compiled.criteria(inst);
        let gated = criteria
            .iter()
            .enumerate()
            .find_map(|(at, c)| gate(c, pool).map(|g| (at, c, g)));
        let Some((at, c, gate)) = gated else {
            before = before.plus(sum(criteria));
            continue;
        };
        let (head, tail) = criteria.split_at(at.saturating_add(1));
        before = before.plus(sum(head));
        let tail = sum(tail);
        let field = fields.entry((c.field, c.fold)).or_default();
        match gate {
            Gate::Values(values) => {
                for v in values {
                    let w = field.values.entry(v).or_default();
                    *w = w.plus(tail);
                }
            }
            Gate::Starts(needle) => field.starts.push((needle, tail)),
            Gate::Ends(needle) => field.ends.push((needle, tail)),
        }
    }
    fields
        .into_values()
        .map(Field::bound)
        .fold(before, CostBound::plus)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(needles: &[(&str, u64)], ends: bool) -> u64 {
        let items = needles
            .iter()
            .map(|(n, w)| (n.as_bytes(), CostBound::new(*w, *w)))
            .collect();
        let b = if ends {
            heaviest_chain(
                items,
                |a, b| a.iter().rev().cmp(b.iter().rev()),
                <[u8]>::ends_with,
            )
        } else {
            heaviest_chain(items, |a, b| a.cmp(b), <[u8]>::starts_with)
        };
        assert_eq!(b.fixed, b.per_byte);
        b.fixed
    }

    #[test]
    fn a_chain_sums_the_needles_one_text_can_start_with() {
        // "ab" + "abc" + "abcd" (+ the duplicate "abc"), not "abx" nor "b".
        let needles = [
            ("abcd", 1),
            ("ab", 10),
            ("abx", 100),
            ("abc", 1000),
            ("b", 5),
            ("abc", 3),
        ];
        assert_eq!(chain(&needles, false), 1014);
        assert_eq!(chain(&[("abx", 100), ("b", 500)], false), 500);
        assert_eq!(chain(&[], false), 0);
    }

    #[test]
    fn a_chain_of_suffixes_reads_the_needles_backwards() {
        let needles = [
            (".exe", 1),
            ("\\a.exe", 10),
            ("\\b.exe", 100),
            ("a.exe", 1000),
        ];
        // ".exe" + "a.exe" + "\\a.exe".
        assert_eq!(chain(&needles, true), 1011);
    }
}
