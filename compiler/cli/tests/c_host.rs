//! The example C host (examples/c-host/host.c), built with the system C compiler under
//! AddressSanitizer against Ward's static library and the sensor profile `ward sensor
//! export --lang c` generates: for every example channel it must load what `ward verify`
//! accepts, refuse what it refuses, and report the same matches as `ward run` on the
//! example events, with the same evaluation counters as the runtime's; and it must
//! refuse a channel 291 that reads field 21 on the sensor that supplies 20, with the
//! verifier's code and offset; and a memory budget the host sets through
//! `ward_channel_verify_with` must refuse what it cannot hold, as the runtime does.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{build_examples, repo, run, sensor_export, ward};
use ward_compiler::events::{self, Shape};
use ward_compiler::profile::SensorExport;
use ward_runtime::{parse_public_key, Limits, SensorProfile, TrustStore, Value, VerifyError};

const SENSOR: &str = "windows_7_11";

/// The static library cargo built for this test run (ward-ffi is a dev-dependency), found
/// beside this test's own executable: the newest, should older builds linger.
fn static_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    fs::read_dir(deps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("libward_ffi-") && name.ends_with(".a")
        })
        .max_by_key(|p| fs::metadata(p).unwrap().modified().unwrap())
        .expect("cargo builds ward-ffi's static library as a dev-dependency")
}

/// Compiles the C host for `sensor` in `dir` under AddressSanitizer; returns its path.
fn build_host(dir: &Path, project: &Path, sensor: &str) -> PathBuf {
    let (code, out) = run(sensor_export(sensor, "c", project)
        .arg("-o")
        .arg(dir.join("profile.h")));
    assert_eq!(code, 0, "{out}");
    let host = dir.join("host");
    let output = Command::new("cc")
        .args(["-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror"])
        .args(["-fsanitize=address,undefined", "-fno-omit-frame-pointer"])
        .arg(format!("-I{}", repo().join("ffi/include").display()))
        .arg(format!("-I{}", dir.display()))
        .arg(format!(
            "-DHOST_PROFILE=WARD_PROFILE_{}",
            sensor.to_uppercase()
        ))
        .arg(repo().join("examples/c-host/host.c"))
        .arg(static_library())
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&host)
        .output()
        .expect("a C compiler `cc` on PATH");
    assert!(
        output.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    host
}

/// Runs the host; (exit code, stdout). Anything AddressSanitizer reports fails the test.
fn run_host(host: &Path, args: &[&Path]) -> (i32, String) {
    let out = Command::new(host)
        .args(args)
        .env(
            "ASAN_OPTIONS",
            "detect_leaks=1:abort_on_error=0:exitcode=99",
        )
        .env("UBSAN_OPTIONS", "halt_on_error=1:exitcode=98")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("Sanitizer") && ![98, 99].contains(&out.status.code().unwrap_or(0)),
        "the sanitizers report:\n{stderr}"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// One input as host.c reads it.
fn token(value: &Value) -> String {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    match value {
        Value::Bool(b) => format!("b:{}", u8::from(*b)),
        Value::Uint(n) => format!("u:{n}"),
        Value::Int(n) => format!("i:{n}"),
        Value::Enum(n) => format!("e:{n}"),
        Value::Str(s) => format!("s:{}", hex(s.as_bytes())),
        Value::Ip(std::net::IpAddr::V4(a)) => format!("a:{}", hex(&a.octets())),
        Value::Ip(std::net::IpAddr::V6(a)) => format!("a:{}", hex(&a.octets())),
        Value::Sha256(h) => format!("h:{}", hex(h)),
    }
}

/// The example events for `channel` with their line numbers: the inputs `ward run` would
/// pass, from the same decoder.
fn host_inputs(channel: &ward_runtime::VerifiedChannel, jsonl: &str) -> Vec<(usize, Vec<Value>)> {
    jsonl
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let json = serde_json::from_str(line).unwrap();
            events::from_json(Shape::of_verified(channel), &json)
                .unwrap()
                .map(|inputs| (i + 1, inputs))
        })
        .collect()
}

/// The example events for `channel`, as host.c reads them.
fn host_events(channel: &ward_runtime::VerifiedChannel, jsonl: &str) -> String {
    host_inputs(channel, jsonl)
        .iter()
        .map(|(number, inputs)| {
            let tokens: Vec<String> = inputs.iter().map(token).collect();
            format!(
                "{number} {} {} {}\n",
                channel.template().id,
                inputs.len(),
                tokens.join(" ")
            )
        })
        .collect()
}

/// The `counters` line host.c prints after its events, from the Rust side's counters
/// after evaluating the same events: the same work, the same units (its memory is the
/// Rust side's own figure, the same channel verified again).
fn expected_counters(channel: &ward_runtime::VerifiedChannel, jsonl: &str) -> String {
    let mut buffer = ward_runtime::EvalBuffer::new();
    for (_, inputs) in host_inputs(channel, jsonl) {
        channel.evaluate_into(&inputs, &mut buffer).unwrap();
    }
    let c = channel.counters();
    format!(
        "counters events={} matches={} cost_total={} cost_worst={} cost_p50={} cost_p99={} timed={} memory={}\n",
        c.events,
        c.matches,
        c.cost_total,
        c.cost_worst,
        c.cost_quantile(500),
        c.cost_quantile(990),
        c.events,
        c.memory_bytes
    )
}

/// `ward run`'s detections as host.c prints them.
fn ward_run_matches(file: &Path, public: &Path, project: &Path, events: &Path) -> String {
    let (code, out) = run(ward()
        .arg("run")
        .arg(file)
        .arg("--trust")
        .arg(public)
        .args(["--sensor", SENSOR, "--project"])
        .arg(project)
        .arg("--events")
        .arg(events));
    assert_eq!(code, 0, "{out}");
    out.lines()
        .map(|l| {
            let j: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "match event={} instance={} name={} severity={} action={}\n",
                j["event"],
                j["instance"],
                j["name"].as_str().unwrap(),
                j["severity"].as_str().unwrap(),
                j["action"].as_str().unwrap()
            )
        })
        .collect()
}

/// What the Rust side verifies with: the same key, and the same generated profile (the
/// JSON form of what host.c compiles in).
fn host_side(public: &Path, project: &Path) -> (TrustStore, SensorProfile) {
    let key = parse_public_key(&fs::read_to_string(public).unwrap()).unwrap();
    let (code, json) = run(&mut sensor_export(SENSOR, "json", project));
    assert_eq!(code, 0, "{json}");
    let profile = SensorExport::from_json(&json).unwrap().profile();
    (TrustStore::with_keys(vec![key]).unwrap(), profile)
}

#[test]
fn the_c_host_loads_refuses_and_matches_as_ward_does() {
    let dir = tempfile::tempdir().unwrap();
    let (examples, public, built) = build_examples(dir.path());
    let host = build_host(dir.path(), &examples, SENSOR);

    let (trust, profile) = host_side(&public, &examples);
    let jsonl = fs::read_to_string(examples.join("events/windows.jsonl")).unwrap();
    let events_file = examples.join("events/windows.jsonl");

    let mut files: Vec<PathBuf> = fs::read_dir(&built)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut loaded, mut refused, mut matched) = (0, 0, 0);
    for file in &files {
        let bytes = fs::read(file).unwrap();
        match ward_runtime::verify(&bytes, &trust, &profile) {
            Ok(channel) => {
                let events = dir.path().join("events.txt");
                fs::write(&events, host_events(&channel, &jsonl)).unwrap();
                let (code, out) = run_host(&host, &[file, &public, &events]);
                assert_eq!(code, 0, "{}: {out}", file.display());
                let (first, matches) = out.split_once('\n').unwrap();
                assert!(
                    first.starts_with(&format!("loaded channel={} ", channel.id())),
                    "{first}"
                );
                let (matches, counters) = matches
                    .rsplit_once("counters ")
                    .map(|(m, c)| (m, format!("counters {c}")))
                    .unwrap_or_else(|| panic!("no counters line: {out}"));
                let expected = ward_run_matches(file, &public, &examples, &events_file);
                assert_eq!(matches, expected, "{}", file.display());
                // The C host's counters, read through the C ABI, are the runtime's.
                assert_eq!(
                    counters,
                    expected_counters(&channel, &jsonl),
                    "{}",
                    file.display()
                );
                loaded += 1;
                matched += expected.lines().count();
            }
            Err(e) => {
                let (code, out) = run_host(&host, &[file, &public]);
                assert_eq!(code, 1, "{}: {out}", file.display());
                let code_offset = format!("code={} offset={} ", e.code(), e.offset());
                assert!(out.starts_with("refused status=5 "), "{out}");
                assert!(out.contains(&code_offset), "{out} / {e:?}");
                assert!(out.contains(&e.to_string()), "{out} / {e}");
                refused += 1;
            }
        }
    }
    assert!(
        loaded >= 5 && refused >= 5,
        "loaded {loaded}, refused {refused}"
    );
    assert!(matched >= 5, "only {matched} matches compared");
}

#[test]
fn the_c_host_refuses_channel_291_reading_field_21_on_the_20_field_sensor() {
    // The July 2024 file: a criterion on input 21 of the IPC template, built for the
    // sensor that supplies 21 and loaded by the one that supplies 20.
    let project = support::project(&[
        ("Ward.toml", b"[project]\nname = \"c291\"\n"),
        (
            "channels/ipc.ward",
            b"channel Ipc = 291 {\n    version 1\n    template IpcNamedPipe\n    targets [windows_7_12]\n    instance wildcard_21 = 1 {\n        pipe_sddl contains \"D:\"\n        severity high\n    }\n}\n",
        ),
    ]);
    let (secret, public) = support::keygen(project.path());
    let out_dir = project.path().join("build");
    let (code, out) = run(ward()
        .arg("build")
        .arg(project.path())
        .arg("--key")
        .arg(&secret)
        .arg("--out")
        .arg(&out_dir));
    assert_eq!(code, 0, "{out}");
    let file = out_dir.join("Ipc.chan");
    let host = build_host(project.path(), project.path(), SENSOR);
    let (code, out) = run_host(&host, &[&file, &public]);
    assert_eq!(code, 1, "{out}");

    let (trust, profile) = host_side(&public, project.path());
    let err = ward_runtime::verify(&fs::read(&file).unwrap(), &trust, &profile).unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::FieldNotSupplied {
                field: 21,
                supplied: 20,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), 505);
    assert!(
        out.starts_with(&format!(
            "refused status=5 (channel refused) code={} offset={} ",
            err.code(),
            err.offset()
        )),
        "{out} / {err:?}"
    );
    assert!(out.contains(&format!("message={err}")), "{out}");
}

#[test]
fn the_c_host_refuses_a_channel_over_the_memory_budget_it_sets() {
    let dir = tempfile::tempdir().unwrap();
    let (examples, public, built) = build_examples(dir.path());
    let host = build_host(dir.path(), &examples, SENSOR);
    let (trust, profile) = host_side(&public, &examples);
    // The largest example channel this sensor loads under the default limits.
    let file = fs::read_dir(&built)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| ward_runtime::verify(&fs::read(p).unwrap(), &trust, &profile).is_ok())
        .max_by_key(|p| fs::metadata(p).unwrap().len())
        .expect("an example channel the sensor loads");
    let bytes = fs::read(&file).unwrap();
    let (code, out) = run_host(&host, &[&file, &public]);
    assert_eq!(code, 0, "the default limits load it: {out}");

    // A budget of a kilobyte: the runtime refuses the channel before decoding past it,
    // and the C host, which set the budget through the C ABI, is refused the same way.
    let budget = 1024;
    let limits = Limits {
        max_decoded_bytes: budget,
        ..Limits::DEFAULT
    };
    let err = ward_runtime::verify_with(&bytes, &trust, &profile, &limits).unwrap_err();
    assert!(
        matches!(err, VerifyError::LimitExceeded { limit, .. } if limit == budget as u64),
        "{err:?}"
    );
    let budget_arg = budget.to_string();
    let (code, out) = run_host(
        &host,
        &[Path::new("-m"), Path::new(&budget_arg), &file, &public],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with(&format!(
            "refused status=5 (channel refused) code={} offset={} message={err}",
            err.code(),
            err.offset()
        )),
        "{out} / {err:?}"
    );

    // A malformed budget is a usage error, not a default.
    let (code, _) = run_host(&host, &[Path::new("-m"), Path::new("lots"), &file, &public]);
    assert_eq!(code, 2);
}
