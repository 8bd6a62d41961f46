/*  Explain and ticket, end to end (docs/explain.md): the real daemon fed
    the 金台区 2025-07 golden stream, every unit explained over the query
    socket, and each adverse counter's tickets compared with the ones the
    stream itself makes late, returned late, unsatisfied, reworked or
    overdue, derived here from the event file with no help from the
    daemon. The same after a SIGKILL and restart, after hotline replay,
    and for a ticket returned by one unit and received by another. */
#include "calendar.h"
#include "client.h"
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

TestSuite (explain, .init = s_setup, .fini = s_teardown, .timeout = 300);

/* ---- what the stream itself says --------------------------------------- */

#define UNITS_MAX   40
#define TICKETS_MAX 4096

/* The counters explain lists, as the test derives them. */
enum {
    C_CLOSED_LATE,
    C_RETURNED_LATE,
    C_UNSATISFIED,
    C_REWORK,
    C_OVERDUE,
    C_KINDS
};
static const char *s_counter[C_KINDS] = {
    "closed_late", "returned_late", "unsatisfied", "rework", "overdue_open"};

typedef struct {
    char id[32];             /* ticket id */
    char unit[16];           /* its unit */
    int64_t dispatched, due; /* dispatch, deadline in force */
    bool open;               /* not closed (or reopened) */
    bool late;               /* its last closure was late */
    bool closed;             /* closed at least once */
    bool rework_pending;     /* a rework revisit came */
} s_ticket_t;

/* Per unit and counter, the ticket ids (with repeats: one per count). */
typedef struct {
    char unit[16];                       /* unit id */
    char *ids[C_KINDS][TICKETS_MAX / 8]; /* sorted ids */
    size_t n[C_KINDS];                   /* how many */
} s_expect_t;

typedef struct {
    s_ticket_t *tickets; /* TICKETS_MAX */
    size_t ticket_count;
    s_expect_t units[UNITS_MAX];
    size_t unit_count;
} s_stream_t;

static int64_t
s_time (const cJSON *doc, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem (doc, name);
    int64_t ms = 0;
    if (cJSON_IsString (v))
        cr_assert_eq (proto_time_parse (v->valuestring, &ms), 0);
    return ms;
}

static s_expect_t *
s_unit (s_stream_t *s, const char *unit)
{
    for (size_t i = 0; i < s->unit_count; i++)
        if (strcmp (s->units[i].unit, unit) == 0)
            return &s->units[i];
    cr_assert_lt (s->unit_count, UNITS_MAX);
    s_expect_t *e = &s->units[s->unit_count++];
    memset (e, 0, sizeof (*e));
    snprintf (e->unit, sizeof (e->unit), "%s", unit);
    return e;
}

static void
s_expect (s_stream_t *s, const char *unit, int kind, const char *ticket)
{
    s_expect_t *e = s_unit (s, unit);
    cr_assert_lt (e->n[kind], TICKETS_MAX / 8);
    e->ids[kind][e->n[kind]++] = strdup (ticket);
}

static s_ticket_t *
s_find (s_stream_t *s, const char *id)
{
    for (size_t i = 0; i < s->ticket_count; i++)
        if (strcmp (s->tickets[i].id, id) == 0)
            return &s->tickets[i];
    return NULL;
}

static int
s_compare_ids (const void *a, const void *b)
{
    return strcmp (*(char *const *)a, *(char *const *)b);
}

/* A unit's part of a ticket ends (the ticket goes to another unit, or
   the stream ends): its last closure decides closed_late. */
static void
s_settle (s_stream_t *s, s_ticket_t *t)
{
    if (t->closed && t->late)
        s_expect (s, t->unit, C_CLOSED_LATE, t->id);
    t->closed = t->late = false;
}

/* The working time between two instants under the default settings
   (the shipped mainland calendar, 08:30-12:00 and 14:00-18:00), which
   the daemon of this suite runs with. */
static int64_t
s_working (int64_t from, int64_t to)
{
    static calendar_t *cn;
    char err[CALENDAR_ERR_MAX];
    if (!cn)
        cn = calendar_shipped ("cn", err);
    calendar_hours_t hours;
    cr_assert_eq (calendar_hours_parse ("08:30-12:00 14:00-18:00", &hours, err),
                  0);
    int64_t work = 0;
    int missing = 0;
    cr_assert_eq (calendar_work_between (cn, &hours, from, to, &work, &missing),
                  CALENDAR_OK, "no year %d", missing);
    return work;
}

/* Reads the event lines (one month) and derives, per unit, the tickets
   behind each counter by the rules of docs/scoring.md: a return more
   than 2 working hours after dispatch is late; a ticket whose last closure
   under a unit is after the deadline in force then is closed late; a ticket
   open at the end of the month past a deadline in the month is overdue;
   each unsatisfied revisit; each rework revisit, and each reopening
   without one before it. Extensions and reopenings move the deadline; a
   ticket returned by one unit may be received by another. */
static void
s_derive (const char *path, s_stream_t *s)
{
    FILE *f = fopen (path, "r");
    cr_assert_not_null (f);
    s->tickets = calloc (TICKETS_MAX, sizeof (s_ticket_t));
    char *line = NULL;
    size_t size = 0;
    int64_t end = 0;
    while (getline (&line, &size, f) > 0) {
        cJSON *ev = cJSON_Parse (line);
        cr_assert_not_null (ev);
        const char *type = cJSON_GetObjectItem (ev, "type")->valuestring;
        const cJSON *tid = cJSON_GetObjectItem (ev, "ticket_id");
        int64_t at = s_time (ev, "occurred_at");
        if (strcmp (type, "tick") == 0) {
            end = at;
            cJSON_Delete (ev);
            continue;
        }
        const char *unit = cJSON_GetObjectItem (ev, "unit_id")->valuestring;
        s_ticket_t *t = s_find (s, tid->valuestring);
        if (strcmp (type, "received") == 0) {
            if (!t) {
                cr_assert_lt (s->ticket_count, TICKETS_MAX);
                t = &s->tickets[s->ticket_count++];
            } else
                s_settle (s, t);
            memset (t, 0, sizeof (*t));
            snprintf (t->id, sizeof (t->id), "%s", tid->valuestring);
            snprintf (t->unit, sizeof (t->unit), "%s", unit);
            t->dispatched = s_time (ev, "dispatched_at");
            t->due = s_time (ev, "due_at");
            t->open = true;
        } else if (strcmp (type, "returned") == 0) {
            if (s_working (t->dispatched, at) > 2 * 3600 * 1000LL)
                s_expect (s, unit, C_RETURNED_LATE, t->id);
            t->open = false;
        } else if (strcmp (type, "closed") == 0) {
            t->open = false;
            t->closed = true;
            t->late = at > t->due;
        } else if (strcmp (type, "revisited") == 0) {
            const cJSON *sat = cJSON_GetObjectItem (ev, "satisfaction");
            if (strcmp (sat->valuestring, "unsatisfied") == 0)
                s_expect (s, unit, C_UNSATISFIED, t->id);
            if (cJSON_IsTrue (cJSON_GetObjectItem (ev, "rework"))) {
                s_expect (s, unit, C_REWORK, t->id);
                t->rework_pending = true;
            }
        } else if (strcmp (type, "extended") == 0) {
            t->due = s_time (ev, "due_at");
        } else if (strcmp (type, "reopened") == 0) {
            if (!t->rework_pending)
                s_expect (s, unit, C_REWORK, t->id);
            t->rework_pending = false;
            t->open = true;
            t->due = s_time (ev, "due_at");
        }
        cJSON_Delete (ev);
    }
    free (line);
    fclose (f);
    proto_period_t month;
    cr_assert_eq (proto_period_parse ("2025-07", &month), 0);
    for (size_t i = 0; i < s->ticket_count; i++) {
        s_ticket_t *t = &s->tickets[i];
        s_unit (s, t->unit);
        s_settle (s, t);
        if (t->open && t->due < end && t->due >= proto_period_start (month))
            s_expect (s, t->unit, C_OVERDUE, t->id);
    }
    for (size_t u = 0; u < s->unit_count; u++)
        for (int k = 0; k < C_KINDS; k++)
            qsort (s->units[u].ids[k], s->units[u].n[k], sizeof (char *),
                   s_compare_ids);
}

static void
s_stream_free (s_stream_t *s)
{
    for (size_t u = 0; u < s->unit_count; u++)
        for (int k = 0; k < C_KINDS; k++)
            for (size_t i = 0; i < s->units[u].n[k]; i++)
                free (s->units[u].ids[k][i]);
    free (s->tickets);
}

/* ---- what the daemon explains ------------------------------------------- */

static char *
s_query (const proto_query_t *q)
{
    char *json = NULL, err[256];
    cr_assert_eq (client_query (h.query, q, 10000, &json, err), 0, "%s", err);
    return json;
}

/* The tickets explain lists for a counter, over all items (an item
   lists a counter's tickets when it lost points; several items may list
   the same counter), sorted. */
static size_t
s_listed (const cJSON *doc, const char *counter, char **ids, size_t max)
{
    size_t n = 0;
    const cJSON *item;
    cJSON_ArrayForEach (item, cJSON_GetObjectItem (doc, "items"))
    {
        size_t here = 0;
        char *mine[TICKETS_MAX / 8];
        const cJSON *t;
        cJSON_ArrayForEach (t, cJSON_GetObjectItem (item, "tickets"))
        {
            if (strcmp (cJSON_GetObjectItem (t, "counter")->valuestring,
                        counter) == 0 &&
                here < TICKETS_MAX / 8)
                mine[here++] =
                    cJSON_GetObjectItem (t, "ticket_id")->valuestring;
        }
        /* Every item that lists the counter lists all of its counts. */
        if (here > n) {
            cr_assert_leq (here, max);
            for (size_t i = 0; i < here; i++)
                ids[i] = mine[i];
            n = here;
        }
    }
    qsort (ids, n, sizeof (char *), s_compare_ids);
    return n;
}

/* A counter's value as the explain's inputs show it, or -1. */
static long
s_input (const cJSON *doc, const char *name)
{
    const cJSON *item;
    cJSON_ArrayForEach (item, cJSON_GetObjectItem (doc, "items"))
    {
        const cJSON *v =
            cJSON_GetObjectItem (cJSON_GetObjectItem (item, "inputs"), name);
        if (cJSON_IsNumber (v))
            return lround (v->valuedouble);
    }
    return -1;
}

/* Explains every unit and checks it against the stream. */
static void
s_check_all (const s_stream_t *s)
{
    for (size_t u = 0; u < s->unit_count; u++) {
        const s_expect_t *e = &s->units[u];
        proto_query_t q = {.kind = PROTO_QUERY_EXPLAIN,
                           .ruleset = "jintai-2025",
                           .period = "2025-07"};
        snprintf (q.unit, sizeof (q.unit), "%s", e->unit);
        char *json = s_query (&q);
        cJSON *doc = cJSON_Parse (json);
        cr_assert_not_null (doc, "%s", json);
        /* lost adds up to the points minus the total (a total of the
           shown items), to the cent. */
        double points = 0, lost = 0;
        const cJSON *item;
        cJSON_ArrayForEach (item, cJSON_GetObjectItem (doc, "items"))
        {
            points += cJSON_GetObjectItem (item, "points")->valuedouble;
            lost += cJSON_GetObjectItem (item, "lost")->valuedouble;
        }
        double total = cJSON_GetObjectItem (doc, "total")->valuedouble;
        cr_expect_eq (lround ((points - total) * 100), lround (lost * 100),
                      "%s: points %.2f - total %.2f != lost %.2f", e->unit,
                      points, total, lost);
        long should = s_input (doc, "should_close"),
             closed_on_time = s_input (doc, "closed_on_time");
        long counters[C_KINDS] = {
            s_input (doc, "closed_late"), s_input (doc, "returned_late"),
            s_input (doc, "unsatisfied"), s_input (doc, "rework"), -1};
        for (int k = 0; k < C_KINDS; k++) {
            char *ids[TICKETS_MAX / 8];
            size_t n = s_listed (doc, s_counter[k], ids, TICKETS_MAX / 8);
            if (counters[k] >= 0)
                cr_expect_eq ((long)n, counters[k],
                              "%s %s: %zu listed, the counter is %ld", e->unit,
                              s_counter[k], n, counters[k]);
            cr_expect_eq (n, e->n[k], "%s %s: %zu listed, the stream makes %zu",
                          e->unit, s_counter[k], n, e->n[k]);
            for (size_t i = 0; i < n && i < e->n[k]; i++)
                cr_expect_str_eq (ids[i], e->ids[k][i], "%s %s", e->unit,
                                  s_counter[k]);
        }
        /* overdue_open and closed_late are behind should_close and
           closed_on_time. */
        if (should >= 0 && closed_on_time >= 0)
            cr_expect_eq ((long)(e->n[C_OVERDUE] + e->n[C_CLOSED_LATE]),
                          should - closed_on_time, "%s", e->unit);
        cJSON_Delete (doc);
        free (json);
    }
}

/* Feeds a stream made by `make` (writing u.csv and events.jsonl). */
static void
s_feed (s_stream_t *s, const char *make)
{
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "%s && $HOTLINE units import u.csv && "
                               "$HOTLINE send events.jsonl",
                               make),
                  0, "%s", err);
    free (err);
    char path[512];
    s_derive (harness_path (&h, "events.jsonl", path), s);
    cr_assert_eq (s->unit_count, 27);
}

/* The published month: every unit's counters as the bulletin has them
   (it has no late closure nor overdue ticket). */
Test (explain, lists_exactly_the_tickets_of_the_golden_month_of_every_unit)
{
    s_stream_t s = {0};
    char make[512];
    snprintf (make, sizeof (make),
              "$SYNTH --scheme jintai-2025 --golden %s/jintai_2025_07.csv "
              "--units u.csv --events events.jsonl",
              GOLDEN_DIR);
    s_feed (&s, make);
    s_check_all (&s);
    s_stream_free (&s);
}

/* The demo month: late closures, overdue tickets, late returns, tickets
   sent back to another unit, extensions, rework; then a crash, and a
   rebuild from the log. */
Test (explain, lists_exactly_the_tickets_behind_every_counter_of_every_unit)
{
    s_stream_t s = {0};
    char make[512];
    snprintf (make, sizeof (make),
              "%s/hotline-gen --seed 5 --units u.csv --events events.jsonl",
              BIN_DIR);
    s_feed (&s, make);
    size_t late = 0, overdue = 0, returned_late = 0;
    for (size_t u = 0; u < s.unit_count; u++) {
        late += s.units[u].n[C_CLOSED_LATE];
        overdue += s.units[u].n[C_OVERDUE];
        returned_late += s.units[u].n[C_RETURNED_LATE];
    }
    cr_assert (late > 10 && overdue > 0 && returned_late > 0,
               "the month has late (%zu), overdue (%zu) and late-returned "
               "(%zu) tickets",
               late, overdue, returned_late);
    s_check_all (&s);

    /* A crash, a restart: the index is committed with the counters. */
    harness_kill (&h);
    cr_assert (harness_start (&h));
    s_check_all (&s);

    /* Rebuilt from the log. */
    cr_assert_eq (harness_stop (&h), 0);
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINE replay"), 0, "%s",
                  err);
    free (err);
    cr_assert (harness_start (&h));
    s_check_all (&s);
    s_stream_free (&s);
}

static void
s_send (const char *name, const char *lines)
{
    char path[512];
    FILE *f = fopen (harness_path (&h, name, path), "w");
    cr_assert_not_null (f);
    fputs (lines, f);
    fclose (f);
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINE send %s", name), 0,
                  "%s", err);
    free (err);
}

static void
s_units (const char *csv)
{
    char path[512];
    FILE *f = fopen (harness_path (&h, "u.csv", path), "w");
    cr_assert_not_null (f);
    fputs (csv, f);
    fclose (f);
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINE units import u.csv"),
                  0, "%s", err);
    free (err);
}

/* The explain of a unit, and the tickets it lists for a counter. */
static int
s_count_listed (const char *unit, const char *counter, const char *ticket)
{
    proto_query_t q = {.kind = PROTO_QUERY_EXPLAIN,
                       .ruleset = "jintai-2025",
                       .period = "2025-07"};
    snprintf (q.unit, sizeof (q.unit), "%s", unit);
    char *json = s_query (&q);
    cJSON *doc = cJSON_Parse (json);
    char *ids[16];
    size_t n = s_listed (doc, counter, ids, 16);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found += strcmp (ids[i], ticket) == 0;
    cJSON_Delete (doc);
    free (json);
    return found;
}

Test (explain,
      a_ticket_returned_by_one_unit_and_received_by_another_counts_for_each)
{
    s_units ("unit_id,name,group\nU01,一,town\nU02,二,town\n");
    /* T1: dispatched to U01 at 08:00, returned at 11:00 (late: 2.5
       working hours, from 08:30);
       dispatched to U02 at 12:00, closed the next day after its 18:00
       deadline. */
    s_send ("redispatch.jsonl",
            "{\"event_id\":\"r1\",\"type\":\"received\",\"ticket_id\":\"T1\","
            "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T08:10:00+08:00\","
            "\"dispatched_at\":\"2025-07-01T08:00:00+08:00\",\"due_at\":"
            "\"2025-07-01T18:00:00+08:00\"}\n"
            "{\"event_id\":\"r2\",\"type\":\"returned\",\"ticket_id\":\"T1\","
            "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T11:00:00+08:00\","
            "\"reason\":\"not ours\"}\n"
            "{\"event_id\":\"r3\",\"type\":\"received\",\"ticket_id\":\"T1\","
            "\"unit_id\":\"U02\",\"occurred_at\":\"2025-07-01T12:10:00+08:00\","
            "\"dispatched_at\":\"2025-07-01T12:00:00+08:00\",\"due_at\":"
            "\"2025-07-01T18:00:00+08:00\"}\n"
            "{\"event_id\":\"r4\",\"type\":\"closed\",\"ticket_id\":\"T1\","
            "\"unit_id\":\"U02\",\"occurred_at\":\"2025-07-02T09:00:00+08:00\"}"
            "\n"
            "{\"event_id\":\"r5\",\"type\":\"tick\",\"occurred_at\":"
            "\"2025-07-03T00:00:00+08:00\"}\n");
    cr_expect_eq (s_count_listed ("U01", "returned_late", "T1"), 1);
    cr_expect_eq (s_count_listed ("U01", "closed_late", "T1"), 0);
    cr_expect_eq (s_count_listed ("U02", "closed_late", "T1"), 1);
    cr_expect_eq (s_count_listed ("U02", "returned_late", "T1"), 0);

    /* The ticket's own story names both units. */
    proto_query_t q = {.kind = PROTO_QUERY_TICKET, .ticket = "T1"};
    char *json = s_query (&q);
    cJSON *doc = cJSON_Parse (json);
    cr_assert_str_eq (cJSON_GetObjectItem (doc, "unit_id")->valuestring, "U02");
    cr_expect_eq (cJSON_GetArraySize (cJSON_GetObjectItem (doc, "events")), 4);
    bool u01_returned = false, u02_closed = false;
    const cJSON *c;
    cJSON_ArrayForEach (c, cJSON_GetObjectItem (doc, "counted"))
    {
        const char *unit = cJSON_GetObjectItem (c, "unit_id")->valuestring;
        const char *counter = cJSON_GetObjectItem (c, "counter")->valuestring;
        u01_returned |= !strcmp (unit, "U01") && !strcmp (counter, "returned");
        u02_closed |= !strcmp (unit, "U02") && !strcmp (counter, "closed");
    }
    cr_expect (u01_returned && u02_closed, "%s", json);
    cJSON_Delete (doc);
    free (json);
}

Test (explain, refuses_an_unknown_unit_ruleset_item_or_ticket_clearly)
{
    s_units ("unit_id,name,group\nU01,一,town\n");
    const char *cases[][2] = {
        {"explain --ruleset jintai-2025 --period 2025-07 --unit NOPE",
         "unknown unit \"NOPE\""},
        {"explain --ruleset nope --period 2025-07 --unit U01",
         "unknown ruleset \"nope\""},
        {"explain --ruleset jintai-2025 --period 2025-07 --unit U01 --item x",
         "no item \"x\""},
        {"explain --ruleset jintai-2025 --period 2025-Q3 --unit U01",
         "the period must look like 2025-07"},
        {"ticket T404", "unknown ticket \"T404\""},
        {"explain --ruleset jintai-2025 --unit U01", "--period"}};
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
        char *out = NULL;
        int rc = harness_run (&h, NULL, &out, "$HOTLINE %s", cases[i][0]);
        cr_expect_neq (rc, 0, "%s must fail", cases[i][0]);
        cr_expect (out && strstr (out, cases[i][1]), "%s: %s", cases[i][0],
                   out);
        free (out);
    }
    char *out = NULL;
    cr_expect_eq (harness_run (&h, &out, NULL, "$HOTLINE explain --help"), 0);
    cr_expect (out && strstr (out, "--unit"));
    free (out);
    cr_expect_eq (harness_run (&h, &out, NULL, "$HOTLINE ticket --help"), 0);
    cr_expect (out && strstr (out, "TICKET_ID"));
    free (out);
}
