//! Rollout health, as pure functions (DESIGN.md invariant 8: the host, the collector,
//! the controller and the simulator call the same code): the beacons a host sends and
//! their limits ([`beacon`]), their per-host signatures ([`auth`]), the per-ring,
//! per-sensor aggregate of distinct hosts that a gate reads ([`aggregate`]), and the
//! gate itself ([`gate`]). No I/O, no clock: time comes in as an argument.

pub mod aggregate;
pub mod auth;
pub mod beacon;
pub mod gate;

pub use aggregate::{aggregate, Counts, Row, Window};
pub use beacon::{Batch, BatchError, Beacon, Kind, Record};
pub use gate::{decide, Decision, Evidence, Reason, Ring, Verdict};
