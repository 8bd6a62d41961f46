/*  scorer_rows: one unit's score row, as reports list it and as the
    publisher sends it (INTERFACES.md sections 4 and 5), rendered with the
    JSON writer of scorer_json.c. */
#include "scorer_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
scorer__row_fields (scorer_json_t *json, const scorer_ruleset_t *rs,
                    const scorer_input_t *in, const scorer_output_t *out,
                    bool with_counters)
{
    scorer__json_key (json, "rank");
    if (out->rank > 0)
        scorer__json_int (json, out->rank);
    else
        scorer__json_literal (json, "null");
    scorer__json_key (json, "unit_id");
    scorer__json_string (json, in->unit->unit_id);
    scorer__json_key (json, "unit");
    scorer__json_string (json, in->unit->name);
    if (with_counters) {
        scorer__json_key (json, "counters");
        scorer__json_open (json, '{');
        for (int c = 0; c < rs->counter_count; c++) {
            scorer__json_key (json, scorer_counter_name (rs->counters[c]));
            scorer__json_number (json, in->counters[rs->counters[c]]);
        }
        scorer__json_close (json, '}');
    }
    scorer__json_key (json, "items");
    scorer__json_open (json, '{');
    for (int i = 0; i < rs->item_count; i++) {
        scorer__json_key (json, rs->items[i].id);
        scorer__json_shown (json, out->shown[i], rs->items[i].round);
    }
    scorer__json_close (json, '}');
    if (rs->dim_count) {
        scorer__json_key (json, "dimensions");
        scorer__json_open (json, '{');
        for (int d = 0; d < rs->dim_count; d++) {
            scorer__json_key (json, rs->dims[d].id);
            scorer__json_shown (json, out->dims[d], ROUND_R2);
        }
        scorer__json_close (json, '}');
    }
    if (*rs->bonus) {
        scorer__json_key (json, "base_total");
        scorer__json_shown (json, out->base_total, ROUND_R2);
        scorer__json_key (json, "bonus");
        scorer__json_shown (json, out->bonus, ROUND_R2);
    }
    scorer__json_key (json, "total");
    scorer__json_shown (json, out->total, ROUND_R2);
}

void
scorer__row_publish (scorer_json_t *json, const scorer_ruleset_t *rs,
                     const char *period, const scorer_input_t *in,
                     const scorer_output_t *out)
{
    scorer__json_open (json, '{');
    scorer__row_fields (json, rs, in, out, false);
    scorer__json_key (json, "ruleset");
    scorer__json_string (json, rs->id);
    scorer__json_key (json, "period");
    scorer__json_string (json, period);
    scorer__json_key (json, "excluded");
    scorer__json_literal (json, out->excluded ? "true" : "false");
    scorer__json_close (json, '}');
}

zhashx_t *
scorer_report_rows (store_txn_t *txn, const scorer_ruleset_t *rs,
                    scorer_period_t period, char *err)
{
    char p[8];
    scorer_period_format (period, p);
    size_t count;
    scorer_unit_t *units = scorer_units_list (txn, &count);
    scorer_input_t *in = malloc ((count ? count : 1) * sizeof (*in));
    scorer_output_t *out = malloc ((count ? count : 1) * sizeof (*out));
    scorer_roster_t roster = {0};
    zhashx_t *rows = NULL;
    scorer_json_t json = {0};
    if (!in || !out || scorer__roster_init (&roster, units, count) != 0) {
        snprintf (err, 256, "out of memory");
        goto cleanup;
    }
    if (scorer__inputs_read (txn, rs, p, &roster, in, NULL, NULL, err) != 0 ||
        scorer_score (rs, in, count, out, err) != 0)
        goto cleanup;
    rows = zhashx_new ();
    zhashx_set_destructor (rows, (zhashx_destructor_fn *)zstr_free);
    scorer__json_init (&json, 1024);
    for (size_t u = 0; u < count; u++) {
        if (out[u].table < 0)
            continue;
        scorer__json_reset (&json);
        scorer__row_publish (&json, rs, p, &in[u], &out[u]);
        const char *text = scorer__json_text (&json);
        char *copy = text ? strdup (text) : NULL;
        if (copy)
            zhashx_insert (rows, units[u].unit_id, copy);
    }
cleanup:
    scorer__json_free (&json);
    scorer__roster_free (&roster);
    free (units);
    free (in);
    free (out);
    return rows;
}
