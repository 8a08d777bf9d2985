//! The beacon store: SQLite in WAL mode with `synchronous = FULL`, so a committed batch
//! is on disk (the WAL fsynced) before the collector acknowledges it. Beacons are keyed
//! by (host, beacon id), so a batch sent again stores nothing twice; hosts and their
//! enrolled keys sit in a table of their own, and cost summaries (issue 18) in a third,
//! keyed the same way. Every statement is plain SQL that
//! PostgreSQL runs as well (docs/delivery.md, "The collector"): `ON CONFLICT DO
//! NOTHING`, `CASE`, `GROUP BY`, a `WITH` query, no SQLite-only functions.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension as _, TransactionBehavior};
use ward_health::cost::cost_bucket;
use ward_health::{Batch, CostRow, Counts, Kind, Row, Window};

/// The schema; each statement runs on every open (idempotent).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS hosts (
    host        TEXT PRIMARY KEY,
    key         TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS beacons (
    host        TEXT NOT NULL,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    at          BIGINT NOT NULL,
    channel     BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    ring        TEXT NOT NULL,
    sensor      TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (host, id)
);
CREATE INDEX IF NOT EXISTS beacons_by_channel_time ON beacons (channel, at);
CREATE TABLE IF NOT EXISTS summaries (
    host          TEXT NOT NULL,
    id            TEXT NOT NULL,
    at            BIGINT NOT NULL,
    channel       BIGINT NOT NULL,
    version       BIGINT NOT NULL,
    ring          TEXT NOT NULL,
    sensor        TEXT NOT NULL,
    interval_secs BIGINT NOT NULL,
    events        BIGINT NOT NULL,
    cost_p50      BIGINT NOT NULL,
    cost_p99      BIGINT NOT NULL,
    cost_max      BIGINT NOT NULL,
    nanos_mean    BIGINT,
    memory_bytes  BIGINT NOT NULL,
    p99_bucket    BIGINT NOT NULL,
    received_at   BIGINT NOT NULL,
    PRIMARY KEY (host, id)
);
CREATE INDEX IF NOT EXISTS summaries_by_channel_time ON summaries (channel, at);
CREATE INDEX IF NOT EXISTS hosts_by_enrollment ON hosts (enrolled_at);
";

/// Distinct hosts per version, ring and sensor in a window, by what they said: the
/// SQL twin of `ward_health::aggregate` (tests/differential.rs holds them together).
const AGGREGATE: &str = "
WITH said AS (
    SELECT version, ring, sensor, host,
        MAX(CASE WHEN kind = 'activated' THEN 1 ELSE 0 END) AS activated,
        MAX(CASE WHEN kind = 'healthy' THEN 1 ELSE 0 END) AS healthy,
        MAX(CASE WHEN kind = 'crashed' THEN 1 ELSE 0 END) AS crashed,
        MAX(CASE WHEN kind = 'rolled_back' THEN 1 ELSE 0 END) AS rolled_back
    FROM beacons
    WHERE channel = ?1 AND at >= ?2 AND at < ?3
    GROUP BY version, ring, sensor, host
)
SELECT version, ring, sensor,
    COUNT(*),
    SUM(CASE WHEN healthy = 1 AND crashed = 0 AND rolled_back = 0 THEN 1 ELSE 0 END),
    SUM(crashed),
    SUM(rolled_back),
    SUM(CASE WHEN crashed = 1 OR rolled_back = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN activated = 1 AND healthy = 0 AND crashed = 0 AND rolled_back = 0
             THEN 1 ELSE 0 END)
FROM said
GROUP BY version, ring, sensor
ORDER BY version, ring, sensor
";

/// Distinct hosts per version, ring, sensor and histogram bucket of their worst p99 in
/// a window, with their events and the most memory held: the SQL twin of
/// `ward_health::costs` (tests/differential.rs holds them together). The bucket is
/// stored beside the figure at insert (`p99_bucket`), so no logarithm is needed here.
const COSTS: &str = "
WITH per_host AS (
    SELECT version, ring, sensor, host,
        MAX(p99_bucket) AS bucket,
        SUM(events) AS events,
        MAX(memory_bytes) AS memory
    FROM summaries
    WHERE channel = ?1 AND at >= ?2 AND at < ?3
    GROUP BY version, ring, sensor, host
)
SELECT version, ring, sensor, bucket, COUNT(*), SUM(events), MAX(memory)
FROM per_host
GROUP BY version, ring, sensor, bucket
ORDER BY version, ring, sensor, bucket
";

/// Why a batch was not stored.
#[derive(Debug)]
pub enum StoreError {
    /// The host id is enrolled under another key.
    KeyMismatch { host: String },
    /// More new hosts in the last minute than the collector enrolls.
    EnrollmentLimit { per_minute: u64 },
    /// SQLite failed (disk full, database locked past the busy timeout, ...).
    Sql(rusqlite::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::KeyMismatch { host } => {
                write!(f, "host `{host}` is enrolled under another key")
            }
            StoreError::EnrollmentLimit { per_minute } => write!(
                f,
                "more than {per_minute} new hosts in the last minute; try again later"
            ),
            StoreError::Sql(e) => write!(f, "database: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Sql(e)
    }
}

/// What storing a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    /// Beacons and summaries new to the store.
    pub stored: u64,
    /// Beacons and summaries it already held (the same host and id).
    pub duplicates: u64,
    /// Whether this batch enrolled its host.
    pub enrolled: bool,
}

/// One connection to the beacon database.
#[derive(Debug)]
pub struct Store {
    db: Connection,
}

impl Store {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let db = Connection::open(path)?;
        // Several workers write; each waits for the others rather than failing.
        db.busy_timeout(Duration::from_secs(10))?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: every commit fsyncs the WAL, so what was acknowledged survives a crash
        // of the process or of the machine.
        db.pragma_update(None, "synchronous", "FULL")?;
        db.execute_batch(SCHEMA)?;
        Ok(Store { db })
    }

    /// Stores a checked batch from the host whose key (hex) signed it, at `now`.
    /// Enrolls the host on its first batch, at most `enroll_per_minute` new hosts a
    /// minute. All or nothing: one transaction, committed before this returns.
    pub fn insert(
        &mut self,
        batch: &Batch,
        key: &str,
        now: u64,
        enroll_per_minute: u64,
    ) -> Result<Stored, StoreError> {
        // IMMEDIATE: take the write lock first, so two workers cannot both enroll one
        // host id under different keys.
        let tx = self
            .db
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let enrolled: Option<String> = tx
            .query_row(
                "SELECT key FROM hosts WHERE host = ?1",
                params![batch.host],
                |r| r.get(0),
            )
            .optional()?;
        let enrolls = match enrolled {
            Some(k) if k == key => false,
            Some(_) => {
                return Err(StoreError::KeyMismatch {
                    host: batch.host.clone(),
                })
            }
            None => {
                let recent: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM hosts WHERE enrolled_at > ?1",
                    params![sql_int(now.saturating_sub(60))],
                    |r| r.get(0),
                )?;
                if u64::try_from(recent).unwrap_or(u64::MAX) >= enroll_per_minute {
                    return Err(StoreError::EnrollmentLimit {
                        per_minute: enroll_per_minute,
                    });
                }
                tx.execute(
                    "INSERT INTO hosts (host, key, enrolled_at) VALUES (?1, ?2, ?3)",
                    params![batch.host, key, sql_int(now)],
                )?;
                true
            }
        };
        let mut stored = 0u64;
        {
            let mut insert = tx.prepare(
                "INSERT INTO beacons (host, id, kind, at, channel, version, ring, sensor, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (host, id) DO NOTHING",
            )?;
            for b in &batch.beacons {
                let changed = insert.execute(params![
                    batch.host,
                    b.id,
                    b.kind.name(),
                    sql_int(b.at),
                    b.channel,
                    sql_int(b.version),
                    b.ring,
                    b.sensor,
                    sql_int(now),
                ])?;
                stored = stored.saturating_add(changed as u64);
            }
            let mut insert = tx.prepare(
                "INSERT INTO summaries (host, id, at, channel, version, ring, sensor, interval_secs,
                     events, cost_p50, cost_p99, cost_max, nanos_mean, memory_bytes, p99_bucket, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                 ON CONFLICT (host, id) DO NOTHING",
            )?;
            for s in &batch.summaries {
                let changed = insert.execute(params![
                    batch.host,
                    s.id,
                    sql_int(s.at),
                    s.channel,
                    sql_int(s.version),
                    s.ring,
                    s.sensor,
                    sql_int(s.interval_secs),
                    sql_int(s.events),
                    sql_int(s.cost_p50),
                    sql_int(s.cost_p99),
                    sql_int(s.cost_max),
                    s.nanos_mean.map(sql_int),
                    sql_int(s.memory_bytes),
                    cost_bucket(s.cost_p99),
                    sql_int(now),
                ])?;
                stored = stored.saturating_add(changed as u64);
            }
        }
        tx.commit()?;
        let items = batch.beacons.len().saturating_add(batch.summaries.len());
        Ok(Stored {
            stored,
            duplicates: (items as u64).saturating_sub(stored),
            enrolled: enrolls,
        })
    }

    /// The aggregate of a window: the rows `ward_health::aggregate` would give for the
    /// stored beacons.
    pub fn aggregate(&self, window: &Window) -> Result<Vec<Row>, StoreError> {
        let mut query = self.db.prepare_cached(AGGREGATE)?;
        let rows = query.query_map(
            params![window.channel, sql_int(window.since), sql_int(window.until)],
            |r| {
                let count = |i: usize| r.get::<_, i64>(i).map(|n| u64::try_from(n).unwrap_or(0));
                Ok(Row {
                    version: count(0)?,
                    ring: r.get(1)?,
                    sensor: r.get(2)?,
                    counts: Counts {
                        reporting: count(3)?,
                        healthy: count(4)?,
                        crashed: count(5)?,
                        rolled_back: count(6)?,
                        bad: count(7)?,
                        silent: count(8)?,
                    },
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The cost aggregate of a window: the rows `ward_health::costs` would give for the
    /// stored summaries.
    pub fn costs(&self, window: &Window) -> Result<Vec<CostRow>, StoreError> {
        let mut query = self.db.prepare_cached(COSTS)?;
        let groups = query.query_map(
            params![window.channel, sql_int(window.since), sql_int(window.until)],
            |r| {
                let count = |i: usize| r.get::<_, i64>(i).map(|n| u64::try_from(n).unwrap_or(0));
                Ok((
                    count(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    u32::try_from(count(3)?).unwrap_or(u32::MAX),
                    count(4)?,
                    count(5)?,
                    count(6)?,
                ))
            },
        )?;
        // One SQL row per bucket; the rows of a group are consecutive (ORDER BY).
        let mut rows: Vec<CostRow> = Vec::new();
        for group in groups {
            let (version, ring, sensor, bucket, hosts, events, memory) = group?;
            let same = rows
                .last()
                .is_some_and(|r| r.version == version && r.ring == ring && r.sensor == sensor);
            if !same {
                rows.push(CostRow {
                    version,
                    ring,
                    sensor,
                    ..CostRow::default()
                });
            }
            if let Some(row) = rows.last_mut() {
                row.hosts = row.hosts.saturating_add(hosts);
                row.events = row.events.saturating_add(events);
                row.memory_max = row.memory_max.max(memory);
                row.p99_hosts.push((bucket, hosts));
            }
        }
        Ok(rows)
    }

    /// How many beacons of each kind the store holds (for `ward collect`'s log and the
    /// tests' accounting).
    pub fn totals(&self) -> Result<Vec<(Kind, u64)>, StoreError> {
        let mut query = self
            .db
            .prepare_cached("SELECT COUNT(*) FROM beacons WHERE kind = ?1")?;
        Kind::ALL
            .into_iter()
            .map(|k| {
                let n: i64 = query.query_row(params![k.name()], |r| r.get(0))?;
                Ok((k, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    /// Whether the store holds the beacon `id` of `host`.
    pub fn has(&self, host: &str, id: &str) -> Result<bool, StoreError> {
        let mut query = self
            .db
            .prepare_cached("SELECT 1 FROM beacons WHERE host = ?1 AND id = ?2")?;
        Ok(query.exists(params![host, id])?)
    }
}

/// SQL integers are signed 64-bit; times and versions past `i64::MAX` are clamped
/// (they are refused before they get here: times must be near the collector's clock).
fn sql_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
