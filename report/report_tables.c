/*  report_tables: the scorecard's header (the ruleset's items,
    dimensions and counters) and its tables: one per group, rows by rank
    (or in registry order for an unranked scheme) with each row's changes
    over the period before and its note, the excluded units, and the
    warnings a reader must see. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
report__key_string (json_writer_t *json, const char *key, const char *value)
{
    json_key (json, key);
    json_string (json, value);
}

void
report__key_number (json_writer_t *json, const char *key, double value)
{
    json_key (json, key);
    json_number (json, value);
}

const char *
report__round_name (rules_round_t round)
{
    static const char *names[] = {"none", "t2", "r2", "pct0"};
    return names[round];
}

void
report__header (json_writer_t *json, const rules_ruleset_t *rs,
                const char *period, int64_t shown_as_of)
{
    char when[32];
    report__key_string (json, "ruleset", rs->id);
    report__key_string (json, "title", rs->title);
    report__key_string (json, "period", period);
    json_key (json, "as_of");
    if (shown_as_of > 0)
        json_string (json, proto_time_format (shown_as_of, when));
    else
        json_literal (json, "null");
    json_key (json, "items");
    json_open (json, '[');
    for (int i = 0; i < rs->item_count; i++) {
        const rules_item_t *it = &rs->items[i];
        json_open (json, '{');
        report__key_string (json, "id", it->id);
        report__key_string (json, "label", it->label);
        report__key_number (json, "points", it->points);
        report__key_string (json, "round", report__round_name (it->round));
        report__key_string (json, "suffix", it->suffix);
        report__item_uses (json, rs, it);
        if (it->dimension >= 0)
            report__key_string (json, "dimension", rs->dims[it->dimension].id);
        json_close (json, '}');
    }
    json_close (json, ']');
    if (rs->dim_count) {
        json_key (json, "dimensions");
        json_open (json, '[');
        for (int d = 0; d < rs->dim_count; d++) {
            json_open (json, '{');
            report__key_string (json, "id", rs->dims[d].id);
            report__key_string (json, "label", rs->dims[d].label);
            report__key_number (json, "points", rs->dims[d].points);
            json_close (json, '}');
        }
        json_close (json, ']');
    }
    json_key (json, "counters");
    json_open (json, '[');
    for (int c = 0; c < rs->counter_count; c++)
        json_string (json, rules_counter_name (rs->counters[c]));
    json_close (json, ']');
}

/* Month-over-month (or quarter-over-quarter) change of the listed items,
   in points: the previous period is scored the same way, over the same
   registry, so a unit has the same index in both. */
static void
s_changes (json_writer_t *json, const report__build_t *r, size_t u)
{
    const rules_ruleset_t *rs = r->rs;
    const rules_output_t *now = &r->now.out[u];
    const rules_output_t *before = r->have_prev ? &r->prev.out[u] : NULL;
    json_key (json, "changes");
    json_open (json, '{');
    for (int c = 0; c < rs->change_count; c++) {
        int i = rs->changes[c];
        double delta = before && before->table >= 0
                           ? now->shown[i] - before->shown[i]
                           : NAN;
        json_key (json, rs->items[i].id);
        report_json_shown (
            json, isfinite (delta) ? rules_round (delta, RULES_ROUND_R2) : NAN,
            RULES_ROUND_R2);
    }
    json_close (json, '}');
}

/* Rows by rank (ties keep registry order: equal ranks compare by index,
   which is registry order). */
static _Thread_local const rules_output_t *s_rank_out;

static int
s_compare_by_rank (const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int rx = s_rank_out[x].rank, ry = s_rank_out[y].rank;
    if (rx != ry)
        return rx < ry ? -1 : 1;
    return (x > y) - (x < y);
}

/* The same order as s_compare_by_rank in linear time: ranks of a table
   run from 1 to its number of rows, so a counting sort, stable, keeps
   registry order among equal ranks. Returns -1 (nothing moved) when a
   rank is out of that range or memory is short: the caller sorts. */
static int
s_order_by_rank (size_t *order, size_t n, const rules_output_t *out)
{
    size_t *start = calloc (n + 2, sizeof (size_t));
    size_t *sorted = malloc ((n ? n : 1) * sizeof (size_t));
    int rc = start && sorted ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        int rank = out[order[k]].rank;
        if (rank < 1 || (size_t)rank > n)
            rc = -1;
        else
            start[rank + 1]++;
    }
    if (rc == 0) {
        for (size_t rank = 1; rank <= n; rank++)
            start[rank + 1] += start[rank];
        for (size_t k = 0; k < n; k++)
            sorted[start[out[order[k]].rank]++] = order[k];
        memcpy (order, sorted, n * sizeof (size_t));
    }
    free (start);
    free (sorted);
    return rc;
}

/* The group a table lists: the ruleset's, or for a table of a group no
   ruleset table names, that group (of its first unit). */
static const char *
s_table_group (const report__build_t *r, int t)
{
    if (t < r->rs->table_count)
        return r->rs->tables[t].group;
    for (size_t u = 0; u < r->count; u++)
        if (r->tables[u] == t)
            return r->units[u].group;
    return "";
}

/* What a reader must know about the report: groups no table of the
   ruleset names (their units are listed in tables of their own), an
   empty period. */
void
report__warnings (json_writer_t *json, const report__build_t *r, bool empty)
{
    const rules_ruleset_t *rs = r->rs;
    if (!empty && r->table_total == (size_t)rs->table_count)
        return;
    json_key (json, "warnings");
    json_open (json, '[');
    for (int t = rs->table_count; t < (int)r->table_total; t++) {
        char text[512];
        size_t n = 0;
        for (size_t u = 0; u < r->count; u++)
            n += r->tables[u] == t;
        snprintf (text, sizeof (text),
                  "group \"%s\" is not one of ruleset %s's tables: its %zu "
                  "unit%s %s listed in a table of %s own",
                  s_table_group (r, t), rs->id, n, n == 1 ? "" : "s",
                  n == 1 ? "is" : "are", n == 1 ? "its" : "their");
        json_string (json, text);
    }
    if (empty) {
        char text[128];
        snprintf (text, sizeof (text), "no events in %s for these units",
                  r->period_text);
        json_string (json, text);
    }
    json_close (json, ']');
}

bool
report__empty (const report__build_t *r)
{
    for (size_t u = 0; u < r->count; u++) {
        const rules_input_t *in = &r->now.in[u];
        for (int c = 0; c < RULES_STORED_COUNTERS; c++)
            if (in->counters[c] != 0)
                return false;
        for (int i = 0; i < RULES_ITEMS_MAX; i++)
            if (!isnan (in->manual[i]))
                return false;
        if (!isnan (in->bonus))
            return false;
    }
    return true;
}

int
report__tables (json_writer_t *json, const report__build_t *r, char *err)
{
    const rules_ruleset_t *rs = r->rs;
    const rules_output_t *out = r->now.out;
    size_t *order = malloc ((r->count ? r->count : 1) * sizeof (size_t));
    if (!order) {
        snprintf (err, 256, "out of memory");
        return -1;
    }
    json_key (json, "tables");
    json_open (json, '[');
    for (int t = 0; t < (int)r->table_total; t++) {
        json_open (json, '{');
        const char *group = s_table_group (r, t);
        report__key_string (json, "group", group);
        report__key_string (json, "title",
                            t < rs->table_count ? rs->tables[t].title : group);
        json_key (json, "rows");
        json_open (json, '[');
        /* Ranked schemes list by rank; unranked ones in registry order. */
        size_t listed = 0;
        for (size_t u = 0; u < r->count; u++)
            if (out[u].table == t && !out[u].excluded)
                order[listed++] = u;
        if (rs->rank != RULES_RANK_NONE &&
            s_order_by_rank (order, listed, out) != 0) {
            s_rank_out = out;
            qsort (order, listed, sizeof (size_t), s_compare_by_rank);
            s_rank_out = NULL;
        }
        for (size_t k = 0; k < listed; k++) {
            size_t u = order[k];
            json_open (json, '{');
            report_row_fields (json, rs, &r->now.in[u], &out[u], true);
            if (rs->change_count)
                s_changes (json, r, u);
            char note[512] = "";
            if (rs->note_count)
                report__note (r, u, note, sizeof (note));
            report__key_string (json, "note", note);
            json_close (json, '}');
        }
        json_close (json, ']');
        json_close (json, '}');
    }
    json_close (json, ']');
    free (order);
    json_key (json, "excluded");
    json_open (json, '[');
    for (size_t u = 0; u < r->count; u++) {
        if (out[u].table < 0 || !out[u].excluded)
            continue;
        json_open (json, '{');
        report__key_string (json, "unit_id", r->units[u].unit_id);
        report__key_string (json, "unit", r->units[u].name);
        report__key_string (json, "reason", rs->exclude_text);
        json_close (json, '}');
    }
    json_close (json, ']');
    return 0;
}
