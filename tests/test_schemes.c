/*  Schemes end to end: small hand-made event streams through the real
    hotlined and the real hotline client, one test per rule of docs/scoring.md
    sections 3 and 4 that a scheme depends on.

    Every expected number is derived by hand from docs/scoring.md and the
    formulas of the shipped rulesets (the rulesets/ directory, with their
    assumed constants); the derivation sits next to the number. Events are
    written with +08:00 offsets, sorted by time (ties keep the order they
    were written in) and end with a tick at the first instant of the next
    period, so deadlines passed while open are counted. */
#include "harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOLERANCE 0.001

static harness_t h;

/* ---- the event stream ------------------------------------------------- */

#define S_EVENTS_MAX 512

typedef struct {
    char at[40]; /* occurred_at, RFC 3339 with +08:00 */
    int index;   /* order written, for stable sorting */
    char *line;  /* the JSON line, without newline */
} s_event_t;

static s_event_t s_events[S_EVENTS_MAX];
static int s_event_count;

static void
s_setup (void)
{
    s_event_count = 0;
    harness_init (&h, "event");
    cr_assert (harness_start (&h), "hotlined did not start (see %s)", h.dir);
}

static void
s_teardown (void)
{
    for (int i = 0; i < s_event_count; i++)
        free (s_events[i].line);
    s_event_count = 0;
    harness_fini (&h);
}

/* Adds one event; `body` holds its fields after event_id and occurred_at.
   Event ids are unique: "s0001", "s0002"... */
static void
s_event (const char *at, const char *fmt, ...)
{
    cr_assert (s_event_count < S_EVENTS_MAX, "too many events");
    char body[1024], line[1200];
    va_list args;
    va_start (args, fmt);
    vsnprintf (body, sizeof (body), fmt, args);
    va_end (args);
    s_event_t *ev = &s_events[s_event_count];
    snprintf (line, sizeof (line),
              "{\"event_id\":\"s%04d\",\"occurred_at\":\"%s\",%s}",
              s_event_count + 1, at, body);
    snprintf (ev->at, sizeof (ev->at), "%s", at);
    ev->index = s_event_count++;
    ev->line = strdup (line);
}

static void
s_received (const char *ticket, const char *unit, const char *at,
            const char *dispatched, const char *due, const char *channel,
            const char *category, bool key, bool repeat)
{
    s_event (at,
             "\"type\":\"received\",\"ticket_id\":\"%s\",\"unit_id\":\"%s\","
             "\"dispatched_at\":\"%s\",\"due_at\":\"%s\",\"channel\":\"%s\","
             "\"category\":\"%s\",\"key_supervision\":%s,"
             "\"repeat_dispatch\":%s",
             ticket, unit, dispatched, due, channel, category,
             key ? "true" : "false", repeat ? "true" : "false");
}

/* contacted or closed */
static void
s_on (const char *type, const char *ticket, const char *unit, const char *at)
{
    s_event (at, "\"type\":\"%s\",\"ticket_id\":\"%s\",\"unit_id\":\"%s\"",
             type, ticket, unit);
}

static void
s_returned (const char *ticket, const char *unit, const char *at)
{
    s_event (at,
             "\"type\":\"returned\",\"ticket_id\":\"%s\",\"unit_id\":\"%s\","
             "\"reason\":\"not ours\"",
             ticket, unit);
}

static void
s_extended (const char *ticket, const char *unit, const char *at,
            const char *due)
{
    s_event (at,
             "\"type\":\"extended\",\"ticket_id\":\"%s\",\"unit_id\":\"%s\","
             "\"due_at\":\"%s\"",
             ticket, unit, due);
}

static void
s_revisited (const char *ticket, const char *unit, const char *at,
             const char *satisfaction, const char *resolved, bool rework)
{
    s_event (at,
             "\"type\":\"revisited\",\"ticket_id\":\"%s\",\"unit_id\":\"%s\","
             "\"satisfaction\":\"%s\",\"resolved\":\"%s\",\"rework\":%s",
             ticket, unit, satisfaction, resolved, rework ? "true" : "false");
}

static void
s_reopened (const char *ticket, const char *unit, const char *at,
            const char *due)
{
    s_event (at,
             "\"type\":\"reopened\",\"ticket_id\":\"%s\",\"unit_id\":\"%s\","
             "\"due_at\":\"%s\"",
             ticket, unit, due);
}

static void
s_adjusted (const char *unit, const char *period, const char *item,
            double value, const char *at)
{
    s_event (at,
             "\"type\":\"adjusted\",\"unit_id\":\"%s\",\"period\":\"%s\","
             "\"item\":\"%s\",\"value\":%g",
             unit, period, item, value);
}

static void
s_tick (const char *at)
{
    s_event (at, "\"type\":\"tick\"");
}

/* A plain ticket: received when dispatched, contacted at once, closed at
   `closed` (NULL: left open). */
static void
s_plain (const char *ticket, const char *unit, const char *channel,
         const char *category, const char *received, const char *due,
         const char *closed)
{
    s_received (ticket, unit, received, received, due, channel, category, false,
                false);
    s_on ("contacted", ticket, unit, received);
    if (closed)
        s_on ("closed", ticket, unit, closed);
}

static int
s_by_time (const void *a, const void *b)
{
    const s_event_t *x = a, *y = b;
    int c = strcmp (x->at, y->at);
    return c ? c : x->index - y->index;
}

/* Writes the units registry and imports it (registry order = line order). */
static void
s_units (const char *csv)
{
    char path[512], *err = NULL;
    FILE *f = fopen (harness_path (&h, "units.csv", path), "w");
    cr_assert_not_null (f);
    fputs ("unit_id,name,group\n", f);
    fputs (csv, f);
    fclose (f);
    int rc = harness_run (&h, NULL, &err, "$HOTLINE units import units.csv");
    cr_assert_eq (rc, 0, "units import failed: %s", err);
    free (err);
}

/* Sorts the events by time, writes them and sends them; every line must
   be stored. */
static void
s_send (void)
{
    qsort (s_events, (size_t)s_event_count, sizeof (s_event_t), s_by_time);
    char path[512], *err = NULL;
    FILE *f = fopen (harness_path (&h, "events.jsonl", path), "w");
    cr_assert_not_null (f);
    for (int i = 0; i < s_event_count; i++) {
        fputs (s_events[i].line, f);
        fputc ('\n', f);
    }
    fclose (f);
    int rc = harness_run (&h, NULL, &err, "$HOTLINE send events.jsonl");
    cr_assert_eq (rc, 0, "send failed: %s", err);
    free (err);
}

/* ---- the report ------------------------------------------------------- */

static cJSON *
s_report (const char *ruleset, const char *period)
{
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err,
                          "$HOTLINE report --ruleset %s --period %s "
                          "--format json",
                          ruleset, period);
    cr_assert_eq (rc, 0, "hotline report failed: %s", err);
    cJSON *doc = cJSON_Parse (out);
    cr_assert_not_null (doc, "report is not JSON: %s", out);
    free (out);
    free (err);
    return doc;
}

static const cJSON *
s_table (const cJSON *doc, const char *group)
{
    const cJSON *table;
    cJSON_ArrayForEach (table, cJSON_GetObjectItem (doc, "tables"))
    {
        const cJSON *g = cJSON_GetObjectItem (table, "group");
        if (cJSON_IsString (g) && strcmp (g->valuestring, group) == 0)
            return table;
    }
    return NULL;
}

/* The row of a unit in any table, or NULL. */
static const cJSON *
s_row (const cJSON *doc, const char *unit_id)
{
    const cJSON *table, *row;
    cJSON_ArrayForEach (table, cJSON_GetObjectItem (doc, "tables"))
    {
        cJSON_ArrayForEach (row, cJSON_GetObjectItem (table, "rows"))
        {
            const cJSON *id = cJSON_GetObjectItem (row, "unit_id");
            if (cJSON_IsString (id) && strcmp (id->valuestring, unit_id) == 0)
                return row;
        }
    }
    return NULL;
}

static const cJSON *
s_must_row (const cJSON *doc, const char *unit_id)
{
    const cJSON *row = s_row (doc, unit_id);
    cr_assert_not_null (row, "%s is not listed in any table", unit_id);
    return row;
}

/* obj.a or obj.a.b */
static const cJSON *
s_at (const cJSON *obj, const char *a, const char *b)
{
    const cJSON *node = cJSON_GetObjectItem (obj, a);
    return b ? cJSON_GetObjectItem (node, b) : node;
}

/* Expects a number within TOLERANCE at obj.a[.b]. */
#define EXPECT_NUM(obj, who, a, b, want)                                       \
    s_expect_num ((obj), (who), (a), (b), (want), __LINE__)

static void
s_expect_num (const cJSON *obj, const char *who, const char *a, const char *b,
              double want, int line)
{
    const cJSON *node = s_at (obj, a, b);
    if (!cJSON_IsNumber (node)) {
        char *text = node ? cJSON_PrintUnformatted (node) : NULL;
        cr_expect_fail ("line %d: %s %s%s%s: expected %.3f, got %s", line, who,
                        a, b ? "." : "", b ? b : "", want,
                        text ? text : "(absent)");
        free (text);
        return;
    }
    cr_expect (fabs (node->valuedouble - want) <= TOLERANCE,
               "line %d: %s %s%s%s: expected %.3f, got %.4f", line, who, a,
               b ? "." : "", b ? b : "", want, node->valuedouble);
}

#define EXPECT_NULL(obj, who, a, b) s_expect_null ((obj), (who), (a), (b))

static void
s_expect_null (const cJSON *obj, const char *who, const char *a, const char *b)
{
    const cJSON *node = s_at (obj, a, b);
    cr_expect (node && cJSON_IsNull (node), "%s %s%s%s: expected null", who, a,
               b ? "." : "", b ? b : "");
}

/* The unit ids of a table's rows, in order, joined by spaces. */
static void
s_order (const cJSON *doc, const char *group, char *out, size_t size)
{
    out[0] = 0;
    const cJSON *table = s_table (doc, group), *row;
    cr_assert_not_null (table, "no table %s", group);
    cJSON_ArrayForEach (row, cJSON_GetObjectItem (table, "rows"))
    {
        size_t len = strlen (out);
        snprintf (out + len, size - len, "%s%s", len ? " " : "",
                  cJSON_GetObjectItem (row, "unit_id")->valuestring);
    }
}

TestSuite (schemes, .init = s_setup, .fini = s_teardown, .timeout = 120);

/* ---- jintai-2023 ------------------------------------------------------ */

#define FEB23(d, hm) "2023-02-" #d "T" hm ":00+08:00"
#define MAR23(d, hm) "2023-03-" #d "T" hm ":00+08:00"

/*  2023-02, one table "all":
    J01 甲: A1-A6 closed on time, A7 closed late (it passed its deadline
        first: the overdue is taken back when it closes in the month), A8
        open past its deadline at month end.
    J02 乙: 8 closed on time (max_closed = 8).
    J04 丁: 2 closed on time (registered before 丙).
    J03 丙: 6 closed on time; 3 reworked by a revisit with rework=true and
        its reopen, 2 by a reopen alone, each closed again on time.
    J06 己: 1 closed on time, reworked (revisit + reopen), closed again on
        time.
    J05 戊: 1 closed on time, one returned 3 h after dispatch (late) and
        one returned exactly 2 h after dispatch (not late: "> 2 h"). */
static void
s_feed_jintai_2023 (void)
{
    s_units ("J01,甲街道,town\n"
             "J02,乙街道,town\n"
             "J04,丁局,dept\n"
             "J03,丙局,dept\n"
             "J06,己镇,town\n"
             "J05,戊局,dept\n");
    char t[16];
    for (int i = 1; i <= 6; i++) {
        snprintf (t, sizeof (t), "A%d", i);
        s_plain (t, "J01", "hotline", "property", FEB23 (06, "09:00"),
                 FEB23 (10, "18:00"), FEB23 (08, "16:00"));
    }
    s_plain ("A7", "J01", "hotline", "property", FEB23 (06, "09:00"),
             FEB23 (10, "18:00"), FEB23 (13, "16:00"));
    s_plain ("A8", "J01", "hotline", "property", FEB23 (13, "09:00"),
             FEB23 (17, "18:00"), NULL);
    for (int i = 1; i <= 8; i++) {
        snprintf (t, sizeof (t), "B%d", i);
        s_plain (t, "J02", "hotline", "property", FEB23 (07, "09:00"),
                 FEB23 (14, "18:00"), FEB23 (09, "16:00"));
    }
    for (int i = 1; i <= 2; i++) {
        snprintf (t, sizeof (t), "D%d", i);
        s_plain (t, "J04", "hotline", "property", FEB23 (07, "09:00"),
                 FEB23 (14, "18:00"), FEB23 (09, "16:00"));
    }
    for (int i = 1; i <= 6; i++) {
        snprintf (t, sizeof (t), "C%d", i);
        s_plain (t, "J03", "hotline", "property", FEB23 (06, "09:00"),
                 FEB23 (10, "18:00"), FEB23 (07, "16:00"));
        if (i <= 3) {
            s_revisited (t, "J03", FEB23 (08, "10:00"), "unsatisfied", "no",
                         true);
            s_reopened (t, "J03", FEB23 (08, "10:05"), FEB23 (15, "18:00"));
        } else if (i <= 5)
            s_reopened (t, "J03", FEB23 (08, "11:00"), FEB23 (15, "18:00"));
        if (i <= 5)
            s_on ("closed", t, "J03", FEB23 (14, "16:00"));
    }
    s_plain ("F1", "J06", "hotline", "property", FEB23 (20, "09:00"),
             FEB23 (24, "18:00"), FEB23 (21, "16:00"));
    s_revisited ("F1", "J06", FEB23 (22, "10:00"), "unsatisfied", "no", true);
    s_reopened ("F1", "J06", FEB23 (22, "10:05"), FEB23 (27, "18:00"));
    s_on ("closed", "F1", "J06", FEB23 (24, "16:00"));
    s_plain ("E1", "J05", "hotline", "property", FEB23 (20, "09:00"),
             FEB23 (24, "18:00"), FEB23 (21, "16:00"));
    s_plain ("E2", "J05", "hotline", "property", FEB23 (20, "09:00"),
             FEB23 (24, "18:00"), NULL);
    s_returned ("E2", "J05", FEB23 (20, "12:00"));
    s_plain ("E3", "J05", "hotline", "property", FEB23 (20, "09:00"),
             FEB23 (24, "18:00"), NULL);
    s_returned ("E3", "J05", FEB23 (20, "11:00"));
    s_tick ("2023-03-01T00:00:00+08:00");
    s_send ();
}

Test (schemes, jintai_2023_totals_round_the_sum_of_unrounded_items)
{
    s_feed_jintai_2023 ();
    cJSON *doc = s_report ("jintai-2023", "2023-02");
    const cJSON *a = s_must_row (doc, "J01");
    /* Counters: A1-A7 closed, A1-A6 on time; A7's overdue was taken back
       when it closed in February; A8 still open past 02-17 at month end. */
    EXPECT_NUM (a, "J01", "counters", "closed", 7);
    EXPECT_NUM (a, "J01", "counters", "closed_on_time", 6);
    EXPECT_NUM (a, "J01", "counters", "overdue_open", 1);
    EXPECT_NUM (a, "J01", "counters", "should_close", 8); /* 7 + 1 */
    EXPECT_NUM (a, "J01", "counters", "returned_late", 0);
    EXPECT_NUM (a, "J01", "counters", "rework", 0);
    EXPECT_NUM (a, "J01", "items", "closure", 30.63); /* 35*7/8 = 30.625 */
    EXPECT_NUM (a, "J01", "items", "on_time",
                34.29); /* 40*6/7 (closed, not should_close) = 34.2857 */
    EXPECT_NUM (a, "J01", "items", "overdue_return", 5); /* 5 - 0.5*0 */
    EXPECT_NUM (a, "J01", "items", "alert", 0);          /* 10 - 10*1 */
    EXPECT_NUM (a, "J01", "items", "workload", 4.38);    /* 5*7/8 = 4.375 */
    EXPECT_NUM (a, "J01", "items", "rework", 5);         /* 5 - 0.5*0 */
    /* r2(30.625 + 34.285714 + 5 + 0 + 4.375 + 5) = r2(79.285714) = 79.29,
       while the shown items add up to 30.63+34.29+5+0+4.38+5 = 79.30. */
    EXPECT_NUM (a, "J01", "total", NULL, 79.29);

    const cJSON *b = s_must_row (doc, "J02");
    EXPECT_NUM (b, "J02", "items", "closure", 35); /* 35*8/8 */
    EXPECT_NUM (b, "J02", "items", "on_time", 40); /* 40*8/8 */
    EXPECT_NUM (b, "J02", "items", "alert", 10);   /* 10 - 10*0 */
    EXPECT_NUM (b, "J02", "items", "workload", 5); /* 5*8/8 */
    EXPECT_NUM (b, "J02", "total", NULL, 100);     /* 35+40+5+10+5+5 */

    const cJSON *c = s_must_row (doc, "J03");
    EXPECT_NUM (c, "J03", "counters", "closed", 6); /* once each after rework */
    EXPECT_NUM (c, "J03", "counters", "closed_on_time", 6); /* latest on time */
    EXPECT_NUM (c, "J03", "counters", "rework",
                5); /* 3 revisits with rework (their reopens add nothing)
                       + 2 reopens without such a revisit */
    EXPECT_NUM (c, "J03", "items", "workload", 3.75); /* 5*6/8 */
    EXPECT_NUM (c, "J03", "items", "rework", 2.5);    /* 5 - 0.5*5 */
    EXPECT_NUM (c, "J03", "total", NULL, 96.25);      /* 35+40+5+10+3.75+2.5 */

    const cJSON *d = s_must_row (doc, "J04");
    EXPECT_NUM (d, "J04", "items", "workload", 1.25); /* 5*2/8 */
    EXPECT_NUM (d, "J04", "total", NULL, 96.25);      /* 35+40+5+10+1.25+5 */

    const cJSON *e = s_must_row (doc, "J05");
    EXPECT_NUM (e, "J05", "counters", "returned_late", 1); /* 3 h > 2 h */
    EXPECT_NUM (e, "J05", "counters", "should_close", 1);  /* E2 returned */
    EXPECT_NUM (e, "J05", "items", "overdue_return", 4.5); /* 5 - 0.5*1 */
    EXPECT_NUM (e, "J05", "items", "workload", 0.63);      /* 5*1/8 = 0.625 */
    EXPECT_NUM (e, "J05", "total", NULL,
                95.13); /* r2(35+40+4.5+10+0.625+5) = r2(95.125) */

    const cJSON *f = s_must_row (doc, "J06");
    EXPECT_NUM (f, "J06", "counters", "closed", 1);
    EXPECT_NUM (f, "J06", "counters", "closed_on_time", 1);
    EXPECT_NUM (f, "J06", "counters", "rework", 1);
    EXPECT_NUM (f, "J06", "items", "rework", 4.5); /* 5 - 0.5*1 */
    EXPECT_NUM (f, "J06", "total", NULL,
                95.13); /* r2(35+40+5+10+0.625+4.5) = r2(95.125) */
    cJSON_Delete (doc);
}

Test (schemes, jintai_2023_ranks_equal_totals_by_closed_then_registry_order)
{
    s_feed_jintai_2023 ();
    cJSON *doc = s_report ("jintai-2023", "2023-02");
    /* One table "all" holds towns and departments alike. */
    cr_expect_eq (cJSON_GetArraySize (cJSON_GetObjectItem (doc, "tables")), 1);
    const cJSON *all = s_table (doc, "all");
    cr_assert_not_null (all, "no table \"all\"");
    cr_expect_eq (cJSON_GetArraySize (cJSON_GetObjectItem (all, "rows")), 6);
    /* Totals (see the test above): J02 100; J03 96.25 with 6 closed and
       J04 96.25 with 2 closed (J04 registered first, J03 still ahead);
       J06 95.13 and J05 95.13 both with 1 closed: registry order, J06
       was imported first; J01 79.29. Ranks are consecutive. */
    char order[256];
    s_order (doc, "all", order, sizeof (order));
    cr_expect_str_eq (order, "J02 J03 J04 J06 J05 J01");
    static const struct {
        const char *unit;
        int rank;
    } ranks[] = {{"J02", 1}, {"J03", 2}, {"J04", 3},
                 {"J06", 4}, {"J05", 5}, {"J01", 6}};
    for (size_t i = 0; i < sizeof (ranks) / sizeof (ranks[0]); i++)
        EXPECT_NUM (s_must_row (doc, ranks[i].unit), ranks[i].unit, "rank",
                    NULL, ranks[i].rank);
    cJSON_Delete (doc);
}

/*  2023-03: the mayor's mailbox.
    M1: 7 mailbox tickets closed on time, 1 mailbox ticket open past its
        deadline, 2 hotline tickets closed on time.
    M2: 3 mailbox tickets, 2 closed on time, 1 late; 1 hotline ticket
        closed late.
    M3: 2 hotline tickets closed on time, nothing from the mailbox. */
Test (schemes,
      jintai_2023_mailbox_table_gives_the_on_time_rate_in_whole_percent)
{
    s_units ("M1,信箱一街道,town\n"
             "M2,信箱二局,dept\n"
             "M3,热线三镇,town\n");
    char t[16];
    for (int i = 1; i <= 7; i++) {
        snprintf (t, sizeof (t), "M1-%d", i);
        s_plain (t, "M1", "mayor_mailbox", "property", MAR23 (06, "09:00"),
                 MAR23 (10, "18:00"), MAR23 (08, "16:00"));
    }
    s_plain ("M1-8", "M1", "mayor_mailbox", "property", MAR23 (13, "09:00"),
             MAR23 (17, "18:00"), NULL);
    for (int i = 9; i <= 10; i++) {
        snprintf (t, sizeof (t), "M1-%d", i);
        s_plain (t, "M1", "hotline", "property", MAR23 (06, "09:00"),
                 MAR23 (10, "18:00"), MAR23 (08, "16:00"));
    }
    s_plain ("M2-1", "M2", "mayor_mailbox", "traffic", MAR23 (06, "09:00"),
             MAR23 (10, "18:00"), MAR23 (08, "16:00"));
    s_plain ("M2-2", "M2", "mayor_mailbox", "traffic", MAR23 (06, "09:00"),
             MAR23 (10, "18:00"), MAR23 (08, "16:00"));
    s_plain ("M2-3", "M2", "mayor_mailbox", "traffic", MAR23 (06, "09:00"),
             MAR23 (10, "18:00"), MAR23 (14, "16:00"));
    s_plain ("M2-4", "M2", "hotline", "traffic", MAR23 (06, "09:00"),
             MAR23 (10, "18:00"), MAR23 (14, "16:00"));
    s_plain ("M3-1", "M3", "hotline", "property", MAR23 (06, "09:00"),
             MAR23 (10, "18:00"), MAR23 (08, "16:00"));
    s_plain ("M3-2", "M3", "hotline", "property", MAR23 (06, "09:00"),
             MAR23 (10, "18:00"), MAR23 (08, "16:00"));
    s_tick ("2023-04-01T00:00:00+08:00");
    s_send ();
    cJSON *doc = s_report ("jintai-2023", "2023-03");

    const cJSON *tables = cJSON_GetObjectItem (doc, "channel_tables");
    cr_assert_eq (cJSON_GetArraySize (tables), 1);
    const cJSON *mail = cJSON_GetArrayItem (tables, 0);
    cr_expect_str_eq (cJSON_GetObjectItem (mail, "channel")->valuestring,
                      "mayor_mailbox");
    cr_expect_str_eq (cJSON_GetObjectItem (mail, "title")->valuestring,
                      "市长信箱");
    const cJSON *rows = cJSON_GetObjectItem (mail, "rows");
    /* M3 had no mailbox ticket: not listed. */
    cr_assert_eq (cJSON_GetArraySize (rows), 2, "mailbox rows: M1 and M2");
    const cJSON *m1 = cJSON_GetArrayItem (rows, 0);
    const cJSON *m2 = cJSON_GetArrayItem (rows, 1);
    cr_expect_str_eq (cJSON_GetObjectItem (m1, "unit_id")->valuestring, "M1");
    cr_expect_str_eq (cJSON_GetObjectItem (m2, "unit_id")->valuestring, "M2");
    EXPECT_NUM (m1, "M1 mailbox", "values", "should_close", 8); /* 7 + 1 */
    EXPECT_NUM (m1, "M1 mailbox", "values", "closed_on_time", 7);
    EXPECT_NUM (m1, "M1 mailbox", "values", "closed", 7);
    EXPECT_NUM (m1, "M1 mailbox", "values", "on_time_rate",
                88); /* 100*7/8 = 87.5 -> 88 */
    EXPECT_NUM (m2, "M2 mailbox", "values", "should_close", 3);
    EXPECT_NUM (m2, "M2 mailbox", "values", "closed_on_time", 2);
    EXPECT_NUM (m2, "M2 mailbox", "values", "closed", 3);
    EXPECT_NUM (m2, "M2 mailbox", "values", "on_time_rate",
                67); /* 100*2/3 = 66.67 -> 67 */

    /* The main table counts every channel. max_closed = 9 (M1). */
    const cJSON *r1 = s_must_row (doc, "M1");
    EXPECT_NUM (r1, "M1", "counters", "closed", 9);        /* 7 + 2 */
    EXPECT_NUM (r1, "M1", "counters", "should_close", 10); /* 9 + 1 */
    EXPECT_NUM (r1, "M1", "items", "closure", 31.5);       /* 35*9/10 */
    EXPECT_NUM (r1, "M1", "items", "alert", 0);            /* 10 - 10*1 */
    EXPECT_NUM (r1, "M1", "total", NULL, 86.5);            /* 31.5+40+5+0+5+5 */
    const cJSON *r2 = s_must_row (doc, "M2");
    EXPECT_NUM (r2, "M2", "items", "on_time", 20);    /* 40*2/4 */
    EXPECT_NUM (r2, "M2", "items", "workload", 2.22); /* 5*4/9 = 2.2222 */
    EXPECT_NUM (r2, "M2", "total", NULL, 77.22); /* r2(35+20+5+10+2.2222+5) */
    const cJSON *r3 = s_must_row (doc, "M3");
    EXPECT_NUM (r3, "M3", "items", "workload", 1.11); /* 5*2/9 = 1.1111 */
    EXPECT_NUM (r3, "M3", "total", NULL, 96.11); /* r2(35+40+5+10+1.1111+5) */
    EXPECT_NUM (r3, "M3", "rank", NULL, 1);      /* 96.11 > 86.5 > 77.22 */
    EXPECT_NUM (r1, "M1", "rank", NULL, 2);
    EXPECT_NUM (r2, "M2", "rank", NULL, 3);
    cJSON_Delete (doc);
}

/*  February and March 2023, one unit O1:
    X3 received 02-06, due 02-10, closed 02-08 (on time).
    X1 received 02-20, due 02-24, closed 03-03 (late).
    X2 received 02-27, due 03-02, never closed. */
Test (schemes,
      jintai_2023_counts_an_overdue_ticket_in_the_month_of_its_deadline)
{
    s_units ("O1,逾期街道,town\n");
    s_plain ("X3", "O1", "hotline", "property", FEB23 (06, "09:00"),
             FEB23 (10, "18:00"), FEB23 (08, "16:00"));
    s_plain ("X1", "O1", "hotline", "property", FEB23 (20, "09:00"),
             FEB23 (24, "18:00"), MAR23 (03, "16:00"));
    s_plain ("X2", "O1", "hotline", "property", FEB23 (27, "09:00"),
             MAR23 (02, "18:00"), NULL);
    s_tick ("2023-04-01T00:00:00+08:00");
    s_send ();

    /* February: X1 still open at the end of the month of its deadline. */
    cJSON *feb = s_report ("jintai-2023", "2023-02");
    const cJSON *r = s_must_row (feb, "O1");
    EXPECT_NUM (r, "O1 February", "counters", "closed", 1);       /* X3 */
    EXPECT_NUM (r, "O1 February", "counters", "overdue_open", 1); /* X1 */
    EXPECT_NUM (r, "O1 February", "counters", "should_close", 2); /* 1 + 1 */
    EXPECT_NUM (r, "O1 February", "items", "closure", 17.5);      /* 35*1/2 */
    EXPECT_NUM (r, "O1 February", "items", "on_time", 40);        /* 40*1/1 */
    EXPECT_NUM (r, "O1 February", "items", "alert", 0);    /* 10 - 10*1 */
    EXPECT_NUM (r, "O1 February", "items", "workload", 5); /* 5*1/1 */
    EXPECT_NUM (r, "O1 February", "total", NULL, 72.5);    /* 17.5+40+5+0+5+5 */
    cJSON_Delete (feb);

    /* March: X1 closed late (its February overdue stays in February); X2
       passed its deadline (03-02) open: March's overdue. */
    cJSON *mar = s_report ("jintai-2023", "2023-03");
    r = s_must_row (mar, "O1");
    EXPECT_NUM (r, "O1 March", "counters", "closed", 1);         /* X1 */
    EXPECT_NUM (r, "O1 March", "counters", "closed_on_time", 0); /* late */
    EXPECT_NUM (r, "O1 March", "counters", "overdue_open", 1);   /* X2 */
    EXPECT_NUM (r, "O1 March", "counters", "should_close", 2);
    EXPECT_NUM (r, "O1 March", "items", "closure", 17.5); /* 35*1/2 */
    EXPECT_NUM (r, "O1 March", "items", "on_time", 0);    /* 40*0/1 */
    EXPECT_NUM (r, "O1 March", "total", NULL, 32.5);      /* 17.5+0+5+0+5+5 */
    cJSON_Delete (mar);
}

/* ---- furong-2022 ------------------------------------------------------ */

#define NOV22(d, hm) "2022-11-" #d "T" hm ":00+08:00"

/*  2022-11. F1 (town), one ticket per rule:
    T1 signed 2 h after dispatch, closed on time, revisited unsatisfied,
       unresolved, rework; reopened and closed again on time.
    T2 first contact 3 h after receipt; closed on time.
    T3 never contacted, closed on time (contacted_late at its closure);
       revisited basic, partly resolved.
    T4 extended before its deadline; closed after the first deadline but
       before the new one (on time); revisited satisfied, resolved.
    T5 returned within the window.
    T6 key supervision, closed late. T7 repeat dispatch, closed late.
    Manual: knowledge_base 8.75; bonus 1 on 11-10, then 0.5 on 11-25.
    F2 (dept): G1 clean; instant_answer adjusted to 9. G2 never contacted
       and still open past its deadline (contacted_late: none by the
       deadline). G3 on every boundary: signed exactly 1 h after dispatch,
       contacted exactly 2 h after receipt, closed exactly at its deadline
       (none of them late). G4 returned. */
Test (schemes, furong_2022_items_dimensions_manual_items_and_bonus)
{
    s_units ("F1,芙蓉一街道,town\n"
             "F2,芙蓉二局,dept\n");
    s_received ("T1", "F1", NOV22 (01, "10:00"), NOV22 (01, "08:00"),
                NOV22 (04, "18:00"), "hotline", "property", false, false);
    s_on ("contacted", "T1", "F1", NOV22 (01, "10:30"));
    s_on ("closed", "T1", "F1", NOV22 (02, "16:00"));
    s_revisited ("T1", "F1", NOV22 (03, "10:00"), "unsatisfied", "no", true);
    s_reopened ("T1", "F1", NOV22 (03, "10:05"), NOV22 (08, "18:00"));
    s_on ("closed", "T1", "F1", NOV22 (07, "16:00"));

    s_received ("T2", "F1", NOV22 (01, "09:00"), NOV22 (01, "09:00"),
                NOV22 (04, "18:00"), "hotline", "property", false, false);
    s_on ("contacted", "T2", "F1", NOV22 (01, "12:00"));
    s_on ("closed", "T2", "F1", NOV22 (02, "16:00"));

    s_received ("T3", "F1", NOV22 (01, "09:00"), NOV22 (01, "09:00"),
                NOV22 (04, "18:00"), "hotline", "property", false, false);
    s_on ("closed", "T3", "F1", NOV22 (02, "16:00"));
    s_revisited ("T3", "F1", NOV22 (03, "10:00"), "basic", "partly", false);

    s_plain ("T4", "F1", "hotline", "property", NOV22 (01, "09:00"),
             NOV22 (04, "18:00"), NULL);
    s_extended ("T4", "F1", NOV22 (03, "10:00"), NOV22 (09, "18:00"));
    s_on ("closed", "T4", "F1", NOV22 (08, "16:00"));
    s_revisited ("T4", "F1", NOV22 (09, "10:00"), "satisfied", "yes", false);

    s_plain ("T5", "F1", "hotline", "property", NOV22 (01, "09:00"),
             NOV22 (04, "18:00"), NULL);
    s_returned ("T5", "F1", NOV22 (01, "10:00"));

    s_received ("T6", "F1", NOV22 (01, "09:00"), NOV22 (01, "09:00"),
                NOV22 (04, "18:00"), "hotline", "property", true, false);
    s_on ("contacted", "T6", "F1", NOV22 (01, "09:30"));
    s_on ("closed", "T6", "F1", NOV22 (07, "16:00"));

    s_received ("T7", "F1", NOV22 (01, "09:00"), NOV22 (01, "09:00"),
                NOV22 (04, "18:00"), "hotline", "property", false, true);
    s_on ("contacted", "T7", "F1", NOV22 (01, "09:30"));
    s_on ("closed", "T7", "F1", NOV22 (07, "16:00"));

    s_adjusted ("F1", "2022-11", "knowledge_base", 8.75, NOV22 (20, "10:00"));
    s_adjusted ("F1", "2022-11", "bonus", 1, NOV22 (10, "10:00"));
    s_adjusted ("F1", "2022-11", "bonus", 0.5, NOV22 (25, "10:00"));

    s_plain ("G1", "F2", "hotline", "traffic", NOV22 (02, "09:00"),
             NOV22 (05, "18:00"), NOV22 (03, "16:00"));
    s_revisited ("G1", "F2", NOV22 (04, "10:00"), "satisfied", "yes", false);
    s_adjusted ("F2", "2022-11", "instant_answer", 9, NOV22 (20, "10:00"));
    s_received ("G2", "F2", NOV22 (10, "09:00"), NOV22 (10, "09:00"),
                NOV22 (14, "18:00"), "hotline", "traffic", false, false);
    s_received ("G3", "F2", NOV22 (10, "09:00"), NOV22 (10, "08:00"),
                NOV22 (13, "18:00"), "hotline", "traffic", false, false);
    s_on ("contacted", "G3", "F2", NOV22 (10, "11:00"));
    s_on ("closed", "G3", "F2", NOV22 (13, "18:00"));
    s_plain ("G4", "F2", "hotline", "traffic", NOV22 (10, "09:00"),
             NOV22 (14, "18:00"), NULL);
    s_returned ("G4", "F2", NOV22 (10, "11:00"));
    s_tick ("2022-12-01T00:00:00+08:00");
    s_send ();
    cJSON *doc = s_report ("furong-2022", "2022-11");

    const cJSON *f1 = s_must_row (doc, "F1");
    EXPECT_NUM (f1, "F1", "counters", "received", 7);    /* T1-T7 */
    EXPECT_NUM (f1, "F1", "counters", "closed", 6);      /* all but T5 */
    EXPECT_NUM (f1, "F1", "counters", "revisited", 3);   /* T1, T3, T4 */
    EXPECT_NUM (f1, "F1", "counters", "unresolved", 1);  /* T1 */
    EXPECT_NUM (f1, "F1", "counters", "unsatisfied", 1); /* T1 */
    EXPECT_NUM (f1, "F1", "items", "sign_on_time",
                4.9); /* 5 - 0.1*1 (T1: 2 h > 1 h) */
    EXPECT_NUM (f1, "F1", "items", "contact",
                9.98); /* 10 - 0.01*2 (T2 late, T3 none by closure) */
    EXPECT_NUM (f1, "F1", "items", "close_on_time",
                4.8); /* 5 - 0.1*2 (T6, T7; T4 on time after extension) */
    EXPECT_NUM (f1, "F1", "items", "extension", 4.9);  /* 5 - 0.1*1 */
    EXPECT_NUM (f1, "F1", "items", "rejection", 4.99); /* 5 - 0.01*1 */
    EXPECT_NUM (f1, "F1", "items", "resolved",
                13.33); /* 20*(3-1)/3 = 13.3333 */
    EXPECT_NUM (f1, "F1", "items", "key_supervision", 4.5); /* 5 - 0.5*1 */
    EXPECT_NUM (f1, "F1", "items", "repeat_dispatch", 4.5); /* 5 - 0.5*1 */
    EXPECT_NUM (f1, "F1", "items", "sent_back", 4.8);       /* 5 - 0.2*1 */
    EXPECT_NUM (f1, "F1", "items", "instant_answer", 10);   /* default */
    EXPECT_NUM (f1, "F1", "items", "knowledge_base", 8.75); /* adjusted */
    EXPECT_NUM (f1, "F1", "items", "revisit_rating", 14.8); /* 15 - 0.2*1 */
    /* Subtotals: the sums of their shown items. */
    EXPECT_NUM (f1, "F1", "dimensions", "response",
                29.57); /* 4.9+9.98+4.8+4.9+4.99 */
    EXPECT_NUM (f1, "F1", "dimensions", "resolution",
                27.13); /* 13.33+4.5+4.5+4.8 */
    EXPECT_NUM (f1, "F1", "dimensions", "online", 18.75); /* 10+8.75 */
    EXPECT_NUM (f1, "F1", "dimensions", "revisit", 14.8); /* 14.8 */
    /* r2 of the unrounded items: r2(4.9+9.98+4.8+4.9+4.99 + 13.3333+4.5
       +4.5+4.8 + 10+8.75 + 14.8) = r2(90.2533) = 90.25 */
    EXPECT_NUM (f1, "F1", "base_total", NULL, 90.25);
    EXPECT_NUM (f1, "F1", "bonus", NULL, 0.5);   /* the latest adjustment */
    EXPECT_NUM (f1, "F1", "total", NULL, 90.75); /* 90.25 + 0.5 */
    EXPECT_NUM (f1, "F1", "rank", NULL, 1);      /* alone among towns */

    const cJSON *f2 = s_must_row (doc, "F2");
    EXPECT_NUM (f2, "F2", "counters", "received", 4); /* G1-G4 */
    EXPECT_NUM (f2, "F2", "counters", "closed", 2);   /* G1, G3 */
    EXPECT_NUM (f2, "F2", "items", "sign_on_time",
                5); /* 5 - 0.1*0 (G3: 1 h is not > 1 h) */
    EXPECT_NUM (f2, "F2", "items", "contact",
                9.99); /* 10 - 0.01*1 (G2; G3's 2 h is not > 2 h) */
    EXPECT_NUM (f2, "F2", "items", "close_on_time",
                5); /* 5 - 0.1*0 (G3 closed at due_at: on time) */
    EXPECT_NUM (f2, "F2", "items", "rejection", 4.99);    /* 5 - 0.01*1 */
    EXPECT_NUM (f2, "F2", "items", "instant_answer", 9);  /* adjusted */
    EXPECT_NUM (f2, "F2", "items", "knowledge_base", 10); /* default */
    EXPECT_NUM (f2, "F2", "items", "resolved", 20);       /* 20*(1-0)/1 */
    EXPECT_NUM (f2, "F2", "dimensions", "response",
                29.98);                                    /* 5+9.99+5+5+4.99 */
    EXPECT_NUM (f2, "F2", "dimensions", "resolution", 35); /* 20+5+5+5 */
    EXPECT_NUM (f2, "F2", "dimensions", "online", 19);     /* 9+10 */
    EXPECT_NUM (f2, "F2", "dimensions", "revisit", 15);    /* 15 - 0.2*0 */
    EXPECT_NUM (f2, "F2", "base_total", NULL, 98.98);      /* 29.98+35+19+15 */
    EXPECT_NUM (f2, "F2", "bonus", NULL, 0);
    EXPECT_NUM (f2, "F2", "total", NULL, 98.98);
    EXPECT_NUM (f2, "F2", "rank", NULL, 1); /* alone among departments */
    cr_expect_not_null (s_table (doc, "town"));
    cr_expect_not_null (s_table (doc, "dept"));
    cJSON_Delete (doc);
}

/*  2022-11. Every ticket is received when dispatched, contacted at once,
    closed the next day on time and revisited the day after:
    R1 (town): 2 tickets, both resolved.
    R2 (town): 2 tickets, one resolved, one partly resolved.
    R3 (town): 4 tickets, one not resolved (satisfaction basic).
    R4 (town): 1 ticket received on 11-28, due in December: no closure,
       no revisit.
    R5 (dept): 2 tickets, one not resolved (basic). */
Test (schemes, furong_2022_competition_ranks_exclusion_and_units_below_district)
{
    s_units ("R1,荷花园街道,town\n"
             "R2,五里牌街道,town\n"
             "R3,火星街道,town\n"
             "R4,马坡岭街道,town\n"
             "R5,区城管局,dept\n");
    static const struct {
        const char *ticket, *unit, *resolved;
    } tickets[] = {{"R1-1", "R1", "yes"}, {"R1-2", "R1", "yes"},
                   {"R2-1", "R2", "yes"}, {"R2-2", "R2", "partly"},
                   {"R3-1", "R3", "yes"}, {"R3-2", "R3", "yes"},
                   {"R3-3", "R3", "yes"}, {"R3-4", "R3", "no"},
                   {"R5-1", "R5", "yes"}, {"R5-2", "R5", "no"}};
    for (size_t i = 0; i < sizeof (tickets) / sizeof (tickets[0]); i++) {
        s_plain (tickets[i].ticket, tickets[i].unit, "hotline", "property",
                 NOV22 (07, "09:00"), NOV22 (10, "18:00"), NOV22 (08, "16:00"));
        s_revisited (tickets[i].ticket, tickets[i].unit, NOV22 (09, "10:00"),
                     strcmp (tickets[i].resolved, "yes") ? "basic"
                                                         : "satisfied",
                     tickets[i].resolved, false);
    }
    s_plain ("R4-1", "R4", "hotline", "property", NOV22 (28, "09:00"),
             "2022-12-05T18:00:00+08:00", NULL);
    s_tick ("2022-12-01T00:00:00+08:00");
    s_send ();
    cJSON *doc = s_report ("furong-2022", "2022-11");

    /* R1: every item full = 100. R2: "partly" is not unresolved, so also
       100. R3: resolved 20*(4-1)/4 = 15, total 100 - 5 = 95. R5: resolved
       20*(2-1)/2 = 10, total 90. */
    const cJSON *r1 = s_must_row (doc, "R1"), *r2 = s_must_row (doc, "R2");
    const cJSON *r3 = s_must_row (doc, "R3"), *r5 = s_must_row (doc, "R5");
    EXPECT_NUM (r1, "R1", "total", NULL, 100);
    EXPECT_NUM (r2, "R2", "items", "resolved", 20); /* 20*(2-0)/2 */
    EXPECT_NUM (r2, "R2", "total", NULL, 100);
    EXPECT_NUM (r3, "R3", "items", "resolved", 15);        /* 20*(4-1)/4 */
    EXPECT_NUM (r3, "R3", "dimensions", "resolution", 30); /* 15+5+5+5 */
    EXPECT_NUM (r3, "R3", "total", NULL, 95);
    EXPECT_NUM (r5, "R5", "items", "resolved", 10); /* 20*(2-1)/2 */
    EXPECT_NUM (r5, "R5", "total", NULL, 90);
    /* Competition ranking: 100, 100, 95 -> 1, 1, 3. */
    EXPECT_NUM (r1, "R1", "rank", NULL, 1);
    EXPECT_NUM (r2, "R2", "rank", NULL, 1);
    EXPECT_NUM (r3, "R3", "rank", NULL, 3);
    EXPECT_NUM (r5, "R5", "rank", NULL, 1); /* the departments' own table */
    char order[128];
    s_order (doc, "town", order, sizeof (order));
    cr_expect_str_eq (order, "R1 R2 R3");

    /* R4: no closure and no revisit in November. */
    cr_expect_null (s_row (doc, "R4"), "R4 must not be listed in a table");
    const cJSON *excluded = cJSON_GetObjectItem (doc, "excluded");
    cr_assert_eq (cJSON_GetArraySize (excluded), 1);
    const cJSON *x = cJSON_GetArrayItem (excluded, 0);
    cr_expect_str_eq (cJSON_GetObjectItem (x, "unit_id")->valuestring, "R4");
    cr_expect_str_eq (cJSON_GetObjectItem (x, "reason")->valuestring,
                      "本月无办结、无回访");

    /* District rate: (sum revisited - sum unresolved) / sum revisited =
       (2+2+4+2 - (0+0+1+1)) / 10 = 0.8. Below it: R3 (3/4 = 0.75) and R5
       (1/2 = 0.5); R1 and R2 are at 1.0. */
    const cJSON *below = cJSON_GetObjectItem (doc, "below");
    cr_assert_not_null (below, "no \"below\" section");
    EXPECT_NUM (below, "below", "district_rate", NULL, 0.8);
    const cJSON *rows = cJSON_GetObjectItem (below, "rows");
    cr_assert_eq (cJSON_GetArraySize (rows), 2);
    const cJSON *b3 = cJSON_GetArrayItem (rows, 0);
    const cJSON *b5 = cJSON_GetArrayItem (rows, 1);
    cr_expect_str_eq (cJSON_GetObjectItem (b3, "unit_id")->valuestring, "R3");
    EXPECT_NUM (b3, "below R3", "revisited", NULL, 4);
    EXPECT_NUM (b3, "below R3", "unresolved", NULL, 1);
    EXPECT_NUM (b3, "below R3", "rate", NULL, 0.75); /* (4-1)/4 */
    cr_expect_str_eq (cJSON_GetObjectItem (b5, "unit_id")->valuestring, "R5");
    EXPECT_NUM (b5, "below R5", "revisited", NULL, 2);
    EXPECT_NUM (b5, "below R5", "unresolved", NULL, 1);
    EXPECT_NUM (b5, "below R5", "rate", NULL, 0.5); /* (2-1)/2 */
    cJSON_Delete (doc);
}

/* ---- lianyungang-2017 ------------------------------------------------- */

#define MAR17(d, hm) "2017-03-" #d "T" hm ":00+08:00"
#define APR17(d, hm) "2017-04-" #d "T" hm ":00+08:00"

/*  March and April 2017.
    L1 (key_help). March: P1, P2 closed on time. April: A1 closed on
        time; A2 closed on time, revisited with rework, reopened, closed
        again on time; A3 closed late; A4 open past its deadline.
    L2 (key_service). April: B1 (hotline), B2 (mayor_mailbox) on time.
    L3 (city): no tickets at all.
    L4 (other_large). March: Q1, Q2 on time, Q3 late. April: C1-C3 on
        time; C4 closed on time, reopened without a revisit, closed again
        on time under its new deadline; C5 (wechat) late.
    L5 (other_small). April: D1 (web) on time.
    L6 (other_small). April: E1 on time, E2 open past its deadline.
    Categories: property A1 A2 B1 C1 C2 C3 D1; traffic A3 A4 B2;
    environment C4 C5 E1 E2. Channels: hotline unless stated, A4 web. */
static void
s_feed_lianyungang (void)
{
    s_units ("L1,海州区,key_help\n"
             "L2,市住建局,key_service\n"
             "L3,市档案馆,city\n"
             "L4,连云区,other_large\n"
             "L5,市气象局,other_small\n"
             "L6,市地震局,other_small\n");
    s_plain ("P1", "L1", "hotline", "property", MAR17 (06, "09:00"),
             MAR17 (10, "18:00"), MAR17 (07, "16:00"));
    s_plain ("P2", "L1", "hotline", "property", MAR17 (06, "09:00"),
             MAR17 (10, "18:00"), MAR17 (07, "16:00"));
    s_plain ("Q1", "L4", "hotline", "property", MAR17 (06, "09:00"),
             MAR17 (10, "18:00"), MAR17 (07, "16:00"));
    s_plain ("Q2", "L4", "hotline", "property", MAR17 (06, "09:00"),
             MAR17 (10, "18:00"), MAR17 (07, "16:00"));
    s_plain ("Q3", "L4", "hotline", "property", MAR17 (06, "09:00"),
             MAR17 (10, "18:00"), MAR17 (14, "16:00"));

    s_plain ("A1", "L1", "hotline", "property", APR17 (03, "09:00"),
             APR17 (07, "18:00"), APR17 (05, "16:00"));
    s_plain ("A2", "L1", "hotline", "property", APR17 (03, "09:00"),
             APR17 (07, "18:00"), APR17 (05, "16:00"));
    s_revisited ("A2", "L1", APR17 (06, "10:00"), "unsatisfied", "no", true);
    s_reopened ("A2", "L1", APR17 (06, "10:05"), APR17 (12, "18:00"));
    s_on ("closed", "A2", "L1", APR17 (10, "16:00"));
    s_plain ("A3", "L1", "hotline", "traffic", APR17 (10, "09:00"),
             APR17 (12, "18:00"), APR17 (14, "16:00"));
    s_plain ("A4", "L1", "web", "traffic", APR17 (17, "09:00"),
             APR17 (21, "18:00"), NULL);

    s_plain ("B1", "L2", "hotline", "property", APR17 (04, "09:00"),
             APR17 (08, "18:00"), APR17 (06, "16:00"));
    s_plain ("B2", "L2", "mayor_mailbox", "traffic", APR17 (04, "09:00"),
             APR17 (08, "18:00"), APR17 (06, "16:00"));

    char t[8];
    for (int i = 1; i <= 3; i++) {
        snprintf (t, sizeof (t), "C%d", i);
        s_plain (t, "L4", "hotline", "property", APR17 (11, "09:00"),
                 APR17 (14, "18:00"), APR17 (13, "16:00"));
    }
    s_plain ("C4", "L4", "hotline", "environment", APR17 (11, "09:00"),
             APR17 (14, "18:00"), APR17 (13, "16:00"));
    s_reopened ("C4", "L4", APR17 (14, "10:00"), APR17 (19, "18:00"));
    s_on ("closed", "C4", "L4", APR17 (18, "16:00"));
    s_plain ("C5", "L4", "wechat", "environment", APR17 (11, "09:00"),
             APR17 (14, "18:00"), APR17 (17, "16:00"));

    s_plain ("D1", "L5", "web", "property", APR17 (20, "09:00"),
             APR17 (24, "18:00"), APR17 (21, "16:00"));

    s_plain ("E1", "L6", "hotline", "environment", APR17 (20, "09:00"),
             APR17 (24, "18:00"), APR17 (21, "16:00"));
    s_plain ("E2", "L6", "hotline", "environment", APR17 (24, "09:00"),
             APR17 (27, "18:00"), NULL);
    s_tick ("2017-05-01T00:00:00+08:00");
    s_send ();
}

Test (schemes,
      lianyungang_2017_rates_composite_and_the_mean_for_a_unit_without_cases)
{
    s_feed_lianyungang ();
    cJSON *doc = s_report ("lianyungang-2017", "2017-04");

    const cJSON *l1 = s_must_row (doc, "L1");
    EXPECT_NUM (l1, "L1", "counters", "received", 4);
    EXPECT_NUM (l1, "L1", "counters", "should_close", 4); /* 3 + A4 */
    EXPECT_NUM (l1, "L1", "counters", "closed", 3);
    EXPECT_NUM (l1, "L1", "counters", "closed_on_time", 2);    /* A1, A2 */
    EXPECT_NUM (l1, "L1", "counters", "first_time_closed", 2); /* A1, A3 */
    EXPECT_NUM (l1, "L1", "items", "close_rate", 75);          /* 100*3/4 */
    EXPECT_NUM (l1, "L1", "items", "on_time_rate", 50);        /* 100*2/4 */
    EXPECT_NUM (l1, "L1", "items", "first_time_rate",
                66.67); /* 100*2/3 = 66.667 */
    EXPECT_NUM (l1, "L1", "items", "composite",
                63.33); /* 0.4*75 + 0.4*50 + 0.2*66.67 = 63.334 */
    EXPECT_NUM (l1, "L1", "total", NULL, 63.33);

    const cJSON *l2 = s_must_row (doc, "L2");
    EXPECT_NUM (l2, "L2", "items", "close_rate", 100);
    EXPECT_NUM (l2, "L2", "items", "on_time_rate", 100);
    EXPECT_NUM (l2, "L2", "items", "first_time_rate", 100);
    EXPECT_NUM (l2, "L2", "total", NULL, 100); /* 40+40+20 */

    const cJSON *l4 = s_must_row (doc, "L4");
    EXPECT_NUM (l4, "L4", "counters", "closed", 5);
    EXPECT_NUM (l4, "L4", "counters", "closed_on_time", 4);    /* C1-C4 */
    EXPECT_NUM (l4, "L4", "counters", "first_time_closed", 4); /* not C4 */
    EXPECT_NUM (l4, "L4", "items", "close_rate", 100);         /* 100*5/5 */
    EXPECT_NUM (l4, "L4", "items", "on_time_rate", 80);        /* 100*4/5 */
    EXPECT_NUM (l4, "L4", "items", "first_time_rate", 80);     /* 100*4/5 */
    EXPECT_NUM (l4, "L4", "total", NULL, 88); /* 0.4*100+0.4*80+0.2*80 */

    const cJSON *l5 = s_must_row (doc, "L5");
    EXPECT_NUM (l5, "L5", "total", NULL, 100);

    const cJSON *l6 = s_must_row (doc, "L6");
    EXPECT_NUM (l6, "L6", "items", "close_rate", 50);       /* 100*1/2 */
    EXPECT_NUM (l6, "L6", "items", "on_time_rate", 50);     /* 100*1/2 */
    EXPECT_NUM (l6, "L6", "items", "first_time_rate", 100); /* 100*1/1 */
    EXPECT_NUM (l6, "L6", "total", NULL, 60); /* 0.4*50+0.4*50+0.2*100 */

    /* L3 had no case: items null, total = mean of the totals of the units
       with cases = (63.33+100+88+100+60)/5 = 411.33/5 = 82.266 -> 82.27. */
    const cJSON *l3 = s_must_row (doc, "L3");
    EXPECT_NULL (l3, "L3", "items", "close_rate");
    EXPECT_NULL (l3, "L3", "items", "on_time_rate");
    EXPECT_NULL (l3, "L3", "items", "first_time_rate");
    EXPECT_NULL (l3, "L3", "items", "composite");
    EXPECT_NUM (l3, "L3", "total", NULL, 82.27);

    /* Five group tables in the ruleset's order; each unit in its own. */
    static const char *groups[] = {"key_help", "key_service", "city",
                                   "other_large", "other_small"};
    static const char *orders[] = {"L1", "L2", "L3", "L4", "L5 L6"};
    const cJSON *tables = cJSON_GetObjectItem (doc, "tables");
    cr_assert_eq (cJSON_GetArraySize (tables), 5);
    for (int i = 0; i < 5; i++) {
        const cJSON *g =
            cJSON_GetObjectItem (cJSON_GetArrayItem (tables, i), "group");
        cr_expect_str_eq (g->valuestring, groups[i]);
        char order[64];
        s_order (doc, groups[i], order, sizeof (order));
        cr_expect_str_eq (order, orders[i], "table %s", groups[i]);
    }
    EXPECT_NUM (l5, "L5", "rank", NULL, 1); /* 100 */
    EXPECT_NUM (l6, "L6", "rank", NULL, 2); /* 60 */

    /* Summary over the six units: with cases 5; at 100: L2 and L5, 2/6 =
       0.3333; average (411.33 + 82.27)/6 = 493.6/6 = 82.2667 -> 82.27. */
    const cJSON *summary = cJSON_GetObjectItem (doc, "summary");
    cr_assert_not_null (summary, "no summary");
    EXPECT_NUM (summary, "summary", "units", NULL, 6);
    EXPECT_NUM (summary, "summary", "with_cases", NULL, 5);
    EXPECT_NUM (summary, "summary", "full_score", NULL, 100);
    EXPECT_NUM (summary, "summary", "at_full_score", NULL, 2);
    EXPECT_NUM (summary, "summary", "at_full_score_share", NULL, 0.3333);
    EXPECT_NUM (summary, "summary", "average", NULL, 82.27);
    cJSON_Delete (doc);
}

/* The entry of a breakdown list with that id, or NULL. */
static const cJSON *
s_entry (const cJSON *list, const char *id)
{
    const cJSON *entry;
    cJSON_ArrayForEach (entry, list)
    {
        const cJSON *e = cJSON_GetObjectItem (entry, "id");
        if (cJSON_IsString (e) && strcmp (e->valuestring, id) == 0)
            return entry;
    }
    return NULL;
}

Test (schemes, lianyungang_2017_breakdown_and_changes_since_the_previous_month)
{
    s_feed_lianyungang ();
    cJSON *doc = s_report ("lianyungang-2017", "2017-04");

    /* April received: L1 4 + L2 2 + L4 5 + L5 1 + L6 2 = 14. */
    const cJSON *breakdown = cJSON_GetObjectItem (doc, "breakdown");
    cr_assert_not_null (breakdown, "no breakdown");
    const cJSON *channels = cJSON_GetObjectItem (breakdown, "channels");
    const cJSON *categories = cJSON_GetObjectItem (breakdown, "categories");
    cr_expect_eq (cJSON_GetArraySize (channels), 4);
    cr_expect_eq (cJSON_GetArraySize (categories), 3);
    static const struct {
        const char *id;
        double received, share;
    } ch[] = {{"hotline", 10, 0.7143},        /* A1-A3 B1 C1-C4 E1 E2: 10/14 */
              {"web", 2, 0.1429},             /* A4 D1: 2/14 */
              {"mayor_mailbox", 1, 0.0714},   /* B2: 1/14 */
              {"wechat", 1, 0.0714}},         /* C5: 1/14 */
        cat[] = {{"property", 7, 0.5},        /* A1 A2 B1 C1-C3 D1: 7/14 */
                 {"traffic", 3, 0.2143},      /* A3 A4 B2: 3/14 */
                 {"environment", 4, 0.2857}}; /* C4 C5 E1 E2: 4/14 */
    for (size_t i = 0; i < sizeof (ch) / sizeof (ch[0]); i++) {
        const cJSON *e = s_entry (channels, ch[i].id);
        cr_expect_not_null (e, "no channel %s", ch[i].id);
        if (!e)
            continue;
        EXPECT_NUM (e, ch[i].id, "received", NULL, ch[i].received);
        EXPECT_NUM (e, ch[i].id, "share", NULL, ch[i].share);
    }
    for (size_t i = 0; i < sizeof (cat) / sizeof (cat[0]); i++) {
        const cJSON *e = s_entry (categories, cat[i].id);
        cr_expect_not_null (e, "no category %s", cat[i].id);
        if (!e)
            continue;
        EXPECT_NUM (e, cat[i].id, "received", NULL, cat[i].received);
        EXPECT_NUM (e, cat[i].id, "share", NULL, cat[i].share);
    }

    /* March: L1 2/2 closed, 2 on time, 2 first time: 100, 100, 100.
       L4 3/3 closed, 2 on time, 3 first time: 100, 66.67, 100. */
    cJSON *march = s_report ("lianyungang-2017", "2017-03");
    EXPECT_NUM (s_must_row (march, "L1"), "L1 March", "total", NULL, 100);
    EXPECT_NUM (s_must_row (march, "L4"), "L4 March", "items", "on_time_rate",
                66.67); /* 100*2/3 */
    cJSON_Delete (march);

    const cJSON *l1 = s_must_row (doc, "L1");
    EXPECT_NUM (l1, "L1", "changes", "close_rate", -25);   /* 75 - 100 */
    EXPECT_NUM (l1, "L1", "changes", "on_time_rate", -50); /* 50 - 100 */
    EXPECT_NUM (l1, "L1", "changes", "first_time_rate",
                -33.33); /* 66.67 - 100 */
    const cJSON *l4 = s_must_row (doc, "L4");
    EXPECT_NUM (l4, "L4", "changes", "close_rate", 0);        /* 100 - 100 */
    EXPECT_NUM (l4, "L4", "changes", "on_time_rate", 13.33);  /* 80 - 66.67 */
    EXPECT_NUM (l4, "L4", "changes", "first_time_rate", -20); /* 80 - 100 */
    /* L2 had no case in March: no change to show. */
    const cJSON *l2 = s_must_row (doc, "L2");
    EXPECT_NULL (l2, "L2", "changes", "close_rate");
    EXPECT_NULL (l2, "L2", "changes", "on_time_rate");
    EXPECT_NULL (l2, "L2", "changes", "first_time_rate");
    cJSON_Delete (doc);
}

/* ---- fufeng-2024: the quarter boundary -------------------------------- */

/*  One town, 扶风一镇:
    K1 received 2024-09-30 23:00, closed 2024-10-01 10:00 (on time);
    K4 received 2024-11-04, due 11-08, closed 11-12 (late);
    K2 received 2024-12-30, due 2025-01-03, closed 2024-12-31 23:59:59;
    K3 received 2024-12-30, due 2025-01-03, closed 2025-01-01 00:00:00. */
Test (schemes, fufeng_2024_counts_closures_in_the_quarter_of_the_closure_time)
{
    s_units ("Q1,扶风一镇,town\n");
    s_plain ("K1", "Q1", "hotline", "property", "2024-09-30T23:00:00+08:00",
             "2024-10-03T18:00:00+08:00", "2024-10-01T10:00:00+08:00");
    s_plain ("K4", "Q1", "hotline", "property", "2024-11-04T09:00:00+08:00",
             "2024-11-08T18:00:00+08:00", "2024-11-12T16:00:00+08:00");
    s_plain ("K2", "Q1", "hotline", "property", "2024-12-30T09:00:00+08:00",
             "2025-01-03T18:00:00+08:00", "2024-12-31T23:59:59+08:00");
    s_plain ("K3", "Q1", "hotline", "property", "2024-12-30T09:00:00+08:00",
             "2025-01-03T18:00:00+08:00", "2025-01-01T00:00:00+08:00");
    s_tick ("2025-01-01T00:00:00+08:00");
    s_send ();

    cJSON *q4 = s_report ("fufeng-2024", "2024-Q4");
    const cJSON *r = s_must_row (q4, "Q1");
    EXPECT_NUM (r, "Q1 2024-Q4", "counters", "closed", 3); /* K1 K4 K2 */
    EXPECT_NUM (r, "Q1 2024-Q4", "counters", "closed_on_time", 2); /* K1 K2 */
    EXPECT_NUM (r, "Q1 2024-Q4", "counters", "should_close", 3);
    EXPECT_NUM (r, "Q1 2024-Q4", "counters", "rework", 0);
    EXPECT_NUM (r, "Q1 2024-Q4", "items", "closure", 25); /* 25*3/3 */
    EXPECT_NUM (r, "Q1 2024-Q4", "items", "on_time",
                23.33);                                  /* 35*2/3 = 23.333 */
    EXPECT_NUM (r, "Q1 2024-Q4", "items", "rework", 10); /* 10*(1-0/3) */
    EXPECT_NUM (r, "Q1 2024-Q4", "items", "overdue_return", 5);
    EXPECT_NUM (r, "Q1 2024-Q4", "items", "satisfaction", 10);
    EXPECT_NUM (r, "Q1 2024-Q4", "items", "knowledge_base", 10); /* default */
    EXPECT_NUM (r, "Q1 2024-Q4", "items", "organisation", 5);    /* default */
    EXPECT_NUM (r, "Q1 2024-Q4", "total", NULL,
                88.33); /* r2(25+23.3333+10+5+10+10+5) = r2(88.3333) */
    cr_expect (cJSON_IsNull (cJSON_GetObjectItem (r, "rank")),
               "fufeng lists units unranked");
    cr_expect_str_eq (cJSON_GetObjectItem (r, "note")->valuestring,
                      "11月逾期1件");
    cJSON_Delete (q4);

    /* K1 was received in Q3 but closed in Q4: Q3 has no closure. */
    cJSON *q3 = s_report ("fufeng-2024", "2024-Q3");
    r = s_must_row (q3, "Q1");
    EXPECT_NUM (r, "Q1 2024-Q3", "counters", "closed", 0);
    EXPECT_NUM (r, "Q1 2024-Q3", "counters", "should_close", 0);
    cJSON_Delete (q3);

    /* K3 closed at the first instant of 2025: it is 2025-Q1's. */
    cJSON *q1 = s_report ("fufeng-2024", "2025-Q1");
    r = s_must_row (q1, "Q1");
    EXPECT_NUM (r, "Q1 2025-Q1", "counters", "closed", 1);
    EXPECT_NUM (r, "Q1 2025-Q1", "counters", "closed_on_time", 1);
    cJSON_Delete (q1);

    /* The months agree (jintai-2023 is monthly and lists every unit):
       September none, October K1, December K2, January K3. */
    static const struct {
        const char *period;
        int closed;
    } months[] = {{"2024-09", 0},
                  {"2024-10", 1},
                  {"2024-11", 1},
                  {"2024-12", 1},
                  {"2025-01", 1}};
    for (size_t i = 0; i < sizeof (months) / sizeof (months[0]); i++) {
        cJSON *doc = s_report ("jintai-2023", months[i].period);
        EXPECT_NUM (s_must_row (doc, "Q1"), months[i].period, "counters",
                    "closed", months[i].closed);
        cJSON_Delete (doc);
    }
}
