/*  asof: reports as of an earlier moment, from replays kept and
    continued (docs/architecture.md, "Reports as of a moment").

    `hotline report --as-of T` is defined by a replay (state_replay): the
    events of the log that occurred at or before T, in log order, on the
    event clock, then the clock advanced to T. Replaying the whole log
    for every such report costs O(events stored). An asof_t keeps replays
    and continues them instead:

    - the head: a replay of the log's events from the first, in a scratch
      store, which the owner brings up to the log's end bit by bit
      (asof_follow) between reports;
    - checkpoints: copies of the head taken every `spacing` events as it
      advances, at most `limit` of them and `budget` bytes (past either,
      every other one is dropped and the spacing doubles), and the replay
      of no event;
    - the late events: the log position and time of every event stored
      after one that occurred later, noted as the head reads the log (in
      memory, 16 bytes each, never pruned: a log whose history was sent
      after its live stream is late almost throughout, and then costs
      16 bytes per event here, and its reports O(late events after P)).

    Why a kept replay answers exactly. A store that replayed the log's
    first C events, all of them, went through the same steps as the
    replay for any T at or after the latest time M among them: that
    replay keeps each of those C events (each occurred at or before
    M <= T), in the same order, on the same clock. After C, the replay
    for T keeps every event up to the first one, P, that occurred after
    T; after P it keeps only events that occurred at or before T, and
    each of those occurred before P did although stored after it: a late
    event. So a report as of T takes the kept replay with the largest C
    whose M <= T, applies in one write transaction the events from C + 1
    up to P and the late ones after P that occurred by T (from the list
    up to the head, by reading the log past it), advances the clock to T,
    builds the report from that transaction and aborts it: the kept
    replay stays at C for the next report. Once the head has reached the
    log's end, the cost is O(units + events from C to P + late events
    after P): at most about `spacing` events, where a replay from the
    start costs all of them. Before, a report costs what a replay from
    the start does (less the events the head holds).

    The kept replays keep no drill-down index for explain (the pending
    changes are dropped at each commit: state_counted_forget): reports
    do not read it, and it would grow every checkpoint.

    Each replay starts from the units, the warning share and the calendar
    of the data directory: when any of them changes (a units import, a
    calendar load), everything kept is dropped and built again by the
    next report.

    Thread rules: an asof_t belongs to one thread (the query's as-of
    worker); the live store may be written meanwhile by others. */
#ifndef ASOF_H_INCLUDED
#define ASOF_H_INCLUDED

#include "rules.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

/* Defaults: a checkpoint every 8,192 events at first, at most 64 of
   them and 2 GiB. */
#define ASOF_SPACING     8192
#define ASOF_CHECKPOINTS 64
#define ASOF_BUDGET_MB   2048

typedef struct _asof_t asof_t;

/* A keeper of replays, empty until its first report; spacing >= 1,
   limit >= 2, budget in bytes. NULL when out of memory. */
asof_t *asof_new (uint64_t spacing, size_t limit, uint64_t budget);

/* Removes every kept replay (scratch stores under $TMPDIR). NULL-safe;
   nulls the caller's pointer. */
void asof_destroy (asof_t **self_p);

/* The report of a ruleset and period as of `as_of`, read through `live`
   (a read transaction of the data directory): what report_json (live,
   ruleset, period, as_of) gives, byte for byte, built from the kept
   replays when it is a report as of an earlier moment. Returns a string
   the caller frees, or NULL with a reason in err (256 bytes). */
char *asof_report (asof_t *self, store_txn_t *live,
                   const rules_ruleset_t *ruleset, const char *period,
                   int64_t as_of, char *err);

/* Brings the head by at most `limit` events (0: no limit) towards the
   end of the log `live` sees, keeping checkpoints on the way, once a
   report has started the kept replays (before, it does nothing): the
   owner's chore between reports, in slices short enough to answer the
   next report soon. Returns 1 when events remain past the head, 0 when
   the head is at the end, -1 with a reason in err (everything kept is
   then dropped). */
int asof_follow (asof_t *self, store_txn_t *live, uint64_t limit, char *err);

/* What is kept, for stats and tests. */
typedef struct {
    uint64_t head;        /* log position the head has replayed to */
    size_t checkpoints;   /* copies kept (not counting the empty one) */
    uint64_t bytes;       /* their pages in use */
    uint64_t spacing;     /* events between them now */
    size_t late;          /* late events known */
    uint64_t last_from;   /* the last report: position it continued from */
    uint64_t last_events; /* and the events it applied */
    uint64_t builds;      /* times everything was (re)built */
    uint64_t reports;     /* reports answered from kept replays */
    uint64_t events;      /* events they applied, in all */
} asof_info_t;
void asof_info (const asof_t *self, asof_info_t *info);

#endif
