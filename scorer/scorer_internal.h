/*  scorer_internal: helpers shared by the scorer's files, not part of its
    public contract. */
#ifndef SCORER_INTERNAL_H_INCLUDED
#define SCORER_INTERNAL_H_INCLUDED

#include "scorer.h"

/* Builds a STORE_COUNTERS / STORE_MANUAL key: period \0 unit \0 prefix
   slice. Returns its length. `key` has STORE_KEY_MAX bytes. */
size_t scorer__counter_key (uint8_t *key, const char *period, const char *unit,
                            const char *prefix, const char *slice);

/*  Tickets (scorer_state.c, scorer_deadline.c).                         */
#define SCORER_HOUR_MS (3600LL * 1000)
#define SCORER_DAY_MS  (24 * SCORER_HOUR_MS)

#define TICKET_VERSION 3

typedef enum { T_OPEN = 1, T_CLOSED = 2, T_RETURNED = 3 } scorer_ticket_state_t;

/* Ticket flags. */
#define F_CONTACTED       0x01 /* the unit contacted the citizen */
#define F_CONTACT_COUNTED 0x02 /* contacted_late already counted */
#define F_HAD_REWORK      0x04 /* rework at any time under this unit */
#define F_KEY             0x08 /* key supervision (重点督办) */
#define F_REPEAT          0x10 /* repeat dispatch (重复交办) */
#define F_REWORK_PENDING  0x20 /* revisit asked for rework; reopen follows */
#define F_OVERDUE         0x40 /* overdue raised for the current deadline */
#define F_WARNED          0x80 /* warning raised for the current deadline */

/* The persisted ticket record. Stored as these bytes: the version byte
   comes first so a later layout can be told apart. */
typedef struct {
    uint8_t version;                    /* TICKET_VERSION */
    uint8_t state;                      /* scorer_ticket_state_t */
    uint8_t flags;                      /* F_* */
    uint8_t closed_on_time[2];          /* per period kind: last closure's */
    uint8_t first_time[2];              /* per kind: counted first-time */
    char unit_id[PROTO_ID_MAX + 1];     /* owning unit */
    char channel[PROTO_TOKEN_MAX + 1];  /* intake channel */
    char category[PROTO_TOKEN_MAX + 1]; /* subject category */
    int64_t dispatched_at;              /* platform dispatch to this unit */
    int64_t received_at;                /* unit signed */
    int64_t due_at;                     /* deadline in force */
    int64_t limit_from;                 /* start of the time limit in force */
    int64_t warn_at;                    /* warning instant in force, or 0 */
    int64_t last_at;                    /* latest occurred_at applied */
    int32_t closed_period[2];  /* per kind: period counted closed, -1 */
    int32_t overdue_period[2]; /* per kind: overdue_open counted, -1 */
} scorer_ticket_t;

int scorer__ticket_get (store_txn_t *txn, const char *ticket_id,
                        scorer_ticket_t *t);
int scorer__ticket_put (store_txn_t *txn, const char *ticket_id,
                        const scorer_ticket_t *t);

/* Adds delta to one counter of the ticket's unit in one period, for the
   three slices (all, channel, category), and marks the period touched. */
int scorer__count_in (store_txn_t *txn, const scorer_ticket_t *t,
                      scorer_period_t period, int counter, int32_t delta,
                      scorer_effects_t *effects);
/* Counts contacted_late once for a ticket never contacted in time. */
int scorer__contact_missed (store_txn_t *txn, scorer_ticket_t *t, int64_t at,
                            scorer_effects_t *effects);
/* Records an alert for the publisher (effects may be NULL). */
void scorer__effects_alert (scorer_effects_t *effects, const char *unit,
                            const char *json);

/*  Deadlines and alerts (scorer_deadline.c).                           */

/* Enters the ticket's deadline in force (t->due_at, with its time limit
   from t->limit_from) in the deadline index, with its warning time, and
   allows its alerts to be raised again: a new deadline. */
int scorer__deadline_set (store_txn_t *txn, scorer_ticket_t *t,
                          const char *ticket_id);
/* The ticket leaves the open state at `at` (closed, returned, or its
   deadline replaced): index entries go, an overdue_open counted in the
   period of `at` is taken back, and an open alert is cleared with
   `reason`. */
int scorer__leave_open (store_txn_t *txn, scorer_ticket_t *t,
                        const char *ticket_id, int64_t at, const char *reason,
                        scorer_effects_t *effects);

/* scorer_advance_clock, also telling how many index entries it took
   (0: no ticket record was changed). */
int scorer__advance_clock (store_txn_t *txn, int64_t now,
                           scorer_effects_t *effects, size_t *fired);

/*  Compiled expressions (scorer_expr.c). Variables are numbered slots:
    counters first, then report-wide aggregates, then items.            */
#define SCORER_VAR_AGG   SC_COUNT                  /* max_, mean_, sum_ */
#define SCORER_VAR_ITEM  (SC_COUNT + 3 * SC_COUNT) /* item values by index */
#define SCORER_VAR_COUNT (SCORER_VAR_ITEM + SCORER_ITEMS_MAX)

typedef struct _scorer_expr_t scorer_expr_t;

/* Resolves an identifier to a slot, or -1 when unknown. */
typedef int (scorer_resolve_fn) (const char *name, void *arg);

/* Compiles `text`. Returns NULL with a reason in err (256 bytes). */
scorer_expr_t *scorer__expr_compile (const char *text,
                                     scorer_resolve_fn *resolve, void *arg,
                                     char *err);
void scorer__expr_destroy (scorer_expr_t **self_p);
/* Evaluates over vars[SCORER_VAR_COUNT]. Division by zero gives 0 (a
   unit with no tickets has no rate; rulesets exclude or default it). */
double scorer__expr_eval (const scorer_expr_t *self, const double *vars);
/* True when the expression reads slot `slot`. */
bool scorer__expr_uses (const scorer_expr_t *self, int slot);

/* Resolves counters and aggregates (max_closed, mean_rework...). */
int scorer__resolve_counter (const char *name, void *arg);

/*  Rulesets (scorer_ruleset.c), read by scoring and reports.            */
typedef enum { ROUND_NONE, ROUND_T2, ROUND_R2, ROUND_PCT0 } scorer_round_t;
typedef enum {
    TOTAL_SUM_SHOWN, /* sum of the shown items (金台区 2025) */
    TOTAL_ROUND_SUM, /* r2 of the sum of the unrounded items */
    TOTAL_ITEM       /* the shown value of one item (a composite) */
} scorer_total_t;
typedef enum { RANK_SEQUENTIAL, RANK_COMPETITION, RANK_NONE } scorer_rank_t;

#define SCORER_NOTES_MAX    4
#define SCORER_CHANNELS_MAX 4
#define SCORER_COLUMNS_MAX  8

typedef struct {
    char id[PROTO_ID_MAX + 1]; /* item id (report key) */
    char label[128];           /* bulletin label */
    double points;             /* full points */
    scorer_expr_t *formula;    /* NULL for a manual item */
    double default_value;      /* manual item: value when not adjusted */
    scorer_round_t round;      /* how the value is shown */
    char suffix[8];            /* printed after the value ("%") */
    int dimension;             /* index in dimensions, or -1 */
} scorer_item_t;

typedef struct {
    char group[PROTO_ID_MAX + 1]; /* unit group listed in this table */
    char title[128];              /* table heading */
} scorer_table_t;

typedef struct {
    char id[PROTO_ID_MAX + 1]; /* dimension id */
    char label[128];           /* heading */
    double points;             /* sum of its items' points */
} scorer_dimension_t;

typedef struct {
    int counter;      /* counted per month of the period */
    char format[128]; /* "{m}月逾期{n}件": {m} month number, {n} count */
} scorer_note_t;

/* A column of a channel table: a counter, or a formula over counters. */
typedef struct {
    char id[PROTO_ID_MAX + 1]; /* column id */
    char label[128];           /* heading */
    int counter;               /* counter index, or -1 for a formula */
    scorer_expr_t *formula;    /* over the channel's counters */
    scorer_round_t round;      /* how a formula value is shown */
    char suffix[8];            /* printed after the value */
} scorer_column_t;

typedef struct {
    char channel[PROTO_TOKEN_MAX + 1];           /* intake channel */
    char title[128];                             /* heading */
    scorer_column_t columns[SCORER_COLUMNS_MAX]; /* in order */
    int column_count;                            /* how many */
} scorer_channel_table_t;

struct _scorer_ruleset_t {
    char id[PROTO_ID_MAX + 1];                /* ruleset id */
    char title[256];                          /* report heading */
    scorer_period_kind_t period;              /* month or quarter */
    scorer_total_t total;                     /* how the total is formed */
    int total_item;                           /* TOTAL_ITEM: its index */
    char bonus[PROTO_ID_MAX + 1];             /* manual bonus item id, or "" */
    scorer_rank_t rank;                       /* ranking style */
    int tiebreak;                             /* counter, descending, or -1 */
    scorer_expr_t *exclude;                   /* exclusion rule, or NULL */
    char exclude_text[256];                   /* the reason shown */
    scorer_expr_t *empty;                     /* "no cases" rule, or NULL */
    int counters[SC_COUNT];                   /* counters shown, in order */
    int counter_count;                        /* how many */
    scorer_table_t tables[SCORER_TABLES_MAX]; /* tables, in order */
    int table_count;                          /* how many */
    scorer_item_t items[SCORER_ITEMS_MAX];    /* items, in column order */
    int item_count;                           /* how many */
    int order[SCORER_ITEMS_MAX]; /* evaluation order (deps first) */
    scorer_dimension_t dims[SCORER_DIMS_MAX]; /* item groups, in order */
    int dim_count;                            /* how many */
    scorer_note_t notes[SCORER_NOTES_MAX];    /* generated notes, in order */
    int note_count;                           /* how many */
    scorer_channel_table_t channels[SCORER_CHANNELS_MAX]; /* channel tables */
    int channel_count;                                    /* how many */
    int changes[SCORER_ITEMS_MAX]; /* items whose change is shown */
    int change_count;              /* how many */
    bool summary;                  /* report a summary */
    double full_score;             /* summary: a full total */
    bool breakdown;                /* report channel/category */
    char below_title[128];         /* below-district list, or "" */
    scorer_expr_t *below_rate;     /* a unit's rate */
    scorer_expr_t *below_district; /* the district-wide rate */
    scorer_expr_t *below_when;     /* units that have a rate */
};

/* Fills the report-wide aggregates (max_, mean_, sum_ of every counter)
   over the units with a table (out[u].table >= 0) into vars. */
void scorer__aggregates (const scorer_input_t *in, size_t count,
                         const scorer_output_t *out, double *vars);

/* A channel-table cell: the counter, or the formula's shown value. */
double scorer__column_value (const scorer_column_t *column,
                             const double *counters);

/* Rounds a value as an item or total is shown. */
double scorer__round (double value, scorer_round_t mode);

/* Rulesets compiled into the binary (generated by cmake/embed.cmake). */
typedef struct {
    const char *name; /* file name */
    const char *text; /* ZPL text */
} scorer_embedded_t;
extern const scorer_embedded_t scorer_embedded_rulesets[];

/*  The JSON writer of reports and score rows (scorer_json.c): appends to
    one growing buffer and prints the bytes cJSON_PrintUnformatted would
    print for the same tree. Commas are placed by the writer.             */
#define SCORER_JSON_DEPTH 16

typedef struct {
    char *data;                    /* the text so far, or NULL */
    size_t size;                   /* bytes used, NUL not counted */
    size_t capacity;               /* bytes allocated */
    bool failed;                   /* out of memory: the text is lost */
    bool after_key;                /* a key was written, its value is next */
    int depth;                     /* open objects and arrays */
    bool first[SCORER_JSON_DEPTH]; /* per level: nothing written in it yet */
} scorer_json_t;

void scorer__json_init (scorer_json_t *self, size_t capacity);
/* Empties the buffer and keeps its memory. */
void scorer__json_reset (scorer_json_t *self);
/* The text (borrowed; NULL after a failed allocation). */
char *scorer__json_text (scorer_json_t *self);
/* The text, which the caller now frees (NULL when out of memory). */
char *scorer__json_finish (scorer_json_t *self);
void scorer__json_free (scorer_json_t *self);
/* '{' or '[' opens, '}' or ']' closes. */
void scorer__json_open (scorer_json_t *self, char bracket);
void scorer__json_close (scorer_json_t *self, char bracket);
void scorer__json_key (scorer_json_t *self, const char *key);
void scorer__json_string (scorer_json_t *self, const char *text);
/* A literal value: null, true, false, or already formatted text. */
void scorer__json_literal (scorer_json_t *self, const char *text);
void scorer__json_raw (scorer_json_t *self, const char *text, size_t size);
void scorer__json_int (scorer_json_t *self, long long value);
/* A number as cJSON prints one (cJSON_AddNumberToObject). */
void scorer__json_number (scorer_json_t *self, double value);
/* A shown value: two decimals (whole for ROUND_PCT0), null for NAN. */
void scorer__json_shown (scorer_json_t *self, double value,
                         scorer_round_t round);

/*  Reading a period's inputs (scorer_inputs.c).                        */

/* The registry's units by id, for walking a period's records (keys
   period \0 unit \0 ..., in unit id order) beside them. */
typedef struct {
    const scorer_unit_t *units; /* registry order (borrowed) */
    size_t count;               /* units */
    size_t *by_id;              /* indices into units, by unit_id */
} scorer_roster_t;

/* Returns 0, or -1 when out of memory. */
int scorer__roster_init (scorer_roster_t *self, const scorer_unit_t *units,
                         size_t count);
void scorer__roster_free (scorer_roster_t *self);
/* The index of a unit in registry order, or -1. */
long scorer__roster_find (const scorer_roster_t *self, const char *unit_id);

/* Sees one record of a period scan: the unit's registry index, the rest
   of the key (slice or item, NUL-terminated) and the value (borrowed). */
typedef void (scorer_record_fn) (void *arg, size_t unit, const char *rest,
                                 const void *value, size_t size);

/* Walks the records of one period in STORE_COUNTERS or STORE_MANUAL (one
   cursor over the period's keys, which are contiguous) and calls fn for
   each record of a roster unit. Returns 0 or a store_rc_t. */
int scorer__scan_period (store_txn_t *txn, store_table_t table,
                         const char *period, const scorer_roster_t *roster,
                         scorer_record_fn *fn, void *arg);

/* A counter record's value as counters[SC_COUNT] (missing ones 0,
   derived ones filled). */
void scorer__counters_decode (const void *value, size_t size, double *counters);

/* Every roster unit's inputs for ruleset rs in the period: in[u].unit is
   set to &roster->units[u]. `slices` (may be NULL) sees every counter
   record of another slice than "" on the way. Returns 0, or -1 with a
   reason in err. */
int scorer__inputs_read (store_txn_t *txn, const scorer_ruleset_t *rs,
                         const char *period, const scorer_roster_t *roster,
                         scorer_input_t *in, scorer_record_fn *slices,
                         void *arg, char *err);
/* One unit's counters, by a point read (in->unit set by the caller).
   Returns 0, or -1 with a reason in err. */
int scorer__input_counters (store_txn_t *txn, const char *period,
                            scorer_input_t *in, char *err);
/* One unit's manual items and bonus for rs, by point reads. */
void scorer__input_manual (store_txn_t *txn, const scorer_ruleset_t *rs,
                           const char *period, scorer_input_t *in);
/* True when rs reads manual items or a bonus. */
bool scorer__ruleset_has_manual (const scorer_ruleset_t *rs);

/* The table a unit of that group is listed in, or -1 (scorer_score.c). */
int scorer__table_of (const scorer_ruleset_t *rs, const char *group);
/* scorer_score with each unit's table given (scorer__table_of of its
   group, kept by a caller that scores the same units again and again);
   tables NULL: looked up. */
int scorer__score (const scorer_ruleset_t *rs, const scorer_input_t *in,
                   size_t count, const int *tables, scorer_output_t *out,
                   char *err);
/* The same scoring, done again after only the inputs of the `changed`
   units (indices) moved since `prev` was scored: when no report-wide
   value the ruleset reads moved either (agg, 3 * SC_COUNT: max_, mean_,
   sum_ of every counter, as `prev` was scored with), every other unit's
   items are copied from `prev` instead of evaluated again; the outputs
   are the same as scorer__score's. prev NULL: everything is scored. agg
   is updated (when not NULL) with this scoring's values. */
int scorer__rescore (const scorer_ruleset_t *rs, const scorer_input_t *in,
                     size_t count, const int *tables, const size_t *changed,
                     size_t changed_count, const scorer_output_t *prev,
                     double *agg, scorer_output_t *out, char *err);

/* A score row's fields, inside an object the caller opened: rank,
   unit_id, unit, the shown counters (with_counters), items, dimensions,
   base_total and bonus (schemes with a bonus), total (scorer_rows.c). */
void scorer__row_fields (scorer_json_t *json, const scorer_ruleset_t *rs,
                         const scorer_input_t *in, const scorer_output_t *out,
                         bool with_counters);
/* A publisher row: the fields, then ruleset, period and excluded. */
void scorer__row_publish (scorer_json_t *json, const scorer_ruleset_t *rs,
                          const char *period, const scorer_input_t *in,
                          const scorer_output_t *out);

#endif
