//! The repository's file writes, all or nothing: each file is written to a temporary
//! name, synced and renamed into place; if the operation fails, files it created are
//! removed and files it replaced get their old bytes back.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::metadata::{Role, Signed};

/// Metadata files are small; a larger one is not ours.
const MAX_METADATA: u64 = 64 << 20;

/// Reads and parses one metadata file of the repository.
pub fn read_metadata<R: Role>(path: &Path) -> Result<Signed<R>, Error> {
    let bytes = read_limited(path, MAX_METADATA)?;
    Signed::parse(&bytes, &path.display().to_string())
}

/// Reads at most `limit` bytes of `path`; a longer file is an error.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read as _;
    let io = |source| Error::Io {
        op: "read",
        path: path.to_path_buf(),
        source,
    };
    let file = fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(Error::Refused {
            reason: format!("{} is over {limit} bytes", path.display()),
        });
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` through a synced temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let io = |op, source| Error::Io {
        op,
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| io("create the directory of", e))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = fs::File::create(&tmp).map_err(|e| io("create a temporary file for", e))?;
    // A failed write or rename must not leave the temporary file behind: a failed
    // publish leaves the repository exactly as it was (the CLI test found one left).
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io("write", e))
        .and_then(|()| fs::rename(&tmp, path).map_err(|e| io("rename into place", e)));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    // A directory sync makes the rename durable; not every file system supports it.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The writes of one repository operation, undone unless it succeeds.
#[derive(Debug)]
pub struct Writes {
    repo: PathBuf,
    /// Each written path, with the bytes it held before (`None`: it did not exist).
    done: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Writes {
    pub fn new(repo: &Path) -> Writes {
        Writes {
            repo: repo.to_path_buf(),
            done: Vec::new(),
        }
    }

    /// Writes `REPO/metadata/NAME`.
    pub fn metadata(&mut self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        self.write(self.repo.join("metadata").join(name), bytes)
    }

    /// Writes `REPO/targets/NAME`.
    pub fn target(&mut self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        self.write(self.repo.join("targets").join(name), bytes)
    }

    fn write(&mut self, path: PathBuf, bytes: &[u8]) -> Result<(), Error> {
        let before = fs::read(&path).ok();
        if before.is_some() {
            wait_for_a_new_second(&path);
        }
        write_atomic(&path, bytes)?;
        self.done.push((path, before));
        Ok(())
    }

    /// Keeps the writes if `result` is `Ok`; otherwise undoes them, newest first.
    pub fn finish<T>(self, result: Result<T, Error>) -> Result<T, Error> {
        if result.is_err() {
            for (path, before) in self.done.into_iter().rev() {
                let _ = match before {
                    Some(bytes) => write_atomic(&path, &bytes).map_err(|_| ()),
                    None => fs::remove_file(&path).map_err(|_| ()),
                };
            }
        }
        result
    }
}

/// Waits until the clock is past the second `path` was last modified in. Web servers
/// derive ETag and Last-Modified from the modification time in whole seconds (nginx:
/// mtime and size), so a file replaced within the same second by one of the same size
/// would look unchanged to every host's conditional GET.
fn wait_for_a_new_second(path: &Path) {
    let Ok(modified) = fs::metadata(path).and_then(|m| m.modified()) else {
        return;
    };
    let second = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    };
    let old = second(modified);
    // A file's mtime comes from the kernel's coarse clock, which can lag the clock read
    // here by a few milliseconds: only a moment well past the boundary is a new second
    // for the next write too. Bounded: at most one second and a little.
    let margin = std::time::Duration::from_millis(50);
    for _ in 0..30 {
        let now = std::time::SystemTime::now();
        if second(now.checked_sub(margin).unwrap_or(now)) > old {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
