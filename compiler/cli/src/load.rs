//! How every command that reads content starts: load the project from disk and check it.

use std::path::Path;
use std::process::ExitCode;

use ward_compiler::project::{self, Project};
use ward_compiler::{Checked, Diagnostic};

use crate::disk::DiskFs;
use crate::output::fail;

/// A loaded, checked project and all its diagnostics (loading's and checking's).
pub struct Loaded {
    pub project: Project,
    pub checked: Checked,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads and checks the project at `dir`; a folder that is not a project, or cannot be
/// read, is a usage error (exit 2), already reported.
pub fn load(dir: &Path) -> Result<Loaded, ExitCode> {
    let project = project::load(&DiskFs, dir).map_err(fail)?;
    let checked = ward_compiler::check(&project.sources);
    let mut diagnostics = project.diagnostics.clone();
    diagnostics.extend(checked.diagnostics.iter().cloned());
    Ok(Loaded {
        project,
        checked,
        diagnostics,
    })
}
