//! What a person sees stays readable whatever the input: diagnostics capped per file with
//! a count of the rest, no line quoted whole when it is huge, a byte order mark accepted,
//! and one error per mistake. JSON keeps everything.

mod support;

use support::{check_fixture, rendered};
use ward_compiler::render::{self, MAX_SHOWN_PER_FILE};

/// A channel with `n` instances, each with one unknown field: `n` errors in one file.
fn many_errors(n: usize) -> String {
    let mut text = String::from(
        "channel C = 1 {\n    version 1\n    template ProcessStart\n    targets [windows_7_12]\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "    instance i{i} = {} {{\n        no_such_field == 1\n        severity low\n    }}\n",
            i + 1
        ));
    }
    text.push_str("}\n");
    text
}

#[test]
fn human_output_is_capped_per_file_and_json_keeps_every_diagnostic() {
    let (project, _, diagnostics) = check_fixture(&many_errors(300));
    assert_eq!(diagnostics.len(), 300);
    let out = rendered(&project, &diagnostics);
    assert_eq!(out.matches("[E0101] Error").count(), MAX_SHOWN_PER_FILE);
    assert!(
        out.contains(&format!(
            "... and {} more diagnostics in main.ward not shown",
            300 - MAX_SHOWN_PER_FILE
        )),
        "{out}"
    );
    assert!(out.trim_end().ends_with("300 errors"), "{out}");
    let json = render::json(&project.sources, &diagnostics);
    assert_eq!(json.as_array().unwrap().len(), 300);
    // Under the cap nothing is said about a rest.
    let (project, _, diagnostics) = check_fixture(&many_errors(3));
    assert!(!rendered(&project, &diagnostics).contains("more diagnostics"));
}

#[test]
fn a_huge_line_is_located_not_quoted() {
    let long = "x".repeat(1_000_000);
    let text = format!("channel C = 1 {{ version 1 template ProcessStart targets [windows_7_12] instance i = 1 {{ {long} == 1 severity low }} }}\n");
    let (project, _, diagnostics) = check_fixture(&text);
    assert!(!diagnostics.is_empty());
    let out = rendered(&project, &diagnostics);
    assert!(out.len() < 10_000, "{} bytes of output", out.len());
    assert!(out.contains("main.ward:1:"), "{out}");
    assert!(out.contains("(a window of a long line)"), "{out}");
    // The window shows the mistake with its neighbourhood, cut on both sides, and marks it.
    let window = format!("instance i = 1 {{ {}…\n", "x".repeat(render::WINDOW * 2));
    assert!(out.contains(&window), "{out}");
    assert!(out.contains(&"^".repeat(render::WINDOW)), "{out}");
}

#[test]
fn duplicate_tags_on_one_long_line_print_windows_not_the_line_each_time() {
    // 20 KB of source on one line, a warning per repeated tag: each warning once quoted
    // the whole line (321 MB of output for this file).
    let tags = vec!["\"attack.t1059\""; 1500].join(", ");
    let text = format!("channel C = 1 {{ version 1 template ProcessStart targets [windows_7_12] instance i = 1 {{ image ends_with \"x\" severity low tags [{tags}] }} }}\n");
    assert!(text.len() > 20_000);
    let (project, _, diagnostics) = check_fixture(&text);
    let warnings = diagnostics.iter().filter(|d| !d.is_error()).count();
    assert_eq!(warnings, 1499, "{:?}", diagnostics.first());
    let out = rendered(&project, &diagnostics);
    assert!(out.len() < 50_000, "{} bytes of output", out.len());
    assert!(out.contains("attack.t1059"), "{out}");
}

#[test]
fn a_byte_order_mark_is_not_content() {
    let text = "\u{feff}channel C = 1 {\n    version 1\n    template ProcessStart\n    targets [windows_7_12]\n    instance i = 1 {\n        image ends_with \"x\"\n        severity low\n    }\n}\n";
    let (project, _, diagnostics) = check_fixture(text);
    assert!(
        diagnostics.is_empty(),
        "{}",
        rendered(&project, &diagnostics)
    );
}

#[test]
fn an_unterminated_string_is_one_error_on_its_line_wherever_the_next_quote_is() {
    // Whatever follows the line, the one error is where the string began.
    for rest in [
        "",
        "        image ends_with \"a\"\n",
        "tags [\"a\", \"b\"]\n\"\n",
    ] {
        let text = format!("channel C = 1 {{\n    version 1\n    template ProcessStart\n    targets [windows_7_12]\n    instance i = 1 {{\n        image ends_with \"cmd.exe\n{rest}        severity low\n    }}\n}}\n");
        let (project, _, diagnostics) = check_fixture(&text);
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
        let out = rendered(&project, &diagnostics);
        assert!(!errors.is_empty(), "{out}");
        let first = errors[0].location().unwrap();
        assert_eq!(
            project.sources.get(first.file).line_col(first.span.start),
            (6, 25),
            "{out}"
        );
        assert_eq!(errors[0].code.as_str(), "E0002", "{out}");
    }
}
