/*  bench_report: how long a scorecard takes, against the floor.

    Builds a store with N units (default 1,000) and a month of events for
    them through the real state machine, then times, alternating within
    each round so both see the same machine load:
      baseline  one read transaction reading every unit's counter record
                (the least any report must do);
      report    scorer_report_json for each shipped ruleset asked, in a
                read transaction, as the query endpoint runs it.
    Prints the median and p90 of each over the rounds and the ratio of the
    medians. Figures are wall-clock on a shared machine: read the ratios.

    usage: bench_report [--units N] [--events-per-unit K] [--rounds R]
                        [--ruleset ID]... [--quick]                       */
#include "scorer.h"
#include "scorer_internal.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
static uint64_t s_state = 0x9E3779B97F4A7C15ULL;
static uint64_t
s_rand (void)
{
    uint64_t z = (s_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void
s_event (proto_event_t *ev, int seq, proto_type_t type, const char *ticket,
         const char *unit, int64_t at)
{
    memset (ev, 0, sizeof (*ev));
    snprintf (ev->event_id, sizeof (ev->event_id), "b%d", seq);
    ev->type = type;
    snprintf (ev->ticket_id, sizeof (ev->ticket_id), "%s", ticket);
    snprintf (ev->unit_id, sizeof (ev->unit_id), "%s", unit);
    ev->occurred_at = at;
}

/* A month (2025-07) of tickets: received, mostly closed on time, some
   late, some revisited unsatisfied, spread over the units. */
static int
s_build (store_t *store, const scorer_ruleset_t *rs, int units, int per_unit)
{
    store_txn_t *txn = store_begin (store, true);
    proto_unit_t *list = calloc ((size_t)units, sizeof (*list));
    for (int u = 0; u < units; u++) {
        snprintf (list[u].unit_id, sizeof (list[u].unit_id), "U%05d", u);
        snprintf (list[u].name, sizeof (list[u].name), "单位%05d", u);
        /* Units spread over the ruleset's own tables. */
        snprintf (list[u].group, sizeof (list[u].group), "%s",
                  rs->tables[u % rs->table_count].group);
    }
    size_t added;
    int rc = scorer_units_import (txn, list, (size_t)units, &added);
    free (list);
    int64_t start =
        scorer_period_start ((scorer_period_t){SCORER_MONTH, 2025 * 12 + 6});
    int seq = 0, tickets = units * per_unit / 4;
    scorer_effects_t *fx = scorer_effects_new ();
    for (int t = 0; t < tickets && rc == STORE_OK; t++) {
        char ticket[32], unit[16], reason[PROTO_ERROR_MAX + 1];
        snprintf (ticket, sizeof (ticket), "T%07d", t);
        snprintf (unit, sizeof (unit), "U%05d", (int)(s_rand () % units));
        int64_t at = start + (int64_t)(s_rand () % (25LL * 86400000));
        proto_event_t ev;
        s_event (&ev, seq++, PROTO_RECEIVED, ticket, unit, at);
        ev.dispatched_at = at - 600000;
        ev.due_at = at + 3 * 86400000LL;
        strcpy (ev.channel, s_rand () % 10 ? "hotline" : "mayor_mailbox");
        snprintf (ev.category, sizeof (ev.category), "c%d",
                  (int)(s_rand () % 8));
        int store_rc;
        scorer_apply (txn, &ev, SCORER_CLOCK_EVENT, fx, reason, &store_rc);
        s_event (&ev, seq++, PROTO_CONTACTED, ticket, unit, at + 1800000);
        scorer_apply (txn, &ev, SCORER_CLOCK_EVENT, fx, reason, &store_rc);
        int64_t close = at + (s_rand () % 20 ? 86400000LL : 4 * 86400000LL);
        s_event (&ev, seq++, PROTO_CLOSED, ticket, unit, close);
        scorer_apply (txn, &ev, SCORER_CLOCK_EVENT, fx, reason, &store_rc);
        s_event (&ev, seq++, PROTO_REVISITED, ticket, unit, close + 3600000);
        ev.satisfaction =
            s_rand () % 30 ? PROTO_SAT_SATISFIED : PROTO_SAT_UNSATISFIED;
        ev.resolved = PROTO_RES_YES;
        scorer_apply (txn, &ev, SCORER_CLOCK_EVENT, fx, reason, &store_rc);
        rc = store_rc;
        scorer_effects_reset (fx);
        if (t % 5000 == 4999 && rc == STORE_OK) {
            rc = store_commit (&txn);
            txn = store_begin (store, true);
        }
    }
    scorer_effects_destroy (&fx);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    return rc;
}

static double
s_time_baseline (store_t *store, const scorer_unit_t *units, size_t count)
{
    double t0 = s_now_us ();
    store_txn_t *txn = store_begin (store, false);
    double sum = 0;
    for (size_t u = 0; u < count; u++) {
        uint8_t key[STORE_KEY_MAX];
        size_t size =
            scorer__counter_key (key, "2025-07", units[u].unit_id, "", "");
        int32_t c[SC_STORED_COUNT];
        store_get_i32 (txn, STORE_COUNTERS, key, size, c, SC_STORED_COUNT);
        sum += c[SC_CLOSED];
    }
    store_abort (&txn);
    double elapsed = s_now_us () - t0;
    return sum >= 0 ? elapsed : -1; /* keep the reads from being elided */
}

static double
s_time_report (store_t *store, const scorer_ruleset_t *rs, size_t *bytes)
{
    double t0 = s_now_us ();
    store_txn_t *txn = store_begin (store, false);
    char err[256];
    char *json = scorer_report_json (txn, rs, "2025-07", 0, err);
    store_abort (&txn);
    double elapsed = s_now_us () - t0;
    if (!json) {
        fprintf (stderr, "bench_report: %s\n", err);
        exit (1);
    }
    *bytes = strlen (json);
    free (json);
    return elapsed;
}

int
main (int argc, char *argv[])
{
    int units = 1000, per_unit = 40, rounds = 50;
    const char *rulesets[8];
    int ruleset_count = 0;
    static struct option options[] = {
        {"units", required_argument, 0, 'u'},
        {"events-per-unit", required_argument, 0, 'e'},
        {"rounds", required_argument, 0, 'r'},
        {"ruleset", required_argument, 0, 's'},
        {"quick", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long (argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'u':
            units = atoi (optarg);
            break;
        case 'e':
            per_unit = atoi (optarg);
            break;
        case 'r':
            rounds = atoi (optarg);
            break;
        case 's':
            if (ruleset_count < 8)
                rulesets[ruleset_count++] = optarg;
            break;
        case 'q':
            units = 100;
            per_unit = 8;
            rounds = 5;
            break;
        case 'h':
            printf ("usage: bench_report [--units N] [--events-per-unit K] "
                    "[--rounds R]\n"
                    "                    [--ruleset ID]... [--quick]\n"
                    "Times scorer_report_json against a bare read of the "
                    "same counter\nrecords; defaults: 1000 units, 40 events "
                    "each, 50 rounds,\nrulesets jintai-2025 furong-2022 "
                    "lianyungang-2017.\n");
            return 0;
        default:
            return 2;
        }
    }
    if (units < 1 || per_unit < 4 || rounds < 1) {
        fprintf (stderr, "bench_report: need units >= 1, events-per-unit "
                         ">= 4, rounds >= 1\n");
        return 2;
    }
    if (ruleset_count == 0) {
        rulesets[ruleset_count++] = "jintai-2025";
        rulesets[ruleset_count++] = "furong-2022";
        rulesets[ruleset_count++] = "lianyungang-2017";
    }
    char err[256];
    scorer_rulesets_t *sets = scorer_rulesets_load (NULL, err);
    if (!sets) {
        fprintf (stderr, "bench_report: %s\n", err);
        return 1;
    }
    printf ("report generation, %d units, %d events in the month, %d "
            "rounds (median, p90 in ms)\n",
            units, units * per_unit, rounds);
    printf ("%-18s %10s %10s %10s %10s\n", "ruleset", "median", "p90",
            "baseline", "ratio");
    double *base = calloc ((size_t)rounds, sizeof (double));
    double *rep = calloc ((size_t)rounds, sizeof (double));
    for (int r = 0; r < ruleset_count; r++) {
        const scorer_ruleset_t *rs = scorer_rulesets_find (sets, rulesets[r]);
        if (!rs) {
            fprintf (stderr, "bench_report: no ruleset %s\n", rulesets[r]);
            return 1;
        }
        char dir[] = "/tmp/hotline-bench-XXXXXX";
        store_t *store = mkdtemp (dir) ? store_new (dir, 0, err) : NULL;
        if (!store) {
            fprintf (stderr, "bench_report: cannot create a store\n");
            return 1;
        }
        double t0 = s_now_us ();
        if (s_build (store, rs, units, per_unit) != STORE_OK) {
            fprintf (stderr, "bench_report: building the store failed\n");
            return 1;
        }
        fprintf (stderr, "%s: built %d units, %d events in %.1f s\n",
                 rulesets[r], units, units * per_unit,
                 (s_now_us () - t0) / 1e6);
        store_txn_t *txn = store_begin (store, false);
        size_t count;
        scorer_unit_t *list = scorer_units_list (txn, &count);
        store_abort (&txn);
        size_t bytes = 0;
        s_time_report (store, rs, &bytes); /* warm the page cache */
        for (int i = 0; i < rounds; i++) {
            base[i] = s_time_baseline (store, list, count);
            rep[i] = s_time_report (store, rs, &bytes);
        }
        double bm = s_percentile (base, rounds, 0.5);
        double rm = s_percentile (rep, rounds, 0.5);
        printf ("%-18s %10.3f %10.3f %10.3f %9.1fx   (%zu bytes of JSON)\n",
                rulesets[r], rm / 1e3, s_percentile (rep, rounds, 0.9) / 1e3,
                bm / 1e3, rm / bm, bytes);
        free (list);
        store_destroy (&store);
        char command[64];
        snprintf (command, sizeof (command), "rm -rf %s", dir);
        if (system (command) != 0)
            fprintf (stderr, "bench_report: could not remove %s\n", dir);
    }
    free (base);
    free (rep);
    scorer_rulesets_destroy (&sets);
    return 0;
}
