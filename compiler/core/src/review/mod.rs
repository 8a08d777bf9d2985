//! What reviewers read: the disassembly of a compiled channel and the semantic diff of
//! two, computed from the channel model alone (a decoded file, never the sources).
//!
//! Both are built from [`Line`]s, one fact each, so the text a reviewer reads and the
//! changes a diff reports are the same facts said the same way.

pub mod diff;
pub mod disasm;
pub mod findings;
pub mod literal;
pub mod notes;
pub mod report;

use std::fmt;

/// One fact about a channel or an instance: what it is about, and what it says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `version`, `target windows_7_12`, `severity`, `#3 client_cmdline`, ...
    pub subject: String,
    pub value: String,
    /// The field number when the line is a criterion.
    pub field: Option<u16>,
}

impl Line {
    fn new(subject: impl Into<String>, value: impl Into<String>) -> Line {
        Line {
            subject: subject.into(),
            value: value.into(),
            field: None,
        }
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Criteria put two spaces around the operator so field, operator and operand
        // stand apart even when an operator is two words (`not glob`).
        let gap = if self.field.is_some() { "  " } else { " " };
        write!(f, "{}{gap}{}", self.subject, self.value)
    }
}
