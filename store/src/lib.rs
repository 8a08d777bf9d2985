//! ward-store: the channel store, the active channel per channel id on disk, swapped
//! atomically, with a last known good copy and durable anti-rollback (DESIGN.md
//! invariant 5).
//!
//! The store is the part of the sensor side that needs `std`, so it is its own crate over
//! the `no_std` runtime. Its file operations go through the [`Storage`] trait: a host with
//! its own storage (a registry, a kernel file API) implements it; [`FileStorage`], the
//! file system, is the default. Every file is written to a temporary name, synced,
//! renamed over its final name, and the directory is synced, so a crash at any step
//! leaves either the old file or the new one, never a torn one.
//!
//! Layout of the store directory, per channel id `N`:
//! - `N.chan`: the active channel, exactly as signed;
//! - `N.lkg.chan`: the last known good channel (the one active before it);
//! - `N.version`: the highest content version ever accepted, as decimal text;
//! - `*.tmp`: leftovers of an interrupted write, ignored and overwritten.
//!
//! Installing writes, in order: the version record (so the highest accepted version is
//! durable before the channel is used), the last known good copy, then the active file.
//!
//! The store holds verified channels, not their files: a sensor's memory is better spent
//! than on a second copy of every channel it runs. The last known good copy is read back
//! from disk when a new version arrives, and written only if it is byte for byte the
//! file that was verified (its SHA-256 is kept); a file changed under the store never
//! becomes the fallback.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

use sha2::{Digest as _, Sha256};

use ward_runtime::limits::MAX_FILE_SIZE;
use ward_runtime::{verify, SensorProfile, TrustStore, VerifiedChannel, VerifyError};

/// The file operations the store uses. A host implements them over its own storage; the
/// store's tests implement them to fail any one operation and prove the store still opens
/// to a good channel afterwards. Paths are the store directory joined with the names of
/// the layout above.
pub trait Storage: fmt::Debug + Send + Sync {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;
    /// Reads at most `limit` bytes; a longer file is an error, not a truncated read.
    fn read(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>>;
    /// Creates or truncates `path` and writes `bytes`.
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    fn sync_file(&self, path: &Path) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// The file system: the storage [`ChannelStore::open`] uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileStorage;

impl Storage for FileStorage {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir)? {
            if let Ok(name) = entry?.file_name().into_string() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    fn read(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>> {
        let file = fs::File::open(path)?;
        let mut bytes = Vec::new();
        let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        file.take(cap).read_to_end(&mut bytes)?;
        if bytes.len() > limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "file over the size limit",
            ));
        }
        Ok(bytes)
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut file = fs::File::create(path)?;
        file.write_all(bytes)
    }

    fn sync_file(&self, path: &Path) -> io::Result<()> {
        // fsync applies to the file, not the descriptor, so reopening to sync is enough.
        fs::OpenOptions::new().write(true).open(path)?.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        fs::File::open(dir)?.sync_all()
    }
}

/// Why the store refused a channel or could not do its work.
#[derive(Debug)]
pub enum StoreError {
    /// The channel failed verification; nothing was written.
    Verify(VerifyError),
    /// The channel's content version is below the highest the store has accepted.
    Rollback {
        channel_id: u32,
        offered: u64,
        highest: u64,
    },
    /// A file operation failed; the store on disk is still loadable.
    Io {
        op: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Verify(e) => write!(f, "the channel failed verification: {e}"),
            StoreError::Rollback { channel_id, offered, highest } => write!(
                f,
                "channel {channel_id} version {offered} is older than version {highest}, which this store has already accepted"
            ),
            StoreError::Io { op, path, source } => {
                write!(f, "could not {op} {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Verify(e) => Some(e),
            StoreError::Io { source, .. } => Some(source),
            StoreError::Rollback { .. } => None,
        }
    }
}

/// What an install did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// The channel is now active; `previous` is the version it replaced, which is kept as
    /// last known good (unless its file changed on disk since it was verified: then the
    /// store keeps the last known good copy it had).
    Activated {
        channel_id: u32,
        version: u64,
        previous: Option<u64>,
    },
    /// The store already has this version active: nothing changed.
    Unchanged { channel_id: u32, version: u64 },
}

#[derive(Debug)]
struct Slot {
    channel: Arc<VerifiedChannel>,
    /// SHA-256 of the file as verified.
    digest: Digest,
}

type Digest = [u8; 32];

fn digest(bytes: &[u8]) -> Digest {
    Sha256::digest(bytes).into()
}

/// Active channels on disk, one per channel id.
///
/// Shared between threads: evaluation takes the active channel ([`ChannelStore::active`],
/// a reference-counted handle) while [`ChannelStore::install`] verifies a new one without
/// holding any lock, writes its files under the install lock only, and then swaps the
/// active handle under a write lock held for one map insert. An evaluation in flight
/// keeps the channel it started with.
#[derive(Debug)]
pub struct ChannelStore {
    dir: PathBuf,
    fs: Box<dyn Storage>,
    active: RwLock<BTreeMap<u32, Slot>>,
    /// Highest content version ever accepted per channel id, as recorded on disk. Its
    /// lock is also the install lock: one install writes files at a time.
    highest: Mutex<BTreeMap<u32, u64>>,
}

/// A lock whose holder panicked still guards consistent data here (every update is one
/// insert), so poisoning is ignored rather than spread to the host.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ChannelStore {
    /// Opens (creating if needed) the store in `dir`. Each channel's active file is
    /// verified with `trust` and `host`; if it is missing, corrupt or no longer verifies,
    /// the last known good file is used instead.
    pub fn open(
        dir: impl AsRef<Path>,
        trust: &TrustStore,
        host: &SensorProfile,
    ) -> Result<ChannelStore, StoreError> {
        Self::open_with(dir.as_ref(), Box::new(FileStorage), trust, host)
    }

    /// [`ChannelStore::open`] over the host's own storage.
    pub fn open_with(
        dir: &Path,
        fs: Box<dyn Storage>,
        trust: &TrustStore,
        host: &SensorProfile,
    ) -> Result<ChannelStore, StoreError> {
        fs.create_dir_all(dir).map_err(|source| StoreError::Io {
            op: "create the store directory",
            path: dir.to_path_buf(),
            source,
        })?;
        let names = fs.list(dir).map_err(|source| StoreError::Io {
            op: "list the store directory",
            path: dir.to_path_buf(),
            source,
        })?;
        let mut ids: Vec<u32> = names.iter().filter_map(|n| channel_id_of(n)).collect();
        ids.sort_unstable();
        ids.dedup();

        let mut store = ChannelStore {
            dir: dir.to_path_buf(),
            fs,
            active: RwLock::default(),
            highest: Mutex::default(),
        };
        for id in ids {
            if let Some(v) = store.read_version(id) {
                store
                    .highest
                    .get_mut()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(id, v);
            }
            for path in [store.active_path(id), store.lkg_path(id)] {
                if let Some(slot) = store.load(&path, id, trust, host) {
                    store
                        .active
                        .get_mut()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(id, slot);
                    break;
                }
            }
        }
        Ok(store)
    }

    /// The active channel with this id, if any: a handle that stays valid (and keeps
    /// this channel) however many installs follow.
    pub fn active(&self, channel_id: u32) -> Option<Arc<VerifiedChannel>> {
        read(&self.active)
            .get(&channel_id)
            .map(|s| Arc::clone(&s.channel))
    }

    /// The ids of the channels with an active channel, ascending.
    pub fn channel_ids(&self) -> Vec<u32> {
        read(&self.active).keys().copied().collect()
    }

    /// The highest content version the store has accepted for this id.
    pub fn highest_version(&self, channel_id: u32) -> Option<u64> {
        let highest = lock(&self.highest).get(&channel_id).copied();
        self.highest_with(highest, channel_id)
    }

    fn highest_with(&self, recorded: Option<u64>, channel_id: u32) -> Option<u64> {
        let active = read(&self.active)
            .get(&channel_id)
            .map(|s| s.channel.content_version());
        recorded.max(active)
    }

    /// Verifies `bytes` and makes it the active channel for its id. A channel that fails
    /// verification changes nothing; an equal version to the active one is a no-op; a
    /// version below the highest accepted is refused.
    ///
    /// Verification holds no lock, so evaluation of the current channel goes on; the
    /// swap at the end is one map insert under the write lock.
    pub fn install(
        &self,
        bytes: &[u8],
        trust: &TrustStore,
        host: &SensorProfile,
    ) -> Result<Installed, StoreError> {
        let channel = verify(bytes, trust, host).map_err(StoreError::Verify)?;
        let id = channel.id();
        let version = channel.content_version();
        let mut highest = lock(&self.highest);
        let (active_version, previous_digest) = match read(&self.active).get(&id) {
            Some(s) => (Some(s.channel.content_version()), Some(s.digest)),
            None => (None, None),
        };
        if active_version == Some(version) {
            return Ok(Installed::Unchanged {
                channel_id: id,
                version,
            });
        }
        if let Some(highest) = self.highest_with(highest.get(&id).copied(), id) {
            if version < highest {
                return Err(StoreError::Rollback {
                    channel_id: id,
                    offered: version,
                    highest,
                });
            }
        }
        // The new highest version is durable before the channel can be used. An equal
        // record means an earlier install was interrupted after this step; it resumes.
        if highest.get(&id).is_none_or(|h| *h < version) {
            let text = format!("{version}\n");
            self.write_durably(&self.version_path(id), text.as_bytes())?;
            highest.insert(id, version);
        }
        if let Some(previous) = previous_digest {
            self.keep_last_known_good(id, previous)?;
        }
        self.write_durably(&self.active_path(id), bytes)?;
        let slot = Slot {
            channel: Arc::new(channel),
            digest: digest(bytes),
        };
        let previous = self
            .active
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, slot)
            .map(|s| s.channel.content_version());
        drop(highest);
        Ok(Installed::Activated {
            channel_id: id,
            version,
            previous,
        })
    }

    /// A signed rollback (invariant 5's exception): verifies `bytes` and makes it the
    /// active channel in place of version `from`, although its version is lower. The
    /// caller has the authority for it (the updater: a release the rollout state halted,
    /// and the N-1 its signed plan names); the store checks that it replaces exactly
    /// `from` with an older version. The highest accepted version stays `from`'s, so the
    /// ordinary [`ChannelStore::install`] still refuses anything older than it, and the
    /// last known good copy is left as it is (it is not the halted release).
    pub fn roll_back(
        &self,
        bytes: &[u8],
        trust: &TrustStore,
        host: &SensorProfile,
        from: u64,
    ) -> Result<Installed, StoreError> {
        let channel = verify(bytes, trust, host).map_err(StoreError::Verify)?;
        let id = channel.id();
        let version = channel.content_version();
        let _install = lock(&self.highest);
        let active = read(&self.active)
            .get(&id)
            .map(|s| s.channel.content_version());
        if active != Some(from) || version >= from {
            return Err(StoreError::Rollback {
                channel_id: id,
                offered: version,
                highest: active.unwrap_or(version),
            });
        }
        self.write_durably(&self.active_path(id), bytes)?;
        let slot = Slot {
            channel: Arc::new(channel),
            digest: digest(bytes),
        };
        self.active
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, slot);
        Ok(Installed::Activated {
            channel_id: id,
            version,
            previous: Some(from),
        })
    }

    /// Makes the file of the active channel (SHA-256 `active`) the last known good copy.
    /// After a fallback at open, the last known good file is that channel already. If
    /// neither file is it any more (changed or removed under the store), the last known
    /// good copy is left as it is.
    fn keep_last_known_good(&self, id: u32, active: Digest) -> Result<(), StoreError> {
        let lkg = self.lkg_path(id);
        let unchanged = |path: &Path| {
            self.fs
                .read(path, MAX_FILE_SIZE)
                .ok()
                .filter(|bytes| digest(bytes) == active)
        };
        match unchanged(&self.active_path(id)) {
            Some(bytes) => self.write_durably(&lkg, &bytes),
            None => Ok(()),
        }
    }

    fn active_path(&self, id: u32) -> PathBuf {
        self.dir.join(format!("{id}.chan"))
    }

    fn lkg_path(&self, id: u32) -> PathBuf {
        self.dir.join(format!("{id}.lkg.chan"))
    }

    fn version_path(&self, id: u32) -> PathBuf {
        self.dir.join(format!("{id}.version"))
    }

    fn read_version(&self, id: u32) -> Option<u64> {
        let bytes = self.fs.read(&self.version_path(id), 32).ok()?;
        let text = std::str::from_utf8(&bytes).ok()?;
        text.strip_suffix('\n')?.parse().ok()
    }

    /// A channel file that reads, verifies, and carries the id its name says.
    fn load(&self, path: &Path, id: u32, trust: &TrustStore, host: &SensorProfile) -> Option<Slot> {
        let bytes = self.fs.read(path, MAX_FILE_SIZE).ok()?;
        let channel = verify(&bytes, trust, host).ok()?;
        (channel.id() == id).then(|| Slot {
            channel: Arc::new(channel),
            digest: digest(&bytes),
        })
    }

    /// Temporary file, sync, rename over `path`, sync the directory.
    fn write_durably(&self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let io = |op: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io { op, path, source }
        };
        self.fs.write(&tmp, bytes).map_err(io("write", &tmp))?;
        self.fs.sync_file(&tmp).map_err(io("sync", &tmp))?;
        self.fs
            .rename(&tmp, path)
            .map_err(io("rename into place", path))?;
        self.fs
            .sync_dir(&self.dir)
            .map_err(io("sync the directory", &self.dir))?;
        Ok(())
    }
}

/// The channel id a store file belongs to, if the name is one of the store's.
fn channel_id_of(name: &str) -> Option<u32> {
    let stem = name
        .strip_suffix(".lkg.chan")
        .or_else(|| name.strip_suffix(".chan"))
        .or_else(|| name.strip_suffix(".version"))?;
    if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}

#[cfg(test)]
#[path = "../../runtime/tests/common/mod.rs"]
mod common;

#[cfg(test)]
mod tests;
