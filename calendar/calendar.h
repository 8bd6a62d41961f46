/*  calendar: working calendars as data, and working time.

    A calendar is a set of years, each given by its notice (for the
    mainland, the State Council's 国务院办公厅关于XXXX年部分节假日安排的通知,
    published each November): the days off (statutory holidays, with the
    weekends and weekdays they take) and the make-up working days (调休,
    often a Saturday or a Sunday). Every other day follows the week: Monday
    to Friday are working days, Saturday and Sunday are not. A notice may
    reach into the neighbouring year (2023's names 2022-12-31); a day of
    year Y is decided by the notice of Y and, where they name it, by the
    notices of Y-1 and Y+1 when the calendar has them (Y's own wins).

    A day whose year is not in the calendar is unknown: every function
    that would need it fails with CALENDAR_MISSING and the year, never
    guessing from the week.

    Files (docs/calendar.md) come in the published JSON forms:
      holiday-cn      {"year":2026,"days":[{"name":"元旦",
                       "date":"2026-01-01","isOffDay":true}...]}
                      (or an array of such objects)
      chinese-days    {"holidays":{"2026-01-01":"New Year's Day,元旦,1"...},
                       "workdays":{"2026-01-04":"..."},"inLieuDays":{...}}
                      (the years are those of its dates)
      holiday-calendar {"year":2026,"dates":[{"date":"2026-01-01",
                       "name":"元旦","type":"public_holiday"}...]}
                      (type public_holiday or transfer_workday)
    The reader is this module's own (no JSON library), so that an error
    names the line and field it is on.

    Times are ms since the epoch; days, working hours and dates are in
    local time at a fixed UTC+8 (China has had no daylight saving since
    1991). Working hours are spans of a working day ("08:30-12:00
    14:00-18:00"); working time is the part of an interval that falls in
    the spans of working days.

    Pure: libc only. The mainland calendar ships compiled in
    (calendars/cn/YEAR.json, embedded at build time).

    Thread rules: a calendar is not locked; once built it may be read
    from any thread.
*/
#ifndef CALENDAR_H_INCLUDED
#define CALENDAR_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CALENDAR_YEAR_MIN  2000 /* the years a calendar may hold */
#define CALENDAR_YEAR_MAX  2099
#define CALENDAR_NAME_MAX  63        /* a day's name: bytes of UTF-8 */
#define CALENDAR_ERR_MAX   256       /* error messages written by this module */
#define CALENDAR_FILE_MAX  (4 << 20) /* the largest file read */
#define CALENDAR_SPANS_MAX 8         /* spans of working hours in a day */
#define CALENDAR_OFFSET_MS (8LL * 3600 * 1000) /* local time: UTC+8 */
#define CALENDAR_DAY_MS    (24LL * 3600 * 1000)

/* Return codes. */
#define CALENDAR_OK      0
#define CALENDAR_MISSING -1 /* a day's year is not in the calendar */

/* A day a notice names. */
typedef struct {
    int32_t date;                     /* days since 1970-01-01 */
    bool off;                         /* a day off; false: a working day */
    char name[CALENDAR_NAME_MAX + 1]; /* "春节", as the file names it */
} calendar_day_t;

typedef struct _calendar_t calendar_t;

/* An empty calendar, or NULL when out of memory. */
calendar_t *calendar_new (void);
void calendar_destroy (calendar_t **self_p);

/* Reads a file in any of the forms above. Returns a new calendar holding
   the years the file gives (a chinese-days file: every year its dates
   fall in), or NULL with "line N: why" in err (CALENDAR_ERR_MAX bytes):
   not JSON, not one of the forms, a field missing or of the wrong type,
   a date that is not YYYY-MM-DD or lies outside its year and the years
   beside it, a date named twice, a year outside 2000-2099, a year with
   no days at all (a notice not yet published). */
calendar_t *calendar_parse (const char *text, size_t size, char *err);

/* Puts every year of `from` into self, replacing the years self had.
   Returns 0, or -1 when out of memory (self unchanged). */
int calendar_merge (calendar_t *self, const calendar_t *from);

/* Takes year `year` out of self (nothing when absent). */
void calendar_remove (calendar_t *self, int year);

/* True when the calendar holds that year's notice. */
bool calendar_has (const calendar_t *self, int year);

/* The first year held after `after` (CALENDAR_YEAR_MIN - 1: the first of
   all), or 0 when none: for (y = calendar_next (c, 1999); y; y =
   calendar_next (c, y)). */
int calendar_next (const calendar_t *self, int after);

/* The days a year's notice names, in date order (borrowed; NULL and 0
   when the year is absent or names none). */
const calendar_day_t *calendar_days (const calendar_t *self, int year,
                                     size_t *count);

/* 1 when the day (days since 1970-01-01) is a working day, 0 when it is
   not, CALENDAR_MISSING when its year is not in the calendar. */
int calendar_working_day (const calendar_t *self, int32_t date);

/* The shipped calendar named `id` ("cn": the mainland), as a new
   calendar, or NULL with why in err (an unknown id, no memory). */
calendar_t *calendar_shipped (const char *id, char *err);

/*  --------------------------------------------------------------------
    Dates (the proleptic Gregorian calendar, local time UTC+8).          */

/* Days since 1970-01-01 of a date; -1 when it is not a date of the
   years 1970-9999. */
int32_t calendar_date (int year, int month, int day);
/* The year, month and day of a day number (any of them may be NULL). */
void calendar_civil (int32_t date, int *year, int *month, int *day);
/* The local day (UTC+8) an instant falls on. */
int32_t calendar_day_of (int64_t ms);
/* Writes "2026-01-01" into buf (at least 11 bytes). Returns buf. */
char *calendar_date_format (int32_t date, char *buf);

/*  --------------------------------------------------------------------
    Working hours and working time (calendar_work.c).                    */

/* The spans of a working day: minutes after local midnight, sorted, not
   overlapping, each start < end <= 1440. */
typedef struct {
    int count;                         /* spans, 1..CALENDAR_SPANS_MAX */
    int32_t start[CALENDAR_SPANS_MAX]; /* first minute of each */
    int32_t end[CALENDAR_SPANS_MAX];   /* the minute after each */
} calendar_hours_t;

/* Parses "08:30-12:00 14:00-18:00" (spans separated by spaces or
   commas; 24:00 may end the last). Returns 0, or -1 with why in err. */
int calendar_hours_parse (const char *text, calendar_hours_t *hours, char *err);
/* Writes the spans back in that form into buf. Returns buf. */
char *calendar_hours_format (const calendar_hours_t *hours, char *buf,
                             size_t size);

/* The working time in [from, to) (0 when to <= from), in *work.
   Returns CALENDAR_OK, or CALENDAR_MISSING with the first year it
   needed and the calendar lacks in *missing. Work: O(days spanned). */
int calendar_work_between (const calendar_t *self, const calendar_hours_t *h,
                           int64_t from, int64_t to, int64_t *work,
                           int *missing);

/* The earliest instant by which `work` ms of working time have passed
   since `from` (from itself for 0), in *at: 16 working hours from a
   Friday 17:00 end at 18:00 on the Tuesday (lunch and nights left out).
   Returns CALENDAR_OK or CALENDAR_MISSING with *missing. */
int calendar_work_add (const calendar_t *self, const calendar_hours_t *h,
                       int64_t from, int64_t work, int64_t *at, int *missing);

/* The end of the working hours of the `days`-th working day after the
   local day of `from` (days >= 1), in *at: from 2025-09-30 17:00, three
   working days end at 2025-10-11 18:00 (the National Day holiday, then
   a make-up Saturday). Returns CALENDAR_OK or CALENDAR_MISSING. */
int calendar_days_add (const calendar_t *self, const calendar_hours_t *h,
                       int64_t from, int days, int64_t *at, int *missing);

#endif
