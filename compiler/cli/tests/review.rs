//! `ward disasm` and `ward diff` through the real binary, and `ward disasm` as the git
//! textconv driver that docs/review.md tells reviewers to set up.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;

use support::{keygen, project, run, ward, MANIFEST};

const PIPES: &str = r#"
channel Pipes = 291 {
    version 1
    template IpcNamedPipe
    targets [windows_7_11, windows_7_12]
    instance cs_default_pipe = 1001 {
        pipe_name matches r"^\\\\\.\\pipe\\(msagent_|postex_)[0-9a-f]{2,4}$"
        is_remote == false
        severity high
    }
    instance mojo = 1002 {
        pipe_name glob r"\\.\pipe\mojo.*"
        client_integrity in [untrusted, low]
        severity medium
    }
}
"#;

/// Builds the project in `dir` into `out` with `key`.
fn build(dir: &Path, key: &Path, out: &Path) {
    let (code, text) = run(ward()
        .arg("build")
        .arg(dir)
        .arg("--key")
        .arg(key)
        .arg("--out")
        .arg(out));
    assert_eq!(code, 0, "{text}");
}

/// A project built twice: `old/Pipes.chan` from PIPES, `new/Pipes.chan` after `edit`.
fn two_builds(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = project(&[MANIFEST, ("pipes.ward", PIPES.as_bytes())]);
    let (key, _) = keygen(dir.path());
    build(dir.path(), &key, &dir.path().join("old"));
    fs::write(dir.path().join("pipes.ward"), edit(PIPES)).unwrap();
    build(dir.path(), &key, &dir.path().join("new"));
    dir
}

fn stdout(cmd: &mut assert_cmd::Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn disasm_prints_the_channel_and_refuses_what_does_not_decode() {
    let dir = two_builds(str::to_string);
    let (code, text) = stdout(ward().arg("disasm").arg(dir.path().join("old/Pipes.chan")));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with("channel Pipes = 291\nversion 1\n"),
        "{text}"
    );
    assert!(
        text.contains("target windows_7_11 windows \"7.11\" supplies 1..=20\n"),
        "{text}"
    );
    assert!(
        text.contains("\ninstance mojo = 1002\n  severity medium\n  action detect\n  #1 pipe_name  glob  r\"\\\\.\\pipe\\mojo.*\"\n  #5 client_integrity  in  [untrusted, low]\n"),
        "{text}"
    );
    let garbage = dir.path().join("garbage.chan");
    fs::write(&garbage, b"WARDCHAN but not really").unwrap();
    let (code, text) = run(ward().arg("disasm").arg(&garbage));
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("garbage.chan is not a readable channel file")
            && text.contains("40-byte header"),
        "{text}"
    );
}

#[test]
fn diff_exits_like_diff_and_speaks_three_formats() {
    let dir = two_builds(|s| {
        s.replace("version 1", "version 2")
            .replace("        is_remote == false\n", "")
    });
    let (old, new) = (
        dir.path().join("old/Pipes.chan"),
        dir.path().join("new/Pipes.chan"),
    );
    let (code, text) = stdout(ward().arg("diff").arg(&old).arg(&old));
    assert_eq!((code, text.ends_with("identical\n")), (0, true), "{text}");

    let (code, text) = stdout(ward().arg("diff").arg(&old).arg(&new));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("! criteria-removed: instance cs_default_pipe = 1001 now matches more")
            && text.contains("    - #8 is_remote  ==  false\n"),
        "{text}"
    );

    let (code, markdown) = stdout(
        ward()
            .arg("diff")
            .arg(&old)
            .arg(&new)
            .args(["--format", "markdown"]),
    );
    assert_eq!(code, 1);
    assert!(
        markdown.starts_with("### Channel `Pipes = 291`\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| content version | 1 | **2** |"),
        "{markdown}"
    );

    let (code, json) = stdout(
        ward()
            .arg("diff")
            .arg(&old)
            .arg(&new)
            .args(["--format", "json"]),
    );
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["findings"][0]["kind"], "criteria-removed");
    assert_eq!(json["findings"][0]["instance"], 1001);
}

#[test]
fn diff_says_which_file_it_cannot_read_and_why() {
    let dir = two_builds(str::to_string);
    let good = dir.path().join("old/Pipes.chan");
    let mut bytes = fs::read(&good).unwrap();
    bytes.push(0);
    let trailing = dir.path().join("trailing.chan");
    fs::write(&trailing, bytes).unwrap();
    let (code, text) = run(ward().arg("diff").arg(&good).arg(&trailing));
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("trailing.chan is not a readable channel file"),
        "{text}"
    );
    let (code, text) = run(ward()
        .arg("diff")
        .arg(dir.path().join("missing.chan"))
        .arg(&good));
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("cannot open") && text.contains("missing.chan"),
        "{text}"
    );
}

/// Runs git in `repo` with no user or system configuration, so the test sees only what
/// it sets up itself.
fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Reviewer")
        .env("GIT_AUTHOR_EMAIL", "reviewer@example.com")
        .env("GIT_COMMITTER_NAME", "Reviewer")
        .env("GIT_COMMITTER_EMAIL", "reviewer@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn git_diff_shows_the_disassembly_through_textconv() {
    let dir = project(&[
        MANIFEST,
        ("pipes.ward", PIPES.as_bytes()),
        (".gitattributes", b"*.chan diff=ward\n"),
    ]);
    let repo = dir.path();
    let (key, _) = keygen(repo);
    let ward_bin = assert_cmd::cargo::cargo_bin("ward");
    git(repo, &["init", "--quiet"]);
    // As docs/review.md says, with the binary's absolute path; quoted, as git runs the
    // driver through the shell.
    let driver = format!("'{}' disasm", ward_bin.display());
    git(repo, &["config", "diff.ward.textconv", &driver]);
    build(repo, &key, &repo.join("build"));
    git(
        repo,
        &["add", "pipes.ward", ".gitattributes", "build/Pipes.chan"],
    );
    git(repo, &["commit", "--quiet", "-m", "channel 291 version 1"]);

    fs::write(
        repo.join("pipes.ward"),
        PIPES
            .replace("version 1", "version 2")
            .replace("severity medium", "severity high\n        action prevent"),
    )
    .unwrap();
    build(repo, &key, &repo.join("build"));
    let shown = git(repo, &["diff", "--", "build/Pipes.chan"]);
    for line in [
        "-version 1",
        "+version 2",
        "-  severity medium",
        "+  severity high",
        "-  action detect",
        "+  action prevent",
    ] {
        assert!(shown.lines().any(|l| l == line), "no `{line}` in:\n{shown}");
    }
    assert!(!shown.contains("Binary files"), "{shown}");
    // Lines that did not change are not in the diff as changes.
    assert!(
        !shown
            .lines()
            .any(|l| l.starts_with("-instance") || l.starts_with("+instance")),
        "{shown}"
    );
}

/// Each `ward SUBCOMMAND --flag [value]` outside comments in `text`, cut at the first
/// shell operator.
fn invocations(text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let Some(sub) = words.get(i + 1) else {
                continue;
            };
            if *w != "ward" || !sub.bytes().all(|b| b.is_ascii_lowercase()) {
                continue;
            }
            let args = words[i + 1..]
                .iter()
                .take_while(|a| !["|", "||", "&&", ">", ">>", ";", "\\"].contains(a))
                .map(|a| a.trim_matches('"').to_string())
                .collect();
            found.push(args);
        }
    }
    found
}

#[test]
fn the_ci_example_uses_only_what_ward_has() {
    let workflow = fs::read_to_string(support::repo().join("examples/ci/ward.yml")).unwrap();
    let calls = invocations(&workflow);
    let subcommands: Vec<&str> = calls.iter().map(|c| c[0].as_str()).collect();
    for expected in ["check", "fmt", "test", "build", "keygen", "diff", "disasm"] {
        assert!(
            subcommands.contains(&expected),
            "the workflow never runs `ward {expected}`"
        );
    }
    for call in &calls {
        let (code, help) = run(ward().arg(&call[0]).arg("--help"));
        assert_eq!(code, 0, "`ward {}` is not a subcommand: {help}", call[0]);
        for (i, arg) in call.iter().enumerate().filter(|(_, a)| a.starts_with("--")) {
            assert!(
                help.contains(arg.as_str()),
                "`ward {}` has no {arg}",
                call[0]
            );
            if arg == "--format" {
                let value = &call[i + 1];
                assert!(
                    help.contains(value.as_str()),
                    "`ward {} --format` has no {value}",
                    call[0]
                );
            }
        }
    }
}

#[test]
fn disasm_reads_malformed_and_invalid_files_without_crashing() {
    // The runtime's must-reject corpus: some files do not decode (exit 2 with the reason),
    // others decode but would fail verification, and must still disassemble as they are.
    let corpus = support::repo().join("runtime/tests/reject");
    let mut decoded = 0;
    for entry in fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        let (code, text) = run(ward().arg("disasm").arg(&path));
        match code {
            0 => {
                assert!(text.starts_with("channel "), "{}: {text}", path.display());
                decoded += 1;
            }
            2 => assert!(text.contains("is not a readable channel file"), "{text}"),
            _ => panic!("{}: exit {code}: {text}", path.display()),
        }
        let (code, text) = run(ward().arg("diff").arg(&path).arg(&path));
        assert!(
            code == 0 || code == 2,
            "{}: exit {code}: {text}",
            path.display()
        );
    }
    assert!(
        decoded > 0,
        "the corpus has files that decode but do not verify"
    );
}
