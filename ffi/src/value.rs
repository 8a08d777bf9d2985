//! An event's inputs, from the host's [`WardValue`]s to the runtime's values. A kind
//! the ABI does not define, text that is not UTF-8 or an address of the wrong length is
//! refused with the field number, before the runtime sees the event.
//!
//! The values go into a vector each thread keeps from event to event ([`Inputs`]), so
//! evaluating through the C ABI allocates nothing per event, as the Rust API does not. A
//! kept vector cannot hold `&str`s of one call's lifetime, so the text is held as
//! [`HostText`], the host's pointer and length, valid while that call runs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ward_runtime::Value;

use crate::abi::*;
use crate::guard::{slice, Failure};

/// Text of the host's that was checked to be UTF-8, borrowed for one evaluation call:
/// only [`Inputs::fill`] makes one, and [`Inputs::with`] forgets them before that call
/// returns, so none is read after the host's memory may have changed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostText {
    ptr: *const u8,
    len: usize,
}

impl AsRef<str> for HostText {
    fn as_ref(&self) -> &str {
        // SAFETY: made from a `&str` (`Inputs::fill`) whose bytes the host keeps valid and
        // unchanged for the call, and read only during it (see the type's documentation).
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr, self.len) };
        // SAFETY: the bytes were checked to be UTF-8 when the value was made.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

/// One thread's event inputs, kept from call to call; empty between calls.
#[derive(Debug, Default)]
pub(crate) struct Inputs(Vec<Value<HostText>>);

impl Inputs {
    /// Runs `body` on the host's `inputs` as the runtime's values, then forgets them.
    ///
    /// # Safety
    /// For the kinds that read `bytes`, each input's non-null `bytes` must point to `len`
    /// readable bytes that stay valid and unchanged until this returns.
    pub(crate) unsafe fn with<T>(
        &mut self,
        inputs: &[WardValue],
        body: impl FnOnce(&[Value<HostText>]) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        self.0.clear();
        // SAFETY: the caller's guarantee, for the duration of this call.
        let filled = unsafe { self.fill(inputs) };
        let result = filled.and_then(|()| body(&self.0));
        self.0.clear();
        result
    }

    /// # Safety
    /// As for [`Inputs::with`].
    unsafe fn fill(&mut self, inputs: &[WardValue]) -> Result<(), Failure> {
        self.0.reserve(inputs.len());
        for (n, v) in inputs.iter().enumerate() {
            // SAFETY: the caller guarantees each input's `bytes`.
            let value = unsafe { read(v, n.saturating_add(1)) }?;
            self.0.push(match value {
                Value::Str(s) => Value::Str(HostText {
                    ptr: s.as_ptr(),
                    len: s.len(),
                }),
                Value::Bool(b) => Value::Bool(b),
                Value::Uint(n) => Value::Uint(n),
                Value::Int(n) => Value::Int(n),
                Value::Ip(a) => Value::Ip(a),
                Value::Sha256(h) => Value::Sha256(h),
                Value::Enum(e) => Value::Enum(e),
            });
        }
        Ok(())
    }
}

/// Input `field` (1-based) of an event.
///
/// # Safety
/// For the kinds that read `bytes`, a non-null `bytes` must point to `len` readable bytes
/// that stay valid for `'a`.
unsafe fn read<'a>(v: &WardValue, field: usize) -> Result<Value<&'a str>, Failure> {
    let bad = |why: &str| {
        Failure::new(
            WardStatus::Event,
            format!("input {field} (kind {}): {why}", v.kind),
        )
    };
    // SAFETY: read only for the kinds whose `bytes` the caller guarantees.
    let bytes = || -> Result<&'a [u8], Failure> { unsafe { slice(v.bytes, v.len, "bytes") } };
    Ok(match v.kind {
        WARD_VALUE_BOOL => match v.uint {
            0 => Value::Bool(false),
            1 => Value::Bool(true),
            _ => return Err(bad("a boolean must be 0 or 1")),
        },
        WARD_VALUE_UINT => Value::Uint(v.uint),
        WARD_VALUE_INT => Value::Int(v.sint),
        WARD_VALUE_ENUM => {
            Value::Enum(u32::try_from(v.uint).map_err(|_| bad("an enum value is 32 bits"))?)
        }
        WARD_VALUE_STR => {
            let text =
                std::str::from_utf8(bytes()?).map_err(|e| bad(&format!("not UTF-8: {e}")))?;
            Value::Str(text)
        }
        WARD_VALUE_IP => match bytes()? {
            &[a, b, c, d] => Value::Ip(IpAddr::V4(Ipv4Addr::new(a, b, c, d))),
            b => match <[u8; 16]>::try_from(b) {
                Ok(v6) => Value::Ip(IpAddr::V6(Ipv6Addr::from(v6))),
                Err(_) => return Err(bad("an IP address is 4 or 16 bytes")),
            },
        },
        WARD_VALUE_SHA256 => Value::Sha256(
            <[u8; 32]>::try_from(bytes()?).map_err(|_| bad("a SHA-256 value is 32 bytes"))?,
        ),
        _ => return Err(bad("unknown value kind")),
    })
}
