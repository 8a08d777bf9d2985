//! Properties of the gate: it never advances without data, before its bake time or
//! short of its hosts, whatever the rows; and measured over many seeded streams of a
//! release exactly as good as its baseline, it halts no more often than its stated
//! false-halt rate.

mod fleet;

use fleet::{Scenario, Sensor, BASELINE, RELEASE, RING, START};
use proptest::prelude::*;
use ward_health::{aggregate, decide, Counts, Evidence, Ring, Row, Verdict, Window};

fn ring(bake_secs: u64, min_hosts: u64) -> Ring {
    Ring {
        name: RING.into(),
        started: START,
        bake_secs,
        min_hosts,
    }
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    let counts = (0u64..2000, 0u64..50, 0u64..50, 0u64..200).prop_map(
        |(healthy, crashed, rolled, silent)| {
            let bad = crashed.max(rolled);
            Counts {
                reporting: healthy + bad + silent,
                healthy,
                crashed,
                rolled_back: rolled,
                bad,
                silent,
            }
        },
    );
    let row = (
        0u64..4,
        prop::sample::select(vec!["canary", "general"]),
        prop::sample::select(vec!["a", "b"]),
        counts,
    )
        .prop_map(|(version, ring, sensor, counts)| Row {
            version,
            ring: ring.into(),
            sensor: sensor.into(),
            counts,
        });
    prop::collection::vec(row, 0..8)
}

proptest! {
    #[test]
    fn never_advances_without_the_ring_on_the_release(rows in rows(), later in 0u64..100_000) {
        let others: Vec<Row> = rows.into_iter().filter(|r| !(r.version == RELEASE && r.ring == RING)).collect();
        let d = decide(&ring(0, 0), RELEASE, BASELINE, &others, START + later, &Evidence::default());
        prop_assert_eq!(d.verdict, Verdict::Hold);
    }

    #[test]
    fn never_advances_while_baking_or_short_of_hosts(rows in rows(), early in 0u64..7200, need in 0u64..5000) {
        let d = decide(&ring(7200, 0), RELEASE, BASELINE, &rows, START + early, &Evidence::default());
        prop_assert_ne!(d.verdict, Verdict::Advance);
        let d = decide(&ring(0, need), RELEASE, BASELINE, &rows, START + 7200, &Evidence::default());
        if d.verdict == Verdict::Advance {
            let outcomes: u64 = d.strata.iter().map(|s| s.release.healthy + s.release.bad).sum();
            prop_assert!(outcomes >= need);
        }
    }
}

/// Streams of a release as good as its baseline on two sensors; the gate looks every
/// half hour for four hours (and may not stop at an advance: it keeps looking, the
/// worst case for false halts). The share of streams ever halted is the measured
/// false-halt rate; it must not pass the stated `alpha`.
#[test]
fn identical_releases_are_halted_no_more_often_than_alpha() {
    let streams = 300;
    let evidence = Evidence::default();
    let mut halted = 0;
    for seed in 0..streams {
        let sensor = |name, bad| Sensor {
            name,
            release_hosts: 300,
            baseline_hosts: 3000,
            release_bad: bad,
            baseline_bad: bad,
            release_silent: 0.02,
        };
        let records = fleet::stream(&Scenario {
            seed: 1000 + seed,
            sensors: vec![sensor("a", 0.005), sensor("b", 0.02)],
            duration: 4 * 3600,
            duplicates: 0.02,
            skew: 60,
        });
        let ever_halted = (1..=8).any(|step| {
            let now = START + step * 1800;
            let rows = aggregate(
                &records,
                &Window {
                    channel: 1,
                    since: START,
                    until: now,
                },
            );
            decide(&ring(3600, 100), RELEASE, BASELINE, &rows, now, &evidence).verdict
                == Verdict::Halt
        });
        halted += u64::from(ever_halted);
    }
    let rate = halted as f64 / streams as f64;
    eprintln!(
        "false halts: {halted} of {streams} streams ({:.2}%), alpha {:.2}%",
        100.0 * rate,
        100.0 * evidence.alpha
    );
    assert!(
        rate <= evidence.alpha,
        "{halted} of {streams} identical releases halted"
    );
}
