//! `ward bench FILE --events FILE`: what a channel costs a sensor, on the events `ward run`
//! reads (JSON Lines, .evtx or its JSON dump). Verifies the channel as `ward run` does,
//! decodes every event first, then times evaluation alone and reports nanoseconds per
//! event (and the rate they imply), events per second of wall time, the memory the
//! verified channel holds, and the verifier's worst-case cost of one event beside the
//! work the costliest event measured took.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use ward_compiler::events::{self, Shape};
use ward_runtime::{longest_text_input, EvalBuffer, Limits, Value, VerifiedChannel};
use ward_sigma::winlog::{Reader, Record};

use crate::commands::verify::HostArgs;
use crate::host;
use crate::measure::measure;
use crate::output::outln;
use crate::output::{fail, CLEAN, CONTENT_ERRORS};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The channel file.
    pub file: PathBuf,
    #[command(flatten)]
    pub host: HostArgs,
    /// Events, as for `ward run`: JSON Lines, a Windows event log (.evtx) or its JSON
    /// dump (`-` reads standard input). Events of other templates, and Windows events of
    /// no template, are skipped.
    #[arg(long)]
    pub events: PathBuf,
}

pub fn run(args: &BenchArgs) -> ExitCode {
    let verified = match args.host.verify(&args.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let events = match host::read_events(&args.events) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let reader = match Reader::bundled() {
        Ok(r) => r,
        Err(e) => return fail(format!("internal error: {e}")),
    };
    let mut decoded = Vec::new();
    let mut malformed = 0usize;
    // The events `ward run` reads, by the same reader: JSON Lines, .evtx or its JSON dump.
    for (number, record) in reader.read(events) {
        let inputs = match record {
            Record::Event(json) => events::from_json(Shape::of_verified(&verified), &json),
            // Of no template: a sensor routes them nowhere, so they cost it nothing here.
            Record::Unmapped { .. } => Ok(None),
            Record::Bad(why) => Err(why),
        };
        match inputs {
            Ok(Some(inputs)) => decoded.push(inputs),
            Ok(None) => {}
            Err(why) => {
                eprintln!("{}:{number}: {why}", args.events.display());
                malformed += 1;
            }
        }
    }
    if malformed > 0 {
        // A figure over only some of the events would mislead.
        eprintln!("error: {malformed} malformed event line(s); nothing was measured");
        return ExitCode::from(CONTENT_ERRORS);
    }
    if decoded.is_empty() {
        return fail(format!(
            "{} has no events of template `{}`",
            args.events.display(),
            verified.template().name
        ));
    }
    let m = measure(&verified, &decoded, Duration::from_millis(500));
    let memory = verified.memory_bytes();
    let instances = verified.instances().len().max(1);
    // Two different figures, both labelled: the median is one evaluation timed alone; the
    // wall-time rate includes the timing and whatever else the machine was doing.
    outln!(
        "per event: {} ns (median), {} ns (99th percentile), {:.0} events/s at the median",
        m.p50_ns,
        m.p99_ns,
        1e9 / m.p50_ns.max(1) as f64
    );
    outln!(
        "wall time: {:.0} events/s over {} evaluations of {} events (timing and machine load included)",
        m.events_per_sec,
        m.evaluations,
        decoded.len()
    );
    outln!(
        "memory held by the verified channel: {memory} bytes ({} bytes per instance)",
        memory / instances
    );
    print_cost(&verified, &decoded);
    ExitCode::from(CLEAN)
}

/// The verifier's worst-case cost of one event beside the work the costliest of these
/// events did, both in the runtime's steps (its work counter, not a clock).
fn print_cost(verified: &VerifiedChannel, decoded: &[Vec<Value>]) {
    let bound = verified.cost_bound();
    let mut buffer = EvalBuffer::new();
    let (mut worst, mut longest) = (0u64, 0usize);
    for inputs in decoded {
        if verified.evaluate_into(inputs, &mut buffer).is_ok() {
            worst = worst.max(buffer.work());
        }
        longest = longest.max(longest_text_input(inputs));
    }
    let limits = Limits::DEFAULT;
    outln!(
        "cost per event: at most {} steps + {} per byte of the longest text input: {} at these events' longest ({longest} bytes), {} at the {}-byte input limit (budget {}); measured: {worst} steps for the costliest of these events",
        bound.fixed,
        bound.per_byte,
        bound.at(longest),
        bound.at(limits.max_input_bytes),
        limits.max_input_bytes,
        limits.max_event_cost,
    );
}
