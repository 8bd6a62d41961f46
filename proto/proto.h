/*  proto: the event type and the wire and line formats.

    This module is the only one that sees protobuf-c or JSON: it turns JSON
    lines (docs/events.md) and protobuf frames into proto_event_t,
    a plain fixed-size C struct, and back. Every string field is bounded; a
    value that does not fit is rejected, never truncated.

    Thread rules: all functions are reentrant; nothing here keeps state.
*/
#ifndef PROTO_H_INCLUDED
#define PROTO_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROTO_ID_MAX     64  /* event_id, ticket_id, unit_id, item: bytes */
#define PROTO_TOKEN_MAX  64  /* channel, category: bytes */
#define PROTO_REASON_MAX 256 /* reason: bytes */
#define PROTO_NAME_MAX   128 /* by: who decided (bytes) */
#define PROTO_PERIOD_MAX 8   /* "2025-07" or "2024-Q4" */
#define PROTO_ERROR_MAX  160 /* rejection reasons written by this module */
#define PROTO_LIMIT_MAX  8   /* time_limit: bytes ("3wd", "16wh", "72h") */
#define PROTO_VALUE_MAX  1e6 /* adjusted: |value| at most this */

/* Repeated items one message may carry. Checked on the wire before any
   is unpacked, so a frame costs memory in proportion to legal content;
   senders split larger sets (hotline send: --batch at most this). */
#define PROTO_BATCH_MAX   10000 /* events in one EventBatch */
#define PROTO_REJECTS_MAX 10000 /* client_rejects in one EventBatch */
#define PROTO_UNITS_MAX   20000 /* units in one units import */

/* Earliest and latest times accepted anywhere: 2000-01-01 and 2100-01-01. */
#define PROTO_TIME_MIN 946684800000LL
#define PROTO_TIME_MAX 4102444800000LL

typedef enum {
    PROTO_NONE = 0,
    PROTO_RECEIVED = 1,
    PROTO_CONTACTED = 2,
    PROTO_RETURNED = 3,
    PROTO_EXTENDED = 4,
    PROTO_CLOSED = 5,
    PROTO_REVISITED = 6,
    PROTO_REOPENED = 7,
    PROTO_ADJUSTED = 8,
    PROTO_TICK = 9,
    PROTO_APPEALED = 10,        /* a unit appeals a ticket */
    PROTO_EXEMPTED = 11,        /* the office exempts it (核减) */
    PROTO_APPEAL_REJECTED = 12, /* the office rejects the appeal */
    PROTO_UNEXEMPTED = 13,      /* an exemption is withdrawn */
    PROTO_TYPE_LAST = PROTO_UNEXEMPTED
} proto_type_t;

typedef enum {
    PROTO_SAT_NONE_GIVEN = 0, /* field absent */
    PROTO_SAT_SATISFIED = 1,
    PROTO_SAT_BASIC = 2,
    PROTO_SAT_UNSATISFIED = 3,
    PROTO_SAT_NONE = 4 /* the citizen gave no rating */
} proto_satisfaction_t;

typedef enum {
    PROTO_RES_NONE_GIVEN = 0,
    PROTO_RES_YES = 1,
    PROTO_RES_PARTLY = 2,
    PROTO_RES_NO = 3
} proto_resolved_t;

/* One ticket lifecycle event. Absent strings are empty, absent times zero. */
typedef struct {
    char event_id[PROTO_ID_MAX + 1];      /* globally unique */
    proto_type_t type;                    /* what happened */
    char ticket_id[PROTO_ID_MAX + 1];     /* empty for adjusted, tick */
    char unit_id[PROTO_ID_MAX + 1];       /* empty for tick */
    int64_t occurred_at;                  /* ms since the epoch */
    int64_t dispatched_at;                /* received: platform dispatch */
    int64_t due_at;                       /* received/extended/reopened */
    char time_limit[PROTO_LIMIT_MAX + 1]; /* received/extended/reopened:
                                             "3wd", "16wh", "72h" or "" */
    char channel[PROTO_TOKEN_MAX + 1];    /* received: intake channel */
    char category[PROTO_TOKEN_MAX + 1];   /* received: subject code */
    bool key_supervision;                 /* received: 重点督办 */
    bool repeat_dispatch;                 /* received: 重复交办 */
    char reason[PROTO_REASON_MAX + 1];    /* returned: free text */
    proto_satisfaction_t satisfaction;    /* revisited */
    proto_resolved_t resolved;            /* revisited */
    bool rework;                          /* revisited: back to the unit */
    char period[PROTO_PERIOD_MAX + 1];    /* adjusted: "YYYY-MM"/"YYYY-Qn" */
    char item[PROTO_ID_MAX + 1];          /* adjusted: item id */
    double value;                         /* adjusted: item value */
    char by[PROTO_NAME_MAX + 1];          /* exempted...: who decided */
    char counters[PROTO_REASON_MAX + 1];  /* exempted: "all" or names */
} proto_event_t;

/* Names of the enums as they appear in event lines; "?" when out of range. */
const char *proto_type_name (proto_type_t type);
const char *proto_satisfaction_name (proto_satisfaction_t value);
const char *proto_resolved_name (proto_resolved_t value);

/* Checks what can be checked without the store: required fields for the
   type, times within [PROTO_TIME_MIN, PROTO_TIME_MAX), due after dispatch,
   a time limit that parses (where due_at may be left for the state
   machine to derive from it), a valid period, a finite value. Returns 0,
   or -1 with a reason in `reason` (PROTO_ERROR_MAX bytes). */
int proto_event_validate (const proto_event_t *event, char *reason);

/* A time limit (docs/calendar.md): a count and its unit. */
typedef enum {
    PROTO_LIMIT_NONE = 0,
    PROTO_LIMIT_WORKING_DAYS = 1,  /* "3wd": the close of the 3rd working
                                      day after the day it starts */
    PROTO_LIMIT_WORKING_HOURS = 2, /* "16wh": 16 hours of working time */
    PROTO_LIMIT_HOURS = 3          /* "72h": 72 hours of wall time */
} proto_limit_unit_t;

typedef struct {
    proto_limit_unit_t unit; /* which */
    int count;               /* how many, 1..PROTO_LIMIT_COUNT_MAX */
} proto_limit_t;

#define PROTO_LIMIT_COUNT_MAX 9999

/* Parses "3wd", "16wh" or "72h" (a count of 1 to 9999, no sign, no
   space). Returns 0, or -1 (limit set to NONE). */
int proto_limit_parse (const char *text, proto_limit_t *limit);

/* Parses one JSON event line into `event` and validates it. Returns 0, or
   -1 with a reason (bad JSON, unknown type, missing field, unparsable time,
   string too long...) in `reason` (PROTO_ERROR_MAX bytes). */
int proto_event_from_json (const char *line, size_t size, proto_event_t *event,
                           char *reason);

/* Formats an event as one JSON line without a newline. Returns a string the
   caller frees, or NULL when out of memory. */
char *proto_event_to_json (const proto_event_t *event);

/* True when text[0..size) is well-formed UTF-8 (no overlong forms, no
   surrogates, nothing above U+10FFFF). */
bool proto_utf8_valid (const char *text, size_t size);

/* Parses an RFC 3339 time with an offset ("2025-07-01T09:10:00+08:00", "Z",
   optional fraction) into ms since the epoch. Returns 0 or -1. */
int proto_time_parse (const char *text, int64_t *ms);

/* The proleptic Gregorian calendar without the C library's time zone
   state: days since 1970-01-01 of a date (month and day in range), and
   the date of such a day number. */
int64_t proto_days_from_civil (int64_t year, int month, int day);
void proto_civil_from_days (int64_t days, int64_t *year, int *month, int *day);

/* Formats ms since the epoch as RFC 3339 in Asia/Shanghai (+08:00) into
   `buf` (at least 32 bytes). Returns buf. */
char *proto_time_format (int64_t ms, char *buf);

#define PROTO_HOUR_MS (3600LL * 1000)
#define PROTO_DAY_MS  (24 * PROTO_HOUR_MS)

/*  Periods: calendar months and quarters in Asia/Shanghai (UTC+8, no
    daylight saving), the one period parser of the system.              */
typedef enum { PROTO_MONTH = 0, PROTO_QUARTER = 1 } proto_period_kind_t;

/* A period: kind and a code (months: year*12 + month-1; quarters:
   year*4 + quarter-1). */
typedef struct {
    proto_period_kind_t kind; /* month or quarter */
    int32_t code;             /* see above */
} proto_period_t;

/* The period of that kind containing time ms. */
proto_period_t proto_period_of (int64_t ms, proto_period_kind_t kind);
/* Parses "YYYY-MM" or "YYYY-Qn" (years 2000-2099). Returns 0 or -1. */
int proto_period_parse (const char *text, proto_period_t *period);
/* Writes "2025-07" / "2024-Q4" into buf (at least 8 bytes). */
char *proto_period_format (proto_period_t period, char *buf);
/* First instant of the period and first instant after it, in ms. */
int64_t proto_period_start (proto_period_t period);
int64_t proto_period_end (proto_period_t period);

/*  CSV (proto_csv.c): the one reader of comma-separated files, for the
    units registry (docs/units.md) and published tables. RFC 4180: a
    field in double quotes may hold commas, doubled quotes and line
    breaks; records end with LF or CRLF; a UTF-8 byte order mark before
    the first record is skipped. */
typedef struct _proto_csv_t proto_csv_t;

/* Reads records from `file` (borrowed, read to its end). NULL when out
   of memory. */
proto_csv_t *proto_csv_new (FILE *file);
void proto_csv_destroy (proto_csv_t **self_p);
/* The next record: 1 with its fields (borrowed until the next call) and
   their count, 0 at the end, -1 with proto_csv_error set (a quote not
   closed, text after a closing quote, a NUL byte, too many fields). A
   blank line is a record of one empty field. */
int proto_csv_next (proto_csv_t *self, char ***fields, size_t *count);
/* The line the last record started on (1-based). */
unsigned proto_csv_line (const proto_csv_t *self);
/* Why the last call returned -1 ("line N: ..."). */
const char *proto_csv_error (const proto_csv_t *self);

/*  Wire messages. Encoders return a malloc'd buffer the caller frees (and
    its size in *size), or NULL when out of memory. Decoders return 0, or -1
    with a reason when the bytes are not a valid message of that kind; a
    decoded event is validated with proto_event_validate as well.          */

/* A LineReject: a line the sender could not parse. */
typedef struct {
    uint32_t line;                    /* 1-based line number */
    char reason[PROTO_ERROR_MAX + 1]; /* why it was rejected */
} proto_line_reject_t;

/* An EventBatch. Events of a decoded batch that fail validation are kept
   with their reason in `invalid` so the batch can still be answered
   index by index. */
typedef struct {
    uint64_t batch_id;                    /* sender's number for the batch */
    size_t count;                         /* number of events */
    proto_event_t *events;                /* count events */
    char (*invalid)[PROTO_ERROR_MAX + 1]; /* per event: "" or the reason */
    size_t reject_count;                  /* number of client rejects */
    proto_line_reject_t *rejects;         /* lines the sender rejected */
} proto_batch_t;

/* The largest EventBatch and QueryRequest frames the limits allow, in
   bytes (every field at its longest): the endpoints refuse bigger frames
   before reading them (ZMQ_MAXMSGSIZE). */
size_t proto_batch_size_max (void);
size_t proto_query_size_max (void);

uint8_t *proto_batch_encode (uint64_t batch_id, const proto_event_t *events,
                             size_t count, const proto_line_reject_t *rejects,
                             size_t reject_count, size_t *size);
/* On success the caller owns *batch and frees it with proto_batch_free.
   Refuses, before unpacking, a frame with more events or rejects than
   the limits; an event with a NUL byte in a text field is kept invalid
   ("event_id contains a NUL byte"), never truncated. */
int proto_batch_decode (const uint8_t *data, size_t size, proto_batch_t *batch,
                        char *reason);
void proto_batch_free (proto_batch_t *batch);

/* Decoded events in arrays a caller keeps from batch to batch (the ingest
   actor: one per group), so decoding neither allocates nor copies them
   again: proto_batch_append grows them, the caller empties them by
   setting count to 0 and frees them with proto_events_free. */
typedef struct {
    proto_event_t *events;                /* count events */
    char (*invalid)[PROTO_ERROR_MAX + 1]; /* per event: "" or the reason */
    size_t count;                         /* events held */
    size_t capacity;                      /* room in both arrays */
} proto_events_t;

/* proto_batch_decode, but the batch's events and reasons are appended to
   `into` (from into->count on) and batch->events and batch->invalid stay
   NULL; batch->count says how many were appended. On failure `into`
   holds what it held before (its room may have grown). */
int proto_batch_append (const uint8_t *data, size_t size, proto_batch_t *batch,
                        proto_events_t *into, char *reason);
void proto_events_free (proto_events_t *events);

typedef enum {
    PROTO_ACK_STORED = 1,
    PROTO_ACK_DUPLICATE = 2,
    PROTO_ACK_REJECTED = 3
} proto_ack_status_t;

/* One answer per event of a batch. */
typedef struct {
    proto_ack_status_t status;        /* stored, duplicate, rejected */
    char reason[PROTO_ERROR_MAX + 1]; /* why, when rejected */
} proto_ack_t;

/* A BatchAck. ok=false: nothing of the batch was stored (error says why). */
typedef struct {
    uint64_t batch_id;               /* echoes the batch */
    bool ok;                         /* the batch was committed */
    char error[PROTO_ERROR_MAX + 1]; /* why not, when !ok */
    size_t count;                    /* number of acks */
    proto_ack_t *acks;               /* one per event, in batch order */
} proto_batch_ack_t;

uint8_t *proto_batch_ack_encode (const proto_batch_ack_t *ack, size_t *size);
int proto_batch_ack_decode (const uint8_t *data, size_t size,
                            proto_batch_ack_t *ack, char *reason);
void proto_batch_ack_free (proto_batch_ack_t *ack);

/* Encodes one event alone (the event log's record format). */
uint8_t *proto_event_encode (const proto_event_t *event, size_t *size);
/* The most bytes an event encodes to: room for proto_event_pack. */
#define PROTO_EVENT_WIRE_MAX (sizeof (proto_event_t) + 32 * 12)
/* Encodes the same bytes into `buffer` (PROTO_EVENT_WIRE_MAX bytes)
   without allocating. Returns their count. */
size_t proto_event_pack (const proto_event_t *event, uint8_t *buffer);
int proto_event_decode (const uint8_t *data, size_t size, proto_event_t *event,
                        char *reason);

/* Units registry entries travel in queries. */
typedef struct {
    char unit_id[PROTO_ID_MAX + 1];  /* registry key */
    char name[PROTO_REASON_MAX + 1]; /* label, not unique */
    char group[PROTO_ID_MAX + 1];    /* table the unit belongs to */
} proto_unit_t;

typedef enum {
    PROTO_QUERY_REPORT = 1,
    PROTO_QUERY_UNITS_IMPORT = 2,
    PROTO_QUERY_STATS = 3,
    PROTO_QUERY_RULESETS = 4,
    PROTO_QUERY_RULESETS_RELOAD = 5,
    PROTO_QUERY_SNAPSHOT = 6,
    PROTO_QUERY_REJECTED = 7,
    PROTO_QUERY_EXPLAIN = 8,
    PROTO_QUERY_TICKET = 9,
    PROTO_QUERY_UNITS = 10,
    PROTO_QUERY_ALERTS = 11,
    PROTO_QUERY_APPEALS = 12,
    PROTO_QUERY_PUBLISH = 13,
    PROTO_QUERY_DIFF = 14,
    PROTO_QUERY_CALENDAR_IMPORT = 15,       /* body: a calendar file */
    PROTO_QUERY_CALENDAR = 16,              /* year, or 0: the summary */
    PROTO_QUERY_LAST = PROTO_QUERY_CALENDAR /* the highest kind */
} proto_query_kind_t;

/* A query's body (a calendar file): bytes at most. */
#define PROTO_BODY_MAX (4 << 20)

/* A live topic or topic prefix (score/<ruleset>/<unit_id>): bytes. */
#define PROTO_TOPIC_MAX (16 + 2 * PROTO_ID_MAX)

typedef struct {
    proto_query_kind_t kind;           /* what is asked */
    char ruleset[PROTO_ID_MAX + 1];    /* report: ruleset id */
    char period[PROTO_PERIOD_MAX + 1]; /* report: period */
    int64_t as_of;                     /* report: 0 = now */
    uint32_t limit;                    /* rejected: newest N, 0 = 100 */
    char unit[PROTO_ID_MAX + 1];       /* explain: the unit; alerts: one
                                          unit's, "" all */
    char item[PROTO_ID_MAX + 1];       /* explain: one item, or "" */
    char ticket[PROTO_ID_MAX + 1];     /* ticket: its id */
    char topic[PROTO_TOPIC_MAX + 1];   /* snapshot: topic prefix, "" all */
    char state[16];                    /* appeals: open, granted... */
    char note[PROTO_REASON_MAX + 1];   /* publish: the version's note */
    bool force;                        /* publish: before the period ends */
    bool published;                    /* report: the published one */
    uint32_t version;                  /* report, diff: 0 = latest */
    size_t unit_count;                 /* units import: count */
    proto_unit_t *units;               /* units import: the units */
    int32_t year;                      /* calendar: the year, or 0 */
    const char *body;                  /* calendar import: the file (a
                                          decoded query owns it) */
    size_t body_size;                  /* its bytes */
} proto_query_t;

uint8_t *proto_query_encode (const proto_query_t *query, size_t *size);
int proto_query_decode (const uint8_t *data, size_t size, proto_query_t *query,
                        char *reason);
void proto_query_free (proto_query_t *query);

/* A QueryReply: ok and a JSON body, or an error. Decoding gives strings the
   caller frees (json and error may be NULL). */
uint8_t *proto_reply_encode (bool ok, const char *error, const char *json,
                             size_t *size);
int proto_reply_decode (const uint8_t *data, size_t size, bool *ok,
                        char **error, char **json);

/* A Publication: sequence number, topic and JSON body. */
uint8_t *proto_publication_encode (uint64_t sequence, const char *topic,
                                   const char *json, size_t *size);
int proto_publication_decode (const uint8_t *data, size_t size,
                              uint64_t *sequence, char **topic, char **json);

#endif
