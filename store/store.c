/*  store: LMDB environment, tables, transactions and cursors.
    See store.h for the contract. */
#include "store_internal.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define STORE_DEFAULT_MAP (4ULL << 30)

/* A write that came up short on a file system with less free space than
   this is a full disk (LMDB reports a short write as EIO). */
#define DISK_LOW_BYTES (8ULL << 20)

struct _store_cursor_t {
    MDB_cursor *cursor;  /* the LMDB cursor */
    MDB_val from;        /* starting key, or empty for the first */
    bool started;        /* first call done */
    store_txn_t *txn;    /* its transaction, for the tap */
    store_table_t table; /* the table it walks, for the tap */
};

static const char *s_table_names[STORE_TABLE_COUNT] = {"meta",
                                                       "log",
                                                       "dedup",
                                                       "tickets",
                                                       "due",
                                                       "counters",
                                                       "manual",
                                                       "units",
                                                       "alerts",
                                                       "rejected",
                                                       "counted",
                                                       "trail",
                                                       "appeals",
                                                       "published",
                                                       "calendar",
                                                       "rejected_index",
                                                       "counted_pending",
                                                       "counted_settling"};

/* LMDB error text of the last STORE_ERROR, kept per thread so concurrent
   readers do not clobber each other's message. */
static _Thread_local int s_last_mdb_rc;

int
store__map_rc (int rc)
{
    if (rc == 0)
        return STORE_OK;
    if (rc == MDB_NOTFOUND)
        return STORE_NOTFOUND;
    if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL)
        return STORE_FULL;
    if (rc == ENOSPC || rc == EDQUOT)
        return STORE_DISK_FULL;
    s_last_mdb_rc = rc;
    return STORE_ERROR;
}

/* Where a write reached the disk (a commit, or a put that spilled
   pages): LMDB answers a short write with EIO, which on a file system
   without free space is a full disk, not a failing one. */
int
store__write_rc (const store_t *store, int rc)
{
    int mapped = store__map_rc (rc);
    if (mapped != STORE_ERROR || rc != EIO)
        return mapped;
    struct statvfs fs;
    if (statvfs (store->dir, &fs) != 0)
        return mapped;
    /* Root writes into the blocks reserved for it; others stop before. */
    unsigned long long free_blocks = geteuid () == 0 ? fs.f_bfree : fs.f_bavail;
    return free_blocks * fs.f_frsize < DISK_LOW_BYTES ? STORE_DISK_FULL
                                                      : mapped;
}

const char *
store_strerror (int rc)
{
    switch (rc) {
    case STORE_OK:
        return "ok";
    case STORE_NOTFOUND:
        return "not found";
    case STORE_FULL:
        return "store is full (the LMDB map reached its ceiling, "
               "map_max_mb: raise it and restart)";
    case STORE_DISK_FULL:
        return "disk full (no space left on the device of the data "
               "directory: free some, and resends are stored)";
    case STORE_TOOBIG:
        return "value larger than the buffer";
    default:
        return s_last_mdb_rc ? mdb_strerror (s_last_mdb_rc) : "store error";
    }
}

store_t *
store__open (const char *dir, size_t map_size, bool scratch, char *err)
{
    if (mkdir (dir, 0750) != 0 && errno != EEXIST) {
        snprintf (err, 256, "cannot create %s: %s", dir, strerror (errno));
        return NULL;
    }
    store_t *self = calloc (1, sizeof (*self));
    if (self)
        self->dir = strdup (dir);
    if (!self || !self->dir) {
        free (self);
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    pthread_mutex_init (&self->gate, NULL);
    pthread_cond_init (&self->changed, NULL);
    MDB_txn *txn = NULL;
    int rc = mdb_env_create (&self->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs (self->env, STORE_TABLE_COUNT);
    if (rc == 0)
        rc = mdb_env_set_mapsize (self->env,
                                  map_size ? map_size : STORE_DEFAULT_MAP);
    /* MDB_NOTLS: read transactions are tied to the transaction object, not
       the thread's slot, so actor threads can each keep their own. A
       scratch store is thrown away with its process's use of it: its
       commits need not reach the disk (MDB_NOSYNC). Its one user at a
       time (a thread that begins a transaction only when the last one
       ended) needs no lock file (MDB_NOLOCK), and must not have one:
       LMDB maps it, and on a file system with no room left, touching
       the map kills the process with SIGBUS. For the same reason not
       MDB_WRITEMAP, though it would save the commits' writes: a write
       says ENOSPC, and the store says "full". The daemon's as-of
       checkpoints live in scratch stores under $TMPDIR. */
    unsigned flags = MDB_NOTLS | (scratch ? MDB_NOSYNC | MDB_NOLOCK : 0);
    if (rc == 0)
        rc = mdb_env_open (self->env, dir, flags, 0640);
    if (rc == 0)
        rc = mdb_txn_begin (self->env, NULL, 0, &txn);
    for (int t = 0; rc == 0 && t < STORE_TABLE_COUNT; t++)
        rc = mdb_dbi_open (txn, s_table_names[t], MDB_CREATE, &self->dbi[t]);
    if (rc == 0) {
        rc = mdb_txn_commit (txn);
        txn = NULL;
    }
    if (rc != 0) {
        snprintf (err, 256, "cannot open store in %s: %s", dir,
                  mdb_strerror (rc));
        if (txn)
            mdb_txn_abort (txn);
        if (self->env)
            mdb_env_close (self->env);
        pthread_mutex_destroy (&self->gate);
        pthread_cond_destroy (&self->changed);
        free (self->dir);
        free (self);
        return NULL;
    }
    return self;
}

store_t *
store_new (const char *dir, size_t map_size, char *err)
{
    return store__open (dir, map_size, false, err);
}

int
store__set_scratch (store_t *self, const char *dir)
{
    self->scratch = strdup (dir);
    return self->scratch ? 0 : -1;
}

void
store_destroy (store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_t *self = *self_p;
    mdb_env_close (self->env);
    if (self->scratch) {
        store_remove_dir (self->scratch);
        free (self->scratch);
    }
    pthread_mutex_destroy (&self->gate);
    pthread_cond_destroy (&self->changed);
    free (self->dir);
    free (self);
    *self_p = NULL;
}

const char *
store_table_name (store_table_t table)
{
    return table >= 0 && table < STORE_TABLE_COUNT ? s_table_names[table] : "?";
}

/* ---- the tap ------------------------------------------------------- */

void
store_set_tap (store_t *self, store_tap_fn *tap, void *arg)
{
    self->tap = tap;
    self->tap_arg = arg;
}

/* ---- write-behind counters ----------------------------------------

   A batch of events adds to the same counter records again and again:
   every event of a unit touches that unit's month and quarter records,
   once per slice, often several counters at once. Reading and writing
   the B-tree for each add costs a descent, a key comparison per level
   and a dirty-page lookup each time. Instead adds are summed in a hash
   table and written once per record at commit, or earlier when something reads
   a table with pending adds: reads always see every add made before them. */

static uint32_t
s_hash (store_table_t table, const uint8_t *key, size_t size)
{
    uint32_t h = 2166136261u ^ (uint32_t)table; /* FNV-1a */
    for (size_t i = 0; i < size; i++)
        h = (h ^ key[i]) * 16777619u;
    return h;
}

static void
s_adds_free (store_txn_t *txn)
{
    for (size_t i = 0; i < txn->add_slots; i++)
        free (txn->adds[i].key);
    free (txn->adds);
    txn->adds = NULL;
    txn->add_slots = txn->add_count = 0;
    txn->pending = 0;
}

static int
s_adds_grow (store_txn_t *txn)
{
    size_t slots = txn->add_slots ? txn->add_slots * 2 : 1024;
    store__add_t *adds = calloc (slots, sizeof (*adds));
    if (!adds)
        return -1;
    for (size_t i = 0; i < txn->add_slots; i++) {
        store__add_t *a = &txn->adds[i];
        if (!a->key)
            continue;
        size_t at = a->hash & (slots - 1);
        while (adds[at].key)
            at = (at + 1) & (slots - 1);
        adds[at] = *a;
    }
    free (txn->adds);
    txn->adds = adds;
    txn->add_slots = slots;
    return 0;
}

static int s_add_now (store_txn_t *txn, store_table_t table, const void *key,
                      size_t key_size, const int32_t *delta, size_t n);

/* Writes every pending add and empties the table. In hash order: sorting
   by key first cost more (a quarter of all instructions under callgrind,
   for a batch of 4,096 events over 1,000 units) than it saved. */
/* One pending add through a cursor: a single descent finds the record,
   and a record of the same length is overwritten in place. Returns
   LMDB's code. */
static int
s_add_cursor (store_txn_t *txn, MDB_cursor *cursor, const store__add_t *a)
{
    int32_t values[64];
    uint8_t bytes[STORE_I32_BYTES (64)];
    size_t n = a->n <= 64 ? a->n : 64; /* store_add_i32 keeps n <= 64 */
    MDB_val k = {a->key_size, a->key}, v;
    int rc = mdb_cursor_get (cursor, &k, &v, MDB_SET_KEY);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    if (rc == 0 && store_i32_decode (v.mv_data, v.mv_size, values, n) != 0)
        return MDB_CORRUPTED; /* not a vector record */
    if (rc == MDB_NOTFOUND)
        memset (values, 0, n * sizeof (int32_t));
    for (size_t i = 0; i < n; i++)
        values[i] += a->delta[i];
    MDB_val put = {store_i32_encode (values, n, bytes), bytes};
    /* A record of the same length is overwritten in place. */
    bool same = rc == 0 && v.mv_size == put.mv_size;
    k.mv_size = a->key_size;
    k.mv_data = a->key;
    rc = mdb_cursor_put (cursor, &k, &put, same ? MDB_CURRENT : 0);
    if (rc == 0)
        store__tap (txn, STORE_TAP_PUT, (store_table_t)a->table, a->key,
                    a->key_size, bytes, put.mv_size);
    return rc;
}

/* Writes every pending add and empties the table. In hash order: sorting
   by key first cost more (under callgrind, for batches of 4,096 events
   over 1,000 units) than the cache misses it saved. */
static int
s_adds_flush (store_txn_t *txn)
{
    int rc = STORE_OK;
    MDB_cursor *cursors[STORE_TABLE_COUNT] = {NULL};
    for (size_t i = 0; i < txn->add_slots && rc == STORE_OK; i++) {
        store__add_t *a = &txn->adds[i];
        if (!a->key)
            continue;
        MDB_cursor **cursor = &cursors[a->table];
        if (!*cursor)
            rc = store__map_rc (
                mdb_cursor_open (txn->txn, txn->store->dbi[a->table], cursor));
        if (rc == STORE_OK)
            rc = store__write_rc (txn->store, s_add_cursor (txn, *cursor, a));
    }
    for (int t = 0; t < STORE_TABLE_COUNT; t++)
        if (cursors[t])
            mdb_cursor_close (cursors[t]);
    s_adds_free (txn);
    return rc;
}

/* Flushes before anything reads or writes `table` directly. */
int
store__settle (store_txn_t *txn, store_table_t table)
{
    if (table == STORE_META && txn->meta_count > 0) {
        int rc = store__meta_flush (txn);
        if (rc != STORE_OK)
            return rc;
    }
    return txn->pending & (1u << table) ? s_adds_flush (txn) : STORE_OK;
}

store_txn_t *
store_begin (store_t *self, bool write)
{
    store_txn_t *txn = calloc (1, sizeof (*txn));
    if (!txn)
        return NULL;
    txn->store = self;
    txn->write = write;
    if (write) {
        txn->tap = self->tap;
        txn->tap_arg = self->tap_arg;
    }
    store__gate_enter (self);
    int rc = mdb_txn_begin (self->env, NULL, write ? 0 : MDB_RDONLY, &txn->txn);
    if (rc != 0) {
        store__gate_leave (self);
        fprintf (stderr, "store: cannot begin transaction: %s\n",
                 mdb_strerror (rc));
        free (txn);
        return NULL;
    }
    return txn;
}

int
store_commit (store_txn_t **txn_p)
{
    store_txn_t *txn = *txn_p;
    store_t *store = txn->store;
    int rc = store__meta_flush (txn);
    if (rc == STORE_OK)
        rc = s_adds_flush (txn);
    else
        s_adds_free (txn);
    if (rc != STORE_OK)
        mdb_txn_abort (txn->txn);
    else
        rc = store__write_rc (store, mdb_txn_commit (txn->txn));
    store__gate_leave (store);
    free (txn);
    *txn_p = NULL;
    return rc;
}

void
store_abort (store_txn_t **txn_p)
{
    if (!txn_p || !*txn_p)
        return;
    mdb_txn_abort ((*txn_p)->txn);
    store__gate_leave ((*txn_p)->store);
    s_adds_free (*txn_p);
    free (*txn_p);
    *txn_p = NULL;
}

int
store_get (store_txn_t *txn, store_table_t table, const void *key,
           size_t key_size, void *value, size_t *size)
{
    int settled = store__settle (txn, table);
    if (settled != STORE_OK)
        return settled;
    MDB_val k = {key_size, (void *)key}, v;
    int rc = mdb_get (txn->txn, txn->store->dbi[table], &k, &v);
    store__tap (txn, STORE_TAP_READ, table, key, key_size, NULL, 0);
    return rc == 0 ? store__copy_out (&v, value, size) : store__map_rc (rc);
}

int
store__copy_out (const MDB_val *from, void *to, size_t *size)
{
    size_t capacity = *size;
    *size = from->mv_size;
    if (from->mv_size > capacity)
        return STORE_TOOBIG;
    memcpy (to, from->mv_data, from->mv_size);
    return STORE_OK;
}

int
store_exists (store_txn_t *txn, store_table_t table, const void *key,
              size_t key_size)
{
    int rc = store__settle (txn, table);
    if (rc != STORE_OK)
        return rc;
    MDB_val k = {key_size, (void *)key}, v;
    rc = mdb_get (txn->txn, txn->store->dbi[table], &k, &v);
    store__tap (txn, STORE_TAP_READ, table, key, key_size, NULL, 0);
    return store__map_rc (rc);
}

int
store_put (store_txn_t *txn, store_table_t table, const void *key,
           size_t key_size, const void *value, size_t size)
{
    int settled = store__settle (txn, table);
    if (settled != STORE_OK)
        return settled;
    MDB_val k = {key_size, (void *)key}, v = {size, (void *)value};
    int rc = mdb_put (txn->txn, txn->store->dbi[table], &k, &v, 0);
    if (rc == 0)
        store__tap (txn, STORE_TAP_PUT, table, key, key_size, value, size);
    return store__write_rc (txn->store, rc);
}

int
store_put_new (store_txn_t *txn, store_table_t table, const void *key,
               size_t key_size, const void *value, size_t size)
{
    return store__put_or_keep (txn, table, key, key_size, value, size,
                               MDB_NOOVERWRITE);
}

int
store__put_or_keep (store_txn_t *txn, store_table_t table, const void *key,
                    size_t key_size, const void *value, size_t size,
                    unsigned flags)
{
    int settled = store__settle (txn, table);
    if (settled != STORE_OK)
        return settled;
    MDB_val k = {key_size, (void *)key}, v = {size, (void *)value};
    int rc = mdb_put (txn->txn, txn->store->dbi[table], &k, &v, flags);
    if (rc == 0 || rc == MDB_KEYEXIST)
        store__tap (txn, rc == 0 ? STORE_TAP_PUT : STORE_TAP_READ, table, key,
                    key_size, rc == 0 ? value : NULL, rc == 0 ? size : 0);
    return rc == MDB_KEYEXIST ? 1 : store__write_rc (txn->store, rc);
}

int
store_del (store_txn_t *txn, store_table_t table, const void *key,
           size_t key_size)
{
    int settled = store__settle (txn, table);
    if (settled != STORE_OK)
        return settled;
    MDB_val k = {key_size, (void *)key};
    int rc = mdb_del (txn->txn, txn->store->dbi[table], &k, NULL);
    if (rc == 0 || rc == MDB_NOTFOUND)
        store__tap (txn, STORE_TAP_DEL, table, key, key_size, NULL, 0);
    return store__map_rc (rc);
}

size_t
store_count (store_txn_t *txn, store_table_t table)
{
    MDB_stat st;
    if (store__settle (txn, table) != STORE_OK ||
        mdb_stat (txn->txn, txn->store->dbi[table], &st) != 0)
        return 0;
    return st.ms_entries;
}

void
store_put_be64 (uint8_t *dest, uint64_t value)
{
    for (int i = 7; i >= 0; i--) {
        dest[i] = (uint8_t)(value & 0xff);
        value >>= 8;
    }
}

uint64_t
store_get_be64 (const uint8_t *src)
{
    uint64_t value = 0;
    for (int i = 0; i < 8; i++)
        value = (value << 8) | src[i];
    return value;
}

int
store_get_i32 (store_txn_t *txn, store_table_t table, const void *key,
               size_t key_size, int32_t *out, size_t n)
{
    memset (out, 0, n * sizeof (int32_t));
    int settled = store__settle (txn, table);
    if (settled != STORE_OK)
        return settled;
    MDB_val k = {key_size, (void *)key}, v;
    int rc = mdb_get (txn->txn, txn->store->dbi[table], &k, &v);
    store__tap (txn, STORE_TAP_READ, table, key, key_size, NULL, 0);
    if (rc == MDB_NOTFOUND)
        return STORE_OK;
    if (rc != 0)
        return store__map_rc (rc);
    return store_i32_decode (v.mv_data, v.mv_size, out, n) == 0 ? STORE_OK
                                                                : STORE_ERROR;
}

static int
s_add_now (store_txn_t *txn, store_table_t table, const void *key,
           size_t key_size, const int32_t *delta, size_t n)
{
    int32_t stack[64];
    uint8_t stack_bytes[STORE_I32_BYTES (64)];
    int32_t *values = n <= 64 ? stack : malloc (n * sizeof (int32_t));
    uint8_t *bytes = n <= 64 ? stack_bytes : malloc (STORE_I32_BYTES (n));
    if (!values || !bytes) {
        if (values != stack)
            free (values);
        if (bytes != stack_bytes)
            free (bytes);
        return STORE_ERROR;
    }
    memset (values, 0, n * sizeof (int32_t));
    MDB_val k = {key_size, (void *)key}, v;
    int rc = mdb_get (txn->txn, txn->store->dbi[table], &k, &v);
    if (rc == 0 && store_i32_decode (v.mv_data, v.mv_size, values, n) != 0)
        rc = MDB_CORRUPTED; /* not a vector record */
    if (rc == 0 || rc == MDB_NOTFOUND) {
        for (size_t i = 0; i < n; i++)
            values[i] += delta[i];
        v.mv_size = store_i32_encode (values, n, bytes);
        v.mv_data = bytes;
        rc = mdb_put (txn->txn, txn->store->dbi[table], &k, &v, 0);
        if (rc == 0)
            store__tap (txn, STORE_TAP_PUT, table, key, key_size, bytes,
                        v.mv_size);
    }
    rc = store__write_rc (txn->store, rc);
    if (values != stack)
        free (values);
    if (bytes != stack_bytes)
        free (bytes);
    return rc;
}

/* The pending add of (table, key), made (zero) when there is none, with
   room for n values; NULL when out of memory. */
static store__add_t *
s_add_slot (store_txn_t *txn, store_table_t table, const void *key,
            size_t key_size, size_t n)
{
    if (txn->add_count * 2 >= txn->add_slots && s_adds_grow (txn) != 0)
        return NULL;
    uint32_t hash = s_hash (table, key, key_size);
    size_t at = hash & (txn->add_slots - 1);
    store__add_t *a;
    while ((a = &txn->adds[at])->key) {
        if (a->hash == hash && a->table == table && a->key_size == key_size &&
            memcmp (a->key, key, key_size) == 0)
            break;
        at = (at + 1) & (txn->add_slots - 1);
    }
    if (a->key && a->n < n) {
        /* A longer vector than before: records grow, zero-extended. */
        size_t offset = (size_t)((uint8_t *)a->delta - a->key);
        uint8_t *block = realloc (a->key, offset + n * sizeof (int32_t));
        if (!block)
            return NULL;
        a->key = block;
        a->delta = (int32_t *)(block + offset);
        memset (a->delta + a->n, 0, (n - a->n) * sizeof (int32_t));
        a->n = (uint16_t)n;
    }
    if (!a->key) {
        size_t offset = (key_size + 7) & ~(size_t)7;
        a->key = calloc (1, offset + n * sizeof (int32_t));
        if (!a->key)
            return NULL;
        memcpy (a->key, key, key_size);
        a->delta = (int32_t *)(a->key + offset);
        a->hash = hash;
        a->table = (uint8_t)table;
        a->key_size = (uint16_t)key_size;
        a->n = (uint16_t)n;
        txn->add_count++;
        txn->pending |= 1u << table;
    }
    return a;
}

/* Adds are summed in memory in a write transaction, for keys and vectors
   of the usual sizes; the rest is read and written at once. */
static bool
s_add_later (const store_txn_t *txn, size_t key_size, size_t n)
{
    return txn->write && key_size > 0 && key_size <= STORE_KEY_MAX && n > 0 &&
           n <= 64;
}

int
store_add_i32 (store_txn_t *txn, store_table_t table, const void *key,
               size_t key_size, const int32_t *delta, size_t n)
{
    if (!s_add_later (txn, key_size, n))
        return s_add_now (txn, table, key, key_size, delta, n);
    store__add_t *a = s_add_slot (txn, table, key, key_size, n);
    if (!a)
        return STORE_ERROR;
    for (size_t i = 0; i < n; i++)
        a->delta[i] += delta[i];
    return STORE_OK;
}

int
store_add_one (store_txn_t *txn, store_table_t table, const void *key,
               size_t key_size, size_t n, size_t index, int32_t delta)
{
    if (index >= n)
        return STORE_ERROR;
    if (!s_add_later (txn, key_size, n)) {
        int32_t stack[64] = {0};
        if (n > 64)
            return STORE_ERROR;
        stack[index] = delta;
        return s_add_now (txn, table, key, key_size, stack, n);
    }
    store__add_t *a = s_add_slot (txn, table, key, key_size, n);
    if (!a)
        return STORE_ERROR;
    a->delta[index] += delta;
    return STORE_OK;
}

store_cursor_t *
store_cursor_new (store_txn_t *txn, store_table_t table, const void *from,
                  size_t from_size)
{
    if (store__settle (txn, table) != STORE_OK)
        return NULL;
    store_cursor_t *self = calloc (1, sizeof (*self));
    if (!self)
        return NULL;
    if (mdb_cursor_open (txn->txn, txn->store->dbi[table], &self->cursor) !=
        0) {
        free (self);
        return NULL;
    }
    self->from.mv_data = (void *)from;
    self->from.mv_size = from ? from_size : 0;
    self->txn = txn;
    self->table = table;
    return self;
}

int
store_cursor_next (store_cursor_t *self, const void **key, size_t *key_size,
                   const void **value, size_t *size)
{
    MDB_val k = self->from, v;
    int rc;
    if (!self->started) {
        self->started = true;
        rc = mdb_cursor_get (self->cursor, &k, &v,
                             k.mv_size ? MDB_SET_RANGE : MDB_FIRST);
    } else
        rc = mdb_cursor_get (self->cursor, &k, &v, MDB_NEXT);
    store__tap (self->txn, STORE_TAP_READ, self->table,
                rc == 0 ? k.mv_data : NULL, rc == 0 ? k.mv_size : 0, NULL, 0);
    if (rc != 0)
        return store__map_rc (rc);
    *key = k.mv_data;
    *key_size = k.mv_size;
    if (value)
        *value = v.mv_data;
    if (size)
        *size = v.mv_size;
    return STORE_OK;
}

int
store_cursor_del (store_cursor_t *self)
{
    /* After mdb_cursor_del the cursor stays valid and MDB_NEXT returns the
       entry that followed the deleted one, so a walk can go on. The tap
       is told the key, read before it goes. */
    uint8_t key[STORE_KEY_MAX];
    size_t key_size = 0;
    MDB_val k, v;
    const store__first_t *first = &self->txn->first;
    bool note = self->txn->tap || (first->known && first->table == self->table);
    if (note && mdb_cursor_get (self->cursor, &k, &v, MDB_GET_CURRENT) == 0 &&
        k.mv_size <= sizeof (key)) {
        memcpy (key, k.mv_data, k.mv_size); /* the page changes below */
        key_size = k.mv_size;
    }
    int rc = mdb_cursor_del (self->cursor, 0);
    if (rc == 0 && key_size)
        store__tap (self->txn, STORE_TAP_DEL, self->table, key, key_size, NULL,
                    0);
    else if (rc == 0 && note && first->known && first->table == self->table)
        store__first_note (self->txn, STORE_TAP_DEL, NULL, 0);
    return store__map_rc (rc);
}

void
store_cursor_destroy (store_cursor_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    mdb_cursor_close ((*self_p)->cursor);
    free (*self_p);
    *self_p = NULL;
}

int
store_info (store_t *self, uint64_t *used, uint64_t *map_size)
{
    MDB_envinfo info;
    MDB_stat st;
    int rc = mdb_env_info (self->env, &info);
    if (rc == 0)
        rc = mdb_env_stat (self->env, &st);
    if (rc != 0)
        return store__map_rc (rc);
    *used = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
    *map_size = info.me_mapsize;
    return STORE_OK;
}

int
store_clear (store_txn_t *txn, store_table_t table)
{
    int rc = store__settle (txn, table);
    if (rc != STORE_OK)
        return rc;
    if (table == STORE_LOG)
        txn->log_next = 0;
    rc = mdb_drop (txn->txn, txn->store->dbi[table], 0);
    if (rc == 0)
        store__tap (txn, STORE_TAP_CLEAR, table, NULL, 0, NULL, 0);
    return store__map_rc (rc);
}
