//! Health beacons: what a host says about one channel version it runs, and the batch
//! it sends them in. A batch is JSON (`docs/delivery.md`, "Beacons"), parsed here with
//! hard limits on its size, its beacon count and every string, so a collector can take
//! a batch from anyone and refuse a bad one with a reason, never a panic.

use serde::{Deserialize, Serialize};

use crate::cost::{Summary, SummaryRecord};

/// The batch format's version; a batch of another version is refused.
pub const FORMAT: u32 = 1;
/// The largest batch body, in bytes.
pub const MAX_BATCH_BYTES: usize = 64 * 1024;
/// The most beacons one batch carries, summaries included.
pub const MAX_BEACONS: usize = 256;
/// The longest host id, beacon id, ring or sensor name.
pub const MAX_NAME: usize = 64;

/// What happened. Serialized in snake case: `activated`, `healthy`, `crashed`,
/// `rolled_back`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The host activated this version (sent before its first use).
    Activated,
    /// The sensor ran this version for the settle time without dying; sent again each
    /// heartbeat interval while it still runs it, so hosts that stay on a version keep
    /// counting as its baseline.
    Healthy,
    /// The sensor died while this version was active.
    Crashed,
    /// The host's crash-loop guard took this version back to the last known good one.
    RolledBack,
}

impl Kind {
    /// Every kind, in the order the collector's tables and docs list them.
    pub const ALL: [Kind; 4] = [
        Kind::Activated,
        Kind::Healthy,
        Kind::Crashed,
        Kind::RolledBack,
    ];

    /// The wire name (also the collector's column value).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Activated => "activated",
            Kind::Healthy => "healthy",
            Kind::Crashed => "crashed",
            Kind::RolledBack => "rolled_back",
        }
    }

    /// The kind of a wire name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether this is evidence against the version (a crash or a guard rollback).
    pub fn is_bad(self) -> bool {
        matches!(self, Kind::Crashed | Kind::RolledBack)
    }
}

/// One beacon. `id` is chosen by the host (random); a beacon sent twice is stored once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beacon {
    pub id: String,
    pub kind: Kind,
    /// When it happened, seconds since the epoch, by the host's clock.
    pub at: u64,
    /// Channel id and content version the beacon is about.
    pub channel: u32,
    pub version: u64,
    /// The ring the host is in for this release (from its cohort and policy).
    pub ring: String,
    /// The sensor profile the host runs; Ward's profile names carry the sensor's
    /// version (`windows_7_13`), so this is the stratum the gate compares within.
    pub sensor: String,
}

/// What a host sends: its id and up to [`MAX_BEACONS`] beacons and cost summaries
/// together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// The batch format, [`FORMAT`].
    pub v: u32,
    pub host: String,
    pub beacons: Vec<Beacon>,
    /// Per channel version, what its evaluations cost over the last interval (issue
    /// 18). Optional: a batch without it (every batch before) reads as none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summaries: Vec<Summary>,
}

/// A beacon with the host that sent it: one line of a recorded stream, one row of the
/// collector's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub host: String,
    #[serde(flatten)]
    pub beacon: Beacon,
}

/// Why a batch was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchError {
    /// Larger than [`MAX_BATCH_BYTES`].
    TooLarge { bytes: usize },
    /// Not a batch: the JSON error, with its line and column.
    Malformed(String),
    /// A batch of a format this collector does not read.
    Format(u32),
    /// More than [`MAX_BEACONS`] beacons.
    TooManyBeacons(usize),
    /// A field that breaks a rule; `beacon` is its index, if it is in a beacon.
    Field {
        beacon: Option<usize>,
        field: &'static str,
        reason: String,
    },
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchError::TooLarge { bytes } => {
                write!(
                    f,
                    "batch of {bytes} bytes is over the limit of {MAX_BATCH_BYTES}"
                )
            }
            BatchError::Malformed(e) => write!(f, "not a beacon batch: {e}"),
            BatchError::Format(v) => write!(f, "batch format {v}; this collector reads {FORMAT}"),
            BatchError::TooManyBeacons(n) => {
                write!(f, "{n} beacons in one batch; at most {MAX_BEACONS}")
            }
            BatchError::Field {
                beacon: Some(i),
                field,
                reason,
            } => write!(f, "beacon {i}: `{field}` {reason}"),
            BatchError::Field {
                beacon: None,
                field,
                reason,
            } => write!(f, "`{field}` {reason}"),
        }
    }
}

impl std::error::Error for BatchError {}

impl Batch {
    /// Parses and checks a batch body.
    pub fn parse(body: &[u8]) -> Result<Batch, BatchError> {
        if body.len() > MAX_BATCH_BYTES {
            return Err(BatchError::TooLarge { bytes: body.len() });
        }
        let batch: Batch =
            serde_json::from_slice(body).map_err(|e| BatchError::Malformed(e.to_string()))?;
        batch.check()?;
        Ok(batch)
    }

    /// The body a host sends: compact JSON.
    pub fn to_body(&self) -> Vec<u8> {
        // A struct of strings and integers always serializes.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Checks the limits and names; [`Batch::parse`] calls it.
    pub fn check(&self) -> Result<(), BatchError> {
        if self.v != FORMAT {
            return Err(BatchError::Format(self.v));
        }
        let items = self.beacons.len().saturating_add(self.summaries.len());
        if items > MAX_BEACONS {
            return Err(BatchError::TooManyBeacons(items));
        }
        name(None, "host", &self.host)?;
        for (i, b) in self.beacons.iter().enumerate() {
            name(Some(i), "id", &b.id)?;
            name(Some(i), "ring", &b.ring)?;
            name(Some(i), "sensor", &b.sensor)?;
        }
        // Summaries are numbered after the beacons, as one list.
        for (n, s) in self.summaries.iter().enumerate() {
            let i = Some(self.beacons.len().saturating_add(n));
            name(i, "id", &s.id)?;
            name(i, "ring", &s.ring)?;
            name(i, "sensor", &s.sensor)?;
            if let Some((field, reason)) = s.broken_rule() {
                return Err(BatchError::Field {
                    beacon: i,
                    field,
                    reason,
                });
            }
        }
        Ok(())
    }

    /// The batch's beacons as records of its host.
    pub fn records(&self) -> impl Iterator<Item = Record> + '_ {
        self.beacons.iter().map(|b| Record {
            host: self.host.clone(),
            beacon: b.clone(),
        })
    }

    /// The batch's summaries as records of its host.
    pub fn summary_records(&self) -> impl Iterator<Item = SummaryRecord> + '_ {
        self.summaries.iter().map(|s| SummaryRecord {
            host: self.host.clone(),
            summary: s.clone(),
        })
    }
}

/// A name is 1 to [`MAX_NAME`] characters of `[A-Za-z0-9._-]`: safe in a log line, a
/// URL and a SQL text column, and bounded.
fn name(beacon: Option<usize>, field: &'static str, value: &str) -> Result<(), BatchError> {
    let fail = |reason: String| BatchError::Field {
        beacon,
        field,
        reason,
    };
    if value.is_empty() || value.len() > MAX_NAME {
        return Err(fail(format!(
            "is {} bytes long; it must be 1 to {MAX_NAME}",
            value.len()
        )));
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(fail(format!(
            "has {c:?}; only A-Z a-z 0-9 . _ - are allowed"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beacon(id: &str) -> Beacon {
        Beacon {
            id: id.into(),
            kind: Kind::Crashed,
            at: 1_700_000_000,
            channel: 1,
            version: 2,
            ring: "canary".into(),
            sensor: "windows_7_13".into(),
        }
    }

    #[test]
    fn a_batch_round_trips_through_its_body() {
        let batch = Batch {
            v: FORMAT,
            host: "h-1".into(),
            beacons: vec![beacon("a1"), beacon("a2")],
            summaries: Vec::new(),
        };
        assert_eq!(Batch::parse(&batch.to_body()), Ok(batch));
    }

    #[test]
    fn bad_batches_are_refused_with_the_reason() {
        let ok = Batch {
            v: FORMAT,
            host: "h".into(),
            beacons: vec![beacon("a")],
            summaries: Vec::new(),
        };
        let refused = |batch: &Batch| Batch::parse(&batch.to_body()).unwrap_err().to_string();
        assert_eq!(
            refused(&Batch { v: 2, ..ok.clone() }),
            "batch format 2; this collector reads 1"
        );
        assert_eq!(
            refused(&Batch {
                host: "h/../x".into(),
                ..ok.clone()
            }),
            "`host` has '/'; only A-Z a-z 0-9 . _ - are allowed"
        );
        let mut long = ok.clone();
        long.beacons[0].ring = "r".repeat(MAX_NAME + 1);
        assert_eq!(
            refused(&long),
            "beacon 0: `ring` is 65 bytes long; it must be 1 to 64"
        );
        let mut many = ok.clone();
        many.beacons = (0..=MAX_BEACONS).map(|i| beacon(&i.to_string())).collect();
        assert_eq!(refused(&many), "257 beacons in one batch; at most 256");
        assert_eq!(
            Batch::parse(&vec![b' '; MAX_BATCH_BYTES + 1]).unwrap_err(),
            BatchError::TooLarge {
                bytes: MAX_BATCH_BYTES + 1
            }
        );
        let unknown = br#"{"v":1,"host":"h","beacons":[],"extra":1}"#;
        assert!(Batch::parse(unknown)
            .unwrap_err()
            .to_string()
            .contains("unknown field `extra`"));
        let kind = br#"{"v":1,"host":"h","beacons":[{"id":"a","kind":"exploded","at":1,"channel":1,"version":1,"ring":"r","sensor":"s"}]}"#;
        assert!(Batch::parse(kind)
            .unwrap_err()
            .to_string()
            .contains("unknown variant `exploded`"));
    }

    fn summary(id: &str) -> Summary {
        Summary {
            id: id.into(),
            at: 1_700_000_000,
            channel: 1,
            version: 2,
            ring: "canary".into(),
            sensor: "windows_7_13".into(),
            interval_secs: 600,
            events: 10_000,
            cost_p50: 40,
            cost_p99: 900,
            cost_max: 5000,
            nanos_mean: Some(1200),
            memory_bytes: 1 << 20,
        }
    }

    #[test]
    fn summaries_are_optional_round_trip_and_are_checked() {
        // A batch from before issue 18 has no `summaries`: it still parses.
        let old = br#"{"v":1,"host":"h","beacons":[{"id":"a","kind":"healthy","at":1,"channel":1,"version":1,"ring":"r","sensor":"s"}]}"#;
        assert!(Batch::parse(old).unwrap().summaries.is_empty());
        let batch = Batch {
            v: FORMAT,
            host: "h".into(),
            beacons: vec![beacon("a")],
            summaries: vec![summary("s1")],
        };
        assert_eq!(Batch::parse(&batch.to_body()), Ok(batch.clone()));
        assert_eq!(batch.summary_records().next().unwrap().host, "h");
        let refused = |batch: &Batch| Batch::parse(&batch.to_body()).unwrap_err().to_string();
        let mut bad = batch.clone();
        bad.summaries[0].cost_p50 = 1000;
        assert_eq!(
            refused(&bad),
            "beacon 1: `cost_p99` is 900; it must lie between cost_p50 (1000) and cost_max (5000)"
        );
        let mut bad = batch.clone();
        bad.summaries[0].interval_secs = 0;
        assert!(refused(&bad).contains("`interval_secs` is 0"));
        let mut bad = batch.clone();
        bad.summaries[0].sensor = "a b".into();
        assert!(refused(&bad).starts_with("beacon 1: `sensor` has ' '"));
        let mut many = batch;
        many.summaries = (0..MAX_BEACONS).map(|i| summary(&i.to_string())).collect();
        assert_eq!(refused(&many), "257 beacons in one batch; at most 256");
        let unknown = br#"{"v":1,"host":"h","beacons":[],"summaries":[{"id":"a","at":1,"channel":1,"version":1,"ring":"r","sensor":"s","interval_secs":1,"events":1,"cost_p50":1,"cost_p99":1,"cost_max":1,"memory_bytes":1,"p999":1}]}"#;
        assert!(Batch::parse(unknown)
            .unwrap_err()
            .to_string()
            .contains("unknown field `p999`"));
    }

    #[test]
    fn kind_names_round_trip_and_match_serde() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.name())
            );
        }
    }
}
