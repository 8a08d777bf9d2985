/* Ward's C ABI: verify signed channel files and evaluate events against them.
   See docs/embedding.md. Every function returns a WardStatus; 0 is success. */

#ifndef WARD_H
#define WARD_H

/* Generated from ffi/src by cbindgen (ffi/tests/header.rs): do not edit.
   Regenerate with WARD_BLESS=1 cargo test -p ward-ffi --test header. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// The length of [`WardError::message`], its terminating NUL included.
#define WARD_MESSAGE_LEN 256

// `WardError::offset` when the failure has no byte offset.
#define WARD_NO_OFFSET UINT64_MAX

#define WARD_TYPE_BOOL 1

#define WARD_TYPE_U8 2

#define WARD_TYPE_U16 3

#define WARD_TYPE_U32 4

#define WARD_TYPE_U64 5

#define WARD_TYPE_I32 6

#define WARD_TYPE_I64 7

// Compared case-sensitively.
#define WARD_TYPE_STRING 8

// Compared case-insensitively (Windows paths).
#define WARD_TYPE_PATH 9

#define WARD_TYPE_IP 10

#define WARD_TYPE_SHA256 11

// One of the template's enums, `WardFieldDef::enum_index` says which.
#define WARD_TYPE_ENUM 12

// `uint` is 0 or 1.
#define WARD_VALUE_BOOL 1

// `uint`: any unsigned field (`u8` to `u64`).
#define WARD_VALUE_UINT 2

// `sint`: any signed field (`i32`, `i64`).
#define WARD_VALUE_INT 3

// `bytes`/`len`: UTF-8 text of a `string` or `path` field, not NUL-terminated.
#define WARD_VALUE_STR 4

// `bytes`/`len`: 4 (IPv4) or 16 (IPv6) bytes in network order.
#define WARD_VALUE_IP 5

// `bytes`/`len`: 32 bytes.
#define WARD_VALUE_SHA256 6

// `uint`: an enum variant's numeric value.
#define WARD_VALUE_ENUM 7

// Buckets of [`WardCounters::histogram`]: the runtime's cost histogram (below 8 one
// bucket per cost, then 8 per power of two; docs/embedding.md, "Counters").
#define WARD_COST_BUCKETS 496

// What a call returned. `WARD_STATUS_OK` is 0; every other value is a failure, and the
// [`WardError`] the host passed (if any) says more.
enum WardStatus
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  WARD_STATUS_OK = 0,
  // A required pointer argument was null.
  WARD_STATUS_NULL_ARGUMENT = 1,
  // An argument was malformed: not UTF-8, an unknown type or value kind, a count past
  // its limit, a public key that is not one.
  WARD_STATUS_INVALID_ARGUMENT = 2,
  // The trust store was refused (a weak or duplicate key, an impossible threshold).
  WARD_STATUS_TRUST = 3,
  // The sensor profile was refused.
  WARD_STATUS_PROFILE = 4,
  // The channel file was refused by the verifier; `code` and `offset` say why and where.
  WARD_STATUS_VERIFY = 5,
  // The event does not fit the channel (input count or an input's type): a host bug.
  WARD_STATUS_EVENT = 6,
  // More instances matched than the match buffer holds; the first `capacity` (in
  // ascending id order) were written and the count says how many matched in all.
  WARD_STATUS_TRUNCATED = 7,
  // A bug in Ward: a panic was caught at the boundary. The handles stay valid.
  WARD_STATUS_PANIC = 8,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum WardStatus WardStatus;
#else
typedef uint32_t WardStatus;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// A channel that passed every stage of verification for one profile; only
// `ward_channel_verify` makes one, and only it can be evaluated.
typedef struct WardChannel WardChannel;

// A sensor profile: the templates the sensor supplies and how many inputs of each.
typedef struct WardProfile WardProfile;

// A host's trust store: the keys it trusts and how many must sign.
typedef struct WardTrustStore WardTrustStore;

// Why a call failed. The host owns it (on its stack, typically); Ward only writes it.
typedef struct WardError {
  WardStatus status;
  // For `WARD_STATUS_VERIFY`, the verifier's stable error code (docs/channel-format.md);
  // otherwise 0.
  uint32_t code;
  // The byte offset in the channel file, or `WARD_NO_OFFSET`.
  uint64_t offset;
  // A sentence saying what and where, UTF-8, NUL-terminated, cut to fit.
  char message[WARD_MESSAGE_LEN];
} WardError;

// One supplied field; field `n` is `fields[n - 1]`.
typedef struct WardFieldDef {
  const char *name;
  // A `WARD_TYPE_*` constant.
  uint8_t type;
  // For `WARD_TYPE_ENUM`, the index into the template's `enums`; otherwise 0.
  uint16_t enum_index;
} WardFieldDef;

// One variant of an enum of a profile.
typedef struct WardVariantDef {
  const char *name;
  uint32_t value;
} WardVariantDef;

// An enum a profile's field uses; compared with the channel's by name and variants.
typedef struct WardEnumDef {
  const char *name;
  const struct WardVariantDef *variants;
  size_t variant_count;
} WardEnumDef;

// One template the sensor supplies: inputs `1..=supplied`.
typedef struct WardTemplateDef {
  const char *name;
  uint32_t id;
  uint32_t version;
  uint16_t supplied;
  const struct WardFieldDef *fields;
  size_t field_count;
  const struct WardEnumDef *enums;
  size_t enum_count;
} WardTemplateDef;

// A sensor's profile as static data: generate it with `ward sensor export NAME --lang c`,
// never by hand.
typedef struct WardSensorProfileDef {
  const char *name;
  const struct WardTemplateDef *templates;
  size_t template_count;
} WardSensorProfileDef;

// The limits a host verifies channels under (`ward_channel_verify_with`), the runtime's
// `Limits`. Start from `ward_limits_default()` (today's constants) and lower what the
// host cannot afford: a kernel-mode host sets `max_decoded_bytes` to its memory budget,
// so a channel is refused before the verifier allocates past it. Raising a limit past
// its default admits nothing more than the encoder writes.
typedef struct WardLimits {
  // Largest channel file accepted, in bytes.
  size_t max_file_size;
  // Most instances in one channel.
  size_t max_instances;
  // The memory budget: most heap the decoded channel may take, charged before each
  // allocation as the verifier builds it.
  size_t max_decoded_bytes;
  // Sum of the source lengths of the channel's distinct compiled patterns.
  size_t max_total_pattern_bytes;
  // Sum of the charged compiled-size tiers of the channel's distinct patterns.
  size_t max_total_regex_size;
  // The longest text input the host passes, in bytes: the length the worst-case cost
  // of an event is computed at.
  size_t max_input_bytes;
  // The time budget: most work one event may take, in the verifier's cost units, at
  // inputs of `max_input_bytes`.
  uint64_t max_event_cost;
} WardLimits;

// One input of an event; `inputs[n - 1]` is field `n`. Which members are read depends on
// `kind`; the others are ignored. Strings are borrowed for the call only.
typedef struct WardValue {
  uint32_t kind;
  uint64_t uint;
  int64_t sint;
  const uint8_t *bytes;
  size_t len;
} WardValue;

// One instance that matched.
typedef struct WardMatch {
  uint32_t instance;
  // 0 informational, 1 low, 2 medium, 3 high, 4 critical.
  uint8_t severity;
  // 0 detect, 1 prevent.
  uint8_t action;
} WardMatch;

// A channel's evaluation counters (`ward_channel_counters`), or the difference of two
// (`ward_counters_since`). Costs are in the verifier's work units; nanoseconds are the
// host's clock's, for the events evaluated with `ward_channel_evaluate_timed`.
typedef struct WardCounters {
  // Events evaluated (refused events are not counted).
  uint64_t events;
  // Instances matched, over every event.
  uint64_t matches;
  uint64_t cost_total;
  // The costliest event since the channel was verified.
  uint64_t cost_worst;
  // Events timed with the host's clock.
  uint64_t timed_events;
  uint64_t nanos_total;
  // The slowest timed event since the channel was verified.
  uint64_t nanos_worst;
  // Heap the channel holds, in bytes.
  uint64_t memory_bytes;
  // Events per cost bucket.
  uint64_t histogram[WARD_COST_BUCKETS];
} WardCounters;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

// The runtime's version, a static NUL-terminated string.
const char *ward_version(void);

// Parses the text of a public key file (`ward-ed25519-pub <64 hex digits>`, as `ward
// keygen` writes it) into its 32 bytes.
//
// # Safety
// `text` must point to `len` readable bytes; `key_out` to 32 writable bytes.
WardStatus ward_public_key_parse(const uint8_t *text,
                                 size_t len,
                                 uint8_t *key_out,
                                 struct WardError *err);

// A trust store of `key_count` raw 32-byte Ed25519 public keys, stored one after another
// at `keys`, of which `threshold` distinct ones must sign a channel.
//
// # Safety
// `keys` must point to `32 * key_count` readable bytes; `out` to a writable pointer.
WardStatus ward_trust_new(const uint8_t *keys,
                          size_t key_count,
                          size_t threshold,
                          struct WardTrustStore **out,
                          struct WardError *err);

// Frees a trust store; null is ignored.
//
// # Safety
// `trust` must be null or a handle from `ward_trust_new` not yet freed.
void ward_trust_free(struct WardTrustStore *trust);

// A sensor profile from the static data `ward sensor export NAME --lang c` generates.
// The data is copied: it need not outlive the call.
//
// # Safety
// `def` must point to a valid `WardSensorProfileDef` (arrays of the stated counts,
// NUL-terminated names); `out` to a writable pointer.
WardStatus ward_profile_new(const struct WardSensorProfileDef *def,
                            struct WardProfile **out,
                            struct WardError *err);

// Frees a profile; null is ignored.
//
// # Safety
// `profile` must be null or a handle from `ward_profile_new` not yet freed.
void ward_profile_free(struct WardProfile *profile);

// Verifies a channel file completely (size, framing, signatures, structure, semantics
// against the profile) and, if it passes, returns a handle to evaluate with. The bytes
// are not kept: they need not outlive the call. A refusal is `WARD_STATUS_VERIFY` with
// the verifier's stable code and the byte offset in `err`.
//
// # Safety
// `bytes` must point to `len` readable bytes; `trust` and `profile` must be live
// handles; `out` must be writable.
WardStatus ward_channel_verify(const uint8_t *bytes,
                               size_t len,
                               const struct WardTrustStore *trust,
                               const struct WardProfile *profile,
                               struct WardChannel **out,
                               struct WardError *err);

// The runtime's default limits (`ward_channel_verify` verifies under them), for a host
// to lower before `ward_channel_verify_with`.
struct WardLimits ward_limits_default(void);

// [`ward_channel_verify`] under the host's own `limits` (start from
// `ward_limits_default()`). A channel past one of them is refused with
// `WARD_STATUS_VERIFY`, the verifier's code (`LimitExceeded`, `FileTooLarge` or
// `CostOverBudget`) and the byte where the limit was crossed; the memory budget is
// charged before each allocation.
//
// # Safety
// As for `ward_channel_verify`; and `limits` must point to a readable `WardLimits`.
WardStatus ward_channel_verify_with(const uint8_t *bytes,
                                    size_t len,
                                    const struct WardTrustStore *trust,
                                    const struct WardProfile *profile,
                                    const struct WardLimits *limits,
                                    struct WardChannel **out,
                                    struct WardError *err);

// Frees a verified channel; null is ignored.
//
// # Safety
// `channel` must be null or a handle from `ward_channel_verify` not yet freed, with no
// evaluation running on it.
void ward_channel_free(struct WardChannel *channel);

// The channel's facts a host logs: id, content version, template id, how many inputs
// the profile supplies for it, and how many instances it holds. Any out-pointer may
// be null.
//
// # Safety
// `channel` must be a live handle; each non-null out-pointer must be writable.
WardStatus ward_channel_info(const struct WardChannel *channel,
                             uint32_t *id,
                             uint64_t *content_version,
                             uint32_t *template_id,
                             uint16_t *supplied,
                             size_t *instances,
                             struct WardError *err);

// The name of instance `instance`: `*name` points into the channel (valid while the
// handle lives), `*name_len` bytes of UTF-8, not NUL-terminated.
//
// # Safety
// `channel` must be a live handle; `name` and `name_len` writable.
WardStatus ward_channel_instance_name(const struct WardChannel *channel,
                                      uint32_t instance,
                                      const uint8_t **name,
                                      size_t *name_len,
                                      struct WardError *err);

// Evaluates one event: `inputs[n - 1]` is field `n`, and there must be exactly as many
// inputs as the profile supplies. The matching instances are written to `matches` in
// ascending id order, at most `capacity` of them; `*match_count` is how many matched.
// More than `capacity` is `WARD_STATUS_TRUNCATED` (the first `capacity` written).
// Several threads may evaluate one channel at once.
//
// # Safety
// `channel` must be a live handle; `inputs` must point to `input_count` values whose
// `bytes` are readable for their `len`; `matches` to `capacity` writable `WardMatch`es;
// `match_count` must be writable.
WardStatus ward_channel_evaluate(const struct WardChannel *channel,
                                 const struct WardValue *inputs,
                                 size_t input_count,
                                 struct WardMatch *matches,
                                 size_t capacity,
                                 size_t *match_count,
                                 struct WardError *err);

// [`ward_channel_evaluate`], timed: `clock` (the host's: nanoseconds from any fixed
// start, a monotonic clock, given back `clock_context`) is called once before and once
// after the evaluation and the difference is counted in the channel's counters
// (`ward_channel_counters`); Ward reads no clock of its own. A null `clock` evaluates
// untimed.
//
// # Safety
// As for `ward_channel_evaluate`; and `clock`, if not null, must be safe to call with
// `clock_context` from the calling thread.
WardStatus ward_channel_evaluate_timed(const struct WardChannel *channel,
                                       const struct WardValue *inputs,
                                       size_t input_count,
                                       struct WardMatch *matches,
                                       size_t capacity,
                                       size_t *match_count,
                                       uint64_t (*clock)(void *clock_context),
                                       void *clock_context,
                                       struct WardError *err);

// A name for a status, a static NUL-terminated string (for logs).
const char *ward_status_name(uint32_t status);

// The channel's counters since it was verified, into `out`. Allocates nothing.
//
// # Safety
// `channel` must be a live handle; `out` must point to a writable `WardCounters`.
WardStatus ward_channel_counters(const struct WardChannel *channel,
                                 struct WardCounters *out,
                                 struct WardError *err);

// What happened between `earlier` and `now`, two readings of one channel, into `out`
// (which may be either of them): counts and totals subtracted, the worst figures
// `now`'s (since verified).
//
// # Safety
// `now` and `earlier` must point to readable `WardCounters`; `out` to a writable one.
WardStatus ward_counters_since(const struct WardCounters *now,
                               const struct WardCounters *earlier,
                               struct WardCounters *out,
                               struct WardError *err);

// The cost per event at `permille` thousandths (500 the median, 990 the p99) of
// `counters`, into `*cost`: never below the true figure, at most 12.5% above it; 0
// with no events. `permille` over 1000 is an invalid argument.
//
// # Safety
// `counters` must point to a readable `WardCounters`; `cost` must be writable.
WardStatus ward_counters_quantile(const struct WardCounters *counters,
                                  uint32_t permille,
                                  uint64_t *cost,
                                  struct WardError *err);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* WARD_H */
