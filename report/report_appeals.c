/*  report_appeals: the appeals and exemptions, with the points each
    granted exemption moved (report.h, docs/appeals.md).

    The points an exemption moved, per ruleset and period it touched: the
    unit's total as scored now, against its total with the exempted
    counts put back (its gross counts from the ticket's trail), the rest
    of the period as it is. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The ticket's gross counts for the unit in one period, per counter. */
typedef struct {
    proto_period_t period;       /* wanted */
    double sums[RULES_COUNTERS]; /* per counter */
    bool any;                    /* some count there */
} s_sums_t;

static void
s_take (void *arg, proto_period_t period, int counter, long sum)
{
    s_sums_t *s = arg;
    if (period.kind != s->period.kind || period.code != s->period.code)
        return;
    s->sums[counter] += (double)sum;
    s->any = true;
}

/* The periods of each kind the ticket counted in for the unit: the
   first and last code seen (a ticket spans a few at most). */
typedef struct {
    int32_t first[2], last[2]; /* per kind */
    bool seen[2];              /* per kind */
} s_span_t;

static void
s_span (void *arg, proto_period_t period, int counter, long sum)
{
    (void)counter;
    (void)sum;
    s_span_t *s = arg;
    int k = period.kind;
    if (!s->seen[k] || period.code < s->first[k])
        s->first[k] = period.code;
    if (!s->seen[k] || period.code > s->last[k])
        s->last[k] = period.code;
    s->seen[k] = true;
}

/* The unit's total now and with the exemption undone, in one ruleset
   and period. Returns 0 with *moved, or -1. */
static int
s_moved (store_txn_t *txn, const rules_ruleset_t *rs, proto_period_t period,
         const state_appeal_t *a, double *moved)
{
    s_sums_t sums = {.period = period};
    if (state_ticket_sums (txn, a->ticket_id, a->unit_id, s_take, &sums) !=
            STORE_OK ||
        !sums.any)
        return -1;
    char p[8], err[256];
    proto_period_format (period, p);
    size_t count;
    rules_unit_t *units = state_units_list (txn, &count);
    rules_input_t *in = malloc ((count ? count : 1) * sizeof (*in));
    rules_output_t *out = malloc ((count ? count : 1) * sizeof (*out));
    report_roster_t roster = {0};
    int rc = -1;
    long u;
    if (in && out && report_roster_init (&roster, units, count) == 0 &&
        (u = report_roster_find (&roster, a->unit_id)) >= 0 &&
        report_inputs_read (txn, rs, p, &roster, in, NULL, NULL, err) == 0 &&
        rules_score (rs, in, count, out, err) == 0) {
        double now = out[u].total;
        /* Put back what the exemption took: the stored counters, and a
           lateness counted as on time while the closure was not. */
        for (int c = 0; c < RULES_STORED_COUNTERS; c++)
            if (a->exempt & (1u << c))
                in[u].counters[c] += sums.sums[c];
        if ((a->exempt & (1u << RULES_CLOSED_LATE)) &&
            !(a->exempt & (1u << RULES_CLOSED)))
            in[u].counters[RULES_CLOSED_ON_TIME] -=
                sums.sums[RULES_CLOSED_LATE];
        rules_counters_derive (in[u].counters);
        if (rules_score (rs, in, count, out, err) == 0) {
            *moved = rules_round (now - out[u].total, RULES_ROUND_R2);
            rc = 0;
        }
    }
    report_roster_free (&roster);
    free (units);
    free (in);
    free (out);
    return rc;
}

/* "points": per ruleset and period the exemption touched, the points it
   moved the unit's total (positive: it gained). */
static void
s_points (json_writer_t *json, store_txn_t *txn, const rules_set_t *sets,
          const state_appeal_t *a)
{
    s_span_t span = {0};
    json_key (json, "points");
    json_open (json, '[');
    if (a->state == STATE_APPEAL_GRANTED &&
        state_ticket_sums (txn, a->ticket_id, a->unit_id, s_span, &span) ==
            STORE_OK)
        for (size_t r = 0; r < rules_set_size (sets); r++) {
            const rules_ruleset_t *rs = rules_set_at (sets, r);
            int k = report_period_kind (rs);
            for (int32_t code = span.first[k];
                 span.seen[k] && code <= span.last[k]; code++) {
                proto_period_t period = {(proto_period_kind_t)k, code};
                double moved;
                if (s_moved (txn, rs, period, a, &moved) != 0)
                    continue;
                char p[8];
                json_open (json, '{');
                json_member_string (json, "ruleset", rs->id);
                json_member_string (json, "period",
                                    proto_period_format (period, p));
                json_key (json, "moved");
                report_json_shown (json, moved, RULES_ROUND_R2);
                json_close (json, '}');
            }
        }
    json_close (json, ']');
}

typedef struct {
    store_txn_t *txn;        /* read */
    const rules_set_t *sets; /* for the points */
    const char *unit;        /* filter, or "" */
    const char *state;       /* filter, or "" */
    json_writer_t *json;     /* the list */
    size_t count;            /* listed */
} s_list_t;

static void
s_one (void *arg, const state_appeal_t *a)
{
    s_list_t *l = arg;
    const char *state = state_appeal_state_name (a->state);
    if ((*l->unit && strcmp (l->unit, a->unit_id)) ||
        (*l->state && strcmp (l->state, state)))
        return;
    json_writer_t *json = l->json;
    char when[32], names[512];
    json_open (json, '{');
    json_member_string (json, "ticket_id", a->ticket_id);
    json_member_string (json, "unit_id", a->unit_id);
    json_member_string (json, "state", state);
    json_key (json, "appealed_at");
    if (a->appealed_at)
        json_string (json, proto_time_format (a->appealed_at, when));
    else
        json_literal (json, "null");
    json_member_string (json, "reason", a->appeal_reason);
    json_key (json, "decided_at");
    if (a->decided_at)
        json_string (json, proto_time_format (a->decided_at, when));
    else
        json_literal (json, "null");
    json_member_string (json, "decision", a->decision_reason);
    json_member_string (json, "by", a->by);
    state_exempt_names (a->exempt, names, sizeof (names));
    json_member_string (json, "counters", names);
    s_points (json, l->txn, l->sets, a);
    json_close (json, '}');
    l->count++;
}

char *
report_appeals_json (store_txn_t *txn, const rules_set_t *sets,
                     const char *unit, const char *state, char *err)
{
    if (state && *state && strcmp (state, "open") &&
        strcmp (state, "granted") && strcmp (state, "rejected")) {
        snprintf (err, 256, "state must be open, granted or rejected");
        return NULL;
    }
    json_writer_t json;
    json_init (&json, 4096);
    json_open (&json, '{');
    json_key (&json, "appeals");
    json_open (&json, '[');
    s_list_t list = {txn, sets, unit ? unit : "", state ? state : "", &json, 0};
    int rc = state_appeals_scan (txn, s_one, &list);
    json_close (&json, ']');
    json_member_int (&json, "count", (long long)list.count);
    json_close (&json, '}');
    if (rc != STORE_OK) {
        json_free (&json);
        snprintf (err, 256, "reading the appeals: %s", store_strerror (rc));
        return NULL;
    }
    char *text = json_finish (&json);
    if (!text)
        snprintf (err, 256, "out of memory");
    return text;
}
