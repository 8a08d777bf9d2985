//! Channel values written back as Ward source: names, string literals, operands and field
//! types, exactly as a reviewer would write them in a `.ward` file.
//!
//! Everything here reads an untrusted, merely decoded file, so nothing may break the
//! one-fact-per-line layout: a name that is not an identifier is quoted, and no rendered
//! string ever holds a line break or a character that hides itself on screen.

use std::fmt::Write;

use ward_runtime::model::{Channel, FieldType, Op, Operand, Value};
use ward_syntax::ast;
use ward_syntax::lexer::{lex, Tok};

use crate::check::values::lower_op;

/// An operator as it is written in source. The table lives once, in the syntax crate.
pub fn op(op: Op) -> &'static str {
    ast::Op::ALL
        .into_iter()
        .find(|a| lower_op(*a) == op)
        .map_or("?", ast::Op::as_str)
}

/// A name bare when it lexes as one identifier (so never a keyword), else quoted.
pub fn name(text: &str) -> String {
    match lex(text).tokens.as_slice() {
        [(0, Tok::Ident, end)] if *end == text.len() => text.to_string(),
        _ => string(text),
    }
}

/// A string literal that reads best: plain `"..."` when nothing needs escaping, a raw
/// string when the text has backslashes or quotes (Windows paths, regexes), and escapes
/// only for what cannot be shown as itself.
pub fn string(text: &str) -> String {
    if text.chars().any(needs_escape) {
        return escaped(text);
    }
    if !text.contains(['\\', '"']) {
        return format!("\"{text}\"");
    }
    // The fewest hashes whose closing delimiter does not occur in the text.
    let hashes = (0..)
        .map(|n| "#".repeat(n))
        .find(|h| !text.contains(&format!("\"{h}")))
        .unwrap_or_default();
    format!("r{hashes}\"{text}\"{hashes}")
}

/// A quoted literal with the language's escapes (`\\ \" \n \t \u{..}`).
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:X}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Control characters break lines; format characters (bidirectional overrides, zero-width
/// spaces, the byte-order mark, soft hyphens) make text look like other text, which is how
/// a pattern hides what it matches from a reviewer. Both are shown as `\u{..}` escapes.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{AD}'
                | '\u{61C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// A field type as declared in a template; an enum by its name.
pub fn field_type(channel: &Channel, ty: FieldType) -> String {
    match ty {
        FieldType::Bool => "bool".into(),
        FieldType::U8 => "u8".into(),
        FieldType::U16 => "u16".into(),
        FieldType::U32 => "u32".into(),
        FieldType::U64 => "u64".into(),
        FieldType::I32 => "i32".into(),
        FieldType::I64 => "i64".into(),
        FieldType::String => "string".into(),
        FieldType::Path => "path".into(),
        FieldType::Ip => "ip".into(),
        FieldType::Sha256 => "sha256".into(),
        FieldType::Enum(i) => channel
            .enums
            .get(usize::from(i))
            .map_or_else(|| format!("<enum #{i}>"), |e| name(&e.name)),
    }
}

/// The operand of a criterion on field `field` (1-based) as Ward source.
pub fn operand(channel: &Channel, field: u16, operand: &Operand) -> String {
    match operand {
        Operand::Scalar(v) => value(channel, field, v),
        Operand::List(items) => {
            let items: Vec<String> = items.iter().map(|v| value(channel, field, v)).collect();
            format!("[{}]", items.join(", "))
        }
        Operand::Pattern(p) => string(p),
        Operand::Cidr { addr, prefix } => format!("\"{addr}/{prefix}\""),
    }
}

/// One value; enum values by variant name. Decoding does not check values against field
/// types (verification does), so a value that names no variant is shown for what it is.
fn value(channel: &Channel, field: u16, v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Uint(n) => n.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Str(s) => string(s),
        Value::Ip(ip) => format!("\"{ip}\""),
        Value::Sha256(bytes) => format!("\"{}\"", hex(bytes)),
        Value::Enum(n) => {
            variant(channel, field, *n).unwrap_or_else(|| format!("<enum value {n}>"))
        }
    }
}

fn variant(channel: &Channel, field: u16, n: u32) -> Option<String> {
    let def = channel
        .template
        .fields
        .get(usize::from(field).checked_sub(1)?)?;
    let FieldType::Enum(e) = def.ty else {
        return None;
    };
    let (variant, _) = channel
        .enums
        .get(usize::from(e))?
        .variants
        .iter()
        .find(|(_, value)| *value == n)?;
    Some(name(variant))
}

/// Lowercase hex, as key ids and `sha256` literals are written.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use ward_syntax::literal;

    use super::*;

    /// What the lexer and the literal decoder make of a rendered literal.
    fn read_back(rendered: &str) -> Option<String> {
        match lex(rendered).tokens.as_slice() {
            [(0, Tok::Str, end)] if *end == rendered.len() => {
                let (text, errors) = literal::string(rendered);
                errors.is_empty().then_some(text)
            }
            [(0, Tok::RawStr, end)] if *end == rendered.len() => {
                Some(literal::raw_string(rendered))
            }
            _ => None,
        }
    }

    #[test]
    fn strings_take_the_form_that_reads_best() {
        assert_eq!(string("cmd.exe"), r#""cmd.exe""#);
        assert_eq!(string(r"C:\Windows\*"), r#"r"C:\Windows\*""#);
        assert_eq!(string(r#"say "hi""#), r##"r#"say "hi""#"##);
        assert_eq!(string("a\"#b\\"), r###"r##"a"#b\"##"###);
        assert_eq!(string("line\nbreak\\"), r#""line\nbreak\\""#);
        assert_eq!(string("naïve ☃"), "\"naïve ☃\"");
        assert_eq!(string("evil\u{202E}exe.txt"), r#""evil\u{202E}exe.txt""#);
        assert_eq!(string("zero\u{200B}width"), r#""zero\u{200B}width""#);
    }

    #[test]
    fn names_are_bare_only_when_they_are_identifiers() {
        assert_eq!(name("cs_default_pipe"), "cs_default_pipe");
        assert_eq!(name("has space"), r#""has space""#);
        assert_eq!(name("severity"), r#""severity""#);
        assert_eq!(name("two\nlines"), r#""two\nlines""#);
        assert_eq!(name(""), r#""""#);
    }

    #[test]
    fn operators_read_as_written() {
        assert_eq!(op(Op::NotStartsWith), "not starts_with");
        assert_eq!(op(Op::Le), "<=");
    }

    proptest! {
        /// Every rendered string is one line, lexes as one literal and means the same text.
        #[test]
        fn rendered_strings_read_back_as_the_same_text(text in "\\PC*|[\\\\\"#a\n\t\u{202E}\u{0}]*") {
            let rendered = string(&text);
            prop_assert!(!rendered.contains(['\n', '\r', '\u{2028}', '\u{2029}']), "{}", rendered);
            prop_assert_eq!(read_back(&rendered), Some(text));
        }
    }
}
