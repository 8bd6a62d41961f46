/*  calendar_forms: the published JSON forms of a year's notice
    (calendar.h): holiday-cn, chinese-days and holiday-calendar, read into
    one list of days and built into a calendar.

    Each fault is named by line and field ("line 12: days[3].isOffDay
    must be true or false"), and nothing of a faulty file is used. */
#include "calendar_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_YEARS_MAX (CALENDAR_YEAR_MAX - CALENDAR_YEAR_MIN + 1)

/* What a file gave so far. */
typedef struct {
    calendar__entry_t *entries; /* its days */
    size_t count;               /* how many */
    size_t size;                /* allocated */
    int years[S_YEARS_MAX];     /* the notices' years, once each */
    size_t year_count;          /* how many */
    char *err;                  /* CALENDAR_ERR_MAX bytes */
} s_file_t;

static int s_fail (s_file_t *f, int line, const char *format, ...)
    CALENDAR__PRINTF_LIKE (3, 4);

static int
s_fail (s_file_t *f, int line, const char *format, ...)
{
    char why[CALENDAR_ERR_MAX];
    va_list args;
    va_start (args, format);
    vsnprintf (why, sizeof (why), format, args);
    va_end (args);
    snprintf (f->err, CALENDAR_ERR_MAX, "line %d: %s", line, why);
    return -1;
}

static int
s_add_year (s_file_t *f, int year, int line)
{
    for (size_t i = 0; i < f->year_count; i++)
        if (f->years[i] == year)
            return s_fail (f, line, "year %d is given twice", year);
    if (year < CALENDAR_YEAR_MIN || year > CALENDAR_YEAR_MAX)
        return s_fail (f, line, "year %d is outside %d-%d", year,
                       CALENDAR_YEAR_MIN, CALENDAR_YEAR_MAX);
    f->years[f->year_count++] = year;
    return 0;
}

/* "YYYY-MM-DD" as a day number, or -1. */
static int32_t
s_date (const char *text)
{
    int y, m, d, used = 0;
    if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
            return -1;
    if (sscanf (text, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10)
        return -1;
    return calendar_date (y, m, d);
}

/* Adds a day of notice `year`; `name` may be NULL. */
static int
s_add (s_file_t *f, int year, const calendar__node_t *date, bool off,
       const char *name, size_t name_size, const char *field)
{
    int32_t day = s_date (date->text);
    if (day < 0)
        return s_fail (f, date->line, "%s \"%.20s\" is not a date YYYY-MM-DD",
                       field, date->text);
    if (name && name_size > CALENDAR_NAME_MAX)
        return s_fail (f, date->line, "the name of %s is longer than %d bytes",
                       date->text, CALENDAR_NAME_MAX);
    if (f->count == f->size) {
        size_t size = f->size ? f->size * 2 : 64;
        calendar__entry_t *grown = realloc (f->entries, size * sizeof (*grown));
        if (!grown)
            return s_fail (f, date->line, "out of memory");
        f->entries = grown;
        f->size = size;
    }
    calendar__entry_t *e = &f->entries[f->count++];
    memset (e, 0, sizeof (*e));
    e->year = year;
    e->line = date->line;
    e->day.date = day;
    e->day.off = off;
    if (name)
        memcpy (e->day.name, name, name_size);
    return 0;
}

/* The member `key` of `object`, which must be of `kind`. */
static const calendar__node_t *
s_member (s_file_t *f, const calendar__node_t *object, const char *key,
          calendar__kind_t kind, const char *where, bool required)
{
    static const char *what[] = {"null",   "true or false", "a number",
                                 "a text", "an array",      "an object"};
    const calendar__node_t *m = calendar__json_get (object, key);
    if (!m || m->kind == CALENDAR__NULL) {
        if (required)
            s_fail (f, object->line, "%s%s is missing", where, key);
        return NULL;
    }
    if (m->kind != kind) {
        s_fail (f, m->line, "%s%s must be %s", where, key, what[kind]);
        return NULL;
    }
    return m;
}

/* "year": a whole number. */
static int
s_year_of (s_file_t *f, const calendar__node_t *object, int *year)
{
    const calendar__node_t *y =
        s_member (f, object, "year", CALENDAR__NUMBER, "", true);
    if (!y)
        return -1;
    if (y->number != floor (y->number) || fabs (y->number) > 1e6)
        return s_fail (f, y->line, "year must be a whole number");
    *year = (int)y->number;
    return s_add_year (f, *year, y->line);
}

/* {"year":2026,"days":[{"name","date","isOffDay"}...]} */
static int
s_holiday_cn (s_file_t *f, const calendar__node_t *object)
{
    int year;
    if (s_year_of (f, object, &year) != 0)
        return -1;
    const calendar__node_t *days =
        s_member (f, object, "days", CALENDAR__ARRAY, "", true);
    if (!days)
        return -1;
    int i = 0;
    for (const calendar__node_t *d = days->child; d; d = d->next, i++) {
        char where[32];
        snprintf (where, sizeof (where), "days[%d].", i);
        if (d->kind != CALENDAR__OBJECT)
            return s_fail (f, d->line, "days[%d] must be an object", i);
        const calendar__node_t *date =
            s_member (f, d, "date", CALENDAR__STRING, where, true);
        const calendar__node_t *off =
            date ? s_member (f, d, "isOffDay", CALENDAR__BOOL, where, true)
                 : NULL;
        if (!off)
            return -1;
        const calendar__node_t *name = calendar__json_get (d, "name");
        bool named = name && name->kind == CALENDAR__STRING;
        if (name && !named && name->kind != CALENDAR__NULL)
            return s_fail (f, name->line, "%sname must be a text", where);
        if (s_add (f, year, date, off->truth, named ? name->text : NULL,
                   named ? strlen (name->text) : 0, "date") != 0)
            return -1;
    }
    return 0;
}

/* {"year":2026,"dates":[{"date","name","type"}...]} */
static int
s_holiday_calendar (s_file_t *f, const calendar__node_t *object)
{
    int year;
    if (s_year_of (f, object, &year) != 0)
        return -1;
    const calendar__node_t *dates =
        s_member (f, object, "dates", CALENDAR__ARRAY, "", true);
    if (!dates)
        return -1;
    int i = 0;
    for (const calendar__node_t *d = dates->child; d; d = d->next, i++) {
        char where[32];
        snprintf (where, sizeof (where), "dates[%d].", i);
        if (d->kind != CALENDAR__OBJECT)
            return s_fail (f, d->line, "dates[%d] must be an object", i);
        const calendar__node_t *date =
            s_member (f, d, "date", CALENDAR__STRING, where, true);
        const calendar__node_t *type =
            date ? s_member (f, d, "type", CALENDAR__STRING, where, true)
                 : NULL;
        if (!type)
            return -1;
        bool off = strcmp (type->text, "public_holiday") == 0;
        if (!off && strcmp (type->text, "transfer_workday") != 0)
            return s_fail (f, type->line,
                           "%stype must be public_holiday or "
                           "transfer_workday",
                           where);
        const calendar__node_t *name = calendar__json_get (d, "name_cn");
        if (!name || name->kind != CALENDAR__STRING)
            name = calendar__json_get (d, "name");
        bool named = name && name->kind == CALENDAR__STRING;
        if (s_add (f, year, date, off, named ? name->text : NULL,
                   named ? strlen (name->text) : 0, "date") != 0)
            return -1;
    }
    return 0;
}

/* The days of one chinese-days map: "2026-01-01": "New Year's Day,元旦,1".
   The name kept is the Chinese one, the second field. */
static int
s_chinese_days_map (s_file_t *f, const calendar__node_t *map, bool off)
{
    for (const calendar__node_t *d = map->child; d; d = d->next) {
        if (d->kind != CALENDAR__STRING)
            return s_fail (f, d->line, "%s.%s must be a text",
                           off ? "holidays" : "workdays", d->key);
        calendar__node_t date = *d;
        date.text = d->key;
        int32_t day = s_date (d->key);
        if (day < 0)
            return s_fail (f, d->line, "\"%.20s\" is not a date YYYY-MM-DD",
                           d->key);
        int year;
        calendar_civil (day, &year, NULL, NULL);
        bool seen = false;
        for (size_t i = 0; i < f->year_count && !seen; i++)
            seen = f->years[i] == year;
        if (!seen && s_add_year (f, year, d->line) != 0)
            return -1;
        const char *name = strchr (d->text, ',');
        name = name ? name + 1 : d->text;
        const char *end = strchr (name, ',');
        size_t size = end ? (size_t)(end - name) : strlen (name);
        if (s_add (f, year, &date, off, name, size, "date") != 0)
            return -1;
    }
    return 0;
}

/* {"holidays":{...},"workdays":{...},"inLieuDays":{...}}: inLieuDays (the
   weekdays a holiday takes) are days off already listed in holidays. */
static int
s_chinese_days (s_file_t *f, const calendar__node_t *object)
{
    const calendar__node_t *holidays =
        s_member (f, object, "holidays", CALENDAR__OBJECT, "", true);
    const calendar__node_t *workdays =
        holidays ? s_member (f, object, "workdays", CALENDAR__OBJECT, "", true)
                 : NULL;
    if (!workdays || s_chinese_days_map (f, holidays, true) != 0 ||
        s_chinese_days_map (f, workdays, false) != 0)
        return -1;
    if (f->year_count == 0)
        return s_fail (f, object->line, "holidays and workdays are empty");
    return 0;
}

/* One year object of the holiday-cn or holiday-calendar form. */
static int
s_year_object (s_file_t *f, const calendar__node_t *object)
{
    if (object->kind == CALENDAR__OBJECT &&
        calendar__json_get (object, "dates"))
        return s_holiday_calendar (f, object);
    if (object->kind == CALENDAR__OBJECT && calendar__json_get (object, "days"))
        return s_holiday_cn (f, object);
    return s_fail (f, object->line,
                   "not a calendar: expected {\"year\",\"days\"} "
                   "(holiday-cn), {\"holidays\",\"workdays\"} (chinese-days) "
                   "or {\"year\",\"dates\"} (holiday-calendar)");
}

calendar_t *
calendar_parse (const char *text, size_t size, char *err)
{
    if (size > CALENDAR_FILE_MAX) {
        snprintf (err, CALENDAR_ERR_MAX, "the file is larger than %d bytes",
                  CALENDAR_FILE_MAX);
        return NULL;
    }
    calendar__node_t *root = calendar__json_parse (text, size, err);
    if (!root)
        return NULL;
    s_file_t f = {.err = err};
    int rc = 0;
    if (root->kind == CALENDAR__ARRAY) {
        for (const calendar__node_t *y = root->child; y && rc == 0; y = y->next)
            rc = s_year_object (&f, y);
        if (rc == 0 && !root->child)
            rc = s_fail (&f, root->line, "the array holds no years");
    } else if (root->kind == CALENDAR__OBJECT &&
               (calendar__json_get (root, "holidays") ||
                calendar__json_get (root, "workdays")))
        rc = s_chinese_days (&f, root);
    else
        rc = s_year_object (&f, root);
    calendar_t *self = rc == 0 ? calendar__build (f.entries, f.count, f.years,
                                                  f.year_count, root->line, err)
                               : NULL;
    free (f.entries);
    calendar__json_free (root);
    return self;
}
