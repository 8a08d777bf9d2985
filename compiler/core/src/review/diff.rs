//! The semantic diff of two channels: header changes, instances added, removed and
//! changed (matched by id), and the findings a reviewer must not miss.
//!
//! Changes are computed on disassembly [`Line`]s, so every change reads exactly like the
//! line `ward disasm` prints for it.

use std::collections::{BTreeMap, BTreeSet};

use ward_runtime::model::Channel;
use ward_runtime::KeyId;

use super::disasm::{disassemble, InstanceText};
use super::findings::{findings, Finding};
use super::literal::name;
use super::Line;

/// Everything that differs between two channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelDiff {
    pub old: Summary,
    pub new: Summary,
    pub header: Vec<Change>,
    pub added: Vec<InstanceText>,
    pub removed: Vec<InstanceText>,
    pub changed: Vec<InstanceDiff>,
    pub unchanged: usize,
    /// What a reviewer must look at, most consequential first.
    pub findings: Vec<Finding>,
}

/// One side of a diff at a glance, for the summary table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// `NAME = ID`.
    pub channel: String,
    pub version: u64,
    /// `NAME = ID version V, N fields`.
    pub template: String,
    /// `NAME 1..=K`, in file order.
    pub targets: Vec<String>,
    pub instances: usize,
    /// `#N name` of the highest field any criterion reads.
    pub highest_field: Option<String>,
    pub signers: Vec<String>,
}

/// A fact that was added (`old` absent), removed (`new` absent) or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub subject: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The field number when the fact is a criterion.
    pub field: Option<u16>,
}

/// An instance present on both sides whose facts differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceDiff {
    pub id: u32,
    /// The title on the new side (`instance NAME = ID`).
    pub title: String,
    pub changes: Vec<Change>,
}

impl ChannelDiff {
    /// The same content signed by the same keys: `ward diff` exits 0.
    pub fn is_identical(&self) -> bool {
        self.header.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
    }
}

/// The diff from `old` to `new`, each with the key ids of its signatures.
pub fn diff(old: (&Channel, &[KeyId]), new: (&Channel, &[KeyId])) -> ChannelDiff {
    let (a, b) = (disassemble(old.0, old.1), disassemble(new.0, new.1));
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    let mut unchanged = 0;
    // Channels hold up to 250,000 instances: match them by id through maps, not scans.
    let before: BTreeMap<u32, &InstanceText> = a.instances.iter().map(|i| (i.id, i)).collect();
    let after: BTreeMap<u32, &InstanceText> = b.instances.iter().map(|i| (i.id, i)).collect();
    let ids: BTreeSet<u32> = before.keys().chain(after.keys()).copied().collect();
    for id in ids {
        match (before.get(&id), after.get(&id)) {
            (Some(x), Some(y)) => {
                let mut changes =
                    lines(&[Line::new("name", &x.name)], &[Line::new("name", &y.name)]);
                changes.extend(lines(&x.lines, &y.lines));
                if changes.is_empty() {
                    unchanged += 1;
                } else {
                    changed.push(InstanceDiff {
                        id,
                        title: y.title(),
                        changes,
                    });
                }
            }
            (Some(x), None) => removed.push((*x).clone()),
            (None, Some(y)) => added.push((*y).clone()),
            (None, None) => {}
        }
    }
    let mut diff = ChannelDiff {
        old: summary(old.0, old.1),
        new: summary(new.0, new.1),
        header: lines(&a.header, &b.header),
        added,
        removed,
        changed,
        unchanged,
        findings: Vec::new(),
    };
    diff.findings = findings(old, new, &diff);
    diff
}

fn summary(ch: &Channel, signers: &[KeyId]) -> Summary {
    let t = &ch.template;
    Summary {
        channel: format!("{} = {}", name(&ch.name), ch.id),
        version: ch.content_version,
        template: format!(
            "{} = {} version {}, {} fields",
            name(&t.name),
            t.id,
            t.version,
            t.fields.len()
        ),
        targets: ch
            .targets
            .iter()
            .map(|t| format!("{} 1..={}", name(&t.name), t.supplied))
            .collect(),
        instances: ch.instances.len(),
        highest_field: highest_field(ch).map(|n| field_label(ch, n)),
        signers: signers.iter().map(ToString::to_string).collect(),
    }
}

/// The highest field number any criterion of the channel reads.
pub(super) fn highest_field(ch: &Channel) -> Option<u16> {
    ch.instances
        .iter()
        .flat_map(|i| &i.criteria)
        .map(|c| c.field)
        .max()
}

/// `#N name`, as criteria and findings name a field.
pub(super) fn field_label(ch: &Channel, field: u16) -> String {
    let field_name = usize::from(field)
        .checked_sub(1)
        .and_then(|n| ch.template.fields.get(n))
        .map_or_else(|| "?".to_string(), |f| name(&f.name));
    format!("#{field} {field_name}")
}

/// The changes between two lists of facts. Facts are compared by subject as multisets:
/// order does not matter and a fact on both sides is no change. What is left on a subject
/// is paired up as a change, criteria with the same operator first, and the rest is added
/// or removed.
fn lines(old: &[Line], new: &[Line]) -> Vec<Change> {
    let mut subjects: Vec<&str> = Vec::new();
    for line in old.iter().chain(new) {
        if !subjects.contains(&line.subject.as_str()) {
            subjects.push(&line.subject);
        }
    }
    let mut changes = Vec::new();
    for subject in subjects {
        let mut before: Vec<&Line> = old.iter().filter(|l| l.subject == subject).collect();
        let mut after: Vec<&Line> = new.iter().filter(|l| l.subject == subject).collect();
        before.retain(|o| match after.iter().position(|n| n.value == o.value) {
            Some(i) => {
                after.remove(i);
                false
            }
            None => true,
        });
        let mut pairs: Vec<(Option<&Line>, Option<&Line>)> = Vec::new();
        for o in before {
            let same_op = after.iter().position(|n| operator(n) == operator(o));
            pairs.push((Some(o), same_op.map(|i| after.remove(i))));
        }
        // Whatever found no partner of its own operator pairs with what is left in order.
        for slot in pairs.iter_mut().filter(|p| p.1.is_none()) {
            if !after.is_empty() {
                slot.1 = Some(after.remove(0));
            }
        }
        pairs.extend(after.into_iter().map(|n| (None, Some(n))));
        changes.extend(pairs.into_iter().map(|(o, n)| Change {
            subject: subject.to_string(),
            old: o.map(|l| l.value.clone()),
            new: n.map(|l| l.value.clone()),
            field: o.or(n).and_then(|l| l.field),
        }));
    }
    changes
}

/// A criterion's operator: its value up to the two spaces before the operand.
fn operator(line: &Line) -> Option<&str> {
    line.field?;
    line.value.split("  ").next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criterion(field: u16, value: &str) -> Line {
        Line {
            subject: format!("#{field} f{field}"),
            value: value.to_string(),
            field: Some(field),
        }
    }

    #[test]
    fn facts_are_compared_as_multisets_and_criteria_pair_by_operator() {
        let old = [
            criterion(1, "glob  \"a\""),
            criterion(1, "matches  \"x\""),
            criterion(2, "==  1"),
        ];
        let new = [criterion(2, "==  1"), criterion(1, "matches  \"y\"")];
        let changes = lines(&old, &new);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].old.as_deref(), Some("glob  \"a\""));
        assert_eq!(changes[0].new, None);
        assert_eq!(changes[1].old.as_deref(), Some("matches  \"x\""));
        assert_eq!(changes[1].new.as_deref(), Some("matches  \"y\""));
        assert!(lines(&old, &[old[2].clone(), old[1].clone(), old[0].clone()]).is_empty());
    }
}
