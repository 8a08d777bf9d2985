//! Hashing for the tables verification builds: keys that are already hashes, a fast
//! byte hash for the keys that need not be SipHash, and a word-at-a-time hash of text
//! compared ignoring ASCII case, for the keys an event computes on every evaluation.
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

/// A hash of `bytes` with ASCII case ignored (`A` and `a` hash alike; every other byte is
/// itself), eight bytes at a time: the index hashes an event's first and last bytes once
/// per distinct literal length on every event, and a byte-at-a-time hash there was a
/// chain of dependent multiplications per byte. The length is mixed in first, so the
/// zero padding of the last word cannot make two texts alike.
pub(crate) fn caseless_hash(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = mix(seed ^ (bytes.len() as u64));
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        h = mix(h ^ ascii_lowercase_word(le_word(word)));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        h = mix(h ^ ascii_lowercase_word(le_word(rest)));
    }
    h
}

/// Up to eight bytes as a little-endian word, zero-padded.
fn le_word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    for (to, from) in word.iter_mut().zip(bytes) {
        *to = *from;
    }
    u64::from_le_bytes(word)
}

/// Every byte of `x` that is an ASCII capital letter, lowercased; the others unchanged.
/// Each byte's low seven bits are compared with `A` and `Z` by additions that cannot
/// carry into the next byte.
fn ascii_lowercase_word(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // 0x80 - b'A' and 0x7f - b'Z' in every byte: the high bit is then set by the
    // addition exactly when the byte is at least `A`, respectively more than `Z`.
    const FROM_A: u64 = 0x3f3f_3f3f_3f3f_3f3f;
    const PAST_Z: u64 = 0x2525_2525_2525_2525;
    let low = x & !HIGH;
    let at_least_a = low.wrapping_add(FROM_A);
    let past_z = low.wrapping_add(PAST_Z);
    let upper = at_least_a & !past_z & !x & HIGH;
    x | (upper >> 2)
}

/// A folded 128-bit multiplication (as foldhash and wyhash mix): every output bit
/// depends on every input bit.
fn mix(h: u64) -> u64 {
    let product = u128::from(h ^ 0x243f_6a88_85a3_08d3).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (product as u64) ^ ((product >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_lowercasing_is_the_byte_lowercasing_of_every_byte() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut bytes = *b"Ab\\xZ\x80q@";
                bytes[at] = b;
                let word = u64::from_le_bytes(bytes);
                let expected = u64::from_le_bytes(bytes.map(|c| c.to_ascii_lowercase()));
                assert_eq!(ascii_lowercase_word(word), expected, "byte {b:#x} at {at}");
            }
        }
    }

    #[test]
    fn the_caseless_hash_ignores_ascii_case_and_nothing_else() {
        let texts = [
            "",
            "a",
            "A",
            r"C:\Windows\System32\SVCHOST.exe",
            "rundll32 123",
            "\u{c9}t\u{c9}",
            "\u{e9}t\u{e9}",
        ];
        for t in texts {
            let lower = t.to_ascii_lowercase();
            assert_eq!(
                caseless_hash(3, t.as_bytes()),
                caseless_hash(3, lower.as_bytes())
            );
            assert_ne!(
                caseless_hash(3, t.as_bytes()),
                caseless_hash(4, t.as_bytes())
            );
        }
        // Non-ASCII letters are not folded, and the zero padding is not a character.
        assert_ne!(
            caseless_hash(0, "\u{c9}".as_bytes()),
            caseless_hash(0, "\u{e9}".as_bytes())
        );
        assert_ne!(caseless_hash(0, b"ab"), caseless_hash(0, b"ab\0"));
        let distinct: std::collections::HashSet<u64> = (0..10_000u32)
            .map(|k| caseless_hash(3, format!(r"\tool{k}.exe").as_bytes()))
            .collect();
        assert_eq!(distinct.len(), 10_000);
    }
}
