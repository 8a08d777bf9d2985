//! The committed must-reject corpus: each file in tests/reject/ is a malformed or hostile
//! channel, and each must be rejected with exactly the error variant listed here.
//!
//! The files are rebuilt from the recipes below and compared byte for byte, so a change
//! to the format shows up as a diff of the corpus. To rewrite them after an intended
//! format change: `WARD_BLESS=1 cargo test -p ward-runtime --test reject_corpus`.
//! A file one byte over `MAX_FILE_SIZE` is not committed (32 MiB); tests/reject.rs
//! builds it in memory instead.

mod common;

use std::path::PathBuf;

use common::*;
use ward_encode::{sign, testing};
use ward_runtime::*;

/// Under which trust store and host a case is verified.
#[derive(Clone, Copy)]
enum Against {
    /// The test key alone, the 12-field test host.
    Test,
    /// The IPC channel-291 template on a sensor supplying 20 fields.
    Ipc20,
    /// Two trusted keys, both required.
    TwoKeys,
}

struct Case {
    file: &'static str,
    expected: &'static str,
    against: Against,
    build: fn() -> Vec<u8>,
}

fn region(channel: &Channel) -> Vec<u8> {
    testing::encode_unsigned(channel).unwrap()
}

fn signed(region: Vec<u8>) -> Vec<u8> {
    testing::sign_unchecked(region, &[&test_key()])
}

fn tiny() -> Channel {
    channel_with(vec![instance(1, vec![crit(PID, Op::Eq, u(4))])])
}

/// Offset of the first byte after the string pool.
fn after_pool(region: &[u8]) -> usize {
    let count = u32::from_le_bytes(region[40..44].try_into().unwrap());
    let mut at = 44;
    for _ in 0..count {
        at += 4 + u32::from_le_bytes(region[at..at + 4].try_into().unwrap()) as usize;
    }
    at
}

/// Offset of the first occurrence of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            file: "arity_field_21_of_20_supplied.chan",
            expected: "FieldNotSupplied",
            against: Against::Ipc20,
            build: || sign1(&channel_291()),
        },
        Case {
            file: "arity_field_22_of_21_in_template.chan",
            expected: "FieldOutOfTemplate",
            against: Against::Ipc20,
            build: || {
                let mut c = channel_291();
                c.instances[0].criteria[1].field = 22;
                sign1(&c)
            },
        },
        Case {
            file: "fields_0.chan",
            expected: "NoFields",
            against: Against::Test,
            build: || {
                let mut r = region(&tiny());
                r[32..34].copy_from_slice(&0u16.to_le_bytes());
                signed(r)
            },
        },
        Case {
            file: "fields_255.chan",
            expected: "LimitExceeded",
            against: Against::Test,
            build: || {
                let mut r = region(&tiny());
                r[32..34].copy_from_slice(&255u16.to_le_bytes());
                signed(r)
            },
        },
        Case {
            file: "instance_count_past_end.chan",
            expected: "Truncated",
            against: Against::Test,
            build: || {
                let mut r = region(&channel_with(vec![instance(
                    0x0D0C_0B0A,
                    vec![crit(PID, Op::Eq, u(4))],
                )]));
                // The instance count sits just before the first instance id.
                let id = find(&r, &0x0D0C_0B0Au32.to_le_bytes());
                r[id - 4..id].copy_from_slice(&3u32.to_le_bytes());
                signed(r)
            },
        },
        Case {
            file: "body_length_overflows.chan",
            expected: "BodyOutOfBounds",
            against: Against::Test,
            build: || {
                let mut r = region(&tiny());
                r[36..40].copy_from_slice(&u32::MAX.to_le_bytes());
                signed(r)
            },
        },
        Case {
            file: "string_length_overflows.chan",
            expected: "LimitExceeded",
            against: Against::Test,
            build: || {
                let mut r = region(&tiny());
                r[44..48].copy_from_slice(&(u32::MAX - 2).to_le_bytes());
                signed(r)
            },
        },
        Case {
            file: "duplicate_instance_ids.chan",
            expected: "DuplicateInstance",
            against: Against::Test,
            build: || {
                let c = channel_with(vec![
                    instance(0x0A0B_0C01, vec![crit(PID, Op::Eq, u(4))]),
                    instance(0x0A0B_0C02, vec![crit(PID, Op::Eq, u(5))]),
                ]);
                let mut r = region(&c);
                let at = find(&r, &0x0A0B_0C02u32.to_le_bytes());
                r[at..at + 4].copy_from_slice(&0x0A0B_0C01u32.to_le_bytes());
                signed(r)
            },
        },
        Case {
            file: "unknown_operator_tag.chan",
            expected: "UnknownOpTag",
            against: Against::Test,
            build: || {
                let c = channel_with(vec![instance(
                    1,
                    vec![crit(PID, Op::Eq, u(0x1122_3344_5566_7788))],
                )]);
                let mut r = region(&c);
                let at = find(&r, &0x1122_3344_5566_7788u64.to_le_bytes());
                // value tag at -1, operand tag at -2, operator at -3.
                r[at - 3] = 0xEE;
                signed(r)
            },
        },
        Case {
            file: "unknown_type_tag.chan",
            expected: "UnknownTypeTag",
            against: Against::Test,
            build: || {
                let mut r = region(&tiny());
                // After the pool: two names (8 bytes), the enum table (count, name,
                // variant count, five variants: 48 bytes), then field 1's name index and
                // its type tag.
                let tag = after_pool(&r) + 8 + 48 + 4;
                assert_eq!(r[tag], 9, "field 1 is a path");
                r[tag] = 0xEE;
                signed(r)
            },
        },
        Case {
            file: "regex_over_size_limit.chan",
            expected: "RegexTooLarge",
            against: Against::Test,
            build: || {
                sign1(&channel_with(vec![instance(
                    1,
                    vec![crit(PIPE, Op::Matches, pat(r"\w{1000}\w{1000}"))],
                )]))
            },
        },
        Case {
            file: "operand_of_wrong_type.chan",
            expected: "OperandType",
            against: Against::Test,
            build: || {
                sign1(&channel_with(vec![instance(
                    1,
                    vec![crit(PID, Op::Eq, s("4"))],
                )]))
            },
        },
        Case {
            file: "zero_criteria.chan",
            expected: "NoCriteria",
            against: Against::Test,
            build: || sign1(&channel_with(vec![instance(1, vec![])])),
        },
        Case {
            file: "signature_moved_from_another_file.chan",
            expected: "BadSignature",
            against: Against::Test,
            build: || {
                let a = sign1(&tiny());
                let mut other = tiny();
                other.instances[0].criteria[0] = crit(PID, Op::Eq, u(5));
                let mut b = sign1(&other);
                let sig = b.len() - 72;
                b[sig..].copy_from_slice(&a[sig..]);
                b
            },
        },
        Case {
            file: "same_key_signed_twice.chan",
            expected: "ThresholdNotMet",
            against: Against::TwoKeys,
            build: || {
                let k = test_key();
                sign(&tiny(), &[&k, &k]).unwrap()
            },
        },
        Case {
            file: "pool_count_past_end.chan",
            expected: "Truncated",
            against: Against::Test,
            build: || {
                // Within MAX_POOL_STRINGS, but four bytes each would run past the body:
                // refused before anything is allocated for them.
                let mut r = region(&tiny());
                r[40..44].copy_from_slice(&1_000_000u32.to_le_bytes());
                signed(r)
            },
        },
        Case {
            file: "list_count_past_end.chan",
            expected: "Truncated",
            against: Against::Test,
            build: || {
                let c = channel_with(vec![instance(
                    1,
                    vec![crit(
                        PID,
                        Op::In,
                        Operand::List(vec![Value::Uint(0x1122_3344_5566_7788)]),
                    )],
                )]);
                let mut r = region(&c);
                // value tag at -1, the list's u32 count just before it.
                let at = find(&r, &0x1122_3344_5566_7788u64.to_le_bytes());
                r[at - 5..at - 1].copy_from_slice(&4000u32.to_le_bytes());
                signed(r)
            },
        },
        Case {
            file: "string_index_out_of_range.chan",
            expected: "StringIndexOutOfRange",
            against: Against::Test,
            build: || {
                let mut r = region(&tiny());
                // The channel name's pool index, first thing after the pool.
                let at = after_pool(&r);
                r[at..at + 4].copy_from_slice(&0xFFFF_0000u32.to_le_bytes());
                signed(r)
            },
        },
        Case {
            file: "small_order_r.chan",
            expected: "BadSignature",
            against: Against::Test,
            build: || {
                // Satisfies cofactorless `verify`; `verify_strict` refuses a small-order R.
                let r = region(&tiny());
                let key = test_key();
                let sig = small_order_r_signature(&key, &signed_message(&r));
                with_signatures(&r, &[(key_id(&key.verifying_key()).0, sig)])
            },
        },
        Case {
            file: "weak_key_forgery.chan",
            expected: "UnknownSigner",
            against: Against::Test,
            build: || {
                // R = identity, s = 0 under the identity key: valid for any message under
                // cofactorless `verify`, and a key no trust store accepts.
                let r = region(&tiny());
                let weak = VerifyingKey::from_bytes(&IDENTITY_POINT).unwrap();
                let mut forged = [0u8; 64];
                forged[..32].copy_from_slice(&IDENTITY_POINT);
                with_signatures(&r, &[(key_id(&weak).0, forged)])
            },
        },
        Case {
            file: "unknown_signer.chan",
            expected: "UnknownSigner",
            against: Against::Test,
            build: || sign(&tiny(), &[&other_key()]).unwrap(),
        },
        Case {
            file: "no_signature.chan",
            expected: "NoSignatures",
            against: Against::Test,
            build: || {
                let mut r = region(&tiny());
                r.push(0);
                r
            },
        },
        Case {
            file: "trailing_byte.chan",
            expected: "SignatureSectionLength",
            against: Against::Test,
            build: || {
                let mut b = sign1(&tiny());
                b.push(0);
                b
            },
        },
    ]
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reject")
}

fn variant_name(e: &VerifyError) -> String {
    let debug = format!("{e:?}");
    debug
        .split([' ', '(', '{'])
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_corpus_file_is_rejected_with_its_variant() {
    let bless = std::env::var_os("WARD_BLESS").is_some();
    let dir = corpus_dir();
    let mut seen = Vec::new();
    for case in cases() {
        let path = dir.join(case.file);
        let built = (case.build)();
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &built).unwrap();
        }
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with WARD_BLESS=1 to create)", case.file));
        assert_eq!(
            bytes, built,
            "{} is out of date (WARD_BLESS=1 rewrites it)",
            case.file
        );
        let (trust, host) = match case.against {
            Against::Test => (trust(), host()),
            Against::Ipc20 => (trust(), host_for(&channel_291(), 20)),
            Against::TwoKeys => (
                TrustStore::new(
                    vec![test_key().verifying_key(), other_key().verifying_key()],
                    2,
                )
                .unwrap(),
                host(),
            ),
        };
        let err = match verify(&bytes, &trust, &host) {
            Ok(_) => panic!("{} verified", case.file),
            Err(e) => e,
        };
        assert_eq!(variant_name(&err), case.expected, "{}: {err}", case.file);
        seen.push(case.file.to_string());
    }
    // No stray files: everything in the directory is a case above.
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".chan"))
        .collect();
    on_disk.sort();
    seen.sort();
    assert_eq!(on_disk, seen);
}
