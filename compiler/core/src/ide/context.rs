//! Where the cursor is, read from the tokens before it: the blocks that enclose it and
//! what the current member says so far. It reads tokens, not the tree, because the text
//! being typed is rarely complete enough to parse.

use ward_syntax::lexer::{lex, Tok};

use crate::Span;

/// The kind of `{ ... }` block around the cursor, with what it names so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    Top,
    Enum,
    Template,
    Sensor,
    /// The channel's `template` name, once given.
    Channel(Option<String>),
    /// The enclosing channel's template.
    Instance(Option<String>),
    /// The test's `channel` name, once given.
    Test(Option<String>),
    /// The enclosing test's channel.
    Event(Option<String>),
    Other,
}

/// A token before the cursor, with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Word {
    pub tok: Tok,
    pub text: String,
}

#[derive(Debug)]
pub(super) struct Context {
    pub block: Block,
    /// Inside `[ ... ]`: the member's words before the `[` and the names already listed.
    pub list: Option<(Vec<Word>, Vec<String>)>,
    /// The current member's words before the cursor (within the innermost block).
    pub before: Vec<Word>,
    /// The name or keyword being typed, which a completion replaces (empty at the cursor).
    pub word: Span,
}

enum Frame {
    Block(Block),
    List(Vec<Word>, Vec<String>),
}

/// The context at `offset`, or `None` inside a comment or a string.
pub(super) fn at(text: &str, offset: usize) -> Option<Context> {
    let lexed = lex(text);
    let inside = |s: &Span| s.start < offset && offset <= s.end;
    if lexed.comments.iter().chain(&lexed.doc_comments).any(inside) {
        return None;
    }
    let mut word = Span::new(offset, offset);
    let mut frames: Vec<Frame> = Vec::new();
    let mut segment: Vec<Word> = Vec::new();
    let mut last_end = 0;
    for &(start, tok, end) in &lexed.tokens {
        if start >= offset {
            break;
        }
        if end >= offset {
            match tok {
                Tok::Str | Tok::RawStr | Tok::UnterminatedStr if end > offset => return None,
                Tok::Str | Tok::RawStr | Tok::UnterminatedStr | Tok::Int => {}
                t if t == Tok::Ident || t.is_keyword() => {
                    word = Span::new(start, end);
                    break;
                }
                _ => {}
            }
        }
        let in_block = !matches!(frames.last(), Some(Frame::List(..)));
        if in_block
            && text
                .get(last_end..start)
                .is_some_and(|gap| gap.contains('\n'))
        {
            segment.clear();
        }
        last_end = end;
        let w = Word {
            tok,
            text: text.get(start..end).unwrap_or("").to_string(),
        };
        match tok {
            Tok::LBrace => {
                let block = open_block(current(&frames), &segment);
                frames.push(Frame::Block(block));
                segment.clear();
            }
            Tok::RBrace => {
                while let Some(f) = frames.pop() {
                    if matches!(f, Frame::Block(_)) {
                        break;
                    }
                }
                segment.clear();
            }
            Tok::LBracket => frames.push(Frame::List(segment.clone(), Vec::new())),
            Tok::RBracket => {
                if matches!(frames.last(), Some(Frame::List(..))) {
                    frames.pop();
                }
                segment.push(w);
            }
            Tok::Comma if matches!(current(&frames), Block::Event(_)) && in_block => {
                segment.clear();
            }
            _ => {
                if let Some(Frame::List(_, listed)) = frames.last_mut() {
                    if tok == Tok::Ident {
                        listed.push(w.text);
                    }
                    continue;
                }
                record_name(&mut frames, &segment, &w);
                segment.push(w);
            }
        }
    }
    let in_block = !matches!(frames.last(), Some(Frame::List(..)));
    if in_block
        && text
            .get(last_end..word.start)
            .is_some_and(|gap| gap.contains('\n'))
    {
        segment.clear();
    }
    let block = current(&frames);
    let list = match frames.pop() {
        Some(Frame::List(owner, listed)) => Some((owner, listed)),
        _ => None,
    };
    Some(Context {
        block,
        list,
        before: segment,
        word,
    })
}

/// The innermost block.
fn current(frames: &[Frame]) -> Block {
    frames
        .iter()
        .rev()
        .find_map(|f| match f {
            Frame::Block(b) => Some(b.clone()),
            Frame::List(..) => None,
        })
        .unwrap_or(Block::Top)
}

/// The block a `{` opens, from the words that precede it.
fn open_block(parent: Block, segment: &[Word]) -> Block {
    match (segment.first().map(|w| w.tok), parent) {
        (Some(Tok::Enum), Block::Top) => Block::Enum,
        (Some(Tok::Template), Block::Top) => Block::Template,
        (Some(Tok::Sensor), Block::Top) => Block::Sensor,
        (Some(Tok::Channel), Block::Top) => Block::Channel(None),
        (Some(Tok::Test), Block::Top) => Block::Test(None),
        (Some(Tok::Instance), Block::Channel(t)) => Block::Instance(t),
        (Some(Tok::Event), Block::Test(c)) => Block::Event(c),
        _ => Block::Other,
    }
}

/// Remembers a channel's `template T` and a test's `channel C` on their block.
fn record_name(frames: &mut [Frame], segment: &[Word], w: &Word) {
    if w.tok != Tok::Ident {
        return;
    }
    let Some(Frame::Block(block)) = frames.last_mut() else {
        return;
    };
    match (block, segment) {
        (
            Block::Channel(t),
            [Word {
                tok: Tok::Template, ..
            }],
        ) => *t = Some(w.text.clone()),
        (
            Block::Test(c),
            [Word {
                tok: Tok::Channel, ..
            }],
        ) => *c = Some(w.text.clone()),
        _ => {}
    }
}
