//! Globs and regexes: translation of globs to anchored regexes, and compilation of both
//! within the size limits of limits.rs.
//!
//! Patterns are compiled by regex-automata's meta engine, configured exactly as the regex
//! crate configures it (leftmost-first, UTF-8 text), without std. It guarantees
//! linear-time matching, and its NFA size limit and lazy DFA cache capacity bound the
//! memory one pattern can take, so no pattern in a channel can make evaluation slow or
//! large.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::MatchKind;

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
                regex_syntax::escape_into(other.encode_utf8(&mut buf), &mut out);
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
    let syntax = syntax::Config::new()
        .utf8(true)
        .case_insensitive(ignore_case)
        .nest_limit(REGEX_NEST_LIMIT);
    for tier in REGEX_SIZE_TIERS {
        let config = meta::Config::new()
            .match_kind(MatchKind::LeftmostFirst)
            .utf8_empty(true)
            .nfa_size_limit(Some(tier))
            .hybrid_cache_capacity(REGEX_DFA_SIZE_LIMIT);
        let built = meta::Builder::new()
            .configure(config)
            .syntax(syntax)
            .build(source);
        match built {
            Ok(regex) => return Ok((regex, tier)),
            Err(e) if e.size_limit().is_some() => continue,
            // The regex crate's wording: the syntax error itself when there is one.
            Err(e) => {
                let reason = match e.syntax_error() {
                    Some(syntax) => syntax.to_string(),
                    None => e.to_string(),
                };
                return Err(PatternError::Regex(reason));
            }
        }
    }
    Err(PatternError::TooLarge)
}

/// Whether a glob is matched by [`simple_glob_matches`] instead of a compiled regex: it
/// has no classes, and on a `path` field (`fold`) its characters are ASCII, whose
/// case-insensitive variants [`same_char`] knows exactly. Most globs are simple, and not
/// compiling them is most of what keeps verification of a large channel fast.
pub(crate) fn is_simple_glob(glob: &str, fold: bool) -> bool {
    !glob.contains('[') && (!fold || glob.is_ascii())
}

/// Whether input character `c` matches glob character `g` as the glob's regex would:
/// exactly, or on a `path` field under the regex crate's simple case folding, which
/// relates each ASCII letter to its other case and also `k` to KELVIN SIGN and `s` to
/// LONG S.
fn same_char(g: char, c: char, fold: bool) -> bool {
    if g == c {
        return true;
    }
    if !fold || !g.is_ascii_alphabetic() {
        return false;
    }
    match g.to_ascii_lowercase() {
        'k' if c == '\u{212A}' => true,
        's' if c == '\u{17F}' => true,
        lower => c.is_ascii() && c.to_ascii_lowercase() == lower,
    }
}

/// Matches one star-free piece of a glob (literal characters and `?`) against the start
/// of `text`; the rest of `text` if it matches.
fn piece_at<'t>(piece: &str, text: &'t str, fold: bool) -> Option<&'t str> {
    let mut rest = text.chars();
    for g in piece.chars() {
        let c = rest.next()?;
        if g != '?' && !same_char(g, c, fold) {
            return None;
        }
    }
    Some(rest.as_str())
}

/// Matches a simple glob (see [`is_simple_glob`]) against the whole of `input`, with the
/// semantics of its translation by [`glob_to_regex`] (a property test holds the two
/// together). The pieces between stars have a fixed number of characters, so taking each
/// middle piece at its leftmost match is never wrong; the work is at most the input's
/// length times the glob's.
pub(crate) fn simple_glob_matches(glob: &str, input: &str, fold: bool) -> bool {
    let mut pieces = glob.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(last) = pieces.next_back() else {
        // No star: the one piece is the whole input.
        return piece_at(first, input, fold) == Some("");
    };
    let Some(mut rest) = piece_at(first, input, fold) else {
        return false;
    };
    for piece in pieces {
        rest = match leftmost(piece, rest, fold) {
            Some(after) => after,
            None => return false,
        };
    }
    // The last piece ends the input: it starts its character count before the end.
    let count = last.chars().count();
    let mut starts = rest.char_indices().map(|(i, _)| i).rev();
    let start = match count {
        0 => rest.len(),
        n => match starts.nth(n.saturating_sub(1)) {
            Some(i) => i,
            None => return false,
        },
    };
    rest.get(start..)
        .is_some_and(|tail| piece_at(last, tail, fold) == Some(""))
}

/// The text after the leftmost match of `piece` in `text`.
fn leftmost<'t>(piece: &str, text: &'t str, fold: bool) -> Option<&'t str> {
    let mut from = text;
    loop {
        if let Some(after) = piece_at(piece, from, fold) {
            return Some(after);
        }
        let mut chars = from.chars();
        chars.next()?;
        from = chars.as_str();
    }
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

    /// Compiles a glob (anchored, whole-string) within the limits.
    fn compile_glob(glob: &str, ignore_case: bool) -> Result<Compiled, PatternError> {
        let source = glob_to_regex(glob).map_err(PatternError::Glob)?;
        compile_regex(&source, ignore_case)
    }

    fn glob_cs(g: &str, s: &str) -> bool {
        glob(g, s, false)
    }

    #[test]
    fn glob_basics() {
        assert!(glob_cs("*.exe", "a.exe"));
        assert!(!glob_cs("*.exe", "a.exe.txt"));
        assert!(glob_cs("a?c", "abc"));
        assert!(!glob_cs("a?c", "ac"));
        assert!(glob_cs("a?c", "aéc"));
        assert!(glob_cs(r"C:\Windows\*", r"C:\Windows\System32\x.dll"));
        assert!(glob_cs("*", "line\nbreak"));
    }

    #[test]
    fn glob_classes_and_literals() {
        assert!(glob_cs("[*]", "*"));
        assert!(!glob_cs("[*]", "a"));
        assert!(glob_cs("[?]", "?"));
        assert!(!glob_cs("[?]", "x"));
        assert!(glob_cs("[[]", "["));
        assert!(glob_cs("[]]", "]"));
        assert!(glob_cs("[a-c]x", "bx"));
        assert!(!glob_cs("[a-c]x", "dx"));
        assert!(glob_cs("[!a-c]x", "dx"));
        assert!(!glob_cs("[!a-c]x", "ax"));
        assert!(glob_cs("[-a]", "-"));
        assert!(glob_cs("[a-]", "-"));
        assert!(glob_cs("[&&]", "&"));
        assert!(glob_cs("[\\]", "\\"));
        assert!(glob_cs("[^]", "^"));
        assert!(glob_cs("a.b", "a.b"));
        assert!(!glob_cs("a.b", "axb"));
        assert!(glob_cs("(x)+", "(x)+"));
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
    fn simple_globs_match_as_their_regexes_do_on_edge_cases() {
        for (g, input, fold) in [
            ("*", "", true),
            ("", "", false),
            ("", "a", false),
            ("a*a", "a", false),
            ("a*a", "aa", false),
            ("*ab*ab*", "abab", false),
            ("*ab*ab*", "aba", false),
            ("??", "é\n", false),
            ("?", "", true),
            ("*.EXE", "X.exe", true),
            ("*.EXE", "X.exe", false),
            ("ks", "\u{212A}\u{17F}", true),
            ("KS", "\u{212A}\u{17F}", true),
            ("ks", "\u{212A}\u{17F}", false),
            ("i", "\u{130}", true),
            ("\u{130}*", "\u{130}x", false),
        ] {
            assert!(is_simple_glob(g, fold) || !g.is_ascii());
            assert_eq!(
                simple_glob_matches(g, input, fold),
                glob(g, input, fold),
                "{g:?} on {input:?}, fold {fold}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]

        #[test]
        fn simple_globs_match_as_their_regexes_do(
            g in r"[aksAKS?*.\\ſKé]{0,7}",
            input in r"[aksAKSx.\\ſKİéÉ\n]{0,9}",
            fold in proptest::bool::ANY,
        ) {
            // Path globs are simple only when ASCII.
            let g: String = g.chars().filter(|c| !fold || c.is_ascii()).collect();
            proptest::prop_assert!(is_simple_glob(&g, fold));
            let simple = simple_glob_matches(&g, &input, fold);
            proptest::prop_assert_eq!(simple, glob(&g, &input, fold));
        }
    }

    fn glob(g: &str, s: &str, fold: bool) -> bool {
        compile_glob(g, fold).unwrap().0.is_match(s)
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
