/*  scorer_report: the end-of-period scorecard from the store.

    Reads the units registry and each unit's counters and manual items for
    the period inside the caller's (read) transaction, scores them with
    scorer_score, and renders INTERFACES.md section 4 with the extensions
    of docs/report-json.md. The cost is a few point reads per unit,
    independent of how many events the period holds: aggregates are
    maintained as events arrive. */
#include "scorer_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A scored period: units, their inputs and outputs, in registry order. */
typedef struct {
    scorer_unit_t *units; /* registry, in order */
    scorer_input_t *in;   /* per unit */
    scorer_output_t *out; /* per unit */
    size_t count;         /* units */
} s_scored_t;

static void
s_scored_free (s_scored_t *s)
{
    free (s->units);
    free (s->in);
    free (s->out);
    memset (s, 0, sizeof (*s));
}

/* Reads one slice's counters (derived ones filled). */
static int
s_read_counters (store_txn_t *txn, const char *period, const char *unit,
                 const char *prefix, const char *slice, double *out)
{
    uint8_t key[STORE_KEY_MAX];
    size_t size = scorer__counter_key (key, period, unit, prefix, slice);
    int32_t stored[SC_STORED_COUNT];
    int rc =
        store_get_i32 (txn, STORE_COUNTERS, key, size, stored, SC_STORED_COUNT);
    for (int c = 0; c < SC_STORED_COUNT; c++)
        out[c] = stored[c];
    scorer_counters_derive (out);
    return rc;
}

/* The latest ADJUSTED value of a manual item, or NAN. */
static double
s_read_manual (store_txn_t *txn, const char *period, const char *unit,
               const char *item)
{
    struct {
        double value;
        int64_t at;
    } rec;
    uint8_t key[STORE_KEY_MAX];
    size_t size = scorer__counter_key (key, period, unit, "", item);
    size_t vsize = sizeof (rec);
    if (store_get (txn, STORE_MANUAL, key, size, &rec, &vsize) == STORE_OK &&
        vsize == sizeof (rec))
        return rec.value;
    return NAN;
}

static int
s_score_period (store_txn_t *txn, const scorer_ruleset_t *rs,
                const char *period, s_scored_t *s, char *err)
{
    memset (s, 0, sizeof (*s));
    s->units = scorer_units_list (txn, &s->count);
    s->in = calloc (s->count ? s->count : 1, sizeof (*s->in));
    s->out = calloc (s->count ? s->count : 1, sizeof (*s->out));
    if (!s->in || !s->out) {
        snprintf (err, 256, "out of memory");
        s_scored_free (s);
        return -1;
    }
    for (size_t u = 0; u < s->count; u++) {
        scorer_input_t *in = &s->in[u];
        in->unit = &s->units[u];
        int rc = s_read_counters (txn, period, in->unit->unit_id, "", "",
                                  in->counters);
        if (rc != STORE_OK) {
            snprintf (err, 256, "reading counters: %s", store_strerror (rc));
            s_scored_free (s);
            return -1;
        }
        for (int i = 0; i < rs->item_count; i++)
            in->manual[i] = rs->items[i].formula
                                ? NAN
                                : s_read_manual (txn, period, in->unit->unit_id,
                                                 rs->items[i].id);
        in->bonus = *rs->bonus ? s_read_manual (txn, period, in->unit->unit_id,
                                                rs->bonus)
                               : NAN;
    }
    if (scorer_score (rs, s->in, s->count, s->out, err) != 0) {
        s_scored_free (s);
        return -1;
    }
    return 0;
}

/* A number shown with exactly two decimals (or none for whole-percent
   items), as the bulletins print it; null when there is no value. */
static cJSON *
s_shown (double value, scorer_round_t round)
{
    if (isnan (value))
        return cJSON_CreateNull ();
    char text[64];
    snprintf (text, sizeof (text), round == ROUND_PCT0 ? "%.0f" : "%.2f",
              value);
    if (strcmp (text, "-0.00") == 0 || strcmp (text, "-0") == 0)
        snprintf (text, sizeof (text), round == ROUND_PCT0 ? "0" : "0.00");
    return cJSON_CreateRaw (text);
}

/* The row's note: per month of the period, each note counter that is not
   zero, e.g. "10月逾期2件,11月逾期1件,12月退回重办1件". */
static void
s_note (store_txn_t *txn, const scorer_ruleset_t *rs, scorer_period_t period,
        const char *unit, char *note, size_t size)
{
    note[0] = 0;
    int first_month = period.kind == SCORER_MONTH
                          ? period.code
                          : period.code / 4 * 12 + period.code % 4 * 3;
    int months = period.kind == SCORER_MONTH ? 1 : 3;
    for (int n = 0; n < rs->note_count; n++)
        for (int m = 0; m < months; m++) {
            scorer_period_t month = {SCORER_MONTH, first_month + m};
            char p[8];
            double counters[SC_COUNT];
            s_read_counters (txn, scorer_period_format (month, p), unit, "", "",
                             counters);
            long count = lround (counters[rs->notes[n].counter]);
            if (count <= 0)
                continue;
            /* Expand {m} and {n} in the ruleset's text. */
            char piece[256] = "";
            for (const char *f = rs->notes[n].format; *f;) {
                size_t len = strlen (piece);
                if (strncmp (f, "{m}", 3) == 0) {
                    snprintf (piece + len, sizeof (piece) - len, "%d",
                              month.code % 12 + 1);
                    f += 3;
                } else if (strncmp (f, "{n}", 3) == 0) {
                    snprintf (piece + len, sizeof (piece) - len, "%ld", count);
                    f += 3;
                } else if (len + 1 < sizeof (piece)) {
                    piece[len] = *f++;
                    piece[len + 1] = 0;
                } else
                    break;
            }
            size_t len = strlen (note);
            snprintf (note + len, size - len, "%s%s", len ? "," : "", piece);
        }
}

static scorer_period_t
s_previous (scorer_period_t period)
{
    period.code--;
    return period;
}

static cJSON *
s_row_json (const scorer_ruleset_t *rs, const scorer_input_t *in,
            const scorer_output_t *out, bool with_counters)
{
    cJSON *row = cJSON_CreateObject ();
    if (out->rank > 0)
        cJSON_AddNumberToObject (row, "rank", out->rank);
    else
        cJSON_AddNullToObject (row, "rank");
    cJSON_AddStringToObject (row, "unit_id", in->unit->unit_id);
    cJSON_AddStringToObject (row, "unit", in->unit->name);
    if (with_counters) {
        cJSON *counters = cJSON_AddObjectToObject (row, "counters");
        for (int c = 0; c < rs->counter_count; c++)
            cJSON_AddNumberToObject (counters,
                                     scorer_counter_name (rs->counters[c]),
                                     in->counters[rs->counters[c]]);
    }
    cJSON *items = cJSON_AddObjectToObject (row, "items");
    for (int i = 0; i < rs->item_count; i++)
        cJSON_AddItemToObject (items, rs->items[i].id,
                               s_shown (out->shown[i], rs->items[i].round));
    if (rs->dim_count) {
        cJSON *dims = cJSON_AddObjectToObject (row, "dimensions");
        for (int d = 0; d < rs->dim_count; d++)
            cJSON_AddItemToObject (dims, rs->dims[d].id,
                                   s_shown (out->dims[d], ROUND_R2));
    }
    if (*rs->bonus) {
        cJSON_AddItemToObject (row, "base_total",
                               s_shown (out->base_total, ROUND_R2));
        cJSON_AddItemToObject (row, "bonus", s_shown (out->bonus, ROUND_R2));
    }
    cJSON_AddItemToObject (row, "total", s_shown (out->total, ROUND_R2));
    return row;
}

static cJSON *
s_header_json (const scorer_ruleset_t *rs, const char *period,
               int64_t shown_as_of)
{
    cJSON *doc = cJSON_CreateObject ();
    char when[32];
    cJSON_AddStringToObject (doc, "ruleset", rs->id);
    cJSON_AddStringToObject (doc, "title", rs->title);
    cJSON_AddStringToObject (doc, "period", period);
    if (shown_as_of > 0)
        cJSON_AddStringToObject (doc, "as_of",
                                 proto_time_format (shown_as_of, when));
    else
        cJSON_AddNullToObject (doc, "as_of");
    static const char *rounds[] = {"none", "t2", "r2", "pct0"};
    cJSON *items = cJSON_AddArrayToObject (doc, "items");
    for (int i = 0; i < rs->item_count; i++) {
        const scorer_item_t *it = &rs->items[i];
        cJSON *item = cJSON_CreateObject ();
        cJSON_AddStringToObject (item, "id", it->id);
        cJSON_AddStringToObject (item, "label", it->label);
        cJSON_AddNumberToObject (item, "points", it->points);
        cJSON_AddStringToObject (item, "round", rounds[it->round]);
        cJSON_AddStringToObject (item, "suffix", it->suffix);
        if (it->dimension >= 0)
            cJSON_AddStringToObject (item, "dimension",
                                     rs->dims[it->dimension].id);
        cJSON_AddItemToArray (items, item);
    }
    if (rs->dim_count) {
        cJSON *dims = cJSON_AddArrayToObject (doc, "dimensions");
        for (int d = 0; d < rs->dim_count; d++) {
            cJSON *dim = cJSON_CreateObject ();
            cJSON_AddStringToObject (dim, "id", rs->dims[d].id);
            cJSON_AddStringToObject (dim, "label", rs->dims[d].label);
            cJSON_AddNumberToObject (dim, "points", rs->dims[d].points);
            cJSON_AddItemToArray (dims, dim);
        }
    }
    cJSON *counters = cJSON_AddArrayToObject (doc, "counters");
    for (int c = 0; c < rs->counter_count; c++)
        cJSON_AddItemToArray (
            counters,
            cJSON_CreateString (scorer_counter_name (rs->counters[c])));
    return doc;
}

/* Month-over-month (or quarter-over-quarter) change of the listed items,
   in points: the previous period is scored the same way. */
static void
s_add_changes (cJSON *row, const scorer_ruleset_t *rs,
               const scorer_output_t *now, const s_scored_t *prev,
               const char *unit_id)
{
    const scorer_output_t *before = NULL;
    for (size_t u = 0; prev && u < prev->count; u++)
        if (strcmp (prev->units[u].unit_id, unit_id) == 0)
            before = &prev->out[u];
    cJSON *changes = cJSON_AddObjectToObject (row, "changes");
    for (int c = 0; c < rs->change_count; c++) {
        int i = rs->changes[c];
        double delta = before && before->table >= 0
                           ? now->shown[i] - before->shown[i]
                           : NAN;
        cJSON_AddItemToObject (
            changes, rs->items[i].id,
            s_shown (isfinite (delta) ? scorer__round (delta, ROUND_R2) : NAN,
                     ROUND_R2));
    }
}

/* Rows by rank (ties keep registry order: equal ranks compare by index,
   which is registry order). */
static _Thread_local const scorer_output_t *s_rank_out;

static int
s_compare_by_rank (const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int rx = s_rank_out[x].rank, ry = s_rank_out[y].rank;
    if (rx != ry)
        return rx < ry ? -1 : 1;
    return (x > y) - (x < y);
}

static void
s_add_tables (cJSON *doc, store_txn_t *txn, const scorer_ruleset_t *rs,
              scorer_period_t period, const s_scored_t *s,
              const s_scored_t *prev)
{
    cJSON *tables = cJSON_AddArrayToObject (doc, "tables");
    for (int t = 0; t < rs->table_count; t++) {
        cJSON *table = cJSON_CreateObject ();
        cJSON_AddStringToObject (table, "group", rs->tables[t].group);
        cJSON_AddStringToObject (table, "title", rs->tables[t].title);
        cJSON *rows = cJSON_AddArrayToObject (table, "rows");
        /* Ranked schemes list by rank; unranked ones in registry order. */
        size_t listed = 0;
        size_t *order = malloc ((s->count ? s->count : 1) * sizeof (size_t));
        for (size_t u = 0; order && u < s->count; u++)
            if (s->out[u].table == t && !s->out[u].excluded)
                order[listed++] = u;
        if (rs->rank != RANK_NONE) {
            s_rank_out = s->out;
            qsort (order, listed, sizeof (size_t), s_compare_by_rank);
            s_rank_out = NULL;
        }
        for (size_t k = 0; k < listed; k++) {
            size_t u = order[k];
            cJSON *row = s_row_json (rs, &s->in[u], &s->out[u], true);
            if (rs->change_count)
                s_add_changes (row, rs, &s->out[u], prev, s->units[u].unit_id);
            char note[512];
            s_note (txn, rs, period, s->units[u].unit_id, note, sizeof (note));
            cJSON_AddStringToObject (row, "note", note);
            cJSON_AddItemToArray (rows, row);
        }
        free (order);
        cJSON_AddItemToArray (tables, table);
    }
    cJSON *excluded = cJSON_AddArrayToObject (doc, "excluded");
    for (size_t u = 0; u < s->count; u++) {
        if (s->out[u].table < 0 || !s->out[u].excluded)
            continue;
        cJSON *row = cJSON_CreateObject ();
        cJSON_AddStringToObject (row, "unit_id", s->units[u].unit_id);
        cJSON_AddStringToObject (row, "unit", s->units[u].name);
        cJSON_AddStringToObject (row, "reason", rs->exclude_text);
        cJSON_AddItemToArray (excluded, row);
    }
}

static void
s_add_channel_tables (cJSON *doc, store_txn_t *txn, const scorer_ruleset_t *rs,
                      const char *period, const s_scored_t *s)
{
    if (rs->channel_count == 0)
        return;
    static const char *rounds[] = {"none", "t2", "r2", "pct0"};
    cJSON *tables = cJSON_AddArrayToObject (doc, "channel_tables");
    for (int t = 0; t < rs->channel_count; t++) {
        const scorer_channel_table_t *ct = &rs->channels[t];
        cJSON *table = cJSON_CreateObject ();
        cJSON_AddStringToObject (table, "channel", ct->channel);
        cJSON_AddStringToObject (table, "title", ct->title);
        cJSON *columns = cJSON_AddArrayToObject (table, "columns");
        for (int c = 0; c < ct->column_count; c++) {
            cJSON *col = cJSON_CreateObject ();
            cJSON_AddStringToObject (col, "id", ct->columns[c].id);
            cJSON_AddStringToObject (col, "label", ct->columns[c].label);
            cJSON_AddStringToObject (
                col, "kind", ct->columns[c].counter >= 0 ? "counter" : "item");
            if (ct->columns[c].counter < 0) {
                cJSON_AddStringToObject (col, "round",
                                         rounds[ct->columns[c].round]);
                cJSON_AddStringToObject (col, "suffix", ct->columns[c].suffix);
            }
            cJSON_AddItemToArray (columns, col);
        }
        cJSON *rows = cJSON_AddArrayToObject (table, "rows");
        for (size_t u = 0; u < s->count; u++) {
            if (s->out[u].table < 0)
                continue;
            double counters[SC_COUNT];
            s_read_counters (txn, period, s->units[u].unit_id,
                             "ch:", ct->channel, counters);
            /* A unit is listed when the channel gave it work. */
            if (counters[SC_RECEIVED] == 0 && counters[SC_SHOULD_CLOSE] == 0)
                continue;
            cJSON *row = cJSON_CreateObject ();
            cJSON_AddStringToObject (row, "unit_id", s->units[u].unit_id);
            cJSON_AddStringToObject (row, "unit", s->units[u].name);
            cJSON *values = cJSON_AddObjectToObject (row, "values");
            for (int c = 0; c < ct->column_count; c++) {
                const scorer_column_t *col = &ct->columns[c];
                double v = scorer__column_value (col, counters);
                if (col->counter >= 0)
                    cJSON_AddNumberToObject (values, col->id, v);
                else
                    cJSON_AddItemToObject (values, col->id,
                                           s_shown (v, col->round));
            }
            cJSON_AddItemToArray (rows, row);
        }
        cJSON_AddItemToArray (tables, table);
    }
}

static void
s_add_summary (cJSON *doc, const scorer_ruleset_t *rs, const s_scored_t *s)
{
    if (!rs->summary)
        return;
    size_t units = 0, with_cases = 0, full = 0;
    double sum = 0;
    for (size_t u = 0; u < s->count; u++) {
        const scorer_output_t *o = &s->out[u];
        if (o->table < 0 || o->excluded)
            continue;
        units++;
        with_cases += !o->empty;
        sum += o->total;
        full += llround (o->total * 100) >= llround (rs->full_score * 100);
    }
    cJSON *summary = cJSON_AddObjectToObject (doc, "summary");
    cJSON_AddNumberToObject (summary, "units", (double)units);
    cJSON_AddNumberToObject (summary, "with_cases", (double)with_cases);
    cJSON_AddNumberToObject (summary, "full_score", rs->full_score);
    cJSON_AddNumberToObject (summary, "at_full_score", (double)full);
    cJSON_AddItemToObject (
        summary, "at_full_score_share",
        cJSON_CreateNumber (
            units ? round ((double)full / (double)units * 10000) / 10000 : 0));
    cJSON_AddItemToObject (
        summary, "average",
        s_shown (units ? scorer__round (sum / (double)units, ROUND_R2) : NAN,
                 ROUND_R2));
}

/* czmq destructors take the address of the item pointer. */
static void
s_free_sum (void **item)
{
    free (*item);
    *item = NULL;
}

/* Received tickets of the report's units by channel and by category,
   read from the slices the counters keep per unit. */
static void
s_add_breakdown (cJSON *doc, store_txn_t *txn, const scorer_ruleset_t *rs,
                 const char *period, const s_scored_t *s)
{
    if (!rs->breakdown)
        return;
    zhashx_t *sums[2] = {zhashx_new (), zhashx_new ()};
    zhashx_set_destructor (sums[0], s_free_sum);
    zhashx_set_destructor (sums[1], s_free_sum);
    double total = 0;
    for (size_t u = 0; u < s->count; u++) {
        if (s->out[u].table < 0)
            continue;
        total += s->in[u].counters[SC_RECEIVED];
        uint8_t from[STORE_KEY_MAX];
        size_t from_size =
            scorer__counter_key (from, period, s->units[u].unit_id, "", "");
        store_cursor_t *cursor =
            store_cursor_new (txn, STORE_COUNTERS, from, from_size);
        const void *key, *value;
        size_t key_size, size;
        while (cursor && store_cursor_next (cursor, &key, &key_size, &value,
                                            &size) == STORE_OK) {
            if (key_size < from_size || memcmp (key, from, from_size) != 0)
                break; /* past this unit's slices */
            char slice[STORE_KEY_MAX];
            memcpy (slice, (const char *)key + from_size, key_size - from_size);
            slice[key_size - from_size] = 0;
            int kind = strncmp (slice, "ch:", 3) == 0    ? 0
                       : strncmp (slice, "cat:", 4) == 0 ? 1
                                                         : -1;
            int32_t received = 0;
            if (kind < 0 || size < sizeof (int32_t))
                continue;
            memcpy (&received, (const int32_t *)value + SC_RECEIVED,
                    sizeof (received));
            const char *id = slice + (kind == 0 ? 3 : 4);
            double *sum = zhashx_lookup (sums[kind], id);
            if (!sum) {
                sum = calloc (1, sizeof (double));
                zhashx_insert (sums[kind], id, sum);
            }
            *sum += received;
        }
        store_cursor_destroy (&cursor);
    }
    cJSON *breakdown = cJSON_AddObjectToObject (doc, "breakdown");
    static const char *names[2] = {"channels", "categories"};
    for (int kind = 0; kind < 2; kind++) {
        cJSON *list = cJSON_AddArrayToObject (breakdown, names[kind]);
        zlistx_t *keys = zhashx_keys (sums[kind]);
        zlistx_set_comparator (keys, (zlistx_comparator_fn *)strcmp);
        zlistx_sort (keys);
        for (const char *id = zlistx_first (keys); id;
             id = zlistx_next (keys)) {
            double n = *(double *)zhashx_lookup (sums[kind], id);
            if (n == 0)
                continue;
            cJSON *entry = cJSON_CreateObject ();
            cJSON_AddStringToObject (entry, "id", id);
            cJSON_AddNumberToObject (entry, "received", n);
            cJSON_AddNumberToObject (
                entry, "share", total ? round (n / total * 10000) / 10000 : 0);
            cJSON_AddItemToArray (list, entry);
        }
        zlistx_destroy (&keys);
        zhashx_destroy (&sums[kind]);
    }
}

/* Units whose rate is below the district-wide rate (芙蓉区's list). */
static void
s_add_below (cJSON *doc, const scorer_ruleset_t *rs, const s_scored_t *s)
{
    if (!rs->below_rate)
        return;
    double *vars = calloc (SCORER_VAR_COUNT, sizeof (double));
    if (!vars)
        return;
    scorer__aggregates (s->in, s->count, s->out, vars);
    double district = scorer__expr_eval (rs->below_district, vars);
    free (vars);
    cJSON *below = cJSON_AddObjectToObject (doc, "below");
    cJSON_AddStringToObject (below, "title", rs->below_title);
    cJSON_AddNumberToObject (below, "district_rate",
                             round (district * 10000) / 10000);
    cJSON *rows = cJSON_AddArrayToObject (below, "rows");
    for (size_t u = 0; u < s->count; u++) {
        const double *c = s->in[u].counters;
        if (s->out[u].table < 0 ||
            (rs->below_when && scorer__expr_eval (rs->below_when, c) == 0))
            continue;
        double rate = scorer__expr_eval (rs->below_rate, c);
        if (rate >= district)
            continue;
        cJSON *row = cJSON_CreateObject ();
        cJSON_AddStringToObject (row, "unit_id", s->units[u].unit_id);
        cJSON_AddStringToObject (row, "unit", s->units[u].name);
        cJSON_AddNumberToObject (row, "revisited", c[SC_REVISITED]);
        cJSON_AddNumberToObject (row, "unresolved", c[SC_UNRESOLVED]);
        cJSON_AddNumberToObject (row, "rate", round (rate * 10000) / 10000);
        cJSON_AddItemToArray (rows, row);
    }
}

/* The report as of an earlier moment: the event log replayed up to it
   into a scratch store beside nothing else, reported, then removed. Costs
   a pass over the log; live reports never take this path. */
static char *
s_report_as_of (store_txn_t *txn, const scorer_ruleset_t *rs,
                const char *period, int64_t as_of, char *err)
{
    char dir[] = "/tmp/hotline-asof-XXXXXX";
    if (!mkdtemp (dir)) {
        snprintf (err, 256, "--as-of: cannot create a scratch directory");
        return NULL;
    }
    char *json = NULL;
    store_t *scratch = store_new (dir, 0, err);
    if (scratch && scorer_replay (txn, scratch, as_of, err) == 0) {
        store_txn_t *read = store_begin (scratch, false);
        if (read)
            json = scorer_report_json (read, rs, period, 0, err);
        else
            snprintf (err, 256, "--as-of: cannot read the scratch store");
        store_abort (&read);
    }
    store_destroy (&scratch);
    /* LMDB's two files, then the directory. */
    char path[64];
    snprintf (path, sizeof (path), "%s/data.mdb", dir);
    unlink (path);
    snprintf (path, sizeof (path), "%s/lock.mdb", dir);
    unlink (path);
    rmdir (dir);
    return json;
}

char *
scorer_report_json (store_txn_t *txn, const scorer_ruleset_t *rs,
                    const char *period_text, int64_t as_of, char *err)
{
    scorer_period_t period;
    char current[8];
    int64_t now = scorer_clock_now (txn);
    if (!*period_text) {
        /* No period asked: the one the clock is in, for this ruleset. */
        if (now == 0) {
            snprintf (err, 256, "no events stored yet: give a period");
            return NULL;
        }
        period_text =
            scorer_period_format (scorer_period_of (now, rs->period), current);
    }
    if (scorer_period_parse (period_text, &period) != 0) {
        snprintf (err, 256, "bad period \"%s\": use YYYY-MM or YYYY-Qn",
                  period_text);
        return NULL;
    }
    if (period.kind != rs->period) {
        snprintf (err, 256, "ruleset %s is %s: the period must look like %s",
                  rs->id, rs->period == SCORER_MONTH ? "monthly" : "quarterly",
                  rs->period == SCORER_MONTH ? "2025-07" : "2024-Q4");
        return NULL;
    }
    int64_t end = scorer_period_end (period);
    int64_t shown_as_of = now < end ? now : end;
    if (as_of && as_of < shown_as_of)
        return s_report_as_of (txn, rs, period_text, as_of, err);
    s_scored_t s, prev;
    if (s_score_period (txn, rs, period_text, &s, err) != 0)
        return NULL;
    bool have_prev = false;
    if (rs->change_count) {
        char p[8];
        scorer_period_format (s_previous (period), p);
        have_prev = s_score_period (txn, rs, p, &prev, err) == 0;
    }
    cJSON *doc = s_header_json (rs, period_text, shown_as_of);
    s_add_tables (doc, txn, rs, period, &s, have_prev ? &prev : NULL);
    s_add_channel_tables (doc, txn, rs, period_text, &s);
    s_add_summary (doc, rs, &s);
    s_add_breakdown (doc, txn, rs, period_text, &s);
    s_add_below (doc, rs, &s);
    char *text = cJSON_PrintUnformatted (doc);
    cJSON_Delete (doc);
    s_scored_free (&s);
    if (have_prev)
        s_scored_free (&prev);
    if (!text)
        snprintf (err, 256, "out of memory");
    return text;
}

zhashx_t *
scorer_report_rows (store_txn_t *txn, const scorer_ruleset_t *rs,
                    scorer_period_t period, char *err)
{
    char p[8];
    scorer_period_format (period, p);
    s_scored_t s;
    if (s_score_period (txn, rs, p, &s, err) != 0)
        return NULL;
    zhashx_t *rows = zhashx_new ();
    zhashx_set_destructor (rows, (zhashx_destructor_fn *)zstr_free);
    for (size_t u = 0; u < s.count; u++) {
        if (s.out[u].table < 0)
            continue;
        cJSON *row = s_row_json (rs, &s.in[u], &s.out[u], false);
        cJSON_AddStringToObject (row, "ruleset", rs->id);
        cJSON_AddStringToObject (row, "period", p);
        cJSON_AddBoolToObject (row, "excluded", s.out[u].excluded);
        char *text = cJSON_PrintUnformatted (row);
        cJSON_Delete (row);
        if (text)
            zhashx_insert (rows, s.units[u].unit_id, text);
    }
    s_scored_free (&s);
    return rows;
}
