/*  report_inputs: a period's counters and manual items from the store.

    A period's records come in unit id order (state_scan_period). Reading
    every unit of a report walks them with one cursor beside the registry
    sorted by id (a merge), instead of a B-tree descent per unit and per
    slice; the cost is one step per record of the period, whatever the
    number of events behind them. A single unit (the publisher re-reading
    what a commit touched) takes point reads. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* qsort has no context argument: the units being sorted. */
static _Thread_local const rules_unit_t *s_sort_units;

static int
s_compare_id (const void *a, const void *b)
{
    return strcmp (s_sort_units[*(const size_t *)a].unit_id,
                   s_sort_units[*(const size_t *)b].unit_id);
}

int
report_roster_init (report_roster_t *self, const rules_unit_t *units,
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
report_roster_free (report_roster_t *self)
{
    free (self->by_id);
    memset (self, 0, sizeof (*self));
}

long
report_roster_find (const report_roster_t *self, const char *unit_id)
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

/* The merge of a period scan with the roster. */
typedef struct {
    const report_roster_t *roster; /* units by id */
    size_t next;                   /* next roster unit by id */
    long unit;                     /* the unit of the last key, or -1 */
    char last[PROTO_ID_MAX + 1];   /* its id */
    bool have_last;                /* last is set */
    report_record_fn *fn;          /* the caller's function */
    void *arg;                     /* its argument */
} s_merge_t;

static void
s_merge (void *arg, const char *unit_id, const char *rest, const void *value,
         size_t size)
{
    s_merge_t *m = arg;
    const report_roster_t *roster = m->roster;
    if (!m->have_last || strcmp (m->last, unit_id) != 0) {
        /* A new unit: move the merge forward to it. */
        snprintf (m->last, sizeof (m->last), "%s", unit_id);
        m->have_last = true;
        while (m->next < roster->count &&
               strcmp (roster->units[roster->by_id[m->next]].unit_id, m->last) <
                   0)
            m->next++;
        m->unit = m->next < roster->count &&
                          strcmp (roster->units[roster->by_id[m->next]].unit_id,
                                  m->last) == 0
                      ? (long)roster->by_id[m->next]
                      : -1;
    }
    if (m->unit >= 0) /* else not in the registry */
        m->fn (m->arg, (size_t)m->unit, rest, value, size);
}

int
report_scan_period (store_txn_t *txn, store_table_t table, const char *period,
                    const report_roster_t *roster, report_record_fn *fn,
                    void *arg)
{
    s_merge_t merge = {roster, 0, -1, "", false, fn, arg};
    return state_scan_period (txn, table, period, s_merge, &merge);
}

bool
report_ruleset_has_manual (const rules_ruleset_t *rs)
{
    if (*rs->bonus)
        return true;
    for (int i = 0; i < rs->item_count; i++)
        if (!rs->items[i].formula)
            return true;
    return false;
}

typedef struct {
    const rules_ruleset_t *rs; /* whose items */
    rules_input_t *in;         /* per unit */
    report_record_fn *slices;  /* sees the other slices, or NULL */
    void *arg;                 /* its argument */
} s_read_t;

static void
s_take_counters (void *arg, size_t unit, const char *rest, const void *value,
                 size_t size)
{
    s_read_t *self = arg;
    if (*rest == 0)
        state_counters_decode (value, size, self->in[unit].counters);
    else if (self->slices)
        self->slices (self->arg, unit, rest, value, size);
}

static void
s_take_manual (void *arg, size_t unit, const char *rest, const void *value,
               size_t size)
{
    s_read_t *self = arg;
    double v = state_manual_decode (value, size);
    if (isnan (v))
        return;
    const rules_ruleset_t *rs = self->rs;
    for (int i = 0; i < rs->item_count; i++)
        if (!rs->items[i].formula && strcmp (rs->items[i].id, rest) == 0)
            self->in[unit].manual[i] = v;
    if (*rs->bonus && strcmp (rs->bonus, rest) == 0)
        self->in[unit].bonus = v;
}

int
report_inputs_read (store_txn_t *txn, const rules_ruleset_t *rs,
                    const char *period, const report_roster_t *roster,
                    rules_input_t *in, report_record_fn *slices, void *arg,
                    char *err)
{
    double zero[RULES_COUNTERS] = {0};
    rules_counters_derive (zero);
    for (size_t u = 0; u < roster->count; u++) {
        in[u].unit = &roster->units[u];
        memcpy (in[u].counters, zero, sizeof (zero));
        for (int i = 0; i < RULES_ITEMS_MAX; i++)
            in[u].manual[i] = NAN;
        in[u].bonus = NAN;
    }
    s_read_t read = {rs, in, slices, arg};
    int rc = report_scan_period (txn, STORE_COUNTERS, period, roster,
                                 s_take_counters, &read);
    if (rc == STORE_OK && report_ruleset_has_manual (rs))
        rc = report_scan_period (txn, STORE_MANUAL, period, roster,
                                 s_take_manual, &read);
    if (rc != STORE_OK) {
        snprintf (err, 256, "reading counters: %s", store_strerror (rc));
        return -1;
    }
    return 0;
}

int
report_input_counters (store_txn_t *txn, const char *period, rules_input_t *in,
                       char *err)
{
    int rc = state_counters_get (txn, period, in->unit->unit_id, in->counters);
    if (rc != STORE_OK) {
        snprintf (err, 256, "reading counters: %s", store_strerror (rc));
        return -1;
    }
    return 0;
}

void
report_input_manual (store_txn_t *txn, const rules_ruleset_t *rs,
                     const char *period, rules_input_t *in)
{
    const char *unit = in->unit->unit_id;
    for (int i = 0; i < rs->item_count; i++)
        in->manual[i] =
            rs->items[i].formula
                ? NAN
                : state_manual_get (txn, period, unit, rs->items[i].id);
    for (int i = rs->item_count; i < RULES_ITEMS_MAX; i++)
        in->manual[i] = NAN;
    in->bonus =
        *rs->bonus ? state_manual_get (txn, period, unit, rs->bonus) : NAN;
}
