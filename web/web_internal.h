/*  web_internal: what the web module's files share (web__ prefix).

    web_actor.c    the actor: listening address, TLS, the server's start
                   and stop, the live feed's subscriber loop
    web_http.c     routing, access control, answering, and asking the
                   other actors (one DEALER per actor per connection)
    web_api.c      the JSON API's read endpoints
    web_ingest.c   POST /api/v1/events
    web_live.c     the live ring (hub) and Server-Sent Events
    web_metrics.c  /metrics, /healthz, /readyz
    web_static.c   the dashboard's files, embedded at build time
    web_tokens.c   bearer tokens and roles                               */
#ifndef WEB_INTERNAL_H_INCLUDED
#define WEB_INTERNAL_H_INCLUDED

#include "proto.h"
#include "web.h"

#include <microhttpd.h>

/* Roles, as bits: a route names the roles it allows; admin may do
   everything. */
enum { WEB_READ = 1, WEB_INGEST = 2, WEB_ADMIN = 4 };

/* How long a request waits for an actor's answer, in ms. */
#define WEB_WAIT_MS 60000

/*  Tokens (web_tokens.c)                                               */
typedef struct _web__tokens_t web__tokens_t;

/* Reads a file of "TOKEN ROLE" lines ('#' comments and blank lines
   allowed). Returns NULL with a reason in err (256 bytes): unreadable,
   a bad line (named), no token at all. */
web__tokens_t *web__tokens_load (const char *path, char *err);
void web__tokens_destroy (web__tokens_t **self_p);
/* The role of a token (WEB_READ...), or 0 when it is not known. Takes
   the same time whichever byte differs. */
int web__tokens_role (const web__tokens_t *self, const char *token);

/*  The live ring (web_live.c)                                          */
typedef struct _web__hub_t web__hub_t;

/* A ring of the last `capacity` messages. NULL when out of memory. */
web__hub_t *web__hub_new (size_t capacity, stats_t *stats);
void web__hub_destroy (web__hub_t **self_p);
/* A publication from the feed (the actor's thread); a number that does
   not follow the last one empties the ring: what is missing cannot be
   served. */
void web__hub_publish (web__hub_t *self, uint64_t sequence, const char *topic,
                       const char *json);
/* A heartbeat: the last number the publisher sent. */
void web__hub_heartbeat (web__hub_t *self, uint64_t sequence);
/* The feed stopped (the actor unsubscribed: no live client for a while):
   the ring empties, and a stream that starts waits for the next message
   before it takes its snapshot (web_live.c). A publication or heartbeat
   says the feed runs again. */
void web__hub_unfed (web__hub_t *self);
/* Wakes every stream and ends it: the server is stopping. */
void web__hub_stop (web__hub_t *self);

/*  The server (web_http.c)                                             */
typedef struct {
    web_args_t *args;       /* configuration (borrowed) */
    web__tokens_t *tokens;  /* access control, or NULL: open */
    web__hub_t *hub;        /* the live ring */
    struct MHD_Daemon *mhd; /* the server */
    _Atomic uint64_t ids;   /* request numbers, to match answers */
} web__t;

/* The actors a connection talks to: one DEALER each, made on first use
   by the connection's own thread. */
enum { WEB__QUERY = 0, WEB__INGEST = 1, WEB__SNAPSHOT = 2, WEB__PEERS = 3 };

typedef struct {
    zsock_t *peers[WEB__PEERS]; /* DEALERs, or NULL until used */
} web__conn_t;

/* One request being answered. */
typedef struct {
    web__t *web;                       /* the server */
    struct MHD_Connection *connection; /* its connection */
    web__conn_t *conn;                 /* the connection's sockets */
    const char *url;                   /* path (borrowed from MHD) */
    const void *route;                 /* the route matched */
    char *body;                        /* POST body so far (owned) */
    size_t size;                       /* its bytes */
    bool too_large;                    /* past body_max: answered 413 */
    bool answered;                     /* a response is queued */
} web__request_t;

typedef enum MHD_Result (web__handler_fn) (web__request_t *r);

/* The access handler, request-completed and connection callbacks
   given to MHD_start_daemon (web_actor.c). */
enum MHD_Result web__access (void *cls, struct MHD_Connection *connection,
                             const char *url, const char *method,
                             const char *version, const char *upload_data,
                             size_t *upload_data_size, void **req_cls);
void web__completed (void *cls, struct MHD_Connection *connection,
                     void **req_cls, enum MHD_RequestTerminationCode code);
void web__connection (void *cls, struct MHD_Connection *connection,
                      void **socket_context,
                      enum MHD_ConnectionNotificationCode code);

/* Sends `payload` to one of the actors and waits up to timeout_ms for
   its answer (earlier answers that came too late are dropped). Returns
   0 with the answer's last frame in *reply (the caller destroys it), or
   -1 when there was none. */
int web__ask (web__request_t *r, int peer, const uint8_t *payload, size_t size,
              int timeout_ms, zframe_t **reply);
/* A query to the query actor (peer WEB__QUERY) or the publisher's
   snapshot endpoint (WEB__SNAPSHOT), waiting up to timeout_ms. Returns 0 with
   the JSON in *json (the caller frees it), 1 with the daemon's refusal in err
   (256 bytes), -1 when no answer came (err says so). */
int web__query (web__request_t *r, int peer, const proto_query_t *q,
                int timeout_ms, char **json, char *err);

/* A GET argument, or NULL. */
const char *web__arg (web__request_t *r, const char *name);
/* Queues a response and takes `body` (malloc'd; NULL with size 0 for
   none). `headers`: NULL, or "Name", "value", ... pairs ending in NULL. */
enum MHD_Result web__respond (web__request_t *r, unsigned status,
                              const char *type, char *body, size_t size,
                              const char *const *headers);
/* {"error":"..."} and a newline, with that status. */
enum MHD_Result web__error (web__request_t *r, unsigned status,
                            const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
/* JSON text (taken) and a newline, 200: the bytes `hotline` prints. */
enum MHD_Result web__json (web__request_t *r, unsigned status, char *json);

/*  Handlers                                                            */
web__handler_fn web__report, web__bulletin, web__stats, web__rulesets,
    web__units, web__alerts, web__rejected, web__explain, web__ticket,
    web__appeals;                                        /* web_api.c */
web__handler_fn web__events;                             /* web_ingest.c */
web__handler_fn web__live;                               /* web_live.c */
web__handler_fn web__metrics, web__healthz, web__readyz; /* web_metrics.c */
web__handler_fn web__page, web__asset;                   /* web_static.c */

/*  The embedded files (generated by cmake/embed_assets.cmake)          */
typedef struct {
    const char *name;          /* file name: "app.js" */
    const unsigned char *data; /* its bytes */
    size_t size;               /* how many */
} web__asset_t;
extern const web__asset_t web__assets[]; /* ends with a NULL name */

#endif
