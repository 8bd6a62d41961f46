/*  cli_calendar: hotline calendar import FILE, hotline calendar show
    [YEAR] (docs/calendar.md). */
#include "calendar.h"
#include "cli.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *s_help =
    "usage: hotline calendar import FILE [--endpoint EP]\n"
    "       hotline calendar show [YEAR] [--format table|json]\n"
    "\n"
    "The working calendar the daemon measures time limits, windows and\n"
    "warnings with (docs/calendar.md).\n"
    "\n"
    "import adds or replaces the years a file gives, in the daemon's\n"
    "store: a year's notice as holiday-cn publishes it\n"
    "  {\"year\":2027,\"days\":[{\"name\":\"元旦\",\"date\":\"2027-01-01\","
    "\"isOffDay\":true}...]}\n"
    "(or an array of such years), chinese-days' {\"holidays\":{...},\n"
    "\"workdays\":{...}}, or holiday-calendar's {\"year\",\"dates\"}. The "
    "file\n"
    "is checked whole first: a fault is named by line and field and nothing\n"
    "is imported. New events are measured with the new calendar at once;\n"
    "`hotline replay` (daemon stopped) measures the stored ones again.\n"
    "\n"
    "show prints the calendar in force: without YEAR its settings and\n"
    "years (shipped or imported), with YEAR the days off and the make-up\n"
    "working days of that year's notice.\n"
    "\n"
    "  --format F      table (default) or json\n"
    "  --endpoint EP   the query endpoint; --config FILE, --timeout MS\n";

/* Reads the whole file (at most PROTO_BODY_MAX bytes) into *text. */
static int
s_read (cli_t *cli, const char *path, char **text, size_t *size)
{
    FILE *file = fopen (path, "rb");
    if (!file) {
        cli_error (cli, "cannot open %s: %s", path, strerror (errno));
        return -1;
    }
    *text = malloc (PROTO_BODY_MAX + 1);
    *size = *text ? fread (*text, 1, PROTO_BODY_MAX + 1, file) : 0;
    bool failed = !*text || ferror (file);
    fclose (file);
    if (failed || *size > PROTO_BODY_MAX) {
        cli_error (cli, "%s: %s", path,
                   failed ? "cannot read it" : "larger than 4 MiB");
        free (*text);
        return -1;
    }
    return 0;
}

static int
s_import (cli_t *cli, const char *path)
{
    char *text;
    size_t size;
    if (s_read (cli, path, &text, &size) != 0)
        return 1;
    /* Checked here first, so that a fault is named with the file's name
       (the daemon checks it again before it stores anything). */
    char err[CALENDAR_ERR_MAX];
    calendar_t *file = calendar_parse (text, size, err);
    if (!file) {
        cli_error (cli, "%s: %s; nothing imported", path, err);
        free (text);
        return 1;
    }
    calendar_destroy (&file);
    proto_query_t q = {
        .kind = PROTO_QUERY_CALENDAR_IMPORT, .body = text, .body_size = size};
    int rc = cli_query_print (cli, &q);
    free (text);
    return rc;
}

static const char *
s_text (const cJSON *object, const char *name)
{
    const cJSON *value = cJSON_GetObjectItem (object, name);
    return cJSON_IsString (value) ? value->valuestring : "";
}

/* "2026-01-04 Sun  元旦" lines of a list of days. */
static void
s_days (const cJSON *days, const char *title)
{
    static const char *weekdays[7] = {"Sun", "Mon", "Tue", "Wed",
                                      "Thu", "Fri", "Sat"};
    printf ("%s (%d):\n", title, cJSON_GetArraySize (days));
    const cJSON *day;
    cJSON_ArrayForEach (day, days)
    {
        const char *date = s_text (day, "date");
        int y = 0, m = 0, d = 0;
        int32_t n = sscanf (date, "%d-%d-%d", &y, &m, &d) == 3
                        ? calendar_date (y, m, d)
                        : -1;
        printf ("  %s %s  %s\n", date, n >= 0 ? weekdays[(n + 4) % 7] : "?",
                s_text (day, "name"));
    }
}

static void
s_table (const cJSON *doc)
{
    const cJSON *year = cJSON_GetObjectItem (doc, "year");
    if (cJSON_IsNumber (year)) {
        printf ("%d, calendar %s (%s)\n", year->valueint,
                s_text (doc, "calendar"), s_text (doc, "source"));
        s_days (cJSON_GetObjectItem (doc, "days_off"), "days off");
        s_days (cJSON_GetObjectItem (doc, "working_days"),
                "make-up working days");
        return;
    }
    const cJSON *windows = cJSON_GetObjectItem (doc, "windows");
    printf ("calendar %s\nworking hours %s\nwindows: sign %s, contact %s, "
            "return %s\nyears:",
            s_text (doc, "calendar"), s_text (doc, "working_hours"),
            s_text (windows, "sign"), s_text (windows, "contact"),
            s_text (windows, "return"));
    const cJSON *y;
    cJSON_ArrayForEach (y, cJSON_GetObjectItem (doc, "years"))
    {
        const cJSON *n = cJSON_GetObjectItem (y, "year");
        printf (" %d%s", cJSON_IsNumber (n) ? n->valueint : 0,
                strcmp (s_text (y, "source"), "imported") == 0 ? " (imported)"
                                                               : "");
    }
    printf ("\n");
}

static int
s_show (cli_t *cli, const char *year, const char *format)
{
    proto_query_t q = {.kind = PROTO_QUERY_CALENDAR};
    long n = 0;
    if (year && cli_int (cli, "YEAR", year, 2000, 2099, &n) != 0)
        return CLI_EXIT_USAGE;
    q.year = (int32_t)n;
    char *json;
    if (cli_query (cli, &q, &json) != 0)
        return 1;
    if (strcmp (format, "json") == 0)
        printf ("%s\n", json);
    else {
        cJSON *doc = cJSON_Parse (json);
        if (doc)
            s_table (doc);
        else
            printf ("%s\n", json);
        cJSON_Delete (doc);
    }
    free (json);
    return 0;
}

enum { OPT_FORMAT = 1 };

static int
s_option (void *arg, int option, const char *value)
{
    (void)option;
    *(const char **)arg = value;
    return 0;
}

int
cli_calendar (cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"format", required_argument, 0, OPT_FORMAT}, {0, 0, 0, 0}};
    const char *format = "table";
    int first;
    int rc =
        cli_parse (cli, argc, argv, options, s_option, &format, s_help, &first);
    if (rc != 0)
        return rc > 0 ? 0 : CLI_EXIT_USAGE;
    int words = argc - first;
    const char *verb = words ? argv[first] : "";
    if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0) {
        cli_error (cli, "--format must be table or json");
        return CLI_EXIT_USAGE;
    }
    if (strcmp (verb, "import") == 0 && words == 2)
        return s_import (cli, argv[first + 1]);
    if (strcmp (verb, "show") == 0 && words <= 2)
        return s_show (cli, words == 2 ? argv[first + 1] : NULL, format);
    cli_error (cli, "usage: hotline calendar import FILE | hotline calendar "
                    "show [YEAR] (hotline calendar --help)");
    return CLI_EXIT_USAGE;
}
