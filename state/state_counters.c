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

int
state__count_in (store_txn_t *txn, const state_ticket_t *t,
                 proto_period_t period, int counter, int32_t delta,
                 state_effects_t *effects)
{
    int32_t vec[RULES_STORED_COUNTERS] = {0};
    vec[counter] = delta;
    char p[8];
    proto_period_format (period, p);
    const char *slices[3] = {"", t->channel, t->category};
    const char *prefix[3] = {"", "ch:", "cat:"};
    for (int s = 0; s < 3; s++) {
        if (s > 0 && !*slices[s])
            continue;
        uint8_t key[STORE_KEY_MAX];
        size_t size =
            state_counter_key (key, p, t->unit_id, prefix[s], slices[s]);
        int rc = store_add_i32 (txn, STORE_COUNTERS, key, size, vec,
                                RULES_STORED_COUNTERS);
        if (rc != STORE_OK)
            return rc;
    }
    state__effects_touch (effects, period, t->unit_id);
    return STORE_OK;
}

void
state_counters_decode (const void *value, size_t size, double *counters)
{
    /* As store_get_i32: a shorter record is zero-extended. LMDB values
       need not be aligned: copy the bytes. */
    int32_t stored[RULES_STORED_COUNTERS] = {0};
    size_t n = size / sizeof (int32_t);
    memcpy (stored, value,
            (n < RULES_STORED_COUNTERS ? n : RULES_STORED_COUNTERS) *
                sizeof (int32_t));
    for (int c = 0; c < RULES_STORED_COUNTERS; c++)
        counters[c] = stored[c];
    rules_counters_derive (counters);
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
        state_counters_decode (stored, sizeof (stored), counters);
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
