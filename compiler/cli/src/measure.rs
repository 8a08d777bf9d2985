//! Measuring evaluation alone: events per second and nanoseconds per event for a verified
//! channel and decoded events. `ward bench` prints it; content budgets check it.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ward_runtime::{Value, VerifiedChannel};

/// At most this many per-event timings are kept (enough for a 99th percentile of a
/// hundred thousand events; more only costs memory).
const MAX_SAMPLES: usize = 4_000_000;

/// What [`measure`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Evaluations per second of wall time, the timing itself included.
    pub events_per_sec: f64,
    /// Median time of one evaluation, in nanoseconds.
    pub p50_ns: u64,
    /// 99th percentile time of one evaluation, in nanoseconds.
    pub p99_ns: u64,
    /// How many evaluations were timed.
    pub evaluations: usize,
}

/// Evaluates `events` against `channel` over and over, each evaluation timed on its own,
/// until at least `min_time` has passed (and every event was evaluated at least once):
/// half a second gives `ward bench` a stable rate; a budget's 99th percentile needs less.
/// Events the channel rejects are timed too: the rejection is the work done.
pub fn measure(
    channel: &VerifiedChannel,
    events: &[Vec<Value>],
    min_time: Duration,
) -> Measurement {
    let mut samples: Vec<u64> = Vec::new();
    let start = Instant::now();
    while !events.is_empty() && start.elapsed() < min_time && samples.len() < MAX_SAMPLES {
        for event in events {
            let t = Instant::now();
            let result = channel.evaluate(black_box(event));
            let ns = t.elapsed().as_nanos();
            black_box(result).ok();
            samples.push(u64::try_from(ns).unwrap_or(u64::MAX));
        }
    }
    let wall = start.elapsed().as_secs_f64();
    samples.sort_unstable();
    let percentile = |p: usize| {
        let at = (samples.len() * p / 100).min(samples.len().saturating_sub(1));
        samples.get(at).copied().unwrap_or(0)
    };
    Measurement {
        events_per_sec: if wall > 0.0 {
            samples.len() as f64 / wall
        } else {
            0.0
        },
        p50_ns: percentile(50),
        p99_ns: percentile(99),
        evaluations: samples.len(),
    }
}
