/*  Every registered unit is accounted for, end to end (docs/units.md):
    a jurisdiction whose group tokens no shipped ruleset names gets every
    unit in the report of each ruleset (a table of its own per group,
    after the ruleset's tables, and a warning), summaries and report-wide
    values over all of them, a warning from `hotline units import`, and
    live score rows for them. The real daemon, client and sockets. */
#include "client_sub.h"
#include "harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

TestSuite (registry, .init = s_setup, .fini = s_teardown, .timeout = 120);

static const char *s_rulesets[][2] = {{"jintai-2025", "2025-07"},
                                      {"jintai-2023", "2025-07"},
                                      {"fufeng-2024", "2025-Q3"},
                                      {"furong-2022", "2025-07"},
                                      {"lianyungang-2017", "2025-07"}};

/* The demo month of 金台区 with the jurisdiction's own tokens: towns
   become "street", departments "city_direct", and the last three units
   "key_assist". Returns the number of units. */
static int
s_feed_own_tokens (char **import_err)
{
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "%s/hotline-gen --units gen.csv "
                               "--events events.jsonl",
                               BIN_DIR),
                  0, "%s", err);
    free (err);
    cr_assert_eq (
        harness_run (&h, NULL, &err,
                     "sed -e 's/,town$/,street/' -e 's/,dept$/,city_direct/' "
                     "gen.csv > u.csv && n=$(wc -l < u.csv) && "
                     "head -n $((n - 3)) u.csv > own.csv && tail -n 3 u.csv "
                     "| sed -e 's/,[a-z_]*$/,key_assist/' >> own.csv"),
        0, "%s", err);
    free (err);
    cr_assert_eq (
        harness_run (&h, NULL, import_err, "$HOTLINE units import own.csv"), 0,
        "%s", *import_err);
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINE send events.jsonl"), 0,
                  "%s", err);
    free (err);
    char *out = NULL;
    cr_assert_eq (harness_run (&h, &out, NULL, "tail -n +2 own.csv | wc -l"),
                  0);
    int units = atoi (out);
    free (out);
    return units;
}

static cJSON *
s_report (const char *ruleset, const char *period)
{
    char *out = NULL, *err = NULL;
    cr_assert_eq (harness_run (&h, &out, &err,
                               "$HOTLINE report --ruleset %s --period %s "
                               "--format json",
                               ruleset, period),
                  0, "%s: %s", ruleset, err);
    free (err);
    cJSON *doc = cJSON_Parse (out);
    cr_assert_not_null (doc, "%s", out);
    free (out);
    return doc;
}

/* True when the report has a warning containing `text`. */
static bool
s_warns (const cJSON *report, const char *text)
{
    const cJSON *w;
    cJSON_ArrayForEach (w, cJSON_GetObjectItem (report, "warnings"))
    {
        if (cJSON_IsString (w) && strstr (w->valuestring, text))
            return true;
    }
    return false;
}

Test (registry, units_of_groups_no_ruleset_names_are_in_every_report)
{
    char *import_err = NULL;
    int units = s_feed_own_tokens (&import_err);
    cr_assert_eq (units, 27);
    const char *groups[] = {"street", "city_direct", "key_assist"};
    for (int g = 0; g < 3; g++)
        cr_expect (strstr (import_err, groups[g]) &&
                       strstr (import_err, "warning"),
                   "units import warns for %s: %s", groups[g], import_err);
    free (import_err);

    for (size_t r = 0; r < sizeof (s_rulesets) / sizeof (s_rulesets[0]); r++) {
        const char *id = s_rulesets[r][0];
        cJSON *report = s_report (id, s_rulesets[r][1]);
        /* Every unit once: a row of a table or an exclusion. */
        int rows = 0;
        bool own[3] = {false, false, false};
        const cJSON *table;
        cJSON_ArrayForEach (table, cJSON_GetObjectItem (report, "tables"))
        {
            rows += cJSON_GetArraySize (cJSON_GetObjectItem (table, "rows"));
            const char *group =
                cJSON_GetObjectItem (table, "group")->valuestring;
            for (int g = 0; g < 3; g++)
                own[g] |= strcmp (group, groups[g]) == 0;
        }
        int excluded =
            cJSON_GetArraySize (cJSON_GetObjectItem (report, "excluded"));
        cr_expect_eq (rows + excluded, units, "%s: %d rows + %d excluded", id,
                      rows, excluded);
        /* jintai-2023 lists every unit in one table of "all": no table of
           their own is needed there, and no warning. */
        bool takes_all = strcmp (id, "jintai-2023") == 0;
        for (int g = 0; g < 3; g++) {
            cr_expect_eq (own[g], !takes_all, "%s: table of %s", id, groups[g]);
            cr_expect_eq (s_warns (report, groups[g]), !takes_all,
                          "%s: warning for %s", id, groups[g]);
        }
        const cJSON *summary = cJSON_GetObjectItem (report, "summary");
        if (summary)
            cr_expect_eq (cJSON_GetObjectItem (summary, "units")->valueint,
                          units, "%s: the summary counts every unit", id);
        cJSON_Delete (report);
    }

    /* Live rows: the snapshot holds a score row of every unit for every
       ruleset. */
    char err[256];
    client_subscriber_t *sub =
        client_subscriber_new (h.publish, h.snapshot, 0, err);
    cr_assert_not_null (sub, "%s", err);
    cr_assert_eq (client_subscriber_sync (sub, 5000, NULL, NULL, err), 0, "%s",
                  err);
    char *state = client_subscriber_state (sub);
    cJSON *doc = cJSON_Parse (state);
    int rows = cJSON_GetArraySize (cJSON_GetObjectItem (doc, "scores"));
    cr_expect_eq (rows, units * 5, "a live row per unit and ruleset");
    cJSON_Delete (doc);
    free (state);
    client_subscriber_destroy (&sub);
}

Test (registry, an_empty_period_says_so)
{
    char *import_err = NULL;
    s_feed_own_tokens (&import_err);
    free (import_err);
    cJSON *report = s_report ("jintai-2025", "2025-09");
    cr_expect (cJSON_IsTrue (cJSON_GetObjectItem (report, "empty")));
    cr_expect (s_warns (report, "no events in 2025-09"));
    cJSON_Delete (report);
    report = s_report ("jintai-2025", "2025-07");
    cr_expect_null (cJSON_GetObjectItem (report, "empty"));
    cJSON_Delete (report);
}
