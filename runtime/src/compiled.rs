//! The compiled form of a verified channel: what evaluation reads, laid out to be small.
//!
//! A sensor holds every channel it runs for as long as it runs, so the compiled form
//! keeps no allocation per instance or criterion. Instances and criteria sit in two flat
//! vectors; every string (names, tags, operands), address, hash and list value sits once
//! in a [`Pool`] and is referred to by a 32-bit position. Tags and operands are interned
//! (content repeats them: one tag on a thousand instances is stored once); names are not,
//! since each is almost always unique. docs/performance.md has what this saves.
//!
//! Positions are made by [`PoolBuilder`] during verification and are in range by
//! construction; reading them is still checked, and a position out of range reads as
//! nothing (an operand that equals no input) rather than as a panic.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::net::IpAddr;

use crate::case;
use crate::decode::PoolStr;
use crate::hash::{fast_hash, KeyTable};
use crate::model::{Action, FieldType, Op, Severity, Value};

/// A run of entries in one of the compiled form's vectors: `start..start + len`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Run {
    start: u32,
    len: u32,
}

impl Run {
    fn new(start: usize, end: usize) -> Run {
        // The decoded-size limit keeps every pool far below 4 GiB entries or bytes; a run
        // that did not fit would read as empty, never as other entries.
        match (
            u32::try_from(start),
            u32::try_from(end.saturating_sub(start)),
        ) {
            (Ok(start), Ok(len)) => Run { start, len },
            _ => Run::default(),
        }
    }

    fn of<T>(self, items: &[T]) -> &[T] {
        let start = self.start as usize;
        items
            .get(start..start.saturating_add(self.len as usize))
            .unwrap_or_default()
    }

    /// Entries in the run; a whole-channel count, so it fits a `usize` on any host.
    pub(crate) fn len(self) -> usize {
        self.len as usize
    }
}

/// An operand value; strings, addresses and hashes are positions in the [`Pool`]. Sixteen
/// bytes, where a [`Value`] takes forty and an allocation for a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    Bool(bool),
    Uint(u64),
    Int(i64),
    /// A run of [`Pool::text`] bytes.
    Str(Run),
    /// A position in [`Pool::ips`].
    Ip(u32),
    /// A position in [`Pool::hashes`].
    Sha256(u32),
    Enum(u32),
}

/// A value as compared: an input, or an operand read from the pool. Inputs and operands
/// meet only in this form, so equality, order (`in` lists are sorted by it) and the
/// index's hash keys are one definition for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum ValueRef<'a> {
    Bool(bool),
    Uint(u64),
    Int(i64),
    Str(&'a str),
    Ip(IpAddr),
    Sha256(&'a [u8; 32]),
    Enum(u32),
}

impl<'a, S: AsRef<str>> From<&'a Value<S>> for ValueRef<'a> {
    fn from(v: &'a Value<S>) -> ValueRef<'a> {
        match v {
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Uint(n) => ValueRef::Uint(*n),
            Value::Int(n) => ValueRef::Int(*n),
            Value::Str(s) => ValueRef::Str(s.as_ref()),
            Value::Ip(ip) => ValueRef::Ip(*ip),
            Value::Sha256(h) => ValueRef::Sha256(h),
            Value::Enum(n) => ValueRef::Enum(*n),
        }
    }
}

/// The strings, addresses, hashes, list values and tags of a channel's compiled form.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pool {
    text: String,
    ips: Vec<IpAddr>,
    hashes: Vec<[u8; 32]>,
    /// The values of every `in` list, each list sorted by [`ValueRef`] so membership
    /// bisects.
    lists: Vec<Scalar>,
    /// Every instance's tags, as runs of `text`.
    tags: Vec<Run>,
}

impl Pool {
    pub(crate) fn text(&self, run: Run) -> &str {
        let start = run.start as usize;
        self.text
            .get(start..start.saturating_add(run.len as usize))
            .unwrap_or_default()
    }

    pub(crate) fn ip(&self, at: u32) -> Option<IpAddr> {
        self.ips.get(at as usize).copied()
    }

    /// The operand as compared; `None` only for a position the builder did not make.
    pub(crate) fn value(&self, s: Scalar) -> Option<ValueRef<'_>> {
        Some(match s {
            Scalar::Bool(b) => ValueRef::Bool(b),
            Scalar::Uint(n) => ValueRef::Uint(n),
            Scalar::Int(n) => ValueRef::Int(n),
            Scalar::Str(run) => ValueRef::Str(self.text(run)),
            Scalar::Ip(at) => ValueRef::Ip(self.ip(at)?),
            Scalar::Sha256(at) => ValueRef::Sha256(self.hashes.get(at as usize)?),
            Scalar::Enum(n) => ValueRef::Enum(n),
        })
    }

    pub(crate) fn list(&self, run: Run) -> &[Scalar] {
        run.of(&self.lists)
    }

    /// Whether the sorted list `run` holds `probe`.
    pub(crate) fn list_contains(&self, run: Run, probe: ValueRef<'_>) -> bool {
        self.list(run)
            .binary_search_by(|s| self.value(*s).cmp(&Some(probe)))
            .is_ok()
    }

    pub(crate) fn tags(&self, run: Run) -> impl Iterator<Item = &str> {
        run.of(&self.tags).iter().map(|t| self.text(*t))
    }

    /// Heap bytes held, at capacity.
    pub(crate) fn memory_bytes(&self) -> usize {
        [
            self.text.capacity(),
            self.ips.capacity().saturating_mul(size_of::<IpAddr>()),
            self.hashes.capacity().saturating_mul(32),
            self.lists.capacity().saturating_mul(size_of::<Scalar>()),
            self.tags.capacity().saturating_mul(size_of::<Run>()),
        ]
        .into_iter()
        .fold(0, usize::saturating_add)
    }
}

/// Builds a [`Pool`] from the strings of the file's pool, storing each once. The file
/// already stores each distinct string once, so a string is interned by its position
/// there; only strings that `path` fields lowercase are interned by their text, through
/// a table of hashes (hash.rs) that holds no copies. The tables live only while
/// verifying. Addresses and hashes are not interned: content seldom repeats them.
pub(crate) struct PoolBuilder {
    pool: Pool,
    /// Per string of the file's pool, where it was stored.
    stored: Vec<Option<Run>>,
    lowered: KeyTable<Run>,
}

fn position<T>(items: &[T]) -> u32 {
    u32::try_from(items.len()).unwrap_or(u32::MAX)
}

impl PoolBuilder {
    /// A builder for a file whose string pool holds `strings` strings.
    pub(crate) fn new(strings: usize) -> PoolBuilder {
        PoolBuilder {
            pool: Pool::default(),
            stored: vec![None; strings],
            lowered: KeyTable::default(),
        }
    }

    /// `s` appended as it is (for names, which rarely repeat).
    pub(crate) fn append(&mut self, s: &str) -> Run {
        let start = self.pool.text.len();
        self.pool.text.push_str(s);
        Run::new(start, self.pool.text.len())
    }

    /// `s` as compared (lowercased when `fold`, on a `path` field), stored once however
    /// often it is used.
    pub(crate) fn text(&mut self, s: PoolStr<'_>, fold: bool) -> Run {
        if fold && case::changes(s.text) {
            return self.lowercase(s.text);
        }
        let at = s.index as usize;
        if let Some(Some(run)) = self.stored.get(at) {
            return *run;
        }
        let run = self.append(s.text);
        // A position past the file's pool (the decoder makes none) is simply not shared.
        if let Some(slot) = self.stored.get_mut(at) {
            *slot = Some(run);
        }
        run
    }

    /// `s` lowercased, stored once but for a hash collision, which stores it again.
    fn lowercase(&mut self, s: &str) -> Run {
        let lower = case::lowercase(s);
        let key = fast_hash(0, lower.bytes());
        match self.lowered.get(&key) {
            Some(run) if self.pool.text(*run) == lower => *run,
            Some(_) => self.append(&lower),
            None => {
                let run = self.append(&lower);
                self.lowered.insert(key, run);
                run
            }
        }
    }

    pub(crate) fn ip(&mut self, ip: IpAddr) -> u32 {
        let at = position(&self.pool.ips);
        self.pool.ips.push(ip);
        at
    }

    /// `v`, which the verifier has checked against its field; see [`Self::text`] for
    /// `fold`.
    pub(crate) fn scalar(&mut self, v: &Value<PoolStr<'_>>, fold: bool) -> Scalar {
        match v {
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Uint(n) => Scalar::Uint(*n),
            Value::Int(n) => Scalar::Int(*n),
            Value::Str(s) => Scalar::Str(self.text(*s, fold)),
            Value::Ip(ip) => Scalar::Ip(self.ip(*ip)),
            Value::Sha256(h) => {
                let at = position(&self.pool.hashes);
                self.pool.hashes.push(*h);
                Scalar::Sha256(at)
            }
            Value::Enum(n) => Scalar::Enum(*n),
        }
    }

    /// The distinct `values` (as [`Self::scalar`] stores them), sorted as
    /// [`Pool::list_contains`] expects.
    pub(crate) fn list(&mut self, values: &[Value<PoolStr<'_>>], fold: bool) -> Run {
        let mut list: Vec<Scalar> = values.iter().map(|v| self.scalar(v, fold)).collect();
        let pool = &self.pool;
        list.sort_unstable_by(|a, b| pool.value(*a).cmp(&pool.value(*b)));
        list.dedup_by(|a, b| pool.value(*a) == pool.value(*b));
        let start = self.pool.lists.len();
        self.pool.lists.extend(list);
        Run::new(start, self.pool.lists.len())
    }

    pub(crate) fn tags(&mut self, tags: &[PoolStr<'_>]) -> Run {
        let start = self.pool.tags.len();
        for t in tags {
            let run = self.text(*t, false);
            self.pool.tags.push(run);
        }
        Run::new(start, self.pool.tags.len())
    }

    pub(crate) fn finish(self) -> Pool {
        let mut pool = self.pool;
        pool.text.shrink_to_fit();
        pool.ips.shrink_to_fit();
        pool.hashes.shrink_to_fit();
        pool.lists.shrink_to_fit();
        pool.tags.shrink_to_fit();
        pool
    }
}

/// An instance with its criteria compiled for evaluation.
#[derive(Debug, Clone)]
pub(crate) struct CompiledInstance {
    pub id: u32,
    pub name: Run,
    /// A run of [`Pool`] tags.
    pub tags: Run,
    /// A run of [`Compiled::criteria`].
    pub criteria: Run,
    pub severity: Severity,
    pub action: Action,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledCriterion {
    /// The 1-based field number, as on the wire.
    pub field: u16,
    pub ty: FieldType,
    /// `path` fields compare Unicode-lowercased; operands are lowercased by the verifier,
    /// inputs at evaluation.
    pub fold: bool,
    pub test: Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone)]
pub(crate) enum Test {
    Equal {
        value: Scalar,
        negate: bool,
    },
    /// `< <= > >=` on two `Uint` or two `Int` values.
    Order {
        op: Op,
        value: Scalar,
    },
    /// A run of sorted [`Pool`] list values.
    OneOf {
        values: Run,
        negate: bool,
    },
    Text {
        op: TextOp,
        needle: Run,
        negate: bool,
    },
    /// A glob that needs no regex (see `pattern::is_simple_glob`), as written.
    Glob {
        glob: Run,
        negate: bool,
    },
    /// A glob or regex: the index of its compiled form in `Patterns::regexes`.
    Pattern {
        pattern: u32,
        negate: bool,
    },
    /// A position in [`Pool`] addresses, with its host bits cleared.
    Within {
        addr: u32,
        prefix: u8,
        negate: bool,
    },
}

/// Every instance and criterion of a verified channel, and the pool they refer to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Compiled {
    /// In ascending id order, as in the file.
    pub instances: Vec<CompiledInstance>,
    pub criteria: Vec<CompiledCriterion>,
    pub pool: Pool,
}

impl Compiled {
    pub(crate) fn criteria(&self, inst: &CompiledInstance) -> &[CompiledCriterion] {
        inst.criteria.of(&self.criteria)
    }

    /// A run covering the criteria pushed since `start`.
    pub(crate) fn criteria_since(&self, start: usize) -> Run {
        Run::new(start, self.criteria.len())
    }

    /// Heap bytes held, at capacity.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.instances
            .capacity()
            .saturating_mul(size_of::<CompiledInstance>())
            .saturating_add(
                self.criteria
                    .capacity()
                    .saturating_mul(size_of::<CompiledCriterion>()),
            )
            .saturating_add(self.pool.memory_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_forms_stay_compact() {
        // The per-instance figure of docs/performance.md rests on these sizes.
        assert_eq!(size_of::<Scalar>(), 16);
        assert_eq!(size_of::<Test>(), 24);
        assert_eq!(size_of::<CompiledCriterion>(), 32);
        assert_eq!(size_of::<CompiledInstance>(), 32);
    }

    fn at(index: u32, text: &str) -> PoolStr<'_> {
        PoolStr { index, text }
    }

    #[test]
    fn a_string_of_the_file_is_stored_once() {
        let mut b = PoolBuilder::new(2);
        let tag = b.text(at(0, "attack.t1059"), false);
        let again = b.text(at(0, "attack.t1059"), true);
        let name = b.append("attack.t1059");
        let lowered = b.text(at(1, "C:\\Temp"), true);
        let lowered_again = b.text(at(1, "C:\\Temp"), true);
        let as_written = b.text(at(1, "C:\\Temp"), false);
        assert_eq!(tag, again);
        assert_ne!(tag, name);
        assert_eq!(lowered, lowered_again);
        assert_ne!(lowered, as_written);
        let pool = b.finish();
        assert_eq!(pool.text(tag), "attack.t1059");
        assert_eq!(pool.text(name), "attack.t1059");
        assert_eq!(pool.text(lowered), "c:\\temp");
        assert_eq!(pool.text(as_written), "C:\\Temp");
        assert_eq!(pool.text.len(), 12 * 2 + 7 * 2);
    }

    #[test]
    fn lists_are_sorted_distinct_and_bisected() {
        let mut b = PoolBuilder::new(3);
        let run = b.list(
            &[
                Value::Str(at(0, "b.exe")),
                Value::Str(at(1, "A.exe")),
                Value::Str(at(2, "B.EXE")),
                Value::Uint(3),
            ],
            true,
        );
        let pool = b.finish();
        assert_eq!(run.len(), 3);
        for probe in [
            ValueRef::Str("a.exe"),
            ValueRef::Str("b.exe"),
            ValueRef::Uint(3),
        ] {
            assert!(pool.list_contains(run, probe), "{probe:?}");
        }
        for probe in [
            ValueRef::Str("c.exe"),
            ValueRef::Str("B.EXE"),
            ValueRef::Uint(4),
            ValueRef::Enum(3),
        ] {
            assert!(!pool.list_contains(run, probe), "{probe:?}");
        }
    }

    #[test]
    fn a_position_out_of_range_reads_as_nothing() {
        let pool = Pool::default();
        assert_eq!(pool.text(Run::new(3, 9)), "");
        assert_eq!(pool.value(Scalar::Ip(0)), None);
        assert_eq!(pool.value(Scalar::Sha256(7)), None);
        assert!(!pool.list_contains(Run::new(0, 4), ValueRef::Bool(true)));
    }
}
