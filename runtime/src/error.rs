//! Why a channel file was rejected: one variant per failure, each saying what and where.
//!
//! Variants are grouped by the verification stage that produces them (limits, framing,
//! signatures, structure, semantics), in the order of DESIGN.md. Offsets are absolute byte
//! offsets into the file; `instance` is the instance id as written in the file.

use alloc::string::String;
use core::fmt;

use crate::model::Op;
use crate::trust::KeyId;

/// A channel file was refused by [`crate::decode`] or [`crate::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    // ---- Stage 1: size limits ----
    /// The file is larger than [`crate::limits::MAX_FILE_SIZE`].
    /// `offset` is the first byte past the limit.
    FileTooLarge {
        offset: usize,
        size: usize,
        limit: usize,
    },

    // ---- Stage 2: framing ----
    /// The file is shorter than the fixed header.
    /// `offset` is where the file ends.
    TooShort {
        offset: usize,
        size: usize,
        needed: usize,
    },
    /// The first eight bytes are not `WARDCHAN`.
    BadMagic { offset: usize, found: [u8; 8] },
    /// A format version this runtime does not read.
    UnsupportedFormatVersion {
        offset: usize,
        found: u16,
        supported: u16,
    },
    /// A reserved header field is not zero.
    NonZeroReserved { offset: usize, value: u16 },
    /// The body length runs past the end of the file (or overflows).
    BodyOutOfBounds {
        offset: usize,
        body_len: u32,
        file_len: usize,
    },
    /// The signature count is zero: unsigned files are never accepted.
    NoSignatures { offset: usize },
    /// More signatures than [`crate::limits::MAX_SIGNATURES`].
    TooManySignatures {
        offset: usize,
        count: usize,
        limit: usize,
    },
    /// The signature section is not exactly `1 + 72 * count` bytes up to the end of the
    /// file: the file is truncated or has trailing bytes.
    SignatureSectionLength {
        offset: usize,
        expected: usize,
        found: usize,
    },
    /// The template field count is zero.
    NoFields { offset: usize },

    // ---- Stage 3: signatures ----
    /// No signature is by a trusted key; this one names the first unknown key id.
    UnknownSigner { offset: usize, key_id: KeyId },
    /// A signature by a trusted key does not verify: the file was altered after signing,
    /// or the signature belongs to another file.
    BadSignature { offset: usize, key_id: KeyId },
    /// Fewer distinct trusted keys signed than the trust store requires.
    /// `offset` is the start of the signature section.
    ThresholdNotMet {
        offset: usize,
        valid: usize,
        required: usize,
    },

    // ---- Stage 4: structure ----
    /// A read of `needed` bytes at `offset` runs past the end of the body.
    Truncated {
        offset: usize,
        needed: usize,
        available: usize,
        what: &'static str,
    },
    /// A count or length is over its limit.
    LimitExceeded {
        what: &'static str,
        offset: usize,
        found: u64,
        limit: u64,
    },
    /// A pool string is not UTF-8.
    InvalidUtf8 { offset: usize },
    /// A string reference points past the end of the string pool.
    StringIndexOutOfRange {
        offset: usize,
        index: u32,
        pool_len: usize,
    },
    /// A field type tag is not one of the known tags.
    UnknownTypeTag { offset: usize, tag: u8 },
    /// An enum field type refers to an enum the channel does not declare.
    EnumIndexOutOfRange {
        offset: usize,
        index: u16,
        enums: usize,
    },
    /// An enum declares no variants.
    EmptyEnum { offset: usize, name: String },
    /// An enum declares the same variant name or value twice.
    DuplicateVariant {
        offset: usize,
        enum_name: String,
        variant: String,
    },
    UnknownSeverity {
        offset: usize,
        instance: u32,
        tag: u8,
    },
    UnknownAction {
        offset: usize,
        instance: u32,
        tag: u8,
    },
    UnknownOpTag {
        offset: usize,
        instance: u32,
        tag: u8,
    },
    UnknownOperandTag {
        offset: usize,
        instance: u32,
        tag: u8,
    },
    UnknownValueTag {
        offset: usize,
        instance: u32,
        tag: u8,
    },
    /// A boolean byte other than 0 or 1.
    InvalidBool { offset: usize, byte: u8 },
    /// An IP family byte other than 4 or 6.
    UnknownIpFamily { offset: usize, tag: u8 },
    /// Instance ids must be strictly ascending; this one is below its predecessor.
    InstanceOrder {
        offset: usize,
        id: u32,
        previous: u32,
    },
    /// Two instances have the same id.
    DuplicateInstance { offset: usize, id: u32 },
    /// A criterion names field 0 or a field past the end of the template.
    FieldOutOfTemplate {
        offset: usize,
        instance: u32,
        field: u16,
        fields: u16,
    },
    /// Bytes left in the body after the instance table.
    TrailingBytes { offset: usize, count: usize },

    // ---- Stage 5: semantics against the host's sensor profile ----
    /// The host has no profile for the channel's template.
    /// `offset` is the template id in the fixed header.
    TemplateNotSupported {
        offset: usize,
        template: u32,
        sensor: String,
    },
    /// The host knows the template at another version.
    /// `offset` is the template version in the fixed header.
    TemplateVersionMismatch {
        offset: usize,
        template: u32,
        channel: u32,
        host: u32,
    },
    /// The host's own profile is inconsistent (a host configuration error, not content).
    /// `offset` is the template id in the fixed header: the template whose host profile
    /// is inconsistent.
    HostProfileInvalid {
        offset: usize,
        sensor: String,
        reason: String,
    },
    /// A supplied field has another type (or another enum) in the channel than on the host.
    /// `offset` is the field count in the fixed header (the decoder keeps no offsets of
    /// field definitions).
    FieldTypeMismatch {
        offset: usize,
        field: u16,
        name: String,
        channel: String,
        host: String,
    },
    /// A criterion reads a field the host does not supply: the channel-291 failure.
    /// `offset` is the criterion's field number.
    FieldNotSupplied {
        offset: usize,
        instance: u32,
        field: u16,
        supplied: u16,
    },
    /// An instance has no criteria and would match every event.
    NoCriteria { offset: usize, instance: u32 },
    /// The operator is not defined on the field's type.
    OperatorNotAllowed {
        offset: usize,
        instance: u32,
        field: u16,
        op: Op,
        ty: String,
    },
    /// The operand's shape (scalar, list, pattern, CIDR) does not fit the operator.
    OperandShape {
        offset: usize,
        instance: u32,
        field: u16,
        op: Op,
        expected: &'static str,
    },
    /// An operand value's type is not the field's type.
    OperandType {
        offset: usize,
        instance: u32,
        field: u16,
        expected: String,
        found: &'static str,
    },
    /// An integer operand does not fit the field's width.
    OperandOutOfRange {
        offset: usize,
        instance: u32,
        field: u16,
        value: String,
        ty: String,
    },
    /// An enum operand is not a declared variant of the field's enum.
    UnknownEnumVariant {
        offset: usize,
        instance: u32,
        field: u16,
        value: u32,
        enum_name: String,
    },
    /// An `in` / `not in` list is empty.
    EmptyList {
        offset: usize,
        instance: u32,
        field: u16,
    },
    /// A CIDR prefix longer than the address (32 for v4, 128 for v6).
    BadCidrPrefix {
        offset: usize,
        instance: u32,
        field: u16,
        prefix: u8,
        max: u8,
    },
    /// A pattern source longer than [`crate::limits::MAX_PATTERN_LEN`].
    PatternTooLong {
        offset: usize,
        instance: u32,
        field: u16,
        len: usize,
        limit: usize,
    },
    /// A glob that is not well formed (an unclosed `[`, a reversed range).
    BadGlob {
        offset: usize,
        instance: u32,
        field: u16,
        reason: String,
    },
    /// A regex that does not parse.
    BadRegex {
        offset: usize,
        instance: u32,
        field: u16,
        reason: String,
    },
    /// A pattern whose compiled form exceeds [`crate::limits::REGEX_SIZE_LIMIT`].
    RegexTooLarge {
        offset: usize,
        instance: u32,
        field: u16,
        limit: usize,
    },
    /// The worst-case cost of one event with inputs of `input_bytes` (the host's
    /// `Limits::max_input_bytes`) exceeds the host's `Limits::max_event_cost`. `reason`
    /// names the costliest part: the instances that share one index key, or that have no
    /// anchor, and the costliest criterion among them. `offset` and `instance` are the
    /// first of those instances (0 if the index's own probes are what cost most).
    CostOverBudget {
        offset: usize,
        instance: u32,
        found: u64,
        limit: u64,
        input_bytes: usize,
        reason: String,
    },
}

/// One row of the table of [`VerifyError`] codes: docs/channel-format.md's error table is
/// generated from [`VERIFY_ERROR_CODES`] and held to it by runtime/tests/error_codes.rs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// Stable: a host may log, count and match on it. Stage times 100, plus a number.
    pub code: u16,
    /// The variant's name.
    pub name: &'static str,
    /// The verification stage that produces it (docs/channel-format.md, "Verification
    /// order").
    pub stage: u8,
    pub meaning: &'static str,
}

/// One table per concept: each variant's code, stage and meaning are written once, here;
/// the match arms the macro generates are exhaustive, so a new variant without a row does
/// not compile.
macro_rules! verify_error_codes {
    ($($variant:ident = $code:literal, $stage:literal, $meaning:literal;)*) => {
        /// Every code a [`VerifyError`] can have, in the order of the stages.
        pub const VERIFY_ERROR_CODES: &[ErrorCode] = &[$(ErrorCode {
            code: $code,
            name: stringify!($variant),
            stage: $stage,
            meaning: $meaning,
        },)*];

        impl VerifyError {
            /// The stable numeric code of this error ([`VERIFY_ERROR_CODES`]).
            pub fn code(&self) -> u16 {
                match self {
                    $(VerifyError::$variant { .. } => $code,)*
                }
            }

            /// The absolute byte offset in the file the error is about. Every variant has
            /// one; for errors about the whole file or the host's profile it is the
            /// header field they concern (see each variant).
            pub fn offset(&self) -> usize {
                match self {
                    $(VerifyError::$variant { offset, .. } => *offset,)*
                }
            }
        }
    };
}

verify_error_codes! {
    FileTooLarge = 101, 1, "over `MAX_FILE_SIZE`";
    TooShort = 201, 2, "shorter than the 40-byte header";
    BadMagic = 202, 2, "not `WARDCHAN`";
    UnsupportedFormatVersion = 203, 2, "version other than 1";
    NonZeroReserved = 204, 2, "flags or reserved field not zero";
    NoFields = 205, 2, "field count 0";
    LimitExceeded = 206, 2, "field count over `MAX_FIELDS` (also used in stages 4 and 5 for every count over its limit)";
    BodyOutOfBounds = 207, 2, "body runs past the end";
    NoSignatures = 208, 2, "signature count 0 or missing";
    TooManySignatures = 209, 2, "over `MAX_SIGNATURES`";
    SignatureSectionLength = 210, 2, "truncated, or trailing bytes";
    UnknownSigner = 301, 3, "no signature is by a trusted key";
    BadSignature = 302, 3, "a trusted key's signature does not verify";
    ThresholdNotMet = 303, 3, "too few distinct trusted signers";
    Truncated = 401, 4, "a read or a count runs past the body";
    InvalidUtf8 = 402, 4, "a pool string is not UTF-8";
    StringIndexOutOfRange = 403, 4, "`str` past the pool";
    UnknownTypeTag = 404, 4, "field type tag";
    EnumIndexOutOfRange = 405, 4, "enum field type index";
    EmptyEnum = 406, 4, "enum without variants";
    DuplicateVariant = 407, 4, "variant name or value twice";
    UnknownSeverity = 408, 4, "unknown severity tag";
    UnknownAction = 409, 4, "unknown action tag";
    UnknownOpTag = 410, 4, "unknown operator tag";
    UnknownOperandTag = 411, 4, "unknown operand tag";
    UnknownValueTag = 412, 4, "unknown value tag";
    InvalidBool = 413, 4, "boolean not 0 or 1";
    UnknownIpFamily = 414, 4, "family not 4 or 6";
    InstanceOrder = 415, 4, "ids not ascending";
    DuplicateInstance = 416, 4, "same id twice";
    FieldOutOfTemplate = 417, 4, "field 0 or past the template";
    TrailingBytes = 418, 4, "bytes after the instance table";
    TemplateNotSupported = 501, 5, "host has no such template";
    TemplateVersionMismatch = 502, 5, "host has the template at another version";
    HostProfileInvalid = 503, 5, "the host's own profile is inconsistent";
    FieldTypeMismatch = 504, 5, "a supplied field's type differs";
    FieldNotSupplied = 505, 5, "criterion on a field the host does not supply";
    NoCriteria = 506, 5, "instance would match everything";
    OperatorNotAllowed = 507, 5, "operator not defined on the type";
    OperandShape = 508, 5, "scalar/list/pattern/CIDR mismatch";
    OperandType = 509, 5, "value of another type";
    OperandOutOfRange = 510, 5, "integer too wide for the field";
    UnknownEnumVariant = 511, 5, "enum operand not a declared variant";
    EmptyList = 512, 5, "empty `in` / `not in` list";
    BadCidrPrefix = 513, 5, "CIDR prefix longer than the address";
    PatternTooLong = 514, 5, "pattern over `MAX_PATTERN_LEN`";
    BadGlob = 515, 5, "malformed glob";
    BadRegex = 516, 5, "regex does not parse";
    RegexTooLarge = 517, 5, "compiled size over the limit";
    CostOverBudget = 518, 5, "worst-case cost of one event over the host's budget";
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use VerifyError as E;
        match self {
            E::FileTooLarge { size, limit, .. } => write!(f, "the file is {size} bytes; the limit is {limit} bytes"),
            E::TooShort { size, needed, .. } => write!(f, "the file is {size} bytes, shorter than the {needed}-byte header"),
            E::BadMagic { found, .. } => write!(f, "the file does not start with the channel magic `WARDCHAN` (found {found:02x?})"),
            E::UnsupportedFormatVersion { offset, found, supported } => write!(f, "at byte {offset}: format version {found} is not supported (this runtime reads version {supported})"),
            E::NonZeroReserved { offset, value } => write!(f, "at byte {offset}: a reserved header field is {value:#06x}, it must be zero"),
            E::BodyOutOfBounds { offset, body_len, file_len } => write!(f, "at byte {offset}: the body length {body_len} runs past the end of the {file_len}-byte file"),
            E::NoSignatures { offset } => write!(f, "at byte {offset}: the file has no signatures; unsigned channels are never accepted"),
            E::TooManySignatures { offset, count, limit } => write!(f, "at byte {offset}: the file has {count} signatures; at most {limit} are allowed"),
            E::SignatureSectionLength { offset, expected, found } => write!(f, "at byte {offset}: the signature section should be {expected} bytes to the end of the file but is {found} (truncated file or trailing bytes)"),
            E::NoFields { offset } => write!(f, "at byte {offset}: the template has zero fields"),
            E::UnknownSigner { offset, key_id } => write!(f, "at byte {offset}: the channel is signed by key {key_id}, which this host does not trust, and by no trusted key"),
            E::BadSignature { offset, key_id } => write!(f, "at byte {offset}: the signature by trusted key {key_id} does not verify; the file was altered or the signature belongs to another file"),
            E::ThresholdNotMet { offset, valid, required } => write!(f, "at byte {offset}: the channel has valid signatures from {valid} distinct trusted keys; this host requires {required}"),
            E::Truncated { offset, needed, available, what } => write!(f, "at byte {offset}: reading {what} needs {needed} bytes but only {available} remain"),
            E::LimitExceeded { what, offset, found, limit } => write!(f, "at byte {offset}: {what} is {found}; the limit is {limit}"),
            E::InvalidUtf8 { offset } => write!(f, "at byte {offset}: a string is not valid UTF-8"),
            E::StringIndexOutOfRange { offset, index, pool_len } => write!(f, "at byte {offset}: string index {index} is past the end of the {pool_len}-entry string pool"),
            E::UnknownTypeTag { offset, tag } => write!(f, "at byte {offset}: unknown field type tag {tag}"),
            E::EnumIndexOutOfRange { offset, index, enums } => write!(f, "at byte {offset}: enum index {index} is out of range; the channel declares {enums} enums"),
            E::EmptyEnum { offset, name } => write!(f, "at byte {offset}: enum `{name}` has no variants"),
            E::DuplicateVariant { offset, enum_name, variant } => write!(f, "at byte {offset}: enum `{enum_name}` declares variant `{variant}` (or its value) twice"),
            E::UnknownSeverity { offset, instance, tag } => write!(f, "at byte {offset}: instance {instance} has unknown severity tag {tag}"),
            E::UnknownAction { offset, instance, tag } => write!(f, "at byte {offset}: instance {instance} has unknown action tag {tag}"),
            E::UnknownOpTag { offset, instance, tag } => write!(f, "at byte {offset}: instance {instance} has a criterion with unknown operator tag {tag}"),
            E::UnknownOperandTag { offset, instance, tag } => write!(f, "at byte {offset}: instance {instance} has a criterion with unknown operand tag {tag}"),
            E::UnknownValueTag { offset, instance, tag } => write!(f, "at byte {offset}: instance {instance} has an operand with unknown value tag {tag}"),
            E::InvalidBool { offset, byte } => write!(f, "at byte {offset}: a boolean is {byte}, it must be 0 or 1"),
            E::UnknownIpFamily { offset, tag } => write!(f, "at byte {offset}: unknown IP address family {tag} (expected 4 or 6)"),
            E::InstanceOrder { offset, id, previous } => write!(f, "at byte {offset}: instance {id} follows instance {previous}; instances must be in ascending id order"),
            E::DuplicateInstance { offset, id } => write!(f, "at byte {offset}: instance id {id} appears twice"),
            E::FieldOutOfTemplate { offset, instance, field, fields } => write!(f, "at byte {offset}: instance {instance} has a criterion on field {field}, but the template's fields are numbered 1 to {fields}"),
            E::TrailingBytes { offset, count } => write!(f, "at byte {offset}: {count} unexpected bytes follow the instance table"),
            E::TemplateNotSupported { offset, template, sensor } => write!(f, "at byte {offset}: sensor `{sensor}` does not support template {template}"),
            E::TemplateVersionMismatch { offset, template, channel, host } => write!(f, "at byte {offset}: the channel is built for version {channel} of template {template}, but the sensor has version {host}"),
            E::HostProfileInvalid { sensor, reason, .. } => write!(f, "the profile of sensor `{sensor}` is inconsistent: {reason}"),
            E::FieldTypeMismatch { offset, field, name, channel, host } => write!(f, "at byte {offset}: field {field} (`{name}`) has type {channel} in the channel but {host} on the sensor"),
            E::FieldNotSupplied { offset, instance, field, supplied } => write!(f, "at byte {offset}: instance {instance} has a criterion on field {field}, but the sensor supplies only fields 1 to {supplied}"),
            E::NoCriteria { offset, instance } => write!(f, "at byte {offset}: instance {instance} has no criteria and would match every event"),
            E::OperatorNotAllowed { offset, instance, field, op, ty } => write!(f, "at byte {offset}: instance {instance}: operator {op:?} is not defined on field {field} of type {ty}"),
            E::OperandShape { offset, instance, field, op, expected } => write!(f, "at byte {offset}: instance {instance}: operator {op:?} on field {field} takes {expected}"),
            E::OperandType { offset, instance, field, expected, found } => write!(f, "at byte {offset}: instance {instance}: field {field} has type {expected} but the operand is {found}"),
            E::OperandOutOfRange { offset, instance, field, value, ty } => write!(f, "at byte {offset}: instance {instance}: operand {value} does not fit field {field} of type {ty}"),
            E::UnknownEnumVariant { offset, instance, field, value, enum_name } => write!(f, "at byte {offset}: instance {instance}: value {value} is not a variant of enum `{enum_name}` (field {field})"),
            E::EmptyList { offset, instance, field } => write!(f, "at byte {offset}: instance {instance}: the list for field {field} is empty"),
            E::BadCidrPrefix { offset, instance, field, prefix, max } => write!(f, "at byte {offset}: instance {instance}: CIDR prefix /{prefix} on field {field} is longer than {max} bits"),
            E::PatternTooLong { offset, instance, field, len, limit } => write!(f, "at byte {offset}: instance {instance}: the pattern on field {field} is {len} bytes; the limit is {limit}"),
            E::BadGlob { offset, instance, field, reason } => write!(f, "at byte {offset}: instance {instance}: the glob on field {field} is malformed: {reason}"),
            E::BadRegex { offset, instance, field, reason } => write!(f, "at byte {offset}: instance {instance}: the regex on field {field} does not compile: {reason}"),
            E::RegexTooLarge { offset, instance, field, limit } => write!(f, "at byte {offset}: instance {instance}: the pattern on field {field} compiles to more than {limit} bytes"),
            E::CostOverBudget { offset, found, limit, input_bytes, reason, .. } => write!(f, "at byte {offset}: one event with {input_bytes}-byte inputs can cost {found} steps; this host's budget is {limit}: {reason}"),
        }
    }
}

impl core::error::Error for VerifyError {}
