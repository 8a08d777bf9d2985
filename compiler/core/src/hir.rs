//! The checked program: every declaration resolved and typed, ready for lowering.
//!
//! Only what checked cleanly enters it: a criterion with a type error is left out, a
//! channel whose template is unknown is left out. Lowering runs only when the check
//! reported no error, so it may rely on everything here being consistent.

use ward_runtime::model::{Action, FieldType, Op, Operand, Severity, Value};
use ward_runtime::ops::{Class, TypeDef};
use ward_syntax::{FileId, Span};

/// A place in the sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

impl Loc {
    pub fn new(file: FileId, span: Span) -> Self {
        Loc { file, span }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnumId(pub usize);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TemplateId(pub usize);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SensorId(pub usize);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    U8,
    U16,
    U32,
    U64,
    I32,
    I64,
    String,
    Path,
    Ip,
    Sha256,
    Enum(EnumId),
}

impl Type {
    /// Each built-in type beside the runtime's. Names, tags, ranges and what each type
    /// supports are the runtime's table (`ward_runtime::ops::TYPES`), read through it.
    const BUILTIN: [(Type, FieldType); 11] = [
        (Type::Bool, FieldType::Bool),
        (Type::U8, FieldType::U8),
        (Type::U16, FieldType::U16),
        (Type::U32, FieldType::U32),
        (Type::U64, FieldType::U64),
        (Type::I32, FieldType::I32),
        (Type::I64, FieldType::I64),
        (Type::String, FieldType::String),
        (Type::Path, FieldType::Path),
        (Type::Ip, FieldType::Ip),
        (Type::Sha256, FieldType::Sha256),
    ];

    /// The built-in type named `name` in source.
    pub fn builtin(name: &str) -> Option<Type> {
        let ty = FieldType::builtin(name)?;
        Type::BUILTIN
            .iter()
            .find(|(_, f)| *f == ty)
            .map(|(t, _)| *t)
    }

    /// The runtime's type for a built-in type; `None` for an enum, whose index depends on
    /// the template it is used in.
    pub fn builtin_field_type(self) -> Option<FieldType> {
        Type::BUILTIN
            .iter()
            .find(|(t, _)| *t == self)
            .map(|(_, f)| *f)
    }

    /// This type's row of the runtime's table (the enum row for every enum).
    pub fn def(self) -> &'static TypeDef {
        self.builtin_field_type()
            .unwrap_or(FieldType::Enum(0))
            .def()
    }

    /// The inclusive range of an integer type.
    pub fn int_range(self) -> Option<(i128, i128)> {
        self.def().range
    }

    pub fn is_text(self) -> bool {
        self.def().class.has(Class::TEXT)
    }

    /// The name as written in source (enums are named by the program).
    pub fn name(self, program: &Program) -> String {
        match self {
            Type::Enum(e) => program.enums[e.0].name.clone(),
            other => other.def().name.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub name: String,
    pub doc: Option<String>,
    pub loc: Loc,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub name: String,
    pub value: u32,
    pub doc: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub name: String,
    pub id: u32,
    pub version: u32,
    pub doc: Option<String>,
    pub loc: Loc,
    /// `fields[n - 1]` is field number `n`.
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub number: u16,
    pub name: String,
    pub ty: Type,
    pub doc: Option<String>,
    pub loc: Loc,
}

impl Template {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Windows,
    Linux,
    Macos,
}

impl Platform {
    pub const ALL: [(&'static str, Platform); 3] = [
        ("windows", Platform::Windows),
        ("linux", Platform::Linux),
        ("macos", Platform::Macos),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Windows => "windows",
            Platform::Linux => "linux",
            Platform::Macos => "macos",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sensor {
    pub name: String,
    pub platform: Platform,
    pub version: String,
    pub doc: Option<String>,
    pub loc: Loc,
    pub supplies: Vec<Supply>,
}

/// `supplies Template 1..=last`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supply {
    pub template: TemplateId,
    pub last: u16,
    /// The whole clause.
    pub loc: Loc,
}

impl Sensor {
    pub fn supply(&self, template: TemplateId) -> Option<&Supply> {
        self.supplies.iter().find(|s| s.template == template)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub name: String,
    pub id: u32,
    pub version: u64,
    pub template: TemplateId,
    pub targets: Vec<Target>,
    pub doc: Option<String>,
    pub loc: Loc,
    /// The whole declaration, for the source hash.
    pub decl: Loc,
    pub instances: Vec<Instance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub sensor: SensorId,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub name: String,
    pub id: u32,
    pub severity: Severity,
    pub action: Action,
    pub tags: Vec<String>,
    pub criteria: Vec<Criterion>,
    pub doc: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    /// The field number (1-based).
    pub field: u16,
    pub op: Op,
    pub operand: Operand,
    /// The whole criterion.
    pub loc: Loc,
    pub field_loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    pub name: String,
    pub channel: ChannelId,
    /// `(field number, value)`; fields left out take their zero value.
    pub event: Vec<(u16, Value)>,
    /// Instance ids expected to match.
    pub expect: Vec<u32>,
    pub loc: Loc,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Program {
    pub enums: Vec<Enum>,
    pub templates: Vec<Template>,
    pub sensors: Vec<Sensor>,
    pub channels: Vec<Channel>,
    pub tests: Vec<Test>,
}

impl Program {
    pub fn template(&self, id: TemplateId) -> &Template {
        &self.templates[id.0]
    }

    pub fn sensor(&self, id: SensorId) -> &Sensor {
        &self.sensors[id.0]
    }

    pub fn channel(&self, id: ChannelId) -> &Channel {
        &self.channels[id.0]
    }

    pub fn channel_by_name(&self, name: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.name == name)
    }

    pub fn sensor_by_name(&self, name: &str) -> Option<(SensorId, &Sensor)> {
        self.sensors
            .iter()
            .enumerate()
            .find(|(_, s)| s.name == name)
            .map(|(i, s)| (SensorId(i), s))
    }
}
