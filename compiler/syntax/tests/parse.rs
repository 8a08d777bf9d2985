//! Parser behaviour seen from outside: what parses, what recovers, what never panics.

use proptest::prelude::*;
use ward_syntax::ast::{ChannelMember, InstanceMember, Item, TemplateMember};
use ward_syntax::{parse, parse_capped, Code, FileId, MAX_SYNTAX_ERRORS};

const FILE: FileId = FileId(0);

const CHANNEL: &str = r#####"
/// Named-pipe abuse.
channel NamedPipeDetections = 291 {
    version 42                      // content version
    template IpcNamedPipe
    targets [windows_7_11, windows_7_12]

    /// Default pipe names of a common post-exploitation framework.
    instance cs_default_pipe = 1001 {
        pipe_name matches r"^\\\\\.\\pipe\\(msagent_|postex_|status_)[0-9a-f]{2,4}$"
        is_remote == false
        severity high
        tags ["attack.t1570"]
    }

    instance mojo_from_untrusted = 1002 {
        pipe_name glob r"\\.\pipe\mojo.*"
        client_image not glob r"C:\Program Files\Google\Chrome\*"
        client_integrity in [untrusted, low]
        severity medium
        action prevent
    }
}
"#####;

#[test]
fn a_channel_parses_with_docs_and_spans() {
    let p = parse(FILE, CHANNEL);
    assert_eq!(p.diagnostics, vec![]);
    let Item::Channel(c) = &p.file.items[0] else {
        panic!("expected a channel, got {:?}", p.file.items[0])
    };
    assert_eq!(c.doc.text.as_deref(), Some("Named-pipe abuse."));
    assert_eq!(c.id.value, Some(291));
    assert_eq!(
        &CHANNEL[c.name.span.start..c.name.span.end],
        "NamedPipeDetections"
    );
    let instances: Vec<_> = c
        .members
        .iter()
        .filter_map(|m| match m {
            ChannelMember::Instance(i) => Some(i),
            _ => None,
        })
        .collect();
    assert_eq!(instances.len(), 2);
    assert_eq!(
        instances[0].doc.text.as_deref(),
        Some("Default pipe names of a common post-exploitation framework.")
    );
    assert_eq!(instances[1].doc.text, None);
    let InstanceMember::Criterion(first) = &instances[0].members[0] else {
        panic!("expected a criterion")
    };
    assert_eq!(
        &CHANNEL[first.span.start..first.span.end],
        r#"pipe_name matches r"^\\\\\.\\pipe\\(msagent_|postex_|status_)[0-9a-f]{2,4}$""#
    );
}

#[test]
fn several_syntax_errors_are_all_reported_and_the_rest_still_parses() {
    let src = r#"
template T = 1 {
    version 1
    1 a: string
    2 b string
    3 c: u32
}
channel C = 2 {
    version = 3
    template T
    instance i = 1 { a == "x" severity }
}
enum E { a = 0 }
"#;
    let p = parse(FILE, src);
    let codes: Vec<_> = p.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::SyntaxError; 3], "{:#?}", p.diagnostics);
    assert_eq!(
        p.file.items.len(),
        3,
        "every item survives: {:#?}",
        p.file.items
    );
    let Item::Template(t) = &p.file.items[0] else {
        panic!()
    };
    let fields = t
        .members
        .iter()
        .filter(|m| matches!(m, TemplateMember::Field(_)))
        .count();
    assert_eq!(fields, 2, "fields before and after the broken one are kept");
}

#[test]
fn reserved_words_as_names_say_so() {
    let p = parse(FILE, "template T = 1 { version 1\n 1 action: string }");
    assert_eq!(p.diagnostics.len(), 1);
    assert!(
        p.diagnostics[0].notes[0].contains("`action` is a reserved word"),
        "{:?}",
        p.diagnostics[0]
    );
}

#[test]
fn lexical_errors_are_reported_once_each() {
    let p = parse(
        FILE,
        "enum E { a = 0 } @@@ \"never closed\nenum F { b = 1 }",
    );
    let codes: Vec<_> = p.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::InvalidToken, Code::InvalidToken]);
    let declared = p.file.items.iter().filter(|i| !matches!(i, Item::Error(_)));
    assert_eq!(
        declared.count(),
        2,
        "both enums survive: {:#?}",
        p.file.items
    );
}

#[test]
fn an_unterminated_string_is_one_error_and_still_ends_its_criterion() {
    let src =
        "channel C = 1 { version 1\n instance i = 2 {\n  a contains \"open\n  severity low\n } }";
    let p = parse(FILE, src);
    let codes: Vec<_> = p.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::InvalidToken], "{:#?}", p.diagnostics);
}

#[test]
fn one_syntax_error_per_line() {
    // `version` as a field name trips recovery twice on the same line.
    let p = parse(
        FILE,
        "template T = 1 {\n version 1\n 1 a: string\n 2 version: string\n}",
    );
    assert_eq!(p.diagnostics.len(), 1, "{:#?}", p.diagnostics);
    assert!(p.diagnostics[0].notes[0].contains("reserved word"));
}

#[test]
fn the_reserved_word_note_appears_only_where_a_name_was_wanted() {
    let p = parse(
        FILE,
        "channel C = 1 { instance i = 2 { a == \n severity low } }",
    );
    assert!(
        p.diagnostics.iter().all(|d| d.notes.is_empty()),
        "{:#?}",
        p.diagnostics
    );
}

#[test]
fn unclosed_blocks_at_end_of_file_do_not_lose_earlier_items() {
    let p = parse(
        FILE,
        "enum E { a = 0 }\nchannel C = 1 { version 1\n instance i = 2 { x ==",
    );
    assert!(!p.diagnostics.is_empty());
    assert!(matches!(p.file.items[0], Item::Enum(_)));
}

#[test]
fn deep_brackets_are_a_syntax_error_not_a_stack_overflow() {
    let src = format!(
        "channel C = 1 {{ instance i = 1 {{ x in {} }} }}",
        "[".repeat(200_000)
    );
    let p = parse(FILE, &src);
    assert!(p.diagnostics.iter().any(|d| d.code == Code::SyntaxError));
}

#[test]
fn syntax_errors_are_capped_per_file_and_reading_stops_at_the_cap() {
    // 50,000 mistakes in 100 KB (an unknown character on each line), as a generated or
    // binary file gives: the first ones are reported, and reading stops on the line after
    // the one that passes the cap, with a note saying where.
    let src = "@\n".repeat(50_000);
    let p = parse(FILE, &src);
    assert_eq!(p.diagnostics.len(), MAX_SYNTAX_ERRORS);
    let last = p.diagnostics.last().unwrap();
    assert_eq!(
        last.notes,
        vec![format!(
            "more syntax errors follow: reading stopped at line {} of 50000, so the rest of the file is not checked; fix these first",
            MAX_SYNTAX_ERRORS + 2
        )]
    );
    assert_eq!(p.stopped_at, Some((MAX_SYNTAX_ERRORS + 1) * 2));
    // The ones kept are the first, in source order: lines 1, 2, 3, ...
    let starts: Vec<usize> = p
        .diagnostics
        .iter()
        .map(|d| d.location().unwrap().span.start)
        .collect();
    assert_eq!(
        starts,
        (0..MAX_SYNTAX_ERRORS).map(|i| i * 2).collect::<Vec<_>>()
    );
    // Syntax errors among them are capped the same way.
    let p = parse(FILE, &"}\n@\n".repeat(25_000));
    assert_eq!(p.diagnostics.len(), MAX_SYNTAX_ERRORS);
    assert_eq!(p.diagnostics.last().unwrap().notes.len(), 1);
    // Under the cap the whole file is read and nothing is said about a rest.
    let p = parse(FILE, &"@\n".repeat(10));
    assert_eq!(p.diagnostics.len(), 10);
    assert_eq!(p.stopped_at, None);
    assert!(p.diagnostics.iter().all(|d| d.notes.is_empty()));
}

#[test]
fn reading_stops_at_the_cap_in_files_at_the_size_limit() {
    // The two 8 MiB files of compiler/core/benches/hostile.rs that took over a second:
    // the work done is bounded by the errors shown, not by the file. Counted, not timed:
    // reading stops within the first few hundred lines, and past a stop nothing was
    // lexed (no comment or error from there is kept).
    let limit = 8 << 20;
    for line in ["r#\"a\n", "}\n@\n"] {
        let mut src = line.repeat(limit / line.len());
        src.push_str("// a comment at the end\n");
        let p = parse(FILE, &src);
        let stop = p.stopped_at.expect("reading stops");
        assert!(stop < 4 * 1024, "{line:?}: stopped at byte {stop}");
        assert_eq!(p.diagnostics.len(), MAX_SYNTAX_ERRORS);
        assert!(p.comments.is_empty());
        // A prefix a little past the stop, read to its end without a cap, reports the
        // same first errors.
        let full = first(
            parse_capped(FILE, &src[..stop + 64], usize::MAX),
            MAX_SYNTAX_ERRORS,
        );
        assert_eq!(strip_last_note(p.diagnostics), full);
    }
}

/// The first `n` diagnostics of an uncapped parse, in source order (as a capped one keeps
/// them, and as the checker sorts them), without the last one's notes.
fn first(full: ward_syntax::Parse, n: usize) -> Vec<ward_syntax::Diagnostic> {
    let mut all = full.diagnostics;
    all.sort_by_key(|d| d.location().map(|l| l.span.start));
    all.truncate(n);
    strip_last_note(all)
}

/// Diagnostics without the last one's notes, where the capped and the full parse differ.
fn strip_last_note(mut diagnostics: Vec<ward_syntax::Diagnostic>) -> Vec<ward_syntax::Diagnostic> {
    if let Some(last) = diagnostics.last_mut() {
        last.notes.clear();
    }
    diagnostics
}

#[test]
fn many_unclosed_raw_strings_are_each_reported_once() {
    // Each unclosed `r#"` once scanned the rest of the file for its closing (quadratic
    // in the number of them); now each is an error on its own line, and a raw string that
    // does close after them still parses. Read to the end (no cap), to test the lexer.
    let n = 20_000;
    let src = format!(
        "{}channel C = 1 {{ instance i = 1 {{ x matches r#\"ok\"# }} }}\n",
        "r##\"a\"#\n".repeat(n)
    );
    let p = parse_capped(FILE, &src, usize::MAX);
    let unclosed = p
        .diagnostics
        .iter()
        .filter(|d| d.message == "unterminated raw string")
        .count();
    assert_eq!(unclosed, n);
    assert!(p.file.items.iter().any(|i| matches!(i, Item::Channel(_))));
}

const WORDS: &[&str] = &[
    "enum", "template", "sensor", "channel", "instance", "test", "version", "platform", "supplies",
    "targets", "severity", "action", "tags", "event", "expect", "in", "not", "glob", "matches",
    "within", "true", "false", "x", "Ipc", "1", "0x1f", "-3", "\"s\"", "r\"\\p\"", "r#\"q\"#", "{",
    "}", "[", "]", ",", ":", "=", "==", "!=", "<", "<=", ">", ">=", "..=", "-", "///doc\n",
    "//c\n", "\"\\q\"", "\"open", "@", "é",
];

proptest! {
    #[test]
    fn random_token_sequences_never_panic(tokens in proptest::collection::vec(0..WORDS.len(), 0..200)) {
        let src: Vec<&str> = tokens.iter().map(|&i| WORDS[i]).collect();
        let p = parse(FILE, &src.join(" "));
        for d in &p.diagnostics {
            prop_assert!(d.location().is_some(), "every diagnostic says where: {d:?}");
        }
    }

    /// The cap changes nothing but how far the file is read: the first `cap` diagnostics
    /// of a capped parse are those of a parse that reads everything, and the parse stops
    /// only when there are more.
    #[test]
    fn a_capped_parse_reports_the_first_errors_of_a_full_one(
        lines in proptest::collection::vec(proptest::collection::vec(0..WORDS.len(), 0..6), 0..40),
        cap in 1usize..6,
    ) {
        let src: Vec<String> = lines
            .iter()
            .map(|line| line.iter().map(|&i| WORDS[i]).collect::<Vec<_>>().join(" "))
            .collect();
        let src = src.join("\n");
        let capped = parse_capped(FILE, &src, cap);
        let full = parse_capped(FILE, &src, usize::MAX);
        prop_assert_eq!(full.stopped_at, None);
        if full.diagnostics.len() <= cap {
            prop_assert_eq!(capped.stopped_at, None);
            prop_assert_eq!(&capped.diagnostics, &full.diagnostics);
        } else {
            prop_assert_eq!(capped.diagnostics.len(), cap);
            prop_assert_eq!(strip_last_note(capped.diagnostics), first(full, cap));
        }
    }

    #[test]
    fn random_text_never_panics(src in "\\PC{0,300}") {
        let _ = parse(FILE, &src);
    }
}

/// The tree is held for the whole check, so the parser's member lists are kept at their
/// length, not at the doubled capacity they grew to (docs/performance.md).
#[test]
fn member_lists_hold_no_spare_capacity() {
    let instance = "    instance i = 1 {\n        a == 1\n        b == 2\n        c == 3\n        d == 4\n        severity low\n    }\n";
    let src = format!(
        "channel C = 1 {{\n    version 1\n{}}}\n",
        instance.repeat(5)
    );
    let parse = parse(FILE, &src);
    let Some(Item::Channel(channel)) = parse.file.items.first() else {
        panic!("no channel: {:?}", parse.diagnostics);
    };
    assert_eq!(channel.members.len(), 6);
    assert_eq!(channel.members.capacity(), channel.members.len());
    for member in &channel.members {
        if let ChannelMember::Instance(i) = member {
            assert_eq!((i.members.len(), i.members.capacity()), (5, 5));
        }
    }
}
