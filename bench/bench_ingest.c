/*  bench_ingest: durable ingest, acknowledgement latency, memory and store
    size, against the transport ceiling and SQLite, in the same run.

    The stream (bench_gen.h): 1,000 units, tickets issued in time order
    over July 2025, about 3.9 events per ticket. It is encoded once into
    EventBatch frames of --batch events; every ingest figure below sends
    exactly these frames over a DEALER socket with --window batches in
    flight (hotline's own sender does the same) and runs from the first
    send to the last acknowledgement.

    ingest   Each round runs, one after another on the same machine:
             raw     the frames to a ROUTER that only decodes them and
                     answers (bench_raw_receiver): the transport ceiling;
             empty   hotlined on a fresh store (the real endpoint, LMDB,
                     fsync'd group commits, acknowledged = durable);
             calendar (--time-limits) three more runs of hotlined on a
                     fresh store, in turn first: the due_at stream with
                     working time (the default calendar = cn), the same
                     stream with time limits in working days ("3wd")
                     instead of due_at, so that the calendar derives
                     every deadline (docs/calendar.md), and the due_at
                     stream with no working time at all (calendar =
                     none, windows in wall hours): each rate, and the
                     daemon's CPU time per event (from /proc, steadier
                     than the rate on a shared machine);
             big     hotlined on a store already holding --big-tickets
                     tickets (filled once, in-process through the real
                     state machine, then reused; each round adds its own
                     stream with fresh ids);
             sqlite  the same ticket, log, de-duplication, deadline and
                     counter writes in SQLite (WAL, synchronous=FULL) in
                     transactions of the same size as hotlined's commits
                     (bench_store_ingest), on an empty database; and from
                     the same recorded batches, the floors: those reads
                     and writes done by LMDB alone, their writes alone,
                     and the state machine applying the batches to LMDB
                     in-process, all with fsync'd commits of that size on
                     an empty store.
             Figures are medians over --rounds.
    latency  A fresh hotlined; messages of 10 events offered open-loop at
             fixed rates (1,000 and 10,000 events/s) for --seconds each;
             an event's latency is its message's send -> acknowledgement.
             Then 10,000 events/s again with unsafe_no_sync = yes: the
             same daemon without its commits' syncs, so what they cost
             and what is left without them (the daemon's own work on
             this machine's cores).
    memory   hotlined's resident memory sampled every 100 ms during the
             empty and big runs: anonymous (its own heap: must stay flat)
             and file-backed (the LMDB map, page cache); store bytes per
             million events stored; the bytes hotlined passed to write
             calls per event during the empty and big runs (wchar in
             /proc/PID/io: the pages its commits wrote), which counts
             rather than times and so does not move with the load; and
             a group's mean apply and commit times inside hotlined
             (`hotline stats`' histograms) in those runs: which of the
             two bounds the rate.
    replay   The last empty-store run's data rebuilt from its event log
             (bench_replay_store, as `hotline replay` does), events/s;
             then rebuilt again with its reads and writes recorded and
             played into a copy of the store after each commit, and
             its writes alone into another (bench_replay_floor): LMDB
             alone doing the rebuild's store work, and the part of it
             no faster replay keeping these records in LMDB can skip.

    Figures are wall-clock on a shared machine: read the ratios.

    This file holds the options, the setup, the order of the steps, the
    table and the cleanup; the steps are in bench_ingest_send.c,
    bench_ingest_big.c, bench_ingest_rounds.c and bench_ingest_latency.c
    (bench_internal.h). */
#include "bench_internal.h"
#include "bench_gen.h"
#include "bench_replay.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNITS_DEFAULT 1000

static void
s_usage (FILE *out)
{
    fprintf (
        out,
        "usage: hotline-bench ingest [--units N] [--tickets T] "
        "[--rounds R]\n"
        "                            [--batch B] [--window W] "
        "[--big-tickets T]\n"
        "                            [--big-store DIR] [--seconds S] "
        "[--quick]\n"
        "                            [--time-limits]\n"
        "\n"
        "  --units N        units (default 1000)\n"
        "  --tickets T      tickets of the timed stream (default "
        "200000, ~3.9 events each)\n"
        "  --rounds R       rounds, medians reported (default 3)\n"
        "  --batch B        events per message (default 500)\n"
        "  --window W       messages in flight (default 32, as hotline send)\n"
        "  --big-tickets T  tickets in the big store (default "
        "10000000; 0 skips it)\n"
        "  --big-store DIR  keep the big store there and reuse it "
        "(default\n"
        "                   /var/tmp/hotline-bench-big)\n"
        "  --seconds S      length of each latency run (default 10)\n"
        "  --quick          seconds-long smoke run for CI: figures are "
        "not judged\n"
        "  --time-limits    what the calendar costs: due_at, time limits "
        "(\"3wd\") and\n"
        "                   no working time, each on a fresh store\n");
}

static void
s_print_row (const char *what, const char *value, const char *ratio)
{
    printf ("| %-58s | %-18s | %-22s |\n", what, value, ratio);
}

/* A floor's row: its rate and its ratio to `base`, named `of`. */
static void
s_floor_row (const char *what, double rate, double base, const char *of)
{
    char value[32], ratio[64];
    snprintf (value, sizeof (value), "%.0f ev/s", rate);
    snprintf (ratio, sizeof (ratio), "%.2f× %s", rate / base, of);
    s_print_row (what, value, ratio);
}

/* The calendar's rows: each run's median rate, the daemon's CPU per
   event, and the state machine's alone; then what the time limits and
   the working time cost, as a share of the daemon's CPU per event. */
static void
s_calendar_rows (const bench__ingest_run_t *run, int rounds)
{
    enum { RATE = BENCH_INGEST_CAL_RATE, DAEMON = BENCH_INGEST_CAL_DAEMON };
    enum { APPLY = BENCH_INGEST_CAL_APPLY, RUNS = BENCH_INGEST_CAL_RUNS };
    enum { DUE = BENCH_INGEST_CAL_DUE, LIMITS = BENCH_INGEST_CAL_LIMITS };
    enum { NO_CAL = BENCH_INGEST_CAL_NONE };
    static const char *what[RUNS] = {
        "calendar: due_at, working time (cn), fresh store",
        "calendar: time limits (3wd...) instead, fresh store",
        "calendar: due_at, no working time (calendar = none)"};
    double m[BENCH_INGEST_CAL_FIGURES][RUNS], values[64];
    int n = rounds < 64 ? rounds : 64;
    for (int c = 0; c < RUNS; c++)
        for (int k = 0; k < BENCH_INGEST_CAL_FIGURES; k++) {
            for (int r = 0; r < n; r++)
                values[r] = run->cal[r][k][c];
            m[k][c] = bench_median (values, (size_t)n);
        }
    char value[64], ratio[64];
    for (int c = 0; c < RUNS; c++) {
        snprintf (value, sizeof (value), "%.0f ev/s", m[RATE][c]);
        snprintf (ratio, sizeof (ratio), "%.2f / %.2f µs CPU/ev", m[DAEMON][c],
                  m[APPLY][c]);
        s_print_row (what[c], value, ratio);
    }
    /* The state machine's difference, against what an event costs the
       daemon in all: the steadiest figure on a shared machine. */
    double limits = m[APPLY][LIMITS] - m[APPLY][DUE];
    snprintf (value, sizeof (value), "%+.2f µs/ev", limits);
    snprintf (ratio, sizeof (ratio), "%+.1f%% of ingest CPU",
              limits / m[DAEMON][DUE] * 100);
    s_print_row ("calendar: deriving due_at from time limits", value, ratio);
    double working = m[APPLY][DUE] - m[APPLY][NO_CAL];
    snprintf (value, sizeof (value), "%+.2f µs/ev", working);
    snprintf (ratio, sizeof (ratio), "%+.1f%% of ingest CPU",
              working / m[DAEMON][NO_CAL] * 100);
    s_print_row ("calendar: working-time windows and warnings", value, ratio);
}

/* Parses the options into *opt. Returns -1 to go on, or the exit code:
   0 after --help, 2 for a bad option. */
static int
s_options (int argc, char *argv[], bench__ingest_options_t *opt, bool *big_set)
{
    *opt = (bench__ingest_options_t){.units = UNITS_DEFAULT,
                                     .tickets = 200000,
                                     .rounds = 3,
                                     .batch = 500,
                                     .window = 32,
                                     .big_tickets = 10000000,
                                     .big_store = "/var/tmp/hotline-bench-big",
                                     .seconds = 10};
    static struct option longs[] = {{"units", required_argument, 0, 'u'},
                                    {"tickets", required_argument, 0, 't'},
                                    {"rounds", required_argument, 0, 'r'},
                                    {"batch", required_argument, 0, 'b'},
                                    {"window", required_argument, 0, 'w'},
                                    {"big-tickets", required_argument, 0, 'B'},
                                    {"big-store", required_argument, 0, 'S'},
                                    {"seconds", required_argument, 0, 's'},
                                    {"quick", no_argument, 0, 'q'},
                                    {"time-limits", no_argument, 0, 'L'},
                                    {"help", no_argument, 0, 'h'},
                                    {0, 0, 0, 0}};
    optind = 1;
    int c;
    *big_set = false;
    while ((c = getopt_long (argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'u':
            opt->units = atoi (optarg);
            break;
        case 't':
            opt->tickets = strtoull (optarg, NULL, 10);
            break;
        case 'r':
            opt->rounds = atoi (optarg);
            break;
        case 'b':
            opt->batch = strtoul (optarg, NULL, 10);
            break;
        case 'w':
            opt->window = strtoul (optarg, NULL, 10);
            break;
        case 'B':
            opt->big_tickets = strtoull (optarg, NULL, 10);
            *big_set = true;
            break;
        case 'S':
            opt->big_store = optarg;
            break;
        case 's':
            opt->seconds = atof (optarg);
            break;
        case 'q':
            opt->quick = true;
            break;
        case 'L':
            opt->time_limits = true;
            break;
        case 'h':
            s_usage (stdout);
            return 0;
        default:
            s_usage (stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf (stderr, "bench ingest: unexpected argument %s\n",
                 argv[optind]);
        s_usage (stderr);
        return 2;
    }
    if (opt->quick) {
        opt->tickets = 4000;
        opt->rounds = 1;
        opt->seconds = 1;
        if (!*big_set)
            opt->big_tickets = 20000;
    }
    if (opt->units < 1 || opt->units > 99999 || opt->tickets < 1 ||
        opt->rounds < 1 || opt->batch < 1 || opt->window < 1 ||
        opt->seconds <= 0) {
        fprintf (stderr, "bench ingest: bad option value\n");
        s_usage (stderr);
        return 2;
    }
    return -1;
}

/* Where the big store is (a temporary directory under --quick, unless
   --big-tickets was given), the heading, the big store filled, the
   registry and room for each round's figures. Returns 0, or -1 (the
   run ends with status 1). */
static int
s_setup (const bench__ingest_options_t *opt, bool big_set,
         bench__ingest_run_t *run)
{
    const char *big_dir = opt->big_store;
    if (opt->quick && !big_set) {
        snprintf (run->quick_dir, sizeof (run->quick_dir),
                  "/tmp/hotline-big-XXXXXX");
        if (!mkdtemp (run->quick_dir))
            return -1;
        big_dir = run->quick_dir;
    }
    snprintf (run->big_data, sizeof (run->big_data), "%s/data", big_dir);

    printf ("== ingest: %d units, %llu tickets, batches of %zu, window %zu, "
            "%d round(s)\n",
            opt->units, (unsigned long long)opt->tickets, opt->batch,
            opt->window, opt->rounds);
    if (opt->big_tickets &&
        bench__ingest_big_fill (opt, big_dir, run->big_data) != 0)
        return -1;
    run->units = bench_gen_units (opt->units);
    size_t rounds = (size_t)opt->rounds;
    run->raw = calloc (rounds, sizeof (double));
    run->empty = calloc (rounds, sizeof (double));
    run->big = calloc (rounds, sizeof (double));
    run->sqlite = calloc (rounds, sizeof (double));
    run->lmdb = calloc (rounds, sizeof (double));
    run->machine = calloc (rounds, sizeof (double));
    run->writes = calloc (rounds, sizeof (double));
    run->per_commit = calloc (rounds, sizeof (double));
    run->written_empty = calloc (rounds, sizeof (double));
    run->written_big = calloc (rounds, sizeof (double));
    run->apply_empty = calloc (rounds, sizeof (double));
    run->commit_empty = calloc (rounds, sizeof (double));
    run->apply_big = calloc (rounds, sizeof (double));
    run->commit_big = calloc (rounds, sizeof (double));
    run->cal = calloc (rounds, sizeof (*run->cal));
    return 0;
}

/* Replay of the last empty-store run's data. */
static int
s_measure_replay (bench__ingest_run_t *run)
{
    double seconds = 0;
    if (*run->replay_dir &&
        (bench_replay_store (run->replay_dir, &run->replay_rate,
                             &run->replay_events, &seconds) != 0 ||
         bench_replay_floor (run->replay_dir, &run->replay_floor,
                             &run->replay_writes) != 0)) {
        fprintf (stderr, "bench ingest: replay of %s failed\n",
                 run->replay_dir);
        return -1;
    }
    return 0;
}

/* The store operations per event of the SQLite baseline's batches (the
   floors play the same), by table: where the floor's time goes. */
static void
s_print_tally (const bench__ingest_run_t *run)
{
    const bench_tape_tally_t *t = &run->tally;
    double events = run->events_total ? (double)run->events_total : 1;
    printf ("\nstore operations per event in those batches, by table (what "
            "SQLite and the LMDB floor do):\n\n");
    printf ("| table | reads | puts | deletes | bytes put |\n"
            "|---|---|---|---|---|\n");
    double sum[STORE_TAP_OPS] = {0}, bytes = 0;
    for (int table = 0; table < STORE_TABLE_COUNT; table++) {
        const uint64_t *ops = t->ops[table];
        if (!ops[STORE_TAP_READ] && !ops[STORE_TAP_PUT] && !ops[STORE_TAP_DEL])
            continue;
        printf ("| %s | %.2f | %.2f | %.2f | %.0f |\n",
                store_table_name ((store_table_t)table),
                ops[STORE_TAP_READ] / events, ops[STORE_TAP_PUT] / events,
                ops[STORE_TAP_DEL] / events, t->bytes[table] / events);
        for (int op = 0; op < STORE_TAP_OPS; op++)
            sum[op] += ops[op] / events;
        bytes += t->bytes[table] / events;
    }
    printf ("| all | %.2f | %.2f | %.2f | %.0f |\n", sum[STORE_TAP_READ],
            sum[STORE_TAP_PUT], sum[STORE_TAP_DEL], bytes);
}

/* The table: medians over the rounds, and their ratios. */
static void
s_print_table (const bench__ingest_options_t *opt,
               const bench__ingest_run_t *run)
{
    size_t rounds = (size_t)opt->rounds;
    double m_raw = bench_median (run->raw, rounds);
    double m_empty = bench_median (run->empty, rounds);
    double m_big = opt->big_tickets ? bench_median (run->big, rounds) : 0;
    double m_sqlite = bench_median (run->sqlite, rounds);
    double m_commit = bench_median (run->per_commit, rounds);
    char value[96], ratio[64], what[192];
    printf ("\n%llu events per run (%llu tickets, %d units), medians of %d "
            "round(s); %.0f events per hotlined commit:\n\n",
            (unsigned long long)run->events_total,
            (unsigned long long)opt->tickets, opt->units, opt->rounds,
            m_commit);
    s_print_row ("measure", "figure", "ratio");
    printf ("|%s|%s|%s|\n",
            "------------------------------------------------"
            "------------",
            "--------------------", "------------------------");
    snprintf (value, sizeof (value), "%.0f ev/s", m_raw);
    s_print_row ("raw ZeroMQ, decode only (ceiling)", value, "1");
    snprintf (value, sizeof (value), "%.0f ev/s", m_sqlite);
    snprintf (ratio, sizeof (ratio), "%.2f of raw", m_sqlite / m_raw);
    s_print_row ("SQLite WAL synchronous=FULL, empty (baseline)", value, ratio);
    s_floor_row ("  floor: those same reads and writes in LMDB alone, "
                 "same fsync'd commits, empty",
                 bench_median (run->lmdb, rounds), m_sqlite, "SQLite");
    s_floor_row ("  floor: their writes alone in LMDB, same fsync'd commits, "
                 "empty",
                 bench_median (run->writes, rounds), m_sqlite, "SQLite");
    s_floor_row ("  floor: the state machine applying the same batches to "
                 "LMDB in-process, same fsync'd commits, empty",
                 bench_median (run->machine, rounds), m_sqlite, "SQLite");
    snprintf (value, sizeof (value), "%.0f ev/s", m_empty);
    snprintf (ratio, sizeof (ratio), "%.2f× SQLite, %.2f of raw",
              m_empty / m_sqlite, m_empty / m_raw);
    s_print_row ("hotlined durable ingest, empty store", value, ratio);
    if (opt->time_limits) {
        s_print_row ("calendar rows: rate | daemon / state machine CPU", "",
                     "");
        s_calendar_rows (run, opt->rounds);
    }
    if (opt->big_tickets) {
        snprintf (what, sizeof (what),
                  "hotlined durable ingest, store of %llu tickets",
                  (unsigned long long)opt->big_tickets);
        snprintf (value, sizeof (value), "%.0f ev/s", m_big);
        snprintf (ratio, sizeof (ratio), "%.2f× SQLite, %.2f of raw",
                  m_big / m_sqlite, m_big / m_raw);
        s_print_row (what, value, ratio);
    }
    for (int i = 0; i < BENCH_LATENCY_RUNS; i++) {
        const bench__ingest_latency_t *lat = &run->latency[i];
        snprintf (what, sizeof (what),
                  "send → ack at %d ev/s%s, p50 / p99 / p99.9", lat->rate,
                  lat->unsynced ? ", commits not synced (unsafe_no_sync)" : "");
        snprintf (value, sizeof (value), "%.2f / %.2f / %.2f ms", lat->p50,
                  lat->p99, lat->p999);
        s_print_row (what, value, "");
        snprintf (what, sizeof (what),
                  "  where it went, mean (p99 bucket): inside hotlined, "
                  "receipt → ack / apply of a group (its drill-down part) / "
                  "its commit (%s)",
                  lat->unsynced ? "write, no sync" : "write + fsync");
        snprintf (value, sizeof (value),
                  "%.2f (≤%g) / %.2f (≤%g) (%.2f (≤%g)) / %.2f (≤%g) ms",
                  lat->daemon_mean, lat->daemon_p99, lat->apply_mean,
                  lat->apply_p99, lat->settle_mean, lat->settle_p99,
                  lat->commit_mean, lat->commit_p99);
        snprintf (ratio, sizeof (ratio), "%.0f events per commit",
                  lat->per_commit);
        s_print_row (what, value, ratio);
    }
    snprintf (what, sizeof (what),
              "bare LMDB commit (fsync'd), 1 record, p50 / p99");
    snprintf (value, sizeof (value), "%.2f / %.2f ms", run->bare_one[0],
              run->bare_one[1]);
    s_print_row (what, value, "the floor of any ack");
    snprintf (what, sizeof (what),
              "bare LMDB commit (fsync'd), %d random records, p50 / p99",
              BENCH_BARE_RECORDS);
    snprintf (value, sizeof (value), "%.2f / %.2f ms", run->bare_many[0],
              run->bare_many[1]);
    s_print_row (what, value, "");
    snprintf (value, sizeof (value), "%.0f ev/s", run->replay_rate);
    snprintf (ratio, sizeof (ratio), "%.2f× empty ingest",
              run->replay_rate / m_empty);
    snprintf (what, sizeof (what), "replay (rebuild from the log), %llu events",
              (unsigned long long)run->replay_events);
    s_print_row (what, value, ratio);
    s_floor_row ("  floor: the rebuild's reads and writes in LMDB alone, "
                 "same fsync'd commits",
                 run->replay_floor, run->replay_rate, "the replay");
    s_floor_row ("  floor: its writes alone in LMDB, same fsync'd commits",
                 run->replay_writes, run->replay_rate, "the replay");
    snprintf (value, sizeof (value), "%.1f / %.1f MB", run->anon_empty / 1024.0,
              run->anon_big / 1024.0);
    s_print_row ("hotlined heap (RssAnon) peak, empty / big store", value, "");
    /* What the commits wrote: counted, not timed, so it does not move
       with the machine's load. */
    double w_empty = bench_median (run->written_empty, rounds);
    double w_big =
        opt->big_tickets ? bench_median (run->written_big, rounds) : 0;
    snprintf (value, sizeof (value), "%.0f / %.0f B", w_empty, w_big);
    snprintf (ratio, sizeof (ratio), "%.1f / %.1f pages", w_empty / 4096,
              w_big / 4096);
    s_print_row ("bytes hotlined wrote per event (/proc wchar), empty / big "
                 "store",
                 value, ratio);
    snprintf (value, sizeof (value), "%.1f / %.1f; %.1f / %.1f ms",
              bench_median (run->apply_empty, rounds),
              bench_median (run->commit_empty, rounds),
              opt->big_tickets ? bench_median (run->apply_big, rounds) : 0,
              opt->big_tickets ? bench_median (run->commit_big, rounds) : 0);
    s_print_row ("a group inside hotlined, mean: apply / commit (write + "
                 "fsync), empty store; big store",
                 value, "");
    if (opt->big_tickets) {
        snprintf (value, sizeof (value), "%.1f MB", run->file_big / 1024.0);
        s_print_row ("hotlined LMDB map resident (RssFile), big store", value,
                     "page cache");
    }
    snprintf (value, sizeof (value), "%.0f MB",
              run->store_events > 0 ? run->store_bytes / run->store_events : 0);
    s_print_row ("store size per million events, empty store run", value, "");
    if (opt->big_tickets) {
        snprintf (value, sizeof (value), "%.0f MB",
                  run->big_events > 0 ? run->big_bytes / run->big_events : 0);
        s_print_row ("store size per million events, big store", value, "");
    }
}

/* Frees the run and removes its temporary directories. */
static void
s_cleanup (bench__ingest_run_t *run)
{
    bench__ingest_stream_free (&run->stream);
    bench__ingest_stream_free (&run->limited);
    free (run->cal);
    free (run->units);
    free (run->raw);
    free (run->empty);
    free (run->big);
    free (run->sqlite);
    free (run->lmdb);
    free (run->machine);
    free (run->writes);
    free (run->per_commit);
    free (run->written_empty);
    free (run->written_big);
    free (run->apply_empty);
    free (run->commit_empty);
    free (run->apply_big);
    free (run->commit_big);
    if (*run->replay_dir && getenv ("HOTLINE_KEEP_BENCH_DIRS")) {
        fprintf (stderr, "bench: kept %s (the empty-store run, replayed)\n",
                 run->replay_dir);
    } else if (*run->replay_dir) {
        char command[300];
        /* The data directory's parent is the daemon's temporary dir. */
        char *slash = strrchr (run->replay_dir, '/');
        if (slash)
            *slash = 0;
        snprintf (command, sizeof (command), "rm -rf '%s'", run->replay_dir);
        if (system (command) != 0)
            fprintf (stderr, "bench ingest: cannot remove %s\n",
                     run->replay_dir);
    }
    if (*run->quick_dir) {
        char command[128];
        snprintf (command, sizeof (command), "rm -rf '%s'", run->quick_dir);
        if (system (command) != 0)
            fprintf (stderr, "bench ingest: cannot remove %s\n",
                     run->quick_dir);
    }
}

int
bench_ingest_main (int argc, char *argv[])
{
    bench__ingest_options_t opt;
    bool big_set;
    int rc = s_options (argc, argv, &opt, &big_set);
    if (rc >= 0)
        return rc;
    bench__ingest_run_t run = {0};
    if (s_setup (&opt, big_set, &run) != 0)
        return 1;
    int status = 1, r = 0;
    while (r < opt.rounds && bench__ingest_round (&opt, &run, r) == 0)
        r++;
    if (r == opt.rounds && bench__ingest_latency (&opt, &run) == 0 &&
        s_measure_replay (&run) == 0) {
        s_print_table (&opt, &run);
        s_print_tally (&run);
        status = 0;
    }
    s_cleanup (&run);
    return status;
}
