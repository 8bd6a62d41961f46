/*  state_calendar: the working time in force and where it is kept
    (state.h, docs/calendar.md).

    STORE_CALENDAR holds two kinds of record:
      "settings"   "calendar\nworking hours\nwindows", as the daemon's
                   configuration gave them (absent: the defaults)
      "year/2026"  a year imported with hotline calendar import, in the
                   holiday-cn form, as written here from the parsed file
    and the meta value "calendar_gen" counts the changes of either, so
    that a writer holding a loaded calendar sees with one read whether it
    must load again.

    The calendar in force is the shipped calendar the settings name with
    the imported years over it: a corrected year replaces the shipped
    one, and a new binary with more shipped years adds them. */
#include "state_internal.h"

#include "calendar.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SETTINGS    "settings"
#define S_YEAR        "year/"
#define S_GEN         "calendar_gen"
#define S_TEXT_MAX    256 /* each setting's text, bytes */
#define S_SETTING_MAX (3 * S_TEXT_MAX)

struct _state_calendar_t {
    char id[16];                      /* the shipped calendar, or "none" */
    bool working;                     /* working time on */
    calendar_t *calendar;             /* shipped years, imported over */
    calendar_hours_t hours;           /* the working hours of a day */
    char hours_text[S_TEXT_MAX];      /* as given */
    char windows_text[S_TEXT_MAX];    /* as given */
    int64_t window_ms[STATE_WINDOWS]; /* each window's length */
    bool window_wh[STATE_WINDOWS];    /* measured in working time */
    uint64_t gen;                     /* the store's calendar_gen then */
};

static const char *s_window_names[STATE_WINDOWS] = {"sign", "contact",
                                                    "return"};

/* ---- settings ---------------------------------------------------------- */

/* "sign 1wh contact 2wh return 2h": each window named, then its length.
   Windows left out keep their defaults (1wh, 2wh, 2wh). */
static int
s_windows_parse (state_calendar_t *self, const char *text, char *err)
{
    static const int64_t defaults[STATE_WINDOWS] = {
        1 * PROTO_HOUR_MS, 2 * PROTO_HOUR_MS, 2 * PROTO_HOUR_MS};
    for (int w = 0; w < STATE_WINDOWS; w++) {
        self->window_ms[w] = defaults[w];
        self->window_wh[w] = self->working;
    }
    char copy[S_TEXT_MAX];
    snprintf (copy, sizeof (copy), "%s", text);
    char *save = NULL;
    for (char *name = strtok_r (copy, " \t,", &save); name;
         name = strtok_r (NULL, " \t,", &save)) {
        int w = 0;
        while (w < STATE_WINDOWS && strcmp (s_window_names[w], name) != 0)
            w++;
        char *value = strtok_r (NULL, " \t,", &save);
        if (w == STATE_WINDOWS || !value) {
            snprintf (err, 256,
                      "windows: expected \"sign 1wh contact 2wh return 2wh\" "
                      "(sign, contact, return, each with its hours), not "
                      "\"%.40s\"",
                      text);
            return -1;
        }
        char *end = NULL;
        double hours = strtod (value, &end);
        bool wh = end && strcmp (end, "wh") == 0;
        if (end == value || !(hours > 0 && hours <= 999) ||
            (!wh && strcmp (end, "h") != 0)) {
            snprintf (err, 256,
                      "windows: %s %.20s must be hours of working time "
                      "(\"2wh\") or of wall time (\"2h\"), more than 0 and "
                      "at most 999",
                      name, value);
            return -1;
        }
        if (wh && !self->working) {
            snprintf (err, 256,
                      "windows: %s %s is in working hours, but calendar = "
                      "none: name a calendar (cn) or give the windows in "
                      "wall hours (\"sign 1h contact 2h return 2h\")",
                      name, value);
            return -1;
        }
        self->window_ms[w] = (int64_t)(hours * (double)PROTO_HOUR_MS + 0.5);
        self->window_wh[w] = wh;
    }
    return 0;
}

/* Builds self from the three settings: the shipped calendar, the hours,
   the windows. */
static int
s_apply_settings (state_calendar_t *self, const char *id, const char *hours,
                  const char *windows, char *err)
{
    if (strlen (id) >= sizeof (self->id) || strlen (hours) >= S_TEXT_MAX ||
        strlen (windows) >= S_TEXT_MAX) {
        snprintf (err, 256, "calendar, working_hours or windows too long");
        return -1;
    }
    snprintf (self->id, sizeof (self->id), "%s", id);
    snprintf (self->hours_text, sizeof (self->hours_text), "%s", hours);
    snprintf (self->windows_text, sizeof (self->windows_text), "%s", windows);
    self->working = strcmp (id, "none") != 0;
    char why[CALENDAR_ERR_MAX];
    calendar_destroy (&self->calendar);
    self->calendar =
        self->working ? calendar_shipped (id, why) : calendar_new ();
    if (!self->calendar) {
        snprintf (err, 256, "calendar: %s (or none)",
                  self->working ? why : "out of memory");
        return -1;
    }
    if (calendar_hours_parse (hours, &self->hours, why) != 0) {
        snprintf (err, 256, "%s", why);
        return -1;
    }
    return s_windows_parse (self, windows, err);
}

int
state_calendar_check (const char *calendar, const char *hours,
                      const char *windows, char *err)
{
    state_calendar_t self;
    memset (&self, 0, sizeof (self));
    int rc = s_apply_settings (&self, calendar, hours, windows, err);
    calendar_destroy (&self.calendar);
    return rc;
}

/* The settings' record: "calendar\nhours\nwindows". */
static void
s_settings_text (const char *calendar, const char *hours, const char *windows,
                 char *text)
{
    snprintf (text, S_SETTING_MAX, "%s\n%s\n%s", calendar, hours, windows);
}

static int
s_bump (store_txn_t *txn)
{
    uint64_t gen = 0;
    store_meta_get (txn, S_GEN, &gen);
    return store_meta_put (txn, S_GEN, gen + 1);
}

int
state_calendar_configure (store_txn_t *txn, const char *calendar,
                          const char *hours, const char *windows, char *err)
{
    if (state_calendar_check (calendar, hours, windows, err) != 0)
        return -1;
    char text[S_SETTING_MAX], old[S_SETTING_MAX];
    s_settings_text (calendar, hours, windows, text);
    size_t size = sizeof (old) - 1;
    int rc = store_get (txn, STORE_CALENDAR, S_SETTINGS, strlen (S_SETTINGS),
                        old, &size);
    if (rc == STORE_OK && size == strlen (text) &&
        memcmp (old, text, size) == 0)
        return STORE_OK;
    if (rc != STORE_OK && rc != STORE_NOTFOUND && rc != STORE_TOOBIG)
        return rc;
    rc = store_put (txn, STORE_CALENDAR, S_SETTINGS, strlen (S_SETTINGS), text,
                    strlen (text));
    return rc == STORE_OK ? s_bump (txn) : rc;
}

/* ---- loading ----------------------------------------------------------- */

void
state_calendar_destroy (state_calendar_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    calendar_destroy (&(*self_p)->calendar);
    free (*self_p);
    *self_p = NULL;
}

/* The stored settings, or the defaults. */
static int
s_settings_get (store_txn_t *txn, char *id, char *hours, char *windows)
{
    char text[S_SETTING_MAX];
    size_t size = sizeof (text) - 1;
    int rc = store_get (txn, STORE_CALENDAR, S_SETTINGS, strlen (S_SETTINGS),
                        text, &size);
    if (rc == STORE_NOTFOUND) {
        strcpy (id, STATE_CALENDAR_DEFAULT);
        strcpy (hours, STATE_HOURS_DEFAULT);
        strcpy (windows, STATE_WINDOWS_DEFAULT);
        return STORE_OK;
    }
    if (rc != STORE_OK)
        return rc;
    text[size] = 0;
    char *first = strchr (text, '\n');
    char *second = first ? strchr (first + 1, '\n') : NULL;
    if (!second || first - text >= 16)
        return STORE_ERROR;
    *first = *second = 0;
    strcpy (id, text);
    snprintf (hours, S_TEXT_MAX, "%s", first + 1);
    snprintf (windows, S_TEXT_MAX, "%s", second + 1);
    return STORE_OK;
}

/* Lays the imported years over the shipped ones. */
static int
s_overlay_imported (store_txn_t *txn, calendar_t *calendar, char *err)
{
    store_cursor_t *cursor =
        store_cursor_new (txn, STORE_CALENDAR, S_YEAR, strlen (S_YEAR));
    if (!cursor) {
        snprintf (err, 256, "calendar: cannot read the store");
        return -1;
    }
    const void *key, *value;
    size_t key_size, size;
    int rc = 0;
    while (rc == 0 && store_cursor_next (cursor, &key, &key_size, &value,
                                         &size) == STORE_OK) {
        char why[CALENDAR_ERR_MAX];
        calendar_t *year = calendar_parse (value, size, why);
        if (!year || calendar_merge (calendar, year) != 0) {
            snprintf (err, 256, "calendar: the stored %.*s: %s",
                      (int)(key_size < 16 ? key_size : 16), (const char *)key,
                      year ? "out of memory" : why);
            rc = -1;
        }
        calendar_destroy (&year);
    }
    store_cursor_destroy (&cursor);
    return rc;
}

state_calendar_t *
state_calendar_load (store_txn_t *txn, char *err)
{
    char id[16], hours[S_TEXT_MAX], windows[S_TEXT_MAX];
    if (s_settings_get (txn, id, hours, windows) != STORE_OK) {
        snprintf (err, 256, "calendar: cannot read the settings in the store");
        return NULL;
    }
    state_calendar_t *self = calloc (1, sizeof (*self));
    if (!self) {
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    store_meta_get (txn, S_GEN, &self->gen);
    if (s_apply_settings (self, id, hours, windows, err) != 0 ||
        s_overlay_imported (txn, self->calendar, err) != 0)
        state_calendar_destroy (&self);
    return self;
}

int
state_calendar_sync (store_txn_t *txn, state_calendar_t **self_p, char *err)
{
    uint64_t gen = 0;
    store_meta_get (txn, S_GEN, &gen);
    if (*self_p && (*self_p)->gen == gen)
        return 0;
    state_calendar_t *fresh = state_calendar_load (txn, err);
    if (!fresh)
        return -1;
    state_calendar_destroy (self_p);
    *self_p = fresh;
    return 0;
}

/* ---- accessors --------------------------------------------------------- */

bool
state_calendar_working (const state_calendar_t *self)
{
    return self->working;
}

int64_t
state_calendar_window (const state_calendar_t *self, state_window_t window,
                       bool *working)
{
    *working = self->window_wh[window];
    return self->window_ms[window];
}

int
state_calendar_span (const state_calendar_t *self, bool working, int64_t from,
                     int64_t to, int64_t *ms, int *missing)
{
    if (!working) {
        *ms = to > from ? to - from : 0;
        return 0;
    }
    return calendar_work_between (self->calendar, &self->hours, from, to, ms,
                                  missing) == CALENDAR_OK
               ? 0
               : -1;
}

const calendar_t *
state__calendar_days (const state_calendar_t *self,
                      const calendar_hours_t **hours)
{
    *hours = &self->hours;
    return self->calendar;
}

const char *
state__calendar_id (const state_calendar_t *self)
{
    return self->id;
}

/* ---- import and show --------------------------------------------------- */

/* A year in the holiday-cn form, as the store keeps it. */
static char *
s_year_json (const calendar_t *calendar, int year)
{
    size_t n;
    const calendar_day_t *days = calendar_days (calendar, year, &n);
    json_writer_t json;
    json_init (&json, 256 + n * 64);
    json_open (&json, '{');
    json_member_int (&json, "year", year);
    json_key (&json, "days");
    json_open (&json, '[');
    for (size_t i = 0; i < n; i++) {
        char date[11];
        json_open (&json, '{');
        json_member_string (&json, "name", days[i].name);
        json_member_string (&json, "date",
                            calendar_date_format (days[i].date, date));
        json_member_bool (&json, "isOffDay", days[i].off);
        json_close (&json, '}');
    }
    json_close (&json, ']');
    json_close (&json, '}');
    return json_finish (&json);
}

char *
state_calendar_import (store_txn_t *txn, const char *text, size_t size,
                       int *store_rc, char *err)
{
    *store_rc = STORE_OK;
    char why[CALENDAR_ERR_MAX];
    calendar_t *file = calendar_parse (text, size, why);
    if (!file) {
        snprintf (err, 256, "%s", why);
        return NULL;
    }
    char id[16], hours[S_TEXT_MAX], windows[S_TEXT_MAX];
    int rc = s_settings_get (txn, id, hours, windows);
    json_writer_t json;
    json_init (&json, 256);
    json_open (&json, '{');
    json_member_string (&json, "calendar", id);
    json_key (&json, "years");
    json_open (&json, '[');
    for (int y = calendar_next (file, CALENDAR_YEAR_MIN - 1);
         y && rc == STORE_OK; y = calendar_next (file, y)) {
        char key[16], *value = s_year_json (file, y);
        snprintf (key, sizeof (key), S_YEAR "%d", y);
        rc = value ? store_put (txn, STORE_CALENDAR, key, strlen (key), value,
                                strlen (value))
                   : STORE_ERROR;
        free (value);
        json_int (&json, y);
    }
    json_close (&json, ']');
    json_close (&json, '}');
    calendar_destroy (&file);
    if (rc == STORE_OK)
        rc = s_bump (txn);
    if (rc != STORE_OK) {
        json_free (&json);
        snprintf (err, 256, "calendar not stored: %s", store_strerror (rc));
        *store_rc = rc;
        return NULL;
    }
    return json_finish (&json);
}

static bool
s_imported (store_txn_t *txn, int year)
{
    char key[16];
    snprintf (key, sizeof (key), S_YEAR "%d", year);
    return store_exists (txn, STORE_CALENDAR, key, strlen (key)) == STORE_OK;
}

/* The days of a notice that are off, or working, as [{"date","name"}]. */
static void
s_days (json_writer_t *json, const calendar_t *calendar, int year, bool off)
{
    size_t n;
    const calendar_day_t *days = calendar_days (calendar, year, &n);
    json_open (json, '[');
    for (size_t i = 0; i < n; i++) {
        if (days[i].off != off)
            continue;
        char date[11];
        json_open (json, '{');
        json_member_string (json, "date",
                            calendar_date_format (days[i].date, date));
        json_member_string (json, "name", days[i].name);
        json_close (json, '}');
    }
    json_close (json, ']');
}

/* The settings and the years held. */
static void
s_summary (json_writer_t *json, store_txn_t *txn, const state_calendar_t *c)
{
    json_member_string (json, "working_hours", c->hours_text);
    json_key (json, "windows");
    json_open (json, '{');
    for (int w = 0; w < STATE_WINDOWS; w++) {
        char text[32];
        snprintf (text, sizeof (text), "%g%s",
                  (double)c->window_ms[w] / (double)PROTO_HOUR_MS,
                  c->window_wh[w] ? "wh" : "h");
        json_member_string (json, s_window_names[w], text);
    }
    json_close (json, '}');
    json_key (json, "years");
    json_open (json, '[');
    for (int y = calendar_next (c->calendar, CALENDAR_YEAR_MIN - 1); y;
         y = calendar_next (c->calendar, y)) {
        json_open (json, '{');
        json_member_int (json, "year", y);
        json_member_string (json, "source",
                            s_imported (txn, y) ? "imported" : "shipped");
        json_close (json, '}');
    }
    json_close (json, ']');
}

char *
state_calendar_json (store_txn_t *txn, int year, char *err)
{
    state_calendar_t *c = state_calendar_load (txn, err);
    if (!c)
        return NULL;
    if (year && !calendar_has (c->calendar, year)) {
        snprintf (err, 256,
                  "the calendar (%s) has no year %d: import its notice with "
                  "hotline calendar import FILE",
                  c->id, year);
        state_calendar_destroy (&c);
        return NULL;
    }
    json_writer_t json;
    json_init (&json, 4096);
    json_open (&json, '{');
    json_member_string (&json, "calendar", c->id);
    if (year) {
        json_member_int (&json, "year", year);
        json_member_string (&json, "source",
                            s_imported (txn, year) ? "imported" : "shipped");
        json_key (&json, "days_off");
        s_days (&json, c->calendar, year, true);
        json_key (&json, "working_days");
        s_days (&json, c->calendar, year, false);
    } else
        s_summary (&json, txn, c);
    json_close (&json, '}');
    state_calendar_destroy (&c);
    return json_finish (&json);
}
