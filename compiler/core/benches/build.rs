//! How long `ward build` takes, past checking, on a project of 100,000 instances: lowering
//! every channel to the runtime's model, encoding and signing it, and verifying it with
//! the runtime's verifier against every sensor it targets (which compiles its patterns and
//! builds its index). Loading and checking run once, outside the timing (see check.rs).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ward_compiler::hir::ChannelId;
use ward_compiler::{lower, project};
use ward_encode::sign;
use ward_runtime::{verify, SigningKey, TrustStore};

mod generate;

fn build_100k(c: &mut Criterion) {
    let root = Path::new("/bench");
    let (fs, _) = generate::project(root, 100_000);
    let project = project::load(&fs, root).expect("generated project loads");
    let checked = ward_compiler::check(&project.sources);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics.first());
    let program = &checked.program;
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let trust = TrustStore::with_keys(vec![key.verifying_key()]).unwrap();
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("100k_instances", |b| {
        b.iter(|| {
            let mut bytes_written = 0;
            for (i, ch) in program.channels.iter().enumerate() {
                let model = lower::channel(program, &project.sources, ChannelId(i));
                let bytes = sign(&model, &[&key]).unwrap();
                for target in &ch.targets {
                    let profile = lower::sensor_profile(program, target.sensor);
                    black_box(verify(&bytes, &trust, &profile).unwrap());
                }
                bytes_written += bytes.len();
            }
            black_box(bytes_written)
        });
    });
    group.finish();
}

criterion_group!(benches, build_100k);
criterion_main!(benches);
