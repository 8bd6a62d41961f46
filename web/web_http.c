/*  web_http: routing, access control, answers, and the sockets each
    connection uses to ask the other actors (web_internal.h).

    MHD runs one thread per connection, and every callback of a
    connection runs on that thread, so a connection's DEALER sockets are
    only ever used by one thread (ZeroMQ sockets are not thread-safe).
    They are made on first use and closed with the connection. */
#include "json.h"
#include "web_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A route: a method and a path (exact, or a prefix ending in '/'), the
   roles allowed besides admin, and its handler. */
typedef struct {
    const char *method;       /* "GET" (HEAD too) or "POST" */
    const char *path;         /* "/api/v1/report", or "/unit/" as prefix */
    bool prefix;              /* path is a prefix */
    int roles;                /* WEB_READ, WEB_INGEST bits */
    web__handler_fn *handler; /* answers it */
} s_route_t;

/* To add an endpoint, add a line. */
static const s_route_t s_routes[] = {
    {"GET", "/", false, WEB_READ, web__page},
    {"GET", "/unit/", true, WEB_READ, web__page},
    {"GET", "/ticket/", true, WEB_READ, web__page},
    {"GET", "/static/", true, WEB_READ, web__asset},
    {"GET", "/api/v1/report", false, WEB_READ, web__report},
    {"GET", "/api/v1/stats", false, WEB_READ, web__stats},
    {"GET", "/api/v1/rulesets", false, WEB_READ, web__rulesets},
    {"GET", "/api/v1/units", false, WEB_READ, web__units},
    {"GET", "/api/v1/alerts", false, WEB_READ, web__alerts},
    {"GET", "/api/v1/rejected", false, WEB_READ, web__rejected},
    {"GET", "/api/v1/live", false, WEB_READ, web__live},
    {"GET", "/api/v1/explain", false, WEB_READ, web__explain},
    {"GET", "/api/v1/tickets/", true, WEB_READ, web__ticket},
    {"GET", "/api/v1/appeals", false, WEB_READ, web__appeals},
    {"POST", "/api/v1/events", false, WEB_INGEST, web__events},
    {"GET", "/metrics", false, WEB_READ, web__metrics},
    {"GET", "/healthz", false, WEB_READ | WEB_INGEST, web__healthz},
    {"GET", "/readyz", false, WEB_READ | WEB_INGEST, web__readyz},
};
#define ROUTE_COUNT (sizeof (s_routes) / sizeof (s_routes[0]))

static bool
s_path_matches (const s_route_t *route, const char *url)
{
    return route->prefix ? strncmp (url, route->path, strlen (route->path)) == 0
                         : strcmp (url, route->path) == 0;
}

/* ---- answers ------------------------------------------------------- */

enum MHD_Result
web__respond (web__request_t *r, unsigned status, const char *type, char *body,
              size_t size, const char *const *headers)
{
    struct MHD_Response *response = MHD_create_response_from_buffer (
        body ? size : 0, body ? body : (void *)"",
        body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!response) {
        free (body);
        return MHD_NO;
    }
    if (type)
        MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL,
                             "no-store");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header (response, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                 "Bearer realm=\"hotline\"");
    for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2)
        MHD_add_response_header (response, headers[i], headers[i + 1]);
    enum MHD_Result rc = MHD_queue_response (r->connection, status, response);
    MHD_destroy_response (response);
    r->answered = true;
    return rc;
}

/* JSON text and a newline: the bytes the command line prints. */
static enum MHD_Result
s_json_line (web__request_t *r, unsigned status, char *json)
{
    size_t size = json ? strlen (json) : 0;
    char *body = json ? realloc (json, size + 2) : NULL;
    if (!body) {
        free (json);
        return MHD_NO;
    }
    body[size] = '\n';
    body[size + 1] = 0;
    return web__respond (r, status, "application/json", body, size + 1, NULL);
}

enum MHD_Result
web__json (web__request_t *r, unsigned status, char *json)
{
    return s_json_line (r, status, json);
}

enum MHD_Result
web__error (web__request_t *r, unsigned status, const char *format, ...)
{
    char message[512];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof (message), format, args);
    va_end (args);
    json_writer_t json;
    json_init (&json, 128 + strlen (message));
    json_open (&json, '{');
    json_member_string (&json, "error", message);
    json_close (&json, '}');
    return s_json_line (r, status, json_finish (&json));
}

const char *
web__arg (web__request_t *r, const char *name)
{
    return MHD_lookup_connection_value (r->connection, MHD_GET_ARGUMENT_KIND,
                                        name);
}

/* ---- asking the actors ------------------------------------------- */

static zsock_t *
s_peer (web__request_t *r, int peer)
{
    if (!r->conn)
        return NULL;
    zsock_t **slot = &r->conn->peers[peer];
    if (*slot)
        return *slot;
    const web_args_t *a = r->web->args;
    const char *endpoint = peer == WEB__QUERY    ? a->query
                           : peer == WEB__INGEST ? a->ingest
                                                 : a->snapshot;
    zsock_t *socket = zsock_new (ZMQ_DEALER);
    if (!socket)
        return NULL;
    zsock_set_linger (socket, 0);
    zsock_set_sndtimeo (socket, 5000);
    if (zsock_connect (socket, "%s", endpoint) != 0) {
        zsys_error ("web: cannot connect to %s", endpoint);
        zsock_destroy (&socket);
        return NULL;
    }
    *slot = socket;
    return socket;
}

int
web__ask (web__request_t *r, int peer, const uint8_t *payload, size_t size,
          int timeout_ms, zframe_t **reply)
{
    *reply = NULL;
    zsock_t *socket = s_peer (r, peer);
    if (!socket)
        return -1;
    /* The request's number travels as the envelope the ROUTER echoes: an
       answer that comes after its request gave up is told apart from
       the answer to the next one, and dropped. */
    uint64_t id = atomic_fetch_add (&r->web->ids, 1) + 1;
    zmsg_t *msg = zmsg_new ();
    zmsg_addmem (msg, &id, sizeof (id));
    zmsg_addmem (msg, payload, size);
    if (zmsg_send (&msg, socket) != 0) {
        zmsg_destroy (&msg);
        return -1;
    }
    int64_t deadline = zclock_mono () + timeout_ms;
    while (!*reply) {
        int64_t left = deadline - zclock_mono ();
        if (left <= 0)
            return -1;
        zsock_set_rcvtimeo (socket, (int)left);
        zmsg_t *answer = zmsg_recv (socket);
        if (!answer) {
            if (zmq_errno () == EINTR && !zsys_interrupted)
                continue;
            return -1;
        }
        zframe_t *first = zmsg_first (answer);
        if (zmsg_size (answer) == 2 && zframe_size (first) == sizeof (id) &&
            memcmp (zframe_data (first), &id, sizeof (id)) == 0) {
            *reply = zmsg_last (answer);
            zmsg_remove (answer, *reply);
        }
        zmsg_destroy (&answer);
    }
    return 0;
}

int
web__query (web__request_t *r, int peer, const proto_query_t *q, int timeout_ms,
            char **json, char *err)
{
    *json = NULL;
    size_t size;
    uint8_t *payload = proto_query_encode (q, &size);
    zframe_t *reply = NULL;
    int rc =
        payload ? web__ask (r, peer, payload, size, timeout_ms, &reply) : -1;
    free (payload);
    if (rc != 0) {
        snprintf (err, 256, "the daemon did not answer within %d ms",
                  timeout_ms);
        return -1;
    }
    bool ok = false;
    char *error = NULL;
    if (proto_reply_decode (zframe_data (reply), zframe_size (reply), &ok,
                            &error, json) != 0) {
        snprintf (err, 256, "the daemon's answer cannot be decoded");
        rc = -1;
    } else if (!ok) {
        snprintf (err, 256, "%s", error ? error : "refused");
        free (*json);
        *json = NULL;
        rc = 1;
    } else if (!*json && !(*json = strdup ("")))
        rc = -1;
    free (error);
    zframe_destroy (&reply);
    return rc;
}

/* ---- access ---------------------------------------------------------- */

/* The request's bearer token: the Authorization header, else the
   hotline_token cookie (the dashboard's: EventSource cannot send
   headers), else ?token= (how a browser first opens the dashboard). */
static const char *
s_token (struct MHD_Connection *c)
{
    const char *auth = MHD_lookup_connection_value (
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (auth && strncasecmp (auth, "Bearer ", 7) == 0) {
        auth += 7;
        while (*auth == ' ')
            auth++;
        return auth;
    }
    const char *cookie =
        MHD_lookup_connection_value (c, MHD_COOKIE_KIND, "hotline_token");
    if (cookie)
        return cookie;
    return MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "token");
}

/* Answers a request the route or the token refuses. Returns true when
   one was answered (rc set). */
static bool
s_refuse (web__request_t *r, const s_route_t *route, enum MHD_Result *rc)
{
    if (!r->web->tokens)
        return false;
    const char *token = s_token (r->connection);
    int role = token ? web__tokens_role (r->web->tokens, token) : 0;
    if (!role) {
        *rc = web__error (r, MHD_HTTP_UNAUTHORIZED,
                          token ? "unknown token"
                                : "this daemon needs a token: send "
                                  "Authorization: Bearer TOKEN");
        return true;
    }
    if (!(role & (route->roles | WEB_ADMIN))) {
        *rc = web__error (r, MHD_HTTP_FORBIDDEN,
                          "the token's role may not use %s %s", route->method,
                          route->path);
        return true;
    }
    return false;
}

/* The first call for a request: route, access, then the answer for a
   GET, or the size check before a POST's body is read. */
static enum MHD_Result
s_begin (web__request_t *r, const char *method)
{
    bool get = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;
    const s_route_t *route = NULL;
    bool path_known = false;
    for (size_t i = 0; i < ROUTE_COUNT && !route; i++)
        if (s_path_matches (&s_routes[i], r->url)) {
            path_known = true;
            if (strcmp (s_routes[i].method, get ? "GET" : method) == 0)
                route = &s_routes[i];
        }
    if (!route)
        return path_known
                   ? web__error (r, MHD_HTTP_METHOD_NOT_ALLOWED,
                                 "%s is not allowed on %s", method, r->url)
                   : web__error (r, MHD_HTTP_NOT_FOUND, "no such page: %s",
                                 r->url);
    r->route = route;
    enum MHD_Result rc;
    if (s_refuse (r, route, &rc))
        return rc;
    if (get)
        return route->handler (r);
    const char *length = MHD_lookup_connection_value (
        r->connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length && strtoull (length, NULL, 10) > r->web->args->body_max)
        return web__error (r, MHD_HTTP_CONTENT_TOO_LARGE,
                           "the body is %s bytes: at most %zu are taken "
                           "(http_body_max); send it in parts",
                           length, r->web->args->body_max);
    return MHD_YES;
}

/* Appends a part of a POST body, or counts it past the limit. */
static void
s_take_body (web__request_t *r, const char *data, size_t size)
{
    if (r->too_large || r->size + size > r->web->args->body_max) {
        r->too_large = true;
        r->size += size;
        free (r->body);
        r->body = NULL;
        return;
    }
    char *grown = realloc (r->body, r->size + size + 1);
    if (!grown) {
        r->too_large = true;
        return;
    }
    memcpy (grown + r->size, data, size);
    r->size += size;
    grown[r->size] = 0;
    r->body = grown;
}

enum MHD_Result
web__access (void *cls, struct MHD_Connection *connection, const char *url,
             const char *method, const char *version, const char *upload_data,
             size_t *upload_data_size, void **req_cls)
{
    (void)version;
    web__request_t *r = *req_cls;
    if (!r) {
        r = calloc (1, sizeof (*r));
        if (!r)
            return MHD_NO;
        *req_cls = r;
        r->web = cls;
        r->connection = connection;
        r->url = url;
        const union MHD_ConnectionInfo *info = MHD_get_connection_info (
            connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        r->conn = info ? info->socket_context : NULL;
        return s_begin (r, method);
    }
    if (r->answered) {
        *upload_data_size = 0; /* the rest of a refused body */
        return MHD_YES;
    }
    if (*upload_data_size) {
        s_take_body (r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->too_large)
        return web__error (r, MHD_HTTP_CONTENT_TOO_LARGE,
                           "the body is over %zu bytes (http_body_max): send "
                           "it in parts",
                           r->web->args->body_max);
    return ((const s_route_t *)r->route)->handler (r);
}

void
web__completed (void *cls, struct MHD_Connection *connection, void **req_cls,
                enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)connection;
    (void)code;
    web__request_t *r = *req_cls;
    if (r) {
        free (r->body);
        free (r);
    }
    *req_cls = NULL;
}

void
web__connection (void *cls, struct MHD_Connection *connection,
                 void **socket_context,
                 enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    (void)connection;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        *socket_context = calloc (1, sizeof (web__conn_t));
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        web__conn_t *conn = *socket_context;
        for (int i = 0; i < WEB__PEERS; i++)
            zsock_destroy (&conn->peers[i]);
        free (conn);
        *socket_context = NULL;
    }
}
