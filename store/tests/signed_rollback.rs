//! The store's signed rollback (`ChannelStore::roll_back`), which the updater uses when
//! a rollout is halted: it replaces exactly the named version with an older one, and
//! nothing else; the ordinary install still refuses anything older than the highest
//! version accepted, also after a restart.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use common::*;
use ward_runtime::Channel;
use ward_store::{ChannelStore, Installed, StoreError};

fn version(v: u64) -> Vec<u8> {
    let mut c: Channel = small_channel();
    c.content_version = v;
    sign1(&c)
}

fn active(store: &ChannelStore) -> Option<u64> {
    store.active(291).map(|c| c.content_version())
}

#[test]
fn a_signed_rollback_replaces_exactly_the_halted_version() {
    let dir = tempfile::tempdir().unwrap();
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    for v in [1, 2, 3] {
        store.install(&version(v), &trust(), &host()).unwrap();
    }
    // Not from the version the store runs, and not to a version at or above it: refused.
    for (offered, from) in [(2, 2), (1, 2), (3, 3), (4, 3)] {
        let refused = store.roll_back(&version(offered), &trust(), &host(), from);
        assert!(
            matches!(refused, Err(StoreError::Rollback { .. })),
            "{offered} from {from}"
        );
        assert_eq!(active(&store), Some(3));
    }
    assert_eq!(
        store.roll_back(&version(2), &trust(), &host(), 3).unwrap(),
        Installed::Activated {
            channel_id: 291,
            version: 2,
            previous: Some(3)
        }
    );
    // The highest accepted version stays 3: an ordinary install of 1 or 2 is refused.
    assert!(matches!(
        store.install(&version(1), &trust(), &host()),
        Err(StoreError::Rollback { highest: 3, .. })
    ));
    drop(store);
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    assert_eq!(active(&store), Some(2), "the rollback is durable");
    assert!(store.install(&version(1), &trust(), &host()).is_err());
    // A resumed release installs again the ordinary way.
    assert!(matches!(
        store.install(&version(3), &trust(), &host()).unwrap(),
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
        store.install(&version(v), &trust(), &host()).unwrap();
    }
    store.roll_back(&version(2), &trust(), &host(), 3).unwrap();
    drop(store);
    let store = ChannelStore::open(dir.path(), &trust(), &host()).unwrap();
    assert_eq!(active(&store), Some(2));
}
