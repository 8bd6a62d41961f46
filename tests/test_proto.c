/*  Tests for the proto module: event lines, times and the wire format.

    Hostile protobuf bytes are written by hand here (a tiny encoder below)
    so the tests do not depend on protobuf-c, which never leaves proto/.
*/
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "testutil.h"

//  The example lines of docs/events.md, verbatim.
static const char *s_examples[] = {
    "{\"event_id\":\"e1\",\"type\":\"received\",\"ticket_id\":\"T1\","
    "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T09:10:00+08:00\","
    "\"dispatched_at\":\"2025-07-01T09:00:00+08:00\","
    "\"due_at\":\"2025-07-04T18:00:00+08:00\",\"channel\":\"hotline\","
    "\"category\":\"property\",\"key_supervision\":false,"
    "\"repeat_dispatch\":false}",
    "{\"event_id\":\"e2\",\"type\":\"contacted\",\"ticket_id\":\"T1\","
    "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T09:40:00+08:00\"}",
    "{\"event_id\":\"e3\",\"type\":\"returned\",\"ticket_id\":\"T1\","
    "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-01T12:00:00+08:00\","
    "\"reason\":\"not our jurisdiction\"}",
    "{\"event_id\":\"e4\",\"type\":\"extended\",\"ticket_id\":\"T1\","
    "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-02T10:00:00+08:00\","
    "\"due_at\":\"2025-07-08T18:00:00+08:00\"}",
    "{\"event_id\":\"e5\",\"type\":\"closed\",\"ticket_id\":\"T1\","
    "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-03T16:00:00+08:00\"}",
    "{\"event_id\":\"e6\",\"type\":\"revisited\",\"ticket_id\":\"T1\","
    "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-05T10:00:00+08:00\","
    "\"satisfaction\":\"unsatisfied\",\"resolved\":\"no\",\"rework\":true}",
    "{\"event_id\":\"e7\",\"type\":\"reopened\",\"ticket_id\":\"T1\","
    "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-05T10:05:00+08:00\","
    "\"due_at\":\"2025-07-09T18:00:00+08:00\"}",
    "{\"event_id\":\"e8\",\"type\":\"adjusted\",\"unit_id\":\"U01\","
    "\"period\":\"2024-Q4\",\"item\":\"knowledge_base\",\"value\":9.5,"
    "\"occurred_at\":\"2025-01-05T10:00:00+08:00\"}",
    "{\"event_id\":\"e9\",\"type\":\"tick\","
    "\"occurred_at\":\"2025-08-01T00:00:00+08:00\"}",
};
#define S_EXAMPLE_COUNT (sizeof s_examples / sizeof s_examples[0])

//  2025-07-01T09:10:00+08:00 in ms since the epoch.
#define S_JULY_FIRST 1751332200000LL

static void
s_parse_ok (const char *line, proto_event_t *event)
{
    char reason[PROTO_ERROR_MAX] = "";
    int rc = proto_event_from_json (line, strlen (line), event, reason);
    cr_assert_eq (rc, 0, "line %s rejected: %s", line, reason);
}

/* Parses a line that must be rejected and checks the reason. */
static void
s_expect_rejected (const char *line, const char *expected)
{
    proto_event_t event;
    char reason[PROTO_ERROR_MAX] = "";
    int rc = proto_event_from_json (line, strlen (line), &event, reason);
    cr_assert_eq (rc, -1, "line %s accepted", line);
    cr_assert_str_eq (reason, expected, "line %s", line);
}

static void
s_assert_events_equal (const proto_event_t *a, const proto_event_t *b)
{
    cr_assert_str_eq (a->event_id, b->event_id);
    cr_assert_eq (a->type, b->type);
    cr_assert_str_eq (a->ticket_id, b->ticket_id);
    cr_assert_str_eq (a->unit_id, b->unit_id);
    cr_assert_eq (a->occurred_at, b->occurred_at);
    cr_assert_eq (a->dispatched_at, b->dispatched_at);
    cr_assert_eq (a->due_at, b->due_at);
    cr_assert_str_eq (a->time_limit, b->time_limit);
    cr_assert_str_eq (a->channel, b->channel);
    cr_assert_str_eq (a->category, b->category);
    cr_assert_eq (a->key_supervision, b->key_supervision);
    cr_assert_eq (a->repeat_dispatch, b->repeat_dispatch);
    cr_assert_str_eq (a->reason, b->reason);
    cr_assert_eq (a->satisfaction, b->satisfaction);
    cr_assert_eq (a->resolved, b->resolved);
    cr_assert_eq (a->rework, b->rework);
    cr_assert_str_eq (a->period, b->period);
    cr_assert_str_eq (a->item, b->item);
    cr_assert_eq (a->value, b->value);
}

//  ---------------------------------------------------------------------
//  A minimal protobuf writer, for bytes the encoders would never produce

typedef struct {
    uint8_t data[300000]; /* big enough for the oversized batch */
    size_t size;          /* bytes written */
} s_wire_t;

static void
s_put_varint (s_wire_t *wire, uint64_t value)
{
    do {
        uint8_t byte = value & 0x7F;
        value >>= 7;
        wire->data[wire->size++] = byte | (value ? 0x80 : 0);
    } while (value);
}

static void
s_put_int (s_wire_t *wire, unsigned field, uint64_t value)
{
    s_put_varint (wire, field << 3);
    s_put_varint (wire, value);
}

static void
s_put_bytes (s_wire_t *wire, unsigned field, const void *bytes, size_t size)
{
    s_put_varint (wire, (field << 3) | 2);
    s_put_varint (wire, size);
    memcpy (wire->data + wire->size, bytes, size);
    wire->size += size;
}

static void
s_put_string (s_wire_t *wire, unsigned field, const char *text)
{
    s_put_bytes (wire, field, text, strlen (text));
}

/* A valid tick event, with an extra field appended by the caller. */
static void
s_tick_wire (s_wire_t *wire, const char *event_id)
{
    wire->size = 0;
    s_put_string (wire, 1, event_id);
    s_put_int (wire, 2, PROTO_TICK);
    s_put_int (wire, 5, (uint64_t)S_JULY_FIRST);
}

//  ---------------------------------------------------------------------
//  Event lines

Test (proto_json, parses_every_example_line_of_the_interfaces)
{
    static const proto_type_t types[] = {
        PROTO_RECEIVED, PROTO_CONTACTED, PROTO_RETURNED,
        PROTO_EXTENDED, PROTO_CLOSED,    PROTO_REVISITED,
        PROTO_REOPENED, PROTO_ADJUSTED,  PROTO_TICK};
    for (size_t index = 0; index < S_EXAMPLE_COUNT; index++) {
        proto_event_t event;
        s_parse_ok (s_examples[index], &event);
        cr_assert_eq (event.type, types[index]);
        cr_assert_str_eq (proto_type_name (event.type),
                          proto_type_name (types[index]));
    }
}

Test (proto_json, fills_every_field_of_a_received_line)
{
    proto_event_t event;
    s_parse_ok (s_examples[0], &event);
    cr_assert_str_eq (event.event_id, "e1");
    cr_assert_str_eq (event.ticket_id, "T1");
    cr_assert_str_eq (event.unit_id, "U01");
    cr_assert_eq (event.occurred_at, S_JULY_FIRST);
    cr_assert_eq (event.dispatched_at, S_JULY_FIRST - 10 * 60 * 1000);
    cr_assert_str_eq (event.channel, "hotline");
    cr_assert_str_eq (event.category, "property");
    cr_assert_not (event.key_supervision);
    cr_assert_not (event.repeat_dispatch);
}

Test (proto_json, fills_the_fields_of_revisited_adjusted_and_returned)
{
    proto_event_t event;
    s_parse_ok (s_examples[2], &event);
    cr_assert_str_eq (event.reason, "not our jurisdiction");
    s_parse_ok (s_examples[5], &event);
    cr_assert_eq (event.satisfaction, PROTO_SAT_UNSATISFIED);
    cr_assert_eq (event.resolved, PROTO_RES_NO);
    cr_assert (event.rework);
    s_parse_ok (s_examples[7], &event);
    cr_assert_str_eq (event.period, "2024-Q4");
    cr_assert_str_eq (event.item, "knowledge_base");
    cr_assert_eq (event.value, 9.5);
    cr_assert_str_eq (event.ticket_id, "");
    s_parse_ok (s_examples[8], &event);
    cr_assert_str_eq (event.unit_id, "");
}

Test (proto_json, defaults_channel_and_category_of_a_received_line)
{
    proto_event_t event;
    s_parse_ok ("{\"event_id\":\"e1\",\"type\":\"received\",\"ticket_id\":"
                "\"T1\",\"unit_id\":\"U01\",\"occurred_at\":"
                "\"2025-07-01T09:10:00+08:00\",\"dispatched_at\":"
                "\"2025-07-01T09:00:00+08:00\",\"due_at\":"
                "\"2025-07-04T18:00:00+08:00\"}",
                &event);
    cr_assert_str_eq (event.channel, "hotline");
    cr_assert_str_eq (event.category, "other");
}

Test (proto_json, ignores_unknown_fields_and_treats_null_as_absent)
{
    proto_event_t event;
    s_parse_ok ("{\"event_id\":\"e2\",\"type\":\"contacted\",\"ticket_id\":"
                "\"T1\",\"unit_id\":\"U01\",\"occurred_at\":"
                "\"2025-07-01T09:40:00+08:00\",\"operator\":{\"id\":7},"
                "\"reason\":null}\n",
                &event);
    cr_assert_str_eq (event.reason, "");
}

Test (proto_json, accepts_chinese_text_in_a_reason)
{
    proto_event_t event;
    s_parse_ok ("{\"event_id\":\"e3\",\"type\":\"returned\",\"ticket_id\":"
                "\"T1\",\"unit_id\":\"U01\",\"occurred_at\":"
                "\"2025-07-01T12:00:00+08:00\",\"reason\":"
                "\"非本单位职责\"}",
                &event);
    cr_assert_str_eq (event.reason, "非本单位职责");
}

Test (proto_json, formats_an_event_back_as_the_same_line)
{
    proto_event_t event;
    s_parse_ok (s_examples[1], &event);
    char *line = proto_event_to_json (&event);
    cr_assert_not_null (line);
    cr_assert_str_eq (line, s_examples[1]);
    free (line);
}

Test (proto_json, round_trips_every_example_through_json)
{
    for (size_t index = 0; index < S_EXAMPLE_COUNT; index++) {
        proto_event_t event, again;
        s_parse_ok (s_examples[index], &event);
        char *line = proto_event_to_json (&event);
        cr_assert_not_null (line);
        s_parse_ok (line, &again);
        s_assert_events_equal (&event, &again);
        free (line);
    }
}

Test (proto_json, keeps_an_adjustment_to_zero)
{
    proto_event_t event, again;
    s_parse_ok ("{\"event_id\":\"e8\",\"type\":\"adjusted\",\"unit_id\":"
                "\"U01\",\"period\":\"2024-12\",\"item\":\"bonus\","
                "\"value\":0,\"occurred_at\":\"2025-01-05T10:00:00+08:00\"}",
                &event);
    char *line = proto_event_to_json (&event);
    cr_assert (strstr (line, "\"value\":0"), "%s", line);
    s_parse_ok (line, &again);
    s_assert_events_equal (&event, &again);
    free (line);
}

Test (proto_json, rejects_a_line_that_is_not_json)
{
    s_expect_rejected ("{\"event_id\":\"e1\",", "not valid JSON");
    s_expect_rejected ("", "not valid JSON");
    s_expect_rejected ("hello", "not valid JSON");
    s_expect_rejected ("{} {}", "not valid JSON");
}

Test (proto_json, rejects_json_that_is_not_an_object)
{
    s_expect_rejected ("[1,2]", "line is not a JSON object");
    s_expect_rejected ("\"tick\"", "line is not a JSON object");
}

Test (proto_json, rejects_an_unknown_type_and_names_it)
{
    s_expect_rejected ("{\"event_id\":\"e1\",\"type\":\"foo\"}",
                       "unknown type \"foo\"");
    s_expect_rejected ("{\"event_id\":\"e1\",\"type\":\"RECEIVED\"}",
                       "unknown type \"RECEIVED\"");
    s_expect_rejected ("{\"event_id\":\"e1\"}", "missing field type");
    s_expect_rejected ("{\"event_id\":\"e1\",\"type\":3}",
                       "type must be a string");
}

Test (proto_json, shortens_a_long_unknown_type_in_the_reason)
{
    s_expect_rejected ("{\"type\":\"abcdefghijabcdefghijabcdefghijabcdefghij"
                       "\\n\"}",
                       "unknown type \"abcdefghijabcdefghijabcdefghijab...\"");
}

Test (proto_json, rejects_a_missing_field)
{
    s_expect_rejected ("{\"type\":\"tick\",\"occurred_at\":"
                       "\"2025-08-01T00:00:00+08:00\"}",
                       "missing field event_id");
    s_expect_rejected ("{\"event_id\":\"e9\",\"type\":\"tick\"}",
                       "missing field occurred_at");
    s_expect_rejected ("{\"event_id\":\"e2\",\"type\":\"contacted\","
                       "\"ticket_id\":\"T1\",\"occurred_at\":"
                       "\"2025-07-01T09:40:00+08:00\"}",
                       "missing field unit_id");
    s_expect_rejected ("{\"event_id\":\"e2\",\"type\":\"contacted\","
                       "\"unit_id\":\"U01\",\"occurred_at\":"
                       "\"2025-07-01T09:40:00+08:00\"}",
                       "missing field ticket_id");
    s_expect_rejected ("{\"event_id\":\"e4\",\"type\":\"extended\","
                       "\"ticket_id\":\"T1\",\"unit_id\":\"U01\","
                       "\"occurred_at\":\"2025-07-02T10:00:00+08:00\"}",
                       "missing field due_at");
    s_expect_rejected ("{\"event_id\":\"e1\",\"type\":\"received\","
                       "\"ticket_id\":\"T1\",\"unit_id\":\"U01\","
                       "\"occurred_at\":\"2025-07-01T09:10:00+08:00\","
                       "\"due_at\":\"2025-07-04T18:00:00+08:00\"}",
                       "missing field dispatched_at");
}

Test (proto_json, rejects_a_revisit_without_satisfaction)
{
    s_expect_rejected ("{\"event_id\":\"e6\",\"type\":\"revisited\","
                       "\"ticket_id\":\"T1\",\"unit_id\":\"U01\","
                       "\"occurred_at\":\"2025-07-05T10:00:00+08:00\"}",
                       "missing field satisfaction");
}

Test (proto_json, rejects_an_adjustment_without_period_item_or_value)
{
    s_expect_rejected ("{\"event_id\":\"e8\",\"type\":\"adjusted\","
                       "\"unit_id\":\"U01\",\"item\":\"x\",\"value\":1,"
                       "\"occurred_at\":\"2025-01-05T10:00:00+08:00\"}",
                       "missing field period");
    s_expect_rejected ("{\"event_id\":\"e8\",\"type\":\"adjusted\","
                       "\"unit_id\":\"U01\",\"period\":\"2024-Q4\","
                       "\"value\":1,"
                       "\"occurred_at\":\"2025-01-05T10:00:00+08:00\"}",
                       "missing field item");
    s_expect_rejected ("{\"event_id\":\"e8\",\"type\":\"adjusted\","
                       "\"unit_id\":\"U01\",\"period\":\"2024-Q4\","
                       "\"item\":\"x\","
                       "\"occurred_at\":\"2025-01-05T10:00:00+08:00\"}",
                       "missing field value");
}

Test (proto_json, rejects_a_time_that_does_not_parse)
{
    s_expect_rejected ("{\"event_id\":\"e9\",\"type\":\"tick\","
                       "\"occurred_at\":\"2025-08-01 00:00:00\"}",
                       "occurred_at is not an RFC 3339 time with offset");
    s_expect_rejected ("{\"event_id\":\"e9\",\"type\":\"tick\","
                       "\"occurred_at\":1754006400000}",
                       "occurred_at is not an RFC 3339 time with offset");
    s_expect_rejected ("{\"event_id\":\"e9\",\"type\":\"tick\","
                       "\"occurred_at\":\"2025-02-30T00:00:00Z\"}",
                       "occurred_at is not an RFC 3339 time with offset");
}

Test (proto_json, rejects_a_time_before_2000_or_after_2099)
{
    s_expect_rejected ("{\"event_id\":\"e9\",\"type\":\"tick\","
                       "\"occurred_at\":\"1999-12-31T23:59:59Z\"}",
                       "occurred_at before 2000-01-01");
    s_expect_rejected ("{\"event_id\":\"e9\",\"type\":\"tick\","
                       "\"occurred_at\":\"1970-01-01T00:00:00Z\"}",
                       "occurred_at before 2000-01-01");
    s_expect_rejected ("{\"event_id\":\"e9\",\"type\":\"tick\","
                       "\"occurred_at\":\"2100-01-01T00:00:00Z\"}",
                       "occurred_at after 2099-12-31");
}

Test (proto_json, rejects_a_string_that_is_too_long)
{
    char line[512];
    char id[70];
    memset (id, 'x', 65);
    id[65] = '\0';
    snprintf (line, sizeof line,
              "{\"event_id\":\"e2\",\"type\":\"contacted\",\"ticket_id\":"
              "\"%s\",\"unit_id\":\"U01\",\"occurred_at\":"
              "\"2025-07-01T09:40:00+08:00\"}",
              id);
    s_expect_rejected (line, "ticket_id longer than 64 bytes");

    //  Exactly 64 bytes fits.
    id[64] = '\0';
    snprintf (line, sizeof line,
              "{\"event_id\":\"e2\",\"type\":\"contacted\",\"ticket_id\":"
              "\"%s\",\"unit_id\":\"U01\",\"occurred_at\":"
              "\"2025-07-01T09:40:00+08:00\"}",
              id);
    proto_event_t event;
    s_parse_ok (line, &event);
    cr_assert_str_eq (event.ticket_id, id);
}

Test (proto_json, rejects_invalid_utf8)
{
    s_expect_rejected ("{\"event_id\":\"e\xff\",\"type\":\"tick\","
                       "\"occurred_at\":\"2025-08-01T00:00:00+08:00\"}",
                       "invalid UTF-8 in event_id");
    //  An overlong encoding of '/' and a lone surrogate escape.
    s_expect_rejected ("{\"event_id\":\"e\xc0\xaf\",\"type\":\"tick\","
                       "\"occurred_at\":\"2025-08-01T00:00:00+08:00\"}",
                       "invalid UTF-8 in event_id");
    s_expect_rejected ("{\"event_id\":\"e\xed\xa0\x80\",\"type\":\"tick\","
                       "\"occurred_at\":\"2025-08-01T00:00:00+08:00\"}",
                       "invalid UTF-8 in event_id");
}

Test (proto_json, rejects_due_before_dispatch)
{
    s_expect_rejected ("{\"event_id\":\"e1\",\"type\":\"received\","
                       "\"ticket_id\":\"T1\",\"unit_id\":\"U01\","
                       "\"occurred_at\":\"2025-07-01T09:10:00+08:00\","
                       "\"dispatched_at\":\"2025-07-01T09:00:00+08:00\","
                       "\"due_at\":\"2025-06-30T18:00:00+08:00\"}",
                       "due_at before dispatched_at");
    s_expect_rejected ("{\"event_id\":\"e1\",\"type\":\"received\","
                       "\"ticket_id\":\"T1\",\"unit_id\":\"U01\","
                       "\"occurred_at\":\"2025-07-01T08:00:00+08:00\","
                       "\"dispatched_at\":\"2025-07-01T09:00:00+08:00\","
                       "\"due_at\":\"2025-07-04T18:00:00+08:00\"}",
                       "occurred_at before dispatched_at");
}

Test (proto_json, rejects_a_bad_period)
{
    static const char *periods[] = {"2024-13", "2024-00", "2024-Q5",
                                    "2024-Q0", "1999-12", "2024-7",
                                    "2024/07", "24-07",   "2024-q4"};
    for (size_t index = 0; index < sizeof periods / sizeof periods[0];
         index++) {
        char line[256];
        snprintf (line, sizeof line,
                  "{\"event_id\":\"e8\",\"type\":\"adjusted\",\"unit_id\":"
                  "\"U01\",\"period\":\"%s\",\"item\":\"x\",\"value\":1,"
                  "\"occurred_at\":\"2025-01-05T10:00:00+08:00\"}",
                  periods[index]);
        s_expect_rejected (line, "period must be YYYY-MM or YYYY-Qn");
    }
}

Test (proto_json, rejects_wrong_json_types)
{
    s_expect_rejected ("{\"event_id\":\"e1\",\"type\":\"received\","
                       "\"key_supervision\":\"yes\"}",
                       "key_supervision must be true or false");
    s_expect_rejected ("{\"event_id\":7,\"type\":\"tick\"}",
                       "event_id must be a string");
    s_expect_rejected ("{\"event_id\":\"e8\",\"type\":\"adjusted\","
                       "\"value\":\"9.5\"}",
                       "value must be a number");
    s_expect_rejected ("{\"event_id\":\"e6\",\"type\":\"revisited\","
                       "\"satisfaction\":\"happy\"}",
                       "satisfaction must be satisfied, basic, unsatisfied "
                       "or none");
    s_expect_rejected ("{\"event_id\":\"e6\",\"type\":\"revisited\","
                       "\"resolved\":true}",
                       "resolved must be yes, partly or no");
}

Test (proto_json, rejects_a_channel_that_is_not_a_token)
{
    s_expect_rejected ("{\"event_id\":\"e1\",\"type\":\"received\","
                       "\"ticket_id\":\"T1\",\"unit_id\":\"U01\","
                       "\"occurred_at\":\"2025-07-01T09:10:00+08:00\","
                       "\"dispatched_at\":\"2025-07-01T09:00:00+08:00\","
                       "\"due_at\":\"2025-07-04T18:00:00+08:00\","
                       "\"channel\":\"mayor mailbox\"}",
                       "channel must be letters, digits, '_', '-' or '.'");
}

Test (proto_json, rejects_a_nul_byte_in_a_string_and_names_the_field)
{
    /* "u2\u0000zz" read as "u2" would be another event's id. */
    s_expect_rejected ("{\"event_id\":\"u2\\u0000zz\",\"type\":\"tick\","
                       "\"occurred_at\":\"2025-07-01T00:00:00+08:00\"}",
                       "event_id contains a NUL byte");
    s_expect_rejected ("{\"event_id\":\"u2\",\"type\":\"tick\",\"ticket_id\":"
                       "\"T\\u0000\",\"occurred_at\":"
                       "\"2025-07-01T00:00:00+08:00\"}",
                       "ticket_id contains a NUL byte");
    /* A raw NUL byte inside a string, and in a member name. */
    static const char raw[] = "{\"event_id\":\"u\0\",\"type\":\"tick\"}";
    proto_event_t event;
    char reason[PROTO_ERROR_MAX] = "";
    cr_expect_eq (proto_event_from_json (raw, sizeof (raw) - 1, &event, reason),
                  -1);
    s_expect_rejected ("{\"event\\u0000id\":\"u2\",\"type\":\"tick\"}",
                       "a member name contains a NUL byte");
    /* An escaped backslash before u0000 is text, not a NUL. */
    s_parse_ok ("{\"event_id\":\"u2\\\\u0000\",\"type\":\"tick\","
                "\"occurred_at\":\"2025-07-01T00:00:00+08:00\"}",
                &event);
    cr_expect_str_eq (event.event_id, "u2\\u0000");
}

Test (proto_json, rejects_an_infinite_value)
{
    s_expect_rejected ("{\"event_id\":\"e8\",\"type\":\"adjusted\","
                       "\"unit_id\":\"U01\",\"period\":\"2024-Q4\","
                       "\"item\":\"x\",\"value\":1e999,"
                       "\"occurred_at\":\"2025-01-05T10:00:00+08:00\"}",
                       "value is not finite");
}

//  ---------------------------------------------------------------------
//  Times

Test (proto_time, parses_a_time_with_an_offset)
{
    int64_t ms = 0;
    cr_assert_eq (proto_time_parse ("2025-07-01T09:10:00+08:00", &ms), 0);
    cr_assert_eq (ms, S_JULY_FIRST);
    cr_assert_eq (proto_time_parse ("2025-07-01T01:10:00Z", &ms), 0);
    cr_assert_eq (ms, S_JULY_FIRST);
    cr_assert_eq (proto_time_parse ("2025-06-30T20:40:00-04:30", &ms), 0);
    cr_assert_eq (ms, S_JULY_FIRST);
}

Test (proto_time, accepts_lowercase_letters_and_a_space_separator)
{
    int64_t ms = 0;
    cr_assert_eq (proto_time_parse ("2025-07-01t01:10:00z", &ms), 0);
    cr_assert_eq (ms, S_JULY_FIRST);
    cr_assert_eq (proto_time_parse ("2025-07-01 09:10:00+08:00", &ms), 0);
    cr_assert_eq (ms, S_JULY_FIRST);
}

Test (proto_time, reads_fractions_as_milliseconds)
{
    int64_t ms = 0;
    cr_assert_eq (proto_time_parse ("2025-07-01T09:10:00.5+08:00", &ms), 0);
    cr_assert_eq (ms, S_JULY_FIRST + 500);
    cr_assert_eq (proto_time_parse ("2025-07-01T09:10:00.123456Z", &ms), 0);
    cr_assert_eq (ms, S_JULY_FIRST + 8 * 3600000LL + 123);
    cr_assert_eq (proto_time_parse ("2025-07-01T09:10:00.+08:00", &ms), -1);
}

Test (proto_time, knows_leap_days)
{
    int64_t ms = 0;
    cr_assert_eq (proto_time_parse ("2024-02-29T12:00:00Z", &ms), 0);
    cr_assert_eq (ms, 1709208000000LL);
    cr_assert_eq (proto_time_parse ("2000-02-29T12:00:00Z", &ms), 0);
    cr_assert_eq (proto_time_parse ("2023-02-29T12:00:00Z", &ms), -1);
    cr_assert_eq (proto_time_parse ("2100-02-29T12:00:00Z", &ms), -1);
}

Test (proto_time, rejects_invalid_dates_and_times)
{
    static const char *bad[] = {
        "2025-02-30T00:00:00Z",
        "2025-04-31T00:00:00Z",
        "2025-13-01T00:00:00Z",
        "2025-00-10T00:00:00Z",
        "2025-07-00T00:00:00Z",
        "2025-07-01T24:00:00Z",
        "2025-07-01T23:60:00Z",
        "2025-07-01T23:59:61Z",
        "2025-07-01T09:10:00",
        "2025-07-01T09:10:00+0800",
        "2025-07-01T09:10:00+24:00",
        "2025-07-01",
        "2025-7-1T09:10:00Z",
        "2025-07-01T09:10:00Zjunk",
        "2025-07-01T09:10Z",
        "",
        "garbage",
        "2025-07-01X09:10:00Z",
        "２０２５-07-01T09:10:00Z",
    };
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        int64_t ms = 42;
        cr_assert_eq (proto_time_parse (bad[index], &ms), -1, "%s", bad[index]);
    }
    int64_t ms;
    cr_assert_eq (proto_time_parse (NULL, &ms), -1);
}

Test (proto_time, formats_in_shanghai_time)
{
    char text[32];
    cr_assert_str_eq (proto_time_format (S_JULY_FIRST, text),
                      "2025-07-01T09:10:00+08:00");
    cr_assert_str_eq (proto_time_format (S_JULY_FIRST + 7, text),
                      "2025-07-01T09:10:00.007+08:00");
    cr_assert_str_eq (proto_time_format (1709208000000LL, text),
                      "2024-02-29T20:00:00+08:00");
    cr_assert_str_eq (proto_time_format (0, text), "1970-01-01T08:00:00+08:00");
    cr_assert_str_eq (proto_time_format (-1, text),
                      "1970-01-01T07:59:59.999+08:00");
}

Test (proto_time, formats_extreme_values_within_the_buffer)
{
    char text[32];
    proto_time_format (INT64_MAX, text);
    cr_assert_str_eq (text, "9999-12-31T23:59:59.999+08:00");
    proto_time_format (INT64_MIN, text);
    cr_assert_str_eq (text, "0000-01-01T00:00:00+08:00");
}

Test (proto_time, round_trips_times_across_the_accepted_range)
{
    char text[32];
    //  A step that is not a divisor of a day visits every hour and ms.
    for (int64_t ms = PROTO_TIME_MIN; ms < PROTO_TIME_MAX;
         ms += 86400000LL * 37 + 3600000LL * 5 + 61001) {
        int64_t back = 0;
        proto_time_format (ms, text);
        cr_assert_eq (proto_time_parse (text, &back), 0, "%s", text);
        cr_assert_eq (back, ms, "%s", text);
    }
}

//  ---------------------------------------------------------------------
//  Wire format

Test (proto_wire, round_trips_every_example_through_protobuf)
{
    for (size_t index = 0; index < S_EXAMPLE_COUNT; index++) {
        proto_event_t event, decoded;
        s_parse_ok (s_examples[index], &event);
        size_t size = 0;
        uint8_t *bytes = proto_event_encode (&event, &size);
        cr_assert_not_null (bytes);
        char reason[PROTO_ERROR_MAX] = "";
        cr_assert_eq (proto_event_decode (bytes, size, &decoded, reason), 0,
                      "%s", reason);
        s_assert_events_equal (&event, &decoded);
        free (bytes);
    }
}

Test (proto_wire, rejects_an_event_that_fails_validation)
{
    proto_event_t event;
    memset (&event, 0, sizeof event);
    strcpy (event.event_id, "e9");
    event.type = PROTO_TICK;
    event.occurred_at = 946684799000LL;
    size_t size = 0;
    uint8_t *bytes = proto_event_encode (&event, &size);
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_event_decode (bytes, size, &event, reason), -1);
    cr_assert_str_eq (reason, "occurred_at before 2000-01-01");
    free (bytes);
}

Test (proto_wire, rejects_an_unknown_type_number)
{
    s_wire_t *wire = calloc (1, sizeof *wire);
    s_put_string (wire, 1, "e9");
    s_put_int (wire, 2, 42);
    s_put_int (wire, 5, (uint64_t)S_JULY_FIRST);
    proto_event_t event;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_event_decode (wire->data, wire->size, &event, reason),
                  -1);
    cr_assert_str_eq (reason, "unknown type");

    s_tick_wire (wire, "e9");
    s_put_int (wire, 13, 9);
    cr_assert_eq (proto_event_decode (wire->data, wire->size, &event, reason),
                  -1);
    cr_assert_str_eq (reason, "unknown satisfaction");
    free (wire);
}

Test (proto_wire, rejects_a_decoded_string_longer_than_its_field)
{
    s_wire_t *wire = calloc (1, sizeof *wire);
    char id[66];
    memset (id, 'x', 65);
    id[65] = '\0';
    s_tick_wire (wire, id);
    proto_event_t event;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_event_decode (wire->data, wire->size, &event, reason),
                  -1);
    cr_assert_str_eq (reason, "event_id longer than 64 bytes");
    free (wire);
}

Test (proto_wire, rejects_a_decoded_string_that_is_not_utf8)
{
    s_wire_t *wire = calloc (1, sizeof *wire);
    s_tick_wire (wire, "e\xe4\xb8");
    proto_event_t event;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_event_decode (wire->data, wire->size, &event, reason),
                  -1);
    cr_assert_str_eq (reason, "invalid UTF-8 in event_id");
    free (wire);
}

Test (proto_wire, round_trips_a_batch_with_client_rejects)
{
    proto_event_t events[S_EXAMPLE_COUNT];
    for (size_t index = 0; index < S_EXAMPLE_COUNT; index++)
        s_parse_ok (s_examples[index], &events[index]);
    proto_line_reject_t rejects[2] = {{3, "not valid JSON"},
                                      {7, "unknown type \"foo\""}};
    size_t size = 0;
    uint8_t *bytes =
        proto_batch_encode (77, events, S_EXAMPLE_COUNT, rejects, 2, &size);
    cr_assert_not_null (bytes);

    proto_batch_t batch;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_batch_decode (bytes, size, &batch, reason), 0, "%s",
                  reason);
    cr_assert_eq (batch.batch_id, 77);
    cr_assert_eq (batch.count, S_EXAMPLE_COUNT);
    for (size_t index = 0; index < S_EXAMPLE_COUNT; index++) {
        cr_assert_str_eq (batch.invalid[index], "");
        s_assert_events_equal (&events[index], &batch.events[index]);
    }
    cr_assert_eq (batch.reject_count, 2);
    cr_assert_eq (batch.rejects[1].line, 7);
    cr_assert_str_eq (batch.rejects[1].reason, "unknown type \"foo\"");
    proto_batch_free (&batch);
    proto_batch_free (&batch);
    cr_assert_null (batch.events);
    free (bytes);
}

Test (proto_wire, round_trips_an_empty_batch)
{
    size_t size = 99;
    uint8_t *bytes = proto_batch_encode (0, NULL, 0, NULL, 0, &size);
    cr_assert_not_null (bytes);
    cr_assert_eq (size, 0);
    proto_batch_t batch;
    cr_assert_eq (proto_batch_decode (bytes, size, &batch, NULL), 0);
    cr_assert_eq (batch.count, 0);
    proto_batch_free (&batch);
    free (bytes);
}

Test (proto_wire, marks_the_one_invalid_event_of_a_batch)
{
    proto_event_t events[3];
    s_parse_ok (s_examples[1], &events[0]);
    s_parse_ok (s_examples[3], &events[1]);
    s_parse_ok (s_examples[4], &events[2]);
    events[1].due_at = 0;
    size_t size = 0;
    uint8_t *bytes = proto_batch_encode (5, events, 3, NULL, 0, &size);

    proto_batch_t batch;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_batch_decode (bytes, size, &batch, reason), 0);
    cr_assert_eq (batch.count, 3);
    cr_assert_str_eq (batch.invalid[0], "");
    cr_assert_str_eq (batch.invalid[1], "missing field due_at");
    cr_assert_str_eq (batch.invalid[2], "");
    //  The invalid event keeps its id so the answer can name it.
    cr_assert_str_eq (batch.events[1].event_id, "e4");
    proto_batch_free (&batch);
    free (bytes);
}

Test (proto_wire, marks_an_event_with_an_oversized_string_invalid)
{
    s_wire_t *event = calloc (1, sizeof *event);
    s_wire_t *wire = calloc (1, sizeof *wire);
    s_tick_wire (event, "e9");
    s_put_bytes (wire, 2, event->data, event->size);
    char item[80];
    memset (item, 'i', 79);
    item[79] = '\0';
    s_put_string (event, 17, item);
    s_put_bytes (wire, 2, event->data, event->size);

    proto_batch_t batch;
    cr_assert_eq (proto_batch_decode (wire->data, wire->size, &batch, NULL), 0);
    cr_assert_eq (batch.count, 2);
    cr_assert_str_eq (batch.invalid[0], "");
    cr_assert_str_eq (batch.invalid[1], "item longer than 64 bytes");
    cr_assert_str_eq (batch.events[1].event_id, "e9");
    proto_batch_free (&batch);
    free (event);
    free (wire);
}

Test (proto_wire, rejects_a_batch_of_more_than_10000_events_before_unpacking)
{
    s_wire_t *wire = calloc (1, sizeof *wire);
    for (int index = 0; index < PROTO_BATCH_MAX + 1; index++)
        s_put_bytes (wire, 2, "", 0);
    proto_batch_t batch;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_batch_decode (wire->data, wire->size, &batch, reason),
                  -1);
    cr_assert_str_eq (reason, "more than 10000 events");
    cr_assert_null (batch.events);
    /* And as many unknown fields, which protobuf-c keeps too. */
    wire->size = 0;
    for (int index = 0; index < 100; index++)
        s_put_int (wire, 99, 1);
    cr_assert_eq (proto_batch_decode (wire->data, wire->size, &batch, reason),
                  -1);
    cr_assert_str_eq (reason, "more than 64 fields in one message");
    free (wire);
}

Test (proto_wire, marks_an_event_with_a_nul_byte_in_a_string_invalid)
{
    s_wire_t *event = calloc (1, sizeof *event);
    s_wire_t *wire = calloc (1, sizeof *wire);
    s_tick_wire (event, "e1");
    s_put_bytes (wire, 2, event->data, event->size);
    event->size = 0;
    s_put_bytes (event, 1, "e1\0x", 4);
    s_put_int (event, 2, PROTO_TICK);
    s_put_int (event, 5, (uint64_t)S_JULY_FIRST);
    s_put_bytes (wire, 2, event->data, event->size);
    proto_batch_t batch;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_batch_decode (wire->data, wire->size, &batch, reason),
                  0, "%s", reason);
    cr_assert_eq (batch.count, 2);
    cr_expect_str_eq (batch.invalid[0], "");
    cr_expect_str_eq (batch.invalid[1], "event_id contains a NUL byte");
    proto_batch_free (&batch);
    /* A NUL elsewhere in the batch refuses it. */
    wire->size = 0;
    s_wire_t *reject = calloc (1, sizeof *reject);
    s_put_int (reject, 1, 3);
    s_put_bytes (reject, 2, "bad\0", 4);
    s_put_bytes (wire, 3, reject->data, reject->size);
    cr_assert_eq (proto_batch_decode (wire->data, wire->size, &batch, reason),
                  -1);
    cr_expect_str_eq (reason, "reason contains a NUL byte");
    free (reject);
    free (event);
    free (wire);
}

Test (proto_wire, refuses_a_query_with_a_nul_byte_or_too_many_units)
{
    s_wire_t *unit = calloc (1, sizeof *unit);
    s_wire_t *wire = calloc (1, sizeof *wire);
    s_put_bytes (unit, 1, "Z\0Q", 3);
    s_put_string (unit, 3, "town");
    s_put_int (wire, 1, PROTO_QUERY_UNITS_IMPORT);
    s_put_bytes (wire, 5, unit->data, unit->size);
    proto_query_t query;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_query_decode (wire->data, wire->size, &query, reason),
                  -1);
    cr_expect_str_eq (reason, "unit 1: unit_id contains a NUL byte");
    wire->size = 0;
    s_put_int (wire, 1, PROTO_QUERY_REPORT);
    s_put_bytes (wire, 2, "j\0x", 3);
    cr_assert_eq (proto_query_decode (wire->data, wire->size, &query, reason),
                  -1);
    cr_expect_str_eq (reason, "ruleset contains a NUL byte");
    wire->size = 0;
    s_put_int (wire, 1, PROTO_QUERY_UNITS_IMPORT);
    for (int index = 0; index < PROTO_UNITS_MAX + 1; index++)
        s_put_bytes (wire, 5, "", 0);
    cr_assert_eq (proto_query_decode (wire->data, wire->size, &query, reason),
                  -1);
    cr_expect_str_eq (reason, "more than 20000 units");
    free (unit);
    free (wire);
}

Test (proto_wire, sizes_the_largest_legal_frames_from_the_field_limits)
{
    /* A batch of the most events, every field at its longest, fits the
       limit, and the limit stays far below ZeroMQ's 64 MiB. */
    proto_event_t *events = calloc (PROTO_BATCH_MAX, sizeof *events);
    cr_assert_not_null (events);
    for (size_t i = 0; i < PROTO_BATCH_MAX; i++) {
        proto_event_t *ev = &events[i];
        memset (ev->event_id, 'e', PROTO_ID_MAX);
        memset (ev->ticket_id, 't', PROTO_ID_MAX);
        memset (ev->unit_id, 'u', PROTO_ID_MAX);
        memset (ev->item, 'i', PROTO_ID_MAX);
        memset (ev->channel, 'c', PROTO_TOKEN_MAX);
        memset (ev->category, 'k', PROTO_TOKEN_MAX);
        memset (ev->reason, 'r', PROTO_REASON_MAX);
        memset (ev->period, 'p', PROTO_PERIOD_MAX);
        memset (ev->by, 'b', PROTO_NAME_MAX);
        memset (ev->counters, 'n', PROTO_REASON_MAX);
        ev->type = PROTO_ADJUSTED;
        ev->occurred_at = ev->dispatched_at = ev->due_at = PROTO_TIME_MAX;
        ev->key_supervision = ev->repeat_dispatch = ev->rework = true;
        ev->satisfaction = PROTO_SAT_NONE;
        ev->resolved = PROTO_RES_NO;
        ev->value = 1.5;
    }
    proto_line_reject_t *rejects = calloc (PROTO_REJECTS_MAX, sizeof *rejects);
    cr_assert_not_null (rejects);
    for (size_t i = 0; i < PROTO_REJECTS_MAX; i++) {
        rejects[i].line = UINT32_MAX;
        memset (rejects[i].reason, 'x', PROTO_ERROR_MAX);
    }
    size_t size = 0;
    uint8_t *bytes = proto_batch_encode (UINT64_MAX, events, PROTO_BATCH_MAX,
                                         rejects, PROTO_REJECTS_MAX, &size);
    cr_assert_not_null (bytes);
    cr_expect_leq (size, proto_batch_size_max ());
    cr_expect_lt (proto_batch_size_max (), 16u << 20);
    cr_expect_lt (proto_query_size_max (), 16u << 20);
    proto_batch_t batch;
    char reason[PROTO_ERROR_MAX] = "";
    cr_expect_eq (proto_batch_decode (bytes, size, &batch, reason), 0, "%s",
                  reason);
    proto_batch_free (&batch);
    free (bytes);
    free (events);
    free (rejects);
}

/* A string field of `size` bytes of `fill`. */
static void
s_pb_full (testutil_pb_t *pb, int field, size_t size, char fill)
{
    char *text = malloc (size);
    cr_assert_not_null (text);
    memset (text, fill, size);
    testutil_pb_bytes (pb, field, text, size);
    free (text);
}

Test (proto_wire, admits_the_largest_legal_frames_with_every_varint_padded)
{
    /* What the encoders never write but a peer may: every varint in ten
       bytes, every string at its longest, and the fields numbered 16 and
       up (period to time_limit; year and body) with their two-byte tags.
       Such frames are legal, so the socket's limit must admit them. */
    testutil_pb_t event = {0}, batch = {0}, reject = {0};
    static const int ids[] = {1, 3, 4, 17}, reasons[] = {12, 20};
    static const int varints[] = {2, 5, 6, 7, 10, 11, 13, 14, 15};
    for (size_t i = 0; i < 4; i++)
        s_pb_full (&event, ids[i], PROTO_ID_MAX, 'i');
    s_pb_full (&event, 8, PROTO_TOKEN_MAX, 'c');
    s_pb_full (&event, 9, PROTO_TOKEN_MAX, 'k');
    for (size_t i = 0; i < 2; i++)
        s_pb_full (&event, reasons[i], PROTO_REASON_MAX, 'r');
    s_pb_full (&event, 16, PROTO_PERIOD_MAX, 'p');
    s_pb_full (&event, 19, PROTO_NAME_MAX, 'b');
    s_pb_full (&event, 21, PROTO_LIMIT_MAX, 'l');
    for (size_t i = 0; i < sizeof (varints) / sizeof (varints[0]); i++)
        testutil_pb_padded (&event, varints[i], 1);
    testutil_pb_fixed64 (&event, 18, 0);
    testutil_pb_padded (&reject, 1, 1);
    s_pb_full (&reject, 2, PROTO_ERROR_MAX, 'x');
    testutil_pb_padded (&batch, 1, 1);
    for (size_t i = 0; i < PROTO_BATCH_MAX; i++)
        testutil_pb_bytes (&batch, 2, event.data, event.size);
    for (size_t i = 0; i < PROTO_REJECTS_MAX; i++)
        testutil_pb_bytes (&batch, 3, reject.data, reject.size);
    cr_expect_leq (batch.size, proto_batch_size_max (), "%zu > %zu", batch.size,
                   proto_batch_size_max ());
    proto_batch_t decoded;
    char reason[PROTO_ERROR_MAX + 1] = "";
    cr_expect_eq (proto_batch_decode (batch.data, batch.size, &decoded, reason),
                  0, "%s", reason);
    proto_batch_free (&decoded);

    /* The largest query: a calendar file at PROTO_BODY_MAX with every
       other field at its longest too. */
    testutil_pb_t unit = {0}, query = {0};
    s_pb_full (&unit, 1, PROTO_ID_MAX, 'u');
    s_pb_full (&unit, 2, PROTO_REASON_MAX, 'n');
    s_pb_full (&unit, 3, PROTO_ID_MAX, 'g');
    static const int query_varints[] = {1, 4, 6, 13, 14, 15, 16};
    static const int query_ids[] = {2, 7, 8, 9};
    for (size_t i = 0; i < 7; i++)
        testutil_pb_padded (&query, query_varints[i], 1);
    for (size_t i = 0; i < 4; i++)
        s_pb_full (&query, query_ids[i], PROTO_ID_MAX, 'i');
    s_pb_full (&query, 3, PROTO_PERIOD_MAX, 'p');
    s_pb_full (&query, 10, PROTO_TOPIC_MAX, 't');
    s_pb_full (&query, 11, 15, 's');
    s_pb_full (&query, 12, PROTO_REASON_MAX, 'n');
    s_pb_full (&query, 17, PROTO_BODY_MAX, ' ');
    for (size_t i = 0; i < PROTO_UNITS_MAX; i++)
        testutil_pb_bytes (&query, 5, unit.data, unit.size);
    cr_expect_leq (query.size, proto_query_size_max (), "%zu > %zu", query.size,
                   proto_query_size_max ());
    testutil_pb_free (&event);
    testutil_pb_free (&batch);
    testutil_pb_free (&reject);
    testutil_pb_free (&unit);
    testutil_pb_free (&query);
}

Test (proto_wire, round_trips_a_batch_ack)
{
    proto_ack_t acks[3] = {{PROTO_ACK_STORED, ""},
                           {PROTO_ACK_DUPLICATE, ""},
                           {PROTO_ACK_REJECTED, "unknown unit U99"}};
    proto_batch_ack_t ack = {
        .batch_id = 12, .ok = true, .count = 3, .acks = acks};
    size_t size = 0;
    uint8_t *bytes = proto_batch_ack_encode (&ack, &size);
    cr_assert_not_null (bytes);

    proto_batch_ack_t decoded;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_batch_ack_decode (bytes, size, &decoded, reason), 0,
                  "%s", reason);
    cr_assert_eq (decoded.batch_id, 12);
    cr_assert (decoded.ok);
    cr_assert_eq (decoded.count, 3);
    cr_assert_eq (decoded.acks[1].status, PROTO_ACK_DUPLICATE);
    cr_assert_str_eq (decoded.acks[2].reason, "unknown unit U99");
    proto_batch_ack_free (&decoded);
    proto_batch_ack_free (&decoded);
    free (bytes);
}

Test (proto_wire, round_trips_a_failed_batch_ack)
{
    proto_batch_ack_t ack = {.batch_id = 3, .ok = false, .error = "store full"};
    size_t size = 0;
    uint8_t *bytes = proto_batch_ack_encode (&ack, &size);
    proto_batch_ack_t decoded;
    cr_assert_eq (proto_batch_ack_decode (bytes, size, &decoded, NULL), 0);
    cr_assert_not (decoded.ok);
    cr_assert_str_eq (decoded.error, "store full");
    cr_assert_eq (decoded.count, 0);
    proto_batch_ack_free (&decoded);
    free (bytes);
}

Test (proto_wire, rejects_an_ack_with_an_unknown_status)
{
    s_wire_t *ack = calloc (1, sizeof *ack);
    s_wire_t *wire = calloc (1, sizeof *wire);
    s_put_int (ack, 2, 9);
    s_put_int (wire, 1, 1);
    s_put_bytes (wire, 4, ack->data, ack->size);
    proto_batch_ack_t decoded;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (
        proto_batch_ack_decode (wire->data, wire->size, &decoded, reason), -1);
    cr_assert_str_eq (reason, "unknown ack status");
    cr_assert_null (decoded.acks);
    free (ack);
    free (wire);
}

Test (proto_wire, round_trips_a_query_with_units)
{
    proto_unit_t units[2] = {{"U01", "群众路街道办事处", "town"},
                             {"U02", "Water bureau", "dept"}};
    proto_query_t query = {
        .kind = PROTO_QUERY_UNITS_IMPORT, .unit_count = 2, .units = units};
    size_t size = 0;
    uint8_t *bytes = proto_query_encode (&query, &size);
    proto_query_t decoded;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_query_decode (bytes, size, &decoded, reason), 0, "%s",
                  reason);
    cr_assert_eq (decoded.kind, PROTO_QUERY_UNITS_IMPORT);
    cr_assert_eq (decoded.unit_count, 2);
    cr_assert_str_eq (decoded.units[0].name, "群众路街道办事处");
    cr_assert_str_eq (decoded.units[1].group, "dept");
    proto_query_free (&decoded);
    proto_query_free (&decoded);
    free (bytes);
}

Test (proto_wire, round_trips_a_report_query)
{
    proto_query_t query = {.kind = PROTO_QUERY_REPORT,
                           .ruleset = "jintai-2025",
                           .period = "2025-07",
                           .as_of = S_JULY_FIRST};
    size_t size = 0;
    uint8_t *bytes = proto_query_encode (&query, &size);
    proto_query_t decoded;
    cr_assert_eq (proto_query_decode (bytes, size, &decoded, NULL), 0);
    cr_assert_eq (decoded.kind, PROTO_QUERY_REPORT);
    cr_assert_str_eq (decoded.ruleset, "jintai-2025");
    cr_assert_str_eq (decoded.period, "2025-07");
    cr_assert_eq (decoded.as_of, S_JULY_FIRST);
    cr_assert_null (decoded.units);
    proto_query_free (&decoded);
    free (bytes);
}

Test (proto_wire, round_trips_explain_and_ticket_queries)
{
    proto_query_t query = {.kind = PROTO_QUERY_EXPLAIN,
                           .ruleset = "jintai-2025",
                           .period = "2025-07",
                           .unit = "J04",
                           .item = "on_time"};
    size_t size = 0;
    uint8_t *bytes = proto_query_encode (&query, &size);
    proto_query_t decoded;
    cr_assert_eq (proto_query_decode (bytes, size, &decoded, NULL), 0);
    cr_assert_eq (decoded.kind, PROTO_QUERY_EXPLAIN);
    cr_assert_str_eq (decoded.unit, "J04");
    cr_assert_str_eq (decoded.item, "on_time");
    proto_query_free (&decoded);
    free (bytes);
    proto_query_t ticket = {.kind = PROTO_QUERY_TICKET,
                            .ticket = "T202507-000040"};
    bytes = proto_query_encode (&ticket, &size);
    cr_assert_eq (proto_query_decode (bytes, size, &decoded, NULL), 0);
    cr_assert_eq (decoded.kind, PROTO_QUERY_TICKET);
    cr_assert_str_eq (decoded.ticket, "T202507-000040");
    proto_query_free (&decoded);
    free (bytes);
}

Test (proto_wire, round_trips_an_alerts_query_and_a_snapshot_prefix)
{
    proto_query_t query = {.kind = PROTO_QUERY_ALERTS, .unit = "J04"};
    snprintf (query.topic, sizeof (query.topic), "score/jintai-2025/");
    size_t size = 0;
    uint8_t *bytes = proto_query_encode (&query, &size);
    proto_query_t decoded;
    cr_assert_eq (proto_query_decode (bytes, size, &decoded, NULL), 0);
    cr_assert_eq (decoded.kind, PROTO_QUERY_ALERTS);
    cr_assert_str_eq (decoded.unit, "J04");
    cr_assert_str_eq (decoded.topic, "score/jintai-2025/");
    proto_query_free (&decoded);
    free (bytes);
}

Test (proto_wire, rejects_a_query_of_unknown_kind_or_long_period)
{
    s_wire_t *wire = calloc (1, sizeof *wire);
    s_put_int (wire, 1, PROTO_QUERY_LAST + 1);
    proto_query_t decoded;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_query_decode (wire->data, wire->size, &decoded, reason),
                  -1);
    cr_assert_str_eq (reason, "unknown query kind");

    wire->size = 0;
    s_put_int (wire, 1, PROTO_QUERY_REPORT);
    s_put_string (wire, 3, "2025-07-01");
    cr_assert_eq (proto_query_decode (wire->data, wire->size, &decoded, reason),
                  -1);
    cr_assert_str_eq (reason, "period longer than 8 bytes");
    free (wire);
}

Test (proto_wire, round_trips_a_reply)
{
    size_t size = 0;
    uint8_t *bytes = proto_reply_encode (true, NULL, "{\"tables\":[]}", &size);
    bool ok = false;
    char *error = NULL, *json = NULL;
    cr_assert_eq (proto_reply_decode (bytes, size, &ok, &error, &json), 0);
    cr_assert (ok);
    cr_assert_null (error);
    cr_assert_str_eq (json, "{\"tables\":[]}");
    free (json);
    free (bytes);

    bytes = proto_reply_encode (false, "unknown ruleset", NULL, &size);
    cr_assert_eq (proto_reply_decode (bytes, size, &ok, &error, &json), 0);
    cr_assert_not (ok);
    cr_assert_str_eq (error, "unknown ruleset");
    cr_assert_null (json);
    free (error);
    free (bytes);
}

Test (proto_wire, round_trips_a_publication)
{
    size_t size = 0;
    uint8_t *bytes = proto_publication_encode (
        123456789012ULL, "score/jintai-2025/U01", "{\"total\":96.73}", &size);
    uint64_t sequence = 0;
    char *topic = NULL, *json = NULL;
    cr_assert_eq (
        proto_publication_decode (bytes, size, &sequence, &topic, &json), 0);
    cr_assert_eq (sequence, 123456789012ULL);
    cr_assert_str_eq (topic, "score/jintai-2025/U01");
    cr_assert_str_eq (json, "{\"total\":96.73}");
    free (topic);
    free (json);
    free (bytes);
}

//  ---------------------------------------------------------------------
//  Hostile bytes: every decoder, every prefix, random garbage

/* Runs every decoder on the bytes; returns how many accepted them. */
static int
s_decode_all (const uint8_t *data, size_t size)
{
    int accepted = 0;
    char reason[PROTO_ERROR_MAX];
    proto_event_t event;
    accepted += proto_event_decode (data, size, &event, reason) == 0;
    proto_batch_t batch;
    if (proto_batch_decode (data, size, &batch, reason) == 0) {
        accepted++;
        proto_batch_free (&batch);
    }
    proto_batch_ack_t ack;
    if (proto_batch_ack_decode (data, size, &ack, reason) == 0) {
        accepted++;
        proto_batch_ack_free (&ack);
    }
    proto_query_t query;
    if (proto_query_decode (data, size, &query, reason) == 0) {
        accepted++;
        proto_query_free (&query);
    }
    bool ok;
    char *error, *json, *topic;
    if (proto_reply_decode (data, size, &ok, &error, &json) == 0) {
        accepted++;
        free (error);
        free (json);
    }
    uint64_t sequence;
    if (proto_publication_decode (data, size, &sequence, &topic, &json) == 0) {
        accepted++;
        free (topic);
        free (json);
    }
    return accepted;
}

/* Decodes every prefix with every decoder: some prefixes end on a field
   boundary and are valid messages, so only the absence of crashes and
   leaks (under ASan) is checked here. Frees `bytes`. */
static void
s_check_truncations (uint8_t *bytes, size_t size)
{
    for (size_t cut = 0; cut < size; cut++) {
        //  A copy of exactly `cut` bytes so ASan sees any overread.
        uint8_t *prefix = malloc (cut ? cut : 1);
        memcpy (prefix, bytes, cut);
        s_decode_all (prefix, cut);
        free (prefix);
    }
    free (bytes);
}

Test (proto_wire, rejects_truncated_bytes_in_every_decoder)
{
    proto_event_t event;
    char reason[PROTO_ERROR_MAX];
    size_t size;
    s_parse_ok (s_examples[2], &event);

    uint8_t *bytes = proto_event_encode (&event, &size);
    cr_assert_eq (proto_event_decode (bytes, size - 1, &event, reason), -1);
    cr_assert_str_eq (reason, "not a valid Event message");
    s_check_truncations (bytes, size);

    bytes = proto_batch_encode (1, &event, 1, NULL, 0, &size);
    proto_batch_t batch;
    cr_assert_eq (proto_batch_decode (bytes, size - 1, &batch, reason), -1);
    cr_assert_str_eq (reason, "not a valid EventBatch message");
    s_check_truncations (bytes, size);

    proto_ack_t acks[1] = {{PROTO_ACK_REJECTED, "bad"}};
    proto_batch_ack_t ack = {.batch_id = 1, .count = 1, .acks = acks};
    bytes = proto_batch_ack_encode (&ack, &size);
    cr_assert_eq (proto_batch_ack_decode (bytes, size - 1, &ack, reason), -1);
    s_check_truncations (bytes, size);

    proto_unit_t units[1] = {{"U01", "name", "town"}};
    proto_query_t query = {
        .kind = PROTO_QUERY_UNITS_IMPORT, .unit_count = 1, .units = units};
    bytes = proto_query_encode (&query, &size);
    cr_assert_eq (proto_query_decode (bytes, size - 1, &query, reason), -1);
    s_check_truncations (bytes, size);

    bool ok;
    char *error, *json, *topic;
    bytes = proto_reply_encode (true, NULL, "{}", &size);
    cr_assert_eq (proto_reply_decode (bytes, size - 1, &ok, &error, &json), -1);
    s_check_truncations (bytes, size);

    uint64_t sequence;
    bytes = proto_publication_encode (1, "alert/U01", "{}", &size);
    cr_assert_eq (
        proto_publication_decode (bytes, size - 1, &sequence, &topic, &json),
        -1);
    s_check_truncations (bytes, size);
}

Test (proto_wire, rejects_garbage_bytes_in_every_decoder)
{
    uint8_t garbage[16];
    memset (garbage, 0xFF, sizeof garbage);
    cr_assert_eq (s_decode_all (garbage, sizeof garbage), 0);
}

Test (proto_wire, survives_random_bytes_in_every_decoder)
{
    //  A fixed seed keeps failures reproducible.
    srand (12345);
    uint8_t *buffer = malloc (256);
    for (int round = 0; round < 5000; round++) {
        size_t size = (size_t)(rand () % 256);
        for (size_t index = 0; index < size; index++)
            buffer[index] = (uint8_t)rand ();
        s_decode_all (buffer, size);
    }
    free (buffer);
}

Test (proto_wire, decodes_nothing_from_no_bytes_without_crashing)
{
    proto_event_t event;
    char reason[PROTO_ERROR_MAX];
    cr_assert_eq (proto_event_decode (NULL, 0, &event, reason), -1);
    cr_assert_str_eq (reason, "missing field event_id");
    cr_assert_eq (proto_event_decode (NULL, 5, &event, reason), -1);
}

//  ---------------------------------------------------------------------
//  Validation of hand-filled events and enum names

Test (proto_validate, reports_a_missing_type)
{
    s_wire_t *wire = calloc (1, sizeof *wire);
    s_put_string (wire, 1, "e9");
    s_put_int (wire, 5, (uint64_t)S_JULY_FIRST);
    proto_event_t event;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_event_decode (wire->data, wire->size, &event, reason),
                  -1);
    cr_assert_str_eq (reason, "missing field type");
    free (wire);
}

Test (proto_validate, rejects_a_string_that_fills_its_whole_field)
{
    proto_event_t event;
    memset (&event, 0, sizeof event);
    strcpy (event.event_id, "e9");
    event.type = PROTO_TICK;
    event.occurred_at = S_JULY_FIRST;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_event_validate (&event, reason), 0, "%s", reason);
    memset (event.item, 'i', sizeof event.item);
    cr_assert_eq (proto_event_validate (&event, reason), -1);
    cr_assert_str_eq (reason, "item longer than 64 bytes");
    cr_assert_eq (proto_event_validate (&event, NULL), -1);
}

Test (proto_validate, names_enums_as_event_lines_spell_them)
{
    cr_assert_str_eq (proto_type_name (PROTO_REVISITED), "revisited");
    cr_assert_str_eq (proto_type_name (PROTO_NONE), "?");
    cr_assert_str_eq (proto_satisfaction_name (PROTO_SAT_NONE), "none");
    cr_assert_str_eq (proto_satisfaction_name (PROTO_SAT_NONE_GIVEN), "?");
    cr_assert_str_eq (proto_resolved_name (PROTO_RES_PARTLY), "partly");
    cr_assert_str_eq (proto_resolved_name (PROTO_RES_NONE_GIVEN), "?");
}

Test (proto_json, survives_truncated_and_mutated_lines)
{
    srand (4321);
    for (size_t index = 0; index < S_EXAMPLE_COUNT; index++) {
        size_t length = strlen (s_examples[index]);
        //  Exactly sized copies, so ASan sees any read past the length.
        for (size_t cut = 0; cut < length; cut++) {
            char *line = malloc (cut ? cut : 1);
            memcpy (line, s_examples[index], cut);
            proto_event_t event;
            cr_assert_eq (proto_event_from_json (line, cut, &event, NULL), -1);
            free (line);
        }
        for (int round = 0; round < 200; round++) {
            char *line = malloc (length);
            memcpy (line, s_examples[index], length);
            line[rand () % length] = (char)rand ();
            proto_event_t event;
            char reason[PROTO_ERROR_MAX];
            proto_event_from_json (line, length, &event, reason);
            free (line);
        }
    }
}

/* Regressions found by fuzz/fuzz_json (fuzz/crashes/). */

Test (proto_json, keeps_a_value_exact_through_a_round_trip)
{
    const char *line = "{\"event_id\":\"a1\",\"type\":\"adjusted\","
                       "\"unit_id\":\"U01\",\"period\":\"2025-07\","
                       "\"item\":\"bonus\",\"value\":0.30000000000000004,"
                       "\"occurred_at\":\"2025-07-05T10:00:00+08:00\"}";
    proto_event_t a, b;
    char reason[PROTO_ERROR_MAX + 1];
    cr_assert_eq (proto_event_from_json (line, strlen (line), &a, reason), 0,
                  "%s", reason);
    char *text = proto_event_to_json (&a);
    cr_assert_eq (proto_event_from_json (text, strlen (text), &b, reason), 0,
                  "%s", reason);
    cr_expect (a.value == b.value, "%.17g became %.17g (%s)", a.value, b.value,
               text);
    free (text);
}

Test (proto_json, rejects_a_value_that_is_not_finite_on_any_type)
{
    const char *line = "{\"event_id\":\"t1\",\"type\":\"tick\","
                       "\"value\":1e999,"
                       "\"occurred_at\":\"2025-07-05T10:00:00+08:00\"}";
    proto_event_t ev;
    char reason[PROTO_ERROR_MAX + 1] = "";
    cr_expect_eq (proto_event_from_json (line, strlen (line), &ev, reason), -1);
    cr_expect (strstr (reason, "not finite") != NULL, "%s", reason);
}

Test (proto_json, rejects_an_adjusted_value_beyond_any_score)
{
    const char *line = "{\"event_id\":\"a2\",\"type\":\"adjusted\","
                       "\"unit_id\":\"U01\",\"period\":\"2025-07\","
                       "\"item\":\"bonus\",\"value\":1e300,"
                       "\"occurred_at\":\"2025-07-05T10:00:00+08:00\"}";
    proto_event_t ev;
    char reason[PROTO_ERROR_MAX + 1] = "";
    cr_expect_eq (proto_event_from_json (line, strlen (line), &ev, reason), -1);
    cr_expect (strstr (reason, "value out of range") != NULL, "%s", reason);
}
/* ---- periods ------------------------------------------------------------- */

/* "2025-07-01 09:00:00", Asia/Shanghai, in ms. */
static int64_t
s_ms (const char *local)
{
    char text[40];
    snprintf (text, sizeof (text), "%s%s+08:00", local,
              strlen (local) == 16 ? ":00" : "");
    text[10] = 'T';
    int64_t ms = 0;
    cr_assert_eq (proto_time_parse (text, &ms), 0, "bad time %s", text);
    return ms;
}

static char *
s_period_text (int64_t ms, proto_period_kind_t kind, char *buf)
{
    return proto_period_format (proto_period_of (ms, kind), buf);
}

Test (period, a_time_belongs_to_its_month_in_shanghai_at_the_edges)
{
    char buf[8];
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-07-31 23:59:59"), PROTO_MONTH, buf),
        "2025-07");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-08-01 00:00:00"), PROTO_MONTH, buf),
        "2025-08");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-08-01 00:00:00") - 1, PROTO_MONTH, buf),
        "2025-07");
    /* 2025-07-31T16:00Z is already August in Shanghai. */
    int64_t utc = 0;
    cr_assert_eq (proto_time_parse ("2025-07-31T16:00:00Z", &utc), 0);
    cr_assert_str_eq (s_period_text (utc, PROTO_MONTH, buf), "2025-08");
    cr_assert_str_eq (s_period_text (utc - 1, PROTO_MONTH, buf), "2025-07");
    cr_assert_str_eq (
        s_period_text (s_ms ("2024-02-29 12:00"), PROTO_MONTH, buf), "2024-02");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-01-01 00:00"), PROTO_MONTH, buf), "2025-01");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-01-01 00:00") - 1, PROTO_MONTH, buf),
        "2024-12");
}

Test (period, a_time_belongs_to_its_quarter_at_the_edges)
{
    char buf[8];
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-09-30 23:59:59"), PROTO_QUARTER, buf),
        "2025-Q3");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-10-01 00:00"), PROTO_QUARTER, buf),
        "2025-Q4");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-01-01 00:00") - 1, PROTO_QUARTER, buf),
        "2024-Q4");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-01-01 00:00"), PROTO_QUARTER, buf),
        "2025-Q1");
    cr_assert_str_eq (
        s_period_text (s_ms ("2025-06-30 12:00"), PROTO_QUARTER, buf),
        "2025-Q2");
}

Test (period, months_and_quarters_parse_and_format)
{
    proto_period_t p;
    char buf[8];
    cr_assert_eq (proto_period_parse ("2025-07", &p), 0);
    cr_assert_eq (p.kind, PROTO_MONTH);
    cr_assert_eq (p.code, 2025 * 12 + 6);
    cr_assert_str_eq (proto_period_format (p, buf), "2025-07");
    cr_assert_eq (proto_period_parse ("2024-Q4", &p), 0);
    cr_assert_eq (p.kind, PROTO_QUARTER);
    cr_assert_eq (p.code, 2024 * 4 + 3);
    cr_assert_str_eq (proto_period_format (p, buf), "2024-Q4");
    const char *good[] = {"2000-01", "2099-12", "2025-10", "2025-Q1",
                          "2099-Q4"};
    for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++) {
        cr_assert_eq (proto_period_parse (good[i], &p), 0, "%s", good[i]);
        cr_assert_str_eq (proto_period_format (p, buf), good[i]);
    }
}

Test (period, start_and_end_are_the_first_instants_in_shanghai)
{
    proto_period_t p;
    cr_assert_eq (proto_period_parse ("2025-07", &p), 0);
    cr_assert_eq (proto_period_start (p), s_ms ("2025-07-01 00:00"));
    cr_assert_eq (proto_period_end (p), s_ms ("2025-08-01 00:00"));
    cr_assert_eq (proto_period_parse ("2025-12", &p), 0);
    cr_assert_eq (proto_period_end (p), s_ms ("2026-01-01 00:00"));
    cr_assert_eq (proto_period_parse ("2024-02", &p), 0);
    cr_assert_eq (proto_period_end (p) - proto_period_start (p),
                  29LL * 86400 * 1000, "a leap February");
    cr_assert_eq (proto_period_parse ("2024-Q4", &p), 0);
    cr_assert_eq (proto_period_start (p), s_ms ("2024-10-01 00:00"));
    cr_assert_eq (proto_period_end (p), s_ms ("2025-01-01 00:00"));
    cr_assert_eq (proto_period_parse ("2025-Q1", &p), 0);
    cr_assert_eq (proto_period_start (p), s_ms ("2025-01-01 00:00"));
    cr_assert_eq (proto_period_end (p), s_ms ("2025-04-01 00:00"));
}

Test (period, bad_period_texts_are_refused)
{
    const char *bad[] = {
        "",        "2025",     "2025-7",  "2025-13", "2025-00",  "2025-Q0",
        "2025-Q5", "2025-q3",  "2025/07", "25-07",   "2025-07x", "2025-7x",
        "1999-12", "2100-01",  "abcd-07", "2025-+7", "2025- 7",  " 2025-07",
        "2025-Q",  "2025-Q3 ", "-025-07", "2025-1a", "2025-0x"};
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        proto_period_t p;
        cr_assert_eq (proto_period_parse (bad[i], &p), -1, "\"%s\" accepted",
                      bad[i]);
    }
}

/* ---- time limits (docs/calendar.md) ---------------------------------- */

Test (proto_limit, parses_working_days_working_hours_and_hours)
{
    static const struct {
        const char *text;        /* as in an event line */
        proto_limit_unit_t unit; /* NONE: refused */
        int count;               /* its count */
    } cases[] = {
        {"3wd", PROTO_LIMIT_WORKING_DAYS, 3},
        {"16wh", PROTO_LIMIT_WORKING_HOURS, 16},
        {"72h", PROTO_LIMIT_HOURS, 72},
        {"9999wd", PROTO_LIMIT_WORKING_DAYS, 9999},
        {"0wd", PROTO_LIMIT_NONE, 0},
        {"03wd", PROTO_LIMIT_NONE, 0},
        {"10000h", PROTO_LIMIT_NONE, 0},
        {"3 wd", PROTO_LIMIT_NONE, 0},
        {"-3wd", PROTO_LIMIT_NONE, 0},
        {"3d", PROTO_LIMIT_NONE, 0},
        {"wd", PROTO_LIMIT_NONE, 0},
        {"3WD", PROTO_LIMIT_NONE, 0},
        {"", PROTO_LIMIT_NONE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        proto_limit_t limit;
        int rc = proto_limit_parse (cases[i].text, &limit);
        cr_expect_eq (rc, cases[i].unit == PROTO_LIMIT_NONE ? -1 : 0, "\"%s\"",
                      cases[i].text);
        cr_expect_eq (limit.unit, cases[i].unit, "\"%s\"", cases[i].text);
        cr_expect_eq (limit.count, cases[i].count, "\"%s\"", cases[i].text);
    }
}

Test (proto_limit, a_received_line_may_carry_a_time_limit_instead_of_due_at)
{
    const char *line =
        "{\"event_id\":\"e1\",\"type\":\"received\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-09-30T17:00:00+08:00\","
        "\"dispatched_at\":\"2025-09-30T17:00:00+08:00\","
        "\"time_limit\":\"3wd\",\"channel\":\"hotline\","
        "\"category\":\"property\"}";
    proto_event_t event;
    s_parse_ok (line, &event);
    cr_expect_str_eq (event.time_limit, "3wd");
    cr_expect_eq (event.due_at, 0, "derived later, by the state machine");
    char *back = proto_event_to_json (&event);
    cr_assert_not_null (back);
    cr_expect_str_eq (back, line);
    free (back);
    size_t size;
    uint8_t *bytes = proto_event_encode (&event, &size);
    proto_event_t decoded;
    char reason[PROTO_ERROR_MAX] = "";
    cr_assert_eq (proto_event_decode (bytes, size, &decoded, reason), 0, "%s",
                  reason);
    free (bytes);
    cr_expect_str_eq (decoded.time_limit, "3wd");
    /* Both: due_at is the deadline, the limit is kept for display. */
    const char *both =
        "{\"event_id\":\"e4\",\"type\":\"extended\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-10-09T10:00:00+08:00\","
        "\"due_at\":\"2025-10-20T18:00:00+08:00\",\"time_limit\":\"10wd\"}";
    s_parse_ok (both, &event);
    cr_expect_str_eq (event.time_limit, "10wd");
    cr_expect_neq (event.due_at, 0);
}

Test (proto_limit, a_bad_or_misplaced_time_limit_is_rejected)
{
    s_expect_rejected (
        "{\"event_id\":\"e1\",\"type\":\"reopened\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-05T10:05:00+08:00\","
        "\"time_limit\":\"3days\"}",
        "time_limit must be working days, working hours or hours from 1 to "
        "9999: \"3wd\", \"16wh\" or \"72h\"");
    s_expect_rejected (
        "{\"event_id\":\"e1\",\"type\":\"closed\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-05T10:05:00+08:00\","
        "\"time_limit\":\"3wd\"}",
        "time_limit is for received, extended and reopened events only");
    s_expect_rejected (
        "{\"event_id\":\"e1\",\"type\":\"extended\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-05T10:05:00+08:00\","
        "\"time_limit\":\"123456789wd\"}",
        "time_limit longer than 8 bytes");
    s_expect_rejected (
        "{\"event_id\":\"e1\",\"type\":\"extended\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-05T10:05:00+08:00\","
        "\"time_limit\":3}",
        "time_limit must be a string");
    s_expect_rejected (
        "{\"event_id\":\"e1\",\"type\":\"extended\",\"ticket_id\":\"T1\","
        "\"unit_id\":\"U01\",\"occurred_at\":\"2025-07-05T10:05:00+08:00\"}",
        "missing field due_at");
}

Test (proto_wire, appends_batches_to_arrays_kept_from_batch_to_batch)
{
    proto_event_t events[S_EXAMPLE_COUNT];
    for (size_t index = 0; index < S_EXAMPLE_COUNT; index++)
        s_parse_ok (s_examples[index], &events[index]);
    size_t size_all, size_one;
    uint8_t *all =
        proto_batch_encode (1, events, S_EXAMPLE_COUNT, NULL, 0, &size_all);
    uint8_t *one = proto_batch_encode (2, &events[1], 1, NULL, 0, &size_one);
    cr_assert (all && one);
    proto_events_t into = {0};
    proto_batch_t batch;
    char reason[PROTO_ERROR_MAX + 1] = "";
    for (int round = 0; round < 2; round++) {
        /* The second round reuses the arrays the first one grew. */
        into.count = 0;
        cr_assert_eq (proto_batch_append (one, size_one, &batch, &into, reason),
                      0, "%s", reason);
        cr_assert_eq (batch.count, 1);
        cr_assert_null (batch.events, "the events are into's");
        proto_batch_free (&batch);
        cr_assert_eq (proto_batch_append (all, size_all, &batch, &into, reason),
                      0, "%s", reason);
        cr_assert_eq (batch.batch_id, 1);
        proto_batch_free (&batch);
        /* A frame that does not decode appends nothing. */
        cr_assert_eq (
            proto_batch_append (all, size_all - 1, &batch, &into, reason), -1);
        cr_assert_eq (into.count, 1 + S_EXAMPLE_COUNT);
        cr_assert_geq (into.capacity, into.count);
        s_assert_events_equal (&events[1], &into.events[0]);
        for (size_t index = 0; index < S_EXAMPLE_COUNT; index++) {
            cr_assert_str_eq (into.invalid[1 + index], "");
            s_assert_events_equal (&events[index], &into.events[1 + index]);
        }
    }
    proto_events_free (&into);
    cr_assert_null (into.events);
    free (all);
    free (one);
}
