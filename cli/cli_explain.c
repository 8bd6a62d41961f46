/*  cli_explain: hotline explain and hotline ticket (docs/explain.md). */
#include "cli.h"
#include "format.h"

#include <stdlib.h>
#include <string.h>

static const char *s_explain_help =
    "usage: hotline explain --ruleset ID --period P --unit U [--item I]\n"
    "                       [--format table|json]\n"
    "\n"
    "Why a unit has the points it has: per item of the ruleset, its points,\n"
    "value and lost points, the formula and the values it read, and every\n"
    "ticket behind each lost point (the late closures, late returns,\n"
    "unsatisfied revisits... that the item's value depends on), each with\n"
    "when and why. Exempted tickets are listed apart.\n"
    "\n"
    "  --ruleset ID    the ruleset (hotline rulesets lists them)\n"
    "  --period P      YYYY-MM, or YYYY-Qn for a quarterly ruleset\n"
    "  --unit U        the unit's id\n"
    "  --item I        only this item\n"
    "  --format F      table (default) or json\n"
    "  --endpoint EP   the query endpoint; --config FILE, --timeout MS\n";

static const char *s_ticket_help =
    "usage: hotline ticket TICKET_ID [--format table|json]\n"
    "\n"
    "One ticket: the unit it is with, its state, its deadline in force, its\n"
    "events in order, and every period and counter it counted in (for\n"
    "each unit it was with).\n"
    "\n"
    "  --format F      table (default) or json\n"
    "  --endpoint EP   the query endpoint; --config FILE, --timeout MS\n";

typedef struct {
    const char *ruleset; /* --ruleset */
    const char *period;  /* --period */
    const char *unit;    /* --unit */
    const char *item;    /* --item */
    const char *format;  /* --format */
} s_args_t;

enum { OPT_RULESET = 1, OPT_PERIOD, OPT_UNIT, OPT_ITEM, OPT_FORMAT };
static const struct option s_options[] = {
    {"ruleset", required_argument, 0, OPT_RULESET},
    {"period", required_argument, 0, OPT_PERIOD},
    {"unit", required_argument, 0, OPT_UNIT},
    {"item", required_argument, 0, OPT_ITEM},
    {"format", required_argument, 0, OPT_FORMAT},
    {0, 0, 0, 0}};

static int
s_option (void *arg, int option, const char *value)
{
    s_args_t *a = arg;
    const char **slot[] = {NULL,     &a->ruleset, &a->period,
                           &a->unit, &a->item,    &a->format};
    *slot[option] = value;
    return 0;
}

/* Copies an option into a query field; a usage error when too long. */
static int
s_field (cli_t *cli, char *dest, size_t size, const char *name,
         const char *value)
{
    if ((size_t)snprintf (dest, size, "%s", value ? value : "") < size)
        return 0;
    cli_error (cli, "--%s is too long", name);
    return -1;
}

typedef int (s_table_fn) (const char *json, FILE *out, char *err);

/* Asks, then prints the answer as JSON or through `table`. */
static int
s_answer (cli_t *cli, const proto_query_t *q, const char *format,
          s_table_fn *table)
{
    char *json;
    if (cli_query (cli, q, &json) != 0)
        return 1;
    int rc = 0;
    if (strcmp (format, "json") == 0)
        printf ("%s\n", json);
    else {
        char err[FORMAT_ERR_MAX];
        if (table (json, stdout, err) != 0) {
            cli_error (cli, "%s", err);
            rc = 1;
        }
    }
    free (json);
    return rc;
}

static int
s_format_ok (cli_t *cli, const char *format)
{
    if (strcmp (format, "table") == 0 || strcmp (format, "json") == 0)
        return 0;
    cli_error (cli, "--format must be table or json");
    return -1;
}

int
cli_explain (cli_t *cli, int argc, char **argv)
{
    s_args_t a = {NULL, NULL, NULL, NULL, "table"};
    int first;
    int rc = cli_parse (cli, argc, argv, s_options, s_option, &a,
                        s_explain_help, &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    if (argc - first != 0) {
        cli_error (cli, "unexpected argument %s (hotline explain --help)",
                   argv[first]);
        return CLI_EXIT_USAGE;
    }
    if (!a.ruleset || !a.period || !a.unit) {
        cli_error (cli, "--ruleset, --period and --unit are required "
                        "(hotline explain --help)");
        return CLI_EXIT_USAGE;
    }
    proto_query_t q = {.kind = PROTO_QUERY_EXPLAIN};
    if (s_format_ok (cli, a.format) ||
        s_field (cli, q.ruleset, sizeof (q.ruleset), "ruleset", a.ruleset) ||
        s_field (cli, q.period, sizeof (q.period), "period", a.period) ||
        s_field (cli, q.unit, sizeof (q.unit), "unit", a.unit) ||
        s_field (cli, q.item, sizeof (q.item), "item", a.item))
        return CLI_EXIT_USAGE;
    return s_answer (cli, &q, a.format, format_explain_table);
}

int
cli_ticket (cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"format", required_argument, 0, OPT_FORMAT}, {0, 0, 0, 0}};
    s_args_t a = {NULL, NULL, NULL, NULL, "table"};
    int first;
    int rc = cli_parse (cli, argc, argv, options, s_option, &a, s_ticket_help,
                        &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    if (argc - first != 1) {
        cli_error (cli, "usage: hotline ticket TICKET_ID (hotline ticket "
                        "--help)");
        return CLI_EXIT_USAGE;
    }
    proto_query_t q = {.kind = PROTO_QUERY_TICKET};
    if (s_format_ok (cli, a.format) ||
        s_field (cli, q.ticket, sizeof (q.ticket), "ticket", argv[first]))
        return CLI_EXIT_USAGE;
    return s_answer (cli, &q, a.format, format_ticket_table);
}
