//! Files that must be rejected whatever their signature: tampering, truncation, unknown or
//! missing signers, thresholds, moved signatures, weak keys and oversized files.

mod common;

use common::*;
use ward_encode::{sign, testing, EncodeError};
use ward_runtime::limits::*;
use ward_runtime::*;

fn tiny_channel() -> Channel {
    channel_with(vec![instance(1, vec![crit(PID, Op::Eq, u(4))])])
}

#[test]
fn every_single_bit_flip_is_rejected() {
    let bytes = sign1(&tiny_channel());
    verify(&bytes, &trust(), &host()).unwrap();
    let (trust, host) = (trust(), host());
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.clone();
            flipped[i] ^= 1 << bit;
            assert!(
                verify(&flipped, &trust, &host).is_err(),
                "flipping bit {bit} of byte {i} was accepted"
            );
        }
    }
}

#[test]
fn every_truncation_is_rejected() {
    let bytes = sign1(&tiny_channel());
    let (trust, host) = (trust(), host());
    for len in 0..bytes.len() {
        assert!(
            verify(&bytes[..len], &trust, &host).is_err(),
            "truncation to {len} bytes accepted"
        );
        assert!(
            decode(&bytes[..len]).is_err(),
            "decode accepted truncation to {len} bytes"
        );
    }
}

#[test]
fn trailing_bytes_are_rejected() {
    let mut bytes = sign1(&tiny_channel());
    bytes.push(0);
    assert!(matches!(
        verify(&bytes, &trust(), &host()),
        Err(VerifyError::SignatureSectionLength { .. })
    ));
}

#[test]
fn unknown_signer() {
    let bytes = sign(&tiny_channel(), &[&other_key()]).unwrap();
    let err = verify(&bytes, &trust(), &host()).unwrap_err();
    assert_eq!(
        err,
        VerifyError::UnknownSigner {
            offset: bytes.len() - 72,
            key_id: key_id(&other_key().verifying_key())
        }
    );
}

#[test]
fn unknown_signers_beside_a_trusted_one_are_ignored() {
    let bytes = sign(&tiny_channel(), &[&other_key(), &test_key()]).unwrap();
    verify(&bytes, &trust(), &host()).unwrap();
}

#[test]
fn no_signature() {
    let mut region = testing::encode_unsigned(&tiny_channel()).unwrap();
    let at = region.len();
    region.push(0);
    assert_eq!(
        verify(&region, &trust(), &host()).unwrap_err(),
        VerifyError::NoSignatures { offset: at }
    );
    region.pop();
    assert_eq!(
        verify(&region, &trust(), &host()).unwrap_err(),
        VerifyError::NoSignatures { offset: at }
    );
}

#[test]
fn too_many_signatures() {
    let key = test_key();
    let keys: Vec<&SigningKey> = (0..MAX_SIGNATURES + 1).map(|_| &key).collect();
    assert!(matches!(
        sign(&tiny_channel(), &keys),
        Err(EncodeError::KeyCount { .. })
    ));
    let region = testing::encode_unsigned(&tiny_channel()).unwrap();
    let bytes = testing::sign_unchecked(region, &keys);
    assert!(matches!(
        verify(&bytes, &trust(), &host()),
        Err(VerifyError::TooManySignatures {
            count: 17,
            limit: 16,
            ..
        })
    ));
    // At the limit it is fine.
    let bytes = sign(&tiny_channel(), &keys[..MAX_SIGNATURES]).unwrap();
    verify(&bytes, &trust(), &host()).unwrap();
}

#[test]
fn threshold_not_met() {
    let two = TrustStore::new(
        vec![test_key().verifying_key(), other_key().verifying_key()],
        2,
    )
    .unwrap();
    let one_signer = sign1(&tiny_channel());
    assert_eq!(
        verify(&one_signer, &two, &host()).unwrap_err(),
        VerifyError::ThresholdNotMet {
            offset: one_signer.len() - 1 - 72,
            valid: 1,
            required: 2
        }
    );
    let both = sign(&tiny_channel(), &[&test_key(), &other_key()]).unwrap();
    verify(&both, &two, &host()).unwrap();
}

#[test]
fn the_same_keys_signature_twice_counts_once() {
    let two = TrustStore::new(
        vec![test_key().verifying_key(), other_key().verifying_key()],
        2,
    )
    .unwrap();
    let key = test_key();
    let twice = sign(&tiny_channel(), &[&key, &key]).unwrap();
    let decoded = decode(&twice).unwrap();
    assert_eq!(decoded.signers[0], decoded.signers[1]);
    assert_eq!(
        verify(&twice, &two, &host()).unwrap_err(),
        VerifyError::ThresholdNotMet {
            offset: twice.len() - 1 - 2 * 72,
            valid: 1,
            required: 2
        }
    );
    // With a threshold of one it is simply a valid file signed by one key.
    let v = verify(&twice, &trust(), &host()).unwrap();
    assert_eq!(v.signers().len(), 1);
}

#[test]
fn a_signature_moved_from_another_valid_file_is_rejected() {
    let a = sign1(&tiny_channel());
    let mut other = tiny_channel();
    other.instances[0].criteria[0] = crit(PID, Op::Eq, u(5));
    let b = sign1(&other);
    verify(&b, &trust(), &host()).unwrap();
    // Same length, same header identity: only the payload hash differs.
    assert_eq!(a.len(), b.len());
    let mut moved = b.clone();
    let sig = a.len() - 72;
    moved[sig..].copy_from_slice(&a[sig..]);
    assert_eq!(
        verify(&moved, &trust(), &host()).unwrap_err(),
        VerifyError::BadSignature {
            offset: sig,
            key_id: key_id(&test_key().verifying_key())
        }
    );
}

#[test]
fn a_signature_cannot_move_to_another_version_or_channel() {
    // Even the identity fields alone are covered: change the content version in the
    // header and keep the signature.
    let a = sign1(&tiny_channel());
    let mut bumped = a.clone();
    bumped[16] ^= 1;
    assert!(matches!(
        verify(&bumped, &trust(), &host()),
        Err(VerifyError::BadSignature { .. })
    ));
}

#[test]
fn weak_keys_are_refused_by_the_trust_store() {
    // The identity point and a point of order 8 both decompress but are weak.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = VerifyingKey::from_bytes(&identity).unwrap();
    assert!(matches!(
        TrustStore::with_keys(vec![weak]),
        Err(TrustError::WeakKey { .. })
    ));
    let order8: [u8; 32] = [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ];
    let weak = VerifyingKey::from_bytes(&order8).unwrap();
    assert!(weak.is_weak());
    assert!(matches!(
        TrustStore::new(vec![test_key().verifying_key(), weak], 1),
        Err(TrustError::WeakKey { .. })
    ));
}

#[test]
fn mixed_order_keys_are_refused_so_one_secret_cannot_be_two_signers() {
    // A real key plus a point of order 8: not small-order, so `is_weak` passes it, yet
    // the same secret's signatures verify under it (for some messages), as a second id.
    let real = test_key().verifying_key();
    for torsion in &curve25519_dalek::constants::EIGHT_TORSION[1..] {
        let mixed = (real.to_edwards() + torsion).compress().to_bytes();
        let mixed = VerifyingKey::from_bytes(&mixed).unwrap();
        assert!(!mixed.is_weak());
        assert!(matches!(
            TrustStore::new(vec![real, mixed], 2),
            Err(TrustError::WeakKey { .. })
        ));
        let text = format_public_key(&mixed);
        assert!(matches!(
            parse_public_key(&text),
            Err(TrustError::WeakKey { .. })
        ));
    }
    // The real key alone is trusted.
    TrustStore::new(vec![real], 1).unwrap();
}

#[test]
fn files_over_the_size_limit_are_rejected_before_anything_else() {
    let big = vec![0u8; MAX_FILE_SIZE + 1];
    assert_eq!(
        verify(&big, &trust(), &host()).unwrap_err(),
        VerifyError::FileTooLarge {
            offset: MAX_FILE_SIZE,
            size: MAX_FILE_SIZE + 1,
            limit: MAX_FILE_SIZE
        }
    );
    assert!(matches!(
        decode(&big),
        Err(VerifyError::FileTooLarge { .. })
    ));
    // At the limit the size check passes and framing decides.
    let at_limit = vec![0u8; MAX_FILE_SIZE];
    assert!(matches!(
        verify(&at_limit, &trust(), &host()),
        Err(VerifyError::BadMagic { .. })
    ));
}

#[test]
fn framing_errors() {
    let bytes = sign1(&tiny_channel());
    assert_eq!(
        verify(&bytes[..10], &trust(), &host()).unwrap_err(),
        VerifyError::TooShort {
            offset: 10,
            size: 10,
            needed: 40
        }
    );
    let mut bad = bytes.clone();
    bad[0] = b'X';
    assert!(matches!(
        verify(&bad, &trust(), &host()),
        Err(VerifyError::BadMagic { .. })
    ));
    let mut bad = bytes.clone();
    bad[8] = 2;
    assert!(matches!(
        verify(&bad, &trust(), &host()),
        Err(VerifyError::UnsupportedFormatVersion { found: 2, .. })
    ));
    let mut bad = bytes.clone();
    bad[10] = 1;
    assert!(matches!(
        verify(&bad, &trust(), &host()),
        Err(VerifyError::NonZeroReserved { offset: 10, .. })
    ));
    let mut bad = bytes.clone();
    bad[34] = 1;
    assert!(matches!(
        verify(&bad, &trust(), &host()),
        Err(VerifyError::NonZeroReserved { offset: 34, .. })
    ));
    // A body length that would run past the end (the largest one, which overflows a
    // 32-bit offset when added to the header length).
    let mut bad = bytes.clone();
    bad[36..40].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        verify(&bad, &trust(), &host()),
        Err(VerifyError::BodyOutOfBounds {
            body_len: u32::MAX,
            ..
        })
    ));
    let mut bad = bytes.clone();
    bad[32..34].copy_from_slice(&0u16.to_le_bytes());
    assert_eq!(
        verify(&bad, &trust(), &host()).unwrap_err(),
        VerifyError::NoFields { offset: 32 }
    );
    let mut bad = bytes.clone();
    bad[32..34].copy_from_slice(&255u16.to_le_bytes());
    assert!(matches!(
        verify(&bad, &trust(), &host()),
        Err(VerifyError::LimitExceeded { found: 255, .. })
    ));
}

#[test]
fn a_trusted_signature_that_fails_is_fatal_even_beside_a_good_one() {
    let mut bytes = sign(&tiny_channel(), &[&test_key(), &other_key()]).unwrap();
    let both = TrustStore::new(
        vec![test_key().verifying_key(), other_key().verifying_key()],
        1,
    )
    .unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    assert!(matches!(
        verify(&bytes, &both, &host()),
        Err(VerifyError::BadSignature { .. })
    ));
}

#[test]
fn verify_strict_refuses_a_small_order_r_that_plain_verify_accepts() {
    use ed25519_dalek::{Signature, Verifier};
    let region = testing::encode_unsigned(&tiny_channel()).unwrap();
    let msg = signed_message(&region);
    let key = test_key();
    let sig = small_order_r_signature(&key, &msg);
    // The input tells the two apart: cofactorless `verify` accepts it.
    key.verifying_key()
        .verify(&msg, &Signature::from_bytes(&sig))
        .unwrap();
    let id = key_id(&key.verifying_key());
    let bytes = with_signatures(&region, &[(id.0, sig)]);
    assert_eq!(
        verify(&bytes, &trust(), &host()).unwrap_err(),
        VerifyError::BadSignature {
            offset: region.len() + 1,
            key_id: id
        }
    );
}

#[test]
fn a_weak_key_forges_anything_and_is_never_trusted() {
    use ed25519_dalek::{Signature, Verifier};
    let region = testing::encode_unsigned(&tiny_channel()).unwrap();
    let msg = signed_message(&region);
    // Under the identity key, R = identity and s = 0 satisfy the verification equation
    // for every message: a universal forgery, accepted by cofactorless `verify`.
    let weak = VerifyingKey::from_bytes(&IDENTITY_POINT).unwrap();
    let mut forged = [0u8; 64];
    forged[..32].copy_from_slice(&IDENTITY_POINT);
    weak.verify(&msg, &Signature::from_bytes(&forged)).unwrap();
    weak.verify(b"anything at all", &Signature::from_bytes(&forged))
        .unwrap();
    assert!(weak
        .verify_strict(&msg, &Signature::from_bytes(&forged))
        .is_err());
    // A host can never come to trust it, from a key file or in code.
    assert!(matches!(
        parse_public_key(&format_public_key(&weak)),
        Err(TrustError::WeakKey { .. })
    ));
    assert!(matches!(
        TrustStore::with_keys(vec![weak]),
        Err(TrustError::WeakKey { .. })
    ));
    let bytes = with_signatures(&region, &[(key_id(&weak).0, forged)]);
    assert_eq!(
        verify(&bytes, &trust(), &host()).unwrap_err(),
        VerifyError::UnknownSigner {
            offset: region.len() + 1,
            key_id: key_id(&weak)
        }
    );
}

#[test]
fn an_untrusted_key_id_is_skipped_without_reading_its_signature() {
    use ed25519_dalek::Signer;
    let region = testing::encode_unsigned(&tiny_channel()).unwrap();
    let good = test_key().sign(&signed_message(&region)).to_bytes();
    let ours = key_id(&test_key().verifying_key()).0;
    // Not a point and not a canonical scalar: any attempt to verify it fails.
    let junk = [0xff; 64];
    let bytes = with_signatures(&region, &[([0xee; 8], junk), (ours, good)]);
    verify(&bytes, &trust(), &host()).unwrap();
    // The same bytes under a trusted key id are verified, and fatal.
    let bytes = with_signatures(&region, &[(ours, junk), (ours, good)]);
    assert_eq!(
        verify(&bytes, &trust(), &host()).unwrap_err(),
        VerifyError::BadSignature {
            offset: region.len() + 1,
            key_id: KeyId(ours)
        }
    );
}
