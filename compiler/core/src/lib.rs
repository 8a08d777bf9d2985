//! Ward's compiler: project model, name resolution, checks, lowering to the runtime's
//! channel model, formatting and diagnostics.
//!
//! The crate is pure: it reads through [`io::FileSystem`] and never touches the disk, the
//! environment or the clock, so the CLI and the language server share every check.

pub mod budget;
pub mod check;
pub mod config;
pub mod event_line;
pub mod events;
pub mod format;
pub mod hir;
pub mod ide;
pub mod io;
pub mod lints;
pub mod lower;
pub mod profile;
pub mod project;
pub mod render;
pub mod review;
pub mod sources;
pub mod stdlib;
pub mod suggest;
pub mod test_runner;

pub use check::{check, check_declarations, Checked};
pub use ward_syntax::{Code, Diagnostic, FileId, Label, Severity, Span};
