//! A sensor start: the channel store's crash-loop guard counts it, and what it proves
//! becomes beacons. A start inside an activation's window that the guard counts as a
//! death means the run before died with that version active (`crashed`); a version the
//! guard rolled back is `rolled_back` as well. Both are known only now, at the next
//! start: the run that died could not say so.

use ward_health::beacon::Kind;
use ward_runtime::{SensorProfile, TrustStore};
use ward_store::{ChannelStore, GuardPolicy, Quarantine, StoreError};

/// A beacon the start calls for: its kind, the channel id and the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Said {
    pub kind: Kind,
    pub channel: u32,
    pub version: u64,
}

/// What one start found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Started {
    /// `crashed` for each version the previous run died on, then `rolled_back` for
    /// each the guard took back.
    pub beacons: Vec<Said>,
    /// The guard's reports, as the store returned them.
    pub quarantines: Vec<Quarantine>,
}

/// Counts this start with the guard (`ChannelStore::sensor_started_with`) and derives
/// the beacons from the watches before and after it.
pub fn start(
    store: &ChannelStore,
    trust: &TrustStore,
    profile: &SensorProfile,
    now: u64,
    policy: &GuardPolicy,
) -> Result<Started, StoreError> {
    let before: Vec<_> = store
        .channel_ids()
        .into_iter()
        .filter_map(|id| Some((id, store.watch(id)?)))
        .collect();
    let quarantines = store.sensor_started_with(trust, profile, now, policy)?;
    let mut beacons = Vec::new();
    for (channel, watch) in before {
        let rolled_back = quarantines
            .iter()
            .any(|q| q.channel_id == channel && q.version == watch.version);
        let died = store
            .watch(channel)
            .is_some_and(|w| w.version == watch.version && w.deaths() > watch.deaths());
        if rolled_back || died {
            beacons.push(Said {
                kind: Kind::Crashed,
                channel,
                version: watch.version,
            });
        }
    }
    beacons.extend(quarantines.iter().map(|q| Said {
        kind: Kind::RolledBack,
        channel: q.channel_id,
        version: q.version,
    }));
    Ok(Started {
        beacons,
        quarantines,
    })
}
