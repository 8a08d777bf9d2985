//! Channel 291 at the store: a channel reading field 21, offered to a 20-field sensor, is
//! refused and the store keeps the channel it had, also after a restart.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use common::*;
use ward_runtime::*;
use ward_store::{ChannelStore, StoreError};

fn ipc_host(supplied: u16) -> SensorProfile {
    host_for(&channel_291(), supplied)
}

#[test]
fn the_store_keeps_its_previous_channel() {
    let dir = tempfile::tempdir().unwrap();
    let host = ipc_host(20);
    let mut good = channel_291();
    good.content_version = 42;
    good.instances[0].criteria.pop(); // only field 1
    let store = ChannelStore::open(dir.path(), &trust(), &host).unwrap();
    store.install(&sign1(&good), &trust(), &host).unwrap();

    let bad = sign1(&channel_291()); // version 43, reads field 21
    let err = store.install(&bad, &trust(), &host).unwrap_err();
    assert!(matches!(
        err,
        StoreError::Verify(VerifyError::FieldNotSupplied {
            field: 21,
            supplied: 20,
            ..
        })
    ));
    assert!(store.active(291).unwrap().describes(&good));

    // And after a restart.
    drop(store);
    let store = ChannelStore::open(dir.path(), &trust(), &host).unwrap();
    assert!(store.active(291).unwrap().describes(&good));
    assert_eq!(store.highest_version(291), Some(42));
}
