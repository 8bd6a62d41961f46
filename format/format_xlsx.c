/*  format_xlsx: the report JSON as an Excel workbook.

    libxlsxwriter keeps the whole workbook in memory (and temporary files)
    until workbook_close, which is the only call that touches `path`. So
    the workbook is built completely first; if anything fails on the way it
    is freed with lxw_workbook_free and no file is created at all.

    Every text cell is cleaned before it reaches libxlsxwriter, which copies
    bytes into XML unchecked: invalid UTF-8 would make a file Excel refuses
    to open, and so would most control characters.
*/
#include "format_xlsx.h"
#include "format_internal.h"

#include <xlsxwriter.h>

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

/* Number formats by use. */
#define S_FIXED2  "0.00"
#define S_WHOLE   "0"
#define S_SIGNED  "+0.00;-0.00;0.00"
#define S_PERCENT "0.00%"

/* A number format made for one code, kept for reuse. */
typedef struct {
    char *code;         /* owned Excel number format code */
    lxw_format *format; /* the workbook's format, owned by the workbook */
} s_format_t;

/* The workbook under construction. */
typedef struct {
    lxw_workbook *book;  /* owned until closed or freed */
    lxw_format *bold;    /* header cells */
    s_format_t *formats; /* owned cache of number formats */
    size_t format_count; /* entries in formats */
    char **names;        /* owned sheet names in use */
    size_t name_count;   /* entries in names */
    lxw_error error;     /* first libxlsxwriter error, LXW_NO_ERROR if none */
    bool oom;            /* an allocation of ours failed */
} book_t;

/* The worksheet being written, with the widths its cells need. */
typedef struct {
    book_t *book;         /* the workbook */
    lxw_worksheet *sheet; /* the worksheet, owned by the workbook */
    lxw_row_t row;        /* row being written */
    size_t cols;          /* entries in widths */
    size_t *widths;       /* owned: widest display width per column */
} sheet_t;

//  --------------------------------------------------------------------------
//  Text and names

/* Returns an owned copy of text that is valid UTF-8 (each invalid byte
   becomes U+FFFD), has control characters but tab and newline turned into
   spaces, and holds at most max characters. NULL when memory runs out. */
static char *
s_clean (const char *text, size_t max)
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
s_name_used (const book_t *book, const char *name)
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
s_sheet_name (const book_t *book, const char *wanted, const char *fallback)
{
    char *base = s_clean (*wanted ? wanted : fallback, S_NAME_MAX);
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
//  Book and sheets

static void
s_note_error (book_t *book, lxw_error error)
{
    if (error != LXW_NO_ERROR && book->error == LXW_NO_ERROR)
        book->error = error;
}

static bool
s_failed (const book_t *book)
{
    return book->oom || book->error != LXW_NO_ERROR;
}

/* The workbook's format for a number format code, made once. */
static lxw_format *
s_number_format (book_t *book, const char *code)
{
    for (size_t i = 0; i < book->format_count; i++)
        if (strcmp (book->formats[i].code, code) == 0)
            return book->formats[i].format;
    s_format_t *formats = realloc (book->formats, (book->format_count + 1) *
                                                      sizeof *book->formats);
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
    book->formats[book->format_count++] = (s_format_t){copy, format};
    return format;
}

/* An item's (or channel column's) format: "0" for pct0, else "0.00", and
   its suffix as literal text when it can be quoted. */
static lxw_format *
s_item_format (book_t *book, const cJSON *spec)
{
    const char *base = format__is_pct0 (spec) ? S_WHOLE : S_FIXED2;
    char *suffix = s_clean (format__text (spec, "suffix"), S_NAME_MAX);
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
    lxw_format *format = s_number_format (book, code);
    free (code);
    free (suffix);
    return format;
}

/* Starts a worksheet under a name made by s_sheet_name; its first row is
   frozen when asked. */
static int
s_sheet_start (sheet_t *sheet, book_t *book, const char *title,
               const char *fallback, bool freeze)
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
    sheet->sheet = workbook_add_worksheet (book->book, name);
    if (!sheet->sheet) {
        s_note_error (book, LXW_ERROR_PARAMETER_VALIDATION);
        return -1;
    }
    if (freeze)
        worksheet_freeze_panes (sheet->sheet, 1, 0);
    return 0;
}

/* Records that column col needs the width of text. */
static void
s_sheet_measure (sheet_t *sheet, size_t col, const char *text)
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

/* Sets the column widths and frees the sheet's own memory. */
static void
s_sheet_finish (sheet_t *sheet)
{
    for (size_t col = 0; col < sheet->cols && sheet->sheet; col++) {
        size_t width = sheet->widths[col] + S_WIDTH_PAD;
        width = width < S_WIDTH_MIN ? S_WIDTH_MIN : width;
        width = width > S_WIDTH_MAX ? S_WIDTH_MAX : width;
        s_note_error (sheet->book, worksheet_set_column (
                                       sheet->sheet, (lxw_col_t)col,
                                       (lxw_col_t)col, (double)width, NULL));
    }
    free (sheet->widths);
    sheet->widths = NULL;
    sheet->cols = 0;
}

/* Writes text at (row, col). Wide titles are not measured (measure false),
   so that they do not widen a column of short cells. */
static void
s_text (sheet_t *sheet, size_t col, const char *text, lxw_format *format,
        bool measure)
{
    if (!*text || s_failed (sheet->book))
        return;
    if (col >= LXW_COL_MAX) {
        s_note_error (sheet->book, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
        return;
    }
    char *clean = s_clean (text, S_TEXT_MAX);
    if (!clean) {
        sheet->book->oom = true;
        return;
    }
    s_note_error (sheet->book,
                  worksheet_write_string (sheet->sheet, sheet->row,
                                          (lxw_col_t)col, clean, format));
    if (measure)
        s_sheet_measure (sheet, col, clean);
    free (clean);
}

static void
s_header (sheet_t *sheet, size_t col, const char *text)
{
    s_text (sheet, col, text, sheet->book->bold, true);
}

/* Writes a number shown as `shown` (for the width); nothing for an absent
   or null value. */
static void
s_number (sheet_t *sheet, size_t col, const cJSON *value, lxw_format *format,
          const char *shown)
{
    if (!cJSON_IsNumber (value) || s_failed (sheet->book))
        return;
    if (col >= LXW_COL_MAX) {
        s_note_error (sheet->book, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
        return;
    }
    s_note_error (sheet->book, worksheet_write_number (
                                   sheet->sheet, sheet->row, (lxw_col_t)col,
                                   value->valuedouble, format));
    s_sheet_measure (sheet, col, shown);
}

/* Writes a number with a fixed format code, measured as `show` prints it. */
static void
s_number_as (sheet_t *sheet, size_t col, const cJSON *value, const char *code,
             void (*show) (double value, char *buf))
{
    if (!cJSON_IsNumber (value))
        return;
    char shown[REPORT__NUMBER_MAX];
    show (value->valuedouble, shown);
    s_number (sheet, col, value,
              code ? s_number_format (sheet->book, code) : NULL, shown);
}

/* Writes an item value (or a channel column's) with the item's format. */
static void
s_item (sheet_t *sheet, size_t col, const cJSON *spec, const cJSON *value)
{
    if (!cJSON_IsNumber (value))
        return;
    char shown[REPORT__NUMBER_MAX + 8];
    format__format_item (spec, value->valuedouble, shown);
    strncat (shown, format__text (spec, "suffix"), 7);
    s_number (sheet, col, value, s_item_format (sheet->book, spec), shown);
}

static void
s_next_row (sheet_t *sheet)
{
    if (sheet->row + 1 >= LXW_ROW_MAX)
        s_note_error (sheet->book, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
    else
        sheet->row++;
}

//  --------------------------------------------------------------------------
//  Main tables

static bool
s_rows_have_note (const cJSON *rows)
{
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        if (*format__text (row, "note"))
            return true;
    }
    return false;
}

static void
s_table_header (sheet_t *sheet, const format_doc_t *doc, bool notes)
{
    size_t col = 0;
    s_header (sheet, col++, "排名");
    s_header (sheet, col++, "单位");
    const cJSON *counter;
    cJSON_ArrayForEach (counter, doc->counters)
    {
        s_header (sheet, col++, format__counter_label (counter->valuestring));
    }
    for (size_t i = 0; i < doc->score_count; i++) {
        char *header = format__header (doc->scores[i].spec);
        if (!header) {
            sheet->book->oom = true;
            return;
        }
        s_header (sheet, col++, header);
        free (header);
    }
    if (doc->has_base_total)
        s_header (sheet, col++, "基础分");
    if (doc->has_bonus)
        s_header (sheet, col++, "加分");
    s_header (sheet, col++, "总分");
    for (size_t i = 0; i < doc->change_count; i++) {
        const cJSON *item = format__item (doc, doc->changes[i]);
        const char *label = item ? format__label (item) : doc->changes[i];
        char *header = malloc (strlen (label) + sizeof " 环比");
        if (!header) {
            sheet->book->oom = true;
            return;
        }
        sprintf (header, "%s 环比", label);
        s_header (sheet, col++, header);
        free (header);
    }
    if (notes)
        s_header (sheet, col, "备注");
}

static void
s_table_row (sheet_t *sheet, const format_doc_t *doc, const cJSON *row,
             bool notes)
{
    size_t col = 0;
    s_number_as (sheet, col++, format__member (row, NULL, "rank"), NULL,
                 format__format_count);
    s_text (sheet, col++, format__unit_name (row), NULL, true);
    const cJSON *counter;
    cJSON_ArrayForEach (counter, doc->counters)
    {
        s_number_as (sheet, col++,
                     format__member (row, "counters", counter->valuestring),
                     NULL, format__format_count);
    }
    for (size_t i = 0; i < doc->score_count; i++) {
        const cJSON *spec = doc->scores[i].spec;
        const char *id = format__text (spec, "id");
        if (doc->scores[i].dimension)
            s_number_as (sheet, col++, format__member (row, "dimensions", id),
                         S_FIXED2, format__format_fixed2);
        else
            s_item (sheet, col++, spec, format__member (row, "items", id));
    }
    if (doc->has_base_total)
        s_number_as (sheet, col++, format__member (row, NULL, "base_total"),
                     S_FIXED2, format__format_fixed2);
    if (doc->has_bonus)
        s_number_as (sheet, col++, format__member (row, NULL, "bonus"), NULL,
                     format__format_short);
    s_number_as (sheet, col++, format__member (row, NULL, "total"), S_FIXED2,
                 format__format_fixed2);
    for (size_t i = 0; i < doc->change_count; i++)
        s_number_as (sheet, col++,
                     format__member (row, "changes", doc->changes[i]), S_SIGNED,
                     format__format_signed);
    if (notes)
        s_text (sheet, col, format__text (row, "note"), NULL, true);
}

static void
s_write_table (book_t *book, const format_doc_t *doc, const cJSON *table,
               size_t index)
{
    const char *title = format__text (table, "title");
    char fallback[32];
    snprintf (fallback, sizeof fallback, "表%zu", index + 1);
    sheet_t sheet;
    if (s_sheet_start (&sheet, book,
                       *title ? title : format__text (table, "group"), fallback,
                       true))
        return;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "rows");
    bool notes = s_rows_have_note (rows);
    s_table_header (&sheet, doc, notes);
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        s_next_row (&sheet);
        s_table_row (&sheet, doc, row, notes);
    }
    s_sheet_finish (&sheet);
}

static void
s_write_excluded (book_t *book, const cJSON *excluded)
{
    sheet_t sheet;
    if (s_sheet_start (&sheet, book, "未参与排名", "", true))
        return;
    s_header (&sheet, 0, "单位");
    s_header (&sheet, 1, "原因");
    const cJSON *unit;
    cJSON_ArrayForEach (unit, excluded)
    {
        s_next_row (&sheet);
        s_text (&sheet, 0, format__unit_name (unit), NULL, true);
        s_text (&sheet, 1, format__text (unit, "reason"), NULL, true);
    }
    s_sheet_finish (&sheet);
}

//  --------------------------------------------------------------------------
//  Channel tables and the summary sheet

static void
s_write_channel (book_t *book, const cJSON *table)
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
    sheet_t sheet;
    int rc = s_sheet_start (&sheet, book, name, "", true);
    free (name);
    if (rc)
        return;
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive (table, "columns");
    s_header (&sheet, 0, "单位");
    size_t col = 1;
    const cJSON *column;
    cJSON_ArrayForEach (column, columns)
    {
        const char *label = format__text (column, "label");
        s_header (&sheet, col++,
                  *label ? label
                         : format__counter_label (format__text (column, "id")));
    }
    const cJSON *row;
    cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive (table, "rows"))
    {
        s_next_row (&sheet);
        s_text (&sheet, 0, format__unit_name (row), NULL, true);
        col = 1;
        cJSON_ArrayForEach (column, columns)
        {
            const cJSON *value =
                format__member (row, "values", format__text (column, "id"));
            if (strcmp (format__text (column, "kind"), "counter") == 0)
                s_number_as (&sheet, col++, value, NULL, format__format_count);
            else
                s_item (&sheet, col++, column, value);
        }
    }
    s_sheet_finish (&sheet);
}

/* Moves past a blank row unless the sheet is still empty. */
static void
s_gap (sheet_t *sheet, bool *started)
{
    if (*started) {
        s_next_row (sheet);
        s_next_row (sheet);
    }
    *started = true;
}

static void
s_write_summary (sheet_t *sheet, const cJSON *summary, bool *started)
{
    static const struct {
        const char *name;  /* member of "summary" */
        const char *label; /* text in column A */
        const char *code;  /* number format, NULL for General */
        void (*show) (double value, char *buf); /* as shown, for widths */
    } lines[] = {
        {"units", "参评单位", NULL, format__format_count},
        {"with_cases", "有工单单位", NULL, format__format_count},
        {"full_score", "满分分值", NULL, format__format_short},
        {"at_full_score", "满分单位", NULL, format__format_count},
        {"at_full_score_share", "满分单位占比", S_PERCENT,
         format__format_percent},
        {"average", "平均分", S_FIXED2, format__format_fixed2},
    };
    bool first = true;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const cJSON *value = format__member (summary, NULL, lines[i].name);
        if (!value)
            continue;
        if (first)
            s_gap (sheet, started);
        else
            s_next_row (sheet);
        first = false;
        s_text (sheet, 0, lines[i].label, sheet->book->bold, true);
        s_number_as (sheet, 1, value, lines[i].code, lines[i].show);
    }
}

static void
s_write_shares (sheet_t *sheet, const cJSON *entries, const char *heading,
                bool *started)
{
    if (!entries)
        return;
    s_gap (sheet, started);
    s_header (sheet, 0, heading);
    s_header (sheet, 1, "受理");
    s_header (sheet, 2, "占比");
    const cJSON *entry;
    cJSON_ArrayForEach (entry, entries)
    {
        s_next_row (sheet);
        s_text (sheet, 0, format__label (entry), NULL, true);
        s_number_as (sheet, 1, format__member (entry, NULL, "received"), NULL,
                     format__format_count);
        s_number_as (sheet, 2, format__member (entry, NULL, "share"), S_PERCENT,
                     format__format_percent);
    }
}

static void
s_write_below (sheet_t *sheet, const cJSON *below, bool *started)
{
    const char *title = format__text (below, "title");
    s_gap (sheet, started);
    s_text (sheet, 0, *title ? title : "问题解决率低于全区平均的单位",
            sheet->book->bold, false);
    const cJSON *rate = format__member (below, NULL, "district_rate");
    if (rate) {
        s_next_row (sheet);
        s_text (sheet, 0, "全区平均", sheet->book->bold, true);
        s_number_as (sheet, 1, rate, S_PERCENT, format__format_percent);
    }
    s_next_row (sheet);
    static const char *const header[] = {"单位", "回访数", "未解决", "解决率"};
    for (size_t col = 0; col < 4; col++)
        s_header (sheet, col, header[col]);
    const cJSON *row;
    cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive (below, "rows"))
    {
        s_next_row (sheet);
        s_text (sheet, 0, format__unit_name (row), NULL, true);
        s_number_as (sheet, 1, format__member (row, NULL, "revisited"), NULL,
                     format__format_count);
        s_number_as (sheet, 2, format__member (row, NULL, "unresolved"), NULL,
                     format__format_count);
        s_number_as (sheet, 3, format__member (row, NULL, "rate"), S_PERCENT,
                     format__format_percent);
    }
}

/* One sheet for the summary, the breakdown and the below-average units,
   one block under the other with a blank row between. */
static void
s_write_overview (book_t *book, const format_doc_t *doc)
{
    if (!doc->summary && !doc->breakdown && !doc->below)
        return;
    sheet_t sheet;
    if (s_sheet_start (&sheet, book, "汇总", "", false))
        return;
    bool started = false;
    if (doc->summary)
        s_write_summary (&sheet, doc->summary, &started);
    s_write_shares (
        &sheet, cJSON_GetObjectItemCaseSensitive (doc->breakdown, "channels"),
        "渠道", &started);
    s_write_shares (
        &sheet, cJSON_GetObjectItemCaseSensitive (doc->breakdown, "categories"),
        "类别", &started);
    if (doc->below)
        s_write_below (&sheet, doc->below, &started);
    s_sheet_finish (&sheet);
}

//  --------------------------------------------------------------------------
//  Workbook

static void
s_book_free (book_t *book)
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
s_write_book (book_t *book, const format_doc_t *doc)
{
    char *title = s_clean (format__text (doc->root, "title"), S_TEXT_MAX);
    if (!title) {
        book->oom = true;
        return;
    }
    lxw_doc_properties properties = {.title = title};
    if (*title)
        s_note_error (book, workbook_set_properties (book->book, &properties));
    free (title);
    size_t index = 0;
    const cJSON *table;
    cJSON_ArrayForEach (table, doc->tables)
    {
        s_write_table (book, doc, table, index++);
    }
    if (cJSON_GetArraySize (doc->excluded) > 0)
        s_write_excluded (book, doc->excluded);
    cJSON_ArrayForEach (table, doc->channel_tables)
    {
        s_write_channel (book, table);
    }
    s_write_overview (book, doc);
}

int
format_xlsx (const char *json, const char *path, char *err)
{
    if (!path || !*path) {
        format__set_error (err, "report: no file name for the workbook");
        return -1;
    }
    format_doc_t doc;
    if (format__load (json, &doc, err))
        return -1;
    int rc = -1;
    book_t book = {0};
    book.book = workbook_new (path);
    book.bold = book.book ? workbook_add_format (book.book) : NULL;
    if (!book.bold) {
        format__set_error (err, "report: out of memory");
        goto cleanup;
    }
    format_set_bold (book.bold);
    s_write_book (&book, &doc);
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
    format__unload (&doc);
    return rc;
}
