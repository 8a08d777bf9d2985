//! Who may sign channels: key ids, the host's trust store, and the public-key text format.
//!
//! A trust store is built once from the host's configured keys. Weak (small-order) keys
//! are refused here, so a signature that verifies under a trusted key always means the
//! holder of that key's secret signed it.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

use crate::limits::MAX_TRUSTED_KEYS;

/// The first eight bytes of SHA-256 of a 32-byte Ed25519 public key. Files name their
/// signers by key id so that a verifier can skip or refuse a signature before doing any
/// curve arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The key id of a public key.
pub fn key_id(key: &VerifyingKey) -> KeyId {
    let digest = Sha256::digest(key.as_bytes());
    let mut id = [0u8; 8];
    for (dst, src) in id.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    KeyId(id)
}

/// The first word of a `.pub` file.
pub const PUBLIC_KEY_PREFIX: &str = "ward-ed25519-pub";

/// Why a trust store or a public key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustError {
    /// The key is of small order (or the identity): anyone can forge signatures under it.
    WeakKey { key_id: KeyId },
    /// The same key (or two keys with one key id) was given twice.
    DuplicateKey { key_id: KeyId },
    /// The threshold is zero or larger than the number of keys.
    BadThreshold { threshold: usize, keys: usize },
    /// More keys than [`MAX_TRUSTED_KEYS`].
    TooManyKeys { count: usize, limit: usize },
    /// A `.pub` file did not start with `ward-ed25519-pub `.
    MissingPrefix,
    /// The key text is not 64 lowercase hex digits.
    BadHex { reason: &'static str },
    /// The 32 bytes are not a valid compressed Edwards point.
    InvalidPoint,
}

impl fmt::Display for TrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustError::WeakKey { key_id } => write!(
                f,
                "public key {key_id} is a weak key (of small order, or not torsion-free: a key plus a small-order point, under which one secret signs as several key ids); signatures under it prove nothing"
            ),
            TrustError::DuplicateKey { key_id } => {
                write!(f, "public key {key_id} appears more than once in the trust store")
            }
            TrustError::BadThreshold { threshold, keys } => write!(
                f,
                "a threshold of {threshold} signatures cannot be met with {keys} trusted keys (it must be between 1 and the number of keys)"
            ),
            TrustError::TooManyKeys { count, limit } => {
                write!(f, "the trust store has {count} keys; at most {limit} are allowed")
            }
            TrustError::MissingPrefix => write!(
                f,
                "a public key file must be one line `{PUBLIC_KEY_PREFIX} <64 lowercase hex digits>`"
            ),
            TrustError::BadHex { reason } => write!(f, "the public key is not valid: {reason}"),
            TrustError::InvalidPoint => {
                write!(f, "the public key's 32 bytes are not a valid Ed25519 point")
            }
        }
    }
}

impl core::error::Error for TrustError {}

/// The keys a host trusts to sign channels, and how many distinct ones must sign.
#[derive(Debug, Clone)]
pub struct TrustStore {
    keys: Vec<(KeyId, VerifyingKey)>,
    threshold: usize,
}

/// The threshold when a host has one signing key.
pub const DEFAULT_THRESHOLD: usize = 1;

impl TrustStore {
    /// A trust store requiring `threshold` distinct trusted signers. Weak keys, duplicate
    /// keys and impossible thresholds are refused.
    pub fn new(keys: Vec<VerifyingKey>, threshold: usize) -> Result<TrustStore, TrustError> {
        if keys.len() > MAX_TRUSTED_KEYS {
            return Err(TrustError::TooManyKeys {
                count: keys.len(),
                limit: MAX_TRUSTED_KEYS,
            });
        }
        let mut entries: Vec<(KeyId, VerifyingKey)> = Vec::with_capacity(keys.len());
        for key in keys {
            let id = key_id(&key);
            if is_weak(&key) {
                return Err(TrustError::WeakKey { key_id: id });
            }
            if entries.iter().any(|(other, _)| *other == id) {
                return Err(TrustError::DuplicateKey { key_id: id });
            }
            entries.push((id, key));
        }
        if threshold == 0 || threshold > entries.len() {
            return Err(TrustError::BadThreshold {
                threshold,
                keys: entries.len(),
            });
        }
        Ok(TrustStore {
            keys: entries,
            threshold,
        })
    }

    /// A trust store with [`DEFAULT_THRESHOLD`] (one signature from any of `keys`).
    pub fn with_keys(keys: Vec<VerifyingKey>) -> Result<TrustStore, TrustError> {
        TrustStore::new(keys, DEFAULT_THRESHOLD)
    }

    pub fn threshold(&self) -> usize {
        self.threshold
    }

    pub fn key_ids(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.keys.iter().map(|(id, _)| *id)
    }

    /// The trusted key with this id, if any. A lookup on 8 bytes, before any cryptography.
    pub fn get(&self, id: KeyId) -> Option<&VerifyingKey> {
        self.keys.iter().find(|(k, _)| *k == id).map(|(_, key)| key)
    }
}

/// Parses a `.pub` file: one line `ward-ed25519-pub <64 lowercase hex digits>` (a final
/// newline is allowed). Weak keys are refused here as well as in [`TrustStore::new`].
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, TrustError> {
    let line = text.strip_suffix('\n').unwrap_or(text);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let hex = line
        .strip_prefix(PUBLIC_KEY_PREFIX)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or(TrustError::MissingPrefix)?;
    if hex.len() != 64 {
        return Err(TrustError::BadHex {
            reason: "expected exactly 64 hex digits",
        });
    }
    let mut bytes = [0u8; 32];
    for (dst, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks(2)) {
        let mut value = 0u8;
        for &c in pair {
            let digit = match c {
                b'0'..=b'9' => c.wrapping_sub(b'0'),
                b'a'..=b'f' => c.wrapping_sub(b'a').wrapping_add(10),
                _ => {
                    return Err(TrustError::BadHex {
                        reason: "only the digits 0-9 and a-f (lowercase) are allowed",
                    })
                }
            };
            value = value.wrapping_shl(4) | digit;
        }
        *dst = value;
    }
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| TrustError::InvalidPoint)?;
    if is_weak(&key) {
        return Err(TrustError::WeakKey {
            key_id: key_id(&key),
        });
    }
    Ok(key)
}

/// A key no signature should be trusted under: of small order (a signature under it
/// verifies for almost any message), or not torsion-free (a real key plus a point of small
/// order: `verify_strict` accepts the same secret's signatures under it, so one secret
/// would count as two key ids toward a threshold).
fn is_weak(key: &VerifyingKey) -> bool {
    key.is_weak() || !key.to_edwards().is_torsion_free()
}

/// The `.pub` file text of a key, with a final newline.
pub fn format_public_key(key: &VerifyingKey) -> String {
    let mut out = String::with_capacity(PUBLIC_KEY_PREFIX.len().saturating_add(66));
    out.push_str(PUBLIC_KEY_PREFIX);
    out.push(' ');
    for b in key.as_bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out.push('\n');
    out
}
