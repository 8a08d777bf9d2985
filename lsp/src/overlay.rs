//! The file system the server checks through: open editor buffers over the base file
//! system the CLI passes in, so unsaved text is what gets checked, and this crate never
//! touches the disk itself.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ward_compiler::io::{FileSystem, ReadError};

/// The base file system, shared with the server's tasks.
pub type BaseFs = Arc<dyn FileSystem + Send + Sync>;

#[derive(Clone)]
pub struct OverlayFs {
    base: BaseFs,
    buffers: BTreeMap<PathBuf, Arc<str>>,
}

impl std::fmt::Debug for OverlayFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OverlayFs")
            .field("buffers", &self.buffers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl OverlayFs {
    pub fn new(base: BaseFs, buffers: BTreeMap<PathBuf, Arc<str>>) -> Self {
        OverlayFs { base, buffers }
    }
}

impl FileSystem for OverlayFs {
    /// The base's files plus every open buffer below `root`: a file deleted on disk while
    /// open in the editor is still part of the project until it is closed.
    fn walk(&self, root: &Path) -> io::Result<Vec<PathBuf>> {
        let mut files = match self.base.walk(root) {
            Ok(files) => files,
            Err(e) if self.buffers.is_empty() => return Err(e),
            Err(_) => Vec::new(),
        };
        files.extend(
            self.buffers
                .keys()
                .filter(|p| {
                    p.strip_prefix(root).is_ok_and(|rel| {
                        !rel.components()
                            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
                    })
                })
                .cloned(),
        );
        files.sort();
        files.dedup();
        Ok(files)
    }

    fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        match self.buffers.get(path) {
            Some(text) => {
                let size = text.len() as u64;
                if size > limit {
                    return Err(ReadError::TooLarge { size, limit });
                }
                Ok(text.as_bytes().to_vec())
            }
            None => self.base.read(path, limit),
        }
    }
}
