/*  state_ticket: the ticket record as it is stored (state_internal.h).

    In memory a ticket is a state_ticket_t of fixed size; on disk its
    three names (unit, channel, category: 65 bytes each in memory, a few
    in practice) are kept at their length. Layout 5:

        the struct's bytes before unit_id (version first)   TICKET_HEAD
        the struct's bytes from exempt to its end           TICKET_TAIL
        unit_id, channel, category: a length byte, then the bytes

    about 110 bytes for a usual ticket where layout 4 stored 288: fewer
    bytes to copy and to write, more tickets per page. */
#include "state_internal.h"

#include <stddef.h>
#include <string.h>

#define TICKET_HEAD offsetof (state_ticket_t, unit_id)
#define TICKET_TAIL                                                            \
    (sizeof (state_ticket_t) - offsetof (state_ticket_t, exempt))
#define TICKET_NAMES_MAX (3 * (1 + PROTO_ID_MAX))
#define TICKET_BYTES_MAX (TICKET_HEAD + TICKET_TAIL + TICKET_NAMES_MAX)

_Static_assert(PROTO_TOKEN_MAX == PROTO_ID_MAX,
               "a name's length must fit the same bound");
_Static_assert(offsetof (state_ticket_t, channel) ==
                       offsetof (state_ticket_t, unit_id) + PROTO_ID_MAX + 1 &&
                   offsetof (state_ticket_t, category) ==
                       offsetof (state_ticket_t, channel) + PROTO_TOKEN_MAX + 1,
               "the names lie between the head and the tail");

static size_t
s_name_put (uint8_t *at, const char *name, size_t capacity)
{
    size_t n = strnlen (name, capacity - 1);
    at[0] = (uint8_t)n;
    memcpy (at + 1, name, n);
    return 1 + n;
}

/* Reads one name; 0 when the bytes are not a name of the record. */
static size_t
s_name_get (const uint8_t *at, size_t left, char *name, size_t capacity)
{
    if (left < 1 || at[0] >= capacity || (size_t)at[0] + 1 > left)
        return 0;
    memcpy (name, at + 1, at[0]);
    name[at[0]] = 0;
    return 1 + (size_t)at[0];
}

size_t
state__ticket_encode (const state_ticket_t *t, uint8_t *bytes)
{
    size_t at = 0;
    memcpy (bytes, t, TICKET_HEAD);
    at += TICKET_HEAD;
    memcpy (bytes + at, &t->exempt, TICKET_TAIL);
    at += TICKET_TAIL;
    at += s_name_put (bytes + at, t->unit_id, sizeof (t->unit_id));
    at += s_name_put (bytes + at, t->channel, sizeof (t->channel));
    at += s_name_put (bytes + at, t->category, sizeof (t->category));
    return at;
}

int
state__ticket_decode (const uint8_t *bytes, size_t size, state_ticket_t *t)
{
    memset (t, 0, sizeof (*t));
    if (size < TICKET_HEAD + TICKET_TAIL + 3 || bytes[0] != TICKET_VERSION)
        return -1;
    memcpy (t, bytes, TICKET_HEAD);
    memcpy (&t->exempt, bytes + TICKET_HEAD, TICKET_TAIL);
    size_t at = TICKET_HEAD + TICKET_TAIL, n;
    if (!(n = s_name_get (bytes + at, size - at, t->unit_id,
                          sizeof (t->unit_id))))
        return -1;
    at += n;
    if (!(n = s_name_get (bytes + at, size - at, t->channel,
                          sizeof (t->channel))))
        return -1;
    at += n;
    if (!(n = s_name_get (bytes + at, size - at, t->category,
                          sizeof (t->category))))
        return -1;
    return at + n == size ? 0 : -1;
}

int
state__ticket_get (store_txn_t *txn, const char *ticket_id, state_ticket_t *t)
{
    uint8_t bytes[TICKET_BYTES_MAX];
    size_t size = sizeof (bytes);
    int rc = store_get (txn, STORE_TICKETS, ticket_id, strlen (ticket_id),
                        bytes, &size);
    if (rc == STORE_TOOBIG)
        return STORE_ERROR; /* not a record of this layout */
    if (rc == STORE_OK && state__ticket_decode (bytes, size, t) != 0)
        return STORE_ERROR;
    return rc;
}

int
state__ticket_put (store_txn_t *txn, const char *ticket_id,
                   const state_ticket_t *t)
{
    uint8_t bytes[TICKET_BYTES_MAX];
    size_t size = state__ticket_encode (t, bytes);
    return store_put (txn, STORE_TICKETS, ticket_id, strlen (ticket_id), bytes,
                      size);
}
