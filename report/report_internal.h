/*  report_internal: shared by the report module's files. */
#ifndef REPORT_INTERNAL_H_INCLUDED
#define REPORT_INTERNAL_H_INCLUDED

#include "report.h"

/* Bytes a report of 1,000 units takes per unit, so the buffer rarely
   grows. */
#define REPORT_BYTES_PER_UNIT 512

/* Received tickets per channel or category id, sorted by id (strcmp),
   as the breakdown and the overview list them. */
typedef struct {
    char id[PROTO_TOKEN_MAX + 1]; /* channel or category */
    double received;              /* over the report's units */
} report__sum_t;

/* Writes an item's "uses" member: the counters of the ruleset's shown
   counters that the item's formula reads, in their order (empty for a
   manual item). */
void report__item_uses (json_writer_t *json, const rules_ruleset_t *rs,
                        const rules_item_t *item);

/* Writes the "overview" member (docs/report-json.md): the figures a
   bulletin opens with, summed over the units of the report's tables
   (out[u].table >= 0, excluded units included), and the share of each
   category of `categories` (count entries, sorted by id). */
void report__overview (json_writer_t *json, const rules_input_t *in,
                       const rules_output_t *out, size_t units,
                       const report__sum_t *categories, size_t count);

/*  The scorecard (report_json), built by report_build.c from the pieces
    below: report_notes.c reads and words the row notes, report_tables.c
    writes the header and the ranked tables, report_sections.c the
    sections a ruleset may ask for beside them.                         */

/* A scored period: inputs and outputs per unit, in registry order. */
typedef struct {
    rules_input_t *in;   /* per unit */
    rules_output_t *out; /* per unit */
} report__scored_t;

/* Received tickets per id, kept sorted as they are added. */
typedef struct {
    report__sum_t *items; /* sorted by id */
    size_t count;         /* used */
    size_t size;          /* allocated */
    bool failed;          /* out of memory */
} report__sums_t;

/* Everything a report reads, then renders. */
typedef struct {
    const rules_ruleset_t *rs; /* the ruleset */
    proto_period_t period;     /* the period */
    const char *period_text;   /* "2025-07" */
    rules_unit_t *units;       /* registry, in order */
    size_t count;              /* units */
    report_roster_t roster;    /* units by id */
    int *tables;               /* per unit: its table (rules_tables_assign) */
    size_t table_total;        /* the ruleset's tables and the groups' own */
    report__scored_t now;      /* the period */
    report__scored_t prev;     /* the period before, for changes */
    bool have_prev;            /* prev was scored */
    double *channel;        /* [table][unit][RULES_COUNTERS] channel slices */
    report__sums_t sums[2]; /* breakdown: channels, categories */
    long *notes;            /* [month][unit][note] note counts */
} report__build_t;

/* Reads every unit's note counters, per month of the period, into
   r->notes (nothing when the ruleset has no notes). Returns 0, or -1
   with a reason in err (256 bytes). */
int report__notes_read (store_txn_t *txn, report__build_t *r, char *err);
/* The row note of a unit into note (size bytes): per month of the
   period, each note counter that is not zero, in the ruleset's words. */
void report__note (const report__build_t *r, size_t unit, char *note,
                   size_t size);

/* A member with a string or a number value. */
void report__key_string (json_writer_t *json, const char *key,
                         const char *value);
void report__key_number (json_writer_t *json, const char *key, double value);
/* The name of a rounding as the report JSON writes it ("t2"). */
const char *report__round_name (rules_round_t round);

/* The members before the tables: ruleset, title, period, as_of, items,
   dimensions, counters. */
void report__header (json_writer_t *json, const rules_ruleset_t *rs,
                     const char *period, int64_t shown_as_of);
/* The "tables" and "excluded" members. Returns 0, or -1 with a reason
   in err (256 bytes) when out of memory. */
int report__tables (json_writer_t *json, const report__build_t *r, char *err);
/* True when no unit has anything counted or adjusted in the period. */
bool report__empty (const report__build_t *r);
/* The "warnings" member, when there is something to warn about. */
void report__warnings (json_writer_t *json, const report__build_t *r,
                       bool empty);

/* The sections a ruleset may ask for (each writes nothing when it does
   not): "channel_tables", "summary", "breakdown", "below". */
void report__channel_tables (json_writer_t *json, const report__build_t *r);
void report__summary (json_writer_t *json, const report__build_t *r);
void report__breakdown (json_writer_t *json, const report__build_t *r);
void report__below (json_writer_t *json, const report__build_t *r);

#endif
