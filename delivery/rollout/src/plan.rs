//! A release's rollout plan: ordered rings, each with the share of hosts it reaches, the
//! minimum time it bakes and the minimum number of distinct hosts that must report from
//! it before the next ring may start; and the release's content category, which the
//! customer's policy can pause (or not). The plan is signed with the release by the
//! targets key (`custom.rollout` of the channel target), so neither a mirror nor the
//! online key can change it.
//!
//! Shares are cumulative and in basis points (1/100 of a percent): canonical JSON, which
//! TUF signs, has no floating point numbers.

use serde::{Deserialize, Serialize};

use crate::cohort::BUCKETS;

const HOUR: u64 = 3600;

/// One ring of a rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ring {
    pub name: String,
    /// Share of the fleet (by cohort bucket) that has the release once this ring
    /// started, in basis points, counting the earlier rings: `10000` is every host.
    pub share_bp: u32,
    /// Seconds the ring must run before the next one may start.
    pub bake_secs: u64,
    /// Distinct hosts of this ring that must have reported before the next may start.
    pub min_hosts: u64,
}

/// Content categories, after the vendor's own split of July 2024's aftermath ("Content
/// Update Controls"): a policy may pause any but [`Category::SystemCritical`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    SensorOperations,
    SystemCritical,
    VulnerabilityManagement,
    RapidResponse,
}

impl Category {
    /// Every category, in the order documentation lists them.
    pub const ALL: [Category; 4] = [
        Category::SensorOperations,
        Category::SystemCritical,
        Category::VulnerabilityManagement,
        Category::RapidResponse,
    ];

    /// Its name in policies and plans.
    pub fn name(self) -> &'static str {
        match self {
            Category::SensorOperations => "sensor_operations",
            Category::SystemCritical => "system_critical",
            Category::VulnerabilityManagement => "vulnerability_management",
            Category::RapidResponse => "rapid_response",
        }
    }

    /// The category called `name`.
    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether a customer's policy may pause it: system-critical content (what keeps the
    /// sensor itself working) always flows, as in the vendor's controls.
    pub fn pausable(self) -> bool {
        self != Category::SystemCritical
    }
}

/// A release's rollout plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub category: Category,
    pub rings: Vec<Ring>,
    /// The gate's cost margin for this release, in percent of the baseline's median
    /// host's p99 cost per event (issue 18; `ward_health::CostEvidence::margin_pct`,
    /// default 200). Optional: plans signed before it read as the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_margin_pct: Option<u32>,
}

/// The smallest and largest cost margins a plan may state: below 110% the histogram's
/// 12.5% buckets cannot tell the release from its baseline; past 100x the test is off
/// in all but name.
pub const COST_MARGIN_PCT: std::ops::RangeInclusive<u32> = 110..=10_000;

impl Default for Plan {
    /// internal (hosts whose policy puts them there, 1 h, 10 hosts), canary (1%, 4 h,
    /// 100 hosts), early (10%, 12 h, 1,000 hosts), general (everyone, 24 h, 1,000 hosts
    /// before the release counts as done). docs/delivery.md says why.
    fn default() -> Plan {
        let ring = |name: &str, share_bp, hours, min_hosts| Ring {
            name: name.to_string(),
            share_bp,
            bake_secs: hours * HOUR,
            min_hosts,
        };
        Plan {
            category: Category::RapidResponse,
            rings: vec![
                ring("internal", 0, 1, 10),
                ring("canary", 100, 4, 100),
                ring("early", 1_000, 12, 1_000),
                ring("general", BUCKETS, 24, 1_000),
            ],
            cost_margin_pct: None,
        }
    }
}

impl Plan {
    /// Checks the plan: at least one ring, distinct non-empty names, shares that never
    /// go down, and a last ring that reaches every host. The error says which ring.
    pub fn validate(&self) -> Result<(), String> {
        let Some(last) = self.rings.last() else {
            return Err("a rollout plan needs at least one ring".into());
        };
        let mut previous = 0;
        for (i, ring) in self.rings.iter().enumerate() {
            let what = format!("ring {} (`{}`)", i + 1, ring.name);
            if ring.name.is_empty()
                || !ring
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(format!(
                    "{what}: a ring name is letters, digits, `_` and `-`"
                ));
            }
            if self.rings[..i].iter().any(|r| r.name == ring.name) {
                return Err(format!("{what}: the name is used twice"));
            }
            if ring.share_bp > BUCKETS {
                return Err(format!(
                    "{what}: share {} is above 100%",
                    percent(ring.share_bp)
                ));
            }
            if ring.share_bp < previous {
                return Err(format!(
                    "{what}: share {} is below the ring before it ({}); shares count the earlier rings",
                    percent(ring.share_bp),
                    percent(previous)
                ));
            }
            previous = ring.share_bp;
        }
        if let Some(m) = self
            .cost_margin_pct
            .filter(|m| !COST_MARGIN_PCT.contains(m))
        {
            return Err(format!(
                "cost margin {m}% must be {}% to {}%",
                COST_MARGIN_PCT.start(),
                COST_MARGIN_PCT.end()
            ));
        }
        if last.share_bp != BUCKETS {
            return Err(format!(
                "the last ring (`{}`) must reach every host (100%), not {}",
                last.name,
                percent(last.share_bp)
            ));
        }
        Ok(())
    }

    /// The index of the ring called `name`.
    pub fn ring_index(&self, name: &str) -> Option<usize> {
        self.rings.iter().position(|r| r.name == name)
    }

    /// The ring a host with cohort bucket `bucket` belongs to: the first whose share
    /// covers it. Shares only grow, so a host's ring never changes for a release.
    pub fn ring_of_bucket(&self, bucket: u32) -> usize {
        self.rings
            .iter()
            .position(|r| bucket < r.share_bp)
            .unwrap_or(self.rings.len().saturating_sub(1))
    }

    /// The plan as `custom.rollout` of a target.
    pub fn to_custom(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The plan in a target's `custom`, if it has a valid one.
    pub fn from_custom(custom: &serde_json::Value) -> Option<Plan> {
        let plan: Plan = serde_json::from_value(custom.get("rollout")?.clone()).ok()?;
        plan.validate().ok().map(|()| plan)
    }
}

/// A plan as people write it (`REPO.rollout.toml` beside the repository, or the file
/// `ward publish --plan` names): shares in percent and bake times in hours.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    pub category: Category,
    #[serde(rename = "ring")]
    pub rings: Vec<RingConfig>,
    /// The gate's cost margin, in percent of the baseline's p99 (`Plan::cost_margin_pct`).
    #[serde(default)]
    pub cost_margin_percent: Option<u32>,
}

/// One `[[ring]]` of a [`PlanConfig`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RingConfig {
    pub name: String,
    /// Percent of the fleet, counting the earlier rings; a multiple of 0.01.
    pub share_percent: f64,
    pub bake_hours: f64,
    pub min_hosts: u64,
}

impl PlanConfig {
    /// The plan, validated; the error names the ring and the field.
    pub fn to_plan(&self) -> Result<Plan, String> {
        let mut rings = Vec::new();
        for (i, r) in self.rings.iter().enumerate() {
            let what = format!("ring {} (`{}`)", i + 1, r.name);
            let bp = r.share_percent * 100.0;
            if !(0.0..=f64::from(BUCKETS)).contains(&bp) || (bp - bp.round()).abs() > 1e-6 {
                return Err(format!(
                    "{what}: `share_percent` {} must be 0 to 100 in steps of 0.01",
                    r.share_percent
                ));
            }
            let secs = r.bake_hours * 3600.0;
            if !(0.0..=(365.0 * 24.0 * 3600.0)).contains(&secs) {
                return Err(format!(
                    "{what}: `bake_hours` {} must be 0 to a year",
                    r.bake_hours
                ));
            }
            rings.push(Ring {
                name: r.name.clone(),
                // In range: checked just above.
                share_bp: bp.round() as u32,
                bake_secs: secs.round() as u64,
                min_hosts: r.min_hosts,
            });
        }
        let plan = Plan {
            category: self.category,
            rings,
            cost_margin_pct: self.cost_margin_percent,
        };
        plan.validate()?;
        Ok(plan)
    }
}

/// Basis points as a percentage for messages: `150` is `1.5%`.
pub fn percent(bp: u32) -> String {
    let whole = bp / 100;
    match bp % 100 {
        0 => format!("{whole}%"),
        frac if frac % 10 == 0 => format!("{whole}.{}%", frac / 10),
        frac => format!("{whole}.{frac:02}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_plan_is_valid_and_ends_with_everyone() {
        let plan = Plan::default();
        plan.validate().unwrap();
        assert_eq!(
            plan.ring_of_bucket(0),
            1,
            "share 0: internal takes no buckets"
        );
        assert_eq!(plan.ring_of_bucket(99), 1);
        assert_eq!(plan.ring_of_bucket(100), 2);
        assert_eq!(plan.ring_of_bucket(BUCKETS - 1), 3);
    }

    #[test]
    fn bad_plans_say_which_ring() {
        let mut plan = Plan::default();
        plan.rings[2].share_bp = 50;
        assert!(plan
            .validate()
            .unwrap_err()
            .contains("ring 3 (`early`): share 0.5% is below"));
        let mut plan = Plan::default();
        plan.rings[3].share_bp = 9_000;
        assert!(plan
            .validate()
            .unwrap_err()
            .contains("must reach every host"));
        let mut plan = Plan::default();
        plan.rings[1].name = "internal".into();
        assert!(plan.validate().unwrap_err().contains("used twice"));
        assert!(Plan {
            category: Category::RapidResponse,
            rings: vec![],
            cost_margin_pct: None,
        }
        .validate()
        .is_err());
    }

    #[test]
    fn a_cost_margin_is_optional_in_range_and_read_from_the_config() {
        // A plan signed before the margin existed reads as the default.
        let old = r#"{"category":"rapid_response","rings":[{"name":"general","share_bp":10000,"bake_secs":0,"min_hosts":1}]}"#;
        let plan: Plan = serde_json::from_str(old).unwrap();
        assert_eq!(plan.cost_margin_pct, None);
        assert!(!plan.to_custom().to_string().contains("cost_margin"));
        let config: PlanConfig = serde_json::from_str(
            r#"{"category":"rapid_response","cost_margin_percent":300,"ring":[{"name":"general","share_percent":100,"bake_hours":0,"min_hosts":1}]}"#,
        )
        .unwrap();
        assert_eq!(config.to_plan().unwrap().cost_margin_pct, Some(300));
        let loose = Plan {
            cost_margin_pct: Some(105),
            ..plan
        };
        assert_eq!(
            loose.validate().unwrap_err(),
            "cost margin 105% must be 110% to 10000%"
        );
    }

    #[test]
    fn percentages_print_exactly() {
        assert_eq!(percent(100), "1%");
        assert_eq!(percent(150), "1.5%");
        assert_eq!(percent(5), "0.05%");
    }
}
