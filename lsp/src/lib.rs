//! Ward's language server: a thin tower-lsp adapter over the compiler's IDE layer
//! (`ward_compiler::ide`). It is the only crate that knows the protocol.
//!
//! It never touches the disk: the caller passes the base file system (the CLI passes the
//! disk), and open editor buffers are overlaid on it.

// Stdout is the protocol: a stray print would corrupt it.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod convert;
mod overlay;
mod position;
mod server;
mod workspace;

pub use convert::{diagnostics, DIAGNOSTICS_DOCS, STDLIB_SCHEME};
pub use overlay::{BaseFs, OverlayFs};
pub use position::LineIndex;
pub use server::{Backend, DEBOUNCE};

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp::{LspService, Server};

/// The service, with Ward's own requests (`ward/stdlib`) registered.
pub fn service(base: BaseFs) -> (LspService<Backend>, tower_lsp::ClientSocket) {
    LspService::build(|client| Backend::new(client, base))
        .custom_method("ward/stdlib", Backend::stdlib_file)
        .finish()
}

/// Serves the protocol on `input` and `output` until the client says `exit`.
pub async fn serve(base: BaseFs, input: impl AsyncRead + Unpin, output: impl AsyncWrite) {
    let (service, socket) = service(base);
    Server::new(input, output, socket).serve(service).await;
}
