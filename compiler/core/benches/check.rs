//! How long `ward check` takes on a project of 100,000 instances: loading (through an
//! in-memory file system, so the disk is not measured), parsing and every check.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ward_compiler::project;

mod generate;

fn check_100k(c: &mut Criterion) {
    let root = Path::new("/bench");
    let (fs, lines) = generate::project(root, 100_000);
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.throughput(Throughput::Elements(lines as u64));
    group.bench_function("100k_instances", |b| {
        b.iter(|| {
            let project = project::load(&fs, root).expect("generated project loads");
            let checked = ward_compiler::check(&project.sources);
            assert!(!checked.has_errors(), "{:?}", checked.diagnostics.first());
            black_box(checked.program.channels.len())
        });
    });
    group.finish();
}

criterion_group!(benches, check_100k);
criterion_main!(benches);
