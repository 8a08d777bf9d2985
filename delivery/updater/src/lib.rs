//! The host's updater: the TUF client workflow ([`client`]) over HTTP ([`fetch`]), the
//! channels a sensor needs installed through the runtime's channel store
//! ([`install`]), and when to poll next ([`schedule`]). A failure anywhere leaves the
//! host on the channels it runs now. Health beacons to the collector: [`beacons`].

pub mod beacons;
pub mod client;
pub mod fetch;
pub mod host_id;
pub mod install;
pub mod policy;
pub mod schedule;

pub use client::{Limits, Updater};
pub use fetch::{Fetch, Fetched, Http, Validators};
