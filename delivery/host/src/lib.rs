//! ward-host: a reference sensor host, the loop of docs/delivery.md ("A sensor's loop")
//! made a real program, so the delivery path can be shown end to end with real
//! processes (docs/delivery.md, "The reference host").
//!
//! At each start the channel store's crash-loop guard counts the start ([`start`]);
//! the host then evaluates its events against every active channel ([`events`]), polls
//! the repository through the updater under the customer's signed policy, installs what
//! the rollout gives it, and sends health beacons through the updater's outbox
//! ([`run`]). Everything it decides is decided by the libraries it wires: ward-store
//! (the guard), ward-updater (TUF, rollout decision, policy, beacons), ward-runtime
//! (evaluation). What is the host's own is the model of harm: a channel whose verdict
//! for an event on a critical process is `prevent` makes the host abort, as a sensor
//! that kills csrss.exe takes the machine down with it.

pub mod events;
pub mod options;
pub mod rings;
pub mod run;
pub mod start;

pub use options::Options;
pub use run::run;

/// Why the host stopped: a message and the exit code (1: content, such as a profile or
/// an events file that does not parse; 2: usage or I/O).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal {
    pub code: u8,
    pub message: String,
}

impl Fatal {
    pub fn usage(message: impl Into<String>) -> Fatal {
        Fatal {
            code: 2,
            message: message.into(),
        }
    }

    pub fn content(message: impl Into<String>) -> Fatal {
        Fatal {
            code: 1,
            message: message.into(),
        }
    }
}
