/*  fuzz_calendar: the bytes as a calendar file for calendar_parse.

    `hotline calendar import FILE` and the daemon read calendar files that
    come from other tools or are edited by hand (docs/calendar.md), with
    the module's own JSON reader. calendar_parse must answer a calendar or
    NULL with a terminated "line N: why", and never read past `size`: the
    bytes are passed as libFuzzer gives them, unterminated, so
    AddressSanitizer sees any over-read.

    A calendar that parses is then used as the daemon uses one: every day
    of its years is looked up, each year's days listed (in date order,
    names terminated), it is merged over the shipped mainland calendar and
    a working-time walk runs across its years.
*/
#include "calendar.h"
#include "fuzz_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The shipped calendar, built once: merging into a copy of it is what an
   import does. */
static calendar_t *s_shipped;

/* Each year held: its days in date order, and a status for every day. */
static void
s_walk_years (const calendar_t *cal, int *first, int *last)
{
    *first = *last = 0;
    for (int y = calendar_next (cal, CALENDAR_YEAR_MIN - 1); y;
         y = calendar_next (cal, y)) {
        FUZZ_CHECK (y >= CALENDAR_YEAR_MIN && y <= CALENDAR_YEAR_MAX);
        FUZZ_CHECK (calendar_has (cal, y));
        *first = *first ? *first : y;
        *last = y;
        size_t count = 0;
        const calendar_day_t *days = calendar_days (cal, y, &count);
        FUZZ_CHECK ((days == NULL) == (count == 0));
        for (size_t i = 0; i < count; i++) {
            FUZZ_CHECK (memchr (days[i].name, '\0', sizeof days[i].name));
            FUZZ_CHECK (i == 0 || days[i - 1].date < days[i].date);
            int year;
            calendar_civil (days[i].date, &year, NULL, NULL);
            FUZZ_CHECK (year >= y - 1 && year <= y + 1);
        }
        for (int32_t d = calendar_date (y, 1, 1);
             d <= calendar_date (y, 12, 31); d++) {
            int rc = calendar_working_day (cal, d);
            FUZZ_CHECK (rc == 0 || rc == 1);
        }
    }
}

/* A working-time walk over the calendar's years (and the error for the
   year after them). */
static void
s_work (const calendar_t *cal, int first, int last)
{
    calendar_hours_t hours;
    char err[CALENDAR_ERR_MAX];
    FUZZ_CHECK (calendar_hours_parse ("08:30-12:00 14:00-18:00", &hours, err) ==
                0);
    int64_t from = (int64_t)calendar_date (first, 1, 1) * CALENDAR_DAY_MS -
                   CALENDAR_OFFSET_MS;
    int64_t to = (int64_t)calendar_date (last, 12, 31) * CALENDAR_DAY_MS;
    int64_t work = 0, at = 0;
    int missing = 0;
    int rc = calendar_work_between (cal, &hours, from, to, &work, &missing);
    FUZZ_CHECK (rc == CALENDAR_OK || rc == CALENDAR_MISSING);
    FUZZ_CHECK (work >= 0);
    rc = calendar_work_add (cal, &hours, from, 40LL * 3600 * 1000, &at,
                            &missing);
    FUZZ_CHECK (rc == CALENDAR_OK || rc == CALENDAR_MISSING);
    FUZZ_CHECK (rc != CALENDAR_OK || at >= from);
    rc = calendar_days_add (cal, &hours, from, 15, &at, &missing);
    FUZZ_CHECK (rc == CALENDAR_OK || rc == CALENDAR_MISSING);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_shipped) {
        char why[CALENDAR_ERR_MAX];
        s_shipped = calendar_shipped ("cn", why);
        FUZZ_CHECK (s_shipped != NULL);
    }
    char err[CALENDAR_ERR_MAX];
    memset (err, 'x', sizeof err);
    calendar_t *cal = calendar_parse ((const char *)data, size, err);
    if (!cal) {
        FUZZ_CHECK (memchr (err, '\0', sizeof err) != NULL);
        FUZZ_CHECK (strncmp (err, "line ", 5) == 0 ||
                    strncmp (err, "the file", 8) == 0);
        return 0;
    }
    int first, last;
    s_walk_years (cal, &first, &last);
    FUZZ_CHECK (first != 0);
    s_work (cal, first, last);

    calendar_t *merged = calendar_new ();
    FUZZ_CHECK (merged != NULL);
    FUZZ_CHECK (calendar_merge (merged, s_shipped) == 0);
    FUZZ_CHECK (calendar_merge (merged, cal) == 0);
    for (int y = first; y; y = calendar_next (cal, y))
        FUZZ_CHECK (calendar_has (merged, y));
    calendar_remove (merged, first);
    FUZZ_CHECK (!calendar_has (merged, first));
    calendar_destroy (&merged);
    calendar_destroy (&cal);
    FUZZ_CHECK (cal == NULL);
    return 0;
}
