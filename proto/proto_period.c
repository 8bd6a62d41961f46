/*  proto_period: calendar months and quarters in Asia/Shanghai. */
#include "proto.h"

#include <stdio.h>
#include <string.h>

/* Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so a
   fixed offset is exact for every time the store accepts (2000-2100). */
#define SHANGHAI_OFFSET_MS (8LL * 3600 * 1000)
#define DAY_MS             (86400LL * 1000)

proto_period_t
proto_period_of (int64_t ms, proto_period_kind_t kind)
{
    int64_t local = ms + SHANGHAI_OFFSET_MS;
    int64_t days = local >= 0 ? local / DAY_MS : (local - DAY_MS + 1) / DAY_MS;
    int64_t year;
    int month, day;
    proto_civil_from_days (days, &year, &month, &day);
    proto_period_t period = {kind, 0};
    period.code = kind == PROTO_MONTH ? year * 12 + (month - 1)
                                      : year * 4 + (month - 1) / 3;
    return period;
}

int
proto_period_parse (const char *text, proto_period_t *period)
{
    int year, n;
    char tail;
    if (strlen (text) != 7 || text[4] != '-')
        return -1;
    if (sscanf (text, "%4d-Q%1d%c", &year, &n, &tail) == 2 && text[5] == 'Q' &&
        n >= 1 && n <= 4) {
        period->kind = PROTO_QUARTER;
        period->code = year * 4 + n - 1;
    } else if (sscanf (text, "%4d-%2d%c", &year, &n, &tail) == 2 && n >= 1 &&
               n <= 12 && text[5] >= '0' && text[5] <= '1') {
        period->kind = PROTO_MONTH;
        period->code = year * 12 + n - 1;
    } else
        return -1;
    return year >= 2000 && year <= 2099 ? 0 : -1;
}

char *
proto_period_format (proto_period_t period, char *buf)
{
    /* Called for every counter a batch touches: digits by hand, no
       snprintf. */
    int year, part;
    if (period.kind == PROTO_MONTH) {
        year = (int)(period.code / 12) % 10000;
        part = (int)(period.code % 12) + 1;
    } else {
        year = (int)(period.code / 4) % 10000;
        part = (int)(period.code % 4) + 1;
    }
    if (year < 0 || part < 1) { /* outside any real calendar */
        snprintf (buf, 8, "%04d-%02d", year, part);
        return buf;
    }
    buf[0] = (char)('0' + year / 1000);
    buf[1] = (char)('0' + year / 100 % 10);
    buf[2] = (char)('0' + year / 10 % 10);
    buf[3] = (char)('0' + year % 10);
    buf[4] = '-';
    if (period.kind == PROTO_MONTH) {
        buf[5] = (char)('0' + part / 10);
        buf[6] = (char)('0' + part % 10);
    } else {
        buf[5] = 'Q';
        buf[6] = (char)('0' + part);
    }
    buf[7] = 0;
    return buf;
}

static int64_t
s_month_start (int year, int month0)
{
    year += month0 / 12;
    month0 %= 12;
    return proto_days_from_civil (year, month0 + 1, 1) * DAY_MS -
           SHANGHAI_OFFSET_MS;
}

int64_t
proto_period_start (proto_period_t period)
{
    if (period.kind == PROTO_MONTH)
        return s_month_start (period.code / 12, period.code % 12);
    return s_month_start (period.code / 4, (period.code % 4) * 3);
}

int64_t
proto_period_end (proto_period_t period)
{
    if (period.kind == PROTO_MONTH)
        return s_month_start (period.code / 12, period.code % 12 + 1);
    return s_month_start (period.code / 4, (period.code % 4) * 3 + 3);
}
