/*  format_xlsx_sheets: the workbook's other sheets.

    未参与排名 (the excluded units with their reasons in words, and the
    report's warnings under 提示), one sheet per channel table, 汇总 (the
    opening figures, the summary, the breakdown and the units below the
    district rate, one block under the other), and 趋势: each unit's total
    over the last periods with a line chart per table.
*/
#include "format_xlsx_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Trend chart size in pixels. */
#define S_TREND_WIDTH  760
#define S_TREND_HEIGHT 420

/* Rows a trend chart covers (20 pixels each), and a gap. */
#define S_TREND_ROWS 23

/* Moves past a blank row unless the sheet has no block yet. */
static void
s_gap (format__xlsx_sheet_t *sheet, bool *started)
{
    if (*started) {
        format__xlsx_next_row (sheet);
        format__xlsx_next_row (sheet);
    }
    *started = true;
}

//  --------------------------------------------------------------------------
//  Excluded units and warnings

void
format__xlsx_notes (format__xlsx_book_t *book)
{
    const format_doc_t *doc = book->doc;
    bool excluded = cJSON_GetArraySize (doc->excluded) > 0;
    bool warnings = cJSON_GetArraySize (doc->warnings) > 0;
    if (!excluded && !warnings)
        return;
    const char *name = excluded ? "未参与排名" : "提示";
    format__xlsx_sheet_t sheet;
    if (format__xlsx_sheet_start (&sheet, book, name, "", name, 2) == 0) {
        bool started = false;
        if (excluded) {
            s_gap (&sheet, &started);
            format__xlsx_header (&sheet, 0, "单位");
            format__xlsx_header (&sheet, 1, "原因");
        }
        const cJSON *unit;
        cJSON_ArrayForEach (unit, doc->excluded)
        {
            char reason[512];
            format__reason_text (format__text (unit, "reason"), reason,
                                 sizeof reason);
            format__xlsx_next_row (&sheet);
            format__xlsx_text (&sheet, 0, format__unit_name (unit), NULL, true);
            format__xlsx_text (&sheet, 1, reason, NULL, true);
        }
        if (warnings) {
            s_gap (&sheet, &started);
            format__xlsx_text (&sheet, 0, "提示", book->bold, true);
        }
        const cJSON *warning;
        cJSON_ArrayForEach (warning, doc->warnings)
        {
            format__xlsx_next_row (&sheet);
            format__xlsx_merge (&sheet, sheet.row, sheet.row, 0, 1,
                                warning->valuestring, book->cell);
        }
    }
    format__xlsx_sheet_finish (&sheet);
}

//  --------------------------------------------------------------------------
//  Channel tables

static void
s_channel (format__xlsx_book_t *book, const cJSON *table)
{
    const char *title = format__text (table, "title");
    if (!*title)
        title = format__text (table, "channel");
    char *name = malloc (strlen (title) + sizeof "渠道表 ");
    if (!name) {
        book->oom = true;
        return;
    }
    sprintf (name, *title ? "渠道表 %s" : "渠道表%s", title);
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive (table, "columns");
    format__xlsx_sheet_t sheet;
    int rc = format__xlsx_sheet_start (
        &sheet, book, name, "", name, 1 + (size_t)cJSON_GetArraySize (columns));
    free (name);
    if (rc == 0) {
        format__xlsx_header (&sheet, 0, "单位");
        size_t col = 1;
        const cJSON *column;
        cJSON_ArrayForEach (column, columns)
        {
            const char *label = format__text (column, "label");
            format__xlsx_header (
                &sheet, col++,
                *label ? label
                       : format__counter_label (format__text (column, "id")));
        }
        worksheet_repeat_rows (sheet.sheet, sheet.row, sheet.row);
        const cJSON *row;
        cJSON_ArrayForEach (row,
                            cJSON_GetObjectItemCaseSensitive (table, "rows"))
        {
            format__xlsx_next_row (&sheet);
            format__xlsx_text (&sheet, 0, format__unit_name (row), NULL, true);
            col = 1;
            cJSON_ArrayForEach (column, columns)
            {
                const cJSON *value =
                    format__member (row, "values", format__text (column, "id"));
                if (strcmp (format__text (column, "kind"), "counter") == 0)
                    format__xlsx_number (&sheet, col++, value, NULL,
                                         format__format_count);
                else
                    format__xlsx_item (&sheet, col++, column, value);
            }
        }
    }
    format__xlsx_sheet_finish (&sheet);
}

void
format__xlsx_channels (format__xlsx_book_t *book)
{
    const cJSON *table;
    cJSON_ArrayForEach (table, book->doc->channel_tables)
    {
        s_channel (book, table);
    }
}

//  --------------------------------------------------------------------------
//  汇总

/* A label/value line block: label in A (bold), the value in B. */
typedef struct {
    const char *name;                       /* member */
    const char *label;                      /* text in column A */
    const char *code;                       /* number format, NULL: General */
    void (*show) (double value, char *buf); /* as shown, for widths */
} s_line_t;

static void
s_lines (format__xlsx_sheet_t *sheet, const cJSON *object,
         const s_line_t *lines, size_t count, const char *heading,
         bool *started)
{
    s_gap (sheet, started);
    format__xlsx_text (sheet, 0, heading, sheet->book->bold, false);
    for (size_t i = 0; i < count; i++) {
        const cJSON *value = format__member (object, NULL, lines[i].name);
        if (!value)
            continue;
        format__xlsx_next_row (sheet);
        format__xlsx_text (sheet, 0, lines[i].label, sheet->book->bold, true);
        format__xlsx_number (sheet, 1, value, lines[i].code, lines[i].show);
    }
}

static void
s_shares (format__xlsx_sheet_t *sheet, const cJSON *entries,
          const char *heading, bool category, bool *started)
{
    if (!entries)
        return;
    s_gap (sheet, started);
    format__xlsx_header (sheet, 0, heading);
    format__xlsx_header (sheet, 1, "受理");
    format__xlsx_header (sheet, 2, "占比");
    const cJSON *entry;
    cJSON_ArrayForEach (entry, entries)
    {
        format__xlsx_next_row (sheet);
        format__xlsx_text (sheet, 0, format__share_label (entry, category),
                           NULL, true);
        format__xlsx_number (sheet, 1, format__member (entry, NULL, "received"),
                             NULL, format__format_count);
        format__xlsx_number (sheet, 2, format__member (entry, NULL, "share"),
                             FORMAT__PERCENT, format__format_percent);
    }
}

static void
s_below (format__xlsx_sheet_t *sheet, const cJSON *below, bool *started)
{
    const char *title = format__text (below, "title");
    s_gap (sheet, started);
    format__xlsx_text (sheet, 0,
                       *title ? title : "问题解决率低于全区平均的单位",
                       sheet->book->bold, false);
    const cJSON *rate = format__member (below, NULL, "district_rate");
    if (rate) {
        format__xlsx_next_row (sheet);
        format__xlsx_text (sheet, 0, "全区平均", sheet->book->bold, true);
        format__xlsx_number (sheet, 1, rate, FORMAT__PERCENT,
                             format__format_percent);
    }
    format__xlsx_next_row (sheet);
    static const char *const header[] = {"单位", "回访数", "未解决", "解决率"};
    for (size_t col = 0; col < 4; col++)
        format__xlsx_header (sheet, col, header[col]);
    const cJSON *row;
    cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive (below, "rows"))
    {
        format__xlsx_next_row (sheet);
        format__xlsx_text (sheet, 0, format__unit_name (row), NULL, true);
        format__xlsx_number (sheet, 1, format__member (row, NULL, "revisited"),
                             NULL, format__format_count);
        format__xlsx_number (sheet, 2, format__member (row, NULL, "unresolved"),
                             NULL, format__format_count);
        format__xlsx_number (sheet, 3, format__member (row, NULL, "rate"),
                             FORMAT__PERCENT, format__format_percent);
    }
}

void
format__xlsx_overview (format__xlsx_book_t *book)
{
    static const s_line_t overview[] = {
        {"received", "受理", NULL, format__format_count},
        {"should_close", "应办结", NULL, format__format_count},
        {"closed", "办结", NULL, format__format_count},
        {"closure_rate", "办结率", FORMAT__PERCENT, format__format_percent},
        {"on_time_rate", "按期办结率", FORMAT__PERCENT, format__format_percent},
    };
    static const s_line_t summary[] = {
        {"units", "参评单位", NULL, format__format_count},
        {"with_cases", "有工单单位", NULL, format__format_count},
        {"full_score", "满分分值", NULL, format__format_short},
        {"at_full_score", "满分单位", NULL, format__format_count},
        {"at_full_score_share", "满分单位占比", FORMAT__PERCENT,
         format__format_percent},
        {"average", "平均分", FORMAT__FIXED2, format__format_fixed2},
    };
    const format_doc_t *doc = book->doc;
    if (!doc->overview && !doc->summary && !doc->breakdown && !doc->below)
        return;
    format__xlsx_sheet_t sheet;
    if (format__xlsx_sheet_start (&sheet, book, "汇总", "", "汇总", 4) == 0) {
        bool started = false;
        const cJSON *categories =
            cJSON_GetObjectItemCaseSensitive (doc->breakdown, "categories");
        if (doc->overview)
            s_lines (&sheet, doc->overview, overview, 5, "总体情况", &started);
        if (doc->summary)
            s_lines (&sheet, doc->summary, summary, 6, "汇总", &started);
        s_shares (&sheet,
                  cJSON_GetObjectItemCaseSensitive (doc->breakdown, "channels"),
                  "渠道", false, &started);
        // The breakdown's categories, else the overview's: the same shares.
        s_shares (&sheet,
                  categories ? categories
                             : cJSON_GetObjectItemCaseSensitive (doc->overview,
                                                                 "categories"),
                  "类别", true, &started);
        if (doc->below)
            s_below (&sheet, doc->below, &started);
    }
    format__xlsx_sheet_finish (&sheet);
}

//  --------------------------------------------------------------------------
//  趋势

/* The row of unit_id in a report's tables, or NULL. */
static const cJSON *
s_find_row (const format_doc_t *doc, const char *unit_id)
{
    const cJSON *table, *row;
    cJSON_ArrayForEach (table, doc->tables)
    {
        cJSON_ArrayForEach (row,
                            cJSON_GetObjectItemCaseSensitive (table, "rows"))
        {
            if (strcmp (format__text (row, "unit_id"), unit_id) == 0)
                return row;
        }
    }
    return NULL;
}

/* One line per unit of the table across the periods, on the rows
   first..last of the trend sheet. */
static void
s_trend_chart (format__xlsx_sheet_t *sheet, const char *title, lxw_row_t header,
               lxw_row_t first, lxw_row_t last, size_t periods, lxw_row_t at)
{
    lxw_chart *chart = workbook_add_chart (sheet->book->book, LXW_CHART_LINE);
    char *name = format__xlsx_clean (title, 200);
    if (!chart || !name) {
        free (name);
        sheet->book->oom = true;
        return;
    }
    char heading[256];
    snprintf (heading, sizeof heading, "%s 总分走势", name);
    free (name);
    chart_title_set_name (chart, heading);
    for (lxw_row_t row = first; row <= last; row++) {
        lxw_chart_series *series = chart_add_series (chart, NULL, NULL);
        if (!series) {
            sheet->book->oom = true;
            return;
        }
        chart_series_set_categories (series, sheet->name, header, 2, header,
                                     (lxw_col_t)(1 + periods));
        chart_series_set_values (series, sheet->name, row, 2, row,
                                 (lxw_col_t)(1 + periods));
        chart_series_set_name_range (series, sheet->name, row, 1);
        chart_series_set_marker_type (series, LXW_CHART_MARKER_CIRCLE);
    }
    chart_legend_set_position (chart, LXW_CHART_LEGEND_RIGHT);
    lxw_chart_options options = {.x_scale = S_TREND_WIDTH / 480.0,
                                 .y_scale = S_TREND_HEIGHT / 288.0};
    format__xlsx_note (sheet->book, worksheet_insert_chart_opt (
                                        sheet->sheet, at, 0, chart, &options));
}

void
format__xlsx_trend (format__xlsx_book_t *book, const format_doc_t *history,
                    size_t count)
{
    const format_doc_t *doc = book->doc;
    size_t periods = count + 1;
    format__xlsx_sheet_t sheet;
    if (format__xlsx_sheet_start (&sheet, book, "趋势", "", "各单位总分走势",
                                  2 + periods) != 0) {
        format__xlsx_sheet_finish (&sheet);
        return;
    }
    /* Excel and LibreOffice ignore page breaks on a sheet fitted to the
       page; this one prints at its size, each chart on a page. */
    worksheet_set_print_scale (sheet.sheet, 100);
    lxw_row_t header = sheet.row;
    format__xlsx_header (&sheet, 0, "表");
    format__xlsx_header (&sheet, 1, "单位");
    for (size_t p = 0; p < periods; p++) {
        char period[128];
        const format_doc_t *at = p < count ? &history[p] : doc;
        format__period_text (format__text (at->root, "period"), period,
                             sizeof period);
        format__xlsx_header (&sheet, 2 + p, period);
    }
    /* Rows first, charts after: a chart's ranges must hold the data. */
    size_t tables = (size_t)cJSON_GetArraySize (doc->tables);
    lxw_row_t *spans = calloc (2 * (tables ? tables : 1), sizeof (lxw_row_t));
    if (!spans) {
        book->oom = true;
        format__xlsx_sheet_finish (&sheet);
        return;
    }
    size_t t = 0;
    const cJSON *table, *row;
    cJSON_ArrayForEach (table, doc->tables)
    {
        const char *title = format__text (table, "title");
        spans[2 * t] = sheet.row + 1;
        cJSON_ArrayForEach (row,
                            cJSON_GetObjectItemCaseSensitive (table, "rows"))
        {
            format__xlsx_next_row (&sheet);
            format__xlsx_text (&sheet, 0,
                               *title ? title : format__text (table, "group"),
                               NULL, true);
            format__xlsx_text (&sheet, 1, format__unit_name (row), NULL, true);
            const char *unit_id = format__text (row, "unit_id");
            for (size_t p = 0; p < periods; p++) {
                const cJSON *then =
                    p < count ? s_find_row (&history[p], unit_id) : row;
                format__xlsx_number (&sheet, 2 + p,
                                     format__member (then, NULL, "total"),
                                     FORMAT__FIXED2, format__format_fixed2);
            }
        }
        spans[2 * t + 1] = sheet.row;
        t++;
    }
    /* Each chart starts a printed page of its own, so none is cut. */
    lxw_row_t at = sheet.row + 2;
    lxw_row_t *breaks = calloc (tables + 1, sizeof (lxw_row_t));
    const cJSON *charted = breaks ? doc->tables : NULL;
    size_t pages = 0;
    t = 0;
    cJSON_ArrayForEach (table, charted)
    {
        if (spans[2 * t + 1] >= spans[2 * t]) {
            const char *title = format__text (table, "title");
            s_trend_chart (&sheet,
                           *title ? title : format__text (table, "group"),
                           header, spans[2 * t], spans[2 * t + 1], periods, at);
            breaks[pages++] = at;
            at += S_TREND_ROWS;
        }
        t++;
    }
    if (breaks && pages)
        format__xlsx_note (book,
                           worksheet_set_h_pagebreaks (sheet.sheet, breaks));
    book->oom |= !breaks;
    free (breaks);
    free (spans);
    format__xlsx_sheet_finish (&sheet);
}
