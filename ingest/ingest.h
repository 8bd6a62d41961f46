/*  ingest: the event endpoint.

    A ROUTER socket takes EventBatch messages (proto/hotline.proto) from
    senders (DEALER, or REQ with its empty delimiter). Each message is
    decoded and checked; the events of every message waiting are handed to
    the scorer as one batch, and each message is answered with a BatchAck
    only after the scorer committed that batch: an acknowledgement means
    the event is durably stored (or was already, or is rejected with a
    reason). A message that cannot be decoded is answered with ok=false and
    the reason at once; nothing else is affected.

    Runs as a czmq actor; ends on $TERM. */
#ifndef INGEST_H_INCLUDED
#define INGEST_H_INCLUDED

#include "security.h"
#include "stats.h"

#include <czmq.h>

typedef struct {
    const char *endpoint; /* where to bind the ROUTER */
    const char *scorer;   /* the scorer's inproc PAIR endpoint */
    size_t batch_max;     /* events per write transaction at most */
    stats_t *stats;       /* shared counters (borrowed) */
    bool failed;          /* out: set when the actor could not start */
    security_t *security; /* CURVE settings, or NULL */
    const char *inproc;   /* a second endpoint for in-process senders (the
                             web's), bound to the same ROUTER, or NULL */
} ingest_args_t;

void ingest_actor (zsock_t *pipe, void *args);

#endif
