//! What only the runtime knows about a channel as a whole: its per-channel totals
//! (pattern bytes, compiled-size tiers, the enum count), the worst-case cost of one event
//! (runtime/src/cost.rs), and whether its names encode (at most `MAX_STRING_LEN` bytes).
//! There is no second formula here: each channel of a program that checked clean is
//! built as `ward build` builds it and verified by the runtime for every sensor it
//! targets, and a refusal is reported on the source line it concerns (the instance the
//! runtime names, else the channel), so `ward check` passes exactly when `ward build`
//! verifies.

use rayon::prelude::*;
use ward_runtime::{verify, TrustStore, VerifyError};
use ward_syntax::{Code, Diagnostic};

use crate::hir::{ChannelId, Program};
use crate::lower;
use crate::sources::Sources;
use crate::test_runner::throwaway_key;

/// The runtime's refusals of the program's channels, one diagnostic per channel and
/// sensor.
pub(crate) fn check(program: &Program, sources: &Sources) -> Vec<Diagnostic> {
    let key = throwaway_key();
    let Ok(trust) = TrustStore::with_keys(vec![key.verifying_key()]) else {
        return Vec::new();
    };
    (0..program.channels.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let cid = ChannelId(i);
            let channel = program.channel(cid);
            let model = lower::channel(program, sources, cid);
            let refused = |why: String, at: crate::hir::Loc| {
                Diagnostic::new(
                    Code::RuntimeRefused,
                    format!("the runtime refuses channel `{}`: {why}", channel.name),
                )
                .primary(at.file, at.span, "refused by the runtime's verifier")
            };
            let bytes = match ward_encode::sign(&model, &[&key]) {
                Ok(bytes) => bytes,
                Err(e) => return vec![refused(format!("it cannot be encoded: {e}"), channel.loc)],
            };
            channel
                .targets
                .iter()
                .filter_map(|t| {
                    let profile = lower::sensor_profile(program, t.sensor);
                    let e = verify(&bytes, &trust, &profile).err()?;
                    let sensor = &profile.name;
                    let d = match &e {
                        // The reason is long: each of its clauses is a note.
                        VerifyError::CostOverBudget {
                            instance,
                            found,
                            limit,
                            input_bytes,
                            reason,
                        ..
                        } => {
                            let at = channel
                                .instances
                                .iter()
                                .find(|inst| inst.id == *instance)
                                .map_or(channel.loc, |inst| inst.loc);
                            let why = format!(
                                "for sensor `{sensor}`, one event with {input_bytes}-byte inputs can cost {found} steps, over its budget of {limit}"
                            );
                            reason
                                .split("; ")
                                .fold(refused(why, at), |d, clause| d.note(clause))
                        }
                        _ => refused(format!("for sensor `{sensor}`"), channel.loc)
                            .note(e.to_string()),
                    };
                    Some(d.note(format!("runtime error {}", e.code())))
                })
                .collect()
        })
        .collect()
}
