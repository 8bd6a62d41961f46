/*  web_actor: the listening address, TLS, the server's life, and the
    live feed's subscriber (web.h). */
#include "web_internal.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Messages the live ring keeps: what a client may fall behind by
   before it is sent a snapshot instead. */
#define RING 8192
/* Connections at once (each a thread). */
#define CONNECTIONS_MAX 512
/* An idle connection (no request, nothing sent) is closed after this;
   a stalled live stream too: it cannot be sent its keepalives. */
#define IDLE_S 60
/* Feed messages taken per wake-up at most. */
#define FEED_TAKE_MAX 1024
/* How often the actor looks for live clients while it is not subscribed
   (a new stream waits about this long, plus a heartbeat, for its
   snapshot), and while it is. */
#define WATCH_COLD_MS 100
#define WATCH_FED_MS  1000

/* Parses "HOST:PORT" (HOST an address, [IPv6] or localhost). Returns 0,
   or -1 with a reason. */
static int
s_address (const char *text, struct sockaddr_storage *addr, char *err)
{
    char host[256];
    const char *colon = strrchr (text, ':');
    size_t len = colon ? (size_t)(colon - text) : 0;
    if (!colon || len == 0 || len >= sizeof (host) || !colon[1]) {
        snprintf (err, 256, "http must be HOST:PORT or off, not \"%s\"", text);
        return -1;
    }
    memcpy (host, text, len);
    host[len] = 0;
    if (host[0] == '[' && host[len - 1] == ']') {
        memmove (host, host + 1, len - 2);
        host[len - 2] = 0;
    }
    char *end;
    long port = strtol (colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) {
        snprintf (err, 256, "http: bad port in \"%s\"", text);
        return -1;
    }
    struct addrinfo hints = {.ai_flags = AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM};
    if (strcmp (host, "localhost") != 0)
        hints.ai_flags |= AI_NUMERICHOST;
    struct addrinfo *found = NULL;
    if (getaddrinfo (host, NULL, &hints, &found) != 0 || !found) {
        snprintf (err, 256, "http: \"%s\" is not an address", host);
        return -1;
    }
    memset (addr, 0, sizeof (*addr));
    memcpy (addr, found->ai_addr, found->ai_addrlen);
    freeaddrinfo (found);
    if (addr->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)addr)->sin6_port = htons ((uint16_t)port);
    else
        ((struct sockaddr_in *)addr)->sin_port = htons ((uint16_t)port);
    return 0;
}

/* The address the server got (port 0 resolved), as a URL. */
static void
s_bound (struct MHD_Daemon *mhd, bool tls, char *url, size_t size)
{
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info (mhd, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage addr;
    socklen_t len = sizeof (addr);
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (info &&
        getsockname (info->listen_fd, (struct sockaddr *)&addr, &len) == 0) {
        if (addr.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&addr;
            inet_ntop (AF_INET6, &a->sin6_addr, host, sizeof (host));
            port = ntohs (a->sin6_port);
        } else {
            struct sockaddr_in *a = (struct sockaddr_in *)&addr;
            inet_ntop (AF_INET, &a->sin_addr, host, sizeof (host));
            port = ntohs (a->sin_port);
        }
    }
    bool v6 = addr.ss_family == AF_INET6;
    snprintf (url, size, "%s://%s%s%s:%d/", tls ? "https" : "http",
              v6 ? "[" : "", host, v6 ? "]" : "", port);
}

static char *
s_slurp (const char *path, char *err)
{
    char *text = NULL;
    size_t size = 0;
    FILE *in = fopen (path, "rb");
    FILE *out = in ? open_memstream (&text, &size) : NULL;
    char buffer[4096];
    size_t n;
    while (out && (n = fread (buffer, 1, sizeof (buffer), in)) > 0)
        fwrite (buffer, 1, n, out);
    if (out)
        fclose (out);
    if (in)
        fclose (in);
    if (!in || !text || !size) {
        snprintf (err, 256, "cannot read %s", path);
        free (text);
        return NULL;
    }
    return text;
}

/* The server's parts besides MHD. */
typedef struct {
    web__t web;         /* what the handlers share */
    zsock_t *sub;       /* the live feed */
    bool subscribed;    /* to all of it (s_watch) */
    int64_t idle_since; /* no live client since (monotonic ms), or 0 */
    char *cert, *key;   /* TLS PEM texts, or NULL */
} s_actor_t;

/* Starts MHD. Returns 0, or -1 with a reason. */
static int
s_start (s_actor_t *self, char *err)
{
    web_args_t *a = self->web.args;
    struct sockaddr_storage addr;
    if (s_address (a->address, &addr, err) != 0)
        return -1;
    if (*a->cert && !MHD_is_feature_supported (MHD_FEATURE_TLS)) {
        snprintf (err, 256, "http_cert: this libmicrohttpd has no TLS");
        return -1;
    }
    if (*a->cert && (!(self->cert = s_slurp (a->cert, err)) ||
                     !(self->key = s_slurp (a->key, err))))
        return -1;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                     MHD_USE_ERROR_LOG | (self->cert ? MHD_USE_TLS : 0);
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_OptionItem tls[] = {{MHD_OPTION_HTTPS_MEM_CERT, 0, self->cert},
                                   {MHD_OPTION_HTTPS_MEM_KEY, 0, self->key},
                                   {MHD_OPTION_END, 0, NULL}};
    self->web.mhd = MHD_start_daemon (
        flags, 0, NULL, NULL, web__access, &self->web, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, web__completed,
        &self->web, MHD_OPTION_NOTIFY_CONNECTION, web__connection, &self->web,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_S, MHD_OPTION_ARRAY,
        self->cert ? tls : &tls[2], MHD_OPTION_END);
    if (!self->web.mhd) {
        snprintf (err, 256,
                  "cannot listen on %s (in use, or not an address of this "
                  "machine)",
                  a->address);
        return -1;
    }
    s_bound (self->web.mhd, self->cert != NULL, a->bound, sizeof (a->bound));
    return 0;
}

static void
s_stop (s_actor_t *self)
{
    /* Streams waiting for messages end first, so MHD's threads can be
       joined. */
    if (self->web.hub)
        web__hub_stop (self->web.hub);
    if (self->web.mhd)
        MHD_stop_daemon (self->web.mhd);
    web__hub_destroy (&self->web.hub);
    web__tokens_destroy (&self->web.tokens);
    zsock_destroy (&self->sub);
    free (self->cert);
    free (self->key);
}

/* One message of the feed into the ring (dropped when it came after the
   actor unsubscribed). */
static void
s_feed (s_actor_t *self)
{
    zmsg_t *msg = zmsg_recv (self->sub);
    /* Counted as received, so the count shows what the subscription
       really brings, kept or not. */
    if (msg)
        atomic_fetch_add (&self->web.args->stats->live_feed_received, 1);
    if (!self->subscribed) {
        zmsg_destroy (&msg);
        return;
    }
    zframe_t *body = msg && zmsg_size (msg) == 2 ? zmsg_last (msg) : NULL;
    uint64_t sequence;
    char *topic = NULL, *json = NULL;
    if (body &&
        proto_publication_decode (zframe_data (body), zframe_size (body),
                                  &sequence, &topic, &json) == 0) {
        if (strcmp (topic, "$hb") == 0)
            web__hub_heartbeat (self->web.hub, sequence);
        else
            web__hub_publish (self->web.hub, sequence, topic, json);
    }
    free (topic);
    free (json);
    zmsg_destroy (&msg);
}

/* Subscribes to the feed when a live client is connected, and stops it
   once none has been for linger_s. Taking every score row costs this
   thread 0.5-0.7 of a core at 10,000 closes/s (hotline-bench live), so not
   while no browser looks; the linger keeps the ring for a browser that
   reconnects (EventSource does after 2 s) to resume without a
   snapshot. */
static void
s_watch (s_actor_t *self)
{
    uint64_t clients = atomic_load (&self->web.args->stats->live_clients);
    int64_t now = zclock_mono ();
    if (clients > 0)
        self->idle_since = 0;
    if (clients > 0 && !self->subscribed) {
        zsock_set_subscribe (self->sub, "");
        self->subscribed = true;
    } else if (clients == 0 && self->subscribed) {
        if (!self->idle_since)
            self->idle_since = now;
        if (now - self->idle_since >=
            (int64_t)self->web.args->linger_s * 1000) {
            zsock_set_unsubscribe (self->sub, "");
            self->subscribed = false;
            self->idle_since = 0;
            web__hub_unfed (self->web.hub);
        }
    }
}

void
web_actor (zsock_t *pipe, void *args)
{
    s_actor_t self = {.web = {.args = args}};
    web_args_t *a = args;
    char err[256] = "";
    /* A browser that goes away mid-answer must not end the daemon. */
    signal (SIGPIPE, SIG_IGN);
    self.web.hub = web__hub_new (RING, a->stats);
    self.sub = zsock_new (ZMQ_SUB);
    int rc = self.web.hub && self.sub ? 0 : -1;
    if (rc != 0)
        snprintf (err, sizeof (err), "out of memory");
    if (rc == 0 && *a->tokens &&
        !(self.web.tokens = web__tokens_load (a->tokens, err)))
        rc = -1;
    if (rc == 0) {
        /* Everything is kept in the ring, or lost and noticed there.
           Subscribed only while live clients want it (s_watch). */
        zsock_set_rcvhwm (self.sub, 100000);
        if (zsock_connect (self.sub, "%s", a->publish) != 0) {
            snprintf (err, sizeof (err), "cannot connect to %s", a->publish);
            rc = -1;
        }
    }
    if (rc == 0)
        rc = s_start (&self, err);
    if (rc != 0) {
        zsys_error ("web: %s", err);
        s_stop (&self);
        a->failed = true;
        zsock_signal (pipe, 1);
        return;
    }
    zsys_info ("web: listening on %s%s", a->bound,
               self.web.tokens ? " (bearer tokens required)" : "");
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, self.sub, NULL);
    /* Main stops it, with $TERM, as it stops the others: the poller
       never ends by itself (once, a signal that landed on this thread
       ended it and main saw an actor end by itself, and exited 1; stop
       signals now go to main alone). */
    zpoller_set_nonstop (poller, true);
    while (true) {
        void *which = zpoller_wait (poller, self.subscribed ? WATCH_FED_MS
                                                            : WATCH_COLD_MS);
        /* czmq (on zmq_poll) calls a poll that a signal interrupted
           "terminated", nonstop or not. Stop signals go to main alone
           (hotlined.c blocks them elsewhere): only its $TERM ends this. */
        if (which == pipe || (zpoller_terminated (poller) && errno != EINTR))
            break;
        /* What is queued is taken before the next poll: a poll per
           message cost this thread a fifth of its time at 90,000 rows/s
           (hotline-bench live). A bounded number, so the pipe is still
           heard. */
        for (int taken = 0;
             which == self.sub && taken < FEED_TAKE_MAX &&
             (taken == 0 || zsock_events (self.sub) & ZMQ_POLLIN);
             taken++)
            s_feed (&self);
        s_watch (&self);
    }
    zpoller_destroy (&poller);
    s_stop (&self);
}
