//! The delivery commands as real processes: `ward repo init|timestamp|rotate|status`,
//! `ward publish`, `ward rollout status|advance|hold|halt|resume` and `ward policy`,
//! with their exit codes, refusals and files on disk.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::{build, keygen, project, run, ward, MANIFEST, PSEXEC_CHANNEL};

/// A built channel at content version `version` (its one instance named `name`).
fn built(dir: &Path, key: &Path, version: u64, name: &str) -> PathBuf {
    let source = PSEXEC_CHANNEL
        .replace("version 1", &format!("version {version}"))
        .replace("remote_psexec", name);
    let p = project(&[MANIFEST, ("pipes.ward", source.as_bytes())]);
    let out = dir.join(format!("build-{version}-{name}"));
    let (code, text) = build(p.path(), key, &out);
    assert_eq!(code, 0, "{text}");
    out
}

/// Every file under `dir` with its bytes, sorted.
fn listing(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

struct Setup {
    tmp: tempfile::TempDir,
    key: PathBuf,
    repo: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let (key, _) = keygen(tmp.path());
    let repo = tmp.path().join("repo");
    let (code, out) = run(ward().args(["repo", "init"]).arg(&repo));
    assert_eq!(code, 0, "{out}");
    Setup { tmp, key, repo }
}

fn publish(s: &Setup, build_dir: &Path) -> (i32, String) {
    run(ward()
        .arg("publish")
        .arg(build_dir)
        .arg("--repo")
        .arg(&s.repo))
}

#[test]
fn repo_init_status_timestamp_and_rotate() {
    let s = setup();
    let (code, out) = run(ward().args(["repo", "status"]).arg(&s.repo));
    assert_eq!(code, 0, "{out}");
    for role in ["root", "targets", "snapshot", "timestamp"] {
        assert!(out.contains(&format!("{role:<9} version 1 ")), "{out}");
    }
    assert!(out.contains("threshold 2 of 2"), "{out}");
    // A second init over the same repository is refused and changes nothing.
    let before = listing(&s.repo);
    let (code, out) = run(ward().args(["repo", "init"]).arg(&s.repo));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("already holds a repository"), "{out}");
    assert_eq!(listing(&s.repo), before);

    let (code, out) = run(ward().args(["repo", "timestamp"]).arg(&s.repo));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("timestamp version 2"), "{out}");
    let (code, out) = run(ward()
        .args(["repo", "rotate", "--role", "root"])
        .arg(&s.repo));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("root is now version 2"), "{out}");
    assert!(s.repo.join("metadata/2.root.json").exists());
    let (code, out) = run(ward()
        .args(["repo", "rotate", "--role", "nobody"])
        .arg(&s.repo));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("unknown role `nobody`"), "{out}");
    let (code, out) = run(ward().args(["repo", "status"]).arg(tmp_missing(&s)));
    assert_eq!(code, 2, "{out}");
}

fn tmp_missing(s: &Setup) -> PathBuf {
    s.tmp.path().join("no-such-repo")
}

#[cfg(unix)]
#[test]
fn key_files_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let s = setup();
    let keys = s.tmp.path().join("repo.keys");
    let files: Vec<_> = listing(&keys).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        files.len(),
        5,
        "2 root keys and one per other role: {files:?}"
    );
    let customer = s.tmp.path().join("customer");
    let (code, out) = run(ward().args(["policy", "keygen", "--out"]).arg(&customer));
    assert_eq!(code, 0, "{out}");
    for f in files.iter().chain([&customer.with_extension("key")]) {
        let mode = fs::metadata(f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
}

#[test]
fn publish_refuses_a_version_that_does_not_go_up_and_skips_the_same_file() {
    let s = setup();
    let v1 = built(s.tmp.path(), &s.key, 1, "remote_psexec");
    let (code, out) = publish(&s, &v1);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("starting in ring `internal`"), "{out}");
    let (code, out) = publish(&s, &v1);
    assert_eq!((code, out.contains("nothing new")), (0, true), "{out}");
    let before = listing(&s.repo);
    let other_v1 = built(s.tmp.path(), &s.key, 1, "other_rule");
    let (code, out) = publish(&s, &other_v1);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("content version 1 is not above the published version 1"),
        "{out}"
    );
    assert_eq!(listing(&s.repo), before, "a refused publish writes nothing");
}

#[test]
fn a_failed_publish_leaves_the_repository_as_it_was() {
    let s = setup();
    let v1 = built(s.tmp.path(), &s.key, 1, "remote_psexec");
    assert_eq!(publish(&s, &v1).0, 0);
    let before = listing(&s.repo);
    // Something in the way of the next targets file: the publish fails part-way,
    // after writing the channel's target file.
    let blocker = s.repo.join("metadata/3.targets.json");
    fs::create_dir(&blocker).unwrap();
    fs::write(blocker.join("x"), b"").unwrap();
    let v2 = built(s.tmp.path(), &s.key, 2, "remote_psexec");
    let (code, out) = publish(&s, &v2);
    assert_eq!(code, 2, "{out}");
    fs::remove_dir_all(&blocker).unwrap();
    let names = |l: &[(PathBuf, Vec<u8>)]| l.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    let after = listing(&s.repo);
    assert_eq!(names(&after), names(&before), "{out}");
    assert!(after == before, "a file changed: {out}");
    // And with the way clear, the same publish goes through.
    let (code, out) = publish(&s, &v2);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn rollout_advances_only_after_baking_and_halts_and_resumes() {
    let s = setup();
    let plan = s.tmp.path().join("repo.rollout.toml");
    fs::write(
        &plan,
        "category = \"rapid_response\"\n\
         [[ring]]\nname = \"canary\"\nshare_percent = 1\nbake_hours = 0\nmin_hosts = 1\n\
         [[ring]]\nname = \"general\"\nshare_percent = 100\nbake_hours = 24\nmin_hosts = 1\n",
    )
    .unwrap();
    assert_eq!(publish(&s, &built(s.tmp.path(), &s.key, 1, "a")).0, 0);
    let v2 = built(s.tmp.path(), &s.key, 2, "b");
    let (code, out) = publish(&s, &v2);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("rollout plan from") && out.contains("repo.rollout.toml"),
        "{out}"
    );
    let status = || run(ward().args(["rollout", "status"]).arg(&s.repo));
    let (code, out) = status();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("version 2, rapid_response: rolling, ring 1 of 2 `canary` (1% of hosts"),
        "{out}"
    );
    assert!(out.contains("N-1 is version 1"), "{out}");
    let change = |verb: &str| run(ward().args(["rollout", verb]).arg(&s.repo));
    let (code, out) = change("advance");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ring 2 of 2 `general`") && out.contains("timestamp version 4"),
        "{out}"
    );
    let (code, out) = change("advance");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("last ring"), "{out}");
    let (code, out) = change("halt");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("halted"), "{out}");
    let (code, out) = change("hold");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("cannot hold a release that is halted"),
        "{out}"
    );
    let (code, out) = change("resume");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("rolling"), "{out}");
    // `ward repo timestamp` keeps the state it re-signs.
    assert_eq!(run(ward().args(["repo", "timestamp"]).arg(&s.repo)).0, 0);
    let (_, out) = status();
    assert!(out.contains("rolling, ring 2 of 2 `general`"), "{out}");
    // A plan that does not reach everyone is refused before anything is written.
    fs::write(&plan, "category = \"rapid_response\"\n[[ring]]\nname = \"x\"\nshare_percent = 50\nbake_hours = 1\nmin_hosts = 1\n").unwrap();
    let (code, out) = publish(&s, &built(s.tmp.path(), &s.key, 3, "c"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("must reach every host"), "{out}");
}

#[test]
fn policy_sign_and_show_and_bad_policies() {
    let tmp = tempfile::tempdir().unwrap();
    let customer = tmp.path().join("customer");
    assert_eq!(
        run(ward().args(["policy", "keygen", "--out"]).arg(&customer)).0,
        0
    );
    let source = tmp.path().join("policy.toml");
    fs::write(
        &source,
        "version = 3\n[policy]\ngroup = \"tills\"\nring = \"general\"\ndelay_hours = 4\n\
         [[policy.windows]]\ndays = [\"sat\", \"sun\"]\nstart = \"01:00\"\nend = \"05:00\"\ntime_zone = \"Europe/Berlin\"\n",
    )
    .unwrap();
    let sign = |out: &Path| {
        run(ward()
            .args(["policy", "sign"])
            .arg(&source)
            .arg("--key")
            .arg(customer.with_extension("key"))
            .arg("--out")
            .arg(out))
    };
    let signed = tmp.path().join("policy.json");
    let (code, out) = sign(&signed);
    assert_eq!(code, 0, "{out}");
    let show = |file: &Path| {
        run(ward()
            .args(["policy", "show"])
            .arg(file)
            .arg("--pub")
            .arg(customer.with_extension("pub")))
    };
    let (code, out) = show(&signed);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("\"version\": 3") && out.contains("Europe/Berlin"),
        "{out}"
    );
    let tampered = tmp.path().join("tampered.json");
    fs::write(
        &tampered,
        fs::read_to_string(&signed)
            .unwrap()
            .replace("\"delay_hours\": 4", "\"delay_hours\": 0"),
    )
    .unwrap();
    let (code, out) = show(&tampered);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("tampered.json"), "{out}");
    for (bad, says) in [
        ("version = 1\n[policy]\ndelay_hours = 96\n", "`delay_hours` is 96; it may be 0 to 72"),
        ("version = 1\n[policy]\npuase = true\n", "unknown field `puase`"),
        ("version = 1\n[[policy.windows]]\ndays = [\"mon\"]\nstart = \"1am\"\nend = \"02:00\"\ntime_zone = \"UTC\"\n", "window 1: `start` `1am`"),
    ] {
        fs::write(&source, bad).unwrap();
        let out_file = tmp.path().join("bad.json");
        let (code, out) = sign(&out_file);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains(says), "{out}");
        assert!(!out_file.exists());
    }
}

#[test]
fn release_notes_show_the_change_across_channels_deterministically_and_are_published() {
    let s = setup();
    let v1 = built(s.tmp.path(), &s.key, 1, "remote_psexec");
    // Version 2: the instance now prevents, and another instance is added.
    let source = PSEXEC_CHANNEL.replace("version 1", "version 2").replace(
        "        severity high\n    }\n",
        "        severity high\n        action prevent\n    }\n    instance local_psexec = 2 {\n        pipe_name ends_with \"PSEXESVC\"\n        is_remote == false\n        severity low\n    }\n",
    );
    let p = project(&[MANIFEST, ("pipes.ward", source.as_bytes())]);
    let v2 = s.tmp.path().join("build-2");
    let (code, out) = build(p.path(), &s.key, &v2);
    assert_eq!(code, 0, "{out}");
    let notes = |format: &str| {
        run(ward()
            .arg("release-notes")
            .arg(&v1)
            .arg(&v2)
            .args(["--format", format]))
    };
    let (code, md) = notes("markdown");
    assert_eq!(code, 0, "{md}");
    assert!(md.starts_with("# Release notes"), "{md}");
    assert!(md.contains("| 1 | 1 | 1 | 0 | 1 | 0 |"), "{md}");
    assert_eq!(
        notes("markdown").1,
        md,
        "the same builds give the same notes"
    );
    let (code, js) = notes("json");
    assert_eq!(code, 0, "{js}");
    let value: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert_eq!(value["summary"]["instances_added"], 1, "{js}");
    assert_eq!(value["summary"]["prevent_added"], 1, "{js}");
    assert_eq!(value["channels"][0]["status"], "changed", "{js}");
    // Published and signed with the release.
    assert_eq!(publish(&s, &v1).0, 0);
    let file = s.tmp.path().join("notes-2.md");
    fs::write(&file, &md).unwrap();
    let (code, out) = run(ward()
        .arg("publish")
        .arg(&v2)
        .arg("--repo")
        .arg(&s.repo)
        .arg("--notes")
        .arg(&file));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("notes/notes-2.md"), "{out}");
    let (_, status) = run(ward().args(["repo", "status"]).arg(&s.repo));
    assert!(status.contains("notes/notes-2.md"), "{status}");
}

/// `ward rollout watch --once`: with no beacons the canary holds and nothing is signed;
/// once three canary hosts report crashes of the release to a real `ward collect`, the
/// gate halts it and the halt is signed into the timestamp.
#[test]
fn the_controller_holds_without_beacons_and_halts_on_canary_crashes() {
    use ward_health::auth::sign;
    use ward_health::beacon::{Batch, Beacon, Kind, FORMAT};

    let s = setup();
    fs::write(
        s.tmp.path().join("repo.rollout.toml"),
        "category = \"rapid_response\"\n\
         [[ring]]\nname = \"canary\"\nshare_percent = 1\nbake_hours = 1\nmin_hosts = 1\n\
         [[ring]]\nname = \"general\"\nshare_percent = 100\nbake_hours = 24\nmin_hosts = 1\n",
    )
    .unwrap();
    assert_eq!(publish(&s, &built(s.tmp.path(), &s.key, 1, "a")).0, 0);
    assert_eq!(publish(&s, &built(s.tmp.path(), &s.key, 2, "b")).0, 0);
    let (collector, url) = support::collector(&s.tmp.path().join("beacons.db"));
    let _collector = support::KillOnDrop(collector);
    let watch = || {
        run(ward()
            .args(["rollout", "watch"])
            .arg(&s.repo)
            .args(["--collector", &url, "--once"]))
    };

    // A regression to catch that is not a fraction is a usage error, before any look.
    for bad in ["0", "1", "1.5", "half"] {
        let (code, out) = run(ward().args(["rollout", "watch"]).arg(&s.repo).args([
            "--collector",
            &url,
            "--once",
            "--delta",
            bad,
        ]));
        assert_eq!(code, 2, "{bad}: {out}");
        assert!(
            out.contains("is not a fraction between 0 and 1"),
            "{bad}: {out}"
        );
    }

    let (code, out) = watch();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("version 2: canary: hold: no host of the ring reported on the release"),
        "{out}"
    );
    assert!(!out.contains("signed"), "{out}");

    let now = ward_tuf::time::now();
    for host in 0..3u8 {
        let key = ward_tuf::KeyPair::from_seed([host + 1; 32]);
        let beacon = |id: &str, kind| Beacon {
            id: id.into(),
            kind,
            at: now,
            channel: 950,
            version: 2,
            ring: "canary".into(),
            sensor: "windows_7_11".into(),
        };
        // Each host's cost figures of the release too (issue 18).
        let summary = ward_health::Summary {
            id: "s1".into(),
            at: now,
            channel: 950,
            version: 2,
            ring: "canary".into(),
            sensor: "windows_7_11".into(),
            interval_secs: 600,
            events: 1000,
            cost_p50: 100,
            cost_p99: 400 + u64::from(host),
            cost_max: 900,
            nanos_mean: Some(800),
            memory_bytes: 5000,
        };
        let body = Batch {
            v: FORMAT,
            summaries: vec![summary],
            host: format!("host-{host}"),
            beacons: vec![beacon("1", Kind::Activated), beacon("2", Kind::Crashed)],
        }
        .to_body();
        let signed = sign(&key, &body);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let response = agent
            .post(format!("{url}/v1/beacons"))
            .header("X-Ward-Key", &signed.key)
            .header("X-Ward-Signature", &signed.signature)
            .send(&body[..])
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
    }
    let (code, out) = watch();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("canary: halt: windows_7_11 is worse than its baseline"),
        "{out}"
    );
    assert!(out.contains("release 3 bad"), "{out}");
    assert!(out.contains("signed: timestamp version"), "{out}");
    let (_, status) = run(ward().args(["rollout", "status"]).arg(&s.repo));
    assert!(status.contains("halted"), "{status}");
    // The figures per ring against the baseline, as text and as JSON.
    let status_with = |format: &str| {
        run(ward().args(["rollout", "status"]).arg(&s.repo).args([
            "--collector",
            &url,
            "--format",
            format,
        ]))
    };
    let (code, text) = status_with("text");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("\n  ring canary:\n    windows_7_11: release 3 bad"),
        "{text}"
    );
    assert!(
        text.contains("windows_7_11 cost: release median p99 4"),
        "{text}"
    );
    let (code, json) = status_with("json");
    assert_eq!(code, 0, "{json}");
    let release: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(release["version"], 2, "{json}");
    assert_eq!(release["release"]["status"], "halted", "{json}");
    let ring = &release["rings"][0];
    assert_eq!(ring["ring"], "canary", "{json}");
    assert_eq!(ring["strata"][0]["release"]["bad"], 3, "{json}");
    assert_eq!(ring["costs"][0]["release"]["hosts"], 3, "{json}");
    // No baseline host sent cost figures: nothing is judged slow.
    assert_eq!(ring["costs"][0]["release"]["slow"], 0, "{json}");
}
