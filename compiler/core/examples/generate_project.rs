//! Writes the benchmarks' generated project (benches/generate.rs) to a folder, for
//! measuring `ward check` and `ward build` on it as a user runs them (peak memory with
//! `/usr/bin/time -v`; docs/performance.md):
//!
//!     cargo run --release -p ward-compiler --example generate_project -- 1000000 /tmp/gen1m

// A measuring tool beside the core, not part of it: it writes the generated files to disk,
// which the core itself never does (clippy.toml).
#![allow(clippy::disallowed_methods)]

#[path = "../benches/generate.rs"]
mod generate;

use std::path::Path;

use ward_compiler::io::{FileSystem, MemoryFs};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(count), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: generate_project INSTANCES DIR");
        std::process::exit(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("INSTANCES must be a number, not {count}");
        std::process::exit(2);
    };
    let root = Path::new("/generated");
    let (fs, lines): (MemoryFs, usize) = generate::project(root, count);
    for path in fs.walk(root).expect("a memory file system lists its files") {
        let bytes = fs.read(&path, u64::MAX).expect("listed, so present");
        let target = Path::new(&out).join(path.strip_prefix(root).unwrap_or(&path));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| {
                eprintln!("cannot create {}: {e}", parent.display());
                std::process::exit(2);
            });
        }
        std::fs::write(&target, bytes).unwrap_or_else(|e| {
            eprintln!("cannot write {}: {e}", target.display());
            std::process::exit(2);
        });
    }
    println!("{count} instances, {lines} lines, in {out}");
}
