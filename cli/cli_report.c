/*  cli_report: hotline report (docs/commands.md, docs/bulletin.md,
    docs/report-json.md). */
#include "cli.h"
#include "format.h"
#include "format_xlsx.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *s_help =
    "usage: hotline report [--ruleset ID] [--period P] [--as-of TIME]\n"
    "                      [--format table|csv|json|xlsx|html] [--output "
    "FILE]\n"
    "                      [--excel] [--width N] [--trend N]\n"
    "\n"
    "The scorecard of a ruleset for a period, as the bulletin lays it out\n"
    "(docs/bulletin.md shows every form).\n"
    "\n"
    "  --ruleset ID    default jintai-2025 (hotline rulesets lists them)\n"
    "  --period P      YYYY-MM or YYYY-Qn (quarterly rulesets); default:\n"
    "                  the period of the daemon's clock\n"
    "  --as-of TIME    RFC 3339 (2025-07-20T00:00:00+08:00): the scorecard\n"
    "                  as it stood then (2000 to 2099); default: now\n"
    "  --format F      table (default), csv, json, xlsx or html (one\n"
    "                  printable page)\n"
    "  --output FILE   write there instead of standard output (required\n"
    "                  for xlsx)\n"
    "  --published     the published scorecard (hotline publish), byte for\n"
    "                  byte as it was published: the latest version, or\n"
    "  --version N     that version\n"
    "  --excel         csv for a spreadsheet: a UTF-8 byte order mark and\n"
    "                  the bulletin's Chinese column labels\n"
    "  --width N       table: fit N terminal columns, splitting wide tables\n"
    "                  into panels; 0 for no limit; default: the terminal's\n"
    "                  width when writing to one, else no limit\n"
    "  --trend N       xlsx: add a sheet and charts of each unit's total\n"
    "                  over the last N periods (2 to 24), this one included\n"
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
    bool excel;          /* --excel */
    long width;          /* --width, -1 when not given */
    long trend;          /* --trend, 0 when not given */
} s_args_t;

enum {
    OPT_RULESET = 1,
    OPT_PERIOD,
    OPT_AS_OF,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_PUBLISHED,
    OPT_VERSION,
    OPT_EXCEL,
    OPT_WIDTH,
    OPT_TREND
};
static const struct option s_options[] = {
    {"ruleset", required_argument, 0, OPT_RULESET},
    {"period", required_argument, 0, OPT_PERIOD},
    {"as-of", required_argument, 0, OPT_AS_OF},
    {"format", required_argument, 0, OPT_FORMAT},
    {"output", required_argument, 0, OPT_OUTPUT},
    {"published", no_argument, 0, OPT_PUBLISHED},
    {"version", required_argument, 0, OPT_VERSION},
    {"excel", no_argument, 0, OPT_EXCEL},
    {"width", required_argument, 0, OPT_WIDTH},
    {"trend", required_argument, 0, OPT_TREND},
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
    if (option == OPT_EXCEL) {
        a->excel = true;
        return 0;
    }
    if (option == OPT_WIDTH)
        return cli_int (a->cli, "width", value, 0, 10000, &a->width);
    if (option == OPT_TREND)
        return cli_int (a->cli, "trend", value, 2, 24, &a->trend);
    const char **slot[] = {NULL,      &a->ruleset, &a->period,
                           &a->as_of, &a->format,  &a->output};
    *slot[option] = value;
    return 0;
}

/* The table's width: --width, else the terminal's when standard output
   is one (and not redirected by --output), else no limit. */
static size_t
s_width (const s_args_t *a)
{
    if (a->width >= 0)
        return (size_t)a->width;
    struct winsize size;
    if (a->output || !isatty (STDOUT_FILENO) ||
        ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_col == 0)
        return 0;
    return size.ws_col;
}

/* Asks for the reports of the trend->N - 1 periods before the one of
   json, oldest first, into history[]. Returns 0, or 1 after a message. */
static int
s_history (s_args_t *a, const char *json, char **history, size_t count)
{
    cJSON *doc = cJSON_Parse (json);
    const char *text =
        cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (doc, "period"));
    proto_period_t period;
    if (!text || proto_period_parse (text, &period) != 0) {
        cJSON_Delete (doc);
        cli_error (a->cli, "--trend: the report names no period");
        return 1;
    }
    cJSON_Delete (doc);
    for (size_t k = 0; k < count; k++) {
        proto_query_t q = {.kind = PROTO_QUERY_REPORT};
        proto_period_t before = period;
        before.code -= (int32_t)(count - k);
        snprintf (q.ruleset, sizeof (q.ruleset), "%s", a->ruleset);
        proto_period_format (before, q.period);
        if (cli_query (a->cli, &q, &history[k]) != 0)
            return 1;
    }
    return 0;
}

/* Writes the report in the asked form. Returns 0 or 1 (after a message). */
static int
s_write (s_args_t *a, const char *json)
{
    char err[FORMAT_ERR_MAX];
    bool xlsx = strcmp (a->format, "xlsx") == 0;
    if (xlsx) {
        size_t count = a->trend ? (size_t)a->trend - 1 : 0;
        char *history[24] = {NULL};
        int rc = count ? s_history (a, json, history, count) : 0;
        if (rc == 0 && format_xlsx_trend (json, (const char *const *)history,
                                          count, a->output, err) != 0) {
            cli_error (a->cli, "%s", err);
            rc = 1;
        }
        for (size_t k = 0; k < count; k++)
            free (history[k]);
        return rc;
    }
    FILE *out = stdout;
    if (a->output && !(out = fopen (a->output, "w"))) {
        cli_error (a->cli, "cannot write %s: %s", a->output, strerror (errno));
        return 1;
    }
    int rc;
    snprintf (err, sizeof (err), "cannot write the report");
    if (strcmp (a->format, "json") == 0)
        rc = fprintf (out, "%s\n", json) < 0 ? -1 : 0;
    else if (strcmp (a->format, "csv") == 0)
        rc = a->excel ? format_csv_excel (json, out, err)
                      : format_csv (json, out, err);
    else if (strcmp (a->format, "html") == 0)
        rc = format_html (json, out, err);
    else
        rc = format_table_fit (json, out, s_width (a), err);
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

/* Checks the options that depend on each other. Returns 0, or
   CLI_EXIT_USAGE after a message. */
static int
s_check (const s_args_t *a)
{
    const char *formats[] = {"table", "csv", "json", "xlsx", "html"};
    bool known = false;
    for (size_t i = 0; i < 5; i++)
        known = known || strcmp (a->format, formats[i]) == 0;
    const char *why = !known ? "--format must be table, csv, json, xlsx or html"
                      : strcmp (a->format, "xlsx") == 0 && !a->output
                          ? "--format xlsx needs --output FILE.xlsx"
                      : a->excel && strcmp (a->format, "csv") != 0
                          ? "--excel goes with --format csv"
                      : a->trend && strcmp (a->format, "xlsx") != 0
                          ? "--trend goes with --format xlsx"
                      : a->width >= 0 && strcmp (a->format, "table") != 0
                          ? "--width goes with --format table"
                          : NULL;
    if (why) {
        cli_error (a->cli, "%s", why);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int
cli_report (cli_t *cli, int argc, char **argv)
{
    s_args_t a = {cli, "jintai-2025", NULL, NULL, "table", NULL, false,
                  0,   false,         -1,   0};
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
    /* No event is earlier, and 0 would mean "now" on the wire. */
    if (a.as_of && (q.as_of < PROTO_TIME_MIN || q.as_of >= PROTO_TIME_MAX)) {
        cli_error (cli,
                   "bad --as-of %s: no event is before 2000-01-01 or after "
                   "2099-12-31",
                   a.as_of);
        return CLI_EXIT_USAGE;
    }
    if ((rc = s_check (&a)) != 0)
        return rc;
    char *json;
    if (cli_query (cli, &q, &json) != 0)
        return 1;
    rc = s_write (&a, json);
    free (json);
    return rc;
}
