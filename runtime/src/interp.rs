//! The interpreter: evaluates one event against a [`VerifiedChannel`].
//!
//! [`VerifiedChannel::evaluate_reference`] is deliberately the straightforward evaluator
//! (every instance, every criterion, in order); [`VerifiedChannel::evaluate`] asks the
//! channel's index (index/) for candidates and confirms each one with the same criterion
//! code, and a differential property test holds the two to the same answers. Inputs are
//! read only through checked access and checked against their field type, although
//! verification already proved every field number in range (DESIGN.md invariant 4).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;
use core::net::IpAddr;

use crate::compiled::{CompiledCriterion, CompiledInstance, Test, TextOp, ValueRef};
use crate::cost::{regex_cost_per_byte, Work};
use crate::index::{Lowered, Seen};
use crate::model::{Action, EnumDef, FieldType, Op, Severity, Value};
use crate::pattern::simple_glob_matches;
use crate::verified::VerifiedChannel;
use crate::verify::{fits, mask, type_name, Matcher};

/// One instance that matched an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub instance: u32,
    pub severity: Severity,
    pub action: Action,
}

/// An event the host passed in does not fit the channel. This is a bug in the host, not
/// in the content; the interpreter reports it instead of guessing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The host must pass exactly `supplied` inputs.
    InputCount { expected: u16, found: usize },
    /// A field some criterion reads has no input (cannot happen after the count check;
    /// kept as the defense in depth of DESIGN.md invariant 4).
    MissingInput { field: u16 },
    /// An input's value is not of its field's type.
    InputType { field: u16, expected: String },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::InputCount { expected, found } => {
                write!(
                    f,
                    "the event has {found} inputs; this channel's sensor supplies {expected}"
                )
            }
            EvalError::MissingInput { field } => {
                write!(f, "the event has no input for field {field}")
            }
            EvalError::InputType { field, expected } => {
                write!(
                    f,
                    "the input for field {field} is not a value of type {expected}"
                )
            }
        }
    }
}

impl core::error::Error for EvalError {}

/// The caller's buffers for evaluation: the matches of the last event, and the scratch
/// space the index and the lowercasing of `path` inputs work in. Kept from event to
/// event, so once they have grown to the largest event seen, evaluation allocates
/// nothing (runtime/tests/alloc.rs counts). One per thread; any channel may use it.
#[derive(Debug, Default)]
pub struct EvalBuffer {
    matches: Vec<Match>,
    candidates: Vec<u32>,
    lowered: Lowered,
    seen: Seen,
    work: Work,
}

impl EvalBuffer {
    pub fn new() -> EvalBuffer {
        EvalBuffer::default()
    }

    /// The matches of the last evaluation, in ascending id order.
    pub fn matches(&self) -> &[Match] {
        &self.matches
    }

    /// The work the last evaluation did, in the units of
    /// [`VerifiedChannel::cost_bound`], which it never exceeds (fuzz/fuzz_targets/
    /// cost_bound.rs holds the two together). A counter, not a clock.
    pub fn work(&self) -> u64 {
        self.work.get()
    }
}

impl VerifiedChannel {
    /// Evaluates one event: `inputs[n - 1]` is field `n`. Returns the matching instances
    /// in ascending id order. Fields no criterion names are never read; the inputs of
    /// those some criterion names are checked first, whatever the event matches.
    ///
    /// Uses the channel's index: only the instances whose anchor criterion the event
    /// satisfies are tried, each with all its criteria. The answer is always that of
    /// [`VerifiedChannel::evaluate_reference`]. Allocates its result; a host evaluating
    /// many events uses [`VerifiedChannel::evaluate_into`].
    pub fn evaluate<S: AsRef<str>>(&self, inputs: &[Value<S>]) -> Result<Vec<Match>, EvalError> {
        let mut buffer = EvalBuffer::new();
        self.evaluate_into(inputs, &mut buffer)?;
        Ok(buffer.matches)
    }

    /// [`VerifiedChannel::evaluate`] on borrowed inputs (`Value<&str>` borrows the
    /// host's strings) into the caller's buffer: no heap allocation per event once the
    /// buffer has grown to the largest event, whatever the text of `path` inputs (they
    /// are lowercased into the buffer, case.rs). The matches are also left in
    /// `buffer.matches()`. The event is counted in [`VerifiedChannel::counters`].
    pub fn evaluate_into<'b, S: AsRef<str>>(
        &self,
        inputs: &[Value<S>],
        buffer: &'b mut EvalBuffer,
    ) -> Result<&'b [Match], EvalError> {
        self.evaluate_uncounted(inputs, buffer)?;
        self.counters
            .record(buffer.work.get(), buffer.matches.len(), None);
        Ok(&buffer.matches)
    }

    /// [`VerifiedChannel::evaluate_into`], timed by the host's `clock` (nanoseconds from
    /// any fixed start; read once before and once after): the runtime has no clock of
    /// its own. The time is counted in [`VerifiedChannel::counters`] beside the work.
    pub fn evaluate_timed<'b, S: AsRef<str>>(
        &self,
        inputs: &[Value<S>],
        buffer: &'b mut EvalBuffer,
        clock: &mut dyn FnMut() -> u64,
    ) -> Result<&'b [Match], EvalError> {
        let start = clock();
        self.evaluate_uncounted(inputs, buffer)?;
        let nanos = clock().saturating_sub(start);
        self.counters
            .record(buffer.work.get(), buffer.matches.len(), Some(nanos));
        Ok(&buffer.matches)
    }

    fn evaluate_uncounted<S: AsRef<str>>(
        &self,
        inputs: &[Value<S>],
        buffer: &mut EvalBuffer,
    ) -> Result<(), EvalError> {
        buffer.matches.clear();
        buffer.work = Work::default();
        self.check_inputs(inputs, &mut buffer.work)?;
        let EvalBuffer {
            matches,
            candidates,
            lowered,
            seen,
            work,
        } = buffer;
        lowered.reset(inputs.len());
        self.index
            .candidates(inputs, lowered, seen, candidates, work);
        matches.extend(
            candidates
                .iter()
                .filter_map(|position| self.compiled.instances.get(*position as usize))
                .filter(|inst| self.holds(inst, inputs, lowered, work))
                .map(matched),
        );
        Ok(())
    }

    /// The reference evaluator: every instance, every criterion, in order, exactly as
    /// docs/channel-format.md states the semantics. It defines what
    /// [`VerifiedChannel::evaluate`] must answer, and is kept for testing and measuring
    /// against it.
    pub fn evaluate_reference<S: AsRef<str>>(
        &self,
        inputs: &[Value<S>],
    ) -> Result<Vec<Match>, EvalError> {
        let mut work = Work::default();
        self.check_inputs(inputs, &mut work)?;
        let mut lowered = Lowered::default();
        lowered.reset(inputs.len());
        Ok(self
            .compiled
            .instances
            .iter()
            .filter(|inst| self.holds(inst, inputs, &mut lowered, &mut work))
            .map(matched)
            .collect())
    }

    /// The input count, and every input some criterion reads against its field type.
    fn check_inputs<S: AsRef<str>>(
        &self,
        inputs: &[Value<S>],
        work: &mut Work,
    ) -> Result<(), EvalError> {
        work.charge(self.reads.len());
        if inputs.len() != usize::from(self.supplied) {
            return Err(EvalError::InputCount {
                expected: self.supplied,
                found: inputs.len(),
            });
        }
        for (field, ty) in &self.reads {
            let input = inputs
                .get(usize::from(*field).saturating_sub(1))
                .ok_or(EvalError::MissingInput { field: *field })?;
            if !input_fits(*ty, input, self.enums()) {
                return Err(EvalError::InputType {
                    field: *field,
                    expected: type_name(*ty, self.enums()),
                });
            }
        }
        Ok(())
    }

    fn holds<S: AsRef<str>>(
        &self,
        inst: &CompiledInstance,
        inputs: &[Value<S>],
        lowered: &mut Lowered,
        work: &mut Work,
    ) -> bool {
        self.compiled
            .criteria(inst)
            .iter()
            .all(|c| self.criterion(c, inputs, lowered, work))
    }

    /// One criterion on inputs that [`Self::check_inputs`] accepted, charging `work` as
    /// cost.rs's `criterion_cost` bounds it.
    fn criterion<S: AsRef<str>>(
        &self,
        c: &CompiledCriterion,
        inputs: &[Value<S>],
        lowered: &mut Lowered,
        work: &mut Work,
    ) -> bool {
        work.charge(1);
        let index = usize::from(c.field).saturating_sub(1);
        // Checked present before evaluation began; read through `get` all the same.
        let Some(input) = inputs.get(index) else {
            return false;
        };
        let pool = &self.compiled.pool;
        match c.test {
            Test::Equal { value, negate } => {
                let Some(value) = pool.value(value) else {
                    return false;
                };
                let equal = match (input, value) {
                    (Value::Str(s), ValueRef::Str(op)) => {
                        let s = text(c, s.as_ref(), index, lowered, work);
                        work.charge(s.len().min(op.len()));
                        s.as_ref() == op
                    }
                    _ => ValueRef::from(input) == value,
                };
                equal != negate
            }
            Test::Order { op, value } => {
                let ord = match (input, pool.value(value)) {
                    (Value::Uint(a), Some(ValueRef::Uint(b))) => Some(a.cmp(&b)),
                    (Value::Int(a), Some(ValueRef::Int(b))) => Some(a.cmp(&b)),
                    _ => None,
                };
                match (ord, op) {
                    (Some(o), Op::Lt) => o == Ordering::Less,
                    (Some(o), Op::Le) => o != Ordering::Greater,
                    (Some(o), Op::Gt) => o == Ordering::Greater,
                    (Some(o), Op::Ge) => o != Ordering::Less,
                    _ => false,
                }
            }
            Test::OneOf { values, negate } => {
                let probes = bisect_probes(values.len());
                let found = match input {
                    Value::Str(s) => {
                        let s = text(c, s.as_ref(), index, lowered, work);
                        // Each probe of the bisection compares at most the whole text.
                        work.charge(probes.saturating_mul(s.len()));
                        pool.list_contains(values, ValueRef::Str(&s))
                    }
                    _ => {
                        work.charge(probes);
                        pool.list_contains(values, ValueRef::from(input))
                    }
                };
                found != negate
            }
            Test::Text { op, needle, negate } => {
                let Value::Str(s) = input else {
                    return false;
                };
                let hay = text(c, s.as_ref(), index, lowered, work);
                let needle = pool.text(needle);
                // `str::contains` is the Two-Way search, linear in both.
                work.charge(match op {
                    TextOp::Contains => hay.len().saturating_add(needle.len()),
                    TextOp::StartsWith | TextOp::EndsWith => hay.len().min(needle.len()),
                });
                let found = match op {
                    TextOp::Contains => hay.contains(needle),
                    TextOp::StartsWith => hay.starts_with(needle),
                    TextOp::EndsWith => hay.ends_with(needle),
                };
                found != negate
            }
            // A simple glob of a `path` field is stored lowercased and runs on the input
            // mapped to match; regexes of `path` fields match case-insensitively, so they
            // run on the input as given.
            Test::Glob { glob, negate } => {
                let Value::Str(s) = input else {
                    return false;
                };
                let s = s.as_ref();
                let s = if c.fold {
                    lowered.globbed(index, s, work)
                } else {
                    Cow::Borrowed(s)
                };
                simple_glob_matches(pool.text(glob), &s, work) != negate
            }
            Test::Pattern { pattern, negate } => {
                let Value::Str(s) = input else {
                    return false;
                };
                let s = s.as_ref();
                let found = match self.patterns.matchers.get(pattern as usize) {
                    // A literal set charges what it does, on the input mapped as its
                    // literals are (literals.rs).
                    Some(Matcher::Literals(set)) => {
                        let s = if set.fold {
                            lowered.globbed(index, s, work)
                        } else {
                            Cow::Borrowed(s)
                        };
                        set.is_match(&s, work)
                    }
                    // The regex engines are not instrumented: charged their bound, the
                    // input's length times the pattern's cost per byte.
                    Some(Matcher::Regex { regex, states }) => {
                        let per_byte = regex_cost_per_byte(*states);
                        work.charge_u64(per_byte.saturating_mul(s.len() as u64));
                        regex.is_match(s)
                    }
                    None => false,
                };
                found != negate
            }
            Test::Within {
                addr,
                prefix,
                negate,
            } => {
                let (Value::Ip(ip), Some(addr)) = (input, pool.ip(addr)) else {
                    return false;
                };
                let inside = match (ip, addr) {
                    (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                        mask(*ip, prefix) == addr
                    }
                    // A v4 block never contains a v6 address, nor the reverse.
                    _ => false,
                };
                inside != negate
            }
        }
    }
}

fn matched(inst: &CompiledInstance) -> Match {
    Match {
        instance: inst.id,
        severity: inst.severity,
        action: inst.action,
    }
}

/// What an enum input the channel does not declare means, decided once here: a newer
/// sensor may add variants, so it is accepted, and it equals no declared variant (`==` and
/// `in` are false on it, `!=` and `not in` true). The checker's contradiction analysis
/// reads this, so it never calls an instance impossible that such an input matches.
pub const UNDECLARED_ENUM_INPUTS_ACCEPTED: bool = true;

/// Inputs are checked for their value variant and integer width. Enum inputs need only be
/// enum values ([`UNDECLARED_ENUM_INPUTS_ACCEPTED`]).
fn input_fits<S>(ty: FieldType, input: &Value<S>, enums: &[EnumDef]) -> bool {
    match (ty, input) {
        (FieldType::Enum(_), Value::Enum(_)) if UNDECLARED_ENUM_INPUTS_ACCEPTED => true,
        _ => fits(ty, input, enums),
    }
}

/// The most entries a bisection of a sorted list of `len` reads: its bit length, plus one.
pub(crate) fn bisect_probes(len: usize) -> usize {
    (usize::BITS.saturating_sub(len.leading_zeros()) as usize).saturating_add(1)
}

/// The input string as compared: lowercased (once per event and field) for `path` fields.
fn text<'a>(
    c: &CompiledCriterion,
    s: &'a str,
    index: usize,
    lowered: &'a mut Lowered,
    work: &mut Work,
) -> Cow<'a, str> {
    if c.fold {
        lowered.get(index, s, work)
    } else {
        Cow::Borrowed(s)
    }
}
