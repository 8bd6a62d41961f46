/*  bench_baseline: the figures hotline's durable ingest is measured
    against.

    raw ZeroMQ  the transport ceiling: hotline's frames over hotline's
                socket types (a DEALER client, a ROUTER server) to a
                receiver thread that decodes each batch and acknowledges
                every event as stored, storing nothing.
    SQLite      what a team would otherwise build: hotlined's store work
                (de-duplication, ticket record, event log, counters,
                deadline index, alerts), every read and write of it, done
                with SQLite in WAL mode, synchronous=FULL, one transaction
                per batch. The operations are those the real state machine
                makes, recorded through the store's tap (store.h) on a
                scratch LMDB store; bench_baseline.c says how.
    and below it, from the same recorded batches in the same run, the
    floors a faster hotlined would meet: LMDB alone doing those very
    reads and writes with the same fsync'd commits, the writes alone,
    and the state machine applying the batches to LMDB in-process.

    Errors: functions return 0 or -1; on -1 the reason has been written to
    stderr. Nothing here prints otherwise.

    Thread rules: each call is self-contained (its own sockets, its own
    database connection) and may run in any thread; the raw receiver is a
    thread of its own. Calls on the same database
    directory must not overlap. */
#ifndef BENCH_BASELINE_H_INCLUDED
#define BENCH_BASELINE_H_INCLUDED

#include "bench_tape.h"
#include "proto.h"

#include <czmq.h>

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t events;   /* events processed */
    double seconds;    /* wall time timed (SQLite: its transactions) */
    double per_second; /* events / seconds */
    uint64_t reads;    /* SQLite: store reads replayed (SELECTs) */
    uint64_t puts;     /* SQLite: store writes replayed (upserts) */
    uint64_t deletes;  /* SQLite: store deletes replayed (DELETEs) */
    uint64_t commits;  /* SQLite: timed transactions */
} bench_rate_t;

/* (a) Raw ZeroMQ. Starts a receiver thread that binds a ROUTER at
   `endpoint` (e.g. "ipc:///tmp/x/raw"; an ipc directory must exist),
   decodes every message with proto_batch_decode and answers with a
   BatchAck encoded by proto_batch_ack_encode, every event "stored",
   echoing the routing envelope as hotline's ingest does; nothing is
   stored. The caller sends it the very frames it sends hotlined, with the
   same sender. Returns the actor (zactor_destroy stops it), or NULL
   (cannot bind, out of memory). */
zactor_t *bench_raw_receiver (const char *endpoint);

/* (b) SQLite, and what LMDB and the state machine alone do with the same
   batches. Opens, creating them if needed, directory `dir` (one level),
   the database `dir`/baseline.sqlite3 (journal_mode=WAL,
   synchronous=FULL) and three LMDB stores, `dir`/lmdb, `dir`/writes and
   `dir`/machine (store_new: fsync'd commits, as hotlined's), registers
   the units named by the events in each (untimed, as the hotline run
   imports units before sending), then applies events[0..count) in
   transactions of `batch` events (0: 500, hotline's sender's batch).
   Each batch goes through state_apply on a scratch LMDB store (untimed;
   removed at the end), and the store operations it made are replayed,
   each timed apart:
     sqlite   into SQLite, BEGIN to COMMIT;
     lmdb     into `dir`/lmdb through the store's own calls, one write
              transaction committed: LMDB alone doing the very reads and
              writes (a cursor's steps as point reads: bench_tape.h);
     writes   the same without the reads, into `dir`/writes: the floor
              under any design that keeps these records in LMDB with
              fsync'd commits of this size;
     machine  and the batch applied again by the state machine itself to
              `dir`/machine, as scorer_actor.c does, committed: hotlined
              without its sockets, threads and decoding.
   Duplicates (an event_id already stored) count as processed, as hotline
   acknowledges them; events the state machine refuses are kept as dead
   letters, as hotline does. Each time is the sum of its transactions.
   Fails when a replayed operation fails or when, at the end, SQLite or
   any of the stores does not hold exactly what the scratch store holds.
   Returns 0 with *out filled (the counts of operations in out->sqlite),
   or -1. */
typedef struct {
    bench_rate_t sqlite;      /* (b) SQLite */
    bench_rate_t lmdb;        /* the same operations in LMDB alone */
    bench_rate_t writes;      /* ... its writes only, without the reads */
    bench_rate_t machine;     /* the state machine on LMDB, in-process */
    bench_tape_tally_t tally; /* the operations of the timed batches */
} bench_store_rates_t;
int bench_store_ingest (const char *dir, const proto_event_t *events,
                        size_t count, size_t batch, bench_store_rates_t *out);

#endif
