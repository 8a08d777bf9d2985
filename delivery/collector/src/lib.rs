//! The beacon collector behind `ward collect`: an HTTP endpoint ([`server`]) that
//! takes each host's signed beacon batches and stores them in SQLite ([`store`]),
//! losing none it acknowledged, and serves the per-ring, per-sensor aggregate that the
//! rollout controller's gate reads ([`client`] fetches it). The checks of a batch and the aggregate's meaning
//! are ward-health's; this crate adds the disk and the network.

pub mod client;
pub mod server;
pub mod store;

pub use server::{Collector, Config, StartError};
pub use store::{Store, StoreError, Stored};
