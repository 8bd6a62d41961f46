/*  Tests for report_format: the report JSON as a terminal table and as CSV.

    Output is captured with open_memstream, so each test reads back exactly
    the bytes the formatter wrote.
*/
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "format.h"
#include "format_xlsx.h"

#include <criterion/criterion.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Two tables, one row with a note that holds commas and a quote, one row
   unranked, one excluded unit: every branch of both formatters. */
static const char *s_report =
    "{\"ruleset\":\"jintai-2025\","
    "\"title\":\"金台区12345政务服务便民热线工单办理情况\","
    "\"period\":\"2025-07\",\"as_of\":\"2025-08-01T00:00:00+08:00\","
    "\"items\":[{\"id\":\"closure\",\"label\":\"办结\",\"points\":30},"
    "{\"id\":\"workload\",\"label\":\"工作量\",\"points\":5},"
    "{\"id\":\"bonus\",\"points\":2.5}],"
    "\"counters\":[\"should_close\",\"closed\",\"mystery\"],"
    "\"tables\":["
    "{\"group\":\"town\",\"title\":\"镇街\",\"rows\":["
    "{\"rank\":1,\"unit_id\":\"J01\",\"unit\":\"群众路街道办事处\","
    "\"counters\":{\"should_close\":132,\"closed\":132,\"mystery\":7},"
    "\"items\":{\"closure\":30,\"workload\":1.81,\"bonus\":0.5},"
    "\"total\":96.73,\"note\":\"\"},"
    "{\"rank\":2,\"unit_id\":\"J02\",\"unit\":\"陈仓镇\","
    "\"counters\":{\"should_close\":1234,\"closed\":1200,\"mystery\":0},"
    "\"items\":{\"closure\":29.17,\"workload\":5,\"bonus\":2.5},"
    "\"total\":100.5,\"note\":\"\"},"
    "{\"rank\":10,\"unit_id\":\"J03\",\"unit\":\"Test Unit\","
    "\"counters\":{\"should_close\":9,\"closed\":8,\"mystery\":1},"
    "\"items\":{\"closure\":26.66,\"workload\":0.11,\"bonus\":0},"
    "\"total\":8.3,\"note\":\"\"}]},"
    "{\"group\":\"dept\",\"title\":\"部门\",\"rows\":["
    "{\"rank\":1,\"unit_id\":\"D01\",\"unit\":\"区住建局\","
    "\"counters\":{\"should_close\":40,\"closed\":40,\"mystery\":2},"
    "\"items\":{\"closure\":30,\"workload\":0.55,\"bonus\":1},"
    "\"total\":95.4,\"note\":\"10月逾期2件,11月逾期1件\"},"
    "{\"rank\":null,\"unit_id\":\"D02\",\"unit\":\"区\\\"城管\\\"局\","
    "\"counters\":{\"should_close\":12,\"closed\":11,\"mystery\":3},"
    "\"items\":{\"closure\":27.5,\"workload\":0.15,\"bonus\":2},"
    "\"total\":77,\"note\":\"\"}]}],"
    "\"excluded\":[{\"unit_id\":\"J99\",\"unit\":\"小样本测试单位\","
    "\"reason\":\"should_close < 5\"}]}";

/* Every optional section of docs/report-json.md: items grouped in two
   dimensions with a pct0 item between them, null item values, bonuses of
   0.5, 0 and 0.25, changes with a null, a channel table, summary,
   breakdown and the units below the district rate. */
static const char *s_extended =
    "{\"ruleset\":\"furong-2022\",\"title\":\"芙蓉区\",\"period\":\"2022-11\","
    "\"items\":["
    "{\"id\":\"sign_on_time\",\"label\":\"按时签收\",\"points\":5,"
    "\"round\":\"r2\",\"suffix\":\"\",\"dimension\":\"response\"},"
    "{\"id\":\"close_rate\",\"label\":\"办结率\",\"points\":25,"
    "\"round\":\"r2\",\"dimension\":\"response\"},"
    "{\"id\":\"on_time_rate\",\"label\":\"按期办结率\",\"round\":\"pct0\","
    "\"suffix\":\"%\"},"
    "{\"id\":\"satisfaction\",\"label\":\"满意度\",\"points\":20,"
    "\"round\":\"t2\",\"dimension\":\"quality\"}],"
    "\"dimensions\":[{\"id\":\"response\",\"label\":\"诉求响应率\","
    "\"points\":30},{\"id\":\"quality\",\"label\":\"质量\",\"points\":20}],"
    "\"counters\":[\"received\"],"
    "\"tables\":[{\"group\":\"town\",\"title\":\"镇街\",\"rows\":["
    "{\"rank\":1,\"unit_id\":\"U01\",\"unit\":\"东湖街道\","
    "\"counters\":{\"received\":12},\"items\":{\"sign_on_time\":5,"
    "\"close_rate\":23.5,\"on_time_rate\":88,\"satisfaction\":19.33},"
    "\"dimensions\":{\"response\":28.5,\"quality\":19.33},"
    "\"base_total\":97.83,\"bonus\":0.5,\"total\":98.33,"
    "\"changes\":{\"close_rate\":1.25,\"on_time_rate\":null}},"
    "{\"rank\":2,\"unit_id\":\"U02\",\"unit\":\"马坡岭街道\","
    "\"counters\":{\"received\":0},\"items\":{\"sign_on_time\":null,"
    "\"close_rate\":null,\"on_time_rate\":null,\"satisfaction\":null},"
    "\"dimensions\":{\"response\":null,\"quality\":null},"
    "\"base_total\":96.1,\"bonus\":0,\"total\":96.1,"
    "\"changes\":{\"close_rate\":-0.5,\"on_time_rate\":3}},"
    "{\"rank\":3,\"unit_id\":\"U03\",\"unit\":\"定王台街道\","
    "\"counters\":{\"received\":7},\"items\":{\"sign_on_time\":4.5,"
    "\"close_rate\":24,\"on_time_rate\":100,\"satisfaction\":18},"
    "\"dimensions\":{\"response\":28.5,\"quality\":18},"
    "\"base_total\":95,\"bonus\":0.25,\"total\":95.25}]}],"
    "\"channel_tables\":[{\"channel\":\"mayor_mailbox\",\"title\":\"市长信箱\","
    "\"columns\":[{\"id\":\"should_close\",\"label\":\"应办结\","
    "\"kind\":\"counter\"},{\"id\":\"on_time_rate\",\"label\":\"按期办结率\","
    "\"kind\":\"item\",\"round\":\"pct0\",\"suffix\":\"%\"}],"
    "\"rows\":[{\"unit_id\":\"U01\",\"unit\":\"东湖街道\",\"values\":"
    "{\"should_close\":8,\"on_time_rate\":88}},{\"unit_id\":\"U02\","
    "\"unit\":\"马坡岭街道\",\"values\":{\"should_close\":3,"
    "\"on_time_rate\":null}}]}],"
    "\"summary\":{\"units\":40,\"with_cases\":38,\"full_score\":100,"
    "\"at_full_score\":12,\"at_full_score_share\":0.3158,\"average\":99.87},"
    "\"breakdown\":{\"channels\":[{\"id\":\"hotline\",\"received\":1234,"
    "\"share\":0.8}],\"categories\":[{\"id\":\"property\",\"received\":20,"
    "\"share\":0.0162}]},"
    "\"below\":{\"title\":\"问题解决率低于全区平均的单位\","
    "\"district_rate\":0.9123,\"rows\":[{\"unit_id\":\"U01\","
    "\"unit\":\"东湖街道\",\"revisited\":10,\"unresolved\":3,\"rate\":0.7}]},"
    "\"future_section\":{\"anything\":[1,2,3]}}";

/* Runs a formatter into memory. Returns the owned output; *rc and err get
   the formatter's answer. */
static char *
s_capture (int (*format) (const char *, FILE *, char *), const char *json,
           int *rc, char *err)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    cr_assert_not_null (out);
    *rc = format (json, out, err);
    fclose (out);
    return text;
}

/* Returns the owned output of a formatter that must succeed. */
static char *
s_format_ok (int (*format) (const char *, FILE *, char *), const char *json)
{
    char err[FORMAT_ERR_MAX] = "";
    int rc;
    char *text = s_capture (format, json, &rc, err);
    cr_assert_eq (rc, 0, "formatter failed: %s", err);
    return text;
}

/* Copies the lines of the table titled `title` (header, rule and rows, up to
   the next blank line) into lines[]; returns how many. */
static size_t
s_table_lines (const char *text, const char *title, char lines[][512],
               size_t max)
{
    char heading[128];
    snprintf (heading, sizeof heading, "\n%s\n", title);
    const char *at = strstr (text, heading);
    cr_assert_not_null (at, "no table titled %s", title);
    at += strlen (heading);
    size_t count = 0;
    while (*at && *at != '\n' && count < max) {
        const char *end = strchr (at, '\n');
        cr_assert_not_null (end);
        size_t length = (size_t)(end - at);
        cr_assert_lt (length, 512);
        memcpy (lines[count], at, length);
        lines[count][length] = '\0';
        count++;
        at = end + 1;
    }
    return count;
}

/* Splits a table line into cells (runs of text separated by two or more
   spaces) and stores the display column where each starts and ends. */
static size_t
s_cell_columns (const char *line, size_t *starts, size_t *ends, size_t max)
{
    size_t count = 0;
    size_t column = 0;
    const char *at = line;
    while (*at && count < max) {
        while (*at == ' ') {
            at++;
            column++;
        }
        if (!*at)
            break;
        starts[count] = column;
        const char *end = at;
        while (*end && !(end[0] == ' ' && (end[1] == ' ' || end[1] == '\0')))
            end++;
        char cell[512];
        memcpy (cell, at, (size_t)(end - at));
        cell[end - at] = '\0';
        column += format_display_width (cell);
        ends[count++] = column;
        at = end;
    }
    return count;
}

/* Splits a table line into its cells (text between runs of two or more
   spaces); returns how many. */
static size_t
s_cells (const char *line, char cells[][128], size_t max)
{
    size_t count = 0;
    const char *at = line;
    while (*at && count < max) {
        while (*at == ' ')
            at++;
        if (!*at)
            break;
        const char *end = at;
        while (*end && !(end[0] == ' ' && (end[1] == ' ' || end[1] == '\0')))
            end++;
        size_t length = (size_t)(end - at);
        cr_assert_lt (length, 128);
        memcpy (cells[count], at, length);
        cells[count][length] = '\0';
        count++;
        at = end;
    }
    return count;
}

/* Asserts that a table line has exactly the given cells. */
static void
s_expect_cells (const char *line, const char *const *expected, size_t count)
{
    char cells[32][128];
    size_t found = s_cells (line, cells, 32);
    cr_assert_eq (found, count, "%zu cells, not %zu, in: %s", found, count,
                  line);
    for (size_t i = 0; i < count; i++)
        cr_assert_str_eq (cells[i], expected[i], "cell %zu of: %s", i, line);
}

#define S_EXPECT_CELLS(line, ...)                                              \
    do {                                                                       \
        const char *const expected_[] = {__VA_ARGS__};                         \
        s_expect_cells (line, expected_,                                       \
                        sizeof expected_ / sizeof expected_[0]);               \
    } while (0)

Test (report_format, counts_one_column_per_ascii_character)
{
    cr_assert_eq (format_display_width (""), 0);
    cr_assert_eq (format_display_width ("J01"), 3);
    cr_assert_eq (format_display_width ("96.73"), 5);
    cr_assert_eq (format_display_width (NULL), 0);
}

Test (report_format, counts_two_columns_per_cjk_character)
{
    cr_assert_eq (format_display_width ("陈仓镇"), 6);
    cr_assert_eq (format_display_width ("群众路街道办事处"), 16);
    // Hangul, fullwidth digits, an ideographic comma and Extension B.
    cr_assert_eq (format_display_width ("한"), 2);
    cr_assert_eq (format_display_width ("１２"), 4);
    cr_assert_eq (format_display_width ("，"), 2);
    cr_assert_eq (format_display_width ("\xF0\xA0\x80\x80"), 2);
}

Test (report_format, counts_mixed_text_by_character_kind)
{
    cr_assert_eq (format_display_width ("办结(30)"), 8);
    cr_assert_eq (format_display_width ("10月逾期2件"), 11);
    // é and the ellipsis are narrow even though they take several bytes.
    cr_assert_eq (format_display_width ("caf\xC3\xA9\xE2\x80\xA6"), 5);
}

Test (report_format, counts_each_invalid_byte_as_one_column)
{
    cr_assert_eq (format_display_width ("a\xFF"
                                        "b"),
                  3);
    // A truncated three-byte sequence, then an overlong '/'.
    cr_assert_eq (format_display_width ("\xE9\x99"), 2);
    cr_assert_eq (format_display_width ("\xC0\xAF"), 2);
}

Test (report_format, writes_the_title_line_tables_ranks_and_two_decimals)
{
    char *text = s_format_ok (format_table, s_report);
    // The period and the as-of time as a Chinese reader writes them.
    const char *title = "金台区12345政务服务便民热线工单办理情况  2025年7月  "
                        "jintai-2025  截至 2025年8月1日 00:00\n";
    cr_assert (strncmp (text, title, strlen (title)) == 0, "%s", text);
    cr_assert_not_null (strstr (text, "\n镇街\n"));
    cr_assert_not_null (strstr (text, "\n部门\n"));
    cr_assert_not_null (strstr (text, "96.73"));
    cr_assert_not_null (strstr (text, "100.50"));
    cr_assert_not_null (strstr (text, "30.00"));
    cr_assert_not_null (strstr (text, "  8.30"));
    cr_assert_not_null (strstr (text, "\n  10  Test Unit"), "%s", text);
    free (text);
}

Test (report_format, labels_counters_in_chinese_and_items_with_points)
{
    char *text = s_format_ok (format_table, s_report);
    char lines[16][512];
    size_t count = s_table_lines (text, "镇街", lines, 16);
    cr_assert_geq (count, 2);
    cr_assert_str_eq (lines[0],
                      "排名  单位              应办结  办结数  mystery  "
                      "办结(30)  工作量(5)  bonus(2.5)    总分");
    cr_assert_not_null (strstr (text, "\n未参与排名\n"));
    free (text);
}

Test (report_format, aligns_cjk_names_by_display_width)
{
    char *text = s_format_ok (format_table, s_report);
    char lines[16][512];
    size_t count = s_table_lines (text, "镇街", lines, 16);
    cr_assert_eq (count, 5, "header, rule and three rows:\n%s", text);
    // Without notes the last column is right-aligned, so a table whose
    // columns line up is a rectangle.
    size_t width = format_display_width (lines[0]);
    for (size_t i = 1; i < count; i++)
        cr_assert_eq (format_display_width (lines[i]), width,
                      "line %zu is off:\n%s", i, text);

    size_t head_starts[16], head_ends[16];
    size_t cells = s_cell_columns (lines[0], head_starts, head_ends, 16);
    cr_assert_eq (cells, 9);
    for (size_t i = 2; i < count; i++) {
        size_t starts[16], ends[16];
        cr_assert_eq (s_cell_columns (lines[i], starts, ends, 16), cells);
        // 单位 is left-aligned, every other column right-aligned.
        cr_assert_eq (starts[1], head_starts[1], "unit in line %zu", i);
        for (size_t cell = 0; cell < cells; cell++)
            if (cell != 1)
                cr_assert_eq (ends[cell], head_ends[cell],
                              "column %zu of line %zu:\n%s", cell, i, text);
    }
    free (text);
}

Test (report_format, shows_notes_in_an_aligned_column_only_when_present)
{
    char *text = s_format_ok (format_table, s_report);
    char lines[16][512];
    size_t count = s_table_lines (text, "部门", lines, 16);
    cr_assert_eq (count, 4);
    cr_assert_not_null (strstr (lines[0], "备注"));
    cr_assert_not_null (strstr (lines[2], "10月逾期2件,11月逾期1件"));
    size_t starts[16], ends[16], head_starts[16], head_ends[16];
    size_t cells = s_cell_columns (lines[0], head_starts, head_ends, 16);
    cr_assert_eq (s_cell_columns (lines[2], starts, ends, 16), cells);
    cr_assert_eq (starts[cells - 1], head_starts[cells - 1]);
    // The row without a note ends at 总分, with no trailing spaces.
    size_t length = strlen (lines[3]);
    cr_assert_neq (lines[3][length - 1], ' ');

    char town[16][512];
    size_t town_count = s_table_lines (text, "镇街", town, 16);
    cr_assert_gt (town_count, 0);
    cr_assert_null (strstr (town[0], "备注"));
    free (text);
}

Test (report_format, prints_a_null_rank_as_a_dash)
{
    char *text = s_format_ok (format_table, s_report);
    char lines[16][512];
    size_t count = s_table_lines (text, "部门", lines, 16);
    cr_assert_eq (count, 4);
    cr_assert (strncmp (lines[3], "   -  区\"城管\"局", 20) == 0, "%s",
               lines[3]);
    free (text);
}

Test (report_format, lists_excluded_units_with_reasons_after_the_tables)
{
    char *text = s_format_ok (format_table, s_report);
    const char *excluded = strstr (text, "\n未参与排名\n");
    cr_assert_not_null (excluded);
    cr_assert_gt (excluded, strstr (text, "\n部门\n"));
    // The rule is said in words, not as its formula.
    cr_assert_not_null (strstr (excluded, "小样本测试单位  应办结不足5件\n"),
                        "%s", excluded);
    free (text);
}

Test (report_format, leaves_out_the_excluded_list_when_nobody_is_excluded)
{
    char *text = s_format_ok (format_table,
                              "{\"tables\":[{\"group\":\"town\",\"rows\":[]}],"
                              "\"excluded\":[]}");
    cr_assert_null (strstr (text, "未参与排名"));
    // A table without a title is headed by its group.
    cr_assert_not_null (strstr (text, "\ntown\n排名  单位  总分\n"), "%s",
                        text);
    free (text);
}

Test (report_format, turns_control_characters_in_names_into_spaces)
{
    char *text = s_format_ok (
        format_table, "{\"tables\":[{\"title\":\"T\",\"rows\":[{\"rank\":1,"
                      "\"unit\":\"a\\nb\\u001b[31m\",\"total\":1}]}]}");
    cr_assert_null (strchr (text, '\x1b'));
    cr_assert_not_null (strstr (text, "a b [31m"), "%s", text);
    free (text);
}

Test (report_format, writes_one_csv_header_with_counter_ids_and_item_scores)
{
    char *text = s_format_ok (format_csv, s_report);
    const char *header = "group,rank,unit_id,unit,should_close,closed,mystery,"
                         "closure_score,workload_score,bonus_score,total,"
                         "note\r\n";
    cr_assert (strncmp (text, header, strlen (header)) == 0, "%s", text);
    cr_assert_not_null (strstr (text, "\r\ntown,1,J01,群众路街道办事处,132,132,"
                                      "7,30.00,1.81,0.50,96.73,\r\n"),
                        "%s", text);
    cr_assert_not_null (strstr (text, "\r\ntown,2,J02,陈仓镇,1234,1200,0,"
                                      "29.17,5.00,2.50,100.50,\r\n"));
    free (text);
}

Test (report_format, quotes_csv_fields_holding_commas_or_quotes)
{
    char *text = s_format_ok (format_csv, s_report);
    cr_assert_not_null (strstr (text, "\r\ndept,1,D01,区住建局,40,40,2,30.00,"
                                      "0.55,1.00,95.40,"
                                      "\"10月逾期2件,11月逾期1件\"\r\n"),
                        "%s", text);
    // A null rank is an empty field; quotes in a name are doubled.
    cr_assert_not_null (strstr (text, "\r\ndept,,D02,\"区\"\"城管\"\"局\","),
                        "%s", text);
    free (text);
}

Test (report_format, writes_excluded_units_as_csv_rows_with_the_reason)
{
    char *text = s_format_ok (format_csv, s_report);
    const char *last = "excluded,,J99,小样本测试单位,,,,,,,,should_close < 5"
                       "\r\n";
    size_t length = strlen (text);
    cr_assert_geq (length, strlen (last));
    cr_assert_str_eq (text + length - strlen (last), last);
    free (text);
}

Test (report_format, quotes_csv_fields_holding_newlines)
{
    char *text = s_format_ok (
        format_csv, "{\"tables\":[{\"group\":\"g\",\"rows\":[{\"rank\":"
                    "3,\"unit\":\"x\",\"total\":-0.001,"
                    "\"note\":\"line1\\nline2\"}]}]}");
    cr_assert_str_eq (text, "group,rank,unit_id,unit,total,note\r\n"
                            "g,3,,x,0.00,\"line1\nline2\"\r\n");
    free (text);
}

Test (report_format, rejects_invalid_json_with_a_message)
{
    char err[FORMAT_ERR_MAX] = "";
    int rc;
    char *text = s_capture (format_table, "{\"tables\":[", &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_empty (text, "nothing is written for a bad report");
    cr_assert_not_null (strstr (err, "invalid JSON"), "%s", err);
    free (text);

    err[0] = '\0';
    text = s_capture (format_csv, "not json", &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_empty (text);
    cr_assert_not_null (strstr (err, "invalid JSON"), "%s", err);
    free (text);
}

Test (report_format, rejects_json_without_tables)
{
    const char *json = "{\"ruleset\":\"jintai-2025\",\"period\":\"2025-07\"}";
    char err[FORMAT_ERR_MAX] = "";
    int rc;
    char *text = s_capture (format_table, json, &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_empty (text);
    cr_assert_not_null (strstr (err, "tables"), "%s", err);
    free (text);

    err[0] = '\0';
    text = s_capture (format_csv, "[1,2]", &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_not_empty (err);
    free (text);
}

Test (report_format, rejects_a_value_of_the_wrong_type_naming_where_it_is)
{
    char err[FORMAT_ERR_MAX] = "";
    int rc;
    char *text = s_capture (format_csv,
                            "{\"tables\":[{\"rows\":[{\"rank\":1},"
                            "{\"items\":{\"closure\":\"30\"}}]}]}",
                            &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_empty (text);
    cr_assert_str_eq (err, "report: tables[0].rows[1].items.closure is not "
                           "a number");
    free (text);
}

/* A daemon that never stored an event reports "as_of": null
   (docs/report-json.md): every renderer takes it; another kind is
   refused. */
Test (report_format, takes_a_null_as_of_from_a_store_with_no_events)
{
    static const char *empty =
        "{\"ruleset\":\"jintai-2025\",\"title\":\"金台区\","
        "\"period\":\"2025-07\",\"as_of\":null,\"items\":[],"
        "\"counters\":[],\"tables\":[],\"excluded\":[]}";
    int (*renderers[]) (const char *, FILE *, char *) = {
        format_table, format_csv, format_csv_excel, format_html};
    for (size_t i = 0; i < sizeof (renderers) / sizeof (renderers[0]); i++) {
        char err[FORMAT_ERR_MAX] = "";
        int rc;
        free (s_capture (renderers[i], empty, &rc, err));
        cr_expect_eq (rc, 0, "renderer %zu: %s", i, err);
    }
    char err[FORMAT_ERR_MAX] = "";
    int rc;
    free (s_capture (format_html, "{\"as_of\":5,\"tables\":[]}", &rc, err));
    cr_expect_eq (rc, -1);
    cr_expect_str_eq (err, "report: as_of is not a string or null");
}

Test (report_format, reports_an_output_that_cannot_be_written)
{
    FILE *full = fopen ("/dev/full", "w");
    if (!full)
        cr_skip_test ("no /dev/full here");
    char err[FORMAT_ERR_MAX] = "";
    cr_assert_eq (format_table (s_report, full, err), -1);
    cr_assert_not_null (strstr (err, "write"), "%s", err);
    clearerr (full);
    err[0] = '\0';
    cr_assert_eq (format_csv (s_report, full, err), -1);
    cr_assert_not_null (strstr (err, "write"), "%s", err);
    fclose (full);
}

//  --------------------------------------------------------------------------
//  Optional sections (docs/report-json.md)

Test (report_format, places_each_dimension_subtotal_after_its_items)
{
    char *text = s_format_ok (format_table, s_extended);
    char lines[16][512];
    size_t count = s_table_lines (text, "镇街", lines, 16);
    cr_assert_eq (count, 5, "%s", text);
    S_EXPECT_CELLS (lines[0], "排名", "单位", "受理", "按时签收(5)",
                    "办结率(25)", "诉求响应率(30)", "按期办结率", "满意度(20)",
                    "质量(20)", "总分");
    S_EXPECT_CELLS (lines[2], "1", "东湖街道", "12", "5.00", "23.50", "28.50",
                    "88%", "19.33", "19.33", "97.83+0.5");
    free (text);
}

Test (report_format, closes_a_split_dimension_after_its_last_item)
{
    // d1's items are split by d2's; d3 has no items and comes last.
    char *text = s_format_ok (
        format_table,
        "{\"items\":[{\"id\":\"a\",\"dimension\":\"d1\"},"
        "{\"id\":\"b\",\"dimension\":\"d2\"},{\"id\":\"c\","
        "\"dimension\":\"d1\"},{\"id\":\"e\",\"dimension\":\"nowhere\"}],"
        "\"dimensions\":[{\"id\":\"d1\",\"points\":10},{\"id\":\"d2\"},"
        "{\"id\":\"d3\",\"label\":\"其他\",\"points\":0.5}],"
        "\"tables\":[{\"title\":\"T\",\"rows\":[{\"rank\":1,\"unit\":\"u\","
        "\"dimensions\":{\"d1\":9.5,\"d2\":null}}]}]}");
    char lines[8][512];
    cr_assert_eq (s_table_lines (text, "T", lines, 8), 3, "%s", text);
    S_EXPECT_CELLS (lines[0], "排名", "单位", "a", "b", "d2", "c", "d1(10)",
                    "e", "其他(0.5)", "总分");
    S_EXPECT_CELLS (lines[2], "1", "u", "-", "9.50");
    free (text);

    text = s_format_ok (format_csv,
                        "{\"items\":[{\"id\":\"a\",\"dimension\":\"d1\"}],"
                        "\"dimensions\":[{\"id\":\"d1\"}],\"tables\":[]}");
    cr_assert_str_eq (text, "group,rank,unit_id,unit,a_score,dim:d1,total,"
                            "note\r\n");
    free (text);
}

Test (report_format, rounds_pct0_items_to_whole_numbers_with_their_suffix)
{
    char *text = s_format_ok (format_table, s_extended);
    char lines[16][512];
    size_t count = s_table_lines (text, "镇街", lines, 16);
    cr_assert_eq (count, 5);
    char cells[16][128];
    cr_assert_eq (s_cells (lines[2], cells, 16), 10);
    cr_assert_str_eq (cells[6], "88%");
    cr_assert_eq (s_cells (lines[4], cells, 16), 10);
    cr_assert_str_eq (cells[6], "100%");
    free (text);
}

Test (report_format, prints_null_item_and_subtotal_values_as_a_dash)
{
    char *text = s_format_ok (format_table, s_extended);
    char lines[16][512];
    size_t count = s_table_lines (text, "镇街", lines, 16);
    cr_assert_eq (count, 5);
    S_EXPECT_CELLS (lines[3], "2", "马坡岭街道", "0", "-", "-", "-", "-", "-",
                    "-", "96.10");
    free (text);
}

Test (report_format, prints_a_bonus_after_the_base_total_with_a_plus)
{
    char *text = s_format_ok (format_table, s_extended);
    char lines[16][512];
    size_t count = s_table_lines (text, "镇街", lines, 16);
    cr_assert_eq (count, 5);
    char cells[16][128];
    // 0.5 and 0.25 with the decimals they need; a zero bonus is no bonus.
    cr_assert_eq (s_cells (lines[2], cells, 16), 10);
    cr_assert_str_eq (cells[9], "97.83+0.5");
    cr_assert_eq (s_cells (lines[3], cells, 16), 10);
    cr_assert_str_eq (cells[9], "96.10");
    cr_assert_eq (s_cells (lines[4], cells, 16), 10);
    cr_assert_str_eq (cells[9], "95.00+0.25");

    free (text);
    text = s_format_ok (format_table,
                        "{\"tables\":[{\"title\":\"T\",\"rows\":[{\"rank\":1,"
                        "\"unit\":\"u\",\"base_total\":99,\"bonus\":1,"
                        "\"total\":100}]}]}");
    cr_assert_not_null (strstr (text, "  99.00+1\n"), "%s", text);
    free (text);
}

Test (report_format, lists_signed_changes_in_a_table_after_their_table)
{
    char *text = s_format_ok (format_table, s_extended);
    const char *table = strstr (text, "\n镇街\n");
    const char *changes = strstr (text, "\n环比变化 (百分点)\n");
    cr_assert_not_null (changes, "%s", text);
    cr_assert_gt (changes, table);
    cr_assert_lt (changes, strstr (text, "\n市长信箱\n"));
    char lines[16][512];
    size_t count = s_table_lines (text, "环比变化 (百分点)", lines, 16);
    cr_assert_eq (count, 5, "%s", text);
    S_EXPECT_CELLS (lines[0], "单位", "办结率", "按期办结率");
    S_EXPECT_CELLS (lines[2], "东湖街道", "+1.25", "-");
    S_EXPECT_CELLS (lines[3], "马坡岭街道", "-0.50", "+3.00");
    // A unit without changes is listed with blank cells.
    S_EXPECT_CELLS (lines[4], "定王台街道");

    // Reports without changes have no such table.
    free (text);
    text = s_format_ok (format_table, s_report);
    cr_assert_null (strstr (text, "环比变化"));
    free (text);
}

Test (report_format, prints_channel_tables_after_the_main_tables)
{
    char *text = s_format_ok (format_table, s_extended);
    const char *channel = strstr (text, "\n市长信箱\n");
    cr_assert_not_null (channel, "%s", text);
    cr_assert_gt (channel, strstr (text, "\n镇街\n"));
    char lines[16][512];
    size_t count = s_table_lines (text, "市长信箱", lines, 16);
    cr_assert_eq (count, 4, "%s", text);
    S_EXPECT_CELLS (lines[0], "单位", "应办结", "按期办结率");
    S_EXPECT_CELLS (lines[2], "东湖街道", "8", "88%");
    S_EXPECT_CELLS (lines[3], "马坡岭街道", "3", "-");
    free (text);
}

Test (report_format, prints_the_summary_as_labelled_lines)
{
    char *text = s_format_ok (format_table, s_extended);
    char lines[16][512];
    size_t count = s_table_lines (text, "汇总", lines, 16);
    cr_assert_eq (count, 4, "%s", text);
    S_EXPECT_CELLS (lines[0], "参评单位", "40");
    S_EXPECT_CELLS (lines[1], "有工单单位", "38");
    S_EXPECT_CELLS (lines[2], "满分单位", "12 (31.58%)");
    S_EXPECT_CELLS (lines[3], "平均分", "99.87");
    // Values start in one column.
    size_t starts[4][4], ends[4][4];
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq (s_cell_columns (lines[i], starts[i], ends[i], 4), 2);
        cr_assert_eq (starts[i][1], starts[0][1], "line %zu:\n%s", i, text);
    }
    free (text);
}

Test (report_format, prints_the_breakdown_by_channel_and_by_category)
{
    char *text = s_format_ok (format_table, s_extended);
    char lines[16][512];
    size_t count = s_table_lines (text, "渠道", lines, 16);
    cr_assert_eq (count, 3, "%s", text);
    S_EXPECT_CELLS (lines[0], "渠道", "受理", "占比");
    // Known channel and category ids are named in Chinese.
    S_EXPECT_CELLS (lines[2], "12345热线", "1234", "80.00%");
    count = s_table_lines (text, "类别", lines, 16);
    cr_assert_eq (count, 3, "%s", text);
    S_EXPECT_CELLS (lines[0], "类别", "受理", "占比");
    S_EXPECT_CELLS (lines[2], "物业管理", "20", "1.62%");
    free (text);
}

Test (report_format, prints_units_below_the_district_rate_under_that_rate)
{
    char *text = s_format_ok (format_table, s_extended);
    char lines[16][512];
    size_t count = s_table_lines (
        text, "问题解决率低于全区平均的单位 (全区平均 91.23%)", lines, 16);
    cr_assert_eq (count, 3, "%s", text);
    S_EXPECT_CELLS (lines[0], "单位", "回访数", "未解决", "解决率");
    S_EXPECT_CELLS (lines[2], "东湖街道", "10", "3", "70.00%");
    // It is the last section, and the output ends with its last row.
    size_t length = strlen (text);
    size_t last = strlen (lines[2]);
    cr_assert_geq (length, last + 1);
    cr_assert_str_eq (text + length - 1, "\n");
    cr_assert (strncmp (text + length - last - 1, lines[2], last) == 0, "%s",
               text);
    free (text);
}

Test (report_format, skips_sections_that_are_absent_or_unknown)
{
    char *text = s_format_ok (format_table, s_report);
    cr_assert_null (strstr (text, "汇总"));
    cr_assert_null (strstr (text, "\n渠道\n"));
    cr_assert_null (strstr (text, "全区平均"));
    free (text);
    // s_extended also carries "future_section", which is not shown.
    text = s_format_ok (format_table, s_extended);
    cr_assert_null (strstr (text, "future"));
    free (text);
}

Test (report_format, rejects_sections_of_the_wrong_type_naming_where)
{
    static const char *const cases[][2] = {
        {"{\"tables\":[],\"summary\":{\"units\":\"40\"}}",
         "report: summary.units is not a number or null"},
        {"{\"tables\":[],\"breakdown\":[]}",
         "report: breakdown is not an object"},
        {"{\"tables\":[],\"breakdown\":{\"channels\":[{\"share\":\"x\"}]}}",
         "report: breakdown.channels[0].share is not a number or null"},
        {"{\"tables\":[],\"below\":{\"rows\":[1]}}",
         "report: below.rows[0] is not an object"},
        {"{\"tables\":[],\"channel_tables\":[{\"rows\":[{},{\"values\":"
         "{\"x\":\"1\"}}]}]}",
         "report: channel_tables[0].rows[1].values.x is not a number"},
        {"{\"tables\":[],\"channel_tables\":[{\"title\":\"t\"}]}",
         "report: channel_tables[0] has no \"rows\" array"},
        {"{\"tables\":[],\"items\":[{\"id\":\"a\",\"round\":2}]}",
         "report: items[0].round is not a string"},
        {"{\"tables\":[],\"dimensions\":[{\"label\":\"x\"}]}",
         "report: dimensions[0] is not an object with a string id"},
        {"{\"tables\":[{\"rows\":[{\"changes\":{\"a\":\"+1\"}}]}]}",
         "report: tables[0].rows[0].changes.a is not a number"},
        {"{\"tables\":[{\"rows\":[{\"bonus\":\"0.5\"}]}]}",
         "report: tables[0].rows[0].bonus is not a number or null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[FORMAT_ERR_MAX] = "";
        int rc;
        char *text = s_capture (format_table, cases[i][0], &rc, err);
        cr_assert_eq (rc, -1, "accepted %s", cases[i][0]);
        cr_assert_str_empty (text);
        cr_assert_str_eq (err, cases[i][1]);
        free (text);
    }
}

Test (report_format, writes_dimension_bonus_and_change_columns_to_csv)
{
    char *text = s_format_ok (format_csv, s_extended);
    const char *header =
        "group,rank,unit_id,unit,received,sign_on_time_score,close_rate_score,"
        "on_time_rate_score,satisfaction_score,dim:response,dim:quality,"
        "base_total,bonus,total,change:close_rate,change:on_time_rate,note\r\n";
    cr_assert (strncmp (text, header, strlen (header)) == 0, "%s", text);
    cr_assert_not_null (strstr (text, "\r\ntown,1,U01,东湖街道,12,5.00,23.50,"
                                      "88,19.33,28.50,19.33,97.83,0.5,98.33,"
                                      "+1.25,,\r\n"),
                        "%s", text);
    // Null values are empty fields.
    cr_assert_not_null (strstr (text, "\r\ntown,2,U02,马坡岭街道,0,,,,,,,96.10,"
                                      "0,96.10,-0.50,+3.00,\r\n"),
                        "%s", text);
    cr_assert_not_null (strstr (text, "\r\ntown,3,U03,定王台街道,7,4.50,24.00,"
                                      "100,18.00,28.50,18.00,95.00,0.25,95.25,"
                                      ",,\r\n"),
                        "%s", text);
    free (text);
}

Test (report_format, writes_only_the_main_tables_to_csv)
{
    char *text = s_format_ok (format_csv, s_extended);
    cr_assert_null (strstr (text, "市长信箱"));
    cr_assert_null (strstr (text, "hotline"));
    cr_assert_null (strstr (text, "property"));
    // Header and three rows.
    size_t lines = 0;
    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    cr_assert_eq (lines, 4, "%s", text);
    free (text);
}

//  --------------------------------------------------------------------------
//  xlsx

/* A fresh temporary directory per test, removed with what it holds. */
static char s_dir[64];

static void
s_make_dir (void)
{
    strcpy (s_dir, "/tmp/test_report_xlsx.XXXXXX");
    cr_assert_not_null (mkdtemp (s_dir));
}

static void
s_remove_dir (void)
{
    char command[128];
    snprintf (command, sizeof command, "rm -rf '%s'", s_dir);
    if (system (command) != 0)
        fprintf (stderr, "could not remove %s\n", s_dir);
}

TestSuite (format_xlsx, .init = s_make_dir, .fini = s_remove_dir);

static bool
s_have_unzip (void)
{
    return system ("command -v unzip >/dev/null 2>&1") == 0;
}

/* Returns the owned output of a shell command. */
static char *
s_run (const char *command)
{
    FILE *pipe = popen (command, "r");
    cr_assert_not_null (pipe);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    cr_assert_not_null (out);
    char buf[4096];
    size_t got;
    while ((got = fread (buf, 1, sizeof buf, pipe)) > 0)
        fwrite (buf, 1, got, out);
    fclose (out);
    pclose (pipe);
    return text;
}

/* Returns the owned text of one member of the workbook at path. */
static char *
s_unzip_member (const char *path, const char *member)
{
    char command[512];
    snprintf (command, sizeof command, "unzip -p '%s' '%s'", path, member);
    return s_run (command);
}

/* Returns the owned XML of cell `ref` ("D6") in a sheet, or NULL. */
static char *
s_cell_xml (const char *sheet, const char *ref)
{
    char key[32];
    snprintf (key, sizeof key, "<c r=\"%s\"", ref);
    const char *at = strstr (sheet, key);
    if (!at)
        return NULL;
    const char *end = strstr (at, "/>");
    const char *close = strstr (at, "</c>");
    const char *stop = close && (!end || close < end) ? close + 4 : end + 2;
    // A self-closing cell ends at its first "/>" when that comes first.
    const char *open_end = strchr (at, '>');
    if (open_end && open_end[-1] == '/')
        stop = open_end + 1;
    return strndup (at, (size_t)(stop - at));
}

static void
s_write_xlsx_ok (const char *json, const char *path)
{
    char err[FORMAT_ERR_MAX] = "";
    cr_assert_eq (format_xlsx (json, path, err), 0, "%s", err);
}

Test (format_xlsx, writes_a_zip_workbook_with_one_sheet_per_table)
{
    char path[128];
    snprintf (path, sizeof path, "%s/report.xlsx", s_dir);
    s_write_xlsx_ok (s_report, path);
    struct stat info;
    cr_assert_eq (stat (path, &info), 0);
    cr_assert_gt (info.st_size, 0);
    FILE *file = fopen (path, "rb");
    cr_assert_not_null (file);
    char magic[2] = "";
    cr_assert_eq (fread (magic, 1, 2, file), 2);
    fclose (file);
    cr_assert (magic[0] == 'P' && magic[1] == 'K', "not a zip file");

    if (!s_have_unzip ())
        cr_skip_test ("unzip is not installed; checked the signature only");
    char command[256];
    snprintf (command, sizeof command, "unzip -l '%s'", path);
    char *listing = s_run (command);
    cr_assert_not_null (strstr (listing, "xl/worksheets/sheet1.xml"), "%s",
                        listing);
    cr_assert_not_null (strstr (listing, "xl/worksheets/sheet3.xml"),
                        "镇街, 部门 and 未参与排名:\n%s", listing);
    free (listing);
    char *book = s_unzip_member (path, "xl/workbook.xml");
    cr_assert_not_null (strstr (book, "name=\"镇街\""), "%s", book);
    cr_assert_not_null (strstr (book, "name=\"部门\""), "%s", book);
    cr_assert_not_null (strstr (book, "name=\"未参与排名\""), "%s", book);
    free (book);
}

Test (format_xlsx, writes_a_bold_frozen_header_and_typed_cells)
{
    if (!s_have_unzip ())
        cr_skip_test ("unzip is not installed");
    char path[128];
    snprintf (path, sizeof path, "%s/extended.xlsx", s_dir);
    s_write_xlsx_ok (s_extended, path);

    char *sheet = s_unzip_member (path, "xl/worksheets/sheet1.xml");
    // The title rows and both header rows are frozen, with rank and unit;
    // every column has a width.
    cr_assert_not_null (strstr (sheet, "ySplit=\"4\""), "%s", sheet);
    cr_assert_not_null (strstr (sheet, "xSplit=\"2\""), "%s", sheet);
    cr_assert_not_null (strstr (sheet, "<cols>"), "%s", sheet);
    // Row 5 (东湖街道): rank 1 and 12 received are numbers, 97.83 too.
    cr_assert_not_null (strstr (sheet, "<c r=\"A5\""), "%s", sheet);
    cr_assert_not_null (strstr (sheet, "<v>97.83</v>"), "%s", sheet);
    cr_assert_not_null (strstr (sheet, "<v>88</v>"), "%s", sheet);
    // Row 6 (马坡岭街道) has null items: D6 is a bordered blank.
    char *cell = s_cell_xml (sheet, "D6");
    cr_assert_not_null (cell, "%s", sheet);
    cr_assert_null (strstr (cell, "<v>"), "%s", cell);
    free (cell);
    free (sheet);

    char *styles = s_unzip_member (path, "xl/styles.xml");
    cr_assert_not_null (strstr (styles, "formatCode=\"0.00\""), "%s", styles);
    cr_assert_not_null (strstr (styles, "formatCode=\"0&quot;%&quot;\""), "%s",
                        styles);
    cr_assert_not_null (strstr (styles, "<b/>"), "%s", styles);
    free (styles);

    char *strings = s_unzip_member (path, "xl/sharedStrings.xml");
    static const char *const expected[] = {"诉求响应率（30分）",
                                           "小计",
                                           "基础分",
                                           "加分",
                                           "总分",
                                           "办结率 环比",
                                           "东湖街道",
                                           "参评单位",
                                           "满分单位占比",
                                           "12345热线",
                                           "物业管理",
                                           "问题解决率低于全区平均的单位",
                                           "解决率"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        cr_assert_not_null (strstr (strings, expected[i]), "no %s in %s",
                            expected[i], strings);
    free (strings);

    char *book = s_unzip_member (path, "xl/workbook.xml");
    cr_assert_not_null (strstr (book, "name=\"镇街\""), "%s", book);
    cr_assert_not_null (strstr (book, "name=\"渠道表 市长信箱\""), "%s", book);
    cr_assert_not_null (strstr (book, "name=\"汇总\""), "%s", book);
    free (book);
}

Test (format_xlsx, makes_sheet_names_excel_accepts_and_unique)
{
    if (!s_have_unzip ())
        cr_skip_test ("unzip is not installed");
    char path[128];
    snprintf (path, sizeof path, "%s/names.xlsx", s_dir);
    s_write_xlsx_ok ("{\"tables\":[{\"title\":\"A/B\",\"rows\":[]},"
                     "{\"title\":\"a/b\",\"rows\":[]},"
                     "{\"group\":\"dept\",\"rows\":[]},{\"rows\":[]},"
                     "{\"title\":\"一二三四五六七八九十一二三四五六七八九十"
                     "一二三四五六七八九十一二三四五\",\"rows\":[]}]}",
                     path);
    char *book = s_unzip_member (path, "xl/workbook.xml");
    cr_assert_not_null (strstr (book, "name=\"A_B\""), "%s", book);
    cr_assert_not_null (strstr (book, "name=\"a_b (2)\""), "%s", book);
    cr_assert_not_null (strstr (book, "name=\"dept\""), "%s", book);
    cr_assert_not_null (strstr (book, "name=\"表4\""), "%s", book);
    cr_assert_not_null (strstr (book, "name=\"一二三四五六七八九十一二三四五"
                                      "六七八九十一二三四五六七八九十一\""),
                        "31 characters:\n%s", book);
    free (book);
}

Test (format_xlsx, refuses_a_path_that_cannot_be_written)
{
    char err[FORMAT_ERR_MAX] = "";
    cr_assert_eq (format_xlsx (s_report, "/nonexistent/dir/x.xlsx", err), -1);
    cr_assert_not_null (strstr (err, "could not write /nonexistent/dir/x.xlsx"),
                        "%s", err);
    // The rest is libxlsxwriter's own explanation.
    cr_assert_gt (strlen (err),
                  strlen ("report: could not write "
                          "/nonexistent/dir/x.xlsx: "),
                  "%s", err);
}

Test (format_xlsx, refuses_json_that_is_not_a_report_and_writes_nothing)
{
    char path[128];
    snprintf (path, sizeof path, "%s/bad.xlsx", s_dir);
    char err[FORMAT_ERR_MAX] = "";
    cr_assert_eq (format_xlsx ("{\"ruleset\":\"x\"}", path, err), -1);
    cr_assert_not_null (strstr (err, "tables"), "%s", err);
    cr_assert_neq (access (path, F_OK), 0, "a file was written");

    err[0] = '\0';
    cr_assert_eq (format_xlsx ("{\"tables\":[{\"rows\":[{\"rank\":"
                               "\"1\"}]}]}",
                               path, err),
                  -1);
    cr_assert_str_eq (err,
                      "report: tables[0].rows[0].rank is not a number or null");
    cr_assert_neq (access (path, F_OK), 0, "a file was written");
}

/* The merged cells of a sheet, "A1:N1 A2:N2 ...", in the file's order. */
static char *
s_merges (const char *sheet)
{
    char *list = calloc (1, strlen (sheet) + 1);
    cr_assert_not_null (list);
    for (const char *at = sheet; (at = strstr (at, "<mergeCell ref=\""));) {
        at += strlen ("<mergeCell ref=\"");
        const char *end = strchr (at, '"');
        cr_assert_not_null (end);
        if (*list)
            strcat (list, " ");
        strncat (list, at, (size_t)(end - at));
        at = end;
    }
    return list;
}

Test (format_xlsx, heads_dimensions_over_their_items_and_subtotal)
{
    if (!s_have_unzip ())
        cr_skip_test ("unzip is not installed");
    char path[128];
    snprintf (path, sizeof path, "%s/extended.xlsx", s_dir);
    s_write_xlsx_ok (s_extended, path);
    char *sheet = s_unzip_member (path, "xl/worksheets/sheet1.xml");
    char *merges = s_merges (sheet);
    // Title and subtitle across the table; 排名, 单位, 受理 over both
    // header rows; 诉求响应率 over its two items and 小计; 按期办结率 (no
    // dimension) alone; 质量 over 满意度 and 小计; then 基础分, 加分, 总分
    // and the two change columns, each over both rows.
    cr_assert_str_eq (merges, "A1:N1 A2:N2 A3:A4 B3:B4 C3:C4 D3:F3 G3:G4 "
                              "H3:I3 J3:J4 K3:K4 L3:L4 M3:M4 N3:N4");
    free (merges);
    free (sheet);
    char *strings = s_unzip_member (path, "xl/sharedStrings.xml");
    cr_assert_not_null (strstr (strings, "<t>芙蓉区（2022年11月）</t>"), "%s",
                        strings);
    free (strings);
}

Test (format_xlsx, heads_each_item_over_the_counters_it_reads_and_its_score)
{
    if (!s_have_unzip ())
        cr_skip_test ("unzip is not installed");
    char path[128];
    snprintf (path, sizeof path, "%s/uses.xlsx", s_dir);
    s_write_xlsx_ok (
        "{\"title\":\"T\",\"period\":\"2024-Q4\",\"as_of\":"
        "\"2025-01-01T00:00:00+08:00\",\"ruleset\":\"r\",\"items\":["
        "{\"id\":\"closure\",\"label\":\"办结\",\"points\":30,\"uses\":"
        "[\"should_close\",\"closed\"]},{\"id\":\"workload\",\"label\":"
        "\"工作量\",\"points\":5,\"uses\":[\"closed\"]}],\"counters\":"
        "[\"received\",\"should_close\",\"closed\"],\"tables\":[{\"title\":"
        "\"镇街\",\"rows\":[{\"rank\":1,\"unit\":\"甲\",\"counters\":{"
        "\"received\":3,\"should_close\":2,\"closed\":2},\"items\":{"
        "\"closure\":30,\"workload\":5},\"total\":35}]}]}",
        path);
    char *sheet = s_unzip_member (path, "xl/worksheets/sheet1.xml");
    char *merges = s_merges (sheet);
    // 受理 is read by no item; 办结 takes 应办结, 办结数 and 得分; 工作量
    // reads only a counter 办结 already shows, so it stands alone.
    cr_assert_str_eq (merges, "A1:H1 A2:H2 A3:A4 B3:B4 C3:C4 D3:F3 G3:G4 "
                              "H3:H4");
    free (merges);
    free (sheet);
    char *strings = s_unzip_member (path, "xl/sharedStrings.xml");
    static const char *const expected[] = {
        "<t>T（2024年第四季度）</t>", "截至 2025年1月1日 00:00", "办结（30分）",
        "<t>得分</t>", "工作量（5分）"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        cr_assert_not_null (strstr (strings, expected[i]), "no %s in %s",
                            expected[i], strings);
    free (strings);
}

Test (format_xlsx, sets_up_every_sheet_to_print_on_a4_landscape_one_page_wide)
{
    if (!s_have_unzip ())
        cr_skip_test ("unzip is not installed");
    char path[128];
    snprintf (path, sizeof path, "%s/print.xlsx", s_dir);
    s_write_xlsx_ok (s_extended, path);
    for (int n = 1; n <= 3; n++) {
        char member[64];
        snprintf (member, sizeof member, "xl/worksheets/sheet%d.xml", n);
        char *sheet = s_unzip_member (path, member);
        cr_assert_not_null (strstr (sheet, "<pageSetUpPr fitToPage=\"1\"/>"),
                            "%s: %s", member, sheet);
        cr_assert_not_null (strstr (sheet, "paperSize=\"9\""), "%s", member);
        cr_assert_not_null (strstr (sheet, "fitToHeight=\"0\""), "%s", member);
        cr_assert_not_null (strstr (sheet, "orientation=\"landscape\""), "%s",
                            member);
        cr_assert_not_null (strstr (sheet, "<oddFooter>"), "%s", member);
        free (sheet);
    }
    // The header rows of the main table repeat on every printed page.
    char *book = s_unzip_member (path, "xl/workbook.xml");
    cr_assert_not_null (strstr (book, "_xlnm.Print_Titles"), "%s", book);
    cr_assert_not_null (strstr (book, "$3:$4"), "%s", book);
    free (book);
}

Test (format_xlsx, charts_the_ranking_of_each_table_and_the_trend)
{
    if (!s_have_unzip ())
        cr_skip_test ("unzip is not installed");
    char path[128];
    snprintf (path, sizeof path, "%s/charts.xlsx", s_dir);
    const char *history[] = {s_report, s_report};
    char err[FORMAT_ERR_MAX] = "";
    cr_assert_eq (format_xlsx_trend (s_report, history, 2, path, err), 0, "%s",
                  err);
    char command[256];
    snprintf (command, sizeof command, "unzip -l '%s'", path);
    char *listing = s_run (command);
    // 镇街 and 部门 each have a bar chart; 趋势 has a line chart per table.
    cr_assert_not_null (strstr (listing, "xl/charts/chart4.xml"), "%s",
                        listing);
    cr_assert_null (strstr (listing, "xl/charts/chart5.xml"), "%s", listing);
    free (listing);
    char *chart = s_unzip_member (path, "xl/charts/chart1.xml");
    cr_assert_not_null (strstr (chart, "<c:barChart>"), "%s", chart);
    cr_assert_not_null (strstr (chart, "镇街 总分排名"), "%s", chart);
    cr_assert_not_null (strstr (chart, "<c:orientation val=\"maxMin\"/>"),
                        "rank 1 on top: %s", chart);
    free (chart);
    chart = s_unzip_member (path, "xl/charts/chart3.xml");
    cr_assert_not_null (strstr (chart, "<c:lineChart>"), "%s", chart);
    free (chart);
    char *book = s_unzip_member (path, "xl/workbook.xml");
    cr_assert_not_null (strstr (book, "name=\"趋势\""), "%s", book);
    free (book);

    const char *bad[] = {"{\"tables\":1}"};
    cr_assert_eq (format_xlsx_trend (s_report, bad, 1, path, err), -1);
    cr_assert_not_null (strstr (err, "tables"), "%s", err);
}

//  --------------------------------------------------------------------------
//  For people: width, reasons, Excel CSV, HTML

Test (report_format, fits_an_80_column_terminal_with_panels_that_repeat_units)
{
    char err[FORMAT_ERR_MAX] = "";
    int rc;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    rc = format_table_fit (s_extended, out, 60, err);
    fclose (out);
    cr_assert_eq (rc, 0, "%s", err);
    size_t panels = 0;
    for (char *line = text; *line;) {
        char *end = strchr (line, '\n');
        cr_assert_not_null (end);
        *end = '\0';
        cr_assert_leq (format_display_width (line), 60, "too wide: %s", line);
        panels += strncmp (line, "排名  单位", strlen ("排名  单位")) == 0;
        line = end + 1;
    }
    cr_assert_gt (panels, 1, "the main table is split:\n%s", text);
    free (text);
}

Test (report_format, cuts_a_name_too_wide_for_the_terminal_with_an_ellipsis)
{
    char err[FORMAT_ERR_MAX] = "";
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    cr_assert_eq (
        format_table_fit ("{\"tables\":[{\"title\":\"T\",\"rows\":[{\"rank\":"
                          "1,\"unit\":\"一二三四五六七八九十一二三四五六七八九"
                          "十\",\"total\":99}]}]}",
                          out, 30, err),
        0, "%s", err);
    fclose (out);
    cr_assert_not_null (strstr (text, "\xE2\x80\xA6"), "%s", text);
    cr_assert_not_null (strstr (text, "99.00"), "%s", text);
    free (text);
}

Test (report_format, says_simple_exclusion_formulas_in_words)
{
    char *text = s_format_ok (
        format_table,
        "{\"tables\":[],\"excluded\":["
        "{\"unit\":\"甲\",\"reason\":\"closed == 0 and revisited == 0\"},"
        "{\"unit\":\"乙\",\"reason\":\"received <= 2 or closed > 7\"},"
        "{\"unit\":\"丙\",\"reason\":\"max(closed, 2) < 5\"},"
        "{\"unit\":\"丁\",\"reason\":\"本月无工单\"}]}");
    char lines[16][512];
    size_t count = s_table_lines (text, "未参与排名", lines, 16);
    cr_assert_eq (count, 6, "%s", text);
    S_EXPECT_CELLS (lines[2], "甲", "无办结、无回访");
    S_EXPECT_CELLS (lines[3], "乙", "受理不超过2件或办结数超过7件");
    // What it cannot say is shown as written.
    S_EXPECT_CELLS (lines[4], "丙", "max(closed, 2) < 5");
    S_EXPECT_CELLS (lines[5], "丁", "本月无工单");
    free (text);
}

Test (report_format, shows_the_overview_and_the_warnings)
{
    char *text = s_format_ok (
        format_table,
        "{\"tables\":[],\"overview\":{\"units\":2,\"received\":10,"
        "\"should_close\":8,\"closed\":7,\"closed_on_time\":6,"
        "\"closure_rate\":0.875,\"on_time_rate\":null,\"categories\":[]},"
        "\"warnings\":[\"单位 U9 不在登记表中\",\"第二条\\n提示\"]}");
    char lines[16][512];
    size_t count = s_table_lines (text, "总体情况", lines, 16);
    cr_assert_eq (count, 5, "%s", text);
    S_EXPECT_CELLS (lines[3], "办结率", "87.50%");
    S_EXPECT_CELLS (lines[4], "按期办结率", "-");
    cr_assert_not_null (strstr (text, "\n提示\n· 单位 U9 不在登记表中\n"
                                      "· 第二条 提示\n"),
                        "%s", text);
    free (text);
}

Test (report_format, refuses_warnings_that_are_not_strings)
{
    char err[FORMAT_ERR_MAX] = "";
    int rc;
    char *text =
        s_capture (format_html, "{\"tables\":[],\"warnings\":[1]}", &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_empty (text);
    cr_assert_str_eq (err, "report: warnings[0] is not a string");
    free (text);
    text = s_capture (format_table,
                      "{\"tables\":[],\"items\":[{\"id\":\"a\",\"uses\":"
                      "\"closed\"}]}",
                      &rc, err);
    cr_assert_eq (rc, -1);
    cr_assert_str_eq (err, "report: items[0].uses is not an array");
    free (text);
}

Test (report_format, writes_excel_csv_with_a_byte_order_mark_and_labels)
{
    char *text = s_format_ok (format_csv_excel, s_report);
    const char *header = "\xEF\xBB\xBF表,排名,单位编码,单位,应办结,办结数,"
                         "mystery,办结(30),工作量(5),bonus(2.5),总分,备注\r\n";
    cr_assert (strncmp (text, header, strlen (header)) == 0, "%s", text);
    // Rows carry the table's title, excluded units their reason in words.
    cr_assert_not_null (strstr (text, "\r\n镇街,1,J01,群众路街道办事处,132,"),
                        "%s", text);
    cr_assert_not_null (strstr (text, "\r\n未参与排名,,J99,小样本测试单位,"
                                      ",,,,,,,应办结不足5件\r\n"),
                        "%s", text);
    free (text);
    // The machine form keeps its ids and no byte order mark.
    text = s_format_ok (format_csv, s_report);
    cr_assert (strncmp (text, "group,rank,", 11) == 0, "%s", text);
    free (text);
}

Test (report_format, escapes_user_text_in_the_html_bulletin)
{
    char *text = s_format_ok (
        format_html,
        "{\"title\":\"<b>标题</b>\",\"period\":\"2025-07\",\"tables\":[{"
        "\"title\":\"镇街\",\"rows\":[{\"rank\":1,\"unit\":\"A&B \\\"x\\\" "
        "'y' <script>alert(1)</script>\",\"total\":90,\"note\":\"\"}]}]}");
    cr_assert_null (strstr (text, "<script>"), "%s", text);
    cr_assert_null (strstr (text, "<b>标题"), "%s", text);
    cr_assert_not_null (
        strstr (text, "A&amp;B &quot;x&quot; &#39;y&#39; &lt;script&gt;"), "%s",
        text);
    cr_assert_not_null (strstr (text, "<h1>&lt;b&gt;标题&lt;/b&gt;</h1>"), "%s",
                        text);
    cr_assert_not_null (strstr (text, "<p class=\"period\">2025年7月</p>"),
                        "%s", text);
    free (text);
}

Test (report_format, opens_the_html_bulletin_with_the_figures)
{
    char *text = s_format_ok (
        format_html,
        "{\"tables\":[{\"title\":\"镇街\",\"rows\":["
        "{\"rank\":1,\"unit\":\"甲\",\"counters\":{\"should_close\":10,"
        "\"closed\":10},\"total\":99},"
        "{\"rank\":2,\"unit\":\"乙\",\"counters\":{\"should_close\":10,"
        "\"closed\":8},\"total\":90}]}],"
        "\"overview\":{\"units\":2,\"received\":21,\"should_close\":20,"
        "\"closed\":18,\"closed_on_time\":17,\"closure_rate\":0.9,"
        "\"on_time_rate\":0.9444,\"categories\":[{\"id\":\"traffic\","
        "\"received\":5,\"share\":0.2381},{\"id\":\"property\","
        "\"received\":16,\"share\":0.7619}]},\"warnings\":[\"注意\"]}");
    cr_assert_not_null (strstr (text, "data-name=\"received\">21</span>"), "%s",
                        text);
    cr_assert_not_null (strstr (text, "data-name=\"closure_rate\">90.00%<"),
                        "%s", text);
    // The top units, and 乙 (80%) below the district's 90%, not 甲.
    cr_assert_not_null (strstr (text, "<span class=\"unit\">甲</span>（<span "
                                      "class=\"figure\" data-name=\"total\">"
                                      "99.00</span>分）"),
                        "%s", text);
    const char *below = strstr (text, "<p class=\"below\">");
    cr_assert_not_null (below, "%s", text);
    cr_assert_not_null (strstr (below, "乙</span>（<span class=\"figure\" "
                                       "data-name=\"rate\">80.00%"),
                        "%s", below);
    cr_assert (strstr (below, "甲</span>") == NULL ||
                   strstr (below, "甲</span>") > strstr (below, "</p>"),
               "%s", below);
    // Categories largest first, in Chinese.
    const char *property = strstr (text, "物业管理");
    const char *traffic = strstr (text, "交通出行");
    cr_assert (property && traffic && property < traffic, "%s", text);
    cr_assert_not_null (strstr (text, "<li>注意</li>"), "%s", text);
    cr_assert_not_null (strstr (text, "@page{size:A4 landscape"), "%s", text);
    free (text);
}

Test (format_xlsx, puts_warnings_and_the_overview_on_sheets_of_their_own)
{
    if (!s_have_unzip ())
        cr_skip_test ("unzip is not installed");
    char path[128];
    snprintf (path, sizeof path, "%s/notes.xlsx", s_dir);
    s_write_xlsx_ok ("{\"tables\":[{\"title\":\"镇街\",\"rows\":[]}],"
                     "\"warnings\":[\"group \\\"x\\\" is not a table\"],"
                     "\"overview\":{\"units\":1,\"received\":4,"
                     "\"should_close\":4,\"closed\":3,\"closed_on_time\":3,"
                     "\"closure_rate\":0.75,\"on_time_rate\":1,"
                     "\"categories\":[{\"id\":\"housing\",\"received\":4,"
                     "\"share\":1}]}}",
                     path);
    char *book = s_unzip_member (path, "xl/workbook.xml");
    cr_assert_not_null (strstr (book, "name=\"提示\""), "%s", book);
    cr_assert_not_null (strstr (book, "name=\"汇总\""), "%s", book);
    free (book);
    char *strings = s_unzip_member (path, "xl/sharedStrings.xml");
    static const char *const expected[] = {
        "group \"x\" is not a table", "总体情况", "按期办结率", "住房保障"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        cr_assert_not_null (strstr (strings, expected[i]), "no %s in %s",
                            expected[i], strings);
    free (strings);
}
