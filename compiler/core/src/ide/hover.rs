//! Hover: what a name means, with its declaration, documentation and, for a field, its
//! number, type and which sensors supply it.

use std::fmt::Write;

use super::resolve::{DefId, DefKind};
use super::{Analysis, Hover};
use crate::hir::TemplateId;
use crate::FileId;

impl Analysis {
    pub fn hover(&self, file: FileId, offset: usize) -> Option<Hover> {
        let r = self.index().at(file, offset)?;
        Some(Hover {
            span: r.span,
            markdown: self.describe(r.def),
        })
    }

    /// The Markdown shown for a declaration: its code, what it is, its docs.
    pub(super) fn describe(&self, id: DefId) -> String {
        let def = self.index().def(id);
        let mut code = def.signature.clone();
        let mut facts = Vec::new();
        let parent = def.parent.map(|p| self.index().def(p));
        match def.kind {
            DefKind::Enum => {
                let variants: Vec<&str> = self
                    .index()
                    .members(id)
                    .map(|(_, v)| v.signature.as_str())
                    .collect();
                code = format!("{code} {{ {} }}", variants.join(", "));
            }
            DefKind::Variant => {
                if let Some(e) = parent {
                    code = format!("{}::{code}", e.name);
                    facts.push(format!("Variant of enum `{}`.", e.name));
                }
            }
            DefKind::Field => self.describe_field(id, &mut facts),
            DefKind::Template => {
                if let Some((_, t)) = self.hir_template(&def.name) {
                    facts.push(format!(
                        "Template id {}, version {}, {} field{}.",
                        t.id,
                        t.version,
                        t.fields.len(),
                        if t.fields.len() == 1 { "" } else { "s" }
                    ));
                }
            }
            DefKind::Sensor => {
                if let Some((_, s)) = self.checked.program.sensor_by_name(&def.name) {
                    code.push_str(&format!(
                        " {{ platform {} version {:?} }}",
                        s.platform.as_str(),
                        s.version
                    ));
                    for sup in &s.supplies {
                        let t = self.checked.program.template(sup.template);
                        facts.push(format!("Supplies `{}` inputs 1..={}.", t.name, sup.last));
                    }
                }
            }
            DefKind::Channel => {
                if let Some(c) = self.checked.program.channel_by_name(&def.name) {
                    let p = &self.checked.program;
                    let targets: Vec<String> = c
                        .targets
                        .iter()
                        .map(|t| format!("`{}`", p.sensor(t.sensor).name))
                        .collect();
                    facts.push(format!(
                        "Content version {}, template `{}`, targets {}; {} instance{}.",
                        c.version,
                        p.template(c.template).name,
                        targets.join(", "),
                        c.instances.len(),
                        if c.instances.len() == 1 { "" } else { "s" }
                    ));
                }
            }
            DefKind::Instance => {
                if let Some(c) = parent {
                    facts.push(format!("Instance of channel `{}`.", c.name));
                }
            }
            DefKind::Test => {}
        }
        let mut md = format!("```ward\n{code}\n```\n");
        for f in facts {
            let _ = write!(md, "\n{f}\n");
        }
        if let Some(doc) = &def.doc {
            let _ = write!(md, "\n---\n\n{doc}\n");
        }
        md
    }

    fn describe_field(&self, id: DefId, facts: &mut Vec<String>) {
        let def = self.index().def(id);
        let Some(template) = def.parent.map(|p| self.index().def(p)) else {
            return;
        };
        let Some((tid, t)) = self.hir_template(&template.name) else {
            return;
        };
        let Some(field) = t.field(&def.name) else {
            return;
        };
        let p = &self.checked.program;
        facts.push(format!(
            "Field {} of `{}`, type `{}`.",
            field.number,
            t.name,
            field.ty.name(p)
        ));
        let (mut yes, mut no) = (Vec::new(), Vec::new());
        for s in &p.sensors {
            if let Some(sup) = s.supply(tid) {
                let entry = format!("`{}` (1..={})", s.name, sup.last);
                if sup.last >= field.number {
                    yes.push(entry);
                } else {
                    no.push(entry);
                }
            }
        }
        if !yes.is_empty() {
            facts.push(format!("Supplied by {}.", yes.join(", ")));
        }
        if !no.is_empty() {
            facts.push(format!("**Not supplied** by {}.", no.join(", ")));
        }
    }

    fn hir_template(&self, name: &str) -> Option<(TemplateId, &crate::hir::Template)> {
        self.checked
            .program
            .templates
            .iter()
            .enumerate()
            .find(|(_, t)| t.name == name)
            .map(|(i, t)| (TemplateId(i), t))
    }
}
