/*  Tests for the scorer module: the ticket state machine and its counters
    (SCORING.md section 3), periods, formulas, rulesets, scoring and the
    report.

    State machine tests apply proto_event_t values built by hand to a fresh
    store (a temporary LMDB directory per test, removed in the teardown)
    holding four units, and read the counters back with store_get_i32 on the
    keys the scorer writes. Times are written as Asia/Shanghai local times.
*/
#include "testutil.h"

#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scorer.h"
#include "scorer_internal.h"

#ifndef HOTLINE_RULESETS_DIR
#define HOTLINE_RULESETS_DIR "rulesets"
#endif

/* ---- fixture ------------------------------------------------------------ */

static char s_root[64];  /* the test's temporary directory */
static char s_path[128]; /* the store's directory inside it */
static store_t *s_store; /* opened by the fixture */
static int s_event_seq;  /* numbers the events built by s_event */

/* The registry: three towns (U04 has few tickets in the report test) and
   one department. */
static void
s_import_units (store_t *store)
{
    proto_unit_t units[4];
    memset (units, 0, sizeof (units));
    const char *ids[4] = {"U01", "U02", "U03", "U04"};
    const char *names[4] = {"城关街道", "陈仓镇", "区民政局", "卧龙寺街道"};
    const char *groups[4] = {"town", "town", "dept", "town"};
    for (int i = 0; i < 4; i++) {
        snprintf (units[i].unit_id, sizeof (units[i].unit_id), "%s", ids[i]);
        snprintf (units[i].name, sizeof (units[i].name), "%s", names[i]);
        snprintf (units[i].group, sizeof (units[i].group), "%s", groups[i]);
    }
    store_txn_t *txn = store_begin (store, true);
    cr_assert_not_null (txn);
    size_t added = 0;
    cr_assert_eq (scorer_units_import (txn, units, 4, &added), STORE_OK);
    cr_assert_eq (added, 4);
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

static void
s_setup (void)
{
    snprintf (s_root, sizeof (s_root), "/tmp/hl_test_scorer_XXXXXX");
    cr_assert_not_null (mkdtemp (s_root), "mkdtemp: %s", strerror (errno));
    snprintf (s_path, sizeof (s_path), "%s/db", s_root);
    char err[256] = "";
    s_store = store_new (s_path, 0, err);
    cr_assert_not_null (s_store, "store_new: %s", err);
    s_import_units (s_store);
    s_event_seq = 0;
}

static void
s_teardown (void)
{
    store_destroy (&s_store);
    testutil_remove_tree (s_root);
}

TestSuite (scorer, .init = s_setup, .fini = s_teardown);

/* ---- events ------------------------------------------------------------- */

/* "2025-07-01 09:00" or "2025-07-01 09:00:01", Asia/Shanghai, in ms. */
static int64_t
s_ms (const char *local)
{
    char text[40];
    snprintf (text, sizeof (text), "%s%s+08:00", local,
              strlen (local) == 16 ? ":00" : "");
    int64_t ms = 0;
    cr_assert_eq (proto_time_parse (text, &ms), 0, "bad time %s", text);
    return ms;
}

static proto_event_t
s_event (proto_type_t type, const char *ticket, const char *unit,
         const char *at)
{
    proto_event_t ev;
    memset (&ev, 0, sizeof (ev));
    snprintf (ev.event_id, sizeof (ev.event_id), "e%d", ++s_event_seq);
    ev.type = type;
    snprintf (ev.ticket_id, sizeof (ev.ticket_id), "%s", ticket);
    snprintf (ev.unit_id, sizeof (ev.unit_id), "%s", unit);
    ev.occurred_at = s_ms (at);
    return ev;
}

static proto_event_t
s_received (const char *ticket, const char *unit, const char *dispatched,
            const char *at, const char *due)
{
    proto_event_t ev = s_event (PROTO_RECEIVED, ticket, unit, at);
    ev.dispatched_at = s_ms (dispatched);
    ev.due_at = s_ms (due);
    snprintf (ev.channel, sizeof (ev.channel), "hotline");
    snprintf (ev.category, sizeof (ev.category), "property");
    return ev;
}

static proto_event_t
s_with_due (proto_type_t type, const char *ticket, const char *unit,
            const char *at, const char *due)
{
    proto_event_t ev = s_event (type, ticket, unit, at);
    ev.due_at = s_ms (due);
    return ev;
}

static proto_event_t
s_revisited (const char *ticket, const char *unit, const char *at,
             proto_satisfaction_t satisfaction, proto_resolved_t resolved,
             bool rework)
{
    proto_event_t ev = s_event (PROTO_REVISITED, ticket, unit, at);
    ev.satisfaction = satisfaction;
    ev.resolved = resolved;
    ev.rework = rework;
    return ev;
}

static proto_event_t
s_adjusted (const char *unit, const char *period, const char *item,
            double value, const char *at)
{
    proto_event_t ev = s_event (PROTO_ADJUSTED, "", unit, at);
    snprintf (ev.period, sizeof (ev.period), "%s", period);
    snprintf (ev.item, sizeof (ev.item), "%s", item);
    ev.value = value;
    return ev;
}

/* Applies one event in its own write transaction (event clock) and
   commits; returns the outcome and the reason. */
static scorer_outcome_t
s_try (const proto_event_t *ev, scorer_effects_t *effects, char *reason)
{
    char why[PROTO_ERROR_MAX + 1];
    cr_assert_eq (proto_event_validate (ev, why), 0, "test event %s: %s",
                  ev->event_id, why);
    store_txn_t *txn = store_begin (s_store, true);
    cr_assert_not_null (txn);
    int rc = STORE_OK;
    scorer_outcome_t outcome =
        scorer_apply (txn, ev, SCORER_CLOCK_EVENT, effects, reason, &rc);
    if (outcome == SCORER_FAILED) {
        store_abort (&txn);
        cr_assert_fail ("event %s failed: %s", ev->event_id,
                        store_strerror (rc));
    }
    cr_assert_eq (rc, STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    return outcome;
}

/* Applies an event that must be stored. */
static void
s_apply (proto_event_t ev)
{
    char reason[PROTO_ERROR_MAX + 1] = "";
    scorer_outcome_t outcome = s_try (&ev, NULL, reason);
    cr_assert_eq (outcome, SCORER_STORED, "event %s (%s of %s): %d %s",
                  ev.event_id, proto_type_name (ev.type), ev.ticket_id, outcome,
                  reason);
}

static void
s_apply_fx (proto_event_t ev, scorer_effects_t *effects)
{
    char reason[PROTO_ERROR_MAX + 1] = "";
    cr_assert_eq (s_try (&ev, effects, reason), SCORER_STORED, "%s", reason);
}

/* A ticket dispatched and signed at `at`, due at `due`. */
static void
s_open (const char *ticket, const char *unit, const char *at, const char *due)
{
    s_apply (s_received (ticket, unit, at, at, due));
}

static void
s_close (const char *ticket, const char *unit, const char *at)
{
    s_apply (s_event (PROTO_CLOSED, ticket, unit, at));
}

static void
s_tick (const char *at)
{
    s_apply (s_event (PROTO_TICK, "", "", at));
}

/* ---- counters ------------------------------------------------------------ */

/* Every counter (derived ones filled) of a unit, period and slice. */
static void
s_counters (const char *period, const char *unit, const char *prefix,
            const char *slice, double *out)
{
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_not_null (txn);
    uint8_t key[STORE_KEY_MAX];
    size_t size = scorer__counter_key (key, period, unit, prefix, slice);
    int32_t stored[SC_STORED_COUNT];
    cr_assert_eq (
        store_get_i32 (txn, STORE_COUNTERS, key, size, stored, SC_STORED_COUNT),
        STORE_OK);
    store_abort (&txn);
    for (int c = 0; c < SC_STORED_COUNT; c++)
        out[c] = stored[c];
    scorer_counters_derive (out);
}

/* One counter of a unit in a period, all tickets. */
static int
s_c (const char *period, const char *unit, int counter)
{
    double all[SC_COUNT];
    s_counters (period, unit, "", "", all);
    return (int)all[counter];
}

/* One counter of a slice. */
static int
s_cs (const char *period, const char *unit, const char *prefix,
      const char *slice, int counter)
{
    double all[SC_COUNT];
    s_counters (period, unit, prefix, slice, all);
    return (int)all[counter];
}

/* Everything in the store, serialised, to show that nothing changed. */
static char *
s_snapshot (size_t *size)
{
    char *buf = NULL;
    FILE *out = open_memstream (&buf, size);
    cr_assert_not_null (out);
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_not_null (txn);
    for (int t = 0; t < STORE_TABLE_COUNT; t++) {
        store_cursor_t *cursor = store_cursor_new (txn, t, NULL, 0);
        cr_assert_not_null (cursor);
        const void *key, *value;
        size_t key_size, value_size;
        fprintf (out, "table %d\n", t);
        while (store_cursor_next (cursor, &key, &key_size, &value,
                                  &value_size) == STORE_OK) {
            fwrite (&key_size, sizeof (key_size), 1, out);
            fwrite (key, 1, key_size, out);
            fwrite (&value_size, sizeof (value_size), 1, out);
            fwrite (value, 1, value_size, out);
        }
        store_cursor_destroy (&cursor);
    }
    store_abort (&txn);
    fclose (out);
    return buf;
}

/* Applies an event that must be rejected with a reason containing
   `expected`, and checks that the store is byte for byte unchanged. */
static void
s_expect_rejected (proto_event_t ev, const char *expected)
{
    size_t before_size, after_size;
    char *before = s_snapshot (&before_size);
    store_txn_t *txn = store_begin (s_store, false);
    size_t log_before = store_count (txn, STORE_LOG);
    store_abort (&txn);

    char reason[PROTO_ERROR_MAX + 1] = "";
    scorer_outcome_t outcome = s_try (&ev, NULL, reason);
    cr_assert_eq (outcome, SCORER_REJECTED, "event %s (%s) was not rejected",
                  ev.event_id, proto_type_name (ev.type));
    cr_assert_not_null (strstr (reason, expected), "reason \"%s\" lacks \"%s\"",
                        reason, expected);

    txn = store_begin (s_store, false);
    cr_assert_eq (store_count (txn, STORE_LOG), log_before);
    store_abort (&txn);
    char *after = s_snapshot (&after_size);
    cr_assert_eq (before_size, after_size, "the store changed");
    cr_assert_eq (memcmp (before, after, before_size), 0, "the store changed");
    free (before);
    free (after);
}

/* ---- the ticket state machine: counters ---------------------------------- */

Test (scorer, received_counts_in_the_month_the_quarter_and_both_slices)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_open ("T2", "U01", "2025-08-03 09:00", "2025-08-06 18:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_RECEIVED), 1);
    cr_assert_eq (s_c ("2025-08", "U01", SC_RECEIVED), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_RECEIVED), 2);
    cr_assert_eq (s_cs ("2025-07", "U01", "ch:", "hotline", SC_RECEIVED), 1);
    cr_assert_eq (s_cs ("2025-Q3", "U01", "cat:", "property", SC_RECEIVED), 2);
    cr_assert_eq (s_c ("2025-07", "U02", SC_RECEIVED), 0);
    cr_assert_eq (s_c ("2025-07", "U01", SC_SIGNED_LATE), 0);
}

Test (scorer, a_ticket_signed_more_than_an_hour_after_dispatch_is_signed_late)
{
    s_apply (s_received ("T1", "U01", "2025-07-01 09:00", "2025-07-01 10:00",
                         "2025-07-04 18:00"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_SIGNED_LATE), 0,
                  "exactly one hour is in time");
    s_apply (s_received ("T2", "U01", "2025-07-01 09:00", "2025-07-01 10:00:01",
                         "2025-07-04 18:00"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_SIGNED_LATE), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_SIGNED_LATE), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_RECEIVED), 2);
}

Test (scorer, a_first_contact_more_than_two_hours_after_receipt_is_late_once)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_apply (s_event (PROTO_CONTACTED, "T1", "U01", "2025-07-01 11:00"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_CONTACTED_LATE), 0,
                  "exactly two hours is in time");
    s_apply (s_event (PROTO_CONTACTED, "T2", "U01", "2025-07-01 11:00:01"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_CONTACTED_LATE), 1);
    s_apply (s_event (PROTO_CONTACTED, "T2", "U01", "2025-07-01 15:00"));
    s_apply (s_event (PROTO_CONTACTED, "T1", "U01", "2025-07-01 15:00"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_CONTACTED_LATE), 1,
                  "only the first contact counts");
    s_close ("T1", "U01", "2025-07-02 09:00");
    s_close ("T2", "U01", "2025-07-02 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CONTACTED_LATE), 1);
}

Test (scorer, a_ticket_closed_without_any_contact_is_contacted_late_once)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", "2025-07-01 10:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CONTACTED_LATE), 1);
    s_apply (s_revisited ("T1", "U01", "2025-07-02 10:00", PROTO_SAT_BASIC,
                          PROTO_RES_PARTLY, true));
    s_apply (s_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-02 10:05",
                         "2025-07-05 18:00"));
    s_close ("T1", "U01", "2025-07-03 10:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CONTACTED_LATE), 1,
                  "counted once per ticket");
}

Test (scorer, a_ticket_not_contacted_by_its_deadline_is_contacted_late_once)
{
    s_open ("T1", "U01", "2025-07-30 09:00", "2025-07-31 18:00");
    store_txn_t *txn = store_begin (s_store, true);
    cr_assert_eq (scorer_advance_clock (txn, s_ms ("2025-08-01 09:00"), NULL),
                  STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CONTACTED_LATE), 1,
                  "counted in the period of the deadline");
    cr_assert_eq (s_c ("2025-08", "U01", SC_CONTACTED_LATE), 0);
    s_apply (s_event (PROTO_CONTACTED, "T1", "U01", "2025-08-01 10:00"));
    s_close ("T1", "U01", "2025-08-02 10:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CONTACTED_LATE), 1);
    cr_assert_eq (s_c ("2025-08", "U01", SC_CONTACTED_LATE), 0);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_CONTACTED_LATE), 1);
}

Test (scorer, a_return_more_than_two_hours_after_dispatch_is_returned_late)
{
    s_apply (s_received ("T1", "U01", "2025-07-01 09:00", "2025-07-01 09:30",
                         "2025-07-04 18:00"));
    s_apply (s_received ("T2", "U01", "2025-07-01 09:00", "2025-07-01 09:30",
                         "2025-07-04 18:00"));
    s_apply (s_event (PROTO_RETURNED, "T1", "U01", "2025-07-01 11:00"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_RETURNED), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_RETURNED_LATE), 0,
                  "exactly two hours after dispatch is in time");
    s_apply (s_event (PROTO_RETURNED, "T2", "U01", "2025-07-01 11:01"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_RETURNED), 2);
    cr_assert_eq (s_c ("2025-07", "U01", SC_RETURNED_LATE), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_RETURNED_LATE), 1);
}

Test (scorer, a_returned_ticket_has_no_deadline_and_can_go_to_another_unit)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_apply (s_event (PROTO_RETURNED, "T1", "U01", "2025-07-01 10:00"));
    s_tick ("2025-07-10 00:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 0);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 0);
    s_apply (s_received ("T1", "U02", "2025-07-10 09:00", "2025-07-10 09:10",
                         "2025-07-14 18:00"));
    s_close ("T1", "U02", "2025-07-11 09:00");
    cr_assert_eq (s_c ("2025-07", "U02", SC_RECEIVED), 1);
    cr_assert_eq (s_c ("2025-07", "U02", SC_CLOSED_ON_TIME), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED), 0);
}

Test (scorer,
      an_extension_moves_the_deadline_so_a_close_after_the_old_one_is_on_time)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_apply (s_with_due (PROTO_EXTENDED, "T1", "U01", "2025-07-03 09:00",
                         "2025-07-08 18:00"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_EXTENDED), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_EXTENDED), 1);
    s_tick ("2025-07-06 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 0,
                  "the old deadline no longer fires");
    s_close ("T1", "U01", "2025-07-07 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_ON_TIME), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_LATE), 0);
    cr_assert_eq (s_c ("2025-07", "U01", SC_DAYS_LATE), 0);
}

Test (scorer, a_close_by_the_deadline_is_on_time_and_after_it_late)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", "2025-07-04 18:00");
    s_close ("T2", "U01", "2025-07-04 18:01");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED), 2);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_ON_TIME), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_LATE), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_FIRST_TIME_CLOSED), 2);
    cr_assert_eq (s_c ("2025-07", "U01", SC_SHOULD_CLOSE), 2);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_CLOSED), 2);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_CLOSED_ON_TIME), 1);
}

/* Closes T1 (open with U01), sends it back for rework and closes it again
   at `second`, all in July. */
static void
s_close_rework_close (const char *first, const char *second)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", first);
    s_apply (s_revisited ("T1", "U01", "2025-07-06 10:00",
                          PROTO_SAT_UNSATISFIED, PROTO_RES_NO, true));
    s_apply (s_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-06 10:05",
                         "2025-07-09 18:00"));
    s_close ("T1", "U01", second);
}

Test (scorer, closing_again_after_rework_counts_once_and_a_late_reclose_decides)
{
    s_close_rework_close ("2025-07-03 10:00", "2025-07-10 10:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_ON_TIME), 0);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_LATE), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_CLOSED), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_CLOSED_ON_TIME), 0);
}

Test (scorer,
      closing_again_after_rework_counts_once_and_an_on_time_reclose_decides)
{
    s_close_rework_close ("2025-07-05 10:00", "2025-07-08 10:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_ON_TIME), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_LATE), 0);
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 0);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 1,
                  "the first deadline passed while open");
}

Test (scorer, rework_undoes_a_first_time_closure_of_the_same_period)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", "2025-07-02 10:00");
    s_close ("T2", "U01", "2025-07-02 10:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_FIRST_TIME_CLOSED), 2);
    s_apply (s_revisited ("T1", "U01", "2025-07-03 10:00",
                          PROTO_SAT_UNSATISFIED, PROTO_RES_NO, true));
    cr_assert_eq (s_c ("2025-07", "U01", SC_FIRST_TIME_CLOSED), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_FIRST_TIME_CLOSED), 1);
    s_apply (s_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-03 10:05",
                         "2025-07-06 18:00"));
    s_close ("T1", "U01", "2025-07-04 10:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_FIRST_TIME_CLOSED), 1,
                  "a reworked ticket is never first-time again");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED), 2);
}

Test (scorer,
      rework_in_the_next_month_keeps_the_first_time_closure_of_the_month_before)
{
    s_open ("T1", "U01", "2025-07-28 09:00", "2025-07-31 18:00");
    s_close ("T1", "U01", "2025-07-30 10:00");
    s_apply (s_revisited ("T1", "U01", "2025-08-02 10:00", PROTO_SAT_BASIC,
                          PROTO_RES_PARTLY, true));
    s_apply (s_with_due (PROTO_REOPENED, "T1", "U01", "2025-08-02 10:05",
                         "2025-08-08 18:00"));
    s_close ("T1", "U01", "2025-08-05 10:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_FIRST_TIME_CLOSED), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED), 1);
    cr_assert_eq (s_c ("2025-08", "U01", SC_CLOSED), 1);
    cr_assert_eq (s_c ("2025-08", "U01", SC_CLOSED_ON_TIME), 1);
    cr_assert_eq (s_c ("2025-08", "U01", SC_FIRST_TIME_CLOSED), 0);
    cr_assert_eq (s_c ("2025-08", "U01", SC_REWORK), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_CLOSED), 1,
                  "one ticket, one quarter");
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_CLOSED_ON_TIME), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_FIRST_TIME_CLOSED), 0);
}

Test (scorer, a_deadline_passed_by_the_clock_counts_overdue_open_and_an_alert)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    store_txn_t *txn = store_begin (s_store, true);
    cr_assert_eq (scorer_advance_clock (txn, s_ms ("2025-07-04 18:00"), NULL),
                  STORE_OK);
    cr_assert_eq (scorer_clock_now (txn), s_ms ("2025-07-04 18:00"));
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 0,
                  "the deadline itself is still in time");

    txn = store_begin (s_store, true);
    cr_assert_eq (
        scorer_advance_clock (txn, s_ms ("2025-07-04 18:00") + 1, NULL),
        STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_SHOULD_CLOSE), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_OVERDUE_OPEN), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_ALERTS), 1);
    cr_assert_eq (s_cs ("2025-07", "U01", "ch:", "hotline", SC_ALERTS), 1);

    /* Advancing again raises nothing new; going back does nothing. */
    txn = store_begin (s_store, true);
    cr_assert_eq (scorer_advance_clock (txn, s_ms ("2025-07-06 00:00"), NULL),
                  STORE_OK);
    cr_assert_eq (scorer_advance_clock (txn, s_ms ("2025-07-02 00:00"), NULL),
                  STORE_OK);
    cr_assert_eq (scorer_clock_now (txn), s_ms ("2025-07-06 00:00"));
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 1);
}

Test (scorer, a_later_event_on_the_event_clock_raises_every_passed_deadline)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-03 18:00");
    s_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_open ("T3", "U02", "2025-07-01 09:00", "2025-07-02 18:00");
    s_open ("T4", "U01", "2025-07-01 09:00", "2025-07-20 18:00");
    s_open ("T5", "U01", "2025-07-05 09:00", "2025-07-09 18:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 2,
                  "T5's receipt moved the clock past T1 and T2");
    cr_assert_eq (s_c ("2025-07", "U02", SC_OVERDUE_OPEN), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 2);
    s_tick ("2025-07-10 00:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 3);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 3);
    store_txn_t *txn = store_begin (s_store, false);
    /* T4's deadline and its warning (80% of 19 days 9 hours from
       dispatch: 2025-07-16 14:48) are still ahead. */
    cr_assert_eq (store_count (txn, STORE_DUE), 2, "only T4 still waits");
    cr_assert_eq (scorer_clock_now (txn), s_ms ("2025-07-10 00:00"));
    store_abort (&txn);
}

Test (scorer,
      overdue_open_is_taken_back_when_the_ticket_closes_in_the_same_month)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_tick ("2025-07-05 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 1);
    s_close ("T1", "U01", "2025-07-06 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 0);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 1, "the alert stays");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_LATE), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_SHOULD_CLOSE), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_OVERDUE_OPEN), 0);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_ALERTS), 1);
}

Test (scorer,
      overdue_open_stays_in_the_month_when_the_ticket_closes_in_the_next)
{
    s_open ("T1", "U01", "2025-07-25 09:00", "2025-07-29 18:00");
    s_tick ("2025-07-30 09:00");
    s_close ("T1", "U01", "2025-08-02 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_SHOULD_CLOSE), 1);
    cr_assert_eq (s_c ("2025-08", "U01", SC_CLOSED), 1);
    cr_assert_eq (s_c ("2025-08", "U01", SC_CLOSED_LATE), 1);
    cr_assert_eq (s_c ("2025-08", "U01", SC_OVERDUE_OPEN), 0);
    cr_assert_eq (s_c ("2025-08", "U01", SC_ALERTS), 0);
    /* At the end of Q3 the ticket was closed: counted once, as closed. */
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_OVERDUE_OPEN), 0);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_CLOSED), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_SHOULD_CLOSE), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_ALERTS), 1);
}

Test (scorer, an_extension_or_return_after_the_deadline_takes_back_overdue_open)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_tick ("2025-07-05 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 2);
    s_apply (s_with_due (PROTO_EXTENDED, "T1", "U01", "2025-07-05 10:00",
                         "2025-07-10 18:00"));
    s_apply (s_event (PROTO_RETURNED, "T2", "U01", "2025-07-05 10:00"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 0);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 2, "the alerts stay");
    s_close ("T1", "U01", "2025-07-08 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_ON_TIME), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 2);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_OVERDUE_OPEN), 0);
}

Test (scorer, overdue_is_counted_in_the_period_of_the_deadline)
{
    s_open ("T1", "U01", "2025-07-28 09:00", "2025-07-31 22:00");
    s_tick ("2025-08-02 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 1);
    cr_assert_eq (s_c ("2025-08", "U01", SC_OVERDUE_OPEN), 0);
    cr_assert_eq (s_c ("2025-08", "U01", SC_ALERTS), 0);
}

Test (scorer, quarter_counters_sum_the_months)
{
    const char *months[3] = {"2025-07", "2025-08", "2025-09"};
    const char *days[3] = {"2025-07-10", "2025-08-10", "2025-09-10"};
    int n = 0;
    for (int m = 0; m < 3; m++)
        for (int i = 0; i <= m; i++) {
            char ticket[16], at[32], due[32], close[32];
            snprintf (ticket, sizeof (ticket), "T%d", ++n);
            snprintf (at, sizeof (at), "%s 09:00", days[m]);
            snprintf (due, sizeof (due), "%s 18:00", days[m]);
            snprintf (close, sizeof (close), "%s 1%d:00", days[m], i);
            s_open (ticket, "U01", at, due);
            s_close (ticket, "U01", close);
        }
    s_open ("T99", "U01", "2025-10-01 00:00", "2025-10-04 00:00");
    int sum_received = 0, sum_closed = 0;
    for (int m = 0; m < 3; m++) {
        cr_assert_eq (s_c (months[m], "U01", SC_RECEIVED), m + 1);
        sum_received += s_c (months[m], "U01", SC_RECEIVED);
        sum_closed += s_c (months[m], "U01", SC_CLOSED);
    }
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_RECEIVED), sum_received);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_CLOSED), sum_closed);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_CLOSED_ON_TIME), 6);
    cr_assert_eq (s_c ("2025-Q4", "U01", SC_RECEIVED), 1);
}

Test (scorer, channel_and_category_slices_split_a_units_tickets)
{
    proto_event_t ev = s_received ("T1", "U01", "2025-07-01 09:00",
                                   "2025-07-01 09:00", "2025-07-04 18:00");
    snprintf (ev.channel, sizeof (ev.channel), "mailbox");
    snprintf (ev.category, sizeof (ev.category), "traffic");
    s_apply (ev);
    s_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_open ("T3", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", "2025-07-05 09:00");
    s_close ("T2", "U01", "2025-07-02 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_RECEIVED), 3);
    cr_assert_eq (s_cs ("2025-07", "U01", "ch:", "mailbox", SC_RECEIVED), 1);
    cr_assert_eq (s_cs ("2025-07", "U01", "ch:", "hotline", SC_RECEIVED), 2);
    cr_assert_eq (s_cs ("2025-07", "U01", "cat:", "traffic", SC_RECEIVED), 1);
    cr_assert_eq (s_cs ("2025-07", "U01", "cat:", "property", SC_RECEIVED), 2);
    cr_assert_eq (s_cs ("2025-07", "U01", "ch:", "mailbox", SC_CLOSED), 1);
    cr_assert_eq (s_cs ("2025-07", "U01", "ch:", "mailbox", SC_CLOSED_LATE), 1);
    cr_assert_eq (s_cs ("2025-07", "U01", "ch:", "hotline", SC_CLOSED_ON_TIME),
                  1);
    cr_assert_eq (s_cs ("2025-Q3", "U01", "cat:", "traffic", SC_CLOSED), 1);
    cr_assert_eq (s_cs ("2025-07", "U01", "ch:", "", SC_RECEIVED), 0,
                  "no empty slice");
}

Test (scorer, revisits_count_unsatisfied_and_unresolved)
{
    const proto_satisfaction_t sat[4] = {PROTO_SAT_SATISFIED,
                                         PROTO_SAT_UNSATISFIED,
                                         PROTO_SAT_UNSATISFIED, PROTO_SAT_NONE};
    const proto_resolved_t res[4] = {PROTO_RES_YES, PROTO_RES_NO,
                                     PROTO_RES_PARTLY, PROTO_RES_NO};
    for (int i = 0; i < 4; i++) {
        char ticket[8];
        snprintf (ticket, sizeof (ticket), "T%d", i);
        s_open (ticket, "U01", "2025-07-01 09:00", "2025-07-04 18:00");
        s_close (ticket, "U01", "2025-07-02 09:00");
        s_apply (s_revisited (ticket, "U01", "2025-07-03 09:00", sat[i], res[i],
                              false));
    }
    cr_assert_eq (s_c ("2025-07", "U01", SC_REVISITED), 4);
    cr_assert_eq (s_c ("2025-07", "U01", SC_UNSATISFIED), 2);
    cr_assert_eq (s_c ("2025-07", "U01", SC_UNRESOLVED), 2);
    cr_assert_eq (s_c ("2025-07", "U01", SC_REWORK), 0);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_UNSATISFIED), 2);
    cr_assert_eq (s_cs ("2025-07", "U01", "ch:", "hotline", SC_UNRESOLVED), 2);
}

Test (scorer, a_rework_revisit_followed_by_a_reopen_counts_one_rework)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", "2025-07-02 09:00");
    s_apply (s_revisited ("T1", "U01", "2025-07-03 09:00",
                          PROTO_SAT_UNSATISFIED, PROTO_RES_NO, true));
    cr_assert_eq (s_c ("2025-07", "U01", SC_REWORK), 1);
    s_apply (s_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-03 09:05",
                         "2025-07-06 18:00"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_REWORK), 1);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_REWORK), 1);
}

Test (scorer, a_reopen_without_a_rework_revisit_counts_one_rework)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", "2025-07-02 09:00");
    s_apply (s_revisited ("T1", "U01", "2025-07-03 09:00", PROTO_SAT_SATISFIED,
                          PROTO_RES_YES, false));
    s_apply (s_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-03 09:05",
                         "2025-07-06 18:00"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_REWORK), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_FIRST_TIME_CLOSED), 0);
    /* A reopen right after closing, with no revisit at all. */
    s_close ("T1", "U01", "2025-07-04 09:00");
    s_apply (s_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-04 09:05",
                         "2025-07-08 18:00"));
    cr_assert_eq (s_c ("2025-07", "U01", SC_REWORK), 2);
}

Test (scorer,
      key_supervision_and_repeat_dispatch_tickets_closed_late_are_counted)
{
    proto_event_t ev = s_received ("K1", "U01", "2025-07-01 09:00",
                                   "2025-07-01 09:00", "2025-07-04 18:00");
    ev.key_supervision = true;
    s_apply (ev);
    ev = s_received ("K2", "U01", "2025-07-01 09:00", "2025-07-01 09:00",
                     "2025-07-04 18:00");
    ev.key_supervision = true;
    s_apply (ev);
    ev = s_received ("R1", "U01", "2025-07-01 09:00", "2025-07-01 09:00",
                     "2025-07-04 18:00");
    ev.repeat_dispatch = true;
    s_apply (ev);
    s_open ("P1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("K2", "U01", "2025-07-03 09:00");
    s_close ("K1", "U01", "2025-07-05 09:00");
    s_close ("R1", "U01", "2025-07-05 09:00");
    s_close ("P1", "U01", "2025-07-05 09:00");
    cr_assert_eq (s_c ("2025-07", "U01", SC_KEY_CLOSED_LATE), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_REPEAT_CLOSED_LATE), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_LATE), 3);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_KEY_CLOSED_LATE), 1);
}

Test (scorer, days_late_sums_the_days_begun_after_each_deadline)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_open ("T3", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", "2025-07-04 18:00:01"); /* 1 day begun */
    s_close ("T2", "U01", "2025-07-06 09:00");    /* 1 day 15 h: 2 */
    s_close ("T3", "U01", "2025-07-06 18:00");    /* exactly 2 days */
    cr_assert_eq (s_c ("2025-07", "U01", SC_DAYS_LATE), 5);
    cr_assert_eq (s_c ("2025-Q3", "U01", SC_DAYS_LATE), 5);
}

/* The manual item record: value and the occurred_at that set it. */
typedef struct {
    double value;
    int64_t at;
} s_manual_t;

static int
s_manual_get (const char *period, const char *unit, const char *item,
              s_manual_t *rec)
{
    store_txn_t *txn = store_begin (s_store, false);
    uint8_t key[STORE_KEY_MAX];
    size_t ksize = scorer__counter_key (key, period, unit, "", item);
    size_t size = sizeof (*rec);
    int rc = store_get (txn, STORE_MANUAL, key, ksize, rec, &size);
    store_abort (&txn);
    if (rc == STORE_OK)
        cr_assert_eq (size, sizeof (*rec));
    return rc;
}

Test (scorer, adjusted_keeps_the_latest_value_by_occurred_at)
{
    s_manual_t rec;
    cr_assert_eq (s_manual_get ("2024-Q4", "U01", "knowledge_base", &rec),
                  STORE_NOTFOUND);
    s_apply (s_adjusted ("U01", "2024-Q4", "knowledge_base", 9.5,
                         "2025-01-05 10:00"));
    cr_assert_eq (s_manual_get ("2024-Q4", "U01", "knowledge_base", &rec),
                  STORE_OK);
    cr_assert_eq (rec.value, 9.5);
    cr_assert_eq (rec.at, s_ms ("2025-01-05 10:00"));
    /* An older adjustment arriving later does not overwrite it. */
    s_apply (
        s_adjusted ("U01", "2024-Q4", "knowledge_base", 7, "2025-01-04 10:00"));
    s_manual_get ("2024-Q4", "U01", "knowledge_base", &rec);
    cr_assert_eq (rec.value, 9.5);
    s_apply (s_adjusted ("U01", "2024-Q4", "knowledge_base", 8.25,
                         "2025-01-06 10:00"));
    s_manual_get ("2024-Q4", "U01", "knowledge_base", &rec);
    cr_assert_eq (rec.value, 8.25);
    /* Other units, items and periods are separate. */
    cr_assert_eq (s_manual_get ("2024-Q4", "U02", "knowledge_base", &rec),
                  STORE_NOTFOUND);
    cr_assert_eq (s_manual_get ("2024-Q4", "U01", "organisation", &rec),
                  STORE_NOTFOUND);
    cr_assert_eq (s_manual_get ("2025-Q1", "U01", "knowledge_base", &rec),
                  STORE_NOTFOUND);
}

Test (scorer, the_event_clock_is_the_latest_occurred_at)
{
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_eq (scorer_clock_now (txn), 0, "no events: no clock");
    store_abort (&txn);
    s_open ("T1", "U01", "2025-07-05 09:00", "2025-07-09 18:00");
    s_open ("T2", "U01", "2025-07-03 09:00", "2025-07-09 18:00");
    txn = store_begin (s_store, false);
    cr_assert_eq (scorer_clock_now (txn), s_ms ("2025-07-05 09:00"));
    store_abort (&txn);
    s_tick ("2025-07-07 00:00");
    txn = store_begin (s_store, false);
    cr_assert_eq (scorer_clock_now (txn), s_ms ("2025-07-07 00:00"));
    cr_assert_eq (store_count (txn, STORE_LOG), 3, "ticks are logged too");
    store_abort (&txn);
}

Test (scorer, every_stored_event_is_logged_and_remembered_for_deduplication)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", "2025-07-02 09:00");
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_eq (store_count (txn, STORE_LOG), 2);
    cr_assert_eq (store_count (txn, STORE_DEDUP), 2);
    uint8_t key[8], seq[8];
    store_put_be64 (key, 2);
    char bytes[1024];
    size_t size = sizeof (bytes);
    cr_assert_eq (store_get (txn, STORE_LOG, key, 8, bytes, &size), STORE_OK);
    proto_event_t ev;
    char reason[PROTO_ERROR_MAX + 1];
    cr_assert_eq (proto_event_decode ((uint8_t *)bytes, size, &ev, reason), 0,
                  "%s", reason);
    cr_assert_str_eq (ev.event_id, "e2");
    cr_assert_eq (ev.type, PROTO_CLOSED);
    size = sizeof (seq);
    cr_assert_eq (store_get (txn, STORE_DEDUP, "e2", 2, seq, &size), STORE_OK);
    cr_assert_eq (store_get_be64 (seq), 2);
    store_abort (&txn);
}

Test (scorer, units_import_keeps_the_registry_order_when_a_unit_is_updated)
{
    proto_unit_t units[2];
    memset (units, 0, sizeof (units));
    snprintf (units[0].unit_id, sizeof (units[0].unit_id), "U05");
    snprintf (units[0].name, sizeof (units[0].name), "新单位");
    snprintf (units[0].group, sizeof (units[0].group), "dept");
    snprintf (units[1].unit_id, sizeof (units[1].unit_id), "U01");
    snprintf (units[1].name, sizeof (units[1].name), "renamed");
    snprintf (units[1].group, sizeof (units[1].group), "town");
    store_txn_t *txn = store_begin (s_store, true);
    size_t added = 9;
    cr_assert_eq (scorer_units_import (txn, units, 2, &added), STORE_OK);
    cr_assert_eq (added, 1);
    scorer_unit_t unit;
    cr_assert_eq (scorer_unit_get (txn, "U01", &unit), STORE_OK);
    cr_assert_str_eq (unit.name, "renamed");
    cr_assert_eq (unit.order, 1);
    cr_assert_eq (scorer_unit_get (txn, "U05", &unit), STORE_OK);
    cr_assert_eq (unit.order, 5);
    cr_assert_str_eq (unit.group, "dept");
    cr_assert_eq (scorer_unit_get (txn, "U99", &unit), STORE_NOTFOUND);
    size_t count = 0;
    scorer_unit_t *list = scorer_units_list (txn, &count);
    cr_assert_eq (count, 5);
    const char *order[5] = {"U01", "U02", "U03", "U04", "U05"};
    for (size_t i = 0; i < count; i++)
        cr_assert_str_eq (list[i].unit_id, order[i]);
    free (list);
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

/* ---- rejections and duplicates ------------------------------------------ */

Test (scorer, an_event_of_an_unknown_unit_is_rejected_and_changes_nothing)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_expect_rejected (s_received ("T2", "U99", "2025-07-01 09:00",
                                   "2025-07-01 09:00", "2025-07-04 18:00"),
                       "unknown unit U99");
    s_expect_rejected (
        s_adjusted ("U99", "2025-07", "bonus", 1, "2025-07-02 09:00"),
        "unknown unit U99");
}

Test (scorer, an_event_for_an_unknown_ticket_is_rejected_and_changes_nothing)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_expect_rejected (
        s_event (PROTO_CONTACTED, "T404", "U01", "2025-07-01 10:00"),
        "unknown ticket T404");
    s_expect_rejected (
        s_event (PROTO_CLOSED, "T404", "U01", "2025-07-10 10:00"),
        "unknown ticket T404");
}

Test (scorer, receiving_a_ticket_that_is_still_open_is_rejected)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_expect_rejected (s_received ("T1", "U02", "2025-07-01 09:00",
                                   "2025-07-01 09:30", "2025-07-04 18:00"),
                       "ticket T1 is already open with unit U01");
    s_expect_rejected (s_received ("T1", "U01", "2025-07-01 09:00",
                                   "2025-07-01 09:30", "2025-07-04 18:00"),
                       "already open");
    cr_assert_eq (s_c ("2025-07", "U01", SC_RECEIVED), 1);
}

Test (scorer, an_event_for_a_ticket_owned_by_another_unit_is_rejected)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_expect_rejected (s_event (PROTO_CLOSED, "T1", "U02", "2025-07-02 09:00"),
                       "ticket T1 is with unit U01, not U02");
    s_apply (s_event (PROTO_RETURNED, "T1", "U01", "2025-07-01 10:00"));
    s_open ("T1", "U02", "2025-07-01 11:00", "2025-07-04 18:00");
    s_expect_rejected (
        s_event (PROTO_CONTACTED, "T1", "U01", "2025-07-01 12:00"),
        "ticket T1 is with unit U02, not U01");
}

Test (scorer, closing_a_closed_ticket_is_rejected)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", "2025-07-02 09:00");
    s_expect_rejected (s_event (PROTO_CLOSED, "T1", "U01", "2025-07-03 09:00"),
                       "ticket T1 is not open");
    s_expect_rejected (s_with_due (PROTO_EXTENDED, "T1", "U01",
                                   "2025-07-03 09:00", "2025-07-09 18:00"),
                       "not open");
    s_expect_rejected (
        s_event (PROTO_RETURNED, "T1", "U01", "2025-07-03 09:00"), "not open");
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED), 1);
}

Test (scorer, revisiting_or_reopening_an_open_ticket_is_rejected)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_expect_rejected (s_revisited ("T1", "U01", "2025-07-02 09:00",
                                    PROTO_SAT_UNSATISFIED, PROTO_RES_NO, true),
                       "ticket T1 is not closed");
    s_expect_rejected (s_with_due (PROTO_REOPENED, "T1", "U01",
                                   "2025-07-02 09:00", "2025-07-09 18:00"),
                       "not closed");
}

Test (scorer, events_for_a_returned_ticket_are_rejected_until_it_is_received)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_apply (s_event (PROTO_RETURNED, "T1", "U01", "2025-07-01 10:00"));
    s_expect_rejected (s_event (PROTO_CLOSED, "T1", "U01", "2025-07-02 09:00"),
                       "not open");
    s_expect_rejected (s_revisited ("T1", "U01", "2025-07-02 09:00",
                                    PROTO_SAT_SATISFIED, PROTO_RES_YES, false),
                       "not closed");
}

Test (scorer, a_rejected_event_does_not_advance_the_clock)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_expect_rejected (s_event (PROTO_CLOSED, "T1", "U02", "2025-07-20 09:00"),
                       "is with unit");
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_eq (scorer_clock_now (txn), s_ms ("2025-07-01 09:00"));
    store_abort (&txn);
    cr_assert_eq (s_c ("2025-07", "U01", SC_OVERDUE_OPEN), 0);
}

Test (scorer, a_duplicate_event_id_is_reported_and_changes_nothing)
{
    proto_event_t received =
        s_received ("T1", "U01", "2025-07-01 09:00", "2025-07-01 09:00",
                    "2025-07-04 18:00");
    s_apply (received);
    proto_event_t close =
        s_event (PROTO_CLOSED, "T1", "U01", "2025-07-02 09:00");
    s_apply (close);
    size_t before_size, after_size;
    char *before = s_snapshot (&before_size);
    char reason[PROTO_ERROR_MAX + 1] = "x";
    cr_assert_eq (s_try (&received, NULL, reason), SCORER_DUPLICATE);
    cr_assert_eq (s_try (&close, NULL, reason), SCORER_DUPLICATE);
    /* Same id, different content: still the same event. */
    proto_event_t other =
        s_event (PROTO_CONTACTED, "T9", "U02", "2025-09-01 09:00");
    snprintf (other.event_id, sizeof (other.event_id), "%s", received.event_id);
    cr_assert_eq (s_try (&other, NULL, reason), SCORER_DUPLICATE);
    char *after = s_snapshot (&after_size);
    cr_assert_eq (before_size, after_size);
    cr_assert_eq (memcmp (before, after, before_size), 0, "the store changed");
    free (before);
    free (after);
    cr_assert_eq (s_c ("2025-07", "U01", SC_RECEIVED), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED), 1);
}

Test (scorer, a_duplicate_within_one_transaction_is_reported)
{
    proto_event_t ev = s_received ("T1", "U01", "2025-07-01 09:00",
                                   "2025-07-01 09:00", "2025-07-04 18:00");
    store_txn_t *txn = store_begin (s_store, true);
    char reason[PROTO_ERROR_MAX + 1];
    int rc;
    cr_assert_eq (
        scorer_apply (txn, &ev, SCORER_CLOCK_EVENT, NULL, reason, &rc),
        SCORER_STORED);
    cr_assert_eq (
        scorer_apply (txn, &ev, SCORER_CLOCK_EVENT, NULL, reason, &rc),
        SCORER_DUPLICATE);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_assert_eq (s_c ("2025-07", "U01", SC_RECEIVED), 1);
}

/* ---- the wall clock ------------------------------------------------------ */

/* Applies with the wall clock (the daemon's default) in one transaction. */
static scorer_outcome_t
s_try_wall (const proto_event_t *ev, int *rc, char *reason)
{
    store_txn_t *txn = store_begin (s_store, true);
    cr_assert_not_null (txn);
    scorer_outcome_t outcome =
        scorer_apply (txn, ev, SCORER_CLOCK_WALL, NULL, reason, rc);
    if (outcome == SCORER_FAILED)
        store_abort (&txn);
    else
        cr_assert_eq (store_commit (&txn), STORE_OK);
    return outcome;
}

Test (scorer, with_the_wall_clock_a_new_ticket_is_received)
{
    proto_event_t ev = s_received ("T1", "U01", "2025-07-01 09:00",
                                   "2025-07-01 09:00", "2025-07-04 18:00");
    int rc = STORE_OK;
    char reason[PROTO_ERROR_MAX + 1] = "";
    scorer_outcome_t outcome = s_try_wall (&ev, &rc, reason);
    cr_expect_eq (outcome, SCORER_STORED, "outcome %d, store_rc %d (%s)",
                  outcome, rc, store_strerror (rc));
    cr_expect_eq (s_c ("2025-07", "U01", SC_RECEIVED), 1);
}

Test (scorer, with_the_wall_clock_an_adjusted_event_is_stored)
{
    proto_event_t ev =
        s_adjusted ("U01", "2025-07", "bonus", 0.5, "2025-07-02 09:00");
    int rc = STORE_OK;
    char reason[PROTO_ERROR_MAX + 1] = "";
    scorer_outcome_t outcome = s_try_wall (&ev, &rc, reason);
    cr_expect_eq (outcome, SCORER_STORED, "outcome %d, store_rc %d (%s)",
                  outcome, rc, store_strerror (rc));
}

Test (scorer,
      with_the_wall_clock_events_of_a_known_ticket_do_not_move_the_clock)
{
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    proto_event_t ev = s_event (PROTO_CLOSED, "T1", "U01", "2025-07-20 09:00");
    int rc = STORE_OK;
    char reason[PROTO_ERROR_MAX + 1] = "";
    cr_assert_eq (s_try_wall (&ev, &rc, reason), SCORER_STORED, "rc %d", rc);
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_eq (scorer_clock_now (txn), s_ms ("2025-07-01 09:00"));
    store_abort (&txn);
    cr_assert_eq (s_c ("2025-07", "U01", SC_CLOSED_LATE), 1);
    cr_assert_eq (s_c ("2025-07", "U01", SC_ALERTS), 0,
                  "the wall clock never passed the deadline");
}

Test (scorer, a_full_store_makes_apply_fail_with_the_store_code)
{
    char path[160], err[256] = "";
    snprintf (path, sizeof (path), "%s/tiny", s_root);
    store_t *tiny = store_new (path, 1 << 20, err);
    cr_assert_not_null (tiny, "%s", err);
    s_import_units (tiny);
    store_txn_t *txn = store_begin (tiny, true);
    cr_assert_not_null (txn);
    scorer_outcome_t outcome = SCORER_STORED;
    int rc = STORE_OK, n = 0;
    char reason[PROTO_ERROR_MAX + 1];
    while (outcome == SCORER_STORED && n < 100000) {
        char ticket[32];
        snprintf (ticket, sizeof (ticket), "ticket-%06d", n++);
        proto_event_t ev = s_received (ticket, "U01", "2025-07-01 09:00",
                                       "2025-07-01 09:00", "2025-07-04 18:00");
        snprintf (ev.category, sizeof (ev.category), "cat%06d", n);
        outcome =
            scorer_apply (txn, &ev, SCORER_CLOCK_EVENT, NULL, reason, &rc);
    }
    cr_assert_eq (outcome, SCORER_FAILED, "after %d events", n);
    cr_assert_eq (rc, STORE_FULL, "store_rc %d", rc);
    store_abort (&txn);
    store_destroy (&tiny);
}

/* ---- effects ------------------------------------------------------------- */

Test (scorer,
      effects_collect_touched_periods_and_a_warning_overdue_cleared_sequence)
{
    scorer_effects_t *effects = scorer_effects_new ();
    cr_assert_not_null (effects);
    s_apply_fx (s_received ("T1", "U01", "2025-07-01 09:00", "2025-07-01 09:00",
                            "2025-07-04 18:00"),
                effects);
    s_apply_fx (s_event (PROTO_TICK, "", "", "2025-07-05 09:00"), effects);
    s_apply_fx (s_event (PROTO_CLOSED, "T1", "U01", "2025-07-06 09:00"),
                effects);

    zsock_t *server = zsock_new_pair ("@inproc://test-effects");
    zsock_t *client = zsock_new_pair (">inproc://test-effects");
    cr_assert_not_null (server);
    cr_assert_not_null (client);
    cr_assert_eq (scorer_effects_send (effects, server), 0);
    zpoller_t *poller = zpoller_new (client, NULL);
    cr_assert_eq (zpoller_wait (poller, 2000), client, "no message");
    zmsg_t *msg = zmsg_recv (client);
    cr_assert_not_null (msg);

    bool month = false, quarter = false;
    int alerts = 0;
    /* Dispatched 07-01 09:00, due 07-04 18:00: a limit of 81 hours, 80%
       of it passed at 07-04 01:48. */
    const char *kinds[3] = {"warning", "overdue", "cleared"};
    const char *ats[3] = {"2025-07-04T01:48:00+08:00",
                          "2025-07-04T18:00:00+08:00",
                          "2025-07-06T09:00:00+08:00"};
    char *frame;
    while ((frame = zmsg_popstr (msg))) {
        if (strcmp (frame, "T") == 0) {
            char *touched = zmsg_popstr (msg);
            cr_assert_not_null (touched);
            month |= strcmp (touched, "2025-07\x1fU01") == 0;
            quarter |= strcmp (touched, "2025-Q3\x1fU01") == 0;
            cr_assert (strcmp (touched, "2025-07\x1fU01") == 0 ||
                           strcmp (touched, "2025-Q3\x1fU01") == 0,
                       "unexpected touched %s", touched);
            zstr_free (&touched);
        } else {
            cr_assert_str_eq (frame, "A");
            char *unit = zmsg_popstr (msg);
            char *json = zmsg_popstr (msg);
            cr_assert_not_null (json);
            cr_assert_str_eq (unit, "U01");
            cr_assert_lt (alerts, 3, "more than three alerts");
            cJSON *doc = cJSON_Parse (json);
            cr_assert_not_null (doc, "bad json %s", json);
            cr_assert_str_eq (cJSON_GetObjectItem (doc, "kind")->valuestring,
                              kinds[alerts]);
            cr_assert_str_eq (
                cJSON_GetObjectItem (doc, "ticket_id")->valuestring, "T1");
            cr_assert_str_eq (cJSON_GetObjectItem (doc, "unit_id")->valuestring,
                              "U01");
            cr_assert_str_eq (cJSON_GetObjectItem (doc, "due_at")->valuestring,
                              "2025-07-04T18:00:00+08:00");
            cr_assert_str_eq (cJSON_GetObjectItem (doc, "at")->valuestring,
                              ats[alerts]);
            cJSON_Delete (doc);
            alerts++;
            zstr_free (&unit);
            zstr_free (&json);
        }
        zstr_free (&frame);
    }
    cr_assert (month && quarter, "both periods touched");
    cr_assert_eq (alerts, 3);
    zmsg_destroy (&msg);

    /* Sending reset the effects: nothing more goes out. */
    cr_assert_eq (scorer_effects_send (effects, server), 0);
    cr_assert_null (zpoller_wait (poller, 100));
    zpoller_destroy (&poller);
    zsock_destroy (&client);
    zsock_destroy (&server);
    scorer_effects_destroy (&effects);
    cr_assert_null (effects);
    scorer_effects_destroy (&effects);
}

Test (scorer, effects_of_an_adjustment_touch_its_period_and_reset_forgets)
{
    scorer_effects_t *effects = scorer_effects_new ();
    s_apply_fx (s_adjusted ("U02", "2024-Q4", "bonus", 1, "2025-01-02 09:00"),
                effects);
    zsock_t *server = zsock_new_pair ("@inproc://test-effects-2");
    zsock_t *client = zsock_new_pair (">inproc://test-effects-2");
    cr_assert_eq (scorer_effects_send (effects, server), 0);
    zpoller_t *poller = zpoller_new (client, NULL);
    cr_assert_eq (zpoller_wait (poller, 2000), client);
    zmsg_t *msg = zmsg_recv (client);
    cr_assert_eq (zmsg_size (msg), 2);
    char *t = zmsg_popstr (msg), *touched = zmsg_popstr (msg);
    cr_assert_str_eq (t, "T");
    cr_assert_str_eq (touched, "2024-Q4\x1fU02");
    zstr_free (&t);
    zstr_free (&touched);
    zmsg_destroy (&msg);

    s_apply_fx (s_adjusted ("U02", "2024-Q4", "bonus", 2, "2025-01-03 09:00"),
                effects);
    scorer_effects_reset (effects);
    cr_assert_eq (scorer_effects_send (effects, server), 0);
    cr_assert_null (zpoller_wait (poller, 100), "reset forgot everything");
    zpoller_destroy (&poller);
    zsock_destroy (&client);
    zsock_destroy (&server);
    scorer_effects_destroy (&effects);
}

/* ---- periods ------------------------------------------------------------- */

static char *
s_period_text (int64_t ms, scorer_period_kind_t kind, char *buf)
{
    return scorer_period_format (scorer_period_of (ms, kind), buf);
}

Test (period, a_time_belongs_to_its_month_in_shanghai_at_the_edges)
{
    char buf[8];
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-07-31 23:59:59"), SCORER_MONTH, buf),
        "2025-07");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-08-01 00:00:00"), SCORER_MONTH, buf),
        "2025-08");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-08-01 00:00:00") - 1, SCORER_MONTH, buf),
        "2025-07");
    /* 2025-07-31T16:00Z is already August in Shanghai. */
    int64_t utc = 0;
    cr_assert_eq (proto_time_parse ("2025-07-31T16:00:00Z", &utc), 0);
    cr_assert_str_eq (s_period_text (utc, SCORER_MONTH, buf), "2025-08");
    cr_assert_str_eq (s_period_text (utc - 1, SCORER_MONTH, buf), "2025-07");
    cr_assert_str_eq (
        s_period_text (s_ms ("2024-02-29 12:00"), SCORER_MONTH, buf),
        "2024-02");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-01-01 00:00"), SCORER_MONTH, buf),
        "2025-01");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-01-01 00:00") - 1, SCORER_MONTH, buf),
        "2024-12");
}

Test (period, a_time_belongs_to_its_quarter_at_the_edges)
{
    char buf[8];
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-09-30 23:59:59"), SCORER_QUARTER, buf),
        "2025-Q3");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-10-01 00:00"), SCORER_QUARTER, buf),
        "2025-Q4");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-01-01 00:00") - 1, SCORER_QUARTER, buf),
        "2024-Q4");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-01-01 00:00"), SCORER_QUARTER, buf),
        "2025-Q1");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-06-30 12:00"), SCORER_QUARTER, buf),
        "2025-Q2");
}

Test (period, months_and_quarters_parse_and_format)
{
    scorer_period_t p;
    char buf[8];
    cr_assert_eq (scorer_period_parse ("2025-07", &p), 0);
    cr_assert_eq (p.kind, SCORER_MONTH);
    cr_assert_eq (p.code, 2025 * 12 + 6);
    cr_assert_str_eq (scorer_period_format (p, buf), "2025-07");
    cr_assert_eq (scorer_period_parse ("2024-Q4", &p), 0);
    cr_assert_eq (p.kind, SCORER_QUARTER);
    cr_assert_eq (p.code, 2024 * 4 + 3);
    cr_assert_str_eq (scorer_period_format (p, buf), "2024-Q4");
    const char *good[] = {"2000-01", "2099-12", "2025-10", "2025-Q1",
                          "2099-Q4"};
    for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++) {
        cr_assert_eq (scorer_period_parse (good[i], &p), 0, "%s", good[i]);
        cr_assert_str_eq (scorer_period_format (p, buf), good[i]);
    }
}

Test (period, start_and_end_are_the_first_instants_in_shanghai)
{
    scorer_period_t p;
    cr_assert_eq (scorer_period_parse ("2025-07", &p), 0);
    cr_assert_eq (scorer_period_start (p), s_ms ("2025-07-01 00:00"));
    cr_assert_eq (scorer_period_end (p), s_ms ("2025-08-01 00:00"));
    cr_assert_eq (scorer_period_parse ("2025-12", &p), 0);
    cr_assert_eq (scorer_period_end (p), s_ms ("2026-01-01 00:00"));
    cr_assert_eq (scorer_period_parse ("2024-02", &p), 0);
    cr_assert_eq (scorer_period_end (p) - scorer_period_start (p),
                  29LL * 86400 * 1000, "a leap February");
    cr_assert_eq (scorer_period_parse ("2024-Q4", &p), 0);
    cr_assert_eq (scorer_period_start (p), s_ms ("2024-10-01 00:00"));
    cr_assert_eq (scorer_period_end (p), s_ms ("2025-01-01 00:00"));
    cr_assert_eq (scorer_period_parse ("2025-Q1", &p), 0);
    cr_assert_eq (scorer_period_start (p), s_ms ("2025-01-01 00:00"));
    cr_assert_eq (scorer_period_end (p), s_ms ("2025-04-01 00:00"));
}

Test (period, bad_period_texts_are_refused)
{
    const char *bad[] = {
        "",        "2025",     "2025-7",  "2025-13", "2025-00",  "2025-Q0",
        "2025-Q5", "2025-q3",  "2025/07", "25-07",   "2025-07x", "2025-7x",
        "1999-12", "2100-01",  "abcd-07", "2025-+7", "2025- 7",  " 2025-07",
        "2025-Q",  "2025-Q3 ", "-025-07", "2025-1a", "2025-0x"};
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        scorer_period_t p;
        cr_assert_eq (scorer_period_parse (bad[i], &p), -1, "\"%s\" accepted",
                      bad[i]);
    }
}

Test (period, counter_names_and_lookup_agree)
{
    for (int c = 0; c < SC_COUNT; c++)
        cr_assert_eq (scorer_counter_lookup (scorer_counter_name (c)), c);
    cr_assert_eq (scorer_counter_lookup ("closed"), SC_CLOSED);
    cr_assert_eq (scorer_counter_lookup ("should_close"), SC_SHOULD_CLOSE);
    cr_assert_eq (scorer_counter_lookup ("nothing"), -1);
    cr_assert_str_eq (scorer_counter_name (SC_COUNT), "?");
    cr_assert_str_eq (scorer_counter_name (-1), "?");
    double counters[SC_COUNT] = {0};
    counters[SC_CLOSED] = 10;
    counters[SC_CLOSED_ON_TIME] = 7;
    counters[SC_OVERDUE_OPEN] = 2;
    scorer_counters_derive (counters);
    cr_assert_eq (counters[SC_SHOULD_CLOSE], 12);
    cr_assert_eq (counters[SC_CLOSED_LATE], 3);
}

/* ---- expressions --------------------------------------------------------- */

static double
s_eval_with (const char *text, const double *vars)
{
    char err[256] = "";
    scorer_expr_t *expr =
        scorer__expr_compile (text, scorer__resolve_counter, NULL, err);
    cr_assert_not_null (expr, "%s: %s", text, err);
    double value = scorer__expr_eval (expr, vars);
    scorer__expr_destroy (&expr);
    cr_assert_null (expr);
    return value;
}

static double
s_eval (const char *text)
{
    static const double zero[SCORER_VAR_COUNT];
    return s_eval_with (text, zero);
}

/* Compiles a formula that must fail; the message must contain `expected`. */
static void
s_expr_error (const char *text, const char *expected)
{
    char err[256] = "";
    scorer_expr_t *expr =
        scorer__expr_compile (text, scorer__resolve_counter, NULL, err);
    cr_assert_null (expr, "\"%s\" compiled", text);
    cr_assert_not_null (strstr (err, expected), "\"%s\": \"%s\" lacks \"%s\"",
                        text, err, expected);
}

Test (expr, arithmetic_follows_the_usual_precedence)
{
    cr_assert_eq (s_eval ("1 + 2 * 3"), 7);
    cr_assert_eq (s_eval ("(1 + 2) * 3"), 9);
    cr_assert_eq (s_eval ("10 - 4 - 3"), 3, "left to right");
    cr_assert_eq (s_eval ("8 / 4 / 2"), 1, "left to right");
    cr_assert_eq (s_eval ("2 * 3 + 4 * 5"), 26);
    cr_assert_eq (s_eval ("1+2*3-4/2"), 5, "no spaces needed");
    cr_assert_float_eq (s_eval ("30 * 7 / 9"), 210.0 / 9, 1e-12);
    cr_assert_float_eq (s_eval (".5 + 1.25e1"), 13.0, 1e-12);
}

Test (expr, unary_minus_and_not_bind_tighter_than_products)
{
    cr_assert_eq (s_eval ("-2 * 3"), -6);
    cr_assert_eq (s_eval ("2 * -3"), -6);
    cr_assert_eq (s_eval ("--2"), 2);
    cr_assert_eq (s_eval ("2 - -1"), 3);
    cr_assert_eq (s_eval ("-(1 + 2)"), -3);
    cr_assert_eq (s_eval ("not 0"), 1);
    cr_assert_eq (s_eval ("not 3"), 0);
    cr_assert_eq (s_eval ("!0 + 1"), 2);
}

Test (expr, functions_clamp0_min_max_abs_and_if)
{
    cr_assert_eq (s_eval ("clamp0(-3)"), 0);
    cr_assert_eq (s_eval ("clamp0(2.5)"), 2.5);
    cr_assert_eq (s_eval ("clamp0(10 - 0.5 * 30)"), 0);
    cr_assert_eq (s_eval ("min(3, 4)"), 3);
    cr_assert_eq (s_eval ("max(3, 4)"), 4);
    cr_assert_eq (s_eval ("abs(-2.5)"), 2.5);
    cr_assert_eq (s_eval ("if(1, 2, 3)"), 2);
    cr_assert_eq (s_eval ("if(0, 2, 3)"), 3);
    cr_assert_eq (s_eval ("if(1 > 2, 10, min(5, max(1, 2)))"), 2);
    cr_assert_eq (s_eval ("max(min(1, 2), -abs(-7)) * 2"), 2);
}

Test (expr, comparisons_and_logic_give_one_or_zero)
{
    cr_assert_eq (s_eval ("1 < 2"), 1);
    cr_assert_eq (s_eval ("2 <= 2"), 1);
    cr_assert_eq (s_eval ("3 > 4"), 0);
    cr_assert_eq (s_eval ("2 >= 3"), 0);
    cr_assert_eq (s_eval ("2 == 2"), 1);
    cr_assert_eq (s_eval ("2 != 2"), 0);
    cr_assert_eq (s_eval ("1 + 1 == 2"), 1, "sums before comparisons");
    cr_assert_eq (s_eval ("1 < 2 and 3 > 4"), 0);
    cr_assert_eq (s_eval ("1 < 2 or 3 > 4"), 1);
    cr_assert_eq (s_eval ("1 or 0 and 0"), 1, "and binds tighter than or");
    cr_assert_eq (s_eval ("(1 or 0) and 0"), 0);
    cr_assert_eq (s_eval ("2 && 3"), 1);
    cr_assert_eq (s_eval ("0 || 0"), 0);
    cr_assert_eq (s_eval ("(1 < 2) * 5"), 5);
}

Test (expr, division_by_a_counter_that_is_zero_gives_zero)
{
    cr_assert_eq (s_eval ("30 * closed / should_close"), 0);
    double vars[SCORER_VAR_COUNT] = {0};
    vars[SC_CLOSED] = 9;
    vars[SC_SHOULD_CLOSE] = 10;
    cr_assert_eq (s_eval_with ("30 * closed / should_close", vars), 27);
}

Test (expr, counters_and_aggregates_resolve_to_their_slots)
{
    cr_assert_eq (scorer__resolve_counter ("closed", NULL), SC_CLOSED);
    cr_assert_eq (scorer__resolve_counter ("closed_late", NULL),
                  SC_CLOSED_LATE);
    cr_assert_eq (scorer__resolve_counter ("max_closed", NULL),
                  SCORER_VAR_AGG + 3 * SC_CLOSED);
    cr_assert_eq (scorer__resolve_counter ("mean_rework", NULL),
                  SCORER_VAR_AGG + 3 * SC_REWORK + 1);
    cr_assert_eq (scorer__resolve_counter ("sum_received", NULL),
                  SCORER_VAR_AGG + 3 * SC_RECEIVED + 2);
    cr_assert_eq (scorer__resolve_counter ("max_nothing", NULL), -1);
    cr_assert_eq (scorer__resolve_counter ("min_closed", NULL), -1);
    cr_assert_eq (scorer__resolve_counter ("closure", NULL), -1);

    double vars[SCORER_VAR_COUNT] = {0};
    vars[SC_CLOSED] = 6;
    vars[SCORER_VAR_AGG + 3 * SC_CLOSED] = 8;
    cr_assert_eq (s_eval_with ("5 * closed / max_closed", vars), 3.75);
    char err[256];
    scorer_expr_t *expr = scorer__expr_compile (
        "5 * closed / max_closed", scorer__resolve_counter, NULL, err);
    cr_assert (scorer__expr_uses (expr, SC_CLOSED));
    cr_assert (scorer__expr_uses (expr, SCORER_VAR_AGG + 3 * SC_CLOSED));
    cr_assert_not (scorer__expr_uses (expr, SC_REWORK));
    scorer__expr_destroy (&expr);
    scorer__expr_destroy (&expr);
}

Test (expr, an_unknown_name_is_an_error_with_its_column)
{
    s_expr_error ("closed + closedd", "unknown name closedd");
    s_expr_error ("closed + closedd", "column 10");
}

Test (expr, an_unknown_function_is_an_error)
{
    s_expr_error ("sqrt(4)", "unknown function sqrt");
    s_expr_error ("closed(1)", "unknown function closed");
}

Test (expr, a_wrong_argument_count_is_an_error)
{
    s_expr_error ("min(1)", "min takes 2 arguments");
    s_expr_error ("clamp0(1, 2)", "clamp0 takes 1 argument");
    s_expr_error ("if(1, 2)", "if takes 3 arguments");
    s_expr_error ("abs()", "unexpected");
}

Test (expr, unbalanced_parentheses_are_an_error)
{
    s_expr_error ("(1 + 2", "expected )");
    s_expr_error ("min(1, 2", "expected )");
    s_expr_error ("1 + 2)", "unexpected text");
}

Test (expr, trailing_text_is_an_error)
{
    s_expr_error ("1 2", "unexpected text");
    s_expr_error ("closed closed", "unexpected text");
    s_expr_error ("1 < 2 < 3", "unexpected text");
    s_expr_error ("1 + 2 ;", "unexpected text");
}

Test (expr, an_empty_or_cut_formula_is_an_error)
{
    s_expr_error ("", "unexpected end");
    s_expr_error ("   ", "unexpected end");
    s_expr_error ("1 +", "unexpected end");
    s_expr_error ("1 + $", "unexpected character");
}

Test (expr, an_overflowing_number_a_long_or_a_deep_formula_is_an_error)
{
    s_expr_error ("1e400", "bad number");
    char text[2048] = "1";
    for (int i = 0; i < 200; i++)
        strcat (text, "+1");
    s_expr_error (text, "formula too long");
    strcpy (text, "1");
    for (int i = 0; i < 70; i++)
        strcat (text, "+(1");
    for (int i = 0; i < 70; i++)
        strcat (text, ")");
    s_expr_error (text, "nested too deeply");
    /* Just within the limits it compiles. */
    strcpy (text, "1");
    for (int i = 0; i < 60; i++)
        strcat (text, "+(1");
    for (int i = 0; i < 60; i++)
        strcat (text, ")");
    cr_assert_eq (s_eval (text), 61);
}

/* ---- rulesets ------------------------------------------------------------ */

/* A file's whole text, or NULL. */
static char *
s_read_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *text = calloc (1, (size_t)size + 1);
    size_t got = fread (text, 1, (size_t)size, file);
    fclose (file);
    text[got] = 0;
    return text;
}

static void
s_write_file (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    cr_assert_not_null (file, "%s: %s", path, strerror (errno));
    fputs (text, file);
    fclose (file);
}

/* `text` with the first `from` replaced by `to`; the caller frees it. */
static char *
s_replace (const char *text, const char *from, const char *to)
{
    const char *at = strstr (text, from);
    cr_assert_not_null (at, "no \"%s\" in the text", from);
    size_t head = (size_t)(at - text);
    char *out = malloc (strlen (text) + strlen (to) + 1);
    memcpy (out, text, head);
    strcpy (out + head, to);
    strcat (out, at + strlen (from));
    return out;
}

static scorer_ruleset_t *
s_load (const char *text)
{
    char err[256] = "";
    scorer_ruleset_t *rs = scorer_ruleset_load (text, "t.zpl", err);
    cr_assert_not_null (rs, "%s", err);
    return rs;
}

/* Loads a ruleset that must be refused with exactly `expected`. */
static void
s_load_error (const char *text, const char *expected)
{
    char err[256] = "";
    scorer_ruleset_t *rs = scorer_ruleset_load (text, "t.zpl", err);
    cr_assert_null (rs, "loaded:\n%s", text);
    cr_assert_str_eq (err, expected);
}

Test (ruleset, the_shipped_jintai_2025_loads)
{
    char *text = s_read_file (HOTLINE_RULESETS_DIR "/jintai-2025.zpl");
    cr_assert_not_null (text, "cannot read %s",
                        HOTLINE_RULESETS_DIR "/jintai-2025.zpl");
    char err[256] = "";
    scorer_ruleset_t *rs = scorer_ruleset_load (text, "jintai-2025.zpl", err);
    cr_assert_not_null (rs, "%s", err);
    cr_assert_str_eq (scorer_ruleset_id (rs), "jintai-2025");
    cr_assert_eq (scorer_ruleset_period_kind (rs), SCORER_MONTH);
    cr_assert_eq (rs->total, TOTAL_SUM_SHOWN);
    cr_assert_eq (rs->rank, RANK_SEQUENTIAL);
    cr_assert_eq (rs->tiebreak, SC_CLOSED);
    cr_assert_not_null (rs->exclude);
    cr_assert_str_eq (rs->exclude_text, "should_close < 5");
    cr_assert_eq (rs->table_count, 2);
    cr_assert_str_eq (rs->tables[0].group, "town");
    cr_assert_str_eq (rs->tables[0].title, "镇街");
    cr_assert_str_eq (rs->tables[1].group, "dept");
    cr_assert_eq (rs->item_count, 7);
    const char *ids[7] = {"closure",  "on_time",      "overdue_return", "alert",
                          "workload", "satisfaction", "rework"};
    double points = 0;
    for (int i = 0; i < 7; i++) {
        cr_assert_str_eq (rs->items[i].id, ids[i]);
        cr_assert_eq (rs->items[i].round, ROUND_T2);
        cr_assert_not_null (rs->items[i].formula);
        points += rs->items[i].points;
    }
    cr_assert_eq (points, 100);
    cr_assert_str_eq (rs->items[0].label, "办结");
    cr_assert_eq (rs->counter_count, 7);
    cr_assert_eq (rs->counters[0], SC_SHOULD_CLOSE);
    cr_assert (scorer__expr_uses (rs->items[4].formula,
                                  SCORER_VAR_AGG + 3 * SC_CLOSED));
    scorer_ruleset_destroy (&rs);
    cr_assert_null (rs);
    scorer_ruleset_destroy (&rs);
    free (text);
}

/* A small valid ruleset; the tests below break one line of it. */
#define S_HEAD                                                                 \
    "ruleset\n"                                                                \
    "    id = small\n"

#define S_TABLES                                                               \
    "    tables\n"                                                             \
    "        town = Towns\n"

#define S_ITEMS                                                                \
    "    items\n"                                                              \
    "        closure_item\n"                                                   \
    "            formula = \"10 * closed / should_close\"\n"

Test (ruleset, a_minimal_ruleset_takes_the_defaults)
{
    scorer_ruleset_t *rs = s_load (S_HEAD S_TABLES S_ITEMS);
    cr_assert_str_eq (rs->id, "small");
    cr_assert_str_eq (rs->title, "small");
    cr_assert_eq (rs->period, SCORER_MONTH);
    cr_assert_eq (rs->total, TOTAL_ROUND_SUM);
    cr_assert_eq (rs->rank, RANK_SEQUENTIAL);
    cr_assert_eq (rs->tiebreak, -1);
    cr_assert_null (rs->exclude);
    cr_assert_eq (rs->counter_count, 0);
    cr_assert_eq (rs->items[0].round, ROUND_R2);
    cr_assert_str_eq (rs->items[0].label, "closure_item");
    scorer_ruleset_destroy (&rs);
}

Test (ruleset, text_that_is_not_zpl_is_refused)
{
    char err[256] = "";
    cr_assert_null (scorer_ruleset_load ("{\"ruleset\": 1}\n", "t.zpl", err));
    cr_assert_not_null (strstr (err, "t.zpl:"), "%s", err);
    cr_assert_not_null (strstr (err, "not valid ZPL"), "%s", err);
    cr_assert_null (
        scorer_ruleset_load ("ruleset\n  id = two-spaces\n", "t.zpl", err));
    cr_assert_not_null (strstr (err, "not valid ZPL"), "%s", err);
}

Test (ruleset, a_text_without_a_ruleset_section_is_refused)
{
    s_load_error ("other\n    key = value\n", "t.zpl: no ruleset section");
}

Test (ruleset, a_missing_id_is_refused)
{
    char err[256] = "";
    cr_assert_null (
        scorer_ruleset_load ("ruleset\n" S_TABLES S_ITEMS, "t.zpl", err));
    cr_assert_eq (strncmp (err, "t.zpl:", 6), 0, "%s", err);
    cr_assert_not_null (strstr (err, "missing or overlong id"), "%s", err);
}

Test (ruleset, a_bad_period_is_refused_at_its_line)
{
    s_load_error (S_HEAD "    period = weekly\n" S_TABLES S_ITEMS,
                  "t.zpl:3: period must be month or quarter");
}

Test (ruleset, a_bad_total_is_refused_at_its_line)
{
    s_load_error (S_HEAD "    period = quarter\n"
                         "    total = average\n" S_TABLES S_ITEMS,
                  "t.zpl:4: total must be sum_shown, round_sum or an item "
                  "id, not average");
}

Test (ruleset, a_bad_total_in_the_shipped_file_is_reported_at_its_own_line)
{
    /* The file's header comment mentions "the total" on line 2; the error
       must point at the key on line 8. */
    char *text = s_read_file (HOTLINE_RULESETS_DIR "/jintai-2025.zpl");
    cr_assert_not_null (text);
    char *broken = s_replace (text, "total = sum_shown", "total = average");
    char err[256] = "";
    cr_assert_null (scorer_ruleset_load (broken, "jintai-2025.zpl", err));
    cr_expect_str_eq (err, "jintai-2025.zpl:8: total must be sum_shown, "
                           "round_sum or an item id, not average");
    free (broken);
    free (text);
}

Test (ruleset, a_bad_rank_is_refused_at_its_line)
{
    s_load_error (S_HEAD "    rank = dense\n" S_TABLES S_ITEMS,
                  "t.zpl:3: rank must be sequential, competition or none");
}

Test (ruleset, an_unknown_tiebreak_counter_is_refused)
{
    s_load_error (S_HEAD "    tiebreak = bogus\n" S_TABLES S_ITEMS,
                  "t.zpl:3: unknown counter bogus");
}

Test (ruleset, an_unknown_counter_in_the_listed_counters_is_refused)
{
    s_load_error (S_HEAD "    counters = \"closed, bogus\"\n" S_TABLES S_ITEMS,
                  "t.zpl:3: unknown counter bogus");
}

Test (ruleset, a_ruleset_without_tables_is_refused)
{
    char err[256] = "";
    cr_assert_null (scorer_ruleset_load (S_HEAD S_ITEMS, "t.zpl", err));
    cr_assert_eq (strncmp (err, "t.zpl:", 6), 0, "%s", err);
    cr_assert_not_null (strstr (err, "no tables"), "%s", err);
}

Test (ruleset, an_empty_tables_section_is_refused)
{
    s_load_error (S_HEAD "    tables\n" S_ITEMS,
                  "t.zpl:3: no tables: list the unit groups");
}

Test (ruleset, a_ruleset_without_an_items_section_is_refused)
{
    char err[256] = "";
    cr_assert_null (scorer_ruleset_load (S_HEAD S_TABLES, "t.zpl", err));
    cr_assert_eq (strncmp (err, "t.zpl:", 6), 0, "%s", err);
    cr_assert_not_null (strstr (err, "no items"), "%s", err);
}

Test (ruleset, a_ruleset_without_items_is_refused)
{
    s_load_error (S_HEAD S_TABLES "    items\n", "t.zpl:5: no items");
}

Test (ruleset, an_item_with_both_formula_and_manual_is_refused)
{
    s_load_error (S_HEAD S_TABLES S_ITEMS "        knowledge\n"
                                          "            formula = \"1\"\n"
                                          "            manual = 10\n",
                  "t.zpl:8: item knowledge needs exactly one of formula or "
                  "manual");
}

Test (ruleset, an_item_with_neither_formula_nor_manual_is_refused)
{
    s_load_error (S_HEAD S_TABLES S_ITEMS "        knowledge\n"
                                          "            points = 10\n",
                  "t.zpl:8: item knowledge needs exactly one of formula or "
                  "manual");
}

Test (ruleset, a_manual_item_needs_a_number)
{
    s_load_error (S_HEAD S_TABLES S_ITEMS "        knowledge\n"
                                          "            manual = ten\n",
                  "t.zpl:8: item knowledge: manual needs a number (its "
                  "default)");
}

Test (ruleset, an_item_referring_to_an_unknown_name_is_refused)
{
    s_load_error (S_HEAD S_TABLES S_ITEMS
                  "        second_item\n"
                  "            formula = \"closure_item + bogus\"\n",
                  "t.zpl:9: item second_item: unknown name bogus at column "
                  "16 of \"closure_item + bogus\"");
}

Test (ruleset, an_item_may_refer_to_an_item_defined_later)
{
    scorer_ruleset_t *rs = s_load (S_HEAD S_TABLES "    items\n"
                                                   "        early_item\n"
                                                   "            formula = "
                                                   "\"late_item + 1\"\n"
                                                   "        late_item\n"
                                                   "            formula = "
                                                   "\"2\"\n");
    cr_assert_eq (rs->item_count, 2);
    /* late_item is evaluated first. */
    cr_expect_eq (rs->order[0], 1);
    cr_expect_eq (rs->order[1], 0);
    scorer_ruleset_destroy (&rs);
}

Test (ruleset, a_circular_reference_between_items_is_refused)
{
    s_load_error (S_HEAD S_TABLES "    items\n"
                                  "        a_item\n"
                                  "            formula = \"b_item + 1\"\n"
                                  "        b_item\n"
                                  "            formula = \"a_item * 2\"\n",
                  "t.zpl:8: circular reference between items: a_item -> "
                  "b_item -> a_item");
    s_load_error (S_HEAD S_TABLES "    items\n"
                                  "        self_item\n"
                                  "            formula = \"self_item + 1\"\n",
                  "t.zpl:6: circular reference between items: self_item -> "
                  "self_item");
}

Test (ruleset, a_division_by_a_constant_zero_is_refused)
{
    s_load_error (S_HEAD S_TABLES
                  "    items\n"
                  "        ratio\n"
                  "            formula = \"closed / (2 - 2)\"\n",
                  "t.zpl:7: item ratio: division by a constant zero at column "
                  "17 of \"closed / (2 - 2)\"");
}

Test (ruleset, an_item_may_refer_to_earlier_items)
{
    scorer_ruleset_t *rs = s_load (S_HEAD S_TABLES S_ITEMS
                                   "        bonus_item\n"
                                   "            manual = 2\n"
                                   "        sum_item\n"
                                   "            formula = \"closure_item + "
                                   "bonus_item\"\n"
                                   "            round = none\n");
    cr_assert_eq (rs->item_count, 3);
    cr_assert_null (rs->items[1].formula);
    cr_assert_eq (rs->items[1].default_value, 2);
    cr_assert (scorer__expr_uses (rs->items[2].formula, SCORER_VAR_ITEM + 0));
    cr_assert (scorer__expr_uses (rs->items[2].formula, SCORER_VAR_ITEM + 1));
    cr_assert_eq (rs->items[2].round, ROUND_NONE);
    scorer_ruleset_destroy (&rs);
}

Test (ruleset, a_duplicate_item_id_is_refused)
{
    char err[256] = "";
    cr_assert_null (scorer_ruleset_load (S_HEAD S_TABLES S_ITEMS
                                         "        closure_item\n"
                                         "            formula = \"2\"\n",
                                         "t.zpl", err));
    cr_assert_eq (strncmp (err, "t.zpl:", 6), 0, "%s", err);
    cr_assert_not_null (strstr (err, "item closure_item defined twice"), "%s",
                        err);
}

Test (ruleset, a_bad_round_is_refused)
{
    s_load_error (S_HEAD S_TABLES S_ITEMS "            round = t3\n",
                  "t.zpl:6: item closure_item: round must be t2, r2, pct0 or "
                  "none");
}

Test (ruleset, a_bad_exclude_rule_is_refused)
{
    s_load_error (S_HEAD "    exclude = \"should_close <\"\n" S_TABLES S_ITEMS,
                  "t.zpl:3: exclude: unexpected end at column 15 of "
                  "\"should_close <\"");
}

Test (ruleset, the_exclude_rule_may_use_every_item)
{
    scorer_ruleset_t *rs = s_load (
        S_HEAD
        "    exclude = \"closure_item < 5 or closed == 0\"\n" S_TABLES S_ITEMS);
    cr_assert_not_null (rs->exclude);
    cr_assert (scorer__expr_uses (rs->exclude, SCORER_VAR_ITEM + 0));
    scorer_ruleset_destroy (&rs);
}

Test (ruleset, the_embedded_set_holds_jintai_2025)
{
    char err[256] = "";
    scorer_rulesets_t *set = scorer_rulesets_load (NULL, err);
    cr_assert_not_null (set, "%s", err);
    cr_assert_geq (scorer_rulesets_size (set), 1);
    const scorer_ruleset_t *rs = scorer_rulesets_find (set, "jintai-2025");
    cr_assert_not_null (rs);
    cr_assert_eq (rs->item_count, 7);
    cr_assert_null (scorer_rulesets_find (set, "nope"));
    cr_assert_null (scorer_rulesets_at (set, scorer_rulesets_size (set)));
    bool found = false;
    for (size_t i = 0; i < scorer_rulesets_size (set); i++)
        found |= scorer_rulesets_at (set, i) == rs;
    cr_assert (found);
    scorer_rulesets_destroy (&set);
    cr_assert_null (set);
    scorer_rulesets_destroy (&set);
}

/* A temporary directory for ruleset files; the caller removes it. */
static void
s_ruleset_dir (char *dir)
{
    strcpy (dir, "/tmp/hl_test_rulesets_XXXXXX");
    cr_assert_not_null (mkdtemp (dir));
}

#define S_EXTRA                                                                \
    "ruleset\n"                                                                \
    "    id = extra-test\n"                                                    \
    "    period = quarter\n" S_TABLES S_ITEMS

Test (ruleset, a_directory_adds_its_rulesets_to_the_embedded_ones)
{
    char err[256] = "", dir[64], path[128];
    scorer_rulesets_t *base = scorer_rulesets_load (NULL, err);
    cr_assert_not_null (base, "%s", err);
    size_t embedded = scorer_rulesets_size (base);
    scorer_rulesets_destroy (&base);

    s_ruleset_dir (dir);
    snprintf (path, sizeof (path), "%s/extra.zpl", dir);
    s_write_file (path, S_EXTRA);
    snprintf (path, sizeof (path), "%s/notes.txt", dir);
    s_write_file (path, "not a ruleset, and not read\n");
    scorer_rulesets_t *set = scorer_rulesets_load (dir, err);
    testutil_remove_tree (dir);
    cr_assert_not_null (set, "%s", err);
    cr_assert_eq (scorer_rulesets_size (set), embedded + 1);
    const scorer_ruleset_t *rs = scorer_rulesets_find (set, "extra-test");
    cr_assert_not_null (rs);
    cr_assert_eq (scorer_ruleset_period_kind (rs), SCORER_QUARTER);
    cr_assert_not_null (scorer_rulesets_find (set, "jintai-2025"));
    scorer_rulesets_destroy (&set);
}

Test (ruleset, a_file_with_a_loaded_id_replaces_that_ruleset)
{
    char err[256] = "", dir[64], path[128];
    scorer_rulesets_t *base = scorer_rulesets_load (NULL, err);
    size_t embedded = scorer_rulesets_size (base);
    scorer_rulesets_destroy (&base);

    s_ruleset_dir (dir);
    snprintf (path, sizeof (path), "%s/mine.zpl", dir);
    s_write_file (path, "ruleset\n"
                        "    id = jintai-2025\n"
                        "    title = Replaced\n" S_TABLES S_ITEMS);
    scorer_rulesets_t *set = scorer_rulesets_load (dir, err);
    testutil_remove_tree (dir);
    cr_assert_not_null (set, "%s", err);
    cr_assert_eq (scorer_rulesets_size (set), embedded);
    const scorer_ruleset_t *rs = scorer_rulesets_find (set, "jintai-2025");
    cr_assert_str_eq (rs->title, "Replaced");
    cr_assert_eq (rs->item_count, 1);
    scorer_rulesets_destroy (&set);
}

Test (ruleset, a_bad_file_in_the_directory_fails_the_whole_load_naming_it)
{
    char err[256] = "", dir[64], path[128];
    s_ruleset_dir (dir);
    snprintf (path, sizeof (path), "%s/a-good.zpl", dir);
    s_write_file (path, S_EXTRA);
    snprintf (path, sizeof (path), "%s/b-bad.zpl", dir);
    s_write_file (path, S_HEAD "    period = weekly\n" S_TABLES S_ITEMS);
    scorer_rulesets_t *set = scorer_rulesets_load (dir, err);
    testutil_remove_tree (dir);
    cr_assert_null (set);
    cr_assert_not_null (strstr (err, path), "%s", err);
    cr_assert_not_null (strstr (err, "period must be month or quarter"), "%s",
                        err);
}

Test (ruleset, a_missing_directory_fails_the_load)
{
    char err[256] = "";
    scorer_rulesets_t *set =
        scorer_rulesets_load ("/tmp/hl_test_no_such_dir/rulesets", err);
    cr_assert_null (set);
    cr_assert_not_null (strstr (err, "/tmp/hl_test_no_such_dir/rulesets"), "%s",
                        err);
}

/* ---- scoring ------------------------------------------------------------- */

/* Units and inputs for the pure scoring tests. */
typedef struct {
    scorer_unit_t units[8];
    scorer_input_t in[8];
    scorer_output_t out[8];
    size_t count;
} s_board_t;

static scorer_input_t *
s_add (s_board_t *b, const char *id, const char *group)
{
    size_t i = b->count++;
    scorer_unit_t *u = &b->units[i];
    memset (u, 0, sizeof (*u));
    snprintf (u->unit_id, sizeof (u->unit_id), "%s", id);
    snprintf (u->name, sizeof (u->name), "%s", id);
    snprintf (u->group, sizeof (u->group), "%s", group);
    u->order = (uint32_t)i + 1;
    scorer_input_t *in = &b->in[i];
    memset (in, 0, sizeof (*in));
    in->unit = u;
    for (int m = 0; m < SCORER_ITEMS_MAX; m++)
        in->manual[m] = NAN;
    return in;
}

static void
s_score (const scorer_ruleset_t *rs, s_board_t *b)
{
    for (size_t i = 0; i < b->count; i++)
        scorer_counters_derive (b->in[i].counters);
    char err[256] = "";
    cr_assert_eq (scorer_score (rs, b->in, b->count, b->out, err), 0, "%s",
                  err);
}

Test (score, t2_truncates_and_r2_rounds_half_up_as_decimals_do)
{
    cr_assert_eq (scorer__round (10 - 0.02 * 4, ROUND_T2), 9.92);
    cr_assert_eq (scorer__round (29.999, ROUND_T2), 29.99);
    cr_assert_eq (scorer__round (30.0 * 7 / 9, ROUND_T2), 23.33);
    cr_assert_eq (scorer__round (0.29 * 100 / 100, ROUND_T2), 0.29);
    cr_assert_eq (scorer__round (-1.237, ROUND_T2), -1.23);
    cr_assert_eq (scorer__round (1.005, ROUND_R2), 1.01);
    cr_assert_eq (scorer__round (2.675, ROUND_R2), 2.68);
    cr_assert_eq (scorer__round (23.335, ROUND_R2), 23.34);
    cr_assert_eq (scorer__round (23.334999, ROUND_R2), 23.33);
    cr_assert_eq (scorer__round (-1.005, ROUND_R2), -1.01);
    cr_assert_eq (scorer__round (87.5, ROUND_PCT0), 88);
    cr_assert_eq (scorer__round (100.0 * 7 / 8, ROUND_PCT0), 88);
    cr_assert_eq (scorer__round (87.49, ROUND_PCT0), 87);
    cr_assert_eq (scorer__round (1.23456, ROUND_NONE), 1.23456);
}

Test (score, jintai_2025_scores_a_bulletin_row_to_the_cent)
{
    char err[256] = "";
    scorer_rulesets_t *set = scorer_rulesets_load (NULL, err);
    cr_assert_not_null (set, "%s", err);
    const scorer_ruleset_t *rs = scorer_rulesets_find (set, "jintai-2025");
    s_board_t b = {.count = 0};
    scorer_input_t *in = s_add (&b, "U01", "town");
    in->counters[SC_CLOSED] = 98;
    in->counters[SC_OVERDUE_OPEN] = 2;
    in->counters[SC_CLOSED_ON_TIME] = 95;
    in->counters[SC_RETURNED_LATE] = 1;
    in->counters[SC_UNSATISFIED] = 4;
    in->counters[SC_REWORK] = 2;
    in = s_add (&b, "U02", "dept");
    in->counters[SC_CLOSED] = 120;
    in->counters[SC_CLOSED_ON_TIME] = 120;
    s_score (rs, &b);
    const double expected[7] = {29.40, 28.50, 9.50, 3.50, 4.08, 9.92, 9.00};
    for (int i = 0; i < 7; i++)
        cr_assert_eq (b.out[0].shown[i], expected[i], "item %s: %.17g",
                      rs->items[i].id, b.out[0].shown[i]);
    cr_assert_eq (b.out[0].total, 93.90, "%.17g", b.out[0].total);
    cr_assert_eq (b.out[0].table, 0);
    cr_assert_eq (b.out[0].rank, 1);
    cr_assert_eq (b.out[1].table, 1);
    cr_assert_eq (b.out[1].shown[4], 5.00, "the largest closed gets 5");
    cr_assert_eq (b.out[1].total, 100.00);
    scorer_rulesets_destroy (&set);
}

#define S_ROUNDING(total)                                                      \
    "ruleset\n"                                                                \
    "    id = thirds\n"                                                        \
    "    total = " total "\n" S_TABLES "    items\n"                           \
    "        one\n"                                                            \
    "            formula = \"1 / 3\"\n"                                        \
    "            round = t2\n"                                                 \
    "        two\n"                                                            \
    "            formula = \"1 / 3\"\n"                                        \
    "            round = t2\n"                                                 \
    "        three\n"                                                          \
    "            formula = \"1 / 3\"\n"                                        \
    "            round = t2\n"

Test (score, sum_shown_adds_the_shown_items_and_round_sum_rounds_the_raw_sum)
{
    scorer_ruleset_t *shown = s_load (S_ROUNDING ("sum_shown"));
    scorer_ruleset_t *rounded = s_load (S_ROUNDING ("round_sum"));
    s_board_t b = {.count = 0};
    s_add (&b, "U01", "town");
    s_score (shown, &b);
    cr_assert_eq (b.out[0].shown[0], 0.33);
    cr_assert_eq (b.out[0].total, 0.99);
    s_score (rounded, &b);
    cr_assert_eq (b.out[0].shown[0], 0.33);
    cr_assert_eq (b.out[0].total, 1.00);
    scorer_ruleset_destroy (&shown);
    scorer_ruleset_destroy (&rounded);
}

#define S_RANKED(rank, exclude)                                                \
    "ruleset\n"                                                                \
    "    id = ranked\n"                                                        \
    "    total = sum_shown\n"                                                  \
    "    rank = " rank "\n"                                                    \
    "    tiebreak = closed\n"                                                  \
    "    exclude = \"" exclude "\"\n"                                          \
    "    tables\n"                                                             \
    "        town = Towns\n"                                                   \
    "        dept = Departments\n"                                             \
    "    items\n"                                                              \
    "        base\n"                                                           \
    "            formula = \"10 - rework\"\n"                                  \
    "            round = t2\n"                                                 \
    "        workload\n"                                                       \
    "            formula = \"closed / max_closed\"\n"                          \
    "            round = none\n"

Test (score, sequential_ranks_break_ties_by_the_counter_then_registry_order)
{
    /* Totals depend on rework only, so closed can differ at equal totals. */
    scorer_ruleset_t *rs =
        s_load ("ruleset\n"
                "    id = ranked\n"
                "    rank = sequential\n"
                "    tiebreak = closed\n" S_TABLES "    items\n"
                "        base\n"
                "            formula = \"10 - rework\"\n");
    s_board_t b = {.count = 0};
    scorer_input_t *a = s_add (&b, "A", "town");
    scorer_input_t *bb = s_add (&b, "B", "town");
    scorer_input_t *c = s_add (&b, "C", "town");
    scorer_input_t *d = s_add (&b, "D", "town");
    a->counters[SC_REWORK] = 1;
    a->counters[SC_CLOSED] = 3;
    bb->counters[SC_REWORK] = 1;
    bb->counters[SC_CLOSED] = 5;
    c->counters[SC_REWORK] = 1;
    c->counters[SC_CLOSED] = 3;
    d->counters[SC_REWORK] = 0;
    d->counters[SC_CLOSED] = 1;
    s_score (rs, &b);
    cr_assert_eq (b.out[3].rank, 1, "D: the highest total");
    cr_assert_eq (b.out[1].rank, 2, "B: more closed");
    cr_assert_eq (b.out[0].rank, 3, "A: registry order before C");
    cr_assert_eq (b.out[2].rank, 4);
    scorer_ruleset_destroy (&rs);
}

Test (score, competition_ranks_share_a_rank_and_skip_the_next)
{
    scorer_ruleset_t *rs =
        s_load ("ruleset\n"
                "    id = competition\n"
                "    rank = competition\n" S_TABLES "    items\n"
                "        base\n"
                "            formula = \"10 - rework\"\n");
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town");
    s_add (&b, "B", "town")->counters[SC_REWORK] = 1;
    s_add (&b, "C", "town");
    s_add (&b, "D", "town")->counters[SC_REWORK] = 2;
    s_score (rs, &b);
    cr_assert_eq (b.out[0].rank, 1);
    cr_assert_eq (b.out[2].rank, 1);
    cr_assert_eq (b.out[1].rank, 3);
    cr_assert_eq (b.out[3].rank, 4);
    scorer_ruleset_destroy (&rs);
}

Test (score, an_unranked_scheme_gives_rank_zero)
{
    scorer_ruleset_t *rs = s_load ("ruleset\n"
                                   "    id = unranked\n"
                                   "    rank = none\n" S_TABLES S_ITEMS);
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town")->counters[SC_CLOSED] = 3;
    s_add (&b, "B", "town")->counters[SC_CLOSED] = 1;
    s_score (rs, &b);
    cr_assert_eq (b.out[0].rank, 0);
    cr_assert_eq (b.out[1].rank, 0);
    cr_assert_eq (b.out[0].total, 10);
    scorer_ruleset_destroy (&rs);
}

Test (score, excluded_units_are_scored_but_not_ranked)
{
    scorer_ruleset_t *rs = s_load (S_RANKED ("sequential", "should_close < 5"));
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town")->counters[SC_CLOSED] = 4;
    s_add (&b, "B", "town")->counters[SC_CLOSED] = 5;
    scorer_input_t *c = s_add (&b, "C", "town");
    c->counters[SC_CLOSED] = 3;
    c->counters[SC_OVERDUE_OPEN] = 2;
    s_score (rs, &b);
    cr_assert (b.out[0].excluded);
    cr_assert_eq (b.out[0].rank, 0);
    cr_assert_eq (b.out[0].total, 10.80, "%.17g", b.out[0].total);
    cr_assert_not (b.out[1].excluded);
    cr_assert_not (b.out[2].excluded);
    cr_assert_eq (b.out[1].rank, 1);
    cr_assert_eq (b.out[2].rank, 2);
    scorer_ruleset_destroy (&rs);
}

Test (score, units_of_no_table_get_table_minus_one_and_stay_out_of_aggregates)
{
    scorer_ruleset_t *rs = s_load (S_RANKED ("sequential", "0"));
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town")->counters[SC_CLOSED] = 4;
    s_add (&b, "X", "elsewhere")->counters[SC_CLOSED] = 100;
    s_add (&b, "D", "dept")->counters[SC_CLOSED] = 8;
    s_score (rs, &b);
    cr_assert_eq (b.out[0].table, 0);
    cr_assert_eq (b.out[1].table, -1);
    cr_assert_eq (b.out[1].rank, 0);
    cr_assert_eq (b.out[2].table, 1);
    cr_assert_eq (b.out[0].shown[1], 0.5, "max_closed is 8, not 100");
    cr_assert_eq (b.out[2].shown[1], 1);
    cr_assert_eq (b.out[0].rank, 1, "ranked within its own table");
    cr_assert_eq (b.out[2].rank, 1);
    scorer_ruleset_destroy (&rs);
}

Test (score, a_manual_item_takes_its_default_unless_set)
{
    scorer_ruleset_t *rs = s_load ("ruleset\n"
                                   "    id = manual\n"
                                   "    rank = none\n" S_TABLES "    items\n"
                                   "        knowledge\n"
                                   "            manual = 10\n"
                                   "        double_it\n"
                                   "            formula = \"knowledge * 2\"\n");
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town");
    s_add (&b, "B", "town")->manual[0] = 7.5;
    s_add (&b, "C", "town")->manual[0] = 0;
    s_score (rs, &b);
    cr_assert_eq (b.out[0].shown[0], 10);
    cr_assert_eq (b.out[0].shown[1], 20);
    cr_assert_eq (b.out[1].shown[0], 7.5);
    cr_assert_eq (b.out[1].shown[1], 15);
    cr_assert_eq (b.out[1].total, 22.5);
    cr_assert_eq (b.out[2].shown[0], 0, "zero is a value, not unset");
    scorer_ruleset_destroy (&rs);
}

Test (score, an_item_that_is_not_a_number_is_an_error)
{
    scorer_ruleset_t *rs = s_load ("ruleset\n"
                                   "    id = huge\n" S_TABLES "    items\n"
                                   "        huge_item\n"
                                   "            formula = \"1e308 * 10\"\n");
    s_board_t b = {.count = 0};
    s_add (&b, "A", "town");
    char err[256] = "";
    cr_assert_eq (scorer_score (rs, b.in, b.count, b.out, err), -1);
    cr_assert_str_eq (
        err, "huge: item huge_item is not a usable number for unit A (inf)");
    scorer_ruleset_destroy (&rs);
}

/* ---- the report ---------------------------------------------------------- */

/* Five tickets for U01, all on time; five for U02, one late; six for U03;
   two for U04 (left out: should_close < 5). */
static void
s_report_month (void)
{
    const char *units[4] = {"U01", "U02", "U03", "U04"};
    const int tickets[4] = {5, 5, 6, 2};
    for (int u = 0; u < 4; u++)
        for (int i = 0; i < tickets[u]; i++) {
            char ticket[16];
            snprintf (ticket, sizeof (ticket), "%s-%d", units[u], i);
            s_open (ticket, units[u], "2025-07-01 09:00", "2025-07-03 18:00");
        }
    for (int u = 0; u < 4; u++)
        for (int i = 0; i < tickets[u]; i++) {
            char ticket[16];
            snprintf (ticket, sizeof (ticket), "%s-%d", units[u], i);
            bool late = u == 1 && i == 0;
            if (!late)
                s_close (ticket, units[u], "2025-07-02 09:00");
        }
    s_close ("U02-0", "U02", "2025-07-04 09:00");
}

static cJSON *
s_field (cJSON *obj, const char *name)
{
    cJSON *item = cJSON_GetObjectItem (obj, name);
    cr_assert_not_null (item, "no field %s", name);
    return item;
}

Test (scorer, the_report_lists_ranked_rows_counters_items_and_exclusions)
{
    s_report_month ();
    char err[256] = "";
    scorer_rulesets_t *set = scorer_rulesets_load (NULL, err);
    const scorer_ruleset_t *rs = scorer_rulesets_find (set, "jintai-2025");
    store_txn_t *txn = store_begin (s_store, false);
    char *json = scorer_report_json (txn, rs, "2025-07", 0, err);
    store_abort (&txn);
    cr_assert_not_null (json, "%s", err);

    /* Items are shown with exactly two decimals. */
    cr_assert_not_null (strstr (json, "\"closure\":30.00"), "%s", json);
    cr_assert_not_null (strstr (json, "\"on_time\":24.00"), "%s", json);
    cr_assert_not_null (strstr (json, "\"total\":100.00"), "%s", json);

    cJSON *doc = cJSON_Parse (json);
    cr_assert_not_null (doc, "%s", json);
    cr_assert_str_eq (s_field (doc, "ruleset")->valuestring, "jintai-2025");
    cr_assert_str_eq (s_field (doc, "period")->valuestring, "2025-07");
    cr_assert_str_eq (s_field (doc, "as_of")->valuestring,
                      "2025-07-04T09:00:00+08:00");
    cr_assert_eq (cJSON_GetArraySize (s_field (doc, "items")), 7);
    cr_assert_str_eq (
        s_field (cJSON_GetArrayItem (s_field (doc, "items"), 0), "id")
            ->valuestring,
        "closure");
    cr_assert_str_eq (
        cJSON_GetArrayItem (s_field (doc, "counters"), 0)->valuestring,
        "should_close");

    cJSON *tables = s_field (doc, "tables");
    cr_assert_eq (cJSON_GetArraySize (tables), 2);
    cJSON *town = cJSON_GetArrayItem (tables, 0);
    cr_assert_str_eq (s_field (town, "group")->valuestring, "town");
    cr_assert_str_eq (s_field (town, "title")->valuestring, "镇街");
    cJSON *rows = s_field (town, "rows");
    cr_assert_eq (cJSON_GetArraySize (rows), 2, "U04 is left out");
    cJSON *first = cJSON_GetArrayItem (rows, 0);
    cJSON *second = cJSON_GetArrayItem (rows, 1);
    cr_assert_str_eq (s_field (first, "unit_id")->valuestring, "U01");
    cr_assert_str_eq (s_field (first, "unit")->valuestring, "城关街道");
    cr_assert_eq (s_field (first, "rank")->valueint, 1);
    cr_assert_float_eq (s_field (first, "total")->valuedouble, 99.16, 1e-9);
    cr_assert_str_eq (s_field (second, "unit_id")->valuestring, "U02");
    cr_assert_eq (s_field (second, "rank")->valueint, 2);
    cr_assert_float_eq (s_field (second, "total")->valuedouble, 92.66, 1e-9);
    cJSON *counters = s_field (second, "counters");
    cr_assert_eq (s_field (counters, "should_close")->valueint, 5);
    cr_assert_eq (s_field (counters, "closed_on_time")->valueint, 4);
    cr_assert_eq (s_field (counters, "closed_late")->valueint, 1);
    cJSON *items = s_field (second, "items");
    cr_assert_float_eq (s_field (items, "alert")->valuedouble, 4.5, 1e-9);
    cr_assert_float_eq (s_field (items, "workload")->valuedouble, 4.16, 1e-9);

    cJSON *dept = s_field (cJSON_GetArrayItem (tables, 1), "rows");
    cr_assert_eq (cJSON_GetArraySize (dept), 1);
    cr_assert_str_eq (
        s_field (cJSON_GetArrayItem (dept, 0), "unit_id")->valuestring, "U03");
    cr_assert_eq (s_field (cJSON_GetArrayItem (dept, 0), "rank")->valueint, 1);

    cJSON *excluded = s_field (doc, "excluded");
    cr_assert_eq (cJSON_GetArraySize (excluded), 1);
    cJSON *left_out = cJSON_GetArrayItem (excluded, 0);
    cr_assert_str_eq (s_field (left_out, "unit_id")->valuestring, "U04");
    cr_assert_str_eq (s_field (left_out, "reason")->valuestring,
                      "should_close < 5");
    cJSON_Delete (doc);
    free (json);
    scorer_rulesets_destroy (&set);
}

Test (scorer, the_report_without_a_period_uses_the_clocks_period)
{
    char err[256] = "";
    scorer_rulesets_t *set = scorer_rulesets_load (NULL, err);
    const scorer_ruleset_t *rs = scorer_rulesets_find (set, "jintai-2025");
    store_txn_t *txn = store_begin (s_store, false);
    char *json = scorer_report_json (txn, rs, "", 0, err);
    store_abort (&txn);
    cr_assert_null (json);
    cr_assert_str_eq (err, "no events stored yet: give a period");

    s_open ("T1", "U01", "2025-08-03 09:00", "2025-08-06 18:00");
    txn = store_begin (s_store, false);
    json = scorer_report_json (txn, rs, "", 0, err);
    store_abort (&txn);
    cr_assert_not_null (json, "%s", err);
    cr_assert_not_null (strstr (json, "\"period\":\"2025-08\""), "%s", json);
    free (json);
    scorer_rulesets_destroy (&set);
}

Test (scorer, the_report_refuses_a_bad_period_or_one_of_the_wrong_kind)
{
    s_open ("T1", "U01", "2025-07-03 09:00", "2025-07-06 18:00");
    char err[256] = "";
    scorer_rulesets_t *set = scorer_rulesets_load (NULL, err);
    const scorer_ruleset_t *rs = scorer_rulesets_find (set, "jintai-2025");
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_null (scorer_report_json (txn, rs, "2025-13", 0, err));
    cr_assert_str_eq (err, "bad period \"2025-13\": use YYYY-MM or YYYY-Qn");
    cr_assert_null (scorer_report_json (txn, rs, "2025-Q3", 0, err));
    cr_assert_str_eq (err, "ruleset jintai-2025 is monthly: the period must "
                           "look like 2025-07");
    store_abort (&txn);
    scorer_rulesets_destroy (&set);
}

/* The "as_of" a report states, into out (64 bytes). */
static void
s_report_as_of (store_txn_t *txn, const scorer_ruleset_t *rs, int64_t as_of,
                char *out)
{
    char err[256] = "";
    char *json = scorer_report_json (txn, rs, "2025-07", as_of, err);
    cr_assert_not_null (json, "%s", err);
    cJSON *doc = cJSON_Parse (json);
    free (json);
    snprintf (out, 64, "%s", s_field (doc, "as_of")->valuestring);
    cJSON_Delete (doc);
}

Test (scorer, the_report_as_of_an_earlier_moment_replays_the_log_up_to_it)
{
    /* T1 is due on the 6th and closed late on the 8th; T2 arrives on the
       9th. As of the 7th, T1 was overdue and open and T2 did not exist. */
    s_open ("T1", "U01", "2025-07-03 09:00", "2025-07-06 18:00");
    s_close ("T1", "U01", "2025-07-08 10:00");
    s_open ("T2", "U01", "2025-07-09 09:00", "2025-07-12 18:00");
    s_tick ("2025-08-01 00:00");
    char err[256] = "", when[64];
    scorer_rulesets_t *set = scorer_rulesets_load (NULL, err);
    const scorer_ruleset_t *rs = scorer_rulesets_find (set, "jintai-2025");
    store_txn_t *txn = store_begin (s_store, false);
    s_report_as_of (txn, rs, s_ms ("2025-07-07 00:00"), when);
    cr_expect_str_eq (when, "2025-07-07T00:00:00+08:00");
    /* The replay's counters, read the way the report reads them. */
    char dir[] = "/tmp/hotline-replay-test-XXXXXX";
    cr_assert_not_null (mkdtemp (dir));
    store_t *scratch = store_new (dir, 0, err);
    cr_assert_not_null (scratch, "%s", err);
    cr_assert_eq (scorer_replay (txn, scratch, s_ms ("2025-07-07 00:00"), err),
                  0, "%s", err);
    store_txn_t *read = store_begin (scratch, false);
    uint8_t key[STORE_KEY_MAX];
    size_t size = scorer__counter_key (key, "2025-07", "U01", "", "");
    int32_t c[SC_STORED_COUNT];
    cr_assert_eq (
        store_get_i32 (read, STORE_COUNTERS, key, size, c, SC_STORED_COUNT), 0);
    cr_expect_eq (c[SC_RECEIVED], 1, "T2 had not arrived");
    cr_expect_eq (c[SC_CLOSED], 0, "T1 was still open");
    cr_expect_eq (c[SC_OVERDUE_OPEN], 1, "T1 was past its deadline");
    cr_expect_eq (scorer_clock_now (read), s_ms ("2025-07-07 00:00"));
    store_abort (&read);
    store_destroy (&scratch);
    testutil_remove_tree (dir);
    /* The live store is untouched: T1 closed late, T2 open. */
    cr_expect_eq (s_c ("2025-07", "U01", SC_CLOSED), 1);
    cr_expect_eq (s_c ("2025-07", "U01", SC_RECEIVED), 2);
    store_abort (&txn);
    scorer_rulesets_destroy (&set);
}

Test (scorer, report_rows_give_one_json_line_per_unit_of_the_tables)
{
    s_report_month ();
    char err[256] = "";
    scorer_rulesets_t *set = scorer_rulesets_load (NULL, err);
    const scorer_ruleset_t *rs = scorer_rulesets_find (set, "jintai-2025");
    scorer_period_t period;
    cr_assert_eq (scorer_period_parse ("2025-07", &period), 0);
    store_txn_t *txn = store_begin (s_store, false);
    zhashx_t *rows = scorer_report_rows (txn, rs, period, err);
    store_abort (&txn);
    cr_assert_not_null (rows, "%s", err);
    cr_assert_eq (zhashx_size (rows), 4);
    const char *u01 = zhashx_lookup (rows, "U01");
    cr_assert_not_null (u01);
    cJSON *doc = cJSON_Parse (u01);
    cr_assert_str_eq (s_field (doc, "ruleset")->valuestring, "jintai-2025");
    cr_assert_str_eq (s_field (doc, "period")->valuestring, "2025-07");
    cr_assert_eq (s_field (doc, "rank")->valueint, 1);
    cr_assert (cJSON_IsFalse (s_field (doc, "excluded")));
    cJSON_Delete (doc);
    doc = cJSON_Parse (zhashx_lookup (rows, "U04"));
    cr_assert (cJSON_IsTrue (s_field (doc, "excluded")));
    cr_assert (cJSON_IsNull (s_field (doc, "rank")));
    cJSON_Delete (doc);
    zhashx_destroy (&rows);
    scorer_rulesets_destroy (&set);
}

Test (scorer, the_report_of_a_quarterly_ruleset_uses_adjusted_manual_items)
{
    scorer_ruleset_t *rs = s_load ("ruleset\n"
                                   "    id = quarterly\n"
                                   "    period = quarter\n"
                                   "    rank = none\n"
                                   "    tables\n"
                                   "        town = Towns\n"
                                   "    items\n"
                                   "        knowledge_base\n"
                                   "            manual = 10\n"
                                   "        closure\n"
                                   "            formula = \"closed\"\n");
    s_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    s_close ("T1", "U01", "2025-07-02 09:00");
    s_open ("T2", "U01", "2025-09-01 09:00", "2025-09-04 18:00");
    s_close ("T2", "U01", "2025-09-02 09:00");
    s_apply (s_adjusted ("U01", "2025-Q3", "knowledge_base", 9.5,
                         "2025-10-02 09:00"));
    s_apply (
        s_adjusted ("U02", "2025-07", "knowledge_base", 1, "2025-10-02 09:00"));
    char err[256] = "";
    store_txn_t *txn = store_begin (s_store, false);
    char *json = scorer_report_json (txn, rs, "2025-Q3", 0, err);
    store_abort (&txn);
    cr_assert_not_null (json, "%s", err);
    cJSON *doc = cJSON_Parse (json);
    cJSON *rows =
        s_field (cJSON_GetArrayItem (s_field (doc, "tables"), 0), "rows");
    cr_assert_eq (cJSON_GetArraySize (rows), 3, "registry order, unranked");
    cJSON *u01 = cJSON_GetArrayItem (rows, 0);
    cJSON *u02 = cJSON_GetArrayItem (rows, 1);
    cr_assert_str_eq (s_field (u01, "unit_id")->valuestring, "U01");
    cr_assert (cJSON_IsNull (s_field (u01, "rank")));
    cr_assert_float_eq (
        s_field (s_field (u01, "items"), "knowledge_base")->valuedouble, 9.5,
        1e-9);
    cr_assert_float_eq (
        s_field (s_field (u01, "items"), "closure")->valuedouble, 2, 1e-9);
    cr_assert_str_eq (s_field (u02, "unit_id")->valuestring, "U02");
    cr_assert_float_eq (
        s_field (s_field (u02, "items"), "knowledge_base")->valuedouble, 10,
        1e-9, "a monthly adjustment does not count for the quarter");
    cr_assert_not_null (strstr (json, "\"knowledge_base\":9.50"), "%s", json);
    cJSON_Delete (doc);
    free (json);
    scorer_ruleset_destroy (&rs);
}

/* Regressions found by fuzz/fuzz_ruleset (fuzz/crashes/). */

Test (expr, a_formula_nested_too_deeply_is_refused_not_a_stack_overflow)
{
    /* 3000 brackets once overflowed the parser's recursion. */
    size_t n = 3000;
    char *text = malloc (2 * n + 2);
    memset (text, '(', n);
    text[n] = '1';
    memset (text + n + 1, ')', n);
    text[2 * n + 1] = 0;
    char err[256];
    scorer_expr_t *expr =
        scorer__expr_compile (text, scorer__resolve_counter, NULL, err);
    cr_expect_null (expr);
    cr_expect (strstr (err, "nested too deeply") != NULL, "%s", err);
    scorer__expr_destroy (&expr);
    /* A long chain of signs too. */
    memset (text, '-', 2 * n);
    text[2 * n] = '1';
    text[2 * n + 1] = 0;
    expr = scorer__expr_compile (text, scorer__resolve_counter, NULL, err);
    cr_expect_null (expr);
    scorer__expr_destroy (&expr);
    free (text);
}

Test (score, an_item_beyond_any_score_is_an_error_not_an_overflow)
{
    /* 9999999999999995 * closed overflowed the totals' cents. */
    scorer_ruleset_t *rs = s_load ("ruleset\n"
                                   "    id = huge\n"
                                   "    tables\n"
                                   "        town = Towns\n"
                                   "    items\n"
                                   "        big\n"
                                   "            formula = "
                                   "\"9999999999999995 * closed\"\n");
    scorer_unit_t unit = {"A", "A", "town", 1};
    scorer_input_t in;
    memset (&in, 0, sizeof (in));
    in.unit = &unit;
    in.counters[SC_CLOSED] = 3;
    in.bonus = NAN;
    for (int i = 0; i < SCORER_ITEMS_MAX; i++)
        in.manual[i] = NAN;
    scorer_output_t out;
    char err[256] = "";
    cr_expect_eq (scorer_score (rs, &in, 1, &out, err), -1);
    cr_expect (strstr (err, "not a usable number") != NULL, "%s", err);
    scorer_ruleset_destroy (&rs);
}
