//! Heap accounting: an estimate of the memory a verified channel holds, for benchmarks,
//! `ward bench` and content budgets.
//!
//! Every vector and string counts at its capacity, hash tables at their bucket count,
//! Aho-Corasick automata as they report themselves, and each distinct compiled regex at
//! the size tier verification charged for it (an upper bound, at most twice the real
//! size). Not counted: allocator overhead, and the regex engines' matching caches, which
//! grow on use up to `REGEX_DFA_SIZE_LIMIT` per pattern and thread.

use alloc::vec::Vec;
use core::mem::size_of;

use crate::model::Channel;
use crate::verified::VerifiedChannel;

/// Bytes of a hash table holding `capacity` entries of `entry` bytes: the standard
/// library's tables have a power-of-two number of buckets at most 7/8 full, with one
/// control byte per bucket and a group of 16 more.
pub(crate) fn table_bytes(capacity: usize, entry: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        capacity.saturating_add(1).next_power_of_two()
    } else {
        (capacity.saturating_mul(8) / 7).next_power_of_two()
    };
    buckets
        .saturating_mul(entry.saturating_add(1))
        .saturating_add(16)
}

fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity().saturating_mul(size_of::<T>())
}

/// Names of the channel, its template, fields, enums and targets (of a channel without
/// instances).
fn header_heap(h: &Channel) -> usize {
    let fields = h
        .template
        .fields
        .iter()
        .map(|f| f.name.capacity())
        .fold(vec_bytes(&h.template.fields), usize::saturating_add);
    let enums = h
        .enums
        .iter()
        .map(|e| {
            e.variants
                .iter()
                .map(|(name, _)| name.capacity())
                .fold(vec_bytes(&e.variants), usize::saturating_add)
                .saturating_add(e.name.capacity())
        })
        .fold(vec_bytes(&h.enums), usize::saturating_add);
    let targets = h
        .targets
        .iter()
        .map(|t| {
            t.name
                .capacity()
                .saturating_add(t.platform.capacity())
                .saturating_add(t.version.capacity())
        })
        .fold(vec_bytes(&h.targets), usize::saturating_add);
    [
        fields,
        enums,
        targets,
        h.name.capacity(),
        h.template.name.capacity(),
        h.build.compiler.capacity(),
    ]
    .into_iter()
    .fold(0, usize::saturating_add)
}

impl VerifiedChannel {
    /// An estimate of the heap this channel holds, in bytes: the header, the compiled
    /// instances, criteria and pool, the distinct compiled patterns and the index. See
    /// memory.rs for what is and is not counted.
    pub fn memory_bytes(&self) -> usize {
        // The meta engine keeps no copy of the source, unlike the regex crate's wrapper;
        // a literal set's own size is in `compiled_bytes`.
        let patterns =
            vec_bytes(&self.patterns.matchers).saturating_add(self.patterns.compiled_bytes);
        [
            header_heap(&self.header),
            self.compiled.memory_bytes(),
            patterns,
            vec_bytes(&self.reads),
            vec_bytes(&self.signers),
            self.index.memory_bytes(),
        ]
        .into_iter()
        .fold(0, usize::saturating_add)
    }
}
