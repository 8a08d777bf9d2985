//! The crash-loop guard (DESIGN.md invariant 10): a host ends its own crash loop. Every
//! activation of a new channel is recorded (`N.guard`) before the channel is first used;
//! every sensor start from then until the channel is confirmed healthy counts; a sensor
//! that dies `deaths` times after an activation, before the channel is confirmed healthy
//! (it ran for its settle time), goes back to the last known good channel at its next
//! start and quarantines the version.
//!
//! No wall clock bounds the watch: a machine switched off between two crashes (a
//! workstation whose sensor died on load at the end of the day) starts the next morning
//! still unconfirmed, and that start is a death like any other. Only running the
//! channel past its settle time, which a crash loop never does, ends the watch.
//!
//! The decision, [`on_start`], is a pure function of the recorded watch and the policy
//! (invariant 8: the fleet simulator calls the same function); the store does the file
//! work around it.

use crate::record::decimal;

/// When the guard rolls back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardPolicy {
    /// Deaths after an activation, before it is confirmed healthy, that roll the
    /// channel back.
    pub deaths: u32,
}

/// Two deaths before the channel is confirmed healthy (docs/delivery.md says why).
pub const DEFAULT_POLICY: GuardPolicy = GuardPolicy { deaths: 2 };

/// An activation under watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    /// The content version activated.
    pub version: u64,
    /// When it was activated.
    pub activated_at: u64,
    /// Whether a running sensor took it in at activation (installed by the sensor's own
    /// store after [`crate::ChannelStore::sensor_started`]); if not, the first start after
    /// the activation is its first use, not a death.
    pub in_use: bool,
    /// Sensor starts since the activation, while it was not confirmed.
    pub starts: u32,
    /// Confirmed healthy: the guard no longer acts on this activation.
    pub confirmed: bool,
}

impl Watch {
    /// The runs that died: every start means the run before it ended, but the first start
    /// after an activation nothing was running yet.
    pub fn deaths(&self) -> u32 {
        if self.in_use {
            self.starts
        } else {
            self.starts.saturating_sub(1)
        }
    }
}

/// What a sensor start does to the channel under watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Keep the channel (the watch as returned is recorded).
    Keep,
    /// Go back to the last known good channel and quarantine this version.
    RollBack,
}

/// One sensor start: the watch with the start counted, and the verdict. Once the
/// channel is confirmed, starts no longer count; however long ago it was activated,
/// they do until then (so no clock, right or wrong, can disarm the guard).
pub fn on_start(watch: &Watch, policy: &GuardPolicy) -> (Watch, Verdict) {
    if watch.confirmed {
        return (*watch, Verdict::Keep);
    }
    let next = Watch {
        starts: watch.starts.saturating_add(1),
        ..*watch
    };
    let verdict = if next.deaths() >= policy.deaths {
        Verdict::RollBack
    } else {
        Verdict::Keep
    };
    (next, verdict)
}

/// A version the guard rolled back: not taken again until a newer one arrives. This is
/// the report a health beacon carries ("rolled back by the crash-loop guard").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarantine {
    pub channel_id: u32,
    /// The version quarantined.
    pub version: u64,
    /// The last known good version restored, if there was one.
    pub restored: Option<u64>,
    /// When the guard rolled back.
    pub at: u64,
}

/// The guard's record for one channel id, as `N.guard` holds it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GuardState {
    pub watch: Option<Watch>,
    pub quarantine: Option<Quarantine>,
}

/// `N.guard`: at most one line `watch VERSION AT IN_USE STARTS CONFIRMED` and one line
/// `quarantine VERSION RESTORED AT`, numbers in canonical decimal, flags 0 or 1, `-` for
/// no restored version.
pub fn format(state: &GuardState) -> String {
    let mut text = String::new();
    if let Some(w) = &state.watch {
        text.push_str(&format!(
            "watch {} {} {} {} {}\n",
            w.version,
            w.activated_at,
            u8::from(w.in_use),
            w.starts,
            u8::from(w.confirmed)
        ));
    }
    if let Some(q) = &state.quarantine {
        let restored = q
            .restored
            .map_or_else(|| "-".to_string(), |v| v.to_string());
        text.push_str(&format!("quarantine {} {restored} {}\n", q.version, q.at));
    }
    text
}

/// The state in an `N.guard` file, or why it is not one. Like the version record it
/// fails closed: a damaged file is an error, never "nothing to watch".
pub fn parse(channel_id: u32, bytes: &[u8]) -> Result<GuardState, &'static str> {
    let text = std::str::from_utf8(bytes).map_err(|_| "it is not text")?;
    let body = text
        .strip_suffix('\n')
        .ok_or("it does not end in a newline")?;
    let mut state = GuardState::default();
    for line in body.split('\n') {
        let words: Vec<&str> = line.split(' ').collect();
        let n = |w: &str| decimal(w.as_bytes());
        let flag = |w: &str| match w {
            "0" => Ok(false),
            "1" => Ok(true),
            _ => Err("a flag is not 0 or 1"),
        };
        match words.as_slice() {
            ["watch", version, at, in_use, starts, confirmed] if state.watch.is_none() => {
                state.watch = Some(Watch {
                    version: n(version)?,
                    activated_at: n(at)?,
                    in_use: flag(in_use)?,
                    starts: u32::try_from(n(starts)?).map_err(|_| "too many starts")?,
                    confirmed: flag(confirmed)?,
                });
            }
            ["quarantine", version, restored, at] if state.quarantine.is_none() => {
                state.quarantine = Some(Quarantine {
                    channel_id,
                    version: n(version)?,
                    restored: match *restored {
                        "-" => None,
                        v => Some(n(v)?),
                    },
                    at: n(at)?,
                });
            }
            _ => return Err("a line is not `watch ...` or `quarantine ...`, or repeats"),
        }
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(in_use: bool) -> Watch {
        Watch {
            version: 7,
            activated_at: 1_000,
            in_use,
            starts: 0,
            confirmed: false,
        }
    }

    fn starts(mut w: Watch, n: usize) -> Vec<Verdict> {
        (0..n)
            .map(|_| {
                let (next, verdict) = on_start(&w, &DEFAULT_POLICY);
                w = next;
                verdict
            })
            .collect()
    }

    #[test]
    fn two_deaths_before_confirmation_roll_back() {
        use Verdict::*;
        // Installed beside a stopped sensor: the first start is its first use.
        assert_eq!(starts(watch(false), 3), [Keep, Keep, RollBack]);
        // Taken in by a running sensor: every start follows a death.
        assert_eq!(starts(watch(true), 2), [Keep, RollBack]);
        let three = GuardPolicy { deaths: 3 };
        let (one, _) = on_start(&watch(true), &three);
        let (two, keep) = on_start(&one, &three);
        assert_eq!((two.starts, keep), (2, Keep));
        assert_eq!(on_start(&two, &three).1, RollBack);
    }

    #[test]
    fn a_confirmed_channel_does_not_roll_back() {
        use Verdict::*;
        let confirmed = Watch {
            confirmed: true,
            ..watch(true)
        };
        assert_eq!(starts(confirmed, 3), [Keep, Keep, Keep]);
        // Starts after the confirmation are not counted either.
        let (after, _) = on_start(&confirmed, &DEFAULT_POLICY);
        assert_eq!(after, confirmed);
    }

    #[test]
    fn the_guard_file_round_trips_and_fails_closed() {
        let state = GuardState {
            watch: Some(Watch {
                starts: 2,
                ..watch(true)
            }),
            quarantine: Some(Quarantine {
                channel_id: 291,
                version: 6,
                restored: None,
                at: 99,
            }),
        };
        assert_eq!(parse(291, format(&state).as_bytes()), Ok(state));
        let only = GuardState {
            quarantine: None,
            ..state
        };
        assert_eq!(parse(291, format(&only).as_bytes()), Ok(only));
        for bad in [
            &b""[..],
            b"watch 7 1000 1 2 0",
            b"watch 7 1000 2 2 0\n",
            b"watch 07 1000 1 2 0\n",
            b"watch 7 1000 1 2 0\nwatch 7 1000 1 2 0\n",
            b"quarantine 6 + 99\n",
            b"quarantine 6 - 99 extra\n",
            b"\n",
        ] {
            assert!(parse(291, bad).is_err(), "{bad:?} parsed");
        }
    }
}
