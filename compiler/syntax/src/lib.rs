//! Ward's syntax: tokens, grammar and the syntax tree with byte spans.
//!
//! Parsing never fails. [`parse`] returns a tree and a list of diagnostics, so the checker
//! (and the language server) can work on every item the parser could read.

pub mod ast;
mod code;
pub mod diagnostic;
mod docs;
pub mod lexer;
pub mod literal;
mod parser;

pub use code::Code;
pub use diagnostic::{Diagnostic, Fix, Label, Severity};
pub use parser::{parse, parse_capped, Parse, MAX_SYNTAX_ERRORS};

/// A half-open byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span that covers both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// Which file of a project a span belongs to; assigned by the project model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);
