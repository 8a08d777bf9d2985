//! Shared fixtures for the runtime's tests: fixed-seed keys, small channels built in code,
//! and host profiles that match them. Also compiled into the crate's unit tests.
#![allow(dead_code)]

use std::net::IpAddr;

use ward_encode::sign;
use ward_runtime::*;

/// The test signing key, from a fixed seed so every run signs the same bytes.
pub fn test_key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

/// A second key, for threshold and unknown-signer tests.
pub fn other_key() -> SigningKey {
    SigningKey::from_bytes(&[9u8; 32])
}

pub fn trust() -> TrustStore {
    TrustStore::with_keys(vec![test_key().verifying_key()]).unwrap()
}

pub fn sign1(channel: &Channel) -> Vec<u8> {
    sign(channel, &[&test_key()]).unwrap()
}

/// Field numbers of [`test_template`], so tests read as names.
pub const PIPE: u16 = 1;
pub const IMAGE: u16 = 2;
pub const PID: u16 = 3;
pub const REMOTE: u16 = 4;
pub const DELTA: u16 = 5;
pub const ADDR: u16 = 6;
pub const HASH: u16 = 7;
pub const INTEGRITY: u16 = 8;
pub const PORT: u16 = 9;
pub const SMALL: u16 = 10;
pub const OFFSET: u16 = 11;
pub const BYTES: u16 = 12;

pub fn integrity_enum() -> EnumDef {
    EnumDef {
        name: "Integrity".into(),
        variants: vec![
            ("untrusted".into(), 0),
            ("low".into(), 1),
            ("medium".into(), 2),
            ("high".into(), 3),
            ("system".into(), 4),
        ],
    }
}

fn field(name: &str, ty: FieldType) -> FieldDef {
    FieldDef {
        name: name.into(),
        ty,
    }
}

/// A template with one field of every type.
pub fn test_template() -> TemplateRef {
    TemplateRef {
        id: 7,
        name: "TestEvent".into(),
        version: 3,
        fields: vec![
            field("pipe_name", FieldType::Path),
            field("client_image", FieldType::String),
            field("pid", FieldType::U32),
            field("is_remote", FieldType::Bool),
            field("delta", FieldType::I64),
            field("addr", FieldType::Ip),
            field("hash", FieldType::Sha256),
            field("integrity", FieldType::Enum(0)),
            field("port", FieldType::U16),
            field("small", FieldType::U8),
            field("offset", FieldType::I32),
            field("bytes", FieldType::U64),
        ],
    }
}

pub fn crit(field: u16, op: Op, operand: Operand) -> Criterion {
    Criterion { field, op, operand }
}

pub fn s(v: &str) -> Operand {
    Operand::Scalar(Value::Str(v.into()))
}

pub fn u(v: u64) -> Operand {
    Operand::Scalar(Value::Uint(v))
}

pub fn i(v: i64) -> Operand {
    Operand::Scalar(Value::Int(v))
}

pub fn pat(p: &str) -> Operand {
    Operand::Pattern(p.into())
}

pub fn cidr(addr: &str, prefix: u8) -> Operand {
    Operand::Cidr {
        addr: addr.parse().unwrap(),
        prefix,
    }
}

pub fn instance(id: u32, criteria: Vec<Criterion>) -> Instance {
    Instance {
        id,
        name: format!("instance_{id}"),
        severity: Severity::High,
        action: Action::Detect,
        tags: vec!["attack.t1570".into()],
        criteria,
    }
}

/// A channel of [`test_template`] with the given instances.
pub fn channel_with(instances: Vec<Instance>) -> Channel {
    Channel {
        id: 291,
        name: "NamedPipeDetections".into(),
        content_version: 42,
        template: test_template(),
        enums: vec![integrity_enum()],
        targets: vec![Target {
            name: "windows_7_12".into(),
            platform: "windows".into(),
            version: "7.12".into(),
            supplied: 12,
        }],
        build: BuildInfo {
            compiler: "ward 0.1.0".into(),
            source_hash: [0xab; 32],
        },
        instances,
    }
}

/// A small realistic channel: three instances over several field types.
pub fn small_channel() -> Channel {
    channel_with(vec![
        Instance {
            id: 1001,
            name: "cs_default_pipe".into(),
            severity: Severity::High,
            action: Action::Detect,
            tags: vec!["attack.t1570".into()],
            criteria: vec![
                crit(
                    PIPE,
                    Op::Matches,
                    pat(r"^\\\\\.\\pipe\\(msagent_|postex_)[0-9a-f]{2,4}$"),
                ),
                crit(REMOTE, Op::Eq, Operand::Scalar(Value::Bool(false))),
            ],
        },
        Instance {
            id: 1002,
            name: "mojo_from_untrusted".into(),
            severity: Severity::Medium,
            action: Action::Prevent,
            tags: vec![],
            criteria: vec![
                crit(PIPE, Op::Glob, pat(r"\\.\pipe\mojo.*")),
                crit(IMAGE, Op::NotGlob, pat(r"C:\Program Files\Google\Chrome\*")),
                crit(
                    INTEGRITY,
                    Op::In,
                    Operand::List(vec![Value::Enum(0), Value::Enum(1)]),
                ),
            ],
        },
        Instance {
            id: 1003,
            name: "remote_high_port".into(),
            severity: Severity::Low,
            action: Action::Detect,
            tags: vec!["net".into(), "attack.t1570".into()],
            criteria: vec![
                crit(ADDR, Op::Within, cidr("10.0.0.0", 8)),
                crit(PORT, Op::Ge, u(1024)),
            ],
        },
    ])
}

/// The host template matching [`test_template`], supplying `supplied` fields.
pub fn host_template(supplied: u16) -> HostTemplate {
    let t = test_template();
    HostTemplate {
        id: t.id,
        version: t.version,
        supplied,
        fields: t.fields,
        enums: vec![integrity_enum()],
    }
}

pub fn host() -> SensorProfile {
    SensorProfile {
        name: "windows_7_12".into(),
        templates: vec![host_template(12)],
    }
}

/// A host profile that supplies every field of `channel`'s template with its types.
pub fn host_for(channel: &Channel, supplied: u16) -> SensorProfile {
    SensorProfile {
        name: "test_sensor".into(),
        templates: vec![HostTemplate {
            id: channel.template.id,
            version: channel.template.version,
            supplied,
            fields: channel.template.fields.clone(),
            enums: channel.enums.clone(),
        }],
    }
}

/// Zero-valued inputs for [`test_template`].
pub fn event() -> Vec<Value> {
    vec![
        Value::Str(String::new()),
        Value::Str(String::new()),
        Value::Uint(0),
        Value::Bool(false),
        Value::Int(0),
        Value::Ip("0.0.0.0".parse::<IpAddr>().unwrap()),
        Value::Sha256([0; 32]),
        Value::Enum(0),
        Value::Uint(0),
        Value::Uint(0),
        Value::Int(0),
        Value::Uint(0),
    ]
}

/// An event with one input replaced.
pub fn event_with(changes: &[(u16, Value)]) -> Vec<Value> {
    let mut e = event();
    for (field, value) in changes {
        e[usize::from(*field) - 1] = value.clone();
    }
    e
}

/// The channel-291 shape: an IPC template of 21 fields, one instance reading field 21.
pub fn channel_291() -> Channel {
    let mut fields: Vec<FieldDef> = (1..=20)
        .map(|n| field(&format!("field_{n}"), FieldType::String))
        .collect();
    fields[0] = field("pipe_name", FieldType::Path);
    fields.push(field("security_descriptor", FieldType::String));
    Channel {
        id: 291,
        name: "NamedPipeDetections".into(),
        content_version: 43,
        template: TemplateRef {
            id: 1,
            name: "IpcNamedPipe".into(),
            version: 2,
            fields,
        },
        enums: vec![],
        targets: vec![Target {
            name: "windows_7_12".into(),
            platform: "windows".into(),
            version: "7.12".into(),
            supplied: 21,
        }],
        build: BuildInfo::default(),
        instances: vec![Instance {
            id: 1,
            name: "pipe_with_null_dacl".into(),
            severity: Severity::High,
            action: Action::Detect,
            tags: vec![],
            criteria: vec![
                crit(1, Op::Glob, pat(r"\\.\pipe\*")),
                crit(21, Op::Contains, s("D:NO_ACCESS_CONTROL")),
            ],
        }],
    }
}

/// The 76-byte message of docs/channel-format.md for a signed region, rebuilt by hand.
pub fn signed_message(region: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut msg = b"ward-channel-signature-v1\0".to_vec();
    msg.extend_from_slice(&region[12..16]);
    msg.extend_from_slice(&region[16..24]);
    msg.extend_from_slice(&region[24..28]);
    msg.extend_from_slice(&region[32..34]);
    msg.extend_from_slice(&Sha256::digest(region));
    msg
}

/// The encoding of the identity point, which has order 1 (the smallest "small order").
pub const IDENTITY_POINT: [u8; 32] = {
    let mut p = [0u8; 32];
    p[0] = 1;
    p
};

/// A signature by `key` over `msg` whose R is the identity point: s = H(R, A, M) * a makes
/// the verification equation hold, so cofactorless `verify` accepts it, while
/// `verify_strict` refuses every small-order R. Only the holder of the key can make it.
pub fn small_order_r_signature(key: &SigningKey, msg: &[u8]) -> [u8; 64] {
    use curve25519_dalek::Scalar;
    use sha2::{Digest, Sha512};
    let a = key.to_scalar();
    let digest = Sha512::new()
        .chain_update(IDENTITY_POINT)
        .chain_update(key.verifying_key().as_bytes())
        .chain_update(msg)
        .finalize();
    let k = Scalar::from_bytes_mod_order_wide(&digest.into());
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&IDENTITY_POINT);
    sig[32..].copy_from_slice((k * a).as_bytes());
    sig
}

/// A signed region followed by a signature section with the given (key id, signature)
/// entries, whatever they are.
pub fn with_signatures(region: &[u8], entries: &[([u8; 8], [u8; 64])]) -> Vec<u8> {
    let mut out = region.to_vec();
    out.push(entries.len() as u8);
    for (id, sig) in entries {
        out.extend_from_slice(id);
        out.extend_from_slice(sig);
    }
    out
}

/// Checks that docs/channel-format.md holds `rendered`, a table generated from the code,
/// where the table with `rendered`'s header line is; with `UPDATE_DOCS` set, writes it
/// there first.
pub fn check_generated_table(rendered: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/channel-format.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let header = rendered.lines().next().unwrap();
    let start = doc
        .find(header)
        .unwrap_or_else(|| panic!("docs/channel-format.md has no table headed {header}"));
    let end = doc[start..]
        .find("\n\n")
        .map_or(doc.len(), |e| start + e + 1);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, format!("{}{rendered}{}", &doc[..start], &doc[end..])).unwrap();
    } else {
        assert_eq!(
            &doc[start..end],
            rendered,
            "docs/channel-format.md is out of date: run `UPDATE_DOCS=1 cargo test -p ward-runtime`"
        );
    }
}
