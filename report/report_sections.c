/*  report_sections: the sections of a scorecard a ruleset may ask for
    beside its tables (docs/report-json.md): a table per channel, the
    summary line, the breakdown by channel and category, and the units
    below the district-wide rate. Each writes nothing when the ruleset
    does not ask for it. */
#include "report_internal.h"

#include <math.h>
#include <stdlib.h>

void
report__channel_tables (json_writer_t *json, const report__build_t *r)
{
    const rules_ruleset_t *rs = r->rs;
    if (rs->channel_count == 0)
        return;
    json_key (json, "channel_tables");
    json_open (json, '[');
    for (int t = 0; t < rs->channel_count; t++) {
        const rules_channel_table_t *ct = &rs->channels[t];
        json_open (json, '{');
        report__key_string (json, "channel", ct->channel);
        report__key_string (json, "title", ct->title);
        json_key (json, "columns");
        json_open (json, '[');
        for (int c = 0; c < ct->column_count; c++) {
            json_open (json, '{');
            report__key_string (json, "id", ct->columns[c].id);
            report__key_string (json, "label", ct->columns[c].label);
            report__key_string (
                json, "kind", ct->columns[c].counter >= 0 ? "counter" : "item");
            if (ct->columns[c].counter < 0) {
                report__key_string (json, "round",
                                    report__round_name (ct->columns[c].round));
                report__key_string (json, "suffix", ct->columns[c].suffix);
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
            report__key_string (json, "unit_id", r->units[u].unit_id);
            report__key_string (json, "unit", r->units[u].name);
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

void
report__summary (json_writer_t *json, const report__build_t *r)
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
    report__key_number (json, "units", (double)units);
    report__key_number (json, "with_cases", (double)with_cases);
    report__key_number (json, "full_score", rs->full_score);
    report__key_number (json, "at_full_score", (double)full);
    report__key_number (
        json, "at_full_score_share",
        units ? round ((double)full / (double)units * 10000) / 10000 : 0);
    json_key (json, "average");
    report_json_shown (
        json, units ? rules_round (sum / (double)units, RULES_ROUND_R2) : NAN,
        RULES_ROUND_R2);
    json_close (json, '}');
}

/* Received tickets of the report's units by channel and by category,
   summed from the slices on the walk over the period's counters. */
void
report__breakdown (json_writer_t *json, const report__build_t *r)
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
            report__key_string (json, "id", sum->id);
            report__key_number (json, "received", n);
            report__key_number (json, "share",
                                total ? round (n / total * 10000) / 10000 : 0);
            json_close (json, '}');
        }
        json_close (json, ']');
    }
    json_close (json, '}');
}

/* Units whose rate is below the district-wide rate (芙蓉区's list). */
void
report__below (json_writer_t *json, const report__build_t *r)
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
    report__key_string (json, "title", rs->below_title);
    report__key_number (json, "district_rate",
                        round (district * 10000) / 10000);
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
        report__key_string (json, "unit_id", r->units[u].unit_id);
        report__key_string (json, "unit", r->units[u].name);
        report__key_number (json, "revisited", c[RULES_REVISITED]);
        report__key_number (json, "unresolved", c[RULES_UNRESOLVED]);
        report__key_number (json, "rate", round (rate * 10000) / 10000);
        json_close (json, '}');
    }
    json_close (json, ']');
    json_close (json, '}');
}
