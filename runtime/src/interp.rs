//! The reference interpreter: evaluates one event against a [`VerifiedChannel`].
//!
//! It is deliberately the straightforward evaluator (every instance, every criterion, in
//! order); a faster indexed evaluator is to be tested against it. Inputs are read only
//! through checked access and re-checked against their field type, although verification
//! already proved every field number in range (DESIGN.md invariant 4).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::net::IpAddr;

use crate::model::{Action, FieldType, Op, Severity, Value};
use crate::verify::{fits, mask, type_name, CompiledCriterion, Test, TextOp, VerifiedChannel};

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
    /// A criterion's field has no input (cannot happen after the count check; kept as the
    /// defense in depth of DESIGN.md invariant 4).
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

impl std::error::Error for EvalError {}

impl VerifiedChannel {
    /// Evaluates one event: `inputs[n - 1]` is field `n`. Returns the matching instances
    /// in ascending id order. Fields no criterion names are never read.
    pub fn evaluate(&self, inputs: &[Value]) -> Result<Vec<Match>, EvalError> {
        if inputs.len() != usize::from(self.supplied) {
            return Err(EvalError::InputCount {
                expected: self.supplied,
                found: inputs.len(),
            });
        }
        // Lowercased `path` inputs, computed on first use and only for fields read.
        let mut folded: Vec<Option<String>> = vec![None; inputs.len()];
        let mut matches = Vec::new();
        for inst in &self.instances {
            let mut all = true;
            for c in &inst.criteria {
                if !self.criterion(c, inputs, &mut folded)? {
                    all = false;
                    break;
                }
            }
            if all {
                matches.push(Match {
                    instance: inst.id,
                    severity: inst.severity,
                    action: inst.action,
                });
            }
        }
        Ok(matches)
    }

    fn criterion(
        &self,
        c: &CompiledCriterion,
        inputs: &[Value],
        folded: &mut [Option<String>],
    ) -> Result<bool, EvalError> {
        let index = usize::from(c.field).saturating_sub(1);
        let input = inputs
            .get(index)
            .ok_or(EvalError::MissingInput { field: c.field })?;
        if !input_fits(c.ty, input, &self.channel.enums) {
            return Err(EvalError::InputType {
                field: c.field,
                expected: type_name(c.ty, &self.channel.enums),
            });
        }
        Ok(match &c.test {
            Test::Equal { value, negate } => {
                let equal = match (input, value) {
                    (Value::Str(s), Value::Str(op)) => text(c, s, index, folded).as_ref() == op,
                    _ => input == value,
                };
                equal != *negate
            }
            Test::Order { op, value } => {
                let ord = match (input, value) {
                    (Value::Uint(a), Value::Uint(b)) => Some(a.cmp(b)),
                    (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
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
                let found = match input {
                    Value::Str(s) if c.fold => {
                        values.contains(&Value::Str(text(c, s, index, folded).into_owned()))
                    }
                    _ => values.contains(input),
                };
                found != *negate
            }
            Test::Text { op, needle, negate } => {
                let Value::Str(s) = input else {
                    return Ok(false);
                };
                let hay = text(c, s, index, folded);
                let found = match op {
                    TextOp::Contains => hay.contains(needle.as_str()),
                    TextOp::StartsWith => hay.starts_with(needle.as_str()),
                    TextOp::EndsWith => hay.ends_with(needle.as_str()),
                };
                found != *negate
            }
            // Pattern regexes of `path` fields are compiled case-insensitive, so they run
            // on the input as given.
            Test::Pattern { regex, negate } => {
                let Value::Str(s) = input else {
                    return Ok(false);
                };
                regex.is_match(s) != *negate
            }
            Test::Within {
                addr,
                prefix,
                negate,
            } => {
                let Value::Ip(ip) = input else {
                    return Ok(false);
                };
                let inside = match (ip, addr) {
                    (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                        mask(*ip, *prefix) == *addr
                    }
                    // A v4 block never contains a v6 address, nor the reverse.
                    _ => false,
                };
                inside != *negate
            }
        })
    }
}

/// Inputs are checked for their value variant and integer width. Enum inputs need only be
/// enum values: an undeclared variant simply equals no operand.
fn input_fits(ty: FieldType, input: &Value, enums: &[crate::model::EnumDef]) -> bool {
    match (ty, input) {
        (FieldType::Enum(_), Value::Enum(_)) => true,
        _ => fits(ty, input, enums),
    }
}

/// The input string as compared: lowercased (once per event and field) for `path` fields.
fn text<'a>(
    c: &CompiledCriterion,
    s: &'a str,
    index: usize,
    folded: &'a mut [Option<String>],
) -> Cow<'a, str> {
    if !c.fold {
        return Cow::Borrowed(s);
    }
    match folded.get_mut(index) {
        Some(slot) => Cow::Borrowed(slot.get_or_insert_with(|| s.to_lowercase()).as_str()),
        None => Cow::Owned(s.to_lowercase()),
    }
}
