//! Shared by the core's integration tests: fixtures in, checked projects out.

#![allow(dead_code, clippy::disallowed_methods)] // each test binary uses part of it; tests read fixtures from disk

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

/// Diagnostics as a person sees them, without colour.
pub fn rendered(project: &Project, diagnostics: &[Diagnostic]) -> String {
    let mut out = Vec::new();
    render::human(&mut out, &project.sources, diagnostics, false).expect("writing to memory");
    String::from_utf8(out).expect("ariadne writes UTF-8")
}
