/*  hotline-synth: turns a published scorecard (a golden CSV) into a units
    registry and an event stream that gives every unit exactly the published
    counters. The acceptance test feeds both to the real daemon and compares
    its report with the golden file cell by cell (docs/scoring.md section 5).

    Every ticket follows one fixed, simple timetable so that its counters can
    be read off the plan: dispatched 09:00, signed 09:10, contacted 09:40, due
    three days later at 18:00, closed on time the next day at 15:00 or late
    at 20:00 on the due day. Tickets start on days 1 to (last day - 3) of
    their month, so every event and every deadline stays inside the month.

    Only libc: the tool must build wherever the tests run.
*/
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define EXIT_USAGE 2

/* Asia/Shanghai has kept +08:00 without daylight saving since 1991, so a
   fixed offset is exact for every period we generate. */
#define TZ_OFFSET (8 * 3600)

#define MAX_MONTHS 3      /* a quarter */
#define MAX_COUNT  100000 /* per golden cell; more is a typo, not a unit */

/* Seconds past midnight of a clock time. */
#define HM(h, m) ((h)*3600 + (m)*60)

typedef enum {
    EV_RECEIVED,
    EV_CONTACTED,
    EV_RETURNED,
    EV_CLOSED,
    EV_REVISITED,
    EV_REOPENED,
    EV_TICK
} ev_type_t;

/* Spellings in event lines, indexed by ev_type_t. */
static const char *const s_type_names[] = {"received", "contacted", "returned",
                                           "closed",   "revisited", "reopened",
                                           "tick"};

/* One output line, kept as fields so the stream can be sorted before the
   event ids are numbered in file order. */
typedef struct {
    int64_t at;               /* occurred_at, seconds since the epoch */
    size_t seq;               /* creation order: keeps a ticket's events in
                                 order when two share a timestamp */
    ev_type_t type;           /* what happened */
    char ticket_id[32];       /* empty for a tick */
    char unit_id[16];         /* empty for a tick */
    int64_t dispatched_at;    /* received: platform dispatch time */
    int64_t due_at;           /* received, reopened: deadline in force */
    const char *channel;      /* received: static token */
    const char *category;     /* received: static token */
    const char *reason;       /* returned: static text */
    const char *satisfaction; /* revisited: static token */
    const char *resolved;     /* revisited: static token */
    bool rework;              /* revisited: sends the ticket back */
} event_t;

/* A scheme names the period and which golden columns feed the plan. */
typedef struct {
    const char *name;         /* --scheme value and ruleset id */
    const char *unit_prefix;  /* unit ids are prefix + 2 digits */
    const char *event_prefix; /* event ids are prefix + 6 digits */
    int year;                 /* of the period */
    int first_month;          /* 1..12 */
    int months;               /* 1 for a month, 3 for a quarter */
    bool has_note;            /* late closures and rework per month in the
                                 note column (fufeng) */
} scheme_t;

static const scheme_t s_schemes[] = {
    {"jintai-2025", "J", "jintai-", 2025, 7, 1, false},
    {"fufeng-2024", "F", "fufeng-", 2024, 10, 3, true},
};

/* One unit of the golden table and what it must end up with. */
typedef struct {
    char id[16];                      /* unit_id in both outputs */
    char *name;                       /* label from the golden file, owned */
    char *group;                      /* group token, owned */
    long line;                        /* golden line, for messages */
    long should_close;                /* 应办结 */
    long closed;                      /* 办结 */
    long on_time;                     /* 按期办结 */
    long overdue_returns;             /* 逾期退单 */
    long unsatisfied;                 /* 不满意 revisits */
    long rework;                      /* 返工 / 退回重办 */
    long late_by_month[MAX_MONTHS];   /* late closures per month */
    long rework_by_month[MAX_MONTHS]; /* rework revisits per month */
    bool on_time_return;              /* add one return inside 2 h */
} unit_t;

/* What one unit gets in one month of the period. */
typedef struct {
    long on_time;         /* tickets closed by their deadline */
    long late;            /* tickets closed after their deadline */
    long open;            /* tickets left open past a deadline */
    long returns_late;    /* returned more than 2 h after dispatch */
    long returns_on_time; /* returned inside the 2 h window */
    long rework;          /* closed tickets sent back and closed again */
    long unsatisfied;     /* closed tickets revisited as unsatisfied */
} month_plan_t;

typedef struct {
    const scheme_t *scheme; /* the period being generated */
    event_t *events;        /* every event so far, owned */
    size_t count;           /* events used */
    size_t cap;             /* events allocated */
    event_t scratch;        /* written to instead when out of memory */
    bool out_of_memory;     /* set once; checked before writing */
    long tickets;           /* tickets created */
    long unit_tickets;      /* tickets created for the current unit */
} synth_t;

//  ---------------------------------------------------------------------
//  Calendar: computed here so the output does not depend on the TZ database

/* Seconds since the epoch of a local (+08:00) date at `seconds` past
   midnight. */
static int64_t
s_local_time (int y, int m, int d, int seconds)
{
    return proto_days_from_civil (y, m, d) * 86400 + seconds - TZ_OFFSET;
}

static int
s_days_in_month (int y, int m)
{
    int next_y = m == 12 ? y + 1 : y;
    int next_m = m == 12 ? 1 : m + 1;
    return (int)(proto_days_from_civil (next_y, next_m, 1) -
                 proto_days_from_civil (y, m, 1));
}

/* RFC 3339 in +08:00 of a time in seconds, as proto writes event times. */
static void
s_format_time (int64_t t, char *buf, size_t size)
{
    char text[32];
    snprintf (buf, size, "%s", proto_time_format (t * 1000, text));
}

//  ---------------------------------------------------------------------
//  Events

/* Appends an event. On allocation failure the event is written to a scratch
   slot and the failure is remembered, so that callers stay linear and the
   one check happens before anything is written out. */
static event_t *
s_event_add (synth_t *self, ev_type_t type, int64_t at, const char *unit_id,
             const char *ticket_id)
{
    event_t *ev = &self->scratch;
    if (self->count == self->cap && !self->out_of_memory) {
        size_t cap = self->cap ? self->cap * 2 : 4096;
        event_t *grown = realloc (self->events, cap * sizeof *grown);
        if (grown) {
            self->events = grown;
            self->cap = cap;
        } else
            self->out_of_memory = true;
    }
    if (self->count < self->cap)
        ev = &self->events[self->count];
    memset (ev, 0, sizeof *ev);
    ev->at = at;
    ev->seq = self->count;
    ev->type = type;
    snprintf (ev->unit_id, sizeof ev->unit_id, "%s", unit_id);
    snprintf (ev->ticket_id, sizeof ev->ticket_id, "%s", ticket_id);
    if (ev != &self->scratch)
        self->count++;
    return ev;
}

static int
s_event_compare (const void *a, const void *b)
{
    const event_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
s_event_print (FILE *out, const event_t *ev, const char *prefix, size_t number)
{
    char at[40], other[40];
    s_format_time (ev->at, at, sizeof at);
    fprintf (out, "{\"event_id\":\"%s%06zu\",\"type\":\"%s\"", prefix, number,
             s_type_names[ev->type]);
    if (ev->type != EV_TICK)
        fprintf (out, ",\"ticket_id\":\"%s\",\"unit_id\":\"%s\"", ev->ticket_id,
                 ev->unit_id);
    fprintf (out, ",\"occurred_at\":\"%s\"", at);
    switch (ev->type) {
    case EV_RECEIVED:
        s_format_time (ev->dispatched_at, other, sizeof other);
        fprintf (out, ",\"dispatched_at\":\"%s\"", other);
        s_format_time (ev->due_at, other, sizeof other);
        fprintf (out,
                 ",\"due_at\":\"%s\",\"channel\":\"%s\","
                 "\"category\":\"%s\",\"key_supervision\":false,"
                 "\"repeat_dispatch\":false",
                 other, ev->channel, ev->category);
        break;
    case EV_RETURNED:
        fprintf (out, ",\"reason\":\"%s\"", ev->reason);
        break;
    case EV_REVISITED:
        fprintf (out,
                 ",\"satisfaction\":\"%s\",\"resolved\":\"%s\","
                 "\"rework\":%s",
                 ev->satisfaction, ev->resolved, ev->rework ? "true" : "false");
        break;
    case EV_REOPENED:
        s_format_time (ev->due_at, other, sizeof other);
        fprintf (out, ",\"due_at\":\"%s\"", other);
        break;
    default:
        break;
    }
    fputs ("}\n", out);
}

//  ---------------------------------------------------------------------
//  Tickets

/* How a closed ticket's revisit goes. */
typedef enum {
    REVISIT_NONE,
    REVISIT_SATISFIED,
    REVISIT_UNSATISFIED,
    REVISIT_REWORK
} revisit_t;

/* Picks k of m items spread evenly: item j is picked when the running
   share of k crosses an integer, which picks exactly k for k <= m. */
static bool
s_spread_pick (long j, long k, long m)
{
    return m > 0 && ((j + 1) * k) / m > (j * k) / m;
}

/* Day of the month for item i of n, spread over 1..last_day. */
static int
s_spread_day (long i, long n, int last_day)
{
    return n > 0 ? 1 + (int)(i * last_day / n) : 1;
}

/* Opens a ticket on day `day` of the month: RECEIVED and, unless the ticket
   is returned at once, CONTACTED. Returns the dispatch time. */
static int64_t
s_ticket_open (synth_t *self, const unit_t *unit, int month, int day,
               bool contact, char *ticket_id, size_t size)
{
    static const char *const categories[] = {
        "property",  "traffic",  "social_security", "environment",
        "education", "consumer", "housing",         "other"};
    const scheme_t *scheme = self->scheme;
    long number = ++self->tickets;
    snprintf (ticket_id, size, "%s-T%04ld", unit->id, ++self->unit_tickets);

    int64_t dispatched = s_local_time (scheme->year, month, day, HM (9, 0));
    event_t *ev = s_event_add (self, EV_RECEIVED, dispatched + 10 * 60,
                               unit->id, ticket_id);
    ev->dispatched_at = dispatched;
    ev->due_at = s_local_time (scheme->year, month, day + 3, HM (18, 0));
    //  A few other channels so channel splits are not empty; which ones
    //  does not matter to any counter the golden files publish.
    ev->channel = number % 20 == 7    ? "mayor_mailbox"
                  : number % 20 == 13 ? "web"
                  : number % 20 == 17 ? "wechat"
                                      : "hotline";
    ev->category = categories[number % 8];
    if (contact)
        s_event_add (self, EV_CONTACTED, dispatched + 40 * 60, unit->id,
                     ticket_id);
    return dispatched;
}

static void
s_revisit_add (synth_t *self, const unit_t *unit, const char *ticket_id,
               int64_t at, revisit_t revisit)
{
    event_t *ev = s_event_add (self, EV_REVISITED, at, unit->id, ticket_id);
    ev->satisfaction = revisit == REVISIT_SATISFIED     ? "satisfied"
                       : revisit == REVISIT_UNSATISFIED ? "unsatisfied"
                                                        : "basic";
    ev->resolved = revisit == REVISIT_SATISFIED     ? "yes"
                   : revisit == REVISIT_UNSATISFIED ? "no"
                                                    : "partly";
    ev->rework = revisit == REVISIT_REWORK;
}

/* A ticket closed in the month, on time or late, then revisited. A rework
   ticket is closed a second time with the same timeliness as the first, so
   that its latest closure (the one the engine judges) keeps the plan's
   on-time count. */
static void
s_ticket_closed (synth_t *self, const unit_t *unit, int month, int day,
                 bool on_time, revisit_t revisit)
{
    const scheme_t *scheme = self->scheme;
    int last_day = s_days_in_month (scheme->year, month);
    char ticket_id[32];
    int64_t dispatched = s_ticket_open (self, unit, month, day, true, ticket_id,
                                        sizeof ticket_id);
    int64_t midnight = dispatched - HM (9, 0);
    int64_t closed_at = on_time ? midnight + 86400 + HM (15, 0)
                                : midnight + 3 * 86400 + HM (20, 0);
    s_event_add (self, EV_CLOSED, closed_at, unit->id, ticket_id);
    if (revisit == REVISIT_NONE)
        return;

    //  The revisit of a late ticket happens the same evening: its due day
    //  may be the last day of the month.
    int64_t revisit_at =
        on_time ? midnight + 2 * 86400 + HM (10, 0) : closed_at + 30 * 60;
    s_revisit_add (self, unit, ticket_id, revisit_at, revisit);
    if (revisit != REVISIT_REWORK)
        return;

    event_t *ev = s_event_add (self, EV_REOPENED, revisit_at + 5 * 60, unit->id,
                               ticket_id);
    if (on_time) {
        //  Two days to redo it, but never past the month: a deadline in the
        //  next period would be counted there if the ticket stayed open.
        int due_day = day + 4 > last_day ? last_day : day + 4;
        ev->due_at = s_local_time (scheme->year, month, due_day, HM (18, 0));
        s_event_add (self, EV_CLOSED, midnight + 3 * 86400 + HM (15, 0),
                     unit->id, ticket_id);
    } else {
        ev->due_at = revisit_at + 60 * 60;
        s_event_add (self, EV_CLOSED, revisit_at + 90 * 60, unit->id,
                     ticket_id);
    }
}

/* A returned ticket: late when more than 2 h after dispatch. */
static void
s_ticket_returned (synth_t *self, const unit_t *unit, int month, int day,
                   bool late)
{
    char ticket_id[32];
    int64_t dispatched = s_ticket_open (self, unit, month, day, late, ticket_id,
                                        sizeof ticket_id);
    event_t *ev =
        s_event_add (self, EV_RETURNED, dispatched + (late ? 180 : 30) * 60,
                     unit->id, ticket_id);
    ev->reason = "not our jurisdiction";
}

/* Generates one unit's month. Returns 0, or -1 when out of memory. */
static int
s_month_generate (synth_t *self, const unit_t *unit, int month,
                  const month_plan_t *plan)
{
    int last_day = s_days_in_month (self->scheme->year, month) - 3;
    long closed = plan->on_time + plan->late;
    revisit_t *revisits = calloc ((size_t)closed + 1, sizeof *revisits);
    if (!revisits)
        return -1;

    //  Rework goes to on-time tickets first: a late ticket reworked must
    //  be closed late again, which is less like the published bulletins.
    long rework_on_time =
        plan->rework < plan->on_time ? plan->rework : plan->on_time;
    long rework_late = plan->rework - rework_on_time;
    for (long i = 0; i < plan->on_time; i++)
        if (s_spread_pick (i, rework_on_time, plan->on_time))
            revisits[i] = REVISIT_REWORK;
    for (long i = 0; i < plan->late; i++)
        if (s_spread_pick (i, rework_late, plan->late))
            revisits[plan->on_time + i] = REVISIT_REWORK;
    long free_count = closed - plan->rework, j = 0;
    for (long i = 0; i < closed; i++)
        if (revisits[i] == REVISIT_NONE &&
            s_spread_pick (j++, plan->unsatisfied, free_count))
            revisits[i] = REVISIT_UNSATISFIED;
    //  Half of the rest are revisited as satisfied, so the stream also
    //  shows revisits that change no counter.
    free_count -= plan->unsatisfied;
    j = 0;
    for (long i = 0; i < closed; i++)
        if (revisits[i] == REVISIT_NONE &&
            s_spread_pick (j++, free_count / 2, free_count))
            revisits[i] = REVISIT_SATISFIED;

    for (long i = 0; i < plan->on_time; i++)
        s_ticket_closed (self, unit, month,
                         s_spread_day (i, plan->on_time, last_day), true,
                         revisits[i]);
    for (long i = 0; i < plan->late; i++)
        s_ticket_closed (self, unit, month,
                         s_spread_day (i, plan->late, last_day), false,
                         revisits[plan->on_time + i]);
    free (revisits);

    //  Open tickets are due on day + 3 <= the last day: inside the month,
    //  so the engine counts them as overdue_open of this period.
    for (long i = 0; i < plan->open; i++) {
        char ticket_id[32];
        s_ticket_open (self, unit, month,
                       s_spread_day (i, plan->open, last_day), true, ticket_id,
                       sizeof ticket_id);
    }
    for (long i = 0; i < plan->returns_late; i++)
        s_ticket_returned (self, unit, month,
                           s_spread_day (i, plan->returns_late, last_day),
                           true);
    for (long i = 0; i < plan->returns_on_time; i++)
        s_ticket_returned (self, unit, month,
                           s_spread_day (i, plan->returns_on_time, last_day),
                           false);
    return 0;
}

//  ---------------------------------------------------------------------
//  Planning

/* Share i of n split over k parts, earlier parts taking the remainder. */
static long
s_share (long n, int i, int k)
{
    return n / k + (i < n % k);
}

/* Splits a unit's counters over the months of the period. Returns 0, or -1
   after printing why the counters cannot be produced. */
static int
s_unit_plan (const scheme_t *scheme, const unit_t *unit, month_plan_t *plans)
{
    long needed = 0;
    for (int m = 0; m < scheme->months; m++) {
        month_plan_t *plan = &plans[m];
        memset (plan, 0, sizeof *plan);
        plan->late = unit->late_by_month[m];
        plan->rework = unit->rework_by_month[m];
        plan->unsatisfied = s_share (unit->unsatisfied, m, scheme->months);
        plan->open =
            s_share (unit->should_close - unit->closed, m, scheme->months);
        plan->returns_late = s_share (unit->overdue_returns, m, scheme->months);
        plan->returns_on_time = m == 0 && unit->on_time_return;
        //  A month's rework and unsatisfied revisits need that many tickets
        //  closed in the same month; late ones alone may not be enough.
        long short_by = plan->rework + plan->unsatisfied - plan->late;
        plan->on_time = short_by > 0 ? short_by : 0;
        needed += plan->on_time;
    }
    if (needed > unit->on_time) {
        fprintf (stderr,
                 "hotline-synth: golden line %ld (%s): rework and "
                 "unsatisfied revisits need %ld on-time closures in their "
                 "months, but on_time is %ld\n",
                 unit->line, unit->name, needed, unit->on_time);
        return -1;
    }
    long rest = unit->on_time - needed;
    for (int m = 0; m < scheme->months; m++)
        plans[m].on_time += s_share (rest, m, scheme->months);
    return 0;
}

//  ---------------------------------------------------------------------
//  Golden CSV

/* One parsed CSV record. */
typedef struct {
    char **fields; /* field texts, owned */
    size_t count;  /* fields used */
    size_t cap;    /* fields allocated */
    long line;     /* line the record starts on */
} csv_record_t;

static void
s_record_clear (csv_record_t *rec)
{
    for (size_t i = 0; i < rec->count; i++)
        free (rec->fields[i]);
    rec->count = 0;
}

static int
s_record_push (csv_record_t *rec, const char *text, size_t len)
{
    if (rec->count == rec->cap) {
        size_t cap = rec->cap ? rec->cap * 2 : 32;
        char **grown = realloc (rec->fields, cap * sizeof *grown);
        if (!grown)
            return -1;
        rec->fields = grown;
        rec->cap = cap;
    }
    char *copy = malloc (len + 1);
    if (!copy)
        return -1;
    memcpy (copy, text, len);
    copy[len] = '\0';
    rec->fields[rec->count++] = copy;
    return 0;
}

/* Reads one RFC 4180 record (quoted fields may hold commas, doubled quotes
   and line breaks). Blank lines are skipped. Returns 1 with a record, 0 at
   the end of input, -1 with a reason in *error. `buf` is scratch space at
   least as large as the input. */
static int
s_csv_read (const char **pos, const char *end, long *line, char *buf,
            csv_record_t *rec, const char **error)
{
    s_record_clear (rec);
    while (*pos < end && (**pos == '\n' || **pos == '\r')) {
        if (**pos == '\n')
            (*line)++;
        (*pos)++;
    }
    if (*pos >= end)
        return 0;
    rec->line = *line;
    const char *p = *pos;
    size_t len = 0;
    bool quoted = false;
    while (true) {
        if (p >= end && quoted) {
            *error = "unterminated quoted field";
            return -1;
        }
        char c = p < end ? *p : '\n';
        p++;
        if (quoted) {
            if (c == '"' && p < end && *p == '"') {
                buf[len++] = '"';
                p++;
            } else if (c == '"')
                quoted = false;
            else {
                if (c == '\n')
                    (*line)++;
                buf[len++] = c;
            }
        } else if (c == '"' && len == 0)
            quoted = true;
        else if (c == ',' || c == '\n') {
            if (s_record_push (rec, buf, len)) {
                *error = "out of memory";
                return -1;
            }
            len = 0;
            if (c == '\n') {
                (*line)++;
                break;
            }
        } else if (c != '\r')
            buf[len++] = c;
    }
    *pos = p < end ? p : end;
    return 1;
}

static int
s_column (const csv_record_t *header, const char *name)
{
    for (size_t i = 0; i < header->count; i++)
        if (strcmp (header->fields[i], name) == 0)
            return (int)i;
    return -1;
}

/* Strips surrounding blanks in place. */
static char *
s_trim (char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen (text);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        text[--len] = '\0';
    return text;
}

static int
s_parse_count (const char *text, long *value)
{
    char *end;
    if (*text < '0' || *text > '9')
        return -1;
    errno = 0;
    long n = strtol (text, &end, 10);
    if (errno || *end || n > MAX_COUNT)
        return -1;
    *value = n;
    return 0;
}

/* Reads the next "<digits>" of a note; -1 when there are none. */
static long
s_note_number (const char **p)
{
    long n = -1;
    while (**p >= '0' && **p <= '9' && n < MAX_COUNT)
        n = (n < 0 ? 0 : n * 10) + (*(*p)++ - '0');
    return n;
}

static bool
s_skip (const char **p, const char *word)
{
    size_t len = strlen (word);
    if (strncmp (*p, word, len) != 0)
        return false;
    *p += len;
    return true;
}

/* Parses a fufeng note: items like "10月逾期2件" (late closures) and
   "12月退回重办1件" (rework) separated by commas, Chinese commas, "、" or
   semicolons. Returns 0, or -1 after printing why. */
static int
s_note_parse (const scheme_t *scheme, unit_t *unit, const char *note)
{
    const char *p = note;
    while (true) {
        while (s_skip (&p, " ") || s_skip (&p, ",") || s_skip (&p, ";") ||
               s_skip (&p, "，") || s_skip (&p, "、") || s_skip (&p, "；"))
            ;
        if (!*p)
            return 0;
        const char *item = p;
        long month = s_note_number (&p);
        long *counts = NULL;
        if (month >= 0 && s_skip (&p, "月")) {
            if (s_skip (&p, "逾期"))
                counts = unit->late_by_month;
            else if (s_skip (&p, "退回重办") || s_skip (&p, "发回重办") ||
                     s_skip (&p, "返工"))
                counts = unit->rework_by_month;
        }
        long n = counts ? s_note_number (&p) : -1;
        if (n < 0 || !s_skip (&p, "件")) {
            fprintf (stderr,
                     "hotline-synth: golden line %ld (%s): cannot read note "
                     "\"%s\" at \"%s\" (expected e.g. 10月逾期2件 or "
                     "12月退回重办1件)\n",
                     unit->line, unit->name, note, item);
            return -1;
        }
        int index = (int)month - scheme->first_month;
        if (index < 0 || index >= scheme->months) {
            fprintf (stderr,
                     "hotline-synth: golden line %ld (%s): note names month "
                     "%ld, outside the period %d-%02d..%d-%02d\n",
                     unit->line, unit->name, month, scheme->year,
                     scheme->first_month, scheme->year,
                     scheme->first_month + scheme->months - 1);
            return -1;
        }
        counts[index] += n;
    }
}

/* Checks the published counters fit together and can be produced.
   Returns 0, or -1 after printing why. */
static int
s_unit_check (const scheme_t *scheme, unit_t *unit, long alerts)
{
    const char *why = NULL;
    if (unit->closed > unit->should_close)
        why = "closed is larger than should_close";
    else if (unit->on_time > unit->closed)
        why = "on_time is larger than closed";
    else if (unit->unsatisfied + unit->rework > unit->closed)
        why = "unsatisfied + rework is larger than closed (each goes on its "
              "own closed ticket)";
    if (why) {
        fprintf (stderr, "hotline-synth: golden line %ld (%s): %s\n",
                 unit->line, unit->name, why);
        return -1;
    }
    long late = 0, rework = 0;
    for (int m = 0; m < scheme->months; m++) {
        late += unit->late_by_month[m];
        rework += unit->rework_by_month[m];
    }
    if (late != unit->closed - unit->on_time) {
        fprintf (stderr,
                 "hotline-synth: golden line %ld (%s): the note gives %ld "
                 "late closures, but closed - on_time is %ld\n",
                 unit->line, unit->name, late, unit->closed - unit->on_time);
        return -1;
    }
    if (rework != unit->rework) {
        fprintf (stderr,
                 "hotline-synth: golden line %ld (%s): the note gives %ld "
                 "rework, but redo is %ld\n",
                 unit->line, unit->name, rework, unit->rework);
        return -1;
    }
    //  jintai's alert item is computed from closed_late, so its published
    //  alerts column should equal closed - on_time; a mismatch is the
    //  source's, and the stream follows the counters that score.
    if (alerts >= 0 && alerts != late)
        fprintf (stderr,
                 "hotline-synth: warning: golden line %ld (%s): alerts is "
                 "%ld but closed - on_time is %ld; generating %ld late "
                 "closures\n",
                 unit->line, unit->name, alerts, late, late);
    return 0;
}

static char *
s_file_read (const char *path, size_t *size)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *data = malloc (cap);
    errno = 0;
    while (data) {
        len += fread (data + len, 1, cap - len, file);
        if (len < cap)
            break;
        char *grown = realloc (data, cap * 2);
        if (!grown) {
            free (data);
            data = NULL;
            errno = ENOMEM;
        } else {
            data = grown;
            cap *= 2;
        }
    }
    if (data && ferror (file)) {
        free (data);
        data = NULL;
        errno = errno ? errno : EIO;
    }
    fclose (file);
    *size = len;
    return data;
}

/* Column names per scheme; unsatisfied and alerts are jintai's only. */
enum {
    COL_GROUP,
    COL_UNIT,
    COL_SHOULD_CLOSE,
    COL_CLOSED,
    COL_ON_TIME,
    COL_OVERDUE_RETURNS,
    COL_REWORK,
    COL_UNSATISFIED,
    COL_ALERTS,
    COL_NOTE,
    COL_COUNT
};

/* Reads the golden file into units (appended to *units). Returns 0, or -1
   after printing why. */
static int
s_golden_read (const scheme_t *scheme, const char *path, unit_t **units,
               size_t *count)
{
    const char *names[COL_COUNT] = {"group",
                                    "unit",
                                    "should_close",
                                    "closed",
                                    "on_time",
                                    "overdue_returns",
                                    scheme->has_note ? "redo" : "rework",
                                    scheme->has_note ? NULL : "unsatisfied",
                                    scheme->has_note ? NULL : "alerts",
                                    scheme->has_note ? "note" : NULL};
    int columns[COL_COUNT];
    csv_record_t header = {0}, rec = {0};
    size_t size = 0, cap = 0;
    char *buf = NULL;
    int rc = -1;
    char *data = s_file_read (path, &size);
    if (!data) {
        fprintf (stderr, "hotline-synth: cannot read %s: %s\n", path,
                 strerror (errno));
        return -1;
    }
    buf = malloc (size + 1);
    if (!buf)
        goto oom;
    //  Spreadsheets saving "UTF-8 CSV" put a byte order mark first.
    const char *pos = data, *end = data + size, *error = NULL;
    if (size >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
        pos += 3;
    long line = 1;
    int got = s_csv_read (&pos, end, &line, buf, &header, &error);
    if (got <= 0) {
        fprintf (stderr, "hotline-synth: %s: %s\n", path,
                 got == 0 ? "empty file, expected a header line" : error);
        goto cleanup;
    }
    for (size_t i = 0; i < header.count; i++)
        s_trim (header.fields[i]);
    for (int c = 0; c < COL_COUNT; c++) {
        columns[c] = names[c] ? s_column (&header, names[c]) : -1;
        if (names[c] && columns[c] < 0) {
            fprintf (stderr,
                     "hotline-synth: %s: no column \"%s\" in the header "
                     "(needed by %s)\n",
                     path, names[c], scheme->name);
            goto cleanup;
        }
    }
    while ((got = s_csv_read (&pos, end, &line, buf, &rec, &error)) > 0) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 64;
            unit_t *grown = realloc (*units, cap * sizeof *grown);
            if (!grown)
                goto oom;
            *units = grown;
        }
        unit_t *unit = &(*units)[*count];
        memset (unit, 0, sizeof *unit);
        const char *cells[COL_COUNT] = {NULL};
        for (int c = 0; c < COL_COUNT; c++)
            if (columns[c] >= 0)
                cells[c] = (size_t)columns[c] < rec.count
                               ? s_trim (rec.fields[columns[c]])
                               : "";
        unit->name = strdup (cells[COL_UNIT]);
        unit->group = strdup (cells[COL_GROUP]);
        if (!unit->name || !unit->group) {
            free (unit->name);
            free (unit->group);
            goto oom;
        }
        (*count)++;
        unit->line = rec.line;
        snprintf (unit->id, sizeof unit->id, "%s%02zu", scheme->unit_prefix,
                  *count);
        unit->on_time_return = true;
        if (!*unit->name || !*unit->group) {
            fprintf (stderr, "hotline-synth: %s line %ld: empty %s\n", path,
                     rec.line, *unit->name ? "group" : "unit name");
            goto cleanup;
        }
        long *targets[COL_COUNT] = {[COL_SHOULD_CLOSE] = &unit->should_close,
                                    [COL_CLOSED] = &unit->closed,
                                    [COL_ON_TIME] = &unit->on_time,
                                    [COL_OVERDUE_RETURNS] =
                                        &unit->overdue_returns,
                                    [COL_REWORK] = &unit->rework,
                                    [COL_UNSATISFIED] = &unit->unsatisfied};
        long alerts = -1;
        targets[COL_ALERTS] = &alerts;
        for (int c = 0; c < COL_COUNT; c++) {
            if (!targets[c] || !cells[c])
                continue;
            if (s_parse_count (cells[c], targets[c])) {
                fprintf (stderr,
                         "hotline-synth: %s line %ld (%s): column %s is "
                         "\"%s\", expected a whole number from 0 to %d\n",
                         path, rec.line, unit->name, names[c], cells[c],
                         MAX_COUNT);
                goto cleanup;
            }
        }
        if (scheme->has_note) {
            if (s_note_parse (scheme, unit, cells[COL_NOTE]))
                goto cleanup;
        } else {
            unit->late_by_month[0] = unit->closed - unit->on_time;
            unit->rework_by_month[0] = unit->rework;
        }
        if (s_unit_check (scheme, unit, alerts))
            goto cleanup;
    }
    if (got < 0) {
        fprintf (stderr, "hotline-synth: %s line %ld: %s\n", path, rec.line,
                 error);
        goto cleanup;
    }
    if (*count == 0) {
        fprintf (stderr, "hotline-synth: %s: no units after the header\n",
                 path);
        goto cleanup;
    }
    rc = 0;
    goto cleanup;
oom:
    fprintf (stderr, "hotline-synth: out of memory reading %s\n", path);
cleanup:
    s_record_clear (&header);
    s_record_clear (&rec);
    free (header.fields);
    free (rec.fields);
    free (buf);
    free (data);
    return rc;
}

//  ---------------------------------------------------------------------
//  Output

/* Writes a CSV field, quoted when it holds a separator or a quote. */
static void
s_csv_write_field (FILE *out, const char *text)
{
    if (!strpbrk (text, ",\"\r\n")) {
        fputs (text, out);
        return;
    }
    fputc ('"', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc ('"', out);
        fputc (*text, out);
    }
    fputc ('"', out);
}

/* Closes `out` and reports a write error; returns 0 or -1. */
static int
s_file_close (FILE *out, const char *path)
{
    bool failed = ferror (out) != 0;
    if (fclose (out) != 0)
        failed = true;
    if (failed)
        fprintf (stderr, "hotline-synth: cannot write %s: %s\n", path,
                 strerror (errno ? errno : EIO));
    return failed ? -1 : 0;
}

static int
s_units_write (const char *path, const unit_t *units, size_t count)
{
    FILE *out = fopen (path, "w");
    if (!out) {
        fprintf (stderr, "hotline-synth: cannot create %s: %s\n", path,
                 strerror (errno));
        return -1;
    }
    fputs ("unit_id,name,group\n", out);
    for (size_t i = 0; i < count; i++) {
        s_csv_write_field (out, units[i].id);
        fputc (',', out);
        s_csv_write_field (out, units[i].name);
        fputc (',', out);
        s_csv_write_field (out, units[i].group);
        fputc ('\n', out);
    }
    return s_file_close (out, path);
}

static int
s_events_write (const char *path, const synth_t *self)
{
    FILE *out = fopen (path, "w");
    if (!out) {
        fprintf (stderr, "hotline-synth: cannot create %s: %s\n", path,
                 strerror (errno));
        return -1;
    }
    for (size_t i = 0; i < self->count; i++)
        s_event_print (out, &self->events[i], self->scheme->event_prefix,
                       i + 1);
    return s_file_close (out, path);
}

//  ---------------------------------------------------------------------
//  Command line

static void
s_usage (FILE *out)
{
    fputs (
        "usage: hotline-synth --scheme jintai-2025|fufeng-2024 --golden "
        "FILE.csv\n"
        "                     --units OUT.csv --events OUT.jsonl "
        "[--extra-small-unit]\n"
        "\n"
        "Writes a units registry (unit_id,name,group) and an event stream\n"
        "(JSON lines) that give every unit of a published scorecard exactly\n"
        "its published counters, for the acceptance tests.\n"
        "\n"
        "  --scheme S          jintai-2025 (month 2025-07) or fufeng-2024\n"
        "                      (quarter 2024-Q4, late closures and rework\n"
        "                      per month read from the note column)\n"
        "  --golden FILE       golden CSV with a header line\n"
        "  --units FILE        units CSV to write\n"
        "  --events FILE       event lines to write, sorted by time, ending\n"
        "                      with a tick at the end of the period\n"
        "  --extra-small-unit  jintai-2025 only: add J99 with 3 tickets,\n"
        "                      which the scheme must leave out (< 5)\n"
        "  --help              show this help\n",
        out);
}

int
main (int argc, char **argv)
{
    const char *scheme_name = NULL, *golden = NULL, *units_path = NULL,
               *events_path = NULL;
    bool extra_small = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char **target = NULL;
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            s_usage (stdout);
            return 0;
        }
        if (strcmp (arg, "--extra-small-unit") == 0) {
            extra_small = true;
            continue;
        }
        if (strcmp (arg, "--scheme") == 0)
            target = &scheme_name;
        else if (strcmp (arg, "--golden") == 0)
            target = &golden;
        else if (strcmp (arg, "--units") == 0)
            target = &units_path;
        else if (strcmp (arg, "--events") == 0)
            target = &events_path;
        if (!target) {
            fprintf (stderr, "hotline-synth: unknown argument \"%s\"\n", arg);
            s_usage (stderr);
            return EXIT_USAGE;
        }
        if (i + 1 >= argc || !*argv[i + 1]) {
            fprintf (stderr, "hotline-synth: %s needs a value\n", arg);
            return EXIT_USAGE;
        }
        *target = argv[++i];
    }
    const scheme_t *scheme = NULL;
    for (size_t i = 0; scheme_name && i < sizeof s_schemes / sizeof *s_schemes;
         i++)
        if (strcmp (s_schemes[i].name, scheme_name) == 0)
            scheme = &s_schemes[i];
    if (!scheme_name || !golden || !units_path || !events_path) {
        fprintf (stderr, "hotline-synth: --scheme, --golden, --units and "
                         "--events are required\n");
        s_usage (stderr);
        return EXIT_USAGE;
    }
    if (!scheme) {
        fprintf (stderr,
                 "hotline-synth: unknown scheme \"%s\" (jintai-2025 or "
                 "fufeng-2024)\n",
                 scheme_name);
        return EXIT_USAGE;
    }
    if (extra_small && scheme->months != 1) {
        fprintf (stderr,
                 "hotline-synth: --extra-small-unit is for "
                 "jintai-2025 only: %s has no minimum volume\n",
                 scheme->name);
        return EXIT_USAGE;
    }

    int rc = 1;
    unit_t *units = NULL;
    size_t count = 0;
    synth_t synth = {.scheme = scheme};
    month_plan_t plans[MAX_MONTHS];
    if (s_golden_read (scheme, golden, &units, &count))
        goto cleanup;
    if (extra_small && count >= 99) {
        fprintf (stderr,
                 "hotline-synth: %s has 99 units or more, so the "
                 "extra unit's id would collide\n",
                 golden);
        goto cleanup;
    }
    if (extra_small) {
        unit_t *grown = realloc (units, (count + 1) * sizeof *grown);
        if (!grown)
            goto oom;
        units = grown;
        unit_t *small = &units[count];
        memset (small, 0, sizeof *small);
        snprintf (small->id, sizeof small->id, "%s99", scheme->unit_prefix);
        small->name = strdup ("小样本测试单位");
        small->group = strdup ("dept");
        count++;
        if (!small->name || !small->group)
            goto oom;
        small->should_close = small->closed = small->on_time = 3;
    }

    for (size_t i = 0; i < count; i++) {
        synth.unit_tickets = 0;
        if (s_unit_plan (scheme, &units[i], plans))
            goto cleanup;
        for (int m = 0; m < scheme->months; m++)
            if (s_month_generate (&synth, &units[i], scheme->first_month + m,
                                  &plans[m]))
                goto oom;
    }
    //  The tick closes the period: overdue_open is only final once the
    //  clock has passed the end of the period.
    int last = scheme->first_month + scheme->months - 1;
    int64_t period_end = last == 12
                             ? s_local_time (scheme->year + 1, 1, 1, 0)
                             : s_local_time (scheme->year, last + 1, 1, 0);
    s_event_add (&synth, EV_TICK, period_end, "", "");
    if (synth.out_of_memory)
        goto oom;
    qsort (synth.events, synth.count, sizeof *synth.events, s_event_compare);

    if (s_units_write (units_path, units, count) ||
        s_events_write (events_path, &synth))
        goto cleanup;
    fprintf (stderr,
             "hotline-synth: %s: %zu units, %ld tickets, %zu events -> %s, "
             "%s\n",
             scheme->name, count, synth.tickets, synth.count, units_path,
             events_path);
    rc = 0;
    goto cleanup;
oom:
    fprintf (stderr, "hotline-synth: out of memory\n");
cleanup:
    for (size_t i = 0; i < count; i++) {
        free (units[i].name);
        free (units[i].group);
    }
    free (units);
    free (synth.events);
    return rc;
}
