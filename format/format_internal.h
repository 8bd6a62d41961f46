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

/* A counter's Chinese column header, or the id when it has none. */
const char *format__counter_label (const char *id);

/* An item's or dimension's label, or its id when it has none. */
const char *format__label (const cJSON *spec);

/* "label(points)", or the label alone without points. Caller frees;
   NULL when memory runs out. */
char *format__header (const cJSON *spec);

/* The item whose id is id, or NULL. */
const cJSON *format__item (const format_doc_t *doc, const char *id);

/* True when the item or channel column is rounded to whole percent. */
bool format__is_pct0 (const cJSON *spec);

/* Number formatting; buf holds REPORT__NUMBER_MAX bytes. */
void format__format_fixed2 (double value, char *buf);  // 2 decimals
void format__format_count (double value, char *buf);   // whole, or 2 dec.
void format__format_short (double value, char *buf);   // 30, 2.5, 0.25
void format__format_signed (double value, char *buf);  // +1.25, -0.50
void format__format_percent (double share, char *buf); // 31.58%
/* An item value as its round asks: pct0 whole, else 2 decimals; no suffix. */
void format__format_item (const cJSON *spec, double value, char *buf);

#endif
