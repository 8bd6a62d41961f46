/*  bench_live_listener: the subscriber of measurement 2 of hotline-bench
    live, an actor that timestamps every score row of jintai-2025 as it
    takes it, and tells its owner when the marker unit's row shows the
    closes it waits for and a heartbeat has followed it. */
#include "bench_internal.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
s_listen_one (bench__live_listener_t *self, zmsg_t *msg, int *marker,
              bool *heartbeat)
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
    size_t prefix = strlen (BENCH_LIVE_SCORE_PREFIX);
    if (strncmp (topic, BENCH_LIVE_SCORE_PREFIX, prefix) == 0) {
        const char *unit = topic + prefix;
        if (streq (unit, BENCH_LIVE_MARKER_ID))
            *marker = s_closed_of (json, BENCH_LIVE_MARKER_TICKETS);
        else if (unit[0] == 'U') {
            int index = atoi (unit + 1);
            int closed = s_closed_of (json, self->per_unit);
            if (closed > 0 && index >= 0 && index < self->units) {
                if (self->row_count == self->row_capacity) {
                    size_t capacity =
                        self->row_capacity ? self->row_capacity * 2 : 65536;
                    bench__live_row_t *grown =
                        realloc (self->rows, capacity * sizeof (*grown));
                    if (!grown)
                        self->failed = true;
                    else {
                        self->rows = grown;
                        self->row_capacity = capacity;
                    }
                }
                if (self->row_count < self->row_capacity)
                    self->rows[self->row_count++] = (bench__live_row_t){
                        at, (int32_t)index, (int32_t)closed};
            }
        }
    }
    free (topic);
    free (json);
}

/* The listener actor. Signals ready once the subscription is live (a
   first message arrived). Commands: "MARK" n, answered "MARKED" once the
   marker unit's row shows n closes and a heartbeat followed it; "STATE",
   answered "STATE " and a line saying what it last saw (for a
   failure's message); $TERM. */
void
bench__live_listener_actor (zsock_t *pipe, void *args)
{
    bench__live_listener_t *self = args;
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
    zsock_set_subscribe (sub, BENCH_LIVE_SCORE_PREFIX);
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
    int shown = -1;    /* closes the marker row showed last, -1: none */
    uint64_t heartbeats = 0;
    int64_t last_ns = 0, last_row_ns = 0; /* when the last message and
                                             the last marker row came */
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
            } else if (name && streq (name, "STATE")) {
                int64_t now = bench_now_ns ();
                zstr_sendf (pipe,
                            "STATE the marker row showed %d closes (%.1f s "
                            "ago), %llu heartbeats, %llu non-heartbeat "
                            "messages, the last message %.1f s ago",
                            shown, last_row_ns ? (now - last_row_ns) / 1e9 : 0,
                            (unsigned long long)heartbeats,
                            (unsigned long long)self->messages,
                            last_ns ? (now - last_ns) / 1e9 : 0);
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
                last_ns = bench_now_ns ();
                heartbeats += heartbeat;
                if (marker >= 0) {
                    shown = marker;
                    last_row_ns = last_ns;
                }
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
