//! Tokens (logos) and the token stream the generated parser reads.
//!
//! Comments and doc comments never reach the parser: they are kept aside as trivia so the
//! parser's grammar stays small and a doc comment can never be a syntax error. Doc comments
//! are attached to the item that follows them after parsing (see `docs.rs`).

use logos::{Lexer, Logos};

use crate::Span;

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(error = LexErrorKind)]
#[logos(extras = RawClosings)]
pub enum Tok {
    #[regex(r"///[^\n]*", priority = 10, allow_greedy = true)]
    DocComment,
    #[regex(r"//[^\n]*", priority = 5, allow_greedy = true)]
    Comment,

    #[token("enum")]
    Enum,
    #[token("template")]
    Template,
    #[token("sensor")]
    Sensor,
    #[token("channel")]
    Channel,
    #[token("instance")]
    Instance,
    #[token("test")]
    Test,
    #[token("version")]
    Version,
    #[token("platform")]
    Platform,
    #[token("supplies")]
    Supplies,
    #[token("targets")]
    Targets,
    #[token("severity")]
    Severity,
    #[token("action")]
    Action,
    #[token("tags")]
    Tags,
    #[token("event")]
    Event,
    #[token("expect")]
    Expect,
    #[token("in")]
    In,
    #[token("not")]
    Not,
    #[token("glob")]
    Glob,
    #[token("matches")]
    Matches,
    #[token("contains")]
    Contains,
    #[token("starts_with")]
    StartsWith,
    #[token("ends_with")]
    EndsWith,
    #[token("within")]
    Within,
    #[token("true")]
    True,
    #[token("false")]
    False,

    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", priority = 1)]
    Ident,
    #[regex(r"[0-9][0-9_]*")]
    #[regex(r"0[xX][0-9A-Fa-f_]+")]
    Int,
    /// A string ends on its line (`\n` writes a line break), so a missing quote is
    /// reported on the line of the mistake, not wherever the next quote happens to be.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#)]
    Str,
    /// A string with no closing quote on its line: reported as an error, never parsed.
    #[regex(r#""([^"\\\n]|\\[^\n])*"#, callback = unterminated_string, allow_greedy = true)]
    UnterminatedStr,
    /// `r"..."` or `r#"..."#`; the callback finds the matching closing quote and hashes.
    #[regex(r#"r#*""#, raw_string)]
    RawStr,

    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token("=")]
    Assign,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("..=")]
    DotDotEq,
    #[token("-")]
    Minus,
}

/// Consumes the body of a raw string whose opening (`r`, hashes, quote) was just matched.
fn raw_string(lex: &mut Lexer<Tok>) -> Result<(), LexErrorKind> {
    let hashes = lex.slice().len() - 2;
    let from = lex.span().end;
    if lex.extras.may_close(from, hashes) {
        let closing: String = std::iter::once('"')
            .chain(std::iter::repeat_n('#', hashes))
            .collect();
        if let Some(end) = lex.remainder().find(&closing) {
            lex.bump(end + closing.len());
            return Ok(());
        }
        lex.extras.learn(lex.source());
    }
    // Swallow the rest of the line so the error is reported once.
    let line = lex.remainder().find('\n').unwrap_or(lex.remainder().len());
    lex.bump(line);
    Err(LexErrorKind::UnterminatedRawString)
}

/// Where raw strings can still close, learnt at the first one that never does.
///
/// Looking for a closing quote scans the rest of the file; a found one is consumed, so
/// those scans add up to the file once, but a file of many unclosed `r"` would scan the
/// rest of itself for each (quadratic). After the first miss the lexer knows, for every
/// `"` of the file, how many `#` follow it, and answers "can a raw string opened here
/// with this many hashes close?" by a binary search instead of a scan.
#[derive(Debug, Default)]
pub struct RawClosings {
    /// Each `"` by offset, with the most `#` following any `"` at or after it.
    quotes: Option<Vec<(usize, usize)>>,
}

impl RawClosings {
    /// Whether a `"` followed by at least `hashes` `#` exists at or after `from`; `true`
    /// while nothing is known yet.
    fn may_close(&self, from: usize, hashes: usize) -> bool {
        let Some(quotes) = &self.quotes else {
            return true;
        };
        let next = quotes.partition_point(|&(at, _)| at < from);
        quotes.get(next).is_some_and(|&(_, most)| most >= hashes)
    }

    fn learn(&mut self, src: &str) {
        if self.quotes.is_some() {
            return;
        }
        let bytes = src.as_bytes();
        let mut quotes: Vec<(usize, usize)> = bytes
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'"')
            .map(|(at, _)| {
                let run = bytes.get(at + 1..).unwrap_or_default();
                (at, run.iter().take_while(|&&b| b == b'#').count())
            })
            .collect();
        let mut most = 0;
        for (_, hashes) in quotes.iter_mut().rev() {
            most = most.max(*hashes);
            *hashes = most;
        }
        self.quotes = Some(quotes);
    }
}

fn unterminated_string(_: &mut Lexer<Tok>) -> Result<(), LexErrorKind> {
    Err(LexErrorKind::UnterminatedString)
}

/// Why a stretch of source is not a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LexErrorKind {
    #[default]
    UnknownCharacter,
    UnterminatedString,
    UnterminatedRawString,
}

impl Tok {
    /// How the token is written, for "expected ..." messages.
    pub fn describe(self) -> &'static str {
        match self {
            Tok::DocComment => "doc comment",
            Tok::Comment => "comment",
            Tok::Enum => "`enum`",
            Tok::Template => "`template`",
            Tok::Sensor => "`sensor`",
            Tok::Channel => "`channel`",
            Tok::Instance => "`instance`",
            Tok::Test => "`test`",
            Tok::Version => "`version`",
            Tok::Platform => "`platform`",
            Tok::Supplies => "`supplies`",
            Tok::Targets => "`targets`",
            Tok::Severity => "`severity`",
            Tok::Action => "`action`",
            Tok::Tags => "`tags`",
            Tok::Event => "`event`",
            Tok::Expect => "`expect`",
            Tok::In => "`in`",
            Tok::Not => "`not`",
            Tok::Glob => "`glob`",
            Tok::Matches => "`matches`",
            Tok::Contains => "`contains`",
            Tok::StartsWith => "`starts_with`",
            Tok::EndsWith => "`ends_with`",
            Tok::Within => "`within`",
            Tok::True => "`true`",
            Tok::False => "`false`",
            Tok::Ident => "a name",
            Tok::Int => "an integer",
            Tok::Str | Tok::RawStr | Tok::UnterminatedStr => "a string",
            Tok::LBrace => "`{`",
            Tok::RBrace => "`}`",
            Tok::LBracket => "`[`",
            Tok::RBracket => "`]`",
            Tok::Comma => "`,`",
            Tok::Colon => "`:`",
            Tok::Assign => "`=`",
            Tok::EqEq => "`==`",
            Tok::NotEq => "`!=`",
            Tok::Lt => "`<`",
            Tok::Le => "`<=`",
            Tok::Gt => "`>`",
            Tok::Ge => "`>=`",
            Tok::DotDotEq => "`..=`",
            Tok::Minus => "`-`",
        }
    }

    /// A token that is an operator by itself (`==`, `in`, `glob`, ...). `not` is not one:
    /// it only negates the operator after it.
    pub fn is_operator(self) -> bool {
        matches!(
            self,
            Tok::EqEq
                | Tok::NotEq
                | Tok::Lt
                | Tok::Le
                | Tok::Gt
                | Tok::Ge
                | Tok::In
                | Tok::Glob
                | Tok::Matches
                | Tok::Contains
                | Tok::StartsWith
                | Tok::EndsWith
                | Tok::Within
        )
    }

    /// Keywords are reserved: they cannot name a field, an instance or anything else.
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            Tok::Enum
                | Tok::Template
                | Tok::Sensor
                | Tok::Channel
                | Tok::Instance
                | Tok::Test
                | Tok::Version
                | Tok::Platform
                | Tok::Supplies
                | Tok::Targets
                | Tok::Severity
                | Tok::Action
                | Tok::Tags
                | Tok::Event
                | Tok::Expect
                | Tok::In
                | Tok::Not
                | Tok::Glob
                | Tok::Matches
                | Tok::Contains
                | Tok::StartsWith
                | Tok::EndsWith
                | Tok::Within
                | Tok::True
                | Tok::False
        )
    }
}

/// A token the lexer could not make sense of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LexError {
    pub kind: LexErrorKind,
    pub span: Span,
}

/// Everything the lexer saw, split into what the parser reads and what it does not.
#[derive(Debug, Default)]
pub struct Lexed {
    /// Tokens for the parser, as `(start, token, end)` byte offsets.
    pub tokens: Vec<(usize, Tok, usize)>,
    /// `//` comments, kept for the formatter.
    pub comments: Vec<Span>,
    /// `///` doc comments, attached to items after parsing.
    pub doc_comments: Vec<Span>,
    pub errors: Vec<LexError>,
}

/// Every token of `src` at once (the formatter, the IDE and small literals want them all).
pub fn lex(src: &str) -> Lexed {
    let mut stream = Tokens::new(src);
    let tokens = stream.by_ref().collect();
    Lexed {
        tokens,
        ..stream.into_trivia()
    }
}

/// The tokens the parser reads, lexed only as it asks for them, so a parse that stops
/// early (the per-file error cap) lexes no further. Comments, doc comments and lexing
/// errors met on the way are kept aside (see [`Tokens::into_trivia`]).
#[derive(Debug)]
pub struct Tokens<'s> {
    lexer: Lexer<'s, Tok>,
    /// Everything but `tokens`, which go to the caller.
    trivia: Lexed,
}

impl<'s> Tokens<'s> {
    pub fn new(src: &'s str) -> Self {
        let mut lexer = Tok::lexer(src);
        // A UTF-8 byte order mark, which Windows editors write, is not content.
        if src.starts_with('\u{feff}') {
            lexer.bump('\u{feff}'.len_utf8());
        }
        Tokens {
            lexer,
            trivia: Lexed::default(),
        }
    }

    /// The lexing errors met so far, in source order.
    pub fn errors(&self) -> &[LexError] {
        &self.trivia.errors
    }

    /// Comments, doc comments and errors met so far (`tokens` is empty).
    pub fn into_trivia(self) -> Lexed {
        self.trivia
    }
}

/// One thing the lexer met: a token for the parser, or a comment or an error (kept
/// aside) ending at the offset given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lexeme {
    Token((usize, Tok, usize)),
    Aside(Span),
}

impl Tokens<'_> {
    /// The next token, comment or error, recording the latter two.
    pub fn next_lexeme(&mut self) -> Option<Lexeme> {
        let out = &mut self.trivia;
        let tok = self.lexer.next()?;
        let range = self.lexer.span();
        let span = Span::new(range.start, range.end);
        Some(match tok {
            Ok(Tok::Comment) => {
                out.comments.push(span);
                Lexeme::Aside(span)
            }
            Ok(Tok::DocComment) => {
                out.doc_comments.push(span);
                Lexeme::Aside(span)
            }
            Ok(tok) => Lexeme::Token((range.start, tok, range.end)),
            Err(kind) => {
                // Neighbouring bad bytes make one error, not one per byte.
                match out.errors.last_mut() {
                    Some(last) if last.span.end == span.start && last.kind == kind => {
                        last.span.end = span.end;
                    }
                    _ => out.errors.push(LexError { kind, span }),
                }
                // An unterminated string is still a value to the parser, so the criterion
                // it ends is not reported a second time as a syntax error.
                match kind {
                    LexErrorKind::UnterminatedString => {
                        Lexeme::Token((range.start, Tok::Str, range.end))
                    }
                    LexErrorKind::UnterminatedRawString => {
                        Lexeme::Token((range.start, Tok::RawStr, range.end))
                    }
                    LexErrorKind::UnknownCharacter => Lexeme::Aside(span),
                }
            }
        })
    }
}

impl Iterator for Tokens<'_> {
    type Item = (usize, Tok, usize);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Lexeme::Token(token) = self.next_lexeme()? {
                return Some(token);
            }
        }
    }
}
