//! Criterion benchmarks of the host's updater (docs/performance.md): a refresh with
//! nothing new, and a refresh that installs a 10,000-instance channel. The repository is
//! served from memory, so the figures are the updater's CPU, not the network's. Like
//! nginx, the in-memory server answers a conditional GET whose ETag still matches with
//! 304, so the steady-state poll measured here is the one a sensor makes.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ward_tuf::Error;
use ward_updater::install::{update, Host};
use ward_updater::{Fetch, Fetched, Limits, Updater, Validators};

/// Every file of a repository, by URL.
struct Memory(BTreeMap<String, Vec<u8>>);

impl Memory {
    fn of(repo: &Path) -> Memory {
        let mut files = BTreeMap::new();
        for sub in ["metadata", "targets", "targets/channels"] {
            for entry in std::fs::read_dir(repo.join(sub))
                .into_iter()
                .flatten()
                .flatten()
            {
                if entry.path().is_file() {
                    files.insert(
                        format!("mem://{sub}/{}", entry.file_name().to_string_lossy()),
                        std::fs::read(entry.path()).unwrap(),
                    );
                }
            }
        }
        Memory(files)
    }
}

/// The ETag the in-memory server gives a file: its length and a cheap checksum, as
/// nginx's is the length and modification time.
fn etag(bytes: &[u8]) -> String {
    let sum = bytes
        .iter()
        .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(*b));
    format!("\"{:x}-{sum:x}\"", bytes.len())
}

impl Fetch for &Memory {
    fn get(&self, url: &str, limit: u64, seen: Option<&Validators>) -> Result<Fetched, Error> {
        match self.0.get(url) {
            Some(b) if b.len() as u64 > limit => Err(Error::TooLarge {
                url: url.into(),
                limit,
            }),
            Some(b) => {
                let tag = etag(b);
                if seen.and_then(|v| v.etag.as_deref()) == Some(tag.as_str()) {
                    return Ok(Fetched::NotModified);
                }
                let validators = Validators {
                    etag: Some(tag),
                    last_modified: None,
                };
                Ok(Fetched::Body(b.clone(), validators))
            }
            None => Err(Error::NotFound { url: url.into() }),
        }
    }
}

fn benches(c: &mut Criterion) {
    let mut w = common::World::new();
    let big = common::channel_file(2, 10_000);
    w.repo
        .publish(&w.keys, &[("big".into(), big)], w.now)
        .unwrap();
    let memory = Memory::of(&w.repo_dir());
    let host_meta = w.tmp.path().join("host");
    let now = w.now;
    let updater_in =
        |dir: &Path| Updater::new(dir, "mem://metadata", &memory, Limits::default(), now).unwrap();
    // Bring the host up to date once, so the measured refresh finds nothing new.
    let mut updater = updater_in(&host_meta);
    let report = update(&mut updater, "mem://targets", &mut w.host).unwrap();
    assert!(report.first_error().is_none(), "{report:?}");

    // A sensor's updater lives as long as the sensor: the poll is a refresh of the
    // updater it already has.
    c.bench_function("refresh, nothing new", |b| {
        b.iter(|| {
            updater.set_time(now);
            updater.refresh().unwrap();
        })
    });
    // An updater made afresh (a sensor's first poll after it starts): reads and verifies
    // the metadata on disk.
    c.bench_function("refresh, nothing new, new updater", |b| {
        b.iter(|| {
            updater_in(&host_meta).refresh().unwrap();
        })
    });

    let mut group = c.benchmark_group("refresh");
    group.sample_size(10);
    group.bench_function("installs a 10,000-instance channel", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::TempDir::new().unwrap();
                std::fs::create_dir_all(dir.path().join("meta")).unwrap();
                std::fs::copy(w.meta("1.root.json"), dir.path().join("meta/root.json")).unwrap();
                let (trust, profile) = common::trust_and_profile();
                let host = Host::open(&dir.path().join("store"), trust, profile).unwrap();
                (dir, host)
            },
            |(dir, mut host)| {
                let mut updater = updater_in(&dir.path().join("meta"));
                let report = update(&mut updater, "mem://targets", &mut host).unwrap();
                assert!(report.first_error().is_none());
                (dir, host)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(refresh, benches);
criterion_main!(refresh);
