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
    /// The ring the gate halted in (`operator` for an operator's halt), and why.
    pub halted_ring: Option<String>,
    pub halt_reason: Option<String>,
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

/// The figures of one scenario over many seeds (`ward simulate --seeds N`): how many
/// runs halted, halted a healthy release, or let the release reach the plan's last ring
/// (the general ring), and the worst of the per-run figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sweep {
    pub runs: u64,
    pub first_seed: u64,
    pub halted: u64,
    pub false_halts: u64,
    /// Runs in which the gate opened the last ring, and runs halted before it.
    pub reached_last_ring: u64,
    pub halted_before_last_ring: u64,
    /// Per ring (the ring the gate halted in, or `operator`): halted runs.
    pub halted_in: std::collections::BTreeMap<String, u64>,
    pub max_bad_activations: u64,
    pub max_bad_activation_share: f64,
    pub max_time_to_halt_s: Option<u32>,
    /// Hosts the release crashed that still ran it at the end, over every run.
    pub still_crashing: u64,
}

impl Sweep {
    /// Counts one run; `last_ring` is the plan's last ring.
    pub fn add(&mut self, run: &Run, last_ring: &str) {
        self.runs += 1;
        let reached = run.rings_opened.iter().any(|(ring, _)| ring == last_ring);
        self.reached_last_ring += u64::from(reached);
        if run.halted {
            self.halted += 1;
            self.halted_before_last_ring += u64::from(!reached);
            let ring = run.halted_ring.clone().unwrap_or_default();
            *self.halted_in.entry(ring).or_default() += 1;
        }
        self.false_halts += u64::from(run.false_halt);
        self.max_bad_activations = self.max_bad_activations.max(run.bad_activations);
        self.max_bad_activation_share = self.max_bad_activation_share.max(run.bad_activation_share);
        self.max_time_to_halt_s = self.max_time_to_halt_s.max(run.time_to_halt_s);
        self.still_crashing += run.still_crashing;
    }
}
