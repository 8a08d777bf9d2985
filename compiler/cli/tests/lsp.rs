//! End to end: the real `ward lsp` process, spoken to over stdio in JSON-RPC as an editor
//! would. It must report the channel-291 mistake with its related places, then shut down
//! with the exit code the protocol gives: 0 after `shutdown`, 1 without.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads framed messages until the stream ends, sending each one on.
fn read_messages(stdout: impl Read, tx: mpsc::Sender<Value>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
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
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
            return;
        }
    }
}

/// A running `ward lsp` with its stdin piped and its cache in `cache`, killed and reaped
/// when dropped however the test ends, so that no orphan holds the test's output pipe.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ward_lsp(cache: &Path, stdout: Stdio) -> Server {
    let child = Command::new(assert_cmd::cargo::cargo_bin("ward"))
        .arg("lsp")
        .env("XDG_CACHE_HOME", cache)
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Server(child)
}

/// Waits for the server to exit by itself, its stdin still open.
fn wait_for_exit(child: &mut Child) -> ExitStatus {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`ward lsp` did not exit after `exit`");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ward_lsp_reports_channel_291_over_stdio() {
    let source = "channel Pipes = 291 {\n    version 1\n    template IpcNamedPipe\n    targets [windows_7_11, windows_7_12]\n    instance everyone_can_write = 1 {\n        pipe_sddl contains \"(A;;GRGW;;;WD)\"\n        severity high\n    }\n}\n";
    let dir = support::project(&[
        support::MANIFEST,
        ("channels/pipes.ward", source.as_bytes()),
    ]);
    let root = dir.path().canonicalize().unwrap();
    let root_uri = format!("file://{}", root.display());
    let file_uri = format!("{root_uri}/channels/pipes.ward");

    let cache = tempfile::tempdir().unwrap();
    let mut server = ward_lsp(cache.path(), Stdio::piped());
    let child = &mut server.0;
    let mut stdin = child.stdin.take();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || read_messages(stdout, tx));
    let mut send = |m: Value| {
        let stdin = stdin.as_mut().expect("stdin is open until the end");
        stdin.write_all(&frame(&m)).unwrap();
    };
    let next = |what: &str| {
        rx.recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no {what} from `ward lsp`"))
    };

    send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "capabilities": {}, "rootUri": root_uri, "processId": null } }));
    let init = loop {
        let m = next("initialize response");
        if m["id"] == 1 {
            break m;
        }
    };
    assert_eq!(init["result"]["serverInfo"]["name"], "ward-lsp");
    send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    send(
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
        "uri": file_uri, "languageId": "ward", "version": 1, "text": source } } }),
    );

    let diagnostics = loop {
        let m = next("publishDiagnostics");
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == file_uri {
            break m["params"]["diagnostics"].clone();
        }
    };
    let d = &diagnostics[0];
    assert_eq!(d["code"], "E0300");
    assert!(d["message"].as_str().unwrap().contains("pipe_sddl"));
    let related = d["relatedInformation"].as_array().unwrap();
    // The sensor's declaration is in the stdlib's copy the server wrote: a real file.
    let stdlib = related[0]["location"]["uri"].as_str().unwrap();
    let stdlib = stdlib.strip_prefix("file://").expect("a file: URI");
    assert!(
        stdlib.starts_with(&cache.path().display().to_string()),
        "{stdlib}"
    );
    assert!(std::fs::read_to_string(stdlib)
        .unwrap()
        .contains("sensor windows_7_11"));
    assert!(related[0]["message"]
        .as_str()
        .unwrap()
        .contains("supplies inputs 1..=20"));
    assert!(related[1]["message"].as_str().unwrap().contains("field 21"));

    // With `"params": null`, as Eglot and LSP4IJ send it.
    send(json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null }));
    loop {
        let m = next("shutdown response");
        if m["id"] == 2 {
            assert_eq!(m["result"], Value::Null);
            break;
        }
    }
    send(json!({ "jsonrpc": "2.0", "method": "exit" }));
    // The server must exit on `exit` alone, with its stdin still open.
    let status = wait_for_exit(child);
    drop(stdin);
    assert!(status.success(), "{status}");
    reader.join().unwrap();
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let cache = tempfile::tempdir().unwrap();
    let mut server = ward_lsp(cache.path(), Stdio::null());
    let child = &mut server.0;
    let mut stdin = child.stdin.take().unwrap();
    let initialize = json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "capabilities": {}, "processId": null } });
    stdin.write_all(&frame(&initialize)).unwrap();
    stdin
        .write_all(&frame(&json!({ "jsonrpc": "2.0", "method": "exit" })))
        .unwrap();
    let status = wait_for_exit(child);
    drop(stdin);
    assert_eq!(status.code(), Some(1), "{status}");
}
