/*  state_trail: a ticket's history (state.h): its trail, one entry per
    event of the ticket and per deadline the clock passed, each with what
    it counted; and the ticket as it stands.

    The trail is written in log order. An entry's key is the log seq of
    the event being applied and a number under that seq (0 for the first
    entry written under it, then 1, 2...: the clock may pass many
    tickets' deadlines under one event), so every entry goes at the end
    of the B-tree (store_put_append) and nothing is read before it is
    written. Its value links to the ticket's previous entry, and the
    ticket record keeps the key of its latest (trail_seq, trail_number):
    a ticket's trail is a chain walked backwards from its record.

    Value: kind byte (STATE_TRAIL_EVENT, STATE_TRAIL_CLOCK), the previous
    entry's key (12 bytes, all zero for the first), the unit's size and
    id, then STATE_TRAIL_SIZE bytes per count. Readers see the entries in
    (seq, kind) order with those of one (seq, kind) merged into one, as
    one event's counts (or the clock's passes under one seq) are. */
#include "state_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest entry: one flush of a full work's counts. */
#define STATE_TRAIL_VALUE_MAX                                                  \
    (STATE_TRAIL_HEAD + PROTO_ID_MAX + STATE_TRAIL_MAX * STATE_TRAIL_SIZE)

static void
s_key (uint8_t *key, uint64_t seq, uint32_t number)
{
    store_put_be64 (key, seq);
    for (int i = 0; i < 4; i++)
        key[8 + i] = (uint8_t)(number >> (24 - 8 * i));
}

static uint32_t
s_number (const uint8_t *key)
{
    return (uint32_t)key[8] << 24 | (uint32_t)key[9] << 16 |
           (uint32_t)key[10] << 8 | key[11];
}

/* Writes the entry under (seq, the next free number). The first entry
   of a seq is appended at once; a later one reads the table's last key
   to number itself after it. */
static int
s_place (store_txn_t *txn, uint64_t seq, const uint8_t *value, size_t size,
         uint32_t *number)
{
    uint8_t key[STATE_TRAIL_KEY];
    s_key (key, seq, 0);
    *number = 0;
    int rc =
        store_put_append (txn, STORE_TRAIL, key, sizeof (key), value, size);
    if (rc != 1)
        return rc;
    uint8_t last[STATE_TRAIL_KEY];
    size_t last_size = sizeof (last);
    rc = store_last (txn, STORE_TRAIL, last, &last_size);
    if (rc != STORE_OK && rc != STORE_TOOBIG)
        return rc;
    if (rc == STORE_OK && last_size == sizeof (last) &&
        store_get_be64 (last) == seq && s_number (last) < UINT32_MAX) {
        *number = s_number (last) + 1;
        s_key (key, seq, *number);
        rc =
            store_put_append (txn, STORE_TRAIL, key, sizeof (key), value, size);
        if (rc != 1)
            return rc;
    }
    /* The trail's end is past this seq: entries written out of log
       order, which the state machine does not do. Still stored, under
       the first free number. */
    for (*number = 0; *number < UINT32_MAX; (*number)++) {
        s_key (key, seq, *number);
        rc = store_put_new (txn, STORE_TRAIL, key, sizeof (key), value, size);
        if (rc != 1)
            return rc;
    }
    return STORE_ERROR;
}

int
state__trail_flush (state_work_t *w)
{
    if (w->clock && w->trail_count == 0)
        return STORE_OK;
    state_ticket_t *t = w->t;
    uint8_t value[STATE_TRAIL_VALUE_MAX];
    value[0] = w->clock ? STATE_TRAIL_CLOCK : STATE_TRAIL_EVENT;
    s_key (value + 1, t->trail_seq, t->trail_number);
    size_t unit = strnlen (t->unit_id, PROTO_ID_MAX);
    value[STATE_TRAIL_HEAD - 1] = (uint8_t)unit;
    memcpy (value + STATE_TRAIL_HEAD, t->unit_id, unit);
    size_t size = STATE_TRAIL_HEAD + unit;
    for (size_t i = 0; i < w->trail_count; i++) {
        state__trail_encode (&w->trail[i], value + size);
        size += STATE_TRAIL_SIZE;
    }
    w->trail_count = 0;
    uint32_t number;
    int rc = s_place (w->txn, w->seq, value, size, &number);
    if (rc == STORE_OK) {
        t->trail_seq = w->seq;
        t->trail_number = number;
    }
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

/* One entry of a chain. */
typedef struct {
    uint64_t seq;    /* its log seq */
    uint32_t number; /* its number under the seq */
    uint8_t kind;    /* STATE_TRAIL_EVENT or STATE_TRAIL_CLOCK */
} s_link_t;

/* Orders by (seq, kind, number): a ticket's event before the clock's
   passes under the same seq, each in the order written. */
static bool
s_before (const s_link_t *a, const s_link_t *b)
{
    if (a->seq != b->seq)
        return a->seq < b->seq;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    return a->number < b->number;
}

/* The chain from (seq, number) back to the first entry, in reading
   order, into *links (malloc'd, the caller frees). Every link goes to a
   smaller key, so the walk ends; a missing entry ends it too. */
static int
s_chain (store_txn_t *txn, uint64_t seq, uint32_t number, s_link_t **links,
         size_t *count)
{
    size_t cap = 0;
    *links = NULL;
    *count = 0;
    uint8_t key[STATE_TRAIL_KEY];
    s_key (key, seq, number);
    while (store_get_be64 (key) != 0) {
        uint8_t value[STATE_TRAIL_VALUE_MAX];
        size_t size = sizeof (value);
        int rc = store_get (txn, STORE_TRAIL, key, sizeof (key), value, &size);
        if (rc == STORE_NOTFOUND || rc == STORE_TOOBIG ||
            (rc == STORE_OK && size < STATE_TRAIL_HEAD))
            break; /* not an entry of ours */
        if (rc != STORE_OK)
            return rc;
        if (*count == cap) {
            cap = cap ? 2 * cap : 16;
            s_link_t *grown = realloc (*links, cap * sizeof (**links));
            if (!grown)
                return STORE_ERROR;
            *links = grown;
        }
        (*links)[(*count)++] =
            (s_link_t){store_get_be64 (key), s_number (key), value[0]};
        if (memcmp (value + 1, key, sizeof (key)) >= 0)
            break; /* a link that does not go back: not ours */
        memcpy (key, value + 1, sizeof (key));
    }
    /* Walked newest first: reverse, then sort the few an event's clock
       passes put out of (seq, kind) order. */
    s_link_t *l = *links;
    for (size_t i = 0, j = *count; i + 1 < j; i++, j--) {
        s_link_t swap = l[i];
        l[i] = l[j - 1];
        l[j - 1] = swap;
    }
    for (size_t i = 1; i < *count; i++) {
        s_link_t item = l[i];
        size_t j = i;
        for (; j > 0 && s_before (&item, &l[j - 1]); j--)
            l[j] = l[j - 1];
        l[j] = item;
    }
    return STORE_OK;
}

/* Reads the entries links[from..to) (one seq and kind) and hands them to
   fn as one. */
static int
s_emit (store_txn_t *txn, const s_link_t *links, size_t from, size_t to,
        state_trail_fn *fn, void *arg)
{
    char unit[PROTO_ID_MAX + 1] = "";
    state_count_t counts[4 * STATE_TRAIL_MAX];
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        uint8_t key[STATE_TRAIL_KEY];
        s_key (key, links[i].seq, links[i].number);
        uint8_t v[STATE_TRAIL_VALUE_MAX];
        size_t size = sizeof (v);
        int rc = store_get (txn, STORE_TRAIL, key, sizeof (key), v, &size);
        if (rc != STORE_OK)
            return rc;
        size_t id = v[STATE_TRAIL_HEAD - 1];
        if (id > PROTO_ID_MAX || size < STATE_TRAIL_HEAD + id)
            continue; /* not a record of ours */
        if (i == from) {
            memcpy (unit, v + STATE_TRAIL_HEAD, id);
            unit[id] = 0;
        }
        for (size_t at = STATE_TRAIL_HEAD + id;
             at + STATE_TRAIL_SIZE <= size && n < 4 * STATE_TRAIL_MAX;
             at += STATE_TRAIL_SIZE) {
            state_trail_rec_t r;
            state__trail_decode (v + at, &r);
            counts[n++] = (state_count_t){
                {r.kind ? PROTO_QUARTER : PROTO_MONTH, r.period},
                r.counter,
                r.delta};
        }
    }
    fn (arg, links[from].seq, links[from].kind == STATE_TRAIL_CLOCK, unit,
        counts, n);
    return STORE_OK;
}

int
state__trail_walk (store_txn_t *txn, const state_ticket_t *t,
                   state_trail_fn *fn, void *arg)
{
    s_link_t *links;
    size_t count;
    int rc = s_chain (txn, t->trail_seq, t->trail_number, &links, &count);
    for (size_t from = 0, to; rc == STORE_OK && from < count; from = to) {
        to = from + 1;
        while (to < count && links[to].seq == links[from].seq &&
               links[to].kind == links[from].kind)
            to++;
        rc = s_emit (txn, links, from, to, fn, arg);
    }
    free (links);
    if (rc == STORE_OK && count == 0)
        rc = STORE_NOTFOUND;
    return rc;
}

int
state_trail_scan (store_txn_t *txn, const char *ticket_id, state_trail_fn *fn,
                  void *arg)
{
    state_ticket_t t;
    if (strnlen (ticket_id, PROTO_ID_MAX + 1) > PROTO_ID_MAX)
        return STORE_NOTFOUND;
    int rc = state__ticket_get (txn, ticket_id, &t);
    return rc == STORE_OK ? state__trail_walk (txn, &t, fn, arg) : rc;
}

int
state_ticket_info (store_txn_t *txn, const char *ticket_id,
                   state_ticket_info_t *info)
{
    state_ticket_t t;
    if (strnlen (ticket_id, PROTO_ID_MAX + 1) > PROTO_ID_MAX)
        return STORE_NOTFOUND;
    int rc = state__ticket_get (txn, ticket_id, &t);
    if (rc != STORE_OK)
        return rc;
    memset (info, 0, sizeof (*info));
    memcpy (info->unit_id, t.unit_id, sizeof (info->unit_id));
    memcpy (info->channel, t.channel, sizeof (info->channel));
    memcpy (info->category, t.category, sizeof (info->category));
    info->state = t.state == T_OPEN     ? "open"
                  : t.state == T_CLOSED ? "closed"
                                        : "returned";
    info->dispatched_at = t.dispatched_at;
    info->received_at = t.received_at;
    info->due_at = t.due_at;
    info->overdue = (t.flags & F_OVERDUE) != 0;
    return STORE_OK;
}

int
state_layout_check (store_txn_t *txn, char *why)
{
    /* Ticket records, trails and counter records change layout
       together, and every ticket record of a store has the same: the
       first tells. */
    store_cursor_t *cursor = store_cursor_new (txn, STORE_TICKETS, NULL, 0);
    if (!cursor) {
        snprintf (why, 256, "cannot read the ticket records");
        return -1;
    }
    const void *key, *value;
    size_t key_size, size;
    int rc = store_cursor_next (cursor, &key, &key_size, &value, &size);
    int version = rc == STORE_OK && size ? ((const uint8_t *)value)[0] : 0;
    bool current =
        rc == STORE_NOTFOUND || (rc == STORE_OK && version == TICKET_VERSION);
    store_cursor_destroy (&cursor);
    if (current)
        return 0;
    if (rc != STORE_OK)
        snprintf (why, 256, "cannot read the ticket records: %s",
                  store_strerror (rc));
    else
        snprintf (why, 256,
                  "the store's ticket records, trails and counters are of "
                  "layout %d, this version writes layout %d",
                  version, TICKET_VERSION);
    return -1;
}
