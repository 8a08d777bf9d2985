//! The file operations the store uses ([`Storage`]) and their default over the file
//! system ([`FileStorage`]), written for a directory whose neighbours may be hostile: no
//! operation follows a symbolic link, waits on a FIFO or device, or writes through a file
//! it did not create, and the directory is locked against a second store.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

/// The name of the lock file in the store directory.
pub const LOCK_FILE: &str = "lock";

/// What [`Storage::lock`] returns: the lock is held until it is dropped.
pub type LockGuard = Box<dyn fmt::Debug + Send + Sync>;

/// The file operations the store uses. A host implements them over its own storage; the
/// store's tests implement them to fail any one operation and prove the store still opens
/// to a good channel afterwards. Paths are the store directory joined with the names of
/// the store's layout.
pub trait Storage: fmt::Debug + Send + Sync {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Takes an exclusive lock on the store directory for as long as the guard lives,
    /// without waiting: a lock held elsewhere is an error of kind
    /// [`io::ErrorKind::WouldBlock`].
    fn lock(&self, dir: &Path) -> io::Result<LockGuard>;
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;
    /// Reads at most `limit` bytes of a regular file; a longer file is an error, not a
    /// truncated read, and so is anything but a regular file (a link, FIFO or device).
    fn read(&self, path: &Path, limit: usize) -> io::Result<Vec<u8>>;
    /// Creates `path`, which must not exist yet (a planted file or link is an error, never
    /// written through), and writes `bytes`.
    fn create_new(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    fn sync_file(&self, path: &Path) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove(&self, path: &Path) -> io::Result<()>;
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// How long [`FileStorage::lock`] waits out a held lock: 50 tries 20 ms apart, a second.
const LOCK_ATTEMPTS: u32 = 50;
const LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(20);

/// The file system: the storage [`crate::ChannelStore::open`] uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileStorage;

impl Storage for FileStorage {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    fn lock(&self, dir: &Path) -> io::Result<LockGuard> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        let file = open_regular(&dir.join(LOCK_FILE), &mut options)?;
        // A lock held for a moment only is waited out, for a bounded time: a process that
        // forks copies the lock's descriptor into the child until the child's exec closes
        // it, so a store reopened while the sensor (or a test beside it) starts a process
        // can find its own lock briefly held. A second store that stays open is refused.
        let mut attempts = LOCK_ATTEMPTS;
        while let Err(e) = lock_exclusive(&file) {
            attempts -= 1;
            if attempts == 0 || e.kind() != io::ErrorKind::WouldBlock {
                return Err(e);
            }
            std::thread::sleep(LOCK_RETRY);
        }
        // The lock is released when the file is closed, that is when the guard drops.
        Ok(Box::new(file))
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
        let file = open_regular(path, OpenOptions::new().read(true))?;
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

    fn create_new(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        // O_CREAT | O_EXCL: fails on any existing name, a symbolic link included.
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        open_regular(path, &mut options)?.write_all(bytes)
    }

    fn sync_file(&self, path: &Path) -> io::Result<()> {
        // fsync applies to the file, not the descriptor, so reopening to sync is enough.
        open_regular(path, OpenOptions::new().write(true))?.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
}

/// flock(2), not waiting: held until the file is closed, and released by the kernel when
/// its process dies, however it dies. (std's `File::try_lock` is newer than the minimum
/// Rust version.)
#[cfg(unix)]
fn lock_exclusive(file: &File) -> io::Result<()> {
    use rustix::fs::{flock, FlockOperation};
    flock(file, FlockOperation::NonBlockingLockExclusive).map_err(|e| {
        if e == rustix::io::Errno::WOULDBLOCK {
            io::Error::new(
                io::ErrorKind::WouldBlock,
                "another channel store holds this directory",
            )
        } else {
            e.into()
        }
    })
}

/// Elsewhere the host's storage is expected to lock (docs/security.md).
#[cfg(not(unix))]
fn lock_exclusive(_file: &File) -> io::Result<()> {
    Ok(())
}

/// Opens `path` without following a symbolic link and without blocking (a FIFO would
/// otherwise wait for a writer for ever), then refuses anything but a regular file and
/// makes the descriptor blocking again for the reads and writes that follow.
#[cfg(unix)]
fn open_regular(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt;
    let flags = OFlags::NOFOLLOW | OFlags::NONBLOCK;
    let file = options
        .custom_flags(i32::try_from(flags.bits()).unwrap_or_default())
        .open(path)?;
    check_regular(&file)?;
    let flags = rustix::fs::fcntl_getfl(&file)?;
    rustix::fs::fcntl_setfl(&file, flags.difference(OFlags::NONBLOCK))?;
    Ok(file)
}

#[cfg(not(unix))]
fn open_regular(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    let file = options.open(path)?;
    check_regular(&file)?;
    Ok(file)
}

fn check_regular(file: &File) -> io::Result<()> {
    if file.metadata()?.is_file() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "not a regular file (a FIFO, device or directory)",
    ))
}
