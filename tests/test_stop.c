/*  Stopping, end to end: SIGTERM while two senders keep the daemon busy.

    Every stop must end within a bound, whatever the actors were doing
    (the hang: main waiting for ingest while ingest waited for a
    scorer that had already stopped; the data-directory lock then stayed
    held and a restart failed). Unacknowledged batches are simply not
    acknowledged: the senders keep them and send them again to the
    restarted daemon, and the store ends as a clean run's.

    Both senders send the same month. A sender sends in file order and
    resends in that order, and the daemon applies each event at its first
    arrival, so the events are applied in the file's order whichever
    sender delivers them first: the clean run is one sender, alone. */
#include "harness.h"

#include <criterion/criterion.h>
#include <czmq.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The bound on a stop, and how many stops. */
#define STOP_LIMIT_MS 10000
#define STOPS         20

static harness_t h;

static void
s_setup (void)
{
    harness_init (&h, "event");
}

static void
s_teardown (void)
{
    harness_fini (&h);
}

TestSuite (stop, .init = s_setup, .fini = s_teardown, .timeout = 900);

/* Starts a sender of the month; name is its output files' name. */
static pid_t
s_sender (const char *name)
{
    pid_t pid =
        harness_spawn (&h, name, "$HOTLINE send events.jsonl --timeout 600000");
    cr_assert_gt (pid, 0);
    return pid;
}

/* Replaces a sender that finished (after checking it stored everything),
   so two are always running when the daemon is stopped. */
static void
s_keep_running (pid_t *sender, const char *name)
{
    int status;
    if (waitpid (*sender, &status, WNOHANG) != *sender)
        return;
    char path[512], file[64];
    snprintf (file, sizeof (file), "%s.err", name);
    char *err = harness_slurp (harness_path (&h, file, path));
    cr_expect (WIFEXITED (status) && WEXITSTATUS (status) == 0,
               "a sender ended without storing everything: %s", err);
    free (err);
    *sender = s_sender (name);
}

Test (
    stop,
    ends_within_10_s_of_sigterm_20_times_with_two_senders_running_and_loses_nothing)
{
    char *err = NULL;
    /* Two senders of a 67,000-event month keep the daemon busy through
       every stop (a sender that finishes is started again). */
    long lines = harness_month (&h, 8, 3);
    cr_assert_gt (lines, 0, "hotline-gen failed");

    /* The clean run: a daemon of its own, one sender. */
    char *expected = harness_clean_reports (&h, "2025-07", "2025-Q3");
    cr_assert_not_null (expected, "the clean run failed");

    cr_assert (harness_start (&h));
    cr_assert_eq (
        harness_run (&h, NULL, NULL, "$HOTLINE units import units.csv"), 0);
    pid_t a = s_sender ("a"), b = s_sender ("b");
    unsigned seed = getenv ("HOTLINE_FAULT_SEED")
                        ? (unsigned)atoi (getenv ("HOTLINE_FAULT_SEED"))
                        : (unsigned)time (NULL);
    srand (seed);
    fprintf (stderr, "stop: seed %u (HOTLINE_FAULT_SEED to repeat)\n", seed);
    int slowest = 0;
    for (int stop = 0; stop < STOPS; stop++) {
        /* Fault injection, not synchronisation: a random moment while
           both senders are busy. */
        zclock_sleep (300 + rand () % 1200);
        s_keep_running (&a, "a");
        s_keep_running (&b, "b");
        int elapsed;
        int status = harness_stop_within (&h, STOP_LIMIT_MS, &elapsed);
        cr_assert_neq (status, -1,
                       "stop %d: hotlined still running %d ms after SIGTERM",
                       stop + 1, elapsed);
        cr_expect_eq (status, 0, "stop %d: exit status %d", stop + 1, status);
        slowest = elapsed > slowest ? elapsed : slowest;
        /* The lock is free again: the restart takes the directory. */
        cr_assert (harness_start (&h), "restart %d failed", stop + 1);
    }
    fprintf (stderr, "stop: %d stops, the slowest took %d ms\n", STOPS,
             slowest);
    cr_expect_eq (harness_wait (a), 0, "sender a lost events");
    cr_expect_eq (harness_wait (b), 0, "sender b lost events");

    /* A last stop and restart, then the file once more. */
    int elapsed;
    cr_assert_eq (harness_stop_within (&h, STOP_LIMIT_MS, &elapsed), 0);
    cr_assert (harness_start (&h));
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINE send events.jsonl"), 0,
                  "%s", err);
    free (err);
    char *reports = harness_reports (&h, "2025-07", "2025-Q3");
    cr_expect_str_eq (reports, expected,
                      "the reports differ from a clean "
                      "run's");
    cr_expect_eq (harness_stat (&h, "log_events", NULL), (double)lines);
    cr_expect_eq (harness_stat (&h, "events_rejected", NULL), 0);
    free (reports);
    free (expected);
}

/* Calls fn for every thread of process pid (its main one too); returns
   the sum of what fn returned. */
static int
s_each_thread (pid_t pid, int (*fn) (pid_t pid, pid_t tid))
{
    char path[64];
    snprintf (path, sizeof (path), "/proc/%d/task", (int)pid);
    DIR *dir = opendir (path);
    cr_assert_not_null (dir, "cannot list %s", path);
    int sum = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        pid_t tid = (pid_t)atoi (entry->d_name);
        if (tid > 0)
            sum += fn (pid, tid);
    }
    closedir (dir);
    return sum;
}

static int
s_term_thread (pid_t pid, pid_t tid)
{
    return tid != pid && syscall (SYS_tgkill, pid, tid, SIGTERM) == 0;
}

/* Sends SIGTERM to every thread of the daemon but its main one. Returns
   how many threads were signalled. */
static int
s_term_each_thread (pid_t pid)
{
    return s_each_thread (pid, s_term_thread);
}

/* How many of SIGTERM and SIGINT a thread blocks (0, 1 or 2), from the
   SigBlk line of /proc/PID/task/TID/status (a hex mask, bit n-1 for
   signal n). */
static int
s_stop_signals_blocked (pid_t pid, pid_t tid)
{
    char path[96];
    snprintf (path, sizeof (path), "/proc/%d/task/%d/status", (int)pid,
              (int)tid);
    char *status = harness_slurp (path);
    cr_assert_not_null (status, "cannot read %s", path);
    const char *line = strstr (status, "SigBlk:");
    cr_assert_not_null (line, "no SigBlk in %s", path);
    unsigned long long mask = strtoull (line + 7, NULL, 16);
    free (status);
    return ((mask >> (SIGTERM - 1)) & 1) + ((mask >> (SIGINT - 1)) & 1);
}

/* Expects main to take the stop signals and thread tid (any other) to
   block both. Returns 1 for another thread. */
static int
s_expect_blocks_as_it_should (pid_t pid, pid_t tid)
{
    if (tid == pid) {
        cr_expect_eq (s_stop_signals_blocked (pid, tid), 0,
                      "the main thread blocks SIGTERM or SIGINT: it "
                      "could not stop");
        return 0;
    }
    cr_expect_eq (s_stop_signals_blocked (pid, tid), 2,
                  "thread %d takes SIGTERM or SIGINT: only main may", (int)tid);
    return 1;
}

/* Checks that main alone takes a stop signal: every other thread blocks
   SIGTERM and SIGINT. Returns the number of other threads. */
static int
s_expect_main_alone_takes_signals (pid_t pid)
{
    return s_each_thread (pid, s_expect_blocks_as_it_should);
}

/* Waits (up to 10 s) for the daemon's "ready" line: main has started
   every actor and unblocked the stop signals by then (harness_start
   returns once queries are answered, which can be a little earlier). */
static void
s_wait_ready (void)
{
    char path[512];
    harness_path (&h, "daemon.log", path);
    for (int waited = 0; waited < 10000; waited += 10) {
        /* This start's lines: a restarted daemon appends. */
        char *log = harness_slurp (path);
        bool ready = log && (long)strlen (log) > h.log_start &&
                     strstr (log + h.log_start, "ready: ");
        free (log);
        if (ready)
            return;
        zclock_sleep (10);
    }
    cr_assert_fail ("hotlined never said it was ready");
}

/* A signal is delivered to whichever thread does not block it. An actor
   that took it for its own stop (the web's poller once did) ended before
   main noticed, and hotlined exited 1, "an actor stopped unexpectedly";
   a second signal that interrupted main's wait for an actor's end could
   leave that actor running while main freed what it used. So every
   thread but main's blocks SIGTERM and SIGINT, and main blocks them too
   once it stops. Here: the masks, then signals sent to the actors'
   threads alone (they must stay pending, harmless), then one to the
   process, and in every other round a second volley of both while the
   daemon stops (a second Ctrl-C). Every stop is clean. */
Test (stop, main_alone_takes_a_stop_signal_and_a_second_is_harmless)
{
    for (int round = 0; round < 10; round++) {
        cr_assert (harness_start (&h), "start %d failed", round + 1);
        s_wait_ready ();
        cr_assert_gt (s_expect_main_alone_takes_signals (h.daemon), 3);
        cr_assert_gt (s_term_each_thread (h.daemon), 3);
        kill (h.daemon, SIGTERM);
        if (round % 2) {
            zclock_sleep (5 * round);
            s_term_each_thread (h.daemon);
            kill (h.daemon, SIGTERM);
            kill (h.daemon, SIGINT);
        }
        int status = 0, waited = 0;
        while (waitpid (h.daemon, &status, WNOHANG) == 0 && waited < 10000) {
            zclock_sleep (10);
            waited += 10;
        }
        cr_assert_lt (waited, 10000, "hotlined still running after 10 s");
        h.daemon = 0;
        char path[512];
        char *log = harness_slurp (harness_path (&h, "daemon.log", path));
        cr_expect (WIFEXITED (status) && WEXITSTATUS (status) == 0,
                   "round %d: exit status %d; log: %s", round + 1,
                   WIFEXITED (status) ? WEXITSTATUS (status) : -1, log);
        free (log);
    }
}
