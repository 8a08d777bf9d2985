//! The TUF metadata model: the signed envelope, the four top-level roles and
//! delegations, parsed strictly (wrong `_type`, version 0, unknown spec major version,
//! bad `expires`, duplicate key ids or signatures are all refused), and the threshold
//! check, which counts each distinct public key once however many key ids or
//! signatures name it.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical;
use crate::error::{invalid, Error};
use crate::key::{Key, KeyPair};
use crate::time;

/// The spec version Ward writes; it reads any `1.x`.
pub const SPEC_VERSION: &str = "1.0.31";

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub keyid: String,
    pub sig: String,
}

#[derive(Deserialize)]
struct Envelope {
    signatures: Vec<Signature>,
    signed: Value,
}

/// Fields every role has, so parsing and expiry are written once.
pub trait Role: DeserializeOwned + Serialize {
    /// The `_type` (and file name) of the role.
    const TYPE: &'static str;
    fn common(&self) -> &Common;
    /// Checks beyond the common fields; `what` names the file.
    fn validate(&self, _what: &str) -> Result<(), Error> {
        Ok(())
    }
}

/// `_type`, `spec_version`, `version` and `expires`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Common {
    #[serde(rename = "_type")]
    pub typ: String,
    pub spec_version: String,
    pub version: u64,
    pub expires: String,
}

impl Common {
    /// The common fields of a new role.
    pub fn new<R: Role>(version: u64, expires: u64) -> Common {
        Common {
            typ: R::TYPE.to_string(),
            spec_version: SPEC_VERSION.to_string(),
            version,
            expires: time::format(expires),
        }
    }

    /// Seconds since the epoch of `expires` (validated at parse time).
    pub fn expires_at(&self) -> u64 {
        time::parse(&self.expires).unwrap_or(0)
    }

    /// Whether the role has expired at `now`.
    pub fn is_expired(&self, now: u64) -> bool {
        self.expires_at() <= now
    }
}

/// A role's key ids and threshold in root or a delegation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleKeys {
    pub keyids: Vec<String>,
    pub threshold: u64,
}

/// The root role: every top-level role's keys and threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Root {
    #[serde(flatten)]
    pub common: Common,
    #[serde(default)]
    pub consistent_snapshot: bool,
    pub keys: BTreeMap<String, Key>,
    pub roles: BTreeMap<String, RoleKeys>,
}

/// Version, and optionally length and hashes, of a metadata file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaFile {
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<BTreeMap<String, String>>,
}

/// The timestamp role: which snapshot is current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp {
    #[serde(flatten)]
    pub common: Common,
    pub meta: BTreeMap<String, MetaFile>,
    /// Where each release's rollout stands, signed by the online timestamp key (so
    /// every change is a new timestamp). An extension field: other TUF clients keep it
    /// as an unrecognized field, covered by the signature like the rest.
    #[serde(
        rename = "x-ward-rollout",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub rollout: Option<ward_rollout::RolloutState>,
}

impl Timestamp {
    /// The `snapshot.json` entry (present: checked at parse time).
    pub fn snapshot_meta(&self) -> Option<&MetaFile> {
        self.meta.get("snapshot.json")
    }
}

/// The snapshot role: the version of every targets metadata file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(flatten)]
    pub common: Common,
    pub meta: BTreeMap<String, MetaFile>,
}

/// One target file: its length, hashes and application data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFile {
    pub length: u64,
    pub hashes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Value>,
}

/// A targets role: files and delegations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    #[serde(flatten)]
    pub common: Common,
    pub targets: BTreeMap<String, TargetFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegations: Option<Delegations>,
}

/// The roles a targets role delegates to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegations {
    pub keys: BTreeMap<String, Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<DelegatedRole>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succinct_roles: Option<SuccinctRoles>,
}

/// One delegated role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegatedRole {
    pub name: String,
    pub keyids: Vec<String>,
    pub threshold: u64,
    #[serde(default)]
    pub terminating: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_hash_prefixes: Option<Vec<String>>,
}

/// Hash-bin delegation (TAP 15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccinctRoles {
    pub keyids: Vec<String>,
    pub threshold: u64,
    pub bit_length: u32,
    pub name_prefix: String,
}

fn check_role_keys(what: &str, role: &str, keyids: &[String], threshold: u64) -> Result<(), Error> {
    if threshold < 1 {
        return Err(invalid(what, format!("role `{role}` has threshold 0")));
    }
    let distinct: BTreeSet<&String> = keyids.iter().collect();
    if distinct.len() != keyids.len() {
        return Err(invalid(what, format!("role `{role}` lists a key id twice")));
    }
    Ok(())
}

impl Role for Root {
    const TYPE: &'static str = "root";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self, what: &str) -> Result<(), Error> {
        for role in ["root", "targets", "snapshot", "timestamp"] {
            let keys = self
                .roles
                .get(role)
                .ok_or_else(|| invalid(what, format!("root has no `{role}` role")))?;
            check_role_keys(what, role, &keys.keyids, keys.threshold)?;
        }
        Ok(())
    }
}

impl Role for Timestamp {
    const TYPE: &'static str = "timestamp";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self, what: &str) -> Result<(), Error> {
        if self.meta.len() != 1 || self.snapshot_meta().is_none() {
            return Err(invalid(
                what,
                "timestamp meta must hold `snapshot.json` alone",
            ));
        }
        Ok(())
    }
}

impl Role for Snapshot {
    const TYPE: &'static str = "snapshot";
    fn common(&self) -> &Common {
        &self.common
    }
}

impl Role for Targets {
    const TYPE: &'static str = "targets";
    fn common(&self) -> &Common {
        &self.common
    }
    fn validate(&self, what: &str) -> Result<(), Error> {
        let Some(delegations) = &self.delegations else {
            return Ok(());
        };
        match (&delegations.roles, &delegations.succinct_roles) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    what,
                    "delegations has both `roles` and `succinct_roles`",
                ))
            }
            (None, None) => return Err(invalid(what, "delegations has no roles")),
            _ => {}
        }
        let mut names = BTreeSet::new();
        for role in delegations.roles.iter().flatten() {
            check_role_keys(what, &role.name, &role.keyids, role.threshold)?;
            if role.paths.is_some() == role.path_hash_prefixes.is_some() {
                return Err(invalid(
                    what,
                    format!(
                        "delegated role `{}` needs exactly one of `paths` and `path_hash_prefixes`",
                        role.name
                    ),
                ));
            }
            if ["root", "targets", "snapshot", "timestamp"].contains(&role.name.as_str()) {
                return Err(invalid(
                    what,
                    format!("a delegated role may not be named `{}`", role.name),
                ));
            }
            if !names.insert(&role.name) {
                return Err(invalid(
                    what,
                    format!("delegated role `{}` appears twice", role.name),
                ));
            }
        }
        if let Some(succinct) = &delegations.succinct_roles {
            check_role_keys(
                what,
                &succinct.name_prefix,
                &succinct.keyids,
                succinct.threshold,
            )?;
            if !(1..=32).contains(&succinct.bit_length) {
                return Err(invalid(what, "succinct_roles bit_length must be 1 to 32"));
            }
        }
        Ok(())
    }
}

/// Metadata as received: the envelope's signatures, the typed role, and the canonical
/// bytes of `signed` that the signatures cover.
#[derive(Debug, Clone)]
pub struct Signed<R> {
    pub signatures: Vec<Signature>,
    pub signed: R,
    pub canonical: Vec<u8>,
}

impl<R: Role> Signed<R> {
    /// Parses `bytes` as metadata of role type `R`; `what` names the file in errors.
    pub fn parse(bytes: &[u8], what: &str) -> Result<Signed<R>, Error> {
        let envelope: Envelope = serde_json::from_slice(bytes)
            .map_err(|e| invalid(what, format!("not a TUF metadata envelope: {e}")))?;
        let mut seen = BTreeSet::new();
        for sig in &envelope.signatures {
            if !seen.insert(sig.keyid.as_str()) {
                return Err(invalid(
                    what,
                    format!("two signatures under key id {}", sig.keyid),
                ));
            }
        }
        let typ = envelope.signed.get("_type").and_then(Value::as_str);
        if typ != Some(R::TYPE) {
            return Err(invalid(
                what,
                format!("`_type` is {typ:?}, expected \"{}\"", R::TYPE),
            ));
        }
        let canonical = canonical::to_vec(&envelope.signed, what)?;
        let signed: R = serde_json::from_value(envelope.signed)
            .map_err(|e| invalid(what, format!("not valid {} metadata: {e}", R::TYPE)))?;
        let common = signed.common();
        if common.version < 1 {
            return Err(invalid(what, "version must be at least 1"));
        }
        let major = common.spec_version.split('.').next();
        if major != Some("1") || common.spec_version.split('.').count() < 2 {
            return Err(invalid(
                what,
                format!("spec_version {} is not 1.x", common.spec_version),
            ));
        }
        if time::parse(&common.expires).is_none() {
            return Err(invalid(
                what,
                format!("`expires` {} is not YYYY-MM-DDTHH:MM:SSZ", common.expires),
            ));
        }
        signed.validate(what)?;
        Ok(Signed {
            signatures: envelope.signatures,
            signed,
            canonical,
        })
    }

    /// Signs `signed` with `keys` (their order is the signature order).
    pub fn sign(signed: R, keys: &[&KeyPair]) -> Result<Signed<R>, Error> {
        let canonical = canonical::to_vec(&signed, R::TYPE)?;
        let signatures = keys
            .iter()
            .map(|k| Signature {
                keyid: k.public().key_id(),
                sig: k.sign(&canonical),
            })
            .collect();
        Ok(Signed {
            signatures,
            signed,
            canonical,
        })
    }

    /// The file's bytes: the envelope, pretty-printed (signatures cover `signed`'s
    /// canonical form, not these bytes).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let envelope = serde_json::json!({
            "signatures": self.signatures,
            "signed": self.signed,
        });
        let mut bytes =
            serde_json::to_vec_pretty(&envelope).map_err(|e| invalid(R::TYPE, e.to_string()))?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Checks that at least `threshold` distinct keys among `keyids` (looked up in
    /// `keys`) signed. A key listed under several key ids, or a key id signing several
    /// times, counts once: what is counted is the public key itself.
    pub fn verify_by(
        &self,
        role: &str,
        keyids: &[String],
        threshold: u64,
        keys: &BTreeMap<String, Key>,
    ) -> Result<(), Error> {
        let mut signers: BTreeSet<(&str, String)> = BTreeSet::new();
        for keyid in keyids {
            let Some(key) = keys.get(keyid) else { continue };
            let signed = self
                .signatures
                .iter()
                .filter(|s| &s.keyid == keyid)
                .any(|s| key.verifies(&self.canonical, &s.sig));
            if signed {
                let public = key.keyval.get("public").map(Value::to_string);
                signers.insert((key.keytype.as_str(), public.unwrap_or_default()));
            }
        }
        if u64::try_from(signers.len()).unwrap_or(u64::MAX) >= threshold && threshold >= 1 {
            Ok(())
        } else {
            Err(Error::Threshold {
                role: role.to_string(),
                valid: signers.len(),
                threshold,
            })
        }
    }
}

impl Root {
    /// Checks `metadata` is signed by this root's threshold for top-level `role`.
    pub fn verify_role<R: Role>(&self, role: &str, metadata: &Signed<R>) -> Result<(), Error> {
        let keys = self
            .roles
            .get(role)
            .ok_or_else(|| invalid("root", format!("no `{role}` role")))?;
        metadata.verify_by(role, &keys.keyids, keys.threshold, &self.keys)
    }
}
