/*  bench_replay: see bench_replay.h. */
#include "bench_replay.h"

#include "scorer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int
bench_replay_store (const char *dir, double *events_per_second,
                    uint64_t *events, double *seconds)
{
    char path[1100], err[256];
    /* Room to grow: a rebuild writes the derived tables anew before the
       pages of the old ones can all be reused. */
    struct stat st;
    snprintf (path, sizeof (path), "%s/data.mdb", dir);
    if (stat (path, &st) != 0) {
        fprintf (stderr, "bench_replay: no store in %s\n", dir);
        return -1;
    }
    size_t map = 4ULL << 30;
    if ((size_t)st.st_size * 2 > map)
        map = (size_t)st.st_size * 2;
    /* The same lock as hotlined and hotline replay: never rebuild a store
       a daemon is writing. */
    snprintf (path, sizeof (path), "%s/hotlined.lock", dir);
    int lock = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (lock < 0 || flock (lock, LOCK_EX | LOCK_NB) != 0) {
        fprintf (stderr, "bench_replay: %s: %s\n", dir,
                 lock < 0 ? strerror (errno)
                          : "another hotlined or hotline replay is using it");
        if (lock >= 0)
            close (lock);
        return -1;
    }
    store_t *store = store_new (dir, map, err);
    if (!store) {
        fprintf (stderr, "bench_replay: %s\n", err);
        close (lock);
        return -1;
    }
    scorer_rebuild_result_t result;
    int rc =
        scorer_rebuild (store, SCORER_CLOCK_EVENT, NULL, NULL, &result, err);
    store_destroy (&store);
    close (lock);
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
