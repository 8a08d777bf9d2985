//! Regex checks remembered across checks of the same process: compiling a regex is most
//! of a check's time, and the language server checks the same patterns again on every
//! edit. The answer depends on nothing but the pattern and its case flag, so a remembered
//! answer is the one a fresh compile would give (a test below holds the two together).

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
