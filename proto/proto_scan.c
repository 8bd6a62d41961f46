/*  proto_scan: frames checked before protobuf-c unpacks them.

    protobuf-c allocates a struct for every occurrence of a repeated
    message, whatever it holds: a frame of empty events, two bytes each,
    unpacks to eighty times its size (66 MB to 6.5 GB). So the frame is
    walked first, without allocating: the repeated fields of the top
    message are counted against their limits, every other field of a
    message counted against PROTO__TAGS_MAX (unknown fields are kept by
    protobuf-c too), nesting is bounded, and the length of every
    length-delimited field checked. Only a frame that passes is
    unpacked, so what it costs is bounded by its legal content.

    The walk also finds the NUL bytes protobuf-c would hide: it copies a
    string with its NUL and hands back a C string that ends there, so
    "e1\0x" would become "e1", another id. */
#include "proto_internal.h"
#include "hotline.pb-c.h"

#include <stdlib.h>
#include <string.h>

/* Nesting: the top message and the messages it repeats. */
#define DEPTH_MAX 2

/* A walk in progress. */
typedef struct {
    const size_t *limits; /* per top-level field number, 0: not repeated */
    size_t limit_count;   /* entries in limits */
    size_t counts[16];    /* top-level repeated fields seen, per number */
    proto__scan_t *scan;  /* where NULs are recorded */
    uint32_t field;       /* the top-level field being walked into */
    size_t item;          /* its occurrence */
} s_walk_t;

static bool
s_varint (const uint8_t *data, size_t size, size_t *at, uint64_t *value)
{
    *value = 0;
    for (int shift = 0; shift < 64 && *at < size; shift += 7) {
        uint8_t byte = data[(*at)++];
        *value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

static int
s_record_nul (s_walk_t *walk, uint32_t field, size_t item, const char *name)
{
    proto__scan_t *scan = walk->scan;
    if (scan->nul_count == scan->nul_capacity) {
        size_t capacity = scan->nul_capacity ? scan->nul_capacity * 2 : 8;
        proto__nul_t *nuls = realloc (scan->nuls, capacity * sizeof (*nuls));
        if (!nuls)
            return -1;
        scan->nuls = nuls;
        scan->nul_capacity = capacity;
    }
    scan->nuls[scan->nul_count++] = (proto__nul_t){field, item, name};
    return 0;
}

static int s_walk (s_walk_t *walk, const ProtobufCMessageDescriptor *desc,
                   const uint8_t *data, size_t size, int depth, char *reason);

/* One length-delimited field: a string is searched for NULs, a message
   walked into; `at` is past its bytes afterwards. */
static int
s_delimited (s_walk_t *walk, const ProtobufCFieldDescriptor *field,
             const uint8_t *data, size_t length, int depth, char *reason)
{
    if (!field)
        return 0; /* unknown: kept as bytes, counted by the caller */
    if (field->type == PROTOBUF_C_TYPE_STRING && memchr (data, 0, length)) {
        if (s_record_nul (walk, depth ? walk->field : 0, walk->item,
                          field->name) != 0) {
            proto__reason (reason, "out of memory");
            return -1;
        }
    }
    if (field->type != PROTOBUF_C_TYPE_MESSAGE)
        return 0;
    if (depth + 1 >= DEPTH_MAX) {
        proto__reason (reason, "messages nested too deep");
        return -1;
    }
    return s_walk (walk, field->descriptor, data, length, depth + 1, reason);
}

/* Counts a field of the top message: a repeated one against its limit,
   any other against PROTO__TAGS_MAX (with `others`). */
static int
s_count (s_walk_t *walk, const ProtobufCFieldDescriptor *field, int depth,
         size_t *others, char *reason)
{
    uint32_t number = field ? field->id : 0;
    bool repeated = depth == 0 && field &&
                    field->label == PROTOBUF_C_LABEL_REPEATED &&
                    number < walk->limit_count && walk->limits[number];
    if (!repeated) {
        if (++*others > PROTO__TAGS_MAX) {
            proto__reason (reason, "more than %d fields in one message",
                           PROTO__TAGS_MAX);
            return -1;
        }
        return 0;
    }
    if (++walk->counts[number] > walk->limits[number]) {
        proto__reason (reason, "more than %zu %s", walk->limits[number],
                       field->name);
        return -1;
    }
    walk->field = number;
    walk->item = walk->counts[number] - 1;
    return 0;
}

static int
s_walk (s_walk_t *walk, const ProtobufCMessageDescriptor *desc,
        const uint8_t *data, size_t size, int depth, char *reason)
{
    size_t at = 0, others = 0;
    while (at < size) {
        uint64_t key, value;
        if (!s_varint (data, size, &at, &key) || (key >> 3) == 0 ||
            (key >> 3) > 0x1fffffff) {
            proto__reason (reason, "not a valid %s message", desc->short_name);
            return -1;
        }
        const ProtobufCFieldDescriptor *field =
            protobuf_c_message_descriptor_get_field (desc,
                                                     (unsigned)(key >> 3));
        if (s_count (walk, field, depth, &others, reason) != 0)
            return -1;
        bool ok = true;
        switch (key & 7) {
        case 0:
            ok = s_varint (data, size, &at, &value);
            break;
        case 1:
            ok = size - at >= 8;
            at += ok ? 8 : 0;
            break;
        case 5:
            ok = size - at >= 4;
            at += ok ? 4 : 0;
            break;
        case 2:
            ok = s_varint (data, size, &at, &value) && value <= size - at;
            if (ok && s_delimited (walk, field, data + at, (size_t)value, depth,
                                   reason) != 0)
                return -1;
            at += ok ? (size_t)value : 0;
            break;
        default:
            ok = false; /* groups: protobuf-c does not take them either */
        }
        if (!ok) {
            proto__reason (reason, "not a valid %s message", desc->short_name);
            return -1;
        }
    }
    return 0;
}

static int
s_scan (const ProtobufCMessageDescriptor *desc, const size_t *limits,
        size_t limit_count, const uint8_t *data, size_t size,
        proto__scan_t *scan, char *reason)
{
    memset (scan, 0, sizeof (*scan));
    s_walk_t walk = {limits, limit_count, {0}, scan, 0, 0};
    if (s_walk (&walk, desc, data, size, 0, reason) == 0)
        return 0;
    proto__scan_free (scan);
    return -1;
}

int
proto__scan_batch (const uint8_t *data, size_t size, proto__scan_t *scan,
                   char *reason)
{
    /* EventBatch: 2 events, 3 client_rejects. */
    static const size_t limits[] = {0, 0, PROTO_BATCH_MAX, PROTO_REJECTS_MAX};
    return s_scan (&hotline__event_batch__descriptor, limits,
                   sizeof (limits) / sizeof (limits[0]), data, size, scan,
                   reason);
}

int
proto__scan_query (const uint8_t *data, size_t size, proto__scan_t *scan,
                   char *reason)
{
    /* QueryRequest: 5 units. */
    static const size_t limits[] = {0, 0, 0, 0, 0, PROTO_UNITS_MAX};
    return s_scan (&hotline__query_request__descriptor, limits,
                   sizeof (limits) / sizeof (limits[0]), data, size, scan,
                   reason);
}

void
proto__scan_free (proto__scan_t *scan)
{
    free (scan->nuls);
    memset (scan, 0, sizeof (*scan));
}

/*  The largest legal frames, from the field limits: every string at its
    longest, every varint at ten bytes (a sender may pad them), and each
    field's tag as long as its number makes it (two bytes from 16 on:
    an Event's period to time_limit, a query's year and body). */

static size_t
s_tag (unsigned number)
{
    return number < 16 ? 1 : 2;
}

static size_t
s_string (unsigned number, size_t bytes)
{
    return s_tag (number) +
           (bytes < 128       ? 1
            : bytes < 16384   ? 2
            : bytes < 2097152 ? 3
                              : 4) +
           bytes;
}

/* Varint fields numbered from `first` to `last`, each ten bytes. */
static size_t
s_varints (unsigned first, unsigned last)
{
    size_t size = 0;
    for (unsigned number = first; number <= last; number++)
        size += s_tag (number) + 10;
    return size;
}

size_t
proto_batch_size_max (void)
{
    /* event_id, ticket_id, unit_id, item; channel, category; reason,
       counters; period; by; time_limit; type, occurred_at...due_at,
       key_supervision, repeat_dispatch, satisfaction...rework; value */
    size_t event =
        s_string (1, PROTO_ID_MAX) + s_string (3, PROTO_ID_MAX) +
        s_string (4, PROTO_ID_MAX) + s_string (17, PROTO_ID_MAX) +
        s_string (8, PROTO_TOKEN_MAX) + s_string (9, PROTO_TOKEN_MAX) +
        s_string (12, PROTO_REASON_MAX) + s_string (20, PROTO_REASON_MAX) +
        s_string (16, PROTO_PERIOD_MAX) + s_string (19, PROTO_NAME_MAX) +
        s_string (21, PROTO_LIMIT_MAX) + s_varints (2, 2) + s_varints (5, 7) +
        s_varints (10, 11) + s_varints (13, 15) + s_tag (18) + 8;
    size_t reject = s_varints (1, 1) + s_string (2, PROTO_ERROR_MAX);
    return s_varints (1, 1) + PROTO_BATCH_MAX * s_string (2, event) +
           PROTO_REJECTS_MAX * s_string (3, reject);
}

size_t
proto_query_size_max (void)
{
    /* kind, as_of, limit, force...year; ruleset, unit, item, ticket;
       period; topic; state; note; a calendar file's body; the units */
    size_t unit = s_string (1, PROTO_ID_MAX) + s_string (2, PROTO_REASON_MAX) +
                  s_string (3, PROTO_ID_MAX);
    return s_varints (1, 1) + s_varints (4, 4) + s_varints (6, 6) +
           s_varints (13, 16) + s_string (2, PROTO_ID_MAX) +
           s_string (7, PROTO_ID_MAX) + s_string (8, PROTO_ID_MAX) +
           s_string (9, PROTO_ID_MAX) + s_string (3, PROTO_PERIOD_MAX) +
           s_string (10, PROTO_TOPIC_MAX) + s_string (11, 15) +
           s_string (12, PROTO_REASON_MAX) + s_string (17, PROTO_BODY_MAX) +
           PROTO_UNITS_MAX * s_string (5, unit);
}
