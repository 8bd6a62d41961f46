/*  report_build: the end-of-period scorecard from the store.

    Reads the units registry once, then the period's counter records with
    one cursor walk (report_inputs.c: the "" slice feeds scoring, the
    channel slices feed channel tables and the breakdown on the same
    walk) and its manual items with another, scores them with
    rules_score, and renders docs/report-json.md straight into one
    buffer (json.h), byte for byte what cJSON printed before: the header
    and tables (report_tables.c), the sections the ruleset asks for
    (report_sections.c), the overview (report_bulletin.c). The cost is one
    step per counter record of the period, independent of how many events
    the period holds: aggregates are maintained as events arrive.

    This file holds the reading and scoring (the period, the one before
    it for changes, the notes through report_notes.c), the report as of
    an earlier moment, and report_json, which puts the parts in order. */
#include "report_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_scored_free (report__scored_t *s)
{
    free (s->in);
    free (s->out);
    memset (s, 0, sizeof (*s));
}

static void
s_report_free (report__build_t *r)
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
s_sums_add (report__sums_t *sums, const char *id, double n)
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
    report__build_t *r = arg;
    const rules_ruleset_t *rs = r->rs;
    bool channel = strncmp (slice, "ch:", 3) == 0;
    if (channel)
        for (int t = 0; t < rs->channel_count; t++)
            if (strcmp (slice + 3, rs->channels[t].channel) == 0)
                state_counters_decode (value, size,
                                       r->channel +
                                           ((size_t)t * r->count + unit) *
                                               RULES_COUNTERS);
    int kind = channel ? 0 : strncmp (slice, "cat:", 4) == 0 ? 1 : -1;
    if (kind < 0)
        return;
    int32_t stored[RULES_RECEIVED + 1];
    if (store_i32_decode (value, size, stored, RULES_RECEIVED + 1) != 0)
        return;
    s_sums_add (&r->sums[kind], slice + (kind == 0 ? 3 : 4),
                stored[RULES_RECEIVED]);
}

static int
s_score_period (store_txn_t *txn, report__build_t *r, const char *period,
                report__scored_t *s, report_record_fn *slices, char *err)
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

/* The registry, its index by id and every unit's table. */
static int
s_report_units (store_txn_t *txn, report__build_t *r, char *err)
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
s_report_read (store_txn_t *txn, report__build_t *r, char *err)
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
    return report__notes_read (txn, r, err);
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

/* The period a report is of (the clock's when none is asked, in
   `current`, 8 bytes) and the moment it is shown as of. -1 with the
   error when the period is bad or none can be chosen. */
static int
s_resolve (store_txn_t *txn, const rules_ruleset_t *rs, const char **text,
           char *current, proto_period_t *period, int64_t *shown_as_of,
           char *err)
{
    int64_t now = state_clock_now (txn);
    if (!**text) {
        /* No period asked: the one the clock is in, for this ruleset. */
        if (now == 0) {
            snprintf (err, 256, "no events stored yet: give a period");
            return -1;
        }
        *text = proto_period_format (
            proto_period_of (now, report_period_kind (rs)), current);
    }
    if (report_period_check (rs, *text, period, err) != 0)
        return -1;
    int64_t end = proto_period_end (*period);
    *shown_as_of = now < end ? now : end;
    return 0;
}

int
report_as_of_replay (store_txn_t *txn, const rules_ruleset_t *rs,
                     const char *period_text, int64_t as_of, char *period,
                     char *err)
{
    proto_period_t parsed;
    char current[8];
    int64_t shown_as_of;
    if (s_resolve (txn, rs, &period_text, current, &parsed, &shown_as_of,
                   err) != 0)
        return -1;
    snprintf (period, 8, "%s", period_text);
    return as_of && as_of < shown_as_of;
}

char *
report_json (store_txn_t *txn, const rules_ruleset_t *rs,
             const char *period_text, int64_t as_of, char *err)
{
    proto_period_t period;
    char current[8];
    int64_t shown_as_of;
    if (s_resolve (txn, rs, &period_text, current, &period, &shown_as_of,
                   err) != 0)
        return NULL;
    if (as_of && as_of < shown_as_of)
        return s_report_as_of (txn, rs, period_text, as_of, err);
    report__build_t r = {
        .rs = rs, .period = period, .period_text = period_text};
    json_writer_t json;
    char *text = NULL;
    if (s_report_read (txn, &r, err) != 0)
        goto cleanup;
    json_init (&json, 4096 + r.count * REPORT_BYTES_PER_UNIT);
    json_open (&json, '{');
    report__header (&json, rs, period_text, shown_as_of);
    if (report__tables (&json, &r, err) != 0) {
        json_free (&json);
        goto cleanup;
    }
    bool empty = report__empty (&r);
    if (empty) {
        json_key (&json, "empty");
        json_bool (&json, true);
    }
    report__warnings (&json, &r, empty);
    report__channel_tables (&json, &r);
    report__summary (&json, &r);
    report__breakdown (&json, &r);
    report__below (&json, &r);
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
