//! Lowering: a checked channel becomes the runtime's channel model, and a declared sensor
//! becomes the host profile the runtime verifies against.
//!
//! Both take their field types from [`template_types`], so a channel and the profile it is
//! verified against always number their enums the same way.

use sha2::{Digest, Sha256};
use ward_runtime::model::{self, BuildInfo, EnumDef, FieldDef, FieldType};
use ward_runtime::{HostTemplate, SensorProfile};
use ward_syntax::lexer;

use crate::hir::{ChannelId, Program, SensorId, TemplateId, Type};
use crate::sources::Sources;

/// The compiler named in every channel it builds.
pub const COMPILER: &str = concat!("ward ", env!("CARGO_PKG_VERSION"));

/// A template's fields in the runtime's terms, with the enums they use, numbered in order
/// of first use.
pub fn template_types(program: &Program, tid: TemplateId) -> (Vec<FieldDef>, Vec<EnumDef>) {
    let template = program.template(tid);
    let mut used: Vec<crate::hir::EnumId> = Vec::new();
    let fields = template
        .fields
        .iter()
        .map(|f| FieldDef {
            name: f.name.clone(),
            ty: match f.ty {
                Type::Enum(e) => {
                    let index = used.iter().position(|u| *u == e).unwrap_or_else(|| {
                        used.push(e);
                        used.len() - 1
                    });
                    // Templates have at most MAX_FIELDS (128) fields, so this fits.
                    FieldType::Enum(u16::try_from(index).unwrap_or(u16::MAX))
                }
                // Never the fallback: enums are the arm above.
                builtin => builtin.builtin_field_type().unwrap_or(FieldType::Bool),
            },
        })
        .collect();
    let enums = used
        .iter()
        .map(|e| {
            let e = &program.enums[e.0];
            EnumDef {
                name: e.name.clone(),
                variants: e
                    .variants
                    .iter()
                    .map(|v| (v.name.clone(), v.value))
                    .collect(),
            }
        })
        .collect();
    (fields, enums)
}

/// The runtime model of one channel. Instances go in ascending id order, as the format
/// requires; everything else keeps source order, so the same sources give the same bytes.
pub fn channel(program: &Program, sources: &Sources, cid: ChannelId) -> model::Channel {
    let ch = program.channel(cid);
    let template = program.template(ch.template);
    let (fields, enums) = template_types(program, ch.template);
    let mut instances: Vec<model::Instance> = ch
        .instances
        .iter()
        .map(|i| model::Instance {
            id: i.id,
            name: i.name.clone(),
            severity: i.severity,
            action: i.action,
            tags: i.tags.clone(),
            criteria: i
                .criteria
                .iter()
                .map(|c| model::Criterion {
                    field: c.field,
                    op: c.op,
                    operand: c.operand.clone(),
                })
                .collect(),
        })
        .collect();
    instances.sort_by_key(|i| i.id);
    model::Channel {
        id: ch.id,
        name: ch.name.clone(),
        content_version: ch.version,
        template: model::TemplateRef {
            id: template.id,
            name: template.name.clone(),
            version: template.version,
            fields,
        },
        enums,
        targets: ch
            .targets
            .iter()
            .map(|t| {
                let s = program.sensor(t.sensor);
                model::Target {
                    name: s.name.clone(),
                    platform: s.platform.as_str().to_string(),
                    version: s.version.clone(),
                    supplied: s.supply(ch.template).map_or(0, |x| x.last),
                }
            })
            .collect(),
        build: BuildInfo {
            compiler: COMPILER.to_string(),
            source_hash: source_hash(sources.get(ch.decl.file).slice(ch.decl.span)),
        },
        instances,
    }
}

/// SHA-256 of a declaration's tokens joined by single spaces: the same for any layout and
/// any comments, so `ward fmt` never changes a channel's bytes.
fn source_hash(text: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for (i, (start, _, end)) in lexer::lex(text).tokens.iter().enumerate() {
        if i > 0 {
            hasher.update(b" ");
        }
        hasher.update(text.get(*start..*end).unwrap_or("").as_bytes());
    }
    hasher.finalize().into()
}

/// What a sensor supplies, as the runtime's verifier and interpreter take it.
pub fn sensor_profile(program: &Program, sid: SensorId) -> SensorProfile {
    let sensor = program.sensor(sid);
    SensorProfile {
        name: sensor.name.clone(),
        templates: sensor
            .supplies
            .iter()
            .map(|s| {
                let (fields, enums) = template_types(program, s.template);
                HostTemplate {
                    id: program.template(s.template).id,
                    version: program.template(s.template).version,
                    supplied: s.last,
                    fields,
                    enums,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::source_hash;

    #[test]
    fn the_source_hash_ignores_layout_and_comments() {
        let a = source_hash("channel C = 1 { version 1 // note\n template T }");
        let b = source_hash("channel C = 1 {\n    version 1\n    template T\n}");
        let c = source_hash("channel C = 1 { version 2 template T }");
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
