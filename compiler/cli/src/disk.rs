//! The compiler's file-system trait, implemented for the real disk.

use std::fs;
use std::io;
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
        let size = fs::metadata(path).map_err(ReadError::Io)?.len();
        if size > limit {
            return Err(ReadError::TooLarge { size, limit });
        }
        fs::read(path).map_err(ReadError::Io)
    }
}
