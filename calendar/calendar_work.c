/*  calendar_work: working hours and working time (calendar.h).

    Every walk goes day by day from the day of its start and stops at the
    day that settles it, looking at each day's status once and at its
    spans: O(days spanned x spans), with no state kept between calls. A
    day whose year is not in the calendar stops the walk with
    CALENDAR_MISSING, so nothing is ever measured against a guess. */
#include "calendar_internal.h"

#include <stdio.h>
#include <string.h>

#define S_MINUTE_MS (60LL * 1000)

/* ---- working hours ---------------------------------------------------- */

/* "HH:MM" at *p as minutes after midnight (24:00 allowed), or -1. */
static int32_t
s_clock (const char **p)
{
    const char *s = *p;
    if (s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' || s[2] != ':' ||
        s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
        return -1;
    int32_t hour = (s[0] - '0') * 10 + (s[1] - '0');
    int32_t minute = (s[3] - '0') * 10 + (s[4] - '0');
    if (hour > 24 || (hour == 24 && minute != 0))
        return -1;
    *p = s + 5;
    return hour * 60 + minute;
}

int
calendar_hours_parse (const char *text, calendar_hours_t *hours, char *err)
{
    memset (hours, 0, sizeof (*hours));
    const char *p = text;
    while (true) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *span = p;
        int32_t start = s_clock (&p);
        int32_t end = start >= 0 && *p == '-' ? (p++, s_clock (&p)) : -1;
        if (end < 0 || (*p && *p != ' ' && *p != ',' && *p != '\t')) {
            snprintf (err, CALENDAR_ERR_MAX,
                      "working hours: \"%.16s\" is not a span HH:MM-HH:MM",
                      span);
            return -1;
        }
        if (start >= end) {
            snprintf (err, CALENDAR_ERR_MAX,
                      "working hours: the span %.11s ends before it starts",
                      span);
            return -1;
        }
        if (hours->count && start < hours->end[hours->count - 1]) {
            snprintf (err, CALENDAR_ERR_MAX,
                      "working hours: the span %.11s starts before the one "
                      "before it ends (spans go in order, apart)",
                      span);
            return -1;
        }
        if (hours->count == CALENDAR_SPANS_MAX) {
            snprintf (err, CALENDAR_ERR_MAX,
                      "working hours: more than %d spans", CALENDAR_SPANS_MAX);
            return -1;
        }
        hours->start[hours->count] = start;
        hours->end[hours->count] = end;
        hours->count++;
    }
    if (!hours->count) {
        snprintf (err, CALENDAR_ERR_MAX,
                  "working hours: none given (\"08:30-12:00 14:00-18:00\")");
        return -1;
    }
    return 0;
}

char *
calendar_hours_format (const calendar_hours_t *hours, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < hours->count && used < size; i++)
        used += (size_t)snprintf (
            buf + used, size - used, "%s%02d:%02d-%02d:%02d", i ? " " : "",
            (int)(hours->start[i] / 60), (int)(hours->start[i] % 60),
            (int)(hours->end[i] / 60), (int)(hours->end[i] % 60));
    return buf;
}

/* ---- working time ----------------------------------------------------- */

/* The first instant of a local day. */
static int64_t
s_midnight (int32_t date)
{
    return (int64_t)date * CALENDAR_DAY_MS - CALENDAR_OFFSET_MS;
}

/* 1 working, 0 not, or CALENDAR_MISSING with the day's year. */
static int
s_status (const calendar_t *self, int32_t date, int *missing)
{
    int working = calendar_working_day (self, date);
    if (working == CALENDAR_MISSING)
        calendar_civil (date, missing, NULL, NULL);
    return working;
}

/* The working spans of a day as instants [a, b), each cut to start no
   earlier than `from`. Returns their count (0 on a day off), or
   CALENDAR_MISSING with the day's year. */
static int
s_spans (const calendar_t *self, const calendar_hours_t *h, int32_t date,
         int64_t from, int64_t *a, int64_t *b, int *missing)
{
    int working = s_status (self, date, missing);
    if (working != 1)
        return working;
    int64_t midnight = s_midnight (date);
    for (int i = 0; i < h->count; i++) {
        a[i] = midnight + h->start[i] * S_MINUTE_MS;
        b[i] = midnight + h->end[i] * S_MINUTE_MS;
        a[i] = a[i] > from ? a[i] : from;
    }
    return h->count;
}

int
calendar_work_between (const calendar_t *self, const calendar_hours_t *h,
                       int64_t from, int64_t to, int64_t *work, int *missing)
{
    *work = 0;
    if (to <= from)
        return CALENDAR_OK;
    int32_t last = calendar_day_of (to - 1);
    for (int32_t date = calendar_day_of (from); date <= last; date++) {
        int64_t a[CALENDAR_SPANS_MAX], b[CALENDAR_SPANS_MAX];
        int n = s_spans (self, h, date, from, a, b, missing);
        if (n == CALENDAR_MISSING)
            return CALENDAR_MISSING;
        for (int i = 0; i < n; i++) {
            int64_t end = b[i] < to ? b[i] : to;
            if (end > a[i])
                *work += end - a[i];
        }
    }
    return CALENDAR_OK;
}

int
calendar_work_add (const calendar_t *self, const calendar_hours_t *h,
                   int64_t from, int64_t work, int64_t *at, int *missing)
{
    *at = from;
    if (work <= 0)
        return CALENDAR_OK;
    /* Ends: a missing year stops the walk, and the years end in 2099. */
    for (int32_t date = calendar_day_of (from);; date++) {
        int64_t a[CALENDAR_SPANS_MAX], b[CALENDAR_SPANS_MAX];
        int n = s_spans (self, h, date, from, a, b, missing);
        if (n == CALENDAR_MISSING)
            return CALENDAR_MISSING;
        for (int i = 0; i < n; i++) {
            if (b[i] <= a[i])
                continue;
            /* The earliest instant: a limit used up exactly at a span's
               end ends there, not when the next span begins. */
            if (b[i] - a[i] >= work) {
                *at = a[i] + work;
                return CALENDAR_OK;
            }
            work -= b[i] - a[i];
        }
    }
}

int
calendar_days_add (const calendar_t *self, const calendar_hours_t *h,
                   int64_t from, int days, int64_t *at, int *missing)
{
    *at = from;
    int counted = 0;
    for (int32_t date = calendar_day_of (from) + 1;; date++) {
        int working = s_status (self, date, missing);
        if (working == CALENDAR_MISSING)
            return CALENDAR_MISSING;
        if (working && ++counted >= days) {
            int32_t end = h->count ? h->end[h->count - 1] : 24 * 60;
            *at = s_midnight (date) + end * S_MINUTE_MS;
            return CALENDAR_OK;
        }
    }
}
