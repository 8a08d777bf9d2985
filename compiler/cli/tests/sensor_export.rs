//! `ward sensor export` and `ward verify --profile`: the committed generated profiles are
//! what the command writes today, and verifying with a JSON profile file answers exactly
//! as verifying with the project's declaration does.

mod support;

use std::fs;

use support::{build_examples, repo, run, sensor_export, ward};

#[test]
fn the_store_tests_generated_profile_is_fresh() {
    let (code, out) = run(&mut sensor_export(
        "windows_7_11",
        "rust",
        &repo().join("examples"),
    ));
    assert_eq!(code, 0, "{out}");
    let committed =
        fs::read_to_string(repo().join("store/tests/profiles/windows_7_11.rs")).unwrap();
    assert!(
        committed == out,
        "store/tests/profiles/windows_7_11.rs is stale: regenerate it with `ward sensor export windows_7_11 --lang rust --project examples -o store/tests/profiles/windows_7_11.rs`"
    );
}

#[test]
fn verify_with_a_profile_file_answers_as_verify_with_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let (examples, public, built) = build_examples(dir.path());
    let profile = dir.path().join("windows_7_11.json");
    let (code, out) = run(sensor_export("windows_7_11", "json", &examples)
        .arg("-o")
        .arg(&profile));
    assert_eq!(code, 0, "{out}");
    let mut compared = 0;
    for file in fs::read_dir(&built).unwrap() {
        let file = file.unwrap().path();
        let (by_project, out_project) = run(ward()
            .arg("verify")
            .arg(&file)
            .arg("--trust")
            .arg(&public)
            .args(["--sensor", "windows_7_11", "--project"])
            .arg(&examples));
        let (by_file, out_file) = run(ward()
            .arg("verify")
            .arg(&file)
            .arg("--trust")
            .arg(&public)
            .arg("--profile")
            .arg(&profile));
        assert_eq!(by_project, by_file, "{out_project}\n{out_file}");
        // The same words too: a valid channel names the sensor, not the profile's path.
        assert_eq!(out_project, out_file);
        compared += 1;
    }
    assert!(compared >= 10);
}

#[test]
fn a_profile_file_that_is_not_one_is_a_usage_error() {
    let dir = support::project(&[("bad.json", b"{\"format\": \"ward-sensor-profile/1\"}")]);
    let public = repo().join("examples/keys/example-insecure.pub");
    let (code, out) = run(ward()
        .args(["verify", "x.chan", "--trust"])
        .arg(&public)
        .arg("--profile")
        .arg(dir.path().join("bad.json")));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("not a sensor profile: missing field"), "{out}");
    let (code, out) = run(ward().args(["verify", "x.chan", "--trust", "k.pub"]));
    assert_eq!(code, 2, "neither --sensor nor --profile: {out}");
    let (code, out) = run(&mut sensor_export(
        "no_such_sensor",
        "c",
        &repo().join("examples"),
    ));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("declares no sensor `no_such_sensor`"), "{out}");
}
