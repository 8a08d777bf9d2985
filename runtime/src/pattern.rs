//! Globs and regexes: translation of globs to anchored regexes, and compilation of both
//! within the size limits of limits.rs.
//!
//! Every matcher is linear in the input, whatever the pattern. Globs without classes or
//! `?` (most of them) are matched by [`simple_glob_matches`], which examines at most the
//! input's length plus the glob's (its documentation has the proof). Every other glob
//! and every regex is compiled by regex-automata's meta engine, configured exactly as
//! the regex crate configures it (leftmost-first, UTF-8 text), without std: its engines
//! take time linear in the input times the size of the pattern's NFA, which the size
//! tiers below bound, and its NFA size limit and lazy DFA cache capacity bound the memory
//! one pattern can take. cost.rs turns these bounds into the worst-case cost of one event
//! that the verifier holds a channel to.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use memchr::memmem;
use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::MatchKind;

use crate::cost::Work;

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

/// The number of states of the pattern's forward NFA, built as the meta engine builds it
/// for its PikeVM (captures included): the most states the slowest engine
/// it may fall back to, the PikeVM, visits per input byte. Called only on a pattern that
/// compiled within `tier`, so it builds too; 0 if it did not.
pub(crate) fn nfa_states(source: &str, ignore_case: bool, tier: usize) -> usize {
    let syntax = syntax::Config::new()
        .utf8(true)
        .case_insensitive(ignore_case)
        .nest_limit(REGEX_NEST_LIMIT);
    let config = thompson::Config::new().nfa_size_limit(Some(tier));
    thompson::Compiler::new()
        .syntax(syntax)
        .configure(config)
        .build(source)
        .map_or(0, |nfa| nfa.states().len())
}

/// Whether a glob is matched by [`simple_glob_matches`] instead of a compiled regex: it
/// has no classes and no `?`, and on a `path` field (`fold`) its characters are ASCII,
/// whose case-insensitive variants [`fold_for_glob`] maps exactly. Most globs are
/// simple, and not compiling them is most of what keeps verification of a large channel
/// fast. A `?` counts characters, not bytes, so a glob with one is compiled instead.
pub(crate) fn is_simple_glob(glob: &str, fold: bool) -> bool {
    !glob.contains(['[', '?']) && (!fold || glob.is_ascii())
}

/// The characters other than ASCII ones that the regex crate's simple case folding
/// relates to an ASCII letter (KELVIN SIGN to `k`, LONG S to `s`), and that letter.
/// The literal sets of literals.rs read a case class as one letter only if it is exactly
/// the letter's cases and these, so they and [`glob_char`] share this one table.
pub(crate) const FOLDED_TO_ASCII: [(char, char); 2] = [('\u{212A}', 'k'), ('\u{17F}', 's')];

/// A character as a simple glob on a `path` field compares it: ASCII letters lowercased,
/// and the characters of [`FOLDED_TO_ASCII`] as the letter the regex crate's simple case
/// folding relates them to. Every other character is left as it is; it is not ASCII, so
/// it equals no character of such a glob, as under the regex's folding.
fn glob_char(c: char) -> char {
    FOLDED_TO_ASCII
        .iter()
        .find(|(from, _)| *from == c)
        .map_or(c.to_ascii_lowercase(), |(_, to)| *to)
}

/// `text` in the form a simple glob on a `path` field is matched against, written into
/// `out` (cleared first). The map is character by character, so a glob (lowercased)
/// matches the mapped text exactly when it matches `text` under case folding.
pub(crate) fn fold_for_glob(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
    } else {
        out.extend(text.chars().map(glob_char));
    }
}

/// Matches a simple glob (see [`is_simple_glob`]) against the whole of `text`, with the
/// semantics of its translation by [`glob_to_regex`] (a property test holds the two
/// together). On a `path` field the glob is stored lowercased and `text` is mapped by
/// [`fold_for_glob`]; otherwise both are as written. `work` is charged the bytes the
/// matcher examines.
///
/// Linear in the input whatever the glob: the pieces between stars are plain literals,
/// so the first must start the text, the last must end it, and taking each middle piece
/// at its leftmost occurrence after the previous one is never wrong (any match can be
/// moved to the leftmost occurrences, which leaves more text for the pieces after).
/// `memmem::find` is worst-case linear and stops at the first occurrence, so finding a
/// piece at `p` bytes into the remaining text examines at most `p` plus the piece's
/// length, and the next search starts past that occurrence. The searches therefore
/// examine at most the input's length plus the glob's, in total. Byte-wise search is
/// exact on UTF-8: a valid needle only occurs in valid text at character boundaries.
pub(crate) fn simple_glob_matches(glob: &str, text: &str, work: &mut Work) -> bool {
    let (glob, text) = (glob.as_bytes(), text.as_bytes());
    let mut pieces = glob.split(|b| *b == b'*');
    let first = pieces.next().unwrap_or_default();
    let Some(last) = pieces.next_back() else {
        // No star: the one piece is the whole input.
        work.charge(first.len());
        return glob == text;
    };
    work.charge(first.len().saturating_add(last.len()));
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for piece in pieces {
        let Some(at) = memmem::find(rest, piece) else {
            work.charge(rest.len());
            return false;
        };
        let after = at.saturating_add(piece.len());
        work.charge(after);
        rest = rest.get(after..).unwrap_or_default();
    }
    rest.ends_with(last)
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
                simple(g, input, fold),
                glob(g, input, fold),
                "{g:?} on {input:?}, fold {fold}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]

        #[test]
        fn simple_globs_match_as_their_regexes_do(
            g in r"[aksAKS*.\\ſKé]{0,7}",
            input in r"[aksAKSx.\\ſKİéÉ\n]{0,9}",
            fold in proptest::bool::ANY,
        ) {
            // Path globs are simple only when ASCII.
            let g: String = g.chars().filter(|c| !fold || c.is_ascii()).collect();
            proptest::prop_assert!(is_simple_glob(&g, fold));
            proptest::prop_assert_eq!(simple(&g, &input, fold), glob(&g, &input, fold));
        }

        #[test]
        fn simple_globs_examine_at_most_the_input_and_the_glob(
            g in r"[ab*]{0,40}",
            input in r"[ab]{0,200}",
        ) {
            let mut work = Work::default();
            simple_glob_matches(&g, &input, &mut work);
            proptest::prop_assert!(work.get() <= (g.len() + input.len()) as u64);
        }
    }

    /// A simple glob matched as the interpreter matches it: on a `path` field the glob
    /// is stored lowercased and the input is mapped by [`fold_for_glob`].
    fn simple(g: &str, input: &str, fold: bool) -> bool {
        let mut text = String::new();
        let glob = if fold {
            fold_for_glob(input, &mut text);
            g.to_lowercase()
        } else {
            text.push_str(input);
            g.to_string()
        };
        simple_glob_matches(&glob, &text, &mut Work::default())
    }

    #[test]
    fn a_long_glob_on_a_long_input_costs_their_sum() {
        // The shape that stalled the old matcher: a middle piece that almost matches at
        // every position of a long input.
        let glob = format!("*{}b*", "a".repeat(1000));
        let input = "a".repeat(64 * 1024);
        let mut work = Work::default();
        assert!(!simple_glob_matches(&glob, &input, &mut work));
        assert!(
            work.get() <= (glob.len() + input.len()) as u64,
            "{}",
            work.get()
        );
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

    #[test]
    fn nfa_states_grow_with_the_pattern() {
        let tier = REGEX_SIZE_TIERS[0];
        let small = nfa_states("^abc$", false, tier);
        assert!(small > 0);
        assert!(nfa_states(&"a".repeat(100), false, tier) > small);
        // Unicode classes cost states.
        let (_, tier) = compile_regex(r"\w{20}", false).unwrap();
        assert!(nfa_states(r"\w{20}", false, tier) > nfa_states(r"(?-u:\w){20}", false, tier));
        // A pattern too large for the tier has no count (verification refused it).
        assert_eq!(nfa_states(r"\w{1000}", false, REGEX_SIZE_TIERS[0]), 0);
    }
}
