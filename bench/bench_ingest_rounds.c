/*  bench_ingest_rounds: one round of hotline-bench ingest's throughput
    comparison: the same frames to the raw receiver (the transport
    ceiling), to hotlined on an empty store, on fresh stores under three
    working-time settings (--time-limits) and on the big store, and the
    same writes into SQLite, one after another on the same machine. */
#include "bench_internal.h"
#include "bench_apply.h"
#include "bench_baseline.h"
#include "state.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* (a) raw ZeroMQ: a ROUTER that only decodes the frames and answers. */
static int
s_measure_raw (const bench__ingest_options_t *opt, bench__ingest_run_t *run,
               int r)
{
    char raw_dir[] = "/tmp/hotline-raw-XXXXXX";
    if (!mkdtemp (raw_dir))
        return -1;
    char endpoint[64];
    snprintf (endpoint, sizeof (endpoint), "ipc://%s/raw", raw_dir);
    zactor_t *receiver = bench_raw_receiver (endpoint);
    if (!receiver)
        return -1;
    run->raw[r] = bench__ingest_blast (endpoint, &run->stream, opt->window,
                                       "raw", 0, NULL);
    zactor_destroy (&receiver);
    char remove[96];
    snprintf (remove, sizeof (remove), "rm -rf '%s'", raw_dir);
    if (system (remove) != 0) /* the directory holds the ipc socket */
        fprintf (stderr, "bench ingest: cannot remove %s\n", raw_dir);
    return run->raw[r] < 0 ? -1 : 0;
}

/* Bytes the daemon passed to write calls per event since `before`
   (bench_proc_written), or 0 when /proc cannot tell. */
static double
s_written_per_event (pid_t pid, double before, size_t events)
{
    double after = bench_proc_written (pid);
    return before < 0 || after < 0 || events == 0
               ? 0
               : (after - before) / (double)events;
}

/* Where a daemon's groups spent their time since it started, mean ms:
   applying, and the commit's writes and fsync. The run measured is
   nearly all of it (the units' import is one more group). */
static void
s_group_times (const bench_daemon_t *d, double *apply, double *commit)
{
    double p99;
    if (bench_daemon_histogram (d, "apply_seconds", apply, &p99) != 0 ||
        bench_daemon_histogram (d, "commit_seconds", commit, &p99) != 0)
        *apply = *commit = 0;
}

/* hotlined, empty store; the last round's store is kept for the
   replay. */
static int
s_measure_empty (const bench__ingest_options_t *opt, bench__ingest_run_t *run,
                 int r)
{
    bench_daemon_t d;
    if (bench_daemon_start (&d, NULL, NULL, NULL, NULL) != 0 ||
        bench_daemon_import (&d, run->units, (size_t)opt->units) != 0) {
        bench_daemon_stop (&d);
        return -1;
    }
    double commits0 = bench_daemon_stat (&d, "batches_committed");
    double written0 = bench_proc_written (d.pid);
    run->empty[r] =
        bench__ingest_blast (d.ingest, &run->stream, opt->window, "empty store",
                             d.pid, &run->anon_empty);
    run->written_empty[r] =
        s_written_per_event (d.pid, written0, run->stream.count);
    s_group_times (&d, &run->apply_empty[r], &run->commit_empty[r]);
    double commits = bench_daemon_stat (&d, "batches_committed") - commits0;
    run->per_commit[r] = commits > 0 ? (double)run->stream.count / commits : 0;
    run->store_bytes = bench_daemon_stat (&d, "store_bytes");
    run->store_events = bench_daemon_stat (&d, "log_events");
    if (r == opt->rounds - 1) {
        /* Keep this store for the replay. */
        snprintf (run->replay_dir, sizeof (run->replay_dir), "%s", d.data);
        d.temporary = false;
    }
    bench_daemon_stop (&d);
    return run->empty[r] < 0 ? -1 : 0;
}

/* One run of hotlined on a fresh store (the units imported): events/s,
   or -1, and the daemon's CPU time per event in µs in *cpu_us. `extra`:
   configuration lines, or NULL. */
static double
s_fresh_run (const bench__ingest_stream_t *s,
             const bench__ingest_options_t *opt, const proto_unit_t *units,
             const char *what, const char *extra, double *cpu_us)
{
    bench_daemon_t d;
    double rate = -1;
    if (bench_daemon_start (&d, NULL, NULL, NULL, extra) == 0 &&
        bench_daemon_import (&d, units, (size_t)opt->units) == 0) {
        double cpu0 = bench_proc_cpu (d.pid);
        rate = bench__ingest_blast (d.ingest, s, opt->window, what, 0, NULL);
        *cpu_us = (bench_proc_cpu (d.pid) - cpu0) * 1e6 / (double)s->count;
    }
    bench_daemon_stop (&d);
    return rate;
}

/* The calendar's three runs, each on a fresh store, in an order that
   turns with the round: the due_at stream (CAL_DUE) and the time-limit
   stream (CAL_LIMITS) with working time, and the due_at stream with none
   (CAL_NONE): each rate, the daemon's CPU µs per event, and the state
   machine's alone, in-process, into run->cal[r]. Returns 0, or -1. */
static int
s_measure_calendar (const bench__ingest_options_t *opt,
                    bench__ingest_run_t *run, int r)
{
    static const char *names[BENCH_INGEST_CAL_RUNS] = {"due_at", "limits",
                                                       "no calendar"};
    const char *none = "    calendar = none\n"
                       "    windows = \"sign 1h contact 2h return 2h\"\n";
    double *rate = run->cal[r][BENCH_INGEST_CAL_RATE];
    double *cpu = run->cal[r][BENCH_INGEST_CAL_DAEMON];
    double *apply = run->cal[r][BENCH_INGEST_CAL_APPLY];
    for (int i = 0; i < BENCH_INGEST_CAL_RUNS; i++) {
        int c = (i + r) % BENCH_INGEST_CAL_RUNS;
        bool limits = c == BENCH_INGEST_CAL_LIMITS;
        bool no_calendar = c == BENCH_INGEST_CAL_NONE;
        const bench__ingest_stream_t *s = limits ? &run->limited : &run->stream;
        rate[c] = s_fresh_run (s, opt, run->units, names[c],
                               no_calendar ? none : NULL, &cpu[c]);
        apply[c] = bench_apply_cpu (
            s->events, s->count, run->units, (size_t)opt->units,
            no_calendar ? "none" : STATE_CALENDAR_DEFAULT,
            no_calendar ? "sign 1h contact 2h return 2h"
                        : STATE_WINDOWS_DEFAULT);
        if (rate[c] < 0 || apply[c] < 0)
            return -1;
    }
    return 0;
}

/* hotlined, big store. */
static int
s_measure_big (const bench__ingest_options_t *opt, bench__ingest_run_t *run,
               int r)
{
    bench_daemon_t d;
    if (bench_daemon_start (&d, NULL, NULL, run->big_data,
                            "    map_size_mb = 65536\n") != 0 ||
        bench_daemon_import (&d, run->units, (size_t)opt->units) != 0) {
        bench_daemon_stop (&d);
        return -1;
    }
    double written0 = bench_proc_written (d.pid);
    run->big[r] = bench__ingest_blast (d.ingest, &run->stream, opt->window,
                                       "big store", d.pid, &run->anon_big);
    run->written_big[r] =
        s_written_per_event (d.pid, written0, run->stream.count);
    s_group_times (&d, &run->apply_big[r], &run->commit_big[r]);
    long anon, hwm;
    bench_proc_memory (d.pid, &anon, &run->file_big, &hwm);
    run->big_bytes = bench_daemon_stat (&d, "store_bytes");
    run->big_events = bench_daemon_stat (&d, "log_events");
    bench_daemon_stop (&d);
    return run->big[r] < 0 ? -1 : 0;
}

/* (b) SQLite, LMDB alone and the state machine in-process, transactions
   as large as hotlined's commits. */
static int
s_measure_sqlite (bench__ingest_run_t *run, int r)
{
    char sql_dir[] = "/tmp/hotline-sqlite-XXXXXX";
    if (!mkdtemp (sql_dir))
        return -1;
    size_t sql_batch = run->per_commit[r] >= 1 ? (size_t)run->per_commit[r] : 1;
    bench_store_rates_t rate;
    int sql_rc = bench_store_ingest (sql_dir, run->stream.events,
                                     run->stream.count, sql_batch, &rate);
    char command[128];
    snprintf (command, sizeof (command), "rm -rf '%s'", sql_dir);
    if (system (command) != 0)
        fprintf (stderr, "bench ingest: cannot remove %s\n", sql_dir);
    if (sql_rc != 0)
        return -1;
    run->sqlite[r] = rate.sqlite.per_second;
    run->lmdb[r] = rate.lmdb.per_second;
    run->writes[r] = rate.writes.per_second;
    run->machine[r] = rate.machine.per_second;
    run->tally = rate.tally;
    return 0;
}

int
bench__ingest_round (const bench__ingest_options_t *opt,
                     bench__ingest_run_t *run, int r)
{
    /* Ids new to every store, the reused big one included: a round's
       prefix is unique to this run (same length, so every system is
       sent frames of the same size). */
    char prefix[16];
    snprintf (prefix, sizeof (prefix), "%c%05x", 'a' + r % 26,
              (unsigned)(getpid () ^ time (NULL)) & 0xfffff);
    bench__ingest_stream_free (&run->stream);
    bench__ingest_stream_free (&run->limited);
    if (bench__ingest_stream_make (opt, prefix, false, &run->stream) != 0 ||
        (opt->time_limits &&
         bench__ingest_stream_make (opt, prefix, true, &run->limited) != 0)) {
        fprintf (stderr, "bench ingest: out of memory\n");
        return -1;
    }
    run->events_total = run->stream.count;
    if (s_measure_raw (opt, run, r) != 0 ||
        s_measure_empty (opt, run, r) != 0 ||
        (opt->time_limits && s_measure_calendar (opt, run, r) != 0) ||
        (opt->big_tickets && s_measure_big (opt, run, r) != 0) ||
        s_measure_sqlite (run, r) != 0)
        return -1;
    printf ("  round %d: raw %.0f, empty %.0f, big %.0f, sqlite %.0f, "
            "LMDB alone %.0f (writes only %.0f), state machine %.0f "
            "events/s (%.0f events per commit)\n",
            r + 1, run->raw[r], run->empty[r], run->big[r], run->sqlite[r],
            run->lmdb[r], run->writes[r], run->machine[r], run->per_commit[r]);
    if (opt->time_limits) {
        const int due = BENCH_INGEST_CAL_DUE, lim = BENCH_INGEST_CAL_LIMITS,
                  none = BENCH_INGEST_CAL_NONE;
        const double *rate = run->cal[r][BENCH_INGEST_CAL_RATE];
        const double *cpu = run->cal[r][BENCH_INGEST_CAL_DAEMON];
        const double *apply = run->cal[r][BENCH_INGEST_CAL_APPLY];
        printf ("  round %d: due_at / time limits / no calendar: %.0f, "
                "%.0f, %.0f events/s; daemon CPU %.2f, %.2f, %.2f "
                "µs/event; state machine %.2f, %.2f, %.2f µs/event\n",
                r + 1, rate[due], rate[lim], rate[none], cpu[due], cpu[lim],
                cpu[none], apply[due], apply[lim], apply[none]);
    }
    fflush (stdout);
    return 0;
}
