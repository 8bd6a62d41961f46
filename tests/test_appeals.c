/*  Appeals, exemptions and publication, end to end (docs/appeals.md):
    the real daemon, client and sockets. Expected values are derived by
    hand in the comments, from the formulas of jintai-2025
    (docs/schemes.md): each item truncated to two decimals, the total
    their sum:
      closure        30 * closed / should_close
      on_time        30 * closed_on_time / should_close
      overdue_return clamp0(10 - 0.5 * returned_late)
      alert          clamp0(5 - 0.5 * closed_late)
      workload       5 * closed / max_closed
      satisfaction   clamp0(10 - 0.02 * unsatisfied)
      rework         clamp0(10 - 0.5 * rework)                          */
#include "harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <czmq.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static harness_t h;

static void
s_setup (void)
{
    harness_init (&h, "event");
    cr_assert (harness_start (&h), "hotlined did not start (see %s)", h.dir);
}

static void
s_teardown (void)
{
    harness_fini (&h);
}

TestSuite (appeals, .init = s_setup, .fini = s_teardown, .timeout = 300);

static void
s_write (const char *name, const char *text)
{
    char path[512];
    FILE *f = fopen (harness_path (&h, name, path), "w");
    cr_assert_not_null (f);
    fputs (text, f);
    fclose (f);
}

static char *
s_run (const char *command)
{
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err, "%s", command);
    cr_assert_eq (rc, 0, "%s: %s", command, err);
    free (err);
    return out;
}

static void
s_send (const char *lines)
{
    s_write ("more.jsonl", lines);
    free (s_run ("$HOTLINE send more.jsonl"));
}

/* An event line; `extra` holds further members (",\"reason\":...") */
static void
s_line (char *buf, size_t size, const char *id, const char *type,
        const char *ticket, const char *unit, const char *at, const char *extra)
{
    snprintf (buf, size,
              "{\"event_id\":\"%s\",\"type\":\"%s\",\"ticket_id\":\"%s\","
              "\"unit_id\":\"%s\",\"occurred_at\":\"%s+08:00\"%s}\n",
              id, type, ticket, unit, at, extra ? extra : "");
}

/* The month: U01 with ten tickets closed, T09 one day late, T10 revisited
   unsatisfied; U02 with twenty on time (so max_closed is 20). Then a
   tick at the end of July. */
static void
s_month (void)
{
    s_write ("u.csv",
             "unit_id,name,group\nU01,城关街道,town\nU02,陈仓镇,town\n");
    free (s_run ("$HOTLINE units import u.csv"));
    char *events = calloc (1, 64 * 1024);
    size_t used = 0;
    for (int i = 1; i <= 30; i++) {
        const char *unit = i <= 10 ? "U01" : "U02";
        char ticket[16], id[16], at[32], extra[256], line[512];
        snprintf (ticket, sizeof (ticket), "T%02d", i);
        snprintf (id, sizeof (id), "r%02d", i);
        snprintf (at, sizeof (at), "2025-07-%02dT09:00:00", i % 20 + 1);
        snprintf (extra, sizeof (extra),
                  ",\"dispatched_at\":\"%s+08:00\",\"due_at\":\"2025-07-%02d"
                  "T18:00:00+08:00\",\"channel\":\"hotline\"",
                  at, i % 20 + 2);
        s_line (line, sizeof (line), id, "received", ticket, unit, at, extra);
        used += (size_t)snprintf (events + used, 65536 - used, "%s", line);
        /* T09 closes a day after its deadline; the others before it. */
        snprintf (id, sizeof (id), "c%02d", i);
        snprintf (at, sizeof (at), "2025-07-%02dT%s", i % 20 + (i == 9 ? 3 : 2),
                  i == 9 ? "18:00:01" : "10:00:00");
        s_line (line, sizeof (line), id, "closed", ticket, unit, at, NULL);
        used += (size_t)snprintf (events + used, 65536 - used, "%s", line);
    }
    char line[512];
    s_line (line, sizeof (line), "v10", "revisited", "T10", "U01",
            "2025-07-20T09:00:00", ",\"satisfaction\":\"unsatisfied\"");
    used += (size_t)snprintf (events + used, 65536 - used, "%s", line);
    snprintf (events + used, 65536 - used,
              "{\"event_id\":\"tick\",\"type\":\"tick\",\"occurred_at\":"
              "\"2025-08-01T00:00:00+08:00\"}\n");
    s_write ("month.jsonl", events);
    free (events);
    free (s_run ("$HOTLINE send month.jsonl"));
}

static char *
s_report (void)
{
    return s_run ("$HOTLINE report --ruleset jintai-2025 --period 2025-07 "
                  "--format json");
}

/* A cell of U01's row: an item, or "total". */
static double
s_cell (const char *report, const char *field)
{
    cJSON *doc = cJSON_Parse (report);
    cr_assert_not_null (doc);
    const cJSON *row = NULL, *table, *r;
    cJSON_ArrayForEach (table, cJSON_GetObjectItem (doc, "tables"))
    {
        cJSON_ArrayForEach (r, cJSON_GetObjectItem (table, "rows"))
        {
            if (strcmp (cJSON_GetObjectItem (r, "unit_id")->valuestring,
                        "U01") == 0)
                row = r;
        }
    }
    cr_assert_not_null (row);
    const cJSON *v =
        strcmp (field, "total") == 0
            ? cJSON_GetObjectItem (row, "total")
            : cJSON_GetObjectItem (cJSON_GetObjectItem (row, "items"), field);
    double value = v->valuedouble;
    cJSON_Delete (doc);
    return value;
}

static void
s_expect_row (const char *report, const double *expected)
{
    const char *fields[] = {"closure", "on_time",  "overdue_return",
                            "alert",   "workload", "satisfaction",
                            "rework",  "total"};
    for (int i = 0; i < 8; i++)
        cr_expect_float_eq (s_cell (report, fields[i]), expected[i], 1e-9,
                            "%s: %.2f, expected %.2f", fields[i],
                            s_cell (report, fields[i]), expected[i]);
}

Test (appeals, an_exemption_moves_exactly_what_the_formulas_give)
{
    s_month ();
    /* U01 before: closed 10, closed_on_time 9, should_close 10,
       closed_late 1, unsatisfied 1, max_closed 20 (U02):
       closure 30, on_time 27, overdue_return 10, alert 4.5,
       workload 5 * 10 / 20 = 2.5, satisfaction 9.98, rework 10;
       total 93.98. */
    char *before = s_report ();
    const double was[8] = {30, 27, 10, 4.5, 2.5, 9.98, 10, 93.98};
    s_expect_row (before, was);

    /* T09 (the late one) exempted, all counters: closed 9,
       closed_on_time 9, should_close 9, closed_late 0: on_time 30
       (+3), alert 5 (+0.5), workload 5 * 9 / 20 = 2.25 (-0.25); total
       97.23 (+3.25). */
    char line[512];
    s_line (
        line, sizeof (line), "x1", "exempted", "T09", "U01",
        "2025-08-02T09:00:00",
        ",\"counters\":\"all\",\"reason\":\"申诉成立\",\"by\":\"区政府办\"");
    s_send (line);
    char *after = s_report ();
    const double all[8] = {30, 30, 10, 5, 2.25, 9.98, 10, 97.23};
    s_expect_row (after, all);
    free (after);

    /* Only its lateness: the closure stays and counts as on time:
       closed 10, closed_on_time 10, closed_late 0: on_time 30, alert 5,
       workload 2.5; total 97.48. */
    s_line (line, sizeof (line), "x2", "unexempted", "T09", "U01",
            "2025-08-02T10:00:00", ",\"reason\":\"复核\"");
    s_send (line);
    s_line (line, sizeof (line), "x3", "exempted", "T09", "U01",
            "2025-08-02T11:00:00", ",\"counters\":\"closed_late\"");
    s_send (line);
    after = s_report ();
    const double late[8] = {30, 30, 10, 5, 2.5, 9.98, 10, 97.48};
    s_expect_row (after, late);
    free (after);

    /* Withdrawn: the report is the one before, byte for byte. */
    s_line (line, sizeof (line), "x4", "unexempted", "T09", "U01",
            "2025-08-02T12:00:00", NULL);
    s_send (line);
    after = s_report ();
    cr_expect_str_eq (after, before, "unexempted restores the report");
    free (after);

    /* T10's unsatisfied revisit only: satisfaction 10 (+0.02), nothing
       else; total 94.00. */
    s_line (line, sizeof (line), "x5", "exempted", "T10", "U01",
            "2025-08-03T09:00:00", ",\"counters\":\"unsatisfied\"");
    s_send (line);
    after = s_report ();
    const double unsat[8] = {30, 27, 10, 4.5, 2.5, 10, 10, 94.00};
    s_expect_row (after, unsat);
    free (after);

    /* A later unsatisfied revisit of the exempted ticket still does not
       count: satisfaction stays 10. */
    s_line (line, sizeof (line), "v10b", "revisited", "T10", "U01",
            "2025-07-25T09:00:00", ",\"satisfaction\":\"unsatisfied\"");
    s_send (line);
    after = s_report ();
    s_expect_row (after, unsat);
    free (after);

    /* Explain lists the exempted count apart, with its reason. */
    char *explain = s_run ("$HOTLINE explain --ruleset jintai-2025 --period "
                           "2025-07 --unit U01 --item satisfaction --format "
                           "json");
    cr_expect (strstr (explain, "\"tickets\":[]") &&
                   strstr (explain, "\"exempted\":[{\"ticket_id\":\"T10\""),
               "%s", explain);
    free (explain);
    free (before);
}

/* Waits up to 10 s for text in a spawned command's output file. */
static bool
s_wait_for (const char *name, const char *text)
{
    char path[512];
    harness_path (&h, name, path);
    for (int i = 0; i < 200; i++) {
        char *out = harness_slurp (path);
        bool found = out && strstr (out, text);
        free (out);
        if (found)
            return true;
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep (&pause, NULL);
    }
    return false;
}

Test (appeals, an_overdue_ticket_exempted_gives_back_closure_live)
{
    s_month ();
    /* T31, U01's eleventh ticket, never closed and past its deadline in
       July: should_close 11, closed 10, closed_on_time 9, closed_late 1:
       closure 30 * 10 / 11 = 27.27, on_time 30 * 9 / 11 = 24.54,
       overdue_return 10, alert 4.5, workload 2.5, satisfaction 9.98,
       rework 10; total 88.79. */
    char line[512];
    s_line (line, sizeof (line), "r31", "received", "T31", "U01",
            "2025-07-21T09:00:00",
            ",\"dispatched_at\":\"2025-07-21T09:00:00+08:00\",\"due_at\":"
            "\"2025-07-25T18:00:00+08:00\"");
    s_send (line);
    char *report = s_report ();
    const double overdue[8] = {27.27, 24.54, 10, 4.5, 2.5, 9.98, 10, 88.79};
    s_expect_row (report, overdue);
    free (report);

    /* The live row follows the exemption at once: U01 back to the month
       without T31, total 93.98. */
    pid_t sub = harness_spawn (
        &h, "sub", "exec $HOTLINE subscribe --topic score/jintai-2025/U01");
    cr_assert (s_wait_for ("sub.out", "\"snapshot\":true"),
               "no snapshot from hotline subscribe");
    s_line (line, sizeof (line), "x31", "exempted", "T31", "U01",
            "2025-08-02T09:00:00", ",\"reason\":\"重复来电\"");
    s_send (line);
    bool live =
        s_wait_for ("sub.out", "\"total\":93.98,\"ruleset\":"
                               "\"jintai-2025\",\"period\":\"2025-07\"");
    kill (sub, SIGTERM);
    harness_wait (sub);
    cr_expect (live, "no live row with 93.98 after the exemption");
    report = s_report ();
    const double back[8] = {30, 27, 10, 4.5, 2.5, 9.98, 10, 93.98};
    s_expect_row (report, back);
    free (report);
}

Test (appeals, refuses_what_makes_no_sense_with_a_reason)
{
    s_month ();
    char lines[2048] = "", line[512];
    s_line (line, sizeof (line), "n1", "exempted", "T404", "U01",
            "2025-08-02T09:00:00", NULL);
    strcat (lines, line);
    s_line (line, sizeof (line), "n2", "appealed", "T01", "U02",
            "2025-08-02T09:00:00", NULL);
    strcat (lines, line);
    s_line (line, sizeof (line), "n3", "unexempted", "T01", "U01",
            "2025-08-02T09:00:00", NULL);
    strcat (lines, line);
    s_line (line, sizeof (line), "n4", "exempted", "T01", "U01",
            "2025-08-02T09:00:00", ",\"counters\":\"bogus\"");
    strcat (lines, line);
    s_write ("bad.jsonl", lines);
    char *err = NULL;
    cr_expect_eq (harness_run (&h, NULL, &err, "$HOTLINE send bad.jsonl"), 1);
    const char *reasons[] = {
        "unknown ticket T404", "unit U02 never had ticket T01",
        "ticket T01 is not exempted for unit U01", "unknown counter bogus"};
    for (int i = 0; i < 4; i++)
        cr_expect (strstr (err, reasons[i]), "%s: %s", reasons[i], err);
    free (err);
}

Test (appeals, a_published_scorecard_never_changes_and_diff_says_what_did)
{
    s_month ();
    /* Not ended on the daemon's clock (2025-08-01): August is refused. */
    char *err = NULL;
    cr_expect_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE publish --ruleset jintai-2025 "
                               "--period 2025-08"),
                  1);
    cr_expect (strstr (err, "has not ended") && strstr (err, "--force"), "%s",
               err);
    free (err);
    cr_expect_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE report --ruleset jintai-2025 "
                               "--period 2025-07 --published"),
                  1);
    cr_expect (strstr (err, "nothing published"), "%s", err);
    free (err);

    char *stored = s_run ("$HOTLINE publish --ruleset jintai-2025 --period "
                          "2025-07 --note 7月通报");
    free (stored);
    char *v1 = s_run ("$HOTLINE report --ruleset jintai-2025 --period 2025-07 "
                      "--published --format json");
    char *live = s_report ();
    cr_expect (strstr (v1, "\"published\":{\"version\":1,") != NULL, "%s", v1);
    /* The published bytes are the live report's with the member added. */
    cr_expect_eq (strncmp (v1, live, strlen (live) - 2), 0);
    free (live);

    /* A late revisit and an exemption of other tickets. */
    char lines[2048] = "", line[512];
    s_line (line, sizeof (line), "late1", "revisited", "T03", "U01",
            "2025-07-31T09:00:00", ",\"satisfaction\":\"unsatisfied\"");
    strcat (lines, line);
    s_line (line, sizeof (line), "late2", "exempted", "T09", "U01",
            "2025-08-05T09:00:00", ",\"counters\":\"all\"");
    strcat (lines, line);
    s_send (lines);

    /* diff: U01's on_time, alert, workload and total moved (T09 out:
       97.23 against 93.98, with T03's unsatisfied: satisfaction 9.96,
       total 97.21), and nothing else: the diff's cells are exactly the
       cells of the two reports that differ. */
    char *diff = s_run ("$HOTLINE diff --ruleset jintai-2025 --period 2025-07 "
                        "--format json");
    cJSON *d = cJSON_Parse (diff);
    cr_assert_not_null (d, "%s", diff);
    cr_expect_eq (cJSON_GetObjectItem (d, "events_since")->valueint, 2);
    const char *moved[] = {"on_time", "alert", "workload", "satisfaction",
                           "total"};
    cr_expect_eq (cJSON_GetArraySize (cJSON_GetObjectItem (d, "changes")), 5,
                  "%s", diff);
    for (int i = 0; i < 5; i++) {
        char want[64];
        snprintf (want, sizeof (want), "\"field\":\"%s\"", moved[i]);
        cr_expect (strstr (diff, want), "%s missing: %s", moved[i], diff);
    }
    cr_expect (strstr (diff, "\"field\":\"total\",\"published\":93.98,\"now\":"
                             "97.21"),
               "%s", diff);
    cJSON_Delete (d);
    free (diff);

    /* Unchanged by everything since: a crash, a replay. */
    char *again = s_run ("$HOTLINE report --ruleset jintai-2025 --period "
                         "2025-07 --published --format json");
    cr_expect_str_eq (again, v1);
    free (again);
    harness_kill (&h);
    cr_assert (harness_start (&h));
    again = s_run ("$HOTLINE report --ruleset jintai-2025 --period 2025-07 "
                   "--published --format json");
    cr_expect_str_eq (again, v1, "after SIGKILL");
    free (again);
    cr_assert_eq (harness_stop (&h), 0);
    free (s_run ("$HOTLINE replay"));
    cr_assert (harness_start (&h));
    again = s_run ("$HOTLINE report --ruleset jintai-2025 --period 2025-07 "
                   "--published --format json");
    cr_expect_str_eq (again, v1, "after hotline replay");
    free (again);

    /* A ruleset reloaded with another title: the live report has it, the
       published one does not. */
    cr_assert_eq (harness_stop (&h), 0);
    free (s_run ("mkdir -p rules && cp " HOTLINE_RULESETS_DIR
                 "/jintai-2025.zpl rules/"));
    char rules[512];
    harness_set (&h, "rulesets", harness_path (&h, "rules", rules));
    cr_assert (harness_start (&h));
    char *text = harness_slurp (HOTLINE_RULESETS_DIR "/jintai-2025.zpl");
    cr_assert_not_null (text);
    const char *title = strstr (text, "    title = ");
    cr_assert_not_null (title);
    char *rest = strchr (title, '\n');
    char *edited = calloc (1, strlen (text) + 64);
    sprintf (edited, "%.*s    title = \"修订后的标题\"%s", (int)(title - text),
             text, rest);
    s_write ("rules/jintai-2025.zpl", edited);
    free (edited);
    free (text);
    free (s_run ("$HOTLINE rulesets --reload"));
    char *retitled = s_report ();
    cr_expect (strstr (retitled, "修订后的标题") != NULL, "%.200s", retitled);
    free (retitled);
    again = s_run ("$HOTLINE report --ruleset jintai-2025 --period 2025-07 "
                   "--published --format json");
    cr_expect_str_eq (again, v1, "after a ruleset reload");
    free (again);

    /* An amendment: version 2; version 1 still answers. */
    free (s_run ("$HOTLINE publish --ruleset jintai-2025 --period 2025-07 "
                 "--note 修订"));
    char *v2 = s_run ("$HOTLINE report --ruleset jintai-2025 --period 2025-07 "
                      "--published --format json");
    cr_expect (strstr (v2, "\"version\":2") != NULL);
    again = s_run ("$HOTLINE report --ruleset jintai-2025 --period 2025-07 "
                   "--published --version 1 --format json");
    cr_expect_str_eq (again, v1);
    free (again);
    cr_expect_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE report --ruleset jintai-2025 "
                               "--period 2025-07 --published --version 3"),
                  1);
    cr_expect (strstr (err, "no version 3") && strstr (err, "versions 1 to 2"),
               "%s", err);
    free (err);
    free (v1);
    free (v2);
}

/* The fault test's pattern for the new events: appeals and exemptions
   sent while the daemon is killed at random moments count once each. */
Test (appeals, each_appeal_and_exemption_counts_once_across_kills)
{
    s_month ();
    char *events = calloc (1, 256 * 1024);
    size_t used = 0;
    for (int round = 0; round < 40; round++)
        for (int i = 1; i <= 30; i++) {
            char ticket[16], id[24], at[32], line[512];
            const char *unit = i <= 10 ? "U01" : "U02";
            snprintf (ticket, sizeof (ticket), "T%02d", i);
            snprintf (at, sizeof (at), "2025-08-%02dT%02d:%02d:00",
                      2 + round / 24, round % 24, i);
            /* Appeal, exempt, withdraw, ... ending exempted on odd
               rounds' last. */
            const char *types[] = {"appealed", "exempted", "unexempted"};
            const char *type = types[(round + i) % 3];
            snprintf (id, sizeof (id), "f%d-%d", round, i);
            s_line (line, sizeof (line), id, type, ticket, unit, at,
                    strcmp (type, "exempted") == 0
                        ? ",\"counters\":\"closed_late unsatisfied\""
                        : NULL);
            used += (size_t)snprintf (events + used, 262144 - used, "%s", line);
        }
    s_write ("decisions.jsonl", events);
    free (events);

    /* The clean run, on a daemon left alone. */
    harness_t faulty = h;
    harness_init (&h, "event");
    cr_assert (harness_start (&h));
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "cp %s/u.csv %s/month.jsonl %s/decisions.jsonl "
                               ". && $HOTLINE units import u.csv && $HOTLINE "
                               "send month.jsonl",
                               faulty.dir, faulty.dir, faulty.dir),
                  0, "%s", err);
    free (err);
    /* Refusals (unexempting what is not exempted) are part of the
       stream: the same in both runs. */
    harness_run (&h, NULL, NULL, "$HOTLINE send decisions.jsonl");
    char *clean = s_report ();
    char *clean_appeals = s_run ("$HOTLINE appeals --format json");
    harness_t alone = h;
    h = faulty;

    pid_t sender = harness_spawn (&h, "send",
                                  "$HOTLINE send decisions.jsonl --batch 20 "
                                  "--window 4 --ack-wait 400 --timeout "
                                  "120000");
    cr_assert_gt (sender, 0);
    srand ((unsigned)time (NULL));
    for (int kill = 0; kill < 8; kill++) {
        zclock_sleep (30 + rand () % 120);
        harness_kill (&h);
        cr_assert (harness_start (&h), "restart %d failed", kill + 1);
    }
    harness_wait (sender);
    /* Whatever the sender heard, send again: duplicates change nothing. */
    harness_run (&h, NULL, NULL, "$HOTLINE send decisions.jsonl");
    char *report = s_report ();
    cr_expect_str_eq (report, clean, "the reports differ");
    char *appeals = s_run ("$HOTLINE appeals --format json");
    cr_expect_str_eq (appeals, clean_appeals, "the appeals differ");
    free (report);
    free (appeals);
    free (clean);
    free (clean_appeals);
    harness_fini (&alone);
}

Test (appeals, every_new_command_has_help)
{
    const char *commands[] = {"appeals", "publish", "diff"};
    for (int i = 0; i < 3; i++) {
        char *out = NULL;
        cr_expect_eq (
            harness_run (&h, &out, NULL, "$HOTLINE %s --help", commands[i]), 0);
        cr_expect (out && strstr (out, commands[i]), "%s", out);
        free (out);
    }
    char *err = NULL;
    cr_expect_eq (
        harness_run (&h, NULL, &err, "$HOTLINE appeals --state maybe"), 1);
    cr_expect (strstr (err, "open, granted or rejected"), "%s", err);
    free (err);
}
