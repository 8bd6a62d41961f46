/*  format_xlsx_internal: what the workbook writers share.

    format_xlsx.c owns the workbook, its cell formats and the cell
    writers; format_xlsx_tables.c writes the main tables with their
    two-level headers and ranking charts; format_xlsx_sheets.c the
    excluded units and warnings, the channel tables, the overview and the
    trend. Every sheet opens with the bulletin's title rows and prints on
    A4 landscape, one page wide.
*/
#ifndef FORMAT_XLSX_INTERNAL_H_INCLUDED
#define FORMAT_XLSX_INTERNAL_H_INCLUDED

#include "format_internal.h"
#include "format_xlsx.h"

#include <xlsxwriter.h>

/* Number formats by use. */
#define FORMAT__FIXED2  "0.00"
#define FORMAT__WHOLE   "0"
#define FORMAT__SIGNED  "+0.00;-0.00;0.00"
#define FORMAT__PERCENT "0.00%"

/* A number format made for one code, kept for reuse. */
typedef struct {
    char *code;         /* owned Excel number format code */
    lxw_format *format; /* the workbook's format, owned by the workbook */
} format__xlsx_code_t;

/* The workbook under construction. */
typedef struct {
    lxw_workbook *book;           /* owned until closed or freed */
    const format_doc_t *doc;      /* the report */
    lxw_format *title;            /* title row: large, bold */
    lxw_format *subtitle;         /* subtitle row */
    lxw_format *header;           /* header cells: bold, bordered, filled */
    lxw_format *bold;             /* labels of label/value blocks */
    lxw_format *cell;             /* text and General numbers, bordered */
    format__xlsx_code_t *formats; /* owned cache of number formats */
    size_t format_count;          /* entries in formats */
    char **names;                 /* owned sheet names in use */
    size_t name_count;            /* entries in names */
    lxw_error error; /* first libxlsxwriter error, LXW_NO_ERROR if none */
    bool oom;        /* an allocation of ours failed */
} format__xlsx_book_t;

/* The worksheet being written, with the widths its cells need. */
typedef struct {
    format__xlsx_book_t *book; /* the workbook */
    lxw_worksheet *sheet;      /* the worksheet, owned by the workbook */
    const char *name;          /* its name, owned by book->names */
    lxw_row_t row;             /* row being written */
    size_t cols;               /* entries in widths */
    size_t *widths;            /* owned: widest display width per column */
} format__xlsx_sheet_t;

/* Rows the title block takes: the title and the subtitle. */
#define FORMAT__XLSX_TITLE_ROWS 2

/* Returns an owned copy of text that libxlsxwriter can store (valid UTF-8,
   no control characters but tab and newline, at most max characters);
   NULL when memory runs out. */
char *format__xlsx_clean (const char *text, size_t max);

/* Records a libxlsxwriter error (the first one is kept). */
void format__xlsx_note (format__xlsx_book_t *book, lxw_error error);
/* True once anything failed: writers then do nothing. */
bool format__xlsx_failed (const format__xlsx_book_t *book);

/* The workbook's bordered format for a number format code, made once. */
lxw_format *format__xlsx_number_format (format__xlsx_book_t *book,
                                        const char *code);

/* Starts a worksheet named after title (fallback when empty), made
   acceptable to Excel and unique, set up to print on A4 landscape one
   page wide; writes the title rows (the report's title and period, then
   `caption`, the as-of time and the ruleset) across `cols` columns and
   leaves the sheet at the first row after them. Returns 0, or -1. */
int format__xlsx_sheet_start (format__xlsx_sheet_t *sheet,
                              format__xlsx_book_t *book, const char *title,
                              const char *fallback, const char *caption,
                              size_t cols);
/* Sets the column widths and frees the sheet's own memory. */
void format__xlsx_sheet_finish (format__xlsx_sheet_t *sheet);
/* Moves to the next row. */
void format__xlsx_next_row (format__xlsx_sheet_t *sheet);
/* Records that column col needs the width of text. */
void format__xlsx_measure (format__xlsx_sheet_t *sheet, size_t col,
                           const char *text);

/* Writes text at (row, col) in format (NULL: the bordered cell); wide
   titles are not measured (measure false) so they do not widen a column. */
void format__xlsx_text (format__xlsx_sheet_t *sheet, size_t col,
                        const char *text, lxw_format *format, bool measure);
/* A header cell. */
void format__xlsx_header (format__xlsx_sheet_t *sheet, size_t col,
                          const char *text);
/* Records the width a header cell needs: a long heading wraps onto two
   lines. */
void format__xlsx_measure_header (format__xlsx_sheet_t *sheet, size_t col,
                                  const char *text);
/* Merges rows first..last and columns from..to into one cell holding text
   (a single cell is written as it is). */
void format__xlsx_merge (format__xlsx_sheet_t *sheet, lxw_row_t first,
                         lxw_row_t last, size_t from, size_t to,
                         const char *text, lxw_format *format);
/* Writes a number with a format code (NULL: General), measured as show
   prints it; nothing for an absent or null value. */
void format__xlsx_number (format__xlsx_sheet_t *sheet, size_t col,
                          const cJSON *value, const char *code,
                          void (*show) (double value, char *buf));
/* Writes an item value (or a channel column's) with the item's format. */
void format__xlsx_item (format__xlsx_sheet_t *sheet, size_t col,
                        const cJSON *spec, const cJSON *value);

/*  The sheets.  */
void format__xlsx_tables (format__xlsx_book_t *book);
void format__xlsx_notes (format__xlsx_book_t *book);
void format__xlsx_channels (format__xlsx_book_t *book);
void format__xlsx_overview (format__xlsx_book_t *book);
/* The trend sheet over history[0..count) (oldest first) and the report. */
void format__xlsx_trend (format__xlsx_book_t *book, const format_doc_t *history,
                         size_t count);

#endif
