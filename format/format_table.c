/*  format_table: the report as the terminal table of the bulletins.

    Every section is built as a titled grid of owned cell strings before
    anything is written, because column widths are only known once every
    cell has been formatted, and because running out of memory on a large
    report must be found before any output has started.
*/
#include "format_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for a total shown as base_total+bonus. */
#define S_TOTAL_MAX (2 * REPORT__NUMBER_MAX + 2)

/* One section of output: a title line, then a grid. */
typedef struct {
    char *title;          /* owned title line */
    format__grid_t *grid; /* owned grid */
} block_t;

/* The sections in output order. */
typedef struct {
    block_t *blocks; /* owned array of max blocks */
    size_t count;    /* blocks filled */
    size_t max;      /* room in blocks */
} blocks_t;

/* Formats a number into a REPORT__NUMBER_MAX buffer. */
typedef void (s_format_fn) (double value, char *buf);

//  --------------------------------------------------------------------------
//  Cells

/* Appends a value: blank when absent, "-" when null, else formatted. */
static int
s_grid_add_value (format__grid_t *grid, const cJSON *value, s_format_fn *format)
{
    char buf[REPORT__NUMBER_MAX] = "";
    if (cJSON_IsNull (value))
        return format__grid_add (grid, "-");
    if (value)
        format (value->valuedouble, buf);
    return format__grid_add (grid, buf);
}

/* Appends an item value (or a channel column's) rounded as its spec says,
   with the spec's suffix after a number: "88%". */
static int
s_grid_add_item (format__grid_t *grid, const cJSON *spec, const cJSON *value)
{
    char buf[REPORT__NUMBER_MAX] = "";
    if (cJSON_IsNull (value))
        return format__grid_add (grid, "-");
    if (!value)
        return format__grid_add (grid, "");
    format__format_item (spec, value->valuedouble, buf);
    return format__grid_add2 (grid, buf, format__text (spec, "suffix"));
}

/* Appends a header cell made by format__header. */
static int
s_grid_add_header (format__grid_t *grid, const cJSON *spec)
{
    char *header = format__header (spec);
    if (!header)
        return -1;
    int rc = format__grid_add (grid, header);
    free (header);
    return rc;
}

/* Appends several fixed texts. */
static int
s_grid_add_texts (format__grid_t *grid, const char *const *texts, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (format__grid_add (grid, texts[i]))
            return -1;
    return 0;
}

//  --------------------------------------------------------------------------
//  Blocks

/* Adds a block, taking the grid; the title is copied. On failure the grid
   is destroyed, so callers need no cleanup of their own. */
static int
s_blocks_add (blocks_t *blocks, const char *title, format__grid_t **grid_p)
{
    char *copy = *grid_p ? strdup (title) : NULL;
    if (!copy || blocks->count >= blocks->max) {
        free (copy);
        format__grid_destroy (grid_p);
        return -1;
    }
    blocks->blocks[blocks->count++] = (block_t){copy, *grid_p};
    *grid_p = NULL;
    return 0;
}

static void
s_blocks_free (blocks_t *blocks)
{
    for (size_t i = 0; i < blocks->count; i++) {
        free (blocks->blocks[i].title);
        format__grid_destroy (&blocks->blocks[i].grid);
    }
    free (blocks->blocks);
}

//  --------------------------------------------------------------------------
//  Main tables

static size_t
s_count (const cJSON *array)
{
    return (size_t)cJSON_GetArraySize (array);
}

static bool
s_rows_have (const cJSON *rows, const char *name)
{
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        const cJSON *member = cJSON_GetObjectItemCaseSensitive (row, name);
        if (cJSON_IsString (member) ? *member->valuestring != '\0'
                                    : member != NULL)
            return true;
    }
    return false;
}

/* The total as the bulletins print it: "97.83+0.5" when the row has a
   non-zero bonus and its base total, else the total with 2 decimals. */
static void
s_format_total (const cJSON *row, char *buf)
{
    const cJSON *total = format__member (row, NULL, "total");
    const cJSON *base = format__value (row, NULL, "base_total");
    const cJSON *bonus = format__value (row, NULL, "bonus");
    buf[0] = '\0';
    if (base && bonus && bonus->valuedouble != 0) {
        char points[REPORT__NUMBER_MAX];
        double value = bonus->valuedouble;
        format__format_fixed2 (base->valuedouble, buf);
        format__format_short (value < 0 ? -value : value, points);
        strcat (buf, value < 0 ? "-" : "+");
        strcat (buf, points);
    } else if (cJSON_IsNull (total))
        strcpy (buf, "-");
    else if (total)
        format__format_fixed2 (total->valuedouble, buf);
}

static int
s_add_header (format__grid_t *grid, const format_doc_t *doc, bool notes)
{
    if (format__grid_add (grid, "排名") || format__grid_add (grid, "单位"))
        return -1;
    const cJSON *counter;
    cJSON_ArrayForEach (counter, doc->counters)
    {
        if (format__grid_add (grid,
                              format__counter_label (counter->valuestring)))
            return -1;
    }
    for (size_t i = 0; i < doc->score_count; i++)
        if (s_grid_add_header (grid, doc->scores[i].spec))
            return -1;
    if (format__grid_add (grid, "总分"))
        return -1;
    if (notes && format__grid_add (grid, "备注"))
        return -1;
    return 0;
}

static int
s_add_row (format__grid_t *grid, const format_doc_t *doc, const cJSON *row,
           bool notes)
{
    // Unranked schemes give a null rank; "-" says so where a blank would
    // look like a missing value.
    const cJSON *rank = format__value (row, NULL, "rank");
    if (rank ? s_grid_add_value (grid, rank, format__format_count)
             : format__grid_add (grid, "-"))
        return -1;
    if (format__grid_add (grid, format__unit_name (row)))
        return -1;
    const cJSON *counter;
    cJSON_ArrayForEach (counter, doc->counters)
    {
        if (s_grid_add_value (
                grid, format__member (row, "counters", counter->valuestring),
                format__format_count))
            return -1;
    }
    for (size_t i = 0; i < doc->score_count; i++) {
        const cJSON *spec = doc->scores[i].spec;
        const char *id = format__text (spec, "id");
        if (doc->scores[i].dimension
                ? s_grid_add_value (grid,
                                    format__member (row, "dimensions", id),
                                    format__format_fixed2)
                : s_grid_add_item (grid, spec,
                                   format__member (row, "items", id)))
            return -1;
    }
    char total[S_TOTAL_MAX];
    s_format_total (row, total);
    if (format__grid_add (grid, total))
        return -1;
    if (notes && format__grid_add (grid, format__text (row, "note")))
        return -1;
    return 0;
}

static format__grid_t *
s_build_table (const format_doc_t *doc, const cJSON *table)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "rows");
    bool notes = s_rows_have (rows, "note");
    size_t cols =
        3 + s_count (doc->counters) + doc->score_count + (notes ? 1 : 0);
    format__grid_t *grid = format__grid_new (1 + s_count (rows), cols);
    if (!grid)
        return NULL;
    grid->keys = 2; // rank and unit name head every panel
    // Everything but the unit name and the note is a number.
    for (size_t col = 0; col < cols; col++)
        grid->right[col] = col != 1 && !(notes && col == cols - 1);
    if (s_add_header (grid, doc, notes))
        goto failed;
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        if (s_add_row (grid, doc, row, notes))
            goto failed;
    }
    return grid;

failed:
    format__grid_destroy (&grid);
    return NULL;
}

/* Each unit's change per changed item, in percentage points. */
static format__grid_t *
s_build_changes (const format_doc_t *doc, const cJSON *rows)
{
    format__grid_t *grid =
        format__grid_new (1 + s_count (rows), 1 + doc->change_count);
    if (!grid)
        return NULL;
    format__grid_numbers_but (grid, 0);
    if (format__grid_add (grid, "单位"))
        goto failed;
    for (size_t i = 0; i < doc->change_count; i++) {
        const cJSON *item = format__item (doc, doc->changes[i]);
        if (format__grid_add (grid,
                              item ? format__label (item) : doc->changes[i]))
            goto failed;
    }
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        if (format__grid_add (grid, format__unit_name (row)))
            goto failed;
        for (size_t i = 0; i < doc->change_count; i++)
            if (s_grid_add_value (
                    grid, format__member (row, "changes", doc->changes[i]),
                    format__format_signed))
                goto failed;
    }
    return grid;

failed:
    format__grid_destroy (&grid);
    return NULL;
}

static format__grid_t *
s_build_excluded (const cJSON *excluded)
{
    format__grid_t *grid = format__grid_new (1 + s_count (excluded), 2);
    if (!grid)
        return NULL;
    if (format__grid_add (grid, "单位") || format__grid_add (grid, "原因"))
        goto failed;
    const cJSON *unit;
    cJSON_ArrayForEach (unit, excluded)
    {
        char reason[512];
        format__reason_text (format__text (unit, "reason"), reason,
                             sizeof reason);
        if (format__grid_add (grid, format__unit_name (unit)) ||
            format__grid_add (grid, reason))
            goto failed;
    }
    return grid;

failed:
    format__grid_destroy (&grid);
    return NULL;
}

//  --------------------------------------------------------------------------
//  Further sections

static format__grid_t *
s_build_channel (const cJSON *table)
{
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive (table, "columns");
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "rows");
    format__grid_t *grid =
        format__grid_new (1 + s_count (rows), 1 + s_count (columns));
    if (!grid)
        return NULL;
    format__grid_numbers_but (grid, 0);
    if (format__grid_add (grid, "单位"))
        goto failed;
    const cJSON *column;
    cJSON_ArrayForEach (column, columns)
    {
        const char *id = format__text (column, "id");
        const char *label = format__text (column, "label");
        if (!*label)
            label = format__counter_label (id);
        if (format__grid_add (grid, label))
            goto failed;
    }
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        if (format__grid_add (grid, format__unit_name (row)))
            goto failed;
        cJSON_ArrayForEach (column, columns)
        {
            const cJSON *value =
                format__member (row, "values", format__text (column, "id"));
            bool counter =
                strcmp (format__text (column, "kind"), "counter") == 0;
            if (counter ? s_grid_add_value (grid, value, format__format_count)
                        : s_grid_add_item (grid, column, value))
                goto failed;
        }
    }
    return grid;

failed:
    format__grid_destroy (&grid);
    return NULL;
}

/* Summary lines: a label and a value each, no header. */
static const struct {
    const char *name;    /* member of "summary" */
    const char *label;   /* line label */
    s_format_fn *format; /* how to show the value */
} s_summary[] = {
    {"units", "参评单位", format__format_count},
    {"with_cases", "有工单单位", format__format_count},
    {"at_full_score", "满分单位", format__format_count},
    {"average", "平均分", format__format_fixed2},
};

#define S_SUMMARY_LINES (sizeof s_summary / sizeof s_summary[0])

static size_t
s_summary_lines (const cJSON *summary)
{
    size_t count = 0;
    for (size_t i = 0; i < S_SUMMARY_LINES; i++)
        count += format__member (summary, NULL, s_summary[i].name) != NULL;
    return count;
}

/* The share of units at full score follows their number: "12 (31.58%)". */
static format__grid_t *
s_build_summary (const cJSON *summary)
{
    format__grid_t *grid = format__grid_new (s_summary_lines (summary), 2);
    if (!grid)
        return NULL;
    grid->rule = false;
    for (size_t i = 0; i < S_SUMMARY_LINES; i++) {
        const cJSON *value = format__member (summary, NULL, s_summary[i].name);
        if (!value)
            continue;
        char buf[REPORT__NUMBER_MAX] = "-";
        char share[REPORT__NUMBER_MAX + 3] = "";
        if (cJSON_IsNumber (value))
            s_summary[i].format (value->valuedouble, buf);
        const cJSON *part =
            format__value (summary, NULL, "at_full_score_share");
        if (strcmp (s_summary[i].name, "at_full_score") == 0 && part) {
            char percent[REPORT__NUMBER_MAX];
            format__format_percent (part->valuedouble, percent);
            snprintf (share, sizeof share, " (%s)", percent);
        }
        if (format__grid_add (grid, s_summary[i].label) ||
            format__grid_add2 (grid, buf, share))
            goto failed;
    }
    return grid;

failed:
    format__grid_destroy (&grid);
    return NULL;
}

/* Tickets received per channel or per category, with their share. */
static format__grid_t *
s_build_shares (const cJSON *entries, const char *heading, bool category)
{
    format__grid_t *grid = format__grid_new (1 + s_count (entries), 3);
    if (!grid)
        return NULL;
    format__grid_numbers_but (grid, 0);
    const char *const header[] = {heading, "受理", "占比"};
    if (s_grid_add_texts (grid, header, 3))
        goto failed;
    const cJSON *entry;
    cJSON_ArrayForEach (entry, entries)
    {
        if (format__grid_add (grid, format__share_label (entry, category)) ||
            s_grid_add_value (grid, format__member (entry, NULL, "received"),
                              format__format_count) ||
            s_grid_add_value (grid, format__member (entry, NULL, "share"),
                              format__format_percent))
            goto failed;
    }
    return grid;

failed:
    format__grid_destroy (&grid);
    return NULL;
}

/* Units whose resolution rate is below the district's. */
static format__grid_t *
s_build_below (const cJSON *below)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive (below, "rows");
    format__grid_t *grid = format__grid_new (1 + s_count (rows), 4);
    if (!grid)
        return NULL;
    format__grid_numbers_but (grid, 0);
    const char *const header[] = {"单位", "回访数", "未解决", "解决率"};
    if (s_grid_add_texts (grid, header, 4))
        goto failed;
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        if (format__grid_add (grid, format__unit_name (row)) ||
            s_grid_add_value (grid, format__member (row, NULL, "revisited"),
                              format__format_count) ||
            s_grid_add_value (grid, format__member (row, NULL, "unresolved"),
                              format__format_count) ||
            s_grid_add_value (grid, format__member (row, NULL, "rate"),
                              format__format_percent))
            goto failed;
    }
    return grid;

failed:
    format__grid_destroy (&grid);
    return NULL;
}

static const char *
s_first_text (const cJSON *object, const char *name, const char *other,
              const char *fallback)
{
    const char *text = format__text (object, name);
    if (!*text && other)
        text = format__text (object, other);
    return *text ? text : fallback;
}

/* The opening figures: label and value lines, without header. */
static format__grid_t *
s_build_overview (const cJSON *overview)
{
    static const struct {
        const char *name;    /* member of "overview" */
        const char *label;   /* line label */
        s_format_fn *format; /* how to show the value */
    } lines[] = {
        {"received", "受理", format__format_count},
        {"should_close", "应办结", format__format_count},
        {"closed", "办结", format__format_count},
        {"closure_rate", "办结率", format__format_percent},
        {"on_time_rate", "按期办结率", format__format_percent},
    };
    format__grid_t *grid = format__grid_new (5, 2);
    if (!grid)
        return NULL;
    grid->rule = false;
    grid->right[1] = true;
    for (size_t i = 0; i < 5; i++)
        if (format__grid_add (grid, lines[i].label) ||
            s_grid_add_value (grid,
                              format__member (overview, NULL, lines[i].name),
                              lines[i].format)) {
            format__grid_destroy (&grid);
            return NULL;
        }
    return grid;
}

/* One warning a line, as the daemon wrote it. */
static format__grid_t *
s_build_warnings (const cJSON *warnings)
{
    format__grid_t *grid = format__grid_new (s_count (warnings), 1);
    if (!grid)
        return NULL;
    grid->rule = false;
    const cJSON *warning;
    cJSON_ArrayForEach (warning, warnings)
    {
        if (format__grid_add2 (grid, "· ", warning->valuestring)) {
            format__grid_destroy (&grid);
            return NULL;
        }
    }
    return grid;
}

static int
s_build_sections (blocks_t *blocks, const format_doc_t *doc)
{
    const cJSON *table;
    cJSON_ArrayForEach (table, doc->channel_tables)
    {
        format__grid_t *grid = s_build_channel (table);
        if (s_blocks_add (blocks,
                          s_first_text (table, "title", "channel", "渠道表"),
                          &grid))
            return -1;
    }
    if (s_summary_lines (doc->summary) > 0) {
        format__grid_t *grid = s_build_summary (doc->summary);
        if (s_blocks_add (blocks, "汇总", &grid))
            return -1;
    }
    static const char *const shares[][2] = {{"channels", "渠道"},
                                            {"categories", "类别"}};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *entries =
            cJSON_GetObjectItemCaseSensitive (doc->breakdown, shares[i][0]);
        if (!entries)
            continue;
        format__grid_t *grid = s_build_shares (entries, shares[i][1], i == 1);
        if (s_blocks_add (blocks, shares[i][1], &grid))
            return -1;
    }
    if (doc->below) {
        const cJSON *rate = format__value (doc->below, NULL, "district_rate");
        const char *name = s_first_text (doc->below, "title", NULL,
                                         "问题解决率低于全区平均的单位");
        char percent[REPORT__NUMBER_MAX] = "";
        if (rate)
            format__format_percent (rate->valuedouble, percent);
        size_t size = strlen (name) + strlen (percent) + 32;
        char *title = malloc (size);
        format__grid_t *grid = title ? s_build_below (doc->below) : NULL;
        if (title)
            snprintf (title, size, rate ? "%s (全区平均 %s)" : "%s%s", name,
                      percent);
        int rc = s_blocks_add (blocks, title ? title : "", &grid);
        free (title);
        if (rc)
            return -1;
    }
    if (doc->overview) {
        format__grid_t *grid = s_build_overview (doc->overview);
        if (s_blocks_add (blocks, "总体情况", &grid))
            return -1;
    }
    if (s_count (doc->warnings) > 0) {
        format__grid_t *grid = s_build_warnings (doc->warnings);
        if (s_blocks_add (blocks, "提示", &grid))
            return -1;
    }
    return 0;
}

static int
s_build_blocks (blocks_t *blocks, const format_doc_t *doc)
{
    blocks->max = 2 * s_count (doc->tables) + s_count (doc->channel_tables) + 7;
    blocks->blocks = calloc (blocks->max, sizeof (block_t));
    if (!blocks->blocks)
        return -1;
    const cJSON *table;
    cJSON_ArrayForEach (table, doc->tables)
    {
        format__grid_t *grid = s_build_table (doc, table);
        if (s_blocks_add (blocks, s_first_text (table, "title", "group", ""),
                          &grid))
            return -1;
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "rows");
        if (doc->change_count && s_rows_have (rows, "changes")) {
            grid = s_build_changes (doc, rows);
            if (s_blocks_add (blocks, "环比变化 (百分点)", &grid))
                return -1;
        }
    }
    if (s_count (doc->excluded) > 0) {
        format__grid_t *grid = s_build_excluded (doc->excluded);
        if (s_blocks_add (blocks, "未参与排名", &grid))
            return -1;
    }
    return s_build_sections (blocks, doc);
}

//  --------------------------------------------------------------------------
//  Writing

/* Writes a cleaned copy of a free-standing line such as a title. */
static int
s_write_clean (FILE *out, const char *text)
{
    char *clean = malloc (strlen (text) + 1);
    if (!clean)
        return -1;
    format__copy_clean (clean, text);
    fputs (clean, out);
    free (clean);
    return 0;
}

/* The title line joins whichever of title, period (in Chinese), ruleset
   and as_of (in Chinese, after 截至) the report has, two spaces apart; a
   part that would pass the width starts a new line instead. */
static int
s_write_title (const format_doc_t *doc, FILE *out, size_t width)
{
    static const char *const names[] = {"title", "period", "ruleset", "as_of"};
    size_t used = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *text = format__text (doc->root, names[i]);
        if (!*text)
            continue;
        char said[256];
        if (i == 1)
            format__period_text (text, said, sizeof said);
        else if (i == 3) {
            char when[128];
            format__time_text (text, when, sizeof when);
            snprintf (said, sizeof said, "截至 %s", when);
        }
        char *part = malloc (strlen (i == 1 || i == 3 ? said : text) + 1);
        if (!part)
            return -1;
        format__copy_clean (part, i == 1 || i == 3 ? said : text);
        size_t part_width = format_display_width (part);
        if (used && width && used + 2 + part_width > width) {
            fputc ('\n', out);
            used = 0;
        }
        fputs (used ? "  " : "", out);
        fputs (part, out);
        used += (used ? 2 : 0) + part_width;
        free (part);
    }
    if (used)
        fputc ('\n', out);
    return 0;
}

int
format_table (const char *json, FILE *out, char *err)
{
    return format_table_fit (json, out, 0, err);
}

int
format_table_fit (const char *json, FILE *out, size_t width, char *err)
{
    format_doc_t doc;
    if (format__load (json, &doc, err))
        return -1;
    blocks_t blocks = {NULL, 0, 0};
    int rc = -1;
    if (s_build_blocks (&blocks, &doc) || s_write_title (&doc, out, width))
        goto out_of_memory;
    for (size_t i = 0; i < blocks.count; i++) {
        fputc ('\n', out);
        if (s_write_clean (out, blocks.blocks[i].title))
            goto out_of_memory;
        fputc ('\n', out);
        if (format__grid_write (blocks.blocks[i].grid, out, width))
            goto out_of_memory;
    }
    if (fflush (out) != 0 || ferror (out)) {
        format__set_error (err, "report: could not write the output");
        goto cleanup;
    }
    rc = 0;
    goto cleanup;

out_of_memory:
    format__set_error (err, "report: out of memory");
cleanup:
    s_blocks_free (&blocks);
    format__unload (&doc);
    return rc;
}
