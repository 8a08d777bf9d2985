//! TUF keys: the only type Ward signs and verifies is Ed25519 (`keytype` and `scheme`
//! "ed25519", `keyval.public` in hex). A key id is the SHA-256 of the key's canonical
//! JSON. Ward also verifies ECDSA P-256 (`ecdsa-sha2-nistp256`, PEM public key, DER
//! signature), which other TUF repositories (sigstore's, tuf-on-ci's, python-tuf's
//! default) use. Keys of other types parse (a root may list them) but never verify.

use std::collections::BTreeMap;

use ed25519_dalek::{Signature as EdSignature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical;
use crate::error::{invalid, Error};
use crate::hash::{hex, sha256_hex, unhex};

/// A public key as TUF metadata lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub keytype: String,
    pub scheme: String,
    pub keyval: BTreeMap<String, Value>,
}

impl Key {
    /// The TUF form of an Ed25519 public key.
    pub fn ed25519(public: &VerifyingKey) -> Key {
        Key {
            keytype: "ed25519".into(),
            scheme: "ed25519".into(),
            keyval: BTreeMap::from([("public".into(), Value::String(hex(public.as_bytes())))]),
        }
    }

    /// SHA-256 of the canonical JSON of this key, in hex.
    pub fn key_id(&self) -> String {
        // A key of strings and a map of JSON values always serializes.
        canonical::to_vec(self, "key")
            .map(|bytes| sha256_hex(&bytes))
            .unwrap_or_default()
    }

    /// The Ed25519 public key, if this is one Ward can verify with. Small-order keys are
    /// refused: anyone can forge signatures under them.
    pub fn ed25519_public(&self) -> Option<VerifyingKey> {
        if self.keytype != "ed25519" || self.scheme != "ed25519" {
            return None;
        }
        let bytes: [u8; 32] = unhex(self.keyval.get("public")?.as_str()?)?
            .try_into()
            .ok()?;
        let key = VerifyingKey::from_bytes(&bytes).ok()?;
        (!key.is_weak()).then_some(key)
    }

    /// Whether `sig` (hex) is this key's signature of `message`.
    pub fn verifies(&self, message: &[u8], sig: &str) -> bool {
        let Some(sig) = unhex(sig) else {
            return false;
        };
        if self.keytype == "ecdsa" && self.scheme == "ecdsa-sha2-nistp256" {
            return self.verifies_p256(message, &sig);
        }
        let Some(key) = self.ed25519_public() else {
            return false;
        };
        let Ok(bytes) = <[u8; 64]>::try_from(sig) else {
            return false;
        };
        key.verify_strict(message, &EdSignature::from_bytes(&bytes))
            .is_ok()
    }

    fn verifies_p256(&self, message: &[u8], der: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier as _;
        use p256::pkcs8::DecodePublicKey as _;
        let Some(pem) = self.keyval.get("public").and_then(Value::as_str) else {
            return false;
        };
        let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_pem(pem) else {
            return false;
        };
        let Ok(sig) = p256::ecdsa::Signature::from_der(der) else {
            return false;
        };
        key.verify(message, &sig).is_ok()
    }
}

/// A secret signing key of one role, as `ward repo init` writes it: a JSON file with
/// the public TUF key and the secret seed, mode 0600. Its `Debug` shows the public key
/// only: a key pair in a log line or a panic message must not leak the secret.
pub struct KeyPair {
    secret: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public", &hex(self.secret.verifying_key().as_bytes()))
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    keytype: String,
    scheme: String,
    keyval: KeyFileVal,
}

#[derive(Serialize, Deserialize)]
struct KeyFileVal {
    public: String,
    private: String,
}

impl KeyPair {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<KeyPair, Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| Error::Refused {
            reason: format!("no randomness for a new key: {e}"),
        })?;
        Ok(KeyPair::from_seed(seed))
    }

    /// The key of a 32-byte seed (tests and benchmarks use fixed seeds).
    pub fn from_seed(seed: [u8; 32]) -> KeyPair {
        KeyPair {
            secret: SigningKey::from_bytes(&seed),
        }
    }

    /// The public half, as TUF metadata lists it.
    pub fn public(&self) -> Key {
        Key::ed25519(&self.secret.verifying_key())
    }

    /// The signature of `message`, in hex.
    pub fn sign(&self, message: &[u8]) -> String {
        hex(&self.secret.sign(message).to_bytes())
    }

    /// The key file's text.
    pub fn to_file_text(&self) -> String {
        let file = KeyFile {
            keytype: "ed25519".into(),
            scheme: "ed25519".into(),
            keyval: KeyFileVal {
                public: hex(self.secret.verifying_key().as_bytes()),
                private: hex(&self.secret.to_bytes()),
            },
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a key file's text; `what` names the file in errors.
    pub fn from_file_text(text: &str, what: &str) -> Result<KeyPair, Error> {
        let file: KeyFile = serde_json::from_str(text)
            .map_err(|e| invalid(what, format!("not a Ward TUF key file: {e}")))?;
        if file.keytype != "ed25519" || file.scheme != "ed25519" {
            return Err(invalid(what, "only ed25519 keys are supported"));
        }
        let seed: [u8; 32] = unhex(&file.keyval.private)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| invalid(what, "`keyval.private` is not 64 hex digits"))?;
        let pair = KeyPair::from_seed(seed);
        if hex(pair.secret.verifying_key().as_bytes()) != file.keyval.public {
            return Err(invalid(
                what,
                "the public key does not match the secret key",
            ));
        }
        Ok(pair)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let pair = KeyPair::from_seed([7; 32]);
        let sig = pair.sign(b"signed");
        assert!(pair.public().verifies(b"signed", &sig));
        assert!(!pair.public().verifies(b"Signed", &sig));
        assert!(!KeyPair::from_seed([8; 32])
            .public()
            .verifies(b"signed", &sig));
    }

    #[test]
    fn debug_shows_the_public_key_and_never_the_secret() {
        let pair = KeyPair::from_seed([0xa7; 32]);
        let shown = format!("{pair:?} {pair:#?}");
        assert!(
            shown.contains(&hex(pair.secret.verifying_key().as_bytes())),
            "{shown}"
        );
        // The seed in every spelling Debug of a byte array or a hex dump could use.
        let seed = pair.secret.to_bytes();
        for secret in [hex(&seed), format!("{seed:?}"), format!("{:?}", &seed[..4])] {
            assert!(!shown.contains(&secret), "{shown}");
        }
    }

    #[test]
    fn key_id_is_sha256_of_canonical_key() {
        let key = KeyPair::from_seed([7; 32]).public();
        let canonical = canonical::to_vec(&key, "k").unwrap();
        assert!(String::from_utf8_lossy(&canonical)
            .starts_with(r#"{"keytype":"ed25519","keyval":{"public":""#));
        assert_eq!(key.key_id(), sha256_hex(&canonical));
    }

    #[test]
    fn other_key_types_never_verify() {
        let pair = KeyPair::from_seed([7; 32]);
        let mut key = pair.public();
        key.keytype = "rsa".into();
        assert!(!key.verifies(b"m", &pair.sign(b"m")));
    }

    #[test]
    fn key_file_round_trips_and_checks_its_public_half() {
        let pair = KeyPair::from_seed([9; 32]);
        let text = pair.to_file_text();
        let back = KeyPair::from_file_text(&text, "k").unwrap();
        assert_eq!(back.public(), pair.public());
        let tampered = text.replace(
            &hex(pair.secret.verifying_key().as_bytes()),
            &"00".repeat(32),
        );
        assert!(KeyPair::from_file_text(&tampered, "k").is_err());
    }
}
