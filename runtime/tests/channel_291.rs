//! Channel 291 at runtime: a channel built for a sensor that supplies 21 IPC fields and
//! using field 21 must be refused by the 20-field sensor (ward-store's tests/channel_291.rs
//! shows the store keeping the channel it had).

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
    let VerifyError::FieldNotSupplied {
        offset,
        instance: 1,
        field: 21,
        supplied: 20,
    } = err
    else {
        panic!("{err:?}");
    };
    // The offset is the criterion's field number in the file: 21, little-endian.
    assert_eq!(err.offset(), offset);
    assert_eq!(bytes[offset..offset + 2], 21u16.to_le_bytes());
    assert!(err.to_string().contains("field 21"));
    assert!(err.to_string().starts_with(&format!("at byte {offset}:")));
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
