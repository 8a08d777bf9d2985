//! One module per subcommand.

pub mod bench;
pub mod build;
pub mod check;
pub mod collect;
pub mod completions;
pub mod diff;
pub mod disasm;
pub mod explain;
pub mod fmt;
pub mod import;
pub mod keygen;
pub mod lsp;
pub mod man;
pub mod policy;
pub mod publish;
pub mod release_notes;
pub mod repo;
pub mod reset_record;
pub mod rollout;
pub mod run;
pub mod sensor;
pub mod simulate;
pub mod test;
pub mod tuf_client;
pub mod verify;
pub mod watch;
