//! Evaluation into a caller's buffer makes no heap allocation per event: after one warm-up
//! pass (the buffers grow to the largest event, the regex engines build their caches),
//! a counting allocator sees none (timed or not, counters read or not), and the answers
//! are still the reference evaluator's.
//! The events include non-ASCII `path` inputs, which are lowercased and folded in the
//! buffer too.

mod common;

use common::*;
use ward_runtime::*;

/// Events that exercise every criterion of [`small_channel`]: the regex and globs on the
/// `path` pipe field (lowercased), the image glob, the enum list, the CIDR and the bound.
fn events() -> Vec<Vec<Value>> {
    let s = |t: &str| Value::Str(t.to_string());
    vec![
        event(),
        event_with(&[
            (PIPE, s(r"\\.\pipe\MSAGENT_1f")),
            (REMOTE, Value::Bool(false)),
        ]),
        event_with(&[
            (PIPE, s(r"\\.\pipe\mojo.5.12")),
            (IMAGE, s(r"C:\Temp\x.exe")),
        ]),
        event_with(&[
            (PIPE, s(r"\\.\PIPE\Mojo.x")),
            (IMAGE, s(r"C:\Program Files\Google\Chrome\chrome.exe")),
            (INTEGRITY, Value::Enum(1)),
        ]),
        event_with(&[
            (ADDR, Value::Ip("10.1.2.3".parse().unwrap())),
            (PORT, Value::Uint(4444)),
        ]),
        // Non-ASCII `path` text: lowercased per character (sigmas, U+0130 to two
        // characters), then folded for the literal tables (LONG S, KELVIN SIGN), all in
        // the kept buffers; the second matches the pipe glob through its lowercase form.
        event_with(&[
            (PIPE, s("\\\\.\\PIPE\\ΟΔΟΣ_\u{130}\u{17F}\u{212A}")),
            (IMAGE, s(r"C:\Ünïcödé\ſvc.exe")),
        ]),
        event_with(&[(PIPE, s(r"\\.\pipe\MOJO.Σς"))]),
    ]
}

#[test]
fn evaluation_into_a_warm_buffer_allocates_nothing() {
    let v = verify(&sign1(&small_channel()), &trust(), &host()).unwrap();
    let owned = events();
    let borrowed: Vec<Vec<Value<&str>>> = owned
        .iter()
        .map(|e| e.iter().map(Value::borrowed).collect())
        .collect();
    let mut buffer = EvalBuffer::new();
    let warm: Vec<Vec<Match>> = borrowed
        .iter()
        .map(|e| v.evaluate_into(e, &mut buffer).unwrap().to_vec())
        .collect();

    let mut clock = 0u64;
    let counted = allocation_counter::measure(|| {
        for e in &borrowed {
            v.evaluate_into(e, &mut buffer).unwrap();
            // Timed by the host's clock, and the counters read: no allocation either.
            v.evaluate_timed(e, &mut buffer, &mut || {
                clock += 1;
                clock
            })
            .unwrap();
            std::hint::black_box(v.counters());
        }
    });
    assert_eq!(counted.count_total, 0, "{counted:?}");
    assert_eq!(v.counters().timed_events, borrowed.len() as u64);

    for ((e, warm), owned) in borrowed.iter().zip(&warm).zip(&owned) {
        assert_eq!(v.evaluate_into(e, &mut buffer).unwrap(), warm.as_slice());
        assert_eq!(
            buffer.matches(),
            v.evaluate_reference(owned).unwrap().as_slice()
        );
    }
    // The events match something, so the count covered confirming candidates too.
    assert!(
        warm.iter().filter(|m| !m.is_empty()).count() >= 3,
        "{warm:?}"
    );
}
