//! The store across real processes: two processes racing for one directory, a sensor
//! process that aborts while a bad channel is active and is started again and again until
//! the crash-loop guard rolls it back, and `kill -9` at every file operation of an
//! activation. The child processes are this test binary itself, running its ignored
//! `child` test with the part to play in the environment.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;
mod support;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use support::{active_version, version, Hook, Hooked, Op};
use ward_store::ChannelStore;

const ROLE: &str = "WARD_STORE_CHILD";
const DIR: &str = "WARD_STORE_DIR";
const ARG: &str = "WARD_STORE_ARG";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Starts this test binary as a child playing `role` on the store in `dir`.
fn spawn(role: &str, dir: &Path, arg: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ROLE, role)
        .env(DIR, dir)
        .env(ARG, arg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// What the child says: the rest of the first line with `> ` in it (the test harness
/// prints its own lines, and may start ours with `test child ... `).
fn said(child: &mut Child) -> String {
    let out = child.stdout.as_mut().unwrap();
    let mut lines = BufReader::new(out).lines();
    lines
        .find_map(|l| Some(l.ok()?.split_once("> ")?.1.to_string()))
        .unwrap_or_default()
}

fn say(what: &str) {
    println!("> {what}");
    io::stdout().flush().unwrap();
}

/// A child's life is bounded: a parent that fails never leaves it waiting.
fn wait_bounded() {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let mut rest = Vec::new();
        let _ = io::stdin().read_to_end(&mut rest);
        let _ = tx.send(());
    });
    let _ = rx.recv_timeout(Duration::from_secs(60));
}

/// File storage that, at its `pause_at`-th mutating operation, says so and waits to be
/// killed.
#[derive(Debug)]
struct Pausing {
    pause_at: usize,
    count: AtomicUsize,
}

impl Pausing {
    fn step(&self) {
        let n = self.count.fetch_add(1, Ordering::SeqCst);
        if n == self.pause_at {
            say(&format!("at {n}"));
            wait_bounded();
            std::process::exit(3);
        }
    }
}

impl Hook for Pausing {
    fn before(&self, _: Op<'_>) -> io::Result<()> {
        self.step();
        Ok(())
    }
}

#[test]
#[ignore = "the child process of the tests in this file, started by them"]
fn child() {
    let (Ok(role), Some(dir), Ok(arg)) = (
        std::env::var(ROLE),
        std::env::var_os(DIR).map(PathBuf::from),
        std::env::var(ARG),
    ) else {
        return;
    };
    match role.as_str() {
        // Open the store and hold it until told to stop.
        "hold" => match ChannelStore::open(&dir, &trust(), &host()) {
            Ok(_store) => {
                say("opened");
                wait_bounded();
            }
            Err(e) => say(&format!("refused: {e}")),
        },
        // A sensor: start, and abort while channel version `arg` is active.
        "sensor" => {
            let store = ChannelStore::open(&dir, &trust(), &host()).unwrap();
            let rolled = store.sensor_started(&trust(), &host(), now()).unwrap();
            let active = active_version(&store);
            if active == arg.parse().ok() {
                std::process::abort();
            }
            say(&format!("running {active:?} rolled back {rolled:?}"));
        }
        // Install version 2, pausing (to be killed) at operation `arg`.
        "install" => {
            let fs = Pausing {
                pause_at: arg.parse().unwrap(),
                count: AtomicUsize::new(0),
            };
            let store =
                ChannelStore::open_with(&dir, Box::new(Hooked(fs)), &trust(), &host()).unwrap();
            store
                .install(&sign1(&version(2)), &trust(), &host())
                .unwrap();
            say("done");
        }
        other => panic!("no child role {other}"),
    }
}

#[test]
fn two_processes_racing_for_one_store_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..5 {
        let mut a = spawn("hold", dir.path(), "");
        let mut b = spawn("hold", dir.path(), "");
        let (sa, sb) = (said(&mut a), said(&mut b));
        let opened = [&sa, &sb].iter().filter(|s| *s == &"opened").count();
        assert_eq!(opened, 1, "{sa} / {sb}");
        let refused = if sa == "opened" { &sb } else { &sa };
        assert!(refused.contains("one store per directory"), "{refused}");
        for mut c in [a, b] {
            drop(c.stdin.take());
            c.wait().unwrap();
        }
    }
    // The lock goes with the process: once both are gone, a store opens.
    ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
}

#[test]
fn a_sensor_that_aborts_on_a_new_channel_rolls_itself_back() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
        for v in [1, 2] {
            store
                .install(&sign1(&version(v)), &trust(), &host())
                .unwrap();
        }
    }
    let mut aborted = 0;
    let report = loop {
        assert!(aborted < 5, "the guard never rolled back");
        let mut sensor = spawn("sensor", dir.path(), "2");
        let line = said(&mut sensor);
        let status = sensor.wait().unwrap();
        if status.success() {
            break line;
        }
        aborted += 1;
    };
    // The first use and one more died; the third start rolled back.
    assert_eq!(aborted, 2);
    assert!(report.starts_with("running Some(1) rolled back [Quarantine { channel_id: 291, version: 2, restored: Some(1)"), "{report}");
    // It stays rolled back, and reports it.
    let mut sensor = spawn("sensor", dir.path(), "2");
    assert_eq!(said(&mut sensor), "running Some(1) rolled back []");
    assert!(sensor.wait().unwrap().success());
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    assert_eq!(store.quarantined()[0].version, 2);
}

#[test]
fn kill_9_at_every_step_of_an_activation() {
    let mut step = 0;
    loop {
        let dir = tempfile::tempdir().unwrap();
        ChannelStore::open(dir.path(), &trust(), &host())
            .unwrap()
            .install(&sign1(&version(1)), &trust(), &host())
            .unwrap();
        let mut installer = spawn("install", dir.path(), &step.to_string());
        let line = said(&mut installer);
        installer.kill().unwrap();
        installer.wait().unwrap();

        let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
        let active = active_version(&store);
        assert!(
            matches!(active, Some(1 | 2)),
            "killed at {line}: opened to {active:?}"
        );
        // Version 2 is never in use without its activation on record.
        if active == Some(2) {
            let watch = store.watch(291).expect("an activation on record");
            assert_eq!(watch.version, 2, "killed at {line}");
        }
        // The guard still works from whatever state the kill left: version 2, installed
        // again if need be, crashes twice and is rolled back.
        store
            .install(&sign1(&version(2)), &trust(), &host())
            .unwrap();
        drop(store);
        let t = now();
        let mut rolled = Vec::new();
        for start in 0..3 {
            let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
            rolled = store.sensor_started(&trust(), &host(), t + start).unwrap();
        }
        assert_eq!(rolled.len(), 1, "killed at {line}");
        if line == "done" {
            // Last known good, version record, guard, active file: four operations each.
            assert_eq!(step, 16);
            return;
        }
        assert_eq!(line, format!("at {step}"));
        step += 1;
    }
}
