/*  Space, end to end: the real daemon and sender on a store that runs out
    of room, in the LMDB map and on the disk.

    The month is hotline-gen's scale-20 July (168,866 events, the issue's
    reproducer; scale 5 where the map only has to grow). Whatever happens
    while the store is full, nothing after a refused batch of a sender is
    applied before it (so no close lands before its receipt and is
    refused for good), the refusal says what is full, and after the
    operator's fix a resend gives every report byte-identical to a clean
    run's, with the log holding each line once. */
#include "harness.h"
#include "proto.h"

#include <criterion/criterion.h>
#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static harness_t h;
static bool s_mounted; /* a tmpfs is mounted on h.dir/data */

static void
s_setup (void)
{
    harness_init (&h, "event");
    s_mounted = false;
}

static void
s_teardown (void)
{
    harness_stop (&h);
    char path[512];
    if (s_mounted)
        umount (harness_path (&h, "data", path));
    harness_fini (&h);
}

TestSuite (space, .init = s_setup, .fini = s_teardown, .timeout = 600);

/* Writes the month into the harness directory and returns its lines. */
static long
s_month (int scale)
{
    long lines = harness_month (&h, scale, 3);
    cr_assert_gt (lines, 0, "hotline-gen failed");
    return lines;
}

/* The reports of a clean run of the month, then the daemon under test
   started with the map's sizes (NULL: the defaults) and the units. */
static char *
s_clean_then_start (const char *map_size, const char *map_max)
{
    char *clean = harness_clean_reports (&h, "2025-07", "2025-Q3");
    cr_assert_not_null (clean, "the clean run failed");
    if (map_size)
        harness_set (&h, "map_size_mb", map_size);
    if (map_max)
        harness_set (&h, "map_max_mb", map_max);
    cr_assert (harness_start (&h));
    cr_assert_eq (harness_run (&h, NULL, NULL,
                               "$HOTLINE units import "
                               "units.csv"),
                  0);
    return clean;
}

/* Sends the month with a 15 s give-up, as the issue did. Returns the
   sender's stderr (malloc'd) and its exit status in *rc. */
static char *
s_send (int *rc)
{
    char *err = NULL;
    *rc = harness_run (&h, NULL, &err,
                       "$HOTLINE send events.jsonl --timeout 15000");
    return err;
}

/* After the fix: a resend stores the rest, and the store holds exactly
   the clean run's reports and one log entry per line. */
static void
s_expect_clean_after_resend (const char *clean, long lines)
{
    int rc;
    char *err = s_send (&rc);
    cr_expect_eq (rc, 0, "the resend must store everything: %s", err);
    free (err);
    char *reports = harness_reports (&h, "2025-07", "2025-Q3");
    cr_expect_str_eq (reports, clean, "the reports differ from a clean run's");
    free (reports);
    cr_expect_eq (harness_stat (&h, "log_events", NULL), (double)lines);
    cr_expect_eq (harness_stat (&h, "events_rejected", NULL), 0);
}

Test (
    space,
    refuses_in_order_when_the_map_is_full_and_a_resend_after_raising_it_gives_the_clean_reports)
{
    long lines = s_month (20);
    /* A 4 MiB map that may not grow: the month does not fit. */
    char *clean = s_clean_then_start ("4", "4");
    int rc;
    char *err = s_send (&rc);
    cr_expect_eq (rc, 1, "the month cannot fit");
    cr_expect (strstr (err, "store is full") != NULL, "%s", err);
    free (err);
    /* Nothing was applied out of order, so nothing was refused for good
       and nothing went to the dead letters. */
    cr_expect_eq (harness_stat (&h, "events_rejected", NULL), 0);
    cr_expect_eq (harness_stat (&h, "dead_letters", NULL), 0);
    cr_expect_gt (harness_stat (&h, "batches_failed", NULL), 0);
    /* The operator's fix: a larger map, a restart, the file again. */
    cr_assert_eq (harness_stop (&h), 0);
    harness_set (&h, "map_size_mb", "1024");
    harness_set (&h, "map_max_mb", "1024");
    cr_assert (harness_start (&h));
    s_expect_clean_after_resend (clean, lines);
    free (clean);
}

/* One batch over a DEALER: its acknowledgement's text, "ok" when the
   batch was committed, into said (256 bytes). */
static void
s_batch (zsock_t *sock, uint64_t id, const proto_event_t *events, size_t count,
         char *said)
{
    size_t size;
    uint8_t *bytes = proto_batch_encode (id, events, count, NULL, 0, &size);
    zframe_t *frame = zframe_new (bytes, size);
    free (bytes);
    harness_exchange (sock, &frame, false, 20000, said, NULL);
    cr_assert_str_neq (said, "", "no answer to batch %llu",
                       (unsigned long long)id);
}

/* Starts hotlined on a 1 MiB map that may not grow, and gives 10,000
   ticks from `*at` on (to free): they do not fit, one does. */
static proto_event_t *
s_start_small (int64_t *at)
{
    harness_set (&h, "map_size_mb", "1");
    harness_set (&h, "map_max_mb", "1");
    cr_assert (harness_start (&h));
    proto_event_t *ticks = calloc (10000, sizeof (*ticks));
    cr_assert_not_null (ticks);
    proto_time_parse ("2025-07-01T09:00:00+08:00", at);
    for (int i = 0; i < 10000; i++) {
        ticks[i].type = PROTO_TICK;
        ticks[i].occurred_at = *at + i;
        snprintf (ticks[i].event_id, sizeof (ticks[i].event_id),
                  "a-long-event-id-to-fill-the-map-%06d", i);
    }
    return ticks;
}

Test (space, holds_a_sender_behind_its_batch_that_was_not_stored)
{
    int64_t at;
    proto_event_t *ticks = s_start_small (&at);
    proto_event_t one = {.type = PROTO_TICK, .occurred_at = at};
    snprintf (one.event_id, sizeof (one.event_id), "one");
    zsock_t *sender = zsock_new_dealer (h.ingest);
    char said[256];
    s_batch (sender, 1, ticks, 10000, said);
    cr_expect (strstr (said, "store is full"), "%s", said);
    /* Batch 2 would fit, but it came after batch 1: not before it. */
    s_batch (sender, 2, &one, 1, said);
    cr_expect (strstr (said, "not stored: after batch 1: batch not stored: "
                             "store is full"),
               "%s", said);
    cr_expect_eq (harness_stat (&h, "batches_held", NULL), 1);
    cr_expect_eq (harness_stat (&h, "log_events", NULL), 0);
    /* Another sender is not held. */
    zsock_t *other = zsock_new_dealer (h.ingest);
    s_batch (other, 2, &one, 1, said);
    cr_expect_str_eq (said, "ok");
    zsock_destroy (&other);
    zsock_destroy (&sender);
    free (ticks);
}

/* Sends a batch without waiting for its answer. */
static void
s_post (zsock_t *sock, uint64_t id, const proto_event_t *events, size_t count)
{
    size_t size;
    uint8_t *bytes = proto_batch_encode (id, events, count, NULL, 0, &size);
    cr_assert_not_null (bytes);
    zframe_t *frame = zframe_new (bytes, size);
    free (bytes);
    cr_assert_eq (zframe_send (&frame, sock, 0), 0);
}

/* The next answer on sock (harness_exchange, sending nothing). */
static void
s_answer (zsock_t *sock, proto_batch_ack_t *ack)
{
    zframe_t *none = NULL;
    char said[256];
    harness_exchange (sock, &none, false, 20000, said, ack);
    cr_assert_str_neq (said, "", "no answer");
}

Test (space, a_held_batch_leaves_the_group_and_the_others_keep_their_events)
{
    int64_t at;
    proto_event_t *ticks = s_start_small (&at);
    proto_event_t held = {.type = PROTO_TICK, .occurred_at = at};
    snprintf (held.event_id, sizeof (held.event_id), "held");
    proto_event_t kept[3];
    for (int i = 0; i < 3; i++) {
        kept[i] = held;
        snprintf (kept[i].event_id, sizeof (kept[i].event_id), "kept-%d", i);
    }
    zsock_t *sender = zsock_new_dealer (h.ingest);
    char said[256];
    s_batch (sender, 2, ticks, 10000, said); /* not stored: held from 2 */
    cr_expect (strstr (said, "store is full"), "%s", said);
    /* Sent together, they (almost always) arrive together and go into one
       group: batch 3 is held and answered at once, batch 1 (sent before the
       hold began) is not, and its events move up to where batch 3's were. */
    proto_batch_ack_t ack;
    s_post (sender, 3, &held, 1);
    s_post (sender, 1, kept, 3);
    s_answer (sender, &ack);
    cr_expect_eq (ack.batch_id, 3);
    cr_expect (!ack.ok);
    proto_batch_ack_free (&ack);
    s_answer (sender, &ack);
    cr_expect_eq (ack.batch_id, 1);
    cr_assert (ack.ok, "%s", ack.error);
    for (size_t i = 0; i < ack.count; i++)
        cr_expect_eq (ack.acks[i].status, PROTO_ACK_STORED);
    proto_batch_ack_free (&ack);
    /* Batch 1's own events were stored, not batch 3's in their place. */
    s_post (sender, 1, kept, 3);
    s_answer (sender, &ack);
    cr_assert (ack.ok, "%s", ack.error);
    cr_assert_eq (ack.count, 3);
    for (size_t i = 0; i < ack.count; i++)
        cr_expect_eq (ack.acks[i].status, PROTO_ACK_DUPLICATE, "event %zu", i);
    proto_batch_ack_free (&ack);
    zsock_destroy (&sender);
    free (ticks);
}

Test (space, grows_the_map_by_itself_up_to_map_max_mb)
{
    long lines = s_month (5);
    char *clean = s_clean_then_start ("4", "1024");
    int rc;
    char *err = s_send (&rc);
    cr_expect_eq (rc, 0, "the map grows instead of refusing: %s", err);
    free (err);
    cr_expect_gt (harness_stat (&h, "store_map_bytes", NULL), 4 << 20);
    cr_expect_leq (harness_stat (&h, "store_map_bytes", NULL), 1024 << 20);
    cr_expect_eq (harness_stat (&h, "batches_failed", NULL), 0);
    char *reports = harness_reports (&h, "2025-07", "2025-Q3");
    cr_expect_str_eq (reports, clean, "the reports differ from a clean run's");
    free (reports);
    cr_expect_eq (harness_stat (&h, "log_events", NULL), (double)lines);
    free (clean);
}

/* A legal calendar file far larger than a 1 MiB map: every day of the
   years 2030 to 2099 named, each with the longest name (63 bytes). */
static void
s_big_calendar (const char *name)
{
    static const int month_days[12] = {31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
    char path[512];
    FILE *f = fopen (harness_path (&h, name, path), "w");
    cr_assert_not_null (f);
    fputc ('[', f);
    for (int year = 2030; year <= 2099; year++) {
        fprintf (f, "%s{\"year\":%d,\"days\":[", year > 2030 ? "," : "", year);
        bool leap = year % 4 == 0; /* 2000 and 2100 are outside */
        for (int month = 1; month <= 12; month++)
            for (int day = 1;
                 day <= month_days[month - 1] + (month == 2 && leap ? 1 : 0);
                 day++)
                fprintf (f,
                         "%s{\"name\":\"%s\",\"date\":\"%d-%02d-%02d\","
                         "\"isOffDay\":true}",
                         month == 1 && day == 1 ? "" : ",",
                         "节节节节节节节节节节节节节节节节节节节节节", year,
                         month, day);
        fputs ("]}", f);
    }
    fputc (']', f);
    fclose (f);
}

Test (space, grows_the_map_for_a_calendar_or_units_import_too)
{
    /* The query endpoint writes too: a calendar import (2.8 MB of
       years) and a units import (20,000 units) into a 1 MiB map that
       may grow were refused "store is full ... reached its ceiling". */
    harness_set (&h, "map_size_mb", "1");
    harness_set (&h, "map_max_mb", "256");
    cr_assert (harness_start (&h));
    s_big_calendar ("big.json");
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err, "$HOTLINE calendar import big.json");
    cr_expect_eq (rc, 0, "the map grows instead of refusing: %s", err);
    cr_expect (out && strstr (out, "2099]"), "%s", out);
    free (out);
    free (err);
    cr_expect_gt (harness_stat (&h, "store_map_bytes", NULL), 1 << 20);
    char path[512];
    FILE *f = fopen (harness_path (&h, "units.csv", path), "w");
    cr_assert_not_null (f);
    fputs ("unit_id,name,group\n", f);
    for (int i = 0; i < 20000; i++)
        fprintf (f, "U%05d,%0200d,town\n", i, i);
    fclose (f);
    rc = harness_run (&h, NULL, &err, "$HOTLINE units import units.csv");
    cr_expect_eq (rc, 0, "the map grows instead of refusing: %s", err);
    free (err);
    cr_expect_eq (harness_stat (&h, "units", NULL), 20000);
}

Test (space, grows_the_map_for_a_publication_too)
{
    /* hotline publish writes the report's bytes: 4,000 units with long
       names make a scorecard of megabytes, more than the map the units
       import left; it was refused "not stored: store is full ...". */
    harness_set (&h, "map_size_mb", "1");
    harness_set (&h, "map_max_mb", "256");
    cr_assert (harness_start (&h));
    char path[512];
    FILE *f = fopen (harness_path (&h, "units.csv", path), "w");
    cr_assert_not_null (f);
    fputs ("unit_id,name,group\n", f);
    for (int i = 0; i < 4000; i++)
        fprintf (f, "U%05d,%0200d,town\n", i, i);
    fclose (f);
    char *err = NULL;
    int rc = harness_run (&h, NULL, &err, "$HOTLINE units import units.csv");
    cr_assert_eq (rc, 0, "%s", err);
    free (err);
    double before = harness_stat (&h, "store_map_bytes", NULL);
    char *out = NULL;
    err = NULL;
    rc = harness_run (&h, &out, &err,
                      "$HOTLINE publish --ruleset jintai-2025 --period "
                      "2025-07 --force");
    cr_expect_eq (rc, 0, "the map grows instead of refusing: %s", err);
    free (out);
    free (err);
    cr_expect_gt (harness_stat (&h, "store_map_bytes", NULL), before);
    out = NULL;
    rc = harness_run (&h, &out, NULL,
                      "$HOTLINE report --ruleset jintai-2025 --period 2025-07 "
                      "--published --format json");
    cr_expect_eq (rc, 0);
    cr_expect (out && strstr (out, "\"published\":{\"version\":1,"), "%.200s",
               out);
    free (out);
}

Test (
    space,
    reports_a_full_disk_as_such_and_a_resend_after_freeing_space_gives_the_clean_reports)
{
    if (geteuid () != 0)
        cr_skip_test ("not root: a tmpfs for the data directory cannot be "
                      "mounted (run the suite as root to test a full disk)");
    long lines = s_month (20);
    /* The data directory on a 16 MiB tmpfs: the disk fills long before
       the map (4 GiB) does. */
    char data[512];
    harness_path (&h, "data", data);
    cr_assert_eq (mkdir (data, 0750), 0);
    if (mount ("tmpfs", data, "tmpfs", 0, "size=16m") != 0)
        cr_skip_test ("cannot mount a tmpfs on %s: %s", data, strerror (errno));
    s_mounted = true;
    char *clean = s_clean_then_start (NULL, NULL);
    int rc;
    char *err = s_send (&rc);
    cr_expect_eq (rc, 1, "the month cannot fit on the disk");
    cr_expect (strstr (err, "disk full") != NULL, "%s", err);
    free (err);
    char log[512];
    char *text = harness_slurp (harness_path (&h, "daemon.log", log));
    cr_expect (text && strstr (text, "disk full"), "the log must say so");
    cr_expect (text && !strstr (text, "Input/output error"),
               "a full disk is not an I/O error");
    free (text);
    cr_expect_eq (harness_stat (&h, "events_rejected", NULL), 0);
    /* The operator's fix: room on the disk; the daemon keeps running. */
    cr_assert_eq (mount ("tmpfs", data, "tmpfs", MS_REMOUNT, "size=1g"), 0,
                  "%s", strerror (errno));
    s_expect_clean_after_resend (clean, lines);
    free (clean);
}
