/*  bench_replay: see bench_replay.h. */
#include "bench_replay.h"

#include "bench_tape.h"
#include "state.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
bench_replay_store (const char *dir, double *events_per_second,
                    uint64_t *events, double *seconds)
{
    char err[256];
    /* Room to grow: a rebuild writes the derived tables anew before the
       pages of the old ones can all be reused. */
    uint64_t bytes = 0;
    if (store_present (dir, &bytes) != 0) {
        fprintf (stderr, "bench_replay: no store in %s\n", dir);
        return -1;
    }
    size_t map = 4ULL << 30;
    if ((size_t)bytes * 2 > map)
        map = (size_t)bytes * 2;
    /* The same lock as hotlined and hotline replay: never rebuild a store
       a daemon is writing. */
    store_lock_t *lock = store_lock (dir, err);
    store_t *store = lock ? store_new (dir, map, err) : NULL;
    if (!store) {
        fprintf (stderr, "bench_replay: %s: %s\n", dir, err);
        store_unlock (&lock);
        return -1;
    }
    state_rebuild_result_t result;
    int rc =
        state_rebuild (store, STATE_CLOCK_EVENT, 0, NULL, NULL, &result, err);
    store_destroy (&store);
    store_unlock (&lock);
    if (rc != 0) {
        fprintf (stderr, "bench_replay: %s: %s\n", dir, err);
        return -1;
    }
    uint64_t walked = result.events + result.refused;
    if (events)
        *events = walked;
    if (seconds)
        *seconds = result.seconds;
    if (events_per_second)
        *events_per_second =
            result.seconds > 0 ? (double)walked / result.seconds : 0;
    return 0;
}

/* A ticket id no stream has. */
#define S_MARK "~bench-floor-mark"

/* The floor's state, handed to the rebuild's progress callback. */
typedef struct {
    bench_tape_t tape; /* the batch's operations */
    store_t *floor;    /* where they are played */
    int64_t usecs;     /* the plays' time */
    bool failed;       /* a play failed: the rest is skipped */
    char err[256];     /* why */
} s_floor_t;

/* After each of the rebuild's commits: its operations into the floor. */
static void
s_floor_play (uint64_t done, uint64_t total, void *arg)
{
    (void)done;
    (void)total;
    s_floor_t *floor = arg;
    if (!floor->failed) {
        int64_t start = zclock_usecs ();
        floor->failed =
            bench_tape_play (&floor->tape, floor->floor, floor->err) != 0;
        floor->usecs += zclock_usecs () - start;
    }
    bench_tape_reset (&floor->tape);
}

int
bench_replay_floor (const char *dir, double *events_per_second)
{
    char err[256], copy[4096], command[8300];
    if (snprintf (copy, sizeof (copy), "%s.floor", dir) >= (int)sizeof (copy))
        return -1;
    snprintf (command, sizeof (command), "rm -rf '%s' && cp -r '%s' '%s'", copy,
              dir, copy);
    if (system (command) != 0) {
        fprintf (stderr, "bench_replay: cannot copy %s\n", dir);
        return -1;
    }
    uint64_t bytes = 0;
    store_present (dir, &bytes);
    size_t map = 4ULL << 30;
    if ((size_t)bytes * 2 > map)
        map = (size_t)bytes * 2;
    s_floor_t floor = {.tape = {0}};
    store_lock_t *lock = store_lock (dir, err);
    store_t *store = lock ? store_new (dir, map, err) : NULL;
    floor.floor = store ? store_new (copy, map, err) : NULL;
    int rc = floor.floor ? 0 : -1;
    if (rc != 0)
        fprintf (stderr, "bench_replay: %s: %s\n", dir, err);
    /* The copy holds what the rebuild will make again: a record of its
       own that the rebuild's first commit (which empties the derived
       tables) removes keeps the end check from passing on a copy that
       was never played into. */
    store_txn_t *txn = rc == 0 ? store_begin (floor.floor, true) : NULL;
    if (rc == 0 && (!txn ||
                    store_put (txn, STORE_TICKETS, S_MARK, strlen (S_MARK), "",
                               0) != STORE_OK ||
                    store_commit (&txn) != STORE_OK)) {
        fprintf (stderr, "bench_replay: cannot write into %s\n", copy);
        rc = -1;
    }
    store_abort (&txn);
    state_rebuild_result_t result;
    if (rc == 0) {
        store_set_tap (store, bench_tape_record, &floor.tape);
        rc = state_rebuild (store, STATE_CLOCK_EVENT, 0, s_floor_play, &floor,
                            &result, err);
        store_set_tap (store, NULL, NULL);
        if (rc != 0)
            fprintf (stderr, "bench_replay: %s: %s\n", dir, err);
    }
    if (rc == 0 && floor.failed) {
        fprintf (stderr, "bench_replay: floor: %s\n", floor.err);
        rc = -1;
    }
    if (rc == 0 &&
        bench_stores_same (floor.floor, store, "replay floor", err) != 0) {
        fprintf (stderr, "bench_replay: %s\n", err);
        rc = -1;
    }
    store_destroy (&floor.floor);
    store_destroy (&store);
    store_unlock (&lock);
    bench_tape_free (&floor.tape);
    snprintf (command, sizeof (command), "rm -rf '%s'", copy);
    if (system (command) != 0)
        fprintf (stderr, "bench_replay: cannot remove %s\n", copy);
    if (rc == 0 && events_per_second)
        *events_per_second = floor.usecs > 0
                                 ? (double)(result.events + result.refused) /
                                       ((double)floor.usecs / 1e6)
                                 : 0;
    return rc;
}
