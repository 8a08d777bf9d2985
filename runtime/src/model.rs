//! The channel model: what a channel file says, as plain Rust values.
//!
//! The compiler lowers checked content into a [`Channel`]; the encoder turns it into bytes
//! and the decoder turns bytes back into it. Nothing here is trusted: a decoded `Channel`
//! becomes usable only through the verifier, which returns a `VerifiedChannel`.
//!
//! Instances are generic over how they hold strings, `S`: owned `String`s (the default)
//! everywhere but inside the verifier, which reads them as borrowed slices of the file's
//! string pool. That keeps verification from allocating and freeing a string for every
//! name, tag and operand of a channel it compiles and then drops.

use alloc::string::String;
use alloc::vec::Vec;
use core::net::IpAddr;

/// The type of one template field, as the wire and the verifier see it. Tags, names and
/// what each type supports are its row in [`crate::ops::TYPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldType {
    Bool,
    U8,
    U16,
    U32,
    U64,
    I32,
    I64,
    /// Compared case-sensitively.
    String,
    /// Compared case-insensitively (Windows paths).
    Path,
    Ip,
    Sha256,
    /// A declared enum: the index into [`Channel::enums`].
    Enum(u16),
}

/// A declared enum carried in the channel so that disassembly can name its variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDef {
    pub name: String,
    /// `(variant name, numeric value)` in declaration order; the first is the zero value.
    pub variants: Vec<(String, u32)>,
}

/// One field of the channel's template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    pub name: String,
    pub ty: FieldType,
}

/// The template the channel's instances are written against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRef {
    pub id: u32,
    pub name: String,
    pub version: u32,
    /// Field `n` (1-based on the wire) is `fields[n - 1]`.
    pub fields: Vec<FieldDef>,
}

/// A sensor the channel was built for, and how many inputs it supplies for the template
/// (inputs `1..=supplied`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub platform: String,
    pub version: String,
    pub supplied: u16,
}

/// A typed scalar: an operand in a criterion, or one input of an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value<S = String> {
    Bool(bool),
    /// Any unsigned integer field (`u8` to `u64`).
    Uint(u64),
    /// Any signed integer field (`i32`, `i64`).
    Int(i64),
    /// A `string` or `path` value.
    Str(S),
    Ip(IpAddr),
    Sha256([u8; 32]),
    /// An enum variant's numeric value.
    Enum(u32),
}

impl<S: AsRef<str>> Value<S> {
    /// This value with its string borrowed: the input form
    /// [`crate::VerifiedChannel::evaluate_into`] takes without copying a host's strings.
    pub fn borrowed(&self) -> Value<&str> {
        match self {
            Value::Bool(b) => Value::Bool(*b),
            Value::Uint(n) => Value::Uint(*n),
            Value::Int(n) => Value::Int(*n),
            Value::Str(s) => Value::Str(s.as_ref()),
            Value::Ip(ip) => Value::Ip(*ip),
            Value::Sha256(h) => Value::Sha256(*h),
            Value::Enum(n) => Value::Enum(*n),
        }
    }
}

/// An operator; its tag, spelling, negation, operand shape and allowed types are its row
/// in [`crate::ops::OPS`], at the position of its declaration here.
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

/// The right-hand side of a criterion. Which shape an operator takes is its row's
/// [`crate::ops::Shape`], checked by the verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand<S = String> {
    Scalar(Value<S>),
    List(Vec<Value<S>>),
    /// Source text of a glob or a regex; compiled by the verifier within its limits.
    Pattern(S),
    Cidr {
        addr: IpAddr,
        prefix: u8,
    },
}

/// `FIELD OP OPERAND`; `field` is the 1-based field number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion<S = String> {
    pub field: u16,
    pub op: Op,
    pub operand: Operand<S>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Detect,
    Prevent,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Informational,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The name as written in source and in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Informational => "informational",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl Action {
    pub const ALL: [Action; 2] = [Action::Detect, Action::Prevent];

    /// The name as written in source and in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Detect => "detect",
            Action::Prevent => "prevent",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance<S = String> {
    pub id: u32,
    pub name: S,
    pub severity: Severity,
    pub action: Action,
    pub tags: Vec<S>,
    /// All must hold; fields with no criterion are wildcards and are never read.
    pub criteria: Vec<Criterion<S>>,
}

/// Build metadata. Deterministic by construction: no clock, no host name, no path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildInfo {
    /// e.g. `ward 0.1.0`.
    pub compiler: String,
    /// SHA-256 of the channel's canonical source text, so a reviewer can tie a file to sources.
    pub source_hash: [u8; 32],
}

/// A whole channel, before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel<S = String> {
    pub id: u32,
    pub name: String,
    /// Content version; the store refuses to go below the one it holds.
    pub content_version: u64,
    pub template: TemplateRef,
    pub enums: Vec<EnumDef>,
    pub targets: Vec<Target>,
    pub build: BuildInfo,
    /// In ascending id order (the encoder and verifier both require it).
    pub instances: Vec<Instance<S>>,
}

impl<S> Channel<S> {
    /// The channel without its instances: what a verified channel keeps of the decoded
    /// one, having compiled the instances into a form of its own.
    pub(crate) fn without_instances(self) -> Channel {
        Channel {
            id: self.id,
            name: self.name,
            content_version: self.content_version,
            template: self.template,
            enums: self.enums,
            targets: self.targets,
            build: self.build,
            instances: Vec::new(),
        }
    }
}
