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

/* The header of a score column: "<id>_score" and "dim:<id>" for
   programs, "label(points)" for people. */
static void
s_csv_score_name (FILE *out, const format__score_t *score, bool excel)
{
    const char *id = format__text (score->spec, "id");
    if (!excel) {
        s_csv_name (out, score->dimension ? "dim:" : "", id,
                    score->dimension ? "" : "_score");
        return;
    }
    const char *label = format__label (score->spec);
    const cJSON *points = format__value (score->spec, NULL, "points");
    char number[REPORT__NUMBER_MAX] = "";
    if (points)
        format__format_short (points->valuedouble, number);
    const char *const parts[] = {label, points ? "(" : "", number,
                                 points ? ")" : ""};
    s_csv_parts (out, parts, 4, false);
}

/* Scores are written items first, then dimension subtotals. */
static void
s_csv_header (FILE *out, const format_doc_t *doc, bool excel)
{
    static const char *const leading[2][4] = {
        {"group", "rank", "unit_id", "unit"},
        {"表", "排名", "单位编码", "单位"}};
    for (size_t i = 0; i < 4; i++)
        s_csv_field (out, leading[excel][i], i == 0);
    const cJSON *counter;
    cJSON_ArrayForEach (counter, doc->counters)
    {
        s_csv_field (out,
                     excel ? format__counter_label (counter->valuestring)
                           : counter->valuestring,
                     false);
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < doc->score_count; i++)
            if (doc->scores[i].dimension == (pass == 1))
                s_csv_score_name (out, &doc->scores[i], excel);
    if (doc->has_base_total)
        s_csv_field (out, excel ? "基础分" : "base_total", false);
    if (doc->has_bonus)
        s_csv_field (out, excel ? "加分" : "bonus", false);
    s_csv_field (out, excel ? "总分" : "total", false);
    for (size_t i = 0; i < doc->change_count; i++) {
        const cJSON *item = format__item (doc, doc->changes[i]);
        if (excel)
            s_csv_name (out, item ? format__label (item) : doc->changes[i],
                        " 环比", "");
        else
            s_csv_name (out, "change:", doc->changes[i], "");
    }
    s_csv_field (out, excel ? "备注" : "note", false);
    fputs ("\r\n", out);
}

/* Writes one data row. An excluded unit (group NULL) is written under group
   "excluded" with its reason as the note; it was never ranked or scored, so
   its rank, scores and total stay empty even if the daemon sent some. */
static void
s_csv_row (FILE *out, const format_doc_t *doc, const char *group,
           const cJSON *row, bool excel)
{
    bool ranked = group != NULL;
    const cJSON *scored = ranked ? row : NULL;
    s_csv_field (out, ranked ? group : excel ? "未参与排名" : "excluded", true);
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
    char reason[512];
    format__reason_text (format__text (row, "reason"), reason, sizeof reason);
    s_csv_field (out,
                 ranked  ? format__text (row, "note")
                 : excel ? reason
                         : format__text (row, "reason"),
                 false);
    fputs ("\r\n", out);
}

static int
s_csv_write (const char *json, FILE *out, bool excel, char *err)
{
    format_doc_t doc;
    if (format__load (json, &doc, err))
        return -1;
    int rc = -1;
    if (excel)
        fputs ("\xEF\xBB\xBF", out);
    s_csv_header (out, &doc, excel);
    const cJSON *table;
    cJSON_ArrayForEach (table, doc.tables)
    {
        /* People know a table by its title, programs by its group. */
        const char *group = format__text (table, "group");
        const char *title = format__text (table, "title");
        const cJSON *row;
        cJSON_ArrayForEach (row,
                            cJSON_GetObjectItemCaseSensitive (table, "rows"))
        {
            s_csv_row (out, &doc, excel && *title ? title : group, row, excel);
        }
    }
    const cJSON *unit;
    cJSON_ArrayForEach (unit, doc.excluded)
    {
        s_csv_row (out, &doc, NULL, unit, excel);
    }
    if (fflush (out) != 0 || ferror (out))
        format__set_error (err, "report: could not write the output");
    else
        rc = 0;
    format__unload (&doc);
    return rc;
}

int
format_csv (const char *json, FILE *out, char *err)
{
    return s_csv_write (json, out, false, err);
}

int
format_csv_excel (const char *json, FILE *out, char *err)
{
    return s_csv_write (json, out, true, err);
}
