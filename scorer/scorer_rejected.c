/*  scorer_rejected: the dead letters, events the daemon refused.

    Each refused event is kept, in the transaction of the batch that
    brought it, under the next sequence number: what it was (as an event
    line), when it came, its class and the reason. Nothing refused is
    applied; keeping it lets an operator see and fix what the platform
    sent (a close before its receipt, an unknown unit...) and send it
    again: refused events are not de-duplicated, so a corrected resend of
    the same event_id is applied. */
#include "scorer_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
scorer_dead_letter (store_txn_t *txn, const proto_event_t *event,
                    scorer_reject_t kind, const char *reason, int64_t at)
{
    uint64_t next = 0;
    int rc = store_meta_get (txn, "rejected_next", &next);
    if (rc != STORE_OK && rc != STORE_NOTFOUND)
        return rc;
    next++;
    cJSON *doc = cJSON_CreateObject ();
    char when[32];
    cJSON_AddNumberToObject (doc, "seq", (double)next);
    cJSON_AddStringToObject (doc, "received_at", proto_time_format (at, when));
    cJSON_AddStringToObject (doc, "class", scorer_reject_name (kind));
    cJSON_AddStringToObject (doc, "reason", reason);
    char *line = proto_event_to_json (event);
    cJSON *parsed = line ? cJSON_Parse (line) : NULL;
    cJSON_AddItemToObject (doc, "event", parsed ? parsed : cJSON_CreateNull ());
    free (line);
    char *json = cJSON_PrintUnformatted (doc);
    cJSON_Delete (doc);
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
scorer_dead_letters_json (store_txn_t *txn, size_t limit)
{
    uint64_t last = 0;
    store_meta_get (txn, "rejected_next", &last);
    if (limit == 0)
        limit = 100;
    uint64_t first = last > limit ? last - limit + 1 : 1;
    cJSON *doc = cJSON_CreateObject ();
    cJSON_AddNumberToObject (doc, "count",
                             (double)store_count (txn, STORE_REJECTED));
    cJSON *list = cJSON_AddArrayToObject (doc, "rejected");
    uint8_t from[8];
    store_put_be64 (from, first);
    store_cursor_t *cursor = store_cursor_new (txn, STORE_REJECTED, from, 8);
    const void *key, *value;
    size_t key_size, size;
    while (cursor && store_cursor_next (cursor, &key, &key_size, &value,
                                        &size) == STORE_OK) {
        char *text = strndup (value, size);
        cJSON *entry = text ? cJSON_Parse (text) : NULL;
        if (entry)
            cJSON_AddItemToArray (list, entry);
        free (text);
    }
    store_cursor_destroy (&cursor);
    char *json = cJSON_PrintUnformatted (doc);
    cJSON_Delete (doc);
    return json;
}
