//! Property: a verified channel evaluates any event without panicking. An event of the
//! host's shape always evaluates (Ok), matches come back in ascending instance order, and
//! flipping an instance's single criterion to its negation flips whether it matches.
//! An event of the wrong shape (a buggy sensor) is an `EvalError`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ward_fuzz::{channel, host, key, trust, typed_event, wild_event};
use ward_encode::sign;
use ward_runtime::{verify, Match};

use arbitrary::{Result, Unstructured};

fn ids(matches: &[Match]) -> Vec<u32> {
    matches.iter().map(|m| m.instance).collect()
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let generated = channel(u)?;
    let (key, trust, host) = (key(), trust(), host(generated.supplied));
    let verify_signed = |c| {
        let bytes = sign(c, &[&key]).unwrap_or_else(|e| panic!("sign: {e}"));
        verify(&bytes, &trust, &host).unwrap_or_else(|e| panic!("generated channel rejected: {e}"))
    };
    let verified = verify_signed(&generated.channel);
    // The same channel with every single-criterion instance negated.
    let mut negated = generated.channel.clone();
    for inst in &mut negated.instances {
        if let [c] = inst.criteria.as_mut_slice() {
            c.op = c.op.def().negation;
        }
    }
    let negated = verify_signed(&negated);

    for _ in 0..u.int_in_range(1..=8)? {
        if u.ratio(1, 4)? {
            let _ = verified.evaluate(&wild_event(u)?);
            continue;
        }
        let event = typed_event(u, generated.supplied)?;
        let got = verified
            .evaluate(&event)
            .unwrap_or_else(|e| panic!("a well-typed event failed: {e}"));
        let got = ids(&got);
        assert!(got.windows(2).all(|w| w[0] < w[1]), "matches out of order");
        let flipped = ids(&negated.evaluate(&event).unwrap_or_else(|e| panic!("{e}")));
        for inst in &generated.channel.instances {
            if inst.criteria.len() == 1 {
                assert_ne!(
                    got.contains(&inst.id),
                    flipped.contains(&inst.id),
                    "instance {} and its negation agree on {event:?}",
                    inst.id
                );
            }
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
