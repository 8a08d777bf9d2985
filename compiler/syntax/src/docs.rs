//! Attaches `///` doc comments to the item, field, variant or instance that follows them.
//!
//! The lexer keeps doc comments out of the grammar, so a misplaced one is never a syntax
//! error; here a doc block belongs to a node when only white space separates them.

use crate::ast::{ChannelMember, Doc, Item, SourceFile, TemplateMember};
use crate::Span;

pub(crate) fn attach(file: &mut SourceFile, src: &str, doc_comments: &[Span]) {
    if doc_comments.is_empty() {
        return;
    }
    let doc_at = |start: usize| doc_before(src, doc_comments, start);
    for item in &mut file.items {
        match item {
            Item::Enum(e) => {
                e.doc = doc_at(e.span.start);
                for v in &mut e.variants {
                    v.doc = doc_at(v.span.start);
                }
            }
            Item::Template(t) => {
                t.doc = doc_at(t.span.start);
                for m in &mut t.members {
                    if let TemplateMember::Field(f) = m {
                        f.doc = doc_at(f.span.start);
                    }
                }
            }
            Item::Sensor(s) => s.doc = doc_at(s.span.start),
            Item::Channel(c) => {
                c.doc = doc_at(c.span.start);
                for m in &mut c.members {
                    if let ChannelMember::Instance(i) = m {
                        i.doc = doc_at(i.span.start);
                    }
                }
            }
            Item::Test(t) => t.doc = doc_at(t.span.start),
            Item::Error(_) => {}
        }
    }
}

/// The doc block that ends right before `start`, its lines joined with `\n`.
fn doc_before(src: &str, docs: &[Span], start: usize) -> Doc {
    let mut i = docs.partition_point(|d| d.end <= start);
    let mut lines = Vec::new();
    let mut next = start;
    while i > 0 {
        let d = docs[i - 1];
        let between = src.get(d.end..next).unwrap_or("x");
        if !between.trim().is_empty() {
            break;
        }
        let line = src.get(d.start + 3..d.end).unwrap_or("");
        lines.push(line.strip_prefix(' ').unwrap_or(line).trim_end());
        next = d.start;
        i -= 1;
    }
    lines.reverse();
    Doc {
        text: (!lines.is_empty()).then(|| lines.join("\n")),
    }
}
