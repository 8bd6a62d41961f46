/*  proto_json: event lines (docs/events.md) to and from events.

    A line comes from a file or the platform's feed and is answered with a
    reason when it is wrong, so every check here names the field it failed
    on. Unknown fields are ignored: the platform may add fields before we
    learn about them, and refusing its lines would lose events.
*/
#include "proto_internal.h"

#include "json.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How much of an unknown type name is echoed back in a reason. */
#define S_ECHO_MAX 32

typedef struct {
    const char *name; /* spelling in event lines */
    int value;        /* the matching proto enum value */
} s_name_t;

static const s_name_t s_types[] = {{"received", PROTO_RECEIVED},
                                   {"contacted", PROTO_CONTACTED},
                                   {"returned", PROTO_RETURNED},
                                   {"extended", PROTO_EXTENDED},
                                   {"closed", PROTO_CLOSED},
                                   {"revisited", PROTO_REVISITED},
                                   {"reopened", PROTO_REOPENED},
                                   {"adjusted", PROTO_ADJUSTED},
                                   {"tick", PROTO_TICK},
                                   {"appealed", PROTO_APPEALED},
                                   {"exempted", PROTO_EXEMPTED},
                                   {"appeal_rejected", PROTO_APPEAL_REJECTED},
                                   {"unexempted", PROTO_UNEXEMPTED},
                                   {NULL, 0}};

static const s_name_t s_satisfactions[] = {
    {"satisfied", PROTO_SAT_SATISFIED},
    {"basic", PROTO_SAT_BASIC},
    {"unsatisfied", PROTO_SAT_UNSATISFIED},
    {"none", PROTO_SAT_NONE},
    {NULL, 0}};

static const s_name_t s_resolveds[] = {{"yes", PROTO_RES_YES},
                                       {"partly", PROTO_RES_PARTLY},
                                       {"no", PROTO_RES_NO},
                                       {NULL, 0}};

static int
s_lookup_name (const s_name_t *names, const char *name)
{
    for (; names->name; names++)
        if (strcmp (names->name, name) == 0)
            return names->value;
    return 0;
}

/* A field that is absent or null is treated alike: some exporters write
   null for empty columns, and neither carries a value. */
static const cJSON *
s_field (const cJSON *root, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (root, name);
    return cJSON_IsNull (item) ? NULL : item;
}

static int
s_get_string (const cJSON *root, const char *name, char *dest, size_t dest_size,
              char *reason)
{
    const cJSON *item = s_field (root, name);
    if (!item)
        return 0;
    if (!cJSON_IsString (item)) {
        proto__reason (reason, "%s must be a string", name);
        return -1;
    }
    return proto__copy_field (dest, dest_size, item->valuestring, name, reason);
}

static int
s_get_time (const cJSON *root, const char *name, int64_t *ms, char *reason)
{
    const cJSON *item = s_field (root, name);
    if (!item)
        return 0;
    if (!cJSON_IsString (item) || proto_time_parse (item->valuestring, ms)) {
        proto__reason (reason, "%s is not an RFC 3339 time with offset", name);
        return -1;
    }
    //  Zero means absent in the event; the epoch itself is out of range
    //  anyway, so say so instead of later calling the field missing.
    if (*ms == 0) {
        proto__reason (reason, "%s before 2000-01-01", name);
        return -1;
    }
    return 0;
}

static int
s_get_bool (const cJSON *root, const char *name, bool *value, char *reason)
{
    const cJSON *item = s_field (root, name);
    if (!item)
        return 0;
    if (!cJSON_IsBool (item)) {
        proto__reason (reason, "%s must be true or false", name);
        return -1;
    }
    *value = cJSON_IsTrue (item);
    return 0;
}

/* Reads an enum spelled by name; 0 (the enums' "not given") when absent. */
static int
s_get_enum (const cJSON *root, const char *name, const s_name_t *names,
            const char *choices, int *value, char *reason)
{
    const cJSON *item = s_field (root, name);
    *value = 0;
    if (!item)
        return 0;
    if (cJSON_IsString (item))
        *value = s_lookup_name (names, item->valuestring);
    if (*value == 0) {
        proto__reason (reason, "%s must be %s", name, choices);
        return -1;
    }
    return 0;
}

/* Echoes a short, printable prefix of an unknown name: the reason is shown
   to users and logged, so it must not carry control bytes or a megabyte. */
static void
s_echo (const char *text, char *echo)
{
    size_t index = 0;
    for (; text[index] && index < S_ECHO_MAX; index++) {
        char c = text[index];
        echo[index] = (c >= 0x20 && c < 0x7F && c != '"') ? c : '?';
    }
    echo[index] = '\0';
    if (text[index])
        strcpy (echo + index, "...");
}

static int
s_get_type (const cJSON *root, proto_type_t *type, char *reason)
{
    const cJSON *item = s_field (root, "type");
    if (!item) {
        proto__reason (reason, "missing field type");
        return -1;
    }
    if (!cJSON_IsString (item)) {
        proto__reason (reason, "type must be a string");
        return -1;
    }
    int value = s_lookup_name (s_types, item->valuestring);
    if (value == 0) {
        char echo[S_ECHO_MAX + 4];
        s_echo (item->valuestring, echo);
        proto__reason (reason, "unknown type \"%s\"", echo);
        return -1;
    }
    *type = (proto_type_t)value;
    return 0;
}

/* The parser stops after the object; anything but white space after it
   means the line was not one JSON object. */
static bool
s_only_space (const char *cursor, const char *end)
{
    for (; cursor < end; cursor++)
        if (*cursor != ' ' && *cursor != '\t' && *cursor != '\r' &&
            *cursor != '\n' && *cursor != '\0')
            return false;
    return true;
}

/* cJSON decodes "\u0000" (or a raw NUL byte) into a string that then
   ends there: "u2\u0000zz" would read as "u2", another event's id. The
   line is searched for a NUL inside a string before it is trusted;
   `key` gets the member the string belongs to (echoed like s_echo), or
   "a member name". Returns true when one is found. */
static bool
s_nul_in_string (const char *line, size_t size, char *key)
{
    bool in_string = false;
    size_t start = 0, last_start = 0, last_end = 0;
    strcpy (key, "a member name");
    for (size_t at = 0; at < size; at++) {
        char c = line[at];
        if (!in_string) {
            if (c == '"') {
                in_string = true;
                start = at + 1;
            } else if (c == ':') {
                /* The string just closed was a member name. */
                size_t length = last_end - last_start;
                char name[S_ECHO_MAX + 1];
                length = length < S_ECHO_MAX ? length : S_ECHO_MAX;
                memcpy (name, line + last_start, length);
                name[length] = 0;
                s_echo (name, key);
            } else if (c == ',' || c == '{')
                strcpy (key, "a member name");
            continue;
        }
        bool nul =
            c == 0 || (c == '\\' && at + 5 < size && line[at + 1] == 'u' &&
                       strncmp (line + at + 2, "0000", 4) == 0);
        if (nul)
            return true;
        if (c == '\\')
            at++; /* the escaped character is not the string's end */
        else if (c == '"') {
            in_string = false;
            last_start = start;
            last_end = at;
        }
    }
    return false;
}

static int
s_read_event (const cJSON *root, proto_event_t *event, char *reason)
{
    int satisfaction = 0, resolved = 0;
    if (s_get_string (root, "event_id", event->event_id, sizeof event->event_id,
                      reason) ||
        s_get_type (root, &event->type, reason) ||
        s_get_string (root, "ticket_id", event->ticket_id,
                      sizeof event->ticket_id, reason) ||
        s_get_string (root, "unit_id", event->unit_id, sizeof event->unit_id,
                      reason) ||
        s_get_time (root, "occurred_at", &event->occurred_at, reason) ||
        s_get_time (root, "dispatched_at", &event->dispatched_at, reason) ||
        s_get_time (root, "due_at", &event->due_at, reason) ||
        s_get_string (root, "time_limit", event->time_limit,
                      sizeof event->time_limit, reason) ||
        s_get_string (root, "channel", event->channel, sizeof event->channel,
                      reason) ||
        s_get_string (root, "category", event->category, sizeof event->category,
                      reason) ||
        s_get_bool (root, "key_supervision", &event->key_supervision, reason) ||
        s_get_bool (root, "repeat_dispatch", &event->repeat_dispatch, reason) ||
        s_get_string (root, "reason", event->reason, sizeof event->reason,
                      reason) ||
        s_get_enum (root, "satisfaction", s_satisfactions,
                    "satisfied, basic, unsatisfied or none", &satisfaction,
                    reason) ||
        s_get_enum (root, "resolved", s_resolveds, "yes, partly or no",
                    &resolved, reason) ||
        s_get_bool (root, "rework", &event->rework, reason) ||
        s_get_string (root, "period", event->period, sizeof event->period,
                      reason) ||
        s_get_string (root, "item", event->item, sizeof event->item, reason) ||
        s_get_string (root, "by", event->by, sizeof event->by, reason) ||
        s_get_string (root, "counters", event->counters, sizeof event->counters,
                      reason))
        return -1;
    event->satisfaction = (proto_satisfaction_t)satisfaction;
    event->resolved = (proto_resolved_t)resolved;

    const cJSON *value = s_field (root, "value");
    if (value) {
        if (!cJSON_IsNumber (value)) {
            proto__reason (reason, "value must be a number");
            return -1;
        }
        event->value = value->valuedouble;
    }
    //  The event struct cannot tell a value of 0 from no value, so the one
    //  type that needs it is checked here, while the difference is known.
    else if (event->type == PROTO_ADJUSTED) {
        proto__reason (reason, "missing field value");
        return -1;
    }

    //  Older platform exports carry neither channel nor category; they
    //  came through the hotline and have no subject code.
    if (event->type == PROTO_RECEIVED) {
        if (!s_field (root, "channel"))
            strcpy (event->channel, "hotline");
        if (!s_field (root, "category"))
            strcpy (event->category, "other");
    }
    return 0;
}

int
proto_event_from_json (const char *line, size_t size, proto_event_t *event,
                       char *reason)
{
    if (!event) {
        proto__reason (reason, "no event");
        return -1;
    }
    memset (event, 0, sizeof *event);
    if (!line) {
        proto__reason (reason, "not valid JSON");
        return -1;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts (line, size, &end, false);
    if (!root || !end || !s_only_space (end, line + size)) {
        cJSON_Delete (root);
        proto__reason (reason, "not valid JSON");
        return -1;
    }
    int rc = -1;
    char key[S_ECHO_MAX + 4];
    if (!cJSON_IsObject (root))
        proto__reason (reason, "line is not a JSON object");
    else if (s_nul_in_string (line, (size_t)(end - line), key))
        proto__reason (reason, "%s contains a NUL byte", key);
    else if (s_read_event (root, event, reason) == 0)
        rc = proto_event_validate (event, reason);
    cJSON_Delete (root);
    return rc;
}

//  ---------------------------------------------------------------------
//  Formatting

static void
s_add_string (json_writer_t *json, const char *name, const char *value)
{
    if (*value)
        json_member_string (json, name, value);
}

static void
s_add_time (json_writer_t *json, const char *name, int64_t ms)
{
    char text[32];
    if (ms)
        json_member_string (json, name, proto_time_format (ms, text));
}

static void
s_add_true (json_writer_t *json, const char *name, bool value)
{
    if (value)
        json_member_bool (json, name, true);
}

char *
proto_event_to_json (const proto_event_t *event)
{
    if (!event)
        return NULL;
    json_writer_t json;
    json_init (&json, 512);
    json_open (&json, '{');
    //  Fields in the order of docs/events.md; absent, empty and false
    //  fields are left out, as proto_event_from_json reads them back as
    //  the same defaults.
    s_add_string (&json, "event_id", event->event_id);
    json_member_string (&json, "type", proto_type_name (event->type));
    s_add_string (&json, "ticket_id", event->ticket_id);
    s_add_string (&json, "unit_id", event->unit_id);
    s_add_time (&json, "occurred_at", event->occurred_at);
    s_add_time (&json, "dispatched_at", event->dispatched_at);
    s_add_time (&json, "due_at", event->due_at);
    s_add_string (&json, "time_limit", event->time_limit);
    s_add_string (&json, "channel", event->channel);
    s_add_string (&json, "category", event->category);
    s_add_true (&json, "key_supervision", event->key_supervision);
    s_add_true (&json, "repeat_dispatch", event->repeat_dispatch);
    s_add_string (&json, "reason", event->reason);
    if (event->satisfaction != PROTO_SAT_NONE_GIVEN)
        json_member_string (&json, "satisfaction",
                            proto_satisfaction_name (event->satisfaction));
    if (event->resolved != PROTO_RES_NONE_GIVEN)
        json_member_string (&json, "resolved",
                            proto_resolved_name (event->resolved));
    s_add_true (&json, "rework", event->rework);
    s_add_string (&json, "period", event->period);
    s_add_string (&json, "item", event->item);
    s_add_string (&json, "counters", event->counters);
    s_add_string (&json, "by", event->by);
    //  An adjustment to 0 is a real value, so adjusted always has one.
    if (event->value != 0 || event->type == PROTO_ADJUSTED) {
        /* cJSON prints %1.15g, which can lose the last bit: the shortest
           of 15, 16 or 17 digits that reads back exactly does not. */
        char number[32];
        for (int digits = 15; digits <= 17; digits++) {
            snprintf (number, sizeof (number), "%.*g", digits, event->value);
            if (strtod (number, NULL) == event->value)
                break;
        }
        json_key (&json, "value");
        json_value (&json, number);
    }
    json_close (&json, '}');
    return json_finish (&json);
}
