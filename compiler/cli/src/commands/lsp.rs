//! `ward lsp`: the language server, speaking the protocol over stdin and stdout and
//! reading the project from the disk.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use crate::disk::DiskFs;
use crate::output::{fail, CLEAN};

#[derive(Debug, Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it (vscode-languageclient does): stdio is the only
    /// transport.
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_: &LspArgs) -> ExitCode {
    // One thread: requests are answered in order, and checking is fast enough not to need
    // more (docs/performance.md, "Language server").
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the language server: {e}")),
    };
    runtime.block_on(ward_lsp::serve(
        Arc::new(DiskFs),
        tokio::io::stdin(),
        tokio::io::stdout(),
    ));
    // Tokio reads stdin on a blocking thread that only returns when the client closes
    // its end; after `exit` the server must not wait for that.
    runtime.shutdown_background();
    ExitCode::from(CLEAN)
}
