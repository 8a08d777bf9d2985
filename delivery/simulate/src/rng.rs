//! Deterministic random numbers without state: every draw is a hash (splitmix64) of the
//! seed, the host and what the draw is for, so a host's draws do not depend on the order
//! in which the simulation visits hosts, and a seed replays the same run.

/// What a draw is for, so two draws about one host are independent.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub enum Salt {
    Id0 = 1,
    Id1,
    Sensor,
    Group,
    Server,
    Zone,
    Workday,
    Phase,
    Heartbeat,
    Doomed,
    Background,
    BackgroundAt,
    Poll,
    PollFails,
    Restart,
    Beacon,
    BeaconRetry,
    CostHost,
    CostInterval,
    CostBurst,
}

/// splitmix64's finaliser.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform 64-bit draw for `host`, `salt` and a counter `k`.
pub fn draw(seed: u64, host: u32, salt: Salt, k: u32) -> u64 {
    mix(
        mix(seed ^ (salt as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93))
            ^ (u64::from(host) << 32 | u64::from(k)),
    )
}

/// A uniform draw in `[0, 1)`.
pub fn unit(seed: u64, host: u32, salt: Salt, k: u32) -> f64 {
    (draw(seed, host, salt, k) >> 11) as f64 / (1u64 << 53) as f64
}

/// A uniform draw in `[lo, hi]`.
pub fn between(seed: u64, host: u32, salt: Salt, k: u32, [lo, hi]: [u32; 2]) -> u32 {
    let span = u64::from(hi.saturating_sub(lo)) + 1;
    lo.saturating_add(u32::try_from(draw(seed, host, salt, k) % span).unwrap_or(0))
}
