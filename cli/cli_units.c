/*  cli_units: hotline units import FILE.csv, hotline units list
    (docs/units.md). */
#include "cli.h"

#include <cjson/cJSON.h>
#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *s_help =
    "usage: hotline units import FILE.csv [--encoding utf-8|gbk]\n"
    "                            [--config FILE] [--endpoint EP]\n"
    "       hotline units list [--config FILE] [--endpoint EP]\n"
    "\n"
    "import loads or updates the units registry from a CSV file with the "
    "header\n"
    "unit_id,name,group (quoted fields may hold commas and line breaks).\n"
    "A unit already registered keeps its place in the registry order and\n"
    "takes the new name and group. The file is checked whole first: any\n"
    "bad line is named and nothing is imported (a unit_id twice in the\n"
    "file is one). Spaces around a field are dropped and an empty name\n"
    "is taken, each with a warning naming the line.\n"
    "\n"
    "  --encoding E    utf-8 (default; a byte order mark is skipped) or\n"
    "                  gbk, as Excel and WPS save CSV on Chinese Windows\n"
    "\n"
    "Prints {\"units\":N,\"added\":M} from the daemon.\n"
    "\n"
    "list prints the registry, in registry order, as JSON:\n"
    "{\"count\":N,\"units\":[{\"unit_id\",\"name\",\"group\"}...]}.\n";

enum { OPT_ENCODING = 1 };
static const struct option s_options[] = {
    {"encoding", required_argument, 0, OPT_ENCODING}, {0, 0, 0, 0}};

typedef struct {
    cli_t *cli;              /* for messages */
    cli_encoding_t encoding; /* --encoding */
} s_args_t;

static int
s_option (void *arg, int option, const char *value)
{
    s_args_t *a = arg;
    (void)option;
    return cli_encoding_parse (a->cli, value, &a->encoding);
}

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

/* Opens the file as UTF-8 text in memory: converted from GBK when asked,
   refused naming the line when it is not in the encoding. Returns the
   stream (the caller closes it, then frees *text), or NULL after a
   message: *bad is then 1 for a line in another encoding, else 0. */
static FILE *
s_open_text (cli_t *cli, const char *path, cli_encoding_t encoding, char **text,
             int *bad)
{
    *bad = 0;
    *text = NULL;
    FILE *file = fopen (path, "rb");
    if (!file) {
        cli_error (cli, "cannot open %s: %s", path, strerror (errno));
        return NULL;
    }
    size_t size = 0, utf8_size = 0;
    char *raw = cli_read_all (file, &size);
    fclose (file);
    if (!raw) {
        cli_error (cli, "cannot read %s", path);
        return NULL;
    }
    unsigned line;
    *text = cli_text_utf8 (encoding, raw, size, &utf8_size, &line);
    /* fmemopen refuses an empty buffer; an empty file reads as one. */
    FILE *memory = !*text      ? NULL
                   : utf8_size ? fmemopen (*text, utf8_size, "r")
                               : tmpfile ();
    if (!*text && line) {
        fprintf (stderr, "hotline units: %s:%u: %s\n", path, line,
                 cli_encoding_why (encoding, raw, size));
        *bad = 1;
    } else if (!memory)
        cli_error (cli, "out of memory");
    free (raw);
    if (!memory) {
        free (*text);
        *text = NULL;
    }
    return memory;
}

/* Drops spaces and tabs around each of the three fields, warning about
   each, and warns about an empty name: both are taken, but are seldom
   meant. */
static void
s_tidy (char **fields, const char *path, unsigned line)
{
    static const char *names[3] = {"unit_id", "name", "group"};
    for (int i = 0; i < 3; i++) {
        char *start = fields[i], *end = start + strlen (start);
        while (*start == ' ' || *start == '\t')
            start++;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (start == fields[i] && *end == 0)
            continue;
        *end = 0;
        fields[i] = start;
        fprintf (stderr,
                 "hotline units: %s:%u: warning: spaces around %s (taken as "
                 "\"%s\")\n",
                 path, line, names[i], start);
    }
    if (!*fields[1])
        fprintf (stderr,
                 "hotline units: %s:%u: warning: empty name (reports show "
                 "the unit without one)\n",
                 path, line);
}

/* Reads the whole file into q. Returns the count of bad lines (each
   named on stderr), or -1 when the file cannot be read. */
static int
s_read (cli_t *cli, const char *path, cli_encoding_t encoding, proto_query_t *q)
{
    char *text;
    int bad;
    FILE *file = s_open_text (cli, path, encoding, &text, &bad);
    if (!file)
        return bad ? 1 : -1;
    proto_csv_t *csv = proto_csv_new (file);
    size_t capacity = 0, n;
    char **fields;
    int errors = 0, rc = 0;
    bool header = true;
    zhashx_t *lines = zhashx_new (); /* unit_id -> its line, for repeats */
    while (csv && lines && (rc = proto_csv_next (csv, &fields, &n)) == 1) {
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
        if (n == 3)
            s_tidy (fields, path, line);
        const char *why = s_check (fields, n);
        uintptr_t seen = why ? 0 : (uintptr_t)zhashx_lookup (lines, fields[0]);
        if (why) {
            fprintf (stderr, "hotline units: %s:%u: %s\n", path, line, why);
            errors++;
        } else if (seen) {
            fprintf (stderr,
                     "hotline units: %s:%u: unit_id %s is already on line "
                     "%u\n",
                     path, line, fields[0], (unsigned)seen);
            errors++;
        } else if (zhashx_insert (lines, fields[0], (void *)(uintptr_t)line) !=
                       0 ||
                   s_push (q, &capacity, fields) != 0) {
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
    zhashx_destroy (&lines);
    proto_csv_destroy (&csv);
    fclose (file);
    free (text);
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
    s_args_t a = {cli, CLI_UTF8};
    int first;
    int rc =
        cli_parse (cli, argc, argv, s_options, s_option, &a, s_help, &first);
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
    int errors = s_read (cli, path, a.encoding, &q);
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
