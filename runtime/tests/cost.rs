//! The cost of one event (issue 17, "High"): the adversarial channels a red team built
//! are now refused over the host's budget or evaluated in linear time. Every assertion is
//! on the instrumented work (`EvalBuffer::work`) and the verifier's bound, never on the
//! wall clock.

mod common;

use common::*;
use proptest::prelude::*;
use ward_runtime::*;

/// `n` instances that all share one index key (`pid == 4`, an exact value of a wide
/// type, the best anchor there is) and each carry `glob` on the pipe name.
fn shared_key_channel(n: u32, glob: &str) -> Channel {
    channel_with(
        (1..=n)
            .map(|id| {
                instance(
                    id,
                    vec![
                        crit(PID, Op::Eq, u(4)),
                        crit(PIPE, Op::Glob, pat(&format!("{glob}{id}"))),
                    ],
                )
            })
            .collect(),
    )
}

/// A glob whose middle piece almost matches at every position of a run of `x`: the
/// shape the old matcher paid input length times glob length for.
fn stalling_glob() -> String {
    format!("a*{}y*", "x".repeat(1000))
}

fn pipe_event(pipe: String) -> Vec<Value> {
    event_with(&[(PID, Value::Uint(4)), (PIPE, Value::Str(pipe))])
}

fn verify_default(channel: &Channel) -> Result<VerifiedChannel, VerifyError> {
    verify(&sign1(channel), &trust(), &host_for(channel, 12))
}

/// The work of evaluating `event`, checked against the reference evaluator and the bound.
fn work_of(v: &VerifiedChannel, event: &[Value]) -> u64 {
    let mut buffer = EvalBuffer::new();
    let got = v.evaluate_into(event, &mut buffer).unwrap().to_vec();
    assert_eq!(got, v.evaluate_reference(event).unwrap());
    let bound = v.cost_bound().at(longest_text_input(event));
    assert!(
        buffer.work() <= bound,
        "work {} over the bound {bound}",
        buffer.work()
    );
    buffer.work()
}

#[test]
fn a_64_kib_pipe_name_against_100_instances_sharing_a_key_runs_in_linear_time() {
    let glob = stalling_glob();
    let v = verify_default(&shared_key_channel(100, &glob)).unwrap();
    let long = format!("a{}", "x".repeat(64 * 1024));
    let half = format!("a{}", "x".repeat(32 * 1024));
    let (w_long, w_half) = (
        work_of(&v, &pipe_event(long)),
        work_of(&v, &pipe_event(half)),
    );
    // The old matcher: 100 instances times 64 Ki positions times ~1,000 compared bytes,
    // about 6.5e9. Linear: each instance examines the input once plus its glob.
    let linear = 100 * (64 * 1024 + glob.len() as u64 + 16) * 2;
    assert!(w_long <= linear, "{w_long} > {linear}");
    // Doubling the input at most doubles the work (plus what does not depend on it).
    assert!(
        w_long <= 2 * w_half + 100 * glob.len() as u64,
        "{w_long} vs {w_half}"
    );
    // Every instance was confirmed: the attack's fan-out was real.
    assert!(w_long >= 100 * 64 * 1024);
}

#[test]
fn a_host_budget_refuses_the_shared_key_naming_the_instances_that_share_it() {
    let channel = shared_key_channel(100, &stalling_glob());
    let limits = Limits {
        max_event_cost: 1_000_000,
        ..Limits::DEFAULT
    };
    let err =
        verify_with(&sign1(&channel), &trust(), &host_for(&channel, 12), &limits).unwrap_err();
    let VerifyError::CostOverBudget {
        instance,
        found,
        limit,
        input_bytes,
        ref reason,
        ..
    } = err
    else {
        panic!("expected CostOverBudget, got {err:?}");
    };
    assert_eq!(limit, 1_000_000);
    assert_eq!(instance, 1);
    assert_eq!(input_bytes, limits::MAX_INPUT_BYTES);
    assert!(found > limit);
    assert!(
        reason.contains("100 instances share one index key of field 3"),
        "{reason}"
    );
    assert!(
        reason.contains("instances 1, 2, 3, 4, 5 and 95 more"),
        "{reason}"
    );
    assert!(reason.contains("field 1"), "{reason}");
    assert_eq!(err.code(), 518);
    // The offset is the first instance's, which lies inside the file.
    assert!(err.offset() > 40 && err.offset() < sign1(&channel).len());
}

#[test]
fn regexes_behind_a_one_letter_key_are_refused_at_the_default_budget() {
    // A `?` makes a glob a compiled pattern; a hundred of them behind one key cost a
    // regex's worst case per byte each.
    let glob = format!("a*{}*", "x?".repeat(500));
    let err = verify_default(&shared_key_channel(100, &glob)).unwrap_err();
    assert!(
        matches!(err, VerifyError::CostOverBudget { ref reason, .. }
            if reason.contains("share one index key") && reason.contains("per input byte")),
        "{err}"
    );
}

#[test]
fn a_one_letter_literal_repeated_through_the_input_proposes_each_instance_once() {
    let channel = channel_with(
        (1..=100)
            .map(|id| {
                instance(
                    id,
                    vec![
                        crit(PIPE, Op::Contains, s("a")),
                        crit(PID, Op::Eq, u(u64::from(id))),
                    ],
                )
            })
            .collect(),
    );
    let v = verify_default(&channel).unwrap();
    let w = work_of(&v, &pipe_event("a".repeat(64 * 1024)));
    // Before, each of the 64 Ki occurrences proposed all 100 instances (6.5e6 proposals
    // and a sort of them); now the input is scanned a few times and each literal's
    // instances are proposed once.
    assert!(w <= 8 * 64 * 1024 + 100 * 64, "{w}");
}

#[test]
fn instances_without_an_anchor_are_charged_on_every_event() {
    let channel = channel_with(
        (1..=50)
            .map(|id| instance(id, vec![crit(PIPE, Op::NotGlob, pat(&format!("*{id}*")))]))
            .collect(),
    );
    let v = verify_default(&channel).unwrap();
    assert!(v.cost_bound().per_byte >= 50);
    let w = work_of(&v, &pipe_event("b".repeat(4096)));
    assert!(w >= 50 * 4096);
}

#[test]
fn every_fixture_channel_stays_within_its_bound() {
    let v = verify_default(&small_channel()).unwrap();
    for pipe in [
        "",
        r"\\.\pipe\msagent_12",
        r"\\.\PIPE\MOJO.x",
        &"é".repeat(3000),
    ] {
        work_of(&v, &pipe_event(pipe.to_string()));
    }
}

/// `n` instances that each test the client image's end, then a costly literal-less regex
/// on the pipe name, or the same two criteria the other way round (`regex_first`). Each
/// also carries a long pipe literal of its own, which the index prefers to the short end
/// of the image, so an input holding every literal proposes every instance.
fn gated_channel(n: u32, regex_first: bool) -> Channel {
    channel_with(
        (1..=n)
            .map(|id| {
                let gate = crit(IMAGE, Op::EndsWith, s(&format!("{id:03}")));
                let regex = crit(PIPE, Op::Matches, pat(r"\w{8}\s\w{8}"));
                let literal = crit(PIPE, Op::Contains, s(&format!("-pipe-literal-{id}-")));
                let criteria = if regex_first {
                    vec![regex, gate, literal]
                } else {
                    vec![gate, literal, regex]
                };
                instance(id, criteria)
            })
            .collect(),
    )
}

#[test]
fn criteria_past_an_exclusive_gate_are_charged_for_one_chain_of_instances() {
    // Tested first, the images' ends admit one instance past them per event (no needle
    // is a suffix of another: all are three digits), so the bound holds one regex, not a
    // hundred.
    let v = verify_default(&gated_channel(100, false)).unwrap();
    let alone = verify_default(&gated_channel(1, false)).unwrap();
    assert!(
        v.cost_bound().per_byte < 2 * alone.cost_bound().per_byte + 100 * 4,
        "{:?} vs one instance {:?}",
        v.cost_bound(),
        alone.cost_bound()
    );
    // The worst event for it: every literal in the pipe name, one image passing its gate.
    let literals: String = (1..=100).map(|id| format!("-pipe-literal-{id}-")).collect();
    let pipe = format!("{literals}{}", "word ".repeat(10_000));
    for image in ["C:\\tool007", "C:\\tool077", "x"] {
        let event = event_with(&[
            (PIPE, Value::Str(pipe.clone())),
            (IMAGE, Value::Str(image.into())),
        ]);
        work_of(&v, &event);
    }
    // The regex first: every instance tries it, and the hundred are over the budget.
    let err = verify_default(&gated_channel(100, true)).unwrap_err();
    assert_eq!(err.code(), 518, "{err}");
}

#[test]
fn needles_that_extend_one_another_pass_their_gates_together() {
    // "\\a.exe" ends with "a.exe" ends with ".exe": one image passes all three gates, so
    // the three regexes behind them are all charged.
    let channel = channel_with(
        ["\\a.exe", "a.exe", ".exe"]
            .iter()
            .zip(1..)
            .map(|(end, id)| {
                instance(
                    id,
                    vec![
                        crit(IMAGE, Op::EndsWith, s(end)),
                        crit(PIPE, Op::Matches, pat(&format!(r"\w{{8}}\s\w{{{id}}}"))),
                    ],
                )
            })
            .collect(),
    );
    let v = verify_default(&channel).unwrap();
    let event = event_with(&[
        (PIPE, Value::Str("wordword ".repeat(5_000))),
        (IMAGE, Value::Str("C:\\a.exe".into())),
    ]);
    let w = work_of(&v, &event);
    // Each of the three regexes ran over the whole pipe name.
    assert!(w >= 3 * 45_000, "{w}");
}

#[test]
fn an_input_passes_any_number_of_contains_tests() {
    // `contains` is no gate: one pipe name holds all twenty literals, and every regex
    // behind them runs over it.
    let channel = channel_with(
        (1..=20)
            .map(|id| {
                instance(
                    id,
                    vec![
                        crit(PIPE, Op::Contains, s(&format!("-literal-{id}-"))),
                        crit(PIPE, Op::Matches, pat(r"a\w{3}b")),
                    ],
                )
            })
            .collect(),
    );
    let v = verify_default(&channel).unwrap();
    let literals: String = (1..=20).map(|id| format!("-literal-{id}-")).collect();
    let event = event_with(&[(
        PIPE,
        Value::Str(format!("{literals}{}", "x".repeat(20_000))),
    )]);
    let w = work_of(&v, &event);
    assert!(w >= 20 * 20_000, "{w}");
}

/// What `ward import sigma` writes for a Sigma value list on one field: one
/// case-insensitive alternation of literals, some anchored at the end. `tail` is one more
/// branch.
fn alternation(id: u32, values: u32, tail: &str) -> String {
    let alts: Vec<String> = (0..values)
        .map(|v| format!(r"(?i:\\tool{id}_{v}\.exe)$|(?i:-opt{id}x{v})"))
        .collect();
    format!("(?:{}{tail})", alts.join("|"))
}

fn alternations_channel(n: u32, tail: &str) -> Channel {
    channel_with(
        (1..=n)
            .map(|id| {
                let regex = crit(PIPE, Op::Matches, pat(&alternation(id, 10, tail)));
                instance(id, vec![regex])
            })
            .collect(),
    )
}

#[test]
fn alternations_of_literals_are_charged_a_few_steps_a_byte() {
    // Charged as regexes (their NFAs' states per byte), 300 ten-value alternations are
    // far over the default budget at 64 KiB, as one branch that is not a literal makes
    // them again; matched as literal sets they cost a few steps a byte each.
    let err = verify_default(&alternations_channel(300, "|x+")).unwrap_err();
    assert_eq!(err.code(), 518, "{err}");
    let v = verify_default(&alternations_channel(300, "")).unwrap();
    assert!(v.cost_bound().per_byte <= 300 * 4, "{:?}", v.cost_bound());
    // The worst inputs for it: every literal, in every case, then a long run; and one
    // whose end matches one of the anchored literals.
    let literals: String = (1..=300)
        .flat_map(|id| (0..10).map(move |v| format!("-OPT{id}X{v} -opt{id}x{v}")))
        .collect();
    for pipe in [
        format!("{literals}{}", "x".repeat(20_000)),
        format!("{}C:\\TOOL7_3.EXE", "x".repeat(60_000)),
        "\u{212A}\u{17F}".repeat(10_000),
        String::new(),
    ] {
        let event = pipe_event(pipe);
        work_of(&v, &event);
    }
}

/// A short string over few letters, so needles often extend one another and inputs
/// often pass several gates. Under four bytes, so the index prefers a `contains`
/// literal ([`long_text`]) as the anchor, and what the gates save is not already saved by
/// the index's fan-out.
fn gate_text() -> impl Strategy<Value = String> {
    r"[ab\\.]{1,3}"
}

/// A literal the index files an instance under (four bytes or more).
fn long_text() -> impl Strategy<Value = String> {
    r"[ab\\.]{4,6}"
}

/// A criterion on the two text fields or the process id: gates of every kind, and tests
/// that are not gates, each sometimes costly.
fn gate_criterion() -> impl Strategy<Value = Criterion> {
    let field = prop_oneof![Just(PIPE), Just(IMAGE)];
    prop_oneof![
        (field.clone(), gate_text()).prop_map(|(f, t)| crit(f, Op::Eq, s(&t))),
        (field.clone(), prop::collection::vec(gate_text(), 1..4)).prop_map(|(f, ts)| crit(
            f,
            Op::In,
            Operand::List(ts.into_iter().map(Value::Str).collect())
        )),
        (field.clone(), gate_text()).prop_map(|(f, t)| crit(f, Op::StartsWith, s(&t))),
        (field.clone(), gate_text()).prop_map(|(f, t)| crit(f, Op::EndsWith, s(&t))),
        (field.clone(), gate_text()).prop_map(|(f, t)| crit(f, Op::NotEndsWith, s(&t))),
        (field.clone(), long_text()).prop_map(|(f, t)| crit(f, Op::Contains, s(&t))),
        field
            .clone()
            .prop_map(|f| crit(f, Op::Matches, pat(r"a\w{3}b"))),
        field
            .clone()
            .prop_map(|f| crit(f, Op::Matches, pat(r"\w{2}\s\w{2}"))),
        // A literal set (an alternation of literals, some anchored, some folded).
        (field, gate_text(), long_text()).prop_map(|(f, a, b)| {
            let (a, b) = (regex_escape(&a), regex_escape(&b));
            crit(f, Op::Matches, pat(&format!("(?:(?i:{a})$|^{b}|(?i:{b}))")))
        }),
        (0u64..3).prop_map(|n| crit(PID, Op::Eq, u(n))),
    ]
}

/// `text` with the regex syntax characters it can hold (`\\` and `.`) escaped.
fn regex_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('.', "\\.")
}

/// An input made of the needles' letters, sometimes long.
fn gate_input() -> impl Strategy<Value = String> {
    let piece = prop_oneof![gate_text(), long_text()];
    (prop::collection::vec(piece, 0..6), 0usize..200)
        .prop_map(|(parts, times)| parts.concat().repeat(times.max(1)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn work_stays_within_the_gated_bound(
        instances in prop::collection::vec(prop::collection::vec(gate_criterion(), 1..4), 1..24),
        events in prop::collection::vec((gate_input(), gate_input(), 0u64..3), 1..6),
    ) {
        let channel = channel_with(
            instances
                .into_iter()
                .zip(1..)
                .map(|(criteria, id)| instance(id, criteria))
                .collect(),
        );
        let v = verify_default(&channel).unwrap();
        for (pipe, image, pid) in events {
            let event = event_with(&[
                (PIPE, Value::Str(pipe)),
                (IMAGE, Value::Str(image)),
                (PID, Value::Uint(pid)),
            ]);
            work_of(&v, &event);
        }
    }
}
