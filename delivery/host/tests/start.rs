//! The beacons a sensor start calls for, from the crash-loop guard's watch before and
//! after it counts the start: nothing for a first use, `crashed` for a start after a
//! death, `crashed` and `rolled_back` when the guard rolls back, nothing once back on
//! the last known good.

#[path = "../../updater/tests/common/mod.rs"]
mod common;

use common::{channel_file, trust_and_profile, CHANNEL_ID};
use ward_health::beacon::Kind;
use ward_host::start::{start, Said};
use ward_store::{ChannelStore, DEFAULT_POLICY};

#[test]
fn starts_after_deaths_say_crashed_and_the_rollback_says_rolled_back() {
    let dir = tempfile::TempDir::new().unwrap();
    let (trust, profile) = trust_and_profile();
    let open = || ChannelStore::open(dir.path(), &trust, &profile).unwrap();
    let now = ward_tuf::time::now();
    let said = |kind, version| Said {
        kind,
        channel: CHANNEL_ID,
        version,
    };
    let store = open();
    // Installed beside a stopped sensor: the next start is its first use, not a death.
    store
        .install(&channel_file(1, 1), &trust, &profile)
        .unwrap();
    drop(store);
    let store = open();
    let started = start(&store, &trust, &profile, now, &DEFAULT_POLICY).unwrap();
    assert_eq!(started.beacons, []);
    assert!(store.confirm_healthy(CHANNEL_ID).unwrap());
    // Installed by the running sensor: in use at once, so every later start is a death.
    store
        .install(&channel_file(2, 1), &trust, &profile)
        .unwrap();
    drop(store);
    let store = open();
    let started = start(&store, &trust, &profile, now, &DEFAULT_POLICY).unwrap();
    assert_eq!(started.beacons, [said(Kind::Crashed, 2)]);
    assert!(started.quarantines.is_empty());
    drop(store);
    let store = open();
    let started = start(&store, &trust, &profile, now, &DEFAULT_POLICY).unwrap();
    assert_eq!(
        started.beacons,
        [said(Kind::Crashed, 2), said(Kind::RolledBack, 2)]
    );
    assert_eq!(started.quarantines.len(), 1);
    assert_eq!(started.quarantines[0].restored, Some(1));
    assert_eq!(
        store.active(CHANNEL_ID).map(|c| c.content_version()),
        Some(1)
    );
    drop(store);
    let store = open();
    let started = start(&store, &trust, &profile, now, &DEFAULT_POLICY).unwrap();
    assert_eq!(started.beacons, []);
}
