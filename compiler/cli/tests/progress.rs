//! Progress on a real terminal: tmux runs `ward build` on a project big enough to take a
//! while, and the pane, captured while it runs, shows the progress; with `--format json`
//! the same terminal shows none. (compiler/cli/tests/ci.rs holds the piped case.)
//!
//! Each run has its own tmux server (its own socket in a scratch folder), killed at the
//! end; a run is bounded by a deadline. Without `tmux` on PATH the test says so and
//! passes, unless WARD_REQUIRE_TMUX is set, as `.ci/run` sets it after installing tmux.

mod support;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::keygen;

const LIMIT: Duration = Duration::from_secs(180);
const CHANNELS: usize = 150;
const INSTANCES: usize = 60;

/// A project of [`CHANNELS`] channels of [`INSTANCES`] instances, each with a regex: a
/// second or more of checking and building in a debug build.
fn slow_project(dir: &Path) {
    fs::write(dir.join("Ward.toml"), "[project]\nname = \"slow\"\n").unwrap();
    for c in 0..CHANNELS {
        let mut text = format!(
            "channel Pipes{c} = {} {{\n    version 1\n    template IpcNamedPipe\n    targets [windows_7_12]\n",
            c + 1
        );
        for i in 0..INSTANCES {
            writeln!(
                text,
                "    instance i{i} = {} {{\n        pipe_name matches \"^p{c}x{i}-[a-z]+[0-9]{{2,4}}$\"\n        severity low\n    }}",
                i + 1
            )
            .unwrap();
        }
        text.push_str("}\n");
        fs::write(dir.join(format!("pipes{c}.ward")), text).unwrap();
    }
}

/// A tmux server of our own, on a socket in a scratch folder.
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-f").arg("/dev/null").arg("-S").arg(&self.socket);
        cmd
    }

    /// Runs `shell` in a new detached 200x50 session, then leaves the pane open.
    fn start(&self, shell: &str) {
        let status = self
            .cmd()
            .args(["new-session", "-d", "-x", "200", "-y", "50", "sh", "-c"])
            .arg(format!("{shell}; echo ward-done:$?; sleep 600"))
            .status()
            .unwrap();
        assert!(status.success(), "tmux new-session failed");
    }

    fn capture(&self) -> String {
        let out = self.cmd().args(["capture-pane", "-p"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Every distinct screen seen until the command printed its exit code.
    fn screens_until_done(&self) -> Vec<String> {
        let started = Instant::now();
        let mut screens: Vec<String> = Vec::new();
        loop {
            let screen = self.capture();
            let done = screen.contains("ward-done:");
            if screens.last() != Some(&screen) {
                screens.push(screen);
            }
            if done {
                return screens;
            }
            assert!(
                started.elapsed() < LIMIT,
                "ward did not finish: {screens:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

fn has_tmux() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("WARD_REQUIRE_TMUX").is_none(),
        "WARD_REQUIRE_TMUX is set but `tmux` is not on PATH (apt-get install tmux)"
    );
    eprintln!("skipped: `tmux` is not on PATH (apt-get install tmux)");
    false
}

/// `ward build` of a slow project in tmux, stdout to a file; the screens seen and the
/// final one.
fn build_in_tmux(extra: &str) -> (Vec<String>, String) {
    let scratch = tempfile::tempdir().unwrap();
    let project = scratch.path().join("p");
    fs::create_dir(&project).unwrap();
    slow_project(&project);
    let (key, _) = keygen(scratch.path());
    let tmux = Tmux {
        socket: scratch.path().join("tmux.sock"),
    };
    let ward = assert_cmd::cargo::cargo_bin("ward");
    tmux.start(&format!(
        "'{}' build '{}' --key '{}' --out '{}' {extra} > '{}'",
        ward.display(),
        project.display(),
        key.display(),
        scratch.path().join("out").display(),
        scratch.path().join("stdout").display(),
    ));
    let screens = tmux.screens_until_done();
    let last = screens.last().cloned().unwrap_or_default();
    (screens, last)
}

#[test]
fn a_terminal_shows_progress_and_machine_formats_show_none() {
    if !has_tmux() {
        return;
    }
    let (screens, last) = build_in_tmux("");
    assert!(last.contains("ward-done:0"), "{last}");
    let progress = |s: &String| s.contains("checking") || s.contains(&format!("/{CHANNELS} ("));
    assert!(
        screens.iter().any(progress),
        "no progress seen in {} screens; the last:\n{last}",
        screens.len()
    );
    // The bar is cleared when the work is done: what stays is the result only.
    assert!(!progress(&last), "{last}");

    let (screens, last) = build_in_tmux("--format json");
    assert!(last.contains("ward-done:0"), "{last}");
    assert!(
        !screens.iter().any(progress),
        "progress drawn with --format json: {screens:?}"
    );
}
