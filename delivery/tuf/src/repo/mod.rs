//! The release repository writer (the CI side): `init`, `publish`, `timestamp`,
//! `rotate` and `status` over a directory of static files.
//!
//! Layout: `REPO/metadata/` holds `N.root.json` for every root version (hosts walk
//! them one at a time), `root.json` (the newest, for bootstrapping a host),
//! `N.targets.json` and `N.snapshot.json` (consistent snapshots: immutable, cacheable
//! forever) and `timestamp.json` (the only file that changes in place).
//! `REPO/targets/` holds `SHA256.NAME` files. Keys live outside the served tree, in a
//! key directory with one sub-directory per role (`root/`, `targets/`, `snapshot/`,
//! `timestamp/`), so each can be moved offline on its own.
//!
//! Every write goes to a temporary name and is renamed into place; new versioned files
//! are written first and `timestamp.json` last, so a host polling during a publish sees
//! either the old repository or the new one. A failed operation removes what it wrote.

mod channel;
mod files;
mod keys;
mod rollout;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{invalid, Error};
use crate::hash::{hashes_of, sha256_hex};
use crate::key::KeyPair;
use crate::metadata::{Common, MetaFile, RoleKeys, Root, Signed, Snapshot, Targets, Timestamp};

pub use channel::ChannelInfo;
use files::Writes;
pub use files::{read_limited, write_atomic};
pub use keys::{write_private, KeyDir};
pub use rollout::{previous_path, Rollout};
use ward_rollout::{Plan, Release, RolloutState};

/// The four top-level roles, in the order status lists them.
pub const ROLES: [&str; 4] = ["root", "targets", "snapshot", "timestamp"];

const DAY: u64 = 86_400;

/// How many keys, what threshold and how long a signature lasts, per role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolePolicy {
    pub keys: usize,
    pub threshold: u64,
    pub expiry_secs: u64,
}

/// The defaults `ward repo init` uses (docs/delivery.md says why each).
pub fn default_policy(role: &str) -> RolePolicy {
    match role {
        "root" => RolePolicy {
            keys: 2,
            threshold: 2,
            expiry_secs: 365 * DAY,
        },
        "targets" | "snapshot" => RolePolicy {
            keys: 1,
            threshold: 1,
            expiry_secs: 90 * DAY,
        },
        _ => RolePolicy {
            keys: 1,
            threshold: 1,
            expiry_secs: DAY,
        },
    }
}

/// A repository on disk and its current metadata.
#[derive(Debug)]
pub struct Repo {
    dir: PathBuf,
    pub root: Signed<Root>,
    pub targets: Signed<Targets>,
    pub snapshot: Signed<Snapshot>,
    pub timestamp: Signed<Timestamp>,
}

impl Repo {
    /// The metadata directory of a repository.
    pub fn metadata_dir(dir: &Path) -> PathBuf {
        dir.join("metadata")
    }

    /// The targets directory of a repository.
    pub fn targets_dir(dir: &Path) -> PathBuf {
        dir.join("targets")
    }

    /// Creates a repository in `dir` (which must not hold one) with fresh keys in `keys`,
    /// every role at version 1, at time `now`.
    pub fn init(
        dir: &Path,
        keys: &KeyDir,
        root_policy: RolePolicy,
        now: u64,
    ) -> Result<Repo, Error> {
        if Self::metadata_dir(dir).join("timestamp.json").exists() {
            return Err(Error::Refused {
                reason: format!("{} already holds a repository", dir.display()),
            });
        }
        let mut pairs: BTreeMap<&str, Vec<KeyPair>> = BTreeMap::new();
        let mut root = Root {
            common: Common::new::<Root>(1, now + root_policy.expiry_secs),
            consistent_snapshot: true,
            keys: BTreeMap::new(),
            roles: BTreeMap::new(),
        };
        for role in ROLES {
            let policy = if role == "root" {
                root_policy
            } else {
                default_policy(role)
            };
            if policy.threshold < 1
                || policy.keys < usize::try_from(policy.threshold).unwrap_or(usize::MAX)
            {
                return Err(Error::Refused {
                    reason: format!(
                        "{role}: threshold {} needs at least that many keys (got {})",
                        policy.threshold, policy.keys
                    ),
                });
            }
            let generated = (0..policy.keys)
                .map(|_| KeyPair::generate())
                .collect::<Result<Vec<_>, _>>()?;
            let keyids = generated.iter().map(|k| k.public().key_id()).collect();
            for k in &generated {
                root.keys.insert(k.public().key_id(), k.public());
            }
            root.roles.insert(
                role.to_string(),
                RoleKeys {
                    keyids,
                    threshold: policy.threshold,
                },
            );
            pairs.insert(role, generated);
        }
        let mut writes = Writes::new(dir);
        let result = (|| {
            for (role, generated) in &pairs {
                for k in generated {
                    keys.write(role, k)?;
                }
            }
            let signer = |role: &str| {
                pairs
                    .get(role)
                    .map(|v| v.iter().collect::<Vec<_>>())
                    .unwrap_or_default()
            };
            let root = Signed::sign(root, &signer("root"))?;
            let targets = Signed::sign(
                Targets {
                    common: Common::new::<Targets>(1, now + default_policy("targets").expiry_secs),
                    targets: BTreeMap::new(),
                    delegations: None,
                },
                &signer("targets"),
            )?;
            let mut repo = Repo::assemble(
                dir,
                root,
                targets,
                now,
                &signer("snapshot"),
                &signer("timestamp"),
                1,
            )?;
            writes.metadata(
                &format!("{}.root.json", repo.root.signed.common.version),
                &repo.root.to_bytes()?,
            )?;
            repo.write_tail(&mut writes)?;
            repo.dir = dir.to_path_buf();
            Ok(repo)
        })();
        writes.finish(result)
    }

    /// Builds snapshot (version `snapshot_version`) and timestamp over `targets`.
    fn assemble(
        dir: &Path,
        root: Signed<Root>,
        targets: Signed<Targets>,
        now: u64,
        snapshot_keys: &[&KeyPair],
        timestamp_keys: &[&KeyPair],
        snapshot_version: u64,
    ) -> Result<Repo, Error> {
        let targets_meta = MetaFile {
            version: targets.signed.common.version,
            length: None,
            hashes: None,
        };
        let snapshot = Signed::sign(
            Snapshot {
                common: Common::new::<Snapshot>(
                    snapshot_version,
                    now + default_policy("snapshot").expiry_secs,
                ),
                meta: BTreeMap::from([("targets.json".to_string(), targets_meta)]),
            },
            snapshot_keys,
        )?;
        let timestamp = sign_timestamp(&snapshot, 1, now, timestamp_keys, None)?;
        Ok(Repo {
            dir: dir.to_path_buf(),
            root,
            targets,
            snapshot,
            timestamp,
        })
    }

    /// Writes targets, snapshot, `root.json` and, last, timestamp.
    fn write_tail(&self, writes: &mut Writes) -> Result<(), Error> {
        writes.metadata(
            &format!("{}.targets.json", self.targets.signed.common.version),
            &self.targets.to_bytes()?,
        )?;
        writes.metadata(
            &format!("{}.snapshot.json", self.snapshot.signed.common.version),
            &self.snapshot.to_bytes()?,
        )?;
        writes.metadata("root.json", &self.root.to_bytes()?)?;
        writes.metadata("timestamp.json", &self.timestamp.to_bytes()?)
    }

    /// Reads the repository in `dir`.
    pub fn open(dir: &Path) -> Result<Repo, Error> {
        let meta = Self::metadata_dir(dir);
        let root: Signed<Root> = files::read_metadata(&meta.join("root.json"))?;
        let timestamp: Signed<Timestamp> = files::read_metadata(&meta.join("timestamp.json"))?;
        let snapshot_version = timestamp
            .signed
            .snapshot_meta()
            .map(|m| m.version)
            .ok_or_else(|| invalid("timestamp.json", "no snapshot.json entry"))?;
        let snapshot: Signed<Snapshot> =
            files::read_metadata(&meta.join(format!("{snapshot_version}.snapshot.json")))?;
        let targets_version = snapshot
            .signed
            .meta
            .get("targets.json")
            .map(|m| m.version)
            .ok_or_else(|| invalid("snapshot.json", "no targets.json entry"))?;
        let targets: Signed<Targets> =
            files::read_metadata(&meta.join(format!("{targets_version}.targets.json")))?;
        Ok(Repo {
            dir: dir.to_path_buf(),
            root,
            targets,
            snapshot,
            timestamp,
        })
    }

    /// Re-signs the timestamp alone (version + 1, fresh expiry), keeping the rollout
    /// state it carries.
    pub fn timestamp(&mut self, keys: &KeyDir, now: u64) -> Result<(), Error> {
        let rollout = self.timestamp.signed.rollout.clone();
        self.sign_timestamp_with(keys, rollout, now)
    }

    /// Writes a new timestamp (version + 1) carrying `rollout`: the only key it needs
    /// is the online timestamp key.
    fn sign_timestamp_with(
        &mut self,
        keys: &KeyDir,
        rollout: Option<RolloutState>,
        now: u64,
    ) -> Result<(), Error> {
        let signers = keys.load(&self.root.signed, "timestamp")?;
        let version = self.timestamp.signed.common.version + 1;
        let timestamp = sign_timestamp(
            &self.snapshot,
            version,
            now,
            &signers.iter().collect::<Vec<_>>(),
            rollout,
        )?;
        let mut writes = Writes::new(&self.dir);
        let done = writes.metadata("timestamp.json", &timestamp.to_bytes()?);
        writes.finish(done)?;
        self.timestamp = timestamp;
        Ok(())
    }

    /// Adds the channel files `channels` (bytes, and a name for errors) as targets and
    /// writes new targets, snapshot and timestamp. A channel whose content version is
    /// not above the one published for its channel id is refused (the same file again
    /// is skipped), and then nothing is written. Returns the target paths added. The
    /// channels go to every host at once: [`Repo::publish_with`] stages them in rings.
    pub fn publish(
        &mut self,
        keys: &KeyDir,
        channels: &[(String, Vec<u8>)],
        now: u64,
    ) -> Result<Vec<String>, Error> {
        self.publish_with(keys, channels, None, &[], now)
    }

    /// [`Repo::publish`] with a rollout plan: each new channel carries `plan` in its
    /// target's `custom.rollout`, the version it replaces stays signed as the N-1 target
    /// ([`previous_path`]) to fall back to, and the rollout state in the new timestamp
    /// starts the release in its first ring. `extra` are further targets (bytes by target
    /// path, such as release notes) signed with the release.
    pub fn publish_with(
        &mut self,
        keys: &KeyDir,
        channels: &[(String, Vec<u8>)],
        plan: Option<&Plan>,
        extra: &[(String, Vec<u8>)],
        now: u64,
    ) -> Result<Vec<String>, Error> {
        if let Some(plan) = plan {
            plan.validate()
                .map_err(|e| invalid("the rollout plan", e))?;
        }
        let mut targets = self.targets.signed.clone();
        let mut rollout = self.timestamp.signed.rollout.clone().unwrap_or_default();
        let mut added = Vec::new();
        let mut blobs: Vec<(String, std::borrow::Cow<'_, [u8]>)> = Vec::new();
        for (what, bytes) in channels {
            let info = ChannelInfo::of_file(bytes, what)?;
            let name = info.target_path();
            let hashes = hashes_of(bytes);
            if targets
                .targets
                .get(&name)
                .is_some_and(|p| p.hashes == hashes)
            {
                continue;
            }
            let published = targets
                .targets
                .values()
                .filter_map(|t| ChannelInfo::from_custom(t.custom.as_ref()?))
                .filter(|p| p.channel_id == info.channel_id)
                .map(|p| p.content_version)
                .max();
            if let Some(published) = published.filter(|p| *p >= info.content_version) {
                return Err(Error::Refused {
                    reason: format!(
                        "{what}: channel `{}` ({}) content version {} is not above the published version {published}",
                        info.name, info.channel_id, info.content_version
                    ),
                });
            }
            let length = u64::try_from(bytes.len()).map_err(|_| invalid(what, "too large"))?;
            if let Some(old) = targets.targets.remove(&name) {
                let (path, file, bytes) = self.previous_of(&name, old)?;
                blobs.push((
                    target_file_name(&path, &bytes),
                    std::borrow::Cow::Owned(bytes),
                ));
                targets.targets.insert(path, file);
            }
            let mut custom = info.to_custom();
            match (plan, custom.as_object_mut()) {
                (Some(plan), Some(object)) => {
                    object.insert("rollout".into(), plan.to_custom());
                    rollout.put(Release::start(info.channel_id, info.content_version, now));
                }
                _ => rollout.releases.retain(|r| r.channel_id != info.channel_id),
            }
            targets.targets.insert(
                name.clone(),
                crate::TargetFile {
                    length,
                    hashes,
                    custom: Some(custom),
                },
            );
            blobs.push((
                target_file_name(&name, bytes),
                std::borrow::Cow::Borrowed(bytes.as_slice()),
            ));
            added.push(name);
        }
        if added.is_empty() {
            return Ok(added);
        }
        for (name, bytes) in extra {
            let length = u64::try_from(bytes.len()).map_err(|_| invalid(name, "too large"))?;
            targets.targets.insert(
                name.clone(),
                crate::TargetFile {
                    length,
                    hashes: hashes_of(bytes),
                    custom: None,
                },
            );
            blobs.push((
                target_file_name(name, bytes),
                std::borrow::Cow::Borrowed(bytes.as_slice()),
            ));
            added.push(name.clone());
        }
        let rollout = Some(rollout).filter(|r| !r.releases.is_empty());
        self.write_targets(keys, targets, now, &blobs, rollout)?;
        Ok(added)
    }

    /// Signs and writes new targets (plus `blobs` under targets/), snapshot and timestamp.
    fn write_targets(
        &mut self,
        keys: &KeyDir,
        mut targets: Targets,
        now: u64,
        blobs: &[(String, std::borrow::Cow<'_, [u8]>)],
        rollout: Option<RolloutState>,
    ) -> Result<(), Error> {
        targets.common = Common::new::<Targets>(
            self.targets.signed.common.version + 1,
            now + default_policy("targets").expiry_secs,
        );
        let root = &self.root.signed;
        let targets_keys = keys.load(root, "targets")?;
        let snapshot_keys = keys.load(root, "snapshot")?;
        let timestamp_keys = keys.load(root, "timestamp")?;
        let targets = Signed::sign(targets, &targets_keys.iter().collect::<Vec<_>>())?;
        let mut next = Repo::assemble(
            &self.dir,
            self.root.clone(),
            targets,
            now,
            &snapshot_keys.iter().collect::<Vec<_>>(),
            &timestamp_keys.iter().collect::<Vec<_>>(),
            self.snapshot.signed.common.version + 1,
        )?;
        next.timestamp = sign_timestamp(
            &next.snapshot,
            self.timestamp.signed.common.version + 1,
            now,
            &timestamp_keys.iter().collect::<Vec<_>>(),
            rollout,
        )?;
        let mut writes = Writes::new(&self.dir);
        let done = (|| {
            for (file, bytes) in blobs {
                writes.target(file, bytes)?;
            }
            next.write_tail(&mut writes)
        })();
        writes.finish(done)?;
        *self = next;
        Ok(())
    }

    /// Replaces `role`'s keys with `count` fresh ones (threshold kept) and writes root
    /// N+1, signed by the old root keys and (for root) the new ones too; the role's own
    /// metadata is then re-signed with its new keys.
    pub fn rotate(&mut self, keys: &KeyDir, role: &str, now: u64) -> Result<Vec<String>, Error> {
        if !ROLES.contains(&role) {
            return Err(Error::Refused {
                reason: format!(
                    "unknown role `{role}` (expected one of {})",
                    ROLES.join(", ")
                ),
            });
        }
        let old_root_keys = keys.load(&self.root.signed, "root")?;
        let mut root = self.root.signed.clone();
        let role_keys = root
            .roles
            .get(role)
            .cloned()
            .ok_or_else(|| invalid("root", format!("no `{role}` role")))?;
        let fresh = (0..role_keys.keyids.len())
            .map(|_| KeyPair::generate())
            .collect::<Result<Vec<_>, _>>()?;
        let new_ids: Vec<String> = fresh.iter().map(|k| k.public().key_id()).collect();
        for old in &role_keys.keyids {
            let still_used = root
                .roles
                .iter()
                .any(|(r, k)| r != role && k.keyids.contains(old));
            if !still_used {
                root.keys.remove(old);
            }
        }
        for k in &fresh {
            root.keys.insert(k.public().key_id(), k.public());
        }
        root.roles.insert(
            role.to_string(),
            RoleKeys {
                keyids: new_ids.clone(),
                threshold: role_keys.threshold,
            },
        );
        root.common = Common::new::<Root>(
            root.common.version + 1,
            now + default_policy("root").expiry_secs,
        );
        let mut signers: Vec<&KeyPair> = old_root_keys.iter().collect();
        if role == "root" {
            signers.extend(fresh.iter());
        }
        let new_root = Signed::sign(root, &signers)?;
        for k in &fresh {
            keys.write(role, k)?;
        }
        let mut writes = Writes::new(&self.dir);
        let done = (|| {
            let bytes = new_root.to_bytes()?;
            writes.metadata(
                &format!("{}.root.json", new_root.signed.common.version),
                &bytes,
            )?;
            writes.metadata("root.json", &bytes)
        })();
        writes.finish(done)?;
        self.root = new_root;
        // Re-sign what the rotated role signs, so hosts can verify it with the new root.
        match role {
            "targets" | "snapshot" => {
                let rollout = self.timestamp.signed.rollout.clone();
                self.write_targets(keys, self.targets.signed.clone(), now, &[], rollout)?
            }
            "timestamp" => self.timestamp(keys, now)?,
            _ => {}
        }
        keys.retire(role, &role_keys.keyids, &self.root.signed)?;
        Ok(new_ids)
    }

    /// A human-readable summary of every role and every published target.
    pub fn status(&self, now: u64) -> String {
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(format!("repository {}", self.dir.display()));
        let commons: [(&str, &Common); 4] = [
            ("root", &self.root.signed.common),
            ("targets", &self.targets.signed.common),
            ("snapshot", &self.snapshot.signed.common),
            ("timestamp", &self.timestamp.signed.common),
        ];
        for (role, common) in commons {
            let keys = self.root.signed.roles.get(role);
            let state = if common.is_expired(now) {
                "EXPIRED"
            } else {
                "valid"
            };
            line(format!(
                "{role:<9} version {:<4} expires {} ({state}), threshold {} of {} key(s): {}",
                common.version,
                common.expires,
                keys.map_or(0, |k| k.threshold),
                keys.map_or(0, |k| k.keyids.len()),
                keys.map(|k| k
                    .keyids
                    .iter()
                    .map(|id| id.get(..16).unwrap_or(id))
                    .collect::<Vec<_>>()
                    .join(", "))
                    .unwrap_or_default()
            ));
        }
        line(format!("{} target(s):", self.targets.signed.targets.len()));
        for (name, file) in &self.targets.signed.targets {
            let info = file.custom.as_ref().and_then(ChannelInfo::from_custom);
            let detail = info
                .map(|i| i.summary())
                .unwrap_or_else(|| "not a Ward channel".into());
            line(format!(
                "  {name}: {} bytes, sha256 {}, {detail}",
                file.length,
                file.hashes
                    .get("sha256")
                    .map_or("-", |h| h.get(..16).unwrap_or(h))
            ));
        }
        out
    }
}

/// The file name a target is stored under: its SHA-256, a dot, and its base name.
pub fn target_file_name(name: &str, bytes: &[u8]) -> String {
    let (dir, base) = name.rsplit_once('/').map_or(("", name), |(d, b)| (d, b));
    let hashed = format!("{}.{base}", sha256_hex(bytes));
    if dir.is_empty() {
        hashed
    } else {
        format!("{dir}/{hashed}")
    }
}

fn sign_timestamp(
    snapshot: &Signed<Snapshot>,
    version: u64,
    now: u64,
    keys: &[&KeyPair],
    rollout: Option<RolloutState>,
) -> Result<Signed<Timestamp>, Error> {
    let bytes = snapshot.to_bytes()?;
    let meta = MetaFile {
        version: snapshot.signed.common.version,
        length: u64::try_from(bytes.len()).ok(),
        hashes: Some(hashes_of(&bytes)),
    };
    Signed::sign(
        Timestamp {
            common: Common::new::<Timestamp>(
                version,
                now + default_policy("timestamp").expiry_secs,
            ),
            meta: BTreeMap::from([("snapshot.json".to_string(), meta)]),
            rollout,
        },
        keys,
    )
}
