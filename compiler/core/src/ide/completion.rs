//! Completion that knows where the cursor is: keywords at the start of an item or member,
//! field names inside an instance or an event, then the operators the field's type allows,
//! then its values; template, sensor, channel and instance names where they fit.

use ward_runtime::model::{Action, Severity};
use ward_syntax::lexer::Tok;

use super::context::{self, Block, Word};
use super::resolve::{DefId, DefKind};
use super::Analysis;
use crate::check::allowed_ops;
use crate::hir::{EnumId, Type};
use crate::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Operator,
    Type,
    Template,
    Enum,
    Variant,
    Field,
    Sensor,
    Channel,
    Instance,
    Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
}

/// The candidates at a cursor and the span a chosen one replaces.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completions {
    pub span: Span,
    pub items: Vec<Completion>,
}

const ITEM_KEYWORDS: &[&str] = &["enum", "template", "sensor", "channel", "test"];
const TEMPLATE_KEYWORDS: &[&str] = &["version"];
const SENSOR_KEYWORDS: &[&str] = &["platform", "version", "supplies"];
const CHANNEL_KEYWORDS: &[&str] = &["version", "template", "targets", "instance"];
const INSTANCE_KEYWORDS: &[&str] = &["severity", "action", "tags"];
const TEST_KEYWORDS: &[&str] = &["channel", "event", "expect"];

impl Analysis {
    pub fn completions(&self, file: FileId, offset: usize) -> Completions {
        let Some(cx) = context::at(self.text(file), offset) else {
            return Completions::default();
        };
        let items = match &cx.list {
            Some((owner, listed)) => self.complete_list(&cx.block, owner, listed),
            None => self.complete_member(&cx.block, &cx.before),
        };
        Completions {
            span: cx.word,
            items,
        }
    }

    fn complete_list(&self, block: &Block, owner: &[Word], listed: &[String]) -> Vec<Completion> {
        let fresh = |c: &Completion| !listed.contains(&c.label);
        match (block, owner) {
            (Block::Channel(t), [w]) if w.tok == Tok::Targets => {
                let template = t.as_deref().and_then(|t| self.template_def(t));
                self.sensors_for(template)
                    .into_iter()
                    .filter(fresh)
                    .collect()
            }
            (Block::Test(c), [w]) if w.tok == Tok::Expect => {
                let channel = c
                    .as_deref()
                    .and_then(|c| self.index().top_of(c, DefKind::Channel));
                channel
                    .map(|c| self.members_of(c, CompletionKind::Instance))
                    .unwrap_or_default()
                    .into_iter()
                    .filter(fresh)
                    .collect()
            }
            (Block::Instance(t), [field, ops @ ..]) if is_operator(ops) => self
                .field_values(t.as_deref(), &field.text)
                .into_iter()
                .filter(fresh)
                .collect(),
            (Block::Event(c), [field, colon]) if colon.tok == Tok::Colon => {
                self.field_values(self.test_template(c.as_deref()).as_deref(), &field.text)
            }
            _ => Vec::new(),
        }
    }

    fn complete_member(&self, block: &Block, before: &[Word]) -> Vec<Completion> {
        let toks: Vec<Tok> = before.iter().map(|w| w.tok).collect();
        match (block, toks.as_slice()) {
            (Block::Top, []) => keywords(ITEM_KEYWORDS),
            (Block::Template, []) => keywords(TEMPLATE_KEYWORDS),
            (Block::Template, [Tok::Int, Tok::Ident, Tok::Colon]) => self.types(),
            (Block::Sensor, []) => keywords(SENSOR_KEYWORDS),
            (Block::Sensor, [Tok::Platform]) => values(["windows", "linux", "macos"]),
            (Block::Sensor, [Tok::Supplies]) | (Block::Channel(_), [Tok::Template]) => {
                self.tops(DefKind::Template, CompletionKind::Template)
            }
            (Block::Channel(_), []) => keywords(CHANNEL_KEYWORDS),
            (Block::Instance(t), []) => {
                let mut items = self.fields_of(t.as_deref());
                items.extend(keywords(INSTANCE_KEYWORDS));
                items
            }
            (Block::Instance(_), [Tok::Severity]) => values(Severity::ALL.map(|s| s.as_str())),
            (Block::Instance(_), [Tok::Action]) => values(Action::ALL.map(|a| a.as_str())),
            (Block::Instance(t), [Tok::Ident]) => {
                self.operators(t.as_deref(), &before[0].text, false)
            }
            (Block::Instance(t), [Tok::Ident, Tok::Not]) => {
                self.operators(t.as_deref(), &before[0].text, true)
            }
            (Block::Instance(t), [Tok::Ident, ..]) if is_operator(&before[1..]) => {
                self.field_values(t.as_deref(), &before[0].text)
            }
            (Block::Test(_), []) => keywords(TEST_KEYWORDS),
            (Block::Test(_), [Tok::Channel]) => {
                self.tops(DefKind::Channel, CompletionKind::Channel)
            }
            (Block::Event(c), []) => self.fields_of(self.test_template(c.as_deref()).as_deref()),
            (Block::Event(c), [Tok::Ident, Tok::Colon]) => {
                self.field_values(self.test_template(c.as_deref()).as_deref(), &before[0].text)
            }
            _ => Vec::new(),
        }
    }

    fn template_def(&self, name: &str) -> Option<DefId> {
        self.index().top_of(name, DefKind::Template)
    }

    /// The template of the channel a test names.
    fn test_template(&self, channel: Option<&str>) -> Option<String> {
        let c = self.index().top_of(channel?, DefKind::Channel)?;
        let t = self.index().channel_template(c)?;
        Some(self.index().def(t).name.clone())
    }

    fn item(&self, id: DefId, kind: CompletionKind, detail: Option<String>) -> Completion {
        let def = self.index().def(id);
        Completion {
            label: def.name.clone(),
            kind,
            detail: detail.or_else(|| Some(def.signature.clone())),
            documentation: Some(self.describe(id)),
        }
    }

    fn tops(&self, kind: DefKind, as_kind: CompletionKind) -> Vec<Completion> {
        self.index()
            .defs()
            .filter(|(id, d)| d.kind == kind && self.index().top(&d.name) == Some(*id))
            .map(|(id, _)| self.item(id, as_kind, None))
            .collect()
    }

    fn members_of(&self, parent: DefId, kind: CompletionKind) -> Vec<Completion> {
        self.index()
            .members(parent)
            .filter(|(id, d)| self.index().member(parent, &d.name) == Some(*id))
            .map(|(id, _)| self.item(id, kind, None))
            .collect()
    }

    /// Sensors for `targets`: those that supply the template, when it is known.
    fn sensors_for(&self, template: Option<DefId>) -> Vec<Completion> {
        let p = &self.checked.program;
        let tid = template.and_then(|t| {
            let name = &self.index().def(t).name;
            p.templates.iter().position(|x| &x.name == name)
        });
        self.tops(DefKind::Sensor, CompletionKind::Sensor)
            .into_iter()
            .filter_map(|mut c| {
                let Some(tid) = tid else { return Some(c) };
                let (_, s) = p.sensor_by_name(&c.label)?;
                let sup = s.supply(crate::hir::TemplateId(tid))?;
                c.detail = Some(format!("supplies inputs 1..={}", sup.last));
                Some(c)
            })
            .collect()
    }

    fn fields_of(&self, template: Option<&str>) -> Vec<Completion> {
        let Some(t) = template.and_then(|t| self.template_def(t)) else {
            return Vec::new();
        };
        self.members_of(t, CompletionKind::Field)
    }

    fn field(&self, template: Option<&str>, field: &str) -> Option<DefId> {
        self.index().member(self.template_def(template?)?, field)
    }

    /// The field's type, as far as operators are concerned.
    fn field_type(&self, field: DefId) -> Option<Type> {
        let ty = self.index().def(field).ty.as_deref()?;
        Type::builtin(ty).or_else(|| {
            let e = self.index().top_of(ty, DefKind::Enum)?;
            let name = &self.index().def(e).name;
            let id = self
                .checked
                .program
                .enums
                .iter()
                .position(|x| &x.name == name);
            // An enum that did not check still takes the enum operators.
            Some(Type::Enum(EnumId(id.unwrap_or(0))))
        })
    }

    /// The operators the field's type allows; after `not`, the negated ones without it.
    fn operators(&self, template: Option<&str>, field: &str, negated: bool) -> Vec<Completion> {
        let Some(ty) = self.field(template, field).and_then(|f| self.field_type(f)) else {
            return Vec::new();
        };
        let detail = format!("operator on {}", ty_name(self, ty));
        allowed_ops(ty)
            .into_iter()
            .filter_map(|op| {
                let text = op.as_str();
                let label = if negated {
                    text.strip_prefix("not ")?
                } else {
                    text
                };
                Some(Completion {
                    label: label.to_string(),
                    kind: CompletionKind::Operator,
                    detail: Some(detail.clone()),
                    documentation: None,
                })
            })
            .collect()
    }

    /// Values a field takes that can be named: enum variants, `true` and `false`.
    fn field_values(&self, template: Option<&str>, field: &str) -> Vec<Completion> {
        let Some(f) = self.field(template, field) else {
            return Vec::new();
        };
        if let Some(e) = self.index().field_enum(f) {
            return self.members_of(e, CompletionKind::Variant);
        }
        match self.index().def(f).ty.as_deref() {
            Some("bool") => values(["true", "false"]),
            _ => Vec::new(),
        }
    }

    fn types(&self) -> Vec<Completion> {
        let mut items: Vec<Completion> = ward_runtime::ops::builtin_types()
            .map(|t| Completion {
                label: t.name.to_string(),
                kind: CompletionKind::Type,
                detail: Some("built-in type".into()),
                documentation: None,
            })
            .collect();
        items.extend(self.tops(DefKind::Enum, CompletionKind::Enum));
        items
    }
}

fn ty_name(a: &Analysis, ty: Type) -> String {
    match ty {
        Type::Enum(_) => "an enum".to_string(),
        other => format!("`{}`", other.name(&a.checked.program)),
    }
}

/// Words that together make an operator (`==`, `in`, `not in`).
fn is_operator(words: &[Word]) -> bool {
    match words {
        [w] => w.tok.is_operator(),
        [n, w] => n.tok == Tok::Not && w.tok.is_operator(),
        _ => false,
    }
}

fn keywords(words: &[&str]) -> Vec<Completion> {
    words
        .iter()
        .map(|w| Completion {
            label: (*w).to_string(),
            kind: CompletionKind::Keyword,
            detail: None,
            documentation: None,
        })
        .collect()
}

fn values<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<Completion> {
    words
        .into_iter()
        .map(|w| Completion {
            label: w.to_string(),
            kind: CompletionKind::Value,
            detail: None,
            documentation: None,
        })
        .collect()
}
