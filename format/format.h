/*  format: the report JSON as a terminal table, CSV or an HTML bulletin.

    `hotline report` receives the report as JSON text (docs/report-json.md).
    This module turns that text into the other --format forms; format_xlsx.h
    adds the workbook. It only reads the JSON; it never asks the daemon for
    anything. docs/bulletin.md shows every form.

    What counts as a report: a JSON object with a "tables" array whose
    entries are objects with a "rows" array of objects. Every other member
    may be absent (it is then not shown, or shown blank), but a member that
    is present must have its documented type:
      - strings for names, ids, titles, notes, reasons, and for the "label",
        "round", "suffix", "dimension" and "kind" of items, dimensions and
        channel table columns, which also need a string "id" (and may have
        a number "points");
      - numbers or null for "rank", "total", "base_total", "bonus", the
        members of a row's "counters", "items", "dimensions" and "changes"
        and of a channel row's "values", and for the numbers of "summary",
        "breakdown" entries and "below" ("received", "share",
        "district_rate", "revisited", "unresolved", "rate"...);
      - arrays of objects for "items", "dimensions", "excluded",
        "channel_tables" (each with a "rows" array of objects and an
        optional "columns" array), "breakdown"."channels" and ."categories",
        "below"."rows", "overview"."categories"; "counters", "warnings"
        and an item's "uses" arrays of strings; "summary", "breakdown",
        "below" and "overview" objects (the overview's "units",
        "received", "should_close", "closed", "closed_on_time",
        "closure_rate" and "on_time_rate" numbers or null).
    A wrong type is refused with its location ("report: summary.units is
    not a number or null"). Members not named here are ignored, so a newer
    daemon's sections are skipped, not refused. Columns follow the order of
    the top-level "items" and "counters" arrays; row members not named
    there are not shown.

    Both formatters check the whole report before writing anything, so a
    report that is rejected leaves `out` untouched. They also return -1 when
    writing to `out` fails (the stream is flushed to find out).

    Thread rules: all functions are reentrant; nothing here keeps state.
*/
#ifndef FORMAT_H_INCLUDED
#define FORMAT_H_INCLUDED

#include <stddef.h>
#include <stdio.h>

/* Size the caller gives `err`; messages are cut to fit. */
#define FORMAT_ERR_MAX 256

/* Writes the report as the bulletin lays it out: a title line (title,
   the period in Chinese as "2025年7月" or "2024年第四季度", ruleset, and
   "截至" with as_of in Chinese as "2025年8月1日 00:00"), then sections,
   each a blank line, a title line and a table (a header, a rule of '-' and
   one line per row):

   - per main table, titled by its title (or its group): 排名 (rank, "-"
     when null), 单位, the counters under their Chinese labels (ids without
     a built-in label are shown as the id), each item as "label(points)",
     each dimension subtotal "label(points)" right after the last item of
     its dimension, 总分, and 备注 only when some row of that table has a
     note. Items show 2 decimals, or a whole number for round "pct0", then
     their suffix ("88%"); subtotals and totals show 2 decimals; a total
     with a non-zero bonus and a base_total shows as base_total+bonus
     ("97.83+0.5", the bonus with the decimals it needs: 1, 0.5, 0.25). A
     null value shows "-", an absent one is blank;
   - after a main table whose rows have "changes", "环比变化 (百分点)":
     单位 and one column per changed item (labelled without points), signed
     with 2 decimals ("+1.25", "-0.50", "0.00"; "-" for null);
   - "未参与排名" with 单位/原因, when any unit was excluded; a reason
     that is a formula of simple comparisons is said in words
     ("should_close < 5" as "应办结不足5件");
   - each channel table, titled by its title (or channel): 单位, then its
     columns labelled as "columns" says, counters whole, items as above;
   - "汇总", the summary as label/value lines without header or rule:
     参评单位, 有工单单位, 满分单位 ("12 (31.58%)"), 平均分;
   - "渠道" and "类别", the breakdown: 渠道 or 类别 (label, else id), 受理,
     占比 as a percentage with 2 decimals;
   - the below-average units, titled by below.title and "(全区平均 91.23%)":
     单位, 回访数, 未解决, 解决率 as a percentage with 2 decimals;
   - "总体情况", the overview as label/value lines: 受理, 应办结, 办结,
     办结率, 按期办结率 (percentages with 2 decimals);
   - "提示", each warning on a line after "· ".
   Absent sections are left out.

   Columns are two spaces apart and aligned by terminal display width (see
   format_display_width); numbers are right-aligned, names and notes
   left-aligned. No line has trailing spaces. Control characters in names and
   notes are shown as spaces so that a stray newline cannot break a table.

   Returns 0, or -1 with a message in `err` (FORMAT_ERR_MAX bytes,
   may be NULL) when `json` is not a report, memory runs out, or writing
   fails. */
int format_table (const char *json, FILE *out, char *err);

/* format_table fitted to a terminal of `width` columns (0: no limit, the
   same as format_table). The title parts wrap onto more lines; a table
   wider than width is split into panels written one under the other, each
   repeating the key columns (排名 and 单位 for the main tables, the first
   column elsewhere) with its own header and rule; a cell too wide for its
   panel (a long unit name or note) is cut and ends in "…". */
int format_table_fit (const char *json, FILE *out, size_t width, char *err);

/* Writes the main tables of the report as CSV (RFC 4180: CRLF line ends;
   fields holding a comma, quote, CR or LF are quoted and their quotes
   doubled), UTF-8 without a byte order mark. One header line:
       group,rank,unit_id,unit,<counter ids...>,<item id>_score...,
       dim:<dimension id>...,[base_total,][bonus,]total,
       [change:<item id>...,]note
   base_total and bonus are there when some row has them, change: columns
   when some row has changes (items in the ruleset's order, then other ids
   as first met). Then every row of every table in order, then each
   excluded unit as a row with group "excluded", its counters if it carries
   any, its reason in note and every score empty. Counters and ranks are
   integers (a counter that is not a whole number keeps 2 decimals), items
   have 2 decimals (pct0 items are whole, without their suffix), subtotals,
   base_total and total 2 decimals, bonus the decimals it needs, changes a
   sign and 2 decimals; absent and null values are empty fields.

   Channel tables, summary, breakdown and below have other columns and are
   not written: CSV is one sheet for a spreadsheet to import. Use the table
   or the xlsx form for them.

   Returns 0, or -1 with a message in `err` as format_table. */
int format_csv (const char *json, FILE *out, char *err);

/* format_csv for a spreadsheet opened by a person (Excel on Chinese
   Windows reads a CSV without a byte order mark as GBK): the UTF-8 byte
   order mark EF BB BF first, then the same rows under the bulletin's
   Chinese headers:
       表,排名,单位编码,单位,<counter labels...>,<item label(points)...>,
       <dimension label(points)...>,[基础分,][加分,]总分,[<item> 环比...,]备注
   The first column holds the table's title (else its group), and
   "未参与排名" for excluded units, whose 备注 is their reason in words. */
int format_csv_excel (const char *json, FILE *out, char *err);

/* Writes the report as one self-contained HTML page (UTF-8, inline CSS,
   no script, no external asset) that prints as the bulletin: the title and
   period, the as-of time and ruleset, the opening figures (tickets
   received, to close and closed, the closure and on-time rates, the top
   units of each table, the units below the district rate, the category
   shares, from "overview", "below" and the tables), then every table of
   format_table with two-level headers, the excluded units and warnings.
   Print CSS sets A4 landscape, repeats table headers on every page and
   keeps rows whole. Every text from the report is escaped (& < > " ').
   The web dashboard's print view calls it too. Returns 0, or -1 with a
   message in `err` as format_table; nothing is written for a report that
   is refused. */
int format_html (const char *json, FILE *out, char *err);

/* Writes an explain answer (docs/explain.md) for people: a line with the
   unit, ruleset, period, total and rank; a table of the items (label
   and id, points, value, lost, the formula with its inputs); then, per
   item with tickets, the tickets behind its lost points (ticket,
   counter, when, detail) and the exempted ones. Returns 0, or -1 with a
   message in err when json is not an explain answer or writing fails. */
int format_explain_table (const char *json, FILE *out, char *err);

/* Writes a ticket answer (docs/explain.md) for people: its state, unit
   and deadline, its events in order, and where it counted. Returns 0 or
   -1 as format_explain_table. */
int format_ticket_table (const char *json, FILE *out, char *err);

/* Returns the display width in terminal columns of a UTF-8 string: 2 for
   East Asian Wide and Fullwidth characters (U+1100-115F, U+2E80-A4CF,
   U+AC00-D7A3, U+F900-FAFF, U+FE30-FE4F, U+FF00-FF60, U+FFE0-FFE6,
   U+20000-3FFFD), 1 for every other character. Each byte of an invalid
   sequence counts 1, as a terminal shows one replacement mark for it.
   NULL has width 0. */
size_t format_display_width (const char *utf8);

#endif
