/*  bench_web: HTTP ingest beside ZeroMQ ingest, and what a browser that
    never reads its live stream costs, in the same run.

    The stream (bench_gen.h, 1,000 units over July 2025, about 3.9 events
    per ticket) is made once and sent, each time to a fresh hotlined
    (bench_daemon.c: ipc:// endpoints, HTTP on 127.0.0.1:0), three ways:

    zmq      hotline's own sender (client_sender: batches of 500, 32 in
             flight, as `hotline send`), first send to last
             acknowledgement: the ZeroMQ rate.
    http     the same events as event lines, 500 per POST to
             /api/v1/events, from --clients threads (default 8) each with
             one keep-alive connection (libcurl), each POST answered after
             its durable commit. A ticket's events all go through one
             client, in order (as a platform's would: a closure is never
             sent before its receipt is acknowledged); the clients run
             side by side. Target: at least half the ZeroMQ rate.
    stalled  zmq again, while a client holds GET /api/v1/live open with a
             4 KiB receive buffer and never reads. Target: at least 0.90
             of zmq (the feed never waits for a browser).

    Rounds alternate the order of the three; figures are medians.
    Wall-clock on a shared machine: read the ratios.

    usage: hotline-bench web [--tickets T] [--clients C] [--rounds R]
                             [--quick]                                   */
#include "bench.h"
#include "bench_daemon.h"
#include "bench_gen.h"
#include "client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINES_PER_POST 500

typedef struct {
    uint64_t tickets; /* tickets of the stream */
    int clients;      /* concurrent HTTP senders */
    int rounds;       /* rounds, medians reported */
} s_options_t;

#define CLIENTS_MAX 64

/* The stream, as events and as each client's POST bodies. */
typedef struct {
    proto_event_t *events;          /* for the ZeroMQ sender */
    size_t count;                   /* events */
    char **bodies[CLIENTS_MAX];     /* per client, in order */
    size_t body_count[CLIENTS_MAX]; /* per client */
    int clients;                    /* clients with bodies */
} s_stream_t;

static void
s_stream_free (s_stream_t *s)
{
    for (int c = 0; c < s->clients; c++) {
        for (size_t i = 0; i < s->body_count[c]; i++)
            free (s->bodies[c][i]);
        free (s->bodies[c]);
    }
    free (s->events);
}

/* Which client sends a ticket's events. */
static int
s_client_of (const char *ticket, int clients)
{
    uint32_t hash = 2166136261u;
    for (const char *p = ticket; *p; p++)
        hash = (hash ^ (uint8_t)*p) * 16777619u;
    return (int)(hash % (uint32_t)clients);
}

/* Writes client c's bodies: its events, LINES_PER_POST a body. */
static int
s_bodies (s_stream_t *s, int c)
{
    size_t lines = 0, capacity = 0;
    FILE *out = NULL;
    char *text = NULL;
    size_t size = 0;
    for (size_t i = 0; i <= s->count; i++) {
        bool end = i == s->count;
        if (!end && s_client_of (s->events[i].ticket_id, s->clients) != c)
            continue;
        if (out && (end || lines == LINES_PER_POST)) {
            if (fclose (out) != 0)
                return -1;
            out = NULL;
            if (s->body_count[c] == capacity) {
                capacity = capacity ? capacity * 2 : 64;
                char **grown =
                    realloc (s->bodies[c], capacity * sizeof (char *));
                if (!grown)
                    return -1;
                s->bodies[c] = grown;
            }
            s->bodies[c][s->body_count[c]++] = text;
            text = NULL;
            lines = 0;
        }
        if (end)
            break;
        if (!out && !(out = open_memstream (&text, &size)))
            return -1;
        char *line = proto_event_to_json (&s->events[i]);
        if (line)
            fprintf (out, "%s\n", line);
        free (line);
        lines++;
    }
    return 0;
}

static int
s_stream_make (const s_options_t *opt, s_stream_t *s)
{
    memset (s, 0, sizeof (*s));
    s->clients = opt->clients;
    bench_gen_options_t g = {.units = 1000,
                             .tickets = opt->tickets,
                             .start = BENCH_JULY_2025,
                             .span_ms = 30LL * 24 * 3600 * 1000,
                             .seed = 5,
                             .prefix = "w"};
    s->events = bench_gen_all (&g, &s->count);
    if (!s->events)
        return -1;
    for (int c = 0; c < s->clients; c++)
        if (s_bodies (s, c) != 0)
            return -1;
    return 0;
}

static int
s_start (bench_daemon_t *d)
{
    proto_unit_t *units = bench_gen_units (1000);
    int rc = units ? bench_daemon_start (d, NULL, NULL, NULL, NULL) : -1;
    if (rc == 0)
        rc = bench_daemon_import (d, units, 1000);
    if (rc == 0 && !*d->http) {
        fprintf (stderr, "bench web: the daemon logged no HTTP address\n");
        rc = -1;
    }
    free (units);
    if (rc != 0)
        bench_daemon_stop (d);
    return rc;
}

/* ---- ZeroMQ ----------------------------------------------------------- */

static void
s_count_stored (void *arg, uint32_t tag, int status, const char *reason)
{
    (void)tag;
    (void)reason;
    if (status == PROTO_ACK_STORED)
        (*(size_t *)arg)++;
}

/* Events/s through hotline's sender, or -1. */
static double
s_zmq (const bench_daemon_t *d, const s_stream_t *s)
{
    size_t stored = 0;
    char err[256];
    client_sender_t *sender = client_sender_new (
        d->ingest, LINES_PER_POST, 32, 60000, s_count_stored, &stored, err);
    if (!sender) {
        fprintf (stderr, "bench web: %s\n", err);
        return -1;
    }
    int64_t t0 = bench_now_ns ();
    for (size_t i = 0; i < s->count; i++)
        client_sender_add (sender, &s->events[i], (uint32_t)i);
    client_sender_flush (sender);
    double seconds = (double)(bench_now_ns () - t0) / 1e9;
    client_sender_destroy (&sender);
    if (stored != s->count) {
        fprintf (stderr, "bench web: zmq: %zu of %zu stored\n", stored,
                 s->count);
        return -1;
    }
    return (double)s->count / seconds;
}

/* ---- HTTP ------------------------------------------------------------- */

typedef struct {
    const s_stream_t *stream; /* the bodies */
    const char *url;          /* POST /api/v1/events */
    _Atomic int next;         /* the next client's number */
    _Atomic size_t failed;    /* POSTs not answered 200 */
} s_posts_t;

static size_t
s_discard (char *ptr, size_t size, size_t n, void *arg)
{
    (void)ptr;
    (void)arg;
    return size * n;
}

static void *
s_poster (void *arg)
{
    s_posts_t *p = arg;
    CURL *curl = curl_easy_init ();
    struct curl_slist *headers =
        curl_slist_append (NULL, "Content-Type: application/x-ndjson");
    /* Small bodies go at once: no 100-continue round trip. */
    headers = curl_slist_append (headers, "Expect:");
    curl_easy_setopt (curl, CURLOPT_URL, p->url);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_discard);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, 120000L);
    int c = atomic_fetch_add (&p->next, 1);
    for (size_t b = 0; b < p->stream->body_count[c]; b++) {
        const char *body = p->stream->bodies[c][b];
        curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long)strlen (body));
        long status = 0;
        if (curl_easy_perform (curl) == CURLE_OK)
            curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200)
            atomic_fetch_add (&p->failed, 1);
    }
    curl_slist_free_all (headers);
    curl_easy_cleanup (curl);
    return NULL;
}

/* Events/s through POST /api/v1/events from `clients` threads, or -1. */
static double
s_http (const bench_daemon_t *d, const s_stream_t *s, int clients)
{
    char url[300];
    snprintf (url, sizeof (url), "%sapi/v1/events", d->http);
    s_posts_t p = {.stream = s, .url = url};
    pthread_t threads[CLIENTS_MAX];
    int started = 0;
    int64_t t0 = bench_now_ns ();
    for (; started < clients && started < CLIENTS_MAX; started++)
        if (pthread_create (&threads[started], NULL, s_poster, &p) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join (threads[i], NULL);
    double seconds = (double)(bench_now_ns () - t0) / 1e9;
    if (p.failed || started == 0) {
        fprintf (stderr, "bench web: http: %zu POSTs not answered 200\n",
                 (size_t)p.failed);
        return -1;
    }
    return (double)s->count / seconds;
}

/* Opens GET /api/v1/live with a 4 KiB receive buffer, never to be read.
   Returns the socket, or -1. */
static int
s_stalled_client (const bench_daemon_t *d)
{
    unsigned port = 0;
    if (sscanf (d->http, "http://127.0.0.1:%u/", &port) != 1)
        return -1;
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof (small));
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons ((uint16_t)port)};
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    const char *request =
        "GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (fd < 0 || connect (fd, (struct sockaddr *)&addr, sizeof (addr)) != 0 ||
        write (fd, request, strlen (request)) != (ssize_t)strlen (request)) {
        if (fd >= 0)
            close (fd);
        return -1;
    }
    return fd;
}

/* ---- main ------------------------------------------------------------ */

static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: hotline-bench web [--tickets T] [--clients C] "
             "[--rounds R] [--quick]\n"
             "\n"
             "  --tickets T  tickets of the stream (default 100000, ~3.9 "
             "events each)\n"
             "  --clients C  concurrent HTTP senders (default 8)\n"
             "  --rounds R   rounds, medians reported (default 3)\n"
             "  --quick      seconds-long smoke run for CI: figures are not "
             "judged\n");
}

/* One round: the three runs on fresh daemons, in the round's order. */
static int
s_round (const s_options_t *opt, const s_stream_t *s, int r, double *zmq,
         double *http, double *stalled)
{
    for (int k = 0; k < 3; k++) {
        int which = (k + r) % 3;
        bench_daemon_t d;
        if (s_start (&d) != 0)
            return -1;
        int fd = -1;
        double rate = -1;
        if (which == 0)
            rate = *zmq = s_zmq (&d, s);
        else if (which == 1)
            rate = *http = s_http (&d, s, opt->clients);
        else if ((fd = s_stalled_client (&d)) >= 0)
            rate = *stalled = s_zmq (&d, s);
        if (fd >= 0)
            close (fd);
        bench_daemon_stop (&d);
        if (rate < 0)
            return -1;
    }
    printf ("  round %d: zmq %.0f, http %.0f, zmq with a stalled live client "
            "%.0f events/s\n",
            r + 1, *zmq, *http, *stalled);
    fflush (stdout);
    return 0;
}

static int
s_options (int argc, char *argv[], s_options_t *opt)
{
    static struct option longs[] = {{"tickets", required_argument, 0, 't'},
                                    {"clients", required_argument, 0, 'c'},
                                    {"rounds", required_argument, 0, 'r'},
                                    {"quick", no_argument, 0, 'q'},
                                    {"help", no_argument, 0, 'h'},
                                    {0, 0, 0, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long (argc, argv, "", longs, NULL)) != -1) {
        if (c == 't')
            opt->tickets = strtoull (optarg, NULL, 10);
        else if (c == 'c')
            opt->clients = atoi (optarg);
        else if (c == 'r')
            opt->rounds = atoi (optarg);
        else if (c == 'q') {
            opt->tickets = 3000;
            opt->rounds = 1;
        } else if (c == 'h') {
            s_usage (stdout);
            return 0;
        } else {
            s_usage (stderr);
            return 2;
        }
    }
    if (optind < argc || opt->tickets < 1 || opt->clients < 1 ||
        opt->clients > CLIENTS_MAX || opt->rounds < 1) {
        s_usage (stderr);
        return 2;
    }
    return -1;
}

int
bench_web_main (int argc, char *argv[])
{
    s_options_t opt = {.tickets = 100000, .clients = 8, .rounds = 3};
    int rc = s_options (argc, argv, &opt);
    if (rc >= 0)
        return rc;
    curl_global_init (CURL_GLOBAL_ALL);
    s_stream_t s = {0};
    double *zmq = calloc ((size_t)opt.rounds, sizeof (double));
    double *http = calloc ((size_t)opt.rounds, sizeof (double));
    double *stalled = calloc ((size_t)opt.rounds, sizeof (double));
    rc = 1;
    if (!zmq || !http || !stalled || s_stream_make (&opt, &s) != 0) {
        fprintf (stderr, "bench web: out of memory\n");
        goto done;
    }
    printf ("== web: %zu events (%llu tickets, 1000 units), POSTs of %d "
            "lines from %d clients, %d round(s)\n",
            s.count, (unsigned long long)opt.tickets, LINES_PER_POST,
            opt.clients, opt.rounds);
    for (int r = 0; r < opt.rounds; r++)
        if (s_round (&opt, &s, r, &zmq[r], &http[r], &stalled[r]) != 0)
            goto done;
    double z = bench_median (zmq, (size_t)opt.rounds);
    double h = bench_median (http, (size_t)opt.rounds);
    double st = bench_median (stalled, (size_t)opt.rounds);
    printf ("\n| %-58s | %-12s | %-24s |\n", "measure", "figure", "ratio");
    printf ("|%s|%s|%s|\n",
            "------------------------------------------------------------",
            "--------------", "--------------------------");
    printf ("| %-58s | %6.0f ev/s  | %-24s |\n",
            "ZeroMQ ingest (hotline's sender, 500 a batch, 32 in flight)", z,
            "1");
    char ratio[64];
    char what[96];
    snprintf (ratio, sizeof (ratio), "%.2f of ZeroMQ (goal 0.50)", h / z);
    snprintf (what, sizeof (what),
              "HTTP POST /api/v1/events, %d lines, %d clients", LINES_PER_POST,
              opt.clients);
    printf ("| %-58s | %6.0f ev/s  | %-24s |\n", what, h, ratio);
    snprintf (ratio, sizeof (ratio), "%.2f of ZeroMQ (goal 0.90)", st / z);
    printf ("| %-58s | %6.0f ev/s  | %-24s |\n",
            "ZeroMQ ingest, a live HTTP client never reading", st, ratio);
    rc = 0;
done:
    s_stream_free (&s);
    free (zmq);
    free (http);
    free (stalled);
    curl_global_cleanup ();
    return rc;
}
