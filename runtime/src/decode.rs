//! The decoder: size limits, framing and structure, turning bytes back into a [`Channel`].
//!
//! Decoding establishes that a file is well formed (every length, offset and tag in
//! bounds and known) but not that it is trusted or meaningful for any host: that is
//! [`crate::verify`]. `decode` on its own serves disassembly and diffs.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use hashbrown::HashSet;

use crate::error::VerifyError;
use crate::limits::*;
use crate::model::*;
use crate::trust::KeyId;
use crate::wire::*;

/// A well-formed channel and the key ids of its signatures, in file order. Not verified:
/// the signatures have not been checked and nothing has been checked against a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedChannel {
    pub channel: Channel,
    pub signers: Vec<KeyId>,
}

/// Checks limits, framing and structure only. No signature is verified and no host
/// profile is consulted: use it to read a file, never to trust one.
pub fn decode(bytes: &[u8]) -> Result<DecodedChannel, VerifyError> {
    check_size(bytes, &Limits::DEFAULT)?;
    let frame = frame(bytes)?;
    let parsed = parse_body(&frame, &Limits::DEFAULT)?;
    Ok(DecodedChannel {
        channel: parsed.channel,
        signers: frame.signatures.iter().map(|s| s.key_id).collect(),
    })
}

/// Stage 1: the size limit, before any other byte is looked at.
pub(crate) fn check_size(bytes: &[u8], limits: &Limits) -> Result<(), VerifyError> {
    if bytes.len() > limits.max_file_size {
        return Err(VerifyError::FileTooLarge {
            offset: limits.max_file_size,
            size: bytes.len(),
            limit: limits.max_file_size,
        });
    }
    Ok(())
}

/// One entry of the signature section.
#[derive(Debug, Clone)]
pub(crate) struct SignatureEntry {
    pub offset: usize,
    pub key_id: KeyId,
    pub signature: [u8; 64],
}

/// The file split into its sections, with the fixed header's fields read.
#[derive(Debug)]
pub(crate) struct Frame<'a> {
    /// The fixed header and the body: exactly the bytes the signatures cover.
    pub region: &'a [u8],
    pub body: &'a [u8],
    pub channel_id: u32,
    pub content_version: u64,
    pub template_id: u32,
    pub template_version: u32,
    pub field_count: u16,
    pub signatures: Vec<SignatureEntry>,
}

/// Stage 2: magic, version, reserved fields, the body's extent and the signature section,
/// which must end exactly at the end of the file.
pub(crate) fn frame(bytes: &[u8]) -> Result<Frame<'_>, VerifyError> {
    let mut r = Reader::new(bytes, 0);
    let header = r
        .take(HEADER_LEN, "the fixed header")
        .map_err(|_| VerifyError::TooShort {
            offset: bytes.len(),
            size: bytes.len(),
            needed: HEADER_LEN,
        })?;
    let mut h = Reader::new(header, 0);
    let magic: [u8; 8] = h.array("the magic number")?;
    if magic != MAGIC {
        return Err(VerifyError::BadMagic {
            offset: 0,
            found: magic,
        });
    }
    let version = h.u16("the format version")?;
    if version != FORMAT_VERSION {
        return Err(VerifyError::UnsupportedFormatVersion {
            offset: OFF_FORMAT_VERSION,
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let flags = h.u16("the flags")?;
    if flags != 0 {
        return Err(VerifyError::NonZeroReserved {
            offset: OFF_FLAGS,
            value: flags,
        });
    }
    let channel_id = h.u32("the channel id")?;
    let content_version = h.u64("the content version")?;
    let template_id = h.u32("the template id")?;
    let template_version = h.u32("the template version")?;
    let field_count = h.u16("the field count")?;
    let reserved = h.u16("a reserved field")?;
    let body_len = h.u32("the body length")?;
    if reserved != 0 {
        return Err(VerifyError::NonZeroReserved {
            offset: OFF_RESERVED,
            value: reserved,
        });
    }
    if field_count == 0 {
        return Err(VerifyError::NoFields {
            offset: OFF_FIELD_COUNT,
        });
    }
    if usize::from(field_count) > MAX_FIELDS {
        return Err(VerifyError::LimitExceeded {
            what: "the template field count",
            offset: OFF_FIELD_COUNT,
            found: u64::from(field_count),
            limit: MAX_FIELDS as u64,
        });
    }

    let body = usize::try_from(body_len)
        .ok()
        .and_then(|n| r.take(n, "the body").ok())
        .ok_or(VerifyError::BodyOutOfBounds {
            offset: OFF_BODY_LEN,
            body_len,
            file_len: bytes.len(),
        })?;
    let sig_start = r.offset();
    let region = bytes.get(..sig_start).unwrap_or_default();

    let signatures = signature_section(&mut r)?;

    Ok(Frame {
        region,
        body,
        channel_id,
        content_version,
        template_id,
        template_version,
        field_count,
        signatures,
    })
}

/// The signature section where `r` stands: a count of 1 to `MAX_SIGNATURES` and that many
/// entries, ending exactly at the end of the reader. A channel file and a record reset
/// (reset.rs) end in the same section.
pub(crate) fn signature_section(r: &mut Reader<'_>) -> Result<Vec<SignatureEntry>, VerifyError> {
    let sig_start = r.offset();
    let count = usize::from(
        r.u8("the signature count")
            .map_err(|_| VerifyError::NoSignatures { offset: sig_start })?,
    );
    if count == 0 {
        return Err(VerifyError::NoSignatures { offset: sig_start });
    }
    if count > MAX_SIGNATURES {
        return Err(VerifyError::TooManySignatures {
            offset: sig_start,
            count,
            limit: MAX_SIGNATURES,
        });
    }
    // `count` is at most MAX_SIGNATURES, so this cannot overflow; checked all the same.
    let expected = count.saturating_mul(SIGNATURE_ENTRY_LEN);
    if r.remaining() != expected {
        return Err(VerifyError::SignatureSectionLength {
            offset: sig_start,
            expected: expected.saturating_add(1),
            found: r.remaining().saturating_add(1),
        });
    }
    let mut signatures = Vec::with_capacity(count);
    for _ in 0..count {
        let offset = r.offset();
        let key_id = KeyId(r.array("a key id")?);
        let signature: [u8; 64] = r.array("a signature")?;
        signatures.push(SignatureEntry {
            offset,
            key_id,
            signature,
        });
    }
    Ok(signatures)
}

/// A decoded channel plus where each instance and criterion was found, so that semantic
/// errors can name byte offsets.
#[derive(Debug)]
pub(crate) struct Parsed<S> {
    pub channel: Channel<S>,
    pub instance_offsets: Vec<usize>,
    /// One entry per criterion, in file order across all instances.
    pub criterion_offsets: Vec<usize>,
    /// How many strings the file's pool has: every [`PoolStr::index`] is below it.
    pub pool_len: usize,
}

/// How the decoder holds the strings of instances: owned for [`decode`], borrowed from
/// the file's string pool for the verifier, which compiles them and drops the rest.
pub(crate) trait FromPool<'a> {
    fn from_pool(index: u32, text: &'a str) -> Self;
}

impl<'a> FromPool<'a> for String {
    fn from_pool(_: u32, text: &'a str) -> String {
        text.to_owned()
    }
}

/// A string of the file's pool: where it sits there, and its text. The encoder stores
/// each distinct string once, so equal indexes are equal strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PoolStr<'a> {
    pub index: u32,
    pub text: &'a str,
}

impl<'a> FromPool<'a> for PoolStr<'a> {
    fn from_pool(index: u32, text: &'a str) -> PoolStr<'a> {
        PoolStr { index, text }
    }
}

struct BodyReader<'a> {
    r: Reader<'a>,
    pool: Vec<&'a str>,
    budget: Budget,
}

impl<'a> BodyReader<'a> {
    /// Charges the decoded-size budget; past it the channel is refused at `offset`.
    fn charge(&mut self, bytes: usize, offset: usize) -> Result<(), VerifyError> {
        if self.budget.charge(bytes) {
            Ok(())
        } else {
            Err(VerifyError::LimitExceeded {
                what: "the decoded size of the channel",
                offset,
                found: self.budget.used() as u64,
                limit: self.budget.limit() as u64,
            })
        }
    }

    fn string(&mut self, what: &'static str) -> Result<String, VerifyError> {
        self.pooled(what)
    }

    /// A reference to the string pool, charged as an owned copy whatever `S` is, so that
    /// [`decode`] and the verifier accept exactly the same files.
    fn pooled<S: FromPool<'a>>(&mut self, what: &'static str) -> Result<S, VerifyError> {
        let offset = self.r.offset();
        let index = self.r.u32(what)?;
        let s = usize::try_from(index)
            .ok()
            .and_then(|i| self.pool.get(i))
            .copied()
            .ok_or(VerifyError::StringIndexOutOfRange {
                offset,
                index,
                pool_len: self.pool.len(),
            })?;
        self.charge(COST_STRING.saturating_add(s.len()), offset)?;
        Ok(S::from_pool(index, s))
    }

    fn count16(
        &mut self,
        what: &'static str,
        limit: usize,
        min_each: usize,
    ) -> Result<usize, VerifyError> {
        let offset = self.r.offset();
        let n = usize::from(self.r.u16(what)?);
        self.r.check_count(n, limit, min_each, what, offset)?;
        Ok(n)
    }

    fn count32(
        &mut self,
        what: &'static str,
        limit: usize,
        min_each: usize,
    ) -> Result<usize, VerifyError> {
        let offset = self.r.offset();
        let n = usize::try_from(self.r.u32(what)?).unwrap_or(usize::MAX);
        self.r.check_count(n, limit, min_each, what, offset)?;
        Ok(n)
    }

    fn field_type(&mut self, enums: usize) -> Result<FieldType, VerifyError> {
        let offset = self.r.offset();
        let tag = self.r.u8("a field type")?;
        let def = FieldType::from_tag(tag).ok_or(VerifyError::UnknownTypeTag { offset, tag })?;
        if !matches!(def.ty, FieldType::Enum(_)) {
            return Ok(def.ty);
        }
        let at = self.r.offset();
        let index = self.r.u16("an enum index")?;
        if usize::from(index) >= enums {
            return Err(VerifyError::EnumIndexOutOfRange {
                offset: at,
                index,
                enums,
            });
        }
        Ok(FieldType::Enum(index))
    }

    fn ip(&mut self) -> Result<IpAddr, VerifyError> {
        let offset = self.r.offset();
        match self.r.u8("an IP address family")? {
            IP_V4 => Ok(IpAddr::V4(Ipv4Addr::from(
                self.r.array::<4>("an IPv4 address")?,
            ))),
            IP_V6 => Ok(IpAddr::V6(Ipv6Addr::from(
                self.r.array::<16>("an IPv6 address")?,
            ))),
            tag => Err(VerifyError::UnknownIpFamily { offset, tag }),
        }
    }

    fn value<S: FromPool<'a>>(&mut self, instance: u32) -> Result<Value<S>, VerifyError> {
        let offset = self.r.offset();
        self.charge(COST_VALUE, offset)?;
        let tag = self.r.u8("a value tag")?;
        Ok(match tag {
            VAL_BOOL => {
                let at = self.r.offset();
                match self.r.u8("a boolean")? {
                    0 => Value::Bool(false),
                    1 => Value::Bool(true),
                    byte => return Err(VerifyError::InvalidBool { offset: at, byte }),
                }
            }
            VAL_UINT => Value::Uint(self.r.u64("an unsigned integer")?),
            VAL_INT => Value::Int(self.r.i64("a signed integer")?),
            VAL_STR => Value::Str(self.pooled("a string operand")?),
            VAL_IP => Value::Ip(self.ip()?),
            VAL_SHA256 => Value::Sha256(self.r.array("a SHA-256 value")?),
            VAL_ENUM => Value::Enum(self.r.u32("an enum value")?),
            _ => {
                return Err(VerifyError::UnknownValueTag {
                    offset,
                    instance,
                    tag,
                })
            }
        })
    }
}

/// Stage 4: every section of the body, in order, with every count checked against its
/// limit and against the bytes that remain before anything is allocated for it.
pub(crate) fn parse_body<'a, S: FromPool<'a>>(
    frame: &Frame<'a>,
    limits: &Limits,
) -> Result<Parsed<S>, VerifyError> {
    let mut b = BodyReader {
        r: Reader::new(frame.body, HEADER_LEN),
        pool: Vec::new(),
        budget: Budget::with_limit(limits.max_decoded_bytes),
    };

    // String pool.
    let pool_len = b.count32("the string pool size", MAX_POOL_STRINGS, 4)?;
    b.charge(pool_len.saturating_mul(COST_POOL_ENTRY), HEADER_LEN)?;
    let mut pool = Vec::with_capacity(pool_len);
    for _ in 0..pool_len {
        let offset = b.r.offset();
        let len = usize::try_from(b.r.u32("a string length")?).unwrap_or(usize::MAX);
        if len > MAX_STRING_LEN {
            return Err(VerifyError::LimitExceeded {
                what: "a string length",
                offset,
                found: len as u64,
                limit: MAX_STRING_LEN as u64,
            });
        }
        let at = b.r.offset();
        let raw = b.r.take(len, "a string")?;
        pool.push(core::str::from_utf8(raw).map_err(|_| VerifyError::InvalidUtf8 { offset: at })?);
    }
    b.pool = pool;

    let name = b.string("the channel name")?;
    let template_name = b.string("the template name")?;

    // Enums come before fields so that an enum field type can be checked on sight.
    let enum_count = b.count16("the enum count", MAX_ENUMS, 6)?;
    let mut enums = Vec::with_capacity(enum_count);
    for _ in 0..enum_count {
        let offset = b.r.offset();
        let enum_name = b.string("an enum name")?;
        let n = b.count16("the variant count", MAX_ENUM_VARIANTS, 8)?;
        if n == 0 {
            return Err(VerifyError::EmptyEnum {
                offset,
                name: enum_name,
            });
        }
        let mut variants = Vec::with_capacity(n);
        let mut names = HashSet::with_capacity(n);
        let mut values = HashSet::with_capacity(n);
        for _ in 0..n {
            let at = b.r.offset();
            b.charge(COST_VARIANT, at)?;
            let variant = b.string("a variant name")?;
            let value = b.r.u32("a variant value")?;
            if !names.insert(variant.clone()) || !values.insert(value) {
                return Err(VerifyError::DuplicateVariant {
                    offset: at,
                    enum_name,
                    variant,
                });
            }
            variants.push((variant, value));
        }
        enums.push(EnumDef {
            name: enum_name,
            variants,
        });
    }

    let field_count = usize::from(frame.field_count);
    b.r.check_count(
        field_count,
        MAX_FIELDS,
        5,
        "the field table",
        OFF_FIELD_COUNT,
    )?;
    let mut fields = Vec::with_capacity(field_count);
    for _ in 0..field_count {
        let field_name = b.string("a field name")?;
        let ty = b.field_type(enums.len())?;
        fields.push(FieldDef {
            name: field_name,
            ty,
        });
    }

    let target_count = b.count16("the target count", MAX_TARGETS, 14)?;
    let mut targets = Vec::with_capacity(target_count);
    for _ in 0..target_count {
        let target_name = b.string("a target name")?;
        let platform = b.string("a target platform")?;
        let version = b.string("a target version")?;
        let supplied = b.r.u16("a target's supplied count")?;
        targets.push(Target {
            name: target_name,
            platform,
            version,
            supplied,
        });
    }

    let compiler = b.string("the compiler name")?;
    let source_hash = b.r.array("the source hash")?;

    let instance_count = b.count32("the instance count", limits.max_instances, 14)?;
    let mut instances = Vec::with_capacity(instance_count);
    let mut instance_offsets = Vec::with_capacity(instance_count);
    let mut criterion_offsets = Vec::with_capacity(instance_count);
    let mut previous: Option<u32> = None;
    for _ in 0..instance_count {
        let offset = b.r.offset();
        b.charge(COST_INSTANCE, offset)?;
        let id = b.r.u32("an instance id")?;
        match previous {
            Some(prev) if id == prev => return Err(VerifyError::DuplicateInstance { offset, id }),
            Some(prev) if id < prev => {
                return Err(VerifyError::InstanceOrder {
                    offset,
                    id,
                    previous: prev,
                })
            }
            _ => {}
        }
        previous = Some(id);
        let inst_name = b.pooled("an instance name")?;
        let at = b.r.offset();
        let tag = b.r.u8("a severity")?;
        let severity = severity_from_tag(tag).ok_or(VerifyError::UnknownSeverity {
            offset: at,
            instance: id,
            tag,
        })?;
        let at = b.r.offset();
        let tag = b.r.u8("an action")?;
        let action = action_from_tag(tag).ok_or(VerifyError::UnknownAction {
            offset: at,
            instance: id,
            tag,
        })?;
        let tag_count = b.count16("the tag count", MAX_TAGS, 4)?;
        let mut tags = Vec::with_capacity(tag_count);
        for _ in 0..tag_count {
            tags.push(b.pooled("a tag")?);
        }
        let criteria_count = b.count16("the criteria count", MAX_CRITERIA_PER_INSTANCE, 5)?;
        let mut criteria = Vec::with_capacity(criteria_count);
        for _ in 0..criteria_count {
            let c_offset = b.r.offset();
            b.charge(COST_CRITERION, c_offset)?;
            let field = b.r.u16("a field number")?;
            if field == 0 || field > frame.field_count {
                return Err(VerifyError::FieldOutOfTemplate {
                    offset: c_offset,
                    instance: id,
                    field,
                    fields: frame.field_count,
                });
            }
            let at = b.r.offset();
            let tag = b.r.u8("an operator")?;
            let op = Op::from_tag(tag).ok_or(VerifyError::UnknownOpTag {
                offset: at,
                instance: id,
                tag,
            })?;
            let at = b.r.offset();
            let operand = match b.r.u8("an operand tag")? {
                OPERAND_SCALAR => Operand::Scalar(b.value(id)?),
                OPERAND_LIST => {
                    let n = b.count32("a list length", MAX_LIST_LEN, 2)?;
                    let mut values = Vec::with_capacity(n);
                    for _ in 0..n {
                        values.push(b.value(id)?);
                    }
                    Operand::List(values)
                }
                OPERAND_PATTERN => Operand::Pattern(b.pooled("a pattern")?),
                OPERAND_CIDR => {
                    let addr = b.ip()?;
                    let prefix = b.r.u8("a CIDR prefix")?;
                    Operand::Cidr { addr, prefix }
                }
                tag => {
                    return Err(VerifyError::UnknownOperandTag {
                        offset: at,
                        instance: id,
                        tag,
                    })
                }
            };
            criteria.push(Criterion { field, op, operand });
            criterion_offsets.push(c_offset);
        }
        instances.push(Instance {
            id,
            name: inst_name,
            severity,
            action,
            tags,
            criteria,
        });
        instance_offsets.push(offset);
    }

    if b.r.remaining() != 0 {
        return Err(VerifyError::TrailingBytes {
            offset: b.r.offset(),
            count: b.r.remaining(),
        });
    }

    Ok(Parsed {
        channel: Channel {
            id: frame.channel_id,
            name,
            content_version: frame.content_version,
            template: TemplateRef {
                id: frame.template_id,
                name: template_name,
                version: frame.template_version,
                fields,
            },
            enums,
            targets,
            build: BuildInfo {
                compiler,
                source_hash,
            },
            instances,
        },
        instance_offsets,
        criterion_offsets,
        pool_len: b.pool.len(),
    })
}
