//! TUF 1.0 metadata for Ward's release repository, shared by the repository writer (CI)
//! and the host's updater: canonical JSON, Ed25519 keys, the four top-level roles and
//! delegations, signature thresholds that count each key once, and expiry.
//!
//! Everything here is pure (no I/O) except [`repo`], the repository writer.

pub mod canonical;
pub mod delegation;
pub mod error;
pub mod hash;
pub mod key;
pub mod metadata;
pub mod repo;
pub mod time;

pub use error::Error;
pub use key::{Key, KeyPair};
pub use metadata::{
    DelegatedRole, Delegations, MetaFile, RoleKeys, Root, Signature, Signed, Snapshot,
    SuccinctRoles, TargetFile, Targets, Timestamp,
};
