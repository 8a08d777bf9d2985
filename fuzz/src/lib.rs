//! Shared by the fuzz targets: a generator of valid channels from the fuzzer's bytes, the
//! host profile and key they verify under, and generators of events.
//!
//! "Valid" is by construction: every choice below stays inside what docs/channel-format.md
//! allows (operators on their types, operands of the field's type and width, patterns that
//! compile within the limits), so a generated channel that fails verification is a bug in
//! the runtime or in this generator, and the targets treat it as a crash.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use arbitrary::{Result, Unstructured};
use ward_runtime::model::*;
use ward_runtime::ops::{OpDef, Shape};
use ward_runtime::{HostTemplate, SensorProfile, SigningKey, TrustStore};

/// The fuzzing key, from a fixed seed: signatures are deterministic, so a crash input
/// reproduces byte for byte.
pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[0x5a; 32])
}

/// A trust store holding [`key`] alone.
pub fn trust() -> TrustStore {
    // A fixed, valid, non-weak key: this cannot fail.
    TrustStore::with_keys(vec![key().verifying_key()]).unwrap_or_else(|e| panic!("{e}"))
}

/// Most instances and criteria the generator makes: enough to reach every path of the
/// verifier and interpreter while keeping one execution well under a millisecond.
const MAX_GEN_INSTANCES: usize = 24;
const MAX_GEN_CRITERIA: usize = 6;
const MAX_GEN_LIST: usize = 6;
const MAX_GEN_TEXT: usize = 24;

fn field(name: &str, ty: FieldType) -> FieldDef {
    FieldDef {
        name: name.into(),
        ty,
    }
}

/// The template every generated channel is written against: one field of every type.
pub fn template() -> TemplateRef {
    TemplateRef {
        id: 7,
        name: "FuzzEvent".into(),
        version: 3,
        fields: vec![
            field("path", FieldType::Path),
            field("text", FieldType::String),
            field("u32", FieldType::U32),
            field("flag", FieldType::Bool),
            field("i64", FieldType::I64),
            field("addr", FieldType::Ip),
            field("hash", FieldType::Sha256),
            field("level", FieldType::Enum(0)),
            field("u16", FieldType::U16),
            field("u8", FieldType::U8),
            field("i32", FieldType::I32),
            field("u64", FieldType::U64),
        ],
    }
}

/// The one enum of [`template`].
pub fn level_enum() -> EnumDef {
    EnumDef {
        name: "Level".into(),
        variants: vec![
            ("untrusted".into(), 0),
            ("low".into(), 1),
            ("medium".into(), 0x2000),
            ("system".into(), u32::MAX),
        ],
    }
}

/// The host that supplies fields `1..=supplied` of [`template`].
pub fn host(supplied: u16) -> SensorProfile {
    let t = template();
    SensorProfile {
        name: "fuzz_sensor".into(),
        templates: vec![HostTemplate {
            id: t.id,
            version: t.version,
            supplied,
            fields: t.fields,
            enums: vec![level_enum()],
        }],
    }
}

/// A valid channel and the number of fields its host supplies.
#[derive(Debug, Clone)]
pub struct Generated {
    pub channel: Channel,
    pub supplied: u16,
}

fn text(u: &mut Unstructured<'_>) -> Result<String> {
    let s: String = u.arbitrary()?;
    Ok(s.chars().take(MAX_GEN_TEXT).collect())
}

fn ip(u: &mut Unstructured<'_>) -> Result<IpAddr> {
    Ok(if u.arbitrary()? {
        IpAddr::V4(Ipv4Addr::from(u.arbitrary::<u32>()?))
    } else {
        IpAddr::V6(Ipv6Addr::from(u.arbitrary::<u128>()?))
    })
}

/// A value of field type `ty` (of the field's width; enums a declared variant).
pub fn value_of(u: &mut Unstructured<'_>, ty: FieldType) -> Result<Value> {
    Ok(match ty {
        FieldType::Bool => Value::Bool(u.arbitrary()?),
        FieldType::U8 => Value::Uint(u64::from(u.arbitrary::<u8>()?)),
        FieldType::U16 => Value::Uint(u64::from(u.arbitrary::<u16>()?)),
        FieldType::U32 => Value::Uint(u64::from(u.arbitrary::<u32>()?)),
        FieldType::U64 => Value::Uint(u.arbitrary()?),
        FieldType::I32 => Value::Int(i64::from(u.arbitrary::<i32>()?)),
        FieldType::I64 => Value::Int(u.arbitrary()?),
        FieldType::String | FieldType::Path => Value::Str(text(u)?),
        FieldType::Ip => Value::Ip(ip(u)?),
        FieldType::Sha256 => Value::Sha256(u.arbitrary()?),
        FieldType::Enum(_) => {
            let variants = level_enum().variants;
            Value::Enum(u.choose(&variants)?.1)
        }
    })
}

/// A glob that compiles: literal text without brackets, wildcards and well-formed classes.
fn glob(u: &mut Unstructured<'_>) -> Result<String> {
    let mut out = String::new();
    for _ in 0..u.int_in_range(0..=8)? {
        match u.int_in_range(0..=5)? {
            0 => out.push('*'),
            1 => out.push('?'),
            2 => out.push_str("[a-f]"),
            3 => out.push_str("[!0-9]"),
            4 => out.push_str("[]*?]"),
            _ => out.extend(text(u)?.chars().filter(|c| !matches!(c, '[' | ']'))),
        }
    }
    Ok(out)
}

/// Regex syntax characters, escaped as `regex::escape` does.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Self-contained regex pieces: any concatenation or alternation of them compiles, and
/// none is large (no Unicode class under a counted repetition).
const REGEX_PIECES: &[&str] = &[
    "(?:[0-9]+)",
    "(?:^)",
    "(?:$)",
    "(?:.*)",
    "(?:a|b)",
    "(?i:pipe)",
    "(?:(?-u:\\w)+)",
    "(?:\\d)",
    "(?:[a-f]{2,4})",
    "(?:\\\\)",
    "(?:\\b)",
    "(?:x?)",
];

/// A regex that compiles within the limits.
fn regex(u: &mut Unstructured<'_>) -> Result<String> {
    let mut out = String::new();
    for _ in 0..u.int_in_range(0..=6)? {
        if !out.is_empty() && u.ratio(1, 5)? {
            out.push('|');
        }
        if u.arbitrary()? {
            out.push_str(u.choose(REGEX_PIECES)?);
        } else {
            out.push_str(&escape(&text(u)?));
        }
    }
    Ok(out)
}

fn criterion(u: &mut Unstructured<'_>, fields: &[FieldDef], supplied: u16) -> Result<Criterion> {
    let field = u.int_in_range(1..=supplied)?;
    let ty = fields
        .get(usize::from(field) - 1)
        .map_or(FieldType::Bool, |f| f.ty);
    // The operators defined on the field's type, each with the operand its row says.
    let ops: Vec<&OpDef> = Op::allowed_on(ty).collect();
    let def = *u.choose(&ops)?;
    let operand = match def.shape {
        Shape::Value => Operand::Scalar(value_of(u, ty)?),
        Shape::Text => Operand::Scalar(Value::Str(text(u)?)),
        Shape::List => {
            let n = u.int_in_range(1..=MAX_GEN_LIST)?;
            let mut values = Vec::with_capacity(n);
            for _ in 0..n {
                values.push(value_of(u, ty)?);
            }
            Operand::List(values)
        }
        Shape::Glob => Operand::Pattern(glob(u)?),
        Shape::Regex => Operand::Pattern(regex(u)?),
        Shape::Cidr => {
            let addr = ip(u)?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            Operand::Cidr {
                addr,
                prefix: u.int_in_range(0..=max)?,
            }
        }
    };
    let op = def.op;
    Ok(Criterion { field, op, operand })
}

/// A valid channel built from the fuzzer's bytes.
pub fn channel(u: &mut Unstructured<'_>) -> Result<Generated> {
    let template = template();
    let supplied = u.int_in_range(1..=12u16)?;
    let mut instances = Vec::new();
    let mut id: u32 = u.int_in_range(0..=1000)?;
    for _ in 0..u.int_in_range(0..=MAX_GEN_INSTANCES)? {
        let mut criteria = Vec::new();
        for _ in 0..u.int_in_range(1..=MAX_GEN_CRITERIA)? {
            criteria.push(criterion(u, &template.fields, supplied)?);
        }
        let mut tags = Vec::new();
        for _ in 0..u.int_in_range(0..=3)? {
            tags.push(text(u)?);
        }
        instances.push(Instance {
            id,
            name: text(u)?,
            severity: *u.choose(&Severity::ALL)?,
            action: *u.choose(&Action::ALL)?,
            tags,
            criteria,
        });
        let Some(next) = id.checked_add(u.int_in_range(1..=u32::MAX / 64)?) else {
            break;
        };
        id = next;
    }
    let mut targets = Vec::new();
    for _ in 0..u.int_in_range(0..=2)? {
        targets.push(Target {
            name: text(u)?,
            platform: text(u)?,
            version: text(u)?,
            supplied: u.int_in_range(1..=12)?,
        });
    }
    let channel = Channel {
        id: u.arbitrary()?,
        name: text(u)?,
        content_version: u.arbitrary()?,
        template,
        enums: vec![level_enum()],
        targets,
        build: BuildInfo {
            compiler: text(u)?,
            source_hash: u.arbitrary()?,
        },
        instances,
    };
    Ok(Generated { channel, supplied })
}

/// An event the host could really pass: `supplied` inputs, each of its field's type and
/// width (enum inputs may be undeclared variants, which hosts may send).
pub fn typed_event(u: &mut Unstructured<'_>, supplied: u16) -> Result<Vec<Value>> {
    let fields = template().fields;
    let mut inputs = Vec::with_capacity(usize::from(supplied));
    for f in fields.iter().take(usize::from(supplied)) {
        inputs.push(match f.ty {
            FieldType::Enum(_) if u.arbitrary()? => Value::Enum(u.arbitrary()?),
            ty => value_of(u, ty)?,
        });
    }
    Ok(inputs)
}

/// What a buggy sensor might pass: any number of inputs of any variant and width.
pub fn wild_event(u: &mut Unstructured<'_>) -> Result<Vec<Value>> {
    let n = u.int_in_range(0..=16)?;
    let mut inputs = Vec::with_capacity(n);
    for _ in 0..n {
        inputs.push(match u.int_in_range(0..=6)? {
            0 => Value::Bool(u.arbitrary()?),
            1 => Value::Uint(u.arbitrary()?),
            2 => Value::Int(u.arbitrary()?),
            3 => Value::Str(u.arbitrary()?),
            4 => Value::Ip(ip(u)?),
            5 => Value::Sha256(u.arbitrary()?),
            _ => Value::Enum(u.arbitrary()?),
        });
    }
    Ok(inputs)
}
