//! Heap accounting: an estimate of the memory a verified channel holds, for benchmarks,
//! `ward bench` and content budgets.
//!
//! Every vector and string counts at its capacity, hash tables at their bucket count,
//! Aho-Corasick automata as they report themselves, and each distinct compiled regex at
//! the size tier verification charged for it (an upper bound, at most twice the real
//! size). Not counted: allocator overhead, and the regex engines' matching caches, which
//! grow on use up to `REGEX_DFA_SIZE_LIMIT` per pattern and thread.

use std::collections::HashSet;
use std::mem::size_of;

use crate::model::{Channel, Criterion, Instance, Operand, Value};
use crate::verify::{CompiledCriterion, CompiledInstance, Test, VerifiedChannel};

/// Bytes of a hash table holding `capacity` entries of `entry` bytes: the standard
/// library's tables have a power-of-two number of buckets at most 7/8 full, with one
/// control byte per bucket and a group of 16 more.
pub(crate) fn table_bytes(capacity: usize, entry: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        capacity.saturating_add(1).next_power_of_two()
    } else {
        (capacity.saturating_mul(8) / 7).next_power_of_two()
    };
    buckets
        .saturating_mul(entry.saturating_add(1))
        .saturating_add(16)
}

fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity().saturating_mul(size_of::<T>())
}

fn value_heap(v: &Value) -> usize {
    match v {
        Value::Str(s) => s.capacity(),
        _ => 0,
    }
}

fn operand_heap(o: &Operand) -> usize {
    match o {
        Operand::Scalar(v) => value_heap(v),
        Operand::List(vs) => vs
            .iter()
            .map(value_heap)
            .fold(vec_bytes(vs), usize::saturating_add),
        Operand::Pattern(p) => p.capacity(),
        Operand::Cidr { .. } => 0,
    }
}

fn criterion_heap(c: &Criterion) -> usize {
    operand_heap(&c.operand)
}

fn instance_heap(i: &Instance) -> usize {
    let tags = i
        .tags
        .iter()
        .map(String::capacity)
        .fold(vec_bytes(&i.tags), usize::saturating_add);
    i.criteria
        .iter()
        .map(criterion_heap)
        .fold(vec_bytes(&i.criteria), usize::saturating_add)
        .saturating_add(tags)
        .saturating_add(i.name.capacity())
}

/// The decoded model: names, tags and operands as written.
fn channel_heap(c: &Channel) -> usize {
    let fields = c
        .template
        .fields
        .iter()
        .map(|f| f.name.capacity())
        .fold(vec_bytes(&c.template.fields), usize::saturating_add);
    let enums = c
        .enums
        .iter()
        .map(|e| {
            e.variants
                .iter()
                .map(|(name, _)| name.capacity())
                .fold(vec_bytes(&e.variants), usize::saturating_add)
                .saturating_add(e.name.capacity())
        })
        .fold(vec_bytes(&c.enums), usize::saturating_add);
    let targets = c
        .targets
        .iter()
        .map(|t| {
            t.name
                .capacity()
                .saturating_add(t.platform.capacity())
                .saturating_add(t.version.capacity())
        })
        .fold(vec_bytes(&c.targets), usize::saturating_add);
    c.instances
        .iter()
        .map(instance_heap)
        .fold(vec_bytes(&c.instances), usize::saturating_add)
        .saturating_add(fields)
        .saturating_add(enums)
        .saturating_add(targets)
        .saturating_add(c.name.capacity())
        .saturating_add(c.template.name.capacity())
        .saturating_add(c.build.compiler.capacity())
}

fn set_bytes(values: &HashSet<Value>) -> usize {
    values.iter().map(value_heap).fold(
        table_bytes(values.capacity(), size_of::<Value>()),
        usize::saturating_add,
    )
}

fn compiled_heap(c: &CompiledCriterion) -> usize {
    match &c.test {
        Test::Equal { value, .. } | Test::Order { value, .. } => value_heap(value),
        Test::OneOf { values, .. } => set_bytes(values),
        Test::Text { needle, .. } => needle.capacity(),
        Test::Glob { glob, .. } => glob.capacity(),
        Test::Pattern { .. } | Test::Within { .. } => 0,
    }
}

fn compiled_instance_heap(i: &CompiledInstance) -> usize {
    i.criteria
        .iter()
        .map(compiled_heap)
        .fold(vec_bytes(&i.criteria), usize::saturating_add)
}

impl VerifiedChannel {
    /// An estimate of the heap this channel holds, in bytes: the decoded channel, the
    /// compiled criteria, the distinct compiled patterns and the index. See memory.rs for
    /// what is and is not counted.
    pub fn memory_bytes(&self) -> usize {
        let compiled = self
            .instances
            .iter()
            .map(compiled_instance_heap)
            .fold(vec_bytes(&self.instances), usize::saturating_add);
        let patterns = self
            .patterns
            .regexes
            .iter()
            .map(|r| r.as_str().len())
            .fold(vec_bytes(&self.patterns.regexes), usize::saturating_add)
            .saturating_add(self.patterns.compiled_bytes);
        channel_heap(&self.channel)
            .saturating_add(compiled)
            .saturating_add(patterns)
            .saturating_add(vec_bytes(&self.reads))
            .saturating_add(vec_bytes(&self.signers))
            .saturating_add(self.index.memory_bytes())
    }
}
