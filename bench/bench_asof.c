/*  bench_asof: what a report as of an earlier moment costs, against the
    live report, and what the other queries wait meanwhile.

    Fills a data directory with a month (2025-07) of N units' tickets
    through the real state machine (state_apply, event clock; bench_gen's
    stream), then runs the real hotlined on it and asks over its query
    endpoint, alternating within each round so both see the same load:
      live   the month's report (jintai-2025), as `hotline report`;
      as-of  the same report as of moments at 10%, 50%, 90% and 99% of
             the month, as `hotline report --as-of`.
    First, while the first as-of report after the start (the 50% moment)
    is being built, `stats` queries are sent one after the other on
    another connection: their latency, against the same queries on an
    idle daemon, tells whether an as-of report blocks the query endpoint.
    That first report is the longest: it replays the log up to its
    moment, keeping the checkpoints (asof.h) that the later ones continue;
    its time is shown beside the others'. The worker then replays the
    rest between reports; the rounds start once it is done (how long that
    took is printed), so they time what reports cost then.
    Figures are wall-clock on a shared machine: read the ratios.

    usage: hotline-bench asof [--units N] [--tickets K] [--rounds R]
                              [--daemon HOTLINED] [--quick]

    bench_asof_main is `hotline-bench asof` (bench_main.c). */
#include "bench.h"
#include "bench_apply.h"
#include "bench_daemon.h"
#include "bench_gen.h"
#include "client.h"
#include "state.h"

#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MOMENTS     4  /* as-of moments */
#define PROBES_IDLE 20 /* stats queries on the idle daemon */
#define PROBES_MAX  10000
#define MONTH_MS    (31LL * 24 * 3600 * 1000)

static const double s_fractions[MOMENTS] = {0.10, 0.50, 0.90, 0.99};

typedef struct {
    int units;          /* U0001.. */
    long tickets;       /* issued over the month */
    int rounds;         /* timed rounds per figure */
    const char *daemon; /* hotlined to run (NULL: the build tree's) */
} s_options_t;

/* Applies the month to a new store in `data` as hotlined would have
   stored it: the event log, then the aggregates. Returns the events
   stored, or -1. */
static long
s_fill (const s_options_t *opt, const char *data)
{
    char err[256] = "";
    store_t *store = store_new (data, (size_t)16 << 30, err);
    store_txn_t *txn = store ? store_begin (store, true) : NULL;
    int rc = bench_apply_units (txn, opt->units);
    bench_gen_options_t g = {.units = opt->units,
                             .tickets = (uint64_t)opt->tickets,
                             .start = BENCH_JULY_2025,
                             .span_ms = MONTH_MS - 4LL * 24 * 3600 * 1000,
                             .seed = 17,
                             .prefix = "A"};
    bench_gen_t *gen = bench_gen_new (&g);
    state_calendar_t *calendar = txn ? state_calendar_load (txn, err) : NULL;
    state_ctx_t ctx = {.clock = STATE_CLOCK_EVENT,
                       .wall_now = INT64_MAX / 2,
                       .calendar = calendar};
    long stored = 0, n = 0;
    proto_event_t ev;
    while (rc == STORE_OK && calendar && gen && bench_gen_next (gen, &ev)) {
        char reason[PROTO_ERROR_MAX + 1];
        int store_rc = STORE_OK;
        state_outcome_t outcome =
            state_apply (txn, &ev, &ctx, reason, &store_rc, NULL);
        if (outcome == STATE_FAILED)
            rc = store_rc;
        stored += outcome == STATE_STORED;
        if (rc == STORE_OK && ++n % 20000 == 0) {
            rc = store_commit (&txn);
            txn = rc == STORE_OK ? store_begin (store, true) : NULL;
            rc = rc == STORE_OK && !txn ? STORE_ERROR : rc;
        }
    }
    rc = rc == STORE_OK && calendar && gen ? store_commit (&txn) : STORE_ERROR;
    store_abort (&txn);
    state_calendar_destroy (&calendar);
    bench_gen_destroy (&gen);
    store_destroy (&store);
    if (rc != STORE_OK)
        fprintf (stderr, "bench asof: filling the store: %s %s\n",
                 store_strerror (rc), err);
    return rc == STORE_OK ? stored : -1;
}

/* One query's wall time in ms, or -1 with the reason on stderr. */
static double
s_time_query (const char *endpoint, const proto_query_t *q)
{
    char *json = NULL, err[256];
    int64_t t0 = bench_now_ns ();
    int rc = client_query (endpoint, q, 600000, &json, err);
    double ms = (double)(bench_now_ns () - t0) / 1e6;
    free (json);
    if (rc != 0) {
        fprintf (stderr, "bench asof: query: %s\n", err);
        return -1;
    }
    return ms;
}

static proto_query_t
s_report_query (int64_t as_of)
{
    proto_query_t q = {.kind = PROTO_QUERY_REPORT, .as_of = as_of};
    snprintf (q.ruleset, sizeof (q.ruleset), "jintai-2025");
    snprintf (q.period, sizeof (q.period), "2025-07");
    return q;
}

/* The as-of report run beside the stats probes. */
typedef struct {
    const char *endpoint;
    int64_t as_of;
    double ms;        /* out: its time */
    atomic_bool done; /* out: set when answered */
} s_background_t;

static void *
s_background (void *arg)
{
    s_background_t *b = arg;
    proto_query_t q = s_report_query (b->as_of);
    b->ms = s_time_query (b->endpoint, &q);
    atomic_store (&b->done, true);
    return NULL;
}

/* Stats latencies (ms) while one as-of report is built: sent one after
   the other until it is answered. Returns how many, or -1. */
static int
s_probe_during (const char *endpoint, int64_t as_of, double *probes,
                double *as_of_ms)
{
    s_background_t b = {.endpoint = endpoint, .as_of = as_of};
    pthread_t thread;
    if (pthread_create (&thread, NULL, s_background, &b) != 0)
        return -1;
    usleep (20000); /* let the report start first */
    proto_query_t stats = {.kind = PROTO_QUERY_STATS};
    int n = 0;
    while (!atomic_load (&b.done) && n < PROBES_MAX) {
        double ms = s_time_query (endpoint, &stats);
        if (ms < 0)
            break;
        probes[n++] = ms;
    }
    pthread_join (thread, NULL);
    *as_of_ms = b.ms;
    return b.ms < 0 ? -1 : n;
}

static int
s_options (int argc, char *argv[], s_options_t *opt)
{
    *opt = (s_options_t){.units = 300, .tickets = 90000, .rounds = 3};
    static struct option options[] = {{"units", required_argument, 0, 'u'},
                                      {"tickets", required_argument, 0, 't'},
                                      {"rounds", required_argument, 0, 'r'},
                                      {"daemon", required_argument, 0, 'd'},
                                      {"quick", no_argument, 0, 'q'},
                                      {"help", no_argument, 0, 'h'},
                                      {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long (argc, argv, "h", options, NULL)) != -1) {
        if (o == 'u')
            opt->units = atoi (optarg);
        else if (o == 't')
            opt->tickets = atol (optarg);
        else if (o == 'r')
            opt->rounds = atoi (optarg);
        else if (o == 'd')
            opt->daemon = optarg;
        else if (o == 'q') {
            opt->units = 30;
            opt->tickets = 2000;
            opt->rounds = 1;
        } else {
            FILE *out = o == 'h' ? stdout : stderr;
            fprintf (out,
                     "usage: hotline-bench asof [--units N] [--tickets K] "
                     "[--rounds R]\n"
                     "                          [--daemon HOTLINED] "
                     "[--quick]\n"
                     "Times `hotline report --as-of` at 10/50/90/99%% of a "
                     "month of K tickets\n(90000: ~350k events) among N "
                     "units (300) against the live report, and\n`stats` "
                     "latency while an as-of report is built against an "
                     "idle daemon.\n--quick: seconds, figures not "
                     "judged.\n");
            return o == 'h' ? 1 : -1;
        }
    }
    bool bad = opt->units < 1 || opt->units > 99999 || opt->tickets < 1 ||
               opt->rounds < 1 || optind < argc;
    if (bad)
        fprintf (stderr, "hotline-bench asof: bad options (--help)\n");
    return bad ? -1 : 0;
}

/* Times the live report and the as-of reports, R rounds alternating;
   prints the table, with the first as-of report after the start (timed
   by s_stats_table) against the same baseline. */
static int
s_report_table (const bench_daemon_t *d, const s_options_t *opt,
                double first_ms)
{
    double live[64], asof[MOMENTS][64];
    int rounds = opt->rounds < 64 ? opt->rounds : 64;
    for (int r = 0; r < rounds; r++) {
        proto_query_t q = s_report_query (0);
        if ((live[r] = s_time_query (d->query, &q)) < 0)
            return -1;
        for (int m = 0; m < MOMENTS; m++) {
            q = s_report_query (BENCH_JULY_2025 +
                                (int64_t)(s_fractions[m] * MONTH_MS));
            if ((asof[m][r] = s_time_query (d->query, &q)) < 0)
                return -1;
        }
    }
    double base = bench_median (live, (size_t)rounds);
    printf ("  %-24s %10.1f ms\n", "live report (baseline)", base);
    printf ("  %-24s %10.1f ms  %8.1fx the live report (it builds the "
            "checkpoints)\n",
            "first as-of after start", first_ms, first_ms / base);
    for (int m = 0; m < MOMENTS; m++) {
        double t = bench_median (asof[m], (size_t)rounds);
        char label[64];
        snprintf (label, sizeof (label), "as of %2.0f%% of the month",
                  s_fractions[m] * 100);
        printf ("  %-24s %10.1f ms  %8.1fx the live report\n", label, t,
                t / base);
    }
    /* What the worker keeps, as hotline stats says (an older hotlined
       has none of it). */
    double kept = bench_daemon_stat (d, "asof_checkpoints");
    if (kept >= 0)
        printf ("  kept: %.0f checkpoints, %.0f MiB under $TMPDIR, %.0f events "
                "apart; %.0f events applied for %.0f reports\n",
                kept, bench_daemon_stat (d, "asof_checkpoint_bytes") / 1048576,
                bench_daemon_stat (d, "asof_spacing"),
                bench_daemon_stat (d, "asof_events_applied"),
                bench_daemon_stat (d, "asof_reports"));
    return 0;
}

/* After the first as-of report, the worker replays the rest of the log
   between reports (asof.h): waits until its head is at the log's end (at
   most 10 minutes) and says how long that took, so that the rounds time
   what reports cost once it is done. An older hotlined keeps nothing:
   no wait. */
static void
s_wait_built (const bench_daemon_t *d, long events)
{
    int64_t t0 = bench_now_ns ();
    double head = bench_daemon_stat (d, "asof_replayed_to");
    if (head < 0)
        return;
    while (head < (double)events && bench_now_ns () - t0 < 600000000000LL) {
        struct timespec pause = {0, 50000000};
        nanosleep (&pause, NULL);
        head = bench_daemon_stat (d, "asof_replayed_to");
    }
    printf ("  the worker's head reached the log's end %.1f s after the first "
            "as-of report answered (%.0f of %ld events)\n",
            (double)(bench_now_ns () - t0) / 1e9, head, events);
}

/* Stats latency on the idle daemon, then while the first as-of report
   after the start runs: the longest, as it replays the whole log once
   to keep checkpoints (asof.h). Its time goes in *first_ms. */
static int
s_stats_table (const bench_daemon_t *d, double *first_ms)
{
    proto_query_t stats = {.kind = PROTO_QUERY_STATS};
    double idle[PROBES_IDLE];
    for (int i = 0; i < PROBES_IDLE; i++)
        if ((idle[i] = s_time_query (d->query, &stats)) < 0)
            return -1;
    double *probes = malloc (PROBES_MAX * sizeof (double));
    double as_of_ms = 0;
    int n = probes ? s_probe_during (d->query,
                                     BENCH_JULY_2025 +
                                         (int64_t)(s_fractions[1] * MONTH_MS),
                                     probes, &as_of_ms)
                   : -1;
    *first_ms = as_of_ms;
    if (n < 0) {
        free (probes);
        return -1;
    }
    bench_sort (idle, PROBES_IDLE);
    double idle_p50 = bench_percentile (idle, PROBES_IDLE, 0.5);
    printf ("  %-24s %10.2f ms  p50 of %d\n", "stats, idle (baseline)",
            idle_p50, PROBES_IDLE);
    if (n == 0)
        printf ("  stats during an as-of: none answered before the as-of "
                "report (%.0f ms): blocked\n",
                as_of_ms);
    else {
        bench_sort (probes, (size_t)n);
        double p50 = bench_percentile (probes, (size_t)n, 0.5);
        double max = probes[n - 1];
        printf ("  %-24s %10.2f ms  p50 of %d (%.1fx idle), max %.1f ms, "
                "while the first as-of report ran (%.0f ms)\n",
                "stats, during an as-of", p50, n, p50 / idle_p50, max,
                as_of_ms);
    }
    free (probes);
    return 0;
}

int
bench_asof_main (int argc, char *argv[])
{
    s_options_t opt;
    int parsed = s_options (argc, argv, &opt);
    if (parsed != 0)
        return parsed > 0 ? 0 : 2;
    char dir[] = "/tmp/hotline-bench-asof-XXXXXX";
    if (!mkdtemp (dir)) {
        perror ("hotline-bench asof");
        return 1;
    }
    char data[256];
    snprintf (data, sizeof (data), "%s/data", dir);
    printf ("hotline-bench asof: %d units, %ld tickets in 2025-07\n", opt.units,
            opt.tickets);
    int64_t t0 = bench_now_ns ();
    long events = s_fill (&opt, data);
    bench_daemon_t d;
    memset (&d, 0, sizeof (d));
    int rc =
        events > 0 ? bench_daemon_start (&d, opt.daemon, NULL, data, NULL) : -1;
    double first_ms = 0;
    if (rc == 0) {
        printf ("  store: %ld events, filled in %.1f s\n", events,
                (double)(bench_now_ns () - t0) / 1e9);
        rc = s_stats_table (&d, &first_ms);
    }
    if (rc == 0)
        s_wait_built (&d, events);
    if (rc == 0)
        rc = s_report_table (&d, &opt, first_ms);
    bench_daemon_stop (&d);
    char command[128];
    snprintf (command, sizeof (command), "rm -rf '%s'", dir);
    if (!getenv ("HOTLINE_KEEP_BENCH_DIRS") && system (command) != 0)
        fprintf (stderr, "hotline-bench asof: cannot remove %s\n", dir);
    return rc == 0 ? 0 : 1;
}
