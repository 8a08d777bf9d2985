//! Validly signed files with malformed contents: a signature is not validity (DESIGN.md
//! invariant 2). Files are built by hand, byte by byte after docs/channel-format.md, or
//! through the encoder (which checks framing, not meaning), then signed with the trusted
//! key; the verifier must still refuse each with its own error.

mod common;

use common::*;
use ward_encode::testing;
use ward_runtime::limits::*;
use ward_runtime::*;

// ---- A hand-written encoder, independent of the crate's, following the spec ----

const POOL: [&str; 4] = ["chan", "tmpl", "field", "inst"];

/// The signed region of a channel with template 7 v3, the given field type bytes, no
/// targets, and `instances` (their count written as `count`).
fn region(types: &[&[u8]], enums: &[u8], count: u32, instances: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(b"WARDCHAN");
    f.extend_from_slice(&1u16.to_le_bytes());
    f.extend_from_slice(&0u16.to_le_bytes());
    f.extend_from_slice(&5u32.to_le_bytes()); // channel id
    f.extend_from_slice(&1u64.to_le_bytes()); // content version
    f.extend_from_slice(&7u32.to_le_bytes()); // template id
    f.extend_from_slice(&3u32.to_le_bytes()); // template version
    f.extend_from_slice(&(types.len() as u16).to_le_bytes());
    f.extend_from_slice(&0u16.to_le_bytes());
    f.extend_from_slice(&0u32.to_le_bytes()); // body length, fixed below
    f.extend_from_slice(&(POOL.len() as u32).to_le_bytes());
    for s in POOL {
        f.extend_from_slice(&(s.len() as u32).to_le_bytes());
        f.extend_from_slice(s.as_bytes());
    }
    f.extend_from_slice(&0u32.to_le_bytes()); // channel name
    f.extend_from_slice(&1u32.to_le_bytes()); // template name
    f.extend_from_slice(enums);
    for ty in types {
        f.extend_from_slice(&2u32.to_le_bytes());
        f.extend_from_slice(ty);
    }
    f.extend_from_slice(&0u16.to_le_bytes()); // targets
    f.extend_from_slice(&0u32.to_le_bytes()); // compiler
    f.extend_from_slice(&[0u8; 32]); // source hash
    f.extend_from_slice(&count.to_le_bytes());
    f.extend_from_slice(instances);
    testing::fix_body_len(&mut f);
    f
}

const NO_ENUMS: &[u8] = &[0, 0];

fn inst(id: u32, criteria: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&id.to_le_bytes());
    v.extend_from_slice(&3u32.to_le_bytes()); // name
    v.push(4); // high
    v.push(1); // detect
    v.extend_from_slice(&0u16.to_le_bytes()); // tags
    v.extend_from_slice(&(criteria.len() as u16).to_le_bytes());
    for c in criteria {
        v.extend_from_slice(c);
    }
    v
}

fn crit(field: u16, op: u8, operand: &[u8]) -> Vec<u8> {
    let mut v = field.to_le_bytes().to_vec();
    v.push(op);
    v.extend_from_slice(operand);
    v
}

/// Scalar unsigned operand.
fn uint(n: u64) -> Vec<u8> {
    let mut v = vec![1, 2];
    v.extend_from_slice(&n.to_le_bytes());
    v
}

fn signed(region: Vec<u8>) -> Vec<u8> {
    testing::sign_unchecked(region, &[&test_key()])
}

const U32: &[u8] = &[4];
const STRING: &[u8] = &[8];

/// Host for the hand-built template: fields of type u32, string.
fn hand_host() -> SensorProfile {
    SensorProfile {
        name: "hand".into(),
        templates: vec![HostTemplate {
            id: 7,
            version: 3,
            supplied: 2,
            fields: vec![
                FieldDef {
                    name: "a".into(),
                    ty: FieldType::U32,
                },
                FieldDef {
                    name: "b".into(),
                    ty: FieldType::String,
                },
            ],
            enums: vec![],
        }],
    }
}

fn check(region: Vec<u8>) -> Result<VerifiedChannel, VerifyError> {
    verify(&signed(region), &trust(), &hand_host())
}

#[test]
fn the_hand_built_file_is_valid() {
    let good = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(1, 1, &uint(4))]),
    );
    check(good.clone()).unwrap();
    let decoded = decode(&signed(good.clone())).unwrap();
    assert_eq!(
        decoded.channel.instances[0].criteria[0].operand,
        Operand::Scalar(Value::Uint(4))
    );
    // The crate's encoder writes the very same bytes for the decoded model.
    assert_eq!(testing::encode_unsigned(&decoded.channel).unwrap(), good);
}

#[test]
fn counts_past_the_end() {
    // The instance count says two; there is one.
    let r = region(
        &[U32, STRING],
        NO_ENUMS,
        2,
        &inst(1, &[crit(1, 1, &uint(4))]),
    );
    assert!(matches!(check(r), Err(VerifyError::Truncated { .. })));
    // A list length past the end.
    let mut list = vec![2u8];
    list.extend_from_slice(&1000u32.to_le_bytes());
    list.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 0, 0]);
    let r = region(&[U32, STRING], NO_ENUMS, 1, &inst(1, &[crit(1, 7, &list)]));
    assert!(matches!(
        check(r),
        Err(VerifyError::Truncated {
            what: "a list length",
            ..
        })
    ));
    // A criteria count past the end.
    let mut i = inst(1, &[crit(1, 1, &uint(4))]);
    i[12] = 9;
    let r = region(&[U32, STRING], NO_ENUMS, 1, &i);
    assert!(matches!(check(r), Err(VerifyError::Truncated { .. })));
    // A huge instance count is refused by its limit before anything is allocated.
    let r = region(
        &[U32, STRING],
        NO_ENUMS,
        u32::MAX,
        &inst(1, &[crit(1, 1, &uint(4))]),
    );
    assert!(matches!(
        check(r),
        Err(VerifyError::LimitExceeded {
            what: "the instance count",
            ..
        })
    ));
}

#[test]
fn a_string_length_that_overflows_is_refused() {
    let mut r = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(1, 1, &uint(4))]),
    );
    // First pool entry's length (after the pool count at byte 40).
    r[44..48].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        check(r),
        Err(VerifyError::LimitExceeded {
            what: "a string length",
            offset: 44,
            ..
        })
    ));
}

#[test]
fn a_string_index_past_the_pool() {
    let mut i = inst(1, &[crit(1, 1, &uint(4))]);
    i[4..8].copy_from_slice(&99u32.to_le_bytes());
    let r = region(&[U32, STRING], NO_ENUMS, 1, &i);
    assert!(matches!(
        check(r),
        Err(VerifyError::StringIndexOutOfRange {
            index: 99,
            pool_len: 4,
            ..
        })
    ));
}

#[test]
fn unknown_tags() {
    let good_inst = inst(1, &[crit(1, 1, &uint(4))]);
    let r = region(&[U32, &[13]], NO_ENUMS, 1, &good_inst);
    assert!(matches!(
        check(r),
        Err(VerifyError::UnknownTypeTag { tag: 13, .. })
    ));
    let r = region(&[U32, &[0]], NO_ENUMS, 1, &good_inst);
    assert!(matches!(
        check(r),
        Err(VerifyError::UnknownTypeTag { tag: 0, .. })
    ));
    let r = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(1, 21, &uint(4))]),
    );
    assert!(matches!(
        check(r),
        Err(VerifyError::UnknownOpTag {
            tag: 21,
            instance: 1,
            ..
        })
    ));
    let r = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(1, 0, &uint(4))]),
    );
    assert!(matches!(
        check(r),
        Err(VerifyError::UnknownOpTag { tag: 0, .. })
    ));
    let r = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(1, 1, &[5, 0])]),
    );
    assert!(matches!(
        check(r),
        Err(VerifyError::UnknownOperandTag { tag: 5, .. })
    ));
    let r = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(1, 1, &[1, 8, 0])]),
    );
    assert!(matches!(
        check(r),
        Err(VerifyError::UnknownValueTag { tag: 8, .. })
    ));
    let r = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(1, 1, &[1, 1, 2])]),
    );
    assert!(matches!(
        check(r),
        Err(VerifyError::InvalidBool { byte: 2, .. })
    ));
    let r = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(1, 1, &[1, 5, 5, 0, 0, 0, 0])]),
    );
    assert!(matches!(
        check(r),
        Err(VerifyError::UnknownIpFamily { tag: 5, .. })
    ));
    let mut i = good_inst.clone();
    i[8] = 6;
    let r = region(&[U32, STRING], NO_ENUMS, 1, &i);
    assert!(matches!(
        check(r),
        Err(VerifyError::UnknownSeverity { tag: 6, .. })
    ));
    let mut i = good_inst.clone();
    i[9] = 0;
    let r = region(&[U32, STRING], NO_ENUMS, 1, &i);
    assert!(matches!(
        check(r),
        Err(VerifyError::UnknownAction { tag: 0, .. })
    ));
}

#[test]
fn enum_tables() {
    let good_inst = inst(1, &[crit(1, 1, &uint(4))]);
    // An enum field type pointing at an enum that is not declared.
    let r = region(&[U32, &[12, 0, 0]], NO_ENUMS, 1, &good_inst);
    assert!(matches!(
        check(r),
        Err(VerifyError::EnumIndexOutOfRange {
            index: 0,
            enums: 0,
            ..
        })
    ));
    // An enum without variants.
    let mut e = 1u16.to_le_bytes().to_vec();
    e.extend_from_slice(&2u32.to_le_bytes());
    e.extend_from_slice(&0u16.to_le_bytes());
    let r = region(&[U32, STRING], &e, 1, &good_inst);
    assert!(matches!(check(r), Err(VerifyError::EmptyEnum { .. })));
    // The same variant value twice.
    let mut e = 1u16.to_le_bytes().to_vec();
    e.extend_from_slice(&2u32.to_le_bytes());
    e.extend_from_slice(&2u16.to_le_bytes());
    for name in [2u32, 3] {
        e.extend_from_slice(&name.to_le_bytes());
        e.extend_from_slice(&0u32.to_le_bytes());
    }
    let r = region(&[U32, STRING], &e, 1, &good_inst);
    assert!(matches!(
        check(r),
        Err(VerifyError::DuplicateVariant { .. })
    ));
}

#[test]
fn field_zero_or_past_the_template() {
    let r = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(0, 1, &uint(4))]),
    );
    assert!(matches!(
        check(r),
        Err(VerifyError::FieldOutOfTemplate {
            field: 0,
            fields: 2,
            instance: 1,
            ..
        })
    ));
    let r = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(3, 1, &uint(4))]),
    );
    assert!(matches!(
        check(r),
        Err(VerifyError::FieldOutOfTemplate { field: 3, .. })
    ));
    // Through the encoder too.
    let channel = channel_with(vec![instance(1, vec![common::crit(0, Op::Eq, u(1))])]);
    assert!(matches!(
        verify(&sign1(&channel), &trust(), &host()),
        Err(VerifyError::FieldOutOfTemplate { field: 0, .. })
    ));
    let channel = channel_with(vec![instance(1, vec![common::crit(13, Op::Eq, u(1))])]);
    assert!(matches!(
        verify(&sign1(&channel), &trust(), &host()),
        Err(VerifyError::FieldOutOfTemplate {
            field: 13,
            fields: 12,
            ..
        })
    ));
}

#[test]
fn duplicate_and_unordered_instance_ids() {
    let c = [crit(1, 1, &uint(4))];
    let mut two = inst(9, &c);
    two.extend_from_slice(&inst(9, &c));
    let r = region(&[U32, STRING], NO_ENUMS, 2, &two);
    assert!(matches!(
        check(r),
        Err(VerifyError::DuplicateInstance { id: 9, .. })
    ));
    let mut two = inst(9, &c);
    two.extend_from_slice(&inst(8, &c));
    let r = region(&[U32, STRING], NO_ENUMS, 2, &two);
    assert!(matches!(
        check(r),
        Err(VerifyError::InstanceOrder {
            id: 8,
            previous: 9,
            ..
        })
    ));
}

#[test]
fn trailing_bytes_inside_the_body() {
    let mut i = inst(1, &[crit(1, 1, &uint(4))]);
    i.push(0);
    let r = region(&[U32, STRING], NO_ENUMS, 1, &i);
    assert!(matches!(
        check(r),
        Err(VerifyError::TrailingBytes { count: 1, .. })
    ));
}

#[test]
fn invalid_utf8_in_the_pool() {
    let mut r = region(
        &[U32, STRING],
        NO_ENUMS,
        1,
        &inst(1, &[crit(1, 1, &uint(4))]),
    );
    r[48] = 0xff; // first byte of "chan"
    assert!(matches!(
        check(r),
        Err(VerifyError::InvalidUtf8 { offset: 48 })
    ));
}

// ---- Semantic errors, through the encoder ----

fn reject(criteria: Vec<Criterion>) -> VerifyError {
    let channel = channel_with(vec![instance(1, criteria)]);
    verify(&sign1(&channel), &trust(), &host()).unwrap_err()
}

#[test]
fn operand_of_the_wrong_type() {
    assert!(matches!(
        reject(vec![common::crit(PID, Op::Eq, s("4"))]),
        VerifyError::OperandType {
            field: PID,
            found: "a string",
            ..
        }
    ));
    assert!(matches!(
        reject(vec![common::crit(DELTA, Op::Eq, u(4))]),
        VerifyError::OperandType { field: DELTA, .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(REMOTE, Op::Eq, u(1))]),
        VerifyError::OperandType { .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(
            PID,
            Op::In,
            Operand::List(vec![Value::Uint(1), Value::Str("x".into())])
        )]),
        VerifyError::OperandType { .. }
    ));
}

#[test]
fn operand_out_of_range() {
    assert!(matches!(
        reject(vec![common::crit(SMALL, Op::Eq, u(256))]),
        VerifyError::OperandOutOfRange { field: SMALL, .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(PORT, Op::Lt, u(65_536))]),
        VerifyError::OperandOutOfRange { .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(
            OFFSET,
            Op::Gt,
            i(i64::from(i32::MAX) + 1)
        )]),
        VerifyError::OperandOutOfRange { .. }
    ));
}

#[test]
fn unknown_enum_variant() {
    assert!(matches!(
        reject(vec![common::crit(
            INTEGRITY,
            Op::Eq,
            Operand::Scalar(Value::Enum(5))
        )]),
        VerifyError::UnknownEnumVariant { value: 5, .. }
    ));
}

#[test]
fn operator_not_allowed_and_wrong_shape() {
    assert!(matches!(
        reject(vec![common::crit(IMAGE, Op::Lt, s("a"))]),
        VerifyError::OperatorNotAllowed { op: Op::Lt, .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(PID, Op::Glob, pat("*"))]),
        VerifyError::OperatorNotAllowed { op: Op::Glob, .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(
            REMOTE,
            Op::In,
            Operand::List(vec![Value::Bool(true)])
        )]),
        VerifyError::OperatorNotAllowed { .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(PIPE, Op::Within, cidr("10.0.0.0", 8))]),
        VerifyError::OperatorNotAllowed { .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(PIPE, Op::Glob, s("*"))]),
        VerifyError::OperandShape {
            expected: "a pattern",
            ..
        }
    ));
    assert!(matches!(
        reject(vec![common::crit(PID, Op::In, u(1))]),
        VerifyError::OperandShape { .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(
            PID,
            Op::Eq,
            Operand::List(vec![Value::Uint(1)])
        )]),
        VerifyError::OperandShape { .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(ADDR, Op::Within, u(1))]),
        VerifyError::OperandShape { .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(PIPE, Op::Contains, pat("x"))]),
        VerifyError::OperandShape { .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(PID, Op::In, Operand::List(vec![]))]),
        VerifyError::EmptyList { .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(ADDR, Op::Within, cidr("10.0.0.0", 33))]),
        VerifyError::BadCidrPrefix {
            prefix: 33,
            max: 32,
            ..
        }
    ));
    assert!(matches!(
        reject(vec![common::crit(ADDR, Op::Within, cidr("::", 129))]),
        VerifyError::BadCidrPrefix {
            prefix: 129,
            max: 128,
            ..
        }
    ));
}

#[test]
fn patterns() {
    assert!(matches!(
        reject(vec![common::crit(
            PIPE,
            Op::Matches,
            pat(r"\w{1000}\w{1000}")
        )]),
        VerifyError::RegexTooLarge {
            limit: REGEX_SIZE_LIMIT,
            ..
        }
    ));
    assert!(matches!(
        reject(vec![common::crit(PIPE, Op::Matches, pat("(unclosed"))]),
        VerifyError::BadRegex { .. }
    ));
    assert!(matches!(
        reject(vec![common::crit(PIPE, Op::Glob, pat("[unclosed"))]),
        VerifyError::BadGlob { .. }
    ));
    let long = "a".repeat(MAX_PATTERN_LEN + 1);
    assert!(matches!(
        reject(vec![common::crit(PIPE, Op::Glob, pat(&long))]),
        VerifyError::PatternTooLong {
            len: 1025,
            limit: 1024,
            ..
        }
    ));
    // At the limit it compiles.
    let at = "a".repeat(MAX_PATTERN_LEN);
    let channel = channel_with(vec![instance(
        1,
        vec![common::crit(PIPE, Op::Glob, pat(&at))],
    )]);
    verify(&sign1(&channel), &trust(), &host()).unwrap();
}

#[test]
fn zero_criteria() {
    let channel = channel_with(vec![instance(4, vec![])]);
    let bytes = sign1(&channel);
    assert!(
        decode(&bytes).is_ok(),
        "decode is for reading; it does not judge meaning"
    );
    assert!(matches!(
        verify(&bytes, &trust(), &host()),
        Err(VerifyError::NoCriteria { instance: 4, .. })
    ));
}

#[test]
fn host_profile_mismatches() {
    let bytes = sign1(&small_channel());
    let mut h = host();
    h.templates[0].id = 8;
    assert!(matches!(
        verify(&bytes, &trust(), &h),
        Err(VerifyError::TemplateNotSupported { template: 7, .. })
    ));
    let mut h = host();
    h.templates[0].version = 4;
    assert_eq!(
        verify(&bytes, &trust(), &h).unwrap_err(),
        VerifyError::TemplateVersionMismatch {
            offset: 28,
            template: 7,
            channel: 3,
            host: 4
        }
    );
    let mut h = host();
    h.templates[0].fields[2].ty = FieldType::U64;
    assert!(matches!(
        verify(&bytes, &trust(), &h),
        Err(VerifyError::FieldTypeMismatch { field: 3, .. })
    ));
    let mut h = host();
    h.templates[0].enums[0].variants.pop();
    assert!(matches!(
        verify(&bytes, &trust(), &h),
        Err(VerifyError::FieldTypeMismatch { field: 8, .. })
    ));
    let mut h = host();
    h.templates[0].supplied = 13;
    assert!(matches!(
        verify(&bytes, &trust(), &h),
        Err(VerifyError::HostProfileInvalid { .. })
    ));
}

#[test]
fn semantic_errors_carry_the_criterion_offset() {
    let channel = channel_with(vec![instance(1, vec![common::crit(PID, Op::Eq, s("x"))])]);
    let bytes = sign1(&channel);
    let VerifyError::OperandType { offset, .. } = verify(&bytes, &trust(), &host()).unwrap_err()
    else {
        panic!("wrong error")
    };
    // The criterion starts with its field number, little-endian.
    assert_eq!(&bytes[offset..offset + 2], &PID.to_le_bytes());
    assert_eq!(bytes[offset + 2], 1, "the Eq operator tag follows");
}
