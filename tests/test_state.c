/*  Tests for the state machine (state.h): every counter rule of
    docs/scoring.md, rejections and duplicates, the wall clock, effects.

    Events built by hand (fixture.h) are applied to a fresh store holding
    four units and the counters read back from the keys the state machine
    writes. Times are Asia/Shanghai local times. Links with the state
    module and what it needs: no sockets.
*/
#include "fixture.h"
#include "state_internal.h"
#include "testutil.h"

#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The wall clock the state machine is told (it reads none itself). */
#define WALL_NOW ((int64_t)time (NULL) * 1000)

TestSuite (state, .init = fx_setup, .fini = fx_teardown);

/* ---- the ticket state machine: counters ---------------------------------- */

Test (state, received_counts_in_the_month_the_quarter_and_both_slices)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_open ("T2", "U01", "2025-08-03 09:00", "2025-08-06 18:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_RECEIVED), 1);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_RECEIVED), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_RECEIVED), 2);
    cr_assert_eq (fx_cs ("2025-07", "U01", "ch:", "hotline", RULES_RECEIVED),
                  1);
    cr_assert_eq (fx_cs ("2025-Q3", "U01", "cat:", "property", RULES_RECEIVED),
                  2);
    cr_assert_eq (fx_c ("2025-07", "U02", RULES_RECEIVED), 0);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_SIGNED_LATE), 0);
}

Test (state, a_ticket_signed_more_than_an_hour_after_dispatch_is_signed_late)
{
    fx_apply (fx_received ("T1", "U01", "2025-07-01 09:00", "2025-07-01 10:00",
                           "2025-07-04 18:00"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_SIGNED_LATE), 0,
                  "exactly one hour is in time");
    fx_apply (fx_received ("T2", "U01", "2025-07-01 09:00",
                           "2025-07-01 10:00:01", "2025-07-04 18:00"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_SIGNED_LATE), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_SIGNED_LATE), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_RECEIVED), 2);
}

Test (state, a_first_contact_more_than_two_hours_after_receipt_is_late_once)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_apply (fx_event (PROTO_CONTACTED, "T1", "U01", "2025-07-01 11:00"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 0,
                  "exactly two hours is in time");
    fx_apply (fx_event (PROTO_CONTACTED, "T2", "U01", "2025-07-01 11:00:01"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 1);
    fx_apply (fx_event (PROTO_CONTACTED, "T2", "U01", "2025-07-01 15:00"));
    fx_apply (fx_event (PROTO_CONTACTED, "T1", "U01", "2025-07-01 15:00"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 1,
                  "only the first contact counts");
    fx_close ("T1", "U01", "2025-07-02 09:00");
    fx_close ("T2", "U01", "2025-07-02 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 1);
}

Test (state, a_ticket_closed_without_any_contact_is_contacted_late_once)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", "2025-07-01 10:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 1);
    fx_apply (fx_revisited ("T1", "U01", "2025-07-02 10:00", PROTO_SAT_BASIC,
                            PROTO_RES_PARTLY, true));
    fx_apply (fx_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-02 10:05",
                           "2025-07-05 18:00"));
    fx_close ("T1", "U01", "2025-07-03 10:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 1,
                  "counted once per ticket");
}

Test (state, a_ticket_not_contacted_by_its_deadline_is_contacted_late_once)
{
    fx_open ("T1", "U01", "2025-07-30 09:00", "2025-07-31 18:00");
    store_txn_t *txn = store_begin (fx_store, true);
    cr_assert_eq (state_advance_clock (txn, fx_ms ("2025-08-01 09:00"), NULL),
                  STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 1,
                  "counted in the period of the deadline");
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_CONTACTED_LATE), 0);
    fx_apply (fx_event (PROTO_CONTACTED, "T1", "U01", "2025-08-01 10:00"));
    fx_close ("T1", "U01", "2025-08-02 10:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CONTACTED_LATE), 1);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_CONTACTED_LATE), 0);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_CONTACTED_LATE), 1);
}

Test (state, a_return_more_than_two_hours_after_dispatch_is_returned_late)
{
    fx_apply (fx_received ("T1", "U01", "2025-07-01 09:00", "2025-07-01 09:30",
                           "2025-07-04 18:00"));
    fx_apply (fx_received ("T2", "U01", "2025-07-01 09:00", "2025-07-01 09:30",
                           "2025-07-04 18:00"));
    fx_apply (fx_event (PROTO_RETURNED, "T1", "U01", "2025-07-01 11:00"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_RETURNED), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_RETURNED_LATE), 0,
                  "exactly two hours after dispatch is in time");
    fx_apply (fx_event (PROTO_RETURNED, "T2", "U01", "2025-07-01 11:01"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_RETURNED), 2);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_RETURNED_LATE), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_RETURNED_LATE), 1);
}

Test (state, a_returned_ticket_has_no_deadline_and_can_go_to_another_unit)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_apply (fx_event (PROTO_RETURNED, "T1", "U01", "2025-07-01 10:00"));
    fx_tick ("2025-07-10 00:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 0);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 0);
    fx_apply (fx_received ("T1", "U02", "2025-07-10 09:00", "2025-07-10 09:10",
                           "2025-07-14 18:00"));
    fx_close ("T1", "U02", "2025-07-11 09:00");
    cr_assert_eq (fx_c ("2025-07", "U02", RULES_RECEIVED), 1);
    cr_assert_eq (fx_c ("2025-07", "U02", RULES_CLOSED_ON_TIME), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 0);
}

Test (state,
      an_extension_moves_the_deadline_so_a_close_after_the_old_one_is_on_time)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_apply (fx_with_due (PROTO_EXTENDED, "T1", "U01", "2025-07-03 09:00",
                           "2025-07-08 18:00"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_EXTENDED), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_EXTENDED), 1);
    fx_tick ("2025-07-06 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 0,
                  "the old deadline no longer fires");
    fx_close ("T1", "U01", "2025-07-07 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_ON_TIME), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_LATE), 0);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_DAYS_LATE), 0);
}

Test (state, a_close_by_the_deadline_is_on_time_and_after_it_late)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", "2025-07-04 18:00");
    fx_close ("T2", "U01", "2025-07-04 18:01");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 2);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_ON_TIME), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_LATE), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_FIRST_TIME_CLOSED), 2);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_SHOULD_CLOSE), 2);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_CLOSED), 2);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_CLOSED_ON_TIME), 1);
}

/* Closes T1 (open with U01), sends it back for rework and closes it again
   at `second`, all in July. */
static void
s_close_rework_close (const char *first, const char *second)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", first);
    fx_apply (fx_revisited ("T1", "U01", "2025-07-06 10:00",
                            PROTO_SAT_UNSATISFIED, PROTO_RES_NO, true));
    fx_apply (fx_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-06 10:05",
                           "2025-07-09 18:00"));
    fx_close ("T1", "U01", second);
}

Test (state, closing_again_after_rework_counts_once_and_a_late_reclose_decides)
{
    s_close_rework_close ("2025-07-03 10:00", "2025-07-10 10:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_ON_TIME), 0);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_LATE), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_CLOSED_ON_TIME), 0);
}

Test (state,
      closing_again_after_rework_counts_once_and_an_on_time_reclose_decides)
{
    s_close_rework_close ("2025-07-05 10:00", "2025-07-08 10:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_ON_TIME), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_LATE), 0);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 0);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 1,
                  "the first deadline passed while open");
}

Test (state, rework_undoes_a_first_time_closure_of_the_same_period)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", "2025-07-02 10:00");
    fx_close ("T2", "U01", "2025-07-02 10:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_FIRST_TIME_CLOSED), 2);
    fx_apply (fx_revisited ("T1", "U01", "2025-07-03 10:00",
                            PROTO_SAT_UNSATISFIED, PROTO_RES_NO, true));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_FIRST_TIME_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_FIRST_TIME_CLOSED), 1);
    fx_apply (fx_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-03 10:05",
                           "2025-07-06 18:00"));
    fx_close ("T1", "U01", "2025-07-04 10:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_FIRST_TIME_CLOSED), 1,
                  "a reworked ticket is never first-time again");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 2);
}

Test (state,
      rework_in_the_next_month_keeps_the_first_time_closure_of_the_month_before)
{
    fx_open ("T1", "U01", "2025-07-28 09:00", "2025-07-31 18:00");
    fx_close ("T1", "U01", "2025-07-30 10:00");
    fx_apply (fx_revisited ("T1", "U01", "2025-08-02 10:00", PROTO_SAT_BASIC,
                            PROTO_RES_PARTLY, true));
    fx_apply (fx_with_due (PROTO_REOPENED, "T1", "U01", "2025-08-02 10:05",
                           "2025-08-08 18:00"));
    fx_close ("T1", "U01", "2025-08-05 10:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_FIRST_TIME_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_CLOSED_ON_TIME), 1);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_FIRST_TIME_CLOSED), 0);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_REWORK), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_CLOSED), 1,
                  "one ticket, one quarter");
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_CLOSED_ON_TIME), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_FIRST_TIME_CLOSED), 0);
}

Test (state, a_deadline_passed_by_the_clock_counts_overdue_open_and_an_alert)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    store_txn_t *txn = store_begin (fx_store, true);
    cr_assert_eq (state_advance_clock (txn, fx_ms ("2025-07-04 18:00"), NULL),
                  STORE_OK);
    cr_assert_eq (state_clock_now (txn), fx_ms ("2025-07-04 18:00"));
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 0,
                  "the deadline itself is still in time");

    txn = store_begin (fx_store, true);
    cr_assert_eq (
        state_advance_clock (txn, fx_ms ("2025-07-04 18:00") + 1, NULL),
        STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_SHOULD_CLOSE), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_OVERDUE_OPEN), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_ALERTS), 1);
    cr_assert_eq (fx_cs ("2025-07", "U01", "ch:", "hotline", RULES_ALERTS), 1);

    /* Advancing again raises nothing new; going back does nothing. */
    txn = store_begin (fx_store, true);
    cr_assert_eq (state_advance_clock (txn, fx_ms ("2025-07-06 00:00"), NULL),
                  STORE_OK);
    cr_assert_eq (state_advance_clock (txn, fx_ms ("2025-07-02 00:00"), NULL),
                  STORE_OK);
    cr_assert_eq (state_clock_now (txn), fx_ms ("2025-07-06 00:00"));
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 1);
}

Test (state, a_later_event_on_the_event_clock_raises_every_passed_deadline)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-03 18:00");
    fx_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_open ("T3", "U02", "2025-07-01 09:00", "2025-07-02 18:00");
    fx_open ("T4", "U01", "2025-07-01 09:00", "2025-07-20 18:00");
    fx_open ("T5", "U01", "2025-07-05 09:00", "2025-07-09 18:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 2,
                  "T5's receipt moved the clock past T1 and T2");
    cr_assert_eq (fx_c ("2025-07", "U02", RULES_OVERDUE_OPEN), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 2);
    fx_tick ("2025-07-10 00:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 3);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 3);
    store_txn_t *txn = store_begin (fx_store, false);
    /* T4's deadline and its warning (80% of 19 days 9 hours from
       dispatch: 2025-07-16 14:48) are still ahead. */
    cr_assert_eq (store_count (txn, STORE_DUE), 2, "only T4 still waits");
    cr_assert_eq (state_clock_now (txn), fx_ms ("2025-07-10 00:00"));
    store_abort (&txn);
}

Test (state,
      overdue_open_is_taken_back_when_the_ticket_closes_in_the_same_month)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_tick ("2025-07-05 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 1);
    fx_close ("T1", "U01", "2025-07-06 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 0);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 1, "the alert stays");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_LATE), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_SHOULD_CLOSE), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_OVERDUE_OPEN), 0);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_ALERTS), 1);
}

Test (state, overdue_open_stays_in_the_month_when_the_ticket_closes_in_the_next)
{
    fx_open ("T1", "U01", "2025-07-25 09:00", "2025-07-29 18:00");
    fx_tick ("2025-07-30 09:00");
    fx_close ("T1", "U01", "2025-08-02 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_SHOULD_CLOSE), 1);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_CLOSED_LATE), 1);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_OVERDUE_OPEN), 0);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_ALERTS), 0);
    /* At the end of Q3 the ticket was closed: counted once, as closed. */
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_OVERDUE_OPEN), 0);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_CLOSED), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_SHOULD_CLOSE), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_ALERTS), 1);
}

Test (state, an_extension_or_return_after_the_deadline_takes_back_overdue_open)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_tick ("2025-07-05 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 2);
    fx_apply (fx_with_due (PROTO_EXTENDED, "T1", "U01", "2025-07-05 10:00",
                           "2025-07-10 18:00"));
    fx_apply (fx_event (PROTO_RETURNED, "T2", "U01", "2025-07-05 10:00"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 0);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 2, "the alerts stay");
    fx_close ("T1", "U01", "2025-07-08 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_ON_TIME), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 2);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_OVERDUE_OPEN), 0);
}

Test (state, overdue_is_counted_in_the_period_of_the_deadline)
{
    fx_open ("T1", "U01", "2025-07-28 09:00", "2025-07-31 22:00");
    fx_tick ("2025-08-02 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 1);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_OVERDUE_OPEN), 0);
    cr_assert_eq (fx_c ("2025-08", "U01", RULES_ALERTS), 0);
}

Test (state, quarter_counters_sum_the_months)
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
            fx_open (ticket, "U01", at, due);
            fx_close (ticket, "U01", close);
        }
    fx_open ("T99", "U01", "2025-10-01 00:00", "2025-10-04 00:00");
    int sum_received = 0, sum_closed = 0;
    for (int m = 0; m < 3; m++) {
        cr_assert_eq (fx_c (months[m], "U01", RULES_RECEIVED), m + 1);
        sum_received += fx_c (months[m], "U01", RULES_RECEIVED);
        sum_closed += fx_c (months[m], "U01", RULES_CLOSED);
    }
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_RECEIVED), sum_received);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_CLOSED), sum_closed);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_CLOSED_ON_TIME), 6);
    cr_assert_eq (fx_c ("2025-Q4", "U01", RULES_RECEIVED), 1);
}

Test (state, channel_and_category_slices_split_a_units_tickets)
{
    proto_event_t ev = fx_received ("T1", "U01", "2025-07-01 09:00",
                                    "2025-07-01 09:00", "2025-07-04 18:00");
    snprintf (ev.channel, sizeof (ev.channel), "mailbox");
    snprintf (ev.category, sizeof (ev.category), "traffic");
    fx_apply (ev);
    fx_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_open ("T3", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", "2025-07-05 09:00");
    fx_close ("T2", "U01", "2025-07-02 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_RECEIVED), 3);
    cr_assert_eq (fx_cs ("2025-07", "U01", "ch:", "mailbox", RULES_RECEIVED),
                  1);
    cr_assert_eq (fx_cs ("2025-07", "U01", "ch:", "hotline", RULES_RECEIVED),
                  2);
    cr_assert_eq (fx_cs ("2025-07", "U01", "cat:", "traffic", RULES_RECEIVED),
                  1);
    cr_assert_eq (fx_cs ("2025-07", "U01", "cat:", "property", RULES_RECEIVED),
                  2);
    cr_assert_eq (fx_cs ("2025-07", "U01", "ch:", "mailbox", RULES_CLOSED), 1);
    cr_assert_eq (fx_cs ("2025-07", "U01", "ch:", "mailbox", RULES_CLOSED_LATE),
                  1);
    cr_assert_eq (
        fx_cs ("2025-07", "U01", "ch:", "hotline", RULES_CLOSED_ON_TIME), 1);
    cr_assert_eq (fx_cs ("2025-Q3", "U01", "cat:", "traffic", RULES_CLOSED), 1);
    cr_assert_eq (fx_cs ("2025-07", "U01", "ch:", "", RULES_RECEIVED), 0,
                  "no empty slice");
}

Test (state, revisits_count_unsatisfied_and_unresolved)
{
    const proto_satisfaction_t sat[4] = {PROTO_SAT_SATISFIED,
                                         PROTO_SAT_UNSATISFIED,
                                         PROTO_SAT_UNSATISFIED, PROTO_SAT_NONE};
    const proto_resolved_t res[4] = {PROTO_RES_YES, PROTO_RES_NO,
                                     PROTO_RES_PARTLY, PROTO_RES_NO};
    for (int i = 0; i < 4; i++) {
        char ticket[8];
        snprintf (ticket, sizeof (ticket), "T%d", i);
        fx_open (ticket, "U01", "2025-07-01 09:00", "2025-07-04 18:00");
        fx_close (ticket, "U01", "2025-07-02 09:00");
        fx_apply (fx_revisited (ticket, "U01", "2025-07-03 09:00", sat[i],
                                res[i], false));
    }
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_REVISITED), 4);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_UNSATISFIED), 2);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_UNRESOLVED), 2);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_REWORK), 0);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_UNSATISFIED), 2);
    cr_assert_eq (fx_cs ("2025-07", "U01", "ch:", "hotline", RULES_UNRESOLVED),
                  2);
}

Test (state, a_rework_revisit_followed_by_a_reopen_counts_one_rework)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", "2025-07-02 09:00");
    fx_apply (fx_revisited ("T1", "U01", "2025-07-03 09:00",
                            PROTO_SAT_UNSATISFIED, PROTO_RES_NO, true));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_REWORK), 1);
    fx_apply (fx_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-03 09:05",
                           "2025-07-06 18:00"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_REWORK), 1);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_REWORK), 1);
}

Test (state, a_reopen_without_a_rework_revisit_counts_one_rework)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", "2025-07-02 09:00");
    fx_apply (fx_revisited ("T1", "U01", "2025-07-03 09:00",
                            PROTO_SAT_SATISFIED, PROTO_RES_YES, false));
    fx_apply (fx_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-03 09:05",
                           "2025-07-06 18:00"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_REWORK), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_FIRST_TIME_CLOSED), 0);
    /* A reopen right after closing, with no revisit at all. */
    fx_close ("T1", "U01", "2025-07-04 09:00");
    fx_apply (fx_with_due (PROTO_REOPENED, "T1", "U01", "2025-07-04 09:05",
                           "2025-07-08 18:00"));
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_REWORK), 2);
}

Test (state,
      key_supervision_and_repeat_dispatch_tickets_closed_late_are_counted)
{
    proto_event_t ev = fx_received ("K1", "U01", "2025-07-01 09:00",
                                    "2025-07-01 09:00", "2025-07-04 18:00");
    ev.key_supervision = true;
    fx_apply (ev);
    ev = fx_received ("K2", "U01", "2025-07-01 09:00", "2025-07-01 09:00",
                      "2025-07-04 18:00");
    ev.key_supervision = true;
    fx_apply (ev);
    ev = fx_received ("R1", "U01", "2025-07-01 09:00", "2025-07-01 09:00",
                      "2025-07-04 18:00");
    ev.repeat_dispatch = true;
    fx_apply (ev);
    fx_open ("P1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("K2", "U01", "2025-07-03 09:00");
    fx_close ("K1", "U01", "2025-07-05 09:00");
    fx_close ("R1", "U01", "2025-07-05 09:00");
    fx_close ("P1", "U01", "2025-07-05 09:00");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_KEY_CLOSED_LATE), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_REPEAT_CLOSED_LATE), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_LATE), 3);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_KEY_CLOSED_LATE), 1);
}

Test (state, days_late_sums_the_days_begun_after_each_deadline)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_open ("T2", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_open ("T3", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", "2025-07-04 18:00:01"); /* 1 day begun */
    fx_close ("T2", "U01", "2025-07-06 09:00");    /* 1 day 15 h: 2 */
    fx_close ("T3", "U01", "2025-07-06 18:00");    /* exactly 2 days */
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_DAYS_LATE), 5);
    cr_assert_eq (fx_c ("2025-Q3", "U01", RULES_DAYS_LATE), 5);
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
    store_txn_t *txn = store_begin (fx_store, false);
    uint8_t key[STORE_KEY_MAX];
    size_t ksize = state_counter_key (key, period, unit, "", item);
    size_t size = sizeof (*rec);
    int rc = store_get (txn, STORE_MANUAL, key, ksize, rec, &size);
    store_abort (&txn);
    if (rc == STORE_OK)
        cr_assert_eq (size, sizeof (*rec));
    return rc;
}

Test (state, adjusted_keeps_the_latest_value_by_occurred_at)
{
    s_manual_t rec;
    cr_assert_eq (s_manual_get ("2024-Q4", "U01", "knowledge_base", &rec),
                  STORE_NOTFOUND);
    fx_apply (fx_adjusted ("U01", "2024-Q4", "knowledge_base", 9.5,
                           "2025-01-05 10:00"));
    cr_assert_eq (s_manual_get ("2024-Q4", "U01", "knowledge_base", &rec),
                  STORE_OK);
    cr_assert_eq (rec.value, 9.5);
    cr_assert_eq (rec.at, fx_ms ("2025-01-05 10:00"));
    /* An older adjustment arriving later does not overwrite it. */
    fx_apply (fx_adjusted ("U01", "2024-Q4", "knowledge_base", 7,
                           "2025-01-04 10:00"));
    s_manual_get ("2024-Q4", "U01", "knowledge_base", &rec);
    cr_assert_eq (rec.value, 9.5);
    fx_apply (fx_adjusted ("U01", "2024-Q4", "knowledge_base", 8.25,
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

Test (state, the_event_clock_is_the_latest_occurred_at)
{
    store_txn_t *txn = store_begin (fx_store, false);
    cr_assert_eq (state_clock_now (txn), 0, "no events: no clock");
    store_abort (&txn);
    fx_open ("T1", "U01", "2025-07-05 09:00", "2025-07-09 18:00");
    fx_open ("T2", "U01", "2025-07-03 09:00", "2025-07-09 18:00");
    txn = store_begin (fx_store, false);
    cr_assert_eq (state_clock_now (txn), fx_ms ("2025-07-05 09:00"));
    store_abort (&txn);
    fx_tick ("2025-07-07 00:00");
    txn = store_begin (fx_store, false);
    cr_assert_eq (state_clock_now (txn), fx_ms ("2025-07-07 00:00"));
    cr_assert_eq (store_count (txn, STORE_LOG), 3, "ticks are logged too");
    store_abort (&txn);
}

Test (state, every_stored_event_is_logged_and_remembered_for_deduplication)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", "2025-07-02 09:00");
    store_txn_t *txn = store_begin (fx_store, false);
    cr_assert_eq (store_count (txn, STORE_LOG), 2);
    cr_assert_eq (store_count (txn, STORE_DEDUP), 2);
    uint8_t key[8], seq[24];
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
    cr_assert_eq (size, 24, "the log seq, then the event's digest");
    cr_assert_eq (store_get_be64 (seq), 2);
    store_abort (&txn);
}

/* Another event under a stored id is a conflict, refused with the
   stored event's log number, and changes nothing. */
static void
s_expect_conflict (proto_event_t *other)
{
    size_t before_size, after_size;
    char *before = fx_snapshot (&before_size);
    char reason[PROTO_ERROR_MAX + 1] = "";
    store_txn_t *txn = store_begin (fx_store, true);
    cr_assert_not_null (txn);
    int rc = STORE_OK;
    state_reject_t kind = STATE_REJECT_NONE;
    cr_assert_eq (state_apply (txn, other,
                               &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                              .wall_now = WALL_NOW},
                               reason, &rc, &kind),
                  STATE_REJECTED);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_expect_eq (kind, STATE_REJECT_CONFLICT);
    cr_expect_str_eq (state_reject_name (kind), "conflict");
    cr_expect (strstr (reason, "conflict: event_id e1 was stored before "
                               "with other content (log event 1)"),
               "%s", reason);
    char *after = fx_snapshot (&after_size);
    cr_expect (before_size == after_size &&
                   memcmp (before, after, before_size) == 0,
               "the store changed");
    free (before);
    free (after);
}

Test (state, another_event_under_a_stored_id_is_a_conflict)
{
    proto_event_t received =
        fx_received ("T1", "U01", "2025-07-01 09:00", "2025-07-01 09:00",
                     "2025-07-04 18:00");
    fx_apply (received);
    proto_event_t other =
        fx_event (PROTO_CONTACTED, "T9", "U02", "2025-09-01 09:00");
    snprintf (other.event_id, sizeof (other.event_id), "%s", received.event_id);
    s_expect_conflict (&other);
    /* One field is enough. */
    other = received;
    other.key_supervision = true;
    s_expect_conflict (&other);
}

Test (state, a_store_without_digests_compares_with_the_logged_event)
{
    /* Stores written before digests were kept hold the log seq alone. */
    proto_event_t received =
        fx_received ("T1", "U01", "2025-07-01 09:00", "2025-07-01 09:00",
                     "2025-07-04 18:00");
    fx_apply (received);
    store_txn_t *txn = store_begin (fx_store, true);
    uint8_t seq[8];
    store_put_be64 (seq, 1);
    cr_assert_eq (store_put (txn, STORE_DEDUP, "e1", 2, seq, 8), STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    char reason[PROTO_ERROR_MAX + 1] = "";
    cr_expect_eq (fx_try (&received, NULL, reason), STATE_DUPLICATE);
    proto_event_t other = received;
    other.due_at += PROTO_HOUR_MS;
    s_expect_conflict (&other);
}

Test (state, units_import_keeps_the_registry_order_when_a_unit_is_updated)
{
    proto_unit_t units[2];
    memset (units, 0, sizeof (units));
    snprintf (units[0].unit_id, sizeof (units[0].unit_id), "U05");
    snprintf (units[0].name, sizeof (units[0].name), "新单位");
    snprintf (units[0].group, sizeof (units[0].group), "dept");
    snprintf (units[1].unit_id, sizeof (units[1].unit_id), "U01");
    snprintf (units[1].name, sizeof (units[1].name), "renamed");
    snprintf (units[1].group, sizeof (units[1].group), "town");
    store_txn_t *txn = store_begin (fx_store, true);
    size_t added = 9;
    cr_assert_eq (state_units_import (txn, units, 2, &added), STORE_OK);
    cr_assert_eq (added, 1);
    rules_unit_t unit;
    cr_assert_eq (state_unit_get (txn, "U01", &unit), STORE_OK);
    cr_assert_str_eq (unit.name, "renamed");
    cr_assert_eq (unit.order, 1);
    cr_assert_eq (state_unit_get (txn, "U05", &unit), STORE_OK);
    cr_assert_eq (unit.order, 5);
    cr_assert_str_eq (unit.group, "dept");
    cr_assert_eq (state_unit_get (txn, "U99", &unit), STORE_NOTFOUND);
    size_t count = 0;
    rules_unit_t *list = state_units_list (txn, &count);
    cr_assert_eq (count, 5);
    const char *order[5] = {"U01", "U02", "U03", "U04", "U05"};
    for (size_t i = 0; i < count; i++)
        cr_assert_str_eq (list[i].unit_id, order[i]);
    free (list);
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

/* ---- rejections and duplicates ------------------------------------------ */

Test (state, an_event_of_an_unknown_unit_is_rejected_and_changes_nothing)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_expect_rejected (fx_received ("T2", "U99", "2025-07-01 09:00",
                                     "2025-07-01 09:00", "2025-07-04 18:00"),
                        "unknown unit U99");
    fx_expect_rejected (
        fx_adjusted ("U99", "2025-07", "bonus", 1, "2025-07-02 09:00"),
        "unknown unit U99");
}

Test (state, an_event_for_an_unknown_ticket_is_rejected_and_changes_nothing)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_expect_rejected (
        fx_event (PROTO_CONTACTED, "T404", "U01", "2025-07-01 10:00"),
        "unknown ticket T404");
    fx_expect_rejected (
        fx_event (PROTO_CLOSED, "T404", "U01", "2025-07-10 10:00"),
        "unknown ticket T404");
}

Test (state, receiving_a_ticket_that_is_still_open_is_rejected)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_expect_rejected (fx_received ("T1", "U02", "2025-07-01 09:00",
                                     "2025-07-01 09:30", "2025-07-04 18:00"),
                        "ticket T1 is already open with unit U01");
    fx_expect_rejected (fx_received ("T1", "U01", "2025-07-01 09:00",
                                     "2025-07-01 09:30", "2025-07-04 18:00"),
                        "already open");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_RECEIVED), 1);
}

Test (state, an_event_for_a_ticket_owned_by_another_unit_is_rejected)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_expect_rejected (
        fx_event (PROTO_CLOSED, "T1", "U02", "2025-07-02 09:00"),
        "ticket T1 is with unit U01, not U02");
    fx_apply (fx_event (PROTO_RETURNED, "T1", "U01", "2025-07-01 10:00"));
    fx_open ("T1", "U02", "2025-07-01 11:00", "2025-07-04 18:00");
    fx_expect_rejected (
        fx_event (PROTO_CONTACTED, "T1", "U01", "2025-07-01 12:00"),
        "ticket T1 is with unit U02, not U01");
}

Test (state, closing_a_closed_ticket_is_rejected)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_close ("T1", "U01", "2025-07-02 09:00");
    fx_expect_rejected (
        fx_event (PROTO_CLOSED, "T1", "U01", "2025-07-03 09:00"),
        "ticket T1 is not open");
    fx_expect_rejected (fx_with_due (PROTO_EXTENDED, "T1", "U01",
                                     "2025-07-03 09:00", "2025-07-09 18:00"),
                        "not open");
    fx_expect_rejected (
        fx_event (PROTO_RETURNED, "T1", "U01", "2025-07-03 09:00"), "not open");
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 1);
}

Test (state, revisiting_or_reopening_an_open_ticket_is_rejected)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_expect_rejected (fx_revisited ("T1", "U01", "2025-07-02 09:00",
                                      PROTO_SAT_UNSATISFIED, PROTO_RES_NO,
                                      true),
                        "ticket T1 is not closed");
    fx_expect_rejected (fx_with_due (PROTO_REOPENED, "T1", "U01",
                                     "2025-07-02 09:00", "2025-07-09 18:00"),
                        "not closed");
}

Test (state, events_for_a_returned_ticket_are_rejected_until_it_is_received)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_apply (fx_event (PROTO_RETURNED, "T1", "U01", "2025-07-01 10:00"));
    fx_expect_rejected (
        fx_event (PROTO_CLOSED, "T1", "U01", "2025-07-02 09:00"), "not open");
    fx_expect_rejected (fx_revisited ("T1", "U01", "2025-07-02 09:00",
                                      PROTO_SAT_SATISFIED, PROTO_RES_YES,
                                      false),
                        "not closed");
}

Test (state, a_rejected_event_does_not_advance_the_clock)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_expect_rejected (
        fx_event (PROTO_CLOSED, "T1", "U02", "2025-07-20 09:00"),
        "is with unit");
    store_txn_t *txn = store_begin (fx_store, false);
    cr_assert_eq (state_clock_now (txn), fx_ms ("2025-07-01 09:00"));
    store_abort (&txn);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_OVERDUE_OPEN), 0);
}

Test (state, a_duplicate_event_id_is_reported_and_changes_nothing)
{
    proto_event_t received =
        fx_received ("T1", "U01", "2025-07-01 09:00", "2025-07-01 09:00",
                     "2025-07-04 18:00");
    fx_apply (received);
    proto_event_t close =
        fx_event (PROTO_CLOSED, "T1", "U01", "2025-07-02 09:00");
    fx_apply (close);
    size_t before_size, after_size;
    char *before = fx_snapshot (&before_size);
    char reason[PROTO_ERROR_MAX + 1] = "x";
    cr_assert_eq (fx_try (&received, NULL, reason), STATE_DUPLICATE);
    cr_assert_eq (fx_try (&close, NULL, reason), STATE_DUPLICATE);
    char *after = fx_snapshot (&after_size);
    cr_assert_eq (before_size, after_size);
    cr_assert_eq (memcmp (before, after, before_size), 0, "the store changed");
    free (before);
    free (after);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_RECEIVED), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED), 1);
}

Test (state, a_duplicate_within_one_transaction_is_reported)
{
    proto_event_t ev = fx_received ("T1", "U01", "2025-07-01 09:00",
                                    "2025-07-01 09:00", "2025-07-04 18:00");
    store_txn_t *txn = store_begin (fx_store, true);
    char reason[PROTO_ERROR_MAX + 1];
    int rc;
    cr_assert_eq (state_apply (txn, &ev,
                               &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                              .wall_now = WALL_NOW,
                                              .effects = NULL},
                               reason, &rc, NULL),
                  STATE_STORED);
    cr_assert_eq (state_apply (txn, &ev,
                               &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                              .wall_now = WALL_NOW,
                                              .effects = NULL},
                               reason, &rc, NULL),
                  STATE_DUPLICATE);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_RECEIVED), 1);
}

/* ---- the wall clock ------------------------------------------------------ */

/* Applies with the wall clock (the daemon's default) in one transaction. */
static state_outcome_t
s_try_wall (const proto_event_t *ev, int *rc, char *reason)
{
    store_txn_t *txn = store_begin (fx_store, true);
    cr_assert_not_null (txn);
    state_outcome_t outcome = state_apply (
        txn, ev,
        &(state_ctx_t){
            .clock = STATE_CLOCK_WALL, .wall_now = WALL_NOW, .effects = NULL},
        reason, rc, NULL);
    if (outcome == STATE_FAILED)
        store_abort (&txn);
    else
        cr_assert_eq (store_commit (&txn), STORE_OK);
    return outcome;
}

Test (state, with_the_wall_clock_a_new_ticket_is_received)
{
    proto_event_t ev = fx_received ("T1", "U01", "2025-07-01 09:00",
                                    "2025-07-01 09:00", "2025-07-04 18:00");
    int rc = STORE_OK;
    char reason[PROTO_ERROR_MAX + 1] = "";
    state_outcome_t outcome = s_try_wall (&ev, &rc, reason);
    cr_expect_eq (outcome, STATE_STORED, "outcome %d, store_rc %d (%s)",
                  outcome, rc, store_strerror (rc));
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_RECEIVED), 1);
}

Test (state, with_the_wall_clock_an_adjusted_event_is_stored)
{
    proto_event_t ev =
        fx_adjusted ("U01", "2025-07", "bonus", 0.5, "2025-07-02 09:00");
    int rc = STORE_OK;
    char reason[PROTO_ERROR_MAX + 1] = "";
    state_outcome_t outcome = s_try_wall (&ev, &rc, reason);
    cr_expect_eq (outcome, STATE_STORED, "outcome %d, store_rc %d (%s)",
                  outcome, rc, store_strerror (rc));
}

Test (state, with_the_wall_clock_events_of_a_known_ticket_do_not_move_the_clock)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    proto_event_t ev = fx_event (PROTO_CLOSED, "T1", "U01", "2025-07-20 09:00");
    int rc = STORE_OK;
    char reason[PROTO_ERROR_MAX + 1] = "";
    cr_assert_eq (s_try_wall (&ev, &rc, reason), STATE_STORED, "rc %d", rc);
    store_txn_t *txn = store_begin (fx_store, false);
    cr_assert_eq (state_clock_now (txn), fx_ms ("2025-07-01 09:00"));
    store_abort (&txn);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_CLOSED_LATE), 1);
    cr_assert_eq (fx_c ("2025-07", "U01", RULES_ALERTS), 0,
                  "the wall clock never passed the deadline");
}

Test (state, a_full_store_makes_apply_fail_with_the_store_code)
{
    char err[256] = "";
    store_t *tiny = store_scratch_new (1 << 20, err);
    cr_assert_not_null (tiny, "%s", err);
    fx_import_units (tiny);
    store_txn_t *txn = store_begin (tiny, true);
    cr_assert_not_null (txn);
    state_outcome_t outcome = STATE_STORED;
    int rc = STORE_OK, n = 0;
    char reason[PROTO_ERROR_MAX + 1];
    while (outcome == STATE_STORED && n < 100000) {
        char ticket[32];
        snprintf (ticket, sizeof (ticket), "ticket-%06d", n++);
        proto_event_t ev = fx_received (ticket, "U01", "2025-07-01 09:00",
                                        "2025-07-01 09:00", "2025-07-04 18:00");
        snprintf (ev.category, sizeof (ev.category), "cat%06d", n);
        outcome = state_apply (txn, &ev,
                               &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                              .wall_now = WALL_NOW,
                                              .effects = NULL},
                               reason, &rc, NULL);
    }
    cr_assert_eq (outcome, STATE_FAILED, "after %d events", n);
    cr_assert_eq (rc, STORE_FULL, "store_rc %d", rc);
    store_abort (&txn);
    store_destroy (&tiny);
}

/* ---- effects ------------------------------------------------------------- */

Test (state,
      effects_collect_touched_periods_and_a_warning_overdue_cleared_sequence)
{
    state_effects_t *effects = state_effects_new ();
    cr_assert_not_null (effects);
    fx_apply_fx (fx_received ("T1", "U01", "2025-07-01 09:00",
                              "2025-07-01 09:00", "2025-07-04 18:00"),
                 effects);
    fx_apply_fx (fx_event (PROTO_TICK, "", "", "2025-07-05 09:00"), effects);
    fx_apply_fx (fx_event (PROTO_CLOSED, "T1", "U01", "2025-07-06 09:00"),
                 effects);

    bool month = false, quarter = false;
    for (size_t i = 0; i < state_effects_touched_count (effects); i++) {
        const char *touched = state_effects_touched_at (effects, i);
        month |= strcmp (touched, "2025-07\x1fU01") == 0;
        quarter |= strcmp (touched, "2025-Q3\x1fU01") == 0;
        cr_assert (strcmp (touched, "2025-07\x1fU01") == 0 ||
                       strcmp (touched, "2025-Q3\x1fU01") == 0,
                   "unexpected touched %s", touched);
    }
    cr_assert (month && quarter, "both periods touched");
    cr_assert_eq (state_effects_touched_count (effects), 2,
                  "each pair once, however often touched");
    /* Dispatched 07-01 09:00, due 07-04 18:00: 29.5 working hours
       (08:30-12:00 and 14:00-18:00, Tuesday to Friday, from 09:00), 80%
       of them (23 h 36 min) passed at 07-04 10:06: in office hours, not
       at night as the wall-time share (01:48) would have it. */
    const char *kinds[3] = {"warning", "overdue", "cleared"};
    const char *ats[3] = {"2025-07-04T10:06:00+08:00",
                          "2025-07-04T18:00:00+08:00",
                          "2025-07-06T09:00:00+08:00"};
    cr_assert_eq (state_effects_alert_count (effects), 3);
    for (size_t i = 0; i < 3; i++) {
        const char *unit, *json;
        state_effects_alert_at (effects, i, &unit, &json);
        cr_assert_str_eq (unit, "U01");
        cJSON *doc = cJSON_Parse (json);
        cr_assert_not_null (doc, "bad json %s", json);
        cr_assert_str_eq (cJSON_GetObjectItem (doc, "kind")->valuestring,
                          kinds[i]);
        cr_assert_str_eq (cJSON_GetObjectItem (doc, "ticket_id")->valuestring,
                          "T1");
        cr_assert_str_eq (cJSON_GetObjectItem (doc, "unit_id")->valuestring,
                          "U01");
        cr_assert_str_eq (cJSON_GetObjectItem (doc, "due_at")->valuestring,
                          "2025-07-04T18:00:00+08:00");
        cr_assert_str_eq (cJSON_GetObjectItem (doc, "at")->valuestring, ats[i]);
        cJSON_Delete (doc);
    }
    /* Merging moves everything and leaves the source empty. */
    state_effects_t *pending = state_effects_new ();
    state_effects_merge (pending, effects);
    cr_assert (state_effects_empty (effects));
    cr_assert_eq (state_effects_alert_count (pending), 3);
    cr_assert_eq (state_effects_touched_count (pending), 2);
    state_effects_destroy (&pending);
    state_effects_destroy (&effects);
    cr_assert_null (effects);
    state_effects_destroy (&effects);
}

Test (state, effects_of_an_adjustment_touch_its_period_and_reset_forgets)
{
    state_effects_t *effects = state_effects_new ();
    fx_apply_fx (fx_adjusted ("U02", "2024-Q4", "bonus", 1, "2025-01-02 09:00"),
                 effects);
    cr_assert_eq (state_effects_touched_count (effects), 1);
    cr_assert_str_eq (state_effects_touched_at (effects, 0), "2024-Q4\x1fU02");
    cr_assert_eq (state_effects_alert_count (effects), 0);
    fx_apply_fx (fx_adjusted ("U02", "2024-Q4", "bonus", 2, "2025-01-03 09:00"),
                 effects);
    state_effects_reset (effects);
    cr_assert (state_effects_empty (effects), "reset forgot everything");
    state_effects_destroy (&effects);
}

/*  Pinned digests. The de-duplication table keeps each stored event's
    digest, so a resend after an upgrade is a duplicate only while the
    same event still digests to the same bytes: these are the values
    stores hold, and a change of the encoding or the hash shows here. */

static const int64_t s_pin_at = 1751331600000LL;  /* 2025-07-01 09:00 */
static const int64_t s_pin_due = 1751623200000LL; /* 2025-07-04 18:00 */

static proto_event_t
s_pinned_event (int which)
{
    proto_event_t ev = {0};
    snprintf (ev.event_id, sizeof (ev.event_id), "pin-%d", which + 1);
    snprintf (ev.ticket_id, sizeof (ev.ticket_id), "T-pin");
    snprintf (ev.unit_id, sizeof (ev.unit_id), "U01");
    ev.occurred_at = s_pin_at;
    switch (which) {
    case 0: /* every field a receipt has */
        ev.type = PROTO_RECEIVED;
        ev.dispatched_at = s_pin_at;
        ev.due_at = s_pin_due;
        snprintf (ev.time_limit, sizeof (ev.time_limit), "3wd");
        snprintf (ev.channel, sizeof (ev.channel), "12345");
        snprintf (ev.category, sizeof (ev.category), "A01");
        ev.key_supervision = ev.repeat_dispatch = true;
        break;
    case 1: /* enums, a flag and UTF-8 text */
        ev.type = PROTO_REVISITED;
        ev.occurred_at = 1753001100000LL; /* 2025-07-20 16:45 */
        ev.satisfaction = PROTO_SAT_BASIC;
        ev.resolved = PROTO_RES_PARTLY;
        ev.rework = true;
        snprintf (ev.reason, sizeof (ev.reason), "回访：部分解决");
        break;
    case 2: /* a negative double, no ticket */
        ev.type = PROTO_ADJUSTED;
        ev.ticket_id[0] = '\0';
        snprintf (ev.period, sizeof (ev.period), "2025-07");
        snprintf (ev.item, sizeof (ev.item), "bonus");
        ev.value = -2.5;
        break;
    default: /* a decision: who and which counters */
        ev.type = PROTO_EXEMPTED;
        snprintf (ev.by, sizeof (ev.by), "督办科");
        snprintf (ev.counters, sizeof (ev.counters), "all");
        snprintf (ev.reason, sizeof (ev.reason), "重复工单");
    }
    return ev;
}

static const char *s_pinned_digests[4] = {
    "fa65c2a2475d48d187d2ce4a720be94f",
    "b04329f96a344ba01e5802d55cd97dee",
    "64c4f4ee6728d86a55fa13e533e3c646",
    "8fa32d7d36f7d390540b43effc011c18",
};

static void
s_hex (const uint8_t *bytes, size_t size, char *hex)
{
    for (size_t i = 0; i < size; i++)
        snprintf (hex + 2 * i, 3, "%02x", bytes[i]);
}

Test (state, event_digests_stay_the_values_stores_hold)
{
    for (int which = 0; which < 4; which++) {
        proto_event_t ev = s_pinned_event (which);
        size_t size;
        uint8_t *bytes = proto_event_encode (&ev, &size);
        cr_assert_not_null (bytes);
        uint8_t digest[STATE_DIGEST_SIZE];
        state__digest (bytes, size, digest);
        free (bytes);
        char hex[2 * STATE_DIGEST_SIZE + 1];
        s_hex (digest, sizeof (digest), hex);
        cr_expect_str_eq (hex, s_pinned_digests[which], "event %d: %s", which,
                          hex);
    }
}

Test (state, a_stored_event_keeps_its_pinned_digest)
{
    fx_apply (s_pinned_event (0));
    store_txn_t *txn = store_begin (fx_store, false);
    uint8_t entry[8 + STATE_DIGEST_SIZE];
    size_t size = sizeof (entry);
    cr_assert_eq (store_get (txn, STORE_DEDUP, "pin-1", 5, entry, &size),
                  STORE_OK);
    store_abort (&txn);
    cr_assert_eq (size, sizeof (entry));
    char hex[2 * STATE_DIGEST_SIZE + 1];
    s_hex (entry + 8, STATE_DIGEST_SIZE, hex);
    cr_expect_str_eq (hex, s_pinned_digests[0]);
}

/* ---- the drill-down index: pending changes and settles ------------------ */

/* One more store beside fx_store, with the four units. */
static store_t *
s_side_store (char *dir, size_t size)
{
    snprintf (dir, size, "/tmp/hl_test_counted_XXXXXX");
    cr_assert_not_null (mkdtemp (dir));
    char path[600], err[256];
    snprintf (path, sizeof (path), "%s/db", dir);
    store_t *store = store_new (path, 0, err);
    cr_assert_not_null (store, "%s", err);
    fx_import_units (store);
    return store;
}

/* Begins a write transaction of store in *txn and applies ev in it. */
static state_outcome_t
s_apply_begun (store_t *store, const proto_event_t *ev, store_txn_t **txn)
{
    *txn = store_begin (store, true);
    cr_assert_not_null (*txn);
    char reason[PROTO_ERROR_MAX + 1];
    int rc = STORE_OK;
    state_outcome_t outcome = state_apply (
        *txn, ev,
        &(state_ctx_t){.clock = STATE_CLOCK_EVENT, .wall_now = WALL_NOW},
        reason, &rc, NULL);
    cr_assert_neq (outcome, STATE_FAILED, "%s", store_strerror (rc));
    return outcome;
}

/* Applies ev to a store in its own transaction, settling the drill-down
   before the commit when asked (0: everything pending). */
static state_outcome_t
s_apply_settling (store_t *store, const proto_event_t *ev, bool settle,
                  size_t pending_max)
{
    store_txn_t *txn;
    state_outcome_t outcome = s_apply_begun (store, ev, &txn);
    if (settle)
        cr_assert_eq (state_counted_settle (txn, pending_max), STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    return outcome;
}

typedef struct {
    char *text;
    size_t used, size;
    size_t counts, exempted;
} s_drill_t;

static void
s_drill_room (s_drill_t *d)
{
    if (d->size - d->used < 200) {
        d->size = d->size * 2 + 4096;
        d->text = realloc (d->text, d->size);
        cr_assert_not_null (d->text);
    }
}

static void
s_drill_take (void *arg, int counter, const char *ticket_id,
              const state_counted_t *counts, size_t n)
{
    s_drill_t *d = arg;
    for (size_t i = 0; i < n; i++) {
        s_drill_room (d);
        d->used += (size_t)snprintf (
            d->text + d->used, d->size - d->used, "%d %s %lld %lld %d %d\n",
            counter, ticket_id, (long long)counts[i].at,
            (long long)counts[i].ref, counts[i].why, counts[i].flags);
        d->counts++;
        d->exempted += (counts[i].flags & STATE_COUNTED_EXEMPT) != 0;
    }
}

/* Everything explain's drill-down reads, every period and unit. */
static s_drill_t
s_drill (store_t *store)
{
    static const char *periods[] = {"2025-07", "2025-08", "2025-09",
                                    "2025-10", "2025-Q3", "2025-Q4"};
    static const char *units[] = {"U01", "U02", "U03", "U04"};
    s_drill_t d = {0};
    store_txn_t *txn = store_begin (store, false);
    cr_assert_not_null (txn);
    for (size_t p = 0; p < 6; p++)
        for (size_t u = 0; u < 4; u++) {
            s_drill_room (&d);
            d.used += (size_t)snprintf (d.text + d.used, d.size - d.used,
                                        "%s %s:\n", periods[p], units[u]);
            cr_assert_eq (state_counted_scan (txn, periods[p], units[u],
                                              s_drill_take, &d),
                          STORE_OK);
        }
    store_abort (&txn);
    return d;
}

static size_t
s_pending (store_t *store)
{
    store_txn_t *txn = store_begin (store, false);
    size_t n = state_counted_pending (txn);
    store_abort (&txn);
    return n;
}

/* Applies ev in its own transaction, then settles as the scorer does,
   with small limits: changes move to be settled once more than 30 are
   pending and are applied at least 7 at a time. */
static state_outcome_t
s_apply_sliced (store_t *store, const proto_event_t *ev, size_t *slices)
{
    store_txn_t *txn;
    state_outcome_t outcome = s_apply_begun (store, ev, &txn);
    size_t settling = store_count (txn, STORE_COUNTED_SETTLING);
    cr_assert_eq (state_counted_settle_by (txn, 30, 7), STORE_OK);
    size_t left = store_count (txn, STORE_COUNTED_SETTLING);
    *slices += settling > 0 && left > 0 && left < settling;
    cr_assert_eq (store_commit (&txn), STORE_OK);
    return outcome;
}

/* The index applied where each change happens (a settle after every
   event, what the state machine did before changes were kept pending),
   settled now and then, settled in slices, and never settled, read the
   same at every moment, over 1,500 random events of every kind, late
   ones included. */
Test (state, the_drill_down_reads_the_same_however_its_changes_are_settled)
{
    char dir_some[64], dir_never[64], dir_sliced[64];
    store_t *some = s_side_store (dir_some, sizeof (dir_some));
    store_t *never = s_side_store (dir_never, sizeof (dir_never));
    store_t *sliced = s_side_store (dir_sliced, sizeof (dir_sliced));
    size_t slices = 0; /* slices that left some being settled */
    uint64_t seed = 11, gaps = 5;
    char owner[40][8];
    memset (owner, 0, sizeof (owner));
    int64_t now = fx_ms ("2025-07-01 08:00");
    size_t settles = 0, compared = 0, most_pending = 0;
    for (int i = 0; i < 1500; i++) {
        proto_event_t ev = fx_random_event (&seed, now, owner, true);
        now += 90 * 24 * 3600000LL / 1500;
        state_outcome_t a = s_apply_settling (fx_store, &ev, true, 0);
        bool settle = fx_next (&gaps) % 40 == 0;
        settles += settle;
        cr_assert_eq (s_apply_settling (some, &ev, settle, 0), a);
        cr_assert_eq (s_apply_settling (never, &ev, false, 0), a);
        cr_assert_eq (s_apply_sliced (sliced, &ev, &slices), a);
        if (a == STATE_STORED && ev.type == PROTO_RECEIVED)
            snprintf (owner[atoi (ev.ticket_id + 1)], 8, "%s", ev.unit_id);
        size_t pending = s_pending (never);
        most_pending = pending > most_pending ? pending : most_pending;
        if (i % 100 != 99)
            continue;
        cr_assert_eq (s_pending (fx_store), 0);
        s_drill_t at_once = s_drill (fx_store), now_and_then = s_drill (some),
                  unsettled = s_drill (never), in_slices = s_drill (sliced);
        cr_assert_str_eq (now_and_then.text, at_once.text, "after %d events",
                          i + 1);
        cr_assert_str_eq (in_slices.text, at_once.text, "after %d events",
                          i + 1);
        cr_assert_str_eq (unsettled.text, at_once.text, "after %d events",
                          i + 1);
        compared += at_once.counts;
        if (i == 1499) {
            /* The run made the cases that matter. */
            cr_expect_gt (at_once.counts, 100);
            cr_expect_gt (at_once.exempted, 0);
        }
        free (at_once.text);
        free (now_and_then.text);
        free (unsettled.text);
        free (in_slices.text);
    }
    cr_log_info ("%zu counts compared, %zu settles, %zu changes pending at "
                 "most, %zu partial slices",
                 compared, settles, most_pending, slices);
    cr_expect_gt (settles, 10);
    cr_expect_gt (slices, 10, "the sliced store settled whole sets at once");
    cr_expect_gt (most_pending, 500);
    /* And a settle of everything leaves the same, with nothing pending. */
    store_txn_t *txn = store_begin (never, true);
    cr_assert_eq (state_counted_settle (txn, 0), STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    cr_expect_eq (s_pending (never), 0);
    s_drill_t a = s_drill (fx_store), b = s_drill (never);
    cr_expect_str_eq (b.text, a.text);
    free (a.text);
    free (b.text);
    /* The sliced store, drained as the scorer does when it stops. */
    txn = store_begin (sliced, true);
    cr_assert_eq (state_counted_drain (txn), STORE_OK);
    cr_expect_eq (store_count (txn, STORE_COUNTED_SETTLING), 0);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    b = s_drill (sliced);
    a = s_drill (fx_store);
    cr_expect_str_eq (b.text, a.text);
    free (a.text);
    free (b.text);
    store_destroy (&some);
    store_destroy (&never);
    store_destroy (&sliced);
    testutil_remove_tree (dir_some);
    testutil_remove_tree (dir_never);
    testutil_remove_tree (dir_sliced);
}

/* A settle waits until more than pending_max changes wait, then moves
   them to be settled, and later settles apply them a slice at a time,
   in key order; the drill-down reads the same at every step. */
Test (state, a_settle_waits_for_more_than_its_limit_then_applies_in_slices)
{
    fx_open ("A1", "U01", "2025-07-01 09:00", "2025-07-01 10:00");
    fx_close ("A1", "U01", "2025-07-02 09:00"); /* late: July and Q3 */
    fx_open ("A2", "U02", "2025-07-03 09:00", "2025-07-03 10:00");
    fx_close ("A2", "U02", "2025-07-04 09:00");
    s_drill_t before = s_drill (fx_store);
    cr_assert_gt (before.counts, 0);
    size_t pending = s_pending (fx_store);
    cr_assert_gt (pending, 2);
    store_txn_t *txn = store_begin (fx_store, true);
    cr_assert_eq (state_counted_settle (txn, pending), STORE_OK);
    cr_expect_eq (store_count (txn, STORE_COUNTED_PENDING), pending);
    /* Over the limit: moved, none applied yet. */
    cr_assert_eq (state_counted_settle_by (txn, pending - 1, 1), STORE_OK);
    cr_expect_eq (store_count (txn, STORE_COUNTED_PENDING), 0);
    cr_expect_eq (store_count (txn, STORE_COUNTED_SETTLING), pending);
    cr_expect_eq (state_counted_pending (txn), pending);
    cr_expect_eq (store_count (txn, STORE_COUNTED), 0);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    s_drill_t moved = s_drill (fx_store);
    cr_expect_str_eq (moved.text, before.text);
    free (moved.text);
    /* Slices of one key's changes, each in its own commit. */
    size_t left = pending, steps = 0;
    while (left > 0) {
        txn = store_begin (fx_store, true);
        cr_assert_eq (state_counted_settle_by (txn, pending, 1), STORE_OK);
        size_t now = store_count (txn, STORE_COUNTED_SETTLING);
        cr_assert_lt (now, left, "a slice applied nothing");
        left = now;
        cr_assert_eq (store_commit (&txn), STORE_OK);
        s_drill_t step = s_drill (fx_store);
        cr_expect_str_eq (step.text, before.text, "after slice %zu", steps + 1);
        free (step.text);
        steps++;
    }
    cr_expect_gt (steps, 2, "one key at a time");
    cr_expect_eq (s_pending (fx_store), 0);
    free (before.text);
}

/* Late closes of tickets A<from>..A<to> of unit U0<1..4>, in July. */
static void
s_late_closes (int from, int to)
{
    for (int i = from; i <= to; i++) {
        char ticket[16], unit[8], open[32], due[32], close[32];
        snprintf (ticket, sizeof (ticket), "A%d", i);
        snprintf (unit, sizeof (unit), "U0%d", 1 + i % 4);
        snprintf (open, sizeof (open), "2025-07-%02d 09:00", 1 + i % 20);
        snprintf (due, sizeof (due), "2025-07-%02d 10:00", 1 + i % 20);
        snprintf (close, sizeof (close), "2025-07-%02d 09:00", 2 + i % 20);
        fx_open (ticket, unit, open, due);
        fx_close (ticket, unit, close);
    }
}

/* While changes are being settled, a slice applies what keeps the
   settling and pending parts together within the limit (about what was
   added since the last slice), not as many as are pending: slices that
   grew with the pending part made a few commits in every settle much
   slower than the rest (hotline-bench live). */
Test (state, a_slice_settles_what_the_limit_needs_not_all_that_is_pending)
{
    s_late_closes (1, 4);
    store_txn_t *txn = store_begin (fx_store, true);
    size_t moved = store_count (txn, STORE_COUNTED_PENDING);
    cr_assert_gt (moved, 4);
    cr_assert_eq (state_counted_settle_by (txn, moved - 1, 1), STORE_OK);
    cr_assert_eq (store_count (txn, STORE_COUNTED_SETTLING), moved);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    s_late_closes (5, 12);
    s_drill_t before = s_drill (fx_store);
    txn = store_begin (fx_store, true);
    size_t settling = store_count (txn, STORE_COUNTED_SETTLING);
    size_t pending = store_count (txn, STORE_COUNTED_PENDING);
    cr_assert_eq (settling, moved);
    cr_assert_gt (pending, 12);
    /* Room left under the limit: the least slice (one key's changes). */
    cr_assert_eq (state_counted_settle_by (txn, settling + pending + 100, 1),
                  STORE_OK);
    size_t now = store_count (txn, STORE_COUNTED_SETTLING);
    cr_expect_lt (now, settling, "a slice applied nothing");
    cr_expect_gt (now + 3, settling, "applied %zu of %zu with room left",
                  settling - now, settling);
    /* Three over the limit: three (and the rest of a key's changes). */
    settling = now;
    cr_assert_eq (state_counted_settle_by (txn, settling + pending - 3, 1),
                  STORE_OK);
    now = store_count (txn, STORE_COUNTED_SETTLING);
    cr_expect_geq (settling - now, 3);
    cr_expect_lt (settling - now, pending, "applied %zu, as many as pending",
                  settling - now);
    cr_expect_eq (store_count (txn, STORE_COUNTED_PENDING), pending);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    s_drill_t after = s_drill (fx_store);
    cr_expect_str_eq (after.text, before.text);
    free (after.text);
    free (before.text);
}

/* An entry of the settling table that is not a change (a damaged
   store) is cleared away instead of holding up every later move. */
Test (state, entries_that_are_not_changes_do_not_stop_the_settles)
{
    store_txn_t *txn = store_begin (fx_store, true);
    cr_assert_eq (store_put (txn, STORE_COUNTED_SETTLING, "x", 1, "y", 1),
                  STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    fx_open ("A1", "U01", "2025-07-01 09:00", "2025-07-01 10:00");
    fx_close ("A1", "U01", "2025-07-02 09:00");
    txn = store_begin (fx_store, true);
    size_t pending = store_count (txn, STORE_COUNTED_PENDING);
    cr_assert_gt (pending, 1);
    cr_assert_eq (state_counted_settle_by (txn, 1, 1), STORE_OK);
    cr_expect_eq (store_count (txn, STORE_COUNTED_SETTLING), 0);
    cr_assert_eq (state_counted_settle_by (txn, 1, 1), STORE_OK);
    cr_expect_eq (store_count (txn, STORE_COUNTED_SETTLING), pending,
                  "the pending changes were not moved");
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

/* What the scorer does when it stops: whatever is being settled is
   applied, the pending changes stay pending. */
Test (state, a_drain_applies_what_is_being_settled_and_keeps_the_pending)
{
    fx_open ("A1", "U01", "2025-07-01 09:00", "2025-07-01 10:00");
    fx_close ("A1", "U01", "2025-07-02 09:00");
    store_txn_t *txn = store_begin (fx_store, true);
    size_t moved = state_counted_pending (txn);
    cr_assert_eq (state_counted_settle_by (txn, 1, 1), STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    fx_open ("A2", "U02", "2025-07-03 09:00", "2025-07-03 10:00");
    fx_close ("A2", "U02", "2025-07-04 09:00");
    s_drill_t before = s_drill (fx_store);
    txn = store_begin (fx_store, true);
    size_t pending = store_count (txn, STORE_COUNTED_PENDING);
    cr_assert_gt (pending, 0);
    cr_expect_eq (store_count (txn, STORE_COUNTED_SETTLING), moved);
    cr_assert_eq (state_counted_drain (txn), STORE_OK);
    cr_expect_eq (store_count (txn, STORE_COUNTED_SETTLING), 0);
    cr_expect_eq (store_count (txn, STORE_COUNTED_PENDING), pending);
    cr_expect_gt (store_count (txn, STORE_COUNTED), 0);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    s_drill_t after = s_drill (fx_store);
    cr_expect_str_eq (after.text, before.text);
    free (before.text);
    free (after.text);
}

static void
s_one_count (void *arg, int counter, const char *ticket_id,
             const state_counted_t *counts, size_t n)
{
    int *flags = arg;
    if (counter == RULES_CLOSED_LATE && strcmp (ticket_id, "A1") == 0 && n == 1)
        *flags = counts[0].flags;
}

/* The exempted flag of A1's one closed_late count in July, read pending
   and then settled (-1: no such single count). */
static void
s_closed_late_flags (int *pending, int *settled)
{
    store_txn_t *txn = store_begin (fx_store, true);
    *pending = *settled = -1;
    cr_assert_eq (
        state_counted_scan (txn, "2025-07", "U01", s_one_count, pending),
        STORE_OK);
    cr_assert_eq (state_counted_settle (txn, 0), STORE_OK);
    cr_assert_eq (
        state_counted_scan (txn, "2025-07", "U01", s_one_count, settled),
        STORE_OK);
    store_abort (&txn); /* stays pending */
}

/* An exemption marks the counts already listed, an unexemption clears
   the mark: pending or settled. */
Test (state, an_exemption_marks_the_listed_counts_and_an_unexemption_clears)
{
    fx_open ("A1", "U01", "2025-07-01 09:00", "2025-07-01 10:00");
    fx_close ("A1", "U01", "2025-07-02 09:00");
    int pending, settled;
    s_closed_late_flags (&pending, &settled);
    cr_assert_eq (pending, 0);
    cr_assert_eq (settled, 0);
    proto_event_t ev =
        fx_event (PROTO_EXEMPTED, "A1", "U01", "2025-07-03 09:00");
    snprintf (ev.by, sizeof (ev.by), "office");
    snprintf (ev.counters, sizeof (ev.counters), "closed_late");
    snprintf (ev.reason, sizeof (ev.reason), "why");
    fx_apply (ev);
    s_closed_late_flags (&pending, &settled);
    cr_expect_eq (pending, STATE_COUNTED_EXEMPT);
    cr_expect_eq (settled, STATE_COUNTED_EXEMPT);
    ev = fx_event (PROTO_UNEXEMPTED, "A1", "U01", "2025-07-04 09:00");
    snprintf (ev.by, sizeof (ev.by), "office");
    snprintf (ev.reason, sizeof (ev.reason), "why");
    fx_apply (ev);
    s_closed_late_flags (&pending, &settled);
    cr_expect_eq (pending, 0);
    cr_expect_eq (settled, 0);
}

/* What open_deadlines should be, from the ticket records alone: a
   deadline per open ticket not yet overdue, a warning per open ticket
   whose warning is still to come. */
static uint64_t
s_open_deadlines_by_tickets (store_txn_t *txn)
{
    uint64_t n = 0;
    store_cursor_t *cursor = store_cursor_new (txn, STORE_TICKETS, NULL, 0);
    cr_assert_not_null (cursor);
    const void *key, *value;
    size_t key_size, size;
    while (store_cursor_next (cursor, &key, &key_size, &value, &size) ==
           STORE_OK) {
        state_ticket_t t;
        cr_assert_eq (state__ticket_decode (value, size, &t), 0);
        if (t.state != T_OPEN)
            continue;
        n += !(t.flags & F_OVERDUE);
        n += t.warn_at && !(t.flags & (F_OVERDUE | F_WARNED));
    }
    store_cursor_destroy (&cursor);
    return n;
}

/* open_deadlines after every one of 1,500 random events of every kind
   (late ones, extensions, returns, reopenings, ticks included) is what
   the ticket records say is still to come. */
Test (state, open_deadlines_is_what_the_open_tickets_still_wait_for)
{
    uint64_t seed = 23;
    char owner[40][8];
    memset (owner, 0, sizeof (owner));
    int64_t now = fx_ms ("2025-07-01 08:00");
    uint64_t most = 0;
    for (int i = 0; i < 1500; i++) {
        proto_event_t ev = fx_random_event (&seed, now, owner, true);
        now += 90 * 24 * 3600000LL / 1500;
        char reason[PROTO_ERROR_MAX + 1];
        state_outcome_t a = fx_try (&ev, NULL, reason);
        if (a == STATE_STORED && ev.type == PROTO_RECEIVED)
            snprintf (owner[atoi (ev.ticket_id + 1)], 8, "%s", ev.unit_id);
        store_txn_t *txn = store_begin (fx_store, false);
        uint64_t expected = s_open_deadlines_by_tickets (txn);
        cr_assert_eq (state_open_deadlines (txn), expected,
                      "after event %d (%s %s)", i + 1,
                      proto_type_name (ev.type), ev.ticket_id);
        most = expected > most ? expected : most;
        store_abort (&txn);
    }
    cr_expect_gt (most, 10, "the run kept deadlines open");

    /* A store from before the count was kept: no count in its meta, and
       an index without the entries of tickets that left (those builds
       deleted them). hotlined takes the count from that index once
       (state_open_deadlines_keep); it must be the same. */
    store_txn_t *txn = store_begin (fx_store, true);
    uint64_t expected = s_open_deadlines_by_tickets (txn);
    cr_assert_eq (store_del (txn, STORE_META, "open_deadlines", 14), STORE_OK);
    store_cursor_t *cursor = store_cursor_new (txn, STORE_DUE, NULL, 0);
    const void *key;
    size_t size, stale = 0;
    while (store_cursor_next (cursor, &key, &size, NULL, NULL) == STORE_OK) {
        char id[PROTO_ID_MAX + 1];
        memcpy (id, (const uint8_t *)key + 9, size - 9);
        id[size - 9] = 0;
        int64_t at = (int64_t)store_get_be64 (key);
        int kind = ((const uint8_t *)key)[8];
        state_ticket_t t;
        cr_assert_eq (state__ticket_get (txn, id, &t), STORE_OK);
        bool live = kind ? t.due_at == at && state__due_weight (&t) > 0
                         : t.warn_at == at && state__due_weight (&t) == 2;
        if (!live) {
            cr_assert_eq (store_cursor_del (cursor), STORE_OK);
            stale++;
        }
    }
    store_cursor_destroy (&cursor);
    cr_expect_gt (stale, 0, "the run left entries for the sweep");
    cr_assert_eq (state_open_deadlines_keep (txn), STORE_OK);
    cr_expect_eq (state_open_deadlines (txn), expected);
    store_abort (&txn);
}

/* ---- the rebuild's progress ------------------------------------------------
 */

typedef struct {
    int calls;      /* progress calls */
    uint64_t last;  /* the last `done` */
    bool went_back; /* a call said less than the one before */
} s_progress_seen_t;

static void
s_progress_count (uint64_t done, uint64_t total, void *arg)
{
    (void)total;
    s_progress_seen_t *seen = arg;
    seen->went_back = seen->went_back || done < seen->last;
    seen->last = done;
    seen->calls++;
}

/* state.h: progress "after every commit": the one that empties the
   aggregates (before any event) and each batch's (hotline-bench's replay
   floor plays each commit's operations apart on this promise). */
Test (state, a_rebuild_reports_progress_after_each_of_its_commits)
{
    fx_open ("T1", "U01", "2025-07-01 09:00", "2025-07-04 18:00");
    fx_open ("T2", "U02", "2025-07-02 09:00", "2025-07-05 18:00");
    s_progress_seen_t seen = {0};
    state_rebuild_result_t result;
    char err[256] = "";
    cr_assert_eq (state_rebuild (fx_store, STATE_CLOCK_EVENT, 0,
                                 s_progress_count, &seen, &result, err),
                  0, "%s", err);
    /* One batch holds both events: the emptying commit, then it. */
    cr_expect_eq (seen.calls, 2, "progress called %d times", seen.calls);
    cr_expect_not (seen.went_back);
    cr_expect_eq (seen.last, result.events + result.refused);
    cr_expect_eq (fx_c ("2025-07", "U01", RULES_RECEIVED), 1);
}
