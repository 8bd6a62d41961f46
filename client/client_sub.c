/*  client_sub: see client_sub.h. */
#include "client_sub.h"
#include "json.h"

#include "client_secure.h"
#include "proto.h"

#include <cjson/cJSON.h>
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _client_subscriber_t {
    zsock_t *sub;        /* the live feed, every topic */
    char snapshot[256];  /* the snapshot endpoint */
    char *client_cert;   /* CURVE client certificate path, or NULL */
    char *server_public; /* the server's public certificate, or NULL */
    uint64_t sequence;   /* the state reflects messages up to this */
    uint64_t announced;  /* the highest number the publisher announced */
    bool synced;         /* a snapshot has been applied */
    size_t resyncs;      /* snapshots fetched after a gap */
    zhashx_t *scores;    /* "topic|period" -> row JSON */
    zhashx_t *alerts;    /* ticket_id -> alert JSON */
};

client_subscriber_t *
client_subscriber_new (const char *publish, const char *snapshot, int rcvhwm,
                       char *err)
{
    return client_subscriber_new_secure (publish, snapshot, NULL, NULL, rcvhwm,
                                         err);
}

client_subscriber_t *
client_subscriber_new_secure (const char *publish, const char *snapshot,
                              const char *client_cert,
                              const char *server_public, int rcvhwm, char *err)
{
    client_subscriber_t *self = calloc (1, sizeof (*self));
    if (!self) {
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    snprintf (self->snapshot, sizeof (self->snapshot), "%s", snapshot);
    /* The paths, not the keys, are kept: each snapshot request opens a
       socket of its own and secures it the same way. */
    if (client_cert)
        self->client_cert = strdup (client_cert);
    if (server_public)
        self->server_public = strdup (server_public);
    self->sub = zsock_new (ZMQ_SUB);
    self->scores = zhashx_new ();
    self->alerts = zhashx_new ();
    if (!self->sub || !self->scores || !self->alerts ||
        (client_cert && !self->client_cert) ||
        (server_public && !self->server_public)) {
        snprintf (err, 256, "out of memory");
        client_subscriber_destroy (&self);
        return NULL;
    }
    if (client_secure (self->sub, self->client_cert, self->server_public,
                       err) != 0) {
        client_subscriber_destroy (&self);
        return NULL;
    }
    zhashx_set_destructor (self->scores, (zhashx_destructor_fn *)zstr_free);
    zhashx_set_destructor (self->alerts, (zhashx_destructor_fn *)zstr_free);
    if (rcvhwm > 0)
        zsock_set_rcvhwm (self->sub, rcvhwm);
    /* Every topic: a subscriber can only notice a lost message if it sees
       every sequence number. Filtering by topic is the caller's. */
    zsock_set_subscribe (self->sub, "");
    if (zsock_connect (self->sub, "%s", publish) != 0) {
        snprintf (err, 256, "cannot connect to %s", publish);
        client_subscriber_destroy (&self);
        return NULL;
    }
    return self;
}

void
client_subscriber_destroy (client_subscriber_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    client_subscriber_t *self = *self_p;
    zsock_destroy (&self->sub);
    zhashx_destroy (&self->scores);
    zhashx_destroy (&self->alerts);
    free (self->client_cert);
    free (self->server_public);
    free (self);
    *self_p = NULL;
}

/* Applies one message to the state: a score row by topic and period, an
   alert by ticket (cleared removes it). Heartbeats carry no state. */
static void
s_apply (client_subscriber_t *self, const char *topic, const char *json)
{
    if (strncmp (topic, "score/", 6) == 0) {
        cJSON *row = cJSON_Parse (json);
        const cJSON *period = cJSON_GetObjectItem (row, "period");
        if (cJSON_IsString (period)) {
            char key[512];
            snprintf (key, sizeof (key), "%s|%s", topic, period->valuestring);
            zhashx_update (self->scores, key, strdup (json));
        }
        cJSON_Delete (row);
    } else if (strncmp (topic, "alert/", 6) == 0) {
        cJSON *alert = cJSON_Parse (json);
        const cJSON *ticket = cJSON_GetObjectItem (alert, "ticket_id");
        const cJSON *kind = cJSON_GetObjectItem (alert, "kind");
        if (cJSON_IsString (ticket) && cJSON_IsString (kind)) {
            if (strcmp (kind->valuestring, "cleared") == 0)
                zhashx_delete (self->alerts, ticket->valuestring);
            else
                zhashx_update (self->alerts, ticket->valuestring,
                               strdup (json));
        }
        cJSON_Delete (alert);
    }
}

/* One JSON value at `text`: its end (the byte after it), or NULL. The
   value's bytes are kept as they are, so a snapshot's rows reach the
   caller exactly as the publisher rendered them, as live rows do. */
static const char *
s_value_end (const char *text)
{
    const char *end = NULL;
    cJSON *value = cJSON_ParseWithOpts (text, &end, false);
    cJSON_Delete (value);
    return value ? end : NULL;
}

/* Applies a snapshot, {"sequence":S,"messages":[{"topic":T,"data":D}...]}
   as the publisher writes it (publisher.h), replacing the state.
   Returns 0, or -1 when the text is not one. */
static int
s_apply_snapshot (client_subscriber_t *self, const char *json,
                  client_message_fn *fn, void *arg)
{
    unsigned long long sequence;
    int used = 0;
    if (sscanf (json, "{\"sequence\":%llu,\"messages\":[%n", &sequence,
                &used) != 1 ||
        used == 0)
        return -1;
    zhashx_purge (self->scores);
    zhashx_purge (self->alerts);
    self->sequence = sequence;
    const char *p = json + used;
    while (*p == '{') {
        const char *t = p + strlen ("{\"topic\":");
        const char *t_end =
            strncmp (p, "{\"topic\":", 9) == 0 ? s_value_end (t) : NULL;
        if (!t_end || strncmp (t_end, ",\"data\":", 8) != 0)
            return -1;
        const char *d = t_end + 8, *d_end = s_value_end (d);
        if (!d_end || *d_end != '}')
            return -1;
        cJSON *topic = cJSON_ParseWithLength (t, (size_t)(t_end - t));
        char *data = strndup (d, (size_t)(d_end - d));
        if (cJSON_IsString (topic) && data) {
            s_apply (self, topic->valuestring, data);
            if (fn)
                fn (arg, self->sequence, topic->valuestring, data, true);
        }
        cJSON_Delete (topic);
        free (data);
        p = d_end + 1;
        if (*p == ',')
            p++;
    }
    return strcmp (p, "]}") == 0 ? 0 : -1;
}

int
client_subscriber_sync (client_subscriber_t *self, int timeout_ms,
                        client_message_fn *fn, void *arg, char *err)
{
    proto_query_t q = {.kind = PROTO_QUERY_SNAPSHOT};
    size_t size;
    uint8_t *payload = proto_query_encode (&q, &size);
    zsock_t *req = zsock_new (ZMQ_DEALER);
    int secured =
        req ? client_secure (req, self->client_cert, self->server_public, err)
            : -1;
    if (!payload || secured != 0 ||
        zsock_connect (req, "%s", self->snapshot) != 0) {
        if (!payload || !req || secured == 0)
            snprintf (err, 256, "cannot connect to %s", self->snapshot);
        free (payload);
        zsock_destroy (&req);
        return -1;
    }
    zsock_set_linger (req, 0);
    zframe_t *frame = zframe_new (payload, size);
    free (payload);
    zframe_send (&frame, req, 0);
    zpoller_t *poller = zpoller_new (req, NULL);
    int rc = -1;
    if (zpoller_wait (poller, timeout_ms) == req) {
        zframe_t *reply = zframe_recv (req);
        bool ok = false;
        char *error = NULL, *json = NULL;
        if (reply &&
            proto_reply_decode (zframe_data (reply), zframe_size (reply), &ok,
                                &error, &json) == 0 &&
            ok && s_apply_snapshot (self, json, fn, arg) == 0) {
            self->synced = true;
            rc = 0;
        } else
            snprintf (err, 256, "bad snapshot reply: %s",
                      error ? error : "undecodable");
        free (error);
        free (json);
        zframe_destroy (&reply);
    } else
        snprintf (err, 256, "no snapshot from %s within %d ms", self->snapshot,
                  timeout_ms);
    zpoller_destroy (&poller);
    zsock_destroy (&req);
    return rc;
}

int
client_subscriber_poll (client_subscriber_t *self, int timeout_ms,
                        client_message_fn *fn, void *arg, char *err)
{
    zpoller_t *poller = zpoller_new (self->sub, NULL);
    void *which = zpoller_wait (poller, timeout_ms);
    zpoller_destroy (&poller);
    if (which != self->sub)
        return 0;
    zmsg_t *msg = zmsg_recv (self->sub);
    zframe_t *body = msg && zmsg_size (msg) == 2 ? zmsg_last (msg) : NULL;
    uint64_t sequence;
    char *topic = NULL, *json = NULL;
    if (!body ||
        proto_publication_decode (zframe_data (body), zframe_size (body),
                                  &sequence, &topic, &json) != 0) {
        zmsg_destroy (&msg);
        return 0; /* not a publication: ignore it */
    }
    zmsg_destroy (&msg);
    int rc = 0;
    if (sequence > self->announced)
        self->announced = sequence;
    bool heartbeat = strcmp (topic, "$hb") == 0;
    /* A number beyond the next one means something was lost: the state
       can only be trusted again from a snapshot. */
    if (!self->synced || sequence > self->sequence + (heartbeat ? 0 : 1)) {
        if (self->synced)
            self->resyncs++;
        rc = client_subscriber_sync (self, 5000, fn, arg, err) == 0 ? 1 : -1;
    }
    if (rc >= 0 && !heartbeat && sequence == self->sequence + 1) {
        s_apply (self, topic, json);
        self->sequence = sequence;
        if (fn)
            fn (arg, sequence, topic, json, false);
        rc = 1;
    }
    free (topic);
    free (json);
    return rc;
}

uint64_t
client_subscriber_sequence (const client_subscriber_t *self)
{
    return self->sequence;
}

size_t
client_subscriber_resyncs (const client_subscriber_t *self)
{
    return self->resyncs;
}

uint64_t
client_subscriber_announced (const client_subscriber_t *self)
{
    return self->announced;
}

static void
s_add_map (json_writer_t *json, const char *name, zhashx_t *map)
{
    json_key (json, name);
    json_open (json, '{');
    for (const char *value = zhashx_first (map); value;
         value = zhashx_next (map)) {
        json_key (json, zhashx_cursor (map));
        json_value (json, value);
    }
    json_close (json, '}');
}

char *
client_subscriber_state (const client_subscriber_t *self)
{
    json_writer_t json;
    json_init (&json, 4096);
    json_open (&json, '{');
    json_member_int (&json, "sequence", (long long)self->sequence);
    s_add_map (&json, "scores", self->scores);
    s_add_map (&json, "alerts", self->alerts);
    json_close (&json, '}');
    return json_finish (&json);
}
