//! `ward explain CODE`: the whole entry of a diagnostic code from docs/diagnostics.md
//! (explanation, example and rendered output), embedded in the binary so it needs no
//! checkout.

use std::process::ExitCode;

use clap::Args;
use ward_compiler::Code;

use crate::output::{fail, print_text, CLEAN};

/// The diagnostics reference, generated from the codes and their snapshot cases by
/// compiler/core/tests/docs.rs, so the entry printed here is the one on the page.
const DIAGNOSTICS_MD: &str = include_str!("../../../../docs/diagnostics.md");

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A diagnostic code, such as E0300.
    pub code: String,
}

pub fn run(args: &ExplainArgs) -> ExitCode {
    let Some(code) = Code::from_code(&args.code.to_uppercase()) else {
        return fail(format!(
            "`{}` is not a Ward diagnostic code (they look like E0300 or W0001)",
            args.code
        ));
    };
    // A code added since the page was last generated still has its doc comment.
    let text = entry(DIAGNOSTICS_MD, code.as_str()).map_or_else(
        || {
            format!(
                "## {}\n\n**{}** ({})\n\n{}",
                code.as_str(),
                code.title(),
                code.severity().as_str(),
                code.explanation()
            )
        },
        str::to_string,
    );
    match print_text(&format!("{}\n", text.trim_end())) {
        Ok(()) => ExitCode::from(CLEAN),
        Err(code) => code,
    }
}

/// The section `## CODE` of the page, up to the next `## ` heading.
fn entry<'a>(page: &'a str, code: &str) -> Option<&'a str> {
    let heading = format!("\n## {code}\n");
    let start = page.find(&heading)? + 1;
    let rest = &page[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
    Some(&rest[..end])
}
