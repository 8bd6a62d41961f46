/*  cli_report: hotline report (docs/commands.md, docs/report-json.md). */
#include "cli.h"
#include "format.h"
#include "format_xlsx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *s_help =
    "usage: hotline report [--ruleset ID] [--period P] [--as-of TIME]\n"
    "                      [--format table|csv|json|xlsx] [--output FILE]\n"
    "\n"
    "The scorecard of a ruleset for a period, as the bulletin lays it out.\n"
    "\n"
    "  --ruleset ID    default jintai-2025 (hotline rulesets lists them)\n"
    "  --period P      YYYY-MM or YYYY-Qn (quarterly rulesets); default:\n"
    "                  the period of the daemon's clock\n"
    "  --as-of TIME    RFC 3339 (2025-07-20T00:00:00+08:00): the scorecard\n"
    "                  as it stood then; default: now\n"
    "  --format F      table (default), csv, json or xlsx\n"
    "  --output FILE   write there instead of standard output (required\n"
    "                  for xlsx)\n"
    "  --published     the published scorecard (hotline publish), byte for\n"
    "                  byte as it was published: the latest version, or\n"
    "  --version N     that version\n"
    "  --endpoint EP   the query endpoint; --config FILE, --timeout MS\n";

typedef struct {
    cli_t *cli;          /* for messages */
    const char *ruleset; /* --ruleset */
    const char *period;  /* --period */
    const char *as_of;   /* --as-of */
    const char *format;  /* --format */
    const char *output;  /* --output */
    bool published;      /* --published */
    long version;        /* --version, 0: the latest */
} s_args_t;

enum {
    OPT_RULESET = 1,
    OPT_PERIOD,
    OPT_AS_OF,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_PUBLISHED,
    OPT_VERSION
};
static const struct option s_options[] = {
    {"ruleset", required_argument, 0, OPT_RULESET},
    {"period", required_argument, 0, OPT_PERIOD},
    {"as-of", required_argument, 0, OPT_AS_OF},
    {"format", required_argument, 0, OPT_FORMAT},
    {"output", required_argument, 0, OPT_OUTPUT},
    {"published", no_argument, 0, OPT_PUBLISHED},
    {"version", required_argument, 0, OPT_VERSION},
    {0, 0, 0, 0}};

static int
s_option (void *arg, int option, const char *value)
{
    s_args_t *a = arg;
    if (option == OPT_PUBLISHED) {
        a->published = true;
        return 0;
    }
    if (option == OPT_VERSION)
        return cli_int (a->cli, "version", value, 1, 1000000, &a->version);
    const char **slot[] = {NULL,      &a->ruleset, &a->period,
                           &a->as_of, &a->format,  &a->output};
    *slot[option] = value;
    return 0;
}

/* Writes the report in the asked form. Returns 0 or 1 (after a message). */
static int
s_write (s_args_t *a, const char *json)
{
    char err[FORMAT_ERR_MAX];
    bool xlsx = strcmp (a->format, "xlsx") == 0;
    FILE *out = stdout;
    if (a->output && !xlsx && !(out = fopen (a->output, "w"))) {
        cli_error (a->cli, "cannot write %s: %s", a->output, strerror (errno));
        return 1;
    }
    int rc;
    if (xlsx)
        rc = format_xlsx (json, a->output, err);
    else if (strcmp (a->format, "json") == 0)
        rc = fprintf (out, "%s\n", json) < 0 ? -1 : 0;
    else if (strcmp (a->format, "csv") == 0)
        rc = format_csv (json, out, err);
    else
        rc = format_table (json, out, err);
    if (rc != 0 && !xlsx && strcmp (a->format, "json") == 0)
        snprintf (err, sizeof (err), "cannot write the report");
    if (out != stdout && fclose (out) != 0 && rc == 0) {
        snprintf (err, sizeof (err), "cannot write %s", a->output);
        rc = -1;
    }
    if (rc != 0) {
        cli_error (a->cli, "%s", err);
        return 1;
    }
    return 0;
}

int
cli_report (cli_t *cli, int argc, char **argv)
{
    s_args_t a = {cli, "jintai-2025", NULL, NULL, "table", NULL, false, 0};
    int first;
    int rc =
        cli_parse (cli, argc, argv, s_options, s_option, &a, s_help, &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    if (argc - first != 0) {
        cli_error (cli, "unexpected argument %s (hotline report --help)",
                   argv[first]);
        return CLI_EXIT_USAGE;
    }
    if (a.version && !a.published) {
        cli_error (cli, "--version goes with --published");
        return CLI_EXIT_USAGE;
    }
    if (a.published && (!a.period || a.as_of)) {
        cli_error (cli, "--published needs --period (and no --as-of)");
        return CLI_EXIT_USAGE;
    }
    proto_query_t q = {.kind = PROTO_QUERY_REPORT,
                       .published = a.published,
                       .version = (uint32_t)a.version};
    snprintf (q.ruleset, sizeof (q.ruleset), "%s", a.ruleset);
    if (a.period && (size_t)snprintf (q.period, sizeof (q.period), "%s",
                                      a.period) >= sizeof (q.period)) {
        cli_error (cli, "bad --period %s: use YYYY-MM or YYYY-Qn", a.period);
        return CLI_EXIT_USAGE;
    }
    if (a.as_of && proto_time_parse (a.as_of, &q.as_of) != 0) {
        cli_error (cli,
                   "bad --as-of %s: use RFC 3339, e.g. "
                   "2025-08-01T00:00:00+08:00",
                   a.as_of);
        return CLI_EXIT_USAGE;
    }
    const char *formats[] = {"table", "csv", "json", "xlsx"};
    bool known = false;
    for (size_t i = 0; i < 4; i++)
        known = known || strcmp (a.format, formats[i]) == 0;
    if (!known) {
        cli_error (cli, "--format must be table, csv, json or xlsx");
        return CLI_EXIT_USAGE;
    }
    if (strcmp (a.format, "xlsx") == 0 && !a.output) {
        cli_error (cli, "--format xlsx needs --output FILE.xlsx");
        return CLI_EXIT_USAGE;
    }
    char *json;
    if (cli_query (cli, &q, &json) != 0)
        return 1;
    rc = s_write (&a, json);
    free (json);
    return rc;
}
