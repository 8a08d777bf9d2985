//! Encoding and decoding: round trips, deterministic bytes, key ids and key text.

mod common;

use common::*;
use ward_encode::{sign, EncodeError};
use ward_runtime::*;

#[test]
fn sign_then_decode_gives_back_the_model() {
    let channel = small_channel();
    let bytes = sign1(&channel);
    let decoded = decode(&bytes).unwrap();
    assert_eq!(decoded.channel, channel);
    assert_eq!(decoded.signers, vec![key_id(&test_key().verifying_key())]);
}

#[test]
fn signed_channel_verifies() {
    let bytes = sign1(&small_channel());
    let verified = verify(&bytes, &trust(), &host()).unwrap();
    assert!(verified.describes(&small_channel()));
    assert_eq!(verified.supplied(), 12);
    assert_eq!(verified.signers(), &[key_id(&test_key().verifying_key())]);
}

#[test]
fn a_verified_channel_names_its_instances_and_describes_only_its_model() {
    let model = small_channel();
    let v = verify(&sign1(&model), &trust(), &host()).unwrap();
    assert_eq!((v.id(), v.name()), (model.id, model.name.as_str()));
    assert_eq!(v.template(), &model.template);
    assert_eq!(v.enums(), model.enums.as_slice());
    let ids: Vec<u32> = v.instances().map(|i| i.id()).collect();
    assert_eq!(ids, [1001, 1002, 1003]);
    // Tags in the order written; a tag two instances share reads the same from both.
    let third = v.instance(1003).unwrap();
    assert_eq!(third.name(), "remote_high_port");
    assert_eq!(third.tags().collect::<Vec<_>>(), ["net", "attack.t1570"]);
    assert_eq!(third.severity(), Severity::Low);
    assert_eq!(third.criteria(), 2);
    assert_eq!(
        v.instance(1001).unwrap().tags().collect::<Vec<_>>(),
        ["attack.t1570"]
    );
    assert_eq!(v.instance(1002).unwrap().tags().count(), 0);
    assert!(v.instance(1004).is_none());

    // Any difference in what it keeps of the model is seen.
    let changes: [fn(&mut Channel); 5] = [
        |c| c.name.push('x'),
        |c| c.instances[1].name.push('x'),
        |c| c.instances[2].tags.swap(0, 1),
        |c| c.instances[0].severity = Severity::Critical,
        |c| {
            c.instances.pop();
        },
    ];
    for change in changes {
        let mut other = model.clone();
        change(&mut other);
        assert!(!v.describes(&other), "{other:?}");
    }
}

#[test]
fn encoding_is_deterministic() {
    let a = sign1(&small_channel());
    let b = sign1(&small_channel());
    assert_eq!(a, b);
    // And a different channel gives different bytes.
    let mut other = small_channel();
    other.content_version += 1;
    assert_ne!(a, sign1(&other));
}

#[test]
fn the_file_starts_with_magic_and_version() {
    let bytes = sign1(&small_channel());
    assert_eq!(&bytes[..8], b"WARDCHAN");
    assert_eq!(&bytes[8..10], &1u16.to_le_bytes());
    assert_eq!(&bytes[12..16], &291u32.to_le_bytes());
    assert_eq!(&bytes[16..24], &42u64.to_le_bytes());
    assert_eq!(&bytes[24..28], &7u32.to_le_bytes());
    assert_eq!(&bytes[28..32], &3u32.to_le_bytes());
    assert_eq!(&bytes[32..34], &12u16.to_le_bytes());
    let body_len = u32::from_le_bytes(bytes[36..40].try_into().unwrap()) as usize;
    // One signature: count byte + 72 bytes, to the end of the file exactly.
    assert_eq!(bytes.len(), 40 + body_len + 1 + 72);
    assert_eq!(bytes[40 + body_len], 1);
}

#[test]
fn strings_are_pooled_once() {
    let mut channel = small_channel();
    for inst in &mut channel.instances {
        inst.tags = vec!["shared-tag-value".into(); 3];
    }
    let bytes = sign1(&channel);
    let needle = b"shared-tag-value";
    let count = bytes.windows(needle.len()).filter(|w| w == needle).count();
    assert_eq!(count, 1);
    assert_eq!(decode(&bytes).unwrap().channel, channel);
}

#[test]
fn two_signatures_round_trip() {
    let bytes = sign(&small_channel(), &[&test_key(), &other_key()]).unwrap();
    let decoded = decode(&bytes).unwrap();
    assert_eq!(
        decoded.signers,
        vec![
            key_id(&test_key().verifying_key()),
            key_id(&other_key().verifying_key())
        ]
    );
}

#[test]
fn encoder_refuses_what_the_format_cannot_hold() {
    let mut unsorted = small_channel();
    unsorted.instances.swap(0, 1);
    assert_eq!(
        sign1_err(&unsorted),
        EncodeError::InstanceOrder {
            id: 1001,
            previous: 1002
        }
    );
    let mut dup = small_channel();
    dup.instances[1].id = 1001;
    assert!(matches!(sign1_err(&dup), EncodeError::InstanceOrder { .. }));
    let mut no_fields = small_channel();
    no_fields.template.fields.clear();
    assert!(matches!(sign1_err(&no_fields), EncodeError::Limit { .. }));
    assert!(matches!(
        sign(&small_channel(), &[]),
        Err(EncodeError::KeyCount { found: 0, .. })
    ));
}

fn sign1_err(channel: &Channel) -> EncodeError {
    sign(channel, &[&test_key()]).unwrap_err()
}

#[test]
fn key_id_is_sha256_prefix_and_displays_as_hex() {
    use sha2::{Digest, Sha256};
    let vk = test_key().verifying_key();
    let id = key_id(&vk);
    assert_eq!(id.0[..], Sha256::digest(vk.as_bytes())[..8]);
    let text = id.to_string();
    assert_eq!(text.len(), 16);
    assert!(text
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
}

#[test]
fn public_key_text_round_trips() {
    let vk = test_key().verifying_key();
    let text = format_public_key(&vk);
    assert!(text.starts_with("ward-ed25519-pub "));
    assert!(text.ends_with('\n'));
    assert_eq!(text.len(), "ward-ed25519-pub ".len() + 64 + 1);
    assert_eq!(parse_public_key(&text).unwrap(), vk);
    assert_eq!(parse_public_key(text.trim_end()).unwrap(), vk);
}

#[test]
fn public_key_text_errors() {
    let vk = test_key().verifying_key();
    let text = format_public_key(&vk);
    let hex = text.trim_end().strip_prefix("ward-ed25519-pub ").unwrap();
    assert_eq!(parse_public_key(hex), Err(TrustError::MissingPrefix));
    assert!(matches!(
        parse_public_key(&format!("ward-ed25519-pub {}", hex.to_uppercase())),
        Err(TrustError::BadHex { .. })
    ));
    assert!(matches!(
        parse_public_key(&format!("ward-ed25519-pub {}", &hex[..62])),
        Err(TrustError::BadHex { .. })
    ));
    assert!(matches!(
        parse_public_key(&format!("ward-ed25519-pub {hex}00")),
        Err(TrustError::BadHex { .. })
    ));
    // The identity point is a valid encoding but a weak key.
    let identity = format!("ward-ed25519-pub 01{}", "0".repeat(62));
    assert!(matches!(
        parse_public_key(&identity),
        Err(TrustError::WeakKey { .. })
    ));
}

#[test]
fn trust_store_rules() {
    let a = test_key().verifying_key();
    let b = other_key().verifying_key();
    assert!(TrustStore::new(vec![a, b], 2).is_ok());
    assert_eq!(
        TrustStore::new(vec![a, b], 3).unwrap_err(),
        TrustError::BadThreshold {
            threshold: 3,
            keys: 2
        }
    );
    assert!(matches!(
        TrustStore::new(vec![a], 0),
        Err(TrustError::BadThreshold { .. })
    ));
    assert!(matches!(
        TrustStore::new(vec![a, a], 1),
        Err(TrustError::DuplicateKey { .. })
    ));
    assert_eq!(
        TrustStore::with_keys(vec![a]).unwrap().threshold(),
        DEFAULT_THRESHOLD
    );
}

#[test]
fn errors_read_as_sentences() {
    let e = VerifyError::FieldNotSupplied {
        offset: 100,
        instance: 1,
        field: 21,
        supplied: 20,
    };
    assert_eq!(
        e.to_string(),
        "at byte 100: instance 1 has a criterion on field 21, but the sensor supplies only fields 1 to 20"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(!boxed.to_string().is_empty());
}

#[test]
fn the_signed_message_is_as_documented() {
    // Rebuild the 76-byte message of docs/channel-format.md by hand and check the
    // file's signature against it with the public key.
    use sha2::{Digest, Sha256};
    let bytes = sign1(&small_channel());
    let body_len = u32::from_le_bytes(bytes[36..40].try_into().unwrap()) as usize;
    let region = &bytes[..40 + body_len];
    let mut msg = b"ward-channel-signature-v1\0".to_vec();
    msg.extend_from_slice(&291u32.to_le_bytes());
    msg.extend_from_slice(&42u64.to_le_bytes());
    msg.extend_from_slice(&7u32.to_le_bytes());
    msg.extend_from_slice(&12u16.to_le_bytes());
    msg.extend_from_slice(&Sha256::digest(region));
    assert_eq!(msg.len(), 76);
    let sig: [u8; 64] = bytes[bytes.len() - 64..].try_into().unwrap();
    let vk = test_key().verifying_key();
    vk.verify_strict(&msg, &ed25519_dalek::Signature::from_bytes(&sig))
        .unwrap();
    assert_eq!(&bytes[bytes.len() - 72..bytes.len() - 64], &key_id(&vk).0);
}
