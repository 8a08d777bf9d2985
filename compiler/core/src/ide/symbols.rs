//! Document symbols (an outline of one file) and workspace symbols (search by name).

use super::resolve::{DefId, DefKind};
use super::{Analysis, FileSpan};
use crate::FileId;

/// Most workspace symbols returned for one query: an editor shows a short list anyway.
const MAX_WORKSPACE_SYMBOLS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: DefKind,
    /// The declaration's first line.
    pub detail: String,
    /// The whole declaration.
    pub location: FileSpan,
    pub name_span: FileSpan,
    /// The template, enum or channel it belongs to.
    pub container: Option<String>,
    pub children: Vec<Symbol>,
}

impl Analysis {
    /// The items of `file` with their fields, variants and instances.
    pub fn document_symbols(&self, file: FileId) -> Vec<Symbol> {
        self.index()
            .defs()
            .filter(|(_, d)| d.file == file && d.parent.is_none())
            .map(|(id, _)| {
                let mut s = self.symbol(id);
                s.children = self
                    .index()
                    .members(id)
                    .map(|(m, _)| self.symbol(m))
                    .collect();
                s
            })
            .collect()
    }

    /// Declarations whose name contains the query's characters in order, ignoring case.
    pub fn workspace_symbols(&self, query: &str) -> Vec<Symbol> {
        let query = query.to_lowercase();
        self.index()
            .defs()
            .filter(|(_, d)| d.kind != DefKind::Test && fuzzy(&query, &d.name.to_lowercase()))
            .take(MAX_WORKSPACE_SYMBOLS)
            .map(|(id, _)| self.symbol(id))
            .collect()
    }

    fn symbol(&self, id: DefId) -> Symbol {
        let d = self.index().def(id);
        Symbol {
            name: d.name.clone(),
            kind: d.kind,
            detail: d.signature.clone(),
            location: FileSpan {
                file: d.file,
                span: d.span,
            },
            name_span: FileSpan {
                file: d.file,
                span: d.name_span,
            },
            container: d.parent.map(|p| self.index().def(p).name.clone()),
            children: Vec::new(),
        }
    }
}

/// Whether every character of `query` occurs in `name`, in order.
fn fuzzy(query: &str, name: &str) -> bool {
    let mut rest = name.chars();
    query.chars().all(|q| rest.any(|c| c == q))
}
