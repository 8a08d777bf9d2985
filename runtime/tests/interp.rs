//! Interpreter semantics, operator by operator, on channels verified for the test host.

mod common;

use common::*;
use std::net::IpAddr;
use ward_runtime::*;

/// Verifies a one-instance channel with `criteria` and says whether `changes` matches.
struct One(VerifiedChannel);

impl One {
    fn new(criteria: Vec<Criterion>) -> One {
        let channel = channel_with(vec![instance(1, criteria)]);
        One(verify(&sign1(&channel), &trust(), &host()).unwrap())
    }
    fn on(&self, changes: &[(u16, Value)]) -> bool {
        !self.0.evaluate(&event_with(changes)).unwrap().is_empty()
    }
}

fn one(field: u16, op: Op, operand: Operand) -> One {
    One::new(vec![crit(field, op, operand)])
}

fn st(v: &str) -> Value {
    Value::Str(v.into())
}

fn ip(v: &str) -> Value {
    Value::Ip(v.parse::<IpAddr>().unwrap())
}

#[test]
fn equality_on_every_type() {
    let c = one(PID, Op::Eq, u(4));
    assert!(c.on(&[(PID, Value::Uint(4))]));
    assert!(!c.on(&[(PID, Value::Uint(5))]));
    let c = one(PID, Op::Ne, u(4));
    assert!(!c.on(&[(PID, Value::Uint(4))]));
    assert!(c.on(&[(PID, Value::Uint(5))]));
    let c = one(REMOTE, Op::Eq, Operand::Scalar(Value::Bool(true)));
    assert!(c.on(&[(REMOTE, Value::Bool(true))]));
    assert!(!c.on(&[]));
    let c = one(HASH, Op::Eq, Operand::Scalar(Value::Sha256([1; 32])));
    assert!(c.on(&[(HASH, Value::Sha256([1; 32]))]));
    assert!(!c.on(&[]));
    let c = one(ADDR, Op::Eq, Operand::Scalar(ip("::1")));
    assert!(c.on(&[(ADDR, ip("::1"))]));
    assert!(!c.on(&[(ADDR, ip("127.0.0.1"))]));
    let c = one(INTEGRITY, Op::Eq, Operand::Scalar(Value::Enum(3)));
    assert!(c.on(&[(INTEGRITY, Value::Enum(3))]));
    assert!(!c.on(&[(INTEGRITY, Value::Enum(2))]));
    let c = one(INTEGRITY, Op::Ne, Operand::Scalar(Value::Enum(3)));
    assert!(c.on(&[(INTEGRITY, Value::Enum(2))]));
}

#[test]
fn ordering_on_unsigned_and_signed_integers() {
    let c = one(PORT, Op::Lt, u(1024));
    assert!(c.on(&[(PORT, Value::Uint(1023))]));
    assert!(!c.on(&[(PORT, Value::Uint(1024))]));
    let c = one(PORT, Op::Le, u(1024));
    assert!(c.on(&[(PORT, Value::Uint(1024))]));
    assert!(!c.on(&[(PORT, Value::Uint(1025))]));
    let c = one(PORT, Op::Gt, u(1024));
    assert!(c.on(&[(PORT, Value::Uint(1025))]));
    assert!(!c.on(&[(PORT, Value::Uint(1024))]));
    let c = one(PORT, Op::Ge, u(1024));
    assert!(c.on(&[(PORT, Value::Uint(1024))]));
    assert!(!c.on(&[(PORT, Value::Uint(1023))]));
    // Signed: negative values order below zero.
    let c = one(DELTA, Op::Lt, i(0));
    assert!(c.on(&[(DELTA, Value::Int(-1))]));
    assert!(c.on(&[(DELTA, Value::Int(i64::MIN))]));
    assert!(!c.on(&[(DELTA, Value::Int(0))]));
    let c = one(OFFSET, Op::Ge, i(-5));
    assert!(c.on(&[(OFFSET, Value::Int(-5))]));
    assert!(!c.on(&[(OFFSET, Value::Int(-6))]));
    let c = one(BYTES, Op::Gt, u(u64::MAX - 1));
    assert!(c.on(&[(BYTES, Value::Uint(u64::MAX))]));
}

#[test]
fn membership() {
    let c = one(
        PID,
        Op::In,
        Operand::List(vec![Value::Uint(1), Value::Uint(4)]),
    );
    assert!(c.on(&[(PID, Value::Uint(4))]));
    assert!(!c.on(&[(PID, Value::Uint(2))]));
    let c = one(
        PID,
        Op::NotIn,
        Operand::List(vec![Value::Uint(1), Value::Uint(4)]),
    );
    assert!(!c.on(&[(PID, Value::Uint(4))]));
    assert!(c.on(&[(PID, Value::Uint(2))]));
    let c = one(
        INTEGRITY,
        Op::In,
        Operand::List(vec![Value::Enum(0), Value::Enum(1)]),
    );
    assert!(c.on(&[(INTEGRITY, Value::Enum(1))]));
    assert!(!c.on(&[(INTEGRITY, Value::Enum(4))]));
    let c = one(IMAGE, Op::In, Operand::List(vec![st("a.exe"), st("b.exe")]));
    assert!(c.on(&[(IMAGE, st("a.exe"))]));
    assert!(
        !c.on(&[(IMAGE, st("A.EXE"))]),
        "string fields are case-sensitive"
    );
    let c = one(PIPE, Op::In, Operand::List(vec![st(r"\\.\pipe\Foo")]));
    assert!(
        c.on(&[(PIPE, st(r"\\.\PIPE\foo"))]),
        "path fields ignore case"
    );
    let c = one(ADDR, Op::In, Operand::List(vec![ip("10.0.0.1"), ip("::1")]));
    assert!(c.on(&[(ADDR, ip("::1"))]));
    let c = one(HASH, Op::NotIn, Operand::List(vec![Value::Sha256([1; 32])]));
    assert!(c.on(&[]));
    assert!(!c.on(&[(HASH, Value::Sha256([1; 32]))]));
    let c = one(DELTA, Op::In, Operand::List(vec![Value::Int(-3)]));
    assert!(c.on(&[(DELTA, Value::Int(-3))]));
}

#[test]
fn text_operators_on_strings_are_case_sensitive() {
    let c = one(IMAGE, Op::Eq, s("cmd.exe"));
    assert!(c.on(&[(IMAGE, st("cmd.exe"))]));
    assert!(!c.on(&[(IMAGE, st("CMD.EXE"))]));
    let c = one(IMAGE, Op::Contains, s("temp"));
    assert!(c.on(&[(IMAGE, st(r"C:\temp\x.exe"))]));
    assert!(!c.on(&[(IMAGE, st(r"C:\TEMP\x.exe"))]));
    let c = one(IMAGE, Op::NotContains, s("temp"));
    assert!(c.on(&[(IMAGE, st(r"C:\TEMP\x.exe"))]));
    let c = one(IMAGE, Op::StartsWith, s("C:"));
    assert!(c.on(&[(IMAGE, st(r"C:\x"))]));
    assert!(!c.on(&[(IMAGE, st(r"c:\x"))]));
    let c = one(IMAGE, Op::NotStartsWith, s("C:"));
    assert!(c.on(&[(IMAGE, st(r"D:\x"))]));
    let c = one(IMAGE, Op::EndsWith, s(".exe"));
    assert!(c.on(&[(IMAGE, st("a.exe"))]));
    assert!(!c.on(&[(IMAGE, st("a.EXE"))]));
    let c = one(IMAGE, Op::NotEndsWith, s(".exe"));
    assert!(c.on(&[(IMAGE, st("a.dll"))]));
    let c = one(IMAGE, Op::Glob, pat("*.exe"));
    assert!(!c.on(&[(IMAGE, st("A.EXE"))]));
    let c = one(IMAGE, Op::Matches, pat("exe$"));
    assert!(!c.on(&[(IMAGE, st("A.EXE"))]));
}

#[test]
fn the_sigmas_of_a_path_are_one_letter_for_every_operator() {
    // `str::to_lowercase` would make the first "οδος" and the others "οδοσ"; paths
    // compare both small sigmas as σ, as `(?i)` regexes already did.
    for (op, operand) in [
        (Op::Eq, s("ΟΔΟΣ")),
        (Op::In, Operand::List(vec![st("ΟΔΟΣ")])),
        (Op::EndsWith, s("δοσ")),
        (Op::Matches, pat("οδοσ$")),
    ] {
        let c = one(PIPE, op, operand);
        for input in ["ΟΔΟΣ", "οδος", "οδοσ", "ΟΔΟς"] {
            assert!(c.on(&[(PIPE, st(input))]), "{op:?} on {input}");
        }
        assert!(!c.on(&[(PIPE, st("οδοι"))]), "{op:?}");
    }
}

#[test]
fn text_operators_on_paths_ignore_case() {
    let c = one(PIPE, Op::Eq, s(r"\\.\pipe\Mojo"));
    assert!(c.on(&[(PIPE, st(r"\\.\PIPE\mojo"))]));
    let c = one(PIPE, Op::Ne, s(r"\\.\pipe\Mojo"));
    assert!(!c.on(&[(PIPE, st(r"\\.\PIPE\mojo"))]));
    let c = one(PIPE, Op::Contains, s("PIPE"));
    assert!(c.on(&[(PIPE, st(r"\\.\pipe\x"))]));
    let c = one(PIPE, Op::StartsWith, s(r"\\.\PIPE"));
    assert!(c.on(&[(PIPE, st(r"\\.\pipe\x"))]));
    let c = one(PIPE, Op::EndsWith, s("ÉTÉ"));
    assert!(
        c.on(&[(PIPE, st("pipe\\été"))]),
        "Unicode lowercase, not just ASCII"
    );
    let c = one(PIPE, Op::Glob, pat(r"\\.\pipe\MOJO.*"));
    assert!(c.on(&[(PIPE, st(r"\\.\Pipe\mojo.1234.5"))]));
    let c = one(PIPE, Op::NotGlob, pat(r"\\.\pipe\MOJO.*"));
    assert!(!c.on(&[(PIPE, st(r"\\.\Pipe\mojo.1234.5"))]));
    let c = one(PIPE, Op::Matches, pat(r"pipe\\postex_[0-9a-f]{4}$"));
    assert!(c.on(&[(PIPE, st(r"\\.\PIPE\POSTEX_AB12"))]));
    let c = one(PIPE, Op::NotMatches, pat(r"^\\\\\.\\pipe\\"));
    assert!(c.on(&[(PIPE, st(r"C:\x"))]));
    assert!(!c.on(&[(PIPE, st(r"\\.\PIPE\x"))]));
}

#[test]
fn globs_are_anchored_and_regexes_are_searches() {
    let c = one(IMAGE, Op::Glob, pat("cmd"));
    assert!(c.on(&[(IMAGE, st("cmd"))]));
    assert!(!c.on(&[(IMAGE, st("xcmdx"))]));
    let c = one(IMAGE, Op::Matches, pat("cmd"));
    assert!(c.on(&[(IMAGE, st("xcmdx"))]));
    let c = one(IMAGE, Op::Matches, pat("^cmd$"));
    assert!(!c.on(&[(IMAGE, st("xcmdx"))]));
}

#[test]
fn glob_literals_and_classes() {
    let c = one(IMAGE, Op::Glob, pat("a[*]b"));
    assert!(c.on(&[(IMAGE, st("a*b"))]));
    assert!(!c.on(&[(IMAGE, st("axb"))]));
    let c = one(IMAGE, Op::Glob, pat("a[?]b"));
    assert!(c.on(&[(IMAGE, st("a?b"))]));
    assert!(!c.on(&[(IMAGE, st("axb"))]));
    let c = one(IMAGE, Op::Glob, pat("[[]x"));
    assert!(c.on(&[(IMAGE, st("[x"))]));
    let c = one(IMAGE, Op::Glob, pat("file[0-9].[!t]*"));
    assert!(c.on(&[(IMAGE, st("file7.exe"))]));
    assert!(!c.on(&[(IMAGE, st("file7.txt"))]));
    assert!(!c.on(&[(IMAGE, st("fileA.exe"))]));
    let c = one(IMAGE, Op::Glob, pat(r"C:\Windows\?ystem32\*"));
    assert!(c.on(&[(IMAGE, st(r"C:\Windows\System32\drivers\x.sys"))]));
}

#[test]
fn cidr_blocks() {
    let c = one(ADDR, Op::Within, cidr("10.1.0.0", 16));
    assert!(c.on(&[(ADDR, ip("10.1.255.3"))]));
    assert!(!c.on(&[(ADDR, ip("10.2.0.1"))]));
    assert!(
        !c.on(&[(ADDR, ip("::ffff:10.1.0.1"))]),
        "a v4 block never holds a v6 address"
    );
    let c = one(ADDR, Op::NotWithin, cidr("10.1.0.0", 16));
    assert!(c.on(&[(ADDR, ip("::ffff:10.1.0.1"))]));
    assert!(!c.on(&[(ADDR, ip("10.1.0.1"))]));
    let c = one(ADDR, Op::Within, cidr("fe80::", 10));
    assert!(c.on(&[(ADDR, ip("fe80::1"))]));
    assert!(!c.on(&[(ADDR, ip("10.0.0.1"))]));
    // Host bits in the block are ignored; /0 holds every address of its family.
    let c = one(ADDR, Op::Within, cidr("192.168.1.77", 24));
    assert!(c.on(&[(ADDR, ip("192.168.1.1"))]));
    let c = one(ADDR, Op::Within, cidr("0.0.0.0", 0));
    assert!(c.on(&[(ADDR, ip("8.8.8.8"))]));
    assert!(!c.on(&[(ADDR, ip("::"))]));
    let c = one(ADDR, Op::Within, cidr("1.2.3.4", 32));
    assert!(c.on(&[(ADDR, ip("1.2.3.4"))]));
    assert!(!c.on(&[(ADDR, ip("1.2.3.5"))]));
}

#[test]
fn all_criteria_must_hold_and_matches_come_in_id_order() {
    let channel = channel_with(vec![
        instance(5, vec![crit(PID, Op::Eq, u(4))]),
        instance(
            9,
            vec![
                crit(PID, Op::Eq, u(4)),
                crit(REMOTE, Op::Eq, Operand::Scalar(Value::Bool(true))),
            ],
        ),
        instance(12, vec![crit(PID, Op::Ge, u(1))]),
    ]);
    let v = verify(&sign1(&channel), &trust(), &host()).unwrap();
    let ids = |changes: &[(u16, Value)]| -> Vec<u32> {
        v.evaluate(&event_with(changes))
            .unwrap()
            .iter()
            .map(|m| m.instance)
            .collect()
    };
    assert_eq!(ids(&[(PID, Value::Uint(4))]), vec![5, 12]);
    assert_eq!(
        ids(&[(PID, Value::Uint(4)), (REMOTE, Value::Bool(true))]),
        vec![5, 9, 12]
    );
    assert_eq!(ids(&[]), Vec::<u32>::new());
    let m = v.evaluate(&event_with(&[(PID, Value::Uint(4))])).unwrap();
    assert_eq!(
        m[0],
        Match {
            instance: 5,
            severity: Severity::High,
            action: Action::Detect
        }
    );
}

#[test]
fn the_small_channel_detects_what_it_says() {
    let v = verify(&sign1(&small_channel()), &trust(), &host()).unwrap();
    let hits = v
        .evaluate(&event_with(&[
            (PIPE, st(r"\\.\pipe\postex_a1b2")),
            (REMOTE, Value::Bool(false)),
        ]))
        .unwrap();
    assert_eq!(
        hits.iter().map(|m| m.instance).collect::<Vec<_>>(),
        vec![1001]
    );
    let hits = v
        .evaluate(&event_with(&[
            (PIPE, st(r"\\.\pipe\mojo.5.6")),
            (IMAGE, st(r"C:\evil.exe")),
            (INTEGRITY, Value::Enum(1)),
            (REMOTE, Value::Bool(true)),
        ]))
        .unwrap();
    assert_eq!(
        hits,
        vec![Match {
            instance: 1002,
            severity: Severity::Medium,
            action: Action::Prevent
        }]
    );
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let c = one(PID, Op::Eq, u(4));
    assert_eq!(
        c.0.evaluate(&event()[..11]).unwrap_err(),
        EvalError::InputCount {
            expected: 12,
            found: 11
        }
    );
    let mut long = event();
    long.push(Value::Bool(true));
    assert!(matches!(
        c.0.evaluate(&long),
        Err(EvalError::InputCount { .. })
    ));
    assert_eq!(
        c.0.evaluate(&event_with(&[(PID, st("4"))])).unwrap_err(),
        EvalError::InputType {
            field: PID,
            expected: "u32".into()
        }
    );
    assert!(matches!(
        c.0.evaluate(&event_with(&[(PID, Value::Uint(u64::from(u32::MAX) + 1))])),
        Err(EvalError::InputType { .. })
    ));
    let c = one(OFFSET, Op::Eq, i(1));
    assert!(matches!(
        c.0.evaluate(&event_with(&[(OFFSET, Value::Int(i64::MAX))])),
        Err(EvalError::InputType { .. })
    ));
}

#[test]
fn wildcard_fields_are_never_read() {
    // Field 2 has no criterion: an input of the wrong type there is never looked at.
    let c = one(PID, Op::Eq, u(4));
    let hits =
        c.0.evaluate(&event_with(&[
            (PID, Value::Uint(4)),
            (IMAGE, Value::Bool(true)),
        ]))
        .unwrap();
    assert_eq!(hits.len(), 1);
}

#[test]
fn an_undeclared_enum_input_matches_nothing_but_is_not_an_error() {
    let c = one(INTEGRITY, Op::Eq, Operand::Scalar(Value::Enum(1)));
    assert!(!c.on(&[(INTEGRITY, Value::Enum(99))]));
    let c = one(INTEGRITY, Op::Ne, Operand::Scalar(Value::Enum(1)));
    assert!(c.on(&[(INTEGRITY, Value::Enum(99))]));
}
