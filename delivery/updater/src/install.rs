//! From trusted targets metadata to installed channels: which targets the host's sensor
//! needs (from each target's `custom.ward`), downloading each that is newer than what
//! the store holds, and installing it through the runtime's channel store, which
//! verifies it in full against the host's sensor profile (invariant 2: a signature is
//! not validity). Each channel succeeds or fails on its own; a failed one leaves that
//! channel's active and last known good files untouched.
//!
//! Before anything is downloaded, `ward_rollout::decide` says whether this host takes
//! the release: its plan and N-1 (signed by the targets key), its rollout state (signed
//! in the timestamp), the host's cohort bucket and its customer's policy. A halted
//! release sends the host back to N-1 through the store's signed rollback. A version
//! the store's crash-loop guard quarantined is not downloaded again.
//!
//! This is the only module of the updater that uses the channel store and the runtime's trust
//! types, so moving them to another crate changes one `use` line here.

use std::path::Path;

use ward_rollout::decide::host_ring;
use ward_rollout::{decide, Decision, HostId, HostView, Offer, Plan, Policy, Stay};
use ward_runtime::{SensorProfile, TrustStore};
use ward_store::{ChannelStore, Installed};
use ward_tuf::repo::{previous_path, ChannelInfo};
use ward_tuf::{Error, TargetFile};

use crate::client::Updater;
use crate::fetch::Fetch;

/// The host: its channel store, the keys channels must be signed with, its sensor.
#[derive(Debug)]
pub struct Host {
    pub store: ChannelStore,
    pub trust: TrustStore,
    pub profile: SensorProfile,
    /// The host's random id (its cohort bucket is a hash of it).
    pub id: HostId,
    /// The customer's policy, verified (`crate::policy`); `None` is the vendor's plan
    /// alone.
    pub policy: Option<Policy>,
}

/// The file in the store directory that keeps the host's id.
pub const HOST_ID_FILE: &str = "host.id";

impl Host {
    /// Opens the store in `dir` (falling back to last known good files as it does) and
    /// the host id kept there (made on first use).
    pub fn open(dir: &Path, trust: TrustStore, profile: SensorProfile) -> Result<Host, Error> {
        let store = ChannelStore::open(dir, &trust, &profile).map_err(|e| Error::Refused {
            reason: format!("cannot open the channel store {}: {e}", dir.display()),
        })?;
        let id = crate::host_id::load_or_create(&dir.join(HOST_ID_FILE))?;
        Ok(Host {
            store,
            trust,
            profile,
            id,
            policy: None,
        })
    }

    /// The active content version of `channel_id`, if any.
    pub fn active_version(&self, channel_id: u32) -> Option<u64> {
        self.store.active(channel_id).map(|c| c.content_version())
    }
}

/// What happened to one channel target.
#[derive(Debug)]
pub enum Outcome {
    /// Installed; `previous` is the version it replaced.
    Installed { version: u64, previous: Option<u64> },
    /// Went back to N-1 (`version`) from `from`, which the rollout halted or the
    /// policy's pin no longer allows.
    RolledBack { version: u64, from: u64 },
    /// Not taken, and why (its ring has not opened, the policy, missing state).
    Skipped(Stay),
    /// The store already runs this version or a newer one.
    Current { version: u64 },
    /// The crash-loop guard quarantined this version (or a newer one) on this host: it
    /// is not downloaded again, whatever the rollout says, until a newer one is offered.
    Quarantined { version: u64 },
    /// Refused; the host keeps what it runs. The error says what and where.
    Failed(Error),
}

/// One channel target and what happened to it.
#[derive(Debug)]
pub struct ChannelReport {
    pub target: String,
    pub info: ChannelInfo,
    /// The host's ring for this release under its signed plan (its policy's ring, else
    /// its cohort bucket's); `None` for a release without a plan. Health beacons about
    /// the release carry it, so the gate counts the host in its ring.
    pub ring: Option<String>,
    pub outcome: Outcome,
}

/// Everything one update did.
#[derive(Debug, Default)]
pub struct Report {
    pub channels: Vec<ChannelReport>,
}

impl Report {
    /// The first failure, if any channel failed.
    pub fn first_error(&self) -> Option<&Error> {
        self.channels.iter().find_map(|c| match &c.outcome {
            Outcome::Failed(e) => Some(e),
            _ => None,
        })
    }
}

/// A channel's release on offer and its N-1, as the trusted targets describe them.
struct Candidate {
    target: String,
    info: ChannelInfo,
    plan: Option<Plan>,
    previous: Option<(String, ChannelInfo)>,
}

fn candidates(
    targets: &std::collections::BTreeMap<String, TargetFile>,
    sensor: &str,
) -> Vec<Candidate> {
    let info = |file: &TargetFile| ChannelInfo::from_custom(file.custom.as_ref()?);
    targets
        .iter()
        .filter(|(path, _)| !path.ends_with(".previous.chan"))
        .filter_map(|(path, file)| {
            let channel = info(file)?;
            let previous = targets
                .get_key_value(&previous_path(path))
                .and_then(|(p, f)| Some((p.clone(), info(f)?)))
                .filter(|(_, p)| {
                    p.channel_id == channel.channel_id
                        && p.content_version < channel.content_version
                });
            Some(Candidate {
                target: path.clone(),
                plan: file.custom.as_ref().and_then(Plan::from_custom),
                info: channel,
                previous,
            })
        })
        .filter(|c| c.info.sensors.iter().any(|s| s == sensor))
        .collect()
}

/// Refreshes the metadata, then for each channel for the host's sensor decides whether
/// the host takes the release, falls back to N-1 or stays, and installs accordingly. A
/// refresh failure is returned before anything is downloaded; per-channel outcomes are
/// in the report.
pub fn update<F: Fetch>(
    updater: &mut Updater<F>,
    targets_url: &str,
    host: &mut Host,
) -> Result<Report, Error> {
    updater.refresh()?;
    let wanted = updater
        .top_targets()
        .map(|t| candidates(&t.targets, &host.profile.name))
        .unwrap_or_default();
    let state = updater
        .timestamp()
        .and_then(|t| t.rollout.clone())
        .unwrap_or_default();
    let now = updater.now();
    let mut report = Report::default();
    for c in wanted {
        let active = host.active_version(c.info.channel_id);
        let offer = Offer {
            channel_id: c.info.channel_id,
            version: c.info.content_version,
            plan: c.plan.as_ref(),
            release: state.release(c.info.channel_id),
            previous: c.previous.as_ref().map(|(_, p)| p.content_version),
        };
        let view = HostView {
            id: &host.id,
            active,
            policy: host.policy.as_ref(),
        };
        let target_of = |version: u64| match &c.previous {
            Some((path, p)) if p.content_version == version => path.clone(),
            _ => c.target.clone(),
        };
        let ring = c
            .plan
            .as_ref()
            .and_then(|plan| Some(plan.rings.get(host_ring(plan, &offer, &view))?.name.clone()));
        let outcome = match decide(&offer, &view, now) {
            Decision::Stay(Stay::Current) => Outcome::Current {
                version: active.unwrap_or(c.info.content_version),
            },
            Decision::Stay(why) => Outcome::Skipped(why),
            Decision::Take(version) => match quarantined(&host.store, c.info.channel_id, version) {
                Some(q) => Outcome::Quarantined { version: q },
                None => install_one(updater, targets_url, host, &target_of(version), None),
            },
            Decision::FallBack(version) => {
                install_one(updater, targets_url, host, &target_of(version), active)
            }
        };
        report.channels.push(ChannelReport {
            target: c.target,
            info: c.info,
            ring,
            outcome,
        });
    }
    Ok(report)
}

/// The version of `channel_id` the crash-loop guard quarantined, if it is `version` or
/// newer: the store would refuse `version` (`StoreError::Quarantined`), so downloading it
/// at every poll would only cost the repository and the host.
fn quarantined(store: &ChannelStore, channel_id: u32, version: u64) -> Option<u64> {
    store
        .quarantined()
        .iter()
        .find(|q| q.channel_id == channel_id && q.version >= version)
        .map(|q| q.version)
}

/// Downloads `target` and installs it; with `roll_back_from`, as the store's signed
/// rollback of that version.
fn install_one<F: Fetch>(
    updater: &mut Updater<F>,
    targets_url: &str,
    host: &mut Host,
    target: &str,
    roll_back_from: Option<u64>,
) -> Outcome {
    let result = updater
        .target_info(target)
        .and_then(|info| updater.fetch_target(target, &info, targets_url))
        .and_then(|bytes| {
            match roll_back_from {
                Some(from) => host
                    .store
                    .roll_back(&bytes, &host.trust, &host.profile, from),
                None => host.store.install(&bytes, &host.trust, &host.profile),
            }
            .map_err(|e| Error::Refused {
                reason: format!("{target}: the channel store refused it: {e}"),
            })
        });
    match (result, roll_back_from) {
        (Ok(Installed::Activated { version, .. }), Some(from)) => {
            Outcome::RolledBack { version, from }
        }
        (
            Ok(Installed::Activated {
                version, previous, ..
            }),
            None,
        ) => Outcome::Installed { version, previous },
        (Ok(Installed::Unchanged { version, .. }), _) => Outcome::Current { version },
        (Err(e), _) => Outcome::Failed(e),
    }
}
