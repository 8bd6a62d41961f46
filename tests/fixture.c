/*  fixture: a fresh store with four units, and events built by hand, for
    the suites that drive the state machine in-process (test_state,
    test_report). See fixture.h. */
#include "fixture.h"
#include "testutil.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The wall clock the state machine is told (it reads none itself). */
#define WALL_NOW ((int64_t)time (NULL) * 1000)

/* ---- fixture ------------------------------------------------------------ */

static char s_root[64];  /* the test's temporary directory */
static char s_path[128]; /* the store's directory inside it */
store_t *fx_store;       /* opened by the fixture */
static int s_event_seq;  /* numbers the events built by fx_event */

/* The registry: three towns (U04 has few tickets in the report test) and
   one department. */
void
fx_import_units (store_t *store)
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
    cr_assert_eq (state_units_import (txn, units, 4, &added), STORE_OK);
    cr_assert_eq (added, 4);
    cr_assert_eq (store_commit (&txn), STORE_OK);
}

void
fx_setup (void)
{
    snprintf (s_root, sizeof (s_root), "/tmp/hl_test_state_XXXXXX");
    cr_assert_not_null (mkdtemp (s_root), "mkdtemp: %s", strerror (errno));
    snprintf (s_path, sizeof (s_path), "%s/db", s_root);
    char err[256] = "";
    fx_store = store_new (s_path, 0, err);
    cr_assert_not_null (fx_store, "store_new: %s", err);
    fx_import_units (fx_store);
    s_event_seq = 0;
}

void
fx_teardown (void)
{
    store_destroy (&fx_store);
    testutil_remove_tree (s_root);
}

/* ---- events ------------------------------------------------------------- */

/* "2025-07-01 09:00" or "2025-07-01 09:00:01", Asia/Shanghai, in ms. */
int64_t
fx_ms (const char *local)
{
    char text[40];
    snprintf (text, sizeof (text), "%s%s+08:00", local,
              strlen (local) == 16 ? ":00" : "");
    int64_t ms = 0;
    cr_assert_eq (proto_time_parse (text, &ms), 0, "bad time %s", text);
    return ms;
}

proto_event_t
fx_event (proto_type_t type, const char *ticket, const char *unit,
          const char *at)
{
    proto_event_t ev;
    memset (&ev, 0, sizeof (ev));
    snprintf (ev.event_id, sizeof (ev.event_id), "e%d", ++s_event_seq);
    ev.type = type;
    snprintf (ev.ticket_id, sizeof (ev.ticket_id), "%s", ticket);
    snprintf (ev.unit_id, sizeof (ev.unit_id), "%s", unit);
    ev.occurred_at = fx_ms (at);
    return ev;
}

proto_event_t
fx_received (const char *ticket, const char *unit, const char *dispatched,
             const char *at, const char *due)
{
    proto_event_t ev = fx_event (PROTO_RECEIVED, ticket, unit, at);
    ev.dispatched_at = fx_ms (dispatched);
    ev.due_at = fx_ms (due);
    snprintf (ev.channel, sizeof (ev.channel), "hotline");
    snprintf (ev.category, sizeof (ev.category), "property");
    return ev;
}

proto_event_t
fx_with_due (proto_type_t type, const char *ticket, const char *unit,
             const char *at, const char *due)
{
    proto_event_t ev = fx_event (type, ticket, unit, at);
    ev.due_at = fx_ms (due);
    return ev;
}

proto_event_t
fx_revisited (const char *ticket, const char *unit, const char *at,
              proto_satisfaction_t satisfaction, proto_resolved_t resolved,
              bool rework)
{
    proto_event_t ev = fx_event (PROTO_REVISITED, ticket, unit, at);
    ev.satisfaction = satisfaction;
    ev.resolved = resolved;
    ev.rework = rework;
    return ev;
}

proto_event_t
fx_adjusted (const char *unit, const char *period, const char *item,
             double value, const char *at)
{
    proto_event_t ev = fx_event (PROTO_ADJUSTED, "", unit, at);
    snprintf (ev.period, sizeof (ev.period), "%s", period);
    snprintf (ev.item, sizeof (ev.item), "%s", item);
    ev.value = value;
    return ev;
}

/* Applies one event in its own write transaction (event clock) and
   commits; returns the outcome and the reason. */
state_outcome_t
fx_try (const proto_event_t *ev, state_effects_t *effects, char *reason)
{
    char why[PROTO_ERROR_MAX + 1];
    cr_assert_eq (proto_event_validate (ev, why), 0, "test event %s: %s",
                  ev->event_id, why);
    store_txn_t *txn = store_begin (fx_store, true);
    cr_assert_not_null (txn);
    int rc = STORE_OK;
    state_outcome_t outcome =
        state_apply (txn, ev,
                     &(state_ctx_t){.clock = STATE_CLOCK_EVENT,
                                    .wall_now = WALL_NOW,
                                    .effects = effects},
                     reason, &rc, NULL);
    if (outcome == STATE_FAILED) {
        store_abort (&txn);
        cr_assert_fail ("event %s failed: %s", ev->event_id,
                        store_strerror (rc));
    }
    cr_assert_eq (rc, STORE_OK);
    cr_assert_eq (store_commit (&txn), STORE_OK);
    return outcome;
}

/* Applies an event that must be stored. */
void
fx_apply (proto_event_t ev)
{
    char reason[PROTO_ERROR_MAX + 1] = "";
    state_outcome_t outcome = fx_try (&ev, NULL, reason);
    cr_assert_eq (outcome, STATE_STORED, "event %s (%s of %s): %d %s",
                  ev.event_id, proto_type_name (ev.type), ev.ticket_id, outcome,
                  reason);
}

void
fx_apply_fx (proto_event_t ev, state_effects_t *effects)
{
    char reason[PROTO_ERROR_MAX + 1] = "";
    cr_assert_eq (fx_try (&ev, effects, reason), STATE_STORED, "%s", reason);
}

/* A ticket dispatched and signed at `at`, due at `due`. */
void
fx_open (const char *ticket, const char *unit, const char *at, const char *due)
{
    fx_apply (fx_received (ticket, unit, at, at, due));
}

void
fx_close (const char *ticket, const char *unit, const char *at)
{
    fx_apply (fx_event (PROTO_CLOSED, ticket, unit, at));
}

void
fx_tick (const char *at)
{
    fx_apply (fx_event (PROTO_TICK, "", "", at));
}

/* ---- counters ------------------------------------------------------------ */

/* Every counter (derived ones filled) of a unit, period and slice. */
void
fx_counters (const char *period, const char *unit, const char *prefix,
             const char *slice, double *out)
{
    store_txn_t *txn = store_begin (fx_store, false);
    cr_assert_not_null (txn);
    uint8_t key[STORE_KEY_MAX];
    size_t size = state_counter_key (key, period, unit, prefix, slice);
    int32_t stored[RULES_STORED_COUNTERS];
    cr_assert_eq (store_get_i32 (txn, STORE_COUNTERS, key, size, stored,
                                 RULES_STORED_COUNTERS),
                  STORE_OK);
    store_abort (&txn);
    for (int c = 0; c < RULES_STORED_COUNTERS; c++)
        out[c] = stored[c];
    rules_counters_derive (out);
}

/* One counter of a unit in a period, all tickets. */
int
fx_c (const char *period, const char *unit, int counter)
{
    double all[RULES_COUNTERS];
    fx_counters (period, unit, "", "", all);
    return (int)all[counter];
}

/* One counter of a slice. */
int
fx_cs (const char *period, const char *unit, const char *prefix,
       const char *slice, int counter)
{
    double all[RULES_COUNTERS];
    fx_counters (period, unit, prefix, slice, all);
    return (int)all[counter];
}

/* Everything in the store, serialised, to show that nothing changed. */
char *
fx_snapshot (size_t *size)
{
    char *buf = NULL;
    FILE *out = open_memstream (&buf, size);
    cr_assert_not_null (out);
    store_txn_t *txn = store_begin (fx_store, false);
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
void
fx_expect_rejected (proto_event_t ev, const char *expected)
{
    size_t before_size, after_size;
    char *before = fx_snapshot (&before_size);
    store_txn_t *txn = store_begin (fx_store, false);
    size_t log_before = store_count (txn, STORE_LOG);
    store_abort (&txn);

    char reason[PROTO_ERROR_MAX + 1] = "";
    state_outcome_t outcome = fx_try (&ev, NULL, reason);
    cr_assert_eq (outcome, STATE_REJECTED, "event %s (%s) was not rejected",
                  ev.event_id, proto_type_name (ev.type));
    cr_assert_not_null (strstr (reason, expected), "reason \"%s\" lacks \"%s\"",
                        reason, expected);

    txn = store_begin (fx_store, false);
    cr_assert_eq (store_count (txn, STORE_LOG), log_before);
    store_abort (&txn);
    char *after = fx_snapshot (&after_size);
    cr_assert_eq (before_size, after_size, "the store changed");
    cr_assert_eq (memcmp (before, after, before_size), 0, "the store changed");
    free (before);
    free (after);
}

#ifndef DAY_MS
#define DAY_MS (24LL * 3600 * 1000)
#endif

/* ---- random events ------------------------------------------------------ */

uint64_t
fx_next (uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

proto_event_t
fx_random_event (uint64_t *seed, int64_t now, char (*owner)[8], bool late)
{
    static const proto_type_t types[] = {
        PROTO_RECEIVED,   PROTO_RECEIVED,        PROTO_CONTACTED,
        PROTO_RETURNED,   PROTO_EXTENDED,        PROTO_CLOSED,
        PROTO_CLOSED,     PROTO_REVISITED,       PROTO_REOPENED,
        PROTO_APPEALED,   PROTO_EXEMPTED,        PROTO_EXEMPTED,
        PROTO_UNEXEMPTED, PROTO_APPEAL_REJECTED, PROTO_ADJUSTED,
        PROTO_TICK};
    static const char *units[] = {"U01", "U02", "U03", "U04"};
    static const char *channels[] = {"hotline", "mayor_mailbox", "web"};
    static const char *counters[] = {"all",          "closed",
                                     "closed_late",  "received overdue_open",
                                     "should_close", "unsatisfied rework"};
    static const char *items[] = {"instant_answer", "knowledge_base", "bonus",
                                  "organisation"};
    static const char *periods[] = {"2025-07", "2025-08", "2025-09", "2025-Q3"};
    proto_type_t type =
        types[fx_next (seed) % (sizeof (types) / sizeof (types[0]))];
    int k = (int)(fx_next (seed) % 40);
    char ticket[8];
    snprintf (ticket, sizeof (ticket), "T%d", k);
    const char *unit = owner[k][0] && fx_next (seed) % 8
                           ? owner[k]
                           : units[fx_next (seed) % 4];
    proto_event_t ev = fx_event (
        type, type == PROTO_ADJUSTED || type == PROTO_TICK ? "" : ticket,
        type == PROTO_TICK ? "" : unit, "2025-07-01 00:00");
    ev.occurred_at = now + (int64_t)(fx_next (seed) % (6 * 3600000ULL));
    if (late && fx_next (seed) % 8 == 0)
        ev.occurred_at -= (int64_t)(fx_next (seed) % (10 * DAY_MS));
    if (fx_next (seed) % 16 == 0) /* the same moment as another */
        ev.occurred_at = now;
    switch (type) {
    case PROTO_RECEIVED:
        ev.dispatched_at = ev.occurred_at - (int64_t)(fx_next (seed) % 7200000);
        ev.due_at = ev.dispatched_at + 3600000 +
                    (int64_t)(fx_next (seed) % (6 * DAY_MS));
        snprintf (ev.channel, sizeof (ev.channel), "%s",
                  channels[fx_next (seed) % 3]);
        snprintf (ev.category, sizeof (ev.category), "%s",
                  fx_next (seed) % 2 ? "property" : "water");
        ev.key_supervision = fx_next (seed) % 4 == 0;
        ev.repeat_dispatch = fx_next (seed) % 4 == 0;
        break;
    case PROTO_EXTENDED:
    case PROTO_REOPENED:
        ev.due_at = ev.occurred_at + (int64_t)(fx_next (seed) % (5 * DAY_MS));
        break;
    case PROTO_REVISITED:
        ev.satisfaction = (proto_satisfaction_t)(1 + fx_next (seed) % 4);
        ev.resolved = (proto_resolved_t)(fx_next (seed) % 4);
        ev.rework = fx_next (seed) % 3 == 0;
        break;
    case PROTO_EXEMPTED:
        snprintf (ev.counters, sizeof (ev.counters), "%s",
                  counters[fx_next (seed) % 6]);
        /* fall through */
    case PROTO_UNEXEMPTED:
    case PROTO_APPEAL_REJECTED:
        snprintf (ev.by, sizeof (ev.by), "office");
        /* fall through */
    case PROTO_APPEALED:
        snprintf (ev.reason, sizeof (ev.reason), "why");
        break;
    case PROTO_ADJUSTED:
        snprintf (ev.period, sizeof (ev.period), "%s",
                  periods[fx_next (seed) % 4]);
        snprintf (ev.item, sizeof (ev.item), "%s", items[fx_next (seed) % 4]);
        ev.value = (double)(fx_next (seed) % 21) / 2;
        break;
    default:
        break;
    }
    return ev;
}
