//! Criterion benchmarks: verification of a 100,000-instance channel, and events per second
//! through the reference interpreter at 1,000, 10,000 and 100,000 instances.
//!
//! The generated content mixes the shapes real channels have: mostly indicator matches
//! (hashes, addresses, ports, image paths), some text operators, and a minority of globs
//! and regexes drawn from 500 distinct patterns. Figures are in docs/performance.md.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use common::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion as Bench, Throughput};
use ward_runtime::*;

fn sha(k: u32) -> [u8; 32] {
    let mut h = [0u8; 32];
    h[..4].copy_from_slice(&k.to_le_bytes());
    h[31] = 0x5a;
    h
}

/// Instance `k` of the generated channel.
fn generated_instance(k: u32) -> Instance {
    let criteria = match k % 20 {
        // 60%: a known-bad hash, sometimes only for remote clients.
        0..=11 => {
            let mut c = vec![crit(HASH, Op::Eq, Operand::Scalar(Value::Sha256(sha(k))))];
            if k % 3 == 0 {
                c.push(crit(REMOTE, Op::Eq, Operand::Scalar(Value::Bool(true))));
            }
            c
        }
        // 20%: a network block and a port list.
        12..=15 => vec![
            crit(
                ADDR,
                Op::Within,
                Operand::Cidr {
                    addr: IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | (k << 8))),
                    prefix: 24,
                },
            ),
            crit(
                PORT,
                Op::In,
                Operand::List(vec![Value::Uint(445), Value::Uint(u64::from(k % 60_000))]),
            ),
        ],
        // 15%: an image path (case-insensitive) and an integrity level.
        16..=18 => vec![
            crit(PIPE, Op::EndsWith, s(&format!(r"\tool{k}.exe"))),
            crit(
                INTEGRITY,
                Op::In,
                Operand::List(vec![Value::Enum(0), Value::Enum(1)]),
            ),
        ],
        // 5%: a glob or a regex from 500 distinct patterns.
        _ => {
            let p = k % 500;
            if p % 2 == 0 {
                vec![crit(PIPE, Op::Glob, pat(&format!(r"\\.\pipe\svc{p}_*")))]
            } else {
                vec![crit(
                    IMAGE,
                    Op::Matches,
                    pat(&format!(r"(?i)\\agent{p}[0-9a-f]{{4}}\.exe$")),
                )]
            }
        }
    };
    Instance {
        id: k,
        name: format!("generated_{k}"),
        severity: Severity::Medium,
        action: Action::Detect,
        tags: vec!["attack.t1059".into(), format!("group{}", k % 50)],
        criteria,
    }
}

fn generated_channel(n: u32) -> Channel {
    channel_with((0..n).map(generated_instance).collect())
}

/// An event that matches nothing: every instance's first criterion is evaluated.
fn quiet_event() -> Vec<Value> {
    event_with(&[
        (PIPE, Value::Str(r"\\.\pipe\spoolss".into())),
        (IMAGE, Value::Str(r"C:\Windows\System32\spoolsv.exe".into())),
        (ADDR, Value::Ip("192.168.1.20".parse().unwrap())),
        (PORT, Value::Uint(49_152)),
        (HASH, Value::Sha256([0x11; 32])),
        (INTEGRITY, Value::Enum(4)),
    ])
}

fn bench_verify(c: &mut Bench) {
    let bytes = sign1(&generated_channel(100_000));
    let (trust, host) = (trust(), host());
    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function(BenchmarkId::new("instances", 100_000), |b| {
        // The verified channel is freed outside the timing: a host frees the old channel
        // after the swap, not while verifying the new one.
        b.iter_with_large_drop(|| verify(black_box(&bytes), &trust, &host).unwrap())
    });
    group.bench_function(BenchmarkId::new("instances_including_drop", 100_000), |b| {
        b.iter(|| verify(black_box(&bytes), &trust, &host).unwrap())
    });
    group.bench_function(BenchmarkId::new("decode_only", 100_000), |b| {
        b.iter_with_large_drop(|| decode(black_box(&bytes)).unwrap())
    });
    group.finish();
    eprintln!("100,000-instance channel: {} bytes", bytes.len());
}

fn bench_evaluate(c: &mut Bench) {
    let (trust, host) = (trust(), host());
    let event = quiet_event();
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(1));
    for n in [1_000u32, 10_000, 100_000] {
        let v = verify(&sign1(&generated_channel(n)), &trust, &host).unwrap();
        assert!(v.evaluate(&event).unwrap().is_empty());
        group.bench_with_input(BenchmarkId::new("instances", n), &v, |b, v| {
            b.iter(|| v.evaluate(black_box(&event)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_verify, bench_evaluate);
criterion_main!(benches);
