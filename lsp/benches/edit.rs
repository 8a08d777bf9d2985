//! Time from an edit to the diagnostics the server publishes, on a 20,000-line file: the
//! path a `didChange` runs after its debounce (load through the buffer overlay, check,
//! index, convert every diagnostic to the protocol). Each instance has a regex, as real
//! content does; an edit changes one of them.
//!
//! The work runs on one thread, and on Linux the figure is the process's CPU time (user
//! and system, from /proc/self/stat), not wall time: on a shared machine wall time
//! measures the neighbours. Elsewhere it is wall time.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use ward_compiler::ide::Analysis;
use ward_compiler::io::MemoryFs;
use ward_compiler::project;
use ward_lsp::{diagnostics, OverlayFs, Uris, DIAGNOSTICS_DOCS};

const INSTANCES: usize = 4000;

/// A channel of 4,000 five-line instances, the `edit`-th one changed: 20,005 lines.
fn big_file(edit: usize) -> String {
    let mut text = String::from(
        "channel Big = 900 {\n    version 1\n    template IpcNamedPipe\n    targets [windows_7_12]\n",
    );
    for i in 0..INSTANCES {
        let changed = if i == edit % INSTANCES { edit } else { 0 };
        text.push_str(&format!(
            "    instance i{i} = {i} {{\n        pipe_name matches \"^p{i}-[a-z]+-{changed}$\"\n        client_pid > {i}\n        severity high\n    }}\n"
        ));
    }
    text.push_str("}\n");
    text
}

/// CPU time the process has used, in clock ticks of 10 ms (Linux's USER_HZ), if known.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime is the 12th, stime
    // the 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Runs `f` on each input: the CPU time taken where the system tells it, else wall time.
fn cpu_time<T>(inputs: Vec<T>, mut f: impl FnMut(T)) -> Duration {
    let (cpu, wall) = (cpu_ticks(), Instant::now());
    for input in inputs {
        f(input);
    }
    match (cpu, cpu_ticks()) {
        (Some(before), Some(after)) => Duration::from_millis((after - before) * 10),
        _ => wall.elapsed(),
    }
}

fn edit_to_diagnostics(c: &mut Criterion) {
    let root = Path::new("/p");
    let mut base = MemoryFs::new();
    base.insert(root.join("Ward.toml"), "[project]\nname = \"bench\"\n");
    let base: ward_lsp::BaseFs = Arc::new(base);
    let path = root.join("channels/big.ward");
    assert!(big_file(0).lines().count() >= 20_000);
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut edit = 0;
    // Publishing diagnostics does not build the name index; the second figure adds it,
    // as an editor's next request (semantic tokens, hover) does.
    for (name, with_index) in [
        ("edit of a 20,000-line file to published diagnostics", false),
        (
            "edit of a 20,000-line file to published diagnostics and the index",
            true,
        ),
    ] {
        c.bench_function(name, |b| {
            b.iter_custom(|iters| {
                // The edited texts are made before the clock starts: the client sends them.
                let texts: Vec<Arc<str>> = (0..iters)
                    .map(|_| {
                        edit += 1;
                        Arc::from(big_file(edit))
                    })
                    .collect();
                cpu_time(texts, |text| {
                    let buffers = BTreeMap::from([(path.clone(), text)]);
                    one_thread.install(|| {
                        let fs = OverlayFs::new(base.clone(), buffers);
                        let project = project::load(&fs, root).unwrap();
                        let analysis = Analysis::from_project(project);
                        let uris = Uris { stdlib_dir: None };
                        let published = diagnostics(&analysis, uris, DIAGNOSTICS_DOCS);
                        assert!(published.iter().all(|(_, list)| list.is_empty()));
                        if with_index {
                            std::hint::black_box(analysis.index().defs().count());
                        }
                    });
                })
            })
        });
    }
}

criterion_group! {
    name = benches;
    // Ten samples of several edits each: CPU time is counted in 10 ms ticks.
    config = Criterion::default().sample_size(10);
    targets = edit_to_diagnostics
}
criterion_main!(benches);
