//! Disassembly: the canonical text of a channel, read from the file alone.
//!
//! One fact per line in a fixed order (header, then instances by id, each with its
//! criteria sorted by field number), so that a line diff of two disassemblies, as
//! `git diff` shows through a textconv driver, is a meaningful diff of what ships.

use std::fmt;

use ward_runtime::model::{Channel, Instance};
use ward_runtime::KeyId;

use super::literal::{field_type, hex, name, op, operand, string};
use super::Line;

/// Subjects of the build metadata lines: the diff does not count them as content.
pub(super) const COMPILER: &str = "compiler";
pub(super) const SOURCE_HASH: &str = "source sha256";
pub(super) const SIGNED_BY: &str = "signed by";

/// A channel as lines of text: its header, then its instances in id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disassembly {
    pub header: Vec<Line>,
    pub instances: Vec<InstanceText>,
}

/// One instance: its title (`instance NAME = ID`) and the facts below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceText {
    pub id: u32,
    pub name: String,
    pub lines: Vec<Line>,
}

impl InstanceText {
    pub fn title(&self) -> String {
        format!("instance {} = {}", self.name, self.id)
    }
}

/// The disassembly of a decoded channel signed by `signers` (in file order).
pub fn disassemble(channel: &Channel, signers: &[KeyId]) -> Disassembly {
    Disassembly {
        header: header(channel, signers),
        instances: channel
            .instances
            .iter()
            .map(|i| instance(channel, i))
            .collect(),
    }
}

fn header(ch: &Channel, signers: &[KeyId]) -> Vec<Line> {
    let t = &ch.template;
    let mut lines = vec![
        Line::new("channel", format!("{} = {}", name(&ch.name), ch.id)),
        Line::new("version", ch.content_version.to_string()),
        Line::new("template", format!("{} = {}", name(&t.name), t.id)),
        Line::new("template version", t.version.to_string()),
        Line::new("fields", t.fields.len().to_string()),
    ];
    for (n, f) in (1..).zip(&t.fields) {
        lines.push(Line::new(
            format!("field #{n}"),
            format!("{}: {}", name(&f.name), field_type(ch, f.ty)),
        ));
    }
    for e in &ch.enums {
        for (variant, value) in &e.variants {
            lines.push(Line::new(
                format!("enum {}", name(&e.name)),
                format!("{} = {value}", name(variant)),
            ));
        }
    }
    for target in &ch.targets {
        let supplies = match target.supplied {
            0 => "supplies no inputs".to_string(),
            k => format!("supplies 1..={k}"),
        };
        lines.push(Line::new(
            format!("target {}", name(&target.name)),
            format!(
                "{} {} {supplies}",
                name(&target.platform),
                string(&target.version)
            ),
        ));
    }
    lines.push(Line::new(COMPILER, string(&ch.build.compiler)));
    lines.push(Line::new(SOURCE_HASH, hex(&ch.build.source_hash)));
    lines.extend(signers.iter().map(|k| Line::new(SIGNED_BY, k.to_string())));
    lines
}

fn instance(ch: &Channel, i: &Instance) -> InstanceText {
    let mut lines = vec![
        Line::new("severity", i.severity.as_str()),
        Line::new("action", i.action.as_str()),
    ];
    lines.extend(i.tags.iter().map(|t| Line::new("tag", string(t))));
    let mut criteria: Vec<(u16, _, Line)> = i
        .criteria
        .iter()
        .map(|c| {
            let field = usize::from(c.field)
                .checked_sub(1)
                .and_then(|n| ch.template.fields.get(n))
                .map_or_else(|| "?".to_string(), |f| name(&f.name));
            let line = Line {
                subject: format!("#{} {field}", c.field),
                value: format!("{}  {}", op(c.op), operand(ch, c.field, c.op, &c.operand)),
                field: Some(c.field),
            };
            (c.field, c.op, line)
        })
        .collect();
    // Criteria are a conjunction: their order means nothing, so it must not show.
    criteria.sort_by(|a, b| (a.0, a.1, &a.2.value).cmp(&(b.0, b.1, &b.2.value)));
    lines.extend(criteria.into_iter().map(|(_, _, line)| line));
    InstanceText {
        id: i.id,
        name: name(&i.name),
        lines,
    }
}

impl fmt::Display for Disassembly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.header {
            writeln!(f, "{line}")?;
        }
        for i in &self.instances {
            writeln!(f, "\n{}", i.title())?;
            for line in &i.lines {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}
