/*  cli_units: hotline units import FILE.csv, hotline units list
    (docs/units.md). */
#include "cli.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *s_help =
    "usage: hotline units import FILE.csv [--config FILE] [--endpoint EP]\n"
    "       hotline units list [--config FILE] [--endpoint EP]\n"
    "\n"
    "import loads or updates the units registry from a CSV file with the "
    "header\n"
    "unit_id,name,group (UTF-8; quoted fields may hold commas and line\n"
    "breaks). A unit already registered keeps its place in the registry\n"
    "order and takes the new name and group. The file is checked whole\n"
    "first: any bad line is named and nothing is imported.\n"
    "\n"
    "Prints {\"units\":N,\"added\":M} from the daemon.\n"
    "\n"
    "list prints the registry, in registry order, as JSON:\n"
    "{\"count\":N,\"units\":[{\"unit_id\",\"name\",\"group\"}...]}.\n";

/* Appends one unit; returns -1 when out of memory. */
static int
s_push (proto_query_t *q, size_t *capacity, char **fields)
{
    if (q->unit_count == *capacity) {
        *capacity = *capacity ? *capacity * 2 : 64;
        proto_unit_t *grown = realloc (q->units, *capacity * sizeof (*grown));
        if (!grown)
            return -1;
        q->units = grown;
    }
    proto_unit_t *u = &q->units[q->unit_count++];
    snprintf (u->unit_id, sizeof (u->unit_id), "%s", fields[0]);
    snprintf (u->name, sizeof (u->name), "%s", fields[1]);
    snprintf (u->group, sizeof (u->group), "%s", fields[2]);
    return 0;
}

/* Why a record is not a unit, or NULL. */
static const char *
s_check (char **fields, size_t n)
{
    return n != 3        ? "needs exactly 3 fields: unit_id,name,group"
           : !*fields[0] ? "empty unit_id"
           : !*fields[2] ? "empty group"
           : strlen (fields[0]) > PROTO_ID_MAX ? "unit_id longer than 64 bytes"
           : strlen (fields[1]) > PROTO_REASON_MAX
               ? "name longer than 256 bytes"
           : strlen (fields[2]) > PROTO_ID_MAX ? "group longer than 64 bytes"
                                               : NULL;
}

/* Reads the whole file into q. Returns the count of bad lines (each
   named on stderr), or -1 when the file cannot be read. */
static int
s_read (cli_t *cli, const char *path, proto_query_t *q)
{
    FILE *file = fopen (path, "r");
    if (!file) {
        cli_error (cli, "cannot open %s: %s", path, strerror (errno));
        return -1;
    }
    proto_csv_t *csv = proto_csv_new (file);
    size_t capacity = 0, n;
    char **fields;
    int errors = 0, rc;
    bool header = true;
    while (csv && (rc = proto_csv_next (csv, &fields, &n)) == 1) {
        unsigned line = proto_csv_line (csv);
        if (header) {
            header = false;
            if (n != 3 || strcmp (fields[0], "unit_id") ||
                strcmp (fields[1], "name") || strcmp (fields[2], "group")) {
                fprintf (stderr,
                         "hotline units: %s:%u: the header must be "
                         "unit_id,name,group\n",
                         path, line);
                errors++;
                break;
            }
            continue;
        }
        if (n == 1 && !*fields[0])
            continue; /* a blank line */
        const char *why = s_check (fields, n);
        if (why) {
            fprintf (stderr, "hotline units: %s:%u: %s\n", path, line, why);
            errors++;
        } else if (s_push (q, &capacity, fields) != 0) {
            cli_error (cli, "out of memory");
            errors++;
            break;
        }
    }
    if (csv && rc < 0) {
        const char *why = proto_csv_error (csv);
        if (strncmp (why, "line ", 5) == 0)
            fprintf (stderr, "hotline units: %s:%s\n", path, why + 5);
        else
            fprintf (stderr, "hotline units: %s: %s\n", path, why);
        errors++;
    }
    proto_csv_destroy (&csv);
    fclose (file);
    return errors;
}

/* The daemon's warnings (groups no ruleset names), on stderr too. */
static void
s_print_warnings (const char *json)
{
    cJSON *doc = cJSON_Parse (json);
    const cJSON *warning;
    cJSON_ArrayForEach (warning, cJSON_GetObjectItem (doc, "warnings"))
    {
        if (cJSON_IsString (warning))
            fprintf (stderr, "hotline units: warning: %s\n",
                     warning->valuestring);
    }
    cJSON_Delete (doc);
}

int
cli_units (cli_t *cli, int argc, char **argv)
{
    int first;
    int rc = cli_parse (cli, argc, argv, NULL, NULL, NULL, s_help, &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    if (argc - first == 1 && strcmp (argv[first], "list") == 0) {
        proto_query_t list = {.kind = PROTO_QUERY_UNITS};
        return cli_query_print (cli, &list);
    }
    if (argc - first != 2 || strcmp (argv[first], "import") != 0) {
        cli_error (cli,
                   "usage: hotline units import FILE.csv | hotline units list");
        return CLI_EXIT_USAGE;
    }
    const char *path = argv[first + 1];
    proto_query_t q = {.kind = PROTO_QUERY_UNITS_IMPORT};
    int errors = s_read (cli, path, &q);
    /* All or nothing: a registry half-imported from a bad file would
       silently move units between tables. */
    if (errors) {
        if (errors > 0)
            fprintf (stderr,
                     "hotline units: %s: %d bad line%s, nothing "
                     "imported\n",
                     path, errors, errors > 1 ? "s" : "");
        free (q.units);
        return 1;
    }
    char *json;
    rc = cli_query (cli, &q, &json);
    free (q.units);
    if (rc != 0)
        return rc;
    printf ("%s\n", json);
    s_print_warnings (json);
    free (json);
    return 0;
}
