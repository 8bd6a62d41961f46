/*  bench_ingest: durable ingest, acknowledgement latency, memory and store
    size, against the transport ceiling and SQLite, in the same run.

    The stream (bench_gen.h): 1,000 units, tickets issued in time order
    over July 2025, about 3.9 events per ticket. It is encoded once into
    EventBatch frames of --batch events; every ingest figure below sends
    exactly these frames over a DEALER socket with --window batches in
    flight (hotline's own sender does the same) and runs from the first
    send to the last acknowledgement.

    ingest   Each round runs, one after another on the same machine:
             raw     the frames to a ROUTER that only decodes them and
                     answers (bench_raw_receiver): the transport ceiling;
             empty   hotlined on a fresh store (the real endpoint, LMDB,
                     fsync'd group commits, acknowledged = durable);
             calendar (--time-limits) three more runs of hotlined on a
                     fresh store, in turn first: the due_at stream with
                     working time (the default calendar = cn), the same
                     stream with time limits in working days ("3wd")
                     instead of due_at, so that the calendar derives
                     every deadline (docs/calendar.md), and the due_at
                     stream with no working time at all (calendar =
                     none, windows in wall hours): each rate, and the
                     daemon's CPU time per event (from /proc, steadier
                     than the rate on a shared machine);
             big     hotlined on a store already holding --big-tickets
                     tickets (filled once, in-process through the real
                     state machine, then reused; each round adds its own
                     stream with fresh ids);
             sqlite  the same ticket, log, de-duplication, deadline and
                     counter writes in SQLite (WAL, synchronous=FULL) in
                     transactions of the same size as hotlined's commits
                     (bench_sqlite_ingest), on an empty database.
             Figures are medians over --rounds.
    latency  A fresh hotlined; messages of 10 events offered open-loop at
             fixed rates (1,000 and 10,000 events/s) for --seconds each;
             an event's latency is its message's send -> acknowledgement.
    memory   hotlined's resident memory sampled every 100 ms during the
             empty and big runs: anonymous (its own heap: must stay flat)
             and file-backed (the LMDB map, page cache); store bytes per
             million events stored.
    replay   The last empty-store run's data rebuilt from its event log
             (bench_replay_store, as `hotline replay` does), events/s.

    Figures are wall-clock on a shared machine: read the ratios. */
#include "bench.h"
#include "bench_apply.h"
#include "bench_baseline.h"
#include "bench_daemon.h"
#include "bench_gen.h"
#include "bench_replay.h"
#include "state.h"

#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <time.h>

/* The wall clock the state machine is told (it reads none itself). */
#define WALL_NOW ((int64_t)time (NULL) * 1000)

#define UNITS_DEFAULT 1000

typedef struct {
    int units;             /* units in the registry */
    uint64_t tickets;      /* tickets of the timed stream */
    int rounds;            /* ingest rounds */
    size_t batch;          /* events per message */
    size_t window;         /* messages in flight */
    uint64_t big_tickets;  /* tickets already in the big store, 0: skip */
    const char *big_store; /* where the big store is kept, or NULL */
    double seconds;        /* length of each latency run */
    bool quick;            /* CI smoke run */
    bool time_limits;      /* also the empty store with time limits */
} s_options_t;

/* The encoded stream. */
typedef struct {
    proto_event_t *events; /* for SQLite */
    size_t count;          /* events */
    uint8_t **payloads;    /* EventBatch frames */
    size_t *sizes;         /* their sizes */
    size_t *counts;        /* their event counts */
    size_t batches;        /* frames */
} s_stream_t;

static void
s_stream_free (s_stream_t *s)
{
    for (size_t i = 0; i < s->batches; i++)
        free (s->payloads[i]);
    free (s->payloads);
    free (s->sizes);
    free (s->counts);
    free (s->events);
    memset (s, 0, sizeof (*s));
}

static int
s_stream_make (const s_options_t *opt, const char *prefix, bool limits,
               s_stream_t *s)
{
    memset (s, 0, sizeof (*s));
    bench_gen_options_t g = {.units = opt->units,
                             .tickets = opt->tickets,
                             .start = BENCH_JULY_2025,
                             .span_ms = 30LL * 24 * 3600 * 1000,
                             .seed = 7,
                             .prefix = prefix,
                             .time_limits = limits};
    s->events = bench_gen_all (&g, &s->count);
    if (!s->events)
        return -1;
    s->batches = (s->count + opt->batch - 1) / opt->batch;
    s->payloads = calloc (s->batches, sizeof (*s->payloads));
    s->sizes = calloc (s->batches, sizeof (*s->sizes));
    s->counts = calloc (s->batches, sizeof (*s->counts));
    if (!s->payloads || !s->sizes || !s->counts)
        return -1;
    for (size_t b = 0; b < s->batches; b++) {
        size_t first = b * opt->batch;
        s->counts[b] =
            first + opt->batch <= s->count ? opt->batch : s->count - first;
        s->payloads[b] = proto_batch_encode (
            b + 1, s->events + first, s->counts[b], NULL, 0, &s->sizes[b]);
        if (!s->payloads[b])
            return -1;
    }
    return 0;
}

/* ---- sending with a window ------------------------------------------- */

/* What came back. */
typedef struct {
    uint64_t stored, duplicate, rejected; /* per-event answers */
    uint64_t failed;                      /* batches answered ok=false */
    char first_reason[PROTO_ERROR_MAX + 1];
} s_answers_t;

static int
s_take_ack (zsock_t *dealer, s_answers_t *a)
{
    zmsg_t *msg = zmsg_recv (dealer);
    if (!msg)
        return -1;
    zframe_t *frame = zmsg_last (msg);
    proto_batch_ack_t ack;
    char reason[PROTO_ERROR_MAX + 1];
    int rc = proto_batch_ack_decode (zframe_data (frame), zframe_size (frame),
                                     &ack, reason);
    zmsg_destroy (&msg);
    if (rc != 0)
        return -1;
    if (!ack.ok) {
        a->failed++;
        if (!*a->first_reason)
            snprintf (a->first_reason, sizeof (a->first_reason), "%s",
                      ack.error);
    }
    for (size_t i = 0; i < ack.count; i++) {
        if (ack.acks[i].status == PROTO_ACK_STORED)
            a->stored++;
        else if (ack.acks[i].status == PROTO_ACK_DUPLICATE)
            a->duplicate++;
        else {
            a->rejected++;
            if (!*a->first_reason)
                snprintf (a->first_reason, sizeof (a->first_reason), "%s",
                          ack.acks[i].reason);
        }
    }
    proto_batch_ack_free (&ack);
    return 0;
}

static zsock_t *
s_dealer (const char *endpoint)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    if (!dealer)
        return NULL;
    zsock_set_linger (dealer, 0);
    zsock_set_rcvtimeo (dealer, 60000);
    if (zsock_connect (dealer, "%s", endpoint) != 0) {
        zsock_destroy (&dealer);
        return NULL;
    }
    return dealer;
}

/* Sends every frame, `window` in flight, to hotlined or the raw receiver
   alike; returns events/s from the first send to the last
   acknowledgement, or -1. With `sample` (a pid, or 0) the peak of its
   anonymous memory goes to *anon_peak. */
static double
s_blast (const char *endpoint, const s_stream_t *s, size_t window,
         const char *what, pid_t sample, long *anon_peak)
{
    zsock_t *dealer = s_dealer (endpoint);
    if (!dealer)
        return -1;
    /* One empty batch first, so the clock does not time connecting. */
    s_answers_t a = {0};
    size_t hello_size;
    uint8_t *hello = proto_batch_encode (0, NULL, 0, NULL, 0, &hello_size);
    zmsg_t *first = zmsg_new ();
    zmsg_addmem (first, NULL, 0);
    zmsg_addmem (first, hello, hello_size);
    free (hello);
    if (zmsg_send (&first, dealer) != 0 || s_take_ack (dealer, &a) != 0) {
        zmsg_destroy (&first);
        zsock_destroy (&dealer);
        fprintf (stderr, "bench ingest: %s: no answer from %s\n", what,
                 endpoint);
        return -1;
    }
    size_t sent = 0, answered = 0;
    int64_t t0 = bench_now_ns (), next_sample = t0;
    int rc = 0;
    while (answered < s->batches && rc == 0) {
        while (sent < s->batches && sent - answered < window) {
            zmsg_t *msg = zmsg_new ();
            zmsg_addmem (msg, NULL, 0); /* REQ-style empty delimiter */
            zmsg_addmem (msg, s->payloads[sent], s->sizes[sent]);
            if (zmsg_send (&msg, dealer) != 0) {
                zmsg_destroy (&msg);
                rc = -1;
                break;
            }
            sent++;
        }
        if (rc == 0 && s_take_ack (dealer, &a) != 0)
            rc = -1;
        answered++;
        if (sample > 0 && bench_now_ns () >= next_sample) {
            long anon, file, hwm;
            if (bench_proc_memory (sample, &anon, &file, &hwm) == 0 &&
                anon > *anon_peak)
                *anon_peak = anon;
            next_sample = bench_now_ns () + 100000000LL;
        }
    }
    double seconds = (double)(bench_now_ns () - t0) / 1e9;
    zsock_destroy (&dealer);
    if (rc != 0) {
        fprintf (stderr, "bench ingest: %s: no answer from %s\n", what,
                 endpoint);
        return -1;
    }
    /* Every event is new: anything but "stored" means the run did not
       measure what it says. */
    if (a.failed || a.rejected || a.duplicate || a.stored != s->count) {
        fprintf (stderr,
                 "bench ingest: %s: %llu stored, %llu duplicate, %llu "
                 "rejected, %llu batches failed (%s)\n",
                 what, (unsigned long long)a.stored,
                 (unsigned long long)a.duplicate,
                 (unsigned long long)a.rejected, (unsigned long long)a.failed,
                 a.first_reason);
        return -1;
    }
    return (double)s->count / seconds;
}

/* One run of hotlined on a fresh store (the units imported): events/s,
   or -1, and the daemon's CPU time per event in µs in *cpu_us. `extra`:
   configuration lines, or NULL. */
static double
s_fresh_run (const s_stream_t *s, const s_options_t *opt,
             const proto_unit_t *units, const char *what, const char *extra,
             double *cpu_us)
{
    bench_daemon_t d;
    double rate = -1;
    if (bench_daemon_start (&d, NULL, NULL, NULL, extra) == 0 &&
        bench_daemon_import (&d, units, (size_t)opt->units) == 0) {
        double cpu0 = bench_proc_cpu (d.pid);
        rate = s_blast (d.ingest, s, opt->window, what, 0, NULL);
        *cpu_us = (bench_proc_cpu (d.pid) - cpu0) * 1e6 / (double)s->count;
    }
    bench_daemon_stop (&d);
    return rate;
}

/* The calendar's three runs, each on a fresh store, in an order that
   turns with the round: the due_at stream (C_DUE) and the time-limit
   stream (C_LIMITS) with working time, and the due_at stream with none
   (C_NONE). Rates in rate[], daemon CPU µs per event in cpu[], and the
   state machine's alone, in-process, in apply[]. Returns 0, or -1. */
enum { C_DUE, C_LIMITS, C_NONE, C_RUNS };

static int
s_calendar_runs (const s_stream_t *stream, const s_stream_t *limited,
                 const s_options_t *opt, const proto_unit_t *units, int round,
                 double *rate, double *cpu, double *apply)
{
    static const char *names[C_RUNS] = {"due_at", "limits", "no calendar"};
    const char *none = "    calendar = none\n"
                       "    windows = \"sign 1h contact 2h return 2h\"\n";
    for (int i = 0; i < C_RUNS; i++) {
        int run = (i + round) % C_RUNS;
        rate[run] =
            s_fresh_run (run == C_LIMITS ? limited : stream, opt, units,
                         names[run], run == C_NONE ? none : NULL, &cpu[run]);
        const s_stream_t *s = run == C_LIMITS ? limited : stream;
        apply[run] =
            bench_apply_cpu (s->events, s->count, units, (size_t)opt->units,
                             run == C_NONE ? "none" : STATE_CALENDAR_DEFAULT,
                             run == C_NONE ? "sign 1h contact 2h return 2h"
                                           : STATE_WINDOWS_DEFAULT);
        if (rate[run] < 0 || apply[run] < 0)
            return -1;
    }
    return 0;
}

/* ---- the big store ---------------------------------------------------- */

/* Fills `data` with big_tickets tickets of January 2024 to June 2025
   through the state machine in-process, in transactions of 50,000
   events, unless a previous run left it complete (a "filled" file). */
static int
s_big_fill (const s_options_t *opt, const char *dir, const char *data)
{
    char marker[512];
    snprintf (marker, sizeof (marker), "%s/filled-%llu", dir,
              (unsigned long long)opt->big_tickets);
    if (access (marker, F_OK) == 0) {
        printf ("  big store: reusing %s\n", data);
        return 0;
    }
    char command[600];
    snprintf (command, sizeof (command), "rm -rf '%s' && mkdir -p '%s'", data,
              dir);
    if (system (command) != 0)
        return -1;
    char err[256];
    store_t *store = store_new (data, (size_t)64 << 30, err);
    if (!store) {
        fprintf (stderr, "bench ingest: %s\n", err);
        return -1;
    }
    proto_unit_t *units = bench_gen_units (opt->units);
    store_txn_t *txn = store_begin (store, true);
    size_t added;
    int rc = units && txn
                 ? state_units_import (txn, units, (size_t)opt->units, &added)
                 : STORE_ERROR;
    free (units);
    bench_gen_options_t g = {.units = opt->units,
                             .tickets = opt->big_tickets,
                             .start = 1704038400000LL, /* 2024-01-01+08 */
                             .span_ms = 547LL * 24 * 3600 * 1000,
                             .seed = 11,
                             .prefix = "B"};
    bench_gen_t *gen = bench_gen_new (&g);
    /* The working time in force, loaded once (state_apply would load it
       for every event otherwise). */
    state_calendar_t *calendar = txn ? state_calendar_load (txn, err) : NULL;
    if (!calendar)
        rc = STORE_ERROR;
    proto_event_t ev;
    uint64_t n = 0, refused = 0;
    int64_t t0 = bench_now_ns (), shown = t0;
    while (rc == STORE_OK && gen && bench_gen_next (gen, &ev)) {
        char reason[PROTO_ERROR_MAX + 1];
        int store_rc;
        state_outcome_t outcome =
            state_apply (txn, &ev,
                         &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                        .wall_now = WALL_NOW,
                                        .effects = NULL,
                                        .calendar = calendar},
                         reason, &store_rc, NULL);
        if (outcome == STATE_FAILED)
            rc = store_rc;
        else if (outcome != STATE_STORED)
            refused++;
        if (rc == STORE_OK && ++n % 50000 == 0) {
            rc = store_commit (&txn);
            txn = rc == STORE_OK ? store_begin (store, true) : NULL;
            if (!txn && rc == STORE_OK)
                rc = STORE_ERROR;
            if (bench_now_ns () - shown > 10000000000LL) {
                shown = bench_now_ns ();
                fprintf (stderr,
                         "  big store: %llu of %llu tickets, %llu events, "
                         "%.0f events/s\n",
                         (unsigned long long)bench_gen_tickets (gen),
                         (unsigned long long)opt->big_tickets,
                         (unsigned long long)n,
                         (double)n / ((double)(shown - t0) / 1e9));
            }
        }
    }
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    state_calendar_destroy (&calendar);
    bench_gen_destroy (&gen);
    store_destroy (&store);
    if (rc != STORE_OK) {
        fprintf (stderr, "bench ingest: filling the big store: %s\n",
                 store_strerror (rc));
        return -1;
    }
    printf ("  big store: %llu tickets, %llu events (%llu refused) in %.0f s\n",
            (unsigned long long)opt->big_tickets, (unsigned long long)n,
            (unsigned long long)refused, (double)(bench_now_ns () - t0) / 1e9);
    FILE *f = fopen (marker, "w");
    if (f)
        fclose (f);
    return 0;
}

/* ---- latency ------------------------------------------------------------ */

#define LATENCY_BATCH 10

/* Offers messages of LATENCY_BATCH events every interval for `seconds`;
   fills latencies (ms, one per event). Returns the count, or -1. */
static long
s_offer (const char *endpoint, const s_options_t *opt, int rate,
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
    zsock_t *dealer = s_dealer (endpoint);
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

/* ---- main ----------------------------------------------------------- */

static void
s_usage (FILE *out)
{
    fprintf (
        out,
        "usage: hotline-bench ingest [--units N] [--tickets T] "
        "[--rounds R]\n"
        "                            [--batch B] [--window W] "
        "[--big-tickets T]\n"
        "                            [--big-store DIR] [--seconds S] "
        "[--quick]\n"
        "                            [--time-limits]\n"
        "\n"
        "  --units N        units (default 1000)\n"
        "  --tickets T      tickets of the timed stream (default "
        "200000, ~3.9 events each)\n"
        "  --rounds R       rounds, medians reported (default 3)\n"
        "  --batch B        events per message (default 500)\n"
        "  --window W       messages in flight (default 32, as hotline send)\n"
        "  --big-tickets T  tickets in the big store (default "
        "10000000; 0 skips it)\n"
        "  --big-store DIR  keep the big store there and reuse it "
        "(default\n"
        "                   /var/tmp/hotline-bench-big)\n"
        "  --seconds S      length of each latency run (default 10)\n"
        "  --quick          seconds-long smoke run for CI: figures are "
        "not judged\n"
        "  --time-limits    what the calendar costs: due_at, time limits "
        "(\"3wd\") and\n"
        "                   no working time, each on a fresh store\n");
}

static void
s_print_row (const char *what, const char *value, const char *ratio)
{
    printf ("| %-58s | %-18s | %-22s |\n", what, value, ratio);
}

/* The calendar's rows: each run's median rate, the daemon's CPU per
   event, and the state machine's alone; then what the time limits and
   the working time cost, as a share of the daemon's CPU per event. */
static void
s_calendar_rows (double (*cal)[3][C_RUNS], int rounds)
{
    static const char *what[C_RUNS] = {
        "calendar: due_at, working time (cn), fresh store",
        "calendar: time limits (3wd...) instead, fresh store",
        "calendar: due_at, no working time (calendar = none)"};
    double m[3][C_RUNS], values[64];
    int n = rounds < 64 ? rounds : 64;
    for (int run = 0; run < C_RUNS; run++)
        for (int k = 0; k < 3; k++) {
            for (int r = 0; r < n; r++)
                values[r] = cal[r][k][run];
            m[k][run] = bench_median (values, (size_t)n);
        }
    char value[64], ratio[64];
    for (int run = 0; run < C_RUNS; run++) {
        snprintf (value, sizeof (value), "%.0f ev/s", m[0][run]);
        snprintf (ratio, sizeof (ratio), "%.2f / %.2f µs CPU/ev", m[1][run],
                  m[2][run]);
        s_print_row (what[run], value, ratio);
    }
    /* The state machine's difference, against what an event costs the
       daemon in all: the steadiest figure on a shared machine. */
    snprintf (value, sizeof (value), "%+.2f µs/ev",
              m[2][C_LIMITS] - m[2][C_DUE]);
    snprintf (ratio, sizeof (ratio), "%+.1f%% of ingest CPU",
              (m[2][C_LIMITS] - m[2][C_DUE]) / m[1][C_DUE] * 100);
    s_print_row ("calendar: deriving due_at from time limits", value, ratio);
    snprintf (value, sizeof (value), "%+.2f µs/ev", m[2][C_DUE] - m[2][C_NONE]);
    snprintf (ratio, sizeof (ratio), "%+.1f%% of ingest CPU",
              (m[2][C_DUE] - m[2][C_NONE]) / m[1][C_NONE] * 100);
    s_print_row ("calendar: working-time windows and warnings", value, ratio);
}

int
bench_ingest_main (int argc, char *argv[])
{
    s_options_t opt = {.units = UNITS_DEFAULT,
                       .tickets = 200000,
                       .rounds = 3,
                       .batch = 500,
                       .window = 32,
                       .big_tickets = 10000000,
                       .big_store = "/var/tmp/hotline-bench-big",
                       .seconds = 10};
    static struct option longs[] = {{"units", required_argument, 0, 'u'},
                                    {"tickets", required_argument, 0, 't'},
                                    {"rounds", required_argument, 0, 'r'},
                                    {"batch", required_argument, 0, 'b'},
                                    {"window", required_argument, 0, 'w'},
                                    {"big-tickets", required_argument, 0, 'B'},
                                    {"big-store", required_argument, 0, 'S'},
                                    {"seconds", required_argument, 0, 's'},
                                    {"quick", no_argument, 0, 'q'},
                                    {"time-limits", no_argument, 0, 'L'},
                                    {"help", no_argument, 0, 'h'},
                                    {0, 0, 0, 0}};
    optind = 1;
    int c;
    bool big_set = false;
    while ((c = getopt_long (argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'u':
            opt.units = atoi (optarg);
            break;
        case 't':
            opt.tickets = strtoull (optarg, NULL, 10);
            break;
        case 'r':
            opt.rounds = atoi (optarg);
            break;
        case 'b':
            opt.batch = strtoul (optarg, NULL, 10);
            break;
        case 'w':
            opt.window = strtoul (optarg, NULL, 10);
            break;
        case 'B':
            opt.big_tickets = strtoull (optarg, NULL, 10);
            big_set = true;
            break;
        case 'S':
            opt.big_store = optarg;
            break;
        case 's':
            opt.seconds = atof (optarg);
            break;
        case 'q':
            opt.quick = true;
            break;
        case 'L':
            opt.time_limits = true;
            break;
        case 'h':
            s_usage (stdout);
            return 0;
        default:
            s_usage (stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf (stderr, "bench ingest: unexpected argument %s\n",
                 argv[optind]);
        s_usage (stderr);
        return 2;
    }
    if (opt.quick) {
        opt.tickets = 4000;
        opt.rounds = 1;
        opt.seconds = 1;
        if (!big_set)
            opt.big_tickets = 20000;
    }
    if (opt.units < 1 || opt.units > 99999 || opt.tickets < 1 ||
        opt.rounds < 1 || opt.batch < 1 || opt.window < 1 || opt.seconds <= 0) {
        fprintf (stderr, "bench ingest: bad option value\n");
        s_usage (stderr);
        return 2;
    }
    char big_data[512];
    const char *big_dir = opt.big_store;
    char quick_dir[64] = "";
    if (opt.quick && !big_set) {
        snprintf (quick_dir, sizeof (quick_dir), "/tmp/hotline-big-XXXXXX");
        if (!mkdtemp (quick_dir))
            return 1;
        big_dir = quick_dir;
    }
    snprintf (big_data, sizeof (big_data), "%s/data", big_dir);

    printf ("== ingest: %d units, %llu tickets, batches of %zu, window %zu, "
            "%d round(s)\n",
            opt.units, (unsigned long long)opt.tickets, opt.batch, opt.window,
            opt.rounds);
    if (opt.big_tickets && s_big_fill (&opt, big_dir, big_data) != 0)
        return 1;
    proto_unit_t *units = bench_gen_units (opt.units);
    int rounds = opt.rounds;
    double *raw = calloc ((size_t)rounds, sizeof (double));
    double *empty = calloc ((size_t)rounds, sizeof (double));
    double *big = calloc ((size_t)rounds, sizeof (double));
    double *sqlite = calloc ((size_t)rounds, sizeof (double));
    double *per_commit = calloc ((size_t)rounds, sizeof (double));
    /* Per round and calendar run: events/s, daemon CPU µs per event, the
       state machine's CPU µs per event in-process. */
    double (*cal)[3][C_RUNS] = calloc ((size_t)rounds, sizeof (*cal));
    s_stream_t limited = {0};
    long anon_empty = 0, anon_big = 0, file_big = 0;
    double store_bytes = 0, store_events = 0, big_bytes = 0, big_events = 0;
    char replay_dir[256] = "";
    uint64_t events_total = 0;
    int status = 1;
    s_stream_t stream = {0};
    for (int r = 0; r < rounds; r++) {
        /* Ids new to every store, the reused big one included: a round's
           prefix is unique to this run (same length, so every system is
           sent frames of the same size). */
        char prefix[16];
        snprintf (prefix, sizeof (prefix), "%c%05x", 'a' + r % 26,
                  (unsigned)(getpid () ^ time (NULL)) & 0xfffff);
        s_stream_free (&stream);
        s_stream_free (&limited);
        if (s_stream_make (&opt, prefix, false, &stream) != 0 ||
            (opt.time_limits &&
             s_stream_make (&opt, prefix, true, &limited) != 0)) {
            fprintf (stderr, "bench ingest: out of memory\n");
            goto done;
        }
        events_total = stream.count;
        /* (a) raw ZeroMQ. */
        char raw_dir[] = "/tmp/hotline-raw-XXXXXX";
        if (!mkdtemp (raw_dir))
            goto done;
        char endpoint[64];
        snprintf (endpoint, sizeof (endpoint), "ipc://%s/raw", raw_dir);
        zactor_t *receiver = bench_raw_receiver (endpoint);
        if (!receiver)
            goto done;
        raw[r] = s_blast (endpoint, &stream, opt.window, "raw", 0, NULL);
        zactor_destroy (&receiver);
        char remove[96];
        snprintf (remove, sizeof (remove), "rm -rf '%s'", raw_dir);
        if (system (remove) != 0) /* the directory holds the ipc socket */
            fprintf (stderr, "bench ingest: cannot remove %s\n", raw_dir);
        if (raw[r] < 0)
            goto done;
        /* hotlined, empty store. */
        bench_daemon_t d;
        if (bench_daemon_start (&d, NULL, NULL, NULL, NULL) != 0 ||
            bench_daemon_import (&d, units, (size_t)opt.units) != 0) {
            bench_daemon_stop (&d);
            goto done;
        }
        double commits0 = bench_daemon_stat (&d, "batches_committed");
        empty[r] = s_blast (d.ingest, &stream, opt.window, "empty store", d.pid,
                            &anon_empty);
        double commits = bench_daemon_stat (&d, "batches_committed") - commits0;
        per_commit[r] = commits > 0 ? (double)stream.count / commits : 0;
        store_bytes = bench_daemon_stat (&d, "store_bytes");
        store_events = bench_daemon_stat (&d, "log_events");
        if (r == rounds - 1) {
            /* Keep this store for the replay. */
            snprintf (replay_dir, sizeof (replay_dir), "%s", d.data);
            d.temporary = false;
        }
        bench_daemon_stop (&d);
        if (empty[r] < 0)
            goto done;
        if (opt.time_limits &&
            s_calendar_runs (&stream, &limited, &opt, units, r, cal[r][0],
                             cal[r][1], cal[r][2]) != 0)
            goto done;
        /* hotlined, big store. */
        if (opt.big_tickets) {
            if (bench_daemon_start (&d, NULL, NULL, big_data,
                                    "    map_size_mb = 65536\n") != 0 ||
                bench_daemon_import (&d, units, (size_t)opt.units) != 0) {
                bench_daemon_stop (&d);
                goto done;
            }
            big[r] = s_blast (d.ingest, &stream, opt.window, "big store", d.pid,
                              &anon_big);
            long anon, hwm;
            bench_proc_memory (d.pid, &anon, &file_big, &hwm);
            big_bytes = bench_daemon_stat (&d, "store_bytes");
            big_events = bench_daemon_stat (&d, "log_events");
            bench_daemon_stop (&d);
            if (big[r] < 0)
                goto done;
        }
        /* (b) SQLite, transactions as large as hotlined's commits. */
        char sql_dir[] = "/tmp/hotline-sqlite-XXXXXX";
        if (!mkdtemp (sql_dir))
            goto done;
        size_t sql_batch = per_commit[r] >= 1 ? (size_t)per_commit[r] : 1;
        bench_rate_t rate;
        int sql_rc = bench_sqlite_ingest (sql_dir, stream.events, stream.count,
                                          sql_batch, &rate);
        char command[128];
        snprintf (command, sizeof (command), "rm -rf '%s'", sql_dir);
        if (system (command) != 0)
            fprintf (stderr, "bench ingest: cannot remove %s\n", sql_dir);
        if (sql_rc != 0)
            goto done;
        sqlite[r] = rate.per_second;
        printf ("  round %d: raw %.0f, empty %.0f, big %.0f, sqlite %.0f "
                "events/s (%.0f events per commit)\n",
                r + 1, raw[r], empty[r], big[r], sqlite[r], per_commit[r]);
        if (opt.time_limits)
            printf ("  round %d: due_at / time limits / no calendar: %.0f, "
                    "%.0f, %.0f events/s; daemon CPU %.2f, %.2f, %.2f "
                    "µs/event; state machine %.2f, %.2f, %.2f µs/event\n",
                    r + 1, cal[r][0][C_DUE], cal[r][0][C_LIMITS],
                    cal[r][0][C_NONE], cal[r][1][C_DUE], cal[r][1][C_LIMITS],
                    cal[r][1][C_NONE], cal[r][2][C_DUE], cal[r][2][C_LIMITS],
                    cal[r][2][C_NONE]);
        fflush (stdout);
    }

    /* Acknowledgement latency on a fresh daemon. */
    double lat[2][3] = {{0}};
    int rates[2] = {1000, 10000};
    for (int i = 0; i < 2; i++) {
        bench_daemon_t d;
        if (bench_daemon_start (&d, NULL, NULL, NULL, NULL) != 0 ||
            bench_daemon_import (&d, units, (size_t)opt.units) != 0) {
            bench_daemon_stop (&d);
            goto done;
        }
        double *values = NULL;
        char prefix[16];
        snprintf (prefix, sizeof (prefix), "l%d", i);
        long n = s_offer (d.ingest, &opt, rates[i], prefix, &values);
        bench_daemon_stop (&d);
        if (n <= 0) {
            free (values);
            goto done;
        }
        bench_median (values, (size_t)n);
        lat[i][0] = bench_percentile (values, (size_t)n, 0.50);
        lat[i][1] = bench_percentile (values, (size_t)n, 0.99);
        lat[i][2] = bench_percentile (values, (size_t)n, 0.999);
        free (values);
    }

    /* Replay of the last empty-store run's data. */
    double replay_rate = 0, replay_seconds = 0;
    uint64_t replay_events = 0;
    if (*replay_dir &&
        bench_replay_store (replay_dir, &replay_rate, &replay_events,
                            &replay_seconds) != 0) {
        fprintf (stderr, "bench ingest: replay of %s failed\n", replay_dir);
        goto done;
    }

    double m_raw = bench_median (raw, (size_t)rounds);
    double m_empty = bench_median (empty, (size_t)rounds);
    double m_big = opt.big_tickets ? bench_median (big, (size_t)rounds) : 0;
    double m_sqlite = bench_median (sqlite, (size_t)rounds);
    double m_commit = bench_median (per_commit, (size_t)rounds);
    char value[64], ratio[64], what[128];
    printf ("\n%llu events per run (%llu tickets, %d units), medians of %d "
            "round(s); %.0f events per hotlined commit:\n\n",
            (unsigned long long)events_total, (unsigned long long)opt.tickets,
            opt.units, rounds, m_commit);
    s_print_row ("measure", "figure", "ratio");
    printf ("|%s|%s|%s|\n",
            "------------------------------------------------"
            "------------",
            "--------------------", "------------------------");
    snprintf (value, sizeof (value), "%.0f ev/s", m_raw);
    s_print_row ("raw ZeroMQ, decode only (ceiling)", value, "1");
    snprintf (value, sizeof (value), "%.0f ev/s", m_sqlite);
    snprintf (ratio, sizeof (ratio), "%.2f of raw", m_sqlite / m_raw);
    s_print_row ("SQLite WAL synchronous=FULL, empty (baseline)", value, ratio);
    snprintf (value, sizeof (value), "%.0f ev/s", m_empty);
    snprintf (ratio, sizeof (ratio), "%.2f× SQLite, %.2f of raw",
              m_empty / m_sqlite, m_empty / m_raw);
    s_print_row ("hotlined durable ingest, empty store", value, ratio);
    if (opt.time_limits) {
        s_print_row ("calendar rows: rate | daemon / state machine CPU", "",
                     "");
        s_calendar_rows (cal, rounds);
    }
    if (opt.big_tickets) {
        snprintf (what, sizeof (what),
                  "hotlined durable ingest, store of %llu tickets",
                  (unsigned long long)opt.big_tickets);
        snprintf (value, sizeof (value), "%.0f ev/s", m_big);
        snprintf (ratio, sizeof (ratio), "%.2f× SQLite, %.2f of raw",
                  m_big / m_sqlite, m_big / m_raw);
        s_print_row (what, value, ratio);
    }
    for (int i = 0; i < 2; i++) {
        snprintf (what, sizeof (what),
                  "send → ack at %d ev/s, p50 / p99 / p99.9", rates[i]);
        snprintf (value, sizeof (value), "%.2f / %.2f / %.2f ms", lat[i][0],
                  lat[i][1], lat[i][2]);
        s_print_row (what, value, "");
    }
    snprintf (value, sizeof (value), "%.0f ev/s", replay_rate);
    snprintf (ratio, sizeof (ratio), "%.2f× empty ingest",
              replay_rate / m_empty);
    snprintf (what, sizeof (what), "replay (rebuild from the log), %llu events",
              (unsigned long long)replay_events);
    s_print_row (what, value, ratio);
    snprintf (value, sizeof (value), "%.1f / %.1f MB", anon_empty / 1024.0,
              anon_big / 1024.0);
    s_print_row ("hotlined heap (RssAnon) peak, empty / big store", value, "");
    if (opt.big_tickets) {
        snprintf (value, sizeof (value), "%.1f MB", file_big / 1024.0);
        s_print_row ("hotlined LMDB map resident (RssFile), big store", value,
                     "page cache");
    }
    snprintf (value, sizeof (value), "%.0f MB",
              store_events > 0 ? store_bytes / store_events : 0);
    s_print_row ("store size per million events, empty store run", value, "");
    if (opt.big_tickets) {
        snprintf (value, sizeof (value), "%.0f MB",
                  big_events > 0 ? big_bytes / big_events : 0);
        s_print_row ("store size per million events, big store", value, "");
    }
    status = 0;
done:
    s_stream_free (&stream);
    s_stream_free (&limited);
    free (cal);
    free (units);
    free (raw);
    free (empty);
    free (big);
    free (sqlite);
    free (per_commit);
    if (*replay_dir) {
        char command[300];
        /* The data directory's parent is the daemon's temporary dir. */
        char *slash = strrchr (replay_dir, '/');
        if (slash)
            *slash = 0;
        snprintf (command, sizeof (command), "rm -rf '%s'", replay_dir);
        if (system (command) != 0)
            fprintf (stderr, "bench ingest: cannot remove %s\n", replay_dir);
    }
    if (*quick_dir) {
        char command[128];
        snprintf (command, sizeof (command), "rm -rf '%s'", quick_dir);
        if (system (command) != 0)
            fprintf (stderr, "bench ingest: cannot remove %s\n", quick_dir);
    }
    return status;
}
