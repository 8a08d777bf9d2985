//! When to poll next: the configured interval with uniform jitter in steady state, and
//! after failures exponential backoff with full jitter (a uniform delay in
//! `[0, min(cap, base * 2^failures)]`), so a fleet that lost the origin at the same
//! moment does not come back at the same moment.

use std::time::Duration;

/// A polling schedule. Pure: the random numbers come in, so tests can drive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Steady-state interval between polls.
    pub interval: Duration,
    /// Jitter as a share of the interval, in per mille (100 = plus or minus 10%).
    pub jitter_permille: u32,
    /// First backoff after a failure.
    pub backoff_base: Duration,
    /// Longest backoff.
    pub backoff_cap: Duration,
}

impl Default for Schedule {
    /// Every 5 minutes plus or minus 10%; backoff from 30 s up to 1 hour.
    fn default() -> Schedule {
        Schedule {
            interval: Duration::from_secs(300),
            jitter_permille: 100,
            backoff_base: Duration::from_secs(30),
            backoff_cap: Duration::from_secs(3600),
        }
    }
}

impl Schedule {
    /// The delay before the next poll, after `failures` consecutive failed polls (0: the
    /// last one succeeded), given a uniformly random `random`.
    pub fn next_delay(&self, failures: u32, random: u64) -> Duration {
        if failures == 0 {
            let interval = self.interval.as_millis().min(u128::from(u64::MAX / 4)) as u64;
            let spread = interval.saturating_mul(u64::from(self.jitter_permille)) / 1000;
            let offset = random % (2 * spread + 1);
            return Duration::from_millis(interval.saturating_sub(spread).saturating_add(offset));
        }
        let base = self.backoff_base.as_millis().min(u128::from(u64::MAX)) as u64;
        let cap = self.backoff_cap.as_millis().min(u128::from(u64::MAX)) as u64;
        let ceiling = base
            .saturating_mul(1u64 << failures.saturating_sub(1).min(62))
            .min(cap);
        Duration::from_millis(random % (ceiling + 1))
    }
}

/// A uniformly random number from the operating system (0 if it has none, which only
/// removes the jitter).
pub fn random() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_state_stays_within_the_jitter() {
        let s = Schedule::default();
        for r in [0, 1, 29_999, 30_000, 60_000, u64::MAX] {
            let d = s.next_delay(0, r);
            assert!(
                d >= Duration::from_secs(270) && d <= Duration::from_secs(330),
                "{d:?}"
            );
        }
        assert_eq!(s.next_delay(0, 0), Duration::from_secs(270));
        assert_eq!(s.next_delay(0, 60_000), Duration::from_secs(330));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_full_jitter() {
        let s = Schedule::default();
        let max = |failures| s.next_delay(failures, u64::MAX - 1);
        let ceiling = |failures: u32| Duration::from_secs((30u64 << (failures - 1)).min(3600));
        for failures in 1..=12 {
            assert!(max(failures) <= ceiling(failures));
            // The top of the range is reachable: it is full jitter, not a fixed step.
            let top = ceiling(failures).as_millis() as u64;
            assert_eq!(s.next_delay(failures, top), ceiling(failures));
            assert_eq!(s.next_delay(failures, top + 1), Duration::ZERO);
        }
        assert_eq!(s.next_delay(100, 3_600_000), Duration::from_secs(3600));
    }
}
