/*  state_dead: the dead letters, events the daemon refused.

    Each refused event is kept, in the transaction of the batch that
    brought it, under the next sequence number: what it was (as an event
    line), when it came, its class and the reason. Nothing refused is
    applied; keeping it lets an operator see and fix what the platform
    sent (a close before its receipt, an unknown unit...) and send it
    again: refused events are not de-duplicated, so a corrected resend of
    the same event_id is applied. */
#include "state_internal.h"

#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
state_dead_letter (store_txn_t *txn, const proto_event_t *event,
                   state_reject_t kind, const char *reason, int64_t at)
{
    uint64_t next = 0;
    int rc = store_meta_get (txn, "rejected_next", &next);
    if (rc != STORE_OK && rc != STORE_NOTFOUND)
        return rc;
    next++;
    char when[32];
    char *line = proto_event_to_json (event);
    json_writer_t doc;
    json_init (&doc, 512);
    json_open (&doc, '{');
    json_member_int (&doc, "seq", (long long)next);
    json_member_string (&doc, "received_at", proto_time_format (at, when));
    json_member_string (&doc, "class", state_reject_name (kind));
    json_member_string (&doc, "reason", reason);
    json_key (&doc, "event");
    json_value (&doc, line ? line : "null");
    json_close (&doc, '}');
    free (line);
    char *json = json_finish (&doc);
    if (!json)
        return STORE_ERROR;
    uint8_t key[8];
    store_put_be64 (key, next);
    rc = store_put (txn, STORE_REJECTED, key, 8, json, strlen (json));
    free (json);
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
        /* Each entry is one JSON object this module wrote. */
        char *text = strndup (value, size);
        if (text)
            json_value (&doc, text);
        free (text);
    }
    store_cursor_destroy (&cursor);
    json_close (&doc, ']');
    json_close (&doc, '}');
    return json_finish (&doc);
}
