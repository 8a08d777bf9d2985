//! The updater against real peers: a real nginx on loopback serving the repository, and
//! python-tuf (the reference implementation) as client of a Ward repository and as
//! writer of a repository Ward's client reads.

mod common;

use std::process::Command;

use common::{channel_file, Nginx, World};
use ward_updater::{Http, Limits, Updater};

fn interop_script(name: &str) -> String {
    format!("{}/../interop/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn nginx_serves_the_repository_and_steady_state_is_one_conditional_get() {
    let tmp = tempfile::TempDir::new().unwrap();
    let nginx = Nginx::serve(tmp.path());
    let mut w = World::with_base(tmp, nginx.url("repo"));
    let before = nginx.requests_after(0).len();
    let report = w.update().unwrap();
    assert!(report.first_error().is_none(), "{report:?}");
    // Nothing new: the spec's check for a next root (404), then one conditional GET of
    // timestamp.json answered 304. Nothing else is downloaded.
    let log = nginx.requests_after(before + 2);
    let steady = &log[before..];
    let shape: Vec<(u16, &str)> = steady.iter().map(|(s, _, _, u)| (*s, u.as_str())).collect();
    assert_eq!(
        shape,
        [
            (404, "/repo/metadata/2.root.json"),
            (304, "/repo/metadata/timestamp.json")
        ]
    );
    let sent: u64 = steady.iter().map(|r| r.1).sum();
    let received: u64 = steady.iter().map(|r| r.2).sum();
    println!("steady-state poll: {sent} bytes sent, {received} bytes received");
    assert!(sent + received < 2048, "{steady:?}");
    assert_eq!(w.active(), Some(1));

    w.publish(2);
    let report = w.update().unwrap();
    assert!(report.first_error().is_none(), "{report:?}");
    assert_eq!(w.active(), Some(2));
}

#[test]
fn python_tuf_client_downloads_a_channel_ward_published() {
    let tmp = tempfile::TempDir::new().unwrap();
    let nginx = Nginx::serve(tmp.path());
    let mut w = World::with_base(tmp, nginx.url("repo"));
    // Staged, so the timestamp python-tuf verifies carries Ward's `x-ward-rollout`
    // extension field, and version 1 stays signed as the N-1 target.
    let plan = ward_rollout::Plan::default();
    w.repo
        .publish_with(
            &w.keys,
            &[("v2".into(), channel_file(2, 3))],
            Some(&plan),
            &[],
            w.now,
        )
        .unwrap();
    let work = w.tmp.path().join("python-client");
    let out = Command::new("python3")
        .arg(interop_script("python_client.py"))
        .arg(nginx.url("repo/metadata"))
        .arg(nginx.url("repo/targets"))
        .arg(w.meta("1.root.json"))
        .arg(&work)
        .arg("channels/ProcessRules.chan")
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let digest = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(digest, ward_tuf::hash::sha256_hex(&channel_file(2, 3)));
    assert!(stderr.contains("'content_version': 2"), "{stderr}");
}

#[test]
fn ward_client_refreshes_from_a_repository_python_tuf_wrote() {
    let tmp = tempfile::TempDir::new().unwrap();
    let nginx = Nginx::serve(tmp.path());
    let channel = channel_file(5, 3);
    let file = tmp.path().join("ProcessRules.chan");
    std::fs::write(&file, &channel).unwrap();
    let repo = tmp.path().join("pyrepo");
    let out = Command::new("python3")
        .arg(interop_script("python_repo.py"))
        .arg(&repo)
        .arg("channels/ProcessRules.chan")
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let host = tmp.path().join("host");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::copy(repo.join("metadata/1.root.json"), host.join("root.json")).unwrap();
    let now = ward_tuf::time::now();
    let mut updater = Updater::new(
        &host,
        &nginx.url("pyrepo/metadata"),
        Http::default(),
        Limits::default(),
        now,
    )
    .unwrap();
    updater.refresh().unwrap();
    let info = updater.target_info("channels/ProcessRules.chan").unwrap();
    let bytes = updater
        .fetch_target(
            "channels/ProcessRules.chan",
            &info,
            &nginx.url("pyrepo/targets"),
        )
        .unwrap();
    assert_eq!(bytes, channel);
    // And the store accepts it: the file is the channel, verified in full for the host.
    let (trust, profile) = common::trust_and_profile();
    let host_store =
        ward_updater::install::Host::open(&tmp.path().join("store"), trust, profile).unwrap();
    host_store
        .store
        .install(&bytes, &host_store.trust, &host_store.profile)
        .unwrap();
    assert_eq!(host_store.active_version(common::CHANNEL_ID), Some(5));
}
