/*  cli_replay: hotline replay, the rebuild of every aggregate from the
    event log, on the store directly (no daemon, no sockets). */
#include "cli.h"
#include "state.h"

#include <string.h>
#include <time.h>

static const char *s_help =
    "usage: hotline replay [--data DIR] [--clock wall|event]\n"
    "\n"
    "Rebuilds every aggregate (tickets, deadlines, counters, manual items,\n"
    "open alerts, the clock) from the event log, in place, with hotlined\n"
    "stopped (it refuses while the daemon uses the directory). Run it\n"
    "after a scorer fix, a restored store or new rules. An interrupted\n"
    "rebuild is finished by the next one; hotlined will not start on a\n"
    "half-rebuilt store. Progress on stderr, a JSON summary on stdout:\n"
    "{\"events\":N,\"refused\":R,\"seconds\":S,\"events_per_second\":X}.\n"
    "\n"
    "  --data DIR      the data directory (default: the configuration's)\n"
    "  --clock MODE    event: deadlines pass as event time passes; wall:\n"
    "                  the same, then the clock moves to now (default: the\n"
    "                  configuration's clock)\n";

typedef struct {
    const char *data;  /* --data */
    const char *clock; /* --clock */
} s_args_t;

static int
s_option (void *arg, int option, const char *value)
{
    s_args_t *a = arg;
    if (option == 1)
        a->data = value;
    else
        a->clock = value;
    return 0;
}

static double
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Progress lines, at most one a second, with the rate since the last. */
typedef struct {
    double last;        /* s_now of the last line (or the start) */
    uint64_t last_done; /* events done then */
} s_progress_t;

static void
s_progress (uint64_t done, uint64_t total, void *arg)
{
    s_progress_t *p = arg;
    double now = s_now ();
    if (now - p->last < 1)
        return;
    double rate = (double)(done - p->last_done) / (now - p->last);
    fprintf (stderr, "replay: %llu of %llu events (%d%%), %.0f events/s\n",
             (unsigned long long)done, (unsigned long long)total,
             total ? (int)(done * 100 / total) : 100, rate);
    p->last = now;
    p->last_done = done;
}

static void
s_summary (const state_rebuild_result_t *result)
{
    if (result->refused) {
        fprintf (stderr,
                 "replay: %llu events refused by the state machine (they were "
                 "stored once: the rules changed); the first:\n",
                 (unsigned long long)result->refused);
        for (uint64_t i = 0; i < result->refused && i < STATE_REBUILD_REASONS;
             i++)
            fprintf (stderr, "  %s\n", result->reasons[i]);
    }
}

int
cli_replay (cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {{"data", required_argument, 0, 1},
                                            {"clock", required_argument, 0, 2},
                                            {0, 0, 0, 0}};
    s_args_t a = {NULL, NULL};
    int first;
    int rc = cli_parse (cli, argc, argv, options, s_option, &a, s_help, &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    if (argc - first != 0) {
        cli_error (cli, "unexpected argument %s (hotline replay --help)",
                   argv[first]);
        return CLI_EXIT_USAGE;
    }
    const char *dir = a.data ? a.data : cli->config.data;
    const char *mode = a.clock ? a.clock : cli->config.clock;
    if (strcmp (mode, "wall") && strcmp (mode, "event")) {
        cli_error (cli, "--clock must be wall or event");
        return CLI_EXIT_USAGE;
    }
    /* Never create a store here: a mistyped directory is an error. */
    if (store_present (dir, NULL) != 0) {
        cli_error (cli, "no store in %s", dir);
        return 1;
    }
    char err[256];
    store_lock_t *lock = store_lock (dir, err);
    store_t *store =
        lock ? store_new (dir, cli->config.map_size_mb << 20, err) : NULL;
    if (!store) {
        cli_error (cli, "%s", err);
        store_unlock (&lock);
        return 1;
    }
    store_set_map_max (store, cli->config.map_max_mb << 20);
    s_progress_t progress = {s_now (), 0};
    store_txn_t *txn = store_begin (store, false);
    uint64_t next = 0;
    if (txn && state_rebuild_pending (txn, &next)) {
        fprintf (stderr,
                 "replay: resuming an interrupted rebuild at event %llu\n",
                 (unsigned long long)next);
        progress.last_done = next - 1;
    }
    store_abort (&txn);
    state_rebuild_result_t result;
    rc = state_rebuild (
        store,
        strcmp (mode, "wall") == 0 ? STATE_CLOCK_WALL : STATE_CLOCK_EVENT,
        (int64_t)time (NULL) * 1000, s_progress, &progress, &result, err);
    store_destroy (&store);
    store_unlock (&lock);
    s_summary (&result);
    if (rc != 0) {
        cli_error (cli, "%s", err);
        return 1;
    }
    uint64_t walked = result.events + result.refused;
    printf ("{\"events\":%llu,\"refused\":%llu,\"seconds\":%.3f,"
            "\"events_per_second\":%.0f}\n",
            (unsigned long long)result.events,
            (unsigned long long)result.refused, result.seconds,
            result.seconds > 0 ? (double)walked / result.seconds : 0.0);
    return 0;
}
