//! The syntax tree: one node per construct of the language, each with its byte span.
//!
//! The tree is what the source says, not what it means: names are unresolved, literals
//! are decoded but unchecked against any type. Nodes the parser could not make sense of
//! are `Error` variants, so a file with mistakes still yields every item it could read.

use crate::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// A doc comment block (`///` lines), without the slashes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc {
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Enum(EnumDecl),
    Template(TemplateDecl),
    Sensor(SensorDecl),
    Channel(ChannelDecl),
    Test(TestDecl),
    Error(Span),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Enum(d) => d.span,
            Item::Template(d) => d.span,
            Item::Sensor(d) => d.span,
            Item::Channel(d) => d.span,
            Item::Test(d) => d.span,
            Item::Error(span) => *span,
        }
    }
}

/// An integer literal. `value` is `None` when the literal does not fit in an `i128`
/// (already reported by the parser).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntLit {
    pub value: Option<i128>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    /// The decoded value (escapes applied).
    pub value: String,
    pub raw: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDecl {
    pub doc: Doc,
    pub name: Name,
    pub variants: Vec<Variant>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub doc: Doc,
    pub name: Name,
    pub value: IntLit,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDecl {
    pub doc: Doc,
    pub name: Name,
    pub id: IntLit,
    pub members: Vec<TemplateMember>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateMember {
    Version(IntLit, Span),
    Field(FieldDecl),
    Error(Span),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDecl {
    pub doc: Doc,
    pub number: IntLit,
    pub name: Name,
    pub ty: Name,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorDecl {
    pub doc: Doc,
    pub name: Name,
    pub members: Vec<SensorMember>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SensorMember {
    Platform(Name, Span),
    Version(StrLit, Span),
    Supplies(Supplies),
    Error(Span),
}

/// `supplies Template FIRST..=LAST`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supplies {
    pub template: Name,
    pub first: IntLit,
    pub last: IntLit,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelDecl {
    pub doc: Doc,
    pub name: Name,
    pub id: IntLit,
    pub members: Vec<ChannelMember>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelMember {
    Version(IntLit, Span),
    Template(Name, Span),
    Targets(Vec<Name>, Span),
    Instance(InstanceDecl),
    Error(Span),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceDecl {
    pub doc: Doc,
    pub name: Name,
    pub id: IntLit,
    pub members: Vec<InstanceMember>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceMember {
    Criterion(Criterion),
    Severity(Name, Span),
    Action(Name, Span),
    Tags(Vec<Expr>, Span),
    Error(Span),
}

/// `FIELD OPERATOR VALUE`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub field: Name,
    pub op: Op,
    pub op_span: Span,
    pub value: Expr,
    pub span: Span,
}

/// An operator as written. It mirrors `ward_runtime::model::Op` on purpose: this crate
/// depends on no other crate of ours (ARCHITECTURE.md), so the checker maps one to the
/// other when it lowers a criterion (compiler/core/src/check/values.rs, `lower_op`), by
/// position in the runtime's table (`ward_runtime::ops::OPS`), whose order and spellings
/// these variants keep (compiler/core/tests/ops.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Glob,
    NotGlob,
    Matches,
    NotMatches,
    Contains,
    NotContains,
    StartsWith,
    NotStartsWith,
    EndsWith,
    NotEndsWith,
    Within,
    NotWithin,
}

impl Op {
    pub const ALL: [Op; 20] = [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::In,
        Op::NotIn,
        Op::Glob,
        Op::NotGlob,
        Op::Matches,
        Op::NotMatches,
        Op::Contains,
        Op::NotContains,
        Op::StartsWith,
        Op::NotStartsWith,
        Op::EndsWith,
        Op::NotEndsWith,
        Op::Within,
        Op::NotWithin,
    ];

    /// The operator as it is written in source.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::In => "in",
            Op::NotIn => "not in",
            Op::Glob => "glob",
            Op::NotGlob => "not glob",
            Op::Matches => "matches",
            Op::NotMatches => "not matches",
            Op::Contains => "contains",
            Op::NotContains => "not contains",
            Op::StartsWith => "starts_with",
            Op::NotStartsWith => "not starts_with",
            Op::EndsWith => "ends_with",
            Op::NotEndsWith => "not ends_with",
            Op::Within => "within",
            Op::NotWithin => "not within",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Int(IntLit),
    Str(StrLit),
    Bool(bool, Span),
    /// A bare name: an enum variant.
    Name(Name),
    List(Vec<Expr>, Span),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Int(i) => i.span,
            Expr::Str(s) => s.span,
            Expr::Bool(_, span) | Expr::List(_, span) => *span,
            Expr::Name(n) => n.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestDecl {
    pub doc: Doc,
    pub name: StrLit,
    pub members: Vec<TestMember>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestMember {
    Channel(Name, Span),
    Event(Vec<EventField>, Span),
    Expect(Vec<Name>, Span),
    Error(Span),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventField {
    pub name: Name,
    pub value: Expr,
    pub span: Span,
}
