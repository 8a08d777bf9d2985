//! The gate's cost test (issue 18): whether a release makes evaluation slower than the
//! version it replaces, per sensor, from the cost aggregate ([`crate::cost::costs`]).
//! [`crate::gate::decide_health`] applies it beside the crash test; docs/delivery.md,
//! "Delivery IV", has the maths and the defaults, with why.
//!
//! In short: per sensor, the baseline's median host (by its worst p99 cost per event in
//! the window) sets a threshold `margin` times higher, and a host is *slow* when its
//! figure reaches it. Baseline and release hosts are then Bernoulli trials exactly as
//! in the crash test: `p0` the baseline's slow share (its Wilson upper bound, floored),
//! the same mixture of alternatives ([`crate::sequential`]) over the release's hosts
//! checked against `ln(k / alpha)` to halt, and the ratio of `p1 = p0 + delta` alone
//! against `ln(beta)` to advance. A release as fast as its baseline
//! has as many slow hosts as the baseline, so noise in the figures does not halt it
//! (with probability `1 - alpha`, however often the gate looks); one `margin` slower
//! has about half its hosts slow.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use ward_runtime::counters::{cost_ceiling, cost_floor, BUCKETS_PER_DOUBLING};

use crate::cost::{CostRow, Tally};
use crate::gate::wilson_upper;
use crate::sequential::{alternatives, llr, mixture_llr, percentages, regression};

/// The cost test's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostEvidence {
    /// A host is slow when its p99 cost per event is this many percent of the
    /// baseline's median host's (200: twice). At least 100.
    pub margin_pct: u32,
    /// The false-halt rate of the cost test, per ring (the crash test has its own).
    pub alpha: f64,
    /// The most likely a release with `delta` more slow hosts advances.
    pub beta: f64,
    /// The smallest rise in the share of slow hosts to catch (absolute).
    pub delta: f64,
    /// The baseline's slow share is taken to be at least this.
    pub floor: f64,
    /// Standard errors of the Wilson upper bound on the baseline's slow share.
    pub baseline_z: f64,
    /// The fewest baseline hosts with a summary on a sensor for the test to advance.
    pub min_baseline_hosts: u64,
}

impl Default for CostEvidence {
    /// Twice the baseline's median p99; alpha 1%, beta 5%, delta 20 points, floor 1%,
    /// z 2, at least 100 baseline hosts per sensor (docs/delivery.md says why).
    fn default() -> CostEvidence {
        CostEvidence {
            margin_pct: 200,
            alpha: 0.01,
            beta: 0.05,
            delta: 0.20,
            floor: 0.01,
            baseline_z: 2.0,
            min_baseline_hosts: 100,
        }
    }
}

impl CostEvidence {
    /// The defaults with a release's own margin, if its rollout plan states one
    /// (`cost_margin_pct`): what the controller and the simulator gate a release with.
    pub fn for_margin(margin_pct: Option<u32>) -> CostEvidence {
        let default = CostEvidence::default();
        CostEvidence {
            margin_pct: margin_pct.unwrap_or(default.margin_pct),
            ..default
        }
    }

    /// How many histogram buckets above the baseline's median a host is slow: the
    /// margin on the histogram's scale (8 buckets per doubling), rounded.
    pub fn margin_buckets(&self) -> u32 {
        let doublings = (f64::from(self.margin_pct.max(100)) / 100.0).log2();
        (doublings * f64::from(BUCKETS_PER_DOUBLING)).round() as u32
    }
}

/// Hosts of one group (release or baseline) on one sensor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostCounts {
    /// Hosts with a summary.
    pub hosts: u64,
    /// Of them, hosts at or above the threshold.
    pub slow: u64,
    /// The median host's p99 cost per event (the largest cost of its bucket); 0 with
    /// no hosts.
    pub median_p99: u64,
    /// Events over every summary.
    pub events: u64,
    /// The most heap any host reported.
    pub memory_max: u64,
}

/// The cost figures of one sensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostStratum {
    pub sensor: String,
    pub release: CostCounts,
    pub baseline: CostCounts,
    /// The smallest p99 that counts as slow (0 with no baseline: nothing is judged).
    pub threshold: u64,
    /// The baseline's slow share used, the alternative the advance test uses, and
    /// every alternative the halt test weighs (as the crash test's).
    pub p0: f64,
    pub p1: f64,
    pub alternatives: Vec<f64>,
    /// The log of the mixture likelihood ratio, which halts at `halt_at`, and the
    /// log-likelihood ratio of `p1`, which advances at `advance_at` (both 0 without a
    /// baseline).
    pub llr: f64,
    pub advance_llr: f64,
    pub halt_at: f64,
    pub advance_at: f64,
}

impl CostStratum {
    /// The release's median host's p99 against the baseline's, as a factor (0 without a
    /// baseline).
    pub fn ratio(&self) -> f64 {
        if self.baseline.median_p99 == 0 {
            0.0
        } else {
            self.release.median_p99 as f64 / self.baseline.median_p99 as f64
        }
    }
}

/// Hosts per bucket of the rows `keep` selects, summed per sensor (over rings).
fn by_sensor(rows: &[CostRow], keep: impl Fn(&CostRow) -> bool) -> BTreeMap<String, Tally> {
    let mut out: BTreeMap<String, Tally> = BTreeMap::new();
    for row in rows.iter().filter(|r| keep(r)) {
        let tally = out.entry(row.sensor.clone()).or_default();
        for (bucket, hosts) in &row.p99_hosts {
            tally.add(*bucket, *hosts, 0, 0);
        }
        tally.events = tally.events.saturating_add(row.events);
        tally.memory = tally.memory.max(row.memory_max);
    }
    out
}

/// The bucket of the median host (the lower median), if any.
fn median_bucket(buckets: &BTreeMap<u32, u64>) -> Option<u32> {
    let hosts: u64 = buckets.values().sum();
    let rank = hosts.div_ceil(2);
    let mut seen = 0u64;
    buckets.iter().find_map(|(bucket, n)| {
        seen = seen.saturating_add(*n);
        (seen >= rank && rank > 0).then_some(*bucket)
    })
}

fn counts(tally: &Tally, slow_from: u32) -> CostCounts {
    CostCounts {
        hosts: tally.buckets.values().sum(),
        slow: tally.buckets.range(slow_from..).map(|(_, n)| n).sum(),
        median_p99: median_bucket(&tally.buckets).map_or(0, cost_ceiling),
        events: tally.events,
        memory_max: tally.memory,
    }
}

/// The cost strata of the ring's hosts on `release` against every host on `baseline`,
/// per sensor the release's hosts reported on.
pub(crate) fn strata(
    ring: &str,
    release: u64,
    baseline: u64,
    rows: &[CostRow],
    evidence: &CostEvidence,
) -> Vec<CostStratum> {
    let on_release = by_sensor(rows, |r| r.version == release && r.ring == ring);
    let on_baseline = by_sensor(rows, |r| r.version == baseline);
    let k = on_release.len().max(1) as f64;
    let halt_at = (k / evidence.alpha).ln();
    let advance_at = evidence.beta.ln();
    let none = Tally::default();
    on_release
        .iter()
        .map(|(sensor, tally)| {
            let base = on_baseline.get(sensor).unwrap_or(&none);
            // Without a baseline nothing is slow: no threshold, no evidence either way.
            let slow_from = median_bucket(&base.buckets)
                .map_or(u32::MAX, |m| m.saturating_add(evidence.margin_buckets()));
            let release = counts(tally, slow_from);
            let baseline = counts(base, slow_from);
            let p0 = wilson_upper(baseline.slow, baseline.hosts, evidence.baseline_z)
                .max(evidence.floor)
                .min(0.5);
            let alternatives = alternatives(p0, evidence.delta);
            let p1 = regression(p0, evidence.delta);
            let fast = release.hosts.saturating_sub(release.slow);
            let judged = baseline.hosts > 0;
            CostStratum {
                sensor: sensor.clone(),
                threshold: if slow_from == u32::MAX {
                    0
                } else {
                    cost_floor(slow_from)
                },
                llr: if judged {
                    mixture_llr(p0, &alternatives, release.slow, fast)
                } else {
                    0.0
                },
                advance_llr: if judged {
                    llr(p0, p1, release.slow, fast)
                } else {
                    0.0
                },
                alternatives,
                release,
                baseline,
                p0,
                p1,
                halt_at,
                advance_at,
            }
        })
        .collect()
}

/// Why the cost test stops a ring, if it does: a halt, or a hold for missing or too
/// little evidence. `None` when it lets the ring advance.
pub(crate) fn objection(
    strata: &[CostStratum],
    min_hosts: u64,
    evidence: &CostEvidence,
) -> Option<crate::gate::Reason> {
    use crate::gate::Reason;
    if let Some(s) = strata.iter().find(|s| s.llr >= s.halt_at) {
        return Some(Reason::Slower {
            sensor: s.sensor.clone(),
        });
    }
    let hosts: u64 = strata.iter().map(|s| s.release.hosts).sum();
    if hosts < min_hosts || strata.is_empty() {
        return Some(Reason::TooFewCostFigures {
            have: hosts,
            need: min_hosts,
        });
    }
    if let Some(s) = strata
        .iter()
        .find(|s| s.baseline.hosts < evidence.min_baseline_hosts)
    {
        return Some(Reason::NoCostBaseline {
            sensor: s.sensor.clone(),
            have: s.baseline.hosts,
            need: evidence.min_baseline_hosts,
        });
    }
    strata
        .iter()
        .find(|s| s.advance_llr > s.advance_at)
        .map(|s| Reason::CostUndecided {
            sensor: s.sensor.clone(),
        })
}

impl fmt::Display for CostStratum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} cost: release median p99 {} ({:.2}x), {} slow of {}, baseline median p99 {}, {} slow of {}; slow from {}; p0 {:.2}% p1 {:.2}% (halt: mixture of {}); llr {:.2} (halt at {:.2}), p1's {:.2} (advance at {:.2})",
            self.sensor,
            self.release.median_p99,
            self.ratio(),
            self.release.slow,
            self.release.hosts,
            self.baseline.median_p99,
            self.baseline.slow,
            self.baseline.hosts,
            self.threshold,
            100.0 * self.p0,
            100.0 * self.p1,
            percentages(&self.alternatives),
            self.llr,
            self.halt_at,
            self.advance_llr,
            self.advance_at,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_runtime::counters::cost_bucket;

    fn row(version: u64, ring: &str, p99s: &[(u64, u64)]) -> CostRow {
        let mut buckets: BTreeMap<u32, u64> = BTreeMap::new();
        for (p99, hosts) in p99s {
            *buckets.entry(cost_bucket(*p99)).or_default() += hosts;
        }
        CostRow {
            version,
            ring: ring.into(),
            sensor: "s".into(),
            hosts: buckets.values().sum(),
            events: 1,
            memory_max: 1,
            p99_hosts: buckets.into_iter().collect(),
        }
    }

    #[test]
    fn the_margin_is_eight_buckets_per_doubling() {
        let at = |margin_pct| {
            CostEvidence {
                margin_pct,
                ..CostEvidence::default()
            }
            .margin_buckets()
        };
        assert_eq!((at(200), at(400), at(100), at(50)), (8, 16, 0, 0));
        assert_eq!(at(150), 5);
    }

    #[test]
    fn hosts_twice_the_baselines_median_are_slow_and_others_not() {
        let rows = [
            row(1, "general", &[(1000, 60), (1100, 40), (5000, 3)]),
            row(
                2,
                "canary",
                &[(1000, 10), (1700, 5), (2300, 7), (60_000, 1)],
            ),
        ];
        let s = &strata("canary", 2, 1, &rows, &CostEvidence::default())[0];
        assert_eq!((s.baseline.hosts, s.baseline.slow), (103, 3));
        // 1,000 is the median; 2,000 or more is slow (within the histogram's 12.5%).
        assert!((1000..=1024).contains(&s.baseline.median_p99), "{s}");
        assert!((1792..=2048).contains(&s.threshold), "{s}");
        assert_eq!((s.release.hosts, s.release.slow), (23, 8));
        assert!(s.p0 > 3.0 / 103.0 && s.p0 < 0.1, "{s}");
    }

    #[test]
    fn without_a_baseline_nothing_is_judged_and_the_ring_holds() {
        let rows = [row(2, "canary", &[(60_000, 500)])];
        let evidence = CostEvidence::default();
        let strata = strata("canary", 2, 1, &rows, &evidence);
        assert_eq!((strata[0].release.slow, strata[0].llr), (0, 0.0));
        assert_eq!(
            objection(&strata, 100, &evidence),
            Some(crate::gate::Reason::NoCostBaseline {
                sensor: "s".into(),
                have: 0,
                need: 100
            })
        );
        assert_eq!(
            objection(&[], 100, &evidence),
            Some(crate::gate::Reason::TooFewCostFigures { have: 0, need: 100 })
        );
    }
}
