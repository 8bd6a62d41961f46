/*  query_actor: one request at a time, each in its own transaction. */
#include "query.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    query_args_t *args; /* configuration (borrowed) */
    zsock_t *router;    /* clients */
} s_query_t;

static char *
s_report (s_query_t *self, const proto_query_t *q, char *err)
{
    const rules_ruleset_t *rs = rules_set_find (
        rules_catalog_current (self->args->catalog), q->ruleset);
    if (!rs) {
        snprintf (err, 256,
                  "unknown ruleset \"%s\" (hotline rulesets lists "
                  "them)",
                  q->ruleset);
        return NULL;
    }
    store_txn_t *txn = store_begin (self->args->store, false);
    if (!txn) {
        snprintf (err, 256, "cannot read the store");
        return NULL;
    }
    char *json = report_json (txn, rs, q->period, q->as_of, err);
    store_abort (&txn);
    return json;
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
    store_txn_t *txn = store_begin (self->args->store, true);
    if (!txn) {
        snprintf (err, 256, "cannot write the store");
        return NULL;
    }
    size_t added = 0;
    int rc = state_units_import (txn, q->units, q->unit_count, &added);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    if (rc != STORE_OK) {
        snprintf (err, 256, "units not stored: %s", store_strerror (rc));
        return NULL;
    }
    zsys_info ("query: imported %zu units (%zu new)", q->unit_count, added);
    char *json = malloc (64);
    if (json)
        snprintf (json, 64, "{\"units\":%zu,\"added\":%zu}", q->unit_count,
                  added);
    return json;
}

static char *
s_stats (s_query_t *self)
{
    stats_t *st = self->args->stats;
    cJSON *doc = cJSON_CreateObject ();
    cJSON_AddNumberToObject (doc, "events_stored",
                             (double)atomic_load (&st->events_stored));
    cJSON_AddNumberToObject (doc, "events_duplicate",
                             (double)atomic_load (&st->events_duplicate));
    cJSON_AddNumberToObject (doc, "events_rejected",
                             (double)atomic_load (&st->events_rejected));
    cJSON_AddNumberToObject (doc, "client_rejected",
                             (double)atomic_load (&st->client_rejected));
    cJSON_AddNumberToObject (doc, "batches_committed",
                             (double)atomic_load (&st->batches_committed));
    cJSON_AddNumberToObject (doc, "batches_failed",
                             (double)atomic_load (&st->batches_failed));
    cJSON_AddNumberToObject (doc, "bad_messages",
                             (double)atomic_load (&st->bad_messages));
    cJSON_AddNumberToObject (doc, "queries",
                             (double)atomic_load (&st->queries));
    cJSON_AddNumberToObject (doc, "published",
                             (double)atomic_load (&st->published));
    cJSON *by = cJSON_AddObjectToObject (doc, "rejected_by_class");
    for (int k = 1; k < STATE_REJECT_KINDS; k++)
        cJSON_AddNumberToObject (by, state_reject_name (k),
                                 (double)atomic_load (&st->rejected_by[k]));
    cJSON_AddStringToObject (doc, "clock_mode", self->args->clock);
    store_txn_t *txn = store_begin (self->args->store, false);
    if (txn) {
        char when[32];
        int64_t now = state_clock_now (txn);
        cJSON_AddStringToObject (doc, "clock",
                                 now ? proto_time_format (now, when) : "");
        cJSON_AddNumberToObject (doc, "log_events",
                                 (double)store_count (txn, STORE_LOG));
        cJSON_AddNumberToObject (doc, "tickets",
                                 (double)store_count (txn, STORE_TICKETS));
        cJSON_AddNumberToObject (doc, "open_deadlines",
                                 (double)store_count (txn, STORE_DUE));
        cJSON_AddNumberToObject (doc, "units",
                                 (double)store_count (txn, STORE_UNITS));
        cJSON_AddNumberToObject (doc, "open_alerts",
                                 (double)store_count (txn, STORE_ALERTS));
        cJSON_AddNumberToObject (doc, "dead_letters",
                                 (double)store_count (txn, STORE_REJECTED));
        uint64_t total = 0;
        store_meta_get (txn, "duplicates_total", &total);
        cJSON_AddNumberToObject (doc, "duplicates_total", (double)total);
        store_abort (&txn);
    }
    uint64_t used = 0, map = 0;
    if (store_info (self->args->store, &used, &map) == STORE_OK) {
        cJSON_AddNumberToObject (doc, "store_bytes", (double)used);
        cJSON_AddNumberToObject (doc, "store_map_bytes", (double)map);
    }
    char *json = cJSON_PrintUnformatted (doc);
    cJSON_Delete (doc);
    return json;
}

static char *
s_rulesets (s_query_t *self)
{
    cJSON *doc = cJSON_CreateArray ();
    const rules_set_t *sets = rules_catalog_current (self->args->catalog);
    for (size_t i = 0; i < rules_set_size (sets); i++) {
        const rules_ruleset_t *rs = rules_set_at (sets, i);
        cJSON *item = cJSON_CreateObject ();
        cJSON_AddStringToObject (item, "id", rules_ruleset_id (rs));
        cJSON_AddStringToObject (item, "period",
                                 rules_ruleset_period_kind (rs) == RULES_MONTH
                                     ? "month"
                                     : "quarter");
        cJSON_AddItemToArray (doc, item);
    }
    char *json = cJSON_PrintUnformatted (doc);
    cJSON_Delete (doc);
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
            json = s_report (self, &q, err);
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
        case PROTO_QUERY_REJECTED: {
            store_txn_t *txn = store_begin (self->args->store, false);
            json = txn ? state_dead_letters_json (txn, q.limit) : NULL;
            store_abort (&txn);
            if (!json)
                snprintf (err, sizeof (err), "cannot read the dead letters");
            break;
        }
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
    size_t size;
    uint8_t *reply =
        proto_reply_encode (json != NULL, json ? NULL : err, json, &size);
    free (json);
    if (!reply) {
        zmsg_destroy (&msg);
        return;
    }
    zmsg_addmem (msg, reply, size);
    free (reply);
    zmsg_send (&msg, self->router);
}

void
query_actor (zsock_t *pipe, void *args)
{
    s_query_t self = {args, zsock_new (ZMQ_ROUTER)};
    if (self.router)
        zsock_set_maxmsgsize (self.router, 64 * 1024 * 1024);
    security_apply_server (self.args->security, self.router);
    if (!self.router ||
        zsock_bind (self.router, "%s", self.args->endpoint) < 0) {
        zsys_error ("query: cannot bind %s: %s", self.args->endpoint,
                    zmq_strerror (zmq_errno ()));
        zsock_destroy (&self.router);
        ((query_args_t *)args)->failed = true;
        zsock_signal (pipe, 1);
        return;
    }
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, self.router, NULL);
    while (true) {
        void *which = zpoller_wait (poller, -1);
        if (which == pipe || zpoller_terminated (poller))
            break;
        if (which == self.router) {
            zmsg_t *msg = zmsg_recv (self.router);
            if (msg)
                s_handle (&self, msg);
        }
    }
    zpoller_destroy (&poller);
    zsock_destroy (&self.router);
}
