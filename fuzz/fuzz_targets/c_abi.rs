//! Property: the C ABI (ward-ffi) never lets a panic out and answers as the Rust API
//! does. A generated channel, signed, verifies through `ward_channel_verify` for the host
//! profile passed as C data exactly when `ward_runtime::verify` accepts it (a flipped
//! byte sometimes makes it refused: then the status is VERIFY); every event, well typed
//! or wild (unknown kinds, wrong lengths, bad UTF-8), evaluates to the Rust API's matches
//! or to a status, and a small match buffer is TRUNCATED with the true count.
#![no_main]

#[path = "../../ffi/tests/support/c_data.rs"]
mod c_data;

use std::ptr;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ward_encode::sign;
use ward_ffi::*;
use ward_fuzz::{channel, host, key, trust, typed_event, wild_event};
use ward_runtime::verify;

use c_data::{c_inputs, c_profile, ip_bytes, Keep};

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let generated = channel(u)?;
    let mut bytes = sign(&generated.channel, &[&key()]).unwrap_or_else(|e| panic!("sign: {e}"));
    if u.ratio(1, 4)? && !bytes.is_empty() {
        let at = u.choose_index(bytes.len())?;
        bytes[at] ^= u.int_in_range(1..=255)?;
    }
    let profile = host(generated.supplied);
    let rust = verify(&bytes, &trust(), &profile);

    let mut keep = Keep::default();
    let def = c_profile(&mut keep, &profile);
    let key = key().verifying_key().to_bytes();
    let mut err = c_data::no_error();
    let (mut t, mut p, mut c) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: `key` is 32 readable bytes and `t` and `err` are writable.
    assert_eq!(
        unsafe { ward_trust_new(key.as_ptr(), 1, 1, &mut t, &mut err) },
        WardStatus::Ok
    );
    // SAFETY: `def` and all it points to live in `keep` until the end of this function.
    assert_eq!(
        unsafe { ward_profile_new(&def, &mut p, &mut err) },
        WardStatus::Ok
    );
    // SAFETY: `bytes` is readable for its length; the handles are live; `c` is writable.
    let status =
        unsafe { ward_channel_verify(bytes.as_ptr(), bytes.len(), t, p, &mut c, &mut err) };
    match &rust {
        Ok(_) => assert_eq!(status, WardStatus::Ok),
        Err(e) => {
            assert_eq!(status, WardStatus::Verify);
            assert_eq!(err.status, WardStatus::Verify);
            assert!(
                err.message.contains(&0),
                "the message is NUL-terminated ({e})"
            );
        }
    }
    if let Ok(verified) = &rust {
        for _ in 0..u.int_in_range(1..=8)? {
            let event = if u.ratio(1, 3)? {
                wild_event(u)?
            } else {
                typed_event(u, generated.supplied)?
            };
            let ips = ip_bytes(&event);
            let junk: Vec<u8> = u.arbitrary()?;
            let mut inputs = c_inputs(&event, &ips);
            // Now and then a value a buggy host might pass: any kind, any bytes.
            let wild = u.ratio(1, 4)?;
            if wild && !inputs.is_empty() {
                let at = u.choose_index(inputs.len())?;
                inputs[at] = WardValue {
                    kind: u.int_in_range(0..=9)?,
                    uint: u.arbitrary()?,
                    sint: u.arbitrary()?,
                    bytes: junk.as_ptr(),
                    len: junk.len(),
                };
            }
            let capacity = u.int_in_range(0..=8)?;
            let mut matches = vec![
                WardMatch {
                    instance: 0,
                    severity: 0,
                    action: 0
                };
                capacity
            ];
            let mut found = usize::MAX;
            // SAFETY: `c` is live; every input's `bytes` points into `event`, `ips` or
            // `junk`, alive here, for its `len`; `matches` holds `capacity` entries.
            let status = unsafe {
                ward_channel_evaluate(
                    c,
                    inputs.as_ptr(),
                    inputs.len(),
                    matches.as_mut_ptr(),
                    capacity,
                    &mut found,
                    &mut err,
                )
            };
            assert_ne!(status, WardStatus::Panic);
            if wild {
                continue;
            }
            match verified.evaluate(&event) {
                Ok(expected) => {
                    assert_eq!(found, expected.len());
                    let want = if expected.len() > capacity {
                        WardStatus::Truncated
                    } else {
                        WardStatus::Ok
                    };
                    assert_eq!(status, want);
                    for (got, m) in matches.iter().zip(&expected) {
                        assert_eq!(got.instance, m.instance);
                    }
                }
                Err(_) => assert_eq!(status, WardStatus::Event),
            }
        }
    }
    // SAFETY: each handle is from its constructor (or null) and freed once.
    unsafe { ward_channel_free(c) };
    // SAFETY: as above.
    unsafe { ward_profile_free(p) };
    // SAFETY: as above.
    unsafe { ward_trust_free(t) };
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
