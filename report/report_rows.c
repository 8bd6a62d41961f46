/*  report_rows: one unit's score row, as reports list it and as the
    publisher sends it (docs/report-json.md, docs/live.md). */
#include "report_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
report_row_fields (json_writer_t *json, const rules_ruleset_t *rs,
                   const rules_input_t *in, const rules_output_t *out,
                   bool with_counters)
{
    json_key (json, "rank");
    if (out->rank > 0)
        json_int (json, out->rank);
    else
        json_literal (json, "null");
    json_key (json, "unit_id");
    json_string (json, in->unit->unit_id);
    json_key (json, "unit");
    json_string (json, in->unit->name);
    if (with_counters) {
        json_key (json, "counters");
        json_open (json, '{');
        for (int c = 0; c < rs->counter_count; c++) {
            json_key (json, rules_counter_name (rs->counters[c]));
            json_number (json, in->counters[rs->counters[c]]);
        }
        json_close (json, '}');
    }
    json_key (json, "items");
    json_open (json, '{');
    for (int i = 0; i < rs->item_count; i++) {
        json_key (json, rs->items[i].id);
        report_json_shown (json, out->shown[i], rs->items[i].round);
    }
    json_close (json, '}');
    if (rs->dim_count) {
        json_key (json, "dimensions");
        json_open (json, '{');
        for (int d = 0; d < rs->dim_count; d++) {
            json_key (json, rs->dims[d].id);
            report_json_shown (json, out->dims[d], RULES_ROUND_R2);
        }
        json_close (json, '}');
    }
    if (*rs->bonus) {
        json_key (json, "base_total");
        report_json_shown (json, out->base_total, RULES_ROUND_R2);
        json_key (json, "bonus");
        report_json_shown (json, out->bonus, RULES_ROUND_R2);
    }
    json_key (json, "total");
    report_json_shown (json, out->total, RULES_ROUND_R2);
}

void
report_row_publish (json_writer_t *json, const rules_ruleset_t *rs,
                    const char *period, const rules_input_t *in,
                    const rules_output_t *out)
{
    json_open (json, '{');
    report_row_fields (json, rs, in, out, false);
    json_key (json, "ruleset");
    json_string (json, rs->id);
    json_key (json, "period");
    json_string (json, period);
    json_key (json, "excluded");
    json_bool (json, out->excluded);
    json_close (json, '}');
}

int
report_rows (store_txn_t *txn, const rules_ruleset_t *rs, proto_period_t period,
             report_row_fn *fn, void *arg, char *err)
{
    char p[8];
    proto_period_format (period, p);
    size_t count;
    rules_unit_t *units = state_units_list (txn, &count);
    rules_input_t *in = malloc ((count ? count : 1) * sizeof (*in));
    rules_output_t *out = malloc ((count ? count : 1) * sizeof (*out));
    report_roster_t roster = {0};
    json_writer_t json = {0};
    int rc = -1;
    if (!in || !out || report_roster_init (&roster, units, count) != 0) {
        snprintf (err, 256, "out of memory");
        goto cleanup;
    }
    if (report_inputs_read (txn, rs, p, &roster, in, NULL, NULL, err) != 0 ||
        rules_score (rs, in, count, out, err) != 0)
        goto cleanup;
    json_init (&json, 1024);
    for (size_t u = 0; u < count; u++) {
        if (out[u].table < 0)
            continue;
        json_reset (&json);
        report_row_publish (&json, rs, p, &in[u], &out[u]);
        const char *text = json_text (&json);
        if (!text) {
            snprintf (err, 256, "out of memory");
            goto cleanup;
        }
        fn (arg, units[u].unit_id, text);
    }
    rc = 0;
cleanup:
    json_free (&json);
    report_roster_free (&roster);
    free (units);
    free (in);
    free (out);
    return rc;
}

void
report_json_shown (json_writer_t *json, double value, rules_round_t round)
{
    json_fixed (json, value, rules_round_decimals (round));
}

proto_period_kind_t
report_period_kind (const rules_ruleset_t *rs)
{
    return rs->period == RULES_QUARTER ? PROTO_QUARTER : PROTO_MONTH;
}
