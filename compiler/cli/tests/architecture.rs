//! Checks the invariants of ARCHITECTURE.md that the manifests can show.

mod support;

use std::fs;

/// The names of a crate's normal dependencies.
fn dependencies(manifest: &str) -> Vec<String> {
    let path = support::repo().join(manifest);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: toml::Table = toml::from_str(&text).unwrap();
    doc.get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

fn ours(deps: &[String]) -> Vec<&str> {
    let mut ours: Vec<&str> = deps
        .iter()
        .map(String::as_str)
        .filter(|d| d.starts_with("ward-"))
        .collect();
    ours.sort_unstable();
    ours
}

#[test]
fn dependencies_point_one_way() {
    assert_eq!(
        ours(&dependencies("runtime/Cargo.toml")),
        Vec::<&str>::new()
    );
    assert_eq!(
        ours(&dependencies("compiler/syntax/Cargo.toml")),
        Vec::<&str>::new()
    );
    assert_eq!(ours(&dependencies("encode/Cargo.toml")), ["ward-runtime"]);
    assert_eq!(ours(&dependencies("store/Cargo.toml")), ["ward-runtime"]);
    assert_eq!(
        ours(&dependencies("compiler/core/Cargo.toml")),
        ["ward-encode", "ward-runtime", "ward-syntax"]
    );
    assert_eq!(ours(&dependencies("lsp/Cargo.toml")), ["ward-compiler"]);
    // Health is pure (invariant 8): keys and hex from the release repository's crate,
    // the cost histogram's scale from the runtime (no_std, no I/O), no store, no network.
    assert_eq!(
        ours(&dependencies("delivery/health/Cargo.toml")),
        ["ward-runtime", "ward-tuf"]
    );
}

#[test]
fn only_the_language_server_knows_the_protocol() {
    for manifest in [
        "runtime/Cargo.toml",
        "encode/Cargo.toml",
        "store/Cargo.toml",
        "compiler/syntax/Cargo.toml",
        "compiler/core/Cargo.toml",
        "compiler/cli/Cargo.toml",
    ] {
        let deps = dependencies(manifest);
        assert!(
            !deps
                .iter()
                .any(|d| d.starts_with("tower-lsp") || d == "lsp-types" || d == "ls-types"),
            "{manifest} depends on the protocol: {deps:?}"
        );
    }
}

#[test]
fn the_runtime_keeps_a_small_dependency_tree() {
    let mut deps = dependencies("runtime/Cargo.toml");
    deps.sort();
    let allowed = [
        "aho-corasick",
        "ed25519-dalek",
        "foldhash",
        "hashbrown",
        "memchr",
        "regex-automata",
        "regex-syntax",
        "sha2",
    ];
    for d in &deps {
        assert!(allowed.contains(&d.as_str()), "the runtime gained a dependency: {d} (say why in docs/channel-format.md, then allow it here)");
    }
}

#[test]
fn only_the_c_abi_allows_unsafe() {
    // Every other member takes the workspace's lints, which forbid `unsafe`; ward-ffi
    // has lints of its own that require a reason beside every unsafe block.
    let root: toml::Table =
        toml::from_str(&fs::read_to_string(support::repo().join("Cargo.toml")).unwrap()).unwrap();
    assert_eq!(
        root["workspace"]["lints"]["rust"]["unsafe_code"].as_str(),
        Some("forbid")
    );
    let members = root["workspace"]["members"].as_array().unwrap();
    assert!(members.iter().any(|m| m.as_str() == Some("ffi")));
    for member in members {
        let member = member.as_str().unwrap();
        let path = support::repo().join(member).join("Cargo.toml");
        let manifest: toml::Table = toml::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let lints = &manifest["lints"];
        if member == "ffi" {
            assert_eq!(
                lints["clippy"]["undocumented_unsafe_blocks"].as_str(),
                Some("deny")
            );
            assert_eq!(
                lints["rust"]["unsafe_op_in_unsafe_fn"].as_str(),
                Some("deny")
            );
        } else {
            assert_eq!(
                lints["workspace"].as_bool(),
                Some(true),
                "{member} must take the workspace's lints (no unsafe)"
            );
        }
    }
}
