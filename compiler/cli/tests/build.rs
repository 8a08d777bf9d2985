//! `ward keygen`, `build`, `verify` and `run`, end to end through the real binary.

mod support;

use std::fs;
use std::path::Path;

use support::{build, keygen, project, repo, run, ward, MANIFEST};

/// A channel that uses input 21 of IpcNamedPipe and targets only the sensor that has it.
const PIPE_SDDL: &str = r#"
channel PipeSddl = 900 {
    version 3
    template IpcNamedPipe
    targets [windows_7_12]
    instance everyone_can_write = 1 {
        pipe_name glob r"\\.\pipe\*"
        pipe_sddl contains "(A;;GRGW;;;WD)"
        severity high
        tags ["attack.t1559", "pipes"]
    }
}
"#;

#[test]
fn the_examples_build_verify_and_run() {
    let keys = tempfile::tempdir().unwrap();
    let out = keys.path().join("out");
    let examples = repo().join("examples");
    // The example project names its (published, insecure) example key in Ward.toml.
    let (code, text) = run(ward().arg("build").arg(&examples).arg("--out").arg(&out));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("verified for every targeted sensor"),
        "{text}"
    );
    let chan = out.join("NamedPipeDetections.chan");
    let public = examples.join("keys/example-insecure.pub");
    for sensor in ["windows_7_11", "windows_7_12"] {
        let (code, text) = run(ward()
            .arg("verify")
            .arg(&chan)
            .arg("--trust")
            .arg(&public)
            .args(["--sensor", sensor, "--project"])
            .arg(&examples));
        assert_eq!(code, 0, "{text}");
        assert!(text.starts_with("valid:"), "{text}");
    }
    let output = ward()
        .arg("run")
        .arg(&chan)
        .arg("--trust")
        .arg(&public)
        .args(["--sensor", "windows_7_11", "--project"])
        .arg(&examples)
        .arg("--events")
        .arg(examples.join("events/windows.jsonl"))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    let first = &lines[0];
    for key in ["event", "channel", "instance", "name", "severity", "action"] {
        assert!(first.get(key).is_some(), "{first}");
    }
    assert_eq!(first["channel"], 291);
    assert_eq!(first["name"], "cs_default_pipe");
}

#[test]
fn builds_are_byte_identical_and_layout_does_not_matter() {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPE_SDDL.as_bytes())]);
    let (key, _) = keygen(dir.path());
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    assert_eq!(build(dir.path(), &key, &a).0, 0);
    assert_eq!(build(dir.path(), &key, &b).0, 0);
    let first = fs::read(a.join("PipeSddl.chan")).unwrap();
    assert_eq!(first, fs::read(b.join("PipeSddl.chan")).unwrap());
    // The same content laid out differently, with comments, compiles to the same bytes.
    let reflowed = PIPE_SDDL
        .replace("\n    ", "\n  // a comment\n        ")
        .replace(" {", "\n{");
    fs::write(dir.path().join("pipes.ward"), reflowed).unwrap();
    assert_eq!(build(dir.path(), &key, &c).0, 0);
    assert_eq!(first, fs::read(c.join("PipeSddl.chan")).unwrap());
}

#[test]
fn channel_291_is_rejected_at_runtime_by_the_20_input_sensor() {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPE_SDDL.as_bytes())]);
    let (key, public) = keygen(dir.path());
    let out = dir.path().join("out");
    assert_eq!(build(dir.path(), &key, &out).0, 0);
    let verify = |sensor: &str| {
        run(ward()
            .arg("verify")
            .arg(out.join("PipeSddl.chan"))
            .arg("--trust")
            .arg(&public)
            .args(["--sensor", sensor, "--project"])
            .arg(dir.path()))
    };
    assert_eq!(verify("windows_7_12").0, 0);
    let (code, text) = verify("windows_7_11");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("rejected") && text.contains("21") && text.contains("20"),
        "{text}"
    );
}

#[test]
fn nothing_is_written_when_the_content_has_errors_and_the_last_build_survives() {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPE_SDDL.as_bytes())]);
    let (key, _) = keygen(dir.path());
    let out = dir.path().join("out");
    assert_eq!(build(dir.path(), &key, &out).0, 0);
    let good = fs::read(out.join("PipeSddl.chan")).unwrap();
    // Retargeting at the 20-input sensor is the channel-291 mistake: refused, E0300.
    fs::write(
        dir.path().join("pipes.ward"),
        PIPE_SDDL
            .replace("[windows_7_12]", "[windows_7_11, windows_7_12]")
            .replace("version 3", "version 4"),
    )
    .unwrap();
    let (code, text) = build(dir.path(), &key, &out);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("E0300") && text.contains("nothing was built"),
        "{text}"
    );
    assert_eq!(
        fs::read(out.join("PipeSddl.chan")).unwrap(),
        good,
        "the last good file is intact"
    );
    let stray: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(stray.len(), 1, "no temporary or partial files: {stray:?}");
}

#[test]
fn a_build_never_lowers_a_content_version() {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPE_SDDL.as_bytes())]);
    let (key, _) = keygen(dir.path());
    let out = dir.path().join("out");
    assert_eq!(build(dir.path(), &key, &out).0, 0);
    let good = fs::read(out.join("PipeSddl.chan")).unwrap();
    fs::write(
        dir.path().join("pipes.ward"),
        PIPE_SDDL.replace("version 3", "version 2"),
    )
    .unwrap();
    let (code, text) = build(dir.path(), &key, &out);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("below the version 3"), "{text}");
    assert_eq!(fs::read(out.join("PipeSddl.chan")).unwrap(), good);
    // Changed content under the same version would be ignored by sensors: say so.
    fs::write(
        dir.path().join("pipes.ward"),
        PIPE_SDDL.replace("severity high", "severity critical"),
    )
    .unwrap();
    let (code, text) = build(dir.path(), &key, &out);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("raise `version`"), "{text}");
}

#[test]
fn build_without_a_key_explains_how_to_make_one() {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPE_SDDL.as_bytes())]);
    let (code, text) = run(ward().arg("build").arg(dir.path()));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("ward keygen --out"), "{text}");
    assert!(!dir.path().join("build").exists());
}

#[cfg(unix)]
#[test]
fn keygen_writes_a_private_secret_and_refuses_to_overwrite() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path());
    assert_eq!(
        fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(fs::read_to_string(&public)
        .unwrap()
        .starts_with("ward-ed25519-pub "));
    let before = fs::read(&key).unwrap();
    let (code, text) = run(ward()
        .arg("keygen")
        .arg("--out")
        .arg(dir.path().join("signing")));
    assert_eq!(code, 2, "{text}");
    assert_eq!(fs::read(&key).unwrap(), before);
}

#[test]
fn verify_rejects_tampering_unknown_keys_and_oversized_files() {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPE_SDDL.as_bytes())]);
    let (key, public) = keygen(dir.path());
    let out = dir.path().join("out");
    assert_eq!(build(dir.path(), &key, &out).0, 0);
    let chan = out.join("PipeSddl.chan");
    let verify = |file: &Path, trust: &Path| {
        run(ward()
            .arg("verify")
            .arg(file)
            .arg("--trust")
            .arg(trust)
            .args(["--sensor", "windows_7_12", "--project"])
            .arg(dir.path()))
    };
    let mut bytes = fs::read(&chan).unwrap();
    bytes[60] ^= 0x10;
    let tampered = dir.path().join("tampered.chan");
    fs::write(&tampered, &bytes).unwrap();
    assert_eq!(verify(&tampered, &public).0, 1);
    let other = tempfile::tempdir().unwrap();
    let (_, stranger) = keygen(other.path());
    let (code, text) = verify(&chan, &stranger);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("does not trust"), "{text}");
    let huge = dir.path().join("huge.chan");
    fs::File::create(&huge)
        .unwrap()
        .set_len(64 * 1024 * 1024)
        .unwrap();
    assert_eq!(verify(&huge, &public).0, 1);
    assert_eq!(verify(&dir.path().join("missing.chan"), &public).0, 2);
}

#[test]
fn run_reports_bad_lines_by_number_and_goes_on() {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPE_SDDL.as_bytes())]);
    let (key, public) = keygen(dir.path());
    let out = dir.path().join("out");
    assert_eq!(build(dir.path(), &key, &out).0, 0);
    let events = dir.path().join("events.jsonl");
    fs::write(
        &events,
        concat!(
            "{\"template\": \"IpcNamedPipe\", \"fields\": {\"pipe_name\": 5}}\n",
            "not json\n",
            "{\"template\": \"ProcessStart\", \"fields\": {\"image\": \"x\"}}\n",
            "{\"template\": \"IpcNamedPipe\", \"fields\": {\"pipe_name\": \"\\\\\\\\.\\\\pipe\\\\x\", \"pipe_sddl\": \"D:(A;;GRGW;;;WD)\"}}\n",
        ),
    )
    .unwrap();
    let output = ward()
        .arg("run")
        .arg(out.join("PipeSddl.chan"))
        .arg("--trust")
        .arg(&public)
        .args(["--sensor", "windows_7_12", "--project"])
        .arg(dir.path())
        .arg("--events")
        .arg(&events)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("events.jsonl:1: field `pipe_name`"),
        "{stderr}"
    );
    assert!(stderr.contains("events.jsonl:2: not JSON"), "{stderr}");
    assert!(
        !stderr.contains(":3:"),
        "an event of another template is not an error: {stderr}"
    );
    assert_eq!(
        stdout.trim(),
        r#"{"event":4,"channel":900,"instance":1,"name":"everyone_can_write","severity":"high","action":"detect","tags":["attack.t1559","pipes"]}"#
    );
}

#[test]
fn parallel_runs_match_single_threaded_runs_exactly() {
    let examples = repo().join("examples");
    let out = tempfile::tempdir().unwrap();
    let build_with = |threads: Option<&str>, dir: &str| {
        let mut cmd = ward();
        if let Some(n) = threads {
            cmd.env("RAYON_NUM_THREADS", n);
        }
        let dest = out.path().join(dir);
        let (code, text) = run(cmd.arg("build").arg(&examples).arg("--out").arg(&dest));
        assert_eq!(code, 0, "{text}");
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dest)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    fs::read(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        (text.replace(dir, "OUT"), files)
    };
    assert_eq!(build_with(Some("1"), "one"), build_with(None, "many"));
    // Diagnostics of a project with mistakes in many files and channels come out in the
    // same order too: in channel headers, and in instances (checked a channel per core).
    let files: Vec<(String, Vec<u8>)> = (0..12)
        .map(|i| {
            let text = if i % 2 == 0 {
                format!(
                    "channel C{i} = {i} {{ version 1 template Nope{i} targets [windows_7_12] }}"
                )
            } else {
                format!(
                    "channel C{i} = {i} {{ version 1 template IpcNamedPipe targets [windows_7_12]
                       instance a = 1 {{ pipe_nme == \"x\" severity high }}
                       instance b = 1 {{ is_remote == \"yes\" severity low }}
                       instance c = 3 {{ pipe_name matches r\"(?=x)\" }} }}"
                )
            };
            (format!("c{i}.ward"), text.into_bytes())
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .chain([MANIFEST])
        .collect();
    let dir = project(&refs);
    let check_with = |threads: &str| {
        run(ward()
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--format", "json"])
            .arg(dir.path()))
    };
    let (code, single) = check_with("1");
    assert_eq!(code, 1, "{single}");
    for code in ["E0100", "E0101", "E0400", "E0111", "E0403", "E0113"] {
        assert!(single.contains(code), "{code} missing: {single}");
    }
    assert_eq!((code, single.clone()), check_with("2"));
    assert_eq!((code, single), check_with("7"));
}
