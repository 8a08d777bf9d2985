//! ward-ffi: Ward's C ABI, for sensors written in C and C++ (include/ward.h).
//!
//! A host builds a trust store ([`ward_trust_new`]) and a sensor profile
//! ([`ward_profile_new`], from the static data `ward sensor export NAME --lang c`
//! generates), verifies a channel file with [`ward_channel_verify`] and evaluates events
//! with [`ward_channel_evaluate`] into a buffer of matches it owns, and reads what the
//! evaluations cost with [`ward_channel_counters`]. Handles are opaque;
//! every function returns a [`WardStatus`] and, when given a [`WardError`], fills it with
//! the stable code, the byte offset and a message. docs/embedding.md is the guide.
//!
//! This is the only crate of the workspace allowed `unsafe` (ARCHITECTURE.md), and only
//! to read what the host's pointers point at and to hand out and take back handles; each
//! block says why it is sound beside it. No panic crosses the boundary: every exported
//! function runs inside [`guard::call`], which catches one and returns
//! [`WardStatus::Panic`]. Beyond that, the runtime's own restriction lints apply here too.

#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod abi;
mod api;
mod counters;
mod guard;
mod profile;
mod value;

pub use abi::*;
pub use api::*;
pub use counters::*;
