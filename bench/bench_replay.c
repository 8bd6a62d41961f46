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

/* The two copies played into: every operation, and the writes alone. */
#define S_COPIES 2

/* The floor's state, handed to the rebuild's progress callback. */
typedef struct {
    bench_tape_t tape;        /* the batch's operations */
    char dir[S_COPIES][4096]; /* the copies' directories */
    store_t *copy[S_COPIES];  /* their stores */
    int64_t usecs[S_COPIES];  /* the plays' time */
    bool failed;              /* a play failed: the rest is skipped */
    char err[256];            /* why */
} s_floor_t;

/* After each of the rebuild's commits: its operations into the copies. */
static void
s_floor_play (uint64_t done, uint64_t total, void *arg)
{
    (void)done;
    (void)total;
    s_floor_t *floor = arg;
    for (int k = 0; k < S_COPIES && !floor->failed; k++) {
        int64_t start = zclock_usecs ();
        floor->failed = bench_tape_play (&floor->tape, floor->copy[k], k == 0,
                                         floor->err) != 0;
        floor->usecs[k] += zclock_usecs () - start;
    }
    bench_tape_reset (&floor->tape);
}

/* Copies `dir` into floor->dir[k] and opens it with a mark in its
   tickets. The copy holds what the rebuild will make again: the mark,
   which the rebuild's first commit (emptying the derived tables)
   removes, keeps the end check from passing on a copy never played
   into. */
static int
s_floor_copy (s_floor_t *floor, int k, const char *dir, size_t map)
{
    char command[8300], err[256];
    if (snprintf (floor->dir[k], sizeof (floor->dir[k]), "%s.floor%d", dir,
                  k) >= (int)sizeof (floor->dir[k])) {
        floor->dir[k][0] = 0; /* nothing of ours to remove */
        fprintf (stderr, "bench_replay: directory name too long\n");
        return -1;
    }
    snprintf (command, sizeof (command), "rm -rf '%s' && cp -r '%s' '%s'",
              floor->dir[k], dir, floor->dir[k]);
    if (system (command) != 0) {
        fprintf (stderr, "bench_replay: cannot copy %s\n", dir);
        return -1;
    }
    floor->copy[k] = store_new (floor->dir[k], map, err);
    if (!floor->copy[k]) {
        fprintf (stderr, "bench_replay: %s: %s\n", floor->dir[k], err);
        return -1;
    }
    store_txn_t *txn = store_begin (floor->copy[k], true);
    int rc = txn && store_put (txn, STORE_TICKETS, S_MARK, strlen (S_MARK), "",
                               0) == STORE_OK
                 ? store_commit (&txn)
                 : STORE_ERROR;
    store_abort (&txn);
    if (rc != STORE_OK)
        fprintf (stderr, "bench_replay: cannot write into %s\n", floor->dir[k]);
    return rc == STORE_OK ? 0 : -1;
}

/* Closes and removes the copies. */
static void
s_floor_remove (s_floor_t *floor)
{
    char command[4200];
    for (int k = 0; k < S_COPIES; k++) {
        store_destroy (&floor->copy[k]);
        if (!floor->dir[k][0])
            continue;
        snprintf (command, sizeof (command), "rm -rf '%s'", floor->dir[k]);
        if (system (command) != 0)
            fprintf (stderr, "bench_replay: cannot remove %s\n", floor->dir[k]);
    }
    bench_tape_free (&floor->tape);
}

int
bench_replay_floor (const char *dir, double *all_per_second,
                    double *writes_per_second)
{
    char err[256];
    uint64_t bytes = 0;
    store_present (dir, &bytes);
    size_t map = 4ULL << 30;
    if ((size_t)bytes * 2 > map)
        map = (size_t)bytes * 2;
    s_floor_t *floor = calloc (1, sizeof (*floor));
    if (!floor) {
        fprintf (stderr, "bench_replay: out of memory\n");
        return -1;
    }
    /* Copied under the directory's lock: what is copied is what the
       rebuild starts from. */
    store_lock_t *lock = store_lock (dir, err);
    store_t *store = lock ? store_new (dir, map, err) : NULL;
    int rc = store ? 0 : -1;
    if (rc != 0)
        fprintf (stderr, "bench_replay: %s: %s\n", dir, err);
    for (int k = 0; k < S_COPIES && rc == 0; k++)
        rc = s_floor_copy (floor, k, dir, map);
    state_rebuild_result_t result;
    if (rc == 0) {
        store_set_tap (store, bench_tape_record, &floor->tape);
        rc = state_rebuild (store, STATE_CLOCK_EVENT, 0, s_floor_play, floor,
                            &result, err);
        store_set_tap (store, NULL, NULL);
        if (rc != 0)
            fprintf (stderr, "bench_replay: %s: %s\n", dir, err);
    }
    if (rc == 0 && floor->failed) {
        fprintf (stderr, "bench_replay: floor: %s\n", floor->err);
        rc = -1;
    }
    for (int k = 0; k < S_COPIES && rc == 0; k++)
        if (bench_stores_same (floor->copy[k], store,
                               k == 0 ? "replay floor" : "replay floor, writes",
                               err) != 0) {
            fprintf (stderr, "bench_replay: %s\n", err);
            rc = -1;
        }
    double events = rc == 0 ? (double)(result.events + result.refused) : 0;
    if (all_per_second)
        *all_per_second = rc == 0 && floor->usecs[0] > 0
                              ? events / (floor->usecs[0] / 1e6)
                              : 0;
    if (writes_per_second)
        *writes_per_second = rc == 0 && floor->usecs[1] > 0
                                 ? events / (floor->usecs[1] / 1e6)
                                 : 0;
    store_destroy (&store);
    store_unlock (&lock);
    s_floor_remove (floor);
    free (floor);
    return rc;
}
