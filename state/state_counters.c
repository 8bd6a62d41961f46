/*  state_counters: counter and manual item records (state.h).

    Counters of a (period, unit, slice) are one record, an int32 array in
    rules_counter_t order (append only: a shorter record, written before
    a counter was added, reads as zeros past its end). A manual item is
    one record of its value and the time of the ADJUSTED event that set
    it. Keys are period \0 unit \0 rest, so one period's records are
    contiguous and in unit id order: a report walks them with one cursor
    instead of a B-tree descent per unit and per slice. */
#include "state_internal.h"

#include <math.h>
#include <string.h>

/* A manual record: the value and the time of the ADJUSTED that set it. */
typedef struct {
    double value; /* the item's value */
    int64_t at;   /* occurred_at of the adjustment */
} s_manual_t;

size_t
state_counter_key (uint8_t *key, const char *period, const char *unit,
                   const char *prefix, const char *slice)
{
    /* Built with memcpy: this runs for every counter an event moves. */
    const char *parts[4] = {period, unit, prefix, slice};
    size_t size = 0;
    for (int i = 0; i < 4; i++) {
        size_t n = strlen (parts[i]);
        if (size + n + 1 >= STORE_KEY_MAX)
            n = STORE_KEY_MAX - 2 - size; /* cannot happen: fields are short */
        memcpy (key + size, parts[i], n);
        size += n;
        if (i < 2)
            key[size++] = 0;
    }
    return size;
}

/* The adverse counters: those whose tickets explain lists, one entry
   per count (docs/scoring.md). */
bool
state__adverse (int counter)
{
    switch (counter) {
    case RULES_SIGNED_LATE:
    case RULES_CONTACTED_LATE:
    case RULES_RETURNED:
    case RULES_RETURNED_LATE:
    case RULES_EXTENDED:
    case RULES_CLOSED_LATE:
    case RULES_OVERDUE_OPEN:
    case RULES_ALERTS:
    case RULES_UNSATISFIED:
    case RULES_UNRESOLVED:
    case RULES_REWORK:
    case RULES_KEY_CLOSED_LATE:
    case RULES_REPEAT_CLOSED_LATE:
        return true;
    default:
        return false;
    }
}

/* The moment an adverse count is measured against, for its detail: the
   deadline in force, the dispatch, or the receipt. */
static int64_t
s_reference (const state_ticket_t *t, int counter)
{
    switch (counter) {
    case RULES_CLOSED_LATE:
    case RULES_KEY_CLOSED_LATE:
    case RULES_REPEAT_CLOSED_LATE:
    case RULES_OVERDUE_OPEN:
    case RULES_ALERTS:
    case RULES_EXTENDED:
        return t->due_at;
    case RULES_SIGNED_LATE:
    case RULES_RETURNED:
    case RULES_RETURNED_LATE:
        return t->dispatched_at;
    case RULES_CONTACTED_LATE:
        return t->received_at;
    default:
        return 0;
    }
}

/* Notes a count in the work's trail, summing with the same period and
   counter; a full trail is written out and started again. */
static int
s_trail (state_work_t *w, proto_period_t period, int counter, int32_t delta)
{
    for (size_t i = 0; i < w->trail_count; i++) {
        state_trail_rec_t *r = &w->trail[i];
        if (r->period == period.code && r->kind == period.kind &&
            r->counter == counter) {
            r->delta += delta;
            return STORE_OK;
        }
    }
    if (w->trail_count == STATE_TRAIL_MAX) {
        int rc = state__trail_flush (w);
        if (rc != STORE_OK)
            return rc;
    }
    w->trail[w->trail_count++] = (state_trail_rec_t){
        period.code, (uint8_t)period.kind, (uint8_t)counter, delta};
    return STORE_OK;
}

int
state__add_counter (store_txn_t *txn, proto_period_t period, const char *unit,
                    const char *channel, const char *category, int counter,
                    int32_t delta)
{
    char p[8];
    proto_period_format (period, p);
    const char *slices[3] = {"", channel, category};
    const char *prefix[3] = {"", "ch:", "cat:"};
    /* The three keys share period and unit: built once, the slice
       written after them (as state_counter_key lays them out). */
    uint8_t key[STORE_KEY_MAX];
    size_t base = state_counter_key (key, p, unit, "", "");
    for (int s = 0; s < 3; s++) {
        if (s > 0 && !*slices[s])
            continue;
        size_t size = base;
        for (const char *part = prefix[s]; *part && size < STORE_KEY_MAX - 1;)
            key[size++] = (uint8_t)*part++;
        for (const char *part = slices[s]; *part && size < STORE_KEY_MAX - 1;)
            key[size++] = (uint8_t)*part++;
        int rc = store_add_one (txn, STORE_COUNTERS, key, size,
                                RULES_STORED_COUNTERS, (size_t)counter, delta);
        if (rc != STORE_OK)
            return rc;
    }
    return STORE_OK;
}

int
state__count_derived (state_work_t *w, proto_period_t period, int counter,
                      int32_t delta)
{
    const state_ticket_t *t = w->t;
    bool exempt = (t->exempt & STATE_BIT (counter)) != 0;
    char p[8];
    proto_period_format (period, p);
    int rc = STORE_OK;
    /* An exempted lateness: the closure counts as on time. */
    if (counter == RULES_CLOSED_LATE && exempt &&
        !(t->exempt & STATE_BIT (RULES_CLOSED))) {
        rc = state__add_counter (w->txn, period, t->unit_id, t->channel,
                                 t->category, RULES_CLOSED_ON_TIME, delta);
        state__effects_touch (w->effects, period, t->unit_id);
    }
    if (rc == STORE_OK && state__adverse (counter))
        rc = state__counted_index (w, p, counter, delta, exempt,
                                   s_reference (t, counter));
    return rc == STORE_OK ? s_trail (w, period, counter, delta) : rc;
}

int
state__count_in (state_work_t *w, proto_period_t period, int counter,
                 int32_t delta)
{
    const state_ticket_t *t = w->t;
    /* An exempted counter keeps the count in the ticket's trail (an
       unexemption puts it back) but not in the unit's counters. */
    if (!(t->exempt & STATE_BIT (counter))) {
        int rc = state__add_counter (w->txn, period, t->unit_id, t->channel,
                                     t->category, counter, delta);
        if (rc != STORE_OK)
            return rc;
        state__effects_touch (w->effects, period, t->unit_id);
    }
    return state__count_derived (w, period, counter, delta);
}

/* The stored counters as doubles, with the derived ones. */
static void
s_counters_derive (const int32_t *stored, double *counters)
{
    for (int c = 0; c < RULES_STORED_COUNTERS; c++)
        counters[c] = stored[c];
    rules_counters_derive (counters);
}

void
state_counters_decode (const void *value, size_t size, double *counters)
{
    /* A vector record (store_add_i32): a shorter one is zero-extended;
       one that cannot be read counts nothing. */
    int32_t stored[RULES_STORED_COUNTERS];
    store_i32_decode (value, size, stored, RULES_STORED_COUNTERS);
    s_counters_derive (stored, counters);
}

int
state_counters_get (store_txn_t *txn, const char *period, const char *unit,
                    double *counters)
{
    uint8_t key[STORE_KEY_MAX];
    size_t size = state_counter_key (key, period, unit, "", "");
    int32_t stored[RULES_STORED_COUNTERS];
    int rc = store_get_i32 (txn, STORE_COUNTERS, key, size, stored,
                            RULES_STORED_COUNTERS);
    if (rc == STORE_OK)
        s_counters_derive (stored, counters);
    return rc;
}

double
state_manual_decode (const void *value, size_t size)
{
    s_manual_t rec;
    if (size != sizeof (rec))
        return NAN;
    memcpy (&rec, value, sizeof (rec));
    return rec.value;
}

double
state_manual_get (store_txn_t *txn, const char *period, const char *unit,
                  const char *item)
{
    s_manual_t rec;
    uint8_t key[STORE_KEY_MAX];
    size_t size = state_counter_key (key, period, unit, "", item);
    size_t vsize = sizeof (rec);
    if (store_get (txn, STORE_MANUAL, key, size, &rec, &vsize) != STORE_OK)
        return NAN;
    return state_manual_decode (&rec, vsize);
}

int
state__manual_put (store_txn_t *txn, const char *period, const char *unit,
                   const char *item, double value, int64_t at)
{
    /* The latest ADJUSTED by event time wins; an older one arriving late
       does not overwrite it. */
    uint8_t key[STORE_KEY_MAX];
    size_t ksize = state_counter_key (key, period, unit, "", item);
    s_manual_t rec, old;
    size_t size = sizeof (old);
    int rc = store_get (txn, STORE_MANUAL, key, ksize, &old, &size);
    if (rc == STORE_OK && size == sizeof (old) && old.at > at)
        return STORE_OK;
    if (rc != STORE_OK && rc != STORE_NOTFOUND && rc != STORE_TOOBIG)
        return rc;
    rec.value = value;
    rec.at = at;
    return store_put (txn, STORE_MANUAL, key, ksize, &rec, sizeof (rec));
}

int
state_scan_period (store_txn_t *txn, store_table_t table, const char *period,
                   state_record_fn *fn, void *arg)
{
    /* The period's first key is "period\0": every key of the period
       starts with it, and LMDB orders keys bytewise. */
    size_t prefix = strlen (period) + 1;
    store_cursor_t *cursor = store_cursor_new (txn, table, period, prefix);
    if (!cursor)
        return STORE_ERROR;
    const void *key, *value;
    size_t key_size, size;
    int rc;
    while ((rc = store_cursor_next (cursor, &key, &key_size, &value, &size)) ==
           STORE_OK) {
        const char *k = key;
        if (key_size < prefix || memcmp (k, period, prefix) != 0)
            break; /* past the period */
        const char *id = k + prefix;
        const char *end = memchr (id, 0, key_size - prefix);
        if (!end || (size_t)(end - id) > PROTO_ID_MAX)
            continue; /* not a key of ours */
        char unit[PROTO_ID_MAX + 1];
        size_t id_len = (size_t)(end - id);
        memcpy (unit, id, id_len);
        unit[id_len] = 0;
        char rest[STORE_KEY_MAX + 1];
        size_t rest_len = key_size - prefix - id_len - 1;
        memcpy (rest, end + 1, rest_len);
        rest[rest_len] = 0;
        fn (arg, unit, rest, value, size);
    }
    store_cursor_destroy (&cursor);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* ---- byte forms --------------------------------------------------------- */

static void
s_put_i64 (uint8_t *bytes, int64_t value)
{
    store_put_be64 (bytes, (uint64_t)value);
}

static int64_t
s_get_i64 (const uint8_t *bytes)
{
    return (int64_t)store_get_be64 (bytes);
}

void
state__counted_encode (const state_counted_t *c, uint8_t *bytes)
{
    s_put_i64 (bytes, c->at);
    s_put_i64 (bytes + 8, c->ref);
    bytes[16] = c->why;
    bytes[17] = c->flags;
}

void
state__counted_decode (const uint8_t *bytes, state_counted_t *c)
{
    c->at = s_get_i64 (bytes);
    c->ref = s_get_i64 (bytes + 8);
    c->why = bytes[16];
    c->flags = bytes[17];
}

void
state__trail_encode (const state_trail_rec_t *r, uint8_t *bytes)
{
    uint32_t period = (uint32_t)r->period, delta = (uint32_t)r->delta;
    for (int i = 0; i < 4; i++) {
        bytes[i] = (uint8_t)(period >> (24 - 8 * i));
        bytes[6 + i] = (uint8_t)(delta >> (24 - 8 * i));
    }
    bytes[4] = r->kind;
    bytes[5] = r->counter;
}

void
state__trail_decode (const uint8_t *bytes, state_trail_rec_t *r)
{
    uint32_t period = 0, delta = 0;
    for (int i = 0; i < 4; i++) {
        period = period << 8 | bytes[i];
        delta = delta << 8 | bytes[6 + i];
    }
    r->period = (int32_t)period;
    r->kind = bytes[4];
    r->counter = bytes[5];
    r->delta = (int32_t)delta;
}
