/*  cli_subscribe: hotline subscribe (docs/live.md). */
#include "cli.h"
#include "client_sub.h"
#include "json.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

static const char *s_help =
    "usage: hotline subscribe [--topic PREFIX] [--unit ID] [--count N]\n"
    "                         [--state FILE] [--hwm N] [--timeout MS]\n"
    "\n"
    "Prints the current scores and open alerts first (a snapshot, lines\n"
    "marked \"snapshot\":true), then live score updates and alerts, one\n"
    "JSON line each, until interrupted. When messages are lost (a restart,\n"
    "a slow reader) it fetches a new snapshot by itself and says so on\n"
    "stderr.\n"
    "\n"
    "  --topic PREFIX  only topics starting so: score/jintai-2025/, alert/\n"
    "  --unit ID       only this unit's alerts\n"
    "  --count N       stop after N messages\n"
    "  --state FILE    at the end, write the subscriber's state (every\n"
    "                  unit's row per ruleset and period, open alerts)\n"
    "  --hwm N         messages queued before dropping (default 1000)\n"
    "  --timeout MS    stop after MS without a message (default: never)\n"
    "  --endpoint EP   the publish endpoint; --config FILE\n";

typedef struct {
    cli_t *cli;        /* for messages */
    const char *topic; /* --topic */
    const char *unit;  /* --unit */
    const char *state; /* --state */
    long count;        /* --count, 0 = never */
    long hwm;          /* --hwm, 0 = default */
    long printed;      /* messages printed */
} s_args_t;

enum { OPT_TOPIC = 1, OPT_UNIT, OPT_STATE, OPT_COUNT, OPT_HWM };
static const struct option s_options[] = {
    {"topic", required_argument, 0, OPT_TOPIC},
    {"unit", required_argument, 0, OPT_UNIT},
    {"state", required_argument, 0, OPT_STATE},
    {"count", required_argument, 0, OPT_COUNT},
    {"hwm", required_argument, 0, OPT_HWM},
    {0, 0, 0, 0}};

static int
s_option (void *arg, int option, const char *value)
{
    s_args_t *a = arg;
    switch (option) {
    case OPT_TOPIC:
        a->topic = value;
        return 0;
    case OPT_UNIT:
        a->unit = value;
        return 0;
    case OPT_STATE:
        a->state = value;
        return 0;
    case OPT_COUNT:
        return cli_int (a->cli, "count", value, 0, 1000000000, &a->count);
    default:
        return cli_int (a->cli, "hwm", value, 0, 100000000, &a->hwm);
    }
}

static void
s_print_message (void *arg, uint64_t sequence, const char *topic,
                 const char *json, bool snapshot)
{
    s_args_t *a = arg;
    if (a->topic && strncmp (topic, a->topic, strlen (a->topic)))
        return;
    /* One unit's alerts: the topic is alert/<unit_id>, exactly. */
    if (a->unit &&
        (strncmp (topic, "alert/", 6) || strcmp (topic + 6, a->unit)))
        return;
    json_writer_t line;
    json_init (&line, strlen (json) + 128);
    json_open (&line, '{');
    json_member_int (&line, "seq", (long long)sequence);
    json_member_string (&line, "topic", topic);
    if (snapshot)
        json_member_bool (&line, "snapshot", true);
    json_key (&line, "data");
    json_value (&line, json);
    json_close (&line, '}');
    const char *text = json_text (&line);
    if (text) {
        printf ("%s\n", text);
        fflush (stdout);
        a->printed++;
    }
    json_free (&line);
}

/* Polls until interrupted, the count is reached or the feed is quiet for
   the timeout. Returns 0 or 1. */
static int
s_follow (cli_t *cli, client_subscriber_t *sub, s_args_t *a)
{
    char err[256];
    int64_t quiet_since = zclock_mono ();
    size_t resyncs = 0;
    while (!zsys_interrupted && (a->count == 0 || a->printed < a->count)) {
        int got = client_subscriber_poll (sub, 200, s_print_message, a, err);
        if (got < 0) {
            cli_error (cli, "%s", err);
            return 1;
        }
        if (client_subscriber_resyncs (sub) != resyncs) {
            resyncs = client_subscriber_resyncs (sub);
            cli_error (cli,
                       "messages were lost; re-synced from a snapshot at %llu",
                       (unsigned long long)client_subscriber_sequence (sub));
        }
        if (got > 0)
            quiet_since = zclock_mono ();
        else if (cli->timeout_ms > 0 &&
                 zclock_mono () - quiet_since >= cli->timeout_ms)
            break;
    }
    return 0;
}

int
cli_subscribe (cli_t *cli, int argc, char **argv)
{
    s_args_t a = {cli, NULL, NULL, NULL, 0, 0, 0};
    int first;
    int rc =
        cli_parse (cli, argc, argv, s_options, s_option, &a, s_help, &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    if (argc - first != 0) {
        cli_error (cli, "unexpected argument %s (hotline subscribe --help)",
                   argv[first]);
        return CLI_EXIT_USAGE;
    }
    zsys_init ();
    zsys_set_logstream (NULL);
    char err[256];
    client_subscriber_t *sub = client_subscriber_new_secure (
        cli_endpoint (cli, cli->config.publish), cli->config.snapshot,
        cli->config.curve_client, cli->config.curve_server_public, (int)a.hwm,
        err);
    if (!sub) {
        cli_error (cli, "%s", err);
        return 1;
    }
    /* Subscribed first, then the snapshot: nothing falls between. */
    if (client_subscriber_sync (sub, 5000, s_print_message, &a, err) != 0) {
        cli_error (cli, "%s (is hotlined running?)", err);
        rc = 1;
    } else
        rc = s_follow (cli, sub, &a);
    if (a.state) {
        char *json = client_subscriber_state (sub);
        FILE *f = fopen (a.state, "w");
        if (!json || !f || fprintf (f, "%s\n", json) < 0) {
            cli_error (cli, "cannot write %s", a.state);
            rc = 1;
        }
        if (f)
            fclose (f);
        free (json);
    }
    client_subscriber_destroy (&sub);
    return rc;
}
