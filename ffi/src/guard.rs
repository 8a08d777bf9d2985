//! The boundary itself: every exported function's body runs in [`call`], which turns a
//! `Result` into a [`WardStatus`] and a filled-in [`WardError`], and a panic into
//! [`WardStatus::Panic`] instead of unwinding into C. The reads of host memory are here
//! too, each checked for null before it is made.

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::abi::{WardError, WardStatus, WARD_MESSAGE_LEN, WARD_NO_OFFSET};

/// A failure on its way to the host.
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: WardStatus,
    pub code: u32,
    pub offset: Option<u64>,
    pub message: String,
}

impl Failure {
    pub fn new(status: WardStatus, message: impl Into<String>) -> Failure {
        Failure {
            status,
            code: 0,
            offset: None,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure::new(WardStatus::InvalidArgument, message)
    }

    pub fn null(what: &str) -> Failure {
        Failure::new(WardStatus::NullArgument, format!("`{what}` is null"))
    }
}

/// Runs `body`; a failure or a caught panic is written to `err` when it is not null.
pub(crate) fn call(err: *mut WardError, body: impl FnOnce() -> Result<(), Failure>) -> WardStatus {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return WardStatus::Ok,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::new(
            WardStatus::Panic,
            "a bug in Ward: the call panicked; the panic was caught at the C boundary",
        ),
    };
    let status = failure.status;
    report(err, failure);
    status
}

/// Writes `failure` to `err` if the host gave one; also used for [`WardStatus::Truncated`],
/// which is a result with data, not an error without.
pub(crate) fn report(err: *mut WardError, failure: Failure) {
    if err.is_null() {
        return;
    }
    let mut message = [0 as c_char; WARD_MESSAGE_LEN];
    // Cut at a character boundary, leaving room for the NUL that ends it.
    let mut end = failure
        .message
        .len()
        .min(WARD_MESSAGE_LEN.saturating_sub(1));
    while !failure.message.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    let bytes = failure.message.as_bytes().get(..end).unwrap_or_default();
    for (dst, src) in message.iter_mut().zip(bytes) {
        *dst = *src as c_char;
    }
    let error = WardError {
        status: failure.status,
        code: failure.code,
        offset: failure.offset.unwrap_or(WARD_NO_OFFSET),
        message,
    };
    // SAFETY: `err` is not null, and the API requires a non-null `err` to point to a
    // writable `WardError`; `write` does not read the (possibly uninitialised) old value.
    unsafe { err.write(error) };
}

/// `len` elements at `ptr`, borrowed for the call; null is refused unless `len` is 0.
///
/// # Safety
/// A non-null `ptr` must point to `len` initialised, aligned `T`s that stay valid and
/// unchanged while the returned slice is used.
pub(crate) unsafe fn slice<'a, T>(
    ptr: *const T,
    len: usize,
    what: &str,
) -> Result<&'a [T], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    if len
        .checked_mul(size_of::<T>())
        .is_none_or(|bytes| bytes > isize::MAX as usize)
    {
        return Err(Failure::invalid(format!(
            "`{what}`: {len} elements cannot be in memory"
        )));
    }
    // SAFETY: `ptr` is not null, the size fits `isize`, and the caller guarantees `len`
    // valid `T`s at `ptr` for the lifetime of the borrow.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// The NUL-terminated UTF-8 string at `ptr`, borrowed for the call.
///
/// # Safety
/// A non-null `ptr` must point to a NUL-terminated string that stays valid while used.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: not null, and the caller guarantees a NUL-terminated string at `ptr`.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str()
        .map_err(|e| Failure::invalid(format!("`{what}` is not UTF-8: {e}")))
}

/// Stores `value` in the host's out-pointer `out`.
///
/// # Safety
/// A non-null `out` must point to writable memory for one `T`.
pub(crate) unsafe fn put<T>(out: *mut T, value: T, what: &str) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: not null, and the caller guarantees it is writable for one `T`; `write`
    // does not read or drop what was there.
    unsafe { out.write(value) };
    Ok(())
}
