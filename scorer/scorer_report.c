/*  scorer_report: the end-of-period scorecard from the store.

    Reads the units registry and each unit's counters and manual items for
    the period inside the caller's (read) transaction, scores them with
    scorer_score, and renders INTERFACES.md section 4. The cost is one
    point read per unit and item, independent of how many events the
    period holds: aggregates are maintained as events arrive. */
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
        uint8_t key[STORE_KEY_MAX];
        size_t size =
            scorer__counter_key (key, period, in->unit->unit_id, "", "");
        int32_t stored[SC_STORED_COUNT];
        int rc = store_get_i32 (txn, STORE_COUNTERS, key, size, stored,
                                SC_STORED_COUNT);
        if (rc != STORE_OK) {
            snprintf (err, 256, "reading counters: %s", store_strerror (rc));
            s_scored_free (s);
            return -1;
        }
        for (int c = 0; c < SC_STORED_COUNT; c++)
            in->counters[c] = stored[c];
        scorer_counters_derive (in->counters);
        for (int i = 0; i < rs->item_count; i++) {
            in->manual[i] = NAN;
            if (rs->items[i].formula)
                continue;
            struct {
                double value;
                int64_t at;
            } rec;
            size = scorer__counter_key (key, period, in->unit->unit_id, "",
                                        rs->items[i].id);
            size_t vsize = sizeof (rec);
            if (store_get (txn, STORE_MANUAL, key, size, &rec, &vsize) ==
                    STORE_OK &&
                vsize == sizeof (rec))
                in->manual[i] = rec.value;
        }
    }
    if (scorer_score (rs, s->in, s->count, s->out, err) != 0) {
        s_scored_free (s);
        return -1;
    }
    return 0;
}

/* A number shown with exactly two decimals, as the bulletins print it. */
static cJSON *
s_fixed2 (double value)
{
    char text[64];
    snprintf (text, sizeof (text), "%.2f", value);
    if (strcmp (text, "-0.00") == 0)
        strcpy (text, "0.00");
    return cJSON_CreateRaw (text);
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
                               s_fixed2 (out->shown[i]));
    cJSON_AddItemToObject (row, "total", s_fixed2 (out->total));
    cJSON_AddStringToObject (row, "note", "");
    return row;
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
    s_scored_t s;
    if (s_score_period (txn, rs, period_text, &s, err) != 0)
        return NULL;

    cJSON *doc = cJSON_CreateObject ();
    char when[32];
    cJSON_AddStringToObject (doc, "ruleset", rs->id);
    cJSON_AddStringToObject (doc, "title", rs->title);
    cJSON_AddStringToObject (doc, "period", period_text);
    if (shown_as_of > 0)
        cJSON_AddStringToObject (doc, "as_of",
                                 proto_time_format (shown_as_of, when));
    else
        cJSON_AddNullToObject (doc, "as_of");
    cJSON *items = cJSON_AddArrayToObject (doc, "items");
    for (int i = 0; i < rs->item_count; i++) {
        cJSON *item = cJSON_CreateObject ();
        cJSON_AddStringToObject (item, "id", rs->items[i].id);
        cJSON_AddStringToObject (item, "label", rs->items[i].label);
        cJSON_AddNumberToObject (item, "points", rs->items[i].points);
        cJSON_AddItemToArray (items, item);
    }
    cJSON *counters = cJSON_AddArrayToObject (doc, "counters");
    for (int c = 0; c < rs->counter_count; c++)
        cJSON_AddItemToArray (
            counters,
            cJSON_CreateString (scorer_counter_name (rs->counters[c])));
    cJSON *tables = cJSON_AddArrayToObject (doc, "tables");
    for (int t = 0; t < rs->table_count; t++) {
        cJSON *table = cJSON_CreateObject ();
        cJSON_AddStringToObject (table, "group", rs->tables[t].group);
        cJSON_AddStringToObject (table, "title", rs->tables[t].title);
        cJSON *rows = cJSON_AddArrayToObject (table, "rows");
        /* Ranked schemes list by rank; unranked ones in registry order. */
        int listed = 0;
        for (size_t u = 0; u < s.count; u++)
            listed += s.out[u].table == t && !s.out[u].excluded;
        for (int r = 1; rs->rank != RANK_NONE && r <= listed; r++)
            for (size_t u = 0; u < s.count; u++)
                if (s.out[u].table == t && !s.out[u].excluded &&
                    s.out[u].rank == r)
                    cJSON_AddItemToArray (
                        rows, s_row_json (rs, &s.in[u], &s.out[u], true));
        for (size_t u = 0; rs->rank == RANK_NONE && u < s.count; u++)
            if (s.out[u].table == t && !s.out[u].excluded)
                cJSON_AddItemToArray (
                    rows, s_row_json (rs, &s.in[u], &s.out[u], true));
        cJSON_AddItemToArray (tables, table);
    }
    cJSON *excluded = cJSON_AddArrayToObject (doc, "excluded");
    for (size_t u = 0; u < s.count; u++) {
        if (s.out[u].table < 0 || !s.out[u].excluded)
            continue;
        cJSON *row = cJSON_CreateObject ();
        cJSON_AddStringToObject (row, "unit_id", s.units[u].unit_id);
        cJSON_AddStringToObject (row, "unit", s.units[u].name);
        cJSON_AddStringToObject (row, "reason", rs->exclude_text);
        cJSON_AddItemToArray (excluded, row);
    }
    char *text = cJSON_PrintUnformatted (doc);
    cJSON_Delete (doc);
    s_scored_free (&s);
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
