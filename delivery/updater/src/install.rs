//! From trusted targets metadata to installed channels: which targets the host's sensor
//! needs (from each target's `custom.ward`), downloading each that is newer than what
//! the store holds, and installing it through the runtime's channel store, which
//! verifies it in full against the host's sensor profile (invariant 2: a signature is
//! not validity). Each channel succeeds or fails on its own; a failed one leaves that
//! channel's active and last known good files untouched.
//!
//! This is the only module of the updater that uses the channel store and the runtime's trust
//! types, so moving them to another crate changes one `use` line here.

use std::path::Path;

use ward_runtime::{SensorProfile, TrustStore};
use ward_store::{ChannelStore, Installed};
use ward_tuf::repo::ChannelInfo;
use ward_tuf::Error;

use crate::client::Updater;
use crate::fetch::Fetch;

/// The host: its channel store, the keys channels must be signed with, its sensor.
#[derive(Debug)]
pub struct Host {
    pub store: ChannelStore,
    pub trust: TrustStore,
    pub profile: SensorProfile,
}

impl Host {
    /// Opens the store in `dir` (falling back to last known good files as it does).
    pub fn open(dir: &Path, trust: TrustStore, profile: SensorProfile) -> Result<Host, Error> {
        let store = ChannelStore::open(dir, &trust, &profile).map_err(|e| Error::Refused {
            reason: format!("cannot open the channel store {}: {e}", dir.display()),
        })?;
        Ok(Host {
            store,
            trust,
            profile,
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
    /// The store already runs this version or a newer one.
    Current { version: u64 },
    /// Refused; the host keeps what it runs. The error says what and where.
    Failed(Error),
}

/// One channel target and what happened to it.
#[derive(Debug)]
pub struct ChannelReport {
    pub target: String,
    pub info: ChannelInfo,
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

/// Refreshes the metadata, then installs every channel for the host's sensor that is
/// newer than what the store runs. A refresh failure is returned before anything is
/// downloaded; per-channel failures are in the report.
pub fn update<F: Fetch>(
    updater: &mut Updater<F>,
    targets_url: &str,
    host: &mut Host,
) -> Result<Report, Error> {
    updater.refresh()?;
    let wanted: Vec<(String, ChannelInfo)> = updater
        .top_targets()
        .map(|t| {
            t.targets
                .iter()
                .filter_map(|(path, file)| {
                    Some((
                        path.clone(),
                        ChannelInfo::from_custom(file.custom.as_ref()?)?,
                    ))
                })
                .filter(|(_, info)| info.sensors.contains(&host.profile.name))
                .collect()
        })
        .unwrap_or_default();
    let mut report = Report::default();
    for (target, info) in wanted {
        let outcome = match host.active_version(info.channel_id) {
            Some(active) if active >= info.content_version => Outcome::Current { version: active },
            _ => install_one(updater, targets_url, host, &target),
        };
        report.channels.push(ChannelReport {
            target,
            info,
            outcome,
        });
    }
    Ok(report)
}

fn install_one<F: Fetch>(
    updater: &mut Updater<F>,
    targets_url: &str,
    host: &mut Host,
    target: &str,
) -> Outcome {
    let result = updater
        .target_info(target)
        .and_then(|info| updater.fetch_target(target, &info, targets_url))
        .and_then(|bytes| {
            host.store
                .install(&bytes, &host.trust, &host.profile)
                .map_err(|e| Error::Refused {
                    reason: format!("{target}: the channel store refused it: {e}"),
                })
        });
    match result {
        Ok(Installed::Activated {
            version, previous, ..
        }) => Outcome::Installed { version, previous },
        Ok(Installed::Unchanged { version, .. }) => Outcome::Current { version },
        Err(e) => Outcome::Failed(e),
    }
}
