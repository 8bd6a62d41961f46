/*  state_counted: explain's drill-down index, written late and in order
    (state.h: state_counted_scan, state_counted_settle).

    STORE_COUNTED keeps, per (period, unit, adverse counter, ticket), the
    moments the ticket counted there. Its keys start with the unit, so
    the counts of one group commit land in one leaf per (period, unit,
    counter): thousands of pages on a large store, each rewritten whole
    at the commit. Measured with hotline-bench ingest on the 10-million-
    ticket store, the index was 62% of the pages a commit wrote.

    So a change to the index is not made where it happens. It is appended
    to STORE_COUNTED_PENDING (key: u64 big-endian number, in the order
    the changes were made), which costs a page per few hundred changes.
    state_counted_settle applies the pending changes to STORE_COUNTED
    once enough wait: sorted by key (each key's changes kept in their
    order), so each leaf is read and written once for all of them, and
    the pending table is emptied in the same transaction. Readers see
    the index as if every change had been applied: state_counted_scan
    applies the unit's pending changes to what it reads.

    A change is one of three operations on a key's list of counts
    (state_counted_t, STATE_COUNTED_SIZE bytes each, at most
    STATE_COUNTED_MAX):
      ADD   append a count (a list already full stays as it is);
      TAKE  remove the latest count of the same standing (exempted or
            not); the key goes when its list is empty;
      MARK  set or clear the exempted flag of every count of the key.
    A pending change: the operation, the exempted byte, the count
    (ADD), then the STORE_COUNTED key. */
#include "state_internal.h"

#include <stdlib.h>
#include <string.h>

enum { S_ADD = 1, S_TAKE = 2, S_MARK = 3 };

/* A pending change's bytes: op, exempt, the count, the key. */
#define S_HEAD (2 + STATE_COUNTED_SIZE)

/* One key's list of counts, while changes are applied to it. */
typedef struct {
    bool present; /* the key exists */
    bool changed; /* a change moved it */
    size_t n;     /* counts */
    uint8_t value[STATE_COUNTED_MAX * STATE_COUNTED_SIZE];
} s_list_t;

/* A pending change read into memory. */
typedef struct {
    const uint8_t *bytes; /* S_HEAD bytes, then the key */
    size_t size;          /* all of them */
    uint64_t number;      /* its place in the order of changes */
} s_change_t;

/* The pending changes of a settle or a scan, copied out of the store. */
typedef struct {
    uint8_t *buffer;     /* their bytes, one after the other */
    size_t used, room;   /* of buffer */
    s_change_t *changes; /* bytes as offsets until s_changes_fix */
    size_t count, size;  /* of changes */
} s_changes_t;

/* STORE_COUNTED key: period \0 unit \0 counter byte, ticket_id. */
static size_t
s_counted_key (uint8_t *key, const char *period, const char *unit, int counter,
               const char *ticket)
{
    char prefix[2] = {(char)(counter + 1), 0}; /* never a NUL byte */
    return state_counter_key (key, period, unit, prefix, ticket);
}

/* Appends one change after the last one pending. */
static int
s_pending (store_txn_t *txn, int op, bool exempt, const state_counted_t *entry,
           const uint8_t *key, size_t ksize)
{
    uint8_t last[8];
    size_t last_size = sizeof (last);
    uint64_t number = 1;
    int rc = store_last (txn, STORE_COUNTED_PENDING, last, &last_size);
    if (rc == STORE_OK && last_size == sizeof (last))
        number = store_get_be64 (last) + 1;
    else if (rc != STORE_NOTFOUND && rc != STORE_OK)
        return rc;
    uint8_t change[S_HEAD + STORE_KEY_MAX];
    memset (change, 0, S_HEAD);
    change[0] = (uint8_t)op;
    change[1] = exempt ? 1 : 0;
    if (entry)
        state__counted_encode (entry, change + 2);
    memcpy (change + S_HEAD, key, ksize);
    uint8_t at[8];
    store_put_be64 (at, number);
    rc = store_put_append (txn, STORE_COUNTED_PENDING, at, sizeof (at), change,
                           S_HEAD + ksize);
    return rc == 1 ? STORE_ERROR : rc; /* 1 cannot happen: number > last */
}

int
state__counted_index (state_work_t *w, const char *period, int counter,
                      int32_t delta, bool exempt, int64_t reference)
{
    uint8_t key[STORE_KEY_MAX];
    size_t ksize =
        s_counted_key (key, period, w->t->unit_id, counter, w->ticket_id);
    if (delta < 0)
        return s_pending (w->txn, S_TAKE, exempt, NULL, key, ksize);
    state_counted_t entry = {w->at, reference, (uint8_t)w->why,
                             exempt ? STATE_COUNTED_EXEMPT : 0};
    return s_pending (w->txn, S_ADD, exempt, &entry, key, ksize);
}

int
state__index_mark (store_txn_t *txn, const char *period, const char *unit,
                   int counter, const char *ticket_id, bool exempt)
{
    if (!state__adverse (counter))
        return STORE_OK; /* never listed: nothing to mark */
    uint8_t key[STORE_KEY_MAX];
    size_t ksize = s_counted_key (key, period, unit, counter, ticket_id);
    return s_pending (txn, S_MARK, exempt, NULL, key, ksize);
}

/* ---- applying changes --------------------------------------------------- */

/* Applies one change (its S_HEAD bytes) to a key's list. */
static void
s_apply (s_list_t *list, const uint8_t *change)
{
    bool exempt = change[1] != 0;
    if (change[0] == S_ADD) {
        if (!list->present)
            list->n = 0;
        else if (list->n + 1 > STATE_COUNTED_MAX)
            return; /* more counts than any ticket makes: not listed */
        memcpy (list->value + list->n * STATE_COUNTED_SIZE, change + 2,
                STATE_COUNTED_SIZE);
        list->n++;
        list->present = list->changed = true;
    } else if (change[0] == S_TAKE && list->present) {
        /* The latest count of the same standing goes. */
        size_t k = list->n;
        while (k > 0) {
            state_counted_t entry;
            state__counted_decode (list->value + (k - 1) * STATE_COUNTED_SIZE,
                                   &entry);
            if (((entry.flags & STATE_COUNTED_EXEMPT) != 0) == exempt)
                break;
            k--;
        }
        if (k == 0)
            return; /* nothing listed (a store from before the index:
                       hotline replay builds it) */
        memmove (list->value + (k - 1) * STATE_COUNTED_SIZE,
                 list->value + k * STATE_COUNTED_SIZE,
                 (list->n - k) * STATE_COUNTED_SIZE);
        list->n--;
        list->present = list->n > 0;
        list->changed = true;
    } else if (change[0] == S_MARK && list->present) {
        for (size_t i = 0; i < list->n; i++) {
            uint8_t *flags = list->value + i * STATE_COUNTED_SIZE + 17;
            *flags = exempt ? (uint8_t)(*flags | STATE_COUNTED_EXEMPT)
                            : (uint8_t)(*flags & ~STATE_COUNTED_EXEMPT);
        }
        list->changed = true;
    }
}

/* Starts a key's list from its stored value (NULL: absent). False when
   the value is not a list of counts (then the key is left alone). */
static bool
s_list_start (s_list_t *list, const void *value, size_t size)
{
    list->present = value != NULL;
    list->changed = false;
    list->n = 0;
    if (!value)
        return true;
    if (size > sizeof (list->value) || size % STATE_COUNTED_SIZE)
        return false;
    if (value != list->value)
        memcpy (list->value, value, size);
    list->n = size / STATE_COUNTED_SIZE;
    return true;
}

/* ---- reading the pending changes ---------------------------------------- */

/* Compares a change's key with `key` as LMDB orders keys: bytes, then
   the shorter first. */
static int
s_compare_key (const s_change_t *c, const uint8_t *key, size_t ksize)
{
    size_t kc = c->size - S_HEAD;
    int r = memcmp (c->bytes + S_HEAD, key, kc < ksize ? kc : ksize);
    if (r == 0 && kc != ksize)
        r = kc < ksize ? -1 : 1;
    return r;
}

/* Orders by key, and one key's changes in the order they were made. */
static int
s_compare (const void *a_, const void *b_)
{
    const s_change_t *a = a_, *b = b_;
    int c = s_compare_key (a, b->bytes + S_HEAD, b->size - S_HEAD);
    if (c == 0)
        c = a->number < b->number ? -1 : a->number > b->number;
    return c;
}

static void
s_changes_free (s_changes_t *c)
{
    free (c->buffer);
    free (c->changes);
    memset (c, 0, sizeof (*c));
}

/* Turns the offsets into pointers once the buffer is final, and sorts. */
static void
s_changes_fix (s_changes_t *c)
{
    for (size_t i = 0; i < c->count; i++)
        c->changes[i].bytes = c->buffer + (uintptr_t)c->changes[i].bytes;
    if (c->count > 1)
        qsort (c->changes, c->count, sizeof (s_change_t), s_compare);
}

/* Copies one change, its S_HEAD bytes then its key, with its place in
   the order of changes. STORE_OK or STORE_ERROR (out of memory). */
static int
s_changes_add (s_changes_t *c, const uint8_t *head, const uint8_t *key,
               size_t ksize, uint64_t number)
{
    size_t size = S_HEAD + ksize;
    if (c->count == c->size) {
        size_t n = c->size ? c->size * 2 : 256;
        s_change_t *grown = realloc (c->changes, n * sizeof (*grown));
        if (!grown)
            return STORE_ERROR;
        c->changes = grown;
        c->size = n;
    }
    if (c->used + size > c->room) {
        size_t n = c->room ? c->room * 2 : 65536;
        while (n < c->used + size)
            n *= 2;
        uint8_t *grown = realloc (c->buffer, n);
        if (!grown)
            return STORE_ERROR;
        c->buffer = grown;
        c->room = n;
    }
    memcpy (c->buffer + c->used, head, S_HEAD);
    memcpy (c->buffer + c->used + S_HEAD, key, ksize);
    /* An offset for now: the buffer may still move. */
    c->changes[c->count++] =
        (s_change_t){(const uint8_t *)(uintptr_t)c->used, size, number};
    c->used += size;
    return STORE_OK;
}

/* Every change of STORE_COUNTED_SETTLING whose key starts with prefix
   (psize 0: all), in key order, stopping after a key once `budget`
   changes are taken (0: no limit). Its keys end with the number. */
static int
s_settling_read (store_txn_t *txn, const uint8_t *prefix, size_t psize,
                 size_t budget, s_changes_t *c)
{
    store_cursor_t *cursor =
        store_cursor_new (txn, STORE_COUNTED_SETTLING, prefix, psize);
    if (!cursor)
        return STORE_ERROR;
    const void *key, *value;
    size_t key_size, size, taken = 0;
    size_t last = 0, last_size = 0; /* the last key taken (offset, bytes) */
    int rc;
    while ((rc = store_cursor_next (cursor, &key, &key_size, &value, &size)) ==
           STORE_OK) {
        const uint8_t *k = key;
        if (psize && (key_size < psize || memcmp (k, prefix, psize) != 0))
            break;
        if (key_size <= 8 || size != S_HEAD)
            continue; /* not a change of ours */
        size_t ksize = key_size - 8;
        bool same = taken && last_size == ksize &&
                    memcmp (c->buffer + last, k, ksize) == 0;
        if (budget && taken >= budget && !same)
            break;
        rc = s_changes_add (c, value, k, ksize, store_get_be64 (k + ksize));
        if (rc != STORE_OK)
            break;
        last = c->used - ksize;
        last_size = ksize;
        taken++;
    }
    store_cursor_destroy (&cursor);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* Numbers of STORE_COUNTED_PENDING's changes, placed after every change
   of STORE_COUNTED_SETTLING (all older: state_counted_settle moves the
   whole pending table at once). */
#define S_LATER (1ULL << 62)

/* Copies the changes not applied yet whose key starts with prefix (psize
   0: all), the settling ones then the pending ones, and sorts them by
   key, each key's changes in the order made. STORE_OK or the store's
   code (STORE_ERROR: out of memory). */
static int
s_changes_read (store_txn_t *txn, const uint8_t *prefix, size_t psize,
                s_changes_t *c)
{
    memset (c, 0, sizeof (*c));
    int rc = s_settling_read (txn, prefix, psize, 0, c);
    store_cursor_t *cursor =
        rc == STORE_OK ? store_cursor_new (txn, STORE_COUNTED_PENDING, NULL, 0)
                       : NULL;
    if (!cursor) {
        s_changes_free (c);
        return rc == STORE_OK ? STORE_ERROR : rc;
    }
    const void *key, *value;
    size_t key_size, size;
    while ((rc = store_cursor_next (cursor, &key, &key_size, &value, &size)) ==
           STORE_OK) {
        const uint8_t *bytes = value;
        if (key_size != 8 || size <= S_HEAD ||
            (psize && (size - S_HEAD <= psize ||
                       memcmp (bytes + S_HEAD, prefix, psize) != 0)))
            continue;
        rc = s_changes_add (c, bytes, bytes + S_HEAD, size - S_HEAD,
                            S_LATER + store_get_be64 (key));
        if (rc != STORE_OK)
            break;
    }
    store_cursor_destroy (&cursor);
    if (rc != STORE_NOTFOUND) {
        s_changes_free (c);
        return rc;
    }
    s_changes_fix (c);
    return STORE_OK;
}

/* The end of the run of changes of the key of changes[from]. */
static size_t
s_group_end (const s_changes_t *c, size_t from)
{
    const s_change_t *first = &c->changes[from];
    size_t to = from + 1;
    while (to < c->count &&
           s_compare_key (&c->changes[to], first->bytes + S_HEAD,
                          first->size - S_HEAD) == 0)
        to++;
    return to;
}

/* ---- settling ----------------------------------------------------------- */

size_t
state_counted_pending (store_txn_t *txn)
{
    return store_count (txn, STORE_COUNTED_PENDING) +
           store_count (txn, STORE_COUNTED_SETTLING);
}

int
state_counted_forget (store_txn_t *txn)
{
    int rc = store_clear (txn, STORE_COUNTED_PENDING);
    return rc == STORE_OK ? store_clear (txn, STORE_COUNTED_SETTLING) : rc;
}

/* Applies sorted changes to STORE_COUNTED, each key read and written
   once for all of its changes. */
static int
s_settle (store_txn_t *txn, const s_changes_t *c)
{
    s_list_t list;
    int rc = STORE_OK;
    for (size_t i = 0; rc == STORE_OK && i < c->count;) {
        size_t end = s_group_end (c, i);
        const uint8_t *key = c->changes[i].bytes + S_HEAD;
        size_t ksize = c->changes[i].size - S_HEAD;
        size_t size = sizeof (list.value);
        rc = store_get (txn, STORE_COUNTED, key, ksize, list.value, &size);
        bool present = rc == STORE_OK;
        if (rc == STORE_OK || rc == STORE_NOTFOUND || rc == STORE_TOOBIG) {
            /* Too long to be a list of ours: left alone. */
            bool ours = rc != STORE_TOOBIG &&
                        s_list_start (&list, present ? list.value : NULL,
                                      present ? size : 0);
            rc = STORE_OK;
            for (size_t k = i; ours && k < end; k++)
                s_apply (&list, c->changes[k].bytes);
            if (ours && list.changed && list.present)
                rc = store_put (txn, STORE_COUNTED, key, ksize, list.value,
                                list.n * STATE_COUNTED_SIZE);
            else if (ours && list.changed && present)
                rc = store_del (txn, STORE_COUNTED, key, ksize);
        }
        i = end;
    }
    return rc;
}

/* Every change at once: applied, and both tables emptied. */
static int
s_settle_all (store_txn_t *txn)
{
    s_changes_t c;
    int rc = s_changes_read (txn, NULL, 0, &c);
    if (rc != STORE_OK)
        return rc;
    rc = s_settle (txn, &c);
    s_changes_free (&c);
    return rc == STORE_OK ? state_counted_forget (txn) : rc;
}

/* Moves the pending changes, sorted by key, to STORE_COUNTED_SETTLING
   (empty): its pages are written in order, once, and the pending table
   is dropped whole. */
static int
s_freeze (store_txn_t *txn)
{
    s_changes_t c;
    int rc = s_changes_read (txn, NULL, 0, &c);
    uint8_t key[STORE_KEY_MAX];
    for (size_t i = 0; rc == STORE_OK && i < c.count; i++) {
        size_t ksize = c.changes[i].size - S_HEAD;
        /* Only pending changes (the settling table is empty), and only
           keys an index key can be: what is not is dropped here. */
        if (c.changes[i].number < S_LATER || ksize + 8 > STORE_KEY_MAX)
            continue;
        memcpy (key, c.changes[i].bytes + S_HEAD, ksize);
        store_put_be64 (key + ksize, c.changes[i].number - S_LATER);
        rc = store_put_append (txn, STORE_COUNTED_SETTLING, key, ksize + 8,
                               c.changes[i].bytes, S_HEAD);
        /* Not in order (1): a key that is a prefix of another sorts
           before it here too, so this cannot happen. If it did, what
           was moved is taken back and everything applied at once. */
        if (rc == 1) {
            s_changes_free (&c);
            rc = store_clear (txn, STORE_COUNTED_SETTLING);
            return rc == STORE_OK ? s_settle_all (txn) : rc;
        }
    }
    s_changes_free (&c);
    return rc == STORE_OK ? store_clear (txn, STORE_COUNTED_PENDING) : rc;
}

/* Applies the first keys of STORE_COUNTED_SETTLING, `budget` changes or
   a few more (a key's changes go together), and deletes them. */
static int
s_settle_slice (store_txn_t *txn, size_t budget)
{
    s_changes_t c;
    memset (&c, 0, sizeof (c));
    int rc = s_settling_read (txn, NULL, 0, budget, &c);
    if (rc != STORE_OK) {
        s_changes_free (&c);
        return rc;
    }
    if (c.count == 0) {
        /* Nothing of ours is left (entries that are not changes): the
           table goes, so that the next move can happen. */
        s_changes_free (&c);
        return store_clear (txn, STORE_COUNTED_SETTLING);
    }
    s_changes_fix (&c);
    rc = s_settle (txn, &c);
    /* They were the table's first entries: delete from its start. */
    store_cursor_t *cursor =
        rc == STORE_OK ? store_cursor_new (txn, STORE_COUNTED_SETTLING, NULL, 0)
                       : NULL;
    if (rc == STORE_OK && !cursor)
        rc = STORE_ERROR;
    const void *key, *value;
    size_t key_size, size;
    for (size_t i = 0; rc == STORE_OK && i < c.count;) {
        rc = store_cursor_next (cursor, &key, &key_size, &value, &size);
        if (rc == STORE_OK && key_size > 8 && size == S_HEAD)
            i++; /* one of ours; what is not goes too */
        if (rc == STORE_OK)
            rc = store_cursor_del (cursor);
    }
    store_cursor_destroy (&cursor);
    s_changes_free (&c);
    return rc;
}

int
state_counted_settle (store_txn_t *txn, size_t pending_max)
{
    return state_counted_settle_by (txn, pending_max, STATE_COUNTED_SLICE);
}

int
state_counted_settle_by (store_txn_t *txn, size_t pending_max, size_t slice)
{
    if (pending_max == 0)
        return s_settle_all (txn);
    size_t settling = store_count (txn, STORE_COUNTED_SETTLING);
    size_t pending = store_count (txn, STORE_COUNTED_PENDING);
    if (settling > 0) {
        /* Enough to keep settling + pending within pending_max, so the
           settling part is gone before the pending part is due: about
           what the commits since the last slice added, a steady share
           of each commit rather than slices that grow with the pending
           part. While the settling part alone is more than
           pending_max (a move made large by a clock jump), at least as
           many as are pending; all of it if that is late (a
           transaction of more than pending_max changes). */
        size_t over = settling + pending > pending_max
                          ? settling + pending - pending_max
                          : 0;
        size_t budget = over < pending ? over : pending;
        if (budget < slice)
            budget = slice;
        return s_settle_slice (txn, pending > pending_max ? settling : budget);
    }
    return pending > pending_max ? s_freeze (txn) : STORE_OK;
}

int
state_counted_drain (store_txn_t *txn)
{
    size_t settling = store_count (txn, STORE_COUNTED_SETTLING);
    return settling ? s_settle_slice (txn, settling) : STORE_OK;
}

/* ---- reading the drill-down --------------------------------------------- */

/* Hands one key's list to fn: the key is prefix, counter byte, ticket. */
static void
s_emit (const uint8_t *k, size_t key_size, size_t psize, const s_list_t *list,
        state_counted_fn *fn, void *arg)
{
    if (!list->present || list->n == 0 || key_size <= psize)
        return;
    int counter = k[psize] - 1;
    char ticket[PROTO_ID_MAX + 1];
    size_t id = key_size - psize - 1;
    if (counter < 0 || counter >= RULES_COUNTERS || id > PROTO_ID_MAX)
        return; /* not a key of ours */
    memcpy (ticket, k + psize + 1, id);
    ticket[id] = 0;
    state_counted_t counts[STATE_COUNTED_MAX];
    for (size_t i = 0; i < list->n; i++)
        state__counted_decode (list->value + i * STATE_COUNTED_SIZE,
                               &counts[i]);
    fn (arg, counter, ticket, counts, list->n);
}

/* Applies the changes of one key, none stored, and hands it on. */
static void
s_emit_new (const s_changes_t *c, size_t from, size_t to, size_t psize,
            s_list_t *list, state_counted_fn *fn, void *arg)
{
    s_list_start (list, NULL, 0);
    for (size_t k = from; k < to; k++)
        s_apply (list, c->changes[k].bytes);
    s_emit (c->changes[from].bytes + S_HEAD, c->changes[from].size - S_HEAD,
            psize, list, fn, arg);
}

int
state_counted_scan (store_txn_t *txn, const char *period, const char *unit,
                    state_counted_fn *fn, void *arg)
{
    uint8_t prefix[STORE_KEY_MAX];
    size_t psize = state_counter_key (prefix, period, unit, "", "");
    s_changes_t c;
    int rc = s_changes_read (txn, prefix, psize, &c);
    if (rc != STORE_OK)
        return rc;
    store_cursor_t *cursor =
        store_cursor_new (txn, STORE_COUNTED, prefix, psize);
    if (!cursor) {
        s_changes_free (&c);
        return STORE_ERROR;
    }
    s_list_t *list = malloc (sizeof (*list));
    if (!list) {
        store_cursor_destroy (&cursor);
        s_changes_free (&c);
        return STORE_ERROR;
    }
    /* The stored keys and the pending ones, merged in key order. */
    size_t i = 0;
    const void *key, *value;
    size_t key_size, size;
    while ((rc = store_cursor_next (cursor, &key, &key_size, &value, &size)) ==
           STORE_OK) {
        const uint8_t *k = key;
        if (key_size <= psize || memcmp (k, prefix, psize) != 0)
            break;
        while (i < c.count && s_compare_key (&c.changes[i], k, key_size) < 0) {
            size_t end = s_group_end (&c, i);
            s_emit_new (&c, i, end, psize, list, fn, arg);
            i = end;
        }
        bool ours = s_list_start (list, value, size);
        if (i < c.count && s_compare_key (&c.changes[i], k, key_size) == 0) {
            size_t end = s_group_end (&c, i);
            for (size_t j = i; ours && j < end; j++)
                s_apply (list, c.changes[j].bytes);
            i = end;
        }
        if (ours)
            s_emit (k, key_size, psize, list, fn, arg);
    }
    while (i < c.count) {
        size_t end = s_group_end (&c, i);
        s_emit_new (&c, i, end, psize, list, fn, arg);
        i = end;
    }
    store_cursor_destroy (&cursor);
    s_changes_free (&c);
    free (list);
    return rc == STORE_NOTFOUND || rc == STORE_OK ? STORE_OK : rc;
}
