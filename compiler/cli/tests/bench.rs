//! `ward bench` end to end on the example project: built with `ward build`, then timed
//! on the example events.

mod support;

use std::path::{Path, PathBuf};

use support::{repo, run, ward};

/// Builds the examples into `out`; the path of the process-start channel.
fn build_examples(out: &Path) -> PathBuf {
    let (code, text) = run(ward()
        .arg("build")
        .arg(repo().join("examples"))
        .arg("--out")
        .arg(out));
    assert_eq!(code, 0, "{text}");
    out.join("WindowsLolbins.chan")
}

fn bench(chan: &Path, events: &Path) -> (i32, String) {
    let examples = repo().join("examples");
    run(ward()
        .arg("bench")
        .arg(chan)
        .arg("--trust")
        .arg(examples.join("keys/example-insecure.pub"))
        .args(["--sensor", "windows_7_12", "--project"])
        .arg(&examples)
        .arg("--events")
        .arg(events))
}

#[test]
fn the_example_channel_reports_its_cost() {
    let tmp = tempfile::tempdir().unwrap();
    let chan = build_examples(tmp.path());
    let (code, text) = bench(&chan, &repo().join("examples/events/windows.jsonl"));
    assert_eq!(code, 0, "{text}");
    // Both rates, each labelled with what it counts.
    let per_event = text
        .lines()
        .find_map(|l| l.strip_prefix("per event: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(per_event.contains(" ns (median)") && per_event.contains(" ns (99th percentile)"));
    let median: f64 = per_event.split(' ').next().unwrap().parse().unwrap();
    let implied: f64 = per_event
        .strip_suffix(" events/s at the median")
        .and_then(|l| l.rsplit(' ').next())
        .unwrap_or_else(|| panic!("{per_event}"))
        .parse()
        .unwrap();
    assert!((implied - 1e9 / median).abs() <= 1.0, "{per_event}");
    let wall = text
        .lines()
        .find_map(|l| l.strip_prefix("wall time: "))
        .unwrap_or_else(|| panic!("{text}"));
    let rate: f64 = wall.split(' ').next().unwrap().parse().unwrap();
    assert!(rate > 0.0 && wall.contains("events/s over"), "{wall}");
    let memory = text
        .lines()
        .find_map(|l| l.strip_prefix("memory held by the verified channel: "))
        .unwrap_or_else(|| panic!("{text}"));
    let bytes: usize = memory.split(' ').next().unwrap().parse().unwrap();
    assert!(
        bytes > 0 && memory.ends_with(" bytes per instance)"),
        "{memory}"
    );
    // The verifier's bound beside the measured work: the measured never exceeds the bound
    // at the events' longest input, which never exceeds the bound at the input limit.
    let cost = text
        .lines()
        .find_map(|l| l.strip_prefix("cost per event: at most "))
        .unwrap_or_else(|| panic!("{text}"));
    let numbers: Vec<u64> = cost
        .split([' ', '(', ')', '-'])
        .filter_map(|w| w.parse().ok())
        .collect();
    let [_fixed, _per_byte, at_longest, longest, at_limit, limit, budget, measured] = numbers[..]
    else {
        panic!("{cost}");
    };
    assert!(limit >= longest && at_limit >= at_longest, "{cost}");
    assert!(measured > 0 && measured <= at_longest, "{cost}");
    assert!(at_limit <= budget, "{cost}");
}

#[test]
fn malformed_events_are_refused_before_anything_is_measured() {
    let tmp = tempfile::tempdir().unwrap();
    let chan = build_examples(tmp.path());
    let events = tmp.path().join("events.jsonl");
    std::fs::write(
        &events,
        "{\"template\": \"ProcessStart\", \"fields\": {\"pid\": \"not a number\"}}\n",
    )
    .unwrap();
    let (code, text) = bench(&chan, &events);
    assert_eq!(code, 1, "{text}");
    assert!(!text.contains("events/s"), "{text}");
    // Events of other templates only: nothing to measure is a usage error.
    std::fs::write(
        &events,
        "{\"template\": \"IpcNamedPipe\", \"fields\": {}}\n",
    )
    .unwrap();
    let (code, text) = bench(&chan, &events);
    assert_eq!(code, 2, "{text}");
}

#[test]
fn events_can_come_from_standard_input() {
    let tmp = tempfile::tempdir().unwrap();
    let chan = build_examples(tmp.path());
    let examples = repo().join("examples");
    let events = std::fs::read(examples.join("events/windows.jsonl")).unwrap();
    let (code, text) = run(ward()
        .arg("bench")
        .arg(&chan)
        .arg("--trust")
        .arg(examples.join("keys/example-insecure.pub"))
        .args(["--sensor", "windows_7_12", "--project"])
        .arg(&examples)
        .args(["--events", "-"])
        .write_stdin(events));
    assert_eq!(code, 0, "{text}");
    assert!(text.starts_with("per event: "), "{text}");
}
