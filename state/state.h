/*  state: the ticket state machine and everything it keeps in the store.

    One validated event in, inside the caller's LMDB write transaction:
    de-duplication, the checks against the store (unit known, ticket
    state), the ticket record, the deadline index and its alerts, the
    per-unit per-period counters of docs/scoring.md, the units registry,
    the dead letters, and the event log. Also the rebuild of every
    aggregate from that log (hotline replay) and the replay of the log
    up to a moment into a scratch store (reports as of a moment).

    Counters are kept per (period, unit, slice) for both the month and
    the quarter of the event, where slice is "" (all tickets),
    "ch:<channel>" or "cat:<category>"; the counter vector is
    rules_counter_t (rules.h), stored as int32s.

    No sockets and no clock of its own: the wall time, where a rule needs
    it, is given by the caller (state_ctx_t), so the same events give the
    same state on every machine. Links with the store, proto and rules.

    Thread rules: everything works inside the caller's transaction, on
    the caller's thread; state_effects_t belongs to one thread.
*/
#ifndef STATE_H_INCLUDED
#define STATE_H_INCLUDED

#include "proto.h"
#include "rules.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>

/*  --------------------------------------------------------------------
    Units registry (STORE_UNITS). Registry order is the order in which
    units were first imported; updates keep it.                          */

/* Adds or updates units. Returns 0 or a store_rc_t; *added counts new ones. */
int state_units_import (store_txn_t *txn, const proto_unit_t *units,
                        size_t count, size_t *added);
/* Reads one unit. STORE_OK or STORE_NOTFOUND. */
int state_unit_get (store_txn_t *txn, const char *unit_id, rules_unit_t *unit);
/* All units in registry order. Returns a malloc'd array the caller frees
   and its length in *count, or NULL with *count 0 (none, or no memory). */
rules_unit_t *state_units_list (store_txn_t *txn, size_t *count);

/*  --------------------------------------------------------------------
    Effects: what a transaction changed, for the publisher: the touched
    (period, unit) pairs, as "period\x1funit" texts, and the alerts
    raised, in order.                                                    */
typedef struct _state_effects_t state_effects_t;

state_effects_t *state_effects_new (void);
void state_effects_destroy (state_effects_t **self_p);
void state_effects_reset (state_effects_t *self);
/* Moves everything from `from` into self (from is left empty). */
void state_effects_merge (state_effects_t *self, state_effects_t *from);
/* True when nothing was recorded. */
bool state_effects_empty (const state_effects_t *self);
/* The touched pairs ("period\x1funit", borrowed), in no order. */
size_t state_effects_touched_count (const state_effects_t *self);
const char *state_effects_touched_at (const state_effects_t *self,
                                      size_t index);
/* The alerts, in the order raised: the unit and the alert's JSON
   (borrowed). */
size_t state_effects_alert_count (const state_effects_t *self);
void state_effects_alert_at (const state_effects_t *self, size_t index,
                             const char **unit, const char **json);

/*  --------------------------------------------------------------------
    The state machine.                                                   */

/*  --------------------------------------------------------------------
    Working time (state_calendar.c, state_worktime.c; docs/calendar.md).
    The calendar in force (the shipped years of the configured calendar,
    with the years imported by hotline calendar import over them), the
    working hours of a working day, and the windows of docs/scoring.md:
    signing after dispatch, first contact after receipt, a return after
    dispatch, each in working hours ("1wh") or wall time ("1h"). All of
    it is kept in the store (STORE_CALENDAR), so that a replay and a
    restart measure as the live daemon did; the state machine reads it
    from a state_calendar_t loaded from the store, never from a clock.

    With working time, a `time_limit` ("3wd", "16wh", "72h") derives the
    deadline, the windows are measured in working time where they say
    "wh", and a warning falls at the warning share of the working time
    between the start of the limit and the deadline. A day whose year the
    calendar lacks is never guessed: an event whose limit or window needs
    it is refused (class "calendar"); a warning that needs it falls at
    the share of the wall time instead (it counts nothing).              */

typedef enum {
    STATE_WINDOW_SIGN = 0,    /* signing, after dispatch */
    STATE_WINDOW_CONTACT = 1, /* first contact, after receipt */
    STATE_WINDOW_RETURN = 2,  /* a return, after dispatch (金台区) */
    STATE_WINDOWS
} state_window_t;

/* The settings when neither the store nor the configuration says. */
#define STATE_CALENDAR_DEFAULT "cn"
#define STATE_HOURS_DEFAULT    "08:30-12:00 14:00-18:00"
#define STATE_WINDOWS_DEFAULT  "sign 1wh contact 2wh return 2wh"

typedef struct _state_calendar_t state_calendar_t;

/* Checks the settings without a store: calendar (a shipped calendar,
   "cn", or "none": no working time at all), working hours ("08:30-12:00
   14:00-18:00") and windows ("sign 1wh contact 2wh return 2h": each
   window in working hours "wh" or wall hours "h", fractions allowed;
   one left out keeps its default; "wh" needs a calendar). Returns 0, or
   -1 with why in err (256 bytes). */
int state_calendar_check (const char *calendar, const char *hours,
                          const char *windows, char *err);

/* Records the settings in the store, checked first (as the daemon does
   at start, from its configuration). Returns 0, -1 with why in err, or
   a store_rc_t. */
int state_calendar_configure (store_txn_t *txn, const char *calendar,
                              const char *hours, const char *windows,
                              char *err);

/* The working time in force in the store. NULL with why in err when it
   cannot be built (a stored year that no longer parses, no memory). */
state_calendar_t *state_calendar_load (store_txn_t *txn, char *err);
void state_calendar_destroy (state_calendar_t **self_p);

/* Loads *self_p again when the store's calendar changed since it was
   loaded (an import, new settings): one meta read when nothing did.
   Returns 0, or -1 with why in err (*self_p is then kept). */
int state_calendar_sync (store_txn_t *txn, state_calendar_t **self_p,
                         char *err);

/* Adds or replaces the years a calendar file gives (calendar.h lists the
   forms) in the store. Returns {"years":[2026...],"calendar":"cn"}
   (the caller frees it), or NULL with "line N: why" in err and nothing
   written. *store_rc is STORE_OK, or when the store refused the write
   its code (STORE_FULL: the map may grow; abort and try again). Events
   already applied keep their measures until a replay. */
char *state_calendar_import (store_txn_t *txn, const char *text, size_t size,
                             int *store_rc, char *err);

/* hotline calendar show: with year 0 the settings and the years held
   ({"calendar","working_hours","windows":{"sign":"1wh"...},"years":
   [{"year":2020,"source":"shipped"}...]}); else that year's notice
   ({"calendar","year","source","days_off":[{"date","name"}...],
   "working_days":[...]}, its make-up working days). The caller frees
   it; NULL with why in err (a year not held). */
char *state_calendar_json (store_txn_t *txn, int year, char *err);

/* Whether working time is on (the calendar is not "none"). */
bool state_calendar_working (const state_calendar_t *self);
/* A window's length in ms, and whether it is in working hours. */
int64_t state_calendar_window (const state_calendar_t *self,
                               state_window_t window, bool *working);
/* The time from `from` to `to` as a window measures it: working time
   when `working`, else wall time. Returns 0, or -1 when the calendar
   lacks a year it needs (*missing). */
int state_calendar_span (const state_calendar_t *self, bool working,
                         int64_t from, int64_t to, int64_t *ms, int *missing);

/* Outcome of state_apply. */
typedef enum {
    STATE_STORED = 0,    /* applied and logged */
    STATE_DUPLICATE = 1, /* event_id seen before: nothing changed */
    STATE_REJECTED = 2,  /* not applicable; reason says why */
    STATE_FAILED = -1    /* store error: abort the whole transaction */
} state_outcome_t;

/* Why an event was refused: the classes `hotline stats` counts and the
   dead-letter table records. */
typedef enum {
    STATE_REJECT_NONE = 0,
    STATE_REJECT_INVALID,        /* failed validation (missing field...) */
    STATE_REJECT_UNKNOWN_UNIT,   /* the unit is not in the registry */
    STATE_REJECT_UNKNOWN_TICKET, /* e.g. closed before received */
    STATE_REJECT_WRONG_UNIT,     /* the ticket is with another unit */
    STATE_REJECT_WRONG_STATE,    /* e.g. closing a closed ticket */
    STATE_REJECT_OUT_OF_ORDER,   /* earlier than the ticket's receipt */
    STATE_REJECT_FUTURE,         /* ahead of the daemon's clock */
    STATE_REJECT_CALENDAR,       /* a limit or window needs a year the
                                    calendar lacks (or working time off) */
    STATE_REJECT_CONFLICT,       /* event_id stored with other content */
    STATE_REJECT_KINDS
} state_reject_t;

/* "unknown_unit"... as stats and dead letters name the class. */
const char *state_reject_name (state_reject_t kind);

/* Clock modes: the wall clock, or event time (the largest occurred_at
   seen, advanced by tick events) for deterministic replays. */
typedef enum { STATE_CLOCK_WALL = 0, STATE_CLOCK_EVENT = 1 } state_clock_t;

/* What state_apply needs besides the event. */
typedef struct {
    state_clock_t clock;      /* wall or event */
    int64_t wall_now;         /* the wall clock's reading, ms (the caller's
                                 clock: the state machine reads none) */
    state_effects_t *effects; /* collects what changed, or NULL */
    uint64_t log_seq;         /* state_reapply: the event's number in the
                                 log (state_apply takes the log's next) */
    const state_calendar_t *calendar; /* the working time in force (the
                                 store's; state_calendar_sync keeps it
                                 current), or NULL: loaded from the store
                                 for this call */
    bool trusted;                     /* events read back from the log (a replay
                                         into a scratch store): never future */
} state_ctx_t;

/* Applies one event (already checked by proto_event_validate) inside the
   write transaction: de-duplicates, checks it against the store (unit
   known, ticket state), advances the event clock (ctx->clock event),
   raises overdue for deadlines the clock passed, updates ticket and
   counters, and appends the event to the log. On STATE_REJECTED nothing
   was written, `reason` (PROTO_ERROR_MAX bytes) says why and *kind (may
   be NULL) its class. On STATE_FAILED the caller must abort the
   transaction; *store_rc says why.

   De-duplication keeps a digest of each stored event beside its id
   (STORE_DEDUP: log seq, then 16 bytes of BLAKE2b over the event's
   encoding): the same event again is STATE_DUPLICATE; another event
   under a stored id is refused, class conflict. Entries of older stores
   hold the seq alone: the logged event is read and compared instead.

   Future (class future): an event more than a day ahead of the wall
   clock (ctx->wall_now), on either clock. On the event clock also one
   past the end of the month after next of the store's clock (once it is
   set): a sparse stream may skip weeks, but a jump of months would pass
   every open deadline at once; ticks in steps move the clock further.
   Events read back from the log (state_reapply, or ctx->trusted) were
   accepted once and are never refused as future. */
state_outcome_t state_apply (store_txn_t *txn, const proto_event_t *event,
                             const state_ctx_t *ctx, char *reason,
                             int *store_rc, state_reject_t *kind);

/* Applies an event read back from the event log (so already
   de-duplicated and logged) as state_apply does, without touching the
   de-duplication table or the log: for rebuilding aggregates. */
state_outcome_t state_reapply (store_txn_t *txn, const proto_event_t *event,
                               const state_ctx_t *ctx, char *reason,
                               int *store_rc, state_reject_t *kind);

/* Advances the clock to `now` (if later) and raises overdue for every open
   ticket whose deadline is before it. Returns 0 or a store_rc_t. */
int state_advance_clock (store_txn_t *txn, int64_t now,
                         state_effects_t *effects);

/* The store's clock (0 before any event). */
int64_t state_clock_now (store_txn_t *txn);

/* Deadlines and warnings still to come: one per open ticket not yet
   overdue, and one per open ticket whose warning is still to come
   (`hotline stats`: open_deadlines). The deadline index holds more: the
   entries of tickets that left before their moment, until it passes. */
uint64_t state_open_deadlines (store_txn_t *txn);

/* Starts keeping that count in the store (hotlined, before it writes):
   a store written by a build that did not keep it holds an index with
   nothing stale, which gives the count once. Returns 0 or a
   store_rc_t. */
int state_open_deadlines_keep (store_txn_t *txn);

/*  --------------------------------------------------------------------
    Counter and manual item records, as reports read them
    (state_counters.c). Records are keyed period \0 unit \0 rest: a
    period's records are contiguous and in unit id order; rest is the
    slice ("" all tickets, "ch:<channel>", "cat:<category>") for counters
    and the item id for manual items (STORE_MANUAL).                      */

/* Builds a record key into `key` (STORE_KEY_MAX bytes): period \0 unit
   \0 prefix slice. Returns its length. */
size_t state_counter_key (uint8_t *key, const char *period, const char *unit,
                          const char *prefix, const char *slice);
/* A counter record's value as counters[RULES_COUNTERS] (missing ones 0,
   derived ones filled). */
void state_counters_decode (const void *value, size_t size, double *counters);
/* A manual item record's value, or NAN when it is not one. */
double state_manual_decode (const void *value, size_t size);
/* One unit's counters of the "" slice in a period (all 0 when absent).
   Returns 0 or a store_rc_t. */
int state_counters_get (store_txn_t *txn, const char *period, const char *unit,
                        double *counters);
/* The latest ADJUSTED value of one manual item, or NAN when unset. */
double state_manual_get (store_txn_t *txn, const char *period, const char *unit,
                         const char *item);

/* Sees one record of a period scan: the unit id and the rest of the key
   (NUL-terminated, borrowed for the call) and the value (borrowed). */
typedef void (state_record_fn) (void *arg, const char *unit_id,
                                const char *rest, const void *value,
                                size_t size);
/* Walks one period's records of STORE_COUNTERS or STORE_MANUAL with one
   cursor, in key order (unit id, then rest), calling fn for each.
   Returns 0 or a store_rc_t. */
int state_scan_period (store_txn_t *txn, store_table_t table,
                       const char *period, state_record_fn *fn, void *arg);

/*  --------------------------------------------------------------------
    The drill-down (state_counters.c, state_trail.c): which tickets each
    adverse counter counted, and what each ticket counted where. Kept in
    the same transaction as the counters, rebuilt by state_rebuild.     */

/* How an adverse count came about, kept with its moment for explain's
   details; most counters have one way, these have several. */
typedef enum {
    STATE_WHY_DEFAULT = 0,        /* what the counter says */
    STATE_WHY_CONTACT_LATE,       /* first contact after the window */
    STATE_WHY_CONTACT_NONE_CLOSE, /* closed without a contact */
    STATE_WHY_CONTACT_NONE_DUE,   /* no contact by the deadline */
    STATE_WHY_REWORK_REVISIT,     /* a revisit sent it back */
    STATE_WHY_REWORK_REOPEN       /* reopened without such a revisit */
} state_why_t;

/* One count of a ticket in an adverse counter (signed_late,
   contacted_late, returned, returned_late, extended, closed_late,
   overdue_open, alerts, unsatisfied, unresolved, rework,
   key_closed_late, repeat_closed_late). */
#define STATE_COUNTED_EXEMPT 0x01 /* flags: taken back by an exemption */
typedef struct {
    int64_t at;    /* when it counted */
    int64_t ref;   /* the deadline, dispatch or receipt it is measured
                      against (0: none) */
    uint8_t why;   /* state_why_t: how it came about */
    uint8_t flags; /* STATE_COUNTED_* */
} state_counted_t;

/* Sees one ticket's counts in one adverse counter of a unit and period:
   the counter, the ticket id, and its counts in order (borrowed). */
typedef void (state_counted_fn) (void *arg, int counter, const char *ticket_id,
                                 const state_counted_t *counts, size_t n);
/* Walks every adverse count of a unit in a period (one cursor over its
   keys: cost proportional to the unit's adverse tickets). Returns 0 or
   a store_rc_t. */
int state_counted_scan (store_txn_t *txn, const char *period, const char *unit,
                        state_counted_fn *fn, void *arg);
/* The drill-down index is kept in three parts (state_counted.c): what
   is settled; the changes being settled, sorted by key; and the changes
   made since, appended in order because applying each where it happens
   scatters a commit's writes over the whole index. state_counted_scan
   reads all three. Writers call state_counted_settle before they
   commit (the scorer with STATE_COUNTED_PENDING_MAX). With pending_max
   0 it applies every change now. Otherwise, while changes are being
   settled, it applies the next slice of them in key order: at least
   STATE_COUNTED_SLICE changes, and as many as keep the settling and
   pending parts together within pending_max (about what was added
   since the last slice); while what is being settled is itself more
   than pending_max (a move made large by a clock jump), at least as
   many as are pending; all that are left once more than
   pending_max are pending. When none are being settled and more than
   pending_max are pending, it moves those, sorted, to be settled. So
   no commit applies them all at once, and each applies a steady share.
   Returns 0 or a store_rc_t. */
#define STATE_COUNTED_PENDING_MAX 65536
#define STATE_COUNTED_SLICE       1024
int state_counted_settle (store_txn_t *txn, size_t pending_max);
/* The same with another least slice (tests). */
int state_counted_settle_by (store_txn_t *txn, size_t pending_max,
                             size_t slice);
/* Applies whatever is being settled (not the pending changes), so that
   a stopped store holds only settled and pending changes, as before the
   slices: the scorer calls it when it stops, and hotline replay at the
   end of its rebuild. (Going back to an older build is not supported
   even so: docs/architecture.md.) Returns 0 or a store_rc_t. */
int state_counted_drain (store_txn_t *txn);
/* The number of changes not settled yet (being settled or pending). */
size_t state_counted_pending (store_txn_t *txn);
/* Drops the changes not settled yet: for a scratch replay that serves
   reports only (asof/), never explain, and should not carry them. */
int state_counted_forget (store_txn_t *txn);

/* One count of a ticket, as its trail keeps it. */
typedef struct {
    proto_period_t period; /* where */
    int counter;           /* rules_counter_t (closed_late included) */
    int32_t delta;         /* how much */
} state_count_t;

/* Sees one entry of a ticket's trail: the log number of the event that
   made it (or, clock true, the log's number when the clock passed the
   ticket's deadline), the unit, and its counts (borrowed). */
typedef void (state_trail_fn) (void *arg, uint64_t seq, bool clock,
                               const char *unit, const state_count_t *counts,
                               size_t n);
/* Walks a ticket's trail in log order (an event's own entry before the
   clock's under the same seq), from its ticket record back along the
   chain: a point read per entry. Returns 0 or a store_rc_t
   (STORE_NOTFOUND when the ticket, or its trail, is unknown). */
int state_trail_scan (store_txn_t *txn, const char *ticket_id,
                      state_trail_fn *fn, void *arg);

/* 0 when the store's ticket records, trails and counter records are of
   the layout this build writes (or it has none yet); -1 with the reason
   in why (256 bytes) when they are of an older one: `hotline replay`
   rebuilds them from the log. hotlined checks it before it starts. */
int state_layout_check (store_txn_t *txn, char *why);

/* A ticket as it stands, for hotline ticket. */
typedef struct {
    char unit_id[PROTO_ID_MAX + 1];     /* the unit it is with (or was) */
    const char *state;                  /* "open", "closed", "returned" */
    char channel[PROTO_TOKEN_MAX + 1];  /* intake channel */
    char category[PROTO_TOKEN_MAX + 1]; /* subject category */
    int64_t dispatched_at;              /* dispatch to that unit */
    int64_t received_at;                /* signed by it */
    int64_t due_at;                     /* deadline in force */
    bool overdue;                       /* its deadline passed while open */
} state_ticket_info_t;
/* STORE_OK, STORE_NOTFOUND, or another store_rc_t. */
int state_ticket_info (store_txn_t *txn, const char *ticket_id,
                       state_ticket_info_t *info);

/*  --------------------------------------------------------------------
    Appeals and exemptions (state_appeals.c, docs/appeals.md). Kept per
    (ticket, unit) in STORE_APPEALS by the events appealed, exempted,
    appeal_rejected and unexempted; rebuilt from the log. An exemption
    takes the ticket's counts for the unit out of the exempted counters
    in every period it counted in (its trail says where), and keeps
    later counts out of them while it stands; unexempted puts them all
    back. Explain lists the exempted counts apart.                        */
typedef enum {
    STATE_APPEAL_NONE = 0,
    STATE_APPEAL_OPEN,     /* appealed, not decided */
    STATE_APPEAL_GRANTED,  /* exempted (with or without an appeal) */
    STATE_APPEAL_REJECTED, /* rejected, or the exemption withdrawn */
} state_appeal_state_t;

/* "open", "granted", "rejected" ("" for none). */
const char *state_appeal_state_name (state_appeal_state_t state);

typedef struct {
    char ticket_id[PROTO_ID_MAX + 1];           /* the ticket */
    char unit_id[PROTO_ID_MAX + 1];             /* the unit that had it */
    state_appeal_state_t state;                 /* where it stands */
    uint32_t exempt;                            /* exempted counters: bit per
                                                   rules_counter_t */
    int64_t appealed_at;                        /* the appeal, or 0 */
    int64_t decided_at;                         /* the decision, or 0 */
    char appeal_reason[PROTO_REASON_MAX + 1];   /* the unit's reason */
    char decision_reason[PROTO_REASON_MAX + 1]; /* the office's */
    char by[PROTO_NAME_MAX + 1];                /* who decided */
} state_appeal_t;

/* The appeal of a ticket for a unit: STORE_OK, STORE_NOTFOUND, or a
   store_rc_t. */
int state_appeal_get (store_txn_t *txn, const char *ticket_id,
                      const char *unit_id, state_appeal_t *appeal);
/* Every appeal and exemption, in ticket order. Returns 0 or a
   store_rc_t. */
typedef void (state_appeal_fn) (void *arg, const state_appeal_t *appeal);
int state_appeals_scan (store_txn_t *txn, state_appeal_fn *fn, void *arg);

/* An exemption's counters: "all", or names separated by spaces or
   commas; "closed" takes the whole closure (closed, closed_on_time,
   closed_late, first_time_closed, days_late, key_ and
   repeat_closed_late), "closed_late" only its lateness (the closure
   then counts as on time), "should_close" the closure and
   overdue_open. Returns 0 with the bits in *mask, or -1 with a reason
   (PROTO_ERROR_MAX bytes) naming an unknown counter. */
int state_exempt_mask (const char *text, uint32_t *mask, char *reason);
/* A ticket's gross counts for a unit (what it counted, exempted or
   not), per period and counter, through fn. Returns 0 or a
   store_rc_t. */
typedef void (state_sum_fn) (void *arg, proto_period_t period, int counter,
                             long sum);
int state_ticket_sums (store_txn_t *txn, const char *ticket_id,
                       const char *unit_id, state_sum_fn *fn, void *arg);

/* The names of a mask's counters, space-separated, into buf; "all" when
   every counter. */
void state_exempt_names (uint32_t mask, char *buf, size_t size);

/*  --------------------------------------------------------------------
    Dead letters (STORE_REJECTED).                                       */

/* How many dead letters are kept. */
typedef struct {
    size_t max_count;   /* letters at most (0: 10,000) */
    uint64_t max_bytes; /* bytes of letters at most (0: no such bound) */
} state_dead_limits_t;

/* Keeps a refused event with its class, reason and arrival time, inside
   the caller's transaction. The same event refused again for the same
   class is not kept twice: its letter counts the repeat ("repeats",
   "last_at"; meta rejected_repeats). When a new letter would pass a
   limit, the oldest letters go first (meta rejected_dropped counts
   them), so refusals can never fill the store. */
int state_dead_letter (store_txn_t *txn, const proto_event_t *event,
                       state_reject_t kind, const char *reason, int64_t at,
                       const state_dead_limits_t *limits);
/* The newest `limit` dead letters (0: 100) as {"count":N,"rejected":[...]},
   oldest first. The caller frees it; NULL when out of memory. */
char *state_dead_letters_json (store_txn_t *txn, size_t limit);
/* Dead letters dropped to stay within the limits, and refusals of an
   event already kept, since the store was made. */
void state_dead_totals (store_txn_t *txn, uint64_t *dropped, uint64_t *repeats);

/*  --------------------------------------------------------------------
    Replays of the log.                                                  */

/* Replays the event log read through `from` into the empty store `to`
   on the event clock, keeping the events that occurred at or before
   `until`, then advances the clock to `until`: `to` then holds the state
   as of that moment. Units are copied first. Returns 0, or -1 with a
   reason in err (256 bytes). */
int state_replay (store_txn_t *from, store_t *to, int64_t until, char *err);

/* A replay kept and continued elsewhere (asof.h), in three steps that
   give the counters state_replay gives. state_replay_seed writes into
   `to` (a write transaction of an empty store) what a replay starts
   from: the units and the warning share of `from`. state_replay_apply
   applies one event read from the log under its log seq, as a rebuild
   does (event clock, trusted; no de-duplication, and of the log only
   the receipts, which an exemption reads for their channel and
   category), with the calendar loaded
   from the replayed store; state_replay_finish advances the clock to
   `until`, the clock's counts going under `next_seq` (past every seq
   applied). Each returns STORE_OK or the store's error; an event the
   state machine refuses is not an error. */
int state_replay_seed (store_txn_t *from, store_txn_t *to);
int state_replay_apply (store_txn_t *to, const proto_event_t *event,
                        uint64_t seq, const state_calendar_t *calendar);
int state_replay_finish (store_txn_t *to, int64_t until, uint64_t next_seq);

/* Rebuilds every aggregate of `store` from its event log, in place:
   empties the tickets, deadline index, counters, manual items and open
   alerts and the event clock, then re-applies the log in order with
   state_reapply on the event clock (deadlines pass as event time
   passes, as they did live), in large write transactions. With
   STATE_CLOCK_WALL the clock is then advanced to `wall_now`, as a
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
#define STATE_REBUILD_REASONS 5
typedef struct {
    uint64_t events;  /* log events re-applied by this call */
    uint64_t refused; /* log events the state machine refused */
    uint64_t resumed; /* the log seq an interrupted rebuild resumed at, 0 */
    double seconds;   /* wall time of this call */
    /* the first refusals, "event SEQ (EVENT_ID): reason" */
    char reasons[STATE_REBUILD_REASONS][PROTO_ERROR_MAX + PROTO_ID_MAX + 48];
} state_rebuild_result_t;
/* Progress: log events done, of `total`; `arg` as given. */
typedef void (state_rebuild_progress_fn) (uint64_t done, uint64_t total,
                                          void *arg);
int state_rebuild (store_t *store, state_clock_t clock, int64_t wall_now,
                   state_rebuild_progress_fn *progress, void *arg,
                   state_rebuild_result_t *result, char *err);

/* True when a rebuild was interrupted (meta "rebuild_next" set): the
   aggregates are partial until a rebuild finishes. */
bool state_rebuild_pending (store_txn_t *txn, uint64_t *next);

#endif
