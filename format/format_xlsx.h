/*  format_xlsx: the report JSON as an Excel workbook (.xlsx).

    The third output form of `hotline report`, for people who open reports
    in a spreadsheet. It reads the same JSON as format_table and
    accepts and refuses exactly the same documents (format.h and
    docs/report-json.md). Written with libxlsxwriter.

    Thread rules: reentrant; nothing here keeps state.
*/
#ifndef FORMAT_XLSX_H_INCLUDED
#define FORMAT_XLSX_H_INCLUDED

#include "format.h"

/* Writes the report as a workbook at path, replacing any file there, laid
   out as the bulletin (docs/bulletin.md):

   - one worksheet per main table, named after its title (else its group),
     then "未参与排名" when units were excluded (its warnings under 提示;
     a sheet "提示" when there are only warnings), one "渠道表 <title>"
     per channel table, and "汇总" when the report has an overview,
     summary, breakdown or below section. Sheet names are cut to 31
     characters, the characters Excel forbids ([]:*?/\) become '_', and a
     name already used (ignoring ASCII case) gets " (2)", " (3)"...;
   - every sheet starts with the title rows, merged across the sheet:
     "<title>（2025年7月）" and "<table>　截至 2025年8月1日 00:00　评分规则
     <ruleset>"; prints on A4 landscape, one page wide, centred, with the
     page number in the footer;
   - a main table has two header rows (rows 3 and 4, repeated on every
     printed page and frozen with 排名 and 单位): with dimensions, each
     dimension "label（N分）" merged over its items and 小计; without, each
     item "label（N分）" merged over the counters its "uses" names (each
     counter under the first item that reads it) and 得分; every other
     column (排名, 单位, counters of no item, an item of no group, 基础分,
     加分, 总分, "<item> 环比", 备注) merged over both rows. Cells are
     bordered; counters and ranks plain numbers, items "0.00" ("0" for pct0
     items, the suffix shown by the format: 88 reads "88%"), changes
     "+0.00", shares and rates "0.00%"; absent and null values are blank
     cells. Under the rows, a bar chart of the totals, rank 1 on top;
   - reasons for exclusion in words (format_table), channel and category
     ids named in Chinese;
   - column widths follow the widest cell, a CJK character counting 2; a
     long heading wraps onto two lines instead.

   Returns 0, or -1 with a message in `err` (FORMAT_ERR_MAX bytes,
   may be NULL) when `json` is not a report (nothing is written then),
   memory runs out, a value does not fit a worksheet, or the file cannot
   be written (the message then carries libxlsxwriter's lxw_strerror text).
   Nothing is written unless the whole workbook was built; a file that was
   created but could not be finished is removed. */
int format_xlsx (const char *json, const char *path, char *err);

/* format_xlsx with a trend: history holds the reports of the periods
   before, oldest first (count of them, each checked as `json`), and the
   workbook gets a last sheet "趋势": 表, 单位 and each unit's total per
   period (the report's period last; units matched by unit_id, blank where
   a period has no row for the unit), and one line chart per table, a line
   per unit. count 0 is format_xlsx. */
int format_xlsx_trend (const char *json, const char *const *history,
                       size_t count, const char *path, char *err);

#endif
