/*  ingest_hold: senders held behind a batch that was not stored
    (ingest_internal.h). */
#include "ingest_internal.h"
#include "proto.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Holds kept at most; a hold idle this long is forgotten first (its
   sender gave up, or went away). */
#define HOLDS_MAX    4096
#define HOLD_IDLE_MS (10 * 60 * 1000)

/* One held sender. */
typedef struct {
    uint64_t *ids;                   /* batch ids not stored, ascending */
    size_t count;                    /* how many */
    size_t capacity;                 /* allocated */
    size_t scan;                     /* admit's place in ids for a group */
    int64_t touched;                 /* zclock_mono of the last change */
    char error[PROTO_ERROR_MAX + 1]; /* why the first was not stored */
} s_hold_t;

struct _ingest__holds_t {
    zhashx_t *senders; /* identity in hex -> s_hold_t */
};

static void
s_hold_destroy (void **item)
{
    s_hold_t *hold = *item;
    if (hold) {
        free (hold->ids);
        free (hold);
    }
    *item = NULL;
}

ingest__holds_t *
ingest__holds_new (void)
{
    ingest__holds_t *self = calloc (1, sizeof (*self));
    if (self && !(self->senders = zhashx_new ())) {
        free (self);
        return NULL;
    }
    if (self)
        zhashx_set_destructor (self->senders, s_hold_destroy);
    return self;
}

void
ingest__holds_destroy (ingest__holds_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy (&(*self_p)->senders);
    free (*self_p);
    *self_p = NULL;
}

size_t
ingest__holds_size (const ingest__holds_t *self)
{
    return zhashx_size (self->senders);
}

/* The hex key of an identity, into key (2 * 255 + 1 bytes). */
static const char *
s_key (const void *identity, size_t size, char *key)
{
    static const char hex[] = "0123456789ABCDEF";
    const uint8_t *bytes = identity;
    size = size > 255 ? 255 : size;
    for (size_t i = 0; i < size; i++) {
        key[2 * i] = hex[bytes[i] >> 4];
        key[2 * i + 1] = hex[bytes[i] & 15];
    }
    key[2 * size] = 0;
    return key;
}

/* Adds id to the hold's ids, kept ascending and without repeats. */
static void
s_hold_add (s_hold_t *hold, uint64_t id)
{
    size_t at = 0;
    while (at < hold->count && hold->ids[at] < id)
        at++;
    if (at < hold->count && hold->ids[at] == id)
        return;
    if (hold->count == hold->capacity) {
        size_t capacity = hold->capacity ? hold->capacity * 2 : 16;
        uint64_t *ids = realloc (hold->ids, capacity * sizeof (*ids));
        if (!ids)
            return; /* not held: it goes when it comes, as before holds */
        hold->ids = ids;
        hold->capacity = capacity;
    }
    memmove (hold->ids + at + 1, hold->ids + at,
             (hold->count - at) * sizeof (*hold->ids));
    hold->ids[at] = id;
    hold->count++;
    hold->touched = zclock_mono ();
}

/* Forgets holds idle for long, when the table is full. */
static void
s_forget_idle (ingest__holds_t *self)
{
    if (zhashx_size (self->senders) < HOLDS_MAX)
        return;
    int64_t now = zclock_mono ();
    zlistx_t *keys = zhashx_keys (self->senders);
    for (const char *key = zlistx_first (keys); key; key = zlistx_next (keys)) {
        s_hold_t *hold = zhashx_lookup (self->senders, key);
        if (hold && now - hold->touched > HOLD_IDLE_MS)
            zhashx_delete (self->senders, key);
    }
    zlistx_destroy (&keys);
}

void
ingest__holds_begin (ingest__holds_t *self)
{
    for (s_hold_t *hold = zhashx_first (self->senders); hold;
         hold = zhashx_next (self->senders))
        hold->scan = 0;
}

bool
ingest__holds_admit (ingest__holds_t *self, const void *identity, size_t size,
                     uint64_t batch_id, char *why)
{
    char key[512];
    s_hold_t *hold = zhashx_lookup (self->senders, s_key (identity, size, key));
    if (!hold || hold->scan >= hold->count)
        return true;
    /* Within one group the held batches may go in their order: the
       group is stored whole or not at all. */
    uint64_t first = hold->ids[hold->scan];
    if (batch_id == first) {
        hold->scan++;
        return true;
    }
    if (batch_id < first)
        return true; /* sent before the hold began: a resend */
    snprintf (why, PROTO_ERROR_MAX, "not stored: after batch %llu: %s",
              (unsigned long long)first, hold->error);
    s_hold_add (hold, batch_id);
    return false;
}

void
ingest__holds_settle (ingest__holds_t *self, const void *identity, size_t size,
                      uint64_t batch_id, bool stored, const char *error)
{
    char key[512];
    s_key (identity, size, key);
    s_hold_t *hold = zhashx_lookup (self->senders, key);
    if (stored) {
        if (!hold)
            return;
        size_t at = 0;
        while (at < hold->count && hold->ids[at] != batch_id)
            at++;
        if (at < hold->count) {
            memmove (hold->ids + at, hold->ids + at + 1,
                     (hold->count - at - 1) * sizeof (*hold->ids));
            hold->count--;
            hold->touched = zclock_mono ();
        }
        if (hold->count == 0)
            zhashx_delete (self->senders, key);
        return;
    }
    if (!hold) {
        s_forget_idle (self);
        if (zhashx_size (self->senders) >= HOLDS_MAX ||
            !(hold = calloc (1, sizeof (*hold))))
            return;
        zhashx_insert (self->senders, key, hold);
    }
    if (hold->count == 0 || batch_id <= hold->ids[0])
        snprintf (hold->error, sizeof (hold->error), "%s", error);
    s_hold_add (hold, batch_id);
}
