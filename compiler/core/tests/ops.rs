//! The parser's operators and types against the runtime's table (runtime/src/ops.rs):
//! the syntax crate keeps its own operator enum, so these tests hold the two together,
//! and the checker's verdict on an operator is the verifier's.

use ward_compiler::check::allowed_ops;
use ward_compiler::hir::{EnumId, Type};
use ward_runtime::ops::{builtin_types, OPS};
use ward_runtime::{FieldType, Op};
use ward_syntax::ast;

#[test]
fn the_parser_declares_the_operators_of_the_table_in_its_order() {
    let parser: Vec<&str> = ast::Op::ALL.iter().map(|op| op.as_str()).collect();
    let table: Vec<&str> = OPS.iter().map(|d| d.spelling).collect();
    assert_eq!(parser, table);
    for op in ast::Op::ALL {
        assert_eq!(
            op as usize,
            OPS.iter().position(|d| d.spelling == op.as_str()).unwrap()
        );
    }
}

#[test]
fn every_builtin_type_of_the_table_is_a_type_of_the_language() {
    for def in builtin_types() {
        let ty = Type::builtin(def.name).unwrap_or_else(|| panic!("{} is not a type", def.name));
        assert_eq!(ty.builtin_field_type(), Some(def.ty));
        assert_eq!(ty.int_range(), def.range);
    }
    assert_eq!(Type::builtin("enum"), None);
}

#[test]
fn the_checker_allows_exactly_what_the_verifier_allows() {
    let types = builtin_types()
        .map(|d| (Type::builtin(d.name).unwrap(), d.ty))
        .chain([(Type::Enum(EnumId(0)), FieldType::Enum(0))]);
    for (ty, field_type) in types {
        let checker: Vec<&str> = allowed_ops(ty).iter().map(|op| op.as_str()).collect();
        let verifier: Vec<&str> = Op::allowed_on(field_type).map(|d| d.spelling).collect();
        assert_eq!(checker, verifier, "{ty:?}");
        assert!(!checker.is_empty());
    }
}
