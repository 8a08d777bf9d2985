//! What only the runtime knows about a channel as a whole: its per-channel totals
//! (pattern bytes, compiled-size tiers, the enum count), the worst-case cost of one event
//! (runtime/src/cost.rs), and whether its names encode (at most `MAX_STRING_LEN` bytes).
//! There is no second formula here: each channel of a program that checked clean is
//! built as `ward build` builds it and verified by the runtime for every sensor it
//! targets, and a refusal is reported on the source line it concerns (the instance the
//! runtime names, else the channel), so `ward check` passes exactly when `ward build`
//! verifies.
//!
//! Verdicts are remembered for the process, keyed by the channel's signed bytes and the
//! sensor's profile (everything `verify` reads; the key is fixed, so equal channels sign
//! to equal bytes): the language server checks every unchanged channel again on each
//! edit, and verifying compiles all of a channel's patterns. The verifier also reuses the
//! patterns it compiled for earlier verdicts (patterns.rs), so verifying the edited
//! channel again compiles only its new patterns.

use rayon::prelude::*;
use ward_runtime::{verify_reusing, Limits, SensorProfile, TrustStore, VerifyError};
use ward_syntax::{Code, Diagnostic};

use super::memo::Memo;
use super::patterns::Remembered;
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
                    let e = verdict(&bytes, &trust, &profile)?;
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

/// How many channel bytes the remembered verdicts may key on; past it the memory starts
/// over, so a long editing session holds at most about this much.
const MAX_REMEMBERED_BYTES: usize = 64 << 20;

static VERDICTS: Memo<(Vec<u8>, String), Option<VerifyError>> = Memo::new(MAX_REMEMBERED_BYTES);

/// Why the runtime refuses `bytes` for `profile`, if it does: [`ward_runtime::verify`],
/// remembered, and reusing the patterns compiled by earlier checks (a changed channel
/// mostly keeps its patterns). `trust` must hold only the throwaway key the bytes were
/// signed with.
fn verdict(bytes: &[u8], trust: &TrustStore, profile: &SensorProfile) -> Option<VerifyError> {
    // The profile's debug form is all of it (name, templates, supplied counts).
    let key = (bytes.to_vec(), format!("{profile:?}"));
    VERDICTS.get_or(key, bytes.len(), || {
        verify_reusing(bytes, trust, profile, &Limits::DEFAULT, &Remembered).err()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::stdlib_sources;
    use crate::sources::Origin;
    use ward_runtime::verify;

    #[test]
    fn a_remembered_verdict_is_the_fresh_one() {
        let mut sources = stdlib_sources();
        sources.add(
            "main.ward",
            None,
            "channel C = 1 {\n    version 1\n    template IpcNamedPipe\n    targets [windows_7_12]\n    instance i = 1 {\n        pipe_name matches \"^a+$\"\n        severity low\n    }\n}\n",
            Origin::Project,
        );
        let checked = crate::check(&sources);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        let program = &checked.program;
        let key = throwaway_key();
        let trust = TrustStore::with_keys(vec![key.verifying_key()]).unwrap();
        let bytes =
            ward_encode::sign(&lower::channel(program, &sources, ChannelId(0)), &[&key]).unwrap();
        let sensor = program.channel(ChannelId(0)).targets[0].sensor;
        let profile = lower::sensor_profile(program, sensor);
        let mut other = profile.clone();
        other.templates.clear();
        // Accepted, refused for another profile, cut short, flipped.
        let mut flipped = bytes.clone();
        if let Some(b) = flipped.last_mut() {
            *b ^= 1;
        }
        for (bytes, profile) in [
            (&bytes[..], &profile),
            (&bytes[..], &other),
            (&bytes[..bytes.len() / 2], &profile),
            (&flipped[..], &profile),
        ] {
            let fresh = verify(bytes, &trust, profile).err();
            assert_eq!(verdict(bytes, &trust, profile), fresh);
            assert_eq!(verdict(bytes, &trust, profile), fresh, "again");
        }
        assert!(verdict(&bytes, &trust, &other).is_some());
    }
}
