/*  asof: reports as of an earlier moment, from replays kept and
    continued (asof.h). */
#include "asof.h"

#include "proto.h"
#include "report.h"
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Events per write transaction while the head follows the log, as
   state_replay commits. */
#define FOLLOW_BATCH 10000

/* A kept replay: the log's first `pos` events, the latest of their
   times `max` (INT64_MIN for none). */
typedef struct {
    store_t *store;
    uint64_t pos;
    int64_t max;
    uint64_t bytes; /* its data file's pages in use */
} s_kept_t;

/* An event stored after one that occurred later. */
typedef struct {
    uint64_t seq;
    int64_t at;
} s_late_t;

struct _asof_t {
    uint64_t spacing0;    /* spacing asked */
    size_t limit;         /* most checkpoints */
    uint64_t budget;      /* most bytes of checkpoints */
    bool built;           /* base and head exist */
    uint64_t fingerprint; /* of the inputs they were built from */
    s_kept_t base;        /* the replay of no event */
    s_kept_t head;        /* the replay of the whole log so far */
    s_kept_t *kept;       /* checkpoints, by position */
    size_t kept_count;
    uint64_t spacing;   /* events between checkpoints now */
    uint64_t last_kept; /* head position of the latest checkpoint */
    s_late_t *late;     /* late events, by seq */
    size_t late_count, late_size;
    uint8_t *buffer;  /* one log entry */
    asof_info_t info; /* what asof_info tells */
};

asof_t *
asof_new (uint64_t spacing, size_t limit, uint64_t budget)
{
    asof_t *self = calloc (1, sizeof (*self));
    if (self)
        self->buffer = malloc (PROTO_EVENT_WIRE_MAX);
    if (!self || !self->buffer) {
        free (self);
        return NULL;
    }
    self->spacing0 = spacing ? spacing : 1;
    self->limit = limit < 2 ? 2 : limit;
    self->budget = budget;
    return self;
}

/* What went wrong in a kept replay, for its owner's log and errors. */
static const char *
s_why (int rc)
{
    return rc == STORE_DISK_FULL ? "no room left under $TMPDIR"
                                 : store_strerror (rc);
}

/* Drops everything kept. */
static void
s_reset (asof_t *self)
{
    store_destroy (&self->base.store);
    store_destroy (&self->head.store);
    for (size_t i = 0; i < self->kept_count; i++)
        store_destroy (&self->kept[i].store);
    free (self->kept);
    self->kept = NULL;
    self->kept_count = 0;
    free (self->late);
    self->late = NULL;
    self->late_count = self->late_size = 0;
    self->built = false;
}

void
asof_destroy (asof_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    asof_t *self = *self_p;
    s_reset (self);
    free (self->buffer);
    free (self);
    *self_p = NULL;
}

/* The checkpoints' bytes. */
static uint64_t
s_bytes (const asof_t *self)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < self->kept_count; i++)
        bytes += self->kept[i].bytes;
    return bytes;
}

void
asof_info (const asof_t *self, asof_info_t *info)
{
    *info = self->info;
    info->head = self->built ? self->head.pos : 0;
    info->checkpoints = self->kept_count;
    info->spacing = self->spacing;
    info->late = self->late_count;
    info->bytes = s_bytes (self);
}

/* FNV-1a over bytes, then a separator. */
static void
s_hash (uint64_t *h, const void *bytes, size_t size)
{
    const uint8_t *b = bytes;
    for (size_t i = 0; i < size; i++)
        *h = (*h ^ b[i]) * 0x100000001b3ULL;
    *h = (*h ^ 0xff) * 0x100000001b3ULL;
}

/* What a replay starts from, as state_replay_seed and state_replay
   read it: the units, the warning share, the calendar's generation. */
static uint64_t
s_fingerprint (store_txn_t *live)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t count = 0;
    rules_unit_t *units = state_units_list (live, &count);
    for (size_t i = 0; i < count; i++) {
        s_hash (&h, units[i].unit_id, strlen (units[i].unit_id));
        s_hash (&h, units[i].name, strlen (units[i].name));
        s_hash (&h, units[i].group, strlen (units[i].group));
    }
    free (units);
    const char *names[] = {"warn_permille", "calendar_gen"};
    for (int i = 0; i < 2; i++) {
        uint64_t value = 0;
        bool have = store_meta_get (live, names[i], &value) == STORE_OK;
        s_hash (&h, &have, sizeof (have));
        s_hash (&h, &value, sizeof (value));
    }
    return h;
}

/* The base (units and settings, no event) and a head copied from it. */
static int
s_build (asof_t *self, store_txn_t *live, char *err)
{
    self->base = (s_kept_t){.max = INT64_MIN};
    self->base.store = store_scratch_new (0, err);
    store_txn_t *txn =
        self->base.store ? store_begin (self->base.store, true) : NULL;
    int rc = txn ? state_replay_seed (live, txn) : STORE_ERROR;
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    store_abort (&txn);
    if (rc == STORE_OK) {
        self->head = self->base;
        self->head.store = store_scratch_copy (self->base.store, err);
        if (!self->head.store)
            return -1;
        self->spacing = self->spacing0;
        self->last_kept = 0;
        self->built = true;
        self->info.builds++;
        return 0;
    }
    if (!*err)
        snprintf (err, 256, "as-of: cannot start a replay: %s", s_why (rc));
    return -1;
}

/* Drops every other checkpoint, counting back from the newest, which
   stays (those left are twice as far apart, the newest where the next
   is counted from), and doubles the spacing. A single one goes. */
static void
s_thin (asof_t *self)
{
    size_t n = 0, last = self->kept_count - 1;
    for (size_t i = 0; i < self->kept_count; i++)
        if (last > 0 && (last - i) % 2 == 0)
            self->kept[n++] = self->kept[i];
        else
            store_destroy (&self->kept[i].store);
    self->kept_count = n;
    self->spacing *= 2;
}

/* Copies the head (committed) as a checkpoint; past the limit or the
   budget, thins them. */
static int
s_keep (asof_t *self, char *err)
{
    s_kept_t *kept =
        realloc (self->kept, (self->kept_count + 1) * sizeof (*kept));
    if (!kept) {
        snprintf (err, 256, "out of memory");
        return -1;
    }
    self->kept = kept;
    s_kept_t copy = self->head;
    copy.store = store_scratch_copy (self->head.store, err);
    if (!copy.store)
        return -1;
    uint64_t map;
    if (store_info (copy.store, &copy.bytes, &map) != STORE_OK)
        copy.bytes = 0;
    self->kept[self->kept_count++] = copy;
    self->last_kept = self->head.pos;
    while (self->kept_count > self->limit ||
           (self->kept_count > 0 && s_bytes (self) > self->budget))
        s_thin (self);
    return 0;
}

static int
s_note_late (asof_t *self, uint64_t seq, int64_t at)
{
    if (self->late_count == self->late_size) {
        size_t size = self->late_size ? self->late_size * 2 : 256;
        s_late_t *late = realloc (self->late, size * sizeof (*late));
        if (!late)
            return -1;
        self->late = late;
        self->late_size = size;
    }
    self->late[self->late_count++] = (s_late_t){seq, at};
    return 0;
}

/* Brings the head towards the end of the log `live` sees, by at most
   `limit` events (0: no limit) and up to the first event that occurred
   after `until`, noting late events and keeping checkpoints on the way.
   Returns 1 when it stopped before the end, 0 at the end of the log, -1
   on an error. */
static int
s_follow (asof_t *self, store_txn_t *live, const state_calendar_t *calendar,
          uint64_t limit, int64_t until, char *err)
{
    uint8_t from[8];
    store_put_be64 (from, self->head.pos + 1);
    store_cursor_t *cursor = store_cursor_new (live, STORE_LOG, from, 8);
    store_txn_t *txn = NULL;
    int rc = cursor ? STORE_OK : STORE_ERROR;
    size_t in_txn = 0;
    uint64_t done = 0;
    bool more = false;
    const void *key, *value;
    size_t key_size, size;
    while (rc == STORE_OK && !(more = limit && done == limit) &&
           store_cursor_next (cursor, &key, &key_size, &value, &size) ==
               STORE_OK) {
        done++;
        if (key_size != 8) {
            rc = STORE_ERROR;
            break;
        }
        uint64_t seq = store_get_be64 (key);
        proto_event_t event;
        char reason[PROTO_ERROR_MAX + 1];
        if (!txn && !(txn = store_begin (self->head.store, true))) {
            rc = STORE_ERROR;
            break;
        }
        /* As state_replay: an entry that does not decode is skipped. */
        bool decoded = proto_event_decode (value, size, &event, reason) == 0;
        if (decoded && event.occurred_at > until) {
            more = true;
            break;
        }
        if (decoded) {
            if (event.occurred_at < self->head.max) {
                if (s_note_late (self, seq, event.occurred_at) != 0) {
                    rc = STORE_ERROR;
                    break;
                }
            } else
                self->head.max = event.occurred_at;
            rc = state_replay_apply (txn, &event, seq, calendar);
        }
        self->head.pos = seq;
        if (rc != STORE_OK)
            break;
        bool keep = self->head.pos - self->last_kept >= self->spacing;
        if (keep || ++in_txn == FOLLOW_BATCH) {
            /* Reports never read explain's drill-down: its pending
               changes would only grow the checkpoints. */
            rc = state_counted_forget (txn);
            if (rc == STORE_OK)
                rc = store_commit (&txn);
            in_txn = 0;
            if (rc == STORE_OK && keep && s_keep (self, err) != 0)
                rc = STORE_ERROR;
        }
    }
    store_cursor_destroy (&cursor);
    if (rc == STORE_OK && txn)
        rc = state_counted_forget (txn);
    if (rc == STORE_OK && txn)
        rc = store_commit (&txn);
    store_abort (&txn);
    if (rc != STORE_OK) {
        if (!*err)
            snprintf (err, 256, "as-of: replaying the log: %s", s_why (rc));
        return -1;
    }
    return more ? 1 : 0;
}

/* The kept replay to continue for a report as of T: the one with the
   largest position whose events all occurred by T. */
static s_kept_t *
s_choose (asof_t *self, int64_t as_of)
{
    if (self->head.max <= as_of)
        return &self->head;
    s_kept_t *best = &self->base;
    for (size_t i = 0; i < self->kept_count; i++)
        if (self->kept[i].max <= as_of)
            best = &self->kept[i];
    return best;
}

/* Applies the log entry `seq` into txn when it occurred by as_of. */
static int
s_apply_late (asof_t *self, store_txn_t *live, store_txn_t *txn, uint64_t seq,
              const state_calendar_t *calendar)
{
    uint8_t key[8];
    store_put_be64 (key, seq);
    size_t size = PROTO_EVENT_WIRE_MAX;
    int rc = store_get (live, STORE_LOG, key, 8, self->buffer, &size);
    if (rc != STORE_OK)
        return rc;
    proto_event_t event;
    char reason[PROTO_ERROR_MAX + 1];
    if (proto_event_decode (self->buffer, size, &event, reason) != 0)
        return STORE_OK;
    self->info.last_events++;
    return state_replay_apply (txn, &event, seq, calendar);
}

/* Applies into txn, in log order from seq `from`, the log's events that
   occurred by as_of. With `stop`, stops at the first that occurred after
   it and gives its seq in *past (0 when there is none); without, reads
   on to the end (the late ones past the head, which the list does not
   know yet). *last: the latest seq applied, if any. */
static int
s_apply_from (asof_t *self, store_txn_t *live, store_txn_t *txn, uint64_t from,
              int64_t as_of, bool stop, const state_calendar_t *calendar,
              uint64_t *past, uint64_t *last)
{
    uint8_t start[8];
    store_put_be64 (start, from);
    store_cursor_t *cursor = store_cursor_new (live, STORE_LOG, start, 8);
    int rc = cursor ? STORE_OK : STORE_ERROR;
    const void *key, *value;
    size_t key_size, size;
    while (rc == STORE_OK && store_cursor_next (cursor, &key, &key_size, &value,
                                                &size) == STORE_OK) {
        proto_event_t event;
        char reason[PROTO_ERROR_MAX + 1];
        if (key_size != 8 ||
            proto_event_decode (value, size, &event, reason) != 0)
            continue;
        uint64_t seq = store_get_be64 (key);
        if (event.occurred_at > as_of) {
            if (!stop)
                continue;
            *past = seq;
            break;
        }
        self->info.last_events++;
        *last = seq;
        rc = state_replay_apply (txn, &event, seq, calendar);
    }
    store_cursor_destroy (&cursor);
    return rc;
}

/* A write transaction of a kept replay holding the replay up to as_of
   (the caller aborts it), or NULL with the reason. */
static store_txn_t *
s_continue (asof_t *self, store_txn_t *live, const state_calendar_t *calendar,
            int64_t as_of, char *err)
{
    s_kept_t *from = s_choose (self, as_of);
    self->info.last_from = from->pos;
    self->info.last_events = 0;
    store_txn_t *txn = store_begin (from->store, true);
    /* Every event up to the first that occurred after as_of... */
    uint64_t past = 0, last = from->pos;
    int rc = txn ? s_apply_from (self, live, txn, from->pos + 1, as_of, true,
                                 calendar, &past, &last)
                 : STORE_ERROR;
    /* ...then the late ones after it that occurred by as_of: from the
       list up to the head, by reading the log past it. */
    if (past && rc == STORE_OK) {
        last = past;
        size_t low = 0, high = self->late_count;
        while (low < high) {
            size_t mid = low + (high - low) / 2;
            if (self->late[mid].seq <= past)
                low = mid + 1;
            else
                high = mid;
        }
        for (size_t i = low; i < self->late_count && rc == STORE_OK; i++)
            if (self->late[i].at <= as_of) {
                last = self->late[i].seq;
                rc = s_apply_late (self, live, txn, last, calendar);
            }
        uint64_t listed = past > self->head.pos ? past : self->head.pos;
        if (rc == STORE_OK)
            rc = s_apply_from (self, live, txn, listed + 1, as_of, false,
                               calendar, &past, &last);
    }
    /* The clock's counts go under a seq past every one applied. */
    if (rc == STORE_OK)
        rc = state_replay_finish (txn, as_of, last + 1);
    if (rc != STORE_OK) {
        snprintf (err, 256, "as-of: replaying the log: %s", s_why (rc));
        store_abort (&txn);
    }
    return txn;
}

/* Drops what was built from other inputs than `live` holds now. */
static void
s_check_inputs (asof_t *self, store_txn_t *live)
{
    uint64_t fingerprint = s_fingerprint (live);
    if (self->built && fingerprint != self->fingerprint)
        s_reset (self);
    self->fingerprint = fingerprint;
}

int
asof_follow (asof_t *self, store_txn_t *live, uint64_t limit, char *err)
{
    /* Nothing started yet (the idle worker's usual case): no reading. */
    if (!self->built)
        return 0;
    s_check_inputs (self, live);
    if (!self->built)
        return 0;
    state_calendar_t *calendar = state_calendar_load (live, err);
    int rc =
        calendar ? s_follow (self, live, calendar, limit, INT64_MAX, err) : -1;
    state_calendar_destroy (&calendar);
    if (rc < 0)
        s_reset (self); /* half followed: start again next time */
    return rc;
}

char *
asof_report (asof_t *self, store_txn_t *live, const rules_ruleset_t *rs,
             const char *period, int64_t as_of, char *err)
{
    char resolved[8];
    int replay = report_as_of_replay (live, rs, period, as_of, resolved, err);
    if (replay <= 0)
        return replay < 0 ? NULL : report_json (live, rs, period, as_of, err);
    s_check_inputs (self, live);
    /* The replays measure with the calendar of the store they replay. */
    state_calendar_t *calendar = state_calendar_load (live, err);
    if (!calendar)
        return NULL;
    char *json = NULL;
    bool kept = self->built || s_build (self, live, err) == 0;
    /* A moment the head has not reached: the events up to it are the
       head's next ones, all of them; applied there, with checkpoints on
       the way, they stay for the next reports. */
    if (kept && self->head.max <= as_of &&
        s_follow (self, live, calendar, 0, as_of, err) < 0) {
        /* No room for them (the owner's follow says so in its log): this
           report goes on from the replay of no event. */
        s_reset (self);
        *err = 0;
        kept = s_build (self, live, err) == 0;
    }
    store_txn_t *txn =
        kept ? s_continue (self, live, calendar, as_of, err) : NULL;
    if (txn) {
        json = report_json (txn, rs, resolved, 0, err);
        store_abort (&txn);
        if (json) {
            self->info.reports++;
            self->info.events += self->info.last_events;
        }
    } else {
        if (!kept)
            s_reset (self); /* half built: start again next time */
        /* Where the room is wanted, when it is room that lacks. */
        if (strstr (err, "No space") || strstr (err, "no room")) {
            char why[256];
            snprintf (why, sizeof (why), "%s", err);
            snprintf (err, 256,
                      "%.150s (reports as of a moment keep replays under "
                      "$TMPDIR: make room there or lower asof_budget_mb)",
                      why);
        }
    }
    state_calendar_destroy (&calendar);
    return json;
}
