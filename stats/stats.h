/*  stats: the daemon's counters, shared by its actors.

    One block owned by main () and handed to every actor by pointer; each
    field is atomic so actors update it without locks and `hotline stats`
    reads a consistent-enough snapshot. Counts since the daemon started.
    A plain header: every actor may include it. */
#ifndef STATS_H_INCLUDED
#define STATS_H_INCLUDED

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* A histogram: observations counted in buckets by upper bound (the
   bounds are the kind's: stats_latency_bound, stats_batch_bound), the
   last bucket above every bound, and the sum of the values. */
#define STATS_BUCKETS 12
typedef struct {
    _Atomic uint64_t counts[STATS_BUCKETS + 1]; /* per bucket, not summed */
    _Atomic uint64_t sum;                       /* of every value observed */
} stats_histogram_t;

/* Upper bounds of the acknowledgement-latency buckets, in microseconds. */
static inline uint64_t
stats_latency_bound (int bucket)
{
    static const uint64_t bounds[STATS_BUCKETS] = {
        500,   1000,   2000,   5000,   10000,   20000,
        50000, 100000, 200000, 500000, 1000000, 5000000};
    return bounds[bucket];
}

/* Upper bounds of the events-per-commit buckets. */
static inline uint64_t
stats_batch_bound (int bucket)
{
    static const uint64_t bounds[STATS_BUCKETS] = {
        1, 5, 10, 50, 100, 250, 500, 1000, 2000, 4096, 10000, 50000};
    return bounds[bucket];
}

/* Counts one value in the bucket of the first bound not below it. */
static inline void
stats_observe (stats_histogram_t *h, uint64_t (*bound) (int), uint64_t value)
{
    int b = 0;
    while (b < STATS_BUCKETS && value > bound (b))
        b++;
    atomic_fetch_add (&h->counts[b], 1);
    atomic_fetch_add (&h->sum, value);
}

typedef struct {
    _Atomic uint64_t events_stored;      /* events committed */
    _Atomic uint64_t events_duplicate;   /* events whose event_id was known */
    _Atomic uint64_t events_rejected;    /* events refused by the daemon */
    _Atomic uint64_t client_rejected;    /* lines refused by the sender */
    _Atomic uint64_t batches_committed;  /* write transactions committed */
    _Atomic uint64_t batches_failed;     /* write transactions aborted */
    _Atomic uint64_t bad_messages;       /* undecodable or malformed frames */
    _Atomic uint64_t queries;            /* query requests answered */
    _Atomic uint64_t published;          /* messages published */
    _Atomic uint64_t rejected_by[16];    /* per state_reject_t class */
    _Atomic uint64_t batches_held;       /* refused: an earlier batch of the
                                            same sender was not stored */
    stats_histogram_t ack_latency;       /* frame received -> ack sent, us */
    stats_histogram_t commit_events;     /* events per committed group */
    stats_histogram_t apply_time;        /* a group applied in its write
                                            transaction, before the commit,
                                            us */
    stats_histogram_t settle_time;       /* the part of apply_time spent
                                            settling explain's drill-down
                                            index (a slice of its changes
                                            applied, or its pending changes
                                            moved; not the events' own
                                            appends to it), us */
    stats_histogram_t commit_time;       /* the commit itself: pages written
                                            and synced to disk, us */
    _Atomic uint64_t publisher_sequence; /* last sequence number published */
    _Atomic uint64_t live_clients;       /* HTTP live (SSE) clients now */
    _Atomic uint64_t live_feed_received; /* messages the web's subscriber
                                            took from the publisher */
    _Atomic bool store_refusing; /* the last commit failed (store full...) */
    /* Reports as of a moment (asof.h), kept by the query's as-of worker: */
    _Atomic uint64_t asof_reports;          /* answered from kept replays */
    _Atomic uint64_t asof_events_applied;   /* events they applied */
    _Atomic uint64_t asof_replayed_to;      /* log position of the head */
    _Atomic uint64_t asof_checkpoints;      /* checkpoints kept now */
    _Atomic uint64_t asof_checkpoint_bytes; /* and their bytes */
    _Atomic uint64_t asof_spacing;          /* events between them now */
    _Atomic uint64_t asof_late_events;      /* late events known */
} stats_t;

#endif
