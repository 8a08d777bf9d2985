//! Inlay hints: the field number after each field name of a criterion or a test event, so
//! a reader sees which input a criterion reads (`pipe_sddl #21`).

use super::resolve::DefKind;
use super::{Analysis, InlayHint};
use crate::{FileId, Span};

impl Analysis {
    /// Hints for the names of `file` that lie in `range`.
    pub fn inlay_hints(&self, file: FileId, range: Span) -> Vec<InlayHint> {
        self.index()
            .refs_in(file)
            .iter()
            .filter(|r| !r.is_decl && r.span.start >= range.start && r.span.end <= range.end)
            .filter_map(|r| {
                let def = self.index().def(r.def);
                if def.kind != DefKind::Field {
                    return None;
                }
                let template = self.index().def(def.parent?);
                let number = self
                    .checked
                    .program
                    .templates
                    .iter()
                    .find(|t| t.name == template.name)?
                    .field(&def.name)?
                    .number;
                Some(InlayHint {
                    offset: r.span.end,
                    label: format!(" #{number}"),
                })
            })
            .collect()
    }
}
