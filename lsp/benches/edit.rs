//! Time from an edit to the diagnostics the server publishes, on a 10,000-line file: the
//! path a `didChange` runs after its debounce (load through the buffer overlay, check,
//! index, convert every diagnostic to the protocol).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use ward_compiler::ide::Analysis;
use ward_compiler::io::MemoryFs;
use ward_compiler::project;
use ward_lsp::{diagnostics, OverlayFs, Uris, DIAGNOSTICS_DOCS};

/// A channel of 2,000 five-line instances: 10,005 lines.
fn big_file(edit: usize) -> String {
    let mut text = String::from(
        "channel Big = 900 {\n    version 1\n    template IpcNamedPipe\n    targets [windows_7_12]\n",
    );
    for i in 0..2000 {
        text.push_str(&format!(
            "    instance i{i} = {i} {{\n        pipe_name contains \"p{i}-{edit}\"\n        client_pid > {i}\n        severity high\n    }}\n"
        ));
    }
    text.push_str("}\n");
    text
}

fn edit_to_diagnostics(c: &mut Criterion) {
    let root = Path::new("/p");
    let mut base = MemoryFs::new();
    base.insert(root.join("Ward.toml"), "[project]\nname = \"bench\"\n");
    let base: ward_lsp::BaseFs = Arc::new(base);
    let path = root.join("channels/big.ward");
    assert!(big_file(0).lines().count() >= 10_000);
    let mut edit = 0;
    c.bench_function("edit of a 10,000-line file to published diagnostics", |b| {
        b.iter(|| {
            edit += 1;
            let buffers = BTreeMap::from([(path.clone(), Arc::from(big_file(edit)))]);
            let fs = OverlayFs::new(base.clone(), buffers);
            let project = project::load(&fs, root).unwrap();
            let analysis = Analysis::from_project(project);
            diagnostics(&analysis, Uris { stdlib_dir: None }, DIAGNOSTICS_DOCS)
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = edit_to_diagnostics
}
criterion_main!(benches);
