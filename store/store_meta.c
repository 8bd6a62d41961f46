/*  store_meta: the meta values (store.h), kept in the write transaction.

    The scorer reads and moves the event clock for every event it applies,
    thousands in one transaction: each read a B-tree descent, each write a
    put of the same record. A write transaction therefore keeps the meta
    values it read or wrote in a few slots and writes the changed ones
    once, when it commits, or before anything reads or writes the meta
    table directly (store__settle): what a caller sees is the same, the
    log of operations (the tap) holds one put per value and transaction.
    Read transactions read through. */
#include "store_internal.h"

#include <lmdb.h>
#include <string.h>

/* Reads one value from the table itself. */
static int
s_read (store_txn_t *txn, const char *name, size_t len, uint64_t *value)
{
    MDB_val k = {len, (void *)name}, v;
    int rc = mdb_get (txn->txn, txn->store->dbi[STORE_META], &k, &v);
    store__tap (txn, STORE_TAP_READ, STORE_META, name, len, NULL, 0);
    if (rc != 0)
        return store__map_rc (rc);
    if (v.mv_size != 8)
        return STORE_ERROR;
    *value = store_get_be64 (v.mv_data);
    return STORE_OK;
}

/* The slot of `name`, or NULL. */
static store__meta_t *
s_find (store_txn_t *txn, const char *name, size_t len)
{
    for (size_t i = 0; i < txn->meta_count; i++)
        if (txn->meta[i].len == len &&
            memcmp (txn->meta[i].name, name, len) == 0)
            return &txn->meta[i];
    return NULL;
}

/* A new slot for `name`, writing and forgetting the others when all are
   taken; NULL when the name is too long to keep (or the write failed:
   *rc says). */
static store__meta_t *
s_slot (store_txn_t *txn, const char *name, size_t len, int *rc)
{
    *rc = STORE_OK;
    if (len >= sizeof (txn->meta[0].name))
        return NULL;
    if (txn->meta_count == STORE__META_SLOTS &&
        (*rc = store__meta_flush (txn)) != STORE_OK)
        return NULL;
    store__meta_t *m = &txn->meta[txn->meta_count++];
    memset (m, 0, sizeof (*m));
    memcpy (m->name, name, len);
    m->len = (uint8_t)len;
    return m;
}

int
store__meta_flush (store_txn_t *txn)
{
    int rc = STORE_OK;
    for (size_t i = 0; i < txn->meta_count && rc == STORE_OK; i++) {
        store__meta_t *m = &txn->meta[i];
        if (!m->dirty)
            continue;
        uint8_t buf[8];
        store_put_be64 (buf, m->value);
        MDB_val k = {m->len, m->name}, v = {8, buf};
        rc = store__write_rc (
            txn->store,
            mdb_put (txn->txn, txn->store->dbi[STORE_META], &k, &v, 0));
        if (rc == STORE_OK)
            store__tap (txn, STORE_TAP_PUT, STORE_META, m->name, m->len, buf,
                        8);
    }
    txn->meta_count = 0;
    return rc;
}

int
store_meta_get (store_txn_t *txn, const char *name, uint64_t *value)
{
    size_t len = strlen (name);
    if (!txn->write) {
        int settled = store__settle (txn, STORE_META);
        return settled != STORE_OK ? settled : s_read (txn, name, len, value);
    }
    store__meta_t *m = s_find (txn, name, len);
    if (m) {
        if (!m->present)
            return STORE_NOTFOUND;
        *value = m->value;
        return STORE_OK;
    }
    uint64_t read = 0;
    int rc = s_read (txn, name, len, &read);
    if (rc != STORE_OK && rc != STORE_NOTFOUND)
        return rc;
    int slot_rc;
    m = s_slot (txn, name, len, &slot_rc);
    if (slot_rc != STORE_OK)
        return slot_rc;
    if (m) {
        m->present = rc == STORE_OK;
        m->value = read;
    }
    if (rc == STORE_OK)
        *value = read;
    return rc;
}

int
store_meta_put (store_txn_t *txn, const char *name, uint64_t value)
{
    size_t len = strlen (name);
    int rc = STORE_OK;
    store__meta_t *m = txn->write ? s_find (txn, name, len) : NULL;
    if (!m && txn->write)
        m = s_slot (txn, name, len, &rc);
    if (rc != STORE_OK)
        return rc;
    if (!m) { /* a name too long to keep, or a read transaction (refused) */
        uint8_t buf[8];
        store_put_be64 (buf, value);
        return store_put (txn, STORE_META, name, len, buf, 8);
    }
    m->value = value;
    m->present = true;
    m->dirty = true;
    return STORE_OK;
}
