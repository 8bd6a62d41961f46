/*  bench_live: what a stalled subscriber costs ingest, and how soon a score
    update follows the acknowledgement of the event that caused it.

    Drives the real hotlined, spawned by bench_daemon.c: a fresh
    temporary directory per run, ipc:// endpoints inside it, the event
    clock, a 100 ms heartbeat and otherwise the default configuration.

    ingest   N units are imported, then M events (received, then closed, for
             tickets spread over the units in July 2025) are sent with
             client_sender in batches of 500 with a window of 8; events/s
             is M over the time from the first send to the last
             acknowledgement. Run A has no subscriber (the baseline); in
             run B a SUB socket subscribed to everything, with a receive
             high-water mark of 100, is connected and never read. Each
             round runs both, A B then B A in turn, each on a fresh daemon;
             the figure is the ratio of the medians B/A (the promise: at
             least 0.90).

    latency  Every unit gets K tickets, all made overdue by a tick (none of
             this is timed). Then closes of distinct (unit, ticket) pairs
             are offered at a fixed rate, in batches of 10, by an open-loop
             sender on its own DEALER socket, while a listener thread
             subscribed to score/jintai-2025/ timestamps every row (this
             daemon's publish_hwm is raised so the listener loses none).
             Closing an overdue ticket raises the unit's closure item
             (30 x closed / should_close, and should_close stays K), so each
             row tells how many of the unit's closes it reflects. A close's
             latency runs from the acknowledgement of its batch to the
             first row of its unit that reflects it: a row computed before
             the commit but received after the acknowledgement is not
             mistaken for it. The baseline is the acknowledgement latency
             itself (send to acknowledgement).

    The publisher is known to have published everything a set of commits
    caused once the listener has seen the row of a marker unit reflecting
    a later commit, and then a heartbeat: notifications are handled in
    order and one PUB connection keeps order.

    Figures are wall-clock on a shared machine: read the ratios.

    --only ingest|latency runs one of the two; --daemon PATH times another
    build of hotlined (a before/after comparison with the same client).

    usage: hotline-bench live [--units N] [--events M] [--rounds R] [--rate E]
                      [--seconds S] [--hwm H] [--only WHICH]
                      [--daemon PATH] [--quick]

    bench_live_main is `hotline-bench live` (bench_main.c).  */
#include "bench.h"
#include "bench_daemon.h"
#include "client.h"
#include "proto.h"

#include <cjson/cJSON.h>
#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define CLOSE_BATCH    10 /* closes per message in the latency run */
#define MARKER_TICKETS 8  /* tickets of the marker unit */
#define MARKER_ID      "UMARK"
#define SCORE_PREFIX   "score/jintai-2025/"
#define LISTENER_HWM   10000000 /* publish_hwm of the latency run */

typedef struct {
    const char *daemon; /* hotlined to run */
    bool ingest;        /* run measurement 1 */
    bool latency;       /* run measurement 2 */
    int units;          /* units imported */
    int events;         /* events per ingest run */
    int rounds;         /* A/B rounds */
    int rate;           /* offered closes per second, latency run */
    double seconds;     /* length of the latency run */
    int hwm;            /* receive high-water mark of the stalled subscriber */
    bool quick;         /* a smoke test for CI, not a measurement */
    int64_t july;       /* 2025-07-01T00:00+08:00 in ms */
} s_options_t;

//  ---------------------------------------------------------------------
//  The daemon

/* Units U00000... alternate between the two tables of jintai-2025; the
   marker unit joins them when asked. */
static int
s_import_units (const bench_daemon_t *d, int units, bool marker)
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
        snprintf (m->unit_id, sizeof (m->unit_id), "%s", MARKER_ID);
        snprintf (m->name, sizeof (m->name), "标记单位");
        snprintf (m->group, sizeof (m->group), "dept");
    }
    int rc = bench_daemon_import (d, list, count);
    free (list);
    return rc;
}

//  ---------------------------------------------------------------------
//  Events

static void
s_event (proto_event_t *ev, proto_type_t type, const char *event_id,
         const char *ticket, const char *unit, int64_t at)
{
    memset (ev, 0, sizeof (*ev));
    snprintf (ev->event_id, sizeof (ev->event_id), "%s", event_id);
    ev->type = type;
    snprintf (ev->ticket_id, sizeof (ev->ticket_id), "%s", ticket);
    snprintf (ev->unit_id, sizeof (ev->unit_id), "%s", unit);
    ev->occurred_at = at;
}

static void
s_received (proto_event_t *ev, const char *event_id, const char *ticket,
            const char *unit, int64_t at, int64_t due, uint32_t mix)
{
    s_event (ev, PROTO_RECEIVED, event_id, ticket, unit, at);
    ev->dispatched_at = at - 600000;
    ev->due_at = due;
    snprintf (ev->channel, sizeof (ev->channel), "%s",
              mix % 10 ? "hotline" : "mayor_mailbox");
    snprintf (ev->category, sizeof (ev->category), "c%u", mix % 8);
}

/* A stateless integer hash: spreads tickets over units reproducibly. */
static uint32_t
s_mix (uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* The ingest stream: ticket t is received at july + t x (25 days / T),
   due three days later, and closed on time about half a day later, when
   ticket t + T/50 is received; so about T/50 tickets are open at any
   point of the stream, the clock only moves forward and nothing goes
   overdue. Returns `events` events (even), or NULL. */
static proto_event_t *
s_ingest_events (const s_options_t *opt)
{
    int tickets = opt->events / 2, lag = tickets / 50 > 0 ? tickets / 50 : 1;
    proto_event_t *events = calloc ((size_t)tickets * 2, sizeof (*events));
    if (!events)
        return NULL;
    int64_t step = 25LL * 86400000 / tickets;
    size_t n = 0;
    char id[32], ticket[32], unit[16];
    for (int t = 0; t < tickets + lag; t++) {
        int64_t at = opt->july + (int64_t)t * step;
        if (t < tickets) {
            uint32_t mix = s_mix ((uint32_t)t);
            snprintf (id, sizeof (id), "r%07d", t);
            snprintf (ticket, sizeof (ticket), "T%07d", t);
            snprintf (unit, sizeof (unit), "U%05d", (int)(mix % opt->units));
            s_received (&events[n++], id, ticket, unit, at, at + 3 * 86400000LL,
                        mix >> 8);
        }
        int c = t - lag;
        if (c >= 0) {
            snprintf (id, sizeof (id), "c%07d", c);
            snprintf (ticket, sizeof (ticket), "T%07d", c);
            snprintf (unit, sizeof (unit), "U%05d",
                      (int)(s_mix ((uint32_t)c) % opt->units));
            s_event (&events[n++], PROTO_CLOSED, id, ticket, unit, at + 60000);
        }
    }
    return events;
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
static int
s_send_all (const bench_daemon_t *d, const proto_event_t *events, size_t count,
            int64_t *elapsed_ns, uint64_t *resent)
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

//  ---------------------------------------------------------------------
//  Measurement 1: ingest with and without a stalled subscriber

typedef struct {
    double rate;       /* events/s, first send to last acknowledgement */
    double per_commit; /* events per write transaction */
    double published;  /* messages the publisher sent during the run */
    double delivered;  /* run B: of those, handed to the stalled SUB */
    double resent;     /* batches client_sender sent again */
} s_ingest_result_t;

/* Reads a Publication frame; returns 0 with the sequence number and
   whether it is a heartbeat. */
static int
s_read_publication (zmsg_t *msg, uint64_t *sequence, bool *heartbeat)
{
    zframe_t *payload = zmsg_last (msg);
    char *topic = NULL, *json = NULL;
    if (!payload ||
        proto_publication_decode (zframe_data (payload), zframe_size (payload),
                                  sequence, &topic, &json) != 0)
        return -1;
    *heartbeat = streq (topic, "$hb");
    free (topic);
    free (json);
    return 0;
}

/* After run B: reads the stalled subscriber until a heartbeat announces
   the last message published during the run, counting what it was
   handed of those. */
static double
s_drain (zsock_t *sub, uint64_t first, uint64_t last)
{
    double delivered = 0;
    zpoller_t *poller = zpoller_new (sub, NULL);
    while (zpoller_wait (poller, 5000) == sub) {
        zmsg_t *msg = zmsg_recv (sub);
        uint64_t sequence;
        bool heartbeat;
        int rc = msg ? s_read_publication (msg, &sequence, &heartbeat) : -1;
        zmsg_destroy (&msg);
        if (rc != 0)
            break;
        if (!heartbeat && sequence > first && sequence <= last)
            delivered++;
        if (heartbeat && sequence >= last)
            break;
    }
    zpoller_destroy (&poller);
    return delivered;
}

static int
s_run_ingest (const s_options_t *opt, const proto_event_t *events, bool stalled,
              s_ingest_result_t *result)
{
    bench_daemon_t d;
    zsock_t *sub = NULL;
    int rc = -1;
    uint64_t first = 0;
    memset (result, 0, sizeof (*result));
    if (bench_daemon_start (&d, opt->daemon, NULL, NULL, NULL) != 0 ||
        s_import_units (&d, opt->units, false))
        goto cleanup;
    double published0 = bench_daemon_stat (&d, "published");
    double batches0 = bench_daemon_stat (&d, "batches_committed");
    if (stalled) {
        sub = zsock_new (ZMQ_SUB);
        if (!sub)
            goto cleanup;
        zsock_set_rcvhwm (sub, opt->hwm);
        zsock_set_subscribe (sub, "");
        zsock_set_linger (sub, 0);
        if (zsock_connect (sub, "%s", d.publish) != 0) {
            fprintf (stderr, "bench_live: cannot connect to %s\n", d.publish);
            goto cleanup;
        }
        /* One heartbeat read proves the subscription reached the
           publisher; from here on this socket is not read until the
           measurement is over. */
        zpoller_t *poller = zpoller_new (sub, NULL);
        zmsg_t *msg =
            zpoller_wait (poller, 5000) == sub ? zmsg_recv (sub) : NULL;
        zpoller_destroy (&poller);
        bool heartbeat;
        int read = msg ? s_read_publication (msg, &first, &heartbeat) : -1;
        zmsg_destroy (&msg);
        if (read != 0) {
            fprintf (stderr, "bench_live: no heartbeat from %s\n", d.publish);
            goto cleanup;
        }
    }
    size_t count = (size_t)opt->events / 2 * 2;
    int64_t elapsed;
    uint64_t resent;
    if (s_send_all (&d, events, count, &elapsed, &resent) != 0)
        goto cleanup;
    result->rate = (double)count / ((double)elapsed / 1e9);
    result->resent = (double)resent;
    double published = bench_daemon_stat (&d, "published");
    double batches = bench_daemon_stat (&d, "batches_committed");
    result->published = published - published0;
    result->per_commit = batches > batches0 ? count / (batches - batches0) : 0;
    if (stalled)
        result->delivered =
            s_drain (sub, first, first + (uint64_t)result->published);
    rc = 0;
cleanup:
    zsock_destroy (&sub);
    bench_daemon_stop (&d);
    return rc;
}

//  ---------------------------------------------------------------------
//  Measurement 2: acknowledgement -> score update

/* One score/jintai-2025 row of a regular unit, as received. */
typedef struct {
    int64_t at;     /* receive time, ns */
    int32_t unit;   /* unit index */
    int32_t closed; /* the unit's closes the row reflects */
} s_row_t;

typedef struct {
    const char *endpoint; /* publisher */
    int units;            /* regular units */
    int per_unit;         /* tickets per regular unit (should_close) */
    s_row_t *rows;        /* rows received */
    size_t row_count;     /* used */
    size_t row_capacity;  /* allocated */
    uint64_t messages;    /* rows received, heartbeats not counted */
    bool failed;          /* could not subscribe or record */
} s_listener_t;

/* How many of `tickets` overdue tickets are closed, from the shown
   closure item t2(30 x closed / tickets); -1 when absent. Each close moves
   the item by 30 / tickets >= 0.02 (tickets <= 1500), more than the 0.01
   the truncation can take away, so the nearest count is the count. */
static int
s_closed_of (const char *json, int tickets)
{
    const char *at = strstr (json, "\"closure\":");
    if (!at)
        return -1;
    char *end;
    double closure = strtod (at + 10, &end);
    if (end == at + 10)
        return -1;
    return (int)(closure * tickets / 30 + 0.5);
}

static void
s_listen_one (s_listener_t *self, zmsg_t *msg, int *marker, bool *heartbeat)
{
    int64_t at = bench_now_ns ();
    zframe_t *payload = zmsg_last (msg);
    uint64_t sequence;
    char *topic = NULL, *json = NULL;
    *marker = -1;
    *heartbeat = false;
    if (!payload ||
        proto_publication_decode (zframe_data (payload), zframe_size (payload),
                                  &sequence, &topic, &json) != 0) {
        self->failed = true;
        return;
    }
    *heartbeat = streq (topic, "$hb");
    if (!*heartbeat)
        self->messages++;
    size_t prefix = strlen (SCORE_PREFIX);
    if (strncmp (topic, SCORE_PREFIX, prefix) == 0) {
        const char *unit = topic + prefix;
        if (streq (unit, MARKER_ID))
            *marker = s_closed_of (json, MARKER_TICKETS);
        else if (unit[0] == 'U') {
            int index = atoi (unit + 1);
            int closed = s_closed_of (json, self->per_unit);
            if (closed > 0 && index >= 0 && index < self->units) {
                if (self->row_count == self->row_capacity) {
                    size_t capacity =
                        self->row_capacity ? self->row_capacity * 2 : 65536;
                    s_row_t *grown =
                        realloc (self->rows, capacity * sizeof (*grown));
                    if (!grown)
                        self->failed = true;
                    else {
                        self->rows = grown;
                        self->row_capacity = capacity;
                    }
                }
                if (self->row_count < self->row_capacity)
                    self->rows[self->row_count++] =
                        (s_row_t){at, (int32_t)index, (int32_t)closed};
            }
        }
    }
    free (topic);
    free (json);
}

/* The listener actor. Signals ready once the subscription is live (a
   first message arrived). Commands: "MARK" n, answered "MARKED" once the
   marker unit's row shows n closes and a heartbeat followed it; $TERM. */
static void
s_listener_actor (zsock_t *pipe, void *args)
{
    s_listener_t *self = args;
    zsock_t *sub = zsock_new (ZMQ_SUB);
    if (!sub) {
        self->failed = true;
        zsock_signal (pipe, 1);
        return;
    }
    /* What a dashboard of the one ruleset takes. It must not lose a row:
       no receive high-water mark here, and the daemon of this run has a
       send high-water mark far above what a run publishes. */
    zsock_set_rcvhwm (sub, 0);
    zsock_set_subscribe (sub, SCORE_PREFIX);
    zsock_set_subscribe (sub, "$hb");
    zsock_set_linger (sub, 0);
    zpoller_t *poller = zpoller_new (pipe, sub, NULL);
    if (zsock_connect (sub, "%s", self->endpoint) != 0 ||
        zpoller_wait (poller, 5000) != sub) {
        self->failed = true;
        zpoller_destroy (&poller);
        zsock_destroy (&sub);
        zsock_signal (pipe, 1);
        return;
    }
    zsock_signal (pipe, 0);
    int wanted = 0;    /* marker closes waited for, 0: none */
    bool seen = false; /* the marker row showed them */
    while (!self->failed) {
        void *which = zpoller_wait (poller, -1);
        if (which == pipe) {
            zmsg_t *cmd = zmsg_recv (pipe);
            char *name = cmd ? zmsg_popstr (cmd) : NULL;
            bool term = !name || streq (name, "$TERM");
            if (name && streq (name, "MARK")) {
                char *n = zmsg_popstr (cmd);
                wanted = n ? atoi (n) : 0;
                seen = false;
                zstr_free (&n);
            }
            zstr_free (&name);
            zmsg_destroy (&cmd);
            if (term)
                break;
        } else if (which == sub) {
            /* Drain what is queued: each message is stamped as it is
               taken, the poller is not re-entered per message. */
            do {
                zmsg_t *msg = zmsg_recv (sub);
                if (!msg)
                    break;
                int marker;
                bool heartbeat;
                s_listen_one (self, msg, &marker, &heartbeat);
                zmsg_destroy (&msg);
                if (wanted && marker >= wanted)
                    seen = true;
                else if (wanted && seen && heartbeat) {
                    zstr_send (pipe, "MARKED");
                    wanted = 0;
                    seen = false;
                }
            } while (zsock_events (sub) & ZMQ_POLLIN);
        } else
            break; /* interrupted */
    }
    zpoller_destroy (&poller);
    zsock_destroy (&sub);
}

/* Sends one pre-encoded batch and waits for its acknowledgement. */
static int
s_send_sync (zsock_t *dealer, const uint8_t *payload, size_t size,
             uint64_t batch_id)
{
    if (zmq_send (zsock_resolve (dealer), payload, size, 0) < 0)
        return -1;
    zpoller_t *poller = zpoller_new (dealer, NULL);
    int rc = -1;
    while (rc != 0 && zpoller_wait (poller, 30000) == dealer) {
        zframe_t *frame = zframe_recv (dealer);
        proto_batch_ack_t ack;
        char reason[PROTO_ERROR_MAX + 1];
        if (frame &&
            proto_batch_ack_decode (zframe_data (frame), zframe_size (frame),
                                    &ack, reason) == 0) {
            if (ack.batch_id == batch_id)
                rc = ack.ok && ack.count == 1 &&
                             ack.acks[0].status == PROTO_ACK_STORED
                         ? 0
                         : -2;
            proto_batch_ack_free (&ack);
        }
        zframe_destroy (&frame);
        if (rc == -2)
            break;
    }
    zpoller_destroy (&poller);
    return rc == 0 ? 0 : -1;
}

/* Closes the marker unit's ticket `n` (1-based) and waits until the
   listener has seen every publication of the commits before it. */
static int
s_marker_sync (const s_options_t *opt, zactor_t *listener, zsock_t *dealer,
               int n)
{
    proto_event_t ev;
    char id[32], ticket[32];
    snprintf (id, sizeof (id), "mark-c%d", n);
    snprintf (ticket, sizeof (ticket), "M%d", n - 1);
    s_event (&ev, PROTO_CLOSED, id, ticket, MARKER_ID,
             opt->july + 19LL * 86400000 + 1000 + (n - 1) * 2 * 86400000LL);
    size_t size;
    uint64_t batch_id = 1000000000ULL + (uint64_t)n;
    uint8_t *payload = proto_batch_encode (batch_id, &ev, 1, NULL, 0, &size);
    if (!payload)
        return -1;
    char text[16];
    snprintf (text, sizeof (text), "%d", n);
    zstr_sendx (listener, "MARK", text, NULL);
    int rc = s_send_sync (dealer, payload, size, batch_id);
    free (payload);
    if (rc != 0) {
        fprintf (stderr, "bench_live: marker close %d not stored\n", n);
        return -1;
    }
    zpoller_t *poller = zpoller_new (listener, NULL);
    char *answer =
        zpoller_wait (poller, 60000) == listener ? zstr_recv (listener) : NULL;
    zpoller_destroy (&poller);
    rc = answer && streq (answer, "MARKED") ? 0 : -1;
    zstr_free (&answer);
    if (rc != 0)
        fprintf (stderr, "bench_live: the marker row never came\n");
    return rc;
}

typedef struct {
    size_t closes;     /* closes offered */
    size_t batches;    /* messages of CLOSE_BATCH closes */
    int per_unit;      /* tickets per unit */
    double offered;    /* achieved offered closes/s */
    double *ack_ms;    /* per batch: send -> acknowledgement, sorted */
    double *lat_ms;    /* per matched close: ack -> row, sorted */
    size_t matched;    /* closes whose row came */
    size_t early;      /* of those, row received before the ack */
    size_t in_flight;  /* most batches unanswered at once */
    double published;  /* publications during the timed part */
    double per_commit; /* closes per write transaction */
    uint64_t messages; /* publications the listener received */
} s_latency_result_t;

/* The untimed part: every regular unit's tickets and the marker's,
   received on 1 July and due on 3 July, then a tick on 20 July that makes
   them all overdue. */
static int
s_prepare (const s_options_t *opt, const bench_daemon_t *d, int per_unit)
{
    size_t count = (size_t)opt->units * per_unit + MARKER_TICKETS + 1;
    proto_event_t *events = calloc (count, sizeof (*events));
    if (!events)
        return -1;
    size_t n = 0;
    char id[48], ticket[32], unit[16];
    int64_t due = opt->july + 2 * 86400000LL;
    for (int u = 0; u < opt->units; u++)
        for (int k = 0; k < per_unit; k++) {
            snprintf (id, sizeof (id), "r%05d-%04d", u, k);
            snprintf (ticket, sizeof (ticket), "L%05d-%04d", u, k);
            snprintf (unit, sizeof (unit), "U%05d", u);
            s_received (&events[n], id, ticket, unit,
                        opt->july + 3600000 + (int64_t)n, due, s_mix (n));
            n++;
        }
    for (int k = 0; k < MARKER_TICKETS; k++) {
        snprintf (id, sizeof (id), "mark-r%d", k);
        snprintf (ticket, sizeof (ticket), "M%d", k);
        s_received (&events[n++], id, ticket, MARKER_ID, opt->july + 3600000,
                    due, 1);
    }
    s_event (&events[n++], PROTO_TICK, "tick-20", "", "",
             opt->july + 19LL * 86400000);
    int rc = s_send_all (d, events, n, NULL, NULL);
    free (events);
    return rc;
}

/* Encodes the timed closes: close j is unit j % N's ticket j / N, so a
   batch of CLOSE_BATCH touches as many distinct units and a unit's c-th
   close is its ticket c - 1. */
static uint8_t **
s_encode_closes (const s_options_t *opt, size_t batches, size_t *sizes)
{
    uint8_t **payloads = calloc (batches, sizeof (*payloads));
    if (!payloads)
        return NULL;
    proto_event_t events[CLOSE_BATCH];
    char id[48], ticket[32], unit[16];
    for (size_t b = 0; b < batches; b++) {
        for (int i = 0; i < CLOSE_BATCH; i++) {
            size_t j = b * CLOSE_BATCH + (size_t)i;
            int u = (int)(j % (size_t)opt->units), k = (int)(j / opt->units);
            snprintf (id, sizeof (id), "c%05d-%04d", u, k);
            snprintf (ticket, sizeof (ticket), "L%05d-%04d", u, k);
            snprintf (unit, sizeof (unit), "U%05d", u);
            s_event (&events[i], PROTO_CLOSED, id, ticket, unit,
                     opt->july + 19LL * 86400000 + 3600000 + (int64_t)j);
        }
        payloads[b] =
            proto_batch_encode (b + 1, events, CLOSE_BATCH, NULL, 0, &sizes[b]);
        if (!payloads[b])
            return payloads; /* the caller sees the hole */
    }
    return payloads;
}

/* Takes the acknowledgements that are queued. Returns how many, or -1
   when one says a batch was not fully stored. */
static int
s_take_acks (zsock_t *dealer, size_t batches, int64_t *ack_ns)
{
    int taken = 0;
    while (zsock_events (dealer) & ZMQ_POLLIN) {
        zframe_t *frame = zframe_recv (dealer);
        int64_t at = bench_now_ns ();
        proto_batch_ack_t ack;
        char reason[PROTO_ERROR_MAX + 1];
        if (!frame ||
            proto_batch_ack_decode (zframe_data (frame), zframe_size (frame),
                                    &ack, reason) != 0) {
            zframe_destroy (&frame);
            return -1;
        }
        zframe_destroy (&frame);
        bool stored = ack.ok && ack.count == CLOSE_BATCH;
        for (size_t i = 0; stored && i < ack.count; i++)
            stored = ack.acks[i].status == PROTO_ACK_STORED;
        if (!stored)
            fprintf (stderr, "bench_live: batch %llu not stored: %s%s\n",
                     (unsigned long long)ack.batch_id, ack.error,
                     ack.count ? ack.acks[0].reason : "");
        uint64_t b = ack.batch_id - 1;
        if (b < batches && !ack_ns[b])
            ack_ns[b] = at;
        proto_batch_ack_free (&ack);
        if (!stored)
            return -1;
        taken++;
    }
    return taken;
}

/* The timed part: an open-loop sender, one batch per timer expiration;
   acknowledgements are stamped as they arrive. */
static int
s_offer (const s_options_t *opt, zsock_t *dealer, uint8_t **payloads,
         const size_t *sizes, size_t batches, int64_t *send_ns, int64_t *ack_ns,
         s_latency_result_t *result)
{
    int tfd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0) {
        perror ("bench_live: timerfd_create");
        return -1;
    }
    int64_t interval = (int64_t)(1e9 * CLOSE_BATCH / opt->rate);
    int64_t start = bench_now_ns () + 1000000;
    struct itimerspec its = {
        .it_interval = {interval / 1000000000, interval % 1000000000},
        .it_value = {start / 1000000000, start % 1000000000}};
    timerfd_settime (tfd, TFD_TIMER_ABSTIME, &its, NULL);
    zmq_pollitem_t items[2] = {{zsock_resolve (dealer), 0, ZMQ_POLLIN, 0},
                               {NULL, tfd, ZMQ_POLLIN, 0}};
    size_t due = 0, sent = 0, acked = 0;
    int rc = 0;
    while (acked < batches && rc == 0) {
        bool sending = sent < batches;
        int n = zmq_poll (items, sending ? 2 : 1, sending ? -1 : 60000);
        if (n < 0 && errno == EINTR && !zsys_interrupted)
            continue;
        if (n <= 0) {
            fprintf (stderr, "bench_live: %s\n",
                     n == 0 ? "acknowledgements stopped" : "interrupted");
            rc = -1;
            break;
        }
        /* Acknowledgements first, so their stamps are not late. */
        int taken = s_take_acks (dealer, batches, ack_ns);
        if (taken < 0)
            rc = -1;
        else
            acked += (size_t)taken;
        if (sending && (items[1].revents & ZMQ_POLLIN)) {
            uint64_t ticks;
            if (read (tfd, &ticks, sizeof (ticks)) == sizeof (ticks))
                due += ticks;
        }
        for (; rc == 0 && sent < due && sent < batches; sent++) {
            if (zmq_send (items[0].socket, payloads[sent], sizes[sent], 0) <
                0) {
                rc = -1;
                break;
            }
            send_ns[sent] = bench_now_ns ();
        }
        if (sent - acked > result->in_flight)
            result->in_flight = sent - acked;
    }
    close (tfd);
    if (rc == 0 && batches > 1)
        result->offered = (double)(batches - 1) * CLOSE_BATCH /
                          ((double)(send_ns[batches - 1] - send_ns[0]) / 1e9);
    return rc;
}

/* Each close's latency: the first row of its unit that reflects it. */
static void
s_match (const s_options_t *opt, const s_listener_t *listener,
         const int64_t *ack_ns, s_latency_result_t *result)
{
    int units = opt->units, per_unit = result->per_unit;
    int64_t *first = calloc ((size_t)units * per_unit, sizeof (*first));
    int *reached = calloc ((size_t)units, sizeof (*reached));
    result->lat_ms =
        calloc (result->closes ? result->closes : 1, sizeof (*result->lat_ms));
    if (!first || !reached || !result->lat_ms)
        goto cleanup;
    /* Rows are in receive order: a row showing more closes than any row
       before it is the first to reflect the closes in between. */
    for (size_t r = 0; r < listener->row_count; r++) {
        const s_row_t *row = &listener->rows[r];
        int closed = row->closed < per_unit ? row->closed : per_unit;
        for (int c = reached[row->unit]; c < closed; c++)
            first[(size_t)row->unit * per_unit + c] = row->at;
        if (closed > reached[row->unit])
            reached[row->unit] = closed;
    }
    for (size_t j = 0; j < result->closes; j++) {
        int u = (int)(j % (size_t)units), c = (int)(j / (size_t)units);
        int64_t at = first[(size_t)u * per_unit + c];
        int64_t acked = ack_ns[j / CLOSE_BATCH];
        if (!at || !acked)
            continue;
        if (at < acked)
            result->early++;
        result->lat_ms[result->matched++] = (double)(at - acked) / 1e6;
    }
    bench_sort (result->lat_ms, result->matched);
cleanup:
    free (first);
    free (reached);
}

static int
s_run_latency (const s_options_t *opt, s_latency_result_t *result)
{
    memset (result, 0, sizeof (*result));
    char listener_config[64];
    snprintf (listener_config, sizeof (listener_config),
              "    publish_hwm = %d\n", LISTENER_HWM);
    result->batches =
        (size_t)((double)opt->rate * opt->seconds / CLOSE_BATCH + 0.5);
    if (result->batches < 1)
        result->batches = 1;
    result->closes = result->batches * CLOSE_BATCH;
    int per_unit = (int)((result->closes + opt->units - 1) / opt->units);
    result->per_unit = per_unit < 5 ? 5 : per_unit; /* not excluded */
    bench_daemon_t d;
    memset (&d, 0, sizeof (d));
    s_listener_t listener = {0};
    zactor_t *actor = NULL;
    zsock_t *dealer = NULL;
    size_t *sizes = calloc (result->batches, sizeof (*sizes));
    int64_t *send_ns = calloc (result->batches, sizeof (*send_ns));
    int64_t *ack_ns = calloc (result->batches, sizeof (*ack_ns));
    uint8_t **payloads = NULL;
    int rc = -1;
    if (!sizes || !send_ns || !ack_ns)
        goto cleanup;
    if (result->per_unit > 1500) {
        fprintf (stderr, "bench_live: more than 1500 closes per unit; give "
                         "more --units\n");
        goto cleanup;
    }
    payloads = s_encode_closes (opt, result->batches, sizes);
    for (size_t b = 0; payloads && b < result->batches; b++)
        if (!payloads[b])
            goto cleanup;
    if (!payloads ||
        bench_daemon_start (&d, opt->daemon, NULL, NULL, listener_config) !=
            0 ||
        s_import_units (&d, opt->units, true) != 0 ||
        s_prepare (opt, &d, result->per_unit) != 0)
        goto cleanup;
    listener.endpoint = d.publish;
    listener.units = opt->units;
    listener.per_unit = result->per_unit;
    actor = zactor_new (s_listener_actor, &listener);
    dealer = zsock_new (ZMQ_DEALER);
    if (!actor || listener.failed || !dealer ||
        zsock_connect (dealer, "%s", d.ingest) != 0) {
        fprintf (stderr, "bench_live: cannot listen or send\n");
        goto cleanup;
    }
    zsock_set_linger (dealer, 0);
    /* The preparation's publications are all received before timing. */
    if (s_marker_sync (opt, actor, dealer, 1) != 0)
        goto cleanup;
    double published0 = bench_daemon_stat (&d, "published");
    double batches0 = bench_daemon_stat (&d, "batches_committed");
    if (s_offer (opt, dealer, payloads, sizes, result->batches, send_ns, ack_ns,
                 result) != 0)
        goto cleanup;
    /* Every row the timed closes caused is received before matching. */
    if (s_marker_sync (opt, actor, dealer, 2) != 0)
        goto cleanup;
    result->published = bench_daemon_stat (&d, "published") - published0;
    double batches = bench_daemon_stat (&d, "batches_committed") - batches0 - 1;
    result->per_commit = batches > 0 ? result->closes / batches : 0;
    zactor_destroy (&actor); /* the listener's figures are final */
    if (listener.failed) {
        fprintf (stderr, "bench_live: the listener failed\n");
        goto cleanup;
    }
    result->messages = listener.messages;
    result->ack_ms = calloc (result->batches, sizeof (*result->ack_ms));
    if (!result->ack_ms)
        goto cleanup;
    for (size_t b = 0; b < result->batches; b++)
        result->ack_ms[b] = (double)(ack_ns[b] - send_ns[b]) / 1e6;
    bench_sort (result->ack_ms, result->batches);
    s_match (opt, &listener, ack_ns, result);
    rc = result->lat_ms ? 0 : -1;
cleanup:
    zactor_destroy (&actor);
    zsock_destroy (&dealer);
    bench_daemon_stop (&d);
    for (size_t b = 0; payloads && b < result->batches; b++)
        free (payloads[b]);
    free (payloads);
    free (sizes);
    free (send_ns);
    free (ack_ns);
    free (listener.rows);
    return rc;
}

//  ---------------------------------------------------------------------

/* The table of measurement 1: medians over the rounds. */
static void
s_print_ingest (const s_options_t *opt, const s_ingest_result_t *a,
                const s_ingest_result_t *b)
{
    size_t n = (size_t)opt->rounds;
    double *v = calloc (n * 8, sizeof (double));
    if (!v)
        return;
    double resent = 0;
    double *rate_a = v, *rate_b = v + n, *pub_a = v + 2 * n, *pub_b = v + 3 * n,
           *commit_a = v + 4 * n, *commit_b = v + 5 * n, *got_b = v + 6 * n;
    for (size_t r = 0; r < n; r++) {
        rate_a[r] = a[r].rate;
        rate_b[r] = b[r].rate;
        pub_a[r] = a[r].published;
        pub_b[r] = b[r].published;
        commit_a[r] = a[r].per_commit;
        commit_b[r] = b[r].per_commit;
        got_b[r] = b[r].delivered;
        resent += a[r].resent + b[r].resent;
    }
    int events = opt->events / 2 * 2;
    double ma = bench_median (rate_a, n), mb = bench_median (rate_b, n);
    printf ("1. ingest with and without a stalled subscriber: %d units, %d "
            "events\n   (%d tickets received then closed, July 2025), "
            "client_sender batches of 500,\n   window 8, %d round%s "
            "of A and B in turn (events/s, first send to last ack)\n",
            opt->units, events, events / 2, opt->rounds,
            opt->rounds > 1 ? "s" : "");
    printf ("%-34s %9s %9s %9s %10s %10s\n", "run", "median", "min", "max",
            "ev/commit", "published");
    printf ("%-34s %9.0f %9.0f %9.0f %10.1f %10.0f\n",
            "A  no subscriber (baseline)", ma, rate_a[0], rate_a[n - 1],
            bench_median (commit_a, n), bench_median (pub_a, n));
    char label[64];
    snprintf (label, sizeof (label), "B  SUB never read, RCVHWM %d", opt->hwm);
    printf ("%-34s %9.0f %9.0f %9.0f %10.1f %10.0f\n", label, mb, rate_b[0],
            rate_b[n - 1], bench_median (commit_b, n), bench_median (pub_b, n));
    printf ("ratio B/A of the medians: %.3f (promise >= 0.90: %s)\n", mb / ma,
            opt->quick        ? "not judged, --quick runs are too short"
            : mb / ma >= 0.90 ? "kept"
                              : "NOT KEPT");
    double got = bench_median (got_b, n), sent = bench_median (pub_b, n);
    if (got < sent)
        printf ("B's subscriber was handed %.0f of the %.0f messages "
                "published (medians);\nthe other %.0f were dropped at the "
                "high-water marks\n\n",
                got, sent, sent - got);
    else
        printf ("B's subscriber was handed all %.0f messages published "
                "(median): too few\nto fill the high-water marks; use more "
                "events or units\n\n",
                sent);
    if (resent > 0)
        printf ("client_sender resent %.0f batches in all (acknowledgements "
                "slower than its first wait)\n\n",
                resent);
    free (v);
}

static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: hotline-bench live [--units N] [--events M] [--rounds R]\n"
             "                  [--rate E] [--seconds S] [--hwm H]\n"
             "                  [--only ingest|latency] [--daemon PATH] "
             "[--quick]\n"
             "\n"
             "Runs hotlined (fresh temporary directory, ipc endpoints, "
             "event clock)\nand measures:\n"
             "  ingest   events/s for M events over N units without a "
             "subscriber (A)\n"
             "           and with a subscriber that never reads (B, "
             "receive HWM H),\n"
             "           R rounds of both in turn; the promise is "
             "B/A >= 0.90;\n"
             "  latency  acknowledgement -> score update for closes "
             "offered at E\n"
             "           events/s for S seconds, in batches of %d.\n"
             "--only runs one of them; --daemon runs that hotlined instead "
             "of\n%s.\n"
             "\n"
             "Defaults: 1000 units, 100000 events, 3 rounds, 10000 "
             "events/s, 5 s,\nHWM 100. --quick: 200 units, 5000 events, 1 "
             "round, 2000 events/s, 1 s.\n",
             CLOSE_BATCH, HOTLINED_BIN);
}

/* The latency table (measurement 2). Returns 0 when every close was
   matched to its row. */
static int
s_print_latency (const s_options_t *opt, const s_latency_result_t *lat)
{
    printf ("2. acknowledgement -> %s<unit>: %d closes/s offered "
            "for %.1f s\n   (%zu closes of distinct tickets over %d units, %d "
            "every %.2f ms, open loop;\n   the listener takes %s* and "
            "$hb; daemon publish_hwm %d):\n   achieved %.0f closes/s, %.1f "
            "closes per commit, at most %zu batches unanswered\n",
            SCORE_PREFIX, opt->rate, opt->seconds, lat->closes, opt->units,
            CLOSE_BATCH, 1e3 * CLOSE_BATCH / opt->rate, SCORE_PREFIX,
            LISTENER_HWM, lat->offered, lat->per_commit, lat->in_flight);
    printf ("%-34s %9s %9s %9s %10s\n", "ms", "p50", "p99", "p99.9", "count");
    printf ("%-34s %9.3f %9.3f %9.3f %10zu\n", "send -> ack (baseline)",
            bench_percentile (lat->ack_ms, lat->batches, 0.5),
            bench_percentile (lat->ack_ms, lat->batches, 0.99),
            bench_percentile (lat->ack_ms, lat->batches, 0.999), lat->batches);
    printf ("%-34s %9.3f %9.3f %9.3f %10zu\n", "ack -> score update",
            bench_percentile (lat->lat_ms, lat->matched, 0.5),
            bench_percentile (lat->lat_ms, lat->matched, 0.99),
            bench_percentile (lat->lat_ms, lat->matched, 0.999), lat->matched);
    printf ("matched %zu of %zu closes (%zu rows came before their ack); "
            "%.0f messages\npublished in all, %llu of them %s rows received "
            "by the listener\n",
            lat->matched, lat->closes, lat->early, lat->published,
            (unsigned long long)lat->messages, SCORE_PREFIX);
    return lat->matched == lat->closes ? 0 : 1;
}

int
bench_live_main (int argc, char *argv[])
{
    s_options_t opt = {HOTLINED_BIN, true, true, 1000,  100000, 3,
                       10000,        5.0,  100,  false, 0};
    static struct option options[] = {{"units", required_argument, 0, 'u'},
                                      {"events", required_argument, 0, 'e'},
                                      {"rounds", required_argument, 0, 'r'},
                                      {"rate", required_argument, 0, 'a'},
                                      {"seconds", required_argument, 0, 's'},
                                      {"hwm", required_argument, 0, 'w'},
                                      {"only", required_argument, 0, 'o'},
                                      {"daemon", required_argument, 0, 'd'},
                                      {"quick", no_argument, 0, 'q'},
                                      {"help", no_argument, 0, 'h'},
                                      {0, 0, 0, 0}};
    int o;
    bool bad = false;
    optind = 1; /* a combined program may have parsed options before */
    while ((o = getopt_long (argc, argv, "h", options, NULL)) != -1) {
        switch (o) {
        case 'u':
            opt.units = atoi (optarg);
            break;
        case 'e':
            opt.events = atoi (optarg);
            break;
        case 'r':
            opt.rounds = atoi (optarg);
            break;
        case 'a':
            opt.rate = atoi (optarg);
            break;
        case 's':
            opt.seconds = atof (optarg);
            break;
        case 'w':
            opt.hwm = atoi (optarg);
            break;
        case 'o':
            opt.ingest = streq (optarg, "ingest");
            opt.latency = streq (optarg, "latency");
            bad = bad || (!opt.ingest && !opt.latency);
            break;
        case 'd':
            opt.daemon = optarg;
            break;
        case 'q':
            opt.units = 200;
            opt.events = 5000;
            opt.rounds = 1;
            opt.rate = 2000;
            opt.seconds = 1;
            opt.quick = true;
            break;
        case 'h':
            s_usage (stdout);
            return 0;
        default:
            s_usage (stderr);
            return 2;
        }
    }
    if (bad || optind < argc || opt.units < 1 || opt.units > 99999 ||
        opt.events < 2 || opt.rounds < 1 || opt.rate < CLOSE_BATCH ||
        opt.rate > 1000000 || opt.seconds <= 0 || opt.hwm < 1) {
        fprintf (stderr,
                 "bench_live: need 1 <= units <= 99999, events >= 2, "
                 "rounds >= 1,\n%d <= rate <= 1000000, seconds > 0, "
                 "hwm >= 1, --only ingest or latency\n",
                 CLOSE_BATCH);
        return 2;
    }
    proto_time_parse ("2025-07-01T00:00:00+08:00", &opt.july);
    zsys_init ();
    proto_event_t *events = opt.ingest ? s_ingest_events (&opt) : NULL;
    s_ingest_result_t *res_a = calloc ((size_t)opt.rounds, sizeof (*res_a));
    s_ingest_result_t *res_b = calloc ((size_t)opt.rounds, sizeof (*res_b));
    s_latency_result_t lat = {0};
    int rc = 1;
    if ((opt.ingest && !events) || !res_a || !res_b)
        goto cleanup;
    printf ("bench_live: hotlined %s, ipc endpoints, event clock, fresh data "
            "directory per run; %ld CPUs online\n\n",
            opt.daemon, sysconf (_SC_NPROCESSORS_ONLN));
    /* A B, B A, A B...: neither run always goes first (a run leaves
       dirty pages and a warm cache to the next). */
    for (int r = 0; opt.ingest && r < opt.rounds; r++) {
        bool b_first = r % 2 == 1;
        if (s_run_ingest (&opt, events, b_first,
                          b_first ? &res_b[r] : &res_a[r]) != 0 ||
            s_run_ingest (&opt, events, !b_first,
                          b_first ? &res_a[r] : &res_b[r]) != 0)
            goto cleanup;
        fprintf (stderr, "round %d: A %.0f events/s, B %.0f events/s\n", r + 1,
                 res_a[r].rate, res_b[r].rate);
    }
    if (opt.ingest)
        s_print_ingest (&opt, res_a, res_b);
    if (!opt.latency) {
        rc = 0;
        goto cleanup;
    }

    if (s_run_latency (&opt, &lat) != 0)
        goto cleanup;
    rc = s_print_latency (&opt, &lat);
cleanup:
    if (rc != 0 && !zsys_interrupted)
        fprintf (stderr, "bench_live: failed\n");
    free (events);
    free (res_a);
    free (res_b);
    free (lat.ack_ms);
    free (lat.lat_ms);
    return rc;
}
