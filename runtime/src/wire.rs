//! Wire constants (magic, offsets, tag values) and the bounds-checked byte reader.
//!
//! Everything the encoder writes and the decoder reads is named here once, so the two
//! cannot disagree about a tag value or an offset. docs/channel-format.md mirrors this file.

use alloc::string::String;
use alloc::vec::Vec;
use sha2::{Digest, Sha256};

use crate::error::VerifyError;
use crate::limits::MAX_DECODED_BYTES;
use crate::model::{Action, Criterion, Instance, Severity, Value};

/// The first eight bytes of every channel file.
pub const MAGIC: [u8; 8] = *b"WARDCHAN";
/// The only format version this runtime reads and writes.
pub const FORMAT_VERSION: u16 = 1;

/// Length of the fixed header that precedes the body.
pub const HEADER_LEN: usize = 40;
pub const OFF_FORMAT_VERSION: usize = 8;
pub const OFF_FLAGS: usize = 10;
pub const OFF_CHANNEL_ID: usize = 12;
pub const OFF_CONTENT_VERSION: usize = 16;
pub const OFF_TEMPLATE_ID: usize = 24;
pub const OFF_TEMPLATE_VERSION: usize = 28;
pub const OFF_FIELD_COUNT: usize = 32;
pub const OFF_RESERVED: usize = 34;
pub const OFF_BODY_LEN: usize = 36;

/// One signature entry: an 8-byte key id then a 64-byte Ed25519 signature.
pub const SIGNATURE_ENTRY_LEN: usize = 72;

/// Domain-separation tag at the start of every signed message, so a Ward channel signature
/// can never be valid for any other protocol's message (or vice versa).
pub const SIGNING_CONTEXT: &[u8] = b"ward-channel-signature-v1\0";

// Field type and operator tags are in the table of ops.rs.

// Operand shape tags.
pub const OPERAND_SCALAR: u8 = 1;
pub const OPERAND_LIST: u8 = 2;
pub const OPERAND_PATTERN: u8 = 3;
pub const OPERAND_CIDR: u8 = 4;

// Value tags.
pub const VAL_BOOL: u8 = 1;
pub const VAL_UINT: u8 = 2;
pub const VAL_INT: u8 = 3;
pub const VAL_STR: u8 = 4;
pub const VAL_IP: u8 = 5;
pub const VAL_SHA256: u8 = 6;
pub const VAL_ENUM: u8 = 7;

// IP address family bytes.
pub const IP_V4: u8 = 4;
pub const IP_V6: u8 = 6;

pub fn severity_tag(s: Severity) -> u8 {
    match s {
        Severity::Informational => 1,
        Severity::Low => 2,
        Severity::Medium => 3,
        Severity::High => 4,
        Severity::Critical => 5,
    }
}

pub fn severity_from_tag(tag: u8) -> Option<Severity> {
    Some(match tag {
        1 => Severity::Informational,
        2 => Severity::Low,
        3 => Severity::Medium,
        4 => Severity::High,
        5 => Severity::Critical,
        _ => return None,
    })
}

pub fn action_tag(a: Action) -> u8 {
    match a {
        Action::Detect => 1,
        Action::Prevent => 2,
    }
}

pub fn action_from_tag(tag: u8) -> Option<Action> {
    match tag {
        1 => Some(Action::Detect),
        2 => Some(Action::Prevent),
        _ => None,
    }
}

/// Counts the heap the decoded model takes against [`MAX_DECODED_BYTES`]. The encoder and
/// the decoder charge the same amounts at the same points, so whatever the encoder
/// writes, the decoder accepts.
#[derive(Debug)]
pub struct Budget {
    used: usize,
    limit: usize,
}

/// Cost of one string reference: the `String` and a copy of its bytes.
pub const COST_STRING: usize = size_of::<String>();
/// Cost of one pool entry while decoding.
pub const COST_POOL_ENTRY: usize = size_of::<&str>();
/// Cost of one value (a scalar operand or a list item).
pub const COST_VALUE: usize = size_of::<Value>();
/// Cost of one criterion, and of its offset kept for error messages.
pub const COST_CRITERION: usize = size_of::<Criterion>() + size_of::<usize>();
/// Cost of one instance, and of its offset kept for error messages.
pub const COST_INSTANCE: usize = size_of::<Instance>() + size_of::<usize>();
/// Cost of one enum variant (its name is charged as a string).
pub const COST_VARIANT: usize = size_of::<(String, u32)>();

impl Default for Budget {
    fn default() -> Budget {
        Budget::with_limit(MAX_DECODED_BYTES)
    }
}

impl Budget {
    /// A budget of `limit` bytes (a host's [`crate::Limits::max_decoded_bytes`]).
    pub fn with_limit(limit: usize) -> Budget {
        Budget { used: 0, limit }
    }

    /// Adds `bytes`; false once the total is over the limit.
    pub fn charge(&mut self, bytes: usize) -> bool {
        self.used = self.used.saturating_add(bytes);
        self.used <= self.limit
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn used(&self) -> usize {
        self.used
    }
}

/// A cursor over a slice of the file that reports absolute byte offsets in its errors and
/// never reads out of bounds: every read is a checked `get` on a checked range.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Absolute file offset of `bytes[0]`, so errors name positions in the file.
    base: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], base: usize) -> Self {
        Reader {
            bytes,
            pos: 0,
            base,
        }
    }

    /// Absolute file offset of the next byte to be read.
    pub fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], VerifyError> {
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| Some((end, self.bytes.get(self.pos..end)?)));
        match slice {
            Some((end, slice)) => {
                self.pos = end;
                Ok(slice)
            }
            // Built only on failure: this is the hottest path of decoding.
            None => Err(VerifyError::Truncated {
                offset: self.offset(),
                needed: n,
                available: self.remaining(),
                what,
            }),
        }
    }

    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], VerifyError> {
        let slice = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8, VerifyError> {
        Ok(u8::from_le_bytes(self.array(what)?))
    }

    pub fn u16(&mut self, what: &'static str) -> Result<u16, VerifyError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    pub fn u32(&mut self, what: &'static str) -> Result<u32, VerifyError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub fn u64(&mut self, what: &'static str) -> Result<u64, VerifyError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    pub fn i64(&mut self, what: &'static str) -> Result<i64, VerifyError> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    /// Checks a count read from the file before anything is allocated for it: the count
    /// must be within `limit`, and `count * min_each` bytes must remain, so a small file
    /// can never ask for a large allocation.
    pub fn check_count(
        &self,
        count: usize,
        limit: usize,
        min_each: usize,
        what: &'static str,
        count_offset: usize,
    ) -> Result<(), VerifyError> {
        if count > limit {
            return Err(VerifyError::LimitExceeded {
                what,
                offset: count_offset,
                found: count as u64,
                limit: limit as u64,
            });
        }
        let needed = count.saturating_mul(min_each);
        if needed > self.remaining() {
            return Err(VerifyError::Truncated {
                offset: self.offset(),
                needed,
                available: self.remaining(),
                what,
            });
        }
        Ok(())
    }
}

/// Little-endian fixed-width reads at a known offset of a slice whose length was checked.
pub fn le_u16(bytes: &[u8], at: usize) -> u16 {
    let mut b = [0u8; 2];
    if let Some(s) = at.checked_add(2).and_then(|end| bytes.get(at..end)) {
        b.copy_from_slice(s);
    }
    u16::from_le_bytes(b)
}

pub fn le_u32(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(s) = at.checked_add(4).and_then(|end| bytes.get(at..end)) {
        b.copy_from_slice(s);
    }
    u32::from_le_bytes(b)
}

pub fn le_u64(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = at.checked_add(8).and_then(|end| bytes.get(at..end)) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

/// The message an Ed25519 signature covers: a domain-separation tag, the identity of the
/// artifact (channel id, content version, template id, field count) and SHA-256 of the
/// signed region (the fixed header and body exactly as on disk).
pub fn signed_message(region: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(SIGNING_CONTEXT.len().saturating_add(50));
    msg.extend_from_slice(SIGNING_CONTEXT);
    msg.extend_from_slice(&le_u32(region, OFF_CHANNEL_ID).to_le_bytes());
    msg.extend_from_slice(&le_u64(region, OFF_CONTENT_VERSION).to_le_bytes());
    msg.extend_from_slice(&le_u32(region, OFF_TEMPLATE_ID).to_le_bytes());
    msg.extend_from_slice(&le_u16(region, OFF_FIELD_COUNT).to_le_bytes());
    msg.extend_from_slice(&Sha256::digest(region));
    msg
}
