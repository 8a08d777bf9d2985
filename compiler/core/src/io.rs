//! The only way the compiler reads anything: a small file-system trait.
//!
//! The CLI implements it for the disk; the language server overlays open editor buffers
//! on top of the disk; tests use [`MemoryFs`]. The core itself never touches `std::fs`
//! (enforced by clippy.toml's disallowed-methods).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// The file is larger than the caller's limit; it was not read.
    TooLarge {
        size: u64,
        limit: u64,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => e.fmt(f),
            ReadError::TooLarge { size, limit } => {
                write!(f, "it is {size} bytes, over the {limit}-byte limit")
            }
        }
    }
}

pub trait FileSystem {
    /// Every file below `root`, recursively, in a stable (sorted) order. Directories whose
    /// name starts with `.` are not entered.
    fn walk(&self, root: &Path) -> io::Result<Vec<PathBuf>>;

    /// The file's bytes, refusing files larger than `limit` before reading them.
    fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError>;
}

/// Files held in memory: for tests, fixtures and the language server's open buffers.
#[derive(Debug, Default, Clone)]
pub struct MemoryFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemoryFs {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }

    /// A file system from a fixture: files separated by `//- path` header lines.
    pub fn from_fixture(root: &Path, fixture: &str) -> Self {
        let mut fs = MemoryFs::new();
        let mut current: Option<(PathBuf, String)> = None;
        for line in fixture.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("//- ") {
                if let Some((p, text)) = current.take() {
                    fs.insert(p, text);
                }
                current = Some((root.join(path.trim()), String::new()));
            } else if let Some((_, text)) = current.as_mut() {
                text.push_str(line);
            }
        }
        if let Some((p, text)) = current {
            fs.insert(p, text);
        }
        fs
    }
}

impl FileSystem for MemoryFs {
    fn walk(&self, root: &Path) -> io::Result<Vec<PathBuf>> {
        Ok(self
            .files
            .keys()
            .filter(|p| {
                p.strip_prefix(root).is_ok_and(|rel| {
                    !rel.components()
                        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
                })
            })
            .cloned()
            .collect())
    }

    fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        let bytes = self.files.get(path).ok_or_else(|| {
            ReadError::Io(io::Error::new(io::ErrorKind::NotFound, "no such file"))
        })?;
        let size = bytes.len() as u64;
        if size > limit {
            return Err(ReadError::TooLarge { size, limit });
        }
        Ok(bytes.clone())
    }
}
