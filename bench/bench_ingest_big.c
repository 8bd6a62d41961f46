/*  bench_ingest_big: the big store of hotline-bench ingest, filled once
    in-process through the real state machine and reused by later runs
    (each round then adds its own stream with fresh ids). */
#include "bench_internal.h"
#include "bench_apply.h"
#include "bench_gen.h"
#include "bench_replay.h"
#include "state.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* The wall clock the state machine is told (it reads none itself). */
#define WALL_NOW ((int64_t)time (NULL) * 1000)

/* True when the store in `data` is of the layout this build writes;
   else why not. */
static bool
s_layout_current (const char *data, char *why)
{
    char err[256];
    store_t *store = store_new (data, (size_t)64 << 30, err);
    store_txn_t *txn = store ? store_begin (store, false) : NULL;
    bool current = txn && state_layout_check (txn, why) == 0;
    if (!store)
        snprintf (why, 256, "%s", err);
    store_abort (&txn);
    store_destroy (&store);
    return current;
}

/* Fills `data` with big_tickets tickets of January 2024 to June 2025
   through the state machine in-process, in transactions of 50,000
   events, unless a previous run left it complete (a "filled" file). */
int
bench__ingest_big_fill (const bench__ingest_options_t *opt, const char *dir,
                        const char *data)
{
    char marker[512];
    snprintf (marker, sizeof (marker), "%s/filled-%llu", dir,
              (unsigned long long)opt->big_tickets);
    if (access (marker, F_OK) == 0) {
        /* A store an older build filled may be of a layout this hotlined
           refuses: fill it again rather than fail the run. */
        char why[256] = "";
        if (s_layout_current (data, why)) {
            printf ("  big store: reusing %s\n", data);
            return 0;
        }
        /* As a user upgrades: hotline replay's rebuild converts it, in
           minutes where filling it again takes half an hour. */
        printf ("  big store: %s is of an older layout (%s): converting it "
                "as hotline replay does\n",
                data, why);
        fflush (stdout);
        double rate, seconds;
        uint64_t events;
        if (bench_replay_store (data, &rate, &events, &seconds) == 0) {
            printf ("  big store: converted, %llu events in %.0f s "
                    "(%.0f events/s)\n",
                    (unsigned long long)events, seconds, rate);
            return 0;
        }
        printf ("  big store: not converted: filling it again\n");
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
    store_txn_t *txn = store_begin (store, true);
    int rc = bench_apply_units (txn, opt->units);
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
            rc = state_counted_settle (txn, STATE_COUNTED_PENDING_MAX);
            if (rc == STORE_OK)
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
