//! Property: the C ABI (ward-ffi) never lets a panic out and answers as the Rust API
//! does. A generated channel, signed, verifies through `ward_channel_verify` for the host
//! profile passed as C data exactly when `ward_runtime::verify` accepts it (a flipped
//! byte sometimes makes it refused: then the status is VERIFY); every event, well typed
//! or wild (unknown kinds, wrong lengths, bad UTF-8), evaluates to the Rust API's matches
//! or to a status, and a small match buffer is TRUNCATED with the true count.
#![no_main]

use std::ffi::CString;
use std::net::IpAddr;
use std::ptr;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ward_encode::sign;
use ward_ffi::*;
use ward_fuzz::{channel, host, key, trust, typed_event, wild_event};
use ward_runtime::{verify, FieldType, SensorProfile, Value};

/// The host profile as the C data a generated profile header holds; the strings and
/// arrays live in `Keep` for as long as the definition is used.
#[derive(Default)]
struct Keep {
    names: Vec<CString>,
    fields: Vec<Vec<WardFieldDef>>,
    variants: Vec<Vec<WardVariantDef>>,
    enums: Vec<Vec<WardEnumDef>>,
    templates: Vec<WardTemplateDef>,
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

fn c_profile(keep: &mut Keep, profile: &SensorProfile) -> WardSensorProfileDef {
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

/// An input as a C host passes it; `bytes` points into `value` (or into `junk`).
fn c_value(value: &Value) -> WardValue {
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
        Value::Ip(_) => v.kind = WARD_VALUE_IP,
    }
    v
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let generated = channel(u)?;
    let mut bytes = sign(&generated.channel, &[&key()]).unwrap_or_else(|e| panic!("sign: {e}"));
    if u.ratio(1, 4)? && !bytes.is_empty() {
        let at = u.choose_index(bytes.len())?;
        bytes[at] ^= u.int_in_range(1..=255)?;
    }
    let profile = host(generated.supplied);
    let rust = verify(&bytes, &trust(), &profile);

    let mut keep = Keep::default();
    let def = c_profile(&mut keep, &profile);
    let key = key().verifying_key().to_bytes();
    let mut err = WardError {
        status: WardStatus::Ok,
        code: 0,
        offset: 0,
        message: [0; WARD_MESSAGE_LEN],
    };
    let (mut t, mut p, mut c) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: `key` is 32 readable bytes and `t` and `err` are writable.
    assert_eq!(
        unsafe { ward_trust_new(key.as_ptr(), 1, 1, &mut t, &mut err) },
        WardStatus::Ok
    );
    // SAFETY: `def` and all it points to live in `keep` until the end of this function.
    assert_eq!(
        unsafe { ward_profile_new(&def, &mut p, &mut err) },
        WardStatus::Ok
    );
    // SAFETY: `bytes` is readable for its length; the handles are live; `c` is writable.
    let status =
        unsafe { ward_channel_verify(bytes.as_ptr(), bytes.len(), t, p, &mut c, &mut err) };
    match &rust {
        Ok(_) => assert_eq!(status, WardStatus::Ok),
        Err(e) => {
            assert_eq!(status, WardStatus::Verify);
            assert_eq!(err.status, WardStatus::Verify);
            assert!(
                err.message.contains(&0),
                "the message is NUL-terminated ({e})"
            );
        }
    }
    if let Ok(verified) = &rust {
        for _ in 0..u.int_in_range(1..=8)? {
            let event = if u.ratio(1, 3)? {
                wild_event(u)?
            } else {
                typed_event(u, generated.supplied)?
            };
            let ips: Vec<Vec<u8>> = event
                .iter()
                .map(|v| match v {
                    Value::Ip(IpAddr::V4(a)) => a.octets().to_vec(),
                    Value::Ip(IpAddr::V6(a)) => a.octets().to_vec(),
                    _ => Vec::new(),
                })
                .collect();
            let junk: Vec<u8> = u.arbitrary()?;
            let mut inputs: Vec<WardValue> = event.iter().map(c_value).collect();
            for (v, ip) in inputs.iter_mut().zip(&ips) {
                if v.kind == WARD_VALUE_IP {
                    (v.bytes, v.len) = (ip.as_ptr(), ip.len());
                }
            }
            // Now and then a value a buggy host might pass: any kind, any bytes.
            let wild = u.ratio(1, 4)?;
            if wild && !inputs.is_empty() {
                let at = u.choose_index(inputs.len())?;
                inputs[at] = WardValue {
                    kind: u.int_in_range(0..=9)?,
                    uint: u.arbitrary()?,
                    sint: u.arbitrary()?,
                    bytes: junk.as_ptr(),
                    len: junk.len(),
                };
            }
            let capacity = u.int_in_range(0..=8)?;
            let mut matches = vec![
                WardMatch {
                    instance: 0,
                    severity: 0,
                    action: 0
                };
                capacity
            ];
            let mut found = usize::MAX;
            // SAFETY: `c` is live; every input's `bytes` points into `event`, `ips` or
            // `junk`, alive here, for its `len`; `matches` holds `capacity` entries.
            let status = unsafe {
                ward_channel_evaluate(
                    c,
                    inputs.as_ptr(),
                    inputs.len(),
                    matches.as_mut_ptr(),
                    capacity,
                    &mut found,
                    &mut err,
                )
            };
            assert_ne!(status, WardStatus::Panic);
            if wild {
                continue;
            }
            match verified.evaluate(&event) {
                Ok(expected) => {
                    assert_eq!(found, expected.len());
                    let want = if expected.len() > capacity {
                        WardStatus::Truncated
                    } else {
                        WardStatus::Ok
                    };
                    assert_eq!(status, want);
                    for (got, m) in matches.iter().zip(&expected) {
                        assert_eq!(got.instance, m.instance);
                    }
                }
                Err(_) => assert_eq!(status, WardStatus::Event),
            }
        }
    }
    // SAFETY: each handle is from its constructor (or null) and freed once.
    unsafe { ward_channel_free(c) };
    // SAFETY: as above.
    unsafe { ward_profile_free(p) };
    // SAFETY: as above.
    unsafe { ward_trust_free(t) };
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
