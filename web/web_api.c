/*  web_api: the JSON API's read endpoints (docs/web.md). Each is one
    query to the query actor; the body is its JSON and a newline, the
    bytes the matching `hotline` command prints. */
#include "format.h"
#include "format_xlsx.h"
#include "web_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The status of the daemon's refusal: 404 when what was asked for does
   not exist (a ticket, a unit, a published version), else 400. */
static unsigned
s_status (const char *err)
{
    static const char *missing[] = {"unknown ticket", "unknown unit",
                                    "nothing published", "no version"};
    for (size_t i = 0; i < sizeof (missing) / sizeof (missing[0]); i++)
        if (strncmp (err, missing[i], strlen (missing[i])) == 0)
            return MHD_HTTP_NOT_FOUND;
    return MHD_HTTP_BAD_REQUEST;
}

/* Asks and answers: the JSON, 404 or 400 with the daemon's reason (an
   unknown ruleset, a bad period), 503 when it did not answer. */
static enum MHD_Result
s_ask (web__request_t *r, const proto_query_t *q)
{
    char *json, err[256];
    int rc = web__query (r, WEB__QUERY, q, WEB_WAIT_MS, &json, err);
    if (rc < 0)
        return web__error (r, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", err);
    if (rc > 0)
        return web__error (r, s_status (err), "%s", err);
    return web__json (r, MHD_HTTP_OK, json);
}

/* Copies a GET argument into a query field. Returns false (after a 400
   in *rc) when it does not fit. */
static bool
s_field (web__request_t *r, const char *name, char *field, size_t size,
         enum MHD_Result *rc)
{
    const char *value = web__arg (r, name);
    if (!value || (size_t)snprintf (field, size, "%s", value) < size)
        return true;
    *rc = web__error (r, MHD_HTTP_BAD_REQUEST, "%s is longer than %zu bytes",
                      name, size - 1);
    return false;
}

/* The report as CSV, xlsx or HTML (the printable bulletin), rendered by
   the command line's renderers (format.h) from the same JSON. CSV and
   xlsx come as attachments, HTML to be shown. */
static enum MHD_Result
s_report_file (web__request_t *r, const proto_query_t *q, const char *json,
               const char *format)
{
    bool xlsx = strcmp (format, "xlsx") == 0,
         html = strcmp (format, "html") == 0;
    char err[FORMAT_ERR_MAX], disposition[160];
    snprintf (disposition, sizeof (disposition), "%s; filename=\"%s-%s.%s\"",
              html ? "inline" : "attachment", q->ruleset,
              *q->period ? q->period : "now", format);
    const char *headers[] = {"Content-Disposition", disposition, NULL};
    char *body = NULL;
    size_t size = 0;
    int rc = -1;
    if (!xlsx) {
        FILE *out = open_memstream (&body, &size);
        rc = !out   ? -1
             : html ? format_html (json, out, err)
                    : format_csv (json, out, err);
        if (out && fclose (out) != 0)
            rc = -1;
    } else {
        /* libxlsxwriter writes a file: a private temporary one. */
        char path[] = "/tmp/hotline-web-XXXXXX.xlsx";
        int fd = mkstemps (path, 5);
        if (fd >= 0) {
            close (fd);
            rc = format_xlsx (json, path, err);
            FILE *in = rc == 0 ? fopen (path, "rb") : NULL;
            FILE *out = in ? open_memstream (&body, &size) : NULL;
            char buffer[65536];
            size_t n;
            while (out && (n = fread (buffer, 1, sizeof (buffer), in)) > 0)
                fwrite (buffer, 1, n, out);
            if (!out || fclose (out) != 0)
                rc = -1;
            if (in)
                fclose (in);
            unlink (path);
        } else
            snprintf (err, sizeof (err), "cannot make a temporary file: %s",
                      strerror (errno));
    }
    if (rc != 0) {
        free (body);
        return web__error (r, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
    }
    return web__respond (r, MHD_HTTP_OK,
                         xlsx ? "application/vnd.openxmlformats-officedocument."
                                "spreadsheetml.sheet"
                         : html ? "text/html; charset=utf-8"
                                : "text/csv; charset=utf-8",
                         body, size, headers);
}

/* published=1 (or true, yes) and version=N: the published scorecard
   (docs/appeals.md). Returns false after a 400 in *rc. */
static bool
s_published (web__request_t *r, proto_query_t *q, enum MHD_Result *rc)
{
    const char *published = web__arg (r, "published");
    const char *version = web__arg (r, "version");
    if (published && *published) {
        bool yes = !strcmp (published, "1") || !strcmp (published, "true") ||
                   !strcmp (published, "yes");
        if (!yes && strcmp (published, "0") && strcmp (published, "false") &&
            strcmp (published, "no")) {
            *rc = web__error (r, MHD_HTTP_BAD_REQUEST,
                              "published must be 1 or 0 (true or false)");
            return false;
        }
        q->published = yes;
    }
    if (version && *version) {
        char *end;
        errno = 0;
        unsigned long n = strtoul (version, &end, 10);
        if (errno || end == version || *end || n < 1 || n > 1000000) {
            *rc = web__error (r, MHD_HTTP_BAD_REQUEST,
                              "version must be a whole number from 1");
            return false;
        }
        if (!q->published) {
            *rc = web__error (r, MHD_HTTP_BAD_REQUEST,
                              "version goes with published=1");
            return false;
        }
        q->version = (uint32_t)n;
    }
    if (q->published && !*q->period) {
        *rc =
            web__error (r, MHD_HTTP_BAD_REQUEST, "published=1 needs a period");
        return false;
    }
    return true;
}

/* The report in `format`: json, csv, xlsx or html. */
static enum MHD_Result
s_report (web__request_t *r, const char *format)
{
    enum MHD_Result rc = MHD_NO;
    proto_query_t q = {.kind = PROTO_QUERY_REPORT};
    snprintf (q.ruleset, sizeof (q.ruleset), "jintai-2025");
    if (!s_field (r, "ruleset", q.ruleset, sizeof (q.ruleset), &rc) ||
        !s_field (r, "period", q.period, sizeof (q.period), &rc) ||
        !s_published (r, &q, &rc))
        return rc;
    const char *as_of = web__arg (r, "as_of");
    if (q.published && as_of && *as_of)
        return web__error (r, MHD_HTTP_BAD_REQUEST,
                           "published and as_of do not go together: a "
                           "published scorecard is as it was published");
    if (as_of && *as_of && proto_time_parse (as_of, &q.as_of) != 0)
        return web__error (r, MHD_HTTP_BAD_REQUEST,
                           "bad as_of %s: use RFC 3339, e.g. "
                           "2025-08-01T00:00:00+08:00",
                           as_of);
    if (strcmp (format, "json") == 0)
        return s_ask (r, &q);
    if (strcmp (format, "csv") != 0 && strcmp (format, "xlsx") != 0 &&
        strcmp (format, "html") != 0)
        return web__error (r, MHD_HTTP_BAD_REQUEST,
                           "format must be json, csv, xlsx or html");
    char *json, err[256];
    int asked = web__query (r, WEB__QUERY, &q, WEB_WAIT_MS, &json, err);
    if (asked != 0)
        return web__error (
            r, asked < 0 ? MHD_HTTP_SERVICE_UNAVAILABLE : s_status (err), "%s",
            err);
    rc = s_report_file (r, &q, json, format);
    free (json);
    return rc;
}

enum MHD_Result
web__report (web__request_t *r)
{
    const char *format = web__arg (r, "format");
    return s_report (r, format ? format : "json");
}

enum MHD_Result
web__bulletin (web__request_t *r)
{
    return s_report (r, "html");
}

enum MHD_Result
web__stats (web__request_t *r)
{
    proto_query_t q = {.kind = PROTO_QUERY_STATS};
    return s_ask (r, &q);
}

enum MHD_Result
web__rulesets (web__request_t *r)
{
    proto_query_t q = {.kind = PROTO_QUERY_RULESETS};
    return s_ask (r, &q);
}

enum MHD_Result
web__units (web__request_t *r)
{
    proto_query_t q = {.kind = PROTO_QUERY_UNITS};
    return s_ask (r, &q);
}

enum MHD_Result
web__alerts (web__request_t *r)
{
    enum MHD_Result rc = MHD_NO;
    proto_query_t q = {.kind = PROTO_QUERY_ALERTS};
    if (!s_field (r, "unit", q.unit, sizeof (q.unit), &rc))
        return rc;
    return s_ask (r, &q);
}

enum MHD_Result
web__rejected (web__request_t *r)
{
    proto_query_t q = {.kind = PROTO_QUERY_REJECTED};
    const char *limit = web__arg (r, "limit");
    if (limit) {
        char *end;
        errno = 0;
        unsigned long n = strtoul (limit, &end, 10);
        if (errno || end == limit || *end || n < 1 || n > 100000)
            return web__error (r, MHD_HTTP_BAD_REQUEST,
                               "limit must be a whole number from 1 to "
                               "100000");
        q.limit = (uint32_t)n;
    }
    return s_ask (r, &q);
}

enum MHD_Result
web__explain (web__request_t *r)
{
    enum MHD_Result rc = MHD_NO;
    proto_query_t q = {.kind = PROTO_QUERY_EXPLAIN};
    if (!s_field (r, "ruleset", q.ruleset, sizeof (q.ruleset), &rc) ||
        !s_field (r, "period", q.period, sizeof (q.period), &rc) ||
        !s_field (r, "unit", q.unit, sizeof (q.unit), &rc) ||
        !s_field (r, "item", q.item, sizeof (q.item), &rc))
        return rc;
    if (!*q.ruleset || !*q.period || !*q.unit)
        return web__error (r, MHD_HTTP_BAD_REQUEST,
                           "ruleset, period and unit are required");
    return s_ask (r, &q);
}

enum MHD_Result
web__ticket (web__request_t *r)
{
    proto_query_t q = {.kind = PROTO_QUERY_TICKET};
    const char *id = r->url + strlen ("/api/v1/tickets/");
    if (!*id || (size_t)snprintf (q.ticket, sizeof (q.ticket), "%s", id) >=
                    sizeof (q.ticket))
        return web__error (r, MHD_HTTP_BAD_REQUEST,
                           "a ticket id of 1 to %d bytes is needed",
                           PROTO_ID_MAX);
    return s_ask (r, &q);
}

enum MHD_Result
web__appeals (web__request_t *r)
{
    enum MHD_Result rc = MHD_NO;
    proto_query_t q = {.kind = PROTO_QUERY_APPEALS};
    if (!s_field (r, "unit", q.unit, sizeof (q.unit), &rc) ||
        !s_field (r, "state", q.state, sizeof (q.state), &rc))
        return rc;
    return s_ask (r, &q);
}
