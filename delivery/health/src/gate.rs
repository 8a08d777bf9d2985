//! The gate: whether a ring on a release may advance, must hold, or halts the
//! rollout, from the aggregate of the ring's hosts on the release and of the baseline
//! (hosts still on the previous version, in the same window), compared within each
//! sensor. One pure function, [`decide`], that the controller, the simulator and the
//! tests call alike (DESIGN.md invariant 8). The maths and the defaults, with why, are
//! in docs/delivery.md, "The gate".
//!
//! In short: each host on the release is one Bernoulli trial, bad if it crashed or was
//! rolled back. Per sensor, the halt statistic is the likelihood ratio of "the
//! release's bad rate is one of a set of alternatives (`p0 + delta`, `2 p0`, 50%,
//! 90%)" against "it is the baseline's `p0`", averaged over the alternatives
//! ([`crate::sequential`]): a martingale under the second, so by Ville's inequality it
//! ever reaches `k / alpha` (k sensors) with probability at most `alpha / k` per
//! sensor however often the gate looks: `alpha` is the false-halt rate. The small
//! alternative catches a small regression, the large ones halt a release that crashes
//! every host after a handful of crashes. For halting every reporting host counts, a
//! silent one as not bad (yet): a crash is reported within seconds, health only after
//! the settle time, so counting only settled hosts would make every young release look
//! worse. For advancing only settled hosts count (healthy ones, and bad ones), against
//! `p1 = p0 + delta` alone: the ring advances only when every sensor's settled ratio is
//! at or below `ln(beta)` (a release `delta` worse advances with probability at most
//! `beta`), the bake time has passed, enough distinct hosts reported and few are
//! silent. Everything else holds: missing data never advances.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Counts, Row};
use crate::cost::CostRow;
use crate::sequential::{alternatives, llr, mixture_llr, percentages, regression};
use crate::slow::{self, CostEvidence, CostStratum};

/// The statistical settings, shared by every ring.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The false-halt rate: the most likely a release no worse than its baseline is
    /// halted, per ring.
    pub alpha: f64,
    /// The most likely a release `delta` worse than its baseline advances.
    pub beta: f64,
    /// The smallest regression of the bad-host rate to catch (absolute).
    pub delta: f64,
    /// The baseline rate is taken to be at least this, so a baseline without a crash
    /// does not make one crash look infinitely worse.
    pub floor: f64,
    /// The baseline's rate is an estimate: the gate uses its upper confidence bound
    /// (Wilson score, `z` standard errors), so a baseline that is small or was lucky
    /// does not make an identical release look worse.
    pub baseline_z: f64,
    /// The largest share of the ring's hosts that may be silent (activated, nothing
    /// since) when it advances.
    pub max_silent: f64,
    /// The fewest baseline hosts on a sensor for the gate to compare with.
    pub min_baseline_hosts: u64,
}

impl Default for Evidence {
    /// alpha 1%, beta 5%, delta one percentage point, floor 0.1%, z 2, at most 10%
    /// silent, at least 100 baseline hosts per sensor (docs/delivery.md says why).
    fn default() -> Evidence {
        Evidence {
            alpha: 0.01,
            beta: 0.05,
            delta: 0.01,
            floor: 0.001,
            baseline_z: 2.0,
            max_silent: 0.10,
            min_baseline_hosts: 100,
        }
    }
}

/// The ring whose gate this is, from the rollout plan and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ring {
    pub name: String,
    /// When the ring started taking the release (seconds since the epoch).
    pub started: u64,
    /// How long it must bake before it may advance.
    pub bake_secs: u64,
    /// Distinct hosts with an outcome (healthy or bad) it needs before it may advance.
    pub min_hosts: u64,
}

/// What the gate says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Advance,
    Hold,
    Halt,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Advance => "advance",
            Verdict::Hold => "hold",
            Verdict::Halt => "halt",
        })
    }
}

/// Why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Reason {
    /// No host of the ring reported on the release.
    NoBeacons,
    /// A sensor's ratio reached the halt bound.
    Worse { sensor: String },
    /// The bake time has not passed.
    Baking { left_secs: u64 },
    /// Too few hosts with an outcome.
    TooFewHosts { have: u64, need: u64 },
    /// Too many hosts silent.
    Silent { silent: u64, of: u64 },
    /// A sensor without enough baseline hosts.
    NoBaseline {
        sensor: String,
        have: u64,
        need: u64,
    },
    /// A sensor whose ratio is between the bounds: more hosts are needed.
    Undecided { sensor: String },
    /// Every sensor's ratio is at or below the advance bound.
    NotWorse,
    /// A sensor's cost ratio reached the halt bound: the release is slower.
    Slower { sensor: String },
    /// Too few of the ring's hosts sent a cost summary.
    TooFewCostFigures { have: u64, need: u64 },
    /// A sensor without enough baseline hosts sending cost summaries.
    NoCostBaseline {
        sensor: String,
        have: u64,
        need: u64,
    },
    /// A sensor whose cost ratio is between the bounds.
    CostUndecided { sensor: String },
}

/// The figures of one sensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stratum {
    pub sensor: String,
    pub release: Counts,
    pub baseline: Counts,
    /// The baseline bad rate used (its upper bound, floored), the alternative the
    /// advance test uses (`p0 + delta`), and every alternative the halt test weighs.
    pub p0: f64,
    pub p1: f64,
    pub alternatives: Vec<f64>,
    /// The log of the mixture likelihood ratio over every reporting host (silent ones
    /// as not bad), which halts at `halt_at`, and the log-likelihood ratio of `p1` over
    /// settled hosts only, which advances at `advance_at`.
    pub llr: f64,
    pub settled_llr: f64,
    pub halt_at: f64,
    pub advance_at: f64,
}

/// The verdict with the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub ring: String,
    pub verdict: Verdict,
    #[serde(flatten)]
    pub reason: Reason,
    pub strata: Vec<Stratum>,
    /// The cost test's figures per sensor ([`decide_health`]; none from [`decide`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub costs: Vec<CostStratum>,
}

/// What the gate reads: the crash aggregate and the cost aggregate of one window.
#[derive(Debug, Clone, Copy)]
pub struct Figures<'a> {
    pub rows: &'a [Row],
    pub costs: &'a [CostRow],
}

/// The gate with both tests: [`decide`]'s crash test, and the cost test (slow.rs)
/// on `figures.costs` with `cost` settings. A halt of either halts; the ring advances
/// only when both would let it, so missing cost figures (too few of the ring's hosts
/// sending summaries, or too few baseline hosts) hold it. The two tests' false-halt
/// rates add: `evidence.alpha + cost.alpha` per ring.
pub fn decide_health(
    ring: &Ring,
    release: u64,
    baseline: u64,
    figures: Figures<'_>,
    now: u64,
    evidence: &Evidence,
    cost: &CostEvidence,
) -> Decision {
    let mut decision = decide(ring, release, baseline, figures.rows, now, evidence);
    decision.costs = slow::strata(&ring.name, release, baseline, figures.costs, cost);
    let objection = slow::objection(&decision.costs, ring.min_hosts, cost);
    let reason = match (&decision.reason, objection) {
        (Reason::Worse { .. }, _) | (_, None) => None,
        (_, Some(slower @ Reason::Slower { .. })) => Some(slower),
        (Reason::NotWorse, Some(hold)) => Some(hold),
        (_, Some(_)) => None,
    };
    if let Some(reason) = reason {
        decision.verdict = verdict(&reason);
        decision.reason = reason;
    }
    decision
}

/// One ring's figures on a release against the baseline, per sensor: what `ward
/// rollout status --collector` shows for every ring, not only the one being gated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RingFigures {
    pub ring: String,
    pub strata: Vec<Stratum>,
    pub costs: Vec<CostStratum>,
}

/// The figures of every ring with hosts on `release` in `figures`, in name order.
pub fn ring_figures(
    release: u64,
    baseline: u64,
    figures: Figures<'_>,
    evidence: &Evidence,
    cost: &CostEvidence,
) -> Vec<RingFigures> {
    let rings: std::collections::BTreeSet<&str> = figures
        .rows
        .iter()
        .filter(|r| r.version == release)
        .map(|r| r.ring.as_str())
        .chain(
            figures
                .costs
                .iter()
                .filter(|r| r.version == release)
                .map(|r| r.ring.as_str()),
        )
        .collect();
    rings
        .into_iter()
        .map(|name| {
            // The strata do not depend on the ring's times or host minimum.
            let ring = Ring {
                name: name.to_string(),
                started: 0,
                bake_secs: 0,
                min_hosts: 0,
            };
            let d = decide_health(&ring, release, baseline, figures, 0, evidence, cost);
            RingFigures {
                ring: d.ring,
                strata: d.strata,
                costs: d.costs,
            }
        })
        .collect()
}

impl fmt::Display for RingFigures {
    /// A line for the ring, one per sensor and test.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ring {}:", self.ring)?;
        figure_lines(f, &self.strata, &self.costs)
    }
}

fn verdict(reason: &Reason) -> Verdict {
    match reason {
        Reason::Worse { .. } | Reason::Slower { .. } => Verdict::Halt,
        Reason::NotWorse => Verdict::Advance,
        _ => Verdict::Hold,
    }
}

/// The gate. `rows` is the collector's aggregate for the window since the ring
/// started; `release` is the version being rolled out, `baseline` the one it replaces.
pub fn decide(
    ring: &Ring,
    release: u64,
    baseline: u64,
    rows: &[Row],
    now: u64,
    evidence: &Evidence,
) -> Decision {
    let on_release = by_sensor(rows, |r| r.version == release && r.ring == ring.name);
    let on_baseline = by_sensor(rows, |r| r.version == baseline);
    let k = on_release.len().max(1) as f64;
    let halt_at = (k / evidence.alpha).ln();
    let advance_at = evidence.beta.ln();
    let strata: Vec<Stratum> = on_release
        .iter()
        .map(|(sensor, &release)| {
            let baseline = on_baseline.get(sensor).copied().unwrap_or_default();
            let p0 = wilson_upper(baseline.bad, baseline.reporting, evidence.baseline_z)
                .max(evidence.floor)
                .min(0.5);
            let alternatives = alternatives(p0, evidence.delta);
            let p1 = regression(p0, evidence.delta);
            Stratum {
                sensor: sensor.clone(),
                release,
                baseline,
                p0,
                p1,
                llr: mixture_llr(
                    p0,
                    &alternatives,
                    release.bad,
                    release.reporting.saturating_sub(release.bad),
                ),
                alternatives,
                settled_llr: llr(p0, p1, release.bad, release.healthy),
                halt_at,
                advance_at,
            }
        })
        .collect();
    let reason = reason(ring, &strata, now, evidence);
    Decision {
        ring: ring.name.clone(),
        verdict: verdict(&reason),
        reason,
        strata,
        costs: Vec::new(),
    }
}

/// The checks in order: evidence of harm halts at any time; everything else must hold
/// for the ring to advance.
fn reason(ring: &Ring, strata: &[Stratum], now: u64, evidence: &Evidence) -> Reason {
    if strata.is_empty() {
        return Reason::NoBeacons;
    }
    // A missing baseline cannot stop a halt: with none, p0 is the floor, which only
    // makes a halt come sooner (halting is the safe side).
    if let Some(s) = strata.iter().find(|s| s.llr >= s.halt_at) {
        return Reason::Worse {
            sensor: s.sensor.clone(),
        };
    }
    let ends = ring.started.saturating_add(ring.bake_secs);
    if now < ends {
        return Reason::Baking {
            left_secs: ends - now,
        };
    }
    let total = strata
        .iter()
        .fold(Counts::default(), |sum, s| sum + s.release);
    let outcomes = total.healthy.saturating_add(total.bad);
    if outcomes < ring.min_hosts {
        return Reason::TooFewHosts {
            have: outcomes,
            need: ring.min_hosts,
        };
    }
    if rate(total.silent, total.reporting) > evidence.max_silent {
        return Reason::Silent {
            silent: total.silent,
            of: total.reporting,
        };
    }
    if let Some(s) = strata
        .iter()
        .find(|s| s.baseline.reporting < evidence.min_baseline_hosts)
    {
        return Reason::NoBaseline {
            sensor: s.sensor.clone(),
            have: s.baseline.reporting,
            need: evidence.min_baseline_hosts,
        };
    }
    if let Some(s) = strata.iter().find(|s| s.settled_llr > s.advance_at) {
        return Reason::Undecided {
            sensor: s.sensor.clone(),
        };
    }
    Reason::NotWorse
}

/// The upper end of the Wilson score interval for `bad` of `n`, `z` standard errors
/// out; 0 for no hosts (the floor then applies).
pub(crate) fn wilson_upper(bad: u64, n: u64, z: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    let p = bad as f64 / n;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    (centre + spread) / (1.0 + z2 / n)
}

/// `part / of`, 0 when `of` is 0.
fn rate(part: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        part as f64 / of as f64
    }
}

/// The rows that `keep` selects, summed per sensor (over rings).
fn by_sensor(rows: &[Row], keep: impl Fn(&Row) -> bool) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    for row in rows.iter().filter(|r| keep(r)) {
        let sum = out.entry(row.sensor.clone()).or_default();
        *sum = *sum + row.counts;
    }
    out
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoBeacons => write!(f, "no host of the ring reported on the release"),
            Reason::Worse { sensor } => write!(f, "{sensor} is worse than its baseline"),
            Reason::Baking { left_secs } => write!(f, "baking, {left_secs} s left"),
            Reason::TooFewHosts { have, need } => {
                write!(f, "{have} hosts with an outcome, {need} needed")
            }
            Reason::Silent { silent, of } => {
                write!(f, "{silent} of {of} hosts silent since they activated")
            }
            Reason::NoBaseline { sensor, have, need } => {
                write!(f, "{sensor}: {have} baseline hosts, {need} needed")
            }
            Reason::Undecided { sensor } => write!(f, "{sensor}: not enough evidence yet"),
            Reason::NotWorse => write!(f, "no sensor worse than its baseline"),
            Reason::Slower { sensor } => {
                write!(f, "{sensor} evaluates slower than its baseline")
            }
            Reason::TooFewCostFigures { have, need } => {
                write!(f, "{have} hosts sent cost figures, {need} needed")
            }
            Reason::NoCostBaseline { sensor, have, need } => write!(
                f,
                "{sensor}: {have} baseline hosts sent cost figures, {need} needed"
            ),
            Reason::CostUndecided { sensor } => {
                write!(f, "{sensor}: not enough cost evidence yet")
            }
        }
    }
}

impl fmt::Display for Stratum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |part: u64, of: u64| 100.0 * rate(part, of);
        write!(
            f,
            "{}: release {} bad / {} healthy / {} silent of {} ({:.2}% bad), baseline {} bad of {} ({:.2}%); p0 {:.2}% p1 {:.2}% (halt: mixture of {}); llr {:.2} (halt at {:.2}), settled {:.2} (advance at {:.2})",
            self.sensor,
            self.release.bad,
            self.release.healthy,
            self.release.silent,
            self.release.reporting,
            pct(self.release.bad, self.release.bad + self.release.healthy),
            self.baseline.bad,
            self.baseline.reporting,
            pct(self.baseline.bad, self.baseline.reporting),
            100.0 * self.p0,
            100.0 * self.p1,
            percentages(&self.alternatives),
            self.llr,
            self.halt_at,
            self.settled_llr,
            self.advance_at,
        )
    }
}

impl fmt::Display for Decision {
    /// One line for the verdict, one per sensor.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.ring, self.verdict, self.reason)?;
        figure_lines(f, &self.strata, &self.costs)
    }
}

/// One indented line per sensor of each test.
fn figure_lines(
    f: &mut fmt::Formatter<'_>,
    strata: &[Stratum],
    costs: &[CostStratum],
) -> fmt::Result {
    for s in strata {
        write!(f, "\n  {s}")?;
    }
    for s in costs {
        write!(f, "\n  {s}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(version: u64, ring: &str, sensor: &str, healthy: u64, bad: u64, silent: u64) -> Row {
        Row {
            version,
            ring: ring.into(),
            sensor: sensor.into(),
            counts: Counts {
                reporting: healthy + bad + silent,
                healthy,
                crashed: bad,
                rolled_back: 0,
                bad,
                silent,
            },
        }
    }

    fn canary() -> Ring {
        Ring {
            name: "canary".into(),
            started: 1000,
            bake_secs: 3600,
            min_hosts: 100,
        }
    }

    fn decide_at(rows: &[Row], now: u64) -> Decision {
        decide(&canary(), 2, 1, rows, now, &Evidence::default())
    }

    #[test]
    fn each_rule_in_turn() {
        let baseline = row(1, "general", "s", 5000, 10, 0);
        let later = 1000 + 3600;
        assert_eq!(
            decide_at(std::slice::from_ref(&baseline), later).reason,
            Reason::NoBeacons
        );
        let healthy = row(2, "canary", "s", 600, 1, 0);
        assert_eq!(
            decide_at(&[baseline.clone(), healthy.clone()], 1000).reason,
            Reason::Baking { left_secs: 3600 }
        );
        let d = decide_at(&[baseline.clone(), healthy.clone()], later);
        assert_eq!(
            (d.verdict, &d.reason),
            (Verdict::Advance, &Reason::NotWorse)
        );
        assert_eq!(
            decide_at(&[baseline.clone(), row(2, "canary", "s", 50, 0, 0)], later).reason,
            Reason::TooFewHosts {
                have: 50,
                need: 100
            }
        );
        assert_eq!(
            decide_at(
                &[baseline.clone(), row(2, "canary", "s", 600, 1, 100)],
                later
            )
            .reason,
            Reason::Silent {
                silent: 100,
                of: 701
            }
        );
        assert_eq!(
            decide_at(&[row(1, "general", "s", 50, 0, 0), healthy.clone()], later).reason,
            Reason::NoBaseline {
                sensor: "s".into(),
                have: 50,
                need: 100
            }
        );
        assert_eq!(
            decide_at(&[baseline.clone(), row(2, "canary", "s", 150, 1, 0)], later).reason,
            Reason::Undecided { sensor: "s".into() }
        );
        // Harm halts even while baking, and other rings' hosts on the release are not
        // this ring's evidence.
        let d = decide_at(&[baseline.clone(), row(2, "canary", "s", 10, 5, 0)], 1000);
        assert_eq!(
            (d.verdict, d.reason),
            (Verdict::Halt, Reason::Worse { sensor: "s".into() })
        );
        assert_eq!(
            decide_at(&[baseline, row(2, "internal", "s", 10, 5, 0)], later).reason,
            Reason::NoBeacons
        );
    }

    #[test]
    fn sensors_are_compared_with_their_own_baseline() {
        // Sensor b's baseline crashes as often as its release does; a's does not.
        let rows = [
            row(1, "general", "a", 5000, 5, 0),
            row(1, "general", "b", 5000, 250, 0),
            row(2, "canary", "a", 500, 25, 0),
            row(2, "canary", "b", 500, 25, 0),
        ];
        let d = decide_at(&rows, 1000 + 3600);
        assert_eq!(d.reason, Reason::Worse { sensor: "a".into() });
        assert!(d.strata[1].llr < 0.0, "{d}");
        // Two sensors: the halt bound is ln(2 / alpha).
        assert!((d.strata[0].halt_at - (2.0f64 / 0.01).ln()).abs() < 1e-12);
    }

    #[test]
    fn the_baseline_bound_tightens_with_more_hosts() {
        // 2 of 1,000 at z = 2: p = 0.002, bound (0.002 + 0.002 + 2 * sqrt(0.002 * 0.998 / 1000 + 1e-6)) / 1.004.
        let expected = (0.004 + 2.0 * (0.002f64 * 0.998 / 1000.0 + 1e-6).sqrt()) / 1.004;
        assert!((wilson_upper(2, 1000, 2.0) - expected).abs() < 1e-12);
        assert!(wilson_upper(20, 10_000, 2.0) < wilson_upper(2, 1000, 2.0));
        assert!(wilson_upper(20, 10_000, 2.0) > 0.002);
        assert_eq!(wilson_upper(0, 0, 2.0), 0.0);
    }

    /// The crash-on-load case against a small baseline: 28 hosts without a crash put
    /// `p0` at 12.5% (z = 2), where the single alternative `p0 + delta` needed some
    /// sixty crashes; the mixture halts after four.
    #[test]
    fn a_release_that_crashes_every_host_halts_after_a_handful_of_crashes() {
        let baseline = row(1, "general", "s", 28, 0, 0);
        let crashes_to_halt = |evidence: &Evidence| {
            (1..200).find(|bad| {
                let rows = [baseline.clone(), row(2, "canary", "s", 0, *bad, 0)];
                decide(&canary(), 2, 1, &rows, 1000, evidence).verdict == Verdict::Halt
            })
        };
        let d = decide_at(&[baseline.clone(), row(2, "canary", "s", 0, 1, 0)], 1000);
        assert!((d.strata[0].p0 - 0.125).abs() < 1e-12, "{d}");
        assert_eq!(crashes_to_halt(&Evidence::default()), Some(3));
        // The single alternative's count, for the record: ln(100) / ln(13.5 / 12.5).
        let one = llr(0.125, 0.135, 1, 0);
        assert_eq!((Evidence::default().alpha.recip().ln() / one).ceil(), 60.0);
        // A few healthy hosts beside the crashes (silent ones count as not bad) delay
        // it by a few crashes, not by dozens.
        let halts = (1..200).find(|bad| {
            let rows = [baseline.clone(), row(2, "canary", "s", 0, *bad, 5)];
            decide_at(&rows, 1000).verdict == Verdict::Halt
        });
        assert!(halts.is_some_and(|b| b <= 8), "{halts:?}");
    }
}
