//! Evaluating through the C ABI makes no heap allocation per event, as the Rust API does
//! not: after one warm-up pass (the thread's kept inputs and buffer grow to the largest
//! event, the regex engines build their caches), a counting allocator sees none, timed
//! or not, and the matches are still the runtime's own.

#[path = "support/c_data.rs"]
#[allow(dead_code)] // the profile half is what this test needs of it
mod c_data;
#[path = "../../runtime/benches/mix/mod.rs"]
mod mix;

use std::ffi::c_void;
use std::ptr;

use ward_ffi::*;
use ward_runtime::{EvalBuffer, Value};

use c_data::{c_inputs, c_profile, ip_bytes, no_error, Keep};

/// A clock that counts its calls, so timing needs no system call.
extern "C" fn ticks(context: *mut c_void) -> u64 {
    // SAFETY: the test passes a pointer to its own `u64` counter.
    let n = unsafe { &mut *context.cast::<u64>() };
    *n += 1;
    *n
}

#[test]
fn evaluation_through_the_c_abi_allocates_nothing_per_event() {
    let (bytes, host) = mix::signed(1_000);
    let mut keep = Keep::default();
    let def = c_profile(&mut keep, &host);
    let key = mix::key().verifying_key().to_bytes();
    let mut err = no_error();
    let (mut trust, mut profile, mut channel) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: one 32-byte key; every out-pointer is writable; `keep` holds what `def`
    // points at; `bytes` is readable for its length.
    unsafe {
        assert_eq!(
            ward_trust_new(key.as_ptr(), 1, 1, &mut trust, &mut err),
            WardStatus::Ok
        );
    }
    // SAFETY: as above.
    unsafe {
        assert_eq!(
            ward_profile_new(&def, &mut profile, &mut err),
            WardStatus::Ok
        )
    };
    // SAFETY: as above; the handles are live.
    let status = unsafe {
        ward_channel_verify(
            bytes.as_ptr(),
            bytes.len(),
            trust,
            profile,
            &mut channel,
            &mut err,
        )
    };
    assert_eq!(status, WardStatus::Ok);

    let events = mix::events(1_000, 200);
    let addresses: Vec<Vec<Vec<u8>>> = events.iter().map(|e| ip_bytes(e)).collect();
    let inputs: Vec<Vec<WardValue>> = events
        .iter()
        .zip(&addresses)
        .map(|(e, a)| c_inputs(e, a))
        .collect();
    let mut matches = [WardMatch {
        instance: 0,
        severity: 0,
        action: 0,
    }; 64];
    let mut clock = 0u64;
    let mut evaluate = |event: &[WardValue], timed: bool| -> Vec<u32> {
        let mut count = 0;
        let context = ptr::addr_of_mut!(clock).cast::<c_void>();
        // SAFETY: a live handle; `event` and `matches` valid for their lengths, every
        // input's bytes alive in `events` and `addresses`; the clock reads `clock`.
        let status = unsafe {
            ward_channel_evaluate_timed(
                channel,
                event.as_ptr(),
                event.len(),
                matches.as_mut_ptr(),
                matches.len(),
                &mut count,
                timed.then_some(ticks as _),
                context,
                ptr::null_mut(),
            )
        };
        assert_eq!(status, WardStatus::Ok);
        matches[..count].iter().map(|m| m.instance).collect()
    };
    let warm: Vec<Vec<u32>> = inputs.iter().map(|e| evaluate(e, false)).collect();
    let counted = allocation_counter::measure(|| {
        for e in &inputs {
            std::hint::black_box(evaluate(e, false).len());
            std::hint::black_box(evaluate(e, true).len());
        }
    });
    // The test's own `Vec<u32>` of the matches of each call is counted too: one per call
    // that matched something (an empty `Vec` does not allocate).
    let own = 2 * warm.iter().filter(|m| !m.is_empty()).count() as u64;
    assert_eq!(counted.count_total, own, "{counted:?}");

    // And the answers are the runtime's.
    let rust = ward_runtime::verify(&bytes, &mix::trust(), &host).unwrap();
    let mut buffer = EvalBuffer::new();
    for (e, warm) in events.iter().zip(&warm) {
        let borrowed: Vec<Value<&str>> = e.iter().map(Value::borrowed).collect();
        let direct: Vec<u32> = rust
            .evaluate_into(&borrowed, &mut buffer)
            .unwrap()
            .iter()
            .map(|m| m.instance)
            .collect();
        assert_eq!(&direct, warm);
    }
    assert!(warm.iter().any(|m| !m.is_empty()), "no event matched");
    // SAFETY: handles from the calls above, each freed once.
    unsafe { ward_channel_free(channel) };
    // SAFETY: as above.
    unsafe { ward_profile_free(profile) };
    // SAFETY: as above.
    unsafe { ward_trust_free(trust) };
}
