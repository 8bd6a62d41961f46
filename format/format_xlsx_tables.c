/*  format_xlsx_tables: the main tables as the bulletins print them.

    One sheet per table: the title rows, the two header rows of
    format_columns.c (a group's heading merged over its columns, a column
    of no group merged over both rows), one bordered row per unit, and
    under the table a bar chart ranking the units by total.
*/
#include "format_xlsx_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows of the header under the title rows. */
#define S_HEADER_ROWS 2

/* Chart size in pixels: width, and height per unit plus room for title
   and axis. */
#define S_CHART_WIDTH    760
#define S_CHART_PER_UNIT 24
#define S_CHART_EXTRA    90

/* Writes the two header rows: each run of columns under one group gets
   the group's heading merged over it; a column of no group spans both
   rows. */
static void
s_header_rows (format__xlsx_sheet_t *sheet, const format_doc_t *doc,
               const format__columns_t *plan)
{
    lxw_row_t top = sheet->row, low = sheet->row + 1;
    for (size_t c = 0; c < plan->count && !sheet->book->oom;) {
        const cJSON *group = plan->cols[c].group;
        size_t end = format__columns_run (plan, c);
        char *label = group ? format__points_label (group)
                            : format__columns_label (doc, &plan->cols[c]);
        if (!label) {
            sheet->book->oom = true;
            return;
        }
        format__xlsx_merge (sheet, top, group ? top : low, c, end - 1, label,
                            sheet->book->header);
        if (!group)
            format__xlsx_measure_header (sheet, c, label);
        free (label);
        for (size_t k = c; group && k < end; k++) {
            char *own = format__columns_label (doc, &plan->cols[k]);
            if (!own) {
                sheet->book->oom = true;
                return;
            }
            sheet->row = low;
            format__xlsx_header (sheet, k, own);
            sheet->row = top;
            free (own);
        }
        c = end;
    }
    sheet->row = low;
    format__xlsx_note (sheet->book,
                       worksheet_set_row (sheet->sheet, top, 28, NULL));
    format__xlsx_note (sheet->book,
                       worksheet_set_row (sheet->sheet, low, 28, NULL));
}

static void
s_row (format__xlsx_sheet_t *sheet, const format__columns_t *plan,
       const cJSON *row)
{
    for (size_t c = 0; c < plan->count; c++) {
        const format__col_t *col = &plan->cols[c];
        const cJSON *value = format__columns_value (col, row);
        switch (col->kind) {
        case FORMAT__COL_UNIT:
        case FORMAT__COL_NOTE:
            format__xlsx_text (sheet, c,
                               col->kind == FORMAT__COL_UNIT
                                   ? format__unit_name (row)
                                   : format__text (row, "note"),
                               NULL, true);
            break;
        case FORMAT__COL_ITEM:
            format__xlsx_item (sheet, c, col->spec, value);
            break;
        case FORMAT__COL_RANK:
        case FORMAT__COL_COUNTER:
            format__xlsx_number (sheet, c, value, NULL, format__format_count);
            break;
        case FORMAT__COL_BONUS:
            format__xlsx_number (sheet, c, value, NULL, format__format_short);
            break;
        case FORMAT__COL_CHANGE:
            format__xlsx_number (sheet, c, value, FORMAT__SIGNED,
                                 format__format_signed);
            break;
        default: // subtotals, base totals and totals
            format__xlsx_number (sheet, c, value, FORMAT__FIXED2,
                                 format__format_fixed2);
        }
    }
}

/* A horizontal bar per unit in the table's order (rank 1 at the top),
   under the table; an unranked scheme's chart is not called a ranking. */
static void
s_ranking_chart (format__xlsx_sheet_t *sheet, const format__columns_t *plan,
                 const char *title, bool ranked, lxw_row_t first,
                 lxw_row_t last)
{
    size_t total = 0;
    while (total < plan->count && plan->cols[total].kind != FORMAT__COL_TOTAL)
        total++;
    lxw_chart *chart = workbook_add_chart (sheet->book->book, LXW_CHART_BAR);
    lxw_chart_series *series =
        chart ? chart_add_series (chart, NULL, NULL) : NULL;
    const char *what = ranked ? " 总分排名" : " 总分";
    char *name = malloc (strlen (title) + strlen (what) + 1);
    if (!series || !name) {
        free (name);
        sheet->book->oom = true;
        return;
    }
    chart_series_set_categories (series, sheet->name, first, 1, last, 1);
    chart_series_set_values (series, sheet->name, first, (lxw_col_t)total, last,
                             (lxw_col_t)total);
    chart_series_set_labels (series);
    chart_series_set_labels_num_format (series, FORMAT__FIXED2);
    sprintf (name, "%s%s", title, what);
    char *clean = format__xlsx_clean (name, 255);
    free (name);
    if (!clean) {
        sheet->book->oom = true;
        return;
    }
    chart_title_set_name (chart, clean);
    free (clean);
    chart_legend_set_position (chart, LXW_CHART_LEGEND_NONE);
    // A bar chart's categories run up its y axis: reversed, rank 1 on top,
    // every unit named, in a size that leaves room for each name.
    chart_axis_set_reverse (chart->y_axis);
    chart_axis_set_interval_unit (chart->y_axis, 1);
    lxw_chart_font small = {.size = 8};
    chart_axis_set_num_font (chart->y_axis, &small);
    chart_axis_set_num_font (chart->x_axis, &small);
    chart_series_set_labels_font (series, &small);
    double height =
        S_CHART_EXTRA + S_CHART_PER_UNIT * (double)(last - first + 1);
    lxw_chart_options options = {.x_offset = 0,
                                 .y_offset = 0,
                                 .x_scale = S_CHART_WIDTH / 480.0,
                                 .y_scale = height / 288.0};
    format__xlsx_note (sheet->book,
                       worksheet_insert_chart_opt (sheet->sheet, last + 2, 0,
                                                   chart, &options));
}

static void
s_table (format__xlsx_book_t *book, const cJSON *table, size_t index)
{
    const format_doc_t *doc = book->doc;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "rows");
    format__columns_t plan;
    if (format__columns_plan (&plan, doc, format__rows_have_note (rows))) {
        book->oom = true;
        return;
    }
    const char *title = format__text (table, "title");
    const char *name = *title ? title : format__text (table, "group");
    char fallback[32];
    snprintf (fallback, sizeof fallback, "表%zu", index + 1);
    format__xlsx_sheet_t sheet;
    if (format__xlsx_sheet_start (&sheet, book, name, fallback, name,
                                  plan.count) == 0) {
        lxw_row_t first = sheet.row;
        s_header_rows (&sheet, doc, &plan);
        // The headers print on every page and stay in view.
        format__xlsx_note (
            book, worksheet_repeat_rows (sheet.sheet, first, sheet.row));
        worksheet_freeze_panes (sheet.sheet, sheet.row + 1, 2);
        const cJSON *row;
        cJSON_ArrayForEach (row, rows)
        {
            format__xlsx_next_row (&sheet);
            s_row (&sheet, &plan, row);
        }
        if (cJSON_GetArraySize (rows) > 0 && !format__xlsx_failed (book))
            s_ranking_chart (
                &sheet, &plan, *name ? name : fallback,
                format__value (cJSON_GetArrayItem (rows, 0), NULL, "rank"),
                first + S_HEADER_ROWS, sheet.row);
    }
    format__xlsx_sheet_finish (&sheet);
    format__columns_free (&plan);
}

void
format__xlsx_tables (format__xlsx_book_t *book)
{
    size_t index = 0;
    const cJSON *table;
    cJSON_ArrayForEach (table, book->doc->tables)
    {
        s_table (book, table, index++);
    }
}
