/*  rules_score: (counters, ruleset) -> items, totals, ranks. Pure: no
    I/O, no allocation beyond one scratch array, same answer every time. */
#include "rules_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values like 10 - 0.02 * 4 are 9.919999... in binary; a tolerance far
   below a hundredth keeps truncation from losing a cent that the decimal
   arithmetic of the bulletins has. */
#define ROUND_EPSILON 1e-7

/* The largest magnitude an item may take. */
#define SCORE_MAX 1e9

double
rules_round (double value, rules_round_t mode)
{
    switch (mode) {
    case RULES_ROUND_T2:
        return value >= 0 ? floor (value * 100 + ROUND_EPSILON) / 100
                          : ceil (value * 100 - ROUND_EPSILON) / 100;
    case RULES_ROUND_R2:
        return value >= 0 ? floor (value * 100 + 0.5 + ROUND_EPSILON) / 100
                          : ceil (value * 100 - 0.5 - ROUND_EPSILON) / 100;
    case RULES_ROUND_PCT0:
        return value >= 0 ? floor (value + 0.5 + ROUND_EPSILON)
                          : ceil (value - 0.5 - ROUND_EPSILON);
    default:
        return value;
    }
}

/* Ranking order: total descending, then the tie-break counter descending,
   then registry order. The sort compares keys gathered first, not the
   inputs and outputs they come from: a pass over a thousand units
   compares some ten thousand times. */
typedef struct {
    long long cents; /* total as shown, in cents */
    double tiebreak; /* the tie-break counter, or 0 */
    uint32_t order;  /* registry order */
    uint32_t index;  /* the unit's index in the inputs */
} s_rank_key_t;

static long long
s_cents (double value)
{
    return llround (value * 100);
}

static int
s_compare_rank (const void *a, const void *b)
{
    const s_rank_key_t *x = a, *y = b;
    /* Totals are shown to the cent; compare what is shown. */
    if (x->cents != y->cents)
        return x->cents > y->cents ? -1 : 1;
    if (x->tiebreak != y->tiebreak)
        return x->tiebreak > y->tiebreak ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

int
rules_table_of (const rules_ruleset_t *rs, const char *group)
{
    /* "all" lists every unit not listed by an earlier table. */
    for (int t = 0; t < rs->table_count; t++)
        if (strcmp (rs->tables[t].group, group) == 0 ||
            strcmp (rs->tables[t].group, "all") == 0)
            return t;
    return -1;
}

/* The group of unit u, from units or from inputs. */
typedef const char *(s_group_fn)(const void *list, size_t u);

static const char *
s_group_of_unit (const void *list, size_t u)
{
    return ((const rules_unit_t *)list)[u].group;
}

static const char *
s_group_of_input (const void *list, size_t u)
{
    return ((const rules_input_t *)list)[u].unit->group;
}

static size_t
s_assign (const rules_ruleset_t *rs, size_t count, s_group_fn *group,
          const void *list, int *tables)
{
    int next = rs->table_count;
    for (size_t u = 0; u < count; u++) {
        const char *g = group (list, u);
        tables[u] = rules_table_of (rs, g);
        /* A group no table names: the table of the first unit of that
           group in registry order, or a new one after the others. */
        for (size_t v = 0; v < u && tables[u] < 0; v++)
            if (tables[v] >= rs->table_count &&
                strcmp (group (list, v), g) == 0)
                tables[u] = tables[v];
        if (tables[u] < 0)
            tables[u] = next++;
    }
    return (size_t)next;
}

size_t
rules_tables_assign (const rules_ruleset_t *rs, const rules_unit_t *units,
                     size_t count, int *tables)
{
    return s_assign (rs, count, s_group_of_unit, units, tables);
}

void
rules_aggregates (const rules_input_t *in, size_t count,
                  const rules_output_t *out, double *vars)
{
    double max[RULES_COUNTERS], sum[RULES_COUNTERS];
    size_t listed = 0;
    for (int c = 0; c < RULES_COUNTERS; c++)
        max[c] = sum[c] = 0;
    /* The first listed unit sets the maxima; the loops below have no
       other branch, so the compiler can keep them in vector registers. */
    for (size_t u = 0; u < count; u++) {
        if (out[u].table < 0)
            continue;
        const double *x = in[u].counters;
        if (listed++ == 0)
            for (int c = 0; c < RULES_COUNTERS; c++)
                max[c] = x[c];
        for (int c = 0; c < RULES_COUNTERS; c++) {
            max[c] = x[c] > max[c] ? x[c] : max[c];
            sum[c] += x[c];
        }
    }
    /* Report-wide values are over every unit of the report's tables. */
    for (int c = 0; c < RULES_COUNTERS; c++) {
        vars[RULES_VAR_AGG + 3 * c] = max[c];
        vars[RULES_VAR_AGG + 3 * c + 1] = listed ? sum[c] / listed : 0;
        vars[RULES_VAR_AGG + 3 * c + 2] = sum[c];
    }
}

/* Items in dependency order; each item reads the shown value of the
   items it names, as a reader of the bulletin would recompute it. */
static int
s_score_unit (const rules_ruleset_t *rs, const rules_input_t *in, double *vars,
              rules_output_t *out, char *err)
{
    memcpy (vars, in->counters, sizeof (in->counters));
    double raw_sum = 0;
    long long shown_cents = 0;
    for (int k = 0; k < rs->item_count; k++) {
        int i = rs->order[k];
        const rules_item_t *item = &rs->items[i];
        double raw;
        if (item->formula)
            raw = rules_expr_eval (item->formula, vars);
        else
            raw = isnan (in->manual[i]) ? item->default_value : in->manual[i];
        /* Beyond any score: a ruleset or manual value gone wrong, and
           far enough to overflow the cents the totals are added in. */
        if (!isfinite (raw) || fabs (raw) > SCORE_MAX) {
            snprintf (err, 256,
                      "%s: item %s is not a usable number for unit %s (%g)",
                      rs->id, item->id, in->unit->unit_id, raw);
            return -1;
        }
        out->shown[i] = rules_round (raw, item->round);
        vars[RULES_VAR_ITEM + i] = out->shown[i];
        raw_sum += raw;
        shown_cents += s_cents (out->shown[i]);
    }
    for (int d = 0; d < rs->dim_count; d++) {
        long long cents = 0;
        for (int i = 0; i < rs->item_count; i++)
            if (rs->items[i].dimension == d)
                cents += s_cents (out->shown[i]);
        out->dims[d] = (double)cents / 100;
    }
    if (rs->total == RULES_TOTAL_SUM_SHOWN)
        out->base_total = (double)shown_cents / 100;
    else if (rs->total == RULES_TOTAL_ITEM)
        out->base_total =
            rules_round (out->shown[rs->total_item], RULES_ROUND_R2);
    else
        out->base_total = rules_round (raw_sum, RULES_ROUND_R2);
    out->bonus = isnan (in->bonus) ? 0 : in->bonus;
    if (fabs (out->bonus) > SCORE_MAX) {
        snprintf (err, 256, "%s: bonus %g for unit %s is out of range", rs->id,
                  out->bonus, in->unit->unit_id);
        return -1;
    }
    out->total = rules_round (out->base_total + out->bonus, RULES_ROUND_R2);
    out->excluded = rs->exclude && rules_expr_eval (rs->exclude, vars) != 0;
    out->empty = rs->empty && rules_expr_eval (rs->empty, vars) != 0;
    return 0;
}

/* Units with no cases get the mean total of the units that had some
   (连云港: "the average composite score of the units that had cases"). */
static void
s_score_empty (size_t count, rules_output_t *out)
{
    double sum = 0;
    size_t n = 0;
    for (size_t u = 0; u < count; u++)
        if (out[u].table >= 0 && !out[u].excluded && !out[u].empty) {
            sum += out[u].total;
            n++;
        }
    double mean = n ? rules_round (sum / (double)n, RULES_ROUND_R2) : 0;
    for (size_t u = 0; u < count; u++) {
        if (out[u].table < 0 || !out[u].empty)
            continue;
        for (int i = 0; i < RULES_ITEMS_MAX; i++)
            out[u].shown[i] = NAN;
        for (int d = 0; d < RULES_DIMS_MAX; d++)
            out[u].dims[d] = NAN;
        out[u].base_total = out[u].total = mean;
        out[u].bonus = 0;
    }
}

int
rules_score (const rules_ruleset_t *rs, const rules_input_t *in, size_t count,
             rules_output_t *out, char *err)
{
    return rules_score_tables (rs, in, count, NULL, out, err);
}

/* True when a report-wide value the scoring reads (in an item formula,
   the exclusion or the no-cases rule) differs from `agg`. Values nothing
   reads (most sums and means) may move. */
static bool
s_aggregates_moved (const rules_ruleset_t *rs, const double *agg,
                    const double *vars)
{
    for (int a = 0; a < 3 * RULES_COUNTERS; a++) {
        double was = agg[a], is = vars[RULES_VAR_AGG + a];
        if (memcmp (&was, &is, sizeof (double)) == 0)
            continue;
        int slot = RULES_VAR_AGG + a;
        if ((rs->exclude && rules_expr_uses (rs->exclude, slot)) ||
            (rs->empty && rules_expr_uses (rs->empty, slot)))
            return true;
        for (int i = 0; i < rs->item_count; i++)
            if (rs->items[i].formula &&
                rules_expr_uses (rs->items[i].formula, slot))
                return true;
    }
    return false;
}

/* Scores every unit, or, given the outputs `prev` of the last scoring
   and the report-wide values it used (agg: 3 * RULES_COUNTERS, updated), only
   the `changed` units when those values did not move: every other unit's
   items then come out as they did, and are copied. Totals of units with
   no cases and ranks are always done again over all units. */
static int
s_score (const rules_ruleset_t *rs, const rules_input_t *in, size_t count,
         const int *tables, const size_t *changed, size_t changed_count,
         const rules_output_t *prev, double *agg, rules_output_t *out,
         char *err)
{
    double *vars = calloc (RULES_VAR_COUNT, sizeof (double));
    s_rank_key_t *keys = malloc ((count ? count : 1) * sizeof (*keys));
    if (!vars || !keys) {
        free (vars);
        free (keys);
        snprintf (err, 256, "out of memory");
        return -1;
    }
    int *own = tables ? NULL : malloc ((count ? count : 1) * sizeof (int));
    if (!tables && !own) {
        free (vars);
        free (keys);
        snprintf (err, 256, "out of memory");
        return -1;
    }
    if (own)
        s_assign (rs, count, s_group_of_input, in, own);
    int table_total = rs->table_count;
    for (size_t u = 0; u < count; u++) {
        memset (&out[u], 0, sizeof (out[u]));
        out[u].table = tables ? tables[u] : own[u];
        if (out[u].table >= table_total)
            table_total = out[u].table + 1;
    }
    free (own);
    rules_aggregates (in, count, out, vars);
    bool some = prev && agg && !s_aggregates_moved (rs, agg, vars);
    if (agg)
        memcpy (agg, vars + RULES_VAR_AGG,
                3 * RULES_COUNTERS * sizeof (double));
    int rc = 0;
    if (some) {
        for (size_t u = 0; u < count; u++)
            if (out[u].table >= 0)
                out[u] = prev[u];
        for (size_t k = 0; k < changed_count && rc == 0; k++) {
            size_t u = changed[k];
            if (u >= count || out[u].table < 0)
                continue;
            memset (&out[u], 0, sizeof (out[u]));
            out[u].table = prev[u].table;
            rc = s_score_unit (rs, &in[u], vars, &out[u], err);
        }
    } else
        for (size_t u = 0; u < count && rc == 0; u++)
            if (out[u].table >= 0)
                rc = s_score_unit (rs, &in[u], vars, &out[u], err);
    if (rc == 0 && rs->empty)
        s_score_empty (count, out);
    int tb = rs->tiebreak;
    for (int t = 0; rc == 0 && rs->rank != RULES_RANK_NONE && t < table_total;
         t++) {
        size_t n = 0;
        for (size_t u = 0; u < count; u++)
            if (out[u].table == t && !out[u].excluded)
                keys[n++] = (s_rank_key_t){s_cents (out[u].total),
                                           tb >= 0 ? in[u].counters[tb] : 0,
                                           in[u].unit->order, (uint32_t)u};
        qsort (keys, n, sizeof (*keys), s_compare_rank);
        for (size_t r = 0; r < n; r++) {
            rules_output_t *o = &out[keys[r].index];
            bool tie = r > 0 && keys[r].cents == keys[r - 1].cents;
            o->rank = rs->rank == RULES_RANK_COMPETITION && tie
                          ? out[keys[r - 1].index].rank
                          : (int)r + 1;
        }
    }
    free (vars);
    free (keys);
    return rc;
}

int
rules_score_tables (const rules_ruleset_t *rs, const rules_input_t *in,
                    size_t count, const int *tables, rules_output_t *out,
                    char *err)
{
    return s_score (rs, in, count, tables, NULL, 0, NULL, NULL, out, err);
}

int
rules_rescore (const rules_ruleset_t *rs, const rules_input_t *in, size_t count,
               const int *tables, const size_t *changed, size_t changed_count,
               const rules_output_t *prev, double *agg, rules_output_t *out,
               char *err)
{
    return s_score (rs, in, count, tables, changed, changed_count, prev, agg,
                    out, err);
}

double
rules_column_value (const rules_column_t *column, const double *counters)
{
    if (column->counter >= 0)
        return counters[column->counter];
    return rules_round (rules_expr_eval (column->formula, counters),
                        column->round);
}

int
rules_round_decimals (rules_round_t mode)
{
    return mode == RULES_ROUND_PCT0 ? 0 : 2;
}
