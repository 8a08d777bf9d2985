//! Answers remembered for the process, for checks that are pure functions of their key
//! (a regex's compile, the runtime's verdict on a channel's bytes) and that the language
//! server repeats on every edit. The memory is bounded by a weight per answer; past the
//! bound it starts over.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, OnceLock};

pub(crate) struct Memo<K, V> {
    /// The answers, and the sum of their weights.
    answers: OnceLock<Mutex<(HashMap<K, V>, usize)>>,
    max_weight: usize,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub(crate) const fn new(max_weight: usize) -> Self {
        Memo {
            answers: OnceLock::new(),
            max_weight,
        }
    }

    /// The answer for `key`: remembered, or `compute`d (outside the lock, so other threads
    /// go on meanwhile) and remembered with `weight`.
    pub(crate) fn get_or(&self, key: K, weight: usize, compute: impl FnOnce() -> V) -> V {
        let memory = self.answers.get_or_init(Mutex::default);
        // A poisoned lock still holds whole answers: each is inserted in one step.
        if let Some(known) = memory.lock().unwrap_or_else(|e| e.into_inner()).0.get(&key) {
            return known.clone();
        }
        let answer = compute();
        let mut memory = memory.lock().unwrap_or_else(|e| e.into_inner());
        let (all, held) = &mut *memory;
        if *held + weight > self.max_weight {
            all.clear();
            *held = 0;
        }
        *held += weight;
        all.insert(key, answer.clone());
        answer
    }
}
