/*  harness: see harness.h. Paths of the binaries come from CMake as
    HOTLINED_BIN, HOTLINE_BIN and SYNTH_BIN. */
#include "harness.h"

#include "client.h"
#include "testutil.h"

#include <cjson/cJSON.h>
#include <czmq.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void
harness_init (harness_t *h, const char *clock)
{
    memset (h, 0, sizeof (*h));
    snprintf (h->dir, sizeof (h->dir), "/tmp/hotline-test-XXXXXX");
    if (!mkdtemp (h->dir)) {
        perror ("mkdtemp");
        abort ();
    }
    snprintf (h->config, sizeof (h->config), "%s/hotline.cfg", h->dir);
    snprintf (h->ingest, sizeof (h->ingest), "ipc://%s/ingest", h->dir);
    snprintf (h->publish, sizeof (h->publish), "ipc://%s/publish", h->dir);
    snprintf (h->query, sizeof (h->query), "ipc://%s/query", h->dir);
    snprintf (h->snapshot, sizeof (h->snapshot), "ipc://%s/snapshot", h->dir);
    FILE *f = fopen (h->config, "w");
    fprintf (f,
             "hotline\n"
             "    data = %s/data\n"
             "    clock = %s\n"
             "    ingest = %s\n"
             "    publish = %s\n"
             "    query = %s\n"
             "    snapshot = %s\n"
             "    http = 127.0.0.1:0\n",
             h->dir, clock, h->ingest, h->publish, h->query, h->snapshot);
    fclose (f);
}

void
harness_set (harness_t *h, const char *key, const char *value)
{
    /* The hotline section is the file's last: an indented line joins it. */
    FILE *f = fopen (h->config, "a");
    fprintf (f, "    %s = \"%s\"\n", key, value);
    fclose (f);
}

bool
harness_start (harness_t *h)
{
    char log[300];
    snprintf (log, sizeof (log), "%s/daemon.log", h->dir);
    /* A restarted daemon appends: what it logs starts here. */
    struct stat st;
    h->log_start = stat (log, &st) == 0 ? (long)st.st_size : 0;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_addopen (&actions, 1, log,
                                      O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2 (&actions, 1, 2);
    char *argv[] = {(char *)HOTLINED_BIN, (char *)"--config", h->config, NULL};
    int rc =
        posix_spawn (&h->daemon, HOTLINED_BIN, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy (&actions);
    if (rc != 0) {
        h->daemon = 0;
        return false;
    }
    /* Ready when the query endpoint answers; each try waits at most
       200 ms for the reply, 50 tries in all. */
    proto_query_t q = {.kind = PROTO_QUERY_STATS};
    for (int i = 0; i < 50; i++) {
        char *json = NULL, err[256];
        if (client_query (h->query, &q, 200, &json, err) == 0) {
            free (json);
            return true;
        }
        int status;
        if (waitpid (h->daemon, &status, WNOHANG) == h->daemon) {
            h->daemon = 0;
            return false;
        }
    }
    return false;
}

bool
harness_http (harness_t *h, char *url)
{
    char log[512];
    harness_path (h, "daemon.log", log);
    const char *mark = "web: listening on ";
    for (int i = 0; i < 100; i++) {
        char *text = harness_slurp (log);
        /* This run's: a restarted daemon appends to the log of the last,
           whose port is not this one's. */
        const char *at = text && (long)strlen (text) >= h->log_start
                             ? strstr (text + h->log_start, mark)
                             : NULL;
        if (at) {
            at += strlen (mark);
            size_t len = strcspn (at, " \n");
            if (len > 0 && at[len - 1] == '/')
                len--;
            snprintf (url, 128, "%.*s", (int)len, at);
            free (text);
            return true;
        }
        free (text);
        zclock_sleep (50);
    }
    return false;
}

void
harness_kill (harness_t *h)
{
    if (!h->daemon)
        return;
    kill (h->daemon, SIGKILL);
    waitpid (h->daemon, NULL, 0);
    h->daemon = 0;
}

int
harness_stop (harness_t *h)
{
    if (!h->daemon)
        return -1;
    kill (h->daemon, SIGTERM);
    int status = 0;
    waitpid (h->daemon, &status, 0);
    h->daemon = 0;
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

void
harness_fini (harness_t *h)
{
    harness_stop (h);
    if (*h->dir && !getenv ("HOTLINE_KEEP_TEST_DIRS"))
        testutil_remove_tree (h->dir);
}

char *
harness_path (const harness_t *h, const char *name, char *buf)
{
    snprintf (buf, 512, "%s/%s", h->dir, name);
    return buf;
}

int
harness_write (const harness_t *h, const char *name, const char *text)
{
    char path[512];
    FILE *f = fopen (harness_path (h, name, path), "w");
    if (!f)
        return -1;
    int rc = fputs (text, f) < 0 ? -1 : 0;
    return fclose (f) != 0 ? -1 : rc;
}

char *
harness_slurp (const char *path)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&text, &size);
    char buf[65536];
    size_t n;
    while ((n = fread (buf, 1, sizeof (buf), f)) > 0)
        fwrite (buf, 1, n, mem);
    fclose (mem);
    fclose (f);
    return text;
}

int
harness_run (harness_t *h, char **out, char **err, const char *fmt, ...)
{
    char body[4096], command[6144], out_path[512], err_path[512];
    va_list args;
    va_start (args, fmt);
    vsnprintf (body, sizeof (body), fmt, args);
    va_end (args);
    harness_path (h, "cmd.out", out_path);
    harness_path (h, "cmd.err", err_path);
    snprintf (command, sizeof (command),
              "cd '%s' && HOTLINE='%s --config %s' HOTLINED='%s' SYNTH='%s' "
              "GEN='%s' CFG='%s' sh -c '%s' > '%s' 2> '%s'",
              h->dir, HOTLINE_BIN, h->config, HOTLINED_BIN, SYNTH_BIN, GEN_BIN,
              h->config, body, out_path, err_path);
    int status = system (command);
    if (out)
        *out = harness_slurp (out_path);
    if (err)
        *err = harness_slurp (err_path);
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

pid_t
harness_spawn (harness_t *h, const char *name, const char *command)
{
    char line[6144];
    snprintf (line, sizeof (line),
              "cd '%s' && HOTLINE='%s --config %s' exec sh -c '%s' > '%s.out' "
              "2> '%s.err'",
              h->dir, HOTLINE_BIN, h->config, command, name, name);
    char *argv[] = {(char *)"/bin/sh", (char *)"-c", line, NULL};
    pid_t pid = 0;
    if (posix_spawn (&pid, "/bin/sh", NULL, NULL, argv, environ) != 0)
        return 0;
    return pid;
}

int
harness_wait (pid_t pid)
{
    int status = 0;
    if (waitpid (pid, &status, 0) != pid)
        return -1;
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

int
harness_stop_within (harness_t *h, int limit_ms, int *elapsed_ms)
{
    *elapsed_ms = 0;
    if (!h->daemon)
        return -1;
    int64_t start = zclock_mono ();
    kill (h->daemon, SIGTERM);
    int status = 0;
    /* Polled, not a blocking wait: a daemon that hangs must fail the test,
       not the test's timeout. */
    while (waitpid (h->daemon, &status, WNOHANG) == 0) {
        if (zclock_mono () - start >= limit_ms) {
            harness_kill (h);
            *elapsed_ms = (int)(zclock_mono () - start);
            return -1;
        }
        zclock_sleep (10);
    }
    *elapsed_ms = (int)(zclock_mono () - start);
    h->daemon = 0;
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

double
harness_stat (harness_t *h, const char *key, const char *sub)
{
    char *out = NULL;
    double value = NAN;
    if (harness_run (h, &out, NULL, "$HOTLINE stats") == 0 && out) {
        cJSON *doc = cJSON_Parse (out);
        const cJSON *node = cJSON_GetObjectItem (doc, key);
        if (sub)
            node = cJSON_GetObjectItem (node, sub);
        if (cJSON_IsNumber (node))
            value = node->valuedouble;
        cJSON_Delete (doc);
    }
    free (out);
    return value;
}

char *
harness_reports (harness_t *h, const char *month, const char *quarter)
{
    static const char *monthly[] = {"jintai-2025", "jintai-2023", "furong-2022",
                                    "lianyungang-2017"};
    char *all = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&all, &size);
    for (size_t i = 0; i <= sizeof (monthly) / sizeof (monthly[0]); i++) {
        bool quarterly = i == sizeof (monthly) / sizeof (monthly[0]);
        char *out = NULL;
        int rc = harness_run (
            h, &out, NULL,
            "$HOTLINE report --ruleset %s --period %s --format json",
            quarterly ? "fufeng-2024" : monthly[i],
            quarterly ? quarter : month);
        fprintf (mem, "%s (%d): %s\n", quarterly ? "fufeng-2024" : monthly[i],
                 rc, out ? out : "");
        free (out);
    }
    fclose (mem);
    return all;
}

long
harness_peak_kib (const harness_t *h)
{
    char path[64];
    snprintf (path, sizeof (path), "/proc/%d/status", (int)h->daemon);
    char *text = h->daemon ? harness_slurp (path) : NULL;
    const char *line = text ? strstr (text, "VmHWM:") : NULL;
    long kib = line ? atol (line + 6) : -1;
    free (text);
    return kib;
}

long
harness_lines (harness_t *h, const char *name)
{
    char path[512];
    FILE *f = fopen (harness_path (h, name, path), "r");
    if (!f)
        return -1;
    long lines = 0;
    int c;
    while ((c = getc (f)) != EOF)
        lines += c == '\n';
    fclose (f);
    return lines;
}

char *
harness_clean_reports (const harness_t *from, const char *month,
                       const char *quarter)
{
    harness_t clean;
    harness_init (&clean, "event");
    char *reports = NULL;
    if (harness_start (&clean) &&
        harness_run (&clean, NULL, NULL,
                     "cp %s/units.csv %s/events.jsonl . && $HOTLINE units "
                     "import units.csv && $HOTLINE send events.jsonl",
                     from->dir, from->dir) == 0)
        reports = harness_reports (&clean, month, quarter);
    harness_fini (&clean);
    return reports;
}

void
harness_exchange (zsock_t *sock, zframe_t **frame, bool query, int timeout_ms,
                  char *said, proto_batch_ack_t *ack)
{
    if (ack)
        memset (ack, 0, sizeof (*ack));
    zframe_send (frame, sock, 0);
    zsock_set_rcvtimeo (sock, timeout_ms);
    zframe_t *reply = zframe_recv (sock);
    said[0] = 0;
    if (!reply)
        return;
    snprintf (said, 256, "undecodable answer");
    if (query) {
        bool ok = false;
        char *error = NULL, *json = NULL;
        if (proto_reply_decode (zframe_data (reply), zframe_size (reply), &ok,
                                &error, &json) == 0)
            snprintf (said, 256, "%s", ok ? "ok" : error ? error : "?");
        free (error);
        free (json);
    } else {
        proto_batch_ack_t decoded;
        char reason[PROTO_ERROR_MAX + 1];
        if (proto_batch_ack_decode (zframe_data (reply), zframe_size (reply),
                                    &decoded, reason) == 0) {
            snprintf (said, 256, "%s", decoded.ok ? "ok" : decoded.error);
            if (ack)
                *ack = decoded;
            else
                proto_batch_ack_free (&decoded);
        }
    }
    zframe_destroy (&reply);
}

long
harness_month (harness_t *h, int scale, int seed)
{
    if (harness_run (h, NULL, NULL,
                     "%s --scale %d --seed %d --units units.csv --events "
                     "events.jsonl",
                     GEN_BIN, scale, seed) != 0)
        return -1;
    return harness_lines (h, "events.jsonl");
}
