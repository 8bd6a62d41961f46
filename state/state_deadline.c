/*  state_deadline: the clock, deadlines, warnings and open alerts.

    STORE_DUE is one index for both kinds of moment, ordered by time: key
    = big-endian ms, a kind byte (0 warning, 1 deadline: at the same
    instant a warning comes first), the ticket id. An open ticket has one
    deadline entry and, until its warning is raised, one warning entry.
    Advancing the clock reads the index from the start and stops at the
    first entry still in the future, so the work is bounded by what fires.
    A ticket that closes, goes back or gets a new deadline leaves its
    entries where they are: deleting them dirtied a random leaf of the
    index per close, a sixth of the bytes a commit wrote. The sweep
    deletes every entry it passes and acts only on one that still
    matches its ticket (open, the same moment, not yet raised), so a
    stale entry costs a little of the sweep's time when its moment
    comes. The index's size is therefore not what is still to come: that
    count is kept in the meta table ("open_deadlines", adjusted whenever
    a ticket record is written: state__due_count).

    Alerts are raised at most once per ticket and deadline: the ticket's
    flags (F_WARNED, F_OVERDUE) are written in the same transaction as the
    alert, so neither a restart nor a replay raises one twice. STORE_ALERTS
    holds every open alert (warning or overdue not yet cleared) for the
    publisher's snapshot.

    Timing rules: a warning is due when the configured share of the time
    limit (from dispatch, or from the reopening, to the deadline) has
    passed, at or after that instant, the share measured in working time
    (state_worktime.c: in wall time for a limit in wall hours); overdue
    when the clock is past the deadline (closing exactly at the deadline
    is on time). */
#include "state_internal.h"

#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND_WARNING  0
#define KIND_DEADLINE 1

/* The warning share in thousandths, from the store's meta (written by the
   daemon from its configuration); 800 when unset. */
static uint64_t
s_warn_permille (store_txn_t *txn)
{
    uint64_t permille = 800;
    store_meta_get (txn, "warn_permille", &permille);
    return permille;
}

/* The warning instant for the ticket's deadline under the store's share
   and the working time in force. Computed once, when the deadline is
   set, and kept in the ticket: a later change of the share or the
   calendar does not move the warnings of tickets already open, so their
   index entries stay findable. */
static int64_t
s_warn_at (const state_work_t *w)
{
    return state__warn_instant (w->cal, w->t->limit_from, w->t->due_at,
                                s_warn_permille (w->txn), w->wall_limit);
}

static size_t
s_key (uint8_t *key, int64_t at, int kind, const char *ticket_id)
{
    size_t len = strlen (ticket_id);
    store_put_be64 (key, (uint64_t)at);
    key[8] = (uint8_t)kind;
    memcpy (key + 9, ticket_id, len);
    return 9 + len;
}

static int
s_index_put (store_txn_t *txn, int64_t at, int kind, const char *ticket_id)
{
    uint8_t key[9 + PROTO_ID_MAX];
    return store_put (txn, STORE_DUE, key, s_key (key, at, kind, ticket_id), "",
                      0);
}

/* What a ticket still waits for: its deadline while open and not
   overdue, its warning while open and neither warned nor overdue. */
int
state__due_weight (const state_ticket_t *t)
{
    if (t->state != T_OPEN)
        return 0;
    return !(t->flags & F_OVERDUE) +
           (t->warn_at && !(t->flags & (F_OVERDUE | F_WARNED)));
}

#define OPEN_DEADLINES "open_deadlines"

int
state__due_count (store_txn_t *txn, int before, const state_ticket_t *after)
{
    int delta = state__due_weight (after) - before;
    if (delta == 0)
        return STORE_OK;
    uint64_t n = 0;
    int rc = store_meta_get (txn, OPEN_DEADLINES, &n);
    if (rc != STORE_OK && rc != STORE_NOTFOUND)
        return rc;
    n = delta < 0 && n < (uint64_t)-delta ? 0 : n + (uint64_t)(int64_t)delta;
    return store_meta_put (txn, OPEN_DEADLINES, n);
}

uint64_t
state_open_deadlines (store_txn_t *txn)
{
    uint64_t n;
    if (store_meta_get (txn, OPEN_DEADLINES, &n) == STORE_OK)
        return n;
    /* Not kept yet: a store written only by builds that deleted entries
       as tickets left, whose index is the count (or an empty one). */
    return (uint64_t)store_count (txn, STORE_DUE);
}

int
state_open_deadlines_keep (store_txn_t *txn)
{
    uint64_t n;
    int rc = store_meta_get (txn, OPEN_DEADLINES, &n);
    if (rc != STORE_NOTFOUND)
        return rc;
    return store_meta_put (txn, OPEN_DEADLINES,
                           (uint64_t)store_count (txn, STORE_DUE));
}

/* ---- alerts ------------------------------------------------------------ */

/* An alert as the publisher sends it (docs/live.md). Written by the one
   JSON writer: ticket and unit ids are the platform's bytes, so they are
   escaped, never pasted. Returns a string the caller frees, or NULL. */
static char *
s_alert_json (const char *kind, const state_ticket_t *t, const char *ticket_id,
              int64_t at, const char *reason)
{
    char due[32], when[32];
    json_writer_t json;
    json_init (&json, 256);
    json_open (&json, '{');
    json_member_string (&json, "kind", kind);
    json_member_string (&json, "unit_id", t->unit_id);
    json_member_string (&json, "ticket_id", ticket_id);
    json_member_string (&json, "due_at", proto_time_format (t->due_at, due));
    json_member_string (&json, "at", proto_time_format (at, when));
    if (reason)
        json_member_string (&json, "reason", reason);
    json_close (&json, '}');
    return json_finish (&json);
}

/* Raises a warning or overdue alert: flag, open-alert record, effect. */
static int
s_raise (state_work_t *w, const char *kind, int64_t at)
{
    store_txn_t *txn = w->txn;
    state_ticket_t *t = w->t;
    const char *ticket_id = w->ticket_id;
    char *json = s_alert_json (kind, t, ticket_id, at, NULL);
    if (!json)
        return STORE_ERROR;
    int rc = store_put (txn, STORE_ALERTS, ticket_id, strlen (ticket_id), json,
                        strlen (json));
    if (rc == STORE_OK)
        state__effects_alert (w->effects, t->unit_id, json);
    free (json);
    return rc;
}

/* Clears the ticket's open alert, if it has one. */
static int
s_clear (state_work_t *w, int64_t at, const char *reason)
{
    store_txn_t *txn = w->txn;
    state_ticket_t *t = w->t;
    const char *ticket_id = w->ticket_id;
    if (!(t->flags & (F_WARNED | F_OVERDUE)))
        return STORE_OK;
    int rc = store_del (txn, STORE_ALERTS, ticket_id, strlen (ticket_id));
    if (rc != STORE_OK && rc != STORE_NOTFOUND)
        return rc;
    char *json = s_alert_json ("cleared", t, ticket_id, at, reason);
    if (!json)
        return STORE_ERROR;
    state__effects_alert (w->effects, t->unit_id, json);
    free (json);
    t->flags &= (uint8_t) ~(F_WARNED | F_OVERDUE);
    return STORE_OK;
}

/* ---- deadlines ---------------------------------------------------------- */

int
state__deadline_set (state_work_t *w)
{
    store_txn_t *txn = w->txn;
    state_ticket_t *t = w->t;
    const char *ticket_id = w->ticket_id;
    t->flags &= (uint8_t) ~(F_WARNED | F_OVERDUE);
    int rc = s_index_put (txn, t->due_at, KIND_DEADLINE, ticket_id);
    t->warn_at = s_warn_at (w);
    if (rc == STORE_OK && t->warn_at)
        rc = s_index_put (txn, t->warn_at, KIND_WARNING, ticket_id);
    return rc;
}

int
state__leave_open (state_work_t *w, int64_t at, const char *reason)
{
    state_ticket_t *t = w->t;
    /* Its index entries stay, for the sweep to drop (above). */
    int rc = STORE_OK;
    for (int k = 0; k < 2 && rc == STORE_OK; k++) {
        if (t->overdue_period[k] < 0)
            continue;
        proto_period_t p = proto_period_of (at, k);
        if (p.code == t->overdue_period[k]) {
            w->at = at;
            rc = state__count_in (w, p, RULES_OVERDUE_OPEN, -1);
        }
        t->overdue_period[k] = -1;
    }
    if (rc == STORE_OK)
        rc = s_clear (w, at, reason);
    return rc;
}

/* The deadline passed with the ticket open: overdue_open and alerts in
   the period of the deadline, contacted_late if never contacted, and the
   alert. */
static int
s_fire_deadline (state_work_t *w)
{
    state_ticket_t *t = w->t;
    int rc = STORE_OK;
    t->flags |= F_OVERDUE;
    w->at = t->due_at;
    for (int k = 0; k < 2 && rc == STORE_OK; k++) {
        proto_period_t p = proto_period_of (t->due_at, k);
        t->overdue_period[k] = p.code;
        rc = state__count_in (w, p, RULES_OVERDUE_OPEN, 1);
        if (rc == STORE_OK)
            rc = state__count_in (w, p, RULES_ALERTS, 1);
    }
    if (rc == STORE_OK)
        rc = state__contact_missed (w, t->due_at, STATE_WHY_CONTACT_NONE_DUE);
    if (rc == STORE_OK)
        rc = s_raise (w, "overdue", t->due_at);
    return rc;
}

int64_t
state_clock_now (store_txn_t *txn)
{
    uint64_t now = 0;
    store_meta_get (txn, "clock", &now);
    return (int64_t)now;
}

int
state_advance_clock (store_txn_t *txn, int64_t now, state_effects_t *effects)
{
    size_t fired;
    /* A tick of the wall clock: what it counts goes with the next event
       the log will hold. */
    uint64_t seq;
    int rc = store_log_next (txn, &seq);
    return rc == STORE_OK
               ? state__advance_clock (txn, now, seq, effects, &fired)
               : rc;
}

int
state__advance_clock (store_txn_t *txn, int64_t now, uint64_t seq,
                      state_effects_t *effects, size_t *fired)
{
    *fired = 0;
    if (now <= state_clock_now (txn))
        return STORE_OK;
    int rc = store_meta_put (txn, "clock", (uint64_t)now);
    return rc == STORE_OK ? state__sweep (txn, now, seq, effects, fired) : rc;
}

int
state__sweep (store_txn_t *txn, int64_t now, uint64_t seq,
              state_effects_t *effects, size_t *fired)
{
    *fired = 0;
    /* Most moves of the clock pass no entry: the earliest, which the
       transaction remembers, says so without a cursor. */
    uint8_t first[9 + PROTO_ID_MAX];
    size_t first_size = sizeof (first);
    int rc = store_first (txn, STORE_DUE, first, &first_size);
    if (rc == STORE_NOTFOUND)
        return STORE_OK;
    if (rc == STORE_OK && first_size > 9) {
        int64_t at = (int64_t)store_get_be64 (first);
        if (at > now || (at == now && first[8] == KIND_DEADLINE))
            return STORE_OK;
    }
    store_cursor_t *cursor = store_cursor_new (txn, STORE_DUE, NULL, 0);
    if (!cursor)
        return STORE_ERROR;
    const void *key;
    size_t size;
    while ((rc = store_cursor_next (cursor, &key, &size, NULL, NULL)) ==
           STORE_OK) {
        if (size <= 9 || size > 9 + PROTO_ID_MAX)
            break; /* not ours: leave it for a repair tool */
        const uint8_t *bytes = key;
        int64_t at = (int64_t)store_get_be64 (bytes);
        int kind = bytes[8];
        /* Warnings are due at their instant, deadlines only once past. */
        if (at > now || (at == now && kind == KIND_DEADLINE))
            break;
        char ticket_id[PROTO_ID_MAX + 1];
        memcpy (ticket_id, bytes + 9, size - 9);
        ticket_id[size - 9] = 0;
        if ((rc = store_cursor_del (cursor)) != STORE_OK)
            break;
        (*fired)++;
        state_ticket_t t;
        rc = state__ticket_get (txn, ticket_id, &t);
        if (rc == STORE_NOTFOUND) {
            rc = STORE_OK;
            continue;
        }
        if (rc != STORE_OK)
            break;
        /* An entry that no longer matches the ticket is stale: skip it. */
        if (t.state != T_OPEN)
            continue;
        int before = state__due_weight (&t);
        /* The clock's counts for this ticket go to its trail under the
           number of the event being applied (or, for a wall-clock tick,
           the next the log will give). */
        state_work_t w = {.txn = txn,
                          .effects = effects,
                          .ticket_id = ticket_id,
                          .t = &t,
                          .seq = seq,
                          .clock = true};
        if (kind == KIND_DEADLINE) {
            if (t.due_at != at || (t.flags & F_OVERDUE))
                continue;
            rc = s_fire_deadline (&w);
            if (rc == STORE_OK)
                rc = state__trail_flush (&w);
        } else {
            if (t.warn_at != at || (t.flags & (F_WARNED | F_OVERDUE)))
                continue;
            t.flags |= F_WARNED;
            rc = s_raise (&w, "warning", at);
        }
        if (rc == STORE_OK)
            rc = state__ticket_put (txn, ticket_id, &t);
        if (rc == STORE_OK)
            rc = state__due_count (txn, before, &t);
        if (rc != STORE_OK)
            break;
    }
    store_cursor_destroy (&cursor);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}
