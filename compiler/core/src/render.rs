//! Renders diagnostics: ariadne reports for people, JSON for machines. (LSP conversion
//! lives in the language server, the only crate that knows the protocol.)

use std::io::Write;

use ariadne::{Color, Config, IndexType, Label as ALabel, Report, ReportKind};
use serde_json::{json, Value as Json};

use crate::sources::Sources;
use crate::{Diagnostic, Severity};

/// At most this many diagnostics of one file are shown to a person; the rest are counted.
/// (20,000 errors would otherwise print 140,000 lines; JSON and SARIF keep them all.)
pub const MAX_SHOWN_PER_FILE: usize = 50;

/// A source line longer than this (in bytes) is not quoted: one diagnostic on a generated
/// or minified line must not print megabytes.
pub const MAX_QUOTED_LINE: usize = 2048;

/// Writes every diagnostic as an ariadne report, up to [`MAX_SHOWN_PER_FILE`] per file
/// with a count of the rest, then a one-line summary of all of them.
pub fn human(
    out: &mut dyn Write,
    sources: &Sources,
    diagnostics: &[Diagnostic],
    color: bool,
) -> std::io::Result<()> {
    // Only the files a report quotes are indexed, when first quoted, and borrowed rather
    // than copied: a clean check of a million-instance project must not copy and index
    // every source just to print nothing (it was a fifth of `ward check`'s peak heap at
    // 100,000 instances; docs/performance.md).
    let mut cache = ariadne::FnCache::new(|name: &String| {
        sources
            .iter()
            .find(|s| s.name == *name)
            .map(|s| &*s.text)
            .ok_or_else(|| format!("no source named {name}"))
    });
    let mut shown: std::collections::BTreeMap<Option<crate::FileId>, usize> = Default::default();
    for d in diagnostics {
        let count = shown.entry(d.location().map(|l| l.file)).or_default();
        *count += 1;
        if *count > MAX_SHOWN_PER_FILE {
            continue;
        }
        if quotable(d, sources) {
            report(d, sources, color).write(&mut cache, &mut *out)?;
        } else {
            unquoted(out, d, sources)?;
        }
    }
    for (file, count) in shown {
        if count > MAX_SHOWN_PER_FILE {
            let name = file.map_or("the project", |f| sources.get(f).name.as_str());
            writeln!(
                out,
                "... and {} more diagnostics in {name} not shown (`--format json` or `--format sarif` lists every one)",
                count - MAX_SHOWN_PER_FILE
            )?;
        }
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if !diagnostics.is_empty() {
        writeln!(out, "{}", summary(errors, warnings))?;
    }
    Ok(())
}

/// A message, label, note or help longer than this (in characters) is cut with `…`: names
/// quoted from a huge token must not print all of it either.
pub const MAX_MESSAGE: usize = 300;

fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A diagnostic on a line too long to quote: its places by line and column, each with a
/// window of its line around it, in plain text.
fn unquoted(out: &mut dyn Write, d: &Diagnostic, sources: &Sources) -> std::io::Result<()> {
    let kind = match d.severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
    };
    writeln!(out, "[{}] {kind}: {}", d.code.as_str(), bounded(&d.message))?;
    for l in &d.labels {
        let src = sources.get(l.file);
        let (line, col) = src.line_col(l.span.start);
        let (excerpt, marks, cut) = window(&src.text, l.span);
        writeln!(
            out,
            "   --> {}:{line}:{col}: {}{}",
            src.name,
            bounded(&l.message),
            if cut {
                " (a window of a long line)"
            } else {
                ""
            }
        )?;
        writeln!(out, "    | {excerpt}")?;
        writeln!(out, "    | {marks}")?;
    }
    for n in &d.notes {
        writeln!(out, "   Note: {}", bounded(n))?;
    }
    if let Some(h) = &d.help {
        writeln!(out, "   Help: {}", bounded(h))?;
    }
    Ok(())
}

/// Characters of a long line shown on each side of a label, and at most marked under it.
pub const WINDOW: usize = 60;

/// The part of `span`'s line around the span's start (at most [`WINDOW`] characters each
/// side, `…` where the line goes on) and a line of `^` under the span (at most [`WINDOW`]
/// of them), and whether the line was cut. Control characters show as spaces so the
/// marks stay under what they mark.
fn window(text: &str, span: crate::Span) -> (String, String, bool) {
    let at = floor_char(text, span.start);
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let from = text[line_start..at]
        .char_indices()
        .rev()
        .nth(WINDOW - 1)
        .map_or(line_start, |(i, _)| line_start + i);
    let marked_end = floor_char(text, span.end.clamp(at, line_end));
    let marked: usize = text[at..marked_end].chars().take(WINDOW).count().max(1);
    let to = text[at..line_end]
        .char_indices()
        .nth(marked + WINDOW)
        .map_or(line_end, |(i, _)| at + i);
    let show = |part: &str| -> String {
        part.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    let before = show(&text[from..at]);
    let lead = if from > line_start { "…" } else { "" };
    let tail = if to < line_end { "…" } else { "" };
    let excerpt = format!("{lead}{before}{}{tail}", show(&text[at..to]));
    let marks = format!(
        "{}{}",
        " ".repeat(lead.chars().count() + before.chars().count()),
        "^".repeat(marked)
    );
    (excerpt, marks, from > line_start || to < line_end)
}

/// `offset`, moved back to a character boundary of `text` (and into it).
fn floor_char(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Whether every line a label of `d` touches is short enough to quote.
fn quotable(d: &Diagnostic, sources: &Sources) -> bool {
    d.labels.iter().all(|l| {
        let src = sources.get(l.file);
        let text: &str = &src.text;
        let start = text
            .get(..l.span.start.min(text.len()))
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let end = text
            .get(l.span.end.min(text.len())..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| l.span.end + i);
        end.saturating_sub(start) <= MAX_QUOTED_LINE
    })
}

fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

type Span = (String, std::ops::Range<usize>);

fn report(d: &Diagnostic, sources: &Sources, color: bool) -> Report<'static, Span> {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let span_of = |file, span: crate::Span| -> Span {
        (sources.get(file).name.clone(), span.start..span.end)
    };
    let at = d
        .location()
        .map_or_else(|| (String::new(), 0..0), |l| span_of(l.file, l.span));
    let mut report = Report::build(kind, at)
        .with_config(
            Config::default()
                .with_color(color)
                .with_index_type(IndexType::Byte),
        )
        .with_code(d.code.as_str())
        .with_message(bounded(&d.message));
    // ariadne starts a new block whenever a label comes before the previous one in its
    // file, so labels go in by file (the primary's first) and position.
    let primary = d.location().map(|l| l.file);
    let mut labels: Vec<&crate::Label> = d.labels.iter().collect();
    labels.sort_by_key(|l| (Some(l.file) != primary, l.file, l.span.start));
    for l in labels {
        let c = if l.primary {
            match d.severity {
                Severity::Error => Color::Red,
                Severity::Warning => Color::Yellow,
            }
        } else {
            Color::Blue
        };
        report = report.with_label(
            ALabel::new(span_of(l.file, l.span))
                .with_message(bounded(&l.message))
                .with_color(c),
        );
    }
    for n in &d.notes {
        report = report.with_note(bounded(n));
    }
    if let Some(h) = &d.help {
        report = report.with_help(bounded(h));
    }
    report.finish()
}

/// One JSON object per diagnostic, for tools: positions are 1-based lines and columns
/// (columns count characters).
pub fn json(sources: &Sources, diagnostics: &[Diagnostic]) -> Json {
    Json::Array(
        diagnostics
            .iter()
            .map(|d| diagnostic_json(sources, d))
            .collect(),
    )
}

fn diagnostic_json(sources: &Sources, d: &Diagnostic) -> Json {
    let place = |file, span: crate::Span| {
        let src = sources.get(file);
        let (line, column) = src.line_col(span.start);
        let (end_line, end_column) = src.line_col(span.end);
        json!({
            "file": src.name,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
        })
    };
    let mut obj = json!({
        "code": d.code.as_str(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "labels": d.labels.iter().map(|l| {
            let mut p = place(l.file, l.span);
            p["message"] = json!(l.message);
            p["primary"] = json!(l.primary);
            p
        }).collect::<Vec<_>>(),
        "notes": d.notes,
        "help": d.help,
    });
    if let Some(l) = d.location() {
        let p = place(l.file, l.span);
        for key in ["file", "line", "column", "end_line", "end_column"] {
            obj[key] = p[key].clone();
        }
    }
    obj
}

/// Where the diagnostics documentation lives; SARIF rules and LSP diagnostics link to it.
/// The one place the project's public address is written (with `informationUri` below).
pub const DOCS_URL: &str = "https://github.com/ward-lang/ward/blob/main/docs/diagnostics.md";

/// SARIF 2.1.0, as GitHub code scanning takes it: one rule per diagnostic code (with its
/// explanation as help), one result per diagnostic, secondary labels as related locations.
/// Only files of the project are locations: the stdlib is not in the scanned repository.
pub fn sarif(sources: &Sources, diagnostics: &[Diagnostic]) -> Json {
    let rules: Vec<Json> = crate::Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.title(),
                "shortDescription": { "text": c.title() },
                "fullDescription": { "text": c.explanation().trim() },
                "help": { "text": c.explanation().trim() },
                "helpUri": format!("{DOCS_URL}#{}", c.as_str().to_lowercase()),
                "defaultConfiguration": { "level": level(c.severity()) },
            })
        })
        .collect();
    let location = |l: &crate::Label| -> Option<Json> {
        let src = sources.get(l.file);
        let path = src.path.as_ref()?;
        let text = path.to_string_lossy().replace('\\', "/");
        // Relative paths (the usual case in CI) resolve against the scanned checkout.
        let uri = if path.is_absolute() {
            format!("file://{text}")
        } else {
            text.trim_start_matches("./").to_string()
        };
        let (line, column) = utf16_line_col(src, l.span.start);
        let (end_line, end_column) = utf16_line_col(src, l.span.end);
        Some(json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": {
                    "startLine": line,
                    "startColumn": column,
                    "endLine": end_line,
                    "endColumn": end_column,
                },
            },
            "message": { "text": l.message },
        }))
    };
    let results: Vec<Json> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            for n in &d.notes {
                text.push_str(&format!("\nnote: {n}"));
            }
            if let Some(h) = &d.help {
                text.push_str(&format!("\nhelp: {h}"));
            }
            json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": crate::Code::ALL.iter().position(|c| *c == d.code),
                "level": level(d.severity),
                "message": { "text": text },
                "locations": d.location().and_then(location).into_iter().collect::<Vec<_>>(),
                "relatedLocations": d.labels.iter().filter(|l| !l.primary).filter_map(location).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ward",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/ward-lang/ward",
                    "rules": rules,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// 1-based line and column, the column in UTF-16 code units (SARIF's default, and LSP's).
pub fn utf16_line_col(src: &crate::sources::Source, offset: usize) -> (usize, usize) {
    let (line, _) = src.line_col(offset);
    let start = src.line_starts()[line - 1];
    let prefix = src
        .text
        .get(start..offset.min(src.text.len()))
        .unwrap_or("");
    (line, prefix.encode_utf16().count() + 1)
}
