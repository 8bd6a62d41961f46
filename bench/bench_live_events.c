/*  bench_live_events: what the live measurements send hotlined, and how:
    the units they import (the marker unit among them when asked), the
    events they are made of (received, closed, tick), and a sender that
    goes through client_sender and waits for every answer. */
#include "bench_internal.h"
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Units U00000... alternate between the two tables of jintai-2025; the
   marker unit joins them when asked. */
int
bench__live_import_units (const bench_daemon_t *d, int units, bool marker)
{
    size_t count = (size_t)units + (marker ? 1 : 0);
    proto_unit_t *list = calloc (count, sizeof (*list));
    if (!list)
        return -1;
    for (int u = 0; u < units; u++) {
        snprintf (list[u].unit_id, sizeof (list[u].unit_id), "U%05d", u);
        snprintf (list[u].name, sizeof (list[u].name), "单位%05d", u);
        snprintf (list[u].group, sizeof (list[u].group), "%s",
                  u % 2 ? "dept" : "town");
    }
    if (marker) {
        proto_unit_t *m = &list[units];
        snprintf (m->unit_id, sizeof (m->unit_id), "%s", BENCH_LIVE_MARKER_ID);
        snprintf (m->name, sizeof (m->name), "标记单位");
        snprintf (m->group, sizeof (m->group), "dept");
    }
    int rc = bench_daemon_import (d, list, count);
    free (list);
    return rc;
}

void
bench__live_event (proto_event_t *ev, proto_type_t type, const char *event_id,
                   const char *ticket, const char *unit, int64_t at)
{
    memset (ev, 0, sizeof (*ev));
    snprintf (ev->event_id, sizeof (ev->event_id), "%s", event_id);
    ev->type = type;
    snprintf (ev->ticket_id, sizeof (ev->ticket_id), "%s", ticket);
    snprintf (ev->unit_id, sizeof (ev->unit_id), "%s", unit);
    ev->occurred_at = at;
}

void
bench__live_received (proto_event_t *ev, const char *event_id,
                      const char *ticket, const char *unit, int64_t at,
                      int64_t due, uint32_t mix)
{
    bench__live_event (ev, PROTO_RECEIVED, event_id, ticket, unit, at);
    ev->dispatched_at = at - 600000;
    ev->due_at = due;
    snprintf (ev->channel, sizeof (ev->channel), "%s",
              mix % 10 ? "hotline" : "mayor_mailbox");
    snprintf (ev->category, sizeof (ev->category), "c%u", mix % 8);
}

/* A stateless integer hash: spreads tickets over units reproducibly. */
uint32_t
bench__live_mix (uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

typedef struct {
    size_t stored;                    /* stored (or duplicate: resent) */
    size_t other;                     /* rejected or not acknowledged */
    char reason[PROTO_ERROR_MAX + 1]; /* the first reason for other */
} s_outcomes_t;

static void
s_outcome (void *arg, uint32_t tag, int status, const char *reason)
{
    s_outcomes_t *self = arg;
    (void)tag;
    /* A duplicate answers a resend whose first attempt was stored. */
    if (status == PROTO_ACK_STORED || status == PROTO_ACK_DUPLICATE)
        self->stored++;
    else if (self->other++ == 0)
        snprintf (self->reason, sizeof (self->reason), "status %d: %s", status,
                  reason ? reason : "");
}

/* Sends events through client_sender (batches of 500, window 8) and
   waits for every answer. Returns 0 when all were stored, with the time
   from the first send to the last answer and the batches sent again. */
int
bench__live_send_all (const bench_daemon_t *d, const proto_event_t *events,
                      size_t count, int64_t *elapsed_ns, uint64_t *resent)
{
    s_outcomes_t out = {0, 0, ""};
    char err[256];
    client_sender_t *sender =
        client_sender_new (d->ingest, 500, 8, 60000, s_outcome, &out, err);
    if (!sender) {
        fprintf (stderr, "bench_live: %s\n", err);
        return -1;
    }
    int64_t t0 = bench_now_ns ();
    for (size_t i = 0; i < count; i++)
        if (client_sender_add (sender, &events[i], (uint32_t)i) != 0)
            break;
    client_sender_flush (sender);
    if (elapsed_ns)
        *elapsed_ns = bench_now_ns () - t0;
    if (resent)
        *resent = client_sender_resent (sender);
    client_sender_destroy (&sender);
    if (out.stored != count) {
        fprintf (stderr, "bench_live: %zu of %zu events not stored (%s)\n",
                 count - out.stored, count, out.reason);
        return -1;
    }
    return 0;
}
