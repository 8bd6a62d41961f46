/*  report_build: the end-of-period scorecard from the store.

    Reads the units registry once, then the period's counter records with
    one cursor walk (report_inputs.c: the "" slice feeds scoring, the
    channel slices feed channel tables and the breakdown on the same
    walk) and its manual items with another, scores them with
    rules_score, and renders docs/report-json.md straight into one
    buffer (json.h), byte for byte what cJSON printed before. The cost is one
   step per counter record of the period, independent of how many events the
   period holds: aggregates are maintained as events arrive. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A scored period: inputs and outputs per unit, in registry order. */
typedef struct {
    rules_input_t *in;   /* per unit */
    rules_output_t *out; /* per unit */
} s_scored_t;

typedef struct {
    report__sum_t *items; /* sorted by id */
    size_t count;         /* used */
    size_t size;          /* allocated */
    bool failed;          /* out of memory */
} s_sums_t;

/* Everything a report reads, then renders. */
typedef struct {
    const rules_ruleset_t *rs; /* the ruleset */
    proto_period_t period;     /* the period */
    const char *period_text;   /* "2025-07" */
    rules_unit_t *units;       /* registry, in order */
    size_t count;              /* units */
    report_roster_t roster;    /* units by id */
    int *tables;               /* per unit: its table (rules_tables_assign) */
    size_t table_total;        /* the ruleset's tables and the groups' own */
    s_scored_t now;            /* the period */
    s_scored_t prev;           /* the period before, for changes */
    bool have_prev;            /* prev was scored */
    double *channel;  /* [table][unit][RULES_COUNTERS] channel slices */
    s_sums_t sums[2]; /* breakdown: channels, categories */
    long *notes;      /* [month][unit][note] note counts */
} s_report_t;

static void
s_scored_free (s_scored_t *s)
{
    free (s->in);
    free (s->out);
    memset (s, 0, sizeof (*s));
}

static void
s_report_free (s_report_t *r)
{
    s_scored_free (&r->now);
    s_scored_free (&r->prev);
    report_roster_free (&r->roster);
    free (r->units);
    free (r->tables);
    free (r->channel);
    free (r->sums[0].items);
    free (r->sums[1].items);
    free (r->notes);
}

/* Adds n to the sum of id. */
static void
s_sums_add (s_sums_t *sums, const char *id, double n)
{
    size_t low = 0, high = sums->count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        int c = strcmp (sums->items[mid].id, id);
        if (c == 0) {
            sums->items[mid].received += n;
            return;
        }
        if (c < 0)
            low = mid + 1;
        else
            high = mid;
    }
    if (strlen (id) > PROTO_TOKEN_MAX)
        return; /* not an id the scorer writes */
    if (sums->count == sums->size) {
        size_t size = sums->size ? sums->size * 2 : 16;
        report__sum_t *items = realloc (sums->items, size * sizeof (*items));
        if (!items) {
            sums->failed = true;
            return;
        }
        sums->items = items;
        sums->size = size;
    }
    memmove (&sums->items[low + 1], &sums->items[low],
             (sums->count - low) * sizeof (report__sum_t));
    snprintf (sums->items[low].id, sizeof (sums->items[low].id), "%s", id);
    sums->items[low].received = n;
    sums->count++;
}

/* The other slices of the period, on the walk that reads the counters:
   channel tables take their channel's counters; the breakdown and the
   overview sum what every listed unit received per channel and per
   category. */
static void
s_take_slice (void *arg, size_t unit, const char *slice, const void *value,
              size_t size)
{
    s_report_t *r = arg;
    const rules_ruleset_t *rs = r->rs;
    bool channel = strncmp (slice, "ch:", 3) == 0;
    if (channel)
        for (int t = 0; t < rs->channel_count; t++)
            if (strcmp (slice + 3, rs->channels[t].channel) == 0)
                state_counters_decode (value, size,
                                       r->channel +
                                           ((size_t)t * r->count + unit) *
                                               RULES_COUNTERS);
    if (size < sizeof (int32_t))
        return;
    int kind = channel ? 0 : strncmp (slice, "cat:", 4) == 0 ? 1 : -1;
    if (kind < 0)
        return;
    int32_t received;
    memcpy (&received, (const int32_t *)value + RULES_RECEIVED,
            sizeof (received));
    s_sums_add (&r->sums[kind], slice + (kind == 0 ? 3 : 4), received);
}

static int
s_score_period (store_txn_t *txn, s_report_t *r, const char *period,
                s_scored_t *s, report_record_fn *slices, char *err)
{
    memset (s, 0, sizeof (*s));
    s->in = malloc ((r->count ? r->count : 1) * sizeof (*s->in));
    s->out = malloc ((r->count ? r->count : 1) * sizeof (*s->out));
    if (!s->in || !s->out) {
        snprintf (err, 256, "out of memory");
        s_scored_free (s);
        return -1;
    }
    if (report_inputs_read (txn, r->rs, period, &r->roster, s->in, slices, r,
                            err) != 0 ||
        rules_score_tables (r->rs, s->in, r->count, r->tables, s->out, err) !=
            0) {
        s_scored_free (s);
        return -1;
    }
    return 0;
}

/* Per month of the period, each unit's note counters. */
typedef struct {
    s_report_t *r; /* the report */
    long *counts;  /* this month's [unit][note] */
} s_note_read_t;

static void
s_take_note (void *arg, size_t unit, const char *slice, const void *value,
             size_t size)
{
    s_note_read_t *self = arg;
    if (*slice)
        return;
    const rules_ruleset_t *rs = self->r->rs;
    double counters[RULES_COUNTERS];
    state_counters_decode (value, size, counters);
    for (int n = 0; n < rs->note_count; n++)
        self->counts[unit * RULES_NOTES_MAX + (size_t)n] =
            lround (counters[rs->notes[n].counter]);
}

static int
s_first_month (proto_period_t period)
{
    return period.kind == PROTO_MONTH
               ? period.code
               : period.code / 4 * 12 + period.code % 4 * 3;
}

static int
s_read_notes (store_txn_t *txn, s_report_t *r, char *err)
{
    const rules_ruleset_t *rs = r->rs;
    if (rs->note_count == 0)
        return 0;
    int months = r->period.kind == PROTO_MONTH ? 1 : 3;
    size_t per_month = (r->count ? r->count : 1) * RULES_NOTES_MAX;
    r->notes = calloc ((size_t)months * per_month, sizeof (long));
    if (!r->notes) {
        snprintf (err, 256, "out of memory");
        return -1;
    }
    for (int m = 0; m < months; m++) {
        proto_period_t month = {PROTO_MONTH, s_first_month (r->period) + m};
        char p[8];
        s_note_read_t read = {r, r->notes + (size_t)m * per_month};
        int rc = report_scan_period (txn, STORE_COUNTERS,
                                     proto_period_format (month, p), &r->roster,
                                     s_take_note, &read);
        if (rc != STORE_OK) {
            snprintf (err, 256, "reading counters: %s", store_strerror (rc));
            return -1;
        }
    }
    return 0;
}

/* The row's note: per month of the period, each note counter that is not
   zero, e.g. "10月逾期2件,11月逾期1件,12月退回重办1件". */
static void
s_note (const s_report_t *r, size_t unit, char *note, size_t size)
{
    const rules_ruleset_t *rs = r->rs;
    note[0] = 0;
    int months = r->period.kind == PROTO_MONTH ? 1 : 3;
    size_t per_month = (r->count ? r->count : 1) * RULES_NOTES_MAX;
    for (int n = 0; n < rs->note_count; n++)
        for (int m = 0; m < months; m++) {
            int month = s_first_month (r->period) + m;
            long count = r->notes[(size_t)m * per_month +
                                  unit * RULES_NOTES_MAX + (size_t)n];
            if (count <= 0)
                continue;
            /* Expand {m} and {n} in the ruleset's text. */
            char piece[256] = "";
            for (const char *f = rs->notes[n].format; *f;) {
                size_t len = strlen (piece);
                if (strncmp (f, "{m}", 3) == 0) {
                    snprintf (piece + len, sizeof (piece) - len, "%d",
                              month % 12 + 1);
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

static void
s_key_string (json_writer_t *json, const char *key, const char *value)
{
    json_key (json, key);
    json_string (json, value);
}

static void
s_key_number (json_writer_t *json, const char *key, double value)
{
    json_key (json, key);
    json_number (json, value);
}

static const char *s_rounds[] = {"none", "t2", "r2", "pct0"};

static void
s_header (json_writer_t *json, const rules_ruleset_t *rs, const char *period,
          int64_t shown_as_of)
{
    char when[32];
    s_key_string (json, "ruleset", rs->id);
    s_key_string (json, "title", rs->title);
    s_key_string (json, "period", period);
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
        s_key_string (json, "id", it->id);
        s_key_string (json, "label", it->label);
        s_key_number (json, "points", it->points);
        s_key_string (json, "round", s_rounds[it->round]);
        s_key_string (json, "suffix", it->suffix);
        report__item_uses (json, rs, it);
        if (it->dimension >= 0)
            s_key_string (json, "dimension", rs->dims[it->dimension].id);
        json_close (json, '}');
    }
    json_close (json, ']');
    if (rs->dim_count) {
        json_key (json, "dimensions");
        json_open (json, '[');
        for (int d = 0; d < rs->dim_count; d++) {
            json_open (json, '{');
            s_key_string (json, "id", rs->dims[d].id);
            s_key_string (json, "label", rs->dims[d].label);
            s_key_number (json, "points", rs->dims[d].points);
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
s_changes (json_writer_t *json, const s_report_t *r, size_t u)
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
s_table_group (const s_report_t *r, int t)
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
static void
s_warnings (json_writer_t *json, const s_report_t *r, bool empty)
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

/* True when no unit has anything counted or adjusted in the period. */
static bool
s_empty (const s_report_t *r)
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

static int
s_tables (json_writer_t *json, const s_report_t *r, char *err)
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
        s_key_string (json, "group", group);
        s_key_string (json, "title",
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
                s_note (r, u, note, sizeof (note));
            s_key_string (json, "note", note);
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
        s_key_string (json, "unit_id", r->units[u].unit_id);
        s_key_string (json, "unit", r->units[u].name);
        s_key_string (json, "reason", rs->exclude_text);
        json_close (json, '}');
    }
    json_close (json, ']');
    return 0;
}

static void
s_channel_tables (json_writer_t *json, const s_report_t *r)
{
    const rules_ruleset_t *rs = r->rs;
    if (rs->channel_count == 0)
        return;
    json_key (json, "channel_tables");
    json_open (json, '[');
    for (int t = 0; t < rs->channel_count; t++) {
        const rules_channel_table_t *ct = &rs->channels[t];
        json_open (json, '{');
        s_key_string (json, "channel", ct->channel);
        s_key_string (json, "title", ct->title);
        json_key (json, "columns");
        json_open (json, '[');
        for (int c = 0; c < ct->column_count; c++) {
            json_open (json, '{');
            s_key_string (json, "id", ct->columns[c].id);
            s_key_string (json, "label", ct->columns[c].label);
            s_key_string (json, "kind",
                          ct->columns[c].counter >= 0 ? "counter" : "item");
            if (ct->columns[c].counter < 0) {
                s_key_string (json, "round", s_rounds[ct->columns[c].round]);
                s_key_string (json, "suffix", ct->columns[c].suffix);
            }
            json_close (json, '}');
        }
        json_close (json, ']');
        json_key (json, "rows");
        json_open (json, '[');
        for (size_t u = 0; u < r->count; u++) {
            if (r->now.out[u].table < 0)
                continue;
            const double *counters =
                r->channel + ((size_t)t * r->count + u) * RULES_COUNTERS;
            /* A unit is listed when the channel gave it work. */
            if (counters[RULES_RECEIVED] == 0 &&
                counters[RULES_SHOULD_CLOSE] == 0)
                continue;
            json_open (json, '{');
            s_key_string (json, "unit_id", r->units[u].unit_id);
            s_key_string (json, "unit", r->units[u].name);
            json_key (json, "values");
            json_open (json, '{');
            for (int c = 0; c < ct->column_count; c++) {
                const rules_column_t *col = &ct->columns[c];
                double v = rules_column_value (col, counters);
                json_key (json, col->id);
                if (col->counter >= 0)
                    json_number (json, v);
                else
                    report_json_shown (json, v, col->round);
            }
            json_close (json, '}');
            json_close (json, '}');
        }
        json_close (json, ']');
        json_close (json, '}');
    }
    json_close (json, ']');
}

static void
s_summary (json_writer_t *json, const s_report_t *r)
{
    const rules_ruleset_t *rs = r->rs;
    if (!rs->summary)
        return;
    size_t units = 0, with_cases = 0, full = 0;
    double sum = 0;
    for (size_t u = 0; u < r->count; u++) {
        const rules_output_t *o = &r->now.out[u];
        if (o->table < 0 || o->excluded)
            continue;
        units++;
        with_cases += !o->empty;
        sum += o->total;
        full += llround (o->total * 100) >= llround (rs->full_score * 100);
    }
    json_key (json, "summary");
    json_open (json, '{');
    s_key_number (json, "units", (double)units);
    s_key_number (json, "with_cases", (double)with_cases);
    s_key_number (json, "full_score", rs->full_score);
    s_key_number (json, "at_full_score", (double)full);
    s_key_number (json, "at_full_score_share",
                  units ? round ((double)full / (double)units * 10000) / 10000
                        : 0);
    json_key (json, "average");
    report_json_shown (
        json, units ? rules_round (sum / (double)units, RULES_ROUND_R2) : NAN,
        RULES_ROUND_R2);
    json_close (json, '}');
}

/* Received tickets of the report's units by channel and by category,
   summed from the slices on the walk over the period's counters. */
static void
s_breakdown (json_writer_t *json, const s_report_t *r)
{
    if (!r->rs->breakdown)
        return;
    double total = 0;
    for (size_t u = 0; u < r->count; u++)
        if (r->now.out[u].table >= 0)
            total += r->now.in[u].counters[RULES_RECEIVED];
    json_key (json, "breakdown");
    json_open (json, '{');
    static const char *names[2] = {"channels", "categories"};
    for (int kind = 0; kind < 2; kind++) {
        json_key (json, names[kind]);
        json_open (json, '[');
        for (size_t k = 0; k < r->sums[kind].count; k++) {
            const report__sum_t *sum = &r->sums[kind].items[k];
            double n = sum->received;
            if (n == 0)
                continue;
            json_open (json, '{');
            s_key_string (json, "id", sum->id);
            s_key_number (json, "received", n);
            s_key_number (json, "share",
                          total ? round (n / total * 10000) / 10000 : 0);
            json_close (json, '}');
        }
        json_close (json, ']');
    }
    json_close (json, '}');
}

/* Units whose rate is below the district-wide rate (芙蓉区's list). */
static void
s_below (json_writer_t *json, const s_report_t *r)
{
    const rules_ruleset_t *rs = r->rs;
    if (!rs->below_rate)
        return;
    double *vars = calloc (RULES_VAR_COUNT, sizeof (double));
    if (!vars)
        return;
    rules_aggregates (r->now.in, r->count, r->now.out, vars);
    double district = rules_expr_eval (rs->below_district, vars);
    free (vars);
    json_key (json, "below");
    json_open (json, '{');
    s_key_string (json, "title", rs->below_title);
    s_key_number (json, "district_rate", round (district * 10000) / 10000);
    json_key (json, "rows");
    json_open (json, '[');
    for (size_t u = 0; u < r->count; u++) {
        const double *c = r->now.in[u].counters;
        if (r->now.out[u].table < 0 ||
            (rs->below_when && rules_expr_eval (rs->below_when, c) == 0))
            continue;
        double rate = rules_expr_eval (rs->below_rate, c);
        if (rate >= district)
            continue;
        json_open (json, '{');
        s_key_string (json, "unit_id", r->units[u].unit_id);
        s_key_string (json, "unit", r->units[u].name);
        s_key_number (json, "revisited", c[RULES_REVISITED]);
        s_key_number (json, "unresolved", c[RULES_UNRESOLVED]);
        s_key_number (json, "rate", round (rate * 10000) / 10000);
        json_close (json, '}');
    }
    json_close (json, ']');
    json_close (json, '}');
}

/* The registry, its index by id and every unit's table. */
static int
s_report_units (store_txn_t *txn, s_report_t *r, char *err)
{
    r->units = state_units_list (txn, &r->count);
    r->tables = malloc ((r->count ? r->count : 1) * sizeof (int));
    if (!r->tables || report_roster_init (&r->roster, r->units, r->count)) {
        snprintf (err, 256, "out of memory");
        return -1;
    }
    r->table_total = rules_tables_assign (r->rs, r->units, r->count, r->tables);
    return 0;
}

/* Reads and scores everything the report shows. */
static int
s_report_read (store_txn_t *txn, s_report_t *r, char *err)
{
    const rules_ruleset_t *rs = r->rs;
    if (s_report_units (txn, r, err) != 0)
        return -1;
    if (rs->channel_count) {
        size_t cells = (size_t)rs->channel_count * (r->count ? r->count : 1);
        r->channel = malloc (cells * RULES_COUNTERS * sizeof (double));
        if (!r->channel) {
            snprintf (err, 256, "out of memory");
            return -1;
        }
        double zero[RULES_COUNTERS] = {0};
        rules_counters_derive (zero);
        for (size_t k = 0; k < cells; k++)
            memcpy (r->channel + k * RULES_COUNTERS, zero, sizeof (zero));
    }
    if (s_score_period (txn, r, r->period_text, &r->now, s_take_slice, err) !=
        0)
        return -1;
    if (r->sums[0].failed || r->sums[1].failed) {
        snprintf (err, 256, "out of memory");
        return -1;
    }
    if (rs->change_count) {
        /* No previous period to compare with shows every change as null;
           the report itself stands. */
        char p[8];
        proto_period_t before = r->period;
        before.code--;
        r->have_prev = s_score_period (txn, r, proto_period_format (before, p),
                                       &r->prev, NULL, err) == 0;
    }
    return s_read_notes (txn, r, err);
}

/* The report as of an earlier moment: the event log replayed up to it
   into a scratch store beside nothing else, reported, then removed. Costs
   a pass over the log; live reports never take this path. */
static char *
s_report_as_of (store_txn_t *txn, const rules_ruleset_t *rs, const char *period,
                int64_t as_of, char *err)
{
    char *json = NULL;
    store_t *scratch = store_scratch_new (0, err);
    if (scratch && state_replay (txn, scratch, as_of, err) == 0) {
        store_txn_t *read = store_begin (scratch, false);
        if (read)
            json = report_json (read, rs, period, 0, err);
        else
            snprintf (err, 256, "--as-of: cannot read the scratch store");
        store_abort (&read);
    }
    store_destroy (&scratch);
    return json;
}

int
report_period_check (const rules_ruleset_t *rs, const char *text,
                     proto_period_t *period, char *err)
{
    if (proto_period_parse (text, period) != 0) {
        snprintf (err, 256, "bad period \"%s\": use YYYY-MM or YYYY-Qn", text);
        return -1;
    }
    if (period->kind != report_period_kind (rs)) {
        snprintf (err, 256, "ruleset %s is %s: the period must look like %s",
                  rs->id, rs->period == RULES_MONTH ? "monthly" : "quarterly",
                  rs->period == RULES_MONTH ? "2025-07" : "2024-Q4");
        return -1;
    }
    return 0;
}

char *
report_json (store_txn_t *txn, const rules_ruleset_t *rs,
             const char *period_text, int64_t as_of, char *err)
{
    proto_period_t period;
    char current[8];
    int64_t now = state_clock_now (txn);
    if (!*period_text) {
        /* No period asked: the one the clock is in, for this ruleset. */
        if (now == 0) {
            snprintf (err, 256, "no events stored yet: give a period");
            return NULL;
        }
        period_text = proto_period_format (
            proto_period_of (now, report_period_kind (rs)), current);
    }
    if (report_period_check (rs, period_text, &period, err) != 0)
        return NULL;
    int64_t end = proto_period_end (period);
    int64_t shown_as_of = now < end ? now : end;
    if (as_of && as_of < shown_as_of)
        return s_report_as_of (txn, rs, period_text, as_of, err);
    s_report_t r = {.rs = rs, .period = period, .period_text = period_text};
    json_writer_t json;
    char *text = NULL;
    if (s_report_read (txn, &r, err) != 0)
        goto cleanup;
    json_init (&json, 4096 + r.count * REPORT_BYTES_PER_UNIT);
    json_open (&json, '{');
    s_header (&json, rs, period_text, shown_as_of);
    if (s_tables (&json, &r, err) != 0) {
        json_free (&json);
        goto cleanup;
    }
    bool empty = s_empty (&r);
    if (empty) {
        json_key (&json, "empty");
        json_bool (&json, true);
    }
    s_warnings (&json, &r, empty);
    s_channel_tables (&json, &r);
    s_summary (&json, &r);
    s_breakdown (&json, &r);
    s_below (&json, &r);
    report__overview (&json, r.now.in, r.now.out, r.count, r.sums[1].items,
                      r.sums[1].count);
    json_close (&json, '}');
    text = json_finish (&json);
    if (!text)
        snprintf (err, 256, "out of memory");
cleanup:
    s_report_free (&r);
    return text;
}
