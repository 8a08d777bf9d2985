//! Code actions: the fixes that diagnostics carry ("did you mean", add a missing
//! `severity`, stop targeting a sensor that does not supply a field).

use super::{Analysis, TextEdit};
use crate::{FileId, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// Index into [`Analysis::diagnostics`] of the diagnostic it fixes.
    pub diagnostic: usize,
    pub edits: Vec<TextEdit>,
    /// The only fix of its diagnostic: safe to apply without asking.
    pub preferred: bool,
}

impl Analysis {
    /// The fixes of every diagnostic whose primary label in `file` touches `range`.
    pub fn code_actions(&self, file: FileId, range: Span) -> Vec<CodeAction> {
        self.diagnostics
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.location().is_some_and(|l| {
                    l.file == file && l.span.start <= range.end && range.start <= l.span.end
                })
            })
            .flat_map(|(i, d)| {
                d.fixes.iter().map(move |f| CodeAction {
                    title: f.title.clone(),
                    diagnostic: i,
                    edits: vec![TextEdit {
                        file: f.file,
                        span: f.span,
                        text: f.replacement.clone(),
                    }],
                    preferred: d.fixes.len() == 1,
                })
            })
            .collect()
    }
}
