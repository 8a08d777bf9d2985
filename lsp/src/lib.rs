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

use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Notify;
use tower::Service;
use tower_lsp::jsonrpc::Request;
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
    let exited = Arc::new(Notify::new());
    let service = ExitWatch {
        inner: service,
        exited: exited.clone(),
    };
    tokio::select! {
        () = Server::new(input, output, socket).serve(service) => {}
        () = exited.notified() => {}
    }
}

/// Passes every message on and notices `exit`: tower-lsp's server goes on reading its
/// input after `exit` until the client closes it, and a client need not close it.
struct ExitWatch<S> {
    inner: S,
    exited: Arc<Notify>,
}

impl<S: Service<Request>> Service<Request> for ExitWatch<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> S::Future {
        let exit = request.method() == "exit";
        let future = self.inner.call(request);
        if exit {
            self.exited.notify_one();
        }
        future
    }
}
