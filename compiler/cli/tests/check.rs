//! `ward check` as a user runs it: the real binary on real folders.

mod support;

use std::fs;

use support::{project, repo, run as stdout_of, ward, MANIFEST};

#[test]
fn the_bundled_examples_are_clean() {
    ward()
        .arg("check")
        .arg(repo().join("examples"))
        .assert()
        .code(0);
}

#[test]
fn a_folder_without_ward_toml_is_a_usage_error_naming_it() {
    let dir = project(&[("a.ward", b"")]);
    let (code, out) = stdout_of(ward().arg("check").arg(dir.path()));
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("no Ward.toml in it or in any folder above it")
            && out.contains(&dir.path().display().to_string()),
        "{out}"
    );
}

#[test]
fn a_folder_that_does_not_exist_is_a_usage_error() {
    let (code, out) = stdout_of(ward().args(["check", "/no/such/ward/project"]));
    assert_eq!(code, 2, "{out}");
}

#[test]
fn a_malformed_manifest_is_reported_in_place() {
    let dir = project(&[("Ward.toml", b"[project\nname = 1"), ("a.ward", b"")]);
    let (code, out) = stdout_of(ward().args(["check", "--color", "never"]).arg(dir.path()));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("E0010") && out.contains("Ward.toml"), "{out}");
}

#[test]
fn unreadable_sources_are_named_and_the_rest_is_still_checked() {
    let dir = project(&[
        MANIFEST,
        ("latin1.ward", b"// caf\xe9\n"),
        ("binary.ward", b"\x7fELF\x02\x01\x01\0\0\0"),
        (
            "ok.ward",
            b"channel C = 1 { version 1 template Nope targets [windows_7_12] }",
        ),
    ]);
    let (code, out) = stdout_of(ward().args(["check", "--color", "never"]).arg(dir.path()));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("latin1.ward") && out.contains("not UTF-8"),
        "{out}"
    );
    // The line of the bad byte, since the file cannot be shown as source.
    assert!(
        out.contains("byte 0xe9 at line 1, column 7") && out.contains("`// caf\u{fffd}`"),
        "{out}"
    );
    assert!(
        out.contains("binary.ward") && out.contains("binary file"),
        "{out}"
    );
    assert!(
        out.contains("unknown template `Nope`"),
        "the readable file is still checked: {out}"
    );
}

#[test]
fn a_50_mb_source_is_refused_before_it_is_read() {
    let dir = project(&[MANIFEST]);
    let big = fs::File::create(dir.path().join("huge.ward")).unwrap();
    big.set_len(50 * 1024 * 1024).unwrap();
    let (code, out) = stdout_of(ward().args(["check", "--color", "never"]).arg(dir.path()));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("huge.ward") && out.contains("over the"),
        "{out}"
    );
}

#[test]
fn an_empty_project_says_so() {
    let dir = project(&[MANIFEST]);
    let (code, out) = stdout_of(ward().args(["check", "--color", "never"]).arg(dir.path()));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("E0012") && out.contains("no .ward files"),
        "{out}"
    );
}

#[test]
fn deeply_nested_brackets_are_a_syntax_error() {
    let src = format!("channel C = 1 {{ {} }}", "[".repeat(100_000));
    let dir = project(&[MANIFEST, ("deep.ward", src.as_bytes())]);
    let (code, out) = stdout_of(ward().args(["check", "--format", "json"]).arg(dir.path()));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("E0001"), "{out}");
}

#[test]
fn json_output_has_one_object_per_diagnostic_with_positions() {
    let dir = project(&[
        MANIFEST,
        (
            "a.ward",
            b"channel C = 1 {\n    version 1\n    template Nope\n    targets [windows_7_12]\n}\n",
        ),
    ]);
    let out = ward()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json.as_array().unwrap()[0];
    assert_eq!(d["code"], "E0100");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "a.ward");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(14))
    );
    assert_eq!(d["labels"][0]["primary"], true);
}

#[test]
fn colour_follows_the_flag() {
    let dir = project(&[MANIFEST, ("a.ward", b"channel C = 1 {}")]);
    let (_, coloured) = stdout_of(ward().args(["check", "--color", "always"]).arg(dir.path()));
    let (_, plain) = stdout_of(ward().args(["check", "--color", "never"]).arg(dir.path()));
    assert!(coloured.contains('\x1b'), "{coloured}");
    assert!(!plain.contains('\x1b'), "{plain}");
}

#[test]
fn warnings_alone_exit_zero() {
    let src = b"channel C = 1 { version 1 template ProcessStart targets [windows_7_12]\n instance i = 1 { image ends_with \"x\" image ends_with \"x\" severity low } }";
    let dir = project(&[MANIFEST, ("a.ward", src)]);
    let (code, out) = stdout_of(ward().args(["check", "--color", "never"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("W0001") && out.contains("1 warning"), "{out}");
}

#[test]
fn explain_prints_a_code_and_refuses_unknown_ones() {
    let (code, out) = stdout_of(ward().args(["explain", "e0300"]));
    assert_eq!(code, 0);
    assert!(out.contains("channel-291"), "{out}");
    assert_eq!(stdout_of(ward().args(["explain", "E9999"])).0, 2);
}

#[test]
fn explain_prints_the_whole_entry_of_the_diagnostics_page() {
    let page = fs::read_to_string(repo().join("docs/diagnostics.md")).unwrap();
    for code in ["E0001", "E0300", "W0003"] {
        let start = page.find(&format!("\n## {code}\n")).unwrap() + 1;
        let rest = &page[start..];
        let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
        let out = ward().args(["explain", code]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        // Example, rendered output and all: the page's entry, line for line.
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().trim_end(),
            rest[..end].trim_end(),
            "{code}"
        );
    }
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(stdout_of(ward().arg("frobnicate")).0, 2);
    assert_eq!(stdout_of(ward().arg("--help")).0, 0);
}

#[test]
fn sarif_output_is_what_code_scanning_takes() {
    let dir = project(&[
        MANIFEST,
        ("rules/pipes.ward", b"channel C = 1 {\n    version 1\n    template IpcNamedPipe\n    targets [windows_7_11]\n    instance i = 2 {\n        pipe_sddl contains \"WD\" // caf\xc3\xa9\n        severity low\n    }\n}\n"),
    ]);
    let out = ward()
        .current_dir(dir.path())
        .args(["check", ".", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules
        .iter()
        .any(|r| r["id"] == "E0300" && r["helpUri"].as_str().unwrap().ends_with("#e0300")));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "E0300");
    assert_eq!(result["level"], "error");
    assert_eq!(
        rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "E0300"
    );
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "rules/pipes.ward");
    assert_eq!(location["region"]["startLine"], 6);
    assert_eq!(location["region"]["startColumn"], 9);
    // The related locations would be in the stdlib, which is not in the scanned repository.
    assert_eq!(result["relatedLocations"].as_array().unwrap().len(), 0);
}

#[test]
fn fmt_check_keeps_windows_line_endings_and_locates_bytes_that_are_not_utf8() {
    let formatted = fs::read_to_string(repo().join("examples/channels/named_pipes.ward")).unwrap();
    let crlf = formatted.replace('\n', "\r\n");
    let bom = format!("\u{feff}{crlf}");
    let dir = project(&[
        MANIFEST,
        ("crlf.ward", crlf.as_bytes()),
        ("bom.ward", bom.as_bytes()),
    ]);
    // Formatted files saved by a Windows editor are formatted.
    let (code, out) = stdout_of(ward().args(["fmt", "--check"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}");
    // A file that is not UTF-8 is refused with the line of the bad byte, as `ward check`
    // says it.
    fs::write(
        dir.path().join("latin1.ward"),
        b"enum E { a = 0 }\n// caf\xe9\n",
    )
    .unwrap();
    let (code, out) = stdout_of(ward().args(["fmt", "--check"]).arg(dir.path()));
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("latin1.ward")
            && out.contains("byte 0xe9 at line 2, column 7")
            && out.contains("`// caf\u{fffd}`"),
        "{out}"
    );
}
