/*  bench_tape: see bench_tape.h. */
#include "bench_tape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One operation's head; its key and then its value follow it. */
typedef struct {
    uint8_t op;        /* store_tap_op_t */
    uint8_t table;     /* store_table_t */
    uint16_t key_size; /* bytes of key, at most STORE_KEY_MAX */
    uint32_t size;     /* bytes of value */
} s_head_t;

void
bench_tape_record (void *arg, store_tap_op_t op, store_table_t table,
                   const void *key, size_t key_size, const void *value,
                   size_t size)
{
    bench_tape_t *tape = arg;
    size_t need = sizeof (s_head_t) + key_size + size;
    if (tape->used + need > tape->cap) {
        size_t cap = tape->cap ? tape->cap : 1 << 20;
        while (tape->used + need > cap)
            cap *= 2;
        uint8_t *grown = realloc (tape->bytes, cap);
        if (!grown) {
            tape->out_of_memory = true;
            return;
        }
        tape->bytes = grown;
        tape->cap = cap;
    }
    s_head_t head = {(uint8_t)op, (uint8_t)table, (uint16_t)key_size,
                     (uint32_t)size};
    uint8_t *at = tape->bytes + tape->used;
    memcpy (at, &head, sizeof (head));
    if (key_size)
        memcpy (at + sizeof (head), key, key_size);
    if (size)
        memcpy (at + sizeof (head) + key_size, value, size);
    tape->used += need;
    tape->ops[op]++;
}

void
bench_tape_reset (bench_tape_t *tape)
{
    tape->used = 0;
    memset (tape->ops, 0, sizeof (tape->ops));
}

void
bench_tape_free (bench_tape_t *tape)
{
    free (tape->bytes);
    memset (tape, 0, sizeof (*tape));
}

bool
bench_tape_next (const bench_tape_t *tape, size_t *at, bench_tape_op_t *op)
{
    if (*at + sizeof (s_head_t) > tape->used)
        return false;
    s_head_t head;
    memcpy (&head, tape->bytes + *at, sizeof (head));
    op->op = (store_tap_op_t)head.op;
    op->table = (store_table_t)head.table;
    op->key = tape->bytes + *at + sizeof (head);
    op->key_size = head.key_size;
    op->value = op->key + head.key_size;
    op->size = head.size;
    *at += sizeof (head) + head.key_size + head.size;
    return true;
}

void
bench_tape_tally (const bench_tape_t *tape, bench_tape_tally_t *tally)
{
    size_t at = 0;
    bench_tape_op_t op;
    while (bench_tape_next (tape, &at, &op)) {
        tally->ops[op.table][op.op]++;
        if (op.op == STORE_TAP_PUT)
            tally->bytes[op.table] += op.key_size + op.size;
    }
}

int
bench_tape_play (const bench_tape_t *tape, store_t *store, bool reads,
                 char *err)
{
    if (tape->out_of_memory) {
        snprintf (err, 256, "the tape lost operations: out of memory");
        return -1;
    }
    size_t capacity = 1 << 16;
    uint8_t *value = malloc (capacity);
    store_txn_t *txn = value ? store_begin (store, true) : NULL;
    int rc = txn ? STORE_OK : STORE_ERROR;
    size_t at = 0;
    bench_tape_op_t op;
    while (rc == STORE_OK && bench_tape_next (tape, &at, &op)) {
        size_t size = capacity;
        if (op.op == STORE_TAP_READ && !reads)
            rc = STORE_OK;
        else if (op.op == STORE_TAP_READ)
            rc = op.key_size ? store_get (txn, op.table, op.key, op.key_size,
                                          value, &size)
                             : STORE_OK; /* a cursor past the end */
        else if (op.op == STORE_TAP_PUT && op.table == STORE_LOG)
            /* As store_log_append writes the log: at its end. */
            rc = store_put_append (txn, op.table, op.key, op.key_size, op.value,
                                   op.size);
        else if (op.op == STORE_TAP_PUT)
            rc = store_put (txn, op.table, op.key, op.key_size, op.value,
                            op.size);
        else if (op.op == STORE_TAP_DEL)
            rc = store_del (txn, op.table, op.key, op.key_size);
        else
            rc = store_clear (txn, op.table);
        /* What the state machine found absent (or read in part) is
           absent here too: the same work. */
        if (rc == STORE_NOTFOUND || rc == STORE_TOOBIG)
            rc = STORE_OK;
        else if (rc > 0)
            rc = STORE_ERROR; /* a log entry not at the end */
    }
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    store_abort (&txn);
    free (value);
    if (rc != STORE_OK) {
        snprintf (err, 256, "playing the tape: %s", store_strerror (rc));
        return -1;
    }
    return 0;
}

/* True when `table` holds the same entries in both transactions. */
static bool
s_table_same (store_txn_t *a, store_txn_t *b, store_table_t table)
{
    store_cursor_t *x = store_cursor_new (a, table, NULL, 0);
    store_cursor_t *y = store_cursor_new (b, table, NULL, 0);
    bool same = x && y;
    while (same) {
        const void *xk, *xv, *yk, *yv;
        size_t xks, xs, yks, ys;
        int xr = store_cursor_next (x, &xk, &xks, &xv, &xs);
        int yr = store_cursor_next (y, &yk, &yks, &yv, &ys);
        if (xr != STORE_OK || yr != STORE_OK) {
            same = xr == STORE_NOTFOUND && yr == STORE_NOTFOUND;
            break;
        }
        same = xks == yks && xs == ys && memcmp (xk, yk, xks) == 0 &&
               (!xs || memcmp (xv, yv, xs) == 0);
    }
    store_cursor_destroy (&x);
    store_cursor_destroy (&y);
    return same;
}

int
bench_stores_same (store_t *a, store_t *b, const char *what, char *err)
{
    store_txn_t *x = store_begin (a, false);
    store_txn_t *y = store_begin (b, false);
    int rc = x && y ? 0 : -1;
    if (rc != 0)
        snprintf (err, 256, "%s: cannot read the stores", what);
    for (int t = 0; t < STORE_TABLE_COUNT && rc == 0; t++)
        if (!s_table_same (x, y, (store_table_t)t)) {
            snprintf (err, 256, "%s: table %s differs", what,
                      store_table_name ((store_table_t)t));
            rc = -1;
        }
    store_abort (&x);
    store_abort (&y);
    return rc;
}
