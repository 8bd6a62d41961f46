/*  report_format: the report JSON as a terminal table or as CSV.

    `hotline report` receives the report as JSON text (INTERFACES.md section
    4, with the daemon's extensions: "title", "items", "counters" and per-table
    "title"). This module turns that text into the two other --format forms.
    It only reads the JSON; it never asks the daemon for anything.

    What counts as a report: a JSON object with a "tables" array whose
    entries are objects with a "rows" array of objects. Every other member
    may be absent (it is then shown blank, or "-" for a rank in the table),
    but a member that is present must have its documented type: strings for
    names, ids, notes and reasons; numbers for counters, items and totals;
    a number or null for "rank"; "items" an array of objects with a string
    "id" (and optional string "label", number "points"); "counters" an array
    of strings; "excluded" an array of objects. Columns follow the order of
    the top-level "items" and "counters" arrays; row members not named there
    are not shown.

    Both formatters check the whole report before writing anything, so a
    report that is rejected leaves `out` untouched. They also return -1 when
    writing to `out` fails (the stream is flushed to find out).

    Thread rules: all functions are reentrant; nothing here keeps state.
*/
#ifndef REPORT_FORMAT_H_INCLUDED
#define REPORT_FORMAT_H_INCLUDED

#include <stddef.h>
#include <stdio.h>

/* Size the caller gives `err`; messages are cut to fit. */
#define REPORT_FORMAT_ERR_MAX 256

/* Writes the report as the bulletin lays it out: a title line (title,
   period, ruleset, "截至" as_of), then per table a blank line, its title
   (or its group when it has none), a header, a rule of '-' and one line per
   row. Columns: 排名 (rank, "-" when null), 单位, the counters under their
   Chinese labels (ids without a built-in label are shown as the id), each
   item as "label(points)" with 2-decimal values, 总分 with 2 decimals, and
   备注 only when some row of that table has a note. Then, when any unit was
   excluded, a blank line, "未参与排名" and a 单位/原因 table.

   Columns are two spaces apart and aligned by terminal display width (see
   report_display_width); numbers are right-aligned, names and notes
   left-aligned. No line has trailing spaces. Control characters in names and
   notes are shown as spaces so that a stray newline cannot break a table.

   Returns 0, or -1 with a message in `err` (REPORT_FORMAT_ERR_MAX bytes,
   may be NULL) when `json` is not a report, memory runs out, or writing
   fails. */
int report_format_table (const char *json, FILE *out, char *err);

/* Writes the report as CSV (RFC 4180: CRLF line ends; fields holding a
   comma, quote, CR or LF are quoted and their quotes doubled), UTF-8 without
   a byte order mark. One header line:
       group,rank,unit_id,unit,<counter ids...>,<item ids...>,total,note
   then every row of every table in order, then each excluded unit as a row
   with group "excluded", an empty rank and total, its counters if it carries
   any, and its reason in note. Counters and ranks are written as integers
   (a counter that is not a whole number keeps 2 decimals), items and total
   with 2 decimals; absent values are empty fields.

   Returns 0, or -1 with a message in `err` as report_format_table. */
int report_format_csv (const char *json, FILE *out, char *err);

/* Returns the display width in terminal columns of a UTF-8 string: 2 for
   East Asian Wide and Fullwidth characters (U+1100-115F, U+2E80-A4CF,
   U+AC00-D7A3, U+F900-FAFF, U+FE30-FE4F, U+FF00-FF60, U+FFE0-FFE6,
   U+20000-3FFFD), 1 for every other character. Each byte of an invalid
   sequence counts 1, as a terminal shows one replacement mark for it.
   NULL has width 0. */
size_t report_display_width (const char *utf8);

#endif
