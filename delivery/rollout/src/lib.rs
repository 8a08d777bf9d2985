//! Rollout decisions for Ward's release repository, as pure functions (DESIGN.md
//! invariant 8): no I/O, no clock (every function that needs the time is passed it), so
//! the host's updater, the controller (`ward rollout`) and a simulator run the very same
//! code.
//!
//! - [`plan`]: a release's rollout plan (ordered rings: share of hosts, bake time,
//!   minimum reporting hosts) and its category, signed by the targets key with the
//!   release (in the channel target's `custom.rollout`).
//! - [`state`]: where each release stands (ring, status, when each ring started),
//!   signed by the online timestamp key in `timestamp.json` (`x-ward-rollout`), and the
//!   transitions `advance`, `hold`, `halt`, `resume`.
//! - [`cohort`]: the host id and the stable, uniform bucket of a host for a release.
//! - [`policy`]: the customer's host policy (ring, delay, pause, pin, maintenance
//!   windows) and its validation.
//! - [`decide`]: whether a host takes a release, falls back to N-1, or stays.
//!
//! # The API the controller uses
//!
//! The controller (`ward rollout`, and the health gate's `ward rollout watch`) reads the
//! plan of each release and the signed state with `ward_tuf::repo::Repo::rollout`, decides
//! with the transitions below, and writes the new state (newly signed, with a new
//! timestamp) with `Repo::set_rollout`:
//!
//! ```
//! use ward_rollout::{Plan, Release, Status};
//! let plan = Plan::default();
//! let now = 1_000_000;
//! let mut release = Release::start(77, 2, now);          // what `ward publish` records
//! assert_eq!(release.ring_name(&plan), Some("internal"));
//! assert!(release.advance(&plan, now + 60).is_err());     // the ring's bake time is not over
//! release.advance(&plan, now + plan.rings[0].bake_secs).unwrap();
//! assert_eq!(release.ring_name(&plan), Some("canary"));
//! release.halt("canary crash rate", now + 7200).unwrap();
//! assert_eq!(release.status, Status::Halted);
//! ```
//!
//! These names are stable: [`Plan`], [`Ring`], [`RolloutState`], [`Release`],
//! [`Status`], [`Release::advance`], [`Release::hold`], [`Release::halt`],
//! [`Release::resume`], [`Release::bake_remaining`], [`Release::ring_started`].

pub mod cohort;
pub mod decide;
pub mod plan;
pub mod policy;
pub mod state;

pub use cohort::{bucket, HostId, BUCKETS};
pub use decide::{decide, Decision, HostView, Offer, Stay};
pub use plan::{Category, Plan, PlanConfig, Ring};
pub use policy::{Pin, Policy, Window};
pub use state::{Refusal, Release, RolloutState, Status};
