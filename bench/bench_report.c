/*  bench_report: how long a month-end scorecard takes, against the floor.

    Builds stores of N units and a month of events for them through the
    real state machine (state_apply), then times, alternating within each
    round so both see the same machine load:
      baseline  one read transaction reading every unit's counter record
                (the least any report must do);
      report    report_json in a read transaction, as the query
                endpoint runs it.
    Three tables, each with the median and p90 of the report, the median
    of the baseline and the ratio of the medians:
      1. each ruleset asked, N units, K events per unit (--units,
         --events-per-unit: 1,000 and 40);
      2. by units: the first ruleset at each of --unit-sizes (100, 1,000,
         10,000), K events per unit;
      3. by events in the month: the first ruleset, --event-units units
         (1,000) with each of --event-sizes events (1M, 10M), and the
         ratio of the largest to the smallest: a report reads aggregates,
         so it should stay near 1. Ten million events take minutes to
         store.
    Figures are wall-clock on a shared machine: read the ratios.

    usage: hotline-bench report [--units N] [--events-per-unit K] [--rounds R]
                        [--ruleset ID]... [--unit-sizes LIST]
                        [--event-sizes LIST] [--event-units N]
                        [--tables LIST] [--quick]

    bench_report_main is `hotline-bench report` (bench_main.c).  */
#include "bench.h"
#include "report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <time.h>

/* The wall clock the state machine is told (it reads none itself). */
#define WALL_NOW ((int64_t)time (NULL) * 1000)

#define SIZES_MAX 8 /* entries of --unit-sizes and --event-sizes */

typedef struct {
    int units;                   /* table 1 */
    int per_unit;                /* events per unit, tables 1 and 2 */
    int rounds;                  /* timed rounds per measurement */
    const char *rulesets[8];     /* table 1; the first for 2 and 3 */
    int ruleset_count;           /* how many */
    long unit_sizes[SIZES_MAX];  /* table 2 */
    int unit_size_count;         /* how many */
    long event_sizes[SIZES_MAX]; /* table 3 */
    int event_size_count;        /* how many */
    int event_units;             /* table 3's units */
    long explain_tickets;        /* table 4: the explained unit's tickets */
    bool tables[5];              /* which tables, 1..4 */
} s_options_t;

/* One measurement: medians and p90 in microseconds. */
typedef struct {
    double report;   /* report, median */
    double p90;      /* report, p90 */
    double baseline; /* baseline, median */
    size_t bytes;    /* JSON */
} s_result_t;

static double
s_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
s_percentile (double *values, int n, double p)
{
    qsort (values, (size_t)n, sizeof (double), s_compare);
    int i = (int)(p * (n - 1) + 0.5);
    return values[i];
}

/* Deterministic PRNG so every run builds the same store. */
static uint64_t
s_rand (uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void
s_event (proto_event_t *ev, long seq, proto_type_t type, const char *ticket,
         const char *unit, int64_t at)
{
    memset (ev, 0, sizeof (*ev));
    snprintf (ev->event_id, sizeof (ev->event_id), "b%ld", seq);
    ev->type = type;
    snprintf (ev->ticket_id, sizeof (ev->ticket_id), "%s", ticket);
    snprintf (ev->unit_id, sizeof (ev->unit_id), "%s", unit);
    ev->occurred_at = at;
}

/* A month (2025-07) of tickets, four events each: received, contacted,
   closed (mostly on time, some late), revisited (some unsatisfied),
   spread over the units. */
static int
s_build (store_t *store, const rules_ruleset_t *rs, int units, long events,
         long heavy)
{
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    store_txn_t *txn = store_begin (store, true);
    proto_unit_t *list = calloc ((size_t)units, sizeof (*list));
    if (!txn || !list) {
        store_abort (&txn);
        free (list);
        return STORE_ERROR;
    }
    for (int u = 0; u < units; u++) {
        snprintf (list[u].unit_id, sizeof (list[u].unit_id), "U%05d", u);
        snprintf (list[u].name, sizeof (list[u].name), "单位%05d", u);
        /* Units spread over the ruleset's own tables. */
        snprintf (list[u].group, sizeof (list[u].group), "%s",
                  rs->tables[u % rs->table_count].group);
    }
    size_t added;
    int rc = state_units_import (txn, list, (size_t)units, &added);
    free (list);
    /* The working time in force, loaded once, not for every event. */
    char err[256];
    state_calendar_t *calendar = state_calendar_load (txn, err);
    if (!calendar)
        rc = STORE_ERROR;
    int64_t start =
        proto_period_start ((proto_period_t){PROTO_MONTH, 2025 * 12 + 6});
    long seq = 0, tickets = events / 4;
    state_effects_t *fx = state_effects_new ();
    double t0 = s_now_us (), shown = t0;
    for (long t = 0; t < tickets && rc == STORE_OK; t++) {
        char ticket[32], unit[16], reason[PROTO_ERROR_MAX + 1];
        snprintf (ticket, sizeof (ticket), "T%08ld", t);
        /* The first `heavy` tickets are unit U00000's (table 4). */
        snprintf (unit, sizeof (unit), "U%05d",
                  t < heavy ? 0 : (int)(s_rand (&state) % (uint64_t)units));
        int64_t at = start + (int64_t)(s_rand (&state) % (25LL * 86400000));
        proto_event_t ev;
        s_event (&ev, seq++, PROTO_RECEIVED, ticket, unit, at);
        ev.dispatched_at = at - 600000;
        ev.due_at = at + 3 * 86400000LL;
        strcpy (ev.channel, s_rand (&state) % 10 ? "hotline" : "mayor_mailbox");
        snprintf (ev.category, sizeof (ev.category), "c%d",
                  (int)(s_rand (&state) % 8));
        int store_rc;
        state_apply (txn, &ev,
                     &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                    .wall_now = WALL_NOW,
                                    .effects = fx,
                                    .calendar = calendar},
                     reason, &store_rc, NULL);
        s_event (&ev, seq++, PROTO_CONTACTED, ticket, unit, at + 1800000);
        state_apply (txn, &ev,
                     &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                    .wall_now = WALL_NOW,
                                    .effects = fx,
                                    .calendar = calendar},
                     reason, &store_rc, NULL);
        int64_t close =
            at + (s_rand (&state) % 20 ? 86400000LL : 4 * 86400000LL);
        s_event (&ev, seq++, PROTO_CLOSED, ticket, unit, close);
        state_apply (txn, &ev,
                     &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                    .wall_now = WALL_NOW,
                                    .effects = fx,
                                    .calendar = calendar},
                     reason, &store_rc, NULL);
        s_event (&ev, seq++, PROTO_REVISITED, ticket, unit, close + 3600000);
        ev.satisfaction =
            s_rand (&state) % 30 ? PROTO_SAT_SATISFIED : PROTO_SAT_UNSATISFIED;
        ev.resolved = PROTO_RES_YES;
        state_apply (txn, &ev,
                     &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                    .wall_now = WALL_NOW,
                                    .effects = fx,
                                    .calendar = calendar},
                     reason, &store_rc, NULL);
        rc = store_rc;
        state_effects_reset (fx);
        if (t % 5000 == 4999 && rc == STORE_OK) {
            /* As hotlined's scorer leaves the drill-down index. */
            rc = state_counted_settle (txn, STATE_COUNTED_PENDING_MAX);
            if (rc == STORE_OK)
                rc = store_commit (&txn);
            txn = rc == STORE_OK ? store_begin (store, true) : NULL;
            rc = txn ? rc : STORE_ERROR;
            if (s_now_us () - shown > 10e6) {
                shown = s_now_us ();
                fprintf (stderr, "  ... %ld of %ld events stored (%.0f s)\n",
                         seq, tickets * 4, (shown - t0) / 1e6);
            }
        }
    }
    state_effects_destroy (&fx);
    state_calendar_destroy (&calendar);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    return rc;
}

static double
s_time_baseline (store_t *store, const rules_unit_t *units, size_t count)
{
    double t0 = s_now_us ();
    store_txn_t *txn = store_begin (store, false);
    double sum = 0;
    for (size_t u = 0; u < count; u++) {
        uint8_t key[STORE_KEY_MAX];
        size_t size =
            state_counter_key (key, "2025-07", units[u].unit_id, "", "");
        int32_t c[RULES_STORED_COUNTERS];
        store_get_i32 (txn, STORE_COUNTERS, key, size, c,
                       RULES_STORED_COUNTERS);
        sum += c[RULES_CLOSED];
    }
    store_abort (&txn);
    double elapsed = s_now_us () - t0;
    return sum >= 0 ? elapsed : -1; /* keep the reads from being elided */
}

/* Returns the time, or -1 (said on stderr) when the report failed. */
static double
s_time_report (store_t *store, const rules_ruleset_t *rs, size_t *bytes)
{
    double t0 = s_now_us ();
    store_txn_t *txn = store_begin (store, false);
    char err[256];
    char *json = report_json (txn, rs, "2025-07", 0, err);
    store_abort (&txn);
    double elapsed = s_now_us () - t0;
    if (!json) {
        fprintf (stderr, "bench_report: %s\n", err);
        return -1;
    }
    *bytes = strlen (json);
    free (json);
    return elapsed;
}

/* Builds a store in a fresh temporary directory (dir, 32 bytes), times
   the report against the baseline, and removes the store. */
static int
s_measure (const s_options_t *opt, const rules_ruleset_t *rs, int units,
           long events, s_result_t *result)
{
    char dir[32] = "/tmp/hotline-bench-XXXXXX", err[256];
    /* About a kilobyte of store per event (log, de-duplication, tickets)
       beside LMDB's default map, for the large months. */
    size_t map = events > 1000000 ? (size_t)events * 1024 : 0;
    store_t *store = mkdtemp (dir) ? store_new (dir, map, err) : NULL;
    if (!store) {
        fprintf (stderr, "bench_report: cannot create a store\n");
        return -1;
    }
    int rc = -1;
    rules_unit_t *list = NULL;
    double *base = calloc ((size_t)opt->rounds, sizeof (double));
    double *rep = calloc ((size_t)opt->rounds, sizeof (double));
    double t0 = s_now_us ();
    if (!base || !rep || s_build (store, rs, units, events, 0) != STORE_OK) {
        fprintf (stderr, "bench_report: building the store failed\n");
        goto cleanup;
    }
    fprintf (stderr, "%s: built %d units, %ld events in %.1f s\n",
             rules_ruleset_id (rs), units, events / 4 * 4,
             (s_now_us () - t0) / 1e6);
    store_txn_t *txn = store_begin (store, false);
    size_t count;
    list = state_units_list (txn, &count);
    store_abort (&txn);
    /* Warm the page cache. */
    if (s_time_report (store, rs, &result->bytes) < 0)
        goto cleanup;
    for (int i = 0; i < opt->rounds; i++) {
        base[i] = s_time_baseline (store, list, count);
        rep[i] = s_time_report (store, rs, &result->bytes);
        if (rep[i] < 0)
            goto cleanup;
    }
    result->baseline = s_percentile (base, opt->rounds, 0.5);
    result->report = s_percentile (rep, opt->rounds, 0.5);
    result->p90 = s_percentile (rep, opt->rounds, 0.9);
    rc = 0;
cleanup:
    free (list);
    free (base);
    free (rep);
    store_destroy (&store);
    char command[64];
    snprintf (command, sizeof (command), "rm -rf %s", dir);
    if (system (command) != 0)
        fprintf (stderr, "bench_report: could not remove %s\n", dir);
    return rc;
}

/* Returns the time of an explain of unit U00000, or -1. */
static double
s_time_explain (store_t *store, const rules_ruleset_t *rs, size_t *bytes)
{
    double t0 = s_now_us ();
    store_txn_t *txn = store_begin (store, false);
    char err[256];
    char *json = report_explain_json (txn, rs, "2025-07", "U00000", NULL, err);
    store_abort (&txn);
    double elapsed = s_now_us () - t0;
    if (!json) {
        fprintf (stderr, "bench_report: %s\n", err);
        return -1;
    }
    *bytes = strlen (json);
    free (json);
    return elapsed;
}

/* Table 4: an explain of a unit with `heavy` tickets in the month,
   against the report of the same store (the baseline column). */
static int
s_measure_explain (const s_options_t *opt, const rules_ruleset_t *rs,
                   long heavy, s_result_t *result)
{
    char err[256];
    store_t *store = store_scratch_new (0, err);
    long events = (heavy + (long)opt->units * opt->per_unit / 4) * 4;
    double *rep = calloc ((size_t)opt->rounds, sizeof (double));
    double *exp = calloc ((size_t)opt->rounds, sizeof (double));
    int rc = -1;
    size_t bytes;
    if (!store || !rep || !exp ||
        s_build (store, rs, opt->units, events, heavy) != STORE_OK ||
        s_time_explain (store, rs, &result->bytes) < 0) {
        fprintf (stderr, "bench_report: building the explain store failed\n");
        goto cleanup;
    }
    for (int i = 0; i < opt->rounds; i++) {
        rep[i] = s_time_report (store, rs, &bytes);
        exp[i] = s_time_explain (store, rs, &result->bytes);
        if (rep[i] < 0 || exp[i] < 0)
            goto cleanup;
    }
    result->baseline = s_percentile (rep, opt->rounds, 0.5);
    result->report = s_percentile (exp, opt->rounds, 0.5);
    result->p90 = s_percentile (exp, opt->rounds, 0.9);
    rc = 0;
cleanup:
    free (rep);
    free (exp);
    store_destroy (&store);
    return rc;
}

static void
s_row (const char *label, long events, const s_result_t *r)
{
    printf ("%-18s %10ld %10.3f %10.3f %10.3f %9.1fx %10zu\n", label, events,
            r->report / 1e3, r->p90 / 1e3, r->baseline / 1e3,
            r->report / r->baseline, r->bytes);
}

static void
s_header (const char *first)
{
    printf ("%-18s %10s %10s %10s %10s %10s %10s\n", first, "events", "median",
            "p90", "baseline", "ratio", "JSON bytes");
}

/* Parses "100,1000,10000". Returns the count, or -1. */
static int
s_sizes (const char *text, long *sizes)
{
    int n = 0;
    for (const char *p = text; *p && n < SIZES_MAX;) {
        char *end;
        long v = strtol (p, &end, 10);
        if (end == p || v < 1)
            return -1;
        sizes[n++] = v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return n > 0 ? n : -1;
}

static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: hotline-bench report [--units N] [--events-per-unit K] "
             "[--rounds R]\n"
             "                    [--ruleset ID]... [--unit-sizes LIST] "
             "[--event-sizes LIST]\n"
             "                    [--event-units N] [--tables LIST] "
             "[--quick]\n"
             "Times report_json against a bare read of the same "
             "counter\nrecords:\n"
             "  1. each ruleset, N units, K events each (1000 units, 40 "
             "events);\n"
             "  2. the first ruleset by units (--unit-sizes "
             "100,1000,10000);\n"
             "  3. the first ruleset by events in the month, --event-units "
             "units\n"
             "     (1000; --event-sizes 1000000,10000000: minutes to "
             "build);\n"
             "  4. hotline explain of one unit with --explain-tickets "
             "tickets in the\n"
             "     month (10000) among N units, against the report of the "
             "same store.\n"
             "Defaults: 50 rounds, rulesets jintai-2025 furong-2022 "
             "lianyungang-2017,\nall tables (--tables 1,3 picks). --quick: "
             "seconds, figures not judged.\n");
}

static int
s_options (int argc, char *argv[], s_options_t *opt)
{
    *opt = (s_options_t){.units = 1000,
                         .per_unit = 40,
                         .rounds = 50,
                         .unit_sizes = {100, 1000, 10000},
                         .unit_size_count = 3,
                         .event_sizes = {1000000, 10000000},
                         .event_size_count = 2,
                         .event_units = 1000,
                         .explain_tickets = 10000,
                         .tables = {false, true, true, true, true}};
    static struct option options[] = {
        {"units", required_argument, 0, 'u'},
        {"events-per-unit", required_argument, 0, 'e'},
        {"rounds", required_argument, 0, 'r'},
        {"ruleset", required_argument, 0, 's'},
        {"unit-sizes", required_argument, 0, 'U'},
        {"event-sizes", required_argument, 0, 'E'},
        {"event-units", required_argument, 0, 'n'},
        {"tables", required_argument, 0, 't'},
        {"explain-tickets", required_argument, 0, 'x'},
        {"quick", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int o;
    bool bad = false;
    optind = 1; /* a combined program may have parsed options before */
    while ((o = getopt_long (argc, argv, "h", options, NULL)) != -1) {
        switch (o) {
        case 'u':
            opt->units = atoi (optarg);
            break;
        case 'e':
            opt->per_unit = atoi (optarg);
            break;
        case 'r':
            opt->rounds = atoi (optarg);
            break;
        case 's':
            if (opt->ruleset_count < 8)
                opt->rulesets[opt->ruleset_count++] = optarg;
            break;
        case 'U':
            opt->unit_size_count = s_sizes (optarg, opt->unit_sizes);
            bad = bad || opt->unit_size_count < 0;
            break;
        case 'E':
            opt->event_size_count = s_sizes (optarg, opt->event_sizes);
            bad = bad || opt->event_size_count < 0;
            break;
        case 'n':
            opt->event_units = atoi (optarg);
            break;
        case 'x':
            opt->explain_tickets = atol (optarg);
            bad = bad || opt->explain_tickets < 1;
            break;
        case 't': {
            long t[SIZES_MAX];
            int n = s_sizes (optarg, t);
            bad = bad || n < 0;
            memset (opt->tables, 0, sizeof (opt->tables));
            for (int i = 0; i < n; i++)
                if (t[i] >= 1 && t[i] <= 4)
                    opt->tables[t[i]] = true;
                else
                    bad = true;
            break;
        }
        case 'q':
            /* Options after --quick still apply. */
            opt->units = 100;
            opt->per_unit = 8;
            opt->rounds = 5;
            opt->unit_sizes[0] = 10;
            opt->unit_sizes[1] = 100;
            opt->unit_sizes[2] = 1000;
            opt->unit_size_count = 3;
            opt->event_sizes[0] = 10000;
            opt->event_sizes[1] = 100000;
            opt->event_size_count = 2;
            opt->event_units = 100;
            opt->explain_tickets = 500;
            break;
        case 'h':
            s_usage (stdout);
            return 1;
        default:
            s_usage (stderr);
            return 2;
        }
    }
    if (bad || optind < argc || opt->units < 1 || opt->per_unit < 4 ||
        opt->rounds < 1 || opt->event_units < 1 || opt->units > 99999 ||
        opt->event_units > 99999) {
        fprintf (stderr, "bench_report: need 1 <= units <= 99999, "
                         "events-per-unit >= 4, rounds >= 1, sizes "
                         "like 100,1000 and tables among 1,2,3,4\n");
        return 2;
    }
    for (int i = 0; i < opt->unit_size_count; i++)
        if (opt->unit_sizes[i] > 99999) {
            fprintf (stderr, "bench_report: at most 99999 units\n");
            return 2;
        }
    if (opt->ruleset_count == 0) {
        opt->rulesets[opt->ruleset_count++] = "jintai-2025";
        opt->rulesets[opt->ruleset_count++] = "furong-2022";
        opt->rulesets[opt->ruleset_count++] = "lianyungang-2017";
    }
    return 0;
}

int
bench_report_main (int argc, char *argv[])
{
    s_options_t opt;
    int rc = s_options (argc, argv, &opt);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    char err[256];
    rules_set_t *sets = rules_set_load (NULL, err);
    if (!sets) {
        fprintf (stderr, "bench_report: %s\n", err);
        return 1;
    }
    const rules_ruleset_t *rs[8];
    for (int r = 0; r < opt.ruleset_count; r++)
        if (!(rs[r] = rules_set_find (sets, opt.rulesets[r]))) {
            fprintf (stderr, "bench_report: no ruleset %s\n", opt.rulesets[r]);
            rules_set_destroy (&sets);
            return 1;
        }
    s_result_t result;
    rc = 0;
    if (opt.tables[1]) {
        long events = (long)opt.units * opt.per_unit;
        printf ("1. report generation by ruleset: %d units, %ld events in "
                "the month, %d rounds\n   (ms; baseline: one read "
                "transaction reading the units' counter records)\n",
                opt.units, events, opt.rounds);
        s_header ("ruleset");
        for (int r = 0; rc == 0 && r < opt.ruleset_count; r++)
            if ((rc = s_measure (&opt, rs[r], opt.units, events, &result)) == 0)
                s_row (opt.rulesets[r], events, &result);
        printf ("\n");
    }
    if (rc == 0 && opt.tables[2]) {
        printf ("2. by units: %s, %d events per unit, %d rounds (ms)\n",
                opt.rulesets[0], opt.per_unit, opt.rounds);
        s_header ("units");
        for (int i = 0; rc == 0 && i < opt.unit_size_count; i++) {
            int units = (int)opt.unit_sizes[i];
            long events = (long)units * opt.per_unit;
            char label[32];
            snprintf (label, sizeof (label), "%d", units);
            if ((rc = s_measure (&opt, rs[0], units, events, &result)) == 0)
                s_row (label, events, &result);
        }
        printf ("\n");
    }
    if (rc == 0 && opt.tables[3]) {
        printf ("3. by events in the month: %s, %d units, %d rounds (ms)\n",
                opt.rulesets[0], opt.event_units, opt.rounds);
        s_header ("units");
        double first = 0, last = 0, first_base = 0, last_base = 0;
        for (int i = 0; rc == 0 && i < opt.event_size_count; i++) {
            long events = opt.event_sizes[i] / 4 * 4;
            char label[32];
            snprintf (label, sizeof (label), "%d", opt.event_units);
            if ((rc = s_measure (&opt, rs[0], opt.event_units, events,
                                 &result)) == 0) {
                s_row (label, events, &result);
                if (i == 0) {
                    first = result.report;
                    first_base = result.baseline;
                }
                last = result.report;
                last_base = result.baseline;
            }
        }
        if (rc == 0 && opt.event_size_count > 1)
            printf ("largest / smallest month: report %.2fx, baseline %.2fx "
                    "(flat: about 1)\n",
                    last / first, last_base / first_base);
        printf ("\n");
    }
    if (rc == 0 && opt.tables[4]) {
        printf ("4. explain: %s, one unit with %ld tickets in the month among "
                "%d units,\n   %d rounds (ms; baseline: the report of the "
                "same store)\n",
                opt.rulesets[0], opt.explain_tickets, opt.units, opt.rounds);
        s_header ("explain");
        if ((rc = s_measure_explain (&opt, rs[0], opt.explain_tickets,
                                     &result)) == 0)
            s_row ("U00000", opt.explain_tickets * 4, &result);
        printf ("\n");
    }
    rules_set_destroy (&sets);
    return rc == 0 ? 0 : 1;
}
