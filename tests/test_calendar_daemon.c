/*  Working time end to end (docs/calendar.md): the real hotlined and
    hotline over real sockets and a real LMDB directory. The example of
    the documentation (a 3wd limit over National Day 2025) shown by
    hotline ticket and alerting at the working-time instants; hotline
    calendar import in the holiday-cn and chinese-days forms giving the
    same calendar, a malformed file refused by line and field with the
    calendar kept (by the command and by the daemon itself); the imported
    years kept across a restart; a corrected year re-scoring on hotline
    replay; explain saying working hours. */
#include "client.h"
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

TestSuite (calendar_daemon, .init = s_setup, .fini = s_teardown,
           .timeout = 120);

/* ---- helpers ------------------------------------------------------------ */

static void
s_write (const char *name, const char *text)
{
    cr_assert_eq (harness_write (&h, name, text), 0, "cannot write %s", name);
}

/* Runs `hotline COMMAND`, which must exit with `status`; returns its
   standard output (the caller frees it). */
static char *
s_hotline (const char *command, int status)
{
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err, "$HOTLINE %s", command);
    cr_assert_eq (rc, status, "%s: exit %d: %s", command, rc, err);
    free (err);
    return out;
}

static char *
s_ok (const char *command)
{
    return s_hotline (command, 0);
}

static void
s_units_and_send (const char *events)
{
    s_write ("u.csv", "unit_id,name,group\nU01,一,town\n");
    free (s_ok ("units import u.csv"));
    s_write ("events.jsonl", events);
    free (s_ok ("send events.jsonl"));
}

static cJSON *
s_json (const char *command)
{
    char *out = s_ok (command);
    cJSON *doc = cJSON_Parse (out);
    cr_assert_not_null (doc, "%s: %s", command, out);
    free (out);
    return doc;
}

static const char *
s_str (const cJSON *doc, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem (doc, name);
    return cJSON_IsString (v) ? v->valuestring : "";
}

/* The days of a `calendar show YEAR --format json`, as "date off|work"
   lines: what two imports must agree on. */
static char *
s_days_of (int year)
{
    char command[64];
    snprintf (command, sizeof (command), "calendar show %d --format json",
              year);
    cJSON *doc = s_json (command);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    const char *lists[2] = {"days_off", "working_days"};
    for (int l = 0; l < 2; l++) {
        const cJSON *day;
        cJSON_ArrayForEach (day, cJSON_GetObjectItem (doc, lists[l]))
            fprintf (out, "%s %s\n", s_str (day, "date"), lists[l]);
    }
    fclose (out);
    cJSON_Delete (doc);
    return text;
}

#define RECEIVED_3WD                                                           \
    "{\"event_id\":\"e1\",\"type\":\"received\",\"ticket_id\":\"T1\","         \
    "\"unit_id\":\"U01\",\"occurred_at\":\"2025-09-30T17:00:00+08:00\","       \
    "\"dispatched_at\":\"2025-09-30T17:00:00+08:00\",\"time_limit\":\"3wd\","  \
    "\"channel\":\"hotline\",\"category\":\"property\"}\n"

static const char *
s_tick (const char *id, const char *at, char *line)
{
    snprintf (line, 256,
              "{\"event_id\":\"%s\",\"type\":\"tick\",\"occurred_at\":\"%s\"}"
              "\n",
              id, at);
    return line;
}

/* The open alert of T1 (kind and at), from hotline alerts. */
static void
s_alert (char *kind, char *at)
{
    cJSON *doc = s_json ("alerts");
    const cJSON *first =
        cJSON_GetArrayItem (cJSON_GetObjectItem (doc, "alerts"), 0);
    snprintf (kind, 16, "%s", first ? s_str (first, "kind") : "");
    snprintf (at, 32, "%s", first ? s_str (first, "at") : "");
    cJSON_Delete (doc);
}

/* ---- tests -------------------------------------------------------------- */

Test (calendar_daemon, the_example_ticket_is_due_on_the_make_up_saturday)
{
    s_units_and_send (RECEIVED_3WD);
    cJSON *ticket = s_json ("ticket T1 --format json");
    cr_expect_str_eq (s_str (ticket, "due_at"), "2025-10-11T18:00:00+08:00");
    cr_expect_str_eq (s_str (ticket, "time_limit"), "3wd");
    cJSON_Delete (ticket);
    char *table = s_ok ("ticket T1");
    cr_expect (strstr (table, "due 2025-10-11 18:00 (3wd)"), "%s", table);
    free (table);

    /* The warning and the overdue alert at the working-time instants,
       to the second on the event clock. */
    char line[256], kind[16], at[32];
    s_write ("t1.jsonl", s_tick ("t1", "2025-10-11T11:17:59+08:00", line));
    free (s_ok ("send t1.jsonl"));
    s_alert (kind, at);
    cr_expect_str_eq (kind, "", "no alert a second before: %s at %s", kind, at);
    s_write ("t2.jsonl", s_tick ("t2", "2025-10-11T11:18:00+08:00", line));
    free (s_ok ("send t2.jsonl"));
    s_alert (kind, at);
    cr_expect_str_eq (kind, "warning");
    cr_expect_str_eq (at, "2025-10-11T11:18:00+08:00");
    s_write ("t3.jsonl", s_tick ("t3", "2025-10-11T18:00:01+08:00", line));
    free (s_ok ("send t3.jsonl"));
    s_alert (kind, at);
    cr_expect_str_eq (kind, "overdue");
    cr_expect_str_eq (at, "2025-10-11T18:00:00+08:00");
}

Test (calendar_daemon, holiday_cn_and_chinese_days_files_give_the_same_calendar)
{
    char *shipped = s_days_of (2026);
    char *out = s_ok ("calendar import " HOTLINE_CALENDARS_DIR "/cn/2026.json");
    cr_expect (strstr (out, "\"years\":[2026]"), "%s", out);
    free (out);
    char *from_cn = s_days_of (2026);
    out = s_ok ("calendar import " TEST_CALENDAR_DIR "/2026-chinese-days.json");
    cr_expect (strstr (out, "\"years\":[2026]"), "%s", out);
    free (out);
    char *from_cd = s_days_of (2026);
    cr_expect_str_eq (from_cn, shipped);
    cr_expect_str_eq (from_cd, from_cn);
    cr_expect (strstr (from_cd, "2026-01-04 working_days"), "%s", from_cd);
    free (shipped);
    free (from_cn);
    free (from_cd);
    cJSON *summary = s_json ("calendar show --format json");
    char *text =
        cJSON_PrintUnformatted (cJSON_GetObjectItem (summary, "years"));
    cr_expect (strstr (text, "{\"year\":2026,\"source\":\"imported\"}"), "%s",
               text);
    cr_expect (strstr (text, "{\"year\":2025,\"source\":\"shipped\"}"), "%s",
               text);
    free (text);
    cJSON_Delete (summary);
}

Test (calendar_daemon,
      a_malformed_file_is_refused_by_line_and_field_and_changes_nothing)
{
    char *before = s_days_of (2025);
    s_write ("bad.json", "{\"year\":2025,\n\"days\":[\n"
                         "{\"name\":\"元旦\",\"date\":\"2025-01-01\"}]}\n");
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err, "$HOTLINE calendar import bad.json");
    cr_expect_neq (rc, 0);
    cr_expect (err && strstr (err, "bad.json: line 3: days[0].isOffDay is "
                                   "missing; nothing imported"),
               "%s", err);
    free (out);
    free (err);
    /* The daemon checks for itself too: the same bytes sent straight to
       it are refused with the same words, and nothing is stored. */
    const char *bytes = "{\"year\":2025,\n\"days\":[{\"date\":\"2025-13-01\","
                        "\"isOffDay\":true}]}";
    proto_query_t q = {.kind = PROTO_QUERY_CALENDAR_IMPORT,
                       .body = bytes,
                       .body_size = strlen (bytes)};
    char *json = NULL, why[256] = "";
    cr_expect_neq (client_query (h.query, &q, 10000, &json, why), 0);
    cr_expect (strstr (why, "line 2: date \"2025-13-01\" is not a date"), "%s",
               why);
    free (json);
    char *after = s_days_of (2025);
    cr_expect_str_eq (after, before, "the calendar is unchanged");
    free (before);
    free (after);
    cJSON *summary = s_json ("calendar show --format json");
    char *text =
        cJSON_PrintUnformatted (cJSON_GetObjectItem (summary, "years"));
    cr_expect_null (strstr (text, "imported"), "%s", text);
    free (text);
    cJSON_Delete (summary);
    /* And the help, and the usage errors. */
    out = s_ok ("calendar --help");
    cr_expect (strstr (out, "hotline calendar import FILE"));
    free (out);
    free (s_hotline ("calendar show 1999", 2));
    free (s_hotline ("calendar frob", 2));
    err = NULL;
    cr_expect_eq (harness_run (&h, NULL, &err, "$HOTLINE calendar show 2019"),
                  1);
    cr_expect (err && strstr (err, "has no year 2019"), "%s", err);
    free (err);
}

/* A corrected 2025 (made up): National Day runs to October 10, and the
   11th is an ordinary Saturday. */
static const char *s_corrected_2025 =
    "[{\"year\":2025,\"days\":["
    "{\"name\":\"国庆节\",\"date\":\"2025-10-01\",\"isOffDay\":true},"
    "{\"name\":\"国庆节\",\"date\":\"2025-10-02\",\"isOffDay\":true},"
    "{\"name\":\"国庆节\",\"date\":\"2025-10-03\",\"isOffDay\":true},"
    "{\"name\":\"国庆节\",\"date\":\"2025-10-06\",\"isOffDay\":true},"
    "{\"name\":\"国庆节\",\"date\":\"2025-10-07\",\"isOffDay\":true},"
    "{\"name\":\"国庆节\",\"date\":\"2025-10-08\",\"isOffDay\":true},"
    "{\"name\":\"国庆节\",\"date\":\"2025-10-09\",\"isOffDay\":true},"
    "{\"name\":\"国庆节\",\"date\":\"2025-10-10\",\"isOffDay\":true}]}]\n";

Test (calendar_daemon, a_corrected_year_survives_a_restart_and_replay_rescores)
{
    /* T2: dispatched on the make-up Saturday at 09:00, returned Monday
       10:00: late (3 working hours that Saturday). */
    char line[256];
    char events[2048];
    snprintf (
        events, sizeof (events),
        "%s"
        "{\"event_id\":\"e2\",\"type\":\"received\",\"ticket_id\":\"T2\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-10-11T09:10:00+08:00\","
        "\"dispatched_at\":\"2025-10-11T09:00:00+08:00\",\"time_limit\":"
        "\"3wd\"}\n"
        "{\"event_id\":\"e3\",\"type\":\"returned\",\"ticket_id\":\"T2\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-10-13T10:00:00+08:00\"}\n"
        "%s",
        RECEIVED_3WD, s_tick ("t1", "2025-10-14T00:00:00+08:00", line));
    s_units_and_send (events);
    char *out = s_ok ("explain --ruleset jintai-2025 --period 2025-10 --unit "
                      "U01 --format json");
    cr_expect (strstr (out, "returned 8 h 30 min of working hours after "
                            "dispatch, the window is 2 h of working hours"),
               "%s", out);
    cr_expect (strstr (out, "\"counter\":\"overdue_open\""), "%s", out);
    free (out);

    s_write ("fix.json", s_corrected_2025);
    out = s_ok ("calendar import fix.json");
    free (out);
    /* A new event is measured with it at once: the same limit from the
       same moment ends on October 15. */
    s_write ("t3.jsonl",
             "{\"event_id\":\"e4\",\"type\":\"received\",\"ticket_id\":"
             "\"T3\",\"unit_id\":\"U01\",\"occurred_at\":"
             "\"2025-10-14T09:00:00+08:00\",\"dispatched_at\":"
             "\"2025-09-30T17:00:00+08:00\",\"time_limit\":\"3wd\"}\n");
    free (s_ok ("send t3.jsonl"));
    cJSON *fresh = s_json ("ticket T3 --format json");
    cr_expect_str_eq (s_str (fresh, "due_at"), "2025-10-15T18:00:00+08:00");
    cJSON_Delete (fresh);
    /* Kept in the store: a restarted daemon has it. */
    cr_assert_eq (harness_stop (&h), 0);
    cr_assert (harness_start (&h));
    cJSON *year = s_json ("calendar show 2025 --format json");
    cr_expect_str_eq (s_str (year, "source"), "imported");
    cJSON_Delete (year);
    cJSON *ticket = s_json ("ticket T1 --format json");
    cr_expect_str_eq (s_str (ticket, "due_at"), "2025-10-11T18:00:00+08:00",
                      "stored events keep their measures until a replay");
    cJSON_Delete (ticket);

    cr_assert_eq (harness_stop (&h), 0);
    free (s_ok ("replay"));
    cr_assert (harness_start (&h));
    ticket = s_json ("ticket T1 --format json");
    /* Sep 30, then Oct 13, 14 and 15. */
    cr_expect_str_eq (s_str (ticket, "due_at"), "2025-10-15T18:00:00+08:00");
    cr_expect (!cJSON_IsTrue (cJSON_GetObjectItem (ticket, "overdue")));
    cJSON_Delete (ticket);
    out = s_ok ("explain --ruleset jintai-2025 --period 2025-10 --unit U01 "
                "--format json");
    cr_expect_null (strstr (out, "\"counter\":\"returned_late\""), "%s", out);
    cr_expect_null (strstr (out, "\"counter\":\"overdue_open\""), "%s", out);
    free (out);
}
