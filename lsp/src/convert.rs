//! The one place compiler values become protocol values: diagnostics, symbols,
//! completions, semantic tokens and locations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::Uri;
use ward_compiler::ide::{
    Analysis, Completion, CompletionKind, DefKind, FileSpan, SemanticToken, Symbol, TextEdit,
    TokenKind, TokenModifier,
};
use ward_compiler::sources::{Origin, Sources};
use ward_compiler::{Diagnostic, FileId, Severity, Span};

use crate::position::LineIndex;

/// URI scheme of the bundled stdlib's files when the server has no folder holding them
/// on disk; their text is then served by the `ward/stdlib` request.
pub const STDLIB_SCHEME: &str = "ward-stdlib";

/// The prefix of the stdlib's source names (`<stdlib>/windows.ward`).
const STDLIB_PREFIX: &str = "<stdlib>/";

/// Where each diagnostic code is explained, unless the client says otherwise: the page
/// SARIF links to as well.
pub const DIAGNOSTICS_DOCS: &str = ward_compiler::render::DOCS_URL;

/// How sources and URIs map to each other: project files by their path, the stdlib's in
/// the folder its copy was written to (`file:` URIs every client opens), or, without
/// one, as `ward-stdlib:` URIs.
#[derive(Debug, Clone, Copy)]
pub struct Uris<'a> {
    pub stdlib_dir: Option<&'a Path>,
}

impl Uris<'_> {
    /// The URI of a source.
    pub fn uri(self, sources: &Sources, file: FileId) -> Option<Uri> {
        let src = sources.get(file);
        match (&src.path, src.origin) {
            (Some(path), _) => Uri::from_file_path(path),
            (None, Origin::Stdlib) => {
                let name = src.name.trim_start_matches(STDLIB_PREFIX);
                match self.stdlib_dir {
                    Some(dir) => Uri::from_file_path(dir.join(name)),
                    None => Uri::from_str(&format!("{STDLIB_SCHEME}:///{name}")).ok(),
                }
            }
            (None, _) => None,
        }
    }

    /// The source a URI names.
    pub fn file_of(self, sources: &Sources, uri: &Uri) -> Option<FileId> {
        if scheme(uri) == STDLIB_SCHEME {
            return stdlib_file(sources, uri.path().as_str().trim_start_matches('/'));
        }
        let path = path_of(uri)?;
        if let Some(name) = self.stdlib_name(&path) {
            return stdlib_file(sources, &name);
        }
        sources.find_path(&path).map(|s| s.id)
    }

    /// The stdlib file's name if `path` is in the stdlib's folder.
    pub fn stdlib_name(self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(self.stdlib_dir?).ok()?;
        Some(rel.to_str()?.replace('\\', "/"))
    }
}

fn stdlib_file(sources: &Sources, name: &str) -> Option<FileId> {
    let name = format!("{STDLIB_PREFIX}{name}");
    sources.iter().find(|s| s.name == name).map(|s| s.id)
}

fn scheme(uri: &Uri) -> &str {
    uri.scheme().as_str()
}

/// Line indexes of the files one conversion touches, made once each.
pub struct Lines<'a> {
    sources: &'a Sources,
    uris: Uris<'a>,
    cache: HashMap<FileId, LineIndex<'a>>,
}

impl<'a> Lines<'a> {
    pub fn new(sources: &'a Sources, uris: Uris<'a>) -> Self {
        Lines {
            sources,
            uris,
            cache: HashMap::new(),
        }
    }

    pub fn get(&mut self, file: FileId) -> &LineIndex<'a> {
        let sources = self.sources;
        self.cache
            .entry(file)
            .or_insert_with(|| LineIndex::new(&sources.get(file).text))
    }

    pub fn range(&mut self, file: FileId, span: Span) -> lsp::Range {
        self.get(file).range(span)
    }

    pub fn uri(&self, file: FileId) -> Option<Uri> {
        self.uris.uri(self.sources, file)
    }

    pub fn location(&mut self, at: FileSpan) -> Option<lsp::Location> {
        let uri = self.uri(at.file)?;
        Some(lsp::Location::new(uri, self.range(at.file, at.span)))
    }
}

/// Every file's diagnostics, clean files included (with none), keyed by URI.
pub fn diagnostics(
    analysis: &Analysis,
    uris: Uris,
    docs: &str,
) -> Vec<(Uri, Vec<lsp::Diagnostic>)> {
    let sources = analysis.sources();
    let mut lines = Lines::new(sources, uris);
    let mut by_file: Vec<(FileId, Vec<lsp::Diagnostic>)> = sources
        .iter()
        .filter(|s| s.origin != Origin::Stdlib)
        .map(|s| (s.id, Vec::new()))
        .collect();
    for d in analysis.diagnostics() {
        let Some(at) = d.location() else { continue };
        let converted = diagnostic(d, &mut lines, docs);
        match by_file.iter_mut().find(|(f, _)| *f == at.file) {
            Some((_, list)) => list.push(converted),
            None => by_file.push((at.file, vec![converted])),
        }
    }
    by_file
        .into_iter()
        .filter_map(|(f, list)| Some((lines.uri(f)?, list)))
        .collect()
}

pub fn diagnostic(d: &Diagnostic, lines: &mut Lines, docs: &str) -> lsp::Diagnostic {
    let range = d
        .location()
        .map(|l| lines.range(l.file, l.span))
        .unwrap_or_default();
    let mut message = d.message.clone();
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .filter_map(|l| {
            Some(lsp::DiagnosticRelatedInformation {
                location: lines.location(FileSpan {
                    file: l.file,
                    span: l.span,
                })?,
                message: l.message.clone(),
            })
        })
        .collect();
    let code = d.code.as_str();
    lsp::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(code.to_string())),
        code_description: Uri::from_str(&format!("{docs}#{}", code.to_lowercase()))
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some("ward".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

pub fn workspace_edit(lines: &mut Lines, edits: &[TextEdit]) -> lsp::WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for e in edits {
        if let Some(uri) = lines.uri(e.file) {
            let range = lines.range(e.file, e.span);
            changes
                .entry(uri)
                .or_default()
                .push(lsp::TextEdit::new(range, e.text.clone()));
        }
    }
    lsp::WorkspaceEdit::new(changes)
}

pub fn completion(c: Completion, range: lsp::Range) -> lsp::CompletionItem {
    let kind = match c.kind {
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::Operator => lsp::CompletionItemKind::OPERATOR,
        CompletionKind::Type => lsp::CompletionItemKind::TYPE_PARAMETER,
        CompletionKind::Template => lsp::CompletionItemKind::STRUCT,
        CompletionKind::Enum => lsp::CompletionItemKind::ENUM,
        CompletionKind::Variant => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Field => lsp::CompletionItemKind::FIELD,
        CompletionKind::Sensor => lsp::CompletionItemKind::MODULE,
        CompletionKind::Channel => lsp::CompletionItemKind::CLASS,
        CompletionKind::Instance => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Value => lsp::CompletionItemKind::VALUE,
    };
    lsp::CompletionItem {
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
            range,
            c.label.clone(),
        ))),
        label: c.label,
        kind: Some(kind),
        detail: c.detail,
        documentation: c.documentation.map(|value| {
            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value,
            })
        }),
        ..Default::default()
    }
}

pub fn symbol_kind(kind: DefKind) -> lsp::SymbolKind {
    match kind {
        DefKind::Enum => lsp::SymbolKind::ENUM,
        DefKind::Variant => lsp::SymbolKind::ENUM_MEMBER,
        DefKind::Template => lsp::SymbolKind::STRUCT,
        DefKind::Field => lsp::SymbolKind::FIELD,
        DefKind::Sensor => lsp::SymbolKind::MODULE,
        DefKind::Channel => lsp::SymbolKind::CLASS,
        DefKind::Instance => lsp::SymbolKind::OBJECT,
        DefKind::Test => lsp::SymbolKind::EVENT,
    }
}

// `deprecated` is a required field of the protocol's struct, superseded by `tags`.
#[allow(deprecated)]
pub fn document_symbol(s: Symbol, lines: &LineIndex) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: s.name,
        detail: Some(s.detail),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: lines.range(s.location.span),
        selection_range: lines.range(s.name_span.span),
        children: Some(
            s.children
                .into_iter()
                .map(|c| document_symbol(c, lines))
                .collect(),
        ),
    }
}

#[allow(deprecated)]
pub fn symbol_information(s: Symbol, lines: &mut Lines) -> Option<lsp::SymbolInformation> {
    Some(lsp::SymbolInformation {
        location: lines.location(s.name_span)?,
        name: s.name,
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        container_name: s.container,
    })
}

pub fn token_legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TokenKind::ALL.iter().map(|k| token_type(*k)).collect(),
        token_modifiers: TokenModifier::ALL
            .iter()
            .map(|m| match m {
                TokenModifier::Declaration => lsp::SemanticTokenModifier::DECLARATION,
                TokenModifier::Documentation => lsp::SemanticTokenModifier::DOCUMENTATION,
                TokenModifier::DefaultLibrary => lsp::SemanticTokenModifier::DEFAULT_LIBRARY,
            })
            .collect(),
    }
}

fn token_type(kind: TokenKind) -> lsp::SemanticTokenType {
    match kind {
        TokenKind::Keyword => lsp::SemanticTokenType::KEYWORD,
        TokenKind::Operator => lsp::SemanticTokenType::OPERATOR,
        TokenKind::Comment => lsp::SemanticTokenType::COMMENT,
        TokenKind::String => lsp::SemanticTokenType::STRING,
        TokenKind::Number => lsp::SemanticTokenType::NUMBER,
        TokenKind::Type => lsp::SemanticTokenType::TYPE,
        TokenKind::Enum => lsp::SemanticTokenType::ENUM,
        TokenKind::Variant => lsp::SemanticTokenType::ENUM_MEMBER,
        TokenKind::Field => lsp::SemanticTokenType::PROPERTY,
        TokenKind::Sensor => lsp::SemanticTokenType::NAMESPACE,
        TokenKind::Channel => lsp::SemanticTokenType::CLASS,
        TokenKind::Instance => lsp::SemanticTokenType::VARIABLE,
    }
}

/// Tokens in the protocol's relative encoding. A token spanning lines (a multi-line
/// string) is cut into one token per line, as clients without multi-line support need.
pub fn semantic_tokens(tokens: &[SemanticToken], text: &str) -> Vec<lsp::SemanticToken> {
    let lines = LineIndex::new(text);
    let mut out = Vec::with_capacity(tokens.len());
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for t in tokens {
        let kind = TokenKind::ALL
            .iter()
            .position(|k| *k == t.kind)
            .unwrap_or(0);
        let mut start = t.span.start;
        for piece in text.get(t.span.start..t.span.end).unwrap_or("").split('\n') {
            let pos = lines.position(start);
            let length: usize = piece.trim_end_matches('\r').encode_utf16().count();
            start += piece.len() + 1;
            if length == 0 {
                continue;
            }
            let delta_line = pos.line - prev_line;
            let delta_start = if delta_line == 0 {
                pos.character - prev_col
            } else {
                pos.character
            };
            out.push(lsp::SemanticToken {
                delta_line,
                delta_start,
                length: u32::try_from(length).unwrap_or(u32::MAX),
                token_type: u32::try_from(kind).unwrap_or(0),
                token_modifiers_bitset: t.modifiers,
            });
            (prev_line, prev_col) = (pos.line, pos.character);
        }
    }
    out
}

/// The path of a `file:` URI.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    if scheme(uri) != "file" {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}
