//! The store with a generated sensor profile, never a hand-written one: the profile of
//! sensor windows_7_11 as `ward sensor export windows_7_11 --lang rust` writes it from
//! the stdlib's declaration (compiler/cli/tests/sensor_export.rs fails when this copy is
//! stale). A channel 291 reading input 21 of the IPC template, which that sensor does not
//! supply, is refused at install, and the store keeps the channel it had.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

#[rustfmt::skip]
#[path = "profiles/windows_7_11.rs"]
mod windows_7_11;

use common::{sign1, trust};
use ward_runtime::*;
use ward_store::{ChannelStore, StoreError};
use windows_7_11::ipc_named_pipe as ipc;

/// A channel of the IPC template as the sensor knows it, plus field 21 (`pipe_sddl`),
/// which only sensor 7.12 supplies; one instance with `criteria`.
fn ipc_channel(version: u64, criteria: Vec<Criterion>) -> Channel {
    let profile = windows_7_11::profile();
    let host = profile.templates.iter().find(|t| t.id == ipc::ID).unwrap();
    let mut fields = host.fields.clone();
    fields.push(FieldDef {
        name: "pipe_sddl".into(),
        ty: FieldType::String,
    });
    Channel {
        id: 291,
        name: "NamedPipeDetections".into(),
        content_version: version,
        template: TemplateRef {
            id: ipc::ID,
            name: "IpcNamedPipe".into(),
            version: ipc::VERSION,
            fields,
        },
        enums: host.enums.clone(),
        targets: vec![],
        build: BuildInfo::default(),
        instances: vec![Instance {
            id: 1,
            name: "pipe_with_null_dacl".into(),
            severity: Severity::High,
            action: Action::Detect,
            tags: vec![],
            criteria,
        }],
    }
}

fn contains(field: u16, text: &str) -> Criterion {
    Criterion {
        field,
        op: Op::Contains,
        operand: Operand::Scalar(Value::Str(text.into())),
    }
}

#[test]
fn channel_291_is_refused_for_the_generated_20_field_profile_and_the_store_keeps_its_channel() {
    assert_eq!(ipc::SUPPLIED, 20);
    let profile = windows_7_11::profile();
    let dir = tempfile::tempdir().unwrap();
    let good = ipc_channel(42, vec![contains(ipc::PIPE_NAME, r"\pipe\")]);
    let store = ChannelStore::open(dir.path(), &trust(), &profile).unwrap();
    store.install(&sign1(&good), &trust(), &profile).unwrap();

    let bad = ipc_channel(
        43,
        vec![
            contains(ipc::PIPE_NAME, r"\pipe\"),
            contains(21, "D:NO_ACCESS_CONTROL"),
        ],
    );
    let err = store.install(&sign1(&bad), &trust(), &profile).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Verify(VerifyError::FieldNotSupplied {
                field: 21,
                supplied: 20,
                ..
            })
        ),
        "{err:?}"
    );
    assert!(store.active(291).unwrap().describes(&good));
    drop(store);
    let store = ChannelStore::open(dir.path(), &trust(), &profile).unwrap();
    assert_eq!(store.highest_version(291), Some(42));
}
