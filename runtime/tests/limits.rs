//! Every limit of limits.rs, tested at the limit (accepted) and one past it (refused by
//! the encoder, and by the decoder when a file claims it anyway).

mod common;

use common::*;
use ward_encode::{sign, testing, EncodeError};
use ward_runtime::limits::*;
use ward_runtime::*;

const MARK: u32 = 0x5A5A_5A5A;

fn plain_template(fields: usize) -> TemplateRef {
    let mut f = vec![FieldDef {
        name: "n".into(),
        ty: FieldType::U32,
    }];
    for k in 1..fields {
        f.push(FieldDef {
            name: format!("s{k}"),
            ty: FieldType::String,
        });
    }
    TemplateRef {
        id: 7,
        name: "Plain".into(),
        version: 1,
        fields: f,
    }
}

/// A channel with no enums whose one instance has id [`MARK`].
fn plain(fields: usize, inst: Instance) -> Channel {
    Channel {
        id: 1,
        name: "limits".into(),
        content_version: 1,
        template: plain_template(fields),
        enums: vec![],
        targets: vec![],
        build: BuildInfo::default(),
        instances: vec![inst],
    }
}

fn plain_instance(criteria: Vec<Criterion>) -> Instance {
    let mut i = instance(MARK, criteria);
    i.tags.clear();
    i
}

fn base() -> Channel {
    plain(2, plain_instance(vec![crit(1, Op::Eq, u(1))]))
}

/// Verifies without the time budget: these tests are about the size limits, and some of
/// their channels (thousands of regexes any input can meet) are refused by the budget
/// first (tests/cost.rs tests that).
fn check(channel: &Channel) -> Result<VerifiedChannel, VerifyError> {
    let supplied = channel.template.fields.len() as u16;
    let limits = Limits {
        max_event_cost: u64::MAX,
        ..Limits::DEFAULT
    };
    verify_with(
        &sign1(channel),
        &trust(),
        &host_for(channel, supplied),
        &limits,
    )
}

fn encode_err(channel: &Channel) -> EncodeError {
    sign(channel, &[&test_key()]).unwrap_err()
}

/// The signed region of `channel` with the little-endian count at `at(region)` raised by
/// one (without adding the element), then signed: the limit must be what refuses it.
fn bump(channel: &Channel, at: impl Fn(&[u8]) -> usize, width: usize) -> VerifyError {
    let mut region = testing::encode_unsigned(channel).unwrap();
    let i = at(&region);
    let mut buf = [0u8; 8];
    buf[..width].copy_from_slice(&region[i..i + width]);
    let n = u64::from_le_bytes(buf) + 1;
    region[i..i + width].copy_from_slice(&n.to_le_bytes()[..width]);
    let bytes = testing::sign_unchecked(region, &[&test_key()]);
    let supplied = channel.template.fields.len() as u16;
    verify(&bytes, &trust(), &host_for(channel, supplied)).unwrap_err()
}

/// Offset of the first byte after the string pool.
fn after_pool(region: &[u8]) -> usize {
    let count = u32::from_le_bytes(region[40..44].try_into().unwrap());
    let mut at = 44;
    for _ in 0..count {
        let len = u32::from_le_bytes(region[at..at + 4].try_into().unwrap()) as usize;
        at += 4 + len;
    }
    at
}

/// Offset of the instance with id [`MARK`].
fn instance_at(region: &[u8]) -> usize {
    region
        .windows(4)
        .position(|w| w == MARK.to_le_bytes())
        .unwrap()
}

fn is_limit(e: &VerifyError, name: &str) -> bool {
    matches!(e, VerifyError::LimitExceeded { what, .. } if what.contains(name))
}

#[test]
fn fields() {
    check(&plain(
        MAX_FIELDS,
        plain_instance(vec![crit(1, Op::Eq, u(1))]),
    ))
    .unwrap();
    let over = plain(MAX_FIELDS + 1, plain_instance(vec![crit(1, Op::Eq, u(1))]));
    assert!(matches!(encode_err(&over), EncodeError::Limit { .. }));
    let at = plain(MAX_FIELDS, plain_instance(vec![crit(1, Op::Eq, u(1))]));
    let e = bump(&at, |_| 32, 2);
    assert!(is_limit(&e, "field count"), "{e:?}");
}

#[test]
fn criteria_per_instance() {
    let at = plain(
        2,
        plain_instance(vec![crit(1, Op::Ge, u(1)); MAX_CRITERIA_PER_INSTANCE]),
    );
    check(&at).unwrap();
    let over = plain(
        2,
        plain_instance(vec![crit(1, Op::Ge, u(1)); MAX_CRITERIA_PER_INSTANCE + 1]),
    );
    assert!(matches!(encode_err(&over), EncodeError::Limit { .. }));
    let e = bump(&at, |r| instance_at(r) + 12, 2);
    assert!(is_limit(&e, "criteria"), "{e:?}");
}

#[test]
fn tags() {
    let mut i = plain_instance(vec![crit(1, Op::Eq, u(1))]);
    i.tags = (0..MAX_TAGS).map(|k| format!("t{k}")).collect();
    let at = plain(2, i.clone());
    check(&at).unwrap();
    i.tags.push("one more".into());
    assert!(matches!(
        encode_err(&plain(2, i)),
        EncodeError::Limit { .. }
    ));
    let e = bump(&at, |r| instance_at(r) + 10, 2);
    assert!(is_limit(&e, "tag"), "{e:?}");
}

#[test]
fn list_length() {
    let list = |n: usize| Operand::List((0..n as u64).map(Value::Uint).collect());
    let at = plain(2, plain_instance(vec![crit(1, Op::In, list(MAX_LIST_LEN))]));
    check(&at).unwrap();
    let over = plain(
        2,
        plain_instance(vec![crit(1, Op::In, list(MAX_LIST_LEN + 1))]),
    );
    assert!(matches!(encode_err(&over), EncodeError::Limit { .. }));
    // Instance header is 14 bytes with no tags; then field (2), op (1), operand tag (1).
    let e = bump(&at, |r| instance_at(r) + 14 + 4, 4);
    assert!(is_limit(&e, "list"), "{e:?}");
}

#[test]
fn string_length() {
    let at = plain(
        2,
        plain_instance(vec![crit(2, Op::Eq, s(&"x".repeat(MAX_STRING_LEN)))]),
    );
    check(&at).unwrap();
    let over = plain(
        2,
        plain_instance(vec![crit(2, Op::Eq, s(&"x".repeat(MAX_STRING_LEN + 1)))]),
    );
    assert!(matches!(encode_err(&over), EncodeError::Limit { .. }));
    // Grow the longest pool entry's length field by one.
    let e = bump(
        &at,
        |r| {
            r.windows(4)
                .position(|w| w == (MAX_STRING_LEN as u32).to_le_bytes())
                .unwrap()
        },
        4,
    );
    assert!(is_limit(&e, "string length"), "{e:?}");
}

#[test]
fn enums_and_variants() {
    let mut c = base();
    c.enums = (0..MAX_ENUMS)
        .map(|k| EnumDef {
            name: format!("E{k}"),
            variants: vec![("a".into(), 0)],
        })
        .collect();
    check(&c).unwrap();
    let e = bump(&c, |r| after_pool(r) + 8, 2);
    assert!(is_limit(&e, "enum count"), "{e:?}");
    c.enums.push(EnumDef {
        name: "more".into(),
        variants: vec![("a".into(), 0)],
    });
    assert!(matches!(encode_err(&c), EncodeError::Limit { .. }));

    let mut c = base();
    c.enums = vec![EnumDef {
        name: "Big".into(),
        variants: (0..MAX_ENUM_VARIANTS as u32)
            .map(|k| (format!("v{k}"), k))
            .collect(),
    }];
    check(&c).unwrap();
    let e = bump(&c, |r| after_pool(r) + 8 + 2 + 4, 2);
    assert!(is_limit(&e, "variant count"), "{e:?}");
    c.enums[0].variants.push(("extra".into(), 99_999));
    assert!(matches!(encode_err(&c), EncodeError::Limit { .. }));
}

#[test]
fn targets() {
    let mut c = base();
    c.targets = (0..MAX_TARGETS)
        .map(|k| Target {
            name: format!("t{k}"),
            platform: "p".into(),
            version: "1".into(),
            supplied: 2,
        })
        .collect();
    check(&c).unwrap();
    // Two fields of 5 bytes each after the names and the empty enum table.
    let e = bump(&c, |r| after_pool(r) + 8 + 2 + 10, 2);
    assert!(is_limit(&e, "target count"), "{e:?}");
    c.targets.push(c.targets[0].clone());
    assert!(matches!(encode_err(&c), EncodeError::Limit { .. }));
}

#[test]
fn instances() {
    // At the limit the encoder and the decoder accept it (verification of this size is
    // measured by the benchmarks instead).
    let mut c = base();
    c.instances = (0..MAX_INSTANCES as u32)
        .map(|k| Instance {
            id: k,
            name: String::new(),
            severity: Severity::Low,
            action: Action::Detect,
            tags: vec![],
            criteria: vec![crit(1, Op::Eq, u(1))],
        })
        .collect();
    let region = testing::encode_unsigned(&c).unwrap();
    let bytes = testing::sign_unchecked(region.clone(), &[&test_key()]);
    assert_eq!(
        decode(&bytes).unwrap().channel.instances.len(),
        MAX_INSTANCES
    );
    let count_at = region
        .windows(4)
        .position(|w| w == (MAX_INSTANCES as u32).to_le_bytes())
        .unwrap();
    let e = bump(&c, |_| count_at, 4);
    assert!(is_limit(&e, "instance count"), "{e:?}");
    c.instances.push(Instance {
        id: u32::MAX,
        ..c.instances[0].clone()
    });
    assert!(matches!(encode_err(&c), EncodeError::Limit { .. }));
}

#[test]
fn total_pattern_bytes() {
    // Distinct patterns of the maximum length, until their total passes the limit. They
    // are regexes: a glob without classes is matched without compiling, so it is not
    // charged.
    let n = MAX_TOTAL_PATTERN_BYTES / MAX_PATTERN_LEN;
    let mut c = base();
    c.instances = (0..=n as u32)
        .map(|k| {
            let mut p = format!("{k:08}");
            p.push_str(&"a".repeat(MAX_PATTERN_LEN - p.len()));
            let mut i = plain_instance(vec![crit(2, Op::Matches, pat(&p))]);
            i.id = k;
            i
        })
        .collect();
    let e = check(&c).unwrap_err();
    assert!(is_limit(&e, "total length of distinct patterns"), "{e:?}");
    c.instances.pop();
    check(&c).unwrap();
}

#[test]
fn decoded_size() {
    // Every tag is a four-byte reference to one 4 KiB pool string, and each reference
    // decodes to its own copy: a small file that would decode to a large model.
    let big = "t".repeat(MAX_STRING_LEN);
    let per_instance = MAX_TAGS * (size_of::<String>() + MAX_STRING_LEN);
    let under = (MAX_DECODED_BYTES / per_instance - 4) as u32;
    let make = |n: u32| -> Channel {
        let mut c = base();
        c.instances = (0..n)
            .map(|k| {
                let mut i = plain_instance(vec![crit(1, Op::Eq, u(1))]);
                i.id = MARK + k;
                i.tags = vec![big.clone(); MAX_TAGS];
                i
            })
            .collect();
        c
    };
    let at = make(under);
    let mut region = testing::encode_unsigned(&at).unwrap();
    assert!(region.len() < 1024 * 1024, "the file itself is small");
    let ok = testing::sign_unchecked(region.clone(), &[&test_key()]);
    assert_eq!(decode(&ok).unwrap().channel.instances.len(), under as usize);
    // The encoder refuses a few more instances.
    assert!(matches!(
        encode_err(&make(under + 8)),
        EncodeError::Limit {
            what: "the decoded size of the channel",
            ..
        }
    ));
    // A file that claims them anyway: copy the last instance eight times.
    let last = region[region.len() - (14 + 4 * MAX_TAGS + 13)..].to_vec();
    assert_eq!(&last[..4], &(MARK + under - 1).to_le_bytes());
    for k in 0..8 {
        let mut copy = last.clone();
        copy[..4].copy_from_slice(&(MARK + under + k).to_le_bytes());
        region.extend_from_slice(&copy);
    }
    let count_at = instance_at(&region) - 4;
    region[count_at..count_at + 4].copy_from_slice(&(under + 8).to_le_bytes());
    testing::fix_body_len(&mut region);
    let bytes = testing::sign_unchecked(region, &[&test_key()]);
    let e = decode(&bytes).unwrap_err();
    assert!(is_limit(&e, "decoded size"), "{e:?}");
}

#[test]
fn total_compiled_pattern_size() {
    // Short regexes whose counted repetition of a Unicode class compiles large. Whatever
    // tier they land in, at most MAX_TOTAL_REGEX_SIZE / (smallest tier they can be in)
    // fit, and the first one over the budget is refused.
    let n = 1100u32;
    let mut c = base();
    c.instances = (0..n)
        .map(|k| {
            let mut i = plain_instance(vec![crit(2, Op::Matches, pat(&format!(r"\w{{20}}{k}")))]);
            i.id = k;
            i
        })
        .collect();
    let e = check(&c).unwrap_err();
    assert!(is_limit(&e, "total compiled size"), "{e:?}");
    // However large each is, as many as the largest tier allows always fit.
    c.instances
        .truncate(MAX_TOTAL_REGEX_SIZE / REGEX_SIZE_LIMIT);
    check(&c).unwrap();
}

#[test]
fn pool_strings() {
    // Pad the pool of a small channel with empty, unreferenced entries up to the limit.
    let region = testing::encode_unsigned(&base()).unwrap();
    let count = u32::from_le_bytes(region[40..44].try_into().unwrap()) as usize;
    let end = after_pool(&region);
    let pad = |n: usize| -> Vec<u8> {
        let mut r = region[..40].to_vec();
        r.extend_from_slice(&(n as u32).to_le_bytes());
        r.extend_from_slice(&region[44..end]);
        r.extend(std::iter::repeat_n(0u8, 4 * (n - count)));
        r.extend_from_slice(&region[end..]);
        testing::fix_body_len(&mut r);
        testing::sign_unchecked(r, &[&test_key()])
    };
    decode(&pad(MAX_POOL_STRINGS)).unwrap();
    let e = decode(&pad(MAX_POOL_STRINGS + 1)).unwrap_err();
    assert!(is_limit(&e, "string pool size"), "{e:?}");
}

#[test]
fn trusted_keys() {
    let keys = |n: u8| -> Vec<VerifyingKey> {
        (0..n)
            .map(|k| SigningKey::from_bytes(&[k; 32]).verifying_key())
            .collect()
    };
    assert!(TrustStore::new(keys(MAX_TRUSTED_KEYS as u8), 1).is_ok());
    assert!(matches!(
        TrustStore::new(keys(MAX_TRUSTED_KEYS as u8 + 1), 1),
        Err(TrustError::TooManyKeys {
            count: 65,
            limit: 64
        })
    ));
}

#[test]
fn regex_nesting() {
    let nested = |n: usize| -> Channel {
        let source = format!("{}a{}", "(".repeat(n), ")".repeat(n));
        plain(2, plain_instance(vec![crit(2, Op::Matches, pat(&source))]))
    };
    let depth = REGEX_NEST_LIMIT as usize;
    check(&nested(depth)).unwrap();
    let e = check(&nested(depth + 1)).unwrap_err();
    assert!(matches!(e, VerifyError::BadRegex { .. }), "{e:?}");
}

#[test]
fn compiled_regex_size() {
    // Each Unicode `\w` costs tens of KiB compiled: twenty fit REGEX_SIZE_LIMIT (in its
    // largest tier), twenty-one do not.
    let words = |n: usize| {
        plain(
            2,
            plain_instance(vec![crit(2, Op::Matches, pat(&format!(r"\w{{{n}}}")))]),
        )
    };
    check(&words(20)).unwrap();
    assert_eq!(
        check(&words(21)).unwrap_err(),
        VerifyError::RegexTooLarge {
            // The criterion's field number: after id, name, severity, action and the
            // tag and criteria counts.
            offset: instance_at(&testing::encode_unsigned(&words(21)).unwrap()) + 14,
            instance: MARK,
            field: 2,
            limit: REGEX_SIZE_LIMIT
        }
    );
}
