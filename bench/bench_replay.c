/*  bench_replay: see bench_replay.h. */
#include "bench_replay.h"

#include "state.h"

#include <stdio.h>

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
