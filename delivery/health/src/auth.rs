//! Per-host authentication of beacon batches. Each host makes an Ed25519 key at
//! install, beside its host id, and signs every batch body with it; the collector
//! enrolls a host's key on its first batch and from then on takes batches for that
//! host id only under that key. The signed message is a domain tag and the exact body,
//! so a signature made for something else never verifies as a batch, and the collector
//! verifies the bytes it parses. Threats and limits: docs/delivery.md, "Forged beacons".

use ward_tuf::{Key, KeyPair};

/// Put before the body in the signed message.
const DOMAIN: &[u8] = b"ward-beacons-v1\n";

/// The message a host signs for `body`.
fn message(body: &[u8]) -> Vec<u8> {
    [DOMAIN, body].concat()
}

/// The header fields a host sends beside a batch body: its public key and its
/// signature of the body, both hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub key: String,
    pub signature: String,
}

/// Signs a batch body with the host's key.
pub fn sign(key: &KeyPair, body: &[u8]) -> Signed {
    let public = key.public();
    Signed {
        key: public
            .keyval
            .get("public")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string(),
        signature: key.sign(&message(body)),
    }
}

/// Whether `signed` is a valid signature of `body` under `signed.key` (hex of an
/// Ed25519 public key; weak keys never verify).
pub fn verifies(signed: &Signed, body: &[u8]) -> bool {
    let key = Key {
        keytype: "ed25519".into(),
        scheme: "ed25519".into(),
        keyval: [("public".to_string(), signed.key.clone().into())].into(),
    };
    key.ed25519_public().is_some() && key.verifies(&message(body), &signed.signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_for_its_body_and_key_only() {
        let host = KeyPair::from_seed([7; 32]);
        let other = KeyPair::from_seed([8; 32]);
        let body = br#"{"v":1,"host":"h","beacons":[]}"#;
        let signed = sign(&host, body);
        assert!(verifies(&signed, body));
        assert!(!verifies(&signed, br#"{"v":1,"host":"h","beacons":[ ]}"#));
        let wrong_key = Signed {
            key: sign(&other, body).key,
            ..signed.clone()
        };
        assert!(!verifies(&wrong_key, body));
        // A signature of the bare body (no domain tag) is not a batch signature.
        let bare = Signed {
            signature: host.sign(body),
            ..signed.clone()
        };
        assert!(!verifies(&bare, body));
        let garbage = Signed {
            key: "zz".into(),
            ..signed
        };
        assert!(!verifies(&garbage, body));
    }
}
