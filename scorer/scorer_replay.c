/*  scorer_replay: rebuild aggregates from the event log.

    The log holds every stored event in arrival order. Replaying it on the
    event clock into an empty store, keeping only events that occurred up
    to a moment and then advancing the clock to that moment, gives the
    state the counters had at that moment in event time: deadlines before
    it have passed, later events have not happened. */
#include "scorer_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Events per write transaction while replaying: large enough that commits
   cost little, small enough that a transaction's dirty pages stay small. */
#define REPLAY_BATCH 10000

int
scorer_replay (store_txn_t *from, store_t *to, int64_t until, char *err)
{
    size_t count = 0;
    scorer_unit_t *units = scorer_units_list (from, &count);
    store_txn_t *txn = store_begin (to, true);
    if (!txn) {
        free (units);
        snprintf (err, 256, "replay: cannot write the scratch store");
        return -1;
    }
    int rc = STORE_OK;
    for (size_t i = 0; i < count && rc == STORE_OK; i++) {
        proto_unit_t unit;
        memset (&unit, 0, sizeof (unit));
        snprintf (unit.unit_id, sizeof (unit.unit_id), "%s", units[i].unit_id);
        snprintf (unit.name, sizeof (unit.name), "%s", units[i].name);
        snprintf (unit.group, sizeof (unit.group), "%s", units[i].group);
        size_t added;
        rc = scorer_units_import (txn, &unit, 1, &added);
    }
    free (units);
    /* The warning share is part of the data: a replay warns as the store
       it replays did. */
    uint64_t permille;
    if (rc == STORE_OK &&
        store_meta_get (from, "warn_permille", &permille) == STORE_OK)
        rc = store_meta_put (txn, "warn_permille", permille);
    store_cursor_t *cursor = store_cursor_new (from, STORE_LOG, NULL, 0);
    if (!cursor)
        rc = STORE_ERROR;
    size_t in_txn = 0;
    const void *key, *value;
    size_t key_size, size;
    while (rc == STORE_OK && store_cursor_next (cursor, &key, &key_size, &value,
                                                &size) == STORE_OK) {
        proto_event_t event;
        char reason[PROTO_ERROR_MAX + 1];
        if (proto_event_decode (value, size, &event, reason) != 0)
            continue; /* cannot happen for what scorer_apply logged */
        if (event.occurred_at > until)
            continue;
        int store_rc = STORE_OK;
        if (scorer_apply (txn, &event, SCORER_CLOCK_EVENT, NULL, reason,
                          &store_rc) == SCORER_FAILED)
            rc = store_rc;
        if (rc == STORE_OK && ++in_txn == REPLAY_BATCH) {
            rc = store_commit (&txn);
            in_txn = 0;
            txn = rc == STORE_OK ? store_begin (to, true) : NULL;
            if (!txn && rc == STORE_OK)
                rc = STORE_ERROR;
        }
    }
    store_cursor_destroy (&cursor);
    if (rc == STORE_OK)
        rc = scorer_advance_clock (txn, until, NULL);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    if (rc != STORE_OK) {
        snprintf (err, 256, "replay: %s", store_strerror (rc));
        return -1;
    }
    return 0;
}
