//! The name index: every declaration of a project (stdlib included) and every name that
//! refers to one, built from the syntax trees so that it covers what did not check too.
//!
//! Names resolve as the checker resolves them: enums, templates, sensors and channels
//! share one namespace where the first declaration wins; fields belong to a template,
//! variants to an enum, instances to a channel.

use std::collections::HashMap;

use ward_syntax::ast::{
    ChannelMember, Expr, InstanceMember, Item, Name, SensorMember, SourceFile, TemplateMember,
    TestMember,
};

use crate::sources::Sources;
use crate::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefKind {
    Enum,
    Variant,
    Template,
    Field,
    Sensor,
    Channel,
    Instance,
    Test,
}

impl DefKind {
    pub fn noun(self) -> &'static str {
        match self {
            DefKind::Enum => "enum",
            DefKind::Variant => "variant",
            DefKind::Template => "template",
            DefKind::Field => "field",
            DefKind::Sensor => "sensor",
            DefKind::Channel => "channel",
            DefKind::Instance => "instance",
            DefKind::Test => "test",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefId(pub usize);

/// A declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Def {
    pub kind: DefKind,
    pub name: String,
    pub file: FileId,
    pub name_span: Span,
    /// The whole declaration.
    pub span: Span,
    /// Its first line as written, white space collapsed: `template IpcNamedPipe = 11`.
    pub signature: String,
    pub doc: Option<String>,
    /// The template of a field, the enum of a variant, the channel of an instance.
    pub parent: Option<DefId>,
    /// A field's type as written.
    pub ty: Option<String>,
}

/// A name in the source and the declaration it means (its own name included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub file: FileId,
    pub span: Span,
    pub def: DefId,
    pub is_decl: bool,
}

#[derive(Debug, Default)]
pub struct Index {
    defs: Vec<Def>,
    /// Sorted by file and position.
    refs: Vec<Reference>,
    top: HashMap<String, DefId>,
    members: HashMap<(DefId, String), DefId>,
    /// The template each channel names.
    channel_template: HashMap<DefId, DefId>,
}

impl Index {
    pub fn build(sources: &Sources, files: &[(FileId, SourceFile)]) -> Index {
        let mut index = Index::default();
        let mut item_defs = Vec::new();
        for (file, parsed) in files {
            let text = &sources.get(*file).text;
            for item in &parsed.items {
                item_defs.push(index.declare_item(*file, text, item));
            }
        }
        let items = files
            .iter()
            .flat_map(|(f, parsed)| parsed.items.iter().map(move |i| (*f, i)));
        for ((file, item), def) in items.zip(item_defs) {
            if let Some(def) = def {
                index.resolve_item(file, item, def);
            }
        }
        index
            .refs
            .sort_by_key(|r| (r.file, r.span.start, r.span.end));
        index
    }

    pub fn def(&self, id: DefId) -> &Def {
        &self.defs[id.0]
    }

    pub fn defs(&self) -> impl Iterator<Item = (DefId, &Def)> {
        self.defs.iter().enumerate().map(|(i, d)| (DefId(i), d))
    }

    /// An enum, template, sensor or channel by name.
    pub fn top(&self, name: &str) -> Option<DefId> {
        self.top.get(name).copied()
    }

    /// A top-level declaration of the given kind.
    pub fn top_of(&self, name: &str, kind: DefKind) -> Option<DefId> {
        self.top(name).filter(|d| self.def(*d).kind == kind)
    }

    /// A field of a template, a variant of an enum or an instance of a channel.
    pub fn member(&self, parent: DefId, name: &str) -> Option<DefId> {
        self.members.get(&(parent, name.to_string())).copied()
    }

    /// The members of `parent` in declaration order.
    pub fn members(&self, parent: DefId) -> impl Iterator<Item = (DefId, &Def)> {
        self.defs().filter(move |(_, d)| d.parent == Some(parent))
    }

    pub fn channel_template(&self, channel: DefId) -> Option<DefId> {
        self.channel_template.get(&channel).copied()
    }

    /// The enum a field's type names, if it names one.
    pub fn field_enum(&self, field: DefId) -> Option<DefId> {
        let ty = self.def(field).ty.as_deref()?;
        self.top_of(ty, DefKind::Enum)
    }

    /// Every name in `file`, in order.
    pub fn refs_in(&self, file: FileId) -> &[Reference] {
        let start = self.refs.partition_point(|r| r.file < file);
        let end = self.refs.partition_point(|r| r.file <= file);
        &self.refs[start..end]
    }

    /// Every name that means `def`, its declaration included.
    pub fn refs_to(&self, def: DefId) -> impl Iterator<Item = &Reference> {
        self.refs.iter().filter(move |r| r.def == def)
    }

    /// The name under the cursor; a cursor right after a name is on it.
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Reference> {
        let refs = self.refs_in(file);
        refs.iter()
            .find(|r| r.span.start <= offset && offset < r.span.end)
            .or_else(|| refs.iter().find(|r| r.span.end == offset))
    }

    fn add(&mut self, def: Def) -> DefId {
        let id = DefId(self.defs.len());
        self.refs.push(Reference {
            file: def.file,
            span: def.name_span,
            def: id,
            is_decl: true,
        });
        self.defs.push(def);
        id
    }

    fn refer(&mut self, file: FileId, name: &Name, def: Option<DefId>) {
        if let Some(def) = def {
            self.refs.push(Reference {
                file,
                span: name.span,
                def,
                is_decl: false,
            });
        }
    }

    fn declare_member(&mut self, parent: DefId, def: Def) {
        let key = (parent, def.name.clone());
        let id = self.add(def);
        self.members.entry(key).or_insert(id);
    }

    fn declare_item(&mut self, file: FileId, text: &str, item: &Item) -> Option<DefId> {
        let def = |kind, name: &Name, span: Span, doc: &Option<String>| Def {
            kind,
            name: name.text.clone(),
            file,
            name_span: name.span,
            span,
            signature: signature(text, span),
            doc: doc.clone(),
            parent: None,
            ty: None,
        };
        let id = match item {
            Item::Enum(e) => {
                let id = self.add(def(DefKind::Enum, &e.name, e.span, &e.doc.text));
                for v in &e.variants {
                    let mut d = def(DefKind::Variant, &v.name, v.span, &v.doc.text);
                    d.parent = Some(id);
                    self.declare_member(id, d);
                }
                id
            }
            Item::Template(t) => {
                let id = self.add(def(DefKind::Template, &t.name, t.span, &t.doc.text));
                for m in &t.members {
                    if let TemplateMember::Field(f) = m {
                        let mut d = def(DefKind::Field, &f.name, f.span, &f.doc.text);
                        d.parent = Some(id);
                        d.ty = Some(f.ty.text.clone());
                        self.declare_member(id, d);
                    }
                }
                id
            }
            Item::Sensor(s) => self.add(def(DefKind::Sensor, &s.name, s.span, &s.doc.text)),
            Item::Channel(c) => {
                let id = self.add(def(DefKind::Channel, &c.name, c.span, &c.doc.text));
                for m in &c.members {
                    if let ChannelMember::Instance(i) = m {
                        let mut d = def(DefKind::Instance, &i.name, i.span, &i.doc.text);
                        d.parent = Some(id);
                        self.declare_member(id, d);
                    }
                }
                id
            }
            Item::Test(t) => {
                let name = Name {
                    text: t.name.value.clone(),
                    span: t.name.span,
                };
                // Tests are named by strings nothing refers to: they are symbols only.
                return Some(self.add(def(DefKind::Test, &name, t.span, &t.doc.text)));
            }
            Item::Error(_) => return None,
        };
        let name = self.defs[id.0].name.clone();
        self.top.entry(name).or_insert(id);
        Some(id)
    }

    fn resolve_item(&mut self, file: FileId, item: &Item, def: DefId) {
        match item {
            Item::Enum(_) | Item::Error(_) => {}
            Item::Template(t) => {
                for m in &t.members {
                    if let TemplateMember::Field(f) = m {
                        let ty = self.top_of(&f.ty.text, DefKind::Enum);
                        self.refer(file, &f.ty, ty);
                    }
                }
            }
            Item::Sensor(s) => {
                for m in &s.members {
                    if let SensorMember::Supplies(sup) = m {
                        let t = self.top_of(&sup.template.text, DefKind::Template);
                        self.refer(file, &sup.template, t);
                    }
                }
            }
            Item::Channel(c) => {
                // The channel's own template, or none when its name is not the first
                // declaration of that name (the checker ignores duplicates).
                let own = self.top(&c.name.text) == Some(def);
                let template = c.members.iter().find_map(|m| match m {
                    ChannelMember::Template(t, _) => Some(t),
                    _ => None,
                });
                let tid = template.and_then(|t| self.top_of(&t.text, DefKind::Template));
                if let Some(t) = template {
                    self.refer(file, t, tid);
                }
                if let (Some(tid), true) = (tid, own) {
                    self.channel_template.insert(def, tid);
                }
                for m in &c.members {
                    match m {
                        ChannelMember::Targets(names, _) => {
                            for n in names {
                                let s = self.top_of(&n.text, DefKind::Sensor);
                                self.refer(file, n, s);
                            }
                        }
                        ChannelMember::Instance(i) => {
                            for m in &i.members {
                                if let InstanceMember::Criterion(c) = m {
                                    self.resolve_field_use(file, tid, &c.field, Some(&c.value));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Item::Test(t) => {
                let channel = t.members.iter().find_map(|m| match m {
                    TestMember::Channel(c, _) => Some(c),
                    _ => None,
                });
                let cid = channel.and_then(|c| self.top_of(&c.text, DefKind::Channel));
                if let Some(c) = channel {
                    self.refer(file, c, cid);
                }
                let tid = cid.and_then(|c| self.channel_template(c));
                for m in &t.members {
                    match m {
                        TestMember::Event(fields, _) => {
                            for f in fields {
                                self.resolve_field_use(file, tid, &f.name, Some(&f.value));
                            }
                        }
                        TestMember::Expect(names, _) => {
                            for n in names {
                                let i = cid.and_then(|c| self.member(c, &n.text));
                                self.refer(file, n, i);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    /// A field named in a criterion or an event, and the enum variants of its value.
    fn resolve_field_use(
        &mut self,
        file: FileId,
        template: Option<DefId>,
        field: &Name,
        value: Option<&Expr>,
    ) {
        let fid = template.and_then(|t| self.member(t, &field.text));
        self.refer(file, field, fid);
        let Some(en) = fid.and_then(|f| self.field_enum(f)) else {
            return;
        };
        let mut names = Vec::new();
        match value {
            Some(Expr::Name(n)) => names.push(n),
            Some(Expr::List(items, _)) => names.extend(items.iter().filter_map(|e| match e {
                Expr::Name(n) => Some(n),
                _ => None,
            })),
            _ => {}
        }
        for n in names {
            let v = self.member(en, &n.text);
            self.refer(file, n, v);
        }
    }
}

/// The declaration up to its body, on one line: `channel NamedPipeDetections = 291`.
fn signature(text: &str, span: Span) -> String {
    let decl = text.get(span.start..span.end).unwrap_or("");
    let head = decl.split('{').next().unwrap_or(decl);
    head.split_whitespace().collect::<Vec<_>>().join(" ")
}
