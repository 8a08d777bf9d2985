//! A sensor keeps one updater for its whole life, and what that updater verified stays
//! in memory between polls. These tests hold such an updater to the rules a fresh one
//! follows: it sees every publish, re-verifies after a key rotation, refuses a rollback
//! against what it holds in memory, and lets nothing expire unnoticed.

mod common;

use common::World;
use ward_updater::install::update;
use ward_updater::{Http, Limits, Updater};

fn updater(w: &World) -> Updater<Http> {
    Updater::new(
        w.tmp.path().join("host"),
        &format!("{}/metadata", w.base_url),
        Http::default(),
        Limits::default(),
        w.now,
    )
    .unwrap()
}

/// One poll, `later` seconds after the world's time.
fn poll(w: &mut World, u: &mut Updater<Http>, later: u64) -> Result<(), String> {
    u.set_time(w.now + later);
    let report =
        update(u, &format!("{}/targets", w.base_url), &mut w.host).map_err(|e| e.to_string())?;
    report.first_error().map_or(Ok(()), |e| Err(e.to_string()))
}

#[test]
fn one_updater_follows_publishes_and_key_rotations() {
    let mut w = World::new();
    let mut u = updater(&w);
    poll(&mut w, &mut u, 0).unwrap();
    assert_eq!(w.active(), Some(1));
    w.publish(2);
    poll(&mut w, &mut u, 0).unwrap();
    assert_eq!(w.active(), Some(2));
    // New timestamp and snapshot keys: the updater walks to root 2 and re-verifies what
    // it held against the new keys instead of trusting its memory.
    w.repo.rotate(&w.keys, "timestamp", w.now).unwrap();
    w.repo.rotate(&w.keys, "snapshot", w.now).unwrap();
    w.publish(3);
    poll(&mut w, &mut u, 0).unwrap();
    assert_eq!(u.root().common.version, 3);
    assert_eq!(w.active(), Some(3));
}

#[test]
fn a_long_lived_updater_refuses_a_timestamp_rolled_back_under_it() {
    let mut w = World::new();
    let mut u = updater(&w);
    poll(&mut w, &mut u, 0).unwrap();
    let old = std::fs::read(w.meta("timestamp.json")).unwrap();
    w.publish(2);
    poll(&mut w, &mut u, 0).unwrap();
    std::fs::write(w.meta("timestamp.json"), old).unwrap();
    let error = poll(&mut w, &mut u, 0).unwrap_err();
    assert!(error.contains("rollback refused"), "{error}");
    assert_eq!(w.active(), Some(2));
}

#[test]
fn metadata_kept_in_memory_still_expires() {
    let mut w = World::new();
    let mut u = updater(&w);
    poll(&mut w, &mut u, 0).unwrap();
    // The timestamp lasts a day; two days on, the same updater must refuse it.
    let error = poll(&mut w, &mut u, 2 * 86_400).unwrap_err();
    assert!(error.contains("expired"), "{error}");
    assert_eq!(w.active(), Some(1));
}
