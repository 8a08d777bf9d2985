//! The host's flags. Timings default to production's (a poll every 5 minutes, healthy
//! after the guard's 10-minute window, a heartbeat every 4 hours, the guard's two deaths
//! in ten minutes); a test passes seconds.

use std::path::PathBuf;

use clap::Parser;

/// A reference sensor host: runs the active channels on events, polls the repository,
/// installs under the customer's policy, beacons to the collector, and rolls itself
/// back from a channel that crashes it.
#[derive(Debug, Clone, Parser)]
#[command(name = "ward-host", version)]
pub struct Options {
    /// The host's directory: `store/` (channels, `host.id`, `beacon.key`), `meta/`
    /// (TUF metadata; `meta/root.json` is provisioned with the sensor), the last good
    /// policy and the ring of each activation.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// The repository's base URL: `URL/metadata` and `URL/targets`.
    #[arg(long, value_name = "URL")]
    pub repo: String,
    /// The collector's base URL (`ward collect`).
    #[arg(long, value_name = "URL")]
    pub collector: String,
    /// Public key files channels must be signed with (`ward keygen` writes PREFIX.pub).
    #[arg(long = "trust", value_name = "PUBFILE", required = true, num_args = 1..)]
    pub trust: Vec<PathBuf>,
    /// How many distinct trusted keys must have signed a channel.
    #[arg(long, default_value_t = 1)]
    pub threshold: usize,
    /// The sensor's profile (`ward sensor export NAME --lang json`).
    #[arg(long, value_name = "FILE.json")]
    pub profile: PathBuf,
    /// The events the sensor sees: JSON Lines of {"template": NAME, "fields": {..}}, as
    /// `ward run` reads them. Each channel version is run on all of them when it
    /// becomes active.
    #[arg(long, value_name = "FILE.jsonl")]
    pub events: PathBuf,
    /// The customer's signed policy (`ward policy sign`), offered to the host at start
    /// and at every poll; a bad one is refused and the last good policy stays.
    #[arg(long, value_name = "FILE", requires = "customer_key")]
    pub policy: Option<PathBuf>,
    /// The customer's public key (`ward policy keygen` writes PREFIX.pub).
    #[arg(long, value_name = "PUBFILE")]
    pub customer_key: Option<PathBuf>,
    /// A process whose prevention takes the machine down (compared with the file name
    /// of every string field of an event, ignoring case). Replaces the default list:
    /// csrss.exe, lsass.exe, smss.exe, wininit.exe, winlogon.exe, services.exe.
    #[arg(long = "critical", value_name = "NAME")]
    pub critical: Vec<String>,
    /// Seconds between polls of the repository (plus or minus 10% jitter).
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub poll_secs: u64,
    /// Seconds a channel version must run without the sensor dying before the host
    /// confirms it healthy to the guard and beacons `healthy`.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub settle_secs: u64,
    /// Seconds between `healthy` beacons while the host keeps running a version.
    #[arg(long, value_name = "SECS", default_value_t = 14_400)]
    pub heartbeat_secs: u64,
    /// Deaths after an activation, before the channel is confirmed healthy (after
    /// `--settle-secs` of running it), that roll it back.
    #[arg(long, value_name = "N", default_value_t = ward_store::DEFAULT_POLICY.deaths)]
    pub guard_deaths: u32,
}

/// The processes a sensor must never stop on Windows: each one's end is a bug check.
pub const DEFAULT_CRITICAL: [&str; 6] = [
    "csrss.exe",
    "lsass.exe",
    "smss.exe",
    "wininit.exe",
    "winlogon.exe",
    "services.exe",
];

impl Options {
    /// The critical process names, lower-cased.
    pub fn critical(&self) -> Vec<String> {
        if self.critical.is_empty() {
            DEFAULT_CRITICAL.iter().map(|s| s.to_string()).collect()
        } else {
            self.critical.iter().map(|s| s.to_lowercase()).collect()
        }
    }

    /// The guard policy the flags set.
    pub fn guard(&self) -> ward_store::GuardPolicy {
        ward_store::GuardPolicy {
            deaths: self.guard_deaths,
        }
    }
}
