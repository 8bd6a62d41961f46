/*  bench_gen: the benchmark's event stream, generated as it is consumed.

    A realistic mix for N units: tickets are issued in time order (ids
    T<prefix><12-digit number>, so ticket keys grow with time as a real
    platform's do), each lives a few days and has about four events (3.9 on
   average): received, contacted, sometimes returned (and then received again by
    another unit) or extended, closed (most on time), revisited, and now
    and then a rework (revisit asking for it, reopened, closed again).
    Event ids are E<prefix><12-digit number> in issue order. The stream is
    sorted by occurred_at and deterministic for a seed.

    Memory is bounded by the tickets alive at once, not by the stream: a
    ten-million-ticket store can be filled without holding it.

    Thread rules: a generator belongs to one thread. */
#ifndef BENCH_GEN_H_INCLUDED
#define BENCH_GEN_H_INCLUDED

#include "proto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int units;          /* units U0001..U<units> (1..99999) */
    uint64_t tickets;   /* tickets to issue */
    int64_t start;      /* ms: the first receipt */
    int64_t span_ms;    /* receipts are spread evenly over this */
    uint64_t seed;      /* same seed, same stream */
    const char *prefix; /* distinguishes ids of separate streams ("" ok) */
    bool time_limits;   /* received, extended and reopened carry a time
                           limit in working days ("3wd": the same number
                           of days as the deadline) instead of due_at, so
                           that the daemon derives every deadline from
                           its calendar */
} bench_gen_options_t;

typedef struct _bench_gen_t bench_gen_t;

bench_gen_t *bench_gen_new (const bench_gen_options_t *options);
void bench_gen_destroy (bench_gen_t **self_p);

/* Writes the next event into *event. Returns false at the end. */
bool bench_gen_next (bench_gen_t *self, proto_event_t *event);

/* Events produced so far, and tickets issued so far. */
uint64_t bench_gen_events (const bench_gen_t *self);
uint64_t bench_gen_tickets (const bench_gen_t *self);

/* Generates the whole stream into a malloc'd array (for streams that fit
   in memory: an event is about 1 KiB). Returns NULL when out of memory. */
proto_event_t *bench_gen_all (const bench_gen_options_t *options,
                              size_t *count);

/* The units registry of a stream: U0001.. with names and group "town"
   (every tenth "dept"). Returns a malloc'd array of `units` entries. */
proto_unit_t *bench_gen_units (int units);

/* ms since the epoch of 2025-07-01T00:00+08:00, the default month. */
#define BENCH_JULY_2025 1751299200000LL

#endif
