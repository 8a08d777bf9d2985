//! `ward explain CODE`: the long explanation of a diagnostic code, as in docs/diagnostics.md.

use std::process::ExitCode;

use clap::Args;
use ward_compiler::Code;

use crate::output::{fail, CLEAN};

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
    println!(
        "{}: {} ({})\n",
        code.as_str(),
        code.title(),
        code.severity().as_str()
    );
    for line in code.explanation().lines() {
        println!("{}", line.trim());
    }
    ExitCode::from(CLEAN)
}
