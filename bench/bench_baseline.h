/*  bench_baseline: the two figures hotline's durable ingest is measured
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

    Errors: functions return 0 or -1; on -1 the reason has been written to
    stderr. Nothing here prints otherwise.

    Thread rules: each call is self-contained (its own sockets, its own
    database connection) and may run in any thread; the raw receiver is a
    thread of its own. Calls on the same database
    directory must not overlap. */
#ifndef BENCH_BASELINE_H_INCLUDED
#define BENCH_BASELINE_H_INCLUDED

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

/* (b) SQLite. Opens, creating them if needed, directory `dir` (one level)
   and the database `dir`/baseline.sqlite3 (journal_mode=WAL,
   synchronous=FULL), registers the units named by the events (untimed,
   as the hotline run imports units before sending), then applies
   events[0..count) in transactions of `batch` events (0: 500, hotline's
   sender's batch): each batch goes through state_apply on a scratch LMDB
   store (untimed; removed at the end), and the store operations it made
   are replayed into SQLite, BEGIN to COMMIT, timed. Duplicates (an
   event_id already stored) count as processed, as hotline acknowledges
   them; events the state machine refuses are kept as dead letters, as
   hotline does. The time is the sum of the SQLite transactions. Fails
   when a replayed statement fails or when, at the end, the database
   does not hold exactly what the scratch store holds. Returns 0 with
   *out filled, or -1. */
int bench_sqlite_ingest (const char *dir, const proto_event_t *events,
                         size_t count, size_t batch, bench_rate_t *out);

#endif
