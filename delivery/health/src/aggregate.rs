//! The aggregate the gate reads: for one channel and a time window, per content
//! version, ring and sensor, how many distinct hosts reported and what each of them
//! said. Hosts are counted, not beacons: a host that crashes forty times, or sends one
//! beacon twice, is one host. The collector computes the same rows in SQL
//! (ward-collector's `store.rs`); a differential test holds the two together.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::beacon::{Kind, Record};

/// The beacons of one channel with `since <= at < until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub channel: u32,
    pub since: u64,
    pub until: u64,
}

impl Window {
    /// Whether a record falls in the window.
    pub fn contains(&self, record: &Record) -> bool {
        let b = &record.beacon;
        b.channel == self.channel && self.since <= b.at && b.at < self.until
    }
}

/// Distinct hosts, by what they reported in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Hosts with any beacon.
    pub reporting: u64,
    /// Hosts that reported healthy and nothing bad.
    pub healthy: u64,
    /// Hosts with a crash.
    pub crashed: u64,
    /// Hosts whose crash-loop guard rolled the version back.
    pub rolled_back: u64,
    /// Hosts with a crash or a rollback (each host once).
    pub bad: u64,
    /// Hosts that activated the version and said nothing since: not yet settled, or
    /// gone (a host whose sensor dies at once may never report again).
    pub silent: u64,
}

impl std::ops::Add for Counts {
    type Output = Counts;

    /// The sum of two counts (of disjoint host sets: different rings or versions).
    fn add(self, other: Counts) -> Counts {
        Counts {
            reporting: self.reporting.saturating_add(other.reporting),
            healthy: self.healthy.saturating_add(other.healthy),
            crashed: self.crashed.saturating_add(other.crashed),
            rolled_back: self.rolled_back.saturating_add(other.rolled_back),
            bad: self.bad.saturating_add(other.bad),
            silent: self.silent.saturating_add(other.silent),
        }
    }
}

/// One row of the aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub version: u64,
    pub ring: String,
    pub sensor: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// What one host said about one version, ring and sensor.
#[derive(Debug, Clone, Copy, Default)]
struct Said {
    activated: bool,
    healthy: bool,
    crashed: bool,
    rolled_back: bool,
}

/// The aggregate of the records in `window`, rows sorted by version, ring, sensor.
pub fn aggregate<'a>(records: impl IntoIterator<Item = &'a Record>, window: &Window) -> Vec<Row> {
    // Hashed per host (the simulator aggregates big fleets often); rows sorted after.
    let mut hosts: HashMap<(u64, &str, &str, &str), Said> = HashMap::new();
    for r in records.into_iter().filter(|r| window.contains(r)) {
        let b = &r.beacon;
        let said = hosts
            .entry((b.version, &b.ring, &b.sensor, &r.host))
            .or_default();
        match b.kind {
            Kind::Activated => said.activated = true,
            Kind::Healthy => said.healthy = true,
            Kind::Crashed => said.crashed = true,
            Kind::RolledBack => said.rolled_back = true,
        }
    }
    let mut rows: BTreeMap<(u64, &str, &str), Counts> = BTreeMap::new();
    for ((version, ring, sensor, _), said) in hosts {
        let bad = said.crashed || said.rolled_back;
        let one = |yes: bool| u64::from(yes);
        let counts = rows.entry((version, ring, sensor)).or_default();
        *counts = *counts
            + Counts {
                reporting: 1,
                healthy: one(said.healthy && !bad),
                crashed: one(said.crashed),
                rolled_back: one(said.rolled_back),
                bad: one(bad),
                silent: one(said.activated && !said.healthy && !bad),
            };
    }
    rows.into_iter()
        .map(|((version, ring, sensor), counts)| Row {
            version,
            ring: ring.to_string(),
            sensor: sensor.to_string(),
            counts,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::beacon::Beacon;

    fn record(host: &str, id: &str, kind: Kind, at: u64, version: u64) -> Record {
        Record {
            host: host.into(),
            beacon: Beacon {
                id: id.into(),
                kind,
                at,
                channel: 1,
                version,
                ring: "canary".into(),
                sensor: "s".into(),
            },
        }
    }

    #[test]
    fn hosts_are_counted_once_whatever_they_send() {
        let records = [
            record("a", "1", Kind::Activated, 10, 2),
            record("a", "2", Kind::Crashed, 11, 2),
            record("a", "3", Kind::Crashed, 12, 2),
            record("a", "3", Kind::Crashed, 12, 2),
            record("a", "4", Kind::RolledBack, 13, 2),
            record("b", "1", Kind::Activated, 10, 2),
            record("b", "2", Kind::Healthy, 20, 2),
            record("b", "2", Kind::Healthy, 20, 2),
            record("c", "1", Kind::Activated, 10, 2),
            record("d", "1", Kind::Healthy, 10, 1),
            // Outside the window, or another channel: not counted.
            record("e", "1", Kind::Crashed, 100, 2),
            Record {
                beacon: Beacon {
                    channel: 9,
                    ..record("f", "1", Kind::Crashed, 10, 2).beacon
                },
                ..record("f", "1", Kind::Crashed, 10, 2)
            },
        ];
        let window = Window {
            channel: 1,
            since: 0,
            until: 100,
        };
        let rows = aggregate(&records, &window);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].version, rows[0].counts),
            (
                1,
                Counts {
                    reporting: 1,
                    healthy: 1,
                    ..Counts::default()
                }
            )
        );
        assert_eq!(
            (rows[1].version, rows[1].counts),
            (
                2,
                Counts {
                    reporting: 3,
                    healthy: 1,
                    crashed: 1,
                    rolled_back: 1,
                    bad: 1,
                    silent: 1,
                }
            )
        );
    }
}
