//! The compiler's file-system trait, implemented for the real disk.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use ward_compiler::io::{FileSystem, ReadError};

#[derive(Debug, Clone, Copy, Default)]
pub struct DiskFs;

impl FileSystem for DiskFs {
    fn walk(&self, root: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            for entry in fs::read_dir(&dir)? {
                let entry = entry?;
                let name = entry.file_name();
                if name.to_string_lossy().starts_with('.') {
                    continue;
                }
                // Symlinks are not followed, so a link cycle cannot loop the walk.
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    pending.push(entry.path());
                } else if kind.is_file() {
                    out.push(entry.path());
                }
            }
        }
        out.sort();
        Ok(out)
    }

    fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        let file = fs::File::open(path).map_err(ReadError::Io)?;
        let meta = file.metadata().map_err(ReadError::Io)?;
        // A device or FIFO (a Ward.toml linked to /dev/zero) has no size to check and may
        // never end: sources and manifests are regular files.
        if !meta.is_file() {
            return Err(ReadError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file",
            )));
        }
        if meta.len() > limit {
            return Err(ReadError::TooLarge {
                size: meta.len(),
                limit,
            });
        }
        // Bounded still, for a file that grows while it is read.
        let mut bytes = Vec::new();
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(ReadError::Io)?;
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > limit {
            return Err(ReadError::TooLarge { size, limit });
        }
        Ok(bytes)
    }
}
