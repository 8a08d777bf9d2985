//! Every hard limit of the channel format and the runtime, in one place, and the
//! [`Limits`] a host sets for itself.
//!
//! Each limit is checked before the length or count it bounds is used, so no allocation,
//! loop or compiled pattern is ever sized by channel contents alone (DESIGN.md invariant 3).
//! The encoder enforces the same limits, so anything it writes decodes. The compiler and
//! the language server import these constants rather than restating them.

/// Largest channel file accepted, in bytes (32 MiB). Checked before anything else is read.
/// A 100,000-instance channel of realistic content is about 5 MiB.
pub const MAX_FILE_SIZE: usize = 32 * 1024 * 1024;

/// Largest content version a channel store accepts: 2^53 - 1, the largest integer every
/// JSON reader holds exactly (versions travel in release metadata), and far above any
/// scheme in use (a `yyyymmddhhmm` timestamp is about 2^41). A version at `u64::MAX`
/// would leave no room for any later one; docs/delivery.md, "Content versions".
pub const MAX_CONTENT_VERSION: u64 = (1 << 53) - 1;

/// Most instances in one channel. Real channels hold up to about 100,000.
pub const MAX_INSTANCES: usize = 250_000;

/// Most criteria in one instance. Templates have at most [`MAX_FIELDS`] fields, and a
/// criterion per field with a few ranges is well under this.
pub const MAX_CRITERIA_PER_INSTANCE: usize = 64;

/// Most fields in a template. Zero fields is also rejected: a template with no fields
/// cannot be matched against anything. The field count is a `u16` on the wire, so 255 or
/// 65,535 are representable and must be refused by this limit.
pub const MAX_FIELDS: usize = 128;

/// Most targeted sensors recorded in one channel.
pub const MAX_TARGETS: usize = 64;

/// Most enum declarations in one channel.
pub const MAX_ENUMS: usize = 64;

/// Most variants in one enum. An enum must also have at least one variant.
pub const MAX_ENUM_VARIANTS: usize = 1024;

/// Most values in one `in` / `not in` list. Lists never nest: an operand is a scalar, a
/// flat list of scalars, a pattern or a CIDR, so the format has a nesting depth of one.
pub const MAX_LIST_LEN: usize = 4096;

/// Most tags on one instance.
pub const MAX_TAGS: usize = 32;

/// Longest string in the pool (names, tags, string operands, pattern sources), in bytes.
pub const MAX_STRING_LEN: usize = 4096;

/// Most entries in the string pool. Every entry takes at least four bytes, so the file
/// size limit bounds this too; the explicit limit keeps the index table small.
pub const MAX_POOL_STRINGS: usize = 1 << 21;

/// Longest glob or regex source, in bytes.
pub const MAX_PATTERN_LEN: usize = 1024;

/// Sum of the source lengths of the distinct compiled patterns of one channel, in bytes.
/// Patterns are compiled once at verification; this bounds the total compile work and
/// memory. Globs without classes are matched without compiling and are not counted (the
/// decoded-size limit bounds the text they keep).
pub const MAX_TOTAL_PATTERN_BYTES: usize = 4 * 1024 * 1024;

/// The regex crate's `size_limit` for one compiled pattern, in bytes (1 MiB).
pub const REGEX_SIZE_LIMIT: usize = 1024 * 1024;

/// Compiled-size tiers: each pattern is compiled with the smallest of these `size_limit`s
/// it fits in, and that tier is charged against [`MAX_TOTAL_REGEX_SIZE`]. The regex crate
/// cannot report a compiled regex's size, but it can refuse to exceed a limit, so the
/// tier is a true upper bound, and with powers of two it is at most twice the real size.
/// Plain text and small classes fit the first tier; each Unicode class such as `\w` or
/// `\d` costs tens of kilobytes (`(?-u:\w)` is the ASCII form and costs little).
pub const REGEX_SIZE_TIERS: [usize; 7] = [
    16 * 1024,
    32 * 1024,
    64 * 1024,
    128 * 1024,
    256 * 1024,
    512 * 1024,
    REGEX_SIZE_LIMIT,
];

/// Sum of the charged compiled-size tiers of the distinct patterns of one channel
/// (256 MiB). Without it, a few thousand short patterns with large counted repetitions
/// could each compile to [`REGEX_SIZE_LIMIT`] and take gigabytes together. This allows
/// 16,384 patterns of the first tier, or 256 of the largest.
pub const MAX_TOTAL_REGEX_SIZE: usize = 256 * 1024 * 1024;

/// The regex crate's `dfa_size_limit` (lazy DFA cache) for one pattern, in bytes (1 MiB).
pub const REGEX_DFA_SIZE_LIMIT: usize = 1024 * 1024;

/// The regex crate's nesting limit for one pattern's syntax tree.
pub const REGEX_NEST_LIMIT: u32 = 64;

/// Most heap the decoded model of one channel may take, in bytes, counted conservatively
/// as the decoder builds it (every string reference is a copy, every value, criterion and
/// instance its in-memory size). Without it, a 32 MiB file of four-byte references to one
/// 4 KiB pool string would decode to tens of gigabytes. The compiled form the verifier
/// builds is of the same order again. The 100,000-instance benchmark channel uses about
/// a fifth of this. The verifier's index (index/) holds at most a few entries per operand
/// value and one automaton state per literal byte, so it is bounded by this limit too.
pub const MAX_DECODED_BYTES: usize = 256 * 1024 * 1024;

/// The longest text input (a path, a command line, a pipe name) a host is assumed to
/// pass, in bytes (64 KiB): the length the verifier computes an event's worst-case cost
/// at. Windows paths and command lines are at most 32,767 UTF-16 units, which is under
/// 64 KiB of UTF-8 for most text. Longer inputs are still evaluated, at a cost that grows
/// linearly with them.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// The most work one event may take on a channel, in the steps of cost.rs (about a byte
/// examined each), at inputs of [`MAX_INPUT_BYTES`]: 2^32. At 2^28 the budget refused
/// real content: 23 of the first 50 SigmaHQ process-creation rules lost a branch or more
/// to it. docs/security.md has why.
pub const MAX_EVENT_COST: u64 = 1 << 32;

/// Most signatures on one file. More than this is not a key-rotation scheme but an attack
/// on verification time.
pub const MAX_SIGNATURES: usize = 16;

/// Most keys in one trust store.
pub const MAX_TRUSTED_KEYS: usize = 64;

/// The limits a host verifies channels under. Each defaults to the constant of the same
/// name above; a host with less memory or time lowers them (a kernel-mode host cannot
/// survive an allocation failure, so it refuses a channel before allocating past its
/// budget). They are checked where the constants were, before the length or count they
/// bound is used. Raising one past its default admits nothing more than the encoder
/// writes, since the encoder enforces the constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest channel file accepted, in bytes. Default [`MAX_FILE_SIZE`].
    pub max_file_size: usize,
    /// Most instances in one channel. Default [`MAX_INSTANCES`].
    pub max_instances: usize,
    /// The memory budget: most heap the decoded channel may take, charged before each
    /// allocation as the decoder builds it. Default [`MAX_DECODED_BYTES`].
    pub max_decoded_bytes: usize,
    /// Sum of the source lengths of the distinct compiled patterns. Default
    /// [`MAX_TOTAL_PATTERN_BYTES`].
    pub max_total_pattern_bytes: usize,
    /// Sum of the charged compiled-size tiers of the distinct patterns. Default
    /// [`MAX_TOTAL_REGEX_SIZE`].
    pub max_total_regex_size: usize,
    /// The longest text input the host passes, in bytes: the length the worst-case cost
    /// of an event is computed at. Default [`MAX_INPUT_BYTES`].
    pub max_input_bytes: usize,
    /// The time budget: most work one event may take on the channel, in the steps of
    /// the runtime's cost model (cost.rs), at inputs of `max_input_bytes`. Default
    /// [`MAX_EVENT_COST`].
    pub max_event_cost: u64,
}

impl Limits {
    /// Today's constants: what `verify` uses.
    pub const DEFAULT: Limits = Limits {
        max_file_size: MAX_FILE_SIZE,
        max_instances: MAX_INSTANCES,
        max_decoded_bytes: MAX_DECODED_BYTES,
        max_total_pattern_bytes: MAX_TOTAL_PATTERN_BYTES,
        max_total_regex_size: MAX_TOTAL_REGEX_SIZE,
        max_input_bytes: MAX_INPUT_BYTES,
        max_event_cost: MAX_EVENT_COST,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}
