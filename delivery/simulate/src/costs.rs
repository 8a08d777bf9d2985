//! What evaluation costs on the simulated fleet (issue 18), and the gate's cost
//! aggregate kept as summaries arrive. A host sends a cost summary beside every
//! `healthy` beacon, as the reference host does (`delivery/host/src/run.rs`); its p99
//! cost per event is the fleet's median for the content, times the host's own factor
//! (its event mix, fixed per host), an interval's noise and now and then a burst, and
//! the fault's `cost_factor` when it runs the release on the sensor the fault names.
//!
//! The aggregate is what `ward_health::costs` returns for the same summaries and
//! window: per host and version the bucket of its worst p99 so far in the window, per
//! version, ring and sensor the hosts per bucket. `check_aggregate` holds the two
//! together, as it does the crash rows.

use std::collections::BTreeMap;

use ward_health::cost::cost_bucket;
use ward_health::CostRow;

use crate::rng::{unit, Salt};
use crate::scenario::Costs;
use crate::tally::VERSIONS;

/// No summary from the host about the version in the window yet.
const NONE: u16 = u16::MAX;
/// Bursts cost this many times the usual (the recorded cost streams' figure).
const BURST: f64 = 4.0;
/// Events per summary, and heap the channel holds: constants, since the gate judges
/// neither (the summaries carry them for the operator).
pub const EVENTS: u64 = 100_000;
pub const MEMORY_BYTES: u64 = 256 * 1024;

/// A standard normal draw (Box-Muller over two uniform draws).
fn normal(seed: u64, host: u32, salt: Salt, k: u32) -> f64 {
    let u1 = 1.0 - unit(seed, host, salt, k);
    let u2 = unit(seed, host, salt, k ^ 0x8000_0000);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The p99 cost per event a host reports for the interval ending at `at`: `factor` is
/// the release's cost against N on the host's sensor (1 for N itself).
pub fn p99(model: &Costs, seed: u64, host: u32, at: u32, factor: f64) -> u64 {
    let own = (model.host_spread * normal(seed, host, Salt::CostHost, 0)).exp();
    let noise = (model.interval_spread * normal(seed, host, Salt::CostInterval, at)).exp();
    let burst = if unit(seed, host, Salt::CostBurst, at) < model.burst_share {
        BURST
    } else {
        1.0
    };
    (model.p99_units * own * noise * burst * factor).round() as u64
}

#[derive(Debug)]
pub struct CostTally {
    /// Per host, per version: its worst bucket in the window, or [`NONE`].
    worst: Vec<[u16; 2]>,
    rings: usize,
    sensors: usize,
    /// Per version, ring and sensor: hosts per bucket, and events.
    slots: Vec<(BTreeMap<u32, u64>, u64)>,
}

impl CostTally {
    pub fn new(hosts: usize, rings: usize, sensors: usize) -> CostTally {
        let rings = rings.max(1);
        CostTally {
            worst: vec![[NONE; 2]; hosts],
            rings,
            sensors,
            slots: vec![(BTreeMap::new(), 0); 2 * rings * sensors],
        }
    }

    /// A new window: nothing summarised before it counts.
    pub fn restart(&mut self) {
        self.worst.iter_mut().for_each(|w| *w = [NONE; 2]);
        self.slots
            .iter_mut()
            .for_each(|s| *s = (BTreeMap::new(), 0));
    }

    /// A summary that reached the collector: `version` is an index into [`VERSIONS`].
    pub fn add(&mut self, host: u32, version: usize, ring: usize, sensor: usize, p99: u64) {
        let slot = (version * self.rings + ring) * self.sensors + sensor;
        let (Some(worst), Some((buckets, total))) = (
            self.worst
                .get_mut(host as usize)
                .and_then(|w| w.get_mut(version)),
            self.slots.get_mut(slot),
        ) else {
            return;
        };
        *total = total.saturating_add(EVENTS);
        let bucket = u16::try_from(cost_bucket(p99)).unwrap_or(NONE - 1);
        if *worst != NONE && *worst >= bucket {
            return;
        }
        if *worst != NONE {
            if let Some(n) = buckets.get_mut(&u32::from(*worst)) {
                *n -= 1;
                if *n == 0 {
                    buckets.remove(&u32::from(*worst));
                }
            }
        }
        *worst = bucket;
        *buckets.entry(u32::from(bucket)).or_default() += 1;
    }

    /// The rows, in `ward_health::costs`'s order (version, ring name, sensor name).
    pub fn rows(&self, ring_names: &[String], sensor_names: &[String]) -> Vec<CostRow> {
        let mut rows = Vec::new();
        for (v, version) in VERSIONS.iter().enumerate() {
            for (r, ring) in ring_names.iter().enumerate().take(self.rings) {
                for (s, sensor) in sensor_names.iter().enumerate().take(self.sensors) {
                    let Some((buckets, events)) =
                        self.slots.get((v * self.rings + r) * self.sensors + s)
                    else {
                        continue;
                    };
                    let hosts: u64 = buckets.values().sum();
                    if hosts > 0 {
                        rows.push(CostRow {
                            version: *version,
                            ring: ring.clone(),
                            sensor: sensor.clone(),
                            hosts,
                            events: *events,
                            memory_max: MEMORY_BYTES,
                            p99_hosts: buckets.iter().map(|(b, n)| (*b, *n)).collect(),
                        });
                    }
                }
            }
        }
        rows.sort_by(|a, b| (a.version, &a.ring, &a.sensor).cmp(&(b.version, &b.ring, &b.sensor)));
        rows
    }
}
