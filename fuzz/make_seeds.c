/*  make_seeds: writes the seed corpus of fuzz_proto with the real encoders.

    Usage: make_seeds DIR. One file per message, named after its kind, so a
    change to hotline.proto shows up as a change to these files. The events
    are the example lines of docs/events.md.
*/
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2025-07-01T09:00:00+08:00 in ms. */
#define S_JULY_1_9AM 1751331600000LL
#define S_MINUTE     60000LL
#define S_HOUR       (60 * S_MINUTE)
#define S_DAY        (24 * S_HOUR)
/* 2025-08-01T00:00:00+08:00. */
#define S_AUGUST_1 (S_JULY_1_9AM + 30 * S_DAY + 15 * S_HOUR)

static const char *s_dir;
static int s_failed;

static void
s_write (const char *name, uint8_t *bytes, size_t size)
{
    if (!bytes) {
        fprintf (stderr, "make_seeds: %s: encoder failed\n", name);
        s_failed = 1;
        return;
    }
    char path[512];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    FILE *file = fopen (path, "wb");
    if (!file || fwrite (bytes, 1, size, file) != size || fclose (file)) {
        fprintf (stderr, "make_seeds: cannot write %s\n", path);
        s_failed = 1;
    }
    free (bytes);
}

static proto_event_t
s_event (const char *event_id, proto_type_t type, int64_t occurred_at)
{
    proto_event_t event;
    memset (&event, 0, sizeof event);
    snprintf (event.event_id, sizeof event.event_id, "%s", event_id);
    event.type = type;
    if (type != PROTO_ADJUSTED && type != PROTO_TICK)
        strcpy (event.ticket_id, "T1");
    if (type != PROTO_TICK)
        strcpy (event.unit_id, "U01");
    event.occurred_at = occurred_at;
    return event;
}

/* The example events of docs/events.md and docs/appeals.md, one of each
   type. */
static size_t
s_examples (proto_event_t *events)
{
    size_t n = 0;
    proto_event_t *e = &events[n++];
    *e = s_event ("e1", PROTO_RECEIVED, S_JULY_1_9AM + 10 * S_MINUTE);
    e->dispatched_at = S_JULY_1_9AM;
    e->due_at = S_JULY_1_9AM + 3 * S_DAY + 9 * S_HOUR;
    strcpy (e->channel, "hotline");
    strcpy (e->category, "property");
    e->key_supervision = true;

    events[n++] = s_event ("e2", PROTO_CONTACTED, S_JULY_1_9AM + 40 * S_MINUTE);

    e = &events[n++];
    *e = s_event ("e3", PROTO_RETURNED, S_JULY_1_9AM + 3 * S_HOUR);
    strcpy (e->reason, "not our jurisdiction");

    e = &events[n++];
    *e = s_event ("e4", PROTO_EXTENDED, S_JULY_1_9AM + S_DAY + S_HOUR);
    e->due_at = S_JULY_1_9AM + 7 * S_DAY + 9 * S_HOUR;

    events[n++] =
        s_event ("e5", PROTO_CLOSED, S_JULY_1_9AM + 2 * S_DAY + 7 * S_HOUR);

    e = &events[n++];
    *e = s_event ("e6", PROTO_REVISITED, S_JULY_1_9AM + 4 * S_DAY + S_HOUR);
    e->satisfaction = PROTO_SAT_UNSATISFIED;
    e->resolved = PROTO_RES_NO;
    e->rework = true;

    e = &events[n++];
    *e = s_event ("e7", PROTO_REOPENED,
                  S_JULY_1_9AM + 4 * S_DAY + S_HOUR + 5 * S_MINUTE);
    e->due_at = S_JULY_1_9AM + 8 * S_DAY + 9 * S_HOUR;

    e = &events[n++];
    *e = s_event ("e8", PROTO_ADJUSTED, S_JULY_1_9AM - 177 * S_DAY + S_HOUR);
    strcpy (e->period, "2024-Q4");
    strcpy (e->item, "knowledge_base");
    e->value = 9.5;

    events[n++] = s_event ("e9", PROTO_TICK, S_AUGUST_1);

    e = &events[n++];
    *e = s_event ("a1", PROTO_APPEALED, S_AUGUST_1 + S_DAY);
    strcpy (e->reason, "诉求超出职责范围");

    e = &events[n++];
    *e = s_event ("a2", PROTO_EXEMPTED, S_AUGUST_1 + 2 * S_DAY);
    strcpy (e->counters, "unsatisfied rework");
    strcpy (e->reason, "申诉成立");
    strcpy (e->by, "区政府办");

    e = &events[n++];
    *e = s_event ("a3", PROTO_APPEAL_REJECTED, S_AUGUST_1 + 2 * S_DAY);
    strcpy (e->reason, "证据不足");

    e = &events[n++];
    *e = s_event ("a4", PROTO_UNEXEMPTED, S_AUGUST_1 + 3 * S_DAY);
    strcpy (e->by, "区政府办");
    return n;
}

int
main (int argc, char *argv[])
{
    if (argc != 2) {
        fprintf (stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    s_dir = argv[1];
    char name[64];
    size_t size = 0;

    proto_event_t events[13];
    size_t count = s_examples (events);
    for (size_t i = 0; i < count; i++) {
        char reason[PROTO_ERROR_MAX + 1];
        if (proto_event_validate (&events[i], reason)) {
            fprintf (stderr, "make_seeds: %s: %s\n", events[i].event_id,
                     reason);
            s_failed = 1;
        }
        snprintf (name, sizeof name, "event-%s",
                  proto_type_name (events[i].type));
        s_write (name, proto_event_encode (&events[i], &size), size);
    }

    proto_line_reject_t rejects[2] = {{3, "not valid JSON"},
                                      {7, "unknown type \"recieved\""}};
    s_write ("batch-all-types",
             proto_batch_encode (1, events, count, NULL, 0, &size), size);
    s_write ("batch-with-rejects",
             proto_batch_encode (2, events, 2, rejects, 2, &size), size);
    s_write ("batch-empty", proto_batch_encode (3, NULL, 0, NULL, 0, &size),
             size);
    //  One event the decoder keeps but marks invalid (no unit).
    proto_event_t bad = events[1];
    bad.unit_id[0] = '\0';
    s_write ("batch-invalid-event",
             proto_batch_encode (4, &bad, 1, NULL, 0, &size), size);

    proto_ack_t acks[3] = {{PROTO_ACK_STORED, ""},
                           {PROTO_ACK_DUPLICATE, ""},
                           {PROTO_ACK_REJECTED, "unknown unit U77"}};
    proto_batch_ack_t ack = {1, true, "", 3, acks};
    s_write ("ack-ok", proto_batch_ack_encode (&ack, &size), size);
    proto_batch_ack_t failed = {2, false, "store full", 0, NULL};
    s_write ("ack-failed", proto_batch_ack_encode (&failed, &size), size);

    proto_query_t query;
    memset (&query, 0, sizeof query);
    query.kind = PROTO_QUERY_REPORT;
    strcpy (query.ruleset, "jintai-2025");
    strcpy (query.period, "2025-07");
    query.as_of = S_AUGUST_1;
    s_write ("query-report", proto_query_encode (&query, &size), size);
    proto_unit_t units[2] = {{"U01", "群众路街道办事处", "town"},
                             {"U02", "住建局", "dept"}};
    memset (&query, 0, sizeof query);
    query.kind = PROTO_QUERY_UNITS_IMPORT;
    query.unit_count = 2;
    query.units = units;
    s_write ("query-units-import", proto_query_encode (&query, &size), size);
    memset (&query, 0, sizeof query);
    query.kind = PROTO_QUERY_STATS;
    s_write ("query-stats", proto_query_encode (&query, &size), size);

    s_write ("reply-ok",
             proto_reply_encode (true, NULL,
                                 "{\"ruleset\":\"jintai-2025\",\"tables\":[]}",
                                 &size),
             size);
    s_write ("reply-error",
             proto_reply_encode (false, "unknown ruleset x", NULL, &size),
             size);
    s_write ("publication-score",
             proto_publication_encode (
                 42, "score/jintai-2025/U01",
                 "{\"unit_id\":\"U01\",\"total\":96.73,\"rank\":1}", &size),
             size);
    s_write ("publication-alert",
             proto_publication_encode (
                 43, "alert/U01", "{\"kind\":\"overdue\",\"ticket_id\":\"T1\"}",
                 &size),
             size);
    return s_failed;
}
