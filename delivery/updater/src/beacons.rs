//! The host's health beacons: its identity (the host id and its own Ed25519 key,
//! made once and kept beside the store), and an outbox that batches beacons and
//! sends them signed to the collector, backing off with full jitter when it cannot.
//! Batches, the signature and the collector's answers are ward-health's and
//! ward-collector's (docs/delivery.md, "Beacons"). The outbox is bounded: when the
//! collector stays away, the oldest `healthy` beacons go first, because crashes and
//! rollbacks are what a gate must hear.

use std::collections::VecDeque;
use std::path::Path;
use std::time::Duration;

use ward_health::beacon::{Batch, Beacon, Kind, FORMAT, MAX_BEACONS};
use ward_health::cost::{Interval, Summary};
use ward_runtime::Snapshot;
use ward_tuf::hash::hex;
use ward_tuf::repo::write_private;
use ward_tuf::{Error, KeyPair};

use crate::install::HOST_ID_FILE;
use crate::schedule::{random, Schedule};

/// A host's identity for beacons.
pub struct Identity {
    /// The host id the cohort bucket hashes (`host.id`, kept by [`crate::host_id`]),
    /// in hex.
    pub host: String,
    key: KeyPair,
}

impl std::fmt::Debug for Identity {
    /// The host id only: the key is a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// The file beside the host id that keeps the host's beacon key.
pub const BEACON_KEY_FILE: &str = "beacon.key";

impl Identity {
    /// Reads the host id (`dir/host.id`) and the beacon key (`dir/beacon.key`, mode
    /// 0600), making each the first time. A damaged file is an error, never silently
    /// replaced: a new key under the old id would be refused by the collector.
    pub fn load_or_create(dir: &Path) -> Result<Identity, Error> {
        let io = |op: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { op, path, source }
        };
        std::fs::create_dir_all(dir).map_err(io("create", dir))?;
        let host = crate::host_id::load_or_create(&dir.join(HOST_ID_FILE))?.to_hex();
        let key_path = dir.join(BEACON_KEY_FILE);
        if !key_path.exists() {
            let key = KeyPair::generate()?;
            write_private(&key_path, key.to_file_text().as_bytes())
                .map_err(io("write", &key_path))?;
        }
        let text = std::fs::read_to_string(&key_path).map_err(io("read", &key_path))?;
        let key = KeyPair::from_file_text(&text, &key_path.display().to_string())?;
        Ok(Identity { host, key })
    }
}

/// 16 random bytes: a beacon's id.
fn random_bytes() -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&random().to_le_bytes());
    out[8..].copy_from_slice(&random().to_le_bytes());
    out
}

/// What a beacon is about: the channel version, the host's ring for it, its sensor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct About {
    pub channel: u32,
    pub version: u64,
    pub ring: String,
    pub sensor: String,
}

/// What one [`Outbox::flush`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flushed {
    /// Beacons and summaries the collector acknowledged (stored, or held already).
    pub acknowledged: usize,
    /// Beacons dropped because the collector refused their batch (4xx other than
    /// 429): sending them again would not help, and would block the rest.
    pub refused: usize,
    /// The collector's reason for the last refusal.
    pub reason: Option<String>,
}

/// Beacons waiting to be sent, and when the next attempt may be.
#[derive(Debug)]
pub struct Outbox {
    identity: Identity,
    /// `http://host:port` of the collector.
    collector: String,
    agent: ureq::Agent,
    queue: VecDeque<Beacon>,
    /// The most beacons held; past it the oldest `healthy` one (else the oldest) goes.
    pub capacity: usize,
    /// Cost summaries waiting, sent in the same batches after the beacons.
    summaries: VecDeque<Summary>,
    /// The most summaries held; past it the oldest goes (a later one says more).
    pub summary_capacity: usize,
    /// Backoff after failed sends (its interval is unused).
    pub backoff: Schedule,
    failures: u32,
    /// Seconds since the epoch before which no send is tried.
    retry_at: u64,
}

/// The outbox's backoff after a failed send: full jitter from 10 s doubling to 15
/// minutes (the fleet simulator retries its beacons by the same schedule).
pub fn backoff() -> Schedule {
    Schedule {
        backoff_base: Duration::from_secs(10),
        backoff_cap: Duration::from_secs(900),
        ..Schedule::default()
    }
}

impl Outbox {
    /// An empty outbox for `collector`: 4,096 beacons at most, backoff from 10 s to
    /// 15 minutes, requests bounded to 10 s.
    pub fn new(identity: Identity, collector: &str) -> Outbox {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .user_agent("ward-updater")
            .build()
            .into();
        Outbox {
            identity,
            collector: collector.trim_end_matches('/').to_string(),
            agent,
            queue: VecDeque::new(),
            capacity: 4096,
            summaries: VecDeque::new(),
            summary_capacity: 1024,
            backoff: backoff(),
            failures: 0,
            retry_at: 0,
        }
    }

    /// The host id beacons are sent under.
    pub fn host(&self) -> &str {
        &self.identity.host
    }

    /// Beacons waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// The beacons waiting, oldest first.
    pub fn pending(&self) -> impl Iterator<Item = &Beacon> {
        self.queue.iter()
    }

    /// The cost summaries waiting, oldest first.
    pub fn pending_summaries(&self) -> impl Iterator<Item = &Summary> {
        self.summaries.iter()
    }

    /// Whether nothing waits, beacon or summary.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty() && self.summaries.is_empty()
    }

    /// Queues a beacon of `kind` about `about`, at `at` (seconds since the epoch).
    pub fn push(&mut self, kind: Kind, about: &About, at: u64) {
        if self.queue.len() >= self.capacity {
            let victim = self
                .queue
                .iter()
                .position(|b| b.kind == Kind::Healthy)
                .unwrap_or(0);
            self.queue.remove(victim);
        }
        self.queue.push_back(Beacon {
            id: hex(&random_bytes()),
            kind,
            at,
            channel: about.channel,
            version: about.version,
            ring: about.ring.clone(),
            sensor: about.sensor.clone(),
        });
    }

    /// Queues the cost summary of one interval of `interval_secs` ending at `at`:
    /// `counters` is the difference of two readings of the channel version's runtime
    /// counters (`ward_runtime::Snapshot::since`), sent with a random id.
    pub fn push_summary(
        &mut self,
        about: &About,
        counters: &Snapshot,
        interval_secs: u64,
        at: u64,
    ) {
        if self.summaries.len() >= self.summary_capacity {
            self.summaries.pop_front();
        }
        let interval = Interval {
            id: hex(&random_bytes()),
            at,
            channel: about.channel,
            version: about.version,
            ring: &about.ring,
            sensor: &about.sensor,
            interval_secs,
        };
        self.summaries.push_back(Summary::of(counters, interval));
    }

    /// Sends what waits, a batch of up to 256 at a time, unless backing off at `now`.
    /// A batch leaves the queue only once the collector acknowledged it (or refused it
    /// as malformed); on a network error, a 429 or a 5xx the rest waits, and the next
    /// attempt is after a full-jitter backoff.
    pub fn flush(&mut self, now: u64) -> Result<Flushed, Error> {
        let mut done = Flushed::default();
        if now < self.retry_at {
            return Ok(done);
        }
        while !self.is_empty() {
            let n = self.queue.len().min(MAX_BEACONS);
            let m = self.summaries.len().min(MAX_BEACONS - n);
            let batch = Batch {
                v: FORMAT,
                host: self.identity.host.clone(),
                beacons: self.queue.iter().take(n).cloned().collect(),
                summaries: self.summaries.iter().take(m).cloned().collect(),
            };
            match self.send(&batch) {
                Ok(Sent::Acknowledged) => done.acknowledged += n + m,
                Ok(Sent::Refused(why)) => {
                    done.refused += n + m;
                    done.reason = Some(why);
                }
                Err(e) => {
                    self.failures = self.failures.saturating_add(1);
                    let delay = self.backoff.next_delay(self.failures, random());
                    self.retry_at = now.saturating_add(delay.as_secs());
                    return Err(e);
                }
            }
            self.queue.drain(..n);
            self.summaries.drain(..m);
            self.failures = 0;
        }
        Ok(done)
    }

    fn send(&self, batch: &Batch) -> Result<Sent, Error> {
        let url = format!("{}/v1/beacons", self.collector);
        let body = batch.to_body();
        let signed = ward_health::auth::sign(&self.identity.key, &body);
        let network = |reason: String| Error::Network {
            url: url.clone(),
            reason,
        };
        let mut response = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json")
            .header("X-Ward-Key", &signed.key)
            .header("X-Ward-Signature", &signed.signature)
            .send(&body[..])
            .map_err(|e| network(e.to_string()))?;
        match response.status().as_u16() {
            200 => Ok(Sent::Acknowledged),
            429 | 500..=599 => Err(network(format!("HTTP status {}", response.status()))),
            status => {
                // The collector says why in one line of JSON.
                let why = response.body_mut().read_to_string().unwrap_or_default();
                Ok(Sent::Refused(format!(
                    "{url}: HTTP {status}: {}",
                    why.trim()
                )))
            }
        }
    }
}

enum Sent {
    Acknowledged,
    Refused(String),
}
