/*  ingest_internal: shared by the ingest module's files, not part of its
    contract. */
#ifndef INGEST_INTERNAL_H_INCLUDED
#define INGEST_INTERNAL_H_INCLUDED

#include "ingest.h"

#include <stdbool.h>
#include <stdint.h>

/*  Holds (ingest_hold.c). A batch the store could not take (full, disk
    full, any failure) is answered "not stored" and its sender sends it
    again later; the batches that sender sent after it must not be
    applied before it, or a close would land before its receipt and be
    refused for good. So each such sender is held: its batches with a
    later id than the first one not stored are answered "not stored"
    too, until that one is stored; then the next held one goes, and so
    on. A sender is its ROUTER identity (a connection): a sender that
    starts afresh on a new connection resends in order anyway.           */
typedef struct _ingest__holds_t ingest__holds_t;

ingest__holds_t *ingest__holds_new (void);
void ingest__holds_destroy (ingest__holds_t **self_p);

/* Starts deciding a group: call before the group's first admit. */
void ingest__holds_begin (ingest__holds_t *self);
/* Whether a message of the group, in order, may go to the scorer. When
   not, `why` (PROTO_ERROR_MAX bytes) says which batch goes first, and
   the batch is held with the others. `identity` is the sender's routing
   id (bytes). */
bool ingest__holds_admit (ingest__holds_t *self, const void *identity,
                          size_t size, uint64_t batch_id, char *why);
/* After the scorer answered: a message of the group was stored or not
   (`error` says why not). */
void ingest__holds_settle (ingest__holds_t *self, const void *identity,
                           size_t size, uint64_t batch_id, bool stored,
                           const char *error);
/* Senders held now. */
size_t ingest__holds_size (const ingest__holds_t *self);

#endif
