/*  state_internal: helpers shared by the state module's files, not part
    of its contract. */
#ifndef STATE_INTERNAL_H_INCLUDED
#define STATE_INTERNAL_H_INCLUDED

#include "state.h"

#include "calendar.h"

/* rules_period_kind_t and proto_period_kind_t name the same kinds. */
_Static_assert((int)RULES_MONTH == (int)PROTO_MONTH &&
                   (int)RULES_QUARTER == (int)PROTO_QUARTER,
               "period kinds differ between rules and proto");
_Static_assert(RULES_ID_MAX == PROTO_ID_MAX &&
                   RULES_TOKEN_MAX == PROTO_TOKEN_MAX &&
                   RULES_NAME_MAX == PROTO_REASON_MAX,
               "id sizes differ between rules and proto");

/*  Tickets (state_apply.c, state_deadline.c).                           */
/* The store's layout, told by the first byte of every ticket record
   (state_layout_check): 3 trails keyed by ticket, 4 ticket records of
   288 bytes, 5 ticket records with their names at their length, 6
   counter records as varints (store_vector.c). */
#define TICKET_VERSION 6

typedef enum { T_OPEN = 1, T_CLOSED = 2, T_RETURNED = 3 } state_ticket_state_t;

/* Ticket flags. */
#define F_CONTACTED       0x01 /* the unit contacted the citizen */
#define F_CONTACT_COUNTED 0x02 /* contacted_late already counted */
#define F_HAD_REWORK      0x04 /* rework at any time under this unit */
#define F_KEY             0x08 /* key supervision (重点督办) */
#define F_REPEAT          0x10 /* repeat dispatch (重复交办) */
#define F_REWORK_PENDING  0x20 /* revisit asked for rework; reopen follows */
#define F_OVERDUE         0x40 /* overdue raised for the current deadline */
#define F_WARNED          0x80 /* warning raised for the current deadline */

/* The ticket record. Stored (state_ticket.c) as its bytes before
   unit_id, its bytes from exempt on, and its three names at their
   length: the version byte comes first so a later layout can be told
   apart. */
typedef struct {
    uint8_t version;                    /* TICKET_VERSION */
    uint8_t state;                      /* state_ticket_state_t */
    uint8_t flags;                      /* F_* */
    uint8_t closed_on_time[2];          /* per period kind: last closure's */
    uint8_t first_time[2];              /* per kind: counted first-time */
    char unit_id[PROTO_ID_MAX + 1];     /* owning unit */
    char channel[PROTO_TOKEN_MAX + 1];  /* intake channel */
    char category[PROTO_TOKEN_MAX + 1]; /* subject category */
    uint32_t exempt;                    /* counters exempted for the owning
                                           unit: bit per rules_counter_t
                                           (in what was padding: old
                                           records read 0) */
    int64_t dispatched_at;              /* platform dispatch to this unit */
    int64_t received_at;                /* unit signed */
    int64_t due_at;                     /* deadline in force */
    int64_t limit_from;                 /* start of the time limit in force */
    int64_t warn_at;                    /* warning instant in force, or 0 */
    int64_t last_at;                    /* latest occurred_at applied */
    int32_t closed_period[2];  /* per kind: period counted closed, -1 */
    int32_t overdue_period[2]; /* per kind: overdue_open counted, -1 */
    uint64_t trail_seq;        /* the key of the ticket's latest trail */
    uint32_t trail_number;     /* entry (log seq, number), seq 0: none */
    uint32_t spare;            /* zero */
} state_ticket_t;

_Static_assert(sizeof (state_ticket_t) == 288,
               "the ticket record's layout changed: bump TICKET_VERSION");

/* The stored bytes of a record (at most 290), and back: 0, or -1 when
   the bytes are not a record of this layout. */
size_t state__ticket_encode (const state_ticket_t *t, uint8_t *bytes);

/* open_deadlines (state_open_deadlines): what a ticket adds to it, and
   the count adjusted after a ticket record is written, from what the
   ticket added before (its weight when read, 0 for a new one). */
int state__due_weight (const state_ticket_t *t);
int state__due_count (store_txn_t *txn, int before,
                      const state_ticket_t *after);
int state__ticket_decode (const uint8_t *bytes, size_t size, state_ticket_t *t);

int state__ticket_get (store_txn_t *txn, const char *ticket_id,
                       state_ticket_t *t);
int state__ticket_put (store_txn_t *txn, const char *ticket_id,
                       const state_ticket_t *t);

/* What the counts of one event for one ticket (or of the clock passing
   one ticket's deadline) go with: the counting functions below keep the
   counters, the drill-down index (STORE_COUNTED) and the ticket's trail
   (STORE_TRAIL) together, in the caller's transaction. */
#define STATE_TRAIL_MAX 48
typedef struct {
    int32_t period;  /* period code */
    uint8_t kind;    /* month or quarter */
    uint8_t counter; /* rules_counter_t */
    int32_t delta;   /* +1, -1, or days for days_late */
} state_trail_rec_t;

typedef struct {
    store_txn_t *txn;            /* the write transaction */
    state_effects_t *effects;    /* for the publisher, or NULL */
    const char *ticket_id;       /* the ticket counted */
    state_ticket_t *t;           /* its record */
    int64_t at;                  /* the moment of the counts being made */
    state_why_t why;             /* why, for adverse counts (explain) */
    uint64_t seq;                /* the event's log seq, or the clock's */
    bool clock;                  /* the counts are the clock's, not the
                                    event's */
    const state_calendar_t *cal; /* the working time in force */
    bool wall_limit;             /* the deadline being set comes from a limit
                                    in wall hours ("72h"): its warning is
                                    placed in wall time */
    size_t trail_count;          /* counts not yet written to the trail */
    state_trail_rec_t trail[STATE_TRAIL_MAX]; /* them */
} state_work_t;

/* Adds delta to one counter of the ticket's unit in one period, for the
   three slices (all, channel, category); marks the period touched; notes
   the count in the ticket's trail and, for an adverse counter, in the
   drill-down index (+1 adds w->at, -1 takes back the latest). */
int state__count_in (state_work_t *w, proto_period_t period, int counter,
                     int32_t delta);
/* The bit of a counter in an exemption mask. */
#define STATE_BIT(counter) (1u << (counter))

/* Adds delta to one counter of a unit in a period, in the three slices
   (all, the channel, the category): the counters alone. */
int state__add_counter (store_txn_t *txn, proto_period_t period,
                        const char *unit, const char *channel,
                        const char *category, int counter, int32_t delta);
/* The drill-down index follows a count (state_counted.c): +1 adds the
   moment w->at, measured against `reference` and marked exempted when
   the counter is exempted for the ticket; -1 takes back the latest one
   in the same standing. Both are kept pending until a settle. */
int state__counted_index (state_work_t *w, const char *period, int counter,
                          int32_t delta, bool exempt, int64_t reference);
/* Whether explain lists a counter's tickets (an adverse counter:
   docs/scoring.md). */
bool state__adverse (int counter);
/* Marks (or unmarks) every drill-down entry of a ticket in a unit's
   counter and period as exempted (pending too). */
int state__index_mark (store_txn_t *txn, const char *period, const char *unit,
                       int counter, const char *ticket_id, bool exempt);
/* Checks an appeal event against the store (state_appeals.c): the ticket
   known, the unit one that had it, the decision possible. Returns true
   when it can be applied, else false with the reason and class (or a
   store error in *store_rc). */
bool state__appeal_check (store_txn_t *txn, const proto_event_t *ev,
                          const state_ticket_t *t, bool have, char *reason,
                          int *store_rc, state_reject_t *kind);
/* Applies a checked appeal event (the ticket record is w->t). */
int state__appeal_apply (state_work_t *w, const proto_event_t *ev);
/* A unit's exemption of a ticket when it receives it again: its mask,
   or 0. */
uint32_t state__exempt_of (store_txn_t *txn, const char *ticket_id,
                           const char *unit_id);

/* Notes a count of a derived counter (closed_late) in the trail and the
   index only. */
int state__count_derived (state_work_t *w, proto_period_t period, int counter,
                          int32_t delta);
/* Writes the counts noted for the ticket as a new entry at the end of
   the trail, linked to the ticket's previous one, and makes it the
   ticket's latest (w->t: the caller puts the record after). */
int state__trail_flush (state_work_t *w);
/* Walks the trail of the ticket whose record is t, as
   state_trail_scan. */
int state__trail_walk (store_txn_t *txn, const state_ticket_t *t,
                       state_trail_fn *fn, void *arg);
/* Counts contacted_late once for a ticket never contacted in time. */
int state__contact_missed (state_work_t *w, int64_t at, state_why_t why);
/* Sets a manual item to `value` unless a later ADJUSTED (by `at`) set
   it already (state_counters.c). */
int state__manual_put (store_txn_t *txn, const char *period, const char *unit,
                       const char *item, double value, int64_t at);

/* The byte forms of the drill-down records (state_counters.c). */
#define STATE_COUNTED_SIZE 18 /* at, ref, why, flags */
#define STATE_COUNTED_MAX  64 /* counts of one ticket in one counter */
#define STATE_TRAIL_SIZE   10 /* period, kind, counter, delta */
#define STATE_TRAIL_EVENT  0  /* trail entry kinds */
#define STATE_TRAIL_CLOCK  1
#define STATE_TRAIL_KEY    12 /* u64 seq, u32 number, big-endian */
#define STATE_TRAIL_HEAD   (2 + STATE_TRAIL_KEY) /* kind, link, unit size */
void state__counted_encode (const state_counted_t *c, uint8_t *bytes);
void state__counted_decode (const uint8_t *bytes, state_counted_t *c);
void state__trail_encode (const state_trail_rec_t *r, uint8_t *bytes);
void state__trail_decode (const uint8_t *bytes, state_trail_rec_t *r);

/*  Working time (state_worktime.c).                                     */

/* The calendar in force and the working hours (borrowed), and the
   calendar's name (state_calendar.c). */
const calendar_t *state__calendar_days (const state_calendar_t *self,
                                        const calendar_hours_t **hours);
const char *state__calendar_id (const state_calendar_t *self);

/* The deadline of a time limit ("3wd", "16wh", "72h") counted from
   `from`; *wall tells a limit in wall hours. Returns 0, or -1 with why
   in reason (PROTO_ERROR_MAX bytes): a year the calendar lacks, working
   time off, a deadline after 2099. */
int state__limit_due (const state_calendar_t *cal, const char *time_limit,
                      int64_t from, int64_t *due, bool *wall, char *reason);
/* 1 when `at` is later than the window allows after `from`, 0 when in
   time, -1 with why in reason (a year the calendar lacks). */
int state__window_late (const state_calendar_t *cal, state_window_t window,
                        int64_t from, int64_t at, char *reason);
/* The warning instant of a deadline: `permille` of the working time
   from `from` to `due`, or of the wall time for a limit in wall hours,
   without working time, when the calendar lacks a year, or when no
   working time lies between them. Whole seconds; 0 for none. */
int64_t state__warn_instant (const state_calendar_t *cal, int64_t from,
                             int64_t due, uint64_t permille, bool wall);

/* Event and dead-letter digests: 16 bytes of BLAKE2b (libsodium). */
#define STATE_DIGEST_SIZE 16
void state__digest (const void *bytes, size_t size, uint8_t *digest);

/*  Effects (state_effects.c).                                           */

/* Marks (period, unit) touched (effects may be NULL). */
void state__effects_touch (state_effects_t *effects, proto_period_t period,
                           const char *unit);
/* Records an alert for the publisher (effects may be NULL); both texts
   are copied. */
void state__effects_alert (state_effects_t *effects, const char *unit,
                           const char *json);

/*  Deadlines and alerts (state_deadline.c).                             */

/* Enters the ticket's deadline in force (t->due_at, with its time limit
   from t->limit_from) in the deadline index, with its warning time, and
   allows its alerts to be raised again: a new deadline. */
int state__deadline_set (state_work_t *w);
/* The ticket leaves the open state at `at` (closed, returned, or its
   deadline replaced): index entries go, an overdue_open counted in the
   period of `at` is taken back, and an open alert is cleared with
   `reason`. */
int state__leave_open (state_work_t *w, int64_t at, const char *reason);
/* state_advance_clock, with the log number the clock's counts go to
   the tickets' trails under, also telling how many index entries it
   took (0: no ticket record was changed). */
int state__advance_clock (store_txn_t *txn, int64_t now, uint64_t seq,
                          state_effects_t *effects, size_t *fired);
/* The sweep of state__advance_clock without moving the clock: fires the
   warnings due at or before `now` and the deadlines before it. After an
   event that set a deadline the clock has already passed (a late
   receipt, an extension to a past time), so that it fires at once. */
int state__sweep (store_txn_t *txn, int64_t now, uint64_t seq,
                  state_effects_t *effects, size_t *fired);

#endif
