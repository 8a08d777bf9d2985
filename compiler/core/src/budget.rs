//! Which instances to leave out of a channel so that it fits the runtime's cost budget
//! per event (runtime/src/cost.rs) on every sensor it targets. For generators of content
//! (`ward import sigma`) that would otherwise drop one instance per full check: the
//! runtime is asked once for each instance's own bound, and then, the costliest left out
//! first, the fewest to leave out is bisected (the bound never shrinks when instances
//! are added, so the bisection is exact for that order). The budget is the runtime's own,
//! through its verifier; there is no second formula here.

use std::collections::BTreeMap;

use rayon::prelude::*;
use ward_runtime::{model, verify_with, Limits, SensorProfile, TrustStore, VerifyError};

use crate::hir::{ChannelId, Program};
use crate::lower;
use crate::sources::Sources;
use crate::test_runner::throwaway_key;

/// An instance left out, and why, for the generator's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub instance: u32,
    pub why: String,
}

/// The instances of channel `cid` to leave out, by ascending id, so that it verifies
/// within the cost budget of every sensor it targets; empty when it already does, or when
/// the runtime refuses it for another reason (which the checker reports).
pub fn fit(program: &Program, sources: &Sources, cid: ChannelId) -> Vec<LeftOut> {
    let key = throwaway_key();
    let Ok(trust) = TrustStore::with_keys(vec![key.verifying_key()]) else {
        return Vec::new();
    };
    let model = lower::channel(program, sources, cid);
    let shell = model::Channel {
        instances: Vec::new(),
        ..model.clone()
    };
    // The channel with only `instances`, signed and verified.
    let verifies = |instances: &[&model::Instance], profile: &SensorProfile, limits: &Limits| {
        let mut channel = shell.clone();
        channel.instances = instances.iter().map(|i| (*i).clone()).collect();
        // The format wants ascending ids; subsets are taken in order of cost.
        channel.instances.sort_by_key(|i| i.id);
        let bytes = ward_encode::sign(&channel, &[&key]).map_err(|_| None)?;
        verify_with(&bytes, &trust, profile, limits).map_err(Some)
    };
    let mut left_out: BTreeMap<u32, String> = BTreeMap::new();
    for target in &program.channel(cid).targets {
        let profile = lower::sensor_profile(program, target.sensor);
        let kept: Vec<&model::Instance> = model
            .instances
            .iter()
            .filter(|i| !left_out.contains_key(&i.id))
            .collect();
        match verifies(&kept, &profile, &Limits::DEFAULT) {
            Err(Some(VerifyError::CostOverBudget { .. })) => {}
            _ => continue,
        }
        // Each instance's own bound at the input limit, without a budget to refuse it.
        let unbounded = Limits {
            max_event_cost: u64::MAX,
            ..Limits::DEFAULT
        };
        let at = Limits::DEFAULT.max_input_bytes;
        let mut costs: Vec<(u64, &model::Instance)> = kept
            .par_iter()
            .map(|i| {
                let cost = verifies(&[*i], &profile, &unbounded)
                    .map_or(u64::MAX, |v| v.cost_bound().at(at));
                (cost, *i)
            })
            .collect();
        // Cheapest first; the costliest are left out from the end.
        costs.sort_by_key(|(cost, i)| (*cost, i.id));
        let fits = |n: usize| {
            let subset: Vec<&model::Instance> = costs.iter().take(n).map(|c| c.1).collect();
            verifies(&subset, &profile, &Limits::DEFAULT).is_ok()
        };
        // The most instances, cheapest first, that fit: `lo` fits, `hi` does not.
        let (mut lo, mut hi) = (0, costs.len());
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let limit = Limits::DEFAULT.max_event_cost;
        for (cost, i) in costs.iter().skip(lo) {
            left_out.entry(i.id).or_insert_with(|| {
                format!(
                    "over the runtime's cost budget per event for sensor `{}` ({limit} steps at {at}-byte inputs): left out with the costliest {} of channel `{}`'s {} instances; it alone can cost {cost} steps",
                    profile.name,
                    costs.len() - lo,
                    model.name,
                    costs.len(),
                )
            });
        }
    }
    left_out
        .into_iter()
        .map(|(instance, why)| LeftOut { instance, why })
        .collect()
}
