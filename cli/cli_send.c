/*  cli_send: hotline send FILE.jsonl | - (docs/commands.md). */
#include "cli.h"
#include "client.h"

#include <czmq.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

static const char *s_help =
    "usage: hotline send FILE.jsonl | - [options]\n"
    "\n"
    "Sends event lines (docs/events.md) to hotlined and waits until each\n"
    "is acknowledged as durably stored. A batch not acknowledged in time\n"
    "is sent again (the daemon de-duplicates by event_id, so a resend\n"
    "never counts twice). Lines that are not valid events are named as\n"
    "FILE:LINE: rejected: reason, reported to the daemon, and skipped.\n"
    "Exits 0 only when every line was stored (or already was); 1 when any\n"
    "line was rejected or not acknowledged. Ctrl-C stops it: no more\n"
    "lines are sent, answers are awaited one more second, what is left is\n"
    "named not acknowledged (send the file again), exit status 130.\n"
    "\n"
    "  --batch N       events per message (default 500, at most 10000)\n"
    "  --window N      messages awaiting acknowledgement (default 32)\n"
    "  --ack-wait MS   wait this long for an acknowledgement before sending\n"
    "                  a batch again (default 3000, doubling to 30000)\n"
    "  --timeout MS    how long to keep trying (default 60000)\n"
    "  --encoding E    utf-8 (default) or gbk: the lines are converted to\n"
    "                  UTF-8 before they are read\n"
    "  --endpoint EP   the ingest endpoint (default: the configuration's)\n"
    "  --config FILE   configuration\n";

typedef struct {
    long batch;              /* --batch */
    long window;             /* --window */
    long ack_wait;           /* --ack-wait */
    cli_encoding_t encoding; /* --encoding */
} s_args_t;

enum { OPT_BATCH = 1, OPT_WINDOW, OPT_ACK_WAIT, OPT_ENCODING };
static const struct option s_options[] = {
    {"batch", required_argument, 0, OPT_BATCH},
    {"window", required_argument, 0, OPT_WINDOW},
    {"ack-wait", required_argument, 0, OPT_ACK_WAIT},
    {"encoding", required_argument, 0, OPT_ENCODING},
    {0, 0, 0, 0}};

typedef struct {
    cli_t *cli;     /* for messages */
    s_args_t *args; /* the options */
} s_parse_t;

static int
s_option (void *arg, int option, const char *value)
{
    s_parse_t *p = arg;
    switch (option) {
    case OPT_BATCH:
        return cli_int (p->cli, "batch", value, 1, PROTO_BATCH_MAX,
                        &p->args->batch);
    case OPT_WINDOW:
        return cli_int (p->cli, "window", value, 1, 1024, &p->args->window);
    case OPT_ENCODING:
        return cli_encoding_parse (p->cli, value, &p->args->encoding);
    default:
        return cli_int (p->cli, "ack-wait", value, 1, 3600000,
                        &p->args->ack_wait);
    }
}

/* Outcomes counted, for the summary line. */
typedef struct {
    const char *name;        /* file name for messages */
    cli_encoding_t encoding; /* of the lines */
    uint64_t stored;         /* acknowledged as stored now */
    uint64_t duplicate;      /* acknowledged as stored before */
    uint64_t rejected;       /* rejected by the daemon */
    uint64_t unacked;        /* not acknowledged */
    uint64_t invalid;        /* rejected here */
    bool interrupted;        /* SIGINT or SIGTERM before the end */
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

/* Makes the line UTF-8: converted from GBK when asked (the converted
   text replaces the line), checked otherwise, so that a line saved in
   another encoding is refused with what to do instead of "invalid UTF-8
   in reason". Returns 0, or -1 with the reason. */
static int
s_line_utf8 (const s_send_t *s, char **line, size_t *size, ssize_t *len,
             char *reason)
{
    if (s->encoding == CLI_UTF8 && proto_utf8_valid (*line, (size_t)*len))
        return 0;
    size_t converted_size = 0;
    unsigned bad;
    char *converted = s->encoding == CLI_GBK
                          ? cli_text_utf8 (CLI_GBK, *line, (size_t)*len,
                                           &converted_size, &bad)
                          : NULL;
    if (!converted) {
        snprintf (reason, PROTO_ERROR_MAX + 1, "%s",
                  cli_encoding_why (s->encoding, *line, (size_t)*len));
        return -1;
    }
    free (*line);
    *line = converted;
    *size = 2 * (size_t)*len + 1;
    *len = (ssize_t)converted_size;
    return 0;
}

/* The input, read with read(2) rather than stdio, so that a quiet
   producer (a pipe with nothing to say now) is noticed: the batch being
   filled then goes out instead of waiting for 500 lines. */
typedef struct {
    int fd;
    char *buf;      /* bytes read, not yet handed out */
    size_t at, end; /* buf[at..end) */
    size_t scanned; /* of those, known to hold no newline */
    size_t room;    /* of buf */
    bool eof;       /* read(2) said so */
} s_input_t;

/* How long what was read may wait before it goes: the batch being
   filled goes when full or after this (a quiet input, a trickle). */
#define QUIET_MS 50

/* Like getline: the next line (with its newline, if any) into *line,
   grown as needed; its length. -1 at the end of the input or on an
   error (or a signal); -2 when no whole line came within wait_ms (what
   came is kept for the next call). */
static ssize_t
s_read_line (s_input_t *in, char **line, size_t *size, int wait_ms)
{
    for (;;) {
        /* (Nothing to scan before the first read: buf is still NULL.) */
        size_t unscanned = in->end - in->at - in->scanned;
        char *nl =
            unscanned ? memchr (in->buf + in->at + in->scanned, '\n', unscanned)
                      : NULL;
        if (nl || (in->eof && in->end > in->at)) {
            size_t len =
                nl ? (size_t)(nl - (in->buf + in->at)) + 1 : in->end - in->at;
            if (*size < len + 1) {
                char *grown = realloc (*line, len + 1);
                if (!grown)
                    return -1;
                *line = grown;
                *size = len + 1;
            }
            memcpy (*line, in->buf + in->at, len);
            (*line)[len] = 0;
            in->at += len;
            in->scanned = 0;
            return (ssize_t)len;
        }
        if (in->eof)
            return -1;
        in->scanned = in->end - in->at;
        /* Room for more: what is left moves to the front, or buf grows
           (a line longer than it). */
        if (in->at > 0) {
            memmove (in->buf, in->buf + in->at, in->end - in->at);
            in->end -= in->at;
            in->at = 0;
        }
        if (in->end == in->room) {
            size_t room = in->room ? in->room * 2 : 65536;
            char *grown = realloc (in->buf, room);
            if (!grown)
                return -1;
            in->buf = grown;
            in->room = room;
        }
        struct pollfd p = {in->fd, POLLIN, 0};
        int ready = poll (&p, 1, wait_ms);
        if (ready == 0)
            return -2;
        if (ready < 0)
            return errno == EINTR && !zsys_interrupted ? -2 : -1;
        ssize_t got = read (in->fd, in->buf + in->end, in->room - in->end);
        if (got < 0 && errno != EINTR)
            return -1;
        if (got == 0)
            in->eof = true;
        else if (got > 0)
            in->end += (size_t)got;
    }
}

/* Reads the lines and hands them to the sender. Returns false when the
   sender gave up (the daemon stopped answering). */
static bool
s_feed (client_sender_t *sender, s_input_t *in, s_send_t *s)
{
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    uint32_t number = 0;
    int64_t last_report = zclock_mono ();
    bool going = true;
    int64_t idled = zclock_mono ();
    while (going && !client_sender_interrupted (sender) &&
           (len = s_read_line (in, &line, &size, QUIET_MS)) != -1) {
        /* What was read goes at least every QUIET_MS: a producer that
           writes now and then, or a steady trickle, is not held until
           a batch fills. */
        int64_t now = zclock_mono ();
        if (len == -2 || now - idled >= QUIET_MS) {
            going = client_sender_idle (sender) == 0;
            idled = now;
            if (len == -2)
                continue;
        }
        number++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0)
            continue; /* blank lines carry nothing */
        proto_event_t event;
        char reason[PROTO_ERROR_MAX + 1];
        if (s_line_utf8 (s, &line, &size, &len, reason) != 0 ||
            proto_event_from_json (line, (size_t)len, &event, reason) != 0) {
            s->invalid++;
            fprintf (stderr, "%s:%u: rejected: %s\n", s->name, number, reason);
            client_sender_reject (sender, number, reason);
            continue;
        }
        going = client_sender_add (sender, &event, number) == 0;
        if (now - last_report >= 2000) {
            fprintf (stderr, "hotline send: %u lines read, %llu answered\n",
                     number,
                     (unsigned long long)client_sender_answered (sender));
            last_report = now;
        }
    }
    /* The sender gave up: every line not yet read is not sent, and is
       counted and named as such, never silently left out (until an
       interrupt: standard input may never end). */
    uint32_t unsent_from = 0, unsent = 0;
    while (!going && !client_sender_interrupted (sender) &&
           (len = s_read_line (in, &line, &size, QUIET_MS)) != -1) {
        if (len == -2)
            continue; /* looks at the interrupt again */
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
                 s->name, unsent_from, number, unsent);
        s->unacked += unsent;
    }
    /* Interrupted: what was read is accounted for (the flush), the rest
       is not read; the summary says so. */
    if (client_sender_interrupted (sender) && !in->eof) {
        fprintf (stderr,
                 "%s: interrupted after line %u: the lines after it were not "
                 "read (send them again; stored ones are answered already "
                 "stored)\n",
                 s->name, number);
        s->interrupted = true;
        going = false;
    }
    free (line);
    return going;
}

int
cli_send (cli_t *cli, int argc, char **argv)
{
    s_args_t args = {0, 0, 0, CLI_UTF8};
    s_parse_t parse = {cli, &args};
    int first;
    int rc = cli_parse (cli, argc, argv, s_options, s_option, &parse, s_help,
                        &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    if (argc - first != 1) {
        cli_error (cli, "usage: hotline send FILE.jsonl | -");
        return CLI_EXIT_USAGE;
    }
    const char *path = argv[first];
    bool is_stdin = strcmp (path, "-") == 0;
    FILE *file = is_stdin ? stdin : fopen (path, "r");
    if (!file) {
        cli_error (cli, "cannot open %s: %s", path, strerror (errno));
        return 1;
    }
    /* czmq logs to stderr by default; this client speaks for itself. */
    zsys_init ();
    zsys_set_logstream (NULL);
    s_send_t s = {
        is_stdin ? "(stdin)" : path, args.encoding, 0, 0, 0, 0, 0, false};
    char err[256];
    client_sender_t *sender = client_sender_new_secure (
        cli_endpoint (cli, cli->config.ingest), cli->config.curve_client,
        cli->config.curve_server_public, (size_t)args.batch,
        (size_t)args.window, cli->timeout_ms >= 0 ? cli->timeout_ms : 60000,
        s_outcome, &s, err);
    if (!sender) {
        cli_error (cli, "%s", err);
        if (!is_stdin)
            fclose (file);
        return zsys_interrupted ? CLI_EXIT_INTERRUPTED : 1;
    }
    if (args.ack_wait > 0)
        client_sender_set_waits (sender, (int)args.ack_wait, 30000);
    client_sender_stop_on_signals (sender);
    int64_t started = zclock_mono ();
    s_input_t in = {.fd = fileno (file)};
    s_feed (sender, &in, &s);
    free (in.buf);
    if (!is_stdin)
        fclose (file);
    client_sender_flush (sender);
    s.interrupted = s.interrupted || client_sender_interrupted (sender);
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
    fprintf (stderr, "%s)\n", s.interrupted ? ", interrupted" : "");
    if (s.interrupted)
        return CLI_EXIT_INTERRUPTED;
    return s.rejected || s.invalid || s.unacked ? 1 : 0;
}
