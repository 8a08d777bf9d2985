//! `ward import sigma` and `ward run` on Windows events, through the real binary: the
//! import writes a project that `ward test` and `ward build` take, names every refusal
//! with path and line, is byte-identical when run again, refuses to overwrite a folder
//! it did not write; `ward run` reads a JSON dump of Windows events.

mod support;

use std::fs;

use support::{keygen, repo, run, ward};

fn rules() -> std::path::PathBuf {
    repo().join("compiler/sigma/tests/rules")
}

#[test]
fn import_writes_a_project_that_tests_and_builds_and_again_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("imported");
    let (code, summary) = run(ward()
        .args(["import", "sigma"])
        .arg(rules())
        .arg("--out")
        .arg(&out));
    assert_eq!(code, 1, "some of the test rules are refused: {summary}");
    assert!(
        summary.contains("keywords.yml:10: keywords without a field"),
        "{summary}"
    );
    assert!(
        summary.contains("13 rules: 7 imported in full, 1 in part, 5 refused"),
        "{summary}"
    );
    let first = fs::read(out.join("channels/process_creation.ward")).unwrap();
    let (code, again) = run(ward()
        .args(["import", "sigma"])
        .arg(rules())
        .arg("--out")
        .arg(&out));
    assert_eq!(code, 1);
    assert_eq!(summary, again);
    assert_eq!(
        first,
        fs::read(out.join("channels/process_creation.ward")).unwrap()
    );
    let (code, tested) = run(ward().args(["test", "--color", "never"]).arg(&out));
    assert_eq!(code, 0, "{tested}");
    assert!(tested.contains(" passed, 0 failed"), "{tested}");
    let (secret, _) = keygen(dir.path());
    let (code, built) = run(ward().arg("build").arg(&out).arg("--key").arg(&secret));
    assert_eq!(code, 0, "{built}");
}

#[test]
fn import_refuses_to_overwrite_a_folder_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let (code, out) = run(ward()
        .args(["import", "sigma"])
        .arg(rules())
        .arg("--out")
        .arg(dir.path()));
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("holds no earlier `ward import sigma`"),
        "{out}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn run_reads_a_json_dump_of_windows_events() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("imported");
    run(ward()
        .args(["import", "sigma"])
        .arg(rules())
        .arg("--out")
        .arg(&out));
    let (secret, public) = keygen(dir.path());
    let build = dir.path().join("build");
    let (code, built) = run(ward()
        .arg("build")
        .arg(&out)
        .arg("--key")
        .arg(&secret)
        .arg("--out")
        .arg(&build));
    assert_eq!(code, 0, "{built}");
    let event = |id: u32, data: &str| {
        format!(
            "{{\n  \"Event\": {{\n    \"System\": {{\"Provider\": {{\"#attributes\": {{\"Name\": \"Microsoft-Windows-Sysmon\"}}}}, \"EventID\": {id}}},\n    \"EventData\": {data}\n  }}\n}}\n"
        )
    };
    let dump = dir.path().join("sample.json");
    fs::write(
        &dump,
        [
            event(5, "{}"),
            event(1, r#"{"Image": "C:\\Users\\bob\\AppData\\Local\\Temp\\a.exe", "CommandLine": "a.exe"}"#),
        ]
        .concat(),
    )
    .unwrap();
    let output = ward()
        .arg("run")
        .arg(build.join("SigmaProcessCreation.chan"))
        .arg("--trust")
        .arg(&public)
        .args(["--sensor", "windows_7_13", "--project"])
        .arg(&out)
        .arg("--events")
        .arg(&dump)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("\"event\":2") && stdout.contains("renamed_tool_in_temp_by_pattern_1"),
        "{stdout}"
    );
    assert!(
        stderr.contains("1 event of Microsoft-Windows-Sysmon 5 map to no template"),
        "{stderr}"
    );
}
