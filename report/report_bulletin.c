/*  report_bulletin: what the bulletin's forms read beyond the scores.

    The bulletins head each item over the counters its formula reads
    (report__item_uses). And a bulletin starts with a paragraph of district-wide
   figures before its tables: tickets received, to close and closed, the closure
   and on-time rates, and what the tickets were about. They are sums over the
   units of the report's tables, so they are computed here from the same inputs
   the tables were scored from, and every output form (the HTML bulletin first)
   reads them from the report instead of adding up rows that may not carry the
   counters. */
#include "report_internal.h"

#include <math.h>

/* A fraction rounded to 4 decimals, as every share of the report; null
   when there is nothing to divide by. */
static void
s_fraction (json_writer_t *json, const char *key, double part, double whole)
{
    json_key (json, key);
    if (whole > 0)
        json_number (json, round (part / whole * 10000) / 10000);
    else
        json_literal (json, "null");
}

void
report__item_uses (json_writer_t *json, const rules_ruleset_t *rs,
                   const rules_item_t *item)
{
    json_key (json, "uses");
    json_open (json, '[');
    for (int c = 0; c < rs->counter_count && item->formula; c++)
        if (rules_expr_uses (item->formula, rs->counters[c]))
            json_string (json, rules_counter_name (rs->counters[c]));
    json_close (json, ']');
}

static void
s_count (json_writer_t *json, const char *key, double value)
{
    json_key (json, key);
    json_number (json, value);
}

void
report__overview (json_writer_t *json, const rules_input_t *in,
                  const rules_output_t *out, size_t units,
                  const report__sum_t *categories, size_t count)
{
    static const int counters[] = {RULES_RECEIVED, RULES_SHOULD_CLOSE,
                                   RULES_CLOSED, RULES_CLOSED_ON_TIME};
    double sums[4] = {0, 0, 0, 0};
    double listed = 0;
    for (size_t u = 0; u < units; u++) {
        if (out[u].table < 0)
            continue;
        listed++;
        for (size_t c = 0; c < 4; c++)
            sums[c] += in[u].counters[counters[c]];
    }
    json_key (json, "overview");
    json_open (json, '{');
    s_count (json, "units", listed);
    for (size_t c = 0; c < 4; c++)
        s_count (json, rules_counter_name (counters[c]), sums[c]);
    s_fraction (json, "closure_rate", sums[2], sums[1]);
    s_fraction (json, "on_time_rate", sums[3], sums[2]);
    /* Shares of all tickets received, as the breakdown computes them. */
    json_key (json, "categories");
    json_open (json, '[');
    for (size_t k = 0; k < count; k++) {
        if (categories[k].received == 0)
            continue;
        json_open (json, '{');
        json_key (json, "id");
        json_string (json, categories[k].id);
        s_count (json, "received", categories[k].received);
        s_fraction (json, "share", categories[k].received, sums[0]);
        json_close (json, '}');
    }
    json_close (json, ']');
    json_close (json, '}');
}
