//! Store tests: install, upgrade, anti-rollback, last known good, and a simulated crash at
//! every file operation of an install, after which the store must still open to a good
//! channel.

use std::fs;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

use crate::common::*;
use crate::support::{active_version, version, Hook, Hooked, Op};

fn open(dir: &Path) -> ChannelStore {
    ChannelStore::open(dir, &trust(), &host()).unwrap()
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
    drop(store);
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
    drop(store);
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
    drop(store);
    let store2 = open(dir.path());
    assert!(store2.active(291).is_none());
    assert_eq!(store2.highest_version(291), Some(5));
    assert!(matches!(
        store2.install(&sign1(&version(4)), &trust(), &host()),
        Err(StoreError::Rollback { .. })
    ));
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
    drop(store);
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
}

fn crash() -> io::Error {
    io::Error::other("simulated crash")
}

impl Hook for FaultyFs {
    fn before(&self, op: Op<'_>) -> io::Result<()> {
        if self.count.fetch_add(1, Ordering::SeqCst) != self.fail_at {
            return Ok(());
        }
        if let Op::CreateNew { path, bytes } = op {
            FileStorage.create_new(path, &bytes[..bytes.len() / 2])?;
        }
        Err(crash())
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
        let store = faulty(dir.path(), k);
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
        drop(store);
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
    // Last known good, version record, guard, active file: four operations each.
    let steps = crash_at_every_step(&[1], 2, &[Some(1), Some(2)]);
    assert_eq!(steps, 16);
}

#[test]
fn a_crash_at_any_step_of_a_first_install_leaves_a_loadable_store() {
    let steps = crash_at_every_step(&[], 1, &[None, Some(1)]);
    assert_eq!(steps, 12);
}

#[test]
fn a_crash_after_two_upgrades_still_has_a_good_channel() {
    let steps = crash_at_every_step(&[1, 2], 3, &[Some(2), Some(3)]);
    assert_eq!(steps, 16);
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
    drop(store);
    let store = open(dir.path());
    assert_eq!(active_version(&store), Some(1));
    assert!(!dir.path().join("291.chan.tmp").exists());
    assert!(dir.path().join("notes.txt").exists());
    store
        .install(&sign1(&version(2)), &trust(), &host())
        .unwrap();
    drop(store);
    assert_eq!(active_version(&open(dir.path())), Some(2));
}

#[test]
fn store_file_names() {
    assert_eq!(channel_id_of("291.chan"), Some(291));
    assert_eq!(channel_id_of("291.lkg.chan"), Some(291));
    assert_eq!(channel_id_of("291.version"), Some(291));
    assert_eq!(channel_id_of("291.guard"), Some(291));
    assert_eq!(channel_id_of("291.reset"), Some(291));
    assert_eq!(channel_id_of("291.chan.tmp"), None);
    assert_eq!(channel_id_of(".chan"), None);
    assert_eq!(channel_id_of("+1.chan"), None);
    assert_eq!(channel_id_of("99999999999.chan"), None);
}

#[test]
fn a_second_store_on_the_directory_is_refused_until_the_first_closes() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path());
    let err = ChannelStore::open(dir.path(), &trust(), &host()).unwrap_err();
    assert!(
        matches!(&err, StoreError::Locked { dir: d } if d == dir.path()),
        "{err}"
    );
    assert!(err.to_string().contains("one store per directory"));
    drop(first);
    open(dir.path());
}

/// A store with versions 1, 2 and 3 installed (so 2 is the last known good), closed.
fn three_versions(dir: &Path) {
    let store = open(dir);
    for v in [1, 2, 3] {
        store
            .install(&sign1(&version(v)), &trust(), &host())
            .unwrap();
    }
}

#[test]
fn a_damaged_version_record_is_an_error_at_open() {
    for text in [&b"+99\n"[..], b"099\n", b"3", b"three\n", b"", b"3\n\0"] {
        let dir = tempfile::tempdir().unwrap();
        three_versions(dir.path());
        let record = dir.path().join("291.version");
        fs::write(&record, text).unwrap();
        let err = ChannelStore::open(dir.path(), &trust(), &host()).unwrap_err();
        assert!(
            matches!(&err, StoreError::Record { path, .. } if *path == record),
            "{text:?}: {err}"
        );
        assert!(err.to_string().contains("291.version is damaged"), "{err}");
    }
    // So is a damaged guard file.
    let dir = tempfile::tempdir().unwrap();
    three_versions(dir.path());
    fs::write(dir.path().join("291.guard"), b"watch 3\n").unwrap();
    assert!(matches!(
        ChannelStore::open(dir.path(), &trust(), &host()),
        Err(StoreError::Record { .. })
    ));
    // And a damaged record of the resets taken: read as "none", it would let a reset
    // that was taken be taken again.
    let dir = tempfile::tempdir().unwrap();
    three_versions(dir.path());
    let resets = dir.path().join("291.reset");
    fs::write(&resets, b"01\n").unwrap();
    assert!(matches!(
        ChannelStore::open(dir.path(), &trust(), &host()),
        Err(StoreError::Record { path, .. }) if path == resets
    ));
}

#[test]
fn an_older_valid_file_on_disk_is_not_loaded_over_the_record() {
    // Only one version ever installed: no fallback, so the older file is simply refused.
    let dir = tempfile::tempdir().unwrap();
    open(dir.path())
        .install(&sign1(&version(2)), &trust(), &host())
        .unwrap();
    fs::write(dir.path().join("291.chan"), sign1(&version(1))).unwrap();
    let store = open(dir.path());
    assert_eq!(active_version(&store), None);
    assert_eq!(store.highest_version(291), Some(2));
    drop(store);
    // With a last known good (2), an older active file (1) gives way to it.
    let dir = tempfile::tempdir().unwrap();
    three_versions(dir.path());
    fs::write(dir.path().join("291.chan"), sign1(&version(1))).unwrap();
    let store = open(dir.path());
    assert_eq!(active_version(&store), Some(2));
    assert_eq!(store.highest_version(291), Some(3));
}

/// Runs `f` on another thread and fails the test if it takes more than ten seconds: the
/// FIFO tests below hung for ever before the store opened files without blocking.
fn bounded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .expect("the store hung")
}

fn mkfifo(path: &Path) {
    let _ = fs::remove_file(path);
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_fifo_in_place_of_any_store_file_never_hangs() {
    // The active file: the last known good is used instead.
    let dir = tempfile::tempdir().unwrap();
    three_versions(dir.path());
    mkfifo(&dir.path().join("291.chan"));
    let path = dir.path().to_path_buf();
    let store = bounded(move || open(&path));
    assert_eq!(active_version(&store), Some(2));
    // And an install over it goes through (a FIFO is not the last known good).
    let store = bounded(move || {
        store
            .install(&sign1(&version(4)), &trust(), &host())
            .unwrap();
        store
    });
    assert_eq!(active_version(&store), Some(4));
    drop(store);

    // The last known good file: the active file is used, and an install replaces it.
    let dir = tempfile::tempdir().unwrap();
    three_versions(dir.path());
    mkfifo(&dir.path().join("291.lkg.chan"));
    let path = dir.path().to_path_buf();
    let store = bounded(move || {
        let store = open(&path);
        assert_eq!(active_version(&store), Some(3));
        store
            .install(&sign1(&version(4)), &trust(), &host())
            .unwrap();
        store
    });
    drop(store);
    assert_eq!(
        fs::read(dir.path().join("291.lkg.chan")).unwrap(),
        sign1(&version(3))
    );

    // The version record and the guard file: an error (fail closed), not a hang.
    for name in ["291.version", "291.guard"] {
        let dir = tempfile::tempdir().unwrap();
        three_versions(dir.path());
        mkfifo(&dir.path().join(name));
        let path = dir.path().to_path_buf();
        let err = bounded(move || ChannelStore::open(&path, &trust(), &host()).unwrap_err());
        assert!(
            err.to_string().contains("not a regular file"),
            "{name}: {err}"
        );
    }

    // A temporary file (the name an older store used): removed at open, never opened.
    let dir = tempfile::tempdir().unwrap();
    three_versions(dir.path());
    mkfifo(&dir.path().join("291.chan.tmp"));
    let path = dir.path().to_path_buf();
    bounded(move || {
        open(&path)
            .install(&sign1(&version(4)), &trust(), &host())
            .unwrap()
    });
    assert!(!dir.path().join("291.chan.tmp").exists());

    // The lock file: an error, not a hang.
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join(LOCK_FILE));
    let path = dir.path().to_path_buf();
    let err = bounded(move || ChannelStore::open(&path, &trust(), &host()).unwrap_err());
    assert!(err.to_string().contains("not a regular file"), "{err}");
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_never_followed() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    // A temporary file planted as a link: creating it fails, the target is untouched.
    let target = elsewhere.path().join("secret");
    fs::write(&target, b"keep").unwrap();
    let planted = dir.path().join("291.chan.0000000000000000.tmp");
    symlink(&target, &planted).unwrap();
    assert!(FileStorage
        .create_new(&planted, b"written through")
        .is_err());
    assert_eq!(fs::read(&target).unwrap(), b"keep");
    // An active file that is a link to a valid channel is not loaded through it.
    let valid = elsewhere.path().join("291.chan");
    fs::write(&valid, sign1(&version(1))).unwrap();
    symlink(&valid, dir.path().join("291.chan")).unwrap();
    assert!(FileStorage
        .read(&dir.path().join("291.chan"), 1 << 20)
        .is_err());
    assert_eq!(active_version(&open(dir.path())), None);
}

#[test]
fn versions_that_leave_no_room_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    for v in [MAX_CONTENT_VERSION + 1, u64::MAX] {
        assert!(matches!(
            store.install(&sign1(&version(v)), &trust(), &host()),
            Err(StoreError::VersionTooHigh { version, .. }) if version == v
        ));
    }
    assert!(!dir.path().join("291.version").exists());
    store
        .install(&sign1(&version(MAX_CONTENT_VERSION)), &trust(), &host())
        .unwrap();
    assert_eq!(active_version(&store), Some(MAX_CONTENT_VERSION));
}

/// A store over [`FaultyFs`] failing its `fail_at`-th operation.
fn faulty(dir: &Path, fail_at: usize) -> ChannelStore {
    let fs_ = FaultyFs {
        fail_at,
        count: AtomicUsize::new(0),
    };
    ChannelStore::open_with(dir, Box::new(Hooked(fs_)), &trust(), &host()).unwrap()
}

#[test]
fn memory_follows_disk_when_a_directory_sync_fails() {
    // Upgrade 1 to 2: last known good (operations 0-3), version record (4-7), guard
    // (8-11), active file (12-15); each file's fourth operation is the directory sync.
    let dir = tempfile::tempdir().unwrap();
    open(dir.path())
        .install(&sign1(&version(1)), &trust(), &host())
        .unwrap();
    let store = faulty(dir.path(), 15);
    let err = store
        .install(&sign1(&version(2)), &trust(), &host())
        .unwrap_err();
    assert!(
        matches!(
            &err,
            StoreError::Io {
                op: "sync the directory",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        fs::read(dir.path().join("291.chan")).unwrap(),
        sign1(&version(2))
    );
    assert_eq!(active_version(&store), Some(2));
    // The same for the version record: memory holds the version on disk.
    let dir = tempfile::tempdir().unwrap();
    open(dir.path())
        .install(&sign1(&version(1)), &trust(), &host())
        .unwrap();
    let store = faulty(dir.path(), 7);
    assert!(store
        .install(&sign1(&version(2)), &trust(), &host())
        .is_err());
    assert_eq!(
        fs::read_to_string(dir.path().join("291.version")).unwrap(),
        "2\n"
    );
    assert_eq!(store.highest_version(291), Some(2));
    assert_eq!(active_version(&store), Some(1));
}

#[test]
fn the_guard_rolls_back_a_crash_loop_and_quarantines_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .install_at(&sign1(&version(1)), &trust(), &host(), 100)
        .unwrap();
    store
        .install_at(&sign1(&version(2)), &trust(), &host(), 1_000)
        .unwrap();
    drop(store);
    // Three starts: the first use, then two that follow deaths.
    for (now, expect) in [(1_010, 2), (1_020, 2), (1_030, 1)] {
        let store = open(dir.path());
        let rolled = store.sensor_started(&trust(), &host(), now).unwrap();
        assert_eq!(active_version(&store), Some(expect), "start at {now}");
        assert_eq!(rolled.len(), usize::from(expect == 1));
    }
    let store = open(dir.path());
    assert_eq!(active_version(&store), Some(1));
    let report = Quarantine {
        channel_id: 291,
        version: 2,
        restored: Some(1),
        at: 1_030,
    };
    assert_eq!(store.quarantined(), vec![report]);
    assert!(store
        .sensor_started(&trust(), &host(), 1_040)
        .unwrap()
        .is_empty());
    assert!(matches!(
        store.install(&sign1(&version(2)), &trust(), &host()),
        Err(StoreError::Quarantined {
            channel_id: 291,
            version: 2
        })
    ));
    // A newer version is taken, and the old version 1 stays the last known good.
    store
        .install_at(&sign1(&version(3)), &trust(), &host(), 2_000)
        .unwrap();
    assert_eq!(
        fs::read(dir.path().join("291.lkg.chan")).unwrap(),
        sign1(&version(1))
    );
    assert_eq!(store.quarantined(), vec![report]);
    // Installed by the running sensor: in use at once, so two starts are two deaths.
    let watch = store.watch(291).unwrap();
    assert!(watch.in_use && watch.version == 3);
    drop(store);
    let store = open(dir.path());
    assert!(store
        .sensor_started(&trust(), &host(), 2_001)
        .unwrap()
        .is_empty());
    assert!(store.confirm_healthy(291).unwrap());
    drop(store);
    // Confirmed healthy: later starts no longer count.
    let store = open(dir.path());
    assert!(store
        .sensor_started(&trust(), &host(), 2_002)
        .unwrap()
        .is_empty());
    assert_eq!(active_version(&store), Some(3));
    assert!(!store.confirm_healthy(291).unwrap());
}

#[test]
fn a_crash_loop_on_a_first_install_leaves_no_channel() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path())
        .install_at(&sign1(&version(1)), &trust(), &host(), 0)
        .unwrap();
    for now in [1, 2] {
        assert!(open(dir.path())
            .sensor_started(&trust(), &host(), now)
            .unwrap()
            .is_empty());
    }
    let store = open(dir.path());
    let rolled = store.sensor_started(&trust(), &host(), 3).unwrap();
    assert_eq!(rolled[0].restored, None);
    assert_eq!(active_version(&store), None);
    drop(store);
    assert_eq!(active_version(&open(dir.path())), None);
}

/// The host's own guard policy is the one applied: a larger death count waits for more
/// deaths, however far apart they are.
#[test]
fn sensor_started_with_applies_the_given_policy() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .install_at(&sign1(&version(1)), &trust(), &host(), 100)
        .unwrap();
    store
        .install_at(&sign1(&version(2)), &trust(), &host(), 1_000)
        .unwrap();
    drop(store);
    let three = GuardPolicy { deaths: 3 };
    // The first use, then two deaths: the default would roll back here, three deaths do not.
    for now in [1_001, 1_002, 1_003] {
        let store = open(dir.path());
        assert!(store
            .sensor_started_with(&trust(), &host(), now, &three)
            .unwrap()
            .is_empty());
        assert_eq!(active_version(&store), Some(2), "start at {now}");
    }
    // The third death, a day later, still counts.
    let store = open(dir.path());
    assert_eq!(
        store
            .sensor_started_with(&trust(), &host(), 1_003 + 86_400, &three)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(active_version(&store), Some(1));
}

/// The bug the fleet simulator found: a workstation whose sensor crashed on a new
/// channel and that was switched off before it restarted started again the next
/// morning outside the old ten-minute window, the guard no longer counted, and the host
/// crashed at every start. Deaths now count until the channel is confirmed healthy,
/// whenever the starts come.
#[test]
fn a_machine_switched_off_between_crashes_still_rolls_back() {
    let hour = 3_600;
    for in_use in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        store
            .install_at(&sign1(&version(1)), &trust(), &host(), 100)
            .unwrap();
        if in_use {
            // A running sensor takes the channel in at once.
            store.sensor_started(&trust(), &host(), 200).unwrap();
        }
        store
            .install_at(&sign1(&version(2)), &trust(), &host(), 17 * hour)
            .unwrap();
        assert_eq!(store.watch(291).unwrap().in_use, in_use);
        drop(store);
        // The first use at once (or the crash of the running sensor), then the machine
        // is off for the night; each morning start dies again.
        let mut starts = vec![
            17 * hour + 30,
            17 * hour + 14 * hour,
            17 * hour + 14 * hour + 120,
        ];
        if in_use {
            starts.remove(0);
        }
        let last = starts.len() - 1;
        for (i, now) in starts.into_iter().enumerate() {
            let store = open(dir.path());
            let rolled = store.sensor_started(&trust(), &host(), now).unwrap();
            assert_eq!(
                rolled.len(),
                usize::from(i == last),
                "in use {in_use}, start {i}"
            );
            let expect = if i == last { 1 } else { 2 };
            assert_eq!(
                active_version(&store),
                Some(expect),
                "in use {in_use}, start {i}"
            );
        }
    }
}
