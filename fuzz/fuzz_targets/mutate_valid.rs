//! Property: every channel the generator builds from the fuzzer's bytes verifies, decodes
//! to itself and re-encodes to the same bytes; every mutation of its signed region, signed
//! again so that it reaches the structure and semantic stages, is either rejected with a
//! typed error or verifies and then evaluates arbitrary events without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ward_fuzz::{channel, host, key, trust, typed_event, wild_event};
use ward_encode::{sign, testing};
use ward_runtime::{decode, verify};

use arbitrary::{Result, Unstructured};

/// One edit of the signed region. Offsets wrap around the region's length.
fn mutate(u: &mut Unstructured<'_>, region: &mut Vec<u8>) -> Result<()> {
    if region.is_empty() {
        return Ok(());
    }
    let at = u.arbitrary::<usize>()? % region.len();
    match u.int_in_range(0..=5)? {
        0 => region[at] ^= u.int_in_range(1..=255)?,
        1 => region[at] = u.arbitrary()?,
        // Counts, lengths, offsets and string indices are u32: set one to a boundary.
        2 => {
            let v: u32 = *u.choose(&[0, 1, 2, 0x7fff_ffff, 0xffff_fffe, u32::MAX])?;
            let end = (at + 4).min(region.len());
            region[at..end].copy_from_slice(&v.to_le_bytes()[..end - at]);
        }
        3 => {
            let bytes: Vec<u8> = u.arbitrary()?;
            region.splice(at..at, bytes.into_iter().take(64));
        }
        4 => {
            let end = (at + u.int_in_range(1..=16)?).min(region.len());
            region.drain(at..end);
        }
        _ => region.truncate(at),
    }
    Ok(())
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let generated = channel(u)?;
    let (key, trust, host) = (key(), trust(), host(generated.supplied));
    let bytes = sign(&generated.channel, &[&key]).unwrap_or_else(|e| panic!("sign: {e}"));
    let verified = verify(&bytes, &trust, &host)
        .unwrap_or_else(|e| panic!("a generated channel was rejected: {e}"));
    assert!(verified.describes(&generated.channel));
    assert_eq!(
        decode(&bytes).map(|d| d.channel).as_ref(),
        Ok(&generated.channel)
    );
    assert_eq!(
        sign(&generated.channel, &[&key]).as_ref(),
        Ok(&bytes),
        "not deterministic"
    );

    let mut region =
        testing::encode_unsigned(&generated.channel).unwrap_or_else(|e| panic!("encode: {e}"));
    for _ in 0..u.int_in_range(1..=4)? {
        mutate(u, &mut region)?;
    }
    if u.arbitrary()? {
        testing::fix_body_len(&mut region);
    }
    let mutated = testing::sign_unchecked(region, &[&key]);
    let decoded = decode(&mutated);
    match verify(&mutated, &trust, &host) {
        Err(_) => {}
        Ok(channel) => {
            let decoded = decoded.unwrap_or_else(|e| panic!("verified but does not decode: {e}"));
            assert!(channel.describes(&decoded.channel));
            for _ in 0..u.int_in_range(0..=4)? {
                let event = if u.arbitrary()? {
                    typed_event(u, generated.supplied)?
                } else {
                    wild_event(u)?
                };
                let _ = channel.evaluate(&event);
            }
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
