/*  gen_golden: hotline-synth's reader of published tables (golden CSV
    files, gen_internal.h), through proto's one CSV reader. Each unit's
    counters are checked to fit together before anything is planned, and
    every refusal names the file, the line and the unit. */
#include "gen_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Index of the field named `name`, or -1. */
static int
s_column (char **fields, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp (fields[i], name) == 0)
            return (int)i;
    return -1;
}

/* Strips surrounding blanks in place. */
static char *
s_trim (char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen (text);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        text[--len] = '\0';
    return text;
}

static int
s_parse_count (const char *text, long *value)
{
    char *end;
    if (*text < '0' || *text > '9')
        return -1;
    errno = 0;
    long n = strtol (text, &end, 10);
    if (errno || *end || n > GEN_MAX_COUNT)
        return -1;
    *value = n;
    return 0;
}

/* Reads the next "<digits>" of a note; -1 when there are none. */
static long
s_note_number (const char **p)
{
    long n = -1;
    while (**p >= '0' && **p <= '9' && n < GEN_MAX_COUNT)
        n = (n < 0 ? 0 : n * 10) + (*(*p)++ - '0');
    return n;
}

static bool
s_skip (const char **p, const char *word)
{
    size_t len = strlen (word);
    if (strncmp (*p, word, len) != 0)
        return false;
    *p += len;
    return true;
}

/* Parses a fufeng note: items like "10月逾期2件" (late closures) and
   "12月退回重办1件" (rework) separated by commas, Chinese commas, "、" or
   semicolons. Returns 0, or -1 after printing why. */
static int
s_note_parse (const gen_scheme_t *scheme, gen_golden_unit_t *unit,
              const char *note)
{
    const char *p = note;
    while (true) {
        while (s_skip (&p, " ") || s_skip (&p, ",") || s_skip (&p, ";") ||
               s_skip (&p, "，") || s_skip (&p, "、") || s_skip (&p, "；"))
            ;
        if (!*p)
            return 0;
        const char *item = p;
        long month = s_note_number (&p);
        long *counts = NULL;
        if (month >= 0 && s_skip (&p, "月")) {
            if (s_skip (&p, "逾期"))
                counts = unit->late_by_month;
            else if (s_skip (&p, "退回重办") || s_skip (&p, "发回重办") ||
                     s_skip (&p, "返工"))
                counts = unit->rework_by_month;
        }
        long n = counts ? s_note_number (&p) : -1;
        if (n < 0 || !s_skip (&p, "件")) {
            fprintf (stderr,
                     "hotline-synth: golden line %ld (%s): cannot read note "
                     "\"%s\" at \"%s\" (expected e.g. 10月逾期2件 or "
                     "12月退回重办1件)\n",
                     unit->line, unit->name, note, item);
            return -1;
        }
        int index = (int)month - scheme->first_month;
        if (index < 0 || index >= scheme->months) {
            fprintf (stderr,
                     "hotline-synth: golden line %ld (%s): note names month "
                     "%ld, outside the period %d-%02d..%d-%02d\n",
                     unit->line, unit->name, month, scheme->year,
                     scheme->first_month, scheme->year,
                     scheme->first_month + scheme->months - 1);
            return -1;
        }
        counts[index] += n;
    }
}

/* Checks the published counters fit together and can be produced.
   Returns 0, or -1 after printing why. */
static int
s_unit_check (const gen_scheme_t *scheme, gen_golden_unit_t *unit, long alerts)
{
    const char *why = NULL;
    if (unit->closed > unit->should_close)
        why = "closed is larger than should_close";
    else if (unit->on_time > unit->closed)
        why = "on_time is larger than closed";
    else if (unit->unsatisfied + unit->rework > unit->closed)
        why = "unsatisfied + rework is larger than closed (each goes on its "
              "own closed ticket)";
    if (why) {
        fprintf (stderr, "hotline-synth: golden line %ld (%s): %s\n",
                 unit->line, unit->name, why);
        return -1;
    }
    long late = 0, rework = 0;
    for (int m = 0; m < scheme->months; m++) {
        late += unit->late_by_month[m];
        rework += unit->rework_by_month[m];
    }
    if (late != unit->closed - unit->on_time) {
        fprintf (stderr,
                 "hotline-synth: golden line %ld (%s): the note gives %ld "
                 "late closures, but closed - on_time is %ld\n",
                 unit->line, unit->name, late, unit->closed - unit->on_time);
        return -1;
    }
    if (rework != unit->rework) {
        fprintf (stderr,
                 "hotline-synth: golden line %ld (%s): the note gives %ld "
                 "rework, but redo is %ld\n",
                 unit->line, unit->name, rework, unit->rework);
        return -1;
    }
    //  jintai's alert item is computed from closed_late, so its published
    //  alerts column should equal closed - on_time; a mismatch is the
    //  source's, and the stream follows the counters that score.
    if (alerts >= 0 && alerts != late)
        fprintf (stderr,
                 "hotline-synth: warning: golden line %ld (%s): alerts is "
                 "%ld but closed - on_time is %ld; generating %ld late "
                 "closures\n",
                 unit->line, unit->name, alerts, late, late);
    return 0;
}

/* Column names per scheme; unsatisfied and alerts are jintai's only. */
enum {
    COL_GROUP,
    COL_UNIT,
    COL_SHOULD_CLOSE,
    COL_CLOSED,
    COL_ON_TIME,
    COL_OVERDUE_RETURNS,
    COL_REWORK,
    COL_UNSATISFIED,
    COL_ALERTS,
    COL_NOTE,
    COL_COUNT
};

/* Where the golden file keeps the columns the scheme needs. */
typedef struct {
    const gen_scheme_t *scheme;   /* whose columns */
    const char *path;             /* the golden file, for messages */
    const char *names[COL_COUNT]; /* column names; NULL: not needed */
    int columns[COL_COUNT];       /* their places; -1: not needed */
} s_columns_t;

/* The next record that is not a blank line: 1, 0 at the end, or -1. */
static int
s_golden_next (proto_csv_t *csv, char ***fields, size_t *count)
{
    int got;
    while ((got = proto_csv_next (csv, fields, count)) == 1 && *count == 1 &&
           !(*fields)[0][0])
        ;
    return got;
}

/* Finds the scheme's columns in the header. Returns 0, or -1 after
   printing why. */
static int
s_golden_header (s_columns_t *self, char **fields, size_t count)
{
    for (size_t i = 0; i < count; i++)
        s_trim (fields[i]);
    for (int c = 0; c < COL_COUNT; c++) {
        const char *name = self->names[c];
        self->columns[c] = name ? s_column (fields, count, name) : -1;
        if (name && self->columns[c] < 0) {
            fprintf (stderr,
                     "hotline-synth: %s: no column \"%s\" in the header "
                     "(needed by %s)\n",
                     self->path, name, self->scheme->name);
            return -1;
        }
    }
    return 0;
}

/* Reads a unit's counters from its record's cells and checks that they
   can be produced. Returns 0, or -1 after printing why. */
static int
s_golden_counts (const s_columns_t *self, const char **cells,
                 gen_golden_unit_t *unit)
{
    long alerts = -1;
    long *targets[COL_COUNT] = {[COL_SHOULD_CLOSE] = &unit->should_close,
                                [COL_CLOSED] = &unit->closed,
                                [COL_ON_TIME] = &unit->on_time,
                                [COL_OVERDUE_RETURNS] = &unit->overdue_returns,
                                [COL_REWORK] = &unit->rework,
                                [COL_UNSATISFIED] = &unit->unsatisfied,
                                [COL_ALERTS] = &alerts};
    for (int c = 0; c < COL_COUNT; c++) {
        if (!targets[c] || !cells[c])
            continue;
        if (s_parse_count (cells[c], targets[c])) {
            fprintf (stderr,
                     "hotline-synth: %s line %ld (%s): column %s is "
                     "\"%s\", expected a whole number from 0 to %d\n",
                     self->path, unit->line, unit->name, self->names[c],
                     cells[c], GEN_MAX_COUNT);
            return -1;
        }
    }
    if (self->scheme->has_note) {
        if (s_note_parse (self->scheme, unit, cells[COL_NOTE]))
            return -1;
    } else {
        unit->late_by_month[0] = unit->closed - unit->on_time;
        unit->rework_by_month[0] = unit->rework;
    }
    return s_unit_check (self->scheme, unit, alerts);
}

/* Reads one record into `unit` (cleared first), the golden file's
   number-th unit on `line`. The unit owns its name and group even when
   this fails. Returns 0, or -1 after printing why. */
static int
s_golden_unit (const s_columns_t *self, char **fields, size_t count, long line,
               size_t number, gen_golden_unit_t *unit)
{
    memset (unit, 0, sizeof *unit);
    const char *cells[COL_COUNT] = {NULL};
    for (int c = 0; c < COL_COUNT; c++)
        if (self->columns[c] >= 0)
            cells[c] = (size_t)self->columns[c] < count
                           ? s_trim (fields[self->columns[c]])
                           : "";
    unit->name = strdup (cells[COL_UNIT]);
    unit->group = strdup (cells[COL_GROUP]);
    if (!unit->name || !unit->group) {
        fprintf (stderr, "hotline-synth: out of memory reading %s\n",
                 self->path);
        return -1;
    }
    unit->line = line;
    snprintf (unit->id, sizeof unit->id, "%s%02zu", self->scheme->unit_prefix,
              number);
    unit->on_time_return = true;
    if (!*unit->name || !*unit->group) {
        fprintf (stderr, "hotline-synth: %s line %ld: empty %s\n", self->path,
                 line, *unit->name ? "group" : "unit name");
        return -1;
    }
    return s_golden_counts (self, cells, unit);
}

int
gen__golden_read (const gen_scheme_t *scheme, const char *path,
                  gen_golden_unit_t **units, size_t *count)
{
    s_columns_t golden = {
        scheme,
        path,
        {"group", "unit", "should_close", "closed", "on_time",
         "overdue_returns", scheme->has_note ? "redo" : "rework",
         scheme->has_note ? NULL : "unsatisfied",
         scheme->has_note ? NULL : "alerts", scheme->has_note ? "note" : NULL},
        {0}};
    FILE *file = fopen (path, "rb");
    if (!file) {
        fprintf (stderr, "hotline-synth: cannot read %s: %s\n", path,
                 strerror (errno));
        return -1;
    }
    int rc = -1;
    size_t cap = 0, n;
    char **fields;
    proto_csv_t *csv = proto_csv_new (file);
    int got = csv ? s_golden_next (csv, &fields, &n) : -1;
    if (got <= 0) {
        fprintf (stderr, "hotline-synth: %s: %s\n", path,
                 got == 0 ? "empty file, expected a header line"
                 : csv    ? proto_csv_error (csv)
                          : "out of memory");
        goto cleanup;
    }
    if (s_golden_header (&golden, fields, n))
        goto cleanup;
    while ((got = s_golden_next (csv, &fields, &n)) > 0) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 64;
            gen_golden_unit_t *grown = realloc (*units, cap * sizeof *grown);
            if (!grown) {
                fprintf (stderr, "hotline-synth: out of memory\n");
                goto cleanup;
            }
            *units = grown;
        }
        gen_golden_unit_t *unit = &(*units)[(*count)++];
        if (s_golden_unit (&golden, fields, n, proto_csv_line (csv), *count,
                           unit))
            goto cleanup;
    }
    if (got < 0 || ferror (file))
        fprintf (stderr, "hotline-synth: %s: %s\n", path,
                 got < 0 ? proto_csv_error (csv) : strerror (EIO));
    else if (*count == 0)
        fprintf (stderr, "hotline-synth: %s: no units after the header\n",
                 path);
    else
        rc = 0;
cleanup:
    proto_csv_destroy (&csv);
    fclose (file);
    return rc;
}
