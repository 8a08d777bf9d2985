//! `ward lsp`: the language server, speaking the protocol over stdin and stdout and
//! reading the project from the disk.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use crate::disk::DiskFs;
use crate::output::fail;
use crate::stdlib_cache;

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
    // Without the copy the server still works: stdlib locations are `ward-stdlib:` URIs,
    // which only the VS Code extension opens.
    let stdlib_dir = match stdlib_cache::ensure() {
        Ok(dir) => Some(dir),
        Err(why) => {
            eprintln!("warning: {why}; go to definition into the stdlib gives ward-stdlib: URIs");
            None
        }
    };
    let ending = runtime.block_on(ward_lsp::serve(
        Arc::new(DiskFs),
        stdlib_dir,
        tokio::io::stdin(),
        tokio::io::stdout(),
    ));
    // Tokio reads stdin on a blocking thread that only returns when the client closes
    // its end; after `exit` the server must not wait for that.
    runtime.shutdown_background();
    // The protocol's exit code: 0 after `shutdown`, 1 for `exit` without it.
    ExitCode::from(ending.code())
}
