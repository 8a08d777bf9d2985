//! Go to definition, find references and rename, all through the name index.

use std::fmt;

use ward_syntax::lexer::{lex, Tok};

use super::resolve::{DefId, DefKind};
use super::{Analysis, FileSpan, TextEdit};
use crate::sources::Origin;
use crate::FileId;

/// Why a rename cannot be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameError {
    /// The cursor is not on a name that can be renamed.
    NotAName,
    /// The declaration is in the bundled stdlib, which belongs to the sensor engineers.
    Stdlib(String),
    /// The new name is not an identifier, or is a reserved word.
    InvalidName(String),
    /// Another declaration in the same namespace already has the new name.
    Taken { name: String, kind: &'static str },
}

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenameError::NotAName => write!(f, "there is no name to rename here"),
            RenameError::Stdlib(name) => write!(
                f,
                "`{name}` is declared in the bundled stdlib and cannot be renamed"
            ),
            RenameError::InvalidName(name) => write!(
                f,
                "`{name}` is not a valid name: names are [A-Za-z_][A-Za-z0-9_]* and not a reserved word"
            ),
            RenameError::Taken { name, kind } => {
                write!(f, "a {kind} named `{name}` is already declared")
            }
        }
    }
}

impl std::error::Error for RenameError {}

impl Analysis {
    /// The declaration of the name under the cursor.
    pub fn definition(&self, file: FileId, offset: usize) -> Option<FileSpan> {
        let r = self.index().at(file, offset)?;
        let def = self.index().def(r.def);
        Some(FileSpan {
            file: def.file,
            span: def.name_span,
        })
    }

    /// Every use of the name under the cursor, across the project and the stdlib.
    pub fn references(&self, file: FileId, offset: usize, include_decl: bool) -> Vec<FileSpan> {
        let Some(r) = self.index().at(file, offset) else {
            return Vec::new();
        };
        self.index()
            .refs_to(r.def)
            .filter(|r| include_decl || !r.is_decl)
            .map(|r| FileSpan {
                file: r.file,
                span: r.span,
            })
            .collect()
    }

    /// The name a rename at the cursor would change, or why it cannot.
    pub fn prepare_rename(&self, file: FileId, offset: usize) -> Result<FileSpan, RenameError> {
        let r = self.index().at(file, offset).ok_or(RenameError::NotAName)?;
        self.renamable(r.def)?;
        Ok(FileSpan {
            file: r.file,
            span: r.span,
        })
    }

    /// The edits that rename the name under the cursor everywhere it is used.
    pub fn rename(
        &self,
        file: FileId,
        offset: usize,
        new_name: &str,
    ) -> Result<Vec<TextEdit>, RenameError> {
        let r = self.index().at(file, offset).ok_or(RenameError::NotAName)?;
        let def = self.renamable(r.def)?;
        let tokens = lex(new_name).tokens;
        if !matches!(tokens.as_slice(), [(0, Tok::Ident, end)] if *end == new_name.len()) {
            return Err(RenameError::InvalidName(new_name.to_string()));
        }
        let d = self.index().def(def);
        let taken = match d.parent {
            Some(parent) => self.index().member(parent, new_name),
            None => self.index().top(new_name),
        };
        if let Some(other) = taken.filter(|o| *o != def) {
            return Err(RenameError::Taken {
                name: new_name.to_string(),
                kind: self.index().def(other).kind.noun(),
            });
        }
        Ok(self
            .index()
            .refs_to(def)
            .map(|r| TextEdit {
                file: r.file,
                span: r.span,
                text: new_name.to_string(),
            })
            .collect())
    }

    fn renamable(&self, def: DefId) -> Result<DefId, RenameError> {
        let d = self.index().def(def);
        if d.kind == DefKind::Test {
            return Err(RenameError::NotAName);
        }
        if self.sources.get(d.file).origin == Origin::Stdlib {
            return Err(RenameError::Stdlib(d.name.clone()));
        }
        Ok(def)
    }
}
