/*  ingest_actor: decode, group, hand to the scorer, acknowledge.

    Group commit: every message already queued on the socket when a batch
    starts joins it (up to batch_max events), so under load one fsync'd
    commit covers many senders' messages, and at low load a lone message
    is committed at once without waiting for company.

    Pipelined: while the scorer applies and commits one group, the next
    is received and decoded here, and goes to the scorer the moment the
    first is answered. Decoding and answering thus overlap the scorer's
    work instead of adding to it; at most two groups are held.

    In order: a message the store could not take holds its sender
    (ingest_hold.c), so nothing the sender sent after it is applied
    before it.

    Bounded: frames larger than the largest legal batch are refused by
    libzmq before they are read (ZMQ_MAXMSGSIZE), each connection queues
    at most QUEUE_MAX messages, and a batch is counted on the wire before
    it is unpacked (proto_batch_decode). A stop never waits for the
    scorer longer than STOP_WAIT_MS: what is not answered by then is
    not acknowledged, and its senders send it again. */
#include "ingest_internal.h"
#include "proto.h"
#include "scorer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGES_MAX 256

/* Messages a connection may queue in the socket before its sender is
   pushed back (TCP flow control): two windows of hotline send. A peer
   costs at most this many frames of the size limit. */
#define QUEUE_MAX 64

/* Sender-side rejects logged one by one per message; the rest summed. */
#define LOG_REJECTS 10

/* Handing a group to the scorer, and waiting for its answer when
   stopping, take at most this long. */
#define STOP_WAIT_MS 5000

/* One received message: its envelope and decoded batch. */
typedef struct {
    zmsg_t *envelope;    /* routing frames to answer with */
    proto_batch_t batch; /* its id, count and rejects (events: the group's) */
    size_t first;        /* index of its first event in the group */
    int64_t received_us; /* when it was received (zclock_usecs) */
} s_message_t;

/* A group: messages committed together. */
typedef struct {
    s_message_t messages[MESSAGES_MAX]; /* in arrival order */
    size_t message_count;               /* messages in the group */
    scorer_batch_t batch;               /* what the scorer is given */
    proto_events_t decoded; /* its events, decoded in place; the arrays are
                               kept from group to group */
} s_group_t;

typedef struct {
    ingest_args_t *args;    /* configuration (borrowed) */
    zsock_t *router;        /* senders */
    zsock_t *scorer;        /* PAIR to the scorer */
    s_group_t groups[2];    /* one being built, one at the scorer */
    s_group_t *building;    /* the group receiving messages */
    s_group_t *in_flight;   /* the group the scorer has, or NULL */
    ingest__holds_t *holds; /* senders held behind a batch not stored */
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
    s_group_t *g = self->building;
    s_message_t *m = &g->messages[g->message_count];
    char reason[PROTO_ERROR_MAX + 1];
    m->first = g->decoded.count;
    if (proto_batch_append (zframe_data (payload), zframe_size (payload),
                            &m->batch, &g->decoded, reason) != 0) {
        zsys_warning ("ingest: undecodable batch: %s", reason);
        atomic_fetch_add (&self->args->stats->bad_messages, 1);
        s_reply_error (self, &envelope, 0, reason);
        zframe_destroy (&payload);
        return false;
    }
    zframe_destroy (&payload);
    for (size_t i = 0; i < m->batch.reject_count && i < LOG_REJECTS; i++)
        zsys_warning ("ingest: sender rejected line %u: %s",
                      m->batch.rejects[i].line, m->batch.rejects[i].reason);
    if (m->batch.reject_count > LOG_REJECTS)
        zsys_warning ("ingest: and %zu more lines the sender rejected",
                      m->batch.reject_count - LOG_REJECTS);
    atomic_fetch_add (&self->args->stats->client_rejected,
                      m->batch.reject_count);
    m->envelope = envelope;
    m->received_us = zclock_usecs ();
    g->message_count++;
    return true;
}

/* Receives one message that the poller saw, then whatever else is already
   queued, within the group's limits. */
static void
s_collect (s_ingest_t *self)
{
    s_group_t *g = self->building;
    zmsg_t *msg = zmsg_recv (self->router);
    if (msg)
        s_take (self, msg);
    while (g->message_count < MESSAGES_MAX &&
           g->decoded.count < self->args->batch_max &&
           (zsock_events (self->router) & ZMQ_POLLIN)) {
        msg = zmsg_recv (self->router);
        if (!msg)
            break;
        s_take (self, msg);
    }
}

/* The routing id of a sender that may have several batches in flight:
   a DEALER, whose envelope is its routing id alone. A request/reply
   peer (REQ's empty delimiter, the web's request number after the id)
   has one batch at a time and learns of a refusal before it sends the
   next, so it is never held (and resends under new ids). NULL then. */
static zframe_t *
s_identity (s_message_t *msg)
{
    return msg->envelope && zmsg_size (msg->envelope) == 1
               ? zmsg_first (msg->envelope)
               : NULL;
}

static void
s_answer (s_ingest_t *self, s_group_t *g)
{
    const scorer_batch_t *batch = &g->batch;
    if (batch->committed && g->decoded.count > 0)
        stats_observe (&self->args->stats->commit_events, stats_batch_bound,
                       g->decoded.count);
    for (size_t m = 0; m < g->message_count; m++) {
        s_message_t *msg = &g->messages[m];
        /* Measured when the answer is about to go: the durable commit and
           the queueing before it are what a sender waits for. */
        int64_t waited = zclock_usecs () - msg->received_us;
        stats_observe (&self->args->stats->ack_latency, stats_latency_bound,
                       waited > 0 ? (uint64_t)waited : 0);
        zframe_t *id = s_identity (msg);
        if (id)
            ingest__holds_settle (self->holds, zframe_data (id),
                                  zframe_size (id), msg->batch.batch_id,
                                  batch->committed, batch->error);
        if (!batch->committed) {
            s_reply_error (self, &msg->envelope, msg->batch.batch_id,
                           batch->error);
            continue;
        }
        proto_batch_ack_t ack = {.batch_id = msg->batch.batch_id,
                                 .ok = true,
                                 .count = msg->batch.count};
        ack.acks = malloc ((ack.count ? ack.count : 1) * sizeof (*ack.acks));
        if (!ack.acks) {
            s_reply_error (self, &msg->envelope, msg->batch.batch_id,
                           "out of memory");
            continue;
        }
        for (size_t i = 0; i < ack.count; i++) {
            size_t at = msg->first + i;
            state_outcome_t outcome = batch->outcomes[at];
            ack.acks[i].status = outcome == STATE_STORED ? PROTO_ACK_STORED
                                 : outcome == STATE_DUPLICATE
                                     ? PROTO_ACK_DUPLICATE
                                     : PROTO_ACK_REJECTED;
            ack.acks[i].reason[0] = '\0';
            if (batch->reasons[at][0])
                snprintf (ack.acks[i].reason, sizeof (ack.acks[i].reason), "%s",
                          batch->reasons[at]);
        }
        size_t size;
        uint8_t *payload = proto_batch_ack_encode (&ack, &size);
        free (ack.acks);
        s_send_reply (self, &msg->envelope, payload, size);
    }
}

/* Answers the group and makes it empty again. */
static void
s_finish (s_ingest_t *self, s_group_t *g)
{
    s_answer (self, g);
    for (size_t m = 0; m < g->message_count; m++) {
        zmsg_destroy (&g->messages[m].envelope);
        proto_batch_free (&g->messages[m].batch);
    }
    g->message_count = g->decoded.count = 0;
    free (g->batch.outcomes);
    free (g->batch.reasons);
    memset (&g->batch, 0, sizeof (g->batch));
}

/* Answers at once the messages of held senders (ingest_hold.c) and
   takes them out of the group, moving the events of those kept up. */
static void
s_hold_back (s_ingest_t *self, s_group_t *g)
{
    ingest__holds_begin (self->holds);
    size_t kept = 0, events = 0;
    for (size_t m = 0; m < g->message_count; m++) {
        s_message_t msg = g->messages[m];
        zframe_t *id = s_identity (&msg);
        char why[PROTO_ERROR_MAX + 1];
        if (id &&
            !ingest__holds_admit (self->holds, zframe_data (id),
                                  zframe_size (id), msg.batch.batch_id, why)) {
            s_reply_error (self, &msg.envelope, msg.batch.batch_id, why);
            proto_batch_free (&msg.batch);
            atomic_fetch_add (&self->args->stats->batches_held, 1);
            continue;
        }
        if (msg.first != events) {
            memmove (&g->decoded.events[events], &g->decoded.events[msg.first],
                     msg.batch.count * sizeof (*g->decoded.events));
            memmove (&g->decoded.invalid[events],
                     &g->decoded.invalid[msg.first],
                     msg.batch.count * sizeof (*g->decoded.invalid));
        }
        msg.first = events;
        events += msg.batch.count;
        g->messages[kept++] = msg;
    }
    g->message_count = kept;
    g->decoded.count = events;
}

/* Hands the group being built to the scorer (or answers it at once when
   it has no events or no memory) and starts building the other one. */
static void
s_dispatch (s_ingest_t *self)
{
    s_group_t *g = self->building;
    s_hold_back (self, g);
    if (g->message_count == 0)
        return;
    size_t n = g->decoded.count;
    scorer_batch_t *batch = &g->batch;
    memset (batch, 0, sizeof (*batch));
    batch->count = n;
    batch->outcomes = calloc (n ? n : 1, sizeof (*batch->outcomes));
    batch->reasons = calloc (n ? n : 1, sizeof (*batch->reasons));
    if (!batch->outcomes || !batch->reasons) {
        snprintf (batch->error, sizeof (batch->error), "out of memory");
        s_finish (self, g);
        return;
    }
    /* The scorer reads the group's arrays in place: nothing appends to
       them until it has answered (s_finish). */
    batch->events = g->decoded.events;
    batch->invalid = (const char (*)[PROTO_ERROR_MAX + 1]) g->decoded.invalid;
    if (n == 0) {
        batch->committed = true; /* only sender-side rejections */
        s_finish (self, g);
        return;
    }
    /* The scorer commits before it answers DONE: what s_finish then
       acknowledges is on disk. It stops only after ingest, so the hand-
       over cannot block; if it ever did, the group is not stored. */
    if (zsock_send (self->scorer, "sp", "BATCH", batch) != 0) {
        snprintf (batch->error, sizeof (batch->error),
                  "not stored: the scorer did not take the batch");
        zsys_error ("ingest: %s", batch->error);
        s_finish (self, g);
        return;
    }
    self->in_flight = g;
    self->building =
        g == &self->groups[0] ? &self->groups[1] : &self->groups[0];
}

/* Waits for the scorer's answer to the group it has, or a command on
   the pipe ($TERM). Returns false when the pipe spoke first. */
static bool
s_await_scorer (s_ingest_t *self, zsock_t *pipe)
{
    zpoller_t *poller = zpoller_new (pipe, self->scorer, NULL);
    zpoller_set_nonstop (poller, true);
    void *which = NULL;
    while (!which && !(zpoller_terminated (poller) && errno != EINTR))
        which = zpoller_wait (poller, -1);
    zpoller_destroy (&poller);
    if (which != self->scorer)
        return false;
    char *done = zstr_recv (self->scorer);
    zstr_free (&done);
    s_finish (self, self->in_flight);
    self->in_flight = NULL;
    return true;
}

/* Sets up the sockets; returns 0 or -1 (logged). */
static int
s_start (s_ingest_t *self)
{
    self->router = zsock_new (ZMQ_ROUTER);
    self->scorer = zsock_new (ZMQ_PAIR);
    self->holds = ingest__holds_new ();
    if (self->router) {
        /* Frames past the largest legal batch are refused by libzmq
           before they are read; each connection queues a bounded number
           of frames. */
        zsock_set_maxmsgsize (self->router, (int)proto_batch_size_max ());
        zsock_set_rcvhwm (self->router, QUEUE_MAX);
        zsock_set_router_mandatory (self->router, 0);
    }
    if (self->scorer)
        zsock_set_sndtimeo (self->scorer, STOP_WAIT_MS);
    security_apply_server (self->args->security, self->router);
    if (self->router && self->scorer && self->holds &&
        zsock_bind (self->router, "%s", self->args->endpoint) >= 0 &&
        (!self->args->inproc ||
         zsock_bind (self->router, "%s", self->args->inproc) >= 0) &&
        zsock_connect (self->scorer, "%s", self->args->scorer) == 0)
        return 0;
    zsys_error ("ingest: cannot bind %s: %s", self->args->endpoint,
                zmq_strerror (zmq_errno ()));
    return -1;
}

/* Closes everything; with `abandoned` (the scorer may still write into
   the group it has) the memory is left to the process's end. */
static void
s_destroy (s_ingest_t **self_p, bool abandoned)
{
    s_ingest_t *self = *self_p;
    *self_p = NULL;
    zsock_destroy (&self->router);
    zsock_destroy (&self->scorer);
    if (abandoned)
        return;
    for (int i = 0; i < 2; i++) {
        for (size_t m = 0; m < self->groups[i].message_count; m++) {
            zmsg_destroy (&self->groups[i].messages[m].envelope);
            proto_batch_free (&self->groups[i].messages[m].batch);
        }
        proto_events_free (&self->groups[i].decoded);
    }
    ingest__holds_destroy (&self->holds);
    free (self);
}

void
ingest_actor (zsock_t *pipe, void *args)
{
    s_ingest_t *self = calloc (1, sizeof (*self));
    if (self)
        self->args = args;
    if (!self || s_start (self) != 0) {
        if (self)
            s_destroy (&self, false);
        ((ingest_args_t *)args)->failed = true;
        zsock_signal (pipe, 1);
        return;
    }
    if (self->args->batch_max == 0)
        self->args->batch_max = 4096;
    zsock_signal (pipe, 0);
    self->building = &self->groups[0];
    zpoller_t *poller = zpoller_new (pipe, self->router, self->scorer, NULL);
    /* A signal does not stop this actor: main stops the actors in order
       ($TERM), so the scorer is there for as long as ingest is. */
    zpoller_set_nonstop (poller, true);
    bool going = true;
    while (going) {
        void *which = zpoller_wait (poller, -1);
        /* czmq (on zmq_poll) calls a poll that a signal interrupted
           "terminated", nonstop or not. Stop signals go to main alone
           (hotlined.c blocks them elsewhere): only its $TERM ends this. */
        if (which == pipe || (zpoller_terminated (poller) && errno != EINTR))
            break;
        if (which == self->scorer) {
            char *done = zstr_recv (self->scorer);
            zstr_free (&done);
            if (self->in_flight) {
                s_finish (self, self->in_flight);
                self->in_flight = NULL;
            }
        } else if (which == self->router) {
            s_group_t *g = self->building;
            if (g->message_count < MESSAGES_MAX &&
                g->decoded.count < self->args->batch_max)
                s_collect (self);
            else if (!self->in_flight)
                s_dispatch (self); /* cannot happen: full groups go out */
            else /* both groups full: wait for the scorer, not the router */
                going = s_await_scorer (self, pipe);
        }
        if (going && !self->in_flight && self->building->message_count > 0)
            s_dispatch (self);
    }
    /* A group at the scorer is answered if the scorer answers in time (it
       finishes what it was given before it reads its pipe); if not, it is
       not acknowledged and its senders send it again. Its memory is then
       left to the process's end: the scorer may still write to it. */
    bool abandoned = false;
    if (self->in_flight) {
        zsock_set_rcvtimeo (self->scorer, STOP_WAIT_MS);
        char *done = zstr_recv (self->scorer);
        if (done)
            s_finish (self, self->in_flight);
        else
            zsys_warning ("ingest: stopping without the scorer's answer: "
                          "%zu events not acknowledged",
                          self->in_flight->decoded.count);
        abandoned = !done;
        zstr_free (&done);
    }
    zpoller_destroy (&poller);
    s_destroy (&self, abandoned);
}
