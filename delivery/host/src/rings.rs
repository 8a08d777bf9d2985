//! The ring the host was in for each channel version it activated, kept on disk
//! (`DIR/rings`, a line `CHANNEL VERSION RING` per channel): a beacon about a crash is
//! made at the next start, before any poll, and must still name the ring the gate
//! counts the host in. A release without a plan is in ring `none`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The ring name of a release published without a plan.
pub const NO_PLAN: &str = "none";

/// The file's name in the host's directory.
pub const FILE: &str = "rings";

/// Per channel id, the version last activated and the host's ring for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rings {
    path: PathBuf,
    by_channel: BTreeMap<u32, (u64, String)>,
}

impl Rings {
    /// The record in `dir`; a missing file is an empty record, and so are lines that do
    /// not parse (a ring name is only ever a label on a beacon).
    pub fn load(dir: &Path) -> Rings {
        let path = dir.join(FILE);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let by_channel = text
            .lines()
            .filter_map(|line| {
                let mut f = line.split(' ');
                let channel = f.next()?.parse().ok()?;
                let version = f.next()?.parse().ok()?;
                Some((channel, (version, f.next()?.to_string())))
            })
            .collect();
        Rings { path, by_channel }
    }

    /// The ring recorded for `version` of `channel`, else [`NO_PLAN`].
    pub fn ring(&self, channel: u32, version: u64) -> String {
        match self.by_channel.get(&channel) {
            Some((v, ring)) if *v == version => ring.clone(),
            _ => NO_PLAN.to_string(),
        }
    }

    /// Records the activation of `version` of `channel` in `ring`, on disk first.
    pub fn activated(&mut self, channel: u32, version: u64, ring: &str) -> Result<(), String> {
        self.by_channel.insert(channel, (version, ring.to_string()));
        let text: String = self
            .by_channel
            .iter()
            .map(|(c, (v, r))| format!("{c} {v} {r}\n"))
            .collect();
        ward_tuf::repo::write_atomic(&self.path, text.as_bytes()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_of_an_activation_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let mut rings = Rings::load(dir.path());
        assert_eq!(rings.ring(7, 1), NO_PLAN);
        rings.activated(7, 1, "general").unwrap();
        rings.activated(7, 2, "canary").unwrap();
        rings.activated(8, 5, "early").unwrap();
        let again = Rings::load(dir.path());
        assert_eq!(again, rings);
        assert_eq!(again.ring(7, 2), "canary");
        assert_eq!(
            again.ring(7, 1),
            NO_PLAN,
            "only the last activation is kept"
        );
        assert_eq!(again.ring(8, 5), "early");
    }
}
