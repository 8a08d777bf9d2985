//! One test per attack TUF defends against (docs/delivery.md, threat model), each
//! played against a real repository on disk read through a `file://` mirror that the
//! test tampers with, and each ending with the host still running the channel it ran
//! before the attack.

mod common;

use common::{channel_file, poll_error, World};
use ward_tuf::metadata::Role;
use ward_tuf::{Key, KeyPair, MetaFile, Root, Signed, Snapshot, Targets};

/// Signs `role` with the repository's real keys for `role_name` (the attacker holds
/// that key) and writes it to metadata file `file`.
fn sign_as<R: Role>(w: &World, role_name: &str, role: R, file: &str) {
    let keys = w.keys.load(&w.repo.root.signed, role_name).unwrap();
    let signed = Signed::sign(role, &keys.iter().collect::<Vec<_>>()).unwrap();
    std::fs::write(w.meta(file), signed.to_bytes().unwrap()).unwrap();
}

/// A timestamp naming `snapshot`, signed with the timestamp key, at `version`.
fn timestamp_for(w: &World, snapshot: &Signed<Snapshot>, version: u64) {
    let bytes = snapshot.to_bytes().unwrap();
    let mut ts = w.repo.timestamp.signed.clone();
    ts.common.version = version;
    ts.meta.insert(
        "snapshot.json".into(),
        MetaFile {
            version: snapshot.signed.common.version,
            length: Some(bytes.len() as u64),
            hashes: Some(ward_tuf::hash::hashes_of(&bytes)),
        },
    );
    sign_as(w, "timestamp", ts, "timestamp.json");
}

fn targets_blob(w: &World, version: u64) -> std::path::PathBuf {
    let bytes = channel_file(version, 3);
    let name = ward_tuf::repo::target_file_name("channels/ProcessRules.chan", &bytes);
    w.repo_dir().join("targets").join(name)
}

#[test]
fn arbitrary_installation_through_unsigned_targets_metadata() {
    let mut w = World::new();
    w.publish(2);
    // The attacker rewrites targets metadata to name a file of theirs; the signature
    // no longer covers what it says.
    let path = w.meta(&format!(
        "{}.targets.json",
        w.repo.targets.signed.common.version
    ));
    let evil = channel_file(3, 1);
    let text = std::fs::read_to_string(&path).unwrap();
    let good = ward_tuf::hash::sha256_hex(&channel_file(2, 3));
    std::fs::write(
        &path,
        text.replace(&good, &ward_tuf::hash::sha256_hex(&evil)),
    )
    .unwrap();
    let error = poll_error(w.update());
    assert!(error.contains("targets: signed by 0"), "{error}");
    assert_eq!(w.active(), Some(1));
}

#[test]
fn rollback_of_root() {
    let mut w = World::new();
    // A validly signed old root offered as the next version.
    std::fs::copy(w.meta("1.root.json"), w.meta("2.root.json")).unwrap();
    let error = poll_error(w.update());
    assert!(error.contains("version 1, expected 2"), "{error}");
    assert_eq!(w.active(), Some(1));
}

#[test]
fn rollback_of_timestamp() {
    let mut w = World::new();
    let old = std::fs::read(w.meta("timestamp.json")).unwrap();
    w.publish(2);
    w.update().unwrap();
    assert_eq!(w.active(), Some(2));
    std::fs::write(w.meta("timestamp.json"), old).unwrap();
    let error = poll_error(w.update());
    assert!(error.contains("rollback refused"), "{error}");
    assert_eq!(w.active(), Some(2));
}

#[test]
fn rollback_of_snapshot() {
    let mut w = World::new();
    let old_snapshot = w.repo.snapshot.clone();
    w.publish(2);
    w.update().unwrap();
    // An attacker with the online timestamp key points a new timestamp at the old snapshot.
    let version = w.repo.timestamp.signed.common.version + 1;
    timestamp_for(&w, &old_snapshot, version);
    let error = poll_error(w.update());
    assert!(
        error.contains("snapshot.json: version") && error.contains("rollback refused"),
        "{error}"
    );
    assert_eq!(w.active(), Some(2));
}

#[test]
fn rollback_of_targets() {
    let mut w = World::new();
    let old_targets_version = w.repo.targets.signed.common.version;
    w.publish(2);
    w.update().unwrap();
    // With the timestamp and snapshot keys: a new snapshot naming the old targets.
    snapshot_naming_targets(&w, old_targets_version);
    let error = poll_error(w.update());
    assert!(
        error.contains("targets.json: version") && error.contains("rollback refused"),
        "{error}"
    );
    assert_eq!(w.active(), Some(2));
}

#[test]
fn indefinite_freeze() {
    let mut w = World::new();
    w.publish(2);
    // The mirror is frozen (serves what it had) and the host's clock moves past the
    // timestamp's one-day expiry.
    let error = poll_error(w.update_at(w.now + 2 * 86_400));
    assert!(error.contains("timestamp.json: expired"), "{error}");
    assert_eq!(w.active(), Some(1));
}

#[test]
fn fast_forward_and_recovery_by_rotating_the_timestamp_key() {
    let mut w = World::new();
    // The stolen timestamp key signs a version far ahead; the host accepts it (it is
    // validly signed), which would freeze it forever without recovery.
    let snapshot = w.repo.snapshot.clone();
    timestamp_for(&w, &snapshot, 1 << 40);
    w.update().unwrap();
    w.publish(2);
    let error = poll_error(w.update());
    assert!(error.contains("rollback refused"), "{error}");
    assert_eq!(w.active(), Some(1));
    // Rotating the timestamp key (root N+1) makes the host drop the fast-forwarded
    // timestamp: it no longer verifies under the new root.
    w.repo.rotate(&w.keys, "timestamp", w.now).unwrap();
    let report = w.update().unwrap();
    assert!(report.first_error().is_none(), "{report:?}");
    assert_eq!(w.active(), Some(2));
}

#[test]
fn mix_and_match() {
    let mut w = World::new();
    let old = w.repo.targets.signed.common.version;
    w.publish(2);
    let new = w.repo.targets.signed.common.version;
    // The mirror serves an older, validly signed targets file under the new name.
    std::fs::copy(
        w.meta(&format!("{old}.targets.json")),
        w.meta(&format!("{new}.targets.json")),
    )
    .unwrap();
    let error = poll_error(w.update());
    assert!(
        error.contains(&format!("version {old}, expected {new}")),
        "{error}"
    );
    assert_eq!(w.active(), Some(1));
}

#[test]
fn endless_data_in_metadata() {
    let mut w = World::new();
    let mut huge = std::fs::read(w.meta("timestamp.json")).unwrap();
    huge.resize(64 << 20, b' ');
    std::fs::write(w.meta("timestamp.json"), huge).unwrap();
    let error = poll_error(w.update());
    assert!(error.contains("16384-byte limit"), "{error}");
    assert_eq!(w.active(), Some(1));
}

#[test]
fn endless_data_in_a_target() {
    let mut w = World::new();
    w.publish(2);
    let blob = targets_blob(&w, 2);
    let mut huge = std::fs::read(&blob).unwrap();
    huge.resize(64 << 20, 0);
    std::fs::write(&blob, huge).unwrap();
    let error = poll_error(w.update());
    assert!(error.contains("byte limit"), "{error}");
    assert_eq!(w.active(), Some(1));
}

#[test]
fn malicious_mirror_serving_a_validly_signed_older_channel() {
    let mut w = World::new();
    w.publish(2);
    // Channel version 1 is validly signed by the channel key, but it is not the file
    // targets metadata names.
    std::fs::write(targets_blob(&w, 2), channel_file(1, 3)).unwrap();
    let error = poll_error(w.update());
    assert!(error.contains("signed metadata says"), "{error}");
    assert_eq!(w.active(), Some(1));
}

/// Root 2 gives targets the threshold 2 over `keyids`, with `keys`; the attacker then
/// signs targets with `signatures`.
fn two_of_targets(w: &mut World, keys: Vec<(String, Key)>, signatures: Vec<ward_tuf::Signature>) {
    let mut root: Root = w.repo.root.signed.clone();
    root.common.version = 2;
    let role = root.roles.get_mut("targets").unwrap();
    role.keyids = keys.iter().map(|(id, _)| id.clone()).collect();
    role.threshold = 2;
    root.keys.extend(keys);
    sign_as(w, "root", root, "2.root.json");
    let mut targets: Targets = w.repo.targets.signed.clone();
    targets.common.version += 1;
    let canonical = ward_tuf::canonical::to_vec(&targets, "t").unwrap();
    let signed = Signed {
        signatures: signatures
            .into_iter()
            .map(|mut s| {
                if s.sig.is_empty() {
                    s.sig = KeyPair::from_seed([3; 32]).sign(&canonical);
                }
                s
            })
            .collect(),
        signed: targets.clone(),
        canonical,
    };
    let file = format!("{}.targets.json", targets.common.version);
    std::fs::write(w.meta(&file), signed.to_bytes().unwrap()).unwrap();
    snapshot_naming_targets(w, targets.common.version);
}

/// With the snapshot and timestamp keys: a new snapshot naming targets version
/// `targets_version`, and a new timestamp naming that snapshot.
fn snapshot_naming_targets(w: &World, targets_version: u64) {
    let mut snapshot = w.repo.snapshot.signed.clone();
    snapshot.common.version += 1;
    snapshot.meta.insert(
        "targets.json".into(),
        MetaFile {
            version: targets_version,
            length: None,
            hashes: None,
        },
    );
    let file = format!("{}.snapshot.json", snapshot.common.version);
    sign_as(w, "snapshot", snapshot, &file);
    let snapshot: Signed<Snapshot> =
        Signed::parse(&std::fs::read(w.meta(&file)).unwrap(), "s").unwrap();
    timestamp_for(w, &snapshot, w.repo.timestamp.signed.common.version + 1);
}

#[test]
fn threshold_met_by_one_key_under_two_key_ids() {
    let mut w = World::new();
    let key = KeyPair::from_seed([3; 32]).public();
    let (a, b) = (key.key_id(), format!("{}00", key.key_id()));
    let sig = |keyid: &str| ward_tuf::Signature {
        keyid: keyid.into(),
        sig: String::new(),
    };
    two_of_targets(
        &mut w,
        vec![(a.clone(), key.clone()), (b.clone(), key)],
        vec![sig(&a), sig(&b)],
    );
    let error = poll_error(w.update());
    assert!(
        error.contains("targets: signed by 1 distinct trusted key(s), 2 required"),
        "{error}"
    );
    assert_eq!(w.active(), Some(1));
}

#[test]
fn threshold_met_by_one_key_signing_twice() {
    let mut w = World::new();
    let key = KeyPair::from_seed([3; 32]).public();
    let other = KeyPair::from_seed([4; 32]).public();
    let a = key.key_id();
    let sig = ward_tuf::Signature {
        keyid: a.clone(),
        sig: String::new(),
    };
    two_of_targets(
        &mut w,
        vec![(a, key), (other.key_id(), other)],
        vec![sig.clone(), sig],
    );
    let error = poll_error(w.update());
    assert!(error.contains("two signatures under key id"), "{error}");
    assert_eq!(w.active(), Some(1));
}

#[test]
fn channel_the_store_refuses_keeps_the_running_one() {
    let mut w = World::new();
    // Validly published and signed by the repository, but not by a key the host trusts
    // for channels: a signature on the metadata is not validity of the content.
    let mut bytes = channel_file(2, 3);
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    w.repo
        .publish(&w.keys, &[("tampered".into(), bytes)], w.now)
        .unwrap();
    let error = poll_error(w.update());
    assert!(error.contains("the channel store refused it"), "{error}");
    assert_eq!(w.active(), Some(1));
}
