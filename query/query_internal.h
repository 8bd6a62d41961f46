/*  query_internal: JSON answers of the query actor (query_json.c),
    shared inside the folder. The functions returning char * return a
    string the caller frees, or NULL when out of memory or the store
    could not be read. */
#ifndef QUERY_INTERNAL_H_INCLUDED
#define QUERY_INTERNAL_H_INCLUDED

#include "query.h"

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

#endif
