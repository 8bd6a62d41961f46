/*  report_ticket: one ticket's story (report.h, docs/explain.md): the
    unit it is with, its state and deadline in force, its events in
    order and every (period, counter) it counted in, from its trail
    (state_trail_scan) and the event log's entries the trail names. */
#include "report_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A (period, unit, counter) and the ticket's net count there. */
typedef struct {
    proto_period_t period;       /* where */
    char unit[PROTO_ID_MAX + 1]; /* for whom */
    int counter;                 /* what */
    long count;                  /* net */
} s_counted_t;

typedef struct {
    store_txn_t *txn;                /* to read the log */
    json_writer_t *json;             /* the events array being written */
    s_counted_t *counted;            /* sums, in order of first count */
    size_t count;                    /* used */
    size_t size;                     /* allocated */
    int rc;                          /* the first store error */
    char limit[PROTO_LIMIT_MAX + 1]; /* the time limit of the latest event
                                        that set the deadline, or "" */
} s_story_t;

static void
s_sum (s_story_t *s, const char *unit, const state_count_t *c)
{
    for (size_t i = 0; i < s->count; i++) {
        s_counted_t *x = &s->counted[i];
        if (x->counter == c->counter && x->period.kind == c->period.kind &&
            x->period.code == c->period.code && strcmp (x->unit, unit) == 0) {
            x->count += c->delta;
            return;
        }
    }
    if (s->count == s->size) {
        size_t size = s->size ? s->size * 2 : 32;
        s_counted_t *grown = realloc (s->counted, size * sizeof (*grown));
        if (!grown) {
            s->rc = STORE_ERROR;
            return;
        }
        s->counted = grown;
        s->size = size;
    }
    s_counted_t *x = &s->counted[s->count++];
    x->period = c->period;
    snprintf (x->unit, sizeof (x->unit), "%s", unit);
    x->counter = c->counter;
    x->count = c->delta;
}

/* One trail entry: the event it names (from the log), and its counts. */
static void
s_take (void *arg, uint64_t seq, bool clock, const char *unit,
        const state_count_t *counts, size_t n)
{
    s_story_t *s = arg;
    for (size_t i = 0; i < n; i++)
        s_sum (s, unit, &counts[i]);
    if (clock || s->rc != STORE_OK)
        return;
    uint8_t key[8];
    store_put_be64 (key, seq);
    uint8_t bytes[4096];
    size_t size = sizeof (bytes);
    int rc = store_get (s->txn, STORE_LOG, key, 8, bytes, &size);
    proto_event_t event;
    char reason[PROTO_ERROR_MAX + 1];
    if (rc != STORE_OK || proto_event_decode (bytes, size, &event, reason)) {
        s->rc = rc != STORE_OK ? rc : STORE_ERROR;
        return;
    }
    /* The limit in force is the one of the event that set the deadline
       in force: a receipt, an extension or a reopening, the latest. */
    if (event.type == PROTO_RECEIVED || event.type == PROTO_EXTENDED ||
        event.type == PROTO_REOPENED)
        snprintf (s->limit, sizeof (s->limit), "%s", event.time_limit);
    char *line = proto_event_to_json (&event);
    if (line)
        json_value (s->json, line);
    free (line);
}

/* The ticket's exemptions standing, per unit it counted for. */
static void
s_exempted (json_writer_t *json, store_txn_t *txn, const char *ticket_id,
            const s_story_t *story)
{
    for (size_t i = 0; i < story->count; i++) {
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp (story->counted[j].unit, story->counted[i].unit);
        state_appeal_t a;
        if (!first ||
            state_appeal_get (txn, ticket_id, story->counted[i].unit, &a) !=
                STORE_OK ||
            a.state != STATE_APPEAL_GRANTED)
            continue;
        char names[512], when[32];
        state_exempt_names (a.exempt, names, sizeof (names));
        json_open (json, '{');
        json_member_string (json, "unit_id", a.unit_id);
        json_member_string (json, "counters", names);
        json_member_string (json, "reason", a.decision_reason);
        json_member_string (json, "by", a.by);
        json_member_string (json, "at", proto_time_format (a.decided_at, when));
        json_close (json, '}');
    }
}

char *
report_ticket_json (store_txn_t *txn, const char *ticket_id, char *err)
{
    state_ticket_info_t info;
    int rc = state_ticket_info (txn, ticket_id, &info);
    if (rc == STORE_NOTFOUND) {
        snprintf (err, 256, "unknown ticket \"%s\"", ticket_id);
        return NULL;
    }
    if (rc != STORE_OK) {
        snprintf (err, 256, "reading the ticket: %s", store_strerror (rc));
        return NULL;
    }
    char when[32];
    json_writer_t json;
    json_init (&json, 4096);
    json_open (&json, '{');
    json_member_string (&json, "ticket_id", ticket_id);
    json_member_string (&json, "unit_id", info.unit_id);
    json_member_string (&json, "state", info.state);
    json_member_bool (&json, "overdue", info.overdue);
    json_member_string (&json, "channel", info.channel);
    json_member_string (&json, "category", info.category);
    json_member_string (&json, "dispatched_at",
                        proto_time_format (info.dispatched_at, when));
    json_member_string (&json, "received_at",
                        proto_time_format (info.received_at, when));
    json_member_string (&json, "due_at", proto_time_format (info.due_at, when));
    /* The events first, in a writer of their own: the time limit in force
       is read from them and goes before them. */
    json_writer_t events;
    json_init (&events, 4096);
    json_open (&events, '[');
    s_story_t story = {.txn = txn, .json = &events};
    rc = state_trail_scan (txn, ticket_id, s_take, &story);
    json_close (&events, ']');
    if (rc == STORE_NOTFOUND)
        rc = STORE_OK; /* a store from before the trail: no history */
    if (rc == STORE_OK)
        rc = story.rc;
    json_key (&json, "time_limit");
    if (story.limit[0])
        json_string (&json, story.limit);
    else
        json_literal (&json, "null");
    char *list = json_finish (&events);
    json_key (&json, "events");
    json_value (&json, list ? list : "[]");
    if (!list)
        rc = STORE_ERROR;
    free (list);
    json_key (&json, "counted");
    json_open (&json, '[');
    for (size_t i = 0; i < story.count; i++) {
        const s_counted_t *c = &story.counted[i];
        if (c->count == 0)
            continue; /* counted, then taken back */
        char p[8];
        json_open (&json, '{');
        json_member_string (&json, "period",
                            proto_period_format (c->period, p));
        json_member_string (&json, "unit_id", c->unit);
        json_member_string (&json, "counter", rules_counter_name (c->counter));
        json_member_int (&json, "count", c->count);
        state_appeal_t a;
        if (state_appeal_get (txn, ticket_id, c->unit, &a) == STORE_OK &&
            a.state == STATE_APPEAL_GRANTED && (a.exempt & (1u << c->counter)))
            json_member_bool (&json, "exempted", true);
        json_close (&json, '}');
    }
    json_close (&json, ']');
    json_key (&json, "exempted");
    json_open (&json, '[');
    s_exempted (&json, txn, ticket_id, &story);
    json_close (&json, ']');
    json_close (&json, '}');
    free (story.counted);
    if (rc != STORE_OK) {
        json_free (&json);
        snprintf (err, 256, "reading the ticket's history: %s",
                  store_strerror (rc));
        return NULL;
    }
    char *text = json_finish (&json);
    if (!text)
        snprintf (err, 256, "out of memory");
    return text;
}
