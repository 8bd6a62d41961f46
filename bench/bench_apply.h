/*  bench_apply: the state machine alone, in-process, on a scratch store:
    its CPU time per event for a stream under given working-time
    settings. What `hotline-bench ingest --time-limits` compares to show
    what the calendar costs, free of the sockets, the fsyncs and the
    other work of a shared machine that move the daemon's figures.

    Thread rules: any thread; each call makes and removes its own store. */
#ifndef BENCH_APPLY_H_INCLUDED
#define BENCH_APPLY_H_INCLUDED

#include "proto.h"
#include "store.h"

#include <stddef.h>

/* Imports the generated registry of `units` units (bench_gen_units) in
   the write transaction; a store_rc_t (STORE_ERROR: txn NULL or out of
   memory). */
int bench_apply_units (store_txn_t *txn, int units);

/* Applies `events` (in order, event clock) to a fresh store holding
   `units`, with the working-time settings `calendar` and `windows`
   (docs/calendar.md), committing every 4096 events as hotlined's
   batches do. Returns the process CPU time of the applying, in µs per
   event, or -1 with the reason on stderr (an event refused included). */
double bench_apply_cpu (const proto_event_t *events, size_t count,
                        const proto_unit_t *units, size_t unit_count,
                        const char *calendar, const char *windows);

#endif
