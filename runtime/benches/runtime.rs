//! Criterion benchmarks: verification (and so loading: the index is built by `verify`) of
//! a 100,000-instance channel, and events per second through the indexed evaluator (as
//! `evaluate` allocating its result, and as a host runs it: borrowed inputs into a kept
//! buffer), the hand-written floor (benches/floor) and the reference evaluator at 1,000,
//! 10,000 and 100,000 instances. Also prints the memory each verified channel holds. The
//! content is benches/mix; figures are in docs/performance.md.

mod floor;
mod mix;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion as Bench, Throughput};
use ward_runtime::*;

/// The mix at 10,000 instances and more is over the default time budget (cost.rs charges
/// every instance filed under a literal of one field, since one long input can contain
/// them all): these benchmarks measure speed, so they verify without the budget.
const UNBUDGETED: Limits = Limits {
    max_event_cost: u64::MAX,
    ..Limits::DEFAULT
};

/// Events per iteration: enough to mix ordinary and aimed events evenly.
const EVENTS: u32 = 200;

fn bench_verify(c: &mut Bench) {
    let (bytes, host) = mix::signed(100_000);
    let trust = mix::trust();
    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function(BenchmarkId::new("instances", 100_000), |b| {
        // The verified channel is freed outside the timing: a host frees the old channel
        // after the swap, not while verifying the new one.
        b.iter_with_large_drop(|| {
            verify_with(black_box(&bytes), &trust, &host, &UNBUDGETED).unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("instances_including_drop", 100_000), |b| {
        b.iter(|| verify_with(black_box(&bytes), &trust, &host, &UNBUDGETED).unwrap())
    });
    group.bench_function(BenchmarkId::new("decode_only", 100_000), |b| {
        b.iter_with_large_drop(|| decode(black_box(&bytes)).unwrap())
    });
    group.finish();
    eprintln!("100,000-instance channel: {} bytes", bytes.len());
}

fn bench_evaluate(c: &mut Bench) {
    let trust = mix::trust();
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(u64::from(EVENTS)));
    for n in [1_000u32, 10_000, 100_000] {
        let (bytes, host) = mix::signed(n);
        let v = verify_with(&bytes, &trust, &host, &UNBUDGETED).unwrap();
        let events = mix::events(n, EVENTS);
        let borrowed: Vec<Vec<Value<&str>>> = events
            .iter()
            .map(|e| e.iter().map(Value::borrowed).collect())
            .collect();
        let floor = floor::Floor::new(&mix::channel(n));
        let (mut buffer, mut scratch, mut ids) = (EvalBuffer::new(), Default::default(), vec![]);
        let mut matched = 0;
        for e in &borrowed {
            let hits = v.evaluate(e).unwrap();
            assert_eq!(hits, v.evaluate_reference(e).unwrap());
            assert_eq!(hits, v.evaluate_into(e, &mut buffer).unwrap());
            // The floor finds the same instances (it knows ids, not severities).
            floor.evaluate(e, &mut scratch, &mut ids);
            let ward: Vec<u32> = hits.iter().map(|m| m.instance).collect();
            assert_eq!(ward, ids, "the floor and Ward disagree");
            matched += hits.len();
        }
        eprintln!(
            "{n} instances: {matched} matches in {EVENTS} events; memory held {} bytes ({} per instance)",
            v.memory_bytes(),
            v.memory_bytes() / n as usize
        );
        group.bench_with_input(BenchmarkId::new("indexed", n), &v, |b, v| {
            b.iter(|| {
                for e in &events {
                    black_box(v.evaluate(black_box(e)).unwrap());
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("indexed_into", n), &v, |b, v| {
            b.iter(|| {
                for e in &borrowed {
                    black_box(v.evaluate_into(black_box(e), &mut buffer).unwrap());
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("floor", n), &floor, |b, floor| {
            b.iter(|| {
                for e in &borrowed {
                    floor.evaluate(black_box(e), &mut scratch, &mut ids);
                    black_box(&ids);
                }
            })
        });
        if n == 100_000 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::new("reference", n), &v, |b, v| {
            b.iter(|| {
                for e in &events {
                    black_box(v.evaluate_reference(black_box(e)).unwrap());
                }
            })
        });
    }
    group.finish();
}

/// What the counters add to an event (issue 18), in one run: `evaluate_into` counts every
/// event (work, matches); `evaluate_timed` also reads the host's clock twice and counts
/// the time; `record` and `record_timed` are the counting alone, with the same events'
/// work and matches, on counters outside evaluation (they cannot be switched off).
fn bench_counters(c: &mut Bench) {
    let n = 10_000;
    let (bytes, host) = mix::signed(n);
    let v = verify_with(&bytes, &mix::trust(), &host, &UNBUDGETED).unwrap();
    let events = mix::events(n, EVENTS);
    let borrowed: Vec<Vec<Value<&str>>> = events
        .iter()
        .map(|e| e.iter().map(Value::borrowed).collect())
        .collect();
    let mut buffer = EvalBuffer::new();
    let outcomes: Vec<(u64, usize)> = borrowed
        .iter()
        .map(|e| {
            let found = v.evaluate_into(e, &mut buffer).unwrap().len();
            (buffer.work(), found)
        })
        .collect();
    let start = std::time::Instant::now();
    let mut clock = || u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let mut group = c.benchmark_group("counters");
    group.throughput(Throughput::Elements(u64::from(EVENTS)));
    group.bench_function(BenchmarkId::new("evaluate_into", n), |b| {
        b.iter(|| {
            for e in &borrowed {
                black_box(v.evaluate_into(black_box(e), &mut buffer).unwrap());
            }
        })
    });
    group.bench_function(BenchmarkId::new("evaluate_timed", n), |b| {
        b.iter(|| {
            for e in &borrowed {
                black_box(
                    v.evaluate_timed(black_box(e), &mut buffer, &mut clock)
                        .unwrap(),
                );
            }
        })
    });
    let counters = counters::Counters::default();
    group.bench_function("record", |b| {
        b.iter(|| {
            for (work, found) in &outcomes {
                counters.record(black_box(*work), black_box(*found), None);
            }
        })
    });
    group.bench_function("record_timed", |b| {
        b.iter(|| {
            for (work, found) in &outcomes {
                counters.record(black_box(*work), black_box(*found), Some(black_box(*work)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_evaluate, bench_counters, bench_verify);
criterion_main!(benches);
