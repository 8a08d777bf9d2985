//! The hand-written floor Ward's indexed evaluator is measured against (issue 14): what a
//! sensor team would write by hand for the benchmark mix, with no verifier, no cost
//! accounting and no general semantics. One Aho-Corasick automaton per text field over
//! the same literals Ward anchors on (`contains`, `starts_with` and `ends_with` needles,
//! the longest piece of each glob, the literal of each regex), hash tables for exact
//! strings and hashes, then every candidate confirmed with all its criteria. The automata
//! ignore ASCII case, as Ward's do: a `(?i)` regex's literal must be found in any case,
//! and a case-sensitive needle is confirmed case-sensitively.
//!
//! It is built from the same model `Channel` as the signed file Ward verifies, so both see
//! the same content; the benchmark asserts both give the same matches on the benchmark
//! events before timing either. It handles only what the mix holds: ASCII text (`path`
//! fields compared ASCII-case-insensitively), globs of `*` only, and regexes whose
//! literal is the text between `(?i)` and `\b`. Anything else panics at build time, so a
//! change to the mix cannot silently leave the floor comparing something else.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_automata::meta::Regex;
use ward_runtime::{Channel, FieldType, Op, Operand, Value};

/// One criterion, in the form the floor confirms it. Fields are 0-based input positions.
enum Check {
    /// `ends_with`, `starts_with`, `contains`: the needle, and whether case is ignored
    /// (a `path` field, the needle lowercased).
    EndsWith(usize, String, bool),
    StartsWith(usize, String, bool),
    Contains(usize, String, bool),
    /// A glob of `*` only, lowercased, split at its stars.
    Glob(usize, Vec<String>),
    Regex(usize, usize),
    Gt(usize, u64),
    Ne(usize, u64),
    EnumIn(usize, Vec<u32>),
    StrEq(usize, String, bool),
    StrIn(usize, Vec<String>, bool),
    Sha256(usize, [u8; 32]),
}

/// A text field's automaton and, per literal, the instances anchored on it.
struct Literals {
    automaton: AhoCorasick,
    instances: Vec<Vec<u32>>,
}

/// The floor for one channel; see the module documentation.
pub struct Floor {
    ids: Vec<u32>,
    checks: Vec<Vec<Check>>,
    regexes: Vec<Regex>,
    /// Per input position, the literals of that text field.
    literals: Vec<Option<Literals>>,
    /// Per input position, its exact strings (lowercased on `path` fields).
    strings: Vec<Table<String>>,
    /// Per input position: whether it has exact strings, and whether some check compares
    /// it lowercased (so it is lowercased once per event).
    exact: Vec<bool>,
    lower: Vec<bool>,
    hashes: Table<[u8; 32]>,
}

/// The floor's buffers, kept from event to event.
#[derive(Default)]
pub struct Scratch {
    candidates: Vec<u32>,
    lowered: Vec<String>,
}

type Table<K> = HashMap<K, Vec<u32>, foldhash::fast::FixedState>;

/// The literal a regex of the mix must contain: `(?i)payload7\b` gives `payload7`.
fn regex_literal(source: &str) -> String {
    let inner = source
        .strip_prefix("(?i)")
        .and_then(|s| s.strip_suffix(r"\b"));
    let inner = inner.unwrap_or_else(|| panic!("the floor does not know the regex {source}"));
    assert!(inner.chars().all(|c| c.is_ascii_alphanumeric()), "{source}");
    inner.to_ascii_lowercase()
}

fn text(operand: &Operand) -> &str {
    match operand {
        Operand::Scalar(Value::Str(s)) | Operand::Pattern(s) => s,
        other => panic!("the floor expects text, not {other:?}"),
    }
}

fn uint(operand: &Operand) -> u64 {
    match operand {
        Operand::Scalar(Value::Uint(n)) => *n,
        other => panic!("the floor expects an unsigned integer, not {other:?}"),
    }
}

impl Floor {
    pub fn new(channel: &Channel) -> Floor {
        let fields = &channel.template.fields;
        let mut literal_lists: Vec<Vec<(String, u32)>> = vec![Vec::new(); fields.len()];
        let mut floor = Floor {
            ids: Vec::new(),
            checks: Vec::new(),
            regexes: Vec::new(),
            literals: Vec::new(),
            strings: (0..fields.len()).map(|_| Table::default()).collect(),
            exact: Vec::new(),
            lower: vec![false; fields.len()],
            hashes: Table::default(),
        };
        let mut regex_ids: HashMap<String, usize> = HashMap::new();
        for (position, inst) in channel.instances.iter().enumerate() {
            let position = position as u32;
            let mut checks = Vec::new();
            // The anchor: the first criterion that gives one, as Ward's best anchor is
            // the first criterion of every instance of the mix.
            let mut anchored = false;
            for c in &inst.criteria {
                let field = usize::from(c.field) - 1;
                let fold = fields[field].ty == FieldType::Path;
                let lower = |s: &str| {
                    if fold {
                        s.to_ascii_lowercase()
                    } else {
                        s.to_owned()
                    }
                };
                let mut literal = |text: String, anchored: &mut bool| {
                    if !*anchored {
                        literal_lists[field].push((text, position));
                        *anchored = true;
                    }
                };
                let check = match c.op {
                    Op::EndsWith | Op::StartsWith | Op::Contains => {
                        let needle = lower(text(&c.operand));
                        literal(needle.clone(), &mut anchored);
                        match c.op {
                            Op::EndsWith => Check::EndsWith(field, needle, fold),
                            Op::StartsWith => Check::StartsWith(field, needle, fold),
                            _ => Check::Contains(field, needle, fold),
                        }
                    }
                    Op::Glob => {
                        let glob = text(&c.operand).to_ascii_lowercase();
                        assert!(!glob.contains('?') && !glob.contains('['), "{glob}");
                        let pieces: Vec<String> = glob.split('*').map(str::to_owned).collect();
                        let longest = pieces.iter().max_by_key(|p| p.len()).unwrap().clone();
                        literal(longest, &mut anchored);
                        Check::Glob(field, pieces)
                    }
                    Op::Matches => {
                        let source = text(&c.operand);
                        literal(regex_literal(source), &mut anchored);
                        let next = floor.regexes.len();
                        let id = *regex_ids.entry(source.to_owned()).or_insert(next);
                        if id == next {
                            floor.regexes.push(Regex::new(source).unwrap());
                        }
                        Check::Regex(field, id)
                    }
                    Op::Eq => match &c.operand {
                        Operand::Scalar(Value::Sha256(h)) => {
                            if !anchored {
                                floor.hashes.entry(*h).or_default().push(position);
                                anchored = true;
                            }
                            Check::Sha256(field, *h)
                        }
                        operand => {
                            let value = lower(text(operand));
                            if !anchored {
                                let table = &mut floor.strings[field];
                                table.entry(value.clone()).or_default().push(position);
                                anchored = true;
                            }
                            Check::StrEq(field, value, fold)
                        }
                    },
                    Op::In => match &c.operand {
                        Operand::List(values) if matches!(values[0], Value::Enum(_)) => {
                            let variants = values
                                .iter()
                                .map(|v| match v {
                                    Value::Enum(n) => *n,
                                    other => panic!("{other:?}"),
                                })
                                .collect();
                            Check::EnumIn(field, variants)
                        }
                        Operand::List(values) => {
                            let values: Vec<String> = values
                                .iter()
                                .map(|v| match v {
                                    Value::Str(s) => lower(s),
                                    other => panic!("{other:?}"),
                                })
                                .collect();
                            if !anchored {
                                for v in &values {
                                    let table = &mut floor.strings[field];
                                    table.entry(v.clone()).or_default().push(position);
                                }
                                anchored = true;
                            }
                            Check::StrIn(field, values, fold)
                        }
                        other => panic!("{other:?}"),
                    },
                    Op::Gt => Check::Gt(field, uint(&c.operand)),
                    Op::Ne => Check::Ne(field, uint(&c.operand)),
                    other => panic!("the floor does not implement {other:?}"),
                };
                if fold && matches!(check, Check::Glob(..) | Check::Contains(..)) {
                    floor.lower[field] = true;
                }
                checks.push(check);
            }
            assert!(anchored, "every instance of the mix has an anchor");
            floor.ids.push(inst.id);
            floor.checks.push(checks);
        }
        floor.exact = floor.strings.iter().map(|t| !t.is_empty()).collect();
        for (field, def) in fields.iter().enumerate() {
            floor.lower[field] |= floor.exact[field] && def.ty == FieldType::Path;
        }
        floor.literals = literal_lists
            .into_iter()
            .map(|mut list| {
                if list.is_empty() {
                    return None;
                }
                list.sort();
                let mut texts: Vec<String> = Vec::new();
                let mut instances: Vec<Vec<u32>> = Vec::new();
                for (text, position) in list {
                    if texts.last() != Some(&text) {
                        texts.push(text);
                        instances.push(Vec::new());
                    }
                    instances.last_mut().unwrap().push(position);
                }
                let automaton = AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&texts)
                    .unwrap();
                Some(Literals {
                    automaton,
                    instances,
                })
            })
            .collect();
        floor
    }

    /// The ids of the instances `inputs` matches, ascending, into `out`.
    pub fn evaluate(&self, inputs: &[Value<&str>], scratch: &mut Scratch, out: &mut Vec<u32>) {
        let Scratch {
            candidates,
            lowered,
        } = scratch;
        candidates.clear();
        out.clear();
        lowered.resize_with(inputs.len(), String::new);
        // `path` inputs some check compares lowercased, lowercased once (ASCII: the mix's).
        for (field, input) in inputs.iter().enumerate() {
            if let (true, Value::Str(s)) = (self.lower[field], input) {
                lowered[field].clear();
                lowered[field].push_str(s);
                lowered[field].make_ascii_lowercase();
            }
        }
        for (field, literals) in self.literals.iter().enumerate() {
            let (Some(l), Some(Value::Str(s))) = (literals, inputs.get(field)) else {
                continue;
            };
            for m in l.automaton.find_overlapping_iter(*s) {
                candidates.extend_from_slice(&l.instances[m.pattern().as_usize()]);
            }
        }
        for (field, input) in inputs.iter().enumerate() {
            match input {
                Value::Str(s) if self.exact[field] => {
                    let key = if self.lower[field] {
                        &lowered[field]
                    } else {
                        *s
                    };
                    if let Some(found) = self.strings[field].get(key) {
                        candidates.extend_from_slice(found);
                    }
                }
                Value::Sha256(h) => {
                    if let Some(found) = self.hashes.get(h) {
                        candidates.extend_from_slice(found);
                    }
                }
                _ => {}
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        for &position in candidates.iter() {
            let checks = &self.checks[position as usize];
            if checks.iter().all(|c| self.holds(c, inputs, lowered)) {
                out.push(self.ids[position as usize]);
            }
        }
    }

    fn holds(&self, check: &Check, inputs: &[Value<&str>], lowered: &[String]) -> bool {
        let s = |field: usize| match inputs[field] {
            Value::Str(s) => s,
            _ => "",
        };
        let n = |field: usize| match inputs[field] {
            Value::Uint(n) => n,
            _ => 0,
        };
        let eq = |a: &str, b: &str, fold: bool| {
            if fold {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        match check {
            Check::EndsWith(f, needle, fold) => {
                let hay = s(*f);
                hay.len() >= needle.len() && eq(&hay[hay.len() - needle.len()..], needle, *fold)
            }
            Check::StartsWith(f, needle, fold) => {
                let hay = s(*f);
                hay.len() >= needle.len() && eq(&hay[..needle.len()], needle, *fold)
            }
            Check::Contains(f, needle, fold) => {
                let hay = if *fold { lowered[*f].as_str() } else { s(*f) };
                hay.contains(needle.as_str())
            }
            Check::Glob(f, pieces) => glob(&lowered[*f], pieces),
            Check::Regex(f, id) => self.regexes[*id].is_match(s(*f)),
            Check::Gt(f, bound) => n(*f) > *bound,
            Check::Ne(f, value) => n(*f) != *value,
            Check::EnumIn(f, variants) => {
                matches!(inputs[*f], Value::Enum(v) if variants.contains(&v))
            }
            Check::StrEq(f, value, fold) => eq(s(*f), value, *fold),
            Check::StrIn(f, values, fold) => values.iter().any(|v| eq(s(*f), v, *fold)),
            Check::Sha256(f, h) => matches!(&inputs[*f], Value::Sha256(x) if x == h),
        }
    }
}

/// A glob of `*` only, split at its stars, on lowercased text: the first piece starts the
/// text, the last ends it, the others follow in order between.
fn glob(text: &str, pieces: &[String]) -> bool {
    let (first, rest) = pieces.split_first().unwrap();
    let Some(mut hay) = text.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return hay.is_empty();
    };
    for piece in middle {
        match hay.find(piece.as_str()) {
            Some(at) => hay = &hay[at + piece.len()..],
            None => return false,
        }
    }
    hay.len() >= last.len() && hay.ends_with(last.as_str())
}
