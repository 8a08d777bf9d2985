//! Regex checks remembered across checks of the same process: compiling a regex is most
//! of a check's time, and the language server checks the same patterns again on every
//! edit. The answer depends on nothing but the pattern and its case flag, so a remembered
//! answer is the one a fresh compile would give (a test below holds the two together).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// How many answers are kept; past it the memory starts over, so a long editing session
/// holds at most this many patterns (each at most the runtime's pattern length limit).
const MAX_REMEMBERED: usize = 1 << 16;

type Answers = HashMap<(String, bool), Result<(), String>>;

fn answers() -> &'static Mutex<Answers> {
    static ANSWERS: OnceLock<Mutex<Answers>> = OnceLock::new();
    ANSWERS.get_or_init(Mutex::default)
}

/// [`ward_runtime::check_regex`], remembered.
pub(crate) fn check_regex(source: &str, ignore_case: bool) -> Result<(), String> {
    let key = (source.to_string(), ignore_case);
    // A poisoned lock still holds whole answers: each is inserted in one step.
    if let Some(known) = answers()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
    {
        return known.clone();
    }
    // Compiled outside the lock, so checks on other threads go on meanwhile.
    let answer = ward_runtime::check_regex(source, ignore_case);
    let mut all = answers().lock().unwrap_or_else(|e| e.into_inner());
    if all.len() >= MAX_REMEMBERED {
        all.clear();
    }
    all.insert(key, answer.clone());
    answer
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
