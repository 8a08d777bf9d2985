//! `ward test` as CI runs it.

mod support;

use support::{project, repo, run, ward, MANIFEST};

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

const CHANNEL: &[u8] = br#"
channel Pipes = 950 {
    version 1
    template IpcNamedPipe
    targets [windows_7_11, windows_7_12]
    instance remote_psexec = 1 {
        pipe_name ends_with "PSEXESVC"
        is_remote == true
        severity high
    }
}
"#;

#[test]
fn a_wrong_expect_is_a_failure_with_its_location() {
    let tests: &[u8] = b"test \"local psexec is not remote\" {\n    channel Pipes\n    event { pipe_name: \"PSEXESVC\", is_remote: false }\n    expect [remote_psexec]\n}\n";
    let dir = project(&[MANIFEST, ("pipes.ward", CHANNEL), ("tests.ward", tests)]);
    let (code, out) = run(ward().args(["test", "--color", "never"]).arg(dir.path()));
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
    let (code, out) = run(ward().args(["test", "--color", "never"]).arg(dir.path()));
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
