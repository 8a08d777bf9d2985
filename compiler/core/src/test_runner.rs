//! `ward test`: runs every test block through the runtime interpreter, and exercises every
//! channel's template on every sensor it targets, as channel 291 never was.
//!
//! Channels are built exactly as `ward build` builds them (lowered, signed, verified by the
//! runtime for each targeted sensor), signed with a fixed throwaway key since nothing is
//! written. Each test event is evaluated on every targeted sensor with only the inputs that
//! sensor supplies. The exercise then checks, per channel and sensor, that an instance with
//! a criterion on every supplied field verifies and evaluates edge-value events without
//! error, and that a criterion on each unsupplied field is refused by both the compiler
//! (E0300) and the verifier (`FieldNotSupplied`).

use std::net::IpAddr;

use ward_runtime::model::{
    self, Action, Criterion, FieldType, Instance, Op, Operand, Severity, Value,
};
use ward_runtime::{verify, SigningKey, TrustStore, VerifiedChannel, VerifyError};

use crate::events;
use crate::hir::{ChannelId, Loc, Program, SensorId};
use crate::lower;
use crate::sources::{Origin, Sources};
use crate::Code;

/// What one case found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed(String),
}

/// One test block on one sensor, or one exercise of a channel on one sensor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// `test "name"`, or `exercise Channel`.
    pub name: String,
    pub sensor: String,
    /// Where to look when it fails: the test's name, or the channel's.
    pub loc: Loc,
    pub outcome: Outcome,
}

impl Case {
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }
}

/// The key test builds are signed with: fixed, since nothing they sign leaves the process.
pub(crate) fn throwaway_key() -> SigningKey {
    SigningKey::from_bytes(&[0x57; 32])
}

/// A channel of the program, built and verified for each of its targets.
#[derive(Debug)]
pub struct Built {
    pub channel: model::Channel,
    /// `(sensor, verified channel or why it could not be built or verified)`.
    pub verified: Vec<(SensorId, Result<VerifiedChannel, String>)>,
}

/// Every channel of the program, built as `ward build` builds it, in program order.
pub fn build_all(program: &Program, sources: &Sources) -> Vec<Built> {
    let key = throwaway_key();
    let Ok(trust) = TrustStore::with_keys(vec![key.verifying_key()]) else {
        return Vec::new();
    };
    (0..program.channels.len())
        .map(|i| build(program, sources, ChannelId(i), &key, &trust))
        .collect()
}

fn build(
    program: &Program,
    sources: &Sources,
    cid: ChannelId,
    key: &SigningKey,
    trust: &TrustStore,
) -> Built {
    let channel = lower::channel(program, sources, cid);
    let bytes = ward_encode::sign(&channel, &[key]);
    let verified = program
        .channel(cid)
        .targets
        .iter()
        .map(|t| {
            let profile = lower::sensor_profile(program, t.sensor);
            let result = match &bytes {
                Ok(bytes) => verify(bytes, trust, &profile).map_err(|e| e.to_string()),
                Err(e) => Err(format!("it cannot be encoded: {e}")),
            };
            (t.sensor, result)
        })
        .collect();
    Built { channel, verified }
}

/// Runs the test blocks and the exercise of a checked, error-free program on its channels
/// as [`build_all`] built them.
pub fn run(program: &Program, sources: &Sources, built: &[Built]) -> Vec<Case> {
    let key = throwaway_key();
    let Ok(trust) = TrustStore::with_keys(vec![key.verifying_key()]) else {
        return Vec::new();
    };
    let mut cases = Vec::new();
    for test in &program.tests {
        let b = &built[test.channel.0];
        for (sensor, verified) in &b.verified {
            let outcome = match verified {
                Err(e) => Outcome::Failed(format!("the channel does not verify: {e}")),
                Ok(v) => run_test(v, &b.channel, &test.event, &test.expect),
            };
            cases.push(Case {
                name: format!("test \"{}\"", test.name),
                sensor: program.sensor(*sensor).name.clone(),
                loc: test.loc,
                outcome,
            });
        }
    }
    let mut probes = Probes::new(program);
    for (i, b) in built.iter().enumerate() {
        let ch = program.channel(ChannelId(i));
        for (sensor, verified) in &b.verified {
            let outcome = match verified {
                Err(e) => Outcome::Failed(format!("the channel does not verify: {e}")),
                Ok(v) => exercise(program, *sensor, v.supplied(), &b.channel, &key, &trust),
            };
            if outcome == Outcome::Passed {
                probes.add(
                    cases.len(),
                    program,
                    ChannelId(i),
                    *sensor,
                    supplied_of(verified),
                    &b.channel,
                );
            }
            cases.push(Case {
                name: format!("exercise {}", ch.name),
                sensor: program.sensor(*sensor).name.clone(),
                loc: ch.loc,
                outcome,
            });
        }
    }
    probes.check(sources, &mut cases);
    cases
}

fn supplied_of(verified: &Result<VerifiedChannel, String>) -> u16 {
    verified.as_ref().map_or(0, VerifiedChannel::supplied)
}

fn run_test(
    v: &VerifiedChannel,
    channel: &model::Channel,
    event: &[(u16, Value)],
    expect: &[u32],
) -> Outcome {
    let inputs = events::inputs(events::Shape::of_verified(v), event);
    match v.evaluate(&inputs) {
        Err(e) => Outcome::Failed(format!("evaluation failed: {e}")),
        Ok(matches) => {
            let got: Vec<u32> = matches.iter().map(|m| m.instance).collect();
            if got == expect {
                Outcome::Passed
            } else {
                let names = |ids: &[u32]| -> String {
                    let names: Vec<&str> = ids
                        .iter()
                        .filter_map(|id| channel.instances.iter().find(|i| i.id == *id))
                        .map(|i| i.name.as_str())
                        .collect();
                    format!("[{}]", names.join(", "))
                };
                Outcome::Failed(format!(
                    "expected {}, matched {}",
                    names(expect),
                    names(&got)
                ))
            }
        }
    }
}

/// The runtime half of the exercise of one channel's template on one sensor; the
/// compiler half is in [`Probes`].
fn exercise(
    program: &Program,
    sensor: SensorId,
    supplied: u16,
    channel: &model::Channel,
    key: &SigningKey,
    trust: &TrustStore,
) -> Outcome {
    let profile = lower::sensor_profile(program, sensor);
    let fields = &channel.template.fields;
    // One instance reading every supplied input.
    let every_field = Instance {
        id: 1,
        name: "every_supplied_field".into(),
        severity: Severity::Informational,
        action: Action::Detect,
        tags: Vec::new(),
        criteria: fields
            .iter()
            .take(usize::from(supplied))
            .enumerate()
            .map(|(i, f)| {
                reads(
                    u16::try_from(i + 1).unwrap_or(u16::MAX),
                    f.ty,
                    &channel.enums,
                )
            })
            .collect(),
    };
    let probe = model::Channel {
        instances: vec![every_field],
        ..channel.clone()
    };
    let verified = match ward_encode::sign(&probe, &[key])
        .map_err(|e| e.to_string())
        .and_then(|b| verify(&b, trust, &profile).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            return Outcome::Failed(format!(
                "an instance reading every supplied input does not verify: {e}"
            ))
        }
    };
    for (n, inputs) in edge_events(&probe, supplied).enumerate() {
        if let Err(e) = verified.evaluate(&inputs) {
            return Outcome::Failed(format!("edge-value event {n} does not evaluate: {e}"));
        }
    }
    // Every input the sensor does not supply must be refused twice over.
    for field in (supplied + 1)..=u16::try_from(fields.len()).unwrap_or(u16::MAX) {
        let f = &fields[usize::from(field) - 1];
        let past = model::Channel {
            instances: vec![Instance {
                criteria: vec![reads(field, f.ty, &channel.enums)],
                ..probe.instances[0].clone()
            }],
            ..channel.clone()
        };
        let refused = ward_encode::sign(&past, &[key])
            .map(|b| matches!(verify(&b, trust, &profile), Err(VerifyError::FieldNotSupplied { field: x, .. }) if x == field))
            .unwrap_or(false);
        if !refused {
            return Outcome::Failed(format!(
                "the verifier accepted a criterion on input {field} (`{}`), which `{}` does not supply",
                f.name, profile.name
            ));
        }
    }
    Outcome::Passed
}

/// A criterion that reads field `field` whatever its value (or nearly: it only has to be
/// evaluated, not to match).
fn reads(field: u16, ty: FieldType, enums: &[model::EnumDef]) -> Criterion {
    let (op, operand) = match ty {
        FieldType::String | FieldType::Path => (
            Op::NotContains,
            Operand::Scalar(Value::Str("\u{1}ward".into())),
        ),
        FieldType::Ip => (
            Op::Within,
            Operand::Cidr {
                addr: IpAddr::from([0, 0, 0, 0]),
                prefix: 0,
            },
        ),
        FieldType::Enum(e) => (
            Op::In,
            Operand::List(
                enums
                    .get(usize::from(e))
                    .map(|d| d.variants.iter().map(|(_, v)| Value::Enum(*v)).collect())
                    .unwrap_or_default(),
            ),
        ),
        other => (Op::Ne, Operand::Scalar(events::zero(other, enums))),
    };
    Criterion { field, op, operand }
}

/// Events with edge values in every supplied input: zero values, the largest values,
/// empty, very long and non-ASCII text, every enum variant, IPv4 and IPv6 extremes.
fn edge_events(channel: &model::Channel, supplied: u16) -> impl Iterator<Item = Vec<Value>> + '_ {
    let fields: Vec<FieldType> = channel
        .template
        .fields
        .iter()
        .take(usize::from(supplied))
        .map(|f| f.ty)
        .collect();
    let rounds = channel
        .enums
        .iter()
        .map(|e| e.variants.len())
        .max()
        .unwrap_or(1)
        .max(4);
    (0..rounds).map(move |round| {
        fields
            .iter()
            .map(|ty| edge_value(*ty, &channel.enums, round))
            .collect()
    })
}

fn edge_value(ty: FieldType, enums: &[model::EnumDef], round: usize) -> Value {
    let pick = |n: usize| round % n;
    match ty {
        FieldType::Bool => Value::Bool(round % 2 == 1),
        FieldType::U8 => Value::Uint([0, u64::from(u8::MAX)][pick(2)]),
        FieldType::U16 => Value::Uint([0, u64::from(u16::MAX)][pick(2)]),
        FieldType::U32 => Value::Uint([0, u64::from(u32::MAX)][pick(2)]),
        FieldType::U64 => Value::Uint([0, u64::MAX][pick(2)]),
        FieldType::I32 => Value::Int([0, i64::from(i32::MIN), i64::from(i32::MAX)][pick(3)]),
        FieldType::I64 => Value::Int([0, i64::MIN, i64::MAX][pick(3)]),
        FieldType::String | FieldType::Path => Value::Str(match pick(4) {
            0 => String::new(),
            1 => "x".repeat(64 * 1024),
            2 => "C:\\Ünïcödé\\пример\\😀\u{0}\u{FEFF}.exe".to_string(),
            _ => "\\\\.\\pipe\\*?[".to_string(),
        }),
        FieldType::Ip => Value::Ip(match pick(4) {
            0 => IpAddr::from([0, 0, 0, 0]),
            1 => IpAddr::from([255, 255, 255, 255]),
            2 => IpAddr::from([0u16; 8]),
            _ => IpAddr::from([0xffffu16; 8]),
        }),
        FieldType::Sha256 => Value::Sha256([[0u8; 32], [0xff; 32]][pick(2)]),
        FieldType::Enum(e) => {
            let variants = enums
                .get(usize::from(e))
                .map(|d| d.variants.as_slice())
                .unwrap_or_default();
            Value::Enum(
                variants
                    .get(round % variants.len().max(1))
                    .map_or(0, |(_, v)| *v),
            )
        }
    }
}

/// The compiler half of the exercise: for every channel and sensor, a copy of the channel
/// targeting only that sensor with one instance per input it does not supply. All copies
/// go into one generated file, checked once with the project; each instance must draw an
/// E0300 at its criterion.
struct Probes {
    text: String,
    next_id: u64,
    /// `(case index, criterion's byte range in the file, what it probes)`.
    expected: Vec<(usize, std::ops::Range<usize>, String)>,
}

impl Probes {
    fn new(program: &Program) -> Self {
        Probes {
            text: String::new(),
            next_id: program
                .channels
                .iter()
                .map(|c| u64::from(c.id))
                .max()
                .unwrap_or(0)
                + 1,
            expected: Vec::new(),
        }
    }

    fn add(
        &mut self,
        case: usize,
        program: &Program,
        cid: ChannelId,
        sensor: SensorId,
        supplied: u16,
        channel: &model::Channel,
    ) {
        let unsupplied: Vec<_> = channel
            .template
            .fields
            .iter()
            .enumerate()
            .skip(usize::from(supplied))
            .collect();
        if unsupplied.is_empty() {
            return;
        }
        let sensor_name = &program.sensor(sensor).name;
        self.text.push_str(&format!(
            "channel WardExerciseProbe{id} = {id} {{\n    version 1\n    template {}\n    targets [{sensor_name}]\n",
            program.template(program.channel(cid).template).name,
            id = self.next_id,
        ));
        self.next_id += 1;
        for (n, (i, f)) in unsupplied.into_iter().enumerate() {
            self.text
                .push_str(&format!("    instance probe_{n} = {} {{\n        ", n + 1));
            let start = self.text.len();
            self.text
                .push_str(&format!("{} == {}", f.name, literal(f.ty, &channel.enums)));
            let range = start..self.text.len();
            self.text.push_str("\n        severity low\n    }\n");
            let what = format!(
                "input {} (`{}`), which `{sensor_name}` does not supply",
                i + 1,
                f.name
            );
            self.expected.push((case, range, what));
        }
        self.text.push_str("}\n");
    }

    fn check(self, sources: &Sources, cases: &mut [Case]) {
        if self.expected.is_empty() {
            return;
        }
        let mut with_probes = sources.clone();
        let file = with_probes.add("<exercise>", None, self.text, Origin::Project);
        let refused: Vec<usize> = crate::check(&with_probes)
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::FieldNotSupplied)
            .filter_map(|d| {
                d.location()
                    .filter(|l| l.file == file)
                    .map(|l| l.span.start)
            })
            .collect();
        for (case, range, what) in self.expected {
            let case = &mut cases[case];
            if case.passed() && !refused.contains(&range.start) {
                case.outcome =
                    Outcome::Failed(format!("the compiler accepted a criterion on {what}"));
            }
        }
    }
}

/// A Ward literal of a field's type, for a generated criterion.
fn literal(ty: FieldType, enums: &[model::EnumDef]) -> String {
    match ty {
        FieldType::Bool => "true".to_string(),
        FieldType::String | FieldType::Path => "\"x\"".to_string(),
        FieldType::Ip => "\"0.0.0.0\"".to_string(),
        FieldType::Sha256 => format!("\"{}\"", "0".repeat(64)),
        FieldType::Enum(e) => enums
            .get(usize::from(e))
            .and_then(|d| d.variants.first())
            .map_or_else(String::new, |(name, _)| name.clone()),
        _ => "0".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::stdlib_sources;

    /// If the compiler ever accepted a criterion the exercise expects it to refuse, the
    /// exercise must fail: here the probe reads `image`, which `windows_7_12` does supply.
    #[test]
    fn a_probe_the_compiler_accepts_fails_its_case() {
        let sources = stdlib_sources();
        let checked = crate::check(&sources);
        let mut probes = Probes::new(&checked.program);
        probes.text = "channel Probe = 999 {\n    version 1\n    template ProcessStart\n    targets [windows_7_12]\n    instance p = 1 {\n        image == \"x\"\n        severity low\n    }\n}\n".into();
        let start = probes.text.find("image").unwrap();
        probes
            .expected
            .push((0, start..start + 12, "input 1 (`image`)".into()));
        let mut cases = vec![Case {
            name: "exercise Probe".into(),
            sensor: "windows_7_12".into(),
            loc: checked.program.templates[0].loc,
            outcome: Outcome::Passed,
        }];
        probes.check(&sources, &mut cases);
        assert_eq!(
            cases[0].outcome,
            Outcome::Failed("the compiler accepted a criterion on input 1 (`image`)".into())
        );
    }
}
