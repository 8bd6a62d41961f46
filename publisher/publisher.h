/*  publisher: live score updates and alerts.

    A PUB socket sends two-frame messages: the topic, then a Publication
    (proto/hotline.proto) carrying a sequence number, the topic again and a
    JSON body. Topics (INTERFACES.md section 5):
      score/<ruleset>/<unit_id>  the unit's items and total for a period,
                                 sent when they changed after a commit
      alert/<unit_id>            overdue and cleared alerts, in order
    Sequence numbers increase by one per message from 1 at start-up.

    The scorer PUSHes what each commit touched to `notify`; the publisher
    drains every pending notification before scoring, so a burst of
    commits costs one scoring pass per ruleset and period.

    Runs as a czmq actor; ends on $TERM. */
#ifndef PUBLISHER_H_INCLUDED
#define PUBLISHER_H_INCLUDED

#include "scorer.h"
#include "stats.h"

typedef struct {
    const char *endpoint;      /* where to bind the PUB socket */
    const char *notify;        /* inproc PULL endpoint to bind */
    store_t *store;            /* shared store (borrowed) */
    scorer_catalog_t *catalog; /* rulesets (borrowed) */
    daemon_stats_t *stats;     /* shared counters (borrowed) */
    bool failed;               /* out: set when the actor could not start */
} publisher_args_t;

void publisher_actor (zsock_t *pipe, void *args);

#endif
