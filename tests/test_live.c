/*  Live, end to end: the real hotlined, a real subscriber (tools/
    client_sub.c) over real sockets. Alerts in order and once each, also
    across a crash; a late joiner and a flooded subscriber both end with
    the state the store reports. */
#include "client_sub.h"
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
    /* Heartbeats often, so a lost tail is noticed quickly. */
    harness_set (&h, "heartbeat_ms", "100");
}

static void
s_teardown (void)
{
    harness_fini (&h);
}

TestSuite (live, .init = s_setup, .fini = s_teardown, .timeout = 180);

/* Live alerts seen, in order: "T1:warning", ... (snapshots excluded). */
typedef struct {
    char seen[64][64]; /* ticket:kind */
    int count;         /* how many */
} s_alerts_t;

static void
s_collect (void *arg, uint64_t sequence, const char *topic, const char *json,
           bool snapshot)
{
    (void)sequence;
    s_alerts_t *alerts = arg;
    if (snapshot || strncmp (topic, "alert/", 6) != 0 || alerts->count >= 64)
        return;
    cJSON *doc = cJSON_Parse (json);
    snprintf (alerts->seen[alerts->count++], 64, "%s:%s",
              cJSON_GetObjectItem (doc, "ticket_id")->valuestring,
              cJSON_GetObjectItem (doc, "kind")->valuestring);
    cJSON_Delete (doc);
}

/* Polls until `expected` live alerts arrived or 10 s passed. */
static void
s_wait_alerts (client_subscriber_t *sub, s_alerts_t *alerts, int expected)
{
    char err[256];
    for (int i = 0; i < 100 && alerts->count < expected; i++)
        cr_assert_geq (
            client_subscriber_poll (sub, 100, s_collect, alerts, err), 0, "%s",
            err);
}

static void
s_send_lines (const char *name, const char *lines)
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

Test (live, raises_warning_overdue_cleared_once_each_across_a_crash)
{
    cr_assert (harness_start (&h));
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "printf \"%%s\\n\" unit_id,name,group "
                               "U01,单位一,town > u.csv && $HOTLINE units "
                               "import u.csv"),
                  0, "%s", err);
    free (err);
    char reason[256];
    client_subscriber_t *sub =
        client_subscriber_new (h.publish, h.snapshot, 0, reason);
    cr_assert_not_null (sub, "%s", reason);
    cr_assert_eq (client_subscriber_sync (sub, 5000, NULL, NULL, reason), 0,
                  "%s", reason);
    s_alerts_t alerts = {.count = 0};

    /* T1: dispatched 08:00, due 18:00: the warning is due at 16:00 (80% of
       10 hours). T2 closes at 09:00, long before its warning: nothing. */
    const char *before =
        "{\"event_id\":\"e1\",\"type\":\"received\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T08:05:00+08:00\","
        "\"dispatched_at\":\"2025-07-01T08:00:00+08:00\",\"due_at\":"
        "\"2025-07-01T18:00:00+08:00\",\"channel\":\"hotline\",\"category\":"
        "\"other\"}\n"
        "{\"event_id\":\"e2\",\"type\":\"received\",\"ticket_id\":\"T2\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T08:05:00+08:00\","
        "\"dispatched_at\":\"2025-07-01T08:00:00+08:00\",\"due_at\":"
        "\"2025-07-01T18:00:00+08:00\",\"channel\":\"hotline\",\"category\":"
        "\"other\"}\n"
        "{\"event_id\":\"e3\",\"type\":\"closed\",\"ticket_id\":\"T2\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T09:00:00+08:00\"}\n"
        "{\"event_id\":\"e4\",\"type\":\"tick\",\"occurred_at\":"
        "\"2025-07-01T16:30:00+08:00\"}\n";
    s_send_lines ("before.jsonl", before);
    s_wait_alerts (sub, &alerts, 1);
    cr_assert_eq (alerts.count, 1);
    cr_expect_str_eq (alerts.seen[0], "T1:warning");

    /* A crash between the warning and the deadline, then a restart on the
       same data. The warning must not come again. */
    harness_kill (&h);
    cr_assert (harness_start (&h), "hotlined did not restart");
    /* The restart shows as a gap (the numbering resumes above the last
       run's): the subscriber re-syncs on the next heartbeat, as a live
       dashboard would, before anything else happens. */
    for (int i = 0; i < 50 && client_subscriber_resyncs (sub) == 0; i++)
        cr_assert_geq (
            client_subscriber_poll (sub, 100, s_collect, &alerts, reason), 0,
            "%s", reason);
    cr_assert_eq (client_subscriber_resyncs (sub), 1, "no re-sync");
    /* The sender retries what it sent before the crash: duplicates. */
    s_send_lines ("before.jsonl", before);
    s_send_lines ("after.jsonl",
                  "{\"event_id\":\"e5\",\"type\":\"tick\",\"occurred_at\":"
                  "\"2025-07-01T18:30:00+08:00\"}\n"
                  "{\"event_id\":\"e6\",\"type\":\"closed\",\"ticket_id\":"
                  "\"T1\",\"unit_id\":\"U01\",\"occurred_at\":"
                  "\"2025-07-01T19:00:00+08:00\"}\n"
                  "{\"event_id\":\"e7\",\"type\":\"tick\",\"occurred_at\":"
                  "\"2025-07-02T19:00:00+08:00\"}\n");
    s_wait_alerts (sub, &alerts, 3);
    /* Whatever else might come would come within a few heartbeats. */
    for (int i = 0; i < 5; i++)
        client_subscriber_poll (sub, 100, s_collect, &alerts, reason);
    cr_assert_eq (alerts.count, 3, "alerts: %d", alerts.count);
    cr_expect_str_eq (alerts.seen[1], "T1:overdue");
    cr_expect_str_eq (alerts.seen[2], "T1:cleared");
    /* Nothing is left open. */
    char *state = client_subscriber_state (sub);
    cJSON *doc = cJSON_Parse (state);
    cr_expect_eq (cJSON_GetArraySize (cJSON_GetObjectItem (doc, "alerts")), 0,
                  "%s", state);
    cJSON_Delete (doc);
    free (state);
    client_subscriber_destroy (&sub);
}

/* Compares the subscriber's state with the store's report of a ruleset
   and period: every listed unit's items, total and rank, every excluded
   unit marked excluded, and no other unit. */
static void
s_expect_state_is_report (client_subscriber_t *sub, const char *ruleset,
                          const char *period)
{
    char *out = NULL, *err = NULL;
    cr_assert_eq (harness_run (&h, &out, &err,
                               "$HOTLINE report --ruleset %s --period %s "
                               "--format json",
                               ruleset, period),
                  0, "%s", err);
    cJSON *report = cJSON_Parse (out);
    char *text = client_subscriber_state (sub);
    cJSON *state = cJSON_Parse (text);
    cJSON *scores = cJSON_GetObjectItem (state, "scores");
    int expected = 0;
    const cJSON *table, *row;
    cJSON_ArrayForEach (table, cJSON_GetObjectItem (report, "tables"))
    {
        cJSON_ArrayForEach (row, cJSON_GetObjectItem (table, "rows"))
        {
            expected++;
            char key[256];
            snprintf (key, sizeof (key), "score/%s/%s|%s", ruleset,
                      cJSON_GetObjectItem (row, "unit_id")->valuestring,
                      period);
            const cJSON *mine = cJSON_GetObjectItem (scores, key);
            cr_assert_not_null (mine, "%s missing from the subscriber: %.300s",
                                key, text);
            cr_expect (cJSON_Compare (cJSON_GetObjectItem (row, "items"),
                                      cJSON_GetObjectItem (mine, "items"),
                                      true),
                       "%s items differ", key);
            cr_expect (cJSON_Compare (cJSON_GetObjectItem (row, "total"),
                                      cJSON_GetObjectItem (mine, "total"),
                                      true),
                       "%s total differs", key);
            cr_expect (cJSON_Compare (cJSON_GetObjectItem (row, "rank"),
                                      cJSON_GetObjectItem (mine, "rank"), true),
                       "%s rank differs", key);
        }
    }
    cJSON_ArrayForEach (row, cJSON_GetObjectItem (report, "excluded"))
    {
        expected++;
        char key[256];
        snprintf (key, sizeof (key), "score/%s/%s|%s", ruleset,
                  cJSON_GetObjectItem (row, "unit_id")->valuestring, period);
        const cJSON *mine = cJSON_GetObjectItem (scores, key);
        cr_assert_not_null (mine, "%s missing from the subscriber", key);
        cr_expect (cJSON_IsTrue (cJSON_GetObjectItem (mine, "excluded")));
    }
    /* No row of that ruleset and period beyond the report's. */
    int mine = 0;
    char prefix[128], suffix[16];
    snprintf (prefix, sizeof (prefix), "score/%s/", ruleset);
    snprintf (suffix, sizeof (suffix), "|%s", period);
    const cJSON *entry;
    cJSON_ArrayForEach (entry, scores)
    {
        size_t n = strlen (entry->string), m = strlen (suffix);
        mine += strncmp (entry->string, prefix, strlen (prefix)) == 0 &&
                n > m && strcmp (entry->string + n - m, suffix) == 0;
    }
    cr_expect_eq (mine, expected, "rows: subscriber %d, report %d", mine,
                  expected);
    cr_expect_gt (expected, 0);
    cJSON_Delete (state);
    cJSON_Delete (report);
    free (text);
    free (out);
    free (err);
}

/* Polls until the subscriber has everything the publisher announced and
   nothing new came for a few heartbeats. */
static void
s_drain (client_subscriber_t *sub)
{
    char err[256];
    int quiet = 0;
    /* Quiet for 2.5 s, more than two heartbeats: a heartbeat announcing
       a number the subscriber has not seen would have reset it. */
    for (int i = 0; i < 900 && quiet < 25; i++) {
        int got = client_subscriber_poll (sub, 100, NULL, NULL, err);
        cr_assert_geq (got, 0, "%s", err);
        quiet = got == 0 && client_subscriber_sequence (sub) >=
                                client_subscriber_announced (sub)
                    ? quiet + 1
                    : 0;
    }
    cr_assert_eq (quiet, 25, "the subscriber never caught up");
}

/* The jintai stream without its final tick, so the clock stays in July
   and July is the current period the snapshot describes. */
static void
s_prepare_stream (void)
{
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "$SYNTH --scheme jintai-2025 --golden "
                               "%s/jintai_2025_07.csv --units units.csv "
                               "--events all.jsonl --extra-small-unit && "
                               "grep -v type.:.tick all.jsonl > "
                               "events.jsonl && $HOTLINE units import "
                               "units.csv",
                               GOLDEN_DIR),
                  0, "%s", err);
    free (err);
}

static double
s_published (void)
{
    char *out = NULL;
    cr_assert_eq (harness_run (&h, &out, NULL, "$HOTLINE stats"), 0);
    cJSON *stats = cJSON_Parse (out);
    double n = cJSON_GetNumberValue (cJSON_GetObjectItem (stats, "published"));
    cJSON_Delete (stats);
    free (out);
    return n;
}

Test (live, a_subscriber_joining_after_10000_updates_ends_with_the_report)
{
    cr_assert (harness_start (&h));
    s_prepare_stream ();
    /* One event per commit: every commit publishes what it changed. */
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE send events.jsonl --batch 1 "
                               "--window 1"),
                  0, "%s", err);
    free (err);
    /* The publisher merges what it is behind on, so a slow build (the
       sanitizers) publishes fewer updates for the same stream: a second
       stream (扶风县, 2024-Q4: other units, an earlier period) makes up the
       10,000 then. */
    if (s_published () < 10000) {
        cr_assert_eq (harness_run (&h, NULL, &err,
                                   "$SYNTH --scheme fufeng-2024 --golden "
                                   "%s/fufeng_2024_q4.csv --units f.csv "
                                   "--events f.jsonl && $HOTLINE units import "
                                   "f.csv && $HOTLINE send f.jsonl --batch 1 "
                                   "--window 1",
                                   GOLDEN_DIR),
                      0, "%s", err);
        free (err);
    }
    cr_assert_geq (s_published (), 10000, "need 10,000 updates before");
    char reason[256];
    client_subscriber_t *sub =
        client_subscriber_new (h.publish, h.snapshot, 0, reason);
    cr_assert_not_null (sub, "%s", reason);
    cr_assert_eq (client_subscriber_sync (sub, 5000, NULL, NULL, reason), 0,
                  "%s", reason);
    s_drain (sub);
    s_expect_state_is_report (sub, "jintai-2025", "2025-07");
    s_expect_state_is_report (sub, "jintai-2023", "2025-07");
    s_expect_state_is_report (sub, "furong-2022", "2025-07");
    s_expect_state_is_report (sub, "fufeng-2024", "2025-Q3");
    client_subscriber_destroy (&sub);
}

Test (live, a_subscriber_that_loses_messages_resyncs_and_ends_with_the_report)
{
    /* The publisher keeps one message per subscriber, the subscriber one:
       a subscriber that does not read during the stream loses almost all
       of it, and must notice. */
    harness_set (&h, "publish_hwm", "1");
    cr_assert (harness_start (&h));
    s_prepare_stream ();
    char reason[256];
    client_subscriber_t *sub =
        client_subscriber_new (h.publish, h.snapshot, 1, reason);
    cr_assert_not_null (sub, "%s", reason);
    cr_assert_eq (client_subscriber_sync (sub, 5000, NULL, NULL, reason), 0,
                  "%s", reason);
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE send events.jsonl --batch 20 "
                               "--window 1"),
                  0, "%s", err);
    free (err);
    cr_assert_gt (s_published (), 1000);
    s_drain (sub);
    cr_expect_geq (client_subscriber_resyncs (sub), 1,
                   "lost messages must be noticed");
    s_expect_state_is_report (sub, "jintai-2025", "2025-07");
    s_expect_state_is_report (sub, "furong-2022", "2025-07");
    client_subscriber_destroy (&sub);
}

/* Messages a subscriber saw: every one must be valid JSON. */
typedef struct {
    int alerts;          /* alert messages, snapshot ones included */
    int snapshot_alerts; /* alerts that came in a snapshot */
    int invalid;         /* messages that did not parse */
    char ticket[64];     /* the ticket_id of the last alert, parsed */
} s_seen_t;

static void
s_check_json (void *arg, uint64_t sequence, const char *topic, const char *json,
              bool snapshot)
{
    (void)sequence;
    s_seen_t *seen = arg;
    cJSON *doc = cJSON_Parse (json);
    if (!doc) {
        seen->invalid++;
        return;
    }
    if (strncmp (topic, "alert/", 6) == 0) {
        seen->alerts++;
        seen->snapshot_alerts += snapshot;
        const cJSON *ticket = cJSON_GetObjectItem (doc, "ticket_id");
        if (cJSON_IsString (ticket))
            snprintf (seen->ticket, sizeof (seen->ticket), "%s",
                      ticket->valuestring);
    }
    cJSON_Delete (doc);
}

/* Ids are the platform's bytes: a quote, a backslash and a control
   character in a ticket id, a unit id and a unit name must come out as
   valid JSON everywhere: the live alert, a late joiner's snapshot (which
   once dropped such an alert silently) and the report. */
Test (live, hostile_ids_give_valid_json_in_alerts_snapshots_and_reports)
{
    cr_assert (harness_start (&h));
    char path[512];
    FILE *f = fopen (harness_path (&h, "u.csv", path), "w");
    cr_assert_not_null (f);
    fputs ("unit_id,name,group\n\"U\"\"1\\\",\"名\"\"字\\\ttab\",town\n", f);
    fclose (f);
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINE units import u.csv"),
                  0, "%s", err);
    free (err);
    char reason[256];
    client_subscriber_t *sub =
        client_subscriber_new (h.publish, h.snapshot, 0, reason);
    cr_assert_not_null (sub, "%s", reason);
    s_seen_t live = {0};
    cr_assert_eq (
        client_subscriber_sync (sub, 5000, s_check_json, &live, reason), 0,
        "%s", reason);
    /* Received at 08:05, due 18:00: a warning at 16:00; the tick passes
       it. */
    s_send_lines (
        "hostile.jsonl",
        "{\"event_id\":\"h1\",\"type\":\"received\",\"ticket_id\":"
        "\"T\\\"x\\\\\\u0001\",\"unit_id\":\"U\\\"1\\\\\",\"occurred_at\":"
        "\"2025-07-01T08:05:00+08:00\",\"dispatched_at\":"
        "\"2025-07-01T08:00:00+08:00\",\"due_at\":"
        "\"2025-07-01T18:00:00+08:00\",\"channel\":\"hotline\","
        "\"category\":\"other\"}\n"
        "{\"event_id\":\"h2\",\"type\":\"tick\",\"occurred_at\":"
        "\"2025-07-01T16:30:00+08:00\"}\n");
    for (int i = 0; i < 100 && live.alerts < 1; i++)
        cr_assert_geq (
            client_subscriber_poll (sub, 100, s_check_json, &live, reason), 0,
            "%s", reason);
    cr_assert_eq (live.invalid, 0, "a live message was not JSON");
    cr_assert_eq (live.alerts, 1, "the warning came live");
    cr_assert_str_eq (live.ticket, "T\"x\\\x01");
    client_subscriber_destroy (&sub);

    /* A late joiner gets the open alert in its snapshot. */
    sub = client_subscriber_new (h.publish, h.snapshot, 0, reason);
    cr_assert_not_null (sub, "%s", reason);
    s_seen_t late = {0};
    cr_assert_eq (
        client_subscriber_sync (sub, 5000, s_check_json, &late, reason), 0,
        "%s", reason);
    cr_assert_eq (late.invalid, 0, "a snapshot message was not JSON");
    cr_assert_eq (late.snapshot_alerts, 1, "the open alert is in the snapshot");
    cr_assert_str_eq (late.ticket, "T\"x\\\x01");
    client_subscriber_destroy (&sub);

    /* The report names the unit, escaped. */
    char *out = NULL;
    cr_assert_eq (harness_run (&h, &out, &err,
                               "$HOTLINE report --ruleset jintai-2023 "
                               "--period 2025-07 --format json"),
                  0, "%s", err);
    free (err);
    cJSON *report = cJSON_Parse (out);
    cr_assert_not_null (report, "the report is not JSON: %s", out);
    const cJSON *row = cJSON_GetArrayItem (
        cJSON_GetObjectItem (
            cJSON_GetArrayItem (cJSON_GetObjectItem (report, "tables"), 0),
            "rows"),
        0);
    cr_assert_str_eq (cJSON_GetObjectItem (row, "unit_id")->valuestring,
                      "U\"1\\");
    cr_assert_str_eq (cJSON_GetObjectItem (row, "unit")->valuestring,
                      "名\"字\\\ttab");
    cJSON_Delete (report);
    free (out);
}
