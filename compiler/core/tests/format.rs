//! The formatter: one canonical layout, idempotent, losing no comment, and never changing
//! what a channel compiles to.

#![allow(clippy::disallowed_methods)] // tests read the repository's sources from disk

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use ward_compiler::format::format;
use ward_compiler::hir::ChannelId;
use ward_compiler::io::MemoryFs;
use ward_compiler::{lower, project};
use ward_syntax::lexer;

fn ward_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !path.file_name().unwrap().to_string_lossy().starts_with('.') {
            out.extend(ward_files(&path));
        } else if path.extension().is_some_and(|e| e == "ward") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Comment texts, in order: a formatter moves comments only between lines, never drops one.
fn comments(src: &str) -> Vec<String> {
    let lexed = lexer::lex(src);
    let mut spans: Vec<_> = lexed
        .comments
        .iter()
        .chain(&lexed.doc_comments)
        .copied()
        .collect();
    spans.sort();
    spans
        .iter()
        .map(|s| src[s.start..s.end].trim_end().to_string())
        .collect()
}

/// Token texts, trailing commas before a closing bracket left out (the one token the
/// formatter may drop).
fn tokens(src: &str) -> Vec<String> {
    let toks = lexer::lex(src).tokens;
    toks.iter()
        .enumerate()
        .filter(|(i, (_, t, _))| {
            !(*t == lexer::Tok::Comma
                && matches!(
                    toks.get(i + 1),
                    Some((_, lexer::Tok::RBracket | lexer::Tok::RBrace, _))
                ))
        })
        .map(|(_, (s, _, e))| src[*s..*e].to_string())
        .collect()
}

fn assert_well_formatted(src: &str, name: &str) {
    let Some(once) = format(src) else { return };
    assert_eq!(
        format(&once).as_deref(),
        Some(once.as_str()),
        "{name}: formatting is not idempotent"
    );
    assert_eq!(comments(&once), comments(src), "{name}: comments changed");
    assert_eq!(tokens(&once), tokens(src), "{name}: tokens changed");
}

#[test]
fn every_ward_file_of_the_repository_formats_idempotently_and_keeps_its_comments() {
    let repo = support::repo();
    let mut seen = 0;
    for dir in ["examples", "stdlib-templates", "snapshots"] {
        for file in ward_files(&repo.join(dir)) {
            let src = fs::read_to_string(&file).unwrap_or_default();
            assert_well_formatted(&src, &file.display().to_string());
            seen += 1;
        }
    }
    assert!(seen > 50, "only {seen} files found");
}

#[test]
fn windows_line_endings_and_a_byte_order_mark_are_kept() {
    let repo = support::repo();
    for file in ward_files(&repo.join("examples")) {
        let lf = fs::read_to_string(&file).unwrap();
        let crlf = lf.replace('\n', "\r\n");
        // Formatted with LF, so formatted with CRLF: `ward fmt --check` passes both.
        assert_eq!(
            format(&crlf).as_deref(),
            Some(crlf.as_str()),
            "{}",
            file.display()
        );
        let bom = format!("\u{feff}{crlf}");
        assert_eq!(
            format(&bom).as_deref(),
            Some(bom.as_str()),
            "{}",
            file.display()
        );
    }
    // An unformatted CRLF file is formatted in CRLF.
    let messy = "enum E {\r\n a = 0,\r\n}\r\n";
    assert_eq!(format(messy).as_deref(), Some("enum E { a = 0 }\r\n"));
}

#[test]
fn files_with_syntax_errors_are_left_alone() {
    assert_eq!(format("channel C = 1 { version }"), None);
}

#[test]
fn a_blank_line_after_a_leading_comment_is_kept() {
    let src = "// Licence header.\n\nenum E { a = 0 }\n";
    assert_eq!(format(src).as_deref(), Some(src));
    let tight = "// About E.\nenum E { a = 0 }\n";
    assert_eq!(format(tight).as_deref(), Some(tight));
}

#[test]
fn the_canonical_layout() {
    let src = "// header\n\n/// Doc.\nchannel C = 1 {\nversion 42   // why\n  template T\n targets [a,b,]\n\n\n instance i = 2 { x == 1 severity high tags [\"t\"] }\n // before close\n}\nenum E { a = 0, b = 1, }\ntemplate T = 5 { version 1\n 1 a: string\n 10 long_name: u32\n}\n";
    let want = "// header\n\n/// Doc.\nchannel C = 1 {\n    version 42 // why\n    template T\n    targets [a, b]\n\n    instance i = 2 {\n        x == 1\n        severity high\n        tags [\"t\"]\n    }\n    // before close\n}\n\nenum E { a = 0, b = 1 }\n\ntemplate T = 5 {\n    version 1\n    1  a:         string\n    10 long_name: u32\n}\n";
    assert_eq!(format(src).as_deref(), Some(want));
}

#[test]
fn formatting_never_changes_the_compiled_bytes_of_the_examples() {
    let root = Path::new("/examples");
    let examples = support::repo().join("examples");
    let (mut plain, mut formatted) = (MemoryFs::new(), MemoryFs::new());
    for file in ward_files(&examples)
        .into_iter()
        .chain([examples.join("Ward.toml")])
    {
        let rel = file.strip_prefix(&examples).unwrap();
        let text = fs::read_to_string(&file).unwrap();
        let pretty = if rel.extension().is_some_and(|e| e == "ward") {
            format(&text).unwrap()
        } else {
            text.clone()
        };
        plain.insert(root.join(rel), text);
        formatted.insert(root.join(rel), pretty);
    }
    let key = ward_runtime::SigningKey::from_bytes(&[7; 32]);
    let build = |fs: &MemoryFs| -> Vec<Vec<u8>> {
        let project = project::load(fs, root).unwrap();
        let checked = ward_compiler::check(&project.sources);
        assert!(!checked.has_errors());
        (0..checked.program.channels.len())
            .map(|i| {
                ward_encode::sign(
                    &lower::channel(&checked.program, &project.sources, ChannelId(i)),
                    &[&key],
                )
                .unwrap()
            })
            .collect()
    };
    let before = build(&plain);
    assert!(!before.is_empty());
    assert_eq!(before, build(&formatted));
}

/// Well-formed sources with random layout: random spacing, line breaks and comments
/// between tokens.
fn messy_source() -> impl Strategy<Value = String> {
    let tokens = [
        "/// A channel.",
        "channel",
        "C",
        "=",
        "7",
        "{",
        "version",
        "3",
        "template",
        "ProcessStart",
        "targets",
        "[",
        "windows_7_12",
        ",",
        "]",
        "instance",
        "i",
        "=",
        "1",
        "{",
        "image",
        "ends_with",
        "r\"\\x.exe\"",
        "pid",
        "in",
        "[",
        "1",
        ",",
        "2",
        ",",
        "]",
        "severity",
        "low",
        "}",
        "}",
        "enum",
        "E",
        "{",
        "a",
        "=",
        "0",
        ",",
        "}",
    ];
    let gaps = proptest::collection::vec(0..6u8, tokens.len());
    gaps.prop_map(move |gaps| {
        let mut out = String::new();
        for (tok, gap) in tokens.iter().zip(gaps) {
            out.push_str(match gap {
                0 => " ",
                1 => "\n",
                2 => "  \n\n   ",
                3 => " // note\n",
                4 => "\t",
                _ => "\n// own line\n",
            });
            // Doc comments must start a line to stay doc comments.
            if tok.starts_with("///") {
                out.push('\n');
            }
            out.push_str(tok);
            if tok.starts_with("///") {
                out.push('\n');
            }
        }
        out.push('\n');
        out
    })
}

proptest! {
    #[test]
    fn fmt_of_fmt_is_fmt(src in messy_source()) {
        prop_assert!(format(&src).is_some(), "the generator makes well-formed sources:\n{src}");
        assert_well_formatted(&src, "generated");
    }
}
