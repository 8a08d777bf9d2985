//! Regexes that are alternations of literals, each literal anchored at the start, at the
//! end, at both or at neither (`(?i:\\rundll32\.exe)$|(?i:-enc)`, what `ward import
//! sigma` writes for a Sigma value list), matched without the regex engine, so that their
//! cost is a true bound with a small constant.
//!
//! The regex engines are not instrumented, so a regex is charged its NFA's state count
//! per input byte (cost.rs): the PikeVM the meta engine can fall back to visits every
//! state once per byte. An alternation of case-insensitive literals has about three
//! states per character, so a list of twenty file names cost thousands of steps per byte
//! while matching it is a handful of comparisons and one linear search. A [`LiteralSet`]
//! matches the same texts as the regex it was read from (the property test
//! `literal_sets_match_as_their_regexes_do` holds the two together), and charges the work
//! it does: each anchored literal is compared once, and the unanchored ones are found by
//! one Aho-Corasick search.
//!
//! Case. The set is read from the syntax tree the regex engine compiles, under the same
//! configuration. A case-insensitive letter is a class there; it is read as one letter
//! only if the class is exactly the characters that `fold_for_glob` (pattern.rs) maps to
//! that ASCII letter, so comparing the mapped text with the lowercase letter answers as
//! the class does. A pattern mixing such letters with case-sensitive ones is left to the
//! regex engine.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::util::syntax;
use regex_syntax::hir::{Class, Hir, HirKind, Look};

use crate::cost::{CostBound, Work};
use crate::limits::{MAX_PATTERN_LEN, REGEX_NEST_LIMIT};
use crate::pattern::FOLDED_TO_ASCII;

/// The most literals a set is expanded to, and the most bytes they may hold together:
/// small classes and alternations inside a concatenation multiply, and a pattern past
/// these is left to the regex engine.
const MAX_LITERALS: usize = 1024;
const MAX_LITERAL_BYTES: usize = 4 * MAX_PATTERN_LEN;

/// The most characters of a class that is expanded into one literal per character.
const MAX_CLASS_CHARS: usize = 8;

/// An alternation of literals, by anchor.
#[derive(Debug, Clone)]
pub(crate) struct LiteralSet {
    /// Whether the literals are compared with the text mapped by `fold_for_glob`
    /// (their letters are the lowercase ASCII letters it maps to).
    pub(crate) fold: bool,
    whole: Vec<String>,
    starts: Vec<String>,
    ends: Vec<String>,
    /// The unanchored literals' automaton, if there are any.
    contains: Option<AhoCorasick>,
}

/// One piece of a literal sequence as the syntax tree spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// `\A` (`^` outside multi-line mode).
    Start,
    /// `\z` (`$` outside multi-line mode).
    End,
    /// `(?s:.*)`: any text.
    Any,
    Text(String),
}

/// What a walk of the tree saw of case, to decide whether its literals fold.
#[derive(Default)]
struct Case {
    /// A class that is one case-insensitive ASCII letter.
    folded: bool,
    /// A character compared exactly that the mapped text would not compare exactly: an
    /// ASCII letter, or one the mapping turns into one.
    cased: bool,
}

impl LiteralSet {
    /// The set `source` is, compiled as `compile_regex(source, ignore_case)` compiles it;
    /// `None` when it is any other regex, or too large a set.
    pub(crate) fn from_regex(source: &str, ignore_case: bool) -> Option<LiteralSet> {
        let config = syntax::Config::new()
            .utf8(true)
            .case_insensitive(ignore_case)
            .nest_limit(REGEX_NEST_LIMIT);
        let hir = syntax::parse_with(source, &config).ok()?;
        let mut case = Case::default();
        let words = walk(&hir, &mut case)?;
        if case.folded && case.cased {
            return None;
        }
        let mut set = LiteralSet {
            fold: case.folded,
            whole: Vec::new(),
            starts: Vec::new(),
            ends: Vec::new(),
            contains: None,
        };
        let mut contains = Vec::new();
        for word in words {
            let (start, text, end) = anchors(word)?;
            match (start, end) {
                (true, true) => set.whole.push(text),
                (true, false) => set.starts.push(text),
                (false, true) => set.ends.push(text),
                (false, false) => contains.push(text),
            }
        }
        for list in [
            &mut set.whole,
            &mut set.starts,
            &mut set.ends,
            &mut contains,
        ] {
            list.sort_unstable();
            list.dedup();
        }
        if !contains.is_empty() {
            let ac = AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .match_kind(MatchKind::Standard)
                .build(&contains)
                .ok()?;
            set.contains = Some(ac);
        }
        Some(set)
    }

    /// The bound of one match (without the criterion's own step): each anchored literal
    /// compared once, at most its length; the search of the unanchored ones, two steps
    /// per byte (the automaton takes one transition per byte, and its failure
    /// transitions, each of which shortens the match in progress, at most one per byte
    /// in total); the mapping of the text, one step per byte, when the set folds.
    pub(crate) fn cost(&self) -> CostBound {
        let anchored = self.whole.iter().chain(&self.starts).chain(&self.ends);
        let fixed = anchored.fold(0u64, |sum, l| {
            sum.saturating_add(l.len() as u64).saturating_add(1)
        });
        let search: u64 = if self.contains.is_some() { 2 } else { 0 };
        CostBound::new(fixed, search.saturating_add(u64::from(self.fold)))
    }

    /// Whether `text` (mapped by `fold_for_glob` when the set folds) holds one of the
    /// literals where it is anchored; `work` is charged as [`Self::cost`] bounds it.
    pub(crate) fn is_match(&self, text: &str, work: &mut Work) -> bool {
        let charge = |work: &mut Work, l: &String| {
            work.charge(l.len().min(text.len()).saturating_add(1));
        };
        for l in &self.whole {
            charge(work, l);
            if text == l {
                return true;
            }
        }
        for l in &self.starts {
            charge(work, l);
            if text.starts_with(l.as_str()) {
                return true;
            }
        }
        for l in &self.ends {
            charge(work, l);
            if text.ends_with(l.as_str()) {
                return true;
            }
        }
        self.contains.as_ref().is_some_and(|ac| {
            work.charge(text.len().saturating_mul(2));
            ac.is_match(text)
        })
    }

    /// The memory the set holds, in bytes.
    pub(crate) fn memory_bytes(&self) -> usize {
        let text: usize = [&self.whole, &self.starts, &self.ends]
            .into_iter()
            .flatten()
            .map(|l| l.capacity().saturating_add(size_of::<String>()))
            .fold(0, usize::saturating_add);
        let ac = self.contains.as_ref().map_or(0, AhoCorasick::memory_usage);
        text.saturating_add(ac)
    }
}

/// A word's anchors and text: `\A` then `(?s:.*)` is no anchor, as is `(?s:.*)` then
/// `\z`. `None` for any other shape (an anchor or `.*` inside the literal).
fn anchors(mut word: Vec<Tok>) -> Option<(bool, String, bool)> {
    let mut start = false;
    if word.first() == Some(&Tok::Start) {
        word.remove(0);
        start = true;
    }
    while word.first() == Some(&Tok::Any) {
        word.remove(0);
        start = false;
    }
    let mut end = false;
    if word.last() == Some(&Tok::End) {
        word.pop();
        end = true;
    }
    while word.last() == Some(&Tok::Any) {
        word.pop();
        end = false;
    }
    match word.as_slice() {
        [] => Some((start, String::new(), end)),
        [Tok::Text(t)] => Some((start, t.clone(), end)),
        _ => None,
    }
}

/// Every sequence the tree matches, as literals, anchors and `.*`; `None` past the
/// limits or for any construct a literal set does not have.
fn walk(hir: &Hir, case: &mut Case) -> Option<Vec<Vec<Tok>>> {
    let words = match hir.kind() {
        HirKind::Empty => vec![Vec::new()],
        HirKind::Literal(lit) => {
            let text = core::str::from_utf8(&lit.0).ok()?;
            for c in text.chars() {
                note_exact(c, case);
            }
            vec![vec![Tok::Text(String::from(text))]]
        }
        HirKind::Class(class) => class_words(class, case)?,
        HirKind::Look(Look::Start) => vec![vec![Tok::Start]],
        HirKind::Look(Look::End) => vec![vec![Tok::End]],
        HirKind::Look(_) => return None,
        HirKind::Repetition(rep) => {
            let any = matches!(rep.sub.kind(), HirKind::Class(c) if is_any_char(c));
            if rep.min != 0 || rep.max.is_some() || !any {
                return None;
            }
            vec![vec![Tok::Any]]
        }
        HirKind::Capture(cap) => walk(&cap.sub, case)?,
        HirKind::Concat(subs) => {
            let mut words = vec![Vec::new()];
            for sub in subs {
                let next = walk(sub, case)?;
                words = product(&words, &next)?;
            }
            words
        }
        HirKind::Alternation(subs) => {
            let mut words = Vec::new();
            for sub in subs {
                words.extend(walk(sub, case)?);
                within_limits(&words)?;
            }
            words
        }
    };
    within_limits(&words)?;
    Some(words)
}

fn within_limits(words: &[Vec<Tok>]) -> Option<()> {
    let bytes: usize = words
        .iter()
        .flatten()
        .map(|t| match t {
            Tok::Text(s) => s.len(),
            _ => 0,
        })
        .fold(0, usize::saturating_add);
    (words.len() <= MAX_LITERALS && bytes <= MAX_LITERAL_BYTES).then_some(())
}

/// Every word of `a` followed by every word of `b`, adjacent texts joined.
fn product(a: &[Vec<Tok>], b: &[Vec<Tok>]) -> Option<Vec<Vec<Tok>>> {
    if a.len().saturating_mul(b.len()) > MAX_LITERALS {
        return None;
    }
    let mut out = Vec::with_capacity(a.len().saturating_mul(b.len()));
    for x in a {
        for y in b {
            let mut word = x.clone();
            for tok in y {
                match (word.last_mut(), tok) {
                    (Some(Tok::Text(t)), Tok::Text(more)) => t.push_str(more),
                    _ => word.push(tok.clone()),
                }
            }
            out.push(word);
        }
    }
    within_limits(&out)?;
    Some(out)
}

/// A class as words: one case-insensitive ASCII letter, or one word per character of a
/// small class.
fn class_words(class: &Class, case: &mut Case) -> Option<Vec<Vec<Tok>>> {
    let Class::Unicode(class) = class else {
        return None;
    };
    let mut chars = Vec::new();
    for r in class.iter() {
        for c in r.start()..=r.end() {
            if chars.len() == MAX_CLASS_CHARS {
                return None;
            }
            chars.push(c);
        }
    }
    if let Some(letter) = folded_letter(&chars) {
        case.folded = true;
        return Some(vec![vec![Tok::Text(String::from(letter))]]);
    }
    for c in &chars {
        note_exact(*c, case);
    }
    Some(
        chars
            .into_iter()
            .map(|c| vec![Tok::Text(String::from(c))])
            .collect(),
    )
}

/// The lowercase ASCII letter `chars` is exactly the mapped-to set of, if any: the
/// letter, its uppercase, and what `FOLDED_TO_ASCII` maps to it.
fn folded_letter(chars: &[char]) -> Option<char> {
    let letter = chars.iter().find(|c| c.is_ascii_lowercase()).copied()?;
    let mut expected: Vec<char> = FOLDED_TO_ASCII
        .iter()
        .filter(|(_, to)| *to == letter)
        .map(|(from, _)| *from)
        .chain([letter, letter.to_ascii_uppercase()])
        .collect();
    expected.sort_unstable();
    (expected == chars).then_some(letter)
}

/// A character compared exactly: does the mapped text still compare it exactly?
fn note_exact(c: char, case: &mut Case) {
    if c.is_ascii_alphabetic() || FOLDED_TO_ASCII.iter().any(|(from, _)| *from == c) {
        case.cased = true;
    }
}

/// Whether a class is every character (`(?s:.)`).
fn is_any_char(class: &Class) -> bool {
    match class {
        Class::Unicode(c) => {
            let mut ranges = c.iter();
            matches!(
                (ranges.next(), ranges.next()),
                (Some(r), None) if r.start() == '\0' && r.end() == char::MAX
            )
        }
        Class::Bytes(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::{compile_regex, fold_for_glob};

    /// `text` as a folding set compares it (what the interpreter passes it).
    fn folded(text: &str) -> String {
        let mut out = String::new();
        fold_for_glob(text, &mut out);
        out
    }

    fn set(source: &str, ignore_case: bool) -> LiteralSet {
        LiteralSet::from_regex(source, ignore_case).unwrap()
    }

    fn matches(s: &LiteralSet, text: &str) -> bool {
        let text = if s.fold {
            folded(text)
        } else {
            String::from(text)
        };
        s.is_match(&text, &mut Work::default())
    }

    #[test]
    fn what_the_importer_writes_is_a_set() {
        let s = set(
            r"(?:(?i:\\rundll32\.exe)$|(?i:-enc)|^(?i:C:\\)|^(?i:x)$)",
            false,
        );
        assert!(s.fold);
        assert_eq!(s.ends, [r"\rundll32.exe"]);
        assert_eq!(s.whole, ["x"]);
        assert_eq!(s.starts, [r"c:\"]);
        assert!(s.contains.is_some());
        assert!(matches(&s, r"C:\WINDOWS\System32\RUNDLL32.EXE"));
        assert!(matches(&s, r"powershell -ENC abc"));
        assert!(!matches(&s, r"D:\rundll32.exe.txt"));
        // A path regex compiled case-insensitively, and `.*` around the literals.
        let s = set(r"(?s:.*)\.exe(?s:.*)$", true);
        assert!(s.fold && s.contains.is_some());
        assert!(matches(&s, "A.EXE"));
    }

    #[test]
    fn other_regexes_are_left_to_the_engine() {
        for source in [
            r"a+",
            r"\w{8}",
            r"a(?s:.*)b",
            r"(?m)^a",
            r"\ba",
            r"[a-z]",
            r"(?i:a)B",
            r"a.*",
            r"a$b",
        ] {
            assert!(LiteralSet::from_regex(source, false).is_none(), "{source}");
        }
    }

    #[test]
    fn a_case_sensitive_set_compares_exactly() {
        let s = set(r"(?:Ab|^[xy]Z)", false);
        assert!(!s.fold);
        assert!(matches(&s, "cAbc") && matches(&s, "yZ!"));
        assert!(!matches(&s, "cab") && !matches(&s, "yz"));
    }

    #[test]
    fn the_letters_the_mapping_folds_are_the_case_classes() {
        // Every ASCII letter case-insensitive is read as a folded letter, including `k`
        // and `s`, whose classes hold the Kelvin sign and the long s.
        for letter in 'a'..='z' {
            let s = set(&alloc::format!("(?i:{letter})"), false);
            assert!(s.fold, "{letter}");
            assert!(matches(&s, &String::from(letter.to_ascii_uppercase())));
        }
        assert!(matches(&set("(?i:k)", false), "\u{212A}"));
        assert!(matches(&set("(?i:s)", false), "\u{17F}"));
    }

    /// Checks the set read from `source`, if it is one, against the regex on `input`;
    /// whether it was one.
    fn holds_to_regex(source: &str, ignore_case: bool, input: &str) -> bool {
        let Some(s) = LiteralSet::from_regex(source, ignore_case) else {
            return false;
        };
        let regex = compile_regex(source, ignore_case).unwrap().0;
        let mut work = Work::default();
        let text = if s.fold {
            folded(input)
        } else {
            String::from(input)
        };
        let found = s.is_match(&text, &mut work);
        assert_eq!(found, regex.is_match(input), "{source:?} on {input:?}");
        assert!(
            work.get() <= s.cost().at(input.len()),
            "{source:?} on {input:?}"
        );
        true
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]

        #[test]
        fn literal_sets_match_as_their_regexes_do(
            branches in proptest::collection::vec(
                (0u8..4, r"[aksAKSx.\\ſé\-]{0,4}", proptest::bool::ANY), 1..5),
            input in r"[aksAKSx.\\ſKİéÉ\-\n]{0,9}",
            ignore_case in proptest::bool::ANY,
        ) {
            let alts: Vec<String> = branches
                .iter()
                .map(|(anchor, text, fold)| {
                    let body = regex_syntax::escape(text);
                    let body = if *fold { alloc::format!("(?i:{body})") } else { body };
                    match anchor {
                        0 => body,
                        1 => alloc::format!("^{body}"),
                        2 => alloc::format!("{body}$"),
                        _ => alloc::format!("^{body}$"),
                    }
                })
                .collect();
            let source = alloc::format!("(?:{})", alts.join("|"));
            let set = holds_to_regex(&source, ignore_case, &input);
            // Compiled case-insensitively every letter is a case class: always a set.
            proptest::prop_assert!(set || !ignore_case, "{source:?} is no set");
        }
    }

    #[test]
    fn a_long_input_costs_a_few_steps_a_byte() {
        let names: Vec<String> = (0..40)
            .map(|i| alloc::format!("(?i:tool{i}\\.exe)"))
            .collect();
        let source = alloc::format!("(?:{})", names.join("|"));
        let s = set(&source, false);
        let input = "x".repeat(64 * 1024);
        let mut work = Work::default();
        assert!(!s.is_match(&folded(&input), &mut work));
        assert!(work.get() <= s.cost().at(input.len()));
        assert!(s.cost().per_byte <= 3);
    }
}
