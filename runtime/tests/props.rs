//! Property tests: arbitrary bytes never panic the decoder or the verifier; arbitrary
//! valid channels verify, round-trip, and evaluate arbitrary events without panicking;
//! the indexed evaluator answers exactly as the reference evaluator does; the counters
//! count exactly the work each event did, which the verifier's bound holds.

mod common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use common::*;
use proptest::prelude::*;
use ward_encode::testing;
use ward_runtime::ops::{OpDef, Shape};
use ward_runtime::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._ -]{0,8}",
        r"[\\.a-zA-Z]{0,6}",
        "\\PC{0,6}",
        // Characters whose case variants and lowercase forms are irregular: LONG S and
        // KELVIN SIGN fold to ASCII, U+0130 lowercases to two characters, sigma has a
        // final form.
        "[sSkKiI\u{17F}\u{212A}\u{130}\u{3A3}\u{3C3}\u{3C2} .]{0,6}",
    ]
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        any::<[u8; 16]>().prop_map(|b| IpAddr::V6(Ipv6Addr::from(b))),
        // Small spaces so CIDR blocks and equalities sometimes hit.
        (0u8..4).prop_map(|n| IpAddr::V4(Ipv4Addr::new(10, 0, 0, n))),
    ]
}

/// A value of the given field of [`test_template`].
fn value_of(field: u16) -> BoxedStrategy<Value> {
    let ty = test_template().fields[usize::from(field) - 1].ty;
    match ty {
        FieldType::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        FieldType::U8 => (0..=u64::from(u8::MAX)).prop_map(Value::Uint).boxed(),
        FieldType::U16 => (0..=u64::from(u16::MAX)).prop_map(Value::Uint).boxed(),
        FieldType::U32 => prop_oneof![0u64..8, 0..=u64::from(u32::MAX)]
            .prop_map(Value::Uint)
            .boxed(),
        FieldType::U64 => any::<u64>().prop_map(Value::Uint).boxed(),
        FieldType::I32 => (i64::from(i32::MIN)..=i64::from(i32::MAX))
            .prop_map(Value::Int)
            .boxed(),
        FieldType::I64 => prop_oneof![-4i64..4, any::<i64>()]
            .prop_map(Value::Int)
            .boxed(),
        FieldType::String | FieldType::Path => text().prop_map(Value::Str).boxed(),
        FieldType::Ip => ip().prop_map(Value::Ip).boxed(),
        FieldType::Sha256 => prop_oneof![Just([0u8; 32]), any::<[u8; 32]>()]
            .prop_map(Value::Sha256)
            .boxed(),
        FieldType::Enum(_) => (0u32..5).prop_map(Value::Enum).boxed(),
    }
}

/// A glob made of literal text, wildcards and well-formed classes.
fn glob() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9.\\\\]{1,3}",
            "[sSkK\u{17F}\u{212A}]{1,2}",
            Just("*".to_string()),
            Just("?".to_string()),
            Just("[*]".to_string()),
            Just("[a-f]".to_string()),
            Just("[!0-9]".to_string()),
        ],
        0..5,
    )
    .prop_map(|parts| parts.concat())
}

fn regex_source() -> impl Strategy<Value = String> {
    prop_oneof![
        text().prop_map(|t| regex_syntax::escape(&t)),
        Just(r"^\\\\\.\\pipe\\".to_string()),
        Just("[0-9a-f]{2,4}$".to_string()),
        Just("(?i)mojo|chrome".to_string()),
        Just(r"(?i)\\(NETWORK|LOCAL) SERVICE$".to_string()),
        Just("(?i)kiss(es)?".to_string()),
        Just("^a[0-9]+b".to_string()),
        Just(r"(?-i)Ab\bc".to_string()),
    ]
}

/// A criterion that is valid for the test host: an operator the field's type allows
/// (the runtime's table) and an operand of the shape its row says, of the field's type.
fn criterion() -> BoxedStrategy<Criterion> {
    (1u16..=12)
        .prop_flat_map(|field| {
            let ty = test_template().fields[usize::from(field) - 1].ty;
            let ops: Vec<&'static OpDef> = Op::allowed_on(ty).collect();
            prop::sample::select(ops).prop_flat_map(move |def| {
                let operand = match def.shape {
                    Shape::Value | Shape::Text => value_of(field).prop_map(Operand::Scalar).boxed(),
                    Shape::List => prop::collection::vec(value_of(field), 1..4)
                        .prop_map(Operand::List)
                        .boxed(),
                    Shape::Glob => glob().prop_map(Operand::Pattern).boxed(),
                    Shape::Regex => regex_source().prop_map(Operand::Pattern).boxed(),
                    Shape::Cidr => ip()
                        .prop_flat_map(|addr| {
                            let max = if addr.is_ipv4() { 32u8 } else { 128 };
                            (Just(addr), 0..=max)
                        })
                        .prop_map(|(addr, prefix)| Operand::Cidr { addr, prefix })
                        .boxed(),
                };
                operand.prop_map(move |operand| Criterion {
                    field,
                    op: def.op,
                    operand,
                })
            })
        })
        .boxed()
}

fn severity() -> impl Strategy<Value = Severity> {
    prop::sample::select(vec![
        Severity::Informational,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ])
}

/// A valid channel of the test template: 1 to 8 instances with ascending ids.
fn valid_channel() -> impl Strategy<Value = Channel> {
    channel_of(1..8)
}

/// A valid channel of the test template with `count` instances with ascending ids.
fn channel_of(count: std::ops::Range<usize>) -> impl Strategy<Value = Channel> {
    prop::collection::vec(
        (
            1u32..1000,
            text(),
            severity(),
            any::<bool>(),
            prop::collection::vec(text(), 0..3),
            prop::collection::vec(criterion(), 1..4),
        ),
        count,
    )
    .prop_map(|raw| {
        let mut id = 0u32;
        let instances = raw
            .into_iter()
            .map(|(step, name, severity, prevent, tags, criteria)| {
                id += step;
                Instance {
                    id,
                    name,
                    severity,
                    action: if prevent {
                        Action::Prevent
                    } else {
                        Action::Detect
                    },
                    tags,
                    criteria,
                }
            })
            .collect();
        channel_with(instances)
    })
}

fn valid_event() -> impl Strategy<Value = Vec<Value>> {
    (1u16..=12).map(value_of).collect::<Vec<_>>()
}

/// Any value at all, typed or not, for the interpreter's input checks.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::Uint),
        any::<i64>().prop_map(Value::Int),
        text().prop_map(Value::Str),
        ip().prop_map(Value::Ip),
        any::<[u8; 32]>().prop_map(Value::Sha256),
        any::<u32>().prop_map(Value::Enum),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode(&bytes);
        let _ = verify(&bytes, &trust(), &host());
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_header_never_panic(
        tail in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        // A real header with a body of random bytes, signed: structure decoding sees it.
        let mut region = testing::encode_unsigned(&small_channel()).unwrap();
        region.truncate(40);
        region.extend_from_slice(&tail);
        testing::fix_body_len(&mut region);
        let bytes = testing::sign_unchecked(region, &[&test_key()]);
        let _ = decode(&bytes);
        let _ = verify(&bytes, &trust(), &host());
    }

    #[test]
    fn mutated_signed_channels_never_panic(
        channel in valid_channel(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        // Mutate the signed region and re-sign, so structure and semantics (not only the
        // signature check) see the damage. Every outcome is a value, never a panic.
        let mut region = testing::encode_unsigned(&channel).unwrap();
        for (at, byte, kind) in edits {
            let i = at.index(region.len());
            match kind {
                0 => region[i] = byte,
                1 => region.insert(i, byte),
                _ => { region.remove(i); }
            }
        }
        let bytes = testing::sign_unchecked(region, &[&test_key()]);
        let _ = decode(&bytes);
        if let Ok(v) = verify(&bytes, &trust(), &host()) {
            let _ = v.evaluate(&event());
        }
    }

    #[test]
    fn valid_channels_round_trip_and_verify(channel in valid_channel()) {
        let bytes = sign1(&channel);
        let decoded = decode(&bytes).unwrap();
        prop_assert_eq!(&decoded.channel, &channel);
        prop_assert_eq!(sign1(&decoded.channel), bytes.clone());
        let v = verify(&bytes, &trust(), &host());
        prop_assert!(v.as_ref().is_ok_and(|v| v.describes(&channel)), "{:?}", v.err());
    }

    #[test]
    fn valid_channels_evaluate_valid_events(channel in valid_channel(), events in prop::collection::vec(valid_event(), 1..8)) {
        let v = verify(&sign1(&channel), &trust(), &host()).unwrap();
        for event in events {
            let matches = v.evaluate(&event).unwrap();
            let ids: Vec<u32> = matches.iter().map(|m| m.instance).collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(ids, sorted);
        }
    }

    #[test]
    fn arbitrary_events_never_panic(channel in valid_channel(), event in prop::collection::vec(any_value(), 0..16)) {
        let v = verify(&sign1(&channel), &trust(), &host()).unwrap();
        let _ = v.evaluate(&event);
    }
}

/// A value for `field` built from an operand of the channel, then altered the way a
/// near miss is: case changed, LONG S and KELVIN SIGN swapped in, cut short at either
/// end, padded, emptied, or an integer moved by one. `None` if the result does not fit
/// the field.
fn near(field: u16, operand: &Operand, pick: usize, how: u8) -> Option<Value> {
    let ty = test_template().fields[usize::from(field) - 1].ty;
    let base = match operand {
        Operand::Scalar(v) => v.clone(),
        Operand::List(vs) => vs[pick % vs.len()].clone(),
        // The pattern's text with its wildcards taken out: often a match, or nearly.
        Operand::Pattern(p) => Value::Str(
            p.chars()
                .filter(|c| !"*?[]!^$()|+{}\\".contains(*c))
                .collect(),
        ),
        Operand::Cidr { addr, .. } => Value::Ip(*addr),
    };
    let value = match base {
        Value::Str(t) => Value::Str(match how % 9 {
            0 => t,
            1 => t.to_uppercase(),
            2 => t.to_lowercase(),
            3 => t
                .chars()
                .map(|c| match c {
                    's' | 'S' => '\u{17F}',
                    'k' | 'K' => '\u{212A}',
                    c if c.is_lowercase() => c.to_uppercase().next().unwrap_or(c),
                    c => c.to_lowercase().next().unwrap_or(c),
                })
                .collect(),
            4 => {
                let mut t = t;
                t.pop();
                t
            }
            5 => t.chars().skip(1).collect(),
            6 => format!("x{t}"),
            7 => format!("{t}X"),
            _ => String::new(),
        }),
        Value::Uint(n) => Value::Uint(match how % 3 {
            0 => n,
            1 => n.wrapping_add(1),
            _ => n.wrapping_sub(1),
        }),
        Value::Int(n) => Value::Int(match how % 3 {
            0 => n,
            1 => n.wrapping_add(1),
            _ => n.wrapping_sub(1),
        }),
        Value::Ip(IpAddr::V4(a)) if how % 2 == 1 => {
            Value::Ip(IpAddr::V4(Ipv4Addr::from(u32::from(a) ^ 1 << (how % 32))))
        }
        Value::Ip(IpAddr::V6(a)) if how % 2 == 1 => {
            Value::Ip(IpAddr::V6(Ipv6Addr::from(u128::from(a) ^ 1 << (how % 128))))
        }
        other => other,
    };
    let fits = match (ty, &value) {
        (FieldType::U8, Value::Uint(n)) => *n <= u64::from(u8::MAX),
        (FieldType::U16, Value::Uint(n)) => *n <= u64::from(u16::MAX),
        (FieldType::U32, Value::Uint(n)) => *n <= u64::from(u32::MAX),
        (FieldType::I32, Value::Int(n)) => i32::try_from(*n).is_ok(),
        _ => true,
    };
    fits.then_some(value)
}

/// Which criterion's operand to take (and which list element), and how to alter it.
type Aim = (prop::sample::Index, usize, u8);

/// Events aimed at `channel`: a random valid event with some inputs replaced by near
/// misses of the channel's own operands.
fn aimed_events(channel: &Channel, raw: Vec<(Vec<Value>, Vec<Aim>)>) -> Vec<Vec<Value>> {
    let criteria: Vec<&Criterion> = channel.instances.iter().flat_map(|i| &i.criteria).collect();
    raw.into_iter()
        .map(|(mut event, changes)| {
            for (at, pick, how) in changes {
                let c = criteria[at.index(criteria.len())];
                if let Some(v) = near(c.field, &c.operand, pick, how) {
                    event[usize::from(c.field) - 1] = v;
                }
            }
            event
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_index_answers_as_the_reference_does(
        channel in channel_of(1..40),
        raw in prop::collection::vec(
            (valid_event(), prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, any::<u8>()), 0..4)),
            1..12,
        ),
        odd in prop::collection::vec(prop::collection::vec(any_value(), 12), 0..2),
    ) {
        let v = verify(&sign1(&channel), &trust(), &host()).unwrap();
        for event in aimed_events(&channel, raw).into_iter().chain(odd) {
            prop_assert_eq!(v.evaluate(&event), v.evaluate_reference(&event), "event {:?}", event);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The counters (counters.rs) against the work each evaluation reports: every
    /// event's work is within the verifier's bound, and the channel's counters are the
    /// count, sum, worst and matches of exactly the events it evaluated (a refused
    /// event is not counted).
    #[test]
    fn the_counters_count_the_work_the_bound_allows(
        channel in channel_of(1..40),
        raw in prop::collection::vec(
            (valid_event(), prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, any::<u8>()), 0..4)),
            1..12,
        ),
        odd in prop::collection::vec(prop::collection::vec(any_value(), 12), 0..2),
    ) {
        let v = verify(&sign1(&channel), &trust(), &host()).unwrap();
        let mut buffer = EvalBuffer::new();
        let (mut events, mut total, mut worst, mut matches) = (0u64, 0u64, 0u64, 0u64);
        let mut clock = 0u64;
        for (n, event) in aimed_events(&channel, raw).into_iter().chain(odd).enumerate() {
            // Every other event timed, by a clock that advances 7 ns per reading.
            let result = if n % 2 == 0 {
                v.evaluate_into(&event, &mut buffer).map(<[Match]>::len)
            } else {
                v.evaluate_timed(&event, &mut buffer, &mut || { clock += 7; clock })
                    .map(<[Match]>::len)
            };
            let Ok(found) = result else { continue };
            let bound = v.cost_bound().at(longest_text_input(&event));
            prop_assert!(buffer.work() <= bound, "work {} over the bound {}", buffer.work(), bound);
            events += 1;
            total += buffer.work();
            worst = worst.max(buffer.work());
            matches += found as u64;
        }
        let c = v.counters();
        prop_assert_eq!((c.events, c.cost_total, c.cost_worst, c.matches), (events, total, worst, matches));
        prop_assert_eq!(c.cost_quantile(1000), worst);
        prop_assert_eq!(c.memory_bytes, v.memory_bytes() as u64);
        prop_assert_eq!(c.nanos_total, 7 * c.timed_events);
        prop_assert!(c.timed_events <= c.events);
    }
}
