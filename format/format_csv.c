/*  format_csv: the main tables of the report as one CSV sheet.

    CSV needs no column widths, so it is streamed straight from the loaded
    JSON. Only the main tables and the excluded units go out: they share one
    header, which is what a spreadsheet imports; the channel tables and the
    summary sections have other columns and are left to the table and xlsx
    forms.
*/
#include "format_internal.h"

#include <stdio.h>
#include <string.h>

/* Writes the parts of one field, quoted per RFC 4180 only when it must
   be. Header fields such as "dim:<id>" are written in parts, so that no
   allocation can fail half-way through a line. */
static void
s_csv_parts (FILE *out, const char *const *parts, size_t count, bool first)
{
    bool quote = false;
    for (size_t i = 0; i < count; i++)
        quote |= strpbrk (parts[i], ",\"\r\n") != NULL;
    if (!first)
        fputc (',', out);
    if (quote)
        fputc ('"', out);
    for (size_t i = 0; i < count; i++)
        for (const char *c = parts[i]; *c; c++) {
            if (*c == '"')
                fputc ('"', out);
            fputc (*c, out);
        }
    if (quote)
        fputc ('"', out);
}

static void
s_csv_field (FILE *out, const char *text, bool first)
{
    s_csv_parts (out, &text, 1, first);
}

static void
s_csv_name (FILE *out, const char *prefix, const char *id, const char *suffix)
{
    const char *const parts[] = {prefix, id, suffix};
    s_csv_parts (out, parts, 3, false);
}

/* Writes a number as format shows it; absent and null are empty fields,
   which a spreadsheet reads as no value. */
static void
s_csv_number (FILE *out, const cJSON *value,
              void (*format) (double value, char *buf))
{
    char buf[REPORT__NUMBER_MAX] = "";
    if (cJSON_IsNumber (value))
        format (value->valuedouble, buf);
    s_csv_field (out, buf, false);
}

static void
s_csv_item (FILE *out, const cJSON *spec, const cJSON *value)
{
    char buf[REPORT__NUMBER_MAX] = "";
    if (cJSON_IsNumber (value))
        format__format_item (spec, value->valuedouble, buf);
    s_csv_field (out, buf, false);
}

/* Scores are written items first, then dimension subtotals. */
static void
s_csv_header (FILE *out, const format_doc_t *doc)
{
    static const char *const leading[] = {"group", "rank", "unit_id", "unit"};
    for (size_t i = 0; i < sizeof leading / sizeof leading[0]; i++)
        s_csv_field (out, leading[i], i == 0);
    const cJSON *counter;
    cJSON_ArrayForEach (counter, doc->counters)
    {
        s_csv_field (out, counter->valuestring, false);
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < doc->score_count; i++) {
            const char *id = format__text (doc->scores[i].spec, "id");
            if (doc->scores[i].dimension != (pass == 1))
                continue;
            if (pass)
                s_csv_name (out, "dim:", id, "");
            else
                s_csv_name (out, "", id, "_score");
        }
    if (doc->has_base_total)
        s_csv_field (out, "base_total", false);
    if (doc->has_bonus)
        s_csv_field (out, "bonus", false);
    s_csv_field (out, "total", false);
    for (size_t i = 0; i < doc->change_count; i++)
        s_csv_name (out, "change:", doc->changes[i], "");
    s_csv_field (out, "note", false);
    fputs ("\r\n", out);
}

/* Writes one data row. An excluded unit (group NULL) is written under group
   "excluded" with its reason as the note; it was never ranked or scored, so
   its rank, scores and total stay empty even if the daemon sent some. */
static void
s_csv_row (FILE *out, const format_doc_t *doc, const char *group,
           const cJSON *row)
{
    bool ranked = group != NULL;
    const cJSON *scored = ranked ? row : NULL;
    s_csv_field (out, ranked ? group : "excluded", true);
    s_csv_number (out, format__member (scored, NULL, "rank"),
                  format__format_count);
    s_csv_field (out, format__text (row, "unit_id"), false);
    s_csv_field (out, format__text (row, "unit"), false);
    const cJSON *counter;
    cJSON_ArrayForEach (counter, doc->counters)
    {
        s_csv_number (out,
                      format__member (row, "counters", counter->valuestring),
                      format__format_count);
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < doc->score_count; i++) {
            const cJSON *spec = doc->scores[i].spec;
            const char *id = format__text (spec, "id");
            if (doc->scores[i].dimension != (pass == 1))
                continue;
            if (pass)
                s_csv_number (out, format__member (scored, "dimensions", id),
                              format__format_fixed2);
            else
                s_csv_item (out, spec, format__member (scored, "items", id));
        }
    if (doc->has_base_total)
        s_csv_number (out, format__member (scored, NULL, "base_total"),
                      format__format_fixed2);
    if (doc->has_bonus)
        s_csv_number (out, format__member (scored, NULL, "bonus"),
                      format__format_short);
    s_csv_number (out, format__member (scored, NULL, "total"),
                  format__format_fixed2);
    for (size_t i = 0; i < doc->change_count; i++)
        s_csv_number (out, format__member (scored, "changes", doc->changes[i]),
                      format__format_signed);
    s_csv_field (out, format__text (row, ranked ? "note" : "reason"), false);
    fputs ("\r\n", out);
}

int
format_csv (const char *json, FILE *out, char *err)
{
    format_doc_t doc;
    if (format__load (json, &doc, err))
        return -1;
    int rc = -1;
    s_csv_header (out, &doc);
    const cJSON *table;
    cJSON_ArrayForEach (table, doc.tables)
    {
        const cJSON *row;
        cJSON_ArrayForEach (row,
                            cJSON_GetObjectItemCaseSensitive (table, "rows"))
        {
            s_csv_row (out, &doc, format__text (table, "group"), row);
        }
    }
    const cJSON *unit;
    cJSON_ArrayForEach (unit, doc.excluded)
    {
        s_csv_row (out, &doc, NULL, unit);
    }
    if (fflush (out) != 0 || ferror (out))
        format__set_error (err, "report: could not write the output");
    else
        rc = 0;
    format__unload (&doc);
    return rc;
}
