//! The repository writer's own rules, on a real repository: a content version that
//! does not go up is refused with nothing written, and keys are private files.

mod common;

use common::{channel_file, World};

fn listing(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["metadata", "targets/channels"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap().flatten() {
            out.push((
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn publishing_a_version_that_does_not_go_up_is_refused_and_writes_nothing() {
    let mut w = World::new();
    w.publish(3);
    let before = listing(&w.repo_dir());
    for version in [2, 3] {
        let file = channel_file(version, 4);
        let error = w
            .repo
            .publish(&w.keys, &[("old.chan".into(), file)], w.now)
            .unwrap_err();
        assert!(
            error.to_string().contains(&format!(
                "content version {version} is not above the published version 3"
            )),
            "{error}"
        );
    }
    // The very same file again is not a new release: skipped, nothing written.
    assert!(w
        .repo
        .publish(&w.keys, &[("same".into(), channel_file(3, 3))], w.now)
        .unwrap()
        .is_empty());
    assert_eq!(listing(&w.repo_dir()), before);
}

#[cfg(unix)]
#[test]
fn keys_are_written_mode_0600_one_directory_per_role() {
    use std::os::unix::fs::PermissionsExt as _;
    let w = World::new();
    for role in ward_tuf::repo::ROLES {
        let dir = w.keys.path().join(role);
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert!(!files.is_empty(), "{role}");
        for f in files {
            assert_eq!(
                f.metadata().unwrap().permissions().mode() & 0o777,
                0o600,
                "{:?}",
                f.path()
            );
        }
    }
}
