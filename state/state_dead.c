/*  state_dead: the dead letters, events the daemon refused.

    Each refused event is kept, in the transaction of the batch that
    brought it, under the next sequence number: what it was (as an event
    line), when it came, its class and the reason. Nothing refused is
    applied; keeping it lets an operator see and fix what the platform
    sent (a close before its receipt, an unknown unit...) and send it
    again: refused events are not de-duplicated, so a corrected resend of
    the same event_id is applied.

    Bounded, because any sender can send refusals: the same event refused
    again for the same class is not kept twice (its letter counts the
    repeats), and a new letter that would pass the count or byte limit
    first drops the oldest ones. Both are counted in meta values, so an
    operator sees what was folded or dropped.

    A letter's value is a version byte (LETTER_V1), the digest of its
    class and event, then the JSON; letters of older stores are the JSON
    alone and start with '{'. STORE_REJECTED_INDEX maps a digest to its
    letter: seq, first arrival, repeats (INDEX_SIZE bytes, big-endian). */
#include "state_internal.h"

#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LETTER_V1       0x01
#define LETTER_HEAD     (1 + STATE_DIGEST_SIZE)
#define INDEX_SIZE      20
#define DEFAULT_LETTERS 10000

/* The digest that tells one refusal from another: class and event. */
static int
s_letter_digest (const proto_event_t *event, state_reject_t kind,
                 uint8_t *digest)
{
    size_t size;
    uint8_t *bytes = proto_event_encode (event, &size);
    uint8_t *all = bytes ? malloc (size + 1) : NULL;
    if (!all) {
        free (bytes);
        return STORE_ERROR;
    }
    all[0] = (uint8_t)kind;
    memcpy (all + 1, bytes, size);
    state__digest (all, size + 1, digest);
    free (all);
    free (bytes);
    return STORE_OK;
}

/* One letter's value (malloc'd, *size bytes): header, then the JSON. */
static uint8_t *
s_letter (uint64_t seq, const proto_event_t *event, state_reject_t kind,
          const char *reason, int64_t first, uint32_t repeats, int64_t last,
          const uint8_t *digest, size_t *size)
{
    char when[32];
    char *line = proto_event_to_json (event);
    json_writer_t doc;
    json_init (&doc, 512);
    json_open (&doc, '{');
    json_member_int (&doc, "seq", (long long)seq);
    json_member_string (&doc, "received_at", proto_time_format (first, when));
    json_member_string (&doc, "class", state_reject_name (kind));
    json_member_string (&doc, "reason", reason);
    if (repeats > 1) {
        json_member_int (&doc, "repeats", (long long)repeats);
        json_member_string (&doc, "last_at", proto_time_format (last, when));
    }
    json_key (&doc, "event");
    json_value (&doc, line ? line : "null");
    json_close (&doc, '}');
    free (line);
    char *json = json_finish (&doc);
    size_t length = json ? strlen (json) : 0;
    uint8_t *value = json ? malloc (LETTER_HEAD + length) : NULL;
    if (value) {
        value[0] = LETTER_V1;
        memcpy (value + 1, digest, STATE_DIGEST_SIZE);
        memcpy (value + LETTER_HEAD, json, length);
        *size = LETTER_HEAD + length;
    }
    free (json);
    return value;
}

static int
s_meta_add (store_txn_t *txn, const char *name, int64_t delta)
{
    uint64_t value = 0;
    int rc = store_meta_get (txn, name, &value);
    if (rc != STORE_OK && rc != STORE_NOTFOUND)
        return rc;
    return store_meta_put (txn, name, (uint64_t)((int64_t)value + delta));
}

/* The bytes the letters take (meta rejected_bytes), counted once by a
   walk for a store that kept letters before the meta value existed. */
static int
s_letter_bytes (store_txn_t *txn, uint64_t *bytes)
{
    int rc = store_meta_get (txn, "rejected_bytes", bytes);
    if (rc != STORE_NOTFOUND)
        return rc;
    *bytes = 0;
    store_cursor_t *cursor = store_cursor_new (txn, STORE_REJECTED, NULL, 0);
    const void *key, *value;
    size_t key_size, size;
    while (cursor && store_cursor_next (cursor, &key, &key_size, &value,
                                        &size) == STORE_OK)
        *bytes += size;
    store_cursor_destroy (&cursor);
    return store_meta_put (txn, "rejected_bytes", *bytes);
}

/* Drops the oldest letters until one of `size` bytes fits the limits. */
static int
s_make_room (store_txn_t *txn, size_t size, const state_dead_limits_t *limits)
{
    size_t max_count =
        limits && limits->max_count ? limits->max_count : DEFAULT_LETTERS;
    uint64_t max_bytes =
        limits && limits->max_bytes ? limits->max_bytes : UINT64_MAX;
    uint64_t bytes;
    int rc = s_letter_bytes (txn, &bytes);
    size_t count = store_count (txn, STORE_REJECTED);
    uint64_t dropped = 0;
    store_cursor_t *cursor = NULL;
    while (rc == STORE_OK && count > 0 &&
           (count + 1 > max_count || bytes + size > max_bytes)) {
        if (!cursor &&
            !(cursor = store_cursor_new (txn, STORE_REJECTED, NULL, 0)))
            rc = STORE_ERROR;
        const void *key, *value;
        size_t key_size, value_size;
        if (rc == STORE_OK)
            rc = store_cursor_next (cursor, &key, &key_size, &value,
                                    &value_size);
        uint8_t digest[STATE_DIGEST_SIZE];
        bool indexed = rc == STORE_OK && value_size >= LETTER_HEAD &&
                       ((const uint8_t *)value)[0] == LETTER_V1;
        if (indexed)
            memcpy (digest, (const uint8_t *)value + 1, STATE_DIGEST_SIZE);
        if (rc == STORE_OK)
            rc = store_cursor_del (cursor);
        if (rc == STORE_OK && indexed) {
            rc = store_del (txn, STORE_REJECTED_INDEX, digest, sizeof (digest));
            if (rc == STORE_NOTFOUND)
                rc = STORE_OK;
        }
        if (rc == STORE_OK) {
            bytes -= value_size < bytes ? value_size : bytes;
            count--;
            dropped++;
        }
    }
    store_cursor_destroy (&cursor);
    if (rc == STORE_OK && dropped)
        rc = s_meta_add (txn, "rejected_dropped", (int64_t)dropped);
    if (rc == STORE_OK)
        rc = store_meta_put (txn, "rejected_bytes", bytes + size);
    return rc;
}

/* The same refusal again: its letter is rewritten with the count. */
static int
s_repeat (store_txn_t *txn, const uint8_t *entry, const proto_event_t *event,
          state_reject_t kind, const char *reason, int64_t at,
          const uint8_t *digest)
{
    uint64_t seq = store_get_be64 (entry);
    int64_t first = (int64_t)store_get_be64 (entry + 8);
    uint32_t repeats = ((uint32_t)entry[16] << 24 | (uint32_t)entry[17] << 16 |
                        (uint32_t)entry[18] << 8 | entry[19]) +
                       1;
    uint8_t key[8];
    store_put_be64 (key, seq);
    uint8_t probe;
    size_t old_size = 0; /* asks for the size only */
    int rc = store_get (txn, STORE_REJECTED, key, 8, &probe, &old_size);
    if (rc != STORE_TOOBIG && rc != STORE_OK)
        return rc; /* the index outlived its letter: cannot happen */
    size_t size;
    uint8_t *value =
        s_letter (seq, event, kind, reason, first, repeats, at, digest, &size);
    if (!value)
        return STORE_ERROR;
    rc = store_put (txn, STORE_REJECTED, key, 8, value, size);
    free (value);
    uint8_t updated[INDEX_SIZE];
    memcpy (updated, entry, 16);
    for (int i = 0; i < 4; i++)
        updated[16 + i] = (uint8_t)(repeats >> (24 - 8 * i));
    if (rc == STORE_OK)
        rc = store_put (txn, STORE_REJECTED_INDEX, digest, STATE_DIGEST_SIZE,
                        updated, INDEX_SIZE);
    uint64_t bytes;
    if (rc == STORE_OK)
        rc = s_letter_bytes (txn, &bytes);
    if (rc == STORE_OK)
        rc = store_meta_put (txn, "rejected_bytes",
                             bytes - (old_size < bytes ? old_size : bytes) +
                                 size);
    if (rc == STORE_OK)
        rc = s_meta_add (txn, "rejected_repeats", 1);
    return rc;
}

int
state_dead_letter (store_txn_t *txn, const proto_event_t *event,
                   state_reject_t kind, const char *reason, int64_t at,
                   const state_dead_limits_t *limits)
{
    uint8_t digest[STATE_DIGEST_SIZE];
    int rc = s_letter_digest (event, kind, digest);
    uint8_t entry[INDEX_SIZE];
    size_t entry_size = sizeof (entry);
    if (rc == STORE_OK)
        rc = store_get (txn, STORE_REJECTED_INDEX, digest, sizeof (digest),
                        entry, &entry_size);
    if (rc == STORE_OK && entry_size == INDEX_SIZE)
        return s_repeat (txn, entry, event, kind, reason, at, digest);
    if (rc != STORE_NOTFOUND)
        return rc == STORE_OK ? STORE_ERROR : rc;
    uint64_t next = 0;
    rc = store_meta_get (txn, "rejected_next", &next);
    if (rc != STORE_OK && rc != STORE_NOTFOUND)
        return rc;
    next++;
    size_t size;
    uint8_t *value =
        s_letter (next, event, kind, reason, at, 1, at, digest, &size);
    if (!value)
        return STORE_ERROR;
    rc = s_make_room (txn, size, limits);
    uint8_t key[8];
    store_put_be64 (key, next);
    if (rc == STORE_OK)
        rc = store_put (txn, STORE_REJECTED, key, 8, value, size);
    free (value);
    memcpy (entry, key, 8);
    store_put_be64 (entry + 8, (uint64_t)at);
    memset (entry + 16, 0, 4);
    entry[19] = 1;
    if (rc == STORE_OK)
        rc = store_put (txn, STORE_REJECTED_INDEX, digest, sizeof (digest),
                        entry, INDEX_SIZE);
    if (rc == STORE_OK)
        rc = store_meta_put (txn, "rejected_next", next);
    return rc;
}

char *
state_dead_letters_json (store_txn_t *txn, size_t limit)
{
    uint64_t last = 0;
    store_meta_get (txn, "rejected_next", &last);
    if (limit == 0)
        limit = 100;
    uint64_t first = last > limit ? last - limit + 1 : 1;
    json_writer_t doc;
    json_init (&doc, 4096);
    json_open (&doc, '{');
    json_member_int (&doc, "count",
                     (long long)store_count (txn, STORE_REJECTED));
    json_key (&doc, "rejected");
    json_open (&doc, '[');
    uint8_t from[8];
    store_put_be64 (from, first);
    store_cursor_t *cursor = store_cursor_new (txn, STORE_REJECTED, from, 8);
    const void *key, *value;
    size_t key_size, size;
    while (cursor && store_cursor_next (cursor, &key, &key_size, &value,
                                        &size) == STORE_OK) {
        /* Each entry is one JSON object this module wrote, after its
           header unless it is from an older store. */
        const char *text = value;
        if (size >= LETTER_HEAD && ((const uint8_t *)value)[0] == LETTER_V1) {
            text += LETTER_HEAD;
            size -= LETTER_HEAD;
        }
        char *copy = strndup (text, size);
        if (copy)
            json_value (&doc, copy);
        free (copy);
    }
    store_cursor_destroy (&cursor);
    json_close (&doc, ']');
    json_close (&doc, '}');
    return json_finish (&doc);
}

void
state_dead_totals (store_txn_t *txn, uint64_t *dropped, uint64_t *repeats)
{
    *dropped = *repeats = 0;
    store_meta_get (txn, "rejected_dropped", dropped);
    store_meta_get (txn, "rejected_repeats", repeats);
}
