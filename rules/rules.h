/*  rules: declarative scoring schemes and pure scoring.

    A ruleset (docs/rulesets.md) is a ZPL text naming items, points,
    formulas over counters, rounding, totals, exclusion, ranking, tables
    and the extra sections of a bulletin. This module parses rulesets,
    compiles their formulas once into small stack programs, and scores:
    (counters of every unit, ruleset) -> shown items, totals, ranks.

    Pure: no sockets, no store, no clock. It links with libc and libm
    only (its ZPL reader is its own), so a scheme can be checked and
    scored anywhere (tests/test_rules.c runs with nothing else linked).

    The counters (docs/scoring.md) are defined here because they are the
    vocabulary formulas are written in; the state machine (state/) keeps
    them, reports (report/) read them.

    Thread rules: a loaded ruleset and a set are immutable and may be read
    from any thread. A catalog may be used from any thread (see below).
*/
#ifndef RULES_H_INCLUDED
#define RULES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RULES_ID_MAX    64  /* ids: unit, item, ruleset, group (bytes) */
#define RULES_TOKEN_MAX 64  /* channel and category tokens (bytes) */
#define RULES_NAME_MAX  256 /* unit names (bytes) */
#define RULES_ERR_MAX   256 /* error messages written by this module */

/*  --------------------------------------------------------------------
    Counters. The stored ones come first and are persisted as an int32
    array in this order: append only.                                    */
typedef enum {
    RULES_RECEIVED = 0,
    RULES_SIGNED_LATE,
    RULES_CONTACTED_LATE,
    RULES_RETURNED,
    RULES_RETURNED_LATE,
    RULES_EXTENDED,
    RULES_CLOSED,
    RULES_CLOSED_ON_TIME,
    RULES_OVERDUE_OPEN,
    RULES_ALERTS,
    RULES_REVISITED,
    RULES_UNSATISFIED,
    RULES_UNRESOLVED,
    RULES_REWORK,
    RULES_FIRST_TIME_CLOSED,
    RULES_KEY_CLOSED_LATE,    /* key-supervision tickets closed late */
    RULES_REPEAT_CLOSED_LATE, /* repeat-dispatch tickets closed late */
    RULES_DAYS_LATE,          /* whole days late, summed over late closures */
    RULES_STORED_COUNTERS,
    /* Derived when read. */
    RULES_SHOULD_CLOSE = RULES_STORED_COUNTERS, /* closed + overdue_open */
    RULES_CLOSED_LATE,                          /* closed - closed_on_time */
    RULES_COUNTERS
} rules_counter_t;

/* The counter's name as rulesets and reports spell it ("?" if none). */
const char *rules_counter_name (int counter);
/* The counter with that name, or -1. */
int rules_counter_lookup (const char *name);
/* Fills the derived counters of a vector of RULES_COUNTERS values. */
void rules_counters_derive (double *counters);

/* A ruleset's period. The values are those of proto_period_kind_t. */
typedef enum { RULES_MONTH = 0, RULES_QUARTER = 1 } rules_period_kind_t;

/* A unit as scoring sees it: the registry's entry. */
typedef struct {
    char unit_id[RULES_ID_MAX + 1]; /* key */
    char name[RULES_NAME_MAX + 1];  /* label, not unique */
    char group[RULES_ID_MAX + 1];   /* the table it belongs to */
    uint32_t order;                 /* registry order, from 1 */
} rules_unit_t;

/*  --------------------------------------------------------------------
    Compiled expressions. Variables are numbered slots: counters first,
    then report-wide aggregates (max_, mean_, sum_ of every counter),
    then items by index.                                                  */
#define RULES_ITEMS_MAX    32
#define RULES_TABLES_MAX   8
#define RULES_DIMS_MAX     8
#define RULES_NOTES_MAX    4
#define RULES_CHANNELS_MAX 4
#define RULES_COLUMNS_MAX  8

#define RULES_VAR_AGG   RULES_COUNTERS
#define RULES_VAR_ITEM  (RULES_COUNTERS + 3 * RULES_COUNTERS)
#define RULES_VAR_COUNT (RULES_VAR_ITEM + RULES_ITEMS_MAX)

typedef struct _rules_expr_t rules_expr_t;

/* Resolves an identifier to a slot, or -1 when unknown. */
typedef int (rules_resolve_fn) (const char *name, void *arg);

/* Compiles `text` (grammar in rules_expr.c). Returns NULL with a reason
   in err (RULES_ERR_MAX bytes). */
rules_expr_t *rules_expr_compile (const char *text, rules_resolve_fn *resolve,
                                  void *arg, char *err);
void rules_expr_destroy (rules_expr_t **self_p);
/* Evaluates over vars[RULES_VAR_COUNT]. Division by zero gives 0 (a unit
   with no tickets has no rate; rulesets exclude or default it). */
double rules_expr_eval (const rules_expr_t *self, const double *vars);
/* True when the expression reads slot `slot`. */
bool rules_expr_uses (const rules_expr_t *self, int slot);
/* Resolves counters and aggregates (max_closed, mean_rework...). */
int rules_resolve_counter (const char *name, void *arg);

/*  --------------------------------------------------------------------
    Rulesets. The structures are read-only after loading; reports read
    them directly.                                                        */
typedef enum {
    RULES_ROUND_NONE,
    RULES_ROUND_T2,  /* truncated to 2 decimals */
    RULES_ROUND_R2,  /* rounded half up to 2 decimals */
    RULES_ROUND_PCT0 /* rounded half up to a whole number */
} rules_round_t;

typedef enum {
    RULES_TOTAL_SUM_SHOWN, /* sum of the shown items (金台区 2025) */
    RULES_TOTAL_ROUND_SUM, /* r2 of the sum of the unrounded items */
    RULES_TOTAL_ITEM       /* the shown value of one item (a composite) */
} rules_total_t;

typedef enum {
    RULES_RANK_SEQUENTIAL,  /* 1, 2, 3... even for equal totals */
    RULES_RANK_COMPETITION, /* 1, 1, 3... */
    RULES_RANK_NONE         /* registry order, unranked */
} rules_rank_t;

typedef struct {
    char id[RULES_ID_MAX + 1]; /* item id (report key) */
    char label[128];           /* bulletin label */
    double points;             /* full points */
    rules_expr_t *formula;     /* NULL for a manual item */
    char formula_text[256];    /* the formula as written, "" if manual */
    double default_value;      /* manual item: value when not adjusted */
    rules_round_t round;       /* how the value is shown */
    char suffix[8];            /* printed after the value ("%") */
    int dimension;             /* index in dimensions, or -1 */
} rules_item_t;

typedef struct {
    char group[RULES_ID_MAX + 1]; /* unit group listed in this table */
    char title[128];              /* table heading */
} rules_table_t;

typedef struct {
    char id[RULES_ID_MAX + 1]; /* dimension id */
    char label[128];           /* heading */
    double points;             /* sum of its items' points */
} rules_dimension_t;

typedef struct {
    int counter;      /* counted per month of the period */
    char format[128]; /* "{m}月逾期{n}件": {m} month number, {n} count */
} rules_note_t;

/* A column of a channel table: a counter, or a formula over counters. */
typedef struct {
    char id[RULES_ID_MAX + 1]; /* column id */
    char label[128];           /* heading */
    int counter;               /* counter index, or -1 for a formula */
    rules_expr_t *formula;     /* over the channel's counters */
    rules_round_t round;       /* how a formula value is shown */
    char suffix[8];            /* printed after the value */
} rules_column_t;

typedef struct {
    char channel[RULES_TOKEN_MAX + 1];         /* intake channel */
    char title[128];                           /* heading */
    rules_column_t columns[RULES_COLUMNS_MAX]; /* in order */
    int column_count;                          /* how many */
} rules_channel_table_t;

typedef struct {
    char id[RULES_ID_MAX + 1];              /* ruleset id */
    char sha256[65];                        /* of the text it was loaded
                                               from, hex */
    char title[256];                        /* report heading */
    rules_period_kind_t period;             /* month or quarter */
    rules_total_t total;                    /* how the total is formed */
    int total_item;                         /* RULES_TOTAL_ITEM: its index */
    char bonus[RULES_ID_MAX + 1];           /* manual bonus item id, or "" */
    rules_rank_t rank;                      /* ranking style */
    int tiebreak;                           /* counter, descending, or -1 */
    rules_expr_t *exclude;                  /* exclusion rule, or NULL */
    char exclude_text[256];                 /* the reason shown */
    rules_expr_t *empty;                    /* "no cases" rule, or NULL */
    int counters[RULES_COUNTERS];           /* counters shown, in order */
    int counter_count;                      /* how many */
    rules_table_t tables[RULES_TABLES_MAX]; /* tables, in order */
    int table_count;                        /* how many */
    rules_item_t items[RULES_ITEMS_MAX];    /* items, in column order */
    int item_count;                         /* how many */
    int order[RULES_ITEMS_MAX];             /* evaluation order (deps first) */
    rules_dimension_t dims[RULES_DIMS_MAX]; /* item groups, in order */
    int dim_count;                          /* how many */
    rules_note_t notes[RULES_NOTES_MAX];    /* generated notes, in order */
    int note_count;                         /* how many */
    rules_channel_table_t channels[RULES_CHANNELS_MAX]; /* channel tables */
    int channel_count;                                  /* how many */
    int changes[RULES_ITEMS_MAX]; /* items whose change is shown */
    int change_count;             /* how many */
    bool summary;                 /* report a summary */
    double full_score;            /* summary: a full total */
    bool breakdown;               /* report channel/category */
    char below_title[128];        /* below-district list, or "" */
    rules_expr_t *below_rate;     /* a unit's rate */
    rules_expr_t *below_district; /* the district-wide rate */
    rules_expr_t *below_when;     /* units that have a rate */
} rules_ruleset_t;

/* Parses one ruleset from ZPL text. `origin` names it in errors (a file
   name). Returns NULL and a reason "origin:line: what" in err
   (RULES_ERR_MAX bytes). */
rules_ruleset_t *rules_ruleset_load (const char *text, const char *origin,
                                     char *err);
void rules_ruleset_destroy (rules_ruleset_t **self_p);
const char *rules_ruleset_id (const rules_ruleset_t *self);
rules_period_kind_t rules_ruleset_period_kind (const rules_ruleset_t *self);
/* The ruleset's table a unit of that group is listed in, or -1 when no
   table names the group. */
int rules_table_of (const rules_ruleset_t *rs, const char *group);
/* Every unit is listed somewhere: fills tables[u] with the unit's table,
   its ruleset table, or for a group no table names, a table of that
   group's own, numbered rs->table_count, +1, ... in the registry order
   of each group's first unit. Returns the number of tables in all. */
size_t rules_tables_assign (const rules_ruleset_t *rs,
                            const rules_unit_t *units, size_t count,
                            int *tables);

/* Rulesets compiled into the binary (generated by cmake/embed.cmake),
   ended by an entry with a NULL name. */
typedef struct {
    const char *name; /* file name */
    const char *text; /* ZPL text */
} rules_embedded_t;
extern const rules_embedded_t rules_embedded[];

/* A set of rulesets: the embedded ones, then every *.zpl file of `dir`
   (NULL or "": none), in name order; a file with an id already loaded
   replaces it. Returns NULL and a reason in err when any ruleset is
   bad. */
typedef struct _rules_set_t rules_set_t;
rules_set_t *rules_set_load (const char *dir, char *err);
void rules_set_destroy (rules_set_t **self_p);
size_t rules_set_size (const rules_set_t *self);
const rules_ruleset_t *rules_set_at (const rules_set_t *self, size_t index);
const rules_ruleset_t *rules_set_find (const rules_set_t *self, const char *id);

/* The daemon's rulesets, replaceable at run time. Thread-safe: any
   thread may take the current set; reloads are serialised. A set taken
   stays valid until the catalog is destroyed. */
typedef struct _rules_catalog_t rules_catalog_t;
rules_catalog_t *rules_catalog_new (const char *dir, char *err);
void rules_catalog_destroy (rules_catalog_t **self_p);
const rules_set_t *rules_catalog_current (rules_catalog_t *self);
/* Loads the embedded rulesets and the directory again; on success the new
   set becomes current, on failure (reason in err) the old one stays. */
int rules_catalog_reload (rules_catalog_t *self, char *err);

/*  --------------------------------------------------------------------
    Scoring: (inputs, ruleset) -> outputs. No I/O.                        */

/* One unit's inputs for a period. */
typedef struct {
    const rules_unit_t *unit;        /* registry entry (borrowed) */
    double counters[RULES_COUNTERS]; /* all counters, derived filled */
    double manual[RULES_ITEMS_MAX];  /* per item: value, or NAN unset */
    double bonus;                    /* bonus points, or NAN unset */
} rules_input_t;

/* One unit's scorecard row. */
typedef struct {
    int table;                     /* ruleset table index, -1: none */
    bool excluded;                 /* left out by the exclude rule */
    bool empty;                    /* no cases: scored by the mean */
    double shown[RULES_ITEMS_MAX]; /* item values after rounding */
    double dims[RULES_DIMS_MAX];   /* dimension subtotals, shown */
    double base_total;             /* total before bonus, as shown */
    double bonus;                  /* bonus points added to the total */
    double total;                  /* total as shown, bonus included */
    int rank;                      /* 1..; 0 when the scheme is unranked */
} rules_output_t;

/* Scores `count` units (inputs in registry order) into out[]. Returns 0,
   or -1 with a reason in err (RULES_ERR_MAX bytes) when a formula cannot
   be evaluated. */
int rules_score (const rules_ruleset_t *ruleset, const rules_input_t *in,
                 size_t count, rules_output_t *out, char *err);
/* rules_score with each unit's table given (rules_tables_assign, kept by
   a caller that scores the same units again and again); tables NULL:
   assigned as rules_tables_assign does. */
int rules_score_tables (const rules_ruleset_t *rs, const rules_input_t *in,
                        size_t count, const int *tables, rules_output_t *out,
                        char *err);
/* The same scoring, done again after only the inputs of the `changed`
   units (indices) moved since `prev` was scored: when no report-wide
   value the ruleset reads moved either (agg, 3 * RULES_COUNTERS: max_,
   mean_, sum_ of every counter, as `prev` was scored with), every other
   unit's items are copied from `prev` instead of evaluated again; the
   outputs are the same as rules_score_tables's. prev NULL: everything
   is scored. agg is updated (when not NULL) with this scoring's
   values. */
int rules_rescore (const rules_ruleset_t *rs, const rules_input_t *in,
                   size_t count, const int *tables, const size_t *changed,
                   size_t changed_count, const rules_output_t *prev,
                   double *agg, rules_output_t *out, char *err);

/* Fills the report-wide aggregates (max_, mean_, sum_ of every counter)
   over the units with a table (out[u].table >= 0) into vars. */
void rules_aggregates (const rules_input_t *in, size_t count,
                       const rules_output_t *out, double *vars);
/* A channel-table cell: the counter, or the formula's shown value. */
double rules_column_value (const rules_column_t *column,
                           const double *counters);
/* Rounds a value as an item or total is shown. */
double rules_round (double value, rules_round_t mode);
/* Decimals a value rounded that way is shown with: 0 or 2. */
int rules_round_decimals (rules_round_t mode);

#endif
