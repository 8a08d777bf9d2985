//! Shared by the core's integration tests: fixtures in, checked projects out.

#![allow(dead_code, clippy::disallowed_methods)] // each test binary uses part of it; tests read fixtures from disk

use std::fs;
use std::path::{Path, PathBuf};

use ward_compiler::io::MemoryFs;
use ward_compiler::project::{self, Project};
use ward_compiler::{render, Checked, Diagnostic};

pub const ROOT: &str = "/project";

/// The repository's top folder.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A project from a fixture. A fixture is one file's text, or several files each under a
/// `//- path` header; a `Ward.toml` is added when the fixture has none.
pub fn fixture(text: &str) -> MemoryFs {
    let root = Path::new(ROOT);
    let mut fs = if text.starts_with("//- ") {
        MemoryFs::from_fixture(root, text)
    } else {
        let mut fs = MemoryFs::new();
        fs.insert(root.join("main.ward"), text);
        fs
    };
    if !text.contains("//- Ward.toml") {
        fs.insert(root.join("Ward.toml"), "[project]\nname = \"fixture\"\n");
    }
    fs
}

/// Loads and checks a fixture; every diagnostic, loading and checking together.
pub fn check_fixture(text: &str) -> (Project, Checked, Vec<Diagnostic>) {
    let project = project::load(&fixture(text), Path::new(ROOT)).expect("fixtures have a manifest");
    let checked = ward_compiler::check(&project.sources);
    let mut all = project.diagnostics.clone();
    all.extend(checked.diagnostics.iter().cloned());
    (project, checked, all)
}

/// The example project (examples/), loaded into memory and checked; it must be clean.
pub fn examples() -> (Project, Checked) {
    fn load_dir(fs: &mut MemoryFs, examples: &Path, root: &Path, dir: &Path) {
        for entry in fs::read_dir(dir).expect("readable examples") {
            let path: PathBuf = entry.expect("readable entry").path();
            if path.is_dir() {
                load_dir(fs, examples, root, &path);
            } else {
                let relative = path.strip_prefix(examples).expect("under examples/");
                fs.insert(root.join(relative), fs::read(&path).expect("readable file"));
            }
        }
    }
    let root = Path::new("/examples");
    let examples = repo().join("examples");
    let mut fs = MemoryFs::new();
    load_dir(&mut fs, &examples, root, &examples);
    let project = project::load(&fs, root).expect("the examples have a manifest");
    let checked = ward_compiler::check(&project.sources);
    assert!(
        !checked.has_errors(),
        "{}",
        rendered(&project, &checked.diagnostics)
    );
    (project, checked)
}

/// Diagnostics as a person sees them, without colour.
pub fn rendered(project: &Project, diagnostics: &[Diagnostic]) -> String {
    let mut out = Vec::new();
    render::human(&mut out, &project.sources, diagnostics, false).expect("writing to memory");
    String::from_utf8(out).expect("ariadne writes UTF-8")
}

/// The cases (`.ward` files) under `snapshots/<kind>/`, sorted.
pub fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = repo().join("snapshots").join(kind);
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ward"))
        .collect();
    cases.sort();
    cases
}

/// Compares `snapshot` with the insta snapshot beside `case`, named after it.
pub fn assert_case_snapshot(case: &Path, snapshot: String) {
    let name = case.file_stem().unwrap().to_string_lossy().into_owned();
    insta::with_settings!({
        snapshot_path => case.parent().unwrap(),
        prepend_module_to_snapshot => false,
        omit_expression => true,
        input_file => case,
    }, {
        insta::assert_snapshot!(name, snapshot);
    });
}

/// Every snapshot under `snapshots/<kind>/` has its case beside it, and nothing else is
/// there: a snapshot whose case was deleted or renamed would otherwise pass forever.
pub fn assert_no_orphaned_snapshots(kind: &str) {
    let dir = repo().join("snapshots").join(kind);
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".snap") {
            assert!(
                dir.join(format!("{stem}.ward")).exists(),
                "snapshots/{kind}/{name} has no case {stem}.ward: delete it or restore the case"
            );
        } else {
            assert!(
                name.ends_with(".ward")
                    || name.ends_with(".snap.new")
                    || name.ends_with(".pending-snap"),
                "unexpected file in snapshots/{kind}: {name}"
            );
        }
    }
}
