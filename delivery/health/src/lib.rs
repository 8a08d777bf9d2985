//! Rollout health, as pure functions (DESIGN.md invariant 8: the host, the collector,
//! the controller and the simulator call the same code): the beacons a host sends and
//! their limits ([`beacon`]), their per-host signatures ([`auth`]), the per-ring,
//! per-sensor aggregate of distinct hosts that a gate reads ([`aggregate`]), the cost
//! summaries and their aggregate ([`cost`]), and the gate itself ([`gate`], with its
//! cost test in [`slow`], and the sequential test both use in [`sequential`]). No I/O, no clock: time comes in as an argument.

pub mod aggregate;
pub mod auth;
pub mod beacon;
pub mod cost;
pub mod gate;
pub mod sequential;
pub mod slow;

pub use aggregate::{aggregate, Counts, Row, Window};
pub use beacon::{Batch, BatchError, Beacon, Kind, Record};
pub use cost::{costs, CostRow, Summary, SummaryRecord};
pub use gate::{
    decide, decide_health, ring_figures, Decision, Evidence, Figures, Reason, Ring, RingFigures,
    Verdict,
};
pub use slow::{CostEvidence, CostStratum};
