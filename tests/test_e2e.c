/*  End to end: the real hotlined, the real hotline client, real ZeroMQ
    sockets and a real LMDB directory, compared with a published table.

    The event stream is synthesised by hotline-synth from the golden CSV so
    that every unit has exactly the published counters; the test then
    checks every published item, total and rank against what the daemon
    computes from those events. */
#include "harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
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

/* ---- a tiny CSV reader for the golden files ------------------------- */

#define CSV_FIELDS 32

typedef struct {
    int count;               /* fields */
    char *field[CSV_FIELDS]; /* pointers into the line */
} s_row_t;

static int
s_split (char *line, s_row_t *row)
{
    row->count = 0;
    char *p = line;
    while (row->count < CSV_FIELDS) {
        if (*p == '"') {
            char *out = ++p;
            row->field[row->count++] = out;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"')
                    p++;
                *out++ = *p++;
            }
            if (*p == '"')
                p++;
            *out = 0;
            if (*p != ',')
                break;
            p++;
        } else {
            row->field[row->count++] = p;
            char *comma = strchr (p, ',');
            if (!comma)
                break;
            *comma = 0;
            p = comma + 1;
        }
    }
    return row->count;
}

static const char *
s_col (const s_row_t *header, const s_row_t *row, const char *name)
{
    for (int i = 0; i < header->count; i++)
        if (strcmp (header->field[i], name) == 0)
            return i < row->count ? row->field[i] : "";
    cr_assert_fail ("golden file has no column %s", name);
    return NULL;
}

static void
s_chomp (char *line)
{
    size_t n = strlen (line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
}

/* ---- helpers over the report JSON ----------------------------------- */

static cJSON *
s_report (const char *args)
{
    char *out = NULL, *err = NULL;
    int rc =
        harness_run (&h, &out, &err, "$HOTLINE report %s --format json", args);
    cr_assert_eq (rc, 0, "hotline report failed: %s", err);
    cJSON *doc = cJSON_Parse (out);
    cr_assert_not_null (doc, "report is not JSON: %s", out);
    free (out);
    free (err);
    return doc;
}

static const cJSON *
s_find_row (const cJSON *doc, const char *group, const char *unit)
{
    const cJSON *table;
    cJSON_ArrayForEach (table, cJSON_GetObjectItem (doc, "tables"))
    {
        if (strcmp (cJSON_GetObjectItem (table, "group")->valuestring, group))
            continue;
        const cJSON *row;
        cJSON_ArrayForEach (row, cJSON_GetObjectItem (table, "rows"))
        {
            if (strcmp (cJSON_GetObjectItem (row, "unit")->valuestring, unit) ==
                0)
                return row;
        }
    }
    return NULL;
}

static double
s_num (const cJSON *obj, const char *a, const char *b)
{
    const cJSON *node = cJSON_GetObjectItem (obj, a);
    if (b)
        node = cJSON_GetObjectItem (node, b);
    cr_assert (cJSON_IsNumber (node), "no number at %s%s%s", a, b ? "." : "",
               b ? b : "");
    return node->valuedouble;
}

static void
s_expect_cell (const char *unit, const char *what, double published,
               double computed, double tolerance)
{
    cr_expect (fabs (published - computed) <= tolerance + 1e-9,
               "%s %s: published %.2f, computed %.2f", unit, what, published,
               computed);
}

/* Synthesises the stream of a golden table, imports its units, sends it,
   and returns the report of `ruleset` for `period`. */
static cJSON *
s_feed (const char *scheme, const char *golden, const char *extra,
        const char *period)
{
    char *err = NULL;
    int rc = harness_run (&h, NULL, &err,
                          "$SYNTH --scheme %s --golden %s/%s --units "
                          "units.csv --events events.jsonl %s",
                          scheme, GOLDEN_DIR, golden, extra);
    cr_assert_eq (rc, 0, "hotline-synth failed: %s", err);
    free (err);
    rc = harness_run (&h, NULL, &err, "$HOTLINE units import units.csv");
    cr_assert_eq (rc, 0, "units import failed: %s", err);
    free (err);
    rc = harness_run (&h, NULL, &err, "$HOTLINE send events.jsonl");
    cr_assert_eq (rc, 0, "send failed: %s", err);
    free (err);
    char args[128];
    snprintf (args, sizeof (args), "--ruleset %s --period %s", scheme, period);
    return s_report (args);
}

/* The jintai stream plus one small unit, reported for 2025-07. */
static cJSON *
s_feed_jintai (void)
{
    return s_feed ("jintai-2025", "jintai_2025_07.csv", "--extra-small-unit",
                   "2025-07");
}

TestSuite (e2e, .init = s_setup, .fini = s_teardown, .timeout = 120);

Test (e2e, reproduces_the_published_jintai_2025_07_scorecard_cell_by_cell)
{
    cJSON *doc = s_feed_jintai ();
    char path[512];
    snprintf (path, sizeof (path), "%s/jintai_2025_07.csv", GOLDEN_DIR);
    FILE *f = fopen (path, "r");
    cr_assert_not_null (f, "cannot open %s", path);
    char header_line[4096], line[4096];
    cr_assert_not_null (fgets (header_line, sizeof (header_line), f));
    s_chomp (header_line);
    s_row_t header, row;
    s_split (header_line, &header);
    int rows = 0;
    while (fgets (line, sizeof (line), f)) {
        s_chomp (line);
        if (!*line)
            continue;
        s_split (line, &row);
        rows++;
        const char *group = s_col (&header, &row, "group");
        const char *unit = s_col (&header, &row, "unit");
        const cJSON *r = s_find_row (doc, group, unit);
        cr_assert_not_null (r, "%s (%s) missing from the report", unit, group);
        s_expect_cell (unit, "rank", atof (s_col (&header, &row, "rank")),
                       s_num (r, "rank", NULL), 0);
        /* Counters as published. The bulletin's "alerts" column counts
           the late closures its alert item deducts for. */
        static const char *counters[][2] = {
            {"should_close", "should_close"},
            {"closed", "closed"},
            {"on_time", "closed_on_time"},
            {"overdue_returns", "returned_late"},
            {"alerts", "closed_late"},
            {"unsatisfied", "unsatisfied"},
            {"rework", "rework"},
            {"workload_closed", "closed"}};
        for (size_t i = 0; i < sizeof (counters) / sizeof (counters[0]); i++)
            s_expect_cell (unit, counters[i][0],
                           atof (s_col (&header, &row, counters[i][0])),
                           s_num (r, "counters", counters[i][1]), 0);
        static const char *items[][2] = {
            {"closed_score", "closure"},
            {"on_time_score", "on_time"},
            {"overdue_return_score", "overdue_return"},
            {"alert_score", "alert"},
            {"workload_score", "workload"},
            {"satisfaction_score", "satisfaction"},
            {"rework_score", "rework"}};
        for (size_t i = 0; i < sizeof (items) / sizeof (items[0]); i++)
            s_expect_cell (unit, items[i][0],
                           atof (s_col (&header, &row, items[i][0])),
                           s_num (r, "items", items[i][1]), 0);
        /* docs/schemes.md: two published totals are 0.01 above the sum of
           their own shown items; every other total must be exact. */
        bool known_error = strcmp (unit, "卧龙寺街道办事处") == 0 ||
                           strcmp (unit, "陈仓镇") == 0;
        s_expect_cell (unit, "total", atof (s_col (&header, &row, "total")),
                       s_num (r, "total", NULL), known_error ? 0.01 : 0);
    }
    fclose (f);
    cr_assert_eq (rows, 27, "the golden file has 27 rows, read %d", rows);
    /* workload_max: the largest closed over both tables. */
    double max_closed = 0;
    const cJSON *table, *r;
    cJSON_ArrayForEach (table, cJSON_GetObjectItem (doc, "tables"))
    {
        cJSON_ArrayForEach (r, cJSON_GetObjectItem (table, "rows"))
        {
            double c = s_num (r, "counters", "closed");
            max_closed = c > max_closed ? c : max_closed;
        }
    }
    cr_expect_eq (max_closed, 363);
    cJSON_Delete (doc);
}

Test (e2e, lists_a_unit_with_fewer_than_five_tickets_as_excluded_with_reason)
{
    cJSON *doc = s_feed_jintai ();
    const cJSON *excluded = cJSON_GetObjectItem (doc, "excluded");
    cr_assert_eq (cJSON_GetArraySize (excluded), 1);
    const cJSON *x = cJSON_GetArrayItem (excluded, 0);
    cr_expect_str_eq (cJSON_GetObjectItem (x, "unit_id")->valuestring, "J99");
    cr_expect_str_eq (cJSON_GetObjectItem (x, "reason")->valuestring,
                      "应办结不足5件");
    cr_expect_null (s_find_row (doc, "dept", "小样本测试单位"));
    cJSON_Delete (doc);
}

Test (e2e, names_each_rejected_line_and_stores_the_rest)
{
    char *err = NULL;
    int rc = harness_run (&h, NULL, NULL,
                          "printf \"%%s\\n\" unit_id,name,group "
                          "U01,单位一,town > u.csv && $HOTLINE units import "
                          "u.csv");
    cr_assert_eq (rc, 0);
    FILE *f = fopen (harness_path (&h, "mixed.jsonl", (char[512]){0}), "w");
    fputs (
        "{\"event_id\":\"m1\",\"type\":\"received\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T09:10:00+08:00\","
        "\"dispatched_at\":\"2025-07-01T09:00:00+08:00\",\"due_at\":"
        "\"2025-07-04T18:00:00+08:00\",\"channel\":\"hotline\","
        "\"category\":\"property\"}\n"
        "{this is not json\n"
        "{\"event_id\":\"m3\",\"type\":\"teleported\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T09:40:00+08:00\"}\n"
        "{\"event_id\":\"m4\",\"type\":\"contacted\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U99\",\"occurred_at\":\"2025-07-01T09:40:00+08:00\"}\n"
        "{\"event_id\":\"m5\",\"type\":\"contacted\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"yesterday at noon\"}\n"
        "{\"event_id\":\"m6\",\"type\":\"closed\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-02T10:00:00+08:00\"}\n",
        f);
    fclose (f);
    rc = harness_run (&h, NULL, &err, "$HOTLINE send mixed.jsonl");
    cr_expect_eq (rc, 1, "send must fail when a line is rejected");
    cr_expect (strstr (err, "mixed.jsonl:2:") != NULL, "bad JSON: %s", err);
    cr_expect (strstr (err, "mixed.jsonl:3:") && strstr (err, "teleported"),
               "unknown type: %s", err);
    cr_expect (strstr (err, "mixed.jsonl:4:") && strstr (err, "unknown unit"),
               "unknown unit: %s", err);
    cr_expect (strstr (err, "mixed.jsonl:5:") != NULL, "bad time: %s", err);
    cr_expect (strstr (err, "mixed.jsonl:1:") == NULL, "%s", err);
    cr_expect (strstr (err, "mixed.jsonl:6:") == NULL, "%s", err);
    free (err);
    char *out = NULL;
    rc = harness_run (&h, &out, NULL, "$HOTLINE stats");
    cr_assert_eq (rc, 0);
    cJSON *stats = cJSON_Parse (out);
    cr_assert_not_null (stats);
    cr_expect_eq (s_num (stats, "events_stored", NULL), 2);
    cr_expect_eq (s_num (stats, "events_rejected", NULL), 1);
    cr_expect_eq (s_num (stats, "client_rejected", NULL), 3);
    cJSON_Delete (stats);
    free (out);
    char *log = harness_slurp (harness_path (&h, "daemon.log", (char[512]){0}));
    cr_expect (log && strstr (log, "unknown unit U99"), "daemon log: %s", log);
    cr_expect (log && strstr (log, "sender rejected line 2"), "log: %s", log);
    free (log);
}

Test (e2e, gives_the_same_report_after_a_restart_on_the_same_data)
{
    cJSON *before = s_feed_jintai ();
    char *a = cJSON_PrintUnformatted (before);
    cr_assert_eq (harness_stop (&h), 0, "hotlined must exit 0 on SIGTERM");
    cr_assert (harness_start (&h), "hotlined did not restart");
    cJSON *after = s_report ("--ruleset jintai-2025 --period 2025-07");
    char *b = cJSON_PrintUnformatted (after);
    cr_expect_str_eq (a, b);
    free (a);
    free (b);
    cJSON_Delete (before);
    cJSON_Delete (after);
}

Test (e2e, changes_nothing_when_the_same_file_is_sent_twice)
{
    cJSON *before = s_feed_jintai ();
    char *err = NULL;
    int rc = harness_run (&h, NULL, &err, "$HOTLINE send events.jsonl");
    cr_expect_eq (rc, 0, "a resend is acknowledged: %s", err);
    cr_expect (strstr (err, ": 0 stored, ") != NULL, "%s", err);
    cr_expect (strstr (err, " 0 rejected by hotlined, 0 invalid lines, 0 not "
                            "acknowledged") != NULL,
               "%s", err);
    free (err);
    cJSON *after = s_report ("--ruleset jintai-2025 --period 2025-07");
    char *a = cJSON_PrintUnformatted (before);
    char *b = cJSON_PrintUnformatted (after);
    cr_expect_str_eq (a, b);
    free (a);
    free (b);
    cJSON_Delete (before);
    cJSON_Delete (after);
}

Test (e2e, reports_as_of_a_past_moment_what_a_daemon_fed_until_then_reports)
{
    cJSON *full = s_feed_jintai ();
    cJSON_Delete (full);
    const char *moment = "2025-07-15T00:00:00+08:00";
    char args[128];
    snprintf (args, sizeof (args),
              "--ruleset jintai-2025 --period 2025-07 --as-of %s", moment);
    cJSON *as_of = s_report (args);

    /* A second daemon gets only what occurred up to the moment, then a
       tick at it. Every synthesised time has the same RFC 3339 shape and
       offset, so comparing the text compares the times. */
    char path[512], filtered[512];
    FILE *in = fopen (harness_path (&h, "events.jsonl", path), "r");
    FILE *out = fopen (harness_path (&h, "until.jsonl", filtered), "w");
    cr_assert (in && out);
    char line[4096];
    int kept = 0, skipped = 0;
    while (fgets (line, sizeof (line), in)) {
        const char *at = strstr (line, "\"occurred_at\":\"");
        cr_assert_not_null (at, "%s", line);
        at += strlen ("\"occurred_at\":\"");
        if (strncmp (at, moment, strlen (moment)) <= 0) {
            fputs (line, out);
            kept++;
        } else
            skipped++;
    }
    fprintf (out,
             "{\"event_id\":\"until-tick\",\"type\":\"tick\","
             "\"occurred_at\":\"%s\"}\n",
             moment);
    fclose (in);
    fclose (out);
    cr_assert (kept > 0 && skipped > 0, "the moment must split the month");

    harness_t second = h;
    harness_init (&h, "event");
    cr_assert (harness_start (&h));
    char command[1200];
    snprintf (command, sizeof (command),
              "$HOTLINE units import %s/units.csv && $HOTLINE send %s",
              second.dir, filtered);
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err, "%s", command), 0, "%s", err);
    free (err);
    cJSON *direct = s_report ("--ruleset jintai-2025 --period 2025-07");
    char *a = cJSON_PrintUnformatted (as_of);
    char *b = cJSON_PrintUnformatted (direct);
    cr_expect_str_eq (a, b);
    cr_expect (strstr (a, moment) != NULL, "as_of is stated: %s", a);
    free (a);
    free (b);
    cJSON_Delete (as_of);
    cJSON_Delete (direct);
    harness_fini (&second);
}

/* The position of a row in its table, from 1: what an unranked scheme's
   bulletin prints in its rank column. */
static int
s_position (const cJSON *doc, const char *group, const cJSON *row)
{
    const cJSON *table;
    cJSON_ArrayForEach (table, cJSON_GetObjectItem (doc, "tables"))
    {
        if (strcmp (cJSON_GetObjectItem (table, "group")->valuestring, group))
            continue;
        int position = 0;
        const cJSON *r;
        cJSON_ArrayForEach (r, cJSON_GetObjectItem (table, "rows"))
        {
            position++;
            if (r == row)
                return position;
        }
    }
    return 0;
}

Test (e2e, reproduces_the_published_fufeng_2024_q4_scorecard_with_its_notes)
{
    cJSON *doc = s_feed ("fufeng-2024", "fufeng_2024_q4.csv", "", "2024-Q4");
    char path[512];
    snprintf (path, sizeof (path), "%s/fufeng_2024_q4.csv", GOLDEN_DIR);
    FILE *f = fopen (path, "r");
    cr_assert_not_null (f, "cannot open %s", path);
    char header_line[4096], line[4096];
    cr_assert_not_null (fgets (header_line, sizeof (header_line), f));
    s_chomp (header_line);
    s_row_t header, row;
    s_split (header_line, &header);
    /* 县民政局 appears twice: names are labels, so rows are matched in
       order, the n-th row of a name to the n-th row of that name. */
    int rows = 0, notes = 0;
    char seen[64][128];
    int seen_count[64] = {0}, names = 0;
    while (fgets (line, sizeof (line), f)) {
        s_chomp (line);
        if (!*line)
            continue;
        s_split (line, &row);
        rows++;
        const char *group = s_col (&header, &row, "group");
        const char *unit = s_col (&header, &row, "unit");
        int which = 0, n;
        for (n = 0; n < names && strcmp (seen[n], unit); n++)
            ;
        if (n == names && names < 64)
            snprintf (seen[names++], sizeof (seen[0]), "%s", unit);
        which = seen_count[n]++;
        const cJSON *r = NULL, *table;
        cJSON_ArrayForEach (table, cJSON_GetObjectItem (doc, "tables"))
        {
            if (strcmp (cJSON_GetObjectItem (table, "group")->valuestring,
                        group))
                continue;
            const cJSON *candidate;
            int k = 0;
            cJSON_ArrayForEach (candidate, cJSON_GetObjectItem (table, "rows"))
            {
                if (strcmp (
                        cJSON_GetObjectItem (candidate, "unit")->valuestring,
                        unit) == 0 &&
                    k++ == which)
                    r = candidate;
            }
        }
        cr_assert_not_null (r, "%s (%s) missing from the report", unit, group);
        /* Unranked: the bulletin's rank column is the registry position. */
        cr_expect (cJSON_IsNull (cJSON_GetObjectItem (r, "rank")));
        s_expect_cell (unit, "rank (position)",
                       atof (s_col (&header, &row, "rank")),
                       s_position (doc, group, r), 0);
        static const char *counters[][2] = {
            {"should_close", "should_close"},
            {"closed", "closed"},
            {"on_time", "closed_on_time"},
            {"redo", "rework"},
            {"overdue_returns", "returned_late"}};
        for (size_t i = 0; i < sizeof (counters) / sizeof (counters[0]); i++)
            s_expect_cell (unit, counters[i][0],
                           atof (s_col (&header, &row, counters[i][0])),
                           s_num (r, "counters", counters[i][1]), 0);
        static const char *items[][2] = {
            {"closed_score", "closure"},
            {"on_time_score", "on_time"},
            {"redo_score", "rework"},
            {"overdue_return_score", "overdue_return"},
            {"satisfaction_score", "satisfaction"},
            {"knowledge_score", "knowledge_base"},
            {"organization_score", "organisation"}};
        for (size_t i = 0; i < sizeof (items) / sizeof (items[0]); i++)
            s_expect_cell (unit, items[i][0],
                           atof (s_col (&header, &row, items[i][0])),
                           s_num (r, "items", items[i][1]), 0);
        s_expect_cell (unit, "total", atof (s_col (&header, &row, "total")),
                       s_num (r, "total", NULL), 0);
        const char *note = s_col (&header, &row, "note");
        notes += *note != 0;
        cr_expect_str_eq (cJSON_GetObjectItem (r, "note")->valuestring, note,
                          "%s note", unit);
    }
    fclose (f);
    cr_assert_eq (rows, 49, "the golden file has 49 rows, read %d", rows);
    cr_assert_eq (notes, 7, "the golden file has 7 notes, read %d", notes);
    cJSON_Delete (doc);
}

/* The lines the daemon logged since its last start (a restarted daemon
   appends to its log). */
static char *
s_log_since_start (void)
{
    char path[512];
    char *log = harness_slurp (harness_path (&h, "daemon.log", path));
    cr_assert_not_null (log);
    size_t size = strlen (log);
    size_t from =
        h.log_start > 0 && (size_t)h.log_start < size ? (size_t)h.log_start : 0;
    memmove (log, log + from, size - from + 1);
    return log;
}

/* A group slower than slow_group_ms is logged with where its time went;
   with 0 none is. A month in two halves, one daemon start for each. */
Test (e2e, logs_a_group_slower_than_slow_group_ms_with_where_its_time_went)
{
    cr_assert_eq (harness_stop (&h), 0);
    cr_assert_gt (harness_month (&h, 1, 5), 0, "hotline-gen failed");
    char path[512];
    char *all = harness_slurp (harness_path (&h, "events.jsonl", path));
    cr_assert_not_null (all);
    char *middle = strchr (all + strlen (all) / 2, '\n');
    cr_assert_not_null (middle);
    char *first = strndup (all, (size_t)(middle - all + 1));
    cr_assert_eq (harness_write (&h, "first.jsonl", first), 0);
    cr_assert_eq (harness_write (&h, "second.jsonl", middle + 1), 0);
    free (first);
    free (all);
    const char *line = "scorer: a group of ";

    harness_set (&h, "slow_group_ms", "0");
    cr_assert (harness_start (&h));
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE units import units.csv && $HOTLINE "
                               "send first.jsonl"),
                  0, "%s", err);
    free (err);
    char *log = s_log_since_start ();
    cr_expect_null (strstr (log, line), "slow_group_ms = 0 logged: %s", log);
    free (log);
    cr_assert_eq (harness_stop (&h), 0);

    /* Every group of hundreds of events takes more than 1 ms. */
    harness_set (&h, "slow_group_ms", "1");
    cr_assert (harness_start (&h));
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINE send second.jsonl"), 0,
                  "%s", err);
    free (err);
    log = s_log_since_start ();
    const char *at = strstr (log, line);
    cr_assert_not_null (at, "no slow group logged: %s", log);
    unsigned long events = 0;
    double took = 0, apply = 0, settle = -1, commit = 0;
    int read = sscanf (at,
                       "scorer: a group of %lu events took %lf ms to store: "
                       "applying it %lf ms (settling explain's drill-down "
                       "%lf), its commit %lf ms",
                       &events, &took, &apply, &settle, &commit);
    cr_expect_eq (read, 5, "cannot read %.200s", at);
    cr_expect_gt (events, 0);
    cr_expect_geq (took, 1);
    cr_expect_geq (settle, 0);
    cr_expect_leq (settle, apply);
    cr_expect_leq (apply + commit, took + 0.2);
    free (log);
}

/* unsafe_no_sync (for measuring what the syncs cost) is never silent:
   the daemon warns at its start and `hotline stats` says
   commits_synced false; by default it says true. What is stored is
   read back the same. */
Test (e2e, unsafe_no_sync_is_said_in_the_log_and_the_stats)
{
    char *log = s_log_since_start ();
    cr_expect_null (strstr (log, "unsafe_no_sync"), "%s", log);
    free (log);
    char *out = NULL;
    cr_assert_eq (harness_run (&h, &out, NULL, "$HOTLINE stats"), 0);
    cr_expect_not_null (strstr (out, "\"commits_synced\":true"), "%s", out);
    free (out);
    cr_assert_eq (harness_stop (&h), 0);
    harness_set (&h, "unsafe_no_sync", "yes");
    cr_assert (harness_start (&h));
    log = s_log_since_start ();
    cr_expect_not_null (
        strstr (log, "unsafe_no_sync = yes: commits are NOT synced"), "%s",
        log);
    free (log);
    cr_assert_eq (harness_run (&h, &out, NULL, "$HOTLINE stats"), 0);
    cr_expect_not_null (strstr (out, "\"commits_synced\":false"), "%s", out);
    free (out);
    cr_assert_gt (harness_month (&h, 1, 6), 0);
    cr_assert_eq (harness_run (&h, NULL, NULL,
                               "$HOTLINE units import units.csv && $HOTLINE "
                               "send events.jsonl"),
                  0);
    char *reports = harness_reports (&h, "2025-07", "2025-Q3");
    char *clean = harness_clean_reports (&h, "2025-07", "2025-Q3");
    cr_assert (reports && clean);
    cr_expect (strcmp (reports, clean) == 0, "reports differ from a clean run");
    free (reports);
    free (clean);
}
