//! A [`ChannelDiff`] rendered three ways: text for a terminal, Markdown to post as a
//! pull-request comment, and JSON for tools.

use std::fmt::Write;

use serde_json::{json, Value};

use super::diff::{Change, ChannelDiff, Summary};
use super::disasm::InstanceText;

/// The diff for a terminal: findings first, then the header, then each instance.
pub fn text(diff: &ChannelDiff) -> String {
    let mut out = String::new();
    for (side, s) in [("old", &diff.old), ("new", &diff.new)] {
        let plural = if s.instances == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "{side}: channel {} version {}, {} instance{plural}",
            s.channel, s.version, s.instances
        );
    }
    if diff.is_identical() {
        out.push_str("identical\n");
        return out;
    }
    if !diff.findings.is_empty() {
        let _ = writeln!(out, "\nattention ({}):", diff.findings.len());
        for f in &diff.findings {
            let _ = writeln!(out, "  ! {}: {}", f.kind.as_str(), f.message);
        }
    }
    if !diff.header.is_empty() {
        out.push_str("\nheader:\n");
        for c in &diff.header {
            let _ = writeln!(out, "  {}", change(c));
        }
    }
    let _ = writeln!(out, "\ninstances: {}", counts(diff));
    for (sign, list) in [("+", &diff.added), ("-", &diff.removed)] {
        for i in list {
            let _ = writeln!(out, "\n{sign} {}", i.title());
            for line in &i.lines {
                let _ = writeln!(out, "{sign}   {line}");
            }
        }
    }
    for i in &diff.changed {
        let _ = writeln!(out, "\n~ {}", i.title);
        for c in &i.changes {
            let _ = writeln!(out, "    {}", change(c));
        }
    }
    out
}

fn counts(diff: &ChannelDiff) -> String {
    format!(
        "{} added, {} removed, {} changed, {} unchanged",
        diff.added.len(),
        diff.removed.len(),
        diff.changed.len(),
        diff.unchanged
    )
}

/// `+ fact`, `- fact` or `~ subject old -> new`.
fn change(c: &Change) -> String {
    let gap = if c.field.is_some() { "  " } else { " " };
    match (&c.old, &c.new) {
        (Some(old), Some(new)) => format!("~ {}{gap}{old}{gap}->{gap}{new}", c.subject),
        (None, Some(new)) => format!("+ {}{gap}{new}", c.subject),
        (Some(old), None) => format!("- {}{gap}{old}", c.subject),
        (None, None) => String::new(),
    }
}

/// The diff as a pull-request comment: a summary table, the findings, then each change
/// as a `diff` block (which GitHub colours).
pub fn markdown(diff: &ChannelDiff) -> String {
    let (old, new) = (&diff.old, &diff.new);
    let mut out = format!("### Channel {}\n\n", code(&new.channel, false));
    if diff.is_identical() {
        out.push_str("No change: the two files say the same thing.\n");
        return out;
    }
    out.push_str("| | old | new |\n| --- | --- | --- |\n");
    let rows: [(&str, Cell); 7] = [
        ("channel", |s| code(&s.channel, true)),
        ("content version", |s| s.version.to_string()),
        ("template", |s| code(&s.template, true)),
        ("targets", |s| list(&s.targets)),
        ("highest field read", |s| {
            s.highest_field
                .as_deref()
                .map_or_else(|| "none".to_string(), |f| code(f, true))
        }),
        ("instances", |s| s.instances.to_string()),
        ("signed by", |s| list(&s.signers)),
    ];
    for (label, cell) in rows {
        let (a, b) = (cell(old), cell(new));
        // A changed value is bold on the new side, so the eye finds it.
        let b = if a == b { b } else { format!("**{b}**") };
        let _ = writeln!(out, "| {label} | {a} | {b} |");
    }
    if !diff.findings.is_empty() {
        let _ = writeln!(out, "\n#### ⚠️ Needs attention ({})\n", diff.findings.len());
        for f in &diff.findings {
            let _ = writeln!(
                out,
                "- **{}** ({}): {}",
                f.kind.title(),
                code(f.kind.as_str(), false),
                escape(&f.message)
            );
        }
    }
    if !diff.header.is_empty() {
        out.push_str("\n#### Header\n\n");
        let lines: Vec<String> = diff.header.iter().flat_map(|c| diff_lines(c, "")).collect();
        out.push_str(&block(&lines));
    }
    let _ = writeln!(out, "\n#### Instances: {}", counts(diff));
    for (what, sign, list) in [("Added", '+', &diff.added), ("Removed", '-', &diff.removed)] {
        for i in list {
            let _ = writeln!(out, "\n**{what}** {}\n", code(&i.title(), false));
            out.push_str(&block(&instance_lines(sign, i)));
        }
    }
    for i in &diff.changed {
        let _ = writeln!(out, "\n**Changed** {}\n", code(&i.title, false));
        let mut lines = vec![format!("  {}", i.title)];
        lines.extend(i.changes.iter().flat_map(|c| diff_lines(c, "  ")));
        out.push_str(&block(&lines));
    }
    out
}

/// How a row of the summary table reads one side.
type Cell = fn(&Summary) -> String;

fn instance_lines(sign: char, i: &InstanceText) -> Vec<String> {
    std::iter::once(format!("{sign} {}", i.title()))
        .chain(i.lines.iter().map(|l| format!("{sign}   {l}")))
        .collect()
}

/// A change as the lines of a unified diff, `- old` then `+ new`, each fact indented
/// by `indent` after its sign.
fn diff_lines(c: &Change, indent: &str) -> Vec<String> {
    let gap = if c.field.is_some() { "  " } else { " " };
    let side = |sign: char, value: &Option<String>| {
        value
            .as_ref()
            .map(|v| format!("{sign} {indent}{}{gap}{v}", c.subject))
    };
    side('-', &c.old)
        .into_iter()
        .chain(side('+', &c.new))
        .collect()
}

/// A fenced `diff` block, its fence longer than any run of backticks inside it.
fn block(lines: &[String]) -> String {
    let longest = lines.iter().map(|l| backtick_run(l)).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}diff\n{}\n{fence}\n", lines.join("\n"))
}

fn backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Inline code whose delimiters no backtick in the text can close; in a table cell `|`
/// is escaped too, which GitHub honours inside code.
fn code(text: &str, in_table: bool) -> String {
    let ticks = "`".repeat(backtick_run(text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    let text = if in_table {
        text.replace('|', "\\|")
    } else {
        text.to_string()
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    items
        .iter()
        .map(|i| code(i, true))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Plain text that Markdown must not read as emphasis, code, links, HTML or table cells.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The diff as JSON: every change with `old`/`new` (null when absent) and every finding
/// with its stable `kind`.
pub fn json(diff: &ChannelDiff) -> Value {
    let summary = |s: &Summary| {
        json!({
            "channel": s.channel,
            "version": s.version,
            "template": s.template,
            "targets": s.targets,
            "instances": s.instances,
            "highest_field": s.highest_field,
            "signers": s.signers,
        })
    };
    let changes = |cs: &[Change]| -> Vec<Value> {
        cs.iter()
            .map(|c| json!({"subject": c.subject, "old": c.old, "new": c.new, "field": c.field}))
            .collect()
    };
    let instances = |list: &[InstanceText]| -> Vec<Value> {
        list.iter()
            .map(|i| {
                let lines: Vec<String> = i.lines.iter().map(ToString::to_string).collect();
                json!({"id": i.id, "name": i.name, "lines": lines})
            })
            .collect()
    };
    json!({
        "identical": diff.is_identical(),
        "old": summary(&diff.old),
        "new": summary(&diff.new),
        "findings": diff.findings.iter().map(|f| json!({
            "kind": f.kind.as_str(),
            "title": f.kind.title(),
            "instance": f.instance,
            "message": f.message,
        })).collect::<Vec<_>>(),
        "header": changes(&diff.header),
        "instances": {
            "added": instances(&diff.added),
            "removed": instances(&diff.removed),
            "changed": diff.changed.iter().map(|i| json!({
                "id": i.id,
                "title": i.title,
                "changes": changes(&i.changes),
            })).collect::<Vec<_>>(),
            "unchanged": diff.unchanged,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_code_cannot_be_closed_by_its_content() {
        assert_eq!(code("a`b", false), "``a`b``");
        assert_eq!(code("`x", false), "`` `x ``");
        assert_eq!(code("a|b", true), "`a\\|b`");
        assert!(block(&["+ x ``` y".to_string()]).starts_with("````diff\n"));
        assert_eq!(
            escape("*a_b* <c> & `d`"),
            "\\*a\\_b\\* \\<c\\> &amp; \\`d\\`"
        );
    }
}
