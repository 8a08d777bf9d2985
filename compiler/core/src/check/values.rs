//! Typing of values: which operators a field type allows, and what a literal must look
//! like to be a value of a type. Criteria, test events and the language server's
//! completions all go through here.

use std::net::IpAddr;

use ward_runtime::limits::{MAX_LIST_LEN, MAX_PATTERN_LEN, MAX_STRING_LEN};
use ward_runtime::model::{Op, Operand, Value};
use ward_runtime::ops::{Shape, OPS};
use ward_syntax::ast::{self, Expr};
use ward_syntax::{Code, Diagnostic, FileId};

use super::{with_suggestion, Ctx};
use crate::hir::Type;

/// The operator as the runtime knows it. The parser declares its operators in the order
/// of the runtime's table (tests/ops.rs holds them together); the spelling check makes a
/// disagreement fail loudly rather than lower to another operator.
pub(crate) fn lower_op(op: ast::Op) -> Op {
    match OPS.get(op as usize) {
        Some(def) if def.spelling == op.as_str() => def.op,
        _ => panic!(
            "`{}` is not where the runtime's operator table has it",
            op.as_str()
        ),
    }
}

/// Whether `op` is defined on fields of type `ty`: the runtime's table, which the
/// verifier reads too.
pub fn op_allowed(ty: Type, op: ast::Op) -> bool {
    ty.def().class.has(lower_op(op).def().needs)
}

/// Every operator a field of type `ty` allows, in the order of the reference.
pub fn allowed_ops(ty: Type) -> Vec<ast::Op> {
    ast::Op::ALL
        .into_iter()
        .filter(|op| op_allowed(ty, *op))
        .collect()
}

impl Ctx {
    /// Types the right-hand side of `field OP expr`. `None` after reporting a mistake.
    pub(crate) fn operand(
        &mut self,
        file: FileId,
        ty: Type,
        op: ast::Op,
        expr: &Expr,
    ) -> Option<Operand> {
        let shape = lower_op(op).def().shape;
        match shape {
            Shape::List => match expr {
                Expr::List(items, span) => {
                    if items.len() > MAX_LIST_LEN {
                        self.report(super::too_many(
                            file,
                            *span,
                            "values in one list",
                            items.len(),
                            MAX_LIST_LEN,
                        ));
                        return None;
                    }
                    let values: Vec<Option<Value>> =
                        items.iter().map(|e| self.scalar(file, ty, e)).collect();
                    values
                        .into_iter()
                        .collect::<Option<Vec<_>>>()
                        .map(Operand::List)
                }
                other => {
                    self.report(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            format!("`{}` takes a list", op.as_str()),
                        )
                        .primary(
                            file,
                            other.span(),
                            "expected a list such as `[a, b]`",
                        ),
                    );
                    None
                }
            },
            Shape::Glob | Shape::Regex => {
                let what = pattern_noun(shape);
                let text = self.text_literal(file, expr, what, MAX_PATTERN_LEN)?;
                let ignore_case = ty == Type::Path;
                let checked = if shape == Shape::Glob {
                    ward_runtime::check_glob(&text).map_err(|e| (Code::InvalidGlob, e))
                } else {
                    super::patterns::check_regex(&text, ignore_case)
                        .map_err(|e| (Code::InvalidRegex, e))
                };
                match checked {
                    Ok(()) => Some(Operand::Pattern(text)),
                    Err((code, why)) => {
                        let mut d =
                            Diagnostic::new(code, format!("invalid {what}: {}", headline(&why)))
                                .primary(
                                    file,
                                    expr.span(),
                                    format!("this {what} does not compile"),
                                );
                        // A multi-line reason shows where in the pattern; a one-liner is
                        // the headline already.
                        if why.lines().count() > 1 {
                            d = d.note(why);
                        }
                        self.report(d);
                        None
                    }
                }
            }
            Shape::Text => self
                .text_literal(file, expr, "string", MAX_STRING_LEN)
                .map(|s| Operand::Scalar(Value::Str(s))),
            Shape::Cidr => {
                let text = self.text_literal(file, expr, "CIDR block", MAX_STRING_LEN)?;
                match parse_cidr(&text) {
                    Some((addr, prefix)) => Some(Operand::Cidr { addr, prefix }),
                    None => {
                        self.report(
                            Diagnostic::new(Code::InvalidCidr, format!("`{text}` is not a CIDR block"))
                                .primary(file, expr.span(), "expected an address, `/` and a prefix length")
                                .help("write e.g. \"10.0.0.0/8\" or \"fe80::/10\"; the address must have no bits set past the prefix"),
                        );
                        None
                    }
                }
            }
            Shape::Value => self.scalar(file, ty, expr).map(Operand::Scalar),
        }
    }

    /// Types one value of type `ty` (a criterion operand or a test event field).
    pub(crate) fn scalar(&mut self, file: FileId, ty: Type, expr: &Expr) -> Option<Value> {
        let mismatch = |ctx: &mut Self, found: &str| {
            let want = ty.name(&ctx.program);
            let mut d = Diagnostic::new(
                Code::TypeMismatch,
                format!(
                    "expected {} value, found {found}",
                    super::a(&format!("`{want}`"))
                ),
            )
            .primary(file, expr.span(), format!("expected `{want}`"));
            match expr {
                Expr::List(..) => {
                    d = d.help("a list is written only after `in` or `not in`: `field in [a, b]`");
                }
                // A value of the right type written in quotes: say how to write it.
                Expr::Str(s)
                    if ty == Type::Bool && matches!(s.value.as_str(), "true" | "false") =>
                {
                    d = d.help(format!("write `{}` without quotes", s.value));
                }
                Expr::Str(s)
                    if ty.int_range().is_some()
                        && ward_syntax::literal::int(&s.value).is_some() =>
                {
                    d = d.help(format!("write `{}` without quotes", s.value));
                }
                _ => {}
            }
            ctx.report(d);
            None
        };
        match (ty, expr) {
            (_, Expr::List(..)) => mismatch(self, "a list"),
            (Type::Bool, Expr::Bool(b, _)) => Some(Value::Bool(*b)),
            (t, Expr::Int(lit)) if t.int_range().is_some() => {
                let range = t.int_range()?;
                let name = t.name(&self.program);
                let v = self.int_in(file, lit, range, &format!("`{name}` value"))?;
                Some(if range.0 < 0 {
                    Value::Int(v as i64)
                } else {
                    Value::Uint(v as u64)
                })
            }
            (Type::String | Type::Path, Expr::Str(s)) => {
                if s.value.len() > MAX_STRING_LEN {
                    self.report(super::too_long(file, s, "this string", MAX_STRING_LEN));
                    return None;
                }
                Some(Value::Str(s.value.clone()))
            }
            (Type::Ip, Expr::Str(s)) => match s.value.parse::<IpAddr>() {
                Ok(ip) => Some(Value::Ip(ip)),
                Err(_) => {
                    self.report(
                        Diagnostic::new(Code::InvalidIp, format!("`{}` is not an ip address", s.value))
                            .primary(file, s.span, "expected an IPv4 or IPv6 address")
                            .help("write e.g. \"10.0.0.1\" or \"2001:db8::1\"; to match a network use `within \"10.0.0.0/8\"`"),
                    );
                    None
                }
            },
            (Type::Sha256, Expr::Str(s)) => match parse_sha256(&s.value) {
                Some(h) => Some(Value::Sha256(h)),
                None => {
                    self.report(
                        Diagnostic::new(Code::InvalidSha256, "invalid sha256 literal").primary(
                            file,
                            s.span,
                            format!(
                                "expected 64 hex digits, found {} characters",
                                s.value.chars().count()
                            ),
                        ),
                    );
                    None
                }
            },
            (Type::Enum(e), Expr::Name(n)) => {
                let en = &self.program.enums[e.0];
                if let Some(v) = en.variants.iter().find(|v| v.name == n.text) {
                    return Some(Value::Enum(v.value));
                }
                let names: Vec<String> = en.variants.iter().map(|v| v.name.clone()).collect();
                let d = Diagnostic::new(
                    Code::UnknownVariant,
                    format!("enum `{}` has no variant `{}`", en.name, n.text),
                )
                .primary(file, n.span, format!("not a variant of `{}`", en.name))
                .secondary(
                    en.loc.file,
                    en.loc.span,
                    format!("`{}` is declared here", en.name),
                )
                .note(format!("its variants are {}", names.join(", ")));
                let d = with_suggestion(d, file, n.span, &n.text, names.iter().map(String::as_str));
                self.report(d);
                None
            }
            (_, Expr::Int(_)) => mismatch(self, "an integer"),
            (_, Expr::Str(_)) => mismatch(self, "a string"),
            (_, Expr::Bool(..)) => mismatch(self, "a boolean"),
            (_, Expr::Name(n)) => mismatch(self, &format!("the name `{}`", n.text)),
        }
    }

    /// A string literal no longer than `max` bytes, where text (a pattern, a CIDR) is wanted.
    fn text_literal(
        &mut self,
        file: FileId,
        expr: &Expr,
        what: &str,
        max: usize,
    ) -> Option<String> {
        match expr {
            Expr::Str(s) if s.value.len() > max => {
                self.report(super::too_long(file, s, &format!("this {what}"), max));
                None
            }
            Expr::Str(s) => Some(s.value.clone()),
            other => {
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!("expected {what} written as a string"),
                    )
                    .primary(file, other.span(), format!("expected {what}")),
                );
                None
            }
        }
    }
}

/// The regex crate explains on a line starting `error:` after echoing the pattern; that
/// line is the headline, the rest is kept as a note.
fn headline(s: &str) -> &str {
    s.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .or_else(|| s.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or(s)
        .trim()
}

fn pattern_noun(shape: Shape) -> &'static str {
    if shape == Shape::Glob {
        "glob"
    } else {
        "regex"
    }
}

pub(crate) fn parse_sha256(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// `ADDR/PREFIX` with no host bits set past the prefix (a typo guard: `10.0.0.1/8` is
/// almost always a mistake for `10.0.0.0/8`).
pub(crate) fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, prefix) = s.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    // Left-align the address in 128 bits so one mask works for both families.
    let (bits, width) = match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)) << 96, 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    };
    let host_bits = bits.checked_shl(u32::from(prefix)).unwrap_or(0);
    (prefix <= width && host_bits == 0).then_some((addr, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_blocks_with_host_bits_are_refused() {
        assert!(parse_cidr("10.0.0.0/8").is_some());
        assert!(parse_cidr("0.0.0.0/0").is_some());
        assert!(parse_cidr("192.168.1.7/32").is_some());
        assert!(parse_cidr("fe80::/10").is_some());
        assert!(parse_cidr("10.0.0.1/8").is_none());
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("10.0.0.0").is_none());
    }

    #[test]
    fn sha256_needs_64_hex_digits() {
        assert_eq!(parse_sha256(&"ab".repeat(32)).map(|h| h[0]), Some(0xab));
        assert!(parse_sha256("abc").is_none());
        assert!(parse_sha256(&"zz".repeat(32)).is_none());
    }
}
