/*  hotline report --as-of over the real daemon (docs/commands.md).

    - the scorecard the daemon gives as of 200 random moments of
      hotline-gen's month, of a quarter of three of its months, and of
      the month sent out of order (late events), is byte for byte the one
      defined by a replay: the daemon's event log replayed by event time
      up to the moment into a scratch store (state_replay), reported from
      there; the reference is computed in-process from the daemon's data
      directory once it stopped. The daemon keeps checkpoints every few
      hundred events (asof_spacing), so its answers come from continued
      checkpoints; in-process, an asof_t over the same store, its head
      followed 150 events between two reports (so the first reports are
      answered with the head part of the way), gives the same answers,
      and once the head is at the log's end each applied at most
      `spacing` events plus the late ones (asof.h's bound);
    - while a report as of a moment is being built, other queries (stats)
      are answered: the replay runs off the query actor's thread;
    - with no room at all under $TMPDIR, a report as of a moment is
      refused with a reason that names it and what to lower; with room
      for no checkpoint, it is answered (from the start of the log) and
      the daemon's log says why nothing is kept; with room again,
      checkpoints are kept;
    - at its start the daemon removes the replays a killed process left
      under $TMPDIR (named after it), not a live process's. */
#include "asof.h"
#include "client.h"
#include "fixture.h"
#include "harness.h"
#include "report.h"
#include "state.h"

#include <criterion/criterion.h>
#include <czmq.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MOMENTS 200

static harness_t h;

static void
s_setup (void)
{
    harness_init (&h, "event");
}

static char s_tmp[512]; /* a tmpfs mounted for $TMPDIR, or "" */

static void
s_teardown (void)
{
    harness_stop (&h);
    if (*s_tmp) {
        umount (s_tmp);
        unsetenv ("TMPDIR");
        *s_tmp = 0;
    }
    harness_fini (&h);
}

TestSuite (asof, .init = s_setup, .fini = s_teardown, .timeout = 600);

/* 2025-07-01T00:00:00+08:00 in ms. */
#define JULY_2025 1751299200000LL
#define DAY_MS    (24LL * 3600 * 1000)

/* Generates `months` months of hotline-gen from 2025-07 at `scale` into
   units.csv and events.jsonl, imports and sends them. */
static void
s_feed_as (int months, const char *scale, const char *order, bool refusals)
{
    char *err = NULL;
    for (int m = 0; m < months; m++) {
        cr_assert_eq (harness_run (&h, NULL, &err,
                                   "$GEN --month 2025-%02d --scale %s "
                                   "--units units.csv --events m%d.jsonl",
                                   7 + m, scale, m),
                      0, "%s", err ? err : "");
        free (err);
        err = NULL;
    }
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "cat m*.jsonl | %s > events.jsonl && $HOTLINE "
                               "units import units.csv && { $HOTLINE send "
                               "events.jsonl %s; }",
                               order, refusals ? "|| true" : ""),
                  0, "%s", err ? err : "");
    free (err);
}

static void
s_feed (int months, const char *scale)
{
    s_feed_as (months, scale, "cat", false);
}

/* The replay-based report as of `moment` (before the store's clock):
   the log replayed by event time up to it into a scratch store. */
static char *
s_replayed (store_txn_t *txn, const rules_ruleset_t *rs, const char *period,
            int64_t moment)
{
    char err[256] = "";
    store_t *scratch = store_scratch_new (0, err);
    cr_assert_not_null (scratch, "%s", err);
    cr_assert_eq (state_replay (txn, scratch, moment, err), 0, "%s", err);
    store_txn_t *read = store_begin (scratch, false);
    char *json = report_json (read, rs, period, 0, err);
    cr_assert_not_null (json, "%s", err);
    store_abort (&read);
    store_destroy (&scratch);
    return json;
}

/* The daemon's checkpoints: every `spacing` events, at most 4 (so
   some are dropped and the spacing doubles on the way). */
#define SPACING 400
static void
s_checkpoints_every (int spacing)
{
    char value[32];
    snprintf (value, sizeof (value), "%d", spacing);
    harness_set (&h, "asof_spacing", value);
    harness_set (&h, "asof_checkpoints", "4");
}

/* Stops the daemon and opens its data directory and the rulesets: the
   ruleset `id`. */
static const rules_ruleset_t *
s_stopped (const char *id, store_t **store, rules_set_t **sets)
{
    cr_assert_eq (harness_stop (&h), 0);
    char err[256] = "", data[512];
    *store = store_new (harness_path (&h, "data", data), 0, err);
    cr_assert_not_null (*store, "%s", err);
    *sets = rules_set_load (NULL, err);
    cr_assert_not_null (*sets, "%s", err);
    const rules_ruleset_t *rs = rules_set_find (*sets, id);
    cr_assert_not_null (rs);
    return rs;
}

/* Asks the daemon for the report as of MOMENTS random moments of
   [from, to), stops it, and compares each with the replayed one. */
static void
s_compare (const char *ruleset, const char *period, int64_t from, int64_t to,
           bool late)
{
    uint64_t seed = 20250701;
    int64_t moments[MOMENTS];
    char *answers[MOMENTS];
    for (int i = 0; i < MOMENTS; i++) {
        moments[i] = from + (int64_t)(fx_next (&seed) % (uint64_t)(to - from));
        proto_query_t q = {.kind = PROTO_QUERY_REPORT, .as_of = moments[i]};
        snprintf (q.ruleset, sizeof (q.ruleset), "%s", ruleset);
        snprintf (q.period, sizeof (q.period), "%s", period);
        char err[256] = "";
        cr_assert_eq (client_query (h.query, &q, 60000, &answers[i], err), 0,
                      "%s", err);
    }
    /* The daemon says what its answers cost: every one continued a kept
       replay, far fewer events in all than replays from the start. */
    proto_query_t stats_q = {.kind = PROTO_QUERY_STATS};
    char *stats = NULL, why[256] = "";
    cr_assert_eq (client_query (h.query, &stats_q, 60000, &stats, why), 0, "%s",
                  why);
    char expect[64];
    snprintf (expect, sizeof (expect), "\"asof_reports\":%d", MOMENTS);
    cr_expect (strstr (stats, expect), "%s not in %s", expect, stats);
    const char *applied = strstr (stats, "\"asof_events_applied\":");
    const char *log = strstr (stats, "\"log_events\":");
    cr_assert (applied && log, "%s", stats);
    long long events_applied = atoll (applied + 22),
              log_events = atoll (log + 13);
    cr_expect_lt (events_applied, (long long)MOMENTS * log_events / 4,
                  "%lld events applied for %d reports of a %lld-event log",
                  events_applied, MOMENTS, log_events);
    cr_expect (!strstr (stats, "\"asof_checkpoints\":0,"), "%s", stats);
    free (stats);
    store_t *store;
    rules_set_t *sets;
    const rules_ruleset_t *rs = s_stopped (ruleset, &store, &sets);
    char err[256] = "";
    store_txn_t *txn = store_begin (store, false);
    /* In-process, with checkpoints closer still. */
    asof_t *asof = asof_new (SPACING / 2, 3, UINT64_MAX);
    cr_assert_not_null (asof);
    int differ = 0, differ_here = 0;
    uint64_t used = 0;
    int followed = 1; /* 0 once the head is at the log's end */
    for (int i = 0; i < MOMENTS; i++) {
        /* As the daemon's worker between reports, a slice at a time: the
           first reports are answered with the head part of the way. */
        if (i > 0 && followed)
            followed = asof_follow (asof, txn, 150, err);
        cr_assert_geq (followed, 0, "%s", err);
        char *expected = s_replayed (txn, rs, period, moments[i]);
        char when[32];
        if (strcmp (expected, answers[i]) != 0 && differ++ < 3)
            cr_log_error ("as of %s:\n daemon:  %.400s\n replay:  %.400s",
                          proto_time_format (moments[i], when), answers[i],
                          expected);
        char *here = asof_report (asof, txn, rs, period, moments[i], err);
        cr_assert_not_null (here, "%s", err);
        if (strcmp (expected, here) != 0 && differ_here++ < 3)
            cr_log_error ("as of %s:\n asof_t:  %.400s\n replay:  %.400s",
                          proto_time_format (moments[i], when), here, expected);
        asof_info_t info;
        asof_info (asof, &info);
        if (!followed)
            cr_expect_leq (
                info.last_events, info.spacing + info.late,
                "as of %s: %lu events applied from %lu, spacing %lu, "
                "%zu late",
                proto_time_format (moments[i], when),
                (unsigned long)info.last_events, (unsigned long)info.last_from,
                (unsigned long)info.spacing, info.late);
        used += info.last_from > 0;
        free (here);
        free (expected);
        free (answers[i]);
    }
    asof_info_t info;
    asof_info (asof, &info);
    cr_expect_eq (info.builds, 1, "the checkpoints were rebuilt");
    cr_expect_gt (info.checkpoints, 1, "no checkpoint was kept");
    cr_expect_gt (used, MOMENTS / 2, "%lu moments of %d continued a checkpoint",
                  (unsigned long)used, MOMENTS);
    cr_expect (!late || info.late > 0, "no late event noticed");
    cr_expect_eq (followed, 0, "the head never reached the log's end");
    asof_destroy (&asof);
    store_abort (&txn);
    rules_set_destroy (&sets);
    store_destroy (&store);
    cr_expect_eq (differ, 0, "%d of %d moments differ", differ, MOMENTS);
    cr_expect_eq (differ_here, 0, "%d of %d moments differ in-process",
                  differ_here, MOMENTS);
}

Test (asof, a_report_as_of_any_moment_of_a_month_equals_a_replay_up_to_it)
{
    s_checkpoints_every (SPACING);
    cr_assert (harness_start (&h));
    s_feed (1, "0.5");
    /* From two days before the first event to the end of the month. */
    s_compare ("jintai-2025", "2025-07", JULY_2025 - 2 * DAY_MS,
               JULY_2025 + 31 * DAY_MS, false);
}

/* Every 23rd event held back to the end, and each 7th swapped with the
   one after it: events stored after later ones, by a minute or by
   weeks. */
static const char s_late_order[] =
    "NR % 23 == 0 { held[n++] = $0; next }\n"
    "NR % 7 == 0 { swap = $0; next }\n"
    "{ print } swap != \"\" { print swap; swap = \"\" }\n"
    "END { if (swap != \"\") print swap; for (i = 0; i < n; i++) "
    "print held[i] }\n";

Test (asof, a_report_as_of_any_moment_equals_a_replay_with_late_events)
{
    s_checkpoints_every (SPACING);
    cr_assert (harness_start (&h));
    char path[512];
    FILE *file = fopen (harness_path (&h, "late.awk", path), "w");
    cr_assert_not_null (file);
    fputs (s_late_order, file);
    fclose (file);
    /* Out of order, some are refused (a contact before the receipt):
       what the log keeps is what the replay is of. */
    s_feed_as (1, "0.5", "awk -f late.awk", true);
    s_compare ("jintai-2025", "2025-07", JULY_2025 - 2 * DAY_MS,
               JULY_2025 + 31 * DAY_MS, true);
}

Test (asof, a_report_as_of_any_moment_of_a_quarter_equals_a_replay_up_to_it)
{
    s_checkpoints_every (SPACING);
    cr_assert (harness_start (&h));
    s_feed (3, "0.2");
    s_compare ("fufeng-2024", "2025-Q3", JULY_2025 - 2 * DAY_MS,
               JULY_2025 + 92 * DAY_MS, false);
}

/* Sends a REPORT as of `moment` on a DEALER of its own, without waiting. */
static zsock_t *
s_ask_as_of (int64_t moment)
{
    zsock_t *dealer = zsock_new_dealer (h.query);
    cr_assert_not_null (dealer);
    proto_query_t q = {.kind = PROTO_QUERY_REPORT, .as_of = moment};
    snprintf (q.ruleset, sizeof (q.ruleset), "jintai-2025");
    snprintf (q.period, sizeof (q.period), "2025-07");
    size_t size;
    uint8_t *bytes = proto_query_encode (&q, &size);
    cr_assert_not_null (bytes);
    zframe_t *frame = zframe_new (bytes, size);
    free (bytes);
    cr_assert_eq (zframe_send (&frame, dealer, 0), 0);
    return dealer;
}

Test (asof, stats_is_answered_while_a_report_as_of_a_moment_is_built)
{
    cr_assert (harness_start (&h));
    s_feed (1, "3");
    zsock_t *dealer = s_ask_as_of (JULY_2025 + 30 * DAY_MS);
    int answered = 0;
    zframe_t *reply = NULL;
    while (!reply) {
        if ((zsock_events (dealer) & ZMQ_POLLIN))
            reply = zframe_recv (dealer);
        else {
            char *json = NULL, err[256] = "";
            proto_query_t q = {.kind = PROTO_QUERY_STATS};
            cr_assert_eq (client_query (h.query, &q, 60000, &json, err), 0,
                          "%s", err);
            free (json);
            answered += !(zsock_events (dealer) & ZMQ_POLLIN);
        }
    }
    bool ok = false;
    char *error = NULL, *json = NULL;
    cr_assert_eq (proto_reply_decode (zframe_data (reply), zframe_size (reply),
                                      &ok, &error, &json),
                  0);
    cr_expect (ok, "%s", error ? error : "");
    cr_expect (json && strstr (json, "\"as_of\":\"2025-07-31T00:00:00+08:00\""),
               "%.200s", json ? json : "");
    cr_expect_gt (answered, 0,
                  "no stats answered while the as-of report was built");
    free (error);
    free (json);
    zframe_destroy (&reply);
    zsock_destroy (&dealer);
}

/* One report as of the 20th: 0 and the JSON, or the error. */
static int
s_ask_20th (char **json, char *err)
{
    proto_query_t q = {.kind = PROTO_QUERY_REPORT,
                       .as_of = JULY_2025 + 19 * DAY_MS};
    snprintf (q.ruleset, sizeof (q.ruleset), "jintai-2025");
    snprintf (q.period, sizeof (q.period), "2025-07");
    *json = NULL;
    return client_query (h.query, &q, 60000, json, err);
}

/* Waits up to 20 s for the daemon's log to hold `text`. */
static bool
s_log_says (const char *text)
{
    char path[512];
    harness_path (&h, "daemon.log", path);
    for (int i = 0; i < 200; i++) {
        char *log = harness_slurp (path);
        bool said = log && strstr (log, text);
        free (log);
        if (said)
            return true;
        zclock_sleep (100);
    }
    return false;
}

/* Waits up to 20 s for a stat to be above `floor`. */
static double
s_stat_above (const char *key, double floor)
{
    double value = -1;
    for (int i = 0; i < 200 && (value = harness_stat (&h, key, NULL)) <= floor;
         i++)
        zclock_sleep (100);
    return value;
}

Test (asof, says_when_tmpdir_has_no_room_for_the_replays_and_goes_on)
{
    if (geteuid () != 0)
        cr_skip_test ("not root: a small tmpfs for $TMPDIR cannot be mounted");
    harness_path (&h, "tmp", s_tmp);
    cr_assert_eq (mkdir (s_tmp, 0750), 0);
    if (mount ("tmpfs", s_tmp, "tmpfs", 0, "size=256k") != 0) {
        int e = errno;
        *s_tmp = 0;
        cr_skip_test ("cannot mount a tmpfs: %s", strerror (e));
    }
    setenv ("TMPDIR", s_tmp, 1);
    s_checkpoints_every (SPACING);
    cr_assert (harness_start (&h));
    s_feed (1, "0.5");
    /* No room at all: refused, with where and what to lower. */
    char *err_text = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err_text,
                               "dd if=/dev/zero of=%s/filler bs=4k 2>/dev/null;"
                               " true",
                               s_tmp),
                  0, "%s", err_text ? err_text : "");
    free (err_text);
    char *json, err[256] = "";
    cr_expect_neq (s_ask_20th (&json, err), 0, "%.200s", json ? json : "");
    free (json);
    cr_expect (strstr (err, "$TMPDIR") && strstr (err, "asof_budget_mb"), "%s",
               err);
    /* Room for a replay of no event, none for checkpoints: answered all
       the same (from the start of the log), and the log says why the
       worker keeps nothing. */
    char filler[600];
    snprintf (filler, sizeof (filler), "%s/filler", s_tmp);
    cr_assert_eq (unlink (filler), 0);
    cr_expect_eq (s_ask_20th (&json, err), 0, "%s", err);
    cr_expect (json && strstr (json, "\"as_of\":\"2025-07-20T00:00:00+08:00\""),
               "%.200s", json ? json : "");
    free (json);
    cr_expect (s_log_says ("as-of checkpoints dropped"),
               "the daemon's log does not say why it keeps no checkpoint");
    cr_expect_eq (harness_stat (&h, "asof_checkpoints", NULL), 0);
    cr_expect_eq (harness_stat (&h, "events_stored", NULL), 4172);
    /* The operator's fix, room, is enough: the next report starts the
       replays again and the worker keeps checkpoints. */
    cr_assert_eq (mount ("tmpfs", s_tmp, "tmpfs", MS_REMOUNT, "size=256m"), 0,
                  "%s", strerror (errno));
    cr_expect_eq (s_ask_20th (&json, err), 0, "%s", err);
    free (json);
    cr_expect_gt (s_stat_above ("asof_checkpoints", 0), 0,
                  "no checkpoint kept once there was room");
}

Test (asof, removes_the_replays_a_killed_process_left_in_tmpdir)
{
    char tmp[512];
    harness_path (&h, "tmp", tmp);
    cr_assert_eq (mkdir (tmp, 0750), 0);
    setenv ("TMPDIR", tmp, 1);
    /* A process that ended (pid 2^22 - 1 is above Linux's default
       pid_max... unless raised: then skip) and one still running (ours). */
    long dead = 4194303;
    if (kill ((pid_t)dead, 0) == 0 || errno != ESRCH)
        cr_skip_test ("pid %ld is in use", dead);
    char left[600], live[600], other[600];
    snprintf (left, sizeof (left), "%s/hotline-scratch-%ld-AbCdEf", tmp, dead);
    snprintf (live, sizeof (live), "%s/hotline-scratch-%ld-GhIjKl", tmp,
              (long)getpid ());
    snprintf (other, sizeof (other), "%s/hotline-scratchy", tmp);
    const char *dirs[] = {left, live, other};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq (mkdir (dirs[i], 0750), 0);
        char file[700];
        snprintf (file, sizeof (file), "%s/data.mdb", dirs[i]);
        FILE *f = fopen (file, "w");
        cr_assert_not_null (f);
        fputs ("x", f);
        fclose (f);
    }
    cr_assert (harness_start (&h));
    unsetenv ("TMPDIR");
    cr_expect (s_log_says ("removed 1 scratch stores"), "not said");
    struct stat st;
    cr_expect_neq (stat (left, &st), 0, "%s is still there", left);
    cr_expect_eq (stat (live, &st), 0, "a live process's store was removed");
    cr_expect_eq (stat (other, &st), 0, "another directory was removed");
}

/*  In-process: an asof_t over a store the state machine filled by hand
    (fixture.c), compared at chosen moments with report_json's replay,
    for every ruleset of the period's kind. Checkpoints after every
    event, at most two (thinned all the time). */

/* Every monthly (or quarterly) ruleset's report of `period` as of each
   moment, from an asof_t and from a replay; the number that differ. */
static int
s_differ_with (asof_t *asof, const char *period, const char *const *moments,
               size_t count)
{
    char err[256] = "";
    rules_set_t *sets = rules_set_load (NULL, err);
    cr_assert_not_null (sets, "%s", err);
    store_txn_t *txn = store_begin (fx_store, false);
    cr_assert_not_null (txn);
    int differ = 0, bound = 0;
    for (size_t r = 0; r < rules_set_size (sets); r++) {
        const rules_ruleset_t *rs = rules_set_at (sets, r);
        proto_period_t parsed;
        if (report_period_check (rs, period, &parsed, err) != 0)
            continue;
        for (size_t i = 0; i < count; i++) {
            int64_t at = fx_ms (moments[i]);
            char *expected = report_json (txn, rs, period, at, err);
            cr_assert_not_null (expected, "%s", err);
            char *here = asof_report (asof, txn, rs, period, at, err);
            cr_assert_not_null (here, "%s", err);
            if (strcmp (expected, here) != 0 && differ++ < 3) {
                size_t k = 0;
                while (expected[k] && expected[k] == here[k])
                    k++;
                size_t from = k > 120 ? k - 120 : 0;
                cr_log_error ("%s as of %s differs at byte %zu:\n asof_t: "
                              "%.300s\n replay: %.300s",
                              rs->id, moments[i], k, here + from,
                              expected + from);
            }
            asof_info_t info;
            asof_info (asof, &info);
            if (info.last_events > info.spacing + info.late && bound++ < 3)
                cr_log_error ("%s as of %s: %lu events applied from %lu, "
                              "spacing %lu, %zu late",
                              rs->id, moments[i],
                              (unsigned long)info.last_events,
                              (unsigned long)info.last_from,
                              (unsigned long)info.spacing, info.late);
            free (here);
            free (expected);
        }
    }
    cr_expect_eq (bound, 0,
                  "%d reports applied more than the spacing and "
                  "the late events",
                  bound);
    store_abort (&txn);
    rules_set_destroy (&sets);
    return differ;
}

static int
s_differ_in_process (const char *period, const char *const *moments,
                     size_t count)
{
    asof_t *asof = asof_new (1, 2, UINT64_MAX);
    cr_assert_not_null (asof);
    int differ = s_differ_with (asof, period, moments, count);
    asof_destroy (&asof);
    return differ;
}

/* The timeout of the suite above: Criterion 2.4 leaks 48 bytes (ASan)
   when one binary's suites have different timeouts. */
TestSuite (asof_log, .init = fx_setup, .fini = fx_teardown, .timeout = 600);

/* An exemption takes a ticket's counts out of the unit's counters and of
   its channel's and category's: the channel is read from the receipt in
   the log. */
Test (asof_log, an_exemption_takes_the_counts_out_of_the_channel_too)
{
    proto_event_t ev = fx_received ("T1", "U01", "2025-07-01 09:00",
                                    "2025-07-01 09:00", "2025-07-03 09:00");
    snprintf (ev.channel, sizeof (ev.channel), "mayor_mailbox");
    fx_apply (ev);
    fx_open ("T2", "U01", "2025-07-01 10:00", "2025-07-02 10:00");
    fx_close ("T1", "U01", "2025-07-05 09:00"); /* late */
    proto_event_t exempt =
        fx_event (PROTO_EXEMPTED, "T1", "U01", "2025-07-10 09:00");
    snprintf (exempt.counters, sizeof (exempt.counters), "all");
    snprintf (exempt.by, sizeof (exempt.by), "office");
    fx_apply (exempt);
    fx_tick ("2025-07-20 00:00");
    const char *moments[] = {"2025-07-01 12:00", "2025-07-06 00:00",
                             "2025-07-10 09:00", "2025-07-15 00:00"};
    cr_expect_eq (s_differ_in_process ("2025-07", moments, 4), 0);
}

static bool s_late = true; /* some events stored late */

/* Fills the store with `count` random events over July to September
   2025; returns the moments to compare at (every `step` hours). */
static void
s_random_log (uint64_t seed, int count)
{
    char owner[40][8];
    memset (owner, 0, sizeof (owner));
    int64_t now = JULY_2025 + 8 * 3600000LL;
    int stored = 0;
    for (int i = 0; i < count; i++) {
        proto_event_t ev = fx_random_event (&seed, now, owner, s_late);
        char reason[PROTO_ERROR_MAX + 1] = "";
        if (fx_try (&ev, NULL, reason) == STATE_STORED) {
            stored++;
            if (ev.type == PROTO_RECEIVED)
                snprintf (owner[atoi (ev.ticket_id + 1)], 8, "%s", ev.unit_id);
        }
        now += 90 * DAY_MS / count;
    }
    cr_log_info ("%d of %d random events stored", stored, count);
}

static void
s_random_compare (const char *period, int64_t from, int64_t to, int moments)
{
    char texts[64][40];
    const char *list[64];
    cr_assert_leq (moments, 64);
    uint64_t seed = 7;
    for (int i = 0; i < moments; i++) {
        int64_t at = from + (int64_t)(fx_next (&seed) % (uint64_t)(to - from));
        if (i % 4 == 0)
            at -= at % 3600000; /* on the hour: where many events are */
        /* fx_ms takes local text: format it back. */
        time_t secs = (time_t)(at / 1000) + 8 * 3600;
        struct tm tm;
        gmtime_r (&secs, &tm);
        strftime (texts[i], sizeof (texts[i]), "%Y-%m-%d %H:%M:%S", &tm);
        list[i] = texts[i];
    }
    cr_expect_eq (s_differ_in_process (period, list, (size_t)moments), 0,
                  "period %s", period);
}

Test (asof_log, random_events_of_every_kind_equal_the_replay)
{
    s_random_log (1, 1500);
    s_random_compare ("2025-07", JULY_2025 - DAY_MS, JULY_2025 + 31 * DAY_MS,
                      40);
    s_random_compare ("2025-08", JULY_2025 + 25 * DAY_MS,
                      JULY_2025 + 62 * DAY_MS, 40);
    s_random_compare ("2025-Q3", JULY_2025, JULY_2025 + 90 * DAY_MS, 40);
}

Test (asof_log, random_events_in_order_equal_the_replay)
{
    s_late = false;
    s_random_log (2, 1500);
    s_random_compare ("2025-07", JULY_2025 - DAY_MS, JULY_2025 + 31 * DAY_MS,
                      40);
    s_random_compare ("2025-Q3", JULY_2025, JULY_2025 + 90 * DAY_MS, 40);
}

/* Checkpoints after every event, at most two: thinned again and again,
   the kept ones stay at most the spacing apart (asof.h's bound), each
   report applying at most that many of 63 ticks in order. */
Test (asof_log, thinned_checkpoints_stay_at_most_the_spacing_apart)
{
    char at[64][40];
    const char *list[64];
    for (int i = 0; i < 64; i++) {
        snprintf (at[i], sizeof (at[i]), "2025-07-%02d %02d:00", 1 + i / 4,
                  (i % 4) * 5);
        fx_tick (at[i]);
        list[i] = at[i];
    }
    cr_expect_eq (s_differ_in_process ("2025-07", list, 63), 0);
}

/* What every replay starts from changes between two reports: a units
   import (a unit moved to another table, one added), then working-time
   settings (the windows measured on a calendar). The kept replays are
   built again each time, and the reports equal the replay. */
Test (asof_log, a_units_import_or_a_calendar_change_rebuilds_the_replays)
{
    s_random_log (3, 600);
    const char *moments[] = {"2025-07-05 10:00", "2025-07-20 00:00",
                             "2025-08-02 09:30", "2025-08-31 23:00"};
    asof_t *asof = asof_new (16, 4, UINT64_MAX);
    cr_assert_not_null (asof);
    cr_expect_eq (s_differ_with (asof, "2025-07", moments, 4), 0);
    /* U04 moves to the departments' table, U05 is new. */
    proto_unit_t units[2] = {
        {.unit_id = "U04", .name = "renamed", .group = "dept"},
        {.unit_id = "U05", .name = "new", .group = "town"}};
    store_txn_t *txn = store_begin (fx_store, true);
    size_t added;
    cr_assert_eq (state_units_import (txn, units, 2, &added), STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_expect_eq (s_differ_with (asof, "2025-07", moments, 4), 0);
    txn = store_begin (fx_store, true);
    char err[256] = "";
    cr_assert_eq (state_calendar_configure (txn, "cn", STATE_HOURS_DEFAULT,
                                            "sign 1wh contact 1wh return 1wh",
                                            err),
                  0, "%s", err);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_expect_eq (s_differ_with (asof, "2025-08", moments + 2, 2), 0);
    asof_info_t info;
    asof_info (asof, &info);
    cr_expect_eq (info.builds, 3);
    asof_destroy (&asof);
}

/* The clock of the daemon's store (stats), 0 when empty; whether it has
   stored `lines` events. */
static int64_t
s_clock (long lines, bool *all)
{
    proto_query_t q = {.kind = PROTO_QUERY_STATS};
    char *stats = NULL, why[256] = "";
    cr_assert_eq (client_query (h.query, &q, 60000, &stats, why), 0, "%s", why);
    const char *clock = strstr (stats, "\"clock\":\"");
    const char *stored = strstr (stats, "\"events_stored\":");
    char text[40] = "";
    int64_t now = 0;
    if (clock && sscanf (clock + 9, "%39[^\"]", text) == 1)
        proto_time_parse (text, &now);
    *all = stored && atoll (stored + 16) >= lines;
    free (stats);
    return now;
}

#define DURING 400

/* Reports as of moments before the clock while the month is being sent
   (slowly): each is of the store its worker read, its head followed to
   that store's end. Events are sent in time order, so once the clock
   passed a moment every event up to it is stored and none after: the
   answer must be the replay of the final store. */
Test (asof, reports_as_of_a_moment_while_events_arrive_equal_the_replay)
{
    s_checkpoints_every (100);
    cr_assert (harness_start (&h));
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "$GEN --month 2025-07 --scale 2 --units "
                               "units.csv --events events.jsonl && $HOTLINE "
                               "units import units.csv"),
                  0, "%s", err ? err : "");
    free (err);
    long lines = harness_lines (&h, "events.jsonl");
    cr_assert_eq (
        harness_write (&h, "feed.sh",
                       "awk '{ print; if (NR % 100 == 0) { fflush (); "
                       "system (\"sleep 0.05\") } }' events.jsonl | "
                       "$HOTLINE send --batch 50 -\n"),
        0);
    pid_t send = harness_spawn (&h, "send", "sh feed.sh");
    cr_assert_gt (send, 0);
    int64_t deadline = zclock_mono () + 300000;
    int64_t moments[DURING];
    char *answers[DURING];
    int n = 0;
    uint64_t seed = 3;
    bool all = false;
    while (n < DURING && !all && zclock_mono () < deadline) {
        int64_t now = s_clock (lines, &all);
        if (now <= JULY_2025) {
            zclock_sleep (10);
            continue;
        }
        /* Before the clock, back to two days before the month. */
        moments[n] = now - 1 -
                     (int64_t)(fx_next (&seed) %
                               (uint64_t)(now - JULY_2025 + 2 * DAY_MS));
        proto_query_t q = {.kind = PROTO_QUERY_REPORT, .as_of = moments[n]};
        snprintf (q.ruleset, sizeof (q.ruleset), "jintai-2023");
        snprintf (q.period, sizeof (q.period), "2025-07");
        char why[256] = "";
        cr_assert_eq (client_query (h.query, &q, 60000, &answers[n], why), 0,
                      "%s", why);
        n++;
    }
    cr_assert_eq (harness_wait (send), 0);
    cr_expect_gt (n, 10, "%d reports as of a moment while events arrived", n);
    store_t *store;
    rules_set_t *sets;
    const rules_ruleset_t *rs = s_stopped ("jintai-2023", &store, &sets);
    store_txn_t *txn = store_begin (store, false);
    int differ = 0;
    for (int i = 0; i < n; i++) {
        char *expected = s_replayed (txn, rs, "2025-07", moments[i]);
        char when[32];
        if (strcmp (expected, answers[i]) != 0 && differ++ < 3)
            cr_log_error ("as of %s:\n daemon:  %.400s\n replay:  %.400s",
                          proto_time_format (moments[i], when), answers[i],
                          expected);
        free (expected);
        free (answers[i]);
    }
    store_abort (&txn);
    rules_set_destroy (&sets);
    store_destroy (&store);
    cr_expect_eq (differ, 0, "%d of %d moments differ", differ, n);
}

/* Local text of a moment, for s_differ_with. */
static void
s_local (int64_t at, char *text, size_t size)
{
    time_t secs = (time_t)(at / 1000) + 8 * 3600;
    struct tm tm;
    gmtime_r (&secs, &tm);
    size_t n = strftime (text, size, "%Y-%m-%d %H:%M:%S", &tm);
    /* fx_ms reads seconds only: a moment off the second is not asked. */
    cr_assert (n > 0 && at % 1000 == 0, "%lld", (long long)at);
}

/* A log whose first event is a tick weeks ahead (every event after it
   is late), then random events: the moments asked are the edges, two
   seconds before the first event, the times of logged events exactly
   (and a second before and after), the end of July, and the clock
   (the live report) and a second before it. */
Test (asof_log, moments_on_the_edges_of_a_log_that_starts_late)
{
    fx_tick ("2025-07-25 00:00");
    s_random_log (5, 400);
    static char texts[64][40];
    const char *list[64];
    size_t n = 0;
    store_txn_t *txn = store_begin (fx_store, false);
    int64_t clock = state_clock_now (txn);
    store_cursor_t *cursor = store_cursor_new (txn, STORE_LOG, NULL, 0);
    const void *key, *value;
    size_t key_size, size, seen = 0;
    while (n < 48 && store_cursor_next (cursor, &key, &key_size, &value,
                                        &size) == STORE_OK) {
        proto_event_t ev;
        char why[PROTO_ERROR_MAX + 1];
        if (seen++ % 25 != 1 ||
            proto_event_decode (value, size, &ev, why) != 0 ||
            ev.occurred_at % 1000 != 0)
            continue;
        for (int d = -1; d <= 1; d++)
            s_local (ev.occurred_at + d * 1000, texts[n++], sizeof (texts[0]));
    }
    store_cursor_destroy (&cursor);
    store_abort (&txn);
    int64_t edges[] = {JULY_2025 - 2000, JULY_2025 + 31 * DAY_MS,
                       JULY_2025 + 31 * DAY_MS - 1000, clock - 1000, clock};
    for (size_t i = 0; i < 5; i++)
        s_local (edges[i] - edges[i] % 1000, texts[n++], sizeof (texts[0]));
    for (size_t i = 0; i < n; i++)
        list[i] = texts[i];
    cr_expect_eq (s_differ_in_process ("2025-07", list, n), 0);
    cr_expect_eq (s_differ_in_process ("2025-08", list, n), 0);
    cr_expect_eq (s_differ_in_process ("2025-Q3", list, n), 0);
}
