/*  report_explain: why a unit has the points it has (report.h,
    docs/explain.md).

    The period is scored as the report scores it (every unit: the
    report-wide values and ranks depend on all of them); then, for the
    unit, each item's formula, its inputs, and the tickets behind every
    lost point, read from the drill-down index the state machine keeps
    beside the counters (state_counted_scan): one cursor over the unit's
    adverse counts in the period, never the event log. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One listed count: a ticket in an adverse counter at a moment. */
typedef struct {
    int counter;                   /* rules_counter_t */
    char ticket[PROTO_ID_MAX + 1]; /* the ticket */
    state_counted_t count;         /* when, against what, why */
} s_entry_t;

typedef struct {
    s_entry_t *items; /* in scan order, then sorted */
    size_t count;     /* used */
    size_t size;      /* allocated */
    bool failed;      /* out of memory */
} s_entries_t;

static void
s_take (void *arg, int counter, const char *ticket_id,
        const state_counted_t *counts, size_t n)
{
    s_entries_t *e = arg;
    for (size_t i = 0; i < n && !e->failed; i++) {
        if (e->count == e->size) {
            size_t size = e->size ? e->size * 2 : 256;
            s_entry_t *items = realloc (e->items, size * sizeof (*items));
            if (!items) {
                e->failed = true;
                return;
            }
            e->items = items;
            e->size = size;
        }
        s_entry_t *entry = &e->items[e->count++];
        entry->counter = counter;
        snprintf (entry->ticket, sizeof (entry->ticket), "%s", ticket_id);
        entry->count = counts[i];
    }
}

static int
s_compare_entry (const void *a, const void *b)
{
    const s_entry_t *x = a, *y = b;
    if (x->counter != y->counter)
        return x->counter < y->counter ? -1 : 1;
    if (x->count.at != y->count.at)
        return x->count.at < y->count.at ? -1 : 1;
    return strcmp (x->ticket, y->ticket);
}

/* "16 h", "35 min", "3.5 days": a span as a person says it. */
static void
s_span (int64_t ms, char *buf, size_t size)
{
    if (ms < 0)
        ms = 0;
    if (ms < PROTO_HOUR_MS)
        snprintf (buf, size, "%lld min", (long long)((ms + 59999) / 60000));
    else if (ms < 48 * PROTO_HOUR_MS)
        snprintf (buf, size, "%.0f h", (double)ms / PROTO_HOUR_MS);
    else
        snprintf (buf, size, "%.1f days", (double)ms / PROTO_DAY_MS);
}

/* "3 h 10 min", "35 min": a span of working time, to the minute (the
   windows are short, and rounding would make a late one look in time). */
static void
s_work_span (int64_t ms, char *buf, size_t size)
{
    long long minutes = (ms + 59999) / 60000;
    if (minutes < 60)
        snprintf (buf, size, "%lld min", minutes);
    else if (minutes % 60)
        snprintf (buf, size, "%lld h %lld min", minutes / 60, minutes % 60);
    else
        snprintf (buf, size, "%lld h", minutes / 60);
}

/* A window count's detail: "returned 3 h after dispatch, the window is
   2 h", or, for a window in working hours, the working time measured
   and "the window is 2 working hours". */
static void
s_window (const state_calendar_t *cal, state_window_t window,
          const state_counted_t *c, const char *what, const char *after,
          char *buf, size_t size)
{
    bool working = false;
    int64_t length = state_calendar_window (cal, window, &working);
    int64_t span = c->at - c->ref;
    int missing;
    if (working &&
        state_calendar_span (cal, true, c->ref, c->at, &span, &missing) != 0)
        working = false, span = c->at - c->ref;
    char measured[32], allowed[32];
    if (working) {
        s_work_span (span, measured, sizeof (measured));
        s_work_span (length, allowed, sizeof (allowed));
        snprintf (buf, size,
                  "%s %s of working hours %s, the window is %s of working "
                  "hours",
                  what, measured, after, allowed);
    } else {
        s_span (span, measured, sizeof (measured));
        s_span (length, allowed, sizeof (allowed));
        snprintf (buf, size, "%s %s %s, the window is %s", what, measured,
                  after, allowed);
    }
}

/* The detail of one count, from its counter, how it came about and the
   moment it is measured against. */
static void
s_detail (const s_entry_t *e, const state_calendar_t *cal, char *buf,
          size_t size)
{
    const state_counted_t *c = &e->count;
    char span[32];
    s_span (c->at - c->ref, span, sizeof (span));
    switch (e->counter) {
    case RULES_CLOSED_LATE:
        snprintf (buf, size, "closed %s after its deadline", span);
        break;
    case RULES_KEY_CLOSED_LATE:
        snprintf (buf, size,
                  "key-supervision ticket closed %s after its deadline", span);
        break;
    case RULES_REPEAT_CLOSED_LATE:
        snprintf (buf, size,
                  "repeat-dispatch ticket closed %s after its deadline", span);
        break;
    case RULES_OVERDUE_OPEN:
        snprintf (buf, size, "still open when its deadline passed");
        break;
    case RULES_ALERTS:
        snprintf (buf, size, "passed its deadline while open (an alert)");
        break;
    case RULES_SIGNED_LATE:
        s_window (cal, STATE_WINDOW_SIGN, c, "signed for", "after dispatch",
                  buf, size);
        break;
    case RULES_RETURNED_LATE:
        s_window (cal, STATE_WINDOW_RETURN, c, "returned", "after dispatch",
                  buf, size);
        break;
    case RULES_RETURNED:
        snprintf (buf, size, "returned to the platform %s after dispatch",
                  span);
        break;
    case RULES_EXTENDED:
        snprintf (buf, size, "deadline extended");
        break;
    case RULES_CONTACTED_LATE:
        if (c->why == STATE_WHY_CONTACT_NONE_CLOSE)
            snprintf (buf, size, "closed without contacting the citizen");
        else if (c->why == STATE_WHY_CONTACT_NONE_DUE)
            snprintf (buf, size, "the citizen not contacted by the deadline");
        else
            s_window (cal, STATE_WINDOW_CONTACT, c, "first contact",
                      "after receipt", buf, size);
        break;
    case RULES_UNSATISFIED:
        snprintf (buf, size, "revisit: unsatisfied");
        break;
    case RULES_UNRESOLVED:
        snprintf (buf, size, "revisit: not resolved");
        break;
    case RULES_REWORK:
        snprintf (buf, size,
                  c->why == STATE_WHY_REWORK_REOPEN
                      ? "reopened for rework"
                      : "the revisit sent it back for rework");
        break;
    default:
        snprintf (buf, size, "%s", rules_counter_name (e->counter));
    }
}

/* The name of the moment a count is measured against. */
static const char *
s_reference_name (int counter)
{
    switch (counter) {
    case RULES_SIGNED_LATE:
    case RULES_RETURNED:
    case RULES_RETURNED_LATE:
        return "dispatched_at";
    case RULES_CONTACTED_LATE:
        return "received_at";
    case RULES_UNSATISFIED:
    case RULES_UNRESOLVED:
    case RULES_REWORK:
        return NULL;
    default:
        return "due_at";
    }
}

/* Whether a counter's counts are listed: the adverse ones. */
static bool
s_adverse (int c)
{
    return c == RULES_SIGNED_LATE || c == RULES_CONTACTED_LATE ||
           c == RULES_RETURNED || c == RULES_RETURNED_LATE ||
           c == RULES_EXTENDED || c == RULES_CLOSED_LATE ||
           c == RULES_OVERDUE_OPEN || c == RULES_ALERTS ||
           c == RULES_UNSATISFIED || c == RULES_UNRESOLVED ||
           c == RULES_REWORK || c == RULES_KEY_CLOSED_LATE ||
           c == RULES_REPEAT_CLOSED_LATE;
}

/* The adverse counters an item's value depends on: the ones its formula
   reads, those behind should_close (overdue_open) and closed_on_time
   (closed_late), and those of the items it reads, transitively. */
static void
s_depends (const rules_ruleset_t *rs, int item, bool *adverse, int depth)
{
    const rules_expr_t *f = rs->items[item].formula;
    if (!f || depth > RULES_ITEMS_MAX)
        return;
    for (int c = 0; c < RULES_COUNTERS; c++) {
        if (!rules_expr_uses (f, c))
            continue;
        if (s_adverse (c))
            adverse[c] = true;
        if (c == RULES_SHOULD_CLOSE)
            adverse[RULES_OVERDUE_OPEN] = true;
        if (c == RULES_CLOSED_ON_TIME)
            adverse[RULES_CLOSED_LATE] = true;
    }
    for (int i = 0; i < rs->item_count; i++)
        if (i != item && rules_expr_uses (f, RULES_VAR_ITEM + i))
            s_depends (rs, i, adverse, depth + 1);
}

/* The name of an aggregate slot: max_closed, mean_rework, sum_received. */
static void
s_aggregate_name (int slot, char *buf, size_t size)
{
    int a = slot - RULES_VAR_AGG;
    static const char *kinds[3] = {"max_", "mean_", "sum_"};
    snprintf (buf, size, "%s%s", kinds[a % 3], rules_counter_name (a / 3));
}

/* "inputs": every name the item's formula reads, with its value. */
static void
s_inputs (json_writer_t *json, const rules_ruleset_t *rs, int item,
          const double *vars)
{
    const rules_expr_t *f = rs->items[item].formula;
    json_key (json, "inputs");
    json_open (json, '{');
    for (int slot = 0; f && slot < RULES_VAR_COUNT; slot++) {
        if (!rules_expr_uses (f, slot))
            continue;
        char name[RULES_ID_MAX + 16];
        if (slot < RULES_VAR_AGG)
            snprintf (name, sizeof (name), "%s", rules_counter_name (slot));
        else if (slot < RULES_VAR_ITEM)
            s_aggregate_name (slot, name, sizeof (name));
        else
            snprintf (name, sizeof (name), "%s",
                      rs->items[slot - RULES_VAR_ITEM].id);
        json_member_number (json, name, vars[slot]);
    }
    json_close (json, '}');
}

/* One ticket of an item's drill-down; an exempted one with the
   exemption's reason and who decided it. */
static void
s_ticket (json_writer_t *json, const s_entry_t *e, store_txn_t *txn,
          const char *unit, const state_calendar_t *cal)
{
    char when[32], detail[200];
    json_open (json, '{');
    json_member_string (json, "ticket_id", e->ticket);
    json_member_string (json, "counter", rules_counter_name (e->counter));
    json_member_string (json, "at", proto_time_format (e->count.at, when));
    const char *ref = s_reference_name (e->counter);
    if (ref && e->count.ref)
        json_member_string (json, ref, proto_time_format (e->count.ref, when));
    s_detail (e, cal, detail, sizeof (detail));
    json_member_string (json, "detail", detail);
    state_appeal_t appeal;
    if ((e->count.flags & STATE_COUNTED_EXEMPT) &&
        state_appeal_get (txn, e->ticket, unit, &appeal) == STORE_OK) {
        json_member_string (json, "reason", appeal.decision_reason);
        json_member_string (json, "by", appeal.by);
    }
    json_close (json, '}');
}

/* The scored period, the unit and its drill-down entries. */
typedef struct {
    const rules_ruleset_t *rs;    /* the ruleset */
    rules_unit_t *units;          /* registry */
    size_t count;                 /* units */
    int *tables;                  /* per unit */
    rules_input_t *in;            /* per unit */
    rules_output_t *out;          /* per unit */
    long unit;                    /* the unit's index */
    double vars[RULES_VAR_COUNT]; /* the unit's counters, aggregates,
                                     shown items */
    s_entries_t entries;          /* its adverse counts, sorted */
    store_txn_t *txn;             /* for the exemptions' reasons */
    state_calendar_t *cal;        /* the working time in force, for the
                                     windows' details */
} s_explain_t;

static void
s_item (json_writer_t *json, const s_explain_t *x, int i)
{
    const rules_ruleset_t *rs = x->rs;
    const rules_item_t *it = &rs->items[i];
    const rules_output_t *o = &x->out[x->unit];
    double value = o->shown[i];
    double lost =
        isnan (value) ? NAN : rules_round (it->points - value, RULES_ROUND_R2);
    json_open (json, '{');
    json_member_string (json, "item", it->id);
    json_member_string (json, "label", it->label);
    json_member_number (json, "points", it->points);
    json_key (json, "value");
    report_json_shown (json, value, it->round);
    json_key (json, "lost");
    report_json_shown (json, lost, RULES_ROUND_R2);
    char manual[64];
    snprintf (manual, sizeof (manual), "manual (default %g)",
              it->default_value);
    json_member_string (json, "formula",
                        it->formula ? it->formula_text : manual);
    s_inputs (json, rs, i, x->vars);
    bool adverse[RULES_COUNTERS] = {false};
    s_depends (rs, i, adverse, 0);
    json_key (json, "tickets");
    json_open (json, '[');
    for (size_t k = 0; lost > 0.004 && k < x->entries.count; k++) {
        const s_entry_t *e = &x->entries.items[k];
        if (adverse[e->counter] && !(e->count.flags & STATE_COUNTED_EXEMPT))
            s_ticket (json, e, x->txn, x->units[x->unit].unit_id, x->cal);
    }
    json_close (json, ']');
    json_key (json, "exempted");
    json_open (json, '[');
    for (size_t k = 0; k < x->entries.count; k++) {
        const s_entry_t *e = &x->entries.items[k];
        if (adverse[e->counter] && (e->count.flags & STATE_COUNTED_EXEMPT))
            s_ticket (json, e, x->txn, x->units[x->unit].unit_id, x->cal);
    }
    json_close (json, ']');
    json_close (json, '}');
}

static void
s_explain_free (s_explain_t *x)
{
    free (x->units);
    free (x->tables);
    free (x->in);
    free (x->out);
    free (x->entries.items);
    state_calendar_destroy (&x->cal);
}

/* Scores the period over every unit and finds the unit. */
static int
s_score (store_txn_t *txn, s_explain_t *x, const char *period,
         const char *unit_id, char *err)
{
    x->units = state_units_list (txn, &x->count);
    size_t n = x->count ? x->count : 1;
    x->tables = malloc (n * sizeof (int));
    x->in = malloc (n * sizeof (rules_input_t));
    x->out = malloc (n * sizeof (rules_output_t));
    report_roster_t roster = {0};
    if (!x->tables || !x->in || !x->out ||
        report_roster_init (&roster, x->units, x->count) != 0) {
        report_roster_free (&roster);
        snprintf (err, 256, "out of memory");
        return -1;
    }
    x->unit = report_roster_find (&roster, unit_id);
    int rc = -1;
    if (x->unit < 0)
        snprintf (err, 256,
                  "unknown unit \"%s\" (hotline units import registers units)",
                  unit_id);
    else {
        rules_tables_assign (x->rs, x->units, x->count, x->tables);
        rc = report_inputs_read (txn, x->rs, period, &roster, x->in, NULL, NULL,
                                 err) != 0 ||
                     rules_score_tables (x->rs, x->in, x->count, x->tables,
                                         x->out, err) != 0
                 ? -1
                 : 0;
    }
    report_roster_free (&roster);
    if (rc != 0)
        return -1;
    /* The unit's own values and the report-wide ones, as its formulas
       saw them. */
    rules_aggregates (x->in, x->count, x->out, x->vars);
    memcpy (x->vars, x->in[x->unit].counters, sizeof (x->in->counters));
    for (int i = 0; i < x->rs->item_count; i++)
        x->vars[RULES_VAR_ITEM + i] = x->out[x->unit].shown[i];
    return 0;
}

char *
report_explain_json (store_txn_t *txn, const rules_ruleset_t *rs,
                     const char *period_text, const char *unit_id,
                     const char *item, char *err)
{
    proto_period_t period;
    if (report_period_check (rs, period_text, &period, err) != 0)
        return NULL;
    int only = -1;
    for (int i = 0; item && *item && i < rs->item_count; i++)
        if (strcmp (rs->items[i].id, item) == 0)
            only = i;
    if (item && *item && only < 0) {
        snprintf (err, 256, "ruleset %s has no item \"%s\"", rs->id, item);
        return NULL;
    }
    s_explain_t x = {.rs = rs, .txn = txn};
    char *text = NULL;
    if (s_score (txn, &x, period_text, unit_id, err) != 0 ||
        !(x.cal = state_calendar_load (txn, err)))
        goto cleanup;
    int rc = state_counted_scan (txn, period_text, unit_id, s_take, &x.entries);
    if (rc != STORE_OK || x.entries.failed) {
        snprintf (err, 256, "reading the drill-down: %s",
                  x.entries.failed ? "out of memory" : store_strerror (rc));
        goto cleanup;
    }
    /* A unit with no adverse count has no array: qsort wants one. */
    if (x.entries.count)
        qsort (x.entries.items, x.entries.count, sizeof (s_entry_t),
               s_compare_entry);
    const rules_output_t *o = &x.out[x.unit];
    json_writer_t json;
    json_init (&json, 4096 + x.entries.count * 160);
    json_open (&json, '{');
    json_member_string (&json, "ruleset", rs->id);
    json_member_string (&json, "period", period_text);
    json_member_string (&json, "unit_id", x.units[x.unit].unit_id);
    json_member_string (&json, "unit", x.units[x.unit].name);
    json_member_string (&json, "group", x.units[x.unit].group);
    json_key (&json, "rank");
    if (o->rank > 0 && !o->excluded)
        json_int (&json, o->rank);
    else
        json_literal (&json, "null");
    json_member_bool (&json, "excluded", o->excluded);
    json_key (&json, "total");
    report_json_shown (&json, o->total, RULES_ROUND_R2);
    json_key (&json, "items");
    json_open (&json, '[');
    for (int i = 0; i < rs->item_count; i++)
        if (only < 0 || i == only)
            s_item (&json, &x, i);
    json_close (&json, ']');
    json_close (&json, '}');
    text = json_finish (&json);
    if (!text)
        snprintf (err, 256, "out of memory");
cleanup:
    s_explain_free (&x);
    return text;
}
