/*  scorer_actor: the single writer (scorer.h). */
#include "scorer.h"

/* stats_t keeps one counter per rejection class. */
_Static_assert(STATE_REJECT_KINDS <=
                   sizeof (((stats_t *)0)->rejected_by) / sizeof (uint64_t),
               "stats_t.rejected_by is too small");

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    scorer_args_t *args;        /* configuration (borrowed) */
    zsock_t *pipe;              /* to the owner: $TERM */
    zsock_t *batches;           /* PAIR from ingest: BATCH -> DONE */
    zsock_t *notify;            /* PUSH to the publisher */
    state_effects_t *effects;   /* what the open transaction changed */
    state_effects_t *pending;   /* committed, not yet taken by the publisher */
    stats_t *stats;             /* shared counters, or NULL */
    state_calendar_t *calendar; /* the working time in force, kept current
                                   with the store's (imports) */
} s_scorer_t;

/* Sends what was collected as one message on `sock` unless empty, then
   resets. Returns 0, or 1 when the socket would block (nothing was sent
   and the effects are kept, to go out merged with later ones), or -1. */
static int
s_effects_send (state_effects_t *effects, zsock_t *sock)
{
    if (state_effects_empty (effects))
        return 0;
    zmsg_t *msg = zmsg_new ();
    for (size_t i = 0; i < state_effects_touched_count (effects); i++) {
        zmsg_addstr (msg, "T");
        zmsg_addstr (msg, state_effects_touched_at (effects, i));
    }
    for (size_t i = 0; i < state_effects_alert_count (effects); i++) {
        const char *unit, *json;
        state_effects_alert_at (effects, i, &unit, &json);
        zmsg_addstr (msg, "A");
        zmsg_addstr (msg, unit);
        zmsg_addstr (msg, json);
    }
    /* The socket does not wait (SNDTIMEO 0): when the publisher is behind,
       the effects stay here, merged with the next batch's, and go out
       with it; the scorer never waits for the publisher. */
    if (zmsg_send (&msg, sock) != 0) {
        zmsg_destroy (&msg);
        return zmq_errno () == EAGAIN ? 1 : -1;
    }
    state_effects_reset (effects);
    return 0;
}

static void
s_count_stat (s_scorer_t *self, _Atomic uint64_t *counter, uint64_t n)
{
    if (self->stats)
        atomic_fetch_add (counter, n);
}

/* Hands what a commit changed to the publisher, with whatever earlier
   commits left pending when the publisher was behind. Never waits. */
static void
s_notify (s_scorer_t *self)
{
    state_effects_merge (self->pending, self->effects);
    if (s_effects_send (self->pending, self->notify) < 0)
        zsys_warning ("scorer: cannot notify the publisher: %s",
                      zmq_strerror (zmq_errno ()));
}

/* Rejections logged one by one per batch; the rest are summed up, so a
   flood of refusals cannot flood the log. */
#define LOG_REJECTIONS 10

/* How long the map's growth may wait for readers to finish. */
#define GROW_WAIT_MS 2000

/* What one attempt at a batch counted. */
typedef struct {
    size_t stored, duplicates, rejected; /* outcomes */
    size_t by_kind[STATE_REJECT_KINDS];  /* rejections per class */
} s_counts_t;

/* The dead letters' bounds: the configured count, and a sixteenth of
   the map's ceiling, so refusals never take the room events need. */
static state_dead_limits_t
s_dead_limits (s_scorer_t *self)
{
    uint64_t used = 0, map = 0;
    store_info (self->args->store, &used, &map);
    uint64_t ceiling = store_map_max (self->args->store);
    state_dead_limits_t limits = {self->args->dead_letters,
                                  (ceiling > map ? ceiling : map) / 16};
    return limits;
}

/* One attempt: the batch in one write transaction, committed. Returns
   the store's code (STORE_OK: committed). */
static int
s_try_batch (s_scorer_t *self, scorer_batch_t *batch, s_counts_t *counts,
             bool settle)
{
    memset (counts, 0, sizeof (*counts));
    int64_t started = zclock_usecs ();
    store_txn_t *txn = store_begin (self->args->store, true);
    if (!txn)
        return STORE_ERROR;
    int rc = STORE_OK;
    /* One meta read, and a load only after an import: the state machine
       measures with what the store holds, as a replay will. */
    char why[256];
    if (state_calendar_sync (txn, &self->calendar, why) != 0) {
        zsys_error ("scorer: %s", why);
        rc = STORE_ERROR;
    }
    if (rc == STORE_OK && self->args->clock == STATE_CLOCK_WALL)
        rc = state_advance_clock (txn, zclock_time (), self->effects);
    int64_t arrived = zclock_time ();
    state_ctx_t ctx = {.clock = self->args->clock,
                       .wall_now = arrived,
                       .effects = self->effects,
                       .calendar = self->calendar};
    state_dead_limits_t limits = s_dead_limits (self);
    for (size_t i = 0; i < batch->count && rc == STORE_OK; i++) {
        batch->reasons[i][0] = 0;
        state_reject_t kind = STATE_REJECT_NONE;
        if (batch->invalid && batch->invalid[i][0]) {
            batch->outcomes[i] = STATE_REJECTED;
            snprintf (batch->reasons[i], sizeof (batch->reasons[i]), "%s",
                      batch->invalid[i]);
            kind = STATE_REJECT_INVALID;
        } else
            batch->outcomes[i] = state_apply (txn, &batch->events[i], &ctx,
                                              batch->reasons[i], &rc, &kind);
        if (batch->outcomes[i] == STATE_STORED)
            counts->stored++;
        else if (batch->outcomes[i] == STATE_DUPLICATE)
            counts->duplicates++;
        else if (batch->outcomes[i] == STATE_REJECTED) {
            counts->by_kind[kind]++;
            if (counts->rejected++ < LOG_REJECTIONS)
                zsys_warning ("scorer: rejected %s (%s): %s",
                              batch->events[i].event_id,
                              state_reject_name (kind), batch->reasons[i]);
            /* Refused, not lost: kept with the batch's commit. */
            rc = state_dead_letter (txn, &batch->events[i], kind,
                                    batch->reasons[i], arrived, &limits);
        }
    }
    if (counts->rejected > LOG_REJECTIONS)
        zsys_warning ("scorer: and %zu more rejected in this batch (hotline "
                      "rejected lists them)",
                      counts->rejected - LOG_REJECTIONS);
    /* Totals since the store was made, committed with the batch, so a
       crash cannot make them disagree with what was stored. */
    uint64_t total;
    if (rc == STORE_OK && counts->duplicates) {
        total = 0;
        store_meta_get (txn, "duplicates_total", &total);
        rc = store_meta_put (txn, "duplicates_total",
                             total + counts->duplicates);
    }
    /* The drill-down index's changes, applied together once enough
       wait (state.h): each of its pages written once for all of them. */
    int64_t settling = zclock_usecs ();
    if (rc == STORE_OK && settle)
        rc = state_counted_settle (txn, STATE_COUNTED_PENDING_MAX);
    if (rc != STORE_OK) {
        store_abort (&txn);
        return rc;
    }
    /* Where an acknowledgement's time goes: applying (the drill-down's
       settle a part of it), then the commit's writes and syncs. */
    int64_t applied = zclock_usecs ();
    rc = store_commit (&txn);
    stats_t *stats = self->args->stats;
    int64_t done = zclock_usecs ();
    int slow_ms = self->args->slow_group_ms;
    if (rc == STORE_OK && slow_ms > 0 && done - started >= slow_ms * 1000LL)
        zsys_warning ("scorer: a group of %zu events took %.1f ms to store: "
                      "applying it %.1f ms (settling explain's drill-down "
                      "%.1f), its commit %.1f ms (slow_group_ms = %d)",
                      batch->count, (double)(done - started) / 1e3,
                      (double)(applied - started) / 1e3,
                      (double)(applied - settling) / 1e3,
                      (double)(done - applied) / 1e3, slow_ms);
    if (stats && rc == STORE_OK) {
        stats_observe (&stats->apply_time, stats_latency_bound,
                       (uint64_t)(applied - started));
        stats_observe (&stats->settle_time, stats_latency_bound,
                       (uint64_t)(applied - settling));
        stats_observe (&stats->commit_time, stats_latency_bound,
                       (uint64_t)(done - applied));
    }
    return rc;
}

/* Lets the map grow while no transaction is open; says so when it did.
   Returns store_make_room's code. */
static int
s_make_room (s_scorer_t *self, bool full)
{
    int rc = store_make_room (self->args->store, full, GROW_WAIT_MS);
    uint64_t used = 0, map = 0;
    if (rc == 1 && store_info (self->args->store, &used, &map) == STORE_OK)
        zsys_info ("scorer: the store's map grew to %llu MiB (%llu MiB used)",
                   (unsigned long long)(map >> 20),
                   (unsigned long long)(used >> 20));
    else if (rc == STORE_ERROR)
        zsys_warning ("scorer: the map could not grow now (readers busy)");
    return rc;
}

static void
s_apply_batch (s_scorer_t *self, scorer_batch_t *batch)
{
    batch->committed = false;
    batch->error[0] = 0;
    s_make_room (self, false);
    s_counts_t counts;
    int rc = s_try_batch (self, batch, &counts, true);
    /* A full map that could still grow: grow it and apply the batch
       again (nothing of the failed attempt was stored). */
    while (rc == STORE_FULL) {
        state_effects_reset (self->effects);
        if (s_make_room (self, true) != 1)
            break;
        rc = s_try_batch (self, batch, &counts, true);
    }
    /* A map or disk with no room for the drill-down's settle may still
       have room for the batch: its pending changes wait longer. */
    if (rc == STORE_FULL || rc == STORE_DISK_FULL) {
        state_effects_reset (self->effects);
        rc = s_try_batch (self, batch, &counts, false);
    }
    if (rc != STORE_OK) {
        snprintf (batch->error, sizeof (batch->error), "batch not stored: %s",
                  store_strerror (rc));
        zsys_error ("scorer: %s", batch->error);
        state_effects_reset (self->effects);
        if (self->stats) {
            s_count_stat (self, &self->stats->batches_failed, 1);
            atomic_store (&self->stats->store_refusing, true);
        }
        return;
    }
    batch->committed = true;
    if (self->stats) {
        atomic_store (&self->stats->store_refusing, false);
        s_count_stat (self, &self->stats->events_stored, counts.stored);
        s_count_stat (self, &self->stats->events_duplicate, counts.duplicates);
        s_count_stat (self, &self->stats->events_rejected, counts.rejected);
        for (int k = 0; k < STATE_REJECT_KINDS; k++)
            if (counts.by_kind[k])
                s_count_stat (self, &self->stats->rejected_by[k],
                              counts.by_kind[k]);
        s_count_stat (self, &self->stats->batches_committed, 1);
    }
    s_notify (self);
}

static void
s_tick (s_scorer_t *self)
{
    s_make_room (self, false);
    store_txn_t *txn = store_begin (self->args->store, true);
    if (!txn)
        return;
    int rc = state_advance_clock (txn, zclock_time (), self->effects);
    /* On the wall clock, overdue counts come from ticks alone. */
    if (rc == STORE_OK)
        rc = state_counted_settle (txn, STATE_COUNTED_PENDING_MAX);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    if (rc == STORE_OK)
        s_notify (self);
    else {
        zsys_error ("scorer: clock tick not stored: %s", store_strerror (rc));
        state_effects_reset (self->effects);
    }
}

/* At a stop: the drill-down's changes being settled are applied, so a
   store reads the same with a build that knew only settled and pending
   changes (state.h). A failure leaves them to the next start. */
static void
s_drain (s_scorer_t *self)
{
    store_txn_t *txn = store_begin (self->args->store, true);
    int rc = txn ? state_counted_drain (txn) : STORE_ERROR;
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    if (rc != STORE_OK)
        zsys_warning ("scorer: the drill-down's settling left for the next "
                      "start: %s",
                      store_strerror (rc));
}

void
scorer_actor (zsock_t *pipe, void *args)
{
    s_scorer_t self = {args, pipe, NULL, NULL, NULL, NULL, NULL, NULL};
    self.stats = self.args->stats;
    self.batches = zsock_new (ZMQ_PAIR);
    if (self.batches && zsock_bind (self.batches, "%s", self.args->endpoint))
        zsock_destroy (&self.batches);
    self.notify = zsock_new_push (self.args->notify);
    if (self.notify)
        zsock_set_sndtimeo (self.notify, 0); /* see scorer_effects_send */
    self.effects = state_effects_new ();
    self.pending = state_effects_new ();
    if (!self.batches || !self.notify || !self.effects || !self.pending) {
        zsys_error ("scorer: cannot start (%s, notify %s)", self.args->endpoint,
                    self.args->notify);
        zsock_destroy (&self.batches);
        zsock_destroy (&self.notify);
        state_effects_destroy (&self.effects);
        state_effects_destroy (&self.pending);
        ((scorer_args_t *)args)->failed = true;
        zsock_signal (pipe, 1);
        return;
    }
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, self.batches, NULL);
    /* A signal does not stop the scorer: main stops it ($TERM) after
       ingest, which may be handing it a batch until then. */
    zpoller_set_nonstop (poller, true);
    int tick = self.args->tick_ms > 0 ? self.args->tick_ms : 1000;
    int64_t next_tick = zclock_mono () + tick;
    while (true) {
        int timeout = -1;
        if (self.args->clock == STATE_CLOCK_WALL) {
            int64_t left = next_tick - zclock_mono ();
            timeout = left > 0 ? (int)left : 0;
        }
        void *which = zpoller_wait (poller, timeout);
        /* czmq (on zmq_poll) calls a poll that a signal interrupted
           "terminated", nonstop or not. Stop signals go to main alone
           (hotlined.c blocks them elsewhere): only its $TERM ends this. */
        if (zpoller_terminated (poller) && errno != EINTR)
            break;
        if (which == pipe)
            break; /* $TERM is the only command on the pipe */
        if (which == self.batches) {
            char *command = NULL;
            void *pointer = NULL;
            if (zsock_recv (self.batches, "sp", &command, &pointer) == 0 &&
                streq (command, "BATCH") && pointer) {
                s_apply_batch (&self, pointer);
                zsock_send (self.batches, "s", "DONE");
            }
            zstr_free (&command);
        }
        if (self.args->clock == STATE_CLOCK_WALL &&
            zclock_mono () >= next_tick) {
            s_tick (&self);
            next_tick = zclock_mono () + tick;
        }
    }
    s_drain (&self);
    zpoller_destroy (&poller);
    zsock_destroy (&self.batches);
    zsock_destroy (&self.notify);
    state_effects_destroy (&self.effects);
    state_effects_destroy (&self.pending);
    state_calendar_destroy (&self.calendar);
}
