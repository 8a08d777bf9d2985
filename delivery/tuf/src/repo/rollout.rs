//! The repository side of staged rollouts: each release's plan (signed with the
//! release by the targets key, in `custom.rollout` of its channel target), the N-1
//! target it falls back to, and the rollout state (signed by the online timestamp key
//! in `timestamp.json`). The decisions themselves are `ward_rollout`'s.

use ward_rollout::{Plan, Release, RolloutState};

use super::{KeyDir, Repo};
use crate::error::{invalid, Error};
use crate::hash::hashes_of;
use crate::repo::channel::ChannelInfo;
use crate::TargetFile;

/// The target path under which a channel's previous release (N-1) stays signed once a
/// newer one is published: `channels/NAME.chan` becomes `channels/NAME.previous.chan`.
pub fn previous_path(path: &str) -> String {
    match path.strip_suffix(".chan") {
        Some(stem) => format!("{stem}.previous.chan"),
        None => format!("{path}.previous"),
    }
}

/// One channel's release as the repository has it.
#[derive(Debug, Clone)]
pub struct Rollout {
    /// The release's target path.
    pub target: String,
    pub info: ChannelInfo,
    /// `None`: published to every host at once.
    pub plan: Option<Plan>,
    /// The content version of the N-1 target, if the repository has one.
    pub previous: Option<u64>,
    /// Its signed state (`None` for a release without a plan).
    pub release: Option<Release>,
}

impl Repo {
    /// Every channel's current release, by target path.
    pub fn rollouts(&self) -> Vec<Rollout> {
        let state = self.rollout_state();
        let targets = &self.targets.signed.targets;
        targets
            .iter()
            .filter(|(path, _)| !path.ends_with(".previous.chan"))
            .filter_map(|(path, file)| {
                let custom = file.custom.as_ref()?;
                let info = ChannelInfo::from_custom(custom)?;
                let previous = targets
                    .get(&previous_path(path))
                    .and_then(|f| ChannelInfo::from_custom(f.custom.as_ref()?))
                    .filter(|p| p.channel_id == info.channel_id)
                    .map(|p| p.content_version);
                let release = state
                    .release(info.channel_id)
                    .filter(|r| r.version == info.content_version)
                    .cloned();
                Some(Rollout {
                    target: path.clone(),
                    plan: Plan::from_custom(custom),
                    previous,
                    release,
                    info,
                })
            })
            .collect()
    }

    /// The signed rollout state (empty if the timestamp carries none).
    pub fn rollout_state(&self) -> RolloutState {
        self.timestamp.signed.rollout.clone().unwrap_or_default()
    }

    /// Signs `state` into a new timestamp (version + 1) with the online timestamp key
    /// and writes it: how `ward rollout advance|hold|halt|resume` and the controller
    /// change where a release stands. Each release must be one the repository has,
    /// with a plan it fits.
    pub fn set_rollout(
        &mut self,
        keys: &KeyDir,
        state: RolloutState,
        now: u64,
    ) -> Result<(), Error> {
        let rollouts = self.rollouts();
        for release in &state.releases {
            let fits = rollouts.iter().find(|r| {
                r.info.channel_id == release.channel_id && r.info.content_version == release.version
            });
            let Some(plan) = fits.and_then(|r| r.plan.as_ref()) else {
                return Err(Error::Refused {
                    reason: format!(
                        "channel {} version {} is not a release with a rollout plan in this repository",
                        release.channel_id, release.version
                    ),
                });
            };
            release
                .validate(plan)
                .map_err(|e| invalid("the rollout state", e.to_string()))?;
        }
        self.sign_timestamp_with(keys, Some(state), now)
    }

    /// The N-1 target for the release at `path` that `old` described: the same file,
    /// kept signed under [`previous_path`], its bytes read back from the repository
    /// (and checked against the hashes the old targets signed).
    pub(super) fn previous_of(
        &self,
        path: &str,
        old: TargetFile,
    ) -> Result<(String, TargetFile, Vec<u8>), Error> {
        let digest = old
            .hashes
            .get("sha256")
            .ok_or_else(|| invalid(path, "the published target has no sha256"))?;
        let (dir, base) = path.rsplit_once('/').map_or(("", path), |(d, b)| (d, b));
        let stored = Repo::targets_dir(&self.dir)
            .join(dir)
            .join(format!("{digest}.{base}"));
        let bytes = super::read_limited(&stored, old.length)?;
        if hashes_of(&bytes) != old.hashes {
            return Err(invalid(
                &stored.display().to_string(),
                "does not match the hashes its targets metadata signed",
            ));
        }
        let custom = old
            .custom
            .as_ref()
            .and_then(ChannelInfo::from_custom)
            .map(|info| info.to_custom());
        let file = TargetFile { custom, ..old };
        Ok((previous_path(path), file, bytes))
    }
}
