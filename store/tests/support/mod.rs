//! Shared by the store's tests (its unit tests and the files of store/tests/): the test
//! channel at a given version, and [`Hooked`], the one file storage that delegates every
//! operation to [`FileStorage`] and lets a test act before each mutating one (fail it,
//! crash half-way through it, hold it, or wait there to be killed).
#![allow(dead_code)] // each test binary uses part of it

use std::fmt;
use std::io;
use std::path::Path;

use ward_runtime::Channel;
use ward_store::{ChannelStore, FileStorage, LockGuard, Storage};

use crate::common::small_channel;

/// The runtime's small test channel (id 291) at content version `v`.
pub fn version(v: u64) -> Channel {
    let mut c = small_channel();
    c.content_version = v;
    c
}

/// The version of channel 291 the store runs, if any.
pub fn active_version(store: &ChannelStore) -> Option<u64> {
    store.active(291).map(|c| c.content_version())
}

/// A mutating file operation, as [`Hooked`] shows it to its [`Hook`] before doing it.
#[derive(Debug, Clone, Copy)]
pub enum Op<'a> {
    CreateNew { path: &'a Path, bytes: &'a [u8] },
    SyncFile,
    Rename,
    SyncDir,
}

/// What a test does before each mutating operation of a [`Hooked`] storage.
pub trait Hook: fmt::Debug + Send + Sync {
    /// Runs before `op`; an error is returned in place of the operation, which is then
    /// not done (the hook may have done part of it itself).
    fn before(&self, op: Op<'_>) -> io::Result<()>;
}

/// [`FileStorage`], with `H` run before every mutating operation; reads, listing,
/// locking and removing pass straight through.
#[derive(Debug)]
pub struct Hooked<H>(pub H);

impl<H: Hook> Storage for Hooked<H> {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        FileStorage.create_dir_all(dir)
    }
    fn lock(&self, dir: &Path) -> io::Result<LockGuard> {
        FileStorage.lock(dir)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        FileStorage.list(dir)
    }
    fn read(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>> {
        FileStorage.read(path, limit)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        FileStorage.remove(path)
    }
    fn create_new(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.0.before(Op::CreateNew { path, bytes })?;
        FileStorage.create_new(path, bytes)
    }
    fn sync_file(&self, path: &Path) -> io::Result<()> {
        self.0.before(Op::SyncFile)?;
        FileStorage.sync_file(path)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.0.before(Op::Rename)?;
        FileStorage.rename(from, to)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.0.before(Op::SyncDir)?;
        FileStorage.sync_dir(dir)
    }
}
