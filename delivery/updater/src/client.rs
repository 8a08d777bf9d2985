//! The TUF client workflow (specification 1.0, section 5, "detailed client workflow"):
//! the trusted root, root rotation one version at a time, timestamp, snapshot and
//! targets with their signature, version, hash, length and expiry checks, then
//! delegated target search.
//!
//! Expiry is checked against one time fixed when the updater is made (the update's start
//! time), so a slow repository cannot stretch a freeze. Local metadata is re-verified
//! against the current root each time it is loaded: after a key rotation, a timestamp or
//! snapshot signed by the old keys no longer verifies and is simply not trusted any more,
//! which is the spec's fast-forward recovery (5.3.11) without a separate delete step.
//! Nothing is written to the metadata directory before it has passed every check.
//!
//! An updater is meant to live as long as the sensor: the metadata it verified stays in
//! memory between polls ([`Updater::set_time`] moves its clock on), so a poll with
//! nothing new is one missing `N+1.root.json`, one conditional GET of `timestamp.json`
//! and a few expiry checks, with no file read or signature verified again. The disk is
//! read once, by the first refresh, and again only after a root rotation (which must
//! re-verify everything against the new keys).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ward_tuf::delegation::roles_for;
use ward_tuf::hash;
use ward_tuf::metadata::Role;
use ward_tuf::repo::{read_limited, write_atomic};
use ward_tuf::{Error, MetaFile, RoleKeys, Root, Signed, Snapshot, TargetFile, Targets, Timestamp};

use crate::fetch::{Fetch, Fetched, Validators};

/// Byte limits for every download and bounds on the work of one refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub root: u64,
    pub timestamp: u64,
    pub snapshot: u64,
    pub targets: u64,
    /// Root versions one refresh may walk.
    pub max_root_rotations: u64,
    /// Targets roles one target search may visit.
    pub max_delegations: usize,
}

impl Default for Limits {
    /// python-tuf's defaults, so the two clients agree on what is too big.
    fn default() -> Limits {
        Limits {
            root: 512_000,
            timestamp: 16_384,
            snapshot: 2_000_000,
            targets: 5_000_000,
            max_root_rotations: 256,
            max_delegations: 32,
        }
    }
}

/// The file in the metadata directory that keeps the HTTP validators of the trusted
/// timestamp, so the next poll can be a conditional GET.
const VALIDATORS_FILE: &str = "timestamp.validators";

/// A TUF client over one repository and one local metadata directory.
#[derive(Debug)]
pub struct Updater<F> {
    dir: PathBuf,
    metadata_url: String,
    fetch: F,
    limits: Limits,
    now: u64,
    root: Signed<Root>,
    timestamp: Option<Signed<Timestamp>>,
    snapshot: Option<Signed<Snapshot>>,
    /// Targets roles by (delegator, role): a role reached through another delegator is
    /// verified again against that delegator's keys.
    targets: BTreeMap<(String, String), Signed<Targets>>,
    /// HTTP validators of the trusted timestamp, for the next conditional GET.
    validators: Option<Validators>,
    /// Whether `timestamp`, `snapshot` and `targets` were loaded from the disk (or
    /// found there to be absent or untrusted) under the current root.
    loaded: bool,
    refreshed: bool,
}

/// `role` quoted as python-tuf quotes it in URLs and file names (every byte but
/// ASCII letters, digits and `_.-~` percent-encoded), so `../x` stays one file name.
pub fn quote(role: &str) -> String {
    use std::fmt::Write as _;
    role.bytes().fold(String::new(), |mut s, b| {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "%{b:02X}");
        }
        s
    })
}

impl<F: Fetch> Updater<F> {
    /// An updater trusting `dir/root.json`, fetching from `metadata_url`, with expiry
    /// checked against `now` (seconds since the epoch).
    pub fn new(
        dir: impl Into<PathBuf>,
        metadata_url: &str,
        fetch: F,
        limits: Limits,
        now: u64,
    ) -> Result<Updater<F>, Error> {
        let dir = dir.into();
        let path = dir.join("root.json");
        let bytes = read_limited(&path, limits.root)?;
        let root: Signed<Root> = Signed::parse(&bytes, &path.display().to_string())?;
        root.signed.verify_role("root", &root)?;
        Ok(Updater {
            dir,
            metadata_url: metadata_url.trim_end_matches('/').to_string(),
            fetch,
            limits,
            now,
            root,
            timestamp: None,
            snapshot: None,
            targets: BTreeMap::new(),
            validators: None,
            loaded: false,
            refreshed: false,
        })
    }

    /// Moves the updater's clock to `now`, the start time of the next update, against
    /// which every expiry is checked (a long-lived updater calls this before each poll).
    pub fn set_time(&mut self, now: u64) {
        self.now = now;
    }

    /// The update's start time (seconds since the epoch), against which expiry is checked.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// The trusted root.
    pub fn root(&self) -> &Root {
        &self.root.signed
    }

    /// The trusted timestamp, once refreshed.
    pub fn timestamp(&self) -> Option<&Timestamp> {
        self.timestamp.as_ref().map(|t| &t.signed)
    }

    /// The trusted top-level targets, once refreshed.
    pub fn top_targets(&self) -> Option<&Targets> {
        self.targets
            .get(&("root".into(), "targets".into()))
            .map(|t| &t.signed)
    }

    /// Updates root, timestamp, snapshot and top-level targets (spec 5.3 to 5.6).
    pub fn refresh(&mut self) -> Result<(), Error> {
        self.refreshed = true;
        self.update_root()?;
        self.update_timestamp()?;
        self.update_snapshot()?;
        self.load_targets("targets", "root")?;
        Ok(())
    }

    fn url(&self, file: &str) -> String {
        format!("{}/{file}", self.metadata_url)
    }

    fn local(&self, file: &str, limit: u64) -> Option<Vec<u8>> {
        read_limited(&self.dir.join(file), limit).ok()
    }

    fn persist(&self, file: &str, bytes: &[u8]) -> Result<(), Error> {
        write_atomic(&self.dir.join(file), bytes)
    }

    fn download(&self, file: &str, limit: u64) -> Result<Vec<u8>, Error> {
        match self.fetch.get(&self.url(file), limit, None)? {
            Fetched::Body(bytes, _) => Ok(bytes),
            Fetched::NotModified => Err(Error::Network {
                url: self.url(file),
                reason: "304 Not Modified to an unconditional request".into(),
            }),
        }
    }

    fn expired<R: Role>(&self, role: &str, metadata: &R) -> Result<(), Error> {
        let common = metadata.common();
        if common.is_expired(self.now) {
            return Err(Error::Expired {
                role: role.to_string(),
                expires: common.expires.clone(),
            });
        }
        Ok(())
    }

    /// 5.3: each next root must be signed by the current root's threshold and its own,
    /// and have exactly the next version.
    fn update_root(&mut self) -> Result<(), Error> {
        let first = self.root.signed.common.version + 1;
        for version in first..first.saturating_add(self.limits.max_root_rotations) {
            let file = format!("{version}.root.json");
            let bytes = match self.download(&file, self.limits.root) {
                Ok(bytes) => bytes,
                Err(Error::NotFound { .. }) => break,
                Err(e) => return Err(e),
            };
            let new: Signed<Root> = Signed::parse(&bytes, &self.url(&file))?;
            self.root.signed.verify_role("root", &new)?;
            if new.signed.common.version != version {
                return Err(Error::Version {
                    role: self.url(&file),
                    expected: version.to_string(),
                    got: new.signed.common.version,
                });
            }
            new.signed.verify_role("root", &new)?;
            self.persist("root.json", &bytes)?;
            self.root = new;
            // What the old root's keys vouched for is re-verified from the disk against
            // the new ones (fast-forward recovery, 5.3.11).
            self.forget();
        }
        Ok(())
    }

    /// Drops the trusted timestamp, snapshot and targets kept in memory, so the next
    /// refresh reads and re-verifies them from the metadata directory.
    fn forget(&mut self) {
        self.timestamp = None;
        self.snapshot = None;
        self.targets.clear();
        self.validators = None;
        self.loaded = false;
    }

    fn parse_timestamp(&self, bytes: &[u8], what: &str) -> Result<Signed<Timestamp>, Error> {
        let new: Signed<Timestamp> = Signed::parse(bytes, what)?;
        self.root.signed.verify_role("timestamp", &new)?;
        Ok(new)
    }

    /// 5.4, with one conditional GET when a trusted timestamp and its validators exist.
    fn update_timestamp(&mut self) -> Result<(), Error> {
        if !self.loaded {
            // The local timestamp is the reference for rollback checks even when
            // expired, as long as the current root's timestamp keys signed it.
            let local = self
                .local("timestamp.json", self.limits.timestamp)
                .and_then(|b| self.parse_timestamp(&b, "local timestamp.json").ok());
            self.validators = local.as_ref().and_then(|_| {
                let bytes = self.local(VALIDATORS_FILE, 4096)?;
                serde_json::from_slice::<Validators>(&bytes).ok()
            });
            self.timestamp = local;
        }
        self.expired("root", &self.root.signed)?;
        let url = self.url("timestamp.json");
        let (bytes, found) =
            match self
                .fetch
                .get(&url, self.limits.timestamp, self.validators.as_ref())?
            {
                Fetched::Body(bytes, found) => (bytes, found),
                // Unchanged: the trusted timestamp stays, and must still be unexpired.
                Fetched::NotModified => return self.final_timestamp(),
            };
        let new = self.parse_timestamp(&bytes, &url)?;
        if let Some(old) = &self.timestamp {
            let (old_v, new_v) = (old.signed.common.version, new.signed.common.version);
            if new_v < old_v {
                return Err(Error::Version {
                    role: url,
                    expected: format!("at least {old_v} (rollback refused)"),
                    got: new_v,
                });
            }
            if new_v == old_v {
                return self.final_timestamp();
            }
            let old_snap = old.signed.snapshot_meta().map_or(0, |m| m.version);
            let new_snap = new.signed.snapshot_meta().map_or(0, |m| m.version);
            if new_snap < old_snap {
                return Err(Error::Version {
                    role: format!("{url}: snapshot.json"),
                    expected: format!("at least {old_snap} (rollback refused)"),
                    got: new_snap,
                });
            }
        }
        self.expired(&url, &new.signed)?;
        self.persist("timestamp.json", &bytes)?;
        if let Ok(text) = serde_json::to_vec(&found) {
            self.persist(VALIDATORS_FILE, &text)?;
        }
        self.validators = Some(found);
        self.timestamp = Some(new);
        Ok(())
    }

    fn final_timestamp(&self) -> Result<(), Error> {
        match &self.timestamp {
            Some(t) => self.expired("timestamp.json", &t.signed),
            None => Err(Error::Refused {
                reason: "no trusted timestamp".into(),
            }),
        }
    }

    fn snapshot_meta(&self) -> Result<MetaFile, Error> {
        self.final_timestamp()?;
        self.timestamp
            .as_ref()
            .and_then(|t| t.signed.snapshot_meta().cloned())
            .ok_or_else(|| Error::Refused {
                reason: "no trusted timestamp".into(),
            })
    }

    /// Checks a snapshot against the trusted timestamp and the trusted snapshot (no
    /// targets file may disappear or go back). Returns it trusted or not: even a
    /// rejected local snapshot serves as the rollback reference if its keys are good.
    fn check_snapshot(
        &self,
        bytes: &[u8],
        what: &str,
        downloaded: bool,
    ) -> Result<Signed<Snapshot>, Error> {
        let meta = self.snapshot_meta()?;
        if downloaded {
            hash::check(what, bytes, meta.length, meta.hashes.as_ref())?;
        }
        let new: Signed<Snapshot> = Signed::parse(bytes, what)?;
        self.root.signed.verify_role("snapshot", &new)?;
        if let Some(old) = &self.snapshot {
            for (file, old_meta) in &old.signed.meta {
                match new.signed.meta.get(file) {
                    None => {
                        return Err(Error::Mismatch {
                            what: what.to_string(),
                            reason: format!("{file} was removed (rollback refused)"),
                        })
                    }
                    Some(m) if m.version < old_meta.version => {
                        return Err(Error::Version {
                            role: format!("{what}: {file}"),
                            expected: format!("at least {} (rollback refused)", old_meta.version),
                            got: m.version,
                        })
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(new)
    }

    fn final_snapshot(&self, snapshot: &Signed<Snapshot>, what: &str) -> Result<(), Error> {
        self.expired(what, &snapshot.signed)?;
        let meta = self.snapshot_meta()?;
        if snapshot.signed.common.version != meta.version {
            return Err(Error::Version {
                role: what.to_string(),
                expected: format!("{} (as timestamp.json says)", meta.version),
                got: snapshot.signed.common.version,
            });
        }
        Ok(())
    }

    /// 5.5: the trusted snapshot if it is still the one the timestamp names, else a
    /// download of the version the timestamp names. The trusted snapshot is the one in
    /// memory, or on the first refresh the local file if it verifies.
    fn update_snapshot(&mut self) -> Result<(), Error> {
        if !self.loaded {
            self.loaded = true;
            self.snapshot = None;
            if let Some(bytes) = self.local("snapshot.json", self.limits.snapshot) {
                if let Ok(local) = self.check_snapshot(&bytes, "local snapshot.json", false) {
                    self.snapshot = Some(local);
                }
            }
        }
        if let Some(trusted) = &self.snapshot {
            if self
                .final_snapshot(trusted, "trusted snapshot.json")
                .is_ok()
            {
                return Ok(());
            }
        }
        let meta = self.snapshot_meta()?;
        let file = if self.root.signed.consistent_snapshot {
            format!("{}.snapshot.json", meta.version)
        } else {
            "snapshot.json".to_string()
        };
        let bytes = self.download(&file, meta.length.unwrap_or(self.limits.snapshot))?;
        let url = self.url(&file);
        let new = self.check_snapshot(&bytes, &url, true)?;
        self.final_snapshot(&new, &url)?;
        self.persist("snapshot.json", &bytes)?;
        // Targets files are trusted per snapshot: the new one may name other versions.
        self.targets.clear();
        self.snapshot = Some(new);
        Ok(())
    }

    /// Keys and threshold `delegator` gives `role`.
    fn delegation(
        &self,
        role: &str,
        delegator: &str,
    ) -> Result<(RoleKeys, BTreeMap<String, ward_tuf::Key>), Error> {
        if delegator == "root" {
            let keys = self
                .root
                .signed
                .roles
                .get(role)
                .ok_or_else(|| Error::Refused {
                    reason: format!("root does not delegate `{role}`"),
                })?;
            return Ok((keys.clone(), self.root.signed.keys.clone()));
        }
        let parent = self
            .targets
            .iter()
            .find(|((_, r), _)| r == delegator)
            .map(|(_, t)| t)
            .ok_or_else(|| Error::Refused {
                reason: format!("delegator `{delegator}` of `{role}` is not trusted"),
            })?;
        let delegations = parent
            .signed
            .delegations
            .as_ref()
            .ok_or_else(|| Error::Refused {
                reason: format!("`{delegator}` delegates nothing"),
            })?;
        if let Some(r) = delegations.roles.iter().flatten().find(|r| r.name == role) {
            let keys = RoleKeys {
                keyids: r.keyids.clone(),
                threshold: r.threshold,
            };
            return Ok((keys, delegations.keys.clone()));
        }
        if let Some(s) = &delegations.succinct_roles {
            let keys = RoleKeys {
                keyids: s.keyids.clone(),
                threshold: s.threshold,
            };
            return Ok((keys, delegations.keys.clone()));
        }
        Err(Error::Refused {
            reason: format!("`{delegator}` does not delegate `{role}`"),
        })
    }

    fn check_targets(
        &self,
        bytes: &[u8],
        role: &str,
        delegator: &str,
        what: &str,
    ) -> Result<Signed<Targets>, Error> {
        let snapshot = self.snapshot.as_ref().ok_or_else(|| Error::Refused {
            reason: "no trusted snapshot".into(),
        })?;
        self.final_snapshot(snapshot, "snapshot.json")?;
        let meta = snapshot
            .signed
            .meta
            .get(&format!("{role}.json"))
            .ok_or_else(|| Error::Mismatch {
                what: "snapshot.json".into(),
                reason: format!("has no entry for `{role}.json`"),
            })?;
        hash::check(what, bytes, meta.length, meta.hashes.as_ref())?;
        let new: Signed<Targets> = Signed::parse(bytes, what)?;
        let (role_keys, keys) = self.delegation(role, delegator)?;
        new.verify_by(role, &role_keys.keyids, role_keys.threshold, &keys)?;
        if new.signed.common.version != meta.version {
            return Err(Error::Version {
                role: what.to_string(),
                expected: format!("{} (as snapshot.json says)", meta.version),
                got: new.signed.common.version,
            });
        }
        self.expired(what, &new.signed)?;
        Ok(new)
    }

    /// 5.6 and 5.7.2: the targets role `role` as delegated by `delegator`.
    fn load_targets(&mut self, role: &str, delegator: &str) -> Result<(), Error> {
        let key = (delegator.to_string(), role.to_string());
        if let Some(trusted) = self.targets.get(&key) {
            // Verified under this snapshot already; time alone can end its trust.
            return self.expired(&format!("trusted {role}.json"), &trusted.signed);
        }
        let file = format!("{}.json", quote(role));
        if let Some(bytes) = self.local(&file, self.limits.targets) {
            if let Ok(local) = self.check_targets(&bytes, role, delegator, &format!("local {file}"))
            {
                self.targets.insert(key, local);
                return Ok(());
            }
        }
        let snapshot = self.snapshot.as_ref().ok_or_else(|| Error::Refused {
            reason: "no trusted snapshot".into(),
        })?;
        let meta = snapshot
            .signed
            .meta
            .get(&format!("{role}.json"))
            .cloned()
            .ok_or_else(|| Error::Mismatch {
                what: "snapshot.json".into(),
                reason: format!("has no entry for `{role}.json`"),
            })?;
        let remote = if self.root.signed.consistent_snapshot {
            format!("{}.{file}", meta.version)
        } else {
            file.clone()
        };
        let bytes = self.download(&remote, meta.length.unwrap_or(self.limits.targets))?;
        let new = self.check_targets(&bytes, role, delegator, &self.url(&remote))?;
        self.persist(&file, &bytes)?;
        self.targets.insert(key, new);
        Ok(())
    }

    /// 5.7: the target file `path` after a pre-order depth-first search of the
    /// delegations, refreshing first if this updater has not.
    pub fn target_info(&mut self, path: &str) -> Result<TargetFile, Error> {
        if !self.refreshed {
            self.refresh()?;
        }
        let mut stack: Vec<(String, String)> = vec![("targets".into(), "root".into())];
        let mut visited: Vec<(String, String)> = Vec::new();
        while let Some((role, delegator)) = stack.pop() {
            if visited.len() >= self.limits.max_delegations {
                break;
            }
            let key = (delegator.clone(), role.clone());
            if visited.contains(&key) {
                continue;
            }
            self.load_targets(&role, &delegator)?;
            let Some(targets) = self.targets.get(&key) else {
                break;
            };
            if let Some(file) = targets.signed.targets.get(path) {
                return Ok(file.clone());
            }
            visited.push(key);
            if let Some(delegations) = &targets.signed.delegations {
                let mut children = Vec::new();
                for (child, terminating) in roles_for(delegations, path) {
                    children.push((child, role.clone()));
                    if terminating {
                        stack.clear();
                        break;
                    }
                }
                children.reverse();
                stack.extend(children);
            }
        }
        Err(Error::UnknownTarget {
            target: path.to_string(),
        })
    }

    /// Downloads target `path` (described by `info`) from `base_url`, checking length
    /// and hashes; with consistent snapshots the file is fetched by its hash-prefixed
    /// name, so a mirror cannot serve a different file under the same URL.
    pub fn fetch_target(
        &self,
        path: &str,
        info: &TargetFile,
        base_url: &str,
    ) -> Result<Vec<u8>, Error> {
        let name = match (
            self.root.signed.consistent_snapshot,
            info.hashes.values().next(),
        ) {
            (true, Some(digest)) => match path.rsplit_once('/') {
                Some((dir, base)) => format!("{dir}/{digest}.{base}"),
                None => format!("{digest}.{path}"),
            },
            _ => path.to_string(),
        };
        let url = format!("{}/{name}", base_url.trim_end_matches('/'));
        let bytes = match self.fetch.get(&url, info.length, None)? {
            Fetched::Body(bytes, _) => bytes,
            Fetched::NotModified => {
                return Err(Error::Network {
                    url,
                    reason: "304 to an unconditional request".into(),
                })
            }
        };
        hash::check(&url, &bytes, Some(info.length), Some(&info.hashes))?;
        Ok(bytes)
    }

    /// Finds `path`, and returns the file in `target_dir` if it is already there with
    /// the signed length and hashes, else downloads it there.
    pub fn download_to(
        &mut self,
        path: &str,
        base_url: &str,
        target_dir: &Path,
    ) -> Result<PathBuf, Error> {
        let info = self.target_info(path)?;
        let dest = target_dir.join(quote(path));
        if let Ok(bytes) = read_limited(&dest, info.length) {
            if hash::check(path, &bytes, Some(info.length), Some(&info.hashes)).is_ok() {
                return Ok(dest);
            }
        }
        let bytes = self.fetch_target(path, &info, base_url)?;
        write_atomic(&dest, &bytes)?;
        Ok(dest)
    }
}
