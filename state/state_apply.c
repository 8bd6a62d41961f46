/*  state_apply: the ticket state machine and counter maintenance of
    docs/scoring.md, applied inside the caller's write transaction.

    Invariants:
    - An event is checked against the store before anything is written, so
      a rejection leaves no trace; once writing starts, any store failure
      makes the caller abort the whole transaction (nothing half-applied).
    - The deadline index (STORE_DUE, scorer_deadline.c) holds one
      deadline entry per open ticket, keyed by its deadline in force, and
      its warning time; closing, returning and extending remove or move
      them in the same transaction.
    - overdue_open is counted in the period of the deadline when the clock
      passes it with the ticket open, and taken back if the ticket leaves
      the open state (closed, returned, extended) in that same period: at
      the end of the period it was then no longer open.
*/
#include "state_internal.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- counters ---------------------------------------------------------- */

/* Adds delta to a counter in the month and the quarter containing `at`. */
static int
s_count (state_work_t *w, int64_t at, int counter, int32_t delta)
{
    w->at = at;
    for (int k = 0; k < 2; k++) {
        int rc = state__count_in (w, proto_period_of (at, k), counter, delta);
        if (rc != STORE_OK)
            return rc;
    }
    return STORE_OK;
}

/* ---- tickets and the deadline index ----------------------------------- */

/* Counts contacted_late once for a ticket never contacted in time. */
int
state__contact_missed (state_work_t *w, int64_t at, state_why_t why)
{
    state_ticket_t *t = w->t;
    if (t->flags & (F_CONTACTED | F_CONTACT_COUNTED))
        return STORE_OK;
    t->flags |= F_CONTACT_COUNTED;
    w->why = why;
    int rc = s_count (w, at, RULES_CONTACTED_LATE, 1);
    w->why = STATE_WHY_DEFAULT;
    return rc;
}

/* Rework undoes a first-time closure counted in the same period. */
static int
s_rework (state_work_t *w, int64_t at, state_why_t why)
{
    state_ticket_t *t = w->t;
    t->flags |= F_HAD_REWORK;
    w->why = why;
    int rc = s_count (w, at, RULES_REWORK, 1);
    w->why = STATE_WHY_DEFAULT;
    for (int k = 0; k < 2 && rc == STORE_OK; k++) {
        proto_period_t p = proto_period_of (at, k);
        if (t->first_time[k] && t->closed_period[k] == p.code) {
            rc = state__count_in (w, p, RULES_FIRST_TIME_CLOSED, -1);
            t->first_time[k] = 0;
        }
    }
    return rc;
}

/* ---- checks before writing -------------------------------------------- */

static bool
s_needs_ticket (proto_type_t type)
{
    return type != PROTO_ADJUSTED && type != PROTO_TICK;
}

/* The office's decisions and the units' appeals (state_appeals.c). */
static bool
s_is_appeal (proto_type_t type)
{
    return type == PROTO_APPEALED || type == PROTO_EXEMPTED ||
           type == PROTO_APPEAL_REJECTED || type == PROTO_UNEXEMPTED;
}

/* Events further ahead of the wall clock than this are refused: one
   would move the event clock past every deadline at once. */
#define FUTURE_LIMIT_MS PROTO_DAY_MS

/* On the event clock, events may lie at most this many months past the
   month of the clock, to its end: sparse streams skip weeks (the
   schemes' hand-built quarters skip seven), a jump of months is not a
   replay but a mistake or an attack. */
#define FUTURE_MONTHS 2

const char *
state_reject_name (state_reject_t kind)
{
    static const char *names[STATE_REJECT_KINDS] = {
        "none",       "invalid",     "unknown_unit", "unknown_ticket",
        "wrong_unit", "wrong_state", "out_of_order", "future",
        "calendar",   "conflict"};
    return kind >= 0 && kind < STATE_REJECT_KINDS ? names[kind] : "?";
}

void
state__digest (const void *bytes, size_t size, uint8_t *digest)
{
    /* Idempotent and thread-safe; picks the fastest implementation. */
    if (sodium_init () < 0)
        memset (digest, 0, STATE_DIGEST_SIZE);
    crypto_generichash (digest, STATE_DIGEST_SIZE, bytes, size, NULL, 0);
}

/* True (with the reason) when the event lies in the daemon's future: more
   than a day ahead of the wall clock, or, on the event clock, past the
   end of the month after next of the store's clock. Events from the log
   were accepted once and are never refused here. */
static bool
s_future (store_txn_t *txn, const proto_event_t *ev, const state_ctx_t *ctx,
          char *reason)
{
    if (!ctx || ctx->trusted)
        return false;
    char when[32], clock[32];
    if (ev->occurred_at > ctx->wall_now + FUTURE_LIMIT_MS) {
        snprintf (reason, PROTO_ERROR_MAX,
                  "occurred_at %s is more than a day ahead of the wall "
                  "clock (%s)",
                  proto_time_format (ev->occurred_at, when),
                  proto_time_format (ctx->wall_now, clock));
        return true;
    }
    int64_t now = ctx->clock == STATE_CLOCK_EVENT ? state_clock_now (txn) : 0;
    if (!now)
        return false; /* the wall clock, or an empty store */
    proto_period_t month = proto_period_of (now, PROTO_MONTH);
    month.code += FUTURE_MONTHS + 1;
    if (ev->occurred_at <= proto_period_start (month))
        return false;
    snprintf (reason, PROTO_ERROR_MAX,
              "occurred_at %s is past the end of the month after next of the "
              "event clock (%s): move it in steps with ticks",
              proto_time_format (ev->occurred_at, when),
              proto_time_format (now, clock));
    return true;
}

/* Returns true when the event can be applied; else writes why and its
   class. Outcomes of odd input (README, "Bad input"):
   - an event for a ticket never received (a close before its receipt, a
     revisit of an unknown ticket): refused, unknown_ticket;
   - an event naming another unit than the ticket's: wrong_unit;
   - an event the ticket's state does not allow: wrong_state;
   - an event earlier than the ticket's receipt, or a receipt earlier
     than the ticket's last event: out_of_order; other late events are
     applied by their own time (counted in their own period);
   - ahead of the daemon's clock (s_future): future. */
static bool
s_check (store_txn_t *txn, const proto_event_t *ev, const state_ticket_t *t,
         bool have, const state_ctx_t *ctx, char *reason, int *store_rc,
         state_reject_t *kind)
{
    *kind = STATE_REJECT_NONE;
    if (s_future (txn, ev, ctx, reason)) {
        *kind = STATE_REJECT_FUTURE;
        return false;
    }
    if (ev->type != PROTO_TICK) {
        int rc =
            store_exists (txn, STORE_UNITS, ev->unit_id, strlen (ev->unit_id));
        if (rc == STORE_NOTFOUND) {
            snprintf (reason, PROTO_ERROR_MAX, "unknown unit %s", ev->unit_id);
            *kind = STATE_REJECT_UNKNOWN_UNIT;
            return false;
        }
        if (rc != STORE_OK) {
            *store_rc = rc;
            return false;
        }
    }
    if (!s_needs_ticket (ev->type))
        return true;
    if (s_is_appeal (ev->type))
        return state__appeal_check (txn, ev, t, have, reason, store_rc, kind);
    if (ev->type == PROTO_RECEIVED) {
        if (have && t->state == T_OPEN) {
            snprintf (reason, PROTO_ERROR_MAX,
                      "ticket %s is already open with unit %s", ev->ticket_id,
                      t->unit_id);
            *kind = STATE_REJECT_WRONG_STATE;
            return false;
        }
        if (have && ev->occurred_at < t->last_at) {
            snprintf (reason, PROTO_ERROR_MAX,
                      "received: ticket %s has a later event already",
                      ev->ticket_id);
            *kind = STATE_REJECT_OUT_OF_ORDER;
            return false;
        }
        return true;
    }
    if (!have) {
        snprintf (reason, PROTO_ERROR_MAX, "unknown ticket %s", ev->ticket_id);
        *kind = STATE_REJECT_UNKNOWN_TICKET;
        return false;
    }
    if (strcmp (t->unit_id, ev->unit_id) != 0) {
        snprintf (reason, PROTO_ERROR_MAX, "ticket %s is with unit %s, not %s",
                  ev->ticket_id, t->unit_id, ev->unit_id);
        *kind = STATE_REJECT_WRONG_UNIT;
        return false;
    }
    if (ev->occurred_at < t->received_at) {
        snprintf (reason, PROTO_ERROR_MAX,
                  "%s: ticket %s occurred before it was received",
                  proto_type_name (ev->type), ev->ticket_id);
        *kind = STATE_REJECT_OUT_OF_ORDER;
        return false;
    }
    bool want_closed =
        ev->type == PROTO_REVISITED || ev->type == PROTO_REOPENED;
    if (want_closed && t->state != T_CLOSED) {
        snprintf (reason, PROTO_ERROR_MAX, "%s: ticket %s is not closed",
                  proto_type_name (ev->type), ev->ticket_id);
        *kind = STATE_REJECT_WRONG_STATE;
        return false;
    }
    if (!want_closed && t->state != T_OPEN) {
        snprintf (reason, PROTO_ERROR_MAX, "%s: ticket %s is not open",
                  proto_type_name (ev->type), ev->ticket_id);
        *kind = STATE_REJECT_WRONG_STATE;
        return false;
    }
    return true;
}

/* What an event comes to under the working time in force, worked out
   before anything is written: a year the calendar lacks refuses the
   event whole. */
typedef struct {
    int64_t due_at; /* received, extended, reopened: the deadline */
    bool wall;      /* it comes from a limit in wall hours */
    bool late;      /* received: signed late; contacted: contacted late
                       (if not counted already); returned: returned late */
} s_plan_t;

static bool
s_plan (const state_calendar_t *cal, const proto_event_t *ev,
        const state_ticket_t *t, s_plan_t *plan, char *reason)
{
    memset (plan, 0, sizeof (*plan));
    plan->due_at = ev->due_at;
    proto_limit_t limit;
    plan->wall = ev->time_limit[0] &&
                 proto_limit_parse (ev->time_limit, &limit) == 0 &&
                 limit.unit == PROTO_LIMIT_HOURS;
    /* Where each type's time limit starts: dispatch; for an extension
       the start of the limit in force (dispatch, or the reopening); for
       a reopening the reopening itself. */
    int64_t from = ev->type == PROTO_RECEIVED   ? ev->dispatched_at
                   : ev->type == PROTO_EXTENDED ? t->limit_from
                                                : ev->occurred_at;
    int late = 0;
    switch (ev->type) {
    case PROTO_RECEIVED:
        late = state__window_late (cal, STATE_WINDOW_SIGN, ev->dispatched_at,
                                   ev->occurred_at, reason);
        /* fall through */
    case PROTO_EXTENDED:
    case PROTO_REOPENED:
        /* An event with both keeps due_at; the limit is for display. */
        if (late >= 0 && !ev->due_at &&
            state__limit_due (cal, ev->time_limit, from, &plan->due_at,
                              &plan->wall, reason) != 0)
            return false;
        break;
    case PROTO_CONTACTED:
        if (!(t->flags & (F_CONTACTED | F_CONTACT_COUNTED)))
            late = state__window_late (cal, STATE_WINDOW_CONTACT,
                                       t->received_at, ev->occurred_at, reason);
        break;
    case PROTO_RETURNED:
        late = state__window_late (cal, STATE_WINDOW_RETURN, t->dispatched_at,
                                   ev->occurred_at, reason);
        break;
    default:
        break;
    }
    plan->late = late > 0;
    return late >= 0;
}

/* ---- applying ----------------------------------------------------------- */

/* Copies a validated (NUL-terminated) field into a record's field of
   `size` bytes, cut to fit: snprintf's job without its parsing. */
static void
s_copy (char *to, size_t size, const char *from)
{
    size_t n = strnlen (from, size - 1);
    memcpy (to, from, n);
    to[n] = 0;
}

static int
s_apply_received (state_work_t *w, const proto_event_t *ev,
                  const s_plan_t *plan)
{
    state_ticket_t *t = w->t;
    /* A new episode of the ticket (a new one, or a re-dispatch): its
       trail goes on. */
    uint64_t trail_seq = t->trail_seq;
    uint32_t trail_number = t->trail_number;
    memset (t, 0, sizeof (*t));
    t->trail_seq = trail_seq;
    t->trail_number = trail_number;
    t->version = TICKET_VERSION;
    t->state = T_OPEN;
    t->flags = (ev->key_supervision ? F_KEY : 0) |
               (ev->repeat_dispatch ? F_REPEAT : 0);
    s_copy (t->unit_id, sizeof (t->unit_id), ev->unit_id);
    s_copy (t->channel, sizeof (t->channel), ev->channel);
    s_copy (t->category, sizeof (t->category), ev->category);
    t->dispatched_at = ev->dispatched_at;
    t->received_at = ev->occurred_at;
    t->due_at = plan->due_at;
    t->limit_from = ev->dispatched_at;
    for (int k = 0; k < 2; k++)
        t->closed_period[k] = t->overdue_period[k] = -1;
    /* A ticket sent back to a unit that had it exempted stays so. */
    t->exempt = state__exempt_of (w->txn, ev->ticket_id, ev->unit_id);
    int rc = s_count (w, ev->occurred_at, RULES_RECEIVED, 1);
    if (rc == STORE_OK && plan->late)
        rc = s_count (w, ev->occurred_at, RULES_SIGNED_LATE, 1);
    if (rc == STORE_OK)
        rc = state__deadline_set (w);
    return rc;
}

static int
s_apply_closed (state_work_t *w, const proto_event_t *ev)
{
    state_ticket_t *t = w->t;
    int64_t at = ev->occurred_at;
    bool on_time = at <= t->due_at;
    int rc = state__leave_open (w, at, "closed");
    if (rc == STORE_OK)
        rc = state__contact_missed (w, at, STATE_WHY_CONTACT_NONE_CLOSE);
    w->at = at;
    for (int k = 0; k < 2 && rc == STORE_OK; k++) {
        proto_period_t p = proto_period_of (at, k);
        /* A ticket counts once per period even when closed again after
           rework; its latest closure in the period decides on-time. */
        int32_t on = on_time ? 1 : 0, d_on, d_late;
        if (t->closed_period[k] != p.code) {
            rc = state__count_in (w, p, RULES_CLOSED, 1);
            bool first = !(t->flags & F_HAD_REWORK);
            if (rc == STORE_OK && first)
                rc = state__count_in (w, p, RULES_FIRST_TIME_CLOSED, 1);
            t->closed_period[k] = p.code;
            t->first_time[k] = first;
            d_on = on;
            d_late = 1 - on;
        } else {
            /* Closed again in the same period: only the change of the
               on-time verdict counts. */
            d_on = on - t->closed_on_time[k];
            d_late = -d_on;
        }
        if (rc == STORE_OK && d_on)
            rc = state__count_in (w, p, RULES_CLOSED_ON_TIME, d_on);
        /* closed_late is derived (closed - closed_on_time); its tickets
           are kept for explain all the same. */
        if (rc == STORE_OK && d_late)
            rc = state__count_derived (w, p, RULES_CLOSED_LATE, d_late);
        if (rc == STORE_OK && d_late && (t->flags & F_KEY))
            rc = state__count_in (w, p, RULES_KEY_CLOSED_LATE, d_late);
        if (rc == STORE_OK && d_late && (t->flags & F_REPEAT))
            rc = state__count_in (w, p, RULES_REPEAT_CLOSED_LATE, d_late);
        t->closed_on_time[k] = on_time;
    }
    if (rc == STORE_OK && !on_time) {
        int32_t days =
            (int32_t)((at - t->due_at + PROTO_DAY_MS - 1) / PROTO_DAY_MS);
        rc = s_count (w, at, RULES_DAYS_LATE, days);
    }
    t->state = T_CLOSED;
    return rc;
}

static int
s_apply (state_work_t *w, const proto_event_t *ev, const s_plan_t *plan)
{
    state_ticket_t *t = w->t;
    int64_t at = ev->occurred_at;
    int rc = STORE_OK;
    w->wall_limit = plan->wall;
    switch (ev->type) {
    case PROTO_RECEIVED:
        return s_apply_received (w, ev, plan);
    case PROTO_CONTACTED:
        /* The flags are read again here: the clock may have counted the
           missed contact at the deadline since the plan was made. */
        if (!(t->flags & (F_CONTACTED | F_CONTACT_COUNTED)) && plan->late) {
            w->why = STATE_WHY_CONTACT_LATE;
            rc = s_count (w, at, RULES_CONTACTED_LATE, 1);
            w->why = STATE_WHY_DEFAULT;
            t->flags |= F_CONTACT_COUNTED;
        }
        t->flags |= F_CONTACTED;
        return rc;
    case PROTO_RETURNED:
        rc = state__leave_open (w, at, "returned");
        if (rc == STORE_OK)
            rc = s_count (w, at, RULES_RETURNED, 1);
        if (rc == STORE_OK && plan->late)
            rc = s_count (w, at, RULES_RETURNED_LATE, 1);
        t->state = T_RETURNED;
        return rc;
    case PROTO_EXTENDED:
        /* The time limit still runs from dispatch, to the new deadline. */
        rc = state__leave_open (w, at, "extended");
        if (rc == STORE_OK)
            rc = s_count (w, at, RULES_EXTENDED, 1);
        t->due_at = plan->due_at;
        if (rc == STORE_OK)
            rc = state__deadline_set (w);
        return rc;
    case PROTO_CLOSED:
        return s_apply_closed (w, ev);
    case PROTO_APPEALED:
    case PROTO_EXEMPTED:
    case PROTO_APPEAL_REJECTED:
    case PROTO_UNEXEMPTED:
        return state__appeal_apply (w, ev);
    case PROTO_REVISITED:
        rc = s_count (w, at, RULES_REVISITED, 1);
        if (rc == STORE_OK && ev->satisfaction == PROTO_SAT_UNSATISFIED)
            rc = s_count (w, at, RULES_UNSATISFIED, 1);
        if (rc == STORE_OK && ev->resolved == PROTO_RES_NO)
            rc = s_count (w, at, RULES_UNRESOLVED, 1);
        if (rc == STORE_OK && ev->rework) {
            rc = s_rework (w, at, STATE_WHY_REWORK_REVISIT);
            t->flags |= F_REWORK_PENDING;
        }
        return rc;
    case PROTO_REOPENED:
        /* A reopen that follows a rework revisit is that rework; one
           without it is a rework of its own. */
        if (!(t->flags & F_REWORK_PENDING))
            rc = s_rework (w, at, STATE_WHY_REWORK_REOPEN);
        t->flags &= (uint8_t)~F_REWORK_PENDING;
        /* Rework gets a time limit of its own, from the reopening. */
        t->state = T_OPEN;
        t->due_at = plan->due_at;
        t->limit_from = at;
        if (rc == STORE_OK)
            rc = state__deadline_set (w);
        return rc;
    default:
        return STORE_OK;
    }
}

static int
s_apply_adjusted (store_txn_t *txn, const proto_event_t *ev,
                  state_effects_t *effects)
{
    int rc = state__manual_put (txn, ev->period, ev->unit_id, ev->item,
                                ev->value, ev->occurred_at);
    proto_period_t period;
    if (rc == STORE_OK && proto_period_parse (ev->period, &period) == 0)
        state__effects_touch (effects, period, ev->unit_id);
    return rc;
}

/* The de-duplication entry's value: the log seq, then the digest. */
#define DEDUP_SIZE (8 + STATE_DIGEST_SIZE)

/* Whether the event's id was stored before: STATE_STORED when not (go
   on), STATE_DUPLICATE for the same event again, STATE_REJECTED (class
   conflict) for another event under that id, STATE_FAILED on a store
   error. `bytes` is the event's encoding and `digest` its digest. */
static state_outcome_t
s_seen (store_txn_t *txn, const proto_event_t *ev, const uint8_t *bytes,
        size_t size, const uint8_t *digest, char *reason, int *store_rc,
        state_reject_t *kind)
{
    uint8_t entry[DEDUP_SIZE];
    size_t entry_size = sizeof (entry);
    int rc = store_get (txn, STORE_DEDUP, ev->event_id, strlen (ev->event_id),
                        entry, &entry_size);
    if (rc == STORE_NOTFOUND)
        return STATE_STORED;
    if (rc == STORE_OK && entry_size != 8 && entry_size != DEDUP_SIZE)
        rc = STORE_ERROR;
    if (rc != STORE_OK) {
        *store_rc = rc;
        return STATE_FAILED;
    }
    uint64_t seq = store_get_be64 (entry);
    bool same;
    if (entry_size == DEDUP_SIZE)
        same = memcmp (entry + 8, digest, STATE_DIGEST_SIZE) == 0;
    else {
        /* A store from before digests were kept: compare with the event
           as logged, re-encoded the way this one was. */
        uint8_t key[8];
        store_put_be64 (key, seq);
        uint8_t logged[4096];
        size_t logged_size = sizeof (logged);
        proto_event_t old;
        char why[PROTO_ERROR_MAX + 1];
        rc = store_get (txn, STORE_LOG, key, 8, logged, &logged_size);
        if (rc == STORE_NOTFOUND)
            return STATE_DUPLICATE; /* nothing to compare with: a resend */
        if (rc != STORE_OK) {
            *store_rc = rc;
            return STATE_FAILED;
        }
        size_t again_size = 0;
        uint8_t *again =
            proto_event_decode (logged, logged_size, &old, why) == 0
                ? proto_event_encode (&old, &again_size)
                : NULL;
        same = again && again_size == size && memcmp (again, bytes, size) == 0;
        free (again);
    }
    if (same)
        return STATE_DUPLICATE;
    snprintf (reason, PROTO_ERROR_MAX,
              "conflict: event_id %s was stored before with other content "
              "(log event %llu): give this event its own id",
              ev->event_id, (unsigned long long)seq);
    *kind = STATE_REJECT_CONFLICT;
    return STATE_REJECTED;
}

/* s_apply_event once the id is known to be new: checks, applies, and
   (`bytes` not NULL) logs the event and records its id with `entry`'s
   digest. */
static state_outcome_t
s_apply_checked (store_txn_t *txn, const proto_event_t *ev,
                 const state_ctx_t *ctx, char *reason, int *store_rc,
                 state_reject_t *kind, const uint8_t *bytes, size_t size,
                 uint8_t *entry)
{
    bool logged = bytes == NULL;
    state_effects_t *effects = ctx->effects;
    int rc;
    state_ticket_t t = {0}; /* a new ticket: no trail yet */
    bool have = false;
    if (s_needs_ticket (ev->type)) {
        rc = state__ticket_get (txn, ev->ticket_id, &t);
        if (rc != STORE_OK && rc != STORE_NOTFOUND) {
            *store_rc = rc;
            return STATE_FAILED;
        }
        have = rc == STORE_OK;
    }
    /* Logged events were accepted once: a rebuild applies them whatever
       the wall clock says now. */
    if (!s_check (txn, ev, &t, have, logged ? NULL : ctx, reason, store_rc,
                  kind))
        return *store_rc == STORE_OK ? STATE_REJECTED : STATE_FAILED;
    s_plan_t plan;
    if (s_needs_ticket (ev->type) &&
        !s_plan (ctx->calendar, ev, &t, &plan, reason)) {
        *kind = STATE_REJECT_CALENDAR;
        return STATE_REJECTED;
    }

    /* From here on every failure aborts the caller's transaction. With
       the wall clock the actor advances time before each batch. The
       event's number in the log names its trail entry: the number a
       rebuild reads it under, or the one the log will give it. */
    uint64_t seq = ctx->log_seq;
    rc = logged ? STORE_OK : store_log_next (txn, &seq);
    if (rc != STORE_OK) {
        *store_rc = rc;
        return STATE_FAILED;
    }
    size_t fired = 0;
    rc = ctx->clock == STATE_CLOCK_EVENT
             ? state__advance_clock (txn, ev->occurred_at, seq, effects, &fired)
             : STORE_OK;
    /* The clock may have raised overdue on this very ticket: reload. */
    if (rc == STORE_OK && have && fired)
        rc = state__ticket_get (txn, ev->ticket_id, &t);
    if (rc == STORE_OK && ev->type == PROTO_ADJUSTED)
        rc = s_apply_adjusted (txn, ev, effects);
    else if (rc == STORE_OK && s_needs_ticket (ev->type)) {
        int before = state__due_weight (&t); /* 0 for a new ticket */
        state_work_t w = {.txn = txn,
                          .effects = effects,
                          .ticket_id = ev->ticket_id,
                          .t = &t,
                          .seq = seq,
                          .cal = ctx->calendar};
        rc = s_apply (&w, ev, &plan);
        /* A decision is not the ticket's own event: it does not order
           the ticket's later receipt. */
        if (ev->occurred_at > t.last_at && !s_is_appeal (ev->type))
            t.last_at = ev->occurred_at;
        /* The event's own trail entry, even with nothing counted: it
           lists the event among the ticket's (hotline ticket). The record
           keeps the key of its latest: written after it. */
        if (rc == STORE_OK)
            rc = state__trail_flush (&w);
        if (rc == STORE_OK)
            rc = state__ticket_put (txn, ev->ticket_id, &t);
        if (rc == STORE_OK)
            rc = state__due_count (txn, before, &t);
        /* A deadline (or warning) the clock has already passed fires
           now, not at the clock's next move. */
        int64_t now = state_clock_now (txn);
        if (rc == STORE_OK && t.state == T_OPEN &&
            (t.due_at < now || (t.warn_at && t.warn_at <= now)))
            rc = state__sweep (txn, now, seq, effects, &fired);
    }
    if (rc == STORE_OK && logged) {
        *store_rc = rc;
        return STATE_STORED;
    }
    if (rc == STORE_OK)
        rc = store_log_append (txn, bytes, size, &seq);
    if (rc == STORE_OK) {
        store_put_be64 (entry, seq);
        rc = store_put (txn, STORE_DEDUP, ev->event_id, strlen (ev->event_id),
                        entry, DEDUP_SIZE);
    }
    if (rc != STORE_OK) {
        *store_rc = rc;
        return STATE_FAILED;
    }
    return STATE_STORED;
}

/* Applies one event; `logged` events come from the log (a rebuild) and
   skip de-duplication and logging. */
static state_outcome_t
s_apply_event (store_txn_t *txn, const proto_event_t *ev,
               const state_ctx_t *ctx, char *reason, int *store_rc,
               state_reject_t *kind, bool logged)
{
    *store_rc = STORE_OK;
    *kind = STATE_REJECT_NONE;
    reason[0] = 0;
    uint8_t packed[PROTO_EVENT_WIRE_MAX];
    size_t size = logged ? 0 : proto_event_pack (ev, packed);
    const uint8_t *bytes = logged ? NULL : packed;
    uint8_t entry[DEDUP_SIZE];
    state_outcome_t outcome = STATE_STORED;
    if (!logged) {
        state__digest (bytes, size, entry + 8);
        outcome =
            s_seen (txn, ev, bytes, size, entry + 8, reason, store_rc, kind);
    }
    if (outcome == STATE_STORED)
        outcome = s_apply_checked (txn, ev, ctx, reason, store_rc, kind, bytes,
                                   size, entry);
    return outcome;
}

/* Applies with the caller's working time, or with the store's loaded
   for this one call. */
static state_outcome_t
s_apply_with_calendar (store_txn_t *txn, const proto_event_t *ev,
                       const state_ctx_t *ctx, char *reason, int *store_rc,
                       state_reject_t *kind, bool logged)
{
    state_reject_t ignored;
    if (ctx->calendar)
        return s_apply_event (txn, ev, ctx, reason, store_rc,
                              kind ? kind : &ignored, logged);
    char err[256];
    state_ctx_t own = *ctx;
    state_calendar_t *calendar = state_calendar_load (txn, err);
    if (!calendar) {
        /* The stored calendar is unreadable: a fault of the store. */
        snprintf (reason, PROTO_ERROR_MAX, "%s", err);
        *store_rc = STORE_ERROR;
        return STATE_FAILED;
    }
    own.calendar = calendar;
    state_outcome_t outcome = s_apply_event (txn, ev, &own, reason, store_rc,
                                             kind ? kind : &ignored, logged);
    state_calendar_destroy (&calendar);
    return outcome;
}

state_outcome_t
state_apply (store_txn_t *txn, const proto_event_t *ev, const state_ctx_t *ctx,
             char *reason, int *store_rc, state_reject_t *kind)
{
    return s_apply_with_calendar (txn, ev, ctx, reason, store_rc, kind, false);
}

state_outcome_t
state_reapply (store_txn_t *txn, const proto_event_t *ev,
               const state_ctx_t *ctx, char *reason, int *store_rc,
               state_reject_t *kind)
{
    return s_apply_with_calendar (txn, ev, ctx, reason, store_rc, kind, true);
}
