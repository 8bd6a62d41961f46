/*  proto_time: RFC 3339 times to and from ms since the epoch.

    Calendar arithmetic is done here with Howard Hinnant's days-from-civil
    algorithms instead of timegm/localtime: those depend on the TZ
    environment and are not all reentrant, and the daemon must give the same
    answer on every machine. Asia/Shanghai has had no DST since 1991, so a
    fixed +08:00 offset is exact for every time the system accepts.
*/
#include "proto_internal.h"

#include <string.h>

#define S_MS_PER_DAY   86400000LL
#define S_SHANGHAI_MS  (8LL * 3600 * 1000)
#define S_FRACTION_MAX 9 /* digits of a fraction we accept (ns) */

/* Days since 1970-01-01 of a proleptic Gregorian date. Valid for any year
   an int can hold; month and day must already be in range. */
int64_t
proto_days_from_civil (int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t yoe = year - era * 400;
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of proto_days_from_civil. */
void
proto_civil_from_days (int64_t days, int64_t *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

static bool
s_is_leap_year (int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
s_days_in_month (int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    if (month == 2 && s_is_leap_year (year))
        return 29;
    return days[month - 1];
}

/* Reads exactly `count` decimal digits at *cursor. Stops at the first
   non-digit, so the NUL terminator is never read past. */
static int
s_read_digits (const char **cursor, int count, int *value)
{
    int result = 0;
    for (int index = 0; index < count; index++) {
        char c = (*cursor)[0];
        if (c < '0' || c > '9')
            return -1;
        result = result * 10 + (c - '0');
        (*cursor)++;
    }
    *value = result;
    return 0;
}

static int
s_expect (const char **cursor, char c)
{
    if (**cursor != c)
        return -1;
    (*cursor)++;
    return 0;
}

int
proto_time_parse (const char *text, int64_t *ms)
{
    if (!text || !ms)
        return -1;
    const char *cursor = text;
    int year, month, day, hour, minute, second;
    if (s_read_digits (&cursor, 4, &year) || s_expect (&cursor, '-') ||
        s_read_digits (&cursor, 2, &month) || s_expect (&cursor, '-') ||
        s_read_digits (&cursor, 2, &day))
        return -1;
    //  RFC 3339 section 5.6 allows a space or a lowercase t as separator.
    if (*cursor != 'T' && *cursor != 't' && *cursor != ' ')
        return -1;
    cursor++;
    if (s_read_digits (&cursor, 2, &hour) || s_expect (&cursor, ':') ||
        s_read_digits (&cursor, 2, &minute) || s_expect (&cursor, ':') ||
        s_read_digits (&cursor, 2, &second))
        return -1;
    if (month < 1 || month > 12 || day < 1 ||
        day > s_days_in_month (year, month) || hour > 23 || minute > 59 ||
        second > 60)
        return -1;

    //  Digits beyond milliseconds are accepted and dropped: the wire format
    //  carries ms, and a platform that sends µs means the same instant.
    int fraction_ms = 0;
    if (*cursor == '.') {
        cursor++;
        int digits = 0;
        while (*cursor >= '0' && *cursor <= '9') {
            if (digits < 3)
                fraction_ms = fraction_ms * 10 + (*cursor - '0');
            digits++;
            cursor++;
        }
        if (digits == 0 || digits > S_FRACTION_MAX)
            return -1;
        for (; digits < 3; digits++)
            fraction_ms *= 10;
    }

    //  A time without an offset is ambiguous, so the offset is required.
    int64_t offset_s = 0;
    if (*cursor == 'Z' || *cursor == 'z')
        cursor++;
    else if (*cursor == '+' || *cursor == '-') {
        int sign = *cursor == '-' ? -1 : 1;
        int offset_hour, offset_minute;
        cursor++;
        if (s_read_digits (&cursor, 2, &offset_hour) ||
            s_expect (&cursor, ':') ||
            s_read_digits (&cursor, 2, &offset_minute) || offset_hour > 23 ||
            offset_minute > 59)
            return -1;
        offset_s = sign * (offset_hour * 3600LL + offset_minute * 60LL);
    } else
        return -1;
    if (*cursor != '\0')
        return -1;

    //  A leap second (:60) lands on the next minute's first second, as POSIX
    //  time has no other place for it.
    int64_t seconds = proto_days_from_civil (year, month, day) * 86400 +
                      hour * 3600LL + minute * 60LL + second - offset_s;
    *ms = seconds * 1000 + fraction_ms;
    return 0;
}

/* Writes `value` as exactly `width` digits followed by `separator`. */
static char *
s_put_digits (char *out, int value, int width, char separator)
{
    for (int index = width - 1; index >= 0; index--) {
        out[index] = (char)('0' + value % 10);
        value /= 10;
    }
    out[width] = separator;
    return out + width + 1;
}

char *
proto_time_format (int64_t ms, char *buf)
{
    if (!buf)
        return NULL;
    //  Clamping to years 0000..9999 keeps the text in 32 bytes and the
    //  arithmetic below far from overflow; valid events never get near.
    int64_t earliest =
        proto_days_from_civil (0, 1, 1) * S_MS_PER_DAY - S_SHANGHAI_MS;
    int64_t latest =
        proto_days_from_civil (10000, 1, 1) * S_MS_PER_DAY - S_SHANGHAI_MS - 1;
    if (ms < earliest)
        ms = earliest;
    if (ms > latest)
        ms = latest;

    int64_t local = ms + S_SHANGHAI_MS;
    int64_t days = local / S_MS_PER_DAY;
    int64_t rest = local % S_MS_PER_DAY;
    if (rest < 0) {
        rest += S_MS_PER_DAY;
        days--;
    }
    int64_t year;
    int month, day;
    proto_civil_from_days (days, &year, &month, &day);
    //  Written digit by digit: every value is in range by construction,
    //  and this keeps the output length obvious (25 or 29 bytes).
    char *out = buf;
    out = s_put_digits (out, (int)year, 4, '-');
    out = s_put_digits (out, month, 2, '-');
    out = s_put_digits (out, day, 2, 'T');
    out = s_put_digits (out, (int)(rest / 3600000), 2, ':');
    out = s_put_digits (out, (int)(rest / 60000 % 60), 2, ':');
    int millis = (int)(rest % 1000);
    if (millis) {
        out = s_put_digits (out, (int)(rest / 1000 % 60), 2, '.');
        out = s_put_digits (out, millis, 3, '+');
    } else
        out = s_put_digits (out, (int)(rest / 1000 % 60), 2, '+');
    memcpy (out, "08:00", 6);
    return buf;
}
