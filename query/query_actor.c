/*  query_actor: one request at a time, each in its own transaction. */
#include "query_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Requests a connection may queue before its client is pushed back. */
#define QUEUE_MAX 16

/* How long a write waits for the other transactions to end so that the
   map can grow (scorer_actor.c waits as long). */
#define GROW_WAIT_MS 2000

typedef struct {
    query_args_t *args; /* configuration (borrowed) */
    zsock_t *router;    /* clients */
    zactor_t *asof;     /* the as-of worker (query_asof.c) */
} s_query_t;

/* The ruleset a query names, or NULL with the error. */
static const rules_ruleset_t *
s_ruleset (s_query_t *self, const char *id, char *err)
{
    return query__ruleset (self->args, id, err);
}

static char *
s_explain (s_query_t *self, const proto_query_t *q, char *err)
{
    const rules_ruleset_t *rs = s_ruleset (self, q->ruleset, err);
    store_txn_t *txn = rs ? store_begin (self->args->store, false) : NULL;
    if (rs && !txn)
        snprintf (err, 256, "cannot read the store");
    char *json =
        txn ? report_explain_json (txn, rs, q->period, q->unit, q->item, err)
            : NULL;
    store_abort (&txn);
    return json;
}

static char *
s_ticket (s_query_t *self, const proto_query_t *q, char *err)
{
    store_txn_t *txn = store_begin (self->args->store, false);
    if (!txn) {
        snprintf (err, 256, "cannot read the store");
        return NULL;
    }
    char *json = report_ticket_json (txn, q->ticket, err);
    store_abort (&txn);
    return json;
}

/* Appeals, publication and diffs (docs/appeals.md). */
static char *
s_appeals (s_query_t *self, const proto_query_t *q, char *err)
{
    store_txn_t *txn = store_begin (self->args->store, false);
    char *json = txn ? report_appeals_json (
                           txn, rules_catalog_current (self->args->catalog),
                           q->unit, q->state, err)
                     : NULL;
    if (!txn)
        snprintf (err, 256, "cannot read the store");
    store_abort (&txn);
    return json;
}

/* A write the map had no room for: grows the map (up to map_max_mb)
   and says to try again, as the scorer does for a batch; nothing of
   the failed try was stored. False at the ceiling, or on another
   failure. */
static bool
s_grown (s_query_t *self, int rc)
{
    if (rc != STORE_FULL ||
        store_make_room (self->args->store, true, GROW_WAIT_MS) != 1)
        return false;
    uint64_t used = 0, map = 0;
    if (store_info (self->args->store, &used, &map) == STORE_OK)
        zsys_info ("query: the store's map grew to %llu MiB (%llu MiB used)",
                   (unsigned long long)(map >> 20),
                   (unsigned long long)(used >> 20));
    return true;
}

/* A write transaction, or NULL with why in err. */
static store_txn_t *
s_begin_write (s_query_t *self, char *err)
{
    store_txn_t *txn = store_begin (self->args->store, true);
    if (!txn)
        snprintf (err, 256, "cannot write the store");
    return txn;
}

/* Commits a write transaction whose work produced `json` (or aborts it
   when there is none). A failed commit frees the answer and says why in
   err after `what`; *rc is the store's code either way, for s_grown. */
static char *
s_settle (store_txn_t **txn, char *json, int *rc, const char *what, char *err)
{
    if (json)
        *rc = store_commit (txn);
    store_abort (txn);
    if (json && *rc != STORE_OK) {
        snprintf (err, 256, "%s: %s", what, store_strerror (*rc));
        free (json);
        json = NULL;
    }
    return json;
}

/* Publishing writes the report's bytes: a map without room for them is
   grown and the publication tried again, as an import is (s_grown). */
static char *
s_publish (s_query_t *self, const proto_query_t *q, char *err)
{
    const rules_ruleset_t *rs = s_ruleset (self, q->ruleset, err);
    if (!rs)
        return NULL;
    char *json;
    int rc;
    do {
        store_txn_t *txn = s_begin_write (self, err);
        if (!txn)
            return NULL;
        /* The daemon's clock: event time on the event clock, else now. */
        int64_t now = strcmp (self->args->clock, "event") == 0
                          ? state_clock_now (txn)
                          : zclock_time ();
        json = report_publish (txn, rs, q->period, q->note, q->force, now, &rc,
                               err);
        json = s_settle (&txn, json, &rc, "not published", err);
    } while (!json && s_grown (self, rc));
    if (json)
        zsys_info ("query: published %s %s", q->ruleset, q->period);
    return json;
}

static char *
s_diff (s_query_t *self, const proto_query_t *q, char *err)
{
    const rules_ruleset_t *rs = s_ruleset (self, q->ruleset, err);
    store_txn_t *txn = rs ? store_begin (self->args->store, false) : NULL;
    if (rs && !txn)
        snprintf (err, 256, "cannot read the store");
    char *json = txn ? report_diff (txn, rs, q->period, q->version, err) : NULL;
    store_abort (&txn);
    return json;
}

/* True when some loaded ruleset has a table for exactly this group (a
   table of "all" names none: it takes whatever is left). */
static bool
s_group_named (const rules_set_t *sets, const char *group)
{
    for (size_t r = 0; r < rules_set_size (sets); r++) {
        const rules_ruleset_t *rs = rules_set_at (sets, r);
        for (int t = 0; t < rs->table_count; t++)
            if (strcmp (rs->tables[t].group, group) == 0)
                return true;
    }
    return false;
}

/* "warnings": one per imported group that no loaded ruleset names; its
   units are listed in a table of their own in every report. */
static void
s_unnamed_groups (s_query_t *self, const proto_query_t *q, json_writer_t *json)
{
    const rules_set_t *sets = rules_catalog_current (self->args->catalog);
    bool opened = false;
    for (size_t i = 0; i < q->unit_count; i++) {
        const char *group = q->units[i].group;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp (q->units[j].group, group) == 0;
        if (seen || s_group_named (sets, group))
            continue;
        if (!opened) {
            json_key (json, "warnings");
            json_open (json, '[');
            opened = true;
        }
        char text[256];
        snprintf (text, sizeof (text),
                  "group \"%s\" is named by no loaded ruleset: its units are "
                  "listed in a table of their own in every report",
                  group);
        json_string (json, text);
        zsys_warning ("query: %s", text);
    }
    if (opened)
        json_close (json, ']');
}

static char *
s_units_import (s_query_t *self, const proto_query_t *q, char *err)
{
    for (size_t i = 0; i < q->unit_count; i++)
        if (!*q->units[i].unit_id || !*q->units[i].group) {
            snprintf (err, 256, "unit %zu: unit_id and group are required",
                      i + 1);
            return NULL;
        }
    size_t added;
    int rc;
    do {
        store_txn_t *txn = s_begin_write (self, err);
        if (!txn)
            return NULL;
        added = 0;
        rc = state_units_import (txn, q->units, q->unit_count, &added);
        if (rc == STORE_OK)
            rc = store_commit (&txn);
        else
            store_abort (&txn);
    } while (s_grown (self, rc));
    if (rc != STORE_OK) {
        snprintf (err, 256, "units not stored: %s", store_strerror (rc));
        return NULL;
    }
    zsys_info ("query: imported %zu units (%zu new)", q->unit_count, added);
    json_writer_t json;
    json_init (&json, 256);
    json_open (&json, '{');
    json_member_int (&json, "units", (long long)q->unit_count);
    json_member_int (&json, "added", (long long)added);
    s_unnamed_groups (self, q, &json);
    json_close (&json, '}');
    return json_finish (&json);
}

/* Adds or replaces calendar years (docs/calendar.md) in one write
   transaction: a file refused anywhere changes nothing. The scorer sees
   the new calendar at its next batch (state_calendar_sync). */
static char *
s_calendar_import (s_query_t *self, const proto_query_t *q, char *err)
{
    if (!q->body || !q->body_size) {
        snprintf (err, 256, "the calendar file is empty");
        return NULL;
    }
    char *json;
    int rc;
    do {
        store_txn_t *txn = s_begin_write (self, err);
        if (!txn)
            return NULL;
        json = state_calendar_import (txn, q->body, q->body_size, &rc, err);
        json = s_settle (&txn, json, &rc, "calendar not stored", err);
    } while (!json && s_grown (self, rc));
    if (json)
        zsys_info ("query: calendar imported: %s", json);
    else
        zsys_warning ("query: calendar refused, the old one kept: %s", err);
    return json;
}

static char *
s_calendar (s_query_t *self, const proto_query_t *q, char *err)
{
    if (q->year && (q->year < 2000 || q->year > 2099)) {
        snprintf (err, 256, "the year must be from 2000 to 2099");
        return NULL;
    }
    store_txn_t *txn = store_begin (self->args->store, false);
    if (!txn) {
        snprintf (err, 256, "cannot read the store");
        return NULL;
    }
    char *json = state_calendar_json (txn, q->year, err);
    store_abort (&txn);
    return json;
}

/* The store's side of `hotline stats`, read in one transaction. */
static void
s_stats_store (s_query_t *self, json_writer_t *json)
{
    store_txn_t *txn = store_begin (self->args->store, false);
    if (txn) {
        char when[32];
        int64_t now = state_clock_now (txn);
        json_member_string (json, "clock",
                            now ? proto_time_format (now, when) : "");
        static const struct {
            const char *name;    /* member */
            store_table_t table; /* counted */
        } tables[] = {{"log_events", STORE_LOG},
                      {"tickets", STORE_TICKETS},
                      {"open_deadlines", STORE_DUE},
                      {"units", STORE_UNITS},
                      {"open_alerts", STORE_ALERTS},
                      {"dead_letters", STORE_REJECTED},
                      {"drilldown_pending", STORE_COUNTED_PENDING},
                      {"drilldown_settling", STORE_COUNTED_SETTLING}};
        /* The deadline index also holds entries of tickets that left
           before their moment: what is still to come is counted apart. */
        for (size_t i = 0; i < sizeof (tables) / sizeof (tables[0]); i++)
            json_member_int (
                json, tables[i].name,
                tables[i].table == STORE_DUE
                    ? (long long)state_open_deadlines (txn)
                    : (long long)store_count (txn, tables[i].table));
        uint64_t total = 0;
        store_meta_get (txn, "duplicates_total", &total);
        json_member_int (json, "duplicates_total", (long long)total);
        uint64_t dropped, repeats;
        state_dead_totals (txn, &dropped, &repeats);
        json_member_int (json, "dead_letters_dropped", (long long)dropped);
        json_member_int (json, "dead_letters_repeated", (long long)repeats);
        store_abort (&txn);
    }
    uint64_t used = 0, map = 0;
    if (store_info (self->args->store, &used, &map) == STORE_OK) {
        json_member_int (json, "store_bytes", (long long)used);
        json_member_int (json, "store_map_bytes", (long long)map);
        size_t ceiling = store_map_max (self->args->store);
        json_member_int (json, "store_map_max_bytes",
                         (long long)(ceiling > map ? ceiling : map));
    }
    json_member_bool (json, "commits_synced", store_synced (self->args->store));
}

static char *
s_stats (s_query_t *self)
{
    stats_t *st = self->args->stats;
    const struct {
        const char *name;          /* member */
        _Atomic uint64_t *counter; /* its value */
    } counters[] = {{"events_stored", &st->events_stored},
                    {"events_duplicate", &st->events_duplicate},
                    {"events_rejected", &st->events_rejected},
                    {"client_rejected", &st->client_rejected},
                    {"batches_committed", &st->batches_committed},
                    {"batches_failed", &st->batches_failed},
                    {"batches_held", &st->batches_held},
                    {"bad_messages", &st->bad_messages},
                    {"queries", &st->queries},
                    {"published", &st->published}};
    json_writer_t json;
    json_init (&json, 1024);
    json_open (&json, '{');
    for (size_t i = 0; i < sizeof (counters) / sizeof (counters[0]); i++)
        json_member_int (&json, counters[i].name,
                         (long long)atomic_load (counters[i].counter));
    json_key (&json, "rejected_by_class");
    json_open (&json, '{');
    for (int k = 1; k < STATE_REJECT_KINDS; k++)
        json_member_int (&json, state_reject_name (k),
                         (long long)atomic_load (&st->rejected_by[k]));
    json_close (&json, '}');
    json_member_string (&json, "clock_mode", self->args->clock);
    s_stats_store (self, &json);
    query__stats_health (&json, st);
    json_close (&json, '}');
    return json_finish (&json);
}

static char *
s_rulesets (s_query_t *self)
{
    json_writer_t json;
    json_init (&json, 256);
    json_open (&json, '[');
    const rules_set_t *sets = rules_catalog_current (self->args->catalog);
    for (size_t i = 0; i < rules_set_size (sets); i++) {
        const rules_ruleset_t *rs = rules_set_at (sets, i);
        json_open (&json, '{');
        json_member_string (&json, "id", rules_ruleset_id (rs));
        json_member_string (&json, "period",
                            rules_ruleset_period_kind (rs) == RULES_MONTH
                                ? "month"
                                : "quarter");
        json_close (&json, '}');
    }
    json_close (&json, ']');
    return json_finish (&json);
}

/* A read of the store (dead letters, units, alerts) in its own read
   transaction. */
static char *
s_read (s_query_t *self, const proto_query_t *q, char *err)
{
    store_txn_t *txn = store_begin (self->args->store, false);
    char *json = NULL;
    if (txn && q->kind == PROTO_QUERY_UNITS)
        json = query__units_json (txn);
    else if (txn && q->kind == PROTO_QUERY_ALERTS)
        json = query__alerts_json (txn, q->unit);
    else if (txn)
        json = state_dead_letters_json (txn, q->limit);
    store_abort (&txn);
    if (!json)
        snprintf (err, 256, "cannot read the store");
    return json;
}

static void
s_handle (s_query_t *self, zmsg_t *msg)
{
    if (zmsg_size (msg) < 2) {
        atomic_fetch_add (&self->args->stats->bad_messages, 1);
        zmsg_destroy (&msg);
        return;
    }
    zframe_t *payload = zmsg_last (msg);
    zmsg_remove (msg, payload);
    char err[256] = "";
    char *json = NULL;
    proto_query_t q;
    if (proto_query_decode (zframe_data (payload), zframe_size (payload), &q,
                            err) != 0) {
        atomic_fetch_add (&self->args->stats->bad_messages, 1);
        zsys_warning ("query: undecodable request: %s", err);
    } else {
        switch (q.kind) {
        case PROTO_QUERY_REPORT:
            if (query__is_as_of (&q)) {
                /* Built off this thread: the reply comes back from the
                   worker (s_forward). */
                proto_query_free (&q);
                atomic_fetch_add (&self->args->stats->queries, 1);
                zmsg_append (msg, &payload);
                zmsg_send (&msg, self->asof);
                return;
            }
            json = query__report (self->args, NULL, &q, err);
            break;
        case PROTO_QUERY_UNITS_IMPORT:
            json = s_units_import (self, &q, err);
            break;
        case PROTO_QUERY_STATS:
            json = s_stats (self);
            break;
        case PROTO_QUERY_RULESETS:
            json = s_rulesets (self);
            break;
        case PROTO_QUERY_EXPLAIN:
            json = s_explain (self, &q, err);
            break;
        case PROTO_QUERY_TICKET:
            json = s_ticket (self, &q, err);
            break;
        case PROTO_QUERY_APPEALS:
            json = s_appeals (self, &q, err);
            break;
        case PROTO_QUERY_PUBLISH:
            json = s_publish (self, &q, err);
            break;
        case PROTO_QUERY_DIFF:
            json = s_diff (self, &q, err);
            break;
        case PROTO_QUERY_CALENDAR_IMPORT:
            json = s_calendar_import (self, &q, err);
            break;
        case PROTO_QUERY_CALENDAR:
            json = s_calendar (self, &q, err);
            break;
        case PROTO_QUERY_REJECTED:
        case PROTO_QUERY_UNITS:
        case PROTO_QUERY_ALERTS:
            json = s_read (self, &q, err);
            break;
        case PROTO_QUERY_RULESETS_RELOAD:
            if (rules_catalog_reload (self->args->catalog, err) == 0) {
                zsys_info ("query: rulesets reloaded");
                json = s_rulesets (self);
            } else
                zsys_warning ("query: rulesets not reloaded, keeping the "
                              "loaded ones: %s",
                              err);
            break;
        default:
            snprintf (err, sizeof (err), "unknown query kind");
        }
        proto_query_free (&q);
        atomic_fetch_add (&self->args->stats->queries, 1);
    }
    zframe_destroy (&payload);
    query__reply (&msg, json, err, self->router);
}

/* A reply the as-of worker built, to its client. */
static void
s_forward (s_query_t *self)
{
    zmsg_t *msg = zmsg_recv (self->asof);
    if (msg)
        zmsg_send (&msg, self->router);
    zmsg_destroy (&msg);
}

void
query_actor (zsock_t *pipe, void *args)
{
    s_query_t self = {args, zsock_new (ZMQ_ROUTER),
                      zactor_new (query__asof_actor, args)};
    if (self.router) {
        /* Frames past the largest legal request are refused by libzmq
           before they are read; a request is counted on the wire before
           it is unpacked (proto_query_decode). */
        zsock_set_maxmsgsize (self.router, (int)proto_query_size_max ());
        zsock_set_rcvhwm (self.router, QUEUE_MAX);
    }
    security_apply_server (self.args->security, self.router);
    if (!self.router || !self.asof ||
        zsock_bind (self.router, "%s", self.args->endpoint) < 0 ||
        (self.args->inproc &&
         zsock_bind (self.router, "%s", self.args->inproc) < 0)) {
        zsys_error ("query: cannot bind %s: %s", self.args->endpoint,
                    zmq_strerror (zmq_errno ()));
        zsock_destroy (&self.router);
        zactor_destroy (&self.asof);
        ((query_args_t *)args)->failed = true;
        zsock_signal (pipe, 1);
        return;
    }
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, self.router, self.asof, NULL);
    zpoller_set_nonstop (poller, true); /* main stops it, with $TERM */
    while (true) {
        void *which = zpoller_wait (poller, -1);
        /* czmq (on zmq_poll) calls a poll that a signal interrupted
           "terminated", nonstop or not. Stop signals go to main alone
           (hotlined.c blocks them elsewhere): only its $TERM ends this. */
        if (which == pipe || (zpoller_terminated (poller) && errno != EINTR))
            break;
        if (which == self.router) {
            zmsg_t *msg = zmsg_recv (self.router);
            if (msg)
                s_handle (&self, msg);
        } else if (which == self.asof)
            s_forward (&self);
    }
    zpoller_destroy (&poller);
    /* Waits for an as-of report being built: the worker owns a read
       transaction of the store. */
    zactor_destroy (&self.asof);
    zsock_destroy (&self.router);
}
