//! Property: the language server's work on arbitrary edit sequences never panics. Each
//! edit is an LSP range in UTF-16 positions (any line and character, in or out of the
//! text) applied through the server's own `LineIndex`, as `didChange` applies it; after
//! each, the project is re-analysed with the stdlib and every feature is asked at a
//! position taken from the input, and the diagnostics are converted to the protocol. Every
//! position the server would send back lies inside the text, and position and offset
//! conversions round-trip on character boundaries (but inside a `\r\n` line end).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tower_lsp_server::ls_types::{Position, Range};
use ward_compiler::ide::Analysis;
use ward_compiler::project::stdlib_sources;
use ward_compiler::sources::Origin;
use ward_compiler::Span;
use ward_lsp::LineIndex;

#[derive(Debug, Arbitrary)]
struct Edit {
    start: (u8, u8),
    end: (u8, u8),
    text: String,
    /// Where to ask every feature afterwards, as a position.
    probe: (u8, u8),
    rename_to: String,
}

#[derive(Debug, Arbitrary)]
struct Session {
    initial: String,
    edits: Vec<Edit>,
}

fn position((line, character): (u8, u8)) -> Position {
    Position::new(u32::from(line), u32::from(character))
}

fuzz_target!(|session: Session| {
    let mut text = session.initial;
    for edit in session.edits.iter().take(8) {
        let span = LineIndex::new(&text).span(Range::new(position(edit.start), position(edit.end)));
        assert!(span.start <= span.end && span.end <= text.len());
        text.replace_range(span.start..span.end, &edit.text);

        let mut sources = stdlib_sources();
        let file = sources.add("fuzz.ward", None, text.as_str(), Origin::Project);
        let analysis = Analysis::new(sources, Vec::new());
        let index = LineIndex::new(&text);
        let offset = index.offset(position(edit.probe));
        assert!(offset <= text.len() && text.is_char_boundary(offset));
        // Every offset round-trips but one inside a `\r\n` line end, which is clamped to
        // the line's end.
        let inside_crlf = offset > 0
            && text.as_bytes().get(offset - 1) == Some(&b'\r')
            && text.as_bytes().get(offset) == Some(&b'\n');
        if !inside_crlf {
            assert_eq!(index.offset(index.position(offset)), offset, "positions round-trip");
        }

        let inside = |s: Span| s.start <= s.end && s.end <= text.len();
        let _ = analysis.hover(file, offset);
        let completions = analysis.completions(file, offset);
        assert!(inside(completions.span));
        if let Some(def) = analysis.definition(file, offset) {
            if def.file == file {
                assert!(inside(def.span));
            }
        }
        for r in analysis.references(file, offset, true) {
            if r.file == file {
                assert!(inside(r.span));
            }
        }
        let _ = analysis.prepare_rename(file, offset);
        let _ = analysis.rename(file, offset, &edit.rename_to);
        let _ = analysis.document_symbols(file);
        let _ = analysis.workspace_symbols(&edit.rename_to);
        let _ = analysis.semantic_tokens(file);
        let whole = Span::new(0, text.len());
        let _ = analysis.inlay_hints(file, whole);
        let _ = analysis.code_actions(file, whole);
        let uris = ward_lsp::Uris { stdlib_dir: None };
        let _ = ward_lsp::diagnostics(&analysis, uris, ward_lsp::DIAGNOSTICS_DOCS);
        let _ = ward_compiler::format::format(&text);
    }
});
