/*  fixture: the state machine driven in-process on a fresh store.

    fx_setup makes a temporary LMDB directory holding four units (three
    towns U01, U02, U04 and one department U03); fx_teardown removes it.
    Events are built by hand with local Asia/Shanghai times
    ("2025-07-01 09:00") and applied one per transaction on the event
    clock; counters are read back from the keys the state machine
    writes. Used by test_state and test_report (TestSuite (..., .init =
    fx_setup, .fini = fx_teardown)). */
#ifndef FIXTURE_H_INCLUDED
#define FIXTURE_H_INCLUDED

#include "state.h"

extern store_t *fx_store; /* the store of the running test */

void fx_setup (void);
void fx_teardown (void);
/* Imports the four units into a store. */
void fx_import_units (store_t *store);

/* "2025-07-01 09:00" or "2025-07-01 09:00:01", Asia/Shanghai, in ms. */
int64_t fx_ms (const char *local);
/* An event with a fresh event_id ("e1", "e2"...). */
proto_event_t fx_event (proto_type_t type, const char *ticket, const char *unit,
                        const char *at);
/* A receipt on the hotline channel, category property. */
proto_event_t fx_received (const char *ticket, const char *unit,
                           const char *dispatched, const char *at,
                           const char *due);
proto_event_t fx_with_due (proto_type_t type, const char *ticket,
                           const char *unit, const char *at, const char *due);
proto_event_t fx_revisited (const char *ticket, const char *unit,
                            const char *at, proto_satisfaction_t satisfaction,
                            proto_resolved_t resolved, bool rework);
proto_event_t fx_adjusted (const char *unit, const char *period,
                           const char *item, double value, const char *at);

/* Applies one event in its own transaction (event clock) and commits;
   returns the outcome and the reason. */
state_outcome_t fx_try (const proto_event_t *ev, state_effects_t *effects,
                        char *reason);
/* Applies an event that must be stored (with effects collected). */
void fx_apply (proto_event_t ev);
void fx_apply_fx (proto_event_t ev, state_effects_t *effects);
/* A ticket dispatched and signed at `at`, due at `due`; closing; a tick. */
void fx_open (const char *ticket, const char *unit, const char *at,
              const char *due);
void fx_close (const char *ticket, const char *unit, const char *at);
void fx_tick (const char *at);

/* Every counter (derived ones filled) of a unit, period and slice. */
void fx_counters (const char *period, const char *unit, const char *prefix,
                  const char *slice, double *out);
/* One counter of a unit in a period, all tickets; of a slice. */
int fx_c (const char *period, const char *unit, int counter);
int fx_cs (const char *period, const char *unit, const char *prefix,
           const char *slice, int counter);
/* Everything in the store, serialised (caller frees), to show that
   nothing changed. */
char *fx_snapshot (size_t *size);
/* Applies an event that must be rejected with a reason containing
   `expected`, and checks that the store is byte for byte unchanged. */
void fx_expect_rejected (proto_event_t ev, const char *expected);

/* The next number of a seeded pseudo-random sequence (splitmix64). */
uint64_t fx_next (uint64_t *state);
/* A random event of any kind (ticks, appeals and adjustments too) for
   one of 40 tickets ("T0".."T39") and the four units, around `now` (ms):
   up to six hours ahead; with `late`, one in eight up to ten days back
   (stored late). owner[k] is the unit ticket k was received by ("": none
   yet), which later events of it mostly keep; the caller updates it. */
proto_event_t fx_random_event (uint64_t *seed, int64_t now, char (*owner)[8],
                               bool late);

#endif
