/*  publisher_actor: turns commit notifications into publications. */
#include "publisher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    publisher_args_t *args; /* configuration (borrowed) */
    zsock_t *pub;           /* subscribers */
    zsock_t *pull;          /* notifications from the scorer */
    uint64_t sequence;      /* last sequence number sent */
    zhashx_t *last;         /* "ruleset|period|unit" -> last JSON sent */
    zhashx_t *periods;      /* periods touched since the last pass */
    zlist_t *alerts;        /* unit, json, ... pending alerts */
} s_publisher_t;

static void
s_publish (s_publisher_t *self, const char *topic, const char *json)
{
    size_t size;
    uint8_t *payload =
        proto_publication_encode (++self->sequence, topic, json, &size);
    if (!payload)
        return;
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, topic);
    zmsg_addmem (msg, payload, size);
    free (payload);
    /* PUB never blocks: a subscriber past its high-water mark loses
       messages, which it sees as a gap in the sequence numbers. */
    zmsg_send (&msg, self->pub);
    atomic_fetch_add (&self->args->stats->published, 1);
}

/* Records one notification: touched periods and alerts. */
static void
s_take (s_publisher_t *self, zmsg_t *msg)
{
    char *kind;
    while ((kind = zmsg_popstr (msg))) {
        if (streq (kind, "T")) {
            char *key = zmsg_popstr (msg);
            char *sep = key ? strchr (key, '\x1f') : NULL;
            if (sep) {
                *sep = 0;
                zhashx_insert (self->periods, key, (void *)"");
            }
            zstr_free (&key);
        } else if (streq (kind, "A")) {
            char *unit = zmsg_popstr (msg);
            char *json = zmsg_popstr (msg);
            if (unit && json) {
                zlist_append (self->alerts, unit);
                zlist_append (self->alerts, json);
            }
            zstr_free (&unit);
            zstr_free (&json);
        }
        zstr_free (&kind);
    }
    zmsg_destroy (&msg);
}

static void
s_score_pass (s_publisher_t *self)
{
    for (char *unit = zlist_first (self->alerts); unit;
         unit = zlist_next (self->alerts)) {
        char topic[8 + PROTO_ID_MAX];
        snprintf (topic, sizeof (topic), "alert/%s", unit);
        s_publish (self, topic, zlist_next (self->alerts));
    }
    zlist_purge (self->alerts);
    if (zhashx_size (self->periods) == 0)
        return;
    store_txn_t *txn = store_begin (self->args->store, false);
    if (!txn)
        return;
    /* The rulesets in force now: a reload between passes is picked up. */
    const scorer_rulesets_t *sets =
        scorer_catalog_current (self->args->catalog);
    for (size_t r = 0; r < scorer_rulesets_size (sets); r++) {
        const scorer_ruleset_t *rs = scorer_rulesets_at (sets, r);
        for (void *item = zhashx_first (self->periods); item;
             item = zhashx_next (self->periods)) {
            const char *text = zhashx_cursor (self->periods);
            scorer_period_t period;
            if (scorer_period_parse (text, &period) != 0 ||
                period.kind != scorer_ruleset_period_kind (rs))
                continue;
            char err[256];
            zhashx_t *rows = scorer_report_rows (txn, rs, period, err);
            if (!rows) {
                zsys_warning ("publisher: %s %s: %s", scorer_ruleset_id (rs),
                              text, err);
                continue;
            }
            /* Publish only rows whose content changed: one unit's commit
               can move every unit's workload item (max_closed). */
            for (char *json = zhashx_first (rows); json;
                 json = zhashx_next (rows)) {
                const char *unit = zhashx_cursor (rows);
                char key[PROTO_ID_MAX * 2 + 16];
                snprintf (key, sizeof (key), "%s|%s|%s", scorer_ruleset_id (rs),
                          text, unit);
                const char *last = zhashx_lookup (self->last, key);
                if (last && streq (last, json))
                    continue;
                zhashx_update (self->last, key, strdup (json));
                char topic[16 + PROTO_ID_MAX * 2];
                snprintf (topic, sizeof (topic), "score/%s/%s",
                          scorer_ruleset_id (rs), unit);
                s_publish (self, topic, json);
            }
            zhashx_destroy (&rows);
        }
    }
    store_abort (&txn);
    zhashx_purge (self->periods);
}

void
publisher_actor (zsock_t *pipe, void *args)
{
    s_publisher_t self = {.args = args};
    self.pub = zsock_new (ZMQ_PUB);
    self.pull = zsock_new (ZMQ_PULL);
    self.last = zhashx_new ();
    self.periods = zhashx_new ();
    self.alerts = zlist_new ();
    zlist_autofree (self.alerts);
    zhashx_set_destructor (self.last, (zhashx_destructor_fn *)zstr_free);
    if (!self.pub || !self.pull ||
        zsock_bind (self.pub, "%s", self.args->endpoint) < 0 ||
        zsock_bind (self.pull, "%s", self.args->notify) < 0) {
        zsys_error ("publisher: cannot bind %s: %s", self.args->endpoint,
                    zmq_strerror (zmq_errno ()));
        ((publisher_args_t *)args)->failed = true;
        zsock_signal (pipe, 1);
        goto cleanup;
    }
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, self.pull, NULL);
    while (true) {
        void *which = zpoller_wait (poller, -1);
        if (which == pipe || zpoller_terminated (poller))
            break;
        if (which == self.pull) {
            do
                s_take (&self, zmsg_recv (self.pull));
            while (zsock_events (self.pull) & ZMQ_POLLIN);
            s_score_pass (&self);
        }
    }
    zpoller_destroy (&poller);
cleanup:
    zsock_destroy (&self.pub);
    zsock_destroy (&self.pull);
    zhashx_destroy (&self.last);
    zhashx_destroy (&self.periods);
    zlist_destroy (&self.alerts);
}
