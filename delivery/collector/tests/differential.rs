//! The collector's SQL aggregates and ward-health's `aggregate` and `costs` agree: on
//! the recorded beacon and cost streams the gate is tested with, at several windows,
//! and on random streams.
//! Also the store's own rules: a beacon stored once per host and id, a host's key
//! bound at enrollment, the enrollment rate, and everything still there after reopen.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use ward_collector::{Store, StoreError};
use ward_health::beacon::{Batch, Beacon, Kind, Record, FORMAT, MAX_BEACONS};
use ward_health::cost::{Summary, SummaryRecord};
use ward_health::{aggregate, costs, Window};

/// Stores records as each host's batches (of at most 256), every host under key `k`.
fn store_all(store: &mut Store, records: &[Record]) {
    let mut by_host: BTreeMap<&str, Vec<Beacon>> = BTreeMap::new();
    for r in records {
        by_host.entry(&r.host).or_default().push(r.beacon.clone());
    }
    for (host, beacons) in by_host {
        for chunk in beacons.chunks(MAX_BEACONS) {
            let batch = Batch {
                v: FORMAT,
                summaries: Vec::new(),
                host: host.to_string(),
                beacons: chunk.to_vec(),
            };
            store.insert(&batch, "k", 0, u64::MAX).unwrap();
        }
    }
}

/// Stores summary records as each host's batches, as [`store_all`] stores beacons.
fn store_summaries(store: &mut Store, records: &[SummaryRecord]) {
    let mut by_host: BTreeMap<&str, Vec<Summary>> = BTreeMap::new();
    for r in records {
        by_host.entry(&r.host).or_default().push(r.summary.clone());
    }
    for (host, summaries) in by_host {
        for chunk in summaries.chunks(MAX_BEACONS) {
            let batch = Batch {
                v: FORMAT,
                host: host.to_string(),
                beacons: Vec::new(),
                summaries: chunk.to_vec(),
            };
            store.insert(&batch, "k", 0, u64::MAX).unwrap();
        }
    }
}

fn recorded<T: serde::de::DeserializeOwned>(name: &str) -> Vec<T> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../health/tests/data/{name}.jsonl"));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn sql_and_rust_agree_on_the_recorded_streams() {
    for name in [
        "crash_on_load",
        "one_percent_regression",
        "noisy_but_healthy",
        "hosts_going_offline",
    ] {
        let records: Vec<Record> = recorded(name);
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("b.db")).unwrap();
        store_all(&mut store, &records);
        let start = records.iter().map(|r| r.beacon.at).min().unwrap();
        for minutes in [10, 60, 125, 240] {
            let window = Window {
                channel: 1,
                since: start + 300,
                until: start + minutes * 60,
            };
            assert_eq!(
                store.aggregate(&window).unwrap(),
                aggregate(&records, &window),
                "{name}, {minutes} min"
            );
        }
    }
}

#[test]
fn sql_and_rust_agree_on_the_recorded_cost_streams() {
    for name in [
        "costs_slow_channel",
        "costs_faster_release",
        "costs_noisy_but_healthy",
    ] {
        let records: Vec<SummaryRecord> = recorded(name);
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("b.db")).unwrap();
        store_summaries(&mut store, &records);
        let start = records.iter().map(|r| r.summary.at).min().unwrap();
        for minutes in [10, 60, 125, 240] {
            let window = Window {
                channel: 1,
                since: start + 300,
                until: start + minutes * 60,
            };
            let rows = store.costs(&window).unwrap();
            assert_eq!(rows, costs(&records, &window), "{name}, {minutes} min");
        }
    }
}

fn summaries() -> impl Strategy<Value = Vec<SummaryRecord>> {
    let summary = (
        (0u8..6, 0u8..30, 0u64..100, 1u32..3, 1u64..4),
        prop::sample::select(vec!["canary", "general"]),
        prop::sample::select(vec!["a", "b"]),
        // Costs across many buckets, from the exact small ones to billions.
        (0u32..40).prop_flat_map(|bits| 0u64..(1u64 << bits).max(1)),
        0u64..1_000_000,
        0u64..(1 << 40),
    )
        .prop_map(
            |((host, id, at, channel, version), ring, sensor, p99, events, memory)| SummaryRecord {
                host: format!("h{host}"),
                summary: Summary {
                    id: format!("s{id}"),
                    at,
                    channel,
                    version,
                    ring: ring.into(),
                    sensor: sensor.into(),
                    interval_secs: 600,
                    events,
                    cost_p50: p99 / 2,
                    cost_p99: p99,
                    cost_max: p99 * 2,
                    nanos_mean: None,
                    memory_bytes: memory,
                },
            },
        );
    prop::collection::vec(summary, 0..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn sql_and_rust_agree_on_random_cost_streams(records in summaries(), since in 0u64..50, len in 0u64..100) {
        // Summary ids repeat within a host: both sides keep the first.
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("b.db")).unwrap();
        for r in &records {
            let batch = Batch {
                v: FORMAT,
                host: r.host.clone(),
                beacons: Vec::new(),
                summaries: vec![r.summary.clone()],
            };
            store.insert(&batch, "k", 0, u64::MAX).unwrap();
        }
        let window = Window { channel: 1, since, until: since + len };
        prop_assert_eq!(store.costs(&window).unwrap(), costs(&records, &window));
    }
}

fn records() -> impl Strategy<Value = Vec<Record>> {
    let kind = prop::sample::select(Kind::ALL.to_vec());
    let record = (
        0u8..6,
        0u8..40,
        kind,
        0u64..100,
        1u32..3,
        1u64..4,
        prop::sample::select(vec!["canary", "general"]),
        prop::sample::select(vec!["a", "b"]),
    )
        .prop_map(
            |(host, id, kind, at, channel, version, ring, sensor)| Record {
                host: format!("h{host}"),
                beacon: Beacon {
                    id: format!("b{id}"),
                    kind,
                    at,
                    channel,
                    version,
                    ring: ring.into(),
                    sensor: sensor.into(),
                },
            },
        );
    prop::collection::vec(record, 0..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn sql_and_rust_agree_on_random_streams(records in records(), since in 0u64..50, len in 0u64..100) {
        // The store keeps the first of two beacons with one host and id; so must the
        // stream the Rust side sees.
        let mut seen = std::collections::HashSet::new();
        let records: Vec<Record> = records.into_iter().filter(|r| seen.insert((r.host.clone(), r.beacon.id.clone()))).collect();
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("b.db")).unwrap();
        store_all(&mut store, &records);
        let window = Window { channel: 1, since, until: since + len };
        prop_assert_eq!(store.aggregate(&window).unwrap(), aggregate(&records, &window));
    }
}

fn beacon(id: &str, kind: Kind) -> Beacon {
    Beacon {
        id: id.into(),
        kind,
        at: 10,
        channel: 1,
        version: 2,
        ring: "canary".into(),
        sensor: "s".into(),
    }
}

fn batch(host: &str, beacons: Vec<Beacon>) -> Batch {
    Batch {
        v: FORMAT,
        summaries: Vec::new(),
        host: host.into(),
        beacons,
    }
}

#[test]
fn a_beacon_is_stored_once_per_host_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.db");
    let mut store = Store::open(&path).unwrap();
    let b = batch(
        "h1",
        vec![beacon("x", Kind::Activated), beacon("y", Kind::Crashed)],
    );
    let first = store.insert(&b, "k1", 100, 10).unwrap();
    assert_eq!(
        (first.stored, first.duplicates, first.enrolled),
        (2, 0, true)
    );
    let again = store.insert(&b, "k1", 101, 10).unwrap();
    assert_eq!(
        (again.stored, again.duplicates, again.enrolled),
        (0, 2, false)
    );
    // Another host may use the same beacon id: ids are per host.
    let other = store
        .insert(
            &batch("h2", vec![beacon("x", Kind::Healthy)]),
            "k2",
            102,
            10,
        )
        .unwrap();
    assert_eq!(other.stored, 1);
    drop(store);
    let store = Store::open(&path).unwrap();
    assert!(
        store.has("h1", "x").unwrap()
            && store.has("h1", "y").unwrap()
            && store.has("h2", "x").unwrap()
    );
    assert_eq!(
        store.totals().unwrap(),
        vec![
            (Kind::Activated, 1),
            (Kind::Healthy, 1),
            (Kind::Crashed, 1),
            (Kind::RolledBack, 0)
        ]
    );
}

#[test]
fn a_host_id_is_bound_to_its_first_key_and_enrollment_is_rate_limited() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("b.db")).unwrap();
    store
        .insert(
            &batch("h1", vec![beacon("a", Kind::Healthy)]),
            "k1",
            1000,
            2,
        )
        .unwrap();
    let forged = store.insert(
        &batch("h1", vec![beacon("b", Kind::Crashed)]),
        "evil",
        1001,
        2,
    );
    assert!(
        matches!(forged, Err(StoreError::KeyMismatch { .. })),
        "{forged:?}"
    );
    assert!(
        !store.has("h1", "b").unwrap(),
        "a refused batch stores nothing"
    );
    store.insert(&batch("h2", vec![]), "k2", 1002, 2).unwrap();
    let third = store.insert(
        &batch("h3", vec![beacon("c", Kind::Crashed)]),
        "k3",
        1003,
        2,
    );
    assert!(
        matches!(third, Err(StoreError::EnrollmentLimit { per_minute: 2 })),
        "{third:?}"
    );
    assert!(!store.has("h3", "c").unwrap());
    // A minute later there is room again.
    store
        .insert(
            &batch("h3", vec![beacon("c", Kind::Crashed)]),
            "k3",
            1061,
            2,
        )
        .unwrap();
}
