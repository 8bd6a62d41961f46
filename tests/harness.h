/*  harness: run the real hotlined and hotline binaries from tests.

    Each harness owns a fresh temporary directory holding the daemon's
    configuration (ipc:// endpoints inside the directory, and HTTP on
    127.0.0.1:0, so tests never share ports), its LMDB data and the files
    a test writes. */
#ifndef HARNESS_H_INCLUDED
#define HARNESS_H_INCLUDED

#include "proto.h"

#include <czmq.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct {
    char dir[256];      /* the temporary directory */
    char config[300];   /* its hotline.cfg */
    char ingest[300];   /* endpoints, as in the configuration */
    char publish[300];  /* ... */
    char query[300];    /* ... */
    char snapshot[300]; /* ... */
    pid_t daemon;       /* running hotlined, or 0 */
    long log_start;     /* daemon.log's size when it was last started */
} harness_t;

/* Creates the directory and configuration (clock: "event" or "wall"). */
void harness_init (harness_t *h, const char *clock);
/* Adds "key = value" to the daemon's configuration (before start). */
void harness_set (harness_t *h, const char *key, const char *value);
/* Stops the daemon if running and removes the directory. */
void harness_fini (harness_t *h);

/* Starts hotlined and waits (polling its query endpoint with a timeout)
   until it answers. Returns false when it did not come up. */
bool harness_start (harness_t *h);
/* The daemon's HTTP address as it logged it ("http://127.0.0.1:PORT",
   no trailing slash) into url (128 bytes), waiting up to 5 s for the
   line. Returns false when the daemon did not log one. */
bool harness_http (harness_t *h, char *url);
/* SIGKILL and wait: a crash at an arbitrary moment. */
void harness_kill (harness_t *h);
/* SIGTERM and wait; returns the daemon's exit status. */
int harness_stop (harness_t *h);

/* Runs a shell command line in the harness directory with HOTLINE,
   HOTLINED, SYNTH and CFG set in its environment. Captures stdout and
   stderr (either may be NULL) into malloc'd strings. Returns the exit
   status. */
int harness_run (harness_t *h, char **out, char **err, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

/* Starts a shell command line like harness_run, in the background;
   returns its pid (stdout and stderr to NAME.out and NAME.err). */
pid_t harness_spawn (harness_t *h, const char *name, const char *command);
/* Waits for a spawned command; returns its exit status. */
int harness_wait (pid_t pid);

/* Path of a file in the harness directory (static buffer per call site
   is not needed: writes into buf of 512 bytes and returns it). */
char *harness_path (const harness_t *h, const char *name, char *buf);

/* Reads a whole file; NULL when it cannot. */
char *harness_slurp (const char *path);
/* Writes `text` to the file NAME in the harness directory. Returns 0, or
   -1 when it cannot. */
int harness_write (const harness_t *h, const char *name, const char *text);

/* SIGTERM, then waits at most limit_ms for the daemon to exit. Returns
   its exit status and the time it took in *elapsed_ms; -1 when it was
   still running at the limit (it is then killed with SIGKILL). */
int harness_stop_within (harness_t *h, int limit_ms, int *elapsed_ms);

/* One number of `hotline stats`: key, or key.sub when sub is not NULL;
   NAN when the query fails or the number is absent. */
double harness_stat (harness_t *h, const char *key, const char *sub);

/* Every report a month's data gives: the JSON reports of the monthly
   rulesets for `month` and of the quarterly one for `quarter`, one after
   the other (malloc'd; the caller frees). Byte-compared between runs. */
char *harness_reports (harness_t *h, const char *month, const char *quarter);

/* The reports of a clean run of the month in `from`'s directory
   (units.csv, events.jsonl): a daemon of its own on the event clock with
   the default configuration, the month sent once. As harness_reports. */
char *harness_clean_reports (const harness_t *from, const char *month,
                             const char *quarter);

/* Sends one frame (taken) on `sock` and waits up to timeout_ms for the
   answer, a QueryReply when `query`, else a BatchAck. Writes into said
   (256 bytes) "" when none came (the frame was dropped), "ok" for a
   committed batch or an answered query, else the refusal's text. For a
   batch, `ack` (may be NULL) keeps the decoded acknowledgement (free it
   with proto_batch_ack_free; zeroed when none). */
void harness_exchange (zsock_t *sock, zframe_t **frame, bool query,
                       int timeout_ms, char *said, proto_batch_ack_t *ack);

/* The running daemon's peak resident memory (VmHWM) in KiB, or -1. */
long harness_peak_kib (const harness_t *h);

/* Writes hotline-gen's month (`hotline-gen --scale SCALE --seed SEED`)
   into units.csv and events.jsonl of the harness directory. Returns the
   events' lines, or -1. */
long harness_month (harness_t *h, int scale, int seed);

/* Lines in a file of the harness directory, or -1. */
long harness_lines (harness_t *h, const char *name);

#endif
