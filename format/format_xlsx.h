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

/* Writes the report as a workbook at path, replacing any file there:

   - one worksheet per main table, named after its title (else its group),
     then "未参与排名" when units were excluded, one "渠道表 <title>" per
     channel table, and "汇总" when the report has a summary, breakdown or
     below section. Sheet names are cut to 31 characters, the characters
     Excel forbids ([]:*?/\) become '_', and a name already used (ignoring
     ASCII case) gets " (2)", " (3)"...;
   - row 1 is a bold header and stays frozen; the main tables have 排名,
     单位, the counters, the items and dimension subtotals as in
     format_table, then 基础分 and 加分 when rows carry them, 总分,
     one "<item> 环比" column per changed item and 备注 when a row has a
     note;
   - counters and ranks are plain numbers (whole numbers show as integers),
     items, subtotals and totals use the number format "0.00" ("0" for pct0
     items, the item's suffix shown by the format: 88 reads "88%"), changes
     "+0.00", shares and rates "0.00%"; absent and null values, a null rank
     included, are empty cells; names and notes are text;
   - column widths follow the widest cell, a CJK character counting 2.

   Returns 0, or -1 with a message in `err` (FORMAT_ERR_MAX bytes,
   may be NULL) when `json` is not a report (nothing is written then),
   memory runs out, a value does not fit a worksheet, or the file cannot
   be written (the message then carries libxlsxwriter's lxw_strerror text).
   Nothing is written unless the whole workbook was built; a file that was
   created but could not be finished is removed. */
int format_xlsx (const char *json, const char *path, char *err);

#endif
