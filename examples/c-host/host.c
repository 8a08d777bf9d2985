/* A sensor host in C: loads one channel file through Ward's C ABI (ffi/include/ward.h)
 * and evaluates events against it, as a sensor written in C would.
 *
 *     host [-m BYTES] CHANNEL.chan KEY.pub [EVENTS.txt]
 *
 * The channel is verified under the runtime's default limits (ward_limits_default), with
 * `-m` lowering the memory budget (WardLimits.max_decoded_bytes) to BYTES, as a sensor
 * with little memory to spare would: a channel that needs more is refused before it is
 * allocated.
 *
 * The sensor profile is not written here: it is the generated header
 * (`ward sensor export SENSOR --lang c -o profile.h`), compiled in with
 * -DHOST_PROFILE=WARD_PROFILE_<SENSOR>. See docs/embedding.md and the Makefile.
 *
 * EVENTS.txt holds one event a line, the way a sensor's own structures would be
 * flattened:  NUMBER TEMPLATE_ID COUNT VALUE...  where each VALUE is b:0|1, u:N, i:N,
 * e:N (enum value), s:HEX (UTF-8 text), a:HEX (4 or 16 address bytes) or h:HEX (32 bytes).
 * Events of another template are skipped, as a sensor routes them to other channels.
 *
 * Output, one line each: `loaded ...`, then `match ...` per detection, then with events
 * a `counters ...` line (what the evaluations cost, timed by CLOCK_MONOTONIC); or
 * `refused ...` (exit 1) when the verifier refuses the channel. Exit 2 for usage and
 * I/O errors. */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ward.h"
#include "profile.h"

#ifndef HOST_PROFILE
#error "compile with -DHOST_PROFILE=WARD_PROFILE_<SENSOR> (the generated profile.h names it)"
#endif

#define MAX_INPUTS 128   /* a template has at most 128 fields */
#define MAX_MATCHES 64   /* the host's match buffer; more is WARD_STATUS_TRUNCATED */

static const char *SEVERITY[] = {"informational", "low", "medium", "high", "critical"};
static const char *ACTION[] = {"detect", "prevent"};

/* Reads a whole file; NULL (errno set) on failure. */
static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        unsigned char *bigger = realloc(buf, cap * 2);
        if (!bigger) { free(buf); buf = NULL; break; }
        buf = bigger;
        cap *= 2;
    }
    if (buf && ferror(f)) { free(buf); buf = NULL; }
    fclose(f);
    *len = n;
    return buf;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Decodes lowercase hex in place of itself (the bytes never outgrow the text). */
static int unhex(char *text, size_t *len) {
    size_t n = strlen(text);
    if (n % 2) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        text[i] = (char)(hi * 16 + lo);
    }
    *len = n / 2;
    return 0;
}

/* One VALUE token into a WardValue; strings point into `token`, which the caller keeps. */
static int parse_value(char *token, WardValue *v) {
    memset(v, 0, sizeof *v);
    if (strlen(token) < 2 || token[1] != ':') return -1;
    char *body = token + 2, *end = NULL;
    errno = 0;
    switch (token[0]) {
    case 'b': v->kind = WARD_VALUE_BOOL; v->uint = strtoull(body, &end, 10); break;
    case 'u': v->kind = WARD_VALUE_UINT; v->uint = strtoull(body, &end, 10); break;
    case 'e': v->kind = WARD_VALUE_ENUM; v->uint = strtoull(body, &end, 10); break;
    case 'i': v->kind = WARD_VALUE_INT; v->sint = strtoll(body, &end, 10); break;
    case 's': v->kind = WARD_VALUE_STR; break;
    case 'a': v->kind = WARD_VALUE_IP; break;
    case 'h': v->kind = WARD_VALUE_SHA256; break;
    default: return -1;
    }
    if (end) return (errno || *end) ? -1 : 0;
    size_t len = 0;
    if (unhex(body, &len)) return -1;
    v->bytes = (const uint8_t *)body;
    v->len = len;
    return 0;
}

static void print_error(const char *what, WardStatus status, const WardError *err) {
    printf("%s status=%u (%s) code=%u offset=", what, (unsigned)status,
           ward_status_name((uint32_t)status), err->code);
    if (err->offset == WARD_NO_OFFSET) printf("none"); else printf("%llu", (unsigned long long)err->offset);
    printf(" message=%s\n", err->message);
}

/* The host's clock for ward_channel_evaluate_timed: Ward reads none of its own. */
static uint64_t monotonic_nanos(void *context) {
    (void)context;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* Prints what the events cost: the interval's counters (the difference of two readings,
 * as a sensor reports each interval) and their median and p99 cost. 0 if they add up. */
static int report_counters(const WardChannel *channel, const WardCounters *before) {
    /* A few kilobytes each: static, as a sensor would keep them between intervals. */
    static WardCounters after, interval;
    WardError err;
    uint64_t p50 = 0, p99 = 0;
    WardStatus status;
    if ((status = ward_channel_counters(channel, &after, &err)) ||
        (status = ward_counters_since(&after, before, &interval, &err)) ||
        (status = ward_counters_quantile(&interval, 500, &p50, &err)) ||
        (status = ward_counters_quantile(&interval, 990, &p99, &err))) {
        print_error("counters-error", status, &err);
        return 1;
    }
    printf("counters events=%llu matches=%llu cost_total=%llu cost_worst=%llu cost_p50=%llu "
           "cost_p99=%llu timed=%llu memory=%llu\n",
           (unsigned long long)interval.events, (unsigned long long)interval.matches,
           (unsigned long long)interval.cost_total, (unsigned long long)interval.cost_worst,
           (unsigned long long)p50, (unsigned long long)p99,
           (unsigned long long)interval.timed_events, (unsigned long long)interval.memory_bytes);
    /* Every event was timed, and the quantiles are in order. */
    if (interval.timed_events != interval.events || p50 > p99 ||
        (interval.events > 0 && p99 > interval.cost_worst)) {
        printf("counters-error inconsistent\n");
        return 1;
    }
    return 0;
}

/* Evaluates every event of the file; returns the exit code. */
static int run_events(const WardChannel *channel, uint32_t template_id, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno)); return 2; }
    char *line = NULL;
    size_t cap = 0;
    int code = 0;
    WardValue inputs[MAX_INPUTS];
    WardMatch matches[MAX_MATCHES];
    static WardCounters before;
    WardError counters_err;
    if (ward_channel_counters(channel, &before, &counters_err)) {
        print_error("counters-error", counters_err.status, &counters_err);
        fclose(f);
        return 1;
    }
    while (getline(&line, &cap, f) != -1) {
        unsigned long number = 0, tid = 0, count = 0;
        int used = 0;
        if (sscanf(line, "%lu %lu %lu%n", &number, &tid, &count, &used) != 3 || count > MAX_INPUTS) {
            fprintf(stderr, "%s: malformed event line\n", path);
            code = 2;
            break;
        }
        if (tid != template_id) continue;
        char *rest = line + used, *save = NULL;
        size_t n = 0;
        for (char *tok = strtok_r(rest, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
            if (n == count || parse_value(tok, &inputs[n])) { n = count + 1; break; }
            n++;
        }
        if (n != count) {
            fprintf(stderr, "%s: event %lu: malformed values\n", path, number);
            code = 2;
            break;
        }
        size_t found = 0;
        WardError err;
        WardStatus status = ward_channel_evaluate_timed(channel, inputs, n, matches, MAX_MATCHES,
                                                        &found, monotonic_nanos, NULL, &err);
        if (status != WARD_STATUS_OK && status != WARD_STATUS_TRUNCATED) {
            print_error("event-error", status, &err);
            code = 1;
            continue;
        }
        for (size_t i = 0; i < found && i < MAX_MATCHES; i++) {
            const uint8_t *name = NULL;
            size_t name_len = 0;
            if (ward_channel_instance_name(channel, matches[i].instance, &name, &name_len, &err)) {
                print_error("name-error", err.status, &err);
                code = 1;
                continue;
            }
            printf("match event=%lu instance=%u name=%.*s severity=%s action=%s\n", number,
                   matches[i].instance, (int)name_len, (const char *)name,
                   SEVERITY[matches[i].severity % 5], ACTION[matches[i].action % 2]);
        }
    }
    free(line);
    fclose(f);
    if (code == 0) code = report_counters(channel, &before);
    return code;
}

/* Reads `-m BYTES` into the limits; returns how many arguments it took, -1 if malformed. */
static int parse_limits(int argc, char **argv, WardLimits *limits) {
    if (argc < 2 || strcmp(argv[1], "-m") != 0) return 0;
    if (argc < 3) return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long budget = strtoull(argv[2], &end, 10);
    if (errno || !end || *end || argv[2][0] == '-' || budget > SIZE_MAX) return -1;
    limits->max_decoded_bytes = (size_t)budget;
    return 2;
}

int main(int argc, char **argv) {
    WardLimits limits = ward_limits_default();
    int taken = parse_limits(argc, argv, &limits);
    if (taken >= 0) {
        argc -= taken;
        argv += taken;
    }
    if (taken < 0 || argc < 3 || argc > 4) {
        fprintf(stderr, "usage: host [-m BYTES] CHANNEL.chan KEY.pub [EVENTS.txt]\n");
        return 2;
    }
    WardError err;
    WardStatus status;
    int code = 0;
    WardTrustStore *trust = NULL;
    WardProfile *profile = NULL;
    WardChannel *channel = NULL;
    unsigned char *bytes = NULL, *key_text = NULL;
    size_t len = 0, key_len = 0;

    if (!(key_text = read_file(argv[2], &key_len))) {
        fprintf(stderr, "cannot read %s: %s\n", argv[2], strerror(errno));
        code = 2;
        goto out;
    }
    uint8_t key[32];
    if ((status = ward_public_key_parse(key_text, key_len, key, &err)) ||
        (status = ward_trust_new(key, 1, 1, &trust, &err)) ||
        (status = ward_profile_new(&HOST_PROFILE, &profile, &err))) {
        print_error("setup-error", status, &err);
        code = 2;
        goto out;
    }
    if (!(bytes = read_file(argv[1], &len))) {
        fprintf(stderr, "cannot read %s: %s\n", argv[1], strerror(errno));
        code = 2;
        goto out;
    }
    status = ward_channel_verify_with(bytes, len, trust, profile, &limits, &channel, &err);
    /* The file's bytes are not needed once verified (or refused). */
    free(bytes);
    bytes = NULL;
    if (status != WARD_STATUS_OK) {
        print_error("refused", status, &err);
        code = 1;
        goto out;
    }
    uint32_t id = 0, template_id = 0;
    uint64_t version = 0;
    uint16_t supplied = 0;
    size_t instances = 0;
    if ((status = ward_channel_info(channel, &id, &version, &template_id, &supplied, &instances, &err))) {
        print_error("info-error", status, &err);
        code = 2;
        goto out;
    }
    printf("loaded channel=%u version=%llu template=%u supplied=%u instances=%zu\n", id,
           (unsigned long long)version, template_id, (unsigned)supplied, instances);
    if (argc == 4) code = run_events(channel, template_id, argv[3]);
out:
    ward_channel_free(channel);
    ward_profile_free(profile);
    ward_trust_free(trust);
    free(bytes);
    free(key_text);
    return code;
}
