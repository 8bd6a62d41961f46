/*  report: scorecards from the store, and the rows the publisher sends.

    A report (docs/report-json.md) is one ruleset over one period: the
    registry's units, each unit's counters and manual items read from the
    store (state.h), scored by the ruleset (rules.h), rendered as JSON by
    the one writer (json.h). The cost is one step per counter record of
    the period, whatever the number of events behind it: aggregates are
    kept as events arrive.

    The same pieces serve the publisher's live rows (publisher_live.h):
    a roster of the units by id, a period's inputs, a row's JSON.

    Thread rules: everything works inside the caller's read transaction;
    nothing here keeps state.
*/
#ifndef REPORT_H_INCLUDED
#define REPORT_H_INCLUDED

#include "json.h"
#include "proto.h"
#include "rules.h"
#include "state.h"
#include "store.h"

/* Builds the report JSON of a ruleset for a period ("2025-07",
   "2024-Q4") from the store, as of time `as_of` (0: the store's clock).
   Returns a string the caller frees, or NULL with a reason in err (256
   bytes). */
char *report_json (store_txn_t *txn, const rules_ruleset_t *ruleset,
                   const char *period, int64_t as_of, char *err);

/* Whether report_json's answer for these arguments is the report of a
   replay up to `as_of` (a moment before the store's clock and the
   period's end): 1, with the period in `period` (8 bytes; the clock's
   when none is asked), and then report_json of a store holding that
   replay, with as_of 0, gives it; 0 when the store's own counters
   answer; -1 with a reason in err (a bad period). */
int report_as_of_replay (store_txn_t *txn, const rules_ruleset_t *ruleset,
                         const char *period, int64_t as_of, char *resolved,
                         char *err);

/* Why a unit has the points it has (docs/explain.md): per item (or
   only `item`, when not NULL or ""), the label, points, value, lost
   points, the formula and its inputs, and the tickets behind every lost
   point from the drill-down index. Returns a string the caller frees,
   or NULL with a reason in err (256 bytes): a bad period, an unknown
   unit or item. */
char *report_explain_json (store_txn_t *txn, const rules_ruleset_t *ruleset,
                           const char *period, const char *unit_id,
                           const char *item, char *err);

/* One ticket (docs/explain.md): the unit it is with, its state and
   deadline in force, its events in order, and every (period, unit,
   counter) it counted in. Returns a string the caller frees, or NULL
   with a reason in err (256 bytes): "unknown ticket ...". */
char *report_ticket_json (store_txn_t *txn, const char *ticket_id, char *err);

/* The appeals and exemptions (docs/appeals.md), of one unit and in one
   state when those are not NULL or "": {"appeals":[{"ticket_id",
   "unit_id","state","appealed_at","reason","decided_at","decision",
   "by","counters","points":[{"ruleset","period","moved"}]}],"count":N}.
   Caller frees; NULL with a reason (a bad state). */
char *report_appeals_json (store_txn_t *txn, const rules_set_t *sets,
                           const char *unit, const char *state, char *err);

/*  Publication (report_publish.c, docs/appeals.md).                     */

/* Freezes the report of a ruleset and period as published, the next
   version, with a "published" member {"version","at","note","events",
   "ruleset_sha256"} (at: `now`, the daemon's clock; events: the log's
   size), inside the caller's WRITE transaction. Refuses a period that
   has not ended at `now` unless force. Returns the stored text (the
   caller frees it), or NULL with a reason in err and, in *store_rc, the
   store's code when the store failed (STORE_FULL: the map has no room
   for it; STORE_OK otherwise). */
char *report_publish (store_txn_t *txn, const rules_ruleset_t *ruleset,
                      const char *period, const char *note, bool force,
                      int64_t now, int *store_rc, char *err);
/* The stored bytes of a published version (0: the latest), or NULL with
   a reason: nothing published yet, no such version. Caller frees. */
char *report_published (store_txn_t *txn, const char *ruleset,
                        const char *period, uint32_t version, char *err);
/* What changed between a published version (0: the latest) and the live
   report: {"ruleset","period","version","events_since","changes":[
   {"unit_id","field","published","now"}]}, every item, total and rank
   cell that differs. Caller frees; NULL with a reason. */
char *report_diff (store_txn_t *txn, const rules_ruleset_t *ruleset,
                   const char *period, uint32_t version, char *err);

/* Parses a period ("2025-07", "2024-Q4") and checks it is of the
   ruleset's kind. Returns 0, or -1 with a reason in err (256 bytes). */
int report_period_check (const rules_ruleset_t *rs, const char *text,
                         proto_period_t *period, char *err);

/* Per-unit score lines as the publisher sends them: for each unit of the
   ruleset's tables, a JSON object {"ruleset","period","unit_id","unit",
   "items","total","rank",...}. Calls fn for each, in registry order.
   Returns 0, or -1 with a reason in err. */
typedef void (report_row_fn) (void *arg, const char *unit_id, const char *json);
int report_rows (store_txn_t *txn, const rules_ruleset_t *ruleset,
                 proto_period_t period, report_row_fn *fn, void *arg,
                 char *err);

/* The period kind of a ruleset, as proto's periods name it. */
proto_period_kind_t report_period_kind (const rules_ruleset_t *rs);

/* A shown value: as its rounding shows it (two decimals, or whole for
   RULES_ROUND_PCT0), null for NAN. */
void report_json_shown (json_writer_t *json, double value, rules_round_t round);

/* A score row's fields, inside an object the caller opened: rank,
   unit_id, unit, the shown counters (with_counters), items, dimensions,
   base_total and bonus (schemes with a bonus), total. */
void report_row_fields (json_writer_t *json, const rules_ruleset_t *rs,
                        const rules_input_t *in, const rules_output_t *out,
                        bool with_counters);
/* A publisher row: the fields, then ruleset, period and excluded. */
void report_row_publish (json_writer_t *json, const rules_ruleset_t *rs,
                         const char *period, const rules_input_t *in,
                         const rules_output_t *out);

/*  Reading a period's inputs (report_inputs.c).                        */

/* The registry's units by id, for walking a period's records (in unit
   id order) beside them. */
typedef struct {
    const rules_unit_t *units; /* registry order (borrowed) */
    size_t count;              /* units */
    size_t *by_id;             /* indices into units, by unit_id */
} report_roster_t;

/* Returns 0, or -1 when out of memory. */
int report_roster_init (report_roster_t *self, const rules_unit_t *units,
                        size_t count);
void report_roster_free (report_roster_t *self);
/* The index of a unit in registry order, or -1. */
long report_roster_find (const report_roster_t *self, const char *unit_id);

/* Sees one record of a period scan: the unit's registry index, the rest
   of the key (slice or item, NUL-terminated) and the value (borrowed). */
typedef void (report_record_fn) (void *arg, size_t unit, const char *rest,
                                 const void *value, size_t size);

/* Walks the records of one period in STORE_COUNTERS or STORE_MANUAL and
   calls fn for each record of a roster unit. Returns 0 or a
   store_rc_t. */
int report_scan_period (store_txn_t *txn, store_table_t table,
                        const char *period, const report_roster_t *roster,
                        report_record_fn *fn, void *arg);

/* Every roster unit's inputs for ruleset rs in the period: in[u].unit is
   set to &roster->units[u]. `slices` (may be NULL) sees every counter
   record of another slice than "" on the way. Returns 0, or -1 with a
   reason in err. */
int report_inputs_read (store_txn_t *txn, const rules_ruleset_t *rs,
                        const char *period, const report_roster_t *roster,
                        rules_input_t *in, report_record_fn *slices, void *arg,
                        char *err);
/* One unit's counters, by a point read (in->unit set by the caller).
   Returns 0, or -1 with a reason in err. */
int report_input_counters (store_txn_t *txn, const char *period,
                           rules_input_t *in, char *err);
/* One unit's manual items and bonus for rs, by point reads. */
void report_input_manual (store_txn_t *txn, const rules_ruleset_t *rs,
                          const char *period, rules_input_t *in);
/* True when rs reads manual items or a bonus. */
bool report_ruleset_has_manual (const rules_ruleset_t *rs);

#endif
