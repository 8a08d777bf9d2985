//! `Ward.toml`, the project manifest.

use serde::Deserialize;
use ward_syntax::{Code, Diagnostic, FileId, Span};

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub project: ProjectSection,
    #[serde(default)]
    pub build: BuildSection,
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
    /// The signing key `ward build` uses when `--key` is not given, relative to the root.
    #[serde(default)]
    pub key: Option<String>,
}

impl Default for BuildSection {
    fn default() -> Self {
        BuildSection {
            out: default_out(),
            key: None,
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
                .help("a manifest needs at least `[project]` with `name = \"...\"`; `[build]` may set `out = \"build\"`"),
        )
    })
}
