/*  state_trail: reading a ticket's history (state.h): its trail, one
    entry per event of the ticket and per deadline the clock passed, each
    with what it counted; and the ticket as it stands. */
#include "state_internal.h"

#include <string.h>

int
state_trail_scan (store_txn_t *txn, const char *ticket_id, state_trail_fn *fn,
                  void *arg)
{
    uint8_t prefix[PROTO_ID_MAX + 1];
    size_t id = strnlen (ticket_id, PROTO_ID_MAX + 1);
    if (id > PROTO_ID_MAX)
        return STORE_NOTFOUND;
    memcpy (prefix, ticket_id, id);
    prefix[id] = 0;
    size_t psize = id + 1;
    store_cursor_t *cursor = store_cursor_new (txn, STORE_TRAIL, prefix, psize);
    if (!cursor)
        return STORE_ERROR;
    const void *key, *value;
    size_t key_size, size;
    int rc, seen = 0;
    while ((rc = store_cursor_next (cursor, &key, &key_size, &value, &size)) ==
           STORE_OK) {
        const uint8_t *k = key, *v = value;
        if (key_size != psize + 9 || memcmp (k, prefix, psize) != 0)
            break;
        if (size < 1 || (size_t)v[0] > PROTO_ID_MAX || size < 1u + v[0])
            continue; /* not a record of ours */
        char unit[PROTO_ID_MAX + 1];
        memcpy (unit, v + 1, v[0]);
        unit[v[0]] = 0;
        state_count_t counts[4 * STATE_TRAIL_MAX];
        size_t n = 0;
        for (size_t at = 1u + v[0];
             at + STATE_TRAIL_SIZE <= size && n < 4 * STATE_TRAIL_MAX;
             at += STATE_TRAIL_SIZE) {
            state_trail_rec_t r;
            state__trail_decode (v + at, &r);
            counts[n++] = (state_count_t){
                {r.kind ? PROTO_QUARTER : PROTO_MONTH, r.period},
                r.counter,
                r.delta};
        }
        fn (arg, store_get_be64 (k + psize), k[psize + 8] == STATE_TRAIL_CLOCK,
            unit, counts, n);
        seen++;
    }
    store_cursor_destroy (&cursor);
    if (rc == STORE_NOTFOUND)
        rc = seen ? STORE_OK : STORE_NOTFOUND;
    return rc;
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
