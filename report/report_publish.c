/*  report_publish: published scorecards (report.h, docs/appeals.md).

    Publishing stores the report's bytes as they are now, with a
    "published" member saying which version, when, why, after how many
    events of the log and from which ruleset text, under ruleset \0
    period \0 version in STORE_PUBLISHED. Those bytes are data, never
    derived again: a replay, a ruleset reload, later events and
    exemptions leave them as they were. A diff compares them, cell by
    cell, with the report as it is now. */
#include "report_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUBLISHED_MAX (64u << 20) /* bytes of one published scorecard */

static size_t
s_key (uint8_t *key, const char *ruleset, const char *period, uint32_t version)
{
    size_t r = strlen (ruleset), p = strlen (period);
    memcpy (key, ruleset, r);
    key[r] = 0;
    memcpy (key + r + 1, period, p);
    key[r + 1 + p] = 0;
    uint8_t be[8];
    store_put_be64 (be, version);
    memcpy (key + r + p + 2, be + 4, 4);
    return r + p + 6;
}

/* The latest version published of a ruleset and period, 0 if none. */
static int
s_latest (store_txn_t *txn, const char *ruleset, const char *period,
          uint32_t *latest)
{
    uint8_t prefix[2 * PROTO_ID_MAX + 8];
    size_t psize = s_key (prefix, ruleset, period, 0) - 4;
    store_cursor_t *cursor =
        store_cursor_new (txn, STORE_PUBLISHED, prefix, psize);
    if (!cursor)
        return STORE_ERROR;
    const void *key;
    size_t key_size;
    int rc;
    *latest = 0;
    while ((rc = store_cursor_next (cursor, &key, &key_size, NULL, NULL)) ==
           STORE_OK) {
        const uint8_t *k = key;
        if (key_size != psize + 4 || memcmp (k, prefix, psize) != 0)
            break;
        *latest = (uint32_t)k[psize] << 24 | (uint32_t)k[psize + 1] << 16 |
                  (uint32_t)k[psize + 2] << 8 | k[psize + 3];
    }
    store_cursor_destroy (&cursor);
    return rc == STORE_NOTFOUND || rc == STORE_OK ? STORE_OK : rc;
}

char *
report_publish (store_txn_t *txn, const rules_ruleset_t *rs,
                const char *period_text, const char *note, bool force,
                int64_t now, int *store_rc, char *err)
{
    *store_rc = STORE_OK;
    proto_period_t period;
    if (report_period_check (rs, period_text, &period, err) != 0)
        return NULL;
    char when[32];
    if (!force && now < proto_period_end (period)) {
        snprintf (err, 256,
                  "%s has not ended (the daemon's clock is at %s): publish "
                  "--force to publish it anyway",
                  period_text, now ? proto_time_format (now, when) : "0");
        return NULL;
    }
    uint32_t latest;
    int rc = s_latest (txn, rs->id, period_text, &latest);
    char *json =
        rc == STORE_OK ? report_json (txn, rs, period_text, 0, err) : NULL;
    if (rc != STORE_OK) {
        *store_rc = rc;
        snprintf (err, 256, "reading what was published: %s",
                  store_strerror (rc));
    }
    if (!json)
        return NULL;
    /* The report's bytes with the published member as its last. */
    json_writer_t pub;
    json_init (&pub, 512);
    json_open (&pub, '{');
    json_member_int (&pub, "version", (long long)latest + 1);
    json_member_string (&pub, "at", proto_time_format (now, when));
    json_member_string (&pub, "note", note ? note : "");
    json_member_int (&pub, "events", (long long)store_count (txn, STORE_LOG));
    json_member_string (&pub, "ruleset_sha256", rs->sha256);
    json_close (&pub, '}');
    const char *member = json_text (&pub);
    size_t body = strlen (json); /* the report ends with its '}' */
    char *text = member ? malloc (body + strlen (member) + 16) : NULL;
    if (text)
        sprintf (text, "%.*s,\"published\":%s}", (int)(body - 1), json, member);
    json_free (&pub);
    free (json);
    if (!text) {
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    uint8_t key[2 * PROTO_ID_MAX + 8];
    rc = store_put (txn, STORE_PUBLISHED, key,
                    s_key (key, rs->id, period_text, latest + 1), text,
                    strlen (text));
    if (rc != STORE_OK) {
        *store_rc = rc;
        snprintf (err, 256, "not stored: %s", store_strerror (rc));
        free (text);
        return NULL;
    }
    return text;
}

char *
report_published (store_txn_t *txn, const char *ruleset, const char *period,
                  uint32_t version, char *err)
{
    uint32_t latest;
    int rc = s_latest (txn, ruleset, period, &latest);
    if (rc != STORE_OK) {
        snprintf (err, 256, "reading what was published: %s",
                  store_strerror (rc));
        return NULL;
    }
    if (latest == 0) {
        snprintf (err, 256, "nothing published for %s %s yet (hotline publish)",
                  ruleset, period);
        return NULL;
    }
    if (version > latest) {
        snprintf (err, 256, "no version %u of %s %s (versions 1 to %u)",
                  version, ruleset, period, latest);
        return NULL;
    }
    uint8_t key[2 * PROTO_ID_MAX + 8];
    size_t ksize = s_key (key, ruleset, period, version ? version : latest);
    size_t size = 0;
    rc = store_get (txn, STORE_PUBLISHED, key, ksize, NULL, &size);
    char *text =
        rc == STORE_TOOBIG && size < PUBLISHED_MAX ? malloc (size + 1) : NULL;
    if (text &&
        store_get (txn, STORE_PUBLISHED, key, ksize, text, &size) == STORE_OK) {
        text[size] = 0;
        return text;
    }
    free (text);
    snprintf (err, 256, "cannot read version %u of %s %s",
              version ? version : latest, ruleset, period);
    return NULL;
}

/* ---- diff ---------------------------------------------------------------- */

/* A report's rows by unit id. */
static const cJSON *
s_row (const cJSON *report, const char *unit_id)
{
    const cJSON *table, *row;
    cJSON_ArrayForEach (table, cJSON_GetObjectItem (report, "tables"))
    {
        cJSON_ArrayForEach (row, cJSON_GetObjectItem (table, "rows"))
        {
            const cJSON *id = cJSON_GetObjectItem (row, "unit_id");
            if (cJSON_IsString (id) && strcmp (id->valuestring, unit_id) == 0)
                return row;
        }
    }
    return NULL;
}

static void
s_value (json_writer_t *json, const cJSON *value)
{
    if (cJSON_IsNumber (value))
        json_number (json, value->valuedouble);
    else
        json_literal (json, "null");
}

static bool
s_same (const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber (a) && cJSON_IsNumber (b))
        return fabs (a->valuedouble - b->valuedouble) < 0.0005;
    return (!a || cJSON_IsNull (a)) == (!b || cJSON_IsNull (b));
}

static void
s_change (json_writer_t *json, const char *unit, const char *field,
          const cJSON *then, const cJSON *now)
{
    if (s_same (then, now))
        return;
    json_open (json, '{');
    json_member_string (json, "unit_id", unit);
    json_member_string (json, "field", field);
    json_key (json, "published");
    s_value (json, then);
    json_key (json, "now");
    s_value (json, now);
    json_close (json, '}');
}

/* Every cell of the published rows that the live rows show otherwise:
   each item, the total and the rank; a unit in one and not the other
   has every cell against null. */
static void
s_changes (json_writer_t *json, const cJSON *then, const cJSON *now)
{
    const cJSON *sides[2] = {then, now};
    for (int side = 0; side < 2; side++) {
        const cJSON *table, *row;
        cJSON_ArrayForEach (table, cJSON_GetObjectItem (sides[side], "tables"))
        {
            cJSON_ArrayForEach (row, cJSON_GetObjectItem (table, "rows"))
            {
                const char *unit =
                    cJSON_GetObjectItem (row, "unit_id")->valuestring;
                const cJSON *other = s_row (sides[1 - side], unit);
                if (side == 1 && other)
                    continue; /* compared from the published side */
                const cJSON *a = side == 0 ? row : other;
                const cJSON *b = side == 0 ? other : row;
                const cJSON *item;
                cJSON_ArrayForEach (item, cJSON_GetObjectItem (row, "items"))
                {
                    s_change (
                        json, unit, item->string,
                        cJSON_GetObjectItem (cJSON_GetObjectItem (a, "items"),
                                             item->string),
                        cJSON_GetObjectItem (cJSON_GetObjectItem (b, "items"),
                                             item->string));
                }
                s_change (json, unit, "total", cJSON_GetObjectItem (a, "total"),
                          cJSON_GetObjectItem (b, "total"));
                s_change (json, unit, "rank", cJSON_GetObjectItem (a, "rank"),
                          cJSON_GetObjectItem (b, "rank"));
            }
        }
    }
}

char *
report_diff (store_txn_t *txn, const rules_ruleset_t *rs, const char *period,
             uint32_t version, char *err)
{
    char *published = report_published (txn, rs->id, period, version, err);
    char *live = published ? report_json (txn, rs, period, 0, err) : NULL;
    cJSON *then = live ? cJSON_Parse (published) : NULL;
    cJSON *now = then ? cJSON_Parse (live) : NULL;
    char *text = NULL;
    if (live && !now)
        snprintf (err, 256, "cannot read the published scorecard");
    if (now) {
        const cJSON *pub = cJSON_GetObjectItem (then, "published");
        double events =
            cJSON_GetNumberValue (cJSON_GetObjectItem (pub, "events"));
        json_writer_t json;
        json_init (&json, 4096);
        json_open (&json, '{');
        json_member_string (&json, "ruleset", rs->id);
        json_member_string (&json, "period", period);
        json_member_int (&json, "version",
                         (long long)cJSON_GetNumberValue (
                             cJSON_GetObjectItem (pub, "version")));
        json_member_int (&json, "events_since",
                         (long long)store_count (txn, STORE_LOG) -
                             (long long)(isnan (events) ? 0 : events));
        json_key (&json, "changes");
        json_open (&json, '[');
        s_changes (&json, then, now);
        json_close (&json, ']');
        json_close (&json, '}');
        text = json_finish (&json);
        if (!text)
            snprintf (err, 256, "out of memory");
    }
    cJSON_Delete (then);
    cJSON_Delete (now);
    free (published);
    free (live);
    return text;
}
