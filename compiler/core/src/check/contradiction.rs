//! Finds instances that can never fire: criteria on one field that no value satisfies
//! together, and criteria written twice.
//!
//! The analysis is exact for equality, lists and integer bounds, and checks literal
//! substring operators against the values equality allows; patterns are not analysed
//! (they never make an instance look contradictory when it is not).

use ward_runtime::model::{Op, Operand, Value};
use ward_syntax::ast::Name;
use ward_syntax::{Code, Diagnostic, FileId};

use super::Ctx;
use crate::hir::{Criterion, TemplateId, Type};

/// Beyond this many candidate integers, an all-excluded range is not enumerated.
const ENUMERABLE: i128 = 4096;

pub(crate) fn check(
    ctx: &mut Ctx,
    file: FileId,
    tid: TemplateId,
    instance: &Name,
    criteria: &[Criterion],
) {
    let mut fields: Vec<u16> = criteria.iter().map(|c| c.field).collect();
    fields.sort_unstable();
    fields.dedup();
    for field in fields {
        let group: Vec<&Criterion> = criteria.iter().filter(|c| c.field == field).collect();
        let mut distinct: Vec<&Criterion> = Vec::new();
        for c in group {
            match distinct
                .iter()
                .find(|d| d.op == c.op && d.operand == c.operand)
            {
                Some(first) => ctx.report(
                    Diagnostic::new(Code::RedundantCriterion, "this criterion is written twice")
                        .primary(c.loc.file, c.loc.span, "the same as an earlier criterion")
                        .secondary(first.loc.file, first.loc.span, "first written here")
                        .help("remove one of them"),
                ),
                None => distinct.push(c),
            }
        }
        let template = ctx.program.template(tid);
        let Some(f) = template.fields.get(usize::from(field) - 1) else {
            continue;
        };
        let ty = f.ty;
        if satisfiable(ctx, ty, &distinct) {
            continue;
        }
        // `in []` is not a conflict between criteria: say what it is.
        if let Some(empty) = distinct
            .iter()
            .find(|c| c.op == Op::In && matches!(&c.operand, Operand::List(l) if l.is_empty()))
        {
            ctx.report(
                Diagnostic::new(
                    Code::Contradiction,
                    format!(
                        "instance `{}` can never fire: `{} in []` is an empty list, and no value is in it",
                        instance.text, f.name
                    ),
                )
                .primary(empty.loc.file, empty.loc.span, "an empty list")
                .secondary(file, instance.span, "this instance can never match")
                .help("list the values to match, or remove the criterion"),
            );
            continue;
        }
        let mut d = Diagnostic::new(
            Code::Contradiction,
            format!(
                "instance `{}` can never fire: no value of `{}` satisfies all its criteria",
                instance.text, f.name
            ),
        )
        .primary(file, instance.span, "this instance can never match");
        for c in &distinct {
            d = d.secondary(
                c.loc.file,
                c.loc.span,
                format!("a criterion on `{}`", f.name),
            );
        }
        ctx.report(d.help("remove or correct the criteria that exclude each other"));
    }
}

fn satisfiable(ctx: &Ctx, ty: Type, criteria: &[&Criterion]) -> bool {
    let norm = |v: &Value| match (ty, v) {
        (Type::Path, Value::Str(s)) => Value::Str(ward_runtime::case::lowercase(s)),
        _ => v.clone(),
    };
    let mut allowed: Option<Vec<Value>> = None;
    let mut excluded: Vec<Value> = Vec::new();
    let (mut lo, mut hi) = ty.int_range().unwrap_or((i128::MIN, i128::MAX));
    for c in criteria {
        match (&c.op, &c.operand) {
            (Op::Eq, Operand::Scalar(v)) => restrict(&mut allowed, vec![norm(v)]),
            (Op::In, Operand::List(vs)) => restrict(&mut allowed, vs.iter().map(norm).collect()),
            (Op::Ne, Operand::Scalar(v)) => excluded.push(norm(v)),
            (Op::NotIn, Operand::List(vs)) => excluded.extend(vs.iter().map(norm)),
            (Op::Lt, Operand::Scalar(v)) => hi = hi.min(int(v) - 1),
            (Op::Le, Operand::Scalar(v)) => hi = hi.min(int(v)),
            (Op::Gt, Operand::Scalar(v)) => lo = lo.max(int(v) + 1),
            (Op::Ge, Operand::Scalar(v)) => lo = lo.max(int(v)),
            _ => {}
        }
    }
    let in_bounds = |v: &Value| ty.int_range().is_none() || (lo..=hi).contains(&int(v));
    let fits = |v: &Value| {
        !excluded.contains(v) && in_bounds(v) && criteria.iter().all(|c| text_op_holds(ty, c, v))
    };
    match allowed {
        Some(values) => values.iter().any(fits),
        None => {
            let domain: Option<Vec<Value>> = match ty {
                Type::Bool => Some(vec![Value::Bool(false), Value::Bool(true)]),
                // The runtime's answer: when it accepts undeclared enum inputs, the
                // declared variants are not the whole domain, and excluding all of them
                // still leaves the values a newer sensor may send.
                Type::Enum(e) if !ward_runtime::UNDECLARED_ENUM_INPUTS_ACCEPTED => Some(
                    ctx.program.enums[e.0]
                        .variants
                        .iter()
                        .map(|v| Value::Enum(v.value))
                        .collect(),
                ),
                t if t.int_range().is_some() && hi.saturating_sub(lo) < ENUMERABLE => Some(
                    (lo..=hi)
                        .map(|n| {
                            if t.int_range().is_some_and(|r| r.0 < 0) {
                                Value::Int(n as i64)
                            } else {
                                Value::Uint(n as u64)
                            }
                        })
                        .collect(),
                ),
                _ => None,
            };
            match domain {
                Some(values) => values.iter().any(fits),
                None => lo <= hi,
            }
        }
    }
}

fn restrict(allowed: &mut Option<Vec<Value>>, values: Vec<Value>) {
    *allowed = Some(match allowed.take() {
        Some(prev) => prev.into_iter().filter(|v| values.contains(v)).collect(),
        None => values,
    });
}

fn int(v: &Value) -> i128 {
    match v {
        Value::Uint(u) => i128::from(*u),
        Value::Int(i) => i128::from(*i),
        Value::Enum(e) => i128::from(*e),
        _ => 0,
    }
}

/// Whether a literal substring criterion holds for a candidate value (already folded for
/// paths); other operators are not analysed here and always hold.
fn text_op_holds(ty: Type, c: &Criterion, v: &Value) -> bool {
    let (Operand::Scalar(Value::Str(needle)), Value::Str(s)) = (&c.operand, v) else {
        return true;
    };
    let needle = if ty == Type::Path {
        ward_runtime::case::lowercase(needle)
    } else {
        needle.clone()
    };
    let needle = needle.as_str();
    match c.op {
        Op::Contains => s.contains(needle),
        Op::NotContains => !s.contains(needle),
        Op::StartsWith => s.starts_with(needle),
        Op::NotStartsWith => !s.starts_with(needle),
        Op::EndsWith => s.ends_with(needle),
        Op::NotEndsWith => !s.ends_with(needle),
        _ => true,
    }
}
