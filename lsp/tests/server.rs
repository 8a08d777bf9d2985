//! Handler-level tests: one small fixture per feature, driven through the real service.

mod support;

use std::sync::Arc;

use serde_json::{json, Value};
use support::{uri, TestServer, CHANNEL_291};
use ward_compiler::io::MemoryFs;

const PIPES: &str = r#"//- channels/pipes.ward
channel Pipes = 291 {
    version 1
    template IpcNamedPipe
    targets [windows_7_11, windows_7_12]
    instance a = 1 {
        pipe_name contains "x"
        is_remote == false
        severity high
    }
}
//- tests/pipes.ward
test "pipes" {
    channel Pipes
    event { pipe_name: "café 😀", is_remote$0: true }
    expect []
}
"#;

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn channel_291_is_published_with_code_link_and_related_places() {
    let (mut server, _) = TestServer::new(CHANNEL_291).await;
    let file = uri("channels/pipes.ward");
    let diagnostics = server.diagnostics(&file).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "E0300");
    assert_eq!(d["severity"], 1);
    assert!(d["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("diagnostics.md#e0300"));
    assert_eq!(d["range"]["start"], json!({ "line": 6, "character": 8 }));
    let related = d["relatedInformation"].as_array().unwrap();
    assert_eq!(related.len(), 2);
    assert_eq!(related[0]["location"]["uri"], "ward-stdlib:///windows.ward");
    assert!(related[0]["message"].as_str().unwrap().contains("1..=20"));
    assert!(related[1]["message"].as_str().unwrap().contains("field 21"));
}

#[tokio::test]
async fn an_edit_republishes_and_clears_a_file_that_became_clean() {
    let (mut server, _) = TestServer::new(CHANNEL_291).await;
    let file = uri("channels/pipes.ward");
    assert_eq!(server.diagnostics(&file).await.len(), 1);
    let text = support::split(CHANNEL_291)[0]
        .1
        .replace("pipe_sddl", "pipe_name");
    server.open(&file, &text).await;
    assert!(server.diagnostics(&file).await.is_empty());
    let broken = text.replace("severity high", "severity hihg");
    server.change(&file, 2, &broken).await;
    let diagnostics = server.diagnostics(&file).await;
    assert!(diagnostics[0]["message"].as_str().unwrap().contains("hihg"));
}

/// `[lints]` in Ward.toml decides what the editor shows, as it decides what `ward check`
/// reports: a denied warning is published as an error, an allowed one not at all.
#[tokio::test]
async fn lint_levels_of_the_manifest_apply_to_published_diagnostics() {
    let channel = "//- a.ward\nchannel C = 1 { version 1 template ProcessStart targets [windows_7_12]\n instance i = 1 { image ends_with \"x\" severity low tags [\"a\", \"a\"] } }\n";
    let file = uri("a.ward");
    for (level, expected) in [("warn", Some(2)), ("deny", Some(1)), ("allow", None)] {
        let fixture = format!(
            "//- Ward.toml\n[project]\nname = \"t\"\n[lints]\nW0002 = \"{level}\"\n{channel}"
        );
        let (mut server, _) = TestServer::new(&fixture).await;
        // Opened, so that a file with nothing to show is published too (empty).
        server.open(&file, &channel["//- a.ward\n".len()..]).await;
        let published = server.diagnostics(&file).await;
        let severities: Vec<u64> = published
            .iter()
            .map(|d| d["severity"].as_u64().unwrap())
            .collect();
        assert_eq!(
            severities,
            Vec::from_iter(expected),
            "{level}: {published:?}"
        );
        assert!(
            published.iter().all(|d| d["code"] == "W0002"),
            "{published:?}"
        );
    }
}

#[tokio::test]
async fn hover_counts_utf16_after_non_ascii_text() {
    let (mut server, cursor) = TestServer::new(PIPES).await;
    let cursor = cursor.unwrap();
    let hover = server.at("textDocument/hover", &cursor, json!({})).await;
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("8 is_remote: bool"), "{text}");
    // `    event { pipe_name: "café 😀", ` is 34 UTF-16 units (the emoji counts two).
    assert_eq!(
        hover["range"]["start"],
        json!({ "line": 2, "character": 34 })
    );
}

#[tokio::test]
async fn completion_offers_fields_operators_and_values() {
    let fixture = PIPES.replace("is_remote$0: true", "is_remote: true, $0");
    let (mut server, cursor) = TestServer::new(&fixture).await;
    let items = server
        .at("textDocument/completion", &cursor.unwrap(), json!({}))
        .await;
    assert!(labels(&items).contains(&"client_pid".to_string()));
    let fixture = PIPES.replace("is_remote == false", "is_remote == $0");
    let (mut server, cursor) = TestServer::new(&fixture).await;
    let items = server
        .at("textDocument/completion", &cursor.unwrap(), json!({}))
        .await;
    assert_eq!(labels(&items), ["true", "false"]);
    let fixture = PIPES.replace("is_remote == false", "client_pid $0");
    let (mut server, cursor) = TestServer::new(&fixture).await;
    let items = server
        .at("textDocument/completion", &cursor.unwrap(), json!({}))
        .await;
    assert_eq!(
        labels(&items),
        ["==", "!=", "<", "<=", ">", ">=", "in", "not in"]
    );
}

#[tokio::test]
async fn definition_and_references_span_files() {
    let fixture = PIPES
        .replace("channel Pipes\n    event", "channel Pi$0pes\n    event")
        .replace("is_remote$0", "is_remote");
    let (mut server, cursor) = TestServer::new(&fixture).await;
    let cursor = cursor.unwrap();
    let def = server
        .at("textDocument/definition", &cursor, json!({}))
        .await;
    assert_eq!(def["uri"], uri("channels/pipes.ward").as_str());
    assert_eq!(def["range"]["start"], json!({ "line": 0, "character": 8 }));
    let refs = server
        .at(
            "textDocument/references",
            &cursor,
            json!({ "context": { "includeDeclaration": true } }),
        )
        .await;
    assert_eq!(refs.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn rename_edits_every_file_and_refuses_the_stdlib() {
    let fixture = PIPES
        .replace("channel Pipes\n    event", "channel Pi$0pes\n    event")
        .replace("is_remote$0", "is_remote");
    let (mut server, cursor) = TestServer::new(&fixture).await;
    let cursor = cursor.unwrap();
    let range = server
        .at("textDocument/prepareRename", &cursor, json!({}))
        .await;
    assert_eq!(range["start"], json!({ "line": 1, "character": 12 }));
    let edit = server
        .at(
            "textDocument/rename",
            &cursor,
            json!({ "newName": "NamedPipes" }),
        )
        .await;
    assert_eq!(edit["changes"].as_object().unwrap().len(), 2);
    let (mut server, cursor) = TestServer::new(PIPES).await;
    let refused = server
        .at("textDocument/prepareRename", &cursor.unwrap(), json!({}))
        .await;
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("bundled stdlib"));
}

#[tokio::test]
async fn symbols_of_a_document_and_of_the_workspace() {
    let (mut server, _) = TestServer::new(PIPES).await;
    let symbols = server
        .request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri("channels/pipes.ward") } }),
        )
        .await;
    assert_eq!(symbols[0]["name"], "Pipes");
    assert_eq!(symbols[0]["children"][0]["name"], "a");
    let found = server
        .request("workspace/symbol", json!({ "query": "pipe" }))
        .await;
    let names = labels(&Value::Array(
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|s| json!({ "label": s["name"] }))
            .collect(),
    ));
    assert!(names.contains(&"Pipes".to_string()), "{names:?}");
    assert!(names.contains(&"IpcNamedPipe".to_string()), "{names:?}");
}

#[tokio::test]
async fn semantic_tokens_are_relative_and_classified() {
    let (mut server, _) = TestServer::new(PIPES).await;
    let tokens = server
        .request(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": uri("tests/pipes.ward") } }),
        )
        .await;
    let data: Vec<u64> = tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(data.len() % 5, 0);
    // `test` `"pipes"` `{`: the keyword, then the string 5 units further.
    assert_eq!(&data[..10], &[0, 0, 4, 0, 0, 0, 5, 7, 3, 0]);
    // `pipe_name` and `is_remote` are fields (property, index 8); the second comes after
    // "café 😀", counted in UTF-16 units.
    let fields: Vec<_> = data
        .chunks(5)
        .scan((0, 0), |pos, t| {
            *pos = if t[0] == 0 {
                (pos.0, pos.1 + t[1])
            } else {
                (pos.0 + t[0], t[1])
            };
            Some((*pos, t[2], t[3]))
        })
        .filter(|(_, len, kind)| *len == 9 && *kind == 8)
        .map(|f| f.0)
        .collect();
    assert_eq!(fields, [(2, 12), (2, 34)]);
}

#[tokio::test]
async fn inlay_hints_give_field_numbers() {
    let (mut server, _) = TestServer::new(PIPES).await;
    let hints = server
        .request(
            "textDocument/inlayHint",
            json!({
                "textDocument": { "uri": uri("channels/pipes.ward") },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } }
            }),
        )
        .await;
    let hints = hints.as_array().unwrap();
    assert_eq!(hints.len(), 2);
    assert_eq!(hints[0]["label"], " #1");
    assert_eq!(hints[0]["position"], json!({ "line": 5, "character": 17 }));
    assert_eq!(hints[1]["label"], " #8");
}

#[tokio::test]
async fn code_action_stops_targeting_the_sensor_that_lacks_the_field() {
    let (mut server, _) = TestServer::new(CHANNEL_291).await;
    let file = uri("channels/pipes.ward");
    let actions = server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": file },
                "range": { "start": { "line": 6, "character": 10 }, "end": { "line": 6, "character": 10 } },
                "context": { "diagnostics": [] }
            }),
        )
        .await;
    let action = &actions[0];
    assert_eq!(action["title"], "stop targeting `windows_7_11`");
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["diagnostics"][0]["code"], "E0300");
    let edits = &action["edit"]["changes"][file.as_str()];
    assert_eq!(edits[0]["newText"], "targets [windows_7_12]");
}

#[tokio::test]
async fn stdlib_files_are_served_by_ward_stdlib() {
    let (mut server, _) = TestServer::new(PIPES).await;
    let text = server
        .request(
            "ward/stdlib",
            json!({ "uri": "ward-stdlib:///windows.ward" }),
        )
        .await;
    assert!(text.as_str().unwrap().contains("template IpcNamedPipe"));
}

#[tokio::test]
async fn with_a_stdlib_folder_definitions_land_in_its_files() {
    let (clean, _) = support::cursor(PIPES);
    let fs = MemoryFs::from_fixture(std::path::Path::new(support::ROOT), &clean);
    let dir = std::path::Path::new("/cache/ward/stdlib-0123");
    let mut server = TestServer::with_stdlib_dir(Arc::new(fs), Some(dir));
    server.initialize().await;
    let pipes = uri("channels/pipes.ward");
    // `IpcNamedPipe` on the channel's `template` line.
    let at =
        json!({ "textDocument": { "uri": pipes }, "position": { "line": 2, "character": 16 } });
    let def = server.request("textDocument/definition", at).await;
    let windows =
        tower_lsp_server::ls_types::Uri::from_file_path(dir.join("windows.ward")).unwrap();
    assert_eq!(def["uri"], windows.as_str(), "{def}");
    // The client opens that file and asks about it: the server knows it as the stdlib's
    // and neither takes it for a project file nor warns about it.
    let text = ward_compiler::stdlib::FILES
        .iter()
        .find(|(name, _)| *name == "windows.ward")
        .unwrap()
        .1;
    server.open(&windows, text).await;
    let line = def["range"]["start"]["line"].clone();
    let at = json!({ "textDocument": { "uri": windows }, "position": { "line": line, "character": 10 } });
    let hover = server.request("textDocument/hover", at).await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("IpcNamedPipe"),
        "{hover}"
    );
    assert!(server
        .log_messages()
        .await
        .iter()
        .all(|m| !m.contains("not in a Ward project")));
}

#[tokio::test]
async fn garbage_and_half_typed_text_get_answers_not_crashes() {
    let (mut server, _) = TestServer::new(PIPES).await;
    let file = uri("channels/garbage.ward");
    let garbage =
        "channel { instance ] == [ \"open\n template 12 = ::: café 😀 }}}} [[ r#\"\n\u{0}\u{7f}";
    server.open(&file, garbage).await;
    assert!(!server.diagnostics(&file).await.is_empty());
    for line in 0..4 {
        for character in [0, 3, 9, 17, 40, 200] {
            let at = json!({ "textDocument": { "uri": file }, "position": { "line": line, "character": character } });
            for method in [
                "textDocument/hover",
                "textDocument/completion",
                "textDocument/definition",
            ] {
                let answer = server.request(method, at.clone()).await;
                assert!(answer.get("error").is_none(), "{method}: {answer}");
            }
        }
    }
}

#[tokio::test]
async fn a_huge_buffer_is_refused_with_a_diagnostic() {
    let (mut server, _) = TestServer::new(PIPES).await;
    let file = uri("channels/huge.ward");
    let huge = "// padding\n".repeat(800_000);
    server.open(&file, &huge).await;
    let diagnostics = server.diagnostics(&file).await;
    assert_eq!(diagnostics[0]["code"], "E0011");
}

#[tokio::test]
async fn a_file_deleted_while_open_is_checked_from_its_buffer_until_closed() {
    // The base file system holds only the manifest: the file exists only in the editor.
    let fs = MemoryFs::from_fixture(std::path::Path::new(support::ROOT), support::MANIFEST);
    let mut server = TestServer::over(Arc::new(fs));
    server.initialize().await;
    let file = uri("channels/pipes.ward");
    server.open(&file, &support::split(CHANNEL_291)[0].1).await;
    assert_eq!(server.diagnostics(&file).await[0]["code"], "E0300");
    server
        .notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": file } }),
        )
        .await;
    assert!(server.diagnostics(&file).await.is_empty());
}

#[tokio::test]
async fn requests_for_files_outside_the_project_answer_nothing() {
    let (mut server, _) = TestServer::new(PIPES).await;
    let at = json!({ "textDocument": { "uri": "file:///elsewhere/x.ward" }, "position": { "line": 0, "character": 0 } });
    assert_eq!(server.request("textDocument/hover", at).await, Value::Null);
}

#[tokio::test]
async fn formatting_gives_the_formatter_layout_and_leaves_broken_files_alone() {
    let messy = "channel   Pipes = 291 {\nversion 1\n  template IpcNamedPipe\n targets [ windows_7_12 ]\n instance a = 1 { pipe_name contains \"x\"\n severity high }\n}\n";
    let (mut server, _) = TestServer::new(&format!("//- channels/pipes.ward\n{messy}")).await;
    let file = uri("channels/pipes.ward");
    let params = json!({ "textDocument": { "uri": file }, "options": { "tabSize": 4, "insertSpaces": true } });
    let edits = server
        .request("textDocument/formatting", params.clone())
        .await;
    let expected = ward_compiler::format::format(messy).unwrap();
    assert_ne!(expected, messy);
    assert_eq!(edits[0]["newText"], expected.as_str());
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    server.open(&file, "channel Pipes = 291 {\n").await;
    assert_eq!(
        server.request("textDocument/formatting", params).await,
        Value::Null
    );
}

#[tokio::test]
async fn without_a_project_requests_answer_nothing_and_the_reason_is_logged_once() {
    let mut server = TestServer::over(Arc::new(MemoryFs::new()));
    server.initialize().await;
    let at = json!({ "textDocument": { "uri": "file:///none/x.ward" }, "position": { "line": 0, "character": 0 } });
    for _ in 0..3 {
        assert_eq!(
            server.request("textDocument/hover", at.clone()).await,
            Value::Null
        );
    }
    let logs = server.log_messages().await;
    assert_eq!(
        logs.iter().filter(|m| m.contains("no Ward.toml")).count(),
        1,
        "{logs:?}"
    );
}

/// The server's diagnostics after each incremental edit of a sequence (buffers edited in
/// place, the analysis and the remembered regex checks kept between edits) are exactly
/// those of a full check of the same text from scratch, as `ward check` makes it.
#[tokio::test]
async fn diagnostics_after_each_edit_equal_a_full_check() {
    let start = r#"channel Pipes = 291 {
    version 1
    template IpcNamedPipe
    targets [windows_7_11, windows_7_12]
    instance a = 1 {
        pipe_name matches "^agent_[0-9]+$"
        severity high
    }
    instance b = 2 {
        client_image glob "C:\\Tools\\*"
        severity low
    }
}
"#;
    // Each edit replaces the first occurrence of a text: broken and fixed regexes, the
    // channel-291 criterion, typos, a deleted brace, and back.
    let edits = [
        ("^agent_[0-9]+$", "^agent_([0-9]+$"),
        ("severity low", "severity lwo"),
        ("^agent_([0-9]+$", "^agent_[0-9]+$"),
        (
            "severity high\n",
            "severity high\n        pipe_sddl contains \"WD\"\n",
        ),
        ("severity lwo", "severity low"),
        (
            "targets [windows_7_11, windows_7_12]",
            "targets [windows_7_12]",
        ),
        ("    }\n}\n", "    \n}\n"),
        ("    \n}\n", "    }\n}\n"),
        ("^agent_[0-9]+$", "(?i)^agent_[0-9]+$"),
        ("(?i)^agent_[0-9]+$", "^agent_([0-9]+$"),
    ];
    let fixture = format!("//- channels/pipes.ward\n{start}");
    let (mut server, _) = TestServer::new(&fixture).await;
    let file = uri("channels/pipes.ward");
    let mut text = start.to_string();
    server.open(&file, &text).await;
    server.diagnostics(&file).await;
    let mut with_errors = 0;
    for (version, (from, to)) in (2..).zip(edits) {
        let at = text
            .find(from)
            .unwrap_or_else(|| panic!("{from:?} in {text}"));
        let lines = ward_lsp::LineIndex::new(&text);
        let range = json!({ "start": lines.position(at), "end": lines.position(at + from.len()) });
        text.replace_range(at..at + from.len(), to);
        server
            .notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": file, "version": version },
                    "contentChanges": [{ "range": range, "text": to }] }),
            )
            .await;
        let published = server.diagnostics(&file).await;
        with_errors += usize::from(!published.is_empty());

        let (clean, _) = support::cursor(&format!("//- channels/pipes.ward\n{text}"));
        let fs = MemoryFs::from_fixture(std::path::Path::new(support::ROOT), &clean);
        let project =
            ward_compiler::project::load(&fs, std::path::Path::new(support::ROOT)).unwrap();
        let analysis = ward_compiler::ide::Analysis::from_project(project);
        let full = ward_lsp::diagnostics(
            &analysis,
            ward_lsp::Uris { stdlib_dir: None },
            ward_lsp::DIAGNOSTICS_DOCS,
        );
        let full = full
            .into_iter()
            .find(|(u, _)| *u == file)
            .map(|(_, list)| serde_json::to_value(list).unwrap())
            .unwrap();
        assert_eq!(
            Value::Array(published),
            full,
            "after edit {version}: {from:?} -> {to:?}\n{text}"
        );
    }
    // The sequence goes through broken states, not only clean ones.
    assert!(with_errors >= 6, "only {with_errors} edits left errors");
}
