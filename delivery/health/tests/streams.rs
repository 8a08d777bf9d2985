//! The gate on recorded beacon streams (tests/data/*.jsonl, one record per line): the
//! controller's loop replayed, every ten minutes the aggregate of what arrived since
//! the ring started and the gate's decision, until it halts or advances.

mod fleet;
mod recordings;

use fleet::{Scenario, Sensor, BASELINE, RELEASE, RING, START};
use recordings::read;
use ward_health::{aggregate, decide, Decision, Evidence, Reason, Record, Ring, Verdict, Window};

/// A ring that bakes two hours and needs 300 hosts with an outcome.
fn ring() -> Ring {
    Ring {
        name: RING.into(),
        started: START,
        bake_secs: 2 * 3600,
        min_hosts: 300,
    }
}

fn sensor(name: &'static str, release_hosts: u64, bad: (f64, f64), silent: f64) -> Sensor {
    Sensor {
        name,
        release_hosts,
        baseline_hosts: 1500,
        release_bad: bad.0,
        baseline_bad: bad.1,
        release_silent: silent,
    }
}

/// The four recorded scenarios, by file name.
fn scenarios() -> Vec<(&'static str, Scenario)> {
    let quiet = |seed, sensors, duration| Scenario {
        seed,
        sensors,
        duration,
        duplicates: 0.0,
        skew: 0,
    };
    vec![
        // Every host on one sensor crashes at once (channel 291's way); the other
        // sensor's hosts are fine.
        (
            "crash_on_load",
            quiet(
                1,
                vec![
                    sensor("windows_7_13", 200, (1.0, 0.002), 0.0),
                    sensor("windows_7_11", 200, (0.002, 0.002), 0.0),
                ],
                3600,
            ),
        ),
        // One percentage point more hosts crash on the release than on the baseline.
        (
            "one_percent_regression",
            quiet(
                2,
                vec![sensor("windows_7_13", 900, (0.012, 0.002), 0.01)],
                4 * 3600,
            ),
        ),
        // The release is as good as the baseline, and the stream is noisy: beacons
        // twice, host clocks off by two minutes, a few hosts silent.
        (
            "noisy_but_healthy",
            Scenario {
                seed: 3,
                sensors: vec![sensor("windows_7_13", 900, (0.003, 0.003), 0.03)],
                duration: 4 * 3600,
                duplicates: 0.05,
                skew: 120,
            },
        ),
        // A third of the ring's hosts go offline after they activate.
        (
            "hosts_going_offline",
            quiet(
                4,
                vec![sensor("windows_7_13", 900, (0.002, 0.002), 0.33)],
                4 * 3600,
            ),
        ),
    ]
}

/// Every ten minutes, the gate on what had arrived; the decisions up to the first
/// halt or advance.
fn replay(records: &[Record], until: u64) -> Vec<(u64, Decision)> {
    replay_every(records, until, 600)
}

/// Every `step` seconds, the gate on what had arrived (`ward rollout watch --every`).
fn replay_every(records: &[Record], until: u64, step: u64) -> Vec<(u64, Decision)> {
    let mut decisions = Vec::new();
    let mut now = START;
    while now < START + until {
        now += step;
        let window = Window {
            channel: 1,
            since: START,
            until: now,
        };
        let rows = aggregate(records, &window);
        let d = decide(&ring(), RELEASE, BASELINE, &rows, now, &Evidence::default());
        let done = d.verdict != Verdict::Hold;
        if done || now == START + until {
            // The figures docs/delivery.md quotes (`--nocapture` shows them).
            eprintln!("after {} s: {d}", now - START);
        }
        decisions.push((now - START, d));
        if done {
            break;
        }
    }
    decisions
}

#[test]
fn recorded_streams_are_what_the_fleet_makes() {
    for (name, scenario) in scenarios() {
        recordings::check_recording(name, &fleet::stream(&scenario));
    }
}

#[test]
fn crash_on_load_halts_within_twenty_minutes_on_the_sensor_that_crashes() {
    let decisions = replay(&read("crash_on_load"), 3600);
    let (at, last) = decisions.last().unwrap();
    assert_eq!(last.verdict, Verdict::Halt, "{last}");
    assert_eq!(
        last.reason,
        Reason::Worse {
            sensor: "windows_7_13".into()
        },
        "{last}"
    );
    assert!(*at <= 1200, "halted only after {at} s");
}

/// The gate looking every minute, as the controller does: the mixture's catastrophic
/// alternatives halt on the first few crashes, not after dozens (docs/delivery.md, "The
/// gate": against the single alternative `p0 + delta` each crash is worth only
/// `ln(p1 / p0)`).
#[test]
fn crash_on_load_halts_after_a_handful_of_crashes() {
    let decisions = replay_every(&read("crash_on_load"), 3600, 60);
    let (at, last) = decisions.last().unwrap();
    assert_eq!(last.verdict, Verdict::Halt, "{last}");
    let crashing = last
        .strata
        .iter()
        .find(|s| s.sensor == "windows_7_13")
        .unwrap();
    assert!(crashing.release.bad <= 8, "after {at} s: {last}");
    assert!(*at <= 600, "halted only after {at} s");
}

#[test]
fn a_one_percent_regression_halts_and_never_advances() {
    let decisions = replay(&read("one_percent_regression"), 4 * 3600);
    let (at, last) = decisions.last().unwrap();
    assert_eq!(last.verdict, Verdict::Halt, "after {at} s: {last}");
}

#[test]
fn noisy_but_healthy_advances_after_the_bake_time_and_never_halts() {
    let decisions = replay(&read("noisy_but_healthy"), 4 * 3600);
    let (at, last) = decisions.last().unwrap();
    assert_eq!(last.verdict, Verdict::Advance, "after {at} s: {last}");
    assert!(*at >= 2 * 3600);
    assert!(decisions.iter().all(|(_, d)| d.verdict != Verdict::Halt));
}

#[test]
fn hosts_going_offline_hold_the_ring() {
    let decisions = replay(&read("hosts_going_offline"), 4 * 3600);
    assert!(decisions.iter().all(|(_, d)| d.verdict == Verdict::Hold));
    let (_, last) = decisions.last().unwrap();
    assert!(matches!(last.reason, Reason::Silent { .. }), "{last}");
}
