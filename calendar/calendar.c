/*  calendar: years, days and dates (calendar.h).

    A calendar keeps each year's notice as the file gave it (its days, in
    date order) and, derived from all of them, one status byte per day of
    2000-2099: unknown, working or off. The bytes are rebuilt whenever the
    years change (36,525 days and the notices' few dozen days each: tens
    of microseconds), so that a lookup, the inner step of every working-
    time walk, is one array read. */
#include "calendar_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_YEARS (CALENDAR_YEAR_MAX - CALENDAR_YEAR_MIN + 1)
#define S_DAYS  36525 /* 2000-01-01 .. 2099-12-31 */

enum { S_UNKNOWN = 0, S_WORKING = 1, S_OFF = 2 };

typedef struct {
    bool present;         /* the year's notice is held */
    calendar_day_t *days; /* the days it names, in date order */
    size_t count;         /* how many */
} s_year_t;

struct _calendar_t {
    s_year_t years[S_YEARS]; /* by year - CALENDAR_YEAR_MIN */
    uint8_t status[S_DAYS];  /* by day since 2000-01-01: S_* */
};

/* ---- dates ------------------------------------------------------------ */

static bool
s_leap (int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Days of the year before the first of each month (a common year). */
static const int s_before_month[12] = {0,   31,  59,  90,  120, 151,
                                       181, 212, 243, 273, 304, 334};

/* Leap years from year 1 up to, not including, `year`. */
static int32_t
s_leaps_before (int year)
{
    int y = year - 1;
    return y / 4 - y / 100 + y / 400;
}

/* Days since 1970-01-01 of the first of January of `year` (>= 1970). */
static int32_t
s_year_start (int year)
{
    return 365 * (year - 1970) + s_leaps_before (year) - s_leaps_before (1970);
}

/* Days of the year before the first of `month` (1-12). */
static int32_t
s_month_start (int year, int month)
{
    return s_before_month[month - 1] + (month > 2 && s_leap (year));
}

int32_t
calendar_date (int year, int month, int day)
{
    if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1)
        return -1;
    int32_t days_in_month = month == 12 ? 31
                                        : s_month_start (year, month + 1) -
                                              s_month_start (year, month);
    if (day > days_in_month)
        return -1;
    return s_year_start (year) + s_month_start (year, month) + day - 1;
}

void
calendar_civil (int32_t date, int *year, int *month, int *day)
{
    /* No year has more than 366 days: start below and walk up. */
    int y = 1970 + (date > 0 ? date / 366 : 0);
    while (s_year_start (y + 1) <= date)
        y++;
    int32_t doy = date - s_year_start (y);
    int m = 12;
    while (m > 1 && s_month_start (y, m) > doy)
        m--;
    if (year)
        *year = y;
    if (month)
        *month = m;
    if (day)
        *day = (int)(doy - s_month_start (y, m)) + 1;
}

int32_t
calendar_day_of (int64_t ms)
{
    int64_t local = ms + CALENDAR_OFFSET_MS;
    int64_t day = local / CALENDAR_DAY_MS;
    if (local % CALENDAR_DAY_MS < 0)
        day--;
    return (int32_t)day;
}

char *
calendar_date_format (int32_t date, char *buf)
{
    int y, m, d;
    calendar_civil (date, &y, &m, &d);
    snprintf (buf, 11, "%04d-%02d-%02d", y % 10000, m, d);
    return buf;
}

/* ---- the calendar ----------------------------------------------------- */

calendar_t *
calendar_new (void)
{
    return calloc (1, sizeof (calendar_t));
}

void
calendar_destroy (calendar_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    calendar_t *self = *self_p;
    for (int i = 0; i < S_YEARS; i++)
        free (self->years[i].days);
    free (self);
    *self_p = NULL;
}

static s_year_t *
s_year (const calendar_t *self, int year)
{
    if (year < CALENDAR_YEAR_MIN || year > CALENDAR_YEAR_MAX)
        return NULL;
    return (s_year_t *)&self->years[year - CALENDAR_YEAR_MIN];
}

/* Marks the days of year `year` named by notice `from` (when held). */
static void
s_overlay (calendar_t *self, int year, int from)
{
    const s_year_t *notice = s_year (self, from);
    if (!notice || !notice->present)
        return;
    int32_t first = s_year_start (year), next = s_year_start (year + 1);
    int32_t base = s_year_start (CALENDAR_YEAR_MIN);
    for (size_t i = 0; i < notice->count; i++) {
        int32_t date = notice->days[i].date;
        if (date >= first && date < next)
            self->status[date - base] = notice->days[i].off ? S_OFF : S_WORKING;
    }
}

/* Derives the status of the days of years lo..hi (clamped) from the
   notices held: a notice changed in year Y touches Y - 1 .. Y + 1. */
static void
s_refresh (calendar_t *self, int lo, int hi)
{
    int32_t base = s_year_start (CALENDAR_YEAR_MIN);
    lo = lo < CALENDAR_YEAR_MIN ? CALENDAR_YEAR_MIN : lo;
    hi = hi > CALENDAR_YEAR_MAX ? CALENDAR_YEAR_MAX : hi;
    for (int year = lo; year <= hi; year++) {
        int32_t first = s_year_start (year), next = s_year_start (year + 1);
        bool known = s_year (self, year)->present;
        for (int32_t date = first; date < next; date++) {
            /* 1970-01-01 was a Thursday: (date + 4) % 7 is 0 on Sundays. */
            int weekday = (int)((date + 4) % 7);
            self->status[date - base] = !known ? S_UNKNOWN
                                        : weekday == 0 || weekday == 6
                                            ? S_OFF
                                            : S_WORKING;
        }
        if (!known)
            continue;
        /* The neighbours first: the day's own notice has the last word. */
        s_overlay (self, year, year - 1);
        s_overlay (self, year, year + 1);
        s_overlay (self, year, year);
    }
}

int
calendar_merge (calendar_t *self, const calendar_t *from)
{
    s_year_t copies[S_YEARS];
    memset (copies, 0, sizeof (copies));
    for (int i = 0; i < S_YEARS; i++) {
        const s_year_t *y = &from->years[i];
        if (!y->present || !y->count)
            continue;
        copies[i].days = malloc (y->count * sizeof (calendar_day_t));
        if (!copies[i].days) {
            for (int k = 0; k < i; k++)
                free (copies[k].days);
            return -1;
        }
        memcpy (copies[i].days, y->days, y->count * sizeof (calendar_day_t));
    }
    int lo = CALENDAR_YEAR_MAX, hi = CALENDAR_YEAR_MIN;
    for (int i = 0; i < S_YEARS; i++) {
        if (!from->years[i].present)
            continue;
        free (self->years[i].days);
        self->years[i] = (s_year_t){true, copies[i].days,
                                    copies[i].days ? from->years[i].count : 0};
        lo = lo < CALENDAR_YEAR_MIN + i ? lo : CALENDAR_YEAR_MIN + i;
        hi = hi > CALENDAR_YEAR_MIN + i ? hi : CALENDAR_YEAR_MIN + i;
    }
    s_refresh (self, lo - 1, hi + 1);
    return 0;
}

void
calendar_remove (calendar_t *self, int year)
{
    s_year_t *y = s_year (self, year);
    if (!y || !y->present)
        return;
    free (y->days);
    memset (y, 0, sizeof (*y));
    s_refresh (self, year - 1, year + 1);
}

bool
calendar_has (const calendar_t *self, int year)
{
    const s_year_t *y = s_year (self, year);
    return y && y->present;
}

int
calendar_next (const calendar_t *self, int after)
{
    for (int year = after + 1; year <= CALENDAR_YEAR_MAX; year++)
        if (calendar_has (self, year))
            return year;
    return 0;
}

const calendar_day_t *
calendar_days (const calendar_t *self, int year, size_t *count)
{
    const s_year_t *y = s_year (self, year);
    *count = y && y->present ? y->count : 0;
    return *count ? y->days : NULL;
}

int
calendar_working_day (const calendar_t *self, int32_t date)
{
    int32_t index = date - s_year_start (CALENDAR_YEAR_MIN);
    if (index < 0 || index >= S_DAYS)
        return CALENDAR_MISSING;
    uint8_t status = self->status[index];
    return status == S_UNKNOWN ? CALENDAR_MISSING : status == S_WORKING;
}

/* ---- building from a file's days -------------------------------------- */

static int
s_by_year_and_date (const void *a, const void *b)
{
    const calendar__entry_t *x = a, *y = b;
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    if (x->day.date != y->day.date)
        return x->day.date < y->day.date ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Checks the years and the entries against them; err on the first
   fault, by line. */
static int
s_check (const calendar__entry_t *entries, size_t count, const int *years,
         size_t year_count, int line, char *err)
{
    for (size_t i = 0; i < year_count; i++) {
        if (years[i] < CALENDAR_YEAR_MIN || years[i] > CALENDAR_YEAR_MAX) {
            snprintf (err, CALENDAR_ERR_MAX,
                      "line %d: year %d is outside %d-%d", line, years[i],
                      CALENDAR_YEAR_MIN, CALENDAR_YEAR_MAX);
            return -1;
        }
        bool named = false;
        for (size_t k = 0; k < count && !named; k++)
            named = entries[k].year == years[i];
        if (!named) {
            snprintf (err, CALENDAR_ERR_MAX,
                      "line %d: year %d names no days (is its notice out "
                      "yet?): a year without holidays cannot be told from "
                      "one not yet published",
                      line, years[i]);
            return -1;
        }
    }
    for (size_t k = 0; k < count; k++) {
        const calendar__entry_t *e = &entries[k];
        int year;
        calendar_civil (e->day.date, &year, NULL, NULL);
        if (year < e->year - 1 || year > e->year + 1) {
            char date[11];
            snprintf (err, CALENDAR_ERR_MAX,
                      "line %d: %s is not in %d or a year beside it", e->line,
                      calendar_date_format (e->day.date, date), e->year);
            return -1;
        }
        if (k > 0 && e->year == e[-1].year && e->day.date == e[-1].day.date) {
            char date[11];
            snprintf (err, CALENDAR_ERR_MAX,
                      "line %d: %s is named twice (first on line %d)", e->line,
                      calendar_date_format (e->day.date, date), e[-1].line);
            return -1;
        }
    }
    return 0;
}

calendar_t *
calendar__build (calendar__entry_t *entries, size_t count, const int *years,
                 size_t year_count, int line, char *err)
{
    if (count) /* qsort wants an array, even of none */
        qsort (entries, count, sizeof (*entries), s_by_year_and_date);
    if (s_check (entries, count, years, year_count, line, err) != 0)
        return NULL;
    calendar_t *self = calendar_new ();
    if (!self) {
        snprintf (err, CALENDAR_ERR_MAX, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < year_count; i++)
        s_year (self, years[i])->present = true;
    for (size_t k = 0; k < count;) {
        size_t n = 1;
        while (k + n < count && entries[k + n].year == entries[k].year)
            n++;
        s_year_t *y = s_year (self, entries[k].year);
        y->days = malloc (n * sizeof (calendar_day_t));
        if (!y->days) {
            calendar_destroy (&self);
            snprintf (err, CALENDAR_ERR_MAX, "out of memory");
            return NULL;
        }
        for (size_t j = 0; j < n; j++)
            y->days[j] = entries[k + j].day;
        y->count = n;
        k += n;
    }
    int lo = CALENDAR_YEAR_MAX, hi = CALENDAR_YEAR_MIN;
    for (size_t i = 0; i < year_count; i++) {
        lo = years[i] < lo ? years[i] : lo;
        hi = years[i] > hi ? years[i] : hi;
    }
    s_refresh (self, lo - 1, hi + 1);
    return self;
}

/* ---- the shipped calendars -------------------------------------------- */

calendar_t *
calendar_shipped (const char *id, char *err)
{
    size_t n = strlen (id);
    calendar_t *self = NULL;
    for (int i = 0; calendar_embedded[i].name; i++) {
        const char *name = calendar_embedded[i].name;
        if (strncmp (name, id, n) != 0 || name[n] != '/')
            continue;
        if (!self && !(self = calendar_new ())) {
            snprintf (err, CALENDAR_ERR_MAX, "out of memory");
            return NULL;
        }
        char why[CALENDAR_ERR_MAX];
        const char *text = calendar_embedded[i].text;
        calendar_t *year = calendar_parse (text, strlen (text), why);
        int rc = year ? calendar_merge (self, year) : -1;
        calendar_destroy (&year);
        if (rc != 0) {
            snprintf (err, CALENDAR_ERR_MAX, "calendars/%s: %s", name, why);
            calendar_destroy (&self);
            return NULL;
        }
    }
    if (!self)
        snprintf (err, CALENDAR_ERR_MAX,
                  "no shipped calendar \"%s\" (shipped: cn)", id);
    return self;
}
