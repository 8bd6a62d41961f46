/*  publisher_live: score rows kept up to date commit by commit.

    Rescoring a period is cheap (rules_score is pure arithmetic); what
    used to make a publisher pass cost 35 ms for 1,000 units and five
    rulesets was around it: the registry listed and sorted, every unit's
    counters and manual items read again, and a JSON row rendered and
    compared as text for every unit of every ruleset. Here the inputs stay
    in memory between passes, only the touched units are read again, and
    a row is rendered only when its numbers moved (see scorer_live.h for
    why that gives the same rows).

    Invariant: for every listed unit of an entry whose row is not marked
    pending, the last JSON reported for it is the rendering of its
    current output. A pass marks pending the rows whose numbers moved and
    reports the touched units' rows at once; publisher_live_flush reports the
    rest. */
#include "publisher_live.h"
#include "report.h"

#include <czmq.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Periods kept per ruleset: the current one and one more (events for
   the previous month arrive late at the start of a month). An evicted
   period is read again in full when touched. */
#define LIVE_PERIODS 2

/* What the next pass reads again in one period. */
typedef struct {
    proto_period_t period; /* the period */
    char text[8];          /* "2025-07" */
    bool all;              /* every unit */
    zhashx_t *units;       /* unit ids touched, when not all */
    size_t *index;         /* pass: their registry indices */
    double *counters;      /* pass: their counters, RULES_COUNTERS each */
    size_t count;          /* pass: how many were read */
    bool read;             /* pass: index and counters are filled */
} s_touched_t;

/* One ruleset's rows of one period. */
typedef struct {
    const rules_ruleset_t *rs; /* matched by pointer: a reload is new */
    proto_period_t period;     /* the period */
    char text[8];              /* "2025-07" */
    uint64_t generation;       /* registry generation of the inputs */
    rules_input_t *in;         /* per unit, registry order */
    rules_output_t *out;       /* as last scored */
    rules_output_t *next;      /* scratch for the pass */
    size_t count;              /* units */
    bool fresh;                /* read in full, rows not yet compared */
    uint64_t used;             /* the last pass that touched it */
    int *tables;               /* per unit: its table (registry group) */
    double
        agg[3 * RULES_COUNTERS]; /* report-wide values `out` was scored with */
    bool agg_valid;              /* agg and out go together */
    bool *pending;               /* per unit: row not reported since it moved */
    size_t pending_count;        /* how many */
} s_entry_t;

struct _publisher_live_t {
    zhashx_t *touched;      /* period text -> s_touched_t */
    zlistx_t *entries;      /* s_entry_t, any order */
    zhashx_t *last;         /* "ruleset|period|unit" -> last JSON */
    rules_unit_t *units;    /* the registry, in order */
    size_t count;           /* units */
    report_roster_t roster; /* units by id */
    char *raw;              /* the registry's bytes, to notice changes */
    size_t raw_size;        /* bytes used */
    uint64_t generation;    /* bumped when the registry changed */
    uint64_t passes;        /* passes so far */
    size_t pending;         /* rows pending over all entries */
    json_writer_t json;     /* the row being rendered */
};

static void
s_touched_destroy (void **item)
{
    s_touched_t *self = *item;
    if (!self)
        return;
    zhashx_destroy (&self->units);
    free (self->index);
    free (self->counters);
    free (self);
    *item = NULL;
}

static void
s_entry_destroy (void **item)
{
    s_entry_t *self = *item;
    if (!self)
        return;
    free (self->in);
    free (self->out);
    free (self->next);
    free (self->pending);
    free (self->tables);
    free (self);
    *item = NULL;
}

publisher_live_t *
publisher_live_new (void)
{
    publisher_live_t *self = calloc (1, sizeof (*self));
    if (!self)
        return NULL;
    self->touched = zhashx_new ();
    self->entries = zlistx_new ();
    self->last = zhashx_new ();
    json_init (&self->json, 1024);
    if (!self->touched || !self->entries || !self->last || self->json.failed) {
        publisher_live_destroy (&self);
        return NULL;
    }
    zhashx_set_destructor (self->touched, s_touched_destroy);
    zlistx_set_destructor (self->entries, s_entry_destroy);
    zhashx_set_destructor (self->last, (zhashx_destructor_fn *)zstr_free);
    return self;
}

void
publisher_live_destroy (publisher_live_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    publisher_live_t *self = *self_p;
    zhashx_destroy (&self->touched);
    zlistx_destroy (&self->entries);
    zhashx_destroy (&self->last);
    report_roster_free (&self->roster);
    free (self->units);
    free (self->raw);
    json_free (&self->json);
    free (self);
    *self_p = NULL;
}

static s_touched_t *
s_touched (publisher_live_t *self, proto_period_t period)
{
    char text[8];
    proto_period_format (period, text);
    s_touched_t *touched = zhashx_lookup (self->touched, text);
    if (touched)
        return touched;
    touched = calloc (1, sizeof (*touched));
    if (!touched)
        return NULL;
    touched->period = period;
    memcpy (touched->text, text, sizeof (text));
    touched->units = zhashx_new ();
    if (!touched->units) {
        free (touched);
        return NULL;
    }
    zhashx_insert (self->touched, text, touched);
    return touched;
}

void
publisher_live_touch (publisher_live_t *self, const char *period_unit)
{
    const char *sep = strchr (period_unit, '\x1f');
    char text[16];
    if (!sep || sep == period_unit || !sep[1] ||
        (size_t)(sep - period_unit) >= sizeof (text))
        return;
    memcpy (text, period_unit, (size_t)(sep - period_unit));
    text[sep - period_unit] = 0;
    /* A commit touches tens of units in one or two periods: the period
       is parsed once per pass. */
    s_touched_t *touched = zhashx_lookup (self->touched, text);
    proto_period_t period;
    if (!touched && proto_period_parse (text, &period) == 0)
        touched = s_touched (self, period);
    if (touched && !touched->all)
        zhashx_insert (touched->units, sep + 1, (void *)"");
}

void
publisher_live_touch_all (publisher_live_t *self, proto_period_t period)
{
    s_touched_t *touched = s_touched (self, period);
    if (touched) {
        touched->all = true;
        zhashx_purge (touched->units);
    }
}

bool
publisher_live_pending (publisher_live_t *self)
{
    return zhashx_size (self->touched) > 0;
}

/* Reads the registry's records as bytes and compares them with the last
   pass's: units imported, renamed or regrouped while running change
   them. Only then is the registry decoded and sorted again; the caller
   installs it (s_registry_install). Returns 1 when it changed (*units,
   *count, *raw, *raw_size set), 0 when not, -1 on failure. */
static int
s_registry_read (publisher_live_t *self, store_txn_t *txn, rules_unit_t **units,
                 size_t *count, char **raw_p, size_t *raw_size)
{
    store_cursor_t *cursor = store_cursor_new (txn, STORE_UNITS, NULL, 0);
    if (!cursor)
        return -1;
    size_t capacity = self->raw_size + 256, size = 0;
    char *raw = malloc (capacity);
    const void *key, *value;
    size_t key_size, value_size;
    int rc = STORE_ERROR;
    while (raw && (rc = store_cursor_next (cursor, &key, &key_size, &value,
                                           &value_size)) == STORE_OK) {
        size_t need = size + 2 * sizeof (size_t) + key_size + value_size;
        if (need > capacity) {
            capacity = need * 2;
            char *grown = realloc (raw, capacity);
            if (!grown) {
                free (raw);
                raw = NULL;
                break;
            }
            raw = grown;
        }
        memcpy (raw + size, &key_size, sizeof (size_t));
        memcpy (raw + size + sizeof (size_t), &value_size, sizeof (size_t));
        size += 2 * sizeof (size_t);
        memcpy (raw + size, key, key_size);
        memcpy (raw + size + key_size, value, value_size);
        size += key_size + value_size;
    }
    store_cursor_destroy (&cursor);
    if (!raw || rc != STORE_NOTFOUND) {
        free (raw);
        return -1;
    }
    if (self->generation > 0 && size == self->raw_size &&
        memcmp (raw, self->raw, size) == 0) {
        free (raw);
        return 0;
    }
    *units = state_units_list (txn, count);
    if (!*units && store_count (txn, STORE_UNITS) > 0) {
        free (raw);
        return -1;
    }
    *raw_p = raw;
    *raw_size = size;
    return 1;
}

/* The touched units of a period and their counters, read once per pass
   for all the rulesets of that period. */
static int
s_touched_read (publisher_live_t *self, store_txn_t *txn, s_touched_t *touched,
                char *err)
{
    if (touched->read || touched->all)
        return 0;
    size_t n = zhashx_size (touched->units);
    free (touched->index);
    free (touched->counters);
    touched->index = malloc ((n ? n : 1) * sizeof (size_t));
    touched->counters = malloc ((n ? n : 1) * RULES_COUNTERS * sizeof (double));
    if (!touched->index || !touched->counters) {
        snprintf (err, 256, "out of memory");
        return -1;
    }
    touched->count = 0;
    for (void *item = zhashx_first (touched->units); item;
         item = zhashx_next (touched->units)) {
        long u =
            report_roster_find (&self->roster, zhashx_cursor (touched->units));
        if (u < 0)
            continue; /* not a registered unit */
        rules_input_t in = {.unit = &self->units[u]};
        if (report_input_counters (txn, touched->text, &in, err) != 0)
            return -1;
        touched->index[touched->count] = (size_t)u;
        memcpy (touched->counters + touched->count * RULES_COUNTERS,
                in.counters, sizeof (in.counters));
        touched->count++;
    }
    touched->read = true;
    return 0;
}

static s_entry_t *
s_entry (publisher_live_t *self, const rules_ruleset_t *rs,
         const s_touched_t *touched)
{
    for (s_entry_t *e = zlistx_first (self->entries); e;
         e = zlistx_next (self->entries))
        if (e->rs == rs && e->period.code == touched->period.code &&
            e->period.kind == touched->period.kind)
            return e;
    s_entry_t *e = calloc (1, sizeof (*e));
    if (!e)
        return NULL;
    e->rs = rs;
    e->period = touched->period;
    memcpy (e->text, touched->text, sizeof (e->text));
    zlistx_add_end (self->entries, e);
    return e;
}

/* The whole period again: new registry, new ruleset or a new period. */
static int
s_entry_read (publisher_live_t *self, store_txn_t *txn, s_entry_t *e, char *err)
{
    size_t n = self->count ? self->count : 1;
    if (e->count != self->count || !e->in || !e->pending) {
        free (e->in);
        free (e->out);
        free (e->next);
        free (e->pending);
        free (e->tables);
        self->pending -= e->pending_count;
        e->pending_count = 0;
        e->in = malloc (n * sizeof (*e->in));
        e->out = malloc (n * sizeof (*e->out));
        e->next = malloc (n * sizeof (*e->next));
        e->pending = calloc (n, sizeof (bool));
        e->tables = malloc (n * sizeof (int));
        e->count = self->count;
        if (!e->in || !e->out || !e->next || !e->pending || !e->tables) {
            free (e->in);
            e->in = NULL;      /* read again next time */
            e->generation = 0; /* read again next time */
            snprintf (err, 256, "out of memory");
            return -1;
        }
    }
    e->fresh = true;
    if (report_inputs_read (txn, e->rs, e->text, &self->roster, e->in, NULL,
                            NULL, err) != 0) {
        e->generation = 0;
        return -1;
    }
    rules_tables_assign (e->rs, self->units, self->count, e->tables);
    e->generation = self->generation;
    return 0;
}

static bool
s_equal (double a, double b)
{
    /* Equal numbers print equally (-0 and 0 too: shown as 0.00). */
    return a == b || (isnan (a) && isnan (b));
}

/* True when both outputs render the same publisher row. */
static bool
s_same_row (const rules_ruleset_t *rs, const rules_output_t *a,
            const rules_output_t *b)
{
    if ((a->table >= 0) != (b->table >= 0) || a->rank != b->rank ||
        a->excluded != b->excluded || !s_equal (a->total, b->total))
        return false;
    for (int i = 0; i < rs->item_count; i++)
        if (!s_equal (a->shown[i], b->shown[i]))
            return false;
    for (int d = 0; d < rs->dim_count; d++)
        if (!s_equal (a->dims[d], b->dims[d]))
            return false;
    return !*rs->bonus || (s_equal (a->base_total, b->base_total) &&
                           s_equal (a->bonus, b->bonus));
}

/* "ruleset|period|unit", the key of a row last reported. Ids are at most
   PROTO_ID_MAX bytes, periods 7. */
static void
s_key (char *key, const char *ruleset, const char *period, const char *unit)
{
    size_t a = strnlen (ruleset, PROTO_ID_MAX), b = strnlen (period, 7),
           c = strnlen (unit, PROTO_ID_MAX);
    memcpy (key, ruleset, a);
    key[a] = '|';
    memcpy (key + a + 1, period, b);
    key[a + 1 + b] = '|';
    memcpy (key + a + 2 + b, unit, c);
    key[a + 2 + b + c] = 0;
}

static void
s_mark (publisher_live_t *self, s_entry_t *e, size_t u, bool pending)
{
    if (e->pending[u] == pending)
        return;
    e->pending[u] = pending;
    if (pending) {
        e->pending_count++;
        self->pending++;
    } else {
        e->pending_count--;
        self->pending--;
    }
}

/* Renders a pending row and reports it when its JSON differs from the
   last one reported; it is then no longer pending. */
static int
s_report (publisher_live_t *self, s_entry_t *e, size_t u, publisher_live_fn *fn,
          void *arg)
{
    const rules_ruleset_t *rs = e->rs;
    json_reset (&self->json);
    report_row_publish (&self->json, rs, e->text, &e->in[u], &e->out[u]);
    const char *json = json_text (&self->json);
    if (!json)
        return -1;
    char key[PROTO_ID_MAX * 2 + 16];
    s_key (key, rs->id, e->text, e->in[u].unit->unit_id);
    const char *last = zhashx_lookup (self->last, key);
    if (!last || !streq (last, json)) {
        char *copy = strdup (json);
        if (!copy)
            return -1;
        zhashx_update (self->last, key, copy);
        if (fn)
            fn (arg, rs->id, e->in[u].unit->unit_id, json);
    }
    s_mark (self, e, u, false);
    return 0;
}

/* Reports up to `max` pending rows of an entry. Returns how many it
   rendered, or -1 when out of memory. */
static long
s_flush_entry (publisher_live_t *self, s_entry_t *e, size_t max,
               publisher_live_fn *fn, void *arg)
{
    size_t done = 0;
    for (size_t u = 0; u < e->count && e->pending_count && done < max; u++)
        if (e->pending[u]) {
            if (s_report (self, e, u, fn, arg) != 0)
                return -1;
            done++;
        }
    return (long)done;
}

size_t
publisher_live_flush (publisher_live_t *self, size_t max, publisher_live_fn *fn,
                      void *arg)
{
    size_t done = 0;
    for (s_entry_t *e = zlistx_first (self->entries); e && done < max;
         e = zlistx_next (self->entries)) {
        long n = s_flush_entry (self, e, max - done, fn, arg);
        if (n < 0) {
            zsys_warning ("live scores: %s %s: out of memory", e->rs->id,
                          e->text);
            break;
        }
        done += (size_t)n;
    }
    return self->pending;
}

size_t
publisher_live_backlog (publisher_live_t *self)
{
    return self->pending;
}

/* Installs a new registry. Every pending row is reported first, rendered
   with the registry it was scored with (which goes now); each period is
   read again in full when next touched. */
static void
s_registry_install (publisher_live_t *self, rules_unit_t *units, size_t count,
                    char *raw, size_t raw_size, publisher_live_fn *fn,
                    void *arg)
{
    report_roster_t roster;
    if (report_roster_init (&roster, units, count) != 0) {
        free (units);
        free (raw);
        return; /* the next pass tries again: raw_size still differs */
    }
    if (publisher_live_flush (self, SIZE_MAX, fn, arg) > 0) {
        /* Out of memory: pending rows still point into the registry. */
        report_roster_free (&roster);
        free (units);
        free (raw);
        return;
    }
    report_roster_free (&self->roster);
    free (self->units);
    free (self->raw);
    self->units = units;
    self->count = count;
    self->roster = roster;
    self->raw = raw;
    self->raw_size = raw_size;
    self->generation++;
}

static int
s_entry_pass (publisher_live_t *self, store_txn_t *txn, s_entry_t *e,
              s_touched_t *touched, publisher_live_fn *fn, void *arg, char *err)
{
    const rules_ruleset_t *rs = e->rs;
    e->used = self->passes;
    /* The touched units are read once for all rulesets of the period. */
    if (s_touched_read (self, txn, touched, err) != 0) {
        e->generation = 0; /* these touches are lost: read it all */
        return -1;
    }
    bool full = e->generation != self->generation || touched->all || !e->in;
    if (full) {
        if (s_entry_read (self, txn, e, err) != 0)
            return -1;
    } else {
        bool manual = report_ruleset_has_manual (rs);
        for (size_t k = 0; k < touched->count; k++) {
            rules_input_t *in = &e->in[touched->index[k]];
            memcpy (in->counters, touched->counters + k * RULES_COUNTERS,
                    sizeof (in->counters));
            if (manual)
                report_input_manual (txn, rs, e->text, in);
        }
    }
    /* Scoring into `next` keeps `out` as the rows last compared, should
       a formula fail. Then `out` is the new scoring, `next` the last. */
    bool some = !full && e->agg_valid;
    e->agg_valid = false;
    if (rules_rescore (rs, e->in, e->count, e->tables, touched->index,
                       some ? touched->count : 0, some ? e->out : NULL, e->agg,
                       e->next, err) != 0)
        return -1;
    e->agg_valid = true;
    rules_output_t *swap = e->out;
    e->out = e->next;
    e->next = swap;
    bool fresh = e->fresh;
    e->fresh = false;
    for (size_t u = 0; u < e->count; u++)
        if (e->out[u].table < 0)
            s_mark (self, e, u, false); /* no row */
        else if (fresh || !s_same_row (rs, &e->next[u], &e->out[u]))
            s_mark (self, e, u, true);
    /* The rows of the units this commit touched go out now; rows that
       moved only through report-wide values or ranks (often all of them)
       wait for publisher_live_flush, so the next commit's rows are not
       queued behind them. */
    if (!fn || touched->all) {
        if (s_flush_entry (self, e, SIZE_MAX, fn, arg) < 0)
            goto nomem;
    } else
        for (size_t k = 0; k < touched->count; k++)
            if (e->pending[touched->index[k]] &&
                s_report (self, e, touched->index[k], fn, arg) != 0)
                goto nomem;
    return 0;
nomem:
    snprintf (err, 256, "out of memory");
    e->generation = 0; /* read and compare every row next time */
    return -1;
}

static bool
s_in_set (const rules_set_t *sets, const rules_ruleset_t *rs)
{
    for (size_t r = 0; r < rules_set_size (sets); r++)
        if (rules_set_at (sets, r) == rs)
            return true;
    return false;
}

/* Entries of rulesets no longer loaded go (stale), or the least recently
   used beyond LIVE_PERIODS per ruleset. Their pending rows are reported
   first (a ruleset replaced by a reload stays valid: scorer_catalog).
   Stale entries go before a pass scores with the new set, whose rows of
   the same ruleset id must come after theirs. A handful of entries. */
static void
s_evict (publisher_live_t *self, const rules_set_t *sets, bool stale,
         publisher_live_fn *fn, void *arg)
{
    size_t n = zlistx_size (self->entries), k = 0;
    void **handles = malloc ((n ? n : 1) * sizeof (void *));
    s_entry_t **items = malloc ((n ? n : 1) * sizeof (s_entry_t *));
    for (s_entry_t *e = zlistx_first (self->entries); handles && items && e;
         e = zlistx_next (self->entries)) {
        handles[k] = zlistx_cursor (self->entries);
        items[k++] = e;
    }
    /* Decide first, then delete: the decisions compare entries. */
    bool *drop = calloc (k ? k : 1, sizeof (bool));
    for (size_t i = 0; drop && i < k; i++) {
        size_t newer = 0;
        for (size_t j = 0; j < k; j++)
            if (items[j]->rs == items[i]->rs && items[j]->used > items[i]->used)
                newer++;
        bool in_set = s_in_set (sets, items[i]->rs);
        drop[i] = stale ? !in_set : newer >= LIVE_PERIODS;
    }
    for (size_t i = 0; drop && i < k; i++) {
        if (!drop[i] || s_flush_entry (self, items[i], SIZE_MAX, fn, arg) < 0)
            continue; /* kept: flushed by a later pass */
        self->pending -= items[i]->pending_count;
        zlistx_delete (self->entries, handles[i]);
    }
    free (drop);
    free (handles);
    free (items);
}

int
publisher_live_pass (publisher_live_t *self, store_txn_t *txn,
                     const rules_set_t *sets, publisher_live_fn *fn, void *arg)
{
    if (zhashx_size (self->touched) == 0)
        return 0;
    self->passes++;
    rules_unit_t *units = NULL;
    char *raw = NULL;
    size_t count = 0, raw_size = 0;
    int changed = s_registry_read (self, txn, &units, &count, &raw, &raw_size);
    if (changed < 0) {
        /* The touches stay: the next pass tries again. */
        zsys_warning ("live scores: cannot read the units registry");
        return -1;
    }
    if (changed)
        s_registry_install (self, units, count, raw, raw_size, fn, arg);
    s_evict (self, sets, true, fn, arg);
    int rc = 0;
    for (size_t r = 0; r < rules_set_size (sets); r++) {
        const rules_ruleset_t *rs = rules_set_at (sets, r);
        for (s_touched_t *touched = zhashx_first (self->touched); touched;
             touched = zhashx_next (self->touched)) {
            if (touched->period.kind != report_period_kind (rs))
                continue;
            char err[256] = "out of memory";
            s_entry_t *e = s_entry (self, rs, touched);
            if (!e || s_entry_pass (self, txn, e, touched, fn, arg, err) != 0) {
                zsys_warning ("live scores: %s %s: %s", rules_ruleset_id (rs),
                              touched->text, err);
                rc = -1;
            }
        }
    }
    zhashx_purge (self->touched);
    s_evict (self, sets, false, fn, arg);
    return rc;
}
