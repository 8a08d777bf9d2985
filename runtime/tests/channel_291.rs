//! Channel 291 at runtime: a channel built for a sensor that supplies 21 IPC fields and
//! using field 21 must be refused by the 20-field sensor, and the store must keep the
//! channel it had.

mod common;

use common::*;
use ward_runtime::*;

fn ipc_host(supplied: u16) -> SensorProfile {
    host_for(&channel_291(), supplied)
}

#[test]
fn field_21_against_a_sensor_supplying_20_is_field_not_supplied() {
    let bytes = sign1(&channel_291());
    let err = verify(&bytes, &trust(), &ipc_host(20)).unwrap_err();
    assert_eq!(
        err,
        VerifyError::FieldNotSupplied {
            instance: 1,
            field: 21,
            supplied: 20
        }
    );
    assert!(err.to_string().contains("field 21"));
}

#[test]
fn field_21_against_a_sensor_supplying_21_verifies_and_evaluates() {
    let bytes = sign1(&channel_291());
    let v = verify(&bytes, &trust(), &ipc_host(21)).unwrap();
    assert_eq!(v.supplied(), 21);
    let mut inputs = vec![Value::Str(String::new()); 21];
    inputs[0] = Value::Str(r"\\.\pipe\spoolss".into());
    inputs[20] = Value::Str("D:NO_ACCESS_CONTROL".into());
    assert_eq!(v.evaluate(&inputs).unwrap().len(), 1);
    // The 20-input event of the old sensor is refused, not read out of bounds.
    assert!(matches!(
        v.evaluate(&inputs[..20]),
        Err(EvalError::InputCount { .. })
    ));
}

#[test]
fn the_store_keeps_its_previous_channel() {
    let dir = tempfile::tempdir().unwrap();
    let host = ipc_host(20);
    let mut good = channel_291();
    good.content_version = 42;
    good.instances[0].criteria.pop(); // only field 1
    let mut store = ChannelStore::open(dir.path(), &trust(), &host).unwrap();
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
