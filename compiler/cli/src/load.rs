//! How every command that reads content starts: find the project (upward from a
//! subfolder or from one file, as cargo and git do), load it from disk, check it, and
//! apply the lint levels.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use ward_compiler::project::{self, Project, MANIFEST};
use ward_compiler::{lints, Checked, Diagnostic, FileId};

use crate::disk::DiskFs;
use crate::output::fail;

/// A loaded, checked project and all its diagnostics (loading's and checking's), lint
/// levels applied.
pub struct Loaded {
    pub project: Project,
    pub checked: Checked,
    pub diagnostics: Vec<Diagnostic>,
    /// The one file the command was pointed at, when it was pointed at a file.
    pub focus: Option<FileId>,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The diagnostics to report: all of them, or those of the focused file.
    pub fn reported(&self) -> Vec<Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| self.focus.is_none() || d.location().map(|l| l.file) == self.focus)
            .cloned()
            .collect()
    }

    /// Refuses a single file for commands that work on a whole project (exit 2).
    pub fn whole_project(self, command: &str) -> Result<Loaded, ExitCode> {
        match self.focus {
            None => Ok(self),
            Some(_) => Err(fail(format!(
                "`ward {command}` works on a whole project: give the folder that holds {MANIFEST}, or a folder inside it"
            ))),
        }
    }
}

/// Loads and checks the project that `path` (a folder, or a `.ward` file) is in; a path in
/// no project, or one that cannot be read, is a usage error (exit 2), already reported.
/// `deny_warnings` makes every warning that is left after the lint levels an error.
pub fn load(path: &Path, deny_warnings: bool) -> Result<Loaded, ExitCode> {
    load_with(path, deny_warnings, ward_compiler::check)
}

/// [`load`], checking only the declarations of enums, templates and sensors
/// (`ward_compiler::check_declarations`): for reading a sensor's profile, which needs no
/// channel checked.
pub fn load_declarations(path: &Path) -> Result<Loaded, ExitCode> {
    load_with(path, false, ward_compiler::check_declarations)
}

fn load_with(
    path: &Path,
    deny_warnings: bool,
    check: fn(&ward_compiler::sources::Sources) -> Checked,
) -> Result<Loaded, ExitCode> {
    let is_file = path.is_file();
    let start = match path.parent() {
        Some(p) if is_file && p.as_os_str().is_empty() => Path::new("."),
        Some(p) if is_file => p,
        _ => path,
    };
    let root = find_root(start).ok_or_else(|| {
        fail(format!(
            "{} is not in a Ward project: there is no {MANIFEST} in it or in any folder above it (create one with `[project]` and `name = \"...\"`)",
            path.display()
        ))
    })?;
    let project = project::load(&DiskFs, &root).map_err(fail)?;
    let checked = check(&project.sources);
    let mut diagnostics = project.diagnostics.clone();
    diagnostics.extend(checked.diagnostics.iter().cloned());
    let levels = project
        .config
        .as_ref()
        .map(|c| c.lints.clone())
        .unwrap_or_default();
    let diagnostics = lints::apply(&levels, deny_warnings, diagnostics);
    let focus = if is_file {
        let wanted = path.canonicalize().ok();
        let found = project
            .sources
            .iter()
            .find(|s| s.path.as_ref().and_then(|p| p.canonicalize().ok()) == wanted)
            .map(|s| s.id);
        if found.is_none() {
            return Err(fail(format!(
                "{} is not a source of the project at {} (only `.ward` files outside the build output are)",
                path.display(),
                root.display()
            )));
        }
        found
    } else {
        None
    };
    Ok(Loaded {
        project,
        checked,
        diagnostics,
        focus,
    })
}

/// The nearest folder at or above `start` that holds Ward.toml. It is written relative
/// when `start` was (`..`, `../..`), so the names in diagnostics and SARIF stay relative.
fn find_root(start: &Path) -> Option<PathBuf> {
    if start.join(MANIFEST).is_file() {
        return Some(start.to_path_buf());
    }
    let absolute = start.canonicalize().ok()?;
    let relative = !start.is_absolute();
    let mut up = start.to_path_buf();
    for dir in absolute.ancestors().skip(1) {
        up.push(Component::ParentDir);
        if dir.join(MANIFEST).is_file() {
            return Some(if relative { up } else { dir.to_path_buf() });
        }
    }
    None
}
