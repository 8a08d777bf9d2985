//! `ward simulate`: a discrete-event simulation of a Ward fleet, to show how far a bad
//! release goes before its rollout halts itself (issue 13, docs/delivery.md
//! "Delivery III"). Hosts with sensor versions and customer policies poll on the
//! updater's schedule, take or refuse the release by `ward_rollout::decide`, crash
//! and recover by the store's crash-loop guard, and send beacons that a simulated
//! collector aggregates for the controller's real gate (`ward_health::decide_health`:
//! crashes, and cost per event from the hosts' summaries).
//!
//! - [`scenario`]: the scenario file and its checks.
//! - [`sim`]: the event loop and the host model.
//! - [`queue`]: the time-bucketed event queue.
//! - [`tally`]: the gate's aggregate, kept incrementally.
//! - [`costs`]: what evaluation costs on each host, and the cost aggregate.
//! - [`rng`]: stateless, seeded draws.
//! - [`report`]: the figures of a run.
//! - [`chart`]: exposure over time, in the terminal and as SVG.

pub mod chart;
pub mod costs;
pub mod queue;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod tally;

pub use report::{Outcome, Run, Sweep};
pub use scenario::{Scenario, ScenarioError};
pub use sim::{simulate, Mode, Options};
