/*  store_append: tables written at their end. The log (store_log_next,
    store_log_append) and any table whose keys grow (store_put_append,
    store_last): an append goes to the last leaf page, never splits one
    in the middle, and leaves full pages behind it. See store.h. */
#include "store_internal.h"

#include <lmdb.h>
#include <string.h>

int
store_log_next (store_txn_t *txn, uint64_t *seq)
{
    /* The next sequence number is one past the log's last key, read from
       the B-tree itself, so it can never drift from what is stored; once
       per transaction: a write transaction is the only writer, so the
       next number is then known without another descent. */
    if (txn->log_next == 0) {
        MDB_cursor *cursor;
        int rc =
            mdb_cursor_open (txn->txn, txn->store->dbi[STORE_LOG], &cursor);
        if (rc != 0)
            return store__map_rc (rc);
        MDB_val k, v;
        uint64_t next = 1;
        rc = mdb_cursor_get (cursor, &k, &v, MDB_LAST);
        if (rc == 0 && k.mv_size == 8)
            next = store_get_be64 (k.mv_data) + 1;
        store__tap (txn, STORE_TAP_READ, STORE_LOG, rc == 0 ? k.mv_data : NULL,
                    rc == 0 ? k.mv_size : 0, NULL, 0);
        mdb_cursor_close (cursor);
        if (rc != 0 && rc != MDB_NOTFOUND)
            return store__map_rc (rc);
        if (!txn->write) {
            *seq = next; /* a reader's answer may go stale: not kept */
            return STORE_OK;
        }
        txn->log_next = next;
    }
    *seq = txn->log_next;
    return STORE_OK;
}

int
store_log_append (store_txn_t *txn, const void *event, size_t size,
                  uint64_t *seq)
{
    uint64_t next;
    int rc = store_log_next (txn, &next);
    if (rc != STORE_OK)
        return rc;
    MDB_cursor *cursor;
    rc = mdb_cursor_open (txn->txn, txn->store->dbi[STORE_LOG], &cursor);
    if (rc != 0)
        return store__map_rc (rc);
    MDB_val k, v;
    uint8_t key[8];
    store_put_be64 (key, next);
    k.mv_size = 8;
    k.mv_data = key;
    v.mv_size = size;
    v.mv_data = (void *)event;
    rc = mdb_cursor_put (cursor, &k, &v, MDB_APPEND);
    mdb_cursor_close (cursor);
    if (rc == 0) {
        *seq = next;
        txn->log_next = next + 1;
        store__tap (txn, STORE_TAP_PUT, STORE_LOG, key, 8, event, size);
    }
    return store__write_rc (txn->store, rc);
}

int
store_put_append (store_txn_t *txn, store_table_t table, const void *key,
                  size_t key_size, const void *value, size_t size)
{
    /* MDB_APPEND compares with the last key only: no descent by key, and
       a full last page splits with the new entry alone on the new one. */
    return store__put_or_keep (txn, table, key, key_size, value, size,
                               MDB_APPEND);
}

int
store__edge (store_txn_t *txn, store_table_t table, bool last, MDB_val *k)
{
    int rc = store__settle (txn, table);
    if (rc != STORE_OK)
        return rc;
    MDB_cursor *cursor;
    rc = mdb_cursor_open (txn->txn, txn->store->dbi[table], &cursor);
    if (rc != 0)
        return store__map_rc (rc);
    MDB_val v;
    rc = mdb_cursor_get (cursor, k, &v, last ? MDB_LAST : MDB_FIRST);
    store__tap (txn, STORE_TAP_READ, table, rc == 0 ? k->mv_data : NULL,
                rc == 0 ? k->mv_size : 0, NULL, 0);
    mdb_cursor_close (cursor);
    return store__map_rc (rc);
}

int
store_last (store_txn_t *txn, store_table_t table, void *key, size_t *key_size)
{
    MDB_val k;
    int rc = store__edge (txn, table, true, &k);
    return rc == STORE_OK ? store__copy_out (&k, key, key_size) : rc;
}
