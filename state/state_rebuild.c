/*  state_rebuild: the aggregates from the event log (state.h).

    The log holds every stored event in arrival order. Replaying it on the
    event clock into an empty store, keeping only events that occurred up
    to a moment and then advancing the clock to that moment, gives the
    state the counters had at that moment in event time: deadlines before
    it have passed, later events have not happened. */
#include "state_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Events per write transaction while replaying: large enough that commits
   cost little, small enough that a transaction's dirty pages stay small. */
#define REPLAY_BATCH 10000

int
state_replay_seed (store_txn_t *from, store_txn_t *to)
{
    size_t count = 0;
    rules_unit_t *units = state_units_list (from, &count);
    int rc = STORE_OK;
    for (size_t i = 0; i < count && rc == STORE_OK; i++) {
        proto_unit_t unit;
        memset (&unit, 0, sizeof (unit));
        snprintf (unit.unit_id, sizeof (unit.unit_id), "%s", units[i].unit_id);
        snprintf (unit.name, sizeof (unit.name), "%s", units[i].name);
        snprintf (unit.group, sizeof (unit.group), "%s", units[i].group);
        size_t added;
        rc = state_units_import (to, &unit, 1, &added);
    }
    free (units);
    /* The warning share is part of the data: a replay warns as the store
       it replays did. */
    uint64_t permille;
    if (rc == STORE_OK &&
        store_meta_get (from, "warn_permille", &permille) == STORE_OK)
        rc = store_meta_put (to, "warn_permille", permille);
    return rc;
}

int
state_replay_apply (store_txn_t *to, const proto_event_t *event, uint64_t seq,
                    const state_calendar_t *calendar)
{
    char reason[PROTO_ERROR_MAX + 1];
    int store_rc = STORE_OK;
    /* As a rebuild applies the log: under the event's own log seq, not
       logged again, not checked for the future. */
    state_ctx_t ctx = {.clock = STATE_CLOCK_EVENT,
                       .wall_now = INT64_MAX / 2,
                       .effects = NULL,
                       .calendar = calendar,
                       .log_seq = seq,
                       .trusted = true};
    state_outcome_t outcome =
        state_reapply (to, event, &ctx, reason, &store_rc, NULL);
    if (outcome == STATE_FAILED)
        return store_rc;
    /* The one thing the state machine reads back from the log: an
       exemption takes a unit's counts out of the channel and category of
       its receipt (the first entry of the unit in the ticket's trail,
       state_appeals.c), read from the log under the trail's seq. So
       receipts are kept, under their own seq; nothing else is. */
    if (outcome == STATE_STORED && event->type == PROTO_RECEIVED) {
        uint8_t key[8], packed[PROTO_EVENT_WIRE_MAX];
        store_put_be64 (key, seq);
        size_t size = proto_event_pack (event, packed);
        return store_put (to, STORE_LOG, key, 8, packed, size);
    }
    return STORE_OK;
}

int
state_replay_finish (store_txn_t *to, int64_t until, uint64_t next_seq)
{
    size_t fired;
    return state__advance_clock (to, until, next_seq, NULL, &fired);
}

int
state_replay (store_txn_t *from, store_t *to, int64_t until, char *err)
{
    store_txn_t *txn = store_begin (to, true);
    if (!txn) {
        snprintf (err, 256, "replay: cannot write the scratch store");
        return -1;
    }
    int rc = state_replay_seed (from, txn);
    /* And so is the working time: the scratch store measures with the
       calendar and settings of the store it replays. */
    char why[256];
    state_calendar_t *calendar = state_calendar_load (from, why);
    store_cursor_t *cursor = store_cursor_new (from, STORE_LOG, NULL, 0);
    if (!cursor || !calendar)
        rc = STORE_ERROR;
    size_t in_txn = 0;
    const void *key, *value;
    size_t key_size, size;
    while (rc == STORE_OK && store_cursor_next (cursor, &key, &key_size, &value,
                                                &size) == STORE_OK) {
        proto_event_t event;
        char reason[PROTO_ERROR_MAX + 1];
        if (proto_event_decode (value, size, &event, reason) != 0)
            continue; /* cannot happen for what state_apply logged */
        if (event.occurred_at > until)
            continue;
        int store_rc = STORE_OK;
        /* The log's events were accepted once: no future check now. */
        state_ctx_t ctx = {.clock = STATE_CLOCK_EVENT,
                           .wall_now = INT64_MAX / 2,
                           .effects = NULL,
                           .calendar = calendar,
                           .trusted = true};
        if (state_apply (txn, &event, &ctx, reason, &store_rc, NULL) ==
            STATE_FAILED)
            rc = store_rc;
        if (rc == STORE_OK && ++in_txn == REPLAY_BATCH) {
            /* A scratch replay serves reports, never explain. */
            rc = state_counted_forget (txn);
            if (rc == STORE_OK)
                rc = store_commit (&txn);
            in_txn = 0;
            txn = rc == STORE_OK ? store_begin (to, true) : NULL;
            if (!txn && rc == STORE_OK)
                rc = STORE_ERROR;
        }
    }
    store_cursor_destroy (&cursor);
    state_calendar_destroy (&calendar);
    if (rc == STORE_OK)
        rc = state_advance_clock (txn, until, NULL);
    if (rc == STORE_OK)
        rc = state_counted_forget (txn);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    if (rc != STORE_OK) {
        snprintf (err, 256, "replay: %s", store_strerror (rc));
        return -1;
    }
    return 0;
}

/*  ---------------------------------------------------------------------
    state_rebuild: the same walk over the log, in place, for every event
    and for good (the aggregates are a function of the log).

    Two threads, the machine's two cores: a reader decodes the log ahead
    (its own short read transactions, one per chunk, so it never pins an
    old snapshot and the writer can reuse freed pages), and the caller's
    thread re-applies the decoded events in write transactions. The
    reader also keeps decoding while the writer waits for a commit's
    fsync. Memory is bounded by FEED_CHUNKS chunks.

    Events per write transaction. A commit costs an fsync plus writing
    every page the transaction dirtied; the hot pages (counters of a few
    hundred units, the front of the deadline index, tickets still open,
    the meta page) are copied once per transaction whatever its size, so
    small transactions pay for them again and again. 65,536 events (about
    a fifth of a second at the target rate; six days of the scale-40 demo
    district) make that cost small while a transaction's dirty pages
    (mostly ticket records, new and closed: a few thousand pages, some
    20 MiB) stay far below LMDB's 131,072 dirty pages per transaction,
    past which it spills pages to disk mid-transaction. Measured on the
    scale-40 month and on a year of it: 64k to 256k events per
    transaction run at about the same rate, 8k to 16k a fifth to a third
    slower. The size also bounds what an interruption loses and makes
    progress reports frequent enough to watch. (-DREBUILD_BATCH=N builds
    another size, to measure.) */
#ifndef REBUILD_BATCH
#define REBUILD_BATCH 65536
#endif
#define FEED_CHUNK  1024 /* events decoded per hand-over */
#define FEED_CHUNKS 4    /* chunks in flight */

/* The tables derived from the log, emptied by a fresh rebuild. */
static const store_table_t s_derived[] = {
    STORE_TICKETS,         STORE_DUE,     STORE_COUNTERS,
    STORE_MANUAL,          STORE_ALERTS,  STORE_COUNTED,
    STORE_TRAIL,           STORE_APPEALS, STORE_COUNTED_PENDING,
    STORE_COUNTED_SETTLING};

/* Meta values derived from the log: the event clock, the count of
   deadlines still to come (state_open_deadlines). (Units, the log,
   de-duplication, dead letters, "warn_permille", "pubseq",
   "duplicates_total", the calendar and "calendar_gen" are not derived
   and stay.) */
static const char *s_derived_meta[] = {"clock", "open_deadlines"};

#define REBUILD_NEXT "rebuild_next"

/* One decoded log entry. */
typedef struct {
    uint64_t seq;                  /* its log sequence number */
    bool bad;                      /* it could not be decoded */
    char why[PROTO_ERROR_MAX + 1]; /* then why */
    proto_event_t event;           /* else the event */
} s_slot_t;

typedef struct {
    s_slot_t slots[FEED_CHUNK]; /* in log order */
    size_t count;               /* filled */
} s_chunk_t;

/* The reader thread and its ring of chunks. The reader fills
   chunks[head % FEED_CHUNKS] while head - tail < FEED_CHUNKS; the writer
   reads chunks[tail % FEED_CHUNKS] and releases it by advancing tail. */
typedef struct {
    store_t *store;         /* shared store (borrowed) */
    uint64_t from;          /* reader: the next log seq to read */
    s_chunk_t *chunks;      /* the ring */
    pthread_mutex_t mutex;  /* guards head, tail, end, rc, stop */
    pthread_cond_t changed; /* signalled on every change of those */
    uint64_t head;          /* chunks filled */
    uint64_t tail;          /* chunks released */
    bool end;               /* the reader reached the end of the log */
    int rc;                 /* or failed (a store_rc_t) */
    bool stop;              /* the writer wants no more */
    bool holding;           /* writer: chunks[tail] is filled, in use */
    size_t at;              /* writer: its next slot */
    pthread_t thread;       /* the reader */
} s_feed_t;

/* Reads and decodes up to FEED_CHUNK log entries from feed->from. */
static int
s_feed_fill (s_feed_t *feed, s_chunk_t *chunk, bool *end)
{
    chunk->count = 0;
    store_txn_t *txn = store_begin (feed->store, false);
    if (!txn)
        return STORE_ERROR;
    uint8_t from[8];
    store_put_be64 (from, feed->from);
    store_cursor_t *cursor = store_cursor_new (txn, STORE_LOG, from, 8);
    int rc = cursor ? STORE_OK : STORE_ERROR;
    while (rc == STORE_OK && chunk->count < FEED_CHUNK) {
        const void *key, *value;
        size_t key_size, size;
        rc = store_cursor_next (cursor, &key, &key_size, &value, &size);
        if (rc == STORE_NOTFOUND) {
            *end = true;
            rc = STORE_OK;
            break;
        }
        if (rc == STORE_OK && key_size != 8)
            rc = STORE_ERROR;
        if (rc != STORE_OK)
            break;
        s_slot_t *slot = &chunk->slots[chunk->count++];
        slot->seq = store_get_be64 (key);
        slot->bad =
            proto_event_decode (value, size, &slot->event, slot->why) != 0;
        feed->from = slot->seq + 1;
    }
    store_cursor_destroy (&cursor);
    store_abort (&txn);
    return rc;
}

static void *
s_feed_reader (void *arg)
{
    s_feed_t *feed = arg;
    bool end = false;
    int rc = STORE_OK;
    while (!end && rc == STORE_OK) {
        pthread_mutex_lock (&feed->mutex);
        while (feed->head - feed->tail == FEED_CHUNKS && !feed->stop)
            pthread_cond_wait (&feed->changed, &feed->mutex);
        bool stop = feed->stop;
        s_chunk_t *chunk = &feed->chunks[feed->head % FEED_CHUNKS];
        pthread_mutex_unlock (&feed->mutex);
        if (stop)
            break;
        rc = s_feed_fill (feed, chunk, &end);
        pthread_mutex_lock (&feed->mutex);
        if (rc == STORE_OK)
            feed->head++;
        feed->end = end;
        feed->rc = rc;
        pthread_cond_broadcast (&feed->changed);
        pthread_mutex_unlock (&feed->mutex);
    }
    return NULL;
}

static int
s_feed_start (s_feed_t *feed, store_t *store, uint64_t from)
{
    memset (feed, 0, sizeof (*feed));
    feed->store = store;
    feed->from = from;
    feed->chunks = malloc (FEED_CHUNKS * sizeof (s_chunk_t));
    if (!feed->chunks)
        return -1;
    pthread_mutex_init (&feed->mutex, NULL);
    pthread_cond_init (&feed->changed, NULL);
    if (pthread_create (&feed->thread, NULL, s_feed_reader, feed) != 0) {
        pthread_cond_destroy (&feed->changed);
        pthread_mutex_destroy (&feed->mutex);
        free (feed->chunks);
        return -1;
    }
    return 0;
}

static void
s_feed_stop (s_feed_t *feed)
{
    pthread_mutex_lock (&feed->mutex);
    feed->stop = true;
    pthread_cond_broadcast (&feed->changed);
    pthread_mutex_unlock (&feed->mutex);
    pthread_join (feed->thread, NULL);
    pthread_cond_destroy (&feed->changed);
    pthread_mutex_destroy (&feed->mutex);
    free (feed->chunks);
}

/* The next decoded entry, valid until the next call; NULL at the end of
   the log, or on the reader's failure (*rc says which) once every chunk
   read before it is consumed. */
static const s_slot_t *
s_feed_next (s_feed_t *feed, int *rc)
{
    *rc = STORE_OK;
    while (true) {
        if (feed->holding) {
            s_chunk_t *chunk = &feed->chunks[feed->tail % FEED_CHUNKS];
            if (feed->at < chunk->count)
                return &chunk->slots[feed->at++];
        }
        pthread_mutex_lock (&feed->mutex);
        if (feed->holding) {
            feed->tail++; /* done with it: the reader may refill it */
            feed->at = 0;
            pthread_cond_broadcast (&feed->changed);
        }
        while (feed->tail == feed->head && !feed->end && feed->rc == STORE_OK)
            pthread_cond_wait (&feed->changed, &feed->mutex);
        feed->holding = feed->tail < feed->head;
        if (!feed->holding)
            *rc = feed->rc;
        pthread_mutex_unlock (&feed->mutex);
        if (!feed->holding)
            return NULL;
    }
}

/* Empties the derived state and records that a rebuild has begun at
   log seq `first`, in one transaction: a crash leaves either the old
   aggregates or an empty state that says it must be finished. */
static int
s_rebuild_begin (store_t *store, uint64_t first)
{
    store_txn_t *txn = store_begin (store, true);
    if (!txn)
        return STORE_ERROR;
    int rc = STORE_OK;
    for (size_t i = 0; i < sizeof (s_derived) / sizeof (s_derived[0]); i++)
        if (rc == STORE_OK)
            rc = store_clear (txn, s_derived[i]);
    for (size_t i = 0; i < sizeof (s_derived_meta) / sizeof (s_derived_meta[0]);
         i++) {
        if (rc != STORE_OK)
            break;
        rc = store_del (txn, STORE_META, s_derived_meta[i],
                        strlen (s_derived_meta[i]));
        if (rc == STORE_NOTFOUND)
            rc = STORE_OK;
    }
    if (rc == STORE_OK)
        rc = store_meta_put (txn, REBUILD_NEXT, first);
    if (rc == STORE_OK)
        return store_commit (&txn);
    store_abort (&txn);
    return rc;
}

/* Keeps the first refusals' reasons for the caller. */
static void
s_refused (state_rebuild_result_t *result, uint64_t seq, const char *event_id,
           const char *reason)
{
    if (result->refused < STATE_REBUILD_REASONS)
        snprintf (result->reasons[result->refused], sizeof (result->reasons[0]),
                  "event %llu (%s): %s", (unsigned long long)seq, event_id,
                  reason);
    result->refused++;
}

/* Applies up to REBUILD_BATCH log events from the feed in one
   transaction and commits them with the new *next; the transaction that
   reaches the end of the log also finishes the rebuild (*done). */
static int
s_rebuild_batch (store_t *store, s_feed_t *feed, state_clock_t clock,
                 int64_t wall_now, uint64_t *next, bool *done,
                 state_rebuild_result_t *result)
{
    store_txn_t *txn = store_begin (store, true);
    if (!txn)
        return STORE_ERROR;
    /* The working time in force in the store, read once per batch. */
    char why[256];
    state_calendar_t *calendar = state_calendar_load (txn, why);
    int rc = calendar ? STORE_OK : STORE_ERROR;
    uint64_t after = *next, applied = 0;
    state_rebuild_result_t counts = *result;
    *done = false;
    for (size_t n = 0; rc == STORE_OK && n < REBUILD_BATCH; n++) {
        const s_slot_t *slot = s_feed_next (feed, &rc);
        if (!slot) {
            *done = rc == STORE_OK;
            break;
        }
        after = slot->seq + 1;
        if (slot->bad) {
            /* Not something state_apply logged: report it, go on. */
            s_refused (&counts, slot->seq, "?", slot->why);
            continue;
        }
        char reason[PROTO_ERROR_MAX + 1];
        int store_rc = STORE_OK;
        state_reject_t kind;
        /* Always on event time: the log does not say when events
           arrived, and event time is what a live daemon's clock tracked
           (exactly with the event clock, closely with the wall clock). */
        state_ctx_t ctx = {.clock = STATE_CLOCK_EVENT,
                           .wall_now = wall_now,
                           .effects = NULL,
                           .log_seq = slot->seq,
                           .calendar = calendar};
        state_outcome_t outcome =
            state_reapply (txn, &slot->event, &ctx, reason, &store_rc, &kind);
        if (outcome == STATE_FAILED)
            rc = store_rc != STORE_OK ? store_rc : STORE_ERROR;
        else if (outcome == STATE_REJECTED)
            s_refused (&counts, slot->seq, slot->event.event_id, reason);
        else
            applied++;
    }
    state_calendar_destroy (&calendar);
    if (rc == STORE_OK)
        rc = state_counted_settle (txn, STATE_COUNTED_PENDING_MAX);
    if (rc == STORE_OK && *done)
        rc = state_counted_drain (txn); /* state.h */
    if (rc == STORE_OK && *done && clock == STATE_CLOCK_WALL)
        rc = state_advance_clock (txn, wall_now, NULL);
    if (rc == STORE_OK && *done) {
        rc = store_del (txn, STORE_META, REBUILD_NEXT, strlen (REBUILD_NEXT));
        if (rc == STORE_NOTFOUND)
            rc = STORE_OK;
    } else if (rc == STORE_OK)
        rc = store_meta_put (txn, REBUILD_NEXT, after);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    if (rc != STORE_OK) {
        *done = false;
        return rc;
    }
    /* Counted only once committed: an aborted batch is not stored. */
    counts.events += applied;
    *result = counts;
    *next = after;
    return STORE_OK;
}

/* A monotonic clock in seconds, for the rate a rebuild reports. */
static double
s_seconds (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool
state_rebuild_pending (store_txn_t *txn, uint64_t *next)
{
    uint64_t value = 0;
    bool pending =
        store_meta_get (txn, REBUILD_NEXT, &value) == STORE_OK && value;
    if (next)
        *next = value;
    return pending;
}

/* Where to start: the resume point of an interrupted rebuild (*resume
   set), or the log's first seq (1 unless a repair tool trimmed it). */
static int
s_rebuild_start (store_t *store, uint64_t *from, bool *resume, uint64_t *total)
{
    store_txn_t *txn = store_begin (store, false);
    if (!txn)
        return STORE_ERROR;
    *total = store_count (txn, STORE_LOG);
    uint64_t next = 0;
    int rc = store_meta_get (txn, REBUILD_NEXT, &next);
    *resume = rc == STORE_OK && next;
    *from = next;
    if (rc == STORE_NOTFOUND || (rc == STORE_OK && !next)) {
        *from = 1;
        store_cursor_t *cursor = store_cursor_new (txn, STORE_LOG, NULL, 0);
        const void *key;
        size_t key_size;
        if (cursor &&
            store_cursor_next (cursor, &key, &key_size, NULL, NULL) ==
                STORE_OK &&
            key_size == 8)
            *from = store_get_be64 (key);
        store_cursor_destroy (&cursor);
        rc = STORE_OK;
    }
    store_abort (&txn);
    return rc;
}

int
state_rebuild (store_t *store, state_clock_t clock, int64_t wall_now,
               state_rebuild_progress_fn *progress, void *arg,
               state_rebuild_result_t *result, char *err)
{
    memset (result, 0, sizeof (*result));
    double started = s_seconds ();
    uint64_t next, total;
    bool resume;
    int rc = s_rebuild_start (store, &next, &resume, &total);
    if (rc != STORE_OK) {
        snprintf (err, 256, "rebuild: cannot read the store: %s",
                  store_strerror (rc));
        return -1;
    }
    /* Log seqs are dense (store_log_append): the events before `next`
       are done, by this call or an interrupted one. */
    uint64_t before = resume ? next - 1 : 0;
    if (resume)
        result->resumed = next;
    else if ((rc = s_rebuild_begin (store, next)) != STORE_OK) {
        snprintf (err, 256, "rebuild: cannot empty the aggregates: %s",
                  store_strerror (rc));
        return -1;
    } else if (progress)
        progress (0, total, arg); /* that was a commit too */
    s_feed_t feed;
    if (s_feed_start (&feed, store, next) != 0) {
        snprintf (err, 256, "rebuild: cannot start the log reader");
        return -1;
    }
    bool done = false;
    while (!done && rc == STORE_OK) {
        /* Room for the next transaction, while none is open: the map
           grows up to its ceiling as it would under hotlined. */
        store_make_room (store, false, 5000);
        rc = s_rebuild_batch (store, &feed, clock, wall_now, &next, &done,
                              result);
        uint64_t so_far = before + result->events + result->refused;
        if (rc == STORE_OK && progress)
            progress (so_far < total ? so_far : total, total, arg);
    }
    s_feed_stop (&feed);
    result->seconds = s_seconds () - started;
    if (rc != STORE_OK) {
        snprintf (err, 256,
                  "rebuild: %s (the log up to event %llu is done: run it "
                  "again to finish)",
                  store_strerror (rc), (unsigned long long)(next - 1));
        return -1;
    }
    return 0;
}
