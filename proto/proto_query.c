/*  proto_query: the query side of the wire (proto.h, hotline.proto):
    queries, their replies and publications.

    Like proto_wire.c, nothing in a decoded message is trusted: every
    string, enum and count is checked before it reaches a proto_*_t, and
    protobuf-c's types never leave this file.
*/
#include "proto_internal.h"
#include "hotline.pb-c.h"

#include <stdlib.h>
#include <string.h>

//  ---------------------------------------------------------------------
//  Queries

uint8_t *
proto_query_encode (const proto_query_t *query, size_t *size)
{
    if (!query)
        return NULL;
    uint8_t *buffer = NULL;
    size_t count = query->unit_count;
    Hotline__Unit *pb_units = calloc (count ? count : 1, sizeof *pb_units);
    Hotline__Unit **unit_ptrs = calloc (count ? count : 1, sizeof *unit_ptrs);
    if (!pb_units || !unit_ptrs)
        goto cleanup;
    for (size_t index = 0; index < count; index++) {
        hotline__unit__init (&pb_units[index]);
        pb_units[index].unit_id = (char *)query->units[index].unit_id;
        pb_units[index].name = (char *)query->units[index].name;
        pb_units[index].group = (char *)query->units[index].group;
        unit_ptrs[index] = &pb_units[index];
    }
    Hotline__QueryRequest pb = HOTLINE__QUERY_REQUEST__INIT;
    pb.kind = (Hotline__QueryKind)query->kind;
    pb.ruleset = (char *)query->ruleset;
    pb.period = (char *)query->period;
    pb.as_of = query->as_of;
    pb.limit = query->limit;
    pb.unit = (char *)query->unit;
    pb.item = (char *)query->item;
    pb.ticket = (char *)query->ticket;
    pb.topic = (char *)query->topic;
    pb.state = (char *)query->state;
    pb.note = (char *)query->note;
    pb.force = query->force;
    pb.published = query->published;
    pb.version = query->version;
    pb.year = query->year;
    pb.body.data = (uint8_t *)query->body;
    pb.body.len = query->body ? query->body_size : 0;
    pb.n_units = count;
    pb.units = unit_ptrs;
    buffer = proto__pack (&pb.base, size);

cleanup:
    free (pb_units);
    free (unit_ptrs);
    return buffer;
}

int
proto_query_decode (const uint8_t *data, size_t size, proto_query_t *query,
                    char *reason)
{
    if (query)
        memset (query, 0, sizeof *query);
    if (!query || (!data && size)) {
        proto__reason (reason, "no query");
        return -1;
    }
    proto__scan_t scan;
    if (proto__scan_query (data, size, &scan, reason) != 0)
        return -1;
    Hotline__QueryRequest *pb =
        hotline__query_request__unpack (NULL, size, data);
    if (!pb) {
        proto__scan_free (&scan);
        proto__reason (reason, "not a valid QueryRequest message");
        return -1;
    }
    int rc = -1;
    if (scan.nul_count) {
        const proto__nul_t *nul = &scan.nuls[0];
        if (nul->field)
            proto__reason (reason, "unit %zu: %s contains a NUL byte",
                           nul->item + 1, nul->name);
        else
            proto__reason (reason, "%s contains a NUL byte", nul->name);
        goto cleanup;
    }
    int kind = (int)pb->kind;
    if (kind < PROTO_QUERY_REPORT || kind > PROTO_QUERY_LAST) {
        proto__reason (reason, "unknown query kind");
        goto cleanup;
    }
    query->kind = (proto_query_kind_t)kind;
    if (proto__copy_field (query->ruleset, sizeof query->ruleset, pb->ruleset,
                           "ruleset", reason) ||
        proto__copy_field (query->period, sizeof query->period, pb->period,
                           "period", reason) ||
        proto__copy_field (query->unit, sizeof query->unit, pb->unit, "unit",
                           reason) ||
        proto__copy_field (query->item, sizeof query->item, pb->item, "item",
                           reason) ||
        proto__copy_field (query->ticket, sizeof query->ticket, pb->ticket,
                           "ticket", reason) ||
        proto__copy_field (query->topic, sizeof query->topic, pb->topic,
                           "topic", reason) ||
        proto__copy_field (query->state, sizeof query->state, pb->state,
                           "state", reason) ||
        proto__copy_field (query->note, sizeof query->note, pb->note, "note",
                           reason))
        goto cleanup;
    query->force = pb->force != 0;
    query->published = pb->published != 0;
    query->version = pb->version;
    //  Zero means "now"; anything else must be a time events could have.
    if (pb->as_of != 0 &&
        (pb->as_of < PROTO_TIME_MIN || pb->as_of >= PROTO_TIME_MAX)) {
        proto__reason (reason, "as_of out of range");
        goto cleanup;
    }
    query->as_of = pb->as_of;
    query->limit = pb->limit;
    query->year = pb->year;
    if (pb->body.len > PROTO_BODY_MAX) {
        proto__reason (reason, "a body of more than %d bytes", PROTO_BODY_MAX);
        goto cleanup;
    }
    if (pb->body.len) {
        /* NUL-terminated for readers of text; the size says how much. */
        char *body = malloc (pb->body.len + 1);
        if (!body) {
            proto__reason (reason, "out of memory");
            goto cleanup;
        }
        memcpy (body, pb->body.data, pb->body.len);
        body[pb->body.len] = 0;
        query->body = body;
        query->body_size = pb->body.len;
    }
    if (pb->n_units) {
        query->units = calloc (pb->n_units, sizeof *query->units);
        if (!query->units) {
            proto__reason (reason, "out of memory");
            goto cleanup;
        }
    }
    query->unit_count = pb->n_units;
    for (size_t index = 0; index < query->unit_count; index++) {
        const Hotline__Unit *pb_unit = pb->units[index];
        proto_unit_t *unit = &query->units[index];
        if (proto__copy_field (unit->unit_id, sizeof unit->unit_id,
                               pb_unit->unit_id, "unit_id", reason) ||
            proto__copy_field (unit->name, sizeof unit->name, pb_unit->name,
                               "name", reason) ||
            proto__copy_field (unit->group, sizeof unit->group, pb_unit->group,
                               "group", reason))
            goto cleanup;
    }
    rc = 0;

cleanup:
    if (rc)
        proto_query_free (query);
    hotline__query_request__free_unpacked (pb, NULL);
    proto__scan_free (&scan);
    return rc;
}

void
proto_query_free (proto_query_t *query)
{
    if (!query)
        return;
    free (query->units);
    free ((char *)query->body);
    memset (query, 0, sizeof *query);
}

//  ---------------------------------------------------------------------
//  Replies and publications

/* Duplicates a decoded string after checking it is UTF-8. With
   `empty_is_null` an empty string becomes NULL (absent). */
static int
s_dup_string (const char *source, bool empty_is_null, char **dest)
{
    *dest = NULL;
    if (!source)
        source = "";
    size_t length = strlen (source);
    if (!proto__utf8_valid (source, length))
        return -1;
    if (length == 0 && empty_is_null)
        return 0;
    *dest = strdup (source);
    return *dest ? 0 : -1;
}

uint8_t *
proto_reply_encode (bool ok, const char *error, const char *json, size_t *size)
{
    Hotline__QueryReply pb = HOTLINE__QUERY_REPLY__INIT;
    pb.ok = ok;
    pb.error = (char *)(error ? error : "");
    pb.json = (char *)(json ? json : "");
    return proto__pack (&pb.base, size);
}

int
proto_reply_decode (const uint8_t *data, size_t size, bool *ok, char **error,
                    char **json)
{
    char *error_copy = NULL;
    char *json_copy = NULL;
    if (error)
        *error = NULL;
    if (json)
        *json = NULL;
    if (!data && size)
        return -1;
    Hotline__QueryReply *pb = hotline__query_reply__unpack (NULL, size, data);
    if (!pb)
        return -1;
    int rc = -1;
    if (s_dup_string (pb->error, true, &error_copy) ||
        s_dup_string (pb->json, true, &json_copy))
        goto cleanup;
    if (ok)
        *ok = pb->ok != 0;
    if (error) {
        *error = error_copy;
        error_copy = NULL;
    }
    if (json) {
        *json = json_copy;
        json_copy = NULL;
    }
    rc = 0;

cleanup:
    free (error_copy);
    free (json_copy);
    hotline__query_reply__free_unpacked (pb, NULL);
    return rc;
}

uint8_t *
proto_publication_encode (uint64_t sequence, const char *topic,
                          const char *json, size_t *size)
{
    Hotline__Publication pb = HOTLINE__PUBLICATION__INIT;
    pb.sequence = sequence;
    pb.topic = (char *)(topic ? topic : "");
    pb.json = (char *)(json ? json : "");
    return proto__pack (&pb.base, size);
}

int
proto_publication_decode (const uint8_t *data, size_t size, uint64_t *sequence,
                          char **topic, char **json)
{
    char *topic_copy = NULL;
    char *json_copy = NULL;
    if (topic)
        *topic = NULL;
    if (json)
        *json = NULL;
    if (!data && size)
        return -1;
    Hotline__Publication *pb = hotline__publication__unpack (NULL, size, data);
    if (!pb)
        return -1;
    int rc = -1;
    //  Topic and body are never NULL on success, even when empty, so a
    //  subscriber can print them without checking.
    if (s_dup_string (pb->topic, false, &topic_copy) ||
        s_dup_string (pb->json, false, &json_copy))
        goto cleanup;
    if (sequence)
        *sequence = pb->sequence;
    if (topic) {
        *topic = topic_copy;
        topic_copy = NULL;
    }
    if (json) {
        *json = json_copy;
        json_copy = NULL;
    }
    rc = 0;

cleanup:
    free (topic_copy);
    free (json_copy);
    hotline__publication__free_unpacked (pb, NULL);
    return rc;
}
