//! ward-runtime: the channel format, verifier and interpreter that run inside a sensor.
//!
//! A channel file goes through [`verify`] (size limits, framing, signatures, structure,
//! semantics against the host's [`SensorProfile`]) and only then becomes a
//! [`VerifiedChannel`], the one type [`VerifiedChannel::evaluate`] runs on.
//! docs/channel-format.md specifies the bytes and lists every error. Encoding and signing
//! live in the compiler-side crate ward-encode, and the channel store in ward-store: a
//! sensor only reads channels.
//!
//! The runtime must not be able to crash its host, so beyond `forbid(unsafe_code)` the
//! lints below make every index, unwrap, panic and unchecked arithmetic a build error
//! outside tests (DESIGN.md invariant 3).

// No std outside tests: a sensor may link the runtime into a kernel-mode or embedded
// host. Tests use std's harness; the default-features-off build in .ci/run proves the
// library itself needs nothing but `alloc`.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
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

extern crate alloc;

pub mod case;
mod compiled;
mod cost;
pub mod counters;
mod decode;
mod error;
mod gates;
mod hash;
mod index;
mod interp;
pub mod limits;
mod literals;
mod memory;
pub mod model;
pub mod ops;
mod pattern;
pub mod pattern_store;
mod reset;
mod trust;
mod verified;
mod verify;
pub mod wire;

pub use cost::{longest_text_input, regex_cost_per_byte, CostBound, LOWERCASE_GROWTH};
pub use counters::Snapshot;
pub use decode::{decode, DecodedChannel};
pub use error::{ErrorCode, VerifyError, VERIFY_ERROR_CODES};
pub use interp::{EvalBuffer, EvalError, Match, UNDECLARED_ENUM_INPUTS_ACCEPTED};
pub use limits::Limits;
pub use model::*;
pub use pattern::{check_glob, check_regex};
pub use pattern_store::{CompiledPattern, NoStore, PatternKey, PatternStore};
pub use reset::{
    verify_reset, RecordReset, ResetError, RESET_LEN, RESET_MAGIC, RESET_SIGNING_CONTEXT,
};
pub use trust::{
    format_public_key, key_id, parse_public_key, KeyId, TrustError, TrustStore, DEFAULT_THRESHOLD,
    PUBLIC_KEY_PREFIX,
};
pub use verified::{InstanceInfo, VerifiedChannel};
pub use verify::{verify, verify_reusing, verify_with, HostTemplate, SensorProfile};

/// Re-exported so hosts and the compiler name the same key types as the runtime.
pub use ed25519_dalek::{SigningKey, VerifyingKey};
