//! Events: the positional inputs a sensor supplies, built from JSON (`ward run`) or from
//! a test block (`ward test`).
//!
//! Decoding needs only what a channel carries of its template (field names, types and
//! enums) and how many inputs the sensor supplies, so a channel file is enough to read
//! events for it: [`Shape`] is that, from a channel model or a verified channel.

use std::net::IpAddr;

use serde_json::Value as Json;
use ward_runtime::model::{Channel, EnumDef, FieldType, TemplateRef, Value};
use ward_runtime::VerifiedChannel;

use crate::check::values::parse_sha256;

/// The value a field takes when an event leaves it out.
pub fn zero(ty: FieldType, enums: &[EnumDef]) -> Value {
    match ty {
        FieldType::Bool => Value::Bool(false),
        FieldType::U8 | FieldType::U16 | FieldType::U32 | FieldType::U64 => Value::Uint(0),
        FieldType::I32 | FieldType::I64 => Value::Int(0),
        FieldType::String | FieldType::Path => Value::Str(String::new()),
        FieldType::Ip => Value::Ip(IpAddr::from([0, 0, 0, 0])),
        FieldType::Sha256 => Value::Sha256([0; 32]),
        FieldType::Enum(e) => Value::Enum(
            enums
                .get(usize::from(e))
                .and_then(|e| e.variants.first())
                .map_or(0, |v| v.1),
        ),
    }
}

/// What events for one channel on one sensor look like.
#[derive(Debug, Clone, Copy)]
pub struct Shape<'a> {
    pub template: &'a TemplateRef,
    /// The enums `template`'s fields refer to.
    pub enums: &'a [EnumDef],
    /// The sensor supplies inputs `1..=supplied`.
    pub supplied: u16,
}

impl<'a> Shape<'a> {
    pub fn of_model(channel: &'a Channel, supplied: u16) -> Shape<'a> {
        Shape {
            template: &channel.template,
            enums: &channel.enums,
            supplied,
        }
    }

    pub fn of_verified(channel: &'a VerifiedChannel) -> Shape<'a> {
        Shape {
            template: channel.template(),
            enums: channel.enums(),
            supplied: channel.supplied(),
        }
    }
}

/// Inputs `1..=supplied`: the given `(field number, value)` pairs, zero values elsewhere.
/// Fields past `supplied` are dropped, as a sensor that does not supply them would.
pub fn inputs(shape: Shape<'_>, given: &[(u16, Value)]) -> Vec<Value> {
    shape
        .template
        .fields
        .iter()
        .take(usize::from(shape.supplied))
        .enumerate()
        .map(|(i, f)| {
            given
                .iter()
                .find(|(n, _)| usize::from(*n) == i + 1)
                .map_or_else(|| zero(f.ty, shape.enums), |(_, v)| v.clone())
        })
        .collect()
}

/// Decodes one JSON event, `{"template": NAME, "fields": {NAME: VALUE, ...}}`, into the
/// inputs a sensor supplying `supplied` inputs would pass. An event of another template
/// is `None`: a sensor routes it to the channels of its own template.
pub fn from_json(shape: Shape<'_>, event: &Json) -> Result<Option<Vec<Value>>, String> {
    let template = event
        .get("template")
        .and_then(Json::as_str)
        .ok_or("an event is an object with \"template\" (a name) and \"fields\" (an object)")?;
    if template != shape.template.name {
        return Ok(None);
    }
    let fields = match event.get("fields") {
        Some(Json::Object(fields)) => fields,
        None => return Ok(Some(inputs(shape, &[]))),
        Some(_) => return Err("\"fields\" must be an object of field names and values".into()),
    };
    let mut given = Vec::with_capacity(fields.len());
    for (name, json) in fields {
        let fields = &shape.template.fields;
        let Some(index) = fields.iter().position(|f| &f.name == name) else {
            return Err(format!("template `{template}` has no field `{name}`"));
        };
        let field = &fields[index];
        let value =
            value(field.ty, shape.enums, json).map_err(|why| format!("field `{name}`: {why}"))?;
        given.push((u16::try_from(index + 1).unwrap_or(u16::MAX), value));
    }
    Ok(Some(inputs(shape, &given)))
}

/// A JSON value as a value of `ty`: numbers for integers, strings for text, ip, sha256 and
/// enum variants (by name), booleans for `bool`.
fn value(ty: FieldType, enums: &[EnumDef], json: &Json) -> Result<Value, String> {
    let found = || format!("found {json}");
    let unsigned = |max: u64| {
        json.as_u64()
            .filter(|n| *n <= max)
            .map(Value::Uint)
            .ok_or_else(|| format!("expected an integer from 0 to {max}, {}", found()))
    };
    let signed = |min: i64, max: i64| {
        json.as_i64()
            .filter(|n| (min..=max).contains(n))
            .map(Value::Int)
            .ok_or_else(|| format!("expected an integer from {min} to {max}, {}", found()))
    };
    let text = || {
        json.as_str()
            .ok_or_else(|| format!("expected a string, {}", found()))
    };
    match ty {
        FieldType::Bool => json
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| format!("expected true or false, {}", found())),
        FieldType::U8 => unsigned(u8::MAX.into()),
        FieldType::U16 => unsigned(u16::MAX.into()),
        FieldType::U32 => unsigned(u32::MAX.into()),
        FieldType::U64 => unsigned(u64::MAX),
        FieldType::I32 => signed(i32::MIN.into(), i32::MAX.into()),
        FieldType::I64 => signed(i64::MIN, i64::MAX),
        FieldType::String | FieldType::Path => text().map(|s| Value::Str(s.to_string())),
        FieldType::Ip => text()?
            .parse::<IpAddr>()
            .map(Value::Ip)
            .map_err(|_| format!("expected an ip address, {}", found())),
        FieldType::Sha256 => parse_sha256(text()?)
            .map(Value::Sha256)
            .ok_or_else(|| format!("expected 64 hex digits, {}", found())),
        FieldType::Enum(e) => {
            let def = enums
                .get(usize::from(e))
                .ok_or("the channel's enum table is incomplete")?;
            let name = text()?;
            def.variants
                .iter()
                .find(|(v, _)| v == name)
                .map(|(_, n)| Value::Enum(*n))
                .ok_or_else(|| {
                    let names: Vec<&str> = def.variants.iter().map(|(v, _)| v.as_str()).collect();
                    format!(
                        "`{name}` is not a variant of `{}` ({})",
                        def.name,
                        names.join(", ")
                    )
                })
        }
    }
}
