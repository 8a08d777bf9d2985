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

/// Checks `text` as `main.ward` with the stdlib (as the hostile bench does) and renders it,
/// returning what the renderer did and wrote.
fn render_counted(text: &str) -> (render::Rendered, String, usize) {
    let mut sources = ward_compiler::project::stdlib_sources();
    sources.add(
        "main.ward",
        None,
        text,
        ward_compiler::sources::Origin::Project,
    );
    let checked = ward_compiler::check(&sources);
    let mut out = Vec::new();
    let done = render::human_counted(&mut out, &sources, &checked.diagnostics, false)
        .expect("writing to memory");
    let json = render::json(&sources, &checked.diagnostics);
    let first_line = json[0]["line"].as_u64().expect("a line") as usize;
    (done, String::from_utf8(out).expect("UTF-8"), first_line)
}

#[test]
fn rendering_indexes_the_lines_it_quotes_not_the_files() {
    // The two 8 MiB files of compiler/core/benches/hostile.rs: ariadne once indexed the
    // whole file (every line, every character) beside `Sources::add`'s line table, which
    // was most of the second such a file took. Counted, not timed: what ariadne is given
    // is the quoted lines and a newline for each line before them (reading stops within
    // the first few hundred lines), not the 8 MiB.
    let limit = usize::try_from(ward_compiler::project::MAX_SOURCE_FILE).unwrap();
    for line in ["r#\"a\n", "}\n@\n"] {
        let (done, out, _) = render_counted(&line.repeat(limit / line.len()));
        assert_eq!(done.shown, MAX_SHOWN_PER_FILE, "{out}");
        assert!(
            done.indexed <= done.shown * 4096,
            "{line:?}: {} bytes indexed for {} diagnostics",
            done.indexed,
            done.shown
        );
    }
}

#[test]
fn a_quoted_line_far_into_a_file_keeps_its_line_number() {
    // The excerpt given to ariadne holds the quoted line, numbered as in the file (and as
    // JSON numbers it), not the file's text before it.
    let text = format!("{}@\n", "// padding\n".repeat(59_999));
    let (done, out, json_line) = render_counted(&text);
    assert_eq!(json_line, 60_000);
    assert!(out.contains("main.ward:60000:1"), "{out}");
    assert!(out.contains("60000 │ @"), "{out}");
    assert!(
        done.indexed < text.len() / 10,
        "{} bytes indexed",
        done.indexed
    );
    // Past MAX_QUOTED_LINE_NUMBER the place is a window of its line, with its number.
    let text = format!(
        "{}@\n",
        "// padding\n".repeat(render::MAX_QUOTED_LINE_NUMBER + 10)
    );
    let (done, out, json_line) = render_counted(&text);
    let line = render::MAX_QUOTED_LINE_NUMBER + 11;
    assert_eq!(json_line, line);
    assert!(out.contains(&format!("main.ward:{line}:1")), "{out}");
    assert!(out.contains("    | @"), "{out}");
    assert_eq!(done.indexed, 0);
}

#[test]
fn labels_far_apart_in_one_file_are_located_in_windows() {
    // Two instances with one id, 100 KB of comments between them: quoting from the first
    // label's line to the last would hand ariadne (and the reader) all of it, so each
    // place is shown as a window of its line instead.
    let instance = |name: &str| {
        format!("    instance {name} = 7 {{\n        image ends_with \"x\"\n        severity low\n    }}\n")
    };
    let text = format!(
        "channel C = 1 {{\n    version 1\n    template ProcessStart\n    targets [windows_7_12]\n{}{}{}}}\n",
        instance("a"),
        "    // padding\n".repeat(8_000),
        instance("b"),
    );
    let (done, out, _) = render_counted(&text);
    assert!(out.contains("[E0111] Error"), "{out}");
    assert!(out.contains("main.ward:5:"), "{out}");
    assert!(out.contains("main.ward:8009:"), "{out}");
    assert!(out.len() < 2_000, "{} bytes of output", out.len());
    assert!(
        done.indexed <= render::MAX_EXCERPT,
        "{} bytes indexed",
        done.indexed
    );
}
