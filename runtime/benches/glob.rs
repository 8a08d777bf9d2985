//! Criterion benchmarks of the glob matcher through evaluation (issue 17): one instance
//! whose glob's middle piece almost matches at every position of a 16 KiB input (the
//! shape that cost input length times glob length), and an ordinary `path` glob on
//! ordinary process-start images. Only the public evaluation API is used, so the same
//! file measures the matcher before and after; figures are in docs/performance.md.

// Shared with the other benchmarks, which use more of it.
#[allow(dead_code)]
mod mix;

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion as Bench};
use ward_encode::sign;
use ward_runtime::*;

/// The generated channel's template with one instance: `glob` on the image (a `path`).
fn one_glob(glob: &str) -> VerifiedChannel {
    let mut channel = mix::channel(0);
    channel.instances = vec![Instance {
        id: 1,
        name: "glob".into(),
        severity: Severity::High,
        action: Action::Detect,
        tags: vec![],
        criteria: vec![Criterion {
            field: 1,
            op: Op::Glob,
            operand: Operand::Pattern(glob.into()),
        }],
    }];
    let bytes = sign(&channel, &[&mix::key()]).unwrap();
    verify(&bytes, &mix::trust(), &mix::host(&channel)).unwrap()
}

/// An event of the generated template whose image is `image`.
fn with_image(image: &str) -> Vec<Value> {
    let mut event = mix::events(1, 1).remove(0);
    event[0] = Value::Str(image.into());
    event
}

/// Times evaluating `event` (which must match) on `channel`.
fn bench_one(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    channel: &VerifiedChannel,
    event: &[Value],
) {
    let mut buffer = EvalBuffer::new();
    assert_eq!(channel.evaluate_into(event, &mut buffer).unwrap().len(), 1);
    group.bench_function(id, |b| {
        b.iter(|| {
            black_box(
                channel
                    .evaluate_into(black_box(event), &mut buffer)
                    .unwrap()
                    .len(),
            )
        })
    });
}

fn bench_glob(c: &mut Bench) {
    let mut group = c.benchmark_group("glob");
    let piece = "x".repeat(1000);
    // The image contains the piece (so the index proposes the instance), only at its end.
    bench_one(
        &mut group,
        BenchmarkId::new("stalling", "16KiB"),
        &one_glob(&format!("a*{piece}y*")),
        &with_image(&format!("a{}y", "x".repeat(16 * 1024))),
    );
    bench_one(
        &mut group,
        BenchmarkId::new("ordinary", "path"),
        &one_glob(r"C:\Windows\*\WindowsPowerShell\*\powershell.exe"),
        &with_image(r"C:\Windows\System32\WindowsPowerShell\v1.0\POWERSHELL.EXE"),
    );
    group.finish();
}

criterion_group!(benches, bench_glob);
criterion_main!(benches);
