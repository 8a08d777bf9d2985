//! The IDE features over small fixtures: `//- path` headers split files, `$0` marks the
//! cursor.

use std::path::Path;

use ward_compiler::ide::{Analysis, CompletionKind, DefKind, RenameError, TokenKind};
use ward_compiler::io::MemoryFs;
use ward_compiler::{project, FileId, Span};

const ROOT: &str = "/p";
const MANIFEST: &str = "//- Ward.toml\n[project]\nname = \"t\"\n";

/// The analysis of a fixture, the file holding the cursor and the cursor's offset.
fn fixture(text: &str) -> (Analysis, FileId, usize) {
    let full = format!("{MANIFEST}{text}");
    let mut cursor = None;
    let mut path = String::new();
    let mut offset = 0;
    for line in full.split_inclusive('\n') {
        if let Some(p) = line.strip_prefix("//- ") {
            path = p.trim().to_string();
            offset = 0;
            continue;
        }
        if let Some(at) = line.find("$0") {
            cursor = Some((path.clone(), offset + at));
        }
        offset += line.replace("$0", "").len();
    }
    let root = Path::new(ROOT);
    let fs = MemoryFs::from_fixture(root, &full.replace("$0", ""));
    let project = project::load(&fs, root).unwrap();
    let analysis = Analysis::from_project(project);
    let (path, offset) = cursor.unwrap_or_default();
    let file = analysis
        .sources()
        .find_path(&root.join(&path))
        .map_or(FileId(0), |s| s.id);
    (analysis, file, offset)
}

fn labels(a: &Analysis, file: FileId, offset: usize) -> Vec<String> {
    a.completions(file, offset)
        .items
        .into_iter()
        .map(|c| c.label)
        .collect()
}

const PIPES: &str = r#"//- channels/pipes.ward
channel Pipes = 291 {
    version 1
    template IpcNamedPipe
    targets [windows_7_11, windows_7_12]
    instance a = 1 {
        pipe_name contains "x"
        client_integrity in [untrusted, low]
        severity high
    }
}
"#;

fn with_cursor(text: &str, needle: &str) -> String {
    text.replacen(needle, &format!("{needle}$0"), 1)
}

#[test]
fn hover_on_a_criterion_field_shows_number_type_doc_and_suppliers() {
    let (a, file, offset) = fixture(&with_cursor(PIPES, "pipe_na"));
    let hover = a.hover(file, offset).unwrap();
    let md = &hover.markdown;
    assert!(md.contains("1 pipe_name: string"), "{md}");
    assert!(
        md.contains("Field 1 of `IpcNamedPipe`, type `string`"),
        "{md}"
    );
    assert!(md.contains("Full pipe name"), "{md}");
    assert!(md.contains("Supplied by"), "{md}");
    assert!(md.contains("`windows_7_11` (1..=20)"), "{md}");
}

#[test]
fn hover_on_field_21_says_which_sensor_does_not_supply_it() {
    let text = PIPES.replace("pipe_name contains", "pipe_sddl contains");
    let (a, file, offset) = fixture(&with_cursor(&text, "pipe_sd"));
    let md = a.hover(file, offset).unwrap().markdown;
    assert!(md.contains("**Not supplied** by"), "{md}");
    assert!(md.contains("`windows_7_11` (1..=20)"), "{md}");
}

#[test]
fn hover_on_items_shows_declaration_and_docs() {
    let (a, file, offset) = fixture(&with_cursor(PIPES, "template IpcNamed"));
    let md = a.hover(file, offset).unwrap().markdown;
    assert!(md.contains("template IpcNamedPipe = 11"), "{md}");
    assert!(md.contains("A client connecting to a named pipe"), "{md}");
    let (a, file, offset) = fixture(&with_cursor(PIPES, "[untrus"));
    let md = a.hover(file, offset).unwrap().markdown;
    assert!(md.contains("Integrity::untrusted = 0"), "{md}");
    let (a, file, offset) = fixture(&with_cursor(PIPES, "windows_7_1"));
    let md = a.hover(file, offset).unwrap().markdown;
    assert!(md.contains("sensor windows_7_11"), "{md}");
    assert!(md.contains("Supplies `IpcNamedPipe` inputs 1..=20"), "{md}");
}

#[test]
fn hover_after_non_ascii_text_finds_the_name() {
    let text = PIPES.replace("    version 1", "    // café 😀\n    version 1");
    let (a, file, offset) = fixture(&with_cursor(&text, "client_integ"));
    assert!(a.hover(file, offset).unwrap().markdown.contains("Field 5"));
}

#[test]
fn completion_in_an_instance_offers_fields_and_keywords() {
    let text = PIPES.replace(
        "        severity high\n",
        "        $0\n        severity high\n",
    );
    let (a, file, offset) = fixture(&text);
    let got = labels(&a, file, offset);
    assert!(got.contains(&"pipe_name".to_string()), "{got:?}");
    assert!(got.contains(&"pipe_sddl".to_string()), "{got:?}");
    assert!(got.contains(&"severity".to_string()), "{got:?}");
    assert!(!got.contains(&"channel".to_string()), "{got:?}");
}

#[test]
fn completion_after_a_field_offers_the_operators_of_its_type() {
    let text = PIPES.replace("severity high\n", "is_remote $0\n        severity high\n");
    let (a, file, offset) = fixture(&text);
    assert_eq!(labels(&a, file, offset), ["==", "!="]);
    let text = PIPES.replace(
        "severity high\n",
        "client_image not $0\n        severity high\n",
    );
    let (a, file, offset) = fixture(&text);
    let got = labels(&a, file, offset);
    assert!(
        got.contains(&"glob".to_string()) && got.contains(&"in".to_string()),
        "{got:?}"
    );
    assert!(!got.contains(&"not glob".to_string()), "{got:?}");
}

#[test]
fn completion_after_an_operator_offers_values() {
    let text = PIPES.replace(
        "severity high\n",
        "client_integrity == $0\n        severity high\n",
    );
    let (a, file, offset) = fixture(&text);
    assert_eq!(
        labels(&a, file, offset),
        ["untrusted", "low", "medium", "high", "system"]
    );
    let text = PIPES.replace(
        "severity high\n",
        "is_remote == f$0\n        severity high\n",
    );
    let (a, file, offset) = fixture(&text);
    let c = a.completions(file, offset);
    assert_eq!(c.items.len(), 2);
    assert_eq!(c.span, Span::new(offset - 1, offset));
    let (a, file, offset) = fixture(&with_cursor(PIPES, "[untrusted, "));
    assert!(labels(&a, file, offset).contains(&"system".to_string()));
}

#[test]
fn completion_of_names_where_they_fit() {
    let text = PIPES.replace("template IpcNamedPipe", "template Ipc$0");
    let (a, file, offset) = fixture(&text);
    let c = a.completions(file, offset);
    assert!(c.items.iter().all(|c| c.kind == CompletionKind::Template));
    assert!(c.items.iter().any(|c| c.label == "ProcessStart"));
    let (a, file, offset) = fixture(&with_cursor(PIPES, "targets [windows_7_11, "));
    let got = labels(&a, file, offset);
    assert!(got.contains(&"windows_7_9".to_string()) || got.contains(&"windows_7_12".to_string()));
    assert!(!got.contains(&"windows_7_11".to_string()), "{got:?}");
    assert!(got.iter().all(|s| !s.starts_with("linux")), "{got:?}");
}

#[test]
fn completion_in_tests_offers_channels_fields_and_instances() {
    let test = format!("{PIPES}//- tests/t.ward\ntest \"x\" {{\n    channel Pi$0\n}}\n");
    let (a, file, offset) = fixture(&test);
    assert_eq!(
        labels(&a, file, offset)
            .iter()
            .filter(|l| *l == "Pipes")
            .count(),
        1
    );
    let test = format!(
        "{PIPES}//- tests/t.ward\ntest \"x\" {{\n    channel Pipes\n    event {{ is_remote: true, $0 }}\n    expect [a]\n}}\n"
    );
    let (a, file, offset) = fixture(&test);
    assert!(labels(&a, file, offset).contains(&"pipe_name".to_string()));
    let test = format!(
        "{PIPES}//- tests/t.ward\ntest \"x\" {{\n    channel Pipes\n    event {{ is_remote: true }}\n    expect [$0]\n}}\n"
    );
    let (a, file, offset) = fixture(&test);
    assert_eq!(labels(&a, file, offset), ["a"]);
}

#[test]
fn completion_of_keywords_and_nothing_in_strings_or_comments() {
    let (a, file, offset) = fixture("//- c.ward\n$0\n");
    assert_eq!(
        labels(&a, file, offset),
        ["enum", "template", "sensor", "channel", "test"]
    );
    let (a, file, offset) = fixture(&with_cursor(PIPES, "contains \"x"));
    assert!(labels(&a, file, offset).is_empty());
    let (a, file, offset) = fixture("//- c.ward\n// a comment $0\n");
    assert!(labels(&a, file, offset).is_empty());
}

#[test]
fn completion_works_in_a_file_that_does_not_parse() {
    let text = "//- c.ward\nchannel X = 1 {\n    template IpcNamedPipe\n    instance i = 1 {\n        client_integrity in [$0\n";
    let (a, file, offset) = fixture(text);
    assert!(labels(&a, file, offset).contains(&"low".to_string()));
}

#[test]
fn definition_and_references_cross_files() {
    let text = format!(
        "{PIPES}//- tests/t.ward\ntest \"x\" {{\n    channel Pipes\n    event {{ pipe_name: \"x\" }}\n    expect [a$0]\n}}\n"
    );
    let (a, file, offset) = fixture(&text);
    let def = a.definition(file, offset).unwrap();
    assert_ne!(def.file, file);
    assert_eq!(
        &a.sources().get(def.file).text[def.span.start..def.span.end],
        "a"
    );
    assert_eq!(a.references(file, offset, true).len(), 2);
    assert_eq!(a.references(file, offset, false).len(), 1);
    // The field is used in the channel and the test, and declared in the stdlib.
    let (a, file, offset) = fixture(&with_cursor(&text.replace("$0", ""), "event { pipe_"));
    assert_eq!(a.references(file, offset, false).len(), 2);
}

#[test]
fn rename_changes_every_use_and_refuses_stdlib_and_bad_names() {
    let text = format!(
        "{PIPES}//- tests/t.ward\ntest \"x\" {{\n    channel Pip$0es\n    event {{ pipe_name: \"x\" }}\n    expect [a]\n}}\n"
    );
    let (a, file, offset) = fixture(&text);
    let edits = a.rename(file, offset, "PipeChannel").unwrap();
    assert_eq!(edits.len(), 2);
    assert!(edits.iter().all(|e| e.text == "PipeChannel"));
    assert_eq!(
        a.prepare_rename(file, offset).unwrap().span.end
            - a.prepare_rename(file, offset).unwrap().span.start,
        5
    );
    assert!(matches!(
        a.rename(file, offset, "template"),
        Err(RenameError::InvalidName(_))
    ));
    assert!(matches!(
        a.rename(file, offset, "a b"),
        Err(RenameError::InvalidName(_))
    ));
    assert!(matches!(
        a.rename(file, offset, "IpcNamedPipe"),
        Err(RenameError::Taken { .. })
    ));
    let (a, file, offset) = fixture(&with_cursor(PIPES, "pipe_na"));
    assert_eq!(
        a.prepare_rename(file, offset),
        Err(RenameError::Stdlib("pipe_name".into()))
    );
}

#[test]
fn symbols_outline_the_file_and_search_the_workspace() {
    let (a, file, _) = fixture(&with_cursor(PIPES, "Pipes"));
    let symbols = a.document_symbols(file);
    assert_eq!(symbols.len(), 1);
    assert_eq!(symbols[0].kind, DefKind::Channel);
    assert_eq!(symbols[0].children[0].name, "a");
    let found = a.workspace_symbols("ipcnamed");
    assert!(found.iter().any(|s| s.name == "IpcNamedPipe"));
    assert!(found.iter().all(|s| s.name.to_lowercase().contains("ipc")));
}

#[test]
fn semantic_tokens_tell_fields_variants_and_sensors_apart() {
    let (a, file, _) = fixture(&with_cursor(PIPES, "Pipes"));
    let text = &a.sources().get(file).text;
    let kind_of = |word: &str| {
        let start = text.find(word).unwrap();
        a.semantic_tokens(file)
            .into_iter()
            .find(|t| t.span.start == start)
            .map(|t| t.kind)
    };
    assert_eq!(kind_of("pipe_name"), Some(TokenKind::Field));
    assert_eq!(kind_of("untrusted"), Some(TokenKind::Variant));
    assert_eq!(kind_of("windows_7_11"), Some(TokenKind::Sensor));
    assert_eq!(kind_of("IpcNamedPipe"), Some(TokenKind::Type));
    assert_eq!(kind_of("contains"), Some(TokenKind::Operator));
    let tokens = a.semantic_tokens(file);
    assert!(tokens.windows(2).all(|w| w[0].span.end <= w[1].span.start));
}

#[test]
fn inlay_hints_number_each_criterion_field() {
    let (a, file, _) = fixture(&with_cursor(PIPES, "Pipes"));
    let text = &a.sources().get(file).text;
    let hints = a.inlay_hints(file, Span::new(0, text.len()));
    let labels: Vec<&str> = hints.iter().map(|h| h.label.as_str()).collect();
    assert_eq!(labels, [" #1", " #5"]);
    assert_eq!(
        hints[0].offset,
        text.find("pipe_name").unwrap() + "pipe_name".len()
    );
}

#[test]
fn code_actions_offer_the_fixes_of_diagnostics() {
    let text = PIPES.replace("pipe_name contains", "pipe_sddl contains");
    let (a, file, _) = fixture(&with_cursor(&text, "Pipes"));
    let at = a.sources().get(file).text.find("pipe_sddl").unwrap();
    let actions = a.code_actions(file, Span::new(at, at));
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].title, "stop targeting `windows_7_11`");
    assert_eq!(actions[0].edits[0].text, "targets [windows_7_12]");
    let text = PIPES.replace("        severity high\n", "");
    let (a, file, _) = fixture(&with_cursor(&text, "Pipes"));
    let at = a.sources().get(file).text.find("instance a").unwrap() + 9;
    let actions = a.code_actions(file, Span::new(at, at));
    assert_eq!(actions[0].title, "add `severity medium`");
}

#[test]
fn every_feature_survives_garbage() {
    let garbage = "//- g.ward\nchannel { instance ] == [ \"unterminated\n template 12 = ::: café 😀 $0 }}}} [[ r#\"\n";
    let (a, file, offset) = fixture(garbage);
    let len = a.sources().get(file).text.len();
    for at in 0..=len {
        let _ = a.hover(file, at);
        let _ = a.completions(file, at);
        let _ = a.definition(file, at);
        let _ = a.references(file, at, true);
        let _ = a.prepare_rename(file, at);
    }
    let _ = a.semantic_tokens(file);
    let _ = a.document_symbols(file);
    assert!(!a.diagnostics().is_empty());
    assert!(offset <= len);
}
