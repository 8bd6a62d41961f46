/*  bench_tape: a store's write transactions recorded through its tap
    (store.h) and played again elsewhere.

    A tape holds every operation the store's write transactions made, in
    order: each point read and cursor step (as a read of the key it
    reached), each put (the summed counter records written at commit
    included), each delete, each table cleared, with their keys and the
    values put. bench_baseline.c plays a tape into SQLite; here it is
    played into another hotline store, through the store's own calls:
    LMDB alone doing the very reads and writes the state machine made,
    without the state machine.

    Errors: functions return 0 or -1 with the reason in err (256 bytes).

    Thread rules: a tape is filled by the thread that holds the store's
    write transaction (the tap runs inside it) and played by one thread at
    a time. */
#ifndef BENCH_TAPE_H_INCLUDED
#define BENCH_TAPE_H_INCLUDED

#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *bytes;              /* operations back to back, owned */
    size_t used;                 /* bytes used */
    size_t cap;                  /* bytes allocated */
    uint64_t ops[STORE_TAP_OPS]; /* operations taped, by kind */
    bool out_of_memory;          /* an operation was lost */
} bench_tape_t;

/* What tapes held, by table, summed over as many as the caller adds. */
typedef struct {
    uint64_t ops[STORE_TABLE_COUNT][STORE_TAP_OPS]; /* operations */
    uint64_t bytes[STORE_TABLE_COUNT]; /* bytes of keys and values put */
} bench_tape_tally_t;

/* Adds what the tape holds to *tally. */
void bench_tape_tally (const bench_tape_t *tape, bench_tape_tally_t *tally);

/* One operation of a tape; key and value point into the tape. */
typedef struct {
    store_tap_op_t op;    /* what it was */
    store_table_t table;  /* on which table */
    const uint8_t *key;   /* its key (a read at a cursor's end: none) */
    size_t key_size;      /* bytes of key */
    const uint8_t *value; /* a put's value */
    size_t size;          /* bytes of value */
} bench_tape_op_t;

/* The tap: store_set_tap (store, bench_tape_record, &tape). */
void bench_tape_record (void *arg, store_tap_op_t op, store_table_t table,
                        const void *key, size_t key_size, const void *value,
                        size_t size);

/* Empties the tape (keeping its memory). */
void bench_tape_reset (bench_tape_t *tape);

/* Frees the tape's memory; the tape is empty after. */
void bench_tape_free (bench_tape_t *tape);

/* The operation at *at (0 to begin), moving *at past it: true, or false
   at the tape's end. */
bool bench_tape_next (const bench_tape_t *tape, size_t *at,
                      bench_tape_op_t *op);

/* Plays the tape into `store` in one write transaction and commits it: a
   read as store_get (into a buffer, as the state machine reads; absent
   is absent there too), a put as store_put (a log entry as
   store_put_append, as the store appends it; a record of the same size
   is overwritten in place by LMDB either way), a delete as store_del, a
   clear as store_clear. A cursor's step is played as a point read of
   the key it reached, which costs LMDB a descent where the cursor moved
   along its page: what the reads cost here is an upper bound. Without
   `reads` only the writes are played: the work no design that keeps
   these records can avoid, a strict floor. */
int bench_tape_play (const bench_tape_t *tape, store_t *store, bool reads,
                     char *err);

/* 0 when `a` holds exactly what `b` holds, every table; -1 with the
   first table that differs in err, named after `what`. */
int bench_stores_same (store_t *a, store_t *b, const char *what, char *err);

#endif
