//! What the server knows between requests: the project root, the open buffers and the
//! latest analysis, rebuilt only when something changed since it was made.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ward_compiler::ide::Analysis;
use ward_compiler::project::{self, MANIFEST, MAX_SOURCE_FILE};

use crate::overlay::{BaseFs, OverlayFs};

/// An open editor buffer.
#[derive(Debug, Clone)]
pub struct Buffer {
    pub text: Arc<str>,
    pub version: i32,
}

pub struct Workspace {
    base: BaseFs,
    root: Option<PathBuf>,
    buffers: BTreeMap<PathBuf, Buffer>,
    /// Bumped by every change to a buffer or to the files below the root.
    generation: u64,
    analysis: Option<(u64, Arc<Analysis>)>,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("root", &self.root)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl Workspace {
    pub fn new(base: BaseFs) -> Self {
        Workspace {
            base,
            root: None,
            buffers: BTreeMap::new(),
            generation: 0,
            analysis: None,
        }
    }

    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn buffer(&self, path: &Path) -> Option<&Buffer> {
        self.buffers.get(path)
    }

    /// Chooses the project: the first folder (or an ancestor of one) holding `Ward.toml`.
    pub fn find_root<'p>(&mut self, candidates: impl IntoIterator<Item = &'p Path>) -> bool {
        if self.root.is_some() {
            return true;
        }
        for start in candidates {
            if let Some(root) = start.ancestors().find(|dir| self.has_manifest(dir)) {
                self.root = Some(root.to_path_buf());
                self.changed();
                return true;
            }
        }
        false
    }

    fn has_manifest(&self, dir: &Path) -> bool {
        let manifest = dir.join(MANIFEST);
        self.buffers.contains_key(&manifest) || self.base.read(&manifest, MAX_SOURCE_FILE).is_ok()
    }

    pub fn set_buffer(&mut self, path: PathBuf, text: Arc<str>, version: i32) {
        self.buffers.insert(path, Buffer { text, version });
        self.changed();
    }

    pub fn close(&mut self, path: &Path) {
        self.buffers.remove(path);
        self.changed();
    }

    /// Something below the root changed on disk.
    pub fn changed(&mut self) {
        self.generation += 1;
    }

    /// The analysis of the current buffers and files, made now if the last one is stale.
    /// `Err` says why there is none (no project, or its folder cannot be read).
    pub fn analysis(&mut self) -> Result<Arc<Analysis>, String> {
        if let Some((generation, analysis)) = &self.analysis {
            if *generation == self.generation {
                return Ok(analysis.clone());
            }
        }
        let root = self
            .root
            .clone()
            .ok_or_else(|| format!("no {MANIFEST} found in the workspace"))?;
        let buffers = self
            .buffers
            .iter()
            .map(|(p, b)| (p.clone(), b.text.clone()))
            .collect();
        let fs = OverlayFs::new(self.base.clone(), buffers);
        let project = project::load(&fs, &root).map_err(|e| e.to_string())?;
        let analysis = Arc::new(Analysis::from_project(project));
        self.analysis = Some((self.generation, analysis.clone()));
        Ok(analysis)
    }
}
