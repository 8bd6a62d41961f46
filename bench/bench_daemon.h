/*  bench_daemon: the real hotlined, run by a benchmark.

    Writes a configuration into a directory (ipc:// endpoints inside it,
    the event clock, a short heartbeat), spawns hotlined from the build
    tree, waits until its query endpoint answers, and stops it. Also reads
    the daemon's counters and memory, and imports units.

    Thread rules: one thread owns a bench_daemon_t. */
#ifndef BENCH_DAEMON_H_INCLUDED
#define BENCH_DAEMON_H_INCLUDED

#include "proto.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    char dir[200];      /* configuration, endpoints, log */
    char data[256];     /* LMDB directory */
    char config[256];   /* the configuration file */
    char ingest[256];   /* endpoints */
    char publish[256];  /* ... */
    char query[256];    /* ... */
    char snapshot[256]; /* ... */
    char http[128];     /* "http://127.0.0.1:PORT/" it logged, or "" */
    pid_t pid;          /* running hotlined, or 0 */
    bool temporary;     /* dir was made by bench_daemon_start */
} bench_daemon_t;

/* Starts hotlined: `binary`, or NULL for the build tree's. `dir` NULL
   makes a fresh /tmp directory (removed by bench_daemon_stop); `data`
   NULL puts the store in dir/data. `extra` is appended to the
   configuration ("    key = value\n" lines, or NULL). Returns 0, or -1
   with the reason on stderr. */
int bench_daemon_start (bench_daemon_t *d, const char *binary, const char *dir,
                        const char *data, const char *extra);

/* SIGTERM and wait (SIGKILL after 30 s); removes a temporary directory
   unless HOTLINE_KEEP_BENCH_DIRS is set. Safe on a daemon never started. */
void bench_daemon_stop (bench_daemon_t *d);

/* One number from `hotline stats` (e.g. "events_stored"), or -1. */
double bench_daemon_stat (const bench_daemon_t *d, const char *name);
/* One histogram of the daemon's stats (seconds): its mean and the bound
   of the bucket holding its 99th percentile, in ms (INFINITY past the
   last bound). Returns 0 or -1. */
int bench_daemon_histogram (const bench_daemon_t *d, const char *name,
                            double *mean_ms, double *p99_ms);
/* The observations of one histogram of the daemon's stats so far and
   their sum (seconds). Returns 0 or -1. */
int bench_daemon_histogram_total (const bench_daemon_t *d, const char *name,
                                  double *count, double *sum);

/* Imports units through the query endpoint. Returns 0 or -1. */
int bench_daemon_import (const bench_daemon_t *d, const proto_unit_t *units,
                         size_t count);

/* Memory of a process in kB from /proc: resident anonymous memory (its
   heap and stacks), resident file-backed memory (for hotlined, mostly
   the LMDB map: page cache, shared, reclaimable) and the peak of the two
   (VmHWM). Returns 0 or -1. */
int bench_proc_memory (pid_t pid, long *anon_kb, long *file_kb, long *hwm_kb);

/* Bytes a process has passed to write calls so far (wchar in
   /proc/PID/io): for hotlined, the pages its commits wrote, whatever the
   disk then did with them. -1 when it cannot be read. */
double bench_proc_written (pid_t pid);

/* CPU time a process has used so far (user + system), in seconds, from
   /proc; -1 when it cannot be read. Less disturbed than wall time by
   other work on a shared machine. */
double bench_proc_cpu (pid_t pid);

/* Monotonic time in ns. */
int64_t bench_now_ns (void);

/* Percentile p (0..1) of sorted values; 0 when n is 0. */
double bench_percentile (const double *sorted, size_t n, double p);

/* Sorts values in place, ascending. */
void bench_sort (double *values, size_t n);

/* Median of values (sorts them in place). */
double bench_median (double *values, size_t n);

#endif
