/*  web_ingest: POST /api/v1/events, the platform's feed over HTTP.

    The body is event lines (docs/events.md). Each line is read as
    `hotline send` reads it; the good ones go to the ingest actor as one
    EventBatch, with the bad lines' numbers and reasons (so the daemon
    logs and counts them as it does the command line's), and the answer
    waits for the BatchAck: what it calls stored is durably committed.
    De-duplication is the daemon's: a line whose event_id is stored
    already comes back as a duplicate, so a platform may send a body
    again after a failure without counting anything twice. */
#include "json.h"
#include "web_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The body read into events, and the lines refused on the way. */
typedef struct {
    proto_event_t *events;                /* good lines' events */
    uint32_t *lines;                      /* each event's line number */
    size_t count, capacity;               /* events held, room */
    proto_line_reject_t *rejects;         /* bad lines */
    size_t reject_count, reject_capacity; /* held, room */
} s_body_t;

static void
s_body_free (s_body_t *b)
{
    free (b->events);
    free (b->lines);
    free (b->rejects);
}

static int
s_add_reject (s_body_t *b, uint32_t line, const char *reason)
{
    if (b->reject_count == b->reject_capacity) {
        size_t more = b->reject_capacity ? b->reject_capacity * 2 : 16;
        proto_line_reject_t *grown =
            realloc (b->rejects, more * sizeof (*grown));
        if (!grown)
            return -1;
        b->rejects = grown;
        b->reject_capacity = more;
    }
    proto_line_reject_t *reject = &b->rejects[b->reject_count++];
    reject->line = line;
    snprintf (reject->reason, sizeof (reject->reason), "%s", reason);
    return 0;
}

/* Reads one line (len bytes at text). Returns -1 when out of memory. */
static int
s_add_line (s_body_t *b, uint32_t line, const char *text, size_t len)
{
    if (b->count == b->capacity) {
        size_t more = b->capacity ? b->capacity * 2 : 512;
        proto_event_t *events = realloc (b->events, more * sizeof (*events));
        if (events)
            b->events = events;
        uint32_t *lines = realloc (b->lines, more * sizeof (*lines));
        if (lines)
            b->lines = lines;
        if (!events || !lines)
            return -1;
        b->capacity = more;
    }
    char reason[PROTO_ERROR_MAX + 1];
    if (proto_event_from_json (text, len, &b->events[b->count], reason) != 0)
        return s_add_reject (b, line, reason);
    b->lines[b->count++] = line;
    return 0;
}

/* Splits the body into lines; blank lines carry nothing. */
static int
s_read (s_body_t *b, const char *body, size_t size)
{
    uint32_t number = 0;
    const char *at = body, *end = body + size;
    while (at < end) {
        const char *nl = memchr (at, '\n', (size_t)(end - at));
        const char *stop = nl ? nl : end;
        size_t len = (size_t)(stop - at);
        number++;
        while (len > 0 && at[len - 1] == '\r')
            len--;
        if (len > 0 && s_add_line (b, number, at, len) != 0)
            return -1;
        at = nl ? nl + 1 : end;
    }
    return 0;
}

/* {"stored","duplicates","rejected":[{"line","reason"}...]}: the
   sender's and the daemon's rejections together, by line. */
static char *
s_answer (const s_body_t *b, const proto_batch_ack_t *ack, bool *rejected)
{
    size_t stored = 0, duplicates = 0;
    json_writer_t json;
    json_init (&json, 256);
    json_open (&json, '{');
    for (size_t i = 0; i < ack->count; i++) {
        stored += ack->acks[i].status == PROTO_ACK_STORED;
        duplicates += ack->acks[i].status == PROTO_ACK_DUPLICATE;
    }
    json_member_int (&json, "stored", (long long)stored);
    json_member_int (&json, "duplicates", (long long)duplicates);
    json_key (&json, "rejected");
    json_open (&json, '[');
    size_t e = 0, r = 0;
    *rejected = false;
    while (e < ack->count || r < b->reject_count) {
        if (e < ack->count && ack->acks[e].status != PROTO_ACK_REJECTED) {
            e++;
            continue;
        }
        bool daemon = e < ack->count && (r == b->reject_count ||
                                         b->lines[e] < b->rejects[r].line);
        json_open (&json, '{');
        json_member_int (&json, "line",
                         daemon ? b->lines[e] : b->rejects[r].line);
        json_member_string (&json, "reason",
                            daemon ? ack->acks[e].reason
                                   : b->rejects[r].reason);
        json_close (&json, '}');
        *rejected = true;
        if (daemon)
            e++;
        else
            r++;
    }
    json_close (&json, ']');
    json_close (&json, '}');
    return json_finish (&json);
}

enum MHD_Result
web__events (web__request_t *r)
{
    s_body_t b = {0};
    if (s_read (&b, r->body ? r->body : "", r->size) != 0) {
        s_body_free (&b);
        return web__error (r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    /* One body is one batch, and a batch carries at most this many
       events and refused lines (proto.h). */
    if (b.count > PROTO_BATCH_MAX || b.reject_count > PROTO_REJECTS_MAX) {
        s_body_free (&b);
        return web__error (r, MHD_HTTP_CONTENT_TOO_LARGE,
                           "more than %d lines: nothing was stored; send "
                           "them in parts",
                           PROTO_BATCH_MAX);
    }
    size_t size;
    uint64_t batch_id = atomic_fetch_add (&r->web->ids, 1) + 1;
    uint8_t *payload = proto_batch_encode (batch_id, b.events, b.count,
                                           b.rejects, b.reject_count, &size);
    zframe_t *reply = NULL;
    int rc = payload
                 ? web__ask (r, WEB__INGEST, payload, size, WEB_WAIT_MS, &reply)
                 : -1;
    free (payload);
    proto_batch_ack_t ack;
    char reason[PROTO_ERROR_MAX + 1];
    if (rc != 0 ||
        proto_batch_ack_decode (zframe_data (reply), zframe_size (reply), &ack,
                                reason) != 0) {
        zframe_destroy (&reply);
        s_body_free (&b);
        return web__error (r, MHD_HTTP_SERVICE_UNAVAILABLE,
                           "the daemon did not acknowledge the events within "
                           "%d s: send them again (stored ones come back as "
                           "duplicates)",
                           WEB_WAIT_MS / 1000);
    }
    zframe_destroy (&reply);
    enum MHD_Result answered;
    if (!ack.ok || ack.count != b.count)
        answered = web__error (
            r, MHD_HTTP_SERVICE_UNAVAILABLE, "nothing was stored: %s",
            ack.ok ? "the answer does not match the lines" : ack.error);
    else {
        bool rejected;
        char *json = s_answer (&b, &ack, &rejected);
        answered = json ? web__json (r,
                                     rejected ? MHD_HTTP_UNPROCESSABLE_CONTENT
                                              : MHD_HTTP_OK,
                                     json)
                        : MHD_NO;
    }
    proto_batch_ack_free (&ack);
    s_body_free (&b);
    return answered;
}
