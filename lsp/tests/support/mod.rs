//! Drives the server in process through its service (`ward_lsp::Session`): fixtures with `//- path`
//! headers and a `$0` cursor, requests as JSON, and the server's notifications collected.

#![allow(dead_code)] // each test binary uses part of it

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;
use tower_lsp_server::ls_types::{Position, Uri};
use ward_compiler::io::MemoryFs;
use ward_lsp::{LineIndex, Session};

pub const ROOT: &str = "/p";
pub const MANIFEST: &str = "//- Ward.toml\n[project]\nname = \"t\"\n";

/// How long to wait for a notification the server must send.
const WAIT: Duration = Duration::from_secs(20);

pub struct TestServer {
    service: Session,
    messages: mpsc::UnboundedReceiver<Value>,
    next_id: i64,
}

/// A file of a fixture and the cursor in it.
pub struct Cursor {
    pub uri: Uri,
    pub text: String,
    pub position: Position,
}

pub fn uri(path: &str) -> Uri {
    Uri::from_file_path(Path::new(ROOT).join(path)).unwrap()
}

/// Splits `$0` out of a fixture: the fixture without it, and where it was.
pub fn cursor(fixture: &str) -> (String, Option<Cursor>) {
    let full = format!("{MANIFEST}{fixture}");
    let clean = full.replace("$0", "");
    let fs_files = split(&full);
    let found = fs_files.iter().find_map(|(path, text)| {
        let at = text.find("$0")?;
        let text = text.replace("$0", "");
        let position = LineIndex::new(&text).position(at);
        Some(Cursor {
            uri: uri(path),
            text,
            position,
        })
    });
    (clean, found)
}

/// `(path, text)` of every file of a fixture.
pub fn split(fixture: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in fixture.split_inclusive('\n') {
        match line.strip_prefix("//- ") {
            Some(path) => files.push((path.trim().to_string(), String::new())),
            None => {
                if let Some((_, text)) = files.last_mut() {
                    text.push_str(line);
                }
            }
        }
    }
    files
}

impl TestServer {
    /// A server over the fixture's files (a manifest is added), initialized at its root.
    pub async fn new(fixture: &str) -> (TestServer, Option<Cursor>) {
        let (clean, cursor) = cursor(fixture);
        let fs = MemoryFs::from_fixture(Path::new(ROOT), &clean);
        let mut server = TestServer::over(Arc::new(fs));
        server.initialize().await;
        (server, cursor)
    }

    pub fn over(base: ward_lsp::BaseFs) -> TestServer {
        TestServer::with_stdlib_dir(base, None)
    }

    /// A server that was told the stdlib's copy is in `stdlib_dir`.
    pub fn with_stdlib_dir(base: ward_lsp::BaseFs, stdlib_dir: Option<&Path>) -> TestServer {
        let (service, mut socket) = ward_lsp::service(base, stdlib_dir.map(Path::to_path_buf));
        let (tx, messages) = mpsc::unbounded_channel();
        // Drain the server's messages as they come: a full channel would stall it.
        tokio::spawn(async move {
            while let Some(message) = socket.next().await {
                if tx.send(serde_json::to_value(message).unwrap()).is_err() {
                    break;
                }
            }
        });
        TestServer {
            service,
            messages,
            next_id: 0,
        }
    }

    pub async fn initialize(&mut self) -> Value {
        let root = Uri::from_file_path(ROOT).unwrap();
        let result = self
            .request(
                "initialize",
                json!({ "capabilities": {}, "rootUri": root, "workspaceFolders": [{ "uri": root, "name": "p" }] }),
            )
            .await;
        self.notify("initialized", json!({})).await;
        result
    }

    /// Sends one JSON-RPC message as a client would, returning the response (if any).
    pub async fn send(&mut self, message: Value) -> Option<Value> {
        let request: Request = serde_json::from_value(message).unwrap();
        let response = self
            .service
            .ready()
            .await
            .unwrap()
            .call(request)
            .await
            .unwrap();
        response.map(|r| serde_json::to_value(r).unwrap())
    }

    /// The `result` of a request, or its `error` object.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let message =
            json!({ "jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params });
        let mut response = self.send(message).await.unwrap();
        match response.get("error") {
            Some(e) => json!({ "error": e }),
            None => response["result"].take(),
        }
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        let message = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        assert!(self.send(message).await.is_none());
    }

    /// The next message from the server that is not a log message.
    pub async fn next_message(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(wait, self.messages.recv())
                .await
                .ok()??;
            if message["method"] != "window/logMessage" {
                return Some(message);
            }
        }
    }

    /// The log messages the server sends until it is quiet for half a second.
    pub async fn log_messages(&mut self) -> Vec<String> {
        let mut logs = Vec::new();
        let quiet = Duration::from_millis(500);
        while let Ok(Some(m)) = tokio::time::timeout(quiet, self.messages.recv()).await {
            if m["method"] == "window/logMessage" {
                logs.push(m["params"]["message"].as_str().unwrap_or("").to_string());
            }
        }
        logs
    }

    /// The diagnostics next published for `uri`.
    pub async fn diagnostics(&mut self, uri: &Uri) -> Vec<Value> {
        loop {
            let message = self
                .next_message(WAIT)
                .await
                .unwrap_or_else(|| panic!("no diagnostics published for {}", uri.as_str()));
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri.as_str()
            {
                return message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
        }
    }

    pub async fn open(&mut self, uri: &Uri, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "ward", "version": 1, "text": text } }),
        )
        .await;
    }

    pub async fn change(&mut self, uri: &Uri, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        )
        .await;
    }

    /// A request about the cursor's position.
    pub async fn at(&mut self, method: &str, cursor: &Cursor, extra: Value) -> Value {
        let mut params =
            json!({ "textDocument": { "uri": cursor.uri }, "position": cursor.position });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.request(method, params).await
    }
}

/// A channel whose criterion reads input 21 while it targets a sensor supplying 1..=20:
/// the channel-291 mistake (E0300).
pub const CHANNEL_291: &str = r#"//- channels/pipes.ward
/// Named-pipe abuse.
channel Pipes = 291 {
    version 1
    template IpcNamedPipe
    targets [windows_7_11, windows_7_12]
    instance everyone_can_write = 1 {
        pipe_sddl contains "(A;;GRGW;;;WD)"
        severity high
    }
}
"#;
