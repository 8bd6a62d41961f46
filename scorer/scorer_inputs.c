/*  scorer_inputs: a period's counters and manual items from the store.

    Counter and manual records are keyed period \0 unit \0 rest, so one
    period's records are contiguous and in unit id order. Reading every
    unit of a report walks them with one cursor beside the registry
    sorted by id (a merge), instead of a B-tree descent per unit and per
    slice; the cost is one step per record of the period, whatever the
    number of events behind them. A single unit (the publisher re-reading
    what a commit touched) takes point reads. */
#include "scorer_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* qsort has no context argument: the units being sorted. */
static _Thread_local const scorer_unit_t *s_sort_units;

static int
s_compare_id (const void *a, const void *b)
{
    return strcmp (s_sort_units[*(const size_t *)a].unit_id,
                   s_sort_units[*(const size_t *)b].unit_id);
}

int
scorer__roster_init (scorer_roster_t *self, const scorer_unit_t *units,
                     size_t count)
{
    self->units = units;
    self->count = count;
    self->by_id = malloc ((count ? count : 1) * sizeof (size_t));
    if (!self->by_id)
        return -1;
    /* The registry is read in key order and sorted by registry order;
       units imported in id order (the usual case) come back sorted, and
       the check costs one comparison per unit. */
    bool sorted = true;
    for (size_t u = 0; u < count; u++) {
        self->by_id[u] = u;
        if (u > 0 && strcmp (units[u - 1].unit_id, units[u].unit_id) > 0)
            sorted = false;
    }
    if (!sorted) {
        s_sort_units = units;
        qsort (self->by_id, count, sizeof (size_t), s_compare_id);
        s_sort_units = NULL;
    }
    return 0;
}

void
scorer__roster_free (scorer_roster_t *self)
{
    free (self->by_id);
    memset (self, 0, sizeof (*self));
}

long
scorer__roster_find (const scorer_roster_t *self, const char *unit_id)
{
    size_t low = 0, high = self->count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        int c = strcmp (self->units[self->by_id[mid]].unit_id, unit_id);
        if (c == 0)
            return (long)self->by_id[mid];
        if (c < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return -1;
}

int
scorer__scan_period (store_txn_t *txn, store_table_t table, const char *period,
                     const scorer_roster_t *roster, scorer_record_fn *fn,
                     void *arg)
{
    /* The period's first key is "period\0": every key of the period
       starts with it, and LMDB orders keys bytewise, as strcmp orders
       the unit ids that follow. */
    size_t prefix = strlen (period) + 1;
    store_cursor_t *cursor = store_cursor_new (txn, table, period, prefix);
    if (!cursor)
        return STORE_ERROR;
    const void *key, *value;
    size_t key_size, size, next = 0; /* next roster unit by id */
    long unit = -1;                  /* the unit of the last key */
    char last[PROTO_ID_MAX + 1];     /* its id (keys are borrowed) */
    bool have_last = false;          /* last is set */
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
        size_t id_len = (size_t)(end - id);
        if (!have_last || strcmp (last, id) != 0) {
            /* A new unit: move the merge forward to it. */
            memcpy (last, id, id_len + 1);
            have_last = true;
            while (next < roster->count &&
                   strcmp (roster->units[roster->by_id[next]].unit_id, last) <
                       0)
                next++;
            unit = next < roster->count &&
                           strcmp (roster->units[roster->by_id[next]].unit_id,
                                   last) == 0
                       ? (long)roster->by_id[next]
                       : -1;
        }
        if (unit < 0)
            continue; /* not in the registry */
        char rest[STORE_KEY_MAX + 1];
        size_t rest_len = key_size - prefix - id_len - 1;
        memcpy (rest, end + 1, rest_len);
        rest[rest_len] = 0;
        fn (arg, (size_t)unit, rest, value, size);
    }
    store_cursor_destroy (&cursor);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

void
scorer__counters_decode (const void *value, size_t size, double *counters)
{
    /* As store_get_i32: a shorter record is zero-extended. LMDB values
       need not be aligned: copy the bytes. */
    int32_t stored[SC_STORED_COUNT] = {0};
    size_t n = size / sizeof (int32_t);
    memcpy (stored, value,
            (n < SC_STORED_COUNT ? n : SC_STORED_COUNT) * sizeof (int32_t));
    for (int c = 0; c < SC_STORED_COUNT; c++)
        counters[c] = stored[c];
    scorer_counters_derive (counters);
}

/* A manual record: the value and the time of the ADJUSTED that set it. */
typedef struct {
    double value; /* the item's value */
    int64_t at;   /* occurred_at of the adjustment */
} s_manual_t;

bool
scorer__ruleset_has_manual (const scorer_ruleset_t *rs)
{
    if (*rs->bonus)
        return true;
    for (int i = 0; i < rs->item_count; i++)
        if (!rs->items[i].formula)
            return true;
    return false;
}

typedef struct {
    const scorer_ruleset_t *rs; /* whose items */
    scorer_input_t *in;         /* per unit */
    scorer_record_fn *slices;   /* sees the other slices, or NULL */
    void *arg;                  /* its argument */
} s_read_t;

static void
s_take_counters (void *arg, size_t unit, const char *rest, const void *value,
                 size_t size)
{
    s_read_t *self = arg;
    if (*rest == 0)
        scorer__counters_decode (value, size, self->in[unit].counters);
    else if (self->slices)
        self->slices (self->arg, unit, rest, value, size);
}

static void
s_take_manual (void *arg, size_t unit, const char *rest, const void *value,
               size_t size)
{
    s_read_t *self = arg;
    s_manual_t rec;
    if (size != sizeof (rec))
        return;
    memcpy (&rec, value, sizeof (rec));
    const scorer_ruleset_t *rs = self->rs;
    for (int i = 0; i < rs->item_count; i++)
        if (!rs->items[i].formula && strcmp (rs->items[i].id, rest) == 0)
            self->in[unit].manual[i] = rec.value;
    if (*rs->bonus && strcmp (rs->bonus, rest) == 0)
        self->in[unit].bonus = rec.value;
}

int
scorer__inputs_read (store_txn_t *txn, const scorer_ruleset_t *rs,
                     const char *period, const scorer_roster_t *roster,
                     scorer_input_t *in, scorer_record_fn *slices, void *arg,
                     char *err)
{
    double zero[SC_COUNT] = {0};
    scorer_counters_derive (zero);
    for (size_t u = 0; u < roster->count; u++) {
        in[u].unit = &roster->units[u];
        memcpy (in[u].counters, zero, sizeof (zero));
        for (int i = 0; i < SCORER_ITEMS_MAX; i++)
            in[u].manual[i] = NAN;
        in[u].bonus = NAN;
    }
    s_read_t read = {rs, in, slices, arg};
    int rc = scorer__scan_period (txn, STORE_COUNTERS, period, roster,
                                  s_take_counters, &read);
    if (rc == STORE_OK && scorer__ruleset_has_manual (rs))
        rc = scorer__scan_period (txn, STORE_MANUAL, period, roster,
                                  s_take_manual, &read);
    if (rc != STORE_OK) {
        snprintf (err, 256, "reading counters: %s", store_strerror (rc));
        return -1;
    }
    return 0;
}

int
scorer__input_counters (store_txn_t *txn, const char *period,
                        scorer_input_t *in, char *err)
{
    uint8_t key[STORE_KEY_MAX];
    size_t size = scorer__counter_key (key, period, in->unit->unit_id, "", "");
    int32_t stored[SC_STORED_COUNT];
    int rc =
        store_get_i32 (txn, STORE_COUNTERS, key, size, stored, SC_STORED_COUNT);
    if (rc != STORE_OK) {
        snprintf (err, 256, "reading counters: %s", store_strerror (rc));
        return -1;
    }
    scorer__counters_decode (stored, sizeof (stored), in->counters);
    return 0;
}

/* The latest ADJUSTED value of a manual item, or NAN. */
static double
s_read_manual (store_txn_t *txn, const char *period, const char *unit,
               const char *item)
{
    s_manual_t rec;
    uint8_t key[STORE_KEY_MAX];
    size_t size = scorer__counter_key (key, period, unit, "", item);
    size_t vsize = sizeof (rec);
    if (store_get (txn, STORE_MANUAL, key, size, &rec, &vsize) == STORE_OK &&
        vsize == sizeof (rec))
        return rec.value;
    return NAN;
}

void
scorer__input_manual (store_txn_t *txn, const scorer_ruleset_t *rs,
                      const char *period, scorer_input_t *in)
{
    const char *unit = in->unit->unit_id;
    for (int i = 0; i < rs->item_count; i++)
        in->manual[i] = rs->items[i].formula ? NAN
                                             : s_read_manual (txn, period, unit,
                                                              rs->items[i].id);
    for (int i = rs->item_count; i < SCORER_ITEMS_MAX; i++)
        in->manual[i] = NAN;
    in->bonus = *rs->bonus ? s_read_manual (txn, period, unit, rs->bonus) : NAN;
}
