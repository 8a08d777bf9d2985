//! The counters' functions: a channel's evaluation counters as a [`WardCounters`] the
//! host owns, the difference of two (one reporting interval), and a quantile of the cost
//! per event. The conversions to and from the runtime's [`Snapshot`] are here; nothing
//! allocates.

use ward_runtime::Snapshot;

use crate::abi::{WardCounters, WardError, WardStatus};
use crate::api::WardChannel;
use crate::guard::{call, put, Failure};

impl From<&Snapshot> for WardCounters {
    fn from(s: &Snapshot) -> WardCounters {
        WardCounters {
            events: s.events,
            matches: s.matches,
            cost_total: s.cost_total,
            cost_worst: s.cost_worst,
            timed_events: s.timed_events,
            nanos_total: s.nanos_total,
            nanos_worst: s.nanos_worst,
            memory_bytes: s.memory_bytes,
            histogram: s.histogram,
        }
    }
}

impl From<&WardCounters> for Snapshot {
    /// The host's copy read back; `events` is recomputed from the histogram, as the
    /// runtime defines it.
    fn from(c: &WardCounters) -> Snapshot {
        Snapshot {
            events: c.histogram.iter().fold(0, |a, n| a.saturating_add(*n)),
            matches: c.matches,
            cost_total: c.cost_total,
            cost_worst: c.cost_worst,
            timed_events: c.timed_events,
            nanos_total: c.nanos_total,
            nanos_worst: c.nanos_worst,
            memory_bytes: c.memory_bytes,
            histogram: c.histogram,
        }
    }
}

/// The channel's counters since it was verified, into `out`. Allocates nothing.
///
/// # Safety
/// `channel` must be a live handle; `out` must point to a writable `WardCounters`.
#[no_mangle]
pub unsafe extern "C" fn ward_channel_counters(
    channel: *const WardChannel,
    out: *mut WardCounters,
    err: *mut WardError,
) -> WardStatus {
    call(err, || {
        // SAFETY: the caller guarantees `channel` is null or a live handle.
        let c = unsafe { channel.as_ref() }.ok_or_else(|| Failure::null("channel"))?;
        let snapshot = c.0.counters();
        // SAFETY: the caller guarantees `out` is writable.
        unsafe { put(out, WardCounters::from(&snapshot), "out") }
    })
}

/// What happened between `earlier` and `now`, two readings of one channel, into `out`
/// (which may be either of them): counts and totals subtracted, the worst figures
/// `now`'s (since verified).
///
/// # Safety
/// `now` and `earlier` must point to readable `WardCounters`; `out` to a writable one.
#[no_mangle]
pub unsafe extern "C" fn ward_counters_since(
    now: *const WardCounters,
    earlier: *const WardCounters,
    out: *mut WardCounters,
    err: *mut WardError,
) -> WardStatus {
    call(err, || {
        // SAFETY: the caller guarantees a readable `WardCounters` at a non-null `now`.
        let now = unsafe { now.as_ref() }.ok_or_else(|| Failure::null("now"))?;
        // SAFETY: as above, for `earlier`.
        let earlier = unsafe { earlier.as_ref() }.ok_or_else(|| Failure::null("earlier"))?;
        let interval = Snapshot::from(now).since(&Snapshot::from(earlier));
        // SAFETY: the caller guarantees `out` is writable; `now` and `earlier` are no
        // longer read, so `out` may alias them.
        unsafe { put(out, WardCounters::from(&interval), "out") }
    })
}

/// The cost per event at `permille` thousandths (500 the median, 990 the p99) of
/// `counters`, into `*cost`: never below the true figure, at most 12.5% above it; 0
/// with no events. `permille` over 1000 is an invalid argument.
///
/// # Safety
/// `counters` must point to a readable `WardCounters`; `cost` must be writable.
#[no_mangle]
pub unsafe extern "C" fn ward_counters_quantile(
    counters: *const WardCounters,
    permille: u32,
    cost: *mut u64,
    err: *mut WardError,
) -> WardStatus {
    call(err, || {
        if permille > 1000 {
            return Err(Failure::invalid(format!(
                "permille {permille} is over 1000"
            )));
        }
        // SAFETY: the caller guarantees a readable `WardCounters` at a non-null pointer.
        let counters = unsafe { counters.as_ref() }.ok_or_else(|| Failure::null("counters"))?;
        let q = Snapshot::from(counters).cost_quantile(permille);
        // SAFETY: the caller guarantees `cost` is writable.
        unsafe { put(cost, q, "cost") }
    })
}
