/*  store_first: a table's first key, remembered by a write transaction
    (store.h).

    The scorer asks, for every event it applies on the event clock,
    whether the earliest entry of the deadline index is due: a cursor
    opened, a descent to the first leaf and the cursor closed, thousands
    of times in one transaction for an answer that seldom changes. A
    write transaction keeps the first key of the table last asked about;
    every write to that table goes through store__tap, which keeps the
    key true (a smaller key put becomes the first; the first deleted, or
    the table cleared, is forgotten and read again when next asked). */
#include "store_internal.h"

#include <lmdb.h>
#include <string.h>

/* LMDB's default order: bytes, then the shorter first. */
static int
s_compare (const void *a, size_t a_size, const void *b, size_t b_size)
{
    int c = memcmp (a, b, a_size < b_size ? a_size : b_size);
    if (c != 0)
        return c;
    return a_size < b_size ? -1 : a_size > b_size ? 1 : 0;
}

void
store__first_note (store_txn_t *txn, store_tap_op_t op, const void *key,
                   size_t key_size)
{
    store__first_t *f = &txn->first;
    if (op == STORE_TAP_PUT) {
        if (!f->empty && s_compare (key, key_size, f->key, f->size) >= 0)
            return;
        if (key_size > sizeof (f->key)) {
            f->known = false;
            return;
        }
        memcpy (f->key, key, key_size);
        f->size = key_size;
        f->empty = false;
    } else if (op == STORE_TAP_DEL) {
        if (!f->empty &&
            (!key || s_compare (key, key_size, f->key, f->size) <= 0))
            f->known = false;
    } else if (op == STORE_TAP_CLEAR)
        f->known = false;
}

int
store_first (store_txn_t *txn, store_table_t table, void *key, size_t *size)
{
    store__first_t *f = &txn->first;
    if (!txn->write || !f->known || f->table != table) {
        MDB_val k;
        int rc = store__edge (txn, table, false, &k);
        if (rc != STORE_OK && rc != STORE_NOTFOUND)
            return rc;
        /* A write transaction remembers it, unless it is too long. */
        f->known = txn->write &&
                   (rc == STORE_NOTFOUND || k.mv_size <= sizeof (f->key));
        if (f->known) {
            f->table = (uint8_t)table;
            f->empty = rc == STORE_NOTFOUND;
            if (!f->empty) {
                memcpy (f->key, k.mv_data, k.mv_size);
                f->size = k.mv_size;
            }
        }
        return rc == STORE_OK ? store__copy_out (&k, key, size) : rc;
    }
    if (f->empty)
        return STORE_NOTFOUND;
    MDB_val k = {f->size, f->key};
    return store__copy_out (&k, key, size);
}
