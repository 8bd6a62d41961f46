/*  web: the HTTP face of hotlined (docs/web.md): the dashboard, the
    JSON API, event ingest over HTTP, the live feed as Server-Sent
    Events, Prometheus metrics and health checks.

    The server is libmicrohttpd, one thread per connection. Its threads
    never touch the store: they talk to the other actors over in-process
    ZeroMQ sockets, each connection with sockets of its own, exactly as
    the command line does over the network:
      POST /api/v1/events   an EventBatch to the ingest ROUTER; answered
                            when the BatchAck comes, i.e. after the
                            durable commit
      GET  /api/v1/...      a QueryRequest to the query ROUTER; the body is
                            the QueryReply's JSON and a newline, the bytes
                            `hotline` prints
      GET  /api/v1/live     the publisher's feed: this actor's thread
                            subscribes to it and keeps the recent messages
                            in a bounded ring; each client reads the ring
                            at its own pace, so a stalled browser costs
                            nothing to anyone else; a snapshot (with the
                            client's topic prefix) starts a stream, and
                            one is sent again to a client that fell out of
                            the ring
    With `tokens` set every request needs a bearer token of a role the
    route allows (401, 403 otherwise); `cert` and `key` turn on TLS.

    Runs as a czmq actor: signals 0 once listening (the address it got,
    port 0 resolved, is in `bound` and the log), 1 when it could not
    start (`failed`); ends on $TERM after closing every connection.

    Thread rules: the args must outlive the actor; the stats are updated
    from the server's threads (atomics). */
#ifndef WEB_H_INCLUDED
#define WEB_H_INCLUDED

#include "stats.h"

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *address;  /* "HOST:PORT" to listen on (port 0: any free) */
    const char *tokens;   /* file of "TOKEN ROLE" lines, or "" (open) */
    const char *cert;     /* TLS certificate (PEM file), or "" */
    const char *key;      /* TLS private key (PEM file), or "" */
    size_t body_max;      /* POST body bytes at most (413 above) */
    int linger_s;         /* the live feed is kept this long after the
                             last live client left (web_actor.c) */
    const char *ingest;   /* the ingest ROUTER's in-process endpoint */
    const char *query;    /* the query ROUTER's in-process endpoint */
    const char *publish;  /* the publisher's in-process PUB endpoint */
    const char *snapshot; /* the publisher's in-process snapshot endpoint */
    stats_t *stats;       /* shared counters (borrowed) */
    bool failed;          /* out: set when the actor could not start */
    char bound[160];      /* out: "http://127.0.0.1:8080/" once listening */
} web_args_t;

void web_actor (zsock_t *pipe, void *args);

#endif
