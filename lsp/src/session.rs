//! The lifecycle around tower-lsp-server's service: what it would drop or cannot tell.
//!
//! - Messages that arrive while `initialize` is being answered are held, then passed on
//!   in the order they came once it is answered. The service drops every notification
//!   before `initialize` has its answer, and clients that do not wait for that answer
//!   (the protocol asks them to) lost their `initialized` and first `didOpen`.
//! - Whether `shutdown` was answered before the session ended decides the exit code:
//!   the protocol says 0 after `shutdown`, 1 otherwise.

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use tokio::sync::oneshot;
use tower::Service;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{ExitedError, LspService};

use crate::server::{lock, Backend};

type Reply = BoxFuture<'static, Result<Option<Response>, ExitedError>>;

/// How a session ended, which is the exit code the protocol asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown` was answered, then `exit` came (or the input ended): exit code 0.
    ShutDown,
    /// `exit` without `shutdown`, or the input ended without either: exit code 1.
    Abandoned,
}

impl Ending {
    /// The process's exit code for this ending.
    pub fn code(self) -> u8 {
        match self {
            Ending::ShutDown => 0,
            Ending::Abandoned => 1,
        }
    }
}

#[derive(Default)]
struct State {
    /// `initialize` has been passed on and has no answer yet.
    initializing: bool,
    /// Messages that came meanwhile, in order, each with where its reply goes.
    held: Vec<(Request, oneshot::Sender<Reply>)>,
    shut_down: bool,
}

/// The language server's service, as [`crate::serve`] and the tests drive it.
pub struct Session {
    inner: Arc<Mutex<LspService<Backend>>>,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

impl Session {
    pub fn new(inner: LspService<Backend>) -> Self {
        Session {
            inner: Arc::new(Mutex::new(inner)),
            state: Arc::default(),
        }
    }

    /// Tells how the session ends if it ends now, after the session itself has been
    /// moved into the server.
    pub fn ending(&self) -> impl Fn() -> Ending + Send + 'static {
        let state = self.state.clone();
        move || {
            if lock(&state).shut_down {
                Ending::ShutDown
            } else {
                Ending::Abandoned
            }
        }
    }
}

impl Service<Request> for Session {
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = Reply;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ExitedError>> {
        lock(&self.inner).poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Reply {
        let mut state = lock(&self.state);
        match request.method() {
            "initialize" if !state.initializing => {
                state.initializing = true;
                let answer = lock(&self.inner).call(request);
                let (inner, shared) = (self.inner.clone(), self.state.clone());
                Box::pin(async move {
                    let response = answer.await;
                    // Holding the state while the held messages go in keeps them ahead
                    // of any message that comes after.
                    let mut state = lock(&shared);
                    state.initializing = false;
                    for (held, reply) in std::mem::take(&mut state.held) {
                        let _ = reply.send(lock(&inner).call(held));
                    }
                    response
                })
            }
            _ if state.initializing => {
                let (tx, rx) = oneshot::channel();
                state.held.push((request, tx));
                Box::pin(async move {
                    match rx.await {
                        Ok(reply) => reply.await,
                        Err(_) => Ok(None),
                    }
                })
            }
            "shutdown" => {
                let answer = lock(&self.inner).call(request);
                let shared = self.state.clone();
                Box::pin(async move {
                    let response = answer.await?;
                    if response.as_ref().is_some_and(Response::is_ok) {
                        lock(&shared).shut_down = true;
                    }
                    Ok(response)
                })
            }
            _ => lock(&self.inner).call(request),
        }
    }
}
