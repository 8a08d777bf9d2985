//! Staged rollout end to end over a real nginx on loopback: hosts in different rings
//! and under different customer policies take or skip a release as its rollout state
//! advances, and a halt sends every host that took it back to N-1 through the ordinary
//! update path.

mod common;

use std::path::PathBuf;

use common::{channel_file, trust_and_profile, Nginx, World, CHANNEL_ID};
use ward_rollout::{Category, Pin, Plan, Policy, Ring};
use ward_updater::install::{update, Host, Outcome};
use ward_updater::{Http, Limits, Updater};

/// A host of its own: a channel store, a metadata directory trusting root 1, a policy.
struct Fleet {
    hosts: Vec<(String, Host, PathBuf)>,
}

/// A host's updater over the world's repository, trusting what `meta` holds.
fn updater(w: &World, meta: &std::path::Path) -> Updater<Http> {
    Updater::new(
        meta.to_path_buf(),
        &format!("{}/metadata", w.base_url),
        Http::default(),
        Limits::default(),
        w.now,
    )
    .unwrap()
}

impl Fleet {
    fn poll(&mut self, w: &World) -> Vec<(String, String)> {
        let mut seen = Vec::new();
        for (name, host, meta) in &mut self.hosts {
            let mut updater = updater(w, meta);
            let report = update(&mut updater, &format!("{}/targets", w.base_url), host).unwrap();
            for c in report.channels {
                // The ring the report names (for beacons) is the policy's, or else the
                // bucket's under the release's plan.
                let expected = host
                    .policy
                    .as_ref()
                    .and_then(|p| p.ring.clone())
                    .or_else(|| {
                        let plan = plan();
                        let b = ward_rollout::cohort::bucket(
                            &host.id,
                            CHANNEL_ID,
                            c.info.content_version,
                        );
                        Some(plan.rings[plan.ring_of_bucket(b)].name.clone())
                    });
                if c.info.content_version > 1 {
                    assert_eq!(c.ring, expected, "{name}");
                } else {
                    assert_eq!(c.ring, None, "{name}: version 1 has no plan");
                }
                let what = match c.outcome {
                    Outcome::Installed { version, .. } => format!("installed {version}"),
                    Outcome::RolledBack { version, from } => {
                        format!("back to {version} from {from}")
                    }
                    Outcome::Current { version } => format!("runs {version}"),
                    Outcome::Quarantined { version } => format!("quarantined {version}"),
                    Outcome::Skipped(why) => format!("skipped: {why}"),
                    Outcome::Failed(e) => panic!("{name}: {e}"),
                };
                seen.push((name.clone(), what));
            }
        }
        seen
    }

    fn versions(&self) -> Vec<(String, Option<u64>)> {
        self.hosts
            .iter()
            .map(|(n, h, _)| (n.clone(), h.active_version(CHANNEL_ID)))
            .collect()
    }
}

fn plan() -> Plan {
    let ring = |name: &str, share_bp| Ring {
        name: name.into(),
        share_bp,
        bake_secs: 0,
        min_hosts: 1,
    };
    Plan {
        category: Category::RapidResponse,
        rings: vec![ring("internal", 0), ring("general", 10_000)],
        cost_margin_pct: None,
    }
}

#[test]
fn rings_and_policies_decide_who_takes_a_release_and_a_halt_brings_it_back() {
    let tmp = tempfile::TempDir::new().unwrap();
    let nginx = Nginx::serve(tmp.path());
    let mut w = World::with_base(tmp, nginx.url("repo"));
    let internal = |p: Policy| Policy {
        ring: Some("internal".into()),
        ..p
    };
    let policies = [
        ("internal", Some(internal(Policy::default()))),
        ("by-bucket", None),
        (
            "paused",
            Some(internal(Policy {
                pause: true,
                ..Policy::default()
            })),
        ),
        (
            "pinned",
            Some(internal(Policy {
                pin: Some(Pin::Version(1)),
                ..Policy::default()
            })),
        ),
        (
            "general",
            Some(Policy {
                ring: Some("general".into()),
                ..Policy::default()
            }),
        ),
    ];
    let mut fleet = Fleet { hosts: Vec::new() };
    for (name, _) in &policies {
        let dir = w.tmp.path().join("hosts").join(name);
        std::fs::create_dir_all(dir.join("meta")).unwrap();
        std::fs::copy(w.meta("1.root.json"), dir.join("meta/root.json")).unwrap();
        let (trust, profile) = trust_and_profile();
        let host = Host::open(&dir.join("store"), trust, profile).unwrap();
        fleet.hosts.push((name.to_string(), host, dir.join("meta")));
    }
    // Version 1 went out without a plan: every host takes it. Then each host's customer
    // sets its policy.
    fleet.poll(&w);
    assert!(
        fleet.versions().iter().all(|(_, v)| *v == Some(1)),
        "{:?}",
        fleet.versions()
    );
    for ((_, host, _), (_, policy)) in fleet.hosts.iter_mut().zip(policies) {
        host.policy = policy;
    }

    let plan = plan();
    w.repo
        .publish_with(
            &w.keys,
            &[("v2".into(), channel_file(2, 3))],
            Some(&plan),
            &[],
            w.now,
        )
        .unwrap();
    let seen = fleet.poll(&w);
    let v = |fleet: &Fleet| -> Vec<Option<u64>> {
        fleet.versions().into_iter().map(|(_, v)| v).collect()
    };
    // Only the internal ring: the by-bucket host is never in a 0% ring.
    assert_eq!(
        v(&fleet),
        [Some(2), Some(1), Some(1), Some(1), Some(1)],
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|(n, s)| n == "paused" && s.contains("pauses")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|(n, s)| n == "by-bucket" && s.contains("has not opened")),
        "{seen:?}"
    );

    let mut state = w.repo.rollout_state();
    state
        .release_mut(CHANNEL_ID)
        .unwrap()
        .advance(&plan, w.now)
        .unwrap();
    w.repo.set_rollout(&w.keys, state, w.now).unwrap();
    let seen = fleet.poll(&w);
    assert_eq!(
        v(&fleet),
        [Some(2), Some(2), Some(1), Some(1), Some(2)],
        "{seen:?}"
    );

    // The timestamp before the halt, signed and valid: what a stale mirror would serve.
    let before_halt = std::fs::read(w.meta("timestamp.json")).unwrap();
    let mut state = w.repo.rollout_state();
    state
        .release_mut(CHANNEL_ID)
        .unwrap()
        .halt("canary crashes", w.now)
        .unwrap();
    w.repo.set_rollout(&w.keys, state, w.now).unwrap();
    let seen = fleet.poll(&w);
    assert_eq!(v(&fleet), [Some(1); 5], "{seen:?}");
    assert_eq!(
        seen.iter().filter(|(_, s)| s == "back to 1 from 2").count(),
        3,
        "{seen:?}"
    );
    // And the hosts stay there: the next poll changes nothing.
    fleet.poll(&w);
    assert_eq!(v(&fleet), [Some(1); 5]);

    // A halt is never undone by a stale timestamp: the rolling state of before the halt,
    // served again, is refused as a rollback and every host stays on N-1.
    std::fs::write(w.meta("timestamp.json"), before_halt).unwrap();
    for (name, host, meta) in &mut fleet.hosts {
        let mut updater = updater(&w, meta);
        let error = update(&mut updater, &format!("{}/targets", w.base_url), host)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("rollback refused"), "{name}: {error}");
    }
    assert_eq!(v(&fleet), [Some(1); 5]);
}
