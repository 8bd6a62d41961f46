/*  bench_internal: shared by the files of one part of hotline-bench, which
    is split by responsibility over several files (bench.h has the parts'
    entry points). */
#ifndef BENCH_INTERNAL_H_INCLUDED
#define BENCH_INTERNAL_H_INCLUDED

#include "bench.h"
#include "bench_daemon.h"
#include "proto.h"

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*  hotline-bench live: bench_live.c (options, main), bench_live_events.c,
    bench_live_ingest.c (measurement 1), bench_live_listener.c and
    bench_live_latency.c (measurement 2).                                */

#define BENCH_LIVE_CLOSE_BATCH    10 /* closes per message in the latency run */
#define BENCH_LIVE_MARKER_TICKETS 8  /* tickets of the marker unit */
#define BENCH_LIVE_MARKER_ID      "UMARK"
#define BENCH_LIVE_SCORE_PREFIX   "score/jintai-2025/"

/* The options of a run (bench_live.c parses them). */
typedef struct {
    const char *daemon; /* hotlined to run */
    bool ingest;        /* run measurement 1 */
    bool latency;       /* run measurement 2 */
    int units;          /* units imported */
    int events;         /* events per ingest run */
    int rounds;         /* A/B rounds */
    int rate;           /* offered closes per second, latency run */
    double seconds;     /* length of the latency run */
    int hwm;            /* receive high-water mark of the stalled subscriber */
    bool quick;         /* a smoke test for CI, not a measurement */
    int64_t july;       /* 2025-07-01T00:00+08:00 in ms */
} bench__live_options_t;

/* One run of measurement 1 (bench_live_ingest.c). */
typedef struct {
    double rate;       /* events/s, first send to last acknowledgement */
    double per_commit; /* events per write transaction */
    double published;  /* messages the publisher sent during the run */
    double delivered;  /* run B: of those, handed to the stalled SUB */
    double resent;     /* batches client_sender sent again */
} bench__live_ingest_result_t;

/* One score/jintai-2025 row of a regular unit, as received. */
typedef struct {
    int64_t at;     /* receive time, ns */
    int32_t unit;   /* unit index */
    int32_t closed; /* the unit's closes the row reflects */
} bench__live_row_t;

/* What the listener actor (bench_live_listener.c) is given and records;
   its owner reads it once the actor is destroyed. */
typedef struct {
    const char *endpoint;    /* publisher */
    int units;               /* regular units */
    int per_unit;            /* tickets per regular unit (should_close) */
    bench__live_row_t *rows; /* rows received */
    size_t row_count;        /* used */
    size_t row_capacity;     /* allocated */
    uint64_t messages;       /* rows received, heartbeats not counted */
    bool failed;             /* could not subscribe or record */
} bench__live_listener_t;

/* Measurement 2 (bench_live_latency.c); the caller frees ack_ms and
   lat_ms. */
typedef struct {
    size_t closes;     /* closes offered */
    size_t batches;    /* messages of BENCH_LIVE_CLOSE_BATCH closes */
    int per_unit;      /* tickets per unit */
    double offered;    /* achieved offered closes/s */
    double *ack_ms;    /* per batch: send -> acknowledgement, sorted */
    double *lat_ms;    /* per matched close: ack -> row, sorted */
    size_t matched;    /* closes whose row came */
    size_t early;      /* of those, row received before the ack */
    size_t in_flight;  /* most batches unanswered at once */
    double published;  /* publications during the timed part */
    double per_commit; /* closes per write transaction */
    uint64_t messages; /* publications the listener received */
} bench__live_latency_result_t;

/* Imports `units` units U00000..., alternately in the two tables of
   jintai-2025, and the marker unit when asked. Returns 0 or -1. */
int bench__live_import_units (const bench_daemon_t *d, int units, bool marker);
/* Fills ev with an event of the given type, ids and time. */
void bench__live_event (proto_event_t *ev, proto_type_t type,
                        const char *event_id, const char *ticket,
                        const char *unit, int64_t at);
/* Fills ev with a received event, dispatched ten minutes before `at`,
   due at `due`, its channel and category drawn from `mix`. */
void bench__live_received (proto_event_t *ev, const char *event_id,
                           const char *ticket, const char *unit, int64_t at,
                           int64_t due, uint32_t mix);
/* A stateless integer hash: spreads tickets over units reproducibly. */
uint32_t bench__live_mix (uint32_t x);
/* Sends events through client_sender (batches of 500, window 8) and
   waits for every answer. Returns 0 when all were stored, with the time
   from the first send to the last answer and the batches sent again
   (either may be NULL). */
int bench__live_send_all (const bench_daemon_t *d, const proto_event_t *events,
                          size_t count, int64_t *elapsed_ns, uint64_t *resent);

/* The ingest stream of measurement 1: opt->events events (even), or
   NULL. The caller frees it. */
proto_event_t *bench__live_ingest_events (const bench__live_options_t *opt);
/* One run of measurement 1 on a fresh daemon, with a stalled subscriber
   or without. Returns 0 or -1. */
int bench__live_run_ingest (const bench__live_options_t *opt,
                            const proto_event_t *events, bool stalled,
                            bench__live_ingest_result_t *result);
/* The table of measurement 1: medians over the rounds of a and b. */
void bench__live_print_ingest (const bench__live_options_t *opt,
                               const bench__live_ingest_result_t *a,
                               const bench__live_ingest_result_t *b);

/* The listener actor; args is a bench__live_listener_t. */
void bench__live_listener_actor (zsock_t *pipe, void *args);

/* Measurement 2 on a fresh daemon. Returns 0 or -1. */
int bench__live_run_latency (const bench__live_options_t *opt,
                             bench__live_latency_result_t *result);
/* The table of measurement 2. Returns 0 when every close was matched to
   its row. */
int bench__live_print_latency (const bench__live_options_t *opt,
                               const bench__live_latency_result_t *lat);

#endif
