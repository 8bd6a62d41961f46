/*  stats: the daemon's counters, shared by its actors.

    One block owned by main () and handed to every actor by pointer; each
    field is atomic so actors update it without locks and `hotline stats`
    reads a consistent-enough snapshot. Counts since the daemon started.
    A plain header: every actor may include it. */
#ifndef STATS_H_INCLUDED
#define STATS_H_INCLUDED

#include <stdatomic.h>
#include <stdint.h>

typedef struct {
    _Atomic uint64_t events_stored;     /* events committed */
    _Atomic uint64_t events_duplicate;  /* events whose event_id was known */
    _Atomic uint64_t events_rejected;   /* events refused by the daemon */
    _Atomic uint64_t client_rejected;   /* lines refused by the sender */
    _Atomic uint64_t batches_committed; /* write transactions committed */
    _Atomic uint64_t batches_failed;    /* write transactions aborted */
    _Atomic uint64_t bad_messages;      /* undecodable or malformed frames */
    _Atomic uint64_t queries;           /* query requests answered */
    _Atomic uint64_t published;         /* messages published */
    _Atomic uint64_t rejected_by[8];    /* per state_reject_t class */
} stats_t;

#endif
