//! Sigma and Windows event logs for Ward: `ward import sigma` turns Sigma rules into Ward
//! sources (import.rs), and the event reader turns Windows events, from .evtx files or
//! their JSON dumps, into template events (winlog.rs). Both go through the stdlib's
//! mapping files (mapping.rs), so a field means the same in a rule and in an event.

pub mod condition;
pub mod detection;
pub mod import;
pub mod mapping;
pub mod render;
pub mod rule;
pub mod summary;
pub mod value;
pub mod winlog;
pub mod yaml;

pub use import::{import, Imported, Outcome, RuleFile, RuleReport};

/// Why a rule, or a branch of its condition, was not imported: the summary counts by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    Yaml,
    NotARule,
    Collection,
    Correlation,
    Level,
    Logsource,
    Aggregation,
    Condition,
    Keywords,
    Field,
    Modifier,
    Value,
    Detection,
    Expansion,
    MatchesAll,
    Check,
    Cost,
}

impl Reason {
    /// Every reason, in the summary's order.
    pub const ALL: [Reason; 17] = [
        Reason::Yaml,
        Reason::NotARule,
        Reason::Collection,
        Reason::Correlation,
        Reason::Level,
        Reason::Logsource,
        Reason::Aggregation,
        Reason::Condition,
        Reason::Keywords,
        Reason::Field,
        Reason::Modifier,
        Reason::Value,
        Reason::Detection,
        Reason::Expansion,
        Reason::MatchesAll,
        Reason::Check,
        Reason::Cost,
    ];

    /// A stable key for machines (`--format json`).
    pub fn key(self) -> &'static str {
        match self {
            Reason::Yaml => "yaml",
            Reason::NotARule => "not-a-rule",
            Reason::Collection => "collection",
            Reason::Correlation => "correlation",
            Reason::Level => "level",
            Reason::Logsource => "logsource",
            Reason::Aggregation => "aggregation",
            Reason::Condition => "condition",
            Reason::Keywords => "keywords",
            Reason::Field => "field",
            Reason::Modifier => "modifier",
            Reason::Value => "value",
            Reason::Detection => "detection",
            Reason::Expansion => "expansion",
            Reason::MatchesAll => "matches-all",
            Reason::Check => "check",
            Reason::Cost => "cost",
        }
    }

    /// What it means, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Yaml => "not valid YAML",
            Reason::NotARule => "not a Sigma rule",
            Reason::Collection => "a rule collection (several YAML documents)",
            Reason::Correlation => "a correlation rule",
            Reason::Level => "no usable level (Ward needs a severity)",
            Reason::Logsource => "a logsource with no mapping",
            Reason::Aggregation => "an aggregation or timeframe",
            Reason::Condition => "a condition Ward cannot read",
            Reason::Keywords => "keywords without a field",
            Reason::Field => "a field the template does not have",
            Reason::Modifier => "a modifier Ward cannot express",
            Reason::Value => "a value the field cannot hold",
            Reason::Detection => "an empty or malformed selection",
            Reason::Expansion => "a condition too large to expand",
            Reason::MatchesAll => "a branch that would match every event",
            Reason::Check => "criteria Ward's checker rejects",
            Reason::Cost => "over the runtime's cost budget per event",
        }
    }
}
