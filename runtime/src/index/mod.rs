//! The index of a verified channel: which instances an event could match, found without
//! trying every instance.
//!
//! Each instance is filed under one anchor, its cheapest and most selective positive
//! criterion: an exact value (hash table per field), a CIDR block (hash table per prefix
//! length), a literal (`contains`, `starts_with`, `ends_with` and the required literals of
//! globs and regexes: a literal that must start or end the text in a hash table per
//! literal length, any other in one Aho-Corasick automaton per text field) or an integer
//! bound (sorted per field). An instance with no positive criterion that can
//! anchor it (only `!=` and `not ...`, or patterns with no literal) is checked on every
//! event. The anchor only proposes: every candidate is confirmed with all its criteria by
//! the reference semantics, so a proposal that is too generous costs time, never a
//! wrong answer. A missed proposal would be a wrong answer, so every anchor must hold
//! for every string its criterion accepts (see literal.rs for text).

mod literal;

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::hash::{BuildHasher, Hash, Hasher};
use core::mem::size_of;
use core::net::IpAddr;
use hashbrown::HashMap;

use aho_corasick::AhoCorasick;

use crate::case;
use crate::compiled::{Compiled, Pool, Test, TextOp, ValueRef};
use crate::cost::Work;
use crate::hash::{caseless_hash, KeyTable};
use crate::memory::table_bytes;
use crate::model::{FieldType, Op, Value};
use crate::pattern::fold_for_glob;
use crate::verify::mask;
pub(crate) use literal::fold;
use literal::{glob_literal, pattern_literal, Position, Required};

/// A run of instance positions in [`Index::postings`].
type Span = (u32, u32);

/// The tables map foldhash or [`caseless_hash`] keys to runs of postings.
type Postings = KeyTable<Span>;

/// A hasher for the keys of values: foldhash with a fixed seed, so keys are the same in
/// every process (and without std, there is no randomness to seed from). A collision
/// only proposes a candidate that confirmation rejects, so a keyed hash buys nothing.
fn key_hasher() -> impl Hasher {
    foldhash::quality::FixedState::with_seed(0x5741_5244).build_hasher()
}

/// The key of a string as compared (lowercased already on `path` fields).
fn str_key(s: &str) -> u64 {
    let mut h = key_hasher();
    h.write_u8(1);
    s.hash(&mut h);
    h.finish()
}

/// The key of a value as compared: the same as [`str_key`] for strings.
fn value_key(v: ValueRef<'_>) -> u64 {
    if let ValueRef::Str(s) = v {
        return str_key(s);
    }
    let mut h = key_hasher();
    h.write_u8(0);
    v.hash(&mut h);
    h.finish()
}

/// The key of a CIDR block (its address already masked to `prefix`).
fn cidr_key(prefix: u8, addr: &IpAddr) -> u64 {
    let mut h = key_hasher();
    h.write_u8(2);
    prefix.hash(&mut h);
    addr.hash(&mut h);
    h.finish()
}

/// The key of a literal that must start (`end` false) or end the text, as the automaton
/// would compare it: ASCII case ignored. `text` is in searched form (literal.rs). An event
/// computes one per distinct literal length, so this is [`caseless_hash`], which
/// lowercases and hashes a word at a time: a collision only proposes a candidate that
/// confirmation then rejects.
fn affix_key(end: bool, text: &[u8]) -> u64 {
    caseless_hash(if end { 4 } else { 3 }, text)
}

fn integer(v: ValueRef<'_>) -> Option<i128> {
    match v {
        ValueRef::Uint(n) => Some(i128::from(n)),
        ValueRef::Int(n) => Some(i128::from(n)),
        _ => None,
    }
}

/// What an instance is filed under.
enum Anchor {
    Keys(Vec<u64>),
    Cidr {
        v6: bool,
        prefix: u8,
        key: u64,
    },
    Literal(Required),
    /// The input is at least this.
    AtLeast(i128),
    /// The input is at most this.
    AtMost(i128),
}

/// Lower is better: exact values of wide types, then CIDR blocks, then long literals,
/// then low-cardinality values (enums, booleans, bytes), short literals, integer bounds.
fn anchor(
    test: &Test,
    ty: FieldType,
    path: bool,
    pool: &Pool,
    patterns: &[Option<Required>],
) -> Option<(u8, Anchor)> {
    let narrow = matches!(ty, FieldType::Bool | FieldType::Enum(_) | FieldType::U8);
    let exact_score = if narrow { 3 } else { 0 };
    let literal = |r: Required| {
        let score = if r.text.len() >= 4 { 2 } else { 4 };
        (score, Anchor::Literal(r))
    };
    match test {
        Test::Equal {
            value,
            negate: false,
        } => Some((
            exact_score,
            Anchor::Keys(vec![value_key(pool.value(*value)?)]),
        )),
        Test::OneOf {
            values,
            negate: false,
        } => Some((
            exact_score,
            Anchor::Keys(
                pool.list(*values)
                    .iter()
                    .filter_map(|v| pool.value(*v))
                    .map(value_key)
                    .collect(),
            ),
        )),
        Test::Order { op, value } => {
            let n = integer(pool.value(*value)?)?;
            Some(match op {
                Op::Gt => (5, Anchor::AtLeast(n.saturating_add(1))),
                Op::Ge => (5, Anchor::AtLeast(n)),
                Op::Lt => (5, Anchor::AtMost(n.saturating_sub(1))),
                _ => (5, Anchor::AtMost(n)),
            })
        }
        Test::Within {
            addr,
            prefix,
            negate: false,
        } => {
            let addr = pool.ip(*addr)?;
            Some((
                1,
                Anchor::Cidr {
                    v6: addr.is_ipv6(),
                    prefix: *prefix,
                    key: cidr_key(*prefix, &addr),
                },
            ))
        }
        Test::Text {
            op,
            needle,
            negate: false,
        } if !pool.text(*needle).is_empty() => Some(literal(Required {
            text: fold(pool.text(*needle)).into_owned(),
            position: match op {
                TextOp::Contains => Position::Anywhere,
                TextOp::StartsWith => Position::Start,
                TextOp::EndsWith => Position::End,
            },
        })),
        Test::Glob {
            glob,
            negate: false,
        } => glob_literal(pool.text(*glob), path).map(literal),
        Test::Pattern {
            pattern,
            negate: false,
        } => patterns.get(*pattern as usize)?.clone().map(literal),
        _ => None,
    }
}

/// The literals of one text field that may sit anywhere in it.
#[derive(Debug, Clone)]
pub(crate) struct Literals {
    automaton: AhoCorasick,
    /// Per automaton pattern, the instances filed under it.
    pub(crate) patterns: Vec<Span>,
    /// The distinct byte lengths of the literals: the most overlapping occurrences that
    /// can end at one byte of the text (they are suffixes of one another, so of
    /// different lengths), which bounds the occurrences a search reports per byte.
    pub(crate) lengths: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct FieldIndex {
    /// The 1-based field number.
    pub(crate) field: u16,
    /// A `path` field: its strings are compared lowercased.
    pub(crate) path: bool,
    pub(crate) keys: Postings,
    /// Whether an exact value is filed here: only then is a whole text input hashed (a
    /// field with only prefix and suffix literals hashes its ends, never the whole).
    pub(crate) exact: bool,
    /// The distinct `(is v6, prefix)` of the CIDR blocks filed here; their keys are in `keys`.
    pub(crate) blocks: Vec<(bool, u8)>,
    pub(crate) literals: Option<Literals>,
    /// The distinct byte lengths of the literals that must start the text, and of those
    /// that must end it; their keys are in `keys`. Looking a text's first and last bytes
    /// up by length costs far less to build than an automaton over them.
    pub(crate) starts: Vec<usize>,
    pub(crate) ends: Vec<usize>,
    /// `(bound, instance)` sorted by bound: instances whose input must be at least it.
    pub(crate) at_least: Vec<(i128, u32)>,
    /// `(bound, instance)` sorted by bound: instances whose input must be at most it.
    pub(crate) at_most: Vec<(i128, u32)>,
}

/// The index of a verified channel; see the module documentation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub(crate) fields: Vec<FieldIndex>,
    /// Instances with no anchor, checked on every event.
    pub(crate) always: Vec<u32>,
    /// Instance positions, in runs that the tables point at.
    pub(crate) postings: Vec<u32>,
}

/// Collects `(key, instance)` pairs and lays them out as runs of `postings`.
fn runs<K: Ord>(mut pairs: Vec<(K, u32)>, postings: &mut Vec<u32>) -> Vec<(K, Span)> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut out: Vec<(K, Span)> = Vec::new();
    for (key, instance) in pairs {
        let at = u32::try_from(postings.len()).unwrap_or(u32::MAX);
        postings.push(instance);
        let end = at.saturating_add(1);
        match out.last_mut() {
            Some((k, span)) if *k == key => span.1 = end,
            _ => out.push((key, (at, end))),
        }
    }
    out
}

/// What is filed under one field, before it is laid out.
#[derive(Default)]
struct Filing {
    path: bool,
    exact: bool,
    keys: Vec<(u64, u32)>,
    blocks: Vec<(bool, u8)>,
    literals: Vec<(String, u32)>,
    starts: Vec<usize>,
    ends: Vec<usize>,
    at_least: Vec<(i128, u32)>,
    at_most: Vec<(i128, u32)>,
}

impl Index {
    /// Files every instance under its best anchor. `patterns` are the regex sources of
    /// the channel's compiled globs and regexes, which `Test::Pattern` indexes.
    pub(crate) fn build(compiled: &Compiled, patterns: &[String]) -> Index {
        // Each distinct pattern is parsed once, however many instances share it. Its
        // case-insensitivity was part of what made it distinct (the regex keeps it out of
        // its source), so it is read from a criterion that uses it.
        let mut parsed: Vec<Option<Option<Required>>> = vec![None; patterns.len()];
        for c in &compiled.criteria {
            if let Test::Pattern { pattern, .. } = &c.test {
                let (Some(slot), Some(regex)) = (
                    parsed.get_mut(*pattern as usize),
                    patterns.get(*pattern as usize),
                ) else {
                    continue;
                };
                slot.get_or_insert_with(|| pattern_literal(regex, c.fold));
            }
        }
        let literals: Vec<Option<Required>> = parsed.into_iter().map(Option::flatten).collect();
        let mut filings: HashMap<u16, Filing> = HashMap::new();
        let mut always = Vec::new();
        for (position, inst) in compiled.instances.iter().enumerate() {
            let Ok(position) = u32::try_from(position) else {
                break;
            };
            let best = compiled
                .criteria(inst)
                .iter()
                .filter_map(|c| {
                    anchor(&c.test, c.ty, c.fold, &compiled.pool, &literals)
                        .map(|(score, a)| (score, c, a))
                })
                .min_by_key(|(score, _, _)| *score);
            let Some((_, c, a)) = best else {
                always.push(position);
                continue;
            };
            let filing = filings.entry(c.field).or_default();
            filing.path = c.fold;
            match a {
                Anchor::Keys(keys) => {
                    filing.exact = true;
                    filing.keys.extend(keys.into_iter().map(|k| (k, position)));
                }
                Anchor::Cidr { v6, prefix, key } => {
                    filing.blocks.push((v6, prefix));
                    filing.keys.push((key, position));
                }
                Anchor::Literal(r) => match r.position {
                    Position::Anywhere => filing.literals.push((r.text, position)),
                    Position::Start => {
                        filing.starts.push(r.text.len());
                        filing
                            .keys
                            .push((affix_key(false, r.text.as_bytes()), position));
                    }
                    Position::End => {
                        filing.ends.push(r.text.len());
                        filing
                            .keys
                            .push((affix_key(true, r.text.as_bytes()), position));
                    }
                },
                Anchor::AtLeast(n) => filing.at_least.push((n, position)),
                Anchor::AtMost(n) => filing.at_most.push((n, position)),
            }
        }
        let mut index = Index {
            fields: Vec::with_capacity(filings.len()),
            always,
            postings: Vec::new(),
        };
        let mut filings: Vec<(u16, Filing)> = filings.into_iter().collect();
        filings.sort_unstable_by_key(|(field, _)| *field);
        for (field, filing) in filings {
            let built = index.lay_out(field, filing);
            index.fields.push(built);
        }
        index.postings.shrink_to_fit();
        index.always.shrink_to_fit();
        index
    }

    fn lay_out(&mut self, field: u16, filing: Filing) -> FieldIndex {
        let keys: Postings = runs(filing.keys, &mut self.postings).into_iter().collect();
        let mut blocks = filing.blocks;
        blocks.sort_unstable();
        blocks.dedup();
        blocks.shrink_to_fit();
        let mut at_least = filing.at_least;
        at_least.sort_unstable();
        at_least.shrink_to_fit();
        let mut at_most = filing.at_most;
        at_most.sort_unstable();
        at_most.shrink_to_fit();
        let literals = self.literals(filing.literals);
        let lengths = |mut v: Vec<usize>| {
            v.sort_unstable();
            v.dedup();
            v.shrink_to_fit();
            v
        };
        FieldIndex {
            field,
            path: filing.path,
            exact: filing.exact,
            keys,
            blocks,
            literals,
            starts: lengths(filing.starts),
            ends: lengths(filing.ends),
            at_least,
            at_most,
        }
    }

    /// One automaton over the distinct literals of a field. Should the automaton not build
    /// (it is linear in the literals, which the decoded-size limit bounds, so this is not
    /// expected), its instances are checked on every event instead.
    fn literals(&mut self, filed: Vec<(String, u32)>) -> Option<Literals> {
        if filed.is_empty() {
            return None;
        }
        let instances: Vec<u32> = filed.iter().map(|(_, i)| *i).collect();
        let (texts, patterns): (Vec<String>, Vec<Span>) =
            runs(filed, &mut self.postings).into_iter().unzip();
        let mut lengths: Vec<usize> = texts.iter().map(String::len).collect();
        lengths.sort_unstable();
        lengths.dedup();
        match AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&texts)
        {
            Ok(automaton) => Some(Literals {
                automaton,
                patterns,
                lengths: lengths.len(),
            }),
            Err(_) => {
                self.always.extend(instances);
                self.always.sort_unstable();
                None
            }
        }
    }

    /// The positions of the instances `inputs` could match, ascending and distinct.
    /// `lowered` caches the lowercased inputs of `path` fields, as the confirming
    /// evaluation reads them; `seen` is scratch space; `work` is charged in the units of
    /// cost.rs, whose bound this work is held to.
    pub(crate) fn candidates<S: AsRef<str>>(
        &self,
        inputs: &[Value<S>],
        lowered: &mut Lowered,
        seen: &mut Seen,
        out: &mut Vec<u32>,
        work: &mut Work,
    ) {
        out.clear();
        out.extend_from_slice(&self.always);
        work.charge(self.always.len());
        for f in &self.fields {
            let index = usize::from(f.field).saturating_sub(1);
            let Some(input) = inputs.get(index) else {
                continue;
            };
            match input {
                Value::Str(s) => {
                    let s = s.as_ref();
                    if f.exact {
                        let text = if f.path {
                            lowered.get(index, s, work)
                        } else {
                            Cow::Borrowed(s)
                        };
                        work.charge(text.len());
                        self.take(out, f.keys.get(&str_key(&text)), work);
                    }
                    if f.literals.is_some() || !f.starts.is_empty() || !f.ends.is_empty() {
                        // Literals are compared ignoring ASCII case, so ASCII text of a
                        // `path` field need not be lowercased first.
                        let text = lowered.searched(index, s, f.path, work);
                        work.charge(text.len());
                        self.literal_candidates(out, f, text, seen, work);
                    }
                }
                Value::Ip(ip) => {
                    work.charge(1);
                    self.take(out, f.keys.get(&value_key(ValueRef::from(input))), work);
                    for (v6, prefix) in &f.blocks {
                        if *v6 == ip.is_ipv6() {
                            work.charge(1);
                            let key = cidr_key(*prefix, &mask(*ip, *prefix));
                            self.take(out, f.keys.get(&key), work);
                        }
                    }
                }
                other => {
                    let other = ValueRef::from(other);
                    work.charge(1);
                    self.take(out, f.keys.get(&value_key(other)), work);
                    if let Some(n) = integer(other) {
                        let from = f.at_least.partition_point(|(lo, _)| *lo <= n);
                        let lows = f.at_least.get(..from).unwrap_or_default();
                        out.extend(lows.iter().map(|(_, i)| *i));
                        let from = f.at_most.partition_point(|(hi, _)| *hi < n);
                        let highs = f.at_most.get(from..).unwrap_or_default();
                        out.extend(highs.iter().map(|(_, i)| *i));
                        work.charge(lows.len().saturating_add(highs.len()));
                    }
                }
            }
        }
        work.charge(sort_cost(out.len()));
        out.sort_unstable();
        out.dedup();
    }

    fn take(&self, out: &mut Vec<u32>, span: Option<&Span>, work: &mut Work) {
        if let Some((start, end)) = span {
            let run = self
                .postings
                .get(*start as usize..*end as usize)
                .unwrap_or_default();
            work.charge(run.len());
            out.extend_from_slice(run);
        }
    }

    /// The instances filed under a literal that `hay` (searched form) contains where
    /// the literal must sit. Each literal's instances are taken once however often it
    /// occurs: an input of one repeated letter holds a one-letter literal at every byte.
    fn literal_candidates(
        &self,
        out: &mut Vec<u32>,
        f: &FieldIndex,
        hay: &str,
        seen: &mut Seen,
        work: &mut Work,
    ) {
        for len in &f.starts {
            // Not a character boundary: no literal of that length can start the text.
            if let Some(head) = hay.get(..*len) {
                work.charge(head.len());
                self.take(out, f.keys.get(&affix_key(false, head.as_bytes())), work);
            }
        }
        for len in &f.ends {
            let tail = hay.len().checked_sub(*len).and_then(|at| hay.get(at..));
            if let Some(tail) = tail {
                work.charge(tail.len());
                self.take(out, f.keys.get(&affix_key(true, tail.as_bytes())), work);
            }
        }
        let Some(l) = &f.literals else {
            return;
        };
        let Ok(found) = l.automaton.try_find_overlapping_iter(hay) else {
            // Only a misconfigured automaton refuses an overlapping search: propose all.
            for span in &l.patterns {
                self.take(out, Some(span), work);
            }
            return;
        };
        work.charge(seen.reset(l.patterns.len()));
        for m in found {
            work.charge(1);
            let pattern = m.pattern().as_usize();
            if seen.insert(pattern) {
                self.take(out, l.patterns.get(pattern), work);
            }
        }
    }

    /// The heap this index holds, in bytes (hash tables at their capacity, automata as
    /// they report themselves).
    pub(crate) fn memory_bytes(&self) -> usize {
        let fields: usize = self
            .fields
            .iter()
            .map(|f| {
                let literals = f.literals.as_ref().map_or(0, |l| {
                    l.automaton
                        .memory_usage()
                        .saturating_add(l.patterns.capacity().saturating_mul(size_of::<Span>()))
                });
                table_bytes(f.keys.capacity(), size_of::<(u64, Span)>())
                    .saturating_add(f.blocks.capacity().saturating_mul(2))
                    .saturating_add(
                        f.starts
                            .capacity()
                            .saturating_add(f.ends.capacity())
                            .saturating_mul(size_of::<usize>()),
                    )
                    .saturating_add(literals)
                    .saturating_add(
                        f.at_least
                            .capacity()
                            .saturating_add(f.at_most.capacity())
                            .saturating_mul(size_of::<(i128, u32)>()),
                    )
            })
            .sum();
        fields
            .saturating_add(
                self.fields
                    .capacity()
                    .saturating_mul(size_of::<FieldIndex>()),
            )
            .saturating_add(self.always.capacity().saturating_mul(4))
            .saturating_add(self.postings.capacity().saturating_mul(4))
    }
}

/// The work of sorting `n` candidates, in the units of cost.rs: `n` times its bit length.
pub(crate) fn sort_cost(n: usize) -> usize {
    let bits = usize::BITS.saturating_sub(n.leading_zeros()) as usize;
    n.saturating_mul(bits.saturating_add(1))
}

/// Which literals of one automaton a search has reported already, one bit each; kept
/// from event to event like the other buffers of [`crate::EvalBuffer`]. Only the words a
/// search set are cleared for the next one: an automaton of 20,000 literals has 313
/// words, and an event reports a handful of literals.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// All zero but the words listed in `touched`.
    words: Vec<u64>,
    touched: Vec<usize>,
}

impl Seen {
    /// Forgets every literal and makes room for `literals`; the words it cleared. Grows
    /// (both vectors, so marking never allocates) only for a larger automaton than before.
    fn reset(&mut self, literals: usize) -> usize {
        let cleared = self.touched.len();
        for word in self.touched.drain(..) {
            if let Some(w) = self.words.get_mut(word) {
                *w = 0;
            }
        }
        let words = literals.div_ceil(64);
        if self.words.len() < words {
            self.words.resize(words, 0);
            self.touched.reserve_exact(words);
        }
        cleared
    }

    /// Marks `literal` reported; whether it was not before.
    fn insert(&mut self, literal: usize) -> bool {
        let at = literal / 64;
        let Some(word) = self.words.get_mut(at) else {
            return true;
        };
        if *word == 0 {
            self.touched.push(at);
        }
        let bit = 1u64 << (literal % 64);
        let new = *word & bit == 0;
        *word |= bit;
        new
    }
}

/// The lowercased inputs of `path` fields for one event, computed on first use, the same
/// inputs mapped for simple globs (pattern.rs, `fold_for_glob`), and the searched form of
/// the text the literal tables last looked at. The buffers are kept from event to event
/// ([`Lowered::reset`]), so once they have held the longest input, neither lowercasing nor
/// folding allocates, whatever the text.
#[derive(Debug, Default)]
pub(crate) struct Lowered {
    inputs: Vec<(bool, String)>,
    globbed: Vec<(bool, String)>,
    searched: String,
}

impl Lowered {
    /// Forgets the last event's inputs, keeping the buffers; `inputs` slots.
    pub(crate) fn reset(&mut self, inputs: usize) {
        for slots in [&mut self.inputs, &mut self.globbed] {
            for slot in slots.iter_mut() {
                slot.0 = false;
            }
            if slots.len() < inputs {
                slots.resize_with(inputs, Default::default);
            }
        }
    }

    /// `s` (input `index`) lowercased as `path` text is compared (case.rs), into the
    /// kept buffer: no allocation once it has held the longest input. `work` is charged
    /// its length the first time.
    pub(crate) fn get<'a>(&'a mut self, index: usize, s: &str, work: &mut Work) -> Cow<'a, str> {
        let Some((done, text)) = self.inputs.get_mut(index) else {
            work.charge(s.len());
            return Cow::Owned(case::lowercase(s));
        };
        if !*done {
            work.charge(s.len());
            text.clear();
            case::lowercase_into(s, text);
            *done = true;
        }
        Cow::Borrowed(text.as_str())
    }

    /// `s` (input `index`) in the form the literal tables search (literal.rs): lowercased
    /// first on a `path` field unless it is ASCII (literals ignore ASCII case).
    fn searched<'a>(
        &'a mut self,
        index: usize,
        s: &'a str,
        path: bool,
        work: &mut Work,
    ) -> &'a str {
        if path && !s.is_ascii() {
            // Lowercase into the input's slot, then fold from it into `searched`.
            self.get(index, s, work);
            let Lowered {
                inputs, searched, ..
            } = self;
            let lower = inputs.get(index).map_or(s, |(_, t)| t.as_str());
            return literal::fold_into(lower, searched);
        }
        literal::fold_into(s, &mut self.searched)
    }

    /// `s` (input `index`) as a simple glob on a `path` field compares it; `work` is
    /// charged its length the first time.
    pub(crate) fn globbed<'a>(
        &'a mut self,
        index: usize,
        s: &str,
        work: &mut Work,
    ) -> Cow<'a, str> {
        let Some((done, text)) = self.globbed.get_mut(index) else {
            work.charge(s.len());
            let mut text = String::new();
            fold_for_glob(s, &mut text);
            return Cow::Owned(text);
        };
        if !*done {
            work.charge(s.len());
            fold_for_glob(s, text);
            *done = true;
        }
        Cow::Borrowed(text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiled::{CompiledCriterion, CompiledInstance, PoolBuilder};
    use crate::decode::PoolStr;
    use crate::model::{Action, Severity};

    /// A compiled channel of one `path` field whose instances each test `text(i)`.
    fn compiled(tests: &[fn(&mut PoolBuilder) -> Test]) -> Compiled {
        let mut pool = PoolBuilder::new(0);
        let mut compiled = Compiled::default();
        for (id, test) in (0u32..).zip(tests) {
            let first = compiled.criteria.len();
            let test = test(&mut pool);
            compiled.criteria.push(CompiledCriterion {
                field: 1,
                ty: FieldType::Path,
                fold: true,
                test,
            });
            compiled.instances.push(CompiledInstance {
                id,
                name: pool.append("i"),
                tags: pool.tags(&[]),
                criteria: compiled.criteria_since(first),
                severity: Severity::Low,
                action: Action::Detect,
            });
        }
        compiled.pool = pool.finish();
        compiled
    }

    fn needle(pool: &mut PoolBuilder, op: TextOp, text: &str) -> Test {
        Test::Text {
            op,
            needle: pool.text(PoolStr { index: 0, text }, true),
            negate: false,
        }
    }

    #[test]
    fn only_a_field_with_exact_values_hashes_whole_inputs() {
        let affixes = compiled(&[
            |p| needle(p, TextOp::StartsWith, r"\\.\pipe\"),
            |p| needle(p, TextOp::EndsWith, ".exe"),
        ]);
        let index = Index::build(&affixes, &[]);
        let field = index.fields.first().unwrap();
        assert!(!field.keys.is_empty(), "the affixes are keyed");
        assert!(!field.exact, "but no whole input needs hashing");

        let exact = compiled(&[|p| Test::Equal {
            value: p.scalar(
                &Value::Str(PoolStr {
                    index: 0,
                    text: "a",
                }),
                true,
            ),
            negate: false,
        }]);
        assert!(Index::build(&exact, &[]).fields.first().unwrap().exact);
    }
}
