//! A sensor profile from the static data of a generated C profile
//! (`ward sensor export NAME --lang c`), checked on the way in: every name UTF-8, every
//! type code known, every count within the runtime's limits.

use ward_runtime::limits::{MAX_ENUMS, MAX_ENUM_VARIANTS, MAX_FIELDS};
use ward_runtime::{EnumDef, FieldDef, FieldType, HostTemplate, SensorProfile};

use crate::abi::*;
use crate::guard::{slice, text, Failure};

/// More templates than any sensor supplies; a bound on what a host's count can make us read.
const MAX_TEMPLATES: usize = 4096;

/// The runtime's profile for `def`.
///
/// # Safety
/// `def` and every pointer reachable from it must be valid as ward.h documents
/// `WardSensorProfileDef`: arrays of the stated counts, NUL-terminated names.
pub(crate) unsafe fn read(def: &WardSensorProfileDef) -> Result<SensorProfile, Failure> {
    // SAFETY: the caller's guarantee for `def.name`.
    let name = unsafe { text(def.name, "profile name") }?;
    let count = within(def.template_count, MAX_TEMPLATES, "template_count")?;
    // SAFETY: the caller's guarantee for `def.templates`, `count` long.
    let defs = unsafe { slice(def.templates, count, "templates") }?;
    let templates = defs
        .iter()
        // SAFETY: each template is reachable from `def`, so the caller's guarantee holds.
        .map(|t| unsafe { template(t) })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SensorProfile {
        name: name.to_string(),
        templates,
    })
}

/// # Safety
/// As for [`read`], for this template.
unsafe fn template(def: &WardTemplateDef) -> Result<HostTemplate, Failure> {
    let field_count = within(def.field_count, MAX_FIELDS, "field_count")?;
    let enum_count = within(def.enum_count, MAX_ENUMS, "enum_count")?;
    // SAFETY: the caller's guarantee for `def.fields`.
    let fields = unsafe { slice(def.fields, field_count, "fields") }?;
    // SAFETY: the caller's guarantee for `def.enums`.
    let enums = unsafe { slice(def.enums, enum_count, "enums") }?;
    Ok(HostTemplate {
        id: def.id,
        version: def.version,
        supplied: def.supplied,
        fields: fields
            .iter()
            // SAFETY: reachable from `def`.
            .map(|f| unsafe { field(f) })
            .collect::<Result<_, _>>()?,
        enums: enums
            .iter()
            // SAFETY: reachable from `def`.
            .map(|e| unsafe { enum_def(e) })
            .collect::<Result<_, _>>()?,
    })
}

/// # Safety
/// As for [`read`], for this field.
unsafe fn field(def: &WardFieldDef) -> Result<FieldDef, Failure> {
    // SAFETY: the caller's guarantee for the field's name.
    let name = unsafe { text(def.name, "field name") }?;
    let ty = field_type(def.r#type, def.enum_index).ok_or_else(|| {
        Failure::new(
            WardStatus::Profile,
            format!("field `{name}` has unknown type code {}", def.r#type),
        )
    })?;
    Ok(FieldDef {
        name: name.to_string(),
        ty,
    })
}

/// # Safety
/// As for [`read`], for this enum.
unsafe fn enum_def(def: &WardEnumDef) -> Result<EnumDef, Failure> {
    // SAFETY: the caller's guarantee for the enum's name.
    let name = unsafe { text(def.name, "enum name") }?;
    let count = within(def.variant_count, MAX_ENUM_VARIANTS, "variant_count")?;
    // SAFETY: the caller's guarantee for `def.variants`.
    let variants = unsafe { slice(def.variants, count, "variants") }?;
    Ok(EnumDef {
        name: name.to_string(),
        variants: variants
            .iter()
            .map(|v| {
                // SAFETY: reachable from `def`.
                let name = unsafe { text(v.name, "variant name") }?;
                Ok((name.to_string(), v.value))
            })
            .collect::<Result<_, Failure>>()?,
    })
}

/// The field type of a `WARD_TYPE_*` code: the codes are the runtime's wire tags
/// (`ward_runtime::ops::TYPES`; the test below holds the two together).
fn field_type(code: u8, enum_index: u16) -> Option<FieldType> {
    FieldType::from_tag(code).map(|def| match def.ty {
        FieldType::Enum(_) => FieldType::Enum(enum_index),
        builtin => builtin,
    })
}

fn within(count: usize, limit: usize, what: &str) -> Result<usize, Failure> {
    if count > limit {
        return Err(Failure::new(
            WardStatus::Profile,
            format!("`{what}` is {count}; the limit is {limit}"),
        ));
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_codes_are_the_wire_tags() {
        let codes = [
            ("bool", WARD_TYPE_BOOL),
            ("u8", WARD_TYPE_U8),
            ("u16", WARD_TYPE_U16),
            ("u32", WARD_TYPE_U32),
            ("u64", WARD_TYPE_U64),
            ("i32", WARD_TYPE_I32),
            ("i64", WARD_TYPE_I64),
            ("string", WARD_TYPE_STRING),
            ("path", WARD_TYPE_PATH),
            ("ip", WARD_TYPE_IP),
            ("sha256", WARD_TYPE_SHA256),
            ("enum", WARD_TYPE_ENUM),
        ];
        assert_eq!(codes.len(), ward_runtime::ops::TYPES.len());
        for ((name, code), def) in codes.into_iter().zip(&ward_runtime::ops::TYPES) {
            assert_eq!((name, code), (def.name, def.tag));
        }
        assert_eq!(field_type(WARD_TYPE_ENUM, 3), Some(FieldType::Enum(3)));
        assert_eq!(field_type(0, 0), None);
    }
}
