/*  bench_ingest_send: the stream hotline-bench ingest times, and the
    sender it times it with. The stream is generated once per round and
    encoded into EventBatch frames beforehand; the sender keeps a window
    of them in flight over a DEALER socket, to hotlined or to the raw
    receiver alike, and checks that every event was stored. */
#include "bench_internal.h"
#include "bench_gen.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
bench__ingest_stream_free (bench__ingest_stream_t *s)
{
    for (size_t i = 0; i < s->batches; i++)
        free (s->payloads[i]);
    free (s->payloads);
    free (s->sizes);
    free (s->counts);
    free (s->events);
    memset (s, 0, sizeof (*s));
}

int
bench__ingest_stream_make (const bench__ingest_options_t *opt,
                           const char *prefix, bool limits,
                           bench__ingest_stream_t *s)
{
    memset (s, 0, sizeof (*s));
    bench_gen_options_t g = {.units = opt->units,
                             .tickets = opt->tickets,
                             .start = BENCH_JULY_2025,
                             .span_ms = 30LL * 24 * 3600 * 1000,
                             .seed = 7,
                             .prefix = prefix,
                             .time_limits = limits};
    s->events = bench_gen_all (&g, &s->count);
    if (!s->events)
        return -1;
    s->batches = (s->count + opt->batch - 1) / opt->batch;
    s->payloads = calloc (s->batches, sizeof (*s->payloads));
    s->sizes = calloc (s->batches, sizeof (*s->sizes));
    s->counts = calloc (s->batches, sizeof (*s->counts));
    if (!s->payloads || !s->sizes || !s->counts)
        return -1;
    for (size_t b = 0; b < s->batches; b++) {
        size_t first = b * opt->batch;
        s->counts[b] =
            first + opt->batch <= s->count ? opt->batch : s->count - first;
        s->payloads[b] = proto_batch_encode (
            b + 1, s->events + first, s->counts[b], NULL, 0, &s->sizes[b]);
        if (!s->payloads[b])
            return -1;
    }
    return 0;
}

/* What came back. */
typedef struct {
    uint64_t stored, duplicate, rejected; /* per-event answers */
    uint64_t failed;                      /* batches answered ok=false */
    char first_reason[PROTO_ERROR_MAX + 1];
} s_answers_t;

static int
s_take_ack (zsock_t *dealer, s_answers_t *a)
{
    zmsg_t *msg = zmsg_recv (dealer);
    if (!msg)
        return -1;
    zframe_t *frame = zmsg_last (msg);
    proto_batch_ack_t ack;
    char reason[PROTO_ERROR_MAX + 1];
    int rc = proto_batch_ack_decode (zframe_data (frame), zframe_size (frame),
                                     &ack, reason);
    zmsg_destroy (&msg);
    if (rc != 0)
        return -1;
    if (!ack.ok) {
        a->failed++;
        if (!*a->first_reason)
            snprintf (a->first_reason, sizeof (a->first_reason), "%s",
                      ack.error);
    }
    for (size_t i = 0; i < ack.count; i++) {
        if (ack.acks[i].status == PROTO_ACK_STORED)
            a->stored++;
        else if (ack.acks[i].status == PROTO_ACK_DUPLICATE)
            a->duplicate++;
        else {
            a->rejected++;
            if (!*a->first_reason)
                snprintf (a->first_reason, sizeof (a->first_reason), "%s",
                          ack.acks[i].reason);
        }
    }
    proto_batch_ack_free (&ack);
    return 0;
}

zsock_t *
bench__ingest_dealer (const char *endpoint)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    if (!dealer)
        return NULL;
    zsock_set_linger (dealer, 0);
    zsock_set_rcvtimeo (dealer, 60000);
    if (zsock_connect (dealer, "%s", endpoint) != 0) {
        zsock_destroy (&dealer);
        return NULL;
    }
    return dealer;
}

/* Sends every frame, `window` in flight, to hotlined or the raw receiver
   alike; returns events/s from the first send to the last
   acknowledgement, or -1. With `sample` (a pid, or 0) the peak of its
   anonymous memory goes to *anon_peak. */
double
bench__ingest_blast (const char *endpoint, const bench__ingest_stream_t *s,
                     size_t window, const char *what, pid_t sample,
                     long *anon_peak)
{
    zsock_t *dealer = bench__ingest_dealer (endpoint);
    if (!dealer)
        return -1;
    /* One empty batch first, so the clock does not time connecting. */
    s_answers_t a = {0};
    size_t hello_size;
    uint8_t *hello = proto_batch_encode (0, NULL, 0, NULL, 0, &hello_size);
    zmsg_t *first = zmsg_new ();
    zmsg_addmem (first, NULL, 0);
    zmsg_addmem (first, hello, hello_size);
    free (hello);
    if (zmsg_send (&first, dealer) != 0 || s_take_ack (dealer, &a) != 0) {
        zmsg_destroy (&first);
        zsock_destroy (&dealer);
        fprintf (stderr, "bench ingest: %s: no answer from %s\n", what,
                 endpoint);
        return -1;
    }
    size_t sent = 0, answered = 0;
    int64_t t0 = bench_now_ns (), next_sample = t0;
    int rc = 0;
    while (answered < s->batches && rc == 0) {
        while (sent < s->batches && sent - answered < window) {
            zmsg_t *msg = zmsg_new ();
            zmsg_addmem (msg, NULL, 0); /* REQ-style empty delimiter */
            zmsg_addmem (msg, s->payloads[sent], s->sizes[sent]);
            if (zmsg_send (&msg, dealer) != 0) {
                zmsg_destroy (&msg);
                rc = -1;
                break;
            }
            sent++;
        }
        if (rc == 0 && s_take_ack (dealer, &a) != 0)
            rc = -1;
        answered++;
        if (sample > 0 && bench_now_ns () >= next_sample) {
            long anon, file, hwm;
            if (bench_proc_memory (sample, &anon, &file, &hwm) == 0 &&
                anon > *anon_peak)
                *anon_peak = anon;
            next_sample = bench_now_ns () + 100000000LL;
        }
    }
    double seconds = (double)(bench_now_ns () - t0) / 1e9;
    zsock_destroy (&dealer);
    if (rc != 0) {
        fprintf (stderr, "bench ingest: %s: no answer from %s\n", what,
                 endpoint);
        return -1;
    }
    /* Every event is new: anything but "stored" means the run did not
       measure what it says. */
    if (a.failed || a.rejected || a.duplicate || a.stored != s->count) {
        fprintf (stderr,
                 "bench ingest: %s: %llu stored, %llu duplicate, %llu "
                 "rejected, %llu batches failed (%s)\n",
                 what, (unsigned long long)a.stored,
                 (unsigned long long)a.duplicate,
                 (unsigned long long)a.rejected, (unsigned long long)a.failed,
                 a.first_reason);
        return -1;
    }
    return (double)s->count / seconds;
}
