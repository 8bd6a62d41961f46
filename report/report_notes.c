/*  report_notes: the note a report's row carries (jintai-2025's
    "10月逾期2件,11月逾期1件"): per month of the period, each of the
    ruleset's note counters of the unit, read from that month's counter
    records and worded by the ruleset's text. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per month of the period, each unit's note counters. */
typedef struct {
    report__build_t *r; /* the report */
    long *counts;       /* this month's [unit][note] */
} s_note_read_t;

static void
s_take_note (void *arg, size_t unit, const char *slice, const void *value,
             size_t size)
{
    s_note_read_t *self = arg;
    if (*slice)
        return;
    const rules_ruleset_t *rs = self->r->rs;
    double counters[RULES_COUNTERS];
    state_counters_decode (value, size, counters);
    for (int n = 0; n < rs->note_count; n++)
        self->counts[unit * RULES_NOTES_MAX + (size_t)n] =
            lround (counters[rs->notes[n].counter]);
}

static int
s_first_month (proto_period_t period)
{
    return period.kind == PROTO_MONTH
               ? period.code
               : period.code / 4 * 12 + period.code % 4 * 3;
}

int
report__notes_read (store_txn_t *txn, report__build_t *r, char *err)
{
    const rules_ruleset_t *rs = r->rs;
    if (rs->note_count == 0)
        return 0;
    int months = r->period.kind == PROTO_MONTH ? 1 : 3;
    size_t per_month = (r->count ? r->count : 1) * RULES_NOTES_MAX;
    r->notes = calloc ((size_t)months * per_month, sizeof (long));
    if (!r->notes) {
        snprintf (err, 256, "out of memory");
        return -1;
    }
    for (int m = 0; m < months; m++) {
        proto_period_t month = {PROTO_MONTH, s_first_month (r->period) + m};
        char p[8];
        s_note_read_t read = {r, r->notes + (size_t)m * per_month};
        int rc = report_scan_period (txn, STORE_COUNTERS,
                                     proto_period_format (month, p), &r->roster,
                                     s_take_note, &read);
        if (rc != STORE_OK) {
            snprintf (err, 256, "reading counters: %s", store_strerror (rc));
            return -1;
        }
    }
    return 0;
}

/* E.g. "10月逾期2件,11月逾期1件,12月退回重办1件". */
void
report__note (const report__build_t *r, size_t unit, char *note, size_t size)
{
    const rules_ruleset_t *rs = r->rs;
    note[0] = 0;
    int months = r->period.kind == PROTO_MONTH ? 1 : 3;
    size_t per_month = (r->count ? r->count : 1) * RULES_NOTES_MAX;
    for (int n = 0; n < rs->note_count; n++)
        for (int m = 0; m < months; m++) {
            int month = s_first_month (r->period) + m;
            long count = r->notes[(size_t)m * per_month +
                                  unit * RULES_NOTES_MAX + (size_t)n];
            if (count <= 0)
                continue;
            /* Expand {m} and {n} in the ruleset's text. */
            char piece[256] = "";
            for (const char *f = rs->notes[n].format; *f;) {
                size_t len = strlen (piece);
                if (strncmp (f, "{m}", 3) == 0) {
                    snprintf (piece + len, sizeof (piece) - len, "%d",
                              month % 12 + 1);
                    f += 3;
                } else if (strncmp (f, "{n}", 3) == 0) {
                    snprintf (piece + len, sizeof (piece) - len, "%ld", count);
                    f += 3;
                } else if (len + 1 < sizeof (piece)) {
                    piece[len] = *f++;
                    piece[len + 1] = 0;
                } else
                    break;
            }
            size_t len = strlen (note);
            snprintf (note + len, size - len, "%s%s", len ? "," : "", piece);
        }
}
