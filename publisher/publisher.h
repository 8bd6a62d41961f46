/*  publisher: live score updates and alerts, and snapshots for late
    joiners (the zguide's Clone pattern).

    A PUB socket sends two-frame messages: the topic, then a Publication
    (proto/hotline.proto) carrying a sequence number, the topic again and a
    JSON body. Topics (docs/live.md):
      score/<ruleset>/<unit_id>  the unit's items and total for a period,
                                 sent when they changed after a commit
      alert/<unit_id>            warning, overdue and cleared alerts
      $hb                        heartbeat: the last sequence number sent,
                                 every heartbeat_ms (the number is not
                                 consumed), so a subscriber notices lost
                                 messages even when nothing else comes
    Sequence numbers increase by one per message and survive restarts:
    they are reserved from the store in blocks, so after a restart the
    numbering resumes above anything sent before (subscribers see a gap
    and re-sync, which is what they should do after a restart).

    The snapshot endpoint (ROUTER) answers a QueryRequest of kind SNAPSHOT
    with {"sequence":S,"messages":[{"topic","data"}...]}: the current
    period's score of every unit for every ruleset and every open alert,
    read from the store. A subscriber subscribes first, then asks for a
    snapshot, applies it, and applies only messages numbered above S;
    every message is a state assignment (a unit's row, a ticket's alert),
    so one computed from a newer commit than S is harmless to apply again.
    A request whose `topic` is set gets only the messages whose topic
    starts with it (a ruleset that cannot match is not even scored).

    The scorer PUSHes what each commit touched ("period\x1funit") to
    `notify`; the publisher drains every pending notification, then
    rescores each touched period (scorer_live.h: inputs kept in memory,
    only the touched units read again, rows rendered only when their
    numbers moved), so a burst of commits costs one pass per ruleset and
    period. The rows of the touched units go out at once; the other rows
    a pass changed (a new max_closed or shifted ranks move every row of a
    table) go out a few at a time between notifications, each with its
    latest value, so the next commit's rows never queue behind a
    thousand others. A heartbeat is sent once those are out (or one
    period late, after sending them all): a subscriber that has seen a
    heartbeat has every row of the commits before it. A snapshot request
    sends them all first too. PUB never blocks: a subscriber past its
    high-water mark loses messages and sees a gap. Runs as a czmq actor;
    ends on $TERM. */
#ifndef PUBLISHER_H_INCLUDED
#define PUBLISHER_H_INCLUDED

#include "report.h"
#include "security.h"
#include "stats.h"

typedef struct {
    const char *endpoint;        /* where to bind the PUB socket */
    const char *snapshot;        /* where to bind the snapshot ROUTER */
    const char *notify;          /* inproc PULL endpoint to bind */
    store_t *store;              /* shared store (borrowed) */
    rules_catalog_t *catalog;    /* rulesets (borrowed) */
    int hwm;                     /* PUB send high-water mark, per subscriber */
    int heartbeat_ms;            /* heartbeat period */
    stats_t *stats;              /* shared counters (borrowed) */
    bool failed;                 /* out: set when the actor could not start */
    security_t *security;        /* CURVE settings, or NULL */
    const char *inproc_publish;  /* second PUB endpoint (the web's), or NULL */
    const char *inproc_snapshot; /* second snapshot endpoint, or NULL */
} publisher_args_t;

void publisher_actor (zsock_t *pipe, void *args);

#endif
