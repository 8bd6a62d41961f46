/*  scorer: the single-writer actor.

    The one thread that writes the store. Ingest hands it batches of
    validated events; it applies each batch with the state machine
    (state.h) in ONE write transaction, commits (LMDB syncs: durable),
    and only then answers, so ingest never acknowledges an event that is
    not on disk. A store failure aborts the whole transaction: no event
    of the batch is stored and all are answered as not stored, to be
    retried by the sender. With the wall clock, a timer advances the
    clock every tick_ms so deadlines pass while no events arrive.

    Room: before each transaction it lets the store grow the map when
    less than a quarter is free (store_make_room, up to the ceiling set
    with store_set_map_max), and a batch that fails because the map is
    full is applied again once the map grew. Dead letters may take a
    sixteenth of the map's ceiling at most, and dead_letters of them.

    Sockets: it binds a PAIR at `endpoint` for ingest, which sends
      "BATCH" + pointer (scorer_batch_t *): apply, commit, fill outcomes,
               answer "DONE" (the caller keeps ownership of the batch);
    ends on "$TERM" from its pipe; and notifies the publisher on an
    inproc PUSH socket after each commit, never waiting for it (what the
    publisher has not taken is merged into the next notification):
      "T", "period\x1funit"   per touched (period, unit)
      "A", unit, json         per alert, in order

    Runs as a czmq actor (zactor_new (scorer_actor, &args)).
*/
#ifndef SCORER_H_INCLUDED
#define SCORER_H_INCLUDED

#include "proto.h"
#include "state.h"
#include "stats.h"
#include "store.h"

#include <czmq.h>

typedef struct {
    store_t *store;       /* shared store (borrowed) */
    const char *endpoint; /* inproc PAIR to bind for batches */
    state_clock_t clock;  /* wall or event */
    const char *notify;   /* inproc endpoint of the publisher's PULL */
    int tick_ms;          /* wall clock: deadline scan interval */
    stats_t *stats;       /* shared counters (borrowed), or NULL */
    bool failed;          /* out: set when the actor could not start */
    size_t dead_letters;  /* dead letters kept at most (0: 10,000) */
    int slow_group_ms;    /* a group slower to store is logged (0: never) */
} scorer_args_t;

/* A batch handed from ingest to the scorer. */
typedef struct {
    size_t count;                               /* events */
    const proto_event_t *events;                /* validated events */
    const char (*invalid)[PROTO_ERROR_MAX + 1]; /* per event: "" or why */
    state_outcome_t *outcomes;                  /* filled by the scorer */
    char (*reasons)[PROTO_ERROR_MAX + 1];       /* filled for rejections */
    bool committed;                             /* false: nothing was stored */
    char error[PROTO_ERROR_MAX + 1];            /* why not committed */
} scorer_batch_t;

void scorer_actor (zsock_t *pipe, void *args);

#endif
