//! Field tests as Ward criteria: the operator that keeps Sigma's meaning on the field's
//! type (Sigma ignores case; Ward's `string` fields do not, its `path` fields do), and
//! Ward's literal syntax for the operand.

use ward_compiler::hir::Type;
use ward_compiler::review::literal;

use crate::detection::{Anchor, Atom, Test};
use crate::value::{self, Piece};

/// One criterion: `field OPERATOR operand`, the operand as Ward source (a string
/// literal, a list, a variant, a number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub field: String,
    pub operator: &'static str,
    pub operand: Operand,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// A string, quoted when written.
    Text(String),
    /// Source text as it is (variants, numbers, booleans, lists).
    Source(String),
}

impl Criterion {
    /// The pattern or string the operand holds, for the runtime's length limits.
    pub fn pattern_len(&self) -> usize {
        match &self.operand {
            Operand::Text(t) => t.len(),
            Operand::Source(_) => 0,
        }
    }

    pub fn source(&self) -> String {
        let operand = match &self.operand {
            Operand::Text(t) => literal::string(t),
            Operand::Source(s) => s.clone(),
        };
        format!("{} {} {operand}", self.field, self.operator)
    }
}

/// Whether Ward's comparison on this field already ignores case as Sigma does.
fn folds(atom: &Atom) -> bool {
    atom.ty == Type::Path
}

/// The criterion of an atom (negated: the `not` form of its operator).
pub fn criterion(atom: &Atom, negated: bool) -> Criterion {
    let op = |positive: &'static str, negative: &'static str| {
        if negated {
            negative
        } else {
            positive
        }
    };
    let make = |operator, operand| Criterion {
        field: atom.field.clone(),
        operator,
        operand,
    };
    // Literals (enums, numbers, booleans, addresses): equality or a list.
    let literals: Vec<&str> = atom
        .tests
        .iter()
        .filter_map(|t| match t {
            Test::Literal(v) => Some(v.as_str()),
            _ => None,
        })
        .collect();
    if literals.len() == atom.tests.len() {
        return if let [one] = literals.as_slice() {
            make(op("==", "!="), Operand::Source((*one).to_string()))
        } else {
            make(
                op("in", "not in"),
                Operand::Source(format!("[{}]", literals.join(", "))),
            )
        };
    }
    if let [Test::Cidr(block)] = atom.tests.as_slice() {
        return make(op("within", "not within"), Operand::Text(block.clone()));
    }
    // Case matters to the comparison unless the field folds it, the rule asked for it,
    // or no value has a letter with case.
    let exact = folds(atom)
        || atom.cased
        || atom.tests.iter().all(|t| match t {
            Test::Text { pieces, .. } => !value::has_case(pieces),
            _ => true,
        });
    if exact {
        if let [Test::Text { how, pieces }] = atom.tests.as_slice() {
            if !value::has_wildcards(pieces) {
                let text = value::plain(pieces);
                let (pos, neg) = match how {
                    Anchor::Whole => ("==", "!="),
                    Anchor::Contains => ("contains", "not contains"),
                    Anchor::Starts => ("starts_with", "not starts_with"),
                    Anchor::Ends => ("ends_with", "not ends_with"),
                };
                return make(op(pos, neg), Operand::Text(text));
            }
            let mut glob = Vec::new();
            if matches!(how, Anchor::Contains | Anchor::Ends) {
                glob.push(Piece::Many);
            }
            glob.extend(pieces.iter().cloned());
            if matches!(how, Anchor::Contains | Anchor::Starts) {
                glob.push(Piece::Many);
            }
            return make(op("glob", "not glob"), Operand::Text(value::glob(&glob)));
        }
        let whole: Option<Vec<String>> = atom
            .tests
            .iter()
            .map(|t| match t {
                Test::Text {
                    how: Anchor::Whole,
                    pieces,
                } if !value::has_wildcards(pieces) => Some(value::plain(pieces)),
                _ => None,
            })
            .collect();
        if let Some(values) = whole {
            let list: Vec<String> = values.iter().map(|v| literal::string(v)).collect();
            return make(
                op("in", "not in"),
                Operand::Source(format!("[{}]", list.join(", "))),
            );
        }
    }
    // Otherwise one regex: an alternation of every test.
    let fold = !exact;
    let branches: Vec<String> = atom
        .tests
        .iter()
        .map(|t| match t {
            Test::Text { how, pieces } => {
                let body = value::regex(pieces, fold);
                match how {
                    Anchor::Whole => format!("^{body}$"),
                    Anchor::Contains => body,
                    Anchor::Starts => format!("^{body}"),
                    Anchor::Ends => format!("{body}$"),
                }
            }
            Test::Regex(r) => format!("(?:{r})"),
            Test::Cidr(c) | Test::Literal(c) => regex::escape(c),
        })
        .collect();
    let pattern = if let [one] = branches.as_slice() {
        one.clone()
    } else {
        format!("(?:{})", branches.join("|"))
    };
    make(op("matches", "not matches"), Operand::Text(pattern))
}
