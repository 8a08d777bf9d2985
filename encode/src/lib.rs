//! ward-encode: the compiler side of the channel format, a [`Channel`] to the bytes of a
//! signed channel file. A sensor never encodes or signs, so this lives outside the
//! `no_std` runtime; the wire constants and the signed message come from the runtime's
//! `wire` module, so the two sides cannot disagree about a byte.
//!
//! Encoding is deterministic: strings enter the pool in first-use order, every count and
//! number has one encoding, and Ed25519 signing is deterministic, so the same channel and
//! keys always give the same bytes (DESIGN.md invariant 6). The encoder enforces the
//! format's limits so that whatever it writes also decodes; it does not check semantics,
//! which is the verifier's job (the compiler runs the verifier before it signs).

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

use ed25519_dalek::{Signer, SigningKey};

use ward_runtime::limits::*;
use ward_runtime::model::{Channel, FieldType, Operand, Value};
use ward_runtime::wire::*;
use ward_runtime::{key_id, RecordReset};

/// Why a channel could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A count or length is over its limit (or a template has zero fields).
    Limit {
        what: &'static str,
        found: usize,
        limit: usize,
    },
    /// Instance ids are not strictly ascending.
    InstanceOrder { id: u32, previous: u32 },
    /// No signing key was given, or more than [`MAX_SIGNATURES`].
    KeyCount { found: usize, limit: usize },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Limit { what, found, limit } => {
                write!(f, "{what} is {found}; the format allows {limit}")
            }
            EncodeError::InstanceOrder { id, previous } => write!(
                f,
                "instance {id} follows instance {previous}; instances must have strictly ascending ids"
            ),
            EncodeError::KeyCount { found, limit } => {
                write!(f, "{found} signing keys given; between 1 and {limit} are needed")
            }
        }
    }
}

impl std::error::Error for EncodeError {}

/// Encodes and signs `channel` with every key in `keys`, returning the whole file.
pub fn sign(channel: &Channel, keys: &[&SigningKey]) -> Result<Vec<u8>, EncodeError> {
    key_count(keys)?;
    let region = encode_unsigned(channel)?;
    let total = region
        .len()
        .saturating_add(1)
        .saturating_add(keys.len().saturating_mul(SIGNATURE_ENTRY_LEN));
    limit("file size", total, MAX_FILE_SIZE)?;
    Ok(append_signatures(region, keys))
}

/// Signs a record reset (the signed rollback of a channel id frozen at the version
/// ceiling: `ward_runtime::verify_reset`) with every key in `keys`, returning the file.
pub fn sign_reset(reset: &RecordReset, keys: &[&SigningKey]) -> Result<Vec<u8>, EncodeError> {
    key_count(keys)?;
    let region = reset.region().to_vec();
    let msg = RecordReset::signed_message(&region);
    Ok(append_signatures_over(region, &msg, keys))
}

fn key_count(keys: &[&SigningKey]) -> Result<(), EncodeError> {
    if keys.is_empty() || keys.len() > MAX_SIGNATURES {
        return Err(EncodeError::KeyCount {
            found: keys.len(),
            limit: MAX_SIGNATURES,
        });
    }
    Ok(())
}

fn append_signatures(region: Vec<u8>, keys: &[&SigningKey]) -> Vec<u8> {
    let msg = signed_message(&region);
    append_signatures_over(region, &msg, keys)
}

/// `region`, then the signature section of `keys` over `msg`.
fn append_signatures_over(mut region: Vec<u8>, msg: &[u8], keys: &[&SigningKey]) -> Vec<u8> {
    let count = u8::try_from(keys.len()).unwrap_or(u8::MAX);
    region.push(count);
    for key in keys.iter().take(usize::from(count)) {
        region.extend_from_slice(&key_id(&key.verifying_key()).0);
        region.extend_from_slice(&key.sign(msg).to_bytes());
    }
    region
}

fn limit(what: &'static str, found: usize, max: usize) -> Result<(), EncodeError> {
    if found > max {
        Err(EncodeError::Limit {
            what,
            found,
            limit: max,
        })
    } else {
        Ok(())
    }
}

/// Collects strings into the pool in first-use order and writes the rest of the body.
struct Body {
    out: Vec<u8>,
    pool: Vec<String>,
    index: HashMap<String, u32>,
    /// The decoder's decoded-size budget, charged at the same points.
    budget: Budget,
}

impl Body {
    fn charge(&mut self, bytes: usize) -> Result<(), EncodeError> {
        if self.budget.charge(bytes) {
            Ok(())
        } else {
            Err(EncodeError::Limit {
                what: "the decoded size of the channel",
                found: self.budget.used(),
                limit: MAX_DECODED_BYTES,
            })
        }
    }

    fn str(&mut self, s: &str) -> Result<(), EncodeError> {
        limit("string length", s.len(), MAX_STRING_LEN)?;
        self.charge(COST_STRING.saturating_add(s.len()))?;
        let idx = match self.index.get(s) {
            Some(&i) => i,
            None => {
                limit(
                    "string pool size",
                    self.pool.len().saturating_add(1),
                    MAX_POOL_STRINGS,
                )?;
                let i = u32::try_from(self.pool.len()).unwrap_or(u32::MAX);
                self.pool.push(s.to_owned());
                self.index.insert(s.to_owned(), i);
                i
            }
        };
        self.u32(idx);
        Ok(())
    }
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn count16(&mut self, what: &'static str, n: usize, max: usize) -> Result<(), EncodeError> {
        limit(what, n, max)?;
        self.u16(u16::try_from(n).unwrap_or(u16::MAX));
        Ok(())
    }
    fn count32(&mut self, what: &'static str, n: usize, max: usize) -> Result<(), EncodeError> {
        limit(what, n, max)?;
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
        Ok(())
    }
    fn ty(&mut self, ty: FieldType) {
        self.u8(ty.def().tag);
        if let FieldType::Enum(i) = ty {
            self.u16(i);
        }
    }
    fn ip(&mut self, ip: &IpAddr) {
        match ip {
            IpAddr::V4(v4) => {
                self.u8(IP_V4);
                self.out.extend_from_slice(&v4.octets());
            }
            IpAddr::V6(v6) => {
                self.u8(IP_V6);
                self.out.extend_from_slice(&v6.octets());
            }
        }
    }
    fn value(&mut self, v: &Value) -> Result<(), EncodeError> {
        self.charge(COST_VALUE)?;
        match v {
            Value::Bool(b) => {
                self.u8(VAL_BOOL);
                self.u8(u8::from(*b));
            }
            Value::Uint(n) => {
                self.u8(VAL_UINT);
                self.u64(*n);
            }
            Value::Int(n) => {
                self.u8(VAL_INT);
                self.out.extend_from_slice(&n.to_le_bytes());
            }
            Value::Str(s) => {
                self.u8(VAL_STR);
                self.str(s)?;
            }
            Value::Ip(ip) => {
                self.u8(VAL_IP);
                self.ip(ip);
            }
            Value::Sha256(h) => {
                self.u8(VAL_SHA256);
                self.out.extend_from_slice(h);
            }
            Value::Enum(n) => {
                self.u8(VAL_ENUM);
                self.u32(*n);
            }
        }
        Ok(())
    }
}

/// The signed region of a file: the fixed header and the body, without signatures.
pub(crate) fn encode_unsigned(channel: &Channel) -> Result<Vec<u8>, EncodeError> {
    let t = &channel.template;
    let field_count = t.fields.len();
    if field_count == 0 {
        return Err(EncodeError::Limit {
            what: "template field count (zero)",
            found: 0,
            limit: MAX_FIELDS,
        });
    }
    limit("template field count", field_count, MAX_FIELDS)?;

    let mut b = Body {
        out: Vec::new(),
        pool: Vec::new(),
        index: HashMap::new(),
        budget: Budget::default(),
    };
    b.str(&channel.name)?;
    b.str(&t.name)?;
    b.count16("enum count", channel.enums.len(), MAX_ENUMS)?;
    for e in &channel.enums {
        b.str(&e.name)?;
        b.count16("enum variant count", e.variants.len(), MAX_ENUM_VARIANTS)?;
        for (name, value) in &e.variants {
            b.charge(COST_VARIANT)?;
            b.str(name)?;
            b.u32(*value);
        }
    }
    for f in &t.fields {
        b.str(&f.name)?;
        b.ty(f.ty);
    }
    b.count16("target count", channel.targets.len(), MAX_TARGETS)?;
    for target in &channel.targets {
        b.str(&target.name)?;
        b.str(&target.platform)?;
        b.str(&target.version)?;
        b.u16(target.supplied);
    }
    b.str(&channel.build.compiler)?;
    b.out.extend_from_slice(&channel.build.source_hash);

    b.count32("instance count", channel.instances.len(), MAX_INSTANCES)?;
    let mut previous: Option<u32> = None;
    for inst in &channel.instances {
        if let Some(prev) = previous {
            if inst.id <= prev {
                return Err(EncodeError::InstanceOrder {
                    id: inst.id,
                    previous: prev,
                });
            }
        }
        previous = Some(inst.id);
        b.charge(COST_INSTANCE)?;
        b.u32(inst.id);
        b.str(&inst.name)?;
        b.u8(severity_tag(inst.severity));
        b.u8(action_tag(inst.action));
        b.count16("tag count", inst.tags.len(), MAX_TAGS)?;
        for tag in &inst.tags {
            b.str(tag)?;
        }
        b.count16(
            "criteria count",
            inst.criteria.len(),
            MAX_CRITERIA_PER_INSTANCE,
        )?;
        for c in &inst.criteria {
            b.charge(COST_CRITERION)?;
            b.u16(c.field);
            b.u8(c.op.def().tag);
            match &c.operand {
                Operand::Scalar(v) => {
                    b.u8(OPERAND_SCALAR);
                    b.value(v)?;
                }
                Operand::List(vs) => {
                    b.u8(OPERAND_LIST);
                    b.count32("list length", vs.len(), MAX_LIST_LEN)?;
                    for v in vs {
                        b.value(v)?;
                    }
                }
                Operand::Pattern(p) => {
                    b.u8(OPERAND_PATTERN);
                    b.str(p)?;
                }
                Operand::Cidr { addr, prefix } => {
                    b.u8(OPERAND_CIDR);
                    b.ip(addr);
                    b.u8(*prefix);
                }
            }
        }
    }

    let pool_cost = b.pool.len().saturating_mul(COST_POOL_ENTRY);
    b.charge(pool_cost)?;

    // The pool comes first in the body so the decoder can resolve every reference as it
    // meets it; it is only complete now.
    let mut pool = Vec::new();
    pool.extend_from_slice(
        &u32::try_from(b.pool.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    for s in &b.pool {
        pool.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_le_bytes());
        pool.extend_from_slice(s.as_bytes());
    }
    let body_len = pool.len().saturating_add(b.out.len());
    limit(
        "file size",
        HEADER_LEN.saturating_add(body_len),
        MAX_FILE_SIZE,
    )?;

    let mut file = Vec::with_capacity(HEADER_LEN.saturating_add(body_len).saturating_add(1));
    file.extend_from_slice(&MAGIC);
    file.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    file.extend_from_slice(&0u16.to_le_bytes());
    file.extend_from_slice(&channel.id.to_le_bytes());
    file.extend_from_slice(&channel.content_version.to_le_bytes());
    file.extend_from_slice(&t.id.to_le_bytes());
    file.extend_from_slice(&t.version.to_le_bytes());
    file.extend_from_slice(&u16::try_from(field_count).unwrap_or(u16::MAX).to_le_bytes());
    file.extend_from_slice(&0u16.to_le_bytes());
    file.extend_from_slice(&u32::try_from(body_len).unwrap_or(u32::MAX).to_le_bytes());
    file.extend_from_slice(&pool);
    file.extend_from_slice(&b.out);
    Ok(file)
}

/// Test and fuzzing support: build files that the encoder would refuse to write.
///
/// A signature is not validity (DESIGN.md invariant 2); tests prove it by signing
/// malformed bytes and showing the verifier still rejects them. Nothing in a sensor uses
/// this module, and it needs a secret key to be of any use.
#[doc(hidden)]
pub mod testing {
    use super::*;

    /// The signed region (fixed header and body) of `channel`, unsigned.
    pub fn encode_unsigned(channel: &Channel) -> Result<Vec<u8>, EncodeError> {
        super::encode_unsigned(channel)
    }

    /// Signs arbitrary bytes as if they were a signed region, reading the identity fields
    /// from their fixed-header offsets, and appends the signature section. No checks.
    pub fn sign_unchecked(region: Vec<u8>, keys: &[&SigningKey]) -> Vec<u8> {
        append_signatures(region, keys)
    }

    /// Rewrites the body-length field to match the region's length, after a test has
    /// inserted or removed bytes.
    pub fn fix_body_len(region: &mut [u8]) {
        let body = u32::try_from(region.len().saturating_sub(HEADER_LEN)).unwrap_or(u32::MAX);
        if let Some(slot) = region.get_mut(OFF_BODY_LEN..HEADER_LEN) {
            slot.copy_from_slice(&body.to_le_bytes());
        }
    }
}
