//! Issue 12's "Done means", with real processes only: a release published with the real
//! `ward build`, `ward repo init` and `ward publish` to a repository a real nginx serves
//! on 127.0.0.1; `ward collect` (SQLite) and `ward rollout watch` running; 24 `ward-host`
//! processes under different customer policies, restarted by a small supervisor when
//! they abort, as a service manager would. The release's channel is harmful but valid:
//! it prevents csrss.exe, which makes every host that runs it abort. Shown: the canary
//! ring's hosts crash, the controller halts the rollout by itself from their beacons,
//! no host of a later ring ever activates it, the crashed hosts go back to N-1 by their
//! own crash-loop guard and do not download the quarantined version again, and the
//! pinned, paused and delayed hosts never move.
//!
//! `ward` is the binary `cargo test --workspace` builds beside this one.

#[path = "../../updater/tests/common/nginx.rs"]
mod nginx;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nginx::Nginx;
use ward_rollout::{bucket, HostId};

const CHANNEL: u32 = 960;
/// The whole test's bound: far above the ~20 s it takes, far below CI's patience.
const DEADLINE: Duration = Duration::from_secs(100);

fn ward() -> Command {
    let path = assert_cmd::cargo::cargo_bin("ward");
    assert!(
        path.exists(),
        "{} is missing: `cargo test --workspace` builds it (or `cargo build -p ward-cli`)",
        path.display()
    );
    Command::new(path)
}

/// Runs `cmd`; its standard output, or a failure with everything it printed.
fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the command starts");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{text}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// A child process killed and waited however the test ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every line a process printed, by who printed it, as they arrive.
type Log = Arc<Mutex<Vec<(String, String)>>>;

/// Copies `out`'s lines into `log` under `who`, on a thread of its own.
fn tee(who: String, out: impl std::io::Read + Send + 'static, log: &Log) {
    let log = Arc::clone(log);
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            log.lock().unwrap().push((who.clone(), line));
        }
    });
}

/// The hosts, each restarted when it aborts (a service manager's restart on failure),
/// at most a few times; every one killed and waited when this is dropped.
struct Supervisor {
    stop: Arc<AtomicBool>,
    slots: Vec<Arc<Mutex<Option<Child>>>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Supervisor {
    fn new() -> Supervisor {
        Supervisor {
            stop: Arc::new(AtomicBool::new(false)),
            slots: Vec::new(),
            threads: Vec::new(),
        }
    }

    fn start(&mut self, name: String, mut command: Command, log: &Log) {
        let slot = Arc::new(Mutex::new(None::<Child>));
        let (stop, mine, log) = (Arc::clone(&self.stop), Arc::clone(&slot), Arc::clone(log));
        self.threads.push(std::thread::spawn(move || {
            for _ in 0..6 {
                let stdout = {
                    let mut slot = mine.lock().unwrap();
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let mut child = command
                        .stdout(Stdio::piped())
                        .stderr(Stdio::null())
                        .stdin(Stdio::null())
                        .spawn()
                        .expect("ward-host starts");
                    let stdout = child.stdout.take().unwrap();
                    *slot = Some(child);
                    stdout
                };
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    log.lock().unwrap().push((name.clone(), line));
                }
                let status = mine.lock().unwrap().take().map(|mut c| c.wait());
                let aborted = status.as_ref().is_some_and(|s| {
                    use std::os::unix::process::ExitStatusExt as _;
                    s.as_ref().is_ok_and(|s| s.signal() == Some(6))
                });
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                log.lock()
                    .unwrap()
                    .push((name.clone(), format!("supervisor: exited {status:?}")));
                if !aborted {
                    return;
                }
            }
        }));
        self.slots.push(slot);
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for slot in &self.slots {
            if let Some(child) = slot.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                let _ = child.kill();
            }
        }
        // Each thread waits its child once its output ends.
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Waits until `done` holds over the log, failing with the log at the deadline.
fn wait_for(log: &Log, start: Instant, what: &str, done: impl Fn(&[(String, String)]) -> bool) {
    loop {
        if done(&log.lock().unwrap()) {
            return;
        }
        if start.elapsed() > DEADLINE {
            let lines: Vec<String> = log
                .lock()
                .unwrap()
                .iter()
                .map(|(w, l)| format!("{w}: {l}"))
                .collect();
            panic!("timed out waiting for {what}:\n{}", lines.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// How many lines `who` printed that contain `text`.
fn count(log: &[(String, String)], who: &str, text: &str) -> usize {
    log.iter()
        .filter(|(w, l)| w == who && l.contains(text))
        .count()
}

const V1: &str = r#"
channel Processes = 960 {
    version 1
    template ProcessStart
    targets [windows_7_11]
    instance encoded_powershell = 1 {
        command_line contains "-enc"
        severity high
    }
}
"#;

/// Valid, signed, and harmful: it prevents csrss.exe, which no machine survives.
const V2: &str = r#"
channel Processes = 960 {
    version 2
    template ProcessStart
    targets [windows_7_11]
    instance encoded_powershell = 1 {
        command_line contains "-enc"
        severity high
    }
    instance block_client_server_runtime = 2 {
        image ends_with "csrss.exe"
        severity critical
        action prevent
    }
}
"#;

const EVENTS: &str = r#"{"template": "ProcessStart", "fields": {"image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "command_line": "powershell -enc SQBFAFgA", "pid": 4242}}
{"template": "ProcessStart", "fields": {"image": "C:\\Windows\\System32\\csrss.exe", "command_line": "%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows", "pid": 612}}
"#;

/// Every host's customer policy: `None` is the vendor's plan alone (its cohort bucket).
fn policy_of(host: usize) -> (&'static str, Option<&'static str>) {
    match host {
        0..=3 => ("canary", Some("ring = \"canary\"")),
        4..=6 => ("pinned", Some("ring = \"canary\"\npin = { version = 1 }")),
        7..=9 => ("paused", Some("ring = \"canary\"\npause = true")),
        10..=12 => ("delayed", Some("ring = \"canary\"\ndelay_hours = 1")),
        _ => ("bucket", None),
    }
}
const HOSTS: usize = 24;

/// A built channel directory for `source`.
fn build(tmp: &Path, key: &Path, name: &str, source: &str) -> PathBuf {
    let project = tmp.join(format!("project-{name}"));
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("Ward.toml"), "[project]\nname = \"e2e\"\n").unwrap();
    std::fs::write(project.join("processes.ward"), source).unwrap();
    let out = tmp.join(format!("build-{name}"));
    ok(ward()
        .arg("build")
        .arg(&project)
        .arg("--key")
        .arg(key)
        .arg("--out")
        .arg(&out));
    out
}

#[test]
fn a_harmful_release_crashes_the_canaries_halts_itself_and_the_hosts_recover() {
    let start = Instant::now();
    let tmp = tempfile::TempDir::new().unwrap();
    let t = tmp.path();
    ok(ward().arg("keygen").arg("--out").arg(t.join("signing")));
    let key = t.join("signing.key");
    let repo = t.join("repo");
    ok(ward().args(["repo", "init"]).arg(&repo));
    let nginx = Nginx::serve(t);
    let v1 = build(t, &key, "v1", V1);
    let v2 = build(t, &key, "v2", V2);
    let profile = t.join("windows_7_11.json");
    ok(ward()
        .args([
            "sensor",
            "export",
            "windows_7_11",
            "--lang",
            "json",
            "--project",
        ])
        .arg(t.join("project-v1"))
        .arg("-o")
        .arg(&profile));
    let events = t.join("events.jsonl");
    std::fs::write(&events, EVENTS).unwrap();

    // N-1 goes to every host at once; the release after it is staged, with small
    // numbers: a canary of 10% (and the policies' canary hosts) baking an hour.
    std::fs::write(
        t.join("everyone.toml"),
        "category = \"rapid_response\"\n\
         [[ring]]\nname = \"general\"\nshare_percent = 100\nbake_hours = 0\nmin_hosts = 1\n",
    )
    .unwrap();
    std::fs::write(
        t.join("staged.toml"),
        "category = \"rapid_response\"\n\
         [[ring]]\nname = \"canary\"\nshare_percent = 10\nbake_hours = 1\nmin_hosts = 3\n\
         [[ring]]\nname = \"early\"\nshare_percent = 50\nbake_hours = 2\nmin_hosts = 5\n\
         [[ring]]\nname = \"general\"\nshare_percent = 100\nbake_hours = 4\nmin_hosts = 5\n",
    )
    .unwrap();
    ok(ward()
        .arg("publish")
        .arg(&v1)
        .arg("--repo")
        .arg(&repo)
        .arg("--plan")
        .arg(t.join("everyone.toml")));

    let log: Log = Arc::default();
    let mut collect = Killed(
        ward()
            .args(["collect", "--listen", "127.0.0.1:0", "--db"])
            .arg(t.join("beacons.db"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut first = String::new();
    let mut out = BufReader::new(collect.0.stdout.take().unwrap());
    out.read_line(&mut first).unwrap();
    let collector = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("ward collect said {first:?}"))
        .to_string();
    tee("collect".into(), out.into_inner(), &log);

    ok(ward()
        .args(["policy", "keygen", "--out"])
        .arg(t.join("customer")));
    let mut hosts = Supervisor::new();
    let names: Vec<String> = (0..HOSTS)
        .map(|i| format!("{}-{i}", policy_of(i).0))
        .collect();
    for name in &names {
        let dir = t.join("hosts").join(name);
        std::fs::create_dir_all(dir.join("meta")).unwrap();
        std::fs::copy(
            repo.join("metadata/1.root.json"),
            dir.join("meta/root.json"),
        )
        .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ward-host"));
        cmd.arg("--dir")
            .arg(&dir)
            .args(["--repo", &nginx.url("repo"), "--collector", &collector])
            .arg("--trust")
            .arg(t.join("signing.pub"))
            .arg("--profile")
            .arg(&profile)
            .arg("--events")
            .arg(&events)
            .arg("--policy")
            .arg(dir.join("offered-policy.json"))
            .arg("--customer-key")
            .arg(t.join("customer.pub"))
            .args(["--poll-secs", "1", "--settle-secs", "2"]);
        hosts.start(name.clone(), cmd, &log);
    }
    wait_for(&log, start, "every host healthy on version 1", |log| {
        names
            .iter()
            .all(|n| count(log, n, "beacon healthy channel 960 version 1 ring general") > 0)
    });

    // The customers set their policies (signed with their own key), which the hosts
    // take at their next poll.
    for (i, name) in names.iter().enumerate() {
        let Some(policy) = policy_of(i).1 else {
            continue;
        };
        let source = t.join(format!("{name}.toml"));
        std::fs::write(&source, format!("version = 1\n[policy]\n{policy}\n")).unwrap();
        ok(ward()
            .args(["policy", "sign"])
            .arg(&source)
            .arg("--key")
            .arg(t.join("customer.key"))
            .arg("--out")
            .arg(t.join("hosts").join(name).join("offered-policy.json")));
    }
    wait_for(&log, start, "every policy in force", |log| {
        names
            .iter()
            .enumerate()
            .filter(|(i, _)| policy_of(*i).1.is_some())
            .all(|(_, n)| count(log, n, "policy version 1 in force") > 0)
    });

    // The hosts the vendor's plan puts in the 10% canary by their bucket.
    let bucket_canary: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("bucket"))
        .filter(|n| {
            let text =
                std::fs::read_to_string(t.join("hosts").join(n).join("store/host.id")).unwrap();
            let id = HostId::from_hex(text.trim()).unwrap();
            bucket(&id, CHANNEL, 2) < 1000
        })
        .collect();
    let in_canary: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("canary") || bucket_canary.contains(n))
        .collect();

    let published = ward_tuf::time::now();
    let published_after = start.elapsed();
    ok(ward()
        .arg("publish")
        .arg(&v2)
        .arg("--repo")
        .arg(&repo)
        .arg("--plan")
        .arg(t.join("staged.toml")));
    let mut watch = Killed(
        ward()
            .args(["rollout", "watch"])
            .arg(&repo)
            .args(["--collector", &collector, "--every", "1"])
            // Four canary hosts can show a regression of 50 points, not of one: with
            // the default delta the halt would need some sixty crashes (each crash
            // against a baseline of a few dozen hosts moves the ratio by ln(p1/p0)).
            .args(["--delta", "0.5"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    tee("watch".into(), watch.0.stdout.take().unwrap(), &log);
    tee("watch".into(), watch.0.stderr.take().unwrap(), &log);

    wait_for(&log, start, "the controller's halt", |log| {
        log.iter()
            .any(|(w, l)| w == "watch" && l.contains("version 2: canary: halt"))
    });
    let halted_after = start.elapsed();
    for (_, line) in log.lock().unwrap().iter().filter(|(w, _)| w == "watch") {
        println!("watch: {line}");
    }
    // Every host that took the release is back on N-1 by its guard. A canary host
    // slower than the halt never takes it at all: the halt stops it too.
    let took = |log: &[(String, String)]| -> Vec<String> {
        names
            .iter()
            .filter(|n| count(log, n, "installed 2") > 0)
            .cloned()
            .collect()
    };
    let recovered = |log: &[(String, String)]| {
        took(log).iter().all(|n| {
            count(
                log,
                n,
                "guard: channel 960 version 2 quarantined, back on 1",
            ) == 1
        })
    };
    wait_for(
        &log,
        start,
        "every host that took it back on version 1",
        |log| recovered(log),
    );
    // A few more polls under the halt: nobody moves any more.
    std::thread::sleep(Duration::from_secs(3));
    wait_for(
        &log,
        start,
        "still every host that took it back on version 1",
        |log| recovered(log),
    );
    let recovered_after = start.elapsed();
    drop(hosts);
    let log = log.lock().unwrap().clone();
    let crashing = took(&log);
    let everything = || {
        log.iter()
            .map(|(w, l)| format!("{w}: {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };

    // Only canary hosts took the release, enough of them for the gate to halt; each
    // died on it twice (the guard's two deaths), said so, and runs N-1 again.
    assert!(crashing.len() >= 2, "{crashing:?}");
    for n in &crashing {
        assert!(
            in_canary.contains(&n),
            "{n} is not in the canary\n{}",
            everything()
        );
        assert_eq!(count(&log, n, "installed 2"), 1, "{n}\n{}", everything());
        assert_eq!(count(&log, n, "abort: channel 960 version 2"), 2, "{n}");
        assert_eq!(
            count(
                &log,
                n,
                "beacon activated channel 960 version 2 ring canary"
            ),
            1,
            "{n}"
        );
        assert_eq!(
            count(&log, n, "beacon crashed channel 960 version 2 ring canary"),
            2,
            "{n}"
        );
        assert_eq!(
            count(
                &log,
                n,
                "beacon rolled_back channel 960 version 2 ring canary"
            ),
            1,
            "{n}"
        );
        let last_run = log
            .iter()
            .rfind(|(w, l)| w == n && l.starts_with("ran channel 960"))
            .map(|(_, l)| l.clone());
        assert!(
            last_run.is_some_and(|l| l.starts_with("ran channel 960 version 1:")),
            "{n}\n{}",
            everything()
        );
    }
    // Nobody else ever activated it: not the later rings, not the pinned, paused or
    // delayed canaries.
    for n in names.iter().filter(|n| !crashing.contains(n)) {
        for never in [
            "installed 2",
            "ran channel 960 version 2",
            "version 2 ring",
            "abort",
        ] {
            assert_eq!(count(&log, n, never), 0, "{n}: {never}\n{}", everything());
        }
    }
    // Pinned hosts run their pin (`runs 1`); the others say why they skip: their
    // policy, or, for a host whose policy took effect only after the halt (a loaded
    // machine starts the hosts slowly), the halt itself.
    for (kind, why) in [
        ("pinned", "runs 1"),
        ("paused", "skipped: the host policy pauses"),
        ("delayed", "skipped: the host policy's delay"),
    ] {
        for n in names.iter().filter(|n| n.starts_with(kind)) {
            assert!(
                count(&log, n, why) + count(&log, n, "skipped: the release is halted") > 0,
                "{n} should say `{why}`:\n{}",
                everything()
            );
        }
    }
    // The release was downloaded once per canary host and never again: the guard's
    // quarantine holds across polls. Every host downloaded N-1 once.
    let mut downloads: BTreeMap<String, usize> = BTreeMap::new();
    for (status, _, _, uri) in nginx.requests_after(0) {
        if status == 200 && uri.starts_with("/repo/targets/") {
            *downloads.entry(uri).or_default() += 1;
        }
    }
    let mut counts: Vec<usize> = downloads.values().copied().collect();
    counts.sort_unstable();
    assert_eq!(counts, [crashing.len(), HOSTS], "{downloads:?}");

    // The collector holds what the gate saw; the signed state says halted, in canary.
    let rows = ward_collector::client::aggregate(
        &collector,
        &ward_health::aggregate::Window {
            channel: CHANNEL,
            since: published,
            until: ward_tuf::time::now() + 1,
        },
    )
    .unwrap();
    let release: Vec<_> = rows.iter().filter(|r| r.version == 2).collect();
    assert_eq!(release.len(), 1, "{rows:?}");
    assert_eq!(release[0].ring, "canary");
    assert_eq!(release[0].counts.bad, crashing.len() as u64, "{rows:?}");
    // Healthy hosts summarize their channel's counters with their heartbeats (issue
    // 18): the cost figures the gate compares reach the collector from real hosts.
    let (_, costs) = ward_collector::client::figures(
        &collector,
        &ward_health::aggregate::Window {
            channel: CHANNEL,
            since: 0,
            until: ward_tuf::time::now() + 1,
        },
    )
    .unwrap();
    assert!(
        costs
            .iter()
            .any(|c| c.version == 1 && c.hosts > 0 && c.events > 0),
        "{costs:?}"
    );
    let status = ok(ward().args(["rollout", "status"]).arg(&repo));
    assert!(status.contains("halted"), "{status}");
    println!(
        "{HOSTS} hosts, {} in the canary, {} took the release; since the test started: release published at {:.1} s, halted at {:.1} s, every canary back on N-1 by {:.1} s (with 3 s of polls after)",
        in_canary.len(),
        crashing.len(),
        published_after.as_secs_f64(),
        halted_after.as_secs_f64(),
        recovered_after.as_secs_f64(),
    );
    drop(watch);
    drop(collect);
}
