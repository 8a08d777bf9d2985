//! The commands the README and the docs show stay true. A ```` ```console ```` block is a
//! session: each `$ ward ...` line is run from the repository's top folder and what it
//! prints (stdout, then stderr) must be the lines that follow it, trailing spaces aside.
//! Every `ward` command in a ```` ```sh ```` block must name a real subcommand and only
//! flags that its `ward help` lists.

mod support;

use std::fs;
use std::path::PathBuf;

use support::{repo, run, ward};

/// README.md, examples/README.md, editors/README.md and every page of docs/.
fn pages() -> Vec<PathBuf> {
    let root = repo();
    let mut pages = vec![
        root.join("README.md"),
        root.join("examples/README.md"),
        root.join("editors/README.md"),
    ];
    let mut docs: Vec<PathBuf> = fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The bodies of the fenced blocks of `lang` in a page.
fn blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut current, fence) {
            (None, Some(tag)) if tag.trim() == lang => current = Some(String::new()),
            (Some(body), Some(_)) => {
                out.push(std::mem::take(body));
                current = None;
            }
            (Some(body), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

/// Shell words of a command line, `\` continuations joined and comments dropped.
fn words(command: &str) -> Vec<String> {
    let line = command.split(" #").next().unwrap_or_default();
    line.split_whitespace()
        .filter(|w| *w != "\\")
        .map(str::to_string)
        .collect()
}

fn trimmed(text: &str) -> String {
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

#[test]
fn console_blocks_print_what_they_show() {
    let mut sessions = 0;
    for page in pages() {
        let text = fs::read_to_string(&page).unwrap();
        for block in blocks(&text, "console") {
            let mut lines = block.lines().peekable();
            while let Some(line) = lines.next() {
                let command = line.strip_prefix("$ ward ").unwrap_or_else(|| {
                    panic!(
                        "{}: a console block starts with `$ ward`: {line}",
                        page.display()
                    )
                });
                let mut shown = Vec::new();
                while let Some(next) = lines.next_if(|l| !l.starts_with("$ ")) {
                    shown.push(next);
                }
                let (_, printed) = run(ward()
                    .current_dir(repo())
                    .env("NO_COLOR", "1")
                    .args(words(command)));
                assert_eq!(
                    trimmed(&printed),
                    trimmed(&shown.join("\n")),
                    "{}: `ward {command}` prints otherwise",
                    page.display()
                );
                sessions += 1;
            }
        }
    }
    assert!(sessions >= 1, "no console block found");
}

#[test]
fn sh_blocks_use_real_subcommands_and_flags() {
    let mut checked = 0;
    for page in pages() {
        let text = fs::read_to_string(&page).unwrap();
        for block in blocks(&text, "sh") {
            // Continuation lines belong to the command before them.
            let joined = block.replace("\\\n", " ");
            for line in joined.lines() {
                let words = words(line.trim_start_matches("$ "));
                let Some(("ward", rest)) = words.split_first().map(|(w, r)| (w.as_str(), r)) else {
                    continue;
                };
                let Some(sub) = rest.first() else { continue };
                let (code, mut help) = run(ward().args(["help", sub]));
                assert_eq!(
                    code,
                    0,
                    "{}: `ward {sub}` is not a subcommand: {line}",
                    page.display()
                );
                // Flags of a nested subcommand (`ward sensor export`, `ward repo init`) are
                // in that subcommand's help: descend while the words name subcommands.
                let mut path = vec![sub.as_str()];
                for word in rest.iter().skip(1).take_while(|w| !w.starts_with('-')) {
                    path.push(word);
                    let (code, deeper) = run(ward().arg("help").args(&path));
                    if code != 0 {
                        break;
                    }
                    help = deeper;
                }
                for flag in rest.iter().filter(|w| w.starts_with("--")) {
                    let name = flag.split('=').next().unwrap_or(flag);
                    assert!(
                        help.contains(&format!("{name} ")) || help.contains(&format!("{name}\n")),
                        "{}: `ward {sub}` has no flag {name}: {line}",
                        page.display()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 10,
        "only {checked} ward commands found in sh blocks"
    );
}

#[test]
fn the_review_guide_shows_the_example_keys_id() {
    let public = fs::read_to_string(repo().join("examples/keys/example-insecure.pub")).unwrap();
    let id = ward_runtime::key_id(&ward_runtime::parse_public_key(&public).unwrap()).to_string();
    let guide = fs::read_to_string(repo().join("docs/review.md")).unwrap();
    let shown: Vec<&str> = guide
        .lines()
        .filter_map(|l| l.strip_prefix("signed by "))
        .collect();
    assert!(!shown.is_empty());
    assert!(shown.iter().all(|s| *s == id), "{shown:?} is not {id}");
}

#[test]
fn every_relative_link_and_cited_repository_file_exists() {
    for page in pages() {
        let text = fs::read_to_string(&page).unwrap();
        let dir = page.parent().unwrap();
        for (i, _) in text.match_indices("](") {
            let target = &text[i + 2..];
            let target = &target[..target.find(')').unwrap_or(0)];
            let path = target.split('#').next().unwrap_or_default();
            if path.is_empty() || path.contains("://") || path.starts_with("mailto:") {
                continue;
            }
            assert!(
                dir.join(path).exists(),
                "{} links to {target}, which does not exist",
                page.display()
            );
        }
    }
    // The page that once cited a file outside the repository.
    let language = fs::read_to_string(repo().join("docs/language.md")).unwrap();
    assert!(!language.contains("shared/LANGUAGE.md"));
}

#[test]
fn the_readme_names_the_workspaces_minimum_rust() {
    let manifest = fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .map(|v| v.trim_matches('"'))
        .expect("the workspace declares its rust-version");
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("Rust {version} or newer")),
        "README.md does not say the minimum Rust is {version}"
    );
}
