/*  bench_apply: the state machine's CPU time per event (bench_apply.h). */
#include "bench_apply.h"
#include "bench_gen.h"

#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define S_COMMIT 4096 /* events per transaction: hotlined's batch_max */

static double
s_cpu_seconds (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
bench_apply_units (store_txn_t *txn, int units)
{
    proto_unit_t *list = bench_gen_units (units);
    size_t added;
    int rc = list && txn ? state_units_import (txn, list, (size_t)units, &added)
                         : STORE_ERROR;
    free (list);
    return rc;
}

/* A fresh scratch store with the units and the settings. */
static store_t *
s_store (const proto_unit_t *units, size_t unit_count, const char *calendar,
         const char *windows)
{
    char err[256] = "";
    store_t *store = store_scratch_new ((size_t)4 << 30, err);
    store_txn_t *txn = store ? store_begin (store, true) : NULL;
    size_t added;
    int rc =
        txn ? state_units_import (txn, units, unit_count, &added) : STORE_ERROR;
    if (rc == STORE_OK)
        rc = state_calendar_configure (txn, calendar, STATE_HOURS_DEFAULT,
                                       windows, err);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    store_abort (&txn);
    if (rc != STORE_OK) {
        fprintf (stderr, "bench apply: cannot make the store: %s\n",
                 *err ? err : store_strerror (rc));
        store_destroy (&store);
    }
    return store;
}

double
bench_apply_cpu (const proto_event_t *events, size_t count,
                 const proto_unit_t *units, size_t unit_count,
                 const char *calendar, const char *windows)
{
    store_t *store = s_store (units, unit_count, calendar, windows);
    store_txn_t *txn = store ? store_begin (store, true) : NULL;
    char err[256];
    state_calendar_t *cal = txn ? state_calendar_load (txn, err) : NULL;
    int rc = cal ? STORE_OK : STORE_ERROR;
    /* The clock is the events': no future check applies to a replayed
       month. */
    state_ctx_t ctx = {
        .clock = STATE_CLOCK_EVENT, .wall_now = INT64_MAX / 2, .calendar = cal};
    double t0 = s_cpu_seconds ();
    for (size_t i = 0; i < count && rc == STORE_OK; i++) {
        char reason[PROTO_ERROR_MAX + 1];
        int store_rc = STORE_OK;
        state_outcome_t outcome =
            state_apply (txn, &events[i], &ctx, reason, &store_rc, NULL);
        if (outcome == STATE_FAILED)
            rc = store_rc;
        else if (outcome != STATE_STORED) {
            fprintf (stderr, "bench apply: %s refused: %s\n",
                     events[i].event_id, reason);
            rc = STORE_ERROR;
        }
        if (rc == STORE_OK && (i + 1) % S_COMMIT == 0) {
            /* As the scorer does before its commits. */
            rc = state_counted_settle (txn, STATE_COUNTED_PENDING_MAX);
            if (rc == STORE_OK)
                rc = store_commit (&txn);
            txn = rc == STORE_OK ? store_begin (store, true) : NULL;
            rc = txn ? rc : STORE_ERROR;
        }
    }
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    double seconds = s_cpu_seconds () - t0;
    store_abort (&txn);
    state_calendar_destroy (&cal);
    store_destroy (&store);
    if (rc != STORE_OK)
        return -1;
    return seconds * 1e6 / (double)count;
}
