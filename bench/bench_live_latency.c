/*  bench_live_latency: measurement 2 of hotline-bench live (bench_live.c
    describes it): the untimed preparation, the marker closes that
    synchronise with the listener (bench_live_listener.c), the open-loop
    sender of the timed closes, the matching of each close to the first
    row that reflects it, and the table. */
#include "bench_internal.h"

#include <czmq.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define LISTENER_HWM 10000000 /* publish_hwm of the latency run */

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
s_marker_sync (const bench__live_options_t *opt, zactor_t *listener,
               zsock_t *dealer, int n)
{
    proto_event_t ev;
    char id[32], ticket[32];
    snprintf (id, sizeof (id), "mark-c%d", n);
    snprintf (ticket, sizeof (ticket), "M%d", n - 1);
    bench__live_event (&ev, PROTO_CLOSED, id, ticket, BENCH_LIVE_MARKER_ID,
                       opt->july + 19LL * 86400000 + 1000 +
                           (n - 1) * 2 * 86400000LL);
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
    rc = answer && streq (answer, "MARKED") ? 0 : -1;
    zstr_free (&answer);
    if (rc != 0) {
        /* What the listener saw tells a lost row from a silent daemon
           (a "MARKED" come late is passed over). */
        zstr_send (listener, "STATE");
        while ((answer = zpoller_wait (poller, 5000) == listener
                             ? zstr_recv (listener)
                             : NULL) &&
               strncmp (answer, "STATE ", 6) != 0)
            zstr_free (&answer);
        fprintf (stderr,
                 "bench_live: marker close %d was stored, but the row showing "
                 "it and a heartbeat after it did not come in 60 s (%s)\n",
                 n, answer ? answer + 6 : "the listener does not answer");
        zstr_free (&answer);
    }
    zpoller_destroy (&poller);
    return rc;
}
/* The untimed part: every regular unit's tickets and the marker's,
   received on 1 July and due on 3 July, then a tick on 20 July that makes
   them all overdue. */
static int
s_prepare (const bench__live_options_t *opt, const bench_daemon_t *d,
           int per_unit)
{
    size_t count =
        (size_t)opt->units * per_unit + BENCH_LIVE_MARKER_TICKETS + 1;
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
            bench__live_received (&events[n], id, ticket, unit,
                                  opt->july + 3600000 + (int64_t)n, due,
                                  bench__live_mix (n));
            n++;
        }
    for (int k = 0; k < BENCH_LIVE_MARKER_TICKETS; k++) {
        snprintf (id, sizeof (id), "mark-r%d", k);
        snprintf (ticket, sizeof (ticket), "M%d", k);
        bench__live_received (&events[n++], id, ticket, BENCH_LIVE_MARKER_ID,
                              opt->july + 3600000, due, 1);
    }
    bench__live_event (&events[n++], PROTO_TICK, "tick-20", "", "",
                       opt->july + 19LL * 86400000);
    int rc = bench__live_send_all (d, events, n, NULL, NULL);
    free (events);
    return rc;
}

/* Encodes the timed closes: close j is unit j % N's ticket j / N, so a
   batch of BENCH_LIVE_CLOSE_BATCH touches as many distinct units and a unit's
   c-th close is its ticket c - 1. */
static uint8_t **
s_encode_closes (const bench__live_options_t *opt, size_t batches,
                 size_t *sizes)
{
    uint8_t **payloads = calloc (batches, sizeof (*payloads));
    if (!payloads)
        return NULL;
    proto_event_t events[BENCH_LIVE_CLOSE_BATCH];
    char id[48], ticket[32], unit[16];
    for (size_t b = 0; b < batches; b++) {
        for (int i = 0; i < BENCH_LIVE_CLOSE_BATCH; i++) {
            size_t j = b * BENCH_LIVE_CLOSE_BATCH + (size_t)i;
            int u = (int)(j % (size_t)opt->units), k = (int)(j / opt->units);
            snprintf (id, sizeof (id), "c%05d-%04d", u, k);
            snprintf (ticket, sizeof (ticket), "L%05d-%04d", u, k);
            snprintf (unit, sizeof (unit), "U%05d", u);
            bench__live_event (&events[i], PROTO_CLOSED, id, ticket, unit,
                               opt->july + 19LL * 86400000 + 3600000 +
                                   (int64_t)j);
        }
        payloads[b] = proto_batch_encode (b + 1, events, BENCH_LIVE_CLOSE_BATCH,
                                          NULL, 0, &sizes[b]);
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
        bool stored = ack.ok && ack.count == BENCH_LIVE_CLOSE_BATCH;
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
s_offer (const bench__live_options_t *opt, zsock_t *dealer, uint8_t **payloads,
         const size_t *sizes, size_t batches, int64_t *send_ns, int64_t *ack_ns,
         bench__live_latency_result_t *result)
{
    int tfd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0) {
        perror ("bench_live: timerfd_create");
        return -1;
    }
    int64_t interval = (int64_t)(1e9 * BENCH_LIVE_CLOSE_BATCH / opt->rate);
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
        result->offered = (double)(batches - 1) * BENCH_LIVE_CLOSE_BATCH /
                          ((double)(send_ns[batches - 1] - send_ns[0]) / 1e9);
    return rc;
}

/* The scorer's phases, from the daemon's histograms: applying a group,
   the part of that spent settling the drill-down (an older hotlined has
   no such histogram), the commit. */
static const char *s_phases[3] = {"apply_seconds", "settle_seconds",
                                  "commit_seconds"};

/* Their observations and sums so far (NAN for the settle when there is
   none), and when they were read (s). Returns 0, or -1 without the apply
   and commit histograms (an older hotlined still). */
static int
s_phases_read (const bench_daemon_t *d, double count[3], double sum[3],
               double *at)
{
    *at = (double)zclock_usecs () / 1e6;
    for (int i = 0; i < 3; i++)
        if (bench_daemon_histogram_total (d, s_phases[i], &count[i], &sum[i]) !=
            0) {
            if (i != 1)
                return -1;
            count[i] = sum[i] = NAN;
        }
    return 0;
}

/* Per group, in ms, and the scorer's share of the time between two
   readings; NAN when either reading failed. */
static void
s_phases_result (int read, const double count0[3], const double sum0[3],
                 double at0, const double count1[3], const double sum1[3],
                 double at1, bench__live_latency_result_t *result)
{
    result->apply_ms = result->settle_ms = result->commit_ms = NAN;
    result->busy = NAN;
    double groups = read == 0 ? count1[0] - count0[0] : 0;
    if (groups <= 0 || at1 <= at0)
        return;
    result->apply_ms = (sum1[0] - sum0[0]) / groups * 1e3;
    result->settle_ms = (sum1[1] - sum0[1]) / groups * 1e3; /* or NAN */
    result->commit_ms = (sum1[2] - sum0[2]) / groups * 1e3;
    result->busy = (sum1[0] - sum0[0] + sum1[2] - sum0[2]) / (at1 - at0);
}

/* Each close's latency: the first row of its unit that reflects it. */
static void
s_match (const bench__live_options_t *opt,
         const bench__live_listener_t *listener, const int64_t *ack_ns,
         bench__live_latency_result_t *result)
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
        const bench__live_row_t *row = &listener->rows[r];
        int closed = row->closed < per_unit ? row->closed : per_unit;
        for (int c = reached[row->unit]; c < closed; c++)
            first[(size_t)row->unit * per_unit + c] = row->at;
        if (closed > reached[row->unit])
            reached[row->unit] = closed;
    }
    for (size_t j = 0; j < result->closes; j++) {
        int u = (int)(j % (size_t)units), c = (int)(j / (size_t)units);
        int64_t at = first[(size_t)u * per_unit + c];
        int64_t acked = ack_ns[j / BENCH_LIVE_CLOSE_BATCH];
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

int
bench__live_run_latency (const bench__live_options_t *opt,
                         bench__live_latency_result_t *result)
{
    memset (result, 0, sizeof (*result));
    char listener_config[128];
    snprintf (listener_config, sizeof (listener_config),
              "    publish_hwm = %d\n%s", LISTENER_HWM,
              opt->unsynced ? "    unsafe_no_sync = yes\n" : "");
    result->batches =
        (size_t)((double)opt->rate * opt->seconds / BENCH_LIVE_CLOSE_BATCH +
                 0.5);
    if (result->batches < 1)
        result->batches = 1;
    result->closes = result->batches * BENCH_LIVE_CLOSE_BATCH;
    int per_unit = (int)((result->closes + opt->units - 1) / opt->units);
    result->per_unit = per_unit < 5 ? 5 : per_unit; /* not excluded */
    bench_daemon_t d;
    memset (&d, 0, sizeof (d));
    bench__live_listener_t listener = {0};
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
        bench__live_import_units (&d, opt->units, true) != 0 ||
        s_prepare (opt, &d, result->per_unit) != 0)
        goto cleanup;
    listener.endpoint = d.publish;
    listener.units = opt->units;
    listener.per_unit = result->per_unit;
    actor = zactor_new (bench__live_listener_actor, &listener);
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
    double count0[3] = {0}, sum0[3] = {0}, at0 = 0;
    double count1[3] = {0}, sum1[3] = {0}, at1 = 0;
    int phases = s_phases_read (&d, count0, sum0, &at0);
    if (s_offer (opt, dealer, payloads, sizes, result->batches, send_ns, ack_ns,
                 result) != 0)
        goto cleanup;
    /* Every row the timed closes caused is received before matching. */
    if (s_marker_sync (opt, actor, dealer, 2) != 0)
        goto cleanup;
    if (phases == 0)
        phases = s_phases_read (&d, count1, sum1, &at1);
    s_phases_result (phases, count0, sum0, at0, count1, sum1, at1, result);
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

/* The latency table (measurement 2). Returns 0 when every close was
   matched to its row. */
int
bench__live_print_latency (const bench__live_options_t *opt,
                           const bench__live_latency_result_t *lat)
{
    if (opt->unsynced)
        printf ("3. the same with the commits not synced (unsafe_no_sync = "
                "yes): what the syncs cost,\n   and what is left without "
                "them:\n   ");
    else
        printf ("2. acknowledgement -> %s<unit>: ", BENCH_LIVE_SCORE_PREFIX);
    printf ("%d closes/s offered for %.1f s\n   (%zu closes of distinct "
            "tickets over %d units, %d "
            "every %.2f ms, open loop;\n   the listener takes %s* and "
            "$hb; daemon publish_hwm %d):\n   achieved %.0f closes/s, %.1f "
            "closes per commit, at most %zu batches unanswered\n",
            opt->rate, opt->seconds, lat->closes, opt->units,
            BENCH_LIVE_CLOSE_BATCH, 1e3 * BENCH_LIVE_CLOSE_BATCH / opt->rate,
            BENCH_LIVE_SCORE_PREFIX, LISTENER_HWM, lat->offered,
            lat->per_commit, lat->in_flight);
    printf ("%-34s %9s %9s %9s %10s\n", "ms", "p50", "p99", "p99.9", "count");
    printf ("%-34s %9.3f %9.3f %9.3f %10zu\n", "send -> ack (baseline)",
            bench_percentile (lat->ack_ms, lat->batches, 0.5),
            bench_percentile (lat->ack_ms, lat->batches, 0.99),
            bench_percentile (lat->ack_ms, lat->batches, 0.999), lat->batches);
    printf ("%-34s %9.3f %9.3f %9.3f %10zu\n", "ack -> score update",
            bench_percentile (lat->lat_ms, lat->matched, 0.5),
            bench_percentile (lat->lat_ms, lat->matched, 0.99),
            bench_percentile (lat->lat_ms, lat->matched, 0.999), lat->matched);
    if (isnan (lat->busy))
        printf ("inside hotlined: no apply and commit histograms (an older "
                "hotlined)\n");
    else
        printf ("inside hotlined in the timed part, per group: apply %.2f ms "
                "(of which settling explain's drill-down %.2f) / commit "
                "%.2f ms;\nthe scorer was applying or committing at least "
                "%.0f%% of the time\n",
                lat->apply_ms, lat->settle_ms, lat->commit_ms, lat->busy * 100);
    printf ("matched %zu of %zu closes (%zu rows came before their ack); "
            "%.0f messages\npublished in all, %llu of them %s rows received "
            "by the listener\n",
            lat->matched, lat->closes, lat->early, lat->published,
            (unsigned long long)lat->messages, BENCH_LIVE_SCORE_PREFIX);
    return lat->matched == lat->closes ? 0 : 1;
}
