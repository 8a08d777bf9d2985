//! One module per subcommand.

pub mod bench;
pub mod build;
pub mod check;
pub mod diff;
pub mod disasm;
pub mod explain;
pub mod fmt;
pub mod import;
pub mod keygen;
pub mod lsp;
pub mod run;
pub mod test;
pub mod verify;
