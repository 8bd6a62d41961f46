/*  scorer: tickets, counters, rulesets and scorecards.

    Three layers, each usable alone:
    - the ticket state machine (scorer_apply): one validated event in, the
      ticket record, deadline index and per-unit per-period counters of
      SCORING.md section 3 updated inside the caller's write transaction;
    - rulesets (scorer_ruleset_*): declarative schemes loaded from ZPL
      text, formulas compiled once into small programs;
    - scoring (scorer_score): pure, (counters, ruleset) -> items, totals,
      ranks; no I/O. scorer_report_json wraps it with the store reads.

    Periods: calendar months and quarters in Asia/Shanghai (UTC+8, no DST).
    Every counter is kept per (period, unit, slice) for both the month and
    the quarter of the event, where slice is "" (all tickets), "ch:<channel>"
    or "cat:<category>".

    Thread rules: a ruleset set is immutable after loading and may be read
    from any thread. Everything else works inside the caller's transaction.
*/
#ifndef SCORER_H_INCLUDED
#define SCORER_H_INCLUDED

#include "proto.h"
#include "store.h"

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

/*  --------------------------------------------------------------------
    Counters (SCORING.md section 3). The stored ones come first and are
    persisted as an int32 array in this order: append only.             */
typedef enum {
    SC_RECEIVED = 0,
    SC_SIGNED_LATE,
    SC_CONTACTED_LATE,
    SC_RETURNED,
    SC_RETURNED_LATE,
    SC_EXTENDED,
    SC_CLOSED,
    SC_CLOSED_ON_TIME,
    SC_OVERDUE_OPEN,
    SC_ALERTS,
    SC_REVISITED,
    SC_UNSATISFIED,
    SC_UNRESOLVED,
    SC_REWORK,
    SC_FIRST_TIME_CLOSED,
    SC_KEY_CLOSED_LATE,    /* key-supervision tickets closed late */
    SC_REPEAT_CLOSED_LATE, /* repeat-dispatch tickets closed late */
    SC_DAYS_LATE,          /* whole days late, summed over late closures */
    SC_STORED_COUNT,
    /* Derived at read time. */
    SC_SHOULD_CLOSE = SC_STORED_COUNT, /* closed + overdue_open */
    SC_CLOSED_LATE,                    /* closed - closed_on_time */
    SC_COUNT
} scorer_counter_t;

/* The counter's name as rulesets and reports spell it. */
const char *scorer_counter_name (int counter);
/* The counter with that name, or -1. */
int scorer_counter_lookup (const char *name);
/* Fills the derived counters of a vector of SC_COUNT values. */
void scorer_counters_derive (double *counters);

/*  --------------------------------------------------------------------
    Periods.                                                              */
typedef enum { SCORER_MONTH = 0, SCORER_QUARTER = 1 } scorer_period_kind_t;

/* A period: kind and a code (months: year*12 + month-1; quarters:
   year*4 + quarter-1). */
typedef struct {
    scorer_period_kind_t kind; /* month or quarter */
    int32_t code;              /* see above */
} scorer_period_t;

/* The period of that kind containing time ms. */
scorer_period_t scorer_period_of (int64_t ms, scorer_period_kind_t kind);
/* Parses "YYYY-MM" or "YYYY-Qn". Returns 0 or -1. */
int scorer_period_parse (const char *text, scorer_period_t *period);
/* Writes "2025-07" / "2024-Q4" into buf (at least 8 bytes). */
char *scorer_period_format (scorer_period_t period, char *buf);
/* First instant of the period and first instant after it, in ms. */
int64_t scorer_period_start (scorer_period_t period);
int64_t scorer_period_end (scorer_period_t period);

/*  --------------------------------------------------------------------
    Units registry (STORE_UNITS). Registry order is the order in which
    units were first imported; updates keep it.                          */
typedef struct {
    char unit_id[PROTO_ID_MAX + 1];  /* key */
    char name[PROTO_REASON_MAX + 1]; /* label */
    char group[PROTO_ID_MAX + 1];    /* table */
    uint32_t order;                  /* registry order, from 1 */
} scorer_unit_t;

/* Adds or updates units. Returns 0 or a store_rc_t; *added counts new ones. */
int scorer_units_import (store_txn_t *txn, const proto_unit_t *units,
                         size_t count, size_t *added);
/* Reads one unit. STORE_OK or STORE_NOTFOUND. */
int scorer_unit_get (store_txn_t *txn, const char *unit_id,
                     scorer_unit_t *unit);
/* All units in registry order. Returns a malloc'd array the caller frees
   and its length in *count, or NULL with *count 0 (none, or no memory). */
scorer_unit_t *scorer_units_list (store_txn_t *txn, size_t *count);

/*  --------------------------------------------------------------------
    Ticket state machine.                                                 */

/* What a batch changed, for the publisher: touched (period, unit) pairs
   and alerts raised, in order. */
typedef struct _scorer_effects_t scorer_effects_t;
scorer_effects_t *scorer_effects_new (void);
void scorer_effects_destroy (scorer_effects_t **self_p);
void scorer_effects_reset (scorer_effects_t *self);
/* Moves everything from `from` into self (from is left empty). */
void scorer_effects_merge (scorer_effects_t *self, scorer_effects_t *from);
/* Sends what was collected as one message on `sock` unless empty, then
   resets. Returns 0, or 1 when the socket would block (nothing was sent
   and the effects are kept, to go out merged with later ones), or -1. */
int scorer_effects_send (scorer_effects_t *self, zsock_t *sock);

/* Outcome of scorer_apply. */
typedef enum {
    SCORER_STORED = 0,    /* applied and logged */
    SCORER_DUPLICATE = 1, /* event_id seen before: nothing changed */
    SCORER_REJECTED = 2,  /* not applicable; reason says why */
    SCORER_FAILED = -1    /* store error: abort the whole transaction */
} scorer_outcome_t;

/* Why an event was refused: the classes `hotline stats` counts and the
   dead-letter table records. */
typedef enum {
    SCORER_REJECT_NONE = 0,
    SCORER_REJECT_INVALID,        /* failed validation (missing field...) */
    SCORER_REJECT_UNKNOWN_UNIT,   /* the unit is not in the registry */
    SCORER_REJECT_UNKNOWN_TICKET, /* e.g. closed before received */
    SCORER_REJECT_WRONG_UNIT,     /* the ticket is with another unit */
    SCORER_REJECT_WRONG_STATE,    /* e.g. closing a closed ticket */
    SCORER_REJECT_OUT_OF_ORDER,   /* earlier than the ticket's receipt */
    SCORER_REJECT_FUTURE,         /* more than a day ahead of this clock */
    SCORER_REJECT_KINDS
} scorer_reject_t;

/* "unknown_unit"... as stats and dead letters name the class. */
const char *scorer_reject_name (scorer_reject_t kind);

/* Clock modes: the wall clock, or event time (the largest occurred_at
   seen, advanced by tick events) for deterministic replays. */
typedef enum { SCORER_CLOCK_WALL = 0, SCORER_CLOCK_EVENT = 1 } scorer_clock_t;

/* Applies one event (already checked by proto_event_validate) inside the
   write transaction: de-duplicates, checks it against the store (unit
   known, ticket state), advances the event clock, raises overdue for
   deadlines the clock passed, updates ticket and counters, and appends the
   event to the log. On SCORER_REJECTED nothing was written and `reason`
   (PROTO_ERROR_MAX bytes) says why. On SCORER_FAILED the caller must abort
   the transaction; *store_rc says why. */
scorer_outcome_t scorer_apply (store_txn_t *txn, const proto_event_t *event,
                               scorer_clock_t clock, scorer_effects_t *effects,
                               char *reason, int *store_rc);

/* scorer_apply, also telling why an event was rejected (*kind is
   SCORER_REJECT_NONE otherwise). */
scorer_outcome_t scorer_apply_ex (store_txn_t *txn, const proto_event_t *event,
                                  scorer_clock_t clock,
                                  scorer_effects_t *effects, char *reason,
                                  int *store_rc, scorer_reject_t *kind);

/* Applies an event read back from the event log (so already
   de-duplicated and logged) as scorer_apply_ex does, without touching the
   de-duplication table or the log: for rebuilding aggregates. */
scorer_outcome_t scorer_reapply (store_txn_t *txn, const proto_event_t *event,
                                 scorer_clock_t clock,
                                 scorer_effects_t *effects, char *reason,
                                 int *store_rc, scorer_reject_t *kind);

/* Keeps a refused event in the dead letters (STORE_REJECTED) with its
   class, reason and arrival time, inside the caller's transaction. */
int scorer_dead_letter (store_txn_t *txn, const proto_event_t *event,
                        scorer_reject_t kind, const char *reason, int64_t at);
/* The newest `limit` dead letters (0: 100) as {"count":N,"rejected":[...]},
   oldest first. The caller frees it. */
char *scorer_dead_letters_json (store_txn_t *txn, size_t limit);

/* Advances the clock to `now` (if later) and raises overdue for every open
   ticket whose deadline is before it. Returns 0 or a store_rc_t. */
int scorer_advance_clock (store_txn_t *txn, int64_t now,
                          scorer_effects_t *effects);

/* The store's clock (0 before any event). */
int64_t scorer_clock_now (store_txn_t *txn);

/*  --------------------------------------------------------------------
    Rulesets.                                                             */
#define SCORER_ITEMS_MAX  32
#define SCORER_TABLES_MAX 8
#define SCORER_DIMS_MAX   8

typedef struct _scorer_ruleset_t scorer_ruleset_t;
typedef struct _scorer_rulesets_t scorer_rulesets_t;

/* Parses one ruleset from ZPL text. `origin` names it in errors (a file
   name). Returns NULL and a reason "origin: what" in err (256 bytes). */
scorer_ruleset_t *scorer_ruleset_load (const char *text, const char *origin,
                                       char *err);
void scorer_ruleset_destroy (scorer_ruleset_t **self_p);
const char *scorer_ruleset_id (const scorer_ruleset_t *self);
scorer_period_kind_t scorer_ruleset_period_kind (const scorer_ruleset_t *self);

/* A set of rulesets: the embedded ones, then every *.zpl file of `dir`
   (NULL: none) — a file with an id already loaded replaces it. Returns
   NULL and a reason in err when any ruleset is bad. */
scorer_rulesets_t *scorer_rulesets_load (const char *dir, char *err);
void scorer_rulesets_destroy (scorer_rulesets_t **self_p);
size_t scorer_rulesets_size (const scorer_rulesets_t *self);
const scorer_ruleset_t *scorer_rulesets_at (const scorer_rulesets_t *self,
                                            size_t index);
const scorer_ruleset_t *scorer_rulesets_find (const scorer_rulesets_t *self,
                                              const char *id);

/* The daemon's rulesets, replaceable at run time (scorer_catalog.c).
   Thread-safe: any thread may take the current set; reloads are
   serialised. A set taken stays valid until the catalog is destroyed. */
typedef struct _scorer_catalog_t scorer_catalog_t;
scorer_catalog_t *scorer_catalog_new (const char *dir, char *err);
void scorer_catalog_destroy (scorer_catalog_t **self_p);
const scorer_rulesets_t *scorer_catalog_current (scorer_catalog_t *self);
/* Loads the embedded rulesets and the directory again; on success the new
   set becomes current, on failure (reason in err) the old one stays. */
int scorer_catalog_reload (scorer_catalog_t *self, char *err);

/*  --------------------------------------------------------------------
    Scoring: pure.                                                        */

/* One unit's inputs for a period. */
typedef struct {
    const scorer_unit_t *unit;       /* registry entry (borrowed) */
    double counters[SC_COUNT];       /* all counters, derived filled */
    double manual[SCORER_ITEMS_MAX]; /* per item: value, or NAN unset */
    double bonus;                    /* bonus points, or NAN unset */
} scorer_input_t;

/* One unit's scorecard row. */
typedef struct {
    int table;                      /* ruleset table index, -1: none */
    bool excluded;                  /* left out by the exclude rule */
    bool empty;                     /* no cases: scored by the mean */
    double shown[SCORER_ITEMS_MAX]; /* item values after rounding */
    double dims[SCORER_DIMS_MAX];   /* dimension subtotals, shown */
    double base_total;              /* total before bonus, as shown */
    double bonus;                   /* bonus points added to the total */
    double total;                   /* total as shown, bonus included */
    int rank;                       /* 1..; 0 when the scheme is unranked */
} scorer_output_t;

/* Scores `count` units (inputs in registry order) into out[]. Returns 0,
   or -1 with a reason in err (256 bytes) when a formula cannot be
   evaluated. */
int scorer_score (const scorer_ruleset_t *ruleset, const scorer_input_t *in,
                  size_t count, scorer_output_t *out, char *err);

/* Builds the report JSON (INTERFACES.md section 4) of a ruleset for a
   period from the store, as of time `as_of` (0: the store's clock).
   Returns a string the caller frees, or NULL with a reason in err. */
char *scorer_report_json (store_txn_t *txn, const scorer_ruleset_t *ruleset,
                          const char *period, int64_t as_of, char *err);

/* Replays the event log read through `from` into the empty store `to`
   on the event clock, keeping the events that occurred at or before
   `until`, then advances the clock to `until`: `to` then holds the state
   as of that moment. Units are copied first. Returns 0, or -1 with a
   reason in err (256 bytes). */
int scorer_replay (store_txn_t *from, store_t *to, int64_t until, char *err);

/* Rebuilds every aggregate of `store` from its event log, in place:
   empties the tickets, deadline index, counters, manual items and open
   alerts and the event clock, then re-applies the log in order with
   scorer_reapply on the event clock (deadlines pass as event time
   passes, as they did live), in large write transactions. With
   SCORER_CLOCK_WALL the clock is then advanced to the current time, as a
   wall-clock daemon would on its first tick. Units, de-duplication, the
   log, dead letters and the other meta values are left as they are.

   Crash-safe and resumable: meta "rebuild_next" (the next log sequence
   number to apply) is written by the first commit and advanced by every
   commit, and deleted by the last. While it is set the aggregates are
   partial; a rebuild that finds it set resumes from it. The caller must
   keep every other writer away (hotlined refuses to start while it is
   set; the data-directory lock keeps both apart).

   Events the state machine refuses (the rules changed since they were
   stored) are skipped and counted; the first reasons are kept in the
   result. `progress` (may be NULL) is called after every commit with the
   log events done so far (an earlier interrupted run's included) and
   the log's size, on the caller's thread. Returns 0, or -1 with a
   reason in err (256 bytes): what was committed stays, and a new call
   resumes. While it runs, a second thread of its own decodes the log
   ahead (read transactions on the same store). */
#define SCORER_REBUILD_REASONS 5
typedef struct {
    uint64_t events;  /* log events re-applied by this call */
    uint64_t refused; /* log events the state machine refused */
    uint64_t resumed; /* the log seq an interrupted rebuild resumed at, 0 */
    double seconds;   /* wall time of this call */
    /* the first refusals, "event SEQ (EVENT_ID): reason" */
    char reasons[SCORER_REBUILD_REASONS][PROTO_ERROR_MAX + PROTO_ID_MAX + 48];
} scorer_rebuild_result_t;
/* Progress: log events done, of `total`; `arg` as given. */
typedef void (scorer_rebuild_progress_fn) (uint64_t done, uint64_t total,
                                           void *arg);
int scorer_rebuild (store_t *store, scorer_clock_t clock,
                    scorer_rebuild_progress_fn *progress, void *arg,
                    scorer_rebuild_result_t *result, char *err);

/* Per-unit score lines for the publisher: for each unit of the ruleset's
   tables, a JSON object {"ruleset","period","unit_id","unit","items",
   "total","rank"}; returned as a zhashx unit_id -> JSON string (owned by
   the hash). NULL on error. */
zhashx_t *scorer_report_rows (store_txn_t *txn, const scorer_ruleset_t *ruleset,
                              scorer_period_t period, char *err);

/*  --------------------------------------------------------------------
    The scorer actor: the single writer. Arguments in scorer_args_t.
    It binds a PAIR socket at `endpoint` for ingest, which sends
      "BATCH" + pointer (scorer_batch_t *): apply, commit, fill outcomes,
               answer "DONE" (the caller keeps ownership of the batch);
    ends on "$TERM" from its pipe; and notifies the publisher on an inproc
    PUSH socket after each commit (frames of scorer_effects_send:
    "T", "period\x1funit" per touched unit; "A", unit, json per alert). */
typedef struct {
    store_t *store;       /* shared store (borrowed) */
    const char *endpoint; /* inproc PAIR to bind for batches */
    scorer_clock_t clock; /* wall or event */
    const char *notify;   /* inproc endpoint of the publisher's PULL */
    int tick_ms;          /* wall clock: deadline scan interval */
    void *stats;          /* daemon_stats_t * (borrowed), or NULL */
    bool failed;          /* out: set when the actor could not start */
} scorer_args_t;

/* A batch handed from ingest to the scorer. */
typedef struct {
    size_t count;                               /* events */
    const proto_event_t *events;                /* validated events */
    const char (*invalid)[PROTO_ERROR_MAX + 1]; /* per event: "" or why */
    scorer_outcome_t *outcomes;                 /* filled by the scorer */
    char (*reasons)[PROTO_ERROR_MAX + 1];       /* filled for rejections */
    bool committed;                             /* false: nothing was stored */
    char error[PROTO_ERROR_MAX + 1];            /* why not committed */
} scorer_batch_t;

void scorer_actor (zsock_t *pipe, void *args);

#endif
