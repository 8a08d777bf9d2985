//! Evaluation counters: what one channel's evaluations cost, for the host to read and
//! report (issue 18; docs/delivery.md, "Delivery IV").
//!
//! Every [`VerifiedChannel`] keeps a [`Counters`]: events evaluated, matches, total and
//! worst cost in the verifier's work units (cost.rs; `EvalBuffer::work`), a histogram
//! of the cost per event, and, when the host passes a clock
//! ([`VerifiedChannel::evaluate_timed`]), total and worst nanoseconds. The runtime never
//! reads a clock itself: it may run where there is none (no_std).
//!
//! Recording is a handful of relaxed atomic additions per event, so threads evaluating
//! one channel at once need no lock and nothing is allocated; reading
//! ([`VerifiedChannel::counters`]) copies them into a [`Snapshot`], also without
//! allocating. Relaxed: a snapshot taken while other threads evaluate may see one
//! event's cost before its match count, never a torn number.
//!
//! The histogram is log-linear: costs below 8 have a bucket each, then every power of
//! two is split into 8 buckets, so a bucket is at most 12.5% wide and doubling a cost
//! moves it exactly [`BUCKETS_PER_DOUBLING`] buckets up. The collector classifies hosts'
//! figures on the same scale ([`cost_bucket`]).

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::verified::VerifiedChannel;

/// Sub-buckets per power of two, as a bit count.
const SUB_BITS: u32 = 3;
/// How many buckets up a cost moves when it doubles (past the exact small buckets).
pub const BUCKETS_PER_DOUBLING: u32 = 1 << SUB_BITS;
/// Buckets of the cost histogram: the exact ones below 8, then 8 per power of two up to
/// 2^63.
pub const COST_BUCKETS: usize = (BUCKETS_PER_DOUBLING * (65 - SUB_BITS)) as usize;

/// The histogram bucket of a cost.
pub fn cost_bucket(cost: u64) -> u32 {
    if cost < u64::from(BUCKETS_PER_DOUBLING) {
        // Below 8: the cost itself, which fits.
        return cost as u32;
    }
    // `top >= SUB_BITS` here, so neither subtraction wraps.
    let top = 63u32.saturating_sub(cost.leading_zeros());
    let shift = top.saturating_sub(SUB_BITS);
    let sub = (cost.checked_shr(shift).unwrap_or(0) as u32) % BUCKETS_PER_DOUBLING;
    BUCKETS_PER_DOUBLING
        .saturating_mul(shift.saturating_add(1))
        .saturating_add(sub)
}

/// The smallest cost in `bucket` (`cost_bucket(cost_floor(b)) == b`); past the last
/// bucket, `u64::MAX`.
pub fn cost_floor(bucket: u32) -> u64 {
    if bucket < BUCKETS_PER_DOUBLING {
        return u64::from(bucket);
    }
    if bucket as usize >= COST_BUCKETS {
        return u64::MAX;
    }
    let shift = (bucket / BUCKETS_PER_DOUBLING).saturating_sub(1);
    let mantissa = u64::from(BUCKETS_PER_DOUBLING.saturating_add(bucket % BUCKETS_PER_DOUBLING));
    // At most the last bucket's mantissa, 15, shifted 60: below 2^64.
    mantissa.checked_shl(shift).unwrap_or(u64::MAX)
}

/// The largest cost in `bucket`.
pub fn cost_ceiling(bucket: u32) -> u64 {
    match cost_floor(bucket.saturating_add(1)) {
        u64::MAX => u64::MAX,
        next => next.saturating_sub(1),
    }
}

/// One channel's counters, recorded by every evaluation.
#[derive(Debug)]
pub struct Counters {
    matches: AtomicU64,
    cost_total: AtomicU64,
    cost_worst: AtomicU64,
    timed: AtomicU64,
    nanos_total: AtomicU64,
    nanos_worst: AtomicU64,
    /// Events per cost bucket; their sum is the events evaluated.
    histogram: [AtomicU64; COST_BUCKETS],
}

impl Default for Counters {
    fn default() -> Counters {
        Counters {
            matches: AtomicU64::new(0),
            cost_total: AtomicU64::new(0),
            cost_worst: AtomicU64::new(0),
            timed: AtomicU64::new(0),
            nanos_total: AtomicU64::new(0),
            nanos_worst: AtomicU64::new(0),
            histogram: [const { AtomicU64::new(0) }; COST_BUCKETS],
        }
    }
}

impl Clone for Counters {
    /// A copy of the counts so far; the two then count apart.
    fn clone(&self) -> Counters {
        let s = self.snapshot(0);
        let copy = |n: u64| AtomicU64::new(n);
        Counters {
            matches: copy(s.matches),
            cost_total: copy(s.cost_total),
            cost_worst: copy(s.cost_worst),
            timed: copy(s.timed_events),
            nanos_total: copy(s.nanos_total),
            nanos_worst: copy(s.nanos_worst),
            histogram: s.histogram.map(copy),
        }
    }
}

/// Adds without wrapping: a counter that reaches `u64::MAX` stays there.
fn add(counter: &AtomicU64, n: u64) {
    // `fetch_update` only fails when the closure says so, which it never does.
    let _ = counter.fetch_update(Relaxed, Relaxed, |old| Some(old.saturating_add(n)));
}

impl Counters {
    /// Counts one evaluated event: its work, its matches and, if the host timed it, its
    /// nanoseconds. Evaluation calls it after every event; it is public so that its cost
    /// can be measured on its own (runtime/benches/runtime.rs, `counters/record`), since
    /// a channel's counters cannot be switched off to compare.
    pub fn record(&self, work: u64, matches: usize, nanos: Option<u64>) {
        if let Some(bucket) = self.histogram.get(cost_bucket(work) as usize) {
            bucket.fetch_add(1, Relaxed);
        }
        add(&self.cost_total, work);
        self.cost_worst.fetch_max(work, Relaxed);
        if matches > 0 {
            add(&self.matches, matches as u64);
        }
        if let Some(nanos) = nanos {
            self.timed.fetch_add(1, Relaxed);
            add(&self.nanos_total, nanos);
            self.nanos_worst.fetch_max(nanos, Relaxed);
        }
    }

    fn snapshot(&self, memory_bytes: usize) -> Snapshot {
        let histogram = core::array::from_fn(|b| {
            self.histogram
                .get(b)
                .map_or(0, |counter| counter.load(Relaxed))
        });
        Snapshot {
            events: histogram_total(&histogram),
            matches: self.matches.load(Relaxed),
            cost_total: self.cost_total.load(Relaxed),
            cost_worst: self.cost_worst.load(Relaxed),
            timed_events: self.timed.load(Relaxed),
            nanos_total: self.nanos_total.load(Relaxed),
            nanos_worst: self.nanos_worst.load(Relaxed),
            memory_bytes: memory_bytes as u64,
            histogram,
        }
    }
}

fn histogram_total(histogram: &[u64]) -> u64 {
    histogram.iter().fold(0, |a, n| a.saturating_add(*n))
}

/// A channel's counters at one moment (since it was verified), or the difference of two
/// ([`Snapshot::since`]): what a host summarizes into a beacon each interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Events evaluated (an event the channel refused, `EvalError`, is not counted).
    pub events: u64,
    /// Instances matched, over every event.
    pub matches: u64,
    /// Work of every event together, in [`VerifiedChannel::cost_bound`]'s units.
    pub cost_total: u64,
    /// The costliest event's work, since the channel was verified.
    pub cost_worst: u64,
    /// Events the host timed ([`VerifiedChannel::evaluate_timed`]).
    pub timed_events: u64,
    /// Nanoseconds of the timed events together, by the host's clock.
    pub nanos_total: u64,
    /// The slowest timed event, since the channel was verified.
    pub nanos_worst: u64,
    /// The heap the channel holds ([`VerifiedChannel::memory_bytes`]), when read.
    pub memory_bytes: u64,
    /// Events per cost bucket ([`cost_bucket`]).
    pub histogram: [u64; COST_BUCKETS],
}

impl Snapshot {
    /// What happened between `earlier` and this snapshot of the same channel. The
    /// worst figures cannot be subtracted: they stay this snapshot's (since verified);
    /// [`Snapshot::cost_quantile`]`(1000)` is the interval's worst within a bucket.
    pub fn since(&self, earlier: &Snapshot) -> Snapshot {
        let mut histogram = self.histogram;
        for (n, before) in histogram.iter_mut().zip(earlier.histogram.iter()) {
            *n = n.saturating_sub(*before);
        }
        Snapshot {
            events: histogram_total(&histogram),
            matches: self.matches.saturating_sub(earlier.matches),
            cost_total: self.cost_total.saturating_sub(earlier.cost_total),
            timed_events: self.timed_events.saturating_sub(earlier.timed_events),
            nanos_total: self.nanos_total.saturating_sub(earlier.nanos_total),
            histogram,
            ..self.clone()
        }
    }

    /// The cost at or above which `1000 - permille` thousandths of the events fall: the
    /// largest cost of the bucket holding that rank, so never below the true figure and
    /// at most 12.5% above it. 0 with no events. `cost_quantile(500)` is the median,
    /// `cost_quantile(990)` the p99.
    pub fn cost_quantile(&self, permille: u32) -> u64 {
        if self.events == 0 {
            return 0;
        }
        // The rank (1-based) of the event at the quantile: ceil(events * q), at least 1.
        let wanted = u128::from(self.events).saturating_mul(u128::from(permille.min(1000)));
        let rank = wanted.div_ceil(1000).max(1);
        let mut seen = 0u128;
        for (bucket, n) in self.histogram.iter().enumerate() {
            seen = seen.saturating_add(u128::from(*n));
            if seen >= rank {
                return cost_ceiling(bucket as u32).min(self.cost_worst);
            }
        }
        self.cost_worst
    }
}

impl VerifiedChannel {
    /// The channel's counters now. Copies a few kilobytes; allocates nothing.
    pub fn counters(&self) -> Snapshot {
        self.counters.snapshot(self.memory_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_cost_in_order_and_doubling_moves_eight_up() {
        let mut probes: Vec<u64> = (0..5000).collect();
        probes.extend((0..64).flat_map(|s| [1u64 << s, (1u64 << s) - 1, (1u64 << s) + 1]));
        probes.push(u64::MAX);
        for v in probes {
            let b = cost_bucket(v);
            assert!((b as usize) < COST_BUCKETS, "{v}");
            assert!(cost_floor(b) <= v && v <= cost_ceiling(b), "{v} in {b}");
            assert_eq!(cost_bucket(cost_floor(b)), b);
            if (8..u64::MAX / 2).contains(&v) {
                assert_eq!(cost_bucket(2 * v), b + BUCKETS_PER_DOUBLING, "{v}");
                // At most 12.5% wide.
                assert!(
                    cost_ceiling(b) - cost_floor(b) < cost_floor(b) / 8 + 1,
                    "{v}"
                );
            }
        }
        assert_eq!(cost_bucket(u64::MAX) as usize, COST_BUCKETS - 1);
        assert_eq!(cost_ceiling(COST_BUCKETS as u32 - 1), u64::MAX);
    }

    #[test]
    fn quantiles_are_read_from_the_histogram_never_below_the_truth() {
        let c = Counters::default();
        // 98 cheap events, one of 1,000 and one of 50,000.
        for _ in 0..98 {
            c.record(100, 0, None);
        }
        c.record(1000, 2, Some(70));
        c.record(50_000, 1, Some(30));
        let s = c.snapshot(0);
        assert_eq!((s.events, s.matches, s.cost_worst), (100, 3, 50_000));
        assert_eq!((s.timed_events, s.nanos_total, s.nanos_worst), (2, 100, 70));
        assert_eq!(s.cost_total, 98 * 100 + 1000 + 50_000);
        let p50 = s.cost_quantile(500);
        assert!((100..=112).contains(&p50), "{p50}");
        let p99 = s.cost_quantile(990);
        assert!((1000..=1125).contains(&p99), "{p99}");
        assert_eq!(s.cost_quantile(1000), 50_000);

        let later = {
            c.record(7, 0, None);
            c.snapshot(0)
        };
        let interval = later.since(&s);
        assert_eq!((interval.events, interval.cost_total), (1, 7));
        assert_eq!(interval.cost_quantile(990), 7);
        assert_eq!(
            Snapshot {
                events: 0,
                ..interval
            }
            .cost_quantile(500),
            0
        );
    }

    #[test]
    fn counters_saturate_instead_of_wrapping() {
        let c = Counters::default();
        c.record(u64::MAX, 0, Some(u64::MAX));
        c.record(u64::MAX, 0, Some(u64::MAX));
        let s = c.snapshot(0);
        assert_eq!(
            (s.cost_total, s.nanos_total, s.events),
            (u64::MAX, u64::MAX, 2)
        );
        assert_eq!(c.clone().snapshot(0), s);
    }
}
