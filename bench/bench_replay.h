/*  bench_replay: the rate of `hotline replay` (state_rebuild), measured
    in-process on a store built elsewhere.

    The caller builds the store (a daemon fed a stream, or the state
    machine driven directly) and closes it; this rebuilds every
    aggregate of it from its event log on the event clock, as
    `hotline replay --clock event` does, and reports the rate.

    Thread rules: one call at a time per directory; it takes the data
    directory's lock (<dir>/hotlined.lock), so it fails while a daemon or
    a replay is using the directory. */
#ifndef BENCH_REPLAY_H_INCLUDED
#define BENCH_REPLAY_H_INCLUDED

#include <stdint.h>

/* Rebuilds the store in `dir` and sets *events (log events walked,
   refused ones included), *seconds (wall time of the rebuild, opening
   the store excluded) and *events_per_second. Returns 0, or -1 with the
   reason on stderr. Any output pointer may be NULL. */
int bench_replay_store (const char *dir, double *events_per_second,
                        uint64_t *events, double *seconds);

/* The floors under that rate: the store in `dir` rebuilt again with its
   tap recording (bench_tape.h), and after each of the rebuild's commits
   the very reads and writes it made played into a copy of the store as
   it was, and its writes alone into another (`dir`.floor0 and
   .floor1, fsync'd commits of the same events, removed after): LMDB
   alone doing the rebuild's store work, and the part of it no design
   keeping these records can avoid. Sets *all_per_second and
   *writes_per_second to the log events walked over each copy's plays'
   time. Both copies must end equal to the rebuilt store, table by
   table. Returns 0, or -1 with the reason on stderr. */
int bench_replay_floor (const char *dir, double *all_per_second,
                        double *writes_per_second);

#endif
