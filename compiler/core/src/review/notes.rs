//! Release notes: what changes between two builds, across every channel, through the
//! reviewer's diff ([`super::diff`]): channels added and removed, and for each changed
//! channel its instances added, changed and removed, prevent actions added, sensors
//! dropped and the findings (a content version not raised among them). Channels are
//! matched by id and listed by id, so the same two builds give the same notes.

use std::fmt::Write as _;

use serde_json::{json, Value};
use ward_runtime::model::{Action, Channel};
use ward_runtime::KeyId;

use super::diff::{diff, ChannelDiff};
use super::findings::FindingKind;
use super::report;

/// One channel of a build: the decoded channel and who signed it.
pub type Built<'a> = (&'a Channel, &'a [KeyId]);

/// What happened to one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelNote {
    Added {
        id: u32,
        name: String,
        version: u64,
        instances: usize,
        /// Names of its instances that prevent.
        prevent: Vec<String>,
        sensors: Vec<String>,
    },
    Removed {
        id: u32,
        name: String,
        version: u64,
    },
    Changed {
        id: u32,
        /// Sensors the old file targeted and the new one does not.
        sensors_dropped: Vec<String>,
        diff: Box<ChannelDiff>,
    },
}

/// The notes of a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseNotes {
    pub channels: Vec<ChannelNote>,
}

fn sensors(c: &Channel) -> Vec<String> {
    c.targets.iter().map(|t| t.name.clone()).collect()
}

/// The notes from build `old` to build `new`; unchanged channels are left out.
pub fn release_notes<'a>(old: &[Built<'a>], new: &[Built<'a>]) -> ReleaseNotes {
    let mut ids: Vec<u32> = old.iter().chain(new).map(|(c, _)| c.id).collect();
    ids.sort_unstable();
    ids.dedup();
    fn find<'a>(side: &[Built<'a>], id: u32) -> Option<Built<'a>> {
        side.iter().copied().find(|(c, _)| c.id == id)
    }
    let channels = ids
        .into_iter()
        .filter_map(|id| match (find(old, id), find(new, id)) {
            (None, Some((c, _))) => Some(ChannelNote::Added {
                id,
                name: c.name.clone(),
                version: c.content_version,
                instances: c.instances.len(),
                prevent: c
                    .instances
                    .iter()
                    .filter(|i| i.action == Action::Prevent)
                    .map(|i| i.name.clone())
                    .collect(),
                sensors: sensors(c),
            }),
            (Some((c, _)), None) => Some(ChannelNote::Removed {
                id,
                name: c.name.clone(),
                version: c.content_version,
            }),
            (Some(a), Some(b)) => {
                let d = diff(a, b);
                let kept = sensors(b.0);
                (!d.is_identical()).then(|| ChannelNote::Changed {
                    id,
                    sensors_dropped: sensors(a.0)
                        .into_iter()
                        .filter(|s| !kept.contains(s))
                        .collect(),
                    diff: Box::new(d),
                })
            }
            (None, None) => None,
        })
        .collect();
    ReleaseNotes { channels }
}

/// Counts across the release, for the summary.
#[derive(Debug, Default, PartialEq, Eq)]
struct Totals {
    added: usize,
    changed: usize,
    removed: usize,
    prevent_added: usize,
    sensors_dropped: usize,
}

fn totals(notes: &ReleaseNotes) -> Totals {
    let mut t = Totals::default();
    for note in &notes.channels {
        match note {
            ChannelNote::Added {
                instances, prevent, ..
            } => {
                t.added += instances;
                t.prevent_added += prevent.len();
            }
            ChannelNote::Removed { .. } => {}
            ChannelNote::Changed {
                sensors_dropped,
                diff,
                ..
            } => {
                t.added += diff.added.len();
                t.changed += diff.changed.len();
                t.removed += diff.removed.len();
                t.prevent_added += diff
                    .findings
                    .iter()
                    .filter(|f| {
                        matches!(
                            f.kind,
                            FindingKind::NewPrevent | FindingKind::DetectToPrevent
                        )
                    })
                    .count();
                t.sensors_dropped += sensors_dropped.len();
            }
        }
    }
    t
}

/// The notes as Markdown: a summary, then each channel (a changed one as the reviewer's
/// pull-request diff).
pub fn markdown(notes: &ReleaseNotes) -> String {
    let t = totals(notes);
    let mut out = String::from("# Release notes\n\n");
    if notes.channels.is_empty() {
        out.push_str("No channel changed.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "| channels changed | instances added | changed | removed | prevent actions added | sensors dropped |\n| --- | --- | --- | --- | --- | --- |\n| {} | {} | {} | {} | {} | {} |\n",
        notes.channels.len(), t.added, t.changed, t.removed, t.prevent_added, t.sensors_dropped
    );
    for note in &notes.channels {
        match note {
            ChannelNote::Added {
                id,
                name,
                version,
                instances,
                prevent,
                sensors,
            } => {
                let _ = writeln!(
                    out,
                    "### Channel `{name} = {id}` (new)\n\nVersion {version}, {instances} instance(s) for {}.",
                    sensors.join(", ")
                );
                if !prevent.is_empty() {
                    let _ = writeln!(
                        out,
                        "Prevents from its first release: {}.",
                        prevent.join(", ")
                    );
                }
                out.push('\n');
            }
            ChannelNote::Removed { id, name, version } => {
                let _ = writeln!(out, "### Channel `{name} = {id}` (removed)\n\nVersion {version} is no longer built.\n");
            }
            ChannelNote::Changed {
                sensors_dropped,
                diff,
                ..
            } => {
                out.push_str(&report::markdown(diff));
                if !sensors_dropped.is_empty() {
                    let _ = writeln!(out, "\nSensors dropped: {}.", sensors_dropped.join(", "));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// The notes as JSON: the summary and each channel (a changed one with the reviewer's
/// JSON diff).
pub fn json(notes: &ReleaseNotes) -> Value {
    let t = totals(notes);
    let channels: Vec<Value> = notes
        .channels
        .iter()
        .map(|note| match note {
            ChannelNote::Added {
                id,
                name,
                version,
                instances,
                prevent,
                sensors,
            } => json!({
                "status": "added", "id": id, "name": name, "version": version,
                "instances": instances, "prevent": prevent, "sensors": sensors,
            }),
            ChannelNote::Removed { id, name, version } => json!({
                "status": "removed", "id": id, "name": name, "version": version,
            }),
            ChannelNote::Changed {
                id,
                sensors_dropped,
                diff,
            } => json!({
                "status": "changed", "id": id, "sensors_dropped": sensors_dropped,
                "diff": report::json(diff),
            }),
        })
        .collect();
    json!({
        "summary": {
            "channels_changed": notes.channels.len(),
            "instances_added": t.added,
            "instances_changed": t.changed,
            "instances_removed": t.removed,
            "prevent_added": t.prevent_added,
            "sensors_dropped": t.sensors_dropped,
        },
        "channels": channels,
    })
}
