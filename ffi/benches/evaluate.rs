//! Evaluation through the C ABI, beside the Rust API: the runtime benchmarks' mix
//! (runtime/benches/mix) verified with `ward_channel_verify` from a profile passed as
//! the static data a C host compiles in, and its events evaluated with
//! `ward_channel_evaluate` from `WardValue`s, exactly the calls a C sensor makes. The
//! Rust API row (`evaluate_into`, borrowed inputs, a kept buffer) is measured in the same
//! process on a channel verified from the same file, so the difference between the two
//! rows is the boundary: converting `WardValue`s and copying matches out. Figures are in
//! docs/performance.md.

#[path = "../tests/support/c_data.rs"]
mod c_data;
#[path = "../../runtime/benches/mix/mod.rs"]
mod mix;

use std::hint::black_box;
use std::ptr;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ward_ffi::*;
use ward_runtime::{EvalBuffer, Value};

use c_data::{c_inputs, c_profile, ip_bytes, no_error, Keep};

const EVENTS: u32 = 200;

/// A verified channel handle, freed when dropped.
struct Channel(*mut WardChannel);

impl Drop for Channel {
    fn drop(&mut self) {
        // SAFETY: the handle came from `ward_channel_verify` and is freed only here.
        unsafe { ward_channel_free(self.0) };
    }
}

/// `bytes` verified through the C ABI for `profile` under `limits`, as a host loads a
/// channel.
fn verify_through_ffi(
    bytes: &[u8],
    profile: &WardSensorProfileDef,
    limits: &WardLimits,
) -> Channel {
    let key = mix::key().verifying_key().to_bytes();
    let mut err = no_error();
    let mut trust = ptr::null_mut();
    // SAFETY: one 32-byte key at `key`; `trust` and `err` are writable.
    let status = unsafe { ward_trust_new(key.as_ptr(), 1, 1, &mut trust, &mut err) };
    assert_eq!(status, WardStatus::Ok);
    let mut host = ptr::null_mut();
    // SAFETY: the caller keeps everything `profile` points at alive.
    let status = unsafe { ward_profile_new(profile, &mut host, &mut err) };
    assert_eq!(status, WardStatus::Ok);
    let mut channel = ptr::null_mut();
    // SAFETY: `bytes` is readable for its length; the handles are live; `channel` writable.
    let status = unsafe {
        ward_channel_verify_with(
            bytes.as_ptr(),
            bytes.len(),
            trust,
            host,
            limits,
            &mut channel,
            &mut err,
        )
    };
    // SAFETY: handles from the calls above, freed once; the channel does not need them.
    unsafe { ward_profile_free(host) };
    // SAFETY: as above.
    unsafe { ward_trust_free(trust) };
    assert_eq!(status, WardStatus::Ok, "{:?}", err.code);
    Channel(channel)
}

/// Evaluates one event through the C ABI; the number of matches written to `matches`.
fn evaluate_through_ffi(
    channel: &Channel,
    inputs: &[WardValue],
    matches: &mut [WardMatch],
) -> usize {
    let mut count = 0;
    // SAFETY: a live handle; `inputs` and `matches` are valid for their lengths, and every
    // input's `bytes` points into the events or addresses, alive for the call.
    let status = unsafe {
        ward_channel_evaluate(
            channel.0,
            inputs.as_ptr(),
            inputs.len(),
            matches.as_mut_ptr(),
            matches.len(),
            &mut count,
            ptr::null_mut(),
        )
    };
    assert_eq!(status, WardStatus::Ok);
    count
}

fn bench_evaluate(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(u64::from(EVENTS)));
    // The mix at 10,000 instances and more is over the default cost budget: as in the
    // runtime benchmarks, both sides verify without one (the host's limits).
    let unbudgeted = WardLimits {
        max_event_cost: u64::MAX,
        ..ward_limits_default()
    };
    for n in [1_000u32, 10_000, 100_000] {
        let (bytes, host) = mix::signed(n);
        let mut keep = Keep::default();
        let profile = c_profile(&mut keep, &host);
        let channel = verify_through_ffi(&bytes, &profile, &unbudgeted);
        let limits = ward_runtime::Limits::from(&unbudgeted);
        let rust = ward_runtime::verify_with(&bytes, &mix::trust(), &host, &limits).unwrap();
        let events = mix::events(n, EVENTS);
        let addresses: Vec<Vec<Vec<u8>>> = events.iter().map(|e| ip_bytes(e)).collect();
        let inputs: Vec<Vec<WardValue>> = events
            .iter()
            .zip(&addresses)
            .map(|(e, a)| c_inputs(e, a))
            .collect();
        let borrowed: Vec<Vec<Value<&str>>> = events
            .iter()
            .map(|e| e.iter().map(Value::borrowed).collect())
            .collect();
        let mut matches = vec![
            WardMatch {
                instance: 0,
                severity: 0,
                action: 0,
            };
            64
        ];
        let mut buffer = EvalBuffer::new();
        // Both paths give the same instances on every event before either is timed.
        for (i, b) in inputs.iter().zip(&borrowed) {
            let count = evaluate_through_ffi(&channel, i, &mut matches);
            let through: Vec<u32> = matches[..count].iter().map(|m| m.instance).collect();
            let direct: Vec<u32> = rust
                .evaluate_into(b, &mut buffer)
                .unwrap()
                .iter()
                .map(|m| m.instance)
                .collect();
            assert_eq!(through, direct);
        }
        group.bench_function(BenchmarkId::new("c_abi", n), |b| {
            b.iter(|| {
                for i in &inputs {
                    black_box(evaluate_through_ffi(&channel, black_box(i), &mut matches));
                }
            })
        });
        group.bench_function(BenchmarkId::new("rust_api", n), |b| {
            b.iter(|| {
                for e in &borrowed {
                    black_box(rust.evaluate_into(black_box(e), &mut buffer).unwrap());
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_evaluate);
criterion_main!(benches);
