//! The host's beacon outbox against a real collector on loopback: beacons are sent in
//! signed batches and counted once however often they are sent; with the collector
//! gone they wait and the outbox backs off; a bounded queue drops healthy beacons
//! before crashes; the identity is made once and read back.

use ward_collector::{Collector, Config, Store};
use ward_health::Kind;
use ward_updater::beacons::{About, Identity, Outbox};

const NOW: u64 = 1_764_000_000;

fn about() -> About {
    About {
        channel: 5,
        version: 3,
        ring: "canary".into(),
        sensor: "windows_7_13".into(),
    }
}

#[test]
fn beacons_reach_the_collector_and_wait_while_it_is_away() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    let collector = Collector::bind(Config::new("127.0.0.1:0", &db)).unwrap();
    let url = format!("http://{}", collector.addr().unwrap());
    std::thread::spawn(move || collector.serve(|| NOW));

    let identity = Identity::load_or_create(&dir.path().join("host")).unwrap();
    let mut outbox = Outbox::new(identity, &url);
    // More than one batch's worth.
    outbox.push(Kind::Activated, &about(), NOW);
    for i in 0..300 {
        outbox.push(Kind::Healthy, &about(), NOW + i);
    }
    outbox.push(Kind::Crashed, &about(), NOW + 400);
    let flushed = outbox.flush(NOW).unwrap();
    assert_eq!((flushed.acknowledged, flushed.refused), (302, 0));
    assert!(outbox.is_empty());
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.totals().unwrap(),
        vec![
            (Kind::Activated, 1),
            (Kind::Healthy, 300),
            (Kind::Crashed, 1),
            (Kind::RolledBack, 0)
        ]
    );

    // A collector that is not there: the beacons wait, and the next try is later.
    let dead = Identity::load_or_create(&dir.path().join("host")).unwrap();
    let mut away = Outbox::new(dead, "http://127.0.0.1:9");
    away.push(Kind::RolledBack, &about(), NOW);
    assert!(away.flush(NOW).is_err());
    assert_eq!(away.len(), 1);
    // Past the backoff (full jitter, at most 10 s after one failure) it tries again.
    assert!(away.flush(NOW + 86_400).is_err());
    assert_eq!(away.len(), 1);
}

#[test]
fn a_full_outbox_drops_healthy_beacons_before_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let mut outbox = Outbox::new(
        Identity::load_or_create(dir.path()).unwrap(),
        "http://127.0.0.1:9",
    );
    outbox.capacity = 3;
    outbox.push(Kind::Crashed, &about(), NOW);
    outbox.push(Kind::Healthy, &about(), NOW);
    outbox.push(Kind::RolledBack, &about(), NOW);
    outbox.push(Kind::Crashed, &about(), NOW + 1);
    let kinds = |o: &Outbox| o.pending().map(|b| b.kind).collect::<Vec<_>>();
    assert_eq!(
        kinds(&outbox),
        [Kind::Crashed, Kind::RolledBack, Kind::Crashed]
    );
    // No healthy one left: the oldest goes.
    outbox.push(Kind::Healthy, &about(), NOW + 2);
    assert_eq!(
        kinds(&outbox),
        [Kind::RolledBack, Kind::Crashed, Kind::Healthy]
    );
}

#[test]
fn the_identity_is_made_once_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let first = Identity::load_or_create(dir.path()).unwrap();
    let again = Identity::load_or_create(dir.path()).unwrap();
    assert_eq!(first.host, again.host);
    assert_eq!(first.host.len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("beacon.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The same id the cohort bucket uses.
    let cohort_id =
        std::fs::read_to_string(dir.path().join(ward_updater::install::HOST_ID_FILE)).unwrap();
    assert_eq!(cohort_id.trim(), first.host);
    std::fs::write(dir.path().join("beacon.key"), "not a key\n").unwrap();
    let err = Identity::load_or_create(dir.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("beacon.key"), "{err}");
}
