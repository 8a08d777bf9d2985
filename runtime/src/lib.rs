//! ward-runtime: the channel format, verifier, interpreter and channel store that run
//! inside a sensor.
//!
//! A channel file goes through [`verify`] (size limits, framing, signatures, structure,
//! semantics against the host's [`SensorProfile`]) and only then becomes a
//! [`VerifiedChannel`], the one type [`VerifiedChannel::evaluate`] runs on. The
//! [`ChannelStore`] keeps verified channels on disk with a last known good copy and
//! anti-rollback. docs/channel-format.md specifies the bytes and lists every error.
//!
//! The runtime must not be able to crash its host, so beyond `forbid(unsafe_code)` the
//! lints below make every index, unwrap, panic and unchecked arithmetic a build error
//! outside tests (DESIGN.md invariant 3).

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

// Lets the shared test fixtures in tests/common name this crate the way integration
// tests do.
#[cfg(test)]
extern crate self as ward_runtime;

mod compiled;
mod decode;
mod encode;
mod error;
mod hash;
mod index;
mod interp;
pub mod limits;
mod memory;
pub mod model;
mod pattern;
mod store;
mod trust;
mod verified;
mod verify;
mod wire;

pub use decode::{decode, DecodedChannel};
pub use encode::{sign, testing, EncodeError};
pub use error::VerifyError;
pub use interp::{EvalError, Match};
pub use model::*;
pub use pattern::{check_glob, check_regex};
pub use store::{ChannelStore, Installed, StoreError};
pub use trust::{
    format_public_key, key_id, parse_public_key, KeyId, TrustError, TrustStore, DEFAULT_THRESHOLD,
    PUBLIC_KEY_PREFIX,
};
pub use verified::{InstanceInfo, VerifiedChannel};
pub use verify::{verify, HostTemplate, SensorProfile};

/// Re-exported so hosts and the compiler name the same key types as the runtime.
pub use ed25519_dalek::{SigningKey, VerifyingKey};

#[cfg(test)]
#[path = "../tests/common/mod.rs"]
pub(crate) mod common;
