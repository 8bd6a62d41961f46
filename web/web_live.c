/*  web_live: the live feed as Server-Sent Events.

    The hub is a ring of the last messages of the publisher's feed, each
    kept as the SSE frame every client sends ("id: N\nevent: score\n
    data: {...}\n\n") with its topic. The actor's thread appends; each
    stream's thread reads at its own pace, copying frames out under the
    lock, so the feed never waits for a browser and a browser never
    holds more than the ring: a stream whose next number fell out of the
    ring (it stalled, or the hub itself lost messages) starts again from
    a snapshot. The ring holds numbers first .. first + count - 1 with
    no hole; `last` is the highest number the feed announced.

    A stream starts with a snapshot from the publisher (with the
    client's topic prefix) and goes on with the numbers after it. A
    client that sends Last-Event-ID (EventSource does when it
    reconnects) goes on after that number without a snapshot when the
    ring still holds everything after it. Every 15 s of silence a
    comment line keeps the connection open. */
#include "web_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEEPALIVE_S 15
#define TOPIC_MAX   PROTO_TOPIC_MAX
/* Frames copied out per lock: the lock is held for a bounded time. */
#define TAKE_MAX 256

typedef struct {
    uint64_t sequence;         /* its number */
    char topic[TOPIC_MAX + 1]; /* for the clients' prefixes */
    char *frame;               /* the SSE frame (owned) */
    size_t size;               /* its bytes */
} s_entry_t;

struct _web__hub_t {
    pthread_mutex_t lock;   /* guards everything below */
    pthread_cond_t changed; /* a message came, or stopping */
    s_entry_t *ring;        /* entry of number n at n % capacity */
    size_t capacity;        /* entries */
    uint64_t first;         /* oldest number held (count > 0) */
    size_t count;           /* numbers held */
    uint64_t last;          /* highest number announced */
    bool fed;               /* messages come: the actor is subscribed and
                               one came since */
    bool stopping;          /* streams end */
    stats_t *stats;         /* live_clients (borrowed) */
};

web__hub_t *
web__hub_new (size_t capacity, stats_t *stats)
{
    web__hub_t *self = calloc (1, sizeof (*self));
    if (!self)
        return NULL;
    self->ring = calloc (capacity, sizeof (*self->ring));
    if (!self->ring) {
        free (self);
        return NULL;
    }
    self->capacity = capacity;
    self->stats = stats;
    pthread_mutex_init (&self->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init (&attr);
    pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
    pthread_cond_init (&self->changed, &attr);
    pthread_condattr_destroy (&attr);
    return self;
}

void
web__hub_destroy (web__hub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    web__hub_t *self = *self_p;
    for (size_t i = 0; i < self->capacity; i++)
        free (self->ring[i].frame);
    free (self->ring);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->changed);
    free (self);
    *self_p = NULL;
}

/* Empties the ring: what it held no longer joins up with what comes. */
static void
s_clear (web__hub_t *self)
{
    for (size_t i = 0; i < self->capacity; i++) {
        free (self->ring[i].frame);
        self->ring[i].frame = NULL;
    }
    self->count = 0;
}

void
web__hub_publish (web__hub_t *self, uint64_t sequence, const char *topic,
                  const char *json)
{
    const char *event = strncmp (topic, "score/", 6) == 0   ? "score"
                        : strncmp (topic, "alert/", 6) == 0 ? "alert"
                                                            : NULL;
    if (!event || strlen (topic) > TOPIC_MAX)
        return;
    /* Rendered outside the lock: the streams only copy it. */
    size_t size = strlen (json) + 64;
    char *frame = malloc (size);
    if (!frame)
        return;
    size = (size_t)snprintf (frame, size, "id: %llu\nevent: %s\ndata: %s\n\n",
                             (unsigned long long)sequence, event, json);
    pthread_mutex_lock (&self->lock);
    if (self->count > 0 && sequence < self->first + self->count) {
        free (frame); /* a number held already */
        pthread_mutex_unlock (&self->lock);
        return;
    }
    if (self->count > 0 && sequence != self->first + self->count)
        s_clear (self);
    if (self->count == 0)
        self->first = sequence;
    else if (self->count == self->capacity) {
        self->first++; /* the oldest goes */
        self->count--;
    }
    self->fed = true;
    s_entry_t *e = &self->ring[sequence % self->capacity];
    free (e->frame);
    e->sequence = sequence;
    snprintf (e->topic, sizeof (e->topic), "%s", topic);
    e->frame = frame;
    e->size = size;
    self->count++;
    if (sequence > self->last)
        self->last = sequence;
    pthread_cond_broadcast (&self->changed);
    pthread_mutex_unlock (&self->lock);
}

void
web__hub_heartbeat (web__hub_t *self, uint64_t sequence)
{
    pthread_mutex_lock (&self->lock);
    if (sequence > self->last) {
        /* Numbers were sent that the ring never got. */
        s_clear (self);
        self->last = sequence;
    }
    self->fed = true;
    pthread_cond_broadcast (&self->changed);
    pthread_mutex_unlock (&self->lock);
}

void
web__hub_unfed (web__hub_t *self)
{
    pthread_mutex_lock (&self->lock);
    s_clear (self);
    self->fed = false;
    pthread_mutex_unlock (&self->lock);
}

/* Waits until the feed runs, up to KEEPALIVE_S: 1 when it does, 0 when
   the wait ended first, -1 when the server stops. */
static int
s_wait_fed (web__hub_t *self)
{
    struct timespec until;
    clock_gettime (CLOCK_MONOTONIC, &until);
    until.tv_sec += KEEPALIVE_S;
    pthread_mutex_lock (&self->lock);
    while (!self->fed && !self->stopping)
        if (pthread_cond_timedwait (&self->changed, &self->lock, &until) != 0)
            break;
    int rc = self->stopping ? -1 : self->fed ? 1 : 0;
    pthread_mutex_unlock (&self->lock);
    return rc;
}

void
web__hub_stop (web__hub_t *self)
{
    pthread_mutex_lock (&self->lock);
    self->stopping = true;
    pthread_cond_broadcast (&self->changed);
    pthread_mutex_unlock (&self->lock);
}

/* True when the ring no longer has every number after `cursor`: it
   started after it, or emptied after a loss it did not cover. Numbers
   the hub has not seen yet (cursor above last) will still come. */
static bool
s_lost (const web__hub_t *self, uint64_t cursor)
{
    return self->count > 0 ? cursor + 1 < self->first : cursor < self->last;
}

/* ---- one stream ------------------------------------------------------ */

typedef struct {
    web__t *web;                /* the server */
    web__request_t request;     /* for asking the publisher: a copy, as
                                   MHD frees the request's own */
    char prefix[TOPIC_MAX + 1]; /* topics sent */
    uint64_t cursor;            /* the last number sent, or skipped */
    bool snapshot;              /* a snapshot is to be sent first */
    char *pending;              /* bytes to send (owned) */
    size_t size, sent;          /* their count, how many went */
} s_stream_t;

/* Fetches a snapshot of the client's topics into pending. */
static int
s_snapshot (s_stream_t *s)
{
    proto_query_t q = {.kind = PROTO_QUERY_SNAPSHOT};
    snprintf (q.topic, sizeof (q.topic), "%s", s->prefix);
    char *json, err[256];
    if (web__query (&s->request, WEB__SNAPSHOT, &q, WEB_WAIT_MS, &json, err) !=
        0) {
        zsys_warning ("web: live: no snapshot: %s", err);
        return -1;
    }
    /* {"sequence":S,...}: the number the snapshot reflects. */
    const char *number = strstr (json, "\"sequence\":");
    uint64_t sequence =
        number ? strtoull (number + strlen ("\"sequence\":"), NULL, 10) : 0;
    size_t size = strlen (json) + 64;
    s->pending = malloc (size);
    if (s->pending)
        s->size = (size_t)snprintf (s->pending, size,
                                    "id: %llu\nevent: snapshot\ndata: %s\n\n",
                                    (unsigned long long)sequence, json);
    free (json);
    s->sent = 0;
    s->cursor = sequence;
    s->snapshot = false;
    return s->pending ? 0 : -1;
}

/* Copies the next frames of the client's topics into pending, waiting
   up to KEEPALIVE_S for some. Returns -1 when the server stops. */
static int
s_take (s_stream_t *s)
{
    web__hub_t *hub = s->web->hub;
    size_t prefix = strlen (s->prefix);
    struct timespec until;
    clock_gettime (CLOCK_MONOTONIC, &until);
    until.tv_sec += KEEPALIVE_S;
    pthread_mutex_lock (&hub->lock);
    int rc = 0;
    while (!hub->stopping && !s_lost (hub, s->cursor) &&
           (hub->count == 0 || s->cursor >= hub->first + hub->count - 1))
        if (pthread_cond_timedwait (&hub->changed, &hub->lock, &until) != 0)
            break;
    if (hub->stopping)
        rc = -1;
    else if (s_lost (hub, s->cursor))
        s->snapshot = true;
    else {
        FILE *out = open_memstream (&s->pending, &s->size);
        uint64_t end = hub->count ? hub->first + hub->count : 0;
        for (int n = 0; out && n < TAKE_MAX && s->cursor + 1 < end; n++) {
            const s_entry_t *e = &hub->ring[(s->cursor + 1) % hub->capacity];
            if (strncmp (e->topic, s->prefix, prefix) == 0)
                fwrite (e->frame, 1, e->size, out);
            s->cursor++;
        }
        if (out && ftell (out) == 0)
            fputs (": keepalive\n\n", out);
        if (!out || fclose (out) != 0)
            rc = -1;
        s->sent = 0;
    }
    pthread_mutex_unlock (&hub->lock);
    return rc;
}

static ssize_t
s_read (void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    s_stream_t *s = cls;
    while (s->sent == s->size) {
        free (s->pending);
        s->pending = NULL;
        s->size = s->sent = 0;
        /* A snapshot only once the feed runs, so that every number
           after it will come (the actor subscribes when a stream opens:
           web_actor.c). */
        int fed = s->snapshot ? s_wait_fed (s->web->hub) : 1;
        if (fed < 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (fed == 0) {
            s->pending = strdup (": keepalive\n\n");
            s->size = s->pending ? strlen (s->pending) : 0;
            continue;
        }
        if (s->snapshot ? s_snapshot (s) != 0 : s_take (s) != 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = s->size - s->sent < max ? s->size - s->sent : max;
    memcpy (buf, s->pending + s->sent, n);
    s->sent += n;
    return (ssize_t)n;
}

static void
s_free (void *cls)
{
    s_stream_t *s = cls;
    atomic_fetch_sub (&s->web->args->stats->live_clients, 1);
    free (s->pending);
    free (s);
}

enum MHD_Result
web__live (web__request_t *r)
{
    const char *topic = web__arg (r, "topic");
    if (topic && strlen (topic) > TOPIC_MAX)
        return web__error (r, MHD_HTTP_BAD_REQUEST,
                           "topic is longer than %d bytes", TOPIC_MAX);
    s_stream_t *s = calloc (1, sizeof (*s));
    if (!s)
        return MHD_NO;
    s->web = r->web;
    s->request = *r;
    s->request.body = NULL;
    snprintf (s->prefix, sizeof (s->prefix), "%s", topic ? topic : "");
    s->snapshot = true;
    const char *last = MHD_lookup_connection_value (
        r->connection, MHD_HEADER_KIND, "Last-Event-ID");
    char *end = NULL;
    uint64_t resume = last ? strtoull (last, &end, 10) : 0;
    if (last && end != last && !*end) {
        web__hub_t *hub = r->web->hub;
        pthread_mutex_lock (&hub->lock);
        s->snapshot = s_lost (hub, resume);
        pthread_mutex_unlock (&hub->lock);
        s->cursor = resume;
    }
    /* EventSource waits this long before it reconnects. */
    s->pending = strdup ("retry: 2000\n\n");
    s->size = s->pending ? strlen (s->pending) : 0;
    atomic_fetch_add (&r->web->args->stats->live_clients, 1);
    struct MHD_Response *response = MHD_create_response_from_callback (
        MHD_SIZE_UNKNOWN, 16 * 1024, s_read, s, s_free);
    if (!response) {
        s_free (s);
        return MHD_NO;
    }
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                             "text/event-stream; charset=utf-8");
    MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL,
                             "no-store");
    MHD_add_response_header (response, "X-Accel-Buffering", "no");
    enum MHD_Result rc =
        MHD_queue_response (r->connection, MHD_HTTP_OK, response);
    MHD_destroy_response (response);
    r->answered = true;
    return rc;
}
