/*  format_html: the report as one printable HTML page.

    The page is what a clerk prints to PDF and sends: the title, the
    paragraph of figures a bulletin opens with, then its tables. It stands
    alone (inline CSS, no script, no external asset), so it can be mailed
    or archived as one file, and the web dashboard's print view serves the
    same bytes. Names come from the registry and notes from rulesets: all
    of it is user data, so every text goes through s_escape.

    The page is written straight to the stream once the report is loaded
    and checked: a refused report writes nothing.
*/
#include "format_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for a shown value with its suffix. */
#define S_SHOWN_MAX (REPORT__NUMBER_MAX + 8)

static const char *s_style =
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\","
    "\"Microsoft YaHei\",SimSun,sans-serif;color:#111;font-size:14px;"
    "margin:2em auto;max-width:1240px;padding:0 1em}\n"
    "h1{text-align:center;font-size:22px;margin:0 0 .2em}\n"
    "p.period{text-align:center;font-size:16px;margin:0;text-indent:0}\n"
    "p.meta{text-align:center;color:#555;font-size:12px;text-indent:0}\n"
    "h2{font-size:17px;border-bottom:1px solid #888;padding-bottom:.2em;"
    "margin:1.6em 0 .6em}\n"
    "h3{font-size:15px;margin:1.2em 0 .4em}\n"
    "p{line-height:1.8;text-indent:2em;margin:.3em 0}\n"
    ".figure{font-weight:bold}\n"
    "table{border-collapse:collapse;width:100%;font-size:12px;"
    "margin:.3em 0 1em}\n"
    "th,td{border:1px solid #444;padding:3px 5px}\n"
    "th{background:#ddebf7;text-align:center}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "ul.warnings{color:#8a4b00}\n"
    "@page{size:A4 landscape;margin:12mm}\n"
    "@media print{body{margin:0;max-width:none;font-size:11px;padding:0}"
    "table{font-size:10px}thead{display:table-header-group}"
    "tr,th,td{break-inside:avoid;page-break-inside:avoid}"
    "h2,h3{break-after:avoid;page-break-after:avoid}"
    "section.scores{break-before:page;page-break-before:always}}\n";

//  --------------------------------------------------------------------------
//  Escaping

/* Writes text as HTML character data or attribute value: the five
   characters with a meaning escaped, control characters as spaces, and
   each byte of an invalid UTF-8 sequence as U+FFFD, so no name can
   change the page's structure. */
static void
s_escape (FILE *out, const char *text)
{
    const unsigned char *at = (const unsigned char *)text;
    while (*at) {
        uint32_t cp;
        size_t used = format__decode_utf8 (at, &cp);
        if (cp == 0xFFFD && used == 1)
            fputs ("\xEF\xBF\xBD", out);
        else if (cp == '&')
            fputs ("&amp;", out);
        else if (cp == '<')
            fputs ("&lt;", out);
        else if (cp == '>')
            fputs ("&gt;", out);
        else if (cp == '"')
            fputs ("&quot;", out);
        else if (cp == '\'')
            fputs ("&#39;", out);
        else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            fputc (' ', out);
        else
            fwrite (at, 1, used, out);
        at += used;
    }
}

/* <tag>escaped text</tag> */
static void
s_element (FILE *out, const char *tag, const char *attributes, const char *text)
{
    fprintf (out, "<%s%s%s>", tag, *attributes ? " " : "", attributes);
    s_escape (out, text);
    fprintf (out, "</%s>", tag);
}

/* A figure of the opening paragraphs, marked with its name so that a
   reader (or a test) can find it: <span class="figure"
   data-name="received">2201</span>. */
static void
s_figure (FILE *out, const char *name, const char *shown)
{
    fprintf (out, "<span class=\"figure\" data-name=\"%s\">", name);
    s_escape (out, shown);
    fputs ("</span>", out);
}

//  --------------------------------------------------------------------------
//  The opening paragraphs

static void
s_overview_figure (FILE *out, const cJSON *overview, const char *name,
                   bool percent)
{
    const cJSON *value = format__value (overview, NULL, name);
    char shown[REPORT__NUMBER_MAX] = "-";
    if (value && percent)
        format__format_percent (value->valuedouble, shown);
    else if (value)
        format__format_count (value->valuedouble, shown);
    s_figure (out, name, shown);
}

static void
s_totals (FILE *out, const format_doc_t *doc)
{
    const cJSON *overview = doc->overview;
    if (!overview)
        return;
    fputs ("<p>本期参评单位", out);
    s_overview_figure (out, overview, "units", false);
    fputs ("个，共受理工单", out);
    s_overview_figure (out, overview, "received", false);
    fputs ("件，应办结", out);
    s_overview_figure (out, overview, "should_close", false);
    fputs ("件，已办结", out);
    s_overview_figure (out, overview, "closed", false);
    fputs ("件，其中按期办结", out);
    s_overview_figure (out, overview, "closed_on_time", false);
    fputs ("件；办结率", out);
    s_overview_figure (out, overview, "closure_rate", true);
    fputs ("，按期办结率", out);
    s_overview_figure (out, overview, "on_time_rate", true);
    fputs ("。</p>\n", out);
}

/* The first three ranked rows of each table: "硖石镇（93.12分）". An
   unranked scheme names no top units. */
static void
s_top_units (FILE *out, const format_doc_t *doc)
{
    const cJSON *table;
    cJSON_ArrayForEach (table, doc->tables)
    {
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "rows");
        const cJSON *row;
        int named = 0;
        cJSON_ArrayForEach (row, rows)
        {
            if (named == 3 || !format__value (row, NULL, "rank"))
                break;
            if (named == 0) {
                const char *title = format__text (table, "title");
                fputs ("<p class=\"top\">", out);
                s_escape (out, *title ? title : format__text (table, "group"));
                fputs ("排名前列的单位：", out);
            }
            const cJSON *total = format__value (row, NULL, "total");
            char shown[REPORT__NUMBER_MAX] = "-";
            if (total)
                format__format_fixed2 (total->valuedouble, shown);
            fputs (named ? "、" : "", out);
            s_element (out, "span", "class=\"unit\"", format__unit_name (row));
            fputs ("（", out);
            s_figure (out, "total", shown);
            fputs ("分）", out);
            named++;
        }
        if (named)
            fputs ("。</p>\n", out);
    }
}

/* A unit's closure rate from its row's counters, or -1 when the row does
   not carry them or has nothing to close. */
static double
s_closure_rate (const cJSON *row)
{
    const cJSON *should = format__value (row, "counters", "should_close");
    const cJSON *closed = format__value (row, "counters", "closed");
    if (!should || !closed || should->valuedouble <= 0)
        return -1;
    return closed->valuedouble / should->valuedouble;
}

/* The ruleset's own list (below) when it has one; else the units whose
   closure rate is below the district's, from the rows' counters. */
static void
s_below_units (FILE *out, const format_doc_t *doc)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive (doc->below, "rows");
    const cJSON *district =
        doc->below ? format__value (doc->below, NULL, "district_rate")
                   : format__value (doc->overview, NULL, "closure_rate");
    if (!district)
        return;
    char shown[REPORT__NUMBER_MAX];
    format__format_percent (district->valuedouble, shown);
    fputs ("<p class=\"below\">", out);
    if (doc->below)
        s_escape (out, format__text (doc->below, "title"));
    else
        fputs ("办结率低于全区的单位", out);
    fputs ("（全区", out);
    s_figure (out, "district_rate", shown);
    fputs ("）：", out);
    int named = 0;
    const cJSON *table, *row;
    const cJSON *tables = doc->below ? NULL : doc->tables;
    cJSON_ArrayForEach (table, tables)
    {
        cJSON_ArrayForEach (row,
                            cJSON_GetObjectItemCaseSensitive (table, "rows"))
        {
            double rate = s_closure_rate (row);
            if (rate < 0 || rate >= district->valuedouble)
                continue;
            format__format_percent (rate, shown);
            fputs (named++ ? "、" : "", out);
            s_element (out, "span", "class=\"unit\"", format__unit_name (row));
            fputs ("（", out);
            s_figure (out, "rate", shown);
            fputs ("）", out);
        }
    }
    cJSON_ArrayForEach (row, rows)
    {
        const cJSON *rate = format__value (row, NULL, "rate");
        strcpy (shown, "-");
        if (rate)
            format__format_percent (rate->valuedouble, shown);
        fputs (named++ ? "、" : "", out);
        s_element (out, "span", "class=\"unit\"", format__unit_name (row));
        fputs ("（", out);
        s_figure (out, "rate", shown);
        fputs ("）", out);
    }
    fputs (named ? "。</p>\n" : "无。</p>\n", out);
}

/* The category shares, largest first. */
static void
s_categories (FILE *out, const format_doc_t *doc)
{
    const cJSON *entries =
        cJSON_GetObjectItemCaseSensitive (doc->overview, "categories");
    size_t count = (size_t)cJSON_GetArraySize (entries);
    if (count == 0)
        return;
    fputs ("<p class=\"categories\">受理工单按类别：", out);
    bool *done = calloc (count, sizeof (bool));
    for (size_t k = 0; done && k < count; k++) {
        const cJSON *best = NULL, *entry;
        size_t index = 0, at = 0;
        cJSON_ArrayForEach (entry, entries)
        {
            const cJSON *n = format__value (entry, NULL, "received");
            const cJSON *b =
                best ? format__value (best, NULL, "received") : NULL;
            if (!done[index] &&
                (!best || (n && (!b || n->valuedouble > b->valuedouble)))) {
                best = entry;
                at = index;
            }
            index++;
        }
        done[at] = true;
        char received[REPORT__NUMBER_MAX] = "-",
             share[REPORT__NUMBER_MAX] = "-";
        const cJSON *n = format__value (best, NULL, "received");
        const cJSON *part = format__value (best, NULL, "share");
        if (n)
            format__format_count (n->valuedouble, received);
        if (part)
            format__format_percent (part->valuedouble, share);
        fputs (k ? "、" : "", out);
        s_element (out, "span", "class=\"category\"",
                   format__share_label (best, true));
        s_figure (out, "received", received);
        fputs ("件（", out);
        s_figure (out, "share", share);
        fputs ("）", out);
    }
    free (done);
    fputs ("。</p>\n", out);
}

//  --------------------------------------------------------------------------
//  Tables

static void
s_th (FILE *out, const char *text, size_t rowspan, size_t colspan)
{
    fputs ("<th", out);
    if (rowspan > 1)
        fprintf (out, " rowspan=\"%zu\"", rowspan);
    if (colspan > 1)
        fprintf (out, " colspan=\"%zu\"", colspan);
    fputc ('>', out);
    s_escape (out, text);
    fputs ("</th>", out);
}

/* The two header rows of format_columns.c, or one when no column has a
   group. Returns -1 when out of memory. */
static int
s_score_header (FILE *out, const format_doc_t *doc,
                const format__columns_t *plan)
{
    bool two = false;
    for (size_t c = 0; c < plan->count; c++)
        two |= plan->cols[c].group != NULL;
    fputs ("<thead><tr>", out);
    for (size_t c = 0; c < plan->count;) {
        const cJSON *group = plan->cols[c].group;
        size_t end = format__columns_run (plan, c);
        char *label = group ? format__points_label (group)
                            : format__columns_label (doc, &plan->cols[c]);
        if (!label)
            return -1;
        s_th (out, label, group || !two ? 1 : 2, end - c);
        free (label);
        c = end;
    }
    fputs ("</tr>\n", out);
    if (two) {
        fputs ("<tr>", out);
        for (size_t c = 0; c < plan->count; c++) {
            if (!plan->cols[c].group)
                continue;
            char *label = format__columns_label (doc, &plan->cols[c]);
            if (!label)
                return -1;
            s_th (out, label, 1, 1);
            free (label);
        }
        fputs ("</tr>\n", out);
    }
    fputs ("</thead>\n", out);
    return 0;
}

static void
s_score_row (FILE *out, const format__columns_t *plan, const cJSON *row)
{
    fputs ("<tr>", out);
    for (size_t c = 0; c < plan->count; c++) {
        const format__col_t *col = &plan->cols[c];
        if (col->kind == FORMAT__COL_UNIT || col->kind == FORMAT__COL_NOTE) {
            s_element (out, "td", "",
                       col->kind == FORMAT__COL_UNIT
                           ? format__unit_name (row)
                           : format__text (row, "note"));
            continue;
        }
        char shown[S_SHOWN_MAX];
        format__columns_show (col, format__columns_value (col, row), shown);
        s_element (out, "td", "class=\"n\"", shown);
    }
    fputs ("</tr>\n", out);
}

static int
s_score_table (FILE *out, const format_doc_t *doc, const cJSON *table)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "rows");
    format__columns_t plan;
    if (format__columns_plan (&plan, doc, format__rows_have_note (rows)))
        return -1;
    const char *title = format__text (table, "title");
    fputs ("<section class=\"scores\">\n", out);
    s_element (out, "h3", "", *title ? title : format__text (table, "group"));
    fputs ("\n<table class=\"scores\" data-group=\"", out);
    s_escape (out, format__text (table, "group"));
    fputs ("\">\n", out);
    int rc = s_score_header (out, doc, &plan);
    fputs ("<tbody>\n", out);
    const cJSON *row;
    cJSON_ArrayForEach (row, rows)
    {
        s_score_row (out, &plan, row);
    }
    fputs ("</tbody>\n</table>\n</section>\n", out);
    format__columns_free (&plan);
    return rc;
}

/* Starts a table with a heading and a one-row header. */
static void
s_table_start (FILE *out, const char *heading, const char *const *header,
               size_t count)
{
    s_element (out, "h3", "", heading);
    fputs ("\n<table>\n<thead><tr>", out);
    for (size_t i = 0; i < count; i++)
        s_th (out, header[i], 1, 1);
    fputs ("</tr></thead>\n<tbody>\n", out);
}

static void
s_table_end (FILE *out)
{
    fputs ("</tbody>\n</table>\n", out);
}

/* A number cell as show prints it; "-" for null, empty when absent. */
static void
s_number_cell (FILE *out, const cJSON *value,
               void (*show) (double value, char *buf))
{
    char shown[REPORT__NUMBER_MAX] = "";
    if (cJSON_IsNull (value))
        strcpy (shown, "-");
    else if (value)
        show (value->valuedouble, shown);
    s_element (out, "td", "class=\"n\"", shown);
}

static void
s_excluded (FILE *out, const format_doc_t *doc)
{
    if (cJSON_GetArraySize (doc->excluded) == 0)
        return;
    static const char *const header[] = {"单位", "原因"};
    s_table_start (out, "未参与排名", header, 2);
    const cJSON *unit;
    cJSON_ArrayForEach (unit, doc->excluded)
    {
        char reason[512];
        format__reason_text (format__text (unit, "reason"), reason,
                             sizeof reason);
        fputs ("<tr>", out);
        s_element (out, "td", "", format__unit_name (unit));
        s_element (out, "td", "", reason);
        fputs ("</tr>\n", out);
    }
    s_table_end (out);
}

static void
s_warnings (FILE *out, const format_doc_t *doc)
{
    if (cJSON_GetArraySize (doc->warnings) == 0)
        return;
    s_element (out, "h3", "", "提示");
    fputs ("\n<ul class=\"warnings\">\n", out);
    const cJSON *warning;
    cJSON_ArrayForEach (warning, doc->warnings)
    {
        s_element (out, "li", "", warning->valuestring);
        fputc ('\n', out);
    }
    fputs ("</ul>\n", out);
}

static void
s_channel (FILE *out, const cJSON *table)
{
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive (table, "columns");
    const char *title = format__text (table, "title");
    s_element (out, "h3", "", *title ? title : format__text (table, "channel"));
    fputs ("\n<table>\n<thead><tr><th>单位</th>", out);
    const cJSON *column, *row;
    cJSON_ArrayForEach (column, columns)
    {
        const char *label = format__text (column, "label");
        s_th (out,
              *label ? label
                     : format__counter_label (format__text (column, "id")),
              1, 1);
    }
    fputs ("</tr></thead>\n<tbody>\n", out);
    cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive (table, "rows"))
    {
        fputs ("<tr>", out);
        s_element (out, "td", "", format__unit_name (row));
        cJSON_ArrayForEach (column, columns)
        {
            const cJSON *value =
                format__member (row, "values", format__text (column, "id"));
            bool counter =
                strcmp (format__text (column, "kind"), "counter") == 0;
            format__col_t col = {counter ? FORMAT__COL_COUNTER
                                         : FORMAT__COL_ITEM,
                                 column, NULL, NULL};
            char shown[S_SHOWN_MAX];
            format__columns_show (&col, value, shown);
            s_element (out, "td", "class=\"n\"", shown);
        }
        fputs ("</tr>\n", out);
    }
    s_table_end (out);
}

static void
s_summary (FILE *out, const cJSON *summary)
{
    static const struct {
        const char *name;                       /* member of "summary" */
        const char *label;                      /* row label */
        void (*show) (double value, char *buf); /* how the value reads */
    } lines[] = {
        {"units", "参评单位", format__format_count},
        {"with_cases", "有工单单位", format__format_count},
        {"full_score", "满分分值", format__format_short},
        {"at_full_score", "满分单位", format__format_count},
        {"at_full_score_share", "满分单位占比", format__format_percent},
        {"average", "平均分", format__format_fixed2},
    };
    static const char *const header[] = {"项目", "数值"};
    s_table_start (out, "汇总", header, 2);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const cJSON *value = format__member (summary, NULL, lines[i].name);
        if (!value)
            continue;
        fputs ("<tr>", out);
        s_element (out, "td", "", lines[i].label);
        s_number_cell (out, value, lines[i].show);
        fputs ("</tr>\n", out);
    }
    s_table_end (out);
}

static void
s_shares (FILE *out, const cJSON *entries, const char *heading, bool category)
{
    if (!entries)
        return;
    const char *const header[] = {heading, "受理", "占比"};
    s_table_start (out, heading, header, 3);
    const cJSON *entry;
    cJSON_ArrayForEach (entry, entries)
    {
        fputs ("<tr>", out);
        s_element (out, "td", "", format__share_label (entry, category));
        s_number_cell (out, format__member (entry, NULL, "received"),
                       format__format_count);
        s_number_cell (out, format__member (entry, NULL, "share"),
                       format__format_percent);
        fputs ("</tr>\n", out);
    }
    s_table_end (out);
}

static void
s_below_table (FILE *out, const cJSON *below)
{
    const char *title = format__text (below, "title");
    static const char *const header[] = {"单位", "回访数", "未解决", "解决率"};
    s_table_start (out, *title ? title : "问题解决率低于全区平均的单位", header,
                   4);
    const cJSON *row;
    cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive (below, "rows"))
    {
        fputs ("<tr>", out);
        s_element (out, "td", "", format__unit_name (row));
        s_number_cell (out, format__member (row, NULL, "revisited"),
                       format__format_count);
        s_number_cell (out, format__member (row, NULL, "unresolved"),
                       format__format_count);
        s_number_cell (out, format__member (row, NULL, "rate"),
                       format__format_percent);
        fputs ("</tr>\n", out);
    }
    s_table_end (out);
}

//  --------------------------------------------------------------------------
//  The page

static void
s_head (FILE *out, const format_doc_t *doc, const char *period,
        const char *when)
{
    const char *title = format__text (doc->root, "title");
    const char *ruleset = format__text (doc->root, "ruleset");
    fputs ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n"
           "<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width\">\n"
           "<title>",
           out);
    s_escape (out, *title ? title : "热线工单办理情况");
    if (*period) {
        fputs ("（", out);
        s_escape (out, period);
        fputs ("）", out);
    }
    fprintf (out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n",
             s_style);
    s_element (out, "h1", "", *title ? title : "热线工单办理情况");
    fputc ('\n', out);
    if (*period) {
        s_element (out, "p", "class=\"period\"", period);
        fputc ('\n', out);
    }
    fputs ("<p class=\"meta\">", out);
    if (*when) {
        fputs ("截至 ", out);
        s_escape (out, when);
    }
    if (*ruleset) {
        fputs (*when ? "　　评分规则 " : "评分规则 ", out);
        s_escape (out, ruleset);
    }
    fputs ("</p>\n</header>\n", out);
}

static int
s_page (FILE *out, const format_doc_t *doc)
{
    char period[128], when[128];
    format__period_text (format__text (doc->root, "period"), period,
                         sizeof period);
    format__time_text (format__text (doc->root, "as_of"), when, sizeof when);
    s_head (out, doc, period, when);
    fputs ("<section class=\"opening\">\n<h2>一、总体情况</h2>\n", out);
    s_totals (out, doc);
    s_top_units (out, doc);
    s_below_units (out, doc);
    s_categories (out, doc);
    fputs ("</section>\n<h2>二、考核结果</h2>\n", out);
    const cJSON *table;
    cJSON_ArrayForEach (table, doc->tables)
    {
        if (s_score_table (out, doc, table))
            return -1;
    }
    fputs ("<section class=\"notes\">\n", out);
    s_excluded (out, doc);
    s_warnings (out, doc);
    cJSON_ArrayForEach (table, doc->channel_tables)
    {
        s_channel (out, table);
    }
    if (doc->summary)
        s_summary (out, doc->summary);
    s_shares (out,
              cJSON_GetObjectItemCaseSensitive (doc->breakdown, "channels"),
              "渠道", false);
    s_shares (out,
              cJSON_GetObjectItemCaseSensitive (doc->breakdown, "categories"),
              "类别", true);
    if (doc->below)
        s_below_table (out, doc->below);
    fputs ("</section>\n</body>\n</html>\n", out);
    return 0;
}

int
format_html (const char *json, FILE *out, char *err)
{
    format_doc_t doc;
    if (format__load (json, &doc, err))
        return -1;
    int rc = s_page (out, &doc);
    if (rc)
        format__set_error (err, "report: out of memory");
    else if (fflush (out) != 0 || ferror (out)) {
        format__set_error (err, "report: could not write the output");
        rc = -1;
    }
    format__unload (&doc);
    return rc;
}
