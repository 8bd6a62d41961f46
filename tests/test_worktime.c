/*  test_worktime: the state machine in working time (docs/calendar.md),
    in-process on a fresh store (fixture.c): deadlines derived from time
    limits, the sign, contact and return windows and the warning share
    measured over working time, the settings and imported years kept in
    the store, a year the calendar lacks refused with nothing written,
    and a corrected year re-scoring everything on a rebuild. */
#include "fixture.h"
#include "testutil.h"

#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite (worktime, .init = fx_setup, .fini = fx_teardown);

/* ---- helpers ------------------------------------------------------------ */

/* Records working-time settings in the store, as hotlined does. */
static void
s_configure (const char *calendar, const char *windows)
{
    store_txn_t *txn = store_begin (fx_store, true);
    cr_assert_not_null (txn);
    char err[256] = "";
    cr_assert_eq (state_calendar_configure (txn, calendar, STATE_HOURS_DEFAULT,
                                            windows, err),
                  0, "%s", err);
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

/* Imports a calendar file's text into the store. */
static void
s_import (const char *text)
{
    store_txn_t *txn = store_begin (fx_store, true);
    cr_assert_not_null (txn);
    char err[256] = "";
    int store_rc;
    char *json =
        state_calendar_import (txn, text, strlen (text), &store_rc, err);
    cr_assert_not_null (json, "%s", err);
    free (json);
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

/* A receipt signed at `at`, dispatched at `dispatched`, with a time
   limit and no due_at. */
static proto_event_t
s_received (const char *ticket, const char *dispatched, const char *at,
            const char *limit)
{
    proto_event_t ev = fx_event (PROTO_RECEIVED, ticket, "U01", at);
    ev.dispatched_at = fx_ms (dispatched);
    snprintf (ev.time_limit, sizeof (ev.time_limit), "%s", limit);
    snprintf (ev.channel, sizeof (ev.channel), "hotline");
    snprintf (ev.category, sizeof (ev.category), "property");
    return ev;
}

/* The ticket's deadline in force. */
static int64_t
s_due (const char *ticket)
{
    store_txn_t *txn = store_begin (fx_store, false);
    cr_assert_not_null (txn);
    state_ticket_info_t info;
    cr_assert_eq (state_ticket_info (txn, ticket, &info), STORE_OK);
    store_abort (&txn);
    return info.due_at;
}

static void
s_expect_due (const char *ticket, const char *local)
{
    char got[32], want[32];
    int64_t due = s_due (ticket);
    cr_expect_eq (due, fx_ms (local), "%s due %s, not %s", ticket,
                  proto_time_format (due, got),
                  proto_time_format (fx_ms (local), want));
}

/* The alerts a tick raised: their count, and the first's kind and at. */
static size_t
s_tick_alerts (const char *at, char *kind, char *when)
{
    state_effects_t *effects = state_effects_new ();
    fx_apply_fx (fx_event (PROTO_TICK, "", "", at), effects);
    size_t n = state_effects_alert_count (effects);
    kind[0] = when[0] = 0;
    if (n) {
        const char *unit, *json;
        state_effects_alert_at (effects, 0, &unit, &json);
        cJSON *doc = cJSON_Parse (json);
        snprintf (kind, 16, "%s",
                  cJSON_GetObjectItem (doc, "kind")->valuestring);
        snprintf (when, 32, "%s", cJSON_GetObjectItem (doc, "at")->valuestring);
        cJSON_Delete (doc);
    }
    state_effects_destroy (&effects);
    return n;
}

/* ---- the example of docs/calendar.md ------------------------------------ */

Test (worktime,
      three_working_days_from_30_september_2025_end_on_the_make_up_saturday)
{
    fx_apply (s_received ("T1", "2025-09-30 17:00", "2025-09-30 17:00", "3wd"));
    s_expect_due ("T1", "2025-10-11 18:00");
    /* 23.5 working hours (Sep 30 17-18, Oct 9, 10 and 11): 80% of them,
       18 h 48 min, have passed at Oct 11 11:18, not during the holiday. */
    char kind[16], when[32];
    cr_expect_eq (s_tick_alerts ("2025-10-11 11:17:59", kind, when), 0,
                  "%s at %s", kind, when);
    cr_assert_eq (s_tick_alerts ("2025-10-11 11:18:00", kind, when), 1);
    cr_expect_str_eq (kind, "warning");
    cr_expect_str_eq (when, "2025-10-11T11:18:00+08:00");
    cr_expect_eq (s_tick_alerts ("2025-10-11 18:00:00", kind, when), 0,
                  "the deadline itself is in time");
    cr_assert_eq (s_tick_alerts ("2025-10-11 18:00:01", kind, when), 1);
    cr_expect_str_eq (kind, "overdue");
    cr_expect_str_eq (when, "2025-10-11T18:00:00+08:00");
    cr_expect_eq (fx_c ("2025-10", "U01", RULES_OVERDUE_OPEN), 1);
}

Test (worktime, working_hours_and_wall_hours_limits_derive_their_deadlines)
{
    /* 16 wh from a Friday 17:00: Friday 1 h, Monday 7.5 h, Tuesday 7.5 h. */
    fx_apply (
        s_received ("T1", "2025-07-04 17:00", "2025-07-04 17:10", "16wh"));
    s_expect_due ("T1", "2025-07-08 18:00");
    /* 72 h of wall time, weekend or not. */
    fx_apply (s_received ("T2", "2025-07-04 17:00", "2025-07-04 17:10", "72h"));
    s_expect_due ("T2", "2025-07-07 17:00");
    /* The wall-hours limit warns at 80% of its wall time: 57 h 36 min. */
    char kind[16], when[32];
    cr_expect_eq (s_tick_alerts ("2025-07-07 02:35:59", kind, when), 0);
    cr_assert_eq (s_tick_alerts ("2025-07-07 02:36:00", kind, when), 1);
    cr_expect_str_eq (when, "2025-07-07T02:36:00+08:00");
}

Test (worktime, an_extension_counts_from_dispatch_and_a_reopening_from_itself)
{
    fx_apply (s_received ("T1", "2025-07-01 09:00", "2025-07-01 09:10", "3wd"));
    s_expect_due ("T1", "2025-07-04 18:00");
    proto_event_t ext =
        fx_event (PROTO_EXTENDED, "T1", "U01", "2025-07-03 10:00");
    snprintf (ext.time_limit, sizeof (ext.time_limit), "5wd");
    fx_apply (ext);
    s_expect_due ("T1", "2025-07-08 18:00");
    fx_close ("T1", "U01", "2025-07-08 17:00");
    fx_apply (fx_revisited ("T1", "U01", "2025-07-09 10:00",
                            PROTO_SAT_UNSATISFIED, PROTO_RES_NO, true));
    proto_event_t re =
        fx_event (PROTO_REOPENED, "T1", "U01", "2025-07-10 17:00");
    snprintf (re.time_limit, sizeof (re.time_limit), "16wh");
    fx_apply (re);
    s_expect_due ("T1", "2025-07-14 18:00");
}

Test (worktime, an_event_with_due_at_and_a_time_limit_keeps_due_at)
{
    proto_event_t ev =
        s_received ("T1", "2025-07-01 09:00", "2025-07-01 09:10", "3wd");
    ev.due_at = fx_ms ("2025-07-10 12:00");
    fx_apply (ev);
    s_expect_due ("T1", "2025-07-10 12:00");
}

/* ---- windows ------------------------------------------------------------ */

/* A ticket dispatched Friday 17:30 and signed 17:40, returned Monday
   09:10: 30 + 40 = 70 working minutes, 63 h 40 min of wall time. */
static void
s_friday_return (void)
{
    fx_apply (s_received ("T1", "2025-07-04 17:30", "2025-07-04 17:40", "3wd"));
    fx_apply (fx_event (PROTO_RETURNED, "T1", "U01", "2025-07-07 09:10"));
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_RETURNED), 1);
}

Test (worktime,
      a_return_at_9_10_monday_after_a_friday_17_30_dispatch_is_on_time_in_2_wh)
{
    s_friday_return ();
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_RETURNED_LATE), 0);
}

Test (worktime, the_same_return_is_late_when_the_window_is_2_h_of_wall_time)
{
    s_configure ("cn", "sign 1wh contact 2wh return 2h");
    s_friday_return ();
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_RETURNED_LATE), 1);
}

Test (worktime, signing_and_contact_windows_leave_out_nights_and_weekends)
{
    /* Signed Monday 08:45 after a Friday 17:30 dispatch: 45 working
       minutes; first contact Monday 09:50: 20 + 80 = 100 working minutes
       after the Friday 17:40 receipt. */
    fx_apply (s_received ("T1", "2025-07-04 17:30", "2025-07-07 08:45", "3wd"));
    proto_event_t early =
        s_received ("T2", "2025-07-04 17:30", "2025-07-04 17:40", "3wd");
    fx_apply (early);
    fx_apply (fx_event (PROTO_CONTACTED, "T2", "U01", "2025-07-07 09:50"));
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_SIGNED_LATE), 0);
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 0);
    /* Across lunch: dispatched 11:30, signed 14:20 is 50 working minutes;
       contacted 16:50 is 2 h 30 min after the 14:20 receipt: late. */
    fx_apply (s_received ("T3", "2025-07-08 11:30", "2025-07-08 14:20", "3wd"));
    fx_apply (fx_event (PROTO_CONTACTED, "T3", "U01", "2025-07-08 16:50"));
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_SIGNED_LATE), 0);
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 1);
}

Test (worktime, in_wall_time_the_same_signing_and_contact_are_late)
{
    s_configure ("cn", "sign 1h contact 2h return 2h");
    fx_apply (s_received ("T1", "2025-07-04 17:30", "2025-07-07 08:45", "3wd"));
    fx_apply (fx_event (PROTO_CONTACTED, "T1", "U01", "2025-07-07 09:50"));
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_SIGNED_LATE), 1);
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 0,
                  "70 min after the Monday receipt");
}

/* ---- years the calendar lacks ------------------------------------------- */

Test (worktime, a_limit_or_window_needing_a_missing_year_is_refused_unwritten)
{
    fx_expect_rejected (
        s_received ("T1", "2019-12-30 09:00", "2019-12-30 09:00", "3wd"),
        "time_limit 3wd needs 2019 of the calendar cn, which lacks it: "
        "import that year (hotline calendar import FILE)");
    /* With its own due_at, the sign window still needs 2019. */
    proto_event_t ev = fx_received ("T2", "U01", "2019-12-30 09:00",
                                    "2019-12-30 11:00", "2020-01-03 18:00");
    fx_expect_rejected (ev, "the sign window (working hours) needs 2019");
    char reason[PROTO_ERROR_MAX + 1];
    state_reject_t kind = STATE_REJECT_NONE;
    store_txn_t *txn = store_begin (fx_store, true);
    int rc = STORE_OK;
    ev = s_received ("T3", "2019-12-30 09:00", "2019-12-30 09:00", "1wd");
    cr_expect_eq (state_apply (txn, &ev,
                               &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                              .wall_now = INT64_MAX / 2},
                               reason, &rc, &kind),
                  STATE_REJECTED);
    store_abort (&txn);
    cr_expect_eq (kind, STATE_REJECT_CALENDAR);
    cr_expect_str_eq (state_reject_name (kind), "calendar");
    /* Imported, the same event is taken. */
    s_import ("{\"year\":2019,\"days\":[{\"name\":\"元旦\",\"date\":"
              "\"2019-01-01\",\"isOffDay\":true}]}");
    fx_apply (s_received ("T1", "2019-12-30 09:00", "2019-12-30 09:00", "3wd"));
    s_expect_due ("T1", "2020-01-03 18:00");
}

/* Applies an event as a daemon whose own clock is far ahead would (the
   events below are later than this machine's clock allows). */
static void
s_apply_later (proto_event_t ev)
{
    store_txn_t *txn = store_begin (fx_store, true);
    cr_assert_not_null (txn);
    char reason[PROTO_ERROR_MAX + 1] = "";
    int rc = STORE_OK;
    cr_assert_eq (state_apply (txn, &ev,
                               &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                              .wall_now = INT64_MAX / 2},
                               reason, &rc, NULL),
                  STATE_STORED, "%s", reason);
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

Test (worktime, a_warning_needing_a_missing_year_falls_at_the_wall_time_share)
{
    /* Due 2027-01-08 18:00, given: the ticket is taken (its windows are
       in 2026), and its warning, which counts nothing, falls at 80% of
       the 193 h of wall time: 2027-01-07 03:24. */
    s_apply_later (fx_received ("T1", "U01", "2026-12-31 17:00",
                                "2026-12-31 17:10", "2027-01-08 18:00"));
    s_apply_later (fx_event (PROTO_TICK, "", "", "2027-01-07 03:23:59"));
    cr_expect_eq (fx_c ("2027-01", "U01", RULES_ALERTS), 0);
    store_txn_t *txn = store_begin (fx_store, false);
    char json[512];
    size_t size = sizeof (json) - 1;
    cr_expect_eq (store_get (txn, STORE_ALERTS, "T1", 2, json, &size),
                  STORE_NOTFOUND, "no warning a second before");
    store_abort (&txn);
    s_apply_later (fx_event (PROTO_TICK, "", "", "2027-01-07 03:24:00"));
    txn = store_begin (fx_store, false);
    size = sizeof (json) - 1;
    cr_assert_eq (store_get (txn, STORE_ALERTS, "T1", 2, json, &size),
                  STORE_OK);
    store_abort (&txn);
    json[size] = 0;
    cr_expect (strstr (json, "\"kind\":\"warning\"") &&
                   strstr (json, "\"at\":\"2027-01-07T03:24:00+08:00\""),
               "%s", json);
}

Test (worktime,
      without_a_calendar_working_limits_are_refused_and_wall_ones_kept)
{
    s_configure ("none", "sign 1h contact 2h return 2h");
    fx_expect_rejected (
        s_received ("T1", "2025-07-01 09:00", "2025-07-01 09:10", "3wd"),
        "time_limit 3wd is in working time, but calendar = none");
    fx_apply (s_received ("T2", "2025-07-01 09:00", "2025-07-01 09:10", "10h"));
    s_expect_due ("T2", "2025-07-01 19:00");
    char err[256] = "";
    cr_expect_eq (state_calendar_check ("none", STATE_HOURS_DEFAULT,
                                        STATE_WINDOWS_DEFAULT, err),
                  -1);
    cr_expect (strstr (err, "calendar = none"), "%s", err);
}

/* ---- a calendar change re-scores ---------------------------------------- */

Test (worktime,
      a_corrected_year_and_a_rebuild_move_deadlines_alerts_and_counters)
{
    fx_apply (s_received ("T1", "2025-09-30 17:00", "2025-09-30 17:00", "3wd"));
    /* Dispatched on the make-up Saturday 09:00, returned Monday 10:00:
       3 working hours that Saturday already. */
    fx_apply (s_received ("T2", "2025-10-11 09:00", "2025-10-11 09:10", "3wd"));
    fx_apply (fx_event (PROTO_RETURNED, "T2", "U01", "2025-10-13 10:00"));
    fx_tick ("2025-10-12 00:00");
    s_expect_due ("T1", "2025-10-11 18:00");
    cr_expect_eq (fx_c ("2025-10", "U01", RULES_OVERDUE_OPEN), 1);
    cr_expect_eq (fx_c ("2025-10", "U01", RULES_ALERTS), 1);
    cr_expect_eq (fx_c ("2025-10", "U01", RULES_RETURNED_LATE), 1);

    /* A corrected 2025 (made up for the test): the holiday runs to the
       10th and the 11th is an ordinary Saturday. */
    s_import ("{\"year\":2025,\"days\":["
              "{\"name\":\"国庆节\",\"date\":\"2025-10-01\",\"isOffDay\":true},"
              "{\"name\":\"国庆节\",\"date\":\"2025-10-02\",\"isOffDay\":true},"
              "{\"name\":\"国庆节\",\"date\":\"2025-10-03\",\"isOffDay\":true},"
              "{\"name\":\"国庆节\",\"date\":\"2025-10-04\",\"isOffDay\":true},"
              "{\"name\":\"国庆节\",\"date\":\"2025-10-05\",\"isOffDay\":true},"
              "{\"name\":\"国庆节\",\"date\":\"2025-10-06\",\"isOffDay\":true},"
              "{\"name\":\"国庆节\",\"date\":\"2025-10-07\",\"isOffDay\":true},"
              "{\"name\":\"国庆节\",\"date\":\"2025-10-08\",\"isOffDay\":true},"
              "{\"name\":\"国庆节\",\"date\":\"2025-10-09\",\"isOffDay\":true},"
              "{\"name\":\"国庆节\",\"date\":\"2025-10-10\",\"isOffDay\":"
              "true}]}");
    /* Events applied from now on use it; those stored wait for a
       rebuild. */
    s_expect_due ("T1", "2025-10-11 18:00");
    state_rebuild_result_t result;
    char err[256] = "";
    cr_assert_eq (state_rebuild (fx_store, STATE_CLOCK_EVENT, 0, NULL, NULL,
                                 &result, err),
                  0, "%s", err);
    cr_expect_eq (result.refused, 0, "%s", result.reasons[0]);
    /* Sep 30, then Oct 13, 14, 15. */
    s_expect_due ("T1", "2025-10-15 18:00");
    cr_expect_eq (fx_c ("2025-10", "U01", RULES_OVERDUE_OPEN), 0,
                  "not yet due at the clock's Oct 12");
    cr_expect_eq (fx_c ("2025-10", "U01", RULES_ALERTS), 0);
    cr_expect_eq (fx_c ("2025-10", "U01", RULES_RETURNED_LATE), 0,
                  "90 working minutes on Monday");
    /* The warning moved too: 80% of 23.5 h from Sep 30 17:00 is now
       Oct 15 11:18. */
    char kind[16], when[32];
    cr_expect_eq (s_tick_alerts ("2025-10-15 11:17:59", kind, when), 0,
                  "%s at %s", kind, when);
    cr_assert_eq (s_tick_alerts ("2025-10-15 11:18:00", kind, when), 1);
    cr_expect_str_eq (kind, "warning");
}
