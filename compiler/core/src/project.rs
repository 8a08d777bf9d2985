//! The project model: a folder with a `Ward.toml`, every `.ward` file below it, and the
//! bundled stdlib. The CLI and the language server both load projects through here.

use std::path::{Path, PathBuf};

use ward_syntax::{Code, Diagnostic, Span};

use crate::config::{self, Config};
use crate::io::{FileSystem, ReadError};
use crate::lints;
use crate::sources::{Origin, Sources};
use crate::stdlib;

/// Largest `.ward` or `Ward.toml` file read, in bytes. A larger file is refused with a
/// clear error before it is read: sources are written by people, and split into files.
pub const MAX_SOURCE_FILE: u64 = 8 * 1024 * 1024;

pub const MANIFEST: &str = "Ward.toml";

/// A loaded project: its manifest and every source, ready to check.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    /// `None` when `Ward.toml` has errors (reported as diagnostics).
    pub config: Option<Config>,
    pub sources: Sources,
    /// Problems found while loading: manifest errors, unreadable files, an empty project.
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a project could not be loaded at all (exit code 2, not a content error).
#[derive(Debug)]
pub enum LoadError {
    NoManifest(PathBuf),
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NoManifest(dir) => write!(
                f,
                "{} is not a Ward project: it has no {MANIFEST} (create one with `[project]` and `name = \"...\"`)",
                dir.display()
            ),
            LoadError::Io { path, error } => write!(f, "cannot read {}: {error}", path.display()),
        }
    }
}

impl std::error::Error for LoadError {}

/// Sources holding only the stdlib: the base every project is checked on.
pub fn stdlib_sources() -> Sources {
    let mut sources = Sources::default();
    for (name, text) in stdlib::FILES {
        sources.add(format!("<stdlib>/{name}"), None, *text, Origin::Stdlib);
    }
    sources
}

pub fn load(fs: &dyn FileSystem, root: &Path) -> Result<Project, LoadError> {
    let manifest_path = root.join(MANIFEST);
    let manifest = match fs.read(&manifest_path, MAX_SOURCE_FILE) {
        Ok(bytes) => bytes,
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LoadError::NoManifest(root.to_path_buf()))
        }
        Err(ReadError::Io(error)) => {
            return Err(LoadError::Io {
                path: manifest_path,
                error,
            })
        }
        Err(ReadError::TooLarge { size, limit }) => {
            return Err(LoadError::Io {
                path: manifest_path,
                error: std::io::Error::other(format!(
                    "{size} bytes is larger than the {limit}-byte limit"
                )),
            })
        }
    };
    let mut sources = stdlib_sources();
    let mut diagnostics = Vec::new();
    let manifest_text = String::from_utf8_lossy(&manifest).into_owned();
    let manifest_id = sources.add(
        MANIFEST,
        Some(manifest_path.clone()),
        manifest_text.as_str(),
        Origin::Manifest,
    );
    let config = match config::parse(manifest_id, &manifest_text) {
        Ok(c) => {
            diagnostics.extend(lints::validate(&c.lints, manifest_id, &manifest_text));
            Some(c)
        }
        Err(d) => {
            diagnostics.push(*d);
            None
        }
    };
    let out_dir = config.as_ref().map(|c| root.join(&c.build.out));
    let files = fs.walk(root).map_err(|error| LoadError::Io {
        path: root.to_path_buf(),
        error,
    })?;
    let mut found = 0usize;
    for path in files {
        if path.extension().is_none_or(|e| e != "ward")
            || out_dir.as_ref().is_some_and(|o| path.starts_with(o))
        {
            continue;
        }
        found += 1;
        let name = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let unreadable =
            |sources: &mut Sources, why: String| {
                let id = sources.add_unreadable(name.clone(), path.clone());
                Diagnostic::new(Code::UnreadableSource, format!("cannot read {name}: {why}"))
                    .primary(id, Span::new(0, 0), why)
            };
        match fs.read(&path, MAX_SOURCE_FILE) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) if text.contains('\0') => diagnostics.push(unreadable(
                    &mut sources,
                    "it is a binary file (it contains NUL bytes), not Ward source".into(),
                )),
                Ok(text) => {
                    sources.add(name, Some(path), text, Origin::Project);
                }
                Err(e) => {
                    let why = not_utf8(e.as_bytes(), e.utf8_error().valid_up_to());
                    diagnostics.push(unreadable(&mut sources, why));
                }
            },
            Err(ReadError::TooLarge { size, limit }) => diagnostics.push(unreadable(
                &mut sources,
                format!("it is {size} bytes, over the {limit}-byte limit for one source file; split it into several files"),
            )),
            Err(ReadError::Io(e)) => diagnostics.push(unreadable(&mut sources, e.to_string())),
        }
    }
    if found == 0 {
        diagnostics.push(
            Diagnostic::new(
                Code::EmptyProject,
                format!("the project at {} has no .ward files", root.display()),
            )
            .primary(manifest_id, Span::new(0, 0), "this project has no content")
            .help("add channel files such as `channels/example.ward` below the folder that holds Ward.toml"),
        );
    }
    Ok(Project {
        root: root.to_path_buf(),
        config,
        sources,
        diagnostics,
    })
}

/// Longest excerpt of a line quoted in a message, in characters.
const QUOTED_LINE: usize = 80;

/// Says where the first byte that is not UTF-8 is, by line and column, and quotes that
/// line (invalid bytes shown as U+FFFD), since the file cannot be shown as source. `at`
/// is that byte's offset (`Utf8Error::valid_up_to`). `ward check` and `ward fmt` both
/// say it.
pub fn not_utf8(bytes: &[u8], at: usize) -> String {
    let at = at.min(bytes.len());
    let line_start = bytes[..at]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = bytes[at..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| at + i);
    let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&bytes[line_start..at])
        .chars()
        .count()
        + 1;
    let text = String::from_utf8_lossy(&bytes[line_start..line_end]);
    let mut quoted: String = text.trim_end().chars().take(QUOTED_LINE).collect();
    if text.trim_end().chars().count() > QUOTED_LINE {
        quoted.push('…');
    }
    format!(
        "it is not UTF-8 text: byte 0x{:02x} at line {line}, column {column} (byte offset {at}): `{quoted}`; save the file as UTF-8",
        bytes.get(at).copied().unwrap_or_default()
    )
}
