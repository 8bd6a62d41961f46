/*  web_metrics: /metrics in the Prometheus text format, /healthz and
    /readyz.

    /metrics asks the query actor for the same STATS answer `hotline
    stats` prints and writes each of its numbers as a metric, so the two
    always agree: counters since the daemon started (_total), gauges of
    the store, and the two histograms the ingest actor keeps
    (acknowledgement latency, events per commit). */
#include "json.h"
#include "web_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A member of the stats and the metric it becomes. */
typedef struct {
    const char *key;  /* in the STATS JSON */
    const char *name; /* the metric */
    const char *type; /* counter or gauge */
    const char *help; /* its HELP line */
} s_metric_t;

static const s_metric_t s_metrics[] = {
    {"events_stored", "hotline_events_stored_total", "counter",
     "Events durably stored since the daemon started."},
    {"events_duplicate", "hotline_duplicates_total", "counter",
     "Events whose event_id was stored already, since the daemon started."},
    {"batches_committed", "hotline_batches_committed_total", "counter",
     "Write transactions committed."},
    {"batches_failed", "hotline_batches_failed_total", "counter",
     "Write transactions refused by the store (full, say)."},
    {"bad_messages", "hotline_bad_messages_total", "counter",
     "Undecodable or malformed messages."},
    {"queries", "hotline_queries_total", "counter", "Queries answered."},
    {"published", "hotline_published_total", "counter",
     "Live messages published."},
    {"live_feed_received", "hotline_live_feed_received_total", "counter",
     "Live messages the web server took from the publisher (none while no "
     "browser is connected)."},
    {"duplicates_total", "hotline_store_duplicates_total", "counter",
     "Duplicates since the store was made."},
    {"log_events", "hotline_log_events", "gauge", "Events in the event log."},
    {"tickets", "hotline_tickets", "gauge", "Tickets in the store."},
    {"open_deadlines", "hotline_open_deadlines", "gauge",
     "Deadlines and warnings still to come."},
    {"units", "hotline_units", "gauge", "Units in the registry."},
    {"open_alerts", "hotline_open_alerts", "gauge",
     "Warnings and overdue alerts not cleared."},
    {"dead_letters", "hotline_dead_letters", "gauge",
     "Refused events kept in the store."},
    {"drilldown_pending", "hotline_drilldown_pending", "gauge",
     "Changes to explain's drill-down index not settled yet."},
    {"drilldown_settling", "hotline_drilldown_settling", "gauge",
     "Changes to explain's drill-down index being settled, a slice per "
     "commit."},
    {"store_bytes", "hotline_store_bytes", "gauge",
     "Bytes of the LMDB map in use."},
    {"store_map_bytes", "hotline_store_map_bytes", "gauge",
     "Size of the LMDB map (map_size_mb)."},
    {"store_refusing", "hotline_store_refusing", "gauge",
     "1 when the last commit failed (the store refuses events)."},
    {"publisher_sequence", "hotline_publisher_sequence", "gauge",
     "Sequence number of the last live message."},
    {"asof_reports", "hotline_asof_reports_total", "counter",
     "Reports as of a moment answered from the kept replays."},
    {"asof_events_applied", "hotline_asof_events_applied_total", "counter",
     "Events those reports applied on top of a checkpoint."},
    {"asof_checkpoints", "hotline_asof_checkpoints", "gauge",
     "As-of checkpoints kept."},
    {"asof_checkpoint_bytes", "hotline_asof_checkpoint_bytes", "gauge",
     "Bytes of the as-of checkpoints (scratch stores in $TMPDIR)."},
};
#define METRIC_COUNT (sizeof (s_metrics) / sizeof (s_metrics[0]))

/* A number as the JSON had it: the shortest text that reads back the
   same, as the JSON writer prints it. */
static void
s_number (FILE *out, double value)
{
    char text[64];
    snprintf (text, sizeof (text), "%.15g", value);
    if (strtod (text, NULL) != value)
        snprintf (text, sizeof (text), "%.17g", value);
    fputs (text, out);
}

static double
s_value (const cJSON *item)
{
    return cJSON_IsBool (item) ? (cJSON_IsTrue (item) ? 1 : 0)
                               : cJSON_GetNumberValue (item);
}

static void
s_histogram (FILE *out, const cJSON *doc, const char *key, const char *name,
             const char *help)
{
    const cJSON *h = cJSON_GetObjectItem (doc, key);
    const cJSON *le = cJSON_GetObjectItem (h, "le");
    const cJSON *counts = cJSON_GetObjectItem (h, "counts");
    if (!cJSON_IsArray (le) || !cJSON_IsArray (counts))
        return;
    fprintf (out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    for (int i = 0; i < cJSON_GetArraySize (le); i++) {
        fprintf (out, "%s_bucket{le=\"", name);
        s_number (out, cJSON_GetNumberValue (cJSON_GetArrayItem (le, i)));
        fputs ("\"} ", out);
        s_number (out, cJSON_GetNumberValue (cJSON_GetArrayItem (counts, i)));
        fputc ('\n', out);
    }
    double count = cJSON_GetNumberValue (cJSON_GetObjectItem (h, "count"));
    fprintf (out, "%s_bucket{le=\"+Inf\"} ", name);
    s_number (out, count);
    fprintf (out, "\n%s_sum ", name);
    s_number (out, cJSON_GetNumberValue (cJSON_GetObjectItem (h, "sum")));
    fprintf (out, "\n%s_count ", name);
    s_number (out, count);
    fputc ('\n', out);
}

/* Writes the exposition of one STATS answer. */
static void
s_write (FILE *out, const cJSON *doc)
{
    for (size_t i = 0; i < METRIC_COUNT; i++) {
        const cJSON *item = cJSON_GetObjectItem (doc, s_metrics[i].key);
        if (!cJSON_IsNumber (item) && !cJSON_IsBool (item))
            continue;
        fprintf (out, "# HELP %s %s\n# TYPE %s %s\n%s ", s_metrics[i].name,
                 s_metrics[i].help, s_metrics[i].name, s_metrics[i].type,
                 s_metrics[i].name);
        s_number (out, s_value (item));
        fputc ('\n', out);
    }
    fputs ("# HELP hotline_events_rejected_total Events refused, by class "
           "(sender: lines the sender could not read).\n"
           "# TYPE hotline_events_rejected_total counter\n",
           out);
    const cJSON *by = cJSON_GetObjectItem (doc, "rejected_by_class");
    const cJSON *item;
    cJSON_ArrayForEach (item, by)
    {
        fprintf (out, "hotline_events_rejected_total{class=\"%s\"} ",
                 item->string);
        s_number (out, cJSON_GetNumberValue (item));
        fputc ('\n', out);
    }
    fputs ("hotline_events_rejected_total{class=\"sender\"} ", out);
    s_number (out, cJSON_GetNumberValue (
                       cJSON_GetObjectItem (doc, "client_rejected")));
    fputs ("\n# HELP hotline_subscribers Live clients connected, by "
           "transport.\n# TYPE hotline_subscribers gauge\n"
           "hotline_subscribers{transport=\"http\"} ",
           out);
    s_number (out,
              cJSON_GetNumberValue (cJSON_GetObjectItem (doc, "live_clients")));
    fputc ('\n', out);
    int64_t clock = 0;
    const char *when =
        cJSON_GetStringValue (cJSON_GetObjectItem (doc, "clock"));
    if (when && proto_time_parse (when, &clock) == 0)
        fprintf (out,
                 "# HELP hotline_clock_seconds The daemon's clock (event time "
                 "with clock = event).\n# TYPE hotline_clock_seconds gauge\n"
                 "hotline_clock_seconds %lld\n",
                 (long long)(clock / 1000));
    s_histogram (out, doc, "ack_latency_seconds", "hotline_ack_latency_seconds",
                 "Time from an event batch's receipt to its acknowledgement.");
    s_histogram (out, doc, "commit_events", "hotline_commit_events",
                 "Events per committed write transaction.");
    s_histogram (out, doc, "apply_seconds", "hotline_apply_seconds",
                 "Time to apply a group of events in its write transaction, "
                 "before the commit.");
    s_histogram (out, doc, "settle_seconds", "hotline_settle_seconds",
                 "Of apply_seconds: the time spent settling explain's "
                 "drill-down index (a slice of its changes applied, or its "
                 "pending changes moved).");
    s_histogram (out, doc, "commit_seconds", "hotline_commit_seconds",
                 "Time of a write transaction's commit: its pages written "
                 "and synced to disk.");
}

enum MHD_Result
web__metrics (web__request_t *r)
{
    proto_query_t q = {.kind = PROTO_QUERY_STATS};
    char *json, err[256];
    if (web__query (r, WEB__QUERY, &q, 10000, &json, err) != 0)
        return web__error (r, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", err);
    cJSON *doc = cJSON_Parse (json);
    free (json);
    char *body = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&body, &size);
    if (out && doc)
        s_write (out, doc);
    cJSON_Delete (doc);
    if (!out || fclose (out) != 0 || !doc) {
        free (body);
        return web__error (r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "cannot render the metrics");
    }
    return web__respond (r, MHD_HTTP_OK, "text/plain; version=0.0.4", body,
                         size, NULL);
}

enum MHD_Result
web__healthz (web__request_t *r)
{
    char *body = strdup ("{\"alive\":true}\n");
    return web__respond (r, MHD_HTTP_OK, "application/json", body,
                         body ? strlen (body) : 0, NULL);
}

/* Ready: the query actor reads the store, the ingest actor answers, and
   the last commit did not fail. Each is asked with a short wait. */
enum MHD_Result
web__readyz (web__request_t *r)
{
    char *json = NULL, err[256] = "";
    proto_query_t q = {.kind = PROTO_QUERY_STATS};
    const char *why = NULL;
    if (web__query (r, WEB__QUERY, &q, 2000, &json, err) != 0)
        why = "the store does not answer";
    else if (strstr (json, "\"store_refusing\":true"))
        why = "the store refuses events (the last commit failed: full?)";
    free (json);
    size_t size;
    uint8_t *empty =
        why ? NULL : proto_batch_encode (0, NULL, 0, NULL, 0, &size);
    zframe_t *reply = NULL;
    if (!why &&
        (!empty || web__ask (r, WEB__INGEST, empty, size, 2000, &reply) != 0))
        why = "the ingest endpoint does not answer";
    free (empty);
    zframe_destroy (&reply);
    json_writer_t out;
    json_init (&out, 128);
    json_open (&out, '{');
    json_member_bool (&out, "ready", !why);
    if (why)
        json_member_string (&out, "reason", why);
    json_close (&out, '}');
    return web__json (r, why ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK,
                      json_finish (&out));
}
