//! Shared by the CLI tests: the real `ward` binary and throwaway projects.

#![allow(dead_code)] // each test binary uses part of it

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn ward() -> Command {
    Command::cargo_bin("ward").expect("the ward binary is built")
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A folder holding the given files.
pub fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }
    dir
}

pub const MANIFEST: (&str, &[u8]) = ("Ward.toml", b"[project]\nname = \"t\"\n");

/// Exit code and everything printed (stdout, then stderr).
pub fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// The example project, its insecure example public key, and the folder under `dir` that
/// `ward build examples --out` has just filled with its channels.
pub fn build_examples(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let examples = repo().join("examples");
    let public = examples.join("keys/example-insecure.pub");
    let built = dir.join("build");
    let (code, out) = run(ward().arg("build").arg(&examples).arg("--out").arg(&built));
    assert_eq!(code, 0, "{out}");
    (examples, public, built)
}

/// `ward sensor export SENSOR --lang LANG --project PROJECT`, to run or add `-o` to.
pub fn sensor_export(sensor: &str, lang: &str, project: &Path) -> Command {
    let mut cmd = ward();
    cmd.args(["sensor", "export", sensor, "--lang", lang, "--project"])
        .arg(project);
    cmd
}

/// A fresh key pair in `dir`: returns (secret, public) paths.
pub fn keygen(dir: &Path) -> (PathBuf, PathBuf) {
    let prefix = dir.join("signing");
    let (code, out) = run(ward().arg("keygen").arg("--out").arg(&prefix));
    assert_eq!(code, 0, "{out}");
    (prefix.with_extension("key"), prefix.with_extension("pub"))
}

/// A named-pipe channel for both Windows sensors, with one instance (`remote_psexec`).
pub const PSEXEC_CHANNEL: &str = r#"
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

/// `ward build DIR --key KEY --out OUT`: exit code and everything printed.
pub fn build(dir: &Path, key: &Path, out: &Path) -> (i32, String) {
    run(ward()
        .arg("build")
        .arg(dir)
        .arg("--key")
        .arg(key)
        .arg("--out")
        .arg(out))
}

/// A child process killed when the test lets go of it, passing or failing: an orphan
/// would hold the test's output pipe open.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ward collect` on a free port with the database `db`: the child (kill it at
/// the end) and its URL, read from the line it prints first.
pub fn collector(db: &Path) -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ward"))
        .args(["collect", "--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    (child, url)
}
