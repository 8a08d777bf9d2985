//! The discrete-event loop. Each simulated second: new rollout states the CDN now
//! serves, beacons reaching the collector, host events (polls, sensor starts, settle
//! times, heartbeats, going on- and offline), then, on its minute, the controller.
//!
//! Every decision is the shipped function (DESIGN.md invariant 8): a host's poll
//! delay is `ward_updater::schedule::Schedule::next_delay`, whether it takes the
//! release is `ward_rollout::decide`, its ring `ward_rollout::decide::host_ring`, its
//! sensor start `ward_store::on_start` with `DEFAULT_POLICY`, the controller's verdict
//! `ward_health::decide_health` (crashes, and the cost summaries hosts send with their
//! `healthy` beacons, with the plan's cost margin) and its transitions
//! `Release::{advance, halt}`.
//!
//! One shortcut makes ten million hosts fit in minutes: a poll is an event only when
//! its outcome can differ from the host's last one (a new rollout state is served, a
//! policy's delay or window ends, the poll before it failed). Every other poll still
//! happens, with its own `next_delay` and its requests to the origin, when the host is
//! next visited ("forwarded"). [`Mode::EveryPoll`] makes every poll an event and calls
//! `decide` at each; a differential test holds the two modes to the same run.

use std::time::Duration;

use ward_health::cost::{Summary, SummaryRecord};
use ward_health::{
    decide_health, CostEvidence, Evidence, Figures, Kind as Beacon, Record, Verdict,
};
use ward_rollout::decide::host_ring;
use ward_rollout::{decide, Decision, HostId, HostView, Offer, Plan, Policy, Release, Stay};
use ward_store::{on_start, Verdict as Guard, Watch, DEFAULT_POLICY};
use ward_updater::schedule::Schedule;

use crate::costs::{self, CostTally};
use crate::queue::{Event, Kind, Queue};
use crate::report::{Outcome, Run};
use crate::rng::{between, draw, unit, Salt};
use crate::scenario::{FaultKind, Outage, Scenario};
use crate::tally::Tally;

/// Monday 2026-12-07 00:00 UTC: the simulation's second 0 (windows and time zones are
/// read against it).
pub const EPOCH: u64 = 1_796_601_600;
const DAY: u32 = 86_400;
/// The settle time and heartbeat of `docs/delivery.md`, "Beacons".
const SETTLE: u32 = 600;
const HEARTBEAT: u32 = 4 * 3600;

/// How polls are simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only polls whose outcome can change are events (the default).
    Lazy,
    /// Every poll is an event and calls `decide`: the reference for the shortcut.
    EveryPoll,
}

/// How a run is made.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub hosts: u32,
    pub seed: u64,
    pub mode: Mode,
    /// At every look of the gate, also compute `ward_health::aggregate` over every
    /// beacon received and count where it differs from the incremental rows (small
    /// fleets only: it keeps every beacon).
    pub check_aggregate: bool,
    /// Play the release with no plan, halted by an operator after the scenario's
    /// `no_rings_halt_minutes` (the July 2024 way).
    pub no_rings: bool,
}

// Host flags.
const ONLINE: u16 = 1;
const QUEUED: u16 = 2;
const QUARANTINED: u16 = 4;
const EXPOSED: u16 = 8;
const CONFIRMED: u16 = 16;
const WATCHING: u16 = 32;
const RECOVERED: u16 = 64;
const SAW_HALT: u16 = 128;
const DOWN: u16 = 256;
const HB_QUEUED: u16 = 512;
const DOOMED: u16 = 1024;
const CRASHED_ON_IT: u16 = 2048;
const WAKE_QUEUED: u16 = 4096;

/// The fleet, one array per field (ten million hosts in about 300 MB).
#[derive(Debug)]
struct Hosts {
    flags: Vec<u16>,
    sensor: Vec<u8>,
    /// 0: no policy; else the group's index + 1.
    group: Vec<u8>,
    /// The content version the host runs (1 or 2).
    active: Vec<u8>,
    /// Its ring for the release (`host_ring`), once it has one.
    ring: Vec<u8>,
    /// The next poll not yet made, its counter, and the failures before it.
    poll_at: Vec<u32>,
    poll_k: Vec<u32>,
    failures: Vec<u8>,
    /// Whether it fetched the snapshot and targets of the release yet.
    seen_meta: Vec<bool>,
    /// The watch of the crash-loop guard: activation time and starts counted.
    watch_at: Vec<u32>,
    watch_starts: Vec<u32>,
    /// When its sensor last started.
    up_at: Vec<u32>,
}

/// A beacon on its way to the collector.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    host: u32,
    at: u32,
    version: u8,
    kind: Beacon,
}

/// A rollout state the controller signed, served from `visible_at`.
#[derive(Debug)]
struct Signed {
    visible_at: u32,
    release: Release,
}

struct Sim<'a> {
    sc: &'a Scenario,
    opt: Options,
    plan: Option<Plan>,
    policies: Vec<Policy>,
    schedule: Schedule,
    horizon: u32,
    h: Hosts,
    events: Queue<Event>,
    beacons: Queue<InFlight>,
    /// The controller's state, what the CDN serves, and what is signed but not served.
    release: Option<Release>,
    served: Option<Release>,
    signed: Vec<Signed>,
    published: bool,
    /// When the CDN first serves the release's snapshot and targets.
    meta_at: u32,
    tally: Tally,
    /// The cost aggregate, and the release's cost against N's per sensor.
    costs: CostTally,
    cost_factors: Vec<f64>,
    /// The cost test's settings: the defaults with the plan's margin.
    cost_evidence: CostEvidence,
    ring_names: Vec<String>,
    sensor_names: Vec<String>,
    /// Every beacon and summary received, for `check_aggregate`.
    records: Vec<Record>,
    summaries: Vec<SummaryRecord>,
    /// Per group, per minute: whether its windows are open (computed once, by
    /// `Policy::in_window`).
    windows: Vec<Vec<Option<bool>>>,
    run: Run,
    origin: Vec<u32>,
    exposed_per_minute: Vec<u32>,
    halt_visible: Option<u32>,
    online_at_halt: u64,
    reach: Vec<u32>,
}

/// Runs the scenario.
pub fn simulate(sc: &Scenario, opt: Options) -> Outcome {
    let mut main = Sim::new(sc, opt);
    main.run_all();
    let mut outcome = main.finish();
    if sc.release.compare_no_rings && !opt.no_rings {
        let mut other = Sim::new(
            sc,
            Options {
                no_rings: true,
                ..opt
            },
        );
        other.run_all();
        outcome.no_rings = Some(Box::new(other.finish().run));
    }
    outcome
}

impl<'a> Sim<'a> {
    fn new(sc: &'a Scenario, opt: Options) -> Sim<'a> {
        let plan = if opt.no_rings {
            None
        } else {
            sc.plan().ok().flatten()
        };
        let horizon = (sc.duration_hours * 3600.0) as u32;
        let n = opt.hosts as usize;
        let mut schedule = Schedule::default();
        if let Some(i) = sc.origin.interval_secs {
            schedule.interval = Duration::from_secs(i);
        }
        let ring_names: Vec<String> = plan
            .as_ref()
            .map(|p| p.rings.iter().map(|r| r.name.clone()).collect())
            .unwrap_or_else(|| vec!["everyone".into()]);
        let sensor_names: Vec<String> = sc.sensors.iter().map(|s| s.name.clone()).collect();
        let minutes = horizon / 60 + 2;
        let mut sim = Sim {
            sc,
            opt,
            policies: sc.groups.iter().map(|g| g.policy.clone()).collect(),
            windows: sc
                .groups
                .iter()
                .map(|_| vec![None; minutes as usize])
                .collect(),
            tally: Tally::new(n, ring_names.len(), sensor_names.len(), EPOCH),
            costs: CostTally::new(n, ring_names.len(), sensor_names.len()),
            cost_factors: sc
                .sensors
                .iter()
                .map(|s| sc.fault.cost_factor(&s.name))
                .collect(),
            cost_evidence: CostEvidence::for_margin(plan.as_ref().and_then(|p| p.cost_margin_pct)),
            plan,
            schedule,
            horizon,
            h: Hosts {
                flags: vec![0; n],
                sensor: vec![0; n],
                group: vec![0; n],
                active: vec![1; n],
                ring: vec![u8::MAX; n],
                poll_at: vec![0; n],
                poll_k: vec![0; n],
                failures: vec![0; n],
                seen_meta: vec![false; n],
                watch_at: vec![0; n],
                watch_starts: vec![0; n],
                up_at: vec![0; n],
            },
            events: Queue::new(horizon),
            beacons: Queue::new(horizon),
            release: None,
            served: None,
            signed: Vec::new(),
            published: false,
            meta_at: u32::MAX,
            ring_names,
            sensor_names,
            records: Vec::new(),
            summaries: Vec::new(),
            run: Run::default(),
            origin: vec![0; horizon as usize + 1],
            exposed_per_minute: vec![0; minutes as usize],
            halt_visible: None,
            online_at_halt: 0,
            reach: Vec::new(),
        };
        sim.populate();
        sim
    }

    fn draw(&self, host: u32, salt: Salt, k: u32) -> u64 {
        draw(self.opt.seed, host, salt, k)
    }

    fn unit(&self, host: u32, salt: Salt, k: u32) -> f64 {
        unit(self.opt.seed, host, salt, k)
    }

    /// Picks an index by cumulative shares; `None` past the last share.
    fn pick(u: f64, shares: impl Iterator<Item = f64>) -> Option<usize> {
        let mut sum = 0.0;
        for (i, s) in shares.enumerate() {
            sum += s;
            if u < sum {
                return Some(i);
            }
        }
        None
    }

    /// The workstation's online stretch each day: (start, length) in UTC seconds of day;
    /// `None` for a server.
    fn workday(&self, host: u32) -> Option<(u32, u32)> {
        let f = &self.sc.fleet;
        if self.unit(host, Salt::Server, 0) < f.servers_share {
            return None;
        }
        let zones = f.time_zones.len().max(1) as u64;
        let zone = f
            .time_zones
            .get((self.draw(host, Salt::Zone, 0) % zones) as usize)
            .copied()
            .unwrap_or(0);
        let local = f.workday_start * 3600.0 + (self.unit(host, Salt::Workday, 0) - 0.5) * 7200.0;
        let utc = (local as i64 - i64::from(zone) * 3600).rem_euclid(i64::from(DAY));
        Some((utc as u32, (f.workday_hours * 3600.0) as u32))
    }

    /// Whether a workstation is online at `t`, and when that next changes.
    fn online_at(&self, host: u32, t: u32) -> (bool, u32) {
        match self.workday(host) {
            None => (true, u32::MAX),
            Some((_, len)) if len >= DAY => (true, u32::MAX),
            Some((_, 0)) => (false, u32::MAX),
            Some((start, len)) => {
                let (t, start, len, day) = (
                    i64::from(t),
                    i64::from(start),
                    i64::from(len),
                    i64::from(DAY),
                );
                let today = t - t % day;
                // The stretch that began yesterday or today may cover t.
                for begin in [today - day + start, today + start] {
                    if (begin..begin + len).contains(&t) {
                        return (true, u32::try_from(begin + len).unwrap_or(u32::MAX));
                    }
                }
                let next = if t < today + start {
                    today + start
                } else {
                    today + day + start
                };
                (false, u32::try_from(next).unwrap_or(u32::MAX))
            }
        }
    }

    fn populate(&mut self) {
        let sc = self.sc;
        let interval = self.schedule.interval.as_secs().max(1);
        for host in 0..self.opt.hosts {
            let i = host as usize;
            let sensor = Sim::pick(
                self.unit(host, Salt::Sensor, 0),
                sc.sensors.iter().map(|s| s.share),
            )
            .unwrap_or(sc.sensors.len().saturating_sub(1));
            let group = Sim::pick(
                self.unit(host, Salt::Group, 0),
                sc.groups.iter().map(|g| g.share),
            )
            .map_or(0, |g| g + 1);
            let doomed = match sc.fault.kind {
                FaultKind::None | FaultKind::SlowChannel => false,
                FaultKind::CrashOnLoad => {
                    sc.fault.sensor.as_deref() == sc.sensors.get(sensor).map(|s| s.name.as_str())
                }
                FaultKind::CrashRate => self.unit(host, Salt::Doomed, 0) < sc.fault.rate,
            };
            self.h.sensor[i] = sensor as u8;
            self.h.group[i] = group as u8;
            if doomed {
                self.h.flags[i] |= DOOMED;
            }
            let days = f64::from(self.horizon) / f64::from(DAY);
            if self.unit(host, Salt::Background, 0) < sc.fleet.background_crash_per_day * days {
                let at = (self.draw(host, Salt::BackgroundAt, 0) % u64::from(self.horizon.max(1)))
                    as u32;
                self.events.push(at, Event::new(host, Kind::Crash));
            }
            let (online, change) = self.online_at(host, 0);
            if online {
                self.h.flags[i] |= ONLINE;
                self.h.poll_at[i] = (self.draw(host, Salt::Phase, 0) % interval) as u32;
                self.queue_heartbeat(host, 0);
                if self.opt.mode == Mode::EveryPoll {
                    self.queue_poll(host);
                }
                if change != u32::MAX {
                    self.events.push(change, Event::new(host, Kind::Offline));
                }
            } else if change != u32::MAX {
                self.events.push(change, Event::new(host, Kind::Online));
            }
        }
    }

    fn run_all(&mut self) {
        let publish = (self.sc.release.publish_at_hours * 3600.0) as u32;
        let halt_at = if self.opt.no_rings {
            Some(publish + (self.sc.release.no_rings_halt_minutes * 60.0) as u32)
        } else {
            self.sc
                .release
                .operator_halt_hours
                .map(|h| (h * 3600.0) as u32)
        };
        let every = self.sc.release.gate_every_secs;
        for t in 0..=self.horizon {
            if t == publish {
                self.publish(t);
            }
            if Some(t) == halt_at {
                self.operator_halt(t);
            }
            self.serve(t);
            for b in self.beacons.take(t) {
                self.receive(b);
            }
            loop {
                let batch = self.events.take(t);
                if batch.is_empty() {
                    break;
                }
                for e in batch {
                    self.handle(e, t);
                }
            }
            if self.published && t % every == 0 {
                self.gate(t);
            }
            if t % 60 == 59 {
                if let Some(m) = self.exposed_per_minute.get_mut((t / 60) as usize) {
                    *m = u32::try_from(self.run.exposed).unwrap_or(u32::MAX);
                }
            }
        }
        // Every poll up to the end is made, for the origin's figures.
        for host in 0..self.opt.hosts {
            if self.flag(host, ONLINE) && !self.flag(host, QUEUED) {
                self.forward(host, self.horizon + 1);
            }
        }
    }

    fn flag(&self, host: u32, f: u16) -> bool {
        self.h.flags.get(host as usize).is_some_and(|x| x & f != 0)
    }

    fn set(&mut self, host: u32, f: u16, on: bool) {
        if let Some(x) = self.h.flags.get_mut(host as usize) {
            if on {
                *x |= f;
            } else {
                *x &= !f;
            }
        }
    }

    // ---- the release and the controller ----

    fn publish(&mut self, t: u32) {
        self.published = true;
        self.meta_at = t + self.sc.release.cdn_secs;
        let release = Release::start(self.sc.channel_id, 2, EPOCH + u64::from(t));
        self.restart_window(t);
        self.sign(release, t);
    }

    fn sign(&mut self, release: Release, t: u32) {
        self.release = Some(release.clone());
        self.signed.push(Signed {
            visible_at: t + self.sc.release.cdn_secs,
            release,
        });
    }

    fn operator_halt(&mut self, t: u32) {
        if let Some(mut r) = self.release.clone() {
            if r.halt("operator: ward rollout halt", EPOCH + u64::from(t))
                .is_ok()
            {
                self.halted(t, "operator".into());
                self.sign(r, t);
            }
        }
    }

    fn halted(&mut self, t: u32, ring: String) {
        self.run.halted = true;
        self.run.halted_at_s = Some(t);
        self.run.halted_ring = Some(ring);
    }

    /// States the CDN starts serving at `t`; with the shortcut, every host that is not
    /// polling already gets its next poll queued, since that poll sees the change.
    fn serve(&mut self, t: u32) {
        let mut changed = false;
        while self.signed.first().is_some_and(|s| s.visible_at <= t) {
            let s = self.signed.remove(0);
            if s.release.status == ward_rollout::Status::Halted && self.halt_visible.is_none() {
                self.halt_visible = Some(t);
                self.online_at_halt = (0..self.opt.hosts)
                    .filter(|h| self.flag(*h, ONLINE))
                    .count() as u64;
            }
            self.served = Some(s.release);
            changed = true;
        }
        if changed && self.opt.mode == Mode::Lazy {
            for host in 0..self.opt.hosts {
                if self.flag(host, ONLINE) && !self.flag(host, QUEUED) {
                    self.forward(host, t);
                    self.queue_poll(host);
                }
            }
        }
    }

    /// The controller's look (`ward rollout watch`): the gate on the current ring, from
    /// the collector's aggregate since the ring started, then the signed transition.
    fn gate(&mut self, t: u32) {
        let (Some(plan), Some(release)) = (self.plan.as_ref(), self.release.as_ref()) else {
            return;
        };
        if release.status != ward_rollout::Status::Rolling || down(&self.sc.collector.outages, t) {
            return;
        }
        let Some(ring) = plan.rings.get(release.ring) else {
            return;
        };
        let gate_ring = ward_health::Ring {
            name: ring.name.clone(),
            started: release.ring_started(release.ring).unwrap_or(EPOCH),
            bake_secs: ring.bake_secs,
            min_hosts: ring.min_hosts,
        };
        let rows = self.tally.rows(&self.ring_names, &self.sensor_names);
        let costs = self.costs.rows(&self.ring_names, &self.sensor_names);
        if self.opt.check_aggregate {
            self.run.aggregate_checks += 1;
            let window = ward_health::Window {
                channel: self.sc.channel_id,
                since: self.tally.since,
                until: EPOCH + u64::from(t) + 1,
            };
            if ward_health::aggregate(&self.records, &window) != rows
                || ward_health::costs(&self.summaries, &window) != costs
            {
                self.run.aggregate_mismatches += 1;
            }
        }
        let now = EPOCH + u64::from(t);
        let figures = Figures {
            rows: &rows,
            costs: &costs,
        };
        let d = decide_health(
            &gate_ring,
            2,
            1,
            figures,
            now,
            &Evidence::default(),
            &self.cost_evidence,
        );
        let mut next = release.clone();
        match d.verdict {
            Verdict::Hold => {}
            Verdict::Advance => {
                if next.advance(plan, now).is_ok() {
                    self.run
                        .rings_opened
                        .push((next.ring_name(plan).unwrap_or_default().to_string(), t));
                    self.restart_window(t);
                    self.sign(next, t);
                }
            }
            Verdict::Halt => {
                if next.halt(&format!("gate: {}", d.reason), now).is_ok() {
                    self.halted(t, d.ring.clone());
                    self.run.halt_reason = Some(d.reason.to_string());
                    self.sign(next, t);
                }
            }
        }
    }

    /// A new window for the gate from `t` (a ring opened): nothing said before counts.
    fn restart_window(&mut self, t: u32) {
        self.tally.restart(EPOCH + u64::from(t));
        self.costs.restart();
    }

    // ---- beacons ----

    fn send(&mut self, host: u32, version: u8, kind: Beacon, at: u32) {
        let k = self.run.beacons as u32;
        self.run.beacons += 1;
        let mut arrive = at
            + between(
                self.opt.seed,
                host,
                Salt::Beacon,
                k,
                self.sc.fleet.beacon_delay_secs,
            );
        // The outbox retries with its own backoff (10 s doubling to 15 minutes).
        let retry = ward_updater::beacons::backoff();
        let mut failures = 0;
        while down(&self.sc.collector.outages, arrive) && arrive <= self.horizon {
            failures += 1;
            let d = retry.next_delay(
                failures,
                self.draw(host, Salt::BeaconRetry, k ^ failures << 24),
            );
            arrive += secs(d);
        }
        self.beacons.push(
            arrive,
            InFlight {
                host,
                at,
                version,
                kind,
            },
        );
    }

    fn receive(&mut self, b: InFlight) {
        let i = b.host as usize;
        let version = usize::from(b.version == 2);
        let last = self.ring_names.len().saturating_sub(1);
        let ring = if version == 1 {
            self.h
                .ring
                .get(i)
                .map_or(last, |r| usize::from(*r).min(last))
        } else {
            last
        };
        let sensor = self.h.sensor.get(i).map_or(0, |s| usize::from(*s));
        let at = EPOCH + u64::from(b.at);
        self.tally.add(b.host, version, ring, sensor, b.kind, at);
        // A host sends its cost summary in the batch of its `healthy` beacon.
        let p99 = (b.kind == Beacon::Healthy).then(|| {
            let factor = if version == 1 {
                self.cost_factors.get(sensor).copied().unwrap_or(1.0)
            } else {
                1.0
            };
            costs::p99(&self.sc.costs, self.opt.seed, b.host, b.at, factor)
        });
        if let Some(p99) = p99 {
            if at >= self.tally.since {
                self.costs.add(b.host, version, ring, sensor, p99);
            }
        }
        if self.opt.check_aggregate {
            let ring = self.ring_names.get(ring).cloned().unwrap_or_default();
            let sensor = self.sensor_names.get(sensor).cloned().unwrap_or_default();
            if let Some(p99) = p99 {
                self.summaries.push(SummaryRecord {
                    host: b.host.to_string(),
                    summary: Summary {
                        id: self.summaries.len().to_string(),
                        at,
                        channel: self.sc.channel_id,
                        version: u64::from(b.version),
                        ring: ring.clone(),
                        sensor: sensor.clone(),
                        interval_secs: u64::from(HEARTBEAT),
                        events: costs::EVENTS,
                        cost_p50: p99,
                        cost_p99: p99,
                        cost_max: p99,
                        nanos_mean: None,
                        memory_bytes: costs::MEMORY_BYTES,
                    },
                });
            }
            self.records.push(Record {
                host: b.host.to_string(),
                beacon: ward_health::Beacon {
                    id: self.records.len().to_string(),
                    kind: b.kind,
                    at,
                    channel: self.sc.channel_id,
                    version: u64::from(b.version),
                    ring,
                    sensor,
                },
            });
        }
    }

    // ---- hosts ----

    fn handle(&mut self, e: Event, t: u32) {
        let host = e.host();
        match e.kind() {
            Kind::Poll => self.poll(host, t),
            Kind::Wake => {
                self.set(host, WAKE_QUEUED, false);
                if self.flag(host, ONLINE) && !self.flag(host, QUEUED) {
                    self.forward(host, t);
                    self.queue_poll(host);
                }
            }
            Kind::Online => self.online(host, t),
            Kind::Offline => self.offline(host, t),
            Kind::Start => {
                if self.flag(host, ONLINE) && self.flag(host, DOWN) {
                    self.set(host, DOWN, false);
                    let v = self.h.active[host as usize];
                    self.send(host, v, Beacon::Crashed, t);
                    self.sensor_start(host, t);
                }
            }
            Kind::Settle => self.settle(host, t),
            Kind::Heartbeat => {
                self.set(host, HB_QUEUED, false);
                if self.flag(host, ONLINE) {
                    let v = self.h.active[host as usize];
                    let crash_looping = v == 2 && self.flag(host, DOOMED);
                    if !self.flag(host, DOWN) && !crash_looping {
                        self.send(host, v, Beacon::Healthy, t);
                    }
                    self.queue_heartbeat(host, t + 1);
                }
            }
            Kind::Crash => {
                if self.flag(host, ONLINE) && !self.flag(host, DOWN) {
                    self.die(host, t);
                }
            }
        }
    }

    fn queue_poll(&mut self, host: u32) {
        self.set(host, QUEUED, true);
        let at = self.h.poll_at[host as usize];
        self.events.push(at, Event::new(host, Kind::Poll));
    }

    /// A poll once `at` has come (a delay or a window ending).
    fn wake(&mut self, host: u32, at: u32) {
        if !self.flag(host, WAKE_QUEUED) {
            self.set(host, WAKE_QUEUED, true);
            self.events.push(at, Event::new(host, Kind::Wake));
        }
    }

    fn queue_heartbeat(&mut self, host: u32, from: u32) {
        if self.flag(host, HB_QUEUED) {
            return;
        }
        let phase = (self.draw(host, Salt::Heartbeat, 0) % u64::from(HEARTBEAT)) as u32;
        let next = from + (phase + HEARTBEAT - from % HEARTBEAT) % HEARTBEAT;
        self.set(host, HB_QUEUED, true);
        self.events.push(next, Event::new(host, Kind::Heartbeat));
    }

    /// Makes the host's polls before `until` that are not events: each with its own
    /// delay from the updater's schedule and its requests to the origin.
    fn forward(&mut self, host: u32, until: u32) {
        while self.h.poll_at[host as usize] < until {
            self.step(host);
        }
    }

    /// One poll at the host's `poll_at`: whether the origin answered; the next poll is
    /// scheduled by `Schedule::next_delay`.
    fn step(&mut self, host: u32) -> bool {
        let i = host as usize;
        let (t, k) = (self.h.poll_at[i], self.h.poll_k[i]);
        let fails = self
            .sc
            .origin
            .outages
            .iter()
            .find(|o| covers(o, t))
            .is_some_and(|o| self.unit(host, Salt::PollFails, k) < o.fail_share);
        let requests = if fails {
            self.h.failures[i] = self.h.failures[i].saturating_add(1);
            1
        } else {
            self.h.failures[i] = 0;
            // The next root's 404 and the timestamp (a 304 unless it changed); after a
            // publish, the new snapshot and targets too.
            if t >= self.meta_at && !self.h.seen_meta[i] {
                self.h.seen_meta[i] = true;
                4
            } else {
                2
            }
        };
        self.request(t, requests);
        let delay = self.schedule.next_delay(
            u32::from(self.h.failures[i]),
            self.draw(host, Salt::Poll, k),
        );
        self.h.poll_at[i] = t.saturating_add(secs(delay));
        self.h.poll_k[i] = k.wrapping_add(1);
        !fails
    }

    fn request(&mut self, t: u32, n: u32) {
        if let Some(o) = self.origin.get_mut(t as usize) {
            *o = o.saturating_add(n);
        }
    }

    fn host_id(&self, host: u32) -> HostId {
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&self.draw(host, Salt::Id0, 0).to_le_bytes());
        id[8..].copy_from_slice(&self.draw(host, Salt::Id1, 0).to_le_bytes());
        HostId(id)
    }

    fn poll(&mut self, host: u32, t: u32) {
        let i = host as usize;
        if !self.flag(host, ONLINE) || !self.flag(host, QUEUED) || self.h.poll_at[i] != t {
            return;
        }
        self.set(host, QUEUED, false);
        if !self.step(host) {
            self.queue_poll(host);
            return;
        }
        if self.halt_visible.is_some() && !self.flag(host, SAW_HALT) {
            self.set(host, SAW_HALT, true);
            self.reach.push(t - self.halt_visible.unwrap_or(t));
        }
        // Taken out for the call and put back: `decide` needs the rest of `self`.
        let served = self.served.take();
        let again = served
            .as_ref()
            .and_then(|release| self.decide(host, release, t));
        self.served = served;
        if self.opt.mode == Mode::EveryPoll {
            self.queue_poll(host);
        } else if let Some(at) = again {
            if at <= t {
                self.queue_poll(host);
            } else {
                self.wake(host, at);
            }
        }
    }

    /// `ward_rollout::decide` for the host, and what the host does; returns when its
    /// decision may change without a new state (a delay or a closed window).
    fn decide(&mut self, host: u32, release: &Release, t: u32) -> Option<u32> {
        let i = host as usize;
        let id = self.host_id(host);
        let group = usize::from(self.h.group[i]);
        let policy = group.checked_sub(1).and_then(|g| self.policies.get(g));
        let offer = Offer {
            channel_id: self.sc.channel_id,
            version: 2,
            plan: self.plan.as_ref(),
            release: Some(release),
            previous: Some(1),
        };
        let view = HostView {
            id: &id,
            active: Some(u64::from(self.h.active[i])),
            policy,
        };
        let now = EPOCH + u64::from(t);
        let decision = decide(&offer, &view, now);
        if self.h.ring[i] == u8::MAX {
            if let Some(plan) = self.plan.as_ref() {
                self.h.ring[i] = host_ring(plan, &offer, &view) as u8;
            } else {
                self.h.ring[i] = 0;
            }
        }
        match decision {
            Decision::Take(2) if !self.flag(host, QUARANTINED) => {
                self.activate(host, t);
                None
            }
            Decision::FallBack(v) | Decision::Take(v) if v < 2 => {
                self.h.active[i] = v as u8;
                self.set(host, WATCHING, false);
                self.request(t, 1);
                None
            }
            Decision::Stay(Stay::Delayed { until }) => {
                Some(u32::try_from(until.saturating_sub(EPOCH)).unwrap_or(u32::MAX))
            }
            Decision::Stay(Stay::OutsideWindow) => {
                group.checked_sub(1).and_then(|g| self.window_opens(g, t))
            }
            _ => None,
        }
    }

    /// The first minute from `t` at which the group's windows are open.
    fn window_opens(&mut self, group: usize, t: u32) -> Option<u32> {
        let first = t / 60 + 1;
        let policy = self.policies.get(group)?.clone();
        let cache = self.windows.get_mut(group)?;
        for m in first..cache.len() as u32 {
            let slot = cache.get_mut(m as usize)?;
            let open = *slot.get_or_insert_with(|| policy.in_window(EPOCH + u64::from(m) * 60));
            if open {
                return Some(m * 60);
            }
        }
        None
    }

    fn activate(&mut self, host: u32, t: u32) {
        let i = host as usize;
        self.request(t, 1);
        self.h.active[i] = 2;
        if !self.flag(host, EXPOSED) {
            self.set(host, EXPOSED, true);
            self.run.exposed += 1;
            self.run.first_activation_s.get_or_insert(t);
        }
        self.h.watch_at[i] = t;
        self.h.watch_starts[i] = 0;
        self.set(host, WATCHING, true);
        self.set(host, CONFIRMED, false);
        self.send(host, 2, Beacon::Activated, t);
        if self.flag(host, DOOMED) {
            self.set(host, CRASHED_ON_IT, true);
            self.die(host, t);
        } else {
            self.events.push(t + SETTLE, Event::new(host, Kind::Settle));
        }
    }

    fn die(&mut self, host: u32, t: u32) {
        self.set(host, DOWN, true);
        let k = self.h.watch_starts[host as usize];
        let restart = between(
            self.opt.seed,
            host,
            Salt::Restart,
            k ^ t,
            self.sc.fleet.restart_secs,
        );
        self.events.push(t + restart, Event::new(host, Kind::Start));
    }

    /// A sensor start: the crash-loop guard's `on_start`, then the channel runs (and
    /// a host the release crashes dies again).
    fn sensor_start(&mut self, host: u32, t: u32) {
        let i = host as usize;
        self.h.up_at[i] = t;
        if !self.flag(host, WATCHING) || self.h.active[i] != 2 {
            return;
        }
        let watch = Watch {
            version: 2,
            activated_at: EPOCH + u64::from(self.h.watch_at[i]),
            in_use: true,
            starts: self.h.watch_starts[i],
            confirmed: self.flag(host, CONFIRMED),
        };
        let (next, verdict) = on_start(&watch, &DEFAULT_POLICY);
        self.h.watch_starts[i] = next.starts;
        match verdict {
            Guard::RollBack => {
                self.h.active[i] = 1;
                self.set(host, WATCHING, false);
                self.set(host, QUARANTINED, true);
                self.send(host, 2, Beacon::RolledBack, t);
                if self.flag(host, CRASHED_ON_IT) && !self.flag(host, RECOVERED) {
                    self.set(host, RECOVERED, true);
                    self.run.recovered += 1;
                    self.run.max_starts_to_recover =
                        self.run.max_starts_to_recover.max(next.starts);
                }
            }
            Guard::Keep if self.flag(host, DOOMED) => self.die(host, t),
            Guard::Keep => self.events.push(t + SETTLE, Event::new(host, Kind::Settle)),
        }
    }

    fn settle(&mut self, host: u32, t: u32) {
        let i = host as usize;
        let settled = t.saturating_sub(self.h.up_at[i].max(self.h.watch_at[i])) >= SETTLE;
        if self.flag(host, ONLINE)
            && !self.flag(host, DOWN)
            && self.h.active[i] == 2
            && self.flag(host, WATCHING)
            && !self.flag(host, CONFIRMED)
            && settled
        {
            self.set(host, CONFIRMED, true);
            self.send(host, 2, Beacon::Healthy, t);
        }
    }

    fn online(&mut self, host: u32, t: u32) {
        let i = host as usize;
        self.set(host, ONLINE, true);
        self.h.poll_at[i] = t;
        self.h.failures[i] = 0;
        self.set(host, DOWN, false);
        self.sensor_start(host, t);
        self.queue_heartbeat(host, t + 1);
        self.set(host, QUEUED, false);
        self.queue_poll(host);
        let (_, change) = self.online_at(host, t);
        if change != u32::MAX {
            self.events.push(change, Event::new(host, Kind::Offline));
        }
    }

    fn offline(&mut self, host: u32, t: u32) {
        if !self.flag(host, QUEUED) {
            self.forward(host, t);
        }
        self.set(host, ONLINE, false);
        self.set(host, QUEUED, false);
        let (_, change) = self.online_at(host, t);
        if change != u32::MAX {
            self.events.push(change, Event::new(host, Kind::Online));
        }
    }

    fn finish(self) -> Outcome {
        let mut run = self.run;
        let n = u64::from(self.opt.hosts);
        let bad_release = self.sc.fault.kind != FaultKind::None;
        run.hosts = n;
        run.bad_activations = if bad_release { run.exposed } else { 0 };
        run.bad_activation_share = run.bad_activations as f64 / n.max(1) as f64;
        run.false_halt =
            run.halted && !bad_release && run.halted_ring.as_deref() != Some("operator");
        run.time_to_halt_s = match (run.halted_at_s, run.first_activation_s) {
            (Some(h), Some(f)) => Some(h.saturating_sub(f)),
            _ => None,
        };
        run.crashed_hosts = self
            .h
            .flags
            .iter()
            .filter(|f| *f & CRASHED_ON_IT != 0)
            .count() as u64;
        run.still_crashing = self
            .h
            .flags
            .iter()
            .zip(&self.h.active)
            .filter(|(f, a)| *f & DOOMED != 0 && **a == 2)
            .count() as u64;
        let per_minute: Vec<f64> = self
            .origin
            .chunks(60)
            .map(|c| c.iter().map(|x| f64::from(*x)).sum::<f64>() / 60.0)
            .collect();
        let mut sorted = per_minute.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        run.origin_steady_rps = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
        run.origin_peak_rps = sorted.last().copied().unwrap_or(0.0);
        if let Some(h) = self.halt_visible {
            let from = (h / 60) as usize;
            run.revert_peak_rps = per_minute
                .iter()
                .skip(from)
                .take(60)
                .copied()
                .reduce(f64::max);
            let mut reach = self.reach;
            reach.sort_unstable();
            let need = (self.online_at_halt as f64 * 0.99).ceil() as usize;
            run.halt_reach_99_s = need.checked_sub(1).and_then(|k| reach.get(k)).copied();
        }
        run.final_ring = match (&self.plan, &self.release) {
            (Some(p), Some(r)) => r.ring_name(p).map(str::to_string),
            _ => None,
        };
        // Only whole minutes of the run: the buckets past its end stay empty.
        let minutes = (self.horizon / 60) as usize;
        run.exposure_per_minute = self.exposed_per_minute;
        run.exposure_per_minute.truncate(minutes);
        run.origin_per_minute = self.origin.chunks(60).map(|c| c.iter().sum()).collect();
        Outcome {
            run,
            no_rings: None,
        }
    }
}

fn covers(o: &Outage, t: u32) -> bool {
    let from = o.from_hours * 3600.0;
    (from..from + o.hours * 3600.0).contains(&f64::from(t))
}

/// Whether a service is down (every request failing) at `t`.
fn down(outages: &[Outage], t: u32) -> bool {
    outages.iter().any(|o| covers(o, t) && o.fail_share >= 1.0)
}

/// A delay in whole seconds, at least one (a second is the simulation's tick).
fn secs(d: Duration) -> u32 {
    u32::try_from(d.as_millis().div_ceil(1000))
        .unwrap_or(u32::MAX)
        .max(1)
}
