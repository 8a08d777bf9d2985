//! Property: the parser and the checker accept any text without panicking (parsing never
//! fails; it returns a tree and diagnostics), in a project with the bundled stdlib; and
//! when the checker finds no error, every channel lowers, signs and is accepted by the
//! runtime's verifier for every sensor it targets (DESIGN.md invariant 1: the checker
//! never promises what the verifier refuses).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ward_compiler::hir::ChannelId;
use ward_compiler::project::stdlib_sources;
use ward_compiler::sources::Origin;
use ward_compiler::{check, lower};
use ward_fuzz::{key, trust};
use ward_encode::sign;
use ward_runtime::verify;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut sources = stdlib_sources();
    sources.add("fuzz.ward", None, text.as_ref(), Origin::Project);
    let checked = check(&sources);
    if checked.has_errors() {
        return;
    }
    let (key, trust) = (key(), trust());
    let program = &checked.program;
    for (i, ch) in program.channels.iter().enumerate() {
        let model = lower::channel(program, &sources, ChannelId(i));
        let Ok(bytes) = sign(&model, &[&key]) else {
            // Over a format limit: `ward build` reports it; not a checker promise.
            continue;
        };
        for target in &ch.targets {
            let profile = lower::sensor_profile(program, target.sensor);
            if let Err(e) = verify(&bytes, &trust, &profile) {
                panic!(
                    "checked clean, but the verifier refuses `{}` for `{}`: {e}",
                    ch.name, profile.name
                );
            }
        }
    }
});
