/*  hotline-synth: turns a published scorecard (a golden CSV) into a units
    registry and an event stream that gives every unit exactly the published
    counters. The acceptance test feeds both to the real daemon and compares
    its report with the golden file cell by cell (docs/scoring.md section 5).

    Every ticket follows one fixed, simple timetable so that its counters can
    be read off the plan: dispatched 09:00, signed 09:10, contacted 09:40, due
    three days later at 18:00, closed on time the next day at 15:00 or late
    at 20:00 on the due day. Tickets start on days 1 to (last day - 3) of
    their month, so every event and every deadline stays inside the month.

    Events, the units CSV and the command line go through gen.h, the
    writer hotline-gen uses too; gen_golden.c reads the golden file.
*/
#include "gen_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM "hotline-synth"

/* Seconds past midnight of a clock time. */
#define HM(h, m) ((h)*3600 + (m)*60)

static const gen_scheme_t s_schemes[] = {
    {"jintai-2025", "J", "jintai-", 2025, 7, 1, false},
    {"fufeng-2024", "F", "fufeng-", 2024, 10, 3, true},
};

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
    const gen_scheme_t *scheme; /* the period being generated */
    gen_events_t *events;       /* every event so far, owned */
    long tickets;               /* tickets created */
    long unit_tickets;          /* tickets created for the current unit */
} synth_t;

/* Adds an event that carries nothing but its ticket. */
static void
s_event_add (synth_t *self, proto_type_t type, int64_t at, const char *unit_id,
             const char *ticket_id)
{
    proto_event_t ev;
    gen_event_init (&ev, type, at, unit_id, ticket_id);
    gen_events_add (self->events, &ev);
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
s_ticket_open (synth_t *self, const gen_golden_unit_t *unit, int month, int day,
               bool contact, char *ticket_id, size_t size)
{
    static const char *const categories[] = {
        "property",  "traffic",  "social_security", "environment",
        "education", "consumer", "housing",         "other"};
    const gen_scheme_t *scheme = self->scheme;
    long number = ++self->tickets;
    snprintf (ticket_id, size, "%s-T%04ld", unit->id, ++self->unit_tickets);

    int64_t dispatched = gen_local_time (scheme->year, month, day, HM (9, 0));
    proto_event_t ev;
    gen_event_init (&ev, PROTO_RECEIVED, dispatched + 10 * 60, unit->id,
                    ticket_id);
    ev.dispatched_at = gen_ms (dispatched);
    ev.due_at =
        gen_ms (gen_local_time (scheme->year, month, day + 3, HM (18, 0)));
    //  A few other channels so channel splits are not empty; which ones
    //  does not matter to any counter the golden files publish.
    snprintf (ev.channel, sizeof ev.channel, "%s",
              number % 20 == 7    ? "mayor_mailbox"
              : number % 20 == 13 ? "web"
              : number % 20 == 17 ? "wechat"
                                  : "hotline");
    snprintf (ev.category, sizeof ev.category, "%s", categories[number % 8]);
    gen_events_add (self->events, &ev);
    if (contact)
        s_event_add (self, PROTO_CONTACTED, dispatched + 40 * 60, unit->id,
                     ticket_id);
    return dispatched;
}

static void
s_revisit_add (synth_t *self, const gen_golden_unit_t *unit,
               const char *ticket_id, int64_t at, revisit_t revisit)
{
    proto_event_t ev;
    gen_event_init (&ev, PROTO_REVISITED, at, unit->id, ticket_id);
    ev.satisfaction = revisit == REVISIT_SATISFIED     ? PROTO_SAT_SATISFIED
                      : revisit == REVISIT_UNSATISFIED ? PROTO_SAT_UNSATISFIED
                                                       : PROTO_SAT_BASIC;
    ev.resolved = revisit == REVISIT_SATISFIED     ? PROTO_RES_YES
                  : revisit == REVISIT_UNSATISFIED ? PROTO_RES_NO
                                                   : PROTO_RES_PARTLY;
    ev.rework = revisit == REVISIT_REWORK;
    gen_events_add (self->events, &ev);
}

/* A ticket closed in the month, on time or late, then revisited. A rework
   ticket is closed a second time with the same timeliness as the first, so
   that its latest closure (the one the engine judges) keeps the plan's
   on-time count. */
static void
s_ticket_closed (synth_t *self, const gen_golden_unit_t *unit, int month,
                 int day, bool on_time, revisit_t revisit)
{
    const gen_scheme_t *scheme = self->scheme;
    int last_day = gen_days_in_month (scheme->year, month);
    char ticket_id[32];
    int64_t dispatched = s_ticket_open (self, unit, month, day, true, ticket_id,
                                        sizeof ticket_id);
    int64_t midnight = dispatched - HM (9, 0);
    int64_t closed_at = on_time ? midnight + 86400 + HM (15, 0)
                                : midnight + 3 * 86400 + HM (20, 0);
    s_event_add (self, PROTO_CLOSED, closed_at, unit->id, ticket_id);
    if (revisit == REVISIT_NONE)
        return;

    //  The revisit of a late ticket happens the same evening: its due day
    //  may be the last day of the month.
    int64_t revisit_at =
        on_time ? midnight + 2 * 86400 + HM (10, 0) : closed_at + 30 * 60;
    s_revisit_add (self, unit, ticket_id, revisit_at, revisit);
    if (revisit != REVISIT_REWORK)
        return;

    //  On time: two days to redo it, but never past the month: a
    //  deadline in the next period would be counted there if the ticket
    //  stayed open. Late: an hour, missed by half an hour.
    int due_day = day + 4 > last_day ? last_day : day + 4;
    proto_event_t ev;
    gen_event_init (&ev, PROTO_REOPENED, revisit_at + 5 * 60, unit->id,
                    ticket_id);
    ev.due_at = gen_ms (
        on_time ? gen_local_time (scheme->year, month, due_day, HM (18, 0))
                : revisit_at + 60 * 60);
    gen_events_add (self->events, &ev);
    s_event_add (self, PROTO_CLOSED,
                 on_time ? midnight + 3 * 86400 + HM (15, 0)
                         : revisit_at + 90 * 60,
                 unit->id, ticket_id);
}

/* A returned ticket: late when more than 2 h after dispatch. */
static void
s_ticket_returned (synth_t *self, const gen_golden_unit_t *unit, int month,
                   int day, bool late)
{
    char ticket_id[32];
    int64_t dispatched = s_ticket_open (self, unit, month, day, late, ticket_id,
                                        sizeof ticket_id);
    proto_event_t ev;
    gen_event_init (&ev, PROTO_RETURNED, dispatched + (late ? 180 : 30) * 60,
                    unit->id, ticket_id);
    snprintf (ev.reason, sizeof ev.reason, "not our jurisdiction");
    gen_events_add (self->events, &ev);
}

/* Generates one unit's month. Returns 0, or -1 when out of memory. */
static int
s_month_generate (synth_t *self, const gen_golden_unit_t *unit, int month,
                  const month_plan_t *plan)
{
    int last_day = gen_days_in_month (self->scheme->year, month) - 3;
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
s_unit_plan (const gen_scheme_t *scheme, const gen_golden_unit_t *unit,
             month_plan_t *plans)
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
//  Output and command line

static int
s_units_write (const char *path, const gen_golden_unit_t *units, size_t count)
{
    gen_unit_t *rows = calloc (count, sizeof *rows);
    if (!rows) {
        fprintf (stderr, "hotline-synth: out of memory\n");
        return -1;
    }
    for (size_t i = 0; i < count; i++)
        rows[i] = (gen_unit_t){units[i].id, units[i].name, units[i].group};
    int rc = gen_units_write (PROGRAM, path, rows, count);
    free (rows);
    return rc;
}

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
        "  --help              show this help\n"
        "  --version           show the version\n",
        out);
}

/* The scheme named on the command line, or NULL after saying why. */
static const gen_scheme_t *
s_scheme_find (const char *name, bool extra_small)
{
    const gen_scheme_t *scheme = NULL;
    for (size_t i = 0; i < sizeof s_schemes / sizeof *s_schemes; i++)
        if (strcmp (s_schemes[i].name, name) == 0)
            scheme = &s_schemes[i];
    if (!scheme)
        fprintf (stderr,
                 "hotline-synth: unknown scheme \"%s\" (jintai-2025 or "
                 "fufeng-2024)\n",
                 name);
    else if (extra_small && scheme->months != 1) {
        fprintf (stderr,
                 "hotline-synth: --extra-small-unit is for "
                 "jintai-2025 only: %s has no minimum volume\n",
                 scheme->name);
        scheme = NULL;
    }
    return scheme;
}

/* Appends unit 99 with 3 tickets closed on time, under the scheme's
   minimum volume. Returns 0, or -1 after saying why. */
static int
s_extra_small_add (const gen_scheme_t *scheme, const char *golden,
                   gen_golden_unit_t **units, size_t *count)
{
    if (*count >= 99) {
        fprintf (stderr,
                 "hotline-synth: %s has 99 units or more, so the "
                 "extra unit's id would collide\n",
                 golden);
        return -1;
    }
    gen_golden_unit_t *grown = realloc (*units, (*count + 1) * sizeof *grown);
    if (!grown) {
        fprintf (stderr, "hotline-synth: out of memory\n");
        return -1;
    }
    *units = grown;
    gen_golden_unit_t *small = &grown[(*count)++];
    memset (small, 0, sizeof *small);
    snprintf (small->id, sizeof small->id, "%s99", scheme->unit_prefix);
    small->name = strdup ("小样本测试单位");
    small->group = strdup ("dept");
    if (!small->name || !small->group) {
        fprintf (stderr, "hotline-synth: out of memory\n");
        return -1;
    }
    small->should_close = small->closed = small->on_time = 3;
    return 0;
}

/* Plans and generates every unit's tickets, then the tick that closes
   the period: overdue_open is only final once the clock has passed its
   end. Returns 0, or -1 after saying why. */
static int
s_synthesise (synth_t *synth, const gen_golden_unit_t *units, size_t count)
{
    const gen_scheme_t *scheme = synth->scheme;
    month_plan_t plans[GEN_MAX_MONTHS];
    for (size_t i = 0; i < count; i++) {
        synth->unit_tickets = 0;
        if (s_unit_plan (scheme, &units[i], plans))
            return -1;
        for (int m = 0; m < scheme->months; m++)
            if (s_month_generate (synth, &units[i], scheme->first_month + m,
                                  &plans[m])) {
                fprintf (stderr, "hotline-synth: out of memory\n");
                return -1;
            }
    }
    int64_t period_end = gen_month_after (scheme->year, scheme->first_month +
                                                            scheme->months - 1);
    s_event_add (synth, PROTO_TICK, period_end, NULL, NULL);
    return 0;
}

int
main (int argc, char **argv)
{
    const char *scheme_name = NULL, *golden = NULL, *units_path = NULL,
               *events_path = NULL;
    bool extra_small = false;
    const gen_option_t options[] = {{"--scheme", &scheme_name, NULL},
                                    {"--golden", &golden, NULL},
                                    {"--units", &units_path, NULL},
                                    {"--events", &events_path, NULL},
                                    {"--extra-small-unit", NULL, &extra_small},
                                    {NULL, NULL, NULL}};
    gen_args_t args = gen_args_parse (PROGRAM, argc, argv, options, s_usage);
    if (args != GEN_ARGS_RUN)
        return args == GEN_ARGS_DONE ? 0 : GEN_EXIT_USAGE;
    if (!scheme_name || !golden || !units_path || !events_path) {
        fprintf (stderr, "hotline-synth: --scheme, --golden, --units and "
                         "--events are required\n");
        s_usage (stderr);
        return GEN_EXIT_USAGE;
    }
    const gen_scheme_t *scheme = s_scheme_find (scheme_name, extra_small);
    if (!scheme)
        return GEN_EXIT_USAGE;

    int rc = 1;
    gen_golden_unit_t *units = NULL;
    size_t count = 0;
    synth_t synth = {.scheme = scheme, .events = gen_events_new ()};
    if (!synth.events) {
        fprintf (stderr, "hotline-synth: out of memory\n");
        goto cleanup;
    }
    if (gen__golden_read (scheme, golden, &units, &count) ||
        (extra_small && s_extra_small_add (scheme, golden, &units, &count)) ||
        s_synthesise (&synth, units, count) ||
        s_units_write (units_path, units, count) ||
        gen_events_write (synth.events, PROGRAM, events_path,
                          scheme->event_prefix))
        goto cleanup;
    fprintf (stderr,
             "hotline-synth: %s: %zu units, %ld tickets, %zu events -> %s, "
             "%s\n",
             scheme->name, count, synth.tickets,
             gen_events_count (synth.events), units_path, events_path);
    rc = 0;
cleanup:
    for (size_t i = 0; i < count; i++) {
        free (units[i].name);
        free (units[i].group);
    }
    free (units);
    gen_events_destroy (&synth.events);
    return rc;
}
