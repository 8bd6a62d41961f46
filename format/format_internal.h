/*  format_internal: what the report formatters share.

    format.c loads and checks a report, plans its columns and formats
    numbers; format_table.c, format_csv.c and format_xlsx.c
    each write one output form from a loaded report. Nothing here is part of
    the public API.
*/
#ifndef FORMAT_INTERNAL_H_INCLUDED
#define FORMAT_INTERNAL_H_INCLUDED

#include "format.h"

#include <cjson/cJSON.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define REPORT__PRINTF_LIKE(f, a) __attribute__ ((format (printf, f, a)))
#else
#define REPORT__PRINTF_LIKE(f, a)
#endif

/* Room for any double printed by the format__format_ functions: up to 309
   integer digits, sign, point and up to six decimals, or a percent sign. */
#define REPORT__NUMBER_MAX 320

/* One scored column of the main tables: an item, or a dimension subtotal
   placed after the last item of its dimension. */
typedef struct {
    const cJSON *spec; /* the item or dimension object, borrowed */
    bool dimension;    /* true for a dimension subtotal */
} format__score_t;

/* A loaded and checked report with its column plan. The cJSON pointers are
   borrowed from root; every section pointer is NULL when absent. */
typedef struct {
    cJSON *root;                 /* owned parse tree */
    const cJSON *items;          /* array of item objects */
    const cJSON *counters;       /* array of counter id strings */
    const cJSON *dimensions;     /* array of dimension objects */
    const cJSON *tables;         /* array of table objects, never NULL */
    const cJSON *excluded;       /* array of excluded unit objects */
    const cJSON *channel_tables; /* array of channel table objects */
    const cJSON *summary;        /* summary object */
    const cJSON *breakdown;      /* breakdown object */
    const cJSON *below;          /* below-average object */
    const cJSON *overview;       /* the opening figures object */
    const cJSON *warnings;       /* array of warning strings */
    format__score_t *scores;     /* owned: items and dimension subtotals */
    size_t score_count;          /* entries in scores */
    const char **changes;        /* owned array of borrowed changed ids */
    size_t change_count;         /* entries in changes */
    bool has_base_total;         /* some row has "base_total" */
    bool has_bonus;              /* some row has "bonus" */
} format_doc_t;

/* Writes a message into err (FORMAT_ERR_MAX bytes) unless NULL. */
void format__set_error (char *err, const char *format, ...)
    REPORT__PRINTF_LIKE (2, 3);

/* Decodes one UTF-8 character at s, which is not at the terminating NUL.
   Returns the bytes used; an invalid sequence uses one byte and yields
   U+FFFD. */
size_t format__decode_utf8 (const unsigned char *s, uint32_t *cp);

/* Parses and checks json and plans its columns. Returns 0, or -1 with a
   message in err and nothing to free. */
int format__load (const char *json, format_doc_t *doc, char *err);

/* Frees what format__load allocated. Safe on a zeroed doc. */
void format__unload (format_doc_t *doc);

/* Returns the member's text, or "" when it is absent. */
const char *format__text (const cJSON *object, const char *name);

/* Returns object.group.name (or object.name when group is NULL) when it
   is a number or null, NULL when it is absent. */
const cJSON *format__member (const cJSON *object, const char *group,
                             const char *name);

/* As format__member, but only a number. */
const cJSON *format__value (const cJSON *object, const char *group,
                            const char *name);

/* The unit's name, or its id when the registry gave it none. */
const char *format__unit_name (const cJSON *row);

/*  The words of the bulletins (format_text.c).  */

/* A counter's Chinese column header, or the id when it has none. */
const char *format__counter_label (const char *id);

/* A breakdown or overview entry's label: its "label", else the Chinese
   name of its channel (category false) or category id, else the id. */
const char *format__share_label (const cJSON *entry, bool category);

/* "2025-07" as "2025年7月", "2024-Q4" as "2024年第四季度"; any other text
   as it is. */
void format__period_text (const char *period, char *buf, size_t size);

/* An RFC 3339 time as "2025年8月1日 00:00" in Asia/Shanghai; any other
   text as it is. */
void format__time_text (const char *rfc3339, char *buf, size_t size);

/* An exclusion reason in words: a formula made of comparisons of a
   counter with a number, joined by "and" or by "or", is said in Chinese
   ("should_close < 5" as "应办结不足5件", "closed == 0 and revisited == 0"
   as "无办结、无回访"); any other reason is copied as it is. */
void format__reason_text (const char *reason, char *buf, size_t size);

/* An item's or dimension's label, or its id when it has none. */
const char *format__label (const cJSON *spec);

/* "label(points)", or the label alone without points. Caller frees;
   NULL when memory runs out. */
char *format__header (const cJSON *spec);

/* The item whose id is id, or NULL. */
const cJSON *format__item (const format_doc_t *doc, const char *id);

/* True when the item or channel column is rounded to whole percent. */
bool format__is_pct0 (const cJSON *spec);

/*  The columns of the main tables (format_columns.c).  */

/* What a column of a main table shows. */
typedef enum {
    FORMAT__COL_RANK,
    FORMAT__COL_UNIT,
    FORMAT__COL_COUNTER,
    FORMAT__COL_ITEM,
    FORMAT__COL_DIMENSION,
    FORMAT__COL_BASE,
    FORMAT__COL_BONUS,
    FORMAT__COL_TOTAL,
    FORMAT__COL_CHANGE,
    FORMAT__COL_NOTE
} format__col_kind_t;

/* One column and its place under the two header rows. */
typedef struct {
    format__col_kind_t kind; /* what it shows */
    const cJSON *spec;       /* the item or dimension, or NULL */
    const char *id;          /* counter or changed item id, or NULL */
    const cJSON *group;      /* the item or dimension heading it, or NULL */
} format__col_t;

/* The columns of the main tables of a report, in order. */
typedef struct {
    format__col_t *cols; /* owned */
    size_t count;        /* used */
} format__columns_t;

/* Plans the columns: 排名, 单位, the counters no item heads, the items
   and subtotals (each under its group), 基础分, 加分, 总分, the change
   columns, and 备注 when notes is set. Returns 0, or -1 when out of
   memory. */
int format__columns_plan (format__columns_t *plan, const format_doc_t *doc,
                          bool notes);
void format__columns_free (format__columns_t *plan);
/* The end (exclusive) of the run of columns under the group of column c;
   c + 1 for a column of no group. */
size_t format__columns_run (const format__columns_t *plan, size_t c);
/* The text of a column's own header cell (the lower one under a group).
   Caller frees; NULL when out of memory. */
char *format__columns_label (const format_doc_t *doc, const format__col_t *col);
/* "label（30分）", or the label alone without points. Caller frees. */
char *format__points_label (const cJSON *spec);
/* True when some row of a table has a note. */
bool format__rows_have_note (const cJSON *rows);
/* The row's value for a column, NULL when absent or when the column is
   text (单位, 备注). */
const cJSON *format__columns_value (const format__col_t *col, const cJSON *row);
/* The value as the bulletin prints it into buf (REPORT__NUMBER_MAX + 8
   bytes): "-" for null, "" for absent. */
void format__columns_show (const format__col_t *col, const cJSON *value,
                           char *buf);

/*  Text grids of the terminal table (format_grid.c).  */

/* A table under construction: cells in row-major order, row 0 the header
   (when rule is set). */
typedef struct {
    size_t cols;  /* columns per row */
    size_t rows;  /* rows including the header */
    size_t count; /* cells appended so far */
    char **cells; /* rows * cols owned strings */
    bool *right;  /* per column: right-aligned (numbers) */
    bool rule;    /* a rule of '-' under row 0, which is then a header */
    size_t keys;  /* leading columns repeated in every panel (default 1) */
} format__grid_t;

/* A grid of rows x cols empty cells, left-aligned; NULL when out of
   memory. */
format__grid_t *format__grid_new (size_t rows, size_t cols);
void format__grid_destroy (format__grid_t **grid_p);
/* Right-aligns every column but text_col (SIZE_MAX: none). */
void format__grid_numbers_but (format__grid_t *grid, size_t text_col);
/* Appends a cleaned copy of text (then of suffix) as the next cell.
   Returns 0, or -1 when the grid is full or memory runs out. */
int format__grid_add (format__grid_t *grid, const char *text);
int format__grid_add2 (format__grid_t *grid, const char *text,
                       const char *suffix);
/* Writes the grid aligned. width 0 writes each row on one line; a wider
   grid is cut and split into panels of at most width columns (a column
   that cannot be cut further may still overflow). Returns 0, or -1 when
   out of memory. */
int format__grid_write (const format__grid_t *grid, FILE *out, size_t width);
/* Copies text with control characters (C0, DEL, C1) turned into spaces,
   so a newline in a name cannot break a table nor an escape sequence
   reach the terminal; dest has room for strlen (text) + 1 bytes. */
void format__copy_clean (char *dest, const char *text);

/* Number formatting; buf holds REPORT__NUMBER_MAX bytes. */
void format__format_fixed2 (double value, char *buf);  // 2 decimals
void format__format_count (double value, char *buf);   // whole, or 2 dec.
void format__format_short (double value, char *buf);   // 30, 2.5, 0.25
void format__format_signed (double value, char *buf);  // +1.25, -0.50
void format__format_percent (double share, char *buf); // 31.58%
/* An item value as its round asks: pct0 whole, else 2 decimals; no suffix. */
void format__format_item (const cJSON *spec, double value, char *buf);

#endif
