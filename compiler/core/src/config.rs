//! `Ward.toml`, the project manifest.

use std::collections::BTreeMap;

use serde::Deserialize;
use ward_syntax::{Code, Diagnostic, FileId, Span};

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub project: ProjectSection,
    #[serde(default)]
    pub build: BuildSection,
    #[serde(default)]
    pub budget: BudgetSection,
    /// Lint levels of warning codes (`W0001 = "deny"`): [`crate::lints`].
    #[serde(default)]
    pub lints: crate::lints::Lints,
}

/// What each channel may cost a sensor, enforced by `ward test`: time per event on sample
/// events, and memory held once verified.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct BudgetSection {
    /// JSON Lines files of sample events (as `ward run` reads them), relative to the root.
    #[serde(default)]
    pub events: Vec<String>,
    /// The default of every channel's [`ChannelBudget::eval_ns_p99`].
    pub eval_ns_p99: Option<u64>,
    /// The default of every channel's [`ChannelBudget::memory_bytes`].
    pub memory_bytes: Option<u64>,
    /// Budgets of single channels, by channel name; what one leaves out is the default.
    #[serde(default)]
    pub channels: BTreeMap<String, ChannelBudget>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct ChannelBudget {
    /// The 99th-percentile evaluation time per event, in nanoseconds, on the machine that
    /// runs `ward test`.
    pub eval_ns_p99: Option<u64>,
    /// The memory the channel holds once verified for a sensor
    /// (`VerifiedChannel::memory_bytes`), in bytes: the same on every machine.
    pub memory_bytes: Option<u64>,
}

impl BudgetSection {
    /// The budget of a channel: its own, and the defaults for what it leaves out.
    pub fn of(&self, channel: &str) -> ChannelBudget {
        let own = self.channels.get(channel);
        ChannelBudget {
            eval_ns_p99: own.and_then(|b| b.eval_ns_p99).or(self.eval_ns_p99),
            memory_bytes: own.and_then(|b| b.memory_bytes).or(self.memory_bytes),
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProjectSection {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BuildSection {
    /// Where `ward build` writes channel files, relative to the project root.
    #[serde(default = "default_out")]
    pub out: String,
    /// The signing keys `ward build` uses when `--key` is not given, relative to the root:
    /// `key = "a.key"` or, to sign with several (a threshold, a rotation), a list.
    #[serde(default, deserialize_with = "one_or_many")]
    pub key: Vec<String>,
    /// Sign with a key file other users may read (an example key published with the
    /// project); otherwise such a key is refused, as ssh refuses one.
    #[serde(default)]
    pub allow_insecure_key_perms: bool,
}

/// `"a"` or `["a", "b"]`, so a project with one key keeps its one-line manifest.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged, expecting = "a key file path or a list of them")]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(path) => vec![path],
        OneOrMany::Many(paths) => paths,
    })
}

impl Default for BuildSection {
    fn default() -> Self {
        BuildSection {
            out: default_out(),
            key: Vec::new(),
            allow_insecure_key_perms: false,
        }
    }
}

fn default_out() -> String {
    "build".to_string()
}

/// Parses the manifest; a mistake is an E0010 diagnostic pointing into the file.
pub fn parse(file: FileId, text: &str) -> Result<Config, Box<Diagnostic>> {
    toml::from_str::<Config>(text).map_err(|e| {
        let span = e
            .span()
            .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
        let message = e.message().trim().to_string();
        Box::new(
            Diagnostic::new(Code::ProjectConfig, format!("invalid Ward.toml: {message}"))
                .primary(file, span, message)
                .help("a manifest needs `[project]` with `name = \"...\"`; `[build]` may set `out`, `key` and `allow_insecure_key_perms`, `[budget]` time and memory budgets, and `[lints]` warning levels (docs/cli.md)"),
        )
    })
}
