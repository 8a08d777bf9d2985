//! Runs the generated parser over the lexer's tokens and turns every problem into a
//! diagnostic. It never fails: the worst input yields an empty file and diagnostics.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use lalrpop_util::{ErrorRecovery, ParseError};

use crate::ast::{IntLit, SourceFile, StrLit};
use crate::lexer::{self, LexErrorKind, Lexeme, Tok};
use crate::{docs, literal, Code, Diagnostic, FileId, Span};

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        unused_qualifications,
        missing_debug_implementations
    )]
    grammar
);

/// Collects what the grammar's actions find wrong while the parse goes on.
#[derive(Debug, Default)]
pub struct Sink {
    recovered: Vec<ParseError<usize, Tok, lexer::LexError>>,
    /// Mistakes in literals, grouped by literal: one diagnostic each.
    literal_errors: Vec<Vec<(Span, String)>>,
    /// What the token stream reads to know when the cap is reached.
    tally: Rc<Tally>,
}

/// The mistakes the grammar's actions recorded so far, as the token stream sees them.
#[derive(Debug, Default)]
struct Tally {
    /// Where each recovered syntax error starts, in the order recorded.
    syntax: RefCell<Vec<usize>>,
    literals: Cell<usize>,
}

impl Sink {
    /// Records a recovered syntax error; returns the span the error node covers.
    pub(crate) fn recover(&mut self, e: ErrorRecovery<usize, Tok, lexer::LexError>) -> Span {
        let start = error_span(&e.error).start;
        let end = e
            .dropped_tokens
            .last()
            .map_or(error_span(&e.error).end, |(_, _, end)| *end);
        self.recovered.push(e.error);
        self.tally.syntax.borrow_mut().push(start);
        Span::new(start, end.max(start))
    }

    pub(crate) fn int(&mut self, src: &str, start: usize, end: usize) -> IntLit {
        let value = literal::int(&src[start..end]);
        let span = Span::new(start, end);
        if value.is_none() {
            self.tally.literals.set(self.tally.literals.get() + 1);
            self.literal_errors.push(vec![(
                span,
                "integer literal is too large for any Ward type".into(),
            )]);
        }
        IntLit { value, span }
    }

    pub(crate) fn string(&mut self, src: &str, start: usize, end: usize) -> StrLit {
        let (value, errors) = literal::string(&src[start..end]);
        if !errors.is_empty() {
            self.tally.literals.set(self.tally.literals.get() + 1);
            self.literal_errors.push(
                errors
                    .into_iter()
                    .map(|e| (Span::new(start + e.start, start + e.end), e.message))
                    .collect(),
            );
        }
        StrLit {
            value,
            raw: false,
            span: Span::new(start, end),
        }
    }

    pub(crate) fn raw_string(&mut self, src: &str, start: usize, end: usize) -> StrLit {
        StrLit {
            value: literal::raw_string(&src[start..end]),
            raw: true,
            span: Span::new(start, end),
        }
    }
}

/// The result of parsing one file.
#[derive(Debug)]
pub struct Parse {
    pub file: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    /// `//` comments, for the formatter.
    pub comments: Vec<Span>,
    /// Where reading stopped, when the file has more mistakes than are reported: the
    /// start of the first line not read (nothing from there on was lexed or parsed).
    pub stopped_at: Option<usize>,
}

/// A member list of a block at its length: the parser grows it by doubling, and the
/// tree is kept for the whole check (the checker and the language server read it), so a
/// channel of 5,000 instances would otherwise hold room for 8,192, and each instance
/// room for 8 members where it has 5 (docs/performance.md, the compiler's memory).
pub(crate) fn fitted<T>(mut members: Vec<T>) -> Vec<T> {
    members.shrink_to_fit();
    members
}

pub fn parse(file: FileId, src: &str) -> Parse {
    parse_capped(file, src, MAX_SYNTAX_ERRORS)
}

/// [`parse`] reporting at most `cap` syntax diagnostics. Once more than `cap` mistakes
/// are known on the lines read, reading stops at the next line: the first `cap`
/// diagnostics are those an unbounded parse gives (a test holds the two together), and
/// the work is bounded by the mistakes shown, not by the file.
#[doc(hidden)]
pub fn parse_capped(file: FileId, src: &str, cap: usize) -> Parse {
    let mut sink = Sink::default();
    let mut stream = Capped::new(src, cap, sink.tally.clone());
    let result = grammar::FileParser::new().parse(src, &mut sink, &mut stream);
    let mut tree = match result {
        Ok(tree) => tree,
        Err(e) => {
            // Recovery reaches the top level for any error, so this is only a safety net.
            sink.recovered.push(e);
            SourceFile { items: Vec::new() }
        }
    };
    let (lines, stopped_at, mut lexed) = stream.finish();
    if let Some(cut) = stopped_at {
        // What was met past the cut is not reported, and the end of the input the parser
        // saw there is not the end of the file.
        lexed.errors.retain(|e| e.span.start < cut);
        lexed.comments.retain(|c| c.start < cut);
        lexed.doc_comments.retain(|c| c.start < cut);
        sink.recovered.retain(|e| {
            !matches!(e, ParseError::UnrecognizedEof { .. }) && error_span(e).start < cut
        });
    }
    // Recovery can trip again on the tokens right after a mistake; one error per line is
    // what a person can act on, so a line that already has one gets no other. Lines come
    // from a table of line starts (a binary search each) and the lines already reported
    // from a set, so a file of many mistakes costs no more than it has mistakes.
    let mut reported: HashSet<usize> = lexed
        .errors
        .iter()
        .map(|e| lines.line_of(e.span.start))
        .collect();
    // Every mistake by where it starts; only the first `cap` become diagnostics (each
    // costs allocations), the rest are counted.
    let mut found: Vec<(usize, Found)> = lexed
        .errors
        .iter()
        .map(|e| (e.span.start, Found::Lex(e)))
        .collect();
    for e in &sink.recovered {
        let at = error_span(e).start;
        if reported.insert(lines.line_of(at)) {
            found.push((at, Found::Syntax(e)));
        }
    }
    found.extend(sink.literal_errors.into_iter().map(|errors| {
        let at = errors.first().map_or(0, |(span, _)| span.start);
        (at, Found::Literal(errors))
    }));
    let total = found.len();
    if total > cap {
        found.sort_by_key(|(at, _)| *at);
        found.truncate(cap);
    }
    let mut diagnostics: Vec<Diagnostic> = found
        .into_iter()
        .map(|(_, f)| match f {
            Found::Lex(e) => lex_diagnostic(file, src, e),
            Found::Syntax(e) => syntax_diagnostic(file, src, e),
            Found::Literal(errors) => literal_diagnostic(file, errors),
        })
        .collect();
    let rest = total.saturating_sub(cap);
    if let (true, Some(last)) = (rest > 0, diagnostics.last_mut()) {
        last.notes.push(match stopped_at {
            Some(cut) => format!(
                "more syntax errors follow: reading stopped at line {} of {}, so the rest of the file is not checked; fix these first",
                lines.line_of(cut) + 1,
                src.lines().count().max(1),
            ),
            None => format!(
                "{rest} more syntax error{} after this one in the file {} not reported: fix these first",
                if rest == 1 { "" } else { "s" },
                if rest == 1 { "is" } else { "are" },
            ),
        });
    }
    docs::attach(&mut tree, src, &lexed.doc_comments);
    Parse {
        file: tree,
        diagnostics,
        comments: lexed.comments,
        stopped_at,
    }
}

/// At most this many syntax diagnostics are kept per file. Past a few dozen mistakes the
/// rest are nearly always the same one again (a generated or binary file, a wrong
/// encoding), and each costs the checker, the renderer and the language server work.
pub const MAX_SYNTAX_ERRORS: usize = 200;

/// A mistake the lexer or the parser found, made into a diagnostic only if it is shown.
enum Found<'a> {
    Lex(&'a lexer::LexError),
    Syntax(&'a ParseError<usize, Tok, lexer::LexError>),
    Literal(Vec<(Span, String)>),
}

/// The parser's token stream, which ends early once the lines read hold more than `cap`
/// mistakes.
///
/// It looks only at line boundaries: before the first token of a new line, every
/// mistake on the lines before it is known (the lexer is past them, and the parser
/// records an error only at a token it was given), and none after it can sort before
/// them. So if they are more than `cap`, the first `cap` are final and the stream ends
/// there. The count is the one [`parse_capped`] makes: lexing errors, one syntax error per
/// line without a lexing error, and literal errors.
struct Capped<'s> {
    src: &'s str,
    tokens: lexer::Tokens<'s>,
    cap: usize,
    tally: Rc<Tally>,
    /// Line starts up to `end`.
    lines: LineStarts,
    /// Where the last thing lexed ends.
    end: usize,
    /// Lines holding a counted syntax error, and how many recorded errors were looked at.
    syntax_lines: HashSet<usize>,
    syntax_seen: usize,
    stopped_at: Option<usize>,
}

impl<'s> Capped<'s> {
    fn new(src: &'s str, cap: usize, tally: Rc<Tally>) -> Self {
        Capped {
            src,
            tokens: lexer::Tokens::new(src),
            cap,
            tally,
            lines: LineStarts(vec![0]),
            end: 0,
            syntax_lines: HashSet::new(),
            syntax_seen: 0,
            stopped_at: None,
        }
    }

    /// Records the line starts in `src[self.end..to]`.
    fn advance(&mut self, to: usize) {
        let from = self.end;
        if let Some(text) = self.src.get(from..to) {
            self.lines
                .0
                .extend(text.match_indices('\n').map(|(i, _)| from + i + 1));
        }
        self.end = to;
    }

    /// Whether more than `cap` mistakes are known before `cut`, the start of the line
    /// after everything lexed so far.
    fn over_cap(&mut self, cut: usize) -> bool {
        let errors = self.tokens.errors();
        let lex = errors.partition_point(|e| e.span.start < cut);
        let syntax = self.tally.syntax.borrow();
        for &at in syntax.iter().skip(self.syntax_seen) {
            let line = self.lines.line_of(at);
            // Every line lexed ends at or before `cut`.
            let (start, end) = (self.lines.start(line), self.lines.start(line + 1).min(cut));
            let next_lex = errors.partition_point(|e| e.span.start < start);
            let lex_on_line = errors.get(next_lex).is_some_and(|e| e.span.start < end);
            if !lex_on_line {
                self.syntax_lines.insert(line);
            }
        }
        self.syntax_seen = syntax.len();
        lex + self.syntax_lines.len() + self.tally.literals.get() > self.cap
    }

    /// The line table (of the whole file when it was read to the end), where reading
    /// stopped, and the trivia and lexing errors met.
    fn finish(mut self) -> (LineStarts, Option<usize>, lexer::Lexed) {
        if self.stopped_at.is_none() {
            self.advance(self.src.len());
        }
        (self.lines, self.stopped_at, self.tokens.into_trivia())
    }
}

impl Iterator for Capped<'_> {
    type Item = (usize, Tok, usize);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.stopped_at.is_some() {
                return None;
            }
            let lexeme = self.tokens.next_lexeme()?;
            let (start, end) = match lexeme {
                Lexeme::Token((start, _, end)) => (start, end),
                Lexeme::Aside(span) => (span.start, span.end),
            };
            // Checked before anything on a new line is counted or given out (an error
            // just met there is left out by its offset).
            let gap = self.src.get(self.end..start).unwrap_or("");
            if let Some(newline) = gap.find('\n') {
                let cut = self.end + newline + 1;
                if self.over_cap(cut) {
                    self.stopped_at = Some(cut);
                    self.advance(cut);
                    return None;
                }
            }
            self.advance(end);
            if let Lexeme::Token(token) = lexeme {
                return Some(token);
            }
        }
    }
}

/// The byte offset where each line starts, for line numbers in logarithmic time.
struct LineStarts(Vec<usize>);

impl LineStarts {
    /// The 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.0
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// Where the 0-based `line` starts; past the last known line, the end of everything.
    fn start(&self, line: usize) -> usize {
        self.0.get(line).copied().unwrap_or(usize::MAX)
    }
}

/// One diagnostic per literal, whatever number of bad escapes it holds.
fn literal_diagnostic(file: FileId, errors: Vec<(Span, String)>) -> Diagnostic {
    let mut labels = errors.into_iter();
    let (span, message) = labels.next().unwrap_or_default();
    let mut d = Diagnostic::new(Code::InvalidLiteral, message.clone()).primary(file, span, message);
    for (span, message) in labels {
        d = d.secondary(file, span, message);
    }
    if d.message.starts_with("unknown escape") {
        d = d.help("in a normal string `\\` starts an escape; write Windows paths and regexes as raw strings, r\"C:\\Windows\"");
    }
    d
}

fn error_span(e: &ParseError<usize, Tok, lexer::LexError>) -> Span {
    match e {
        ParseError::InvalidToken { location } => Span::new(*location, *location),
        ParseError::UnrecognizedEof { location, .. } => Span::new(*location, *location),
        ParseError::UnrecognizedToken {
            token: (l, _, r), ..
        }
        | ParseError::ExtraToken { token: (l, _, r) } => Span::new(*l, *r),
        ParseError::User { error } => error.span,
    }
}

/// At most this many characters of the source are quoted in a message, so a mistake in a
/// huge token (a generated line, a run of binary bytes) does not print all of it.
const QUOTED: usize = 40;

/// `text`, cut to [`QUOTED`] characters with `…` when longer.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(QUOTED) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn lex_diagnostic(file: FileId, src: &str, e: &lexer::LexError) -> Diagnostic {
    let text = excerpt(src.get(e.span.start..e.span.end).unwrap_or(""));
    let (message, label) = match e.kind {
        LexErrorKind::UnknownCharacter => (
            format!(
                "unexpected character{} `{}`",
                if text.chars().count() > 1 { "s" } else { "" },
                text.escape_debug()
            ),
            "not part of any token",
        ),
        LexErrorKind::UnterminatedString => (
            "unterminated string".to_string(),
            "this string has no closing `\"` on its line",
        ),
        LexErrorKind::UnterminatedRawString => (
            "unterminated raw string".to_string(),
            "this raw string is never closed",
        ),
    };
    let d = Diagnostic::new(Code::InvalidToken, message).primary(file, e.span, label);
    if e.kind == LexErrorKind::UnterminatedString {
        return d.help(
            "close the string on the line where it begins; write `\\n` for a line break inside it",
        );
    }
    d
}

fn syntax_diagnostic(
    file: FileId,
    src: &str,
    e: &ParseError<usize, Tok, lexer::LexError>,
) -> Diagnostic {
    let span = error_span(e);
    let (found, expected, keyword) = match e {
        ParseError::UnrecognizedToken {
            token: (l, tok, r),
            expected,
        } => (
            format!("`{}`", excerpt(src.get(*l..*r).unwrap_or("?"))),
            expected.as_slice(),
            tok.is_keyword(),
        ),
        ParseError::UnrecognizedEof { expected, .. } => {
            ("end of file".to_string(), expected.as_slice(), false)
        }
        ParseError::ExtraToken { token: (l, _, r) } => (
            format!("`{}`", excerpt(src.get(*l..*r).unwrap_or("?"))),
            &[][..],
            false,
        ),
        ParseError::InvalidToken { .. } | ParseError::User { .. } => {
            ("an invalid token".to_string(), &[][..], false)
        }
    };
    let expected = describe_expected(expected);
    let message = match &expected {
        Some(list) => format!("expected {list}, found {found}"),
        None => format!("unexpected {found}"),
    };
    let label = match &expected {
        Some(list) => format!("expected {list}"),
        None => "unexpected here".to_string(),
    };
    let mut d = Diagnostic::new(Code::SyntaxError, message).primary(file, span, label);
    let wants_name_only = expected.as_deref().is_some_and(|e| {
        e.contains("a name") && !e.contains("a string") && !e.contains("an integer")
    });
    // A word that begins a declaration or an instance, met where a member was expected,
    // is nearly always the next declaration after a missing `}`, not a misused name.
    let begins_block = [
        "`instance`",
        "`channel`",
        "`template`",
        "`sensor`",
        "`enum`",
        "`test`",
    ]
    .contains(&found.as_str());
    if keyword && begins_block && expected.as_deref().is_some_and(|e| e.contains("`}`")) {
        d = d.help(format!("is a `}}` missing before this {found}?"));
    } else if keyword && wants_name_only {
        d = d.note(format!(
            "{found} is a reserved word of the language and cannot be used as a name"
        ));
    }
    d
}

/// Turns the grammar's terminal names into words, shortest list first.
fn describe_expected(expected: &[String]) -> Option<String> {
    let mut words: Vec<String> = expected
        .iter()
        .map(|t| match t.as_str() {
            "IDENT" => "a name".to_string(),
            "INT" => "an integer".to_string(),
            "STR" | "RAWSTR" => "a string".to_string(),
            other => format!("`{}`", other.trim_matches('"')),
        })
        .collect();
    words.dedup();
    words.sort();
    words.dedup();
    match words.len() {
        0 => None,
        1 => words.pop(),
        n if n <= 6 => {
            let last = words.pop().unwrap_or_default();
            Some(format!("{} or {last}", words.join(", ")))
        }
        _ => Some(format!("one of {}", words.join(", "))),
    }
}
