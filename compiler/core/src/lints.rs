//! Lint levels: `[lints]` in Ward.toml sets each warning code to `allow`, `warn` or
//! `deny`, and `--deny-warnings` turns every warning left into an error, the way clippy's
//! `-D warnings` and YARA-X's `--error-on-warning` make CI strict. Errors stay errors: a
//! level can only raise or silence a warning, never excuse content the runtime would
//! refuse.

use std::collections::BTreeMap;

use serde::Deserialize;
use ward_syntax::{Code, Diagnostic, FileId, Severity, Span};

/// What to do with a warning code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning (the default).
    Warn,
    /// Reported as an error: exit code 1, nothing is built.
    Deny,
}

/// The `[lints]` table, by code (`W0001 = "deny"`).
pub type Lints = BTreeMap<String, Level>;

/// The mistakes of a `[lints]` table: a code that does not exist, or an error code (an
/// error cannot be allowed or lowered). Each is an E0010 at the code's key in the manifest.
pub fn validate(lints: &Lints, manifest: FileId, text: &str) -> Vec<Diagnostic> {
    lints
        .keys()
        .filter_map(|key| {
            let why = match Code::from_code(key) {
                None => format!("`{key}` is not a Ward diagnostic code"),
                Some(code) if code.severity() == Severity::Error => format!(
                    "`{key}` is an error; only warnings (W codes) have a lint level"
                ),
                Some(_) => return None,
            };
            let at = text.find(key.as_str()).unwrap_or(0);
            Some(
                Diagnostic::new(Code::ProjectConfig, format!("invalid Ward.toml: {why}"))
                    .primary(manifest, Span::new(at, at + key.len()), why)
                    .help("`[lints]` sets warning codes to \"allow\", \"warn\" or \"deny\", e.g. `W0001 = \"deny\"` (docs/diagnostics.md lists the codes)"),
            )
        })
        .collect()
}

/// Applies the levels, then `deny_warnings`, to `diagnostics`: allowed warnings are
/// dropped, denied ones become errors.
pub fn apply(lints: &Lints, deny_warnings: bool, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter_map(|mut d| {
            if d.severity != Severity::Warning {
                return Some(d);
            }
            match lints.get(d.code.as_str()).copied() {
                Some(Level::Allow) => return None,
                Some(Level::Deny) => d.severity = Severity::Error,
                Some(Level::Warn) | None => {}
            }
            if deny_warnings && d.severity == Severity::Warning {
                d.severity = Severity::Error;
                d.notes
                    .push("this warning is an error because of `--deny-warnings`".into());
            } else if d.severity == Severity::Error {
                d.notes.push(format!(
                    "`{} = \"deny\"` in Ward.toml's [lints] makes this warning an error",
                    d.code
                ));
            }
            Some(d)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(code: Code) -> Diagnostic {
        Diagnostic::new(code, "w")
    }

    #[test]
    fn levels_silence_or_raise_warnings_and_never_touch_errors() {
        let lints: Lints = [
            ("W0001".to_string(), Level::Allow),
            ("W0002".to_string(), Level::Deny),
            ("W0003".to_string(), Level::Warn),
        ]
        .into();
        let all = vec![
            warning(Code::RedundantCriterion),
            warning(Code::DuplicateTag),
            warning(Code::DuplicateTestName),
            Diagnostic::new(Code::FieldNotSupplied, "e"),
        ];
        let out = apply(&lints, false, all.clone());
        let got: Vec<(Code, Severity)> = out.iter().map(|d| (d.code, d.severity)).collect();
        assert_eq!(
            got,
            [
                (Code::DuplicateTag, Severity::Error),
                (Code::DuplicateTestName, Severity::Warning),
                (Code::FieldNotSupplied, Severity::Error),
            ]
        );
        // --deny-warnings raises what is left, but an allowed code stays allowed.
        let strict = apply(&lints, true, all);
        assert_eq!(strict.len(), 3);
        assert!(strict.iter().all(Diagnostic::is_error));
    }

    #[test]
    fn unknown_and_error_codes_are_refused_where_they_are_written() {
        let text = "[lints]\nE0300 = \"allow\"\nW9999 = \"deny\"\nW0001 = \"deny\"\n";
        let lints: Lints = [
            ("E0300".to_string(), Level::Allow),
            ("W9999".to_string(), Level::Deny),
            ("W0001".to_string(), Level::Deny),
        ]
        .into();
        let found = validate(&lints, FileId(0), text);
        assert_eq!(found.len(), 2);
        let starts: Vec<usize> = found
            .iter()
            .map(|d| d.location().unwrap().span.start)
            .collect();
        assert_eq!(
            starts,
            [text.find("E0300").unwrap(), text.find("W9999").unwrap()]
        );
    }
}
