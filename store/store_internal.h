/*  store_internal: shared by the store's files, not part of its contract. */
#ifndef STORE_INTERNAL_H_INCLUDED
#define STORE_INTERNAL_H_INCLUDED

#include "store.h"

#include <lmdb.h>
#include <pthread.h>

struct _store_t {
    MDB_env *env;                   /* the one environment */
    MDB_dbi dbi[STORE_TABLE_COUNT]; /* named databases, fixed at open */
    char *scratch;                  /* a scratch store's directory, removed
                                       with it; NULL for a data directory */
    char *dir;                      /* the directory, for its free space */
    size_t map_max;                 /* store_make_room's ceiling, 0: none */
    pthread_mutex_t gate;           /* guards active and growing */
    pthread_cond_t changed;         /* signalled when either changes */
    size_t active;                  /* transactions open in this process */
    bool growing;                   /* store_make_room wants them closed */
    store_tap_fn *tap;              /* sees write transactions, or NULL */
    void *tap_arg;                  /* the tap's argument */
};

/* store_new, and for a scratch store (`scratch`) without fsync: what it
   holds is never needed after a crash. */
store_t *store__open (const char *dir, size_t map_size, bool scratch,
                      char *err);

/* Marks a store as scratch: store_destroy removes `dir` (copied). */
int store__set_scratch (store_t *self, const char *dir);

/* Every transaction enters the gate when it begins and leaves it when
   it ends (store_room.c): store_make_room waits for none to be open. */
void store__gate_enter (store_t *self);
void store__gate_leave (store_t *self);

/* A pending store_add_i32: deltas summed in memory until the table is
   read or the transaction commits (store.c). */
typedef struct {
    uint32_t hash;     /* of table and key */
    uint16_t key_size; /* bytes of key */
    uint16_t n;        /* int32 values in delta */
    uint8_t table;     /* store_table_t */
    uint8_t *key;      /* key_size bytes, then n int32 deltas (aligned) */
    int32_t *delta;    /* inside the same block as key */
} store__add_t;

/* A meta value kept by a write transaction (store_meta.c). */
#define STORE__META_SLOTS 8
typedef struct {
    char name[23];  /* the name, NUL-padded */
    uint8_t len;    /* its length */
    bool present;   /* stored (or written in this transaction) */
    bool dirty;     /* written in this transaction, not yet in the table */
    uint64_t value; /* the value when present */
} store__meta_t;

/* A table's first key as a write transaction knows it (store_first.c). */
typedef struct {
    bool known;       /* the fields below are true */
    bool empty;       /* the table has no key */
    uint8_t table;    /* store_table_t */
    size_t size;      /* bytes of key */
    uint8_t key[128]; /* the first key (longer ones are not kept) */
} store__first_t;

struct _store_txn_t {
    store_t *store;     /* owner of the dbi handles */
    MDB_txn *txn;       /* the LMDB transaction */
    bool write;         /* a write transaction */
    store__add_t *adds; /* open-addressing table of pending adds */
    size_t add_slots;   /* its size, a power of two (0: none yet) */
    size_t add_count;   /* entries in use */
    uint32_t pending;   /* bit per table with pending adds */
    uint64_t log_next;  /* next log sequence number, 0: not read yet */
    store__meta_t meta[STORE__META_SLOTS]; /* meta values kept */
    size_t meta_count;                     /* slots in use */
    store__first_t first;                  /* a table's first key */
    store_tap_fn *tap; /* the store's tap for a write transaction, or NULL */
    void *tap_arg;     /* its argument */
};

/* LMDB's code as a store_rc_t (the text of other errors is kept for
   store_strerror). */
int store__map_rc (int rc);
/* The same for a write, telling a full disk from a failing one. */
int store__write_rc (const store_t *store, int rc);
/* mdb_put with flags (MDB_NOOVERWRITE, MDB_APPEND): STORE_OK, 1 when
   LMDB keeps what is there (MDB_KEYEXIST: nothing written, the tap sees
   a read), or a store_rc_t. */
int store__put_or_keep (store_txn_t *txn, store_table_t table, const void *key,
                        size_t key_size, const void *value, size_t size,
                        unsigned flags);
/* Copies an LMDB key or value into `to` (capacity *size), setting *size
   to its length: STORE_OK, or STORE_TOOBIG when it does not fit. */
int store__copy_out (const MDB_val *from, void *to, size_t *size);
/* Writes the pending adds (and, for the meta table, the meta values
   kept) before anything reads or writes `table` directly. */
int store__settle (store_txn_t *txn, store_table_t table);
/* The first (or last) key of a table, read with a cursor and told to
   the tap: STORE_OK with *k pointing into the map (valid until the
   transaction writes), or a store_rc_t (STORE_NOTFOUND: empty). */
int store__edge (store_txn_t *txn, store_table_t table, bool last, MDB_val *k);
/* Writes the meta values changed in the transaction and forgets them
   all (store_meta.c). */
int store__meta_flush (store_txn_t *txn);

/* Keeps the remembered first key true after a write of its table
   (store_first.c); a NULL key deletes an unknown one. */
void store__first_note (store_txn_t *txn, store_tap_op_t op, const void *key,
                        size_t key_size);

/* Tells the tap, if there is one, what the transaction just did, and
   keeps the remembered first key true. Inline so that, unset, it is two
   branches in the caller. */
static inline void
store__tap (store_txn_t *txn, store_tap_op_t op, store_table_t table,
            const void *key, size_t key_size, const void *value, size_t size)
{
    if (txn->first.known && txn->first.table == table && op != STORE_TAP_READ)
        store__first_note (txn, op, key, key_size);
    if (txn->tap)
        txn->tap (txn->tap_arg, op, table, key, key_size, value, size);
}

#endif
