//! Writes seed corpora into fuzz/corpus/<target>/: the example project's channels, signed
//! with the fuzzing key (verify_bytes), its sources (parse_check), the runtime's
//! must-reject corpus (verify_bytes), and a few long byte strings that give the
//! generator-driven targets (mutate_valid, evaluate) room from the first execution.
//!
//! Run from the repository root: `cargo run --manifest-path fuzz/Cargo.toml --example seeds`.

use std::fs;
use std::path::{Path, PathBuf};

use ward_compiler::hir::ChannelId;
use ward_compiler::project::stdlib_sources;
use ward_compiler::sources::Origin;
use ward_compiler::{check, lower};
use ward_encode::{sign, sign_reset};
use ward_runtime::limits::MAX_CONTENT_VERSION;
use ward_runtime::RecordReset;

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn sorted_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
}

fn main() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = fuzz.join("..");
    let corpus = fuzz.join("corpus");
    let key = ward_fuzz::key();
    let mut channels = 0;
    for path in sorted_files(&repo.join("examples/channels"), "ward") {
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        write(
            &corpus.join("parse_check"),
            &format!("{stem}.ward"),
            text.as_bytes(),
        );
        let mut sources = stdlib_sources();
        sources.add(format!("{stem}.ward"), None, text.as_str(), Origin::Project);
        let checked = check(&sources);
        for (i, ch) in checked.program.channels.iter().enumerate() {
            let model = lower::channel(&checked.program, &sources, ChannelId(i));
            if let Ok(bytes) = sign(&model, &[&key]) {
                write(
                    &corpus.join("verify_bytes"),
                    &format!("{}.chan", ch.name),
                    &bytes,
                );
                channels += 1;
            }
        }
    }
    for path in sorted_files(&repo.join("runtime/tests/reject"), "chan") {
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        write(
            &corpus.join("verify_bytes"),
            &format!("reject-{name}"),
            &bytes,
        );
    }
    // A record reset signed with the fuzzing key, so the reset's verifier is reached past
    // its signatures from the first execution.
    let reset = RecordReset {
        channel_id: 291,
        from: MAX_CONTENT_VERSION,
        to: 7,
        serial: 1,
    };
    if let Ok(bytes) = sign_reset(&reset, &[&key]) {
        write(&corpus.join("verify_bytes"), "record.reset", &bytes);
    }
    // A fixed linear congruential generator: the same seeds on every machine.
    let mut state: u64 = 0x5eed;
    for target in ["mutate_valid", "evaluate"] {
        for n in 0..4 {
            let bytes: Vec<u8> = (0..1024 << n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (state >> 56) as u8
                })
                .collect();
            write(&corpus.join(target), &format!("random-{n}"), &bytes);
        }
    }
    println!(
        "wrote {channels} example channels and the seeds under {}",
        corpus.display()
    );
}
