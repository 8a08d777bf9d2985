//! The verifier: the one definition of a valid channel (DESIGN.md invariant 1).
//!
//! Stages run in the order of DESIGN.md: size limits, framing, signatures, structure,
//! semantics against the host's sensor profile. Each stage runs only on what the previous
//! one proved, and the output, [`VerifiedChannel`], is the only type the interpreter
//! accepts: it can be built nowhere but here.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::IpAddr;
use hashbrown::HashMap;

use ed25519_dalek::Signature;
use regex_automata::meta::Regex;

use crate::compiled::{Compiled, CompiledCriterion, CompiledInstance, PoolBuilder, Test, TextOp};
use crate::counters::Counters;
use crate::decode::{check_size, frame, parse_body, Frame, Parsed, PoolStr, SignatureEntry};
use crate::error::VerifyError;
use crate::index::Index;
use crate::limits::{Limits, MAX_PATTERN_LEN, REGEX_SIZE_LIMIT};
use crate::literals::LiteralSet;
use crate::model::*;
use crate::ops::Shape;
use crate::pattern::{is_simple_glob, PatternError};
use crate::pattern_store::{compile, NoStore, PatternKey, PatternStore};
use crate::trust::{KeyId, TrustStore};
use crate::verified::{distinct_reads, VerifiedChannel};
use crate::wire::{signed_message, OFF_FIELD_COUNT, OFF_TEMPLATE_ID, OFF_TEMPLATE_VERSION};

/// What a host (one sensor build) supplies: the templates it evaluates and, for each, how
/// many of the template's fields it fills in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorProfile {
    pub name: String,
    pub templates: Vec<HostTemplate>,
}

/// One template as the host knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTemplate {
    pub id: u32,
    pub version: u32,
    /// The host supplies inputs `1..=supplied`.
    pub supplied: u16,
    /// The template's fields as the host knows them; at least `supplied` of them.
    pub fields: Vec<FieldDef>,
    /// `FieldType::Enum(i)` in `fields` indexes this list.
    pub enums: Vec<EnumDef>,
}

/// Verifies `bytes` completely for the host described by `host`, trusting the keys of
/// `trust`, under the default [`Limits`]. See docs/channel-format.md for the stages and
/// every error.
pub fn verify(
    bytes: &[u8],
    trust: &TrustStore,
    host: &SensorProfile,
) -> Result<VerifiedChannel, VerifyError> {
    verify_with(bytes, trust, host, &Limits::DEFAULT)
}

/// [`verify`] under the host's own limits: the file size, the instance count, the memory
/// budget of the decoded channel (charged before each allocation) and the pattern totals.
/// Past any of them the channel is refused with `FileTooLarge` or `LimitExceeded`, naming
/// the limit and the byte where it was crossed.
pub fn verify_with(
    bytes: &[u8],
    trust: &TrustStore,
    host: &SensorProfile,
    limits: &Limits,
) -> Result<VerifiedChannel, VerifyError> {
    verify_reusing(bytes, trust, host, limits, &NoStore)
}

/// [`verify_with`] compiling only the patterns `store` does not hold, and leaving those
/// it compiles there. The verdict is the one [`verify_with`] gives (see
/// [`crate::pattern_store`]); a caller that verifies the same patterns again and again
/// (the compiler's checker, on every edit in the language server) saves their compiles.
pub fn verify_reusing(
    bytes: &[u8],
    trust: &TrustStore,
    host: &SensorProfile,
    limits: &Limits,
    store: &dyn PatternStore,
) -> Result<VerifiedChannel, VerifyError> {
    check_size(bytes, limits)?;
    let frame = frame(bytes)?;
    let signers = check_signatures(&frame, trust)?;
    let parsed = parse_body::<PoolStr<'_>>(&frame, limits)?;
    let (compiled, patterns, sources, supplied) = check_semantics(&parsed, host, limits, store)?;
    let reads = distinct_reads(&compiled.criteria);
    let index = Index::build(&compiled, &sources);
    let cost = crate::cost::check(
        &compiled,
        &patterns,
        &index,
        &reads,
        limits,
        &parsed.instance_offsets,
    )?;
    Ok(VerifiedChannel {
        header: parsed.channel.without_instances(),
        supplied,
        signers,
        compiled,
        reads,
        patterns,
        index,
        cost,
        counters: Counters::default(),
    })
}

/// Stage 3. Key ids are looked up before any curve arithmetic; signatures by keys the host
/// does not know are skipped (so keys can be rotated by signing with old and new), but a
/// signature by a trusted key that fails is fatal. A key counts once however often it
/// signed.
fn check_signatures(frame: &Frame<'_>, trust: &TrustStore) -> Result<Vec<KeyId>, VerifyError> {
    check_signed(&frame.signatures, frame.region.len(), trust, || {
        signed_message(frame.region)
    })
}

/// The signature check of stage 3 over any signed message (a channel's, or a record
/// reset's: reset.rs): `message` is built only once a trusted key is found, and `end` is
/// the offset a missing threshold is reported at (the start of the signature section).
pub(crate) fn check_signed(
    signatures: &[SignatureEntry],
    end: usize,
    trust: &TrustStore,
    message: impl Fn() -> Vec<u8>,
) -> Result<Vec<KeyId>, VerifyError> {
    let mut built: Option<Vec<u8>> = None;
    let mut valid: Vec<KeyId> = Vec::new();
    let mut first_unknown = None;
    for entry in signatures {
        let Some(key) = trust.get(entry.key_id) else {
            first_unknown.get_or_insert((entry.offset, entry.key_id));
            continue;
        };
        let msg = built.get_or_insert_with(&message);
        let signature = Signature::from_bytes(&entry.signature);
        key.verify_strict(msg, &signature)
            .map_err(|_| VerifyError::BadSignature {
                offset: entry.offset,
                key_id: entry.key_id,
            })?;
        if !valid.contains(&entry.key_id) {
            valid.push(entry.key_id);
        }
    }
    if valid.len() >= trust.threshold() {
        return Ok(valid);
    }
    match (valid.is_empty(), first_unknown) {
        (true, Some((offset, key_id))) => Err(VerifyError::UnknownSigner { offset, key_id }),
        _ => Err(VerifyError::ThresholdNotMet {
            offset: end,
            valid: valid.len(),
            required: trust.threshold(),
        }),
    }
}

/// A human name for a field type, naming enums.
pub(crate) fn type_name(ty: FieldType, enums: &[EnumDef]) -> String {
    match ty {
        FieldType::Enum(i) => match enums.get(usize::from(i)) {
            Some(e) => format!("enum `{}`", e.name),
            None => format!("enum #{i}"),
        },
        other => other.builtin_name().unwrap_or_default().into(),
    }
}

fn value_kind<S>(v: &Value<S>) -> &'static str {
    match v {
        Value::Bool(_) => "a boolean",
        Value::Uint(_) => "an unsigned integer",
        Value::Int(_) => "a signed integer",
        Value::Str(_) => "a string",
        Value::Ip(_) => "an IP address",
        Value::Sha256(_) => "a SHA-256 value",
        Value::Enum(_) => "an enum value",
    }
}

fn same_type(a: FieldType, a_enums: &[EnumDef], b: FieldType, b_enums: &[EnumDef]) -> bool {
    match (a, b) {
        (FieldType::Enum(i), FieldType::Enum(j)) => {
            match (a_enums.get(usize::from(i)), b_enums.get(usize::from(j))) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            }
        }
        _ => a == b,
    }
}

/// Whether `value` is a value of `ty` (variant, width and, for enums, declared variant).
/// Shared with the interpreter, which re-checks inputs as defense in depth.
pub(crate) fn fits<S>(ty: FieldType, value: &Value<S>, enums: &[EnumDef]) -> bool {
    match (ty, value) {
        (FieldType::Bool, Value::Bool(_)) => true,
        (FieldType::U8, Value::Uint(n)) => *n <= u64::from(u8::MAX),
        (FieldType::U16, Value::Uint(n)) => *n <= u64::from(u16::MAX),
        (FieldType::U32, Value::Uint(n)) => *n <= u64::from(u32::MAX),
        (FieldType::U64, Value::Uint(_)) => true,
        (FieldType::I32, Value::Int(n)) => i32::try_from(*n).is_ok(),
        (FieldType::I64, Value::Int(_)) => true,
        (FieldType::String | FieldType::Path, Value::Str(_)) => true,
        (FieldType::Ip, Value::Ip(_)) => true,
        (FieldType::Sha256, Value::Sha256(_)) => true,
        (FieldType::Enum(i), Value::Enum(v)) => enums
            .get(usize::from(i))
            .is_some_and(|e| e.variants.iter().any(|(_, value)| value == v)),
        _ => false,
    }
}

/// Compiles patterns once per distinct (source, kind, case) and bounds the total. The
/// encoder stores each distinct string once, so a source is known by its pool position.
struct PatternCache<'s> {
    limits: Limits,
    /// Patterns compiled by earlier verifications, kept by the caller.
    store: &'s dyn PatternStore,
    /// By the pattern's position in the file's string pool, which stores each distinct
    /// string once.
    compiled: HashMap<(u32, bool, bool), u32>,
    patterns: Patterns,
    /// The regex source of each compiled pattern, for the index to read literals from;
    /// dropped once the index is built.
    sources: Vec<String>,
    total_bytes: usize,
}

/// The distinct compiled patterns of a channel. Instances share them (and so share each
/// regex's matching caches) by index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Patterns {
    pub matchers: Vec<Matcher>,
    /// Sum of the compiled-size tiers charged (or of a literal set's size, if larger):
    /// an upper bound on the compiled size.
    pub compiled_bytes: usize,
}

/// How one distinct pattern is matched.
#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    /// By the regex engine; `states` is its NFA's state count, its cost per input byte
    /// (cost.rs).
    Regex { regex: Regex, states: usize },
    /// An alternation of literals, matched as one (literals.rs).
    Literals(LiteralSet),
}

struct Site<'a> {
    offset: usize,
    instance: u32,
    field: u16,
    enums: &'a [EnumDef],
}

impl Site<'_> {
    /// Checks one operand value against the field type.
    fn value<S>(&self, ty: FieldType, value: &Value<S>) -> Result<(), VerifyError> {
        if fits(ty, value, self.enums) {
            return Ok(());
        }
        let type_matches = matches!(
            (ty, value),
            (
                FieldType::U8 | FieldType::U16 | FieldType::U32 | FieldType::U64,
                Value::Uint(_)
            ) | (FieldType::I32 | FieldType::I64, Value::Int(_))
                | (FieldType::Enum(_), Value::Enum(_))
        );
        Err(match (type_matches, value) {
            (true, Value::Enum(v)) => VerifyError::UnknownEnumVariant {
                offset: self.offset,
                instance: self.instance,
                field: self.field,
                value: *v,
                enum_name: match ty {
                    FieldType::Enum(i) => self
                        .enums
                        .get(usize::from(i))
                        .map(|e| e.name.clone())
                        .unwrap_or_default(),
                    _ => String::new(),
                },
            },
            (true, Value::Uint(n)) => self.out_of_range(n.to_string(), ty),
            (true, Value::Int(n)) => self.out_of_range(n.to_string(), ty),
            _ => VerifyError::OperandType {
                offset: self.offset,
                instance: self.instance,
                field: self.field,
                expected: type_name(ty, self.enums),
                found: value_kind(value),
            },
        })
    }

    fn out_of_range(&self, value: String, ty: FieldType) -> VerifyError {
        VerifyError::OperandOutOfRange {
            offset: self.offset,
            instance: self.instance,
            field: self.field,
            value,
            ty: type_name(ty, self.enums),
        }
    }

    fn shape(&self, op: Op, expected: &'static str) -> VerifyError {
        VerifyError::OperandShape {
            offset: self.offset,
            instance: self.instance,
            field: self.field,
            op,
            expected,
        }
    }

    fn pattern_len(&self, source: &str) -> Result<(), VerifyError> {
        if source.len() > MAX_PATTERN_LEN {
            return Err(VerifyError::PatternTooLong {
                offset: self.offset,
                instance: self.instance,
                field: self.field,
                len: source.len(),
                limit: MAX_PATTERN_LEN,
            });
        }
        Ok(())
    }

    fn pattern_error(&self, e: PatternError) -> VerifyError {
        match e {
            PatternError::Glob(reason) => VerifyError::BadGlob {
                offset: self.offset,
                instance: self.instance,
                field: self.field,
                reason,
            },
            PatternError::Regex(reason) => VerifyError::BadRegex {
                offset: self.offset,
                instance: self.instance,
                field: self.field,
                reason,
            },
            PatternError::TooLarge => VerifyError::RegexTooLarge {
                offset: self.offset,
                instance: self.instance,
                field: self.field,
                limit: REGEX_SIZE_LIMIT,
            },
        }
    }

    fn pattern(
        &self,
        cache: &mut PatternCache<'_>,
        source: PoolStr<'_>,
        glob: bool,
        fold: bool,
    ) -> Result<u32, VerifyError> {
        self.pattern_len(source.text)?;
        let slot = (source.index, glob, fold);
        let source = source.text;
        if let Some(index) = cache.compiled.get(&slot) {
            return Ok(*index);
        }
        let total = cache.total_bytes.saturating_add(source.len());
        if total > cache.limits.max_total_pattern_bytes {
            return Err(VerifyError::LimitExceeded {
                what: "the total length of distinct patterns",
                offset: self.offset,
                found: total as u64,
                limit: cache.limits.max_total_pattern_bytes as u64,
            });
        }
        let key = PatternKey {
            source: source.to_string(),
            glob,
            fold,
        };
        let compiled = match cache.store.recall(&key) {
            Some(known) => known,
            None => {
                let fresh = compile(&key).map_err(|e| self.pattern_error(e))?;
                cache.store.remember(key, &fresh);
                fresh
            }
        };
        let compiled_total = cache.patterns.compiled_bytes.saturating_add(compiled.size);
        if compiled_total > cache.limits.max_total_regex_size {
            return Err(VerifyError::LimitExceeded {
                what: "the total compiled size of distinct patterns",
                offset: self.offset,
                found: compiled_total as u64,
                limit: cache.limits.max_total_regex_size as u64,
            });
        }
        // Fewer distinct patterns than criteria, which the limits keep far below u32::MAX.
        let index = u32::try_from(cache.patterns.matchers.len()).unwrap_or(u32::MAX);
        cache.total_bytes = total;
        cache.patterns.compiled_bytes = compiled_total;
        cache.patterns.matchers.push(compiled.matcher);
        cache.sources.push(compiled.regex_source);
        cache.compiled.insert(slot, index);
        Ok(index)
    }
}

/// Stage 5: the channel against the host's profile, compiling each criterion.
fn check_semantics(
    parsed: &Parsed<PoolStr<'_>>,
    host: &SensorProfile,
    limits: &Limits,
    store: &dyn PatternStore,
) -> Result<(Compiled, Patterns, Vec<String>, u16), VerifyError> {
    let channel = &parsed.channel;
    let template = &channel.template;
    let host_template = host
        .templates
        .iter()
        .find(|t| t.id == template.id)
        .ok_or_else(|| VerifyError::TemplateNotSupported {
            offset: OFF_TEMPLATE_ID,
            template: template.id,
            sensor: host.name.clone(),
        })?;
    if host_template.version != template.version {
        return Err(VerifyError::TemplateVersionMismatch {
            offset: OFF_TEMPLATE_VERSION,
            template: template.id,
            channel: template.version,
            host: host_template.version,
        });
    }
    let supplied = host_template.supplied;
    if usize::from(supplied) > host_template.fields.len() {
        return Err(VerifyError::HostProfileInvalid {
            offset: OFF_TEMPLATE_ID,
            sensor: host.name.clone(),
            reason: format!(
                "template {} supplies {} fields but declares only {}",
                template.id,
                supplied,
                host_template.fields.len()
            ),
        });
    }
    for (n, (ours, theirs)) in template
        .fields
        .iter()
        .zip(&host_template.fields)
        .take(usize::from(supplied))
        .enumerate()
    {
        let field = u16::try_from(n).unwrap_or(u16::MAX).saturating_add(1);
        if let FieldType::Enum(j) = theirs.ty {
            if usize::from(j) >= host_template.enums.len() {
                return Err(VerifyError::HostProfileInvalid {
                    offset: OFF_TEMPLATE_ID,
                    sensor: host.name.clone(),
                    reason: format!("field {field} refers to enum #{j}, which it does not declare"),
                });
            }
        }
        if !same_type(ours.ty, &channel.enums, theirs.ty, &host_template.enums) {
            return Err(VerifyError::FieldTypeMismatch {
                offset: OFF_FIELD_COUNT,
                field,
                name: ours.name.clone(),
                channel: type_name(ours.ty, &channel.enums),
                host: type_name(theirs.ty, &host_template.enums),
            });
        }
    }

    let mut cache = PatternCache {
        limits: *limits,
        store,
        compiled: HashMap::new(),
        patterns: Patterns::default(),
        sources: Vec::new(),
        total_bytes: 0,
    };
    let mut offsets = parsed.criterion_offsets.iter();
    let mut pool = PoolBuilder::new(parsed.pool_len);
    let mut compiled = Compiled {
        instances: Vec::with_capacity(channel.instances.len()),
        criteria: Vec::with_capacity(parsed.criterion_offsets.len()),
        ..Compiled::default()
    };
    for (inst, inst_offset) in channel.instances.iter().zip(&parsed.instance_offsets) {
        if inst.criteria.is_empty() {
            return Err(VerifyError::NoCriteria {
                offset: *inst_offset,
                instance: inst.id,
            });
        }
        let first = compiled.criteria.len();
        for c in &inst.criteria {
            let offset = offsets.next().copied().unwrap_or(*inst_offset);
            if c.field == 0 || c.field > supplied {
                return Err(VerifyError::FieldNotSupplied {
                    offset,
                    instance: inst.id,
                    field: c.field,
                    supplied,
                });
            }
            let Some(def) = template.fields.get(usize::from(c.field).saturating_sub(1)) else {
                return Err(VerifyError::FieldOutOfTemplate {
                    offset,
                    instance: inst.id,
                    field: c.field,
                    fields: u16::try_from(template.fields.len()).unwrap_or(u16::MAX),
                });
            };
            let site = Site {
                offset,
                instance: inst.id,
                field: c.field,
                enums: &channel.enums,
            };
            let criterion = compile_criterion(&site, &mut cache, &mut pool, def.ty, c)?;
            compiled.criteria.push(criterion);
        }
        compiled.instances.push(CompiledInstance {
            id: inst.id,
            name: pool.append(inst.name.text),
            tags: pool.tags(&inst.tags),
            criteria: compiled.criteria_since(first),
            severity: inst.severity,
            action: inst.action,
        });
    }
    compiled.pool = pool.finish();
    Ok((compiled, cache.patterns, cache.sources, supplied))
}

fn compile_criterion(
    site: &Site<'_>,
    cache: &mut PatternCache<'_>,
    pool: &mut PoolBuilder,
    ty: FieldType,
    c: &Criterion<PoolStr<'_>>,
) -> Result<CompiledCriterion, VerifyError> {
    let def = c.op.def();
    if !def.allows(ty) {
        return Err(VerifyError::OperatorNotAllowed {
            offset: site.offset,
            instance: site.instance,
            field: site.field,
            op: c.op,
            ty: type_name(ty, site.enums),
        });
    }
    if !def.shape.accepts(&c.operand) {
        return Err(site.shape(c.op, def.shape.expected()));
    }
    let fold = ty == FieldType::Path;
    let negate = def.negated;
    let test = match c.op {
        Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let Operand::Scalar(v) = &c.operand else {
                return Err(site.shape(c.op, def.shape.expected()));
            };
            site.value(ty, v)?;
            let value = pool.scalar(v, fold);
            if matches!(c.op, Op::Eq | Op::Ne) {
                Test::Equal { value, negate }
            } else {
                Test::Order { op: c.op, value }
            }
        }
        Op::In | Op::NotIn => {
            let Operand::List(vs) = &c.operand else {
                return Err(site.shape(c.op, def.shape.expected()));
            };
            if vs.is_empty() {
                return Err(VerifyError::EmptyList {
                    offset: site.offset,
                    instance: site.instance,
                    field: site.field,
                });
            }
            for v in vs {
                site.value(ty, v)?;
            }
            Test::OneOf {
                values: pool.list(vs, fold),
                negate,
            }
        }
        Op::Glob | Op::NotGlob | Op::Matches | Op::NotMatches => {
            let Operand::Pattern(source) = &c.operand else {
                return Err(site.shape(c.op, def.shape.expected()));
            };
            let glob = def.shape == Shape::Glob;
            if glob && is_simple_glob(source.text, fold) {
                // Well formed by construction (no classes to close), matched without a
                // regex, so there is nothing to compile or to charge.
                site.pattern_len(source.text)?;
                // Stored lowercased on `path` fields, as the matcher compares.
                Test::Glob {
                    glob: pool.text(*source, fold),
                    negate,
                }
            } else {
                Test::Pattern {
                    pattern: site.pattern(cache, *source, glob, fold)?,
                    negate,
                }
            }
        }
        Op::Contains
        | Op::NotContains
        | Op::StartsWith
        | Op::NotStartsWith
        | Op::EndsWith
        | Op::NotEndsWith => {
            let Operand::Scalar(v) = &c.operand else {
                return Err(site.shape(c.op, def.shape.expected()));
            };
            site.value(ty, v)?;
            let Value::Str(needle) = v else {
                return Err(site.shape(c.op, def.shape.expected()));
            };
            let op = match c.op {
                Op::Contains | Op::NotContains => TextOp::Contains,
                Op::StartsWith | Op::NotStartsWith => TextOp::StartsWith,
                _ => TextOp::EndsWith,
            };
            Test::Text {
                op,
                needle: pool.text(*needle, fold),
                negate,
            }
        }
        Op::Within | Op::NotWithin => {
            let Operand::Cidr { addr, prefix } = &c.operand else {
                return Err(site.shape(c.op, def.shape.expected()));
            };
            let max = match addr {
                IpAddr::V4(_) => 32,
                IpAddr::V6(_) => 128,
            };
            if *prefix > max {
                return Err(VerifyError::BadCidrPrefix {
                    offset: site.offset,
                    instance: site.instance,
                    field: site.field,
                    prefix: *prefix,
                    max,
                });
            }
            Test::Within {
                addr: pool.ip(mask(*addr, *prefix)),
                prefix: *prefix,
                negate,
            }
        }
    };
    Ok(CompiledCriterion {
        field: site.field,
        ty,
        fold,
        test,
    })
}

/// Clears the host bits of `addr` beyond `prefix` (which the caller checked is in range).
pub(crate) fn mask(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = u32::MAX
                .checked_shl(32u32.saturating_sub(u32::from(prefix)))
                .unwrap_or(0);
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = u128::MAX
                .checked_shl(128u32.saturating_sub(u32::from(prefix)))
                .unwrap_or(0);
            IpAddr::V6((bits & m).into())
        }
    }
}
