//! Literals for the index: the folding that puts event text and needles in one form, and
//! the required literal of a glob or regex, read from the regex crate's own syntax tree.
//!
//! The index searches a field's text with one ASCII-case-insensitive automaton. A literal
//! is only a sound anchor if every string the criterion accepts contains it in the
//! searched form, so both sides go through [`fold`], and a pattern contributes only the
//! characters whose every case variant folds to one character.

use alloc::borrow::Cow;
use alloc::string::String;

use regex_syntax::hir::{Class, Hir, HirKind, Look};
use regex_syntax::ParserBuilder;

use crate::case;
use crate::limits::REGEX_NEST_LIMIT;

/// Where a literal must sit in the searched text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Position {
    Anywhere,
    Start,
    End,
}

/// A literal every accepted string contains, already folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Required {
    pub text: String,
    pub position: Position,
}

/// The two characters outside ASCII whose case variants include ASCII letters under the
/// regex crate's simple case folding: LONG S (`s`) and KELVIN SIGN (`k`). Every other
/// character is left alone, and ASCII case is the automaton's business.
fn fold_char(c: char) -> char {
    match c {
        '\u{17F}' => 's',
        '\u{212A}' => 'k',
        other => other,
    }
}

/// Text in the form the automaton searches: `fold_char` applied to every character. A
/// character-wise map keeps every containment, prefix and suffix of the text it maps.
pub(crate) fn fold(text: &str) -> Cow<'_, str> {
    if needs_fold(text) {
        Cow::Owned(text.chars().map(fold_char).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// [`fold`] of `text`, written into `buffer` only when folding changes it.
pub(crate) fn fold_into<'a>(text: &'a str, buffer: &'a mut String) -> &'a str {
    if !needs_fold(text) {
        return text;
    }
    buffer.clear();
    buffer.extend(text.chars().map(fold_char));
    buffer.as_str()
}

fn needs_fold(text: &str) -> bool {
    !text.is_ascii() && text.chars().any(|c| fold_char(c) != c)
}

/// The searched form of one character a pattern matches exactly, or `None` if it cannot
/// be part of a literal. On `path` fields the searched text is the lowercased input
/// (case.rs), so the character must lowercase to one character.
fn searched(c: char, path: bool) -> Option<char> {
    let c = if path { case::lower_char(c)? } else { c };
    Some(fold_char(c).to_ascii_lowercase())
}

/// The one searched character a class stands for, if all its members fold to it (as
/// `(?i)a` is the class `[Aa]`).
fn class_char(class: &Class, path: bool) -> Option<char> {
    // A class of more than this many characters is not a case variant set.
    const MAX_MEMBERS: u32 = 4;
    let mut members = 0u32;
    let mut common = None;
    let mut visit = |c: char| -> Option<()> {
        members = members.checked_add(1).filter(|n| *n <= MAX_MEMBERS)?;
        let s = searched(c, path)?;
        match common {
            None => common = Some(s),
            Some(x) if x == s => {}
            Some(_) => return None,
        }
        Some(())
    };
    match class {
        Class::Unicode(u) => {
            for r in u.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                if hi.saturating_sub(lo) >= MAX_MEMBERS {
                    return None;
                }
                for c in (lo..=hi).filter_map(char::from_u32) {
                    visit(c)?;
                }
            }
        }
        Class::Bytes(b) => {
            for r in b.ranges() {
                for byte in r.start()..=r.end() {
                    if !byte.is_ascii() {
                        return None;
                    }
                    visit(char::from(byte))?;
                }
            }
        }
    }
    common
}

/// The searched form of a node that matches exactly one string, if it is one.
fn exact(hir: &Hir, path: bool) -> Option<String> {
    match hir.kind() {
        HirKind::Empty => Some(String::new()),
        HirKind::Literal(lit) => core::str::from_utf8(&lit.0)
            .ok()?
            .chars()
            .map(|c| searched(c, path))
            .collect(),
        HirKind::Class(class) => class_char(class, path).map(String::from),
        HirKind::Capture(cap) => exact(&cap.sub, path),
        HirKind::Concat(subs) => subs.iter().map(|s| exact(s, path)).collect(),
        HirKind::Look(_) | HirKind::Repetition(_) | HirKind::Alternation(_) => None,
    }
}

/// Keeps the better of two literals: the longer, and on a tie the one with a position.
fn better(a: Option<Required>, b: Option<Required>) -> Option<Required> {
    match (a, b) {
        (Some(a), Some(b)) => {
            let key = |r: &Required| (r.text.len(), r.position != Position::Anywhere);
            Some(if key(&b) > key(&a) { b } else { a })
        }
        (a, b) => a.or(b),
    }
}

/// The best literal that every match of `hir` contains.
fn required(hir: &Hir, path: bool) -> Option<Required> {
    match hir.kind() {
        HirKind::Capture(cap) => required(&cap.sub, path),
        HirKind::Repetition(rep) if rep.min >= 1 => required(&rep.sub, path).map(|r| Required {
            position: Position::Anywhere,
            ..r
        }),
        HirKind::Concat(subs) => concat(subs, path),
        HirKind::Literal(_) => concat(core::slice::from_ref(hir), path),
        _ => exact(hir, path)
            .filter(|t| !t.is_empty())
            .map(|text| Required {
                text,
                position: Position::Anywhere,
            }),
    }
}

/// Runs of adjacent exact nodes in a concatenation. Zero-width assertions keep a run
/// going (the text on either side is adjacent); `\A` before a run pins it to the start of
/// the text and `\z` after it to the end.
fn concat(subs: &[Hir], path: bool) -> Option<Required> {
    let mut best = None;
    let mut run = String::new();
    // Nothing has consumed text yet, and `\A` was seen.
    let mut at_start = false;
    let mut consumed = false;
    for sub in subs {
        if let HirKind::Look(look) = sub.kind() {
            match look {
                Look::Start if !consumed => at_start = true,
                Look::End => {
                    let position = if at_start && !consumed {
                        // `\A literal \z`: the whole text; the start is as good a pin.
                        Position::Start
                    } else {
                        Position::End
                    };
                    best = better(best, close(&mut run, position));
                }
                _ => {}
            }
            continue;
        }
        // A literal's characters are taken one by one: one that cannot be searched for
        // ends the run, and the rest of the literal starts the next.
        if let HirKind::Literal(lit) = sub.kind() {
            // Not UTF-8 cannot happen: the regex crate refuses such literals on `&str`.
            let text = core::str::from_utf8(&lit.0).unwrap_or_default();
            for c in text.chars() {
                if let Some(x) = searched(c, path) {
                    run.push(x);
                } else {
                    best = better(best, close(&mut run, pinned(at_start, consumed)));
                    consumed = true;
                }
            }
            continue;
        }
        if let Some(text) = exact(sub, path) {
            run.push_str(&text);
            continue;
        }
        best = better(best, close(&mut run, pinned(at_start, consumed)));
        best = better(best, required(sub, path));
        consumed = true;
    }
    better(best, close(&mut run, pinned(at_start, consumed)))
}

/// Where a run that is closed now sits: at the start if `\A` came before it and nothing
/// consumed text.
fn pinned(at_start: bool, consumed: bool) -> Position {
    if at_start && !consumed {
        Position::Start
    } else {
        Position::Anywhere
    }
}

/// Ends the current run, returning it as a literal if it is not empty.
fn close(run: &mut String, position: Position) -> Option<Required> {
    let text = core::mem::take(run);
    (!text.is_empty()).then_some(Required { text, position })
}

/// The best literal every string matched by the regex `source` contains, in searched
/// form; `path` when the regex is compiled case-insensitive for a `path` field. `None`
/// when there is no such literal (or the source does not parse, which verification has
/// already ruled out).
pub(crate) fn pattern_literal(source: &str, path: bool) -> Option<Required> {
    let hir = ParserBuilder::new()
        .case_insensitive(path)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .parse(source)
        .ok()?;
    required(&hir, path)
}

/// The best literal of a simple glob (no classes; see `pattern::is_simple_glob`), read
/// from its text: the runs between `*` and `?`, each pinned if it starts or ends the glob.
pub(crate) fn glob_literal(glob: &str, path: bool) -> Option<Required> {
    let mut best = None;
    let mut run = String::new();
    let mut consumed = false;
    for g in glob.chars() {
        let x = match g {
            '*' | '?' => None,
            other => searched(other, path),
        };
        match x {
            Some(x) => run.push(x),
            None => {
                best = better(best, close(&mut run, pinned(true, consumed)));
                consumed = true;
            }
        }
    }
    let position = if consumed {
        Position::End
    } else {
        // No wildcard at all: the whole input; its start is as good a pin.
        Position::Start
    };
    better(best, close(&mut run, position))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::glob_to_regex;

    fn lit(source: &str, path: bool) -> Option<(String, Position)> {
        pattern_literal(source, path).map(|r| (r.text, r.position))
    }

    /// The literal read from the glob's regex translation, which must be the literal
    /// read from its text when the glob is simple.
    fn glob(g: &str, path: bool) -> Option<(String, Position)> {
        let from_regex = lit(&glob_to_regex(g).unwrap(), path);
        if crate::pattern::is_simple_glob(g, path) {
            let from_text = glob_literal(g, path).map(|r| (r.text, r.position));
            assert_eq!(from_text, from_regex, "{g}");
        }
        from_regex
    }

    #[test]
    fn globs_give_their_longest_literal_run_with_its_position() {
        assert_eq!(glob("*.exe", true), Some((".exe".into(), Position::End)));
        assert_eq!(
            glob(r"\\.\pipe\svc12_*", true),
            Some((r"\\.\pipe\svc12_".into(), Position::Start))
        );
        // Equal lengths: the literal with a position wins.
        assert_eq!(
            glob(r"C:\Users\*\AppData\*\x1.exe", false),
            Some((r"c:\users\".into(), Position::Start))
        );
        assert_eq!(
            glob(r"C:\U*\AppData\*\x1.exe", false),
            Some((r"\appdata\".into(), Position::Anywhere))
        );
        assert_eq!(glob("abc", false), Some(("abc".into(), Position::Start)));
        assert_eq!(glob("*", true), None);
        assert_eq!(glob("a?c", false), Some(("a".into(), Position::Start)));
    }

    #[test]
    fn case_insensitive_letters_are_literals_and_other_classes_are_not() {
        assert_eq!(
            lit(r"(?i)\\agent7[0-9a-f]{4}\.exe$", false),
            Some((r"\agent7".into(), Position::Anywhere))
        );
        // k and s have a third variant (KELVIN SIGN, LONG S); they fold to ASCII too.
        assert_eq!(
            lit("(?i)kiss", false),
            Some(("kiss".into(), Position::Anywhere))
        );
        assert_eq!(
            lit("^(?i)kiss$", true),
            Some(("kiss".into(), Position::Start))
        );
        assert_eq!(
            lit("[ab]cd", false),
            Some(("cd".into(), Position::Anywhere))
        );
        assert_eq!(lit("ab|cd", false), None);
        assert_eq!(
            lit("(ab)+x", false),
            Some(("ab".into(), Position::Anywhere))
        );
        assert_eq!(lit("x(ab)*", false), Some(("x".into(), Position::Anywhere)));
        assert_eq!(
            lit(r"foo\bbar", false),
            Some(("foobar".into(), Position::Anywhere))
        );
        assert_eq!(lit("ab$", false), Some(("ab".into(), Position::End)));
    }

    #[test]
    fn path_literals_avoid_characters_whose_lowercase_is_not_one_character() {
        // U+0130 lowercases to two characters. Capital sigma lowercases to σ wherever it
        // is (case.rs), and so does final sigma.
        assert_eq!(
            lit("(?-i)ab\u{130}cde", true),
            Some(("cde".into(), Position::Anywhere))
        );
        assert_eq!(
            lit("(?-i)abc\u{3A3}d\u{3C2}", true),
            Some(("abc\u{3C3}d\u{3C3}".into(), Position::Anywhere))
        );
        assert_eq!(
            lit("(?-i)ABC", true),
            Some(("abc".into(), Position::Anywhere))
        );
    }

    #[test]
    fn folding_maps_long_s_and_kelvin_only() {
        assert_eq!(fold("a\u{17F}b\u{212A}é"), "asbké");
        assert!(matches!(fold("plain"), Cow::Borrowed(_)));
        assert!(matches!(fold("é"), Cow::Borrowed(_)));
    }
}
