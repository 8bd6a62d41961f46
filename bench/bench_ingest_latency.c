/*  bench_ingest_latency: the acknowledgement latency of hotline-bench
    ingest: on a fresh daemon, messages of LATENCY_BATCH events offered
    open-loop at a fixed rate; an event's latency is its message's send ->
    acknowledgement. */
#include "bench_internal.h"
#include "bench_gen.h"
#include "store.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define LATENCY_BATCH 10

/* Offers messages of LATENCY_BATCH events every interval for `seconds`;
   fills latencies (ms, one per event). Returns the count, or -1. */
static long
s_offer (const char *endpoint, const bench__ingest_options_t *opt, int rate,
         const char *prefix, double **latencies)
{
    size_t messages = (size_t)(opt->seconds * rate / LATENCY_BATCH);
    if (messages < 1)
        messages = 1;
    bench_gen_options_t g = {.units = opt->units,
                             .tickets = messages * LATENCY_BATCH / 4 + 16,
                             .start = BENCH_JULY_2025,
                             .span_ms = 30LL * 24 * 3600 * 1000,
                             .seed = 3,
                             .prefix = prefix};
    size_t count;
    proto_event_t *events = bench_gen_all (&g, &count);
    if (!events)
        return -1;
    if (messages * LATENCY_BATCH > count)
        messages = count / LATENCY_BATCH;
    uint8_t **payloads = calloc (messages, sizeof (*payloads));
    size_t *sizes = calloc (messages, sizeof (*sizes));
    int64_t *sent_at = calloc (messages, sizeof (*sent_at));
    *latencies = calloc (messages * LATENCY_BATCH, sizeof (double));
    zsock_t *dealer = bench__ingest_dealer (endpoint);
    long result = -1;
    if (!payloads || !sizes || !sent_at || !*latencies || !dealer)
        goto done;
    for (size_t m = 0; m < messages; m++)
        payloads[m] = proto_batch_encode (m, events + m * LATENCY_BATCH,
                                          LATENCY_BATCH, NULL, 0, &sizes[m]);
    int64_t interval = 1000000000LL * LATENCY_BATCH / rate;
    int64_t t0 = bench_now_ns ();
    size_t sent = 0, answered = 0;
    zpoller_t *poller = zpoller_new (dealer, NULL);
    while (answered < messages) {
        int64_t now = bench_now_ns ();
        while (sent < messages && t0 + (int64_t)sent * interval <= now) {
            zmsg_t *msg = zmsg_new ();
            zmsg_addmem (msg, NULL, 0);
            zmsg_addmem (msg, payloads[sent], sizes[sent]);
            sent_at[sent] = bench_now_ns ();
            if (zmsg_send (&msg, dealer) != 0)
                zmsg_destroy (&msg);
            sent++;
        }
        int64_t next = sent < messages ? t0 + (int64_t)sent * interval
                                       : now + 1000000000LL;
        int wait_ms = (int)((next - bench_now_ns ()) / 1000000);
        if (wait_ms < 0)
            wait_ms = 0;
        if (zpoller_wait (poller, wait_ms) != dealer) {
            if (sent == messages && bench_now_ns () - now > 30000000000LL)
                break;
            continue;
        }
        while (zsock_events (dealer) & ZMQ_POLLIN) {
            zmsg_t *msg = zmsg_recv (dealer);
            int64_t at = bench_now_ns ();
            zframe_t *frame = msg ? zmsg_last (msg) : NULL;
            proto_batch_ack_t ack;
            char reason[PROTO_ERROR_MAX + 1];
            if (frame && proto_batch_ack_decode (zframe_data (frame),
                                                 zframe_size (frame), &ack,
                                                 reason) == 0) {
                if (ack.batch_id < messages && ack.ok)
                    for (int e = 0; e < LATENCY_BATCH; e++)
                        (*latencies)[ack.batch_id * LATENCY_BATCH + e] =
                            (double)(at - sent_at[ack.batch_id]) / 1e6;
                proto_batch_ack_free (&ack);
            }
            zmsg_destroy (&msg);
            answered++;
        }
    }
    zpoller_destroy (&poller);
    result = answered == messages ? (long)(messages * LATENCY_BATCH) : -1;
    if (result < 0)
        fprintf (stderr, "bench latency: %zu of %zu messages answered\n",
                 answered, messages);
done:
    for (size_t m = 0; payloads && m < messages; m++)
        free (payloads[m]);
    free (payloads);
    free (sizes);
    free (sent_at);
    free (events);
    zsock_destroy (&dealer);
    return result;
}

/* Times `rounds` fsync'd commits of `records` random records each into
   a fresh store on the disk the daemons use; p50 and p99 in ms. */
static int
s_bare_commits (size_t records, int rounds, double *p50_p99)
{
    char dir[] = "/tmp/hotline-bench-bare-XXXXXX", err[256];
    if (!mkdtemp (dir))
        return -1;
    store_t *store = store_new (dir, (size_t)1 << 30, err);
    double *ms = calloc ((size_t)rounds, sizeof (double));
    int rc = store && ms ? 0 : -1;
    uint64_t seed = 7;
    uint8_t value[100] = {0};
    for (int r = 0; r < rounds && rc == 0; r++) {
        int64_t t0 = bench_now_ns ();
        store_txn_t *txn = store_begin (store, true);
        for (size_t i = 0; i < records && txn; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            uint8_t key[8];
            store_put_be64 (key, seed);
            if (store_put (txn, STORE_DEDUP, key, 8, value, sizeof (value)) !=
                STORE_OK)
                store_abort (&txn);
        }
        if (!txn || store_commit (&txn) != STORE_OK)
            rc = -1;
        ms[r] = (double)(bench_now_ns () - t0) / 1e6;
    }
    if (rc == 0) {
        bench_median (ms, (size_t)rounds);
        p50_p99[0] = bench_percentile (ms, (size_t)rounds, 0.50);
        p50_p99[1] = bench_percentile (ms, (size_t)rounds, 0.99);
    }
    free (ms);
    store_destroy (&store);
    store_remove_dir (dir);
    return rc;
}

int
bench__ingest_latency (const bench__ingest_options_t *opt,
                       bench__ingest_run_t *run)
{
    int rounds = opt->quick ? 20 : 200;
    if (s_bare_commits (1, rounds, run->bare_one) != 0 ||
        s_bare_commits (BENCH_BARE_RECORDS, rounds, run->bare_many) != 0) {
        fprintf (stderr, "bench latency: the bare commits failed\n");
        return -1;
    }
    static const int rates[BENCH_LATENCY_RUNS] = {1000, 10000, 10000};
    for (int i = 0; i < BENCH_LATENCY_RUNS; i++) {
        bench_daemon_t d;
        /* The last run: the same daemon with its commits not synced. */
        bool unsynced = i == BENCH_LATENCY_RUNS - 1;
        if (bench_daemon_start (&d, NULL, NULL, NULL,
                                unsynced ? "    unsafe_no_sync = yes\n"
                                         : NULL) != 0 ||
            bench_daemon_import (&d, run->units, (size_t)opt->units) != 0) {
            bench_daemon_stop (&d);
            return -1;
        }
        double *values = NULL;
        char prefix[16];
        snprintf (prefix, sizeof (prefix), "l%d", i);
        long n = s_offer (d.ingest, opt, rates[i], prefix, &values);
        bench__ingest_latency_t *lat = &run->latency[i];
        double commits = bench_daemon_stat (&d, "batches_committed");
        lat->per_commit = commits > 0 ? (double)n / commits : 0;
        if (n > 0 &&
            (bench_daemon_histogram (&d, "ack_latency_seconds",
                                     &lat->daemon_mean,
                                     &lat->daemon_p99) != 0 ||
             bench_daemon_histogram (&d, "apply_seconds", &lat->apply_mean,
                                     &lat->apply_p99) != 0 ||
             bench_daemon_histogram (&d, "settle_seconds", &lat->settle_mean,
                                     &lat->settle_p99) != 0 ||
             bench_daemon_histogram (&d, "commit_seconds", &lat->commit_mean,
                                     &lat->commit_p99) != 0))
            n = -1;
        bench_daemon_stop (&d);
        if (n <= 0) {
            free (values);
            return -1;
        }
        bench_median (values, (size_t)n);
        lat->rate = rates[i];
        lat->unsynced = unsynced;
        lat->p50 = bench_percentile (values, (size_t)n, 0.50);
        lat->p99 = bench_percentile (values, (size_t)n, 0.99);
        lat->p999 = bench_percentile (values, (size_t)n, 0.999);
        free (values);
    }
    return 0;
}
