/*  hotline: the command-line client of hotlined (INTERFACES.md section 3).

    hotline units import FILE.csv
    hotline send FILE.jsonl | -
    hotline report [--ruleset ID] [--period P] [--as-of TIME] [--format F]
    hotline subscribe [--topic PREFIX] [--count N] [--timeout MS]
    hotline stats | rulesets
    hotline keygen NAME
    hotline replay [--data DIR] [--clock wall|event]
*/
#include "client.h"
#include "client_sub.h"
#include "config.h"
#include "proto.h"
#include "report_format.h"
#include "report_xlsx.h"
#include "scorer.h"

#include <czmq.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define EXIT_USAGE 2

/* Options shared by every command. */
typedef struct {
    config_t config;      /* endpoints and settings */
    const char *endpoint; /* --endpoint override, or NULL */
    int timeout_ms;       /* --timeout */
    const char *ruleset;  /* report */
    const char *period;   /* report */
    const char *as_of;    /* report */
    const char *format;   /* report */
    const char *output;   /* report: write to this file */
    const char *topic;    /* subscribe */
    long count;           /* subscribe: stop after N, 0 = never */
    bool reload;          /* rulesets: load them again first */
    const char *unit;     /* subscribe: one unit's alerts */
    const char *state;    /* subscribe: write the final state here */
    int hwm;              /* subscribe: receive high-water mark */
    int batch;            /* send: events per message */
    int window;           /* send: messages in flight */
    int ack_wait;         /* send: first wait before a resend */
    int limit;            /* rejected: how many */
    const char *data;     /* replay: data directory, or NULL */
    const char *clock;    /* replay: wall or event, or NULL */
} s_options_t;

static void
s_usage (FILE *out)
{
    fprintf (
        out,
        "usage: hotline COMMAND [options]\n"
        "\n"
        "commands:\n"
        "  units import FILE.csv   load or update the units registry\n"
        "                          (header unit_id,name,group)\n"
        "  send FILE.jsonl | -     send event lines; exits 0 only when every\n"
        "                          line was acknowledged as durably stored\n"
        "      --batch N           events per message (default 500)\n"
        "      --window N          messages awaiting acknowledgement (32)\n"
        "      --ack-wait MS       wait this long for an acknowledgement\n"
        "                          before sending a batch again (3000;\n"
        "                          doubling to 30000); --timeout is how\n"
        "                          long to keep trying (default 60000)\n"
        "  report                  the scorecard of a ruleset and period\n"
        "      --ruleset ID        default jintai-2025 (see: hotline "
        "rulesets)\n"
        "      --period P          YYYY-MM or YYYY-Qn; default: the period of\n"
        "                          the daemon's clock\n"
        "      --as-of TIME        RFC 3339; default: now\n"
        "      --format F          table (default), csv, json or xlsx\n"
        "      --output FILE       write there instead of standard output\n"
        "                          (required for xlsx)\n"
        "  subscribe               print the current scores and open alerts\n"
        "                          (a snapshot, marked \"snapshot\":true), "
        "then\n"
        "                          live updates and alerts, as JSON lines,\n"
        "                          until interrupted; re-syncs by itself if\n"
        "                          messages are lost\n"
        "      --topic PREFIX      e.g. score/jintai-2025/ or alert/ (default "
        "all)\n"
        "      --unit ID           only this unit's alerts\n"
        "      --count N           stop after N messages\n"
        "      --state FILE        at the end, write the subscriber's state\n"
        "      --hwm N             messages queued before dropping (1000)\n"
        "  stats                   the daemon's counters, as JSON\n"
        "  rejected                the events the daemon refused (dead\n"
        "                          letters): class, reason, the event line\n"
        "      --limit N           the newest N (default 100)\n"
        "  rulesets                the rulesets the daemon loaded, as JSON\n"
        "      --reload            load them again (embedded and the rulesets\n"
        "                          directory); on an error the daemon keeps\n"
        "                          the ones it had and the error names the\n"
        "                          file, line and reason\n"
        "  replay                  rebuild every aggregate (tickets, "
        "deadlines,\n"
        "                          counters, manual items, alerts, the clock)\n"
        "                          from the event log, in place, with\n"
        "                          hotlined stopped (it refuses while the\n"
        "                          daemon runs); resumes a rebuild that was\n"
        "                          interrupted; progress on stderr, a JSON\n"
        "                          summary on stdout\n"
        "      --data DIR          the data directory (default: the\n"
        "                          configuration's data)\n"
        "      --clock MODE        event: deadlines pass as event time\n"
        "                          passes; wall: the same, then the clock\n"
        "                          moves to now (default: the\n"
        "                          configuration's clock)\n"
        "  keygen NAME             make a CURVE certificate: NAME, the public\n"
        "                          certificate, and NAME_secret, with both\n"
        "                          keys (keep it private). For the daemon:\n"
        "                          curve_secret = NAME_secret, and clients\n"
        "                          get NAME as curve_server_public. For a\n"
        "                          client: curve_client = NAME_secret, and\n"
        "                          NAME goes into the daemon's curve_clients\n"
        "                          directory. Every command then connects\n"
        "                          over CURVE when the configuration sets\n"
        "                          curve_client and curve_server_public\n"
        "\n"
        "options for every command:\n"
        "  --config FILE           configuration (default $HOTLINE_CONFIG,\n"
        "                          else the embedded default)\n"
        "  --endpoint EP           the daemon endpoint this command uses\n"
        "                          (ingest for send, publish for subscribe,\n"
        "                          query otherwise)\n"
        "  --timeout MS            longest wait for an answer (default "
        "30000;\n"
        "                          send: how long to keep retrying, 60000;\n"
        "                          subscribe: stop after MS of silence)\n"
        "  --help                  this text\n");
}

static const char *
s_endpoint (const s_options_t *o, const char *configured)
{
    return o->endpoint ? o->endpoint : configured;
}

/* ---- units import ---------------------------------------------------- */

/* Splits one CSV record (RFC 4180 quoting) into at most `max` fields.
   Returns the field count, or -1 on an unterminated quote. */
static int
s_csv_split (char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        if (*p == '"') {
            char *out = ++p;
            fields[n++] = out;
            while (true) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else
                    *out++ = *p++;
            }
            *out = 0;
            if (*p == ',')
                p++;
            else if (*p)
                return -1;
            else
                return n;
        } else {
            fields[n++] = p;
            char *comma = strchr (p, ',');
            if (!comma)
                return n;
            *comma = 0;
            p = comma + 1;
        }
    }
    return n + 1; /* more fields than wanted */
}

static int
s_units_import (s_options_t *o, const char *path)
{
    FILE *file = fopen (path, "r");
    if (!file) {
        fprintf (stderr, "hotline: cannot open %s: %s\n", path,
                 strerror (errno));
        return 1;
    }
    proto_query_t q = {.kind = PROTO_QUERY_UNITS_IMPORT};
    size_t capacity = 0;
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    int errors = 0;
    for (unsigned number = 1; (len = getline (&line, &size, file)) >= 0;
         number++) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        char *text = line;
        if (number == 1 && strncmp (text, "\xEF\xBB\xBF", 3) == 0)
            text += 3; /* spreadsheets write a UTF-8 byte order mark */
        if (number == 1) {
            if (strcmp (text, "unit_id,name,group") != 0) {
                fprintf (stderr,
                         "hotline: %s:1: the header must be "
                         "unit_id,name,group\n",
                         path);
                errors++;
                break;
            }
            continue;
        }
        if (!*text)
            continue;
        char *fields[4];
        int n = s_csv_split (text, fields, 3);
        const char *why =
            n != 3        ? "needs exactly 3 fields: unit_id,name,group"
            : !*fields[0] ? "empty unit_id"
            : !*fields[2] ? "empty group"
            : strlen (fields[0]) > PROTO_ID_MAX ? "unit_id longer than 64 bytes"
            : strlen (fields[1]) > PROTO_REASON_MAX
                ? "name longer than 256 bytes"
            : strlen (fields[2]) > PROTO_ID_MAX ? "group longer than 64 bytes"
                                                : NULL;
        if (why) {
            fprintf (stderr, "hotline: %s:%u: %s\n", path, number, why);
            errors++;
            continue;
        }
        if (q.unit_count == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            proto_unit_t *grown = realloc (q.units, capacity * sizeof (*grown));
            if (!grown) {
                fprintf (stderr, "hotline: out of memory\n");
                errors++;
                break;
            }
            q.units = grown;
        }
        proto_unit_t *u = &q.units[q.unit_count++];
        snprintf (u->unit_id, sizeof (u->unit_id), "%s", fields[0]);
        snprintf (u->name, sizeof (u->name), "%s", fields[1]);
        snprintf (u->group, sizeof (u->group), "%s", fields[2]);
    }
    free (line);
    fclose (file);
    /* All or nothing: a registry half-imported from a bad file would
       silently move units between tables. */
    if (errors) {
        fprintf (stderr, "hotline: %s: %d bad line%s, nothing imported\n", path,
                 errors, errors > 1 ? "s" : "");
        free (q.units);
        return 1;
    }
    char *json, err[256];
    int rc = client_query_secure (
        s_endpoint (o, o->config.query), o->config.curve_client,
        o->config.curve_server_public, &q, o->timeout_ms, &json, err);
    free (q.units);
    if (rc != 0) {
        fprintf (stderr, "hotline: units import: %s\n", err);
        return 1;
    }
    printf ("%s\n", json);
    free (json);
    return 0;
}

/* ---- send ------------------------------------------------------------- */

typedef struct {
    const char *name;   /* file name for messages */
    uint64_t stored;    /* acknowledged as stored now */
    uint64_t duplicate; /* acknowledged as stored before */
    uint64_t rejected;  /* rejected by the daemon */
    uint64_t unacked;   /* not acknowledged */
    uint64_t invalid;   /* rejected here */
} s_send_t;

static void
s_outcome (void *arg, uint32_t line, int status, const char *reason)
{
    s_send_t *s = arg;
    if (status == PROTO_ACK_STORED)
        s->stored++;
    else if (status == PROTO_ACK_DUPLICATE)
        s->duplicate++;
    else if (status == PROTO_ACK_REJECTED) {
        s->rejected++;
        fprintf (stderr, "%s:%u: rejected: %s\n", s->name, line, reason);
    } else {
        s->unacked++;
        fprintf (stderr, "%s:%u: not stored: %s\n", s->name, line, reason);
    }
}

static int
s_send (s_options_t *o, const char *path)
{
    bool is_stdin = strcmp (path, "-") == 0;
    FILE *file = is_stdin ? stdin : fopen (path, "r");
    if (!file) {
        fprintf (stderr, "hotline: cannot open %s: %s\n", path,
                 strerror (errno));
        return 1;
    }
    s_send_t s = {is_stdin ? "(stdin)" : path, 0, 0, 0, 0, 0};
    char err[256];
    client_sender_t *sender = client_sender_new_secure (
        s_endpoint (o, o->config.ingest), o->config.curve_client,
        o->config.curve_server_public, o->batch > 0 ? (size_t)o->batch : 0,
        o->window > 0 ? (size_t)o->window : 0, o->timeout_ms, s_outcome, &s,
        err);
    if (sender && o->ack_wait > 0)
        client_sender_set_waits (sender, o->ack_wait, 30000);
    if (!sender) {
        fprintf (stderr, "hotline: %s\n", err);
        if (!is_stdin)
            fclose (file);
        return 1;
    }
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    uint32_t number = 0;
    int64_t started = zclock_mono (), last_report = started;
    while ((len = getline (&line, &size, file)) >= 0) {
        number++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0)
            continue; /* blank lines carry nothing */
        proto_event_t event;
        char reason[PROTO_ERROR_MAX + 1];
        if (proto_event_from_json (line, (size_t)len, &event, reason) != 0) {
            s.invalid++;
            fprintf (stderr, "%s:%u: rejected: %s\n", s.name, number, reason);
            client_sender_reject (sender, number, reason);
            continue;
        }
        if (client_sender_add (sender, &event, number) != 0)
            break;
        int64_t now = zclock_mono ();
        if (now - last_report >= 2000) {
            fprintf (stderr, "hotline send: %u lines read, %llu answered\n",
                     number,
                     (unsigned long long)client_sender_answered (sender));
            last_report = now;
        }
    }
    /* The sender gave up: every line not yet read is not sent, and is
       counted and named as such, never silently left out. */
    uint32_t unsent_from = 0, unsent = 0;
    while (len >= 0 && (len = getline (&line, &size, file)) >= 0) {
        number++;
        if (len > 1 || (len == 1 && line[0] != '\n')) {
            if (!unsent_from)
                unsent_from = number;
            unsent++;
        }
    }
    if (unsent) {
        fprintf (stderr,
                 "%s:%u-%u: %u lines not sent: the daemon stopped answering\n",
                 s.name, unsent_from, number, unsent);
        s.unacked += unsent;
    }
    free (line);
    if (!is_stdin)
        fclose (file);
    client_sender_flush (sender);
    uint64_t resent = client_sender_resent (sender);
    client_sender_destroy (&sender);
    double seconds = (double)(zclock_mono () - started) / 1000;
    fprintf (stderr,
             "hotline send: %s: %llu stored, %llu already stored, "
             "%llu rejected by hotlined, %llu invalid lines, "
             "%llu not acknowledged (%.1f s",
             s.name, (unsigned long long)s.stored,
             (unsigned long long)s.duplicate, (unsigned long long)s.rejected,
             (unsigned long long)s.invalid, (unsigned long long)s.unacked,
             seconds);
    if (resent)
        fprintf (stderr, ", %llu batches sent again",
                 (unsigned long long)resent);
    fprintf (stderr, ")\n");
    return s.rejected || s.invalid || s.unacked ? 1 : 0;
}

/* ---- report, stats, rulesets ------------------------------------------ */

static int
s_simple_query (s_options_t *o, proto_query_kind_t kind)
{
    proto_query_t q = {.kind = kind};
    char *json, err[256];
    if (client_query_secure (s_endpoint (o, o->config.query),
                             o->config.curve_client,
                             o->config.curve_server_public, &q, o->timeout_ms,
                             &json, err) != 0) {
        fprintf (stderr, "hotline: %s\n", err);
        return 1;
    }
    printf ("%s\n", json);
    free (json);
    return 0;
}

static int
s_rejected (s_options_t *o)
{
    proto_query_t q = {.kind = PROTO_QUERY_REJECTED};
    q.limit = o->limit > 0 ? (uint32_t)o->limit : 0;
    char *json, err[256];
    if (client_query_secure (s_endpoint (o, o->config.query),
                             o->config.curve_client,
                             o->config.curve_server_public, &q, o->timeout_ms,
                             &json, err) != 0) {
        fprintf (stderr, "hotline: rejected: %s\n", err);
        return 1;
    }
    printf ("%s\n", json);
    free (json);
    return 0;
}

static int
s_report (s_options_t *o)
{
    proto_query_t q = {.kind = PROTO_QUERY_REPORT};
    snprintf (q.ruleset, sizeof (q.ruleset), "%s",
              o->ruleset ? o->ruleset : "jintai-2025");
    if (o->period && (size_t)snprintf (q.period, sizeof (q.period), "%s",
                                       o->period) >= sizeof (q.period)) {
        fprintf (stderr, "hotline: bad --period %s: use YYYY-MM or YYYY-Qn\n",
                 o->period);
        return EXIT_USAGE;
    }
    if (o->as_of && proto_time_parse (o->as_of, &q.as_of) != 0) {
        fprintf (stderr,
                 "hotline: bad --as-of %s: use RFC 3339, e.g. "
                 "2025-08-01T00:00:00+08:00\n",
                 o->as_of);
        return EXIT_USAGE;
    }
    const char *format = o->format ? o->format : "table";
    bool xlsx = strcmp (format, "xlsx") == 0;
    if (strcmp (format, "table") && strcmp (format, "csv") &&
        strcmp (format, "json") && !xlsx) {
        fprintf (stderr,
                 "hotline: --format must be table, csv, json or xlsx\n");
        return EXIT_USAGE;
    }
    if (xlsx && !o->output) {
        fprintf (stderr, "hotline: --format xlsx needs --output FILE.xlsx\n");
        return EXIT_USAGE;
    }
    char *json, err[256];
    if (client_query_secure (s_endpoint (o, o->config.query),
                             o->config.curve_client,
                             o->config.curve_server_public, &q, o->timeout_ms,
                             &json, err) != 0) {
        fprintf (stderr, "hotline: report: %s\n", err);
        return 1;
    }
    int rc = 0;
    FILE *out = stdout;
    if (o->output && !xlsx && !(out = fopen (o->output, "w"))) {
        fprintf (stderr, "hotline: cannot write %s: %s\n", o->output,
                 strerror (errno));
        free (json);
        return 1;
    }
    if (xlsx)
        rc = report_format_xlsx (json, o->output, err);
    else if (strcmp (format, "json") == 0)
        rc = fprintf (out, "%s\n", json) < 0 ? -1 : 0;
    else if (strcmp (format, "csv") == 0)
        rc = report_format_csv (json, out, err);
    else
        rc = report_format_table (json, out, err);
    if (out != stdout && fclose (out) != 0 && rc == 0) {
        snprintf (err, sizeof (err), "cannot write %s", o->output);
        rc = -1;
    }
    if (rc != 0) {
        fprintf (stderr, "hotline: report: %s\n", err);
        rc = 1;
    }
    free (json);
    return rc;
}

/* ---- subscribe -------------------------------------------------------- */

typedef struct {
    const s_options_t *o; /* filters */
    long printed;         /* messages printed */
} s_printer_t;

static void
s_print_message (void *arg, uint64_t sequence, const char *topic,
                 const char *json, bool snapshot)
{
    s_printer_t *p = arg;
    if (p->o->topic && strncmp (topic, p->o->topic, strlen (p->o->topic)))
        return;
    if (p->o->unit) {
        /* One unit's alerts: the topic is alert/<unit_id>, exactly. */
        if (strncmp (topic, "alert/", 6) || strcmp (topic + 6, p->o->unit))
            return;
    }
    printf ("{\"seq\":%llu,\"topic\":\"%s\",%s\"data\":%s}\n",
            (unsigned long long)sequence, topic,
            snapshot ? "\"snapshot\":true," : "", json);
    fflush (stdout);
    p->printed++;
}

static int
s_subscribe (s_options_t *o)
{
    const char *endpoint = s_endpoint (o, o->config.publish);
    char err[256];
    client_subscriber_t *sub = client_subscriber_new_secure (
        endpoint, o->config.snapshot, o->config.curve_client,
        o->config.curve_server_public, o->hwm, err);
    if (!sub) {
        fprintf (stderr, "hotline: subscribe: %s\n", err);
        return 1;
    }
    s_printer_t printer = {o, 0};
    int rc = 0;
    /* Subscribed first, then the snapshot: nothing falls between. */
    if (client_subscriber_sync (sub, 5000, s_print_message, &printer, err) !=
        0) {
        fprintf (stderr, "hotline: subscribe: %s (is hotlined running?)\n",
                 err);
        rc = 1;
    }
    int64_t quiet_since = zclock_mono ();
    size_t resyncs = 0;
    while (rc == 0 && !zsys_interrupted &&
           (o->count == 0 || printer.printed < o->count)) {
        int got =
            client_subscriber_poll (sub, 200, s_print_message, &printer, err);
        if (got < 0) {
            fprintf (stderr, "hotline: subscribe: %s\n", err);
            rc = 1;
            break;
        }
        if (client_subscriber_resyncs (sub) != resyncs) {
            resyncs = client_subscriber_resyncs (sub);
            fprintf (stderr,
                     "hotline: subscribe: messages were lost; re-synced from "
                     "a snapshot at %llu\n",
                     (unsigned long long)client_subscriber_sequence (sub));
        }
        if (got > 0)
            quiet_since = zclock_mono ();
        else if (o->timeout_ms > 0 &&
                 zclock_mono () - quiet_since >= o->timeout_ms)
            break;
    }
    if (o->state) {
        char *json = client_subscriber_state (sub);
        FILE *f = fopen (o->state, "w");
        if (!json || !f || fprintf (f, "%s\n", json) < 0) {
            fprintf (stderr, "hotline: subscribe: cannot write %s\n", o->state);
            rc = 1;
        }
        if (f)
            fclose (f);
        free (json);
    }
    client_subscriber_destroy (&sub);
    return rc;
}

/* ---- keygen ----------------------------------------------------------- */

static int
s_keygen (const char *name)
{
    char secret[1100];
    snprintf (secret, sizeof (secret), "%s_secret", name);
    /* A secret key overwritten is an identity lost: refuse. */
    if (access (name, F_OK) == 0 || access (secret, F_OK) == 0) {
        fprintf (stderr, "hotline: keygen: %s or %s exists; not overwriting\n",
                 name, secret);
        return 1;
    }
    zcert_t *cert = zsys_has_curve () ? zcert_new () : NULL;
    if (!cert) {
        fprintf (stderr, "hotline: keygen: this libzmq has no CURVE support\n");
        return 1;
    }
    const char *base = strrchr (name, '/');
    zcert_set_meta (cert, "name", "%s", base ? base + 1 : name);
    zcert_set_meta (cert, "created-by", "hotline keygen");
    int rc = zcert_save (cert, name);
    zcert_destroy (&cert);
    if (rc != 0) {
        fprintf (stderr, "hotline: keygen: cannot write %s and %s\n", name,
                 secret);
        return 1;
    }
    printf ("wrote %s (public certificate) and %s (secret: keep it private)\n"
            "  for hotlined: curve_secret = %s; clients get %s as "
            "curve_server_public\n"
            "  for a client: curve_client = %s; copy %s into the daemon's "
            "curve_clients directory\n",
            name, secret, secret, name, secret, name);
    return 0;
}

/* ---- replay ----------------------------------------------------------- */

/* Progress lines, at most one a second, with the rate since the last. */
typedef struct {
    int64_t last;       /* zclock_mono of the last line (or the start) */
    uint64_t last_done; /* events done then */
} s_progress_t;

static void
s_replay_progress (uint64_t done, uint64_t total, void *arg)
{
    s_progress_t *p = arg;
    int64_t now = zclock_mono ();
    if (now - p->last < 1000)
        return;
    double rate =
        (double)(done - p->last_done) * 1000 / (double)(now - p->last);
    fprintf (stderr, "replay: %llu of %llu events (%d%%), %.0f events/s\n",
             (unsigned long long)done, (unsigned long long)total,
             total ? (int)(done * 100 / total) : 100, rate);
    p->last = now;
    p->last_done = done;
}

/* The data directory's lock, as hotlined takes it: held until exit. */
static int
s_lock_data (const char *dir)
{
    char path[1100];
    snprintf (path, sizeof (path), "%s/hotlined.lock", dir);
    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        fprintf (stderr, "hotline: replay: cannot open %s: %s\n", path,
                 strerror (errno));
        return -1;
    }
    if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf (stderr,
                 "hotline: replay: another hotlined or hotline replay is "
                 "using %s\n",
                 dir);
        close (fd);
        return -1;
    }
    return fd;
}

static int
s_replay (s_options_t *o)
{
    const char *dir = o->data ? o->data : o->config.data;
    const char *mode = o->clock ? o->clock : o->config.clock;
    if (strcmp (mode, "wall") && strcmp (mode, "event")) {
        fprintf (stderr, "hotline: replay: --clock must be wall or event\n");
        return EXIT_USAGE;
    }
    /* Never create a store here: a mistyped directory is an error. */
    char path[1100];
    snprintf (path, sizeof (path), "%s/data.mdb", dir);
    if (access (path, F_OK) != 0) {
        fprintf (stderr, "hotline: replay: no store in %s\n", dir);
        return 1;
    }
    int lock = s_lock_data (dir);
    if (lock < 0)
        return 1;
    char err[256];
    store_t *store = store_new (dir, o->config.map_size_mb << 20, err);
    if (!store) {
        fprintf (stderr, "hotline: replay: %s\n", err);
        close (lock);
        return 1;
    }
    s_progress_t progress = {zclock_mono (), 0};
    store_txn_t *txn = store_begin (store, false);
    uint64_t next = 0;
    if (txn && store_meta_get (txn, "rebuild_next", &next) == STORE_OK &&
        next) {
        fprintf (stderr,
                 "replay: resuming an interrupted rebuild at event %llu\n",
                 (unsigned long long)next);
        progress.last_done = next - 1;
    }
    store_abort (&txn);
    scorer_rebuild_result_t result;
    int rc = scorer_rebuild (store,
                             strcmp (mode, "wall") == 0 ? SCORER_CLOCK_WALL
                                                        : SCORER_CLOCK_EVENT,
                             s_replay_progress, &progress, &result, err);
    store_destroy (&store);
    close (lock);
    if (result.refused) {
        fprintf (stderr,
                 "replay: %llu events refused by the state machine (they were "
                 "stored once: the rules changed); the first:\n",
                 (unsigned long long)result.refused);
        for (uint64_t i = 0; i < result.refused && i < SCORER_REBUILD_REASONS;
             i++)
            fprintf (stderr, "  %s\n", result.reasons[i]);
    }
    if (rc != 0) {
        fprintf (stderr, "hotline: replay: %s\n", err);
        return 1;
    }
    uint64_t walked = result.events + result.refused;
    printf ("{\"events\":%llu,\"refused\":%llu,\"seconds\":%.3f,"
            "\"events_per_second\":%.0f}\n",
            (unsigned long long)result.events,
            (unsigned long long)result.refused, result.seconds,
            result.seconds > 0 ? (double)walked / result.seconds : 0.0);
    return 0;
}

/* ---- main ------------------------------------------------------------- */

int
main (int argc, char *argv[])
{
    static struct option options[] = {{"config", required_argument, 0, 'c'},
                                      {"endpoint", required_argument, 0, 'e'},
                                      {"timeout", required_argument, 0, 't'},
                                      {"ruleset", required_argument, 0, 'r'},
                                      {"period", required_argument, 0, 'p'},
                                      {"as-of", required_argument, 0, 'a'},
                                      {"format", required_argument, 0, 'f'},
                                      {"output", required_argument, 0, 'o'},
                                      {"topic", required_argument, 0, 'T'},
                                      {"count", required_argument, 0, 'n'},
                                      {"reload", no_argument, 0, 'R'},
                                      {"unit", required_argument, 0, 'U'},
                                      {"state", required_argument, 0, 'S'},
                                      {"hwm", required_argument, 0, 'H'},
                                      {"batch", required_argument, 0, 'B'},
                                      {"window", required_argument, 0, 'W'},
                                      {"ack-wait", required_argument, 0, 'A'},
                                      {"limit", required_argument, 0, 'L'},
                                      {"data", required_argument, 0, 'D'},
                                      {"clock", required_argument, 0, 'K'},
                                      {"help", no_argument, 0, 'h'},
                                      {0, 0, 0, 0}};
    s_options_t o = {.timeout_ms = -1};
    const char *config_path = NULL;
    int opt;
    /* GNU getopt permutes: options may stand before or after the command
       words, which are what remains. */
    while ((opt = getopt_long (argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            config_path = optarg;
            break;
        case 'e':
            o.endpoint = optarg;
            break;
        case 't':
            o.timeout_ms = atoi (optarg);
            break;
        case 'r':
            o.ruleset = optarg;
            break;
        case 'p':
            o.period = optarg;
            break;
        case 'a':
            o.as_of = optarg;
            break;
        case 'f':
            o.format = optarg;
            break;
        case 'o':
            o.output = optarg;
            break;
        case 'T':
            o.topic = optarg;
            break;
        case 'n':
            o.count = atol (optarg);
            break;
        case 'R':
            o.reload = true;
            break;
        case 'U':
            o.unit = optarg;
            break;
        case 'S':
            o.state = optarg;
            break;
        case 'H':
            o.hwm = atoi (optarg);
            break;
        case 'B':
            o.batch = atoi (optarg);
            break;
        case 'W':
            o.window = atoi (optarg);
            break;
        case 'A':
            o.ack_wait = atoi (optarg);
            break;
        case 'L':
            o.limit = atoi (optarg);
            break;
        case 'D':
            o.data = optarg;
            break;
        case 'K':
            o.clock = optarg;
            break;
        case 'h':
            s_usage (stdout);
            return 0;
        default:
            fprintf (stderr, "hotline: run hotline --help for usage\n");
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        s_usage (stderr);
        return EXIT_USAGE;
    }
    const char *command = argv[optind++];
    if (strcmp (command, "help") == 0) {
        s_usage (stdout);
        return 0;
    }
    /* keygen needs no daemon and no configuration. */
    if (strcmp (command, "keygen") == 0) {
        if (argc - optind != 1) {
            fprintf (stderr, "hotline: usage: hotline keygen NAME\n");
            return EXIT_USAGE;
        }
        return s_keygen (argv[optind]);
    }
    char err[256];
    if (config_load (&o.config, config_path, err) != 0) {
        fprintf (stderr, "hotline: %s\n", err);
        return EXIT_USAGE;
    }
    /* replay works on the store directly, no daemon and no sockets; it
       keeps the default signal handling, so an interrupt ends it at once
       (a rebuild resumes where it stopped). */
    if (strcmp (command, "replay") == 0) {
        if (argc - optind != 0) {
            fprintf (stderr, "hotline: usage: hotline replay [--data DIR] "
                             "[--clock wall|event]\n");
            return EXIT_USAGE;
        }
        return s_replay (&o);
    }
    /* czmq logs to stderr by default; this client speaks for itself. */
    zsys_init ();
    zsys_set_logstream (NULL);
    int rest = argc - optind;
    char **args = argv + optind;
    bool subscribe = strcmp (command, "subscribe") == 0;
    if (o.timeout_ms < 0)
        o.timeout_ms = subscribe                       ? -1
                       : strcmp (command, "send") == 0 ? 60000
                                                       : 30000;
    if (strcmp (command, "units") == 0 && rest == 2 &&
        strcmp (args[0], "import") == 0)
        return s_units_import (&o, args[1]);
    if (strcmp (command, "send") == 0 && rest == 1)
        return s_send (&o, args[0]);
    if (strcmp (command, "report") == 0 && rest == 0)
        return s_report (&o);
    if (subscribe && rest == 0)
        return s_subscribe (&o);
    if (strcmp (command, "rejected") == 0 && rest == 0)
        return s_rejected (&o);
    if (strcmp (command, "stats") == 0 && rest == 0)
        return s_simple_query (&o, PROTO_QUERY_STATS);
    if (strcmp (command, "rulesets") == 0 && rest == 0)
        return s_simple_query (&o, o.reload ? PROTO_QUERY_RULESETS_RELOAD
                                            : PROTO_QUERY_RULESETS);
    fprintf (stderr,
             "hotline: unknown command or wrong arguments: %s (run hotline "
             "--help for usage)\n",
             command);
    return EXIT_USAGE;
}
