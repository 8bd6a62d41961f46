/*  ingest_actor: decode, group, hand to the scorer, acknowledge.

    Group commit: every message already queued on the socket when a batch
    starts joins it (up to batch_max events), so under load one fsync'd
    commit covers many senders' messages, and at low load a lone message
    is committed at once without waiting for company. */
#include "ingest.h"
#include "proto.h"
#include "scorer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGES_MAX 256

/* One received message: its envelope and decoded batch. */
typedef struct {
    zmsg_t *envelope;    /* routing frames to answer with */
    proto_batch_t batch; /* decoded events */
    size_t first;        /* index of its first event in the group */
} s_message_t;

typedef struct {
    ingest_args_t *args;                /* configuration (borrowed) */
    zsock_t *router;                    /* senders */
    zsock_t *scorer;                    /* PAIR to the scorer */
    s_message_t messages[MESSAGES_MAX]; /* the group being built */
    size_t message_count;               /* messages in the group */
    size_t event_count;                 /* events in the group */
} s_ingest_t;

static void
s_send_reply (s_ingest_t *self, zmsg_t **envelope_p, uint8_t *payload,
              size_t size)
{
    zmsg_t *reply = *envelope_p;
    *envelope_p = NULL;
    if (!payload) {
        zmsg_destroy (&reply);
        return;
    }
    zmsg_addmem (reply, payload, size);
    free (payload);
    zmsg_send (&reply, self->router);
}

static void
s_reply_error (s_ingest_t *self, zmsg_t **envelope_p, uint64_t batch_id,
               const char *error)
{
    proto_batch_ack_t ack = {.batch_id = batch_id, .ok = false};
    snprintf (ack.error, sizeof (ack.error), "%s", error);
    size_t size;
    uint8_t *payload = proto_batch_ack_encode (&ack, &size);
    s_send_reply (self, envelope_p, payload, size);
}

/* Splits a message into envelope and payload and decodes it into the
   group. Answers at once, and returns false, when it cannot be decoded. */
static bool
s_take (s_ingest_t *self, zmsg_t *msg)
{
    /* The payload is the last frame; everything before it is the routing
       envelope (identity, and REQ's empty delimiter), echoed back. */
    if (zmsg_size (msg) < 2) {
        zsys_warning ("ingest: message without a payload frame: dropped");
        atomic_fetch_add (&self->args->stats->bad_messages, 1);
        zmsg_destroy (&msg);
        return false;
    }
    zframe_t *payload = zmsg_last (msg);
    zmsg_remove (msg, payload);
    zmsg_t *envelope = msg;
    s_message_t *m = &self->messages[self->message_count];
    char reason[PROTO_ERROR_MAX + 1];
    if (proto_batch_decode (zframe_data (payload), zframe_size (payload),
                            &m->batch, reason) != 0) {
        zsys_warning ("ingest: undecodable batch: %s", reason);
        atomic_fetch_add (&self->args->stats->bad_messages, 1);
        s_reply_error (self, &envelope, 0, reason);
        zframe_destroy (&payload);
        return false;
    }
    zframe_destroy (&payload);
    for (size_t i = 0; i < m->batch.reject_count; i++)
        zsys_warning ("ingest: sender rejected line %u: %s",
                      m->batch.rejects[i].line, m->batch.rejects[i].reason);
    atomic_fetch_add (&self->args->stats->client_rejected,
                      m->batch.reject_count);
    m->envelope = envelope;
    m->first = self->event_count;
    self->event_count += m->batch.count;
    self->message_count++;
    return true;
}

/* Receives one message that the poller saw, then whatever else is already
   queued, within the group's limits. */
static void
s_collect (s_ingest_t *self)
{
    zmsg_t *msg = zmsg_recv (self->router);
    if (msg)
        s_take (self, msg);
    while (self->message_count < MESSAGES_MAX &&
           self->event_count < self->args->batch_max &&
           (zsock_events (self->router) & ZMQ_POLLIN)) {
        msg = zmsg_recv (self->router);
        if (!msg)
            break;
        s_take (self, msg);
    }
}

static void
s_answer (s_ingest_t *self, const scorer_batch_t *batch)
{
    for (size_t m = 0; m < self->message_count; m++) {
        s_message_t *msg = &self->messages[m];
        if (!batch->committed) {
            s_reply_error (self, &msg->envelope, msg->batch.batch_id,
                           batch->error);
            continue;
        }
        proto_batch_ack_t ack = {.batch_id = msg->batch.batch_id,
                                 .ok = true,
                                 .count = msg->batch.count};
        ack.acks = calloc (ack.count ? ack.count : 1, sizeof (*ack.acks));
        if (!ack.acks) {
            s_reply_error (self, &msg->envelope, msg->batch.batch_id,
                           "out of memory");
            continue;
        }
        for (size_t i = 0; i < ack.count; i++) {
            size_t at = msg->first + i;
            scorer_outcome_t outcome = batch->outcomes[at];
            ack.acks[i].status = outcome == SCORER_STORED ? PROTO_ACK_STORED
                                 : outcome == SCORER_DUPLICATE
                                     ? PROTO_ACK_DUPLICATE
                                     : PROTO_ACK_REJECTED;
            snprintf (ack.acks[i].reason, sizeof (ack.acks[i].reason), "%s",
                      batch->reasons[at]);
        }
        size_t size;
        uint8_t *payload = proto_batch_ack_encode (&ack, &size);
        free (ack.acks);
        s_send_reply (self, &msg->envelope, payload, size);
    }
}

static void
s_process (s_ingest_t *self)
{
    size_t n = self->event_count;
    scorer_batch_t batch = {.count = n};
    proto_event_t *events = calloc (n ? n : 1, sizeof (*events));
    char (*invalid)[PROTO_ERROR_MAX + 1] =
        calloc (n ? n : 1, sizeof (*invalid));
    batch.outcomes = calloc (n ? n : 1, sizeof (*batch.outcomes));
    batch.reasons = calloc (n ? n : 1, sizeof (*batch.reasons));
    if (!events || !invalid || !batch.outcomes || !batch.reasons) {
        snprintf (batch.error, sizeof (batch.error), "out of memory");
        batch.committed = false;
    } else {
        for (size_t m = 0; m < self->message_count; m++) {
            proto_batch_t *b = &self->messages[m].batch;
            if (b->count == 0)
                continue; /* an empty batch has no arrays to copy */
            memcpy (events + self->messages[m].first, b->events,
                    b->count * sizeof (*events));
            memcpy (invalid + self->messages[m].first, b->invalid,
                    b->count * sizeof (*invalid));
        }
        batch.events = events;
        batch.invalid = (const char (*)[PROTO_ERROR_MAX + 1]) invalid;
        if (n == 0)
            batch.committed = true; /* only sender-side rejections */
        else {
            /* The scorer commits before it answers: what we acknowledge
               below is on disk. */
            zsock_send (self->scorer, "sp", "BATCH", &batch);
            char *done = zstr_recv (self->scorer);
            zstr_free (&done);
        }
    }
    s_answer (self, &batch);
    for (size_t m = 0; m < self->message_count; m++) {
        zmsg_destroy (&self->messages[m].envelope);
        proto_batch_free (&self->messages[m].batch);
    }
    self->message_count = self->event_count = 0;
    free (events);
    free (invalid);
    free (batch.outcomes);
    free (batch.reasons);
}

void
ingest_actor (zsock_t *pipe, void *args)
{
    s_ingest_t *self = calloc (1, sizeof (*self));
    if (!self) {
        ((ingest_args_t *)args)->failed = true;
        zsock_signal (pipe, 1);
        return;
    }
    self->args = args;
    if (self->args->batch_max == 0)
        self->args->batch_max = 4096;
    self->router = zsock_new (ZMQ_ROUTER);
    self->scorer = zsock_new (ZMQ_PAIR);
    if (self->router) {
        /* Oversize frames are refused by libzmq before they cost memory. */
        zsock_set_maxmsgsize (self->router, 64 * 1024 * 1024);
        zsock_set_router_mandatory (self->router, 0);
    }
    security_apply_server (self->args->security, self->router);
    if (!self->router || !self->scorer ||
        zsock_bind (self->router, "%s", self->args->endpoint) < 0 ||
        zsock_connect (self->scorer, "%s", self->args->scorer) != 0) {
        zsys_error ("ingest: cannot bind %s: %s", self->args->endpoint,
                    zmq_strerror (zmq_errno ()));
        zsock_destroy (&self->router);
        zsock_destroy (&self->scorer);
        free (self);
        ((ingest_args_t *)args)->failed = true;
        zsock_signal (pipe, 1);
        return;
    }
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, self->router, NULL);
    while (true) {
        void *which = zpoller_wait (poller, -1);
        if (which == pipe || zpoller_terminated (poller))
            break;
        if (which == self->router) {
            s_collect (self);
            if (self->message_count > 0)
                s_process (self);
        }
    }
    zpoller_destroy (&poller);
    zsock_destroy (&self->router);
    zsock_destroy (&self->scorer);
    free (self);
}
