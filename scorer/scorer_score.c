/*  scorer_score: (counters, ruleset) -> items, totals, ranks. Pure: no
    I/O, no allocation beyond one scratch array, same answer every time. */
#include "scorer_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values like 10 - 0.02 * 4 are 9.919999... in binary; a tolerance far
   below a hundredth keeps truncation from losing a cent that the decimal
   arithmetic of the bulletins has. */
#define ROUND_EPSILON 1e-7

double
scorer__round (double value, scorer_round_t mode)
{
    switch (mode) {
    case ROUND_T2:
        return value >= 0 ? floor (value * 100 + ROUND_EPSILON) / 100
                          : ceil (value * 100 - ROUND_EPSILON) / 100;
    case ROUND_R2:
        return value >= 0 ? floor (value * 100 + 0.5 + ROUND_EPSILON) / 100
                          : ceil (value * 100 - 0.5 - ROUND_EPSILON) / 100;
    case ROUND_PCT0:
        return value >= 0 ? floor (value + 0.5 + ROUND_EPSILON)
                          : ceil (value - 0.5 - ROUND_EPSILON);
    default:
        return value;
    }
}

/* Ranking order: total descending, then the tie-break counter descending,
   then registry order. */
typedef struct {
    const scorer_ruleset_t *ruleset; /* for the tie-break */
    const scorer_input_t *in;        /* inputs */
    const scorer_output_t *out;      /* totals */
} s_rank_ctx_t;

static _Thread_local const s_rank_ctx_t *s_ctx;

static int
s_compare_rank (const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double tx = s_ctx->out[x].total, ty = s_ctx->out[y].total;
    /* Totals are shown to the cent; compare what is shown. */
    long long cx = llround (tx * 100), cy = llround (ty * 100);
    if (cx != cy)
        return cx > cy ? -1 : 1;
    int tb = s_ctx->ruleset->tiebreak;
    if (tb >= 0) {
        double vx = s_ctx->in[x].counters[tb], vy = s_ctx->in[y].counters[tb];
        if (vx != vy)
            return vx > vy ? -1 : 1;
    }
    uint32_t ox = s_ctx->in[x].unit->order, oy = s_ctx->in[y].unit->order;
    return (ox > oy) - (ox < oy);
}

static int
s_table_of (const scorer_ruleset_t *rs, const char *group)
{
    for (int t = 0; t < rs->table_count; t++)
        if (strcmp (rs->tables[t].group, group) == 0)
            return t;
    return -1;
}

int
scorer_score (const scorer_ruleset_t *rs, const scorer_input_t *in,
              size_t count, scorer_output_t *out, char *err)
{
    double vars[SCORER_VAR_COUNT] = {0};
    double max[SC_COUNT], sum[SC_COUNT];
    size_t listed = 0;
    for (int c = 0; c < SC_COUNT; c++)
        max[c] = sum[c] = 0;
    for (size_t u = 0; u < count; u++) {
        memset (&out[u], 0, sizeof (out[u]));
        out[u].table = s_table_of (rs, in[u].unit->group);
        if (out[u].table < 0)
            continue;
        listed++;
        for (int c = 0; c < SC_COUNT; c++) {
            if (in[u].counters[c] > max[c] || listed == 1)
                max[c] = in[u].counters[c];
            sum[c] += in[u].counters[c];
        }
    }
    /* Report-wide values are over every unit of the report's tables. */
    for (int c = 0; c < SC_COUNT; c++) {
        vars[SCORER_VAR_AGG + 3 * c] = max[c];
        vars[SCORER_VAR_AGG + 3 * c + 1] = listed ? sum[c] / listed : 0;
        vars[SCORER_VAR_AGG + 3 * c + 2] = sum[c];
    }
    for (size_t u = 0; u < count; u++) {
        if (out[u].table < 0)
            continue;
        memcpy (vars, in[u].counters, sizeof (in[u].counters));
        double raw_sum = 0;
        long long shown_cents = 0;
        for (int i = 0; i < rs->item_count; i++) {
            const scorer_item_t *item = &rs->items[i];
            double raw;
            if (item->formula)
                raw = scorer__expr_eval (item->formula, vars);
            else
                raw = isnan (in[u].manual[i]) ? item->default_value
                                              : in[u].manual[i];
            if (!isfinite (raw)) {
                snprintf (err, 256, "%s: item %s is not a number for unit %s",
                          rs->id, item->id, in[u].unit->unit_id);
                return -1;
            }
            vars[SCORER_VAR_ITEM + i] = raw;
            out[u].shown[i] = scorer__round (raw, item->round);
            raw_sum += raw;
            shown_cents += llround (out[u].shown[i] * 100);
        }
        out[u].total = rs->total == TOTAL_SUM_SHOWN
                           ? (double)shown_cents / 100
                           : scorer__round (raw_sum, ROUND_R2);
        out[u].excluded =
            rs->exclude && scorer__expr_eval (rs->exclude, vars) != 0;
    }
    if (rs->rank == RANK_NONE)
        return 0;
    size_t *order = malloc ((count ? count : 1) * sizeof (size_t));
    if (!order) {
        snprintf (err, 256, "out of memory");
        return -1;
    }
    s_rank_ctx_t ctx = {rs, in, out};
    for (int t = 0; t < rs->table_count; t++) {
        size_t n = 0;
        for (size_t u = 0; u < count; u++)
            if (out[u].table == t && !out[u].excluded)
                order[n++] = u;
        s_ctx = &ctx;
        qsort (order, n, sizeof (size_t), s_compare_rank);
        s_ctx = NULL;
        for (size_t r = 0; r < n; r++) {
            scorer_output_t *o = &out[order[r]];
            bool tie = r > 0 && llround (o->total * 100) ==
                                    llround (out[order[r - 1]].total * 100);
            o->rank = rs->rank == RANK_COMPETITION && tie
                          ? out[order[r - 1]].rank
                          : (int)r + 1;
        }
    }
    free (order);
    return 0;
}
