//! The source files of a project (the bundled stdlib included), with line lookup.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ward_syntax::{FileId, Span};

/// Where a file comes from: its diagnostics are shown differently, and stdlib files are
/// never rewritten by `ward fmt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Stdlib,
    Project,
    /// `Ward.toml`: only its diagnostics point into it.
    Manifest,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub id: FileId,
    /// Shown in diagnostics: relative to the project root, or `<stdlib>/NAME.ward`.
    pub name: String,
    /// The real location, for the CLI and the language server; `None` for the stdlib.
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    pub origin: Origin,
    /// False for a project file that could not be read (binary, not UTF-8, too large):
    /// its text is empty and its one diagnostic is the reason (E0011), so it is not also
    /// a file that declares nothing.
    pub readable: bool,
    line_starts: Vec<usize>,
}

impl Source {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |t| t.chars().count());
        (line + 1, col + 1)
    }

    /// 0-based line of a byte offset (clamped into the text), by binary search.
    fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.line_starts.partition_point(|&s| s <= offset).max(1) - 1
    }

    /// The whole lines `span` touches: the 0-based index of the first, and their bytes
    /// (each line with its `\n`). The renderer quotes these without indexing the file.
    pub fn lines_of(&self, span: Span) -> (usize, std::ops::Range<usize>) {
        let first = self.line_index(span.start);
        let last = self.line_index(span.end.max(span.start));
        let start = self.line_starts.get(first).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(last + 1)
            .copied()
            .unwrap_or(self.text.len());
        (first, start..end)
    }

    /// The byte offsets where each line starts (line 0 starts at 0).
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// Every file of one compilation, indexed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<Source>,
}

impl Sources {
    pub fn add(
        &mut self,
        name: impl Into<String>,
        path: Option<PathBuf>,
        text: impl Into<Arc<str>>,
        origin: Origin,
    ) -> FileId {
        let text: Arc<str> = text.into();
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        self.files.push(Source {
            id,
            name: name.into(),
            path,
            text,
            origin,
            readable: true,
            line_starts,
        });
        id
    }

    /// A project file that could not be read: in the project (its E0011 points into it),
    /// with no text.
    pub fn add_unreadable(&mut self, name: impl Into<String>, path: PathBuf) -> FileId {
        let id = self.add(name, Some(path), "", Origin::Project);
        self.files[id.0 as usize].readable = false;
        id
    }

    pub fn get(&self, id: FileId) -> &Source {
        &self.files[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = &Source> {
        self.files.iter()
    }

    pub fn find_path(&self, path: &Path) -> Option<&Source> {
        self.files.iter().find(|s| s.path.as_deref() == Some(path))
    }
}
