//! Ward's language server: a thin tower-lsp-server adapter over the compiler's IDE layer
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
mod session;
mod workspace;

pub use convert::{diagnostics, Uris, DIAGNOSTICS_DOCS, STDLIB_SCHEME};
pub use overlay::{BaseFs, OverlayFs};
pub use position::LineIndex;
pub use server::{Backend, DEBOUNCE};
pub use session::{Ending, Session};

use std::path::PathBuf;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{ClientSocket, LspService, Server};

/// The service, with Ward's own requests (`ward/stdlib`) registered. `stdlib_dir` is a
/// folder holding the stdlib's files, if the caller wrote them (see [`Backend::new`]).
pub fn service(base: BaseFs, stdlib_dir: Option<PathBuf>) -> (Session, ClientSocket) {
    let (service, socket) = LspService::build(|client| Backend::new(client, base, stdlib_dir))
        .custom_method("ward/stdlib", Backend::stdlib_file)
        .finish();
    (Session::new(service), socket)
}

/// Serves the protocol on `input` and `output` until the client says `exit` or closes
/// the input, and says how it ended (the exit code the protocol asks for).
pub async fn serve(
    base: BaseFs,
    stdlib_dir: Option<PathBuf>,
    input: impl AsyncRead + Unpin,
    output: impl AsyncWrite,
) -> Ending {
    let (session, socket) = service(base, stdlib_dir);
    let ending = session.ending();
    // The server stops reading at `exit` by itself, whether or not the client closes
    // its end.
    Server::new(input, output, socket).serve(session).await;
    ending()
}
