//! Golden protocol exchanges: each file in tests/golden/ holds a fixture (`//- path`
//! headers), then the messages a client sends (`-->`) and those the server answers
//! (`<--`, log messages left out). The test replays the client's messages and compares
//! the whole transcript; `UPDATE_GOLDEN=1` rewrites the files from what the server said.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use support::TestServer;
use ward_compiler::io::MemoryFs;

enum Dir {
    Send,
    Receive,
}

struct Golden {
    fixture: String,
    messages: Vec<(Dir, Value)>,
}

fn parse(text: &str) -> Golden {
    let mut fixture = String::new();
    let mut messages: Vec<(Dir, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        match line.trim_end() {
            "-->" => messages.push((Dir::Send, String::new())),
            "<--" => messages.push((Dir::Receive, String::new())),
            _ => match messages.last_mut() {
                Some((_, body)) => body.push_str(line),
                None => fixture.push_str(line),
            },
        }
    }
    Golden {
        fixture,
        messages: messages
            .into_iter()
            .map(|(d, body)| (d, serde_json::from_str(&body).unwrap()))
            .collect(),
    }
}

fn render(fixture: &str, messages: &[(Dir, Value)]) -> String {
    let mut out = fixture.to_string();
    for (dir, m) in messages {
        out.push_str(match dir {
            Dir::Send => "-->\n",
            Dir::Receive => "<--\n",
        });
        out.push_str(&serde_json::to_string_pretty(m).unwrap());
        out.push('\n');
    }
    out
}

async fn replay(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let golden = parse(&text);
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let fs = MemoryFs::from_fixture(Path::new(support::ROOT), &golden.fixture);
    let mut server = TestServer::over(Arc::new(fs));
    if golden.messages.first().map(|(_, m)| &m["method"]) != Some(&"initialize".into()) {
        server.initialize().await;
    }
    let mut transcript = Vec::new();
    for (i, (dir, message)) in golden.messages.iter().enumerate() {
        let Dir::Send = dir else { continue };
        transcript.push((Dir::Send, message.clone()));
        if let Some(response) = server.send(message.clone()).await {
            transcript.push((Dir::Receive, response));
        }
        let expected = golden.messages[i + 1..]
            .iter()
            .take_while(|(d, _)| matches!(d, Dir::Receive))
            .count()
            - usize::from(message.get("id").is_some());
        // Updating, take whatever comes within a second; checking, exactly what is expected.
        let (count, wait) = if update {
            (usize::MAX, Duration::from_secs(1))
        } else {
            (expected, Duration::from_secs(20))
        };
        for _ in 0..count {
            match server.next_message(wait).await {
                Some(m) => transcript.push((Dir::Receive, m)),
                None => break,
            }
        }
    }
    let got = render(&golden.fixture, &transcript);
    if update {
        std::fs::write(path, got).unwrap();
    } else {
        assert_eq!(
            got,
            text,
            "{} differs (rerun with UPDATE_GOLDEN=1 and review the diff)",
            path.display()
        );
    }
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

#[tokio::test]
async fn initialize() {
    replay(&golden("initialize.txt")).await;
}

#[tokio::test]
async fn hover() {
    replay(&golden("hover.txt")).await;
}

#[tokio::test]
async fn completion() {
    replay(&golden("completion.txt")).await;
}

#[tokio::test]
async fn diagnostics() {
    replay(&golden("diagnostics.txt")).await;
}
