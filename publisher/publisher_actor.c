/*  publisher_actor: commit notifications -> publications; snapshots.

    Score rows come from a scorer_live object: it keeps every unit's
    inputs and scores between passes, re-reads only the units a commit
    touched, and hands over only the rows whose JSON changed, so a pass
    costs one scoring of each touched period (arithmetic) rather than a
    read and a JSON row per unit of every ruleset. */
#include "publisher.h"
#include "publisher_live.h"

#include <errno.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sequence numbers are reserved from the store this many at a time: one
   small write transaction per block, not per message. */
#define SEQUENCE_BLOCK 10000

/* Pending rows published between two looks at the sockets: about a
   tenth of a millisecond of work, so a notification waits no longer. */
#define FLUSH_SLICE 32

typedef struct {
    publisher_args_t *args; /* configuration (borrowed) */
    zsock_t *pub;           /* subscribers */
    zsock_t *snapshot;      /* snapshot requests */
    zsock_t *pull;          /* notifications from the scorer */
    uint64_t sequence;      /* last sequence number sent */
    uint64_t reserved;      /* numbers up to this one are reserved */
    publisher_live_t *live; /* rows as last sent; touched units */
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
s_free_payload (void *data, void *hint)
{
    (void)hint;
    free (data);
}

static void
s_send (s_publisher_t *self, const char *topic, uint64_t sequence,
        const char *json)
{
    size_t size;
    uint8_t *payload = proto_publication_encode (sequence, topic, json, &size);
    if (!payload)
        return;
    /* Two frames straight to libzmq, the payload handed over without a
       copy: a pass can publish every unit's row, so the copies and
       allocations of a zmsg_t per message add up. PUB never blocks: a
       subscriber past its high-water mark loses messages, which it sees
       as a gap in the sequence numbers. */
    void *pub = zsock_resolve (self->pub);
    zmq_msg_t body;
    if (zmq_msg_init_data (&body, payload, size, s_free_payload, NULL) != 0) {
        free (payload);
        return;
    }
    if (zmq_send (pub, topic, strlen (topic), ZMQ_SNDMORE) < 0 ||
        zmq_msg_send (&body, pub, 0) < 0)
        zmq_msg_close (&body);
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
    atomic_store (&self->args->stats->publisher_sequence, self->sequence);
}

/* Records one notification: touched pairs and alerts. The frames are
   read in place: a commit names tens of touched pairs. */
static void
s_take (s_publisher_t *self, zmsg_t *msg)
{
    if (!msg)
        return;
    char text[PROTO_ID_MAX * 2 + 16];
    for (zframe_t *kind = zmsg_first (msg); kind; kind = zmsg_next (msg)) {
        if (zframe_streq (kind, "T")) {
            zframe_t *key = zmsg_next (msg);
            if (key && zframe_size (key) < sizeof (text)) {
                memcpy (text, zframe_data (key), zframe_size (key));
                text[zframe_size (key)] = 0;
                publisher_live_touch (self->live, text);
            }
        } else if (zframe_streq (kind, "A")) {
            zframe_t *unit = zmsg_next (msg);
            zframe_t *json = unit ? zmsg_next (msg) : NULL;
            char *u = unit ? zframe_strdup (unit) : NULL;
            char *j = json ? zframe_strdup (json) : NULL;
            if (u && j) {
                /* The list copies what it is given (autofree). */
                zlist_append (self->alerts, u);
                zlist_append (self->alerts, j);
            }
            zstr_free (&u);
            zstr_free (&j);
        }
    }
    zmsg_destroy (&msg);
}

/* A row that changed: published on its unit's topic. */
static void
s_publish_row (void *arg, const char *ruleset, const char *unit,
               const char *json)
{
    char topic[16 + PROTO_ID_MAX * 2];
    snprintf (topic, sizeof (topic), "score/%s/%s", ruleset, unit);
    s_publish (arg, topic, json);
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
    if (!publisher_live_pending (self->live))
        return;
    store_txn_t *txn = store_begin (self->args->store, false);
    if (!txn)
        return;
    /* The rulesets in force now: a reload between passes is picked up
       (scorer_live reads a new ruleset's period in full and sends only
       the rows that differ from what was sent). Only rows whose content
       changed go out: one unit's commit can move every unit's workload
       item (max_closed) and rank. */
    publisher_live_pass (self->live, txn,
                         rules_catalog_current (self->args->catalog),
                         s_publish_row, self);
    store_abort (&txn);
}

/* At start-up the rows of the current periods are recorded as sent, so
   the first pass publishes only what really changes. */
static void
s_prime (s_publisher_t *self)
{
    store_txn_t *txn = store_begin (self->args->store, false);
    if (!txn)
        return;
    int64_t now = state_clock_now (txn);
    if (now) {
        /* Each ruleset scores the period of its own kind. */
        publisher_live_touch_all (self->live,
                                  proto_period_of (now, PROTO_MONTH));
        publisher_live_touch_all (self->live,
                                  proto_period_of (now, PROTO_QUARTER));
        publisher_live_pass (self->live, txn,
                             rules_catalog_current (self->args->catalog), NULL,
                             NULL);
    }
    store_abort (&txn);
}

/* One {"topic","data"} entry of a snapshot; data is JSON already. */
static void
s_add_message (json_writer_t *messages, const char *topic, const char *json)
{
    json_open (messages, '{');
    json_member_string (messages, "topic", topic);
    json_key (messages, "data");
    json_value (messages, json);
    json_close (messages, '}');
}

/* A snapshot being written, and the ruleset whose rows come next. */
typedef struct {
    json_writer_t *json; /* the snapshot */
    const char *ruleset; /* the rows' ruleset id */
    const char *prefix;  /* only topics starting so */
} s_rows_t;

static void
s_add_row (void *arg, const char *unit_id, const char *json)
{
    s_rows_t *rows = arg;
    char topic[16 + PROTO_ID_MAX * 2];
    snprintf (topic, sizeof (topic), "score/%s/%s", rows->ruleset, unit_id);
    if (strncmp (topic, rows->prefix, strlen (rows->prefix)) == 0)
        s_add_message (rows->json, topic, json);
}

/* True when a topic starting with `start` may start with `prefix`: one
   of the two begins the other. */
static bool
s_may_match (const char *start, const char *prefix)
{
    size_t a = strlen (start), b = strlen (prefix);
    return strncmp (start, prefix, a < b ? a : b) == 0;
}

/* The snapshot: the sequence number first, then state read from the
   store at least as new as that number (see publisher.h). */
static char *
s_snapshot_json (s_publisher_t *self, const char *prefix, char *err)
{
    /* Pending rows go out first: every row published after the
       snapshot's number is then computed from a commit after the
       snapshot's read, never before it. */
    publisher_live_flush (self->live, SIZE_MAX, s_publish_row, self);
    uint64_t sequence = self->sequence;
    store_txn_t *txn = store_begin (self->args->store, false);
    if (!txn) {
        snprintf (err, 256, "cannot read the store");
        return NULL;
    }
    json_writer_t json;
    json_init (&json, 64 * 1024);
    json_open (&json, '{');
    json_member_int (&json, "sequence", (long long)sequence);
    json_key (&json, "messages");
    json_open (&json, '[');
    int64_t now = state_clock_now (txn);
    const rules_set_t *sets = rules_catalog_current (self->args->catalog);
    for (size_t r = 0; now && r < rules_set_size (sets); r++) {
        const rules_ruleset_t *rs = rules_set_at (sets, r);
        char start[16 + PROTO_ID_MAX];
        snprintf (start, sizeof (start), "score/%s/", rules_ruleset_id (rs));
        if (!s_may_match (start, prefix))
            continue;
        proto_period_t period = proto_period_of (now, report_period_kind (rs));
        s_rows_t rows = {&json, rules_ruleset_id (rs), prefix};
        if (report_rows (txn, rs, period, s_add_row, &rows, err) != 0)
            zsys_warning ("publisher: snapshot of %s: %s",
                          rules_ruleset_id (rs), err);
    }
    store_cursor_t *cursor = store_cursor_new (txn, STORE_ALERTS, NULL, 0);
    const void *key, *value;
    size_t key_size, size;
    while (cursor && s_may_match ("alert/", prefix) &&
           store_cursor_next (cursor, &key, &key_size, &value, &size) ==
               STORE_OK) {
        /* Open alerts are JSON the state machine wrote; the unit names
           the topic. */
        char *alert = strndup (value, size);
        cJSON *doc = alert ? cJSON_Parse (alert) : NULL;
        const cJSON *unit = cJSON_GetObjectItem (doc, "unit_id");
        if (cJSON_IsString (unit)) {
            char topic[8 + PROTO_ID_MAX];
            snprintf (topic, sizeof (topic), "alert/%s", unit->valuestring);
            if (strncmp (topic, prefix, strlen (prefix)) == 0)
                s_add_message (&json, topic, alert);
        } else
            zsys_warning ("publisher: snapshot: an open alert is not valid "
                          "JSON: %.*s",
                          (int)(size < 200 ? size : 200), (const char *)value);
        cJSON_Delete (doc);
        free (alert);
    }
    store_cursor_destroy (&cursor);
    store_abort (&txn);
    json_close (&json, ']');
    json_close (&json, '}');
    char *text = json_finish (&json);
    if (!text)
        snprintf (err, 256, "out of memory");
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
            json = s_snapshot_json (self, q.topic, err);
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
    self.live = publisher_live_new ();
    self.alerts = zlist_new ();
    zlist_autofree (self.alerts);
    if (self.pub)
        zsock_set_sndhwm (self.pub, self.args->hwm > 0 ? self.args->hwm : 1000);
    if (self.snapshot) /* requests are small: refuse big frames unread */
        zsock_set_maxmsgsize (self.snapshot, (int)proto_query_size_max ());
    security_apply_server (self.args->security, self.pub);
    security_apply_server (self.args->security, self.snapshot);
    if (!self.pub || !self.pull || !self.snapshot || !self.live ||
        zsock_bind (self.pub, "%s", self.args->endpoint) < 0 ||
        zsock_bind (self.snapshot, "%s", self.args->snapshot) < 0 ||
        zsock_bind (self.pull, "%s", self.args->notify) < 0 ||
        (self.args->inproc_publish &&
         zsock_bind (self.pub, "%s", self.args->inproc_publish) < 0) ||
        (self.args->inproc_snapshot &&
         zsock_bind (self.snapshot, "%s", self.args->inproc_snapshot) < 0) ||
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
    zpoller_set_nonstop (poller, true); /* main stops it, with $TERM */
    int heartbeat =
        self.args->heartbeat_ms > 0 ? self.args->heartbeat_ms : 1000;
    int64_t next_beat = zclock_mono () + heartbeat;
    while (true) {
        /* Pending rows (moved by a pass, not its touched units') go out a
           slice at a time between notifications: do not wait then. */
        bool backlog = publisher_live_backlog (self.live) > 0;
        int64_t left = next_beat - zclock_mono ();
        void *which =
            zpoller_wait (poller, backlog || left <= 0 ? 0 : (int)left);
        /* czmq (on zmq_poll) calls a poll that a signal interrupted
           "terminated", nonstop or not. Stop signals go to main alone
           (hotlined.c blocks them elsewhere): only its $TERM ends this. */
        if (which == pipe || (zpoller_terminated (poller) && errno != EINTR))
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
        } else if (backlog)
            publisher_live_flush (self.live, FLUSH_SLICE, s_publish_row, &self);
        /* A heartbeat announces everything computed so far: a subscriber
           that has the heartbeat has every row of the commits before it.
           It waits for the pending rows to go out a slice at a time, up
           to one more period; then they all go out at once. */
        int64_t now = zclock_mono ();
        if (now >= next_beat && (publisher_live_backlog (self.live) == 0 ||
                                 now >= next_beat + heartbeat)) {
            publisher_live_flush (self.live, SIZE_MAX, s_publish_row, &self);
            s_send (&self, "$hb", self.sequence, "{}");
            next_beat = now + heartbeat;
        }
    }
    zpoller_destroy (&poller);
cleanup:
    zsock_destroy (&self.pub);
    zsock_destroy (&self.snapshot);
    zsock_destroy (&self.pull);
    publisher_live_destroy (&self.live);
    zlist_destroy (&self.alerts);
}
