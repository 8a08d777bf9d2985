//! The checker never panics: random token sequences and random bytes, checked as a project
//! file beside the stdlib, give diagnostics, never a crash.

mod support;

use proptest::prelude::*;

/// Words of the language, names from the stdlib, literals good and bad, so that random
/// sequences often come close to real content and reach deep into the checker.
const WORDS: &[&str] = &[
    "enum",
    "template",
    "sensor",
    "channel",
    "instance",
    "test",
    "version",
    "platform",
    "supplies",
    "targets",
    "severity",
    "action",
    "tags",
    "event",
    "expect",
    "in",
    "not",
    "glob",
    "matches",
    "contains",
    "starts_with",
    "ends_with",
    "within",
    "true",
    "false",
    "IpcNamedPipe",
    "ProcessStart",
    "windows_7_11",
    "windows_7_12",
    "linux_7_12",
    "pipe_name",
    "pipe_sddl",
    "client_pid",
    "client_integrity",
    "is_remote",
    "remote_ip",
    "image",
    "high",
    "low",
    "prevent",
    "untrusted",
    "C",
    "i",
    "0",
    "1",
    "21",
    "-1",
    "0xffffffffff",
    "\"10.0.0.0/8\"",
    "\"x\"",
    "r\"[\"",
    "r\"(\"",
    "\"e3b0\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "=",
    "==",
    "!=",
    "<",
    ">=",
    "..=",
    "///d\n",
    "//c\n",
];

fn check(src: &str) {
    let (_, _, diagnostics) = support::check_fixture(src);
    for d in &diagnostics {
        assert!(d.location().is_some(), "every diagnostic says where: {d:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_token_sequences_never_panic_the_checker(words in proptest::collection::vec(0..WORDS.len(), 0..120)) {
        let src: Vec<&str> = words.iter().map(|&i| WORDS[i]).collect();
        check(&src.join(" "));
    }

    #[test]
    fn random_text_never_panics_the_checker(src in "\\PC{0,400}") {
        check(&src);
    }

    /// A well-formed channel with one random criterion: every operator on every field,
    /// with every kind of value.
    #[test]
    fn any_criterion_on_any_field_is_checked_without_panic(
        field in 0..WORDS.len(), op in 0..WORDS.len(), value in 0..WORDS.len(), list in any::<bool>(),
    ) {
        let value = if list { format!("[{}, {}]", WORDS[value], WORDS[value]) } else { WORDS[value].to_string() };
        check(&format!(
            "channel C = 1 {{\n version 1\n template IpcNamedPipe\n targets [windows_7_11]\n instance i = 1 {{\n  {} {} {value}\n  severity low\n }}\n}}\n",
            WORDS[field], WORDS[op]
        ));
    }
}
