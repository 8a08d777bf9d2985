//! An event's inputs, from the host's [`WardValue`]s to the runtime's values. A kind
//! the ABI does not define, text that is not UTF-8 or an address of the wrong length is
//! refused with the field number, before the runtime sees the event.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ward_runtime::Value;

use crate::abi::*;
use crate::guard::{slice, Failure};

/// Input `field` (1-based) of an event.
///
/// # Safety
/// For the kinds that read `bytes`, a non-null `bytes` must point to `len` readable bytes
/// that stay valid for `'a`.
pub(crate) unsafe fn read<'a>(v: &WardValue, field: usize) -> Result<Value<&'a str>, Failure> {
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
