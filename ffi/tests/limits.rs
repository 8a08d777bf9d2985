//! The host's limits through the C ABI: `ward_limits_default` is the runtime's
//! `Limits::DEFAULT`, and a limit a host lowers in its `WardLimits` is enforced by
//! `ward_channel_verify_with` exactly as the runtime's `verify_with` enforces it (the
//! same code, offset and message).

#[path = "support/c_data.rs"]
#[allow(dead_code)] // the fuzz target and the benchmark use the inputs half
mod c_data;
#[path = "../../runtime/benches/mix/mod.rs"]
#[allow(dead_code)] // the benchmarks' events are not needed here
mod mix;

use std::ffi::CStr;
use std::ptr;

use ward_ffi::*;
use ward_runtime::{verify_with, Limits, VerifyError};

use c_data::{c_profile, no_error, Keep};

/// Verifies `bytes` through the C ABI under `limits` (null for none given): the status,
/// the error it wrote, and whether a channel was handed out (it is freed).
fn verify_through_ffi(bytes: &[u8], limits: *const WardLimits) -> (WardStatus, WardError, bool) {
    let key = mix::key().verifying_key().to_bytes();
    let (_, host) = mix::signed(1);
    let mut keep = Keep::default();
    let def = c_profile(&mut keep, &host);
    let mut err = no_error();
    let (mut trust, mut profile, mut channel) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: one 32-byte key; `trust` and `err` are writable.
    let status = unsafe { ward_trust_new(key.as_ptr(), 1, 1, &mut trust, &mut err) };
    assert_eq!(status, WardStatus::Ok);
    // SAFETY: `keep` holds everything `def` points at.
    let status = unsafe { ward_profile_new(&def, &mut profile, &mut err) };
    assert_eq!(status, WardStatus::Ok);
    // SAFETY: `bytes` readable for its length; live handles; `limits` null or readable.
    let status = unsafe {
        ward_channel_verify_with(
            bytes.as_ptr(),
            bytes.len(),
            trust,
            profile,
            limits,
            &mut channel,
            &mut err,
        )
    };
    let verified = !channel.is_null();
    // SAFETY: handles from the calls above (or null), each freed once.
    unsafe { ward_channel_free(channel) };
    // SAFETY: as above.
    unsafe { ward_profile_free(profile) };
    // SAFETY: as above.
    unsafe { ward_trust_free(trust) };
    (status, err, verified)
}

fn message(err: &WardError) -> String {
    // SAFETY: Ward writes a NUL-terminated message into the array.
    unsafe { CStr::from_ptr(err.message.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn the_default_limits_are_the_runtimes() {
    let d = ward_limits_default();
    assert_eq!(Limits::from(&d), Limits::DEFAULT);
    assert_eq!(d.max_decoded_bytes, ward_runtime::limits::MAX_DECODED_BYTES);
    assert_eq!(d.max_event_cost, ward_runtime::limits::MAX_EVENT_COST);
    assert_eq!(d.max_instances, ward_runtime::limits::MAX_INSTANCES);
}

#[test]
fn a_limit_the_host_lowers_is_enforced_as_the_runtime_enforces_it() {
    let (bytes, host) = mix::signed(1_000);
    let defaults = ward_limits_default();
    let (status, _, verified) = verify_through_ffi(&bytes, &defaults);
    assert_eq!((status, verified), (WardStatus::Ok, true));

    // Each lowered limit refuses the 1,000-instance channel, with the runtime's answer.
    let lowered = [
        WardLimits {
            max_instances: 999,
            ..defaults
        },
        WardLimits {
            max_decoded_bytes: 64 * 1024,
            ..defaults
        },
        WardLimits {
            max_file_size: bytes.len() - 1,
            ..defaults
        },
        WardLimits {
            max_event_cost: 1_000,
            ..defaults
        },
    ];
    for limits in &lowered {
        let expected = verify_with(&bytes, &mix::trust(), &host, &Limits::from(limits))
            .map(|_| ())
            .unwrap_err();
        assert!(
            matches!(
                expected,
                VerifyError::LimitExceeded { .. }
                    | VerifyError::FileTooLarge { .. }
                    | VerifyError::CostOverBudget { .. }
            ),
            "{expected:?}"
        );
        let (status, err, verified) = verify_through_ffi(&bytes, limits);
        assert_eq!(
            (status, verified),
            (WardStatus::Verify, false),
            "{limits:?}"
        );
        assert_eq!(err.code, u32::from(expected.code()), "{limits:?}");
        assert_eq!(err.offset, expected.offset() as u64, "{limits:?}");
        // The message is the runtime's sentence, cut to fit the host's array.
        let (sentence, written) = (expected.to_string(), message(&err));
        assert!(
            sentence.starts_with(&written) && !written.is_empty(),
            "{written}"
        );
        assert_eq!(written.len(), sentence.len().min(WARD_MESSAGE_LEN - 1));
    }
}

#[test]
fn null_limits_are_refused_not_defaulted() {
    let (bytes, _) = mix::signed(10);
    let (status, err, verified) = verify_through_ffi(&bytes, ptr::null());
    assert_eq!((status, verified), (WardStatus::NullArgument, false));
    assert_eq!(message(&err), "`limits` is null");
}
