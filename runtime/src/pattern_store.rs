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

use crate::literals::LiteralSet;
use crate::pattern::{compile_regex, glob_to_regex, nfa_states, PatternError};
use crate::verify::Matcher;

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

/// A pattern as the verifier compiled it, opaque to the caller: how it is matched (the
/// regex with its NFA's state count, its cost per byte, or a literal set), the compiled
/// size it is charged and the regex source the index reads literals from. Cloning it
/// shares the compiled regex, not its match caches.
#[derive(Debug, Clone)]
pub struct CompiledPattern {
    pub(crate) matcher: Matcher,
    /// The regex's size tier, or a literal set's own size if larger: an upper bound on
    /// what the matcher holds.
    pub(crate) size: usize,
    pub(crate) regex_source: String,
}

impl CompiledPattern {
    /// An upper bound on the bytes it holds (the charged size bounds the matcher), for a
    /// store that bounds its memory.
    pub fn weight(&self) -> usize {
        self.size.saturating_add(self.regex_source.len())
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
    // A regex that is a set of literals is matched as one, and the regex dropped; it was
    // compiled all the same, so that it is refused exactly when the engine would refuse it.
    let (matcher, size) = match LiteralSet::from_regex(&regex_source, key.fold) {
        Some(set) => {
            let size = set.memory_bytes().max(tier);
            (Matcher::Literals(set), size)
        }
        None => (
            Matcher::Regex {
                states: nfa_states(&regex_source, key.fold, tier),
                regex,
            },
            tier,
        ),
    };
    Ok(CompiledPattern {
        matcher,
        size,
        regex_source,
    })
}
