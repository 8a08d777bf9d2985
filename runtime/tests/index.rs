//! The indexed evaluator on the cases most likely to trip an index: case variants that
//! only Unicode folding relates, positions of literals, bounds just inside and outside,
//! CIDR blocks of several lengths, and instances with no positive criterion. Each case
//! states the answer and checks both evaluators give it.

mod common;

use common::*;
use ward_runtime::*;

fn st(v: &str) -> Value {
    Value::Str(v.into())
}

/// The ids both evaluators match for `changes`, asserting they agree.
fn hits(v: &VerifiedChannel, changes: &[(u16, Value)]) -> Vec<u32> {
    let event = event_with(changes);
    let indexed = v.evaluate(&event).unwrap();
    assert_eq!(
        indexed,
        v.evaluate_reference(&event).unwrap(),
        "{changes:?}"
    );
    indexed.iter().map(|m| m.instance).collect()
}

fn verified(instances: Vec<Instance>) -> VerifiedChannel {
    verify(&sign1(&channel_with(instances)), &trust(), &host()).unwrap()
}

#[test]
fn unicode_case_variants_of_literals_are_found() {
    let v = verified(vec![
        instance(1, vec![crit(PIPE, Op::Glob, pat("*svc*"))]),
        instance(2, vec![crit(IMAGE, Op::Matches, pat("(?i)kiss"))]),
        instance(3, vec![crit(PIPE, Op::Contains, s("SVC"))]),
        instance(4, vec![crit(PIPE, Op::Eq, s("İx"))]),
    ]);
    // LONG S and KELVIN SIGN match `s` and `k` case-insensitively.
    assert_eq!(hits(&v, &[(PIPE, st("a\u{17F}VCb"))]), vec![1]);
    assert_eq!(hits(&v, &[(PIPE, st("aSvCb"))]), vec![1, 3]);
    assert_eq!(hits(&v, &[(IMAGE, st("\u{212A}I\u{17F}S"))]), vec![2]);
    assert_eq!(hits(&v, &[(IMAGE, st("kis"))]), Vec::<u32>::new());
    // U+0130 lowercases to `i` and a combining dot, on both sides.
    assert_eq!(hits(&v, &[(PIPE, st("İX"))]), vec![4]);
    assert_eq!(hits(&v, &[(PIPE, st("ix"))]), Vec::<u32>::new());
}

#[test]
fn literals_are_found_only_where_they_must_sit() {
    let v = verified(vec![
        instance(1, vec![crit(PIPE, Op::StartsWith, s(r"\\.\pipe\"))]),
        instance(2, vec![crit(PIPE, Op::EndsWith, s(".exe"))]),
        instance(3, vec![crit(PIPE, Op::Glob, pat(r"\\.\pipe\a*.exe"))]),
        instance(4, vec![crit(IMAGE, Op::Matches, pat("^ab$"))]),
    ]);
    assert_eq!(hits(&v, &[(PIPE, st(r"\\.\PIPE\A.EXE"))]), vec![1, 2, 3]);
    assert_eq!(
        hits(&v, &[(PIPE, st(r"x\\.\pipe\a.exe "))]),
        Vec::<u32>::new()
    );
    assert_eq!(hits(&v, &[(PIPE, st(""))]), Vec::<u32>::new());
    assert_eq!(hits(&v, &[(IMAGE, st("ab"))]), vec![4]);
    assert_eq!(hits(&v, &[(IMAGE, st("abab"))]), Vec::<u32>::new());
}

#[test]
fn long_prefixes_and_suffixes_that_share_their_keyed_bytes_are_told_apart() {
    // Literals are keyed by their first or last eight bytes; these share them, and the
    // cut of the last falls inside a two-byte character.
    let v = verified(vec![
        instance(1, vec![crit(PIPE, Op::EndsWith, s(r"\tool12345.exe"))]),
        instance(2, vec![crit(PIPE, Op::EndsWith, s(r"\tool2345.exe"))]),
        instance(3, vec![crit(IMAGE, Op::StartsWith, s("rundll32 1"))]),
        instance(4, vec![crit(IMAGE, Op::StartsWith, s("rundll32 12"))]),
        instance(5, vec![crit(IMAGE, Op::EndsWith, s("xé1234567"))]),
    ]);
    assert_eq!(hits(&v, &[(PIPE, st(r"C:\TOOL12345.EXE"))]), vec![1]);
    assert_eq!(hits(&v, &[(PIPE, st(r"C:\Tool2345.exe"))]), vec![2]);
    assert_eq!(
        hits(&v, &[(PIPE, st(r"C:\xtool2345.exe"))]),
        Vec::<u32>::new()
    );
    assert_eq!(hits(&v, &[(IMAGE, st("rundll32 12,x"))]), vec![3, 4]);
    assert_eq!(hits(&v, &[(IMAGE, st("rundll32 13"))]), vec![3]);
    assert_eq!(hits(&v, &[(IMAGE, st("axé1234567"))]), vec![5]);
    assert_eq!(hits(&v, &[(IMAGE, st("aé1234567"))]), Vec::<u32>::new());
}

#[test]
fn bounds_and_blocks_at_their_edges() {
    let v = verified(vec![
        instance(1, vec![crit(PORT, Op::Gt, u(1024))]),
        instance(2, vec![crit(PORT, Op::Le, u(80))]),
        instance(3, vec![crit(DELTA, Op::Lt, i(i64::MIN + 1))]),
        instance(4, vec![crit(BYTES, Op::Gt, u(u64::MAX))]),
        instance(5, vec![crit(ADDR, Op::Within, cidr("10.1.0.0", 16))]),
        instance(6, vec![crit(ADDR, Op::Within, cidr("10.1.2.0", 24))]),
        instance(7, vec![crit(ADDR, Op::Within, cidr("::", 0))]),
    ]);
    // The other inputs are zero: port 0 is at most 80, and 0.0.0.0 is in no block.
    assert_eq!(hits(&v, &[(PORT, Value::Uint(1024))]), Vec::<u32>::new());
    assert_eq!(hits(&v, &[(PORT, Value::Uint(1025))]), vec![1]);
    assert_eq!(hits(&v, &[(PORT, Value::Uint(80))]), vec![2]);
    assert_eq!(hits(&v, &[(PORT, Value::Uint(81))]), Vec::<u32>::new());
    assert_eq!(hits(&v, &[(DELTA, Value::Int(i64::MIN))]), vec![2, 3]);
    assert_eq!(hits(&v, &[(BYTES, Value::Uint(u64::MAX))]), vec![2]);
    let ip = |a: &str| Value::Ip(a.parse().unwrap());
    assert_eq!(hits(&v, &[(ADDR, ip("10.1.2.3"))]), vec![2, 5, 6]);
    assert_eq!(hits(&v, &[(ADDR, ip("10.1.3.3"))]), vec![2, 5]);
    assert_eq!(hits(&v, &[(ADDR, ip("10.2.2.3"))]), vec![2]);
    assert_eq!(hits(&v, &[(ADDR, ip("::1"))]), vec![2, 7]);
}

#[test]
fn instances_with_only_negative_criteria_are_always_tried() {
    let v = verified(vec![
        instance(1, vec![crit(PIPE, Op::NotContains, s("x"))]),
        instance(
            2,
            vec![crit(PID, Op::Ne, u(4)), crit(IMAGE, Op::NotGlob, pat("*"))],
        ),
        instance(3, vec![crit(IMAGE, Op::Matches, pat(".*"))]),
    ]);
    assert_eq!(hits(&v, &[]), vec![1, 3]);
    assert_eq!(hits(&v, &[(PIPE, st("X"))]), vec![3]);
}

#[test]
fn mistyped_inputs_are_the_same_error_whatever_is_tried_first() {
    // The first instance fails on PID before the second reads IMAGE: both evaluators
    // still report the mistyped IMAGE input.
    let v = verified(vec![
        instance(
            1,
            vec![crit(PID, Op::Eq, u(4)), crit(IMAGE, Op::Eq, s("a"))],
        ),
        instance(2, vec![crit(IMAGE, Op::Eq, s("a"))]),
    ]);
    let event = event_with(&[(IMAGE, Value::Bool(true))]);
    let expected = Err(EvalError::InputType {
        field: IMAGE,
        expected: "string".into(),
    });
    assert_eq!(v.evaluate(&event), expected);
    assert_eq!(v.evaluate_reference(&event), expected);
}
