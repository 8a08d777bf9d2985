//! Where each release stands: its ring, whether it is rolling, held or halted, and when
//! each ring started. The state is signed by the online timestamp key inside
//! `timestamp.json` (field `x-ward-rollout`), so every change is a new timestamp, which
//! hosts see on their next poll and cannot be rolled back (timestamp versions only go
//! up). The transitions here are the only way the state changes; each checks that it
//! makes sense and says why not.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::plan::Plan;

/// The rollout of every channel's newest release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutState {
    /// One per channel id, ascending.
    pub releases: Vec<Release>,
}

/// Whether a release is moving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Its current ring takes it; the next ring starts when the gate (or an operator)
    /// advances it.
    Rolling,
    /// Hosts that have it keep it, hosts of the current ring may still take it, and no
    /// further ring starts until it is resumed.
    Held,
    /// Nobody takes it, and every host that took it goes back to N-1.
    Halted,
}

/// One release (a channel at a content version) and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub channel_id: u32,
    pub version: u64,
    /// Index of the current ring in the plan.
    pub ring: usize,
    pub status: Status,
    /// When each ring up to the current one started (seconds since the epoch); a
    /// resume restarts the current ring's clock.
    pub started: Vec<u64>,
    /// When the state last changed, and why (for `ward rollout status`).
    pub changed: u64,
    pub reason: String,
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The release is not in a status that allows the transition.
    Status {
        wanted: &'static str,
        status: Status,
    },
    /// The current ring has not baked for its minimum time.
    Baking { ring: String, remaining_secs: u64 },
    /// The release is in its last ring already.
    LastRing { ring: String },
    /// The state does not fit the plan (a ring index past the plan's rings).
    Inconsistent(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Status { wanted, status } => {
                write!(
                    f,
                    "cannot {wanted} a release that is {}",
                    status_name(*status)
                )
            }
            Refusal::Baking {
                ring,
                remaining_secs,
            } => write!(
                f,
                "ring `{ring}` must bake for {} more before the next ring may start",
                duration(*remaining_secs)
            ),
            Refusal::LastRing { ring } => {
                write!(f, "the release is in its last ring (`{ring}`) already")
            }
            Refusal::Inconsistent(why) => {
                write!(f, "the rollout state does not fit the plan: {why}")
            }
        }
    }
}

impl std::error::Error for Refusal {}

/// `rolling`, `held` or `halted`.
pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::Rolling => "rolling",
        Status::Held => "held",
        Status::Halted => "halted",
    }
}

/// Seconds as `1h 5m`, `3m 20s`, `45s`.
pub fn duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m"),
    }
}

impl Release {
    /// A release just published: first ring, rolling, started at `now`.
    pub fn start(channel_id: u32, version: u64, now: u64) -> Release {
        Release {
            channel_id,
            version,
            ring: 0,
            status: Status::Rolling,
            started: vec![now],
            changed: now,
            reason: "published".into(),
        }
    }

    /// The current ring's name in `plan`.
    pub fn ring_name<'p>(&self, plan: &'p Plan) -> Option<&'p str> {
        plan.rings.get(self.ring).map(|r| r.name.as_str())
    }

    /// When ring `index` started, if it has.
    pub fn ring_started(&self, index: usize) -> Option<u64> {
        self.started.get(index).copied()
    }

    /// Seconds the current ring must still bake (0 once it may advance on time alone).
    pub fn bake_remaining(&self, plan: &Plan, now: u64) -> u64 {
        let bake = plan.rings.get(self.ring).map_or(0, |r| r.bake_secs);
        let since = self.ring_started(self.ring).unwrap_or(now);
        since.saturating_add(bake).saturating_sub(now)
    }

    /// Checks the release against its plan: a ring the plan has, one start time per
    /// ring reached.
    pub fn validate(&self, plan: &Plan) -> Result<(), Refusal> {
        if self.ring >= plan.rings.len() {
            return Err(Refusal::Inconsistent(format!(
                "ring {} of a plan with {} ring(s)",
                self.ring + 1,
                plan.rings.len()
            )));
        }
        if self.started.len() != self.ring + 1 {
            return Err(Refusal::Inconsistent(format!(
                "{} start time(s) for ring {}",
                self.started.len(),
                self.ring + 1
            )));
        }
        Ok(())
    }

    fn changed(&mut self, reason: &str, now: u64) {
        self.changed = now;
        self.reason = reason.to_string();
    }

    /// Starts the next ring: the release must be rolling and its ring baked. Whether
    /// enough hosts reported healthy is the gate's to say before it calls this.
    pub fn advance(&mut self, plan: &Plan, now: u64) -> Result<(), Refusal> {
        self.validate(plan)?;
        if self.status != Status::Rolling {
            return Err(Refusal::Status {
                wanted: "advance",
                status: self.status,
            });
        }
        let name = self.ring_name(plan).unwrap_or_default().to_string();
        if self.ring + 1 >= plan.rings.len() {
            return Err(Refusal::LastRing { ring: name });
        }
        let remaining_secs = self.bake_remaining(plan, now);
        if remaining_secs > 0 {
            return Err(Refusal::Baking {
                ring: name,
                remaining_secs,
            });
        }
        self.ring += 1;
        self.started.push(now);
        let next = self.ring_name(plan).unwrap_or_default().to_string();
        self.changed(&format!("advanced to `{next}`"), now);
        Ok(())
    }

    /// Stops the rollout where it is (hosts keep what they have).
    pub fn hold(&mut self, reason: &str, now: u64) -> Result<(), Refusal> {
        if self.status != Status::Rolling {
            return Err(Refusal::Status {
                wanted: "hold",
                status: self.status,
            });
        }
        self.status = Status::Held;
        self.changed(reason, now);
        Ok(())
    }

    /// Stops the rollout and sends every host that took the release back to N-1.
    pub fn halt(&mut self, reason: &str, now: u64) -> Result<(), Refusal> {
        if self.status == Status::Halted {
            return Err(Refusal::Status {
                wanted: "halt",
                status: self.status,
            });
        }
        self.status = Status::Halted;
        self.changed(reason, now);
        Ok(())
    }

    /// Rolls a held or halted release again; its current ring bakes again from `now`,
    /// since the evidence before the stop no longer covers what happens next.
    pub fn resume(&mut self, reason: &str, now: u64) -> Result<(), Refusal> {
        if self.status == Status::Rolling {
            return Err(Refusal::Status {
                wanted: "resume",
                status: self.status,
            });
        }
        self.status = Status::Rolling;
        if let Some(start) = self.started.get_mut(self.ring) {
            *start = now;
        }
        self.changed(reason, now);
        Ok(())
    }
}

impl RolloutState {
    /// The release of `channel_id`, if it has one.
    pub fn release(&self, channel_id: u32) -> Option<&Release> {
        self.releases.iter().find(|r| r.channel_id == channel_id)
    }

    /// The release of `channel_id`, to change.
    pub fn release_mut(&mut self, channel_id: u32) -> Option<&mut Release> {
        self.releases
            .iter_mut()
            .find(|r| r.channel_id == channel_id)
    }

    /// Records `release` as its channel's release, replacing the one before.
    pub fn put(&mut self, release: Release) {
        self.releases.retain(|r| r.channel_id != release.channel_id);
        self.releases.push(release);
        self.releases.sort_by_key(|r| r.channel_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_walks_the_rings_only_after_each_bakes() {
        let plan = Plan::default();
        let mut r = Release::start(1, 2, 0);
        let mut now = 0;
        for ring in &plan.rings[..plan.rings.len() - 1] {
            let early = r.advance(&plan, now + ring.bake_secs - 1).unwrap_err();
            assert_eq!(
                early,
                Refusal::Baking {
                    ring: ring.name.clone(),
                    remaining_secs: 1
                }
            );
            now += ring.bake_secs;
            r.advance(&plan, now).unwrap();
        }
        assert_eq!(r.ring_name(&plan), Some("general"));
        assert_eq!(r.started.len(), plan.rings.len());
        assert!(matches!(
            r.advance(&plan, u64::MAX),
            Err(Refusal::LastRing { .. })
        ));
    }

    #[test]
    fn hold_halt_and_resume_follow_the_status() {
        let plan = Plan::default();
        let mut r = Release::start(1, 2, 0);
        r.hold("looking", 10).unwrap();
        assert!(r.hold("again", 11).is_err());
        assert!(
            r.advance(&plan, 1_000_000).is_err(),
            "a held release does not advance"
        );
        r.halt("crashes", 12).unwrap();
        assert!(r.halt("again", 13).is_err());
        r.resume("fixed", 5_000).unwrap();
        assert_eq!(r.status, Status::Rolling);
        // The ring bakes again from the resume.
        assert_eq!(r.bake_remaining(&plan, 5_000), plan.rings[0].bake_secs);
        assert!(r.resume("again", 5_001).is_err());
    }

    #[test]
    fn a_state_that_does_not_fit_its_plan_is_refused() {
        let plan = Plan::default();
        let mut r = Release::start(1, 2, 0);
        r.ring = 9;
        assert!(matches!(r.advance(&plan, 0), Err(Refusal::Inconsistent(_))));
    }
}
