/*  cli_main: hotline's command table, shared options and main (cli.h). */
#include "cli.h"
#include "client.h"

#include <czmq.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A command: its word, a line for the overview, and how to run it. */
typedef struct {
    const char *name;                               /* command word */
    const char *summary;                            /* for hotline --help */
    int (*run) (cli_t *cli, int argc, char **argv); /* the command */
} s_command_t;

static const s_command_t s_commands[] = {
    {"units", "units import FILE.csv | units list: the units registry",
     cli_units},
    {"send", "send FILE.jsonl | -: send event lines, acknowledged once stored",
     cli_send},
    {"report", "the scorecard of a ruleset and period (table, csv, json, xlsx)",
     cli_report},
    {"explain", "why a unit has its points: every lost point's tickets",
     cli_explain},
    {"ticket", "ticket ID: one ticket's events and where it counted",
     cli_ticket},
    {"appeals", "appeals and exemptions, and the points they moved",
     cli_appeals},
    {"publish", "freeze a scorecard as published (a new version)", cli_publish},
    {"diff", "a published scorecard against the live one", cli_diff},
    {"calendar", "calendar import FILE | show [YEAR]: the working calendar",
     cli_calendar},
    {"subscribe", "live score updates and alerts, after a snapshot",
     cli_subscribe},
    {"stats", "the daemon's counters", cli_stats},
    {"alerts", "the open alerts, the earliest deadline first", cli_alerts},
    {"rejected", "the events the daemon refused (dead letters)", cli_rejected},
    {"rulesets", "the loaded rulesets; --reload reads them again",
     cli_rulesets},
    {"replay", "rebuild every aggregate from the event log (daemon stopped)",
     cli_replay},
    {"keygen", "keygen NAME: make a CURVE certificate pair", cli_keygen},
};
#define COMMAND_COUNT (sizeof (s_commands) / sizeof (s_commands[0]))

static void
s_usage (FILE *out)
{
    fprintf (out, "usage: hotline [--config FILE] COMMAND [options]\n"
                  "\n"
                  "The command-line client of hotlined, the live scorer of "
                  "12345 hotlines.\n"
                  "\n"
                  "commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf (out, "  %-10s %s\n", s_commands[i].name,
                 s_commands[i].summary);
    fprintf (out,
             "\n"
             "options every command takes:\n"
             "  --config FILE   configuration (default $HOTLINE_CONFIG, else\n"
             "                  the embedded default: hotlined "
             "--print-config)\n"
             "  --endpoint EP   the daemon endpoint the command uses\n"
             "  --timeout MS    longest wait for an answer\n"
             "  --help          the command's own help\n"
             "  --version       hotline's version\n"
             "\n"
             "hotline COMMAND --help explains one command; docs/commands.md "
             "all of them.\n");
}

void
cli_error (const cli_t *cli, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    fprintf (stderr, "hotline %s: ", cli->command);
    vfprintf (stderr, format, args);
    fputc ('\n', stderr);
    va_end (args);
}

const char *
cli_endpoint (const cli_t *cli, const char *configured)
{
    return cli->endpoint ? cli->endpoint : configured;
}

int
cli_int (const cli_t *cli, const char *name, const char *value, long min,
         long max, long *out)
{
    char *end;
    errno = 0;
    long n = strtol (value, &end, 10);
    if (errno || end == value || *end || n < min || n > max) {
        cli_error (cli, "--%s must be a whole number from %ld to %ld, not %s",
                   name, min, max, value);
        return -1;
    }
    *out = n;
    return 0;
}

/* The options every command shares. */
enum { OPT_CONFIG = 1000, OPT_ENDPOINT, OPT_TIMEOUT, OPT_HELP };
static const struct option s_shared[] = {
    {"config", required_argument, 0, OPT_CONFIG},
    {"endpoint", required_argument, 0, OPT_ENDPOINT},
    {"timeout", required_argument, 0, OPT_TIMEOUT},
    {"help", no_argument, 0, OPT_HELP},
};
#define SHARED_COUNT (sizeof (s_shared) / sizeof (s_shared[0]))
#define OPTIONS_MAX  48

int
cli_parse (cli_t *cli, int argc, char **argv, const struct option *options,
           cli_option_fn *fn, void *arg, const char *help, int *first)
{
    struct option all[OPTIONS_MAX + SHARED_COUNT + 1];
    size_t n = 0;
    for (size_t i = 0; i < SHARED_COUNT; i++)
        all[n++] = s_shared[i];
    for (size_t i = 0; options && options[i].name && n < OPTIONS_MAX; i++)
        all[n++] = options[i];
    memset (&all[n], 0, sizeof (all[n]));
    bool help_asked = false;
    int opt, rc = 0;
    optind = 0; /* glibc: start afresh, permuting operands to the end */
    opterr = 0;
    while (rc == 0 && (opt = getopt_long (argc, argv, ":h", all, NULL)) != -1) {
        long ms;
        switch (opt) {
        case OPT_CONFIG:
            cli->config_path = optarg;
            break;
        case OPT_ENDPOINT:
            cli->endpoint = optarg;
            break;
        case OPT_TIMEOUT:
            rc = cli_int (cli, "timeout", optarg, 0, 86400000, &ms);
            cli->timeout_ms = (int)ms;
            break;
        case OPT_HELP:
        case 'h':
            help_asked = true;
            break;
        case ':':
            cli_error (cli, "%s needs a value (hotline %s --help)",
                       argv[optind - 1], cli->command);
            rc = -1;
            break;
        case '?':
            cli_error (cli, "unknown option %s (hotline %s --help)",
                       argv[optind - 1], cli->command);
            rc = -1;
            break;
        default:
            rc = fn ? fn (arg, opt, optarg) : -1;
        }
    }
    if (rc != 0)
        return -1;
    if (help_asked) {
        fputs (help, stdout);
        return 1;
    }
    char err[256];
    if (config_load (&cli->config, cli->config_path, err) != 0) {
        cli_error (cli, "%s", err);
        return -1;
    }
    *first = optind;
    return 0;
}

int
cli_query (cli_t *cli, const proto_query_t *query, char **json)
{
    char err[256];
    int timeout = cli->timeout_ms >= 0 ? cli->timeout_ms : 30000;
    /* czmq logs to stderr by default; this client speaks for itself. */
    zsys_init ();
    zsys_set_logstream (NULL);
    if (client_query_secure (
            cli_endpoint (cli, cli->config.query), cli->config.curve_client,
            cli->config.curve_server_public, query, timeout, json, err) != 0) {
        cli_error (cli, "%s", err);
        return 1;
    }
    return 0;
}

int
cli_query_print (cli_t *cli, const proto_query_t *query)
{
    char *json;
    if (cli_query (cli, query, &json) != 0)
        return 1;
    printf ("%s\n", json);
    free (json);
    return 0;
}

/* Options that take no value; every other --option before the command
   word takes the next argument as its value. */
static const char *s_flags[] = {"help", "version", "reload", "force",
                                "published"};

/* Where the command word is: the first argument that is neither an
   option nor the value of an option before it. */
static int
s_find_command (int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp (a, "--") == 0)
            return i + 1 < argc ? i + 1 : -1;
        if (a[0] != '-')
            return i;
        if (strncmp (a, "--", 2) != 0 || strchr (a, '='))
            continue;
        bool flag = false;
        for (size_t f = 0; f < sizeof (s_flags) / sizeof (s_flags[0]); f++)
            flag = flag || strcmp (a + 2, s_flags[f]) == 0;
        if (!flag)
            i++;
    }
    return -1;
}

int
main (int argc, char *argv[])
{
    int at = s_find_command (argc, argv);
    for (int i = 1; i < argc && (at < 0 || i < at); i++) {
        if (strcmp (argv[i], "--version") == 0) {
            printf ("hotline %s\n", HOTLINE_VERSION);
            return 0;
        }
        if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0) {
            s_usage (stdout);
            return 0;
        }
    }
    if (at < 0) {
        s_usage (stderr);
        return CLI_EXIT_USAGE;
    }
    const char *word = argv[at];
    if (strcmp (word, "help") == 0) {
        s_usage (stdout);
        return 0;
    }
    const s_command_t *command = NULL;
    for (size_t i = 0; i < COMMAND_COUNT && !command; i++)
        if (strcmp (s_commands[i].name, word) == 0)
            command = &s_commands[i];
    if (!command) {
        fprintf (stderr,
                 "hotline: unknown command %s (hotline --help lists them)\n",
                 word);
        return CLI_EXIT_USAGE;
    }
    /* The command sees its word first, then every other argument. */
    char **args = malloc ((size_t)argc * sizeof (char *));
    if (!args)
        return 1;
    int n = 0;
    args[n++] = (char *)word;
    for (int i = 1; i < argc; i++)
        if (i != at)
            args[n++] = argv[i];
    /* --version alone is the program's; followed by a number it is the
       version of a published scorecard (report, diff). */
    for (int i = 1; i < n; i++)
        if (strcmp (args[i], "--version") == 0 &&
            !(i + 1 < n && args[i + 1][0] >= '0' && args[i + 1][0] <= '9')) {
            printf ("hotline %s\n", HOTLINE_VERSION);
            free (args);
            return 0;
        }
    cli_t cli = {.command = word, .timeout_ms = -1};
    int rc = command->run (&cli, n, args);
    free (args);
    return rc;
}
