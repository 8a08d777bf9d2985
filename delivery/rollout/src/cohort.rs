//! Which hosts a ring reaches: each host has a random id, made once at install and kept
//! on disk (the updater does that), and for each release a bucket in `[0, BUCKETS)`
//! that is a hash of the id, the channel and the release's content version. The hash
//! makes buckets uniform, and mixing in the release means the same hosts are not first
//! every time (as Chrome re-seeds its buckets per study). A ring reaches the buckets
//! below its cumulative share, so as the rollout advances a host only ever joins.

use sha2::{Digest, Sha256};

/// Buckets per release: one per basis point of the fleet.
pub const BUCKETS: u32 = 10_000;

/// A host's random id (128 bits, so ids of ten million hosts do not collide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostId(pub [u8; 16]);

impl HostId {
    /// The id as 32 lowercase hex digits (how it is kept on disk and sent in beacons).
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Reads 32 hex digits.
    pub fn from_hex(text: &str) -> Option<HostId> {
        let text = text.trim();
        if text.len() != 32 || !text.is_ascii() {
            return None;
        }
        let mut id = [0u8; 16];
        for (i, byte) in id.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(HostId(id))
    }
}

/// The host's bucket for release `version` of channel `channel_id`.
pub fn bucket(host: &HostId, channel_id: u32, version: u64) -> u32 {
    let mut h = Sha256::new();
    h.update(b"ward-cohort-v1\0");
    h.update(host.0);
    h.update(channel_id.to_be_bytes());
    h.update(version.to_be_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
    // 2^64 is not a multiple of 10,000, but the bias is below 1e-15 per bucket.
    u32::try_from(u64::from_be_bytes(first) % u64::from(BUCKETS)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    /// Deterministic stand-ins for random host ids (splitmix64), so the statistical
    /// tests below give the same verdict on every run.
    fn ids(n: u64) -> impl Iterator<Item = HostId> {
        (0..n).map(|i| {
            let mut out = [0u8; 16];
            for (half, seed) in [(0usize, 2 * i), (8, 2 * i + 1)] {
                let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                out[half..half + 8].copy_from_slice(&z.to_le_bytes());
            }
            HostId(out)
        })
    }

    #[test]
    fn buckets_are_uniform_by_chi_squared_over_a_million_ids() {
        let n = 1_000_000u64;
        let mut counts = vec![0u64; BUCKETS as usize];
        for id in ids(n) {
            counts[bucket(&id, 77, 3) as usize] += 1;
        }
        let expected = n as f64 / f64::from(BUCKETS);
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        // 9,999 degrees of freedom: mean 9,999, standard deviation sqrt(2 * 9,999) = 141.
        // The bounds are the 0.1% and 99.9% points (about 3.1 standard deviations), so a
        // uniform hash fails this one time in 500; too low is as suspect as too high.
        let df = f64::from(BUCKETS - 1);
        let sd = (2.0 * df).sqrt();
        assert!(
            (df - 3.1 * sd..df + 3.1 * sd).contains(&chi2),
            "chi-squared {chi2:.0} for {df} degrees of freedom"
        );
    }

    #[test]
    fn a_host_never_flips_in_and_out_as_the_share_grows() {
        // Reached by each share from 0 to 100% in steps of 1%, computing the bucket
        // afresh each time (as a host does at each poll): once in, always in.
        for id in ids(2_000) {
            let mut reached = false;
            for share in (0..=BUCKETS).step_by(100) {
                let now_in = bucket(&id, 77, 3) < share;
                assert!(now_in || !reached, "{} left at share {share}", id.to_hex());
                reached = now_in;
            }
            assert!(reached);
        }
    }

    #[test]
    fn a_host_keeps_its_ring_through_the_stages() {
        let plan = Plan::default();
        for id in ids(20_000) {
            let ring = plan.ring_of_bucket(bucket(&id, 77, 3));
            let reached: Vec<bool> = (0..plan.rings.len())
                .map(|stage| plan.ring_of_bucket(bucket(&id, 77, 3)) <= stage)
                .collect();
            assert_eq!(reached.iter().position(|r| *r), Some(ring));
            assert!(reached.windows(2).all(|w| !w[0] || w[1]), "{reached:?}");
        }
    }

    #[test]
    fn each_release_draws_its_own_canaries() {
        let plan = Plan::default();
        let canary = |version| -> Vec<HostId> {
            ids(50_000)
                .filter(|id| plan.ring_of_bucket(bucket(id, 77, version)) <= 1)
                .collect()
        };
        let (a, b) = (canary(3), canary(4));
        // About 1% of 50,000 each; independent draws share about 1% of that.
        assert!((400..600).contains(&a.len()) && (400..600).contains(&b.len()));
        let both = a.iter().filter(|id| b.contains(id)).count();
        assert!(both < 30, "{both} hosts are canaries of both releases");
    }

    #[test]
    fn host_ids_round_trip_as_hex() {
        let id = ids(1).next().unwrap();
        assert_eq!(HostId::from_hex(&id.to_hex()), Some(id));
        assert_eq!(HostId::from_hex("xyz"), None);
        assert_eq!(HostId::from_hex(&"g".repeat(32)), None);
    }
}
