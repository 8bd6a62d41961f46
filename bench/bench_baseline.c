/*  bench_baseline: the raw ZeroMQ ceiling and the SQLite alternative.

    Raw ZeroMQ. The sockets of hotline's ingest path with the store taken
    out: a ROUTER thread that, like ingest_actor, takes the last frame as
    the payload and the rest as the envelope, decodes it with
    proto_batch_decode (which also validates every event) and answers with
    a BatchAck encoded by proto_batch_ack_encode. The caller's sender (the
    one it uses for hotlined, bench_ingest_send.c) sends it the same frames.
    Encoding the batches is left out (they are encoded beforehand), so is
    the scorer thread hop (ingest hands batches to the scorer over an
    inproc PAIR).

    SQLite does hotlined's store operations, not a copy of its logic.
    Each batch is first applied, untimed, by the real state machine
    (state_apply, as scorer_actor.c's batch does: the working time loaded
    once and checked per batch with one meta read, a refused event kept
    as a dead letter, duplicates totalled in meta, the drill-down's
    pending changes settled before the commit) to a scratch LMDB store
    whose tap (store.h) records every operation the transaction makes:
    each point read and cursor step, each put (the summed counter records
    written at commit included), each delete. The timed part replays
    that tape into SQLite, one statement per operation, between BEGIN
    IMMEDIATE and COMMIT: a SELECT for a read, an upsert for a put, a
    DELETE for a delete. Every store table is a SQLite table (key BLOB
    PRIMARY KEY, value BLOB) WITHOUT ROWID, ordered as LMDB orders keys;
    statements are prepared once, reset and rebound per use.

    So SQLite does exactly the reads and writes hotlined's store does for
    the same events on the event clock, the clock hotline replays a
    stream with, and the state machine can change without this file
    drifting from it. Two checks hold the replay to that: per batch,
    every operation ran one statement and every put changed one row; at
    the end, untimed, every SQLite table holds exactly the entries of the
    scratch store's table, or the run fails.

    Not replayed: the check against this machine's clock ("future", no
    store work); the alert JSON handed to the publisher and the touched
    (period, unit) set (memory); scoring and publishing after the commit.
    SQLite gets a 64 MiB page cache (cache_size); LMDB's reads come from
    the OS page cache through its map.

    The floors. The same tape is also played, timed apart, into a store
    of its own (bench_tape.c: each operation through the store's calls,
    one fsync'd commit per batch): LMDB alone doing those reads and
    writes; and its writes alone into another, which no design keeping
    these records in LMDB with commits of this size can beat. And each
    batch is applied again, timed, by the
    state machine to a third store, as the scorer does: hotlined without
    its sockets, threads and decoding. Every store must end equal to the
    scratch store, table by table. */
#include "bench_baseline.h"
#include "bench_tape.h"

#include "state.h"

#include <czmq.h>
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- raw ZeroMQ --------------------------------------------------------- */

#define RAW_MAX_MSG_SIZE (64 * 1024 * 1024)

typedef struct {
    const char *endpoint; /* where the ROUTER binds (borrowed) */
    bool failed;          /* the ROUTER could not be bound */
    char error[256];      /* why, when failed */
} s_raw_args_t;

/* Answers one message: its envelope, then an encoded BatchAck. */
static void
s_raw_answer (zsock_t *router, zmsg_t *msg)
{
    if (zmsg_size (msg) < 2) {
        zmsg_destroy (&msg);
        return;
    }
    zframe_t *payload = zmsg_last (msg);
    zmsg_remove (msg, payload);
    proto_batch_t batch;
    proto_batch_ack_t ack = {0};
    char reason[PROTO_ERROR_MAX + 1];
    if (proto_batch_decode (zframe_data (payload), zframe_size (payload),
                            &batch, reason) == 0) {
        ack.batch_id = batch.batch_id;
        ack.ok = true;
        ack.count = batch.count;
        ack.acks = calloc (batch.count ? batch.count : 1, sizeof (*ack.acks));
        if (!ack.acks) {
            ack.ok = false;
            ack.count = 0;
            snprintf (ack.error, sizeof (ack.error), "out of memory");
        }
        for (size_t i = 0; i < ack.count; i++)
            ack.acks[i].status = PROTO_ACK_STORED;
        proto_batch_free (&batch);
    } else
        snprintf (ack.error, sizeof (ack.error), "%s", reason);
    zframe_destroy (&payload);
    size_t size;
    uint8_t *bytes = proto_batch_ack_encode (&ack, &size);
    free (ack.acks);
    if (!bytes) {
        zmsg_destroy (&msg);
        return;
    }
    zmsg_addmem (msg, bytes, size);
    free (bytes);
    zmsg_send (&msg, router);
}

static void
s_raw_receiver (zsock_t *pipe, void *arg)
{
    s_raw_args_t *args = arg;
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    if (router) {
        zsock_set_maxmsgsize (router, RAW_MAX_MSG_SIZE);
        zsock_set_router_mandatory (router, 0);
    }
    if (!router || zsock_bind (router, "%s", args->endpoint) < 0) {
        snprintf (args->error, sizeof (args->error), "cannot bind %s: %s",
                  args->endpoint, zmq_strerror (zmq_errno ()));
        args->failed = true;
        zsock_destroy (&router);
        zsock_signal (pipe, 1);
        return;
    }
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    while (poller) {
        void *which = zpoller_wait (poller, -1);
        if (which != router)
            break; /* $TERM on the pipe, or interrupted */
        zmsg_t *msg = zmsg_recv (router);
        if (!msg)
            break;
        s_raw_answer (router, msg);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

static void
s_rate (bench_rate_t *out, uint64_t events, int64_t usecs)
{
    out->events = events;
    out->seconds = (double)usecs / 1e6;
    out->per_second = usecs > 0 ? (double)events / out->seconds : 0;
}

zactor_t *
bench_raw_receiver (const char *endpoint)
{
    if (!endpoint) {
        fprintf (stderr, "bench_raw_receiver: no endpoint\n");
        return NULL;
    }
    s_raw_args_t *args = calloc (1, sizeof (*args));
    if (!args)
        return NULL;
    args->endpoint = endpoint;
    /* zactor_new returns once the receiver has signalled: bound or not. */
    zactor_t *receiver = zactor_new (s_raw_receiver, args);
    if (receiver && args->failed) {
        fprintf (stderr, "bench_raw_receiver: %s\n", args->error);
        zactor_destroy (&receiver);
    }
    free (args);
    return receiver;
}

/* ---- SQLite: the database ---------------------------------------------- */

#define DB_FILE      "baseline.sqlite3"
#define INGEST_BATCH 500

/* The statement of each tapped operation, in store_tap_op_t order: the
   text before the table's name and the text after it. */
static const char *s_sql[STORE_TAP_OPS][2] = {
    {"SELECT value FROM ", " WHERE key = ?1"},
    {"INSERT INTO ", " (key, value) VALUES (?1, ?2)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value"},
    {"DELETE FROM ", " WHERE key = ?1"},
    {"DELETE FROM ", ""}};

typedef struct {
    sqlite3 *db;                                          /* the connection */
    sqlite3_stmt *stmt[STORE_TABLE_COUNT][STORE_TAP_OPS]; /* prepared */
    char path[4096];                                      /* for messages */
    char error[512]; /* the first failure's reason */
} s_db_t;

/* Records why the last SQLite call failed; returns -1. */
static int
s_fail (s_db_t *self, const char *what)
{
    if (!self->error[0])
        snprintf (self->error, sizeof (self->error), "%s: %s", what,
                  sqlite3_errmsg (self->db));
    return -1;
}

static int
s_exec (s_db_t *self, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec (self->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf (self->error, sizeof (self->error), "%s: %s", sql,
              msg ? msg : sqlite3_errmsg (self->db));
    sqlite3_free (msg);
    return -1;
}

static void
s_db_close (s_db_t **self_p)
{
    if (!*self_p)
        return;
    s_db_t *self = *self_p;
    for (int t = 0; t < STORE_TABLE_COUNT; t++)
        for (int op = 0; op < STORE_TAP_OPS; op++)
            sqlite3_finalize (self->stmt[t][op]);
    sqlite3_close (self->db);
    free (self);
    *self_p = NULL;
}

/* WAL must really be on: SQLite answers the mode it kept, and keeps the
   old one where WAL is impossible. */
static int
s_wal (s_db_t *self)
{
    sqlite3_stmt *mode = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode=WAL", -1, &mode,
                            NULL) != SQLITE_OK ||
        sqlite3_step (mode) != SQLITE_ROW)
        s_fail (self, "PRAGMA journal_mode=WAL");
    else {
        const char *got = (const char *)sqlite3_column_text (mode, 0);
        if (got && strcmp (got, "wal") == 0)
            rc = 0;
        else
            snprintf (self->error, sizeof (self->error),
                      "PRAGMA journal_mode=WAL: journal mode is still %s",
                      got ? got : "unknown");
    }
    sqlite3_finalize (mode);
    return rc;
}

/* Creates the tables and prepares their statements. */
static int
s_schema (s_db_t *self)
{
    char sql[256];
    for (int t = 0; t < STORE_TABLE_COUNT; t++) {
        snprintf (sql, sizeof (sql),
                  "CREATE TABLE IF NOT EXISTS %s (key BLOB PRIMARY KEY,"
                  " value BLOB NOT NULL) WITHOUT ROWID",
                  store_table_name ((store_table_t)t));
        if (s_exec (self, sql) != 0)
            return -1;
        for (int op = 0; op < STORE_TAP_OPS; op++) {
            snprintf (sql, sizeof (sql), "%s%s%s", s_sql[op][0],
                      store_table_name ((store_table_t)t), s_sql[op][1]);
            if (sqlite3_prepare_v2 (self->db, sql, -1, &self->stmt[t][op],
                                    NULL) != SQLITE_OK)
                return s_fail (self, sql);
        }
    }
    return 0;
}

/* Opens (creating) dir and its database. Returns NULL with the reason
   written to stderr. */
static s_db_t *
s_db_open (const char *dir)
{
    s_db_t *self = calloc (1, sizeof (*self));
    if (!self) {
        fprintf (stderr, "bench_sqlite: out of memory\n");
        return NULL;
    }
    if (!dir || !*dir)
        snprintf (self->error, sizeof (self->error), "no directory given");
    else if (mkdir (dir, 0750) != 0 && errno != EEXIST)
        snprintf (self->error, sizeof (self->error), "cannot create %s: %s",
                  dir, strerror (errno));
    else if (snprintf (self->path, sizeof (self->path), "%s/%s", dir,
                       DB_FILE) >= (int)sizeof (self->path))
        snprintf (self->error, sizeof (self->error), "directory name too long");
    else if (sqlite3_open_v2 (self->path, &self->db,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                              NULL) != SQLITE_OK)
        snprintf (self->error, sizeof (self->error), "cannot open: %s",
                  self->db ? sqlite3_errmsg (self->db) : "out of memory");
    if (self->error[0] || s_wal (self) != 0 ||
        s_exec (self, "PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;") !=
            0 ||
        s_schema (self) != 0) {
        fprintf (stderr, "bench_sqlite: %s%s%s\n", self->path,
                 self->path[0] ? ": " : "", self->error);
        s_db_close (&self);
    }
    return self;
}

/* Binds bytes; a zero-length value is an empty blob, not NULL. */
static void
s_bind (sqlite3_stmt *stmt, int index, const void *bytes, size_t size)
{
    if (size)
        sqlite3_bind_blob (stmt, index, bytes, (int)size, SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob (stmt, index, 0);
}

/* Runs every taped operation as its one statement, counting them by kind
   in ran[]; a put must change exactly one row. */
static int
s_replay (s_db_t *self, const bench_tape_t *tape, uint64_t *ran)
{
    size_t at = 0;
    bench_tape_op_t op;
    while (bench_tape_next (tape, &at, &op)) {
        sqlite3_stmt *stmt = self->stmt[op.table][op.op];
        if (op.op != STORE_TAP_CLEAR)
            s_bind (stmt, 1, op.key, op.key_size);
        if (op.op == STORE_TAP_PUT)
            s_bind (stmt, 2, op.value, op.size);
        int rc = sqlite3_step (stmt);
        if (rc == SQLITE_ROW) /* a read: take the value, as store_get */
            sqlite3_column_blob (stmt, 0);
        sqlite3_reset (stmt);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return s_fail (self, s_sql[op.op][0]);
        if (op.op == STORE_TAP_PUT && sqlite3_changes (self->db) != 1) {
            snprintf (self->error, sizeof (self->error),
                      "a put into %s changed %d rows",
                      store_table_name (op.table), sqlite3_changes (self->db));
            return -1;
        }
        ran[op.op]++;
    }
    return 0;
}

/* Replays the tape in one transaction and checks that every operation
   ran; returns 0 or -1 with self->error set. */
static int
s_commit_tape (s_db_t *self, const bench_tape_t *tape)
{
    uint64_t ran[STORE_TAP_OPS] = {0};
    if (tape->out_of_memory) {
        snprintf (self->error, sizeof (self->error), "out of memory");
        return -1;
    }
    if (s_exec (self, "BEGIN IMMEDIATE") != 0)
        return -1;
    if (s_replay (self, tape, ran) != 0 || s_exec (self, "COMMIT") != 0) {
        if (!sqlite3_get_autocommit (self->db))
            sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (memcmp (ran, tape->ops, sizeof (ran)) != 0) {
        snprintf (self->error, sizeof (self->error),
                  "replayed %" PRIu64 " reads, %" PRIu64 " puts, %" PRIu64
                  " deletes of %" PRIu64 ", %" PRIu64 ", %" PRIu64,
                  ran[STORE_TAP_READ], ran[STORE_TAP_PUT], ran[STORE_TAP_DEL],
                  tape->ops[STORE_TAP_READ], tape->ops[STORE_TAP_PUT],
                  tape->ops[STORE_TAP_DEL]);
        return -1;
    }
    return 0;
}

/* ---- the scratch store: the real state machine -----------------------------
 */

/* Registers the units the events name, in order of first appearance,
   as the hotline run imports its units before sending. */
static int
s_units_import (store_txn_t *txn, const proto_event_t *events, size_t count)
{
    zhashx_t *seen = zhashx_new ();
    proto_unit_t *units = calloc (count ? count : 1, sizeof (*units));
    size_t n = 0, added;
    int rc = -1;
    if (seen && units) {
        for (size_t i = 0; i < count; i++)
            if (events[i].unit_id[0] &&
                zhashx_insert (seen, events[i].unit_id, (void *)1) == 0) {
                snprintf (units[n].unit_id, sizeof (units[n].unit_id), "%s",
                          events[i].unit_id);
                snprintf (units[n].name, sizeof (units[n].name), "%s",
                          events[i].unit_id);
                snprintf (units[n].group, sizeof (units[n].group), "town");
                n++;
            }
        rc = state_units_import (txn, units, n, &added);
    }
    zhashx_destroy (&seen);
    free (units);
    return rc;
}

/* Applies events[first..end) in one write transaction of the scratch
   store, as scorer_actor.c's batch does on the event clock: the working
   time in force (*calendar, loaded once) checked against the store's
   with one meta read and handed to the state machine, an invalid or
   refused event kept as a dead letter, duplicates totalled in meta, the
   drill-down's pending changes settled. Returns 0, or -1 with the
   reason in err (256 bytes). */
static int
s_scratch_batch (store_t *scratch, state_calendar_t **calendar,
                 const proto_event_t *events, size_t first, size_t end,
                 int64_t wall_now, char *err)
{
    store_txn_t *txn = store_begin (scratch, true);
    if (!txn) {
        snprintf (err, 256, "cannot begin a scratch transaction");
        return -1;
    }
    if (state_calendar_sync (txn, calendar, err) != 0) {
        store_abort (&txn);
        return -1;
    }
    state_ctx_t ctx = {.clock = STATE_CLOCK_EVENT,
                       .wall_now = wall_now,
                       .calendar = *calendar};
    int rc = STORE_OK;
    uint64_t duplicates = 0;
    for (size_t i = first; i < end && rc == STORE_OK; i++) {
        char reason[PROTO_ERROR_MAX + 1];
        state_reject_t kind = STATE_REJECT_INVALID;
        /* hotlined validates each event as it decodes the batch. */
        state_outcome_t outcome =
            proto_event_validate (&events[i], reason) != 0
                ? STATE_REJECTED
                : state_apply (txn, &events[i], &ctx, reason, &rc, &kind);
        if (outcome == STATE_REJECTED)
            rc = state_dead_letter (txn, &events[i], kind, reason, wall_now,
                                    &(state_dead_limits_t){0});
        else if (outcome == STATE_DUPLICATE)
            duplicates++;
    }
    if (rc == STORE_OK && duplicates) {
        uint64_t total = 0;
        store_meta_get (txn, "duplicates_total", &total);
        rc = store_meta_put (txn, "duplicates_total", total + duplicates);
    }
    /* And the drill-down index's changes, settled as the scorer settles
       them before each commit. */
    if (rc == STORE_OK)
        rc = state_counted_settle (txn, STATE_COUNTED_PENDING_MAX);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    store_abort (&txn);
    if (rc != STORE_OK)
        snprintf (err, 256, "batch at event %zu: %s", first,
                  store_strerror (rc));
    return rc == STORE_OK ? 0 : -1;
}

/* True when SQLite's `table` holds exactly the scratch store's entries,
   both walked in key order (SQLite orders blobs as LMDB orders keys). */
static bool
s_table_same (s_db_t *self, store_txn_t *txn, store_table_t table)
{
    char sql[96];
    snprintf (sql, sizeof (sql), "SELECT key, value FROM %s ORDER BY key",
              store_table_name (table));
    sqlite3_stmt *stmt = NULL;
    store_cursor_t *cursor = store_cursor_new (txn, table, NULL, 0);
    bool same = cursor && sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) ==
                              SQLITE_OK;
    const void *key, *value;
    size_t key_size, size;
    while (same) {
        int lmdb = store_cursor_next (cursor, &key, &key_size, &value, &size);
        int row = sqlite3_step (stmt);
        if (lmdb != STORE_OK || row != SQLITE_ROW) {
            same = lmdb == STORE_NOTFOUND && row == SQLITE_DONE;
            break;
        }
        same =
            (size_t)sqlite3_column_bytes (stmt, 0) == key_size &&
            (size_t)sqlite3_column_bytes (stmt, 1) == size &&
            memcmp (sqlite3_column_blob (stmt, 0), key, key_size) == 0 &&
            (!size || memcmp (sqlite3_column_blob (stmt, 1), value, size) == 0);
    }
    sqlite3_finalize (stmt);
    store_cursor_destroy (&cursor);
    return same;
}

/* The end check: SQLite holds what the scratch store holds. */
static int
s_compare (s_db_t *self, store_t *scratch)
{
    store_txn_t *txn = store_begin (scratch, false);
    int rc = txn ? 0 : -1;
    for (int t = 0; t < STORE_TABLE_COUNT && rc == 0; t++)
        if (!s_table_same (self, txn, (store_table_t)t)) {
            snprintf (self->error, sizeof (self->error),
                      "table %s differs from the scratch store's",
                      store_table_name ((store_table_t)t));
            rc = -1;
        }
    store_abort (&txn);
    return rc;
}

/* A durable store (fsync'd commits, as hotlined's) in dir/name. */
static store_t *
s_durable_store (const char *dir, const char *name, char *err)
{
    char path[4096];
    if (snprintf (path, sizeof (path), "%s/%s", dir, name) >=
        (int)sizeof (path)) {
        snprintf (err, 256, "directory name too long");
        return NULL;
    }
    return store_new (path, 0, err);
}

/* Registers the units the events name in `store` and loads the working
   time in force into *calendar, in one committed transaction, as
   hotlined's scorer loads it when it starts (state_apply would load it
   for every event otherwise). Returns 0, or -1 with why in err (256
   bytes). */
static int
s_register_units (store_t *store, const proto_event_t *events, size_t count,
                  state_calendar_t **calendar, char *err)
{
    store_txn_t *txn = store_begin (store, true);
    int rc = txn ? s_units_import (txn, events, count) : STORE_ERROR;
    if (rc == STORE_OK && !(*calendar = state_calendar_load (txn, err))) {
        store_abort (&txn); /* err says why */
        return -1;
    }
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    store_abort (&txn);
    if (rc != STORE_OK)
        snprintf (err, 256, "registering units: %s", store_strerror (rc));
    return rc == STORE_OK ? 0 : -1;
}

/* ---- the floors: the same batches into stores of their own ------------ */

/* The floors' stores, in the order they are timed. */
enum { S_LMDB, S_WRITES, S_MACHINE, S_FLOORS };
static const char *s_floor_dir[S_FLOORS] = {"lmdb", "writes", "machine"};
static const char *s_floor_name[S_FLOORS] = {
    "LMDB alone", "LMDB alone, writes only", "state machine"};

typedef struct {
    store_t *store[S_FLOORS];   /* durable, in dir/... */
    state_calendar_t *calendar; /* the machine store's */
    int64_t usecs[S_FLOORS];    /* their batches' time */
} s_floors_t;

static void
s_floors_close (s_floors_t *f)
{
    state_calendar_destroy (&f->calendar);
    for (int k = 0; k < S_FLOORS; k++)
        store_destroy (&f->store[k]);
}

/* Opens the stores and registers the units in each (untimed): the tape
   of the scratch store's registration played into the two LMDB ones,
   the state machine's own import into the third. */
static int
s_floors_open (s_floors_t *f, const char *dir, const bench_tape_t *units,
               const proto_event_t *events, size_t count, char *err)
{
    for (int k = 0; k < S_FLOORS; k++)
        if (!(f->store[k] = s_durable_store (dir, s_floor_dir[k], err)))
            return -1;
    if (bench_tape_play (units, f->store[S_LMDB], true, err) != 0 ||
        bench_tape_play (units, f->store[S_WRITES], false, err) != 0)
        return -1;
    return s_register_units (f->store[S_MACHINE], events, count, &f->calendar,
                             err);
}

/* The batch events[first..end), whose tape is `tape`, into each floor,
   each timed. */
static int
s_floors_batch (s_floors_t *f, const bench_tape_t *tape,
                const proto_event_t *events, size_t first, size_t end,
                int64_t wall_now, char *err)
{
    for (int k = 0; k < S_FLOORS; k++) {
        int64_t start = zclock_usecs ();
        int rc = k == S_MACHINE
                     ? s_scratch_batch (f->store[k], &f->calendar, events,
                                        first, end, wall_now, err)
                     : bench_tape_play (tape, f->store[k], k == S_LMDB, err);
        if (rc != 0)
            return -1;
        f->usecs[k] += zclock_usecs () - start;
    }
    return 0;
}

/* ---- SQLite ingest ------------------------------------------------------- */

int
bench_store_ingest (const char *dir, const proto_event_t *events, size_t count,
                    size_t batch, bench_store_rates_t *out)
{
    if (!out || (count && !events)) {
        fprintf (stderr, "bench_store_ingest: missing events or out\n");
        return -1;
    }
    if (batch == 0)
        batch = INGEST_BATCH;
    char err[256] = "";
    bench_tape_t tape = {0};
    s_floors_t floors;
    memset (&floors, 0, sizeof (floors));
    s_db_t *self = s_db_open (dir);
    store_t *scratch = self ? store_scratch_new (0, err) : NULL;
    if (!scratch) {
        if (self)
            fprintf (stderr, "bench_store: scratch store: %s\n", err);
        s_db_close (&self);
        return -1;
    }
    store_set_tap (scratch, bench_tape_record, &tape);
    memset (out, 0, sizeof (*out));
    int64_t wall_now = zclock_time ();
    int rc = -1;
    /* Units first, not timed: the hotline run imports them beforehand. */
    state_calendar_t *calendar = NULL;
    if (s_register_units (scratch, events, count, &calendar, err) != 0)
        goto cleanup;
    if (s_commit_tape (self, &tape) != 0) {
        snprintf (err, sizeof (err), "registering units: %s", self->error);
        goto cleanup;
    }
    if (s_floors_open (&floors, dir, &tape, events, count, err) != 0)
        goto cleanup;
    int64_t usecs = 0;
    for (size_t i = 0; i < count; i += batch) {
        size_t end = count - i < batch ? count : i + batch;
        bench_tape_reset (&tape);
        if (s_scratch_batch (scratch, &calendar, events, i, end, wall_now,
                             err) != 0)
            goto cleanup;
        int64_t start = zclock_usecs ();
        if (s_commit_tape (self, &tape) != 0) {
            snprintf (err, sizeof (err), "batch at event %zu: %s", i,
                      self->error);
            goto cleanup;
        }
        usecs += zclock_usecs () - start;
        if (s_floors_batch (&floors, &tape, events, i, end, wall_now, err) != 0)
            goto cleanup;
        bench_tape_tally (&tape, &out->tally);
        out->sqlite.reads += tape.ops[STORE_TAP_READ];
        out->sqlite.puts += tape.ops[STORE_TAP_PUT];
        out->sqlite.deletes += tape.ops[STORE_TAP_DEL];
        out->sqlite.commits++;
    }
    if (s_compare (self, scratch) != 0) {
        snprintf (err, sizeof (err), "%s", self->error);
        goto cleanup;
    }
    for (int k = 0; k < S_FLOORS; k++)
        if (bench_stores_same (floors.store[k], scratch, s_floor_name[k],
                               err) != 0)
            goto cleanup;
    s_rate (&out->sqlite, count, usecs);
    s_rate (&out->lmdb, count, floors.usecs[S_LMDB]);
    s_rate (&out->writes, count, floors.usecs[S_WRITES]);
    s_rate (&out->machine, count, floors.usecs[S_MACHINE]);
    rc = 0;
cleanup:
    if (rc != 0)
        fprintf (stderr, "bench_store: %s: %s\n", self->path, err);
    state_calendar_destroy (&calendar);
    s_floors_close (&floors);
    store_destroy (&scratch);
    s_db_close (&self);
    bench_tape_free (&tape);
    return rc;
}
