//! The protocol's lifecycle through the real transport (`ward_lsp::serve` over in-memory
//! pipes, framed as on stdio): `null` params where the protocol says void, the exit code
//! `exit` implies, and messages a client sends before `initialize` has its answer.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tower_lsp_server::ls_types::Uri;
use ward_compiler::io::MemoryFs;
use ward_lsp::Ending;

const ROOT: &str = "/p";
const CLEAN: &str = "channel Pipes = 291 {\n    version 1\n    template IpcNamedPipe\n    targets [windows_7_12]\n    instance a = 1 {\n        pipe_name contains \"x\"\n        severity high\n    }\n}\n";

/// How long a message the server owes may take.
const WAIT: Duration = Duration::from_secs(20);

struct Client {
    to_server: DuplexStream,
    from_server: mpsc::UnboundedReceiver<Value>,
    served: JoinHandle<Ending>,
}

fn uri(path: &str) -> Uri {
    Uri::from_file_path(Path::new(ROOT).join(path)).unwrap()
}

/// Reads framed messages (`Content-Length` headers, then the body) until the pipe ends.
async fn read_messages(pipe: DuplexStream, tx: mpsc::UnboundedSender<Value>) {
    let mut reader = BufReader::new(pipe);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
            return;
        }
    }
}

impl Client {
    /// A server over a project of one clean channel file.
    fn start() -> Client {
        let mut fs = MemoryFs::new();
        fs.insert(
            Path::new(ROOT).join("Ward.toml"),
            "[project]\nname = \"t\"\n",
        );
        fs.insert(Path::new(ROOT).join("channels/pipes.ward"), CLEAN);
        let (to_server, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, from_server_pipe) = tokio::io::duplex(1 << 20);
        let served = tokio::spawn(ward_lsp::serve(Arc::new(fs), None, server_in, server_out));
        let (tx, from_server) = mpsc::unbounded_channel();
        tokio::spawn(read_messages(from_server_pipe, tx));
        Client {
            to_server,
            from_server,
            served,
        }
    }

    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.to_server.write_all(framed.as_bytes()).await.unwrap();
    }

    /// The next message that is not a log message.
    async fn next(&mut self, what: &str) -> Value {
        loop {
            let m = tokio::time::timeout(WAIT, self.from_server.recv())
                .await
                .ok()
                .flatten()
                .unwrap_or_else(|| panic!("no {what} from the server"));
            if m["method"] != "window/logMessage" {
                return m;
            }
        }
    }

    async fn response(&mut self, id: i64) -> Value {
        loop {
            let m = self.next(&format!("response {id}")).await;
            if m["id"] == id {
                return m;
            }
        }
    }

    async fn initialize(&mut self) {
        let root = Uri::from_file_path(ROOT).unwrap();
        self.send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": { "capabilities": {}, "rootUri": root } }))
            .await;
    }

    /// How `serve` ended, which it must do by itself.
    async fn ending(self) -> Ending {
        tokio::time::timeout(WAIT, self.served)
            .await
            .expect("the server ends after `exit`")
            .unwrap()
    }
}

#[tokio::test]
async fn shutdown_and_exit_with_null_params_end_cleanly() {
    let mut client = Client::start();
    client.initialize().await;
    client.response(1).await;
    client
        .send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }))
        .await;
    // Eglot and LSP4IJ send `"params": null` where the protocol says void.
    client
        .send(json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null }))
        .await;
    let answer = client.response(2).await;
    assert_eq!(answer.get("error"), None, "{answer}");
    assert_eq!(answer["result"], Value::Null);
    client
        .send(json!({ "jsonrpc": "2.0", "method": "exit", "params": null }))
        .await;
    let ending = client.ending().await;
    assert_eq!(ending, Ending::ShutDown);
    assert_eq!(ending.code(), 0);
}

#[tokio::test]
async fn exit_without_shutdown_ends_with_code_1() {
    let mut client = Client::start();
    client.initialize().await;
    client.response(1).await;
    client
        .send(json!({ "jsonrpc": "2.0", "method": "exit" }))
        .await;
    let ending = client.ending().await;
    assert_eq!(ending, Ending::Abandoned);
    assert_eq!(ending.code(), 1);
}

#[tokio::test]
async fn a_shutdown_refused_before_initialize_does_not_count() {
    let mut client = Client::start();
    client
        .send(json!({ "jsonrpc": "2.0", "id": 7, "method": "shutdown" }))
        .await;
    assert!(client.response(7).await.get("error").is_some());
    client
        .send(json!({ "jsonrpc": "2.0", "method": "exit" }))
        .await;
    assert_eq!(client.ending().await, Ending::Abandoned);
}

#[tokio::test]
async fn messages_sent_before_the_initialize_answer_are_kept_in_order() {
    let mut client = Client::start();
    let pipes = uri("channels/pipes.ward");
    let broken = uri("channels/broken.ward");
    // Everything at once, without waiting for the answer to `initialize`.
    client.initialize().await;
    client
        .send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }))
        .await;
    client
        .send(json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
            "uri": pipes, "languageId": "ward", "version": 1, "text": CLEAN } } }))
        .await;
    let typo = CLEAN
        .replace("Pipes = 291", "Broken = 292")
        .replace("severity high", "severity hihg");
    client
        .send(json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
            "uri": broken, "languageId": "ward", "version": 3, "text": typo } } }))
        .await;
    // A request right behind them is answered after them: the buffer it asks about is
    // the one just opened.
    client
        .send(
            json!({ "jsonrpc": "2.0", "id": 2, "method": "textDocument/documentSymbol",
            "params": { "textDocument": { "uri": broken } } }),
        )
        .await;
    let mut initialized = false;
    let mut symbols = None;
    let (mut clean, mut errors) = (None, None);
    while clean.is_none() || errors.is_none() || symbols.is_none() {
        let m = client.next("the answers and the first publishes").await;
        if m["id"] == 1 {
            initialized = m["result"]["capabilities"].is_object();
        } else if m["id"] == 2 {
            symbols = Some(m["result"].clone());
        } else if m["method"] == "textDocument/publishDiagnostics" {
            let params = m["params"].clone();
            if params["uri"] == pipes.as_str() {
                clean = Some(params);
            } else if params["uri"] == broken.as_str() {
                errors = Some(params);
            }
        }
    }
    assert!(initialized);
    assert_eq!(symbols.unwrap()[0]["name"], "Broken");
    // The clean file's first publish is an empty list, with the buffer's version.
    let clean = clean.unwrap();
    assert_eq!(clean["diagnostics"], json!([]));
    assert_eq!(clean["version"], 1);
    let errors = errors.unwrap();
    assert_eq!(errors["version"], 3);
    assert!(errors["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("hihg"));
}
