/*  Hostile input, end to end: the real daemon over its real sockets,
    given what a careless or hostile peer sends.

    - frames that would cost a hundred times their size once unpacked
      (tens of millions of empty events or units): refused before the
      allocation, the daemon's peak memory bounded, and another sender's
      acknowledgements still prompt while it goes on;
    - a NUL byte in a text field, in a JSON line, a protobuf frame and a
      units CSV: refused with a reason, never truncated into another id;
    - an event_id reused with other content: a conflict, not a resend;
    - floods of refused events: one dead letter per distinct refusal, and
      the dead letters bounded, so they cannot fill the store;
    - a tick that would jump the event clock by months: refused;
    - smaller: --as-of before 2000; a units file with a duplicate id,
      spaces around a field, an empty name, a quoted line break. */
#include "harness.h"
#include "proto.h"
#include "testutil.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bounds the hostile-frame test holds the daemon to (docs/
   operations.md, "Limits"): its peak resident memory may grow by at most
   this much over its size before the hostile frames, and another
   sender's acknowledgement may take at most this long meanwhile. */
#define PEAK_GROWTH_MIB 256
#define ACK_WORST_MS    1000

static harness_t h;

static void
s_setup (void)
{
#ifdef __SANITIZE_ADDRESS__
    /* Under AddressSanitizer the daemon keeps freed memory in a
       quarantine of 256 MiB by default, which its peak RSS would count
       against the bound above: a small quarantine keeps the measure
       about hotlined's own allocations (use-after-free is still caught
       for recent frees). The daemon inherits this environment. */
    const char *asan = getenv ("ASAN_OPTIONS");
    char options[512];
    snprintf (options, sizeof options, "%s%squarantine_size_mb=16",
              asan ? asan : "", asan && *asan ? ":" : "");
    setenv ("ASAN_OPTIONS", options, 1);
#endif
    harness_init (&h, "event");
}

static void
s_teardown (void)
{
    harness_fini (&h);
}

TestSuite (hostile, .init = s_setup, .fini = s_teardown, .timeout = 300);

static void
s_write (const char *name, const void *bytes, size_t size)
{
    char path[512];
    FILE *f = fopen (harness_path (&h, name, path), "w");
    cr_assert_not_null (f);
    fwrite (bytes, 1, size, f);
    fclose (f);
}

static void
s_write_text (const char *name, const char *text)
{
    s_write (name, text, strlen (text));
}

/* Runs a command that must succeed and returns its stdout as JSON. */
static cJSON *
s_json (const char *command)
{
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err, "%s", command);
    cr_assert_eq (rc, 0, "%s: %s", command, err);
    cJSON *doc = cJSON_Parse (out);
    cr_assert_not_null (doc, "%s: not JSON: %s", command, out);
    free (out);
    free (err);
    return doc;
}

/* Starts the daemon with units U01 and U02 registered. */
static void
s_start_with_units (void)
{
    cr_assert (harness_start (&h));
    s_write_text ("units.csv",
                  "unit_id,name,group\nU01,单位一,town\nU02,单位二,town\n");
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE units import "
                               "units.csv"),
                  0, "%s", err);
    free (err);
}

#define RECEIVED(id, ticket, at)                                               \
    "{\"event_id\":\"" id "\",\"type\":\"received\",\"ticket_id\":\"" ticket   \
    "\",\"unit_id\":\"U01\",\"occurred_at\":\"" at                             \
    "\",\"dispatched_at\":\"2025-07-01T09:00:00+08:00\",\"due_at\":"           \
    "\"2025-07-04T18:00:00+08:00\",\"channel\":\"hotline\",\"category\":"      \
    "\"other\"}\n"
#define TICK(id, at)                                                           \
    "{\"event_id\":\"" id "\",\"type\":\"tick\",\"occurred_at\":\"" at "\"}\n"

/* ---- frames that cost more than their size ------------------------------ */

/* Another sender: one-event batches, one at a time, each acknowledgement
   timed, until told to stop. */
typedef struct {
    const char *endpoint; /* ingest */
    _Atomic bool stop;    /* set by the test */
    int acks;             /* acknowledged as stored */
    int failures;         /* not answered in 60 s, or not stored */
    int64_t worst_ms;     /* the slowest acknowledgement */
} s_probe_t;

static void *
s_probe_run (void *arg)
{
    s_probe_t *probe = arg;
    zsock_t *sock = zsock_new_dealer (probe->endpoint);
    zsock_set_rcvtimeo (sock, 60000);
    int64_t at;
    proto_time_parse ("2025-07-01T09:10:00+08:00", &at);
    for (uint64_t n = 1; !atomic_load (&probe->stop); n++) {
        proto_event_t ev = {.type = PROTO_TICK, .occurred_at = at};
        snprintf (ev.event_id, sizeof (ev.event_id), "probe-%llu",
                  (unsigned long long)n);
        size_t size;
        uint8_t *bytes = proto_batch_encode (n, &ev, 1, NULL, 0, &size);
        zframe_t *frame = zframe_new (bytes, size);
        free (bytes);
        int64_t sent = zclock_mono ();
        zframe_send (&frame, sock, 0);
        zframe_t *reply = zframe_recv (sock);
        int64_t took = zclock_mono () - sent;
        proto_batch_ack_t ack;
        char reason[PROTO_ERROR_MAX + 1];
        if (reply &&
            proto_batch_ack_decode (zframe_data (reply), zframe_size (reply),
                                    &ack, reason) == 0 &&
            ack.ok && ack.count == 1 && ack.acks[0].status == PROTO_ACK_STORED)
            probe->acks++;
        else
            probe->failures++;
        if (reply)
            proto_batch_ack_free (&ack);
        zframe_destroy (&reply);
        probe->worst_ms = took > probe->worst_ms ? took : probe->worst_ms;
        zclock_sleep (20);
    }
    zsock_destroy (&sock);
    return NULL;
}

/* `count` empty submessages of field `field`, after `head`: an
   EventBatch of empty events or a units import of empty units. */
static zframe_t *
s_empties (const uint8_t *head, size_t head_size, int field, size_t count)
{
    zframe_t *frame = zframe_new (NULL, head_size + 2 * count);
    uint8_t *at = zframe_data (frame);
    memcpy (at, head, head_size);
    at += head_size;
    for (size_t i = 0; i < count; i++) {
        *at++ = (uint8_t)(field << 3 | 2);
        *at++ = 0;
    }
    return frame;
}

/* Sends a frame and waits up to 10 s for an answer: "" when none came
   (the frame was dropped), else the refusal's text (ok=false) or "ok". */
static void
s_hostile_exchange (zsock_t *sock, zframe_t **frame, bool query, char *said)
{
    harness_exchange (sock, frame, query, 10000, said, NULL);
}

Test (
    hostile,
    bounds_memory_and_keeps_acknowledging_others_while_a_peer_sends_frames_of_empty_items)
{
    s_start_with_units ();
    long before = harness_peak_kib (&h);
    cr_assert_gt (before, 0);
    s_probe_t probe = {.endpoint = h.ingest};
    pthread_t thread;
    cr_assert_eq (pthread_create (&thread, NULL, s_probe_run, &probe), 0);
    zclock_sleep (300);

    zsock_t *ingest = zsock_new_dealer (h.ingest);
    zsock_t *query = zsock_new_dealer (h.query);
    char said[256];
    const uint8_t batch_head[] = {0x08, 0x07};  /* batch_id 7 */
    const uint8_t import_head[] = {0x08, 0x02}; /* kind UNITS_IMPORT */
    /* The frames: 66 MB of empty events (6.5 GB and 57 s of a
       stalled daemon before), 8 MB of them (800 MB), and a 16 MB units
       import of empty units (1.1 GB). */
    zframe_t *frame = s_empties (batch_head, 2, 2, 33000000);
    s_hostile_exchange (ingest, &frame, false, said);
    cr_expect_str_eq (said, "", "a 66 MB frame is dropped: %s", said);
    frame = s_empties (import_head, 2, 5, 8000000);
    s_hostile_exchange (query, &frame, true, said);
    cr_expect_str_eq (said, "", "a 16 MB query is dropped: %s", said);
    int64_t until = zclock_mono () + 5000;
    int rounds = 0;
    while (zclock_mono () < until) {
        frame = s_empties (batch_head, 2, 2, 4000000);
        s_hostile_exchange (ingest, &frame, false, said);
        cr_expect (strstr (said, "more than"), "8 MB of empty events: %s",
                   said);
        frame = s_empties (import_head, 2, 5, 2000000);
        s_hostile_exchange (query, &frame, true, said);
        cr_expect (strstr (said, "more than"), "4 MB of empty units: %s", said);
        rounds++;
    }
    atomic_store (&probe.stop, true);
    pthread_join (thread, NULL);
    long after = harness_peak_kib (&h);
    fprintf (stderr,
             "hostile: peak RSS %ld -> %ld KiB over %d rounds of 8 MB + 4 MB "
             "frames; another sender: %d acks, the slowest %lld ms\n",
             before, after, rounds, probe.acks, (long long)probe.worst_ms);
    cr_expect_leq (after - before, PEAK_GROWTH_MIB * 1024L,
                   "peak RSS grew from %ld to %ld KiB", before, after);
    cr_expect_gt (probe.acks, 20, "the other sender was not served");
    cr_expect_eq (probe.failures, 0);
    cr_expect_leq (probe.worst_ms, ACK_WORST_MS,
                   "the other sender waited %lld ms",
                   (long long)probe.worst_ms);
    cr_expect_gt (harness_stat (&h, "bad_messages", NULL), 0);
    zsock_destroy (&ingest);
    zsock_destroy (&query);
}

/* ---- NUL bytes ------------------------------------------------------------
 */

Test (hostile, refuses_a_nul_byte_in_a_text_field_in_json_protobuf_and_csv)
{
    s_start_with_units ();
    /* JSON: "u2\u0000zz" was read as "u2", and the real u2 then answered
       "already stored". */
    s_write_text ("nul.jsonl",
                  RECEIVED ("u2\\u0000zz", "T1", "2025-07-01T09:10:00+08:00")
                      RECEIVED ("u2", "T2", "2025-07-01T09:20:00+08:00"));
    char *err = NULL;
    cr_expect_eq (harness_run (&h, NULL, &err, "$HOTLINE send nul.jsonl"), 1);
    cr_expect (strstr (err, "nul.jsonl:1: rejected: event_id contains a NUL"),
               "%s", err);
    cr_expect (strstr (err, "1 stored, 0 already stored"), "%s", err);
    free (err);
    cr_expect_eq (harness_stat (&h, "log_events", NULL), 1);

    /* Protobuf: event_id "p1\0x" from another sender. */
    testutil_pb_t batch = {0};
    int64_t at;
    proto_time_parse ("2025-07-01T09:10:00+08:00", &at);
    testutil_pb_received (&batch, 5, "p1\0x", 4, "T7", 2, at);
    zsock_t *sock = zsock_new_dealer (h.ingest);
    zframe_t *frame = zframe_new (batch.data, batch.size);
    proto_batch_ack_t ack;
    char said[256];
    harness_exchange (sock, &frame, false, 10000, said, &ack);
    cr_assert_str_eq (said, "ok");
    cr_assert_eq (ack.count, 1);
    cr_expect_eq (ack.acks[0].status, PROTO_ACK_REJECTED);
    cr_expect (strstr (ack.acks[0].reason, "event_id contains a NUL"), "%s",
               ack.acks[0].reason);
    proto_batch_ack_free (&ack);
    zsock_destroy (&sock);
    testutil_pb_free (&batch);
    cr_expect_eq (harness_stat (&h, "log_events", NULL), 1);

    /* A units CSV: Z\0Q was imported as Z, quoted or not. */
    static const char plain[] = "unit_id,name,group\nZ\0Q,单位,town\n";
    static const char quoted[] = "unit_id,name,group\n\"Z\0Q\",单位,town\n";
    s_write ("plain.csv", plain, sizeof (plain) - 1);
    s_write ("quoted.csv", quoted, sizeof (quoted) - 1);
    static const char *files[] = {"plain.csv", "quoted.csv"};
    for (int i = 0; i < 2; i++) {
        cr_expect_eq (
            harness_run (&h, NULL, &err, "$HOTLINE units import %s", files[i]),
            1);
        char expected[64];
        snprintf (expected, sizeof (expected), "%s:2: a NUL byte", files[i]);
        cr_expect (strstr (err, expected), "%s", err);
        free (err);
    }
    /* And a units import over the wire. */
    testutil_pb_t unit = {0}, import = {0};
    testutil_pb_bytes (&unit, 1, "Z\0Q", 3);
    testutil_pb_bytes (&unit, 2, "n", 1);
    testutil_pb_bytes (&unit, 3, "town", 4);
    testutil_pb_int (&import, 1, PROTO_QUERY_UNITS_IMPORT);
    testutil_pb_bytes (&import, 5, unit.data, unit.size);
    zsock_t *query = zsock_new_dealer (h.query);
    frame = zframe_new (import.data, import.size);
    s_hostile_exchange (query, &frame, true, said);
    cr_expect (strstr (said, "unit_id contains a NUL"), "%s", said);
    zsock_destroy (&query);
    testutil_pb_free (&unit);
    testutil_pb_free (&import);
    cr_expect_eq (harness_stat (&h, "units", NULL), 2);
}

/* ---- event_id reuse -------------------------------------------------------
 */

Test (hostile, tells_an_exact_resend_from_another_event_under_the_same_id)
{
    s_start_with_units ();
    s_write_text ("a.jsonl",
                  RECEIVED ("e1", "T1", "2025-07-01T09:10:00+08:00"));
    /* The same line again, and then the same id for another event. */
    s_write_text ("b.jsonl",
                  RECEIVED ("e1", "T1", "2025-07-01T09:11:00+08:00"));
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINE send a.jsonl"), 0,
                  "%s", err);
    free (err);
    cr_expect_eq (harness_run (&h, NULL, &err, "$HOTLINE send a.jsonl"), 0);
    cr_expect (strstr (err, "0 stored, 1 already stored"), "%s", err);
    free (err);
    cr_expect_eq (harness_run (&h, NULL, &err, "$HOTLINE send b.jsonl"), 1);
    cr_expect (strstr (err, "b.jsonl:1: rejected: conflict: event_id e1"), "%s",
               err);
    free (err);
    cr_expect_eq (harness_stat (&h, "rejected_by_class", "conflict"), 1);
    cr_expect_eq (harness_stat (&h, "events_duplicate", NULL), 1);
    cr_expect_eq (harness_stat (&h, "log_events", NULL), 1);
    cJSON *dead = s_json ("$HOTLINE rejected");
    const cJSON *letter =
        cJSON_GetArrayItem (cJSON_GetObjectItem (dead, "rejected"), 0);
    cr_assert_not_null (letter);
    cr_expect_str_eq (cJSON_GetObjectItem (letter, "class")->valuestring,
                      "conflict");
    cJSON_Delete (dead);
    char path[512];
    char *log = harness_slurp (harness_path (&h, "daemon.log", path));
    cr_expect (log && strstr (log, "(conflict)"), "the daemon logs it");
    free (log);
}

/* ---- dead letters ---------------------------------------------------------
 */

Test (hostile, keeps_one_dead_letter_per_refusal_and_bounds_them)
{
    /* A small map that may not grow: 100,000 refused events must not
       fill it, and valid events must still go in afterwards. */
    harness_set (&h, "map_size_mb", "16");
    harness_set (&h, "map_max_mb", "16");
    harness_set (&h, "dead_letters_max", "1000");
    s_start_with_units ();
    char path[512];
    FILE *f = fopen (harness_path (&h, "flood.jsonl", path), "w");
    cr_assert_not_null (f);
    /* Closes of tickets never received: unknown_ticket, each distinct. */
    for (int i = 0; i < 100000; i++)
        fprintf (f,
                 "{\"event_id\":\"x%d\",\"type\":\"closed\",\"ticket_id\":"
                 "\"N%d\",\"unit_id\":\"U01\",\"occurred_at\":"
                 "\"2025-07-01T10:00:00+08:00\"}\n",
                 i, i);
    fclose (f);
    char *err = NULL;
    cr_assert_eq (harness_lines (&h, "flood.jsonl"), 100000);
    /* No resends (a long --ack-wait): each refusal arrives once. */
    cr_expect_eq (harness_run (&h, NULL, NULL,
                               "$HOTLINE send flood.jsonl "
                               "--batch 5000 --ack-wait "
                               "60000 > /dev/null 2>&1"),
                  1);
    /* The same refused line three times: one dead letter. */
    s_write_text ("same.jsonl",
                  "{\"event_id\":\"s1\",\"type\":\"closed\",\"ticket_id\":"
                  "\"N0\",\"unit_id\":\"U01\",\"occurred_at\":"
                  "\"2025-07-01T10:00:00+08:00\"}\n");
    for (int i = 0; i < 3; i++)
        cr_expect_eq (harness_run (&h, NULL, NULL, "$HOTLINE send same.jsonl"),
                      1);
    char *stats = NULL;
    harness_run (&h, &stats, NULL, "$HOTLINE stats");
    fprintf (stderr, "hostile: after 100,003 refusals: %s", stats);
    free (stats);
    cr_expect_eq (harness_stat (&h, "events_rejected", NULL), 100003);
    cr_expect_eq (harness_stat (&h, "dead_letters", NULL), 1000);
    cr_expect_eq (harness_stat (&h, "dead_letters_dropped", NULL), 99001);
    cr_expect_eq (harness_stat (&h, "dead_letters_repeated", NULL), 2);
    cJSON *dead = s_json ("$HOTLINE rejected --limit 1");
    const cJSON *letter =
        cJSON_GetArrayItem (cJSON_GetObjectItem (dead, "rejected"), 0);
    cr_assert_not_null (letter);
    const cJSON *repeats = cJSON_GetObjectItem (letter, "repeats");
    cr_expect (cJSON_IsNumber (repeats) && repeats->valuedouble == 3,
               "the last letter was refused three times");
    cJSON_Delete (dead);
    /* Valid events still go in. */
    s_write_text ("good.jsonl",
                  RECEIVED ("g1", "T1", "2025-07-01T09:10:00+08:00"));
    cr_expect_eq (harness_run (&h, NULL, &err, "$HOTLINE send good.jsonl"), 0,
                  "%s", err);
    free (err);
    cr_expect_eq (harness_stat (&h, "batches_failed", NULL), 0);
}

/* ---- the event clock ------------------------------------------------------
 */

Test (hostile, refuses_a_tick_that_would_jump_the_event_clock_by_months)
{
    s_start_with_units ();
    s_write_text ("july.jsonl",
                  RECEIVED ("j1", "T1", "2025-07-31T09:10:00+08:00")
                      TICK ("j2", "2025-08-01T00:00:00+08:00"));
    char *err = NULL;
    cr_assert_eq (harness_run (&h, NULL, &err, "$HOTLINE send july.jsonl"), 0,
                  "%s", err);
    free (err);
    /* A tick for 2026 on a daemon at 2025-08-01: every deadline would
       pass at once. The wall clock does not refuse it (it is not ahead
       of the wall clock); the event clock must. */
    s_write_text ("jump.jsonl", TICK ("j3", "2026-06-01T00:00:00+08:00"));
    cr_expect_eq (harness_run (&h, NULL, &err, "$HOTLINE send jump.jsonl"), 1);
    cr_expect (strstr (err, "jump.jsonl:1: rejected: occurred_at "
                            "2026-06-01T00:00:00+08:00 is past the end of "
                            "the month after next of the event clock"),
               "%s", err);
    free (err);
    cr_expect_eq (harness_stat (&h, "rejected_by_class", "future"), 1);
    cJSON *stats = s_json ("$HOTLINE stats");
    cr_expect_str_eq (cJSON_GetObjectItem (stats, "clock")->valuestring,
                      "2025-08-01T00:00:00+08:00");
    cJSON_Delete (stats);
    /* A sparse stream may skip weeks: up to the end of the month after
       next is accepted, a day past it is not. */
    s_write_text ("gap.jsonl",
                  TICK ("j4", "2025-11-01T00:00:00+08:00")
                      TICK ("j5", "2026-02-01T00:00:01+08:00")
                          TICK ("j6", "2026-01-20T00:00:00+08:00"));
    cr_expect_eq (harness_run (&h, NULL, &err, "$HOTLINE send gap.jsonl"), 1);
    cr_expect (strstr (err, "2 stored"), "%s", err);
    cr_expect (strstr (err, "gap.jsonl:2: rejected"), "%s", err);
    free (err);
}

/* ---- smaller ---------------------------------------------------------------
 */

Test (hostile, refuses_an_as_of_before_2000_instead_of_reporting_now)
{
    s_start_with_units ();
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err,
                          "$HOTLINE report --ruleset jintai-2025 --period "
                          "2025-07 --as-of 1970-01-01T00:00:00Z");
    cr_expect_eq (rc, 2, "refused as a usage error: %s", out);
    cr_expect (strstr (err, "before 2000-01-01"), "%s", err);
    cr_expect_str_eq (out, "", "no report is printed");
    free (out);
    free (err);
}

Test (hostile, names_duplicate_ids_spaces_and_empty_names_in_a_units_file)
{
    cr_assert (harness_start (&h));
    char *err = NULL;
    s_write_text ("dup.csv", "unit_id,name,group\nU01,一,town\nU01,二,town\n");
    cr_expect_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE units import "
                               "dup.csv"),
                  1, "a duplicate id is refused");
    cr_expect (strstr (err, "dup.csv:3: unit_id U01 is already on line 2"),
               "%s", err);
    free (err);
    s_write_text ("odd.csv",
                  "unit_id,name,group\n U02 , 二 ,town\nU03,,town\n");
    cr_expect_eq (harness_run (&h, NULL, &err,
                               "$HOTLINE units import "
                               "odd.csv"),
                  0, "%s", err);
    cr_expect (strstr (err, "odd.csv:2: warning: spaces around unit_id"), "%s",
               err);
    cr_expect (strstr (err, "odd.csv:2: warning: spaces around name"), "%s",
               err);
    cr_expect (strstr (err, "odd.csv:3: warning: empty name"), "%s", err);
    free (err);
    /* The id was taken without its spaces. */
    s_write_text ("e.jsonl",
                  "{\"event_id\":\"e1\",\"type\":\"received\",\"ticket_id\":"
                  "\"T1\",\"unit_id\":\"U02\",\"occurred_at\":"
                  "\"2025-07-01T09:10:00+08:00\",\"dispatched_at\":"
                  "\"2025-07-01T09:00:00+08:00\",\"due_at\":"
                  "\"2025-07-04T18:00:00+08:00\"}\n");
    cr_expect_eq (harness_run (&h, NULL, &err, "$HOTLINE send e.jsonl"), 0,
                  "%s", err);
    free (err);
    cr_expect_eq (harness_stat (&h, "units", NULL), 2);
}

Test (hostile, imports_a_units_file_with_a_line_break_inside_quotes)
{
    cr_assert (harness_start (&h));
    s_write_text ("nl.csv",
                  "unit_id,name,group\nU01,\"金台区\n群众路街道\",town\nU02,"
                  "二,town\n");
    char *out = NULL, *err = NULL;
    cr_expect_eq (harness_run (&h, &out, &err,
                               "$HOTLINE units import "
                               "nl.csv"),
                  0, "%s", err);
    cr_expect (strstr (out, "\"units\":2"), "%s", out);
    free (out);
    free (err);
}
