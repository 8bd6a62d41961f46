/*  bench_internal: shared by the files of one part of hotline-bench, which
    is split by responsibility over several files (bench.h has the parts'
    entry points). */
#ifndef BENCH_INTERNAL_H_INCLUDED
#define BENCH_INTERNAL_H_INCLUDED

#include "bench.h"
#include "bench_daemon.h"
#include "bench_tape.h"
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
    bool unsynced;      /* the latency run's daemon: unsafe_no_sync */
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
    /* Inside hotlined during the timed part, per committed group, ms:
       applying it, of which explain's drill-down (settle), its commit;
       and the share of the timed part the scorer spent on them. */
    double apply_ms, settle_ms, commit_ms, busy;
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

/*  hotline-bench ingest: bench_ingest.c (options, setup, the table, main),
    bench_ingest_send.c (the stream and the windowed sender),
    bench_ingest_big.c (the big store), bench_ingest_rounds.c (raw,
    empty, big and SQLite runs, and the calendar's --time-limits runs),
    bench_ingest_latency.c.                                              */

/* The calendar's runs (--time-limits): the due_at stream with working
   time, the time-limit stream with working time, the due_at stream with
   none; and what each measures, per round. */
enum {
    BENCH_INGEST_CAL_DUE,
    BENCH_INGEST_CAL_LIMITS,
    BENCH_INGEST_CAL_NONE,
    BENCH_INGEST_CAL_RUNS
};
enum {
    BENCH_INGEST_CAL_RATE,   /* events/s */
    BENCH_INGEST_CAL_DAEMON, /* the daemon's CPU µs per event */
    BENCH_INGEST_CAL_APPLY,  /* the state machine's alone, in-process */
    BENCH_INGEST_CAL_FIGURES
};

/* The options of a run (bench_ingest.c parses them). */
typedef struct {
    int units;             /* units in the registry */
    uint64_t tickets;      /* tickets of the timed stream */
    int rounds;            /* ingest rounds */
    size_t batch;          /* events per message */
    size_t window;         /* messages in flight */
    uint64_t big_tickets;  /* tickets already in the big store, 0: skip */
    const char *big_store; /* where the big store is kept, or NULL */
    double seconds;        /* length of each latency run */
    bool quick;            /* CI smoke run */
    bool time_limits;      /* also the calendar's runs */
} bench__ingest_options_t;

/* The encoded stream (bench_ingest_send.c). */
typedef struct {
    proto_event_t *events; /* for SQLite */
    size_t count;          /* events */
    uint8_t **payloads;    /* EventBatch frames */
    size_t *sizes;         /* their sizes */
    size_t *counts;        /* their event counts */
    size_t batches;        /* frames */
} bench__ingest_stream_t;

#define BENCH_BARE_RECORDS 1000 /* records of a bare commit's second kind */
#define BENCH_LATENCY_RUNS 3    /* hotline-bench ingest's latency runs */

/* The acknowledgement latency at one offered rate. */
typedef struct {
    int rate;      /* events/s offered */
    bool unsynced; /* the daemon ran with unsafe_no_sync = yes */
    double p50;    /* send -> acknowledgement, ms */
    double p99;    /* ... */
    double p999;   /* ... */
    /* Where it went, from the daemon's histograms: applying a group and
       committing it (mean, and the bucket bound of the p99), and the mean
       events per commit. */
    double apply_mean, apply_p99, commit_mean, commit_p99, per_commit;
    double settle_mean, settle_p99; /* of apply: explain's drill-down */
    double daemon_mean, daemon_p99; /* receipt -> ack inside hotlined */
} bench__ingest_latency_t;

/* What one run of hotline-bench ingest measures, filled step by step;
   bench_ingest.c sets it up, prints it and frees it. */
typedef struct {
    proto_unit_t *units;            /* the registry every daemon imports */
    char big_data[512];             /* the big store's LMDB directory */
    char quick_dir[64];             /* --quick's temporary big store, or "" */
    bench__ingest_stream_t stream;  /* the current round's stream */
    bench__ingest_stream_t limited; /* ... with time limits (--time-limits) */
    uint64_t events_total;          /* events per round */
    double *raw;                    /* per round, events/s: raw ZeroMQ */
    double *empty;                  /* ... hotlined, empty store */
    double *big;                    /* ... hotlined, big store */
    double *sqlite;                 /* ... SQLite */
    double *lmdb;                   /* ... the same operations, LMDB alone */
    double *writes;                 /* ... its writes alone */
    double *machine;                /* ... the state machine in-process */
    bench_tape_tally_t tally;       /* the store operations of the last
                                       round's batches, by table */
    double *per_commit;             /* per round: events per hotlined commit */
    double *written_empty; /* per round: bytes hotlined wrote per event */
    double *written_big;   /* ... big store */
    double *apply_empty;   /* per round: a group's mean apply (ms) */
    double *commit_empty;  /* ... and commit */
    double *apply_big;     /* ... big store */
    double *commit_big;
    /* Per round, figure and calendar run (--time-limits). */
    double (*cal)[BENCH_INGEST_CAL_FIGURES][BENCH_INGEST_CAL_RUNS];
    long anon_empty;      /* peak RssAnon of hotlined, kB: empty store */
    long anon_big;        /* ... big store */
    long file_big;        /* RssFile after the big store run, kB */
    double store_bytes;   /* the last empty store's bytes */
    double store_events;  /* ... and events */
    double big_bytes;     /* the big store's bytes */
    double big_events;    /* ... and events */
    char replay_dir[256]; /* the last empty store, kept for the replay */
    /* At 1,000 and 10,000 events/s, then 10,000 again with the commits
       not synced (unsafe_no_sync): what the syncs cost. */
    bench__ingest_latency_t latency[BENCH_LATENCY_RUNS];
    /* The floor under any acknowledgement: bare LMDB commits on the same
       disk, of one record and of BENCH_BARE_RECORDS random ones, ms. */
    double bare_one[2], bare_many[2]; /* p50, p99 */
    double replay_rate;               /* events/s */
    uint64_t replay_events;           /* events replayed */
    double replay_floor;              /* its store work in LMDB alone, ev/s */
    double replay_writes;             /* ... its writes alone, ev/s */
} bench__ingest_run_t;

/* Generates the timed stream with ids starting with prefix (with time
   limits instead of due_at when `limits`) and encodes it into frames of
   opt->batch events. Returns 0, or -1 (out of memory: free s all the
   same). */
int bench__ingest_stream_make (const bench__ingest_options_t *opt,
                               const char *prefix, bool limits,
                               bench__ingest_stream_t *s);
/* Frees what s holds and zeroes it; an all-zero s is empty. */
void bench__ingest_stream_free (bench__ingest_stream_t *s);
/* A DEALER connected to endpoint (60 s receive timeout), or NULL. */
zsock_t *bench__ingest_dealer (const char *endpoint);
/* Sends every frame, `window` in flight, to hotlined or the raw receiver
   alike; returns events/s from the first send to the last
   acknowledgement, or -1 (with a line on stderr naming `what`). With
   `sample` (a pid, or 0) the peak of its anonymous memory goes to
   *anon_peak. */
double bench__ingest_blast (const char *endpoint,
                            const bench__ingest_stream_t *s, size_t window,
                            const char *what, pid_t sample, long *anon_peak);
/* Fills the big store `data` (under dir) unless a previous run left it
   complete. Returns 0 or -1. */
int bench__ingest_big_fill (const bench__ingest_options_t *opt, const char *dir,
                            const char *data);
/* Round r (0-based): fresh streams, then the raw, empty, calendar (when
   opt->time_limits), big (when opt->big_tickets) and SQLite runs, and
   the round's lines. Returns 0, or -1 when one failed. */
int bench__ingest_round (const bench__ingest_options_t *opt,
                         bench__ingest_run_t *run, int r);
/* The acknowledgement latency at 1,000 and 10,000 events/s, each on a
   fresh daemon, into run->latency. Returns 0 or -1. */
int bench__ingest_latency (const bench__ingest_options_t *opt,
                           bench__ingest_run_t *run);

#endif
