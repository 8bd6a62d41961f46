/*  report_format: loading and checking the report JSON for the formatters.

    Every formatter first loads and checks the whole document (format__load),
    so that a malformed report is refused before a single byte reaches the
    caller's stream or file. Loading also plans the columns the three output
    forms share: where each dimension subtotal goes, which items have a
    change column, whether the rows carry a bonus. The writers live in
    format_table.c, format_csv.c and format_xlsx.c.
*/
#include "format_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for a JSON location such as "tables[12].rows[345].items.closure". */
#define S_WHERE_MAX 128

/* Kinds a present member may have, as a bit set for s_check_member. */
#define S_STRING 1
#define S_NUMBER 2
#define S_NULL   4
#define S_OBJECT 8
#define S_ARRAY  16

/* Checks one entry of an array section; where names the entry. */
typedef int (s_check_fn) (const cJSON *entry, const char *where, char *err);

/* East Asian Wide and Fullwidth ranges, ascending. */
static const struct {
    uint32_t first; /* first code point of the range */
    uint32_t last;  /* last code point, inclusive */
} s_wide_ranges[] = {
    {0x1100, 0x115F}, {0x2E80, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
    {0xFE30, 0xFE4F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x20000, 0x3FFFD},
};

void
format__set_error (char *err, const char *format, ...)
{
    if (!err)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, FORMAT_ERR_MAX, format, args);
    va_end (args);
}

//  --------------------------------------------------------------------------
//  UTF-8 and display width

/* Continuation bytes are never NUL, so reading stops at the terminator; a
   bad byte never hides the bytes after it. */
size_t
format__decode_utf8 (const unsigned char *s, uint32_t *cp)
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
format_display_width (const char *utf8)
{
    if (!utf8)
        return 0;
    const unsigned char *s = (const unsigned char *)utf8;
    size_t width = 0;
    while (*s) {
        uint32_t cp;
        s += format__decode_utf8 (s, &cp);
        width += s_is_wide (cp) ? 2 : 1;
    }
    return width;
}

//  --------------------------------------------------------------------------
//  Checking the report

/* Formats a JSON location for error messages. A location longer than
   S_WHERE_MAX is cut, which only shortens a message. */
static void s_where (char *where, const char *format, ...)
    REPORT__PRINTF_LIKE (2, 3);

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
    case S_STRING | S_NULL:
        return "a string or null";
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
    format__set_error (err, "report: %s is not %s", path, s_kinds_name (kinds));
    return -1;
}

/* Checks each of a NULL-terminated list of names with the same kinds. */
static int
s_check_members (const cJSON *parent, const char *const *names, int kinds,
                 const char *where, char *err)
{
    for (size_t i = 0; names[i]; i++)
        if (s_check_member (parent, names[i], kinds, where, err))
            return -1;
    return 0;
}

/* A row's "counters", "items", "dimensions", "changes" or a channel row's
   "values": an object whose values are all numbers or null. */
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
            format__set_error (err, "report: %s%s%s.%s is not a number", where,
                               *where ? "." : "", name, value->string);
            return -1;
        }
    }
    return 0;
}

/* An optional array member whose entries are strings. */
static int
s_check_strings (const cJSON *parent, const char *name, const char *where,
                 char *err)
{
    if (s_check_member (parent, name, S_ARRAY, where, err))
        return -1;
    size_t index = 0;
    const cJSON *entry;
    cJSON_ArrayForEach (entry, cJSON_GetObjectItemCaseSensitive (parent, name))
    {
        if (!cJSON_IsString (entry)) {
            format__set_error (err, "report: %s%s%s[%zu] is not a string",
                               where, *where ? "." : "", name, index);
            return -1;
        }
        index++;
    }
    return 0;
}

/* An optional array member whose entries are objects, each passed to check
   (when given). A required array is checked with required set. */
static int
s_check_objects (const cJSON *parent, const char *name, bool required,
                 s_check_fn *check, const char *where, char *err)
{
    const cJSON *array = cJSON_GetObjectItemCaseSensitive (parent, name);
    if (!array && !required)
        return 0;
    if (!cJSON_IsArray (array)) {
        if (required)
            format__set_error (err, "report: %s has no \"%s\" array",
                               *where ? where : "the report", name);
        else
            s_check_member (parent, name, S_ARRAY, where, err);
        return -1;
    }
    size_t index = 0;
    const cJSON *entry;
    cJSON_ArrayForEach (entry, array)
    {
        char path[S_WHERE_MAX];
        s_where (path, "%s%s%s[%zu]", where, *where ? "." : "", name, index++);
        if (!cJSON_IsObject (entry)) {
            format__set_error (err, "report: %s is not an object", path);
            return -1;
        }
        if (check && check (entry, path, err))
            return -1;
    }
    return 0;
}

/* Items, dimensions and channel table columns: an object with a string id
   and optional presentation members. */
static int
s_check_spec (const cJSON *spec, const char *where, char *err)
{
    static const char *const texts[] = {"label", "round",     "suffix",
                                        "kind",  "dimension", NULL};
    if (!cJSON_IsString (cJSON_GetObjectItemCaseSensitive (spec, "id"))) {
        format__set_error (err, "report: %s is not an object with a string id",
                           where);
        return -1;
    }
    if (s_check_members (spec, texts, S_STRING, where, err) ||
        s_check_member (spec, "points", S_NUMBER, where, err) ||
        s_check_strings (spec, "uses", where, err))
        return -1;
    return 0;
}

static int
s_check_row (const cJSON *row, const char *where, char *err)
{
    static const char *const texts[] = {"unit_id", "unit", "note", "reason",
                                        NULL};
    static const char *const numbers[] = {"rank", "total", "base_total",
                                          "bonus", NULL};
    static const char *const groups[] = {"counters", "items", "dimensions",
                                         "changes", NULL};
    if (s_check_members (row, texts, S_STRING, where, err) ||
        s_check_members (row, numbers, S_NUMBER | S_NULL, where, err))
        return -1;
    for (size_t i = 0; groups[i]; i++)
        if (s_check_values (row, groups[i], where, err))
            return -1;
    return 0;
}

static int
s_check_table (const cJSON *table, const char *where, char *err)
{
    if (s_check_member (table, "group", S_STRING, where, err) ||
        s_check_member (table, "title", S_STRING, where, err))
        return -1;
    return s_check_objects (table, "rows", true, s_check_row, where, err);
}

static int
s_check_channel_row (const cJSON *row, const char *where, char *err)
{
    if (s_check_member (row, "unit_id", S_STRING, where, err) ||
        s_check_member (row, "unit", S_STRING, where, err))
        return -1;
    return s_check_values (row, "values", where, err);
}

static int
s_check_channel_table (const cJSON *table, const char *where, char *err)
{
    if (s_check_member (table, "channel", S_STRING, where, err) ||
        s_check_member (table, "title", S_STRING, where, err) ||
        s_check_objects (table, "columns", false, s_check_spec, where, err))
        return -1;
    return s_check_objects (table, "rows", true, s_check_channel_row, where,
                            err);
}

static int
s_check_share (const cJSON *entry, const char *where, char *err)
{
    static const char *const texts[] = {"id", "label", NULL};
    static const char *const numbers[] = {"received", "share", NULL};
    if (s_check_members (entry, texts, S_STRING, where, err) ||
        s_check_members (entry, numbers, S_NUMBER | S_NULL, where, err))
        return -1;
    return 0;
}

static int
s_check_below_row (const cJSON *row, const char *where, char *err)
{
    static const char *const texts[] = {"unit_id", "unit", NULL};
    static const char *const numbers[] = {"revisited", "unresolved", "rate",
                                          NULL};
    if (s_check_members (row, texts, S_STRING, where, err) ||
        s_check_members (row, numbers, S_NUMBER | S_NULL, where, err))
        return -1;
    return 0;
}

/* summary, breakdown and below: each an optional object. */
static int
s_check_sections (const cJSON *root, char *err)
{
    static const char *const summary[] = {"units",
                                          "with_cases",
                                          "full_score",
                                          "at_full_score",
                                          "at_full_score_share",
                                          "average",
                                          NULL};
    static const char *const overview[] = {
        "units",          "received",     "should_close", "closed",
        "closed_on_time", "closure_rate", "on_time_rate", NULL};
    if (s_check_member (root, "summary", S_OBJECT, "", err) ||
        s_check_member (root, "overview", S_OBJECT, "", err) ||
        s_check_member (root, "breakdown", S_OBJECT, "", err) ||
        s_check_member (root, "below", S_OBJECT, "", err))
        return -1;
    const cJSON *section = cJSON_GetObjectItemCaseSensitive (root, "summary");
    if (section &&
        s_check_members (section, summary, S_NUMBER | S_NULL, "summary", err))
        return -1;
    section = cJSON_GetObjectItemCaseSensitive (root, "overview");
    if (section && (s_check_members (section, overview, S_NUMBER | S_NULL,
                                     "overview", err) ||
                    s_check_objects (section, "categories", false,
                                     s_check_share, "overview", err)))
        return -1;
    section = cJSON_GetObjectItemCaseSensitive (root, "breakdown");
    if (section && (s_check_objects (section, "channels", false, s_check_share,
                                     "breakdown", err) ||
                    s_check_objects (section, "categories", false,
                                     s_check_share, "breakdown", err)))
        return -1;
    section = cJSON_GetObjectItemCaseSensitive (root, "below");
    if (section && (s_check_member (section, "title", S_STRING, "below", err) ||
                    s_check_member (section, "district_rate", S_NUMBER | S_NULL,
                                    "below", err) ||
                    s_check_objects (section, "rows", false, s_check_below_row,
                                     "below", err)))
        return -1;
    return 0;
}

static int
s_check_document (const cJSON *root, char *err)
{
    static const char *const texts[] = {"title", "period", "ruleset", NULL};
    if (!cJSON_IsArray (cJSON_GetObjectItemCaseSensitive (root, "tables"))) {
        format__set_error (err, "report: no \"tables\" array");
        return -1;
    }
    /* as_of is null when nothing was ever stored (docs/report-json.md). */
    if (s_check_members (root, texts, S_STRING, "", err) ||
        s_check_member (root, "as_of", S_STRING | S_NULL, "", err) ||
        s_check_objects (root, "items", false, s_check_spec, "", err) ||
        s_check_objects (root, "dimensions", false, s_check_spec, "", err) ||
        s_check_objects (root, "tables", true, s_check_table, "", err) ||
        s_check_objects (root, "excluded", false, s_check_row, "", err) ||
        s_check_objects (root, "channel_tables", false, s_check_channel_table,
                         "", err))
        return -1;
    if (s_check_strings (root, "counters", "", err) ||
        s_check_strings (root, "warnings", "", err))
        return -1;
    return s_check_sections (root, err);
}

//  --------------------------------------------------------------------------
//  Column plan

static size_t
s_count (const cJSON *array)
{
    return (size_t)cJSON_GetArraySize (array);
}

/* True when some item after position `after` (or any item, when after is
   SIZE_MAX) belongs to the dimension. */
static bool
s_dimension_used_after (const format_doc_t *doc, const char *dimension,
                        size_t after)
{
    size_t index = 0;
    const cJSON *item;
    cJSON_ArrayForEach (item, doc->items)
    {
        if ((after == SIZE_MAX || index > after) &&
            strcmp (format__text (item, "dimension"), dimension) == 0)
            return true;
        index++;
    }
    return false;
}

static const cJSON *
s_dimension (const format_doc_t *doc, const char *id)
{
    const cJSON *dimension;
    cJSON_ArrayForEach (dimension, doc->dimensions)
    {
        if (strcmp (format__text (dimension, "id"), id) == 0)
            return dimension;
    }
    return NULL;
}

/* Each dimension subtotal follows the last item of its dimension, so that
   it closes its group however the ruleset ordered the items; a dimension
   without items comes after all items. */
static int
s_plan_scores (format_doc_t *doc)
{
    size_t max = s_count (doc->items) + s_count (doc->dimensions);
    doc->scores = calloc (max ? max : 1, sizeof *doc->scores);
    if (!doc->scores)
        return -1;
    size_t index = 0;
    const cJSON *item;
    cJSON_ArrayForEach (item, doc->items)
    {
        doc->scores[doc->score_count++] = (format__score_t){item, false};
        const char *id = format__text (item, "dimension");
        const cJSON *dimension = *id ? s_dimension (doc, id) : NULL;
        if (dimension && !s_dimension_used_after (doc, id, index))
            doc->scores[doc->score_count++] =
                (format__score_t){dimension, true};
        index++;
    }
    const cJSON *dimension;
    cJSON_ArrayForEach (dimension, doc->dimensions)
    {
        const char *id = format__text (dimension, "id");
        // Only the first of two dimensions sharing an id gets the items.
        if (!s_dimension_used_after (doc, id, SIZE_MAX) ||
            s_dimension (doc, id) != dimension)
            doc->scores[doc->score_count++] =
                (format__score_t){dimension, true};
    }
    return 0;
}

static bool
s_has_change (const format_doc_t *doc, const char *id)
{
    for (size_t i = 0; i < doc->change_count; i++)
        if (strcmp (doc->changes[i], id) == 0)
            return true;
    return false;
}

/* Change columns: the ruleset's items in their order, then ids the rows
   name that are not items, in the order first seen. Also notes whether any
   row carries base_total or bonus. */
static int
s_plan_changes (format_doc_t *doc)
{
    size_t keys = s_count (doc->items);
    const cJSON *table, *row;
    cJSON_ArrayForEach (table, doc->tables)
    {
        cJSON_ArrayForEach (row,
                            cJSON_GetObjectItemCaseSensitive (table, "rows"))
        {
            keys += s_count (cJSON_GetObjectItemCaseSensitive (row, "changes"));
            doc->has_base_total |=
                format__member (row, NULL, "base_total") != NULL;
            doc->has_bonus |= format__member (row, NULL, "bonus") != NULL;
        }
    }
    doc->changes = calloc (keys ? keys : 1, sizeof *doc->changes);
    if (!doc->changes)
        return -1;
    const cJSON *item;
    cJSON_ArrayForEach (item, doc->items)
    {
        const char *id = format__text (item, "id");
        cJSON_ArrayForEach (table, doc->tables)
        {
            cJSON_ArrayForEach (
                row, cJSON_GetObjectItemCaseSensitive (table, "rows"))
            {
                if (!s_has_change (doc, id) &&
                    format__member (row, "changes", id))
                    doc->changes[doc->change_count++] = id;
            }
        }
    }
    cJSON_ArrayForEach (table, doc->tables)
    {
        cJSON_ArrayForEach (row,
                            cJSON_GetObjectItemCaseSensitive (table, "rows"))
        {
            const cJSON *change;
            cJSON_ArrayForEach (
                change, cJSON_GetObjectItemCaseSensitive (row, "changes"))
            {
                if (!s_has_change (doc, change->string))
                    doc->changes[doc->change_count++] = change->string;
            }
        }
    }
    return 0;
}

int
format__load (const char *json, format_doc_t *doc, char *err)
{
    memset (doc, 0, sizeof *doc);
    if (!json) {
        format__set_error (err, "report: no JSON text");
        return -1;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts (json, &end, true);
    if (!root) {
        size_t offset = end && end >= json ? (size_t)(end - json) : 0;
        format__set_error (err, "report: invalid JSON at byte %zu", offset);
        return -1;
    }
    doc->root = root;
    if (!cJSON_IsObject (root)) {
        format__set_error (err, "report: the JSON is not an object");
        goto failed;
    }
    if (s_check_document (root, err))
        goto failed;
    doc->items = cJSON_GetObjectItemCaseSensitive (root, "items");
    doc->counters = cJSON_GetObjectItemCaseSensitive (root, "counters");
    doc->dimensions = cJSON_GetObjectItemCaseSensitive (root, "dimensions");
    doc->tables = cJSON_GetObjectItemCaseSensitive (root, "tables");
    doc->excluded = cJSON_GetObjectItemCaseSensitive (root, "excluded");
    doc->channel_tables =
        cJSON_GetObjectItemCaseSensitive (root, "channel_tables");
    doc->summary = cJSON_GetObjectItemCaseSensitive (root, "summary");
    doc->breakdown = cJSON_GetObjectItemCaseSensitive (root, "breakdown");
    doc->below = cJSON_GetObjectItemCaseSensitive (root, "below");
    doc->overview = cJSON_GetObjectItemCaseSensitive (root, "overview");
    doc->warnings = cJSON_GetObjectItemCaseSensitive (root, "warnings");
    if (s_plan_scores (doc) || s_plan_changes (doc)) {
        format__set_error (err, "report: out of memory");
        goto failed;
    }
    return 0;

failed:
    format__unload (doc);
    return -1;
}

void
format__unload (format_doc_t *doc)
{
    cJSON_Delete (doc->root);
    free (doc->scores);
    free (doc->changes);
    memset (doc, 0, sizeof *doc);
}

//  --------------------------------------------------------------------------
//  Reading checked values

const char *
format__text (const cJSON *object, const char *name)
{
    const char *text =
        cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (object, name));
    return text ? text : "";
}

const cJSON *
format__member (const cJSON *object, const char *group, const char *name)
{
    const cJSON *parent =
        group ? cJSON_GetObjectItemCaseSensitive (object, group) : object;
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (parent, name);
    return cJSON_IsNumber (value) || cJSON_IsNull (value) ? value : NULL;
}

const cJSON *
format__value (const cJSON *object, const char *group, const char *name)
{
    const cJSON *value = format__member (object, group, name);
    return cJSON_IsNumber (value) ? value : NULL;
}

const char *
format__unit_name (const cJSON *row)
{
    const char *unit = format__text (row, "unit");
    return *unit ? unit : format__text (row, "unit_id");
}

const char *
format__label (const cJSON *spec)
{
    const char *label = format__text (spec, "label");
    return *label ? label : format__text (spec, "id");
}

/* The label with its points: "label(30)", or "label（30分）" as the
   bulletins head their columns (bulletin set). */
static char *
s_label_points (const cJSON *spec, bool bulletin)
{
    const char *label = format__label (spec);
    const cJSON *points = format__value (spec, NULL, "points");
    char number[REPORT__NUMBER_MAX] = "";
    if (points)
        format__format_short (points->valuedouble, number);
    size_t size = strlen (label) + strlen (number) + 16;
    char *text = malloc (size);
    if (!text)
        return NULL;
    if (!points)
        snprintf (text, size, "%s", label);
    else if (bulletin)
        snprintf (text, size, "%s（%s分）", label, number);
    else
        snprintf (text, size, "%s(%s)", label, number);
    return text;
}

char *
format__header (const cJSON *spec)
{
    return s_label_points (spec, false);
}

char *
format__points_label (const cJSON *spec)
{
    return s_label_points (spec, true);
}

const cJSON *
format__item (const format_doc_t *doc, const char *id)
{
    const cJSON *item;
    cJSON_ArrayForEach (item, doc->items)
    {
        if (strcmp (format__text (item, "id"), id) == 0)
            return item;
    }
    return NULL;
}

bool
format__is_pct0 (const cJSON *spec)
{
    return strcmp (format__text (spec, "round"), "pct0") == 0;
}

//  --------------------------------------------------------------------------
//  Number formatting; buffers are REPORT__NUMBER_MAX bytes

/* A tiny negative value rounds to "-0.00" or "-0", which reads as a
   penalty; the sign goes. */
static void
s_drop_negative_zero (char *buf)
{
    if (buf[0] != '-')
        return;
    for (const char *c = buf + 1; *c; c++)
        if (*c != '0' && *c != '.')
            return;
    memmove (buf, buf + 1, strlen (buf));
}

void
format__format_fixed2 (double value, char *buf)
{
    snprintf (buf, REPORT__NUMBER_MAX, "%.2f", value);
    s_drop_negative_zero (buf);
}

/* 2^53 bounds the exactly representable integers. */
void
format__format_count (double value, char *buf)
{
    if (value > -9007199254740992.0 && value < 9007199254740992.0 &&
        value == (double)(long long)value)
        snprintf (buf, REPORT__NUMBER_MAX, "%lld", (long long)value);
    else
        format__format_fixed2 (value, buf);
}

/* The fewest decimals, up to six, that read back as the value. */
void
format__format_short (double value, char *buf)
{
    for (int decimals = 0; decimals <= 6; decimals++) {
        snprintf (buf, REPORT__NUMBER_MAX, "%.*f", decimals, value);
        double back = strtod (buf, NULL);
        double off = back > value ? back - value : value - back;
        if (off < 1e-9)
            break;
    }
    s_drop_negative_zero (buf);
}

void
format__format_signed (double value, char *buf)
{
    snprintf (buf, REPORT__NUMBER_MAX, "%+.2f", value);
    // No change is no change: "0.00", not "+0.00" or "-0.00".
    if (strcmp (buf + 1, "0.00") == 0)
        memmove (buf, buf + 1, strlen (buf));
}

void
format__format_percent (double share, char *buf)
{
    format__format_fixed2 (share * 100, buf);
    strcat (buf, "%");
}

void
format__format_item (const cJSON *spec, double value, char *buf)
{
    if (format__is_pct0 (spec)) {
        snprintf (buf, REPORT__NUMBER_MAX, "%.0f", value);
        s_drop_negative_zero (buf);
    } else
        format__format_fixed2 (value, buf);
}
