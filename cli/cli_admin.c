/*  cli_admin: hotline stats, alerts, rejected, rulesets and keygen. */
#include "cli.h"

#include <czmq.h>
#include <string.h>
#include <unistd.h>

/* A command without options of its own and without operands. */
static int
s_plain (cli_t *cli, int argc, char **argv, const struct option *options,
         cli_option_fn *fn, void *arg, const char *help)
{
    int first;
    int rc = cli_parse (cli, argc, argv, options, fn, arg, help, &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    if (argc - first != 0) {
        cli_error (cli, "unexpected argument %s (hotline %s --help)",
                   argv[first], cli->command);
        return CLI_EXIT_USAGE;
    }
    return -1; /* go on */
}

int
cli_stats (cli_t *cli, int argc, char **argv)
{
    static const char *help =
        "usage: hotline stats [--config FILE] [--endpoint EP]\n"
        "\n"
        "The daemon's counters as JSON: events stored, duplicates, rejected\n"
        "(by class), sender-side rejects, batches, queries, messages\n"
        "published, the clock, and the store's tables and size.\n";
    int rc = s_plain (cli, argc, argv, NULL, NULL, NULL, help);
    if (rc >= 0)
        return rc;
    proto_query_t q = {.kind = PROTO_QUERY_STATS};
    return cli_query_print (cli, &q);
}

static int
s_unit (void *arg, int option, const char *value)
{
    (void)option;
    proto_query_t *q = arg;
    if (strlen (value) > PROTO_ID_MAX) {
        fprintf (stderr, "hotline alerts: --unit is longer than %d bytes\n",
                 PROTO_ID_MAX);
        return -1;
    }
    snprintf (q->unit, sizeof (q->unit), "%s", value);
    return 0;
}

int
cli_alerts (cli_t *cli, int argc, char **argv)
{
    static const char *help =
        "usage: hotline alerts [--unit U] [--config FILE] [--endpoint EP]\n"
        "\n"
        "The open alerts (warnings and overdue tickets not yet cleared), the\n"
        "earliest deadline first, with the daemon's clock to tell the time\n"
        "left by, as JSON: "
        "{\"clock\":\"...\",\"count\":N,\"alerts\":[{\"kind\",\n"
        "\"unit_id\",\"ticket_id\",\"due_at\",\"at\"}...]} (docs/live.md).\n"
        "\n"
        "  --unit U        only the alerts on unit U's tickets\n";
    static const struct option options[] = {{"unit", required_argument, 0, 1},
                                            {0, 0, 0, 0}};
    proto_query_t q = {.kind = PROTO_QUERY_ALERTS};
    int rc = s_plain (cli, argc, argv, options, s_unit, &q, help);
    if (rc >= 0)
        return rc;
    return cli_query_print (cli, &q);
}

static int
s_limit (void *arg, int option, const char *value)
{
    (void)option;
    void **pair = arg;
    return cli_int (pair[0], "limit", value, 1, 100000, pair[1]);
}

int
cli_rejected (cli_t *cli, int argc, char **argv)
{
    static const char *help =
        "usage: hotline rejected [--limit N]\n"
        "\n"
        "The events the daemon refused (dead letters), newest last, as\n"
        "JSON: {\"count\":N,\"rejected\":[{\"seq\",\"received_at\",\"class\",\n"
        "\"reason\",\"event\"}...]}. Fix the event and send it again: a\n"
        "refused event_id is not remembered as stored.\n"
        "\n"
        "  --limit N       the newest N (default 100)\n";
    static const struct option options[] = {{"limit", required_argument, 0, 1},
                                            {0, 0, 0, 0}};
    long limit = 0;
    void *pair[2] = {cli, &limit};
    int rc = s_plain (cli, argc, argv, options, s_limit, pair, help);
    if (rc >= 0)
        return rc;
    proto_query_t q = {.kind = PROTO_QUERY_REJECTED};
    q.limit = (uint32_t)limit;
    return cli_query_print (cli, &q);
}

static int
s_reload (void *arg, int option, const char *value)
{
    (void)option;
    (void)value;
    *(bool *)arg = true;
    return 0;
}

int
cli_rulesets (cli_t *cli, int argc, char **argv)
{
    static const char *help =
        "usage: hotline rulesets [--reload]\n"
        "\n"
        "The rulesets the daemon loaded, as JSON [{\"id\",\"period\"}].\n"
        "\n"
        "  --reload        load them again (the embedded ones and the\n"
        "                  configuration's rulesets directory) first; on an\n"
        "                  error the daemon keeps the ones it had and the\n"
        "                  error names the file, line and reason\n";
    static const struct option options[] = {{"reload", no_argument, 0, 1},
                                            {0, 0, 0, 0}};
    bool reload = false;
    int rc = s_plain (cli, argc, argv, options, s_reload, &reload, help);
    if (rc >= 0)
        return rc;
    proto_query_t q = {.kind = reload ? PROTO_QUERY_RULESETS_RELOAD
                                      : PROTO_QUERY_RULESETS};
    return cli_query_print (cli, &q);
}

int
cli_keygen (cli_t *cli, int argc, char **argv)
{
    static const char *help =
        "usage: hotline keygen NAME\n"
        "\n"
        "Makes a CURVE certificate: NAME, the public certificate, and\n"
        "NAME_secret, with both keys (keep it private).\n"
        "  For the daemon: curve_secret = NAME_secret, and clients get NAME\n"
        "  as curve_server_public.\n"
        "  For a client: curve_client = NAME_secret, and NAME goes into the\n"
        "  daemon's curve_clients directory.\n"
        "Every command then connects over CURVE when the configuration sets\n"
        "curve_client and curve_server_public. Existing files are never\n"
        "overwritten.\n";
    int first;
    int rc = cli_parse (cli, argc, argv, NULL, NULL, NULL, help, &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    if (argc - first != 1) {
        cli_error (cli, "usage: hotline keygen NAME");
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[first];
    char secret[1100];
    snprintf (secret, sizeof (secret), "%s_secret", name);
    /* A secret key overwritten is an identity lost: refuse. */
    if (access (name, F_OK) == 0 || access (secret, F_OK) == 0) {
        cli_error (cli, "%s or %s exists; not overwriting", name, secret);
        return 1;
    }
    zcert_t *cert = zsys_has_curve () ? zcert_new () : NULL;
    if (!cert) {
        cli_error (cli, "this libzmq has no CURVE support");
        return 1;
    }
    const char *base = strrchr (name, '/');
    zcert_set_meta (cert, "name", "%s", base ? base + 1 : name);
    zcert_set_meta (cert, "created-by", "hotline keygen");
    rc = zcert_save (cert, name);
    zcert_destroy (&cert);
    if (rc != 0) {
        cli_error (cli, "cannot write %s and %s", name, secret);
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
