/*  hotline-gen: a realistic demo month for 金台区 (27 units, 11 towns and 16
    departments, with the names and roughly the volumes of the 2025-07
    bulletin), written as a units registry and a time-sorted event stream.

    The output depends only on the arguments: a splitmix64 generator seeded
    from --seed drives every choice, each ticket draws from its own stream
    (so one ticket's choices never shift another's), and no libm function
    whose last bit may differ between C libraries is used.

    Events, the units CSV and the command line go through gen.h, the
    writer hotline-synth uses too.
*/
#include "gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM "hotline-gen"

#define TZ_OFFSET GEN_TZ_OFFSET
#define MINUTE    60
#define HOUR      3600
#define DAY       GEN_DAY
#define MAX_SCALE 100.0 /* 100 times the bulletin is ~250k tickets */

/* Seconds past midnight of a clock time. */
#define HM(h, m) ((h)*HOUR + (m)*MINUTE)

typedef struct {
    const char *id;       /* unit_id */
    const char *name;     /* as in the 2025-07 bulletin */
    const char *group;    /* town or dept */
    int volume;           /* tickets closed in the bulletin's month */
    const char *category; /* the unit's most common subject code */
} s_unit_t;

/* The bulletin's units in its order. Names hold no commas or quotes, so
   they are written to the CSV as they are. */
static const s_unit_t s_units[] = {
    {"J01", "群众路街道办事处", "town", 132, "property"},
    {"J02", "西关街道办事处", "town", 128, "property"},
    {"J03", "卧龙寺街道办事处", "town", 119, "housing"},
    {"J04", "中山东路街道办事处", "town", 66, "property"},
    {"J05", "陈仓镇", "town", 182, "environment"},
    {"J06", "十里铺街道办事处", "town", 63, "property"},
    {"J07", "东风路街道办事处", "town", 60, "housing"},
    {"J08", "蟠龙镇", "town", 42, "environment"},
    {"J09", "金河镇", "town", 40, "agriculture"},
    {"J10", "中山西路街道办事处", "town", 38, "property"},
    {"J11", "硖石镇", "town", 27, "agriculture"},
    {"J12", "区城市管理执法局", "dept", 363, "environment"},
    {"J13", "区人力资源和社会保障局", "dept", 268, "social_security"},
    {"J14", "区市场监督管理局", "dept", 245, "consumer"},
    {"J15", "市公安局金台分局", "dept", 79, "public_security"},
    {"J16", "区教育体育局", "dept", 76, "education"},
    {"J17", "区卫生健康局", "dept", 43, "health"},
    {"J18", "区住房和城乡建设局", "dept", 105, "housing"},
    {"J19", "市生态环境局金台分局", "dept", 25, "environment"},
    {"J20", "市自然资源和规划局金台分局", "dept", 18, "land"},
    {"J21", "区林业局", "dept", 16, "environment"},
    {"J22", "区文化和旅游局", "dept", 11, "culture"},
    {"J23", "区商务局", "dept", 10, "consumer"},
    {"J24", "区农业农村局", "dept", 9, "agriculture"},
    {"J25", "区行政审批服务局", "dept", 8, "admin_service"},
    {"J26", "区交通运输局", "dept", 7, "traffic"},
    {"J27", "区医疗保障局", "dept", 5, "medical_insurance"},
};

#define UNIT_COUNT (sizeof s_units / sizeof s_units[0])

/* Subjects any unit gets besides its own. */
static const char *const s_common_categories[] = {
    "property", "traffic", "environment", "housing", "consumer", "other"};

static const char *const s_return_reasons[] = {
    "not our jurisdiction", "should go to the town office",
    "duplicate of an earlier ticket"};

/* What the summary line reports. */
typedef struct {
    long tickets;   /* tickets received by a first unit in the month */
    long returned;  /* returns (each is dispatched again) */
    long extended;  /* extensions */
    long on_time;   /* assignments whose last closure met the deadline */
    long late;      /* assignments whose last closure missed it */
    long open;      /* assignments open at the end of the month */
    long overdue;   /* of those, past their deadline */
    long revisited; /* revisits */
    long rework;    /* revisits that sent the ticket back */
} stats_t;

typedef struct {
    uint64_t state; /* splitmix64 state */
} rng_t;

typedef struct {
    int64_t start;        /* first instant of the month */
    int64_t end;          /* first instant of the next month */
    gen_events_t *events; /* every kept event, owned */
    int total_volume;     /* sum of s_units volumes, for weighted picks */
    stats_t stats;        /* for the summary line */
} s_month_t;

/* A ticket's fixed attributes, shared by its assignments. */
typedef struct {
    char id[48];          /* ticket_id */
    const char *channel;  /* intake channel token */
    const char *category; /* subject code */
    bool key_supervision; /* 重点督办 */
    bool repeat_dispatch; /* 重复交办 */
} ticket_t;

/* A ticket before its life is drawn: who gets it first, and when. */
typedef struct {
    int64_t dispatched; /* first dispatch time */
    size_t unit;        /* index in s_units */
    size_t order;       /* creation order, the sort's tie-break */
} seed_t;

//  ---------------------------------------------------------------------
//  Random numbers: splitmix64 (Steele, Lea and Flood), the same on every
//  machine, unlike rand ()

static uint64_t
s_mix (uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A generator for one independent stream of the run's seed. */
static rng_t
s_rng_stream (uint64_t seed, uint64_t stream)
{
    rng_t rng = {s_mix (seed ^ s_mix (stream + 0x9E3779B97F4A7C15ULL))};
    return rng;
}

static uint64_t
s_rng_next (rng_t *rng)
{
    rng->state += 0x9E3779B97F4A7C15ULL;
    return s_mix (rng->state);
}

/* Uniform in [0, 1): 53 random bits, exact in a double. */
static double
s_rng_unit (rng_t *rng)
{
    return (double)(s_rng_next (rng) >> 11) / 9007199254740992.0;
}

/* Uniform integer in [lo, hi]; the modulo bias is below 2^-40 for the
   ranges used here. */
static int64_t
s_rng_range (rng_t *rng, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(s_rng_next (rng) % (uint64_t)(hi - lo + 1));
}

static bool
s_rng_chance (rng_t *rng, double p)
{
    return s_rng_unit (rng) < p;
}

//  ---------------------------------------------------------------------
//  Calendar: computed here so the output does not depend on the TZ database

/* Local (+08:00) day number and seconds past local midnight of `t`. */
static int64_t
s_local_day (int64_t t, int64_t *seconds)
{
    int64_t local = t + TZ_OFFSET;
    int64_t day = local / DAY - (local % DAY < 0);
    if (seconds)
        *seconds = local - day * DAY;
    return day;
}

/* Saturday or Sunday; 1970-01-01 was a Thursday. */
static bool
s_weekend (int64_t day)
{
    int64_t dow = ((day + 4) % 7 + 7) % 7; /* 0 = Sunday */
    return dow == 0 || dow == 6;
}

/* 18:00 on the n-th working day after the day of `t`. Public holidays are
   left out: this is demo data, and their dates change every year. */
static int64_t
s_due_after (int64_t t, int n)
{
    int64_t day = s_local_day (t, NULL);
    while (n > 0) {
        day++;
        if (!s_weekend (day))
            n--;
    }
    return day * DAY + HM (18, 0) - TZ_OFFSET;
}

/* Moves a time that falls at night to the next morning: units close and
   the platform calls back during the day. */
static int64_t
s_daytime (int64_t t, rng_t *rng)
{
    int64_t seconds;
    int64_t day = s_local_day (t, &seconds);
    if (seconds >= HM (8, 0) && seconds < HM (21, 0))
        return t;
    if (seconds >= HM (21, 0))
        day++;
    return day * DAY + HM (8, 0) + s_rng_range (rng, 0, 90 * MINUTE) -
           TZ_OFFSET;
}

//  ---------------------------------------------------------------------
//  Events

/* Starts an event of `ticket` with `unit` at `at` (seconds). */
static void
s_event (proto_event_t *ev, proto_type_t type, int64_t at, size_t unit,
         const ticket_t *ticket)
{
    gen_event_init (ev, type, at, s_units[unit].id, ticket->id);
}

/* Adds an event and tells whether it was kept. Ticket events from the
   next month are dropped: the demo shows one month, as the platform's
   feed would at its end. Ticks (no ticket) are always kept. */
static bool
s_emit (s_month_t *self, const proto_event_t *ev)
{
    if (ev->ticket_id[0] && ev->occurred_at >= gen_ms (self->end))
        return false;
    gen_events_add (self->events, ev);
    return true;
}

//  ---------------------------------------------------------------------
//  Tickets

/* Draws a unit other than `not_unit`, weighted by volume: a returned
   ticket mostly lands with a busy unit. */
static size_t
s_other_unit (const s_month_t *self, rng_t *rng, size_t not_unit)
{
    int64_t pick =
        s_rng_range (rng, 0, self->total_volume - s_units[not_unit].volume - 1);
    for (size_t i = 0; i < UNIT_COUNT; i++) {
        if (i == not_unit)
            continue;
        if (pick < s_units[i].volume)
            return i;
        pick -= s_units[i].volume;
    }
    return not_unit == 0 ? 1 : 0;
}

/* A revisit that does not send the ticket back. About 3% unsatisfied, and
   with the rework revisits about 3% unresolved, the two mostly together. */
static void
s_revisit (s_month_t *self, rng_t *rng, size_t unit, const ticket_t *ticket,
           int64_t at)
{
    proto_event_t ev;
    s_event (&ev, PROTO_REVISITED, at, unit, ticket);
    double u = s_rng_unit (rng);
    bool unsatisfied = u < 0.03;
    ev.satisfaction = unsatisfied ? PROTO_SAT_UNSATISFIED
                      : u < 0.15  ? PROTO_SAT_BASIC
                                  : PROTO_SAT_SATISFIED;
    double r = s_rng_unit (rng);
    ev.resolved = unsatisfied ? (r < 0.5 ? PROTO_RES_NO : PROTO_RES_PARTLY)
                  : r < 0.008 ? PROTO_RES_NO
                  : r < 0.058 ? PROTO_RES_PARTLY
                              : PROTO_RES_YES;
    if (s_emit (self, &ev))
        self->stats.revisited++;
}

/* A closure between `after` and `due` (on time) or after `due` (late).
   On-time closures come early more often than not (half within a third of
   the window, which is at most two days): most tickets are simple. */
static int64_t
s_close_time (rng_t *rng, int64_t after, int64_t due, bool on_time)
{
    if (!on_time)
        return s_daytime (due + s_rng_range (rng, HOUR, 48 * HOUR), rng);
    int64_t span = due - after;
    if (span > 2 * DAY)
        span = 2 * DAY;
    double u = s_rng_unit (rng);
    u *= s_rng_unit (rng);
    int64_t t =
        s_daytime (after + 20 * MINUTE + (int64_t)(u * (double)span), rng);
    if (t >= due)
        t = due - s_rng_range (rng, 5 * MINUTE, HOUR);
    //  The rare window too short for the draws above: close just after,
    //  even if that misses the deadline.
    if (t <= after)
        t = after + 10 * MINUTE;
    return t;
}

/* Counts how an assignment stands at the end of the month. */
static void
s_count_end (s_month_t *self, bool open, int64_t closed, int64_t due)
{
    if (open) {
        self->stats.open++;
        if (due < self->end)
            self->stats.overdue++;
    } else if (closed <= due)
        self->stats.on_time++;
    else
        self->stats.late++;
}

/* Sends a closed ticket back: the citizen is not satisfied and the problem
   is not solved; the unit gets three more working days and closes it again.
   Updates the ticket's state only with the events that fall in the month. */
static void
s_rework (s_month_t *self, rng_t *rng, size_t unit, const ticket_t *ticket,
          int64_t visit, bool *open, int64_t *closed, int64_t *due)
{
    proto_event_t ev;
    s_event (&ev, PROTO_REVISITED, visit, unit, ticket);
    ev.satisfaction =
        s_rng_chance (rng, 0.6) ? PROTO_SAT_UNSATISFIED : PROTO_SAT_BASIC;
    ev.resolved = PROTO_RES_NO;
    ev.rework = true;
    if (!s_emit (self, &ev))
        return;
    self->stats.revisited++;
    self->stats.rework++;

    int64_t reopened = visit + s_rng_range (rng, 2, 30) * MINUTE;
    int64_t reopened_due = s_due_after (reopened, 3);
    s_event (&ev, PROTO_REOPENED, reopened, unit, ticket);
    ev.due_at = gen_ms (reopened_due);
    if (!s_emit (self, &ev))
        return;
    *open = true;
    *due = reopened_due;
    int64_t again = s_close_time (rng, reopened, *due, true);
    s_event (&ev, PROTO_CLOSED, again, unit, ticket);
    if (!s_emit (self, &ev))
        return;
    *open = false;
    *closed = again;
    if (s_rng_chance (rng, 0.7))
        s_revisit (
            self, rng, unit, ticket,
            s_daytime (again + s_rng_range (rng, 2 * HOUR, 48 * HOUR), rng));
}

/* One unit's assignment of a ticket, from dispatch to its end. A returned
   ticket is dispatched again to another unit, which then keeps it. */
static void
s_assignment (s_month_t *self, rng_t *rng, const ticket_t *ticket, size_t unit,
              int64_t dispatched, bool first)
{
    static const int deadline_days[] = {1, 3, 3, 5, 5, 5, 15, 15};
    bool returned = first && s_rng_chance (rng, 0.02);
    bool return_late = returned && s_rng_chance (rng, 1.0 / 3.0);

    //  Signing within the hour, 5% later; a unit that will return a ticket
    //  on time has looked at it quickly.
    int64_t sign_delay = returned ? s_rng_range (rng, 2, 50) * MINUTE
                         : s_rng_chance (rng, 0.05)
                             ? s_rng_range (rng, 61, 240) * MINUTE
                             : s_rng_range (rng, 2, 55) * MINUTE;
    int64_t received = dispatched + sign_delay;
    int64_t due =
        s_due_after (dispatched, deadline_days[s_rng_range (rng, 0, 7)]);
    proto_event_t ev;
    s_event (&ev, PROTO_RECEIVED, received, unit, ticket);
    ev.dispatched_at = gen_ms (dispatched);
    ev.due_at = gen_ms (due);
    snprintf (ev.channel, sizeof ev.channel, "%s", ticket->channel);
    snprintf (ev.category, sizeof ev.category, "%s", ticket->category);
    ev.key_supervision = ticket->key_supervision;
    ev.repeat_dispatch = ticket->repeat_dispatch;
    if (!s_emit (self, &ev))
        return;
    if (first)
        self->stats.tickets++;

    if (returned) {
        int64_t at;
        if (return_late) {
            s_event (&ev, PROTO_CONTACTED,
                     received + s_rng_range (rng, 5, 60) * MINUTE, unit,
                     ticket);
            s_emit (self, &ev);
            at = dispatched + s_rng_range (rng, 125, 360) * MINUTE;
        } else
            at = received +
                 s_rng_range (rng, 5, 115 - sign_delay / MINUTE) * MINUTE;
        s_event (&ev, PROTO_RETURNED, at, unit, ticket);
        snprintf (ev.reason, sizeof ev.reason, "%s",
                  s_return_reasons[s_rng_range (rng, 0, 2)]);
        if (!s_emit (self, &ev)) {
            s_count_end (self, true, 0, due);
            return;
        }
        self->stats.returned++;
        //  One draw per statement: the order in which a call's arguments
        //  are evaluated is unspecified, and would change the output
        //  between compilers.
        size_t next = s_other_unit (self, rng, unit);
        int64_t again = at + s_rng_range (rng, 15, 180) * MINUTE;
        s_assignment (self, rng, ticket, next, again, false);
        return;
    }

    //  Contact within 2 h of signing, 10% later.
    int64_t last = received + (s_rng_chance (rng, 0.10)
                                   ? s_rng_range (rng, 125, 600) * MINUTE
                                   : s_rng_range (rng, 3, 115) * MINUTE);
    s_event (&ev, PROTO_CONTACTED, last, unit, ticket);
    s_emit (self, &ev);
    if (s_rng_chance (rng, 0.035) && due - last > 4 * HOUR) {
        last +=
            (int64_t)((0.2 + 0.4 * s_rng_unit (rng)) * (double)(due - last));
        int64_t extended_due = s_due_after (due, 5);
        s_event (&ev, PROTO_EXTENDED, last, unit, ticket);
        ev.due_at = gen_ms (extended_due);
        //  Past the month the extension did not happen, and the old
        //  deadline is the one that counts at the month's end.
        if (s_emit (self, &ev)) {
            due = extended_due;
            self->stats.extended++;
        }
    }

    //  About 0.5% stall and are never closed, and about 4% are closed late.
    //  Only a deadline inside the month can be missed inside it, so those
    //  tickets take the late share of all. Late closures and slow tickets
    //  near the end spill past it and stay open, as in any real month.
    bool open = true;
    int64_t closed = 0;
    double fate = s_rng_unit (rng);
    if (fate >= 0.005) {
        bool late = fate < 0.06 && due < self->end;
        closed = s_close_time (rng, last, due, !late);
        s_event (&ev, PROTO_CLOSED, closed, unit, ticket);
        open = !s_emit (self, &ev);
    }
    if (!open && s_rng_chance (rng, 0.85)) {
        int64_t visit =
            s_daytime (closed + s_rng_range (rng, 2 * HOUR, 48 * HOUR), rng);
        if (s_rng_chance (rng, 0.012))
            s_rework (self, rng, unit, ticket, visit, &open, &closed, &due);
        else
            s_revisit (self, rng, unit, ticket, visit);
    }
    s_count_end (self, open, closed, due);
}

/* When a ticket is dispatched: weekends get fewer tickets than weekdays,
   and most arrive in office hours. */
static int64_t
s_dispatch_time (const s_month_t *self, rng_t *rng)
{
    int64_t first = s_local_day (self->start, NULL);
    int64_t days = s_local_day (self->end, NULL) - first;
    int64_t weight = 0;
    for (int64_t d = 0; d < days; d++)
        weight += s_weekend (first + d) ? 4 : 10;
    int64_t pick = s_rng_range (rng, 0, weight - 1), day = first;
    for (int64_t d = 0; d < days; d++) {
        int64_t w = s_weekend (first + d) ? 4 : 10;
        if (pick < w) {
            day = first + d;
            break;
        }
        pick -= w;
    }
    double u = s_rng_unit (rng);
    int64_t minute;
    if (u < 0.80)
        minute = s_rng_range (rng, 8 * 60 + 30, 17 * 60 + 29);
    else if (u < 0.95)
        minute = s_rng_chance (rng, 0.4)
                     ? s_rng_range (rng, 7 * 60, 8 * 60 + 29)
                     : s_rng_range (rng, 17 * 60 + 30, 21 * 60 + 59);
    else {
        minute = s_rng_range (rng, 0, 9 * 60 - 1);
        if (minute >= 7 * 60)
            minute += 15 * 60; /* 22:00 to midnight */
    }
    return day * DAY + minute * MINUTE + s_rng_range (rng, 0, 59) - TZ_OFFSET;
}

static int
s_seed_compare (const void *a, const void *b)
{
    const seed_t *x = a, *y = b;
    return gen_order (x->dispatched, x->order, y->dispatched, y->order);
}

/* Draws the month. Returns 0, or -1 when out of memory. */
static int
s_generate (s_month_t *self, uint64_t seed, double scale, int year, int month)
{
    //  Ticks first, so that at equal times the clock moves before events.
    proto_event_t tick;
    for (int64_t t = self->start; t <= self->end; t += DAY) {
        gen_event_init (&tick, PROTO_TICK, t, NULL, NULL);
        s_emit (self, &tick);
    }

    //  Volumes and dispatch times first, then ids in dispatch order, as the
    //  platform numbers tickets when it creates them.
    size_t count = 0, cap = 0;
    seed_t *seeds = NULL;
    for (size_t u = 0; u < UNIT_COUNT; u++) {
        rng_t rng = s_rng_stream (seed, u);
        double jitter = 0.9 + 0.2 * s_rng_unit (&rng);
        long n = (long)((double)s_units[u].volume * scale * jitter + 0.5);
        for (long i = 0; i < n; i++) {
            if (count == cap) {
                cap = cap ? cap * 2 : 4096;
                seed_t *grown = realloc (seeds, cap * sizeof *grown);
                if (!grown) {
                    free (seeds);
                    return -1;
                }
                seeds = grown;
            }
            seeds[count].dispatched = s_dispatch_time (self, &rng);
            seeds[count].unit = u;
            seeds[count].order = count;
            count++;
        }
    }
    if (count)
        qsort (seeds, count, sizeof *seeds, s_seed_compare);

    for (size_t i = 0; i < count; i++) {
        rng_t rng = s_rng_stream (seed, 1000000 + (uint64_t)i);
        const s_unit_t *unit = &s_units[seeds[i].unit];
        //  Separate statements, not an initializer list: the order in which
        //  initializers are evaluated is unspecified.
        ticket_t ticket = {.key_supervision = false};
        ticket.key_supervision = s_rng_chance (&rng, 0.02);
        ticket.repeat_dispatch = s_rng_chance (&rng, 0.03);
        snprintf (ticket.id, sizeof ticket.id, "T%04d%02d-%06zu", year, month,
                  i + 1);
        double c = s_rng_unit (&rng);
        ticket.channel = c < 0.82   ? "hotline"
                         : c < 0.88 ? "mayor_mailbox"
                         : c < 0.93 ? "web"
                                    : "wechat";
        ticket.category = s_rng_chance (&rng, 0.7)
                              ? unit->category
                              : s_common_categories[s_rng_range (&rng, 0, 5)];
        s_assignment (self, &rng, &ticket, seeds[i].unit, seeds[i].dispatched,
                      true);
    }
    free (seeds);
    return 0;
}

//  ---------------------------------------------------------------------
//  Output and command line

static int
s_units_write (const char *path)
{
    gen_unit_t rows[UNIT_COUNT];
    for (size_t i = 0; i < UNIT_COUNT; i++)
        rows[i] =
            (gen_unit_t){s_units[i].id, s_units[i].name, s_units[i].group};
    return gen_units_write (PROGRAM, path, rows, UNIT_COUNT);
}

static void
s_usage (FILE *out)
{
    fputs ("usage: hotline-gen [--month YYYY-MM] [--seed N] [--scale X]\n"
           "                   --units OUT.csv --events OUT.jsonl\n"
           "\n"
           "Writes a demo month for 金台区: the 27 units of the 2025-07\n"
           "bulletin (unit_id,name,group) and their tickets' events as JSON\n"
           "lines sorted by time, with a tick at every midnight of the month\n"
           "and one at the first instant of the next. The same arguments\n"
           "always give the same files.\n"
           "\n"
           "  --month YYYY-MM  month to generate, 2000-02 to 2099-11\n"
           "                   (default 2025-07)\n"
           "  --seed N         random seed, 0 to 2^64-1 (default 1)\n"
           "  --scale X        volume factor on the bulletin's closed\n"
           "                   counts, above 0 and at most 100 (default 1)\n"
           "  --units FILE     units CSV to write\n"
           "  --events FILE    event lines to write\n"
           "  --help           show this help\n"
           "  --version        show the version\n",
           out);
}

/* Reads YYYY-MM of a month whose events the engine accepts: its times
   run from 2000-01-01 to 2100-01-01 UTC, so the first month in +08:00
   is 2000-02 (2000-01-01 00:00 local is still 1999 in UTC), and the
   last 2099-11 (the tick closing 2099-12 is at 2100-01-01 local). */
static bool
s_parse_month (const char *text, int *year, int *month)
{
    if (strlen (text) != 7 || text[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (text[i] < '0' || text[i] > '9'))
            return false;
    *year = atoi (text);
    *month = atoi (text + 5);
    return *year >= 2000 && *year <= 2099 && *month >= 1 && *month <= 12 &&
           !(*year == 2000 && *month == 1) && !(*year == 2099 && *month == 12);
}

/* Reads --seed and --scale; returns 0, or -1 after saying why. */
static int
s_parse_numbers (const char *seed_text, const char *scale_text, uint64_t *seed,
                 double *scale)
{
    char *end;
    errno = 0;
    *seed = strtoull (seed_text, &end, 10);
    if (errno || *end || *seed_text < '0' || *seed_text > '9') {
        fprintf (stderr,
                 "hotline-gen: --seed \"%s\" is not a whole number from 0 "
                 "to 18446744073709551615\n",
                 seed_text);
        return -1;
    }
    errno = 0;
    *scale = strtod (scale_text, &end);
    //  Written so that NaN fails too.
    if (errno || *end || end == scale_text || !(*scale > 0.0) ||
        !(*scale <= MAX_SCALE)) {
        fprintf (stderr,
                 "hotline-gen: --scale \"%s\" is not a number above 0 and "
                 "at most %g\n",
                 scale_text, MAX_SCALE);
        return -1;
    }
    return 0;
}

int
main (int argc, char **argv)
{
    const char *month_text = "2025-07", *seed_text = "1", *scale_text = "1",
               *units_path = NULL, *events_path = NULL;
    const gen_option_t options[] = {
        {"--month", &month_text, NULL},   {"--seed", &seed_text, NULL},
        {"--scale", &scale_text, NULL},   {"--units", &units_path, NULL},
        {"--events", &events_path, NULL}, {NULL, NULL, NULL}};
    gen_args_t args = gen_args_parse (PROGRAM, argc, argv, options, s_usage);
    if (args != GEN_ARGS_RUN)
        return args == GEN_ARGS_DONE ? 0 : GEN_EXIT_USAGE;
    if (!units_path || !events_path) {
        fprintf (stderr, "hotline-gen: --units and --events are required\n");
        s_usage (stderr);
        return GEN_EXIT_USAGE;
    }
    int year, month;
    if (!s_parse_month (month_text, &year, &month)) {
        fprintf (stderr,
                 "hotline-gen: --month \"%s\" is not YYYY-MM from 2000-02 "
                 "to 2099-11\n",
                 month_text);
        return GEN_EXIT_USAGE;
    }
    uint64_t seed;
    double scale;
    if (s_parse_numbers (seed_text, scale_text, &seed, &scale))
        return GEN_EXIT_USAGE;

    s_month_t gen = {.start = gen_local_time (year, month, 1, 0),
                     .end = gen_month_after (year, month),
                     .events = gen_events_new ()};
    for (size_t i = 0; i < UNIT_COUNT; i++)
        gen.total_volume += s_units[i].volume;

    //  Event ids carry the month ("g-202507-000001"), so months generated
    //  separately can be loaded into one daemon without colliding in its
    //  de-duplication.
    char id_prefix[16];
    snprintf (id_prefix, sizeof id_prefix, "g-%04d%02d-", year, month);
    int rc = 1;
    if (!gen.events || s_generate (&gen, seed, scale, year, month)) {
        fprintf (stderr, "hotline-gen: out of memory\n");
        goto cleanup;
    }
    if (s_units_write (units_path) ||
        gen_events_write (gen.events, PROGRAM, events_path, id_prefix))
        goto cleanup;
    const stats_t *st = &gen.stats;
    fprintf (stderr,
             "hotline-gen: %s seed %s scale %g: %zu units, %ld tickets, "
             "%zu events (%ld returned, %ld extended, %ld closed on time, "
             "%ld late, %ld open at month end of which %ld overdue, %ld "
             "revisits, %ld rework) -> %s, %s\n",
             month_text, seed_text, scale, UNIT_COUNT, st->tickets,
             gen_events_count (gen.events), st->returned, st->extended,
             st->on_time, st->late, st->open, st->overdue, st->revisited,
             st->rework, units_path, events_path);
    rc = 0;
cleanup:
    gen_events_destroy (&gen.events);
    return rc;
}
