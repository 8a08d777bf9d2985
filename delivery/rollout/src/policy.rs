//! The customer's host policy: which ring the host group joins, a delay after its ring
//! opens (0 to 72 hours), pause, a pin to an exact content version or to N-1, and
//! maintenance windows (days, hours, time zone). The customer signs it with their own
//! key (the updater checks the envelope, `ward_updater::policy`); this module is its
//! meaning and its validation, which says what is wrong and where.
//!
//! Time zones come from the tz database bundled in the binary (jiff), not the host's:
//! the host, the controller and a simulator then agree on every window, and the
//! decision reads no file.

use serde::{Deserialize, Serialize};

use crate::plan::Category;

/// The longest delay a policy may ask for, as the vendor's controls allow.
pub const MAX_DELAY_HOURS: u32 = 72;

/// A host group's policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The host group it is for (shown, not interpreted).
    #[serde(default)]
    pub group: String,
    /// The ring of the vendor's plan the group joins; without one, each host's cohort
    /// bucket decides. A ring the plan does not have counts as its last ring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ring: Option<String>,
    /// Hours to wait after the host's ring opens before taking a release.
    #[serde(default)]
    pub delay_hours: u32,
    /// Take nothing new (but for the categories that may not be paused).
    #[serde(default)]
    pub pause: bool,
    /// Categories taken even while paused, beyond system-critical content, which is
    /// never paused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub never_pause: Vec<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Pin>,
    /// When the host may take a release; none means at any time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<Window>,
}

/// A pin: one exact content version, or always the release before the newest (N-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Pin {
    Version(u64),
    Previous,
}

/// A maintenance window: on `days`, from `start` to `end` (`HH:MM`, local time in
/// `time_zone`); an end at or before the start runs past midnight into the next day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// `mon` to `sun`.
    pub days: Vec<String>,
    pub start: String,
    pub end: String,
    /// An IANA time zone (`Europe/Berlin`, `UTC`).
    pub time_zone: String,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Minutes after midnight of `HH:MM`.
fn minutes(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl Window {
    fn zone(&self) -> Option<jiff::tz::TimeZone> {
        jiff::tz::db().get(&self.time_zone).ok()
    }

    fn validate(&self, what: &str) -> Result<(), String> {
        if self.days.is_empty() {
            return Err(format!(
                "{what}: `days` is empty (a window needs at least one day)"
            ));
        }
        if let Some(day) = self.days.iter().find(|d| !DAYS.contains(&d.as_str())) {
            return Err(format!(
                "{what}: day `{day}` is not one of {}",
                DAYS.join(", ")
            ));
        }
        for (field, value) in [("start", &self.start), ("end", &self.end)] {
            if minutes(value).is_none() {
                return Err(format!(
                    "{what}: `{field}` `{value}` is not a time HH:MM (00:00 to 23:59)"
                ));
            }
        }
        if self.start == self.end {
            return Err(format!(
                "{what}: `start` and `end` are both {}; a window must have a length",
                self.start
            ));
        }
        if self.zone().is_none() {
            return Err(format!(
                "{what}: time zone `{}` is not in the tz database (write e.g. `Europe/Berlin` or `UTC`)",
                self.time_zone
            ));
        }
        Ok(())
    }

    /// Whether `now` (seconds since the epoch) falls in the window.
    pub fn contains(&self, now: u64) -> bool {
        let (Some(zone), Some(start), Some(end)) =
            (self.zone(), minutes(&self.start), minutes(&self.end))
        else {
            return false;
        };
        let Ok(now) = jiff::Timestamp::from_second(i64::try_from(now).unwrap_or(i64::MAX)) else {
            return false;
        };
        let local = now.to_zoned(zone);
        let minute =
            u32::from(local.hour().unsigned_abs()) * 60 + u32::from(local.minute().unsigned_abs());
        let day = usize::from(local.weekday().to_monday_zero_offset().unsigned_abs());
        let on = |d: usize| {
            DAYS.get(d)
                .is_some_and(|name| self.days.iter().any(|x| x == name))
        };
        if start < end {
            on(day) && (start..end).contains(&minute)
        } else {
            // Past midnight: the evening of a listed day, or the morning after one.
            (on(day) && minute >= start) || (on((day + 6) % 7) && minute < end)
        }
    }
}

impl Policy {
    /// Checks every field; the error names the field (and the window).
    pub fn validate(&self) -> Result<(), String> {
        if self.delay_hours > MAX_DELAY_HOURS {
            return Err(format!(
                "`delay_hours` is {}; it may be 0 to {MAX_DELAY_HOURS}",
                self.delay_hours
            ));
        }
        if let Some(ring) = &self.ring {
            if ring.is_empty() {
                return Err("`ring` is empty; leave it out to let the cohort bucket decide".into());
            }
        }
        if self.pin == Some(Pin::Version(0)) {
            return Err("`pin` version 0: content versions start at 1".into());
        }
        for (i, w) in self.windows.iter().enumerate() {
            w.validate(&format!("window {}", i + 1))?;
        }
        Ok(())
    }

    /// Whether the policy pauses releases of `category`.
    pub fn pauses(&self, category: Category) -> bool {
        self.pause && category.pausable() && !self.never_pause.contains(&category)
    }

    /// Whether `now` is inside a maintenance window (always, without windows).
    pub fn in_window(&self, now: u64) -> bool {
        self.windows.is_empty() || self.windows.iter().any(|w| w.contains(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(days: &[&str], start: &str, end: &str, tz: &str) -> Window {
        Window {
            days: days.iter().map(|d| d.to_string()).collect(),
            start: start.into(),
            end: end.into(),
            time_zone: tz.into(),
        }
    }

    /// 2026-12-05 (a Saturday) at `h:m` UTC.
    fn saturday_utc(h: u64, m: u64) -> u64 {
        1_796_428_800 + h * 3600 + m * 60
    }

    #[test]
    fn windows_follow_the_local_clock_of_their_time_zone() {
        let w = window(&["fri"], "02:00", "04:00", "UTC");
        assert!(w.contains(saturday_utc(0, 0) - 86_400 + 2 * 3600));
        assert!(!w.contains(saturday_utc(0, 0) - 86_400 + 4 * 3600));
        // 02:00 to 04:00 in Berlin (UTC+1 in December) is 01:00 to 03:00 UTC.
        let berlin = window(&["fri"], "02:00", "04:00", "Europe/Berlin");
        assert!(berlin.contains(saturday_utc(0, 0) - 86_400 + 3600));
        assert!(!berlin.contains(saturday_utc(0, 0) - 86_400 + 3 * 3600));
    }

    #[test]
    fn a_window_past_midnight_belongs_to_the_day_it_starts() {
        let w = window(&["fri"], "22:00", "02:00", "UTC");
        assert!(w.contains(saturday_utc(0, 0) - 3600), "Friday 23:00");
        assert!(
            w.contains(saturday_utc(1, 0)),
            "Saturday 01:00, Friday's window"
        );
        assert!(!w.contains(saturday_utc(2, 0)));
        assert!(
            !w.contains(saturday_utc(23, 0)),
            "Saturday evening is not Friday's"
        );
    }

    #[test]
    fn bad_policies_name_the_field() {
        let bad = |p: Policy| p.validate().unwrap_err();
        assert!(bad(Policy {
            delay_hours: 73,
            ..Policy::default()
        })
        .contains("`delay_hours` is 73"));
        assert!(bad(Policy {
            pin: Some(Pin::Version(0)),
            ..Policy::default()
        })
        .contains("`pin`"));
        let w = |w: Window| {
            bad(Policy {
                windows: vec![w],
                ..Policy::default()
            })
        };
        assert!(w(window(&["fri"], "25:00", "02:00", "UTC")).contains("window 1: `start` `25:00`"));
        assert!(w(window(&["friday"], "01:00", "02:00", "UTC")).contains("day `friday`"));
        assert!(w(window(&["fri"], "01:00", "02:00", "Mars/Olympus")).contains("Mars/Olympus"));
        assert!(w(window(&[], "01:00", "02:00", "UTC")).contains("`days` is empty"));
        assert!(w(window(&["fri"], "01:00", "01:00", "UTC")).contains("must have a length"));
    }

    #[test]
    fn system_critical_content_is_never_paused() {
        let p = Policy {
            pause: true,
            never_pause: vec![Category::VulnerabilityManagement],
            ..Policy::default()
        };
        assert!(!p.pauses(Category::SystemCritical));
        assert!(!p.pauses(Category::VulnerabilityManagement));
        assert!(p.pauses(Category::RapidResponse));
    }
}
