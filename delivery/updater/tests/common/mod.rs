//! Shared fixtures for the updater's tests and benchmarks: a real channel signed by the
//! runtime's encoder, a host profile for it, and a world of a release repository (written
//! by `ward_tuf::repo`), a mirror URL and a host with its own channel store, and a real
//! nginx to serve it (`nginx.rs`). This is the one place the tests use the runtime's
//! encoder and models.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tempfile::TempDir;
use ward_encode::sign;
use ward_runtime::model::{
    Action, BuildInfo, Channel, Criterion, FieldDef, FieldType, Instance, Op, Operand, Severity,
    Target, TemplateRef, Value,
};
use ward_runtime::{HostTemplate, SensorProfile, SigningKey, TrustStore};
use ward_tuf::repo::{default_policy, KeyDir, Repo};
use ward_tuf::Error;
use ward_updater::install::{update, Host, Report};
use ward_updater::{Http, Limits, Updater};

// A file of its own, so the reference host's end-to-end test serves its repository
// with the same nginx set-up (delivery/host/tests/done_means.rs includes it by path).
mod nginx;
#[allow(unused_imports)] // not every test binary serves over nginx
pub use nginx::Nginx;

pub const SENSOR: &str = "test_sensor";
pub const CHANNEL_ID: u32 = 77;

fn channel_key() -> SigningKey {
    SigningKey::from_bytes(&[5u8; 32])
}

fn template() -> TemplateRef {
    TemplateRef {
        id: 9,
        name: "ProcessStart".into(),
        version: 1,
        fields: vec![FieldDef {
            name: "image".into(),
            ty: FieldType::String,
        }],
    }
}

/// A signed channel file of `instances` instances at content version `version`.
pub fn channel_file(version: u64, instances: u32) -> Vec<u8> {
    let channel = Channel {
        id: CHANNEL_ID,
        name: "ProcessRules".into(),
        content_version: version,
        template: template(),
        enums: vec![],
        targets: vec![Target {
            name: SENSOR.into(),
            platform: "linux".into(),
            version: "1.0".into(),
            supplied: 1,
        }],
        build: BuildInfo {
            compiler: "ward test".into(),
            source_hash: [1; 32],
        },
        instances: (1..=instances)
            .map(|id| Instance {
                id,
                name: format!("rule_{id}"),
                severity: Severity::High,
                action: Action::Detect,
                tags: vec![],
                criteria: vec![Criterion {
                    field: 1,
                    op: Op::Eq,
                    operand: Operand::Scalar(Value::Str(format!("/usr/bin/bad{id}"))),
                }],
            })
            .collect(),
    };
    sign(&channel, &[&channel_key()]).expect("the fixture channel encodes")
}

/// The host's trust store and sensor profile for [`channel_file`].
pub fn trust_and_profile() -> (TrustStore, SensorProfile) {
    let trust = TrustStore::with_keys(vec![channel_key().verifying_key()]).expect("one key");
    let t = template();
    let profile = SensorProfile {
        name: SENSOR.into(),
        templates: vec![HostTemplate {
            id: t.id,
            version: t.version,
            supplied: 1,
            fields: t.fields,
            enums: vec![],
        }],
    };
    (trust, profile)
}

/// A repository, a key directory, and one host that installed channel version 1.
#[derive(Debug)]
pub struct World {
    pub tmp: TempDir,
    pub repo: Repo,
    pub keys: KeyDir,
    pub host: Host,
    pub now: u64,
    pub base_url: String,
}

impl World {
    /// With the repository read over `file://`.
    pub fn new() -> World {
        let tmp = TempDir::new().expect("temp dir");
        let base = format!("file://{}", tmp.path().join("repo").display());
        World::with_base(tmp, base)
    }

    /// With the repository served at `base_url` (which must serve `tmp/repo`).
    pub fn with_base(tmp: TempDir, base_url: String) -> World {
        let now = ward_tuf::time::now();
        let keys = KeyDir::new(tmp.path().join("keys"));
        let repo =
            Repo::init(&tmp.path().join("repo"), &keys, default_policy("root"), now).expect("init");
        let host_meta = tmp.path().join("host");
        std::fs::create_dir_all(&host_meta).expect("host dir");
        std::fs::copy(
            tmp.path().join("repo/metadata/1.root.json"),
            host_meta.join("root.json"),
        )
        .expect("root");
        let (trust, profile) = trust_and_profile();
        let host = Host::open(&tmp.path().join("store"), trust, profile).expect("store");
        let mut world = World {
            tmp,
            repo,
            keys,
            host,
            now,
            base_url,
        };
        world.publish(1);
        let report = world.update().expect("first update");
        assert!(report.first_error().is_none(), "{report:?}");
        assert_eq!(world.active(), Some(1));
        world
    }

    pub fn repo_dir(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    /// A file of the repository's metadata directory.
    pub fn meta(&self, name: &str) -> PathBuf {
        self.repo_dir().join("metadata").join(name)
    }

    /// Publishes channel version `version`.
    pub fn publish(&mut self, version: u64) {
        let file = channel_file(version, 3);
        self.repo
            .publish(&self.keys, &[("fixture".into(), file)], self.now)
            .expect("publish");
    }

    /// One poll, as a sensor makes it, at this world's time.
    pub fn update(&mut self) -> Result<Report, Error> {
        self.update_at(self.now)
    }

    /// One poll with expiry checked against `now`.
    pub fn update_at(&mut self, now: u64) -> Result<Report, Error> {
        let meta_url = format!("{}/metadata", self.base_url);
        let targets_url = format!("{}/targets", self.base_url);
        let dir = self.tmp.path().join("host");
        let mut updater = Updater::new(dir, &meta_url, Http::default(), Limits::default(), now)?;
        update(&mut updater, &targets_url, &mut self.host)
    }

    /// The version the host runs.
    pub fn active(&self) -> Option<u64> {
        self.host.active_version(CHANNEL_ID)
    }

    /// The host's metadata directory.
    pub fn host_meta(&self) -> &Path {
        self.tmp.path()
    }
}

/// The error of a poll, whether the refresh or a channel failed.
pub fn poll_error(result: Result<Report, Error>) -> String {
    match result {
        Err(e) => e.to_string(),
        Ok(report) => match report.first_error() {
            Some(e) => e.to_string(),
            None => panic!("the poll succeeded: {report:?}"),
        },
    }
}
