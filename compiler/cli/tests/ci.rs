//! The CLI as a CI maintainer runs it: machine formats that carry the whole result, several
//! signing keys, strictness (`--deny-warnings`, `[lints]`), project discovery, stdin
//! events, test filters and JUnit XML.

mod support;

use std::fs;

use support::{build, keygen, project, run, ward, MANIFEST};

use support::PSEXEC_CHANNEL as PIPES;

/// A warning (W0002) and nothing else.
const DUPLICATE_TAG: &str = "channel C = 1 { version 1 template ProcessStart targets [windows_7_12]\n instance i = 1 { image ends_with \"x\" severity low tags [\"a\", \"a\"] } }\n";

fn stdout_json(cmd: &mut assert_cmd::Command) -> (i32, serde_json::Value, String) {
    let out = cmd.output().unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn build_json_and_sarif_are_one_document_with_the_channels_and_the_refusals() {
    let newer = PIPES.replace("version 1", "version 5");
    let dir = project(&[MANIFEST, ("pipes.ward", newer.as_bytes())]);
    let (key, _) = keygen(dir.path());
    let out = dir.path().join("out");
    let build_as = |format: &str| {
        let mut cmd = ward();
        cmd.arg("build")
            .arg(dir.path())
            .arg("--key")
            .arg(&key)
            .arg("--out")
            .arg(&out)
            .args(["--format", format]);
        cmd
    };
    let (code, doc, stderr) = stdout_json(&mut build_as("json"));
    assert_eq!(code, 0, "{doc} {stderr}");
    assert_eq!(doc["written"], true);
    assert_eq!(doc["channels"][0]["name"], "Pipes");
    assert_eq!(doc["channels"][0]["version"], 5);
    assert_eq!(doc["signed_by"].as_array().unwrap().len(), 1);
    // A lowered version is refused by the build, not the checker: it must still be in
    // the document, at the channel's declaration.
    fs::write(dir.path().join("pipes.ward"), PIPES).unwrap();
    let (code, doc, stderr) = stdout_json(&mut build_as("json"));
    assert_eq!(code, 1);
    assert_eq!(doc["written"], false);
    let refusal = &doc["refusals"][0];
    assert!(
        refusal["message"]
            .as_str()
            .unwrap()
            .contains("below the version 5"),
        "{doc}"
    );
    assert_eq!(
        (refusal["file"].as_str(), refusal["line"].as_u64()),
        (Some("pipes.ward"), Some(2))
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    let (code, sarif, _) = stdout_json(&mut build_as("sarif"));
    assert_eq!(code, 1);
    let run = &sarif["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "build");
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn several_keys_sign_one_file_that_each_key_and_the_threshold_accept() {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPES.as_bytes())]);
    let (old_key, old_pub) = keygen(dir.path());
    let other = tempfile::tempdir().unwrap();
    let (new_key, new_pub) = keygen(other.path());
    let out = dir.path().join("out");
    let (code, text) = run(ward()
        .arg("build")
        .arg(dir.path())
        .arg("--key")
        .arg(&old_key)
        .arg("--key")
        .arg(&new_key)
        .arg("--out")
        .arg(&out));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("signed with keys "), "{text}");
    let chan = out.join("Pipes.chan");
    let verify = |trust: &[&std::path::Path], threshold: &str| {
        let mut cmd = ward();
        cmd.arg("verify").arg(&chan).arg("--trust");
        for t in trust {
            cmd.arg(t);
        }
        cmd.args([
            "--threshold",
            threshold,
            "--sensor",
            "windows_7_12",
            "--project",
        ])
        .arg(dir.path());
        run(&mut cmd)
    };
    // A rotation: hosts that trust only the old key, only the new one, or need both.
    for (trust, threshold) in [
        (vec![old_pub.as_path()], "1"),
        (vec![new_pub.as_path()], "1"),
        (vec![old_pub.as_path(), new_pub.as_path()], "2"),
    ] {
        let (code, text) = verify(&trust, threshold);
        assert_eq!(code, 0, "{text}");
        assert!(text.starts_with("valid: "), "{text}");
    }
    // The same key twice is not two signers.
    let (code, text) = run(ward()
        .arg("build")
        .arg(dir.path())
        .arg("--key")
        .arg(&old_key)
        .arg("--key")
        .arg(&old_key)
        .arg("--out")
        .arg(&out));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("cannot be trusted together"), "{text}");
}

#[test]
fn several_keys_under_build_in_the_manifest_sign_as_several_keys_do() {
    let manifest = "[project]\nname = \"t\"\n[build]\nkey = [\"keys/old.key\", \"keys/new.key\"]\n";
    let dir = project(&[
        ("Ward.toml", manifest.as_bytes()),
        ("pipes.ward", PIPES.as_bytes()),
    ]);
    fs::create_dir(dir.path().join("keys")).unwrap();
    for name in ["old", "new"] {
        let (code, text) = run(ward()
            .arg("keygen")
            .arg("--out")
            .arg(dir.path().join("keys").join(name)));
        assert_eq!(code, 0, "{text}");
    }
    let out = dir.path().join("out");
    let (code, text) = run(ward().arg("build").arg(dir.path()).arg("--out").arg(&out));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("signed with keys "), "{text}");
    // Both signatures are on the file: a host that needs both signers accepts it.
    let (code, text) = run(ward()
        .arg("verify")
        .arg(out.join("Pipes.chan"))
        .arg("--trust")
        .arg(dir.path().join("keys/old.pub"))
        .arg(dir.path().join("keys/new.pub"))
        .args(["--threshold", "2", "--sensor", "windows_7_12", "--project"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{text}");
    assert!(text.starts_with("valid: "), "{text}");
}

#[test]
fn deny_warnings_and_lint_levels_make_ci_strict() {
    let dir = project(&[MANIFEST, ("a.ward", DUPLICATE_TAG.as_bytes())]);
    let check = |extra: &[&str]| {
        run(ward()
            .args(["check", "--color", "never"])
            .args(extra)
            .arg(dir.path()))
    };
    let (code, out) = check(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("W0002"), "{out}");
    let (code, out) = check(&["--deny-warnings"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("because of `--deny-warnings`") && out.contains("1 error"),
        "{out}"
    );
    let manifest = |lints: &str| {
        fs::write(
            dir.path().join("Ward.toml"),
            format!("[project]\nname = \"t\"\n\n[lints]\n{lints}\n"),
        )
        .unwrap();
    };
    manifest("W0002 = \"deny\"");
    let (code, out) = check(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[lints]"), "{out}");
    manifest("W0002 = \"allow\"");
    let (code, out) = check(&["--deny-warnings"]);
    assert_eq!((code, out.as_str()), (0, ""));
    // Errors have no level, and a code that does not exist is a mistake in the manifest.
    manifest("E0300 = \"allow\"\nW0999 = \"warn\"");
    let (code, out) = check(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`E0300` is an error") && out.contains("`W0999` is not"),
        "{out}"
    );
}

#[test]
fn check_finds_the_project_from_a_subfolder_and_checks_one_file() {
    let bad = "channel Bad = 2 { version 1 template Nope targets [windows_7_12] }\n";
    let dir = project(&[
        MANIFEST,
        ("rules/pipes.ward", PIPES.as_bytes()),
        ("rules/deep/bad.ward", bad.as_bytes()),
    ]);
    let (code, out) = run(ward()
        .args(["check", "--color", "never"])
        .current_dir(dir.path().join("rules/deep")));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("rules/deep/bad.ward") && out.contains("E0100"),
        "{out}"
    );
    // One file: its own diagnostics only, checked with the rest of its project.
    let (code, out) = run(ward()
        .args(["check", "--color", "never"])
        .arg(dir.path().join("rules/pipes.ward")));
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out) = run(ward()
        .args(["check", "--color", "never", "deep/bad.ward"])
        .current_dir(dir.path().join("rules")));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("E0100"), "{out}");
    // Building is for whole projects.
    let (code, out) = run(ward().arg("build").arg(dir.path().join("rules/pipes.ward")));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("works on a whole project"), "{out}");
}

#[test]
fn run_reads_stdin_and_warns_once_per_unknown_template() {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPES.as_bytes())]);
    let (key, public) = keygen(dir.path());
    let out = dir.path().join("out");
    let (code, text) = build(dir.path(), &key, &out);
    assert_eq!(code, 0, "{text}");
    let events = concat!(
        "{\"template\": \"IpcNamedPipe\", \"fields\": {\"pipe_name\": \"PSEXESVC\", \"is_remote\": true}}\n",
        "{\"template\": \"IpcNamedPip\", \"fields\": {}}\n",
        "{\"template\": \"IpcNamedPip\", \"fields\": {}}\n",
        "{\"template\": \"ProcessStart\", \"fields\": {}}\n",
    );
    let done = ward()
        .arg("run")
        .arg(out.join("Pipes.chan"))
        .arg("--trust")
        .arg(&public)
        .args(["--sensor", "windows_7_12", "--events", "-", "--project"])
        .arg(dir.path())
        .write_stdin(events)
        .output()
        .unwrap();
    assert_eq!(done.status.code(), Some(0));
    let stdout = String::from_utf8(done.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("\"name\":\"remote_psexec\""), "{stdout}");
    let stderr = String::from_utf8(done.stderr).unwrap();
    // Once, at its first line, with the likely meaning; a known template is no mistake.
    assert_eq!(stderr.matches("warning").count(), 1, "{stderr}");
    assert!(
        stderr.contains("-:2: warning: the project declares no template `IpcNamedPip` (did you mean `IpcNamedPipe`?)"),
        "{stderr}"
    );
}

#[test]
fn test_filters_by_name_and_writes_junit_xml() {
    let tests = "test \"psexec <remote> & co\" {\n    channel Pipes\n    event { pipe_name: \"PSEXESVC\", is_remote: true }\n    expect [remote_psexec]\n}\ntest \"local is quiet\" {\n    channel Pipes\n    event { pipe_name: \"PSEXESVC\", is_remote: true }\n    expect []\n}\n";
    let dir = project(&[
        MANIFEST,
        ("pipes.ward", PIPES.as_bytes()),
        ("tests.ward", tests.as_bytes()),
    ]);
    let (code, out) = run(ward()
        .args(["test", "--color", "never", "--filter", "psexec"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{out}");
    assert!(out.trim_end().ends_with("2 passed, 0 failed"), "{out}");
    let junit = ward()
        .args(["test", "--format", "junit"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(junit.status.code(), Some(1));
    let xml = String::from_utf8(junit.stdout).unwrap();
    assert!(
        xml.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ward test\""
        ),
        "{xml}"
    );
    assert!(xml.contains("failures=\"2\""), "{xml}");
    assert!(
        xml.contains("<testcase name=\"test &quot;psexec &lt;remote&gt; &amp; co&quot;\" classname=\"windows_7_11\" file=\"tests.ward\" line=\"1\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"test &quot;local is quiet&quot;\" classname=\"windows_7_12\" file=\"tests.ward\" line=\"6\">\n      <failure message=\""),
        "{xml}"
    );
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
    assert_eq!(
        xml.matches("<testcase ").count(),
        xml.matches("/>").count() + xml.matches("</testcase>").count()
    );
}

#[test]
fn no_progress_is_drawn_when_stderr_is_not_a_terminal() {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPES.as_bytes())]);
    let (key, _) = keygen(dir.path());
    let out = ward()
        .arg("build")
        .arg(dir.path())
        .arg("--key")
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("building") && !stderr.contains('\r'),
        "{stderr}"
    );
    let out = ward().arg("test").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("testing") && !stderr.contains('\r'),
        "{stderr}"
    );
}
