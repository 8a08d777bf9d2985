//! `ward test [DIR]`: the project's test blocks and the exhaustive field exercise, through
//! the runtime, reported like `cargo test`, as JSON, or as JUnit XML for CI.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use ward_compiler::sources::Sources;
use ward_compiler::test_runner::{self, Case, Outcome};

use crate::budget;
use crate::load::{load, Loaded};
use crate::output::{out, outln};
use crate::output::{
    print_diagnostics, ColorChoice, DiagnosticsFormat, Format, CLEAN, CONTENT_ERRORS,
};
use crate::progress;

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The project folder, or a folder inside it (Ward.toml is looked for upward).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Report only the cases whose name contains this text (as `cargo test NAME` does).
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// How to print results.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Treat every warning as an error (after the `[lints]` levels of Ward.toml).
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(args: &TestArgs) -> ExitCode {
    let Loaded {
        project,
        checked,
        diagnostics,
        ..
    } = match load(&args.dir, args.deny_warnings).and_then(|l| l.whole_project("test")) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if diagnostics.iter().any(|d| d.is_error()) {
        let format = match args.format {
            Format::Human => DiagnosticsFormat::Human,
            // JUnit has no place for diagnostics; JSON is what tools read instead.
            Format::Json | Format::Junit => DiagnosticsFormat::Json,
        };
        if let Err(code) = print_diagnostics(&project.sources, &diagnostics, format, args.color) {
            return code;
        }
        eprintln!("error: the content has errors; no test was run");
        return ExitCode::from(CONTENT_ERRORS);
    }
    // Building, exercising and measuring every channel can take a while: say so on a
    // terminal.
    let working = progress::spinner("testing", args.format == Format::Human);
    let built = test_runner::build_all(&checked.program, &project.sources);
    let mut cases = test_runner::run(&checked.program, &project.sources, &built);
    if let Some(config) = &project.config {
        cases.extend(budget::cases(
            &config.budget,
            &project.root,
            &checked.program,
            &project.sources,
            &built,
        ));
    }
    working.finish_and_clear();
    if let Some(text) = &args.filter {
        cases.retain(|c| c.name.contains(text.as_str()));
    }
    let failed = cases.iter().filter(|c| !c.passed()).count();
    let passed = cases.len() - failed;
    match args.format {
        Format::Human => human(&project.sources, &cases, passed, failed),
        Format::Json => outln!(
            "{}",
            json!({
                "cases": cases.iter().map(|c| case_json(&project.sources, c)).collect::<Vec<_>>(),
                "passed": passed,
                "failed": failed,
            })
        ),
        Format::Junit => out!("{}", junit(&project.sources, &cases, failed)),
    }
    if failed > 0 {
        ExitCode::from(CONTENT_ERRORS)
    } else {
        ExitCode::from(CLEAN)
    }
}

fn place(sources: &Sources, case: &Case) -> String {
    let src = sources.get(case.loc.file);
    let (line, col) = src.line_col(case.loc.span.start);
    format!("{}:{line}:{col}", src.name)
}

fn human(sources: &Sources, cases: &[Case], passed: usize, failed: usize) {
    outln!("running {} cases", cases.len());
    for c in cases {
        let status = if c.passed() { "ok" } else { "FAILED" };
        outln!("{} on {} ... {status}", c.name, c.sensor);
    }
    if failed > 0 {
        outln!("\nfailures:");
        for c in cases {
            if let Outcome::Failed(why) = &c.outcome {
                outln!("{}: {} on {}: {why}", place(sources, c), c.name, c.sensor);
            }
        }
    }
    outln!("\n{passed} passed, {failed} failed");
}

fn case_json(sources: &Sources, c: &Case) -> serde_json::Value {
    let src = sources.get(c.loc.file);
    let (line, column) = src.line_col(c.loc.span.start);
    json!({
        "name": c.name,
        "sensor": c.sensor,
        "file": src.name,
        "line": line,
        "column": column,
        "passed": c.passed(),
        "message": match &c.outcome { Outcome::Failed(why) => Some(why.as_str()), Outcome::Passed => None },
    })
}

/// JUnit XML: one suite per sensor, one test case per case, its source file and line as
/// attributes (the GitLab and Jenkins readers show them), each failure with its reason.
fn junit(sources: &Sources, cases: &[Case], failed: usize) -> String {
    let mut suites: Vec<&str> = cases.iter().map(|c| c.sensor.as_str()).collect();
    suites.sort_unstable();
    suites.dedup();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ward test\" tests=\"{}\" failures=\"{failed}\">\n",
        cases.len()
    );
    for suite in suites {
        let members: Vec<&Case> = cases.iter().filter(|c| c.sensor == suite).collect();
        let failures = members.iter().filter(|c| !c.passed()).count();
        let name = if suite.is_empty() { "project" } else { suite };
        xml.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">\n",
            escape(name),
            members.len()
        ));
        for c in members {
            let src = sources.get(c.loc.file);
            let (line, _) = src.line_col(c.loc.span.start);
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{line}\"",
                escape(&c.name),
                escape(name),
                escape(&src.name)
            );
            match &c.outcome {
                Outcome::Passed => xml.push_str(&format!("{open}/>\n")),
                Outcome::Failed(why) => xml.push_str(&format!(
                    "{open}>\n      <failure message=\"{}\">{}:{line}: {}</failure>\n    </testcase>\n",
                    escape(why),
                    escape(&src.name),
                    escape(why)
                )),
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

/// Text as XML attribute or element content. Characters XML 1.0 cannot hold at all
/// (control characters other than tab and line breaks) become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(ch),
            c if c < ' ' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
