//! How long `ward check` takes on hostile source (issue #17): parsing and checking one
//! file with the stdlib, then writing the human report to nowhere, as the CLI would.
//! Each case was quadratic or unbounded before: 50,000 errors in 100 KB, an unterminated
//! string before 100,000 lines, a file at the 8 MiB size limit full of mistakes, and one
//! 20 KB line of repeated tags (a warning each, each quoting the line).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ward_compiler::project::{stdlib_sources, MAX_SOURCE_FILE};
use ward_compiler::render;
use ward_compiler::sources::Origin;

/// Checks `text` as a project file and renders what a person would see.
fn check_and_render(text: &str) -> usize {
    let mut sources = stdlib_sources();
    sources.add("main.ward", None, text, Origin::Project);
    let checked = ward_compiler::check(&sources);
    render::human(&mut std::io::sink(), &sources, &checked.diagnostics, false)
        .expect("a sink takes everything");
    checked.diagnostics.len()
}

fn cases() -> Vec<(&'static str, String)> {
    let limit = usize::try_from(MAX_SOURCE_FILE).unwrap_or(usize::MAX);
    let instance =
        "    instance i = 1 {\n        image ends_with \"x\"\n        severity low\n    }\n";
    let tags = vec!["\"attack.t1059\""; 1500].join(", ");
    vec![
        ("50,000 errors in 100 KB", "}\n@\n".repeat(25_000)),
        (
            "an unterminated string before 100,000 lines",
            format!(
                "channel C = 1 {{\n    version 1\n    template ProcessStart\n    targets [windows_7_12]\n    instance u = 1 {{\n        image ends_with \"open\n    }}\n{}}}\n",
                instance.repeat(25_000)
            ),
        ),
        (
            "8 MiB of unclosed raw strings",
            "r#\"a\n".repeat(limit / 5),
        ),
        ("8 MiB of stray braces and characters", "}\n@\n".repeat(limit / 4)),
        (
            "a 20 KB line of 1,500 repeated tags",
            format!("channel C = 1 {{ version 1 template ProcessStart targets [windows_7_12] instance i = 1 {{ image ends_with \"x\" severity low tags [{tags}] }} }}\n"),
        ),
    ]
}

fn hostile(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile source");
    group.sample_size(10);
    for (name, text) in cases() {
        group.bench_function(name, |b| b.iter(|| black_box(check_and_render(&text))));
    }
    group.finish();
}

criterion_group!(benches, hostile);
criterion_main!(benches);
