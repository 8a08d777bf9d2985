//! A Sigma rule's detection section as Ward criteria: each selection becomes a formula
//! over field tests, the condition combines them, and the whole is put in disjunctive
//! normal form, one conjunction per Ward instance (an instance is a conjunction of
//! criteria). What Ward cannot express becomes an `Unsupported` leaf with its reason: a
//! conjunction holding one is dropped, which only ever narrows what the rule detects.

use std::collections::BTreeMap;

use ward_compiler::hir::{Program, Template, Type};

use crate::condition::Cond;
use crate::mapping::{FieldMap, Mapping};
use crate::value::{self, Piece};
use crate::yaml::Node;
use crate::Reason;

/// Conjunctions a rule may expand to; past it the rule is refused rather than flooding the
/// channel with instances.
pub const MAX_INSTANCES: usize = 64;

/// The longest pattern the runtime takes (its limit, so the two cannot disagree).
const MAX_PATTERN: usize = ward_runtime::limits::MAX_PATTERN_LEN;

/// How one value is compared.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Sigma's default, `contains`, `startswith`, `endswith`: the pieces must match the
    /// whole value, appear in it, begin it or end it.
    Text { how: Anchor, pieces: Vec<Piece> },
    /// `re`: a regex, searched anywhere.
    Regex(String),
    /// `cidr`.
    Cidr(String),
    /// A value written as Ward writes it: an enum variant, a number, `true`, an address.
    Literal(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Whole,
    Contains,
    Starts,
    Ends,
}

/// A field matches any of `tests` (a Sigma value list is an `or`).
#[derive(Debug, Clone, PartialEq)]
pub struct Atom {
    pub field: String,
    pub ty: Type,
    /// Compare text case-sensitively (`cased`); Sigma's default ignores case.
    pub cased: bool,
    pub tests: Vec<Test>,
}

/// A formula over atoms.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Atom(Atom),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// Something Ward cannot express: its reason, detail and line.
    Unsupported(Reason, String, usize),
}

/// A literal of a conjunction: an atom or its negation.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub atom: Atom,
    pub negated: bool,
}

/// What the fields of one template look like to the importer.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    pub mapping: &'a Mapping,
    pub template: &'a Template,
    pub program: &'a Program,
}

/// The selections of a detection, by name, as formulas.
pub fn selections(detection: &Node, fields: Fields<'_>) -> Vec<(String, Expr)> {
    let Node::Map { entries, .. } = detection else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|(name, _)| name != "condition" && name != "timeframe")
        .map(|(name, node)| (name.clone(), selection(node, fields)))
        .collect()
}

fn selection(node: &Node, fields: Fields<'_>) -> Expr {
    match node {
        Node::Map { entries, line } => {
            if entries.is_empty() {
                return Expr::Unsupported(Reason::Detection, "an empty selection".into(), *line);
            }
            Expr::And(
                entries
                    .iter()
                    .map(|(key, values)| field_item(key, values, fields))
                    .collect(),
            )
        }
        Node::List { items, line } => {
            if items.iter().all(|i| matches!(i, Node::Map { .. })) && !items.is_empty() {
                Expr::Or(items.iter().map(|i| selection(i, fields)).collect())
            } else {
                Expr::Unsupported(
                    Reason::Keywords,
                    "keywords without a field (Ward matches fields, not the whole event)".into(),
                    *line,
                )
            }
        }
        other => Expr::Unsupported(
            Reason::Keywords,
            "keywords without a field (Ward matches fields, not the whole event)".into(),
            other.line(),
        ),
    }
}

/// `Field|mod|mod: value or list`.
fn field_item(key: &str, values: &Node, fields: Fields<'_>) -> Expr {
    let line = values.line();
    let unsupported = |reason, detail: String| Expr::Unsupported(reason, detail, line);
    let mut parts = key.split('|');
    let name = parts.next().unwrap_or_default();
    let modifiers: Vec<&str> = parts.collect();
    let Some(map) = fields.mapping.fields.get(name) else {
        return unsupported(
            Reason::Field,
            format!(
                "field `{name}` has no mapping to template `{}` (stdlib-templates/mappings)",
                fields.template.name
            ),
        );
    };
    let Some(field) = fields.template.field(map.field()) else {
        return unsupported(
            Reason::Field,
            format!(
                "the mapping names field `{}`, which template `{}` lacks",
                map.field(),
                fields.template.name
            ),
        );
    };
    let raw: Vec<Option<String>> = match values {
        Node::List { items, .. } => items.iter().map(scalar).collect(),
        other => vec![scalar(other)],
    };
    let mut how = Anchor::Whole;
    let mut all = false;
    let mut cased = false;
    let mut regex = false;
    let mut cidr = false;
    let mut windash = false;
    let mut wide = false;
    let mut base64 = None;
    let mut exists = false;
    for m in &modifiers {
        match *m {
            "contains" => how = Anchor::Contains,
            "startswith" => how = Anchor::Starts,
            "endswith" => how = Anchor::Ends,
            "all" => all = true,
            "cased" => cased = true,
            "re" => regex = true,
            "cidr" => cidr = true,
            "windash" => windash = true,
            "wide" | "utf16le" => wide = true,
            "base64" => base64 = Some(false),
            "base64offset" => base64 = Some(true),
            "exists" => exists = true,
            // Regex flags: Ward's regexes take them inline.
            "i" | "m" | "s" if regex => {}
            other => {
                return unsupported(Reason::Modifier, format!("modifier `{other}` (on `{key}`)"));
            }
        }
    }
    let flags: String = modifiers
        .iter()
        .filter(|m| regex && matches!(**m, "i" | "m" | "s"))
        .copied()
        .collect();
    let atom = |tests: Vec<Test>| Atom {
        field: field.name.clone(),
        ty: field.ty,
        cased,
        tests,
    };
    if exists {
        if !field.ty.is_text() {
            return unsupported(
                Reason::Modifier,
                format!("`exists` on `{name}`, which is not text"),
            );
        }
        let present = atom(vec![Test::Text {
            how: Anchor::Whole,
            pieces: Vec::new(),
        }]);
        return match raw.first().cloned().flatten().as_deref() {
            Some("true") => Expr::Not(Box::new(Expr::Atom(present))),
            Some("false") => Expr::Atom(present),
            _ => unsupported(Reason::Value, format!("`{key}` takes true or false")),
        };
    }
    let mut tests = Vec::new();
    for value in raw {
        let Some(value) = value else {
            // `null`: the field is absent, which Ward reads as the empty value.
            if field.ty.is_text() {
                tests.push(Test::Text {
                    how: Anchor::Whole,
                    pieces: Vec::new(),
                });
                continue;
            }
            return unsupported(
                Reason::Value,
                format!("`null` for `{name}`, which is not text"),
            );
        };
        if regex {
            let pattern = if flags.is_empty() {
                value
            } else {
                format!("(?{flags}){value}")
            };
            tests.push(Test::Regex(pattern));
            continue;
        }
        if cidr {
            tests.push(Test::Cidr(value));
            continue;
        }
        if !field.ty.is_text() {
            match literal(&value, field.ty, map, fields.program) {
                Ok(v) if how == Anchor::Whole && !windash && base64.is_none() => {
                    tests.push(Test::Literal(v));
                }
                Ok(_) => {
                    return unsupported(
                        Reason::Modifier,
                        format!("`{key}`: `{name}` is not text, so it has only equality"),
                    )
                }
                Err(why) => return unsupported(Reason::Value, why),
            }
            continue;
        }
        let prefix = map.prefix();
        let variants = if windash {
            value::windash(&value)
        } else {
            vec![value]
        };
        for variant in variants {
            let pieces = match base64 {
                None if wide => {
                    return unsupported(
                        Reason::Modifier,
                        format!("`wide` without base64 on `{key}`"),
                    )
                }
                None => {
                    let mut pieces = value::pieces(&variant);
                    if !prefix.is_empty() && matches!(how, Anchor::Whole | Anchor::Starts) {
                        pieces.insert(0, Piece::Text(prefix.to_string()));
                    }
                    vec![pieces]
                }
                Some(offsets) => {
                    let bytes = if wide {
                        value::utf16le(&variant)
                    } else {
                        variant.into_bytes()
                    };
                    if offsets {
                        value::base64_offsets(&bytes)
                            .into_iter()
                            .map(value::literal)
                            .collect()
                    } else {
                        vec![value::literal(value::base64(&bytes))]
                    }
                }
            };
            tests.extend(pieces.into_iter().map(|pieces| Test::Text { how, pieces }));
        }
    }
    if tests.is_empty() {
        return unsupported(
            Reason::Value,
            format!("`{key}` has an empty list of values"),
        );
    }
    // Base64 texts are case-sensitive whatever the rule says.
    let cased = cased || base64.is_some();
    let atom = |tests: Vec<Test>| Atom {
        field: field.name.clone(),
        ty: field.ty,
        cased,
        tests,
    };
    if all {
        Expr::And(
            tests
                .into_iter()
                .map(|t| Expr::Atom(atom(vec![t])))
                .collect(),
        )
    } else if tests.iter().any(|t| matches!(t, Test::Cidr(_))) {
        // `within` takes one block: a list of blocks is an `or` of criteria.
        Expr::Or(
            tests
                .into_iter()
                .map(|t| Expr::Atom(atom(vec![t])))
                .collect(),
        )
    } else {
        split(atom(tests))
    }
}

/// An atom whose rendering would pass the runtime's pattern length, split into an `or`
/// of atoms that fit.
fn split(atom: Atom) -> Expr {
    let fits = |a: &Atom| crate::render::criterion(a, false).pattern_len() <= MAX_PATTERN;
    if atom.tests.len() <= 1 || fits(&atom) {
        return Expr::Atom(atom);
    }
    let half = atom.tests.len() / 2;
    let (left, right) = atom.tests.split_at(half);
    Expr::Or(vec![
        split(Atom {
            tests: left.to_vec(),
            ..atom.clone()
        }),
        split(Atom {
            tests: right.to_vec(),
            ..atom
        }),
    ])
}

fn scalar(node: &Node) -> Option<String> {
    match node {
        Node::Text { text, .. } => Some(text.clone()),
        _ => None,
    }
}

/// A Sigma value as the Ward literal of a field that is not text.
fn literal(value: &str, ty: Type, map: &FieldMap, program: &Program) -> Result<String, String> {
    match ty {
        Type::Enum(e) => {
            let variant = map
                .variant(value)
                .or_else(|| {
                    program.enums[e.0]
                        .variants
                        .iter()
                        .find(|v| v.name.eq_ignore_ascii_case(value))
                        .map(|v| v.name.as_str())
                })
                .ok_or_else(|| format!("`{value}` is no value of `{}`", program.enums[e.0].name))?;
            Ok(variant.to_string())
        }
        Type::Bool => match value.to_ascii_lowercase().as_str() {
            "true" => Ok("true".into()),
            "false" => Ok("false".into()),
            _ => Err(format!("`{value}` is not true or false")),
        },
        Type::Ip | Type::Sha256 => Ok(format!("\"{}\"", value.to_ascii_lowercase())),
        _ => {
            let n = match value
                .strip_prefix("0x")
                .or_else(|| value.strip_prefix("0X"))
            {
                Some(hex) => i128::from_str_radix(hex, 16),
                None => value.parse::<i128>(),
            }
            .map_err(|_| format!("`{value}` is not a number"))?;
            let (lo, hi) = ty.int_range().unwrap_or((0, 0));
            if n < lo || n > hi {
                return Err(format!("`{value}` is out of range for the field"));
            }
            Ok(n.to_string())
        }
    }
}

/// The condition over the selections, as one formula.
pub fn formula(cond: &Cond, selections: &BTreeMap<String, Expr>) -> Expr {
    match cond {
        Cond::Name(n) => selections.get(n).cloned().unwrap_or(Expr::Or(Vec::new())),
        Cond::And(parts) => Expr::And(parts.iter().map(|c| formula(c, selections)).collect()),
        Cond::Or(parts) => Expr::Or(parts.iter().map(|c| formula(c, selections)).collect()),
        Cond::Not(inner) => Expr::Not(Box::new(formula(inner, selections))),
    }
}

/// One conjunction: literals, or the reasons it was dropped.
pub type Conjunction = Result<Vec<Literal>, Vec<(Reason, String, usize)>>;

/// The formula in disjunctive normal form; `None` past `MAX_INSTANCES` conjunctions.
pub fn dnf(expr: &Expr, negated: bool) -> Option<Vec<Conjunction>> {
    Some(match (expr, negated) {
        (Expr::Atom(a), _) => vec![Ok(vec![Literal {
            atom: a.clone(),
            negated,
        }])],
        (Expr::Unsupported(r, d, l), _) => vec![Err(vec![(*r, d.clone(), *l)])],
        (Expr::Not(inner), _) => dnf(inner, !negated)?,
        (Expr::Or(parts), false) | (Expr::And(parts), true) => {
            let mut out = Vec::new();
            for p in parts {
                out.extend(dnf(p, negated)?);
                if out.len() > MAX_INSTANCES {
                    return None;
                }
            }
            out
        }
        (Expr::And(parts), false) | (Expr::Or(parts), true) => {
            let mut out: Vec<Conjunction> = vec![Ok(Vec::new())];
            for p in parts {
                let right = dnf(p, negated)?;
                let mut next = Vec::new();
                for l in &out {
                    for r in &right {
                        next.push(match (l, r) {
                            (Ok(a), Ok(b)) => Ok(a.iter().chain(b).cloned().collect()),
                            (Err(a), Err(b)) => Err(a.iter().chain(b).cloned().collect()),
                            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
                        });
                        if next.len() > MAX_INSTANCES {
                            return None;
                        }
                    }
                }
                out = next;
            }
            out
        }
    })
}
