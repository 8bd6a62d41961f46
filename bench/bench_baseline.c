/*  bench_baseline: the raw ZeroMQ ceiling and the SQLite alternative.

    Raw ZeroMQ. The sockets of hotline's ingest path with the store taken
    out: a ROUTER thread that, like ingest_actor, takes the last frame as
    the payload and the rest as the envelope, decodes it with
    proto_batch_decode (which also validates every event) and answers with
    a BatchAck encoded by proto_batch_ack_encode. The caller's sender (the
    one it uses for hotlined, bench_ingest.c) sends it the same frames.
    Encoding the batches is left out (they are encoded beforehand), so is
    the scorer thread hop (ingest hands batches to the scorer over an
    inproc PAIR).

    SQLite mirrors, per event and in hotline's order (scorer_state.c
    s_apply_event), the store work of the scorer with the event clock,
    the clock hotline replays a stream with:
    - a de-duplication read of event_id (table dedup), and its insert
      (event_id -> log seq) after applying; a duplicate stops there;
    - the ticket record read (tickets: ticket_id -> the same 272-byte
      record as state_ticket_t), and the unit read (units), before any
      write; the same state checks, a refused event becoming a dead letter
      (table rejected) as in hotline;
    - the event clock: a read of meta "clock" per event; when the event
      moves it, its write and reads of the earliest deadline index entries
      (due ORDER BY key LIMIT 1) until one is in the future, each passed
      entry deleted and, when it still matches an open ticket, fired as
      scorer_deadline.c does (a warning: alert write and ticket write; a
      deadline: overdue_open and alerts counted, contacted_late if never
      contacted, alert write, ticket write);
    - the ticket read again after the clock (hotline reloads it), the
      state machine of scorer_state.c for every type (received, contacted,
      returned, extended, closed, revisited, reopened) with the same
      counters changed by the same rules, and the ticket written back
      (INSERT when new, UPDATE otherwise);
    - every counter change as state__count_in does it: a read-modify-write
      of an int32[18] blob under "period\0unit\0slice" for the month and
      the quarter of the moment, and the slices "", "ch:<channel>",
      "cat:<category>" (an empty channel or category skipped): six each;
    - the deadline index (due: 8-byte big-endian ms + kind byte +
      ticket_id, no value): received, extended and reopened insert the
      deadline and warning entries (the warning share read from meta each
      time, 800 permille when unset); closed, returned and extended delete
      them; leaving the open state takes back overdue_open counted in the
      same period and deletes an open alert (alerts: ticket_id -> JSON);
    - the encoded event (proto_event_encode) appended to the log (log: seq
      INTEGER PRIMARY KEY -> blob, SQLite choosing max+1 as hotline's
      append takes the last key + 1);
    - adjusted: the manual item read and upsert; tick: the clock only.
    One BEGIN IMMEDIATE ... COMMIT per batch; prepared statements made
    once, reset and rebound per use; every keyed table WITHOUT ROWID.

    Not mirrored: the check against this machine's clock ("future"); the
    refusal of unknown units (the baseline registers them: the hotline
    run imports its units beforehand); the alert JSON handed to the
    publisher and the touched (period, unit) set (memory, not store
    work); the per-batch meta totals of duplicates and the dead letter's
    meta sequence (rare); scoring and publishing after the commit. The
    ticket record is stored in this machine's byte order, as hotline
    stores it. SQLite gets a 64 MiB page cache (cache_size); LMDB's reads
    come from the OS page cache through its map. */
#include "bench_baseline.h"

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

#define DB_FILE       "baseline.sqlite3"
#define INGEST_BATCH  500
#define HOUR_MS       (3600LL * 1000)
#define DAY_MS        (24 * HOUR_MS)
#define SHANGHAI_MS   (8 * HOUR_MS)
#define KIND_WARNING  0
#define KIND_DEADLINE 1

/* Windows of scorer_state.c. */
#define SIGN_WINDOW_MS    (1 * HOUR_MS)
#define CONTACT_WINDOW_MS (2 * HOUR_MS)
#define RETURN_WINDOW_MS  (2 * HOUR_MS)

static const char *s_schema =
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY,"
    " value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY,"
    " event BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS dedup (event_id TEXT PRIMARY KEY,"
    " seq INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS tickets (ticket_id TEXT PRIMARY KEY,"
    " record BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS due (key BLOB PRIMARY KEY) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS counters (key BLOB PRIMARY KEY,"
    " vec BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS manual (key BLOB PRIMARY KEY,"
    " value REAL NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS units (unit_id TEXT PRIMARY KEY,"
    " record BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS alerts (ticket_id TEXT PRIMARY KEY,"
    " json TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS rejected (seq INTEGER PRIMARY KEY,"
    " event BLOB NOT NULL);";

/* Prepared statements, made once per connection. */
typedef enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_META_GET,
    Q_META_PUT,
    Q_DEDUP_GET,
    Q_DEDUP_PUT,
    Q_TICKET_GET,
    Q_TICKET_INSERT,
    Q_TICKET_UPDATE,
    Q_UNIT_GET,
    Q_UNIT_PUT,
    Q_LOG_PUT,
    Q_COUNTER_GET,
    Q_COUNTER_INSERT,
    Q_COUNTER_UPDATE,
    Q_DUE_PUT,
    Q_DUE_DEL,
    Q_DUE_FIRST,
    Q_ALERT_PUT,
    Q_ALERT_DEL,
    Q_MANUAL_GET,
    Q_MANUAL_PUT,
    Q_REJECTED_PUT,
    Q_COUNT
} s_query_t;

static const char *s_sql[Q_COUNT] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT value FROM meta WHERE name = ?1",
    ("INSERT INTO meta (name, value) VALUES (?1, ?2)"
     " ON CONFLICT (name) DO UPDATE SET value = excluded.value"),
    "SELECT seq FROM dedup WHERE event_id = ?1",
    "INSERT INTO dedup (event_id, seq) VALUES (?1, ?2)",
    "SELECT record FROM tickets WHERE ticket_id = ?1",
    "INSERT INTO tickets (ticket_id, record) VALUES (?1, ?2)",
    "UPDATE tickets SET record = ?2 WHERE ticket_id = ?1",
    "SELECT record FROM units WHERE unit_id = ?1",
    "INSERT OR IGNORE INTO units (unit_id, record) VALUES (?1, ?2)",
    "INSERT INTO log (event) VALUES (?1)",
    "SELECT vec FROM counters WHERE key = ?1",
    "INSERT INTO counters (key, vec) VALUES (?1, ?2)",
    "UPDATE counters SET vec = ?2 WHERE key = ?1",
    "INSERT OR REPLACE INTO due (key) VALUES (?1)",
    "DELETE FROM due WHERE key = ?1",
    "SELECT key FROM due ORDER BY key LIMIT 1",
    "INSERT OR REPLACE INTO alerts (ticket_id, json) VALUES (?1, ?2)",
    "DELETE FROM alerts WHERE ticket_id = ?1",
    "SELECT at FROM manual WHERE key = ?1",
    "INSERT OR REPLACE INTO manual (key, value, at) VALUES (?1, ?2, ?3)",
    "INSERT INTO rejected (event) VALUES (?1)"};

typedef struct {
    sqlite3 *db;                 /* the connection */
    sqlite3_stmt *stmt[Q_COUNT]; /* prepared statements */
    char path[4096];             /* database file, for messages */
    char error[512];             /* the first failure's reason */
    uint32_t units_next;         /* order given to the next unit */
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

/* Runs a bound statement that returns no row. */
static int
s_done (s_db_t *self, s_query_t q)
{
    sqlite3_stmt *stmt = self->stmt[q];
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    return rc == SQLITE_DONE ? 0 : s_fail (self, s_sql[q]);
}

/* Steps a bound query: 1 with a row to read (reset it after), 0 with
   none (already reset), -1 on failure. */
static int
s_row (s_db_t *self, s_query_t q)
{
    sqlite3_stmt *stmt = self->stmt[q];
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW)
        return 1;
    sqlite3_reset (stmt);
    return rc == SQLITE_DONE ? 0 : s_fail (self, s_sql[q]);
}

static sqlite3_stmt *
s_text (s_db_t *self, s_query_t q, const char *text)
{
    sqlite3_bind_text (self->stmt[q], 1, text, -1, SQLITE_STATIC);
    return self->stmt[q];
}

static sqlite3_stmt *
s_blob (s_db_t *self, s_query_t q, const void *key, size_t size)
{
    sqlite3_bind_blob (self->stmt[q], 1, key, (int)size, SQLITE_STATIC);
    return self->stmt[q];
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
    for (int q = 0; q < Q_COUNT; q++)
        sqlite3_finalize (self->stmt[q]);
    sqlite3_close (self->db);
    free (self);
    *self_p = NULL;
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
    sqlite3_stmt *mode = NULL;
    if (!dir || !*dir)
        snprintf (self->error, sizeof (self->error), "no directory given");
    else if (mkdir (dir, 0750) != 0 && errno != EEXIST)
        snprintf (self->error, sizeof (self->error), "cannot create %s: %s",
                  dir, strerror (errno));
    else if (snprintf (self->path, sizeof (self->path), "%s/%s", dir,
                       DB_FILE) >= (int)sizeof (self->path))
        snprintf (self->error, sizeof (self->error), "directory name too long");
    if (self->error[0])
        goto failed;
    if (sqlite3_open_v2 (self->path, &self->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                         NULL) != SQLITE_OK) {
        snprintf (self->error, sizeof (self->error), "cannot open: %s",
                  self->db ? sqlite3_errmsg (self->db) : "out of memory");
        goto failed;
    }
    /* WAL must really be on: SQLite answers the mode it kept, and keeps
       the old one where WAL is impossible. */
    if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode=WAL", -1, &mode,
                            NULL) != SQLITE_OK ||
        sqlite3_step (mode) != SQLITE_ROW) {
        s_fail (self, "PRAGMA journal_mode=WAL");
        goto failed;
    }
    const char *got = (const char *)sqlite3_column_text (mode, 0);
    if (!got || strcmp (got, "wal") != 0) {
        snprintf (self->error, sizeof (self->error),
                  "PRAGMA journal_mode=WAL: journal mode is still %s",
                  got ? got : "unknown");
        goto failed;
    }
    sqlite3_finalize (mode);
    mode = NULL;
    char pragmas[128];
    snprintf (pragmas, sizeof (pragmas),
              "PRAGMA synchronous=%s; PRAGMA cache_size=-65536;", "FULL");
    if (s_exec (self, pragmas) != 0 || s_exec (self, s_schema) != 0)
        goto failed;
    for (int q = 0; q < Q_COUNT; q++)
        if (sqlite3_prepare_v2 (self->db, s_sql[q], -1, &self->stmt[q], NULL) !=
            SQLITE_OK) {
            s_fail (self, s_sql[q]);
            goto failed;
        }
    return self;

failed:
    fprintf (stderr, "bench_sqlite: %s%s%s\n", self->path,
             self->path[0] ? ": " : "", self->error);
    sqlite3_finalize (mode);
    s_db_close (&self);
    return NULL;
}

/* ---- SQLite: the scorer's store work ------------------------------------ */

/* The counters of scorer.h, in its order (the stored vector). */
enum {
    C_RECEIVED,
    C_SIGNED_LATE,
    C_CONTACTED_LATE,
    C_RETURNED,
    C_RETURNED_LATE,
    C_EXTENDED,
    C_CLOSED,
    C_CLOSED_ON_TIME,
    C_OVERDUE_OPEN,
    C_ALERTS,
    C_REVISITED,
    C_UNSATISFIED,
    C_UNRESOLVED,
    C_REWORK,
    C_FIRST_TIME_CLOSED,
    C_KEY_CLOSED_LATE,
    C_REPEAT_CLOSED_LATE,
    C_DAYS_LATE,
    C_STORED
};

/* Ticket states and flags of scorer_internal.h. */
enum { T_OPEN = 1, T_CLOSED = 2, T_RETURNED = 3 };
#define F_CONTACTED       0x01
#define F_CONTACT_COUNTED 0x02
#define F_HAD_REWORK      0x04
#define F_KEY             0x08
#define F_REPEAT          0x10
#define F_REWORK_PENDING  0x20
#define F_OVERDUE         0x40
#define F_WARNED          0x80

/* The ticket record, field for field state_ticket_t (272 bytes here). */
typedef struct {
    uint8_t version;                    /* record layout */
    uint8_t state;                      /* T_* */
    uint8_t flags;                      /* F_* */
    uint8_t closed_on_time[2];          /* per period kind: last closure's */
    uint8_t first_time[2];              /* per kind: counted first-time */
    char unit_id[PROTO_ID_MAX + 1];     /* owning unit */
    char channel[PROTO_TOKEN_MAX + 1];  /* intake channel */
    char category[PROTO_TOKEN_MAX + 1]; /* subject category */
    int64_t dispatched_at;              /* platform dispatch to this unit */
    int64_t received_at;                /* unit signed */
    int64_t due_at;                     /* deadline in force */
    int64_t limit_from;                 /* start of the time limit */
    int64_t warn_at;                    /* warning instant, or 0 */
    int64_t last_at;                    /* latest occurred_at applied */
    int32_t closed_period[2];           /* per kind: counted closed, -1 */
    int32_t overdue_period[2];          /* per kind: overdue_open, -1 */
} s_ticket_t;

/* A month (kind 0) or quarter (kind 1) of Asia/Shanghai, as
   scorer_period.c numbers and names it. */
typedef struct {
    int32_t code;  /* year*12 + month-1, or year*4 + quarter-1 */
    char text[24]; /* "2025-07", "2025-Q3" */
} s_period_t;

static s_period_t
s_period_of (int64_t ms, int kind)
{
    int64_t local = ms + SHANGHAI_MS;
    int64_t days = local >= 0 ? local / DAY_MS : (local - DAY_MS + 1) / DAY_MS;
    int64_t year;
    int month, day;
    proto_civil_from_days (days, &year, &month, &day);
    s_period_t p;
    int y = (int)(year % 10000);
    if (kind == 0) {
        p.code = (int32_t)(year * 12 + month - 1);
        snprintf (p.text, sizeof (p.text), "%04d-%02d", y, month);
    } else {
        p.code = (int32_t)(year * 4 + (month - 1) / 3);
        snprintf (p.text, sizeof (p.text), "%04d-Q%d", y, (month - 1) / 3 + 1);
    }
    return p;
}

static int
s_meta_get (s_db_t *self, const char *name, int64_t *value)
{
    sqlite3_stmt *stmt = s_text (self, Q_META_GET, name);
    int rc = s_row (self, Q_META_GET);
    if (rc == 1) {
        *value = sqlite3_column_int64 (stmt, 0);
        sqlite3_reset (stmt);
    }
    return rc;
}

static int
s_meta_put (s_db_t *self, const char *name, int64_t value)
{
    sqlite3_bind_int64 (s_text (self, Q_META_PUT, name), 2, value);
    return s_done (self, Q_META_PUT);
}

/* Adds delta to one counter under key: read, add, write back. */
static int
s_counter_add (s_db_t *self, const uint8_t *key, size_t size, int counter,
               int32_t delta)
{
    int32_t vec[C_STORED] = {0};
    sqlite3_stmt *stmt = s_blob (self, Q_COUNTER_GET, key, size);
    int found = s_row (self, Q_COUNTER_GET);
    if (found < 0)
        return -1;
    if (found) {
        int n = sqlite3_column_bytes (stmt, 0);
        const void *old = sqlite3_column_blob (stmt, 0);
        if (old && n > 0)
            memcpy (vec, old,
                    (size_t)n < sizeof (vec) ? (size_t)n : sizeof (vec));
        sqlite3_reset (stmt);
    }
    vec[counter] += delta;
    s_query_t q = found ? Q_COUNTER_UPDATE : Q_COUNTER_INSERT;
    sqlite3_bind_blob (s_blob (self, q, key, size), 2, vec, sizeof (vec),
                       SQLITE_STATIC);
    return s_done (self, q);
}

/* state__count_in: one counter, one period, the three slices. */
static int
s_count_in (s_db_t *self, const s_ticket_t *t, const s_period_t *p, int counter,
            int32_t delta)
{
    const char *slices[3] = {"", t->channel, t->category};
    const char *prefix[3] = {"", "ch:", "cat:"};
    for (int s = 0; s < 3; s++) {
        if (s > 0 && !*slices[s])
            continue;
        uint8_t key[512];
        int n = snprintf ((char *)key, sizeof (key), "%s%c%s%c%s%s", p->text, 0,
                          t->unit_id, 0, prefix[s], slices[s]);
        size_t size = n < (int)sizeof (key) ? (size_t)n : sizeof (key) - 1;
        if (s_counter_add (self, key, size, counter, delta) != 0)
            return -1;
    }
    return 0;
}

/* s_count: the month and the quarter containing `at`. */
static int
s_count (s_db_t *self, const s_ticket_t *t, int64_t at, int counter,
         int32_t delta)
{
    for (int k = 0; k < 2; k++) {
        s_period_t p = s_period_of (at, k);
        if (s_count_in (self, t, &p, counter, delta) != 0)
            return -1;
    }
    return 0;
}

/* Reads a ticket: 1 found, 0 absent, -1 failure. */
static int
s_ticket_get (s_db_t *self, const char *ticket_id, s_ticket_t *t)
{
    sqlite3_stmt *stmt = s_text (self, Q_TICKET_GET, ticket_id);
    int rc = s_row (self, Q_TICKET_GET);
    if (rc != 1)
        return rc;
    const void *record = sqlite3_column_blob (stmt, 0);
    if (sqlite3_column_bytes (stmt, 0) != (int)sizeof (*t) || !record) {
        sqlite3_reset (stmt);
        snprintf (self->error, sizeof (self->error),
                  "ticket %s: record of the wrong size", ticket_id);
        return -1;
    }
    memcpy (t, record, sizeof (*t));
    sqlite3_reset (stmt);
    return 1;
}

static int
s_ticket_put (s_db_t *self, const char *ticket_id, const s_ticket_t *t,
              bool is_new)
{
    s_query_t q = is_new ? Q_TICKET_INSERT : Q_TICKET_UPDATE;
    sqlite3_bind_blob (s_text (self, q, ticket_id), 2, t, sizeof (*t),
                       SQLITE_STATIC);
    return s_done (self, q);
}

static size_t
s_due_key (uint8_t *key, int64_t at, int kind, const char *ticket_id)
{
    size_t len = strlen (ticket_id);
    for (int i = 0; i < 8; i++)
        key[i] = (uint8_t)((uint64_t)at >> (56 - 8 * i));
    key[8] = (uint8_t)kind;
    memcpy (key + 9, ticket_id, len);
    return 9 + len;
}

static int
s_due (s_db_t *self, s_query_t q, int64_t at, int kind, const char *ticket_id)
{
    uint8_t key[9 + PROTO_ID_MAX];
    s_blob (self, q, key, s_due_key (key, at, kind, ticket_id));
    return s_done (self, q);
}

static int
s_alert_put (s_db_t *self, const char *kind, const s_ticket_t *t,
             const char *ticket_id, int64_t at)
{
    char json[512], due[32], when[32];
    snprintf (json, sizeof (json),
              "{\"kind\":\"%s\",\"unit_id\":\"%s\",\"ticket_id\":\"%s\","
              "\"due_at\":\"%s\",\"at\":\"%s\"}",
              kind, t->unit_id, ticket_id, proto_time_format (t->due_at, due),
              proto_time_format (at, when));
    sqlite3_bind_text (s_text (self, Q_ALERT_PUT, ticket_id), 2, json, -1,
                       SQLITE_STATIC);
    return s_done (self, Q_ALERT_PUT);
}

/* state__deadline_set: the deadline and warning entries of a new
   deadline, the warning share read as hotline reads it. */
static int
s_deadline_set (s_db_t *self, s_ticket_t *t, const char *ticket_id)
{
    t->flags &= (uint8_t) ~(F_WARNED | F_OVERDUE);
    if (s_due (self, Q_DUE_PUT, t->due_at, KIND_DEADLINE, ticket_id) != 0)
        return -1;
    int64_t permille = 800;
    if (s_meta_get (self, "warn_permille", &permille) < 0)
        return -1;
    t->warn_at = 0;
    if (permille < 1000 && t->due_at > t->limit_from) {
        int64_t at =
            t->limit_from + (int64_t)((double)(t->due_at - t->limit_from) *
                                      (double)permille / 1000.0);
        t->warn_at = at - at % 1000;
    }
    if (t->warn_at &&
        s_due (self, Q_DUE_PUT, t->warn_at, KIND_WARNING, ticket_id) != 0)
        return -1;
    return 0;
}

/* state__leave_open: entries go, overdue_open of this period is taken
   back, an open alert is deleted. */
static int
s_leave_open (s_db_t *self, s_ticket_t *t, const char *ticket_id, int64_t at)
{
    if (s_due (self, Q_DUE_DEL, t->due_at, KIND_DEADLINE, ticket_id) != 0)
        return -1;
    if (t->warn_at &&
        s_due (self, Q_DUE_DEL, t->warn_at, KIND_WARNING, ticket_id) != 0)
        return -1;
    for (int k = 0; k < 2; k++) {
        if (t->overdue_period[k] < 0)
            continue;
        s_period_t p = s_period_of (at, k);
        if (p.code == t->overdue_period[k] &&
            s_count_in (self, t, &p, C_OVERDUE_OPEN, -1) != 0)
            return -1;
        t->overdue_period[k] = -1;
    }
    if (t->flags & (F_WARNED | F_OVERDUE)) {
        s_text (self, Q_ALERT_DEL, ticket_id);
        if (s_done (self, Q_ALERT_DEL) != 0)
            return -1;
        t->flags &= (uint8_t) ~(F_WARNED | F_OVERDUE);
    }
    return 0;
}

static int
s_contact_missed (s_db_t *self, s_ticket_t *t, int64_t at)
{
    if (t->flags & (F_CONTACTED | F_CONTACT_COUNTED))
        return 0;
    t->flags |= F_CONTACT_COUNTED;
    return s_count (self, t, at, C_CONTACTED_LATE, 1);
}

static int
s_fire_deadline (s_db_t *self, s_ticket_t *t, const char *ticket_id)
{
    t->flags |= F_OVERDUE;
    for (int k = 0; k < 2; k++) {
        s_period_t p = s_period_of (t->due_at, k);
        t->overdue_period[k] = p.code;
        if (s_count_in (self, t, &p, C_OVERDUE_OPEN, 1) != 0 ||
            s_count_in (self, t, &p, C_ALERTS, 1) != 0)
            return -1;
    }
    if (s_contact_missed (self, t, t->due_at) != 0)
        return -1;
    return s_alert_put (self, "overdue", t, ticket_id, t->due_at);
}

/* state_advance_clock with the event clock: fires what `now` passes. */
static int
s_advance_clock (s_db_t *self, int64_t now)
{
    int64_t clock = 0;
    if (s_meta_get (self, "clock", &clock) < 0)
        return -1;
    if (now <= clock)
        return 0;
    if (s_meta_put (self, "clock", now) != 0)
        return -1;
    sqlite3_stmt *first = self->stmt[Q_DUE_FIRST];
    while (true) {
        int rc = s_row (self, Q_DUE_FIRST);
        if (rc <= 0)
            return rc;
        uint8_t key[9 + PROTO_ID_MAX];
        int size = sqlite3_column_bytes (first, 0);
        const uint8_t *bytes = sqlite3_column_blob (first, 0);
        if (!bytes || size <= 9 || size > (int)sizeof (key)) {
            sqlite3_reset (first);
            return 0; /* not ours: hotline leaves it too */
        }
        memcpy (key, bytes, (size_t)size);
        sqlite3_reset (first);
        int64_t at = 0;
        for (int i = 0; i < 8; i++)
            at = (int64_t)((uint64_t)at << 8 | key[i]);
        int kind = key[8];
        if (at > now || (at == now && kind == KIND_DEADLINE))
            return 0;
        char ticket_id[PROTO_ID_MAX + 1];
        memcpy (ticket_id, key + 9, (size_t)size - 9);
        ticket_id[size - 9] = 0;
        s_blob (self, Q_DUE_DEL, key, (size_t)size);
        if (s_done (self, Q_DUE_DEL) != 0)
            return -1;
        s_ticket_t t;
        rc = s_ticket_get (self, ticket_id, &t);
        if (rc < 0)
            return -1;
        if (rc == 0 || t.state != T_OPEN)
            continue; /* a stale entry */
        if (kind == KIND_DEADLINE) {
            if (t.due_at != at || (t.flags & F_OVERDUE))
                continue;
            rc = s_fire_deadline (self, &t, ticket_id);
        } else {
            if (t.warn_at != at || (t.flags & (F_WARNED | F_OVERDUE)))
                continue;
            t.flags |= F_WARNED;
            rc = s_alert_put (self, "warning", &t, ticket_id, at);
        }
        if (rc != 0 || s_ticket_put (self, ticket_id, &t, false) != 0)
            return -1;
    }
}

/* s_check of scorer_state.c, less the wall-clock check: true when the
   ticket's state allows the event. */
static bool
s_allowed (const proto_event_t *ev, const s_ticket_t *t, bool have)
{
    if (ev->type == PROTO_RECEIVED)
        return !have || (t->state != T_OPEN && ev->occurred_at >= t->last_at);
    if (!have || strcmp (t->unit_id, ev->unit_id) != 0 ||
        ev->occurred_at < t->received_at)
        return false;
    bool want_closed =
        ev->type == PROTO_REVISITED || ev->type == PROTO_REOPENED;
    return want_closed ? t->state == T_CLOSED : t->state == T_OPEN;
}

static int
s_apply_received (s_db_t *self, const proto_event_t *ev, s_ticket_t *t)
{
    memset (t, 0, sizeof (*t));
    t->version = 3;
    t->state = T_OPEN;
    t->flags = (ev->key_supervision ? F_KEY : 0) |
               (ev->repeat_dispatch ? F_REPEAT : 0);
    snprintf (t->unit_id, sizeof (t->unit_id), "%s", ev->unit_id);
    snprintf (t->channel, sizeof (t->channel), "%s", ev->channel);
    snprintf (t->category, sizeof (t->category), "%s", ev->category);
    t->dispatched_at = ev->dispatched_at;
    t->received_at = ev->occurred_at;
    t->due_at = ev->due_at;
    t->limit_from = ev->dispatched_at;
    for (int k = 0; k < 2; k++)
        t->closed_period[k] = t->overdue_period[k] = -1;
    if (s_count (self, t, ev->occurred_at, C_RECEIVED, 1) != 0)
        return -1;
    if (ev->occurred_at - ev->dispatched_at > SIGN_WINDOW_MS &&
        s_count (self, t, ev->occurred_at, C_SIGNED_LATE, 1) != 0)
        return -1;
    return s_deadline_set (self, t, ev->ticket_id);
}

static int
s_apply_closed (s_db_t *self, const proto_event_t *ev, s_ticket_t *t)
{
    int64_t at = ev->occurred_at;
    bool on_time = at <= t->due_at;
    if (s_leave_open (self, t, ev->ticket_id, at) != 0 ||
        s_contact_missed (self, t, at) != 0)
        return -1;
    for (int k = 0; k < 2; k++) {
        s_period_t p = s_period_of (at, k);
        int32_t on = on_time ? 1 : 0, d_on, d_late;
        if (t->closed_period[k] != p.code) {
            bool first = !(t->flags & F_HAD_REWORK);
            if (s_count_in (self, t, &p, C_CLOSED, 1) != 0 ||
                (first &&
                 s_count_in (self, t, &p, C_FIRST_TIME_CLOSED, 1) != 0))
                return -1;
            t->closed_period[k] = p.code;
            t->first_time[k] = first;
            d_on = on;
            d_late = 1 - on;
        } else {
            d_on = on - t->closed_on_time[k];
            d_late = -d_on;
        }
        if ((d_on && s_count_in (self, t, &p, C_CLOSED_ON_TIME, d_on) != 0) ||
            (d_late && (t->flags & F_KEY) &&
             s_count_in (self, t, &p, C_KEY_CLOSED_LATE, d_late) != 0) ||
            (d_late && (t->flags & F_REPEAT) &&
             s_count_in (self, t, &p, C_REPEAT_CLOSED_LATE, d_late) != 0))
            return -1;
        t->closed_on_time[k] = on_time;
    }
    if (!on_time) {
        int32_t days = (int32_t)((at - t->due_at + DAY_MS - 1) / DAY_MS);
        if (s_count (self, t, at, C_DAYS_LATE, days) != 0)
            return -1;
    }
    t->state = T_CLOSED;
    return 0;
}

static int
s_rework (s_db_t *self, s_ticket_t *t, int64_t at)
{
    t->flags |= F_HAD_REWORK;
    if (s_count (self, t, at, C_REWORK, 1) != 0)
        return -1;
    for (int k = 0; k < 2; k++) {
        s_period_t p = s_period_of (at, k);
        if (t->first_time[k] && t->closed_period[k] == p.code) {
            if (s_count_in (self, t, &p, C_FIRST_TIME_CLOSED, -1) != 0)
                return -1;
            t->first_time[k] = 0;
        }
    }
    return 0;
}

static int
s_apply_ticket (s_db_t *self, const proto_event_t *ev, s_ticket_t *t)
{
    int64_t at = ev->occurred_at;
    switch (ev->type) {
    case PROTO_RECEIVED:
        return s_apply_received (self, ev, t);
    case PROTO_CONTACTED:
        if (!(t->flags & (F_CONTACTED | F_CONTACT_COUNTED)) &&
            at - t->received_at > CONTACT_WINDOW_MS) {
            if (s_count (self, t, at, C_CONTACTED_LATE, 1) != 0)
                return -1;
            t->flags |= F_CONTACT_COUNTED;
        }
        t->flags |= F_CONTACTED;
        return 0;
    case PROTO_RETURNED:
        if (s_leave_open (self, t, ev->ticket_id, at) != 0 ||
            s_count (self, t, at, C_RETURNED, 1) != 0 ||
            (at - t->dispatched_at > RETURN_WINDOW_MS &&
             s_count (self, t, at, C_RETURNED_LATE, 1) != 0))
            return -1;
        t->state = T_RETURNED;
        return 0;
    case PROTO_EXTENDED:
        if (s_leave_open (self, t, ev->ticket_id, at) != 0 ||
            s_count (self, t, at, C_EXTENDED, 1) != 0)
            return -1;
        t->due_at = ev->due_at;
        return s_deadline_set (self, t, ev->ticket_id);
    case PROTO_CLOSED:
        return s_apply_closed (self, ev, t);
    case PROTO_REVISITED:
        if (s_count (self, t, at, C_REVISITED, 1) != 0 ||
            (ev->satisfaction == PROTO_SAT_UNSATISFIED &&
             s_count (self, t, at, C_UNSATISFIED, 1) != 0) ||
            (ev->resolved == PROTO_RES_NO &&
             s_count (self, t, at, C_UNRESOLVED, 1) != 0))
            return -1;
        if (ev->rework) {
            if (s_rework (self, t, at) != 0)
                return -1;
            t->flags |= F_REWORK_PENDING;
        }
        return 0;
    case PROTO_REOPENED:
        if (!(t->flags & F_REWORK_PENDING) && s_rework (self, t, at) != 0)
            return -1;
        t->flags &= (uint8_t)~F_REWORK_PENDING;
        t->state = T_OPEN;
        t->due_at = ev->due_at;
        t->limit_from = at;
        return s_deadline_set (self, t, ev->ticket_id);
    default:
        return 0;
    }
}

/* The latest adjustment by event time wins, as in s_apply_adjusted. */
static int
s_apply_adjusted (s_db_t *self, const proto_event_t *ev)
{
    uint8_t key[512];
    int n = snprintf ((char *)key, sizeof (key), "%s%c%s%c%s", ev->period, 0,
                      ev->unit_id, 0, ev->item);
    size_t size = n < (int)sizeof (key) ? (size_t)n : sizeof (key) - 1;
    sqlite3_stmt *stmt = s_blob (self, Q_MANUAL_GET, key, size);
    int rc = s_row (self, Q_MANUAL_GET);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        int64_t old_at = sqlite3_column_int64 (stmt, 0);
        sqlite3_reset (stmt);
        if (old_at > ev->occurred_at)
            return 0;
    }
    stmt = s_blob (self, Q_MANUAL_PUT, key, size);
    sqlite3_bind_double (stmt, 2, ev->value);
    sqlite3_bind_int64 (stmt, 3, ev->occurred_at);
    return s_done (self, Q_MANUAL_PUT);
}

/* Reads a unit, registering it when absent (the hotline run imports its
   units first; a baseline refusing them would measure nothing). */
static int
s_unit (s_db_t *self, const char *unit_id)
{
    s_text (self, Q_UNIT_GET, unit_id);
    int rc = s_row (self, Q_UNIT_GET);
    if (rc != 0) {
        if (rc == 1)
            sqlite3_reset (self->stmt[Q_UNIT_GET]);
        return rc < 0 ? -1 : 0;
    }
    /* order (4 bytes, big-endian), name, group: hotline's unit record. */
    uint8_t record[4 + PROTO_ID_MAX + 1 + 5];
    uint32_t order = ++self->units_next;
    size_t len = strlen (unit_id);
    record[0] = (uint8_t)(order >> 24);
    record[1] = (uint8_t)(order >> 16);
    record[2] = (uint8_t)(order >> 8);
    record[3] = (uint8_t)order;
    memcpy (record + 4, unit_id, len + 1);
    memcpy (record + 5 + len, "town", 5);
    sqlite3_bind_blob (s_text (self, Q_UNIT_PUT, unit_id), 2, record,
                       (int)(len + 10), SQLITE_STATIC);
    return s_done (self, Q_UNIT_PUT);
}

static int
s_blob_put (s_db_t *self, s_query_t q, const proto_event_t *ev, int64_t *seq)
{
    size_t size;
    uint8_t *bytes = proto_event_encode (ev, &size);
    if (!bytes) {
        snprintf (self->error, sizeof (self->error), "out of memory");
        return -1;
    }
    s_blob (self, q, bytes, size);
    int rc = s_done (self, q);
    free (bytes);
    if (rc == 0 && seq)
        *seq = sqlite3_last_insert_rowid (self->db);
    return rc;
}

/* One event, in the order of scorer_state.c s_apply_event. */
static int
s_apply_event (s_db_t *self, const proto_event_t *ev)
{
    s_text (self, Q_DEDUP_GET, ev->event_id);
    int rc = s_row (self, Q_DEDUP_GET);
    if (rc != 0) {
        if (rc == 1)
            sqlite3_reset (self->stmt[Q_DEDUP_GET]);
        return rc < 0 ? -1 : 0; /* a duplicate is answered, not applied */
    }
    bool ticketed = ev->type != PROTO_ADJUSTED && ev->type != PROTO_TICK;
    s_ticket_t t;
    bool have = false;
    if (ticketed) {
        if ((rc = s_ticket_get (self, ev->ticket_id, &t)) < 0)
            return -1;
        have = rc == 1;
    }
    if (ev->type != PROTO_TICK && s_unit (self, ev->unit_id) != 0)
        return -1;
    if (ticketed && !s_allowed (ev, &t, have))
        return s_blob_put (self, Q_REJECTED_PUT, ev, NULL);

    if (s_advance_clock (self, ev->occurred_at) != 0)
        return -1;
    /* The clock may have raised overdue on this very ticket: reload. */
    if (have && s_ticket_get (self, ev->ticket_id, &t) != 1)
        return -1;
    if (ev->type == PROTO_ADJUSTED) {
        if (s_apply_adjusted (self, ev) != 0)
            return -1;
    } else if (ticketed) {
        if (s_apply_ticket (self, ev, &t) != 0)
            return -1;
        if (ev->occurred_at > t.last_at)
            t.last_at = ev->occurred_at;
        if (s_ticket_put (self, ev->ticket_id, &t, !have) != 0)
            return -1;
    }
    int64_t seq;
    if (s_blob_put (self, Q_LOG_PUT, ev, &seq) != 0)
        return -1;
    sqlite3_bind_int64 (s_text (self, Q_DEDUP_PUT, ev->event_id), 2, seq);
    return s_done (self, Q_DEDUP_PUT);
}

/* Ends the open transaction: COMMIT when ok, else ROLLBACK. */
static int
s_end (s_db_t *self, bool ok)
{
    if (ok && s_done (self, Q_COMMIT) == 0)
        return 0;
    if (!sqlite3_get_autocommit (self->db))
        s_done (self, Q_ROLLBACK);
    return -1;
}

static void
s_report (s_db_t *self, const char *what)
{
    fprintf (stderr, "bench_sqlite: %s: %s: %s\n", self->path, what,
             self->error[0] ? self->error : "failed");
}

int
bench_sqlite_ingest (const char *dir, const proto_event_t *events, size_t count,
                     size_t batch, bench_rate_t *out)
{
    if (!out || (count && !events)) {
        fprintf (stderr, "bench_sqlite_ingest: missing events or out\n");
        return -1;
    }
    if (batch == 0)
        batch = INGEST_BATCH;
    s_db_t *self = s_db_open (dir);
    if (!self)
        return -1;
    int rc = -1;
    /* Units first, not timed: the hotline run imports them beforehand. */
    bool ok = s_done (self, Q_BEGIN) == 0;
    for (size_t i = 0; ok && i < count; i++)
        if (events[i].type != PROTO_TICK)
            ok = s_unit (self, events[i].unit_id) == 0;
    if (s_end (self, ok) != 0) {
        s_report (self, "registering units");
        goto cleanup;
    }
    int64_t start = zclock_usecs ();
    for (size_t i = 0; i < count; i += batch) {
        size_t end = count - i < batch ? count : i + batch;
        ok = s_done (self, Q_BEGIN) == 0;
        for (size_t j = i; ok && j < end; j++)
            ok = s_apply_event (self, &events[j]) == 0;
        if (s_end (self, ok) != 0) {
            char what[64];
            snprintf (what, sizeof (what), "batch at event %zu", i);
            s_report (self, what);
            goto cleanup;
        }
    }
    s_rate (out, count, zclock_usecs () - start);
    rc = 0;
cleanup:
    s_db_close (&self);
    return rc;
}
