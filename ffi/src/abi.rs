//! The types and constants of the C ABI: what include/ward.h declares besides functions.
//!
//! Values the host passes in are plain integers (never Rust enums, which no foreign bit
//! pattern may violate); [`WardStatus`], which only this crate writes, is an enum.

use std::ffi::c_char;

use ward_runtime::Limits;

/// What a call returned. `WARD_STATUS_OK` is 0; every other value is a failure, and the
/// [`WardError`] the host passed (if any) says more.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WardStatus {
    Ok = 0,
    /// A required pointer argument was null.
    NullArgument = 1,
    /// An argument was malformed: not UTF-8, an unknown type or value kind, a count past
    /// its limit, a public key that is not one.
    InvalidArgument = 2,
    /// The trust store was refused (a weak or duplicate key, an impossible threshold).
    Trust = 3,
    /// The sensor profile was refused.
    Profile = 4,
    /// The channel file was refused by the verifier; `code` and `offset` say why and where.
    Verify = 5,
    /// The event does not fit the channel (input count or an input's type): a host bug.
    Event = 6,
    /// More instances matched than the match buffer holds; the first `capacity` (in
    /// ascending id order) were written and the count says how many matched in all.
    Truncated = 7,
    /// A bug in Ward: a panic was caught at the boundary. The handles stay valid.
    Panic = 8,
}

/// The length of [`WardError::message`], its terminating NUL included.
pub const WARD_MESSAGE_LEN: usize = 256;

/// `WardError::offset` when the failure has no byte offset.
pub const WARD_NO_OFFSET: u64 = u64::MAX;

/// Why a call failed. The host owns it (on its stack, typically); Ward only writes it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WardError {
    pub status: WardStatus,
    /// For `WARD_STATUS_VERIFY`, the verifier's stable error code (docs/channel-format.md);
    /// otherwise 0.
    pub code: u32,
    /// The byte offset in the channel file, or `WARD_NO_OFFSET`.
    pub offset: u64,
    /// A sentence saying what and where, UTF-8, NUL-terminated, cut to fit.
    pub message: [c_char; WARD_MESSAGE_LEN],
}

// Field types of a profile's fields (`WardFieldDef::type`).
pub const WARD_TYPE_BOOL: u8 = 1;
pub const WARD_TYPE_U8: u8 = 2;
pub const WARD_TYPE_U16: u8 = 3;
pub const WARD_TYPE_U32: u8 = 4;
pub const WARD_TYPE_U64: u8 = 5;
pub const WARD_TYPE_I32: u8 = 6;
pub const WARD_TYPE_I64: u8 = 7;
/// Compared case-sensitively.
pub const WARD_TYPE_STRING: u8 = 8;
/// Compared case-insensitively (Windows paths).
pub const WARD_TYPE_PATH: u8 = 9;
pub const WARD_TYPE_IP: u8 = 10;
pub const WARD_TYPE_SHA256: u8 = 11;
/// One of the template's enums, `WardFieldDef::enum_index` says which.
pub const WARD_TYPE_ENUM: u8 = 12;

// Kinds of an event's input values (`WardValue::kind`).
/// `uint` is 0 or 1.
pub const WARD_VALUE_BOOL: u32 = 1;
/// `uint`: any unsigned field (`u8` to `u64`).
pub const WARD_VALUE_UINT: u32 = 2;
/// `sint`: any signed field (`i32`, `i64`).
pub const WARD_VALUE_INT: u32 = 3;
/// `bytes`/`len`: UTF-8 text of a `string` or `path` field, not NUL-terminated.
pub const WARD_VALUE_STR: u32 = 4;
/// `bytes`/`len`: 4 (IPv4) or 16 (IPv6) bytes in network order.
pub const WARD_VALUE_IP: u32 = 5;
/// `bytes`/`len`: 32 bytes.
pub const WARD_VALUE_SHA256: u32 = 6;
/// `uint`: an enum variant's numeric value.
pub const WARD_VALUE_ENUM: u32 = 7;

/// One input of an event; `inputs[n - 1]` is field `n`. Which members are read depends on
/// `kind`; the others are ignored. Strings are borrowed for the call only.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WardValue {
    pub kind: u32,
    pub uint: u64,
    pub sint: i64,
    pub bytes: *const u8,
    pub len: usize,
}

/// One instance that matched.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WardMatch {
    pub instance: u32,
    /// 0 informational, 1 low, 2 medium, 3 high, 4 critical.
    pub severity: u8,
    /// 0 detect, 1 prevent.
    pub action: u8,
}

/// One variant of an enum of a profile.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WardVariantDef {
    pub name: *const c_char,
    pub value: u32,
}

/// An enum a profile's field uses; compared with the channel's by name and variants.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WardEnumDef {
    pub name: *const c_char,
    pub variants: *const WardVariantDef,
    pub variant_count: usize,
}

/// One supplied field; field `n` is `fields[n - 1]`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WardFieldDef {
    pub name: *const c_char,
    /// A `WARD_TYPE_*` constant.
    pub r#type: u8,
    /// For `WARD_TYPE_ENUM`, the index into the template's `enums`; otherwise 0.
    pub enum_index: u16,
}

/// One template the sensor supplies: inputs `1..=supplied`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WardTemplateDef {
    pub name: *const c_char,
    pub id: u32,
    pub version: u32,
    pub supplied: u16,
    pub fields: *const WardFieldDef,
    pub field_count: usize,
    pub enums: *const WardEnumDef,
    pub enum_count: usize,
}

/// A sensor's profile as static data: generate it with `ward sensor export NAME --lang c`,
/// never by hand.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WardSensorProfileDef {
    pub name: *const c_char,
    pub templates: *const WardTemplateDef,
    pub template_count: usize,
}

/// The limits a host verifies channels under (`ward_channel_verify_with`), the runtime's
/// `Limits`. Start from `ward_limits_default()` (today's constants) and lower what the
/// host cannot afford: a kernel-mode host sets `max_decoded_bytes` to its memory budget,
/// so a channel is refused before the verifier allocates past it. Raising a limit past
/// its default admits nothing more than the encoder writes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WardLimits {
    /// Largest channel file accepted, in bytes.
    pub max_file_size: usize,
    /// Most instances in one channel.
    pub max_instances: usize,
    /// The memory budget: most heap the decoded channel may take, charged before each
    /// allocation as the verifier builds it.
    pub max_decoded_bytes: usize,
    /// Sum of the source lengths of the channel's distinct compiled patterns.
    pub max_total_pattern_bytes: usize,
    /// Sum of the charged compiled-size tiers of the channel's distinct patterns.
    pub max_total_regex_size: usize,
    /// The longest text input the host passes, in bytes: the length the worst-case cost
    /// of an event is computed at.
    pub max_input_bytes: usize,
    /// The time budget: most work one event may take, in the verifier's cost units, at
    /// inputs of `max_input_bytes`.
    pub max_event_cost: u64,
}

impl From<Limits> for WardLimits {
    fn from(l: Limits) -> WardLimits {
        // Destructured without `..`: a limit the runtime adds must be added here too.
        let Limits {
            max_file_size,
            max_instances,
            max_decoded_bytes,
            max_total_pattern_bytes,
            max_total_regex_size,
            max_input_bytes,
            max_event_cost,
        } = l;
        WardLimits {
            max_file_size,
            max_instances,
            max_decoded_bytes,
            max_total_pattern_bytes,
            max_total_regex_size,
            max_input_bytes,
            max_event_cost,
        }
    }
}

impl From<&WardLimits> for Limits {
    fn from(l: &WardLimits) -> Limits {
        let WardLimits {
            max_file_size,
            max_instances,
            max_decoded_bytes,
            max_total_pattern_bytes,
            max_total_regex_size,
            max_input_bytes,
            max_event_cost,
        } = *l;
        Limits {
            max_file_size,
            max_instances,
            max_decoded_bytes,
            max_total_pattern_bytes,
            max_total_regex_size,
            max_input_bytes,
            max_event_cost,
        }
    }
}

/// Buckets of [`WardCounters::histogram`]: the runtime's cost histogram (below 8 one
/// bucket per cost, then 8 per power of two; docs/embedding.md, "Counters").
pub const WARD_COST_BUCKETS: usize = 496;

// The header's literal and the runtime's table are one number.
const _: () = assert!(WARD_COST_BUCKETS == ward_runtime::counters::COST_BUCKETS);

/// A channel's evaluation counters (`ward_channel_counters`), or the difference of two
/// (`ward_counters_since`). Costs are in the verifier's work units; nanoseconds are the
/// host's clock's, for the events evaluated with `ward_channel_evaluate_timed`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct WardCounters {
    /// Events evaluated (refused events are not counted).
    pub events: u64,
    /// Instances matched, over every event.
    pub matches: u64,
    pub cost_total: u64,
    /// The costliest event since the channel was verified.
    pub cost_worst: u64,
    /// Events timed with the host's clock.
    pub timed_events: u64,
    pub nanos_total: u64,
    /// The slowest timed event since the channel was verified.
    pub nanos_worst: u64,
    /// Heap the channel holds, in bytes.
    pub memory_bytes: u64,
    /// Events per cost bucket.
    pub histogram: [u64; WARD_COST_BUCKETS],
}
