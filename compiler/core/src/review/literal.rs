//! Channel values written back as Ward source: names, string literals, operands and field
//! types, exactly as a reviewer would write them in a `.ward` file.
//!
//! Everything here reads an untrusted, merely decoded file, so nothing may break the
//! one-fact-per-line layout: a name that is not an identifier is quoted, and no rendered
//! string ever holds a line break or a character that hides itself on screen.

use std::fmt::Write;

use ward_runtime::model::{Channel, FieldType, Op, Operand, Value};
use ward_syntax::lexer::{lex, Tok};

/// An operator as it is written in source.
pub fn op(op: Op) -> &'static str {
    op.def().spelling
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
        FieldType::Enum(i) => channel
            .enums
            .get(usize::from(i))
            .map_or_else(|| format!("<enum #{i}>"), |e| name(&e.name)),
        other => other.builtin_name().unwrap_or_default().into(),
    }
}

/// The operand of criterion `field op operand` as Ward source.
///
/// Decoding does not check an operand against its operator and field (verification
/// does), and a value of the wrong kind would print exactly like one of the right kind
/// (the string `"4"` and the address `"10.0.0.1"` look like a `u32` and an `ip`). So an
/// operand of the wrong shape for its operator, or a value of the wrong kind for its
/// field, is marked with what it really is: `<string "4">`.
pub fn operand(channel: &Channel, field: u16, op: Op, operand: &Operand) -> String {
    let ty = usize::from(field)
        .checked_sub(1)
        .and_then(|n| channel.template.fields.get(n))
        .map(|f| f.ty);
    let (shape, text) = match operand {
        Operand::Scalar(v) => ("scalar", value(channel, ty, v)),
        Operand::List(items) => {
            let items: Vec<String> = items.iter().map(|v| value(channel, ty, v)).collect();
            ("list", format!("[{}]", items.join(", ")))
        }
        Operand::Pattern(p) => ("pattern", string(p)),
        Operand::Cidr { addr, prefix } => ("cidr", format!("\"{addr}/{prefix}\"")),
    };
    let expected = match op {
        Op::In | Op::NotIn => "list",
        Op::Glob | Op::NotGlob | Op::Matches | Op::NotMatches => "pattern",
        Op::Within | Op::NotWithin => "cidr",
        _ => "scalar",
    };
    if shape == expected {
        text
    } else {
        format!("<{shape} {text}>")
    }
}

/// One value: enum values by variant name, and a value that is not of its field's kind
/// (or an enum value that names no variant) marked with its kind.
fn value(channel: &Channel, ty: Option<FieldType>, v: &Value) -> String {
    let (kind, text) = match v {
        Value::Bool(b) => ("bool", b.to_string()),
        Value::Uint(n) => ("uint", n.to_string()),
        Value::Int(n) => ("int", n.to_string()),
        Value::Str(s) => ("string", string(s)),
        Value::Ip(ip) => ("ip", format!("\"{ip}\"")),
        Value::Sha256(bytes) => ("sha256", format!("\"{}\"", hex(bytes))),
        Value::Enum(n) => match ty.and_then(|t| variant(channel, t, *n)) {
            Some(name) => return name,
            None => ("enum", n.to_string()),
        },
    };
    let literal_of_field = matches!(
        (ty, v),
        (Some(FieldType::Bool), Value::Bool(_))
            | (
                Some(FieldType::U8 | FieldType::U16 | FieldType::U32 | FieldType::U64),
                Value::Uint(_)
            )
            | (Some(FieldType::I32 | FieldType::I64), Value::Int(_))
            | (Some(FieldType::String | FieldType::Path), Value::Str(_))
            | (Some(FieldType::Ip), Value::Ip(_))
            | (Some(FieldType::Sha256), Value::Sha256(_))
    );
    if literal_of_field {
        text
    } else {
        format!("<{kind} {text}>")
    }
}

/// The name of variant `n` of an enum field's type, if it declares one.
fn variant(channel: &Channel, ty: FieldType, n: u32) -> Option<String> {
    let FieldType::Enum(e) = ty else {
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
    fn values_of_the_wrong_kind_or_shape_are_marked_so_no_two_files_read_alike() {
        use std::net::{IpAddr, Ipv4Addr};
        use ward_runtime::model::{BuildInfo, EnumDef, FieldDef, TemplateRef};
        let field = |name: &str, ty| FieldDef {
            name: name.into(),
            ty,
        };
        let channel = Channel {
            id: 1,
            name: "C".into(),
            content_version: 1,
            template: TemplateRef {
                id: 1,
                name: "T".into(),
                version: 1,
                fields: vec![
                    field("count", FieldType::U32),
                    field("addr", FieldType::Ip),
                    field("mode", FieldType::Enum(0)),
                ],
            },
            enums: vec![EnumDef {
                name: "Mode".into(),
                variants: vec![("off".into(), 0), ("on".into(), 1)],
            }],
            targets: vec![],
            build: BuildInfo::default(),
            instances: vec![],
        };
        let ip = Value::Ip(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
        let cases = [
            (1, Op::Eq, Operand::Scalar(Value::Uint(4)), "4"),
            (
                1,
                Op::Eq,
                Operand::Scalar(Value::Str("4".into())),
                r#"<string "4">"#,
            ),
            (1, Op::Eq, Operand::Scalar(Value::Int(4)), "<int 4>"),
            (2, Op::Eq, Operand::Scalar(ip.clone()), r#""10.0.0.1""#),
            (
                2,
                Op::Eq,
                Operand::Scalar(Value::Str("10.0.0.1".into())),
                r#"<string "10.0.0.1">"#,
            ),
            (2, Op::In, Operand::Scalar(ip), r#"<scalar "10.0.0.1">"#),
            (3, Op::Eq, Operand::Scalar(Value::Enum(1)), "on"),
            (3, Op::Eq, Operand::Scalar(Value::Enum(7)), "<enum 7>"),
            (3, Op::Eq, Operand::Scalar(Value::Uint(1)), "<uint 1>"),
            (
                1,
                Op::In,
                Operand::List(vec![Value::Uint(1), Value::Enum(1)]),
                "[1, <enum 1>]",
            ),
        ];
        for (field, op, value, expected) in cases {
            assert_eq!(operand(&channel, field, op, &value), expected, "{value:?}");
        }
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
