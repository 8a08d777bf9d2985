//! The customer's host policy as a signed file: a TUF-style envelope (`_type`
//! `ward-policy`, a version, signatures over canonical JSON) signed by the customer's
//! own Ed25519 key, never the vendor's, so the vendor's metadata cannot change what the
//! customer decided (invariant 11). The host keeps the last good policy in its
//! directory: a new one that does not verify, does not validate or has a lower version
//! is refused with an error that says why, and the last good one stays in force.
//!
//! A policy has an `expires` (the envelope needs one) but the host does not enforce it:
//! a lapsed policy would silently hand the host back to the vendor's rollout, against
//! the customer's will. Its version is what protects it from replay.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ward_rollout::Policy;
use ward_tuf::metadata::{Common, Role};
use ward_tuf::repo::{read_limited, write_atomic};
use ward_tuf::{Error, Key, KeyPair, Signed};

/// A policy file is small; a larger one is not a policy.
pub const MAX_POLICY_BYTES: u64 = 64 * 1024;

/// The file in the host's directory that keeps the last good policy.
pub const POLICY_FILE: &str = "policy.json";

/// The signed part of a policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDoc {
    #[serde(flatten)]
    pub common: Common,
    pub policy: Policy,
}

impl Role for PolicyDoc {
    const TYPE: &'static str = "ward-policy";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self, what: &str) -> Result<(), Error> {
        self.policy.validate().map_err(|e| Error::Invalid {
            what: what.to_string(),
            reason: e,
        })
    }
}

/// Signs `policy` as version `version` with the customer's `key`.
pub fn sign(policy: Policy, version: u64, now: u64, key: &KeyPair) -> Result<Vec<u8>, Error> {
    policy.validate().map_err(|e| Error::Invalid {
        what: "the policy".into(),
        reason: e,
    })?;
    // Not enforced on hosts (see the module doc); ten years keeps other tools content.
    let expires = now + 10 * 366 * 86_400;
    let doc = PolicyDoc {
        common: Common::new::<PolicyDoc>(version, expires),
        policy,
    };
    Signed::sign(doc, &[key])?.to_bytes()
}

/// Parses and verifies a policy file against the customer's keys (one signature of any
/// of them suffices); `what` names the file in errors.
pub fn verify(bytes: &[u8], what: &str, keys: &[Key]) -> Result<Signed<PolicyDoc>, Error> {
    let doc: Signed<PolicyDoc> = Signed::parse(bytes, what)?;
    let by_id: BTreeMap<String, Key> = keys.iter().map(|k| (k.key_id(), k.clone())).collect();
    let ids: Vec<String> = by_id.keys().cloned().collect();
    doc.verify_by(what, &ids, 1, &by_id)?;
    Ok(doc)
}

/// The last good policy kept in `dir`, if there is one that still verifies.
pub fn last_good(dir: &Path, keys: &[Key]) -> Option<Signed<PolicyDoc>> {
    let path = dir.join(POLICY_FILE);
    let bytes = read_limited(&path, MAX_POLICY_BYTES).ok()?;
    verify(&bytes, &path.display().to_string(), keys).ok()
}

/// Offers the host a new policy file: it must verify, validate and not go back in
/// version (the same version must be the same policy). Then it is kept in `dir` and
/// returned; otherwise the error says why and the last good policy stays.
pub fn accept(dir: &Path, bytes: &[u8], what: &str, keys: &[Key]) -> Result<Policy, Error> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_POLICY_BYTES {
        return Err(Error::TooLarge {
            url: what.to_string(),
            limit: MAX_POLICY_BYTES,
        });
    }
    let new = verify(bytes, what, keys)?;
    if let Some(old) = last_good(dir, keys) {
        let (old_v, new_v) = (old.signed.common.version, new.signed.common.version);
        if new_v < old_v || (new_v == old_v && new.signed != old.signed) {
            return Err(Error::Version {
                role: what.to_string(),
                expected: format!(
                    "above {old_v}, the policy this host has (or the very same policy)"
                ),
                got: new_v,
            });
        }
    }
    write_atomic(&dir.join(POLICY_FILE), bytes)?;
    Ok(new.signed.policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> KeyPair {
        KeyPair::from_seed([seed; 32])
    }

    #[test]
    fn a_host_keeps_its_last_good_policy_when_offered_a_bad_one() {
        let dir = tempfile::TempDir::new().unwrap();
        let customer = key(1);
        let keys = [customer.public()];
        let paused = Policy {
            pause: true,
            ..Policy::default()
        };
        let v2 = sign(paused.clone(), 2, 0, &customer).unwrap();
        assert_eq!(accept(dir.path(), &v2, "v2", &keys).unwrap(), paused);
        // Signed by someone else (the vendor, say): refused.
        let vendor = sign(Policy::default(), 3, 0, &key(2)).unwrap();
        let e = accept(dir.path(), &vendor, "vendor.json", &keys).unwrap_err();
        assert!(e.to_string().contains("vendor.json"), "{e}");
        // An older version: refused.
        let v1 = sign(Policy::default(), 1, 0, &customer).unwrap();
        let e = accept(dir.path(), &v1, "v1", &keys).unwrap_err();
        assert!(e.to_string().contains("version 1"), "{e}");
        // A tampered one: refused.
        let tampered = String::from_utf8(v2.clone())
            .unwrap()
            .replace("\"pause\": true", "\"pause\": false");
        assert!(accept(dir.path(), tampered.as_bytes(), "t", &keys).is_err());
        // Invalid content, even well signed: refused by name.
        let bad = Policy {
            delay_hours: 100,
            ..Policy::default()
        };
        let doc = PolicyDoc {
            common: Common::new::<PolicyDoc>(9, 4_000_000_000),
            policy: bad,
        };
        let bytes = Signed::sign(doc, &[&customer]).unwrap().to_bytes().unwrap();
        let e = accept(dir.path(), &bytes, "bad.json", &keys).unwrap_err();
        assert!(e.to_string().contains("delay_hours"), "{e}");
        // Through all of that, the host kept version 2.
        let kept = last_good(dir.path(), &keys).unwrap();
        assert_eq!(
            (kept.signed.common.version, kept.signed.policy),
            (2, paused)
        );
    }
}
