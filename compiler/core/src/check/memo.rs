//! Answers remembered for the process, for checks that are pure functions of their key
//! (a regex's compile, the runtime's verdict on a channel's bytes, a compiled pattern)
//! and that the language server repeats on every edit. The memory is bounded by a weight
//! per answer; past the bound it starts over.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, OnceLock};

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

    fn lock(&self) -> MutexGuard<'_, (HashMap<K, V>, usize)> {
        // A poisoned lock still holds whole answers: each is inserted in one step.
        let memory = self.answers.get_or_init(Mutex::default);
        memory.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer remembered for `key`, if any.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        self.lock().0.get(key).cloned()
    }

    /// Remembers `answer` for `key`, with `weight`.
    pub(crate) fn insert(&self, key: K, weight: usize, answer: V) {
        let mut memory = self.lock();
        let (all, held) = &mut *memory;
        if *held + weight > self.max_weight {
            all.clear();
            *held = 0;
        }
        *held += weight;
        all.insert(key, answer);
    }

    /// The answer for `key`: remembered, or `compute`d (outside the lock, so other threads
    /// go on meanwhile) and remembered with `weight`.
    pub(crate) fn get_or(&self, key: K, weight: usize, compute: impl FnOnce() -> V) -> V {
        if let Some(known) = self.get(&key) {
            return known;
        }
        let answer = compute();
        self.insert(key, weight, answer.clone());
        answer
    }
}
