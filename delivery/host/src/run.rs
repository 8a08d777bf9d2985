//! The host's loop (docs/delivery.md, "A sensor's loop", made real): the guard at start,
//! then polls, installs, evaluation of each newly active channel version, `healthy`
//! after the settle time and at every heartbeat (with a summary of the channel's
//! counters since the last one: the cost figures the gate compares, issue 18), and the
//! outbox flushed as it goes.
//! Each line the host prints on standard output says one thing that happened, so a
//! supervisor (or a test) can follow it.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use ward_compiler::profile::SensorExport;
use ward_health::beacon::Kind;
use ward_runtime::counters::Snapshot;
use ward_runtime::TrustStore;
use ward_tuf::Key;
use ward_updater::beacons::{About, Identity, Outbox};
use ward_updater::install::{update, ChannelReport, Host, Outcome};
use ward_updater::schedule::{random, Schedule};
use ward_updater::{policy, Http, Limits, Updater};

use crate::rings::{Rings, NO_PLAN};
use crate::{events, start, Fatal, Options};

/// One line of what happened, on standard output. A closed pipe is not the host's
/// problem: it goes on without its log.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// A channel version the host runs, since when, and when it next says `healthy`.
#[derive(Debug, Clone, Copy)]
struct Running {
    version: u64,
    healthy_at: u64,
    confirmed: bool,
}

/// The host, between polls.
struct Sensor<'o> {
    options: &'o Options,
    host: Host,
    updater: Updater<Http>,
    outbox: Outbox,
    rings: Rings,
    events: Vec<Json>,
    critical: Vec<String>,
    customer: Vec<Key>,
    running: BTreeMap<u32, Running>,
    /// Each running channel's counters when its last summary was sent, and when.
    summarized: BTreeMap<u32, (Snapshot, u64)>,
    /// The policy file as last offered, so an unchanged file is not offered again.
    offered: Option<Vec<u8>>,
    /// What the last poll said per channel target, so only changes are printed.
    said: BTreeMap<String, String>,
}

/// Runs the host until it is killed (or aborts on harmful content); returns only on a
/// fatal error at start.
pub fn run(options: &Options) -> Fatal {
    match Sensor::start(options) {
        Ok(mut sensor) => sensor.forever(),
        Err(fatal) => fatal,
    }
}

fn now() -> u64 {
    ward_tuf::time::now()
}

fn read_text(path: &Path, what: &str) -> Result<String, Fatal> {
    std::fs::read_to_string(path)
        .map_err(|e| Fatal::usage(format!("cannot read {what} {}: {e}", path.display())))
}

fn trust(options: &Options) -> Result<TrustStore, Fatal> {
    let keys = options
        .trust
        .iter()
        .map(|p| {
            let text = read_text(p, "the trusted key")?;
            ward_runtime::parse_public_key(&text)
                .map_err(|e| Fatal::content(format!("{}: {e}", p.display())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    TrustStore::new(keys, options.threshold)
        .map_err(|e| Fatal::usage(format!("cannot build the trust store: {e}")))
}

impl<'o> Sensor<'o> {
    fn start(options: &'o Options) -> Result<Sensor<'o>, Fatal> {
        let trust = trust(options)?;
        let profile_text = read_text(&options.profile, "the sensor profile")?;
        let profile = SensorExport::from_json(&profile_text)
            .map_err(|e| {
                Fatal::content(format!(
                    "{}: not a sensor profile: {e}",
                    options.profile.display()
                ))
            })?
            .profile();
        let events = events::read(&options.events).map_err(Fatal::content)?;
        let customer = match &options.customer_key {
            Some(path) => {
                let text = read_text(path, "the customer's key")?;
                vec![serde_json::from_str::<Key>(&text).map_err(|e| {
                    Fatal::content(format!("{}: not a public key: {e}", path.display()))
                })?]
            }
            None => Vec::new(),
        };
        let store_dir = options.dir.join("store");
        let host =
            Host::open(&store_dir, trust, profile).map_err(|e| Fatal::usage(e.to_string()))?;
        let identity =
            Identity::load_or_create(&store_dir).map_err(|e| Fatal::usage(e.to_string()))?;
        let now = now();
        let started = start::start(
            &host.store,
            &host.trust,
            &host.profile,
            now,
            &options.guard(),
        )
        .map_err(|e| Fatal::usage(format!("the crash-loop guard: {e}")))?;
        let base = options.repo.trim_end_matches('/');
        let updater = Updater::new(
            options.dir.join("meta"),
            &format!("{base}/metadata"),
            Http::default(),
            Limits::default(),
            now,
        )
        .map_err(|e| Fatal::usage(e.to_string()))?;
        let mut sensor = Sensor {
            options,
            host,
            updater,
            outbox: Outbox::new(identity, &options.collector),
            rings: Rings::load(&options.dir),
            events,
            critical: options.critical(),
            customer,
            running: BTreeMap::new(),
            summarized: BTreeMap::new(),
            offered: None,
            said: BTreeMap::new(),
        };
        say(&format!("started host {}", sensor.outbox.host()));
        for s in &started.beacons {
            sensor.beacon(s.kind, s.channel, s.version, now);
        }
        for q in &started.quarantines {
            let restored = q.restored.map_or("none".to_string(), |v| v.to_string());
            say(&format!(
                "guard: channel {} version {} quarantined, back on {restored}",
                q.channel_id, q.version
            ));
        }
        sensor.offer_policy();
        Ok(sensor)
    }

    fn forever(&mut self) -> Fatal {
        let schedule = Schedule {
            interval: Duration::from_secs(self.options.poll_secs.max(1)),
            ..Schedule::default()
        };
        let tick = Duration::from_millis(200).min(schedule.interval);
        let mut failures = 0u32;
        let mut next_poll = Instant::now();
        loop {
            self.flush();
            self.run_new_versions();
            if Instant::now() >= next_poll {
                failures = match self.poll() {
                    true => 0,
                    false => failures.saturating_add(1),
                };
                next_poll = Instant::now() + schedule.next_delay(failures, random());
            }
            self.healthy(now());
            std::thread::sleep(tick);
        }
    }

    fn about(&self, channel: u32, version: u64) -> About {
        About {
            channel,
            version,
            ring: self.rings.ring(channel, version),
            sensor: self.host.profile.name.clone(),
        }
    }

    fn beacon(&mut self, kind: Kind, channel: u32, version: u64, at: u64) {
        let about = self.about(channel, version);
        say(&format!(
            "beacon {} channel {channel} version {version} ring {}",
            kind.name(),
            about.ring
        ));
        self.outbox.push(kind, &about, at);
    }

    fn flush(&mut self) {
        if let Err(e) = self.outbox.flush(now()) {
            say(&format!("beacons: {e} (kept, retried later)"));
        }
    }

    /// Offers the policy file to the host if it changed; the last good policy is in force.
    fn offer_policy(&mut self) {
        let Some(path) = &self.options.policy else {
            return;
        };
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        if self.offered.as_ref() == Some(&bytes) {
            return;
        }
        let what = path.display().to_string();
        match policy::accept(&self.options.dir, &bytes, &what, &self.customer) {
            Ok(_) => {
                let version = policy::last_good(&self.options.dir, &self.customer)
                    .map_or(0, |p| p.signed.common.version);
                say(&format!("policy version {version} in force"));
            }
            Err(e) => say(&format!("policy refused, the last good one stays: {e}")),
        }
        self.offered = Some(bytes);
        self.host.policy =
            policy::last_good(&self.options.dir, &self.customer).map(|p| p.signed.policy);
    }

    /// One poll; whether it reached the repository.
    fn poll(&mut self) -> bool {
        self.offer_policy();
        self.updater.set_time(now());
        let targets = format!("{}/targets", self.options.repo.trim_end_matches('/'));
        let report = match update(&mut self.updater, &targets, &mut self.host) {
            Ok(report) => report,
            Err(e) => {
                say(&format!("poll: {e}"));
                return false;
            }
        };
        for channel in &report.channels {
            self.after_poll(channel);
        }
        true
    }

    fn after_poll(&mut self, report: &ChannelReport) {
        let channel = report.info.channel_id;
        let ring = report.ring.as_deref().unwrap_or(NO_PLAN);
        let what = match &report.outcome {
            Outcome::Installed { version, .. } | Outcome::RolledBack { version, .. } => {
                let version = *version;
                if let Err(e) = self.rings.activated(channel, version, ring) {
                    say(&format!("cannot record the ring of the activation: {e}"));
                }
                // Before its first use: the gate hears of the activation even if the
                // channel takes the sensor down.
                self.beacon(Kind::Activated, channel, version, now());
                self.flush();
                match &report.outcome {
                    Outcome::RolledBack { from, .. } => {
                        format!("rolled back to {version} from {from}")
                    }
                    _ => format!("installed {version}"),
                }
            }
            Outcome::Skipped(why) => format!("skipped: {why}"),
            Outcome::Current { version } => format!("runs {version}"),
            Outcome::Quarantined { version } => {
                format!("version {version} is quarantined, not downloaded")
            }
            Outcome::Failed(e) => format!("failed: {e}"),
        };
        if self.said.get(&report.target) != Some(&what) {
            say(&format!("poll: channel {channel}: {what}"));
            self.said.insert(report.target.clone(), what);
        }
    }

    /// Runs every channel version that became active since the last look on the events;
    /// aborts on harm.
    fn run_new_versions(&mut self) {
        let ids = self.host.store.channel_ids();
        self.running.retain(|id, _| ids.contains(id));
        self.summarized.retain(|id, _| ids.contains(id));
        for id in ids {
            let Some(channel) = self.host.store.active(id) else {
                continue;
            };
            let version = channel.content_version();
            if self.running.get(&id).is_some_and(|r| r.version == version) {
                continue;
            }
            self.summarized.insert(id, (channel.counters(), now()));
            let ran = events::run(&channel, &self.events, &self.critical);
            say(&format!(
                "ran channel {id} version {version}: {} detections, {} preventions, {} malformed events",
                ran.detections, ran.preventions, ran.malformed
            ));
            if let Some(harm) = ran.harm {
                say(&format!(
                    "abort: channel {id} version {version} instance {} prevents the critical process {} (event {})",
                    harm.instance, harm.process, harm.event
                ));
                // The model of the machine going down with its critical process.
                std::process::abort();
            }
            self.running.insert(
                id,
                Running {
                    version,
                    healthy_at: now().saturating_add(self.options.settle_secs),
                    confirmed: false,
                },
            );
        }
    }

    /// `healthy` for each version run past its settle time (confirmed to the guard the
    /// first time), and again every heartbeat.
    fn healthy(&mut self, now: u64) {
        let due: Vec<(u32, Running)> = self
            .running
            .iter()
            .filter(|(_, r)| now >= r.healthy_at)
            .map(|(id, r)| (*id, *r))
            .collect();
        for (id, r) in due {
            if !r.confirmed {
                if let Err(e) = self.host.store.confirm_healthy(id) {
                    say(&format!("cannot confirm channel {id} healthy: {e}"));
                    continue;
                }
            }
            self.beacon(Kind::Healthy, id, r.version, now);
            self.summarize(id, r.version, now);
            self.running.insert(
                id,
                Running {
                    healthy_at: now.saturating_add(self.options.heartbeat_secs.max(1)),
                    confirmed: true,
                    ..r
                },
            );
        }
    }

    /// A summary of what the channel's counters say since the last one (the channel
    /// was read before its first event), when it evaluated anything since.
    fn summarize(&mut self, id: u32, version: u64, now: u64) {
        let Some(channel) = self.host.store.active(id) else {
            return;
        };
        if channel.content_version() != version {
            return;
        }
        let counters = channel.counters();
        let Some((last, since)) = self.summarized.get(&id).cloned() else {
            return;
        };
        let interval = counters.since(&last);
        if interval.events > 0 {
            let about = self.about(id, version);
            self.outbox
                .push_summary(&about, &interval, now.saturating_sub(since).max(1), now);
        }
        self.summarized.insert(id, (counters, now));
    }
}
