/*  bench_daemon: the real hotlined, run by a benchmark (bench_daemon.h). */
#include "bench_daemon.h"
#include "client.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <czmq.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int64_t
bench_now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double
bench_percentile (const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

void
bench_sort (double *values, size_t n)
{
    qsort (values, n, sizeof (double), s_compare);
}

double
bench_median (double *values, size_t n)
{
    bench_sort (values, n);
    return bench_percentile (values, n, 0.5);
}

/* The HTTP address the daemon logged (the web starts after the query
   endpoint answers: up to 5 s). */
static void
s_read_http (bench_daemon_t *d, const char *log)
{
    const char *mark = "web: listening on ";
    for (int i = 0; i < 100 && !*d->http; i++) {
        FILE *f = fopen (log, "r");
        char line[512];
        while (f && fgets (line, sizeof (line), f)) {
            const char *at = strstr (line, mark);
            if (at)
                sscanf (at + strlen (mark), "%127s", d->http);
        }
        if (f)
            fclose (f);
        if (!*d->http)
            zclock_sleep (50);
    }
}

int
bench_daemon_start (bench_daemon_t *d, const char *binary, const char *dir,
                    const char *data, const char *extra)
{
    memset (d, 0, sizeof (*d));
    if (!binary)
        binary = HOTLINED_BIN;
    if (dir)
        snprintf (d->dir, sizeof (d->dir), "%s", dir);
    else {
        snprintf (d->dir, sizeof (d->dir), "/tmp/hotline-bench-XXXXXX");
        if (!mkdtemp (d->dir)) {
            perror ("bench: mkdtemp");
            d->dir[0] = 0;
            return -1;
        }
        d->temporary = true;
    }
    if (data)
        snprintf (d->data, sizeof (d->data), "%s", data);
    else
        snprintf (d->data, sizeof (d->data), "%s/data", d->dir);
    snprintf (d->config, sizeof (d->config), "%s/hotline.cfg", d->dir);
    snprintf (d->ingest, sizeof (d->ingest), "ipc://%s/ingest", d->dir);
    snprintf (d->publish, sizeof (d->publish), "ipc://%s/publish", d->dir);
    snprintf (d->query, sizeof (d->query), "ipc://%s/query", d->dir);
    snprintf (d->snapshot, sizeof (d->snapshot), "ipc://%s/snapshot", d->dir);
    FILE *f = fopen (d->config, "w");
    if (!f) {
        fprintf (stderr, "bench: cannot write %s: %s\n", d->config,
                 strerror (errno));
        return -1;
    }
    fprintf (f,
             "hotline\n"
             "    data = %s\n"
             "    clock = event\n"
             "    ingest = %s\n"
             "    publish = %s\n"
             "    query = %s\n"
             "    snapshot = %s\n"
             "    heartbeat_ms = 100\n"
             "    http = 127.0.0.1:0\n"
             "%s",
             d->data, d->ingest, d->publish, d->query, d->snapshot,
             extra ? extra : "");
    fclose (f);
    char log[300];
    snprintf (log, sizeof (log), "%s/daemon.log", d->dir);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_addopen (&actions, 1, log,
                                      O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2 (&actions, 1, 2);
    char *argv[] = {(char *)binary, (char *)"--config", d->config, NULL};
    int rc = posix_spawn (&d->pid, binary, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy (&actions);
    if (rc != 0) {
        fprintf (stderr, "bench: cannot start %s: %s\n", binary, strerror (rc));
        d->pid = 0;
        return -1;
    }
    /* Ready when the query endpoint answers. A big store may take a
       while to open: up to 60 tries of 500 ms. */
    proto_query_t q = {.kind = PROTO_QUERY_STATS};
    for (int i = 0; i < 60 && !zsys_interrupted; i++) {
        char *json = NULL, err[256];
        if (client_query (d->query, &q, 500, &json, err) == 0) {
            free (json);
            s_read_http (d, log);
            return 0;
        }
        int status;
        if (waitpid (d->pid, &status, WNOHANG) == d->pid) {
            d->pid = 0;
            break;
        }
    }
    /* The directory goes with the run: say what the daemon said. */
    fprintf (stderr, "bench: hotlined did not come up; its log (%s) ends:\n",
             log);
    FILE *said = fopen (log, "r");
    char line[512];
    while (said && fgets (line, sizeof (line), said))
        fprintf (stderr, "  %s", line);
    if (said)
        fclose (said);
    return -1;
}

/* Says how the daemon ended and what its log ends with (the last
   LOG_TAIL lines): the directory may go with the run, and a sanitizer's
   report or a fatal error is only there. */
#define LOG_TAIL 40
static void
s_say_end (const bench_daemon_t *d, const char *when, int status)
{
    if (WIFEXITED (status))
        fprintf (stderr, "bench: hotlined %s with exit status %d", when,
                 WEXITSTATUS (status));
    else if (WIFSIGNALED (status))
        fprintf (stderr, "bench: hotlined %s, killed by signal %d", when,
                 WTERMSIG (status));
    char log[300];
    snprintf (log, sizeof (log), "%s/daemon.log", d->dir);
    fprintf (stderr, "; its log (%s) ends:\n", log);
    FILE *said = fopen (log, "r");
    char lines[LOG_TAIL][512];
    size_t count = 0;
    while (said && fgets (lines[count % LOG_TAIL], sizeof (lines[0]), said))
        count++;
    if (said)
        fclose (said);
    for (size_t i = count > LOG_TAIL ? count - LOG_TAIL : 0; i < count; i++)
        fprintf (stderr, "  %s", lines[i % LOG_TAIL]);
}

void
bench_daemon_stop (bench_daemon_t *d)
{
    if (d->pid > 0) {
        int status = 0;
        /* Ended by itself (a crash, a sanitizer's abort): say so. */
        if (waitpid (d->pid, &status, WNOHANG) == d->pid) {
            s_say_end (d, "had ended before the bench stopped it", status);
            d->pid = 0;
        }
    }
    if (d->pid > 0) {
        kill (d->pid, SIGTERM);
        int status = 0;
        int64_t give_up = bench_now_ns () + 30000000000LL;
        while (waitpid (d->pid, &status, WNOHANG) == 0) {
            if (bench_now_ns () > give_up) {
                fprintf (stderr, "bench: hotlined ignored SIGTERM\n");
                kill (d->pid, SIGKILL);
                waitpid (d->pid, &status, 0);
                break;
            }
            struct timespec pause = {0, 10000000};
            nanosleep (&pause, NULL);
        }
        if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
            s_say_end (d, "stopped badly", status);
        d->pid = 0;
    }
    if (d->temporary && getenv ("HOTLINE_KEEP_BENCH_DIRS"))
        fprintf (stderr, "bench: kept %s\n", d->dir);
    else if (d->temporary) {
        char command[300];
        snprintf (command, sizeof (command), "rm -rf '%s'", d->dir);
        if (system (command) != 0)
            fprintf (stderr, "bench: could not remove %s\n", d->dir);
    }
    d->temporary = false;
}

/* The daemon's stats as a parsed document, or NULL (said on stderr). */
static cJSON *
s_stats (const bench_daemon_t *d)
{
    proto_query_t q = {.kind = PROTO_QUERY_STATS};
    char *json = NULL, err[256];
    if (client_query (d->query, &q, 10000, &json, err) != 0) {
        fprintf (stderr, "bench: stats: %s\n", err);
        return NULL;
    }
    cJSON *doc = cJSON_Parse (json);
    free (json);
    return doc;
}

double
bench_daemon_stat (const bench_daemon_t *d, const char *name)
{
    cJSON *doc = s_stats (d);
    if (!doc)
        return -1;
    const cJSON *value = cJSON_GetObjectItem (doc, name);
    double result = cJSON_IsNumber (value) ? value->valuedouble : -1;
    cJSON_Delete (doc);
    return result;
}

/* A histogram's observations and their sum. Returns 0, or -1 when the
   node is not a histogram. */
static int
s_histogram_total (const cJSON *h, double *count, double *sum)
{
    const cJSON *n = cJSON_GetObjectItem (h, "count");
    const cJSON *s = cJSON_GetObjectItem (h, "sum");
    if (!cJSON_IsNumber (n) || !cJSON_IsNumber (s))
        return -1;
    *count = n->valuedouble;
    *sum = s->valuedouble;
    return 0;
}

int
bench_daemon_histogram (const bench_daemon_t *d, const char *name,
                        double *mean_ms, double *p99_ms)
{
    cJSON *doc = s_stats (d);
    if (!doc)
        return -1;
    const cJSON *h = cJSON_GetObjectItem (doc, name);
    const cJSON *le = cJSON_GetObjectItem (h, "le");
    const cJSON *counts = cJSON_GetObjectItem (h, "counts");
    double count = 0, sum = 0;
    int rc = -1;
    if (s_histogram_total (h, &count, &sum) == 0 && cJSON_IsArray (le) &&
        cJSON_IsArray (counts) && count > 0) {
        *mean_ms = sum / count * 1000;
        *p99_ms = INFINITY; /* past the last bound: printed "inf" */
        /* The counts are cumulative, as Prometheus's. */
        for (int i = 0; i < cJSON_GetArraySize (le); i++)
            if (cJSON_GetNumberValue (cJSON_GetArrayItem (counts, i)) >=
                0.99 * count) {
                *p99_ms =
                    cJSON_GetNumberValue (cJSON_GetArrayItem (le, i)) * 1000;
                break;
            }
        rc = 0;
    }
    cJSON_Delete (doc);
    return rc;
}

int
bench_daemon_histogram_total (const bench_daemon_t *d, const char *name,
                              double *count, double *sum)
{
    cJSON *doc = s_stats (d);
    if (!doc)
        return -1;
    int rc = s_histogram_total (cJSON_GetObjectItem (doc, name), count, sum);
    cJSON_Delete (doc);
    return rc;
}

int
bench_daemon_import (const bench_daemon_t *d, const proto_unit_t *units,
                     size_t count)
{
    proto_query_t q = {.kind = PROTO_QUERY_UNITS_IMPORT};
    q.unit_count = count;
    q.units = (proto_unit_t *)units;
    char *json = NULL, err[256];
    int rc = client_query (d->query, &q, 60000, &json, err);
    if (rc != 0)
        fprintf (stderr, "bench: units import: %s\n", err);
    free (json);
    return rc;
}

double
bench_proc_cpu (pid_t pid)
{
    char path[64], text[1024];
    snprintf (path, sizeof (path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen (path, "r");
    size_t n = f ? fread (text, 1, sizeof (text) - 1, f) : 0;
    if (f)
        fclose (f);
    text[n] = 0;
    /* The command name may hold spaces: fields count from its ')'. */
    const char *p = strrchr (text, ')');
    unsigned long utime, stime;
    if (!p ||
        sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / (double)sysconf (_SC_CLK_TCK);
}

double
bench_proc_written (pid_t pid)
{
    char path[64], line[256];
    snprintf (path, sizeof (path), "/proc/%d/io", (int)pid);
    FILE *f = fopen (path, "r");
    if (!f)
        return -1;
    double written = -1;
    unsigned long long value;
    while (fgets (line, sizeof (line), f))
        if (sscanf (line, "wchar: %llu", &value) == 1)
            written = (double)value;
    fclose (f);
    return written;
}

int
bench_proc_memory (pid_t pid, long *anon_kb, long *file_kb, long *hwm_kb)
{
    char path[64], line[256];
    snprintf (path, sizeof (path), "/proc/%d/status", (int)pid);
    FILE *f = fopen (path, "r");
    if (!f)
        return -1;
    *anon_kb = *file_kb = *hwm_kb = 0;
    while (fgets (line, sizeof (line), f)) {
        sscanf (line, "RssAnon: %ld", anon_kb);
        sscanf (line, "RssFile: %ld", file_kb);
        sscanf (line, "VmHWM: %ld", hwm_kb);
    }
    fclose (f);
    return 0;
}
