//! Shell completions and the manual page: generated from the clap definitions, so they
//! name every subcommand `ward --help` lists, and the bash script is valid bash.

mod support;

use support::{run, ward};

/// The subcommands `ward --help` lists (its "Commands:" section), `help` left out.
fn subcommands() -> Vec<String> {
    let (code, help) = run(ward().arg("--help"));
    assert_eq!(code, 0, "{help}");
    let names: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect();
    assert!(names.len() > 10, "{help}");
    names
}

#[test]
fn completions_name_every_subcommand_in_every_shell() {
    let names = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, script) = run(ward().args(["completions", shell]));
        assert_eq!(code, 0, "{shell}: {script}");
        for name in &names {
            assert!(script.contains(name.as_str()), "{shell} lacks `{name}`");
        }
    }
    let (code, out) = run(ward().args(["completions", "tcsh"]));
    assert_eq!(code, 2, "{out}");
}

#[test]
fn the_bash_script_is_valid_bash() {
    let out = ward().args(["completions", "bash"]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("ward.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn the_manual_page_covers_every_subcommand() {
    let (code, page) = run(ward().arg("man"));
    assert_eq!(code, 0, "{page}");
    assert!(page.contains(".TH ward 1"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = run(ward().arg("man").arg("--out").arg(dir.path()));
    assert_eq!(code, 0, "{out}");
    assert!(dir.path().join("ward.1").exists());
    // roff writes a hyphen as `\-`.
    let text = page.replace("\\-", "-");
    for name in subcommands() {
        assert!(text.contains(&name), "ward.1 lacks `{name}`");
        let sub = std::fs::read_to_string(dir.path().join(format!("ward-{name}.1")))
            .unwrap_or_else(|e| panic!("ward-{name}.1: {e}"));
        assert!(sub.contains(".TH ward-"), "{sub}");
    }
}
