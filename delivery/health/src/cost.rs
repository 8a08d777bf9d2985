//! What evaluation costs on the fleet (issue 18): the per-interval summary of a
//! channel version's counters a host sends beside its beacons ([`Summary`]), and the
//! per-version, ring and sensor aggregate of distinct hosts' figures the gate reads
//! ([`costs`]). The collector computes the same rows in SQL (ward-collector's
//! `store.rs`); a differential test holds the two together.
//!
//! A host's figure is its worst p99 cost per event over its summaries in the window,
//! classified on the runtime's log-linear histogram scale
//! ([`ward_runtime::counters::cost_bucket`]): the aggregate counts hosts per bucket, so
//! the gate can find the baseline's median host and the hosts some margin above it
//! without the collector storing a figure per host.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
/// The scale hosts' figures are classified on, re-exported for the collector's store.
pub use ward_runtime::counters::cost_bucket;
use ward_runtime::Snapshot;

use crate::aggregate::Window;

/// The most events one summary may count (a million events a second for eleven days):
/// keeps every sum the collector makes far inside a signed 64-bit SQL integer.
pub const MAX_EVENTS: u64 = 1_000_000_000_000;
/// The longest interval a summary may cover: a day.
pub const MAX_INTERVAL_SECS: u64 = 86_400;

/// One host's evaluation figures for one channel version over one interval (the
/// difference of two readings of the runtime's counters, [`Summary::of`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// Chosen by the host (random); a summary sent twice is stored once.
    pub id: String,
    /// The end of the interval, seconds since the epoch, by the host's clock.
    pub at: u64,
    pub channel: u32,
    pub version: u64,
    pub ring: String,
    pub sensor: String,
    /// The interval's length in seconds, 1 to [`MAX_INTERVAL_SECS`].
    pub interval_secs: u64,
    /// Events evaluated, at most [`MAX_EVENTS`].
    pub events: u64,
    /// Cost per event in the verifier's work units: median, p99 and the worst, each read
    /// from the runtime's histogram (never below the true figure, at most 12.5% above).
    pub cost_p50: u64,
    pub cost_p99: u64,
    pub cost_max: u64,
    /// Mean nanoseconds per timed event, when the host passed the runtime a clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nanos_mean: Option<u64>,
    /// Heap the channel held at the end of the interval.
    pub memory_bytes: u64,
}

/// What a summary is about, and when: the fields a host fills in beside the counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval<'a> {
    pub id: String,
    pub at: u64,
    pub channel: u32,
    pub version: u64,
    pub ring: &'a str,
    pub sensor: &'a str,
    pub interval_secs: u64,
}

impl Summary {
    /// The summary of `counters`, one interval's difference of two readings
    /// ([`Snapshot::since`]).
    pub fn of(counters: &Snapshot, about: Interval<'_>) -> Summary {
        Summary {
            id: about.id,
            at: about.at,
            channel: about.channel,
            version: about.version,
            ring: about.ring.to_string(),
            sensor: about.sensor.to_string(),
            interval_secs: about.interval_secs.clamp(1, MAX_INTERVAL_SECS),
            events: counters.events.min(MAX_EVENTS),
            cost_p50: counters.cost_quantile(500),
            cost_p99: counters.cost_quantile(990),
            cost_max: counters.cost_quantile(1000),
            nanos_mean: counters.nanos_total.checked_div(counters.timed_events),
            memory_bytes: counters.memory_bytes,
        }
    }

    /// The rules a batch's summaries must keep, beyond their names: the figures in
    /// order and in range. The first broken one, as (field, reason).
    pub(crate) fn broken_rule(&self) -> Option<(&'static str, String)> {
        if self.interval_secs == 0 || self.interval_secs > MAX_INTERVAL_SECS {
            return Some((
                "interval_secs",
                format!(
                    "is {}; it must be 1 to {MAX_INTERVAL_SECS}",
                    self.interval_secs
                ),
            ));
        }
        if self.events > MAX_EVENTS {
            return Some((
                "events",
                format!("is {}; at most {MAX_EVENTS}", self.events),
            ));
        }
        if !(self.cost_p50 <= self.cost_p99 && self.cost_p99 <= self.cost_max) {
            return Some((
                "cost_p99",
                format!(
                    "is {}; it must lie between cost_p50 ({}) and cost_max ({})",
                    self.cost_p99, self.cost_p50, self.cost_max
                ),
            ));
        }
        let sql = i64::MAX as u64;
        [
            ("cost_max", self.cost_max),
            ("memory_bytes", self.memory_bytes),
            ("nanos_mean", self.nanos_mean.unwrap_or(0)),
        ]
        .into_iter()
        .find(|(_, n)| *n > sql)
        .map(|(field, n)| (field, format!("is {n}; at most {sql}")))
    }
}

/// A summary with the host that sent it: one line of a recorded stream, one row of the
/// collector's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRecord {
    pub host: String,
    #[serde(flatten)]
    pub summary: Summary,
}

impl Window {
    /// Whether a summary falls in the window.
    pub fn contains_summary(&self, record: &SummaryRecord) -> bool {
        let s = &record.summary;
        s.channel == self.channel && self.since <= s.at && s.at < self.until
    }
}

/// One row of the cost aggregate: the distinct hosts of one version, ring and sensor
/// that sent a summary in the window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostRow {
    pub version: u64,
    pub ring: String,
    pub sensor: String,
    /// Hosts with a summary.
    pub hosts: u64,
    /// Events over every summary.
    pub events: u64,
    /// The most heap any of them reported the channel holding.
    pub memory_max: u64,
    /// Hosts by the histogram bucket of their worst p99 cost per event, as
    /// `(bucket, hosts)` in ascending bucket order; the counts add up to `hosts`.
    pub p99_hosts: Vec<(u32, u64)>,
}

/// What one host's summaries in the window come to.
#[derive(Debug, Clone, Copy, Default)]
struct HostCost {
    bucket: u32,
    events: u64,
    memory: u64,
}

/// The cost aggregate of the summaries in `window`, rows sorted by version, ring,
/// sensor. A summary id seen again from the same host is skipped, as the collector
/// stores it once (the first one).
pub fn costs<'a>(
    records: impl IntoIterator<Item = &'a SummaryRecord>,
    window: &Window,
) -> Vec<CostRow> {
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut hosts: HashMap<(u64, &str, &str, &str), HostCost> = HashMap::new();
    for r in records {
        if !seen.insert((&r.host, &r.summary.id)) || !window.contains_summary(r) {
            continue;
        }
        let s = &r.summary;
        let host = hosts
            .entry((s.version, &s.ring, &s.sensor, &r.host))
            .or_default();
        host.bucket = host.bucket.max(cost_bucket(s.cost_p99));
        host.events = host.events.saturating_add(s.events);
        host.memory = host.memory.max(s.memory_bytes);
    }
    let mut rows: BTreeMap<(u64, &str, &str), Tally> = BTreeMap::new();
    for ((version, ring, sensor, _), host) in hosts {
        let tally = rows.entry((version, ring, sensor)).or_default();
        tally.add(host.bucket, 1, host.events, host.memory);
    }
    rows.into_iter()
        .map(|((version, ring, sensor), tally)| CostRow {
            version,
            ring: ring.to_string(),
            sensor: sensor.to_string(),
            hosts: tally.buckets.values().sum(),
            events: tally.events,
            memory_max: tally.memory,
            p99_hosts: tally.buckets.into_iter().collect(),
        })
        .collect()
}

/// Hosts per bucket of some group, with their events and the most memory held.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    pub buckets: BTreeMap<u32, u64>,
    pub events: u64,
    pub memory: u64,
}

impl Tally {
    pub(crate) fn add(&mut self, bucket: u32, hosts: u64, events: u64, memory: u64) {
        let n = self.buckets.entry(bucket).or_default();
        *n = n.saturating_add(hosts);
        self.events = self.events.saturating_add(events);
        self.memory = self.memory.max(memory);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_runtime::counters::cost_floor;

    fn record(host: &str, id: &str, at: u64, version: u64, p99: u64) -> SummaryRecord {
        SummaryRecord {
            host: host.into(),
            summary: Summary {
                id: id.into(),
                at,
                channel: 1,
                version,
                ring: "canary".into(),
                sensor: "s".into(),
                interval_secs: 600,
                events: 1000,
                cost_p50: p99 / 2,
                cost_p99: p99,
                cost_max: p99 * 3,
                nanos_mean: None,
                memory_bytes: 4096 + p99,
            },
        }
    }

    #[test]
    fn hosts_are_counted_once_at_their_worst_p99() {
        let records = [
            record("a", "1", 10, 2, 100),
            record("a", "2", 20, 2, 1000),
            // The same summary again, however it reads: skipped.
            record("a", "2", 20, 2, 1_000_000),
            record("b", "1", 10, 2, 100),
            record("c", "1", 10, 1, 100),
            // Outside the window.
            record("d", "1", 500, 2, 100),
        ];
        let window = Window {
            channel: 1,
            since: 0,
            until: 100,
        };
        let rows = costs(&records, &window);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].version, rows[0].hosts), (1, 1));
        let release = &rows[1];
        assert_eq!((release.hosts, release.events), (2, 3000));
        assert_eq!(release.memory_max, 5096);
        assert_eq!(
            release.p99_hosts,
            vec![(cost_bucket(100), 1), (cost_bucket(1000), 1)]
        );
        assert!(cost_floor(cost_bucket(1000)) <= 1000);
    }

    #[test]
    fn a_summary_reads_the_counters_quantiles() {
        let mut counters = Snapshot {
            events: 0,
            matches: 0,
            cost_total: 0,
            cost_worst: 40_000,
            timed_events: 4,
            nanos_total: 1000,
            nanos_worst: 400,
            memory_bytes: 9000,
            histogram: [0; ward_runtime::counters::COST_BUCKETS],
        };
        counters.histogram[cost_bucket(50) as usize] = 99;
        counters.histogram[cost_bucket(40_000) as usize] = 1;
        counters.events = 100;
        let about = Interval {
            id: "x".into(),
            at: 5,
            channel: 1,
            version: 2,
            ring: "canary",
            sensor: "s",
            interval_secs: 600,
        };
        let s = Summary::of(&counters, about);
        assert_eq!((s.events, s.cost_max, s.memory_bytes), (100, 40_000, 9000));
        assert!(
            (50..=57).contains(&s.cost_p50) && s.cost_p99 == s.cost_p50,
            "{s:?}"
        );
        assert_eq!(s.nanos_mean, Some(250));
        assert_eq!(s.broken_rule(), None);
        let bad = Summary {
            cost_p99: s.cost_max + 1,
            ..s
        };
        assert_eq!(bad.broken_rule().unwrap().0, "cost_p99");
    }
}
