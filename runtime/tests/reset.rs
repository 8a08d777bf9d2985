//! The record reset's bytes and signatures (runtime/src/reset.rs): what `sign_reset`
//! writes is the table of reset.rs, rebuilt by hand here; no bit flip or truncation of a
//! signed reset verifies; a signature over anything but the reset's own message, a
//! channel's included, does not count.

mod common;

use common::*;
use ed25519_dalek::Signer as _;
use ward_encode::sign_reset;
use ward_runtime::*;

const RESET: RecordReset = RecordReset {
    channel_id: 291,
    from: limits::MAX_CONTENT_VERSION,
    to: 7,
    serial: 2,
};

fn signed() -> Vec<u8> {
    sign_reset(&RESET, &[&test_key()]).unwrap()
}

#[test]
fn a_signed_reset_is_the_documented_bytes_and_verifies_to_what_it_says() {
    let bytes = signed();
    let mut region = b"WARDRSET".to_vec();
    region.extend_from_slice(&1u16.to_le_bytes());
    region.extend_from_slice(&0u16.to_le_bytes());
    region.extend_from_slice(&291u32.to_le_bytes());
    region.extend_from_slice(&((1u64 << 53) - 1).to_le_bytes());
    region.extend_from_slice(&7u64.to_le_bytes());
    region.extend_from_slice(&2u64.to_le_bytes());
    assert_eq!(region.len(), RESET_LEN);
    let msg = [&b"ward-record-reset-v1\0"[..], &region].concat();
    let signature = test_key().sign(&msg).to_bytes();
    let expected = with_signatures(
        &region,
        &[(key_id(&test_key().verifying_key()).0, signature)],
    );
    assert_eq!(bytes, expected);
    assert_eq!(verify_reset(&bytes, &trust()), Ok(RESET));
}

#[test]
fn no_bit_flip_or_truncation_of_a_signed_reset_verifies() {
    let bytes = signed();
    for bit in 0..bytes.len() * 8 {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        assert!(verify_reset(&flipped, &trust()).is_err(), "bit {bit}");
    }
    for len in 0..bytes.len() {
        assert!(
            verify_reset(&bytes[..len], &trust()).is_err(),
            "{len} bytes"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(verify_reset(&longer, &trust()).is_err());
}

#[test]
fn only_the_trusted_keys_signatures_over_the_resets_own_message_count() {
    let region = RESET.region();
    let id = key_id(&test_key().verifying_key()).0;
    // The reset's 40 bytes signed without the domain tag, or as a channel's region is.
    for msg in [region.to_vec(), signed_message(&region)] {
        let forged = with_signatures(&region, &[(id, test_key().sign(&msg).to_bytes())]);
        assert!(
            matches!(
                verify_reset(&forged, &trust()),
                Err(ResetError::Signature(VerifyError::BadSignature { .. }))
            ),
            "{msg:?}"
        );
    }
    // By an untrusted key, or short of a threshold of two.
    let other = sign_reset(&RESET, &[&other_key()]).unwrap();
    assert!(matches!(
        verify_reset(&other, &trust()),
        Err(ResetError::Signature(VerifyError::UnknownSigner { .. }))
    ));
    let two = TrustStore::new(
        vec![test_key().verifying_key(), other_key().verifying_key()],
        2,
    )
    .unwrap();
    assert!(matches!(
        verify_reset(&signed(), &two),
        Err(ResetError::Signature(VerifyError::ThresholdNotMet { .. }))
    ));
    let both = sign_reset(&RESET, &[&test_key(), &other_key()]).unwrap();
    assert_eq!(verify_reset(&both, &two), Ok(RESET));
}

#[test]
fn a_channel_file_is_not_a_reset() {
    let channel = sign1(&small_channel());
    assert!(matches!(
        verify_reset(&channel, &trust()),
        Err(ResetError::Malformed { offset: 0, .. })
    ));
    assert!(matches!(
        verify(&signed(), &trust(), &host()),
        Err(VerifyError::BadMagic { .. })
    ));
}
