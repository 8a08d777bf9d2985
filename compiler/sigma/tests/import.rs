//! The importer on rules written for these tests from the Sigma specification
//! (tests/rules): what each becomes, that the output checks cleanly and is the same bytes
//! every time, and that the imported content detects what the rules describe, through
//! test blocks (tests/expect) run by the runtime like `ward test`.

use std::path::Path;

use ward_compiler::io::MemoryFs;
use ward_compiler::{project, test_runner};
use ward_sigma::{import, Outcome, Reason, RuleFile};

fn rules() -> Vec<RuleFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| RuleFile {
            path: format!("rules/{}", p.file_name().unwrap().to_string_lossy()),
            text: std::fs::read_to_string(&p).unwrap(),
        })
        .collect()
}

fn outcome<'a>(imported: &'a ward_sigma::Imported, file: &str) -> &'a Outcome {
    &imported
        .rules
        .iter()
        .find(|r| r.path == format!("rules/{file}"))
        .unwrap_or_else(|| panic!("no report for {file}"))
        .outcome
}

/// Reason and line of a refused rule's first refusal.
fn refused(imported: &ward_sigma::Imported, file: &str) -> (Reason, usize) {
    match outcome(imported, file) {
        Outcome::Refused(why) => (why[0].0, why[0].2),
        other => panic!("{file} was not refused: {other:?}"),
    }
}

#[test]
fn each_rule_is_imported_in_full_in_part_or_refused_with_its_reason_and_line() {
    let imported = import(&rules()).unwrap();
    for (file, instances) in [
        ("base64_offset.yml", 1),
        ("cased_and_null.yml", 1),
        ("download_cradle.yml", 1),
        ("encoded_powershell.yml", 2),
        ("imphash.yml", 1),
        ("network_cidr.yml", 1),
        ("wildcard_and_regex.yml", 2),
    ] {
        assert_eq!(
            outcome(&imported, file),
            &Outcome::Imported { instances },
            "{file}"
        );
    }
    match outcome(&imported, "partial_unknown_field.yml") {
        Outcome::Partial { instances, dropped } => {
            assert_eq!(*instances, 1);
            assert_eq!(dropped.len(), 1);
            assert_eq!(dropped[0].0, Reason::Field);
            assert!(
                dropped[0].1.contains("GrandparentImage"),
                "{}",
                dropped[0].1
            );
            assert_eq!(dropped[0].2, 13, "the line of the field's value");
        }
        other => panic!("not partial: {other:?}"),
    }
    assert_eq!(
        refused(&imported, "aggregation.yml"),
        (Reason::Aggregation, 11)
    );
    assert_eq!(refused(&imported, "fieldref.yml"), (Reason::Modifier, 10));
    assert_eq!(refused(&imported, "keywords.yml"), (Reason::Keywords, 10));
    assert_eq!(refused(&imported, "not_yaml.yml").0, Reason::Yaml);
    assert_eq!(
        refused(&imported, "unknown_logsource.yml"),
        (Reason::Logsource, 6)
    );
    let counts = ward_sigma::summary::counts(&imported.rules);
    assert_eq!((counts.imported, counts.partial, counts.refused), (7, 1, 5));
}

#[test]
fn same_rules_give_the_same_bytes_whatever_their_order() {
    let once = import(&rules()).unwrap().files;
    assert_eq!(once, import(&rules()).unwrap().files);
    let mut reversed = rules();
    reversed.reverse();
    assert_eq!(once, import(&reversed).unwrap().files);
}

#[test]
fn the_summary_names_every_rule_not_imported_in_full_with_path_and_line() {
    let imported = import(&rules()).unwrap();
    let text = ward_sigma::summary::human(&imported.rules);
    for needle in [
        "refused: rules/aggregation.yml:11: an aggregation or timeframe",
        "refused: rules/keywords.yml:10: keywords without a field",
        "refused: rules/unknown_logsource.yml:6: a logsource with no mapping",
        "partial: rules/partial_unknown_field.yml:13: dropped a branch (field)",
        "13 rules: 7 imported in full, 1 in part, 5 refused",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

/// The imported project, with the hand-written test blocks beside it, checks without a
/// single diagnostic and every test passes on every targeted sensor through the runtime.
#[test]
fn imported_content_checks_cleanly_and_passes_its_tests() {
    let imported = import(&rules()).unwrap();
    let root = Path::new("/p");
    let mut fs = MemoryFs::new();
    for (name, text) in &imported.files {
        fs.insert(root.join(name), text.as_bytes().to_vec());
    }
    let expect = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expect/tests.ward");
    fs.insert(
        root.join("tests/tests.ward"),
        std::fs::read(expect).unwrap(),
    );
    let project = project::load(&fs, root).unwrap();
    assert!(project.diagnostics.is_empty(), "{:?}", project.diagnostics);
    let checked = ward_compiler::check(&project.sources);
    let messages: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code.as_str(), d.message))
        .collect();
    assert!(messages.is_empty(), "{messages:#?}");
    let built = test_runner::build_all(&checked.program, &project.sources);
    let cases = test_runner::run(&checked.program, &project.sources, &built);
    let tests = cases
        .iter()
        .filter(|c| !c.name.starts_with("exercise"))
        .count();
    assert!(tests >= 20, "only {tests} test cases ran");
    let failed: Vec<String> = cases
        .iter()
        .filter(|c| !c.passed())
        .map(|c| format!("{} on {}: {:?}", c.name, c.sensor, c.outcome))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Sigma's value lists become alternations of literals (`CommandLine|contains: [...]`, a
/// case-insensitive regex on a `string` field). Charged at their regexes' NFA states per
/// byte, 300 rules of twenty values each passed the runtime's cost budget together, and
/// the importer left most of them out for `cost`; matched as literal sets
/// (runtime/src/literals.rs) they cost a few steps a byte, and all import in full.
#[test]
fn rules_with_long_value_lists_fit_the_cost_budget_together() {
    let files: Vec<RuleFile> = (0..300)
        .map(|r| {
            let values: String = (0..20)
                .map(|v| format!("            - ' -Option{r}x{v} '\n"))
                .collect();
            let images: String = (0..5)
                .map(|v| format!("            - '\\tool{r}x{v}.exe'\n"))
                .collect();
            RuleFile {
                path: format!("rules/list_{r:03}.yml"),
                text: format!(
                    "title: Long List {r}\nid: 7b0f4a8e-0000-4000-8000-{r:012}\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    selection:\n        CommandLine|contains:\n{values}        Image|endswith:\n{images}    condition: selection\nlevel: high\n"
                ),
            }
        })
        .collect();
    let imported = import(&files).unwrap();
    let not_in_full: Vec<_> = imported
        .rules
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::Imported { instances: 1 }))
        .map(|r| (&r.path, &r.outcome))
        .collect();
    assert!(not_in_full.is_empty(), "{not_in_full:#?}");
}

/// A rule's metadata travels as the issue asks: instances named from the title (one per
/// branch of an `or`), severity from `level`, tags from `tags` plus the rule's id, and
/// the id, status, author, source path, description, references and false positives in
/// the instance's doc comment.
#[test]
fn metadata_travels_as_names_severity_tags_and_doc_comment() {
    let imported = import(&rules()).unwrap();
    let (_, text) = imported
        .files
        .iter()
        .find(|(name, _)| name == "channels/process_creation.ward")
        .unwrap();
    for needle in [
        "    /// Encoded PowerShell Command Line\n",
        "    /// Sigma rule 7b0f4a8e-0000-4000-8000-000000000001, status test, by Ward tests\n",
        "    /// Imported from rules/encoded_powershell.yml\n",
        "    /// Branch 1 of 2 of the condition `all of selection_* and not 1 of filter_main_*`\n",
        "    /// PowerShell started with an encoded command, from an unusual parent.\n",
        "    /// Reference: https://example.org/encoded-powershell\n",
        "    /// False positives: Administrative scripts\n",
        "    instance encoded_powershell_command_line_1 = ",
        "    instance encoded_powershell_command_line_2 = ",
        "        severity high\n        tags [\"attack.execution\", \"attack.t1059.001\", \"sigma.id.7b0f4a8e-0000-4000-8000-000000000001\"]\n",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}
