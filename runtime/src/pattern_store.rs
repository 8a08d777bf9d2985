//! Patterns compiled by an earlier verification, for a caller that verifies the same
//! patterns again and again: the compiler's checker, which the language server runs on
//! every edit, verifies the edited channel afresh, and compiling its regexes is most of
//! that work.
//!
//! A compiled pattern is a pure function of its [`PatternKey`] (the source, whether it is
//! a glob, whether it folds case): compilation reads nothing else, the size tiers and
//! limits it tries are constants, and the per-channel limits are charged by the verifier
//! from the remembered tier exactly as from a fresh one. So a verification that recalls
//! patterns gives the verdict a fresh one gives (runtime/tests/pattern_store.rs holds the
//! two together). Only patterns that compiled are remembered; a refused one is compiled,
//! and refused, again.
//!
//! The runtime keeps no memory of its own (it has no lock without std, and a sensor
//! verifies a channel once): the caller supplies the store and bounds it.

use alloc::string::String;
use regex_automata::meta::Regex;

use crate::pattern::{compile_regex, glob_to_regex, nfa_states, PatternError};

/// What a compiled pattern is a function of.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PatternKey {
    /// The pattern as the channel writes it.
    pub source: String,
    /// A glob (compiled as its translation to a regex), else a regex.
    pub glob: bool,
    /// Case-insensitive, as on `path` fields.
    pub fold: bool,
}

/// A pattern as the verifier compiled it, opaque to the caller: the regex, the size tier
/// it was charged, its NFA's state count (its cost per byte) and the regex source the
/// index reads literals from. Cloning it shares the compiled regex, not its match caches.
#[derive(Debug, Clone)]
pub struct CompiledPattern {
    pub(crate) regex: Regex,
    pub(crate) tier: usize,
    pub(crate) states: usize,
    pub(crate) regex_source: String,
}

impl CompiledPattern {
    /// An upper bound on the bytes it holds (the charged tier bounds the regex), for a
    /// store that bounds its memory.
    pub fn weight(&self) -> usize {
        self.tier.saturating_add(self.regex_source.len())
    }
}

/// Where [`crate::verify_reusing`] looks for patterns compiled before and leaves the ones
/// it compiles. `recall` must answer only what was `remember`ed under an equal key.
pub trait PatternStore {
    fn recall(&self, key: &PatternKey) -> Option<CompiledPattern>;
    fn remember(&self, key: PatternKey, pattern: &CompiledPattern);
}

/// Remembers nothing: every pattern is compiled, as [`crate::verify`] does.
#[derive(Debug)]
pub struct NoStore;

impl PatternStore for NoStore {
    fn recall(&self, _: &PatternKey) -> Option<CompiledPattern> {
        None
    }

    fn remember(&self, _: PatternKey, _: &CompiledPattern) {}
}

/// Compiles the pattern of `key`, within the size limits: a glob as its translation,
/// which is also what the index reads literals from.
pub(crate) fn compile(key: &PatternKey) -> Result<CompiledPattern, PatternError> {
    let regex_source = if key.glob {
        glob_to_regex(&key.source).map_err(PatternError::Glob)?
    } else {
        key.source.clone()
    };
    let (regex, tier) = compile_regex(&regex_source, key.fold)?;
    Ok(CompiledPattern {
        regex,
        tier,
        states: nfa_states(&regex_source, key.fold, tier),
        regex_source,
    })
}
