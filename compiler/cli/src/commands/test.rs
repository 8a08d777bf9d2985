//! `ward test [DIR]`: the project's test blocks and the exhaustive field exercise, through
//! the runtime, reported like `cargo test`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use ward_compiler::sources::Sources;
use ward_compiler::test_runner::{self, Case, Outcome};

use crate::budget;
use crate::load::{load, Loaded};
use crate::output::{
    print_diagnostics, ColorChoice, DiagnosticsFormat, Format, CLEAN, CONTENT_ERRORS,
};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The project folder (the one holding Ward.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// How to print results.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

pub fn run(args: &TestArgs) -> ExitCode {
    let Loaded {
        project,
        checked,
        diagnostics,
    } = match load(&args.dir) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if diagnostics.iter().any(|d| d.is_error()) {
        let format = match args.format {
            Format::Human => DiagnosticsFormat::Human,
            Format::Json => DiagnosticsFormat::Json,
        };
        if let Err(code) = print_diagnostics(&project.sources, &diagnostics, format, args.color) {
            return code;
        }
        eprintln!("error: the content has errors; no test was run");
        return ExitCode::from(CONTENT_ERRORS);
    }
    let built = test_runner::build_all(&checked.program, &project.sources);
    let mut cases = test_runner::run(&checked.program, &project.sources, &built);
    if let Some(config) = &project.config {
        cases.extend(budget::cases(
            &config.budget,
            &args.dir,
            &checked.program,
            &project.sources,
            &built,
        ));
    }
    let failed = cases.iter().filter(|c| !c.passed()).count();
    let passed = cases.len() - failed;
    match args.format {
        Format::Human => human(&project.sources, &cases, passed, failed),
        Format::Json => println!(
            "{}",
            json!({
                "cases": cases.iter().map(|c| case_json(&project.sources, c)).collect::<Vec<_>>(),
                "passed": passed,
                "failed": failed,
            })
        ),
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
    println!("running {} cases", cases.len());
    for c in cases {
        let status = if c.passed() { "ok" } else { "FAILED" };
        println!("{} on {} ... {status}", c.name, c.sensor);
    }
    if failed > 0 {
        println!("\nfailures:");
        for c in cases {
            if let Outcome::Failed(why) = &c.outcome {
                println!("{}: {} on {}: {why}", place(sources, c), c.name, c.sensor);
            }
        }
    }
    println!("\n{passed} passed, {failed} failed");
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
