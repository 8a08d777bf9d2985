//! One error type for metadata, repository and client failures: each says what failed
//! and where (which role, file or URL), so an operator can act on the message alone.

use std::fmt;
use std::path::PathBuf;

/// Why metadata, a download or a repository operation was refused.
#[derive(Debug)]
pub enum Error {
    /// A file is not well-formed metadata of the expected role.
    Invalid { what: String, reason: String },
    /// Fewer than `threshold` distinct trusted keys signed `role`.
    Threshold {
        role: String,
        valid: usize,
        threshold: u64,
    },
    /// `role` expired at `expires`, before the update began.
    Expired { role: String, expires: String },
    /// `role` has version `got` where `expected` was required.
    Version {
        role: String,
        expected: String,
        got: u64,
    },
    /// A downloaded file's length or hash differs from what signed metadata says.
    Mismatch { what: String, reason: String },
    /// A download would exceed its length limit (the endless-data attack).
    TooLarge { url: String, limit: u64 },
    /// The server has no such file.
    NotFound { url: String },
    /// Any other transport failure.
    Network { url: String, reason: String },
    /// The target is not in any trusted targets metadata.
    UnknownTarget { target: String },
    /// A file operation failed.
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A repository operation the repository's own rules forbid.
    Refused { reason: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid { what, reason } => write!(f, "{what}: invalid metadata: {reason}"),
            Error::Threshold {
                role,
                valid,
                threshold,
            } => write!(
                f,
                "{role}: signed by {valid} distinct trusted key(s), {threshold} required"
            ),
            Error::Expired { role, expires } => {
                write!(f, "{role}: expired at {expires}, before this update began")
            }
            Error::Version {
                role,
                expected,
                got,
            } => write!(f, "{role}: version {got}, expected {expected}"),
            Error::Mismatch { what, reason } => write!(f, "{what}: {reason}"),
            Error::TooLarge { url, limit } => {
                write!(f, "{url}: more than the {limit}-byte limit for this file")
            }
            Error::NotFound { url } => write!(f, "{url}: not found"),
            Error::Network { url, reason } => write!(f, "{url}: {reason}"),
            Error::UnknownTarget { target } => {
                write!(f, "target `{target}` is in no trusted targets metadata")
            }
            Error::Io { op, path, source } => {
                write!(f, "could not {op} {}: {source}", path.display())
            }
            Error::Refused { reason } => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Shorthand for [`Error::Invalid`].
pub(crate) fn invalid(what: &str, reason: impl Into<String>) -> Error {
    Error::Invalid {
        what: what.to_string(),
        reason: reason.into(),
    }
}
