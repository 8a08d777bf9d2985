//! The C data a C host passes to the C ABI, made from the runtime's Rust values: a
//! sensor profile as the static data `ward sensor export --lang c` generates, and an
//! event's inputs as `WardValue`s borrowing the event's text. Shared by the C ABI fuzz
//! target (fuzz/fuzz_targets/c_abi.rs) and the C ABI benchmark (benches/evaluate.rs).

use std::ffi::CString;
use std::net::IpAddr;
use std::ptr;

use ward_ffi::*;
use ward_runtime::{FieldType, SensorProfile, Value};

/// The host profile as the C data a generated profile header holds; the strings and
/// arrays live in `Keep` for as long as the definition is used.
#[derive(Default)]
pub struct Keep {
    names: Vec<CString>,
    fields: Vec<Vec<WardFieldDef>>,
    variants: Vec<Vec<WardVariantDef>>,
    enums: Vec<Vec<WardEnumDef>>,
    templates: Vec<WardTemplateDef>,
}

/// An error record for the ABI to write into: no failure yet, no offset, no message.
pub fn no_error() -> WardError {
    WardError {
        status: WardStatus::Ok,
        code: 0,
        offset: WARD_NO_OFFSET,
        message: [0; WARD_MESSAGE_LEN],
    }
}

fn c_name(keep: &mut Keep, s: &str) -> *const std::ffi::c_char {
    keep.names.push(CString::new(s).unwrap_or_default());
    keep.names.last().map_or(ptr::null(), |c| c.as_ptr())
}

fn type_code(ty: FieldType) -> (u8, u16) {
    match ty {
        FieldType::Bool => (WARD_TYPE_BOOL, 0),
        FieldType::U8 => (WARD_TYPE_U8, 0),
        FieldType::U16 => (WARD_TYPE_U16, 0),
        FieldType::U32 => (WARD_TYPE_U32, 0),
        FieldType::U64 => (WARD_TYPE_U64, 0),
        FieldType::I32 => (WARD_TYPE_I32, 0),
        FieldType::I64 => (WARD_TYPE_I64, 0),
        FieldType::String => (WARD_TYPE_STRING, 0),
        FieldType::Path => (WARD_TYPE_PATH, 0),
        FieldType::Ip => (WARD_TYPE_IP, 0),
        FieldType::Sha256 => (WARD_TYPE_SHA256, 0),
        FieldType::Enum(i) => (WARD_TYPE_ENUM, i),
    }
}

pub fn c_profile(keep: &mut Keep, profile: &SensorProfile) -> WardSensorProfileDef {
    for t in &profile.templates {
        let fields: Vec<WardFieldDef> = t
            .fields
            .iter()
            .map(|f| {
                let (ty, enum_index) = type_code(f.ty);
                WardFieldDef {
                    name: c_name(keep, &f.name),
                    r#type: ty,
                    enum_index,
                }
            })
            .collect();
        let mut enums = Vec::new();
        for e in &t.enums {
            let variants: Vec<WardVariantDef> = e
                .variants
                .iter()
                .map(|(n, v)| WardVariantDef {
                    name: c_name(keep, n),
                    value: *v,
                })
                .collect();
            // The inner vectors' buffers stay put as the outer ones grow.
            let (variants_ptr, variant_count) = (variants.as_ptr(), variants.len());
            keep.variants.push(variants);
            enums.push(WardEnumDef {
                name: c_name(keep, &e.name),
                variants: variants_ptr,
                variant_count,
            });
        }
        keep.fields.push(fields);
        keep.enums.push(enums);
        let (f, e) = (keep.fields.last().unwrap(), keep.enums.last().unwrap());
        let (fp, fl, ep, el) = (f.as_ptr(), f.len(), e.as_ptr(), e.len());
        let name = c_name(keep, "T");
        keep.templates.push(WardTemplateDef {
            name,
            id: t.id,
            version: t.version,
            supplied: t.supplied,
            fields: fp,
            field_count: fl,
            enums: ep,
            enum_count: el,
        });
    }
    WardSensorProfileDef {
        name: c_name(keep, &profile.name),
        templates: keep.templates.as_ptr(),
        template_count: keep.templates.len(),
    }
}

/// An input as a C host passes it: `bytes` points into `value`, or for an address into
/// `ip` (its bytes in network order, from [`ip_bytes`]: an `IpAddr` holds none to lend).
fn c_value(value: &Value, ip: &[u8]) -> WardValue {
    let mut v = WardValue {
        kind: 0,
        uint: 0,
        sint: 0,
        bytes: ptr::null(),
        len: 0,
    };
    match value {
        Value::Bool(b) => (v.kind, v.uint) = (WARD_VALUE_BOOL, u64::from(*b)),
        Value::Uint(n) => (v.kind, v.uint) = (WARD_VALUE_UINT, *n),
        Value::Int(n) => (v.kind, v.sint) = (WARD_VALUE_INT, *n),
        Value::Enum(n) => (v.kind, v.uint) = (WARD_VALUE_ENUM, u64::from(*n)),
        Value::Str(s) => (v.kind, v.bytes, v.len) = (WARD_VALUE_STR, s.as_ptr(), s.len()),
        Value::Sha256(h) => (v.kind, v.bytes, v.len) = (WARD_VALUE_SHA256, h.as_ptr(), 32),
        Value::Ip(_) => (v.kind, v.bytes, v.len) = (WARD_VALUE_IP, ip.as_ptr(), ip.len()),
    }
    v
}

/// The addresses of `event` in network order (empty for other inputs), kept alive for the
/// `WardValue`s [`c_inputs`] points at them.
pub fn ip_bytes(event: &[Value]) -> Vec<Vec<u8>> {
    event
        .iter()
        .map(|v| match v {
            Value::Ip(IpAddr::V4(a)) => a.octets().to_vec(),
            Value::Ip(IpAddr::V6(a)) => a.octets().to_vec(),
            _ => Vec::new(),
        })
        .collect()
}

/// `event` as a C host passes it; `ips` is [`ip_bytes`] of it.
pub fn c_inputs(event: &[Value], ips: &[Vec<u8>]) -> Vec<WardValue> {
    event
        .iter()
        .zip(ips)
        .map(|(v, ip)| c_value(v, ip))
        .collect()
}
