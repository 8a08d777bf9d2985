//! Property: time, not panics. For any verified channel and any well-typed event, the
//! work evaluation does (the runtime's instrumented counter, `EvalBuffer::work`, never a
//! clock) is at most the verifier's worst-case bound at the event's longest text input;
//! and the bound at the host's input limit is within its budget. Text inputs are
//! sometimes stretched by repetition, up to 64 KiB, toward the shapes that stall naive
//! matchers (a prefix repeated against globs and literals of the same letters).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ward_encode::sign;
use ward_fuzz::{channel, host, key, trust, typed_event};
use ward_runtime::limits::MAX_INPUT_BYTES;
use ward_runtime::{longest_text_input, verify, EvalBuffer, Limits, Value};

use arbitrary::{Result, Unstructured};

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let generated = channel(u)?;
    let bytes = sign(&generated.channel, &[&key()]).unwrap_or_else(|e| panic!("sign: {e}"));
    let verified = match verify(&bytes, &trust(), &host(generated.supplied)) {
        Ok(v) => v,
        // Refused over budget is the verifier's defence working; any other refusal of a
        // generated channel is another target's finding.
        Err(e) if e.code() == 518 => return Ok(()),
        Err(e) => panic!("generated channel rejected: {e}"),
    };
    let bound = verified.cost_bound();
    let limits = Limits::DEFAULT;
    assert!(bound.at(limits.max_input_bytes) <= limits.max_event_cost);
    let mut buffer = EvalBuffer::new();
    for _ in 0..u.int_in_range(1..=4)? {
        let mut event = typed_event(u, generated.supplied)?;
        for input in &mut event {
            if let Value::Str(s) = input {
                if !s.is_empty() && u.ratio(1, 3)? {
                    let times = u.int_in_range(1..=MAX_INPUT_BYTES / s.len())?;
                    *s = s.repeat(times);
                }
            }
        }
        let longest = longest_text_input(&event);
        verified
            .evaluate_into(&event, &mut buffer)
            .unwrap_or_else(|e| panic!("a well-typed event failed: {e}"));
        assert!(
            buffer.work() <= bound.at(longest),
            "work {} over the bound {bound:?} at {longest} bytes",
            buffer.work()
        );
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
