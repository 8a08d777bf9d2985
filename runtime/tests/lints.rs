//! The runtime's panic-freedom lints are in force: `cargo clippy --workspace` (CI) denies
//! them outside tests, and this test fails if the lint block is weakened or a lint is
//! switched off anywhere in the runtime's non-test source, which clippy alone would
//! accept. docs/security.md says why this, and not `#[no_panic]`, is the mechanical check.

use std::fs;
use std::path::{Path, PathBuf};

/// The lints DESIGN.md invariant 3 names, plus the ones that forbid placeholders.
const DENIED: &[&str] = &[
    "clippy::indexing_slicing",
    "clippy::unwrap_used",
    "clippy::expect_used",
    "clippy::panic",
    "clippy::arithmetic_side_effects",
    "clippy::unreachable",
    "clippy::todo",
    "clippy::unimplemented",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_lint_block_denies_every_panic_path_outside_tests() {
    let lib = fs::read_to_string(src().join("lib.rs")).unwrap();
    assert!(lib.contains("#![forbid(unsafe_code)]"));
    let start = lib
        .find("#![cfg_attr(\n    not(test),\n    deny(")
        .expect("lib.rs denies the restriction lints outside tests");
    let block = &lib[start..start + lib[start..].find(")\n)]").unwrap()];
    for lint in DENIED {
        assert!(block.contains(lint), "lib.rs no longer denies {lint}");
    }
}

#[test]
fn no_lint_is_switched_off_in_non_test_code() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    assert!(files.len() > 5);
    for path in files {
        // Test modules (`mod tests;` files, and the `#[cfg(test)] mod tests` that ends a
        // file) may index and unwrap.
        if path.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        let code = match text.find("#[cfg(test)]\nmod tests {") {
            Some(at) => &text[..at],
            None => &text,
        };
        for attr in ["allow(", "expect(", "warn("] {
            for prefix in ["#[", "#![", "cfg_attr("] {
                let at = code.find(&format!("{prefix}{attr}"));
                assert!(
                    at.is_none(),
                    "{}: `{prefix}{attr}` at byte {at:?} would switch a lint off",
                    path.display()
                );
            }
        }
    }
}
