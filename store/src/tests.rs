//! Store tests: install, upgrade, anti-rollback, last known good, and a simulated crash at
//! every file operation of an install, after which the store must still open to a good
//! channel.

use std::fs;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::*;
use ward_runtime::Channel;

use crate::common::*;

fn version(v: u64) -> Channel {
    let mut c = small_channel();
    c.content_version = v;
    c
}

fn open(dir: &Path) -> ChannelStore {
    ChannelStore::open(dir, &trust(), &host()).unwrap()
}

fn active_version(store: &ChannelStore) -> Option<u64> {
    store.active(291).map(|c| c.content_version())
}

#[test]
fn install_upgrade_and_keep_last_known_good() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    assert!(store.active(291).is_none());
    let v1 = sign1(&version(1));
    let v2 = sign1(&version(2));
    assert_eq!(
        store.install(&v1, &trust(), &host()).unwrap(),
        Installed::Activated {
            channel_id: 291,
            version: 1,
            previous: None
        }
    );
    assert_eq!(
        store.install(&v2, &trust(), &host()).unwrap(),
        Installed::Activated {
            channel_id: 291,
            version: 2,
            previous: Some(1)
        }
    );
    assert_eq!(active_version(&store), Some(2));
    assert_eq!(fs::read(dir.path().join("291.chan")).unwrap(), v2);
    assert_eq!(fs::read(dir.path().join("291.lkg.chan")).unwrap(), v1);
    assert_eq!(
        fs::read_to_string(dir.path().join("291.version")).unwrap(),
        "2\n"
    );
    assert_eq!(store.channel_ids(), vec![291]);
    // A restart sees the same.
    let store = open(dir.path());
    assert_eq!(active_version(&store), Some(2));
}

#[test]
fn an_equal_version_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let v2 = sign1(&version(2));
    store.install(&v2, &trust(), &host()).unwrap();
    assert_eq!(
        store.install(&v2, &trust(), &host()).unwrap(),
        Installed::Unchanged {
            channel_id: 291,
            version: 2
        }
    );
    // Even a different file claiming the same version changes nothing.
    let mut other = version(2);
    other.name = "renamed".into();
    assert_eq!(
        store.install(&sign1(&other), &trust(), &host()).unwrap(),
        Installed::Unchanged {
            channel_id: 291,
            version: 2
        }
    );
    assert_eq!(fs::read(dir.path().join("291.chan")).unwrap(), v2);
    assert!(!dir.path().join("291.lkg.chan").exists());
}

#[test]
fn a_lower_version_is_refused_also_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .install(&sign1(&version(5)), &trust(), &host())
        .unwrap();
    let err = store
        .install(&sign1(&version(4)), &trust(), &host())
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Rollback {
            channel_id: 291,
            offered: 4,
            highest: 5
        }
    ));
    let store = open(dir.path());
    assert!(matches!(
        store.install(&sign1(&version(4)), &trust(), &host()),
        Err(StoreError::Rollback { .. })
    ));
    assert_eq!(active_version(&store), Some(5));
}

#[test]
fn the_version_record_outlives_the_channel_files() {
    // Even if both channel files are lost, the highest accepted version is not.
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .install(&sign1(&version(5)), &trust(), &host())
        .unwrap();
    fs::remove_file(dir.path().join("291.chan")).unwrap();
    let store2 = open(dir.path());
    assert!(store2.active(291).is_none());
    assert_eq!(store2.highest_version(291), Some(5));
    assert!(matches!(
        store2.install(&sign1(&version(4)), &trust(), &host()),
        Err(StoreError::Rollback { .. })
    ));
    drop(store);
}

#[test]
fn a_channel_that_fails_verification_never_replaces_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let v1 = sign1(&version(1));
    store.install(&v1, &trust(), &host()).unwrap();
    let mut tampered = sign1(&version(2));
    tampered[60] ^= 1;
    assert!(matches!(
        store.install(&tampered, &trust(), &host()),
        Err(StoreError::Verify(VerifyError::BadSignature { .. }))
    ));
    let unknown = ward_encode::sign(&version(3), &[&other_key()]).unwrap();
    assert!(matches!(
        store.install(&unknown, &trust(), &host()),
        Err(StoreError::Verify(VerifyError::UnknownSigner { .. }))
    ));
    assert_eq!(active_version(&store), Some(1));
    assert_eq!(fs::read(dir.path().join("291.chan")).unwrap(), v1);
    assert_eq!(
        fs::read_to_string(dir.path().join("291.version")).unwrap(),
        "1\n"
    );
}

#[test]
fn a_corrupt_active_file_falls_back_to_last_known_good() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .install(&sign1(&version(1)), &trust(), &host())
        .unwrap();
    store
        .install(&sign1(&version(2)), &trust(), &host())
        .unwrap();
    drop(store);
    let active = dir.path().join("291.chan");
    let mut bytes = fs::read(&active).unwrap();
    bytes[100] ^= 0x40;
    fs::write(&active, &bytes).unwrap();
    let store = open(dir.path());
    assert_eq!(active_version(&store), Some(1));
    // Reinstalling version 2 (the highest recorded) repairs the store.
    assert!(matches!(
        store
            .install(&sign1(&version(2)), &trust(), &host())
            .unwrap(),
        Installed::Activated {
            version: 2,
            previous: Some(1),
            ..
        }
    ));
    // The last known good copy is still version 1: the corrupt active file was not it.
    assert_eq!(
        fs::read(dir.path().join("291.lkg.chan")).unwrap(),
        sign1(&version(1))
    );
    // A channel file under another channel's name is not loaded as that channel.
    fs::copy(dir.path().join("291.chan"), dir.path().join("7.chan")).unwrap();
    let store = open(dir.path());
    assert!(store.active(7).is_none());
    assert_eq!(active_version(&store), Some(2));
}

#[test]
fn a_file_changed_under_the_store_never_becomes_last_known_good() {
    // The store does not hold files in memory; it reads the active one back when the next
    // version arrives. One changed since it was verified must not become the fallback.
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    for v in [1, 2] {
        store
            .install(&sign1(&version(v)), &trust(), &host())
            .unwrap();
    }
    let active = dir.path().join("291.chan");
    let mut bytes = fs::read(&active).unwrap();
    bytes[100] ^= 0x40;
    fs::write(&active, &bytes).unwrap();
    store
        .install(&sign1(&version(3)), &trust(), &host())
        .unwrap();
    let lkg = dir.path().join("291.lkg.chan");
    assert_eq!(fs::read(&lkg).unwrap(), sign1(&version(1)));

    // Removed instead of changed: the same.
    fs::remove_file(&active).unwrap();
    store
        .install(&sign1(&version(4)), &trust(), &host())
        .unwrap();
    assert_eq!(fs::read(&lkg).unwrap(), sign1(&version(1)));
    // Unchanged again: version 4 becomes the last known good as usual.
    store
        .install(&sign1(&version(5)), &trust(), &host())
        .unwrap();
    assert_eq!(fs::read(&lkg).unwrap(), sign1(&version(4)));
}

#[test]
fn a_file_that_no_longer_verifies_for_this_host_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .install(&sign1(&version(1)), &trust(), &host())
        .unwrap();
    store
        .install(&sign1(&version(2)), &trust(), &host())
        .unwrap();
    drop(store);
    // Replace the active file with a well-signed channel that this host rejects.
    let mut bad = version(3);
    bad.instances[0].criteria.clear();
    fs::write(dir.path().join("291.chan"), sign1(&bad)).unwrap();
    assert_eq!(active_version(&open(dir.path())), Some(1));
}

/// A file system that fails the `fail_at`-th mutating operation (0-based), as a crash at
/// that point would: a failing write leaves half the bytes behind.
#[derive(Debug)]
struct FaultyFs {
    fail_at: usize,
    count: AtomicUsize,
    failed: AtomicBool,
}

impl FaultyFs {
    fn step(&self) -> bool {
        let n = self.count.fetch_add(1, Ordering::SeqCst);
        let fail = n == self.fail_at;
        if fail {
            self.failed.store(true, Ordering::SeqCst);
        }
        fail
    }
}

fn crash() -> io::Error {
    io::Error::other("simulated crash")
}

impl Storage for FaultyFs {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        FileStorage.create_dir_all(dir)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        FileStorage.list(dir)
    }
    fn read(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>> {
        FileStorage.read(path, limit)
    }
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        if self.step() {
            FileStorage.write(path, &bytes[..bytes.len() / 2])?;
            return Err(crash());
        }
        FileStorage.write(path, bytes)
    }
    fn sync_file(&self, path: &Path) -> io::Result<()> {
        if self.step() {
            return Err(crash());
        }
        FileStorage.sync_file(path)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        if self.step() {
            return Err(crash());
        }
        FileStorage.rename(from, to)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        if self.step() {
            return Err(crash());
        }
        FileStorage.sync_dir(dir)
    }
}

/// Runs `install(new)` on a store prepared by `prepare`, crashing at every step in turn,
/// and checks the store reopens to a verified channel among `allowed`, then recovers.
fn crash_at_every_step(prepare: &[u64], new: u64, allowed: &[Option<u64>]) -> usize {
    let mut k = 0;
    loop {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = open(dir.path());
            for v in prepare {
                store
                    .install(&sign1(&version(*v)), &trust(), &host())
                    .unwrap();
            }
        }
        let fs_ = FaultyFs {
            fail_at: k,
            count: AtomicUsize::new(0),
            failed: AtomicBool::new(false),
        };
        let store = ChannelStore::open_with(dir.path(), Box::new(fs_), &trust(), &host()).unwrap();
        let result = store.install(&sign1(&version(new)), &trust(), &host());
        let crashed = matches!(result, Err(StoreError::Io { .. }));
        drop(store);

        // After the crash, a fresh process opens the store.
        let store = open(dir.path());
        let now = active_version(&store);
        assert!(
            allowed.contains(&now),
            "crash at step {k}: store opened to {now:?}"
        );
        if let Some(v) = now {
            assert!(store.highest_version(291).unwrap() >= v);
            // The record on disk, not just the active file, must already hold the version
            // in use: it is written durably first, so losing the channel files later can
            // never reopen the door to an older version.
            let recorded: u64 = fs::read_to_string(dir.path().join("291.version"))
                .unwrap_or_else(|e| {
                    panic!("crash at step {k}: no version record but {v} in use: {e}")
                })
                .trim_end()
                .parse()
                .unwrap();
            assert!(
                recorded >= v,
                "crash at step {k}: version {v} in use, but only {recorded} recorded"
            );
        }
        // The interrupted install can be repeated and completes.
        store
            .install(&sign1(&version(new)), &trust(), &host())
            .unwrap();
        assert_eq!(active_version(&store), Some(new));
        if let Some(&old) = prepare.last() {
            assert!(matches!(
                store.install(&sign1(&version(old)), &trust(), &host()),
                Err(StoreError::Rollback { .. })
            ));
        }
        assert_eq!(active_version(&open(dir.path())), Some(new));
        if !crashed {
            result.unwrap();
            return k;
        }
        k += 1;
    }
}

#[test]
fn a_crash_at_any_step_of_an_upgrade_leaves_a_good_channel() {
    // Version record, last known good, active file: four operations each.
    let steps = crash_at_every_step(&[1], 2, &[Some(1), Some(2)]);
    assert_eq!(steps, 12);
}

#[test]
fn a_crash_at_any_step_of_a_first_install_leaves_a_loadable_store() {
    let steps = crash_at_every_step(&[], 1, &[None, Some(1)]);
    assert_eq!(steps, 8);
}

#[test]
fn a_crash_after_two_upgrades_still_has_a_good_channel() {
    let steps = crash_at_every_step(&[1, 2], 3, &[Some(2), Some(3)]);
    assert_eq!(steps, 12);
}

#[test]
fn leftover_temporary_files_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .install(&sign1(&version(1)), &trust(), &host())
        .unwrap();
    fs::write(dir.path().join("291.chan.tmp"), b"half a file").unwrap();
    fs::write(dir.path().join("291.version.tmp"), b"9").unwrap();
    fs::write(dir.path().join("notes.txt"), b"not ours").unwrap();
    let store = open(dir.path());
    assert_eq!(active_version(&store), Some(1));
    store
        .install(&sign1(&version(2)), &trust(), &host())
        .unwrap();
    assert_eq!(active_version(&open(dir.path())), Some(2));
}

#[test]
fn store_file_names() {
    assert_eq!(channel_id_of("291.chan"), Some(291));
    assert_eq!(channel_id_of("291.lkg.chan"), Some(291));
    assert_eq!(channel_id_of("291.version"), Some(291));
    assert_eq!(channel_id_of("291.chan.tmp"), None);
    assert_eq!(channel_id_of(".chan"), None);
    assert_eq!(channel_id_of("+1.chan"), None);
    assert_eq!(channel_id_of("99999999999.chan"), None);
}
