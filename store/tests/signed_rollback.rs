//! The store's signed rollbacks. `ChannelStore::roll_back`, which the updater uses when
//! a rollout is halted: it replaces exactly the named version with an older one, and
//! nothing else; the ordinary install still refuses anything older than the highest
//! version accepted, also after a restart. `ChannelStore::reset_record`, the way out of
//! a channel id frozen at the version ceiling: a signed record reset lowers the highest
//! accepted version, once.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;
mod support;

use common::*;
use std::fs;

use support::{active_version, version};
use ward_encode::sign_reset;
use ward_runtime::limits::MAX_CONTENT_VERSION;
use ward_runtime::{RecordReset, ResetError, SigningKey, RESET_LEN};
use ward_store::{ChannelStore, Installed, StoreError};

/// The test channel at version `v`, signed.
fn signed(v: u64) -> Vec<u8> {
    sign1(&version(v))
}

#[test]
fn a_signed_rollback_replaces_exactly_the_halted_version() {
    let dir = tempfile::tempdir().unwrap();
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    for v in [1, 2, 3] {
        store.install(&signed(v), &trust(), &host()).unwrap();
    }
    // Not from the version the store runs, and not to a version at or above it: refused.
    for (offered, from) in [(2, 2), (1, 2), (3, 3), (4, 3)] {
        let refused = store.roll_back(&signed(offered), &trust(), &host(), from);
        assert!(
            matches!(refused, Err(StoreError::Rollback { .. })),
            "{offered} from {from}"
        );
        assert_eq!(active_version(&store), Some(3));
    }
    assert_eq!(
        store.roll_back(&signed(2), &trust(), &host(), 3).unwrap(),
        Installed::Activated {
            channel_id: 291,
            version: 2,
            previous: Some(3)
        }
    );
    // The highest accepted version stays 3: an ordinary install of 1 or 2 is refused.
    assert!(matches!(
        store.install(&signed(1), &trust(), &host()),
        Err(StoreError::Rollback { highest: 3, .. })
    ));
    drop(store);
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    assert_eq!(active_version(&store), Some(2), "the rollback is durable");
    assert!(store.install(&signed(1), &trust(), &host()).is_err());
    // A resumed release installs again the ordinary way.
    assert!(matches!(
        store.install(&signed(3), &trust(), &host()).unwrap(),
        Installed::Activated { version: 3, .. }
    ));
}

/// The store passes over an active file below the recorded highest version at open and
/// falls back to the last known good copy: a rollback to a version that was never the
/// last known good (1 installed, then 3, rolled back to 2) must survive a restart too.
#[test]
fn a_rollback_past_the_last_known_good_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    for v in [1, 3] {
        store.install(&signed(v), &trust(), &host()).unwrap();
    }
    store.roll_back(&signed(2), &trust(), &host(), 3).unwrap();
    drop(store);
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    assert_eq!(active_version(&store), Some(2));
}

/// A record reset of channel 291, signed with `key`.
fn reset(from: u64, to: u64, serial: u64, key: &SigningKey) -> Vec<u8> {
    let reset = RecordReset {
        channel_id: 291,
        from,
        to,
        serial,
    };
    sign_reset(&reset, &[key]).unwrap()
}

/// The first reset of a store frozen at the ceiling, to version 7, with its channel.
fn first_reset_to_7(store: &ChannelStore) -> Result<Installed, StoreError> {
    let reset = reset(MAX_CONTENT_VERSION, 7, 1, &test_key());
    store.reset_record(&reset, &signed(7), &trust(), &host())
}

/// Whether the store refused a reset as not applying, naming `why`.
fn refused(result: Result<Installed, StoreError>, why: &str) -> bool {
    matches!(&result, Err(StoreError::ResetRefused { reason, .. }) if reason.contains(why))
}

/// The record reset is the way out of a channel id frozen at the version ceiling
/// (docs/delivery.md, "Content versions"): before it, nothing is newer than the ceiling;
/// after it, the id counts from the reset's version, also across a restart.
#[test]
fn a_store_frozen_at_the_ceiling_takes_a_signed_reset_and_then_newer_content() {
    let dir = tempfile::tempdir().unwrap();
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    store.install(&signed(7), &trust(), &host()).unwrap();
    store
        .install(&signed(MAX_CONTENT_VERSION), &trust(), &host())
        .unwrap();
    // Frozen: the halt's rollback goes back, but the record stays at the ceiling.
    assert!(matches!(
        store.install(&signed(8), &trust(), &host()),
        Err(StoreError::Rollback { .. })
    ));
    let done = first_reset_to_7(&store).unwrap();
    assert_eq!(
        done,
        Installed::Activated {
            channel_id: 291,
            version: 7,
            previous: Some(MAX_CONTENT_VERSION)
        }
    );
    assert_eq!(store.highest_version(291), Some(7));
    assert_eq!(active_version(&store), Some(7));
    // A restart opens to the reset's channel and its record.
    drop(store);
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    assert_eq!(active_version(&store), Some(7));
    assert_eq!(store.highest_version(291), Some(7));
    assert_eq!(
        fs::read_to_string(dir.path().join("291.version")).unwrap(),
        "7\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("291.reset")).unwrap(),
        "1\n"
    );
    // Newer content installs the ordinary way; older is refused as ever.
    assert!(matches!(
        store.install(&signed(8), &trust(), &host()).unwrap(),
        Installed::Activated { version: 8, .. }
    ));
    assert!(matches!(
        store.install(&signed(6), &trust(), &host()),
        Err(StoreError::Rollback { highest: 8, .. })
    ));
}

#[test]
fn an_unsigned_stale_or_mismatched_reset_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    let ceiling = MAX_CONTENT_VERSION;
    for v in [7, ceiling] {
        store.install(&signed(v), &trust(), &host()).unwrap();
    }
    let good = reset(ceiling, 7, 2, &test_key());
    // Not signed by a trusted key, not signed at all, or changed after signing.
    let mut unsigned = good.clone();
    unsigned.truncate(RESET_LEN);
    let mut flipped = good.clone();
    flipped[24] ^= 1; // `to`: 7 becomes 6
    for bad in [reset(ceiling, 7, 2, &other_key()), unsigned, flipped] {
        let result = store.reset_record(&bad, &signed(7), &trust(), &host());
        assert!(
            matches!(result, Err(StoreError::BadReset(ResetError::Signature(_)))),
            "{result:?}"
        );
    }
    // A channel file is not a reset, nor a reset a channel.
    assert!(matches!(
        store.reset_record(&signed(7), &signed(7), &trust(), &host()),
        Err(StoreError::BadReset(ResetError::Malformed {
            offset: 0,
            ..
        }))
    ));
    assert!(matches!(
        store.install(&good, &trust(), &host()),
        Err(StoreError::Verify(_))
    ));
    // Signed, but not for this store's state or this channel.
    let cases = [
        (
            reset(ceiling - 1, 7, 2, &test_key()),
            signed(7),
            "highest version this store accepted is 9007199254740991",
        ),
        (
            reset(ceiling, 7, 2, &test_key()),
            signed(6),
            "channel delivered with it is version 6",
        ),
        (
            reset(ceiling, ceiling, 2, &test_key()),
            signed(ceiling),
            "not lower",
        ),
    ];
    for (bad, channel, why) in cases {
        let result = store.reset_record(&bad, &channel, &trust(), &host());
        assert!(refused(result, why), "{why}");
    }
    let mut other = small_channel();
    other.id = 292;
    other.content_version = 7;
    assert!(refused(
        store.reset_record(&good, &sign1(&other), &trust(), &host()),
        "the channel delivered with it is channel 292"
    ));
    assert_eq!(active_version(&store), Some(ceiling));
    assert_eq!(store.highest_version(291), Some(ceiling));
    assert!(!dir.path().join("291.reset").exists());

    // Taken once: the same reset, replayed after the id climbed back to the ceiling, and
    // an older serial, are stale, also after a restart.
    store
        .reset_record(&good, &signed(7), &trust(), &host())
        .unwrap();
    store.install(&signed(ceiling), &trust(), &host()).unwrap();
    drop(store);
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    for serial in [1, 2] {
        let stale = reset(ceiling, 7, serial, &test_key());
        assert!(refused(
            store.reset_record(&stale, &signed(7), &trust(), &host()),
            "already took reset 2"
        ));
    }
    assert_eq!(active_version(&store), Some(ceiling));
    // The next serial is taken.
    store
        .reset_record(
            &reset(ceiling, 7, 3, &test_key()),
            &signed(7),
            &trust(),
            &host(),
        )
        .unwrap();
    assert_eq!(store.highest_version(291), Some(7));
}

/// A reset drops the crash-loop guard's quarantine of the frozen version: otherwise the
/// quarantine, at the ceiling, would refuse every version of the id's new count.
#[test]
fn a_reset_drops_the_quarantine_of_the_versions_it_takes_back() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
        store
            .install_at(&signed(7), &trust(), &host(), 1_000)
            .unwrap();
        store
            .install_at(&signed(MAX_CONTENT_VERSION), &trust(), &host(), 1_000)
            .unwrap();
    }
    // The sensor crashes on it at every start until the guard rolls it back.
    let mut quarantined = Vec::new();
    for start in 0..3 {
        let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
        quarantined = store
            .sensor_started(&trust(), &host(), 1_001 + start)
            .unwrap();
    }
    assert_eq!(quarantined.len(), 1);
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    assert_eq!(active_version(&store), Some(7));
    first_reset_to_7(&store).unwrap();
    assert!(store.quarantined().is_empty());
    store.install(&signed(8), &trust(), &host()).unwrap();
    assert_eq!(active_version(&store), Some(8));
}
