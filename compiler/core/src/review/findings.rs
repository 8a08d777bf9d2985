//! The findings of a diff: changes a reviewer must not approve without looking at them,
//! each with the reason it matters.

use std::collections::BTreeMap;

use ward_runtime::model::{Action, Channel, Instance};
use ward_runtime::KeyId;

use super::diff::{field_label, highest_field, ChannelDiff};
use super::disasm::{COMPILER, SIGNED_BY, SOURCE_HASH};
use super::literal::{name, string};

/// What a finding is about. The order is the order of consequence: a channel sensors will
/// refuse or ignore first, then what reads new inputs, then what blocks or matches more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    /// The channel id changed: the new file does not replace the old one on sensors.
    ChannelIdChanged,
    /// The content version did not go up although the content changed.
    VersionNotRaised,
    /// Template id, name, version or fields changed.
    TemplateChanged,
    /// A target supplies fewer inputs than the highest field read (the channel-291 failure).
    TargetLacksField,
    /// A target kept its name but now supplies a different range of inputs.
    TargetInputsChanged,
    /// A key that signed the old file does not sign the new one.
    SignerRemoved,
    /// A field no instance read before is read now.
    NewField,
    /// The highest field number read went up.
    HighestFieldRose,
    /// An instance changed from `detect` to `prevent`.
    DetectToPrevent,
    /// A new instance blocks from its first release.
    NewPrevent,
    /// An instance lost a criterion, so it matches more.
    CriteriaRemoved,
}

impl FindingKind {
    pub const ALL: [FindingKind; 11] = [
        FindingKind::ChannelIdChanged,
        FindingKind::VersionNotRaised,
        FindingKind::TemplateChanged,
        FindingKind::TargetLacksField,
        FindingKind::TargetInputsChanged,
        FindingKind::SignerRemoved,
        FindingKind::NewField,
        FindingKind::HighestFieldRose,
        FindingKind::DetectToPrevent,
        FindingKind::NewPrevent,
        FindingKind::CriteriaRemoved,
    ];

    /// A stable identifier, for JSON and for people who grep.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::ChannelIdChanged => "channel-id-changed",
            FindingKind::VersionNotRaised => "version-not-raised",
            FindingKind::TemplateChanged => "template-changed",
            FindingKind::TargetLacksField => "target-lacks-field",
            FindingKind::TargetInputsChanged => "target-inputs-changed",
            FindingKind::SignerRemoved => "signer-removed",
            FindingKind::NewField => "new-field",
            FindingKind::HighestFieldRose => "highest-field-rose",
            FindingKind::DetectToPrevent => "detect-to-prevent",
            FindingKind::NewPrevent => "new-prevent",
            FindingKind::CriteriaRemoved => "criteria-removed",
        }
    }

    /// A short heading for people.
    pub fn title(self) -> &'static str {
        match self {
            FindingKind::ChannelIdChanged => "Channel id changed",
            FindingKind::VersionNotRaised => "Content version not raised",
            FindingKind::TemplateChanged => "Template changed",
            FindingKind::TargetLacksField => "Target does not supply a field that is read",
            FindingKind::TargetInputsChanged => "Target supplies different inputs",
            FindingKind::SignerRemoved => "Signing key removed",
            FindingKind::NewField => "Field read for the first time",
            FindingKind::HighestFieldRose => "Highest field read went up",
            FindingKind::DetectToPrevent => "Detect becomes prevent",
            FindingKind::NewPrevent => "New instance that prevents",
            FindingKind::CriteriaRemoved => "Criterion removed",
        }
    }
}

/// One thing to look at, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The instance it is about, if it is about one.
    pub instance: Option<u32>,
    pub message: String,
}

fn finding(kind: FindingKind, instance: Option<u32>, message: String) -> Finding {
    Finding {
        kind,
        instance,
        message,
    }
}

/// The findings of `diff`, the diff from `old` to `new`.
pub(super) fn findings(
    old: (&Channel, &[KeyId]),
    new: (&Channel, &[KeyId]),
    diff: &ChannelDiff,
) -> Vec<Finding> {
    let (a, b) = (old.0, new.0);
    let mut out = Vec::new();
    identity_and_version(a, b, diff, &mut out);
    template(a, b, &mut out);
    targets(a, b, &mut out);
    for key in old.1.iter().filter(|k| !new.1.contains(k)) {
        out.push(finding(
            FindingKind::SignerRemoved,
            None,
            format!("key {key} signed the old file but not the new one: sensors that trust only that key refuse the new file"),
        ));
    }
    fields(a, b, &mut out);
    instances(a, b, diff, &mut out);
    out.sort_by_key(|f| (f.kind, f.instance));
    out
}

fn identity_and_version(a: &Channel, b: &Channel, diff: &ChannelDiff, out: &mut Vec<Finding>) {
    // Sensors keep channels by id, and versions only compare within one id.
    if a.id != b.id {
        out.push(finding(
            FindingKind::ChannelIdChanged,
            None,
            format!(
                "the channel id changes from {} to {}: sensors keep channel {} installed and add channel {} beside it; nothing replaces or removes {}",
                a.id, b.id, a.id, b.id, a.id
            ),
        ));
        return;
    }
    // Signatures and build metadata are not content: a file re-signed, or rebuilt by another
    // compiler or from reordered sources into the same instances, may keep its version.
    let metadata = [SIGNED_BY, COMPILER, SOURCE_HASH];
    let content_changed = diff
        .header
        .iter()
        .any(|c| !metadata.contains(&c.subject.as_str()))
        || !(diff.added.is_empty() && diff.removed.is_empty() && diff.changed.is_empty());
    let (from, to) = (a.content_version, b.content_version);
    if !content_changed || to > from {
        return;
    }
    let message = if to == from {
        format!("the content changed but the version stays {to}: sensors that hold version {to} treat the new file as installed already and never load it")
    } else {
        format!("the version goes down from {from} to {to}: every sensor that installed {from} refuses the new file as a rollback")
    };
    out.push(finding(FindingKind::VersionNotRaised, None, message));
}

fn template(a: &Channel, b: &Channel, out: &mut Vec<Finding>) {
    let (x, y) = (&a.template, &b.template);
    if x == y && a.enums == b.enums {
        return;
    }
    let mut what = Vec::new();
    if (x.id, &x.name) != (y.id, &y.name) {
        what.push(format!(
            "template {} = {} becomes {} = {}",
            name(&x.name),
            x.id,
            name(&y.name),
            y.id
        ));
    }
    if x.version != y.version {
        what.push(format!("version {} becomes {}", x.version, y.version));
    }
    if x.fields.len() != y.fields.len() {
        what.push(format!(
            "{} fields become {}",
            x.fields.len(),
            y.fields.len()
        ));
    } else if x.fields != y.fields || a.enums != b.enums {
        what.push("field names or types change".to_string());
    }
    out.push(finding(
        FindingKind::TemplateChanged,
        None,
        format!(
            "{}: a sensor verifies the channel only against the template version it supplies, so every sensor must be updated to it first",
            what.join(", ")
        ),
    ));
}

fn targets(a: &Channel, b: &Channel, out: &mut Vec<Finding>) {
    let highest = highest_field(b);
    for t in &b.targets {
        let before = a.targets.iter().find(|o| o.name == t.name);
        if let Some(o) = before.filter(|o| o.supplied != t.supplied) {
            out.push(finding(
                FindingKind::TargetInputsChanged,
                None,
                format!(
                    "target {} ({} {}) supplied inputs 1..={} and now supplies 1..={}: a released sensor does not change what it supplies, so check the profile edit against the sensor itself",
                    name(&t.name), name(&t.platform), string(&t.version), o.supplied, t.supplied
                ),
            ));
        }
        if let Some(field) = highest.filter(|f| *f > t.supplied) {
            let reader = b
                .instances
                .iter()
                .find(|i| i.criteria.iter().any(|c| c.field == field));
            out.push(finding(
                FindingKind::TargetLacksField,
                reader.map(|i| i.id),
                format!(
                    "target {}{} supplies inputs 1..={} but {} reads field {}: that sensor's verifier rejects the whole channel (the channel-291 failure)",
                    name(&t.name),
                    if before.is_none() { ", added here," } else { "" },
                    t.supplied,
                    reader.map_or_else(String::new, |i| format!("instance {} = {}", name(&i.name), i.id)),
                    field_label(b, field)
                ),
            ));
        }
    }
}

/// Field number to the instances that read it, each once, in id order.
fn readers(ch: &Channel) -> BTreeMap<u16, Vec<&Instance>> {
    let mut by_field: BTreeMap<u16, Vec<&Instance>> = BTreeMap::new();
    for i in &ch.instances {
        for c in &i.criteria {
            let list = by_field.entry(c.field).or_default();
            if list.last().is_none_or(|last| last.id != i.id) {
                list.push(i);
            }
        }
    }
    by_field
}

fn fields(a: &Channel, b: &Channel, out: &mut Vec<Finding>) {
    let (before, after) = (readers(a), readers(b));
    for (field, instances) in after.iter().filter(|(f, _)| !before.contains_key(f)) {
        // A handful of names says who; a channel of thousands must not make a huge message.
        let mut names: Vec<String> = instances
            .iter()
            .take(5)
            .map(|i| format!("{} = {}", name(&i.name), i.id))
            .collect();
        if instances.len() > names.len() {
            names.push(format!("{} more", instances.len() - names.len()));
        }
        out.push(finding(
            FindingKind::NewField,
            None,
            format!(
                "field {} is read for the first time (by {}): every targeted sensor must really fill it, not merely declare it",
                field_label(b, *field),
                names.join(", ")
            ),
        ));
    }
    if let (from, Some(to)) = (highest_field(a), highest_field(b)) {
        if from.is_none_or(|from| to > from) {
            out.push(finding(
                FindingKind::HighestFieldRose,
                None,
                format!(
                    "the highest field read goes from {} to {}: a sensor that supplies fewer than {to} inputs must never receive this channel",
                    from.map_or_else(|| "none".to_string(), |f| field_label(a, f)),
                    field_label(b, to)
                ),
            ));
        }
    }
}

fn instances(a: &Channel, b: &Channel, diff: &ChannelDiff, out: &mut Vec<Finding>) {
    let before: BTreeMap<u32, Action> = a.instances.iter().map(|i| (i.id, i.action)).collect();
    for i in b.instances.iter().filter(|i| i.action == Action::Prevent) {
        let label = format!("instance {} = {}", name(&i.name), i.id);
        match before.get(&i.id) {
            Some(Action::Detect) => {
                out.push(finding(
                    FindingKind::DetectToPrevent,
                    Some(i.id),
                    format!("{label} changes from detect to prevent: what it matches is now blocked, not only reported"),
                ));
            }
            None => out.push(finding(
                FindingKind::NewPrevent,
                Some(i.id),
                format!("{label} is new and blocks what it matches (action prevent) from its first release"),
            )),
            _ => {}
        }
    }
    for changed in &diff.changed {
        for c in changed.changes.iter().filter(|c| c.field.is_some()) {
            if let (Some(old), None) = (&c.old, &c.new) {
                out.push(finding(
                    FindingKind::CriteriaRemoved,
                    Some(changed.id),
                    format!(
                        "{} now matches more events: it loses the criterion {}  {old}",
                        changed.title, c.subject
                    ),
                ));
            }
        }
    }
}
