/*  store: hotline's durable state, one LMDB environment per process.

    The store knows tables, keys and byte values; what the bytes mean
    belongs to the modules that write them (the scorer owns ticket and
    counter records). LMDB types never leave this module.

    Tables (LMDB named databases):
      STORE_META      small named values: clock, sequence numbers, schema
      STORE_LOG       append-only event log: u64 big-endian seq -> event
      STORE_DEDUP     event_id -> u64 log seq and the event's digest
                      (de-duplication; older stores: the seq alone)
      STORE_TICKETS   ticket_id -> ticket record
      STORE_DUE       u64 big-endian ms + kind byte + ticket_id -> (empty):
                      deadlines and warning times, ordered by time
      STORE_COUNTERS  period \0 unit_id \0 slice -> counter record (a
                      vector record: store_add_i32)
      STORE_MANUAL    period \0 unit_id \0 item -> manual item record
      STORE_UNITS     unit_id -> unit record
      STORE_ALERTS    ticket_id -> the ticket's open alert (JSON)
      STORE_REJECTED  u64 big-endian seq -> a dead letter (JSON): an event
                      the daemon refused, with the reason and its class
      STORE_COUNTED   period \0 unit \0 counter byte, ticket_id -> the
                      moments that ticket counted in an adverse counter
                      (explain's drill-down)
      STORE_TRAIL     u64 big-endian log seq, u32 big-endian number ->
                      what one event (or the clock passing a deadline)
                      counted for one ticket, and the key of that
                      ticket's previous entry: written in log order at
                      the end of the table (store_put_append), each
                      ticket's entries chained from its ticket record
                      (state_trail.c)
      STORE_APPEALS   ticket_id \0 unit_id -> the appeal or exemption of
                      that ticket for that unit
      STORE_PUBLISHED ruleset \0 period \0 u32 big-endian version -> a
                      published scorecard (JSON): stored, never derived
      STORE_CALENDAR  the working-time settings and the calendar years
                      imported with hotline calendar import (state/)
      STORE_REJECTED_INDEX  digest of a dead letter's class and event ->
                      its seq, first arrival and repeats (state_dead.c)
      STORE_COUNTED_PENDING  u64 big-endian number -> a change to
                      STORE_COUNTED not applied yet, in the order made
                      (state_counted.c)
      STORE_COUNTED_SETTLING  STORE_COUNTED key, u64 big-endian number ->
                      a change being applied to STORE_COUNTED a slice at
                      a time, in key order (state_counted.c)

    Durability: a write transaction is durable when store_commit returns 0
    (LMDB syncs on commit). Callers acknowledge nothing before that.

    Thread rules: a store_t is shared by all threads of the process. A
    transaction belongs to the thread that began it. Only one write
    transaction exists at a time (LMDB serialises writers); read
    transactions run concurrently with it and see the last commit.
*/
#ifndef STORE_H_INCLUDED
#define STORE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _store_t store_t;
typedef struct _store_txn_t store_txn_t;
typedef struct _store_cursor_t store_cursor_t;

typedef enum {
    STORE_META = 0,
    STORE_LOG,
    STORE_DEDUP,
    STORE_TICKETS,
    STORE_DUE,
    STORE_COUNTERS,
    STORE_MANUAL,
    STORE_UNITS,
    STORE_ALERTS,
    STORE_REJECTED,
    STORE_COUNTED,
    STORE_TRAIL,
    STORE_APPEALS,
    STORE_PUBLISHED,
    STORE_CALENDAR,
    STORE_REJECTED_INDEX,
    STORE_COUNTED_PENDING,
    STORE_COUNTED_SETTLING,
    STORE_TABLE_COUNT
} store_table_t;

/* Return codes. Every function returns STORE_OK (0) or one of these. */
typedef enum {
    STORE_OK = 0,
    STORE_NOTFOUND = -1, /* no such key (or the cursor is past the end) */
    STORE_FULL = -2,     /* the map is full: the transaction must abort */
    STORE_TOOBIG = -3,   /* key or value larger than the caller's buffer */
    STORE_ERROR = -4,    /* I/O or other failure; see store_strerror */
    STORE_DISK_FULL = -5 /* no space left on the disk of the data
                            directory: the transaction must abort */
} store_rc_t;

/* Longest key LMDB accepts with its default settings. */
#define STORE_KEY_MAX 511

/* Opens (creating if needed) the environment in directory `dir`, creating
   the directory too. map_size is the maximum database size in bytes (0 =
   default, 4 GiB). Returns NULL on failure and writes a reason into `err`
   (at least 256 bytes). */
store_t *store_new (const char *dir, size_t map_size, char *err);

/* Closes the environment (and removes a scratch store's directory). All
   transactions must be finished. NULL-safe, idempotent; nulls the
   caller's pointer. */
void store_destroy (store_t **self_p);

/*  The data directory (store_dir.c).                                   */

/* Takes the directory's exclusive lock (DIR/hotlined.lock, an flock),
   creating the directory if needed: one hotlined or one `hotline replay`
   per directory. Held until store_unlock or the process ends. Returns
   NULL with a reason in err (256 bytes), "another hotlined or hotline
   replay is using DIR" when it is taken. */
typedef struct _store_lock_t store_lock_t;
store_lock_t *store_lock (const char *dir, char *err);
/* Releases the lock. NULL-safe; nulls the caller's pointer. */
void store_unlock (store_lock_t **self_p);

/* 0 when `dir` holds a store (and its data file's size in *bytes, may be
   NULL), -1 when not: lets a tool refuse a mistyped directory instead of
   creating an empty store there. */
int store_present (const char *dir, uint64_t *bytes);

/* A private store in a new directory under $TMPDIR (or /tmp), removed
   with everything in it by store_destroy. NULL with a reason in err.
   Without fsync and without a lock: one transaction at a time, from one
   thread at a time (a write transaction, or read transactions, not
   both). A file system with no room gives errors (STORE_DISK_FULL...),
   never a signal. map_size 0: 64 GiB (address space, not disk). */
store_t *store_scratch_new (size_t map_size, char *err);

/* A new scratch store holding a copy of `from`'s last commit (with
   `from`'s map size): a checkpoint that can go its own way. No write
   transaction of `from` may be open in the calling thread. NULL with a
   reason in err. */
store_t *store_scratch_copy (store_t *from, char *err);

/* Removes the scratch stores under $TMPDIR (or /tmp) of processes that
   ended without removing them (killed, say): each is named after its
   process. Returns how many it removed. */
size_t store_scratch_sweep (void);

/* Removes a data directory's store files and the directory (when then
   empty). Returns 0, or -1 when something could not be removed. */
int store_remove_dir (const char *dir);

/* The table's name ("meta", "log"...), as LMDB names its database; "?"
   when out of range. */
const char *store_table_name (store_table_t table);

/* Text for a return code (and, for STORE_ERROR, the last LMDB error). */
const char *store_strerror (int rc);

/*  Room in the map. LMDB refuses writes past its map size (STORE_FULL);
    the map can grow, but only while no transaction of the process is
    open. store_make_room does that between transactions, so refusals
    are left for a store that reached its ceiling.                      */

/* Sets the ceiling store_make_room may grow the map to, in bytes (0, or
   not above the current map: the map never grows). */
void store_set_map_max (store_t *self, size_t map_max);
/* The ceiling set, in bytes (0: none). */
size_t store_map_max (const store_t *self);

/* Turns the commits' syncs off (synced false) or on. Off, a commit that
   returned is in the page cache, not on the disk: a crash of the
   machine (not of the process) can lose committed transactions and
   leave the store unreadable. For measuring what the syncs cost (the
   configuration's unsafe_no_sync), never for data that matters.
   Returns STORE_OK or STORE_ERROR. */
int store_set_synced (store_t *self, bool synced);
/* False after store_set_synced (self, false), or for a scratch store. */
bool store_synced (const store_t *self);

/* Keeps headroom in the map: when less than a quarter of it is free, or
   when `full` (a write transaction just failed with STORE_FULL), doubles
   it (at least), up to the ceiling. New transactions wait meanwhile (in
   store_begin, unless their thread already holds one), and it waits at
   most wait_ms for the open ones to end. Call it from the writing
   thread, holding no transaction. Returns 1 when the map grew, 0 when
   there was room, STORE_FULL when `full` and the map is at its ceiling,
   STORE_ERROR when transactions stayed open past wait_ms (try again
   later) or LMDB refused. */
int store_make_room (store_t *self, bool full, int wait_ms);

/* Begins a transaction. Returns NULL when LMDB refuses (the reason goes to
   the log and stderr). A write transaction blocks while another is open;
   any transaction blocks while store_make_room grows the map, unless its
   thread holds one already. */
store_txn_t *store_begin (store_t *self, bool write);

/* Commits and frees the transaction; nulls *txn_p. On failure nothing of
   it is stored (STORE_FULL, STORE_ERROR). */
int store_commit (store_txn_t **txn_p);

/* Discards and frees the transaction; NULL-safe; nulls *txn_p. */
void store_abort (store_txn_t **txn_p);

/* Copies the value of `key` into `value` (capacity *size) and sets *size
   to its length. STORE_TOOBIG when it does not fit (*size is then the
   length needed). STORE_NOTFOUND when absent. */
int store_get (store_txn_t *txn, store_table_t table, const void *key,
               size_t key_size, void *value, size_t *size);

/* STORE_OK when key is present, STORE_NOTFOUND when not; copies nothing. */
int store_exists (store_txn_t *txn, store_table_t table, const void *key,
                  size_t key_size);

/* Stores value under key, replacing any previous value. */
int store_put (store_txn_t *txn, store_table_t table, const void *key,
               size_t key_size, const void *value, size_t size);

/* Stores value under key only if the key is absent: STORE_OK, or
   STORE_NOTFOUND's opposite, 1, when the key existed (nothing written). */
int store_put_new (store_txn_t *txn, store_table_t table, const void *key,
                   size_t key_size, const void *value, size_t size);

/* Stores value under key, which must sort after every key of the table:
   the entry goes at the end of the B-tree (MDB_APPEND: no descent by
   key, no page split in the middle, pages left full). STORE_OK, or 1
   when the key does not sort after the table's last key (nothing
   written). For tables whose keys grow: the log's, the trail's. */
int store_put_append (store_txn_t *txn, store_table_t table, const void *key,
                      size_t key_size, const void *value, size_t size);

/* Copies the table's first key into `key` (capacity *key_size) and sets
   *key_size to its length: STORE_NOTFOUND when the table is empty,
   STORE_TOOBIG when it does not fit. A write transaction remembers the
   first key of the table last asked about until a write changes it, so
   asking again costs no descent (store_first.c). */
int store_first (store_txn_t *txn, store_table_t table, void *key,
                 size_t *key_size);

/* Copies the table's last key into `key` (capacity *key_size) and sets
   *key_size to its length. STORE_NOTFOUND when the table is empty,
   STORE_TOOBIG when it does not fit (*key_size is the length needed). */
int store_last (store_txn_t *txn, store_table_t table, void *key,
                size_t *key_size);

/* Deletes key. STORE_NOTFOUND when absent. */
int store_del (store_txn_t *txn, store_table_t table, const void *key,
               size_t key_size);

/* Number of entries in a table as of this transaction. */
size_t store_count (store_txn_t *txn, store_table_t table);

/* Appends an encoded event to the log and returns its sequence number
   (1, 2, ...) in *seq. Log keys are big-endian so appends go to the end of
   the B-tree (MDB_APPEND: no page splits in the middle). */
int store_log_append (store_txn_t *txn, const void *event, size_t size,
                      uint64_t *seq);

/* The sequence number the next store_log_append of this transaction
   will give (1 for an empty log). */
int store_log_next (store_txn_t *txn, uint64_t *seq);

/* Vector records: an array of int32 values stored as varints
   (store_vector.c: zig-zag, seven bits a byte, trailing zeros left
   out). A record holds at most STORE_I32_BYTES (n) bytes. */
#define STORE_I32_BYTES(n) ((n)*5)

/* Writes the record of values[0..n) into bytes (STORE_I32_BYTES (n)
   of room); returns its size, 0 when every value is zero. */
size_t store_i32_encode (const int32_t *values, size_t n, uint8_t *bytes);

/* Reads a record into out[0..n): values past its end are zero, values
   past n are ignored. Returns 0, or -1 (out all zero) when the bytes
   are not a record. */
int store_i32_decode (const void *bytes, size_t size, int32_t *out, size_t n);

/* Adds `delta` (n int32 values) element-wise to the vector record stored
   under key, creating it (zeros) when absent; a shorter stored record is
   zero-extended first, so records grow when counters are added. */
int store_add_i32 (store_txn_t *txn, store_table_t table, const void *key,
                   size_t key_size, const int32_t *delta, size_t n);
/* store_add_i32 of a vector of n values that are all zero but one, the
   value at `index`: the same record, without the vector (n <= 64 when
   the transaction is not a write one). */
int store_add_one (store_txn_t *txn, store_table_t table, const void *key,
                   size_t key_size, size_t n, size_t index, int32_t delta);

/* Reads the vector record under key into out[0..n), zero-filling what
   is absent or shorter. STORE_OK even when the key is absent;
   STORE_ERROR when the value is not a vector record. */
int store_get_i32 (store_txn_t *txn, store_table_t table, const void *key,
                   size_t key_size, int32_t *out, size_t n);

/* Meta values are u64s under a short name ("clock", "pubseq"...). */
int store_meta_get (store_txn_t *txn, const char *name, uint64_t *value);
int store_meta_put (store_txn_t *txn, const char *name, uint64_t value);

/* Cursors walk a table in key order from the first key >= `from` (NULL:
   from the start). store_cursor_next returns STORE_OK and borrowed
   pointers valid until the next cursor call or the end of the transaction
   ("look but do not touch"), or STORE_NOTFOUND at the end. */
store_cursor_t *store_cursor_new (store_txn_t *txn, store_table_t table,
                                  const void *from, size_t from_size);
int store_cursor_next (store_cursor_t *self, const void **key, size_t *key_size,
                       const void **value, size_t *size);
/* Deletes the entry the cursor is on (write transactions only). */
int store_cursor_del (store_cursor_t *self);
void store_cursor_destroy (store_cursor_t **self_p);

/* Big-endian u64 helpers for ordered keys. */
void store_put_be64 (uint8_t *dest, uint64_t value);
uint64_t store_get_be64 (const uint8_t *src);

/* Bytes the environment uses on disk, and its configured map size. */
int store_info (store_t *self, uint64_t *used, uint64_t *map_size);

/* Deletes every entry of a table inside the write transaction; the table
   itself stays (LMDB's mdb_drop with del=0). Its pages go back to the
   free list when the transaction commits. */
int store_clear (store_txn_t *txn, store_table_t table);

/*  The tap: a hook that sees every table operation a write transaction
    makes, for a tool that must repeat exactly the same work elsewhere
    (hotline-bench replays hotlined's operations into SQLite). hotlined
    never sets one; unset, it costs one well-predicted branch per call.

    STORE_TAP_READ   a point read (store_get, store_exists, store_get_i32,
                     store_meta_get) of `key`, found or not; a cursor
                     step, with the key it reached (NULL, 0 past the end);
                     the log's last key, read once per transaction by
                     store_log_next or the first store_log_append; a
                     table's last key (store_last); a refused
                     store_put_append, with its key
    STORE_TAP_PUT    `key` now holds `value`: store_put, store_put_new
                     when it wrote (a refused one is a READ), store_meta_put,
                     store_log_append (the key is the big-endian seq),
                     store_put_append when it wrote, and
                     each record store_add_i32 changed, with its new value:
                     adds are summed in memory and written once per record
                     at commit, or before anything touches their table, so
                     the tap sees exactly those writes, not every add
    STORE_TAP_DEL    `key` deleted (store_del, found or not, and
                     store_cursor_del with the cursor's key); value NULL
    STORE_TAP_CLEAR  every entry of the table deleted (store_clear); key
                     and value NULL

    The tap is called on the transaction's thread, as each operation is
    done and in that order; key and value are borrowed for the call. A
    transaction that aborts made its calls for nothing: the owner drops
    what it collected. Read transactions are never tapped. A transaction
    keeps the tap that was set when it began; set it while no write
    transaction is open. */
typedef enum {
    STORE_TAP_READ = 0,
    STORE_TAP_PUT = 1,
    STORE_TAP_DEL = 2,
    STORE_TAP_CLEAR = 3,
    STORE_TAP_OPS = 4
} store_tap_op_t;

typedef void (store_tap_fn) (void *arg, store_tap_op_t op, store_table_t table,
                             const void *key, size_t key_size,
                             const void *value, size_t size);

/* Sets the tap (NULL removes it) and the argument it is called with. */
void store_set_tap (store_t *self, store_tap_fn *tap, void *arg);

#endif
