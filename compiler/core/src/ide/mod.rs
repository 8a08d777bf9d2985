//! IDE features over a checked project: hover, completion, navigation, rename, symbols,
//! semantic tokens, inlay hints and code actions.
//!
//! Everything here works in byte offsets and [`FileId`]s and knows nothing of any editor
//! protocol: the language server converts positions and shapes. Every feature works on
//! files with syntax errors, using whatever the parser recovered.

mod actions;
mod completion;
mod context;
mod hints;
mod hover;
mod navigation;
mod resolve;
mod symbols;
mod tokens;

use std::sync::OnceLock;

use crate::project::Project;
use crate::sources::Sources;
use crate::{Checked, Diagnostic, FileId, Span};

pub use actions::CodeAction;
pub use completion::{Completion, CompletionKind, Completions};
pub use navigation::RenameError;
pub use resolve::{Def, DefId, DefKind, Index, Reference};
pub use symbols::Symbol;
pub use tokens::{SemanticToken, TokenKind, TokenModifier};

/// A span in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileSpan {
    pub file: FileId,
    pub span: Span,
}

/// Replace `span` of `file` with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub file: FileId,
    pub span: Span,
    pub text: String,
}

/// Markdown shown on hover, and the span it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// A label shown after `offset`, e.g. ` #5` after a criterion's field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
}

/// One checked snapshot of a project, with the index every feature queries.
#[derive(Debug)]
pub struct Analysis {
    sources: Sources,
    checked: Checked,
    diagnostics: Vec<Diagnostic>,
    /// Built by the first feature that asks for it: publishing an edit's diagnostics, the
    /// first thing an editor waits for, does not need it.
    index: OnceLock<Index>,
}

impl Analysis {
    /// Checks `sources`; `load_diagnostics` are the project loader's (manifest, unreadable
    /// files), reported together with the checker's.
    pub fn new(sources: Sources, load_diagnostics: Vec<Diagnostic>) -> Analysis {
        let checked = crate::check(&sources);
        let mut diagnostics = load_diagnostics;
        diagnostics.extend(checked.diagnostics.iter().cloned());
        Analysis {
            sources,
            checked,
            diagnostics,
            index: OnceLock::new(),
        }
    }

    /// Checks a loaded project, with the lint levels of its `[lints]` table applied as
    /// `ward check` applies them: an allowed warning is not reported, a denied one is an
    /// error.
    pub fn from_project(project: Project) -> Analysis {
        let mut analysis = Analysis::new(project.sources, project.diagnostics);
        if let Some(lints) = project.config.as_ref().map(|c| &c.lints) {
            if !lints.is_empty() {
                let all = std::mem::take(&mut analysis.diagnostics);
                analysis.diagnostics = crate::lints::apply(lints, false, all);
            }
        }
        analysis
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    pub fn checked(&self) -> &Checked {
        &self.checked
    }

    pub fn index(&self) -> &Index {
        self.index
            .get_or_init(|| Index::build(&self.sources, &self.checked.files))
    }

    /// Every diagnostic of the project: the loader's, then the checker's.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    fn text(&self, file: FileId) -> &str {
        &self.sources.get(file).text
    }
}
