/*  client: query and sender. See client.h. */
#include "client.h"
#include "client_secure.h"

#include <czmq.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
client_query (const char *endpoint, const proto_query_t *query, int timeout_ms,
              char **json, char *err)
{
    return client_query_secure (endpoint, NULL, NULL, query, timeout_ms, json,
                                err);
}

int
client_query_secure (const char *endpoint, const char *client_cert,
                     const char *server_public, const proto_query_t *query,
                     int timeout_ms, char **json, char *err)
{
    *json = NULL;
    size_t size;
    uint8_t *payload = proto_query_encode (query, &size);
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    int secured =
        sock ? client_secure (sock, client_cert, server_public, err) : -1;
    if (!payload || secured != 0 || zsock_connect (sock, "%s", endpoint) != 0) {
        if (!payload || !sock || secured == 0)
            snprintf (err, 256, "cannot connect to %s", endpoint);
        free (payload);
        zsock_destroy (&sock);
        return -1;
    }
    zsock_set_linger (sock, 0);
    zframe_t *frame = zframe_new (payload, size);
    free (payload);
    zframe_send (&frame, sock, 0);
    zpoller_t *poller = zpoller_new (sock, NULL);
    int rc = -1;
    if (zpoller_wait (poller, timeout_ms) == sock) {
        zframe_t *reply = zframe_recv (sock);
        bool ok = false;
        char *error = NULL;
        if (!reply ||
            proto_reply_decode (zframe_data (reply), zframe_size (reply), &ok,
                                &error, json) != 0)
            snprintf (err, 256, "undecodable reply from %s", endpoint);
        else if (!ok) {
            snprintf (err, 256, "%s", error ? error : "request failed");
            free (*json);
            *json = NULL;
        } else
            rc = 0;
        free (error);
        zframe_destroy (&reply);
    } else
        snprintf (err, 256,
                  client_secure_wanted (client_cert, server_public)
                      ? "no answer from %s within %d ms (is hotlined "
                        "running, and is this client's certificate in its "
                        "curve_clients?)"
                      : "no answer from %s within %d ms (is hotlined "
                        "running?)",
                  endpoint, timeout_ms);
    zpoller_destroy (&poller);
    zsock_destroy (&sock);
    return rc;
}

/* The first wait before a fresh connection after a disconnection; it
   doubles (to max_wait_ms) while no acknowledgement comes between two,
   so a daemon that refuses every connection (an unknown CURVE key) is
   not sent the whole window again every few milliseconds. A connection
   that could not be made at all (hotlined not listening yet) is tried
   again after its own back-off, from RESTART_FIRST_MS doubling to
   RESTART_REFUSED_MS: nothing was sent on it, and a daemon that comes
   back should hear from its senders within a second. A connection not
   made within CONNECT_TIMEOUT_MS counts as refused. */
#define RESTART_FIRST_MS   100
#define RESTART_REFUSED_MS 1000
#define CONNECT_TIMEOUT_MS 2000

/* client_sender_add looks after the sender at most this often. */
#define TEND_MS 10
/* After SIGINT or SIGTERM (czmq's handler sets zsys_interrupted), for a
   sender that stops on signals: how much longer the answers to batches
   in flight are awaited before they are reported not acknowledged. */
#define INTERRUPT_GRACE_MS 1000

/* One message: its events and the tags to report them under. */
typedef struct {
    uint64_t id;                       /* batch_id */
    size_t count;                      /* events */
    proto_event_t *events;             /* batch_size slots */
    uint32_t *tags;                    /* per event */
    size_t reject_count;               /* sender-side rejections */
    proto_line_reject_t *rejects;      /* reported with this batch */
    size_t reject_capacity;            /* slots in rejects */
    int64_t first_sent;                /* zclock_mono of the first attempt */
    int64_t late_sent;                 /* of the first attempt after its
                                          give-up moment, 0: none */
    int64_t deadline;                  /* resend when no answer by then */
    int wait_ms;                       /* this attempt's wait; doubles */
    int attempts;                      /* times sent */
    char refused[PROTO_ERROR_MAX + 1]; /* the daemon's last refusal */
} s_batch_t;

struct _client_sender_t {
    zsock_t *sock;              /* DEALER to ingest */
    zsock_t *monitor;           /* libzmq's monitor of sock (a PAIR) */
    char endpoint[256];         /* ingest, to connect again */
    zpoller_t *poller;          /* on sock */
    size_t batch_size;          /* events per message */
    size_t window;              /* messages in flight at most */
    int give_up_ms;             /* stop retrying a batch after this long */
    int first_wait_ms;          /* first wait for an acknowledgement */
    int max_wait_ms;            /* longest wait between attempts */
    client_outcome_fn *outcome; /* per-event callback */
    void *arg;                  /* for it */
    zlistx_t *in_flight;        /* s_batch_t sent, unanswered */
    s_batch_t *current;         /* being filled */
    uint64_t next_id;           /* next batch_id */
    uint64_t answered;          /* events answered */
    uint64_t resent;            /* batches sent again */
    bool broken;                /* gave up: the daemon stopped answering */
    bool stoppable;             /* client_sender_stop_on_signals */
    int64_t tended;             /* zclock_mono of the last s_tend */
    int restart_wait_ms;        /* wait before the next fresh connection */
    int refused_wait_ms;        /* the same after a connection not made */
    bool connected;             /* this socket's connection was made */
    int64_t restart_at;         /* a fresh connection is due, 0: none */
    char *client_cert;          /* CURVE client certificate path, or NULL */
    char *server_public;        /* the server's public certificate, or NULL */
};

static void
s_batch_destroy (s_batch_t **self_p)
{
    if (!*self_p)
        return;
    free ((*self_p)->events);
    free ((*self_p)->tags);
    free ((*self_p)->rejects);
    free (*self_p);
    *self_p = NULL;
}

static s_batch_t *
s_batch_new (client_sender_t *self)
{
    s_batch_t *b = calloc (1, sizeof (*b));
    if (!b)
        return NULL;
    b->id = self->next_id++;
    b->events = calloc (self->batch_size, sizeof (*b->events));
    b->tags = calloc (self->batch_size, sizeof (*b->tags));
    if (!b->events || !b->tags)
        s_batch_destroy (&b);
    return b;
}

/* Stops watching the socket and closes the watcher (the monitor first:
   libzmq's side of it must not be left writing to a closed peer). */
static void
s_unwatch (client_sender_t *self)
{
    if (self->monitor && self->sock)
        zmq_socket_monitor (zsock_resolve (self->sock), NULL, 0);
    zsock_destroy (&self->monitor);
}

/* A fresh DEALER, secured as configured and watched for disconnections
   and failed connections. It never reconnects by itself (reconnect
   interval -1): libzmq would deliver what was queued for the old
   connection to whatever daemon listens next, ahead of the resends of
   the batches lost with the old one, and the monitor that reports the
   disconnection is too late to stop it (seen: a ticket's events stored
   out of order after a SIGKILL). Every reconnection is s_restart's.
   Unsent messages are dropped at close (linger 0): that is the point of
   starting afresh. */
static int
s_connect (client_sender_t *self, char *err)
{
    zpoller_destroy (&self->poller);
    s_unwatch (self);
    zsock_destroy (&self->sock);
    self->sock = zsock_new (ZMQ_DEALER);
    if (!self->sock) {
        snprintf (err, 256, "out of memory");
        return -1;
    }
    zsock_set_linger (self->sock, 0);
    zsock_set_reconnect_ivl (self->sock, -1);
    zsock_set_connect_timeout (self->sock, CONNECT_TIMEOUT_MS);
    /* inproc connects at once and reports no CONNECTED. */
    self->connected = strncmp (self->endpoint, "inproc://", 9) == 0;
    if (client_secure (self->sock, self->client_cert, self->server_public,
                       err) != 0)
        return -1;
    /* Without the monitor a dropped connection would go unnoticed. It is
       libzmq's own, read here from a PAIR socket: czmq's zmonitor actor
       aborted in its thread when a SIGINT or SIGTERM came before it had
       started (its poller, interrupted, returned NULL, which it took for
       its sink, still NULL): exit 134 in ~1 of 10 Ctrl-Cs at a start. */
    /* A name never used before in this process: libzmq lets the previous
       monitor's go later, on its own thread, and a name made of the
       socket's address (often the old one's) was refused then. */
    static atomic_uint_least64_t s_watches;
    char watch[64];
    snprintf (watch, sizeof (watch), "inproc://client-monitor-%llu",
              (unsigned long long)atomic_fetch_add (&s_watches, 1));
    if (zmq_socket_monitor (zsock_resolve (self->sock), watch,
                            ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED |
                                ZMQ_EVENT_CLOSED) != 0 ||
        !(self->monitor = zsock_new (ZMQ_PAIR)) ||
        zsock_connect (self->monitor, "%s", watch) != 0) {
        snprintf (err, 256, "cannot watch the connection");
        return -1;
    }
    if (zsock_connect (self->sock, "%s", self->endpoint) != 0) {
        snprintf (err, 256, "cannot connect to %s", self->endpoint);
        return -1;
    }
    self->poller = zpoller_new (self->sock, self->monitor, NULL);
    return self->poller ? 0 : -1;
}

client_sender_t *
client_sender_new (const char *endpoint, size_t batch_size, size_t window,
                   int timeout_ms, client_outcome_fn *outcome, void *arg,
                   char *err)
{
    return client_sender_new_secure (endpoint, NULL, NULL, batch_size, window,
                                     timeout_ms, outcome, arg, err);
}

client_sender_t *
client_sender_new_secure (const char *endpoint, const char *client_cert,
                          const char *server_public, size_t batch_size,
                          size_t window, int timeout_ms,
                          client_outcome_fn *outcome, void *arg, char *err)
{
    client_sender_t *self = calloc (1, sizeof (*self));
    if (!self) {
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    self->batch_size = batch_size ? batch_size : 500;
    /* 32 batches of 500: enough in flight for hotlined to hold a full
       group (batch_max, 4,096 events) at the scorer while it receives the
       next one. With 8 its groups halved to ~2,000 events and durable
       ingest fell by a third (hotline-bench ingest --window 8 vs 32). */
    self->window = window ? window : 32;
    self->give_up_ms = timeout_ms > 0 ? timeout_ms : 60000;
    self->first_wait_ms = 3000;
    self->max_wait_ms = 30000;
    self->restart_wait_ms = RESTART_FIRST_MS;
    self->refused_wait_ms = RESTART_FIRST_MS;
    self->outcome = outcome;
    self->arg = arg;
    self->next_id = 1;
    /* The paths are kept: a socket made later (a reconnect) must be
       secured the same way (client_secure). */
    if (client_cert)
        self->client_cert = strdup (client_cert);
    if (server_public)
        self->server_public = strdup (server_public);
    snprintf (self->endpoint, sizeof (self->endpoint), "%s", endpoint);
    self->in_flight = zlistx_new ();
    if (!self->in_flight || (client_cert && !self->client_cert) ||
        (server_public && !self->server_public)) {
        snprintf (err, 256, "out of memory");
        client_sender_destroy (&self);
        return NULL;
    }
    if (s_connect (self, err) != 0) {
        client_sender_destroy (&self);
        return NULL;
    }
    return self;
}

void
client_sender_set_waits (client_sender_t *self, int first_wait_ms,
                         int max_wait_ms)
{
    self->first_wait_ms = first_wait_ms > 0 ? first_wait_ms : 3000;
    self->max_wait_ms =
        max_wait_ms >= self->first_wait_ms ? max_wait_ms : self->first_wait_ms;
}

void
client_sender_destroy (client_sender_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    client_sender_t *self = *self_p;
    if (self->in_flight) {
        for (s_batch_t *b = zlistx_first (self->in_flight); b;
             b = zlistx_next (self->in_flight))
            s_batch_destroy (&b);
        zlistx_destroy (&self->in_flight);
    }
    s_batch_destroy (&self->current);
    zpoller_destroy (&self->poller);
    s_unwatch (self);
    zsock_destroy (&self->sock);
    free (self->client_cert);
    free (self->server_public);
    free (self);
    *self_p = NULL;
}

static void
s_fail_batch (client_sender_t *self, s_batch_t *b, const char *reason)
{
    for (size_t i = 0; i < b->count; i++)
        self->outcome (self->arg, b->tags[i], 0, reason);
    self->answered += b->count;
}

/* Sends (or sends again) one batch and sets its next deadline. */
static int
s_transmit (client_sender_t *self, s_batch_t *b)
{
    size_t size;
    uint8_t *payload = proto_batch_encode (b->id, b->events, b->count,
                                           b->rejects, b->reject_count, &size);
    if (!payload)
        return -1;
    zframe_t *frame = zframe_new (payload, size);
    free (payload);
    /* A DEALER queues while the daemon is away and delivers on reconnect;
       at the queue's limit the frame is dropped here and simply resent at
       the next deadline. */
    if (zframe_send (&frame, self->sock, ZFRAME_DONTWAIT) != 0)
        zframe_destroy (&frame);
    int64_t now = zclock_mono ();
    if (b->attempts && !b->late_sent && now >= b->first_sent + self->give_up_ms)
        b->late_sent = now;
    if (b->attempts++ == 0) {
        b->first_sent = now;
        b->wait_ms = self->first_wait_ms;
    } else {
        self->resent++;
        b->wait_ms = b->wait_ms * 2 < self->max_wait_ms ? b->wait_ms * 2
                                                        : self->max_wait_ms;
    }
    b->deadline = now + b->wait_ms;
    return 0;
}

static void s_restart (client_sender_t *self);

/* When a batch is given up: give_up_ms after its first attempt; but an
   attempt made only after that moment (a resend on a fresh connection
   when the caller comes back from a long absence) first gets
   first_wait_ms for its answer, once: later attempts do not push it
   further, or a sender whose daemon is down would never give up. */
static int64_t
s_give_up_at (const client_sender_t *self, const s_batch_t *b)
{
    int64_t at = b->first_sent + self->give_up_ms;
    int64_t fair = b->late_sent + self->first_wait_ms;
    return b->late_sent && fair > at ? fair : at;
}

/* Schedules a fresh connection after the back-off (see RESTART_FIRST_MS);
   until then nothing is sent. `refused`: no connection was made. */
static void
s_restart_later (client_sender_t *self, bool refused)
{
    if (self->restart_at)
        return;
    int *wait = refused ? &self->refused_wait_ms : &self->restart_wait_ms;
    int most = refused ? RESTART_REFUSED_MS : self->max_wait_ms;
    self->restart_at = zclock_mono () + *wait;
    *wait = *wait * 2 < most ? *wait * 2 : most;
}

/* What the monitor reported: the connection made (CONNECTED), lost
   (DISCONNECTED), or not made (CLOSED: refused, or timed out). */
static void
s_monitor_event (client_sender_t *self)
{
    /* libzmq's event: a frame of the event (16 bits) and its value (32
       bits), then a frame of the endpoint. */
    zmsg_t *msg = zmsg_recv (self->monitor);
    zframe_t *head = msg ? zmsg_first (msg) : NULL;
    if (head && zframe_size (head) >= 2) {
        uint16_t event;
        memcpy (&event, zframe_data (head), sizeof (event));
        if (event == ZMQ_EVENT_CONNECTED) {
            self->connected = true;
            self->refused_wait_ms = RESTART_FIRST_MS;
        } else if (event == ZMQ_EVENT_DISCONNECTED || event == ZMQ_EVENT_CLOSED)
            s_restart_later (self, event == ZMQ_EVENT_CLOSED);
    }
    zmsg_destroy (&msg);
}

/* Takes what the monitor reported, without waiting. */
static void
s_check_monitor (client_sender_t *self)
{
    while (self->monitor && (zsock_events (self->monitor) & ZMQ_POLLIN))
        s_monitor_event (self);
}

static int
s_send (client_sender_t *self, s_batch_t *b)
{
    /* Never put a new batch on a connection that already broke: it would
       reach the next daemon ahead of the resends of the batches lost.
       While a fresh connection is due, the batch waits for it. */
    s_check_monitor (self);
    if (self->restart_at) {
        b->first_sent = zclock_mono ();
        b->deadline = self->restart_at;
    } else if (s_transmit (self, b) != 0) {
        s_fail_batch (self, b, "out of memory");
        s_batch_destroy (&b);
        return -1;
    }
    zlistx_add_end (self->in_flight, b);
    return 0;
}

/* Resends every batch whose deadline passed, or gives it up when it has
   waited longer than give_up_ms since its first attempt. */
static void
s_expire (client_sender_t *self)
{
    /* Two passes: deleting from the list moves its cursor, so batches to
       give up are gathered first and removed after the walk. */
    int64_t now = zclock_mono ();
    zlistx_t *given_up = zlistx_new ();
    for (s_batch_t *b = zlistx_first (self->in_flight); b;
         b = zlistx_next (self->in_flight)) {
        /* Giving up depends on the first attempt: resets after
           disconnections push deadlines forward, not the limit. */
        if (s_give_up_at (self, b) <= now)
            zlistx_add_end (given_up, b);
        else if (now >= b->deadline && !self->restart_at) {
            /* A socket that never connected may never say why (a name
               that did not resolve, no file descriptor left: libzmq
               reports nothing): a fresh one, not a resend into it. */
            if (self->connected)
                s_transmit (self, b);
            else
                s_restart_later (self, true);
        }
    }
    for (s_batch_t *b = zlistx_first (given_up); b;
         b = zlistx_next (given_up)) {
        char reason[PROTO_ERROR_MAX + 64];
        if (*b->refused)
            snprintf (reason, sizeof (reason),
                      "refused by hotlined: %s (%d attempts in %d ms)",
                      b->refused, b->attempts, self->give_up_ms);
        else
            snprintf (reason, sizeof (reason),
                      "not acknowledged within %d ms (%d attempts)",
                      self->give_up_ms, b->attempts);
        s_fail_batch (self, b, reason);
        zlistx_delete (self->in_flight, zlistx_find (self->in_flight, b));
        s_batch_t *gone = b;
        s_batch_destroy (&gone);
        self->broken = true;
    }
    zlistx_destroy (&given_up);
}

/* The daemon went away (a crash, a restart): whatever was in flight may
   be lost, and what was queued for the old connection would reach the
   new daemon ahead of the resends. Start a fresh socket, which drops the
   queue, and send every unanswered batch again in its original order, so
   each ticket's events still arrive in order (the Lazy Pirate reset). */
static void
s_restart (client_sender_t *self)
{
    /* Every disconnection needs this, however often: what the old socket
       delivered may be lost and what it queued would overtake the resends.
       A peer that keeps refusing (an unknown CURVE key) costs a fresh
       socket per reconnection interval until the batches are given up. */
    char err[256];
    self->restart_at = 0;
    /* A sender stopping on a signal makes no fresh connection (its flush
       waits a second more, then gives up). */
    if (self->stoppable && zsys_interrupted) {
        s_restart_later (self, true);
        return;
    }
    if (s_connect (self, err) != 0) {
        /* A certificate that went away, say: try again later; without a
           poller s_receive waits by sleeping. */
        zpoller_destroy (&self->poller);
        s_restart_later (self, true);
        return;
    }
    for (s_batch_t *b = zlistx_first (self->in_flight); b;
         b = zlistx_next (self->in_flight))
        s_transmit (self, b);
}

/* Takes one acknowledgement from the socket. */
static void
s_take_ack (client_sender_t *self)
{
    zframe_t *frame = zframe_recv (self->sock);
    proto_batch_ack_t ack;
    char reason[PROTO_ERROR_MAX + 1];
    if (!frame ||
        proto_batch_ack_decode (zframe_data (frame), zframe_size (frame), &ack,
                                reason) != 0) {
        zframe_destroy (&frame);
        return; /* not ours to understand; the deadlines still guard */
    }
    zframe_destroy (&frame);
    self->restart_wait_ms = RESTART_FIRST_MS; /* the daemon answers */
    for (s_batch_t *b = zlistx_first (self->in_flight); b;
         b = zlistx_next (self->in_flight)) {
        if (b->id != ack.batch_id)
            continue;
        if (!ack.ok) {
            /* Refused as a whole (the store full, say): nothing of it was
               stored. Try again after this attempt's wait. */
            b->deadline = zclock_mono () + b->wait_ms;
            snprintf (b->refused, sizeof (b->refused), "%s", ack.error);
            break;
        }
        for (size_t i = 0; i < b->count; i++) {
            if (i < ack.count)
                self->outcome (self->arg, b->tags[i], ack.acks[i].status,
                               ack.acks[i].reason);
            else
                self->outcome (self->arg, b->tags[i], 0,
                               "missing from the acknowledgement");
        }
        self->answered += b->count;
        zlistx_delete (self->in_flight, zlistx_cursor (self->in_flight));
        s_batch_destroy (&b);
        break;
    }
    /* An answer to an attempt already answered finds no batch: the first
       answer counted, later ones are ignored. */
    proto_batch_ack_free (&ack);
}

/* What is due, without waiting: every answer already received (before
   deadlines are looked at, so an answered batch is never resent), what
   the monitor reported, a fresh connection, resends and give-ups. */
static void
s_tend (client_sender_t *self)
{
    while (self->poller && (zsock_events (self->sock) & ZMQ_POLLIN))
        s_take_ack (self);
    s_check_monitor (self);
    if (self->restart_at && zclock_mono () >= self->restart_at)
        s_restart (self);
    s_expire (self);
    self->tended = zclock_mono ();
}

/* Waits for an acknowledgement, a disconnection, or the passing of
   deadlines, and handles what is due. Returns -1 once a batch was given
   up. */
static int
s_receive (client_sender_t *self)
{
    int64_t now = zclock_mono (), earliest = now + self->max_wait_ms;
    for (s_batch_t *b = zlistx_first (self->in_flight); b;
         b = zlistx_next (self->in_flight)) {
        /* No resend is due while a fresh connection is (s_expire). */
        if (!self->restart_at)
            earliest = b->deadline < earliest ? b->deadline : earliest;
        /* and the moment it is given up, which may come first */
        int64_t last = s_give_up_at (self, b);
        earliest = last < earliest ? last : earliest;
    }
    if (self->restart_at && self->restart_at < earliest)
        earliest = self->restart_at;
    int wait = earliest > now ? (int)(earliest - now) : 0;
    /* A signal just before the poll would not end it: a sender that
       stops on signals looks again at least every 200 ms. */
    if (self->stoppable && wait > 200)
        wait = 200;
    void *which = NULL;
    if (zsys_interrupted)
        /* czmq's poller returns at once once interrupted: sleep instead,
           briefly (s_tend takes what arrived; the flush counts its
           grace), rather than spin. */
        zclock_sleep (wait > 10 ? 10 : wait);
    else if (self->poller)
        which = zpoller_wait (self->poller, wait);
    else
        zclock_sleep (wait);
    if (which && which == self->monitor)
        s_monitor_event (self);
    s_tend (self);
    return self->broken ? -1 : 0;
}

static int
s_ship_current (client_sender_t *self)
{
    if (!self->current)
        return 0;
    while (zlistx_size (self->in_flight) >= self->window && !self->broken &&
           !client_sender_interrupted (self))
        s_receive (self);
    bool stopping = client_sender_interrupted (self);
    s_batch_t *b = self->current;
    self->current = NULL;
    if (self->broken || stopping) {
        s_fail_batch (self, b,
                      stopping ? "not sent: interrupted"
                               : "not sent: the daemon stopped answering");
        s_batch_destroy (&b);
        return -1;
    }
    return s_send (self, b);
}

int
client_sender_add (client_sender_t *self, const proto_event_t *event,
                   uint32_t tag)
{
    if (!self->current && !(self->current = s_batch_new (self)))
        return -1;
    /* A caller that adds slowly (a bridge forwarding events as they
       happen) still has its answers taken, its lost connection renewed
       and its batches resent, every TEND_MS at most. */
    if (zclock_mono () - self->tended >= TEND_MS)
        s_tend (self);
    s_batch_t *b = self->current;
    b->events[b->count] = *event;
    b->tags[b->count++] = tag;
    if (b->count == self->batch_size || client_sender_interrupted (self))
        return s_ship_current (self);
    return self->broken ? -1 : 0;
}

int
client_sender_idle (client_sender_t *self)
{
    s_tend (self);
    if (self->current &&
        (self->current->count > 0 || self->current->reject_count > 0))
        return s_ship_current (self);
    return self->broken ? -1 : 0;
}

int
client_sender_reject (client_sender_t *self, uint32_t line, const char *reason)
{
    if (!self->current && !(self->current = s_batch_new (self)))
        return -1;
    s_batch_t *b = self->current;
    if (b->reject_count == b->reject_capacity) {
        size_t capacity = b->reject_capacity ? b->reject_capacity * 2 : 16;
        proto_line_reject_t *grown =
            realloc (b->rejects, capacity * sizeof (*grown));
        if (!grown)
            return -1;
        b->rejects = grown;
        b->reject_capacity = capacity;
    }
    b->rejects[b->reject_count].line = line;
    snprintf (b->rejects[b->reject_count].reason,
              sizeof (b->rejects[b->reject_count].reason), "%s", reason);
    b->reject_count++;
    return 0;
}

/* Reports every batch in flight as not stored, with the reason. */
static void
s_abandon (client_sender_t *self, const char *reason)
{
    s_batch_t *b;
    while ((b = zlistx_first (self->in_flight))) {
        zlistx_delete (self->in_flight, zlistx_cursor (self->in_flight));
        s_fail_batch (self, b, reason);
        s_batch_destroy (&b);
    }
    self->broken = true;
}

int
client_sender_flush (client_sender_t *self)
{
    int rc = s_ship_current (self);
    int64_t interrupted = 0;
    while (zlistx_size (self->in_flight) > 0) {
        if (!interrupted && client_sender_interrupted (self))
            interrupted = zclock_mono ();
        if (interrupted && zclock_mono () - interrupted >= INTERRUPT_GRACE_MS) {
            s_abandon (self, "not acknowledged: interrupted (it may have "
                             "been stored: send it again, a stored event "
                             "is answered already stored)");
            break;
        }
        if (s_receive (self) != 0)
            rc = -1;
    }
    return self->broken ? -1 : rc;
}

void
client_sender_stop_on_signals (client_sender_t *self)
{
    self->stoppable = true;
}

bool
client_sender_interrupted (const client_sender_t *self)
{
    return self->stoppable && zsys_interrupted;
}

uint64_t
client_sender_answered (const client_sender_t *self)
{
    return self->answered;
}

uint64_t
client_sender_resent (const client_sender_t *self)
{
    return self->resent;
}
