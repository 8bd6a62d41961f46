/*  bench_baseline: the two figures hotline's durable ingest is measured
    against.

    raw ZeroMQ  the transport ceiling: hotline's frames over hotline's
                socket types (a DEALER client, a ROUTER server) to a
                receiver thread that decodes each batch and acknowledges
                every event as stored, storing nothing.
    SQLite      what a team would otherwise build: the scorer's per-event
                store work (de-duplication, ticket record, event log,
                counters, deadline index) done with SQLite in WAL mode,
                synchronous=FULL, one transaction per batch. What exactly
                is mirrored is written at the top of bench_baseline.c.

    Errors: functions return 0 or -1; on -1 the reason has been written to
    stderr. Nothing here prints otherwise.

    Thread rules: each call is self-contained (its own sockets, its own
    database connection) and may run in any thread; bench_zmq_raw starts
    and joins a receiver thread of its own. Calls on the same database
    directory must not overlap. */
#ifndef BENCH_BASELINE_H_INCLUDED
#define BENCH_BASELINE_H_INCLUDED

#include "bench_gen.h"
#include "proto.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t events;   /* events processed */
    double seconds;    /* wall time, first send/begin to last ack/commit */
    double per_second; /* events / seconds */
} bench_rate_t;

/* (a) Raw ZeroMQ. A receiver thread binds a ROUTER at `endpoint` (e.g.
   "ipc:///tmp/x/raw.ipc"; an ipc directory must exist), decodes every
   message with proto_batch_decode and answers with a BatchAck encoded by
   proto_batch_ack_encode, every event "stored"; nothing is stored. A
   DEALER client sends payloads[0..batches) (batches encoded with
   proto_batch_encode, sizes[i] bytes, counts[i] events each; borrowed),
   keeping at most `window` in flight (0: 8, hotline's sender's default),
   and checks that each acknowledgement answers counts[i] events.

   Before the clock starts, one empty batch makes a round trip, so the
   connection is up and the receiver ready: the timing runs from the
   first send of payloads[0] to the last acknowledgement. An answer that
   takes more than 30 s ends the run. Returns 0 with *out filled, or -1
   (cannot bind, a refused or mismatched acknowledgement, a timeout, out
   of memory). */
int bench_zmq_raw (const char *endpoint, uint8_t *const *payloads,
                   const size_t *sizes, const size_t *counts, size_t batches,
                   size_t window, bench_rate_t *out);

/* (b) SQLite. Opens, creating them if needed, directory `dir` (one level)
   and the database `dir`/baseline.sqlite3 (journal_mode=WAL,
   synchronous=FULL), registers the units named by the events (untimed,
   as the hotline run imports units before sending), then applies
   events[0..count) in transactions of `batch` events (0: 500, hotline's
   sender's batch), BEGIN to COMMIT each. Duplicates (an event_id already
   stored) are skipped and count as processed, as hotline acknowledges
   them; events the ticket's state refuses are kept as dead letters, as
   hotline does. The timing runs from the first BEGIN to the last COMMIT.
   Returns 0 with *out filled, or -1. */
int bench_sqlite_ingest (const char *dir, const proto_event_t *events,
                         size_t count, size_t batch, bench_rate_t *out);

/* Pre-fills the database of `dir` (as bench_sqlite_ingest opens it) with
   every event of `gen` (borrowed; read to its end), registering units at
   first sight, in transactions of 100,000 events with synchronous=OFF
   (not timed: the fill is set-up, not measurement), then checkpoints and
   truncates the WAL so a timed run starts from a settled file. Writes
   the number of events read into *events (when not NULL). Returns 0 or
   -1. */
int bench_sqlite_fill (const char *dir, bench_gen_t *gen, uint64_t *events);

#endif
