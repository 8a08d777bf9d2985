//! The table of operators and built-in types: one row each, and the only place their wire
//! tags, spellings, negations, operand shapes and allowed types are written down.
//!
//! The verifier (verify.rs), the wire format (wire.rs, decode.rs, ward-encode), the
//! compiler's checker (check/values.rs) and built-in type names (hir.rs), the fuzz and
//! property-test generators and the tables of docs/channel-format.md all read these rows;
//! runtime/tests/ops.rs fails when the docs differ from them. Adding an operator is a row
//! in [`OPS`] plus its evaluation (ARCHITECTURE.md, "Adding an operator").
//!
//! The rows are checked when the crate compiles (see the `const` items at the end): tags
//! count up from 1 in row order, each row sits at its operator's position in [`Op`], and
//! negation pairs agree. That is what lets the lookups below be plain array reads.

use core::mem::discriminant;

use crate::model::{FieldType, Op, Operand};

/// What a field type supports, as a set of capabilities; an operator names the one it
/// needs, so "which types take `<`" is read off the type rows, not listed per operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class(u8);

impl Class {
    /// Needs nothing: every type has it.
    pub const ANY: Class = Class(0);
    /// Values are ordered integers (`<`, `<=`, `>`, `>=`).
    pub const ORDERED: Class = Class(1);
    /// Values may be listed (`in`): every type but `bool`, where a list says no more than
    /// `==` does.
    pub const LISTED: Class = Class(1 << 1);
    /// Values are text (substrings, globs, regexes).
    pub const TEXT: Class = Class(1 << 2);
    /// Values are addresses in networks (`within`).
    pub const NETWORK: Class = Class(1 << 3);

    const fn and(self, other: Class) -> Class {
        Class(self.0 | other.0)
    }

    /// Whether every capability of `needed` is in this set.
    pub const fn has(self, needed: Class) -> bool {
        self.0 & needed.0 == needed.0
    }
}

/// One field type: the built-in types, and one row standing for every enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeDef {
    /// The type; the enum row's `FieldType::Enum(0)` stands for every enum.
    pub ty: FieldType,
    /// The wire tag (an enum's is followed by its `u16` index into the enum table).
    pub tag: u8,
    /// As written in source; `enum` for the enum row (each enum goes by its own name).
    pub name: &'static str,
    pub class: Class,
    /// How values compare, for docs/channel-format.md.
    pub compared_as: &'static str,
    /// The inclusive range of an integer type.
    pub range: Option<(i128, i128)>,
}

/// The right-hand side an operator takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One value of the field's type.
    Value,
    /// A non-empty list of values of the field's type.
    List,
    /// A glob, as pattern text.
    Glob,
    /// A regex, as pattern text.
    Regex,
    /// One string, searched for in the input.
    Text,
    /// An address and a prefix length.
    Cidr,
}

impl Shape {
    /// Whether `operand` has this shape (its values are checked against the field apart).
    pub fn accepts<S>(self, operand: &Operand<S>) -> bool {
        matches!(
            (self, operand),
            (Shape::Value | Shape::Text, Operand::Scalar(_))
                | (Shape::List, Operand::List(_))
                | (Shape::Glob | Shape::Regex, Operand::Pattern(_))
                | (Shape::Cidr, Operand::Cidr { .. })
        )
    }

    /// What the verifier says an operator takes, when its operand has another shape.
    pub const fn expected(self) -> &'static str {
        match self {
            Shape::Value => "a single value",
            Shape::List => "a list of values",
            Shape::Glob | Shape::Regex => "a pattern",
            Shape::Text => "a single string",
            Shape::Cidr => "a CIDR block",
        }
    }

    /// The operand as docs/channel-format.md describes it.
    pub const fn describe(self) -> &'static str {
        match self {
            Shape::Value => "scalar: a value of the field's type",
            Shape::List => "list: a non-empty list of values of the field's type",
            Shape::Glob => "pattern: a glob",
            Shape::Regex => "pattern: a regex",
            Shape::Text => "scalar: a string",
            Shape::Cidr => "CIDR block",
        }
    }
}

/// One operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpDef {
    pub op: Op,
    /// The wire tag.
    pub tag: u8,
    /// As written in source (the syntax crate's `ast::Op::as_str` must agree; a test in
    /// compiler/core holds them together).
    pub spelling: &'static str,
    /// The operator that holds exactly when this one does not, on any input of a type
    /// both allow.
    pub negation: Op,
    /// Whether this is the `not` form: evaluated as [`OpDef::negation`], flipped.
    pub negated: bool,
    pub shape: Shape,
    /// What a field type must support to take this operator.
    pub needs: Class,
}

impl OpDef {
    /// Whether the operator is defined on fields of type `ty`.
    pub fn allows(&self, ty: FieldType) -> bool {
        ty.def().class.has(self.needs)
    }
}

const INTEGER: Class = Class::ORDERED.and(Class::LISTED);
const TEXT: Class = Class::TEXT.and(Class::LISTED);

/// Every field type, in tag order.
#[rustfmt::skip]
pub const TYPES: [TypeDef; 12] = [
    TypeDef { ty: FieldType::Bool, tag: 1, name: "bool", class: Class::ANY, compared_as: "true or false", range: None },
    TypeDef { ty: FieldType::U8, tag: 2, name: "u8", class: INTEGER, compared_as: "unsigned integer", range: Some((0, u8::MAX as i128)) },
    TypeDef { ty: FieldType::U16, tag: 3, name: "u16", class: INTEGER, compared_as: "unsigned integer", range: Some((0, u16::MAX as i128)) },
    TypeDef { ty: FieldType::U32, tag: 4, name: "u32", class: INTEGER, compared_as: "unsigned integer", range: Some((0, u32::MAX as i128)) },
    TypeDef { ty: FieldType::U64, tag: 5, name: "u64", class: INTEGER, compared_as: "unsigned integer", range: Some((0, u64::MAX as i128)) },
    TypeDef { ty: FieldType::I32, tag: 6, name: "i32", class: INTEGER, compared_as: "signed integer", range: Some((i32::MIN as i128, i32::MAX as i128)) },
    TypeDef { ty: FieldType::I64, tag: 7, name: "i64", class: INTEGER, compared_as: "signed integer", range: Some((i64::MIN as i128, i64::MAX as i128)) },
    TypeDef { ty: FieldType::String, tag: 8, name: "string", class: TEXT, compared_as: "case-sensitive text", range: None },
    TypeDef { ty: FieldType::Path, tag: 9, name: "path", class: TEXT, compared_as: "case-insensitive text (lowercased per character, `ward_runtime::case`)", range: None },
    TypeDef { ty: FieldType::Ip, tag: 10, name: "ip", class: Class::NETWORK.and(Class::LISTED), compared_as: "IPv4 or IPv6 address", range: None },
    TypeDef { ty: FieldType::Sha256, tag: 11, name: "sha256", class: Class::LISTED, compared_as: "32 bytes", range: None },
    TypeDef { ty: FieldType::Enum(0), tag: 12, name: "enum", class: Class::LISTED, compared_as: "a variant's numeric value", range: None },
];

/// Every operator, in tag order, which is also the order of [`Op`]'s declaration.
#[rustfmt::skip]
pub const OPS: [OpDef; 20] = [
    OpDef { op: Op::Eq, tag: 1, spelling: "==", negation: Op::Ne, negated: false, shape: Shape::Value, needs: Class::ANY },
    OpDef { op: Op::Ne, tag: 2, spelling: "!=", negation: Op::Eq, negated: true, shape: Shape::Value, needs: Class::ANY },
    OpDef { op: Op::Lt, tag: 3, spelling: "<", negation: Op::Ge, negated: false, shape: Shape::Value, needs: Class::ORDERED },
    OpDef { op: Op::Le, tag: 4, spelling: "<=", negation: Op::Gt, negated: false, shape: Shape::Value, needs: Class::ORDERED },
    OpDef { op: Op::Gt, tag: 5, spelling: ">", negation: Op::Le, negated: false, shape: Shape::Value, needs: Class::ORDERED },
    OpDef { op: Op::Ge, tag: 6, spelling: ">=", negation: Op::Lt, negated: false, shape: Shape::Value, needs: Class::ORDERED },
    OpDef { op: Op::In, tag: 7, spelling: "in", negation: Op::NotIn, negated: false, shape: Shape::List, needs: Class::LISTED },
    OpDef { op: Op::NotIn, tag: 8, spelling: "not in", negation: Op::In, negated: true, shape: Shape::List, needs: Class::LISTED },
    OpDef { op: Op::Glob, tag: 9, spelling: "glob", negation: Op::NotGlob, negated: false, shape: Shape::Glob, needs: Class::TEXT },
    OpDef { op: Op::NotGlob, tag: 10, spelling: "not glob", negation: Op::Glob, negated: true, shape: Shape::Glob, needs: Class::TEXT },
    OpDef { op: Op::Matches, tag: 11, spelling: "matches", negation: Op::NotMatches, negated: false, shape: Shape::Regex, needs: Class::TEXT },
    OpDef { op: Op::NotMatches, tag: 12, spelling: "not matches", negation: Op::Matches, negated: true, shape: Shape::Regex, needs: Class::TEXT },
    OpDef { op: Op::Contains, tag: 13, spelling: "contains", negation: Op::NotContains, negated: false, shape: Shape::Text, needs: Class::TEXT },
    OpDef { op: Op::NotContains, tag: 14, spelling: "not contains", negation: Op::Contains, negated: true, shape: Shape::Text, needs: Class::TEXT },
    OpDef { op: Op::StartsWith, tag: 15, spelling: "starts_with", negation: Op::NotStartsWith, negated: false, shape: Shape::Text, needs: Class::TEXT },
    OpDef { op: Op::NotStartsWith, tag: 16, spelling: "not starts_with", negation: Op::StartsWith, negated: true, shape: Shape::Text, needs: Class::TEXT },
    OpDef { op: Op::EndsWith, tag: 17, spelling: "ends_with", negation: Op::NotEndsWith, negated: false, shape: Shape::Text, needs: Class::TEXT },
    OpDef { op: Op::NotEndsWith, tag: 18, spelling: "not ends_with", negation: Op::EndsWith, negated: true, shape: Shape::Text, needs: Class::TEXT },
    OpDef { op: Op::Within, tag: 19, spelling: "within", negation: Op::NotWithin, negated: false, shape: Shape::Cidr, needs: Class::NETWORK },
    OpDef { op: Op::NotWithin, tag: 20, spelling: "not within", negation: Op::Within, negated: true, shape: Shape::Cidr, needs: Class::NETWORK },
];

impl Op {
    /// This operator's row of [`OPS`].
    pub fn def(self) -> &'static OpDef {
        // Row `i` is the operator declared `i`-th (checked at compile time below), so the
        // fallback is never taken.
        OPS.get(self as usize).unwrap_or(&OPS[0])
    }

    /// The operator a wire tag stands for.
    pub fn from_tag(tag: u8) -> Option<Op> {
        OPS.get(usize::from(tag).checked_sub(1)?).map(|d| d.op)
    }

    /// The operator written `spelling` in source.
    pub fn from_spelling(spelling: &str) -> Option<Op> {
        OPS.iter().find(|d| d.spelling == spelling).map(|d| d.op)
    }

    /// The operators defined on fields of type `ty`, in tag order.
    pub fn allowed_on(ty: FieldType) -> impl Iterator<Item = &'static OpDef> {
        OPS.iter().filter(move |d| d.allows(ty))
    }
}

impl FieldType {
    /// This type's row of [`TYPES`] (the enum row for every enum).
    pub fn def(self) -> &'static TypeDef {
        // Every variant has a row (runtime/tests/ops.rs), so the fallback is never taken.
        TYPES
            .iter()
            .find(|d| discriminant(&d.ty) == discriminant(&self))
            .unwrap_or(&TYPES[0])
    }

    /// The type of a wire tag, for every tag but the enum's, whose index follows it.
    pub fn from_tag(tag: u8) -> Option<&'static TypeDef> {
        TYPES.get(usize::from(tag).checked_sub(1)?)
    }

    /// The built-in type named `name` in source (enums are named by their declarations).
    pub fn builtin(name: &str) -> Option<FieldType> {
        builtin_types().find(|d| d.name == name).map(|d| d.ty)
    }

    /// The name of a built-in type as written in source; `None` for an enum, which each
    /// caller names in its own way (by its declaration, in a message or in disassembly).
    pub fn builtin_name(self) -> Option<&'static str> {
        (!matches!(self, FieldType::Enum(_))).then(|| self.def().name)
    }
}

/// The rows of the built-in types: every row but the enum's.
pub fn builtin_types() -> impl Iterator<Item = &'static TypeDef> {
    TYPES.iter().filter(|d| !matches!(d.ty, FieldType::Enum(_)))
}

// The table's own consistency, checked by the compiler: a row out of place fails the
// build, not a test. Written with slice patterns and checked arithmetic, so even this
// compile-time code keeps the runtime's lints.

/// Row `n` of `rows`.
const fn nth(rows: &[OpDef], n: usize) -> Option<&OpDef> {
    match (rows, n.checked_sub(1)) {
        ([row, ..], None) => Some(row),
        ([_, rest @ ..], Some(n)) => nth(rest, n),
        ([], _) => None,
    }
}

/// Whether `rows` sit at `position..` of [`Op`] with tags counting up from `position + 1`,
/// and every row's negation is a row that negates it back, takes the same types and is
/// not also a `not` form.
const fn ops_in_order(rows: &[OpDef], position: usize) -> bool {
    let [row, rest @ ..] = rows else {
        return true;
    };
    let Some(next) = position.checked_add(1) else {
        return false;
    };
    let negation_agrees = match nth(&OPS, row.negation as usize) {
        Some(neg) => {
            neg.negation as usize == row.op as usize
                && neg.needs.0 == row.needs.0
                && !(row.negated && neg.negated)
        }
        None => false,
    };
    row.op as usize == position
        && row.tag as usize == next
        && negation_agrees
        && ops_in_order(rest, next)
}

/// Whether the tags of `rows` count up from `position + 1`.
const fn types_in_order(rows: &[TypeDef], position: usize) -> bool {
    let [row, rest @ ..] = rows else {
        return true;
    };
    match position.checked_add(1) {
        Some(next) => row.tag as usize == next && types_in_order(rest, next),
        None => false,
    }
}

const _: () = assert!(
    ops_in_order(&OPS, 0),
    "OPS rows follow Op's order, tags count up from 1, negations pair up"
);
const _: () = assert!(types_in_order(&TYPES, 0), "type tags count up from 1");
