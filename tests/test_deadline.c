/*  Tests for state_deadline.c: warnings, overdue and cleared alerts, the
    deadline index (STORE_DUE), the open alerts (STORE_ALERTS) and
    state_advance_clock.

    Each test gets a fresh temporary LMDB directory holding three units;
    the alerts are read back from the effects the state machine collects
    for the publisher, in the order raised. Events are built
    by hand and applied with state_apply on the event clock, one write
    transaction each. Times are Asia/Shanghai local times; "D" is the
    dispatch of the ticket under test.
*/
#include "testutil.h"

#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state_internal.h"
#include <time.h>

/* The wall clock the state machine is told (it reads none itself). */
#define WALL_NOW ((int64_t)time (NULL) * 1000)

#define MIN_MS  (60LL * 1000)
#define HOUR_MS PROTO_HOUR_MS
#define DAY_MS  PROTO_DAY_MS

/* ---- fixture ------------------------------------------------------------ */

static char s_root[64];       /* the test's temporary directory */
static char s_path[128];      /* the store's directory inside it */
static store_t *s_store;      /* opened by the fixture */
static int s_event_seq;       /* numbers the events built by s_event */
static state_effects_t *s_fx; /* effects of the test's events */

static void
s_import_units (store_t *store)
{
    proto_unit_t units[3];
    memset (units, 0, sizeof (units));
    const char *ids[3] = {"U01", "U02", "U03"};
    const char *names[3] = {"城关街道", "陈仓镇", "区民政局"};
    const char *groups[3] = {"town", "town", "dept"};
    for (int i = 0; i < 3; i++) {
        snprintf (units[i].unit_id, sizeof (units[i].unit_id), "%s", ids[i]);
        snprintf (units[i].name, sizeof (units[i].name), "%s", names[i]);
        snprintf (units[i].group, sizeof (units[i].group), "%s", groups[i]);
    }
    store_txn_t *txn = store_begin (store, true);
    cr_assert_not_null (txn);
    size_t added = 0;
    cr_assert_eq (state_units_import (txn, units, 3, &added), STORE_OK);
    cr_assert_eq (added, 3);
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

static void
s_setup (void)
{
    snprintf (s_root, sizeof (s_root), "/tmp/hl_test_deadline_XXXXXX");
    cr_assert_not_null (mkdtemp (s_root), "mkdtemp: %s", strerror (errno));
    snprintf (s_path, sizeof (s_path), "%s/db", s_root);
    char err[256] = "";
    s_store = store_new (s_path, 0, err);
    cr_assert_not_null (s_store, "store_new: %s", err);
    s_import_units (s_store);
    /* This suite tests the index and the alerts' mechanics, with instants
       easy to check by hand: no working time (calendar = none), so a
       warning falls at the share of the wall time. test_worktime.c
       places them in working time. */
    store_txn_t *txn = store_begin (s_store, true);
    cr_assert_not_null (txn);
    cr_assert_eq (state_calendar_configure (txn, "none", STATE_HOURS_DEFAULT,
                                            "sign 1h contact 2h return 2h",
                                            err),
                  0, "%s", err);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    s_event_seq = 0;
    s_fx = state_effects_new ();
    cr_assert_not_null (s_fx);
}

static void
s_teardown (void)
{
    state_effects_destroy (&s_fx);
    store_destroy (&s_store);
    testutil_remove_tree (s_root);
}

TestSuite (deadline, .init = s_setup, .fini = s_teardown);

/* ---- times -------------------------------------------------------------- */

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

/* The time as alerts spell it; `buf` has 32 bytes. */
static const char *
s_fmt (int64_t ms, char *buf)
{
    return proto_time_format (ms, buf);
}

/* ---- events ------------------------------------------------------------- */

static proto_event_t
s_event (proto_type_t type, const char *ticket, const char *unit, int64_t at)
{
    proto_event_t ev;
    memset (&ev, 0, sizeof (ev));
    snprintf (ev.event_id, sizeof (ev.event_id), "e%d", ++s_event_seq);
    ev.type = type;
    snprintf (ev.ticket_id, sizeof (ev.ticket_id), "%s", ticket);
    snprintf (ev.unit_id, sizeof (ev.unit_id), "%s", unit);
    ev.occurred_at = at;
    return ev;
}

/* Applies one event that must be stored, in its own write transaction on
   the event clock, collecting its effects into s_fx. */
static void
s_apply (proto_event_t ev)
{
    char why[PROTO_ERROR_MAX + 1] = "";
    cr_assert_eq (proto_event_validate (&ev, why), 0, "test event %s: %s",
                  ev.event_id, why);
    store_txn_t *txn = store_begin (s_store, true);
    cr_assert_not_null (txn);
    int rc = STORE_OK;
    char reason[PROTO_ERROR_MAX + 1] = "";
    state_outcome_t outcome = state_apply (
        txn, &ev,
        &(state_ctx_t){
            .clock = STATE_CLOCK_EVENT, .wall_now = WALL_NOW, .effects = s_fx},
        reason, &rc, NULL);
    if (outcome != STATE_STORED) {
        store_abort (&txn);
        cr_assert_fail ("event %s (%s of %s): %d %s %s", ev.event_id,
                        proto_type_name (ev.type), ev.ticket_id, outcome,
                        reason, store_strerror (rc));
    }
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

/* A ticket dispatched and signed at `at`, due at `due`. */
static void
s_open (const char *ticket, const char *unit, int64_t at, int64_t due)
{
    proto_event_t ev = s_event (PROTO_RECEIVED, ticket, unit, at);
    ev.dispatched_at = at;
    ev.due_at = due;
    snprintf (ev.channel, sizeof (ev.channel), "hotline");
    snprintf (ev.category, sizeof (ev.category), "property");
    s_apply (ev);
}

static void
s_close (const char *ticket, const char *unit, int64_t at)
{
    s_apply (s_event (PROTO_CLOSED, ticket, unit, at));
}

static void
s_return (const char *ticket, const char *unit, int64_t at)
{
    s_apply (s_event (PROTO_RETURNED, ticket, unit, at));
}

static void
s_extend (const char *ticket, const char *unit, int64_t at, int64_t due)
{
    proto_event_t ev = s_event (PROTO_EXTENDED, ticket, unit, at);
    ev.due_at = due;
    s_apply (ev);
}

static void
s_rework (const char *ticket, const char *unit, int64_t at)
{
    proto_event_t ev = s_event (PROTO_REVISITED, ticket, unit, at);
    ev.satisfaction = PROTO_SAT_UNSATISFIED;
    ev.resolved = PROTO_RES_NO;
    ev.rework = true;
    s_apply (ev);
}

static void
s_reopen (const char *ticket, const char *unit, int64_t at, int64_t due)
{
    proto_event_t ev = s_event (PROTO_REOPENED, ticket, unit, at);
    ev.due_at = due;
    s_apply (ev);
}

static void
s_tick (int64_t at)
{
    s_apply (s_event (PROTO_TICK, "", "", at));
}

/* Advances the clock directly, in one write transaction. */
static void
s_advance (int64_t now)
{
    store_txn_t *txn = store_begin (s_store, true);
    cr_assert_not_null (txn);
    cr_assert_eq (state_advance_clock (txn, now, s_fx), STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

static void
s_set_permille (uint64_t permille)
{
    store_txn_t *txn = store_begin (s_store, true);
    cr_assert_not_null (txn);
    cr_assert_eq (store_meta_put (txn, "warn_permille", permille), STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

/* ---- alerts as the publisher receives them ------------------------------ */

typedef struct {
    char unit[PROTO_ID_MAX + 1];    /* the unit frame */
    char kind[16];                  /* warning, overdue, cleared */
    char unit_id[PROTO_ID_MAX + 1]; /* from the JSON */
    char ticket[PROTO_ID_MAX + 1];  /* ticket_id */
    char due[40];                   /* due_at */
    char at[40];                    /* at */
    char reason[16];                /* reason, or "" when absent */
    bool has_reason;                /* the JSON has a reason */
} s_alert_t;

static const char *
s_str (cJSON *doc, const char *name)
{
    cJSON *item = cJSON_GetObjectItemCaseSensitive (doc, name);
    cr_assert (cJSON_IsString (item), "field %s missing", name);
    return item->valuestring;
}

static void
s_parse_alert (const char *unit, const char *json, s_alert_t *alert)
{
    memset (alert, 0, sizeof (*alert));
    snprintf (alert->unit, sizeof (alert->unit), "%s", unit);
    cJSON *doc = cJSON_Parse (json);
    cr_assert_not_null (doc, "bad json %s", json);
    snprintf (alert->kind, sizeof (alert->kind), "%s", s_str (doc, "kind"));
    snprintf (alert->unit_id, sizeof (alert->unit_id), "%s",
              s_str (doc, "unit_id"));
    snprintf (alert->ticket, sizeof (alert->ticket), "%s",
              s_str (doc, "ticket_id"));
    snprintf (alert->due, sizeof (alert->due), "%s", s_str (doc, "due_at"));
    snprintf (alert->at, sizeof (alert->at), "%s", s_str (doc, "at"));
    alert->has_reason = cJSON_GetObjectItemCaseSensitive (doc, "reason");
    if (alert->has_reason)
        snprintf (alert->reason, sizeof (alert->reason), "%s",
                  s_str (doc, "reason"));
    cJSON_Delete (doc);
}

/* Reads the collected alerts in order into out[max] and forgets the
   effects, as the scorer does once it handed them to the publisher.
   Returns the number of alerts. */
static size_t
s_drain (s_alert_t *out, size_t max)
{
    size_t count = state_effects_alert_count (s_fx);
    cr_assert_leq (count, max, "more than %zu alerts", max);
    for (size_t i = 0; i < count; i++) {
        const char *unit, *json;
        state_effects_alert_at (s_fx, i, &unit, &json);
        cr_assert_not_null (json);
        s_parse_alert (unit, json, &out[i]);
    }
    state_effects_reset (s_fx);
    return count;
}

/* Asserts that no alert was raised since the last drain. */
static void
s_expect_no_alert (const char *when)
{
    s_alert_t alerts[8];
    size_t n = s_drain (alerts, 8);
    cr_assert_eq (n, 0, "%s: %zu alert(s), the first %s of %s at %s", when, n,
                  n ? alerts[0].kind : "", n ? alerts[0].ticket : "",
                  n ? alerts[0].at : "");
}

/* Checks one alert; reason NULL means the JSON has none. */
static void
s_check_alert (const s_alert_t *a, const char *kind, const char *ticket,
               const char *unit, int64_t due, int64_t at, const char *reason)
{
    char due_text[32], at_text[32];
    cr_assert_str_eq (a->kind, kind, "kind of %s", a->ticket);
    cr_assert_str_eq (a->ticket, ticket);
    cr_assert_str_eq (a->unit, unit, "unit frame");
    cr_assert_str_eq (a->unit_id, unit);
    cr_assert_str_eq (a->due, s_fmt (due, due_text), "%s due_at", kind);
    cr_assert_str_eq (a->at, s_fmt (at, at_text), "%s at", kind);
    if (reason) {
        cr_assert (a->has_reason, "%s without a reason", kind);
        cr_assert_str_eq (a->reason, reason);
    } else
        cr_assert_not (a->has_reason, "%s with reason %s", kind, a->reason);
}

/* Drains and expects exactly one alert, returned in *a. */
static void
s_expect_one (const char *kind, const char *ticket, const char *unit,
              int64_t due, int64_t at, const char *reason)
{
    s_alert_t alerts[8];
    size_t n = s_drain (alerts, 8);
    cr_assert_eq (n, 1, "expected one %s of %s, got %zu (first: %s)", kind,
                  ticket, n, n ? alerts[0].kind : "none");
    s_check_alert (&alerts[0], kind, ticket, unit, due, at, reason);
}

/* ---- store reads -------------------------------------------------------- */

static state_ticket_t
s_ticket_in (store_t *store, const char *ticket)
{
    state_ticket_t t;
    store_txn_t *txn = store_begin (store, false);
    cr_assert_not_null (txn);
    cr_assert_eq (state__ticket_get (txn, ticket, &t), STORE_OK, "ticket %s",
                  ticket);
    store_abort (&txn);
    return t;
}

static uint8_t
s_alert_flags (const char *ticket)
{
    return s_ticket_in (s_store, ticket).flags & (F_WARNED | F_OVERDUE);
}

static size_t
s_count (store_t *store, store_table_t table)
{
    store_txn_t *txn = store_begin (store, false);
    cr_assert_not_null (txn);
    size_t n = store_count (txn, table);
    store_abort (&txn);
    return n;
}

/* Deadlines and warnings still to come (hotline stats: open_deadlines). */
static uint64_t
s_open_deadlines (void)
{
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_not_null (txn);
    uint64_t n = state_open_deadlines (txn);
    store_abort (&txn);
    return n;
}

/* Entries of STORE_DUE for one ticket. */
static size_t
s_due_entries (const char *ticket)
{
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_not_null (txn);
    store_cursor_t *cursor = store_cursor_new (txn, STORE_DUE, NULL, 0);
    cr_assert_not_null (cursor);
    const void *key;
    size_t size, n = 0, len = strlen (ticket);
    while (store_cursor_next (cursor, &key, &size, NULL, NULL) == STORE_OK)
        if (size == 9 + len &&
            memcmp ((const uint8_t *)key + 9, ticket, len) == 0)
            n++;
    store_cursor_destroy (&cursor);
    store_abort (&txn);
    return n;
}

/* The open alert of a ticket in STORE_ALERTS, parsed; false if none. */
static bool
s_open_alert (const char *ticket, s_alert_t *alert)
{
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_not_null (txn);
    char json[1024];
    size_t size = sizeof (json) - 1;
    int rc =
        store_get (txn, STORE_ALERTS, ticket, strlen (ticket), json, &size);
    store_abort (&txn);
    if (rc == STORE_NOTFOUND)
        return false;
    cr_assert_eq (rc, STORE_OK);
    json[size] = 0;
    s_parse_alert ("", json, alert);
    return true;
}

/* A whole table as text (hex keys, raw values), to compare two stores. */
static char *
s_table_text (store_t *store, store_table_t table)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);
    cr_assert_not_null (out);
    store_txn_t *txn = store_begin (store, false);
    cr_assert_not_null (txn);
    store_cursor_t *cursor = store_cursor_new (txn, table, NULL, 0);
    cr_assert_not_null (cursor);
    const void *key, *value;
    size_t key_size, value_size;
    while (store_cursor_next (cursor, &key, &key_size, &value, &value_size) ==
           STORE_OK) {
        for (size_t i = 0; i < key_size; i++)
            fprintf (out, "%02x", ((const uint8_t *)key)[i]);
        fprintf (out, " = %.*s\n", (int)value_size, (const char *)value);
    }
    store_cursor_destroy (&cursor);
    store_abort (&txn);
    fclose (out);
    return buf;
}

static int32_t
s_counter (store_t *store, const char *period, const char *unit, int counter)
{
    store_txn_t *txn = store_begin (store, false);
    cr_assert_not_null (txn);
    uint8_t key[STORE_KEY_MAX];
    size_t size = state_counter_key (key, period, unit, "", "");
    int32_t c[RULES_STORED_COUNTERS];
    cr_assert_eq (store_get_i32 (txn, STORE_COUNTERS, key, size, c,
                                 RULES_STORED_COUNTERS),
                  STORE_OK);
    store_abort (&txn);
    return c[counter];
}

/* ---- warnings ----------------------------------------------------------- */

Test (deadline,
      a_warning_is_raised_at_exactly_80_percent_and_not_a_second_before)
{
    /* Dispatched 07-01 09:00, due 07-04 18:00: a limit of 81 hours, 80% of
       it (64 h 48 min) passed at 07-04 01:48. */
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    int64_t warn = s_ms ("2025-07-04 01:48");
    s_open ("T1", "U01", d, due);
    s_expect_no_alert ("receipt");
    cr_assert_eq (s_count (s_store, STORE_DUE), 2, "a deadline and a warning");

    s_tick (warn - 1000);
    s_expect_no_alert ("one second before");
    cr_assert_eq (s_alert_flags ("T1"), 0);
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 0);

    s_tick (warn);
    s_expect_one ("warning", "T1", "U01", due, warn, NULL);
    cr_assert_eq (s_alert_flags ("T1"), F_WARNED);
    cr_assert_eq (s_due_entries ("T1"), 1, "only the deadline waits");
    s_alert_t open;
    cr_assert (s_open_alert ("T1", &open));
    cr_assert_str_eq (open.kind, "warning");
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_ALERTS), 0,
                  "alerts counts overdue tickets, not warnings");
}

Test (deadline, the_warning_instant_is_rounded_down_to_the_whole_second)
{
    /* A limit of 1 h 0 min 1 s: 80% is 48 min 0.8 s, stated as 09:48:00. */
    int64_t d = s_ms ("2025-07-01 09:00");
    int64_t due = d + HOUR_MS + 1000;
    int64_t warn = s_ms ("2025-07-01 09:48:00");
    s_open ("T1", "U01", d, due);
    s_tick (warn - 1);
    s_expect_no_alert ("one millisecond before the whole second");
    s_tick (warn);
    s_expect_one ("warning", "T1", "U01", due, warn, NULL);
}

Test (deadline, a_warning_share_of_500_in_the_store_warns_at_half_the_limit)
{
    s_set_permille (500);
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-03 09:00");
    int64_t warn = s_ms ("2025-07-02 09:00");
    s_open ("T1", "U01", d, due);
    s_tick (warn - 1000);
    s_expect_no_alert ("one second before half the limit");
    s_tick (warn);
    s_expect_one ("warning", "T1", "U01", due, warn, NULL);
    s_tick (due + 1);
    s_expect_one ("overdue", "T1", "U01", due, due, NULL);
}

Test (deadline, a_warning_share_of_1000_raises_no_warning_only_overdue)
{
    s_set_permille (1000);
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-03 09:00");
    s_open ("T1", "U01", d, due);
    cr_assert_eq (s_count (s_store, STORE_DUE), 1, "no warning entry");
    s_tick (due);
    s_expect_no_alert ("at the deadline");
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 0);
    s_tick (due + 1);
    s_expect_one ("overdue", "T1", "U01", due, due, NULL);
    s_tick (due + DAY_MS);
    s_expect_no_alert ("a day later");
}

/* ---- overdue ------------------------------------------------------------ */

Test (deadline, overdue_is_raised_only_strictly_after_the_deadline)
{
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    s_open ("T1", "U01", d, due);
    s_tick (s_ms ("2025-07-04 02:00"));
    s_expect_one ("warning", "T1", "U01", due, s_ms ("2025-07-04 01:48"), NULL);
    s_tick (due);
    s_expect_no_alert ("the deadline itself is in time");
    cr_assert_eq (s_alert_flags ("T1"), F_WARNED);
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_OVERDUE_OPEN), 0);

    s_tick (due + 1);
    s_expect_one ("overdue", "T1", "U01", due, due, NULL);
    cr_assert_eq (s_alert_flags ("T1"), F_WARNED | F_OVERDUE);
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_OVERDUE_OPEN), 1);
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_ALERTS), 1);
    cr_assert_eq (s_count (s_store, STORE_DUE), 0);
}

Test (deadline, a_close_exactly_at_the_deadline_raises_no_overdue)
{
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    int64_t warn = s_ms ("2025-07-04 01:48");
    s_open ("T1", "U01", d, due);
    /* The close moves the clock to the deadline: the warning passed on the
       way, the deadline did not; then the close clears the warning. */
    s_close ("T1", "U01", due);
    s_alert_t alerts[8];
    cr_assert_eq (s_drain (alerts, 8), 2);
    s_check_alert (&alerts[0], "warning", "T1", "U01", due, warn, NULL);
    s_check_alert (&alerts[1], "cleared", "T1", "U01", due, due, "closed");
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_ALERTS), 0);
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_CLOSED_ON_TIME),
                  1);
    cr_assert_eq (s_open_deadlines (), 0);
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 0);
    s_tick (due + DAY_MS);
    s_expect_no_alert ("a day after the closure");
    cr_assert_eq (s_count (s_store, STORE_DUE), 0, "the sweep dropped it");
}

/* ---- the whole sequence ------------------------------------------------- */

Test (deadline,
      warning_overdue_and_cleared_come_once_each_however_often_the_clock_moves)
{
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    int64_t warn = s_ms ("2025-07-04 01:48");
    int64_t closed = s_ms ("2025-07-07 10:30");
    s_open ("T1", "U01", d, due);
    /* Every 20 minutes until the closure, half of it by tick events and
       half by state_advance_clock directly. */
    int steps = 0;
    for (int64_t at = d + 20 * MIN_MS; at < closed; at += 20 * MIN_MS) {
        if (steps++ % 2)
            s_tick (at);
        else
            s_advance (at);
    }
    s_close ("T1", "U01", closed);
    for (int i = 1; i <= 50; i++)
        s_tick (closed + i * HOUR_MS);
    s_alert_t alerts[8];
    cr_assert_eq (s_drain (alerts, 8), 3);
    s_check_alert (&alerts[0], "warning", "T1", "U01", due, warn, NULL);
    s_check_alert (&alerts[1], "overdue", "T1", "U01", due, due, NULL);
    s_check_alert (&alerts[2], "cleared", "T1", "U01", due, closed, "closed");
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_ALERTS), 1);
    cr_assert_eq (s_counter (s_store, "2025-Q3", "U01", RULES_ALERTS), 1);
    cr_assert_eq (s_alert_flags ("T1"), 0);
    cr_assert_eq (s_count (s_store, STORE_DUE), 0);
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 0);
}

Test (deadline,
      one_jump_of_the_clock_past_the_deadline_raises_warning_then_overdue)
{
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    s_open ("T1", "U01", d, due);
    s_tick (s_ms ("2025-07-10 00:00"));
    s_alert_t alerts[8];
    cr_assert_eq (s_drain (alerts, 8), 2);
    s_check_alert (&alerts[0], "warning", "T1", "U01", due,
                   s_ms ("2025-07-04 01:48"), NULL);
    s_check_alert (&alerts[1], "overdue", "T1", "U01", due, due, NULL);
}

/* A receipt that arrives after the clock has passed its deadline (a late
   sender, an out-of-order month) is overdue at once, not at the clock's
   next move: the report of its period counts it and the alerts go out
   with the receipt. So is an extension to a time already past. */
Test (deadline, a_deadline_already_past_when_it_arrives_fires_at_once)
{
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    s_tick (s_ms ("2025-07-10 00:00"));
    s_expect_no_alert ("the tick alone");
    s_open ("T1", "U01", d, due);
    s_alert_t alerts[8];
    cr_assert_eq (s_drain (alerts, 8), 2, "the receipt raised no alert");
    s_check_alert (&alerts[0], "warning", "T1", "U01", due,
                   s_ms ("2025-07-04 01:48"), NULL);
    s_check_alert (&alerts[1], "overdue", "T1", "U01", due, due, NULL);
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_OVERDUE_OPEN), 1);
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_ALERTS), 1);
    /* Extended to a time the clock has also passed: cleared, then
       overdue again for the new deadline. */
    int64_t due2 = s_ms ("2025-07-08 18:00");
    s_extend ("T1", "U01", s_ms ("2025-07-05 09:00"), due2);
    size_t n = s_drain (alerts, 8);
    cr_assert_eq (n, 3, "the extension's alerts: %zu, the first %s", n,
                  n ? alerts[0].kind : "none");
    s_check_alert (&alerts[0], "cleared", "T1", "U01", due,
                   s_ms ("2025-07-05 09:00"), "extended");
    /* 0.8 of 07-01 09:00 .. 07-08 18:00 (177 h): 141.6 h later. */
    s_check_alert (&alerts[1], "warning", "T1", "U01", due2,
                   s_ms ("2025-07-07 06:36"), NULL);
    s_check_alert (&alerts[2], "overdue", "T1", "U01", due2, due2, NULL);
    /* Nothing more when the clock moves on. */
    s_tick (s_ms ("2025-07-20 00:00"));
    s_expect_no_alert ("the next tick");
}

/* A close leaves the ticket's entries in the index (deleting them cost a
   random leaf per close); the sweep drops them when their moment comes,
   raising nothing. */
Test (deadline,
      a_ticket_closed_before_its_warning_raises_nothing_and_its_entries_go)
{
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    s_open ("T1", "U01", d, due);
    cr_assert_eq (s_count (s_store, STORE_DUE), 2);
    cr_assert_eq (s_open_deadlines (), 2);
    s_close ("T1", "U01", s_ms ("2025-07-03 10:00"));
    cr_assert_eq (s_open_deadlines (), 0);
    cr_assert_eq (s_count (s_store, STORE_DUE), 2, "left for the sweep");
    s_tick (s_ms ("2025-07-10 00:00"));
    s_expect_no_alert ("closed before the warning");
    cr_assert_eq (s_count (s_store, STORE_DUE), 0, "dropped by the sweep");
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 0);
    cr_assert_eq (s_alert_flags ("T1"), 0);
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_ALERTS), 0);
}

/* ---- extensions, returns, reopening ------------------------------------- */

Test (deadline,
      an_extension_after_the_warning_clears_it_and_the_new_deadline_warns_again)
{
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    int64_t extended = s_ms ("2025-07-04 10:00");
    int64_t due2 = s_ms ("2025-07-09 18:00");
    /* From the original dispatch to the new deadline: 8 days 9 hours, 80%
       of it (160 h 48 min) passed at 07-08 01:48. */
    int64_t warn2 = s_ms ("2025-07-08 01:48");
    s_open ("T1", "U01", d, due);
    s_tick (s_ms ("2025-07-04 02:00"));
    s_expect_one ("warning", "T1", "U01", due, s_ms ("2025-07-04 01:48"), NULL);

    s_extend ("T1", "U01", extended, due2);
    s_expect_one ("cleared", "T1", "U01", due, extended, "extended");
    cr_assert_eq (s_alert_flags ("T1"), 0);
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 0);
    cr_assert_eq (s_open_deadlines (), 2, "the new deadline and warning");
    state_ticket_t t = s_ticket_in (s_store, "T1");
    cr_assert_eq (t.limit_from, d, "the limit still runs from dispatch");
    cr_assert_eq (t.due_at, due2);

    s_tick (due + 1);
    s_expect_no_alert ("past the old deadline");
    s_tick (warn2 - 1000);
    s_expect_no_alert ("a second before the new warning");
    s_tick (warn2);
    s_expect_one ("warning", "T1", "U01", due2, warn2, NULL);
    s_tick (due2);
    s_expect_no_alert ("at the new deadline");
    s_tick (due2 + 1);
    s_expect_one ("overdue", "T1", "U01", due2, due2, NULL);
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_ALERTS), 1);
    cr_assert_eq (s_count (s_store, STORE_DUE), 0);
}

Test (deadline, an_extension_without_an_open_alert_clears_nothing)
{
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    s_open ("T1", "U01", d, due);
    s_extend ("T1", "U01", s_ms ("2025-07-02 09:00"),
              s_ms ("2025-07-09 18:00"));
    s_expect_no_alert ("an extension before the warning");
    cr_assert_eq (s_open_deadlines (), 2);
    s_tick (s_ms ("2025-07-04 02:00"));
    s_expect_no_alert ("the old warning instant");
}

Test (deadline, a_return_clears_an_open_warning_or_overdue_with_reason_returned)
{
    int64_t d = s_ms ("2025-07-01 09:00");
    int64_t due1 = s_ms ("2025-07-02 09:00"); /* warns 07-02 04:12 */
    int64_t due2 = s_ms ("2025-07-03 09:00"); /* warns 07-02 23:24 */
    s_open ("T1", "U01", d, due1);
    s_open ("T2", "U02", d, due2);
    s_tick (s_ms ("2025-07-03 00:00"));
    s_alert_t alerts[8];
    cr_assert_eq (s_drain (alerts, 8), 3);
    s_check_alert (&alerts[0], "warning", "T1", "U01", due1,
                   s_ms ("2025-07-02 04:12"), NULL);
    s_check_alert (&alerts[1], "overdue", "T1", "U01", due1, due1, NULL);
    s_check_alert (&alerts[2], "warning", "T2", "U02", due2,
                   s_ms ("2025-07-02 23:24"), NULL);
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 2);

    int64_t back = s_ms ("2025-07-03 01:00");
    s_return ("T1", "U01", back);
    s_expect_one ("cleared", "T1", "U01", due1, back, "returned");
    s_return ("T2", "U02", back);
    s_expect_one ("cleared", "T2", "U02", due2, back, "returned");
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 0);
    cr_assert_eq (s_open_deadlines (), 0);
    s_tick (s_ms ("2025-07-10 00:00"));
    s_expect_no_alert ("after the returns");
    cr_assert_eq (s_count (s_store, STORE_DUE), 0);
}

Test (deadline, a_reopened_ticket_gets_a_time_limit_from_the_reopening)
{
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    s_open ("T1", "U01", d, due);
    s_tick (s_ms ("2025-07-04 02:00"));
    s_expect_one ("warning", "T1", "U01", due, s_ms ("2025-07-04 01:48"), NULL);
    int64_t closed = s_ms ("2025-07-04 10:00");
    s_close ("T1", "U01", closed);
    s_expect_one ("cleared", "T1", "U01", due, closed, "closed");
    s_rework ("T1", "U01", s_ms ("2025-07-05 10:00"));
    s_expect_no_alert ("the revisit");

    /* Reopened 07-05 12:00, due 07-10 12:00: 80% of 120 hours is 96 h,
       07-09 12:00. Counted from the dispatch it would be 07-08 16:12. */
    int64_t reopened = s_ms ("2025-07-05 12:00");
    int64_t due2 = s_ms ("2025-07-10 12:00");
    int64_t warn2 = s_ms ("2025-07-09 12:00");
    s_reopen ("T1", "U01", reopened, due2);
    s_expect_no_alert ("the reopening");
    cr_assert_eq (s_ticket_in (s_store, "T1").limit_from, reopened);
    cr_assert_eq (s_due_entries ("T1"), 2);
    s_tick (s_ms ("2025-07-08 16:12"));
    s_expect_no_alert ("80% from the original dispatch");
    s_tick (warn2 - 1000);
    s_expect_no_alert ("a second before 80% from the reopening");
    s_tick (warn2);
    s_expect_one ("warning", "T1", "U01", due2, warn2, NULL);
    s_tick (due2 + 1);
    s_expect_one ("overdue", "T1", "U01", due2, due2, NULL);
}

/* ---- STORE_ALERTS ------------------------------------------------------- */

Test (deadline, store_alerts_holds_exactly_the_open_alerts)
{
    int64_t d = s_ms ("2025-07-01 09:00");
    int64_t due1 = s_ms ("2025-07-02 09:00"); /* warns 07-02 04:12 */
    int64_t due2 = s_ms ("2025-07-03 09:00"); /* warns 07-02 23:24 */
    int64_t due3 = s_ms ("2025-07-10 09:00");
    s_open ("T1", "U01", d, due1);
    s_open ("T2", "U02", d, due2);
    s_open ("T3", "U01", d, due3);
    s_alert_t a;

    s_tick (s_ms ("2025-07-02 05:00"));
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 1);
    cr_assert (s_open_alert ("T1", &a));
    cr_assert_str_eq (a.kind, "warning");
    cr_assert_str_eq (a.unit_id, "U01");
    cr_assert_str_eq (a.ticket, "T1");
    char text[32];
    cr_assert_str_eq (a.due, s_fmt (due1, text));
    cr_assert_str_eq (a.at, s_fmt (s_ms ("2025-07-02 04:12"), text));
    cr_assert_not (a.has_reason);

    s_tick (s_ms ("2025-07-03 00:00"));
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 2);
    cr_assert (s_open_alert ("T1", &a));
    cr_assert_str_eq (a.kind, "overdue", "the same ticket's record updated");
    cr_assert_str_eq (a.at, s_fmt (due1, text));
    cr_assert (s_open_alert ("T2", &a));
    cr_assert_str_eq (a.kind, "warning");
    cr_assert_str_eq (a.unit_id, "U02");
    cr_assert_not (s_open_alert ("T3", &a));

    s_close ("T1", "U01", s_ms ("2025-07-03 01:00"));
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 1);
    cr_assert_not (s_open_alert ("T1", &a));
    s_extend ("T2", "U02", s_ms ("2025-07-03 02:00"),
              s_ms ("2025-07-20 09:00"));
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 0);
    s_close ("T3", "U01", s_ms ("2025-07-03 03:00"));
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 0);
}

/* ---- replay ---------------------------------------------------------------
 */

/* What replay must reproduce, from one store. */
typedef struct {
    char *alerts;           /* STORE_ALERTS as text */
    char *due;              /* STORE_DUE as text */
    int32_t counters[3][2]; /* RULES_ALERTS per unit, month and quarter */
    uint8_t flags[8];       /* alert flags of T1..T8 (0 when absent) */
} s_alert_state_t;

static void
s_state_of (store_t *store, s_alert_state_t *state)
{
    state->alerts = s_table_text (store, STORE_ALERTS);
    state->due = s_table_text (store, STORE_DUE);
    const char *units[3] = {"U01", "U02", "U03"};
    for (int u = 0; u < 3; u++) {
        state->counters[u][0] =
            s_counter (store, "2025-07", units[u], RULES_ALERTS);
        state->counters[u][1] =
            s_counter (store, "2025-Q3", units[u], RULES_ALERTS);
    }
    store_txn_t *txn = store_begin (store, false);
    cr_assert_not_null (txn);
    for (int i = 0; i < 8; i++) {
        char id[8];
        snprintf (id, sizeof (id), "T%d", i + 1);
        state_ticket_t t;
        state->flags[i] = state__ticket_get (txn, id, &t) == STORE_OK
                              ? t.flags & (F_WARNED | F_OVERDUE)
                              : 0;
    }
    store_abort (&txn);
}

static void
s_state_free (s_alert_state_t *state)
{
    free (state->alerts);
    free (state->due);
}

/* Replays the live store's log up to `until` into a scratch store and
   compares it with `expected`. */
static void
s_expect_replay (int64_t until, const s_alert_state_t *expected)
{
    char dir[64];
    snprintf (dir, sizeof (dir), "%s/replay", s_root);
    char err[256] = "";
    store_t *scratch = store_new (dir, 0, err);
    cr_assert_not_null (scratch, "%s", err);
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_not_null (txn);
    cr_assert_eq (state_replay (txn, scratch, until, err), 0, "%s", err);
    store_abort (&txn);
    s_alert_state_t got;
    s_state_of (scratch, &got);
    cr_expect_str_eq (got.alerts, expected->alerts, "STORE_ALERTS differ");
    cr_expect_str_eq (got.due, expected->due, "STORE_DUE differs");
    for (int u = 0; u < 3; u++)
        for (int k = 0; k < 2; k++)
            cr_expect_eq (got.counters[u][k], expected->counters[u][k],
                          "RULES_ALERTS of U0%d, %s", u + 1, k ? "Q3" : "07");
    for (int i = 0; i < 8; i++)
        cr_expect_eq (got.flags[i], expected->flags[i], "alert flags of T%d",
                      i + 1);
    s_state_free (&got);
    store_destroy (&scratch);
    testutil_remove_tree (dir);
}

Test (deadline, replaying_the_log_up_to_a_moment_gives_the_same_alerts_as_live)
{
    int64_t d = s_ms ("2025-07-01 09:00");
    s_open ("T1", "U01", d, s_ms ("2025-07-04 18:00"));
    s_open ("T2", "U02", d + HOUR_MS, s_ms ("2025-07-03 10:00"));
    s_open ("T3", "U01", d + 2 * HOUR_MS, s_ms ("2025-07-05 11:00"));
    s_open ("T4", "U03", d, s_ms ("2025-07-02 09:00"));
    s_open ("T5", "U02", d + 3 * HOUR_MS, s_ms ("2025-07-03 12:00"));
    s_open ("T6", "U01", d + HOUR_MS, s_ms ("2025-07-02 10:00"));
    s_close ("T4", "U03", s_ms ("2025-07-02 08:00"));
    s_return ("T6", "U01", s_ms ("2025-07-02 12:00"));
    s_extend ("T5", "U02", s_ms ("2025-07-03 08:00"),
              s_ms ("2025-07-06 12:00"));
    int64_t moment = s_ms ("2025-07-04 20:00");
    s_tick (moment);
    /* As of the moment: T1 and T2 overdue, T3 warned. */
    s_alert_state_t then;
    s_state_of (s_store, &then);
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 3);

    /* Later events must not leak into a replay up to the moment. */
    s_close ("T1", "U01", s_ms ("2025-07-05 09:00"));
    s_open ("T7", "U03", s_ms ("2025-07-05 09:00"), s_ms ("2025-07-06 09:00"));
    s_tick (s_ms ("2025-07-06 10:00"));
    s_close ("T7", "U03", s_ms ("2025-07-06 11:00"));
    s_rework ("T7", "U03", s_ms ("2025-07-06 12:00"));
    s_reopen ("T7", "U03", s_ms ("2025-07-06 13:00"),
              s_ms ("2025-07-07 13:00"));
    s_tick (s_ms ("2025-07-07 08:00"));
    s_alert_state_t now;
    s_state_of (s_store, &now);

    s_expect_replay (moment, &then);
    s_expect_replay (s_ms ("2025-07-07 08:00"), &now);
    s_state_free (&then);
    s_state_free (&now);
}

Test (deadline, a_replay_uses_the_warning_share_of_the_store_it_replays)
{
    /* BUG (state_replay.c): the replay copies units and the log but not
       meta "warn_permille", so the scratch store warns at the default 80%
       while the live store warned at 50%. */
    s_set_permille (500);
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-03 09:00");
    s_open ("T1", "U01", d, due);
    int64_t moment = s_ms ("2025-07-02 15:00"); /* past 50%, before 80% */
    s_tick (moment);
    s_expect_one ("warning", "T1", "U01", due, s_ms ("2025-07-02 09:00"), NULL);
    s_alert_state_t then;
    s_state_of (s_store, &then);
    s_expect_replay (moment, &then);
    s_state_free (&then);
}

/* ---- many tickets ------------------------------------------------------- */

#define MANY 100

/* One expected index entry: time, kind (0 warning, 1 deadline), ticket. */
typedef struct {
    int64_t at; /* instant */
    int kind;   /* 0 warning, 1 deadline */
    int ticket; /* index */
} s_entry_t;

static int
s_entry_cmp (const void *a, const void *b)
{
    const s_entry_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    return x->ticket - y->ticket;
}

/* Checks the fired alerts against the expected entries [from, to). */
static void
s_check_fired (const s_alert_t *alerts, size_t n, const s_entry_t *entries,
               size_t from, size_t to, int64_t d)
{
    cr_assert_eq (n, to - from, "fired %zu, expected %zu", n, to - from);
    for (size_t i = 0; i < n; i++) {
        const s_entry_t *e = &entries[from + i];
        char id[16];
        snprintf (id, sizeof (id), "T%03d", e->ticket);
        int64_t due = d + (e->ticket + 1) * HOUR_MS;
        s_check_alert (&alerts[i], e->kind ? "overdue" : "warning", id,
                       e->ticket % 2 ? "U02" : "U01", due, e->at, NULL);
    }
}

Test (
    deadline,
    advancing_the_clock_fires_passed_entries_in_time_order_and_stops_at_the_first_future_one)
{
    /* Ticket i is due i+1 hours after the common dispatch D: it warns at
       48*(i+1) min and is due at 60*(i+1) min. A warning and a deadline
       meet every 240 min (T004's warning and T003's deadline at D+4h, the
       8th and 9th entries): the warning comes first. */
    int64_t d = s_ms ("2025-07-01 09:00");
    s_entry_t entries[2 * MANY];
    for (int i = 0; i < MANY; i++) {
        entries[2 * i] = (s_entry_t){d + 48 * MIN_MS * (i + 1), 0, i};
        entries[2 * i + 1] = (s_entry_t){d + HOUR_MS * (i + 1), 1, i};
    }
    qsort (entries, 2 * MANY, sizeof (entries[0]), s_entry_cmp);
    /* Opened in a scrambled order, so index order is not arrival order. */
    for (int n = 0; n < MANY; n++) {
        int i = (n * 37) % MANY;
        char id[16];
        snprintf (id, sizeof (id), "T%03d", i);
        s_open (id, i % 2 ? "U02" : "U01", d, d + (i + 1) * HOUR_MS);
    }
    s_expect_no_alert ("receipts at D");
    cr_assert_eq (s_count (s_store, STORE_DUE), 2 * MANY);

    /* At D+48h: T059's warning is at the instant and fires; T047's
       deadline is at the instant and does not. */
    int64_t middle = d + 48 * HOUR_MS;
    size_t fired = 0;
    while (fired < 2 * MANY &&
           (entries[fired].at < middle ||
            (entries[fired].at == middle && entries[fired].kind == 0)))
        fired++;
    cr_assert_eq (fired, 60 + 47, "60 warnings and 47 deadlines");
    s_advance (middle);
    static s_alert_t alerts[2 * MANY];
    size_t n = s_drain (alerts, 2 * MANY);
    s_check_fired (alerts, n, entries, 0, fired, d);
    cr_assert_str_eq (alerts[7].ticket, "T004");
    cr_assert_str_eq (alerts[7].kind, "warning", "at D+4h the warning first");
    cr_assert_str_eq (alerts[8].ticket, "T003");
    cr_assert_str_eq (alerts[8].kind, "overdue");
    cr_assert_eq (s_count (s_store, STORE_DUE), 2 * MANY - fired);
    cr_assert_eq (s_alert_flags ("T046"), F_WARNED | F_OVERDUE);
    cr_assert_eq (s_alert_flags ("T047"), F_WARNED, "due at the instant");
    cr_assert_eq (s_alert_flags ("T059"), F_WARNED, "warned at the instant");
    cr_assert_eq (s_alert_flags ("T060"), 0);
    cr_assert_eq (s_count (s_store, STORE_ALERTS), 60);

    /* The rest fire on the next move, in order, and the index empties. */
    s_advance (d + (MANY + 1) * HOUR_MS);
    n = s_drain (alerts, 2 * MANY);
    s_check_fired (alerts, n, entries, fired, 2 * MANY, d);
    cr_assert_eq (s_count (s_store, STORE_DUE), 0);
    cr_assert_eq (s_count (s_store, STORE_ALERTS), MANY);
    cr_assert_eq (s_counter (s_store, "2025-07", "U01", RULES_ALERTS),
                  MANY / 2);
    cr_assert_eq (s_counter (s_store, "2025-07", "U02", RULES_ALERTS),
                  MANY / 2);
}

/* ---- a change of the warning share -------------------------------------- */

Test (deadline, a_ticket_open_when_the_warning_share_changes_still_warns_once)
{
    /* BUG (state_deadline.c): the warning instant is recomputed from the
       current meta "warn_permille" wherever it is needed (s_warn_at, used
       by state__deadline_set, state__leave_open and
       state_advance_clock). When the share changes while a ticket is
       open (the daemon writes it from its configuration at every start),
       the entry written under the old share no longer matches: it is
       skipped as stale when reached, so the ticket never warns, and
       leave_open deletes a key that does not exist, leaving the old
       entry behind in STORE_DUE. */
    int64_t d = s_ms ("2025-07-01 09:00");
    int64_t due1 = d + 100 * HOUR_MS; /* warns at D+80h, or D+50h at 500 */
    int64_t due2 = d + 200 * HOUR_MS; /* warns at D+160h, or D+100h */
    s_open ("T1", "U01", d, due1);
    s_open ("T2", "U02", d, due2);
    s_set_permille (500);
    s_tick (d + 90 * HOUR_MS);
    s_alert_t alerts[8];
    size_t n = s_drain (alerts, 8);
    cr_expect_eq (n, 1, "T1 warned %zu times past both warning instants", n);
    cr_expect_eq (s_alert_flags ("T1"), F_WARNED);
    s_close ("T2", "U02", d + 95 * HOUR_MS);
    cr_expect_eq (s_open_deadlines (), 1, "T1's deadline alone is to come");
    s_tick (due2 + 1);
    cr_expect_eq (s_due_entries ("T2"), 0,
                  "a closed ticket left %zu entries in STORE_DUE past them",
                  s_due_entries ("T2"));
}

/* ---- the ticket's trail ------------------------------------------------- */

typedef struct {
    char lines[16][64]; /* "seq kind unit counts" per entry, in order */
    size_t count;
} s_trail_seen_t;

static void
s_trail_entry (void *arg, uint64_t seq, bool clock, const char *unit,
               const state_count_t *counts, size_t n)
{
    (void)counts;
    s_trail_seen_t *seen = arg;
    cr_assert_lt (seen->count, 16);
    snprintf (seen->lines[seen->count++], 64, "%llu %s %s %zu",
              (unsigned long long)seq, clock ? "clock" : "event", unit, n);
}

static size_t
s_trail_of (const char *ticket, s_trail_seen_t *seen)
{
    memset (seen, 0, sizeof (*seen));
    store_txn_t *txn = store_begin (s_store, false);
    cr_assert_not_null (txn);
    cr_assert_eq (state_trail_scan (txn, ticket, s_trail_entry, seen),
                  STORE_OK);
    store_abort (&txn);
    return seen->count;
}

Test (deadline, a_trail_lists_the_event_before_the_clock_and_outlives_a_return)
{
    int64_t d = s_ms ("2025-07-01 09:00"), due = s_ms ("2025-07-04 18:00");
    s_open ("T1", "U01", d, due);          /* log 1 */
    s_open ("T2", "U01", d, due + DAY_MS); /* log 2 */
    /* The closure moves the clock past T1's deadline first: the clock's
       entry (overdue_open, alerts) is written before the event's, under
       the same log number, and is still read after it. */
    s_close ("T1", "U01", due + HOUR_MS);                      /* log 3 */
    s_return ("T2", "U01", due + 2 * HOUR_MS);                 /* log 4 */
    s_open ("T2", "U02", due + 3 * HOUR_MS, due + 3 * DAY_MS); /* log 5 */
    s_trail_seen_t seen;
    cr_assert_eq (s_trail_of ("T1", &seen), 3);
    cr_expect_str_eq (seen.lines[0], "1 event U01 2");
    cr_expect_str_eq (seen.lines[1], "3 event U01 10");
    cr_expect_str_eq (seen.lines[2], "3 clock U01 6");
    /* Received again by another unit: a new episode, the same trail. */
    cr_assert_eq (s_trail_of ("T2", &seen), 3);
    cr_expect_str_eq (seen.lines[0], "2 event U01 2");
    cr_expect_str_eq (seen.lines[1], "4 event U01 4");
    cr_expect_str_eq (seen.lines[2], "5 event U02 2");
}
