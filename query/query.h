/*  query: snapshot queries and administration.

    A ROUTER socket answers QueryRequest messages (REQ or DEALER) with a
    QueryReply whose body is JSON:
      REPORT        the scorecard of a ruleset and period (docs/ 4),
                    read from the last commit: a consistent snapshot
      UNITS_IMPORT  adds or updates units: {"units":N,"added":M}
      STATS         the daemon's counters and the store's sizes
      RULESETS      the loaded rulesets: [{"id","period"}]
      UNITS         the units registry: {"count":N,"units":[{"unit_id",
                    "name","group"}...]} in registry order
      ALERTS        the open alerts, of `unit` when set, most urgent
                    first: {"clock":"...","count":N,"alerts":[...]}
      REJECTED      the newest dead letters
      CALENDAR_IMPORT  adds or replaces the calendar years of a file
                    (docs/calendar.md): {"calendar":"cn","years":[2026]};
                    a file refused names its line and field, and the
                    calendar stays as it was
      CALENDAR      the working time in force, or one year of it
                    (state_calendar_json)
      RULESETS_RELOAD  loads the rulesets again (embedded and directory);
                    on any error the daemon keeps the ones it had and the
                    reply names the file, line and reason
    A request that cannot be decoded is answered with ok=false and why.

    Runs as a czmq actor; ends on $TERM. */
#ifndef QUERY_H_INCLUDED
#define QUERY_H_INCLUDED

#include "report.h"
#include "security.h"
#include "stats.h"

typedef struct {
    const char *endpoint;     /* where to bind the ROUTER */
    store_t *store;           /* shared store (borrowed) */
    rules_catalog_t *catalog; /* rulesets (borrowed) */
    const char *clock;        /* "wall" or "event", for stats */
    stats_t *stats;           /* shared counters (borrowed) */
    bool failed;              /* out: set when the actor could not start */
    security_t *security;     /* CURVE settings, or NULL */
    const char *inproc;       /* a second endpoint for in-process clients
                                 (the web's), bound to the same ROUTER */
    size_t asof_spacing;      /* events between as-of checkpoints (asof.h);
                                 0: ASOF_SPACING */
    size_t asof_checkpoints;  /* as-of checkpoints kept; 0: ASOF_CHECKPOINTS */
    size_t asof_budget_mb;    /* their disk at most; 0: ASOF_BUDGET_MB */
} query_args_t;

void query_actor (zsock_t *pipe, void *args);

#endif
