//! The exported functions. Each checks its pointers, converts the host's data, calls the
//! runtime, and reports through [`guard::call`]; the handles are `Box`es handed to the host
//! as opaque pointers and taken back by the matching `_free`.

use std::cell::RefCell;
use std::ffi::{c_char, c_void};

use ward_runtime::{
    verify_with, Action, EvalBuffer, Limits, Severity, TrustStore, Value, VerifiedChannel,
    VerifyError, VerifyingKey,
};

use crate::abi::*;
use crate::guard::{self, call, put, slice, Failure};
use crate::profile;
use crate::value::{self, HostText};

/// A host's trust store: the keys it trusts and how many must sign.
#[derive(Debug)]
pub struct WardTrustStore(TrustStore);

/// A sensor profile: the templates the sensor supplies and how many inputs of each.
#[derive(Debug)]
pub struct WardProfile(ward_runtime::SensorProfile);

/// A channel that passed every stage of verification for one profile; only
/// `ward_channel_verify` makes one, and only it can be evaluated.
#[derive(Debug)]
pub struct WardChannel(pub(crate) VerifiedChannel);

/// The runtime's version, a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn ward_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Parses the text of a public key file (`ward-ed25519-pub <64 hex digits>`, as `ward
/// keygen` writes it) into its 32 bytes.
///
/// # Safety
/// `text` must point to `len` readable bytes; `key_out` to 32 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ward_public_key_parse(
    text: *const u8,
    len: usize,
    key_out: *mut u8,
    err: *mut WardError,
) -> WardStatus {
    call(err, || {
        // SAFETY: the caller guarantees `len` bytes at `text`.
        let text = unsafe { slice(text, len, "text") }?;
        let text = std::str::from_utf8(text)
            .map_err(|e| Failure::invalid(format!("the key file is not UTF-8: {e}")))?;
        let key =
            ward_runtime::parse_public_key(text).map_err(|e| Failure::invalid(e.to_string()))?;
        // SAFETY: the caller guarantees 32 writable bytes at `key_out`.
        unsafe { put(key_out.cast::<[u8; 32]>(), key.to_bytes(), "key_out") }
    })
}

/// A trust store of `key_count` raw 32-byte Ed25519 public keys, stored one after another
/// at `keys`, of which `threshold` distinct ones must sign a channel.
///
/// # Safety
/// `keys` must point to `32 * key_count` readable bytes; `out` to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn ward_trust_new(
    keys: *const u8,
    key_count: usize,
    threshold: usize,
    out: *mut *mut WardTrustStore,
    err: *mut WardError,
) -> WardStatus {
    call(err, || {
        let len = key_count
            .checked_mul(32)
            .ok_or_else(|| Failure::invalid(format!("{key_count} keys cannot be in memory")))?;
        // SAFETY: the caller guarantees `32 * key_count` bytes at `keys`.
        let bytes = unsafe { slice(keys, len, "keys") }?;
        let keys = bytes
            .chunks_exact(32)
            .enumerate()
            .map(|(n, chunk)| {
                let raw = <[u8; 32]>::try_from(chunk).unwrap_or([0; 32]);
                VerifyingKey::from_bytes(&raw).map_err(|_| {
                    Failure::new(
                        WardStatus::Trust,
                        format!("key {n} is not an Ed25519 public key"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let store = TrustStore::new(keys, threshold)
            .map_err(|e| Failure::new(WardStatus::Trust, e.to_string()))?;
        let handle = Box::into_raw(Box::new(WardTrustStore(store)));
        // SAFETY: the caller guarantees `out` is writable; on failure the box is freed.
        unsafe { hand_out(out, handle, "out") }
    })
}

/// Frees a trust store; null is ignored.
///
/// # Safety
/// `trust` must be null or a handle from `ward_trust_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn ward_trust_free(trust: *mut WardTrustStore) {
    // SAFETY: the caller's guarantee; see `take_back`.
    unsafe { take_back(trust) }
}

/// A sensor profile from the static data `ward sensor export NAME --lang c` generates.
/// The data is copied: it need not outlive the call.
///
/// # Safety
/// `def` must point to a valid `WardSensorProfileDef` (arrays of the stated counts,
/// NUL-terminated names); `out` to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn ward_profile_new(
    def: *const WardSensorProfileDef,
    out: *mut *mut WardProfile,
    err: *mut WardError,
) -> WardStatus {
    call(err, || {
        // SAFETY: the caller guarantees a valid `WardSensorProfileDef` at a non-null `def`.
        let def = unsafe { def.as_ref() }.ok_or_else(|| Failure::null("def"))?;
        // SAFETY: the caller guarantees everything reachable from `def` is valid.
        let profile = unsafe { profile::read(def) }?;
        let handle = Box::into_raw(Box::new(WardProfile(profile)));
        // SAFETY: the caller guarantees `out` is writable.
        unsafe { hand_out(out, handle, "out") }
    })
}

/// Frees a profile; null is ignored.
///
/// # Safety
/// `profile` must be null or a handle from `ward_profile_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn ward_profile_free(profile: *mut WardProfile) {
    // SAFETY: the caller's guarantee; see `take_back`.
    unsafe { take_back(profile) }
}

/// Verifies a channel file completely (size, framing, signatures, structure, semantics
/// against the profile) and, if it passes, returns a handle to evaluate with. The bytes
/// are not kept: they need not outlive the call. A refusal is `WARD_STATUS_VERIFY` with
/// the verifier's stable code and the byte offset in `err`.
///
/// # Safety
/// `bytes` must point to `len` readable bytes; `trust` and `profile` must be live
/// handles; `out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn ward_channel_verify(
    bytes: *const u8,
    len: usize,
    trust: *const WardTrustStore,
    profile: *const WardProfile,
    out: *mut *mut WardChannel,
    err: *mut WardError,
) -> WardStatus {
    let limits = ward_limits_default();
    // SAFETY: the caller's guarantees are `ward_channel_verify_with`'s; `limits` is live.
    unsafe { ward_channel_verify_with(bytes, len, trust, profile, &limits, out, err) }
}

/// The runtime's default limits (`ward_channel_verify` verifies under them), for a host
/// to lower before `ward_channel_verify_with`.
#[no_mangle]
pub extern "C" fn ward_limits_default() -> WardLimits {
    WardLimits::from(Limits::DEFAULT)
}

/// [`ward_channel_verify`] under the host's own `limits` (start from
/// `ward_limits_default()`). A channel past one of them is refused with
/// `WARD_STATUS_VERIFY`, the verifier's code (`LimitExceeded`, `FileTooLarge` or
/// `CostOverBudget`) and the byte where the limit was crossed; the memory budget is
/// charged before each allocation.
///
/// # Safety
/// As for `ward_channel_verify`; and `limits` must point to a readable `WardLimits`.
#[no_mangle]
pub unsafe extern "C" fn ward_channel_verify_with(
    bytes: *const u8,
    len: usize,
    trust: *const WardTrustStore,
    profile: *const WardProfile,
    limits: *const WardLimits,
    out: *mut *mut WardChannel,
    err: *mut WardError,
) -> WardStatus {
    call(err, || {
        // SAFETY: the caller guarantees `len` bytes at `bytes`.
        let bytes = unsafe { slice(bytes, len, "bytes") }?;
        // SAFETY: the caller guarantees `trust` is null or a live handle.
        let trust = unsafe { trust.as_ref() }.ok_or_else(|| Failure::null("trust"))?;
        // SAFETY: the caller guarantees `profile` is null or a live handle.
        let profile = unsafe { profile.as_ref() }.ok_or_else(|| Failure::null("profile"))?;
        // SAFETY: the caller guarantees a readable `WardLimits` at a non-null `limits`.
        let limits = unsafe { limits.as_ref() }.ok_or_else(|| Failure::null("limits"))?;
        let verified = verify_with(bytes, &trust.0, &profile.0, &Limits::from(limits))
            .map_err(|e| refused(&e))?;
        let handle = Box::into_raw(Box::new(WardChannel(verified)));
        // SAFETY: the caller guarantees `out` is writable.
        unsafe { hand_out(out, handle, "out") }
    })
}

/// Frees a verified channel; null is ignored.
///
/// # Safety
/// `channel` must be null or a handle from `ward_channel_verify` not yet freed, with no
/// evaluation running on it.
#[no_mangle]
pub unsafe extern "C" fn ward_channel_free(channel: *mut WardChannel) {
    // SAFETY: the caller's guarantee; see `take_back`.
    unsafe { take_back(channel) }
}

/// The channel's facts a host logs: id, content version, template id, how many inputs
/// the profile supplies for it, and how many instances it holds. Any out-pointer may
/// be null.
///
/// # Safety
/// `channel` must be a live handle; each non-null out-pointer must be writable.
#[no_mangle]
pub unsafe extern "C" fn ward_channel_info(
    channel: *const WardChannel,
    id: *mut u32,
    content_version: *mut u64,
    template_id: *mut u32,
    supplied: *mut u16,
    instances: *mut usize,
    err: *mut WardError,
) -> WardStatus {
    call(err, || {
        // SAFETY: the caller guarantees `channel` is null or a live handle.
        let c = &unsafe { channel.as_ref() }
            .ok_or_else(|| Failure::null("channel"))?
            .0;
        // SAFETY: the caller guarantees every non-null out-pointer is writable.
        unsafe { put_optional(id, c.id()) };
        // SAFETY: as above.
        unsafe { put_optional(content_version, c.content_version()) };
        // SAFETY: as above.
        unsafe { put_optional(template_id, c.template().id) };
        // SAFETY: as above.
        unsafe { put_optional(supplied, c.supplied()) };
        // SAFETY: as above.
        unsafe { put_optional(instances, c.instances().len()) };
        Ok(())
    })
}

/// The name of instance `instance`: `*name` points into the channel (valid while the
/// handle lives), `*name_len` bytes of UTF-8, not NUL-terminated.
///
/// # Safety
/// `channel` must be a live handle; `name` and `name_len` writable.
#[no_mangle]
pub unsafe extern "C" fn ward_channel_instance_name(
    channel: *const WardChannel,
    instance: u32,
    name: *mut *const u8,
    name_len: *mut usize,
    err: *mut WardError,
) -> WardStatus {
    call(err, || {
        // SAFETY: the caller guarantees `channel` is null or a live handle.
        let c = &unsafe { channel.as_ref() }
            .ok_or_else(|| Failure::null("channel"))?
            .0;
        let info = c
            .instance(instance)
            .ok_or_else(|| Failure::invalid(format!("the channel has no instance {instance}")))?;
        let text = info.name();
        // SAFETY: the caller guarantees `name` is writable.
        unsafe { put(name, text.as_ptr(), "name") }?;
        // SAFETY: the caller guarantees `name_len` is writable.
        unsafe { put(name_len, text.len(), "name_len") }
    })
}

/// Evaluates one event: `inputs[n - 1]` is field `n`, and there must be exactly as many
/// inputs as the profile supplies. The matching instances are written to `matches` in
/// ascending id order, at most `capacity` of them; `*match_count` is how many matched.
/// More than `capacity` is `WARD_STATUS_TRUNCATED` (the first `capacity` written).
/// Several threads may evaluate one channel at once.
///
/// # Safety
/// `channel` must be a live handle; `inputs` must point to `input_count` values whose
/// `bytes` are readable for their `len`; `matches` to `capacity` writable `WardMatch`es;
/// `match_count` must be writable.
#[no_mangle]
pub unsafe extern "C" fn ward_channel_evaluate(
    channel: *const WardChannel,
    inputs: *const WardValue,
    input_count: usize,
    matches: *mut WardMatch,
    capacity: usize,
    match_count: *mut usize,
    err: *mut WardError,
) -> WardStatus {
    // SAFETY: the caller's guarantees are `ward_channel_evaluate_timed`'s without a clock.
    unsafe {
        ward_channel_evaluate_timed(
            channel,
            inputs,
            input_count,
            matches,
            capacity,
            match_count,
            None,
            std::ptr::null_mut(),
            err,
        )
    }
}

/// [`ward_channel_evaluate`], timed: `clock` (the host's: nanoseconds from any fixed
/// start, a monotonic clock, given back `clock_context`) is called once before and once
/// after the evaluation and the difference is counted in the channel's counters
/// (`ward_channel_counters`); Ward reads no clock of its own. A null `clock` evaluates
/// untimed.
///
/// # Safety
/// As for `ward_channel_evaluate`; and `clock`, if not null, must be safe to call with
/// `clock_context` from the calling thread.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // `ward_channel_evaluate`'s, and the clock's two
pub unsafe extern "C" fn ward_channel_evaluate_timed(
    channel: *const WardChannel,
    inputs: *const WardValue,
    input_count: usize,
    matches: *mut WardMatch,
    capacity: usize,
    match_count: *mut usize,
    clock: Option<unsafe extern "C" fn(clock_context: *mut c_void) -> u64>,
    clock_context: *mut c_void,
    err: *mut WardError,
) -> WardStatus {
    let event = Event {
        channel,
        inputs,
        input_count,
        matches,
        capacity,
        match_count,
    };
    let Some(clock) = clock else {
        // SAFETY: the caller's guarantees are `Event::evaluate`'s.
        return unsafe { event.evaluate(None, err) };
    };
    // SAFETY: the caller guarantees `clock` may be called with `clock_context` here.
    let mut read = || unsafe { clock(clock_context) };
    // SAFETY: the caller's guarantees are `Event::evaluate`'s.
    unsafe { event.evaluate(Some(&mut read), err) }
}

/// The arguments of one evaluation call, as the host passed them.
struct Event {
    channel: *const WardChannel,
    inputs: *const WardValue,
    input_count: usize,
    matches: *mut WardMatch,
    capacity: usize,
    match_count: *mut usize,
}

impl Event {
    /// The body of both evaluation calls; `clock` times it.
    ///
    /// # Safety
    /// `channel` must be a live handle; `inputs` must point to `input_count` values
    /// whose `bytes` are readable for their `len`; `matches` to `capacity` writable
    /// `WardMatch`es; `match_count` must be writable.
    unsafe fn evaluate(
        self,
        clock: Option<&mut dyn FnMut() -> u64>,
        err: *mut WardError,
    ) -> WardStatus {
        let Event {
            channel,
            inputs,
            input_count,
            matches,
            capacity,
            match_count,
        } = self;
        let mut truncated = None;
        let status = call(err, || {
            // SAFETY: the caller guarantees `channel` is null or a live handle.
            let c = &unsafe { channel.as_ref() }
                .ok_or_else(|| Failure::null("channel"))?
                .0;
            // SAFETY: the caller guarantees `input_count` values at `inputs`.
            let inputs = unsafe { slice(inputs, input_count, "inputs") }?;
            if match_count.is_null() {
                return Err(Failure::null("match_count"));
            }
            if matches.is_null() && capacity > 0 {
                return Err(Failure::null("matches"));
            }
            SCRATCH.with_borrow_mut(|scratch| {
                let Scratch {
                    inputs: kept,
                    buffer,
                } = scratch;
                let evaluate = |values: &[Value<HostText>]| {
                    let found = match clock {
                        Some(clock) => c.evaluate_timed(values, buffer, clock),
                        None => c.evaluate_into(values, buffer),
                    }
                    .map_err(|e| Failure::new(WardStatus::Event, e.to_string()))?;
                    // SAFETY: the caller's guarantees for `matches`, `capacity` and
                    // `match_count`, whose nulls were refused above.
                    truncated = unsafe { write_matches(found, matches, capacity, match_count) };
                    Ok(())
                };
                // Strings are borrowed from the host's memory, not copied, into the
                // thread's kept vector of values.
                // SAFETY: the caller guarantees each input's `bytes` for this call.
                unsafe { kept.with(inputs, evaluate) }
            })
        });
        match (status, truncated) {
            (WardStatus::Ok, Some(found)) => {
                guard::report(
                    err,
                    Failure::new(
                        WardStatus::Truncated,
                        format!("{found} instances matched; the buffer holds {capacity}"),
                    ),
                );
                WardStatus::Truncated
            }
            (status, _) => status,
        }
    }
}

/// Writes the first `capacity` of `found` to the host's `matches` and the count to
/// `match_count`; the count if it is more than `capacity`.
///
/// # Safety
/// `matches` must point to `capacity` writable `WardMatch`es (it may be null only when
/// `capacity` is 0); `match_count` must be non-null and writable.
unsafe fn write_matches(
    found: &[ward_runtime::Match],
    matches: *mut WardMatch,
    capacity: usize,
    match_count: *mut usize,
) -> Option<usize> {
    for (n, m) in found.iter().take(capacity).enumerate() {
        // SAFETY: `n < capacity`, so `matches` is not null and `n` is in the caller's
        // array of `capacity` `WardMatch`es.
        let slot = unsafe { matches.add(n) };
        // SAFETY: `slot` is in the caller's array of writable `WardMatch`es.
        unsafe { slot.write(ward_match(m)) };
    }
    // SAFETY: the caller guarantees it is non-null and writable.
    unsafe { match_count.write(found.len()) };
    (found.len() > capacity).then_some(found.len())
}

/// What one thread's evaluations reuse from event to event.
#[derive(Debug, Default)]
struct Scratch {
    inputs: value::Inputs,
    buffer: EvalBuffer,
}

thread_local! {
    /// Each thread's input values and evaluation buffer (matches and scratch), grown once
    /// and reused, so evaluation through the C ABI allocates nothing per event; threads
    /// evaluate independently.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A name for a status, a static NUL-terminated string (for logs).
#[no_mangle]
pub extern "C" fn ward_status_name(status: u32) -> *const c_char {
    let name: &'static str = match status {
        0 => "ok\0",
        1 => "null argument\0",
        2 => "invalid argument\0",
        3 => "trust store refused\0",
        4 => "profile refused\0",
        5 => "channel refused\0",
        6 => "event does not fit the channel\0",
        7 => "match buffer too small\0",
        8 => "panic caught\0",
        _ => "unknown status\0",
    };
    name.as_ptr().cast()
}

fn ward_match(m: &ward_runtime::Match) -> WardMatch {
    WardMatch {
        instance: m.instance,
        severity: match m.severity {
            Severity::Informational => 0,
            Severity::Low => 1,
            Severity::Medium => 2,
            Severity::High => 3,
            Severity::Critical => 4,
        },
        action: match m.action {
            Action::Detect => 0,
            Action::Prevent => 1,
        },
    }
}

/// The verifier's refusal as the host sees it: its code, its offset, its sentence.
fn refused(e: &VerifyError) -> Failure {
    Failure {
        status: WardStatus::Verify,
        code: u32::from(e.code()),
        offset: u64::try_from(e.offset()).ok(),
        message: e.to_string(),
    }
}

/// Stores a fresh handle in `out`, freeing it if `out` is null.
///
/// # Safety
/// `handle` must come from `Box::into_raw` and not be used again by the caller; a
/// non-null `out` must be writable.
unsafe fn hand_out<T>(out: *mut *mut T, handle: *mut T, what: &str) -> Result<(), Failure> {
    // SAFETY: the caller guarantees a non-null `out` is writable.
    let stored = unsafe { put(out, handle, what) };
    if stored.is_err() {
        // SAFETY: the handle never reached the host, so this is its only owner.
        unsafe { take_back(handle) };
    }
    stored
}

/// Frees a handle the host gives back; null is ignored.
///
/// # Safety
/// `handle` must be null or come from `Box::into_raw` here, not yet freed.
unsafe fn take_back<T>(handle: *mut T) {
    if !handle.is_null() {
        // SAFETY: the caller guarantees it came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(handle) });
    }
}

/// # Safety
/// A non-null `out` must be writable.
unsafe fn put_optional<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: not null, and the caller guarantees it is writable.
        unsafe { out.write(value) };
    }
}
