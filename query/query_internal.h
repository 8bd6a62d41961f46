/*  query_internal: JSON answers of the query actor (query_json.c),
    shared inside the folder. The functions returning char * return a
    string the caller frees, or NULL when out of memory or the store
    could not be read. */
#ifndef QUERY_INTERNAL_H_INCLUDED
#define QUERY_INTERNAL_H_INCLUDED

#include "query.h"

#include "asof.h"

/* Appends the STATS members beyond the counters and the store's: the
   store refusing, the publisher's sequence, live HTTP clients, and the
   ack-latency and events-per-commit histograms. */
void query__stats_health (json_writer_t *json, stats_t *st);

/* The units registry in registry order (UNITS):
   {"count":N,"units":[{"unit_id","name","group"}...]}. */
char *query__units_json (store_txn_t *txn);

/* The open alerts, most urgent first (ALERTS), of one unit or of all
   ("" or NULL), with the daemon's clock to tell the time left by:
   {"clock":"...","count":N,"alerts":[alert...]}. */
char *query__alerts_json (store_txn_t *txn, const char *unit);

/* The ruleset a query names, or NULL with the error (256 bytes). */
const rules_ruleset_t *query__ruleset (query_args_t *args, const char *id,
                                       char *err);

/* The REPORT answer: the published bytes, or the scorecard of a ruleset
   and period (as of q->as_of) built in a read transaction of its own,
   from the as-of worker's kept replays when `asof` is not NULL. */
char *query__report (query_args_t *args, asof_t *asof, const proto_query_t *q,
                     char *err);

/* True for a report as of a moment (it may replay the event log): built
   by the as-of worker, off the query actor's thread. */
bool query__is_as_of (const proto_query_t *q);

/* Appends the QueryReply of `json` (taken; NULL: the error `err`) to
   *msg_p (the client's envelope) and sends it to `to`. Returns 0, or -1
   when out of memory or not sent (the message is then dropped). */
int query__reply (zmsg_t **msg_p, char *json, const char *err, void *to);

/* The as-of worker (query_asof.c), a czmq actor with `args` the query's
   query_args_t: takes [envelope..., request] messages on its pipe and
   sends back [envelope..., reply], one at a time; ends on $TERM. */
void query__asof_actor (zsock_t *pipe, void *args);

#endif
