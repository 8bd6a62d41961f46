/*  state_worktime: deadlines, windows and warnings in working time
    (state_internal.h, docs/calendar.md).

    Everything here is measured once, when the event that needs it is
    applied, in O(days spanned): the instants it gives (a deadline, a
    warning) go into the deadline index and the ticket, so advancing the
    clock never walks the calendar. A year the calendar lacks is an
    error for a time limit and a window (what they decide is counted);
    for a warning, which counts nothing, the wall-time share stands in. */
#include "state_internal.h"

#include <stdio.h>
#include <string.h>

/* Why a measure needs a year the calendar lacks, and what to do. */
static void
s_missing (const state_calendar_t *cal, char *reason, const char *what,
           int year)
{
    snprintf (reason, PROTO_ERROR_MAX,
              "%s needs %d of the calendar %s, which lacks it: import that "
              "year (hotline calendar import FILE) and send the event again",
              what, year, state__calendar_id (cal));
}

int
state__limit_due (const state_calendar_t *cal, const char *time_limit,
                  int64_t from, int64_t *due, bool *wall, char *reason)
{
    proto_limit_t limit;
    *due = 0;
    *wall = false;
    if (proto_limit_parse (time_limit, &limit) != 0) {
        snprintf (reason, PROTO_ERROR_MAX, "time_limit \"%s\" does not parse",
                  time_limit);
        return -1;
    }
    char what[32];
    snprintf (what, sizeof (what), "time_limit %s", time_limit);
    *wall = limit.unit == PROTO_LIMIT_HOURS;
    if (*wall)
        *due = from + limit.count * PROTO_HOUR_MS;
    else if (!state_calendar_working (cal)) {
        snprintf (reason, PROTO_ERROR_MAX,
                  "%s is in working time, but calendar = none: give due_at "
                  "or a limit in hours (\"72h\")",
                  what);
        return -1;
    } else {
        const calendar_hours_t *hours;
        const calendar_t *days = state__calendar_days (cal, &hours);
        int missing = 0;
        int rc = limit.unit == PROTO_LIMIT_WORKING_DAYS
                     ? calendar_days_add (days, hours, from, limit.count, due,
                                          &missing)
                     : calendar_work_add (days, hours, from,
                                          limit.count * PROTO_HOUR_MS, due,
                                          &missing);
        if (rc != CALENDAR_OK) {
            s_missing (cal, reason, what, missing);
            return -1;
        }
    }
    if (*due >= PROTO_TIME_MAX) {
        snprintf (reason, PROTO_ERROR_MAX, "%s ends after 2099", what);
        return -1;
    }
    return 0;
}

int
state__window_late (const state_calendar_t *cal, state_window_t window,
                    int64_t from, int64_t at, char *reason)
{
    static const char *names[STATE_WINDOWS] = {
        "the sign window", "the contact window", "the return window"};
    bool working;
    int64_t length = state_calendar_window (cal, window, &working);
    int64_t span = 0;
    int missing = 0;
    if (state_calendar_span (cal, working, from, at, &span, &missing) != 0) {
        char what[48];
        snprintf (what, sizeof (what), "%s (working hours)", names[window]);
        s_missing (cal, reason, what, missing);
        return -1;
    }
    return span > length;
}

int64_t
state__warn_instant (const state_calendar_t *cal, int64_t from, int64_t due,
                     uint64_t permille, bool wall)
{
    if (permille >= 1000 || due <= from)
        return 0; /* no warning before the deadline itself */
    int64_t at = 0;
    bool placed = false;
    if (cal && !wall && state_calendar_working (cal)) {
        const calendar_hours_t *hours;
        const calendar_t *days = state__calendar_days (cal, &hours);
        int64_t work = 0;
        int missing;
        if (calendar_work_between (days, hours, from, due, &work, &missing) ==
                CALENDAR_OK &&
            work > 0) {
            int64_t share = (int64_t)((double)work * (double)permille / 1000.0);
            placed = calendar_work_add (days, hours, from, share, &at,
                                        &missing) == CALENDAR_OK;
        }
    }
    if (!placed)
        at = from + (int64_t)((double)(due - from) * (double)permille / 1000.0);
    /* Whole seconds, as a person would state the moment. */
    return at - at % 1000;
}
