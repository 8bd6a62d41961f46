/*  Rulesets as data, through the real daemon: a scheme written as a file
    only, and malformed files refused at start and at reload while the
    daemon keeps the rulesets it had. */
#include "harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static harness_t h;
static char s_rules[512];

static void
s_setup (void)
{
    harness_init (&h, "event");
    harness_path (&h, "rules", s_rules);
    cr_assert_eq (mkdir (s_rules, 0755), 0);
    harness_set (&h, "rulesets", s_rules);
}

static void
s_teardown (void)
{
    harness_fini (&h);
}

static void
s_write (const char *name, const char *text)
{
    char path[600];
    snprintf (path, sizeof (path), "%s/%s", s_rules, name);
    FILE *f = fopen (path, "w");
    cr_assert_not_null (f);
    fputs (text, f);
    fclose (f);
}

/* A scheme no C code knows: two items, competition ranking. */
static const char *s_town_2026 =
    "ruleset\n"
    "    id = town-2026\n"
    "    title = \"A scheme written as a file\"\n"
    "    period = month\n"
    "    total = round_sum\n"
    "    rank = competition\n"
    "    counters = \"should_close closed closed_on_time\"\n"
    "    tables\n"
    "        town = Towns\n"
    "    items\n"
    "        closure\n"
    "            label = Closure\n"
    "            points = 60\n"
    "            formula = \"60 * closed / should_close\"\n"
    "        punctual\n"
    "            label = Punctual\n"
    "            points = 40\n"
    "            formula = \"40 * closed_on_time / max(closed, 1)\"\n";

/* Units A and B: A receives 3 tickets and closes 2 on time, 1 late; B
   receives 2 and closes 1 on time, leaving 1 overdue at month end. */
static void
s_feed (void)
{
    char path[512];
    FILE *f = fopen (harness_path (&h, "units.csv", path), "w");
    fputs ("unit_id,name,group\nA,Unit A,town\nB,Unit B,town\n", f);
    fclose (f);
    f = fopen (harness_path (&h, "events.jsonl", path), "w");
    static const char *tickets[][4] = {
        /* ticket, unit, closed at (or ""), due day */
        {"A1", "A", "2026-03-03T10:00:00+08:00", "04"},
        {"A2", "A", "2026-03-03T11:00:00+08:00", "04"},
        {"A3", "A", "2026-03-06T10:00:00+08:00", "04"},
        {"B1", "B", "2026-03-03T10:00:00+08:00", "04"},
        {"B2", "B", "", "04"}};
    for (int i = 0; i < 5; i++) {
        fprintf (f,
                 "{\"event_id\":\"r-%s\",\"type\":\"received\",\"ticket_id\":"
                 "\"%s\",\"unit_id\":\"%s\",\"occurred_at\":\"2026-03-02T09:"
                 "10:00+08:00\",\"dispatched_at\":\"2026-03-02T09:00:00+08:"
                 "00\",\"due_at\":\"2026-03-%sT18:00:00+08:00\",\"channel\":"
                 "\"hotline\",\"category\":\"other\"}\n",
                 tickets[i][0], tickets[i][0], tickets[i][1], tickets[i][3]);
        if (*tickets[i][2])
            fprintf (f,
                     "{\"event_id\":\"c-%s\",\"type\":\"closed\",\"ticket_id\":"
                     "\"%s\",\"unit_id\":\"%s\",\"occurred_at\":\"%s\"}\n",
                     tickets[i][0], tickets[i][0], tickets[i][1],
                     tickets[i][2]);
    }
    fputs ("{\"event_id\":\"end\",\"type\":\"tick\",\"occurred_at\":"
           "\"2026-04-01T00:00:00+08:00\"}\n",
           f);
    fclose (f);
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE units import units.csv && $HOTLINE "
                               "send events.jsonl"),
                  0, "%s", err);
    free (err);
}

static const cJSON *
s_row (const cJSON *doc, const char *unit_id)
{
    const cJSON *table, *row;
    cJSON_ArrayForEach (table, cJSON_GetObjectItem (doc, "tables"))
    {
        cJSON_ArrayForEach (row, cJSON_GetObjectItem (table, "rows"))
        {
            if (strcmp (cJSON_GetObjectItem (row, "unit_id")->valuestring,
                        unit_id) == 0)
                return row;
        }
    }
    return NULL;
}

static double
s_item (const cJSON *row, const char *item)
{
    return cJSON_GetObjectItem (cJSON_GetObjectItem (row, "items"), item)
        ->valuedouble;
}

TestSuite (rulesets, .init = s_setup, .fini = s_teardown, .timeout = 120);

Test (rulesets, a_scheme_written_as_a_file_only_gets_its_scorecard)
{
    s_write ("town-2026.zpl", s_town_2026);
    cr_assert (harness_start (&h), "hotlined did not start");
    s_feed ();
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err,
                          "$HOTLINE report --ruleset town-2026 --period "
                          "2026-03 --format json");
    cr_assert_eq (rc, 0, "%s", err);
    cJSON *doc = cJSON_Parse (out);
    cr_assert_not_null (doc, "%s", out);
    const cJSON *a = s_row (doc, "A"), *b = s_row (doc, "B");
    cr_assert (a && b);
    /* A: should_close 3, closed 3, on time 2.
       closure 60 * 3/3 = 60; punctual 40 * 2/3 = 26.666.. -> 26.67;
       total r2(60 + 26.6667) = 86.67. */
    cr_expect_float_eq (s_item (a, "closure"), 60.0, 1e-9);
    cr_expect_float_eq (s_item (a, "punctual"), 26.67, 1e-9);
    cr_expect_float_eq (cJSON_GetObjectItem (a, "total")->valuedouble, 86.67,
                        1e-9);
    /* B: closed 1 on time, B2 overdue open: should_close 2.
       closure 60 * 1/2 = 30; punctual 40 * 1/1 = 40; total 70. */
    cr_expect_float_eq (s_item (b, "closure"), 30.0, 1e-9);
    cr_expect_float_eq (s_item (b, "punctual"), 40.0, 1e-9);
    cr_expect_float_eq (cJSON_GetObjectItem (b, "total")->valuedouble, 70.0,
                        1e-9);
    cr_expect_eq (cJSON_GetObjectItem (a, "rank")->valueint, 1);
    cr_expect_eq (cJSON_GetObjectItem (b, "rank")->valueint, 2);
    cJSON_Delete (doc);
    free (out);
    free (err);
}

Test (rulesets, a_daemon_refuses_to_start_with_a_malformed_ruleset)
{
    s_write ("bad.zpl", "ruleset\n"
                        "    id = bad\n"
                        "    tables\n"
                        "        town = Towns\n"
                        "    items\n"
                        "        closure\n"
                        "            formula = \"30 * closd\"\n");
    cr_assert_not (harness_start (&h), "hotlined must refuse to start");
    char path[512];
    char *log = harness_slurp (harness_path (&h, "daemon.log", path));
    cr_assert_not_null (log);
    cr_expect (strstr (log, "bad.zpl:7: item closure: unknown name closd"),
               "%s", log);
    free (log);
}

/* Each malformed file is refused at reload with file, line and reason;
   the daemon keeps what it had and keeps scoring with it. */
Test (rulesets, a_malformed_ruleset_is_refused_at_reload_and_the_old_ones_stay)
{
    s_write ("town-2026.zpl", s_town_2026);
    cr_assert (harness_start (&h));
    s_feed ();
    static const char *cases[][2] = {
        {"ruleset\n    id = broken\n   tables = x\n",
         "broken.zpl:3: not valid ZPL: indent 4 spaces at once"},
        {"ruleset\n"
         "    id = broken\n"
         "    tables\n"
         "        town = Towns\n"
         "    items\n"
         "        closure\n"
         "            formula = \"30 * closed / shuold_close\"\n",
         "broken.zpl:7: item closure: unknown name shuold_close"},
        {"ruleset\n"
         "    id = broken\n"
         "    tables\n"
         "        town = Towns\n"
         "    items\n"
         "        closure\n"
         "            formula = \"closed / (1 - 1)\"\n",
         "broken.zpl:7: item closure: division by a constant zero"},
        {"ruleset\n"
         "    id = broken\n"
         "    tables\n"
         "        town = Towns\n"
         "    items\n"
         "        first\n"
         "            formula = \"second + 1\"\n"
         "        second\n"
         "            formula = \"first * 2\"\n",
         "broken.zpl:8: circular reference between items: first -> second "
         "-> first"}};
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
        s_write ("broken.zpl", cases[i][0]);
        char *err = NULL;
        int rc = harness_run (&h, NULL, &err, "$HOTLINE rulesets --reload");
        cr_expect_neq (rc, 0, "case %zu: reload must fail", i);
        cr_expect (err && strstr (err, cases[i][1]), "case %zu: %s", i, err);
        free (err);
        char *out = NULL;
        rc = harness_run (&h, &out, NULL, "$HOTLINE rulesets");
        cr_expect_eq (rc, 0);
        cr_expect (strstr (out, "\"town-2026\"") && !strstr (out, "broken"),
                   "case %zu: %s", i, out);
        free (out);
        rc = harness_run (&h, &out, NULL,
                          "$HOTLINE report --ruleset town-2026 --period "
                          "2026-03 --format json");
        cr_expect_eq (rc, 0, "case %zu: the old ruleset still scores", i);
        free (out);
    }
    /* Fixed, the file loads and its scheme appears. */
    s_write ("broken.zpl", "ruleset\n"
                           "    id = mended\n"
                           "    tables\n"
                           "        town = Towns\n"
                           "    items\n"
                           "        closure\n"
                           "            formula = \"100 * closed / "
                           "should_close\"\n");
    char *out = NULL;
    cr_assert_eq (harness_run (&h, &out, NULL, "$HOTLINE rulesets --reload"),
                  0);
    cr_expect (strstr (out, "\"mended\"") && strstr (out, "\"town-2026\""),
               "%s", out);
    free (out);
    cr_expect_eq (harness_run (&h, &out, NULL,
                               "$HOTLINE report --ruleset mended --period "
                               "2026-03 --format json"),
                  0);
    cr_expect (strstr (out, "\"closure\":100.00"), "%s", out);
    free (out);
}
