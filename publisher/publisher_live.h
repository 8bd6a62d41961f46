/*  publisher_live: score rows kept up to date commit by commit, for the
    publisher.

    After each commit the scorer says which (period, unit) pairs it
    touched ("T" frames: "period\x1funit"). A live object keeps, per
    ruleset and period, every unit's inputs and last scored output; a
    pass re-reads only the touched units' counters and manual items,
    scores the period again (the touched units' items, or every unit's
    when a report-wide value a formula reads, such as max_closed, moved;
    ranks always: they can move every row), compares each row's numbers
    with the last ones, and renders JSON only for the rows whose numbers
    changed. A row is reported when its JSON differs from
    the last one reported for that ruleset id, period and unit: once every
    pending row is flushed, exactly the rows and bytes that rescoring
    everything and comparing every row's JSON would give
    (report_rows); a row that moved twice before it was flushed is
    reported once, with its latest value (every row is a state
    assignment, docs/live.md).

    The cache follows the store and the rulesets by itself: each pass
    checks the units registry (units imported, renamed or moved to
    another group while running) and reads a period again in full when it
    changed; rulesets are matched by pointer, so a reloaded set (a new
    rules_catalog_current) is read again in full, while what was last
    reported stays keyed by ruleset id and only real changes go out. A
    replaced set must stay valid while the object lives (the catalog
    keeps them): its pending rows are reported before the new set's.

    Thread rules: a live object belongs to one thread (the publisher). */
#ifndef PUBLISHER_LIVE_H_INCLUDED
#define PUBLISHER_LIVE_H_INCLUDED

#include "report.h"

typedef struct _publisher_live_t publisher_live_t;

/* Called for each row whose JSON changed: the ruleset id, the unit id
   and the row (docs/live.md), all borrowed for the call. */
typedef void (publisher_live_fn) (void *arg, const char *ruleset,
                                  const char *unit_id, const char *json);

/* Returns a new, empty live object, or NULL when out of memory. */
publisher_live_t *publisher_live_new (void);
/* NULL-safe, idempotent; nulls the caller's pointer. */
void publisher_live_destroy (publisher_live_t **self_p);

/* Records one touched pair, as the scorer sends it ("period\x1funit").
   Malformed text is ignored. */
void publisher_live_touch (publisher_live_t *self, const char *period_unit);
/* Marks every unit of a period touched (at start-up, to prime). */
void publisher_live_touch_all (publisher_live_t *self, proto_period_t period);
/* True when something was touched since the last pass. */
bool publisher_live_pending (publisher_live_t *self);

/* Rescores, inside the read transaction, each touched period for every
   ruleset of `sets` of that period's kind. The rows of the touched units
   are reported now: fn is called for each whose JSON differs from the
   last one reported for it. The other rows whose numbers moved (a new
   max_closed, shifted ranks: often every row) are left pending for
   publisher_live_flush, so a busy publisher takes the next commit before
   them and a row that moves again is rendered once. fn NULL (priming)
   records every row at once and reports nothing. Clears the touched
   marks. Returns 0, or -1 when a ruleset or the store failed (logged;
   the other rulesets are done). */
int publisher_live_pass (publisher_live_t *self, store_txn_t *txn,
                         const rules_set_t *sets, publisher_live_fn *fn,
                         void *arg);

/* Reports up to `max` pending rows (SIZE_MAX: all) as the pass does.
   Needs no transaction: pending rows are rendered from memory, as they
   were scored. Returns the rows still pending. */
size_t publisher_live_flush (publisher_live_t *self, size_t max,
                             publisher_live_fn *fn, void *arg);
/* Rows pending. */
size_t publisher_live_backlog (publisher_live_t *self);

#endif
