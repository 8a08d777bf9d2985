//! The documentation is tested like code: every example of the language reference checks
//! as it says, and docs/diagnostics.md is generated from the codes and their cases.
//!
//! Run with `UPDATE_DOCS=1` to rewrite docs/diagnostics.md after changing a code or a case.

#![allow(clippy::disallowed_methods)] // tests read and regenerate docs on disk

mod support;

use std::fs;
use std::path::Path;

use ward_compiler::hir::Program;
use ward_compiler::project::stdlib_sources;
use ward_compiler::Code;
use ward_syntax::ast::{Item, SensorMember, TemplateMember};
use ward_syntax::FileId;

/// ```ward blocks of a Markdown file, with their info string.
fn ward_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            Some(_) if line.trim_start().starts_with("```") => blocks.extend(current.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {
                if let Some(info) = line.trim_start().strip_prefix("```ward") {
                    current = Some((info.trim().to_string(), String::new()));
                }
            }
        }
    }
    blocks
}

fn stdlib() -> Program {
    let checked = ward_compiler::check(&stdlib_sources());
    assert_eq!(checked.diagnostics, vec![], "the stdlib checks cleanly");
    checked.program
}

/// Whether every declaration in `src` names something the stdlib declares: such a block
/// is an excerpt of the stdlib, shown to explain it, not new content.
fn is_excerpt(src: &str, std: &Program) -> bool {
    let parse = ward_syntax::parse(FileId(0), src);
    let declared = |name: &str| {
        std.enums.iter().any(|e| e.name == name)
            || std.templates.iter().any(|t| t.name == name)
            || std.sensors.iter().any(|s| s.name == name)
    };
    !parse.file.items.is_empty()
        && parse.file.items.iter().all(|item| match item {
            Item::Enum(d) => declared(&d.name.text),
            Item::Template(d) => declared(&d.name.text),
            Item::Sensor(d) => declared(&d.name.text),
            _ => false,
        })
}

/// An excerpt must parse and agree with the stdlib on everything it shows.
fn assert_excerpt_agrees(src: &str, std: &Program, doc: &str) {
    let parse = ward_syntax::parse(FileId(0), src);
    assert_eq!(
        parse.diagnostics,
        vec![],
        "{doc}: excerpt does not parse:\n{src}"
    );
    for item in &parse.file.items {
        match item {
            Item::Enum(d) => {
                let e = std.enums.iter().find(|e| e.name == d.name.text).unwrap();
                let shown: Vec<(String, Option<i128>)> = d
                    .variants
                    .iter()
                    .map(|v| (v.name.text.clone(), v.value.value))
                    .collect();
                let real: Vec<(String, Option<i128>)> = e
                    .variants
                    .iter()
                    .map(|v| (v.name.clone(), Some(v.value.into())))
                    .collect();
                assert_eq!(
                    shown, real,
                    "{doc}: enum {} differs from the stdlib",
                    e.name
                );
            }
            Item::Template(d) => {
                let t = std
                    .templates
                    .iter()
                    .find(|t| t.name == d.name.text)
                    .unwrap();
                assert_eq!(
                    d.id.value,
                    Some(t.id.into()),
                    "{doc}: template {} id",
                    t.name
                );
                for m in &d.members {
                    match m {
                        TemplateMember::Version(v, _) => {
                            assert_eq!(
                                v.value,
                                Some(t.version.into()),
                                "{doc}: {} version",
                                t.name
                            );
                        }
                        TemplateMember::Field(f) => {
                            let real = t
                                .fields
                                .iter()
                                .find(|x| Some(i128::from(x.number)) == f.number.value);
                            let real = real.unwrap_or_else(|| {
                                panic!("{doc}: {} has no field {:?}", t.name, f.number.value)
                            });
                            assert_eq!(
                                real.name, f.name.text,
                                "{doc}: {} field {}",
                                t.name, real.number
                            );
                            assert_eq!(
                                real.ty.name(std),
                                f.ty.text,
                                "{doc}: {} field {} type",
                                t.name,
                                real.number
                            );
                        }
                        TemplateMember::Error(_) => unreachable!(),
                    }
                }
            }
            Item::Sensor(d) => {
                let s = std.sensors.iter().find(|s| s.name == d.name.text).unwrap();
                for m in &d.members {
                    match m {
                        SensorMember::Platform(p, _) => assert_eq!(p.text, s.platform.as_str()),
                        SensorMember::Version(v, _) => assert_eq!(v.value, s.version),
                        SensorMember::Supplies(x) => {
                            let supply = s
                                .supplies
                                .iter()
                                .find(|y| std.template(y.template).name == x.template.text)
                                .unwrap_or_else(|| {
                                    panic!("{doc}: {} does not supply {}", s.name, x.template.text)
                                });
                            assert_eq!(
                                x.last.value,
                                Some(supply.last.into()),
                                "{doc}: {} supplies",
                                s.name
                            );
                        }
                        SensorMember::Error(_) => unreachable!(),
                    }
                }
            }
            _ => unreachable!("is_excerpt admits declarations of the stdlib only"),
        }
    }
}

/// Checks every example of a Markdown file: excerpts agree with the stdlib, blocks marked
/// `fails=CODE` fail with that code, and all other blocks check cleanly together.
fn check_examples(markdown: &str, doc: &str) {
    let std = stdlib();
    let mut together = String::new();
    let blocks = ward_blocks(markdown);
    assert!(!blocks.is_empty(), "{doc} has no ```ward examples");
    for (info, src) in &blocks {
        if let Some(code) = info.strip_prefix("fails=") {
            let code =
                Code::from_code(code).unwrap_or_else(|| panic!("{doc}: unknown code {code}"));
            let (_, _, diagnostics) = support::check_fixture(src);
            assert!(
                diagnostics.iter().any(|d| d.code == code),
                "{doc}: this example must fail with {code}:\n{src}\ngot {diagnostics:#?}"
            );
        } else if is_excerpt(src, &std) {
            assert_excerpt_agrees(src, &std, doc);
        } else {
            together.push_str(src);
        }
    }
    let (project, _, diagnostics) = support::check_fixture(&together);
    assert!(
        diagnostics.is_empty(),
        "{doc}: its examples must check cleanly:\n{}",
        support::rendered(&project, &diagnostics)
    );
}

#[test]
fn every_example_of_the_language_reference_checks() {
    let text = fs::read_to_string(support::repo().join("docs/language.md")).unwrap();
    check_examples(&text, "docs/language.md");
}

/// The design's own language page sits beside the repository in CI and in development.
#[test]
fn every_example_of_the_shared_language_page_checks() {
    let path = support::repo().join("../shared/LANGUAGE.md");
    match fs::read_to_string(&path) {
        Ok(text) => check_examples(&text, "shared/LANGUAGE.md"),
        Err(_) => eprintln!("{} is not beside this checkout; skipped", path.display()),
    }
}

fn diagnostics_md() -> String {
    let cases_dir = support::repo().join("snapshots/diagnostics");
    let mut cases: Vec<_> = fs::read_dir(&cases_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ward"))
        .collect();
    cases.sort();
    let mut out = String::from(
        "# Diagnostics\n\n\
         <!-- Generated by compiler/core/tests/docs.rs from the codes in compiler/syntax/src/code.rs\n\
         and the cases in snapshots/diagnostics/. Regenerate with UPDATE_DOCS=1 cargo test -p ward-compiler --test docs. -->\n\n\
         Every diagnostic has a stable code: `E` codes are errors (exit code 1, nothing is built),\n\
         `W` codes are warnings. Codes never change meaning once published. `ward explain CODE`\n\
         prints an entry of this page in the terminal.\n\n\
         Warnings have lint levels. In Ward.toml, `[lints]` sets a `W` code to `\"allow\"` (not\n\
         reported), `\"warn\"` (the default) or `\"deny\"` (an error: exit code 1, nothing is\n\
         built); `--deny-warnings` on `ward check`, `build` and `test` makes every warning left an\n\
         error. `E` codes have no level: content the runtime would refuse cannot be allowed.\n\
         The language server applies the same levels to what the editor shows.\n\n\
         ```toml\n\
         [lints]\n\
         W0001 = \"deny\"    # a redundant criterion fails CI\n\
         W0003 = \"allow\"   # duplicate test names are tolerated\n\
         ```\n\n\
         | code | title |\n| --- | --- |\n",
    );
    for code in Code::ALL {
        out.push_str(&format!(
            "| [{c}](#{l}) | {} |\n",
            code.title(),
            c = code.as_str(),
            l = code.as_str().to_lowercase()
        ));
    }
    for code in Code::ALL {
        out.push_str(&format!(
            "\n## {}\n\n**{}** ({})\n\n",
            code.as_str(),
            code.title(),
            code.severity().as_str()
        ));
        out.push_str(
            code.explanation()
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join("\n")
                .trim(),
        );
        out.push('\n');
        let example = cases.iter().find(|c| {
            c.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{}-", code.as_str()))
        });
        if let Some(case) = example {
            let src = fs::read_to_string(case).unwrap();
            let (project, _, diagnostics) = support::check_fixture(&src);
            let shown: Vec<_> = diagnostics
                .into_iter()
                .filter(|d| d.code == *code)
                .take(1)
                .collect();
            out.push_str(&format!(
                "\nExample ({}):\n\n```ward\n{}\n```\n\n```text\n{}```\n",
                Path::new("snapshots/diagnostics")
                    .join(case.file_name().unwrap())
                    .display(),
                src.trim_end().replace('\0', "\\0"),
                support::rendered(&project, &shown)
            ));
        }
    }
    out
}

#[test]
fn diagnostics_md_is_generated_from_the_codes() {
    let path = support::repo().join("docs/diagnostics.md");
    let want = diagnostics_md();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        fs::write(&path, &want).unwrap();
    }
    let have = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/diagnostics.md is out of date: run `UPDATE_DOCS=1 cargo test -p ward-compiler --test docs`"
    );
}
