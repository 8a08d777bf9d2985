//! A seeded fleet that makes beacon streams: the ring's hosts taking the release and
//! the baseline hosts still on the version before, per sensor, with the bad rates,
//! silences and noise a scenario asks for. The recorded streams under tests/data were
//! made by it (`WARD_BLESS=1 cargo test -p ward-health --test streams` writes them
//! again), and the false-halt measurement draws many streams from it.

use ward_health::{Beacon, Kind, Record};

/// SplitMix64: small, seeded, good enough for fleets of test hosts.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// The hosts of one sensor.
#[derive(Debug, Clone)]
pub struct Sensor {
    pub name: &'static str,
    pub release_hosts: u64,
    pub baseline_hosts: u64,
    /// Chance a host has a crash in the window, on each version.
    pub release_bad: f64,
    pub baseline_bad: f64,
    /// Chance a release host goes silent after it activates (offline, or dead).
    pub release_silent: f64,
}

/// A stream to make.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub seed: u64,
    pub sensors: Vec<Sensor>,
    /// Length of the stream in seconds from the ring's start.
    pub duration: u64,
    /// Chance each beacon is sent (and so recorded) twice.
    pub duplicates: f64,
    /// Host clocks are off by up to this many seconds either way.
    pub skew: u64,
}

/// The ring's start in every stream.
pub const START: u64 = 1_764_000_000;
/// The ring, the release and the version it replaces.
pub const RING: &str = "canary";
pub const RELEASE: u64 = 2;
pub const BASELINE: u64 = 1;
/// A host reports healthy this long after it activates, then every heartbeat.
pub const SETTLE: u64 = 600;
pub const HEARTBEAT: u64 = 4 * 3600;

/// The records of a scenario, in the order they happen.
pub fn stream(s: &Scenario) -> Vec<Record> {
    let mut rng = Rng::new(s.seed);
    let mut out = Vec::new();
    let mut host_no = 0u64;
    for sensor in &s.sensors {
        for on_release in [true, false] {
            let hosts = if on_release {
                sensor.release_hosts
            } else {
                sensor.baseline_hosts
            };
            for _ in 0..hosts {
                host_no += 1;
                let host = Host {
                    id: format!("h{host_no:07}"),
                    sensor: sensor.name,
                    version: if on_release { RELEASE } else { BASELINE },
                    ring: if on_release { RING } else { "general" },
                    skew: rng.below(2 * s.skew + 1) as i64 - s.skew as i64,
                };
                let events = if on_release {
                    release_host(&mut rng, sensor, s.duration)
                } else {
                    baseline_host(&mut rng, sensor, s.duration)
                };
                for (kind, offset) in events {
                    let record = host.record(&mut rng, kind, offset);
                    if rng.chance(s.duplicates) {
                        out.push(record.clone());
                    }
                    out.push(record);
                }
            }
        }
    }
    out.sort_by_key(|r| r.beacon.at);
    out
}

struct Host {
    id: String,
    sensor: &'static str,
    version: u64,
    ring: &'static str,
    skew: i64,
}

impl Host {
    fn record(&self, rng: &mut Rng, kind: Kind, offset: u64) -> Record {
        Record {
            host: self.id.clone(),
            beacon: Beacon {
                id: format!("{:016x}", rng.next()),
                kind,
                at: (START + offset).saturating_add_signed(self.skew),
                channel: 1,
                version: self.version,
                ring: self.ring.into(),
                sensor: self.sensor.into(),
            },
        }
    }
}

/// A ring host: activates in the first hour. With the release's extra bad chance (its
/// rate past the baseline's) it crashes within five minutes, twice, and its guard rolls
/// the release back; with the baseline's chance it crashes at the baseline's pace (the
/// same for both groups, so an identical release looks identical); else it goes
/// silent, or reports healthy after the settle time and at each heartbeat.
fn release_host(rng: &mut Rng, s: &Sensor, duration: u64) -> Vec<(Kind, u64)> {
    let activated = rng.below(3600);
    let mut events = vec![(Kind::Activated, activated)];
    let extra = (s.release_bad - s.baseline_bad).max(0.0);
    let crash = if rng.chance(extra) {
        Some(activated + 1 + rng.below(300))
    } else {
        background_crash(rng, s.baseline_bad, activated, duration)
    };
    if let Some(crash) = crash {
        events.push((Kind::Crashed, crash));
        events.push((Kind::Crashed, crash + 30));
        events.push((Kind::RolledBack, crash + 31));
    }
    if !rng.chance(s.release_silent) {
        let mut at = activated + SETTLE + rng.below(120);
        while at < duration && crash.is_none_or(|c| at < c) {
            events.push((Kind::Healthy, at));
            at += HEARTBEAT;
        }
    }
    events.retain(|&(_, at)| at < duration);
    events
}

/// A baseline host: first seen in the first hour like a ring host, then a heartbeat
/// each interval, and a crash at the baseline's pace.
fn baseline_host(rng: &mut Rng, s: &Sensor, duration: u64) -> Vec<(Kind, u64)> {
    let first = rng.below(3600);
    let mut events = Vec::new();
    let mut at = first;
    while at < duration {
        events.push((Kind::Healthy, at));
        at += HEARTBEAT;
    }
    if let Some(crash) = background_crash(rng, s.baseline_bad, first, duration) {
        events.push((Kind::Crashed, crash));
    }
    events.retain(|&(_, at)| at < duration);
    events
}

/// With chance `bad`, a crash at a uniform time in the stream's length after `from`.
fn background_crash(rng: &mut Rng, bad: f64, from: u64, duration: u64) -> Option<u64> {
    rng.chance(bad).then(|| from + rng.below(duration))
}
