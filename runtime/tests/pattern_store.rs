//! Verification that reuses compiled patterns (`verify_reusing`) gives the verdict a
//! fresh one (`verify_with`) gives: the same refusal, or a channel with the same cost
//! bound, instances and matches, whatever the store already holds.

mod common;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use common::*;
use ward_runtime::*;

/// A store that keeps everything and counts what it is asked for.
#[derive(Default)]
struct Kept {
    patterns: RefCell<HashMap<PatternKey, CompiledPattern>>,
    recalled: Cell<usize>,
}

impl PatternStore for Kept {
    fn recall(&self, key: &PatternKey) -> Option<CompiledPattern> {
        let known = self.patterns.borrow().get(key).cloned();
        self.recalled
            .set(self.recalled.get() + known.is_some() as usize);
        known
    }

    fn remember(&self, key: PatternKey, pattern: &CompiledPattern) {
        self.patterns.borrow_mut().insert(key, pattern.clone());
    }
}

fn one(id: u32, criteria: Vec<Criterion>) -> Channel {
    channel_with(vec![instance(id, criteria)])
}

/// What a verdict is, compared: the refusal, or what the channel says and does.
#[derive(Debug, PartialEq)]
enum Verdict {
    Refused(VerifyError),
    Accepted {
        cost: CostBound,
        instances: Vec<(u32, String, usize)>,
        matches: Vec<Vec<u32>>,
    },
}

fn verdict(result: Result<VerifiedChannel, VerifyError>, events: &[Vec<Value>]) -> Verdict {
    match result {
        Err(e) => Verdict::Refused(e),
        Ok(v) => Verdict::Accepted {
            cost: v.cost_bound(),
            instances: v
                .instances()
                .map(|i| (i.id(), i.name().to_string(), i.criteria()))
                .collect(),
            matches: events
                .iter()
                .map(|e| v.evaluate(e).unwrap().iter().map(|m| m.instance).collect())
                .collect(),
        },
    }
}

#[test]
fn reused_patterns_give_the_fresh_verdict() {
    let text = |field, text: &str| (field, Value::Str(text.into()));
    let events = [
        event(),
        event_with(&[text(PIPE, "abc"), text(IMAGE, "abc")]),
        event_with(&[text(PIPE, "ABC"), text(IMAGE, "ABC")]),
        event_with(&[text(PIPE, "axb"), text(IMAGE, "axbbb")]),
        event_with(&[text(PIPE, r"\\.\pipe\msagent_1f"), text(IMAGE, "x")]),
    ];
    // One source as a regex and as a glob, on a field that folds case and one that does
    // not: each is its own compiled pattern, and taking one for another would change
    // what matches.
    let same_source = |op, field| one(5, vec![crit(field, op, pat("a?b*"))]);
    let upper = |field| one(6, vec![crit(field, Op::Matches, pat("^ABC$"))]);
    let mut tight = Limits::DEFAULT;
    // Room for one pattern of the smallest size tier, not two.
    tight.max_total_regex_size = 20 * 1024;
    let two = one(
        7,
        vec![
            crit(PIPE, Op::Matches, pat("^a+$")),
            crit(IMAGE, Op::Matches, pat("^b+$")),
        ],
    );
    let channels = [
        (small_channel(), Limits::DEFAULT),
        (same_source(Op::Matches, IMAGE), Limits::DEFAULT),
        (same_source(Op::Glob, IMAGE), Limits::DEFAULT),
        (same_source(Op::Matches, PIPE), Limits::DEFAULT),
        (same_source(Op::Glob, PIPE), Limits::DEFAULT),
        (upper(IMAGE), Limits::DEFAULT),
        (upper(PIPE), Limits::DEFAULT),
        (
            one(8, vec![crit(IMAGE, Op::Matches, pat("(unclosed"))]),
            Limits::DEFAULT,
        ),
        (
            one(9, vec![crit(IMAGE, Op::Glob, pat("[abc"))]),
            Limits::DEFAULT,
        ),
        (
            one(10, vec![crit(IMAGE, Op::Matches, pat(r"\w{21}"))]),
            Limits::DEFAULT,
        ),
        (two.clone(), Limits::DEFAULT),
        (two, tight),
    ];
    let store = Kept::default();
    let mut accepted = 0;
    // Twice over: first the store fills as it goes, then it holds every pattern.
    for round in 0..2 {
        for (channel, limits) in &channels {
            let bytes = sign1(channel);
            let host = host();
            let fresh = verdict(verify_with(&bytes, &trust(), &host, limits), &events);
            let reused = verdict(
                verify_reusing(&bytes, &trust(), &host, limits, &store),
                &events,
            );
            assert_eq!(
                reused, fresh,
                "round {round}, channel {}",
                channel.instances[0].id
            );
            accepted += matches!(fresh, Verdict::Accepted { .. }) as usize;
        }
    }
    assert_eq!(accepted, 2 * 8, "the accepted channels");
    // Every distinct compiled pattern: small_channel's regex and complex globs, the four
    // `a?b*`, the two `^ABC$`, `^a+$` and `^b+$`; the refused ones are not kept.
    let kept = store.patterns.borrow().len();
    assert_eq!(kept, 9, "{:?}", store.patterns.borrow().keys());
    assert!(
        store.recalled.get() >= kept,
        "the second round recalls every pattern"
    );
}
