//! Runs the generated parser over the lexer's tokens and turns every problem into a
//! diagnostic. It never fails: the worst input yields an empty file and diagnostics.

use std::collections::HashSet;

use lalrpop_util::{ErrorRecovery, ParseError};

use crate::ast::{IntLit, SourceFile, StrLit};
use crate::lexer::{self, LexErrorKind, Tok};
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
        Span::new(start, end.max(start))
    }

    pub(crate) fn int(&mut self, src: &str, start: usize, end: usize) -> IntLit {
        let value = literal::int(&src[start..end]);
        let span = Span::new(start, end);
        if value.is_none() {
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
}

pub fn parse(file: FileId, src: &str) -> Parse {
    let lexed = lexer::lex(src);
    let mut sink = Sink::default();
    let result = grammar::FileParser::new().parse(src, &mut sink, lexed.tokens.iter().copied());
    let mut tree = match result {
        Ok(tree) => tree,
        Err(e) => {
            // Recovery reaches the top level for any error, so this is only a safety net.
            sink.recovered.push(e);
            SourceFile { items: Vec::new() }
        }
    };
    // Recovery can trip again on the tokens right after a mistake; one error per line is
    // what a person can act on, so a line that already has one gets no other. Lines come
    // from a table of line starts (a binary search each) and the lines already reported
    // from a set, so a file of many mistakes costs no more than it has mistakes.
    let lines = LineStarts::new(src);
    let mut reported: HashSet<usize> = lexed
        .errors
        .iter()
        .map(|e| lines.line_of(e.span.start))
        .collect();
    // Every mistake by where it starts; only the first MAX_SYNTAX_ERRORS become
    // diagnostics (each costs allocations), the rest are counted.
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
    if total > MAX_SYNTAX_ERRORS {
        found.sort_by_key(|(at, _)| *at);
        found.truncate(MAX_SYNTAX_ERRORS);
    }
    let mut diagnostics: Vec<Diagnostic> = found
        .into_iter()
        .map(|(_, f)| match f {
            Found::Lex(e) => lex_diagnostic(file, src, e),
            Found::Syntax(e) => syntax_diagnostic(file, src, e),
            Found::Literal(errors) => literal_diagnostic(file, errors),
        })
        .collect();
    if let (Some(rest), Some(last)) = (
        total.checked_sub(MAX_SYNTAX_ERRORS).filter(|r| *r > 0),
        diagnostics.last_mut(),
    ) {
        last.notes.push(format!(
            "{rest} more syntax error{} after this one in the file {} not reported: fix these first",
            if rest == 1 { "" } else { "s" },
            if rest == 1 { "is" } else { "are" },
        ));
    }
    docs::attach(&mut tree, src, &lexed.doc_comments);
    Parse {
        file: tree,
        diagnostics,
        comments: lexed.comments,
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

/// The byte offset where each line starts, for line numbers in logarithmic time.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(src: &str) -> Self {
        LineStarts(
            std::iter::once(0)
                .chain(src.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    /// The 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.0
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
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
