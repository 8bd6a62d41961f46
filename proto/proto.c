/*  proto: enum names, field checks and event validation (proto.h).

    Strings that do not fit their fixed field are rejected, never
    truncated, so two different ids can never become the same one.
*/
#include "proto_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  ---------------------------------------------------------------------
//  Helpers shared with the other files of the module

void
proto__reason (char *reason, const char *format, ...)
{
    if (!reason)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (reason, PROTO_ERROR_MAX, format, args);
    va_end (args);
}

bool
proto__utf8_valid (const char *text, size_t size)
{
    const unsigned char *bytes = (const unsigned char *)text;
    size_t index = 0;
    while (index < size) {
        unsigned char lead = bytes[index];
        if (lead < 0x80) {
            index++;
            continue;
        }
        size_t length;
        uint32_t code;
        uint32_t minimum;
        if ((lead & 0xE0) == 0xC0) {
            length = 2;
            code = lead & 0x1F;
            minimum = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            code = lead & 0x0F;
            minimum = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            code = lead & 0x07;
            minimum = 0x10000;
        } else
            return false; //  A continuation byte or 0xF8..0xFF as lead
        if (size - index < length)
            return false;
        for (size_t next = 1; next < length; next++) {
            unsigned char byte = bytes[index + next];
            if ((byte & 0xC0) != 0x80)
                return false;
            code = (code << 6) | (byte & 0x3F);
        }
        //  Overlong forms would let one string have two spellings, and
        //  surrogates are not characters; both are invalid per RFC 3629.
        if (code < minimum || code > 0x10FFFF ||
            (code >= 0xD800 && code <= 0xDFFF))
            return false;
        index += length;
    }
    return true;
}

bool
proto_utf8_valid (const char *text, size_t size)
{
    return proto__utf8_valid (text, size);
}

int
proto__copy_field (char *dest, size_t dest_size, const char *source,
                   const char *field, char *reason)
{
    dest[0] = '\0';
    if (!source || !source[0])
        return 0; /* absent or empty: most fields of most events */
    size_t length = strlen (source);
    if (length >= dest_size) {
        proto__reason (reason, "%s longer than %zu bytes", field,
                       dest_size - 1);
        return -1;
    }
    if (!proto__utf8_valid (source, length)) {
        proto__reason (reason, "invalid UTF-8 in %s", field);
        return -1;
    }
    memcpy (dest, source, length + 1);
    return 0;
}

//  ---------------------------------------------------------------------
//  Enum names, as they are spelled in event lines

const char *
proto_type_name (proto_type_t type)
{
    switch (type) {
    case PROTO_RECEIVED:
        return "received";
    case PROTO_CONTACTED:
        return "contacted";
    case PROTO_RETURNED:
        return "returned";
    case PROTO_EXTENDED:
        return "extended";
    case PROTO_CLOSED:
        return "closed";
    case PROTO_REVISITED:
        return "revisited";
    case PROTO_REOPENED:
        return "reopened";
    case PROTO_ADJUSTED:
        return "adjusted";
    case PROTO_TICK:
        return "tick";
    case PROTO_APPEALED:
        return "appealed";
    case PROTO_EXEMPTED:
        return "exempted";
    case PROTO_APPEAL_REJECTED:
        return "appeal_rejected";
    case PROTO_UNEXEMPTED:
        return "unexempted";
    default:
        return "?";
    }
}

const char *
proto_satisfaction_name (proto_satisfaction_t value)
{
    switch (value) {
    case PROTO_SAT_SATISFIED:
        return "satisfied";
    case PROTO_SAT_BASIC:
        return "basic";
    case PROTO_SAT_UNSATISFIED:
        return "unsatisfied";
    case PROTO_SAT_NONE:
        return "none";
    default:
        return "?";
    }
}

const char *
proto_resolved_name (proto_resolved_t value)
{
    switch (value) {
    case PROTO_RES_YES:
        return "yes";
    case PROTO_RES_PARTLY:
        return "partly";
    case PROTO_RES_NO:
        return "no";
    default:
        return "?";
    }
}

//  ---------------------------------------------------------------------
//  Validation

/* A field of an event checked as a string: it must be terminated inside
   its array (callers may fill the struct by hand) and be UTF-8. */
static int
s_check_string (const char *value, size_t size, const char *field, char *reason)
{
    size_t length = strnlen (value, size);
    if (length == size) {
        proto__reason (reason, "%s longer than %zu bytes", field, size - 1);
        return -1;
    }
    if (!proto__utf8_valid (value, length)) {
        proto__reason (reason, "invalid UTF-8 in %s", field);
        return -1;
    }
    return 0;
}

/* Zero means absent on the wire, so zero is reported as a missing field. */
static int
s_check_time (int64_t ms, const char *field, char *reason)
{
    if (ms == 0) {
        proto__reason (reason, "missing field %s", field);
        return -1;
    }
    if (ms < PROTO_TIME_MIN) {
        proto__reason (reason, "%s before 2000-01-01", field);
        return -1;
    }
    if (ms >= PROTO_TIME_MAX) {
        proto__reason (reason, "%s after 2099-12-31", field);
        return -1;
    }
    return 0;
}

/* Channel and category are the platform's codes; keeping them to a safe
   alphabet lets them appear in topics, CSV and file names unquoted. */
static int
s_check_token (const char *value, const char *field, char *reason)
{
    if (!*value) {
        proto__reason (reason, "missing field %s", field);
        return -1;
    }
    for (const char *c = value; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' ||
              *c == '.')) {
            proto__reason (
                reason, "%s must be letters, digits, '_', '-' or '.'", field);
            return -1;
        }
    }
    return 0;
}

int
proto_limit_parse (const char *text, proto_limit_t *limit)
{
    limit->unit = PROTO_LIMIT_NONE;
    limit->count = 0;
    int count = 0, digits = 0;
    const char *p = text;
    /* No sign, no leading zero, no space: one spelling per limit. */
    while (*p >= '0' && *p <= '9' && digits < 5) {
        if (digits == 0 && *p == '0')
            return -1;
        count = count * 10 + (*p++ - '0');
        digits++;
    }
    proto_limit_unit_t unit = strcmp (p, "wd") == 0 ? PROTO_LIMIT_WORKING_DAYS
                              : strcmp (p, "wh") == 0
                                  ? PROTO_LIMIT_WORKING_HOURS
                              : strcmp (p, "h") == 0 ? PROTO_LIMIT_HOURS
                                                     : PROTO_LIMIT_NONE;
    if (!digits || count > PROTO_LIMIT_COUNT_MAX || unit == PROTO_LIMIT_NONE)
        return -1;
    limit->unit = unit;
    limit->count = count;
    return 0;
}

/* A time limit is for the events that set a deadline, and must parse. */
static int
s_check_limit (const proto_event_t *event, char *reason)
{
    if (!event->time_limit[0])
        return 0;
    if (event->type != PROTO_RECEIVED && event->type != PROTO_EXTENDED &&
        event->type != PROTO_REOPENED) {
        proto__reason (reason, "time_limit is for received, extended and "
                               "reopened events only");
        return -1;
    }
    proto_limit_t limit;
    if (proto_limit_parse (event->time_limit, &limit) != 0) {
        proto__reason (reason,
                       "time_limit must be working days, working hours or "
                       "hours from 1 to %d: \"3wd\", \"16wh\" or \"72h\"",
                       PROTO_LIMIT_COUNT_MAX);
        return -1;
    }
    return 0;
}

static bool
s_type_has_ticket (int type)
{
    return (type >= PROTO_RECEIVED && type <= PROTO_REOPENED) ||
           (type >= PROTO_APPEALED && type <= PROTO_UNEXEMPTED);
}

int
proto_event_validate (const proto_event_t *event, char *reason)
{
    if (!event) {
        proto__reason (reason, "no event");
        return -1;
    }
    if (s_check_string (event->event_id, sizeof event->event_id, "event_id",
                        reason) ||
        s_check_string (event->ticket_id, sizeof event->ticket_id, "ticket_id",
                        reason) ||
        s_check_string (event->unit_id, sizeof event->unit_id, "unit_id",
                        reason) ||
        s_check_string (event->channel, sizeof event->channel, "channel",
                        reason) ||
        s_check_string (event->category, sizeof event->category, "category",
                        reason) ||
        s_check_string (event->reason, sizeof event->reason, "reason",
                        reason) ||
        s_check_string (event->period, sizeof event->period, "period",
                        reason) ||
        s_check_string (event->item, sizeof event->item, "item", reason) ||
        s_check_string (event->by, sizeof event->by, "by", reason) ||
        s_check_string (event->counters, sizeof event->counters, "counters",
                        reason) ||
        s_check_string (event->time_limit, sizeof event->time_limit,
                        "time_limit", reason))
        return -1;
    return proto__event_check (event, reason);
}

int
proto__event_check (const proto_event_t *event, char *reason)
{
    if (!event->event_id[0]) {
        proto__reason (reason, "missing field event_id");
        return -1;
    }
    //  Compared as int: a hand-filled struct may hold any value.
    int type = (int)event->type;
    if (type == PROTO_NONE) {
        proto__reason (reason, "missing field type");
        return -1;
    }
    if (type < PROTO_RECEIVED || type > PROTO_TYPE_LAST) {
        proto__reason (reason, "unknown type");
        return -1;
    }
    if (type != PROTO_TICK && !event->unit_id[0]) {
        proto__reason (reason, "missing field unit_id");
        return -1;
    }
    if (s_type_has_ticket (type) && !event->ticket_id[0]) {
        proto__reason (reason, "missing field ticket_id");
        return -1;
    }
    if (s_check_time (event->occurred_at, "occurred_at", reason))
        return -1;
    /* Whatever the type, a value travels: it must be a number. */
    if (!isfinite (event->value)) {
        proto__reason (reason, "value is not finite");
        return -1;
    }
    int satisfaction = (int)event->satisfaction;
    if (satisfaction < PROTO_SAT_NONE_GIVEN || satisfaction > PROTO_SAT_NONE) {
        proto__reason (reason, "unknown satisfaction");
        return -1;
    }
    int resolved = (int)event->resolved;
    if (resolved < PROTO_RES_NONE_GIVEN || resolved > PROTO_RES_NO) {
        proto__reason (reason, "unknown resolved");
        return -1;
    }

    if (s_check_limit (event, reason) != 0)
        return -1;
    /* With a time limit, due_at may be left to the state machine. */
    bool due_given = event->due_at || !event->time_limit[0];
    switch (type) {
    case PROTO_RECEIVED:
        if (s_check_time (event->dispatched_at, "dispatched_at", reason) ||
            (due_given && s_check_time (event->due_at, "due_at", reason)))
            return -1;
        if (due_given && event->due_at < event->dispatched_at) {
            proto__reason (reason, "due_at before dispatched_at");
            return -1;
        }
        if (due_given && event->due_at == event->dispatched_at) {
            proto__reason (reason, "due_at equal to dispatched_at");
            return -1;
        }
        if (event->occurred_at < event->dispatched_at) {
            proto__reason (reason, "occurred_at before dispatched_at");
            return -1;
        }
        if (s_check_token (event->channel, "channel", reason) ||
            s_check_token (event->category, "category", reason))
            return -1;
        break;
    case PROTO_EXTENDED:
    case PROTO_REOPENED:
        if (due_given && s_check_time (event->due_at, "due_at", reason))
            return -1;
        break;
    case PROTO_REVISITED:
        if (event->satisfaction == PROTO_SAT_NONE_GIVEN) {
            proto__reason (reason, "missing field satisfaction");
            return -1;
        }
        break;
    case PROTO_ADJUSTED:
        if (!event->period[0]) {
            proto__reason (reason, "missing field period");
            return -1;
        }
        proto_period_t period;
        if (proto_period_parse (event->period, &period) != 0) {
            proto__reason (reason, "period must be YYYY-MM or YYYY-Qn");
            return -1;
        }
        if (!event->item[0]) {
            proto__reason (reason, "missing field item");
            return -1;
        }
        /* A manual item is a score: a value far beyond any scheme's
           points is a mistake, and would overflow the totals' cents. */
        if (fabs (event->value) > PROTO_VALUE_MAX) {
            proto__reason (reason, "value out of range (at most %g either way)",
                           PROTO_VALUE_MAX);
            return -1;
        }
        break;
    default:
        break;
    }
    return 0;
}
