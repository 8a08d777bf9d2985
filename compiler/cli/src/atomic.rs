//! Writing files so that a reader (or a crash) never sees half of one: write a temporary
//! file beside the target, sync it, then rename it into place. The temporary file is new
//! (created exclusively under a random name, so a planted file or symbolic link is an
//! error, never written through, and its mode is the one asked for, never an old file's);
//! the rename replaces a link at the destination rather than following it.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file written next to its destination, not yet in place.
#[derive(Debug)]
pub struct Staged {
    temp: PathBuf,
    dest: PathBuf,
}

impl Staged {
    /// Writes `bytes` to a new temporary file beside `dest`, synced to disk. `mode` sets
    /// the permissions on Unix (0o600 for secrets) as the file is created.
    pub fn write(dest: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<Staged> {
        let name = dest
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|e| std::io::Error::other(e.to_string()))?;
        let random = u64::from_le_bytes(random);
        let temp = dest.with_file_name(format!(".{name}.tmp-{random:016x}"));
        let mut options = OpenOptions::new();
        // O_CREAT | O_EXCL: never an existing file, and never through a link.
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        // A failure to create leaves nothing of ours to remove (the name may be another's).
        let mut file = options.open(&temp)?;
        let written = file.write_all(bytes).and_then(|()| file.sync_all());
        match written {
            Ok(()) => Ok(Staged {
                temp,
                dest: dest.to_path_buf(),
            }),
            Err(e) => {
                let _ = fs::remove_file(&temp);
                Err(e)
            }
        }
    }

    /// Renames the file into place and syncs its directory.
    pub fn commit(self) -> std::io::Result<()> {
        fs::rename(&self.temp, &self.dest)?;
        if let Some(dir) = self.dest.parent() {
            // Directory sync makes the rename durable; not every platform allows it.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }

    /// Drops the temporary file; the destination is untouched.
    pub fn abandon(self) {
        let _ = fs::remove_file(&self.temp);
    }
}

/// Writes every file or none: all are staged first, and only when every write succeeded
/// are they renamed into place. An existing destination stays intact until its rename.
pub fn write_all(files: &[(PathBuf, Vec<u8>, Option<u32>)]) -> std::io::Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (dest, bytes, mode) in files {
        match Staged::write(dest, bytes, *mode) {
            Ok(s) => staged.push(s),
            Err(e) => {
                staged.into_iter().for_each(Staged::abandon);
                return Err(e);
            }
        }
    }
    let mut pending = staged.into_iter();
    while let Some(s) = pending.next() {
        if let Err(e) = s.commit() {
            pending.for_each(Staged::abandon);
            return Err(e);
        }
    }
    Ok(())
}
