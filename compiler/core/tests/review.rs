//! Golden disassembly and diffs. Every case under snapshots/disasm/ is compiled, signed
//! with a fixed test key, decoded and disassembled; every case under snapshots/diff/
//! holds an old and a new source (`//- old.ward`, `//- new.ward`), each compiled and
//! signed, and its snapshot holds the case with the diff as text and as Markdown. A
//! snapshot without its case is an error, and every finding has a case that shows it.

#![allow(clippy::disallowed_methods)] // tests read their cases from disk

mod support;

use std::fs;

use sha2::{Digest, Sha256};
use ward_compiler::hir::ChannelId;
use ward_compiler::lower;
use ward_compiler::review::diff::diff;
use ward_compiler::review::disasm::disassemble;
use ward_compiler::review::findings::FindingKind;
use ward_compiler::review::report;
use ward_encode::sign;
use ward_runtime::model::Channel;
use ward_runtime::{decode, verify, KeyId, SigningKey, TrustStore};

/// Test signing key `n`: key 1 is the example project's published key, so the key id in
/// the snapshots (and in docs/review.md, which quotes them) is the one a reader finds in
/// examples/keys; the others come from a constant seed.
fn key(n: u8) -> SigningKey {
    if n == 1 {
        let text =
            fs::read_to_string(support::repo().join("examples/keys/example-insecure.key")).unwrap();
        let hex = text
            .lines()
            .find_map(|l| l.strip_prefix("ward-ed25519-key "))
            .unwrap()
            .trim();
        let mut seed = [0u8; 32];
        for (i, byte) in seed.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        }
        return SigningKey::from_bytes(&seed);
    }
    let seed: [u8; 32] = Sha256::digest(format!("ward review snapshot key {n}")).into();
    SigningKey::from_bytes(&seed)
}

/// Every channel of a fixture, as `ward build` makes it: compiled, signed by the keys
/// `signers`, verified for each target, then read back from the bytes alone.
fn build(fixture: &str, signers: &[u8]) -> Vec<(Channel, Vec<KeyId>)> {
    let (project, checked, diagnostics) = support::check_fixture(fixture);
    assert!(
        !diagnostics.iter().any(|d| d.is_error()),
        "the case must compile:\n{}",
        support::rendered(&project, &diagnostics)
    );
    let keys: Vec<SigningKey> = signers.iter().map(|n| key(*n)).collect();
    let trust = TrustStore::new(keys.iter().map(|k| k.verifying_key()).collect(), 1).unwrap();
    let program = &checked.program;
    let mut channels: Vec<(Channel, Vec<KeyId>)> = (0..program.channels.len())
        .map(|i| {
            let model = lower::channel(program, &project.sources, ChannelId(i));
            let bytes = sign(&model, &keys.iter().collect::<Vec<_>>()).unwrap();
            for target in &program.channels[i].targets {
                let profile = lower::sensor_profile(program, target.sensor);
                verify(&bytes, &trust, &profile).unwrap();
            }
            let decoded = decode(&bytes).unwrap();
            assert_eq!(
                decoded.channel, model,
                "the file reads back as what was built"
            );
            (decoded.channel, decoded.signers)
        })
        .collect();
    channels.sort_by_key(|(c, _)| c.id);
    channels
}

#[test]
fn every_disasm_case_matches_its_snapshot() {
    for case in support::cases("disasm") {
        let text = fs::read_to_string(&case).unwrap();
        let mut snapshot = text.trim_end().to_string();
        for (channel, signers) in build(&text, &[1]) {
            let disassembly = disassemble(&channel, &signers).to_string();
            assert!(
                disassembly
                    .lines()
                    .all(|l| !l.trim().is_empty() || l.is_empty()),
                "no line is only white space"
            );
            snapshot.push_str(&format!(
                "\n---- ward disasm {}.chan ----\n{disassembly}",
                channel.name
            ));
        }
        support::assert_case_snapshot(&case, snapshot);
    }
}

/// A diff case: its two sources and the keys that sign each side.
struct DiffCase {
    old: (String, Vec<u8>),
    new: (String, Vec<u8>),
}

/// Splits a case at its `//- old.ward` and `//- new.ward` headers. A header may end in
/// `signers=1,2` to sign that side with other test keys than key 1.
fn parse(text: &str) -> DiffCase {
    let mut sides: Vec<(String, String, Vec<u8>)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("//- ") {
            let mut words = header.split_whitespace();
            let file = words.next().unwrap_or_default().to_string();
            let signers = match words.next().and_then(|w| w.strip_prefix("signers=")) {
                Some(list) => list.split(',').map(|n| n.parse().unwrap()).collect(),
                None => vec![1],
            };
            sides.push((file, String::new(), signers));
        } else if let Some((_, source, _)) = sides.last_mut() {
            source.push_str(line);
        }
    }
    match <[_; 2]>::try_from(sides) {
        Ok([(a, old, ka), (b, new, kb)]) if a == "old.ward" && b == "new.ward" => DiffCase {
            old: (old, ka),
            new: (new, kb),
        },
        _ => panic!("a diff case is `//- old.ward` then `//- new.ward`"),
    }
}

fn one_channel(source: &str, signers: &[u8]) -> (Channel, Vec<KeyId>) {
    let mut channels = build(source, signers);
    assert_eq!(
        channels.len(),
        1,
        "each side of a diff case has one channel"
    );
    channels.remove(0)
}

#[test]
fn every_diff_case_matches_its_snapshot_and_every_finding_has_a_case() {
    let mut shown: Vec<FindingKind> = Vec::new();
    for case in support::cases("diff") {
        let text = fs::read_to_string(&case).unwrap();
        let parsed = parse(&text);
        let (old, old_signers) = one_channel(&parsed.old.0, &parsed.old.1);
        let (new, new_signers) = one_channel(&parsed.new.0, &parsed.new.1);
        let d = diff((&old, &old_signers), (&new, &new_signers));
        shown.extend(d.findings.iter().map(|f| f.kind));
        let snapshot = format!(
            "{}\n---- ward diff ----\n{}---- ward diff --format markdown ----\n{}",
            text.trim_end(),
            report::text(&d),
            report::markdown(&d)
        );
        support::assert_case_snapshot(&case, snapshot);
    }
    // A target that lacks a field that is read cannot be compiled (E0300): see
    // `a_target_that_lacks_a_field_read_is_found_in_a_hand_made_file`.
    let missing: Vec<&str> = FindingKind::ALL
        .iter()
        .filter(|k| **k != FindingKind::TargetLacksField && !shown.contains(k))
        .map(|k| k.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "findings no case under snapshots/diff shows: {missing:?}"
    );
}

const PIPES: &str = r#"
channel Pipes = 1 {
    version 1
    template IpcNamedPipe
    targets [windows_7_12]
    instance sddl = 1 {
        pipe_sddl contains "(A;;GA;;;WD)"
        severity high
    }
}
"#;

#[test]
fn a_target_that_lacks_a_field_read_is_found_in_a_hand_made_file() {
    let (old, signers) = one_channel(PIPES, &[1]);
    // The compiler refuses this (E0300); a file built by other means, or edited, is not
    // checked by anyone but the reviewer before a sensor's verifier rejects it.
    let mut new = old.clone();
    new.content_version = 2;
    new.targets.push(ward_runtime::model::Target {
        name: "windows_7_11".into(),
        platform: "windows".into(),
        version: "7.11".into(),
        supplied: 20,
    });
    let d = diff((&old, &signers), (&new, &signers));
    let kinds: Vec<FindingKind> = d.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::TargetLacksField], "{:?}", d.findings);
    assert_eq!(d.findings[0].instance, Some(1));
    assert!(
        d.findings[0].message.contains("windows_7_11, added here,")
            && d.findings[0].message.contains("#21 pipe_sddl"),
        "{}",
        d.findings[0].message
    );
}

#[test]
fn json_carries_every_change_and_finding() {
    let (old, signers) = one_channel(PIPES, &[1]);
    let (new, _) = one_channel(
        &PIPES.replace("severity high", "severity low\n        action prevent"),
        &[1],
    );
    let d = diff((&old, &signers), (&new, &signers));
    let json = report::json(&d);
    assert_eq!(json["identical"], false);
    assert_eq!(json["new"]["channel"], "Pipes = 1");
    assert_eq!(json["instances"]["unchanged"], 0);
    let changes = &json["instances"]["changed"][0]["changes"];
    assert_eq!(changes[0]["subject"], "severity");
    assert_eq!(changes[0]["old"], "high");
    assert_eq!(changes[0]["new"], "low");
    let kinds: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["version-not-raised", "detect-to-prevent"]);
    let same = diff((&old, &signers), (&old, &signers));
    assert!(same.is_identical() && same.findings.is_empty());
    assert_eq!(report::json(&same)["identical"], true);
}

#[test]
fn no_snapshot_is_left_without_its_case() {
    support::assert_no_orphaned_snapshots("disasm");
    support::assert_no_orphaned_snapshots("diff");
}

/// The section of docs/review.md under `heading`, up to the next heading of its level.
fn docs_section(heading: &str) -> String {
    let docs = fs::read_to_string(support::repo().join("docs/review.md")).unwrap();
    let start = docs.find(heading).expect("docs/review.md has the section");
    let rest = &docs[start + heading.len()..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
}

#[test]
fn the_disassembly_in_docs_is_real_output() {
    let section = docs_section("## `ward disasm FILE`");
    let sample = section
        .split("```text\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .unwrap();
    let snapshot =
        fs::read_to_string(support::repo().join("snapshots/disasm/named-pipes-291.snap")).unwrap();
    for line in sample.lines().filter(|l| *l != "...") {
        assert!(
            snapshot.lines().any(|s| s == line),
            "docs/review.md shows `{line}`, which snapshots/disasm/named-pipes-291.snap does not have"
        );
    }
}

#[test]
fn the_docs_explain_every_finding() {
    let section = docs_section("### Findings");
    for kind in FindingKind::ALL {
        assert!(
            section.contains(&format!("| `{}` |", kind.as_str())),
            "docs/review.md does not explain `{}`",
            kind.as_str()
        );
    }
}

#[test]
fn large_channels_diff_in_one_pass() {
    // 20,000 instances a side: matching by scanning would take minutes here (4 * 10^8
    // instance comparisons, each of whole disassemblies); matching by id, under a second.
    let (mut old, signers) = one_channel(PIPES, &[1]);
    let template = old.instances[0].clone();
    old.instances = (1..=20_000)
        .map(|id| ward_runtime::model::Instance {
            id,
            ..template.clone()
        })
        .collect();
    let mut new = old.clone();
    new.content_version = 2;
    new.instances[10_000].action = ward_runtime::model::Action::Prevent;
    let started = std::time::Instant::now();
    let d = diff((&old, &signers), (&new, &signers));
    assert_eq!((d.changed.len(), d.unchanged), (1, 19_999));
    assert_eq!(d.findings.len(), 1, "{:?}", d.findings);
    eprintln!(
        "diff of two 20,000-instance channels: {:?}",
        started.elapsed()
    );
}
