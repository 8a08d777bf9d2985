//! Globs and regexes: translation of globs to anchored regexes, and compilation of both
//! within the size limits of limits.rs.
//!
//! The regex crate guarantees linear-time matching, and its `size_limit` and
//! `dfa_size_limit` bound the memory one pattern can take, so no pattern in a channel can
//! make evaluation slow or large.

use regex::{Regex, RegexBuilder};

use crate::limits::{REGEX_DFA_SIZE_LIMIT, REGEX_NEST_LIMIT, REGEX_SIZE_LIMIT, REGEX_SIZE_TIERS};

/// Why a pattern did not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PatternError {
    Glob(String),
    Regex(String),
    TooLarge,
}

/// Translates a glob into an anchored regex source.
///
/// `*` matches any run of characters (separators included), `?` exactly one character,
/// `[abc]` / `[a-z]` a class and `[!...]` a negated class; a `]` right after `[` or `[!`
/// is a literal member, so `[]]` matches `]`. `[*]`, `[?]` and `[[]` are how a glob
/// spells the literal characters. A backslash is an ordinary character (Windows paths are
/// written as they are). An unclosed `[` is an error rather than a literal, so a typo is
/// caught at verification instead of silently never matching.
pub(crate) fn glob_to_regex(glob: &str) -> Result<String, String> {
    let mut out = String::with_capacity(glob.len().saturating_mul(2).saturating_add(8));
    out.push_str(r"\A(?s:");
    let chars: Vec<char> = glob.chars().collect();
    let mut i = 0usize;
    while let Some(&c) = chars.get(i) {
        i = i.saturating_add(1);
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '[' => {
                let start = i;
                let mut negated = false;
                if chars.get(i) == Some(&'!') {
                    negated = true;
                    i = i.saturating_add(1);
                }
                let mut members: Vec<char> = Vec::new();
                let mut closed = false;
                let mut first = true;
                while let Some(&m) = chars.get(i) {
                    i = i.saturating_add(1);
                    if m == ']' && !first {
                        closed = true;
                        break;
                    }
                    first = false;
                    members.push(m);
                }
                if !closed {
                    return Err(format!(
                        "the `[` at character {} is never closed",
                        start.saturating_sub(1)
                    ));
                }
                out.push('[');
                if negated {
                    out.push('^');
                }
                let mut j = 0usize;
                while let Some(&lo) = members.get(j) {
                    let dash = members.get(j.saturating_add(1)) == Some(&'-');
                    let hi = members.get(j.saturating_add(2)).copied();
                    match (dash, hi) {
                        (true, Some(hi)) => {
                            if lo > hi {
                                return Err(format!("the range `{lo}-{hi}` is reversed"));
                            }
                            push_class_char(&mut out, lo);
                            out.push('-');
                            push_class_char(&mut out, hi);
                            j = j.saturating_add(3);
                        }
                        _ => {
                            push_class_char(&mut out, lo);
                            j = j.saturating_add(1);
                        }
                    }
                }
                out.push(']');
            }
            other => {
                let mut buf = [0u8; 4];
                out.push_str(&regex::escape(other.encode_utf8(&mut buf)));
            }
        }
    }
    out.push_str(r")\z");
    Ok(out)
}

/// Escapes a character inside a regex class; the regex crate gives meaning to `\ [ ] ^ -`
/// and to the set operators `&& -- ~~`, so all of those are escaped.
fn push_class_char(out: &mut String, c: char) {
    if matches!(c, '\\' | '[' | ']' | '^' | '-' | '&' | '~') {
        out.push('\\');
    }
    out.push(c);
}

/// A compiled pattern and the compiled-size tier it fits in (an upper bound on its size).
pub(crate) type Compiled = (Regex, usize);

/// Compiles a regex source within the limits; `ignore_case` for `path` fields. Tries
/// each size tier in turn, so the returned tier bounds the regex's compiled size.
pub(crate) fn compile_regex(source: &str, ignore_case: bool) -> Result<Compiled, PatternError> {
    for tier in REGEX_SIZE_TIERS {
        let built = RegexBuilder::new(source)
            .case_insensitive(ignore_case)
            .size_limit(tier)
            .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
            .nest_limit(REGEX_NEST_LIMIT)
            .build();
        match built {
            Ok(regex) => return Ok((regex, tier)),
            Err(regex::Error::CompiledTooBig(_)) => continue,
            Err(other) => return Err(PatternError::Regex(other.to_string())),
        }
    }
    Err(PatternError::TooLarge)
}

/// Compiles a glob (anchored, whole-string) within the limits.
pub(crate) fn compile_glob(glob: &str, ignore_case: bool) -> Result<Compiled, PatternError> {
    let source = glob_to_regex(glob).map_err(PatternError::Glob)?;
    compile_regex(&source, ignore_case)
}

/// Whether a glob is well formed, as the verifier's translation sees it; the reason if
/// not. The compiler calls this so that its diagnostics and the verifier agree.
///
/// Only the translation runs: a glob's translation is always a valid regex, and one of at
/// most `MAX_PATTERN_LEN` bytes always compiles within the size limit (the test
/// `the_largest_globs_compile_within_the_limit` builds the worst cases), so compiling here
/// would cost time and find nothing. `ward build` still runs the full verifier.
pub fn check_glob(glob: &str) -> Result<(), String> {
    glob_to_regex(glob).map(drop)
}

/// Whether a regex compiles as the verifier will compile it; the reason if not.
pub fn check_regex(source: &str, ignore_case: bool) -> Result<(), String> {
    compile_regex(source, ignore_case)
        .map(drop)
        .map_err(describe)
}

fn describe(e: PatternError) -> String {
    match e {
        PatternError::Glob(reason) | PatternError::Regex(reason) => reason,
        PatternError::TooLarge => {
            format!("the compiled pattern exceeds the runtime's {REGEX_SIZE_LIMIT}-byte size limit")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(g: &str, s: &str) -> bool {
        compile_glob(g, false).unwrap().0.is_match(s)
    }

    #[test]
    fn glob_basics() {
        assert!(glob("*.exe", "a.exe"));
        assert!(!glob("*.exe", "a.exe.txt"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("a?c", "aéc"));
        assert!(glob(r"C:\Windows\*", r"C:\Windows\System32\x.dll"));
        assert!(glob("*", "line\nbreak"));
    }

    #[test]
    fn glob_classes_and_literals() {
        assert!(glob("[*]", "*"));
        assert!(!glob("[*]", "a"));
        assert!(glob("[?]", "?"));
        assert!(!glob("[?]", "x"));
        assert!(glob("[[]", "["));
        assert!(glob("[]]", "]"));
        assert!(glob("[a-c]x", "bx"));
        assert!(!glob("[a-c]x", "dx"));
        assert!(glob("[!a-c]x", "dx"));
        assert!(!glob("[!a-c]x", "ax"));
        assert!(glob("[-a]", "-"));
        assert!(glob("[a-]", "-"));
        assert!(glob("[&&]", "&"));
        assert!(glob("[\\]", "\\"));
        assert!(glob("[^]", "^"));
        assert!(glob("a.b", "a.b"));
        assert!(!glob("a.b", "axb"));
        assert!(glob("(x)+", "(x)+"));
    }

    #[test]
    fn glob_errors() {
        assert!(matches!(
            compile_glob("[abc", false),
            Err(PatternError::Glob(_))
        ));
        assert!(matches!(
            compile_glob("[]", false),
            Err(PatternError::Glob(_))
        ));
        assert!(matches!(
            compile_glob("[!]", false),
            Err(PatternError::Glob(_))
        ));
        assert!(matches!(
            compile_glob("[z-a]", false),
            Err(PatternError::Glob(_))
        ));
    }

    #[test]
    fn the_compilers_checks_agree_with_the_verifier() {
        assert_eq!(check_glob("*.exe"), Ok(()));
        assert!(check_glob("[abc").unwrap_err().contains("never closed"));
        assert_eq!(check_regex("^a+$", false), Ok(()));
        assert!(check_regex("(", false).is_err());
        assert!(check_regex(r"\w{1000}\w{1000}", false)
            .unwrap_err()
            .contains("size limit"));
    }

    #[test]
    fn the_largest_globs_compile_within_the_limit() {
        use crate::limits::MAX_PATTERN_LEN;
        // The constructs whose translation compiles largest: any character, negated and
        // wide classes, under Unicode case folding, repeated up to the length limit.
        let worst = [
            "?".repeat(MAX_PATTERN_LEN),
            "[!a]".repeat(MAX_PATTERN_LEN / 4),
            "[!a-z]".repeat(MAX_PATTERN_LEN / 6),
            "*?".repeat(MAX_PATTERN_LEN / 2),
            "[\u{0}-\u{10FFFF}]".repeat(MAX_PATTERN_LEN / 17),
            "k".repeat(MAX_PATTERN_LEN),
        ];
        for glob in worst {
            assert!(glob.len() <= MAX_PATTERN_LEN);
            for ignore_case in [false, true] {
                assert!(check_glob(&glob).is_ok());
                assert!(
                    compile_glob(&glob, ignore_case).is_ok(),
                    "a {}-byte glob exceeded the limit: {}",
                    glob.len(),
                    &glob[..20]
                );
            }
        }
    }

    #[test]
    fn regex_limits() {
        assert!(matches!(
            compile_regex("(", false),
            Err(PatternError::Regex(_))
        ));
        assert!(matches!(
            compile_regex(r"\w{1000}\w{1000}", false),
            Err(PatternError::TooLarge)
        ));
        assert!(compile_regex("^abc$", true).unwrap().0.is_match("ABC"));
        assert_eq!(compile_regex("^abc$", true).unwrap().1, REGEX_SIZE_TIERS[0]);
        // Counted repetitions land in a larger tier.
        assert!(compile_regex(r"\w{20}", false).unwrap().1 > REGEX_SIZE_TIERS[0]);
    }
}
