//! What a run found: the figures of the JSON object (and a few more), and the
//! exposure over time that the charts draw.

use serde::Serialize;

/// The figures of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Run {
    pub hosts: u64,
    /// Distinct hosts that ever activated the release, when it is a bad one.
    pub bad_activations: u64,
    pub bad_activation_share: f64,
    pub halted: bool,
    /// From the first activation to the halt being signed.
    pub time_to_halt_s: Option<u32>,
    /// A halt of a healthy release by the gate.
    pub false_halt: bool,
    /// Hosts the release crashed whose own crash-loop guard took it back.
    pub recovered: u64,
    /// The busiest minute's and the median minute's requests per second at the origin.
    pub origin_peak_rps: f64,
    pub origin_steady_rps: f64,
    /// Distinct hosts that ever activated the release, bad or not.
    pub exposed: u64,
    /// Hosts whose sensor the release crashed.
    pub crashed_hosts: u64,
    /// Hosts the release crashed that still run it at the end (neither their guard nor
    /// a halt took it back).
    pub still_crashing: u64,
    /// The most sensor starts a crashed host needed before its guard rolled back.
    pub max_starts_to_recover: u32,
    /// Seconds from the start of the run.
    pub first_activation_s: Option<u32>,
    pub halted_at_s: Option<u32>,
    /// The ring the gate halted in (`operator` for an operator's halt).
    pub halted_ring: Option<String>,
    /// The ring the release stood in at the end.
    pub final_ring: Option<String>,
    /// Each ring the gate opened, and when.
    pub rings_opened: Vec<(String, u32)>,
    /// Seconds from a halt being served until 99% of the hosts online then had seen it.
    pub halt_reach_99_s: Option<u32>,
    /// The busiest minute's requests per second in the hour after a halt was served.
    pub revert_peak_rps: Option<f64>,
    pub beacons: u64,
    /// With `check_aggregate`: looks of the gate, and how many differed from
    /// `ward_health::aggregate` over the same beacons.
    #[serde(skip_serializing_if = "is_zero")]
    pub aggregate_checks: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub aggregate_mismatches: u64,
    /// Hosts that had activated the release by the end of each minute.
    #[serde(skip)]
    pub exposure_per_minute: Vec<u32>,
    /// Requests to the origin in each minute.
    #[serde(skip)]
    pub origin_per_minute: Vec<u32>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A run and, if the scenario asks, the same fleet the July 2024 way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    #[serde(flatten)]
    pub run: Run,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_rings: Option<Box<Run>>,
}
