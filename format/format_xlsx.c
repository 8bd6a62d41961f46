/*  format_xlsx: the report JSON as an Excel workbook laid out as the
    bulletin.

    libxlsxwriter keeps the whole workbook in memory (and temporary files)
    until workbook_close, which is the only call that touches `path`. So
    the workbook is built completely first; if anything fails on the way it
    is freed with lxw_workbook_free and no file is created at all.

    Every text cell is cleaned before it reaches libxlsxwriter, which copies
    bytes into XML unchecked: invalid UTF-8 would make a file Excel refuses
    to open, and so would most control characters.
*/
#include "format_xlsx_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Excel's limit on the characters of one cell. */
#define S_TEXT_MAX 32767

/* Excel's limit on the characters of a sheet name. */
#define S_NAME_MAX 31

/* Column widths in character units: padding, least and most. */
#define S_WIDTH_PAD 2
#define S_WIDTH_MIN 6
#define S_WIDTH_MAX 60

/* The title rows span at least this many columns. */
#define S_TITLE_COLS 8

/* A heading wider than this wraps onto two lines. */
#define S_HEADER_LINE 8

/* Page margins in inches: narrow, as the bulletins print. */
#define S_MARGIN 0.4

//  --------------------------------------------------------------------------
//  Text and names

char *
format__xlsx_clean (const char *text, size_t max)
{
    size_t length = strlen (text);
    if (length > (SIZE_MAX - 1) / 3)
        return NULL;
    char *copy = malloc (3 * length + 1);
    if (!copy)
        return NULL;
    const unsigned char *in = (const unsigned char *)text;
    char *out = copy;
    for (size_t chars = 0; *in && chars < max; chars++) {
        uint32_t cp;
        size_t used = format__decode_utf8 (in, &cp);
        if (cp == 0xFFFD && used == 1) {
            memcpy (out, "\xEF\xBF\xBD", 3);
            out += 3;
        } else if ((cp < 0x20 && cp != '\t' && cp != '\n') ||
                   (cp >= 0x7F && cp <= 0x9F)) {
            *out++ = ' ';
        } else {
            memcpy (out, in, used);
            out += used;
        }
        in += used;
    }
    *out = '\0';
    return copy;
}

static bool
s_name_used (const format__xlsx_book_t *book, const char *name)
{
    for (size_t i = 0; i < book->name_count; i++)
        if (strcasecmp (book->names[i], name) == 0)
            return true;
    return false;
}

/* Cuts a UTF-8 name to at most max characters, in place. */
static void
s_cut_chars (char *name, size_t max)
{
    const unsigned char *at = (const unsigned char *)name;
    for (size_t chars = 0; *at && chars < max; chars++) {
        uint32_t cp;
        at += format__decode_utf8 (at, &cp);
    }
    name[(const char *)at - name] = '\0';
}

/* Makes a sheet name Excel accepts from wanted (fallback when empty) and
   different from every name in use. Returns an owned string, or NULL. */
static char *
s_sheet_name (const format__xlsx_book_t *book, const char *wanted,
              const char *fallback)
{
    char *base = format__xlsx_clean (*wanted ? wanted : fallback, S_NAME_MAX);
    if (!base)
        return NULL;
    for (char *c = base; *c; c++)
        if (strchr ("[]:*?/\\\t\n", *c))
            *c = '_';
    if (base[0] == '\'')
        base[0] = '_';
    size_t length = strlen (base);
    if (length && base[length - 1] == '\'')
        base[length - 1] = '_';
    if (!*base) {
        free (base);
        base = strdup ("Sheet");
        if (!base)
            return NULL;
    }
    // There are fewer names in use than suffixes to try, so one is free.
    char *name = malloc (strlen (base) + 32);
    for (size_t n = 1; name && n <= book->name_count + 1; n++) {
        char suffix[32] = "";
        if (n > 1)
            snprintf (suffix, sizeof suffix, " (%zu)", n);
        strcpy (name, base);
        s_cut_chars (name, S_NAME_MAX - strlen (suffix));
        // A cut can leave a trailing apostrophe, which Excel refuses.
        length = strlen (name);
        if (!*suffix && length && name[length - 1] == '\'')
            name[length - 1] = '_';
        strcat (name, suffix);
        if (!s_name_used (book, name))
            break;
    }
    free (base);
    return name;
}

//  --------------------------------------------------------------------------
//  Book and formats

void
format__xlsx_note (format__xlsx_book_t *book, lxw_error error)
{
    if (error != LXW_NO_ERROR && book->error == LXW_NO_ERROR)
        book->error = error;
}

bool
format__xlsx_failed (const format__xlsx_book_t *book)
{
    return book->oom || book->error != LXW_NO_ERROR;
}

lxw_format *
format__xlsx_number_format (format__xlsx_book_t *book, const char *code)
{
    for (size_t i = 0; i < book->format_count; i++)
        if (strcmp (book->formats[i].code, code) == 0)
            return book->formats[i].format;
    format__xlsx_code_t *formats = realloc (
        book->formats, (book->format_count + 1) * sizeof *book->formats);
    if (!formats) {
        book->oom = true;
        return NULL;
    }
    book->formats = formats;
    char *copy = strdup (code);
    lxw_format *format = copy ? workbook_add_format (book->book) : NULL;
    if (!format) {
        free (copy);
        book->oom = true;
        return NULL;
    }
    format_set_num_format (format, code);
    format_set_border (format, LXW_BORDER_THIN);
    book->formats[book->format_count++] = (format__xlsx_code_t){copy, format};
    return format;
}

/* An item's (or channel column's) format: "0" for pct0, else "0.00", and
   its suffix as literal text when it can be quoted. */
static lxw_format *
s_item_format (format__xlsx_book_t *book, const cJSON *spec)
{
    const char *base = format__is_pct0 (spec) ? FORMAT__WHOLE : FORMAT__FIXED2;
    char *suffix = format__xlsx_clean (format__text (spec, "suffix"), 8);
    char *code = suffix ? malloc (strlen (base) + strlen (suffix) + 3) : NULL;
    if (!code) {
        free (suffix);
        book->oom = true;
        return NULL;
    }
    if (!*suffix || strpbrk (suffix, "\"\\"))
        strcpy (code, base);
    else
        sprintf (code, "%s\"%s\"", base, suffix);
    lxw_format *format = format__xlsx_number_format (book, code);
    free (code);
    free (suffix);
    return format;
}

/* The shared formats; returns -1 when out of memory. */
static int
s_book_formats (format__xlsx_book_t *book)
{
    lxw_format **all[] = {&book->title, &book->subtitle, &book->header,
                          &book->bold, &book->cell};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!(*all[i] = workbook_add_format (book->book)))
            return -1;
    format_set_bold (book->title);
    format_set_font_size (book->title, 16);
    format_set_align (book->title, LXW_ALIGN_CENTER);
    format_set_align (book->title, LXW_ALIGN_VERTICAL_CENTER);
    format_set_align (book->subtitle, LXW_ALIGN_CENTER);
    format_set_font_size (book->subtitle, 10);
    format_set_bold (book->header);
    format_set_border (book->header, LXW_BORDER_THIN);
    format_set_bg_color (book->header, 0xDDEBF7);
    format_set_align (book->header, LXW_ALIGN_CENTER);
    format_set_align (book->header, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap (book->header);
    format_set_bold (book->bold);
    format_set_border (book->bold, LXW_BORDER_THIN);
    format_set_border (book->cell, LXW_BORDER_THIN);
    return 0;
}

//  --------------------------------------------------------------------------
//  Sheets

/* The title rows: "title（2025年7月）", then the caption, the as-of time
   and the ruleset, merged across the sheet's columns. */
static void
s_title_rows (format__xlsx_sheet_t *sheet, const char *caption, size_t cols)
{
    const cJSON *root = sheet->book->doc->root;
    char period[128], when[128];
    format__period_text (format__text (root, "period"), period, sizeof period);
    format__time_text (format__text (root, "as_of"), when, sizeof when);
    const char *title = format__text (root, "title");
    const char *ruleset = format__text (root, "ruleset");
    size_t size = strlen (title) + strlen (caption) + strlen (ruleset) + 512;
    char *text = malloc (size);
    if (!text) {
        sheet->book->oom = true;
        return;
    }
    snprintf (text, size, *period ? "%s（%s）" : "%s%s", title, period);
    /* A few columns at least, so a narrow sheet still shows its title. */
    size_t last = cols > S_TITLE_COLS ? cols - 1 : S_TITLE_COLS - 1;
    format__xlsx_merge (sheet, 0, 0, 0, last, text, sheet->book->title);
    /* The parts that are there, an ideographic double space apart. */
    const char *parts[][2] = {
        {"", caption}, {"截至 ", when}, {"评分规则 ", ruleset}};
    size_t used = 0;
    text[0] = '\0';
    for (size_t i = 0; i < 3; i++)
        if (*parts[i][1])
            used +=
                (size_t)snprintf (text + used, size - used, "%s%s%s",
                                  used ? "　　" : "", parts[i][0], parts[i][1]);
    format__xlsx_merge (sheet, 1, 1, 0, last, text, sheet->book->subtitle);
    free (text);
    format__xlsx_note (sheet->book,
                       worksheet_set_row (sheet->sheet, 0, 30, NULL));
    sheet->row = FORMAT__XLSX_TITLE_ROWS;
}

/* A4 landscape, one page wide (as tall as it needs), centred, narrow
   margins, the page number in the footer. */
static void
s_print_setup (lxw_worksheet *sheet)
{
    worksheet_set_landscape (sheet);
    worksheet_set_paper (sheet, 9); // A4
    worksheet_fit_to_pages (sheet, 1, 0);
    worksheet_center_horizontally (sheet);
    worksheet_set_margins (sheet, S_MARGIN, S_MARGIN, S_MARGIN + 0.2,
                           S_MARGIN + 0.2);
    worksheet_set_footer (sheet, "&C第 &P 页，共 &N 页");
}

int
format__xlsx_sheet_start (format__xlsx_sheet_t *sheet,
                          format__xlsx_book_t *book, const char *title,
                          const char *fallback, const char *caption,
                          size_t cols)
{
    memset (sheet, 0, sizeof *sheet);
    sheet->book = book;
    char *name = s_sheet_name (book, title, fallback);
    char **names =
        name ? realloc (book->names, (book->name_count + 1) * sizeof (char *))
             : NULL;
    if (!names) {
        free (name);
        book->oom = true;
        return -1;
    }
    book->names = names;
    book->names[book->name_count++] = name;
    sheet->name = name;
    sheet->sheet = workbook_add_worksheet (book->book, name);
    if (!sheet->sheet) {
        format__xlsx_note (book, LXW_ERROR_PARAMETER_VALIDATION);
        return -1;
    }
    s_print_setup (sheet->sheet);
    s_title_rows (sheet, caption, cols);
    return format__xlsx_failed (book) ? -1 : 0;
}

void
format__xlsx_measure (format__xlsx_sheet_t *sheet, size_t col, const char *text)
{
    if (col >= LXW_COL_MAX)
        return;
    if (col >= sheet->cols) {
        size_t *widths = realloc (sheet->widths, (col + 1) * sizeof (size_t));
        if (!widths) {
            sheet->book->oom = true;
            return;
        }
        memset (widths + sheet->cols, 0,
                (col + 1 - sheet->cols) * sizeof (size_t));
        sheet->widths = widths;
        sheet->cols = col + 1;
    }
    size_t width = format_display_width (text);
    if (width > sheet->widths[col])
        sheet->widths[col] = width;
}

void
format__xlsx_sheet_finish (format__xlsx_sheet_t *sheet)
{
    for (size_t col = 0; col < sheet->cols && sheet->sheet; col++) {
        size_t width = sheet->widths[col] + S_WIDTH_PAD;
        width = width < S_WIDTH_MIN ? S_WIDTH_MIN : width;
        width = width > S_WIDTH_MAX ? S_WIDTH_MAX : width;
        format__xlsx_note (sheet->book,
                           worksheet_set_column (sheet->sheet, (lxw_col_t)col,
                                                 (lxw_col_t)col, (double)width,
                                                 NULL));
    }
    free (sheet->widths);
    sheet->widths = NULL;
    sheet->cols = 0;
}

void
format__xlsx_next_row (format__xlsx_sheet_t *sheet)
{
    if (sheet->row + 1 >= LXW_ROW_MAX)
        format__xlsx_note (sheet->book, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
    else
        sheet->row++;
}

//  --------------------------------------------------------------------------
//  Cells

void
format__xlsx_text (format__xlsx_sheet_t *sheet, size_t col, const char *text,
                   lxw_format *format, bool measure)
{
    if (format__xlsx_failed (sheet->book))
        return;
    if (col >= LXW_COL_MAX) {
        format__xlsx_note (sheet->book, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
        return;
    }
    if (!format)
        format = sheet->book->cell;
    if (!*text) { // a bordered blank, so the table's grid has no hole
        format__xlsx_note (sheet->book,
                           worksheet_write_blank (sheet->sheet, sheet->row,
                                                  (lxw_col_t)col, format));
        return;
    }
    char *clean = format__xlsx_clean (text, S_TEXT_MAX);
    if (!clean) {
        sheet->book->oom = true;
        return;
    }
    format__xlsx_note (sheet->book,
                       worksheet_write_string (sheet->sheet, sheet->row,
                                               (lxw_col_t)col, clean, format));
    if (measure)
        format__xlsx_measure (sheet, col, clean);
    free (clean);
}

void
format__xlsx_header (format__xlsx_sheet_t *sheet, size_t col, const char *text)
{
    format__xlsx_text (sheet, col, text, sheet->book->header, false);
    format__xlsx_measure_header (sheet, col, text);
}

/* Header cells wrap: a long heading takes two lines rather than widening
   a column of short numbers, so a wide table still prints legibly on one
   page. */
void
format__xlsx_measure_header (format__xlsx_sheet_t *sheet, size_t col,
                             const char *text)
{
    size_t width = format_display_width (text);
    if (width > S_HEADER_LINE)
        width = (width + 1) / 2;
    char room[S_WIDTH_MAX + 1];
    memset (room, 'x', width < S_WIDTH_MAX ? width : S_WIDTH_MAX);
    room[width < S_WIDTH_MAX ? width : S_WIDTH_MAX] = '\0';
    format__xlsx_measure (sheet, col, room);
}

void
format__xlsx_merge (format__xlsx_sheet_t *sheet, lxw_row_t first,
                    lxw_row_t last, size_t from, size_t to, const char *text,
                    lxw_format *format)
{
    if (format__xlsx_failed (sheet->book))
        return;
    if (to >= LXW_COL_MAX) {
        format__xlsx_note (sheet->book, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
        return;
    }
    char *clean = format__xlsx_clean (text, S_TEXT_MAX);
    if (!clean) {
        sheet->book->oom = true;
        return;
    }
    if (first == last && from == to)
        format__xlsx_note (sheet->book, worksheet_write_string (
                                            sheet->sheet, first,
                                            (lxw_col_t)from, clean, format));
    else
        format__xlsx_note (
            sheet->book,
            worksheet_merge_range (sheet->sheet, first, (lxw_col_t)from, last,
                                   (lxw_col_t)to, clean, format));
    free (clean);
}

void
format__xlsx_number (format__xlsx_sheet_t *sheet, size_t col,
                     const cJSON *value, const char *code,
                     void (*show) (double value, char *buf))
{
    lxw_format *format =
        code ? format__xlsx_number_format (sheet->book, code) : NULL;
    if (!cJSON_IsNumber (value)) {
        format__xlsx_text (sheet, col, "", format, false);
        return;
    }
    if (format__xlsx_failed (sheet->book))
        return;
    if (col >= LXW_COL_MAX) {
        format__xlsx_note (sheet->book, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
        return;
    }
    format__xlsx_note (sheet->book, worksheet_write_number (
                                        sheet->sheet, sheet->row,
                                        (lxw_col_t)col, value->valuedouble,
                                        format ? format : sheet->book->cell));
    char shown[REPORT__NUMBER_MAX];
    show (value->valuedouble, shown);
    format__xlsx_measure (sheet, col, shown);
}

void
format__xlsx_item (format__xlsx_sheet_t *sheet, size_t col, const cJSON *spec,
                   const cJSON *value)
{
    lxw_format *format = s_item_format (sheet->book, spec);
    if (!cJSON_IsNumber (value) || format__xlsx_failed (sheet->book)) {
        format__xlsx_text (sheet, col, "", format, false);
        return;
    }
    char shown[REPORT__NUMBER_MAX + 8];
    format__format_item (spec, value->valuedouble, shown);
    strncat (shown, format__text (spec, "suffix"), 7);
    format__xlsx_note (sheet->book,
                       worksheet_write_number (sheet->sheet, sheet->row,
                                               (lxw_col_t)col,
                                               value->valuedouble, format));
    format__xlsx_measure (sheet, col, shown);
}

//  --------------------------------------------------------------------------
//  Workbook

static void
s_book_free (format__xlsx_book_t *book)
{
    if (book->book)
        lxw_workbook_free (book->book);
    for (size_t i = 0; i < book->format_count; i++)
        free (book->formats[i].code);
    free (book->formats);
    for (size_t i = 0; i < book->name_count; i++)
        free (book->names[i]);
    free (book->names);
}

static void
s_write_book (format__xlsx_book_t *book, const format_doc_t *history,
              size_t count)
{
    char *title = format__xlsx_clean (format__text (book->doc->root, "title"),
                                      S_TEXT_MAX);
    if (!title) {
        book->oom = true;
        return;
    }
    lxw_doc_properties properties = {.title = title};
    if (*title)
        format__xlsx_note (book,
                           workbook_set_properties (book->book, &properties));
    free (title);
    format__xlsx_tables (book);
    format__xlsx_notes (book);
    format__xlsx_channels (book);
    format__xlsx_overview (book);
    if (count)
        format__xlsx_trend (book, history, count);
}

/* Builds and writes the workbook of a loaded report. */
static int
s_write_file (const format_doc_t *doc, const format_doc_t *history,
              size_t count, const char *path, char *err)
{
    int rc = -1;
    format__xlsx_book_t book = {0};
    book.doc = doc;
    book.book = workbook_new (path);
    if (!book.book || s_book_formats (&book)) {
        format__set_error (err, "report: out of memory");
        goto cleanup;
    }
    s_write_book (&book, history, count);
    if (book.oom) {
        format__set_error (err, "report: out of memory");
        goto cleanup;
    }
    if (book.error != LXW_NO_ERROR) {
        format__set_error (err,
                           "report: the workbook cannot hold the report: %s",
                           lxw_strerror (book.error));
        goto cleanup;
    }
    lxw_error error = workbook_close (book.book);
    book.book = NULL; // workbook_close frees it, whatever the outcome
    if (error != LXW_NO_ERROR) {
        format__set_error (err, "report: could not write %s: %s", path,
                           lxw_strerror (error));
        // A file that was created but not finished is no workbook.
        if (error != LXW_ERROR_CREATING_XLSX_FILE)
            unlink (path);
        goto cleanup;
    }
    rc = 0;

cleanup:
    s_book_free (&book);
    return rc;
}

int
format_xlsx (const char *json, const char *path, char *err)
{
    return format_xlsx_trend (json, NULL, 0, path, err);
}

int
format_xlsx_trend (const char *json, const char *const *history, size_t count,
                   const char *path, char *err)
{
    if (!path || !*path) {
        format__set_error (err, "report: no file name for the workbook");
        return -1;
    }
    format_doc_t doc;
    if (format__load (json, &doc, err))
        return -1;
    format_doc_t *earlier = calloc (count ? count : 1, sizeof *earlier);
    size_t loaded = 0;
    int rc = -1;
    if (!earlier) {
        format__set_error (err, "report: out of memory");
        goto cleanup;
    }
    for (; loaded < count; loaded++)
        if (format__load (history[loaded], &earlier[loaded], err))
            goto cleanup;
    rc = s_write_file (&doc, earlier, count, path, err);

cleanup:
    for (size_t i = 0; i < loaded; i++)
        format__unload (&earlier[i]);
    free (earlier);
    format__unload (&doc);
    return rc;
}
