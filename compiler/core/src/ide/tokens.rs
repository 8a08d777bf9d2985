//! Semantic tokens: every token of a file classified by what it means, so an editor
//! colours a field, a variant and a sensor differently even where the grammar cannot tell.

use std::collections::HashMap;

use ward_syntax::lexer::{lex, Tok};

use super::resolve::DefKind;
use super::Analysis;
use crate::hir::Type;
use crate::sources::Origin;
use crate::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Keyword,
    Operator,
    Comment,
    String,
    Number,
    /// Templates and built-in types.
    Type,
    Enum,
    Variant,
    Field,
    Sensor,
    Channel,
    Instance,
}

impl TokenKind {
    pub const ALL: [TokenKind; 12] = [
        TokenKind::Keyword,
        TokenKind::Operator,
        TokenKind::Comment,
        TokenKind::String,
        TokenKind::Number,
        TokenKind::Type,
        TokenKind::Enum,
        TokenKind::Variant,
        TokenKind::Field,
        TokenKind::Sensor,
        TokenKind::Channel,
        TokenKind::Instance,
    ];
}

/// Modifiers, as bit positions in [`SemanticToken::modifiers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenModifier {
    /// The name being declared.
    Declaration = 0,
    /// A `///` doc comment.
    Documentation = 1,
    /// Declared in the bundled stdlib, or built into the language.
    DefaultLibrary = 2,
}

impl TokenModifier {
    pub const ALL: [TokenModifier; 3] = [
        TokenModifier::Declaration,
        TokenModifier::Documentation,
        TokenModifier::DefaultLibrary,
    ];

    pub fn bit(self) -> u32 {
        1 << self as u32
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub kind: TokenKind,
    pub modifiers: u32,
}

impl Analysis {
    /// Every classified token of `file`, in order and without overlaps.
    pub fn semantic_tokens(&self, file: FileId) -> Vec<SemanticToken> {
        let text = self.text(file);
        let lexed = lex(text);
        let refs: HashMap<usize, _> = self
            .index()
            .refs_in(file)
            .iter()
            .map(|r| (r.span.start, r))
            .collect();
        let token = |span, kind, modifiers| SemanticToken {
            span,
            kind,
            modifiers,
        };
        let mut out: Vec<SemanticToken> = Vec::new();
        out.extend(
            lexed
                .comments
                .iter()
                .map(|s| token(*s, TokenKind::Comment, 0)),
        );
        out.extend(
            lexed
                .doc_comments
                .iter()
                .map(|s| token(*s, TokenKind::Comment, TokenModifier::Documentation.bit())),
        );
        for &(start, tok, end) in &lexed.tokens {
            let span = Span::new(start, end);
            let kind = match tok {
                Tok::Ident => {
                    if let Some(r) = refs.get(&start) {
                        let def = self.index().def(r.def);
                        let mut m = 0;
                        if r.is_decl {
                            m |= TokenModifier::Declaration.bit();
                        }
                        if self.sources.get(def.file).origin == Origin::Stdlib {
                            m |= TokenModifier::DefaultLibrary.bit();
                        }
                        out.push(token(span, def_token(def.kind), m));
                    } else if Type::builtin(text.get(start..end).unwrap_or("")).is_some() {
                        out.push(token(
                            span,
                            TokenKind::Type,
                            TokenModifier::DefaultLibrary.bit(),
                        ));
                    }
                    continue;
                }
                t if t.is_operator() || t == Tok::Not => TokenKind::Operator,
                Tok::Str | Tok::RawStr | Tok::UnterminatedStr => TokenKind::String,
                Tok::Int => TokenKind::Number,
                t if t.is_keyword() => TokenKind::Keyword,
                _ => continue,
            };
            out.push(token(span, kind, 0));
        }
        out.sort_by_key(|t| t.span.start);
        out
    }
}

fn def_token(kind: DefKind) -> TokenKind {
    match kind {
        DefKind::Enum => TokenKind::Enum,
        DefKind::Variant => TokenKind::Variant,
        DefKind::Template => TokenKind::Type,
        DefKind::Field => TokenKind::Field,
        DefKind::Sensor => TokenKind::Sensor,
        DefKind::Channel => TokenKind::Channel,
        DefKind::Instance => TokenKind::Instance,
        DefKind::Test => TokenKind::String,
    }
}
