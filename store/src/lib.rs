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
//! - `N.version`: the highest content version ever accepted, as canonical decimal text
//!   (record.rs);
//! - `N.guard`: the crash-loop guard's watch over the last activation and the version it
//!   quarantined, if any (guard.rs);
//! - `N.reset`: the serial of the last record reset taken for the id, as canonical decimal
//!   text (a reset is taken once: [`ChannelStore::reset_record`]);
//! - `lock`: held locked by the one store that has the directory open;
//! - `*.tmp`: leftovers of an interrupted write (random names), removed at open.
//!
//! Installing writes, in order: the last known good copy, the version record (so the
//! highest accepted version is durable before the channel is used), the guard's watch
//! (so the activation is recorded before the channel is used), then the active file.
//! At open, an active file below the recorded version (one placed there, or left by a
//! crash before its replacement) or one the guard quarantined is not loaded: the last
//! known good file is.
//!
//! The directory's neighbours are not trusted to be well behaved (docs/security.md,
//! "The channel store and its neighbours"): a second store on the same directory is
//! refused, no file is opened through a link or waited on as a FIFO, temporary files are
//! created exclusively under random names, and a damaged version record or guard file is
//! an error at open, never read as "no record".
//!
//! The store holds verified channels, not their files: a sensor's memory is better spent
//! than on a second copy of every channel it runs. The last known good copy is read back
//! from disk when a new version arrives, and written only if it is byte for byte the
//! file that was verified (its SHA-256 is kept); a file changed under the store never
//! becomes the fallback.

mod guard;
mod record;
mod storage;

pub use guard::{on_start, GuardPolicy, GuardState, Quarantine, Verdict, Watch, DEFAULT_POLICY};
pub use storage::{FileStorage, LockGuard, Storage, LOCK_FILE};

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest as _, Sha256};

use ward_runtime::limits::{MAX_CONTENT_VERSION, MAX_FILE_SIZE};
use ward_runtime::{
    verify, verify_reset, RecordReset, ResetError, SensorProfile, TrustStore, VerifiedChannel,
    VerifyError,
};

/// The largest version record or guard file: a few numbers of text.
const MAX_RECORD_SIZE: usize = 256;

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
    /// The crash-loop guard quarantined this version; only a newer one is taken.
    Quarantined { channel_id: u32, version: u64 },
    /// The content version is above [`MAX_CONTENT_VERSION`]: it would leave no room for
    /// the versions after it (docs/delivery.md, "Content versions").
    VersionTooHigh { channel_id: u32, version: u64 },
    /// A record reset failed verification (not a reset, or not signed by the channel
    /// keys); nothing was written.
    BadReset(ResetError),
    /// A verified record reset that does not apply here: another channel, another
    /// highest version, a serial already taken, or a channel delivered with it at another
    /// version than the reset's. Nothing was written.
    ResetRefused {
        channel_id: u32,
        serial: u64,
        reason: String,
    },
    /// Another store, in this process or another, has the directory open.
    Locked { dir: PathBuf },
    /// A version record or guard file is damaged. The store does not guess what it said:
    /// it refuses to open until the file is repaired (docs/delivery.md says how).
    Record { path: PathBuf, reason: &'static str },
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
            StoreError::Quarantined { channel_id, version } => write!(
                f,
                "channel {channel_id} version {version} crashed the sensor and is quarantined; only a newer version is taken"
            ),
            StoreError::VersionTooHigh { channel_id, version } => write!(
                f,
                "channel {channel_id} version {version} is above the largest content version {MAX_CONTENT_VERSION}"
            ),
            StoreError::BadReset(e) => write!(f, "{e}"),
            StoreError::ResetRefused {
                channel_id,
                serial,
                reason,
            } => write!(
                f,
                "record reset {serial} of channel {channel_id} does not apply: {reason}"
            ),
            StoreError::Locked { dir } => write!(
                f,
                "the channel store {} is open in another store (this or another process); one store per directory",
                dir.display()
            ),
            StoreError::Record { path, reason } => write!(
                f,
                "{} is damaged ({reason}); the store refuses to guess the highest accepted version",
                path.display()
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
            _ => None,
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

impl Slot {
    fn version(&self) -> u64 {
        self.channel.content_version()
    }
}

type Digest = [u8; 32];

fn digest(bytes: &[u8]) -> Digest {
    Sha256::digest(bytes).into()
}

/// What the store keeps on disk per channel id beside the channel files.
#[derive(Debug, Default)]
struct Records {
    /// Highest content version ever accepted, as `N.version` says.
    highest: BTreeMap<u32, u64>,
    /// The crash-loop guard's state, as `N.guard` says.
    guard: BTreeMap<u32, GuardState>,
    /// The serial of the last record reset taken, as `N.reset` says.
    resets: BTreeMap<u32, u64>,
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
    /// Its lock is also the install lock: one install writes files at a time.
    records: Mutex<Records>,
    /// Set once the sensor started on this store: a channel installed from then on is in
    /// use from its activation.
    running: AtomicBool,
    /// The directory lock, released last, when the store is dropped.
    _lock: LockGuard,
}

/// A lock whose holder panicked still guards consistent data here (every update is one
/// insert), so poisoning is ignored rather than spread to the host.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Seconds since the Unix epoch by the system clock (0 before it).
fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl ChannelStore {
    /// Opens (creating if needed) the store in `dir` and locks it. Each channel's active
    /// file is verified with `trust` and `host`; if it is missing, corrupt, no longer
    /// verifies, is below the recorded version or was quarantined by the crash-loop
    /// guard, the last known good file is used instead. A second store on a locked
    /// directory is [`StoreError::Locked`]; a damaged record is [`StoreError::Record`].
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
        let io_at = |op: &'static str| {
            let path = dir.to_path_buf();
            move |source| StoreError::Io { op, path, source }
        };
        fs.create_dir_all(dir)
            .map_err(io_at("create the store directory"))?;
        let guard = fs.lock(dir).map_err(|source| match source.kind() {
            io::ErrorKind::WouldBlock => StoreError::Locked {
                dir: dir.to_path_buf(),
            },
            _ => io_at("lock the store directory")(source),
        })?;
        let names = fs.list(dir).map_err(io_at("list the store directory"))?;
        let mut store = ChannelStore {
            dir: dir.to_path_buf(),
            fs,
            active: RwLock::default(),
            records: Mutex::default(),
            running: AtomicBool::new(false),
            _lock: guard,
        };
        // Temporary files of interrupted writes: with the directory locked nobody else is
        // writing them. One that cannot be removed is harmless (names are random).
        for name in names.iter().filter(|n| n.ends_with(".tmp")) {
            let _ = store.fs.remove(&store.dir.join(name));
        }
        let mut ids: Vec<u32> = names.iter().filter_map(|n| channel_id_of(n)).collect();
        ids.sort_unstable();
        ids.dedup();

        let mut records = Records::default();
        for &id in &ids {
            if let Some(v) = store.read_record(&store.version_path(id), record::parse)? {
                records.highest.insert(id, v);
            }
            let parse_guard = |bytes: &[u8]| guard::parse(id, bytes);
            if let Some(g) = store.read_record(&store.guard_path(id), parse_guard)? {
                records.guard.insert(id, g);
            }
            if let Some(serial) = store.read_record(&store.reset_path(id), record::parse)? {
                records.resets.insert(id, serial);
            }
        }
        for &id in &ids {
            if let Some(slot) = store.load_at_open(id, &records, trust, host) {
                store
                    .active
                    .get_mut()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(id, slot);
            }
        }
        *store
            .records
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner) = records;
        Ok(store)
    }

    /// The channel to run for `id` at open: the active file unless it is below the
    /// recorded version (the highest ever accepted wins) or quarantined, else the last
    /// known good file unless it is quarantined.
    fn load_at_open(
        &self,
        id: u32,
        records: &Records,
        trust: &TrustStore,
        host: &SensorProfile,
    ) -> Option<Slot> {
        let highest = records.highest.get(&id).copied();
        let quarantined = records
            .guard
            .get(&id)
            .and_then(|g| g.quarantine)
            .map(|q| q.version);
        let allowed = |s: &Slot| Some(s.version()) != quarantined;
        self.load(&self.active_path(id), id, trust, host)
            .filter(|s| allowed(s) && highest.is_none_or(|h| s.version() >= h))
            .or_else(|| {
                self.load(&self.lkg_path(id), id, trust, host)
                    .filter(allowed)
            })
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
        let highest = lock(&self.records).highest.get(&channel_id).copied();
        self.highest_with(highest, channel_id)
    }

    fn highest_with(&self, recorded: Option<u64>, channel_id: u32) -> Option<u64> {
        let active = read(&self.active).get(&channel_id).map(Slot::version);
        recorded.max(active)
    }

    /// Verifies `bytes` and makes it the active channel for its id. A channel that fails
    /// verification changes nothing; an equal version to the active one is a no-op; a
    /// version below the highest accepted, one the guard quarantined, or one above
    /// [`MAX_CONTENT_VERSION`] is refused. The activation is recorded for the crash-loop
    /// guard at the system clock's time ([`ChannelStore::install_at`] takes the time).
    ///
    /// Verification holds no lock, so evaluation of the current channel goes on; the
    /// swap at the end is one map insert under the write lock. If the final directory
    /// sync fails, the error is returned, but the new channel is active both on disk and
    /// in memory: memory follows disk.
    pub fn install(
        &self,
        bytes: &[u8],
        trust: &TrustStore,
        host: &SensorProfile,
    ) -> Result<Installed, StoreError> {
        self.install_at(bytes, trust, host, now_secs())
    }

    /// [`ChannelStore::install`], with the activation recorded at `now` (seconds since
    /// the Unix epoch).
    pub fn install_at(
        &self,
        bytes: &[u8],
        trust: &TrustStore,
        host: &SensorProfile,
        now: u64,
    ) -> Result<Installed, StoreError> {
        let channel = verify(bytes, trust, host).map_err(StoreError::Verify)?;
        let id = channel.id();
        let version = channel.content_version();
        if version > MAX_CONTENT_VERSION {
            return Err(StoreError::VersionTooHigh {
                channel_id: id,
                version,
            });
        }
        let mut records = lock(&self.records);
        let (active_version, previous_digest) = match read(&self.active).get(&id) {
            Some(s) => (Some(s.version()), Some(s.digest)),
            None => (None, None),
        };
        if active_version == Some(version) {
            return Ok(Installed::Unchanged {
                channel_id: id,
                version,
            });
        }
        if let Some(highest) = self.highest_with(records.highest.get(&id).copied(), id) {
            if version < highest {
                return Err(StoreError::Rollback {
                    channel_id: id,
                    offered: version,
                    highest,
                });
            }
        }
        let state = records.guard.get(&id).copied().unwrap_or_default();
        if state.quarantine.is_some_and(|q| q.version >= version) {
            return Err(StoreError::Quarantined {
                channel_id: id,
                version,
            });
        }
        if let Some(previous) = previous_digest {
            self.keep_last_known_good(id, previous)?;
        }
        // The new highest version is durable before the channel can be used. An equal
        // record means an earlier install was interrupted after this step; it resumes.
        if records.highest.get(&id).is_none_or(|h| *h < version) {
            self.place(&self.version_path(id), record::format(version).as_bytes())?;
            records.highest.insert(id, version);
            self.sync_dir()?;
        }
        // So is the activation, for the guard. An earlier quarantine stays as the report.
        let watched = GuardState {
            watch: Some(Watch {
                version,
                activated_at: now,
                in_use: self.running.load(Ordering::SeqCst),
                starts: 0,
                confirmed: false,
            }),
            ..state
        };
        self.record_guard(&mut records, id, watched)?;
        self.place(&self.active_path(id), bytes)?;
        let previous = self.swap_in(id, channel, bytes);
        self.sync_dir()?;
        drop(records);
        Ok(Installed::Activated {
            channel_id: id,
            version,
            previous,
        })
    }

    /// Counts a start of the sensor for the crash-loop guard, at `now` (seconds since the
    /// Unix epoch). A sensor calls it once per start, right after opening the store and
    /// before it evaluates any event. Every channel whose activation this start proves to
    /// be a crash loop ([`on_start`] with [`DEFAULT_POLICY`]) goes back to its last known
    /// good channel (or to none, if it has none), and its version is quarantined; those
    /// are returned, for the health beacon. Each step is on disk before the next.
    pub fn sensor_started(
        &self,
        trust: &TrustStore,
        host: &SensorProfile,
        now: u64,
    ) -> Result<Vec<Quarantine>, StoreError> {
        self.sensor_started_with(trust, host, now, &DEFAULT_POLICY)
    }

    /// [`ChannelStore::sensor_started`] under another guard policy: a host that sets
    /// its own death count (the reference host's `--guard-deaths`; production keeps
    /// [`DEFAULT_POLICY`]).
    pub fn sensor_started_with(
        &self,
        trust: &TrustStore,
        host: &SensorProfile,
        now: u64,
        policy: &GuardPolicy,
    ) -> Result<Vec<Quarantine>, StoreError> {
        self.running.store(true, Ordering::SeqCst);
        let mut records = lock(&self.records);
        let mut rolled_back = Vec::new();
        let watched: Vec<(u32, GuardState, Watch)> = records
            .guard
            .iter()
            .filter_map(|(id, s)| Some((*id, *s, s.watch?)))
            .collect();
        for (id, state, watch) in watched {
            // Only the channel in use is watched: a fallback at open has left it already.
            if read(&self.active).get(&id).map(Slot::version) != Some(watch.version) {
                continue;
            }
            let (next, verdict) = on_start(&watch, policy);
            match verdict {
                Verdict::Keep if next == watch => {}
                Verdict::Keep => {
                    let counted = GuardState {
                        watch: Some(next),
                        ..state
                    };
                    self.record_guard(&mut records, id, counted)?;
                }
                Verdict::RollBack => {
                    let restored = self
                        .load(&self.lkg_path(id), id, trust, host)
                        .filter(|s| s.version() < watch.version);
                    let quarantine = Quarantine {
                        channel_id: id,
                        version: watch.version,
                        restored: restored.as_ref().map(Slot::version),
                        at: now,
                    };
                    let state = GuardState {
                        watch: None,
                        quarantine: Some(quarantine),
                    };
                    // On disk first: a crash from here on opens to the last known good.
                    self.record_guard(&mut records, id, state)?;
                    let mut active = self.active.write().unwrap_or_else(PoisonError::into_inner);
                    match restored {
                        Some(slot) => active.insert(id, slot),
                        None => active.remove(&id),
                    };
                    rolled_back.push(quarantine);
                }
            }
        }
        Ok(rolled_back)
    }

    /// Confirms the active channel `channel_id` healthy (the sensor ran it past its settle
    /// time): the guard no longer rolls it back. Returns whether there was an unconfirmed
    /// activation of it to confirm.
    pub fn confirm_healthy(&self, channel_id: u32) -> Result<bool, StoreError> {
        let mut records = lock(&self.records);
        let active = read(&self.active).get(&channel_id).map(Slot::version);
        let Some(state) = records.guard.get(&channel_id).copied() else {
            return Ok(false);
        };
        let Some(watch) = state
            .watch
            .filter(|w| !w.confirmed && Some(w.version) == active)
        else {
            return Ok(false);
        };
        let confirmed = GuardState {
            watch: Some(Watch {
                confirmed: true,
                ..watch
            }),
            ..state
        };
        self.record_guard(&mut records, channel_id, confirmed)?;
        Ok(true)
    }

    /// The guard's watch over the last activation of `channel_id`, if any.
    pub fn watch(&self, channel_id: u32) -> Option<Watch> {
        lock(&self.records).guard.get(&channel_id)?.watch
    }

    /// Every version the crash-loop guard rolled back, one per channel id (the latest):
    /// what a health beacon reports. Kept on disk until the guard quarantines another.
    pub fn quarantined(&self) -> Vec<Quarantine> {
        lock(&self.records)
            .guard
            .values()
            .filter_map(|g| g.quarantine)
            .collect()
    }

    /// A signed rollback (invariant 5's exception): verifies `bytes` and makes it the
    /// active channel in place of version `from`, although its version is lower. The
    /// caller has the authority for it (the updater: a release the rollout state halted,
    /// and the N-1 its signed plan names); the store checks that it replaces exactly
    /// `from` with an older version. The highest accepted version stays `from`'s, so the
    /// ordinary [`ChannelStore::install`] still refuses anything older than it.
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
        let _install = lock(&self.records);
        let active = read(&self.active).get(&id).map(Slot::version);
        if active != Some(from) || version >= from {
            return Err(StoreError::Rollback {
                channel_id: id,
                offered: version,
                highest: active.unwrap_or(version),
            });
        }
        self.activate_older(id, channel, bytes)?;
        Ok(Installed::Activated {
            channel_id: id,
            version,
            previous: Some(from),
        })
    }

    /// Makes `channel` (from `bytes`), older than the active one, the active channel on
    /// disk and in memory: the step a signed rollback and a record reset share. The
    /// channel becomes the last known good as well: at open, an active file below the
    /// recorded highest version is passed over for the last known good copy, so without
    /// this a restart would leave the channel the rollback chose.
    fn activate_older(
        &self,
        id: u32,
        channel: VerifiedChannel,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        self.place(&self.lkg_path(id), bytes)?;
        self.place(&self.active_path(id), bytes)?;
        self.swap_in(id, channel, bytes);
        self.sync_dir()
    }

    /// The signed way out of a channel id frozen at the version ceiling
    /// ([`MAX_CONTENT_VERSION`]: no later version can be newer) or at any version its
    /// vendor must go back from (docs/delivery.md, "Content versions"). `reset` is a
    /// record reset signed by the channel keys ([`verify_reset`]) that lowers the id's
    /// highest accepted version from exactly the store's highest to `to`; `bytes` is the
    /// channel at version `to`, which becomes active (through the signed rollback's
    /// own step) and last known good. From then on the id's versions count from `to`:
    /// the ordinary [`ChannelStore::install`] takes anything newer again. Each reset is
    /// taken once: its serial must be above every serial the store took for the id, so a
    /// replayed reset, even after the id climbed back to its `from`, is refused. A
    /// quarantine or unconfirmed activation of a version above `to` is dropped with the
    /// versions it named.
    ///
    /// Each step is on disk before the next: the channel files, then the serial, then the
    /// lowered record. A crash before the serial is written leaves the reset to be
    /// applied again; one between the serial and the record leaves the store running `to`
    /// under the old record, which a reset with the next serial completes.
    pub fn reset_record(
        &self,
        reset: &[u8],
        bytes: &[u8],
        trust: &TrustStore,
        host: &SensorProfile,
    ) -> Result<Installed, StoreError> {
        let reset = verify_reset(reset, trust).map_err(StoreError::BadReset)?;
        let channel = verify(bytes, trust, host).map_err(StoreError::Verify)?;
        let id = channel.id();
        let version = channel.content_version();
        let mut records = lock(&self.records);
        let highest = self.highest_with(records.highest.get(&id).copied(), id);
        let refused = |reason: String| StoreError::ResetRefused {
            channel_id: reset.channel_id,
            serial: reset.serial,
            reason,
        };
        let RecordReset {
            channel_id,
            from,
            to,
            serial,
        } = reset;
        if channel_id != id {
            return Err(refused(format!(
                "it resets channel {channel_id}, but the channel delivered with it is channel {id}"
            )));
        }
        if to >= from {
            return Err(refused(format!(
                "it resets version {from} to {to}, which is not lower"
            )));
        }
        if version != to {
            return Err(refused(format!(
                "it resets to version {to}, but the channel delivered with it is version {version}"
            )));
        }
        if highest != Some(from) {
            let highest = highest.map_or("none".to_string(), |h| h.to_string());
            return Err(refused(format!(
                "it resets version {from}, but the highest version this store accepted is {highest}"
            )));
        }
        if let Some(&taken) = records.resets.get(&id).filter(|&&taken| taken >= serial) {
            return Err(refused(format!(
                "this store already took reset {taken} of the channel; only a later serial is taken"
            )));
        }
        let previous = read(&self.active).get(&id).map(Slot::version);
        self.activate_older(id, channel, bytes)?;
        self.place(&self.reset_path(id), record::format(serial).as_bytes())?;
        records.resets.insert(id, serial);
        self.sync_dir()?;
        self.place(&self.version_path(id), record::format(to).as_bytes())?;
        records.highest.insert(id, to);
        self.sync_dir()?;
        let state = records.guard.get(&id).copied().unwrap_or_default();
        let kept = GuardState {
            watch: state.watch.filter(|w| w.version <= to),
            quarantine: state.quarantine.filter(|q| q.version <= to),
        };
        if kept != state {
            self.record_guard(&mut records, id, kept)?;
        }
        Ok(Installed::Activated {
            channel_id: id,
            version,
            previous,
        })
    }

    /// Makes `channel` (from `bytes`) the active one for `id` in memory, under the write
    /// lock for one map insert; the version it replaces.
    fn swap_in(&self, id: u32, channel: VerifiedChannel, bytes: &[u8]) -> Option<u64> {
        let slot = Slot {
            channel: Arc::new(channel),
            digest: digest(bytes),
        };
        self.active
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, slot)
            .map(|s| s.version())
    }

    /// Makes the file of the active channel (SHA-256 `active`) the last known good copy.
    /// After a fallback at open, the last known good file is that channel already. If
    /// neither file is it any more (changed or removed under the store), the last known
    /// good copy is left as it is.
    fn keep_last_known_good(&self, id: u32, active: Digest) -> Result<(), StoreError> {
        let unchanged = self
            .fs
            .read(&self.active_path(id), MAX_FILE_SIZE)
            .ok()
            .filter(|bytes| digest(bytes) == active);
        match unchanged {
            Some(bytes) => {
                self.place(&self.lkg_path(id), &bytes)?;
                self.sync_dir()
            }
            None => Ok(()),
        }
    }

    /// Writes the guard's state for `id`; memory follows as soon as the file is in place.
    /// Nothing left to watch is no guard file, as before the first activation: the
    /// guard's format has no spelling for an empty state (an empty file fails closed).
    fn record_guard(
        &self,
        records: &mut Records,
        id: u32,
        state: GuardState,
    ) -> Result<(), StoreError> {
        let path = self.guard_path(id);
        if state == GuardState::default() {
            if records.guard.contains_key(&id) {
                self.fs.remove(&path).map_err(|source| StoreError::Io {
                    op: "remove",
                    path,
                    source,
                })?;
                records.guard.remove(&id);
            }
        } else {
            self.place(&path, guard::format(&state).as_bytes())?;
            records.guard.insert(id, state);
        }
        self.sync_dir()
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

    fn guard_path(&self, id: u32) -> PathBuf {
        self.dir.join(format!("{id}.guard"))
    }

    fn reset_path(&self, id: u32) -> PathBuf {
        self.dir.join(format!("{id}.reset"))
    }

    /// A record file's contents: `None` if there is no file, an error if it cannot be
    /// read or does not parse (fail closed).
    fn read_record<T>(
        &self,
        path: &Path,
        parse: impl Fn(&[u8]) -> Result<T, &'static str>,
    ) -> Result<Option<T>, StoreError> {
        let bytes = match self.fs.read(path, MAX_RECORD_SIZE) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StoreError::Io {
                    op: "read",
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        parse(&bytes)
            .map(Some)
            .map_err(|reason| StoreError::Record {
                path: path.to_path_buf(),
                reason,
            })
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

    /// A new temporary file under a random name (created exclusively), synced, renamed
    /// over `path`. The directory sync that makes the rename durable is the caller's, so
    /// that memory can follow the file in place before it.
    fn place(&self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        let io = |op: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io { op, path, source }
        };
        let mut suffix = [0u8; 8];
        getrandom::fill(&mut suffix)
            .map_err(|e| io("name a temporary file for", path)(io::Error::other(e.to_string())))?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".{:016x}.tmp", u64::from_le_bytes(suffix)));
        let tmp = PathBuf::from(tmp);
        let written = self
            .fs
            .create_new(&tmp, bytes)
            .map_err(io("write", &tmp))
            .and_then(|()| self.fs.sync_file(&tmp).map_err(io("sync", &tmp)))
            .and_then(|()| {
                self.fs
                    .rename(&tmp, path)
                    .map_err(io("rename into place", path))
            });
        if written.is_err() {
            let _ = self.fs.remove(&tmp);
        }
        written
    }

    fn sync_dir(&self) -> Result<(), StoreError> {
        self.fs
            .sync_dir(&self.dir)
            .map_err(|source| StoreError::Io {
                op: "sync the directory",
                path: self.dir.clone(),
                source,
            })
    }
}

/// The channel id a store file belongs to, if the name is one of the store's.
fn channel_id_of(name: &str) -> Option<u32> {
    let stem = name
        .strip_suffix(".lkg.chan")
        .or_else(|| name.strip_suffix(".chan"))
        .or_else(|| name.strip_suffix(".version"))
        .or_else(|| name.strip_suffix(".guard"))
        .or_else(|| name.strip_suffix(".reset"))?;
    if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}

#[cfg(test)]
#[path = "../../runtime/tests/common/mod.rs"]
mod common;

#[cfg(test)]
#[path = "../tests/support/mod.rs"]
mod support;

/// The shared test support names the crate as the integration tests see it.
#[cfg(test)]
extern crate self as ward_store;

#[cfg(test)]
mod tests;
