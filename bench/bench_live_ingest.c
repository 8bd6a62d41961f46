/*  bench_live_ingest: measurement 1 of hotline-bench live (bench_live.c
    describes it): the ingest stream, one run with or without a stalled
    subscriber on a fresh daemon, and the table of the rounds. */
#include "bench_internal.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The ingest stream: ticket t is received at july + t x (25 days / T),
   due three days later, and closed on time about half a day later, when
   ticket t + T/50 is received; so about T/50 tickets are open at any
   point of the stream, the clock only moves forward and nothing goes
   overdue. Returns `events` events (even), or NULL. */
proto_event_t *
bench__live_ingest_events (const bench__live_options_t *opt)
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
            uint32_t mix = bench__live_mix ((uint32_t)t);
            snprintf (id, sizeof (id), "r%07d", t);
            snprintf (ticket, sizeof (ticket), "T%07d", t);
            snprintf (unit, sizeof (unit), "U%05d", (int)(mix % opt->units));
            bench__live_received (&events[n++], id, ticket, unit, at,
                                  at + 3 * 86400000LL, mix >> 8);
        }
        int c = t - lag;
        if (c >= 0) {
            snprintf (id, sizeof (id), "c%07d", c);
            snprintf (ticket, sizeof (ticket), "T%07d", c);
            snprintf (unit, sizeof (unit), "U%05d",
                      (int)(bench__live_mix ((uint32_t)c) % opt->units));
            bench__live_event (&events[n++], PROTO_CLOSED, id, ticket, unit,
                               at + 60000);
        }
    }
    return events;
}

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

int
bench__live_run_ingest (const bench__live_options_t *opt,
                        const proto_event_t *events, bool stalled,
                        bench__live_ingest_result_t *result)
{
    bench_daemon_t d;
    zsock_t *sub = NULL;
    int rc = -1;
    uint64_t first = 0;
    memset (result, 0, sizeof (*result));
    if (bench_daemon_start (&d, opt->daemon, NULL, NULL, NULL) != 0 ||
        bench__live_import_units (&d, opt->units, false))
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
    if (bench__live_send_all (&d, events, count, &elapsed, &resent) != 0)
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

/* The table of measurement 1: medians over the rounds. */
void
bench__live_print_ingest (const bench__live_options_t *opt,
                          const bench__live_ingest_result_t *a,
                          const bench__live_ingest_result_t *b)
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
