/*  publisher_actor: commit notifications -> publications; snapshots. */
#include "publisher.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sequence numbers are reserved from the store this many at a time: one
   small write transaction per block, not per message. */
#define SEQUENCE_BLOCK 10000

typedef struct {
    publisher_args_t *args; /* configuration (borrowed) */
    zsock_t *pub;           /* subscribers */
    zsock_t *snapshot;      /* snapshot requests */
    zsock_t *pull;          /* notifications from the scorer */
    uint64_t sequence;      /* last sequence number sent */
    uint64_t reserved;      /* numbers up to this one are reserved */
    zhashx_t *last;         /* "ruleset|period|unit" -> last JSON sent */
    zhashx_t *periods;      /* periods touched since the last pass */
    zlist_t *alerts;        /* unit, json, ... pending alerts */
} s_publisher_t;

/* Reserves the next block of sequence numbers in the store. */
static int
s_reserve (s_publisher_t *self)
{
    store_txn_t *txn = store_begin (self->args->store, true);
    if (!txn)
        return -1;
    uint64_t reserved = 0;
    store_meta_get (txn, "pubseq", &reserved);
    if (reserved > self->sequence)
        self->sequence = reserved; /* resume above the last run's numbers */
    self->reserved = self->sequence + SEQUENCE_BLOCK;
    int rc = store_meta_put (txn, "pubseq", self->reserved);
    if (rc == STORE_OK)
        rc = store_commit (&txn);
    else
        store_abort (&txn);
    return rc == STORE_OK ? 0 : -1;
}

static void
s_send (s_publisher_t *self, const char *topic, uint64_t sequence,
        const char *json)
{
    size_t size;
    uint8_t *payload = proto_publication_encode (sequence, topic, json, &size);
    if (!payload)
        return;
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, topic);
    zmsg_addmem (msg, payload, size);
    free (payload);
    /* PUB never blocks: a subscriber past its high-water mark loses
       messages, which it sees as a gap in the sequence numbers. */
    if (zmsg_send (&msg, self->pub) != 0)
        zmsg_destroy (&msg);
}

static void
s_publish (s_publisher_t *self, const char *topic, const char *json)
{
    if (self->sequence + 1 > self->reserved && s_reserve (self) != 0) {
        zsys_error ("publisher: cannot reserve sequence numbers: not "
                    "publishing %s",
                    topic);
        return;
    }
    s_send (self, topic, ++self->sequence, json);
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

/* Scores one ruleset for one period and publishes the rows that changed
   (publish = false only fills the cache, at start-up). */
static void
s_score (s_publisher_t *self, store_txn_t *txn, const scorer_ruleset_t *rs,
         scorer_period_t period, bool publish)
{
    char text[8], err[256];
    scorer_period_format (period, text);
    zhashx_t *rows = scorer_report_rows (txn, rs, period, err);
    if (!rows) {
        zsys_warning ("publisher: %s %s: %s", scorer_ruleset_id (rs), text,
                      err);
        return;
    }
    /* Only rows whose content changed: one unit's commit can move every
       unit's workload item (max_closed). */
    for (char *json = zhashx_first (rows); json; json = zhashx_next (rows)) {
        const char *unit = zhashx_cursor (rows);
        char key[PROTO_ID_MAX * 2 + 16];
        snprintf (key, sizeof (key), "%s|%s|%s", scorer_ruleset_id (rs), text,
                  unit);
        const char *last = zhashx_lookup (self->last, key);
        if (last && streq (last, json))
            continue;
        zhashx_update (self->last, key, strdup (json));
        if (!publish)
            continue;
        char topic[16 + PROTO_ID_MAX * 2];
        snprintf (topic, sizeof (topic), "score/%s/%s", scorer_ruleset_id (rs),
                  unit);
        s_publish (self, topic, json);
    }
    zhashx_destroy (&rows);
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
            scorer_period_t period;
            if (scorer_period_parse (zhashx_cursor (self->periods), &period) ==
                    0 &&
                period.kind == scorer_ruleset_period_kind (rs))
                s_score (self, txn, rs, period, true);
        }
    }
    store_abort (&txn);
    zhashx_purge (self->periods);
}

/* At start-up the cache holds the current period's rows, so the first
   pass publishes only what really changes. */
static void
s_prime (s_publisher_t *self)
{
    store_txn_t *txn = store_begin (self->args->store, false);
    if (!txn)
        return;
    int64_t now = scorer_clock_now (txn);
    const scorer_rulesets_t *sets =
        scorer_catalog_current (self->args->catalog);
    for (size_t r = 0; now && r < scorer_rulesets_size (sets); r++) {
        const scorer_ruleset_t *rs = scorer_rulesets_at (sets, r);
        s_score (self, txn, rs,
                 scorer_period_of (now, scorer_ruleset_period_kind (rs)),
                 false);
    }
    store_abort (&txn);
}

static void
s_add_message (cJSON *messages, const char *topic, const char *json)
{
    cJSON *entry = cJSON_CreateObject ();
    cJSON_AddStringToObject (entry, "topic", topic);
    cJSON *data = cJSON_Parse (json);
    cJSON_AddItemToObject (entry, "data", data ? data : cJSON_CreateNull ());
    cJSON_AddItemToArray (messages, entry);
}

/* The snapshot: the sequence number first, then state read from the
   store at least as new as that number (see publisher.h). */
static char *
s_snapshot_json (s_publisher_t *self, char *err)
{
    uint64_t sequence = self->sequence;
    store_txn_t *txn = store_begin (self->args->store, false);
    if (!txn) {
        snprintf (err, 256, "cannot read the store");
        return NULL;
    }
    cJSON *doc = cJSON_CreateObject ();
    cJSON_AddNumberToObject (doc, "sequence", (double)sequence);
    cJSON *messages = cJSON_AddArrayToObject (doc, "messages");
    int64_t now = scorer_clock_now (txn);
    const scorer_rulesets_t *sets =
        scorer_catalog_current (self->args->catalog);
    for (size_t r = 0; now && r < scorer_rulesets_size (sets); r++) {
        const scorer_ruleset_t *rs = scorer_rulesets_at (sets, r);
        scorer_period_t period =
            scorer_period_of (now, scorer_ruleset_period_kind (rs));
        zhashx_t *rows = scorer_report_rows (txn, rs, period, err);
        for (char *json = rows ? zhashx_first (rows) : NULL; json;
             json = zhashx_next (rows)) {
            char topic[16 + PROTO_ID_MAX * 2];
            snprintf (topic, sizeof (topic), "score/%s/%s",
                      scorer_ruleset_id (rs),
                      (const char *)zhashx_cursor (rows));
            s_add_message (messages, topic, json);
        }
        zhashx_destroy (&rows);
    }
    store_cursor_t *cursor = store_cursor_new (txn, STORE_ALERTS, NULL, 0);
    const void *key, *value;
    size_t key_size, size;
    while (cursor && store_cursor_next (cursor, &key, &key_size, &value,
                                        &size) == STORE_OK) {
        char *json = strndup (value, size);
        cJSON *alert = json ? cJSON_Parse (json) : NULL;
        const cJSON *unit = cJSON_GetObjectItem (alert, "unit_id");
        if (cJSON_IsString (unit)) {
            char topic[8 + PROTO_ID_MAX];
            snprintf (topic, sizeof (topic), "alert/%s", unit->valuestring);
            s_add_message (messages, topic, json);
        }
        cJSON_Delete (alert);
        free (json);
    }
    store_cursor_destroy (&cursor);
    store_abort (&txn);
    char *text = cJSON_PrintUnformatted (doc);
    cJSON_Delete (doc);
    return text;
}

static void
s_answer_snapshot (s_publisher_t *self, zmsg_t *msg)
{
    if (zmsg_size (msg) < 2) {
        zmsg_destroy (&msg);
        return;
    }
    zframe_t *payload = zmsg_last (msg);
    zmsg_remove (msg, payload);
    proto_query_t q;
    char err[256] = "";
    char *json = NULL;
    if (proto_query_decode (zframe_data (payload), zframe_size (payload), &q,
                            err) != 0)
        atomic_fetch_add (&self->args->stats->bad_messages, 1);
    else {
        if (q.kind == PROTO_QUERY_SNAPSHOT)
            json = s_snapshot_json (self, err);
        else
            snprintf (err, sizeof (err),
                      "the snapshot endpoint answers SNAPSHOT only");
        proto_query_free (&q);
    }
    zframe_destroy (&payload);
    size_t size;
    uint8_t *reply =
        proto_reply_encode (json != NULL, json ? NULL : err, json, &size);
    free (json);
    if (reply) {
        zmsg_addmem (msg, reply, size);
        free (reply);
        if (zmsg_send (&msg, self->snapshot) == 0)
            return;
    }
    zmsg_destroy (&msg);
}

void
publisher_actor (zsock_t *pipe, void *args)
{
    s_publisher_t self = {.args = args};
    self.pub = zsock_new (ZMQ_PUB);
    self.snapshot = zsock_new (ZMQ_ROUTER);
    self.pull = zsock_new (ZMQ_PULL);
    self.last = zhashx_new ();
    self.periods = zhashx_new ();
    self.alerts = zlist_new ();
    zlist_autofree (self.alerts);
    zhashx_set_destructor (self.last, (zhashx_destructor_fn *)zstr_free);
    if (self.pub)
        zsock_set_sndhwm (self.pub, self.args->hwm > 0 ? self.args->hwm : 1000);
    security_apply_server (self.args->security, self.pub);
    security_apply_server (self.args->security, self.snapshot);
    if (!self.pub || !self.pull || !self.snapshot ||
        zsock_bind (self.pub, "%s", self.args->endpoint) < 0 ||
        zsock_bind (self.snapshot, "%s", self.args->snapshot) < 0 ||
        zsock_bind (self.pull, "%s", self.args->notify) < 0 ||
        s_reserve (&self) != 0) {
        zsys_error ("publisher: cannot start on %s and %s: %s",
                    self.args->endpoint, self.args->snapshot,
                    zmq_strerror (zmq_errno ()));
        self.args->failed = true;
        zsock_signal (pipe, 1);
        goto cleanup;
    }
    s_prime (&self);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, self.pull, self.snapshot, NULL);
    int heartbeat =
        self.args->heartbeat_ms > 0 ? self.args->heartbeat_ms : 1000;
    int64_t next_beat = zclock_mono () + heartbeat;
    while (true) {
        int64_t left = next_beat - zclock_mono ();
        void *which = zpoller_wait (poller, left > 0 ? (int)left : 0);
        if (which == pipe || zpoller_terminated (poller))
            break;
        if (which == self.pull) {
            do
                s_take (&self, zmsg_recv (self.pull));
            while (zsock_events (self.pull) & ZMQ_POLLIN);
            s_score_pass (&self);
        } else if (which == self.snapshot) {
            zmsg_t *msg = zmsg_recv (self.snapshot);
            if (msg)
                s_answer_snapshot (&self, msg);
        }
        if (zclock_mono () >= next_beat) {
            s_send (&self, "$hb", self.sequence, "{}");
            next_beat = zclock_mono () + heartbeat;
        }
    }
    zpoller_destroy (&poller);
cleanup:
    zsock_destroy (&self.pub);
    zsock_destroy (&self.snapshot);
    zsock_destroy (&self.pull);
    zhashx_destroy (&self.last);
    zhashx_destroy (&self.periods);
    zlist_destroy (&self.alerts);
}
