//! A scenario: the fleet (sensor versions and their shares, policy groups, servers and
//! workstations across time zones), the release and its plan, the fault, and the
//! outages of the origin and the collector. Read from TOML with every field checked;
//! an error says which field and why. Policies and plans are the shipped types
//! (`ward_rollout::Policy`, `ward_rollout::PlanConfig`) with their own validation.

use serde::Deserialize;
use ward_rollout::{Plan, PlanConfig, Policy};

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What it shows, for the report.
    pub name: String,
    /// Hosts, unless `--hosts` says otherwise.
    #[serde(default = "default_hosts")]
    pub hosts: u32,
    /// Seed, unless `--seed` says otherwise.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Simulated time.
    #[serde(default = "default_duration")]
    pub duration_hours: f64,
    #[serde(default = "default_channel")]
    pub channel_id: u32,
    /// Sensor versions (profile names) and their shares of the fleet.
    pub sensors: Vec<SensorShare>,
    /// Host groups with a customer policy; the rest of the fleet has none.
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub fleet: Fleet,
    /// What evaluation costs per event, for the hosts' cost summaries.
    #[serde(default)]
    pub costs: Costs,
    #[serde(default)]
    pub release: ReleaseSpec,
    /// The rollout plan; without one, `Plan::default()`.
    #[serde(default)]
    pub plan: Option<PlanConfig>,
    #[serde(default)]
    pub fault: Fault,
    #[serde(default)]
    pub origin: Origin,
    #[serde(default)]
    pub collector: CollectorSpec,
}

fn default_hosts() -> u32 {
    10_000
}
fn default_seed() -> u64 {
    1
}
fn default_duration() -> f64 {
    48.0
}
fn default_channel() -> u32 {
    291
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorShare {
    /// A sensor profile name, which carries the sensor version (`windows_7_13`).
    pub name: String,
    pub share: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub share: f64,
    pub policy: Policy,
}

/// When hosts are online: servers always, workstations for a working day in their
/// time zone (each host starting up to an hour either side of `workday_start`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fleet {
    pub servers_share: f64,
    /// Local hour the working day starts.
    pub workday_start: f64,
    pub workday_hours: f64,
    /// UTC offsets in hours; hosts are spread evenly over them.
    pub time_zones: Vec<i32>,
    /// Seconds from a sensor's death to its next start (the machine rebooting), drawn
    /// uniformly from this range.
    pub restart_secs: [u32; 2],
    /// Background crashes: the share of hosts whose sensor dies once a day for reasons
    /// that have nothing to do with the release.
    pub background_crash_per_day: f64,
    /// Seconds from a beacon to its arrival at the collector, drawn uniformly.
    pub beacon_delay_secs: [u32; 2],
}

impl Default for Fleet {
    fn default() -> Fleet {
        Fleet {
            servers_share: 0.4,
            workday_start: 8.0,
            workday_hours: 9.0,
            time_zones: vec![-8, -5, 0, 1, 8],
            restart_secs: [60, 180],
            background_crash_per_day: 0.001,
            beacon_delay_secs: [2, 60],
        }
    }
}

/// The p99 cost per event hosts report on N (issue 18), in the verifier's work units:
/// the median host's, and the spreads around it (standard deviations of the logarithm),
/// as in the gate's recorded cost streams (`delivery/health/tests/costs.rs`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Costs {
    pub p99_units: f64,
    /// Between hosts (each host's event mix), and between one host's intervals.
    pub host_spread: f64,
    pub interval_spread: f64,
    /// The share of intervals that are a burst at four times the usual cost.
    pub burst_share: f64,
}

impl Default for Costs {
    fn default() -> Costs {
        Costs {
            p99_units: 2000.0,
            host_spread: 0.3,
            interval_spread: 0.15,
            burst_share: 0.02,
        }
    }
}

/// The release: when it is published, when an operator halts it (a mass revert), and
/// whether the same run also plays it the July 2024 way (no rings) for comparison.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReleaseSpec {
    pub publish_at_hours: f64,
    /// An operator's halt (`ward rollout halt`) at this time, if any.
    pub operator_halt_hours: Option<f64>,
    /// Also run the same fleet with no plan (everyone at once), halted by an operator
    /// after `no_rings_halt_minutes` as in July 2024 (78 minutes).
    pub compare_no_rings: bool,
    pub no_rings_halt_minutes: f64,
    /// Publish without a plan in the main run too (everyone at once).
    pub no_rings: bool,
    /// Seconds from a signed timestamp to its being served everywhere (CDN expiry).
    pub cdn_secs: u32,
    /// How often the controller runs the gate (`ward rollout watch --every`).
    pub gate_every_secs: u32,
}

impl Default for ReleaseSpec {
    fn default() -> ReleaseSpec {
        ReleaseSpec {
            publish_at_hours: 1.0,
            operator_halt_hours: None,
            compare_no_rings: false,
            no_rings_halt_minutes: 78.0,
            no_rings: false,
            cdn_secs: 60,
            gate_every_secs: 60,
        }
    }
}

/// What is wrong with the release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// A healthy release.
    #[default]
    None,
    /// Every host of `sensor` crashes when it loads the release (channel 291).
    CrashOnLoad,
    /// A share `rate` of the hosts that load it crash (on every sensor).
    CrashRate,
    /// Valid, no crash, but `cost_factor` times the cost per event of N on `sensor`
    /// (on every sensor without one): issue 18's slow channel.
    SlowChannel,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    #[serde(default)]
    pub kind: FaultKind,
    #[serde(default)]
    pub sensor: Option<String>,
    #[serde(default)]
    pub rate: f64,
    /// The release's cost per event against N's (`slow_channel`).
    #[serde(default = "one")]
    pub cost_factor: f64,
}

impl Fault {
    /// The release's cost against N's on the sensor `name`.
    pub fn cost_factor(&self, name: &str) -> f64 {
        let on = self.sensor.as_deref().is_none_or(|s| s == name);
        if self.kind == FaultKind::SlowChannel && on {
            self.cost_factor
        } else {
            1.0
        }
    }
}

/// A stretch of time, in hours from the start.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    pub from_hours: f64,
    pub hours: f64,
    /// The share of requests that fail meanwhile (1: down; less: slow, timing out).
    #[serde(default = "one")]
    pub fail_share: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for Fault {
    fn default() -> Fault {
        Fault {
            kind: FaultKind::None,
            sensor: None,
            rate: 0.0,
            cost_factor: 1.0,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    #[serde(default)]
    pub outages: Vec<Outage>,
    /// The updater's steady polling interval (`Schedule::interval`), default 300 s.
    #[serde(default)]
    pub interval_secs: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectorSpec {
    #[serde(default)]
    pub outages: Vec<Outage>,
}

/// A scenario that cannot run, with the field to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError(pub String);

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

/// The most hosts: host numbers share a 32-bit event word with the event's kind.
pub const MAX_HOSTS: u32 = 1 << 28;

impl Scenario {
    /// Parses and checks a scenario file's text.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = toml::from_str(text).map_err(|e| ScenarioError(e.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The plan the release is published with (`None`: no rings, everyone at once).
    pub fn plan(&self) -> Result<Option<Plan>, ScenarioError> {
        if self.release.no_rings {
            return Ok(None);
        }
        match &self.plan {
            None => Ok(Some(Plan::default())),
            Some(config) => config
                .to_plan()
                .map(Some)
                .map_err(|e| ScenarioError(format!("`plan`: {e}"))),
        }
    }

    /// Checks what serde cannot: shares, ranges, names.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let err = |m: String| Err(ScenarioError(m));
        if self.hosts == 0 || self.hosts > MAX_HOSTS {
            return err(format!(
                "`hosts` is {}; it may be 1 to {MAX_HOSTS}",
                self.hosts
            ));
        }
        if !(self.duration_hours > 0.0 && self.duration_hours <= 24.0 * 14.0) {
            return err(format!(
                "`duration_hours` is {}; it may be above 0 to 336 (two weeks)",
                self.duration_hours
            ));
        }
        if self.sensors.is_empty() || self.sensors.len() > 64 {
            return err("`sensors` needs 1 to 64 sensor versions".into());
        }
        share_sum("sensors", self.sensors.iter().map(|s| s.share), true)?;
        if self.groups.len() > 254 {
            return err("`groups`: at most 254".into());
        }
        share_sum("groups", self.groups.iter().map(|g| g.share), false)?;
        for (i, g) in self.groups.iter().enumerate() {
            g.policy
                .validate()
                .map_err(|e| ScenarioError(format!("group {} (`{}`): {e}", i + 1, g.name)))?;
        }
        let f = &self.fleet;
        for (name, v) in [
            ("fleet.servers_share", f.servers_share),
            ("fleet.background_crash_per_day", f.background_crash_per_day),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return err(format!("`{name}` is {v}; it is a share, 0 to 1"));
            }
        }
        if !(0.0..24.0).contains(&f.workday_start) || !(0.0..=24.0).contains(&f.workday_hours) {
            return err(
                "`fleet.workday_start` is 0 to 24 and `fleet.workday_hours` 0 to 24".into(),
            );
        }
        if f.time_zones.is_empty() || f.time_zones.iter().any(|z| !(-12..=14).contains(z)) {
            return err("`fleet.time_zones` needs UTC offsets from -12 to 14".into());
        }
        for (name, [lo, hi]) in [
            ("fleet.restart_secs", f.restart_secs),
            ("fleet.beacon_delay_secs", f.beacon_delay_secs),
        ] {
            if lo > hi || hi > 86_400 {
                return err(format!(
                    "`{name}` is [{lo}, {hi}]: low to high, at most a day"
                ));
            }
        }
        let c = &self.costs;
        if !(c.p99_units >= 1.0 && c.p99_units <= 1e9) {
            return err(format!(
                "`costs.p99_units` is {}; it may be 1 to 1000000000",
                c.p99_units
            ));
        }
        for (name, v, top) in [
            ("costs.host_spread", c.host_spread, 3.0),
            ("costs.interval_spread", c.interval_spread, 3.0),
            ("costs.burst_share", c.burst_share, 1.0),
        ] {
            if !(0.0..=top).contains(&v) {
                return err(format!("`{name}` is {v}; it may be 0 to {top}"));
            }
        }
        let r = &self.release;
        if !(0.0..self.duration_hours).contains(&r.publish_at_hours) {
            return err("`release.publish_at_hours` must fall inside the run".into());
        }
        if r.gate_every_secs == 0 || r.gate_every_secs > 86_400 || r.cdn_secs > 86_400 {
            return err(
                "`release.gate_every_secs` is 1 to 86400, `release.cdn_secs` 0 to 86400".into(),
            );
        }
        if r.no_rings_halt_minutes < 0.0 {
            return err("`release.no_rings_halt_minutes` cannot be negative".into());
        }
        match self.fault.kind {
            FaultKind::None => {}
            FaultKind::CrashOnLoad => match &self.fault.sensor {
                Some(s) if self.sensors.iter().any(|x| &x.name == s) => {}
                Some(s) => return err(format!("`fault.sensor` `{s}` is not one of `sensors`")),
                None => return err("`fault.kind = \"crash_on_load\"` needs `fault.sensor`".into()),
            },
            FaultKind::SlowChannel => {
                if let Some(s) = &self.fault.sensor {
                    if !self.sensors.iter().any(|x| &x.name == s) {
                        return err(format!("`fault.sensor` `{s}` is not one of `sensors`"));
                    }
                }
                if !(self.fault.cost_factor > 0.0 && self.fault.cost_factor <= 1e6) {
                    return err(format!(
                        "`fault.cost_factor` is {}; it may be above 0 to 1000000",
                        self.fault.cost_factor
                    ));
                }
            }
            FaultKind::CrashRate => {
                if !(0.0..=1.0).contains(&self.fault.rate) {
                    return err(format!(
                        "`fault.rate` is {}; it is a share, 0 to 1",
                        self.fault.rate
                    ));
                }
            }
        }
        for (what, outages) in [
            ("origin", &self.origin.outages),
            ("collector", &self.collector.outages),
        ] {
            for (i, o) in outages.iter().enumerate() {
                if o.from_hours < 0.0 || o.hours <= 0.0 || !(0.0..=1.0).contains(&o.fail_share) {
                    return err(format!(
                        "`{what}.outages` {}: `from_hours` 0 or more, `hours` above 0, `fail_share` 0 to 1",
                        i + 1
                    ));
                }
            }
        }
        if let Some(i) = self.origin.interval_secs {
            if !(10..=86_400).contains(&i) {
                return err(format!(
                    "`origin.interval_secs` is {i}; it may be 10 to 86400"
                ));
            }
        }
        self.plan()?;
        Ok(())
    }
}

/// Shares are each 0 to 1 and add up to 1 (`exact`) or at most 1.
fn share_sum(
    what: &str,
    shares: impl Iterator<Item = f64>,
    exact: bool,
) -> Result<(), ScenarioError> {
    let mut sum = 0.0;
    for (i, s) in shares.enumerate() {
        if !(0.0..=1.0).contains(&s) {
            return Err(ScenarioError(format!(
                "`{what}` {}: share {s} is not 0 to 1",
                i + 1
            )));
        }
        sum += s;
    }
    if (exact && (sum - 1.0).abs() > 1e-6) || sum > 1.0 + 1e-6 {
        let want = if exact { "exactly 1" } else { "at most 1" };
        return Err(ScenarioError(format!(
            "`{what}`: the shares add up to {sum}, not {want}"
        )));
    }
    Ok(())
}
