//! Regex checks and compiled patterns remembered across checks of the same process:
//! compiling a regex is most of a check's time, and the language server checks the same
//! patterns again on every edit. A check's answer depends on nothing but the pattern and
//! its case flag, so a remembered answer is the one a fresh compile would give (a test
//! below holds the two together); the runtime's verifier reuses compiled patterns under
//! the same argument (ward_runtime::pattern_store).

use ward_runtime::limits::MAX_TOTAL_REGEX_SIZE;
use ward_runtime::{CompiledPattern, PatternKey, PatternStore};

use super::memo::Memo;

/// How many answers are kept; past it the memory starts over, so a long editing session
/// holds at most this many patterns (each at most the runtime's pattern length limit).
const MAX_REMEMBERED: usize = 1 << 16;

static ANSWERS: Memo<(String, bool), Result<(), String>> = Memo::new(MAX_REMEMBERED);

/// [`ward_runtime::check_regex`], remembered.
pub(crate) fn check_regex(source: &str, ignore_case: bool) -> Result<(), String> {
    ANSWERS.get_or((source.to_string(), ignore_case), 1, || {
        ward_runtime::check_regex(source, ignore_case)
    })
}

/// The compiled patterns' weight bound (each weighs its charged size tier): as much as
/// one channel may hold compiled, so the edited channel's patterns all fit.
const MAX_COMPILED_WEIGHT: usize = MAX_TOTAL_REGEX_SIZE;

static COMPILED: Memo<PatternKey, CompiledPattern> = Memo::new(MAX_COMPILED_WEIGHT);

/// The patterns the verifier compiled in earlier checks of this process, for it to reuse.
pub(crate) struct Remembered;

impl PatternStore for Remembered {
    fn recall(&self, key: &PatternKey) -> Option<CompiledPattern> {
        COMPILED.get(key)
    }

    fn remember(&self, key: PatternKey, pattern: &CompiledPattern) {
        COMPILED.insert(key, pattern.weight(), pattern.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_answer_is_the_fresh_one() {
        for pattern in ["^a+b$", "(unclosed", "x{99999999}", "é", "[[:alpha:]]+"] {
            for ignore_case in [false, true] {
                let fresh = ward_runtime::check_regex(pattern, ignore_case);
                assert_eq!(check_regex(pattern, ignore_case), fresh, "{pattern}");
                assert_eq!(check_regex(pattern, ignore_case), fresh, "{pattern}, again");
            }
        }
    }
}
