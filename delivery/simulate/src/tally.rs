//! The gate's aggregate, kept as beacons arrive instead of recomputed from every beacon
//! at every look: per host and version what it said in the window (four bits), and per
//! version, ring and sensor the counts of distinct hosts. A host's contribution is
//! taken out and put back when what it said changes. The rows are what
//! `ward_health::aggregate` returns for the same beacons and window; a differential
//! test (and the `check_aggregate` option) holds the two together.

use ward_health::{Counts, Kind, Row};

const ACTIVATED: u8 = 1;
const HEALTHY: u8 = 2;
const CRASHED: u8 = 4;
const ROLLED_BACK: u8 = 8;

/// Versions the simulation knows: N-1 (index 0) and the release N (index 1).
pub const VERSIONS: [u64; 2] = [1, 2];

#[derive(Debug)]
pub struct Tally {
    /// Beacons before this time (seconds since the epoch) are outside the window.
    pub since: u64,
    /// Per host: low nibble what it said about N-1, high nibble about N.
    said: Vec<u8>,
    rings: usize,
    sensors: usize,
    counts: Vec<Counts>,
}

fn bit(kind: Kind) -> u8 {
    match kind {
        Kind::Activated => ACTIVATED,
        Kind::Healthy => HEALTHY,
        Kind::Crashed => CRASHED,
        Kind::RolledBack => ROLLED_BACK,
    }
}

/// One host's contribution, as `ward_health::aggregate` counts it.
fn contribution(said: u8) -> Counts {
    let bad = said & (CRASHED | ROLLED_BACK) != 0;
    let one = |yes: bool| u64::from(yes);
    Counts {
        reporting: one(said != 0),
        healthy: one(said & HEALTHY != 0 && !bad),
        crashed: one(said & CRASHED != 0),
        rolled_back: one(said & ROLLED_BACK != 0),
        bad: one(bad),
        silent: one(said & ACTIVATED != 0 && said & HEALTHY == 0 && !bad),
    }
}

fn sub(a: Counts, b: Counts) -> Counts {
    Counts {
        reporting: a.reporting.saturating_sub(b.reporting),
        healthy: a.healthy.saturating_sub(b.healthy),
        crashed: a.crashed.saturating_sub(b.crashed),
        rolled_back: a.rolled_back.saturating_sub(b.rolled_back),
        bad: a.bad.saturating_sub(b.bad),
        silent: a.silent.saturating_sub(b.silent),
    }
}

impl Tally {
    pub fn new(hosts: usize, rings: usize, sensors: usize, since: u64) -> Tally {
        Tally {
            since,
            said: vec![0; hosts],
            rings: rings.max(1),
            sensors,
            counts: vec![Counts::default(); 2 * rings.max(1) * sensors],
        }
    }

    /// A new window from `since`: nothing said before it counts.
    pub fn restart(&mut self, since: u64) {
        self.since = since;
        self.said.iter_mut().for_each(|s| *s = 0);
        self.counts.iter_mut().for_each(|c| *c = Counts::default());
    }

    fn slot(&self, version: usize, ring: usize, sensor: usize) -> usize {
        (version * self.rings + ring) * self.sensors + sensor
    }

    /// A beacon that reached the collector: `version` is an index into [`VERSIONS`].
    pub fn add(
        &mut self,
        host: u32,
        version: usize,
        ring: usize,
        sensor: usize,
        kind: Kind,
        at: u64,
    ) {
        if at < self.since {
            return;
        }
        let slot = self.slot(version, ring, sensor);
        let shift = 4 * version as u32;
        let Some(said) = self.said.get_mut(host as usize) else {
            return;
        };
        let old = (*said >> shift) & 15;
        let new = old | bit(kind);
        if new == old {
            return;
        }
        *said = (*said & !(15 << shift)) | new << shift;
        if let Some(c) = self.counts.get_mut(slot) {
            *c = sub(*c, contribution(old)) + contribution(new);
        }
    }

    /// The rows, in `ward_health::aggregate`'s order (version, ring name, sensor name).
    pub fn rows(&self, ring_names: &[String], sensor_names: &[String]) -> Vec<Row> {
        let mut rows = Vec::new();
        for (v, version) in VERSIONS.iter().enumerate() {
            for (r, ring) in ring_names.iter().enumerate().take(self.rings) {
                for (s, sensor) in sensor_names.iter().enumerate().take(self.sensors) {
                    let counts = self
                        .counts
                        .get(self.slot(v, r, s))
                        .copied()
                        .unwrap_or_default();
                    if counts.reporting > 0 {
                        rows.push(Row {
                            version: *version,
                            ring: ring.clone(),
                            sensor: sensor.clone(),
                            counts,
                        });
                    }
                }
            }
        }
        rows.sort_by(|a, b| (a.version, &a.ring, &a.sensor).cmp(&(b.version, &b.ring, &b.sensor)));
        rows
    }
}
