//! Hashing for the tables verification builds: keys that are already hashes, and a fast
//! byte hash for the keys that need not be SipHash.
//!
//! A table keyed by a `u64` hash stores the hash and never the key it came from, so the
//! key is compared where it lives (the index confirms candidates, the pool compares its
//! own text). A collision then costs a wasted candidate or a string stored twice, never a
//! wrong answer.

use core::hash::{BuildHasherDefault, Hasher};
use hashbrown::HashMap;

/// Passes a `u64` key through as its own hash.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A table whose keys are already hashes.
pub(crate) type KeyTable<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// FNV-1a over `bytes` from `seed`, then the finalizer of MurmurHash3 so that every bit
/// of the result depends on every byte. Several times faster than SipHash on the short
/// strings content is made of.
pub(crate) fn fast_hash(seed: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    h = (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}
