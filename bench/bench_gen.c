/*  bench_gen: the benchmark's event stream (see bench_gen.h).

    Each ticket's whole life is drawn when it is issued, as a short list
    of pending events pushed on a min-heap ordered by (time, order of
    drawing); bench_gen_next issues tickets up to the head's time and pops
    the head. The mix, per ticket (shares as in a real district month):
      received        always; signed within 1 h of dispatch in 90 %
      contacted       90 %, 10 min to 3 h after receipt
      returned        2 %: returned within 3 h, then received by another
                      unit an hour later (a fresh dispatch and time limit)
      extended        3 %: five more days, asked the day before the limit
      closed          every ticket; 95 % before its deadline
      revisited       85 % of closures, 1 h to 2 days later; 3 %
                      unsatisfied, 4 % unresolved, 1 % ask for rework:
                      reopened an hour later with three days, closed again
    Units are drawn with a mild skew (the busiest units get about four
    times the quietest's share), channels and categories from fixed
    lists. */
#include "bench_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUTE_MS (60LL * 1000)
#define HOUR_MS   (60 * MINUTE_MS)
#define DAY_MS    (24 * HOUR_MS)

/* One pending event: what bench_gen_next turns into a proto_event_t. */
typedef struct {
    int64_t at;       /* occurred_at */
    uint64_t order;   /* tie-break: order of drawing, keeps tickets' order */
    uint64_t ticket;  /* ticket number */
    int64_t due;      /* received/extended/reopened: due_at */
    int64_t dispatch; /* received: dispatched_at */
    uint32_t unit;    /* unit index */
    uint8_t type;     /* proto_type_t */
    uint8_t channel;  /* received: index in s_channels */
    uint8_t category; /* received: index in s_categories */
    uint8_t flags;    /* G_* */
} s_pending_t;

#define G_KEY         0x01 /* received: key supervision */
#define G_REPEAT      0x02 /* received: repeat dispatch */
#define G_UNSATISFIED 0x04 /* revisited */
#define G_UNRESOLVED  0x08 /* revisited */
#define G_REWORK      0x10 /* revisited */

static const char *s_channels[] = {"phone", "phone",  "phone",  "web",
                                   "app",   "wechat", "mailbox"};
#define CHANNELS (sizeof (s_channels) / sizeof (s_channels[0]))
static const char *s_categories[] = {
    "city",      "traffic",     "housing", "labour", "health",
    "education", "environment", "market",  "water",  "social"};
#define CATEGORIES (sizeof (s_categories) / sizeof (s_categories[0]))

struct _bench_gen_t {
    bench_gen_options_t options; /* as given */
    char prefix[16];             /* copied */
    uint64_t state;              /* PRNG */
    s_pending_t *heap;           /* pending events, min-heap */
    size_t size, capacity;       /* heap fill and size */
    uint64_t issued;             /* tickets issued */
    uint64_t produced;           /* events handed out */
    uint64_t order;              /* drawing counter */
};

/* splitmix64: small, fast, and the same stream on every machine. */
static uint64_t
s_rand (bench_gen_t *self)
{
    uint64_t z = (self->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
s_uniform (bench_gen_t *self)
{
    return (double)(s_rand (self) >> 11) / 9007199254740992.0;
}

/* Uniform in [lo, hi). */
static int64_t
s_between (bench_gen_t *self, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(s_uniform (self) * (double)(hi - lo));
}

static bool
s_before (const s_pending_t *a, const s_pending_t *b)
{
    return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static int
s_push (bench_gen_t *self, s_pending_t item)
{
    if (self->size == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 4096;
        s_pending_t *heap = realloc (self->heap, capacity * sizeof (*heap));
        if (!heap)
            return -1;
        self->heap = heap;
        self->capacity = capacity;
    }
    item.order = self->order++;
    size_t i = self->size++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!s_before (&item, &self->heap[parent]))
            break;
        self->heap[i] = self->heap[parent];
        i = parent;
    }
    self->heap[i] = item;
    return 0;
}

static s_pending_t
s_pop (bench_gen_t *self)
{
    s_pending_t top = self->heap[0];
    s_pending_t last = self->heap[--self->size];
    size_t i = 0;
    while (true) {
        size_t child = 2 * i + 1;
        if (child >= self->size)
            break;
        if (child + 1 < self->size &&
            s_before (&self->heap[child + 1], &self->heap[child]))
            child++;
        if (!s_before (&self->heap[child], &last))
            break;
        self->heap[i] = self->heap[child];
        i = child;
    }
    if (self->size)
        self->heap[i] = last;
    return top;
}

/* A unit, with a mild skew towards the low indexes. */
static uint32_t
s_unit (bench_gen_t *self)
{
    double u = s_uniform (self);
    uint32_t unit =
        (uint32_t)((double)self->options.units * u * (0.4 + 0.6 * u));
    return unit < (uint32_t)self->options.units
               ? unit
               : (uint32_t)self->options.units - 1;
}

/* Draws one unit's handling of the ticket from receipt `at`, pushing its
   events. Returns -1 when out of memory. */
static int
s_handle (bench_gen_t *self, uint64_t ticket, uint32_t unit, int64_t at,
          bool may_return)
{
    s_pending_t e = {.ticket = ticket, .unit = unit};
    int64_t dispatch =
        at - (s_uniform (self) < 0.9 ? s_between (self, MINUTE_MS, HOUR_MS)
                                     : s_between (self, HOUR_MS, 3 * HOUR_MS));
    int64_t limit = (s_rand (self) % 3 == 0 ? 3 : 5) * DAY_MS;
    int64_t due = dispatch + limit;
    e.type = PROTO_RECEIVED;
    e.at = at;
    e.dispatch = dispatch;
    e.due = due;
    e.channel = (uint8_t)(s_rand (self) % CHANNELS);
    e.category = (uint8_t)(s_rand (self) % CATEGORIES);
    double r = s_uniform (self);
    e.flags = (uint8_t)((r < 0.02 ? G_KEY : 0) | (r > 0.97 ? G_REPEAT : 0));
    if (s_push (self, e))
        return -1;
    e.flags = 0;
    /* Contact comes first, any return or closure after it. */
    int64_t after = at;
    if (s_uniform (self) < 0.9) {
        e.type = PROTO_CONTACTED;
        e.at = at + s_between (self, 10 * MINUTE_MS, 2 * HOUR_MS);
        after = e.at;
        if (s_push (self, e))
            return -1;
    }
    if (may_return && s_uniform (self) < 0.02) {
        e.type = PROTO_RETURNED;
        e.at = after + s_between (self, 10 * MINUTE_MS, HOUR_MS);
        int64_t returned = e.at;
        if (s_push (self, e))
            return -1;
        uint32_t other = s_unit (self);
        if (other == unit)
            other = (unit + 1) % (uint32_t)self->options.units;
        return s_handle (self, ticket, other, returned + HOUR_MS, false);
    }
    if (s_uniform (self) < 0.03) {
        e.type = PROTO_EXTENDED;
        e.at = due - DAY_MS;
        due += 5 * DAY_MS;
        e.due = due;
        after = e.at;
        if (s_push (self, e))
            return -1;
    }
    int64_t closed = s_uniform (self) < 0.95
                         ? s_between (self, after + HOUR_MS, due - HOUR_MS)
                         : s_between (self, due + HOUR_MS, due + 3 * DAY_MS);
    for (int round = 0; round < 2; round++) {
        e.type = PROTO_CLOSED;
        e.at = closed;
        if (s_push (self, e))
            return -1;
        if (s_uniform (self) >= 0.85)
            return 0;
        e.type = PROTO_REVISITED;
        e.at = closed + s_between (self, HOUR_MS, 2 * DAY_MS);
        double v = s_uniform (self);
        e.flags = (uint8_t)((v < 0.03 ? G_UNSATISFIED : 0) |
                            (s_uniform (self) < 0.04 ? G_UNRESOLVED : 0) |
                            (round == 0 && v < 0.01 ? G_REWORK : 0));
        if (s_push (self, e))
            return -1;
        if (!(e.flags & G_REWORK))
            return 0;
        e.flags = 0;
        e.type = PROTO_REOPENED;
        e.at += HOUR_MS;
        e.due = e.at + 3 * DAY_MS;
        if (s_push (self, e))
            return -1;
        closed = s_between (self, e.at + HOUR_MS, e.due - HOUR_MS);
    }
    return 0;
}

/* Issue time of ticket number n (0-based). */
static int64_t
s_issue_at (const bench_gen_t *self, uint64_t n)
{
    return self->options.start +
           (int64_t)((double)self->options.span_ms * (double)n /
                     (double)self->options.tickets);
}

bench_gen_t *
bench_gen_new (const bench_gen_options_t *options)
{
    if (options->units < 1 || options->units > 99999)
        return NULL;
    bench_gen_t *self = calloc (1, sizeof (*self));
    if (!self)
        return NULL;
    self->options = *options;
    snprintf (self->prefix, sizeof (self->prefix), "%s",
              options->prefix ? options->prefix : "");
    self->options.prefix = self->prefix;
    self->state = options->seed ^ 0x5DEECE66DULL;
    return self;
}

void
bench_gen_destroy (bench_gen_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->heap);
    free (*self_p);
    *self_p = NULL;
}

bool
bench_gen_next (bench_gen_t *self, proto_event_t *event)
{
    /* Issue every ticket received before the earliest pending event. */
    while (self->issued < self->options.tickets &&
           (self->size == 0 ||
            s_issue_at (self, self->issued) <= self->heap[0].at)) {
        uint64_t n = self->issued++;
        if (s_handle (self, n, s_unit (self), s_issue_at (self, n), true))
            return false;
    }
    if (self->size == 0)
        return false;
    s_pending_t e = s_pop (self);
    memset (event, 0, sizeof (*event));
    event->type = (proto_type_t)e.type;
    snprintf (event->event_id, sizeof (event->event_id), "E%s%012llu",
              self->prefix, (unsigned long long)self->produced);
    snprintf (event->ticket_id, sizeof (event->ticket_id), "T%s%012llu",
              self->prefix, (unsigned long long)e.ticket);
    snprintf (event->unit_id, sizeof (event->unit_id), "U%04u", e.unit + 1);
    event->occurred_at = e.at;
    if (self->options.time_limits &&
        (e.type == PROTO_RECEIVED || e.type == PROTO_EXTENDED ||
         e.type == PROTO_REOPENED)) {
        /* From dispatch (an extension's limit too), or the reopening. */
        int64_t from = e.type == PROTO_REOPENED ? e.at : e.dispatch;
        snprintf (event->time_limit, sizeof (event->time_limit), "%lldwd",
                  (long long)((e.due - from + DAY_MS / 2) / DAY_MS));
    }
    switch (e.type) {
    case PROTO_RECEIVED:
        event->dispatched_at = e.dispatch;
        event->due_at = event->time_limit[0] ? 0 : e.due;
        snprintf (event->channel, sizeof (event->channel), "%s",
                  s_channels[e.channel]);
        snprintf (event->category, sizeof (event->category), "%s",
                  s_categories[e.category]);
        event->key_supervision = (e.flags & G_KEY) != 0;
        event->repeat_dispatch = (e.flags & G_REPEAT) != 0;
        break;
    case PROTO_RETURNED:
        snprintf (event->reason, sizeof (event->reason), "not ours");
        break;
    case PROTO_EXTENDED:
    case PROTO_REOPENED:
        event->due_at = event->time_limit[0] ? 0 : e.due;
        break;
    case PROTO_REVISITED:
        event->satisfaction = (e.flags & G_UNSATISFIED) ? PROTO_SAT_UNSATISFIED
                                                        : PROTO_SAT_SATISFIED;
        event->resolved =
            (e.flags & G_UNRESOLVED) ? PROTO_RES_NO : PROTO_RES_YES;
        event->rework = (e.flags & G_REWORK) != 0;
        break;
    default:
        break;
    }
    self->produced++;
    return true;
}

uint64_t
bench_gen_events (const bench_gen_t *self)
{
    return self->produced;
}

uint64_t
bench_gen_tickets (const bench_gen_t *self)
{
    return self->issued;
}

proto_event_t *
bench_gen_all (const bench_gen_options_t *options, size_t *count)
{
    *count = 0;
    bench_gen_t *gen = bench_gen_new (options);
    if (!gen)
        return NULL;
    size_t capacity = (size_t)options->tickets * 5 + 16;
    proto_event_t *events = malloc (capacity * sizeof (*events));
    while (events) {
        if (*count == capacity) {
            capacity *= 2;
            proto_event_t *more = realloc (events, capacity * sizeof (*more));
            if (!more) {
                free (events);
                events = NULL;
                break;
            }
            events = more;
        }
        if (!bench_gen_next (gen, &events[*count]))
            break;
        (*count)++;
    }
    bench_gen_destroy (&gen);
    if (!events)
        *count = 0;
    return events;
}

proto_unit_t *
bench_gen_units (int units)
{
    proto_unit_t *list =
        calloc ((size_t)(units > 0 ? units : 1), sizeof (*list));
    for (int u = 0; list && u < units; u++) {
        snprintf (list[u].unit_id, sizeof (list[u].unit_id), "U%04d", u + 1);
        snprintf (list[u].name, sizeof (list[u].name), "单位%04d", u + 1);
        snprintf (list[u].group, sizeof (list[u].group), "%s",
                  (u + 1) % 10 == 0 ? "dept" : "town");
    }
    return list;
}
