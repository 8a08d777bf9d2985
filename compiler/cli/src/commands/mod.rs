//! One module per subcommand.

pub mod bench;
pub mod build;
pub mod check;
pub mod explain;
pub mod keygen;
pub mod run;
pub mod verify;
