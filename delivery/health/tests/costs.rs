//! The gate's cost test on recorded streams of cost summaries (tests/data/costs_*.jsonl,
//! one summary record per line), beside crash beacons from the seeded fleet of
//! tests/fleet: the controller's loop replayed, every ten minutes both aggregates since
//! the ring started and `decide_health`, until it halts or advances. A slow channel
//! halts on the sensor it is slow on, a faster release advances, and noise in the
//! figures does not halt a release as fast as its baseline; measured over many seeded
//! noisy streams, the cost test halts no more often than its stated false-halt rate.

#[allow(dead_code)] // This file uses the fleet's hosts and its random numbers only.
mod fleet;
mod recordings;

use fleet::{Rng, Scenario, Sensor, BASELINE, RELEASE, RING, START};
use recordings::read;
use ward_health::cost::{Summary, SummaryRecord};
use ward_health::{
    aggregate, costs, decide_health, CostEvidence, Decision, Evidence, Figures, Reason, Record,
    Ring, Verdict, Window,
};

/// A ring that bakes two hours and needs 200 hosts with an outcome.
fn ring() -> Ring {
    Ring {
        name: RING.into(),
        started: START,
        bake_secs: 2 * 3600,
        min_hosts: 200,
    }
}

/// A host sends a summary this often, starting one interval after it activates.
const INTERVAL: u64 = 1800;
/// Every stream's length.
const DURATION: u64 = 3 * 3600;

/// One sensor's hosts and their costs.
#[derive(Debug, Clone)]
struct CostSensor {
    name: &'static str,
    release_hosts: u64,
    baseline_hosts: u64,
    /// The baseline's median host's p99 cost per event, in work units.
    p99: f64,
    /// The release's cost against the baseline's: 50 is fifty times costlier.
    factor: f64,
    /// Spread between hosts (their event mix) and between one host's intervals, as
    /// the standard deviation of the logarithm.
    host_spread: f64,
    interval_spread: f64,
    /// Chance an interval's p99 is a burst four times the usual.
    bursts: f64,
}

/// A cost stream to make.
#[derive(Debug, Clone)]
struct CostScenario {
    seed: u64,
    sensors: Vec<CostSensor>,
    /// Chance each summary is recorded twice.
    duplicates: f64,
    /// Host clocks are off by up to this many seconds either way.
    skew: u64,
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut Rng) -> f64 {
    let u = rng.unit().max(f64::MIN_POSITIVE);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * rng.unit()).cos()
}

/// The summaries of a scenario, in the order they happen.
fn cost_stream(s: &CostScenario) -> Vec<SummaryRecord> {
    let mut rng = Rng::new(s.seed);
    let mut out = Vec::new();
    let mut host_no = 0u64;
    for sensor in &s.sensors {
        for on_release in [true, false] {
            let hosts = if on_release {
                sensor.release_hosts
            } else {
                sensor.baseline_hosts
            };
            for _ in 0..hosts {
                host_no += 1;
                let skew = rng.below(2 * s.skew + 1) as i64 - s.skew as i64;
                let factor = if on_release { sensor.factor } else { 1.0 };
                let host_cost = sensor.p99 * factor * (sensor.host_spread * normal(&mut rng)).exp();
                let mut at = rng.below(3600) + INTERVAL;
                while at < DURATION {
                    let burst = if rng.chance(sensor.bursts) { 4.0 } else { 1.0 };
                    let p99 =
                        (host_cost * burst * (sensor.interval_spread * normal(&mut rng)).exp())
                            .max(1.0) as u64;
                    let record = SummaryRecord {
                        host: format!("h{host_no:07}"),
                        summary: Summary {
                            id: format!("{:016x}", rng.next()),
                            at: (START + at).saturating_add_signed(skew),
                            channel: 1,
                            version: if on_release { RELEASE } else { BASELINE },
                            ring: if on_release { RING } else { "general" }.into(),
                            sensor: sensor.name.into(),
                            interval_secs: INTERVAL,
                            events: 20_000 + rng.below(80_000),
                            cost_p50: p99 / 4,
                            cost_p99: p99,
                            cost_max: p99 * 3,
                            nanos_mean: None,
                            memory_bytes: (600_000.0 * factor.sqrt()) as u64,
                        },
                    };
                    if rng.chance(s.duplicates) {
                        out.push(record.clone());
                    }
                    out.push(record);
                    at += INTERVAL;
                }
            }
        }
    }
    out.sort_by_key(|r| r.summary.at);
    out
}

/// The crash side of a scenario: its sensors, none worse than the baseline, with the
/// fleet of the crash streams (900 ring hosts, 1,500 baseline hosts a sensor), which
/// the crash test needs to advance; made at test time, not recorded (the crash test's
/// own streams are).
fn crash_stream(s: &CostScenario) -> Vec<Record> {
    let per_sensor = 900 / s.sensors.len() as u64;
    fleet::stream(&Scenario {
        seed: s.seed,
        sensors: s
            .sensors
            .iter()
            .map(|c| Sensor {
                name: c.name,
                release_hosts: per_sensor,
                baseline_hosts: 1500,
                release_bad: 0.002,
                baseline_bad: 0.002,
                release_silent: 0.0,
            })
            .collect(),
        duration: DURATION,
        duplicates: s.duplicates,
        skew: s.skew,
    })
}

fn sensor(name: &'static str, release_hosts: u64, factor: f64) -> CostSensor {
    CostSensor {
        name,
        release_hosts,
        baseline_hosts: 150,
        p99: 2000.0,
        factor,
        host_spread: 0.3,
        interval_spread: 0.15,
        bursts: 0.02,
    }
}

/// The three recorded scenarios, by file name.
fn scenarios() -> Vec<(&'static str, CostScenario)> {
    vec![
        // Valid, no crash, fifty times the cost of N on one sensor version; the same
        // as N on the other.
        (
            "costs_slow_channel",
            CostScenario {
                seed: 11,
                sensors: vec![
                    sensor("windows_7_13", 100, 50.0),
                    sensor("windows_7_11", 100, 1.0),
                ],
                duplicates: 0.0,
                skew: 0,
            },
        ),
        // The release evaluates in about 60% of the baseline's work.
        (
            "costs_faster_release",
            CostScenario {
                seed: 12,
                sensors: vec![sensor("windows_7_13", 200, 0.6)],
                duplicates: 0.0,
                skew: 0,
            },
        ),
        // As fast as the baseline, with noisy figures: hosts twice as spread, one
        // interval in ten a burst, summaries sent twice, clocks off by two minutes.
        (
            "costs_noisy_but_healthy",
            CostScenario {
                seed: 13,
                sensors: vec![noisy(sensor("windows_7_13", 200, 1.0))],
                duplicates: 0.05,
                skew: 120,
            },
        ),
    ]
}

fn noisy(s: CostSensor) -> CostSensor {
    CostSensor {
        host_spread: 0.6,
        interval_spread: 0.3,
        bursts: 0.10,
        ..s
    }
}

/// Every `step` seconds, the gate on what had arrived; the decisions up to the first
/// halt or advance (or all of them, if `through`).
fn replay(
    beacons: &[Record],
    summaries: &[SummaryRecord],
    step: u64,
    through: bool,
) -> Vec<(u64, Decision)> {
    let mut decisions = Vec::new();
    let mut now = START;
    while now < START + DURATION {
        now += step;
        let window = Window {
            channel: 1,
            since: START,
            until: now,
        };
        let (rows, cost_rows) = (aggregate(beacons, &window), costs(summaries, &window));
        let figures = Figures {
            rows: &rows,
            costs: &cost_rows,
        };
        let d = decide_health(
            &ring(),
            RELEASE,
            BASELINE,
            figures,
            now,
            &Evidence::default(),
            &CostEvidence::default(),
        );
        let done = d.verdict != Verdict::Hold;
        if !through && (done || now == START + DURATION) {
            // The figures docs/delivery.md quotes (`--nocapture` shows them).
            eprintln!("after {} s: {d}", now - START);
        }
        decisions.push((now - START, d));
        if done && !through {
            break;
        }
    }
    decisions
}

fn replay_recorded(name: &str) -> Vec<(u64, Decision)> {
    let scenario = scenarios().into_iter().find(|(n, _)| *n == name).unwrap().1;
    replay(&crash_stream(&scenario), &read(name), 600, false)
}

#[test]
fn recorded_cost_streams_are_what_the_fleet_makes() {
    for (name, scenario) in scenarios() {
        recordings::check_recording(name, &cost_stream(&scenario));
    }
}

#[test]
fn a_slow_channel_halts_on_the_sensor_it_is_slow_on_within_ninety_minutes() {
    let decisions = replay_recorded("costs_slow_channel");
    let (at, last) = decisions.last().unwrap();
    assert_eq!(last.verdict, Verdict::Halt, "{last}");
    assert_eq!(
        last.reason,
        Reason::Slower {
            sensor: "windows_7_13".into()
        },
        "{last}"
    );
    assert!(*at <= 5400, "halted only after {at} s");
    // The other sensor's hosts are as fast as their baseline.
    let other = last
        .costs
        .iter()
        .find(|s| s.sensor == "windows_7_11")
        .unwrap();
    assert!(other.llr < other.halt_at, "{other}");
    // Nothing crashed: the crash test alone would not have stopped it.
    assert!(last.strata.iter().all(|s| s.llr < s.halt_at), "{last}");
}

#[test]
fn a_faster_release_advances_after_the_bake_time_and_never_halts() {
    let decisions = replay_recorded("costs_faster_release");
    let (at, last) = decisions.last().unwrap();
    assert_eq!(last.verdict, Verdict::Advance, "after {at} s: {last}");
    assert!(*at >= 2 * 3600);
    assert!(decisions.iter().all(|(_, d)| d.verdict != Verdict::Halt));
    assert!(last.costs[0].ratio() < 0.8, "{last}");
}

#[test]
fn noisy_figures_do_not_halt_a_release_as_fast_as_its_baseline() {
    let decisions = replay_recorded("costs_noisy_but_healthy");
    let (at, last) = decisions.last().unwrap();
    assert_eq!(last.verdict, Verdict::Advance, "after {at} s: {last}");
    assert!(decisions.iter().all(|(_, d)| d.verdict != Verdict::Halt));
    // The noise was real: some baseline hosts are past the margin too.
    assert!(last.costs[0].baseline.slow > 0, "{last}");
}

#[test]
fn missing_cost_figures_hold_a_release_the_crash_test_would_advance() {
    let (_, scenario) = scenarios().swap_remove(1);
    let decisions = replay(&crash_stream(&scenario), &[], 600, false);
    let (_, last) = decisions.last().unwrap();
    assert_eq!(last.verdict, Verdict::Hold, "{last}");
    assert_eq!(
        last.reason,
        Reason::TooFewCostFigures { have: 0, need: 200 }
    );
}

#[test]
fn the_measured_false_halt_rate_of_the_cost_test_is_within_its_alpha() {
    // 200 seeded noisy streams of a release as fast as its baseline, the gate looking
    // every half hour to the end without stopping at an advance.
    let runs = 200;
    let mut halted = 0;
    for seed in 0..runs {
        let scenario = CostScenario {
            seed: 1000 + seed,
            sensors: vec![
                noisy(sensor("windows_7_13", 100, 1.0)),
                noisy(sensor("windows_7_11", 100, 1.0)),
            ],
            duplicates: 0.0,
            skew: 0,
        };
        let summaries = cost_stream(&scenario);
        let decisions = replay(&[], &summaries, 1800, true);
        if decisions
            .iter()
            .any(|(_, d)| matches!(d.reason, Reason::Slower { .. }))
        {
            halted += 1;
        }
    }
    eprintln!("cost test: {halted} of {runs} healthy streams halted");
    // alpha is 1%; allow for the sampling error of 200 runs (3 standard errors).
    assert!(halted <= 6, "{halted} of {runs} halted");
}
