//! Whether a host takes a release (DESIGN.md invariants 8, 9 and 11): one pure function
//! of the release on offer (its signed plan, its signed state, the N-1 it falls back
//! to), the host (its id, what it runs, its customer's policy) and the time.
//!
//! In order: a halted release the host runs sends it back to N-1 at once (getting off
//! a bad release waits for no window, pause or delay); a pin takes exactly what it
//! names; a pause, a closed window, or a release the host already has keeps it where
//! it is; a release without a plan was published to everyone at once; a release with a
//! plan but no state (missing data) holds; then the host's ring (its policy's, or its
//! cohort bucket's) must have opened, and the policy's delay passed since it did.
//! A host the release does not reach yet (or, halted, at all) takes N-1 if it runs
//! less, since N-1 went to every host before.

use std::fmt;

use crate::cohort::{bucket, HostId};
use crate::plan::Plan;
use crate::policy::{Pin, Policy};
use crate::state::{Release, Status};

/// A release on offer to a host, as the signed metadata describes it.
#[derive(Debug, Clone, Copy)]
pub struct Offer<'a> {
    pub channel_id: u32,
    /// The release's content version (N).
    pub version: u64,
    /// Its rollout plan; `None` for a release published without one.
    pub plan: Option<&'a Plan>,
    /// Its state, signed in the timestamp.
    pub release: Option<&'a Release>,
    /// The version of the N-1 target the repository still signs, if any.
    pub previous: Option<u64>,
}

/// The host deciding.
#[derive(Debug, Clone, Copy)]
pub struct HostView<'a> {
    pub id: &'a HostId,
    /// The content version it runs for this channel.
    pub active: Option<u64>,
    pub policy: Option<&'a Policy>,
}

/// What the host does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Install this version, newer than what the host runs.
    Take(u64),
    /// Install this older version (N-1) in place of what the host runs: a signed
    /// rollback (the plan's N-1 is signed by the targets key, the halt by the
    /// timestamp key), which the channel store accepts only as such.
    FallBack(u64),
    /// Keep what it runs, and why.
    Stay(Stay),
}

/// Why a host keeps what it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stay {
    Current,
    Halted,
    Paused,
    OutsideWindow,
    Pinned(Option<u64>),
    NoState,
    NotYetInRing { host_ring: String, current: String },
    Delayed { until: u64 },
}

impl fmt::Display for Stay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stay::Current => write!(f, "runs this release or a newer one"),
            Stay::Halted => write!(f, "the release is halted"),
            Stay::Paused => write!(f, "the host policy pauses this category"),
            Stay::OutsideWindow => write!(f, "outside the host policy's maintenance windows"),
            Stay::Pinned(Some(v)) => write!(f, "the host policy pins content version {v}"),
            Stay::Pinned(None) => write!(
                f,
                "the host policy pins N-1, which the repository does not have"
            ),
            Stay::NoState => write!(
                f,
                "no signed rollout state for this release (missing data holds)"
            ),
            Stay::NotYetInRing { host_ring, current } => {
                write!(
                    f,
                    "the host's ring `{host_ring}` has not opened (the rollout is at `{current}`)"
                )
            }
            Stay::Delayed { until } => write!(
                f,
                "the host policy's delay runs until {}",
                jiff::Timestamp::from_second(i64::try_from(*until).unwrap_or(i64::MAX))
                    .map_or_else(|_| until.to_string(), |t| t.to_string())
            ),
        }
    }
}

/// The ring index of `host` for `offer` under `plan`: its policy's ring, else its
/// cohort bucket's.
pub fn host_ring(plan: &Plan, offer: &Offer<'_>, host: &HostView<'_>) -> usize {
    let last = plan.rings.len().saturating_sub(1);
    match host.policy.and_then(|p| p.ring.as_deref()) {
        Some(name) => plan.ring_index(name).unwrap_or(last),
        None => plan.ring_of_bucket(bucket(host.id, offer.channel_id, offer.version)),
    }
}

/// Whether the host takes the release, falls back to N-1, or stays.
pub fn decide(offer: &Offer<'_>, host: &HostView<'_>, now: u64) -> Decision {
    let n = offer.version;
    let release = offer
        .release
        .filter(|r| r.channel_id == offer.channel_id && r.version == n);
    // Replace what the host runs with `target`: a take if newer, a fallback if older.
    let to = |target: u64| match host.active {
        Some(active) if active == target => Decision::Stay(Stay::Current),
        Some(active) if active > target => Decision::FallBack(target),
        _ => Decision::Take(target),
    };
    let halted = release.is_some_and(|r| r.status == Status::Halted);
    if halted && host.active == Some(n) {
        return offer
            .previous
            .map_or(Decision::Stay(Stay::Halted), Decision::FallBack);
    }
    let policy = host.policy;
    match policy.and_then(|p| p.pin) {
        // A halt is a safety action: a pin chooses among releases, it does not bring
        // back one the vendor stopped (the host running it fell back above).
        Some(Pin::Version(v)) if v == n && halted => return Decision::Stay(Stay::Halted),
        Some(Pin::Version(v)) if v == n || Some(v) == offer.previous => return to(v),
        Some(Pin::Version(v)) => return Decision::Stay(Stay::Pinned(Some(v))),
        Some(Pin::Previous) => {
            return offer
                .previous
                .map_or(Decision::Stay(Stay::Pinned(None)), to)
        }
        None => {}
    }
    if let (Some(p), Some(plan)) = (policy, offer.plan) {
        if p.pauses(plan.category) {
            return Decision::Stay(Stay::Paused);
        }
    } else if policy.is_some_and(|p| p.pause) {
        return Decision::Stay(Stay::Paused);
    }
    if policy.is_some_and(|p| !p.in_window(now)) {
        return Decision::Stay(Stay::OutsideWindow);
    }
    if host.active.is_some_and(|a| a >= n) {
        return Decision::Stay(Stay::Current);
    }
    // A host the release does not reach (yet, or at all once halted) runs N-1, which
    // went to everyone before: a host installed meanwhile, or one behind, takes it.
    match staged(offer, host, release, halted, now) {
        Decision::Stay(why) => match offer.previous {
            Some(p) if host.active.is_none_or(|a| a < p) => Decision::Take(p),
            _ => Decision::Stay(why),
        },
        take => take,
    }
}

/// The staged part of [`decide`]: the plan, the state, the host's ring and delay.
fn staged(
    offer: &Offer<'_>,
    host: &HostView<'_>,
    release: Option<&Release>,
    halted: bool,
    now: u64,
) -> Decision {
    let n = offer.version;
    let policy = host.policy;
    if halted {
        return Decision::Stay(Stay::Halted);
    }
    let Some(plan) = offer.plan else {
        return Decision::Take(n);
    };
    let Some(release) = release.filter(|r| r.validate(plan).is_ok()) else {
        return Decision::Stay(Stay::NoState);
    };
    let ring = host_ring(plan, offer, host);
    if ring > release.ring {
        let name = |i: usize| {
            plan.rings
                .get(i)
                .map(|r| r.name.clone())
                .unwrap_or_default()
        };
        return Decision::Stay(Stay::NotYetInRing {
            host_ring: name(ring),
            current: name(release.ring),
        });
    }
    let delay = u64::from(policy.map_or(0, |p| p.delay_hours)) * 3600;
    let opened = release.ring_started(ring).unwrap_or(now);
    if now < opened.saturating_add(delay) {
        return Decision::Stay(Stay::Delayed {
            until: opened.saturating_add(delay),
        });
    }
    Decision::Take(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Category;
    use crate::policy::Window;

    const T0: u64 = 1_796_428_800; // 2026-12-05 00:00 UTC, a Saturday

    fn host_in(plan: &Plan, ring: usize) -> HostId {
        (0u8..=255)
            .flat_map(|a| {
                (0u8..=255).map(move |b| HostId([a, b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))
            })
            .find(|id| plan.ring_of_bucket(bucket(id, 7, 3)) == ring)
            .expect("a host in every ring with a share")
    }

    fn offer<'a>(plan: &'a Plan, release: &'a Release) -> Offer<'a> {
        Offer {
            channel_id: 7,
            version: 3,
            plan: Some(plan),
            release: Some(release),
            previous: Some(2),
        }
    }

    fn view<'a>(id: &'a HostId, active: Option<u64>, policy: Option<&'a Policy>) -> HostView<'a> {
        HostView { id, active, policy }
    }

    #[test]
    fn a_host_takes_a_release_once_its_ring_opens() {
        let plan = Plan::default();
        let mut release = Release::start(7, 3, T0);
        let early = host_in(&plan, 2);
        let canary = host_in(&plan, 1);
        let o = offer(&plan, &release);
        assert!(matches!(
            decide(&o, &view(&canary, Some(2), None), T0),
            Decision::Stay(Stay::NotYetInRing { .. })
        ));
        release.advance(&plan, T0 + 3600).unwrap();
        let o = offer(&plan, &release);
        assert_eq!(
            decide(&o, &view(&canary, Some(2), None), T0 + 3600),
            Decision::Take(3)
        );
        assert!(matches!(
            decide(&o, &view(&early, Some(2), None), T0 + 3600),
            Decision::Stay(Stay::NotYetInRing { .. })
        ));
        assert_eq!(
            decide(&o, &view(&canary, Some(3), None), T0 + 3600),
            Decision::Stay(Stay::Current)
        );
    }

    #[test]
    fn a_halt_sends_hosts_that_took_it_back_to_n_minus_1_whatever_the_policy() {
        let plan = Plan::default();
        let mut release = Release::start(7, 3, T0);
        release.halt("crashes", T0 + 60).unwrap();
        let id = host_in(&plan, 1);
        let closed = Policy {
            pause: true,
            windows: vec![Window {
                days: vec!["mon".into()],
                start: "01:00".into(),
                end: "02:00".into(),
                time_zone: "UTC".into(),
            }],
            ..Policy::default()
        };
        let o = offer(&plan, &release);
        assert_eq!(
            decide(&o, &view(&id, Some(3), Some(&closed)), T0 + 60),
            Decision::FallBack(2)
        );
        assert_eq!(
            decide(&o, &view(&id, Some(2), None), T0 + 60),
            Decision::Stay(Stay::Halted)
        );
        // A host with nothing yet gets N-1, which every host had before.
        assert_eq!(
            decide(&o, &view(&id, None, None), T0 + 60),
            Decision::Take(2)
        );
    }

    #[test]
    fn the_policy_ring_delay_pause_pin_and_window_are_each_obeyed() {
        let plan = Plan::default();
        let mut release = Release::start(7, 3, T0);
        let id = host_in(&plan, 3);
        let internal = Policy {
            ring: Some("internal".into()),
            ..Policy::default()
        };
        let o = offer(&plan, &release);
        assert_eq!(
            decide(&o, &view(&id, Some(2), Some(&internal)), T0),
            Decision::Take(3)
        );
        let delayed = Policy {
            ring: Some("internal".into()),
            delay_hours: 2,
            ..Policy::default()
        };
        assert_eq!(
            decide(&o, &view(&id, Some(2), Some(&delayed)), T0 + 3599),
            Decision::Stay(Stay::Delayed { until: T0 + 7200 })
        );
        assert_eq!(
            decide(&o, &view(&id, Some(2), Some(&delayed)), T0 + 7200),
            Decision::Take(3)
        );
        let paused = Policy {
            ring: Some("internal".into()),
            pause: true,
            ..Policy::default()
        };
        assert_eq!(
            decide(&o, &view(&id, Some(2), Some(&paused)), T0),
            Decision::Stay(Stay::Paused)
        );
        let critical = Plan {
            category: Category::SystemCritical,
            ..Plan::default()
        };
        assert_eq!(
            decide(
                &offer(&critical, &release),
                &view(&id, Some(2), Some(&paused)),
                T0
            ),
            Decision::Take(3)
        );
        let pinned = Policy {
            pin: Some(Pin::Version(2)),
            ..Policy::default()
        };
        assert_eq!(
            decide(&o, &view(&id, Some(2), Some(&pinned)), T0),
            Decision::Stay(Stay::Current)
        );
        assert_eq!(
            decide(&o, &view(&id, Some(3), Some(&pinned)), T0),
            Decision::FallBack(2)
        );
        let previous = Policy {
            pin: Some(Pin::Previous),
            ..Policy::default()
        };
        assert_eq!(
            decide(&o, &view(&id, Some(1), Some(&previous)), T0),
            Decision::Take(2)
        );
        let saturday_night = Policy {
            ring: Some("internal".into()),
            windows: vec![Window {
                days: vec!["sat".into()],
                start: "01:00".into(),
                end: "02:00".into(),
                time_zone: "UTC".into(),
            }],
            ..Policy::default()
        };
        assert_eq!(
            decide(&o, &view(&id, Some(2), Some(&saturday_night)), T0),
            Decision::Stay(Stay::OutsideWindow)
        );
        assert_eq!(
            decide(&o, &view(&id, Some(2), Some(&saturday_night)), T0 + 3600),
            Decision::Take(3)
        );
        // The general ring, by bucket, only at general availability.
        assert!(matches!(
            decide(&o, &view(&id, Some(2), None), T0),
            Decision::Stay(Stay::NotYetInRing { .. })
        ));
        for (i, ring) in plan.rings.iter().enumerate().take(3) {
            let at = release.ring_started(i).unwrap() + ring.bake_secs;
            release.advance(&plan, at).unwrap();
        }
        let ga = release.ring_started(3).unwrap();
        assert_eq!(
            decide(&offer(&plan, &release), &view(&id, Some(2), None), ga),
            Decision::Take(3)
        );
    }

    #[test]
    fn a_host_the_release_does_not_reach_takes_n_minus_1() {
        let plan = Plan::default();
        let mut release = Release::start(7, 3, T0);
        let general = host_in(&plan, 3);
        let o = offer(&plan, &release);
        assert_eq!(
            decide(&o, &view(&general, None, None), T0),
            Decision::Take(2)
        );
        assert_eq!(
            decide(&o, &view(&general, Some(1), None), T0),
            Decision::Take(2)
        );
        assert!(matches!(
            decide(&o, &view(&general, Some(2), None), T0),
            Decision::Stay(Stay::NotYetInRing { .. })
        ));
        release.halt("bad", T0).unwrap();
        let o = offer(&plan, &release);
        assert_eq!(
            decide(&o, &view(&general, None, None), T0),
            Decision::Take(2)
        );
        assert_eq!(
            decide(&o, &view(&general, Some(2), None), T0),
            Decision::Stay(Stay::Halted)
        );
        // A paused host takes nothing, N-1 included.
        let paused = Policy {
            pause: true,
            ..Policy::default()
        };
        assert_eq!(
            decide(&o, &view(&general, None, Some(&paused)), T0),
            Decision::Stay(Stay::Paused)
        );
    }

    #[test]
    fn missing_state_holds_and_a_release_without_a_plan_goes_to_everyone() {
        let plan = Plan::default();
        let id = host_in(&plan, 1);
        let no_state = Offer {
            channel_id: 7,
            version: 3,
            plan: Some(&plan),
            release: None,
            previous: None,
        };
        assert_eq!(
            decide(&no_state, &view(&id, Some(2), None), T0),
            Decision::Stay(Stay::NoState)
        );
        let stale = Release::start(7, 2, T0);
        let other = Offer {
            release: Some(&stale),
            ..no_state
        };
        assert_eq!(
            decide(&other, &view(&id, Some(2), None), T0),
            Decision::Stay(Stay::NoState)
        );
        let unplanned = Offer {
            plan: None,
            ..no_state
        };
        assert_eq!(
            decide(&unplanned, &view(&id, None, None), T0),
            Decision::Take(3)
        );
    }
}
