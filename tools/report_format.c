/*  report_format: the report JSON as a terminal table or as CSV.

    Both formatters first load and check the whole document (s_report_load),
    so that a malformed report is refused before a single byte reaches the
    caller's stream. The table is then built as a grid of owned cell strings,
    because column widths are only known once every cell has been formatted;
    CSV needs no widths and is streamed straight from the JSON.
*/
#include "report_format.h"

#include <cjson/cJSON.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define S_PRINTF_LIKE(f, a) __attribute__ ((format (printf, f, a)))
#else
#define S_PRINTF_LIKE(f, a)
#endif

/* Room for any double printed with "%.2f": up to 309 integer digits, sign,
   point and two decimals. */
#define S_NUMBER_MAX 320

/* Room for a JSON location such as "tables[12].rows[345].items.closure". */
#define S_WHERE_MAX 128

/* Spaces between two table columns. */
#define S_GAP 2

/* Kinds a present member may have, as a bit set for s_check_member. */
#define S_STRING 1
#define S_NUMBER 2
#define S_NULL   4
#define S_OBJECT 8
#define S_ARRAY  16

/* A checked report. The pointers are borrowed from root. */
typedef struct {
    cJSON *root;           /* owned parse tree */
    const cJSON *items;    /* array of item objects, or NULL */
    const cJSON *counters; /* array of counter id strings, or NULL */
    const cJSON *tables;   /* array of table objects, never NULL */
    const cJSON *excluded; /* array of excluded unit objects, or NULL */
} report_t;

/* A table under construction: cells in row-major order, row 0 the header. */
typedef struct {
    size_t cols;  /* columns per row */
    size_t rows;  /* rows including the header */
    size_t count; /* cells appended so far */
    char **cells; /* rows * cols owned strings */
    bool *right;  /* per column: right-aligned (numbers) */
} grid_t;

/* Counter ids with the headers the bulletins use. */
static const struct {
    const char *id;    /* counter id as in SCORING.md section 3 */
    const char *label; /* column header */
} s_counter_labels[] = {
    {"should_close", "应办结"},
    {"closed", "办结数"},
    {"closed_on_time", "按期办结数"},
    {"returned_late", "逾期退单"},
    {"closed_late", "逾期办结"},
    {"unsatisfied", "不满意"},
    {"rework", "返工"},
    {"received", "受理"},
    {"returned", "退单"},
    {"alerts", "告警"},
    {"overdue_open", "逾期未办结"},
    {"revisited", "回访"},
    {"unresolved", "未解决"},
    {"signed_late", "超时签收"},
    {"contacted_late", "未及时联系"},
    {"extended", "延期"},
    {"first_time_closed", "一次办结"},
};

/* East Asian Wide and Fullwidth ranges, ascending. */
static const struct {
    uint32_t first; /* first code point of the range */
    uint32_t last;  /* last code point, inclusive */
} s_wide_ranges[] = {
    {0x1100, 0x115F}, {0x2E80, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
    {0xFE30, 0xFE4F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x20000, 0x3FFFD},
};

static void s_set_error (char *err, const char *format, ...)
    S_PRINTF_LIKE (2, 3);

static void
s_set_error (char *err, const char *format, ...)
{
    if (!err)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, REPORT_FORMAT_ERR_MAX, format, args);
    va_end (args);
}

//  --------------------------------------------------------------------------
//  UTF-8 and display width

/* Decodes one character at s, which is not at the terminating NUL. Returns
   the bytes used; an invalid, overlong or surrogate sequence uses one byte
   and yields U+FFFD, so that a bad byte never hides the bytes after it.
   Continuation bytes are never NUL, so reading stops at the terminator. */
static size_t
s_decode_utf8 (const unsigned char *s, uint32_t *cp)
{
    unsigned char b0 = s[0];
    size_t need;
    uint32_t value;
    unsigned char low = 0x80, high = 0xBF;

    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
        value = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        value = b0 & 0x0F;
        if (b0 == 0xE0)
            low = 0xA0; // overlong below U+0800
        if (b0 == 0xED)
            high = 0x9F; // UTF-16 surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        value = b0 & 0x07;
        if (b0 == 0xF0)
            low = 0x90; // overlong below U+10000
        if (b0 == 0xF4)
            high = 0x8F; // above U+10FFFF
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        unsigned char b = s[i];
        if (b < (i == 1 ? low : 0x80) || b > (i == 1 ? high : 0xBF)) {
            *cp = 0xFFFD;
            return 1;
        }
        value = (value << 6) | (b & 0x3F);
    }
    *cp = value;
    return need + 1;
}

static bool
s_is_wide (uint32_t cp)
{
    for (size_t i = 0; i < sizeof s_wide_ranges / sizeof s_wide_ranges[0];
         i++) {
        if (cp < s_wide_ranges[i].first)
            return false;
        if (cp <= s_wide_ranges[i].last)
            return true;
    }
    return false;
}

size_t
report_display_width (const char *utf8)
{
    if (!utf8)
        return 0;
    const unsigned char *s = (const unsigned char *)utf8;
    size_t width = 0;
    while (*s) {
        uint32_t cp;
        s += s_decode_utf8 (s, &cp);
        width += s_is_wide (cp) ? 2 : 1;
    }
    return width;
}

//  --------------------------------------------------------------------------
//  Checking the report

/* Formats a JSON location for error messages. A location longer than
   S_WHERE_MAX is cut, which only shortens a message. */
static void s_where (char *where, const char *format, ...) S_PRINTF_LIKE (2, 3);

static void
s_where (char *where, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (where, S_WHERE_MAX, format, args);
    va_end (args);
}

static const char *
s_kinds_name (int kinds)
{
    switch (kinds) {
    case S_STRING:
        return "a string";
    case S_NUMBER:
        return "a number";
    case S_NUMBER | S_NULL:
        return "a number or null";
    case S_OBJECT:
        return "an object";
    default:
        return "an array";
    }
}

/* Accepts an absent member or one of the given kinds. */
static int
s_check_member (const cJSON *parent, const char *name, int kinds,
                const char *where, char *err)
{
    const cJSON *member = cJSON_GetObjectItemCaseSensitive (parent, name);
    if (!member)
        return 0;
    if (((kinds & S_STRING) && cJSON_IsString (member)) ||
        ((kinds & S_NUMBER) && cJSON_IsNumber (member)) ||
        ((kinds & S_NULL) && cJSON_IsNull (member)) ||
        ((kinds & S_OBJECT) && cJSON_IsObject (member)) ||
        ((kinds & S_ARRAY) && cJSON_IsArray (member)))
        return 0;
    char path[S_WHERE_MAX];
    s_where (path, "%s%s%s", where, *where ? "." : "", name);
    s_set_error (err, "report: %s is not %s", path, s_kinds_name (kinds));
    return -1;
}

/* A row's "counters" or "items": an object whose values are all numbers
   (null allowed, shown blank). */
static int
s_check_values (const cJSON *parent, const char *name, const char *where,
                char *err)
{
    if (s_check_member (parent, name, S_OBJECT, where, err))
        return -1;
    const cJSON *values = cJSON_GetObjectItemCaseSensitive (parent, name);
    const cJSON *value;
    cJSON_ArrayForEach (value, values)
    {
        if (!cJSON_IsNumber (value) && !cJSON_IsNull (value)) {
            s_set_error (err, "report: %s.%s.%s is not a number", where, name,
                         value->string);
            return -1;
        }
    }
    return 0;
}

static int
s_check_row (const cJSON *row, const char *where, char *err)
{
    if (!cJSON_IsObject (row)) {
        s_set_error (err, "report: %s is not an object", where);
        return -1;
    }
    if (s_check_member (row, "rank", S_NUMBER | S_NULL, where, err) ||
        s_check_member (row, "unit_id", S_STRING, where, err) ||
        s_check_member (row, "unit", S_STRING, where, err) ||
        s_check_member (row, "note", S_STRING, where, err) ||
        s_check_member (row, "total", S_NUMBER | S_NULL, where, err) ||
        s_check_values (row, "counters", where, err) ||
        s_check_values (row, "items", where, err))
        return -1;
    return 0;
}

static int
s_check_table (const cJSON *table, const char *where, char *err)
{
    if (!cJSON_IsObject (table)) {
        s_set_error (err, "report: %s is not an object", where);
        return -1;
    }
    if (s_check_member (table, "group", S_STRING, where, err) ||
        s_check_member (table, "title", S_STRING, where, err))
        return -1;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "rows");
    if (!cJSON_IsArray (rows)) {
        s_set_error (err, "report: %s has no \"rows\" array", where);
        return -1;
    }
    size_t index = 0;
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        char path[S_WHERE_MAX];
        s_where (path, "%s.rows[%zu]", where, index++);
        if (s_check_row (row, path, err))
            return -1;
    }
    return 0;
}

static int
s_check_columns (const report_t *report, char *err)
{
    size_t index = 0;
    const cJSON *item;
    cJSON_ArrayForEach (item, report->items)
    {
        char path[S_WHERE_MAX];
        s_where (path, "items[%zu]", index++);
        if (!cJSON_IsObject (item) ||
            !cJSON_IsString (cJSON_GetObjectItemCaseSensitive (item, "id"))) {
            s_set_error (err, "report: %s is not an object with a string id",
                         path);
            return -1;
        }
        if (s_check_member (item, "label", S_STRING, path, err) ||
            s_check_member (item, "points", S_NUMBER, path, err))
            return -1;
    }
    index = 0;
    const cJSON *counter;
    cJSON_ArrayForEach (counter, report->counters)
    {
        if (!cJSON_IsString (counter)) {
            s_set_error (err, "report: counters[%zu] is not a string", index);
            return -1;
        }
        index++;
    }
    return 0;
}

static int
s_check_excluded (const cJSON *excluded, char *err)
{
    size_t index = 0;
    const cJSON *unit;
    cJSON_ArrayForEach (unit, excluded)
    {
        char path[S_WHERE_MAX];
        s_where (path, "excluded[%zu]", index++);
        if (!cJSON_IsObject (unit)) {
            s_set_error (err, "report: %s is not an object", path);
            return -1;
        }
        if (s_check_member (unit, "unit_id", S_STRING, path, err) ||
            s_check_member (unit, "unit", S_STRING, path, err) ||
            s_check_member (unit, "reason", S_STRING, path, err) ||
            s_check_values (unit, "counters", path, err))
            return -1;
    }
    return 0;
}

/* Parses and checks json; on success the caller frees report->root. */
static int
s_report_load (const char *json, report_t *report, char *err)
{
    memset (report, 0, sizeof *report);
    if (!json) {
        s_set_error (err, "report: no JSON text");
        return -1;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts (json, &end, true);
    if (!root) {
        size_t offset = end && end >= json ? (size_t)(end - json) : 0;
        s_set_error (err, "report: invalid JSON at byte %zu", offset);
        return -1;
    }
    report->root = root;
    if (!cJSON_IsObject (root)) {
        s_set_error (err, "report: the JSON is not an object");
        goto failed;
    }
    report->tables = cJSON_GetObjectItemCaseSensitive (root, "tables");
    if (!cJSON_IsArray (report->tables)) {
        s_set_error (err, "report: no \"tables\" array");
        goto failed;
    }
    if (s_check_member (root, "title", S_STRING, "", err) ||
        s_check_member (root, "period", S_STRING, "", err) ||
        s_check_member (root, "ruleset", S_STRING, "", err) ||
        s_check_member (root, "as_of", S_STRING, "", err) ||
        s_check_member (root, "items", S_ARRAY, "", err) ||
        s_check_member (root, "counters", S_ARRAY, "", err) ||
        s_check_member (root, "excluded", S_ARRAY, "", err))
        goto failed;
    report->items = cJSON_GetObjectItemCaseSensitive (root, "items");
    report->counters = cJSON_GetObjectItemCaseSensitive (root, "counters");
    report->excluded = cJSON_GetObjectItemCaseSensitive (root, "excluded");
    if (s_check_columns (report, err))
        goto failed;
    size_t index = 0;
    const cJSON *table;
    cJSON_ArrayForEach (table, report->tables)
    {
        char path[S_WHERE_MAX];
        s_where (path, "tables[%zu]", index++);
        if (s_check_table (table, path, err))
            goto failed;
    }
    if (s_check_excluded (report->excluded, err))
        goto failed;
    return 0;

failed:
    cJSON_Delete (root);
    report->root = NULL;
    return -1;
}

//  --------------------------------------------------------------------------
//  Reading checked values

/* Returns the member's text, or "" when it is absent. */
static const char *
s_text (const cJSON *object, const char *name)
{
    const char *text =
        cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (object, name));
    return text ? text : "";
}

/* Returns the member of object.group named name when it is a number. */
static const cJSON *
s_value (const cJSON *object, const char *group, const char *name)
{
    const cJSON *parent =
        group ? cJSON_GetObjectItemCaseSensitive (object, group) : object;
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (parent, name);
    return cJSON_IsNumber (value) ? value : NULL;
}

/* The unit's name, or its id when the registry gave it none. */
static const char *
s_unit_name (const cJSON *row)
{
    const char *unit = s_text (row, "unit");
    return *unit ? unit : s_text (row, "unit_id");
}

//  --------------------------------------------------------------------------
//  Number formatting; buffers are S_NUMBER_MAX bytes

static void
s_format_fixed2 (double value, char *buf)
{
    snprintf (buf, S_NUMBER_MAX, "%.2f", value);
    // A tiny negative value rounds to "-0.00", which reads as a penalty.
    if (strcmp (buf, "-0.00") == 0)
        memmove (buf, buf + 1, strlen (buf));
}

/* Whole numbers as integers; anything else keeps 2 decimals rather than
   being silently rounded. 2^53 bounds the exactly representable range. */
static void
s_format_count (double value, char *buf)
{
    if (value > -9007199254740992.0 && value < 9007199254740992.0 &&
        value == (double)(long long)value)
        snprintf (buf, S_NUMBER_MAX, "%lld", (long long)value);
    else
        s_format_fixed2 (value, buf);
}

/* Points as the bulletins print them: 30, 2.5, 0.25. */
static void
s_format_points (double value, char *buf)
{
    s_format_fixed2 (value, buf);
    size_t length = strlen (buf);
    while (length > 0 && buf[length - 1] == '0')
        buf[--length] = '\0';
    if (length > 0 && buf[length - 1] == '.')
        buf[--length] = '\0';
}

//  --------------------------------------------------------------------------
//  Table grid

static grid_t *
s_grid_new (size_t rows, size_t cols)
{
    if (cols == 0 || rows > SIZE_MAX / sizeof (char *) / cols)
        return NULL;
    grid_t *grid = calloc (1, sizeof *grid);
    if (!grid)
        return NULL;
    grid->rows = rows;
    grid->cols = cols;
    grid->cells = calloc (rows * cols, sizeof (char *));
    grid->right = calloc (cols, sizeof (bool));
    if (!grid->cells || !grid->right) {
        free (grid->cells);
        free (grid->right);
        free (grid);
        return NULL;
    }
    return grid;
}

static void
s_grid_destroy (grid_t **grid_p)
{
    grid_t *grid = *grid_p;
    if (!grid)
        return;
    for (size_t i = 0; i < grid->count; i++)
        free (grid->cells[i]);
    free (grid->cells);
    free (grid->right);
    free (grid);
    *grid_p = NULL;
}

/* Copies text with control characters (C0, DEL and C1) turned into spaces:
   a newline in a unit name must not break the table and an escape sequence
   must not reach the terminal. The copy is never longer than text. */
static void
s_copy_clean (char *dest, const char *text)
{
    const unsigned char *in = (const unsigned char *)text;
    while (*in) {
        if (*in < 0x20 || *in == 0x7F) {
            *dest++ = ' ';
            in++;
        } else if (in[0] == 0xC2 && in[1] >= 0x80 && in[1] <= 0x9F) {
            *dest++ = ' ';
            in += 2;
        } else
            *dest++ = (char)*in++;
    }
    *dest = '\0';
}

/* Appends a cleaned copy of text as the next cell. */
static int
s_grid_add (grid_t *grid, const char *text)
{
    if (grid->count >= grid->rows * grid->cols)
        return -1;
    char *cell = malloc (strlen (text) + 1);
    if (!cell)
        return -1;
    s_copy_clean (cell, text);
    grid->cells[grid->count++] = cell;
    return 0;
}

/* Writes a cleaned copy of a free-standing line such as a title. */
static int
s_write_clean (FILE *out, const char *text)
{
    char *clean = malloc (strlen (text) + 1);
    if (!clean)
        return -1;
    s_copy_clean (clean, text);
    fputs (clean, out);
    free (clean);
    return 0;
}

static int
s_grid_add_fixed2 (grid_t *grid, const cJSON *value)
{
    char buf[S_NUMBER_MAX] = "";
    if (value)
        s_format_fixed2 (value->valuedouble, buf);
    return s_grid_add (grid, buf);
}

static int
s_grid_add_count (grid_t *grid, const cJSON *value)
{
    char buf[S_NUMBER_MAX] = "";
    if (value)
        s_format_count (value->valuedouble, buf);
    return s_grid_add (grid, buf);
}

static void
s_write_spaces (FILE *out, size_t count)
{
    while (count--)
        fputc (' ', out);
}

/* Writes the grid, a rule under the header. Padding is held back until
   something visible follows it, so no line ends in spaces. The column count
   comes from the report, hence the widths live on the heap. */
static int
s_grid_write (const grid_t *grid, FILE *out)
{
    size_t *widths = calloc (grid->cols, sizeof (size_t));
    if (!widths)
        return -1;
    size_t total = 0;
    for (size_t col = 0; col < grid->cols; col++) {
        widths[col] = 0;
        for (size_t row = 0; row < grid->rows; row++) {
            size_t width =
                report_display_width (grid->cells[row * grid->cols + col]);
            if (width > widths[col])
                widths[col] = width;
        }
        total += widths[col] + (col ? S_GAP : 0);
    }
    for (size_t row = 0; row < grid->rows; row++) {
        size_t pending = 0;
        for (size_t col = 0; col < grid->cols; col++) {
            const char *cell = grid->cells[row * grid->cols + col];
            size_t pad = widths[col] - report_display_width (cell);
            if (col)
                pending += S_GAP;
            if (grid->right[col])
                pending += pad;
            if (*cell) {
                s_write_spaces (out, pending);
                fputs (cell, out);
                pending = 0;
            }
            if (!grid->right[col])
                pending += pad;
        }
        fputc ('\n', out);
        if (row == 0) {
            for (size_t i = 0; i < total; i++)
                fputc ('-', out);
            fputc ('\n', out);
        }
    }
    free (widths);
    return 0;
}

//  --------------------------------------------------------------------------
//  Table format

static const char *
s_counter_label (const char *id)
{
    for (size_t i = 0; i < sizeof s_counter_labels / sizeof s_counter_labels[0];
         i++)
        if (strcmp (s_counter_labels[i].id, id) == 0)
            return s_counter_labels[i].label;
    return id;
}

static bool
s_table_has_notes (const cJSON *rows)
{
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        if (*s_text (row, "note"))
            return true;
    }
    return false;
}

static int
s_add_header (grid_t *grid, const report_t *report, bool notes)
{
    if (s_grid_add (grid, "排名") || s_grid_add (grid, "单位"))
        return -1;
    const cJSON *counter;
    cJSON_ArrayForEach (counter, report->counters)
    {
        if (s_grid_add (grid, s_counter_label (counter->valuestring)))
            return -1;
    }
    const cJSON *item;
    cJSON_ArrayForEach (item, report->items)
    {
        const char *label = s_text (item, "label");
        if (!*label)
            label = s_text (item, "id");
        const cJSON *points = s_value (item, NULL, "points");
        char number[S_NUMBER_MAX] = "";
        if (points)
            s_format_points (points->valuedouble, number);
        size_t size = strlen (label) + strlen (number) + 3;
        char *header = malloc (size);
        if (!header)
            return -1;
        snprintf (header, size, points ? "%s(%s)" : "%s%s", label, number);
        int rc = s_grid_add (grid, header);
        free (header);
        if (rc)
            return -1;
    }
    if (s_grid_add (grid, "总分"))
        return -1;
    if (notes && s_grid_add (grid, "备注"))
        return -1;
    return 0;
}

static int
s_add_row (grid_t *grid, const report_t *report, const cJSON *row, bool notes)
{
    // Unranked schemes give a null rank; "-" says so where a blank would
    // look like a missing value.
    const cJSON *rank = s_value (row, NULL, "rank");
    if (rank ? s_grid_add_count (grid, rank) : s_grid_add (grid, "-"))
        return -1;
    if (s_grid_add (grid, s_unit_name (row)))
        return -1;
    const cJSON *counter;
    cJSON_ArrayForEach (counter, report->counters)
    {
        if (s_grid_add_count (grid,
                              s_value (row, "counters", counter->valuestring)))
            return -1;
    }
    const cJSON *item;
    cJSON_ArrayForEach (item, report->items)
    {
        if (s_grid_add_fixed2 (grid,
                               s_value (row, "items", s_text (item, "id"))))
            return -1;
    }
    if (s_grid_add_fixed2 (grid, s_value (row, NULL, "total")))
        return -1;
    if (notes && s_grid_add (grid, s_text (row, "note")))
        return -1;
    return 0;
}

static grid_t *
s_build_table (const report_t *report, const cJSON *table)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "rows");
    bool notes = s_table_has_notes (rows);
    size_t cols = 3 + (size_t)cJSON_GetArraySize (report->counters) +
                  (size_t)cJSON_GetArraySize (report->items) + (notes ? 1 : 0);
    grid_t *grid = s_grid_new (1 + (size_t)cJSON_GetArraySize (rows), cols);
    if (!grid)
        return NULL;
    // Everything but the unit name and the note is a number.
    for (size_t col = 0; col < cols; col++)
        grid->right[col] = col != 1 && !(notes && col == cols - 1);
    if (s_add_header (grid, report, notes))
        goto failed;
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        if (s_add_row (grid, report, row, notes))
            goto failed;
    }
    return grid;

failed:
    s_grid_destroy (&grid);
    return NULL;
}

static grid_t *
s_build_excluded (const cJSON *excluded)
{
    grid_t *grid = s_grid_new (1 + (size_t)cJSON_GetArraySize (excluded), 2);
    if (!grid)
        return NULL;
    if (s_grid_add (grid, "单位") || s_grid_add (grid, "原因"))
        goto failed;
    const cJSON *unit;
    cJSON_ArrayForEach (unit, excluded)
    {
        if (s_grid_add (grid, s_unit_name (unit)) ||
            s_grid_add (grid, s_text (unit, "reason")))
            goto failed;
    }
    return grid;

failed:
    s_grid_destroy (&grid);
    return NULL;
}

/* The title line joins whichever of title, period, ruleset and as_of the
   report has, two spaces apart. */
static int
s_write_title (const report_t *report, FILE *out)
{
    static const char *const names[] = {"title", "period", "ruleset", "as_of"};
    bool first = true;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *text = s_text (report->root, names[i]);
        if (!*text)
            continue;
        fputs (first ? "" : "  ", out);
        if (strcmp (names[i], "as_of") == 0)
            fputs ("截至 ", out);
        if (s_write_clean (out, text))
            return -1;
        first = false;
    }
    if (!first)
        fputc ('\n', out);
    return 0;
}

/* Flushes out and reports whether everything written so far arrived. */
static int
s_finish (FILE *out, char *err)
{
    if (fflush (out) != 0 || ferror (out)) {
        s_set_error (err, "report: could not write the output");
        return -1;
    }
    return 0;
}

int
report_format_table (const char *json, FILE *out, char *err)
{
    report_t report;
    if (s_report_load (json, &report, err))
        return -1;

    // Build every grid before writing, so that running out of memory on a
    // large report is found before any output has started.
    size_t tables = (size_t)cJSON_GetArraySize (report.tables);
    grid_t **grids = calloc (tables + 1, sizeof (grid_t *));
    grid_t *excluded = NULL;
    int rc = -1;
    if (!grids)
        goto out_of_memory;
    size_t index = 0;
    const cJSON *table;
    cJSON_ArrayForEach (table, report.tables)
    {
        grids[index] = s_build_table (&report, table);
        if (!grids[index++])
            goto out_of_memory;
    }
    if (cJSON_GetArraySize (report.excluded) > 0) {
        excluded = s_build_excluded (report.excluded);
        if (!excluded)
            goto out_of_memory;
    }

    if (s_write_title (&report, out))
        goto out_of_memory;
    index = 0;
    cJSON_ArrayForEach (table, report.tables)
    {
        const char *title = s_text (table, "title");
        if (!*title)
            title = s_text (table, "group");
        fputc ('\n', out);
        if (s_write_clean (out, title))
            goto out_of_memory;
        fputc ('\n', out);
        if (s_grid_write (grids[index++], out))
            goto out_of_memory;
    }
    if (excluded) {
        fputs ("\n未参与排名\n", out);
        if (s_grid_write (excluded, out))
            goto out_of_memory;
    }
    rc = s_finish (out, err);
    goto cleanup;

out_of_memory:
    s_set_error (err, "report: out of memory");
cleanup:
    if (grids)
        for (size_t i = 0; i < tables; i++)
            s_grid_destroy (&grids[i]);
    free (grids);
    s_grid_destroy (&excluded);
    cJSON_Delete (report.root);
    return rc;
}

//  --------------------------------------------------------------------------
//  CSV format

/* Writes one field, quoted per RFC 4180 only when it must be. */
static void
s_csv_field (FILE *out, const char *text, bool first)
{
    if (!first)
        fputc (',', out);
    if (!strpbrk (text, ",\"\r\n")) {
        fputs (text, out);
        return;
    }
    fputc ('"', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc ('"', out);
        fputc (*c, out);
    }
    fputc ('"', out);
}

static void
s_csv_count (FILE *out, const cJSON *value)
{
    char buf[S_NUMBER_MAX] = "";
    if (value)
        s_format_count (value->valuedouble, buf);
    s_csv_field (out, buf, false);
}

static void
s_csv_fixed2 (FILE *out, const cJSON *value)
{
    char buf[S_NUMBER_MAX] = "";
    if (value)
        s_format_fixed2 (value->valuedouble, buf);
    s_csv_field (out, buf, false);
}

/* Writes one data row. An excluded unit (group NULL) is written under group
   "excluded" with its reason as the note; it was never ranked or scored, so
   its rank, items and total stay empty even if the daemon sent some. */
static void
s_csv_row (FILE *out, const report_t *report, const char *group,
           const cJSON *row)
{
    bool ranked = group != NULL;
    s_csv_field (out, ranked ? group : "excluded", true);
    s_csv_count (out, ranked ? s_value (row, NULL, "rank") : NULL);
    s_csv_field (out, s_text (row, "unit_id"), false);
    s_csv_field (out, s_text (row, "unit"), false);
    const cJSON *counter;
    cJSON_ArrayForEach (counter, report->counters)
    {
        s_csv_count (out, s_value (row, "counters", counter->valuestring));
    }
    const cJSON *item;
    cJSON_ArrayForEach (item, report->items)
    {
        s_csv_fixed2 (out, ranked ? s_value (row, "items", s_text (item, "id"))
                                  : NULL);
    }
    s_csv_fixed2 (out, ranked ? s_value (row, NULL, "total") : NULL);
    s_csv_field (out, s_text (row, ranked ? "note" : "reason"), false);
    fputs ("\r\n", out);
}

int
report_format_csv (const char *json, FILE *out, char *err)
{
    report_t report;
    if (s_report_load (json, &report, err))
        return -1;

    static const char *const leading[] = {"group", "rank", "unit_id", "unit"};
    for (size_t i = 0; i < sizeof leading / sizeof leading[0]; i++)
        s_csv_field (out, leading[i], i == 0);
    const cJSON *counter;
    cJSON_ArrayForEach (counter, report.counters)
    {
        s_csv_field (out, counter->valuestring, false);
    }
    const cJSON *item;
    cJSON_ArrayForEach (item, report.items)
    {
        s_csv_field (out, s_text (item, "id"), false);
    }
    s_csv_field (out, "total", false);
    s_csv_field (out, "note", false);
    fputs ("\r\n", out);

    const cJSON *table;
    cJSON_ArrayForEach (table, report.tables)
    {
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "rows");
        const cJSON *row;
        cJSON_ArrayForEach (row, rows)
        {
            s_csv_row (out, &report, s_text (table, "group"), row);
        }
    }
    const cJSON *unit;
    cJSON_ArrayForEach (unit, report.excluded)
    {
        s_csv_row (out, &report, NULL, unit);
    }
    int rc = s_finish (out, err);
    cJSON_Delete (report.root);
    return rc;
}
