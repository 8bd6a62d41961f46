/*  cli_appeals: hotline appeals, publish and diff (docs/appeals.md). */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *s_appeals_help =
    "usage: hotline appeals [--unit U] [--state open|granted|rejected]\n"
    "                       [--format table|json]\n"
    "\n"
    "The appeals (申诉) and exemptions (核减), from the events appealed,\n"
    "exempted, appeal_rejected and unexempted: per ticket and unit, the\n"
    "state, the unit's reason, the decision, who made it, the counters an\n"
    "exemption took out, and the points it moved per ruleset and period.\n"
    "\n"
    "  --unit U        only this unit's\n"
    "  --state S       only open, granted or rejected ones\n"
    "  --format F      table (default) or json\n";

static const char *s_publish_help =
    "usage: hotline publish --ruleset ID --period P [--note TEXT] [--force]\n"
    "\n"
    "Freezes the scorecard of a ruleset and period as published: the report\n"
    "as `hotline report --format json` prints it now, with a \"published\"\n"
    "member (version, at, note, events in the log, the ruleset text's\n"
    "sha256). Publishing again makes the next version (an amendment). The\n"
    "stored bytes never change after: `hotline report --published` prints\n"
    "them, `hotline diff` compares them with the live scorecard.\n"
    "\n"
    "  --ruleset ID    the ruleset\n"
    "  --period P      YYYY-MM or YYYY-Qn\n"
    "  --note TEXT     what this version is for\n"
    "  --force         publish a period that has not ended on the daemon's\n"
    "                  clock\n";

static const char *s_diff_help =
    "usage: hotline diff --ruleset ID --period P [--version N]\n"
    "                    [--format table|json]\n"
    "\n"
    "What changed between a published scorecard (the latest version, or\n"
    "--version N) and the live one: every unit's item, total or rank that\n"
    "differs, and how many events came since it was published.\n";

typedef struct {
    cli_t *cli;          /* for messages */
    const char *ruleset; /* --ruleset */
    const char *period;  /* --period */
    const char *unit;    /* --unit */
    const char *state;   /* --state */
    const char *note;    /* --note */
    const char *format;  /* --format */
    bool force;          /* --force */
    long version;        /* --version */
} s_args_t;

enum {
    OPT_RULESET = 1,
    OPT_PERIOD,
    OPT_UNIT,
    OPT_STATE,
    OPT_NOTE,
    OPT_FORMAT,
    OPT_FORCE,
    OPT_VERSION
};

static int
s_option (void *arg, int option, const char *value)
{
    s_args_t *a = arg;
    switch (option) {
    case OPT_FORCE:
        a->force = true;
        return 0;
    case OPT_VERSION:
        return cli_int (a->cli, "version", value, 1, 1000000, &a->version);
    default: {
        const char **slot[] = {NULL,      &a->ruleset, &a->period, &a->unit,
                               &a->state, &a->note,    &a->format};
        *slot[option] = value;
        return 0;
    }
    }
}

/* Parses, checks the operands and the format; fills the query's ruleset
   and period when the command needs them. Returns -1 to go on, else the
   exit code. */
static int
s_start (cli_t *cli, int argc, char **argv, const struct option *options,
         const char *help, s_args_t *a, bool needs_period, proto_query_t *q)
{
    int first;
    int rc = cli_parse (cli, argc, argv, options, s_option, a, help, &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    if (argc - first != 0) {
        cli_error (cli, "unexpected argument %s (hotline %s --help)",
                   argv[first], cli->command);
        return CLI_EXIT_USAGE;
    }
    if (strcmp (a->format, "table") && strcmp (a->format, "json")) {
        cli_error (cli, "--format must be table or json");
        return CLI_EXIT_USAGE;
    }
    if (needs_period && (!a->ruleset || !a->period)) {
        cli_error (cli,
                   "--ruleset and --period are required (hotline %s "
                   "--help)",
                   cli->command);
        return CLI_EXIT_USAGE;
    }
    const struct {
        char *dest;
        size_t size;
        const char *value, *name;
    } fields[] = {{q->ruleset, sizeof (q->ruleset), a->ruleset, "ruleset"},
                  {q->period, sizeof (q->period), a->period, "period"},
                  {q->unit, sizeof (q->unit), a->unit, "unit"},
                  {q->state, sizeof (q->state), a->state, "state"},
                  {q->note, sizeof (q->note), a->note, "note"}};
    for (size_t i = 0; i < sizeof (fields) / sizeof (fields[0]); i++)
        if ((size_t)snprintf (fields[i].dest, fields[i].size, "%s",
                              fields[i].value ? fields[i].value : "") >=
            fields[i].size) {
            cli_error (cli, "--%s is too long", fields[i].name);
            return CLI_EXIT_USAGE;
        }
    q->force = a->force;
    q->version = (uint32_t)a->version;
    return -1;
}

static const char *
s_text (const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem (o, name);
    return cJSON_IsString (v) ? v->valuestring : "";
}

/* The appeals for people: one line each, then the points moved. */
static void
s_appeals_table (const char *json)
{
    cJSON *doc = cJSON_Parse (json);
    const cJSON *a, *p;
    cJSON_ArrayForEach (a, cJSON_GetObjectItem (doc, "appeals"))
    {
        printf ("%s  %s  %s  %s%s%s\n", s_text (a, "ticket_id"),
                s_text (a, "unit_id"), s_text (a, "state"),
                s_text (a, "reason"), *s_text (a, "decision") ? " / " : "",
                s_text (a, "decision"));
        if (*s_text (a, "counters"))
            printf ("    exempted: %s, by %s\n", s_text (a, "counters"),
                    s_text (a, "by"));
        cJSON_ArrayForEach (p, cJSON_GetObjectItem (a, "points"))
        {
            printf ("    %s %s: %+.2f points\n", s_text (p, "ruleset"),
                    s_text (p, "period"),
                    cJSON_GetNumberValue (cJSON_GetObjectItem (p, "moved")));
        }
    }
    printf ("%d appeal(s)\n",
            (int)cJSON_GetNumberValue (cJSON_GetObjectItem (doc, "count")));
    cJSON_Delete (doc);
}

/* The diff for people: one line per changed cell. */
static void
s_diff_table (const char *json)
{
    cJSON *doc = cJSON_Parse (json);
    const cJSON *c;
    printf (
        "%s %s: version %d, %d events since\n", s_text (doc, "ruleset"),
        s_text (doc, "period"),
        (int)cJSON_GetNumberValue (cJSON_GetObjectItem (doc, "version")),
        (int)cJSON_GetNumberValue (cJSON_GetObjectItem (doc, "events_since")));
    int n = 0;
    cJSON_ArrayForEach (c, cJSON_GetObjectItem (doc, "changes"))
    {
        const cJSON *then = cJSON_GetObjectItem (c, "published");
        const cJSON *now = cJSON_GetObjectItem (c, "now");
        char a[32] = "-", b[32] = "-";
        if (cJSON_IsNumber (then))
            snprintf (a, sizeof (a), "%g", then->valuedouble);
        if (cJSON_IsNumber (now))
            snprintf (b, sizeof (b), "%g", now->valuedouble);
        printf ("  %s  %s: %s -> %s\n", s_text (c, "unit_id"),
                s_text (c, "field"), a, b);
        n++;
    }
    printf ("%d change(s)\n", n);
    cJSON_Delete (doc);
}

/* Asks; prints the answer as JSON or through `table`. */
static int
s_answer (cli_t *cli, const proto_query_t *q, const char *format,
          void (*table) (const char *))
{
    char *json;
    if (cli_query (cli, q, &json) != 0)
        return 1;
    if (strcmp (format, "json") == 0 || !table)
        printf ("%s\n", json);
    else
        table (json);
    free (json);
    return 0;
}

int
cli_appeals (cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"unit", required_argument, 0, OPT_UNIT},
        {"state", required_argument, 0, OPT_STATE},
        {"format", required_argument, 0, OPT_FORMAT},
        {0, 0, 0, 0}};
    s_args_t a = {.cli = cli, .format = "table"};
    proto_query_t q = {.kind = PROTO_QUERY_APPEALS};
    int rc = s_start (cli, argc, argv, options, s_appeals_help, &a, false, &q);
    return rc >= 0 ? rc : s_answer (cli, &q, a.format, s_appeals_table);
}

int
cli_publish (cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"ruleset", required_argument, 0, OPT_RULESET},
        {"period", required_argument, 0, OPT_PERIOD},
        {"note", required_argument, 0, OPT_NOTE},
        {"force", no_argument, 0, OPT_FORCE},
        {0, 0, 0, 0}};
    s_args_t a = {.cli = cli, .format = "json"};
    proto_query_t q = {.kind = PROTO_QUERY_PUBLISH};
    int rc = s_start (cli, argc, argv, options, s_publish_help, &a, true, &q);
    if (rc >= 0)
        return rc;
    char *json;
    if (cli_query (cli, &q, &json) != 0)
        return 1;
    cJSON *doc = cJSON_Parse (json);
    const cJSON *pub = cJSON_GetObjectItem (doc, "published");
    printf ("published %s %s as version %d (%d events, ruleset sha256 "
            "%.12s...)\n",
            q.ruleset, q.period,
            (int)cJSON_GetNumberValue (cJSON_GetObjectItem (pub, "version")),
            (int)cJSON_GetNumberValue (cJSON_GetObjectItem (pub, "events")),
            s_text (pub, "ruleset_sha256"));
    cJSON_Delete (doc);
    free (json);
    return 0;
}

int
cli_diff (cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"ruleset", required_argument, 0, OPT_RULESET},
        {"period", required_argument, 0, OPT_PERIOD},
        {"version", required_argument, 0, OPT_VERSION},
        {"format", required_argument, 0, OPT_FORMAT},
        {0, 0, 0, 0}};
    s_args_t a = {.cli = cli, .format = "table"};
    proto_query_t q = {.kind = PROTO_QUERY_DIFF};
    int rc = s_start (cli, argc, argv, options, s_diff_help, &a, true, &q);
    return rc >= 0 ? rc : s_answer (cli, &q, a.format, s_diff_table);
}
