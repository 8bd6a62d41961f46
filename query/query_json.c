/*  query_json: the stats' health members, units and open alerts as JSON
    (query_internal.h).
    Every byte goes through the one JSON writer (json.h). */
#include "query_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A histogram as {"le":[bounds...],"counts":[cumulative...],"count":N,
   "sum":S}: the counts are of observations at or below each bound, as
   Prometheus' buckets are; `scale` turns the stored units into the
   shown ones (microseconds into seconds). */
static void
s_histogram (json_writer_t *json, const char *key, stats_histogram_t *h,
             uint64_t (*bound) (int), double scale)
{
    json_key (json, key);
    json_open (json, '{');
    json_key (json, "le");
    json_open (json, '[');
    for (int b = 0; b < STATS_BUCKETS; b++)
        json_number (json, (double)bound (b) * scale);
    json_close (json, ']');
    json_key (json, "counts");
    json_open (json, '[');
    uint64_t total = 0;
    for (int b = 0; b < STATS_BUCKETS; b++) {
        total += atomic_load (&h->counts[b]);
        json_int (json, (long long)total);
    }
    json_close (json, ']');
    total += atomic_load (&h->counts[STATS_BUCKETS]);
    json_member_int (json, "count", (long long)total);
    json_member_number (json, "sum", (double)atomic_load (&h->sum) * scale);
    json_close (json, '}');
}

void
query__stats_health (json_writer_t *json, stats_t *st)
{
    json_member_bool (json, "store_refusing",
                      atomic_load (&st->store_refusing));
    json_member_int (json, "publisher_sequence",
                     (long long)atomic_load (&st->publisher_sequence));
    json_member_int (json, "live_clients",
                     (long long)atomic_load (&st->live_clients));
    json_member_int (json, "live_feed_received",
                     (long long)atomic_load (&st->live_feed_received));
    const struct {
        const char *key;
        _Atomic uint64_t *value;
    } asof[] = {{"asof_reports", &st->asof_reports},
                {"asof_events_applied", &st->asof_events_applied},
                {"asof_replayed_to", &st->asof_replayed_to},
                {"asof_checkpoints", &st->asof_checkpoints},
                {"asof_checkpoint_bytes", &st->asof_checkpoint_bytes},
                {"asof_spacing", &st->asof_spacing},
                {"asof_late_events", &st->asof_late_events}};
    for (size_t i = 0; i < sizeof (asof) / sizeof (asof[0]); i++)
        json_member_int (json, asof[i].key,
                         (long long)atomic_load (asof[i].value));
    s_histogram (json, "ack_latency_seconds", &st->ack_latency,
                 stats_latency_bound, 1e-6);
    s_histogram (json, "commit_events", &st->commit_events, stats_batch_bound,
                 1);
    s_histogram (json, "apply_seconds", &st->apply_time, stats_latency_bound,
                 1e-6);
    s_histogram (json, "settle_seconds", &st->settle_time, stats_latency_bound,
                 1e-6);
    s_histogram (json, "commit_seconds", &st->commit_time, stats_latency_bound,
                 1e-6);
}

char *
query__units_json (store_txn_t *txn)
{
    size_t count = 0;
    rules_unit_t *units = state_units_list (txn, &count);
    if (!units && store_count (txn, STORE_UNITS) > 0)
        return NULL;
    json_writer_t json;
    json_init (&json, 128 + count * 96);
    json_open (&json, '{');
    json_member_int (&json, "count", (long long)count);
    json_key (&json, "units");
    json_open (&json, '[');
    for (size_t i = 0; i < count; i++) {
        json_open (&json, '{');
        json_member_string (&json, "unit_id", units[i].unit_id);
        json_member_string (&json, "name", units[i].name);
        json_member_string (&json, "group", units[i].group);
        json_close (&json, '}');
    }
    json_close (&json, ']');
    json_close (&json, '}');
    free (units);
    return json_finish (&json);
}

/* One open alert: its record, and what it is ordered by. */
typedef struct {
    char *json;                    /* the alert as stored (owned) */
    char due_at[40];               /* its deadline, RFC 3339 in +08:00 */
    char ticket[PROTO_ID_MAX + 1]; /* its ticket */
} s_alert_t;

/* Most urgent first: the earliest deadline, then the ticket. Every
   deadline is written in +08:00 by proto_time_format, so the texts sort
   as the times do. */
static int
s_alert_compare (const void *a, const void *b)
{
    const s_alert_t *x = a, *y = b;
    int c = strcmp (x->due_at, y->due_at);
    return c ? c : strcmp (x->ticket, y->ticket);
}

/* Adds one stored alert to the list when it is `unit`'s ("" any).
   Returns -1 when out of memory. */
static int
s_alert_add (s_alert_t **list, size_t *count, size_t *capacity,
             const char *unit, const void *key, size_t key_size,
             const void *value, size_t size)
{
    char *text = strndup (value, size);
    cJSON *doc = text ? cJSON_Parse (text) : NULL;
    const char *owner =
        cJSON_GetStringValue (cJSON_GetObjectItem (doc, "unit_id"));
    const char *due =
        cJSON_GetStringValue (cJSON_GetObjectItem (doc, "due_at"));
    int rc = text ? 0 : -1;
    if (owner && due && (!*unit || strcmp (owner, unit) == 0)) {
        if (*count == *capacity) {
            size_t more = *capacity ? *capacity * 2 : 64;
            s_alert_t *grown = realloc (*list, more * sizeof (*grown));
            if (grown) {
                *list = grown;
                *capacity = more;
            }
        }
        if (*count < *capacity) {
            s_alert_t *a = &(*list)[(*count)++];
            a->json = text;
            text = NULL;
            snprintf (a->due_at, sizeof (a->due_at), "%s", due);
            snprintf (a->ticket, sizeof (a->ticket), "%.*s",
                      (int)(key_size < PROTO_ID_MAX ? key_size : PROTO_ID_MAX),
                      (const char *)key);
        } else
            rc = -1;
    }
    cJSON_Delete (doc);
    free (text);
    return rc;
}

char *
query__alerts_json (store_txn_t *txn, const char *unit)
{
    s_alert_t *list = NULL;
    size_t count = 0, capacity = 0;
    int rc = 0;
    store_cursor_t *cursor = store_cursor_new (txn, STORE_ALERTS, NULL, 0);
    if (!cursor)
        rc = -1;
    const void *key, *value;
    size_t key_size, size;
    while (rc == 0 && store_cursor_next (cursor, &key, &key_size, &value,
                                         &size) == STORE_OK)
        rc = s_alert_add (&list, &count, &capacity, unit ? unit : "", key,
                          key_size, value, size);
    store_cursor_destroy (&cursor);
    if (count)
        qsort (list, count, sizeof (*list), s_alert_compare);
    char when[32];
    int64_t now = state_clock_now (txn);
    json_writer_t json;
    json_init (&json, 256 + count * 200);
    json_open (&json, '{');
    json_member_string (&json, "clock",
                        now ? proto_time_format (now, when) : "");
    json_member_int (&json, "count", (long long)count);
    json_key (&json, "alerts");
    json_open (&json, '[');
    for (size_t i = 0; i < count; i++) {
        json_value (&json, list[i].json);
        free (list[i].json);
    }
    json_close (&json, ']');
    json_close (&json, '}');
    free (list);
    char *text = json_finish (&json);
    if (rc != 0) {
        free (text);
        return NULL;
    }
    return text;
}
