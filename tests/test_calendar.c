/*  test_calendar: the calendar module alone (calendar.h): the shipped
    mainland calendar, the three file forms, their errors, dates, working
    hours and working time over 2024-2026 (Spring Festival, National Day,
    make-up Saturdays and Sundays, New Year, lunch and night, a dispatch
    inside a holiday).

    This target links nothing but hl_calendar and Criterion, which proves
    the module runs on libc alone. */
#include "calendar.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "2025-09-30 17:00" or "2025-09-30 17:00:05", local time (UTC+8). */
static int64_t
s_ms (const char *local)
{
    int y, mo, d, h, mi, s = 0;
    int n = sscanf (local, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
    cr_assert (n >= 5, "bad time %s", local);
    int32_t date = calendar_date (y, mo, d);
    cr_assert (date >= 0, "bad date %s", local);
    return (int64_t)date * CALENDAR_DAY_MS - CALENDAR_OFFSET_MS +
           ((int64_t)h * 3600 + mi * 60 + s) * 1000;
}

/* The inverse, for messages: "2025-10-11 18:00:00". */
static const char *
s_local (int64_t ms, char *buf)
{
    int32_t date = calendar_day_of (ms);
    int64_t in_day = ms + CALENDAR_OFFSET_MS - (int64_t)date * CALENDAR_DAY_MS;
    char day[11];
    snprintf (buf, 32, "%s %02d:%02d:%02d", calendar_date_format (date, day),
              (int)(in_day / 3600000), (int)(in_day / 60000 % 60),
              (int)(in_day / 1000 % 60));
    return buf;
}

static calendar_t *
s_cn (void)
{
    char err[CALENDAR_ERR_MAX] = "";
    calendar_t *cal = calendar_shipped ("cn", err);
    cr_assert_not_null (cal, "%s", err);
    return cal;
}

static calendar_hours_t
s_office (void)
{
    calendar_hours_t h;
    char err[CALENDAR_ERR_MAX];
    cr_assert_eq (calendar_hours_parse ("08:30-12:00 14:00-18:00", &h, err), 0,
                  "%s", err);
    return h;
}

static char *
s_read (const char *path, size_t *size)
{
    FILE *file = fopen (path, "rb");
    cr_assert_not_null (file, "cannot open %s", path);
    char *text = malloc (CALENDAR_FILE_MAX + 1);
    cr_assert_not_null (text);
    *size = fread (text, 1, CALENDAR_FILE_MAX, file);
    text[*size] = 0;
    fclose (file);
    return text;
}

static calendar_t *
s_parse_file (const char *path)
{
    size_t size;
    char *text = s_read (path, &size);
    char err[CALENDAR_ERR_MAX] = "";
    calendar_t *cal = calendar_parse (text, size, err);
    free (text);
    cr_assert_not_null (cal, "%s: %s", path, err);
    return cal;
}

/* ---- the shipped calendar ---------------------------------------------- */

Test (calendar, ships_the_mainland_years_2020_to_2026_and_no_other)
{
    calendar_t *cal = s_cn ();
    int years = 0;
    for (int y = calendar_next (cal, CALENDAR_YEAR_MIN - 1); y;
         y = calendar_next (cal, y)) {
        cr_expect (y >= 2020 && y <= 2026, "year %d", y);
        years++;
    }
    cr_expect_eq (years, 7);
    cr_expect_not (calendar_has (cal, 2019));
    cr_expect_not (calendar_has (cal, 2027));
    calendar_destroy (&cal);
    cr_expect_null (cal);
    char err[CALENDAR_ERR_MAX];
    cr_expect_null (calendar_shipped ("hk", err));
    cr_expect (strstr (err, "no shipped calendar \"hk\""), "%s", err);
}

/* One day of the mainland calendar: its date and whether it is a working
   day, with why. */
typedef struct {
    const char *date; /* YYYY-MM-DD */
    int working;      /* 1, 0 or CALENDAR_MISSING */
    const char *why;  /* the fact */
} s_day_case_t;

Test (calendar, knows_the_holidays_and_make_up_days_of_2024_to_2026)
{
    static const s_day_case_t cases[] = {
        {"2024-01-01", 0, "New Year's Day, a Monday"},
        {"2024-02-04", 1, "Spring Festival make-up, a Sunday"},
        {"2024-02-09", 1, "New Year's Eve 2024 is not a statutory day off"},
        {"2024-02-12", 0, "Spring Festival, a Monday"},
        {"2024-02-18", 1, "Spring Festival make-up, a Sunday"},
        {"2024-04-07", 1, "Qingming make-up, a Sunday"},
        {"2024-09-14", 1, "Mid-Autumn make-up, a Saturday"},
        {"2024-09-29", 1, "National Day make-up, a Sunday"},
        {"2024-10-07", 0, "National Day, a Monday"},
        {"2024-10-12", 1, "National Day make-up, a Saturday"},
        {"2025-01-26", 1, "Spring Festival make-up, a Sunday"},
        {"2025-02-04", 0, "Spring Festival, a Tuesday"},
        {"2025-02-08", 1, "Spring Festival make-up, a Saturday"},
        {"2025-09-28", 1, "National Day make-up, a Sunday"},
        {"2025-10-08", 0, "National Day and Mid-Autumn, a Wednesday"},
        {"2025-10-11", 1, "National Day make-up, a Saturday"},
        {"2025-10-12", 0, "an ordinary Sunday"},
        {"2025-12-31", 1, "an ordinary Wednesday"},
        {"2026-01-02", 0, "New Year, a Friday"},
        {"2026-01-04", 1, "New Year make-up, a Sunday"},
        {"2026-02-14", 1, "Spring Festival make-up, a Saturday"},
        {"2026-02-23", 0, "Spring Festival, a Monday"},
        {"2026-02-28", 1, "Spring Festival make-up, a Saturday"},
        {"2026-09-20", 1, "National Day make-up, a Sunday"},
        {"2026-10-10", 1, "National Day make-up, a Saturday"},
        {"2026-12-31", 1, "an ordinary Thursday"},
        {"2027-01-04", CALENDAR_MISSING, "2027 is not announced"},
        {"2019-12-31", CALENDAR_MISSING, "2019 is not shipped"},
    };
    calendar_t *cal = s_cn ();
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
        int y, m, d;
        sscanf (cases[i].date, "%d-%d-%d", &y, &m, &d);
        cr_expect_eq (calendar_working_day (cal, calendar_date (y, m, d)),
                      cases[i].working, "%s (%s)", cases[i].date, cases[i].why);
    }
    calendar_destroy (&cal);
}

/* ---- time limits in working days --------------------------------------- */

typedef struct {
    const char *from; /* dispatch, local */
    int days;         /* working days */
    const char *due;  /* the end of the working hours of the last one */
    const char *why;  /* what it shows */
} s_days_case_t;

Test (calendar, working_day_limits_end_at_the_close_of_the_last_day)
{
    static const s_days_case_t cases[] = {
        {"2025-09-30 17:00", 3, "2025-10-11 18:00",
         "the example of docs/calendar.md: National Day, then a make-up "
         "Saturday"},
        {"2025-09-30 08:00", 1, "2025-10-09 18:00",
         "counting starts the day after dispatch, whatever the hour"},
        {"2024-02-08 10:00", 3, "2024-02-19 18:00",
         "Spring Festival 2024: Friday, the make-up Sunday, Monday"},
        {"2025-01-24 09:00", 2, "2025-01-27 18:00",
         "Spring Festival 2025: the make-up Sunday counts"},
        {"2026-02-13 16:00", 1, "2026-02-14 18:00",
         "Spring Festival 2026: the make-up Saturday before it"},
        {"2026-02-13 16:00", 3, "2026-02-25 18:00",
         "Spring Festival 2026: nine days off skipped"},
        {"2025-12-30 10:00", 3, "2026-01-05 18:00",
         "across New Year 2026: Dec 31, the make-up Sunday Jan 4, Jan 5"},
        {"2023-12-29 17:00", 1, "2024-01-02 18:00",
         "across New Year 2024: the weekend and Jan 1"},
        {"2024-10-03 10:00", 3, "2024-10-10 18:00",
         "dispatched inside the National Day holiday"},
        {"2024-10-03 10:00", 5, "2024-10-12 18:00",
         "the make-up Saturday after National Day 2024"},
        {"2025-07-04 17:30", 1, "2025-07-07 18:00",
         "an ordinary Friday evening: Monday"},
    };
    calendar_t *cal = s_cn ();
    calendar_hours_t h = s_office ();
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
        int64_t at = 0;
        int missing = 0;
        char got[32];
        cr_expect_eq (calendar_days_add (cal, &h, s_ms (cases[i].from),
                                         cases[i].days, &at, &missing),
                      CALENDAR_OK, "%s", cases[i].why);
        cr_expect_eq (at, s_ms (cases[i].due), "%s + %dwd: %s, not %s (%s)",
                      cases[i].from, cases[i].days, s_local (at, got),
                      cases[i].due, cases[i].why);
    }
    calendar_destroy (&cal);
}

/* ---- time limits and windows in working hours -------------------------- */

typedef struct {
    const char *from; /* start, local */
    int minutes;      /* working minutes */
    const char *at;   /* when they have passed */
    const char *why;  /* what it shows */
} s_hours_case_t;

Test (calendar, working_hour_limits_leave_out_lunch_nights_and_holidays)
{
    static const s_hours_case_t cases[] = {
        {"2025-07-01 11:00", 120, "2025-07-01 15:00", "across lunch"},
        {"2025-07-01 17:00", 120, "2025-07-02 09:30", "across the night"},
        {"2025-07-01 08:30", 210, "2025-07-01 12:00",
         "used up at a span's end: ends there, not at 14:00"},
        {"2025-07-01 07:00", 60, "2025-07-01 09:30", "from before office"},
        {"2025-07-01 12:30", 30, "2025-07-01 14:30", "from lunch"},
        {"2025-07-04 17:00", 16 * 60, "2025-07-08 18:00",
         "16 wh from a Friday 17:00: Friday, Monday, Tuesday"},
        {"2025-09-30 17:00", 120, "2025-10-09 09:30",
         "across National Day 2025"},
        {"2024-10-03 10:00", 60, "2024-10-08 09:30",
         "from inside National Day 2024"},
        {"2025-01-25 10:00", 60, "2025-01-26 09:30",
         "a make-up Sunday is worked"},
        {"2025-12-31 17:30", 60, "2026-01-04 09:00",
         "across New Year 2026 to its make-up Sunday"},
        {"2026-02-13 17:00", 9 * 60, "2026-02-24 09:00",
         "Spring Festival 2026: Friday, the make-up Saturday, then nine "
         "days off"},
    };
    calendar_t *cal = s_cn ();
    calendar_hours_t h = s_office ();
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
        int64_t at = 0, back = 0;
        int missing = 0;
        char got[32];
        int64_t from = s_ms (cases[i].from);
        cr_expect_eq (calendar_work_add (cal, &h, from,
                                         cases[i].minutes * 60000LL, &at,
                                         &missing),
                      CALENDAR_OK, "%s", cases[i].why);
        cr_expect_eq (at, s_ms (cases[i].at), "%s + %d min: %s, not %s (%s)",
                      cases[i].from, cases[i].minutes, s_local (at, got),
                      cases[i].at, cases[i].why);
        /* Measuring back gives the minutes again. */
        cr_expect_eq (
            calendar_work_between (cal, &h, from, at, &back, &missing),
            CALENDAR_OK);
        cr_expect_eq (back, cases[i].minutes * 60000LL, "%s: %lld ms back",
                      cases[i].why, (long long)back);
    }
    calendar_destroy (&cal);
}

Test (
    calendar,
    a_return_at_9_10_monday_after_a_friday_17_30_dispatch_took_70_working_minutes)
{
    calendar_t *cal = s_cn ();
    calendar_hours_t h = s_office ();
    int64_t work = 0;
    int missing = 0;
    int64_t from = s_ms ("2025-07-04 17:30"), to = s_ms ("2025-07-07 09:10");
    cr_assert_eq (calendar_work_between (cal, &h, from, to, &work, &missing),
                  CALENDAR_OK);
    cr_expect_eq (work, 70 * 60000LL, "%lld", (long long)work);
    cr_expect_gt (to - from, 2 * 3600000LL, "in wall time it is 63 h 40 min");
    calendar_destroy (&cal);
}

Test (calendar, a_year_not_in_the_calendar_is_an_error_naming_it)
{
    calendar_t *cal = s_cn ();
    calendar_hours_t h = s_office ();
    int64_t at = 0, work = 0;
    int missing = 0;
    cr_expect_eq (calendar_days_add (cal, &h, s_ms ("2026-12-30 10:00"), 5, &at,
                                     &missing),
                  CALENDAR_MISSING);
    cr_expect_eq (missing, 2027);
    missing = 0;
    cr_expect_eq (calendar_work_add (cal, &h, s_ms ("2026-12-31 17:00"),
                                     2 * 3600000LL, &at, &missing),
                  CALENDAR_MISSING);
    cr_expect_eq (missing, 2027);
    missing = 0;
    cr_expect_eq (calendar_work_between (cal, &h, s_ms ("2019-12-31 17:00"),
                                         s_ms ("2020-01-02 09:00"), &work,
                                         &missing),
                  CALENDAR_MISSING);
    cr_expect_eq (missing, 2019);
    /* What fits in the known years is measured. */
    cr_expect_eq (calendar_days_add (cal, &h, s_ms ("2026-12-30 10:00"), 1, &at,
                                     &missing),
                  CALENDAR_OK);
    cr_expect_eq (at, s_ms ("2026-12-31 18:00"));
    calendar_destroy (&cal);
}

/* ---- files ------------------------------------------------------------- */

/* Every day of `year` has the same status in both calendars, and their
   notices name the same days, off or working. */
static void
s_expect_same_year (const calendar_t *a, const calendar_t *b, int year)
{
    for (int32_t d = calendar_date (year, 1, 1);
         d < calendar_date (year + 1, 1, 1); d++) {
        char date[11];
        cr_expect_eq (calendar_working_day (a, d), calendar_working_day (b, d),
                      "%s differs", calendar_date_format (d, date));
    }
    size_t na, nb;
    const calendar_day_t *da = calendar_days (a, year, &na);
    const calendar_day_t *db = calendar_days (b, year, &nb);
    cr_assert_eq (na, nb, "%d: %zu days named against %zu", year, na, nb);
    for (size_t i = 0; i < na; i++) {
        cr_expect_eq (da[i].date, db[i].date);
        cr_expect_eq (da[i].off, db[i].off);
    }
}

Test (calendar, the_three_published_forms_of_2026_give_the_same_calendar)
{
    calendar_t *cn = s_parse_file (HOTLINE_CALENDARS_DIR "/cn/2026.json");
    calendar_t *cd = s_parse_file (TEST_CALENDAR_DIR "/2026-chinese-days.json");
    calendar_t *hc =
        s_parse_file (TEST_CALENDAR_DIR "/2026-holiday-calendar.json");
    cr_expect (calendar_has (cn, 2026) && calendar_has (cd, 2026) &&
               calendar_has (hc, 2026));
    cr_expect_eq (calendar_next (cd, 2026), 0, "chinese-days gives 2026 only");
    s_expect_same_year (cn, cd, 2026);
    s_expect_same_year (cn, hc, 2026);
    size_t n;
    const calendar_day_t *days = calendar_days (cd, 2026, &n);
    cr_expect_str_eq (days[0].name, "元旦", "the Chinese name is kept");
    calendar_destroy (&cn);
    calendar_destroy (&cd);
    calendar_destroy (&hc);
}

Test (calendar, a_notice_reaching_into_the_year_before_decides_that_day)
{
    /* 2023's notice names 2022-12-31; a made-up 2022 without it. */
    const char *y2022 = "{\"year\":2022,\"days\":[{\"name\":\"x\","
                        "\"date\":\"2022-12-30\",\"isOffDay\":true}]}";
    const char *y2023 = "{\"year\":2023,\"days\":[{\"name\":\"元旦\","
                        "\"date\":\"2022-12-29\",\"isOffDay\":true},"
                        "{\"name\":\"y\",\"date\":\"2022-12-30\","
                        "\"isOffDay\":false}]}";
    char err[CALENDAR_ERR_MAX] = "";
    calendar_t *cal = calendar_parse (y2022, strlen (y2022), err);
    cr_assert_not_null (cal, "%s", err);
    int32_t dec29 = calendar_date (2022, 12, 29);
    int32_t dec30 = calendar_date (2022, 12, 30);
    cr_expect_eq (calendar_working_day (cal, dec29), 1, "a Thursday");
    calendar_t *next = calendar_parse (y2023, strlen (y2023), err);
    cr_assert_not_null (next, "%s", err);
    cr_assert_eq (calendar_merge (cal, next), 0);
    cr_expect_eq (calendar_working_day (cal, dec29), 0,
                  "2023's notice takes it off");
    cr_expect_eq (calendar_working_day (cal, dec30), 0,
                  "2022's own notice wins over 2023's");
    calendar_remove (cal, 2023);
    cr_expect_eq (calendar_working_day (cal, dec29), 1, "2023 taken out");
    calendar_destroy (&next);
    calendar_destroy (&cal);
}

Test (calendar, importing_a_corrected_year_replaces_only_that_year)
{
    calendar_t *cal = s_cn ();
    const char *fix = "{\"year\":2025,\"days\":[{\"name\":\"国庆节\","
                      "\"date\":\"2025-10-01\",\"isOffDay\":true}]}";
    char err[CALENDAR_ERR_MAX] = "";
    calendar_t *year = calendar_parse (fix, strlen (fix), err);
    cr_assert_not_null (year, "%s", err);
    cr_assert_eq (calendar_merge (cal, year), 0);
    cr_expect_eq (calendar_working_day (cal, calendar_date (2025, 10, 8)), 1,
                  "no longer a holiday");
    cr_expect_eq (calendar_working_day (cal, calendar_date (2025, 10, 11)), 0,
                  "no longer a make-up Saturday");
    cr_expect_eq (calendar_working_day (cal, calendar_date (2026, 2, 14)), 1,
                  "2026 untouched");
    calendar_destroy (&year);
    calendar_destroy (&cal);
}

/* A file that must be refused, and what the reason must say. */
typedef struct {
    const char *text;     /* the file */
    const char *expected; /* in the reason */
} s_bad_case_t;

Test (calendar, a_malformed_file_is_refused_naming_its_line_and_field)
{
    static const s_bad_case_t cases[] = {
        {"", "line 1: the file ends too early"},
        {"{\"year\":2026,\n\"days\":[\n{\"date\":\"2026-01-01\"}]}",
         "line 3: days[0].isOffDay is missing"},
        {"{\"year\":2026,\"days\":[{\"date\":\"2026-01-01\",\n"
         "\"isOffDay\":\"yes\"}]}",
         "line 2: days[0].isOffDay must be true or false"},
        {"{\"year\":2026,\"days\":[\n{\"date\":\"2026-02-30\","
         "\"isOffDay\":true}]}",
         "line 2: date \"2026-02-30\" is not a date"},
        {"{\"year\":2026,\"days\":[{\"date\":\"2029-01-01\","
         "\"isOffDay\":true}]}",
         "2029-01-01 is not in 2026 or a year beside it"},
        {"{\"year\":2026,\"days\":[{\"date\":\"2026-01-01\",\"isOffDay\":"
         "true},\n{\"date\":\"2026-01-01\",\"isOffDay\":false}]}",
         "line 2: 2026-01-01 is named twice (first on line 1)"},
        {"{\"year\":2027,\"papers\":[],\"days\":[]}",
         "year 2027 names no days"},
        {"{\"year\":1999,\"days\":[{\"date\":\"1999-01-01\","
         "\"isOffDay\":true}]}",
         "year 1999 is outside 2000-2099"},
        {"{\"year\":\"2026\",\"days\":[]}", "year must be a number"},
        {"{\"year\":2026,\n\"days\":[}", "line 2: not a JSON value"},
        {"{\"year\":2026,\"days\":[{\"date\":\"2026-01-01\",\"isOffDay\":"
         "true,\"name\":7}]}",
         "days[0].name must be a text"},
        {"{\"holidays\":{\"2026-01-01\":1},\"workdays\":{}}",
         "holidays.2026-01-01 must be a text"},
        {"{\"holidays\":{\"2026-01-01\":\"a\"},\n\"workdays\":"
         "{\"2026-01-01\":\"b\"}}",
         "2026-01-01 is named twice"},
        {"{\"holidays\":{\"2026-01-01\":\"a\"}}", "workdays is missing"},
        {"{\"year\":2026,\"dates\":[{\"date\":\"2026-01-01\",\"type\":"
         "\"holiday\"}]}",
         "dates[0].type must be public_holiday or transfer_workday"},
        {"{\"calendar\":\"cn\"}", "line 1: not a calendar"},
        {"[{\"year\":2026,\"days\":[{\"date\":\"2026-01-01\",\"isOffDay\":"
         "true}]},\n{\"year\":2026,\"days\":[]}]",
         "line 2: year 2026 is given twice"},
        {"{\"year\":2026,\"days\":[{\"date\":\"2026-01-01\",\"isOffDay\":"
         "true,\"name\":\"\\u0000\"}]}",
         "a NUL character in a string"},
        {"{\"year\":2026,\"days\":[{\"date\":\"2026-01-01\",\"isOffDay\":"
         "true,\"name\":\"\xff\"}]}",
         "invalid UTF-8 in a string"},
        {"{\"year\":2026,\"days\":[]} x", "text after the JSON value"},
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
        char err[CALENDAR_ERR_MAX] = "";
        calendar_t *cal =
            calendar_parse (cases[i].text, strlen (cases[i].text), err);
        cr_expect_null (cal, "case %zu accepted", i);
        calendar_destroy (&cal);
        cr_expect (strstr (err, cases[i].expected), "case %zu: \"%s\" lacks %s",
                   i, err, cases[i].expected);
    }
}

Test (calendar, deep_nesting_and_huge_files_are_refused_not_crashed_on)
{
    char deep[200];
    memset (deep, '[', sizeof (deep) - 1);
    deep[sizeof (deep) - 1] = 0;
    char err[CALENDAR_ERR_MAX] = "";
    cr_expect_null (calendar_parse (deep, strlen (deep), err));
    cr_expect (strstr (err, "nested deeper than"), "%s", err);
    cr_expect_null (calendar_parse ("{}", CALENDAR_FILE_MAX + 1, err));
    cr_expect (strstr (err, "larger than"), "%s", err);
}

/* ---- dates and hours --------------------------------------------------- */

Test (calendar, dates_round_trip_over_the_years_a_calendar_may_hold)
{
    int32_t first = calendar_date (2000, 1, 1);
    cr_expect_eq (first, 10957);
    int32_t last = calendar_date (2099, 12, 31);
    for (int32_t d = first; d <= last; d++) {
        int y, m, day;
        calendar_civil (d, &y, &m, &day);
        cr_assert_eq (calendar_date (y, m, day), d, "day %d", d);
    }
    cr_expect_eq (calendar_date (2025, 2, 29), -1);
    cr_expect_eq (calendar_date (2024, 2, 29), calendar_date (2024, 3, 1) - 1);
    cr_expect_eq (calendar_date (2025, 13, 1), -1);
    cr_expect_eq (calendar_day_of (s_ms ("2025-10-11 00:00")),
                  calendar_date (2025, 10, 11));
    cr_expect_eq (calendar_day_of (s_ms ("2025-10-10 23:59:59")),
                  calendar_date (2025, 10, 10));
}

Test (calendar, working_hours_are_parsed_and_bad_ones_refused)
{
    calendar_hours_t h;
    char err[CALENDAR_ERR_MAX], text[128];
    cr_assert_eq (calendar_hours_parse ("09:00-12:00,13:30-17:30", &h, err), 0,
                  "%s", err);
    cr_expect_eq (h.count, 2);
    cr_expect_str_eq (calendar_hours_format (&h, text, sizeof (text)),
                      "09:00-12:00 13:30-17:30");
    cr_expect_eq (calendar_hours_parse ("00:00-24:00", &h, err), 0);
    static const char *bad[] = {"",
                                "08:30",
                                "8:30-12:00",
                                "12:00-08:30",
                                "08:30-12:00 11:00-13:00",
                                "08:30-12:60",
                                "24:30-25:00",
                                "08:30-12:00x"};
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        err[0] = 0;
        cr_expect_neq (calendar_hours_parse (bad[i], &h, err), 0, "\"%s\"",
                       bad[i]);
        cr_expect (strstr (err, "working hours"), "%s", err);
    }
}
