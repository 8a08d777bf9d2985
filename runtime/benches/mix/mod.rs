//! The generated channel mix of the runtime's benchmarks and peak-memory example, modelled
//! on the examples' process-start content (and on compiler/core/benches/generate.rs):
//! suffixes and substrings of images and command lines, globs, enum lists, integer bounds,
//! hashes, and one regex in twenty instances drawn from 500 distinct patterns. Events are
//! ordinary process starts, one in ten aimed at an instance.

use std::net::IpAddr;

use ward_encode::sign;
use ward_runtime::*;

const IMAGE: u16 = 1;
const COMMAND_LINE: u16 = 2;
const PID: u16 = 3;
const PARENT_IMAGE: u16 = 4;
const USER: u16 = 5;
const INTEGRITY: u16 = 6;
const ORIGINAL_FILE_NAME: u16 = 7;
const SESSION_ID: u16 = 8;
const CURRENT_DIRECTORY: u16 = 9;
const HASH: u16 = 10;

const FIELDS: [(&str, FieldType); 11] = [
    ("image", FieldType::Path),
    ("command_line", FieldType::String),
    ("pid", FieldType::U32),
    ("parent_image", FieldType::Path),
    ("user", FieldType::String),
    ("integrity", FieldType::Enum(0)),
    ("original_file_name", FieldType::Path),
    ("session_id", FieldType::U32),
    ("current_directory", FieldType::Path),
    ("hash", FieldType::Sha256),
    ("remote_ip", FieldType::Ip),
];

const HIGH: u32 = 3;
const SYSTEM: u32 = 4;

fn crit(field: u16, op: Op, operand: Operand) -> Criterion {
    Criterion { field, op, operand }
}

fn text(s: String) -> Operand {
    Operand::Scalar(Value::Str(s))
}

pub fn sha(k: u32) -> [u8; 32] {
    let mut h = [0x5au8; 32];
    h[..4].copy_from_slice(&k.to_le_bytes());
    h
}

/// Instance `k`: its criteria follow `k % 20`.
fn instance(k: u32) -> Instance {
    let criteria = match k % 20 {
        0..=3 => vec![
            crit(IMAGE, Op::EndsWith, text(format!(r"\tool{k}.exe"))),
            crit(COMMAND_LINE, Op::Contains, text(format!("-enc{k}"))),
        ],
        4..=6 => vec![
            crit(
                PARENT_IMAGE,
                Op::Glob,
                Operand::Pattern(format!(r"C:\Users\*\AppData\*\x{k}.exe")),
            ),
            crit(
                INTEGRITY,
                Op::In,
                Operand::List(vec![Value::Enum(HIGH), Value::Enum(SYSTEM)]),
            ),
        ],
        7..=9 => vec![
            crit(COMMAND_LINE, Op::StartsWith, text(format!("rundll32 {k}"))),
            crit(PID, Op::Gt, Operand::Scalar(Value::Uint(4))),
            crit(SESSION_ID, Op::Ne, Operand::Scalar(Value::Uint(0))),
        ],
        10..=11 => vec![
            crit(USER, Op::Eq, text(format!("svc_{k}"))),
            crit(
                CURRENT_DIRECTORY,
                Op::StartsWith,
                text(format!(r"C:\Windows\Temp\{k}")),
            ),
        ],
        12..=15 => vec![crit(HASH, Op::Eq, Operand::Scalar(Value::Sha256(sha(k))))],
        16..=18 => vec![crit(
            ORIGINAL_FILE_NAME,
            Op::In,
            Operand::List(vec![
                Value::Str(format!("a{k}.exe")),
                Value::Str(format!("b{k}.exe")),
                Value::Str(format!("c{k}.exe")),
            ]),
        )],
        _ => vec![crit(
            COMMAND_LINE,
            Op::Matches,
            Operand::Pattern(format!(r"(?i)payload{}\b", k % 500)),
        )],
    };
    Instance {
        id: k,
        name: format!("generated_{k}"),
        severity: Severity::Medium,
        action: Action::Detect,
        tags: vec!["attack.t1059".into(), format!("group{}", k % 50)],
        criteria,
    }
}

/// A channel of `n` generated instances.
pub fn channel(n: u32) -> Channel {
    Channel {
        id: 301,
        name: "GeneratedProcessStart".into(),
        content_version: 1,
        template: TemplateRef {
            id: 2,
            name: "ProcessStart".into(),
            version: 1,
            fields: FIELDS
                .iter()
                .map(|(name, ty)| FieldDef {
                    name: (*name).into(),
                    ty: *ty,
                })
                .collect(),
        },
        enums: vec![EnumDef {
            name: "Integrity".into(),
            variants: ["untrusted", "low", "medium", "high", "system"]
                .iter()
                .zip(0..)
                .map(|(name, value)| ((*name).into(), value))
                .collect(),
        }],
        targets: vec![Target {
            name: "windows_7_12".into(),
            platform: "windows".into(),
            version: "7.12".into(),
            supplied: FIELDS.len() as u16,
        }],
        build: BuildInfo::default(),
        instances: (0..n).map(instance).collect(),
    }
}

pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

pub fn trust() -> TrustStore {
    TrustStore::with_keys(vec![key().verifying_key()]).unwrap()
}

pub fn host(channel: &Channel) -> SensorProfile {
    SensorProfile {
        name: "windows_7_12".into(),
        templates: vec![HostTemplate {
            id: channel.template.id,
            version: channel.template.version,
            supplied: channel.template.fields.len() as u16,
            fields: channel.template.fields.clone(),
            enums: channel.enums.clone(),
        }],
    }
}

/// The signed file of `channel(n)`.
pub fn signed(n: u32) -> (Vec<u8>, SensorProfile) {
    let c = channel(n);
    (sign(&c, &[&key()]).unwrap(), host(&c))
}

const BENIGN: [(&str, &str, &str); 8] = [
    (
        r"C:\Windows\System32\svchost.exe",
        r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule",
        r"C:\Windows\System32\services.exe",
    ),
    (
        r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --lang=en-US"#,
        r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    ),
    (
        r"C:\Windows\System32\conhost.exe",
        r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",
        r"C:\Windows\System32\cmd.exe",
    ),
    (
        r"C:\Windows\explorer.exe",
        r"C:\Windows\Explorer.EXE",
        r"C:\Windows\System32\userinit.exe",
    ),
    (
        r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
        r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\bob\Documents\Q3 report.docx""#,
        r"C:\Windows\explorer.exe",
    ),
    (
        r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
        r"powershell.exe -NoProfile -ExecutionPolicy RemoteSigned -File C:\ops\inventory.ps1",
        r"C:\Windows\System32\svchost.exe",
    ),
    (
        r"C:\Users\bob\AppData\Local\Microsoft\Teams\current\Teams.exe",
        r#""C:\Users\bob\AppData\Local\Microsoft\Teams\current\Teams.exe" --system-initiated"#,
        r"C:\Windows\explorer.exe",
    ),
    (
        r"C:\Windows\System32\rundll32.exe",
        r"rundll32.exe C:\Windows\system32\shell32.dll,Control_RunDLL",
        r"C:\Windows\explorer.exe",
    ),
];

fn event(image: &str, command_line: &str, parent: &str, e: u32) -> Vec<Value> {
    vec![
        Value::Str(image.into()),
        Value::Str(command_line.into()),
        Value::Uint(u64::from(1000 + e)),
        Value::Str(parent.into()),
        Value::Str(
            if e % 3 == 0 {
                r"NT AUTHORITY\SYSTEM"
            } else {
                r"ACME\bob"
            }
            .into(),
        ),
        Value::Enum(if e % 3 == 0 { SYSTEM } else { 2 }),
        Value::Str(image.rsplit('\\').next().unwrap_or(image).into()),
        Value::Uint(u64::from(e % 3)),
        Value::Str(r"C:\Windows\system32\".into()),
        Value::Sha256(sha(u32::MAX - e)),
        Value::Ip(IpAddr::from([10, 0, (e % 256) as u8, 7])),
    ]
}

/// `count` events for a channel of `n` instances: nine in ten ordinary, one in ten
/// aimed at instance `(e * 7919) % n`.
pub fn events(n: u32, count: u32) -> Vec<Vec<Value>> {
    (0..count)
        .map(|e| {
            let (image, cmd, parent) = BENIGN[(e % 8) as usize];
            if e % 10 != 9 {
                return event(image, cmd, parent, e);
            }
            let k = (e * 7919) % n;
            let mut ev = event(image, cmd, parent, e);
            let set = |ev: &mut Vec<Value>, field: u16, v: Value| ev[usize::from(field) - 1] = v;
            let s = |t: String| Value::Str(t);
            match k % 20 {
                0..=3 => {
                    set(&mut ev, IMAGE, s(format!(r"C:\Tools\TOOL{k}.exe")));
                    set(&mut ev, COMMAND_LINE, s(format!("tool -enc{k} x")));
                }
                4..=6 => set(
                    &mut ev,
                    PARENT_IMAGE,
                    s(format!(r"C:\Users\bob\AppData\Roaming\x{k}.exe")),
                ),
                7..=9 => set(&mut ev, COMMAND_LINE, s(format!("rundll32 {k},Entry"))),
                10..=11 => {
                    set(&mut ev, USER, s(format!("svc_{k}")));
                    set(
                        &mut ev,
                        CURRENT_DIRECTORY,
                        s(format!(r"c:\windows\temp\{k}\x")),
                    );
                }
                12..=15 => set(&mut ev, HASH, Value::Sha256(sha(k))),
                16..=18 => set(&mut ev, ORIGINAL_FILE_NAME, s(format!("B{k}.EXE"))),
                _ => set(
                    &mut ev,
                    COMMAND_LINE,
                    s(format!("run PAYLOAD{} now", k % 500)),
                ),
            }
            ev
        })
        .collect()
}
