//! The operator and type table (runtime/src/ops.rs): every type has its row, lookups
//! answer from the rows, and docs/channel-format.md's type and operator tables are the
//! ones generated from them.

mod common;

use ward_runtime::ops::{Class, OpDef, Shape, TypeDef, OPS, TYPES};
use ward_runtime::{FieldType, Op, Operand, Value};

/// One value of every `FieldType` variant. The match has no wildcard, so a new variant
/// fails to compile here until it is listed, and then fails the test until it has a row.
fn every_field_type() -> Vec<FieldType> {
    let all = vec![
        FieldType::Bool,
        FieldType::U8,
        FieldType::U16,
        FieldType::U32,
        FieldType::U64,
        FieldType::I32,
        FieldType::I64,
        FieldType::String,
        FieldType::Path,
        FieldType::Ip,
        FieldType::Sha256,
        FieldType::Enum(3),
    ];
    for ty in &all {
        match ty {
            FieldType::Bool
            | FieldType::U8
            | FieldType::U16
            | FieldType::U32
            | FieldType::U64
            | FieldType::I32
            | FieldType::I64
            | FieldType::String
            | FieldType::Path
            | FieldType::Ip
            | FieldType::Sha256
            | FieldType::Enum(_) => {}
        }
    }
    all
}

#[test]
fn every_type_has_its_own_row() {
    let all = every_field_type();
    assert_eq!(all.len(), TYPES.len());
    for ty in all {
        let def = ty.def();
        let back = FieldType::from_tag(def.tag).unwrap();
        assert!(std::ptr::eq(def, back), "{ty:?}");
        match ty {
            FieldType::Enum(_) => assert_eq!(ty.builtin_name(), None),
            _ => {
                assert_eq!(def.ty, ty);
                assert_eq!(FieldType::builtin(def.name), Some(ty));
            }
        }
    }
    assert_eq!(FieldType::from_tag(0), None);
    assert_eq!(FieldType::from_tag(TYPES.len() as u8 + 1), None);
    assert_eq!(FieldType::builtin("enum"), None);
}

#[test]
fn operators_are_found_by_tag_and_spelling() {
    for def in &OPS {
        assert_eq!(def.op.def(), def);
        assert_eq!(Op::from_tag(def.tag), Some(def.op));
        assert_eq!(Op::from_spelling(def.spelling), Some(def.op));
    }
    assert_eq!(Op::from_tag(0), None);
    assert_eq!(Op::from_tag(OPS.len() as u8 + 1), None);
    assert_eq!(Op::from_spelling("not"), None);
}

#[test]
fn the_not_forms_are_spelled_with_not() {
    for def in &OPS {
        let positive = def.negation.def();
        if def.negated && def.op != Op::Ne {
            assert_eq!(
                def.spelling,
                format!("not {}", positive.spelling),
                "{def:?}"
            );
        }
        assert_eq!(def.shape, positive.shape, "{def:?}");
    }
}

#[test]
fn shapes_accept_their_operands_only() {
    let operands: [Operand; 4] = [
        Operand::Scalar(Value::Uint(1)),
        Operand::List(vec![Value::Uint(1)]),
        Operand::Pattern("*".into()),
        Operand::Cidr {
            addr: "10.0.0.0".parse().unwrap(),
            prefix: 8,
        },
    ];
    for (shape, accepted) in [
        (Shape::Value, 0),
        (Shape::Text, 0),
        (Shape::List, 1),
        (Shape::Glob, 2),
        (Shape::Regex, 2),
        (Shape::Cidr, 3),
    ] {
        for (i, operand) in operands.iter().enumerate() {
            assert_eq!(
                shape.accepts(operand),
                i == accepted,
                "{shape:?} {operand:?}"
            );
        }
    }
}

/// A type as the docs name it: in backquotes, the enum row as "enums".
fn type_word(t: &TypeDef) -> String {
    match t.ty {
        FieldType::Enum(_) => "enums".to_string(),
        _ => format!("`{}`", t.name),
    }
}

fn field_types(def: &OpDef) -> String {
    let allowed: Vec<&TypeDef> = TYPES.iter().filter(|t| def.allows(t.ty)).collect();
    if allowed.len() == TYPES.len() {
        return "all".to_string();
    }
    allowed
        .into_iter()
        .map(type_word)
        .collect::<Vec<_>>()
        .join(" ")
}

fn rendered_types() -> String {
    let mut out = String::from("| type tag | type | compared as |\n| --- | --- | --- |\n");
    for t in &TYPES {
        let name = match t.ty {
            FieldType::Enum(_) => "`enum` + `u16` index".to_string(),
            _ => format!("`{}`", t.name),
        };
        out.push_str(&format!("| {} | {name} | {} |\n", t.tag, t.compared_as));
    }
    out
}

fn rendered_ops() -> String {
    let mut out = String::from(
        "| operator tag | operator | negation | operand | field types |\n| --- | --- | --- | --- | --- |\n",
    );
    for def in &OPS {
        let negation = def.negation.def().spelling;
        let negation = if def.negated {
            format!("`{negation}` (this is its `not` form)")
        } else {
            format!("`{negation}`")
        };
        out.push_str(&format!(
            "| {} | `{}` | {negation} | {} | {} |\n",
            def.tag,
            def.spelling,
            def.shape.describe(),
            field_types(def)
        ));
    }
    out
}

/// One test for both tables: with `UPDATE_DOCS` set, each rewrites the same file.
#[test]
fn the_docs_tables_are_generated_from_the_rows() {
    common::check_generated_table(&rendered_types());
    common::check_generated_table(&rendered_ops());
}

#[test]
fn the_ordered_types_are_the_integers() {
    assert!(TYPES.iter().all(|t| t.class.has(Class::ANY)));
    let ordered: Vec<&str> = TYPES
        .iter()
        .filter(|t| t.class.has(Class::ORDERED))
        .map(|t| t.name)
        .collect();
    assert_eq!(ordered, ["u8", "u16", "u32", "u64", "i32", "i64"]);
    assert!(TYPES
        .iter()
        .all(|t| t.class.has(Class::ORDERED) == t.range.is_some()));
}
