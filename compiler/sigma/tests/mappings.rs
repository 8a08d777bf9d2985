//! The bundled mapping files (stdlib-templates/mappings/*.toml) against the stdlib they
//! map into: every template and field they name exists, enum values name variants of
//! the field's enum, and no Windows event or Sigma logsource is claimed twice, so the
//! importer and the event reader, which share the files, can never read a field that
//! is not there or feed one event to two templates.

use std::collections::BTreeSet;

use ward_compiler::hir::Type;
use ward_compiler::project::stdlib_sources;
use ward_sigma::mapping::{FieldMap, Mappings};

#[test]
fn every_mapping_names_fields_the_stdlib_template_has() {
    let program = ward_compiler::check(&stdlib_sources()).program;
    let mappings = Mappings::bundled().unwrap();
    let (mut events, mut logsources) = (BTreeSet::new(), BTreeSet::new());
    for map in &mappings.all {
        let template = program
            .templates
            .iter()
            .find(|t| t.name == map.template)
            .unwrap_or_else(|| panic!("no template {}", map.template));
        for (sigma, to) in &map.fields {
            let field = template.field(to.field()).unwrap_or_else(|| {
                panic!("{sigma} maps to {}.{}, absent", map.template, to.field())
            });
            match (field.ty, to.has_values()) {
                (Type::Enum(e), true) => {
                    let variants = &program.enums[e.0].variants;
                    let FieldMap::Detailed(d) = to else {
                        unreachable!("values are on the detailed form only")
                    };
                    for (text, v) in &d.values {
                        assert!(
                            variants.iter().any(|d| &d.name == v),
                            "{sigma}: {text} -> {v}, not a variant"
                        );
                    }
                }
                (Type::Enum(_), false) => panic!("{sigma}: an enum field without values"),
                (_, true) => panic!("{sigma}: values on a field that is no enum"),
                _ => {}
            }
        }
        for (to, derived) in &map.derived {
            assert!(template.field(to).is_some(), "derived {to} absent");
            assert!(!derived.key.is_empty(), "derived {to} names no key");
        }
        for e in &map.events {
            assert!(
                events.insert((e.provider.clone(), e.event_id)),
                "{} {} claimed twice",
                e.provider,
                e.event_id
            );
        }
        for c in &map.categories {
            assert!(
                logsources.insert((map.product.clone(), c.clone())),
                "logsource {}/{c} claimed twice",
                map.product
            );
        }
    }
    assert!(events.len() >= 10, "{events:?}");
}
