/*  hotline replay: every aggregate rebuilt from the event log, end to end
    with the real hotlined and hotline.

    - the synthesised 金台区 July, sent to a daemon on the event clock,
      then replayed with the daemon stopped, gives a byte-identical report
      and byte-identical derived tables;
    - the data directory's lock keeps replay and a daemon (or a second
      daemon) apart;
    - an interrupted rebuild (the store as a crash after a commit leaves
      it: half the log re-applied, rebuild_next set) keeps hotlined from
      starting and is finished by the next replay, with the same result;
    - events the current rules refuse are counted and named, not fatal;
    - a store of an older layout (3: trails keyed by ticket; 4: ticket
      records of 288 bytes; 5: counter records of int32s) keeps hotlined
      from starting, and replay migrates it: the same tables, explain and ticket
   output as a store written by this version.

    The interrupted state is written in-process with the same store and
    scorer calls a rebuild makes, so the crash point is exact rather than
    a race against a kill. */
#include "harness.h"
#include "state_internal.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The wall clock the state machine is told (it reads none itself). */
#define WALL_NOW ((int64_t)time (NULL) * 1000)

static harness_t h;

static void
s_setup (void)
{
    harness_init (&h, "event");
}

static void
s_teardown (void)
{
    harness_fini (&h);
}

TestSuite (replay, .init = s_setup, .fini = s_teardown, .timeout = 300);

static char *
s_data (char *buf)
{
    return harness_path (&h, "data", buf);
}

/* Imports the synthesised July of 金台区 (plus one small unit), sends it,
   and returns the report JSON text as the client prints it. */
static char *
s_feed (void)
{
    char *err = NULL;
    int rc = harness_run (&h, NULL, &err,
                          "$SYNTH --scheme jintai-2025 --golden "
                          "%s/jintai_2025_07.csv --units units.csv --events "
                          "events.jsonl --extra-small-unit && $HOTLINE units "
                          "import units.csv && $HOTLINE send events.jsonl",
                          GOLDEN_DIR);
    cr_assert_eq (rc, 0, "feeding the month failed: %s", err);
    free (err);
    char *out = NULL;
    rc = harness_run (&h, &out, &err,
                      "$HOTLINE report --ruleset jintai-2025 --period 2025-07 "
                      "--format json");
    cr_assert_eq (rc, 0, "report failed: %s", err);
    free (err);
    return out;
}

static char *
s_report (void)
{
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err,
                          "$HOTLINE report --ruleset jintai-2025 --period "
                          "2025-07 --format json");
    cr_assert_eq (rc, 0, "report failed: %s", err);
    free (err);
    return out;
}

/* Runs hotline replay; returns its exit status, stdout and stderr. */
static int
s_replay (const char *extra, char **out, char **err)
{
    char data[512];
    return harness_run (&h, out, err, "$HOTLINE replay --data %s %s",
                        s_data (data), extra ? extra : "");
}

static double
s_num (const cJSON *doc, const char *name)
{
    const cJSON *node = cJSON_GetObjectItem (doc, name);
    cr_assert (cJSON_IsNumber (node), "no number %s", name);
    return node->valuedouble;
}

static long
s_lines (const char *command)
{
    char *out = NULL;
    cr_assert_eq (harness_run (&h, &out, NULL, "%s", command), 0, "%s",
                  command);
    long n = atol (out);
    free (out);
    return n;
}

/* ---- the derived state, read directly (the daemon stopped) ------------ */

static const store_table_t s_derived[] = {
    STORE_TICKETS,         STORE_DUE,     STORE_COUNTERS, STORE_MANUAL,
    STORE_ALERTS,          STORE_COUNTED, STORE_TRAIL,    STORE_COUNTED_PENDING,
    STORE_COUNTED_SETTLING};

static uint64_t
s_fnv (uint64_t hash, const void *bytes, size_t size)
{
    const uint8_t *p = bytes;
    for (size_t i = 0; i < size; i++)
        hash = (hash ^ p[i]) * 1099511628211ULL;
    return hash;
}

/* Every entry of every derived table and the clock, as one line of
   per-table entry counts and hashes, to compare two states. Returns the
   number of tickets. */
static uint64_t
s_dump (char *line, size_t size)
{
    char data[512], err[256];
    store_t *store = store_new (s_data (data), 0, err);
    cr_assert_not_null (store, "%s", err);
    /* A write transaction, aborted: the drill-down's pending changes are
       settled first, so that two states compare as explain reads them
       whatever their last settle was. */
    store_txn_t *txn = store_begin (store, true);
    cr_assert_not_null (txn);
    cr_assert_eq (state_counted_settle (txn, 0), STORE_OK);
    size_t used = 0;
    uint64_t tickets = 0;
    for (size_t t = 0; t < sizeof (s_derived) / sizeof (s_derived[0]); t++) {
        store_cursor_t *cursor = store_cursor_new (txn, s_derived[t], NULL, 0);
        cr_assert_not_null (cursor);
        uint64_t hash = 14695981039346656037ULL, entries = 0;
        const void *key, *value;
        size_t key_size, value_size;
        while (store_cursor_next (cursor, &key, &key_size, &value,
                                  &value_size) == STORE_OK) {
            hash = s_fnv (hash, &key_size, sizeof (key_size));
            hash = s_fnv (hash, key, key_size);
            hash = s_fnv (hash, &value_size, sizeof (value_size));
            hash = s_fnv (hash, value, value_size);
            entries++;
        }
        store_cursor_destroy (&cursor);
        if (s_derived[t] == STORE_TICKETS)
            tickets = entries;
        used += (size_t)snprintf (
            line + used, size - used, "%d:%llu:%016llx ", (int)s_derived[t],
            (unsigned long long)entries, (unsigned long long)hash);
    }
    uint64_t clock = 0, next = 0;
    store_meta_get (txn, "clock", &clock);
    cr_expect_eq (store_meta_get (txn, "rebuild_next", &next), STORE_NOTFOUND,
                  "rebuild_next is left behind: %llu",
                  (unsigned long long)next);
    snprintf (line + used, size - used, "clock:%llu",
              (unsigned long long)clock);
    store_abort (&txn);
    store_destroy (&store);
    return tickets;
}

/* Leaves the store as a rebuild interrupted after the commit of its
   first `applied` log events leaves it: derived tables emptied and
   refilled by those events on the event clock, rebuild_next after them.
   applied = 0 is a crash right after the first transaction. */
static void
s_interrupt_after (uint64_t applied)
{
    char data[512], err[256];
    store_t *store = store_new (s_data (data), 0, err);
    cr_assert_not_null (store, "%s", err);
    store_txn_t *txn = store_begin (store, true);
    cr_assert_not_null (txn);
    for (size_t t = 0; t < sizeof (s_derived) / sizeof (s_derived[0]); t++)
        cr_assert_eq (store_clear (txn, s_derived[t]), STORE_OK);
    store_del (txn, STORE_META, "clock", 5);
    store_cursor_t *cursor = store_cursor_new (txn, STORE_LOG, NULL, 0);
    cr_assert_not_null (cursor);
    const void *key, *value;
    size_t key_size, size;
    uint64_t seq = 0;
    proto_event_t *events = calloc (applied ? applied : 1, sizeof (*events));
    uint64_t *seqs = calloc (applied ? applied : 1, sizeof (*seqs));
    cr_assert_not_null (events);
    cr_assert_not_null (seqs);
    /* Decoded first: the cursor's values are only valid until writes. */
    uint64_t n = 0;
    while (n < applied && store_cursor_next (cursor, &key, &key_size, &value,
                                             &size) == STORE_OK) {
        char reason[PROTO_ERROR_MAX + 1];
        cr_assert_eq (proto_event_decode (value, size, &events[n], reason), 0,
                      "%s", reason);
        seq = seqs[n] = store_get_be64 (key);
        n++;
    }
    store_cursor_destroy (&cursor);
    cr_assert_eq (n, applied, "the log is shorter than %llu events",
                  (unsigned long long)applied);
    for (uint64_t i = 0; i < n; i++) {
        char reason[PROTO_ERROR_MAX + 1];
        int store_rc;
        state_reject_t kind;
        cr_assert_eq (state_reapply (txn, &events[i],
                                     &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                                    .wall_now = WALL_NOW,
                                                    .log_seq = seqs[i]},
                                     reason, &store_rc, &kind),
                      STATE_STORED, "%s", reason);
    }
    free (events);
    free (seqs);
    cr_assert_eq (store_meta_put (txn, "rebuild_next", seq + 1), STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    store_destroy (&store);
}

/* ---- tests ----------------------------------------------------------------
 */

Test (replay, gives_a_byte_identical_report_and_tables_after_a_replay)
{
    cr_assert (harness_start (&h), "hotlined did not start (see %s)", h.dir);
    char *before = s_feed ();
    long events = s_lines ("wc -l < events.jsonl");
    cr_assert_eq (harness_stop (&h), 0);
    char tables_before[512], tables_after[512];
    cr_assert_gt (s_dump (tables_before, sizeof (tables_before)), 2000,
                  "the month has some 2,200 tickets");

    char *out = NULL, *err = NULL;
    int rc = s_replay (NULL, &out, &err);
    cr_assert_eq (rc, 0, "replay failed: %s", err);
    cJSON *summary = cJSON_Parse (out);
    cr_assert_not_null (summary, "the summary is not JSON: %s", out);
    cr_expect_eq (s_num (summary, "events"), (double)events);
    cr_expect_eq (s_num (summary, "refused"), 0);
    cr_expect_geq (s_num (summary, "seconds"), 0);
    cr_expect_gt (s_num (summary, "events_per_second"), 0);
    cJSON_Delete (summary);
    free (out);
    free (err);
    s_dump (tables_after, sizeof (tables_after));
    cr_expect_str_eq (tables_after, tables_before);

    cr_assert (harness_start (&h), "hotlined did not start after replay");
    char *after = s_report ();
    cr_expect_str_eq (after, before, "the reports differ");
    free (before);
    free (after);
}

Test (replay, refuses_while_the_daemon_runs_and_a_second_daemon_refuses_too)
{
    cr_assert (harness_start (&h));
    char *out = NULL, *err = NULL;
    int rc = s_replay (NULL, &out, &err);
    cr_expect_eq (rc, 1);
    cr_expect (strstr (err, "another hotlined or hotline replay is using") !=
                   NULL,
               "%s", err);
    cr_expect_str_eq (out, "", "nothing on stdout: %s", out);
    free (out);
    free (err);
    /* A second daemon on the same directory stops before it binds. */
    rc = harness_run (&h, NULL, &err, "$HOTLINED --config $CFG");
    cr_expect_eq (rc, 1);
    cr_expect (strstr (err, "another hotlined or hotline replay is using") !=
                   NULL,
               "%s", err);
    free (err);
    /* The first one is unharmed. */
    char *report = s_report ();
    free (report);
}

static void
s_finishes_an_interrupted_rebuild (uint64_t applied_before)
{
    cr_assert (harness_start (&h));
    char *before = s_feed ();
    long events = s_lines ("wc -l < events.jsonl");
    cr_assert_eq (harness_stop (&h), 0);
    char tables_before[512], tables_after[512];
    s_dump (tables_before, sizeof (tables_before));
    uint64_t applied =
        applied_before == UINT64_MAX ? (uint64_t)events / 2 : applied_before;
    s_interrupt_after (applied);

    /* Half-rebuilt aggregates must not be served. */
    cr_assert_not (harness_start (&h), "hotlined started on a half rebuild");
    char path[512];
    char *log = harness_slurp (harness_path (&h, "daemon.log", path));
    cr_expect (log && strstr (log, "was interrupted: run `hotline replay "
                                   "--data "),
               "daemon log: %s", log);
    free (log);

    char *out = NULL, *err = NULL;
    int rc = s_replay (NULL, &out, &err);
    cr_assert_eq (rc, 0, "replay failed: %s", err);
    char resuming[64];
    snprintf (resuming, sizeof (resuming),
              "resuming an interrupted rebuild at event %llu",
              (unsigned long long)applied + 1);
    cr_expect (strstr (err, resuming) != NULL, "%s", err);
    cJSON *summary = cJSON_Parse (out);
    cr_assert_not_null (summary, "%s", out);
    cr_expect_eq (s_num (summary, "events"), (double)(events - (long)applied));
    cr_expect_eq (s_num (summary, "refused"), 0);
    cJSON_Delete (summary);
    free (out);
    free (err);
    s_dump (tables_after, sizeof (tables_after));
    cr_expect_str_eq (tables_after, tables_before);

    cr_assert (harness_start (&h), "hotlined did not start after replay");
    char *after = s_report ();
    cr_expect_str_eq (after, before, "the reports differ");
    free (before);
    free (after);
}

Test (replay, finishes_a_rebuild_interrupted_half_way_and_hotlined_waits_for_it)
{
    s_finishes_an_interrupted_rebuild (UINT64_MAX);
}

Test (replay, finishes_a_rebuild_interrupted_right_after_emptying_the_tables)
{
    s_finishes_an_interrupted_rebuild (0);
}

Test (replay, counts_and_names_the_events_the_current_rules_refuse)
{
    cr_assert (harness_start (&h));
    char *report = s_feed ();
    free (report);
    long events = s_lines ("wc -l < events.jsonl");
    long small = s_lines ("grep -c unit_id.:.J99. events.jsonl");
    cr_assert_gt (small, 0);
    cr_assert_eq (harness_stop (&h), 0);
    /* The office dropped a unit from its registry: that unit's events
       are now refused as unknown_unit. */
    char data[512], err_text[256];
    store_t *store = store_new (s_data (data), 0, err_text);
    cr_assert_not_null (store, "%s", err_text);
    store_txn_t *txn = store_begin (store, true);
    cr_assert_eq (store_del (txn, STORE_UNITS, "J99", 3), STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    store_destroy (&store);

    char *out = NULL, *err = NULL;
    int rc = s_replay (NULL, &out, &err);
    cr_assert_eq (rc, 0, "refusals are reported, not fatal: %s", err);
    cJSON *summary = cJSON_Parse (out);
    cr_assert_not_null (summary, "%s", out);
    cr_expect_eq (s_num (summary, "refused"), (double)small);
    cr_expect_eq (s_num (summary, "events"), (double)(events - small));
    cJSON_Delete (summary);
    cr_expect (strstr (err, "events refused") && strstr (err, "unknown unit "
                                                              "J99"),
               "%s", err);
    free (out);
    free (err);
}

Test (replay, on_the_wall_clock_moves_the_clock_to_now)
{
    cr_assert (harness_start (&h));
    char *report = s_feed ();
    free (report);
    cr_assert_eq (harness_stop (&h), 0);
    int64_t started = (int64_t)time (NULL) * 1000;
    char *err = NULL;
    cr_assert_eq (s_replay ("--clock wall", NULL, &err), 0, "%s", err);
    free (err);
    char data[512], err_text[256];
    store_t *store = store_new (s_data (data), 0, err_text);
    cr_assert_not_null (store, "%s", err_text);
    store_txn_t *txn = store_begin (store, false);
    cr_expect_geq (state_clock_now (txn), started);
    store_abort (&txn);
    store_destroy (&store);
}

Test (replay, refuses_a_directory_without_a_store_and_a_bad_clock)
{
    char *err = NULL;
    int rc = harness_run (&h, NULL, &err, "$HOTLINE replay --data nowhere");
    cr_expect_eq (rc, 1);
    cr_expect (strstr (err, "no store in nowhere") != NULL, "%s", err);
    free (err);
    rc = s_replay ("--clock sundial", NULL, &err);
    cr_expect_eq (rc, 2);
    cr_expect (strstr (err, "--clock must be wall or event") != NULL, "%s",
               err);
    free (err);
}

/* ---- migration from the previous layout -------------------------------- */

/* One ticket's trail entries, as the previous layout keyed them. */
typedef struct {
    store_txn_t *txn;  /* the write transaction */
    const char *id;    /* the ticket */
    uint8_t **keys;    /* its entries' keys and values, gathered */
    size_t *key_sizes; /* (written once the new trail is gone) */
    uint8_t **values;
    size_t *sizes;
    size_t count;
} s_old_t;

static void
s_old_entry (void *arg, uint64_t seq, bool clock, const char *unit,
             const state_count_t *counts, size_t n)
{
    s_old_t *o = arg;
    size_t id = strlen (o->id);
    uint8_t *key = malloc (id + 10);
    uint8_t *value = malloc (1 + strlen (unit) + n * STATE_TRAIL_SIZE);
    cr_assert (key && value);
    memcpy (key, o->id, id);
    key[id] = 0;
    store_put_be64 (key + id + 1, seq);
    key[id + 9] = clock ? STATE_TRAIL_CLOCK : STATE_TRAIL_EVENT;
    value[0] = (uint8_t)strlen (unit);
    memcpy (value + 1, unit, value[0]);
    for (size_t i = 0; i < n; i++) {
        state_trail_rec_t r = {counts[i].period.code,
                               (uint8_t)counts[i].period.kind,
                               (uint8_t)counts[i].counter, counts[i].delta};
        state__trail_encode (&r, value + 1 + value[0] + i * STATE_TRAIL_SIZE);
    }
    o->keys = realloc (o->keys, (o->count + 1) * sizeof (*o->keys));
    o->key_sizes =
        realloc (o->key_sizes, (o->count + 1) * sizeof (*o->key_sizes));
    o->values = realloc (o->values, (o->count + 1) * sizeof (*o->values));
    o->sizes = realloc (o->sizes, (o->count + 1) * sizeof (*o->sizes));
    cr_assert (o->keys && o->key_sizes && o->values && o->sizes);
    o->keys[o->count] = key;
    o->key_sizes[o->count] = id + 10;
    o->values[o->count] = value;
    o->sizes[o->count] = 1 + value[0] + n * STATE_TRAIL_SIZE;
    o->count++;
}

/* Rewrites every counter record as layouts before 6 stored them: int32s
   in full. Returns how many. */
static size_t
s_downgrade_counters (store_txn_t *txn)
{
    size_t n = store_count (txn, STORE_COUNTERS), count = 0;
    uint8_t (*keys)[STORE_KEY_MAX] = calloc (n ? n : 1, sizeof (*keys));
    size_t *key_sizes = calloc (n ? n : 1, sizeof (*key_sizes));
    int32_t (*values)[RULES_STORED_COUNTERS] =
        calloc (n ? n : 1, sizeof (*values));
    cr_assert (keys && key_sizes && values);
    store_cursor_t *cursor = store_cursor_new (txn, STORE_COUNTERS, NULL, 0);
    const void *key, *value;
    size_t key_size, size;
    while (count < n && store_cursor_next (cursor, &key, &key_size, &value,
                                           &size) == STORE_OK) {
        memcpy (keys[count], key, key_size);
        key_sizes[count] = key_size;
        cr_assert_eq (store_i32_decode (value, size, values[count],
                                        RULES_STORED_COUNTERS),
                      0);
        count++;
    }
    store_cursor_destroy (&cursor);
    for (size_t i = 0; i < count; i++)
        cr_assert_eq (store_put (txn, STORE_COUNTERS, keys[i], key_sizes[i],
                                 values[i], sizeof (values[i])),
                      STORE_OK);
    free (keys);
    free (key_sizes);
    free (values);
    cr_assert_gt (count, 100, "too few counter records to tell");
    return count;
}

/* Rewrites the stopped daemon's store as an older layout left it. 5:
   counter records as int32s. 4 as well, and
   ticket records as the struct is in memory (288 bytes). 3: records of
   272 bytes without the trail's head, and each ticket's trail under
   ticket \0 seq kind. */
static void
s_downgrade (int layout)
{
    char data[512], err[256];
    store_t *store = store_new (s_data (data), 0, err);
    cr_assert_not_null (store, "%s", err);
    store_txn_t *txn = store_begin (store, true);
    cr_assert_not_null (txn);
    size_t tickets = store_count (txn, STORE_TICKETS);
    char (*ids)[PROTO_ID_MAX + 1] = calloc (tickets, sizeof (*ids));
    cr_assert_not_null (ids);
    store_cursor_t *cursor = store_cursor_new (txn, STORE_TICKETS, NULL, 0);
    const void *key, *value;
    size_t key_size, size, n = 0;
    while (n < tickets && store_cursor_next (cursor, &key, &key_size, &value,
                                             &size) == STORE_OK)
        memcpy (ids[n++], key, key_size);
    store_cursor_destroy (&cursor);
    s_old_t old = {.txn = txn};
    for (size_t i = 0; i < n && layout == 3; i++) {
        old.id = ids[i];
        cr_assert_eq (state_trail_scan (txn, ids[i], s_old_entry, &old),
                      STORE_OK, "ticket %s has no trail", ids[i]);
    }
    if (layout == 3)
        cr_assert_eq (store_clear (txn, STORE_TRAIL), STORE_OK);
    for (size_t i = 0; i < old.count; i++) {
        cr_assert_eq (store_put (txn, STORE_TRAIL, old.keys[i],
                                 old.key_sizes[i], old.values[i], old.sizes[i]),
                      STORE_OK);
        free (old.keys[i]);
        free (old.values[i]);
    }
    for (size_t i = 0; i < n; i++) {
        state_ticket_t t;
        cr_assert_eq (state__ticket_get (txn, ids[i], &t), STORE_OK);
        /* Layout 5 had this version's ticket records; 4 stored the
           struct as it is in memory, 288 bytes; 3 its first 272. */
        t.version = (uint8_t)layout;
        uint8_t bytes[512];
        size_t record = layout == 5   ? state__ticket_encode (&t, bytes)
                        : layout == 3 ? 272
                                      : 288;
        cr_assert_eq (store_put (txn, STORE_TICKETS, ids[i], strlen (ids[i]),
                                 layout == 5 ? (const void *)bytes : &t,
                                 record),
                      STORE_OK);
    }
    s_downgrade_counters (txn);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    store_destroy (&store);
    free (old.keys);
    free (old.key_sizes);
    free (old.values);
    free (old.sizes);
    free (ids);
}

/* explain of the first unit, and ticket (table and JSON) of the tickets
   it lists: what a migration must keep. */
static char *
s_drill_down (void)
{
    char *out = NULL, *err = NULL;
    int rc = harness_run (
        &h, &out, &err,
        "u=$(sed -n 2p units.csv | cut -d, -f1) && x=\"$HOTLINE explain "
        "--ruleset jintai-2025 --period 2025-07 --unit $u --format json\" && "
        "$x && for t in $($x | grep -o '\"ticket_id\":\"[^\"]*\"' | cut "
        "-d'\"' -f4 | sort -u | head -12); do $HOTLINE ticket $t && $HOTLINE "
        "ticket $t --format json || exit 1; done");
    cr_assert_eq (rc, 0, "explain or ticket failed: %s", err);
    cr_assert_gt (strlen (out), 1000, "too little to compare: %s", out);
    free (err);
    return out;
}

static void
s_migrates_from (int layout)
{
    cr_assert (harness_start (&h));
    char *report = s_feed ();
    char *before = s_drill_down ();
    cr_assert_eq (harness_stop (&h), 0);
    char tables_before[512], tables_after[512];
    s_dump (tables_before, sizeof (tables_before));
    s_downgrade (layout);

    cr_assert_not (harness_start (&h), "hotlined started on an old layout");
    char path[512];
    char *log = harness_slurp (harness_path (&h, "daemon.log", path));
    char expected[128];
    snprintf (expected, sizeof (expected),
              "ticket records, trails and counters are of layout %d, this "
              "version writes layout 6: run `hotline replay --data ",
              layout);
    cr_expect (log && strstr (log, expected), "daemon log: %s", log);
    free (log);

    char *err = NULL;
    cr_assert_eq (s_replay (NULL, NULL, &err), 0, "replay failed: %s", err);
    free (err);
    s_dump (tables_after, sizeof (tables_after));
    cr_expect_str_eq (tables_after, tables_before);
    cr_assert (harness_start (&h), "hotlined did not start after replay");
    char *after = s_drill_down ();
    cr_expect_str_eq (after, before, "explain or ticket changed");
    char *report_after = s_report ();
    cr_expect_str_eq (report_after, report, "the reports differ");
    free (after);
    free (before);
    free (report);
    free (report_after);
}

/* Layout 3: records of 272 bytes, trails keyed by ticket. */
Test (replay, migrates_a_store_of_the_previous_ticket_and_trail_layout)
{
    s_migrates_from (3);
}

/* Layout 4: records of 288 bytes, names at their full width. */
Test (replay, migrates_a_store_of_full_width_ticket_records)
{
    s_migrates_from (4);
}

/* Layout 5: counter records of int32s in full. */
Test (replay, migrates_a_store_of_int32_counter_records)
{
    s_migrates_from (5);
}
