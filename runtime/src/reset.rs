//! The record reset: the signed rollback that gives a channel id frozen at the version
//! ceiling its room back (docs/delivery.md, "Content versions: the ceiling and the way
//! back"; DESIGN.md invariant 5, "unless a signed rollback says so").
//!
//! A reset is a small file of its own, not a channel: 40 bytes that say "the highest
//! accepted version of channel `channel_id`, which is `from`, becomes `to`; this is
//! reset number `serial` of that id", then the signature section of a channel file, by
//! the same channel keys and under the host's same trust store and threshold. The
//! signatures cover a message with its own domain-separation tag, so no channel
//! signature is ever a reset signature or the other way round. This module checks the
//! bytes and the signatures; whether a reset applies (its `from` is the store's highest
//! version, its serial is new, the channel delivered with it is version `to`) is the
//! store's to judge, as a channel's version is.
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 8 | magic `WARDRSET` |
//! | 8 | 2 | format version, 1 (little-endian, as every number) |
//! | 10 | 2 | reserved, 0 |
//! | 12 | 4 | channel id |
//! | 16 | 8 | `from`: the highest version the reset replaces |
//! | 24 | 8 | `to`: the highest version from then on, below `from` |
//! | 32 | 8 | `serial`: the reset's own version, above every reset the store took for the id |
//! | 40 | | signature count (1 to `MAX_SIGNATURES`), then 72-byte entries, to the end |

use alloc::vec::Vec;
use core::fmt;

use crate::decode::signature_section;
use crate::error::VerifyError;
use crate::trust::TrustStore;
use crate::verify::check_signed;
use crate::wire::{Reader, FORMAT_VERSION};

/// The first eight bytes of every record reset.
pub const RESET_MAGIC: [u8; 8] = *b"WARDRSET";
/// The length of a reset before its signature section.
pub const RESET_LEN: usize = 40;
/// Domain-separation tag of the message a reset's signatures cover.
pub const RESET_SIGNING_CONTEXT: &[u8] = b"ward-record-reset-v1\0";

/// What a record reset says, once its signatures verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordReset {
    pub channel_id: u32,
    /// The highest accepted version the reset replaces (the frozen one).
    pub from: u64,
    /// The highest accepted version after the reset.
    pub to: u64,
    /// The reset's own version: a store takes each serial of an id once.
    pub serial: u64,
}

/// Why a record reset was refused before anything of it was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetError {
    /// The bytes are not a record reset: too short, another magic, another format
    /// version, or a reserved field that is not zero.
    Malformed { offset: usize, reason: &'static str },
    /// The signature section is malformed or the signatures do not meet the trust
    /// store's threshold: the channel verifier's own errors.
    Signature(VerifyError),
}

impl fmt::Display for ResetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResetError::Malformed { offset, reason } => {
                write!(f, "not a record reset: at byte {offset}: {reason}")
            }
            ResetError::Signature(e) => write!(f, "the record reset is not signed: {e}"),
        }
    }
}

impl RecordReset {
    /// The reset's 40 bytes, which its signatures cover.
    pub fn region(&self) -> [u8; RESET_LEN] {
        let bytes = [
            &RESET_MAGIC[..],
            &FORMAT_VERSION.to_le_bytes(),
            &[0, 0],
            &self.channel_id.to_le_bytes(),
            &self.from.to_le_bytes(),
            &self.to.to_le_bytes(),
            &self.serial.to_le_bytes(),
        ]
        .concat();
        // 8 + 2 + 2 + 4 + 8 + 8 + 8 bytes: always RESET_LEN.
        bytes.try_into().unwrap_or([0; RESET_LEN])
    }

    /// The message a reset's signatures cover: the domain tag, then the 40 bytes.
    pub fn signed_message(region: &[u8]) -> Vec<u8> {
        [RESET_SIGNING_CONTEXT, region].concat()
    }
}

/// Checks that `bytes` are a record reset signed by at least the trust store's threshold
/// of its keys (by the rules of a channel's signatures: docs/channel-format.md, stage 3),
/// and returns what it says.
pub fn verify_reset(bytes: &[u8], trust: &TrustStore) -> Result<RecordReset, ResetError> {
    let malformed = |offset, reason| ResetError::Malformed { offset, reason };
    let mut r = Reader::new(bytes, 0);
    let region = r
        .take(RESET_LEN, "the record reset")
        .map_err(|_| malformed(bytes.len(), "shorter than the 40 bytes of a record reset"))?;
    let mut h = Reader::new(region, 0);
    let short = |_| malformed(0, "shorter than the 40 bytes of a record reset");
    let magic: [u8; 8] = h.array("the magic number").map_err(short)?;
    if magic != RESET_MAGIC {
        return Err(malformed(0, "it does not start with `WARDRSET`"));
    }
    if h.u16("the format version").map_err(short)? != FORMAT_VERSION {
        return Err(malformed(8, "a format version other than 1"));
    }
    if h.u16("a reserved field").map_err(short)? != 0 {
        return Err(malformed(10, "a reserved field that is not zero"));
    }
    let reset = RecordReset {
        channel_id: h.u32("the channel id").map_err(short)?,
        from: h.u64("the version it resets").map_err(short)?,
        to: h.u64("the version it resets to").map_err(short)?,
        serial: h.u64("the serial").map_err(short)?,
    };
    let signatures = signature_section(&mut r).map_err(ResetError::Signature)?;
    check_signed(&signatures, RESET_LEN, trust, || {
        RecordReset::signed_message(region)
    })
    .map_err(ResetError::Signature)?;
    Ok(reset)
}
