/*  The web, end to end: the real hotlined serving HTTP on an ephemeral
    port, libcurl as the client, the hotline command line beside it.
    Every endpoint's JSON is compared with what the command prints for
    the same question; every documented refusal is triggered. */
#include "harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_t h;
static char s_url[128];

typedef struct {
    char *data;  /* body so far, NUL-terminated */
    size_t size; /* its bytes */
} s_buffer_t;

/* The header lines of the last answer s_http read. */
static s_buffer_t s_head;

static void
s_setup (void)
{
    harness_init (&h, "event");
    harness_set (&h, "heartbeat_ms", "100");
}

static void
s_teardown (void)
{
    harness_fini (&h);
    free (s_head.data);
    s_head.data = NULL;
}

TestSuite (web, .init = s_setup, .fini = s_teardown, .timeout = 180);

/* Starts the daemon and learns its HTTP address. */
static void
s_start (void)
{
    cr_assert (harness_start (&h), "hotlined did not start");
    cr_assert (harness_http (&h, s_url), "hotlined logged no HTTP address");
}

/* ---- HTTP ------------------------------------------------------------- */

static size_t
s_collect (char *ptr, size_t size, size_t n, void *arg)
{
    s_buffer_t *b = arg;
    char *grown = realloc (b->data, b->size + size * n + 1);
    cr_assert_not_null (grown);
    memcpy (grown + b->size, ptr, size * n);
    b->size += size * n;
    grown[b->size] = 0;
    b->data = grown;
    return size * n;
}

/* One request: method, path, body (NULL for none), a header line (NULL
   for none). Returns the status; the body in *out (caller frees), the
   answer's header lines in s_head. */
static long
s_http (const char *method, const char *path, const char *body,
        const char *header, char **out)
{
    CURL *curl = curl_easy_init ();
    cr_assert_not_null (curl);
    char url[1024];
    snprintf (url, sizeof (url), "%s%s", s_url, path);
    s_buffer_t b = {calloc (1, 1), 0};
    free (s_head.data);
    s_head = (s_buffer_t){calloc (1, 1), 0};
    curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, s_collect);
    curl_easy_setopt (curl, CURLOPT_HEADERDATA, &s_head);
    struct curl_slist *headers = NULL;
    if (header)
        headers = curl_slist_append (headers, header);
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    if (body) {
        curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long)strlen (body));
    }
    CURLcode rc = curl_easy_perform (curl);
    cr_assert_eq (rc, CURLE_OK, "%s %s: %s", method, path,
                  curl_easy_strerror (rc));
    long status = 0;
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all (headers);
    curl_easy_cleanup (curl);
    if (out)
        *out = b.data;
    else
        free (b.data);
    return status;
}

/* GET that must answer 200; returns the body. */
static char *
s_get (const char *path)
{
    char *body;
    long status = s_http ("GET", path, NULL, NULL, &body);
    cr_assert_eq (status, 200, "GET %s: %ld %s", path, status, body);
    return body;
}

/* A command's standard output (it must succeed). */
static char *
s_cli (const char *command)
{
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err, "%s", command);
    cr_assert_eq (rc, 0, "%s: %s", command, err);
    free (err);
    return out;
}

static void
s_write (const char *name, const char *text)
{
    char path[512];
    FILE *f = fopen (harness_path (&h, name, path), "w");
    cr_assert_not_null (f);
    fputs (text, f);
    fclose (f);
}

/* ---- data ------------------------------------------------------------- */

#define RECEIVED(id, ticket, unit, due)                                        \
    "{\"event_id\":\"" id "\",\"type\":\"received\",\"ticket_id\":\"" ticket   \
    "\",\"unit_id\":\"" unit                                                   \
    "\",\"occurred_at\":\"2025-07-01T09:10:00+08:00\","                        \
    "\"dispatched_at\":\"2025-07-01T09:00:00+08:00\",\"due_at\":\"" due        \
    "\",\"channel\":\"hotline\",\"category\":\"property\"}\n"
#define CLOSED(id, ticket, unit, at)                                           \
    "{\"event_id\":\"" id "\",\"type\":\"closed\",\"ticket_id\":\"" ticket     \
    "\",\"unit_id\":\"" unit "\",\"occurred_at\":\"" at "\"}\n"

/* Two units; T1 and T2 overdue and open (alerts), T3 closed. */
static void
s_feed (void)
{
    s_write ("units.csv", "unit_id,name,group\nU01,单位一,town\n"
                          "U02,\"单位二, 东\",dept\n");
    char *out = s_cli ("$HOTLINE units import units.csv");
    free (out);
    s_write (
        "events.jsonl",
        RECEIVED ("e1", "T1", "U01", "2025-07-02T18:00:00+08:00")
            RECEIVED ("e2", "T2", "U02", "2025-07-03T18:00:00+08:00") RECEIVED (
                "e3", "T3", "U01", "2025-07-03T18:00:00+08:00")
                CLOSED ("e4", "T3", "U01",
                        "2025-07-02T10:00:00+08:00") "{\"event_id\":\"e5\","
                                                     "\"type\":\"tick\","
                                                     "\"occurred_at\":\"2025-"
                                                     "07-05T00:00:00+08:00\"}"
                                                     "\n");
    out = s_cli ("$HOTLINE send events.jsonl");
    free (out);
}

/* ---- tests: reads --------------------------------------------------- */

/* Drops "queries":N, the one counter a second question moves. */
static void
s_drop_queries (char *json)
{
    char *at = strstr (json, "\"queries\":");
    cr_assert_not_null (at);
    char *end = at + strlen ("\"queries\":");
    while (*end >= '0' && *end <= '9')
        end++;
    memmove (at, end + 1, strlen (end + 1) + 1);
}

Test (web, every_read_endpoint_answers_the_bytes_the_command_prints)
{
    s_start ();
    s_feed ();
    static const char *pairs[][2] = {
        {"/api/v1/report?ruleset=jintai-2025&period=2025-07",
         "$HOTLINE report --ruleset jintai-2025 --period 2025-07 --format "
         "json"},
        {"/api/v1/report?ruleset=jintai-2025&period=2025-07&as_of=2025-07-"
         "02T12:00:00%2B08:00",
         "$HOTLINE report --ruleset jintai-2025 --period 2025-07 --as-of "
         "2025-07-02T12:00:00+08:00 --format json"},
        {"/api/v1/report?ruleset=jintai-2025&period=2025-07&format=csv",
         "$HOTLINE report --ruleset jintai-2025 --period 2025-07 --format "
         "csv"},
        {"/api/v1/rulesets", "$HOTLINE rulesets"},
        {"/api/v1/units", "$HOTLINE units list"},
        {"/api/v1/alerts", "$HOTLINE alerts"},
        {"/api/v1/alerts?unit=U02", "$HOTLINE alerts --unit U02"},
        {"/api/v1/rejected?limit=5", "$HOTLINE rejected --limit 5"},
        {"/api/v1/explain?ruleset=jintai-2025&period=2025-07&unit=U01",
         "$HOTLINE explain --ruleset jintai-2025 --period 2025-07 --unit U01 "
         "--format json"},
        {"/api/v1/explain?ruleset=jintai-2025&period=2025-07&unit=U01&item="
         "on_time",
         "$HOTLINE explain --ruleset jintai-2025 --period 2025-07 --unit U01 "
         "--item on_time --format json"},
        {"/api/v1/tickets/T1", "$HOTLINE ticket T1 --format json"},
        {"/api/v1/report?ruleset=jintai-2025&period=2025-07&format=html",
         "$HOTLINE report --ruleset jintai-2025 --period 2025-07 --format "
         "html"},
        {"/?ruleset=jintai-2025&period=2025-07&view=print",
         "$HOTLINE report --ruleset jintai-2025 --period 2025-07 --format "
         "html"}};
    for (size_t i = 0; i < sizeof (pairs) / sizeof (pairs[0]); i++) {
        char *web = s_get (pairs[i][0]);
        char *cli = s_cli (pairs[i][1]);
        cr_expect_str_eq (web, cli, "%s differs from %s", pairs[i][0],
                          pairs[i][1]);
        free (web);
        free (cli);
    }
    /* The alerts are the two open tickets, the earliest deadline first. */
    char *alerts = s_get ("/api/v1/alerts");
    cr_expect (strstr (alerts, "\"count\":2") != NULL, "%s", alerts);
    cr_expect (strstr (alerts, "T1") < strstr (alerts, "T2"), "%s", alerts);
    free (alerts);
    /* stats: equal but for the queries counter the asking moves. */
    char *web = s_get ("/api/v1/stats");
    char *cli = s_cli ("$HOTLINE stats");
    s_drop_queries (web);
    s_drop_queries (cli);
    cr_expect_str_eq (web, cli);
    free (web);
    free (cli);
}

Test (web, answers_xlsx_reports_as_the_command_writes_them)
{
    s_start ();
    s_feed ();
    char *body;
    CURL *curl = curl_easy_init ();
    char url[256];
    snprintf (url, sizeof (url), "%s/api/v1/report?period=2025-07&format=xlsx",
              s_url);
    s_buffer_t b = {calloc (1, 1), 0};
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, &b);
    cr_assert_eq (curl_easy_perform (curl), CURLE_OK);
    char *type = NULL;
    curl_easy_getinfo (curl, CURLINFO_CONTENT_TYPE, &type);
    cr_expect (type && strstr (type, "spreadsheetml"), "%s", type);
    curl_easy_cleanup (curl);
    /* An xlsx is a zip: it starts with PK. */
    cr_expect (b.size > 1000 && memcmp (b.data, "PK", 2) == 0);
    free (b.data);
    /* A bad format, a bad as_of, an unknown ruleset: 400 with a reason. */
    cr_expect_eq (
        s_http ("GET", "/api/v1/report?format=pdf", NULL, NULL, &body), 400);
    cr_expect (strstr (body, "format must be json, csv, xlsx or html"), "%s",
               body);
    free (body);
    cr_expect_eq (
        s_http ("GET", "/api/v1/report?as_of=yesterday", NULL, NULL, &body),
        400);
    free (body);
    cr_expect_eq (s_http ("GET", "/api/v1/report?ruleset=nope&period=2025-07",
                          NULL, NULL, &body),
                  400);
    cr_expect (strstr (body, "unknown ruleset"), "%s", body);
    free (body);
    cr_expect_eq (
        s_http ("GET", "/api/v1/report?published=1", NULL, NULL, &body), 400);
    cr_expect (strstr (body, "needs a period"), "%s", body);
    free (body);
    cr_expect_eq (s_http ("GET", "/api/v1/report?period=2025-07&version=1",
                          NULL, NULL, &body),
                  400);
    cr_expect (strstr (body, "version goes with published"), "%s", body);
    free (body);
    cr_expect_eq (
        s_http ("GET", "/api/v1/appeals?state=won", NULL, NULL, &body), 400);
    cr_expect (strstr (body, "state must be"), "%s", body);
    free (body);
}

/* Appeals and the published scorecard: the bytes the commands print, and
   404 for a version that was never published. */
Test (web, appeals_and_published_reports_answer_as_the_commands)
{
    s_start ();
    s_feed ();
    s_write ("appeal.jsonl",
             "{\"event_id\":\"a1\",\"type\":\"appealed\",\"ticket_id\":"
             "\"T1\",\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-03T09:"
             "00:00+08:00\",\"reason\":\"诉求超出职责范围\"}\n");
    free (s_cli ("$HOTLINE send appeal.jsonl"));
    char *body;
    cr_expect_eq (s_http ("GET", "/api/v1/report?period=2025-07&published=1",
                          NULL, NULL, &body),
                  404);
    cr_expect (strstr (body, "nothing published"), "%s", body);
    free (body);
    free (s_cli ("$HOTLINE publish --ruleset jintai-2025 --period 2025-07 "
                 "--note first --force"));
    static const char *pairs[][2] = {
        {"/api/v1/appeals", "$HOTLINE appeals --format json"},
        {"/api/v1/appeals?state=open&unit=U01",
         "$HOTLINE appeals --state open --unit U01 --format json"},
        {"/api/v1/appeals?state=granted", "$HOTLINE appeals --state granted "
                                          "--format json"},
        {"/api/v1/report?period=2025-07&published=1",
         "$HOTLINE report --period 2025-07 --published --format json"},
        {"/api/v1/report?period=2025-07&published=true&version=1&format=csv",
         "$HOTLINE report --period 2025-07 --published --version 1 --format "
         "csv"}};
    for (size_t i = 0; i < sizeof (pairs) / sizeof (pairs[0]); i++) {
        char *web = s_get (pairs[i][0]);
        char *cli = s_cli (pairs[i][1]);
        cr_expect_str_eq (web, cli, "%s differs from %s", pairs[i][0],
                          pairs[i][1]);
        free (web);
        free (cli);
    }
    char *appeals = s_get ("/api/v1/appeals?state=open");
    cr_expect (strstr (appeals, "\"T1\"") != NULL, "%s", appeals);
    free (appeals);
    char *published = s_get ("/api/v1/report?period=2025-07&published=1");
    cr_expect (strstr (published, "\"note\":\"first\"") != NULL, "%s",
               published);
    free (published);
    cr_expect_eq (s_http ("GET",
                          "/api/v1/report?period=2025-07&published=1&version=2",
                          NULL, NULL, &body),
                  404);
    cr_expect (strstr (body, "no version 2"), "%s", body);
    free (body);
    cr_expect_eq (s_http ("GET",
                          "/api/v1/report?period=2025-07&published=1&as_of="
                          "2025-07-02T12:00:00%2B08:00",
                          NULL, NULL, &body),
                  400);
    free (body);
}

Test (web, answers_400_404_and_405_with_a_json_reason)
{
    s_start ();
    char *body;
    cr_expect_eq (s_http ("GET", "/nowhere", NULL, NULL, &body), 404);
    cr_expect (strstr (body, "\"error\":\"no such page: /nowhere\""), "%s",
               body);
    free (body);
    cr_expect_eq (s_http ("DELETE", "/api/v1/events", NULL, NULL, &body), 405);
    free (body);
    cr_expect_eq (s_http ("POST", "/api/v1/stats", "x", NULL, &body), 405);
    free (body);
    /* An unknown ticket or unit: 404; a question missing a part: 400. */
    cr_expect_eq (s_http ("GET", "/api/v1/tickets/T404", NULL, NULL, &body),
                  404);
    cr_expect (strstr (body, "unknown ticket"), "%s", body);
    free (body);
    cr_expect_eq (s_http ("GET",
                          "/api/v1/explain?ruleset=jintai-2025&period=2025-07"
                          "&unit=NOPE",
                          NULL, NULL, &body),
                  404);
    free (body);
    cr_expect_eq (s_http ("GET", "/api/v1/explain?ruleset=jintai-2025&unit=U01",
                          NULL, NULL, &body),
                  400);
    cr_expect (strstr (body, "required"), "%s", body);
    free (body);
    cr_expect_eq (s_http ("GET", "/healthz", NULL, NULL, &body), 200);
    cr_expect_str_eq (body, "{\"alive\":true}\n");
    free (body);
    cr_expect_eq (s_http ("GET", "/readyz", NULL, NULL, &body), 200);
    cr_expect_str_eq (body, "{\"ready\":true}\n");
    free (body);
}

/* Every view's address is the dashboard's page (its script shows the
   view); the script and style come from /static/. */
Test (web, every_view_address_serves_the_dashboard)
{
    s_start ();
    static const char *views[] = {
        "/",
        "/?ruleset=jintai-2025&period=2025-07",
        "/unit/J04?ruleset=jintai-2025&period=2025-07",
        "/unit/J%2F04",
        "/ticket/T202507-000001?ruleset=jintai-2025&period=2025-07",
        "/ticket/TB-%3Cimg%3E%3F%23%2F"};
    for (size_t i = 0; i < sizeof (views) / sizeof (views[0]); i++) {
        char *page = s_get (views[i]);
        cr_expect (strstr (page, "<script src=\"/static/app.js\""), "%s: %s",
                   views[i], page);
        cr_expect (strstr (s_head.data, "text/html"), "%s: %s", views[i],
                   s_head.data);
        free (page);
    }
    /* The print view is the bulletin the daemon renders: no script (the
       test above compares its bytes with hotline report --format html). */
    char *bulletin = s_get ("/?ruleset=jintai-2025&period=2025-07&view=print");
    cr_expect (strstr (s_head.data, "text/html"), "%s", s_head.data);
    cr_expect (strstr (bulletin, "<!DOCTYPE html>") &&
                   !strstr (bulletin, "<script"),
               "%s", bulletin);
    free (bulletin);
    char *script = s_get ("/static/app.js");
    cr_expect (strstr (s_head.data, "text/javascript"), "%s", s_head.data);
    cr_expect (strstr (script, "/api/v1/explain") &&
               strstr (script, "/api/v1/tickets/"));
    free (script);
    char *body;
    cr_expect_eq (s_http ("GET", "/static/index.html", NULL, NULL, &body), 404);
    free (body);
    cr_expect_eq (s_http ("GET", "/tickets/T1", NULL, NULL, &body), 404);
    free (body);
    cr_expect_eq (s_http ("POST", "/ticket/T1", "x", NULL, &body), 405);
    free (body);
}

/* ---- tests: POST ------------------------------------------------------ */

Test (web, post_stores_answers_per_line_and_deduplicates)
{
    s_start ();
    s_write ("units.csv", "unit_id,name,group\nU01,单位一,town\n");
    free (s_cli ("$HOTLINE units import units.csv"));
    const char *body = RECEIVED (
        "p1", "P1", "U01",
        "2025-07-04T18:00:00+08:00") "not json\n"
                                     "\n" RECEIVED ("p2", "P2", "U99",
                                                    "2025-07-04T18:00:00+08:00")
                                         CLOSED ("p3", "P1", "U01",
                                                 "2025-07-02T10:00:00+08:00");
    char *answer;
    cr_assert_eq (s_http ("POST", "/api/v1/events", body,
                          "Content-Type: application/x-ndjson", &answer),
                  422);
    cr_expect_str_eq (answer,
                      "{\"stored\":2,\"duplicates\":0,\"rejected\":[{\"line\":"
                      "2,\"reason\":\"not valid JSON\"},{\"line\":4,"
                      "\"reason\":\"unknown unit U99\"}]}\n");
    free (answer);
    /* The same body again: the stored lines are duplicates now. */
    cr_assert_eq (s_http ("POST", "/api/v1/events", body, NULL, &answer), 422);
    cr_expect (strstr (answer, "{\"stored\":0,\"duplicates\":2,"), "%s",
               answer);
    free (answer);
    /* Only good lines: 200. */
    cr_assert_eq (
        s_http ("POST", "/api/v1/events",
                RECEIVED ("p4", "P4", "U01", "2025-07-04T18:00:00+08:00"), NULL,
                &answer),
        200);
    cr_expect_str_eq (answer,
                      "{\"stored\":1,\"duplicates\":0,\"rejected\":[]}\n");
    free (answer);
    /* What was acknowledged is stored, and counted as the CLI's would be. */
    char *stats = s_get ("/api/v1/stats");
    cJSON *doc = cJSON_Parse (stats);
    cr_expect_eq (cJSON_GetObjectItem (doc, "log_events")->valuedouble, 3);
    cr_expect_eq (cJSON_GetObjectItem (doc, "events_duplicate")->valuedouble,
                  2);
    cr_expect_eq (cJSON_GetObjectItem (doc, "client_rejected")->valuedouble, 2);
    cJSON_Delete (doc);
    free (stats);
}

Test (web, post_over_the_size_limit_is_refused_with_413)
{
    harness_set (&h, "http_body_max", "1000");
    s_start ();
    char *big = malloc (4001);
    memset (big, ' ', 4000);
    big[4000] = 0;
    char *answer;
    cr_expect_eq (s_http ("POST", "/api/v1/events", big, NULL, &answer), 413);
    cr_expect (strstr (answer, "http_body_max"), "%s", answer);
    free (answer);
    /* Chunked, with no length given: refused once it passes the limit. */
    cr_expect_eq (s_http ("POST", "/api/v1/events", big,
                          "Transfer-Encoding: chunked", &answer),
                  413);
    free (answer);
    free (big);
    char *stats = s_get ("/api/v1/stats");
    cr_expect (strstr (stats, "\"log_events\":0"), "%s", stats);
    free (stats);
}

Test (web, post_to_a_full_store_answers_503_and_readyz_says_not_ready)
{
    harness_set (&h, "map_size_mb", "1");
    harness_set (&h, "map_max_mb", "1"); /* a map that may not grow */
    s_start ();
    s_write ("units.csv", "unit_id,name,group\nU01,单位一,town\n");
    free (s_cli ("$HOTLINE units import units.csv"));
    /* Batches of 500 tickets until the 1 MiB map is full. */
    long status = 0;
    char *answer = NULL;
    for (int b = 0; b < 40 && status != 503; b++) {
        size_t size = 500 * 400;
        char *body = malloc (size), *at = body;
        for (int i = 0; i < 500; i++)
            at += sprintf (at,
                           "{\"event_id\":\"f%d-%d\",\"type\":\"received\","
                           "\"ticket_id\":\"F%d-%d\",\"unit_id\":\"U01\","
                           "\"occurred_at\":\"2025-07-01T09:10:00+08:00\","
                           "\"dispatched_at\":\"2025-07-01T09:00:00+08:00\","
                           "\"due_at\":\"2025-07-09T18:00:00+08:00\","
                           "\"channel\":\"hotline\",\"category\":\"p\"}\n",
                           b, i, b, i);
        free (answer);
        status = s_http ("POST", "/api/v1/events", body, NULL, &answer);
        cr_assert (status == 200 || status == 503, "%ld %s", status, answer);
        free (body);
    }
    cr_assert_eq (status, 503, "the map never filled");
    cr_expect (strstr (answer, "nothing was stored"), "%s", answer);
    free (answer);
    cr_expect_eq (s_http ("GET", "/readyz", NULL, NULL, &answer), 503);
    cr_expect (strstr (answer, "\"ready\":false"), "%s", answer);
    free (answer);
}

Test (web, post_of_more_than_10000_lines_answers_413_and_stores_nothing)
{
    s_start ();
    /* One body is one batch: at most 10,000 events (proto.h). */
    size_t size = 10001 * 96;
    char *body = malloc (size), *at = body;
    for (int i = 0; i < 10001; i++)
        at += sprintf (at,
                       "{\"event_id\":\"t%d\",\"type\":\"tick\","
                       "\"occurred_at\":\"2025-07-01T09:10:00+08:00\"}\n",
                       i);
    char *answer = NULL;
    cr_expect_eq (s_http ("POST", "/api/v1/events", body, NULL, &answer), 413);
    cr_expect (strstr (answer, "more than 10000 lines"), "%s", answer);
    free (answer);
    free (body);
    char *stats = s_cli ("$HOTLINE stats");
    cr_expect (strstr (stats, "\"log_events\":0"), "%s", stats);
    free (stats);
}

/* ---- tests: access -------------------------------------------------- */

#define READ_TOKEN   "read-token-0123456789"
#define INGEST_TOKEN "ingest-token-0123456789"
#define ADMIN_TOKEN  "admin-token-0123456789"

Test (web, tokens_refuse_with_401_and_roles_with_403)
{
    s_write ("tokens", "# who may do what\n" READ_TOKEN " read\n" INGEST_TOKEN
                       " ingest\n\n" ADMIN_TOKEN " admin\n");
    char path[512];
    harness_set (&h, "http_tokens", harness_path (&h, "tokens", path));
    s_start ();
    char *body;
    cr_expect_eq (s_http ("GET", "/api/v1/stats", NULL, NULL, &body), 401);
    cr_expect (strstr (body, "Authorization: Bearer"), "%s", body);
    free (body);
    cr_expect_eq (s_http ("GET", "/api/v1/stats", NULL,
                          "Authorization: Bearer not-a-token-0123456789",
                          &body),
                  401);
    free (body);
    cr_expect_eq (s_http ("GET", "/api/v1/stats", NULL,
                          "Authorization: Bearer " READ_TOKEN, &body),
                  200);
    free (body);
    cr_expect_eq (s_http ("POST", "/api/v1/events", "",
                          "Authorization: Bearer " READ_TOKEN, &body),
                  403);
    free (body);
    cr_expect_eq (s_http ("GET", "/api/v1/report", NULL,
                          "Authorization: Bearer " INGEST_TOKEN, &body),
                  403);
    free (body);
    cr_expect_eq (s_http ("POST", "/api/v1/events", "",
                          "Authorization: Bearer " INGEST_TOKEN, &body),
                  200);
    free (body);
    cr_expect_eq (s_http ("GET", "/metrics", NULL,
                          "Authorization: Bearer " ADMIN_TOKEN, &body),
                  200);
    free (body);
    cr_expect_eq (s_http ("POST", "/api/v1/events", "",
                          "Authorization: Bearer " ADMIN_TOKEN, &body),
                  200);
    free (body);
    /* The dashboard: ?token= opens it and the cookie carries the token. */
    cr_expect_eq (s_http ("GET", "/", NULL, NULL, &body), 401);
    free (body);
    cr_expect_eq (s_http ("GET", "/?token=" READ_TOKEN, NULL, NULL, &body),
                  200);
    cr_expect (strstr (s_head.data, "hotline_token=" READ_TOKEN ";"), "%s",
               s_head.data);
    free (body);
    /* Let in by its header, a request's ?token= that is no token, or an
       ingest token the page cannot use, does not become the cookie. */
    cr_expect_eq (s_http ("GET", "/?token=not-a-token-0123456789", NULL,
                          "Authorization: Bearer " READ_TOKEN, &body),
                  200);
    cr_expect (!strstr (s_head.data, "hotline_token"), "%s", s_head.data);
    free (body);
    cr_expect_eq (s_http ("GET", "/?token=" INGEST_TOKEN, NULL,
                          "Authorization: Bearer " READ_TOKEN, &body),
                  200);
    cr_expect (!strstr (s_head.data, "hotline_token"), "%s", s_head.data);
    free (body);
    cr_expect_eq (s_http ("GET", "/api/v1/units", NULL,
                          "Cookie: hotline_token=" READ_TOKEN, &body),
                  200);
    free (body);
}

Test (web, refuses_to_start_beyond_loopback_without_tokens)
{
    harness_set (&h, "http", "0.0.0.0:0");
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err, "timeout 20 $HOTLINED --config $CFG");
    cr_expect_eq (rc, 2);
    cr_expect (strstr (err, "http = 0.0.0.0:0 is reachable from other "
                            "machines and has no tokens"),
               "%s", err);
    free (out);
    free (err);
}

Test (web, serves_https_with_http_cert_and_http_key)
{
    char *out = NULL, *err = NULL;
    cr_assert_eq (harness_run (&h, &out, &err,
                               "openssl req -x509 -newkey rsa:2048 -nodes "
                               "-keyout key.pem -out cert.pem -days 2 -subj "
                               "/CN=localhost 2>&1"),
                  0, "%s", out);
    free (out);
    free (err);
    char path[512];
    harness_set (&h, "http_cert", harness_path (&h, "cert.pem", path));
    harness_set (&h, "http_key", harness_path (&h, "key.pem", path));
    s_start ();
    cr_expect (strncmp (s_url, "https://", 8) == 0, "%s", s_url);
    CURL *curl = curl_easy_init ();
    char url[256];
    snprintf (url, sizeof (url), "%s/healthz", s_url);
    s_buffer_t b = {calloc (1, 1), 0};
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_CAINFO,
                      harness_path (&h, "cert.pem", path));
    curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform (curl);
    cr_expect_eq (rc, CURLE_OK, "%s", curl_easy_strerror (rc));
    cr_expect_str_eq (b.data, "{\"alive\":true}\n");
    curl_easy_cleanup (curl);
    free (b.data);
}

/* ---- tests: metrics ------------------------------------------------- */

/* The value of a sample line "NAME VALUE" or "NAME{labels} VALUE". */
static double
s_sample (const char *text, const char *name)
{
    char needle[256];
    snprintf (needle, sizeof (needle), "\n%s ", name);
    const char *at = strstr (text, needle);
    cr_assert_not_null (at, "no sample %s", name);
    return strtod (at + strlen (needle), NULL);
}

/* The exposition format, checked line by line: comments are HELP or
   TYPE, every sample is a metric name, optional labels and a number. */
static void
s_check_exposition (const char *text)
{
    char *copy = strdup (text), *save = NULL;
    int samples = 0;
    for (char *line = strtok_r (copy, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
        if (line[0] == '#') {
            cr_expect (strncmp (line, "# HELP hotline_", 15) == 0 ||
                           strncmp (line, "# TYPE hotline_", 15) == 0,
                       "%s", line);
            continue;
        }
        size_t name = strspn (line, "abcdefghijklmnopqrstuvwxyz_");
        cr_expect (name > 8 && strncmp (line, "hotline_", 8) == 0, "%s", line);
        const char *rest = line + name;
        if (*rest == '{') {
            rest = strchr (rest, '}');
            cr_assert_not_null (rest, "%s", line);
            rest++;
        }
        cr_expect_eq (*rest, ' ', "%s", line);
        char *end;
        strtod (rest + 1, &end);
        cr_expect (end != rest + 1 && *end == 0, "%s", line);
        samples++;
    }
    cr_expect_gt (samples, 20);
    free (copy);
}

Test (web, metrics_parse_and_equal_the_stats_the_command_prints)
{
    s_start ();
    s_feed ();
    char *metrics = s_get ("/metrics");
    char *stats = s_cli ("$HOTLINE stats");
    s_check_exposition (metrics);
    /* promtool, when Debian's prometheus is installed. */
    s_write ("metrics.txt", metrics);
    char *out = NULL, *err = NULL;
    int rc = harness_run (&h, &out, &err,
                          "if command -v promtool >/dev/null; then promtool "
                          "check metrics < metrics.txt; fi");
    cr_expect_eq (rc, 0, "promtool: %s%s", out, err);
    free (out);
    free (err);
    cJSON *doc = cJSON_Parse (stats);
    static const char *pairs[][2] = {
        {"hotline_events_stored_total", "events_stored"},
        {"hotline_duplicates_total", "events_duplicate"},
        {"hotline_batches_committed_total", "batches_committed"},
        {"hotline_log_events", "log_events"},
        {"hotline_open_alerts", "open_alerts"},
        {"hotline_store_bytes", "store_bytes"},
        {"hotline_store_map_bytes", "store_map_bytes"},
        {"hotline_publisher_sequence", "publisher_sequence"},
        {"hotline_subscribers{transport=\"http\"}", "live_clients"},
        {"hotline_events_rejected_total{class=\"sender\"}", "client_rejected"}};
    for (size_t i = 0; i < sizeof (pairs) / sizeof (pairs[0]); i++)
        cr_expect_eq (s_sample (metrics, pairs[i][0]),
                      cJSON_GetObjectItem (doc, pairs[i][1])->valuedouble, "%s",
                      pairs[i][0]);
    cr_expect_eq (
        s_sample (metrics, "hotline_events_rejected_total{class=\"unknown_"
                           "unit\"}"),
        cJSON_GetObjectItem (cJSON_GetObjectItem (doc, "rejected_by_class"),
                             "unknown_unit")
            ->valuedouble);
    const cJSON *latency = cJSON_GetObjectItem (doc, "ack_latency_seconds");
    cr_expect_eq (s_sample (metrics, "hotline_ack_latency_seconds_count"),
                  cJSON_GetObjectItem (latency, "count")->valuedouble);
    cr_expect_gt (cJSON_GetObjectItem (latency, "count")->valuedouble, 0);
    cr_expect_eq (
        s_sample (metrics, "hotline_commit_events_sum"),
        cJSON_GetObjectItem (cJSON_GetObjectItem (doc, "commit_events"), "sum")
            ->valuedouble);
    /* Where an acknowledgement's time went: every committed group
       applied (the drill-down's settle a part of it) and committed once. */
    const char *phases[] = {"apply_seconds", "settle_seconds",
                            "commit_seconds"};
    for (int i = 0; i < 3; i++) {
        const cJSON *phase = cJSON_GetObjectItem (doc, phases[i]);
        cr_assert_not_null (phase, "no %s in stats", phases[i]);
        char name[64];
        snprintf (name, sizeof (name), "hotline_%s_count", phases[i]);
        cr_expect_eq (s_sample (metrics, name),
                      cJSON_GetObjectItem (phase, "count")->valuedouble, "%s",
                      name);
        cr_expect_eq (
            cJSON_GetObjectItem (phase, "count")->valuedouble,
            cJSON_GetObjectItem (doc, "batches_committed")->valuedouble, "%s",
            phases[i]);
    }
    /* The settle is a part of applying. */
    cr_expect_leq (
        cJSON_GetObjectItem (cJSON_GetObjectItem (doc, "settle_seconds"), "sum")
            ->valuedouble,
        cJSON_GetObjectItem (cJSON_GetObjectItem (doc, "apply_seconds"), "sum")
            ->valuedouble);
    cr_expect_eq (s_sample (metrics, "hotline_open_alerts"), 2);
    cJSON_Delete (doc);
    free (metrics);
    free (stats);
}

/* ---- tests: live ---------------------------------------------------- */

/* A Server-Sent Events stream read as it comes (curl multi). */
typedef struct {
    CURLM *multi;               /* drives the transfer */
    CURL *easy;                 /* the stream */
    struct curl_slist *headers; /* Last-Event-ID, if any */
    s_buffer_t b;               /* everything received */
} s_stream_t;

static void
s_stream_open (s_stream_t *s, const char *path, const char *last_event_id)
{
    memset (s, 0, sizeof (*s));
    s->b.data = calloc (1, 1);
    s->multi = curl_multi_init ();
    s->easy = curl_easy_init ();
    char url[512], header[128];
    snprintf (url, sizeof (url), "%s%s", s_url, path);
    if (last_event_id) {
        snprintf (header, sizeof (header), "Last-Event-ID: %s", last_event_id);
        s->headers = curl_slist_append (NULL, header);
    }
    curl_easy_setopt (s->easy, CURLOPT_URL, url);
    curl_easy_setopt (s->easy, CURLOPT_HTTPHEADER, s->headers);
    curl_easy_setopt (s->easy, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt (s->easy, CURLOPT_WRITEDATA, &s->b);
    curl_multi_add_handle (s->multi, s->easy);
}

/* Pumps the stream until `needle` is in it at or after `from`, or 10 s
   passed. Returns where it starts, or NULL. */
static const char *
s_stream_until (s_stream_t *s, const char *needle, size_t from)
{
    for (int i = 0; i < 200; i++) {
        int running = 0;
        curl_multi_perform (s->multi, &running);
        if (s->b.size > from) {
            const char *at = strstr (s->b.data + from, needle);
            if (at)
                return at;
        }
        if (!running)
            return NULL;
        curl_multi_poll (s->multi, NULL, 0, 50, NULL);
    }
    return NULL;
}

static void
s_stream_close (s_stream_t *s)
{
    curl_multi_remove_handle (s->multi, s->easy);
    curl_easy_cleanup (s->easy);
    curl_multi_cleanup (s->multi);
    curl_slist_free_all (s->headers);
    free (s->b.data);
}

Test (web, live_sends_a_snapshot_then_a_score_after_a_post_and_resumes)
{
    s_start ();
    s_feed ();
    s_stream_t s;
    s_stream_open (&s, "/api/v1/live?topic=score/jintai-2025/", NULL);
    const char *snap = s_stream_until (&s, "event: snapshot\ndata: {", 0);
    cr_assert_not_null (snap, "no snapshot: %s", s.b.data);
    cr_expect (strstr (s.b.data, "\"topic\":\"score/jintai-2025/U01\""), "%s",
               s.b.data);
    cr_expect (!strstr (s.b.data, "score/jintai-2023/"), "%s", s.b.data);
    size_t seen = s.b.size;
    /* A POST moves U01's score: the row comes, numbered. */
    char *answer;
    cr_assert_eq (
        s_http ("POST", "/api/v1/events",
                CLOSED ("L1", "T1", "U01", "2025-07-06T10:00:00+08:00"), NULL,
                &answer),
        200, "%s", answer);
    free (answer);
    const char *row = s_stream_until (&s, "\"unit_id\":\"U01\"", seen);
    cr_assert_not_null (row, "no score after the POST: %s", s.b.data + seen);
    const char *id = strstr (s.b.data + seen, "id: ");
    cr_assert_not_null (id);
    cr_expect (strstr (s.b.data + seen, "event: score\n"), "%s",
               s.b.data + seen);
    unsigned long long last = strtoull (id + 4, NULL, 10);
    s_stream_close (&s);

    /* While away, U02 changes. Back with Last-Event-ID: no snapshot, the
       missed row first. */
    cr_assert_eq (
        s_http ("POST", "/api/v1/events",
                CLOSED ("L2", "T2", "U02", "2025-07-06T11:00:00+08:00"), NULL,
                &answer),
        200, "%s", answer);
    free (answer);
    char resume[32];
    snprintf (resume, sizeof (resume), "%llu", last);
    s_stream_open (&s, "/api/v1/live?topic=score/jintai-2025/", resume);
    cr_assert_not_null (s_stream_until (&s, "\"unit_id\":\"U02\"", 0), "%s",
                        s.b.data);
    cr_expect (!strstr (s.b.data, "event: snapshot"), "%s", s.b.data);
    id = strstr (s.b.data, "id: ");
    cr_expect (id && strtoull (id + 4, NULL, 10) > last, "%s", s.b.data);
    s_stream_close (&s);

    /* After a restart the numbers jump: an id from before it is not in
       the ring, so the stream starts with a snapshot. */
    cr_assert_eq (harness_stop (&h), 0);
    s_start ();
    s_stream_open (&s, "/api/v1/live", resume);
    cr_expect_not_null (s_stream_until (&s, "event: snapshot", 0), "%s",
                        s.b.data);
    s_stream_close (&s);
}

Test (web, live_alerts_come_on_the_alert_topic_only)
{
    s_start ();
    s_feed ();
    s_stream_t s;
    s_stream_open (&s, "/api/v1/live?topic=alert/", NULL);
    cr_assert_not_null (s_stream_until (&s, "event: snapshot", 0));
    /* Both open alerts are in the snapshot; no score topic is. */
    cr_expect_not_null (s_stream_until (&s, "\"ticket_id\":\"T2\"", 0));
    cr_expect (!strstr (s.b.data, "score/"), "%s", s.b.data);
    size_t seen = s.b.size;
    char *answer;
    cr_assert_eq (
        s_http ("POST", "/api/v1/events",
                CLOSED ("A1", "T1", "U01", "2025-07-06T10:00:00+08:00"), NULL,
                &answer),
        200);
    free (answer);
    cr_expect_not_null (s_stream_until (&s, "event: alert\n", seen), "%s",
                        s.b.data + seen);
    cr_expect_not_null (s_stream_until (&s, "\"kind\":\"cleared\"", seen));
    cr_expect (!strstr (s.b.data + seen, "score/"), "%s", s.b.data + seen);
    s_stream_close (&s);
}

/* The stats member `key`, read with the command. */
static double
s_stat (const char *key)
{
    char *out = s_cli ("$HOTLINE stats");
    cJSON *doc = cJSON_Parse (out);
    cr_assert_not_null (doc, "%s", out);
    const cJSON *item = cJSON_GetObjectItem (doc, key);
    cr_assert (cJSON_IsNumber (item), "no %s in %s", key, out);
    double value = item->valuedouble;
    cJSON_Delete (doc);
    free (out);
    return value;
}

/* Posts events and waits until the publisher has published since. */
static void
s_post_published (const char *body)
{
    double published = s_stat ("published");
    char *answer;
    cr_assert_eq (s_http ("POST", "/api/v1/events", body, NULL, &answer), 200,
                  "%s", answer);
    free (answer);
    for (int i = 0; i < 100 && s_stat ("published") == published; i++)
        zclock_sleep (50);
    cr_assert_gt (s_stat ("published"), published, "nothing was published: %s",
                  body);
}

/* The web server takes the publisher's feed only while a live client is
   connected, and for live_linger_s after the last one left. */
Test (web, live_feed_is_taken_only_while_a_browser_is_connected)
{
    harness_set (&h, "live_linger_s", "1");
    s_start ();
    s_feed ();
    s_post_published (CLOSED ("q1", "T1", "U01", "2025-07-06T10:00:00+08:00"));
    cr_expect_eq (s_stat ("live_feed_received"), 0,
                  "the feed was taken with no browser");
    /* A browser: its snapshot, then a score row as a POST moves one. */
    s_stream_t s;
    s_stream_open (&s, "/api/v1/live?topic=score/jintai-2025/", NULL);
    cr_assert_not_null (s_stream_until (&s, "event: snapshot\ndata: {", 0),
                        "no snapshot: %s", s.b.data);
    size_t seen = s.b.size;
    s_post_published (CLOSED ("q2", "T2", "U02", "2025-07-06T11:00:00+08:00"));
    cr_assert_not_null (s_stream_until (&s, "\"unit_id\":\"U02\"", seen),
                        "no score after the POST: %s", s.b.data + seen);
    cr_expect (!strstr (s.b.data + seen, "event: snapshot"), "%s",
               s.b.data + seen);
    double taken = s_stat ("live_feed_received");
    cr_expect_gt (taken, 0);
    s_stream_close (&s);
    /* The server notices a browser gone when it next writes to it:
       these rows make it write. */
    s_post_published (
        RECEIVED ("q5", "T5", "U02", "2025-07-01T18:00:00+08:00")
            CLOSED ("q6", "T5", "U02", "2025-07-06T12:00:00+08:00"));
    for (int i = 0; i < 200 && s_stat ("live_clients") > 0; i++)
        zclock_sleep (100);
    cr_assert_eq (s_stat ("live_clients"), 0);
    /* Gone for longer than the linger (1 s, looked at every second). */
    zclock_sleep (2500);
    taken = s_stat ("live_feed_received");
    s_post_published (
        RECEIVED ("q3", "T4", "U01", "2025-07-01T18:00:00+08:00")
            CLOSED ("q4", "T4", "U01", "2025-07-06T12:00:00+08:00"));
    zclock_sleep (300);
    cr_expect_eq (s_stat ("live_feed_received"), taken,
                  "the feed was still taken after the linger");
    /* A browser again: a snapshot once the feed runs again. */
    s_stream_open (&s, "/api/v1/live?topic=score/jintai-2025/", NULL);
    cr_assert_not_null (s_stream_until (&s, "event: snapshot\ndata: {", 0),
                        "no snapshot after the feed stopped: %s", s.b.data);
    seen = s.b.size;
    s_post_published (
        RECEIVED ("q7", "T6", "U02", "2025-07-01T18:00:00+08:00")
            CLOSED ("q8", "T6", "U02", "2025-07-06T12:00:00+08:00"));
    cr_expect_not_null (s_stream_until (&s, "\"unit_id\":\"U02\"", seen),
                        "no score after the feed ran again: %s",
                        s.b.data + seen);
    cr_expect (!strstr (s.b.data + seen, "event: snapshot"),
               "a second snapshot: %s", s.b.data + seen);
    s_stream_close (&s);
}
