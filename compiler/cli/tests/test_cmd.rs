//! `ward test` as CI runs it.

mod support;

use std::fs;

use support::{project, repo, run, ward, MANIFEST};

/// `ward test DIR` without colour: exit code and output.
fn ward_test(dir: &std::path::Path) -> (i32, String) {
    run(ward().args(["test", "--color", "never"]).arg(dir))
}

#[test]
fn the_examples_pass_and_the_counts_are_printed() {
    let (code, out) = run(ward()
        .args(["test", "--color", "never"])
        .arg(repo().join("examples")));
    assert_eq!(code, 0, "{out}");
    let last = out.lines().last().unwrap();
    let (passed, failed) = last.split_once(" passed, ").unwrap();
    assert!(passed.parse::<usize>().unwrap() > 100, "{last}");
    assert_eq!(failed, "0 failed");
}

const CHANNEL: &[u8] = support::PSEXEC_CHANNEL.as_bytes();

#[test]
fn a_wrong_expect_is_a_failure_with_its_location() {
    let tests: &[u8] = b"test \"local psexec is not remote\" {\n    channel Pipes\n    event { pipe_name: \"PSEXESVC\", is_remote: false }\n    expect [remote_psexec]\n}\n";
    let dir = project(&[MANIFEST, ("pipes.ward", CHANNEL), ("tests.ward", tests)]);
    let (code, out) = ward_test(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("tests.ward:1:6: test \"local psexec is not remote\" on windows_7_11: expected [remote_psexec], matched []"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("passed, 2 failed"), "{out}");
}

#[test]
fn a_sensor_edited_below_a_field_in_use_fails_the_run() {
    // The project declares its own sensor profile, then someone narrows its IPC range
    // below input 8 (`is_remote`), which an instance reads.
    let sensor: &[u8] = b"sensor edge_1 {\n    platform windows\n    version \"1.0\"\n    supplies IpcNamedPipe 1..=7\n}\n";
    let channel =
        String::from_utf8_lossy(CHANNEL).replace("[windows_7_11, windows_7_12]", "[edge_1]");
    let dir = project(&[
        MANIFEST,
        ("sensor.ward", sensor),
        ("pipes.ward", channel.as_bytes()),
    ]);
    let (code, out) = ward_test(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("E0300") && out.contains("edge_1") && out.contains("1..=7"),
        "{out}"
    );
}

#[test]
fn json_output_lists_every_case() {
    let dir = project(&[MANIFEST, ("pipes.ward", CHANNEL)]);
    let out = ward()
        .args(["test", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["failed"], 0);
    let sensors: Vec<&str> = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sensor"].as_str().unwrap())
        .collect();
    assert_eq!(sensors, ["windows_7_11", "windows_7_12"]);
}

/// Budgets are checked with limits no machine can miss or meet by chance, so this test
/// asserts no timing: 0 ns is always exceeded, one second never is.
#[test]
fn budgets_fail_the_channel_that_exceeds_them() {
    let events: &[u8] = b"{\"template\": \"IpcNamedPipe\", \"fields\": {\"pipe_name\": \"PSEXESVC\", \"is_remote\": true}}\n";
    let manifest = "[project]\nname = \"t\"\n\n[budget]\nevents = [\"events.jsonl\"]\neval_ns_p99 = 1_000_000_000\n\n[budget.channels.Pipes]\neval_ns_p99 = 0\n";
    let dir = project(&[
        ("Ward.toml", manifest.as_bytes()),
        ("pipes.ward", CHANNEL),
        ("events.jsonl", events),
    ]);
    let (code, out) = ward_test(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("budget eval_ns_p99 Pipes on windows_7_11 ... FAILED"),
        "{out}"
    );
    assert!(out.contains("above the budget of 0 ns"), "{out}");
    // The default (one second) holds for a channel without its own budget.
    let relaxed = manifest.replace("[budget.channels.Pipes]\neval_ns_p99 = 0\n", "");
    fs::write(dir.path().join("Ward.toml"), relaxed).unwrap();
    let (code, out) = ward_test(dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("budget eval_ns_p99 Pipes on windows_7_12 ... ok"),
        "{out}"
    );
}

/// Memory budgets need no sample events and measure no time: what a verified channel
/// holds is the same on every machine.
#[test]
fn memory_budgets_fail_the_channel_that_holds_more() {
    let manifest = "[project]\nname = \"t\"\n\n[budget]\nmemory_bytes = 1\n";
    let dir = project(&[("Ward.toml", manifest.as_bytes()), ("pipes.ward", CHANNEL)]);
    let (code, out) = ward_test(dir.path());
    assert_eq!(code, 1, "{out}");
    for sensor in ["windows_7_11", "windows_7_12"] {
        assert!(
            out.contains(&format!("budget memory_bytes Pipes on {sensor} ... FAILED")),
            "{out}"
        );
    }
    assert!(out.contains("above the budget of 1 bytes"), "{out}");
    assert!(!out.contains("eval_ns_p99"), "{out}");
    // A channel's own budget overrides the default.
    let own = format!("{manifest}\n[budget.channels.Pipes]\nmemory_bytes = 100_000_000\n");
    fs::write(dir.path().join("Ward.toml"), own).unwrap();
    let (code, out) = ward_test(dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("budget memory_bytes Pipes on windows_7_11 ... ok"),
        "{out}"
    );
}

#[test]
fn a_budget_that_cannot_be_measured_is_a_failure_not_a_pass() {
    let manifest = "[project]\nname = \"t\"\n\n[budget]\neval_ns_p99 = 1000\n\n[budget.channels.Piipes]\neval_ns_p99 = 10\n";
    let dir = project(&[("Ward.toml", manifest.as_bytes()), ("pipes.ward", CHANNEL)]);
    let (code, out) = ward_test(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("names `Piipes`, which is not a channel"),
        "{out}"
    );
    assert!(out.contains("lists no `events` files"), "{out}");
}
